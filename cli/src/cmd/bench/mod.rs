//! `mlproof bench`: speed, memory and gas, printed as one JSON object (the last line).

use std::time::Instant;

use eyre::{Context, Result};
use mlproof_circuits::native::slice::{sample_input, slice_model};
use mlproof_node::{
    compile::find_root,
    job::{run_on_anvil, JobConfig},
};
use mlproof_prover::{dev_setup, prove_inference, setup::constraint_count, verify_inference};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

/// Arguments of `mlproof bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Which benchmark: `slice` (the foundation slice: circuit, Groth16, on-chain gas), `circuits`
    /// (constraint costs, setup/prove time and memory per model and weight visibility), `contracts`
    /// (gas of every market operation), `batch` (batch verification and `fulfilBatch` gas per proof
    /// for batch sizes 1–64) or `training` (the training job: step and evaluation circuits,
    /// `submitStep` / `submitEval` gas).
    #[arg(default_value = "slice")]
    suite: String,
    /// Timed repetitions per measurement (the median is reported).
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// With suite `training`: samples per step.
    #[arg(long, default_value_t = 4)]
    batch: usize,
    /// With suite `training`: verified steps to relay.
    #[arg(long, default_value_t = 3)]
    steps: usize,
    /// With suite `training`: SGD steps per proof.
    #[arg(long, default_value_t = 1)]
    steps_per_proof: usize,
    /// With suite `training`: held-out samples the evaluation circuit scores.
    #[arg(long, default_value_t = 64)]
    eval_samples: usize,
    /// With suite `one` (internal): the model key.
    #[arg(long, hide = true)]
    model: Option<String>,
    /// With suite `one` (internal): `public` or `private`.
    #[arg(long, hide = true)]
    visibility: Option<String>,
}

mod batch;
mod circuits;
mod contracts;
mod measure;
mod training;

use measure::{machine, peak_rss_mb};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

impl Args {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        match self.suite.as_str() {
            "slice" => self.run_slice(),
            "circuits" => run_circuits(),
            "contracts" => contracts::run(),
            "batch" => batch::run(),
            "training" => {
                let root = find_root(&std::env::current_dir()?)
                    .ok_or_else(|| eyre::eyre!("run inside the mlproof repository"))?;
                training::run(&root, self.steps, self.steps_per_proof, self.batch, self.eval_samples)
            }
            "one" => {
                let root = find_root(&std::env::current_dir()?)
                    .ok_or_else(|| eyre::eyre!("run inside the mlproof repository"))?;
                let model = circuits::load(self.model.as_deref().unwrap_or_default(), &root)?;
                let vis = match self.visibility.as_deref() {
                    Some("private") => mlproof_circuits::Visibility::Private,
                    _ => mlproof_circuits::Visibility::Public,
                };
                println!("{}", circuits::run_one(&model, vis)?);
                Ok(())
            }
            other => eyre::bail!("unknown benchmark suite {other:?}; available: slice, circuits, contracts, training"),
        }
    }

    fn run_slice(self) -> Result<()> {
        let runs = self.runs.max(1);
        let model = slice_model()?;
        let input = sample_input(7, model.input_len);
        let constraints = constraint_count(&model)?;

        let mut setup = Vec::new();
        let mut keys = None;
        for i in 0..runs {
            let t = Instant::now();
            keys = Some(dev_setup(&model, 1 + i as u64)?);
            setup.push(t.elapsed().as_secs_f64());
        }
        let keys = keys.expect("at least one run");
        let mut prove = Vec::new();
        let mut verify = Vec::new();
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        for _ in 0..runs {
            let t = Instant::now();
            let proof = prove_inference(&keys, &model, &input, [0x70; 20], &mut rng)?;
            prove.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            verify_inference(&keys.vk, &proof)?;
            verify.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let rss = peak_rss_mb();
        eprintln!(
            "[bench] {constraints} constraints; setup {:.3}s, prove {:.3}s (median of {runs})",
            median(setup.clone()),
            median(prove.clone())
        );

        let root =
            find_root(&std::env::current_dir()?).ok_or_else(|| eyre::eyre!("run inside the mlproof repository"))?;
        let cfg = JobConfig::new(root, model.clone(), input, 1);
        let rt = tokio::runtime::Runtime::new()?;
        let mut gas = serde_json::Map::new();
        let report = rt
            .block_on(run_on_anvil(&cfg, &mut |s| {
                if let Some(g) = s.gas {
                    gas.insert(s.name.replace(' ', "_"), g.into());
                }
            }))
            .wrap_err("on-chain part of the benchmark failed")?;
        let out = serde_json::json!({
            "suite": "slice",
            "model": model.name,
            "machine": machine(),
            "runs": runs,
            "macs": model.macs(),
            "constraints": constraints,
            "setup_s": median(setup),
            "prove_s": median(prove),
            "verify_rust_ms": median(verify),
            "peak_rss_mb": rss,
            "verify_gas": report.verify_gas,
            "fulfil_gas": report.fulfil_gas,
            "claim_gas": report.claim_gas,
            "gas": gas,
        });
        println!("{out}");
        Ok(())
    }
}

fn run_circuits() -> Result<()> {
    use circuits::{load, run_child, unit_costs, MODELS};
    let root = find_root(&std::env::current_dir()?).ok_or_else(|| eyre::eyre!("run inside the mlproof repository"))?;
    let mut out = unit_costs(&load("mlp_784_56_10", &root)?)?;
    out["machine"] = machine();
    for key in MODELS {
        let mut entry = serde_json::Map::new();
        for vis in ["public", "private"] {
            eprintln!("[bench] {key} ({vis} weights)");
            entry.insert(vis.to_owned(), run_child(key, vis)?);
        }
        if let Some(name) = key.strip_prefix("digits_").map(|k| format!("digits-{k}")) {
            let (_, acc) = mlproof_import::digits_model::import_digits(
                &root.join(format!("models/{name}.onnx")),
                &root,
                Some(&name),
            )?;
            entry.insert("float_accuracy".into(), acc.float_accuracy.into());
            entry.insert("quantized_accuracy".into(), acc.quantized_accuracy.into());
        }
        out[*key] = entry.into();
    }
    println!("{out}");
    Ok(())
}
