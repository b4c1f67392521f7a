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
    /// The transaction manager gave up on the intent before it reached the chain.
    #[error("{action}: not applied: {reason}")]
    NotApplied {
        /// What was being done.
        action: String,
        /// Why (e.g. the node refused the transaction for good).
        reason: String,
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
    /// The transaction manager failed.
    #[error(transparent)]
    Txm(#[from] TxmError),
}

/// What went wrong in the transaction manager ([`crate::txm`]). An intent's own fate (reverted,
/// failed) is its [`crate::txm::Outcome`], not an error; these are failures of the manager itself.
#[derive(Debug, Error)]
pub enum TxmError {
    /// The SQLite store failed.
    #[error("transaction store: {0}")]
    Store(#[from] sqlx::Error),
    /// Applying the store's migrations failed.
    #[error("transaction store migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database was written by a newer mlproof.
    #[error(
        "transaction store {path} has schema version {found}, newer than this binary knows ({known}); \
         upgrade mlproof, or point it at another database"
    )]
    SchemaTooNew {
        /// The database file.
        path: String,
        /// The newest migration recorded in it.
        found: i64,
        /// The newest migration this binary has.
        known: i64,
    },
    /// The RPC endpoint failed or is unreachable (after the retry policy gave up).
    #[error("{action}: RPC error: {message}; check that the RPC URL is right and the node is up")]
    Rpc {
        /// What was being done.
        action: String,
        /// The transport's message.
        message: String,
    },
    /// The node serves another chain than the one configured.
    #[error("the RPC endpoint serves chain {found}, but chain {expected} was configured")]
    WrongChain {
        /// Configured chain id.
        expected: u64,
        /// The node's chain id.
        found: u64,
    },
    /// The same idempotency key was submitted with a different intent.
    #[error("idempotency key {key} was already used for a different intent ({existing}); use a new key")]
    KeyConflict {
        /// The key.
        key: String,
        /// The stored intent, described.
        existing: String,
    },
    /// The sending account has no ether to pay for gas.
    #[error("account {account} has a balance of 0 on chain {chain_id}; fund it before sending")]
    Unfunded {
        /// The account.
        account: String,
        /// The chain.
        chain_id: u64,
    },
    /// [`crate::txm::TxManager::wait`] gave up before the intent ended (it is still driven).
    #[error("intent {key} is still {state} after {waited:?}; it is kept and resumed by the next driver pass")]
    Timeout {
        /// The intent's key.
        key: String,
        /// Its state when the wait ended.
        state: String,
        /// How long was waited.
        waited: std::time::Duration,
    },
    /// No intent has this key.
    #[error("no intent with key {0}")]
    UnknownIntent(String),
    /// Signing a transaction failed.
    #[error("signing: {0}")]
    Sign(String),
    /// Something stored or read back is inconsistent.
    #[error("{0}")]
    Inconsistent(String),
}

impl TxmError {
    /// Wraps an RPC failure with the action it interrupted.
    pub fn rpc(action: &str, err: &impl std::fmt::Display) -> Self {
        Self::Rpc { action: action.to_owned(), message: err.to_string() }
    }
}
