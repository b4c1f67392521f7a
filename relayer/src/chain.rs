//! Accounts that send every transaction through the transaction manager, the embedded anvil,
//! receipts and their events.

use std::{
    path::{Path, PathBuf},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    time::Duration,
};

use alloy::{
    contract::{CallBuilder, CallDecoder},
    network::EthereumWallet,
    node_bindings::{Anvil, AnvilInstance},
    primitives::{Address, Bytes, TxKind, B256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::TransactionReceipt,
    signers::local::PrivateKeySigner,
};

use crate::{
    error::{RelayerError, Result},
    revert::decode_revert,
    txm::{GasLimit, Intent, IntentKey, Outcome, TxManager, TxmConfig},
};

/// How long [`Account::send`] waits for an intent to end before returning
/// [`TxmError::Timeout`] (the intent is kept and resumed by the next pass).
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// A local key, a provider for reads and calls, and the transaction manager every transaction of
/// the key goes through ([`crate::txm`]): intents under idempotency keys, persisted nonces, fee
/// bumps, drops and reorgs.
#[derive(Clone, Debug)]
pub struct Account {
    /// A provider for reads and `eth_call` (it signs with the key, but nothing is sent through it).
    pub provider: DynProvider,
    /// The signer's address.
    pub address: Address,
    txm: TxManager,
    keys: Arc<Keys>,
    wait: Duration,
    /// The ephemeral store of [`Account::connect`], removed when the last clone is dropped.
    _store_dir: Option<Arc<tempfile::TempDir>>,
}

/// Idempotency keys of one account handle: `<prefix>:<n>:<action>`, `n` counting sends.
#[derive(Debug)]
struct Keys {
    prefix: String,
    next: AtomicU64,
}

impl Account {
    /// For a local development chain (the embedded anvil): a transaction manager on a fresh store
    /// in a temporary directory, one confirmation, fast polling. Intents do not outlive the
    /// process; use [`Account::open`] where they must.
    pub async fn connect(rpc_url: &str, signer: PrivateKeySigner) -> Result<Self> {
        let dir = tempfile::tempdir().map_err(|e| RelayerError::Inconsistent(format!("temporary store: {e}")))?;
        let config = TxmConfig { confirmations: 1, poll_interval: Duration::from_millis(25), ..TxmConfig::default() };
        let mut account = Self::open(rpc_url, signer, &dir.path().join("txm.sqlite"), config).await?;
        account._store_dir = Some(Arc::new(dir));
        Ok(account)
    }

    /// Opens the transaction manager's store at `db` (created if missing; unfinished intents of
    /// the account are resumed by the first send) and connects to `rpc_url`. Keys get a random
    /// prefix; [`Account::with_key_prefix`] makes them reproducible.
    pub async fn open(rpc_url: &str, signer: PrivateKeySigner, db: &Path, config: TxmConfig) -> Result<Self> {
        let address = signer.address();
        let url = rpc_url.parse().map_err(|e| RelayerError::Rpc {
            action: "connect".into(),
            message: format!("bad RPC URL {rpc_url}: {e}"),
        })?;
        // Reads and calls only: every transaction goes through the manager.
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .wallet(EthereumWallet::from(signer.clone()))
            .connect_http(url)
            .erased();
        let txm = TxManager::open(rpc_url, signer, db, config).await?;
        let prefix = format!("run-{:016x}", rand::random::<u64>());
        Ok(Self {
            provider,
            address,
            txm,
            keys: Arc::new(Keys { prefix, next: AtomicU64::new(0) }),
            wait: RECEIPT_TIMEOUT,
            _store_dir: None,
        })
    }

    /// The same account with keys `<prefix>:<n>:<action>` counted from 0: running the same
    /// sequence of sends again with the same prefix returns the intents recorded the first time
    /// (each applied once), and a different send under a used key is a
    /// [`TxmError::KeyConflict`].
    #[must_use]
    pub fn with_key_prefix(mut self, prefix: &str) -> Self {
        self.keys = Arc::new(Keys { prefix: prefix.to_owned(), next: AtomicU64::new(0) });
        self
    }

    /// The same account, waiting at most `wait` for each send to end.
    #[must_use]
    pub const fn with_wait(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// The transaction manager (counters, intents, the driver loop).
    #[must_use]
    pub const fn txm(&self) -> &TxManager {
        &self.txm
    }

    fn next_key(&self, action: &str) -> String {
        let n = self.keys.next.fetch_add(1, Ordering::Relaxed);
        format!("{}:{n}:{action}", self.keys.prefix)
    }

    /// Sends a contract call (built on any provider; only its target, calldata, value and gas
    /// limit are used) as an intent and waits until it ends. A revert, simulated or mined, is
    /// [`RelayerError::Reverted`] with the decoded custom error.
    pub async fn send<P: Provider, D: CallDecoder + Unpin>(
        &self,
        action: &str,
        call: CallBuilder<P, D>,
    ) -> Result<Sent> {
        let req = call.into_transaction_request();
        let intent = Intent {
            key: IntentKey::new(self.next_key(action)),
            to: req.to.unwrap_or(TxKind::Create),
            data: req.input.input().cloned().unwrap_or_default(),
            value: req.value.unwrap_or_default(),
            gas_limit: req.gas.map_or(GasLimit::Estimate, GasLimit::Fixed),
        };
        self.apply(action, intent).await
    }

    /// Deploys creation code (constructor arguments already appended) and returns its address.
    pub async fn deploy(&self, action: &str, code: Bytes) -> Result<(Address, Sent)> {
        let sent = self.apply(action, Intent::create(self.next_key(action), code)).await?;
        let address = sent
            .receipt
            .contract_address
            .ok_or_else(|| RelayerError::Inconsistent(format!("{action}: receipt has no contract address")))?;
        Ok((address, sent))
    }

    /// Submits `intent`, drives it to its end and returns its receipt.
    pub async fn apply(&self, action: &str, intent: Intent) -> Result<Sent> {
        let key = intent.key.clone();
        self.txm.submit(intent).await?;
        let record = self.txm.wait(&key, self.wait).await?;
        match record.outcome {
            Some(Outcome::Confirmed { tx_hash, .. }) => {
                let receipt = self
                    .provider
                    .get_transaction_receipt(tx_hash)
                    .await
                    .map_err(|e| rpc_error(action, e))?
                    .ok_or_else(|| {
                    RelayerError::Inconsistent(format!("{action}: confirmed {tx_hash} has no receipt"))
                })?;
                Ok(Sent { tx_hash, gas_used: receipt.gas_used, receipt })
            }
            Some(Outcome::Reverted { reason, .. }) => Err(RelayerError::Reverted { action: action.to_owned(), reason }),
            Some(Outcome::Failed { reason }) => Err(RelayerError::NotApplied { action: action.to_owned(), reason }),
            None => Err(RelayerError::Inconsistent(format!("{action}: intent {key} ended without an outcome"))),
        }
    }
}

/// The outcome of a confirmed transaction.
#[derive(Clone, Debug)]
pub struct Sent {
    /// Transaction hash.
    pub tx_hash: B256,
    /// Gas used by the transaction.
    pub gas_used: u64,
    /// The full receipt.
    pub receipt: TransactionReceipt,
}

/// Maps an alloy contract error (of an `eth_call`) to a [`RelayerError`], decoding custom errors.
#[must_use]
pub fn contract_error(action: &str, err: &alloy::contract::Error) -> RelayerError {
    match err.as_revert_data() {
        Some(data) => RelayerError::Reverted { action: action.to_owned(), reason: decode_revert(&data) },
        None => RelayerError::Rpc { action: action.to_owned(), message: err.to_string() },
    }
}

/// Wraps an RPC failure with the action it interrupted.
pub fn rpc_error(action: &str, err: impl std::fmt::Display) -> RelayerError {
    RelayerError::Rpc { action: action.to_owned(), message: err.to_string() }
}

/// The anvil binary: `$ANVIL_BIN`, else `<root>/node_modules/.bin/anvil`, else `anvil` on PATH.
#[must_use]
pub fn anvil_binary(root: &Path) -> PathBuf {
    if let Some(p) = std::env::var_os("ANVIL_BIN") {
        return PathBuf::from(p);
    }
    let local = root.join("node_modules/.bin/anvil");
    if local.exists() {
        local
    } else {
        PathBuf::from("anvil")
    }
}

/// Starts an embedded anvil on a free port; it stops when the returned instance is dropped.
pub fn spawn_anvil(root: &Path) -> Result<AnvilInstance> {
    Anvil::new().path(anvil_binary(root)).try_spawn().map_err(|e| RelayerError::Anvil(e.to_string()))
}

/// The first event of type `E` in a transaction's receipt.
pub fn first_event<E: alloy::sol_types::SolEvent>(sent: &Sent) -> Option<E> {
    sent.receipt.inner.logs().iter().find_map(|l| l.log_decode::<E>().ok()).map(|e| e.inner.data)
}

/// [`first_event`], required: `action` must have emitted an `E`.
pub fn expect_event<E: alloy::sol_types::SolEvent>(sent: &Sent, action: &str) -> Result<E> {
    first_event(sent).ok_or_else(|| {
        RelayerError::Inconsistent(format!(
            "{action} emitted no {} event",
            E::SIGNATURE.split('(').next().unwrap_or(E::SIGNATURE)
        ))
    })
}
