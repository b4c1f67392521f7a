//! Max and average pooling over `[C, H, W]` activations (already int8-constrained).
//!
//! Cost per output: MaxPool `10·k − 1` ([`crate::gadgets::max`]), AvgPool `b + 11` or `2b + 12`
//! ([`crate::gadgets::avg`]) for a window of `k` values.

use ark_ff::PrimeField;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::SynthesisError;

use crate::{
    engine::window,
    gadgets::{avg::avg_round, max::max},
    model::PoolLayer,
};

/// Pools `x` of `shape = [C, H, W]` with the window maximum (`max = true`) or rounded average.
pub fn pool<F: PrimeField>(p: &PoolLayer, x: &[FpVar<F>], shape: &[usize], use_max: bool) -> Result<Vec<FpVar<F>>, SynthesisError> {
    let (c, h, w) = (shape[0], shape[1], shape[2]);
    let (oh, ow) = p.out_hw(h, w);
    let mut out = Vec::with_capacity(c * oh * ow);
    for ch in 0..c {
        for oy in 0..oh {
            for ox in 0..ow {
                let win = window(p, x, h, w, ch, oy, ox);
                out.push(if use_max { max(&win)? } else { avg_round(&win)? });
            }
        }
    }
    Ok(out)
}
