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
    /// 2-D convolution with zero padding, optionally followed by ReLU.
    Conv2d {
        /// Input channels.
        in_channels: usize,
        /// Output channels.
        out_channels: usize,
        /// Kernel `[h, w]`.
        kernel: [usize; 2],
        /// Stride `[v, h]`.
        stride: [usize; 2],
        /// Padding `[top = bottom, left = right]`.
        padding: [usize; 2],
        /// `[out][in][kh][kw]` weights.
        weights: Vec<f32>,
        /// Biases.
        bias: Vec<f32>,
        /// Whether a ReLU follows.
        relu: bool,
    },
    /// Max pooling.
    MaxPool {
        /// Window.
        kernel: [usize; 2],
        /// Stride.
        stride: [usize; 2],
    },
    /// Average pooling.
    AvgPool {
        /// Window.
        kernel: [usize; 2],
        /// Stride.
        stride: [usize; 2],
    },
    /// Reshape to a vector.
    Flatten,
}

/// A float model: a chain of layers on a flat input vector.
#[derive(Clone, Debug, PartialEq)]
pub struct FloatModel {
    /// Graph name.
    pub name: String,
    /// Input width.
    pub input_len: usize,
    /// Input shape without the batch dimension (`[C, H, W]` for images, else `[input_len]`).
    pub input_shape: Vec<usize>,
    /// Layers in order.
    pub layers: Vec<FloatLayer>,
}

fn conv_out(size: usize, k: usize, s: usize, p: usize) -> usize {
    (size + 2 * p - k) / s + 1
}

impl FloatModel {
    /// Runs the model, returning every layer's output (the last is the model output).
    #[must_use]
    pub fn forward_all(&self, input: &[f32]) -> Vec<Vec<f32>> {
        let mut outs = Vec::with_capacity(self.layers.len());
        let mut x = input.to_vec();
        let mut shape = self.input_shape.clone();
        for layer in &self.layers {
            match layer {
                FloatLayer::Dense { in_features, out_features, weights, bias, relu } => {
                    x = (0..*out_features)
                        .map(|o| {
                            let row = &weights[o * in_features..(o + 1) * in_features];
                            let v = bias[o] + row.iter().zip(&x).map(|(w, a)| w * a).sum::<f32>();
                            if *relu {
                                v.max(0.0)
                            } else {
                                v
                            }
                        })
                        .collect();
                    shape = vec![*out_features];
                }
                FloatLayer::Conv2d { in_channels, out_channels, kernel, stride, padding, weights, bias, relu } => {
                    let (h, w) = (shape[1], shape[2]);
                    let (oh, ow) =
                        (conv_out(h, kernel[0], stride[0], padding[0]), conv_out(w, kernel[1], stride[1], padding[1]));
                    let mut y = Vec::with_capacity(out_channels * oh * ow);
                    for o in 0..*out_channels {
                        for oy in 0..oh {
                            for ox in 0..ow {
                                let mut acc = bias[o];
                                for i in 0..*in_channels {
                                    for ky in 0..kernel[0] {
                                        let Some(iy) = (oy * stride[0] + ky).checked_sub(padding[0]).filter(|&v| v < h)
                                        else {
                                            continue;
                                        };
                                        for kx in 0..kernel[1] {
                                            let Some(ix) =
                                                (ox * stride[1] + kx).checked_sub(padding[1]).filter(|&v| v < w)
                                            else {
                                                continue;
                                            };
                                            acc += weights[((o * in_channels + i) * kernel[0] + ky) * kernel[1] + kx]
                                                * x[(i * h + iy) * w + ix];
                                        }
                                    }
                                }
                                y.push(if *relu { acc.max(0.0) } else { acc });
                            }
                        }
                    }
                    x = y;
                    shape = vec![*out_channels, oh, ow];
                }
                FloatLayer::MaxPool { kernel, stride } | FloatLayer::AvgPool { kernel, stride } => {
                    let (c, h, w) = (shape[0], shape[1], shape[2]);
                    let (oh, ow) = ((h - kernel[0]) / stride[0] + 1, (w - kernel[1]) / stride[1] + 1);
                    let is_max = matches!(layer, FloatLayer::MaxPool { .. });
                    let mut y = Vec::with_capacity(c * oh * ow);
                    for ch in 0..c {
                        for oy in 0..oh {
                            for ox in 0..ow {
                                let vals = (0..kernel[0])
                                    .flat_map(|ky| (0..kernel[1]).map(move |kx| (ky, kx)))
                                    .map(|(ky, kx)| x[(ch * h + oy * stride[0] + ky) * w + ox * stride[1] + kx]);
                                y.push(if is_max {
                                    vals.fold(f32::NEG_INFINITY, f32::max)
                                } else {
                                    vals.sum::<f32>() / (kernel[0] * kernel[1]) as f32
                                });
                            }
                        }
                    }
                    x = y;
                    shape = vec![c, oh, ow];
                }
                FloatLayer::Flatten => shape = vec![x.len()],
            }
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
