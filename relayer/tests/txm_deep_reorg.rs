//! A reorg deeper than the confirmation depth takes away a transaction already reported
//! `Confirmed`: the manager re-broadcasts its signed bytes, so its nonce is not left as a gap in
//! front of the next intent, and the transfer is applied exactly once in the new chain.

mod txm_common;

use alloy::primitives::U256;
use mlproof_relayer::txm::{Intent, IntentState};
use serde_json::json;
use txm_common::{config, init_tracing, recipient, Chain};

#[tokio::test]
async fn confirmed_then_reorged_out_is_resent_and_later_intents_are_not_stuck() {
    init_tracing();
    let chain = Chain::spawn();
    chain.automine(false).await;
    let txm = chain.open(config(1)).await;
    let first = Intent::transfer("deep:1", recipient(60), U256::from(1));
    txm.submit(first.clone()).await.unwrap();
    txm.tick().await.unwrap();
    chain.mine(1).await;
    txm.tick().await.unwrap();
    assert_eq!(txm.status(&first.key).await.unwrap().state, IntentState::Confirmed);
    // Two blocks replaced by empty ones: deeper than the depth of 1.
    chain.mine(1).await;
    chain.rpc("anvil_reorg", json!([2, []])).await;
    assert_eq!((chain.nonce(txm.account()).await, chain.balance(recipient(60)).await), (0, U256::ZERO));

    let second = Intent::transfer("deep:2", recipient(61), U256::from(1));
    txm.submit(second.clone()).await.unwrap();
    for _ in 0..4 {
        txm.tick().await.unwrap();
        chain.mine(1).await;
    }
    txm.tick().await.unwrap();
    assert_eq!(txm.status(&second.key).await.unwrap().state, IntentState::Confirmed);
    assert_eq!(txm.status(&first.key).await.unwrap().state, IntentState::Confirmed);
    assert_eq!(chain.balance(recipient(60)).await, U256::from(1), "the first transfer, once");
    assert_eq!(chain.balance(recipient(61)).await, U256::from(1));
    assert_eq!(chain.nonce(txm.account()).await, 2);
    assert!(txm.counters().reorged >= 1);
}
