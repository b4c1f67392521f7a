//! A manager stopped after broadcasting, restarted on the same database, resumes the intent with
//! the transaction it signed before: one nonce, one signature, applied once.

mod txm_common;

use alloy::primitives::U256;
use mlproof_relayer::txm::{Intent, IntentState, Outcome};
use serde_json::json;
use txm_common::{config, init_tracing, recipient, Chain};

#[tokio::test]
async fn restart_resumes_without_a_second_nonce() {
    init_tracing();
    let chain = Chain::spawn();
    chain.automine(false).await;
    let intents: Vec<Intent> =
        (0..3).map(|i| Intent::transfer(format!("restart:{i}"), recipient(50 + i), U256::from(1))).collect();
    let first_hashes = {
        let txm = chain.open(config(1)).await;
        for i in &intents {
            txm.submit(i.clone()).await.unwrap();
        }
        txm.tick().await.unwrap();
        let mut hashes = Vec::new();
        for i in &intents {
            let rec = txm.status(&i.key).await.unwrap();
            hashes.push(txm.store().txs(rec.id).await.unwrap()[0].hash);
        }
        hashes
        // The manager is dropped here, as if the process died.
    };
    // The node lost its pool too (e.g. it restarted).
    chain.rpc("anvil_dropAllTransactions", json!([])).await;
    let txm = chain.open(config(1)).await;
    for (n, i) in intents.iter().enumerate() {
        // The caller, restarted too, submits again: the same intent comes back.
        let rec = txm.submit(i.clone()).await.unwrap();
        assert_eq!((rec.state, rec.nonce), (IntentState::Submitted, Some(n as u64)));
    }
    txm.tick().await.unwrap();
    assert_eq!(txm.counters().dropped_resent, 3);
    assert_eq!(txm.counters().sent, 0, "a new transaction was signed after the restart");
    chain.mine(1).await;
    txm.tick().await.unwrap();
    for (n, i) in intents.iter().enumerate() {
        let rec = txm.status(&i.key).await.unwrap();
        assert_eq!(rec.state, IntentState::Confirmed);
        assert!(matches!(rec.outcome, Some(Outcome::Confirmed { tx_hash, .. }) if tx_hash == first_hashes[n]));
        assert_eq!(txm.store().txs(rec.id).await.unwrap().len(), 1);
        assert_eq!(chain.balance(recipient(50 + n as u64)).await, U256::from(1));
    }
    assert_eq!(chain.nonce(txm.account()).await, 3);
}
