//! What a caller asks for ([`Intent`]), what the manager records about it ([`IntentRecord`],
//! [`SignedTx`]) and how it ends ([`Outcome`]).

use std::fmt;

use alloy::primitives::{Address, Bytes, TxKind, B256, U256};

/// The caller's idempotency key (e.g. `fulfil:<statement id>`, `lock:<task id>`): submitting the
/// same key twice returns the same intent.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IntentKey(pub String);

impl IntentKey {
    /// A key from anything string-like.
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key as a string.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IntentKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How the gas limit of an intent's transaction is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GasLimit {
    /// Exactly this many gas units.
    Fixed(u64),
    /// `eth_estimateGas` plus the manager's configured margin.
    Estimate,
}

/// One thing to do on chain: call `to` with `data` and `value` (or deploy `data`), once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intent {
    /// Idempotency key.
    pub key: IntentKey,
    /// The called contract or the recipient, or [`TxKind::Create`] to deploy `data`.
    pub to: TxKind,
    /// Calldata.
    pub data: Bytes,
    /// Wei sent along.
    pub value: U256,
    /// Gas limit policy.
    pub gas_limit: GasLimit,
}

impl Intent {
    /// A contract call with an estimated gas limit and no value.
    pub fn call(key: impl Into<String>, to: Address, data: Bytes) -> Self {
        Self { key: IntentKey::new(key), to: TxKind::Call(to), data, value: U256::ZERO, gas_limit: GasLimit::Estimate }
    }

    /// A contract creation: `code` is the creation code with its constructor arguments appended.
    pub fn create(key: impl Into<String>, code: Bytes) -> Self {
        Self {
            key: IntentKey::new(key),
            to: TxKind::Create,
            data: code,
            value: U256::ZERO,
            gas_limit: GasLimit::Estimate,
        }
    }

    /// A plain transfer of `value` wei (21,000 gas).
    pub fn transfer(key: impl Into<String>, to: Address, value: U256) -> Self {
        Self {
            key: IntentKey::new(key),
            to: TxKind::Call(to),
            data: Bytes::new(),
            value,
            gas_limit: GasLimit::Fixed(21_000),
        }
    }
}

/// Where an intent is in its life. `Confirmed`, `Reverted` and `Failed` are terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IntentState {
    /// Recorded; no nonce yet, or a nonce but no signed transaction yet (gap fillers).
    Pending,
    /// A signed transaction holding the intent's nonce was persisted and broadcast.
    Submitted,
    /// One of its transactions has a receipt, not yet at the confirmation depth.
    Mined,
    /// Mined successfully and at least `confirmations` deep.
    Confirmed,
    /// Reverted in simulation, or mined with status 0 at the confirmation depth.
    Reverted,
    /// Ended without reaching the chain (e.g. rejected by the node for good).
    Failed,
}

impl IntentState {
    /// Whether nothing more will happen to the intent.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Confirmed | Self::Reverted | Self::Failed)
    }

    /// The name stored in the database.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Submitted => "submitted",
            Self::Mined => "mined",
            Self::Confirmed => "confirmed",
            Self::Reverted => "reverted",
            Self::Failed => "failed",
        }
    }

    /// Parses [`IntentState::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "submitted" => Self::Submitted,
            "mined" => Self::Mined,
            "confirmed" => Self::Confirmed,
            "reverted" => Self::Reverted,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// How an intent ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Mined successfully at the confirmation depth.
    Confirmed {
        /// The transaction that was mined (one of the intent's signed transactions).
        tx_hash: B256,
        /// Its block.
        block_number: u64,
    },
    /// Reverted: in simulation (`tx_hash` is `None`) or mined with status 0.
    Reverted {
        /// The mined transaction, if it got that far.
        tx_hash: Option<B256>,
        /// The decoded custom error ([`crate::revert::decode_revert`]).
        reason: String,
    },
    /// Never applied.
    Failed {
        /// Why.
        reason: String,
    },
}

/// An intent as stored, with its state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntentRecord {
    /// Database id.
    pub id: i64,
    /// The sending account.
    pub account: Address,
    /// What was asked.
    pub intent: Intent,
    /// Where it is.
    pub state: IntentState,
    /// The nonce it holds, once assigned (at most one per intent, ever, except after the chain
    /// consumed it with another transaction).
    pub nonce: Option<u64>,
    /// Block number and hash of the receipt last seen, while `Mined` or once terminal.
    pub mined: Option<(u64, B256)>,
    /// Terminal outcome.
    pub outcome: Option<Outcome>,
}

/// One signed transaction of an intent, persisted before it is broadcast.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTx {
    /// Transaction hash.
    pub hash: B256,
    /// The intent it belongs to.
    pub intent_id: i64,
    /// Its nonce (the intent's).
    pub nonce: u64,
    /// Gas limit.
    pub gas_limit: u64,
    /// EIP-1559 fees.
    pub fees: crate::txm::fees::Fees,
    /// The EIP-2718 encoding, re-broadcast as is.
    pub raw: Bytes,
    /// The chain head when it was last broadcast.
    pub sent_block: u64,
}
