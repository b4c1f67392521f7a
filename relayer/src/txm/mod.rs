//! A transaction manager that loses nothing and sends nothing twice.
//!
//! Callers submit [`Intent`]s under an idempotency key; the driver ([`TxManager::tick`],
//! [`TxManager::run`]) takes each to exactly one end: `Confirmed`, `Reverted` or `Failed`.
//!
//! * [`types`] — intents, states, outcomes, signed transactions;
//! * [`store`] — SQLite persistence (written before anything is broadcast);
//! * [`nonce`] — one serialized nonce sequence per account, reconciled with the chain;
//! * [`fees`] — EIP-1559 fees from the fee history, the cap, replacement bumps;
//! * [`retry`] — the retry policy for transport errors, and how node errors are read;
//! * [`manager`] — opening, submitting, the driver loop; [`driver`] — one intent's step;
//! * [`probe`] — probe intents whose effect is checkable on chain (tests, the soak);
//! * [`counters`] — sent, replaced, dropped-and-resent, reorged, reverted, confirmed.
//!
//! See `docs/relayer.md` for the states and how each fault is handled.

pub mod counters;
mod driver;
pub mod fees;
pub mod manager;
pub mod nonce;
pub mod probe;
pub mod retry;
pub mod store;
pub mod types;

pub use crate::error::TxmError;
pub use counters::CounterSnapshot;
pub use fees::{FeePolicy, Fees};
pub use manager::{TxManager, TxmConfig};
pub use retry::RetryPolicy;
pub use store::Store;
pub use types::{GasLimit, Intent, IntentKey, IntentRecord, IntentState, Outcome, SignedTx};

/// Result alias of the transaction manager.
pub type Result<T, E = TxmError> = core::result::Result<T, E>;
