//! One sample in the circuit: int8 features and a one-hot label.

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::{
    gadgets::{lincomb::weighted_sum, private_tensor},
    native::dataset::Sample,
};

/// One sample in the circuit: int8 features (8-bit range checks), a one-hot label (Booleans summing
/// to 1) and the label `Σ o·onehotₒ` (free).
pub struct SampleVars<F: PrimeField> {
    /// The features.
    pub x: Vec<FpVar<F>>,
    /// The one-hot label.
    pub onehot: Vec<FpVar<F>>,
    /// The label as a number.
    pub label: FpVar<F>,
}

/// Allocates `sample` (`d` features, `c` classes): `8·d + c + 1` constraints.
pub fn alloc_sample<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    sample: Option<&Sample>,
    d: usize,
    c: usize,
) -> Result<SampleVars<F>, SynthesisError> {
    let features: Option<Vec<i64>> = sample.map(|s| s.features.iter().map(|&v| i64::from(v)).collect());
    let x = private_tensor::alloc(cs, features.as_deref(), d, 8)?.values;
    let onehot = (0..c)
        .map(|o| {
            Boolean::new_witness(cs.clone(), || {
                sample.map(|s| usize::from(s.label) == o).ok_or(SynthesisError::AssignmentMissing)
            })
            .map(FpVar::from)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ones: Vec<(F, FpVar<F>)> = onehot.iter().map(|b| (F::ONE, b.clone())).collect();
    weighted_sum(&ones, F::ZERO)?.enforce_equal(&FpVar::Constant(F::ONE))?;
    let classes: Vec<(F, FpVar<F>)> = onehot.iter().enumerate().map(|(o, b)| (F::from(o as u64), b.clone())).collect();
    let label = weighted_sum(&classes, F::ZERO)?;
    Ok(SampleVars { x, onehot, label })
}
