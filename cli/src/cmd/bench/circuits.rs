//! `mlproof bench circuits`: constraint costs, setup and proving time and peak memory per model
//! and weight visibility. Each (model, visibility) runs in its own process so its peak RSS is its own.

use std::{path::Path, process::Command, time::Instant};

use ark_bn254::Fr;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystem, SynthesisMode};
use eyre::{Context, Result};
use mlproof_circuits::{
    gadgets::{poseidon::commit_words, private_tensor},
    inference::layers::{
        dense_private::{bias_bits, dense_private},
        dense_public::dense_public,
    },
    native::model::{Activation, DenseLayer, Layer, QuantModel},
    native::slice::{random_mlp, sample_input},
    Salt, Visibility,
};
use mlproof_prover::{
    prove_inference, prove_inference_private,
    setup::{constraint_count_with, dev_setup_with},
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use serde_json::{json, Value};

/// Models measured by the suite.
pub const MODELS: &[&str] = &["digits_mlp", "digits_cnn", "mlp_784_56_10"];

/// Loads a benchmark model by key.
pub fn load(key: &str, root: &Path) -> Result<QuantModel> {
    match key {
        "digits_mlp" => crate::common::load_model(&root.join("models/digits-mlp.json")),
        "digits_cnn" => crate::common::load_model(&root.join("models/digits-cnn.json")),
        // The shape peers publish (e.g. circomlib-ml / zkml MNIST MLPs), with seeded random weights.
        "mlp_784_56_10" => Ok(random_mlp("mlp-784-56-10", 7_845_610, 784, &[56, 10])?),
        other => eyre::bail!("unknown benchmark model {other:?}; known: {}", MODELS.join(", ")),
    }
}

fn setup_cs() -> ark_relations::gr1cs::ConstraintSystemRef<Fr> {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_mode(SynthesisMode::Setup);
    cs
}

fn witnesses(cs: &ark_relations::gr1cs::ConstraintSystemRef<Fr>, n: usize) -> Vec<FpVar<Fr>> {
    (0..n).map(|_| FpVar::new_witness(cs.clone(), || Ok(Fr::from(0u64))).expect("setup-mode witness")).collect()
}

fn requant_cost(d: &DenseLayer, n: u32) -> usize {
    d.out_features * (n as usize + if d.activation == Activation::Relu { 5 } else { 9 })
}

/// Per-operation costs measured on isolated layers of `model`'s first layer.
pub fn unit_costs(model: &QuantModel) -> Result<Value> {
    let Some(Layer::Dense(d)) = model.layers.first() else {
        eyre::bail!("unit costs are measured on a model whose first layer is dense");
    };
    let macs = (d.in_features * d.out_features) as f64;

    let cs = setup_cs();
    let x = witnesses(&cs, d.in_features);
    let _ = dense_public(d, &x, 0)?;
    let public_total = cs.num_constraints();
    let public_requant: usize = (0..d.out_features).map(|o| d.requant_bits(o, 0) as usize + 5).sum();
    let per_mac_public = (public_total - public_requant) as f64 / macs;
    let per_requant_relu = public_total as f64 / d.out_features as f64 - per_mac_public * d.in_features as f64;

    let cs = setup_cs();
    let x = witnesses(&cs, d.in_features);
    let w = private_tensor::alloc::<Fr>(&cs, None, d.weights.len(), 8)?;
    let b = private_tensor::alloc::<Fr>(&cs, None, d.bias.len(), bias_bits(d))?;
    let alloc = cs.num_constraints();
    let _ = dense_private(d, &w.values, &b.values, &x, 0)?;
    let private_total = cs.num_constraints() - alloc;
    let n = mlproof_circuits::inference::layers::dense_private::private_requant_bits(d, 0);
    let per_mac_private = (private_total - requant_cost(d, n)) as f64 / macs;

    let before = cs.num_constraints();
    let salt = witnesses(&cs, 1).remove(0);
    let mut words = w.words;
    words.extend(b.words);
    let _commitment = commit_words(&words, (d.weights.len() + d.bias.len()) as u64, &salt)?;
    let hashing = cs.num_constraints() - before;
    let per_committed_weight = (alloc + hashing) as f64 / (d.weights.len() + d.bias.len()) as f64;
    Ok(json!({
        "constraints_per_mac_public": per_mac_public,
        "constraints_per_mac_private": per_mac_private,
        "constraints_per_requant_relu": per_requant_relu,
        "constraints_per_committed_weight": per_committed_weight,
    }))
}

/// Setup and proving of one model and visibility in this process.
pub fn run_one(model: &QuantModel, visibility: Visibility) -> Result<Value> {
    let constraints = constraint_count_with(model, visibility)?;
    let t = Instant::now();
    let keys = dev_setup_with(model, 1, visibility)?;
    let setup_s = t.elapsed().as_secs_f64();
    let input = sample_input(3, model.input_len);
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let t = Instant::now();
    let proof = match visibility {
        Visibility::Public => prove_inference(&keys, model, &input, [0x70; 20], &mut rng)?,
        Visibility::Private => prove_inference_private(&keys, model, &input, [0x70; 20], Salt([1; 31]), &mut rng)?,
    };
    let prove_s = t.elapsed().as_secs_f64();
    mlproof_prover::verify_inference(&keys.vk, &proof)?;
    Ok(json!({
        "constraints": constraints, "macs": model.macs(), "setup_s": setup_s, "prove_s": prove_s,
        "peak_rss_mb": super::measure::peak_rss_mb(),
    }))
}

/// Runs `mlproof bench one --model KEY --visibility V` in a child process and parses its JSON.
pub fn run_child(key: &str, visibility: &str) -> Result<Value> {
    let exe = std::env::current_exe()?;
    let out = Command::new(exe).args(["bench", "one", "--model", key, "--visibility", visibility]).output()?;
    eyre::ensure!(
        out.status.success(),
        "benchmark of {key} ({visibility}) failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    serde_json::from_str(text.lines().last().unwrap_or_default()).wrap_err("child printed no JSON")
}
