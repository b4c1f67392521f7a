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
    /// Something read back from the chain is inconsistent.
    #[error("{0}")]
    Inconsistent(String),
}
