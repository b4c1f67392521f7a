//! Rounded average of int8 values (AvgPool's gadget): `q = floor((Σ + ⌊k/2⌋) / k)`.
//!
//! The prover supplies `q` and `r` with `Σ + ⌊k/2⌋ = q·k + r`; the circuit range-checks
//! `q + 128 ∈ [0, 256)` and `r ∈ [0, k)` (`r < 2^b` with `b = bits(k − 1)`, plus `k − 1 − r < 2^b` when `k`
//! is not a power of two). Integer division is unique under those ranges, and no value is near the
//! field size, so the field equation is the integer one.
//!
//! Cost: **b + 11 constraints** (k a power of two) or **2b + 12** otherwise. The inputs must already
//! be constrained to int8.

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::{bits::decompose_le, lincomb::weighted_sum};
use crate::{
    field::{fe_to_i64, signed_to_field},
    native::quant::bit_len,
};

/// `floor((Σ values + ⌊k/2⌋) / k)` for `k = values.len()`.
pub fn avg_round<F: PrimeField>(values: &[FpVar<F>]) -> Result<FpVar<F>, SynthesisError> {
    let k = values.len() as i64;
    let hint = values.iter().map(|v| v.value().ok().map(fe_to_i64)).collect::<Option<Vec<_>>>().map(|v| {
        let s: i64 = v.iter().sum::<i64>() + k / 2;
        (s.div_euclid(k), s.rem_euclid(k))
    });
    avg_round_with_witness(values, hint)
}

/// [`avg_round`] with the prover's `(q, r)` supplied by the caller.
pub fn avg_round_with_witness<F: PrimeField>(
    values: &[FpVar<F>],
    hint: Option<(i64, i64)>,
) -> Result<FpVar<F>, SynthesisError> {
    if values.is_empty() {
        return Err(SynthesisError::Unsatisfiable);
    }
    let k = values.len() as u64;
    let cs = values.iter().fold(ConstraintSystemRef::None, |cs, v| cs.or(v.cs()));
    let q = FpVar::new_witness(cs.clone(), || {
        hint.map(|h| signed_to_field::<F>(i128::from(h.0))).ok_or(SynthesisError::AssignmentMissing)
    })?;
    let r = FpVar::new_witness(cs, || {
        hint.map(|h| signed_to_field::<F>(i128::from(h.1))).ok_or(SynthesisError::AssignmentMissing)
    })?;
    decompose_le(&(&q + F::from(128u64)), 8)?;
    let b = bit_len(u128::from(k - 1)).max(1);
    decompose_le(&r, b)?;
    if !k.is_power_of_two() {
        decompose_le(&(FpVar::Constant(F::from(k - 1)) - &r), b)?;
    }
    let sum: Vec<(F, FpVar<F>)> = values.iter().map(|v| (F::ONE, v.clone())).collect();
    weighted_sum(&sum, F::from(k / 2))?.enforce_equal(&(&q * F::from(k) + &r))?;
    Ok(q)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::test_util::{cs, fe, witness};

    #[test]
    fn matches_native_rounding_with_documented_cost() {
        for vals in [
            vec![1i8, 2, 3, 4],
            vec![-1, -2],
            vec![-3, -3, -2],
            vec![127, 127, 127, 127],
            vec![-128; 9],
            vec![5, -6, 7],
        ] {
            let sys = cs();
            let v: Vec<_> = vals.iter().map(|&x| witness(&sys, fe(i128::from(x)))).collect();
            let before = sys.num_constraints();
            let q = avg_round(&v).unwrap();
            assert!(sys.is_satisfied().unwrap(), "{vals:?}");
            assert_eq!(fe_to_i64(q.value().unwrap()), i64::from(crate::native::engine::avg_round(&vals)), "{vals:?}");
            let k = vals.len() as u64;
            let b = bit_len(u128::from(k - 1)).max(1) as usize;
            let expect = if k.is_power_of_two() { b + 11 } else { 2 * b + 12 };
            assert_eq!(sys.num_constraints() - before, expect, "{vals:?}");
        }
    }

    #[test]
    fn wrong_quotient_or_remainder_is_rejected() {
        // (1+2+3+4 + 2) / 4 = 3 r 0.
        for (q, r) in [(2i64, 4i64), (4, -4), (3, 1), (2, 0)] {
            let sys = cs();
            let v: Vec<_> = [1i128, 2, 3, 4].iter().map(|&x| witness(&sys, fe(x))).collect();
            let _ = avg_round_with_witness(&v, Some((q, r))).unwrap();
            assert!(!sys.is_satisfied().unwrap(), "q {q} r {r} accepted");
        }
        // k = 3 (not a power of two): r = 3 must be rejected even though r < 4 = 2^bits.
        let sys = cs();
        let v: Vec<_> = [0i128, 0, 2].iter().map(|&x| witness(&sys, fe(x))).collect();
        // (0+0+2+1) = 3 = 1·3 + 0; claim 0·3 + 3.
        let _ = avg_round_with_witness(&v, Some((0, 3))).unwrap();
        assert!(!sys.is_satisfied().unwrap());
    }
}
