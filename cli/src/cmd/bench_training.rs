//! `mlproof bench training`: the training-step circuit on the digits MLP (64-32-10) with data
//! provenance (the batch drawn by a seed from the Merkle tree of the training split): constraints
//! per step, Groth16 setup and proving time, peak memory. The on-chain keys of the issue
//! (`gas_per_step`, `eval_constraints`, `eval_prove_s`) are reported as `null` until the lineage
//! contracts and the evaluation circuit exist.

use std::{path::Path, time::Instant};

use ark_bn254::Fr;
use eyre::Result;
use mlproof_circuits::{
    dataset::DatasetTree,
    train::{Mlp, TrainConfig},
    train_circuit::{constraint_count, TrainShape, TrainStepCircuit},
};
use mlproof_import::dataset::Digits;
use mlproof_prover::training::{dev_setup_step, prove_step, verify_step};
use rand::SeedableRng;

/// Runs the suite with `batch` samples per step and prints one JSON object.
pub fn run(root: &Path, batch: usize) -> Result<()> {
    let data = Digits::load(root)?;
    let tree = DatasetTree::<Fr>::new(data.train_samples())?;
    let cfg = TrainConfig::default();
    let shape = TrainShape { inputs: 64, hidden: 32, classes: 10, batch, depth: Some(tree.depth()) };
    let constraints = constraint_count(&shape, &cfg);
    eprintln!("[bench] training step: digits 64-32-10, batch {batch}, tree depth {}: {constraints} constraints", tree.depth());

    let t = Instant::now();
    let keys = dev_setup_step(TrainStepCircuit::for_setup(shape, cfg), 1)?;
    let setup_s = t.elapsed().as_secs_f64();

    let start = Mlp::seeded(64, 32, 10, 7, &cfg);
    let (circuit, statement, _after) =
        TrainStepCircuit::from_dataset(&start, &tree, batch, Fr::from(12345u64), 0, [0x70; 20], &cfg, Fr::from(99u64))?;
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
    let t = Instant::now();
    let proof = prove_step(&keys, circuit, &mut rng)?;
    let prove_s = t.elapsed().as_secs_f64();
    verify_step(&keys, &statement, &proof)?;
    let out = serde_json::json!({
        "suite": "training",
        "model": "digits-mlp 64-32-10 (fixed-point SGD, F = 8, 16-bit weights)",
        "machine": super::bench::machine(),
        "batch": batch,
        "tree_depth": tree.depth(),
        "constraints_per_step": constraints,
        "setup_s": setup_s,
        "prove_s_per_step": prove_s,
        "peak_rss_mb": super::bench::peak_rss_mb(),
        "gas_per_step": null,
        "eval_constraints": null,
        "eval_prove_s": null,
    });
    println!("{out}");
    Ok(())
}
