//! One SGD step in the training-step circuit: per sample the forward pass ([`crate::mlp::forward`])
//! and the backward pass, then the update of every parameter (see the module doc of
//! [`crate::train`] for the costs).

use ark_ff::PrimeField;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::{
    provenance::Provenance,
    shape::{outer_digit_bits, TrainShape},
};
use crate::{
    field::signed_to_field,
    gadgets::{
        lincomb::weighted_sum,
        packed_dense,
        shift_round::{enforce_rshift_round, rshift_round},
    },
    mlp::{error, forward, sample::alloc_sample, ForwardVars, Params, SampleVars, Widths},
    native::dataset::Sample,
    native::trainer::TrainConfig,
};

/// The witnesses of step `t`: its batch (all `k·B` samples, this step's are `t·B ..`) and, with
/// provenance, the samples' Merkle paths.
pub(super) struct StepData<'a, F: PrimeField> {
    /// All samples of the proof, step by step.
    pub(super) batch: Option<&'a Vec<Sample>>,
    /// With provenance: the provenance variables and every sample's path.
    pub(super) provenance: Option<&'a Provenance<F>>,
    /// The samples' Merkle paths.
    pub(super) paths: Option<&'a Vec<Vec<F>>>,
}

/// Constrains `after` to be one SGD step of `before` on the batch of step `t`.
pub(super) fn enforce_step<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    shape: &TrainShape,
    cfg: &TrainConfig,
    t: usize,
    (before, after): (&Params<F>, &Params<F>),
    data: &StepData<'_, F>,
) -> Result<(), SynthesisError> {
    let (d, hd, c, bsz) = (shape.inputs, shape.hidden, shape.classes, shape.batch);
    let n = Widths::for_dims(&shape.dims(), cfg);
    let fb = cfg.frac_bits;
    let target: F = signed_to_field(i128::from(cfg.target));
    // Gradient terms, summed over the batch at the end (free linear combinations).
    // The batch's back-propagated errors and inputs, for the packed `W₁` update.
    let (mut gs, mut xs) = (Vec::with_capacity(bsz), Vec::with_capacity(bsz));
    let mut db1: Vec<Vec<(F, FpVar<F>)>> = vec![Vec::new(); hd];
    let mut dw2: Vec<Vec<(F, FpVar<F>)>> = vec![Vec::new(); hd * c];
    let mut db2: Vec<Vec<(F, FpVar<F>)>> = vec![Vec::new(); c];
    for j in 0..bsz {
        let k = t * bsz + j;
        let sample = data.batch.map(|b| &b[k]);
        let SampleVars { x, onehot, label } = alloc_sample(cs, sample, d, c)?;
        if let Some(provenance) = data.provenance {
            provenance.enforce_sample(cs, k, &x, &label, data.paths)?;
        }

        // Forward (packed products: several neurons per multiplication).
        let ForwardVars { h, interior, y } = forward(before, &x, fb, &n)?;
        let e = y.iter().zip(&onehot).map(|(y, t)| error(y, t, target)).collect::<Result<Vec<_>, _>>()?;

        // Backward.
        for o in 0..c {
            db2[o].push((F::ONE, e[o].clone()));
            for j in 0..hd {
                dw2[o * hd + j].push((F::ONE, &e[o] * &h[j]));
            }
        }
        let mut g_row = Vec::with_capacity(hd);
        for j in 0..hd {
            let terms: Vec<(F, FpVar<F>)> = (0..c).map(|o| (F::ONE, &before.w2[o * hd + j] * &e[o])).collect();
            let back = rshift_round(&weighted_sum(&terms, F::ZERO)?, fb, n.back)?;
            let g = back * FpVar::from(interior[j].clone());
            db1[j].push((F::ONE, g.clone()));
            g_row.push(g);
        }
        gs.push(g_row);
        xs.push(x);
    }

    // Update: w_after = w_before − rshift_round(dW, lr), with w_after range-checked by its bits.
    let update =
        |old: &[FpVar<F>], new: &[FpVar<F>], grads: &[Vec<(F, FpVar<F>)>], shift: u32| -> Result<(), SynthesisError> {
            for ((w, u), g) in old.iter().zip(new).zip(grads) {
                let q = w - u;
                enforce_rshift_round(&weighted_sum(g, F::ZERO)?, shift, &q)?;
            }
            Ok(())
        };
    // dW₁ = Σ_batch g ⊗ x, packed: several hidden units per multiplication.
    let q1: Vec<FpVar<F>> = before.w1.iter().zip(&after.w1).map(|(w, u)| w - u).collect();
    packed_dense::enforce_packed_outer_update(&gs, &xs, &q1, cfg.lr_shift1, outer_digit_bits(shape, cfg))?;
    update(&before.b1, &after.b1, &db1, cfg.lr_shift1)?;
    update(&before.w2, &after.w2, &dw2, cfg.lr_shift2)?;
    update(&before.b2, &after.b2, &db2, cfg.lr_shift2)?;
    Ok(())
}
