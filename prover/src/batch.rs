//! Randomized batch verification of Groth16 proofs of one verifying key, computed exactly as the
//! generated Solidity `verifyBatch` does (docs/batch-verification.md):
//!
//! * `vk_hash = keccak256(α ‖ β ‖ γ ‖ δ ‖ ℓ ‖ IC₀ ‖ … ‖ ICℓ)`, every coordinate a 32-byte
//!   big-endian word, G2 points imaginary part first (the precompile order), β, γ, δ as in the
//!   key (not negated), ℓ the number of public inputs;
//! * `seed = keccak256(vk_hash ‖ n ‖ proof₀ ‖ … ‖ proofₙ₋₁ ‖ inputs₀ ‖ … ‖ inputsₙ₋₁)` over the
//!   8 proof words and the ℓ public inputs of each proof, as passed;
//! * `r₀ = 1` and `rᵢ = keccak256(seed ‖ i) >> 128` for `i ≥ 1` (128-bit coefficients);
//! * accept iff `Πᵢ e(rᵢ·Aᵢ, Bᵢ) · e((Σrᵢ)·α, −β) · e(Σᵢ rᵢ·vk_xᵢ, −γ) · e(Σᵢ rᵢ·Cᵢ, −δ) = 1`.
//!
//! Everything a submitter could vary (key, proofs, inputs) is hashed before the coefficients
//! exist, so a batch holding an invalid proof passes with probability at most 2⁻¹²⁸ per seed.

use alloy::primitives::{keccak256, B256, U256};
use ark_bn254::{Bn254, Fr, G1Projective};
use ark_ec::{pairing::Pairing, CurveGroup};
use ark_groth16::VerifyingKey;

use crate::{
    error::{ProverError, Result},
    evm::{base_modulus, g1_words, g2_words, scalar_modulus, u256_to_fr, EvmProof},
};

fn words_bytes(words: impl IntoIterator<Item = U256>) -> Vec<u8> {
    words.into_iter().flat_map(|w| w.to_be_bytes::<32>()).collect()
}

/// keccak256 of the verifying key's words, the `VK_HASH` constant of the generated verifier.
#[must_use]
pub fn vk_hash(vk: &VerifyingKey<Bn254>) -> B256 {
    let mut words: Vec<U256> = Vec::with_capacity(16 + 2 * vk.gamma_abc_g1.len());
    words.extend(g1_words(&vk.alpha_g1));
    for p in [&vk.beta_g2, &vk.gamma_g2, &vk.delta_g2] {
        words.extend(g2_words(p));
    }
    words.push(U256::from(vk.gamma_abc_g1.len() - 1));
    for p in &vk.gamma_abc_g1 {
        words.extend(g1_words(p));
    }
    keccak256(words_bytes(words))
}

/// The Fiat–Shamir seed of a batch: everything the coefficients must not be chosen after.
#[must_use]
pub fn batch_seed(vk_hash: B256, proofs: &[[U256; 8]], inputs: &[U256]) -> B256 {
    let mut bytes = vk_hash.to_vec();
    bytes.extend(U256::from(proofs.len()).to_be_bytes::<32>());
    bytes.extend(words_bytes(proofs.iter().flatten().copied()));
    bytes.extend(words_bytes(inputs.iter().copied()));
    keccak256(bytes)
}

/// The batch coefficients: `r₀ = 1`, `rᵢ = keccak256(seed ‖ i) >> 128`.
#[must_use]
pub fn batch_coefficients(vk_hash: B256, proofs: &[[U256; 8]], inputs: &[U256]) -> Vec<U256> {
    let seed = batch_seed(vk_hash, proofs, inputs);
    (0..proofs.len())
        .map(|i| {
            if i == 0 {
                return U256::from(1u8);
            }
            let mut bytes = seed.to_vec();
            bytes.extend(U256::from(i).to_be_bytes::<32>());
            U256::from_be_bytes(keccak256(bytes).0) >> 128
        })
        .collect()
}

/// Checks the shape and the fields of a batch as `verifyBatch` does before any curve arithmetic
/// (an `Err` here is a revert there).
fn check_batch(vk: &VerifyingKey<Bn254>, proofs: &[[U256; 8]], inputs: &[U256]) -> Result<usize> {
    let l = vk.gamma_abc_g1.len() - 1;
    if proofs.is_empty() {
        return Err(ProverError::Batch("the batch holds no proof".into()));
    }
    if inputs.len() != proofs.len() * l {
        return Err(ProverError::Batch(format!(
            "{} public inputs for {} proofs of {l} inputs each",
            inputs.len(),
            proofs.len()
        )));
    }
    let (q, r) = (base_modulus(), scalar_modulus());
    if let Some(i) = proofs.iter().flatten().position(|w| *w >= q) {
        return Err(ProverError::Batch(format!("proof {} coordinate {} is not below q", i / 8, i % 8)));
    }
    if let Some(i) = inputs.iter().position(|w| *w >= r) {
        return Err(ProverError::Batch(format!("public input {i} is not below r")));
    }
    Ok(l)
}

fn scalar(v: U256) -> Fr {
    // Every caller passes a value below r (a coefficient < 2^128, or a checked input).
    u256_to_fr(v).unwrap_or_default()
}

/// Verifies a batch of proofs of `vk` exactly as the generated `verifyBatch` does: `Ok(true)` iff
/// the contract returns true, `Ok(false)` iff it returns false (a point off its curve, a failed
/// pairing), `Err` iff it reverts (empty, wrong input count, a value outside its field).
pub fn verify_batch(vk: &VerifyingKey<Bn254>, proofs: &[[U256; 8]], inputs: &[U256]) -> Result<bool> {
    let l = check_batch(vk, proofs, inputs)?;
    let coefficients = batch_coefficients(vk_hash(vk), proofs, inputs);
    let mut g1 = Vec::with_capacity(proofs.len() + 3);
    let mut g2 = Vec::with_capacity(proofs.len() + 3);
    let (mut s, mut c_acc) = (Fr::from(0u8), G1Projective::default());
    let mut t = vec![Fr::from(0u8); l];
    for (i, (words, r)) in proofs.iter().zip(&coefficients).enumerate() {
        let evm = EvmProof {
            proof: *words,
            input: Vec::new(),
            output: Vec::new(),
            weights_commitment: None,
            prover: Default::default(),
        };
        let Ok(p) = evm.groth16_proof() else { return Ok(false) };
        let r = scalar(*r);
        g1.push((p.a * r).into_affine());
        g2.push(p.b);
        c_acc += p.c * r;
        s += r;
        for (j, tj) in t.iter_mut().enumerate() {
            *tj += r * scalar(inputs[i * l + j]);
        }
    }
    let mut vk_x = vk.gamma_abc_g1[0] * s;
    for (j, tj) in t.iter().enumerate() {
        vk_x += vk.gamma_abc_g1[j + 1] * *tj;
    }
    g1.extend([(vk.alpha_g1 * s).into_affine(), vk_x.into_affine(), c_acc.into_affine()]);
    g2.extend([-vk.beta_g2, -vk.gamma_g2, -vk.delta_g2]);
    Ok(Bn254::multi_pairing(g1, g2).0 == <Bn254 as Pairing>::TargetField::from(1u8))
}

/// [`verify_batch`] for proofs in their EVM encoding (each [`EvmProof::public_inputs`]).
pub fn verify_evm_batch(vk: &VerifyingKey<Bn254>, batch: &[EvmProof]) -> Result<bool> {
    let (proofs, inputs) = flatten(batch);
    verify_batch(vk, &proofs, &inputs)
}

/// The `verifyBatch` arguments of `batch`: the proofs, and every proof's public inputs in turn.
#[must_use]
pub fn flatten(batch: &[EvmProof]) -> (Vec<[U256; 8]>, Vec<U256>) {
    (batch.iter().map(|p| p.proof).collect(), batch.iter().flat_map(EvmProof::public_inputs).collect())
}
