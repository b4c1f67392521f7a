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
    let generated = verifier_source(&keys.vk, "SliceMlpVerifier", &prov);
    if std::env::var_os("MLPROOF_REGENERATE").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    assert_eq!(generated, committed, "regenerate with the header's command (or MLPROOF_REGENERATE=1)");
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

/// The batch fixture: 64 proofs of the slice model by one prover (sample seeds 100..164, dev
/// keys of seed 1), with the batch coefficients the Rust side derives, and a proof of the first
/// statement under another key (dev seed 2). Regenerate with
/// `MLPROOF_REGENERATE=1 cargo test -p mlproof-prover --test generated_files slice_batch`.
#[test]
fn slice_batch_fixture_is_reproducible() {
    use alloy::primitives::U256;
    use mlproof_prover::{batch, evm::EvmProof};
    let model = slice_model().unwrap();
    let keys = dev_setup(&model, 1).unwrap();
    let other = dev_setup(&model, 2).unwrap();
    let prover: [u8; 20] = alloy::hex::decode("70997970C51812dc3A010C7d01b50e0d17dc79C8").unwrap().try_into().unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(15);
    let items: Vec<EvmProof> = (100..164)
        .map(|seed| {
            let input = mlproof_circuits::native::slice::sample_input(seed, model.input_len);
            let p = prove_inference(&keys, &model, &input, prover, &mut rng).unwrap();
            EvmProof::new(&p.proof, &p.statement)
        })
        .collect();
    let first = mlproof_circuits::native::slice::sample_input(100, model.input_len);
    let foreign = prove_inference(&other, &model, &first, prover, &mut rng).unwrap();
    let foreign = EvmProof::new(&foreign.proof, &foreign.statement);

    let (proofs, inputs) = batch::flatten(&items);
    assert!(batch::verify_batch(&keys.vk, &proofs, &inputs).unwrap(), "the fixture batch verifies natively");
    let mut with_foreign = proofs.clone();
    with_foreign[0] = foreign.proof;
    assert!(!batch::verify_batch(&keys.vk, &with_foreign, &inputs).unwrap(), "another key's proof fails");
    let vk_hash = batch::vk_hash(&keys.vk);
    let dec = |v: &[U256]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    let json = serde_json::json!({
        "vkHash": vk_hash.to_string(),
        "prover": alloy::primitives::Address::from(prover).to_string(),
        "n": items.len(),
        "proofs": dec(&proofs.iter().flatten().copied().collect::<Vec<_>>()),
        "inputs": dec(&items.iter().flat_map(|p| p.input.clone()).collect::<Vec<_>>()),
        "outputs": dec(&items.iter().flat_map(|p| p.output.clone()).collect::<Vec<_>>()),
        "publicInputs": dec(&inputs),
        "seed": batch::batch_seed(vk_hash, &proofs, &inputs).to_string(),
        "coefficients": dec(&batch::batch_coefficients(vk_hash, &proofs, &inputs)),
        "coefficients8": dec(&batch::batch_coefficients(vk_hash, &proofs[..8], &inputs[..32])),
        "foreignProof": dec(&foreign.proof),
    });
    let expected = serde_json::to_string_pretty(&json).unwrap() + "\n";
    let path = root().join("test/fixtures/slice_mlp_batch.json");
    if std::env::var_os("MLPROOF_REGENERATE").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), expected, "regenerate with MLPROOF_REGENERATE=1");
}
