//! The payee binding in-circuit: the prover's address as one witness, range-checked to
//! [`ADDRESS_BITS`] bits and added to a statement's last public word at bit
//! [`crate::statement::PAYEE_SHIFT`]
//! ([`crate::statement::payee`] owns the layout and the native side).
//!
//! Cost: **`ADDRESS_BITS + 1` = 161 constraints** (the decomposition); binding is a linear
//! combination (0 constraints).

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::{bits::decompose_le, lincomb::weighted_sum};
use crate::statement::payee::{address_to_field, payee_factor, ADDRESS_BITS};

/// The payee address inside a circuit: one witness, range-checked to [`ADDRESS_BITS`] bits, that
/// [`PayeeVar::bind`] adds to a statement's last word at bit [`crate::statement::PAYEE_SHIFT`]. The inference, the
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
    use crate::statement::payee::bind_payee;
    use ark_bn254::Fr;
    use ark_ff::Field;
    use ark_r1cs_std::{eq::EqGadget, GR1CSVar};
    use ark_relations::gr1cs::ConstraintSystem;

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

    /// A prover that binds one address but claims another public word, or that allocates an
    /// address wider than 160 bits to reach the output bits, does not satisfy the system.
    #[test]
    fn a_tampered_payee_is_rejected() {
        let address = [0x11u8; 20];
        let other = [0x12u8; 20];
        let cs = ConstraintSystem::<Fr>::new_ref();
        let payee = PayeeVar::alloc(&cs, Some(&address)).unwrap();
        let word = payee.bind(&[], Fr::from(64u64)).unwrap();
        word.enforce_equal(&FpVar::new_input(cs.clone(), || Ok(bind_payee(Fr::from(64u64), &other))).unwrap()).unwrap();
        assert!(!cs.is_satisfied().unwrap(), "another payee in the public word");

        // An "address" of 2^160 + a would move 2^248 into the word: the decomposition refuses it.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let wide = FpVar::new_witness(cs.clone(), || {
            Ok(address_to_field::<Fr>(&address) + Fr::from(2u64).pow([u64::from(ADDRESS_BITS)]))
        })
        .unwrap();
        let payee = PayeeVar { address: wide };
        payee.range_check().unwrap();
        assert!(!cs.is_satisfied().unwrap(), "an address wider than 160 bits");
    }
}
