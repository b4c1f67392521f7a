//! Dense layer with public weights: the weights are circuit constants.
//!
//! Cost: **0 constraints per MAC** (constant · variable and sums are linear); per neuron only the
//! requantization ([`crate::gadgets::requant`]): `n + 5` with ReLU, `n + 9` without.

use ark_ff::PrimeField;
use ark_r1cs_std::{fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::SynthesisError;

use crate::{
    field::signed_to_field,
    gadgets::{
        bits::le_bits,
        lincomb::weighted_sum,
        requant::{offset, requantize_zp},
    },
    native::model::DenseLayer,
};

/// Proves one dense layer on int8 activations `x`; returns the constrained int8 outputs.
pub fn dense_public<F: PrimeField>(
    layer: &DenseLayer,
    x: &[FpVar<F>],
    zp_in: i32,
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    let m = i128::from(layer.requant.multiplier);
    (0..layer.out_features)
        .map(|o| {
            let n = layer.requant_bits(o, zp_in);
            let terms: Vec<(F, FpVar<F>)> = x
                .iter()
                .enumerate()
                .filter(|(i, _)| layer.weight(o, *i) != 0)
                .map(|(i, xi)| (signed_to_field(i128::from(layer.weight(o, i)) * m), xi.clone()))
                .collect();
            // Σ w·(x − zp) = Σ w·x − zp·Σ w: the zero point folds into the constant.
            let row_sum: i128 = (0..layer.in_features).map(|i| i128::from(layer.weight(o, i))).sum();
            let constant = signed_to_field::<F>((i128::from(layer.bias[o]) - i128::from(zp_in) * row_sum) * m)
                + offset::<F>(n, layer.requant);
            let t = weighted_sum(&terms, constant)?;
            let hint = t.value().ok().map(|v| le_bits(v, n));
            requantize_zp(&t, n, layer.requant, layer.activation, hint)
        })
        .collect()
}
