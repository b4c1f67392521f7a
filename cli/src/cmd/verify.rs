//! `mlproof verify`: verify a proof file in Rust.

use std::path::PathBuf;

use eyre::{Context, Result};
use mlproof_prover::{commitment::model_commitment, verify_inference, ProofFile};

use crate::common::{load_model, print_json, KeySource};

/// Arguments of `mlproof verify`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file.
    #[arg(long)]
    model: PathBuf,
    #[command(flatten)]
    keys: KeySource,
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
        let model = load_model(&self.model)?;
        let text = std::fs::read_to_string(&self.proof)
            .wrap_err_with(|| format!("cannot read proof file {}", self.proof.display()))?;
        let file: ProofFile = serde_json::from_str(&text)
            .wrap_err_with(|| format!("{} is not an mlproof proof file", self.proof.display()))?;
        eyre::ensure!(
            file.model_commitment == model_commitment(&model),
            "proof is for model commitment {}, but {} has commitment {}",
            file.model_commitment,
            self.model.display(),
            model_commitment(&model)
        );
        eyre::ensure!(
            file.weights_commitment.is_some() == self.keys.private_weights,
            "the proof is for {} weights; pass {}--private-weights",
            if file.weights_commitment.is_some() { "private" } else { "public" },
            if file.weights_commitment.is_some() { "" } else { "no " }
        );
        eyre::ensure!(
            file.input_commitment.is_some() == self.keys.committed_input,
            "the proof is for a {} input; pass {}--committed-input",
            if file.input_commitment.is_some() { "committed" } else { "public" },
            if file.input_commitment.is_some() { "" } else { "no " }
        );
        let keys = self.keys.keys(&model, self.json)?;
        let proof = file.to_inference_proof()?;
        let verified = verify_inference(&keys.vk, &proof).is_ok();
        if self.json {
            print_json(&serde_json::json!({ "verified": verified, "output": file.output_values }));
        } else if verified {
            println!("proof verifies: {} -> {:?}", model.name, file.output_values);
        }
        eyre::ensure!(verified, "proof does NOT verify");
        Ok(())
    }
}
