//! Shared by the `txm_*` tests: a real anvil, its fault-injection RPCs, and a manager on a fresh
//! SQLite database.
#![allow(dead_code, missing_docs)]

use std::{borrow::Cow, path::PathBuf, time::Duration};

use alloy::{
    node_bindings::AnvilInstance,
    primitives::{keccak256, Address, B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use mlproof_relayer::{
    chain::spawn_anvil,
    txm::{FeePolicy, RetryPolicy, TxManager, TxmConfig},
};
use serde_json::{json, Value};

/// A running anvil and a plain provider to it.
pub struct Chain {
    pub anvil: AnvilInstance,
    pub provider: DynProvider,
    pub dir: tempfile::TempDir,
}

impl Chain {
    pub fn spawn() -> Self {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
        let anvil = spawn_anvil(&root).expect("anvil");
        let provider = ProviderBuilder::new().connect_http(anvil.endpoint_url()).erased();
        Self { anvil, provider, dir: tempfile::tempdir().expect("tempdir") }
    }

    pub fn url(&self) -> String {
        self.anvil.endpoint()
    }

    pub fn signer(&self) -> PrivateKeySigner {
        PrivateKeySigner::from(self.anvil.keys()[0].clone())
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("txm.sqlite")
    }

    pub async fn rpc(&self, method: &'static str, params: Value) -> Value {
        self.provider
            .raw_request::<_, Value>(Cow::Borrowed(method), params)
            .await
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    pub async fn automine(&self, on: bool) {
        self.rpc("evm_setAutomine", json!([on])).await;
    }

    pub async fn mine(&self, blocks: u64) {
        self.rpc("anvil_mine", json!([format!("{blocks:#x}")])).await;
    }

    pub async fn balance(&self, who: Address) -> U256 {
        self.provider.get_balance(who).await.expect("balance")
    }

    pub async fn nonce(&self, who: Address) -> u64 {
        self.provider.get_transaction_count(who).latest().await.expect("nonce")
    }

    pub async fn head(&self) -> u64 {
        self.provider.get_block_number().await.expect("block number")
    }

    pub async fn in_pool(&self, hash: B256) -> bool {
        let tx = self.provider.get_transaction_by_hash(hash).await.expect("tx by hash");
        tx.is_some_and(|t| t.block_number.is_none())
    }

    pub async fn open(&self, config: TxmConfig) -> TxManager {
        TxManager::open(&self.url(), self.signer(), &self.db(), config).await.expect("open manager")
    }
}

/// A config for tests: confirm at `confirmations`, replace after 2 blocks, poll fast.
pub fn config(confirmations: u64) -> TxmConfig {
    TxmConfig {
        confirmations,
        stuck_blocks: 2,
        poll_interval: Duration::from_millis(50),
        retry: RetryPolicy { initial: Duration::from_millis(20), max_delay: Duration::from_millis(200), attempts: 3 },
        fees: FeePolicy { max_fee_cap: 10_000_000_000_000, ..FeePolicy::default() },
        ..TxmConfig::default()
    }
}

/// The recipient of intent `i` in "applied exactly once" checks: its balance must end at 1 wei.
pub fn recipient(i: u64) -> Address {
    Address::from_slice(&keccak256(format!("mlproof txm test recipient {i}"))[12..])
}

pub fn init_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "mlproof_relayer=info".into()),
        )
        .with_test_writer()
        .try_init();
}
