//! The native reference engine: the integers the circuit proves, computed directly.

use crate::{
    error::{ModelError, Result},
    native::model::{Activation, Conv2dLayer, DenseLayer, Layer, PoolLayer, QuantModel, Requant},
    native::quant::{clamp, first_max, requantize},
};

/// Requantizes an accumulator: `clamp(floor((acc·m + 2^(s-1)) / 2^s) + zp, lo, 127)` with
/// `lo = zp` after ReLU (real zero) and `-128` otherwise.
#[must_use]
pub fn requant_out(acc: i64, r: Requant, activation: Activation) -> i8 {
    let q = requantize(acc, r.multiplier, r.shift) + i128::from(r.zero_point);
    if activation == Activation::Relu {
        // zp ∈ [-128, 127], so the clamp stays within int8.
        q.clamp(i128::from(r.zero_point), 127) as i8
    } else {
        clamp(q, false)
    }
}

/// Runs one dense layer on int8 activations with zero point `zp_in`.
#[must_use]
pub fn dense_forward(layer: &DenseLayer, x: &[i8], zp_in: i32) -> Vec<i8> {
    (0..layer.out_features)
        .map(|o| {
            let acc = layer.bias[o]
                + x.iter()
                    .enumerate()
                    .map(|(i, &v)| layer.weight(o, i) * (i64::from(v) - i64::from(zp_in)))
                    .sum::<i64>();
            requant_out(acc, layer.requant, layer.activation)
        })
        .collect()
}

/// Input coordinate read by output row/column `o` and kernel offset `k` (None inside the padding).
#[must_use]
pub fn source(o: usize, k: usize, stride: usize, pad: usize, size: usize) -> Option<usize> {
    (o * stride + k).checked_sub(pad).filter(|&v| v < size)
}

/// Runs a convolution on a `[C, H, W]` activation.
#[must_use]
pub fn conv_forward(c: &Conv2dLayer, x: &[i8], h: usize, w: usize, zp_in: i32) -> Vec<i8> {
    let (oh, ow) = c.out_hw(h, w);
    let mut out = Vec::with_capacity(c.out_channels * oh * ow);
    for o in 0..c.out_channels {
        for oy in 0..oh {
            for ox in 0..ow {
                let mut acc = c.bias[o];
                for i in 0..c.in_channels {
                    for ky in 0..c.kernel[0] {
                        let Some(y) = source(oy, ky, c.stride[0], c.padding[0], h) else { continue };
                        for kx in 0..c.kernel[1] {
                            let Some(xx) = source(ox, kx, c.stride[1], c.padding[1], w) else { continue };
                            acc += c.weight(o, i, ky, kx) * (i64::from(x[(i * h + y) * w + xx]) - i64::from(zp_in));
                        }
                    }
                }
                out.push(requant_out(acc, c.requant, c.activation));
            }
        }
    }
    out
}

/// The pooling windows of `x` (shape `[C, H, W]`) in output order (channel, row, column): the
/// native engine and the circuit pool over exactly these.
#[must_use]
pub fn windows<T: Clone>(p: &PoolLayer, x: &[T], shape: &[usize]) -> Vec<Vec<T>> {
    let (c, h, w) = (shape[0], shape[1], shape[2]);
    let (oh, ow) = p.out_hw(h, w);
    let mut out = Vec::with_capacity(c * oh * ow);
    for ch in 0..c {
        for oy in 0..oh {
            for ox in 0..ow {
                let mut v = Vec::with_capacity(p.kernel[0] * p.kernel[1]);
                for ky in 0..p.kernel[0] {
                    for kx in 0..p.kernel[1] {
                        v.push(x[(ch * h + oy * p.stride[0] + ky) * w + ox * p.stride[1] + kx].clone());
                    }
                }
                out.push(v);
            }
        }
    }
    out
}

/// `floor((Σ + ⌊k/2⌋) / k)`: average with round half up.
#[must_use]
pub fn avg_round(values: &[i8]) -> i8 {
    let k = values.len() as i64;
    let s: i64 = values.iter().map(|&v| i64::from(v)).sum();
    // The average of int8 values is within [-128, 127].
    (s + k / 2).div_euclid(k) as i8
}

fn pool_forward(p: &PoolLayer, x: &[i8], shape: &[usize], max: bool) -> Vec<i8> {
    windows(p, x, shape)
        .iter()
        .map(|win| if max { win.iter().copied().max().unwrap_or(0) } else { avg_round(win) })
        .collect()
}

/// Runs the model on an int8 input and returns the int8 output (logits, or a class with Argmax).
pub fn forward(model: &QuantModel, input: &[i8]) -> Result<Vec<i8>> {
    if input.len() != model.input_len {
        return Err(ModelError::InputLength { got: input.len(), expected: model.input_len });
    }
    let shapes = model.shapes()?;
    let zps = model.input_zero_points();
    let mut x = input.to_vec();
    for ((layer, shape), &zp) in model.layers.iter().zip(&shapes).zip(&zps) {
        x = match layer {
            Layer::Dense(d) => dense_forward(d, &x, zp),
            Layer::Conv2d(c) => conv_forward(c, &x, shape[1], shape[2], zp),
            Layer::MaxPool(p) => pool_forward(p, &x, shape, true),
            Layer::AvgPool(p) => pool_forward(p, &x, shape, false),
            Layer::Flatten => x,
            // At most 128 inputs (validated), so the index fits an int8.
            Layer::Argmax => vec![argmax(&x) as i8],
        };
    }
    Ok(x)
}

/// The Argmax layer: index of the first maximum (ties go to the lowest index), as the on-chain
/// consumer computes it ([`first_max`], the rule the trainer's predictions also use).
#[must_use]
pub fn argmax(values: &[i8]) -> usize {
    first_max(values)
}
