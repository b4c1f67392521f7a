//! `mlproof demo`: the end-to-end job on an embedded local chain (anvil): one proven inference
//! task (default), or `--train N` proven SGD steps between two proven evaluations.

use std::path::PathBuf;

use eyre::{Context, Result};
use mlproof_circuits::native::slice::sample_input;
use mlproof_import::dataset::Digits;
use mlproof_node::{
    compile::find_root,
    job::{run_on_anvil, JobConfig, Step},
    train_job::run_training_on_anvil,
};

use crate::common::{digits_training, load_model};

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
    /// Instead of inference: run N proven SGD steps of the digits MLP on-chain (TrainingLedger),
    /// between proven held-out evaluations of the start and final weights.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=256))]
    train: Option<u64>,
    /// With --train: samples per step (drawn by the on-chain seed from the committed training split).
    #[arg(long, default_value_t = 4, requires = "train", value_parser = clap::value_parser!(u64).range(1..=64))]
    batch: u64,
    /// With --train: size of the committed held-out evaluation set (the first held-out digits).
    #[arg(long, default_value_t = 64, requires = "train", value_parser = clap::value_parser!(u64).range(1..=540))]
    eval_samples: u64,
    /// With --train: SGD steps per proof (one Groth16 proof covers K consecutive steps; N must be a
    /// multiple of K).
    #[arg(long, default_value_t = 1, requires = "train", value_parser = clap::value_parser!(u64).range(1..=64))]
    steps_per_proof: u64,
    /// With --train: seed of the deliberately under-trained (seeded random) start weights.
    #[arg(long, default_value_t = 7, requires = "train")]
    start_seed: u64,
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
        let root = match &self.root {
            Some(r) => r.clone(),
            None => find_root(&std::env::current_dir()?)
                .ok_or_else(|| eyre::eyre!("run inside the mlproof repository or pass --root"))?,
        };
        if let Some(steps) = self.train {
            return self.run_training(root, steps);
        }
        let model_path = if self.model.is_absolute() { self.model.clone() } else { root.join(&self.model) };
        let model = load_model(&model_path)?;
        let (input, label) = match self.sample_seed {
            Some(seed) => (sample_input(seed, model.input_len), None),
            None => {
                let data = Digits::load(&root).wrap_err("cannot load the digits data set")?;
                let index = *data.test.get(self.digit).ok_or_else(|| {
                    eyre::eyre!(
                        "--digit {} is out of range: the held-out split has {} images",
                        self.digit,
                        data.test.len()
                    )
                })?;
                eyre::ensure!(
                    model.input_len == 64,
                    "model {} does not take 8x8 digits images; use --sample-seed",
                    model.name
                );
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
        let report =
            rt.block_on(run_on_anvil(&cfg, &mut |s: &Step| print_step(s))).wrap_err("the end-to-end job failed")?;
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

    fn run_training(&self, root: PathBuf, steps: u64) -> Result<()> {
        let job = digits_training(
            root,
            steps as usize,
            self.steps_per_proof as usize,
            self.batch as usize,
            self.eval_samples as usize,
            self.start_seed,
            self.dev_seed,
        )?;
        println!(
            "mlproof demo --train {steps}: digits MLP 64-32-10 from an under-trained start (seed {}), batch {}, {} step(s) per proof, {} held-out samples, on a local anvil chain",
            self.start_seed, self.batch, self.steps_per_proof, self.eval_samples
        );
        let rt = tokio::runtime::Runtime::new()?;
        let report = rt
            .block_on(run_training_on_anvil(&job, &mut |s: &Step| print_step(s)))
            .wrap_err("the training job failed")?;
        println!("lineage (read back from TrainingLedger):");
        for s in &report.lineage {
            println!(
                "  step {}: {:#x} -> {:#x} by {} (block {})",
                s.step, s.head_before, s.head_after, s.prover, s.block
            );
        }
        if report.steps_per_proof > 1 {
            println!("  ({} SGD steps per lineage entry)", report.steps_per_proof);
        }
        println!(
            "summary: {} steps verified; held-out accuracy {:.3} -> {:.3} ({}/{} -> {}/{}, proven); loss sum {} -> {}; submitStep gas {} (mean); rewards: steps {}, improvement {}, withdrawn {}",
            report.steps_verified,
            report.accuracy_before,
            report.accuracy_after,
            report.correct_before,
            report.eval_samples,
            report.correct_after,
            report.eval_samples,
            report.loss_sum_before,
            report.loss_sum_after,
            report.gas_per_step,
            report.step_rewards,
            report.improvement_reward,
            report.withdrawn
        );
        if self.json {
            println!("{}", serde_json::to_value(&report)?);
        }
        eyre::ensure!(report.matches_native, "the chain's heads, scores or lineage differ from the native trainer's");
        eyre::ensure!(report.steps_verified == steps as usize, "{} of {steps} steps verified", report.steps_verified);
        Ok(())
    }
}
