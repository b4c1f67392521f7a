//! The native reference engine: the integers the circuit proves, computed directly.

use crate::{
    error::{ModelError, Result},
    model::{Activation, DenseLayer, Layer, QuantModel},
    quant::{clamp, requantize},
};

/// Runs one dense layer on int8 activations.
#[must_use]
pub fn dense_forward(layer: &DenseLayer, x: &[i8]) -> Vec<i8> {
    (0..layer.out_features)
        .map(|o| {
            let acc = layer.bias[o]
                + x.iter().enumerate().map(|(i, &v)| layer.weight(o, i) * i64::from(v)).sum::<i64>();
            let q = requantize(acc, layer.requant.multiplier, layer.requant.shift);
            clamp(q, layer.activation == Activation::Relu)
        })
        .collect()
}

/// Runs the model on an int8 input and returns the int8 output (logits).
pub fn forward(model: &QuantModel, input: &[i8]) -> Result<Vec<i8>> {
    if input.len() != model.input_len {
        return Err(ModelError::InputLength { got: input.len(), expected: model.input_len });
    }
    let mut x = input.to_vec();
    for layer in &model.layers {
        x = match layer {
            Layer::Dense(d) => dense_forward(d, &x),
        };
    }
    Ok(x)
}

/// Index of the first maximum (ties go to the lowest index), as the on-chain consumer computes it.
#[must_use]
pub fn argmax(values: &[i8]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}
