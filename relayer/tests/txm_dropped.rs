//! A transaction dropped from the mempool is re-broadcast with the same nonce (same signed bytes).

mod txm_common;

use alloy::primitives::U256;
use mlproof_relayer::txm::{Intent, IntentState};
use serde_json::json;
use txm_common::{config, init_tracing, recipient, Chain};

#[tokio::test]
async fn dropped_transaction_is_resent_with_the_same_nonce() {
    init_tracing();
    let chain = Chain::spawn();
    chain.automine(false).await;
    let txm = chain.open(config(1)).await;
    let intent = Intent::transfer("drop:1", recipient(20), U256::from(1));
    let rec = txm.submit(intent.clone()).await.unwrap();
    txm.tick().await.unwrap();
    let txs = txm.store().txs(rec.id).await.unwrap();
    assert_eq!(txs.len(), 1);
    let hash = txs[0].hash;
    assert!(chain.in_pool(hash).await);
    chain.rpc("anvil_dropTransaction", json!([hash])).await;
    assert!(!chain.in_pool(hash).await, "anvil kept the transaction");
    txm.tick().await.unwrap();
    assert_eq!(txm.counters().dropped_resent, 1);
    assert!(chain.in_pool(hash).await, "not re-broadcast");
    chain.mine(1).await;
    txm.tick().await.unwrap();
    let rec = txm.status(&intent.key).await.unwrap();
    assert_eq!(rec.state, IntentState::Confirmed);
    assert_eq!(rec.nonce, Some(0));
    assert_eq!(txm.store().txs(rec.id).await.unwrap().len(), 1, "a second transaction was signed");
    assert_eq!(chain.balance(recipient(20)).await, U256::from(1));
    assert_eq!(chain.nonce(txm.account()).await, 1);
}
