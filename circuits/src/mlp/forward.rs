//! The MLP's forward pass in the circuit, bit-exact with [`crate::native::trainer::Mlp::forward`]:
//! `h, interior = clamp(rshift_round(W₁·x + b₁, F))` (`n_h + F + 9` each) and
//! `y = rshift_round(W₂·h + b₂, F)` (`n_y + F + 1` each), with packed products
//! ([`crate::gadgets::packed_dense`]).

use ark_ff::PrimeField;
use ark_r1cs_std::{boolean::Boolean, fields::fp::FpVar};
use ark_relations::gr1cs::SynthesisError;

use crate::{
    gadgets::{
        lincomb::weighted_sum,
        packed_dense::{dense_rshift_round, dense_rshift_round_clamp},
    },
    mlp::{params::Params, shape::Widths},
};

/// The activations of one forward pass.
pub struct ForwardVars<F: PrimeField> {
    /// Hidden activations in `[0, 127]`.
    pub h: Vec<FpVar<F>>,
    /// The backward pass's mask `0 < rshift_round(a₁, F) < 127` per hidden unit.
    pub interior: Vec<Boolean<F>>,
    /// Logits.
    pub y: Vec<FpVar<F>>,
}

/// The forward pass of `p` on `x` with `frac_bits` fractional bits and the rescale widths `w`.
pub fn forward<F: PrimeField>(
    p: &Params<F>,
    x: &[FpVar<F>],
    frac_bits: u32,
    w: &Widths,
) -> Result<ForwardVars<F>, SynthesisError> {
    let (h, interior): (Vec<_>, Vec<_>) = dense_rshift_round_clamp(&p.w1, x, &p.b1, frac_bits, w.hidden)?
        .into_iter()
        .map(|r| (r.value, r.interior))
        .unzip();
    let y = dense_rshift_round(&p.w2, &h, &p.b2, frac_bits, w.logits)?;
    Ok(ForwardVars { h, interior, y })
}

/// The error of logit `y` against the target: `y − target·onehot` (0 constraints).
pub fn error<F: PrimeField>(y: &FpVar<F>, onehot: &FpVar<F>, target: F) -> Result<FpVar<F>, SynthesisError> {
    weighted_sum(&[(F::ONE, y.clone()), (-target, onehot.clone())], F::ZERO)
}
