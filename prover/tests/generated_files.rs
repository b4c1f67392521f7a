//! Committed generated files are reproducible by the commands named in their headers.

use std::path::PathBuf;

use mlproof_circuits::{native::slice::slice_model, QuantModel};
use mlproof_prover::{
    dev_setup, prove_inference,
    setup::DEV_SETUP_WARNING,
    solidity::{verifier_source, VerifierProvenance},
    ProofFile,
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn slice_model_file_is_the_seeded_model() {
    let text = std::fs::read_to_string(root().join("models/slice-mlp.json")).unwrap();
    assert_eq!(QuantModel::from_json(&text).unwrap(), slice_model().unwrap());
    assert_eq!(text.trim_end(), slice_model().unwrap().to_canonical_json());
}

#[test]
fn slice_verifier_is_reproducible() {
    let path = root().join("contracts/generated/SliceMlpVerifier.sol");
    let committed = std::fs::read_to_string(&path).unwrap();
    let command = committed
        .lines()
        .find_map(|l| l.strip_prefix("// Regenerate with: "))
        .expect("header names the command")
        .to_owned();
    assert_eq!(
        command,
        "mlproof verifier --model models/slice-mlp.json --dev-seed 1 --name SliceMlpVerifier --out contracts/generated/SliceMlpVerifier.sol"
    );
    let model = slice_model().unwrap();
    let keys = dev_setup(&model, 1).unwrap();
    let prov = VerifierProvenance { command, circuit: model.name.clone(), setup: DEV_SETUP_WARNING.to_owned() };
    assert_eq!(verifier_source(&keys.vk, "SliceMlpVerifier", &prov), committed);
}

#[test]
fn slice_fixture_is_reproducible() {
    // mlproof prove --model models/slice-mlp.json --dev-seed 1 --sample-seed 7
    //   --prover 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --rng-seed 1 --out test/fixtures/slice_mlp_proof.json
    let model = slice_model().unwrap();
    let keys = dev_setup(&model, 1).unwrap();
    let input = mlproof_circuits::native::slice::sample_input(7, model.input_len);
    let prover: [u8; 20] = alloy::hex::decode("70997970C51812dc3A010C7d01b50e0d17dc79C8").unwrap().try_into().unwrap();
    let proof = prove_inference(&keys, &model, &input, prover, &mut ChaCha20Rng::seed_from_u64(1)).unwrap();
    let expected = serde_json::to_string_pretty(&ProofFile::new(&model, &proof)).unwrap() + "\n";
    let committed = std::fs::read_to_string(root().join("test/fixtures/slice_mlp_proof.json")).unwrap();
    assert_eq!(committed, expected);
}
