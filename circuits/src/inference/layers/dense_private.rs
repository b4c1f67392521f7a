//! Dense layer with private weights: int8 weights and biases are witnesses (committed elsewhere by
//! [`crate::gadgets::poseidon`]), and several products share one field multiplication.
//!
//! **Packed MACs.** The `k` neurons of a group share their inputs, so their weights for input `i`
//! are packed into one field element `Wᵢ = Σⱼ w_{oⱼ,i}·B^j` (a free linear combination), and one
//! multiplication `xᵢ·Wᵢ` yields `k` products at once: `P = Σᵢ xᵢ·Wᵢ = Σⱼ dotⱼ·B^j`.
//!
//! **Unpacking for free.** Each neuron's requantization already decomposes its offset value
//! `Tⱼ = m·dotⱼ + Kⱼ` (with `Kⱼ = m·bⱼ + 2^(s-1) + 2^(n-1)`) into `n` bits. One equality per group,
//! `Σⱼ (Tⱼ − Kⱼ)·B^j = m·P`, ties them to the products. With `B = 2^(n+2)` every digit on both sides
//! lies in `(−B/2, B/2)` and `k·(n+2) < 252`, so both sides are integers below `p/2` in absolute value
//! with unique balanced base-`B` digits: the field equality forces `Tⱼ − Kⱼ = m·dotⱼ` for every `j`.
//!
//! Cost: **`in/k + 1/in` constraints per MAC** (one multiplication per input and group, one
//! equality per group), plus per neuron `n + 5` (ReLU) or `n + 9` requantization; `n` comes from
//! worst-case bounds (`|w|, |x| ≤ 128`, `|b| < 2^(bias_bits-1)`), since the weights are secret.

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar, GR1CSVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::{
    field::signed_to_field,
    gadgets::{
        bits::le_bits,
        lincomb::weighted_sum,
        requant::{offset, requantize_zp},
    },
    native::model::{bias_bits_of, max_abs_centered, requant_bits_for, DenseLayer},
};

/// Bits of a private bias: enough for the layer's largest |b| plus sign (public architecture).
#[must_use]
pub fn bias_bits(layer: &DenseLayer) -> u32 {
    bias_bits_of(&layer.bias)
}

/// Requantization width for private weights (worst case over all int8 weights).
#[must_use]
pub fn private_requant_bits(layer: &DenseLayer, zp_in: i32) -> u32 {
    let bound = (1u128 << (bias_bits(layer) - 1)) + layer.in_features as u128 * 128 * max_abs_centered(zp_in);
    requant_bits_for(bound, layer.requant)
}

/// Neurons per packed group for requantization width `n`.
#[must_use]
pub fn group_size(n: u32) -> usize {
    (250 / (n as usize + 2)).max(1)
}

/// Proves one dense layer with private `weights` (row-major `out × in`) and `bias` witnesses.
pub fn dense_private<F: PrimeField>(
    layer: &DenseLayer,
    weights: &[FpVar<F>],
    bias: &[FpVar<F>],
    x: &[FpVar<F>],
    zp_in: i32,
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    let (inn, out) = (layer.in_features, layer.out_features);
    let n = private_requant_bits(layer, zp_in);
    let k = group_size(n);
    let m = F::from(u64::from(layer.requant.multiplier));
    let base = F::from(2u64).pow([u64::from(n + 2)]);
    let offset = offset::<F>(n, layer.requant);
    // Inputs centred on their zero point (a free linear combination).
    let zp = signed_to_field::<F>(i128::from(zp_in));
    let xc: Vec<FpVar<F>> = x.iter().map(|v| v - zp).collect();
    let x = xc.as_slice();
    let cs = x.iter().chain(weights).fold(ConstraintSystemRef::None, |cs, v| cs.or(v.cs()));
    let mut outputs = Vec::with_capacity(out);
    for group in (0..out).collect::<Vec<_>>().chunks(k) {
        // P = Σᵢ xᵢ · (Σⱼ w_{oⱼ,i} B^j): one multiplication per input.
        let mut products = Vec::with_capacity(inn);
        for (i, xi) in x.iter().enumerate() {
            let mut pw = F::ONE;
            let mut terms = Vec::with_capacity(group.len());
            for &o in group {
                terms.push((pw, weights[o * inn + i].clone()));
                pw *= base;
            }
            products.push((m, xi * &weighted_sum(&terms, F::ZERO)?));
        }
        let m_p = weighted_sum(&products, F::ZERO)?;
        // Each neuron's offset value T = m·dot + K, allocated and decomposed by its requantization.
        let mut lhs = Vec::with_capacity(2 * group.len());
        let mut pw = F::ONE;
        for &o in group {
            let k_o = weighted_sum(&[(m, bias[o].clone())], offset)?;
            let t_val = (|| -> Result<F, SynthesisError> {
                let mut dot = F::ZERO;
                for (i, xi) in x.iter().enumerate() {
                    dot += weights[o * inn + i].value()? * xi.value()?;
                }
                Ok(m * dot + k_o.value()?)
            })();
            let t = FpVar::new_witness(cs.clone(), || t_val)?;
            let hint = t_val.ok().map(|v| le_bits(v, n));
            outputs.push(requantize_zp(&t, n, layer.requant, layer.activation, hint)?);
            lhs.push((pw, t));
            lhs.push((-pw, k_o));
            pw *= base;
        }
        weighted_sum(&lhs, F::ZERO)?.enforce_equal(&m_p)?;
    }
    Ok(outputs)
}
