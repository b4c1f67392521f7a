//! Helpers shared by the tests that run a whole node against anvil: a free port, HTTP reads of
//! its API, posting a committed-input task, and waiting for the API to show something.

#![allow(dead_code)] // each test binary uses its own subset

use std::time::Duration;

use alloy::primitives::{B256, U256};
use mlproof_circuits::native::slice::sample_input;
use mlproof_node::{
    deploy::tokens,
    deployments::Deployments,
    job::chain_time,
    market::{self, NewTask},
};
use mlproof_relayer::chain::Account;

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
