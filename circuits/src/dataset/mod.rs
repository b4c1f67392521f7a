//! Data sets and their provenance: the training (or evaluation) set as a Poseidon Merkle tree
//! ([`crate::native::dataset`], native; re-exported here) and the stand-alone circuit proving that a
//! sample is in it ([`membership`]).
//! The training-step and evaluation circuits prove membership with the same hashing
//! ([`crate::gadgets::merkle`]).

pub mod membership;

pub use crate::native::dataset::{
    leaf_hash, leaf_tag, node_hash, node_tag, DatasetTree, MerklePath, Result, Sample, MAX_DEPTH,
};
pub use membership::MembershipCircuit;
