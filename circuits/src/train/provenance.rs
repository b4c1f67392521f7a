//! Data provenance in the training-step circuit (when [`TrainShape::depth`] is set): the public
//! `[datasetRoot, seed, step + prover·2^88]`, the batch indices that `seed` and each step select
//! ([`batch_indices`]) and, per sample, its membership at that index ([`enforce_membership`]).
//!
//! Cost: `227 + k·(1,120·hashes + B·(leaf hash + 481·depth + 1))` (see
//! [`super::shape::constraint_count`]).

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use super::shape::TrainShape;
use crate::{
    gadgets::{batch_index::batch_indices, bits::decompose_le, merkle::enforce_membership, payee::PayeeVar},
    statement::train::{DataStatement, STEP_BITS},
};

/// The provenance variables: the public root and every sample's leaf index bits.
pub(super) struct Provenance<F: PrimeField> {
    root: FpVar<F>,
    bits: Vec<Vec<Boolean<F>>>,
    depth: usize,
}

impl<F: PrimeField> Provenance<F> {
    /// Allocates the three public inputs (after the two heads), binds the step and the payee into
    /// the last one and derives the `k·B` leaf indices. `None` without provenance.
    pub(super) fn alloc(
        cs: &ConstraintSystemRef<F>,
        shape: &TrainShape,
        data: Option<DataStatement<F>>,
        paths: Option<&Vec<Vec<F>>>,
    ) -> Result<Option<Self>, SynthesisError> {
        let Some(depth) = shape.depth else { return Ok(None) };
        let (k, bsz) = (shape.steps, shape.batch);
        let missing = || SynthesisError::AssignmentMissing;
        let root = FpVar::new_input(cs.clone(), || data.map(|d| d.dataset_root).ok_or_else(missing))?;
        let seed = FpVar::new_input(cs.clone(), || data.map(|d| d.seed).ok_or_else(missing))?;
        let word = FpVar::new_input(cs.clone(), || data.map(|d| d.step_and_payee()).ok_or_else(missing))?;
        let step = FpVar::new_witness(cs.clone(), || data.map(|d| F::from(d.step)).ok_or_else(missing))?;
        // The payee is allocated before the step's range check and checked after it (the variable
        // and constraint order of the circuit's first version, which the keys depend on).
        let prover = PayeeVar::new_witness(cs, data.as_ref().map(|d| &d.prover))?;
        decompose_le(&step, STEP_BITS)?;
        prover.range_check()?;
        prover.bind(&[(F::ONE, step.clone())], F::ZERO)?.enforce_equal(&word)?;
        // Step `step + i` draws its batch from the seed and its own step number.
        let mut bits = Vec::with_capacity(k * bsz);
        for i in 0..k {
            let step_i = &step + FpVar::Constant(F::from(i as u64));
            bits.extend(batch_indices(&seed, &step_i, bsz, depth)?);
        }
        if paths.is_some_and(|p| p.len() != k * bsz || p.iter().any(|s| s.len() != depth as usize)) {
            return Err(SynthesisError::Unsatisfiable);
        }
        Ok(Some(Self { root, bits, depth: depth as usize }))
    }

    /// Proves that sample `k` (`x`, `label`) is the leaf at its index, with the Merkle path
    /// `paths[k]` as witness.
    pub(super) fn enforce_sample(
        &self,
        cs: &ConstraintSystemRef<F>,
        k: usize,
        x: &[FpVar<F>],
        label: &FpVar<F>,
        paths: Option<&Vec<Vec<F>>>,
    ) -> Result<(), SynthesisError> {
        let siblings = (0..self.depth)
            .map(|l| FpVar::new_witness(cs.clone(), || paths.map(|p| p[k][l]).ok_or(SynthesisError::AssignmentMissing)))
            .collect::<Result<Vec<_>, _>>()?;
        enforce_membership(x, label, &self.bits[k], &siblings, &self.root)
    }
}
