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

/// Overwrites witness `i` with `v` and recomputes every cached linear-combination value, so
/// `is_satisfied` judges the tampered assignment (ark-relations caches LC values at creation).
pub fn tamper_witness(cs: &ConstraintSystemRef<Fr>, i: usize, v: Fr) {
    use ark_relations::gr1cs::Variable;
    let mut inner = cs.borrow_mut().unwrap();
    inner.assignments.witness_assignment[i] = v;
    for k in 0..inner.assignments.lc_assignment.len() {
        let lc = inner.get_lc(Variable::symbolic_lc(k));
        let value = lc.0.iter().map(|(c, var)| *c * inner.assigned_value(*var).unwrap()).sum();
        inner.assignments.lc_assignment[k] = value;
    }
}
