//! An intent the node refuses for good after it took a nonce ends `Failed`, and its nonce is filled
//! by a zero-value self-transfer, so the intents after it are not stuck behind a gap.

mod txm_common;

use std::time::Duration;

use alloy::primitives::U256;
use mlproof_relayer::txm::{store::gap_filler_key, GasLimit, Intent, IntentState, Outcome};
use txm_common::{config, init_tracing, recipient, Chain};

#[tokio::test]
async fn refused_intent_nonce_is_filled() {
    init_tracing();
    let chain = Chain::spawn();
    let txm = chain.open(config(1)).await;
    // More gas than a block holds: the call simulates fine, the node refuses the transaction.
    let refused =
        Intent { gas_limit: GasLimit::Fixed(1_000_000_000), ..Intent::transfer("gap:a", recipient(60), U256::from(1)) };
    let next = Intent::transfer("gap:b", recipient(61), U256::from(1));
    txm.submit(refused.clone()).await.unwrap();
    txm.submit(next.clone()).await.unwrap();
    let b = txm.wait(&next.key, Duration::from_secs(30)).await.unwrap();
    assert_eq!(b.state, IntentState::Confirmed);
    assert_eq!(b.nonce, Some(1));
    let a = txm.status(&refused.key).await.unwrap();
    assert_eq!(a.state, IntentState::Failed, "{a:?}");
    assert!(matches!(&a.outcome, Some(Outcome::Failed { reason }) if reason.contains("refused")), "{a:?}");
    let filler = txm.status(&gap_filler_key(txm.account(), 0)).await.unwrap();
    assert_eq!((filler.state, filler.nonce), (IntentState::Confirmed, Some(0)));
    assert_eq!(chain.balance(recipient(60)).await, U256::ZERO);
    assert_eq!(chain.balance(recipient(61)).await, U256::from(1));
    assert_eq!(chain.nonce(txm.account()).await, 2);
}
