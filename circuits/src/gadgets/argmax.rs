//! Index of the first maximum of int8 values (the Argmax layer's gadget).
//!
//! The prover supplies a one-hot selector `s` (booleans summing to 1). With `m = Σ sᵢ·vᵢ` and
//! `bⱼ = Σ_{i>j} sᵢ` (1 exactly for the positions before the chosen index), the circuit checks
//! `m − vⱼ − bⱼ ∈ [0, 256)` for every `j`: the chosen value is ≥ every value, and strictly greater than
//! every value before it — so ties resolve to the lowest index: [`crate::native::quant::first_max`],
//! the rule of the native engine, the trainer and the on-chain consumer. The index is `Σ i·sᵢ`.
//!
//! Cost: **11·k + 1 constraints** for `k` values (`k` booleans, 1 sum, `k` products, 9 per range
//! check). The inputs must already be constrained to int8.

use ark_ff::PrimeField;
use ark_r1cs_std::{
    alloc::AllocVar,
    boolean::Boolean,
    eq::EqGadget,
    fields::{fp::FpVar, FieldVar},
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::{bits::decompose_le, lincomb::weighted_sum};
use crate::{field::fe_to_i64, native::quant::first_max};

/// The index of the first maximum of `values`, as a constrained variable.
pub fn argmax<F: PrimeField>(values: &[FpVar<F>]) -> Result<FpVar<F>, SynthesisError> {
    argmax_bits(values, 8)
}

/// [`argmax`] of values constrained to `[−2^(bits−1), 2^(bits−1))`: the range checks are `bits`
/// wide, so the cost is `(bits + 3)·k + 1`. With `bits = 8` this is [`argmax`].
pub fn argmax_bits<F: PrimeField>(values: &[FpVar<F>], bits: u32) -> Result<FpVar<F>, SynthesisError> {
    let hint = values.iter().map(|v| v.value().ok().map(fe_to_i64)).collect::<Option<Vec<_>>>().map(|v| {
        let best = first_max(&v);
        (0..v.len()).map(|i| i == best).collect()
    });
    argmax_bits_with_witness(values, bits, hint)
}

/// [`argmax`] with the prover's one-hot selector supplied by the caller.
pub fn argmax_with_witness<F: PrimeField>(
    values: &[FpVar<F>],
    hint: Option<Vec<bool>>,
) -> Result<FpVar<F>, SynthesisError> {
    argmax_bits_with_witness(values, 8, hint)
}

/// [`argmax_bits`] with the prover's one-hot selector supplied by the caller. The differences
/// `m − vⱼ − bⱼ` of in-range values lie in `(−2^bits, 2^bits)`, so a `bits`-bit range check rejects
/// every negative one (it would wrap to `p − |d|`) as long as `bits < 250`.
pub fn argmax_bits_with_witness<F: PrimeField>(
    values: &[FpVar<F>],
    bits: u32,
    hint: Option<Vec<bool>>,
) -> Result<FpVar<F>, SynthesisError> {
    if values.is_empty() || bits == 0 || bits >= 250 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let cs = values.iter().fold(ConstraintSystemRef::None, |cs, v| cs.or(v.cs()));
    let sel: Vec<FpVar<F>> = (0..values.len())
        .map(|i| {
            Boolean::new_witness(cs.clone(), || {
                hint.as_ref().and_then(|h| h.get(i).copied()).ok_or(SynthesisError::AssignmentMissing)
            })
            .map(FpVar::from)
        })
        .collect::<Result<_, _>>()?;
    let ones: Vec<(F, FpVar<F>)> = sel.iter().map(|s| (F::ONE, s.clone())).collect();
    weighted_sum(&ones, F::ZERO)?.enforce_equal(&FpVar::one())?;
    let products: Vec<(F, FpVar<F>)> = sel.iter().zip(values).map(|(s, v)| (F::ONE, s * v)).collect();
    let m = weighted_sum(&products, F::ZERO)?;
    for j in 0..values.len() {
        let after: Vec<(F, FpVar<F>)> = sel[j + 1..].iter().map(|s| (-F::ONE, s.clone())).collect();
        let d = weighted_sum(&after, F::ZERO)? + &m - &values[j];
        decompose_le(&d, bits)?;
    }
    let index: Vec<(F, FpVar<F>)> = sel.iter().enumerate().map(|(i, s)| (F::from(i as u64), s.clone())).collect();
    weighted_sum(&index, F::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::test_util::{cs, fe, witness};

    fn vars(cs: &ConstraintSystemRef<ark_bn254::Fr>, v: &[i128]) -> Vec<FpVar<ark_bn254::Fr>> {
        v.iter().map(|&x| witness(cs, fe(x))).collect()
    }

    fn one_hot(k: usize, i: usize) -> Vec<bool> {
        (0..k).map(|j| j == i).collect()
    }

    #[test]
    fn honest_argmax_with_first_max_on_ties_and_documented_cost() {
        for (vals, expect) in
            [(vec![3i128, 9, -4, 9, 7], 1u64), (vec![-128, -128], 0), (vec![127], 0), (vec![-5, -1, -3], 1)]
        {
            let cs = cs();
            let v = vars(&cs, &vals);
            let before = cs.num_constraints();
            let idx = argmax(&v).unwrap();
            assert_eq!(idx.value().unwrap(), ark_bn254::Fr::from(expect));
            assert!(cs.is_satisfied().unwrap(), "{vals:?}");
            assert_eq!(cs.num_constraints() - before, 11 * vals.len() + 1);
        }
    }

    #[test]
    fn wrong_index_is_rejected() {
        let vals = [3i128, 9, -4, 9, 7];
        // A smaller value, the later of two tied maxima.
        for claim in [0usize, 2, 3, 4] {
            let cs = cs();
            let v = vars(&cs, &vals);
            let _ = argmax_with_witness(&v, Some(one_hot(5, claim))).unwrap();
            assert!(!cs.is_satisfied().unwrap(), "index {claim} accepted");
        }
    }

    #[test]
    fn non_one_hot_selectors_are_rejected() {
        let vals = [3i128, 9, 9];
        for sel in [vec![false, false, false], vec![false, true, true], vec![true, true, false]] {
            let cs = cs();
            let v = vars(&cs, &vals);
            let _ = argmax_with_witness(&v, Some(sel.clone())).unwrap();
            assert!(!cs.is_satisfied().unwrap(), "{sel:?} accepted");
        }
    }

    #[test]
    fn wide_argmax_ranks_wide_values_and_rejects_a_wrong_index() {
        let vals = [-40_000i128, 65_535, -65_536, 65_535, 1_000];
        let cs = cs();
        let v = vars(&cs, &vals);
        let before = cs.num_constraints();
        let idx = argmax_bits(&v, 18).unwrap();
        assert_eq!(idx.value().unwrap(), ark_bn254::Fr::from(1u64));
        assert!(cs.is_satisfied().unwrap());
        assert_eq!(cs.num_constraints() - before, (18 + 3) * vals.len() + 1);
        for claim in [0usize, 2, 3, 4] {
            let cs = super::super::test_util::cs();
            let v = vars(&cs, &vals);
            let _ = argmax_bits_with_witness(&v, 18, Some(one_hot(5, claim))).unwrap();
            assert!(!cs.is_satisfied().unwrap(), "index {claim} accepted");
        }
        // Too narrow a range check cannot rank values this far apart.
        let cs = super::super::test_util::cs();
        let v = vars(&cs, &vals);
        let _ = argmax_bits(&v, 8).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
