//! The long-running prover service (`mlproof node`), built up from its parts:
//!
//! * [`node`] — the service loop: chain status, events, admission, steppers, claims, shutdown;
//! * [`claims`] — claiming bounties and emissions, persisted before each claim is sent;
//! * [`admission`] — whether a task is taken (model, price, collateral, deadline vs. queue);
//! * [`config`] — `node.toml`, validated, with the commented example `mlproof node init` writes;
//! * [`runner`] — one persisted step of a job at a time: lock, prove on blocking workers, fulfil;
//! * [`batcher`] — which proved jobs are fulfilled together (`fulfilBatch`), sent crash-safely;
//! * [`state`] — a job's states and the one graph of transitions;
//! * [`store`] — jobs, transitions, refused tasks and the watcher's cursor in SQLite;
//! * [`watcher`] — the market's task events from a persisted cursor, with reorg detection;
//! * [`metrics`] — the Prometheus metrics;
//! * [`api`] — the HTTP API (axum);
//! * [`error`] — what can go wrong in the service itself.
//!
//! See `docs/node.md`.

pub mod admission;
pub mod api;
pub mod batcher;
pub mod claims;
pub mod config;
pub mod error;
pub mod metrics;
pub mod node;
pub mod runner;
pub mod state;
pub mod store;
pub mod watcher;

pub use error::{Result, ServiceError};
