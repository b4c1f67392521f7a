//! Post-training quantization (PTQ), calibrated on sample inputs.
//!
//! Symmetric int8 throughout (zero points are 0):
//!
//! * weights: per layer, `s_w = max|W| / 127`, `W_q = round(W / s_w)`;
//! * activations: the input scale is given; each layer's output scale is `s_y = max|y| / 127` over the
//!   float model's outputs on the calibration set;
//! * biases: `b_q = round(b / (s_w · s_x))` in int32;
//! * requantization: `M = s_w · s_x / s_y` as `m · 2^-s` with `m` of `multiplier_bits` bits — enough
//!   precision for int8 outputs while keeping the circuit's bit decompositions short.

use mlproof_circuits::{
    native::model::{
        Activation, Conv2dLayer, DenseLayer, Layer, PoolLayer, QuantModel, Requant, MODEL_FORMAT, MODEL_FORMAT_VERSION,
    },
    ModelError,
};

use crate::{
    error::{ImportError, Result},
    float::{FloatLayer, FloatModel},
};

/// Quantization settings.
#[derive(Clone, Copy, Debug)]
pub struct QuantizeConfig {
    /// Real value of one input step: `x_q = round(x / input_scale)`.
    pub input_scale: f32,
    /// Bits of the requantization multiplier `m` (its top bit is set).
    pub multiplier_bits: u32,
    /// Quantize ReLU outputs asymmetrically: `[0, max]` onto all of `[-128, 127]` with zero point
    /// −128 (one more bit of resolution than the symmetric `[0, 127]`).
    pub asymmetric_relu: bool,
}

impl Default for QuantizeConfig {
    fn default() -> Self {
        Self { input_scale: 1.0 / 127.0, multiplier_bits: 12, asymmetric_relu: false }
    }
}

/// Quantizes one float input vector.
#[must_use]
pub fn quantize_input(x: &[f32], input_scale: f32) -> Vec<i8> {
    // Clamped to [-128, 127] before the narrowing cast.
    x.iter().map(|v| (v / input_scale).round().clamp(-128.0, 127.0) as i8).collect()
}

/// `M ≈ m · 2^-s` with `m ∈ [2^(bits-1), 2^bits)`, `1 ≤ s ≤ 62`.
fn multiplier(m_real: f64, bits: u32, layer: usize) -> Result<Requant> {
    let bad = |reason: String| ImportError::Model(ModelError::InvalidRequant { layer, reason });
    if !(m_real.is_finite() && m_real > 0.0) {
        return Err(bad(format!("scale ratio {m_real} is not positive")));
    }
    let s = (f64::from(bits) - 1.0 - m_real.log2().floor()) as i64;
    let s = s.clamp(1, 62);
    let m = (m_real * 2f64.powi(s as i32)).round();
    if !(1.0..f64::from(1u32 << 31)).contains(&m) {
        return Err(bad(format!("scale ratio {m_real} needs a multiplier outside [1, 2^31)")));
    }
    // m < 2^31 and 1 ≤ s ≤ 62 were just checked.
    Ok(Requant { multiplier: m as u32, shift: s as u32, zero_point: 0 })
}

/// Quantizes `float` using `calibration` inputs (float, as the float model expects them).
pub fn quantize(float: &FloatModel, calibration: &[Vec<f32>], cfg: QuantizeConfig) -> Result<QuantModel> {
    if calibration.is_empty() {
        return Err(ImportError::Dataset("quantization needs at least one calibration input".into()));
    }
    let outs: Vec<Vec<Vec<f32>>> = calibration.iter().map(|x| float.forward_all(x)).collect();
    let mut s_x = f64::from(cfg.input_scale);
    let mut layers = Vec::with_capacity(float.layers.len());
    for (li, layer) in float.layers.iter().enumerate() {
        let (weights, bias, relu) = match layer {
            FloatLayer::Dense { weights, bias, relu, .. } | FloatLayer::Conv2d { weights, bias, relu, .. } => {
                (weights, bias, *relu)
            }
            FloatLayer::MaxPool { kernel, stride } => {
                layers.push(Layer::MaxPool(PoolLayer { kernel: *kernel, stride: *stride }));
                continue;
            }
            FloatLayer::AvgPool { kernel, stride } => {
                layers.push(Layer::AvgPool(PoolLayer { kernel: *kernel, stride: *stride }));
                continue;
            }
            FloatLayer::Flatten => {
                layers.push(Layer::Flatten);
                continue;
            }
        };
        let max_w = weights.iter().fold(0f32, |m, w| m.max(w.abs()));
        let s_w = if max_w > 0.0 { f64::from(max_w) / 127.0 } else { 1.0 };
        let max_y = outs.iter().flat_map(|o| o[li].iter()).fold(0f32, |m, y| m.max(y.abs()));
        let asym = relu && cfg.asymmetric_relu;
        let levels = if asym { 255.0 } else { 127.0 };
        let s_y = if max_y > 0.0 { f64::from(max_y) / levels } else { 1.0 };
        // Rounded values are within int8 / int32 range by construction of the scales; the casts
        // saturate otherwise and validation reports it.
        let weights_q: Vec<i64> =
            weights.iter().map(|&w| (f64::from(w) / s_w).round().clamp(-127.0, 127.0) as i64).collect();
        let bias_q: Vec<i64> = bias.iter().map(|&b| (f64::from(b) / (s_w * s_x)).round() as i64).collect();
        let mut requant = multiplier(s_w * s_x / s_y, cfg.multiplier_bits, li)?;
        if asym {
            requant.zero_point = -128;
        }
        let activation = if relu { Activation::Relu } else { Activation::None };
        layers.push(match layer {
            FloatLayer::Dense { in_features, out_features, .. } => Layer::Dense(DenseLayer {
                in_features: *in_features,
                out_features: *out_features,
                weights: weights_q,
                bias: bias_q,
                requant,
                activation,
            }),
            FloatLayer::Conv2d { in_channels, out_channels, kernel, stride, padding, .. } => {
                Layer::Conv2d(Conv2dLayer {
                    in_channels: *in_channels,
                    out_channels: *out_channels,
                    kernel: *kernel,
                    stride: *stride,
                    padding: *padding,
                    weights: weights_q,
                    bias: bias_q,
                    requant,
                    activation,
                })
            }
            _ => unreachable!("pooling and flatten were handled above"),
        });
        s_x = s_y;
    }
    let model = QuantModel {
        format: MODEL_FORMAT.to_owned(),
        version: MODEL_FORMAT_VERSION,
        name: float.name.clone(),
        input_len: float.input_len,
        input_shape: if float.input_shape.len() > 1 { float.input_shape.clone() } else { Vec::new() },
        input_zero_point: 0,
        layers,
    };
    model.validate()?;
    Ok(model)
}
