//! Linear combinations as single symbolic variables.
//!
//! Cost: **0 constraints**. Multiplying a variable by a circuit constant and adding are free in R1CS;
//! this builds `c + Σ kᵢ·xᵢ` as one linear combination instead of a chain of intermediate ones.

use ark_ff::PrimeField;
use ark_r1cs_std::{
    boolean::Boolean,
    fields::fp::{AllocatedFp, FpVar},
    GR1CSVar,
};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

/// The linear combination a field variable stands for.
pub fn lc_of<F: PrimeField>(x: &FpVar<F>) -> LinearCombination<F> {
    match x {
        FpVar::Constant(c) => LinearCombination(vec![(*c, Variable::One)]),
        FpVar::Var(v) => LinearCombination(vec![(F::ONE, v.variable)]),
    }
}

/// `constant + Σ kᵢ·xᵢ`, as one linear combination (0 constraints).
pub fn weighted_sum<F: PrimeField>(terms: &[(F, FpVar<F>)], constant: F) -> Result<FpVar<F>, SynthesisError> {
    let mut cs = ConstraintSystemRef::None;
    let mut value = Some(constant);
    for (k, x) in terms {
        cs = cs.or(x.cs());
        value = match (value, x.value()) {
            (Some(acc), Ok(v)) => Some(acc + *k * v),
            _ => None,
        };
    }
    if cs.is_none() {
        // Every term is a constant, so every value is known.
        return Ok(FpVar::Constant(value.unwrap_or(constant)));
    }
    let variable = cs.new_lc(|| {
        let mut lc = LinearCombination(vec![(constant, Variable::One)]);
        for (k, x) in terms {
            for (c, v) in lc_of(x).0 {
                lc.0.push((*k * c, v));
            }
        }
        lc.compactify();
        lc
    })?;
    Ok(FpVar::Var(AllocatedFp::new(value, variable, cs)))
}

/// `Σ 2^(offset+i)·bᵢ` over little-endian bits, as one linear combination (0 constraints).
pub fn bits_to_fp<F: PrimeField>(bits: &[Boolean<F>], offset: u32) -> Result<FpVar<F>, SynthesisError> {
    let mut power = F::from(2u64).pow([u64::from(offset)]);
    let mut terms = Vec::with_capacity(bits.len());
    for b in bits {
        terms.push((power, FpVar::from(b.clone())));
        power.double_in_place();
    }
    weighted_sum(&terms, F::ZERO)
}
