//! Errors of the node crate.

use thiserror::Error;

/// Result alias for this crate.
pub type Result<T, E = NodeError> = core::result::Result<T, E>;

/// Why a job, a deployment or a market action could not be carried out.
#[derive(Debug, Error)]
pub enum NodeError {
    /// Talking to the chain failed: a revert (decoded), a failed transaction, the RPC endpoint, anvil.
    #[error(transparent)]
    Chain(#[from] mlproof_relayer::RelayerError),
    /// Solidity compilation failed.
    #[error("compiling Solidity: {0}")]
    Compile(String),
    /// A proof could not be produced or exported.
    #[error(transparent)]
    Prover(#[from] mlproof_prover::ProverError),
    /// The model or input was rejected.
    #[error(transparent)]
    Model(#[from] mlproof_circuits::ModelError),
    /// A data set could not be committed.
    #[error(transparent)]
    Dataset(#[from] mlproof_circuits::DatasetError),
    /// A training step or evaluation could not be computed (shapes, an overflowing update).
    #[error(transparent)]
    Train(#[from] mlproof_circuits::native::trainer::TrainError),
    /// Something read back from the chain is inconsistent with what was sent or proven.
    #[error("{0}")]
    Inconsistent(String),
}

impl NodeError {
    /// The decoded custom error when a call or transaction reverted (e.g.
    /// `TaskMarketNotLocker { .. }`), else `None`.
    #[must_use]
    pub fn revert_reason(&self) -> Option<&str> {
        match self {
            Self::Chain(mlproof_relayer::RelayerError::Reverted { reason, .. }) => Some(reason),
            _ => None,
        }
    }
}
