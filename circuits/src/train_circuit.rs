//! The training-step circuit: proves that one [`Mlp::step`] of [`crate::train`] (fixed-point SGD on
//! a batch of `B` samples) takes the weights committed in `headBefore` to those committed in
//! `headAfter`, bit for bit (`docs/training.md`).
//!
//! Public inputs, in this order: `[headBefore, headAfter]`, each
//! `Poseidon(tag, count, salt, words…)` ([`super::gadgets::poseidon::commit_words`]) over the
//! parameters `w1, b1, w2, b2` as `weight_bits`-bit values packed `248 / weight_bits` per word, tensor
//! by tensor ([`super::gadgets::private_tensor`]); one salt witness serves both heads ([`head`] is the
//! native side). The weights, the batch (int8 features and labels) and the salt are private.
//!
//! **Data provenance** (when [`TrainShape::depth`] is set): three more public inputs,
//! `[datasetRoot, seed, step + prover·2^88]`. The batch indices are derived from `seed` and `step`
//! ([`crate::gadgets::batch_index`]) and sample `k` must be the leaf at index `k` of the tree with
//! `datasetRoot` ([`crate::gadgets::merkle`], its leaf hashing the same packed feature words and the
//! label `Σ o·onehotₒ`). The last word carries the step (64 bits) and the prover's address (160 bits)
//! at bit [`PAYEE_SHIFT`], as inference does: both are decomposed, so the split is unique, and a proof
//! verifies for no other payee. Without `depth` the statement is only "some batch of int8 samples
//! moves `headBefore` to `headAfter`".
//!
//! **k steps per proof** ([`TrainShape::steps`]): the weights between the steps are private and
//! range-checked like the others (not committed); step `step + i` trains on the batch that `seed`
//! and `step + i` select.
//!
//! What is constrained, per sample:
//! * features: 8 bits each ([`private_tensor::alloc`], also giving the packed words a membership
//!   proof would hash); label: a one-hot vector of `C` Booleans summing to 1;
//! * forward: `a₁ = W₁·x + b₁`, `h, mask = clamp(rshift_round(a₁, F))` (`n_h + F + 9` each) and
//!   `y = rshift_round(W₂·h + b₂, F)` (`n_y + F + 1` each), with packed products
//!   ([`packed_dense::dense_rshift_round_clamp`]: about `d·H/7 + H·C/8` multiplications instead of
//!   `d·H + H·C`); `e = y − target·onehot` (free);
//! * backward: `e ⊗ h` (`H·C` products), `W₂ᵀ·e` (`H·C`), `g = rshift_round(W₂ᵀe, F)·mask`
//!   (`n_g + F + 1 + 1` each); the sums over the batch are free.
//!
//! Per parameter: the value before and after, `weight_bits` Booleans each (this is the range check
//! of the result), and the update `w_after = w_before − rshift_round(dW, lr)` with the known
//! quotient `w_before − w_after`: [`enforce_rshift_round`] (`lr + 1`) for `b₁, W₂, b₂`, and for
//! `W₁`, whose gradient `Σ_batch g ⊗ x` is the largest term, the packed update
//! [`packed_dense::enforce_packed_outer_update`] (`lr` per weight plus `B + 1` per input and group
//! of 6 hidden units, instead of `B·d·H` products).
//!
//! The widths `n_h`, `n_y`, `n_g` come from worst-case bounds over all in-range weights and int8
//! features ([`Widths::for_shape`]), so every honest step is provable; the packings' digit bounds
//! come from the same widths ([`outer_digit_bits`]). The exact count is [`constraint_count`],
//! asserted by the tests (provenance adds `227 + k·(1,120·hashes + B·(leaf hash + 481·depth + 1))`).

use ark_crypto_primitives::sponge::Absorb;
use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use crate::{
    dataset::{DatasetTree, Sample},
    gadgets::{
        batch_index::{batch_indices, batch_indices_native, hashes_for},
        bits::decompose_le,
        lincomb::weighted_sum,
        merkle::enforce_membership,
        poseidon::{commit_words, commit_words_native},
        private_tensor::{self, per_word, words_native},
        packed_dense::{self, dense_rshift_round, dense_rshift_round_clamp},
        shift_round::{enforce_rshift_round, rshift_round},
    },
    packing::{address_to_field, PAYEE_SHIFT, VALUES_PER_WORD},
    quant::bit_len,
    train::{Mlp, TrainConfig, TrainError},
};

/// The circuit's shape: the MLP's dimensions and the batch size (fixed by the verifying key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainShape {
    /// Input features `d`.
    pub inputs: usize,
    /// Hidden units `H`.
    pub hidden: usize,
    /// Classes `C`.
    pub classes: usize,
    /// Samples per step `B`.
    pub batch: usize,
    /// SGD steps per proof `k ≥ 1` (each on its own batch; the weights between steps stay private).
    pub steps: usize,
    /// Depth of the data set tree when the samples' provenance is proven (see the module doc).
    pub depth: Option<u32>,
}

impl TrainShape {
    /// Number of parameters (`d·H + H + H·C + C`).
    #[must_use]
    pub fn params(&self) -> usize {
        self.inputs * self.hidden + self.hidden + self.hidden * self.classes + self.classes
    }
}

/// Decomposition widths (quotient bits) of the three rescales, from worst-case bounds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Widths {
    /// Hidden pre-activations `rshift_round(W₁x + b₁, F)`.
    pub hidden: u32,
    /// Logits `rshift_round(W₂h + b₂, F)`.
    pub logits: u32,
    /// Back-propagated errors `rshift_round(W₂ᵀe, F)`.
    pub back: u32,
}

impl Widths {
    /// Widths such that every quotient lies in `[−2^(n−1), 2^(n−1))` for all weights in range and
    /// all int8 features.
    #[must_use]
    pub fn for_shape(shape: &TrainShape, cfg: &TrainConfig) -> Self {
        let w = 1u128 << (cfg.weight_bits - 1);
        let quotient = |acc: u128| (acc >> cfg.frac_bits) + 1;
        let width = |q: u128| (bit_len(q) + 1).max(9);
        let h = quotient(shape.inputs as u128 * w * 128 + w);
        let y = quotient(shape.hidden as u128 * w * 127 + w);
        let e = y + u128::from(cfg.target.unsigned_abs());
        let g = quotient(shape.classes as u128 * w * e);
        Self { hidden: width(h), logits: width(y), back: width(g) }
    }
}

/// Digit bits of the packed `W₁` update ([`packed_dense::enforce_packed_outer_update`]): bounds both
/// `|Σ_batch g·x| < B·2^(n_back−1)·2^7` and `|q|·2^lr + 2^lr < 2^(weight_bits + lr + 1)`.
#[must_use]
pub fn outer_digit_bits(shape: &TrainShape, cfg: &TrainConfig) -> u32 {
    let n = Widths::for_shape(shape, cfg);
    (n.back + 7 + bit_len(shape.batch as u128)).max(cfg.weight_bits + cfg.lr_shift1 + 1)
}

/// Exact number of constraints of [`TrainStepCircuit`] (asserted by the tests; see the module doc).
#[must_use]
pub fn constraint_count(shape: &TrainShape, cfg: &TrainConfig) -> usize {
    let (d, h, c, b) = (shape.inputs, shape.hidden, shape.classes, shape.batch);
    let n = Widths::for_shape(shape, cfg);
    let f = cfg.frac_bits as usize;
    let per_sample = 8 * d
        + c
        + 1
        + packed_dense::cost(h, d, n.hidden, cfg.frac_bits)
        + packed_dense::cost(c, h, n.logits, cfg.frac_bits)
        + 2 * h * c
        + h * (n.hidden as usize + f + 9 + n.back as usize + f + 2)
        + c * (n.logits as usize + f + 1);
    let wb = cfg.weight_bits as usize;
    let updates = packed_dense::outer_update_cost(h, d, b, cfg.lr_shift1, outer_digit_bits(shape, cfg))
        + h * (cfg.lr_shift1 as usize + 1)
        + (h * c + c) * (cfg.lr_shift2 as usize + 1);
    let words = [d * h, h, h * c, c].iter().map(|&k| k.div_ceil(per_word(cfg.weight_bits))).sum::<usize>();
    let perms = (3 + words).div_ceil(2);
    let commit = 240 + 243 * (perms - 2) + 1;
    let k = shape.steps;
    let provenance = shape.depth.map_or(0, |depth| {
        let leaf = 240 + 243 * ((3 + d.div_ceil(VALUES_PER_WORD)).div_ceil(2) - 2);
        (STEP_BITS + 1) as usize
            + (ADDRESS_BITS + 1) as usize
            + 1
            + k * (1120 * hashes_for(b, depth) + b * (leaf + 481 * depth as usize + 1))
    });
    k * (b * per_sample + updates) + (k + 1) * wb * shape.params() + 2 * commit + provenance
}

/// Bits of the step number in the last public word.
pub const STEP_BITS: u32 = 64;

/// Bits of the prover's address.
pub const ADDRESS_BITS: u32 = 160;

/// Packed words and parameter count of a head commitment: `w1, b1, w2, b2`, each tensor packed on
/// its own ([`words_native`]).
#[must_use]
pub fn weight_words<F: PrimeField>(m: &Mlp, cfg: &TrainConfig) -> (Vec<F>, u64) {
    let mut words = Vec::new();
    for t in [&m.w1, &m.b1, &m.w2, &m.b2] {
        words.extend(words_native::<F>(t, cfg.weight_bits));
    }
    (words, (m.w1.len() + m.b1.len() + m.w2.len() + m.b2.len()) as u64)
}

/// The head commitment of `m` under `salt` (native side of the public inputs).
#[must_use]
pub fn head<F: PrimeField + Absorb>(m: &Mlp, cfg: &TrainConfig, salt: F) -> F {
    let (words, count) = weight_words::<F>(m, cfg);
    commit_words_native(&words, count, salt)
}

/// The data-provenance part of a statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataStatement<F> {
    /// Root of the training set's tree.
    pub dataset_root: F,
    /// The on-chain seed (a block hash reduced mod r).
    pub seed: F,
    /// The step number the batch indices are derived for.
    pub step: u64,
    /// The prover (payee).
    pub prover: [u8; 20],
}

impl<F: PrimeField> DataStatement<F> {
    /// The last public word: `step + prover·2^88`.
    #[must_use]
    pub fn step_and_payee(&self) -> F {
        F::from(self.step) + address_to_field::<F>(&self.prover) * F::from(2u64).pow([u64::from(PAYEE_SHIFT)])
    }
}

/// The public statement of one training step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrainStatement<F> {
    /// Commitment to the weights before the step.
    pub head_before: F,
    /// Commitment to the weights after the step.
    pub head_after: F,
    /// With provenance: the data set root, seed, step and payee.
    pub data: Option<DataStatement<F>>,
}

impl<F: PrimeField> TrainStatement<F> {
    /// Public inputs in circuit order.
    #[must_use]
    pub fn public_inputs(&self) -> Vec<F> {
        let mut v = vec![self.head_before, self.head_after];
        if let Some(d) = &self.data {
            v.extend([d.dataset_root, d.seed, d.step_and_payee()]);
        }
        v
    }
}

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
        Self { shape, cfg, statement: None, salt: None, before: None, between: None, after: None, batch: None, paths: None }
    }

    /// Runs the native step on `batch` and returns the honest circuit, its statement and the new
    /// weights (one step per proof).
    pub fn new(before: &Mlp, batch: &[Sample], cfg: &TrainConfig, salt: F) -> Result<(Self, TrainStatement<F>, Mlp), TrainError> {
        Self::new_steps(before, &[batch.to_vec()], cfg, salt)
    }

    /// Runs `batches.len()` native steps, one per batch, and returns the honest circuit proving all
    /// of them, its statement and the final weights.
    pub fn new_steps(before: &Mlp, batches: &[Vec<Sample>], cfg: &TrainConfig, salt: F) -> Result<(Self, TrainStatement<F>, Mlp), TrainError> {
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
        let statement = TrainStatement { head_before: head(before, cfg, salt), head_after: head(&after, cfg, salt), data: None };
        let shape = TrainShape { inputs: before.inputs, hidden: before.hidden, classes: before.classes, batch: b, steps: batches.len(), depth: None };
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
        let shape_err = |e: crate::error::DatasetError| TrainError::Shape(e.to_string());
        let mut batches = Vec::with_capacity(k);
        let mut paths = Vec::with_capacity(k * batch);
        for i in 0..k as u64 {
            let indices = batch_indices_native(seed, step + i, batch, tree.depth()).map_err(shape_err)?;
            batches.push(indices.iter().map(|&i| tree.sample(i).cloned()).collect::<Result<Vec<_>, _>>().map_err(shape_err)?);
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

/// The four tensors of an MLP allocated as private tensors.
pub(crate) struct Params<F: PrimeField> {
    pub(crate) w1: Vec<FpVar<F>>,
    pub(crate) b1: Vec<FpVar<F>>,
    pub(crate) w2: Vec<FpVar<F>>,
    pub(crate) b2: Vec<FpVar<F>>,
    pub(crate) words: Vec<FpVar<F>>,
}

pub(crate) fn alloc_params<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    m: Option<&Mlp>,
    shape: &TrainShape,
    bits: u32,
) -> Result<Params<F>, SynthesisError> {
    let (d, h, c) = (shape.inputs, shape.hidden, shape.classes);
    if let Some(m) = m {
        if (m.inputs, m.hidden, m.classes) != (d, h, c) || m.validate().is_err() {
            return Err(SynthesisError::Unsatisfiable);
        }
    }
    let mut words = Vec::new();
    let mut one = |values: Option<&Vec<i64>>, count: usize| -> Result<Vec<FpVar<F>>, SynthesisError> {
        let t = private_tensor::alloc(cs, values.map(Vec::as_slice), count, bits)?;
        words.extend(t.words);
        Ok(t.values)
    };
    let w1 = one(m.map(|m| &m.w1), d * h)?;
    let b1 = one(m.map(|m| &m.b1), h)?;
    let w2 = one(m.map(|m| &m.w2), h * c)?;
    let b2 = one(m.map(|m| &m.b2), c)?;
    Ok(Params { w1, b1, w2, b2, words })
}

/// One sample in the circuit: int8 features (8-bit range checks), a one-hot label (Booleans summing
/// to 1) and the label `Σ o·onehotₒ` (free).
pub(crate) struct SampleVars<F: PrimeField> {
    pub(crate) x: Vec<FpVar<F>>,
    pub(crate) onehot: Vec<FpVar<F>>,
    pub(crate) label: FpVar<F>,
}

/// Allocates `sample` (`d` features, `c` classes): `8·d + c + 1` constraints.
pub(crate) fn alloc_sample<F: PrimeField>(cs: &ConstraintSystemRef<F>, sample: Option<&Sample>, d: usize, c: usize) -> Result<SampleVars<F>, SynthesisError> {
    let features: Option<Vec<i64>> = sample.map(|s| s.features.iter().map(|&v| i64::from(v)).collect());
    let x = private_tensor::alloc(cs, features.as_deref(), d, 8)?.values;
    let onehot = (0..c)
        .map(|o| Boolean::new_witness(cs.clone(), || sample.map(|s| usize::from(s.label) == o).ok_or(SynthesisError::AssignmentMissing)).map(FpVar::from))
        .collect::<Result<Vec<_>, _>>()?;
    let ones: Vec<(F, FpVar<F>)> = onehot.iter().map(|b| (F::ONE, b.clone())).collect();
    weighted_sum(&ones, F::ZERO)?.enforce_equal(&FpVar::Constant(F::ONE))?;
    let classes: Vec<(F, FpVar<F>)> = onehot.iter().enumerate().map(|(o, b)| (F::from(o as u64), b.clone())).collect();
    let label = weighted_sum(&classes, F::ZERO)?;
    Ok(SampleVars { x, onehot, label })
}

pub(crate) fn signed<F: PrimeField>(v: i64) -> F {
    crate::packing::signed_to_field(i128::from(v))
}

impl<F: PrimeField> ConstraintSynthesizer<F> for TrainStepCircuit<F> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let (shape, cfg) = (self.shape, self.cfg);
        let (d, hd, c, k, bsz) = (shape.inputs, shape.hidden, shape.classes, shape.steps, shape.batch);
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
        let head_before = FpVar::new_input(cs.clone(), || st.map(|s| s.head_before).ok_or(SynthesisError::AssignmentMissing))?;
        let head_after = FpVar::new_input(cs.clone(), || st.map(|s| s.head_after).ok_or(SynthesisError::AssignmentMissing))?;
        let data = st.and_then(|s| s.data);
        let missing = || SynthesisError::AssignmentMissing;
        // Provenance: the public root, seed and step word, and the batch's leaf index bits.
        let provenance = match shape.depth {
            None => None,
            Some(depth) => {
                let root = FpVar::new_input(cs.clone(), || data.map(|d| d.dataset_root).ok_or_else(missing))?;
                let seed = FpVar::new_input(cs.clone(), || data.map(|d| d.seed).ok_or_else(missing))?;
                let word = FpVar::new_input(cs.clone(), || data.map(|d| d.step_and_payee()).ok_or_else(missing))?;
                let step = FpVar::new_witness(cs.clone(), || data.map(|d| F::from(d.step)).ok_or_else(missing))?;
                let prover = FpVar::new_witness(cs.clone(), || data.map(|d| address_to_field::<F>(&d.prover)).ok_or_else(missing))?;
                decompose_le(&step, STEP_BITS)?;
                decompose_le(&prover, ADDRESS_BITS)?;
                let payee = F::from(2u64).pow([u64::from(PAYEE_SHIFT)]);
                weighted_sum(&[(F::ONE, step.clone()), (payee, prover)], F::ZERO)?.enforce_equal(&word)?;
                // Step `step + i` draws its batch from the seed and its own step number.
                let mut bits = Vec::with_capacity(k * bsz);
                for i in 0..k {
                    let step_i = &step + FpVar::Constant(F::from(i as u64));
                    bits.extend(batch_indices(&seed, &step_i, bsz, depth)?);
                }
                if self.paths.as_ref().is_some_and(|p| p.len() != k * bsz || p.iter().any(|s| s.len() != depth as usize)) {
                    return Err(SynthesisError::Unsatisfiable);
                }
                Some((root, bits, depth as usize))
            }
        };

        if self.between.as_ref().is_some_and(|b| b.len() + 1 != k) {
            return Err(SynthesisError::Unsatisfiable);
        }
        // The weights before, between and after the k steps; all range-checked.
        let mut weights = vec![alloc_params(&cs, self.before.as_ref(), &shape, cfg.weight_bits)?];
        for i in 0..k - 1 {
            weights.push(alloc_params(&cs, self.between.as_ref().map(|b| &b[i]), &shape, cfg.weight_bits)?);
        }
        weights.push(alloc_params(&cs, self.after.as_ref(), &shape, cfg.weight_bits)?);
        let n = Widths::for_shape(&shape, &cfg);
        let fb = cfg.frac_bits;
        let target: F = signed(cfg.target);

        let batch = self.batch.as_ref();
        if batch.is_some_and(|b| b.len() != k * bsz || b.iter().any(|s| s.features.len() != d)) {
            return Err(SynthesisError::Unsatisfiable);
        }
        for t in 0..k {
        let (before, after) = (&weights[t], &weights[t + 1]);
        // Gradient terms, summed over the batch at the end (free linear combinations).
        // The batch's back-propagated errors and inputs, for the packed `W₁` update.
        let (mut gs, mut xs) = (Vec::with_capacity(bsz), Vec::with_capacity(bsz));
        let mut db1: Vec<Vec<(F, FpVar<F>)>> = vec![Vec::new(); hd];
        let mut dw2: Vec<Vec<(F, FpVar<F>)>> = vec![Vec::new(); hd * c];
        let mut db2: Vec<Vec<(F, FpVar<F>)>> = vec![Vec::new(); c];
        for j in 0..bsz {
            let k = t * bsz + j;
            let sample = batch.map(|b| &b[k]);
            let SampleVars { x, onehot, label } = alloc_sample(&cs, sample, d, c)?;
            if let Some((root, bits, depth)) = &provenance {
                let siblings = (0..*depth)
                    .map(|l| FpVar::new_witness(cs.clone(), || self.paths.as_ref().map(|p| p[k][l]).ok_or_else(missing)))
                    .collect::<Result<Vec<_>, _>>()?;
                enforce_membership(&x, &label, &bits[k], &siblings, root)?;
            }

            // Forward (packed products: several neurons per multiplication).
            let (h, interior): (Vec<_>, Vec<_>) =
                dense_rshift_round_clamp(&before.w1, &x, &before.b1, fb, n.hidden)?.into_iter().map(|r| (r.value, r.interior)).unzip();
            let y = dense_rshift_round(&before.w2, &h, &before.b2, fb, n.logits)?;
            let e = y
                .into_iter()
                .zip(&onehot)
                .map(|(y, t)| weighted_sum(&[(F::ONE, y), (-target, t.clone())], F::ZERO))
                .collect::<Result<Vec<_>, _>>()?;

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
        let update = |old: &[FpVar<F>], new: &[FpVar<F>], grads: &[Vec<(F, FpVar<F>)>], shift: u32| -> Result<(), SynthesisError> {
            for ((w, u), g) in old.iter().zip(new).zip(grads) {
                let q = w - u;
                enforce_rshift_round(&weighted_sum(g, F::ZERO)?, shift, &q)?;
            }
            Ok(())
        };
        // dW₁ = Σ_batch g ⊗ x, packed: several hidden units per multiplication.
        let q1: Vec<FpVar<F>> = before.w1.iter().zip(&after.w1).map(|(w, u)| w - u).collect();
        packed_dense::enforce_packed_outer_update(&gs, &xs, &q1, cfg.lr_shift1, outer_digit_bits(&shape, &cfg))?;
        update(&before.b1, &after.b1, &db1, cfg.lr_shift1)?;
        update(&before.w2, &after.w2, &dw2, cfg.lr_shift2)?;
        update(&before.b2, &after.b2, &db2, cfg.lr_shift2)?;
        }

        let salt = FpVar::new_witness(cs.clone(), || self.salt.ok_or(SynthesisError::AssignmentMissing))?;
        let count = shape.params() as u64;
        commit_words(&weights[0].words, count, &salt)?.enforce_equal(&head_before)?;
        commit_words(&weights[k].words, count, &salt)?.enforce_equal(&head_after)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;
    use ark_ff::Field;
    use ark_relations::gr1cs::ConstraintSystem;
    use rand::{Rng, SeedableRng};

    fn satisfied(c: TrainStepCircuit<Fr>) -> (bool, usize) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        c.generate_constraints(cs.clone()).unwrap();
        (cs.is_satisfied().unwrap(), cs.num_constraints())
    }

    /// Synthetic int8 samples (features over the whole int8 range when `signed`, else 0..=127).
    fn samples(n: usize, d: usize, classes: usize, signed: bool, seed: u64) -> Vec<Sample> {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(seed);
        (0..n)
            .map(|_| Sample {
                features: (0..d).map(|_| if signed { rng.gen::<i8>() } else { rng.gen_range(0..=127) }).collect(),
                label: rng.gen_range(0..classes) as u8,
            })
            .collect()
    }

    fn small_cfg() -> TrainConfig {
        TrainConfig { lr_shift1: 7, lr_shift2: 7, ..TrainConfig::default() }
    }

    #[test]
    fn small_model_agrees_with_native_over_consecutive_steps() {
        let cfg = small_cfg();
        let salt = Fr::from(0x5a17u64);
        let mut m = Mlp::seeded(8, 4, 3, 1, &cfg);
        let shape = TrainShape { inputs: 8, hidden: 4, classes: 3, batch: 2, steps: 1, depth: None };
        let (mut masked, mut open) = (0, 0);
        for step in 0..3u64 {
            let batch = samples(2, 8, 3, true, 100 + step);
            for s in &batch {
                for &h in &m.forward(&s.features, &cfg).unwrap().h {
                    if h == 0 || h == 127 { masked += 1 } else { open += 1 }
                }
            }
            let (circuit, st, after) = TrainStepCircuit::new(&m, &batch, &cfg, salt).unwrap();
            assert_eq!(st.head_before, head(&m, &cfg, salt));
            assert_eq!(st.head_after, head(&after, &cfg, salt));
            assert_ne!(after, m, "step {step} must move the weights");
            assert_eq!(satisfied(circuit), (true, constraint_count(&shape, &cfg)), "step {step}");
            m = after;
        }
        let fixed = constraint_count(&TrainShape { batch: 0, ..shape }, &cfg);
        println!("8-4-3, B = 2: {} constraints ({fixed} fixed + {} per sample)", constraint_count(&shape, &cfg), (constraint_count(&shape, &cfg) - fixed) / 2);
        assert!(masked > 0 && open > 0, "the batches exercise both sides of the mask ({masked}, {open})");
    }

    #[test]
    fn claimed_weights_other_than_the_native_step_are_rejected() {
        let cfg = small_cfg();
        let salt = Fr::from(9u64);
        let m = Mlp::seeded(8, 4, 3, 2, &cfg);
        let batch = samples(2, 8, 3, true, 7);
        let (good, _, after) = TrainStepCircuit::new(&m, &batch, &cfg, salt).unwrap();
        assert!(satisfied(good.clone()).0);

        // A wrong gradient: one updated weight off by one in each tensor (heads consistent with it).
        for (layer, pick) in [("w1", 0usize), ("b1", 1), ("w2", 2), ("b2", 3)] {
            for delta in [1i64, -1] {
                let mut bad = after.clone();
                let t = match pick {
                    0 => &mut bad.w1,
                    1 => &mut bad.b1,
                    2 => &mut bad.w2,
                    _ => &mut bad.b2,
                };
                *t.last_mut().unwrap() += delta;
                let mut c = good.clone();
                c.statement = Some(TrainStatement { head_before: head(&m, &cfg, salt), head_after: head(&bad, &cfg, salt), data: None });
                c.after = Some(bad);
                assert!(!satisfied(c).0, "{layer} off by {delta}");
            }
        }

        // The honest weights but the wrong headAfter.
        let mut c = good.clone();
        c.statement = Some(TrainStatement { head_before: head(&m, &cfg, salt), head_after: head(&m, &cfg, salt), data: None });
        assert!(!satisfied(c).0, "headAfter of the unchanged weights");

        // A different sample in the batch (one that changes the update).
        let mut other = batch.clone();
        other[1].features[3] = other[1].features[3].wrapping_add(64);
        let pairs: Vec<(&[i8], u8)> = other.iter().map(|s| (s.features.as_slice(), s.label)).collect();
        assert_ne!(m.step(&pairs, &cfg).unwrap(), after, "the tampered sample must change the step");
        let mut c = good.clone();
        c.batch = Some(other);
        assert!(!satisfied(c).0, "wrong sample feature");
        let mut other = batch.clone();
        other[0].label = (other[0].label + 1) % 3;
        let pairs: Vec<(&[i8], u8)> = other.iter().map(|s| (s.features.as_slice(), s.label)).collect();
        assert_ne!(m.step(&pairs, &cfg).unwrap(), after, "the tampered label must change the step");
        let mut c = good.clone();
        c.batch = Some(other);
        assert!(!satisfied(c).0, "wrong label");

        // Weights that do not match headBefore (their own honest step as the after weights).
        let mut wrong = m.clone();
        wrong.w1[5] += 1;
        let (mut c, _, wrong_after) = TrainStepCircuit::new(&wrong, &batch, &cfg, salt).unwrap();
        c.statement = Some(TrainStatement { head_before: head(&m, &cfg, salt), head_after: head(&wrong_after, &cfg, salt), data: None });
        assert!(!satisfied(c).0, "weights not matching headBefore");

        // The wrong salt.
        let mut c = good;
        c.salt = Some(Fr::from(10u64));
        assert!(!satisfied(c).0, "wrong salt");
    }

    #[test]
    fn digits_shape_agrees_with_native_and_reports_cost() {
        let cfg = TrainConfig::default();
        let salt = Fr::from(77u64);
        let mut m = Mlp::seeded(64, 32, 10, 3, &cfg);
        let shape = TrainShape { inputs: 64, hidden: 32, classes: 10, batch: 2, steps: 1, depth: None };
        let widths = Widths::for_shape(&shape, &cfg);
        let total = constraint_count(&shape, &cfg);
        let fixed = constraint_count(&TrainShape { batch: 0, ..shape }, &cfg);
        println!("digits 64-32-10, B = 2: widths {widths:?}, {total} constraints ({fixed} fixed + {} per sample)", (total - fixed) / 2);
        for step in 0..2u64 {
            let batch = samples(2, 64, 10, false, 200 + step);
            let (circuit, st, after) = TrainStepCircuit::new(&m, &batch, &cfg, salt).unwrap();
            assert_eq!(st.head_after, head(&after, &cfg, salt));
            assert_ne!(after, m);
            assert_eq!(satisfied(circuit), (true, total), "step {step}");
            m = after;
        }
    }

    /// The circuit with its batch (and paths) replaced, and the after weights and head recomputed
    /// honestly from that batch: only provenance can reject it.
    fn with_batch(mut c: TrainStepCircuit<Fr>, batch: Vec<Sample>, paths: Vec<Vec<Fr>>, salt: Fr) -> TrainStepCircuit<Fr> {
        let cfg = c.cfg;
        let before = c.before.clone().unwrap();
        let pairs: Vec<(&[i8], u8)> = batch.iter().map(|s| (s.features.as_slice(), s.label)).collect();
        let after = before.step(&pairs, &cfg).unwrap();
        let mut st = c.statement.unwrap();
        st.head_after = head(&after, &cfg, salt);
        c.statement = Some(st);
        c.after = Some(after);
        c.batch = Some(batch);
        c.paths = Some(paths);
        c
    }

    #[test]
    fn provenance_binds_the_batch_to_the_seed_and_the_data_set() {
        let cfg = small_cfg();
        let (salt, seed, prover) = (Fr::from(31u64), Fr::from(0xfeedu64), [0x11u8; 20]);
        let tree = DatasetTree::<Fr>::new(samples(5, 8, 3, true, 42)).unwrap();
        assert_eq!(tree.depth(), 3);
        let mut m = Mlp::seeded(8, 4, 3, 4, &cfg);
        for step in 0..3u64 {
            let (c, st, after) = TrainStepCircuit::from_dataset(&m, &tree, 2, seed, step, prover, &cfg, salt).unwrap();
            let inputs = st.public_inputs();
            assert_eq!(inputs.len(), 5);
            assert_eq!(inputs[4], Fr::from(step) + address_to_field::<Fr>(&prover) * Fr::from(2u64).pow([88u64]));
            let shape = c.shape;
            assert_eq!(satisfied(c.clone()), (true, constraint_count(&shape, &cfg)), "step {step}");
            if step == 0 {
                let idx = batch_indices_native(seed, step, 2, 3).unwrap();
                // Another seed or step selects other samples.
                let differs = |s2: Fr, t2: u64| batch_indices_native(s2, t2, 2, 3).unwrap() != idx;
                let seed2 = (1u64..).map(|k| seed + Fr::from(k)).find(|&s2| differs(s2, step)).unwrap();
                let step2 = (step + 1..).find(|&t2| differs(seed, t2)).unwrap();
                for (what, seed2, step2) in [("seed", seed2, step), ("step", seed, step2)] {
                    let mut c2 = c.clone();
                    let mut st2 = st;
                    st2.data = Some(DataStatement { seed: seed2, step: step2, ..st.data.unwrap() });
                    c2.statement = Some(st2);
                    assert!(!satisfied(c2).0, "wrong {what}");
                }
                // A member of the data set, with its valid path, but not at the index the seed picks.
                let other = (0..8u64).find(|&j| j % 5 != idx[0] % 5 && j % 5 != idx[1] % 5).unwrap();
                let mut batch = c.batch.clone().unwrap();
                let mut paths = c.paths.clone().unwrap();
                batch[0] = tree.sample(other).unwrap().clone();
                paths[0] = tree.path(other).unwrap().siblings;
                assert!(!satisfied(with_batch(c.clone(), batch, paths, salt)).0, "a sample the seed did not pick");
                // A sample that is not in the data set.
                let mut batch = c.batch.clone().unwrap();
                batch[1].features[0] = batch[1].features[0].wrapping_add(1);
                assert!(!satisfied(with_batch(c.clone(), batch, c.paths.clone().unwrap(), salt)).0, "a sample not in the set");
                // A wrong label.
                let mut batch = c.batch.clone().unwrap();
                batch[1].label = (batch[1].label + 1) % 3;
                assert!(!satisfied(with_batch(c.clone(), batch, c.paths.clone().unwrap(), salt)).0, "a wrong label");
                // The honest batch still verifies through with_batch (the helper itself is sound).
                assert!(satisfied(with_batch(c.clone(), c.batch.clone().unwrap(), c.paths.clone().unwrap(), salt)).0);
            }
            m = after;
        }
    }

    #[test]
    fn digits_shape_with_provenance_reports_cost() {
        let cfg = TrainConfig::default();
        let (salt, seed, prover) = (Fr::from(5u64), Fr::from(123_456u64), [0xabu8; 20]);
        let tree = DatasetTree::<Fr>::new(samples(1257, 64, 10, false, 9)).unwrap();
        assert_eq!(tree.depth(), 11);
        let m = Mlp::seeded(64, 32, 10, 3, &cfg);
        let (c, st, after) = TrainStepCircuit::from_dataset(&m, &tree, 2, seed, 7, prover, &cfg, salt).unwrap();
        assert_eq!(st.head_after, head(&after, &cfg, salt));
        let shape = c.shape;
        let total = constraint_count(&shape, &cfg);
        let plain = constraint_count(&TrainShape { depth: None, ..shape }, &cfg);
        println!("digits 64-32-10, B = 2, with provenance (depth 11): {total} constraints ({} for provenance)", total - plain);
        assert_eq!(satisfied(c), (true, total));
    }

    #[test]
    fn setup_mode_has_the_same_shape() {
        let cfg = small_cfg();
        for (depth, inputs, steps) in [(None, 2usize, 1usize), (Some(3), 5, 1), (Some(3), 5, 3)] {
            let shape = TrainShape { inputs: 8, hidden: 4, classes: 3, batch: 2, steps, depth };
            let cs = ConstraintSystem::<Fr>::new_ref();
            cs.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
            TrainStepCircuit::<Fr>::for_setup(shape, cfg).generate_constraints(cs.clone()).unwrap();
            assert_eq!(cs.num_constraints(), constraint_count(&shape, &cfg), "depth {depth:?}");
            // The constant 1 is instance variable 0.
            assert_eq!(cs.num_instance_variables(), inputs + 1, "depth {depth:?}");
        }
    }

    #[test]
    fn k_steps_in_one_proof_equal_k_native_steps() {
        let cfg = small_cfg();
        let salt = Fr::from(31u64);
        let m = Mlp::seeded(8, 4, 3, 4, &cfg);
        let batches: Vec<Vec<Sample>> = (0..3).map(|t| samples(2, 8, 3, true, 300 + t)).collect();
        let (c, st, after) = TrainStepCircuit::new_steps(&m, &batches, &cfg, salt).unwrap();
        let mut native = m.clone();
        for b in &batches {
            let pairs: Vec<(&[i8], u8)> = b.iter().map(|s| (s.features.as_slice(), s.label)).collect();
            native = native.step(&pairs, &cfg).unwrap();
        }
        assert_eq!(after, native);
        assert_eq!(st.head_after, head(&native, &cfg, salt));
        let shape = TrainShape { inputs: 8, hidden: 4, classes: 3, batch: 2, steps: 3, depth: None };
        assert_eq!(c.shape, shape);
        assert_eq!(satisfied(c.clone()), (true, constraint_count(&shape, &cfg)));

        // An intermediate weight off by one (the final head still the honest one): unsatisfied.
        for i in 0..2 {
            let mut bad = c.clone();
            bad.between.as_mut().unwrap()[i].w2[1] += 1;
            assert!(!satisfied(bad).0, "intermediate weights {i} tampered");
        }
        // The batches in another order: another trajectory.
        let mut bad = c.clone();
        let mut swapped = batches.clone();
        swapped.swap(0, 2);
        bad.batch = Some(swapped.concat());
        assert!(!satisfied(bad).0, "batches reordered");
    }

    #[test]
    fn k_steps_with_provenance_draw_each_batch_from_its_own_step() {
        let cfg = small_cfg();
        let (salt, seed, prover) = (Fr::from(3u64), Fr::from(999u64), [0x11u8; 20]);
        let tree = DatasetTree::<Fr>::new(samples(13, 8, 3, true, 21)).unwrap();
        let m = Mlp::seeded(8, 4, 3, 6, &cfg);
        let (c, st, after) = TrainStepCircuit::from_dataset_steps(&m, &tree, 2, 2, seed, 4, prover, &cfg, salt).unwrap();
        // The same as two one-step proofs of steps 4 and 5.
        let (_, _, mid) = TrainStepCircuit::from_dataset(&m, &tree, 2, seed, 4, prover, &cfg, salt).unwrap();
        let (_, _, two) = TrainStepCircuit::from_dataset(&mid, &tree, 2, seed, 5, prover, &cfg, salt).unwrap();
        assert_eq!(after, two);
        assert_eq!(st.data.unwrap().step, 4);
        assert_eq!(satisfied(c.clone()), (true, constraint_count(&c.shape, &cfg)));
        // The second step trained on the first step's batch again (with its valid paths): unsatisfied.
        let mut bad = c.clone();
        let mut batch = bad.batch.clone().unwrap();
        let mut paths = bad.paths.clone().unwrap();
        batch[2] = batch[0].clone();
        paths[2] = paths[0].clone();
        bad.batch = Some(batch);
        bad.paths = Some(paths);
        assert!(!satisfied(bad).0, "a batch the seed did not pick for that step");
    }
}
