//! Rounding right shift of a signed value, bit-exact with [`crate::native::quant::rshift_round`]:
//! `q = floor((v + 2^(s−1)) / 2^s)` (`q = v` for `s = 0`), the rescale rule of the training step.
//!
//! **Versus [`super::requant`].** Both prove the same rounding rule by decomposing an offset value.
//! This gadget has multiplier 1 (the caller multiplies beforehand if needed), allows `s = 0`,
//! returns the quotient at an arbitrary width `n` (no clamp, or the `[0, 127]` clamp with the
//! backward pass's mask), takes `v` and builds the offset itself, and has no zero point. `requant`
//! expects the caller's offset value `acc·m + 2^(s−1) + 2^(n−1)` (free with constant weights),
//! needs `s ≥ 1` and always clamps to int8 (`[−128, 127]`, or `[0, 127]` with ReLU), with the
//! output zero point folded into the offset ([`super::requant::requantize_zp`]).
//!
//! **Division by decomposition.** For a quotient known (from static bounds) to lie in
//! `[−2^(n−1), 2^(n−1))`, the offset value `t = v + 2^(s−1) + 2^(n+s−1)` lies in `[0, 2^(n+s))`.
//! Decomposing `t` into `n + s` bits *is* the division proof: the low `s` bits are the remainder
//! (range-checked, not merely asserted), the high `n` bits are `q + 2^(n−1)`. As `t = (q + 2^(n−1))·2^s + r`
//! holds over the integers (every term is far below the field size), `q` is the floor quotient.
//! If `q` is outside the stated range the system is unsatisfiable (a completeness issue, never a
//! soundness one): callers pick `n` from worst-case bounds.
//!
//! **Clamp and mask** ([`rshift_round_clamp`]). With `u = q + 2^(n−1)` (the high bits `c₀ … c_{n−1}`),
//! `q ≥ 0` iff `c_{n−1} = 1`, and `q ∈ [0, 127]` iff moreover the middle bits `c₇ … c_{n−2}` are 0;
//! then `q` is the low 7 bits. The clamped value is `a·(low7 − 127) + 127·c_{n−1}` with
//! `a = c_{n−1} ∧ [middle = 0]`, and `interior = (0 < q < 127) = a ∧ [low7·(127 − low7) ≠ 0]`: the
//! ReLU/saturation mask of the backward pass in [`crate::native::trainer`].
//!
//! **Known quotient** ([`enforce_rshift_round`]). When the caller already holds `q` as a bounded
//! value (e.g. the difference of two range-checked weights), only the remainder
//! `v + 2^(s−1) − q·2^s ∈ [0, 2^s)` needs checking.
//!
//! Cost (exact, asserted by the tests):
//! * [`rshift_round`]: **n + s + 1** (decomposition; the quotient is a free linear combination);
//! * [`rshift_round_clamp`]: **n + s + 9** (`+ 2` middle zero test, `+ 1` for `a`, `+ 1` clamp
//!   product, `+ 1` for `low7·(127 − low7)`, `+ 2` its zero test, `+ 1` for `interior`), `n ≥ 9`;
//! * [`enforce_rshift_round`]: **s + 1**.
//!
//! `n + s` must stay below 253 so the decomposition cannot wrap; the gadgets refuse otherwise.

use ark_ff::PrimeField;
use ark_r1cs_std::{boolean::Boolean, eq::EqGadget, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::SynthesisError;

use super::{
    bits::{decompose_le_with_witness, le_bits},
    is_zero::is_zero,
    lincomb::{bits_to_fp, weighted_sum},
};

fn pow2<F: PrimeField>(e: u32) -> F {
    F::from(2u64).pow([u64::from(e)])
}

fn half<F: PrimeField>(s: u32) -> F {
    if s == 0 {
        F::ZERO
    } else {
        pow2(s - 1)
    }
}

/// The offset value `t = v + 2^(s−1) + 2^(n+s−1)` whose `n + s` bits the gadgets decompose.
pub fn offset_value<F: PrimeField>(v: &FpVar<F>, s: u32, n: u32) -> Result<FpVar<F>, SynthesisError> {
    weighted_sum(&[(F::ONE, v.clone())], half::<F>(s) + pow2::<F>(n + s - 1))
}

/// The honest hint for `v`: the `n + s` little-endian bits of its offset value.
pub fn honest_hint<F: PrimeField>(v: &FpVar<F>, s: u32, n: u32) -> Option<Vec<bool>> {
    v.value().ok().map(|v| le_bits(v + half::<F>(s) + pow2::<F>(n + s - 1), n + s))
}

fn decompose<F: PrimeField>(
    v: &FpVar<F>,
    s: u32,
    n: u32,
    hint: Option<Vec<bool>>,
) -> Result<Vec<Boolean<F>>, SynthesisError> {
    if n == 0 || n + s >= F::MODULUS_BIT_SIZE - 1 {
        return Err(SynthesisError::Unsatisfiable);
    }
    decompose_le_with_witness(&offset_value(v, s, n)?, n + s, hint)
}

/// `floor((v + 2^(s−1)) / 2^s)` for a quotient in `[−2^(n−1), 2^(n−1))`. Cost: `n + s + 1`.
pub fn rshift_round<F: PrimeField>(v: &FpVar<F>, s: u32, n: u32) -> Result<FpVar<F>, SynthesisError> {
    rshift_round_with_witness(v, s, n, honest_hint(v, s, n))
}

/// [`rshift_round`] with the `n + s` bits of the offset value supplied by the caller (a prover's
/// hint, possibly dishonest).
pub fn rshift_round_with_witness<F: PrimeField>(
    v: &FpVar<F>,
    s: u32,
    n: u32,
    hint: Option<Vec<bool>>,
) -> Result<FpVar<F>, SynthesisError> {
    let bits = decompose(v, s, n, hint)?;
    Ok(bits_to_fp(&bits[s as usize..], 0)? - pow2::<F>(n - 1))
}

/// A rounded, clamped value and its mask.
#[derive(Clone, Debug)]
pub struct Clamped<F: PrimeField> {
    /// `clamp(q, 0, 127)`.
    pub value: FpVar<F>,
    /// `0 < q < 127` (the unclamped quotient strictly inside the range).
    pub interior: Boolean<F>,
}

/// `clamp(floor((v + 2^(s−1)) / 2^s), 0, 127)` and the mask `0 < q < 127`, for `q` in
/// `[−2^(n−1), 2^(n−1))`, `n ≥ 9`. Cost: `n + s + 9`.
pub fn rshift_round_clamp<F: PrimeField>(v: &FpVar<F>, s: u32, n: u32) -> Result<Clamped<F>, SynthesisError> {
    rshift_round_clamp_with_witness(v, s, n, honest_hint(v, s, n))
}

/// [`rshift_round_clamp`] with the decomposition supplied by the caller.
pub fn rshift_round_clamp_with_witness<F: PrimeField>(
    v: &FpVar<F>,
    s: u32,
    n: u32,
    hint: Option<Vec<bool>>,
) -> Result<Clamped<F>, SynthesisError> {
    if n < 9 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let bits = decompose(v, s, n, hint)?;
    let high = &bits[s as usize..];
    let top = high[high.len() - 1].clone();
    let low7 = bits_to_fp(&high[..7], 0)?;
    let middle: Vec<(F, FpVar<F>)> = high[7..high.len() - 1].iter().map(|b| (F::ONE, FpVar::from(b.clone()))).collect();
    let all_zero = is_zero(&weighted_sum(&middle, F::ZERO)?)?;
    let in_range = &top & &all_zero;
    let c127 = F::from(127u64);
    let value = FpVar::from(in_range.clone()) * (&low7 - c127) + FpVar::from(top) * c127;
    let ends = &low7 * (FpVar::Constant(c127) - &low7);
    let interior = &in_range & &!is_zero(&ends)?;
    Ok(Clamped { value, interior })
}

/// Enforces `q = floor((v + 2^(s−1)) / 2^s)` for a `q` the caller has already bounded (so that
/// `|v| + |q|·2^s` stays far below the field size). Cost: `s + 1`.
pub fn enforce_rshift_round<F: PrimeField>(v: &FpVar<F>, s: u32, q: &FpVar<F>) -> Result<(), SynthesisError> {
    let r = remainder(v, s, q)?;
    let hint = r.value().ok().map(|r| le_bits(r, s));
    enforce_rshift_round_with_witness(v, s, q, hint)
}

fn remainder<F: PrimeField>(v: &FpVar<F>, s: u32, q: &FpVar<F>) -> Result<FpVar<F>, SynthesisError> {
    weighted_sum(&[(F::ONE, v.clone()), (-pow2::<F>(s), q.clone())], half::<F>(s))
}

/// [`enforce_rshift_round`] with the remainder's `s` bits supplied by the caller.
pub fn enforce_rshift_round_with_witness<F: PrimeField>(
    v: &FpVar<F>,
    s: u32,
    q: &FpVar<F>,
    hint: Option<Vec<bool>>,
) -> Result<(), SynthesisError> {
    if s >= F::MODULUS_BIT_SIZE - 1 {
        return Err(SynthesisError::Unsatisfiable);
    }
    let r = remainder(v, s, q)?;
    if s == 0 {
        return r.enforce_equal(&FpVar::Constant(F::ZERO));
    }
    decompose_le_with_witness(&r, s, hint).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        field::fe_to_i64,
        gadgets::test_util::{cs, fe, tamper_witness, witness},
        native::quant,
    };
    use ark_bn254::Fr;
    use proptest::prelude::*;

    fn offset(v: i64, s: u32, n: u32) -> i128 {
        i128::from(v) + if s == 0 { 0 } else { 1i128 << (s - 1) } + (1i128 << (n + s - 1))
    }

    /// (satisfied, q) for `rshift_round` with an optional dishonest hint.
    fn run(v: i64, s: u32, n: u32, hint: Option<Vec<bool>>) -> (bool, i64) {
        let cs = cs();
        let x = witness(&cs, fe(i128::from(v)));
        let hint = hint.or_else(|| honest_hint(&x, s, n));
        let q = rshift_round_with_witness(&x, s, n, hint).unwrap();
        (cs.is_satisfied().unwrap(), fe_to_i64(q.value().unwrap()))
    }

    /// (satisfied, clamped, interior) for `rshift_round_clamp`.
    fn run_clamp(v: i64, s: u32, n: u32, hint: Option<Vec<bool>>) -> (bool, i64, bool) {
        let cs = cs();
        let x = witness(&cs, fe(i128::from(v)));
        let hint = hint.or_else(|| honest_hint(&x, s, n));
        let c = rshift_round_clamp_with_witness(&x, s, n, hint).unwrap();
        (cs.is_satisfied().unwrap(), fe_to_i64(c.value.value().unwrap()), c.interior.value().unwrap())
    }

    fn edge_values(s: u32) -> Vec<i64> {
        let mut v = vec![0i64, 1, -1, 2, -2, 3, -3, 5, -5, 100_000, -100_000, 1 << 20, -(1 << 20)];
        for q in [-2i64, -1, 0, 1, 2, 126, 127, 128, 129] {
            let base = q << s;
            let h = if s == 0 { 0 } else { 1i64 << (s - 1) };
            v.extend([base - h - 1, base - h, base - h + 1, base, base + h - 1, base + h, base + h + 1]);
        }
        v
    }

    #[test]
    fn matches_native_including_negatives_and_costs_as_documented() {
        let n = 24u32;
        for s in [0u32, 1, 4, 8, 10] {
            for v in edge_values(s) {
                let q = quant::rshift_round(v, s);
                assert_eq!(run(v, s, n, None), (true, q), "v {v}, s {s}");
                let (ok, c, interior) = run_clamp(v, s, n, None);
                assert!(ok, "clamp v {v}, s {s}");
                assert_eq!((c, interior), (q.clamp(0, 127), 0 < q && q < 127), "clamp v {v}, s {s}");
            }
        }
        for (s, n) in [(0u32, 9u32), (8, 22), (10, 30)] {
            let sys = cs();
            let x = witness(&sys, fe(-12345));
            let _ = rshift_round(&x, s, n).unwrap();
            assert_eq!(sys.num_constraints(), (n + s + 1) as usize);
            let sys = cs();
            let x = witness(&sys, fe(-12345));
            let _ = rshift_round_clamp(&x, s, n).unwrap();
            assert_eq!(sys.num_constraints(), (n + s + 9) as usize);
            let sys = cs();
            let x = witness(&sys, fe(-12345));
            let q = witness(&sys, fe(i128::from(quant::rshift_round(-12345, s))));
            enforce_rshift_round(&x, s, &q).unwrap();
            assert!(sys.is_satisfied().unwrap());
            assert_eq!(sys.num_constraints(), (s + 1) as usize);
        }
    }

    #[test]
    fn off_by_one_remainder_is_rejected() {
        let (s, n) = (8u32, 20u32);
        for v in [1234i64, -1234, 0] {
            let bad = le_bits(fe(offset(v, s, n) - 1), n + s);
            assert!(!run(v, s, n, Some(bad.clone())).0, "v {v}");
            assert!(!run_clamp(v, s, n, Some(bad)).0, "clamp v {v}");
        }
    }

    #[test]
    fn quotient_plus_one_is_rejected() {
        let (s, n) = (8u32, 20u32);
        for v in [1234i64, -1234, 0, 300 * 256] {
            let bad = le_bits(fe(offset(v, s, n) + (1 << s)), n + s);
            let (ok, q) = run(v, s, n, Some(bad.clone()));
            assert_eq!(q, quant::rshift_round(v, s) + 1);
            assert!(!ok, "v {v}");
            assert!(!run_clamp(v, s, n, Some(bad)).0, "clamp v {v}");
        }
    }

    #[test]
    fn out_of_range_quotient_is_unsatisfiable() {
        // q = 2^(n-1) does not fit: the honest bits of the offset overflow n + s bits.
        let (s, n) = (4u32, 10u32);
        assert!(!run(512 << s, s, n, None).0);
        assert!(run(511 << s, s, n, None).0);
        assert!(run(-(512 << s), s, n, None).0);
        assert!(!run(-(513 << s), s, n, None).0);
    }

    #[test]
    fn wrong_interior_flag_is_rejected() {
        let (s, n) = (8u32, 20u32);
        // The interior flag is the last witness the gadget allocates.
        for v in [0i64, 128, 50 * 256, 127 * 256, 126 * 256, 200 * 256, -5 * 256] {
            let sys = cs();
            let x = witness(&sys, fe(i128::from(v)));
            let c = rshift_round_clamp(&x, s, n).unwrap();
            assert!(sys.is_satisfied().unwrap());
            let honest = c.interior.value().unwrap();
            let last = sys.num_witness_variables() - 1;
            tamper_witness(&sys, last, Fr::from(u64::from(!honest)));
            assert!(!sys.is_satisfied().unwrap(), "v {v}");
        }
    }

    #[test]
    fn wrong_known_quotient_is_rejected() {
        for (v, s) in [(1000i64, 4u32), (-1000, 4), (7, 0), (-129, 8)] {
            let q = quant::rshift_round(v, s);
            for (claimed, ok) in [(q, true), (q + 1, false), (q - 1, false)] {
                let sys = cs();
                let x = witness(&sys, fe(i128::from(v)));
                let qv = witness(&sys, fe(i128::from(claimed)));
                enforce_rshift_round(&x, s, &qv).unwrap();
                assert_eq!(sys.is_satisfied().unwrap(), ok, "v {v}, s {s}, q {claimed}");
            }
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        let sys = cs();
        let x = witness(&sys, Fr::from(1u64));
        assert!(rshift_round(&x, 8, 0).is_err());
        assert!(rshift_round(&x, 200, 60).is_err());
        assert!(rshift_round_clamp(&x, 8, 8).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn prop_matches_native(v in -(1i64 << 40)..(1i64 << 40), s in 0u32..16) {
            let n = 42u32;
            let q = quant::rshift_round(v, s);
            prop_assert_eq!(run(v, s, n, None), (true, q));
            let (ok, c, interior) = run_clamp(v, s, n, None);
            prop_assert!(ok);
            prop_assert_eq!((c, interior), (q.clamp(0, 127), 0 < q && q < 127));
        }

        #[test]
        fn prop_small_values_match_native(v in -70_000i64..70_000, s in 0u32..10) {
            let q = quant::rshift_round(v, s);
            let (ok, c, interior) = run_clamp(v, s, 20, None);
            prop_assert!(ok);
            prop_assert_eq!((c, interior), (q.clamp(0, 127), 0 < q && q < 127));
        }
    }
}
