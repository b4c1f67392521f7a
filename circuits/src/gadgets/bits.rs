//! Range check by bit decomposition.
//!
//! Proves `value ∈ [0, 2^n)` by exhibiting `n` little-endian bits `bᵢ` with `value = Σ bᵢ·2^i`.
//!
//! Cost: **n + 1 constraints** — `n` booleanity checks and one recomposition equality. `n` must be
//! below the field size (`n < 254` for BN254) so the sum cannot wrap; the gadget refuses otherwise.
//! Compare: a generic `Num2Bits(254)`-style comparison costs ~400 constraints.

use ark_ff::{BigInteger, PrimeField};
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::SynthesisError;

use super::lincomb::bits_to_fp;

/// The `n` little-endian bits of a field element's canonical integer (truncated to `n` bits).
#[must_use]
pub fn le_bits<F: PrimeField>(v: F, n: u32) -> Vec<bool> {
    let big = v.into_bigint();
    (0..n as usize).map(|i| big.get_bit(i)).collect()
}

/// Decomposes `value` into `n` constrained bits, proving `value ∈ [0, 2^n)`.
pub fn decompose_le<F: PrimeField>(value: &FpVar<F>, n: u32) -> Result<Vec<Boolean<F>>, SynthesisError> {
    let hint = value.value().ok().map(|v| le_bits(v, n));
    decompose_le_with_witness(value, n, hint)
}

/// [`decompose_le`] with the bits supplied by the caller (a prover's hint, possibly dishonest).
pub fn decompose_le_with_witness<F: PrimeField>(
    value: &FpVar<F>,
    n: u32,
    hint: Option<Vec<bool>>,
) -> Result<Vec<Boolean<F>>, SynthesisError> {
    if n >= F::MODULUS_BIT_SIZE {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cs = value.cs();
    if let FpVar::Constant(c) = value {
        // A constant needs no constraints, only a check that it really is in range.
        if c.into_bigint().num_bits() > n {
            return Err(SynthesisError::Unsatisfiable);
        }
        return Ok(le_bits(*c, n).into_iter().map(Boolean::constant).collect());
    }
    let bits = (0..n as usize)
        .map(|i| {
            Boolean::new_witness(cs.clone(), || {
                hint.as_ref().and_then(|h| h.get(i).copied()).ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    bits_to_fp(&bits, 0)?.enforce_equal(value)?;
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::test_util::{cs, witness};
    use ark_bn254::Fr;

    #[test]
    fn in_range_value_satisfies_with_n_plus_one_constraints() {
        let cs = cs();
        let v = witness(&cs, Fr::from(200u64));
        decompose_le(&v, 8).unwrap();
        assert!(cs.is_satisfied().unwrap());
        assert_eq!(cs.num_constraints(), 9);
    }

    #[test]
    fn out_of_range_value_is_rejected() {
        let cs = cs();
        let v = witness(&cs, Fr::from(256u64));
        decompose_le(&v, 8).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn negative_value_is_rejected() {
        // -1 in the field is r - 1, far outside [0, 2^8).
        let cs = cs();
        let v = witness(&cs, -Fr::from(1u64));
        decompose_le(&v, 8).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn tampered_bits_are_rejected() {
        let cs = cs();
        let v = witness(&cs, Fr::from(5u64));
        // 5 = 0b101; claim 0b100.
        decompose_le_with_witness(&v, 4, Some(vec![false, false, true, false])).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn non_boolean_bit_is_rejected() {
        // The booleanity constraint is what stops a "bit" of 2 standing in for two bits:
        // value 2 = bits (0, 1); tampered to (2, 0) it still recomposes to 2.
        use crate::gadgets::test_util::tamper_witness;
        let cs = cs();
        let v = witness(&cs, Fr::from(2u64));
        decompose_le(&v, 2).unwrap();
        assert!(cs.is_satisfied().unwrap());
        tamper_witness(&cs, 1, Fr::from(2u64));
        tamper_witness(&cs, 2, Fr::from(0u64));
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn constant_in_range_costs_nothing() {
        let cs = cs();
        let bits = decompose_le(&FpVar::<Fr>::Constant(Fr::from(3u64)), 4).unwrap();
        assert_eq!(bits.len(), 4);
        assert_eq!(cs.num_constraints(), 0);
        assert!(decompose_le(&FpVar::<Fr>::Constant(Fr::from(16u64)), 4).is_err());
    }
}
