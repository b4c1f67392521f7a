//! Takes jobs through their life cycle, one persisted step at a time:
//!
//! * `seen` → the published input is opened against the task's commitment (a task this node could
//!   not prove is failed *before* any collateral is locked); a task whose requester asked to cancel
//!   it is given up (it cannot be locked); a ramped task waits in `seen` until `priceAt(task, now)`
//!   reaches the node's price (re-checked at each step, given up at deadline − margin); then the
//!   lock is sent under the intent key prefix `lock:<statement id>` → `locked`, with the task as
//!   the TaskLocked event stores it (price, fee, slash terms fixed);
//! * `locked` → `proving` (written first) → a bounded pool of blocking threads proves → `proved`
//!   with the proof stored, or back to `locked` with the reason (retried until the deadline);
//! * `proved` → `submitted` (written first) → the fulfilment under `fulfil:<statement id>` →
//!   `fulfilled`; with batching on, `proved` jobs are the batcher's instead
//!   ([`crate::service::batcher`]: several jobs of one model in one `fulfilBatch`).
//!
//! Every side effect is an intent of the transaction manager with a key derived from the task, so
//! a crash between a side effect and the transition that records it is harmless: the step is run
//! again, and the manager returns the intent it already has instead of sending a second
//! transaction. A revert ends the job `failed` with the decoded error; anything else (an RPC
//! outage, a timeout, a failed proof) leaves it where it is, to be retried.

use std::{collections::HashMap, sync::Arc};

use alloy::{
    primitives::{Address, U256},
    sol_types::SolValue,
};
use mlproof_circuits::QuantModel;
use mlproof_prover::{EvmProof, Keys};
use mlproof_relayer::{bindings::ITaskMarket::Task, chain::Account};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use crate::{
    job::prove_committed_with,
    market,
    service::{
        batcher::BatchPolicy,
        error::{Result, ServiceError},
        metrics::Metrics,
        state::JobState,
        store::{Change, JobRecord, JobStore},
    },
    NodeError,
};

/// A model the node proves, with its proving key loaded once and shared by the workers.
#[derive(Clone, Debug)]
pub struct Served {
    /// The model.
    pub model: Arc<QuantModel>,
    /// Its Groth16 keys (committed input).
    pub keys: Arc<Keys>,
    /// The salt of its private-weights commitment (`None`: public weights).
    pub weights_salt: Option<mlproof_circuits::Salt>,
}

/// A proof as stored in a job row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct StoredProof {
    proof: [U256; 8],
    input: Vec<U256>,
    output: Vec<U256>,
    weights_commitment: Option<U256>,
    prover: Address,
}

impl From<&EvmProof> for StoredProof {
    fn from(p: &EvmProof) -> Self {
        Self {
            proof: p.proof,
            input: p.input.clone(),
            output: p.output.clone(),
            weights_commitment: p.weights_commitment,
            prover: p.prover,
        }
    }
}

impl From<StoredProof> for EvmProof {
    fn from(p: StoredProof) -> Self {
        Self {
            proof: p.proof,
            input: p.input,
            output: p.output,
            weights_commitment: p.weights_commitment,
            prover: p.prover,
        }
    }
}

/// The proof stored in a `proved` (or later) job.
pub fn stored_proof(job: &JobRecord) -> Result<EvmProof> {
    let stored = job.proof.as_deref().ok_or_else(|| corrupt(job.id, "proof", "missing"))?;
    Ok(serde_json::from_slice::<StoredProof>(stored).map_err(|e| corrupt(job.id, "proof", e))?.into())
}

/// Runs jobs for one prover account.
#[derive(Clone, Debug)]
pub struct Runner {
    pub(super) account: Account,
    pub(super) market: Address,
    pub(super) store: JobStore,
    pub(super) models: Arc<HashMap<U256, Served>>,
    pub(super) metrics: Arc<Metrics>,
    workers: Arc<Semaphore>,
    least_price: Arc<HashMap<U256, U256>>,
    deadline_margin_s: u64,
    pub(super) batching: BatchPolicy,
}

fn corrupt(job: i64, what: &str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Corrupt { what: format!("job {job} {what}"), detail: e.to_string() }
}

impl Runner {
    /// A runner proving `models` with at most `workers` proofs at once.
    #[must_use]
    pub fn new(
        account: Account,
        market: Address,
        store: JobStore,
        models: HashMap<U256, Served>,
        metrics: Arc<Metrics>,
        workers: usize,
    ) -> Self {
        Self {
            account,
            market,
            store,
            models: Arc::new(models),
            metrics,
            workers: Arc::new(Semaphore::new(workers.max(1))),
            least_price: Arc::new(HashMap::new()),
            deadline_margin_s: 0,
            batching: BatchPolicy::SINGLE,
        }
    }

    /// Fulfils `proved` jobs of one model together, up to `max` in one `fulfilBatch`, after the
    /// oldest waited `wait_s` seconds at most (and from deadline − the pricing margin on, at once;
    /// call after [`Runner::with_pricing`]). `max = 1`: no batching (the default).
    #[must_use]
    pub const fn with_batching(mut self, max: usize, wait_s: u64) -> Self {
        self.batching = BatchPolicy { max, wait_s, deadline_margin_s: self.deadline_margin_s };
        self
    }

    /// Locks a task of a model only once its price (`priceAt`) is at least `least_price[model]`
    /// (without an entry: at any price), and gives a task up when its price has not got there by
    /// deadline − `deadline_margin_s`.
    #[must_use]
    pub fn with_pricing(mut self, least_price: HashMap<U256, U256>, deadline_margin_s: u64) -> Self {
        self.least_price = Arc::new(least_price);
        self.deadline_margin_s = deadline_margin_s;
        self.batching.deadline_margin_s = deadline_margin_s;
        self
    }

    /// After a restart: a job found `proving` was interrupted mid-proof; it goes back to `locked`
    /// (its proof is redone). Returns how many were.
    pub async fn resume(&self) -> Result<usize> {
        let mut n = 0;
        for job in self.store.unfinished().await?.into_iter().filter(|j| j.state == JobState::Proving) {
            let reason = Some("resumed after a restart: the proof was interrupted".to_owned());
            self.store
                .transition(job.id, JobState::Proving, JobState::Locked, Change { reason, ..Change::default() })
                .await?;
            n += 1;
        }
        Ok(n)
    }

    /// Takes `job` one step forward at chain time `now` and returns it as it is after the step. A
    /// job whose deadline passed before it was fulfilled expires.
    pub async fn step(&self, job: &JobRecord, now: u64) -> Result<JobRecord> {
        if !job.state.is_terminal() && job.state != JobState::Fulfilled && now >= job.job.deadline {
            let reason = Some(format!("deadline {} passed at chain time {now}", job.job.deadline));
            return self
                .store
                .transition(job.id, job.state, JobState::Expired, Change { reason, ..Change::default() })
                .await;
        }
        match job.state {
            JobState::Seen => self.lock(job, now).await,
            JobState::Locked => self.prove(job).await,
            // The batcher's jobs (`batcher::spawn_batches`) are left as they are.
            JobState::Proved | JobState::Submitted if self.batched(job, now) => Ok(job.clone()),
            JobState::Proved | JobState::Submitted => self.fulfil(job).await,
            _ => Ok(job.clone()),
        }
    }

    pub(super) fn task(job: &JobRecord) -> Result<Task> {
        Task::abi_decode(&job.job.task).map_err(|e| corrupt(job.id, "task", e))
    }

    pub(super) fn retry(job: &JobRecord, e: NodeError) -> ServiceError {
        tracing::warn!(job = job.id, state = %job.state, error = %e, "step failed; retrying");
        ServiceError::Retry { job: job.id, source: Box::new(e) }
    }

    async fn fail(&self, job: &JobRecord, reason: String) -> Result<JobRecord> {
        self.store
            .transition(job.id, job.state, JobState::Failed, Change { reason: Some(reason), ..Change::default() })
            .await
    }

    async fn lock(&self, job: &JobRecord, now: u64) -> Result<JobRecord> {
        if !self.models.contains_key(&job.job.model_id) {
            return self.fail(job, format!("model {} is not served", job.job.model_id)).await;
        }
        let task = Self::task(job)?;
        if let Err(e) = market::open_published_input(&job.job.input_data, &task.input) {
            return self.fail(job, e.to_string()).await;
        }
        // A lock intent already sent (a restart) is resumed whatever the price or a later cancel
        // request: the manager returns it instead of sending a second one.
        let key = format!("lock:{}", job.job.statement_id);
        let account = self.account.clone().with_key_prefix(&key);
        let first = mlproof_relayer::txm::IntentKey::new(format!("{key}:0:lockTask"));
        let sent_before = self
            .account
            .txm()
            .store()
            .intent(&first)
            .await
            .map_err(|e| Self::retry(job, mlproof_relayer::RelayerError::from(e).into()))?
            .is_some();
        if !sent_before {
            match market::cancel_due_at(&self.account.provider, self.market, job.job.statement_id).await {
                Ok(Some(due)) => {
                    return self.fail(job, format!("its requester asked to cancel it (due at {due}); not locked")).await
                }
                Ok(None) => {}
                Err(e) => return Err(Self::retry(job, e)),
            }
            if let Some(least) = self.least_price.get(&job.job.model_id) {
                let price = market::price_at(&self.account.provider, self.market, &task, now)
                    .await
                    .map_err(|e| Self::retry(job, e))?;
                if price < *least {
                    let latest = job.job.deadline.saturating_sub(self.deadline_margin_s);
                    if now >= latest {
                        let reason = format!(
                            "its price {price} had not reached the least accepted {least} by {latest} (deadline minus \
                             the margin); not locked"
                        );
                        return self.fail(job, reason).await;
                    }
                    tracing::debug!(job = job.id, %price, %least, "price below the least accepted; waiting for the ramp");
                    return Ok(job.clone());
                }
            }
        }
        match market::lock_task(&account, self.market, &task).await {
            Ok((locked, sent)) => {
                self.metrics.gas_spent.inc_by(sent.gas_used);
                let change = Change { task: Some(locked.abi_encode()), gas: sent.gas_used, ..Change::default() };
                match self.store.transition(job.id, JobState::Seen, JobState::Locked, change).await {
                    // The watcher recorded the lock first (from its TaskLocked event).
                    Err(ServiceError::StaleState { .. }) => {
                        self.store.job(job.id).await?.ok_or_else(|| corrupt(job.id, "row", "vanished"))
                    }
                    other => other,
                }
            }
            Err(e) => match e.revert_reason() {
                Some(reason) => self.fail(job, format!("lockTask reverted: {reason}")).await,
                None => Err(Self::retry(job, e)),
            },
        }
    }

    async fn prove(&self, job: &JobRecord) -> Result<JobRecord> {
        let served = self.models.get(&job.job.model_id).cloned();
        let Some(served) = served else {
            return self.fail(job, format!("model {} is no longer served", job.job.model_id)).await;
        };
        let task = Self::task(job)?;
        let (input, salt) = match market::open_published_input(&job.job.input_data, &task.input) {
            Ok(opened) => opened,
            Err(e) => return self.fail(job, e.to_string()).await,
        };
        let _permit = self.workers.acquire().await.map_err(|e| corrupt(job.id, "worker pool", e))?;
        let proving = self
            .store
            .transition(job.id, JobState::Locked, JobState::Proving, Change { attempt: true, ..Change::default() })
            .await?;
        let prover = self.account.address;
        let proved = tokio::task::spawn_blocking(move || {
            prove_committed_with(&served.model, &served.keys, &input, salt, served.weights_salt, prover)
        })
        .await;
        match proved {
            Ok(Ok((proof, seconds))) => {
                self.metrics.prove_seconds.observe(seconds);
                let bytes = serde_json::to_vec(&StoredProof::from(&proof)).map_err(|e| corrupt(job.id, "proof", e))?;
                let change =
                    Change { proof: Some(bytes), prove_ms: Some((seconds * 1000.0) as u64), ..Change::default() };
                self.store.transition(job.id, JobState::Proving, JobState::Proved, change).await
            }
            failed => {
                let reason = match failed {
                    Ok(Err(e)) => format!("proof failed: {e}"),
                    Err(e) => format!("the proving thread ended: {e}"),
                    Ok(Ok(_)) => unreachable!("handled above"),
                };
                tracing::warn!(job = job.id, reason, "proof failed; back to locked for a retry");
                let change = Change { reason: Some(reason), ..Change::default() };
                self.store.transition(proving.id, JobState::Proving, JobState::Locked, change).await
            }
        }
    }

    pub(super) async fn fulfil(&self, job: &JobRecord) -> Result<JobRecord> {
        let proof = stored_proof(job)?;
        let task = Self::task(job)?;
        let job = if job.state == JobState::Proved {
            self.store.transition(job.id, JobState::Proved, JobState::Submitted, Change::default()).await?
        } else {
            job.clone()
        };
        let account = self.account.clone().with_key_prefix(&format!("fulfil:{}", job.job.statement_id));
        match market::fulfil(&account, self.market, &task, &proof).await {
            Ok(sent) => {
                self.metrics.gas_spent.inc_by(sent.gas_used);
                let change = Change { fulfil_tx: Some(sent.tx_hash), gas: sent.gas_used, ..Change::default() };
                self.store.transition(job.id, JobState::Submitted, JobState::Fulfilled, change).await
            }
            Err(e) => match e.revert_reason() {
                Some(reason) => self.fail(&job, format!("fulfil reverted: {reason}")).await,
                None => Err(Self::retry(&job, e)),
            },
        }
    }
}
