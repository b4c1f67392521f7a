//! # mlproof-node
//!
//! Orchestration: it decides what to prove and what to send, using `mlproof-circuits` and
//! `mlproof-prover` for the proofs and `mlproof-relayer` for every chain access. The long-running
//! prover service grows here.
//!
//! * [`compile`] — compiling the contracts (and freshly generated verifiers) with foundry-compilers;
//! * [`deploy`] — deploying and wiring the protocol, registering models;
//! * [`deployments`] — `mlproof deploy --network`: profiles, the whole deployment, `deployments/<chain id>.json`;
//! * [`market`] — the market client: staking, tasks, fulfilment, slashing, claims, verified outputs;
//! * [`training`] — the training-ledger client: claim, submit proven steps and evaluations, rewards,
//!   the lineage;
//! * [`job`] — the end-to-end inference job (`mlproof demo`, integration tests);
//! * [`train_job`] — the end-to-end training job (`mlproof demo --train N`);
//! * [`service`] — the long-running prover service (`mlproof node`): config, job store, API, metrics.

pub mod compile;
pub mod deploy;
pub mod deployments;
pub mod error;
pub mod job;
pub mod market;
pub mod service;
pub mod train_job;
pub mod training;

pub use error::{NodeError, Result};
