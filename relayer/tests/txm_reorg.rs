//! A reorg removes the block holding the transaction: the manager notices the receipt is gone,
//! re-broadcasts the same signed transaction, and confirms it once in the new chain.

mod txm_common;

use alloy::primitives::U256;
use mlproof_relayer::txm::{Intent, IntentState};
use serde_json::json;
use txm_common::{config, init_tracing, recipient, Chain};

#[tokio::test]
async fn reorged_transaction_is_resent_and_confirmed_once() {
    init_tracing();
    let chain = Chain::spawn();
    chain.automine(false).await;
    let txm = chain.open(config(2)).await;
    let intent = Intent::transfer("reorg:1", recipient(40), U256::from(1));
    let rec = txm.submit(intent.clone()).await.unwrap();
    txm.tick().await.unwrap();
    chain.mine(1).await;
    txm.tick().await.unwrap();
    assert_eq!(txm.status(&intent.key).await.unwrap().state, IntentState::Mined);
    // Replace the last block with an empty one.
    chain.rpc("anvil_reorg", json!([1, []])).await;
    assert_eq!(chain.balance(recipient(40)).await, U256::ZERO, "the reorg kept the transfer");
    txm.tick().await.unwrap();
    assert_eq!(txm.counters().reorged, 1);
    assert_eq!(txm.status(&intent.key).await.unwrap().state, IntentState::Submitted);
    chain.mine(1).await;
    txm.tick().await.unwrap();
    chain.mine(1).await;
    txm.tick().await.unwrap();
    let rec2 = txm.status(&intent.key).await.unwrap();
    assert_eq!(rec2.state, IntentState::Confirmed, "{rec2:?}");
    assert_eq!(txm.store().txs(rec.id).await.unwrap().len(), 1, "a second transaction was signed");
    assert_eq!(chain.balance(recipient(40)).await, U256::from(1));
    assert_eq!(chain.nonce(txm.account()).await, 1);
}
