//! 2-D convolution with public (constant) or private (witness) weights.
//!
//! Public weights: **0 constraints per MAC** (constants), then per output `n + 5` / `n + 9`
//! requantization. Private weights: **1 constraint per MAC** (one product per in-bounds tap; packing
//! as in [`super::dense_private`] is future work), the accumulator's bit width from worst-case bounds.

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
    native::engine::source,
    native::model::{bias_bits_of, max_abs_centered, requant_bits_for, Conv2dLayer},
};

/// Weights of a convolution: constants, or witnesses with their biases.
pub enum ConvWeights<'a, F: PrimeField> {
    /// Public: the model's own values.
    Public,
    /// Private: `[out][in][kh][kw]` weight and bias witnesses.
    Private(&'a [FpVar<F>], &'a [FpVar<F>]),
}

/// Bits of a private bias for the layer (largest |b| plus sign; public architecture).
#[must_use]
pub fn conv_bias_bits(c: &Conv2dLayer) -> u32 {
    bias_bits_of(&c.bias)
}

/// Proves a convolution on a `[C, H, W]` activation; returns `[O, H', W']` outputs.
pub fn conv<F: PrimeField>(
    c: &Conv2dLayer,
    x: &[FpVar<F>],
    h: usize,
    w: usize,
    weights: &ConvWeights<'_, F>,
    zp_in: i32,
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    let (oh, ow) = c.out_hw(h, w);
    let m = i128::from(c.requant.multiplier);
    let taps = c.in_channels * c.kernel[0] * c.kernel[1];
    let private_n =
        requant_bits_for((1u128 << (conv_bias_bits(c) - 1)) + taps as u128 * 128 * max_abs_centered(zp_in), c.requant);
    let zp = signed_to_field::<F>(i128::from(zp_in));
    let mut out = Vec::with_capacity(c.out_channels * oh * ow);
    for o in 0..c.out_channels {
        let n = match weights {
            ConvWeights::Public => c.requant_bits(o, zp_in),
            ConvWeights::Private(..) => private_n,
        };
        let offset = offset::<F>(n, c.requant);
        for oy in 0..oh {
            for ox in 0..ow {
                let mut terms = Vec::new();
                // Σ w over in-bounds taps: padding taps read the real zero, i.e. x − zp = 0.
                let mut tap_sum: i128 = 0;
                for i in 0..c.in_channels {
                    for ky in 0..c.kernel[0] {
                        let Some(y) = source(oy, ky, c.stride[0], c.padding[0], h) else { continue };
                        for kx in 0..c.kernel[1] {
                            let Some(xx) = source(ox, kx, c.stride[1], c.padding[1], w) else { continue };
                            let xi = &x[(i * h + y) * w + xx];
                            match weights {
                                ConvWeights::Public => {
                                    let wv = c.weight(o, i, ky, kx);
                                    tap_sum += i128::from(wv);
                                    if wv != 0 {
                                        terms.push((signed_to_field(i128::from(wv) * m), xi.clone()));
                                    }
                                }
                                ConvWeights::Private(wv, _) => {
                                    let idx = ((o * c.in_channels + i) * c.kernel[0] + ky) * c.kernel[1] + kx;
                                    terms.push((signed_to_field(m), &(xi - zp) * &wv[idx]));
                                }
                            }
                        }
                    }
                }
                let t = match weights {
                    ConvWeights::Public => weighted_sum(
                        &terms,
                        signed_to_field::<F>((i128::from(c.bias[o]) - i128::from(zp_in) * tap_sum) * m) + offset,
                    )?,
                    ConvWeights::Private(_, b) => {
                        terms.push((signed_to_field(m), b[o].clone()));
                        weighted_sum(&terms, offset)?
                    }
                };
                let hint = t.value().ok().map(|v| le_bits(v, n));
                out.push(requantize_zp(&t, n, c.requant, c.activation, hint)?);
            }
        }
    }
    Ok(out)
}
