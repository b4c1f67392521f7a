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
//! Inputs and activations are int8; see [`crate::quant`] for the exact arithmetic. Loading validates
//! every shape and range and names the layer at fault.

use serde::{Deserialize, Serialize};

use crate::{
    error::{ModelError, Result},
    quant::bit_len,
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

/// Requantization parameters: the real scale `M ≈ multiplier · 2^-shift`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requant {
    /// Integer multiplier `m`, 1 ≤ m < 2^31.
    pub multiplier: u32,
    /// Right shift `s`, 1 ≤ s ≤ 62.
    pub shift: u32,
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

/// A layer of the model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Layer {
    /// A dense (fully connected) layer.
    Dense(DenseLayer),
}

/// A validated quantized model.
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
    /// Layers, applied in order.
    pub layers: Vec<Layer>,
}

impl DenseLayer {
    /// Weight of output `o` from input `i`.
    #[must_use]
    pub fn weight(&self, o: usize, i: usize) -> i64 {
        self.weights[o * self.in_features + i]
    }

    /// Static bound on `|bias + Σ w·x|` over all int8 inputs.
    #[must_use]
    pub fn acc_bound(&self, o: usize) -> u128 {
        let row = &self.weights[o * self.in_features..(o + 1) * self.in_features];
        let sum: u128 = row.iter().map(|w| u128::from(w.unsigned_abs())).sum();
        u128::from(self.bias[o].unsigned_abs()) + sum * MAX_ABS_ACTIVATION
    }

    /// Bit width `n` of the requantization decomposition of neuron `o`: the offset value
    /// `acc·m + 2^(s-1) + 2^(n-1)` lies in `[0, 2^n)` for every int8 input, and `n ≥ s + 8`.
    #[must_use]
    pub fn requant_bits(&self, o: usize) -> u32 {
        let Requant { multiplier, shift } = self.requant;
        let zmax = self.acc_bound(o) * u128::from(multiplier) + (1u128 << (shift - 1));
        (bit_len(zmax) + 1).max(shift + 8)
    }

    fn validate(&self, layer: usize, expected_in: usize) -> Result<()> {
        let shape = |what, got, expected| ModelError::Shape { layer, what, got, expected };
        if self.in_features != expected_in {
            return Err(shape("in_features", self.in_features, expected_in));
        }
        if self.out_features == 0 {
            return Err(shape("out_features", 0, 1));
        }
        let n_weights = self.in_features * self.out_features;
        if self.weights.len() != n_weights {
            return Err(shape("weights length", self.weights.len(), n_weights));
        }
        if self.bias.len() != self.out_features {
            return Err(shape("bias length", self.bias.len(), self.out_features));
        }
        if let Some((index, &value)) =
            self.weights.iter().enumerate().find(|(_, w)| !(-128..=127).contains(*w))
        {
            return Err(ModelError::WeightOutOfRange { layer, index, value });
        }
        if let Some((index, &value)) = self
            .bias
            .iter()
            .enumerate()
            .find(|(_, b)| i32::try_from(**b).is_err())
        {
            return Err(ModelError::BiasOutOfRange { layer, index, value });
        }
        let Requant { multiplier, shift } = self.requant;
        let bad = |reason: String| ModelError::InvalidRequant { layer, reason };
        if multiplier == 0 || multiplier >= 1 << 31 {
            return Err(bad(format!("multiplier {multiplier} must be in [1, 2^31)")));
        }
        if !(1..=62).contains(&shift) {
            return Err(bad(format!("shift {shift} must be in [1, 62]")));
        }
        for o in 0..self.out_features {
            let bits = self.requant_bits(o);
            if bits > MAX_REQUANT_BITS {
                return Err(bad(format!(
                    "neuron {o} needs a {bits}-bit requantization range (max {MAX_REQUANT_BITS})"
                )));
            }
        }
        Ok(())
    }
}

impl Layer {
    /// Output width of the layer.
    #[must_use]
    pub fn out_len(&self) -> usize {
        match self {
            Self::Dense(d) => d.out_features,
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
            layers: layers.into_iter().map(Layer::Dense).collect(),
        };
        model.validate()?;
        Ok(model)
    }

    /// Parses and validates a model file.
    pub fn from_json(json: &str) -> Result<Self> {
        let model: Self =
            serde_json::from_str(json).map_err(|e| ModelError::Parse(e.to_string()))?;
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
            return Err(ModelError::UnsupportedVersion {
                found: self.version,
                supported: MODEL_FORMAT_VERSION,
            });
        }
        if self.layers.is_empty() {
            return Err(ModelError::NoLayers);
        }
        if self.input_len == 0 {
            return Err(ModelError::Shape { layer: 0, what: "input_len", got: 0, expected: 1 });
        }
        let mut width = self.input_len;
        for (i, layer) in self.layers.iter().enumerate() {
            match layer {
                Layer::Dense(d) => d.validate(i, width)?,
            }
            width = layer.out_len();
        }
        Ok(())
    }

    /// Number of int8 output values.
    #[must_use]
    pub fn output_len(&self) -> usize {
        self.layers.last().map_or(0, Layer::out_len)
    }

    /// Number of multiply-accumulates in one inference.
    #[must_use]
    pub fn macs(&self) -> usize {
        self.layers
            .iter()
            .map(|l| match l {
                Layer::Dense(d) => d.in_features * d.out_features,
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
            .map(|(index, &value)| {
                i8::try_from(value).map_err(|_| ModelError::InputOutOfRange { index, value })
            })
            .collect()
    }
}
