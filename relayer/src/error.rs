//! Errors of the relayer crate.

use thiserror::Error;

/// Result alias for this crate.
pub type Result<T, E = RelayerError> = core::result::Result<T, E>;

/// What went wrong talking to the chain.
#[derive(Debug, Error)]
pub enum RelayerError {
    /// A call or transaction reverted; `reason` is the decoded custom error when known.
    #[error("{action} reverted: {reason}")]
    Reverted {
        /// What was being done.
        action: String,
        /// The decoded custom error (e.g. `InferenceHubNotStaked { .. }`) or the raw revert data.
        reason: String,
    },
    /// A transaction was mined but failed.
    #[error("{action}: transaction {tx} was mined but failed (status 0)")]
    Failed {
        /// What was being done.
        action: String,
        /// The transaction hash.
        tx: String,
    },
    /// The RPC endpoint failed or is unreachable.
    #[error("{action}: RPC error: {message}")]
    Rpc {
        /// What was being done.
        action: String,
        /// The transport's message.
        message: String,
    },
    /// The local chain could not be started.
    #[error("cannot start anvil ({0}); run `npm ci` in the repository or set ANVIL_BIN")]
    Anvil(String),
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
    Train(#[from] mlproof_circuits::train::TrainError),
    /// Something read back from the chain is inconsistent.
    #[error("{0}")]
    Inconsistent(String),
}
