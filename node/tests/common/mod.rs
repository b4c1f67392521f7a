//! Helpers shared by the tests that run a runner or a whole node against anvil: a prover account
//! on its own transaction-manager database, a job row for a posted task, the slice model's
//! development key, a free port, HTTP reads of the API, posting a committed-input task, and
//! waiting for the API to show something.

#![allow(dead_code)] // each test binary uses its own subset

use std::{path::Path, time::Duration};

use alloy::{
    primitives::{B256, U256},
    signers::local::PrivateKeySigner,
    sol_types::SolValue,
};
use mlproof_circuits::{native::slice::sample_input, QuantModel, Visibility};
use mlproof_node::{
    deploy::tokens,
    deployments::{Deployments, PlannedModel},
    job::{chain_time, PostedTask},
    market::{self, NewTask},
    service::store::NewJob,
};
use mlproof_prover::{setup::dev_setup_shape, KeyTag};
use mlproof_relayer::{chain::Account, txm::TxmConfig};

/// A prover account whose transaction manager persists in `db` (1 confirmation, fast polling).
pub async fn open_prover(url: &str, key: PrivateKeySigner, db: &Path) -> Account {
    let config = TxmConfig { confirmations: 1, poll_interval: Duration::from_millis(25), ..TxmConfig::default() };
    Account::open(url, key, db, config).await.unwrap()
}

/// The job row the watcher would admit for `posted`, with `input_data` as published.
pub fn new_job(posted: &PostedTask, input_data: Vec<u8>) -> NewJob {
    NewJob {
        statement_id: posted.id,
        model_id: U256::from(posted.task.modelId),
        task: posted.task.abi_encode(),
        input_data,
        bounty: U256::from(posted.task.bounty),
        collateral: U256::from(posted.task.collateral),
        deadline: u64::from(posted.task.deadline),
        posted_block: 0,
    }
}

/// The slice model (`models/slice-mlp.json`) with a development committed-input key saved in
/// `dir`, as a deployment plans it.
pub fn slice_dev_model(root: &Path, dir: &Path) -> PlannedModel {
    let model_path = root.join("models/slice-mlp.json");
    let model = QuantModel::from_json(&std::fs::read_to_string(&model_path).unwrap()).unwrap();
    let key = dir.join("slice.pk");
    dev_setup_shape(&model, 1, Visibility::Public, true)
        .unwrap()
        .save(&key, &KeyTag::new(&model, Visibility::Public, true).dev())
        .unwrap();
    PlannedModel { model: model_path, proving_key: key, weights_salt: None }
}

/// A TCP port free on loopback now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `GET url`: the status and the body (status 0 and the error when nothing answered).
pub async fn get(url: &str) -> (u16, String) {
    match alloy::transports::http::reqwest::get(url).await {
        Ok(r) => (r.status().as_u16(), r.text().await.unwrap()),
        Err(e) => (0, e.to_string()),
    }
}

/// Posts a task of `model_id` on the 64-value sample input of `seed` (committed, published),
/// bounty 1, collateral 10, deadline `duration` seconds from now; returns its statement id.
pub async fn post(admin: &Account, dep: &Deployments, model_id: u64, seed: u64, duration: u64) -> B256 {
    post_words(admin, dep, model_id, seed, duration).await.0
}

/// [`post`], also returning the task's input words (what its verified output is read by).
pub async fn post_words(
    admin: &Account,
    dep: &Deployments,
    model_id: u64,
    seed: u64,
    duration: u64,
) -> (B256, Vec<U256>) {
    let values = sample_input(seed, 64);
    let posted =
        market::task_input(&values, market::InputLayout::Committed { salt: market::random_salt(), publish: true });
    let new = NewTask {
        model_id: U256::from(model_id),
        input: posted.words.clone(),
        bounty: tokens(1),
        collateral: tokens(10),
        deadline: chain_time(admin).await.unwrap() + duration,
        input_data: posted.data,
        ramp: None,
    };
    (market::post_task(admin, dep.token, dep.market, &new).await.unwrap().0, posted.words)
}

/// Polls `url` (JSON) until `ok` holds, for up to two minutes.
pub async fn wait_for(url: &str, what: &str, ok: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    for _ in 0..600 {
        let (status, body) = get(url).await;
        if status == 200 {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            if ok(&v) {
                return v;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for {what} at {url}");
}
