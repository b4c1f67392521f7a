//! Requantization with rounding, clamping and (optionally) ReLU, bit-exact with
//! [`crate::native::quant::requantize`] and [`crate::native::quant::clamp`] (the rounding rule of
//! [`crate::native::quant::rshift_round`] applied to `acc·m`).
//!
//! **Versus [`super::shift_round`].** Same rounding rule, same division by decomposition, but this
//! gadget is for inference: it takes the caller's offset value (the multiplier `m` and, via
//! [`offset`], the output zero point already folded in), needs `s ≥ 1`, and always clamps the result
//! to int8 (`[−128, 127]`, or `[0, 127]` with ReLU; `[zp, 127]` via [`requantize_zp`]), returning
//! only the clamped value. `shift_round` has multiplier 1, allows `s = 0`, works at any quotient
//! width `n`, returns the unclamped quotient or the `[0, 127]` clamp with the backward pass's mask,
//! and has no zero point.
//!
//! The caller supplies the *offset* value `t = acc·m + 2^(s-1) + 2^(n-1)`, a linear combination of
//! the layer inputs (free in R1CS when weights are constants), where `n` is chosen from static bounds
//! so that `t ∈ [0, 2^n)` for every int8 input ([`crate::native::model::DenseLayer::requant_bits`]).
//! Decomposing `t` into `n` bits `c₀…c_{n-1}` *is* the division proof: the low `s` bits are the
//! remainder (so it is range-checked, not just asserted), the high bits are the quotient
//! `q + 2^(n-1-s)` with `q = floor((acc·m + 2^(s-1)) / 2^s)`. Then `q ≥ 0` iff `c_{n-1} = 1`, and
//!
//! * `q ∈ [0, 127]`   iff `c_{n-1} = 1` and the middle bits `c_{s+7} … c_{n-2}` are all 0 (then `q` is
//!   the 7 bits `c_s … c_{s+6}`);
//! * `q ∈ [-128, -1]` iff `c_{n-1} = 0` and the middle bits are all 1 (then `q = low7 − 128`).
//!
//! Cost per neuron: **n + 5 constraints with ReLU** (`n + 1` decomposition, 2 zero test, 2 products),
//! **n + 9 without** (a second zero test and two more products). For a 64-input int8 layer `n` is ~30.

use ark_ff::PrimeField;
use ark_r1cs_std::{fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::SynthesisError;

use super::{
    bits::{decompose_le_with_witness, le_bits},
    is_zero::is_zero,
    lincomb::{bits_to_fp, weighted_sum},
};
use crate::native::model::Activation;

/// Requantizes the offset accumulator `t` (see module docs) into an int8 (or ReLU'd) value.
pub fn requantize<F: PrimeField>(
    t: &FpVar<F>,
    n: u32,
    shift: u32,
    activation: Activation,
) -> Result<FpVar<F>, SynthesisError> {
    let hint = t.value().ok().map(|v| le_bits(v, n));
    requantize_with_witness(t, n, shift, activation, hint)
}

/// [`requantize`] with the bit decomposition of `t` supplied by the caller (possibly dishonest).
pub fn requantize_with_witness<F: PrimeField>(
    t: &FpVar<F>,
    n: u32,
    shift: u32,
    activation: Activation,
    hint: Option<Vec<bool>>,
) -> Result<FpVar<F>, SynthesisError> {
    if shift == 0 || n < shift + 8 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let s = shift as usize;
    let n_us = n as usize;
    let bits = decompose_le_with_witness(t, n, hint)?;
    let top = FpVar::from(bits[n_us - 1].clone());
    let low7 = bits_to_fp(&bits[s..s + 7], 0)?;
    let middle: Vec<(F, FpVar<F>)> = bits[s + 7..n_us - 1].iter().map(|b| (F::ONE, FpVar::from(b.clone()))).collect();
    let middle_sum = weighted_sum(&middle, F::ZERO)?;
    let all_zero = FpVar::from(is_zero(&middle_sum)?);
    let c127 = F::from(127u64);

    // top = 1 and middle all zero: q = low7; top = 1 otherwise: 127.
    let a = &top * &all_zero;
    let pos = &a * &(&low7 - c127);
    match activation {
        Activation::Relu => Ok(pos + &top * c127),
        Activation::None => {
            // top = 0 and middle all ones: q = low7 − 128; top = 0 otherwise: −128.
            let ones = F::from(middle.len() as u64);
            let all_one = FpVar::from(is_zero(&(&middle_sum - ones))?);
            let b = &(FpVar::Constant(F::ONE) - &top) * &all_one;
            let neg = &b * &low7;
            Ok(pos + neg + &top * F::from(255u64) - F::from(128u64))
        }
    }
}

/// The constant added to `acc·m` to form the offset value `t` for output zero point `zp`:
/// `2^(s-1) + zp·2^s + 2^(n-1)` (so `t`'s quotient is `q + zp`).
#[must_use]
pub fn offset<F: PrimeField>(n: u32, r: crate::native::model::Requant) -> F {
    let zp = F::from(r.zero_point.unsigned_abs()) * F::from(2u64).pow([u64::from(r.shift)]);
    let zp = if r.zero_point < 0 { -zp } else { zp };
    F::from(2u64).pow([u64::from(r.shift - 1)]) + zp + F::from(2u64).pow([u64::from(n - 1)])
}

/// Requantizes `t` (built with [`offset`]) and applies the activation with the output zero point:
/// ReLU clamps to `[zp, 127]` (11 more constraints when `zp ≠ 0`, via [`super::max::max_const`]).
pub fn requantize_zp<F: PrimeField>(
    t: &FpVar<F>,
    n: u32,
    r: crate::native::model::Requant,
    activation: Activation,
    hint: Option<Vec<bool>>,
) -> Result<FpVar<F>, SynthesisError> {
    match activation {
        Activation::Relu if r.zero_point != 0 => {
            let y = requantize_with_witness(t, n, r.shift, Activation::None, hint)?;
            super::max::max_const(&y, i64::from(r.zero_point))
        }
        _ => requantize_with_witness(t, n, r.shift, activation, hint),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        field::fe_to_i64,
        gadgets::test_util::{cs, fe, witness},
        native::quant,
    };
    use ark_bn254::Fr;
    use proptest::prelude::*;

    fn offset(acc: i64, m: u32, s: u32, n: u32) -> i128 {
        i128::from(acc) * i128::from(m) + (1i128 << (s - 1)) + (1i128 << (n - 1))
    }

    fn run(acc: i64, m: u32, s: u32, n: u32, act: Activation, hint: Option<Vec<bool>>) -> (bool, i64) {
        let cs = cs();
        let t = witness(&cs, fe(offset(acc, m, s, n)));
        let hint = hint.or_else(|| Some(le_bits(fe(offset(acc, m, s, n)), n)));
        let y = requantize_with_witness(&t, n, s, act, hint).unwrap();
        (cs.is_satisfied().unwrap(), fe_to_i64(y.value().unwrap()))
    }

    fn native(acc: i64, m: u32, s: u32, act: Activation) -> i64 {
        i64::from(quant::clamp(quant::requantize(acc, m, s), act == Activation::Relu))
    }

    #[test]
    fn matches_native_on_edges_and_costs_as_documented() {
        let (m, s, n) = (3u32, 4u32, 24u32);
        for act in [Activation::Relu, Activation::None] {
            for acc in [-100_000i64, -700, -683, -682, -3, -2, -1, 0, 1, 2, 3, 5, 673, 677, 678, 100_000] {
                let (ok, y) = run(acc, m, s, n, act, None);
                assert!(ok, "acc {acc} {act:?}");
                assert_eq!(y, native(acc, m, s, act), "acc {acc} {act:?}");
            }
        }
        for (act, extra) in [(Activation::Relu, 5), (Activation::None, 9)] {
            let sys = cs();
            let t = witness(&sys, fe(offset(5, m, s, n)));
            let _ = requantize(&t, n, s, act).unwrap();
            assert_eq!(sys.num_constraints(), n as usize + extra);
        }
    }

    #[test]
    fn off_by_one_remainder_is_rejected() {
        let (m, s, n) = (5u32, 6u32, 30u32);
        for act in [Activation::Relu, Activation::None] {
            let t = fe(offset(1234, m, s, n) - 1);
            assert!(!run(1234, m, s, n, act, Some(le_bits(t, n))).0);
        }
    }

    #[test]
    fn quotient_plus_one_is_rejected() {
        // The published-library bug: with the remainder unconstrained, q + 1 would verify.
        let (m, s, n) = (5u32, 6u32, 30u32);
        for act in [Activation::Relu, Activation::None] {
            let t = fe(offset(-1234, m, s, n) + (1 << s));
            assert!(!run(-1234, m, s, n, act, Some(le_bits(t, n))).0);
        }
    }

    #[test]
    fn flipped_sign_bit_is_rejected() {
        let (m, s, n) = (5u32, 6u32, 30u32);
        for act in [Activation::Relu, Activation::None] {
            let mut bits = le_bits(fe(offset(-50, m, s, n)), n);
            let last = bits.len() - 1;
            bits[last] = !bits[last];
            assert!(!run(-50, m, s, n, act, Some(bits)).0);
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        let cs = cs();
        let t = witness(&cs, Fr::from(1u64));
        assert!(requantize(&t, 10, 4, Activation::Relu).is_err());
        assert!(requantize(&t, 20, 0, Activation::Relu).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn prop_matches_native(acc in -(1i64 << 24)..(1i64 << 24), m in 1u32..4096, s in 1u32..24, relu: bool) {
            let bound = (1u128 << 24) * u128::from(m) + (1u128 << (s - 1));
            let n = (quant::bit_len(bound) + 1).max(s + 8);
            let act = if relu { Activation::Relu } else { Activation::None };
            let (ok, y) = run(acc, m, s, n, act, None);
            prop_assert!(ok);
            prop_assert_eq!(y, native(acc, m, s, act));
        }
    }
}
