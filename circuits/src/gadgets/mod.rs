//! R1CS gadgets, one per file, each documenting its exact constraint cost.
//!
//! Every gadget has a `*_with_witness` form that takes the prover's hint values explicitly, so tests
//! can play a malicious prover: a correct hint satisfies the system, a tampered one must not.

pub mod argmax;
pub mod avg;
pub mod batch_index;
pub mod bits;
pub mod canonical_bits;
pub mod is_zero;
pub mod lincomb;
pub mod max;
pub mod merkle;
pub mod pack;
pub mod packed_dense;
pub mod payee;
pub mod poseidon;
pub mod private_tensor;
pub mod relu;
pub mod requant;
pub mod shift_round;

#[cfg(test)]
pub(crate) mod test_util;
