//! The Poseidon commitment to a model's private weights (a public input of private-weight proofs).

use ark_crypto_primitives::sponge::Absorb;
use ark_ff::PrimeField;

use crate::{
    native::model::{bias_bits_of, Layer, QuantModel},
    native::{packing::words_native, poseidon::commit_words_native},
};

/// A 248-bit commitment salt (hides low-entropy weights; keep it secret with the weights).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Salt(pub [u8; 31]);

impl Salt {
    /// The salt as a field element (31 bytes are always < r).
    #[must_use]
    pub fn to_field<F: PrimeField>(&self) -> F {
        F::from_le_bytes_mod_order(&self.0)
    }
}

/// Words and value count the commitment hashes: per layer, int8 weights then biases.
#[must_use]
pub fn weight_words<F: PrimeField>(model: &QuantModel) -> (Vec<F>, u64) {
    let mut words = Vec::new();
    let mut count = 0u64;
    for layer in &model.layers {
        let (weights, bias, bits) = match layer {
            Layer::Dense(d) => (&d.weights, &d.bias, bias_bits_of(&d.bias)),
            Layer::Conv2d(c) => (&c.weights, &c.bias, bias_bits_of(&c.bias)),
            _ => continue,
        };
        words.extend(words_native::<F>(weights, 8));
        words.extend(words_native::<F>(bias, bits));
        count += (weights.len() + bias.len()) as u64;
    }
    (words, count)
}

/// `Poseidon(tag, count, salt, words…)` over the model's weights and biases.
#[must_use]
pub fn weights_commitment<F: PrimeField + Absorb>(model: &QuantModel, salt: &Salt) -> F {
    let (words, count) = weight_words::<F>(model);
    commit_words_native(&words, count, salt.to_field())
}
