//! Dense layer with public weights: the weights are circuit constants.
//!
//! Cost: **0 constraints per MAC** (constant · variable and sums are linear); per neuron only the
//! requantization ([`crate::gadgets::requant`]): `n + 5` with ReLU, `n + 9` without.

use ark_ff::PrimeField;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::{
    gadgets::{lincomb::weighted_sum, requant::requantize},
    model::DenseLayer,
    packing::signed_to_field,
};

/// Proves one dense layer on int8 activations `x`; returns the constrained int8 outputs.
pub fn dense_public<F: PrimeField>(layer: &DenseLayer, x: &[FpVar<F>]) -> Result<Vec<FpVar<F>>, SynthesisError> {
    let m = i128::from(layer.requant.multiplier);
    let s = layer.requant.shift;
    (0..layer.out_features)
        .map(|o| {
            let n = layer.requant_bits(o);
            let terms: Vec<(F, FpVar<F>)> = x
                .iter()
                .enumerate()
                .filter(|(i, _)| layer.weight(o, *i) != 0)
                .map(|(i, xi)| (signed_to_field(i128::from(layer.weight(o, i)) * m), xi.clone()))
                .collect();
            let constant = signed_to_field::<F>(i128::from(layer.bias[o]) * m)
                + F::from(2u64).pow([u64::from(s - 1)])
                + F::from(2u64).pow([u64::from(n - 1)]);
            let t = weighted_sum(&terms, constant)?;
            requantize(&t, n, s, layer.activation)
        })
        .collect()
}
