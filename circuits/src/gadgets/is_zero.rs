//! Zero test.
//!
//! Outputs a boolean `z = (x == 0)` with the classic two constraints
//! `x · inv = 1 − z` and `x · z = 0`: if `x ≠ 0` the second forces `z = 0` (and the first `inv = 1/x`);
//! if `x = 0` the first forces `z = 1`. `z` needs no separate booleanity check.
//!
//! Cost: **2 constraints**.

use ark_ff::PrimeField;
use ark_r1cs_std::{
    alloc::AllocVar,
    boolean::{AllocatedBool, Boolean},
    fields::fp::FpVar,
    GR1CSVar,
};
use ark_relations::{
    gr1cs::{SynthesisError, Variable},
    lc,
};

use super::lincomb::lc_of;

/// `x == 0` as a constrained boolean.
pub fn is_zero<F: PrimeField>(x: &FpVar<F>) -> Result<Boolean<F>, SynthesisError> {
    let hint = x.value().ok().map(|v| (v.inverse().unwrap_or(F::ZERO), v.is_zero()));
    is_zero_with_witness(x, hint)
}

/// [`is_zero`] with the prover's hint `(inv, is_zero)` supplied by the caller.
pub fn is_zero_with_witness<F: PrimeField>(
    x: &FpVar<F>,
    hint: Option<(F, bool)>,
) -> Result<Boolean<F>, SynthesisError> {
    if let FpVar::Constant(c) = x {
        return Ok(Boolean::constant(c.is_zero()));
    }
    let cs = x.cs();
    let inv = FpVar::new_witness(cs.clone(), || hint.map(|h| h.0).ok_or(SynthesisError::AssignmentMissing))?;
    let z = AllocatedBool::new_witness_without_booleanity_check(cs.clone(), || {
        hint.map(|h| h.1).ok_or(SynthesisError::AssignmentMissing)
    })?;
    let z_var = z.variable();
    let x_lc = lc_of(x);
    let inv_lc = lc_of(&inv);
    cs.enforce_r1cs_constraint(|| x_lc.clone(), || inv_lc, || lc!() + Variable::One - z_var)?;
    cs.enforce_r1cs_constraint(|| x_lc, || lc!() + z_var, || lc!())?;
    Ok(Boolean::Var(z))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gadgets::test_util::{cs, witness};
    use ark_bn254::Fr;

    #[test]
    fn honest_zero_and_nonzero() {
        for (v, expect) in [(0u64, true), (7, false)] {
            let cs = cs();
            let x = witness(&cs, Fr::from(v));
            let z = is_zero(&x).unwrap();
            assert_eq!(z.value().unwrap(), expect);
            assert!(cs.is_satisfied().unwrap());
            assert_eq!(cs.num_constraints(), 2);
        }
    }

    #[test]
    fn claiming_nonzero_is_zero_is_rejected() {
        let cs = cs();
        let x = witness(&cs, Fr::from(7u64));
        let _ = is_zero_with_witness(&x, Some((Fr::from(0u64), true))).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn claiming_zero_is_nonzero_is_rejected() {
        let cs = cs();
        let x = witness(&cs, Fr::from(0u64));
        let _ = is_zero_with_witness(&x, Some((Fr::from(5u64), false))).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn wrong_inverse_is_rejected() {
        let cs = cs();
        let x = witness(&cs, Fr::from(7u64));
        let _ = is_zero_with_witness(&x, Some((Fr::from(3u64), false))).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }
}
