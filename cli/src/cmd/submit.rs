//! `mlproof submit`: relay a proof file to a deployed InferenceHub.

use std::path::PathBuf;

use alloy::{primitives::U256, signers::local::PrivateKeySigner};
use eyre::{Context, Result};
use mlproof_prover::ProofFile;
use mlproof_relayer::{chain::Account, job::decode_output, submit};

use crate::common::{parse_address, print_json};

/// Arguments of `mlproof submit`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// JSON-RPC endpoint.
    #[arg(long, env = "MLPROOF_RPC_URL")]
    rpc_url: String,
    /// Private key of the prover (the address bound into the proof), hex.
    #[arg(long, env = "MLPROOF_PRIVATE_KEY", hide_env_values = true)]
    private_key: String,
    /// InferenceHub address.
    #[arg(long)]
    hub: String,
    /// Registered model id.
    #[arg(long)]
    model_id: u64,
    /// Proof file written by `mlproof prove`.
    #[arg(long)]
    proof: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let signer: PrivateKeySigner = self.private_key.trim().parse().wrap_err("--private-key is not a valid secp256k1 private key")?;
        let hub = parse_address(&self.hub)?;
        let text = std::fs::read_to_string(&self.proof).wrap_err_with(|| format!("cannot read proof file {}", self.proof.display()))?;
        let file: ProofFile = serde_json::from_str(&text).wrap_err_with(|| format!("{} is not an mlproof proof file", self.proof.display()))?;
        let evm = file.to_evm()?;
        eyre::ensure!(
            evm.prover == signer.address(),
            "the proof is bound to prover {}, but the key is for {}: the hub would reject it (InferenceHubInvalidProof)",
            evm.prover,
            signer.address()
        );
        let account = Account::connect(&self.rpc_url, signer)?;
        let model_id = U256::from(self.model_id);
        let rt = tokio::runtime::Runtime::new()?;
        let (sent, words) = rt.block_on(async {
            let sent = submit::submit_proof(&account, hub, model_id, &evm).await?;
            let words = submit::verified_output(&account.provider, hub, model_id, &evm.input).await?;
            Ok::<_, mlproof_relayer::RelayerError>((sent, words))
        })?;
        let words = words.ok_or_else(|| eyre::eyre!("the hub reports no verified output after the submission"))?;
        let output = decode_output(&words, file.output_values.len())?;
        if self.json {
            print_json(&serde_json::json!({
                "tx": sent.tx_hash.to_string(), "gas_used": sent.gas_used, "block": sent.receipt.block_number,
                "verified": output == file.output_values, "output": output,
            }));
        } else {
            println!(
                "submitted: tx {} (block {:?}, gas {}); verified output {:?}",
                sent.tx_hash, sent.receipt.block_number, sent.gas_used, output
            );
        }
        Ok(())
    }
}
