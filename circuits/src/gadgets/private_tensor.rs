//! Private (committed) tensors: int8 and int32 values allocated as witnesses through their bits.
//!
//! Each value is allocated as its offset bits (`v + 128` in 8 bits, `b + 2^31` in 32 bits), which both
//! range-checks it and makes the packed commitment words free linear combinations of the same bits.
//!
//! Cost: **8 constraints per int8 value**, **32 per int32 value** (booleanity); the values and words
//! are linear combinations (0 constraints). Hashing the words is [`super::poseidon`]'s cost.

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::lincomb::bits_to_fp;
use crate::native::packing::per_word;

/// A committed tensor in the circuit.
#[derive(Clone, Debug)]
pub struct PrivateTensor<F: PrimeField> {
    /// The values (signed), each range-checked.
    pub values: Vec<FpVar<F>>,
    /// The packed words the commitment hashes: `Σ (v + 2^(bits-1))·2^(bits·j)`.
    pub words: Vec<FpVar<F>>,
}

/// Allocates `count` signed values of `bits` bits (8 or 32) as witnesses.
pub fn alloc<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    values: Option<&[i64]>,
    count: usize,
    bits: u32,
) -> Result<PrivateTensor<F>, SynthesisError> {
    let offset = 1i64 << (bits - 1);
    let mut vals = Vec::with_capacity(count);
    let mut all_bits = Vec::with_capacity(count);
    for k in 0..count {
        let u = values.map(|v| (v[k] + offset) as u64);
        let b = (0..bits)
            .map(|i| {
                Boolean::new_witness(cs.clone(), || {
                    u.map(|u| (u >> i) & 1 == 1).ok_or(SynthesisError::AssignmentMissing)
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        vals.push(bits_to_fp(&b, 0)? - F::from(offset.unsigned_abs()));
        all_bits.push(b);
    }
    let words = all_bits
        .chunks(per_word(bits))
        .map(|chunk| {
            let flat: Vec<Boolean<F>> = chunk.iter().flatten().cloned().collect();
            bits_to_fp(&flat, 0)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PrivateTensor { values: vals, words })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{field::fe_to_i64, gadgets::test_util::cs, native::packing::words_native};
    use ark_bn254::Fr;
    use ark_r1cs_std::GR1CSVar;

    #[test]
    fn values_and_words_match_native_with_documented_cost() {
        let v8: Vec<i64> = vec![-128, -1, 0, 5, 127];
        let v32: Vec<i64> = vec![i64::from(i32::MIN), -7, 0, i64::from(i32::MAX)];
        for (vals, bits) in [(v8, 8u32), (v32, 32)] {
            let sys = cs();
            let t = alloc::<Fr>(&sys, Some(&vals), vals.len(), bits).unwrap();
            assert!(sys.is_satisfied().unwrap());
            assert_eq!(sys.num_constraints(), vals.len() * bits as usize);
            let got: Vec<i64> = t.values.iter().map(|v| fe_to_i64(v.value().unwrap())).collect();
            assert_eq!(got, vals);
            let words: Vec<Fr> = t.words.iter().map(|w| w.value().unwrap()).collect();
            assert_eq!(words, words_native::<Fr>(&vals, bits));
        }
    }

    #[test]
    fn non_boolean_bit_is_rejected() {
        let sys = cs();
        // 131 = 3 + 128: bits 0 and 1 set. Bit 0 := 3 and bit 1 := 0 keep the value 3 + 0·2 = 1 + 1·2:
        // only the booleanity constraint can catch it.
        let t = alloc::<Fr>(&sys, Some(&[3]), 1, 8).unwrap();
        assert!(sys.is_satisfied().unwrap());
        crate::gadgets::test_util::tamper_witness(&sys, 0, Fr::from(3u64));
        crate::gadgets::test_util::tamper_witness(&sys, 1, Fr::from(0u64));
        assert_eq!(fe_to_i64(t.values[0].value().unwrap()), 3);
        assert!(!sys.is_satisfied().unwrap());
    }
}
