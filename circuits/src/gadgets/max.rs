//! Maximum of a window of int8 values (MaxPool's building block).
//!
//! The prover supplies `m`; the circuit checks `m − vᵢ ∈ [0, 256)` for every `i` (so `m ≥` every value,
//! since differences of int8 values lie in (−256, 256)) and `Π (m − vᵢ) = 0` (so `m` equals one of them).
//!
//! Cost: **10·k − 1 constraints** for a window of `k` values (9 per difference range check, `k − 1`
//! for the product chain). The inputs must already be constrained to int8.

use ark_ff::PrimeField;
use ark_r1cs_std::{
    alloc::AllocVar,
    fields::{fp::FpVar, FieldVar},
    GR1CSVar,
};
use ark_relations::gr1cs::SynthesisError;

use super::bits::decompose_le;
use crate::field::fe_to_i64;

/// `max(values)` as a constrained variable.
pub fn max<F: PrimeField>(values: &[FpVar<F>]) -> Result<FpVar<F>, SynthesisError> {
    let hint = values
        .iter()
        .map(|v| v.value().ok().map(fe_to_i64))
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().max())
        .map(|m| if m >= 0 { F::from(m.unsigned_abs()) } else { -F::from(m.unsigned_abs()) });
    max_with_witness(values, hint)
}

/// [`max`] with the prover's claimed maximum supplied by the caller.
pub fn max_with_witness<F: PrimeField>(values: &[FpVar<F>], hint: Option<F>) -> Result<FpVar<F>, SynthesisError> {
    let (first, rest) = values.split_first().ok_or(SynthesisError::Unsatisfiable)?;
    if rest.is_empty() {
        return Ok(first.clone());
    }
    let cs = values.iter().fold(ark_relations::gr1cs::ConstraintSystemRef::None, |cs, v| cs.or(v.cs()));
    let m = FpVar::new_witness(cs, || hint.ok_or(SynthesisError::AssignmentMissing))?;
    let diffs: Vec<FpVar<F>> = values.iter().map(|v| &m - v).collect();
    for d in &diffs {
        decompose_le(d, 8)?;
    }
    let mut product = diffs[0].clone();
    for d in &diffs[1..diffs.len() - 1] {
        product = &product * d;
    }
    product.mul_equals(&diffs[diffs.len() - 1], &FpVar::zero())?;
    Ok(m)
}

/// `max(y, c)` for an int8 variable `y` and an int8 constant `c` (ReLU with a zero point).
///
/// `d = y − c + 256 ∈ [1, 511]` is decomposed into 9 bits; its top bit is `y ≥ c`, and the result is
/// `c + bit·(y − c)`. Cost: **11 constraints**.
pub fn max_const<F: PrimeField>(y: &FpVar<F>, c: i64) -> Result<FpVar<F>, SynthesisError> {
    let cf = if c >= 0 { F::from(c.unsigned_abs()) } else { -F::from(c.unsigned_abs()) };
    let diff = y - cf;
    let bits = decompose_le(&(&diff + F::from(256u64)), 9)?;
    Ok(&FpVar::from(bits[8].clone()) * &diff + cf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::test_util::{cs, fe, witness};
    use ark_bn254::Fr;

    fn window(cs: &ark_relations::gr1cs::ConstraintSystemRef<Fr>, v: &[i128]) -> Vec<FpVar<Fr>> {
        v.iter().map(|&x| witness(cs, fe(x))).collect()
    }

    #[test]
    fn honest_max_satisfies_with_documented_cost() {
        for vals in [vec![-128, 127, 5, 5], vec![-3, -7, -128, -1], vec![0, 0, 0, 0]] {
            let cs = cs();
            let w = window(&cs, &vals);
            let before = cs.num_constraints();
            let m = max(&w).unwrap();
            assert_eq!(fe_to_i64(m.value().unwrap()), *vals.iter().max().unwrap() as i64);
            assert!(cs.is_satisfied().unwrap());
            assert_eq!(cs.num_constraints() - before, 10 * vals.len() - 1);
        }
    }

    #[test]
    fn max_const_matches_and_costs_11() {
        for (y, c) in [(-128i128, -128i64), (-5, 3), (3, -5), (127, 127), (0, -128), (-128, 127)] {
            let sys = cs();
            let v = witness(&sys, fe(y));
            let before = sys.num_constraints();
            let m = max_const(&v, c).unwrap();
            assert!(sys.is_satisfied().unwrap());
            assert_eq!(fe_to_i64(m.value().unwrap()), (y as i64).max(c));
            assert_eq!(sys.num_constraints() - before, 11);
        }
    }

    #[test]
    fn wrong_max_is_rejected() {
        let vals = [3i128, 9, -4, 7];
        // Too small (not ≥ all), too large (equals none), a non-maximal member.
        for claim in [8i128, 10, 7, -128] {
            let cs = cs();
            let w = window(&cs, &vals);
            let _ = max_with_witness(&w, Some(fe(claim))).unwrap();
            assert!(!cs.is_satisfied().unwrap(), "claimed max {claim} accepted");
        }
    }
}
