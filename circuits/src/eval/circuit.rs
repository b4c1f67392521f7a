//! The evaluation circuit ([`EvalCircuit`]): per sample the forward pass, the prediction and the
//! squared error; the whole evaluation tree; the head commitment (see [`crate::eval`]).

use ark_crypto_primitives::sponge::Absorb;
use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::shape::EvalShape;
use crate::{
    field::signed_to_field,
    gadgets::{
        argmax::argmax_bits,
        is_zero::is_zero,
        lincomb::weighted_sum,
        merkle::{leaf_hash, node_hash},
        payee::PayeeVar,
        poseidon::commit_words,
    },
    mlp::{alloc_params, alloc_sample, error, forward, head, SampleVars, Widths},
    native::dataset::{DatasetTree, Sample},
    native::trainer::{Mlp, TrainConfig, TrainError},
    statement::eval::{self, EvalStatement},
};

/// The evaluation circuit. Fields are public so that tests can play a cheating prover; `None`
/// witnesses are for key generation.
#[derive(Clone, Debug)]
pub struct EvalCircuit<F> {
    /// Dimensions and evaluation set size.
    pub shape: EvalShape,
    /// Hyper-parameters (the forward pass's shifts and the loss target).
    pub cfg: TrainConfig,
    /// The claimed statement.
    pub statement: Option<EvalStatement<F>>,
    /// The head's salt.
    pub salt: Option<F>,
    /// The weights.
    pub weights: Option<Mlp>,
    /// The evaluation set, in tree order.
    pub samples: Option<Vec<Sample>>,
}

impl<F: PrimeField + Absorb> EvalCircuit<F> {
    /// A circuit without witnesses, for key generation.
    #[must_use]
    pub fn for_setup(shape: EvalShape, cfg: TrainConfig) -> Self {
        Self { shape, cfg, statement: None, salt: None, weights: None, samples: None }
    }

    /// Scores `weights` natively on the whole of `set` and returns the honest circuit and statement.
    pub fn new(
        weights: &Mlp,
        set: &DatasetTree<F>,
        evaluator: [u8; 20],
        cfg: &TrainConfig,
        salt: F,
    ) -> Result<(Self, EvalStatement<F>), TrainError> {
        let samples = set.samples().to_vec();
        let score = weights.evaluate(&samples, cfg)?;
        let statement = EvalStatement { head: head(weights, cfg, salt), eval_root: set.root(), score, evaluator };
        let shape = EvalShape {
            inputs: weights.inputs,
            hidden: weights.hidden,
            classes: weights.classes,
            samples: samples.len(),
        };
        let circuit = Self {
            shape,
            cfg: *cfg,
            statement: Some(statement),
            salt: Some(salt),
            weights: Some(weights.clone()),
            samples: Some(samples),
        };
        Ok((circuit, statement))
    }
}

impl<F: PrimeField> ConstraintSynthesizer<F> for EvalCircuit<F> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let (shape, cfg) = (self.shape, self.cfg);
        let (d, c, n) = (shape.inputs, shape.classes, shape.samples);
        if n == 0 || u32::try_from(n).is_err() || cfg.weight_bits < 2 || cfg.weight_bits > 32 || cfg.frac_bits > 32 {
            return Err(SynthesisError::Unsatisfiable);
        }
        let samples = self.samples.as_ref();
        if samples.is_some_and(|s| s.len() != n || s.iter().any(|s| s.features.len() != d)) {
            return Err(SynthesisError::Unsatisfiable);
        }
        let missing = || SynthesisError::AssignmentMissing;
        let st = self.statement;
        let input =
            |f: fn(&EvalStatement<F>) -> F| FpVar::new_input(cs.clone(), || st.as_ref().map(f).ok_or_else(missing));
        let head_var = input(|s| s.head)?;
        let root = input(|s| s.eval_root)?;
        let correct_pub = input(|s| F::from(s.score.correct))?;
        let loss_pub = input(|s| F::from(s.score.loss_sum))?;
        let word = input(|s| s.public_inputs()[eval::TOTAL_AND_EVALUATOR])?;
        let evaluator = PayeeVar::alloc(&cs, st.as_ref().map(|s| &s.evaluator))?;
        evaluator.bind(&[], F::from(n as u64))?.enforce_equal(&word)?;

        let dims = shape.dims();
        let p = alloc_params(&cs, self.weights.as_ref(), &dims, cfg.weight_bits)?;
        let w = Widths::for_dims(&dims, &cfg);
        let (fb, target): (u32, F) = (cfg.frac_bits, signed_to_field(i128::from(cfg.target)));

        let mut leaves = Vec::with_capacity(n);
        let mut correct = Vec::with_capacity(n);
        let mut squares = Vec::with_capacity(n * c);
        for k in 0..n {
            let sample = samples.map(|s| &s[k]);
            let SampleVars { x, onehot, label } = alloc_sample(&cs, sample, d, c)?;
            leaves.push(leaf_hash(&x, &label)?);

            let y = forward(&p, &x, fb, &w)?.y;
            // The logits are `w.logits`-bit signed quotients, so their differences need one more bit.
            let predicted = argmax_bits(&y, w.logits + 1)?;
            correct.push((F::ONE, FpVar::from(is_zero(&(predicted - &label))?)));
            for o in 0..c {
                let e = error(&y[o], &onehot[o], target)?;
                squares.push((F::ONE, &e * &e));
            }
        }
        weighted_sum(&correct, F::ZERO)?.enforce_equal(&correct_pub)?;
        weighted_sum(&squares, F::ZERO)?.enforce_equal(&loss_pub)?;

        // The whole tree, padded as `DatasetTree` pads: leaf j is sample j mod n.
        let mut level: Vec<FpVar<F>> = (0..1usize << shape.depth()).map(|j| leaves[j % n].clone()).collect();
        while level.len() > 1 {
            level = level.chunks(2).map(|pair| node_hash(&pair[0], &pair[1])).collect::<Result<_, _>>()?;
        }
        level[0].enforce_equal(&root)?;

        let salt = FpVar::new_witness(cs.clone(), || self.salt.ok_or_else(missing))?;
        commit_words(&p.words, dims.params() as u64, &salt)?.enforce_equal(&head_var)?;
        Ok(())
    }
}
