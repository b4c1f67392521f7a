//! Groth16 round trips, tampering, and the EVM encoding.

use alloy::primitives::U256;
use ark_bn254::Fr;
use mlproof_circuits::native::slice::{sample_input, slice_model};
use mlproof_circuits::Visibility;
use mlproof_prover::{
    dev_setup,
    evm::{base_modulus, is_canonical_scalar, scalar_modulus},
    prove::check_satisfied,
    prove_inference, verify_inference, KeyTag, Keys, ProofFile, ProverError,
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

const PROVER: [u8; 20] = [0x11; 20];

#[test]
fn proof_verifies_and_tampered_statements_do_not() {
    let model = slice_model().unwrap();
    let keys = dev_setup(&model, 1).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    let input = sample_input(3, model.input_len);
    let proof = prove_inference(&keys, &model, &input, PROVER, &mut rng).unwrap();
    verify_inference(&keys.vk, &proof).unwrap();

    let mut other_prover = proof.clone();
    other_prover.statement.prover = [0x22; 20];
    assert!(matches!(verify_inference(&keys.vk, &other_prover), Err(ProverError::InvalidProof)));

    let mut other_output = proof.clone();
    other_output.statement.output[0] = other_output.statement.output[0].wrapping_add(1);
    assert!(matches!(verify_inference(&keys.vk, &other_output), Err(ProverError::InvalidProof)));

    let mut other_input = proof.clone();
    other_input.statement.input[10] = other_input.statement.input[10].wrapping_sub(1);
    assert!(matches!(verify_inference(&keys.vk, &other_input), Err(ProverError::InvalidProof)));
}

#[test]
fn false_statement_is_named_before_proving() {
    let model = slice_model().unwrap();
    let input = sample_input(3, model.input_len);
    let (_, mut st) = mlproof_circuits::InferenceCircuit::new(&model, &input, PROVER).unwrap();
    check_satisfied(&model, st.clone()).unwrap();
    st.output[2] = st.output[2].wrapping_add(3);
    assert!(matches!(check_satisfied(&model, st), Err(ProverError::Unsatisfied(_))));
}

#[test]
fn wrong_key_does_not_verify() {
    let model = slice_model().unwrap();
    let keys = dev_setup(&model, 1).unwrap();
    let other = dev_setup(&model, 2).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(1);
    let proof = prove_inference(&keys, &model, &sample_input(1, 64), PROVER, &mut rng).unwrap();
    assert!(matches!(verify_inference(&other.vk, &proof), Err(ProverError::InvalidProof)));
}

#[test]
fn dev_setup_is_deterministic_and_keys_roundtrip() {
    let model = slice_model().unwrap();
    let a = dev_setup(&model, 5).unwrap();
    let b = dev_setup(&model, 5).unwrap();
    assert_eq!(a.vk, b.vk);
    let tag = KeyTag::new(&model, Visibility::Public, false);
    let bytes = a.to_bytes(&tag).unwrap();
    let (back_tag, back) = Keys::from_bytes(&bytes).unwrap();
    assert_eq!((back_tag, &back.vk, &back.pk), (tag, &a.vk, &a.pk));

    let err = |b: &[u8]| Keys::from_bytes(b).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err(&bytes[..bytes.len() / 2]).contains("checksum"), "truncated");
    let mut flipped = bytes.clone();
    *flipped.last_mut().unwrap() ^= 1;
    assert!(err(&flipped).contains("checksum"), "corrupted body");
    assert!(err(b"not a key").contains("magic"), "garbage");
    let mut flags = bytes.clone();
    flags[40] = 9;
    assert!(err(&flags).contains("flags"), "unknown flags");

    // A key for another model or visibility is refused, naming both.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pk.bin");
    a.save(&path, &tag).unwrap();
    assert_eq!(Keys::load(&path, &tag).unwrap().vk, a.vk);
    let private = KeyTag::new(&model, Visibility::Private, false);
    let e = Keys::load(&path, &private).unwrap_err().to_string();
    assert!(e.contains("public weights") && e.contains("private weights"), "{e}");
    let other = KeyTag { model: Default::default(), ..tag };
    assert!(Keys::load(&path, &other).is_err());
    assert!(matches!(Keys::load(&dir.path().join("missing"), &tag), Err(ProverError::Io { .. })));
    // The development-setup mark travels in the header and is read without loading the key; it
    // does not change what the key is for.
    assert!(!Keys::read_tag(&path).unwrap().dev_setup);
    let dev = dir.path().join("dev.bin");
    a.save(&dev, &tag.dev()).unwrap();
    assert!(Keys::read_tag(&dev).unwrap().dev_setup);
    assert_eq!(Keys::load(&dev, &tag).unwrap().vk, a.vk);
    std::fs::write(dir.path().join("junk"), [0u8; 200]).unwrap();
    assert!(Keys::read_tag(&dir.path().join("junk")).is_err());
}

#[test]
fn proof_file_roundtrips_and_rejects_corruption() {
    let model = slice_model().unwrap();
    let keys = dev_setup(&model, 1).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(4);
    let proof = prove_inference(&keys, &model, &sample_input(8, 64), PROVER, &mut rng).unwrap();
    let file = ProofFile::new(&model, &proof);
    let json = serde_json::to_string_pretty(&file).unwrap();
    let back: ProofFile = serde_json::from_str(&json).unwrap();
    assert_eq!(back, file);
    let decoded = back.to_inference_proof().unwrap();
    assert_eq!(decoded, proof);
    verify_inference(&keys.vk, &decoded).unwrap();

    // Public inputs are canonical scalars and coordinates canonical base-field elements.
    let evm = file.to_evm().unwrap();
    assert!(evm.public_inputs().iter().all(|v| is_canonical_scalar(*v)));
    assert!(evm.proof.iter().all(|v| *v < base_modulus()));
    assert_eq!(evm.public_inputs().len(), 4, "3 input words, 1 output word carrying the payee");

    // A coordinate moved off the curve is rejected with a clear error.
    let mut bad = file.clone();
    bad.proof[0].0 += U256::from(1);
    assert!(matches!(bad.to_inference_proof(), Err(ProverError::ProofFile(m)) if m.contains("proof A")));
    // A coordinate >= q is rejected.
    let mut bad = file.clone();
    bad.proof[7].0 = base_modulus();
    assert!(matches!(bad.to_inference_proof(), Err(ProverError::ProofFile(m)) if m.contains("modulus")));
    // Words that disagree with the values are rejected.
    let mut bad = file.clone();
    bad.output_values[0] = bad.output_values[0].wrapping_add(1);
    assert!(matches!(bad.to_evm(), Err(ProverError::ProofFile(_))));
    let _ = (scalar_modulus(), Fr::from(0u8));
}

#[test]
fn private_weights_proof_verifies_and_binds_the_commitment() {
    use mlproof_circuits::{Salt, Visibility};
    use mlproof_prover::{prove_inference_private, setup::dev_setup_with};
    let model = slice_model().unwrap();
    let keys = dev_setup_with(&model, 1, Visibility::Private).unwrap();
    assert_eq!(keys.vk.gamma_abc_g1.len(), 6, "5 public inputs: 3 input, 1 output (with the payee), commitment");
    let mut rng = ChaCha20Rng::seed_from_u64(2);
    let proof = prove_inference_private(&keys, &model, &sample_input(1, 64), PROVER, Salt([9; 31]), &mut rng).unwrap();
    verify_inference(&keys.vk, &proof).unwrap();
    let file = ProofFile::new(&model, &proof);
    assert!(file.weights_commitment.is_some());
    assert_eq!(file.to_inference_proof().unwrap(), proof);

    let mut other = proof.clone();
    let mut c = other.statement.weights_commitment.unwrap();
    c[31] ^= 1;
    other.statement.weights_commitment = Some(c);
    assert!(matches!(verify_inference(&keys.vk, &other), Err(ProverError::InvalidProof)));
    // The public-weight keys do not verify a private-weight proof.
    assert!(verify_inference(&dev_setup(&model, 1).unwrap().vk, &proof).is_err());
}

#[test]
fn committed_input_proof_verifies_without_revealing_the_input() {
    use mlproof_circuits::{InferenceCircuit, Salt, Visibility};
    use mlproof_prover::{prove_circuit, setup::dev_setup_shape};
    let model = slice_model().unwrap();
    let keys = dev_setup_shape(&model, 1, Visibility::Public, true).unwrap();
    assert_eq!(keys.vk.gamma_abc_g1.len(), 3, "2 public inputs: input commitment, output (with the payee)");
    let input = sample_input(3, 64);
    let (c, _) = InferenceCircuit::new(&model, &input, PROVER).unwrap();
    let (c, st) = c.with_committed_input(Some(Salt([4; 31])));
    let proof = prove_circuit(&keys, c, st.unwrap(), &mut ChaCha20Rng::seed_from_u64(8)).unwrap();
    verify_inference(&keys.vk, &proof).unwrap();
    let file = ProofFile::new(&model, &proof);
    assert!(file.input_values.is_empty(), "the proof file does not reveal a committed input");
    assert_eq!(file.input.len(), 1);
    let received = file.to_inference_proof().unwrap();
    verify_inference(&keys.vk, &received).unwrap();
    let mut bad = received.clone();
    let mut c = bad.statement.input_commitment.unwrap();
    c[31] ^= 1;
    bad.statement.input_commitment = Some(c);
    assert!(matches!(verify_inference(&keys.vk, &bad), Err(ProverError::InvalidProof)));
}
