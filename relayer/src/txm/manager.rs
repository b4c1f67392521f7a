//! The transaction manager: submitting intents, and the driver loop that takes each one to its end.

use std::{path::Path, sync::Arc, time::Duration};

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use tokio::sync::{watch, Mutex};
use tracing::Instrument;

use crate::txm::{
    counters::{CounterSnapshot, Counters},
    fees::FeePolicy,
    nonce::NonceSequence,
    retry::RetryPolicy,
    store::{Store, GAP_FILLER_PREFIX},
    types::{Intent, IntentKey, IntentRecord},
    Result, TxmError,
};

/// How the manager behaves.
#[derive(Clone, Debug)]
pub struct TxmConfig {
    /// The chain the node must serve (checked on open); `None` accepts any.
    pub chain_id: Option<u64>,
    /// An intent is confirmed when its receipt's block is this many blocks deep (1 = the head).
    pub confirmations: u64,
    /// A transaction still pending after this many blocks is replaced with bumped fees.
    pub stuck_blocks: u64,
    /// Percent added to `eth_estimateGas`.
    pub gas_margin_percent: u64,
    /// Fees.
    pub fees: FeePolicy,
    /// Retries of transport errors.
    pub retry: RetryPolicy,
    /// Pause between two passes of [`TxManager::run`] and [`TxManager::wait`].
    pub poll_interval: Duration,
}

impl Default for TxmConfig {
    fn default() -> Self {
        Self {
            chain_id: None,
            confirmations: 3,
            stuck_blocks: 3,
            gas_margin_percent: 20,
            fees: FeePolicy::default(),
            retry: RetryPolicy::default(),
            poll_interval: Duration::from_millis(500),
        }
    }
}

/// Shared state of a manager (the driver's methods live in [`super::driver`]).
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) store: Store,
    pub(crate) provider: DynProvider,
    pub(crate) wallet: EthereumWallet,
    pub(crate) account: Address,
    pub(crate) chain_id: u64,
    pub(crate) config: TxmConfig,
    pub(crate) nonces: NonceSequence,
    pub(crate) counters: Counters,
    drive_lock: Mutex<()>,
}

/// A transaction manager for one account. Cheap to clone.
#[derive(Clone, Debug)]
pub struct TxManager {
    inner: Arc<Inner>,
}

/// What one pass of the driver saw of the chain, read once before any intent is looked at.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ChainView {
    /// The latest block number.
    pub(crate) head: u64,
    /// The account's nonce in the latest block (read before any receipt).
    pub(crate) latest_nonce: u64,
}

impl TxManager {
    /// Connects to `rpc_url`, checks the chain id and the account's balance, opens the store at
    /// `db` and reconciles the account's nonce sequence with the chain.
    pub async fn open(rpc_url: &str, signer: PrivateKeySigner, db: &Path, config: TxmConfig) -> Result<Self> {
        let url = rpc_url.parse().map_err(|e| TxmError::rpc("connect", &format!("bad RPC URL {rpc_url}: {e}")))?;
        let provider = ProviderBuilder::new().disable_recommended_fillers().connect_http(url).erased();
        let retry = config.retry;
        let chain_id = retry.run("eth_chainId", || provider.get_chain_id()).await?;
        if let Some(expected) = config.chain_id.filter(|e| *e != chain_id) {
            return Err(TxmError::WrongChain { expected, found: chain_id });
        }
        let account = signer.address();
        let balance = retry.run("eth_getBalance", || provider.get_balance(account)).await?;
        if balance == U256::ZERO {
            return Err(TxmError::Unfunded { account: account.to_string(), chain_id });
        }
        let store = Store::open(db).await?;
        let nonces = NonceSequence::reconcile(account, &store, &provider, &retry).await?;
        tracing::info!(%account, chain_id, db = %db.display(), "transaction manager open");
        let inner = Inner {
            store,
            provider,
            wallet: EthereumWallet::from(signer),
            account,
            chain_id,
            config,
            nonces,
            counters: Counters::default(),
            drive_lock: Mutex::new(()),
        };
        Ok(Self { inner: Arc::new(inner) })
    }

    /// The sending account.
    #[must_use]
    pub fn account(&self) -> Address {
        self.inner.account
    }

    /// Records an intent (nothing is sent until the next pass of the driver). Submitting the same
    /// key again returns the intent recorded first, in whatever state it is.
    pub async fn submit(&self, intent: Intent) -> Result<IntentRecord> {
        if intent.key.as_str().starts_with(GAP_FILLER_PREFIX) {
            return Err(TxmError::KeyConflict {
                key: intent.key.to_string(),
                existing: format!("keys starting with {GAP_FILLER_PREFIX:?} are reserved for gap fillers"),
            });
        }
        let (record, created) = self.inner.store.insert_intent(self.inner.account, &intent).await?;
        if created {
            tracing::info!(key = %intent.key, id = record.id, to = ?intent.to, "intent recorded");
        } else {
            tracing::debug!(key = %intent.key, id = record.id, state = ?record.state, "intent already recorded");
        }
        Ok(record)
    }

    /// The intent recorded under `key`.
    pub async fn status(&self, key: &IntentKey) -> Result<IntentRecord> {
        self.inner.store.intent(key).await?.ok_or_else(|| TxmError::UnknownIntent(key.to_string()))
    }

    /// The counters so far (of this process).
    #[must_use]
    pub fn counters(&self) -> CounterSnapshot {
        self.inner.counters.snapshot()
    }

    /// The store (for inspection).
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// One pass of the driver over every unfinished intent, oldest nonce first. An RPC failure
    /// leaves the intent as it is for the next pass and is returned after the pass.
    pub async fn tick(&self) -> Result<()> {
        let inner = &self.inner;
        let _pass = inner.drive_lock.lock().await;
        let retry = inner.config.retry;
        let latest_nonce = retry
            .run("eth_getTransactionCount", || inner.provider.get_transaction_count(inner.account).latest())
            .await?;
        let head = retry.run("eth_blockNumber", || inner.provider.get_block_number()).await?;
        let view = ChainView { head, latest_nonce };
        let mut first_error = None;
        if let Err(e) = inner.restore_deep_reorged(view).await {
            tracing::warn!(error = %e, "re-broadcasting deep-reorged transactions failed; retrying on the next pass");
            first_error.get_or_insert(e);
        }
        for record in inner.store.unfinished(inner.account).await? {
            let span = tracing::info_span!("intent", key = %record.intent.key, id = record.id, nonce = ?record.nonce);
            if let Err(e) = inner.drive(record, view).instrument(span).await {
                tracing::warn!(error = %e, "intent not advanced; retrying on the next pass");
                first_error.get_or_insert(e);
            }
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Drives until the intent under `key` is terminal, or `timeout` passes.
    pub async fn wait(&self, key: &IntentKey, timeout: Duration) -> Result<IntentRecord> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "driver pass failed");
            }
            let record = self.status(key).await?;
            if record.state.is_terminal() {
                return Ok(record);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(TxmError::Timeout {
                    key: key.to_string(),
                    state: record.state.as_str().to_owned(),
                    waited: timeout,
                });
            }
            tokio::time::sleep(self.inner.config.poll_interval).await;
        }
    }

    /// Runs the driver every `poll_interval` until `shutdown` turns true.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) {
        loop {
            if let Err(e) = self.tick().await {
                tracing::warn!(error = %e, "driver pass failed");
            }
            tokio::select! {
                () = tokio::time::sleep(self.inner.config.poll_interval) => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }
}
