//! The payee: every mlproof statement binds its proof to one Ethereum address, carried in the high
//! bits of the statement's last public word, `word = low + address · 2^PAYEE_SHIFT`.
//!
//! `low` (packed output values, a step number, a sample count) stays below `2^88` and the address
//! below `2^160`, so the word stays below `2^248 < r` and the split is unique; the circuits
//! decompose the address into [`ADDRESS_BITS`] bits ([`PayeeVar`]) so that a proof verifies for no
//! other payee. The contracts rebuild the word as `low | uint256(uint160(msg.sender)) << 88`.

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::{
    field::to_be_bytes32,
    gadgets::{bits::decompose_le, lincomb::weighted_sum},
};

/// Bit offset of the payee address in a statement's last public word.
pub const PAYEE_SHIFT: u32 = 88;

/// Bits of an Ethereum address.
pub const ADDRESS_BITS: u32 = 160;

/// A 20-byte address as a field element (its big-endian integer; always < 2^160 < r).
#[must_use]
pub fn address_to_field<F: PrimeField>(address: &[u8; 20]) -> F {
    F::from_be_bytes_mod_order(address)
}

/// `2^PAYEE_SHIFT` as a field element.
#[must_use]
pub fn payee_factor<F: PrimeField>() -> F {
    F::from(2u64).pow([u64::from(PAYEE_SHIFT)])
}

/// The bound word `low + address · 2^88` (native side of [`PayeeVar::bind`]).
#[must_use]
pub fn bind_payee<F: PrimeField>(low: F, address: &[u8; 20]) -> F {
    low + address_to_field::<F>(address) * payee_factor::<F>()
}

/// Inverse of [`bind_payee`]: `(low, address)` with `low < 2^88`, or `None` if `word ≥ 2^248` (no
/// address fits).
#[must_use]
pub fn split_payee<F: PrimeField>(word: F) -> Option<(F, [u8; 20])> {
    let bytes = to_be_bytes32(word);
    // Bits 88..248 are bytes 1..21 of the big-endian word; bits 0..88 are bytes 21..32.
    let low_start = 32 - PAYEE_SHIFT as usize / 8;
    if bytes[0] != 0 {
        return None;
    }
    let address: [u8; 20] = bytes[low_start - 20..low_start].try_into().expect("20 bytes");
    Some((F::from_be_bytes_mod_order(&bytes[low_start..]), address))
}

/// The payee address inside a circuit: one witness, range-checked to [`ADDRESS_BITS`] bits, that
/// [`PayeeVar::bind`] adds to a statement's last word at bit [`PAYEE_SHIFT`]. The inference, the
/// training-step and the evaluation circuits all bind their payee through it.
#[derive(Clone, Debug)]
pub struct PayeeVar<F: PrimeField> {
    address: FpVar<F>,
}

impl<F: PrimeField> PayeeVar<F> {
    /// Allocates the address and range-checks it ([`PayeeVar::new_witness`] then
    /// [`PayeeVar::range_check`]): `ADDRESS_BITS + 1` constraints.
    pub fn alloc(cs: &ConstraintSystemRef<F>, address: Option<&[u8; 20]>) -> Result<Self, SynthesisError> {
        let payee = Self::new_witness(cs, address)?;
        payee.range_check()?;
        Ok(payee)
    }

    /// Allocates the address as a witness, not yet range-checked (0 constraints). For circuits that
    /// allocate other witnesses between the two (the training step's step number), keeping their
    /// variable order; call [`PayeeVar::range_check`] before relying on it.
    pub fn new_witness(cs: &ConstraintSystemRef<F>, address: Option<&[u8; 20]>) -> Result<Self, SynthesisError> {
        let address = FpVar::new_witness(cs.clone(), || {
            address.map(address_to_field::<F>).ok_or(SynthesisError::AssignmentMissing)
        })?;
        Ok(Self { address })
    }

    /// Decomposes the address into [`ADDRESS_BITS`] bits: `ADDRESS_BITS + 1` constraints.
    pub fn range_check(&self) -> Result<(), SynthesisError> {
        decompose_le(&self.address, ADDRESS_BITS)?;
        Ok(())
    }

    /// The bound word `constant + Σ kᵢ·lowᵢ + address · 2^88`, as one linear combination
    /// (0 constraints; the caller enforces it equal to the public word). The low part must be
    /// constrained below `2^88` by the caller for the split to be unique.
    pub fn bind(&self, low: &[(F, FpVar<F>)], constant: F) -> Result<FpVar<F>, SynthesisError> {
        let mut terms = low.to_vec();
        terms.push((payee_factor::<F>(), self.address.clone()));
        weighted_sum(&terms, constant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_ff::Field;
    use ark_r1cs_std::{eq::EqGadget, GR1CSVar};
    use ark_relations::gr1cs::ConstraintSystem;

    #[test]
    fn bind_and_split_are_inverse() {
        let address = [0xabu8; 20];
        let low = Fr::from(0x00ff_ffff_ffff_ffff_ffff_ffffu128);
        let word = bind_payee(low, &address);
        assert_eq!(word, low + Fr::from_be_bytes_mod_order(&address) * Fr::from(2u64).pow([88]));
        assert_eq!(split_payee(word), Some((low, address)));
        assert_eq!(split_payee(-Fr::from(1u64)), None);
    }

    #[test]
    fn the_gadget_binds_the_same_word() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let address = [0x11u8; 20];
        let payee = PayeeVar::alloc(&cs, Some(&address)).unwrap();
        assert_eq!(cs.num_constraints(), ADDRESS_BITS as usize + 1);
        let word = payee.bind(&[], Fr::from(64u64)).unwrap();
        assert_eq!(word.value().unwrap(), bind_payee(Fr::from(64u64), &address));
        word.enforce_equal(&FpVar::new_input(cs.clone(), || Ok(bind_payee(Fr::from(64u64), &address))).unwrap())
            .unwrap();
        assert!(cs.is_satisfied().unwrap());
    }
}
