//! The Poseidon sponge mlproof commits with, computed natively (the gadgets in
//! [`crate::gadgets::poseidon`] prove the same hash in-circuit).
//!
//! `commit(v, salt) = Poseidon(DOMAIN, len(v), salt, w₀, w₁, …)` where `wₖ` are the values packed 31 per
//! field element exactly as in [`super::packing`]. Poseidon over BN254's scalar field: width 3 (rate 2,
//! capacity 1), α = 5, 8 full and 57 partial rounds, round constants and MDS from the reference Grain
//! LFSR (`find_poseidon_ark_and_mds`). The data set tree ([`super::dataset`]) hashes with the same
//! parameters.

use ark_crypto_primitives::sponge::{
    poseidon::{find_poseidon_ark_and_mds, PoseidonConfig, PoseidonSponge},
    Absorb, CryptographicSponge,
};
use ark_ff::PrimeField;

use super::packing::pack_field;

/// Domain tag absorbed first: the ASCII bytes of "mlproof-commit-v1" as an integer.
#[must_use]
pub fn domain<F: PrimeField>() -> F {
    F::from_be_bytes_mod_order(b"mlproof-commit-v1")
}

/// The Poseidon parameters (width 3, α = 5, 8 full + 57 partial rounds).
#[must_use]
pub fn config<F: PrimeField>() -> PoseidonConfig<F> {
    let (ark, mds) = find_poseidon_ark_and_mds::<F>(u64::from(F::MODULUS_BIT_SIZE), 2, 8, 57, 0);
    PoseidonConfig::new(8, 57, 5, mds, ark, 2, 1)
}

/// Native commitment to packed `words` holding `count` values, with `salt`.
#[must_use]
pub fn commit_words_native<F: PrimeField + Absorb>(words: &[F], count: u64, salt: F) -> F {
    let mut sponge = PoseidonSponge::new(&config::<F>());
    let mut elems = vec![domain::<F>(), F::from(count), salt];
    elems.extend_from_slice(words);
    sponge.absorb(&elems);
    sponge.squeeze_field_elements::<F>(1)[0]
}

/// Native commitment to the int8 `values` with `salt`.
#[must_use]
pub fn commit_native<F: PrimeField + Absorb>(values: &[i8], salt: F) -> F {
    commit_words_native(&pack_field::<F>(values), values.len() as u64, salt)
}
