//! The evaluation circuit: proves the held-out score ([`Score`]) of the weights committed in a head
//! on the whole evaluation set committed in `evalRoot`, computed exactly as [`Mlp::evaluate`].
//!
//! Public inputs, in this order:
//! `[head, evalRoot, correct, lossSum, total + evaluator·2^88]`.
//! * `head` is the training head ([`crate::train_circuit::head`]): the same salted Poseidon
//!   commitment over the same range-checked packed parameters, so a score is bound to the exact
//!   weights a training step produced.
//! * `evalRoot` is the root of the [`DatasetTree`] over the evaluation samples. The circuit hashes
//!   every sample into its leaf and rebuilds the whole tree (leaf `j` is sample `j mod n`, as
//!   [`DatasetTree::new`] pads), so the score covers every sample of the committed set, each exactly
//!   once, in order — no sample can be skipped, repeated or swapped.
//! * `total` is the number of samples `n`, a circuit constant that the leaf hashes also absorb; the
//!   evaluator's address at bit [`PAYEE_SHIFT`] (160 bits, decomposed) binds the proof to its
//!   submitter, as every mlproof statement does.
//!
//! Per sample: the int8 features (8 bits each) and a one-hot label, the forward pass of the training
//! circuit (`a₁ = W₁x + b₁`, `h = clamp(rshift_round(a₁, F), 0, 127)`, `y = rshift_round(W₂h + b₂, F)`,
//! with the widths of [`Widths::for_shape`]), the first maximum of the logits ([`argmax_bits`], ties
//! to the lowest index as natively), `correctₖ = [argmax = label]` ([`is_zero`]) and the squared
//! errors `Σ_o (y_o − target·onehot_o)²`. `correct` and `lossSum` are the sums over the samples.
//!
//! The exact count is [`constraint_count`] (asserted by the tests).

use ark_crypto_primitives::sponge::Absorb;
use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use crate::{
    dataset::{DatasetTree, Sample},
    gadgets::{
        argmax::argmax_bits,
        bits::decompose_le,
        is_zero::is_zero,
        lincomb::weighted_sum,
        merkle::{leaf_hash, node_hash},
        poseidon::commit_words,
        private_tensor::per_word,
        packed_dense::{self, dense_rshift_round, dense_rshift_round_clamp},
    },
    packing::{address_to_field, PAYEE_SHIFT, VALUES_PER_WORD},
    train::{Mlp, Score, TrainConfig, TrainError},
    train_circuit::{alloc_params, alloc_sample, head, signed, SampleVars, TrainShape, Widths, ADDRESS_BITS},
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
    fn train_shape(&self) -> TrainShape {
        TrainShape { inputs: self.inputs, hidden: self.hidden, classes: self.classes, batch: 1, steps: 1, depth: None }
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
    let w = Widths::for_shape(&shape.train_shape(), cfg);
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
    let params = shape.train_shape().params();
    let words = [d * h, h, h * c, c].iter().map(|&k| k.div_ceil(per_word(cfg.weight_bits))).sum::<usize>();
    let commit = 240 + 243 * ((3 + words).div_ceil(2) - 2) + 1;
    let tree = 480 * ((1usize << shape.depth()) - 1) + 1;
    n * per_sample + cfg.weight_bits as usize * params + commit + tree + (ADDRESS_BITS as usize + 1) + 1 + 2
}

/// The public statement of one evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EvalStatement<F> {
    /// The evaluated head.
    pub head: F,
    /// Root of the evaluation set's tree.
    pub eval_root: F,
    /// The proven score.
    pub score: Score,
    /// The evaluator (payee slot).
    pub evaluator: [u8; 20],
}

impl<F: PrimeField> EvalStatement<F> {
    /// Public inputs in circuit order (the layout `TrainingLedger.submitEval` rebuilds).
    #[must_use]
    pub fn public_inputs(&self) -> Vec<F> {
        let payee = address_to_field::<F>(&self.evaluator) * F::from(2u64).pow([u64::from(PAYEE_SHIFT)]);
        vec![
            self.head,
            self.eval_root,
            F::from(self.score.correct),
            F::from(self.score.loss_sum),
            F::from(self.score.total) + payee,
        ]
    }
}

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
    pub fn new(weights: &Mlp, set: &DatasetTree<F>, evaluator: [u8; 20], cfg: &TrainConfig, salt: F) -> Result<(Self, EvalStatement<F>), TrainError> {
        let samples = set.samples().to_vec();
        let score = weights.evaluate(&samples, cfg)?;
        let statement = EvalStatement { head: head(weights, cfg, salt), eval_root: set.root(), score, evaluator };
        let shape = EvalShape { inputs: weights.inputs, hidden: weights.hidden, classes: weights.classes, samples: samples.len() };
        let circuit = Self { shape, cfg: *cfg, statement: Some(statement), salt: Some(salt), weights: Some(weights.clone()), samples: Some(samples) };
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
        let input = |f: fn(&EvalStatement<F>) -> F| FpVar::new_input(cs.clone(), || st.as_ref().map(f).ok_or_else(missing));
        let head_var = input(|s| s.head)?;
        let root = input(|s| s.eval_root)?;
        let correct_pub = input(|s| F::from(s.score.correct))?;
        let loss_pub = input(|s| F::from(s.score.loss_sum))?;
        let word = input(|s| s.public_inputs()[4])?;
        let evaluator = FpVar::new_witness(cs.clone(), || st.map(|s| address_to_field::<F>(&s.evaluator)).ok_or_else(missing))?;
        decompose_le(&evaluator, ADDRESS_BITS)?;
        let payee = F::from(2u64).pow([u64::from(PAYEE_SHIFT)]);
        weighted_sum(&[(payee, evaluator)], F::from(n as u64))?.enforce_equal(&word)?;

        let train_shape = shape.train_shape();
        let p = alloc_params(&cs, self.weights.as_ref(), &train_shape, cfg.weight_bits)?;
        let w = Widths::for_shape(&train_shape, &cfg);
        let (fb, target): (u32, F) = (cfg.frac_bits, signed(cfg.target));

        let mut leaves = Vec::with_capacity(n);
        let mut correct = Vec::with_capacity(n);
        let mut squares = Vec::with_capacity(n * c);
        for k in 0..n {
            let sample = samples.map(|s| &s[k]);
            let SampleVars { x, onehot, label } = alloc_sample(&cs, sample, d, c)?;
            leaves.push(leaf_hash(&x, &label)?);

            let h: Vec<FpVar<F>> = dense_rshift_round_clamp(&p.w1, &x, &p.b1, fb, w.hidden)?.into_iter().map(|r| r.value).collect();
            let y = dense_rshift_round(&p.w2, &h, &p.b2, fb, w.logits)?;
            // The logits are `w.logits`-bit signed quotients, so their differences need one more bit.
            let predicted = argmax_bits(&y, w.logits + 1)?;
            correct.push((F::ONE, FpVar::from(is_zero(&(predicted - &label))?)));
            for o in 0..c {
                let e = weighted_sum(&[(F::ONE, y[o].clone()), (-target, onehot[o].clone())], F::ZERO)?;
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
        commit_words(&p.words, train_shape.params() as u64, &salt)?.enforce_equal(&head_var)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::{Rng, SeedableRng};

    fn satisfied(c: EvalCircuit<Fr>) -> (bool, usize) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        c.generate_constraints(cs.clone()).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    fn samples(n: usize, d: usize, classes: usize, seed: u64) -> Vec<Sample> {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        (0..n).map(|_| Sample { features: (0..d).map(|_| rng.gen::<i8>()).collect(), label: rng.gen_range(0..classes) as u8 }).collect()
    }

    /// A trained-ish 8-4-3 model (a few native steps) so predictions are mixed right and wrong.
    fn model(cfg: &TrainConfig) -> Mlp {
        let mut m = Mlp::seeded(8, 4, 3, 3, cfg);
        for step in 0..6 {
            let batch = samples(4, 8, 3, 50 + step);
            let pairs: Vec<(&[i8], u8)> = batch.iter().map(|s| (s.features.as_slice(), s.label)).collect();
            m = m.step(&pairs, cfg).unwrap();
        }
        m
    }

    const EVALUATOR: [u8; 20] = [0xab; 20];

    #[test]
    fn honest_score_matches_native_for_padded_and_full_trees() {
        let cfg = TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() };
        let m = model(&cfg);
        let salt = Fr::from(77u64);
        for n in [1usize, 5, 8] {
            let set = DatasetTree::<Fr>::new(samples(n, 8, 3, 900 + n as u64)).unwrap();
            let (c, st) = EvalCircuit::new(&m, &set, EVALUATOR, &cfg, salt).unwrap();
            assert_eq!(st.score, m.evaluate(set.samples(), &cfg).unwrap());
            assert_eq!(st.score.total, n as u32);
            assert_eq!(st.head, head(&m, &cfg, salt));
            assert_eq!(st.eval_root, set.root());
            assert_eq!(satisfied(c), (true, constraint_count(&EvalShape { inputs: 8, hidden: 4, classes: 3, samples: n }, &cfg)), "n = {n}");
        }
    }

    #[test]
    fn a_false_score_or_a_different_set_or_head_is_rejected() {
        let cfg = TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() };
        let m = model(&cfg);
        let salt = Fr::from(5u64);
        let set = DatasetTree::<Fr>::new(samples(6, 8, 3, 4)).unwrap();
        let (good, st) = EvalCircuit::new(&m, &set, EVALUATOR, &cfg, salt).unwrap();
        assert!(satisfied(good.clone()).0);
        assert!(st.score.correct > 0 && st.score.correct < st.score.total, "mixed predictions: {:?}", st.score);
        let with = |f: &dyn Fn(&mut EvalStatement<Fr>)| {
            let mut c = good.clone();
            let mut s = st;
            f(&mut s);
            c.statement = Some(s);
            satisfied(c).0
        };
        assert!(!with(&|s| s.score.correct += 1), "one more correct");
        assert!(!with(&|s| s.score.correct -= 1), "one fewer correct");
        assert!(!with(&|s| s.score.loss_sum -= 1), "a lower loss");
        assert!(!with(&|s| s.score.total += 1), "another total");
        // (Another evaluator is another public input: `prover/tests/training.rs` checks that a proof
        // verifies for no other address.)
        assert!(!with(&|s| s.eval_root += Fr::from(1u64)), "another root");
        assert!(!with(&|s| s.head += Fr::from(1u64)), "another head");

        // A sample not in the committed set: the leaf changes, so the root does.
        let mut c = good.clone();
        let mut other = set.samples().to_vec();
        other[2].features[0] = other[2].features[0].wrapping_add(1);
        c.samples = Some(other);
        assert!(!satisfied(c).0, "a changed sample");
        // A relabelled sample, and the set reordered.
        let mut c = good.clone();
        let mut other = set.samples().to_vec();
        other[1].label = (other[1].label + 1) % 3;
        c.samples = Some(other);
        assert!(!satisfied(c).0, "a changed label");
        let mut c = good.clone();
        let mut other = set.samples().to_vec();
        other.swap(0, 1);
        c.samples = Some(other);
        assert!(!satisfied(c).0, "the set reordered");
        // Other weights (their own honest score) under the committed head.
        let mut wrong = m.clone();
        wrong.w2[0] += 3;
        let (mut c, wrong_st) = EvalCircuit::new(&wrong, &set, EVALUATOR, &cfg, salt).unwrap();
        c.statement = Some(EvalStatement { head: st.head, ..wrong_st });
        assert!(!satisfied(c).0, "weights not matching the head");
        let mut c = good;
        c.salt = Some(Fr::from(6u64));
        assert!(!satisfied(c).0, "wrong salt");
    }

    #[test]
    fn digits_shape_cost() {
        let cfg = TrainConfig::default();
        let m = Mlp::seeded(64, 32, 10, 7, &cfg);
        let set = DatasetTree::<Fr>::new(samples(4, 64, 10, 1)).unwrap();
        let (c, _) = EvalCircuit::new(&m, &set, EVALUATOR, &cfg, Fr::from(1u64)).unwrap();
        let shape = EvalShape { inputs: 64, hidden: 32, classes: 10, samples: 4 };
        assert_eq!(satisfied(c), (true, constraint_count(&shape, &cfg)));
        let fixed = constraint_count(&EvalShape { samples: 1, ..shape }, &cfg);
        let n64 = constraint_count(&EvalShape { samples: 64, ..shape }, &cfg);
        println!("digits 64-32-10 evaluation: {n64} constraints for 64 samples ({fixed} with one)");
    }
}
