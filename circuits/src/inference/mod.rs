//! Inference proofs: the circuit proving `output = model(input)` for a [`crate::QuantModel`]
//! ([`circuit`]), its layers as gadget compositions ([`layers`]) and their measured per-operation
//! costs ([`costs`]). The statement it proves is
//! [`crate::statement::inference`].

pub mod circuit;
pub mod costs;
pub mod layers;

pub use circuit::InferenceCircuit;
