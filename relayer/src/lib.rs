//! # mlproof-relayer
//!
//! Chain access for mlproof, and nothing else: it knows the contracts' ABI and how to sign, send and
//! read transactions, but not what a proof or a circuit is (it depends on no circuit or prover
//! crate; the orchestration that decides *what* to send lives in `mlproof-node`).
//!
//! * [`bindings`] — `sol!` bindings from the Solidity interfaces (one ABI source);
//! * [`chain`] — connecting with a local signer, the embedded anvil, sending transactions and
//!   deploying code, receipts with gas used, events from receipts;
//! * [`revert`] — decoding revert data into the contracts' named custom errors;
//! * [`sqlite`] — opening a migrated SQLite database (WAL, newer schemas refused), for every store;
//! * [`txm`] — the transaction manager: persistent intents, nonces, fee bumps, drops and reorgs.

pub mod bindings;
pub mod chain;
pub mod error;
pub mod revert;
pub mod sqlite;
pub mod txm;

pub use chain::{Account, Sent};
pub use error::{RelayerError, Result, TxmError};
