//! `mlproof bench training`: the training job on the digits MLP (64-32-10) end to end on anvil —
//! the step circuit with data provenance (the batch drawn by the on-chain seed from the Merkle tree
//! of the training split) and the held-out evaluation circuit — reporting constraints, setup and
//! proving times, peak memory and the gas of `submitStep` / `submitEval` from real receipts.

use std::path::Path;

use eyre::{Context, Result};
use mlproof_node::train_job::run_training_on_anvil;

use crate::common::digits_training;

/// Runs the suite (`steps` steps of `batch` samples, `steps_per_proof` per proof,
/// `eval_samples` held-out samples) and prints one JSON object.
pub fn run(root: &Path, steps: usize, steps_per_proof: usize, batch: usize, eval_samples: usize) -> Result<()> {
    let job = digits_training(root.to_path_buf(), steps, steps_per_proof, batch, eval_samples, 7, 1)?;
    eprintln!("[bench] training: digits 64-32-10, {steps} steps of batch {batch} ({steps_per_proof} per proof), {eval_samples} held-out samples, on anvil");
    let rt = tokio::runtime::Runtime::new()?;
    let report = rt
        .block_on(run_training_on_anvil(&job, &mut |s| eprintln!("[bench]   {} {}", s.name, s.detail)))
        .wrap_err("the training job failed")?;
    eyre::ensure!(
        report.matches_native && report.steps_verified == steps,
        "the training job did not verify every step natively"
    );
    let out = serde_json::json!({
        "suite": "training",
        "model": "digits-mlp 64-32-10 (fixed-point SGD, F = 8, 16-bit weights)",
        "machine": super::measure::machine(),
        "steps": steps,
        "steps_per_proof": steps_per_proof,
        "constraints_per_proof": report.constraints_per_proof,
        "batch": batch,
        "eval_samples": eval_samples,
        "constraints_per_step": report.constraints_per_step,
        "setup_s": report.setup_s[0],
        "prove_s_per_step": report.prove_s_per_step,
        "gas_per_step": report.gas_per_step,
        "step_gas": report.step_gas,
        "eval_constraints": report.eval_constraints,
        "eval_setup_s": report.setup_s[1],
        "eval_prove_s": report.eval_prove_s,
        "eval_gas": report.eval_gas,
        "accuracy_before": report.accuracy_before,
        "accuracy_after": report.accuracy_after,
        "peak_rss_mb": super::measure::peak_rss_mb(),
    });
    println!("{out}");
    Ok(())
}
