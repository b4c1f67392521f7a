//! A base-fee spike leaves the transaction underpriced; after `stuck_blocks` it is replaced with
//! the same nonce and both fees raised by at least 10%.

mod txm_common;

use alloy::{primitives::U256, providers::Provider};
use mlproof_relayer::txm::{Intent, IntentState, Outcome};
use serde_json::json;
use txm_common::{config, init_tracing, recipient, Chain};

#[tokio::test]
async fn fee_spike_leads_to_a_bumped_replacement() {
    init_tracing();
    let chain = Chain::spawn();
    chain.automine(false).await;
    let txm = chain.open(config(1)).await;
    let intent = Intent::transfer("spike:1", recipient(30), U256::from(1));
    let rec = txm.submit(intent.clone()).await.unwrap();
    txm.tick().await.unwrap();
    let first = txm.store().txs(rec.id).await.unwrap()[0].clone();
    // 100 gwei next block: far above the 2 × base fee the transaction offers.
    chain.rpc("anvil_setNextBlockBaseFeePerGas", json!([format!("{:#x}", 100_000_000_000u64)])).await;
    chain.mine(1).await;
    // anvil drops it from its pool when mining (geth would keep it): either way it is not mined.
    let receipt = chain.provider.get_transaction_receipt(first.hash).await.unwrap();
    assert!(receipt.is_none(), "an underpriced transaction was mined");
    txm.tick().await.unwrap();
    assert_eq!(txm.counters().replaced, 0, "replaced before stuck_blocks");
    chain.mine(1).await;
    txm.tick().await.unwrap();
    assert!(txm.counters().replaced >= 1, "no replacement after the spike");
    chain.mine(1).await;
    txm.tick().await.unwrap();
    let rec = txm.status(&intent.key).await.unwrap();
    assert_eq!(rec.state, IntentState::Confirmed, "{rec:?}");
    let txs = txm.store().txs(rec.id).await.unwrap();
    let Some(Outcome::Confirmed { tx_hash, .. }) = rec.outcome else { panic!("{rec:?}") };
    let mined = txs.iter().find(|t| t.hash == tx_hash).expect("mined transaction is one of ours");
    assert_ne!(mined.hash, first.hash);
    assert_eq!(mined.nonce, first.nonce);
    assert!(mined.fees.max_fee * 10 >= first.fees.max_fee * 11, "{:?} vs {:?}", mined.fees, first.fees);
    assert!(mined.fees.max_priority_fee * 10 >= first.fees.max_priority_fee * 11);
    let onchain = chain.provider.get_transaction_by_hash(tx_hash).await.unwrap().unwrap();
    assert_eq!(alloy::consensus::Transaction::nonce(&onchain), first.nonce);
    assert_eq!(chain.balance(recipient(30)).await, U256::from(1));
    assert_eq!(chain.nonce(txm.account()).await, 1);
}
