//! Mini-batch indices derived from a public seed, so the trainer cannot choose its samples.
//!
//! For a training step `step` with on-chain `seed`, batch `k` leaf indices of `d` bits each
//! (`d` = the data set tree's depth, [`crate::dataset`]) are read from hashes
//! `h_j = Poseidon(BATCH_TAG, seed, step, j)`, `j = 0, 1, …` (`BATCH_TAG` = [`batch_tag`]: the ASCII of
//! `"mlproof-batch-v1"`, same sponge as [`super::poseidon`]). Each `h_j` gives
//! `m = floor(USABLE_BITS / d)` indices: index `i` is bits `[p·d, (p+1)·d)` of `h_j` with
//! `j = i / m`, `p = i mod m`, little-endian, i.e. exactly the path bits [`super::merkle`] takes.
//!
//! **Uniqueness.** The bits come from the canonical decomposition of `h_j` ([`super::canonical_bits`]:
//! all 254 bits, enforced `< r`). With a mere recomposition, `h_j + r` (which fits in 254 bits for about a
//! third of all `h_j`) would give the prover a second, different set of indices to choose from.
//!
//! **Bias.** Model `h_j` as uniform on `[0, r)`. All indices of one hash are a function of
//! `h mod 2^u` with `u = USABLE_BITS = 128`. Writing `r = q·2^u + s`, each residue has `q` or `q + 1`
//! preimages, so `h mod 2^u` is at statistical distance `s·(2^u − s) / (r·2^u) ≤ 2^u / (4r) < 2^-127`
//! from uniform (as `r > 2^253`); a batch drawn from `c` hashes is within `c·2^-127`. Using more bits
//! of a hash would not be safe: BN254's `r ≈ 1.51·2^253`, so e.g. bits 242..253 of `h` take values below
//! 1,044 twice as often as the others. (The first `2^d − n` samples are still over-weighted by the
//! tree's padding; see [`crate::dataset`].)
//!
//! Cost per hash: **480** (Poseidon: 237 for the permutation absorbing the tag and the seed, whose
//! first full round has two constant lanes, + 243) **+ 640** (canonical decomposition) = **1,120
//! constraints**, for `m` indices; the index bits themselves are free. A constant `step` costs the
//! same (the seed already makes the state variable). 32 indices of 11 bits: 3 hashes, 3,360.

use ark_crypto_primitives::sponge::{
    constraints::CryptographicSpongeVar,
    poseidon::{constraints::PoseidonSpongeVar, PoseidonConfig, PoseidonSponge},
    Absorb, CryptographicSponge,
};
use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::{boolean::Boolean, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::SynthesisError;

use super::canonical_bits::canonical_bits_with_witness;
use crate::native::poseidon::config;
use crate::{error::DatasetError, native::dataset::MAX_DEPTH};

/// Low bits of each hash that indices are read from (see the module doc for why not more).
pub const USABLE_BITS: u32 = 128;

/// Domain tag: the ASCII bytes of "mlproof-batch-v1" as an integer.
#[must_use]
pub fn batch_tag<F: PrimeField>() -> F {
    F::from_be_bytes_mod_order(b"mlproof-batch-v1")
}

/// Indices read from one hash for depth `depth ≥ 1`.
#[must_use]
pub fn indices_per_hash(depth: u32) -> usize {
    (USABLE_BITS / depth.max(1)) as usize
}

/// Number of hashes needed for `k` indices of `depth` bits (0 for depth 0: every index is 0).
#[must_use]
pub fn hashes_for(k: usize, depth: u32) -> usize {
    if depth == 0 {
        0
    } else {
        k.div_ceil(indices_per_hash(depth))
    }
}

/// Native `h_j = Poseidon(BATCH_TAG, seed, step, j)`.
#[must_use]
pub fn batch_hash_native<F: PrimeField + Absorb>(config: &PoseidonConfig<F>, seed: F, step: u64, j: u64) -> F {
    let mut sponge = PoseidonSponge::new(config);
    sponge.absorb(&vec![batch_tag::<F>(), seed, F::from(step), F::from(j)]);
    sponge.squeeze_field_elements::<F>(1)[0]
}

/// Native batch: `k` leaf indices for training step `step`, each in `[0, 2^depth)`.
pub fn batch_indices_native<F: PrimeField + Absorb>(
    seed: F,
    step: u64,
    k: usize,
    depth: u32,
) -> Result<Vec<u64>, DatasetError> {
    if depth > MAX_DEPTH {
        return Err(DatasetError::TooDeep { depth, max: MAX_DEPTH });
    }
    if depth == 0 {
        return Ok(vec![0; k]);
    }
    let config = config::<F>();
    let per = indices_per_hash(depth);
    let hashes: Vec<F::BigInt> =
        (0..hashes_for(k, depth) as u64).map(|j| batch_hash_native(&config, seed, step, j).into_bigint()).collect();
    Ok((0..k)
        .map(|i| {
            let (h, p) = (&hashes[i / per], (i % per) * depth as usize);
            (0..depth as usize).fold(0u64, |acc, b| acc | (u64::from(h.get_bit(p + b)) << b))
        })
        .collect())
}

fn batch_hash<F: PrimeField>(seed: &FpVar<F>, step: &FpVar<F>, j: u64) -> Result<FpVar<F>, SynthesisError> {
    let cs = seed.cs().or(step.cs());
    let mut sponge = PoseidonSpongeVar::new(cs, &config::<F>());
    sponge.absorb(&vec![FpVar::Constant(batch_tag::<F>()), seed.clone(), step.clone(), FpVar::Constant(F::from(j))])?;
    Ok(sponge.squeeze_field_elements(1)?.remove(0))
}

/// `k` leaf indices of `depth` bits each (little-endian Booleans, ready for [`super::merkle`]).
pub fn batch_indices<F: PrimeField>(
    seed: &FpVar<F>,
    step: &FpVar<F>,
    k: usize,
    depth: u32,
) -> Result<Vec<Vec<Boolean<F>>>, SynthesisError> {
    batch_indices_with_witness(seed, step, k, depth, None)
}

/// [`batch_indices`] with the prover's decomposition of each hash given explicitly (`hints[j]`: the
/// 254 bits claimed for `h_j`); `None` computes the honest ones.
pub fn batch_indices_with_witness<F: PrimeField>(
    seed: &FpVar<F>,
    step: &FpVar<F>,
    k: usize,
    depth: u32,
    hints: Option<Vec<Vec<bool>>>,
) -> Result<Vec<Vec<Boolean<F>>>, SynthesisError> {
    if depth > MAX_DEPTH {
        return Err(SynthesisError::Unsatisfiable);
    }
    if depth == 0 {
        return Ok(vec![Vec::new(); k]);
    }
    let mut bits = Vec::new();
    for j in 0..hashes_for(k, depth) {
        let h = batch_hash(seed, step, j as u64)?;
        let hint = match &hints {
            Some(hints) => hints.get(j).cloned(),
            None => h.value().ok().map(|v| super::bits::le_bits(v, F::MODULUS_BIT_SIZE)),
        };
        bits.push(canonical_bits_with_witness(&h, hint)?);
    }
    let per = indices_per_hash(depth);
    let d = depth as usize;
    Ok((0..k).map(|i| bits[i / per][(i % per) * d..(i % per + 1) * d].to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::{
        bits::le_bits,
        canonical_bits::tests::plus_modulus_bits,
        test_util::{cs, witness},
    };
    use ark_bn254::Fr;
    use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget};

    fn value(bits: &[Boolean<Fr>]) -> u64 {
        bits.iter().enumerate().fold(0, |acc, (b, bit)| acc | (u64::from(bit.value().unwrap()) << b))
    }

    /// Derives `k` indices in a fresh system; returns (indices, satisfied, constraints).
    fn derive(seed: Fr, step: u64, k: usize, depth: u32, hints: Option<Vec<Vec<bool>>>) -> (Vec<u64>, bool, usize) {
        let cs = cs();
        let seed = FpVar::new_input(cs.clone(), || Ok(seed)).unwrap();
        let step = FpVar::new_input(cs.clone(), || Ok(Fr::from(step))).unwrap();
        let idx = batch_indices_with_witness(&seed, &step, k, depth, hints).unwrap();
        assert!(idx.iter().all(|b| b.len() == depth as usize));
        (idx.iter().map(|b| value(b)).collect(), cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    #[test]
    fn circuit_matches_native_at_the_documented_cost() {
        let seed = Fr::from(0xdead_beefu64);
        for (k, depth) in [(1usize, 1u32), (32, 11), (11, 11), (12, 11), (5, 32), (7, 0)] {
            let native = batch_indices_native(seed, 3, k, depth).unwrap();
            assert!(native.iter().all(|&i| i < 1 << depth));
            let (got, ok, cost) = derive(seed, 3, k, depth, None);
            assert!(ok, "k {k}, depth {depth}");
            assert_eq!(got, native, "k {k}, depth {depth}");
            assert_eq!(cost, 1120 * hashes_for(k, depth), "k {k}, depth {depth}");
        }
        assert_eq!(hashes_for(32, 11), 3);
        assert_eq!(hashes_for(12, 11), 2);
    }

    #[test]
    fn indices_depend_on_seed_and_step_and_spread_out() {
        let a = batch_indices_native(Fr::from(1u64), 0, 64, 11).unwrap();
        assert_ne!(a, batch_indices_native(Fr::from(2u64), 0, 64, 11).unwrap());
        assert_ne!(a, batch_indices_native(Fr::from(1u64), 1, 64, 11).unwrap());
        let mut distinct = a.clone();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(distinct.len() > 60, "64 draws from 2048 rarely collide more than a few times");
        assert!(batch_indices_native(Fr::from(1u64), 0, 1, 33).is_err());
    }

    #[test]
    fn an_index_other_than_the_seed_implies_is_rejected() {
        let (seed, step, k, depth) = (Fr::from(77u64), 5u64, 12usize, 11u32);
        let config = config::<Fr>();
        let honest: Vec<Vec<bool>> = (0..2).map(|j| le_bits(batch_hash_native(&config, seed, step, j), 254)).collect();
        // Flip one bit of the fifth index (bits 44..55 of h_0).
        let mut bad = honest.clone();
        bad[0][47] = !bad[0][47];
        let (got, ok, _) = derive(seed, step, k, depth, Some(bad));
        assert_ne!(got, batch_indices_native(seed, step, k, depth).unwrap());
        assert!(!ok);
        // Constraining the derived index to a chosen value also fails.
        let cs = cs();
        let s = FpVar::new_input(cs.clone(), || Ok(seed)).unwrap();
        let t = FpVar::new_input(cs.clone(), || Ok(Fr::from(step))).unwrap();
        let idx = batch_indices(&s, &t, k, depth).unwrap();
        let chosen = batch_indices_native(seed, step, k, depth).unwrap()[4] ^ 1;
        let chosen_bits: Vec<_> = (0..11).map(|b| Boolean::constant((chosen >> b) & 1 == 1)).collect();
        idx[4].enforce_equal(&chosen_bits).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn the_non_canonical_decomposition_is_rejected() {
        // Find a step whose h_0 + r still fits in 254 bits (about a third of them do).
        let (seed, depth) = (Fr::from(99u64), 11u32);
        let config = config::<Fr>();
        let (step, bad) = (0u64..)
            .find_map(|step| plus_modulus_bits(batch_hash_native(&config, seed, step, 0)).map(|b| (step, b)))
            .unwrap();
        let (got, ok, _) = derive(seed, step, 3, depth, Some(vec![bad]));
        assert_ne!(got, batch_indices_native(seed, step, 3, depth).unwrap(), "h + r gives other indices");
        assert!(!ok);
    }

    #[test]
    fn witness_seed_also_works() {
        let cs = cs();
        let seed = witness(&cs, Fr::from(4u64));
        let step = FpVar::Constant(Fr::from(9u64));
        let idx = batch_indices(&seed, &step, 3, 10).unwrap();
        assert!(cs.is_satisfied().unwrap());
        assert_eq!(
            idx.iter().map(|b| value(b)).collect::<Vec<_>>(),
            batch_indices_native(Fr::from(4u64), 9, 3, 10).unwrap()
        );
        assert_eq!(cs.num_constraints(), 1120);
    }
}
