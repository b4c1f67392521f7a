//! The evaluation circuit: proves the held-out score ([`crate::native::trainer::Score`]) of the weights committed in a head
//! on the whole evaluation set committed in `evalRoot`, computed exactly as [`crate::native::trainer::Mlp::evaluate`].
//!
//! Public inputs, in this order:
//! `[head, evalRoot, correct, lossSum, total + evaluator·2^88]`.
//! * `head` is the training head ([`crate::mlp::head`]): the same salted Poseidon
//!   commitment over the same range-checked packed parameters, so a score is bound to the exact
//!   weights a training step produced.
//! * `evalRoot` is the root of the [`crate::dataset::DatasetTree`] over the evaluation samples. The circuit hashes
//!   every sample into its leaf and rebuilds the whole tree (leaf `j` is sample `j mod n`, as
//!   [`crate::dataset::DatasetTree::new`] pads), so the score covers every sample of the committed set, each exactly
//!   once, in order — no sample can be skipped, repeated or swapped.
//! * `total` is the number of samples `n`, a circuit constant that the leaf hashes also absorb; the
//!   evaluator's address at bit [`crate::statement::PAYEE_SHIFT`] (160 bits, decomposed) binds the proof to its
//!   submitter, as every mlproof statement does.
//!
//! Per sample: the int8 features (8 bits each) and a one-hot label, the forward pass of the training
//! circuit (`a₁ = W₁x + b₁`, `h = clamp(rshift_round(a₁, F), 0, 127)`, `y = rshift_round(W₂h + b₂, F)`,
//! with the widths of [`crate::mlp::Widths::for_dims`]), the first maximum of the logits ([`crate::gadgets::argmax::argmax_bits`], ties
//! to the lowest index as natively), `correctₖ = [argmax = label]` ([`crate::gadgets::is_zero`]) and the squared
//! errors `Σ_o (y_o − target·onehot_o)²`. `correct` and `lossSum` are the sums over the samples.
//!
//! The exact count is [`shape::constraint_count`] (asserted by the tests).
//!
//! Files: [`shape`] (the shape and the exact constraint count), [`circuit`] (the circuit); the
//! statement is [`crate::statement::eval`], the shared MLP gadgetry [`crate::mlp`].

pub mod circuit;
pub mod shape;
#[cfg(test)]
mod tests;

pub use circuit::EvalCircuit;
pub use shape::{constraint_count, EvalShape};
