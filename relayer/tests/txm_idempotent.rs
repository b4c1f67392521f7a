//! Submitting the same key twice gives the same intent, sent once; a reused key with other
//! content is refused.

mod txm_common;

use std::time::Duration;

use alloy::primitives::U256;
use mlproof_relayer::txm::{Intent, IntentState, TxmError};
use txm_common::{config, init_tracing, recipient, Chain};

#[tokio::test]
async fn same_key_same_intent_applied_once() {
    init_tracing();
    let chain = Chain::spawn();
    let txm = chain.open(config(1)).await;
    let intent = Intent::transfer("pay:1", recipient(1), U256::from(1));
    let first = txm.submit(intent.clone()).await.unwrap();
    let again = txm.submit(intent.clone()).await.unwrap();
    assert_eq!(first.id, again.id);
    let done = txm.wait(&intent.key, Duration::from_secs(30)).await.unwrap();
    assert_eq!(done.state, IntentState::Confirmed);
    // After the end, the key still answers with the same (confirmed) intent and sends nothing.
    let after = txm.submit(intent.clone()).await.unwrap();
    assert_eq!((after.id, after.state), (first.id, IntentState::Confirmed));
    txm.tick().await.unwrap();
    assert_eq!(chain.balance(recipient(1)).await, U256::from(1));
    assert_eq!(chain.nonce(txm.account()).await, 1);
    assert_eq!(txm.counters().sent, 1);
    assert_eq!(txm.counters().confirmed, 1);
}

#[tokio::test]
async fn reused_key_with_other_content_is_refused() {
    let chain = Chain::spawn();
    let txm = chain.open(config(1)).await;
    txm.submit(Intent::transfer("pay:2", recipient(2), U256::from(1))).await.unwrap();
    let err = txm.submit(Intent::transfer("pay:2", recipient(2), U256::from(2))).await.unwrap_err();
    assert!(matches!(err, TxmError::KeyConflict { .. }), "{err}");
    assert!(err.to_string().contains("pay:2"), "{err}");
    let err = txm.submit(Intent::transfer("gap-fill:mine", recipient(2), U256::from(1))).await.unwrap_err();
    assert!(err.to_string().contains("reserved"), "{err}");
}
