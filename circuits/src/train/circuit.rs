//! The training-step circuit ([`TrainStepCircuit`]), its honest constructors and its synthesis:
//! the heads, provenance ([`super::provenance`]), the weights before, between and after the `k`
//! steps, each step ([`super::step`]) and the two head commitments.

use ark_crypto_primitives::sponge::Absorb;
use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::{
    provenance::Provenance,
    shape::{outer_digit_bits, TrainShape},
    step::{enforce_step, StepData},
};
use crate::{
    error::DatasetError,
    gadgets::{batch_index::batch_indices_native, poseidon::commit_words},
    mlp::params::{alloc_params, head},
    native::dataset::{DatasetTree, Sample},
    native::trainer::{Mlp, TrainConfig, TrainError},
    statement::train::{DataStatement, TrainStatement},
};

/// The training-step circuit. Fields are public so that tests can play a cheating prover; `None`
/// witnesses are for key generation.
#[derive(Clone, Debug)]
pub struct TrainStepCircuit<F> {
    /// Dimensions and batch size.
    pub shape: TrainShape,
    /// Hyper-parameters (circuit constants).
    pub cfg: TrainConfig,
    /// The claimed heads.
    pub statement: Option<TrainStatement<F>>,
    /// The commitment salt.
    pub salt: Option<F>,
    /// Weights before the first step.
    pub before: Option<Mlp>,
    /// The `k − 1` weights between the steps (private, range-checked, not committed).
    pub between: Option<Vec<Mlp>>,
    /// The prover's claimed weights after the last step (checked, not trusted).
    pub after: Option<Mlp>,
    /// The `k · B` samples, step by step.
    pub batch: Option<Vec<Sample>>,
    /// With provenance: each sample's Merkle path (siblings, bottom first), step by step.
    pub paths: Option<Vec<Vec<F>>>,
}

impl<F: PrimeField + Absorb> TrainStepCircuit<F> {
    /// A circuit without witnesses, for key generation.
    #[must_use]
    pub fn for_setup(shape: TrainShape, cfg: TrainConfig) -> Self {
        Self {
            shape,
            cfg,
            statement: None,
            salt: None,
            before: None,
            between: None,
            after: None,
            batch: None,
            paths: None,
        }
    }

    /// Runs the native step on `batch` and returns the honest circuit, its statement and the new
    /// weights (one step per proof).
    pub fn new(
        before: &Mlp,
        batch: &[Sample],
        cfg: &TrainConfig,
        salt: F,
    ) -> Result<(Self, TrainStatement<F>, Mlp), TrainError> {
        Self::new_steps(before, &[batch.to_vec()], cfg, salt)
    }

    /// Runs `batches.len()` native steps, one per batch, and returns the honest circuit proving all
    /// of them, its statement and the final weights.
    pub fn new_steps(
        before: &Mlp,
        batches: &[Vec<Sample>],
        cfg: &TrainConfig,
        salt: F,
    ) -> Result<(Self, TrainStatement<F>, Mlp), TrainError> {
        let b = batches.first().map_or(0, Vec::len);
        if b == 0 || batches.iter().any(|x| x.len() != b) {
            return Err(TrainError::Shape(format!("{} batches of unequal or zero size", batches.len())));
        }
        let mut weights = vec![before.clone()];
        for batch in batches {
            let pairs: Vec<(&[i8], u8)> = batch.iter().map(|s| (s.features.as_slice(), s.label)).collect();
            weights.push(weights.last().expect("start").step(&pairs, cfg)?);
        }
        let after = weights.pop().expect("k >= 1 steps");
        let statement =
            TrainStatement { head_before: head(before, cfg, salt), head_after: head(&after, cfg, salt), data: None };
        let shape = TrainShape {
            inputs: before.inputs,
            hidden: before.hidden,
            classes: before.classes,
            batch: b,
            steps: batches.len(),
            depth: None,
        };
        let circuit = Self {
            shape,
            cfg: *cfg,
            statement: Some(statement),
            salt: Some(salt),
            before: Some(before.clone()),
            between: Some(weights.split_off(1)),
            after: Some(after.clone()),
            batch: Some(batches.concat()),
            paths: None,
        };
        Ok((circuit, statement, after))
    }

    /// The honest circuit for step `step` of training on `tree`: the batch of `batch` samples is the
    /// one `seed` and `step` select, and the proof pays `prover`.
    #[allow(clippy::too_many_arguments)]
    pub fn from_dataset(
        before: &Mlp,
        tree: &DatasetTree<F>,
        batch: usize,
        seed: F,
        step: u64,
        prover: [u8; 20],
        cfg: &TrainConfig,
        salt: F,
    ) -> Result<(Self, TrainStatement<F>, Mlp), TrainError> {
        Self::from_dataset_steps(before, tree, batch, 1, seed, step, prover, cfg, salt)
    }

    /// The honest circuit for steps `step .. step + k` of training on `tree`, in one proof: step
    /// `step + i` trains on the `batch` samples that `seed` and `step + i` select.
    #[allow(clippy::too_many_arguments)]
    pub fn from_dataset_steps(
        before: &Mlp,
        tree: &DatasetTree<F>,
        batch: usize,
        k: usize,
        seed: F,
        step: u64,
        prover: [u8; 20],
        cfg: &TrainConfig,
        salt: F,
    ) -> Result<(Self, TrainStatement<F>, Mlp), TrainError> {
        let shape_err = |e: DatasetError| TrainError::Shape(e.to_string());
        let mut batches = Vec::with_capacity(k);
        let mut paths = Vec::with_capacity(k * batch);
        for i in 0..k as u64 {
            let indices = batch_indices_native(seed, step + i, batch, tree.depth()).map_err(shape_err)?;
            batches.push(
                indices.iter().map(|&i| tree.sample(i).cloned()).collect::<Result<Vec<_>, _>>().map_err(shape_err)?,
            );
            for &i in &indices {
                paths.push(tree.path(i).map_err(shape_err)?.siblings);
            }
        }
        let (mut circuit, mut statement, after) = Self::new_steps(before, &batches, cfg, salt)?;
        statement.data = Some(DataStatement { dataset_root: tree.root(), seed, step, prover });
        circuit.statement = Some(statement);
        circuit.shape.depth = Some(tree.depth());
        circuit.paths = Some(paths);
        Ok((circuit, statement, after))
    }
}

impl<F: PrimeField> ConstraintSynthesizer<F> for TrainStepCircuit<F> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let (shape, cfg) = (self.shape, self.cfg);
        let (d, k, bsz) = (shape.inputs, shape.steps, shape.batch);
        if k == 0
            || bsz == 0
            || cfg.weight_bits < 2
            || cfg.weight_bits > 32
            || cfg.frac_bits > 32
            || cfg.lr_shift1 == 0
            || cfg.lr_shift1 > 63
            || cfg.lr_shift2 > 64
            || outer_digit_bits(&shape, &cfg) > 125
        {
            return Err(SynthesisError::Unsatisfiable);
        }
        let st = self.statement;
        let head_before =
            FpVar::new_input(cs.clone(), || st.map(|s| s.head_before).ok_or(SynthesisError::AssignmentMissing))?;
        let head_after =
            FpVar::new_input(cs.clone(), || st.map(|s| s.head_after).ok_or(SynthesisError::AssignmentMissing))?;
        // Provenance: the public root, seed and step word, and the batch's leaf index bits.
        let provenance = Provenance::alloc(&cs, &shape, st.and_then(|s| s.data), self.paths.as_ref())?;

        if self.between.as_ref().is_some_and(|b| b.len() + 1 != k) {
            return Err(SynthesisError::Unsatisfiable);
        }
        // The weights before, between and after the k steps; all range-checked.
        let dims = shape.dims();
        let mut weights = vec![alloc_params(&cs, self.before.as_ref(), &dims, cfg.weight_bits)?];
        for i in 0..k - 1 {
            weights.push(alloc_params(&cs, self.between.as_ref().map(|b| &b[i]), &dims, cfg.weight_bits)?);
        }
        weights.push(alloc_params(&cs, self.after.as_ref(), &dims, cfg.weight_bits)?);

        let batch = self.batch.as_ref();
        if batch.is_some_and(|b| b.len() != k * bsz || b.iter().any(|s| s.features.len() != d)) {
            return Err(SynthesisError::Unsatisfiable);
        }
        let data = StepData { batch, provenance: provenance.as_ref(), paths: self.paths.as_ref() };
        for t in 0..k {
            enforce_step(&cs, &shape, &cfg, t, (&weights[t], &weights[t + 1]), &data)?;
        }

        let salt = FpVar::new_witness(cs.clone(), || self.salt.ok_or(SynthesisError::AssignmentMissing))?;
        let count = shape.params() as u64;
        commit_words(&weights[0].words, count, &salt)?.enforce_equal(&head_before)?;
        commit_words(&weights[k].words, count, &salt)?.enforce_equal(&head_after)?;
        Ok(())
    }
}
