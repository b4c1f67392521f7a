//! `mlproof setup`: development Groth16 keys for a model.

use std::{path::PathBuf, time::Instant};

use eyre::Result;
use mlproof_prover::setup::{dev_setup_shape, DEV_SETUP_WARNING};

use crate::common::{load_model, print_json, spinner};

/// Arguments of `mlproof setup`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file.
    #[arg(long)]
    model: PathBuf,
    /// Seed of the development setup (NOT FOR PRODUCTION).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Keys for private (committed) weights.
    #[arg(long)]
    private_weights: bool,
    /// Keys for a committed (private) input.
    #[arg(long)]
    committed_input: bool,
    /// Where to write the proving key.
    #[arg(long)]
    out: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let model = load_model(&self.model)?;
        eprintln!("warning: {DEV_SETUP_WARNING}");
        let pb = spinner("Groth16 setup", self.json);
        let t = Instant::now();
        let visibility = if self.private_weights {
            mlproof_circuits::Visibility::Private
        } else {
            mlproof_circuits::Visibility::Public
        };
        let keys = dev_setup_shape(&model, self.seed, visibility, self.committed_input)?;
        let setup_s = t.elapsed().as_secs_f64();
        pb.finish_and_clear();
        keys.save(&self.out, &mlproof_prover::KeyTag::new(&model, visibility, self.committed_input).dev())?;
        if self.json {
            print_json(&serde_json::json!({
                "model": model.name, "pk": self.out, "setup_s": setup_s,
                "public_inputs": keys.vk.gamma_abc_g1.len() - 1, "dev_setup": true,
            }));
        } else {
            println!("wrote proving key {} ({setup_s:.2}s)", self.out.display());
        }
        Ok(())
    }
}
