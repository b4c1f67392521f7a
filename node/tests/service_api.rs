//! The HTTP API on a real socket (127.0.0.1): every endpoint, and bad input answered with a 4xx
//! and a JSON error.

use std::sync::Arc;

use alloy::primitives::{B256, U256};
use mlproof_node::service::{
    api::{router, ApiState, ChainStatus},
    metrics::Metrics,
    state::JobState,
    store::{Change, JobStore, NewJob},
};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

fn json(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

#[tokio::test]
async fn endpoints_answer_and_bad_input_is_a_json_4xx() {
    let dir = tempfile::tempdir().unwrap();
    let store = JobStore::open(&dir.path().join("jobs.sqlite")).await.unwrap();
    for i in 1..=3u8 {
        let job = NewJob {
            statement_id: B256::repeat_byte(i),
            model_id: U256::from(1),
            task: vec![i],
            input_data: Vec::new(),
            bounty: U256::from(5),
            collateral: U256::from(50),
            deadline: 99,
            posted_block: 1,
        };
        let (rec, _) = store.admit(&job).await.unwrap();
        if i > 1 {
            store.transition(rec.id, JobState::Seen, JobState::Locked, Change::default()).await.unwrap();
        }
    }
    store.reject(B256::repeat_byte(9), U256::from(2), "model 2 is not served").await.unwrap();
    let chain = ChainStatus { account: "0xabc".into(), chain_id: 31337, chain_head: 42, ..ChainStatus::default() };
    let state = ApiState {
        store,
        metrics: Arc::new(Metrics::new()),
        chain: Arc::new(tokio::sync::RwLock::new(chain)),
        txms: Vec::new(),
        workers: 2,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(state)).await.unwrap() });

    let (code, _, body) = get(addr, "/health").await;
    assert_eq!((code, json(&body)["status"].as_str()), (200, Some("ok")));

    let (code, _, body) = get(addr, "/v1/jobs?state=locked").await;
    assert_eq!(code, 200);
    let jobs = json(&body)["jobs"].as_array().unwrap().clone();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j["state"] == "locked"));
    let (_, _, body) = get(addr, "/v1/jobs?limit=1").await;
    let page = json(&body);
    assert_eq!((page["jobs"].as_array().unwrap().len(), page["next_after"].as_i64()), (1, Some(1)));
    let (_, _, body) = get(addr, "/v1/jobs?after=1&limit=5").await;
    assert_eq!(json(&body)["jobs"][0]["id"], 2);

    let (code, _, body) = get(addr, "/v1/jobs/2").await;
    assert_eq!(code, 200);
    let job = json(&body);
    assert_eq!(job["state"], "locked");
    assert_eq!(job["history"][0]["to"], "locked");

    let (code, _, body) = get(addr, "/v1/status").await;
    assert_eq!(code, 200);
    let status = json(&body);
    assert_eq!((status["chain_head"].as_u64(), status["queue_depth"].as_u64()), (Some(42), Some(2)));
    assert_eq!(status["jobs"]["seen"], 1);
    assert_eq!(status["rejections"][0]["reason"], "model 2 is not served");

    let (code, head, body) = get(addr, "/metrics").await;
    assert_eq!(code, 200);
    assert!(head.to_lowercase().contains("content-type: application/openmetrics-text"), "{head}");
    assert!(body.contains("mlproof_jobs{state=\"locked\"} 2"), "{body}");
    assert!(body.contains("mlproof_queue_depth 2") && body.contains("mlproof_chain_head 42"), "{body}");

    for (path, code, message) in [
        ("/v1/jobs?state=bogus", 400, "unknown state \"bogus\""),
        ("/v1/jobs?limit=0", 400, "limit \"0\" must be an integer from 1 to 1000"),
        ("/v1/jobs?limit=100000", 400, "from 1 to 1000"),
        ("/v1/jobs?after=-4", 400, "after \"-4\" is not a job id"),
        ("/v1/jobs?colour=red", 400, "unknown query parameter \"colour\""),
        ("/v1/jobs/abc", 400, "job id \"abc\" is not a positive integer"),
        ("/v1/jobs/0", 400, "not a positive integer"),
        ("/v1/jobs/99999999999999999999999", 400, "not a positive integer"),
        ("/v1/jobs/77", 404, "no job 77"),
        ("/v2/anything", 404, "no such endpoint"),
    ] {
        let (got, _, body) = get(addr, path).await;
        assert_eq!(got, code, "{path}: {body}");
        let err = json(&body)["error"].as_str().unwrap_or_default().to_owned();
        assert!(err.contains(message), "{path}: {err}");
    }
}
