//! An intent is confirmed only at the configured depth (automine off, blocks mined by hand).

mod txm_common;

use alloy::primitives::U256;
use mlproof_relayer::txm::{Intent, IntentState, Outcome};
use txm_common::{config, init_tracing, recipient, Chain};

#[tokio::test]
async fn confirmed_at_depth_three() {
    init_tracing();
    let chain = Chain::spawn();
    chain.automine(false).await;
    let txm = chain.open(config(3)).await;
    let intent = Intent::transfer("depth:1", recipient(10), U256::from(1));
    txm.submit(intent.clone()).await.unwrap();
    txm.tick().await.unwrap();
    assert_eq!(txm.status(&intent.key).await.unwrap().state, IntentState::Submitted);
    chain.mine(1).await;
    let mined_at = chain.head().await;
    for depth in 1..3 {
        txm.tick().await.unwrap();
        let rec = txm.status(&intent.key).await.unwrap();
        assert_eq!(rec.state, IntentState::Mined, "depth {depth}");
        assert_eq!(rec.mined.map(|m| m.0), Some(mined_at));
        chain.mine(1).await;
    }
    txm.tick().await.unwrap();
    let rec = txm.status(&intent.key).await.unwrap();
    assert_eq!(rec.state, IntentState::Confirmed);
    assert!(matches!(rec.outcome, Some(Outcome::Confirmed { block_number, .. }) if block_number == mined_at));
    assert_eq!(chain.balance(recipient(10)).await, U256::from(1));
}
