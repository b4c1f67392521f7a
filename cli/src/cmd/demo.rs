//! `mlproof demo`: the end-to-end job on an embedded local chain (anvil).

use std::path::PathBuf;

use eyre::{Context, Result};
use mlproof_circuits::slice::sample_input;
use mlproof_relayer::{
    compile::find_root,
    deploy::ProtocolConfig,
    job::{run_on_anvil, JobConfig, Step},
};

use crate::common::load_model;

/// Arguments of `mlproof demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file (relative to the repository root).
    #[arg(long, default_value = "models/slice-mlp.json")]
    model: PathBuf,
    /// Seed of the sample input to prove.
    #[arg(long, default_value_t = 7)]
    sample_seed: u64,
    /// Seed of the development Groth16 setup (NOT FOR PRODUCTION).
    #[arg(long, default_value_t = 1)]
    dev_seed: u64,
    /// Repository root (default: found from the current directory).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Make the last line one JSON object with the summary.
    #[arg(long)]
    json: bool,
}

fn print_step(s: &Step) {
    let mut line = format!("  ✓ {:<32}", s.name);
    if let Some(tx) = &s.tx {
        line.push_str(&format!(" tx {}…{}", &tx[..10], &tx[tx.len() - 6..]));
    }
    if let Some(gas) = s.gas {
        line.push_str(&format!(" gas {gas:>9}"));
    }
    if !s.detail.is_empty() {
        line.push_str(&format!("  {}", s.detail));
    }
    println!("{line}");
}

impl Args {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let root = match self.root {
            Some(r) => r,
            None => find_root(&std::env::current_dir()?)
                .ok_or_else(|| eyre::eyre!("run inside the mlproof repository or pass --root"))?,
        };
        let model_path = if self.model.is_absolute() { self.model.clone() } else { root.join(&self.model) };
        let model = load_model(&model_path)?;
        let input = sample_input(self.sample_seed, model.input_len);
        let cfg = JobConfig { root, model, input, setup_seed: self.dev_seed, protocol: ProtocolConfig::default() };
        println!("mlproof demo: {} on a local anvil chain", cfg.model.name);
        let rt = tokio::runtime::Runtime::new()?;
        let report = rt
            .block_on(run_on_anvil(&cfg, &mut |s: &Step| print_step(s)))
            .wrap_err("the end-to-end job failed")?;
        println!(
            "summary: model {} (id {}) output {:?} (native {:?}), class {} on-chain / {} native, verified {}, verify gas {}, submit gas {}, reward claimed {}",
            report.model,
            report.model_id,
            report.output,
            report.native_output,
            report.predicted_class,
            report.native_class,
            report.verified,
            report.verify_gas,
            report.submit_gas,
            report.reward_claimed
        );
        if self.json {
            println!("{}", serde_json::to_string(&report)?);
        }
        eyre::ensure!(report.verified, "on-chain output differs from the native engine");
        Ok(())
    }
}
