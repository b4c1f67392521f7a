//! The MLP's dimensions and the decomposition widths of its rescales.

use crate::native::{quant::bit_len, trainer::TrainConfig};

/// Dimensions of an `inputs → hidden → classes` MLP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MlpDims {
    /// Input features `d`.
    pub inputs: usize,
    /// Hidden units `H`.
    pub hidden: usize,
    /// Classes `C`.
    pub classes: usize,
}

impl MlpDims {
    /// Number of parameters (`d·H + H + H·C + C`).
    #[must_use]
    pub fn params(&self) -> usize {
        self.inputs * self.hidden + self.hidden + self.hidden * self.classes + self.classes
    }
}

/// Decomposition widths (quotient bits) of the three rescales, from worst-case bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Widths {
    /// Hidden pre-activations `rshift_round(W₁x + b₁, F)`.
    pub hidden: u32,
    /// Logits `rshift_round(W₂h + b₂, F)`.
    pub logits: u32,
    /// Back-propagated errors `rshift_round(W₂ᵀe, F)`.
    pub back: u32,
}

impl Widths {
    /// Widths such that every quotient lies in `[−2^(n−1), 2^(n−1))` for all weights in range and
    /// all int8 features.
    #[must_use]
    pub fn for_dims(dims: &MlpDims, cfg: &TrainConfig) -> Self {
        let w = 1u128 << (cfg.weight_bits - 1);
        let quotient = |acc: u128| (acc >> cfg.frac_bits) + 1;
        let width = |q: u128| (bit_len(q) + 1).max(9);
        let h = quotient(dims.inputs as u128 * w * 128 + w);
        let y = quotient(dims.hidden as u128 * w * 127 + w);
        let e = y + u128::from(cfg.target.unsigned_abs());
        let g = quotient(dims.classes as u128 * w * e);
        Self { hidden: width(h), logits: width(y), back: width(g) }
    }
}
