//! ReLU of an int8 value (in real terms: `max(y, zero_point)`).
//!
//! Layers fuse ReLU into requantization ([`super::requant`], no extra cost with zero point 0, 11
//! constraints otherwise); this standalone form serves values that are already int8, e.g. after
//! pooling or from an input.
//!
//! Cost: **11 constraints** ([`super::max::max_const`]: a 9-bit decomposition of `y − zp + 256` and
//! one product). The input must already be constrained to int8.

use ark_ff::PrimeField;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use super::max::max_const;

/// `max(y, zero_point)`.
pub fn relu<F: PrimeField>(y: &FpVar<F>, zero_point: i32) -> Result<FpVar<F>, SynthesisError> {
    max_const(y, i64::from(zero_point))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        field::fe_to_i64,
        gadgets::test_util::{cs, fe, tamper_witness, witness},
    };
    use ark_bn254::Fr;
    use ark_r1cs_std::GR1CSVar;

    #[test]
    fn relu_matches_native_with_documented_cost() {
        for (y, zp) in [(-5i128, 0i32), (5, 0), (-128, 0), (127, 0), (-50, -128), (10, 20), (20, 10)] {
            let sys = cs();
            let v = witness(&sys, fe(y));
            let before = sys.num_constraints();
            let r = relu(&v, zp).unwrap();
            assert!(sys.is_satisfied().unwrap());
            assert_eq!(fe_to_i64(r.value().unwrap()), (y as i64).max(i64::from(zp)));
            assert_eq!(sys.num_constraints() - before, 11);
        }
    }

    #[test]
    fn flipped_sign_bit_is_rejected() {
        // y = -5: d = y + 256 = 251 < 256, so bit 8 is 0 and the output is 0. Claiming bit 8 = 1 (the
        // "non-negative" branch, which would output -5) breaks the decomposition.
        let sys = cs();
        let v = witness(&sys, fe(-5));
        let _ = relu(&v, 0).unwrap();
        assert!(sys.is_satisfied().unwrap());
        // Witness 0 is y; witnesses 1..=9 are the nine bits of d.
        tamper_witness(&sys, 9, Fr::from(1u64));
        assert!(!sys.is_satisfied().unwrap());
    }
}
