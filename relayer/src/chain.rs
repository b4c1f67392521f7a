//! Connecting to a chain, the embedded anvil, and sending transactions.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use alloy::{
    contract::{CallBuilder, CallDecoder},
    network::{EthereumWallet, TransactionBuilder},
    node_bindings::{Anvil, AnvilInstance},
    primitives::{Address, Bytes, B256},
    providers::{DynProvider, Provider, ProviderBuilder},
    rpc::types::{TransactionReceipt, TransactionRequest},
    signers::local::PrivateKeySigner,
};

use crate::{
    error::{RelayerError, Result},
    revert::decode_revert,
};

/// How long to wait for a transaction's receipt before giving up.
pub const RECEIPT_TIMEOUT: Duration = Duration::from_secs(120);

/// A provider that signs with one local key.
#[derive(Clone, Debug)]
pub struct Account {
    /// The provider (alloy fillers: nonce, EIP-1559 fees, gas estimate, chain id).
    pub provider: DynProvider,
    /// The signer's address.
    pub address: Address,
}

impl Account {
    /// Connects to `rpc_url` signing with `signer`.
    pub fn connect(rpc_url: &str, signer: PrivateKeySigner) -> Result<Self> {
        let address = signer.address();
        let url = rpc_url.parse().map_err(|e| RelayerError::Rpc {
            action: "connect".into(),
            message: format!("bad RPC URL {rpc_url}: {e}"),
        })?;
        // Nonces: the pending nonce is fetched for every transaction (SimpleNonceManager). alloy's
        // default cached manager increments its counter even when a transaction is rejected at gas
        // estimation (e.g. a reverting submit), leaving a nonce gap that stalls every later
        // transaction. Fees: EIP-1559 from eth_feeHistory (GasFiller); gas limit from eth_estimateGas.
        let provider = ProviderBuilder::new()
            .disable_recommended_fillers()
            .with_gas_estimation()
            .with_simple_nonce_management()
            .fetch_chain_id()
            .wallet(EthereumWallet::from(signer))
            .connect_http(url)
            .erased();
        Ok(Self { provider, address })
    }
}

/// The outcome of a mined transaction.
#[derive(Clone, Debug)]
pub struct Sent {
    /// Transaction hash.
    pub tx_hash: B256,
    /// Gas used by the transaction.
    pub gas_used: u64,
    /// The full receipt.
    pub receipt: TransactionReceipt,
}

/// Maps an alloy contract error to a [`RelayerError`], decoding custom errors.
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

fn check_receipt(action: &str, receipt: TransactionReceipt) -> Result<Sent> {
    if !receipt.status() {
        return Err(RelayerError::Failed { action: action.to_owned(), tx: receipt.transaction_hash.to_string() });
    }
    Ok(Sent { tx_hash: receipt.transaction_hash, gas_used: receipt.gas_used, receipt })
}

/// Sends a contract call as a transaction and waits for its receipt. A revert during gas
/// estimation is returned as [`RelayerError::Reverted`] with the decoded custom error.
pub async fn send<P: Provider, D: CallDecoder + Unpin>(action: &str, call: CallBuilder<P, D>) -> Result<Sent> {
    let pending = call.send().await.map_err(|e| contract_error(action, &e))?;
    let receipt = pending.with_timeout(Some(RECEIPT_TIMEOUT)).get_receipt().await.map_err(|e| rpc_error(action, e))?;
    check_receipt(action, receipt)
}

/// Deploys creation code (constructor arguments already appended) and returns its address.
pub async fn deploy_code(account: &Account, action: &str, code: Bytes) -> Result<(Address, Sent)> {
    let tx = TransactionRequest::default().with_from(account.address).with_deploy_code(code);
    let pending = account.provider.send_transaction(tx).await.map_err(|e| {
        match e.as_error_resp().and_then(|r| r.as_revert_data()) {
            Some(data) => RelayerError::Reverted { action: action.to_owned(), reason: decode_revert(&data) },
            None => rpc_error(action, e),
        }
    })?;
    let receipt = pending.with_timeout(Some(RECEIPT_TIMEOUT)).get_receipt().await.map_err(|e| rpc_error(action, e))?;
    let sent = check_receipt(action, receipt)?;
    let address = sent
        .receipt
        .contract_address
        .ok_or_else(|| RelayerError::Inconsistent(format!("{action}: receipt has no contract address")))?;
    Ok((address, sent))
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
