//! The node's HTTP API (axum): `GET /health`, `GET /v1/jobs?state=&after=&limit=`,
//! `GET /v1/jobs/{id}`, `GET /v1/status`, `GET /metrics`. Every input is validated; a bad one is
//! a 4xx with `{"error": "..."}`, never a panic.

use std::{collections::HashMap, sync::Arc};

use axum::{
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Json, Router,
};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::RwLock;

use crate::service::{
    metrics::Metrics,
    state::{JobState, ALL_STATES},
    store::{JobRecord, JobStore},
};

/// The most jobs one `GET /v1/jobs` returns.
pub const MAX_LIMIT: u32 = 1000;

/// What the node last read from chain about its account (refreshed by the service loop).
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ChainStatus {
    /// The prover's address.
    pub account: String,
    /// The chain id.
    pub chain_id: u64,
    /// The latest block.
    pub chain_head: u64,
    /// Active stake (token base units, decimal).
    pub stake: String,
    /// Collateral locked in open tasks.
    pub locked_collateral: String,
    /// Rewards claimable now.
    pub claimable: String,
    /// Whether the market counts the account as eligible to lock.
    pub eligible: bool,
}

/// What the handlers share.
#[derive(Clone, Debug)]
pub struct ApiState {
    /// The job store.
    pub store: JobStore,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// The chain status.
    pub chain: Arc<RwLock<ChainStatus>>,
    /// The transaction managers whose counters `/metrics` exports.
    pub txms: Vec<mlproof_relayer::txm::TxManager>,
    /// Proof workers.
    pub workers: usize,
}

/// A 4xx or 5xx with a JSON body.
#[derive(Debug)]
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "error": self.1 }))).into_response()
    }
}

impl From<crate::service::error::ServiceError> for ApiError {
    fn from(e: crate::service::error::ServiceError) -> Self {
        tracing::error!(error = %e, "API request failed in the store");
        Self(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

fn bad(message: String) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, message)
}

/// The router.
pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/v1/jobs", get(jobs))
        .route("/v1/jobs/{id}", get(job))
        .route("/v1/status", get(status))
        .route("/metrics", get(metrics))
        .fallback(|| async { ApiError(StatusCode::NOT_FOUND, "no such endpoint".into()) })
        .with_state(state)
}

async fn health() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

fn job_json(r: &JobRecord) -> Value {
    json!({
        "id": r.id,
        "statement_id": r.job.statement_id.to_string(),
        "model_id": r.job.model_id.to_string(),
        "state": r.state.as_str(),
        "bounty": r.job.bounty.to_string(),
        "collateral": r.job.collateral.to_string(),
        "deadline": r.job.deadline,
        "posted_block": r.job.posted_block,
        "attempts": r.attempts,
        "proved": r.proof.is_some(),
        "prove_ms": r.prove_ms,
        "fulfil_tx": r.fulfil_tx.map(|h| h.to_string()),
        "gas_used": r.gas_used,
        "batch": r.batch,
        "reason": r.reason,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    })
}

fn parse_state(s: &str) -> Result<JobState, ApiError> {
    JobState::parse(s).ok_or_else(|| {
        let names: Vec<&str> = ALL_STATES.iter().map(|s| s.as_str()).collect();
        bad(format!("unknown state {s:?}; one of {}", names.join(", ")))
    })
}

async fn jobs(State(st): State<ApiState>, Query(q): Query<HashMap<String, String>>) -> Result<Json<Value>, ApiError> {
    if let Some(k) = q.keys().find(|k| !["state", "after", "limit"].contains(&k.as_str())) {
        return Err(bad(format!("unknown query parameter {k:?}; use state, after, limit")));
    }
    let state = q.get("state").map(|s| parse_state(s)).transpose()?;
    let after = match q.get("after") {
        None => 0,
        Some(s) => {
            s.parse::<i64>().ok().filter(|v| *v >= 0).ok_or_else(|| bad(format!("after {s:?} is not a job id")))?
        }
    };
    let limit = match q.get("limit") {
        None => 100,
        Some(s) => s
            .parse::<u32>()
            .ok()
            .filter(|v| (1..=MAX_LIMIT).contains(v))
            .ok_or_else(|| bad(format!("limit {s:?} must be an integer from 1 to {MAX_LIMIT}")))?,
    };
    let records = st.store.list(state, after, limit).await?;
    let next = (records.len() == limit as usize).then(|| records.last().map(|r| r.id)).flatten();
    Ok(Json(json!({ "jobs": records.iter().map(job_json).collect::<Vec<_>>(), "next_after": next })))
}

async fn job(State(st): State<ApiState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| bad(format!("job id {id:?} is not a positive integer")))?;
    let record = st.store.job(id).await?.ok_or_else(|| ApiError(StatusCode::NOT_FOUND, format!("no job {id}")))?;
    let mut v = job_json(&record);
    v["history"] = st
        .store
        .history(id)
        .await?
        .into_iter()
        .map(|(from, to, reason, at)| json!({ "from": from, "to": to, "reason": reason, "at": at }))
        .collect();
    Ok(Json(v))
}

async fn status(State(st): State<ApiState>) -> Result<Json<Value>, ApiError> {
    let counts = st.store.counts().await?;
    let chain = st.chain.read().await.clone();
    let queue: u64 = [JobState::Locked, JobState::Proving].iter().map(|s| counts[s]).sum();
    let mut v = serde_json::to_value(chain).map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    v["queue_depth"] = queue.into();
    v["workers"] = st.workers.into();
    v["jobs"] =
        counts.iter().map(|(s, n)| (s.as_str().to_owned(), Value::from(*n))).collect::<serde_json::Map<_, _>>().into();
    v["rejections"] = st
        .store
        .rejections(20)
        .await?
        .into_iter()
        .map(|r| json!({ "statement_id": r.statement_id.to_string(), "model_id": r.model_id.to_string(), "reason": r.reason, "at": r.at }))
        .collect();
    Ok(Json(v))
}

async fn metrics(State(st): State<ApiState>) -> Result<Response, ApiError> {
    st.metrics.set_jobs(&st.store.counts().await?);
    let snapshots: Vec<_> = st.txms.iter().map(mlproof_relayer::txm::TxManager::counters).collect();
    st.metrics.set_transactions(&snapshots);
    st.metrics.chain_head.set(i64::try_from(st.chain.read().await.chain_head).unwrap_or(i64::MAX));
    let text = st.metrics.encode().map_err(|e| ApiError(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    Ok(([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response())
}
