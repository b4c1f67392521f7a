//! Packing int8 values into public field elements (see [`crate::native::packing`] for the layout).
//!
//! * [`unpack_int8`]: a public word → `count` int8 values, each range-checked.
//!   Cost: **8·count + 1 constraints** (one booleanity check per bit, one recomposition).
//! * [`enforce_packed`]: values already known to be int8 → one public word.
//!   Cost: **1 constraint**. Sound only because every value is already constrained to [-128, 127],
//!   which makes the base-256 representation unique (31 bytes < 254 bits: no wrap-around).

use ark_ff::PrimeField;
use ark_r1cs_std::{eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::SynthesisError;

use super::{
    bits::decompose_le,
    lincomb::{bits_to_fp, weighted_sum},
};
use crate::native::packing::VALUES_PER_WORD;

/// Unpacks `count ≤ 31` int8 values from a packed word, range-checking each.
pub fn unpack_int8<F: PrimeField>(word: &FpVar<F>, count: usize) -> Result<Vec<FpVar<F>>, SynthesisError> {
    if count == 0 || count > VALUES_PER_WORD {
        return Err(SynthesisError::Unsatisfiable);
    }
    let bits = decompose_le(word, 8 * count as u32)?;
    bits.chunks(8).map(|byte| Ok(bits_to_fp(byte, 0)? - F::from(128u64))).collect()
}

/// The terms and constant of `Σ (vᵢ + 128)·256^i` (for callers that add a term of their own).
#[must_use]
pub fn packed_terms<F: PrimeField>(values: &[FpVar<F>]) -> (Vec<(F, FpVar<F>)>, F) {
    let mut power = F::ONE;
    let mut constant = F::ZERO;
    let mut terms = Vec::with_capacity(values.len() + 1);
    for v in values {
        terms.push((power, v.clone()));
        constant += power * F::from(128u64);
        power *= F::from(256u64);
    }
    (terms, constant)
}

/// `Σ (vᵢ + 128)·256^i` as one linear combination (**0 constraints**), for int8 values already
/// constrained to [-128, 127] (which makes the base-256 representation unique).
pub fn packed_word<F: PrimeField>(values: &[FpVar<F>]) -> Result<FpVar<F>, SynthesisError> {
    let (terms, constant) = packed_terms(values);
    weighted_sum(&terms, constant)
}

/// The packed words of `values`, 31 per word (0 constraints).
pub fn packed_words<F: PrimeField>(values: &[FpVar<F>]) -> Result<Vec<FpVar<F>>, SynthesisError> {
    values.chunks(VALUES_PER_WORD).map(packed_word).collect()
}

/// Enforces `word = Σ (vᵢ + 128)·256^i` for `values.len() ≤ 31` values already constrained to int8.
pub fn enforce_packed<F: PrimeField>(word: &FpVar<F>, values: &[FpVar<F>]) -> Result<(), SynthesisError> {
    if values.is_empty() || values.len() > VALUES_PER_WORD {
        return Err(SynthesisError::Unsatisfiable);
    }
    packed_word(values)?.enforce_equal(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        field::fe_to_i64,
        gadgets::test_util::{cs, fe, witness},
        native::packing::pack_field,
    };
    use ark_bn254::Fr;
    use ark_r1cs_std::GR1CSVar;

    #[test]
    fn unpack_recovers_values_with_documented_cost() {
        let values: Vec<i8> = vec![-128, -1, 0, 1, 127, 42];
        let cs = cs();
        let word = witness(&cs, pack_field::<Fr>(&values)[0]);
        let out = unpack_int8(&word, values.len()).unwrap();
        assert!(cs.is_satisfied().unwrap());
        assert_eq!(cs.num_constraints(), 8 * values.len() + 1);
        let got: Vec<i64> = out.iter().map(|v| fe_to_i64(v.value().unwrap())).collect();
        assert_eq!(got, values.iter().map(|&v| i64::from(v)).collect::<Vec<_>>());
    }

    #[test]
    fn unpack_rejects_word_with_extra_high_bits() {
        let cs = cs();
        let word = pack_field::<Fr>(&[1, 2])[0] + Fr::from(1u64 << 16);
        let w = witness(&cs, word);
        unpack_int8(&w, 2).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn enforce_packed_accepts_honest_and_rejects_tampered_word() {
        let values = [5i8, -7, 127];
        for (delta, expect) in [(0i128, true), (1, false), (256, false)] {
            let cs = cs();
            let vars: Vec<_> = values.iter().map(|&v| witness(&cs, fe(i128::from(v)))).collect();
            let word = witness(&cs, pack_field::<Fr>(&values)[0] + fe(delta));
            enforce_packed(&word, &vars).unwrap();
            assert_eq!(cs.is_satisfied().unwrap(), expect, "delta {delta}");
        }
    }

    #[test]
    fn rejects_bad_counts() {
        let cs = cs();
        let w = witness(&cs, Fr::from(0u64));
        assert!(unpack_int8(&w, 0).is_err());
        assert!(unpack_int8(&w, 32).is_err());
        assert!(enforce_packed(&w, &[]).is_err());
    }
}
