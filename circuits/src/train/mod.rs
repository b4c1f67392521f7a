//! The training-step circuit: proves that one [`Mlp::step`] of [`crate::native::trainer`] (fixed-point SGD on
//! a batch of `B` samples) takes the weights committed in `headBefore` to those committed in
//! `headAfter`, bit for bit (`docs/training.md`).
//!
//! Public inputs, in this order: `[headBefore, headAfter]`, each
//! `Poseidon(tag, count, salt, words…)` ([`crate::gadgets::poseidon::commit_words`]) over the
//! parameters `w1, b1, w2, b2` as `weight_bits`-bit values packed `248 / weight_bits` per word, tensor
//! by tensor ([`crate::mlp::params`]); one salt witness serves both heads ([`head`] is the
//! native side). The weights, the batch (int8 features and labels) and the salt are private.
//!
//! **Data provenance** (when [`TrainShape::depth`] is set): three more public inputs,
//! `[datasetRoot, seed, step + prover·2^88]`. The batch indices are derived from `seed` and `step`
//! ([`crate::gadgets::batch_index`]) and sample `k` must be the leaf at index `k` of the tree with
//! `datasetRoot` ([`crate::gadgets::merkle`], its leaf hashing the same packed feature words and the
//! label `Σ o·onehotₒ`). The last word carries the step (64 bits) and the prover's address (160 bits)
//! at bit [`crate::statement::PAYEE_SHIFT`], as inference does: both are decomposed, so the split is unique, and a proof
//! verifies for no other payee. Without `depth` the statement is only "some batch of int8 samples
//! moves `headBefore` to `headAfter`".
//!
//! **k steps per proof** ([`TrainShape::steps`]): the weights between the steps are private and
//! range-checked like the others (not committed); step `step + i` trains on the batch that `seed`
//! and `step + i` select.
//!
//! What is constrained, per sample:
//! * features: 8 bits each ([`crate::gadgets::private_tensor::alloc`], also giving the packed words a membership
//!   proof would hash); label: a one-hot vector of `C` Booleans summing to 1;
//! * forward: `a₁ = W₁·x + b₁`, `h, mask = clamp(rshift_round(a₁, F))` (`n_h + F + 9` each) and
//!   `y = rshift_round(W₂·h + b₂, F)` (`n_y + F + 1` each), with packed products
//!   ([`crate::gadgets::packed_dense::dense_rshift_round_clamp`]: about `d·H/7 + H·C/8` multiplications instead of
//!   `d·H + H·C`); `e = y − target·onehot` (free);
//! * backward: `e ⊗ h` (`H·C` products), `W₂ᵀ·e` (`H·C`), `g = rshift_round(W₂ᵀe, F)·mask`
//!   (`n_g + F + 1 + 1` each); the sums over the batch are free.
//!
//! Per parameter: the value before and after, `weight_bits` Booleans each (this is the range check
//! of the result), and the update `w_after = w_before − rshift_round(dW, lr)` with the known
//! quotient `w_before − w_after`: [`crate::gadgets::shift_round::enforce_rshift_round`] (`lr + 1`) for `b₁, W₂, b₂`, and for
//! `W₁`, whose gradient `Σ_batch g ⊗ x` is the largest term, the packed update
//! [`crate::gadgets::packed_dense::enforce_packed_outer_update`] (`lr` per weight plus `B + 1` per input and group
//! of 6 hidden units, instead of `B·d·H` products).
//!
//! The widths `n_h`, `n_y`, `n_g` come from worst-case bounds over all in-range weights and int8
//! features ([`crate::mlp::Widths::for_dims`]), so every honest step is provable; the packings' digit bounds
//! come from the same widths ([`shape::outer_digit_bits`]). The exact count is [`shape::constraint_count`],
//! asserted by the tests (provenance adds `227 + k·(1,120·hashes + B·(leaf hash + 481·depth + 1))`).
//!
//! Files: [`shape`] (the shape, the widths of the packed update and the exact constraint count),
//! [`circuit`] (the circuit and its honest constructors), `provenance` (the data-provenance
//! constraints), `step` (one SGD step: forward, backward, update); the statement is
//! [`crate::statement::train`], the shared MLP gadgetry [`crate::mlp`].

pub mod circuit;
mod provenance;
pub mod shape;
mod step;
#[cfg(test)]
mod tests;

pub use crate::mlp::params::head;
pub use circuit::TrainStepCircuit;
pub use shape::{constraint_count, outer_digit_bits, TrainShape};
