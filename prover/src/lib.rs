//! # mlproof-prover
//!
//! Groth16 (BN254) for mlproof circuits, split by phase like ark-groth16:
//!
//! * [`setup`] — key generation; [`setup::dev_setup`] derives keys from a seed and is **not for
//!   production** (anyone who knows the seed can forge proofs);
//! * [`prove`] — proving an inference and checking it in Rust;
//! * [`evm`] — proof and public inputs in the encoding the EVM precompiles expect, and the proof file;
//! * [`solidity`] — a Solidity verifier generated from a verifying key;
//! * [`batch`] — the randomized batch check of many proofs of one key, as the Solidity `verifyBatch`;
//! * [`commitment`] — the model commitment registered on-chain;
//! * [`training`] — Groth16 for the training-step circuit.

pub mod batch;
pub mod commitment;
pub mod error;
pub mod evm;
pub mod prove;
pub mod setup;
pub mod solidity;
pub mod solidity_batch;
pub mod training;

pub use error::{ProverError, Result};
pub use evm::{EvmProof, ProofFile};
pub use prove::{prove_circuit, prove_inference, prove_inference_private, verify_inference, InferenceProof};
pub use setup::{dev_setup, KeyTag, Keys};
