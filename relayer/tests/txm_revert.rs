//! Reverts are terminal: a simulated revert ends the intent before it takes a nonce, a mined
//! revert ends it at the confirmation depth; both decode the custom error.

mod txm_common;

use alloy::{
    primitives::{Address, Bytes, U256},
    providers::Provider,
};
use mlproof_relayer::{
    chain::Account,
    txm::{GasLimit, Intent, IntentKey, IntentState, Outcome},
};
use serde_json::json;
use txm_common::{config, init_tracing, Chain};

/// Creation code that deploys `runtime` as is.
fn init_code(runtime: &[u8]) -> Bytes {
    let len = u8::try_from(runtime.len()).expect("short runtime");
    let mut code = vec![0x60, len, 0x80, 0x60, 0x0b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3];
    code.extend_from_slice(runtime);
    Bytes::from(code)
}

/// `revert EnforcedPause()` (OpenZeppelin's Pausable error, selector 0xd93c0665).
const REVERT_ENFORCED_PAUSE: [u8; 15] =
    [0x63, 0xd9, 0x3c, 0x06, 0x65, 0x60, 0xe0, 0x1b, 0x60, 0x00, 0x52, 0x60, 0x04, 0x60, 0x00];

/// Always reverts with `EnforcedPause()`.
fn always_reverts() -> Vec<u8> {
    let mut r = REVERT_ENFORCED_PAUSE.to_vec();
    r.push(0xfd);
    r
}

/// The first call succeeds and sets slot 0; every later call reverts with `EnforcedPause()`.
fn succeeds_once() -> Vec<u8> {
    // SLOAD(0) ISZERO PUSH1 ok JUMPI <revert> ok: JUMPDEST SSTORE(0, 1) STOP
    let mut r = vec![0x60, 0x00, 0x54, 0x15, 0x60, 0x00, 0x57];
    r.extend_from_slice(&REVERT_ENFORCED_PAUSE);
    r.push(0xfd);
    let ok = u8::try_from(r.len()).unwrap();
    r[5] = ok;
    r.extend_from_slice(&[0x5b, 0x60, 0x01, 0x60, 0x00, 0x55, 0x00]);
    r
}

async fn deploy(chain: &Chain, runtime: &[u8]) -> Address {
    let account = Account::connect(&chain.url(), chain.signer()).await.unwrap();
    account.deploy("deploy test contract", init_code(runtime)).await.unwrap().0
}

#[tokio::test]
async fn simulated_revert_is_terminal_and_takes_no_nonce() {
    init_tracing();
    let chain = Chain::spawn();
    let target = deploy(&chain, &always_reverts()).await;
    let txm = chain.open(config(1)).await;
    let before = chain.nonce(txm.account()).await;
    let key = IntentKey::new("revert:sim");
    txm.submit(Intent::call(key.as_str(), target, Bytes::new())).await.unwrap();
    txm.tick().await.unwrap();
    let rec = txm.status(&key).await.unwrap();
    assert_eq!(rec.state, IntentState::Reverted);
    assert_eq!(rec.nonce, None);
    let Some(Outcome::Reverted { tx_hash: None, reason }) = rec.outcome else { panic!("{rec:?}") };
    assert!(reason.starts_with("EnforcedPause"), "{reason}");
    txm.tick().await.unwrap();
    assert_eq!(chain.nonce(txm.account()).await, before, "a reverting intent was sent");
    assert_eq!(txm.counters().reverted, 1);
}

#[tokio::test]
async fn mined_revert_is_terminal_and_decoded() {
    init_tracing();
    let chain = Chain::spawn();
    let target = deploy(&chain, &succeeds_once()).await;
    chain.automine(false).await;
    let txm = chain.open(config(1)).await;
    let key = IntentKey::new("revert:mined");
    let intent = Intent { gas_limit: GasLimit::Fixed(100_000), ..Intent::call(key.as_str(), target, Bytes::new()) };
    txm.submit(intent).await.unwrap();
    txm.tick().await.unwrap();
    assert_eq!(txm.status(&key).await.unwrap().state, IntentState::Submitted);
    // A competitor with a higher tip gets there first in the same block.
    let competitor = chain.anvil.addresses()[1];
    chain
        .rpc(
            "eth_sendTransaction",
            json!([{ "from": competitor, "to": target, "gas": "0x30000",
                     "maxFeePerGas": "0x174876e800", "maxPriorityFeePerGas": "0x2540be400" }]),
        )
        .await;
    chain.mine(1).await;
    txm.tick().await.unwrap();
    let rec = txm.status(&key).await.unwrap();
    assert_eq!(rec.state, IntentState::Reverted, "{rec:?}");
    let Some(Outcome::Reverted { tx_hash: Some(hash), reason }) = rec.outcome else { panic!("{rec:?}") };
    assert!(reason.starts_with("EnforcedPause"), "{reason}");
    let receipt = chain.provider.get_transaction_receipt(hash).await.unwrap().unwrap();
    assert!(!receipt.status());
    // Terminal: nothing more is sent.
    chain.mine(2).await;
    txm.tick().await.unwrap();
    assert_eq!(chain.nonce(txm.account()).await, 2);
    assert_eq!(U256::from(txm.counters().reverted), U256::from(1));
}
