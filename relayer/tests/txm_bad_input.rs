//! Bad input gets a clear error: a database from a newer schema, an unreachable RPC URL, a wrong
//! chain id, an unfunded account.

mod txm_common;

use alloy::{primitives::B256, signers::local::PrivateKeySigner};
use mlproof_relayer::txm::{Store, TxManager, TxmConfig, TxmError};
use txm_common::{config, Chain};

#[tokio::test]
async fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("txm.sqlite");
    let store = Store::open(&path).await.unwrap();
    drop(store);
    // What a newer mlproof would have left behind: a migration this binary does not know.
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99991231000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = Store::open(&path).await.unwrap_err();
    assert!(matches!(err, TxmError::SchemaTooNew { found: 99991231000000, .. }), "{err}");
    assert!(err.to_string().contains("newer than this binary knows"), "{err}");
}

#[tokio::test]
async fn unreachable_rpc_wrong_chain_and_unfunded_account() {
    let chain = Chain::spawn();
    let dead = TxManager::open("http://127.0.0.1:1", chain.signer(), &chain.db(), config(1)).await.unwrap_err();
    assert!(matches!(dead, TxmError::Rpc { .. }), "{dead}");
    assert!(dead.to_string().contains("check that the RPC URL is right"), "{dead}");

    let wrong = TxmConfig { chain_id: Some(1), ..config(1) };
    let err = TxManager::open(&chain.url(), chain.signer(), &chain.db(), wrong).await.unwrap_err();
    assert!(matches!(err, TxmError::WrongChain { expected: 1, found: 31337 }), "{err}");

    let poor = PrivateKeySigner::from_bytes(&B256::repeat_byte(0x42)).unwrap();
    let err = TxManager::open(&chain.url(), poor, &chain.db(), config(1)).await.unwrap_err();
    assert!(matches!(err, TxmError::Unfunded { .. }), "{err}");
    assert!(err.to_string().contains("fund it"), "{err}");
}
