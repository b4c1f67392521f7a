//! The inference statement: `output = model(input)`, paid to `prover`.
//!
//! Public inputs, in this order (the contracts rebuild exactly this vector):
//!
//! 1. `ceil(input_len / 31)` packed input words ([`crate::native::packing`]), or one Poseidon
//!    commitment for a committed input;
//! 2. the packed output words ([`output_words_for`]), the last of which also carries the prover's
//!    address at bit [`PAYEE_SHIFT`](crate::statement::payee::PAYEE_SHIFT) ([`output_public_words`]);
//! 3. with [`Visibility::Private`] weights only: the Poseidon commitment to the weights
//!    ([`crate::native::commitment`]).

use ark_ff::PrimeField;

use crate::{
    field::to_be_bytes32,
    native::{
        model::QuantModel,
        packing::{pack_field, unpack_be_words, words_for},
    },
    statement::{
        output::{output_public_words, output_words_for, unpack_output_be_words},
        payee::split_payee,
    },
};

/// Whether a model's weights are circuit constants or committed witnesses (with private weights
/// the statement ends with the weights commitment).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Visibility {
    /// Weights are public circuit constants (the verifying key fixes the model).
    #[default]
    Public,
    /// Weights are private witnesses bound to a public Poseidon commitment.
    Private,
}

/// The public statement of one inference proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The int8 input.
    pub input: Vec<i8>,
    /// The int8 output the proof asserts.
    pub output: Vec<i8>,
    /// The prover (payee) address bound into the proof.
    pub prover: [u8; 20],
    /// With private weights: the weights commitment, as a big-endian field element.
    pub weights_commitment: Option<[u8; 32]>,
    /// With a committed input: the input commitment, which replaces the input words in the public
    /// inputs (`input` may then be empty in a statement received from someone else).
    pub input_commitment: Option<[u8; 32]>,
}

/// What fixes the layout of an inference statement's public inputs (the verifying key's shape).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InferenceShape {
    /// Number of int8 input values.
    pub input_len: usize,
    /// Number of int8 output values.
    pub output_len: usize,
    /// Public or committed weights.
    pub visibility: Visibility,
    /// Whether the input is committed (one public element) instead of packed words.
    pub committed_input: bool,
}

impl InferenceShape {
    /// The shape of `model`'s circuit.
    #[must_use]
    pub fn of(model: &QuantModel, visibility: Visibility, committed_input: bool) -> Self {
        Self { input_len: model.input_len, output_len: model.output_len(), visibility, committed_input }
    }

    /// Number of input words (1 for a committed input).
    #[must_use]
    pub fn input_words(&self) -> usize {
        if self.committed_input {
            1
        } else {
            words_for(self.input_len)
        }
    }

    /// Number of public inputs.
    #[must_use]
    pub fn public_input_count(&self) -> usize {
        self.input_words() + output_words_for(self.output_len) + usize::from(self.visibility == Visibility::Private)
    }
}

impl Statement {
    /// Public inputs in circuit order.
    #[must_use]
    pub fn public_inputs<F: PrimeField>(&self) -> Vec<F> {
        let mut v = match &self.input_commitment {
            Some(c) => vec![F::from_be_bytes_mod_order(c)],
            None => pack_field(&self.input),
        };
        v.extend(output_public_words(&self.output, &self.prover).iter().map(|w| F::from_be_bytes_mod_order(w)));
        if let Some(c) = &self.weights_commitment {
            v.push(F::from_be_bytes_mod_order(c));
        }
        v
    }

    /// Parses a public-input vector of a circuit of shape `shape` (the inverse of
    /// [`Statement::public_inputs`]); `None` if the vector does not have that layout (wrong length,
    /// a word that does not unpack, a last output word that carries values above bit
    /// [`PAYEE_SHIFT`](crate::statement::payee::PAYEE_SHIFT)). With a committed input, `input` is empty.
    #[must_use]
    pub fn parse<F: PrimeField>(inputs: &[F], shape: &InferenceShape) -> Option<Self> {
        if inputs.len() != shape.public_input_count() {
            return None;
        }
        let (input_words, rest) = inputs.split_at(shape.input_words());
        let (output_words, commitment) = rest.split_at(output_words_for(shape.output_len));
        let (input, input_commitment) = if shape.committed_input {
            (Vec::new(), Some(to_be_bytes32(input_words[0])))
        } else {
            let words: Vec<[u8; 32]> = input_words.iter().map(|w| to_be_bytes32(*w)).collect();
            (unpack_be_words(&words, shape.input_len)?, None)
        };
        let mut words: Vec<[u8; 32]> = output_words.iter().map(|w| to_be_bytes32(*w)).collect();
        let (low, prover) = split_payee(*output_words.last()?)?;
        *words.last_mut()? = to_be_bytes32(low);
        let output = unpack_output_be_words(&words, shape.output_len)?;
        let weights_commitment = commitment.first().map(|c| to_be_bytes32(*c));
        Some(Self { input, output, prover, weights_commitment, input_commitment })
    }
}

/// Number of public inputs of a model's inference circuit with a public input.
#[must_use]
pub fn public_input_count(model: &QuantModel, visibility: Visibility) -> usize {
    public_input_count_with(model, visibility, false)
}

/// Number of public inputs, with the input public (packed words) or committed (one element).
#[must_use]
pub fn public_input_count_with(model: &QuantModel, visibility: Visibility, committed_input: bool) -> usize {
    InferenceShape::of(model, visibility, committed_input).public_input_count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::native::{engine, slice};
    use ark_bn254::Fr;

    #[test]
    fn parse_inverts_public_inputs() {
        let model = slice::slice_model().unwrap();
        let input = slice::sample_input(3, model.input_len);
        let output = engine::forward(&model, &input).unwrap();
        let st = Statement { input, output, prover: [0x42; 20], weights_commitment: None, input_commitment: None };
        let shape = InferenceShape::of(&model, Visibility::Public, false);
        let inputs = st.public_inputs::<Fr>();
        assert_eq!(inputs.len(), public_input_count(&model, Visibility::Public));
        assert_eq!(Statement::parse(&inputs, &shape), Some(st.clone()));

        let private = Statement { weights_commitment: Some([7; 32]), input_commitment: Some([9; 32]), ..st.clone() };
        let shape = InferenceShape { visibility: Visibility::Private, committed_input: true, ..shape };
        let parsed = Statement::parse(&private.public_inputs::<Fr>(), &shape).unwrap();
        assert_eq!(parsed, Statement { input: Vec::new(), ..private });
        assert!(Statement::parse(&st.public_inputs::<Fr>(), &shape).is_none(), "wrong length");
    }
}
