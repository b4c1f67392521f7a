//! Float models: what is imported, before quantization.

/// One layer of a float model.
#[derive(Clone, Debug, PartialEq)]
pub enum FloatLayer {
    /// `y = W·x + b`, optionally followed by ReLU.
    Dense {
        /// Input width.
        in_features: usize,
        /// Output width.
        out_features: usize,
        /// Row-major `out × in` weights.
        weights: Vec<f32>,
        /// Biases.
        bias: Vec<f32>,
        /// Whether a ReLU follows.
        relu: bool,
    },
}

/// A float model: a chain of layers on a flat input vector.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatModel {
    /// Graph name.
    pub name: String,
    /// Input width.
    pub input_len: usize,
    /// Layers in order.
    pub layers: Vec<FloatLayer>,
}

impl FloatModel {
    /// Runs the model, returning every layer's output (the last is the model output).
    #[must_use]
    pub fn forward_all(&self, input: &[f32]) -> Vec<Vec<f32>> {
        let mut outs = Vec::with_capacity(self.layers.len());
        let mut x = input.to_vec();
        for layer in &self.layers {
            let FloatLayer::Dense { in_features, out_features, weights, bias, relu } = layer;
            x = (0..*out_features)
                .map(|o| {
                    let row = &weights[o * in_features..(o + 1) * in_features];
                    let v = bias[o] + row.iter().zip(&x).map(|(w, a)| w * a).sum::<f32>();
                    if *relu { v.max(0.0) } else { v }
                })
                .collect();
            outs.push(x.clone());
        }
        outs
    }

    /// Runs the model.
    #[must_use]
    pub fn forward(&self, input: &[f32]) -> Vec<f32> {
        self.forward_all(input).pop().unwrap_or_default()
    }
}

/// Index of the first maximum.
#[must_use]
pub fn argmax_f32(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
