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
//! * [`dataset`] — the membership circuit, and the data set tree ([`native::dataset`]) re-exported.
//! * [`mlp`] — the trainable MLP in circuits (parameters, samples, forward pass, widths, the head
//!   commitment), shared by [`train`] and [`eval`].
//! * [`train`] — the circuit proving SGD steps between two weight commitments.
//! * [`eval`] — the circuit proving the held-out score of a committed head on a committed set.
//! * [`error`] — the model and data set errors.
//!
//! The module graph is acyclic and points one way (checked by `scripts/lib/module_graph.py` in
//! `./scripts/test`): `error` and `field` are leaves; [`native`] depends only on `error`;
//! [`statement`] on `native` and `field`; [`gadgets`] on `native`, `statement` (the payee layout)
//! and `field`; [`dataset`] and [`mlp`] on `gadgets` and `native`; the circuits [`inference`],
//! [`train`] and [`eval`] on the gadgets, `mlp`, `statement` and `native`, never on each other.

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
