//! # mlproof-relayer
//!
//! Sends mlproof proofs to the contracts through alloy: a provider with a local signer per
//! account (alloy's fillers set nonce, EIP-1559 fees and gas), receipts with gas used, and reverts
//! decoded into the contracts' custom errors.
//!
//! * [`bindings`] — `sol!` bindings from the Solidity interfaces;
//! * [`revert`] — decoding revert data into named custom errors;
//! * [`compile`] — compiling the contracts (and freshly generated verifiers) with foundry-compilers;
//! * [`chain`] — connecting, the embedded anvil, and sending transactions;
//! * [`deploy`] — deploying and wiring the protocol;
//! * [`market`] — staking, tasks, fulfilment, slashing, claims, verified outputs;
//! * [`training`] — the training ledger: claim, submit proven steps and evaluations, rewards, the
//!   lineage;
//! * [`job`] — the end-to-end inference job used by `mlproof demo` and the integration tests;
//! * [`train_job`] — the end-to-end training job (`mlproof demo --train N`).

pub mod bindings;
pub mod chain;
pub mod compile;
pub mod deploy;
pub mod error;
pub mod job;
pub mod market;
pub mod revert;
pub mod train_job;
pub mod training;

pub use error::{RelayerError, Result};
