//! The training-step circuit's shape, the digit width of its packed `W₁` update and its exact
//! constraint count.

use crate::{
    gadgets::{batch_index::hashes_for, packed_dense},
    mlp::shape::{MlpDims, Widths},
    native::{
        packing::{per_word, VALUES_PER_WORD},
        quant::bit_len,
        trainer::TrainConfig,
    },
    statement::{payee::ADDRESS_BITS, train::STEP_BITS},
};

/// The circuit's shape: the MLP's dimensions and the batch size (fixed by the verifying key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainShape {
    /// Input features `d`.
    pub inputs: usize,
    /// Hidden units `H`.
    pub hidden: usize,
    /// Classes `C`.
    pub classes: usize,
    /// Samples per step `B`.
    pub batch: usize,
    /// SGD steps per proof `k ≥ 1` (each on its own batch; the weights between steps stay private).
    pub steps: usize,
    /// Depth of the data set tree when the samples' provenance is proven (see the module doc).
    pub depth: Option<u32>,
}

impl TrainShape {
    /// The MLP's dimensions.
    #[must_use]
    pub fn dims(&self) -> MlpDims {
        MlpDims { inputs: self.inputs, hidden: self.hidden, classes: self.classes }
    }

    /// Number of parameters (`d·H + H + H·C + C`).
    #[must_use]
    pub fn params(&self) -> usize {
        self.dims().params()
    }
}

/// Digit bits of the packed `W₁` update ([`packed_dense::enforce_packed_outer_update`]): bounds both
/// `|Σ_batch g·x| < B·2^(n_back−1)·2^7` and `|q|·2^lr + 2^lr < 2^(weight_bits + lr + 1)`.
#[must_use]
pub fn outer_digit_bits(shape: &TrainShape, cfg: &TrainConfig) -> u32 {
    let n = Widths::for_dims(&shape.dims(), cfg);
    (n.back + 7 + bit_len(shape.batch as u128)).max(cfg.weight_bits + cfg.lr_shift1 + 1)
}

/// Exact number of constraints of [`TrainStepCircuit`] (asserted by the tests; see the module doc).
#[must_use]
pub fn constraint_count(shape: &TrainShape, cfg: &TrainConfig) -> usize {
    let (d, h, c, b) = (shape.inputs, shape.hidden, shape.classes, shape.batch);
    let n = Widths::for_dims(&shape.dims(), cfg);
    let f = cfg.frac_bits as usize;
    let per_sample = 8 * d
        + c
        + 1
        + packed_dense::cost(h, d, n.hidden, cfg.frac_bits)
        + packed_dense::cost(c, h, n.logits, cfg.frac_bits)
        + 2 * h * c
        + h * (n.hidden as usize + f + 9 + n.back as usize + f + 2)
        + c * (n.logits as usize + f + 1);
    let wb = cfg.weight_bits as usize;
    let updates = packed_dense::outer_update_cost(h, d, b, cfg.lr_shift1, outer_digit_bits(shape, cfg))
        + h * (cfg.lr_shift1 as usize + 1)
        + (h * c + c) * (cfg.lr_shift2 as usize + 1);
    let words = [d * h, h, h * c, c].iter().map(|&k| k.div_ceil(per_word(cfg.weight_bits))).sum::<usize>();
    let perms = (3 + words).div_ceil(2);
    let commit = 240 + 243 * (perms - 2) + 1;
    let k = shape.steps;
    let provenance = shape.depth.map_or(0, |depth| {
        let leaf = 240 + 243 * ((3 + d.div_ceil(VALUES_PER_WORD)).div_ceil(2) - 2);
        (STEP_BITS + 1) as usize
            + (ADDRESS_BITS + 1) as usize
            + 1
            + k * (1120 * hashes_for(b, depth) + b * (leaf + 481 * depth as usize + 1))
    });
    k * (b * per_sample + updates) + (k + 1) * wb * shape.params() + 2 * commit + provenance
}
