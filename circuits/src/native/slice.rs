//! The "slice" model: a small deterministic int8 MLP (64 → 16 → 10, ReLU) used by the end-to-end
//! path before real trained models exist. Weights come from a seeded ChaCha20 stream; each layer's
//! requantization scale is calibrated on seeded sample inputs so activations use the int8 range.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

use crate::{
    error::Result,
    native::engine::dense_forward,
    native::model::{Activation, DenseLayer, QuantModel, Requant},
};

/// Seed of the slice model's weights.
pub const SLICE_SEED: u64 = 0x6d6c_7072_6f6f_6621;
/// Input width of the slice model (an 8×8 image).
pub const SLICE_INPUT: usize = 64;
/// Layer widths after the input.
pub const SLICE_LAYERS: [usize; 2] = [16, 10];
/// Shift used for every layer's requantization.
const SHIFT: u32 = 16;

/// Builds an MLP with seeded int8 weights and calibrated requantization.
pub fn random_mlp(name: &str, seed: u64, input_len: usize, widths: &[usize]) -> Result<QuantModel> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let calib: Vec<Vec<i8>> = (0..32).map(|_| sample_input_from(&mut rng, input_len)).collect();
    let mut layers = Vec::new();
    let mut acts = calib;
    let mut width = input_len;
    for (li, &out) in widths.iter().enumerate() {
        let last = li + 1 == widths.len();
        let weights: Vec<i64> = (0..out * width).map(|_| rng.gen_range(-64i64..=63)).collect();
        let bias: Vec<i64> = (0..out).map(|_| rng.gen_range(-512i64..=512)).collect();
        let mut layer = DenseLayer {
            in_features: width,
            out_features: out,
            weights,
            bias,
            requant: Requant { multiplier: 1, shift: SHIFT, zero_point: 0 },
            activation: if last { Activation::None } else { Activation::Relu },
        };
        // Calibrate: map the largest accumulator seen on the calibration inputs to ~100.
        let max_acc = acts
            .iter()
            .flat_map(|x| {
                (0..out).map(|o| {
                    (layer.bias[o] + x.iter().enumerate().map(|(i, &v)| layer.weight(o, i) * i64::from(v)).sum::<i64>())
                        .unsigned_abs()
                })
            })
            .max()
            .unwrap_or(1)
            .max(1);
        let m = ((100u128 << SHIFT) / u128::from(max_acc)).clamp(1, (1 << 31) - 1);
        layer.requant.multiplier = u32::try_from(m).unwrap_or(1);
        acts = acts.iter().map(|x| dense_forward(&layer, x, 0)).collect();
        layers.push(layer);
        width = out;
    }
    QuantModel::new(name, input_len, layers)
}

/// The slice model used by the demo and the foundation tests.
pub fn slice_model() -> Result<QuantModel> {
    random_mlp("slice-mlp", SLICE_SEED, SLICE_INPUT, &SLICE_LAYERS)
}

fn sample_input_from(rng: &mut ChaCha20Rng, len: usize) -> Vec<i8> {
    (0..len).map(|_| rng.gen_range(-128i16..=127) as i8).collect()
}

/// A deterministic sample input for a model of `len` inputs.
#[must_use]
pub fn sample_input(seed: u64, len: usize) -> Vec<i8> {
    sample_input_from(&mut ChaCha20Rng::seed_from_u64(seed), len)
}
