//! The evaluation circuit's shape and its exact constraint count.

use crate::{
    gadgets::packed_dense,
    mlp::shape::{MlpDims, Widths},
    native::{
        packing::{per_word, VALUES_PER_WORD},
        trainer::TrainConfig,
    },
    statement::payee::ADDRESS_BITS,
};

/// The evaluation circuit's shape: the MLP's dimensions and the evaluation set's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalShape {
    /// Input features `d`.
    pub inputs: usize,
    /// Hidden units `H`.
    pub hidden: usize,
    /// Classes `C`.
    pub classes: usize,
    /// Evaluation samples `n` (the tree has `2^⌈log₂ n⌉` leaves).
    pub samples: usize,
}

impl EvalShape {
    /// The MLP's dimensions.
    #[must_use]
    pub fn dims(&self) -> MlpDims {
        MlpDims { inputs: self.inputs, hidden: self.hidden, classes: self.classes }
    }

    /// Depth of the evaluation set's tree.
    #[must_use]
    pub fn depth(&self) -> u32 {
        self.samples.next_power_of_two().trailing_zeros()
    }
}

/// Exact number of constraints of [`EvalCircuit`] (asserted by the tests; see the module doc).
#[must_use]
pub fn constraint_count(shape: &EvalShape, cfg: &TrainConfig) -> usize {
    let (d, h, c, n) = (shape.inputs, shape.hidden, shape.classes, shape.samples);
    let w = Widths::for_dims(&shape.dims(), cfg);
    let f = cfg.frac_bits as usize;
    let leaf = 240 + 243 * ((3 + d.div_ceil(VALUES_PER_WORD)).div_ceil(2) - 2);
    let per_sample = 8 * d // features
        + c + 1 // one-hot label
        + leaf
        + packed_dense::cost(h, d, w.hidden, cfg.frac_bits) + h * (w.hidden as usize + f + 9) // hidden layer
        + packed_dense::cost(c, h, w.logits, cfg.frac_bits) + c * (w.logits as usize + f + 1) // logits
        + (w.logits as usize + 1 + 3) * c + 1 // argmax
        + 2 // correct
        + c; // squared errors
    let params = shape.dims().params();
    let words = [d * h, h, h * c, c].iter().map(|&k| k.div_ceil(per_word(cfg.weight_bits))).sum::<usize>();
    let commit = 240 + 243 * ((3 + words).div_ceil(2) - 2) + 1;
    let tree = 480 * ((1usize << shape.depth()) - 1) + 1;
    n * per_sample + cfg.weight_bits as usize * params + commit + tree + (ADDRESS_BITS as usize + 1) + 1 + 2
}
