//! The inference circuit: proves `output = model(input)` for a public model, bound to a prover.
//!
//! Public inputs: the layout of [`crate::statement::inference`] (input words or an input
//! commitment, output words with the payee in the last, the weights commitment with private
//! weights); the payee is bound by [`PayeeVar`].
//!
//! With [`Visibility::Public`] weights and biases are circuit constants, so matrix products cost no
//! constraints ([`crate::inference::layers::dense_public`]). With [`Visibility::Private`] they are witnesses,
//! range-checked and bound to the public commitment, and products are packed several per field
//! multiplication ([`crate::inference::layers::dense_private`]); the verifying key then depends only on the
//! architecture (shapes, requantization multipliers and shifts, bias widths). Inputs are
//! range-checked by unpacking, activations by requantization, the address by a 160-bit decomposition.

use ark_ff::PrimeField;
use ark_r1cs_std::{alloc::AllocVar, eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use crate::{
    error::Result,
    field::to_be_bytes32,
    gadgets::{argmax::argmax, lincomb::weighted_sum, pack, payee::PayeeVar, poseidon::commit_words, private_tensor},
    inference::layers::{
        conv::{conv, conv_bias_bits, ConvWeights},
        dense_private::{bias_bits, dense_private},
        dense_public::dense_public,
        pool::pool,
    },
    native::{
        commitment::{weights_commitment, Salt},
        engine,
        model::{Layer, QuantModel},
        packing::{pack_field, words_for, VALUES_PER_WORD},
        poseidon::commit_native,
    },
    statement::{
        inference::{Statement, Visibility},
        output::{output_public_words, output_words_for},
    },
};

/// The inference circuit for one model.
#[derive(Clone, Debug)]
pub struct InferenceCircuit<'a> {
    model: &'a QuantModel,
    statement: Option<Statement>,
    visibility: Visibility,
    salt: Option<Salt>,
    /// `None`: public input. `Some(salt)`: committed input (`Some(None)` during setup).
    input_salt: Option<Option<Salt>>,
}

impl<'a> InferenceCircuit<'a> {
    /// A circuit without a witness, for key generation.
    #[must_use]
    pub fn for_setup(model: &'a QuantModel, visibility: Visibility) -> Self {
        Self { model, statement: None, visibility, salt: None, input_salt: None }
    }

    /// Runs the native engine on `input` and returns the public-weight circuit proving the result.
    pub fn new(model: &'a QuantModel, input: &[i8], prover: [u8; 20]) -> Result<(Self, Statement)> {
        model.validate()?;
        let output = engine::forward(model, input)?;
        let statement =
            Statement { input: input.to_vec(), output, prover, weights_commitment: None, input_commitment: None };
        Ok((
            Self {
                model,
                statement: Some(statement.clone()),
                visibility: Visibility::Public,
                salt: None,
                input_salt: None,
            },
            statement,
        ))
    }

    /// Like [`InferenceCircuit::new`] with private weights committed under `salt`.
    pub fn new_private(model: &'a QuantModel, input: &[i8], prover: [u8; 20], salt: Salt) -> Result<(Self, Statement)> {
        model.validate()?;
        let output = engine::forward(model, input)?;
        let commitment = to_be_bytes32(weights_commitment::<ark_bn254::Fr>(model, &salt));
        let statement = Statement {
            input: input.to_vec(),
            output,
            prover,
            weights_commitment: Some(commitment),
            input_commitment: None,
        };
        Ok((
            Self {
                model,
                statement: Some(statement.clone()),
                visibility: Visibility::Private,
                salt: Some(salt),
                input_salt: None,
            },
            statement,
        ))
    }

    /// A circuit asserting an arbitrary statement (for tests of what the constraints reject).
    #[must_use]
    pub fn with_statement(model: &'a QuantModel, statement: Statement) -> Self {
        Self { model, statement: Some(statement), visibility: Visibility::Public, salt: None, input_salt: None }
    }

    /// Makes the input private: the proof exposes `Poseidon(tag, len, salt, packed input)` instead of
    /// the input words. Without a statement (key generation), only the circuit shape changes.
    #[must_use]
    pub fn with_committed_input(mut self, salt: Option<Salt>) -> (Self, Option<Statement>) {
        if let (Some(st), Some(s)) = (self.statement.as_mut(), salt) {
            st.input_commitment = Some(to_be_bytes32(commit_native::<ark_bn254::Fr>(&st.input, s.to_field())));
        }
        self.input_salt = Some(salt);
        let st = self.statement.clone();
        (self, st)
    }

    /// Committed input with the statement's claimed commitment left as it is and `salt` as the
    /// opening witness (for tests of what the constraints reject).
    #[must_use]
    pub fn with_input_salt(mut self, salt: Salt) -> Self {
        self.input_salt = Some(Some(salt));
        self
    }

    /// A private-weight circuit asserting an arbitrary statement, with `model`'s weights as witness.
    #[must_use]
    pub fn with_private_statement(model: &'a QuantModel, statement: Statement, salt: Salt) -> Self {
        Self { model, statement: Some(statement), visibility: Visibility::Private, salt: Some(salt), input_salt: None }
    }
}

fn alloc_inputs<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    values: Option<Vec<F>>,
    count: usize,
) -> Result<Vec<FpVar<F>>, SynthesisError> {
    (0..count)
        .map(|k| {
            FpVar::new_input(cs.clone(), || values.as_ref().map(|v| v[k]).ok_or(SynthesisError::AssignmentMissing))
        })
        .collect()
}

impl<F: PrimeField> ConstraintSynthesizer<F> for InferenceCircuit<'_> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let model = self.model;
        let (n_in, n_out) = (words_for(model.input_len), output_words_for(model.output_len()));
        let st = self.statement.as_ref();
        let committed_input = self.input_salt.is_some();
        let input_words = if committed_input {
            alloc_inputs(&cs, st.and_then(|s| s.input_commitment).map(|c| vec![F::from_be_bytes_mod_order(&c)]), 1)?
        } else {
            alloc_inputs(&cs, st.map(|s| pack_field(&s.input)), n_in)?
        };
        let output_words = alloc_inputs(
            &cs,
            st.map(|s| {
                output_public_words(&s.output, &s.prover).iter().map(|w| F::from_be_bytes_mod_order(w)).collect()
            }),
            n_out,
        )?;
        let commitment = match self.visibility {
            Visibility::Public => None,
            Visibility::Private => Some(FpVar::new_input(cs.clone(), || {
                st.and_then(|s| s.weights_commitment)
                    .map(|c| F::from_be_bytes_mod_order(&c))
                    .ok_or(SynthesisError::AssignmentMissing)
            })?),
        };
        let prover = PayeeVar::alloc(&cs, st.map(|s| &s.prover))?;

        let mut x = Vec::with_capacity(model.input_len);
        if let Some(salt) = self.input_salt {
            // Committed input: the values are witnesses (8-bit range checks), bound to the public
            // commitment, which hashes the same packed words a public input would expose.
            let values: Option<Vec<i64>> = st.map(|s| s.input.iter().map(|&v| i64::from(v)).collect());
            let t = private_tensor::alloc(&cs, values.as_deref(), model.input_len, 8)?;
            let salt = FpVar::new_witness(cs.clone(), || {
                salt.map(|s| s.to_field::<F>()).ok_or(SynthesisError::AssignmentMissing)
            })?;
            commit_words(&t.words, model.input_len as u64, &salt)?.enforce_equal(&input_words[0])?;
            x = t.values;
        } else {
            for (k, word) in input_words.iter().enumerate() {
                let count = (model.input_len - k * VALUES_PER_WORD).min(VALUES_PER_WORD);
                x.extend(pack::unpack_int8(word, count)?);
            }
        }
        let shapes = model.shapes().map_err(|_| SynthesisError::Unsatisfiable)?;
        let private = match (self.visibility, &commitment) {
            (Visibility::Private, Some(_)) => Some(FpVar::new_witness(cs.clone(), || {
                self.salt.map(|s| s.to_field::<F>()).ok_or(SynthesisError::AssignmentMissing)
            })?),
            _ => None,
        };
        let known = st.is_some();
        let mut words = Vec::new();
        let mut count = 0u64;
        let zps = model.input_zero_points();
        for ((layer, shape), &zp) in model.layers.iter().zip(&shapes).zip(&zps) {
            x = match layer {
                Layer::Dense(d) if private.is_some() => {
                    let w = private_tensor::alloc(&cs, known.then_some(d.weights.as_slice()), d.weights.len(), 8)?;
                    let b = private_tensor::alloc(&cs, known.then_some(d.bias.as_slice()), d.bias.len(), bias_bits(d))?;
                    let y = dense_private(d, &w.values, &b.values, &x, zp)?;
                    count += (d.weights.len() + d.bias.len()) as u64;
                    words.extend(w.words);
                    words.extend(b.words);
                    y
                }
                Layer::Dense(d) => dense_public(d, &x, zp)?,
                Layer::Conv2d(c) if private.is_some() => {
                    let w = private_tensor::alloc(&cs, known.then_some(c.weights.as_slice()), c.weights.len(), 8)?;
                    let b = private_tensor::alloc(
                        &cs,
                        known.then_some(c.bias.as_slice()),
                        c.bias.len(),
                        conv_bias_bits(c),
                    )?;
                    let y = conv(c, &x, shape[1], shape[2], &ConvWeights::Private(&w.values, &b.values), zp)?;
                    count += (c.weights.len() + c.bias.len()) as u64;
                    words.extend(w.words);
                    words.extend(b.words);
                    y
                }
                Layer::Conv2d(c) => conv(c, &x, shape[1], shape[2], &ConvWeights::Public, zp)?,
                Layer::MaxPool(p) => pool(p, &x, shape, true)?,
                Layer::AvgPool(p) => pool(p, &x, shape, false)?,
                Layer::Flatten => x,
                Layer::Argmax => vec![argmax(&x)?],
            };
        }
        if let (Some(salt), Some(commitment)) = (private, commitment) {
            commit_words(&words, count, &salt)?.enforce_equal(&commitment)?;
        }
        // Output words: packed values (already int8-constrained), the payee added to the last word.
        // One constraint per word; unique because values < 2^88 in the last word and prover < 2^160.
        let chunks: Vec<&[FpVar<F>]> = x.chunks(VALUES_PER_WORD).collect();
        for (k, word) in output_words.iter().enumerate() {
            let (terms, constant) = pack::packed_terms(chunks.get(k).copied().unwrap_or(&[]));
            let packed = if k + 1 == n_out { prover.bind(&terms, constant)? } else { weighted_sum(&terms, constant)? };
            packed.enforce_equal(word)?;
        }
        Ok(())
    }
}
