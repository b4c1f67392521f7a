//! Errors of the prover crate.

use thiserror::Error;

/// Result alias for this crate.
pub type Result<T, E = ProverError> = core::result::Result<T, E>;

/// What went wrong while setting up, proving, verifying or exporting.
#[derive(Debug, Error)]
pub enum ProverError {
    /// The model or the input was rejected.
    #[error(transparent)]
    Model(#[from] mlproof_circuits::ModelError),
    /// Constraint synthesis or the Groth16 backend failed.
    #[error("groth16: {0}")]
    Groth16(#[from] ark_relations::gr1cs::SynthesisError),
    /// The witness does not satisfy the circuit (the claimed statement is false).
    #[error("the statement is false: the witness does not satisfy the circuit ({0})")]
    Unsatisfied(String),
    /// A key or proof could not be (de)serialized.
    #[error("serialization: {0}")]
    Serialization(#[from] ark_serialize::SerializationError),
    /// A proving-key file is malformed, corrupted or made for another circuit.
    #[error("proving key: {0}")]
    KeyFile(String),
    /// A proof file is malformed.
    #[error("malformed proof file: {0}")]
    ProofFile(String),
    /// The proof does not verify.
    #[error("the proof does not verify against the verifying key and public inputs")]
    InvalidProof,
    /// A batch is malformed the way the Solidity `verifyBatch` reverts on (empty, wrong input
    /// count, a value outside its field).
    #[error("malformed batch: {0}")]
    Batch(String),
    /// Filesystem error, with the path involved.
    #[error("{path}: {source}")]
    Io {
        /// The path being read or written.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

impl ProverError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        Self::Io { path: path.as_ref().display().to_string(), source }
    }
}
