//! The inference circuit: proves `output = model(input)` for a public model, bound to a prover.
//!
//! Public inputs, in this order (the contracts rebuild exactly this vector):
//!
//! 1. `ceil(input_len / 31)` packed input words ([`crate::packing`]);
//! 2. `ceil(output_len / 31)` packed output words;
//! 3. the prover's 20-byte address as an integer (the payee: a proof verifies for nobody else).
//!
//! Weights and biases are circuit constants, so matrix products cost no constraints; each neuron
//! pays only for its requantization ([`crate::gadgets::requant`]). Inputs are range-checked by
//! unpacking, activations by requantization, the address by a 160-bit decomposition.

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use crate::{
    engine,
    error::Result,
    gadgets::{bits::decompose_le, lincomb::weighted_sum, pack, requant::requantize},
    model::{DenseLayer, Layer, QuantModel},
    packing::{address_to_field, pack_field, signed_to_field, words_for, VALUES_PER_WORD},
};

/// Bits of an Ethereum address.
pub const ADDRESS_BITS: u32 = 160;

/// The public statement of one inference proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement {
    /// The int8 input.
    pub input: Vec<i8>,
    /// The int8 output the proof asserts.
    pub output: Vec<i8>,
    /// The prover (payee) address bound into the proof.
    pub prover: [u8; 20],
}

impl Statement {
    /// Public inputs in circuit order.
    #[must_use]
    pub fn public_inputs<F: PrimeField>(&self) -> Vec<F> {
        let mut v = pack_field(&self.input);
        v.extend(pack_field::<F>(&self.output));
        v.push(address_to_field(&self.prover));
        v
    }
}

/// Number of public inputs of a model's inference circuit.
#[must_use]
pub fn public_input_count(model: &QuantModel) -> usize {
    words_for(model.input_len) + words_for(model.output_len()) + 1
}

/// The inference circuit for one model.
#[derive(Clone, Debug)]
pub struct InferenceCircuit<'a> {
    model: &'a QuantModel,
    statement: Option<Statement>,
}

impl<'a> InferenceCircuit<'a> {
    /// A circuit without a witness, for key generation.
    #[must_use]
    pub fn for_setup(model: &'a QuantModel) -> Self {
        Self { model, statement: None }
    }

    /// Runs the native engine on `input` and returns the circuit proving the result, with its statement.
    pub fn new(model: &'a QuantModel, input: &[i8], prover: [u8; 20]) -> Result<(Self, Statement)> {
        model.validate()?;
        let output = engine::forward(model, input)?;
        let statement = Statement { input: input.to_vec(), output, prover };
        Ok((Self { model, statement: Some(statement.clone()) }, statement))
    }

    /// A circuit asserting an arbitrary statement (for tests of what the constraints reject).
    #[must_use]
    pub fn with_statement(model: &'a QuantModel, statement: Statement) -> Self {
        Self { model, statement: Some(statement) }
    }
}

fn alloc_inputs<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    values: Option<Vec<F>>,
    count: usize,
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    (0..count)
        .map(|k| {
            FpVar::new_input(cs.clone(), || {
                values.as_ref().map(|v| v[k]).ok_or(SynthesisError::AssignmentMissing)
            })
        })
        .collect()
}

/// Proves one dense layer on int8 activations `x`; returns the constrained int8 outputs.
pub fn dense_layer<F: PrimeField>(
    layer: &DenseLayer,
    x: &[FpVar<F>],
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    let m = i128::from(layer.requant.multiplier);
    let s = layer.requant.shift;
    (0..layer.out_features)
        .map(|o| {
            let n = layer.requant_bits(o);
            let terms: Vec<(F, FpVar<F>)> = x
                .iter()
                .enumerate()
                .filter(|(i, _)| layer.weight(o, *i) != 0)
                .map(|(i, xi)| (signed_to_field(i128::from(layer.weight(o, i)) * m), xi.clone()))
                .collect();
            let constant = signed_to_field::<F>(i128::from(layer.bias[o]) * m)
                + F::from(2u64).pow([u64::from(s - 1)])
                + F::from(2u64).pow([u64::from(n - 1)]);
            let t = weighted_sum(&terms, constant)?;
            requantize(&t, n, s, layer.activation)
        })
        .collect()
}

impl<F: PrimeField> ConstraintSynthesizer<F> for InferenceCircuit<'_> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let model = self.model;
        let (n_in, n_out) = (words_for(model.input_len), words_for(model.output_len()));
        let st = self.statement.as_ref();
        let input_words = alloc_inputs(&cs, st.map(|s| pack_field(&s.input)), n_in)?;
        let output_words = alloc_inputs(&cs, st.map(|s| pack_field(&s.output)), n_out)?;
        let prover = FpVar::new_input(cs.clone(), || {
            st.map(|s| address_to_field::<F>(&s.prover)).ok_or(SynthesisError::AssignmentMissing)
        })?;

        decompose_le(&prover, ADDRESS_BITS)?;

        let mut x = Vec::with_capacity(model.input_len);
        for (k, word) in input_words.iter().enumerate() {
            let count = (model.input_len - k * VALUES_PER_WORD).min(VALUES_PER_WORD);
            x.extend(pack::unpack_int8(word, count)?);
        }
        for layer in &model.layers {
            x = match layer {
                Layer::Dense(d) => dense_layer(d, &x)?,
            };
        }
        for (word, chunk) in output_words.iter().zip(x.chunks(VALUES_PER_WORD)) {
            pack::enforce_packed(word, chunk)?;
        }
        Ok(())
    }
}
