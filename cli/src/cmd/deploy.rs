//! `mlproof deploy --network <name>`: deploys token, registry, market, training ledger, and a
//! verifier and an example consumer per model of the deploy config, registers each model, and
//! writes `deployments/<chain id>.json` for `mlproof node` and the other commands.

use std::path::PathBuf;

use alloy::signers::local::PrivateKeySigner;
use eyre::{bail, Context, Result};
use mlproof_node::{
    compile::find_root,
    deploy::ProtocolConfig,
    deployments::{deploy_all, plan_prefix, DeployConfig, Deployments, Plan, EXAMPLE},
};
use mlproof_relayer::{chain::Account, txm::TxmConfig};

use crate::common::print_json;

/// Arguments of `mlproof deploy`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The network profile (a `[networks.<name>]` table of the deploy config).
    #[arg(long, default_value = "local")]
    network: String,
    /// The deploy config (networks and models).
    #[arg(long, default_value = "deploy.toml")]
    config: PathBuf,
    /// Write a commented example deploy config to --config and exit.
    #[arg(long)]
    init: bool,
    /// Where the deployments file goes (`<dir>/<chain id>.json`).
    #[arg(long, default_value = "deployments")]
    out: PathBuf,
    /// Deploy verifiers from a development setup to a chain that is not local (anyone who knows
    /// the setup seed can forge proofs for them).
    #[arg(long)]
    force_dev_setup: bool,
    /// Deploy again beside an earlier deployment of the same plan (by default a re-run resumes or
    /// returns the earlier one: every transaction is an idempotent intent).
    #[arg(long)]
    fresh: bool,
    /// Private key of the deployer (admin of every contract on a local chain; elsewhere the
    /// market's admin and treasury roles go to a timelock the deployer proposes to), hex.
    #[arg(long, env = "MLPROOF_PRIVATE_KEY", hide_env_values = true)]
    private_key: String,
    /// The transaction manager's database.
    #[arg(long, env = "MLPROOF_TXM_DB", default_value = ".mlproof/txm.sqlite")]
    txm_db: PathBuf,
    /// Blocks deep each transaction must be.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    confirmations: u64,
    /// Print the deployments record as one JSON object.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        if self.init {
            if self.config.exists() {
                bail!("{} exists; remove it first", self.config.display());
            }
            std::fs::write(&self.config, EXAMPLE).wrap_err_with(|| format!("writing {}", self.config.display()))?;
            println!("wrote {}: edit [networks.*] and [[models]]", self.config.display());
            return Ok(());
        }
        let cfg = DeployConfig::load(&self.config)?;
        let profile = cfg.network(&self.network)?;
        eyre::ensure!(!cfg.models.is_empty(), "{} lists no [[models]]", self.config.display());
        let signer: PrivateKeySigner =
            self.private_key.trim().parse().wrap_err("the private key is not a valid secp256k1 key")?;
        let root = std::env::current_dir().ok().and_then(|d| find_root(&d)).ok_or_else(|| {
            eyre::eyre!("run mlproof deploy inside the mlproof checkout (contracts/ and foundry.toml)")
        })?;
        let plan = Plan {
            network: &self.network,
            profile,
            models: &cfg.models,
            force_dev_setup: self.force_dev_setup,
            protocol: ProtocolConfig::default(),
        };
        let mut prefix = plan_prefix(&plan)?;
        if self.fresh {
            prefix.push_str(&format!(":{}", alloy::hex::encode(mlproof_node::market::random_salt().0)));
        }
        if let Some(dir) = self.txm_db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let rt = tokio::runtime::Runtime::new()?;
        let dep = rt.block_on(async {
            let config = TxmConfig {
                chain_id: Some(profile.chain_id),
                confirmations: self.confirmations,
                ..TxmConfig::default()
            };
            let admin = Account::open(&profile.rpc_url, signer, &self.txm_db, config)
                .await
                .wrap_err_with(|| format!("connecting to {} ({})", self.network, profile.rpc_url))?
                .with_key_prefix(&prefix);
            Ok::<_, eyre::Report>(deploy_all(&admin, &root, &plan).await?)
        })?;
        let path = Deployments::path_in(&self.out, dep.chain_id);
        dep.save(&path)?;
        if self.json {
            print_json(&serde_json::to_value(&dep)?);
        } else {
            println!(
                "deployed to {} (chain {}) from block {}; wrote {}",
                dep.network,
                dep.chain_id,
                dep.block,
                path.display()
            );
            println!(
                "  market {}  registry {}  token {}  training ledger {}",
                dep.market, dep.registry, dep.token, dep.training_ledger
            );
            match dep.timelock {
                Some(t) => println!(
                    "  the market is administered by the timelock {t} (proposer and executor {}, who keeps the \
                     pauser role)",
                    dep.deployer
                ),
                None => println!("  the market is administered by the deployer {} (local chain)", dep.deployer),
            }
            for m in &dep.models {
                println!(
                    "  model {} {}: verifier {}{}{}",
                    m.id,
                    m.name,
                    m.verifier,
                    m.consumer.map(|c| format!(", consumer {c}")).unwrap_or_default(),
                    if m.dev_setup { " (development setup)" } else { "" }
                );
            }
        }
        Ok(())
    }
}
