//! Poseidon commitment to an int8 vector (for private weights and committed inputs).
//!
//! `commit(v, salt) = Poseidon(DOMAIN, len(v), salt, w₀, w₁, …)` where `wₖ` are the values packed 31 per
//! field element exactly as in [`crate::native::packing`] (`Σ (v + 128)·256^j`). Poseidon over BN254's scalar
//! field: width 3 (rate 2, capacity 1), α = 5, 8 full and 57 partial rounds, round constants and MDS
//! from the reference Grain LFSR (`find_poseidon_ark_and_mds`). The salt makes the commitment hiding
//! for low-entropy vectors (an image could otherwise be guessed and checked).
//!
//! Cost: **240 + 243·(p − 2) constraints** for `p = ceil((3 + words) / 2)` permutations: 3 per S-box
//! (8·3 full-round + 57 partial-round S-boxes per permutation); the first permutation absorbs only
//! constants (tag, length) and is free, S-boxes on constant lanes too. Packing is free, as the values
//! must already be int8-constrained (8 + 1/31 constraints per value if they are fresh witnesses, via
//! [`super::pack`]). Long vectors pay 243 / 62 ≈ 3.9 constraints per committed value for hashing.

use ark_crypto_primitives::sponge::{constraints::CryptographicSpongeVar, poseidon::constraints::PoseidonSpongeVar};
use ark_ff::PrimeField;
use ark_r1cs_std::{fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::native::poseidon::{config, domain};

/// In-circuit commitment to packed `words` holding `count` values, with `salt`.
pub fn commit_words<F: PrimeField>(
    words: &[FpVar<F>],
    count: u64,
    salt: &FpVar<F>,
) -> Result<FpVar<F>, SynthesisError> {
    let cs = words.iter().fold(salt.cs(), |cs: ConstraintSystemRef<F>, v| cs.or(v.cs()));
    let mut elems = vec![FpVar::Constant(domain::<F>()), FpVar::Constant(F::from(count)), salt.clone()];
    elems.extend_from_slice(words);
    let mut sponge = PoseidonSpongeVar::new(cs, &config::<F>());
    sponge.absorb(&elems)?;
    Ok(sponge.squeeze_field_elements(1)?.remove(0))
}

/// In-circuit commitment to `values` (each already constrained to int8) with `salt`.
pub fn commit<F: PrimeField>(values: &[FpVar<F>], salt: &FpVar<F>) -> Result<FpVar<F>, SynthesisError> {
    commit_words(&super::pack::packed_words(values)?, values.len() as u64, salt)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::test_util::{cs, fe, witness};
    use crate::native::poseidon::commit_native;
    use ark_bn254::Fr;
    use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget};

    fn values(n: usize) -> Vec<i8> {
        (0..n).map(|i| ((i * 73 + 11) % 256) as u8 as i8).collect()
    }

    fn check(vals: &[i8], claimed: Fr, salt: Fr) -> (bool, usize) {
        let cs = cs();
        let vars: Vec<_> = vals.iter().map(|&v| witness(&cs, fe(i128::from(v)))).collect();
        let salt = witness(&cs, salt);
        let public = FpVar::new_input(cs.clone(), || Ok(claimed)).unwrap();
        let before = cs.num_constraints();
        commit(&vars, &salt).unwrap().enforce_equal(&public).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints() - before)
    }

    #[test]
    fn circuit_matches_native_and_costs_as_documented() {
        for n in [1usize, 31, 62, 100] {
            let vals = values(n);
            let salt = Fr::from(12345u64);
            let (ok, cost) = check(&vals, commit_native(&vals, salt), salt);
            assert!(ok, "n = {n}");
            let perms = (3 + n.div_ceil(31)).div_ceil(2);
            // The first permutation sees only constants (tag, length) and is free; +1 for the equality.
            assert_eq!(cost, 240 + 243 * (perms - 2) + 1, "n = {n}: {cost} constraints for {perms} permutations");
        }
    }

    #[test]
    fn tampered_value_or_salt_is_rejected() {
        let vals = values(40);
        let salt = Fr::from(7u64);
        let c = commit_native(&vals, salt);
        let mut bad = vals.clone();
        bad[17] = bad[17].wrapping_add(1);
        assert!(!check(&bad, c, salt).0, "tampered value");
        assert!(!check(&vals, c, Fr::from(8u64)).0, "wrong salt");
        let mut longer = vals.clone();
        longer.push(-128);
        assert!(!check(&longer, c, salt).0, "extra trailing value (length is absorbed)");
    }

    #[test]
    fn commitments_differ_by_salt_and_content() {
        let vals = values(10);
        assert_ne!(commit_native(&vals, Fr::from(1u64)), commit_native(&vals, Fr::from(2u64)));
        assert_ne!(
            commit_native(&vals, Fr::from(1u64)),
            commit_native(&values(11)[..10].iter().map(|v| v.wrapping_add(1)).collect::<Vec<_>>(), Fr::from(1u64))
        );
    }
}
