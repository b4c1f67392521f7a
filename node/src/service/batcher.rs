//! Batched fulfilment: which `proved` jobs are fulfilled together now ([`plan`], a pure
//! function), and sending a batch with `fulfilBatch` so that a crash at any point is harmless.
//!
//! * The policy: `proved` jobs of one model are collected until `batch_max` of them are ready, or
//!   the oldest has waited `batch_wait_s` seconds, or a task reaches its deadline −
//!   `deadline_margin_s` (then whatever is ready is sent at once). A batch of one takes the single
//!   `fulfil` path; `batch_max = 1` disables batching.
//! * Before anything is sent the batch is checked natively
//!   ([`mlproof_prover::batch::verify_evm_batch`], exactly the verifier's `verifyBatch`); a batch
//!   that does not verify is logged (with the proofs that fail alone) and its jobs fulfilled one by
//!   one.
//! * Then every member's `proved → submitted` is written in one database transaction with the
//!   batch key (hex keccak256 of the sorted statement ids, [`batch_key`]), and `fulfilBatch` is sent
//!   under the intent key prefix `fulfilBatch:<batch key>`. A restart finds the members
//!   `submitted` with that key and re-runs the whole batch: the transaction manager returns the
//!   intent it already has instead of sending a second transaction.
//! * After the receipt: paid members → `fulfilled` (the transaction, an equal share of its gas),
//!   skipped ones (`TaskSkipped`) → `failed` with "skipped by fulfilBatch: …"; a revert takes the
//!   members out of the batch and fulfils each alone (failed with the decoded reason if that
//!   reverts too).

use std::{
    collections::{BTreeMap, BTreeSet, HashMap, HashSet},
    sync::{Arc, Mutex},
};

use alloy::primitives::{keccak256, B256, U256};
use tokio::task::JoinSet;
use tracing::Instrument;

use crate::{
    market::{self, MAX_BATCH},
    service::{
        error::{Result, ServiceError},
        runner::{stored_proof, Runner},
        state::JobState,
        store::{now as wall_clock, Change, JobRecord, JobStore},
    },
};

/// When proved jobs are sent, and how many together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BatchPolicy {
    /// The most jobs in one `fulfilBatch` (1: no batching; capped at [`MAX_BATCH`]).
    pub max: usize,
    /// Seconds (wall clock) the oldest proved job of a model waits for its batch to fill.
    pub wait_s: u64,
    /// A job is sent at once from chain time deadline − this margin on.
    pub deadline_margin_s: u64,
}

impl BatchPolicy {
    /// No batching: every proved job is fulfilled alone, at once.
    pub const SINGLE: Self = Self { max: 1, wait_s: 0, deadline_margin_s: 0 };

    /// Whether jobs are batched at all.
    #[must_use]
    pub const fn enabled(&self) -> bool {
        self.max > 1
    }
}

/// What the policy needs to know of a proved job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ready {
    /// The job's database id.
    pub job: i64,
    /// Its model (a batch is of one model).
    pub model_id: U256,
    /// Its statement id (a batch is sent sorted by it).
    pub statement_id: B256,
    /// Its deadline (chain time).
    pub deadline: u64,
    /// When it became `proved` (wall clock, unix seconds).
    pub proved_at: i64,
}

impl Ready {
    /// The policy's view of a `proved` job (its last transition is the one to `proved`).
    #[must_use]
    pub fn of(job: &JobRecord) -> Self {
        Self {
            job: job.id,
            model_id: job.job.model_id,
            statement_id: job.job.statement_id,
            deadline: job.job.deadline,
            proved_at: job.updated_at,
        }
    }
}

/// The batches to send now out of `ready`, at chain time `chain_now` and wall-clock time
/// `wall_now`: per model, oldest proved first, every full batch of `policy.max`, and the rest
/// (fewer) once its oldest has waited `wait_s` or any of it reached its deadline − margin. Each
/// batch is sorted by statement id. Jobs past their deadline are left out (they expire).
#[must_use]
pub fn plan(ready: &[Ready], policy: &BatchPolicy, chain_now: u64, wall_now: i64) -> Vec<Vec<Ready>> {
    let max = policy.max.clamp(1, MAX_BATCH);
    let wait = i64::try_from(policy.wait_s).unwrap_or(i64::MAX);
    let urgent = |r: &Ready| chain_now >= r.deadline.saturating_sub(policy.deadline_margin_s);
    let mut by_model: BTreeMap<U256, Vec<Ready>> = BTreeMap::new();
    for r in ready.iter().filter(|r| chain_now < r.deadline) {
        by_model.entry(r.model_id).or_default().push(*r);
    }
    let mut batches = Vec::new();
    for mut jobs in by_model.into_values() {
        jobs.sort_by_key(|r| (r.proved_at, r.job));
        for chunk in jobs.chunks(max) {
            // Only the last chunk can be short; its first job is its oldest.
            if chunk.len() == max || wall_now.saturating_sub(chunk[0].proved_at) >= wait || chunk.iter().any(urgent) {
                let mut batch = chunk.to_vec();
                batch.sort_by_key(|r| r.statement_id);
                batches.push(batch);
            }
        }
    }
    batches
}

/// The key of a batch: keccak256 of its statement ids sorted and concatenated, in hex (`0x…`).
/// The same members give the same key in any order.
#[must_use]
pub fn batch_key(statement_ids: &[B256]) -> String {
    let sorted: BTreeSet<B256> = statement_ids.iter().copied().collect();
    keccak256(sorted.iter().flat_map(|id| id.0).collect::<Vec<u8>>()).to_string()
}

impl Runner {
    /// Whether `job` is the batcher's, not a stepper's: a `proved` job while batching is on (and
    /// its deadline not passed: a stepper expires it), and a job `submitted` in a batch.
    #[must_use]
    pub fn batched(&self, job: &JobRecord, now: u64) -> bool {
        match job.state {
            JobState::Proved => self.batching.enabled() && now < job.job.deadline,
            JobState::Submitted => job.batch.is_some(),
            _ => false,
        }
    }

    /// Fulfils `jobs` (`proved`, of one model: a batch [`plan`] made) together: checked natively,
    /// recorded `submitted` with their batch key, then sent ([`Runner::settle_batch`]). One job,
    /// or a batch that does not verify natively, is fulfilled one job at a time.
    pub async fn send_batch(&self, jobs: &[JobRecord]) -> Result<Vec<JobRecord>> {
        let Some(first) = jobs.first() else { return Ok(Vec::new()) };
        if jobs.iter().any(|j| j.state != JobState::Proved || j.job.model_id != first.job.model_id) {
            return Err(ServiceError::Corrupt {
                what: "batch".into(),
                detail: "a batch must hold proved jobs of one model".into(),
            });
        }
        let served = self.models.get(&first.job.model_id).cloned();
        let (true, Some(served)) = (jobs.len() > 1, served) else { return self.one_by_one(jobs).await };
        let proofs = jobs.iter().map(stored_proof).collect::<Result<Vec<_>>>()?;
        let ids: Vec<B256> = jobs.iter().map(|j| j.job.statement_id).collect();
        let failing = tokio::task::spawn_blocking(move || {
            let vk = &served.keys.vk;
            match mlproof_prover::batch::verify_evm_batch(vk, &proofs) {
                Ok(true) => None,
                other => Some((
                    other.map_or_else(|e| e.to_string(), |_| "false".into()),
                    proofs
                        .iter()
                        .zip(&ids)
                        .filter(|(p, _)| {
                            !matches!(mlproof_prover::batch::verify_evm_batch(vk, std::slice::from_ref(*p)), Ok(true))
                        })
                        .map(|(_, id)| *id)
                        .collect::<Vec<_>>(),
                )),
            }
        })
        .await
        .map_err(|e| ServiceError::Corrupt { what: "batch check".into(), detail: e.to_string() })?;
        if let Some((outcome, failing)) = failing {
            tracing::warn!(%outcome, ?failing, size = jobs.len(), "the batch does not verify natively; fulfilling its jobs one by one");
            return self.one_by_one(jobs).await;
        }
        let key = batch_key(&jobs.iter().map(|j| j.job.statement_id).collect::<Vec<_>>());
        let members = self.store.submit_batch(&jobs.iter().map(|j| j.id).collect::<Vec<_>>(), &key).await?;
        self.settle_batch(&key, members, 0).await
    }

    /// Sends batch `key` with all its `members` (as recorded: after a restart the transaction
    /// manager returns the intent it already has) and records the outcome in the members still
    /// `submitted`. On a failure that may pass (an RPC outage, a timeout) the members stay
    /// `submitted` to be re-run, except those whose deadline passed by chain time `now`: expired.
    pub async fn settle_batch(&self, key: &str, members: Vec<JobRecord>, now: u64) -> Result<Vec<JobRecord>> {
        let span = tracing::info_span!("batch", key, size = members.len());
        self.settle_batch_inner(key, members, now).instrument(span).await
    }

    async fn settle_batch_inner(&self, key: &str, members: Vec<JobRecord>, now: u64) -> Result<Vec<JobRecord>> {
        let items = members.iter().map(|j| Ok((Self::task(j)?, stored_proof(j)?))).collect::<Result<Vec<_>>>()?;
        let account = self.account.clone().with_key_prefix(&format!("fulfilBatch:{key}"));
        match market::fulfil_batch(&account, self.market, &items).await {
            Ok((sent, skipped)) => {
                self.metrics.gas_spent.inc_by(sent.gas_used);
                self.metrics.batches.inc();
                self.metrics.batch_size.observe(members.len() as f64);
                let skipped: HashMap<B256, u8> = skipped.into_iter().collect();
                tracing::info!(tx = %sent.tx_hash, gas = sent.gas_used, skipped = skipped.len(), "fulfilBatch confirmed");
                let n = members.len() as u64;
                let mut out = Vec::with_capacity(members.len());
                for (i, job) in members.into_iter().enumerate() {
                    if job.state != JobState::Submitted {
                        out.push(job);
                        continue;
                    }
                    let gas = sent.gas_used / n + if i == 0 { sent.gas_used % n } else { 0 };
                    let (to, change) = match skipped.get(&job.job.statement_id) {
                        Some(r) => {
                            let reason = format!("skipped by fulfilBatch: {} (reason {r})", market::skip_reason(*r));
                            (JobState::Failed, Change { reason: Some(reason), gas, ..Change::default() })
                        }
                        None => {
                            (JobState::Fulfilled, Change { fulfil_tx: Some(sent.tx_hash), gas, ..Change::default() })
                        }
                    };
                    out.push(self.settled(&job, to, change).await?);
                }
                Ok(out)
            }
            Err(e) => match e.revert_reason() {
                Some(reason) => {
                    tracing::warn!(reason, "fulfilBatch reverted; fulfilling its jobs one by one");
                    self.store.leave_batch(key).await?;
                    let mut left = Vec::with_capacity(members.len());
                    for job in &members {
                        left.push(self.store.job(job.id).await?.ok_or(ServiceError::UnknownJob(job.id))?);
                    }
                    let (alone, done): (Vec<_>, Vec<_>) =
                        left.into_iter().partition(|j| j.state == JobState::Submitted && j.batch.is_none());
                    let mut out = self.one_by_one(&alone).await?;
                    out.extend(done);
                    Ok(out)
                }
                None => {
                    for job in members.iter().filter(|j| j.state == JobState::Submitted && now >= j.job.deadline) {
                        let reason = format!(
                            "deadline {} passed at chain time {now}; batch {key} did not confirm",
                            job.job.deadline
                        );
                        let change = Change { reason: Some(reason), ..Change::default() };
                        self.settled(job, JobState::Expired, change).await?;
                    }
                    Err(Self::retry(&members[0], e))
                }
            },
        }
    }

    /// A member's transition; one made first elsewhere (the job moved on) leaves it as it is.
    async fn settled(&self, job: &JobRecord, to: JobState, change: Change) -> Result<JobRecord> {
        match self.store.transition(job.id, job.state, to, change).await {
            Err(ServiceError::StaleState { .. }) => {
                self.store.job(job.id).await?.ok_or(ServiceError::UnknownJob(job.id))
            }
            other => other,
        }
    }

    /// Each job through the single `fulfil` path; one that must be retried stays where it is
    /// (a stepper takes it at the next tick).
    async fn one_by_one(&self, jobs: &[JobRecord]) -> Result<Vec<JobRecord>> {
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            match self.fulfil(job).await {
                Ok(next) => out.push(next),
                Err(ServiceError::Retry { .. }) => out.push(job.clone()),
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}

/// Claims `ids` for one task (no stepper or other batch takes them meanwhile); false if any is
/// taken already.
fn claim(in_flight: &Mutex<HashSet<i64>>, ids: &[i64]) -> bool {
    let Ok(mut f) = in_flight.lock() else { return false };
    if ids.iter().any(|id| f.contains(id)) {
        return false;
    }
    f.extend(ids.iter().copied());
    true
}

/// One batching pass of the service loop at chain time `now`: every batch found `submitted` (a
/// restart) is re-run whole, then the batches [`plan`] makes of the `proved` jobs are sent, each
/// as its own task in `tasks` with its jobs marked in `in_flight`.
pub async fn spawn_batches(
    runner: &Runner,
    store: &JobStore,
    in_flight: &Arc<Mutex<HashSet<i64>>>,
    now: u64,
    tasks: &mut JoinSet<()>,
) -> Result<()> {
    let unfinished = store.unfinished().await?;
    let resumed: BTreeSet<&str> =
        unfinished.iter().filter(|j| j.state == JobState::Submitted).filter_map(|j| j.batch.as_deref()).collect();
    let mut work: Vec<(Option<String>, Vec<JobRecord>)> = Vec::new();
    for key in resumed {
        work.push((Some(key.to_owned()), store.batch_members(key).await?));
    }
    if runner.batching.enabled() {
        let proved: HashMap<i64, &JobRecord> =
            unfinished.iter().filter(|j| j.state == JobState::Proved).map(|j| (j.id, j)).collect();
        let ready: Vec<Ready> = proved.values().map(|j| Ready::of(j)).collect();
        for batch in plan(&ready, &runner.batching, now, wall_clock()) {
            work.push((None, batch.iter().filter_map(|r| proved.get(&r.job).map(|j| (*j).clone())).collect()));
        }
    }
    for (key, members) in work {
        let ids: Vec<i64> =
            members.iter().filter(|j| !j.state.is_terminal() && j.state != JobState::Fulfilled).map(|j| j.id).collect();
        if ids.is_empty() || !claim(in_flight, &ids) {
            continue;
        }
        let (runner, in_flight) = (runner.clone(), Arc::clone(in_flight));
        tasks.spawn(async move {
            let done = match &key {
                Some(key) => runner.settle_batch(key, members, now).await,
                None => runner.send_batch(&members).await,
            };
            match done {
                Ok(jobs) => tracing::debug!(jobs = jobs.len(), "batch settled"),
                Err(ServiceError::Retry { .. }) => {}
                Err(e) => tracing::warn!(error = %e, "batch failed; retried at the next tick"),
            }
            if let Ok(mut f) = in_flight.lock() {
                for id in ids {
                    f.remove(&id);
                }
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: U256 = U256::from_limbs([1, 0, 0, 0]);
    const POLICY: BatchPolicy = BatchPolicy { max: 4, wait_s: 10, deadline_margin_s: 120 };

    /// Job `i` of `model`, proved at wall time `proved_at`, deadline `deadline`, with a statement
    /// id that sorts in the reverse order of `i`.
    fn ready(i: i64, model: U256, proved_at: i64, deadline: u64) -> Ready {
        Ready { job: i, model_id: model, statement_id: B256::repeat_byte(200 - i as u8), deadline, proved_at }
    }

    fn jobs(batches: &[Vec<Ready>]) -> Vec<Vec<i64>> {
        batches.iter().map(|b| b.iter().map(|r| r.job).collect()).collect()
    }

    #[test]
    fn full_batches_go_at_once_and_the_rest_waits_for_the_oldest_to_have_waited() {
        let ten: Vec<Ready> = (1..=10).map(|i| ready(i, MODEL, 1_000 + i, 10_000)).collect();
        // At 1_005 nobody waited 10 s: the two full batches go (oldest first), 9 and 10 wait.
        let now = plan(&ten, &POLICY, 5_000, 1_005);
        assert_eq!(jobs(&now), [vec![4, 3, 2, 1], vec![8, 7, 6, 5]], "sorted by statement id");
        let rest = &ten[8..];
        assert!(plan(rest, &POLICY, 5_000, 1_018).is_empty(), "job 9 has waited 9 s");
        assert_eq!(jobs(&plan(rest, &POLICY, 5_000, 1_019)), [vec![10, 9]], "job 9 has waited 10 s");
        // No wait: whatever is ready goes.
        let eager = BatchPolicy { wait_s: 0, ..POLICY };
        assert_eq!(jobs(&plan(rest, &eager, 5_000, 1_010)), [vec![10, 9]]);
    }

    #[test]
    fn a_deadline_minus_the_margin_sends_what_is_ready_at_once() {
        let js = [ready(1, MODEL, 1_000, 10_000), ready(2, MODEL, 1_001, 5_100)];
        assert!(plan(&js, &POLICY, 4_979, 1_002).is_empty(), "job 2 has 121 s left");
        assert_eq!(jobs(&plan(&js, &POLICY, 4_980, 1_002)), [vec![2, 1]], "job 2 reached deadline − margin");
        // Past its deadline a job is left out (its stepper expires it); the other still waits.
        assert!(plan(&js, &POLICY, 5_100, 1_002).is_empty());
        assert_eq!(jobs(&plan(&js, &POLICY, 5_100, 1_010)), [vec![1]]);
    }

    #[test]
    fn a_batch_is_of_one_model_and_at_most_max_or_the_market_cap() {
        let other = U256::from(2);
        let mixed: Vec<Ready> =
            (1..=6).map(|i| ready(i, if i % 2 == 0 { other } else { MODEL }, 1_000, 10_000)).collect();
        let b = plan(&mixed, &POLICY, 5_000, 1_100);
        assert_eq!(jobs(&b), [vec![5, 3, 1], vec![6, 4, 2]]);
        assert!(b.iter().all(|batch| batch.iter().all(|r| r.model_id == batch[0].model_id)));
        let many: Vec<Ready> = (1..=130).map(|i| ready(i, MODEL, 1_000, 10_000)).collect();
        let huge = BatchPolicy { max: 1_000, ..POLICY };
        let sizes: Vec<usize> = plan(&many, &huge, 5_000, 1_000).iter().map(Vec::len).collect();
        assert_eq!(sizes, [64, 64], "capped at MAX_BATCH; the last 2 wait");
        for batch in plan(&many, &huge, 5_000, 1_010) {
            assert!(batch.windows(2).all(|w| w[0].statement_id < w[1].statement_id), "strictly increasing ids");
        }
    }

    #[test]
    fn batch_max_one_sends_every_job_alone_at_once() {
        let js: Vec<Ready> = (1..=3).map(|i| ready(i, MODEL, 1_000, 10_000)).collect();
        let single = BatchPolicy { max: 1, ..POLICY };
        assert!(!single.enabled() && !BatchPolicy::SINGLE.enabled() && POLICY.enabled());
        assert_eq!(jobs(&plan(&js, &single, 5_000, 1_000)), [vec![1], vec![2], vec![3]]);
    }

    #[test]
    fn the_batch_key_depends_on_the_members_not_their_order() {
        let (a, b, c) = (B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3));
        assert_eq!(batch_key(&[a, b, c]), batch_key(&[c, a, b]));
        assert_ne!(batch_key(&[a, b]), batch_key(&[a, b, c]));
        let expected = keccak256([a.0, b.0].concat()).to_string();
        assert_eq!(batch_key(&[b, a]), expected);
        assert!(expected.starts_with("0x") && expected.len() == 66);
    }
}
