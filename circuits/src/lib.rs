//! # mlproof-circuits
//!
//! Quantized (integer) neural-network inference as arkworks R1CS circuits over BN254, and a native
//! reference engine that computes bit-for-bit the same integers.
//!
//! * [`model`] — the versioned quantized model format and its validation.
//! * [`quant`] — the integer arithmetic rules (requantization rounding, clamping) shared by both sides.
//! * [`engine`] — the native reference engine.
//! * [`packing`] — how int8 vectors are packed into field elements for public inputs.
//! * [`gadgets`] — one R1CS gadget per file, each documenting its constraint cost.
//! * [`inference`] — the inference circuit and its public-input layout ([`Statement`]).
//! * [`dataset`] — the training set as a Poseidon Merkle tree (data provenance for training proofs);
//!   [`membership`] — the stand-alone circuit proving a sample is in it.
//! * [`train`] — the native fixed-point SGD trainer; [`train_circuit`] — the circuit proving one of
//!   its steps between two weight commitments; [`eval_circuit`] — the circuit proving the held-out
//!   score of a committed head on a committed evaluation set.

pub mod commitment;
pub mod dataset;
pub mod engine;
pub mod eval_circuit;
pub mod error;
pub mod gadgets;
pub mod inference;
pub mod layers;
pub mod membership;
pub mod model;
pub mod packing;
pub mod quant;
pub mod slice;
pub mod train;
pub mod train_circuit;

pub use ark_bn254::Fr;
pub use error::{DatasetError, ModelError, Result};
pub use commitment::Salt;
pub use inference::{InferenceCircuit, Statement, Visibility};
pub use model::{Activation, DenseLayer, QuantModel, Requant};
