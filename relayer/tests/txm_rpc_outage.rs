//! An RPC outage never fails an intent nor assigns a nonce: the node goes down after the broadcast
//! (its pool lost, its chain state dumped), passes fail and leave the intent as it was, and once
//! the node is back (state loaded) the same signed transaction is re-broadcast and confirmed once.

mod txm_common;

use std::{borrow::Cow, net::TcpListener};

use alloy::{
    node_bindings::{Anvil, AnvilInstance},
    primitives::U256,
    providers::{Provider, ProviderBuilder},
};
use mlproof_relayer::{
    chain::anvil_binary,
    txm::{Intent, IntentState, TxManager, TxmError},
};
use serde_json::{json, Value};
use txm_common::{config, init_tracing, recipient};

fn anvil_on(port: u16) -> AnvilInstance {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    Anvil::new().path(anvil_binary(&root)).port(port).try_spawn().expect("anvil")
}

async fn rpc(anvil: &AnvilInstance, method: &'static str, params: Value) -> Value {
    let provider = ProviderBuilder::new().connect_http(anvil.endpoint_url());
    provider.raw_request::<_, Value>(Cow::Borrowed(method), params).await.unwrap_or_else(|e| panic!("{method}: {e}"))
}

#[tokio::test]
async fn outage_after_broadcast_is_survived() {
    init_tracing();
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let anvil = anvil_on(port);
    let signer = alloy::signers::local::PrivateKeySigner::from(anvil.keys()[0].clone());
    rpc(&anvil, "evm_setAutomine", json!([false])).await;
    let txm = TxManager::open(&anvil.endpoint(), signer, &dir.path().join("txm.sqlite"), config(1)).await.unwrap();
    let intent = Intent::transfer("outage:1", recipient(70), U256::from(1));
    let rec = txm.submit(intent.clone()).await.unwrap();
    txm.tick().await.unwrap();
    let hash = txm.store().txs(rec.id).await.unwrap()[0].hash;
    let state = rpc(&anvil, "anvil_dumpState", json!([])).await;
    drop(anvil); // the node goes down

    for _ in 0..3 {
        let err = txm.tick().await.unwrap_err();
        assert!(matches!(err, TxmError::Rpc { .. }), "{err}");
        let now = txm.status(&intent.key).await.unwrap();
        assert_eq!((now.state, now.nonce), (IntentState::Submitted, Some(0)));
    }

    let anvil = anvil_on(port); // back, with its chain state but an empty pool
    rpc(&anvil, "anvil_loadState", json!([state])).await;
    txm.tick().await.unwrap();
    assert_eq!(txm.counters().dropped_resent, 1);
    rpc(&anvil, "anvil_mine", json!(["0x1"])).await;
    txm.tick().await.unwrap();
    let done = txm.status(&intent.key).await.unwrap();
    assert_eq!(done.state, IntentState::Confirmed, "{done:?}");
    assert_eq!(txm.store().txs(rec.id).await.unwrap().len(), 1, "a second transaction was signed");
    let provider = ProviderBuilder::new().connect_http(anvil.endpoint_url());
    assert!(provider.get_transaction_receipt(hash).await.unwrap().is_some());
    assert_eq!(provider.get_balance(recipient(70)).await.unwrap(), U256::from(1));
    assert_eq!(provider.get_transaction_count(txm.account()).await.unwrap(), 1);
}
