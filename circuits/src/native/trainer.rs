//! Native fixed-point SGD for a one-hidden-layer MLP: the reference the training-step circuit must
//! reproduce bit for bit (see `docs/training.md`).
//!
//! Everything is integer arithmetic with one rounding rule,
//! [`rshift_round(v, s)`](crate::native::quant::rshift_round) `= floor((v + 2^(s−1)) / 2^s)` (the
//! requantization rule of inference, with multiplier 1), and predictions take the first maximum
//! ([`crate::native::quant::first_max`]):
//!
//! * weights and biases are signed fixed-point integers with [`TrainConfig::frac_bits`] fractional
//!   bits, kept inside `[−2^(weight_bits−1), 2^(weight_bits−1))`;
//! * forward: `a₁ = W₁·x + b₁`, `h = clamp(rshift_round(a₁, F), 0, 127)`,
//!   `y = rshift_round(W₂·h + b₂, F)`;
//! * loss: MSE against `target · onehot(label)`: the error is `e = y − t` (the factor 2/B of the
//!   gradient is folded into the learning-rate shifts);
//! * backward: `dW₂ = Σ e ⊗ h`, `db₂ = Σ e`, `g = rshift_round(W₂ᵀ·e, F) ⊙ [0 < h < 127]`,
//!   `dW₁ = Σ g ⊗ x`, `db₁ = Σ g` (sums over the batch);
//! * update: `W ← W − rshift_round(dW, lr_shift)` per layer; a weight leaving its range makes the
//!   step fail ([`TrainError::Overflow`]) instead of wrapping or clamping, so the circuit can simply
//!   range-check the result.

use thiserror::Error;

use crate::native::quant::{first_max, rshift_round};

/// Training hyper-parameters (all public, part of the model's registration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainConfig {
    /// Fractional bits of weights and biases (`F`).
    pub frac_bits: u32,
    /// Bits of a weight or bias, sign included.
    pub weight_bits: u32,
    /// Learning-rate shift of the first layer's update.
    pub lr_shift1: u32,
    /// Learning-rate shift of the second layer's update.
    pub lr_shift2: u32,
    /// Value of the true class in the one-hot target (the logits' scale).
    pub target: i64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self { frac_bits: 8, weight_bits: 16, lr_shift1: 10, lr_shift2: 9, target: 64 }
    }
}

/// A training step that cannot be taken.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TrainError {
    /// A weight would leave its range.
    #[error("{layer} parameter {index} would become {value}, outside the {bits}-bit range")]
    Overflow {
        /// `w1`, `b1`, `w2` or `b2`.
        layer: &'static str,
        /// Index in that tensor.
        index: usize,
        /// The value it would take.
        value: i64,
        /// The range's bit width.
        bits: u32,
    },
    /// Shapes do not match.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// The batch is empty.
    #[error("empty batch")]
    EmptyBatch,
}

/// Parameters of an `inputs → hidden → classes` MLP, row-major (`w1` is `hidden × inputs`).
///
/// Relation to [`crate::QuantModel`]: a `QuantModel` is a layered int8 network (int8 weights,
/// per-layer requantization by `m·2^−s` with zero points) for inference proofs; an `Mlp` is the
/// trainable model of the training and evaluation circuits, with `weight_bits`-bit fixed-point
/// weights and power-of-two rescales (multiplier 1, no zero point). Both use the rounding rule and
/// the first-maximum rule of [`crate::native::quant`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mlp {
    /// Input features.
    pub inputs: usize,
    /// Hidden units.
    pub hidden: usize,
    /// Classes.
    pub classes: usize,
    /// First layer weights.
    pub w1: Vec<i64>,
    /// First layer biases.
    pub b1: Vec<i64>,
    /// Second layer weights.
    pub w2: Vec<i64>,
    /// Second layer biases.
    pub b2: Vec<i64>,
}

/// A held-out score: correct predictions (first maximum of the logits equals the label) and the
/// summed squared error `Σ_samples Σ_o (y_o − target·[o = label])²` over `total` samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Score {
    /// Samples whose predicted class is the label.
    pub correct: u32,
    /// Samples evaluated.
    pub total: u32,
    /// Summed squared error (the MSE loss times `total · classes`).
    pub loss_sum: u64,
}

impl Score {
    /// `correct / total`.
    #[must_use]
    pub fn accuracy(&self) -> f64 {
        f64::from(self.correct) / f64::from(self.total)
    }
}

/// Activations of one forward pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Forward {
    /// Hidden activations in `[0, 127]`.
    pub h: Vec<i64>,
    /// Logits.
    pub y: Vec<i64>,
}

impl Mlp {
    /// Deterministic small random parameters (`seed`), for an under-trained start.
    #[must_use]
    pub fn seeded(inputs: usize, hidden: usize, classes: usize, seed: u64, cfg: &TrainConfig) -> Self {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        // Scale ~ 2^F / sqrt(fan-in · 64): keeps the first activations inside [0, 127] for int8 pixels.
        let one = 1i64 << cfg.frac_bits;
        let s1 = (one as f64 / ((inputs as f64).sqrt() * 8.0)).max(1.0) as i64;
        let s2 = (one as f64 / ((hidden as f64).sqrt() * 4.0)).max(1.0) as i64;
        Self {
            inputs,
            hidden,
            classes,
            w1: (0..inputs * hidden).map(|_| rng.gen_range(-s1..=s1)).collect(),
            b1: vec![0; hidden],
            w2: (0..hidden * classes).map(|_| rng.gen_range(-s2..=s2)).collect(),
            b2: vec![0; classes],
        }
    }

    /// Checks the tensor lengths.
    pub fn validate(&self) -> Result<(), TrainError> {
        let ok = self.w1.len() == self.inputs * self.hidden
            && self.b1.len() == self.hidden
            && self.w2.len() == self.hidden * self.classes
            && self.b2.len() == self.classes;
        if ok {
            Ok(())
        } else {
            Err(TrainError::Shape("tensor lengths do not match inputs/hidden/classes".into()))
        }
    }

    /// The forward pass on int8 features.
    pub fn forward(&self, x: &[i8], cfg: &TrainConfig) -> Result<Forward, TrainError> {
        if x.len() != self.inputs {
            return Err(TrainError::Shape(format!("{} features for a {}-input model", x.len(), self.inputs)));
        }
        let h: Vec<i64> = (0..self.hidden)
            .map(|j| {
                let row = &self.w1[j * self.inputs..(j + 1) * self.inputs];
                let a = row.iter().zip(x).map(|(w, &v)| w * i64::from(v)).sum::<i64>() + self.b1[j];
                rshift_round(a, cfg.frac_bits).clamp(0, 127)
            })
            .collect();
        let y = (0..self.classes)
            .map(|o| {
                let row = &self.w2[o * self.hidden..(o + 1) * self.hidden];
                rshift_round(row.iter().zip(&h).map(|(w, v)| w * v).sum::<i64>() + self.b2[o], cfg.frac_bits)
            })
            .collect();
        Ok(Forward { h, y })
    }

    /// The predicted class (first maximum).
    pub fn predict(&self, x: &[i8], cfg: &TrainConfig) -> Result<usize, TrainError> {
        Ok(first_max(&self.forward(x, cfg)?.y))
    }

    /// The held-out score of these weights on `samples` ([`Score`]): what the evaluation circuit
    /// proves ([`crate::eval`]).
    pub fn evaluate(&self, samples: &[crate::native::dataset::Sample], cfg: &TrainConfig) -> Result<Score, TrainError> {
        if samples.is_empty() || samples.len() > u32::MAX as usize {
            return Err(TrainError::Shape(format!("{} evaluation samples", samples.len())));
        }
        let mut score = Score { correct: 0, total: samples.len() as u32, loss_sum: 0 };
        for s in samples {
            if usize::from(s.label) >= self.classes {
                return Err(TrainError::Shape(format!("label {} for {} classes", s.label, self.classes)));
            }
            let y = self.forward(&s.features, cfg)?.y;
            score.correct += u32::from(first_max(&y) == usize::from(s.label));
            for (o, v) in y.iter().enumerate() {
                let e = v - if o == usize::from(s.label) { cfg.target } else { 0 };
                score.loss_sum += (e * e).unsigned_abs();
            }
        }
        Ok(score)
    }

    /// One SGD step on `batch` (features, label); returns the updated parameters.
    pub fn step(&self, batch: &[(&[i8], u8)], cfg: &TrainConfig) -> Result<Self, TrainError> {
        self.validate()?;
        if batch.is_empty() {
            return Err(TrainError::EmptyBatch);
        }
        let (d, hdim, c) = (self.inputs, self.hidden, self.classes);
        let (mut dw1, mut db1) = (vec![0i64; d * hdim], vec![0i64; hdim]);
        let (mut dw2, mut db2) = (vec![0i64; hdim * c], vec![0i64; c]);
        for (x, label) in batch {
            if usize::from(*label) >= c {
                return Err(TrainError::Shape(format!("label {label} for {c} classes")));
            }
            let f = self.forward(x, cfg)?;
            let e: Vec<i64> = (0..c).map(|o| f.y[o] - if o == usize::from(*label) { cfg.target } else { 0 }).collect();
            for o in 0..c {
                db2[o] += e[o];
                for j in 0..hdim {
                    dw2[o * hdim + j] += e[o] * f.h[j];
                }
            }
            for j in 0..hdim {
                if f.h[j] == 0 || f.h[j] == 127 {
                    continue;
                }
                let back: i64 = (0..c).map(|o| self.w2[o * hdim + j] * e[o]).sum();
                let g = rshift_round(back, cfg.frac_bits);
                db1[j] += g;
                for i in 0..d {
                    dw1[j * d + i] += g * i64::from(x[i]);
                }
            }
        }
        let update = |layer: &'static str, w: &[i64], dw: &[i64], shift: u32| -> Result<Vec<i64>, TrainError> {
            let bound = 1i64 << (cfg.weight_bits - 1);
            w.iter()
                .zip(dw)
                .enumerate()
                .map(|(index, (w, g))| {
                    let value = w - rshift_round(*g, shift);
                    if (-bound..bound).contains(&value) {
                        Ok(value)
                    } else {
                        Err(TrainError::Overflow { layer, index, value, bits: cfg.weight_bits })
                    }
                })
                .collect()
        };
        Ok(Self {
            inputs: d,
            hidden: hdim,
            classes: c,
            w1: update("w1", &self.w1, &dw1, cfg.lr_shift1)?,
            b1: update("b1", &self.b1, &db1, cfg.lr_shift1)?,
            w2: update("w2", &self.w2, &dw2, cfg.lr_shift2)?,
            b2: update("b2", &self.b2, &db2, cfg.lr_shift2)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_is_deterministic_and_moves_toward_the_target() {
        // A high learning rate (small shifts) so a toy model moves visibly.
        let cfg = TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() };
        let m = Mlp::seeded(8, 4, 3, 1, &cfg);
        let x: Vec<i8> = vec![100, 20, 0, 50, 127, 3, 60, 90];
        let batch = [(x.as_slice(), 2u8)];
        let a = m.step(&batch, &cfg).unwrap();
        assert_eq!(a, m.step(&batch, &cfg).unwrap());
        // Many steps on one sample drive its error down.
        let err = |m: &Mlp| {
            let y = m.forward(&x, &cfg).unwrap().y;
            (0..3).map(|o| (y[o] - if o == 2 { cfg.target } else { 0 }).abs()).sum::<i64>()
        };
        let mut t = m.clone();
        for _ in 0..100 {
            t = t.step(&batch, &cfg).unwrap();
        }
        assert!(err(&t) < err(&m), "{} !< {}", err(&t), err(&m));
    }

    #[test]
    fn bad_inputs_are_named() {
        let cfg = TrainConfig::default();
        let m = Mlp::seeded(8, 4, 3, 1, &cfg);
        assert_eq!(m.step(&[], &cfg), Err(TrainError::EmptyBatch));
        let x = [0i8; 7];
        assert!(matches!(m.step(&[(&x, 0)], &cfg), Err(TrainError::Shape(_))));
        let x = [0i8; 8];
        assert!(matches!(m.step(&[(&x, 3)], &cfg), Err(TrainError::Shape(_))));
        let mut big = m.clone();
        big.b2[1] = (1 << 15) - 1;
        let x = [127i8; 8];
        let cfg = TrainConfig { lr_shift1: 60, lr_shift2: 0, target: 1 << 20, ..cfg };
        let r = big.step(&[(&x, 1)], &cfg);
        assert!(matches!(r, Err(TrainError::Overflow { layer: "w2", .. })), "{r:?}");
        assert!(r.unwrap_err().to_string().contains("outside the 16-bit range"));
    }
}
