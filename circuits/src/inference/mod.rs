//! Inference proofs: the circuit proving `output = model(input)` for a [`crate::QuantModel`]
//! ([`circuit`]) and its layers as gadget compositions ([`layers`]). The statement it proves is
//! [`crate::statement::inference`].

pub mod circuit;
pub mod layers;

pub use circuit::InferenceCircuit;
