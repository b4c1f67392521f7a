//! Two managers on one database for one account (a node's handle reopened while the old one is
//! still alive, or a second process): each catches up with the store's nonce before assigning
//! one, so neither reuses the other's nonce and both intents are applied once.

mod txm_common;

use alloy::primitives::U256;
use mlproof_relayer::txm::{Intent, IntentState};
use std::time::Duration;
use txm_common::{config, init_tracing, recipient, Chain};

#[tokio::test]
async fn two_handles_on_one_store_never_share_a_nonce() {
    init_tracing();
    let chain = Chain::spawn();
    let old = chain.open(config(1)).await;
    let new = chain.open(config(1)).await;
    for (i, txm) in [&old, &new, &old, &new].into_iter().enumerate() {
        let intent = Intent::transfer(format!("shared:{i}"), recipient(70 + i as u64), U256::from(1));
        txm.submit(intent.clone()).await.unwrap();
        let rec = txm.wait(&intent.key, Duration::from_secs(20)).await.unwrap();
        assert_eq!((rec.state, rec.nonce), (IntentState::Confirmed, Some(i as u64)), "{rec:?}");
    }
    for i in 0..4 {
        assert_eq!(chain.balance(recipient(70 + i)).await, U256::from(1));
    }
    assert_eq!(chain.nonce(old.account()).await, 4);
}
