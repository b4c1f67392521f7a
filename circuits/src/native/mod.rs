//! The native side: the integers the circuits prove, computed directly (no constraints).
//!
//! * [`model`] — the versioned quantized model format ([`model::QuantModel`]) and its validation;
//! * [`quant`] — the integer arithmetic rules (the rounding shift, requantization, clamping, the
//!   first maximum) shared by the engine, the trainer and the gadgets;
//! * [`engine`] — the reference inference engine;
//! * [`packing`] — how int8 vectors are packed into field elements for public inputs;
//! * [`commitment`] — the Poseidon commitment to a model's private weights ([`commitment::Salt`]);
//! * [`slice`] — the seeded demo model and inputs;
//! * [`trainer`] — the fixed-point SGD trainer of a one-hidden-layer MLP ([`trainer::Mlp`]).

pub mod commitment;
pub mod engine;
pub mod model;
pub mod packing;
pub mod quant;
pub mod slice;
pub mod trainer;
