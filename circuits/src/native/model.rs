//! The quantized model format (`mlproof-quant-model`, version 1).
//!
//! A model is a JSON document:
//!
//! ```json
//! { "format": "mlproof-quant-model", "version": 1, "name": "slice-mlp", "input_len": 64,
//!   "layers": [ { "type": "dense", "in_features": 64, "out_features": 16,
//!                 "weights": [/* out_features × in_features, row-major, int8 */],
//!                 "bias": [/* out_features, int32 */],
//!                 "requant": { "multiplier": 1234, "shift": 16 },
//!                 "activation": "relu" } ] }
//! ```
//!
//! Inputs and activations are int8; see [`crate::native::quant`] for the exact arithmetic. Loading validates
//! every shape and range and names the layer at fault.

use serde::{Deserialize, Serialize};

use crate::{
    error::{ModelError, Result},
    native::quant::bit_len,
};

/// The `format` tag of a model file.
pub const MODEL_FORMAT: &str = "mlproof-quant-model";
/// The model format version this build reads and writes.
pub const MODEL_FORMAT_VERSION: u32 = 1;
/// Largest requantization bit width the circuit accepts (keeps every decomposition far below the
/// 254-bit field, so no sum of bits can wrap).
pub const MAX_REQUANT_BITS: u32 = 200;
/// Largest magnitude of an int8 activation, used for static accumulator bounds.
pub const MAX_ABS_ACTIVATION: u128 = 128;

/// Activation applied after requantization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `y = clamp(q, 0, 127)`.
    Relu,
    /// `y = clamp(q, -128, 127)`.
    None,
}

/// Requantization parameters: the real scale `M ≈ multiplier · 2^-shift`, and the zero point of
/// the layer's int8 output (`real = scale · (y − zero_point)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requant {
    /// Integer multiplier `m`, 1 ≤ m < 2^31.
    pub multiplier: u32,
    /// Right shift `s`, 1 ≤ s ≤ 62.
    pub shift: u32,
    /// Output zero point in [-128, 127] (omitted when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub zero_point: i32,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(v: &i32) -> bool {
    *v == 0
}

/// A fully connected layer: `y = act(requant(W·x + b))`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DenseLayer {
    /// Input width.
    pub in_features: usize,
    /// Output width.
    pub out_features: usize,
    /// Row-major `out_features × in_features` int8 weights.
    pub weights: Vec<i64>,
    /// `out_features` int32 biases.
    pub bias: Vec<i64>,
    /// Requantization of the accumulator back to int8.
    pub requant: Requant,
    /// Activation after requantization.
    pub activation: Activation,
}

/// A 2-D convolution over a `[C, H, W]` activation: `y = act(requant(conv(x, W) + b))`, zero padding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conv2dLayer {
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Kernel `[height, width]`.
    pub kernel: [usize; 2],
    /// Stride `[vertical, horizontal]`.
    pub stride: [usize; 2],
    /// Zero padding `[top = bottom, left = right]`.
    pub padding: [usize; 2],
    /// int8 weights, `[out][in][kh][kw]` row-major.
    pub weights: Vec<i64>,
    /// `out_channels` int32 biases.
    pub bias: Vec<i64>,
    /// Requantization of the accumulator back to int8.
    pub requant: Requant,
    /// Activation after requantization.
    pub activation: Activation,
}

/// A pooling window over a `[C, H, W]` activation (no padding).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolLayer {
    /// Window `[height, width]`.
    pub kernel: [usize; 2],
    /// Stride `[vertical, horizontal]`.
    pub stride: [usize; 2],
}

/// A layer of the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Layer {
    /// A dense (fully connected) layer; any input shape is read flat.
    Dense(DenseLayer),
    /// A 2-D convolution.
    Conv2d(Conv2dLayer),
    /// Max pooling.
    MaxPool(PoolLayer),
    /// Average pooling: `floor((Σ + ⌊k/2⌋) / k)` over the `k` window values (round half up).
    AvgPool(PoolLayer),
    /// Reshape to a flat vector (no arithmetic).
    Flatten,
    /// Index of the first maximum, as one int8 value (at most 128 inputs).
    Argmax,
}

/// A validated quantized model: int8 weights and activations with per-layer requantization
/// ([`Requant`]), for inference proofs.
///
/// Relation to [`crate::native::trainer::Mlp`]: an `Mlp` is the trainable model, a fixed
/// `inputs → hidden → classes` MLP with wider fixed-point weights (`weight_bits`, power-of-two
/// rescales, no zero points) that the training and evaluation circuits prove; a `QuantModel` is
/// any layered int8 network the inference circuit proves. Both round with
/// [`crate::native::quant::rshift_round`] and predict with [`crate::native::quant::first_max`];
/// there is no conversion between them in this crate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantModel {
    /// Always [`MODEL_FORMAT`].
    pub format: String,
    /// Always [`MODEL_FORMAT_VERSION`].
    pub version: u32,
    /// Human-readable name.
    pub name: String,
    /// Number of int8 input values.
    pub input_len: usize,
    /// Input shape, e.g. `[1, 8, 8]` for convolutions; empty means `[input_len]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_shape: Vec<usize>,
    /// Zero point of the int8 input (omitted when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub input_zero_point: i32,
    /// Layers, applied in order.
    pub layers: Vec<Layer>,
}

/// Requantization bit width for an accumulator bounded by `acc_bound` (see [`DenseLayer::requant_bits`]):
/// `|acc·m + 2^(s-1) + zp·2^s| < 2^(n-1)`.
#[must_use]
pub fn requant_bits_for(acc_bound: u128, requant: Requant) -> u32 {
    let zmax = acc_bound * u128::from(requant.multiplier)
        + (1u128 << (requant.shift - 1))
        + u128::from(requant.zero_point.unsigned_abs()) * (1u128 << requant.shift);
    (bit_len(zmax) + 1).max(requant.shift + 8)
}

/// Bits of a private (committed) bias vector: its largest `|b|` plus a sign bit, at least 2. Part of
/// the public architecture of private-weight circuits.
#[must_use]
pub fn bias_bits_of(bias: &[i64]) -> u32 {
    let max = bias.iter().map(|b| b.unsigned_abs()).max().unwrap_or(0);
    (bit_len(u128::from(max)) + 1).max(2)
}

/// Largest `|x − zp|` for an int8 activation `x` with zero point `zp`.
#[must_use]
pub fn max_abs_centered(zp: i32) -> u128 {
    MAX_ABS_ACTIVATION + u128::from(zp.unsigned_abs())
}

fn validate_requant(layer: usize, requant: Requant) -> Result<()> {
    let Requant { multiplier, shift, .. } = requant;
    let bad = |reason: String| ModelError::InvalidRequant { layer, reason };
    if multiplier == 0 || multiplier >= 1 << 31 {
        return Err(bad(format!("multiplier {multiplier} must be in [1, 2^31)")));
    }
    if !(1..=62).contains(&shift) {
        return Err(bad(format!("shift {shift} must be in [1, 62]")));
    }
    if !(-128..=127).contains(&requant.zero_point) {
        return Err(bad(format!("zero point {} must be in [-128, 127]", requant.zero_point)));
    }
    Ok(())
}

fn validate_values(layer: usize, weights: &[i64], bias: &[i64]) -> Result<()> {
    if let Some((index, &value)) = weights.iter().enumerate().find(|(_, w)| !(-128..=127).contains(*w)) {
        return Err(ModelError::WeightOutOfRange { layer, index, value });
    }
    if let Some((index, &value)) = bias.iter().enumerate().find(|(_, b)| i32::try_from(**b).is_err()) {
        return Err(ModelError::BiasOutOfRange { layer, index, value });
    }
    Ok(())
}

impl Conv2dLayer {
    /// Weight of output channel `o`, input channel `i`, kernel row `ky`, column `kx`.
    #[must_use]
    pub fn weight(&self, o: usize, i: usize, ky: usize, kx: usize) -> i64 {
        self.weights[((o * self.in_channels + i) * self.kernel[0] + ky) * self.kernel[1] + kx]
    }

    /// Static bound on `|bias + Σ w·(x − zp_in)|` for output channel `o` over all int8 inputs.
    #[must_use]
    pub fn acc_bound(&self, o: usize, zp_in: i32) -> u128 {
        let per = self.in_channels * self.kernel[0] * self.kernel[1];
        let sum: u128 = self.weights[o * per..(o + 1) * per].iter().map(|w| u128::from(w.unsigned_abs())).sum();
        u128::from(self.bias[o].unsigned_abs()) + sum * max_abs_centered(zp_in)
    }

    /// Requantization bit width of output channel `o` for input zero point `zp_in`.
    #[must_use]
    pub fn requant_bits(&self, o: usize, zp_in: i32) -> u32 {
        requant_bits_for(self.acc_bound(o, zp_in), self.requant)
    }

    /// Output `[height, width]` for an input of `[h, w]`.
    #[must_use]
    pub fn out_hw(&self, h: usize, w: usize) -> (usize, usize) {
        (
            (h + 2 * self.padding[0] - self.kernel[0]) / self.stride[0] + 1,
            (w + 2 * self.padding[1] - self.kernel[1]) / self.stride[1] + 1,
        )
    }
}

impl PoolLayer {
    /// Output `[height, width]` for an input of `[h, w]`.
    #[must_use]
    pub fn out_hw(&self, h: usize, w: usize) -> (usize, usize) {
        ((h - self.kernel[0]) / self.stride[0] + 1, (w - self.kernel[1]) / self.stride[1] + 1)
    }
}

impl DenseLayer {
    /// Weight of output `o` from input `i`.
    #[must_use]
    pub fn weight(&self, o: usize, i: usize) -> i64 {
        self.weights[o * self.in_features + i]
    }

    /// Static bound on `|bias + Σ w·(x − zp_in)|` over all int8 inputs.
    #[must_use]
    pub fn acc_bound(&self, o: usize, zp_in: i32) -> u128 {
        let row = &self.weights[o * self.in_features..(o + 1) * self.in_features];
        let sum: u128 = row.iter().map(|w| u128::from(w.unsigned_abs())).sum();
        u128::from(self.bias[o].unsigned_abs()) + sum * max_abs_centered(zp_in)
    }

    /// Bit width `n` of the requantization decomposition of neuron `o`: the offset value
    /// `acc·m + 2^(s-1) + 2^(n-1)` lies in `[0, 2^n)` for every int8 input, and `n ≥ s + 8`.
    #[must_use]
    pub fn requant_bits(&self, o: usize, zp_in: i32) -> u32 {
        requant_bits_for(self.acc_bound(o, zp_in), self.requant)
    }

    fn validate(&self, layer: usize, expected_in: usize, zp_in: i32) -> Result<()> {
        validate_requant(layer, self.requant)?;
        let shape = |what, got, expected| ModelError::Shape { layer, what, got, expected };
        if self.in_features != expected_in {
            return Err(shape("in_features", self.in_features, expected_in));
        }
        if self.out_features == 0 {
            return Err(shape("out_features", 0, 1));
        }
        // A mutated file may claim sizes whose product overflows: no weights list can match it.
        let n_weights = self
            .in_features
            .checked_mul(self.out_features)
            .ok_or_else(|| shape("weights length", self.weights.len(), usize::MAX))?;
        if self.weights.len() != n_weights {
            return Err(shape("weights length", self.weights.len(), n_weights));
        }
        if self.bias.len() != self.out_features {
            return Err(shape("bias length", self.bias.len(), self.out_features));
        }
        validate_values(layer, &self.weights, &self.bias)?;
        let bad = |reason: String| ModelError::InvalidRequant { layer, reason };
        for o in 0..self.out_features {
            let bits = self.requant_bits(o, zp_in);
            if bits > MAX_REQUANT_BITS {
                return Err(bad(format!(
                    "neuron {o} needs a {bits}-bit requantization range (max {MAX_REQUANT_BITS})"
                )));
            }
        }
        Ok(())
    }
}

impl Conv2dLayer {
    fn validate(&self, layer: usize, shape: &[usize], zp_in: i32) -> Result<Vec<usize>> {
        let shape_err = |what, got, expected| ModelError::Shape { layer, what, got, expected };
        let &[c, h, w] = shape else {
            return Err(shape_err("input rank (conv2d needs [C, H, W])", shape.len(), 3));
        };
        if c != self.in_channels {
            return Err(shape_err("in_channels", self.in_channels, c));
        }
        if self.out_channels == 0 || self.kernel.contains(&0) || self.stride.contains(&0) {
            return Err(shape_err("out_channels, kernel and stride (must be >= 1)", 0, 1));
        }
        if h + 2 * self.padding[0] < self.kernel[0] || w + 2 * self.padding[1] < self.kernel[1] {
            return Err(shape_err(
                "kernel (larger than the padded input)",
                self.kernel[0].max(self.kernel[1]),
                h.min(w),
            ));
        }
        let n = self.out_channels * self.in_channels * self.kernel[0] * self.kernel[1];
        if self.weights.len() != n {
            return Err(shape_err("weights length", self.weights.len(), n));
        }
        if self.bias.len() != self.out_channels {
            return Err(shape_err("bias length", self.bias.len(), self.out_channels));
        }
        validate_values(layer, &self.weights, &self.bias)?;
        validate_requant(layer, self.requant)?;
        for o in 0..self.out_channels {
            let bits = self.requant_bits(o, zp_in);
            if bits > MAX_REQUANT_BITS {
                return Err(ModelError::InvalidRequant {
                    layer,
                    reason: format!("channel {o} needs a {bits}-bit requantization range (max {MAX_REQUANT_BITS})"),
                });
            }
        }
        let (oh, ow) = self.out_hw(h, w);
        Ok(vec![self.out_channels, oh, ow])
    }
}

impl PoolLayer {
    fn validate(&self, layer: usize, shape: &[usize]) -> Result<Vec<usize>> {
        let shape_err = |what, got, expected| ModelError::Shape { layer, what, got, expected };
        let &[c, h, w] = shape else {
            return Err(shape_err("input rank (pooling needs [C, H, W])", shape.len(), 3));
        };
        if self.kernel.contains(&0) || self.stride.contains(&0) || self.kernel[0] > h || self.kernel[1] > w {
            return Err(shape_err(
                "pool kernel (must be >= 1 and fit the input)",
                self.kernel[0].max(self.kernel[1]),
                h.min(w),
            ));
        }
        if self.kernel[0] * self.kernel[1] > 1 << 16 {
            return Err(shape_err("pool window size", self.kernel[0] * self.kernel[1], 1 << 16));
        }
        let (oh, ow) = self.out_hw(h, w);
        Ok(vec![c, oh, ow])
    }
}

impl Layer {
    /// Validates the layer on an input of `shape` with zero point `zp_in`; returns its output shape.
    pub fn validate(&self, layer: usize, shape: &[usize], zp_in: i32) -> Result<Vec<usize>> {
        let len: usize = shape.iter().product();
        match self {
            Self::Dense(d) => {
                d.validate(layer, len, zp_in)?;
                Ok(vec![d.out_features])
            }
            Self::Conv2d(c) => c.validate(layer, shape, zp_in),
            Self::MaxPool(p) | Self::AvgPool(p) => p.validate(layer, shape),
            Self::Flatten => Ok(vec![len]),
            Self::Argmax => {
                if len == 0 || len > 128 {
                    return Err(ModelError::Shape {
                        layer,
                        what: "argmax input length (1..=128)",
                        got: len,
                        expected: 128,
                    });
                }
                Ok(vec![1])
            }
        }
    }
}

impl QuantModel {
    /// Builds and validates a model from dense layers.
    pub fn new(name: impl Into<String>, input_len: usize, layers: Vec<DenseLayer>) -> Result<Self> {
        let model = Self {
            format: MODEL_FORMAT.to_owned(),
            version: MODEL_FORMAT_VERSION,
            name: name.into(),
            input_len,
            input_shape: Vec::new(),
            input_zero_point: 0,
            layers: layers.into_iter().map(Layer::Dense).collect(),
        };
        model.validate()?;
        Ok(model)
    }

    /// Parses and validates a model file.
    pub fn from_json(json: &str) -> Result<Self> {
        let model: Self = serde_json::from_str(json).map_err(|e| ModelError::Parse(e.to_string()))?;
        model.validate()?;
        Ok(model)
    }

    /// The canonical serialization (the bytes the model commitment hashes).
    #[must_use]
    pub fn to_canonical_json(&self) -> String {
        // Serialization of plain structs, vectors and integers cannot fail.
        serde_json::to_string(self).expect("model serializes")
    }

    /// Checks format, version, shapes, value ranges and requantization parameters.
    pub fn validate(&self) -> Result<()> {
        if self.format != MODEL_FORMAT {
            return Err(ModelError::UnknownFormat { found: self.format.clone() });
        }
        if self.version != MODEL_FORMAT_VERSION {
            return Err(ModelError::UnsupportedVersion { found: self.version, supported: MODEL_FORMAT_VERSION });
        }
        if self.layers.is_empty() {
            return Err(ModelError::NoLayers);
        }
        if self.input_len == 0 {
            return Err(ModelError::Shape { layer: 0, what: "input_len", got: 0, expected: 1 });
        }
        self.shapes().map(|_| ())
    }

    /// The input shape (`[input_len]` unless given).
    #[must_use]
    pub fn in_shape(&self) -> Vec<usize> {
        if self.input_shape.is_empty() {
            vec![self.input_len]
        } else {
            self.input_shape.clone()
        }
    }

    /// Validates every layer and returns the input shape of each layer followed by the output shape.
    pub fn shapes(&self) -> Result<Vec<Vec<usize>>> {
        let first = self.in_shape();
        if first.iter().product::<usize>() != self.input_len {
            return Err(ModelError::Shape {
                layer: 0,
                what: "input_shape product",
                got: first.iter().product(),
                expected: self.input_len,
            });
        }
        if !(-128..=127).contains(&self.input_zero_point) {
            return Err(ModelError::InvalidRequant {
                layer: 0,
                reason: format!("input zero point {} must be in [-128, 127]", self.input_zero_point),
            });
        }
        let zps = self.input_zero_points();
        let mut shapes = vec![first];
        for (i, layer) in self.layers.iter().enumerate() {
            let next = layer.validate(i, shapes.last().expect("non-empty"), zps[i])?;
            shapes.push(next);
        }
        Ok(shapes)
    }

    /// Zero point of each layer's input: the model's input zero point, then each requantizing
    /// layer's output zero point (pooling and flatten keep it; argmax outputs a plain index).
    #[must_use]
    pub fn input_zero_points(&self) -> Vec<i32> {
        let mut zp = self.input_zero_point;
        let mut out = Vec::with_capacity(self.layers.len());
        for layer in &self.layers {
            out.push(zp);
            zp = match layer {
                Layer::Dense(d) => d.requant.zero_point,
                Layer::Conv2d(c) => c.requant.zero_point,
                Layer::Argmax => 0,
                _ => zp,
            };
        }
        out
    }

    /// Number of int8 output values (0 for an invalid model).
    #[must_use]
    pub fn output_len(&self) -> usize {
        self.shapes().ok().and_then(|s| s.last().map(|l| l.iter().product())).unwrap_or(0)
    }

    /// Number of multiply-accumulates in one inference (0 for an invalid model).
    #[must_use]
    pub fn macs(&self) -> usize {
        let Ok(shapes) = self.shapes() else { return 0 };
        self.layers
            .iter()
            .zip(&shapes[1..])
            .map(|(l, out)| match l {
                Layer::Dense(d) => d.in_features * d.out_features,
                Layer::Conv2d(c) => out.iter().product::<usize>() * c.in_channels * c.kernel[0] * c.kernel[1],
                _ => 0,
            })
            .sum()
    }

    /// Checks an input vector's length and int8 range and converts it.
    pub fn check_input(&self, input: &[i64]) -> Result<Vec<i8>> {
        if input.len() != self.input_len {
            return Err(ModelError::InputLength { got: input.len(), expected: self.input_len });
        }
        input
            .iter()
            .enumerate()
            .map(|(index, &value)| i8::try_from(value).map_err(|_| ModelError::InputOutOfRange { index, value }))
            .collect()
    }
}
