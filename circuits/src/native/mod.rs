//! The native side: the integers the circuits prove, computed directly (no constraints).
//!
//! * [`model`] — the versioned quantized model format ([`model::QuantModel`]) and its validation;
//! * [`quant`] — the integer arithmetic rules (the rounding shift, requantization, clamping, the
//!   first maximum) shared by the engine, the trainer and the gadgets;
//! * [`engine`] — the reference inference engine;
//! * [`packing`] — how int8 vectors are packed into field elements for public inputs;
//! * [`dataset`] — a data set as a Poseidon Merkle tree (data provenance for training proofs);
//! * [`poseidon`] — the Poseidon sponge every commitment and tree hashes with;
//! * [`commitment`] — the Poseidon commitment to a model's private weights ([`commitment::Salt`]);
//! * [`slice`] — the seeded demo model and inputs;
//! * [`trainer`] — the fixed-point SGD trainer of a one-hidden-layer MLP ([`trainer::Mlp`]).

pub mod commitment;
pub mod dataset;
pub mod engine;
pub mod model;
pub mod packing;
pub mod poseidon;
pub mod quant;
pub mod slice;
pub mod trainer;
