//! `mlproof bench circuits`: constraint costs, setup and proving time and peak memory per model
//! and weight visibility. Each (model, visibility) runs in its own process so its peak RSS is its own.

use std::{path::Path, process::Command, time::Instant};

use eyre::{Context, Result};
use mlproof_circuits::{
    native::model::QuantModel,
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

/// Per-operation costs measured on isolated layers of `model`'s first layer, as JSON.
pub fn unit_costs(model: &QuantModel) -> Result<Value> {
    let u = mlproof_circuits::inference::costs::unit_costs(model)?;
    Ok(json!({
        "constraints_per_mac_public": u.per_mac_public,
        "constraints_per_mac_private": u.per_mac_private,
        "constraints_per_requant_relu": u.per_requant_relu,
        "constraints_per_committed_weight": u.per_committed_weight,
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
