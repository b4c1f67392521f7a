//! Helpers for gadget tests.

use ark_bn254::Fr;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};

/// A fresh constraint system.
pub fn cs() -> ConstraintSystemRef<Fr> {
    ConstraintSystem::<Fr>::new_ref()
}

/// Allocates `v` as a witness.
pub fn witness(cs: &ConstraintSystemRef<Fr>, v: Fr) -> FpVar<Fr> {
    FpVar::new_witness(cs.clone(), || Ok(v)).unwrap()
}

/// An integer as a field element (negative values wrap to r - |v|).
pub fn fe(v: i128) -> Fr {
    if v >= 0 {
        Fr::from(v as u128)
    } else {
        -Fr::from(v.unsigned_abs())
    }
}
