//! The unique (canonical) bit decomposition of a field element.
//!
//! [`super::bits::decompose_le`] proves `value < 2^n` for `n < 254` bits. A full-width decomposition
//! needs more: 254 bits can hold any integer below `2^254 ≈ 1.3·r`, and the recomposition `Σ bᵢ·2^i = v`
//! only holds modulo `r`, so `v` and `v + r` (when `v + r < 2^254`, about a third of all `v`) would both
//! pass. This gadget also enforces that the bits, read as an integer, are below `r`, which leaves
//! exactly one decomposition. It is what ark-r1cs-std's `FpVar::to_bits_le` does (same constraints),
//! with the prover's bits as an explicit hint so tests can play a cheating prover.
//!
//! Cost on BN254 (254 bits): **254 booleanity + 1 recomposition + 385 for `bits ≤ r − 1`** =
//! **640 constraints**, measured by the tests below. The 385 are `Boolean::enforce_in_field_le`: 2 per
//! zero bit of `r − 1` (154 of them: an AND and an equality) plus the ANDs folding its 53 runs of ones.
//! A hand-written comparison enforcing `run · bit = 0` directly would need about 253; not done, as this
//! one is ark-r1cs-std's tested code.

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::SynthesisError;

use super::{bits::le_bits, lincomb::bits_to_fp};

/// The canonical `F::MODULUS_BIT_SIZE` little-endian bits of `value`, constrained.
pub fn canonical_bits<F: PrimeField>(value: &FpVar<F>) -> Result<Vec<Boolean<F>>, SynthesisError> {
    let hint = value.value().ok().map(|v| le_bits(v, F::MODULUS_BIT_SIZE));
    canonical_bits_with_witness(value, hint)
}

/// [`canonical_bits`] with the bits supplied by the caller (a prover's hint, possibly dishonest).
pub fn canonical_bits_with_witness<F: PrimeField>(
    value: &FpVar<F>,
    hint: Option<Vec<bool>>,
) -> Result<Vec<Boolean<F>>, SynthesisError> {
    let n = F::MODULUS_BIT_SIZE as usize;
    if let FpVar::Constant(c) = value {
        return Ok(le_bits(*c, F::MODULUS_BIT_SIZE).into_iter().map(Boolean::constant).collect());
    }
    let cs = value.cs();
    let bits = (0..n)
        .map(|i| {
            Boolean::new_witness(cs.clone(), || {
                hint.as_ref().and_then(|h| h.get(i).copied()).ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    bits_to_fp(&bits, 0)?.enforce_equal(value)?;
    Boolean::enforce_in_field_le(&bits)?;
    Ok(bits)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::gadgets::test_util::{cs, witness};
    use ark_bn254::Fr;
    use ark_ff::{BigInteger, Field};
    use ark_r1cs_std::convert::ToBitsGadget;

    /// The 254 bits of `v + r` as an integer (`None` if that does not fit in 254 bits).
    pub(crate) fn plus_modulus_bits(v: Fr) -> Option<Vec<bool>> {
        let mut big = v.into_bigint();
        let carry = big.add_with_carry(&Fr::MODULUS);
        (!carry && big.num_bits() <= 254).then(|| (0..254).map(|i| big.get_bit(i)).collect())
    }

    #[test]
    fn honest_bits_satisfy_at_the_documented_cost_like_ark_to_bits_le() {
        for v in [Fr::from(0u64), Fr::from(5u64), -Fr::from(1u64), Fr::from(2u64).pow([253])] {
            let cs = cs();
            let x = witness(&cs, v);
            let bits = canonical_bits(&x).unwrap();
            assert!(cs.is_satisfied().unwrap());
            assert_eq!(cs.num_constraints(), 640);
            assert_eq!(bits.iter().map(|b| b.value().unwrap()).collect::<Vec<_>>(), le_bits(v, 254));
            let ark = cs.num_constraints();
            x.to_bits_le().unwrap();
            assert_eq!(cs.num_constraints() - ark, 640, "same cost as ark-r1cs-std's to_bits_le");
        }
    }

    #[test]
    fn value_plus_modulus_is_rejected_though_it_recomposes() {
        let v = Fr::from(12345u64);
        let bad = plus_modulus_bits(v).expect("small v + r fits in 254 bits");
        assert_ne!(bad, le_bits(v, 254));
        // Without the `< r` check the bits of v + r pass: the recomposition holds modulo r.
        let loose = cs();
        let x = witness(&loose, v);
        let b: Vec<_> = bad.iter().map(|&b| Boolean::new_witness(loose.clone(), || Ok(b)).unwrap()).collect();
        bits_to_fp(&b, 0).unwrap().enforce_equal(&x).unwrap();
        assert!(loose.is_satisfied().unwrap(), "recomposition alone is not unique");
        // With it they fail.
        let cs = cs();
        let x = witness(&cs, v);
        canonical_bits_with_witness(&x, Some(bad)).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn wrong_bits_are_rejected() {
        let v = Fr::from(6u64);
        let mut bits = le_bits(v, 254);
        bits[0] = true;
        let cs = cs();
        canonical_bits_with_witness(&witness(&cs, v), Some(bits)).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn constants_cost_nothing() {
        let cs = cs();
        let bits = canonical_bits(&FpVar::<Fr>::Constant(Fr::from(9u64))).unwrap();
        assert_eq!(cs.num_constraints(), 0);
        assert_eq!(bits.iter().map(|b| b.value().unwrap()).collect::<Vec<_>>(), le_bits(Fr::from(9u64), 254));
    }
}
