//! `mlproof demo`: the end-to-end job on an embedded local chain (anvil).

use std::path::PathBuf;

use eyre::{Context, Result};
use mlproof_circuits::slice::sample_input;
use mlproof_import::dataset::Digits;
use mlproof_relayer::{
    compile::find_root,
    job::{run_on_anvil, JobConfig, Step},
};

use crate::common::load_model;

/// Arguments of `mlproof demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file (relative to the repository root).
    #[arg(long, default_value = "models/digits-mlp.json")]
    model: PathBuf,
    /// Prove held-out digits image number N (an index into the fixed held-out split of data/).
    #[arg(long, default_value_t = 0, conflicts_with = "sample_seed")]
    digit: usize,
    /// Prove a deterministic random int8 input from this seed instead of a digits image.
    #[arg(long)]
    sample_seed: Option<u64>,
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
        let (input, label) = match self.sample_seed {
            Some(seed) => (sample_input(seed, model.input_len), None),
            None => {
                let data = Digits::load(&root).wrap_err("cannot load the digits data set")?;
                let index = *data.test.get(self.digit).ok_or_else(|| {
                    eyre::eyre!("--digit {} is out of range: the held-out split has {} images", self.digit, data.test.len())
                })?;
                eyre::ensure!(model.input_len == 64, "model {} does not take 8x8 digits images; use --sample-seed", model.name);
                (data.quantized_input(index), Some((self.digit, index, data.labels[index])))
            }
        };
        let cfg = JobConfig::new(root, model, input, self.dev_seed);
        match label {
            Some((n, index, l)) => println!(
                "mlproof demo: {} on held-out digits image #{n} (data set row {index}, true label {l}) on a local anvil chain",
                cfg.model.name
            ),
            None => println!("mlproof demo: {} on a local anvil chain", cfg.model.name),
        }
        let rt = tokio::runtime::Runtime::new()?;
        let report = rt
            .block_on(run_on_anvil(&cfg, &mut |s: &Step| print_step(s)))
            .wrap_err("the end-to-end job failed")?;
        println!(
            "summary: model {} (id {}) output {:?} (native {:?}), class {} on-chain / {} native, verified {}, verify gas {}, fulfil gas {}, bounty claimed {}",
            report.model,
            report.model_id,
            report.output,
            report.native_output,
            report.predicted_class,
            report.native_class,
            report.verified,
            report.verify_gas,
            report.fulfil_gas,
            report.reward_claimed
        );
        if let Some((_, _, l)) = label {
            println!("digit: true label {l}, class proven on-chain {}", report.predicted_class);
        }
        if self.json {
            let mut v = serde_json::to_value(&report)?;
            if let Some((n, index, l)) = label {
                v["held_out_image"] = n.into();
                v["dataset_row"] = index.into();
                v["label"] = l.into();
            }
            println!("{v}");
        }
        eyre::ensure!(report.verified, "on-chain output differs from the native engine");
        Ok(())
    }
}
