//! # mlproof-circuits
//!
//! Quantized (integer) neural-network inference, SGD training steps and held-out evaluation as
//! arkworks R1CS circuits over BN254, and a native reference that computes bit-for-bit the same
//! integers.
//!
//! * [`native`] — the native side: the model format ([`native::model`]), the integer arithmetic
//!   rules ([`native::quant`]), the inference engine ([`native::engine`]), int8 packing
//!   ([`native::packing`]), the weights commitment ([`native::commitment`]), the demo model
//!   ([`native::slice`]) and the fixed-point SGD trainer ([`native::trainer`]).
//! * [`field`] — integer ↔ field-element conversions (a leaf every module may use).
//! * [`statement`] — every circuit's public-input layout, built and parsed, and the payee binding.
//! * [`gadgets`] — one R1CS gadget per file, each documenting its constraint cost.
//! * [`inference`] — the inference circuit and its layers.
//! * [`dataset`] — a data set as a Poseidon Merkle tree, and the membership circuit.
//! * [`mlp`] — the trainable MLP in circuits (parameters, samples, forward pass, widths, the head
//!   commitment), shared by [`train`] and [`eval`].
//! * [`train`] — the circuit proving SGD steps between two weight commitments.
//! * [`eval`] — the circuit proving the held-out score of a committed head on a committed set.
//! * [`error`] — the model and data set errors.
//!
//! The module graph is acyclic: `field` and `native::quant` are leaves, the gadgets depend only on
//! them, on each other (never in a circle) and on the native side, and each circuit module depends
//! on the gadgets, `mlp` and `statement`, never on another circuit.

pub mod dataset;
pub mod error;
pub mod eval;
pub mod field;
pub mod gadgets;
pub mod inference;
pub mod mlp;
pub mod native;
pub mod statement;
pub mod train;

pub use ark_bn254::Fr;
pub use error::{DatasetError, ModelError, Result};
pub use inference::InferenceCircuit;
pub use native::{
    commitment::Salt,
    model::{Activation, DenseLayer, QuantModel, Requant},
};
pub use statement::{Statement, Visibility};
