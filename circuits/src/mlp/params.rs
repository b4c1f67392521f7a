//! The MLP's parameters in the circuit and the head commitment over them.
//!
//! A head is `Poseidon(tag, count, salt, words…)` ([`crate::gadgets::poseidon::commit_words`]) over
//! the parameters `w1, b1, w2, b2` as `weight_bits`-bit values packed `248 / weight_bits` per word,
//! tensor by tensor ([`crate::gadgets::private_tensor`]).

use ark_crypto_primitives::sponge::Absorb;
use ark_ff::PrimeField;
use ark_r1cs_std::fields::fp::FpVar;
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::{
    gadgets::private_tensor,
    mlp::shape::MlpDims,
    native::{
        packing::words_native,
        poseidon::commit_words_native,
        trainer::{Mlp, TrainConfig},
    },
};

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

/// The four tensors of an MLP allocated as private tensors, and the packed words a head hashes.
pub struct Params<F: PrimeField> {
    /// First layer weights (`hidden × inputs`, row-major).
    pub w1: Vec<FpVar<F>>,
    /// First layer biases.
    pub b1: Vec<FpVar<F>>,
    /// Second layer weights (`classes × hidden`).
    pub w2: Vec<FpVar<F>>,
    /// Second layer biases.
    pub b2: Vec<FpVar<F>>,
    /// The packed words of all four, in commitment order.
    pub words: Vec<FpVar<F>>,
}

/// Allocates `m`'s parameters (or witnesses to come, for setup), each range-checked to `bits`
/// bits: `bits` constraints per parameter. Unsatisfiable if `m` does not have the shape `dims`.
pub fn alloc_params<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    m: Option<&Mlp>,
    dims: &MlpDims,
    bits: u32,
) -> Result<Params<F>, SynthesisError> {
    let (d, h, c) = (dims.inputs, dims.hidden, dims.classes);
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
