//! Max and average pooling over `[C, H, W]` activations (already int8-constrained).
//!
//! Cost per output: MaxPool `10·k − 1` ([`crate::gadgets::max`]), AvgPool `b + 11` or `2b + 12`
//! ([`crate::gadgets::avg`]) for a window of `k` values.

use ark_ff::PrimeField;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::{
    gadgets::{avg::avg_round, max::max},
    native::engine::windows,
    native::model::PoolLayer,
};

/// Pools `x` of `shape = [C, H, W]` with the window maximum (`max = true`) or rounded average.
pub fn pool<F: PrimeField>(
    p: &PoolLayer,
    x: &[FpVar<F>],
    shape: &[usize],
    use_max: bool,
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    windows(p, x, shape).iter().map(|win| if use_max { max(win) } else { avg_round(win) }).collect()
}
