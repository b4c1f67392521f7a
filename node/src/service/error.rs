//! Errors of the prover service.

use thiserror::Error;

use crate::service::state::JobState;

/// What went wrong in the prover service's own machinery (its store, its configuration). A task's
/// fate is its job's state, not an error.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// The SQLite job store failed.
    #[error("job store: {0}")]
    Store(#[from] sqlx::Error),
    /// Applying the job store's migrations failed.
    #[error("job store migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// The database was written by a newer mlproof.
    #[error(
        "job store {path} has schema version {found}, newer than this binary knows ({known}); \
         upgrade mlproof, or point `database` at another file"
    )]
    SchemaTooNew {
        /// The database file.
        path: String,
        /// The newest migration recorded in it.
        found: i64,
        /// The newest migration this binary has.
        known: i64,
    },
    /// A transition the life cycle does not have.
    #[error("job {job}: {from} cannot become {to}")]
    IllegalTransition {
        /// The job id.
        job: i64,
        /// Its state.
        from: JobState,
        /// The state asked for.
        to: JobState,
    },
    /// The job was not in the state the caller expected (another worker moved it first).
    #[error("job {job} is {found}, not {expected}")]
    StaleState {
        /// The job id.
        job: i64,
        /// The state the caller read.
        expected: JobState,
        /// The state it is in.
        found: String,
    },
    /// No job has this id.
    #[error("no job {0}")]
    UnknownJob(i64),
    /// Something stored is unreadable.
    #[error("job store: bad {what}: {detail}")]
    Corrupt {
        /// The column.
        what: String,
        /// What was wrong.
        detail: String,
    },
    /// Reading the chain failed (the watcher retries on its next poll).
    #[error("{action}: {message}")]
    Chain {
        /// What was being read.
        action: String,
        /// The transport's or decoder's message.
        message: String,
    },
    /// A chain call or a proof failed in a way that may pass (the job stays where it is and is
    /// retried until its deadline).
    #[error("job {job}: {source}")]
    Retry {
        /// The job id.
        job: i64,
        /// What failed.
        source: Box<crate::NodeError>,
    },
    /// Loading what the node serves, or a chain action outside a job, failed.
    #[error(transparent)]
    Node(#[from] crate::NodeError),
    /// The HTTP listener could not be bound or served.
    #[error("HTTP API on {addr}: {message}")]
    Http {
        /// The listen address.
        addr: String,
        /// What failed.
        message: String,
    },
    /// The configuration file is invalid.
    #[error("config {path}: {message}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong, naming the key.
        message: String,
    },
}

/// Result alias of the service.
pub type Result<T, E = ServiceError> = core::result::Result<T, E>;
