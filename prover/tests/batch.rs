//! The native batch check: a correct batch verifies, and every tampering the Solidity tests try
//! fails here the same way (false for a bad point or pairing, an error where the contract reverts).

use alloy::primitives::U256;
use mlproof_circuits::native::slice::{sample_input, slice_model};
use mlproof_prover::{
    batch::{batch_coefficients, flatten, verify_batch, vk_hash},
    dev_setup,
    evm::{base_modulus, scalar_modulus, EvmProof},
    prove_inference,
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

fn batch(n: u64) -> (mlproof_prover::Keys, Vec<EvmProof>) {
    let model = slice_model().unwrap();
    let keys = dev_setup(&model, 1).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    let proofs = (0..n)
        .map(|s| {
            let p = prove_inference(&keys, &model, &sample_input(s, model.input_len), [7u8; 20], &mut rng).unwrap();
            EvmProof::new(&p.proof, &p.statement)
        })
        .collect();
    (keys, proofs)
}

#[test]
fn batches_verify_and_every_tampering_fails() {
    let (keys, items) = batch(3);
    let (proofs, inputs) = flatten(&items);
    for n in 1..=3 {
        assert!(verify_batch(&keys.vk, &proofs[..n], &inputs[..4 * n]).unwrap(), "batch of {n}");
    }
    // Each coordinate of each proof, bumped by one (off the curve, or another point).
    for i in 0..3 {
        for k in 0..8 {
            let mut p = proofs.clone();
            p[i][k] = (p[i][k] + U256::from(1u8)) % base_modulus();
            assert!(!verify_batch(&keys.vk, &p, &inputs).unwrap_or(false), "proof {i} word {k}");
        }
    }
    // Each public input changed (e.g. another payee), still in the field.
    for j in 0..inputs.len() {
        let mut x = inputs.clone();
        x[j] = (x[j] + U256::from(1u8)) % scalar_modulus();
        assert!(!verify_batch(&keys.vk, &proofs, &x).unwrap(), "input {j}");
    }
    // Two proofs swapped: each is valid, but not for the other's statement.
    let mut swapped = proofs.clone();
    swapped.swap(0, 1);
    assert!(!verify_batch(&keys.vk, &swapped, &inputs).unwrap());
    // A valid proof repeated verifies (the market refuses a repeated task on its own).
    assert!(verify_batch(&keys.vk, &[proofs[0], proofs[0]], &[&inputs[..4], &inputs[..4]].concat()).unwrap());
}

#[test]
fn malformed_batches_are_errors_like_the_contract_reverts() {
    let (keys, items) = batch(2);
    let (proofs, inputs) = flatten(&items);
    assert!(verify_batch(&keys.vk, &[], &[]).is_err(), "empty");
    assert!(verify_batch(&keys.vk, &proofs, &inputs[..7]).is_err(), "wrong input count");
    let mut x = inputs.clone();
    x[5] += scalar_modulus();
    assert!(verify_batch(&keys.vk, &proofs, &x).unwrap_err().to_string().contains("public input 5"));
    let mut p = proofs.clone();
    p[1][3] += base_modulus();
    assert!(verify_batch(&keys.vk, &p, &inputs).unwrap_err().to_string().contains("proof 1 coordinate 3"));
}

#[test]
fn coefficients_start_at_one_are_128_bit_and_bind_every_word() {
    let (keys, items) = batch(2);
    let (proofs, inputs) = flatten(&items);
    let h = vk_hash(&keys.vk);
    let r = batch_coefficients(h, &proofs, &inputs);
    assert_eq!(r[0], U256::from(1u8));
    assert!(r[1] < U256::from(1u8) << 128 && r[1] > U256::ZERO);
    let mut x = inputs.clone();
    x[7] ^= U256::from(1u8);
    assert_ne!(batch_coefficients(h, &proofs, &x)[1], r[1], "inputs are hashed");
    let mut p = proofs.clone();
    p[0][0] ^= U256::from(1u8);
    assert_ne!(batch_coefficients(h, &p, &inputs)[1], r[1], "proofs are hashed");
    let other = dev_setup(&slice_model().unwrap(), 2).unwrap();
    assert_ne!(batch_coefficients(vk_hash(&other.vk), &proofs, &inputs)[1], r[1], "the key is hashed");
}
