//! The prover node's SQLite store (sqlx, opened by `mlproof_relayer::sqlite`, migrations under
//! `node/migrations/`): jobs and every transition, refused tasks, and the watcher's recent blocks.
//! A transition is a compare-and-set on the job's state, written before the side effect it
//! announces; the transaction manager's idempotency keys (`lock:<statement id>`, …) make the side
//! effect itself safe to repeat after a crash.

use std::{collections::BTreeMap, path::Path, str::FromStr};

use alloy::primitives::{B256, U256};
use mlproof_relayer::sqlite::{open_migrated, OpenError};
use sqlx::{sqlite::SqliteRow, Row, SqlitePool};

use crate::service::{
    error::{Result, ServiceError},
    state::{JobState, ALL_STATES},
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// What the watcher knows of a task when it admits it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewJob {
    /// The task's statement id (its key everywhere: jobs, intents, the market).
    pub statement_id: B256,
    /// The model.
    pub model_id: U256,
    /// The ABI encoding of the task as the market stores it (after the lock: with its prover).
    pub task: Vec<u8>,
    /// The data published with the task (the committed input and its salt).
    pub input_data: Vec<u8>,
    /// Bounty, in token base units.
    pub bounty: U256,
    /// Collateral the lock takes.
    pub collateral: U256,
    /// Deadline (chain time, seconds).
    pub deadline: u64,
    /// The block of its `TaskPosted` event.
    pub posted_block: u64,
}

/// A job as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRecord {
    /// Database id (the API's `{id}`).
    pub id: i64,
    /// What was admitted.
    pub job: NewJob,
    /// Where it is.
    pub state: JobState,
    /// Proof attempts and fulfilment attempts so far.
    pub attempts: u32,
    /// The stored proof (the prover's proof file, JSON), once proved.
    pub proof: Option<Vec<u8>>,
    /// How long the proof took, in milliseconds.
    pub prove_ms: Option<u64>,
    /// The confirmed fulfilment.
    pub fulfil_tx: Option<B256>,
    /// Gas of this job's confirmed transactions (lock, fulfil).
    pub gas_used: u64,
    /// Why it is failed or expired, or why the last attempt was retried.
    pub reason: Option<String>,
    /// The batch a `submitted` job was sent in (`fulfilBatch:<batch>`); `None` for a single fulfil.
    pub batch: Option<String>,
    /// When it was admitted (unix seconds).
    pub created_at: i64,
    /// Its last transition (unix seconds).
    pub updated_at: i64,
}

/// What a transition writes besides the state.
#[derive(Clone, Debug, Default)]
pub struct Change {
    /// Reason (a failure, an expiry, a retry).
    pub reason: Option<String>,
    /// The proof, when becoming `Proved`.
    pub proof: Option<Vec<u8>>,
    /// Proving time, when becoming `Proved`.
    pub prove_ms: Option<u64>,
    /// The fulfilment's transaction, when becoming `Fulfilled`.
    pub fulfil_tx: Option<B256>,
    /// Gas to add to the job's total.
    pub gas: u64,
    /// Count one more attempt.
    pub attempt: bool,
    /// The task as stored after this step (the lock sets its prover).
    pub task: Option<Vec<u8>>,
}

/// A refused task, with the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The task.
    pub statement_id: B256,
    /// Its model.
    pub model_id: U256,
    /// Why admission refused it.
    pub reason: String,
    /// When (unix seconds).
    pub at: i64,
}

/// The node's database.
#[derive(Clone, Debug)]
pub struct JobStore {
    pub(crate) pool: SqlitePool,
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

/// Why job `id` was not updated out of `expected`: it does not exist, or it is in another state.
async fn not_in_state(db: &mut sqlx::SqliteConnection, id: i64, expected: JobState) -> ServiceError {
    match sqlx::query_scalar::<_, String>("SELECT state FROM jobs WHERE id = ?").bind(id).fetch_optional(db).await {
        Err(e) => e.into(),
        Ok(None) => ServiceError::UnknownJob(id),
        Ok(Some(found)) => ServiceError::StaleState { job: id, expected, found },
    }
}

fn corrupt(what: &str, detail: impl std::fmt::Display) -> ServiceError {
    ServiceError::Corrupt { what: what.to_owned(), detail: detail.to_string() }
}

fn i64_of(what: &str, v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|e| corrupt(what, e))
}

fn u64_of(row: &SqliteRow, col: &str) -> Result<u64> {
    let v: i64 = row.try_get(col)?;
    u64::try_from(v).map_err(|e| corrupt(col, e))
}

fn parse<T: FromStr>(row: &SqliteRow, col: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let s: String = row.try_get(col)?;
    s.parse().map_err(|e| corrupt(col, e))
}

fn parse_job(row: &SqliteRow) -> Result<JobRecord> {
    let state: String = row.try_get("state")?;
    let fulfil_tx: Option<String> = row.try_get("fulfil_tx")?;
    let prove_ms: Option<i64> = row.try_get("prove_ms")?;
    Ok(JobRecord {
        id: row.try_get("id")?,
        job: NewJob {
            statement_id: parse(row, "statement_id")?,
            model_id: parse(row, "model_id")?,
            task: row.try_get("task")?,
            input_data: row.try_get("input_data")?,
            bounty: parse(row, "bounty")?,
            collateral: parse(row, "collateral")?,
            deadline: u64_of(row, "deadline")?,
            posted_block: u64_of(row, "posted_block")?,
        },
        state: JobState::parse(&state).ok_or_else(|| corrupt("state", &state))?,
        attempts: u32::try_from(u64_of(row, "attempts")?).map_err(|e| corrupt("attempts", e))?,
        proof: row.try_get("proof")?,
        prove_ms: prove_ms.map(|v| u64::try_from(v).map_err(|e| corrupt("prove_ms", e))).transpose()?,
        fulfil_tx: fulfil_tx.map(|s| s.parse().map_err(|e| corrupt("fulfil_tx", e))).transpose()?,
        gas_used: u64_of(row, "gas_used")?,
        reason: row.try_get("reason")?,
        batch: row.try_get("batch")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl JobStore {
    /// Opens (creating if needed) the database at `path`, refuses one whose schema is newer than
    /// this binary knows, and applies the pending migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        let pool = open_migrated(path, &MIGRATOR).await.map_err(|e| match e {
            OpenError::Sqlx(e) => e.into(),
            OpenError::Migrate(e) => e.into(),
            OpenError::TooNew { found, known } => {
                ServiceError::SchemaTooNew { path: path.display().to_string(), found, known }
            }
        })?;
        Ok(Self { pool })
    }

    /// Records an admitted task as a `Seen` job, or returns the job already recorded for its
    /// statement (`false` then): a task seen twice (a restart, a reorg) is one job.
    pub async fn admit(&self, job: &NewJob) -> Result<(JobRecord, bool)> {
        let t = now();
        let created = sqlx::query(
            "INSERT INTO jobs (statement_id, model_id, task, input_data, bounty, collateral, deadline, posted_block,
                               state, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'seen', ?, ?) ON CONFLICT(statement_id) DO NOTHING",
        )
        .bind(job.statement_id.to_string())
        .bind(job.model_id.to_string())
        .bind(&job.task)
        .bind(&job.input_data)
        .bind(job.bounty.to_string())
        .bind(job.collateral.to_string())
        .bind(i64_of("deadline", job.deadline)?)
        .bind(i64_of("posted_block", job.posted_block)?)
        .bind(t)
        .bind(t)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1;
        let record =
            self.by_statement(job.statement_id).await?.ok_or_else(|| corrupt("jobs", "admitted job vanished"))?;
        Ok((record, created))
    }

    /// Moves job `id` from `from` to `to`, writing `change` and the transition log in one database
    /// transaction. Refuses a transition the life cycle does not have, and one whose `from` is no
    /// longer the job's state.
    pub async fn transition(&self, id: i64, from: JobState, to: JobState, change: Change) -> Result<JobRecord> {
        if !from.can_become(to) {
            return Err(ServiceError::IllegalTransition { job: id, from, to });
        }
        let t = now();
        let mut db = self.pool.begin().await?;
        let updated = sqlx::query(
            "UPDATE jobs SET state = ?, updated_at = ?,
                 reason = COALESCE(?, reason),
                 proof = COALESCE(?, proof),
                 prove_ms = COALESCE(?, prove_ms),
                 fulfil_tx = COALESCE(?, fulfil_tx),
                 gas_used = gas_used + ?,
                 attempts = attempts + ?,
                 task = COALESCE(?, task)
             WHERE id = ? AND state = ?",
        )
        .bind(to.as_str())
        .bind(t)
        .bind(&change.reason)
        .bind(&change.proof)
        .bind(change.prove_ms.map(|v| i64_of("prove_ms", v)).transpose()?)
        .bind(change.fulfil_tx.map(|h| h.to_string()))
        .bind(i64_of("gas", change.gas)?)
        .bind(i64::from(change.attempt))
        .bind(&change.task)
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *db)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(not_in_state(&mut db, id, from).await);
        }
        sqlx::query("INSERT INTO transitions (job_id, from_state, to_state, reason, at) VALUES (?, ?, ?, ?, ?)")
            .bind(id)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(&change.reason)
            .bind(t)
            .execute(&mut *db)
            .await?;
        db.commit().await?;
        tracing::info!(job = id, %from, %to, reason = change.reason.as_deref().unwrap_or(""), "job transition");
        self.job(id).await?.ok_or(ServiceError::UnknownJob(id))
    }

    /// Moves every job of `ids` from `proved` to `submitted` as members of batch `key`, in one
    /// database transaction (all or none): what is written before `fulfilBatch` is sent.
    pub async fn submit_batch(&self, ids: &[i64], key: &str) -> Result<Vec<JobRecord>> {
        let t = now();
        let reason = format!("sent in batch {key}");
        let mut db = self.pool.begin().await?;
        for &id in ids {
            let updated = sqlx::query(
                "UPDATE jobs SET state = 'submitted', batch = ?, updated_at = ? WHERE id = ? AND state = 'proved'",
            )
            .bind(key)
            .bind(t)
            .bind(id)
            .execute(&mut *db)
            .await?
            .rows_affected();
            if updated == 0 {
                return Err(not_in_state(&mut db, id, JobState::Proved).await);
            }
            sqlx::query(
                "INSERT INTO transitions (job_id, from_state, to_state, reason, at) VALUES (?, 'proved', 'submitted', ?, ?)",
            )
            .bind(id)
            .bind(&reason)
            .bind(t)
            .execute(&mut *db)
            .await?;
        }
        db.commit().await?;
        tracing::info!(batch = key, jobs = ?ids, "jobs submitted in a batch");
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            out.push(self.job(id).await?.ok_or(ServiceError::UnknownJob(id))?);
        }
        Ok(out)
    }

    /// Every job sent in batch `key`, whatever its state now, by statement id.
    pub async fn batch_members(&self, key: &str) -> Result<Vec<JobRecord>> {
        let rows = sqlx::query("SELECT * FROM jobs WHERE batch = ? ORDER BY statement_id")
            .bind(key)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(parse_job).collect()
    }

    /// Takes the jobs still `submitted` in batch `key` out of it (one statement: all or none),
    /// after the batch reverted: each is then fulfilled alone. Returns how many were.
    pub async fn leave_batch(&self, key: &str) -> Result<u64> {
        let n = sqlx::query("UPDATE jobs SET batch = NULL, updated_at = ? WHERE batch = ? AND state = 'submitted'")
            .bind(now())
            .bind(key)
            .execute(&self.pool)
            .await?
            .rows_affected();
        tracing::info!(batch = key, jobs = n, "batch left: its jobs are fulfilled one by one");
        Ok(n)
    }

    /// The job with database id `id`.
    pub async fn job(&self, id: i64) -> Result<Option<JobRecord>> {
        sqlx::query("SELECT * FROM jobs WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(parse_job)
            .transpose()
    }

    /// The job of a statement.
    pub async fn by_statement(&self, statement_id: B256) -> Result<Option<JobRecord>> {
        sqlx::query("SELECT * FROM jobs WHERE statement_id = ?")
            .bind(statement_id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(parse_job)
            .transpose()
    }

    /// Up to `limit` jobs with id above `after`, oldest first, in `state` if given.
    pub async fn list(&self, state: Option<JobState>, after: i64, limit: u32) -> Result<Vec<JobRecord>> {
        let rows = sqlx::query("SELECT * FROM jobs WHERE id > ? AND (? IS NULL OR state = ?) ORDER BY id LIMIT ?")
            .bind(after)
            .bind(state.map(JobState::as_str))
            .bind(state.map(JobState::as_str))
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(parse_job).collect()
    }

    /// Every job not in a terminal state, oldest first (what a restart resumes).
    pub async fn unfinished(&self) -> Result<Vec<JobRecord>> {
        let rows = sqlx::query("SELECT * FROM jobs WHERE state NOT IN ('claimed', 'expired', 'failed') ORDER BY id")
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(parse_job).collect()
    }

    /// The number of jobs in each state, every state present (zeros included).
    pub async fn counts(&self) -> Result<BTreeMap<JobState, u64>> {
        let mut counts: BTreeMap<JobState, u64> = ALL_STATES.into_iter().map(|s| (s, 0)).collect();
        for row in sqlx::query("SELECT state, COUNT(*) AS n FROM jobs GROUP BY state").fetch_all(&self.pool).await? {
            let name: String = row.try_get("state")?;
            let state = JobState::parse(&name).ok_or_else(|| corrupt("state", &name))?;
            counts.insert(state, u64_of(&row, "n")?);
        }
        Ok(counts)
    }

    /// The transitions of job `id`, oldest first: `(from, to, reason, at)`.
    pub async fn history(&self, id: i64) -> Result<Vec<(String, String, Option<String>, i64)>> {
        let rows = sqlx::query("SELECT from_state, to_state, reason, at FROM transitions WHERE job_id = ? ORDER BY id")
            .bind(id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("from_state")?, r.try_get("to_state")?, r.try_get("reason")?, r.try_get("at")?)))
            .collect()
    }

    /// Records that admission refused a task (the first reason is kept).
    pub async fn reject(&self, statement_id: B256, model_id: U256, reason: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO rejections (statement_id, model_id, reason, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(statement_id.to_string())
        .bind(model_id.to_string())
        .bind(reason)
        .bind(now())
        .execute(&self.pool)
        .await?;
        tracing::info!(%statement_id, %model_id, reason, "task refused");
        Ok(())
    }

    /// The latest `limit` refusals, newest first.
    pub async fn rejections(&self, limit: u32) -> Result<Vec<Rejection>> {
        let rows = sqlx::query("SELECT * FROM rejections ORDER BY at DESC, rowid DESC LIMIT ?")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Rejection {
                    statement_id: parse(r, "statement_id")?,
                    model_id: parse(r, "model_id")?,
                    reason: r.try_get("reason")?,
                    at: r.try_get("at")?,
                })
            })
            .collect()
    }

    /// The watcher's cursor: the newest block it processed, with its hash.
    pub async fn cursor(&self) -> Result<Option<(u64, B256)>> {
        let row = sqlx::query("SELECT number, hash FROM blocks ORDER BY number DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((u64_of(&r, "number")?, parse(&r, "hash")?))).transpose()
    }

    /// The hash recorded for block `number`, if it is among the recent blocks kept.
    pub async fn block_hash(&self, number: u64) -> Result<Option<B256>> {
        let row = sqlx::query("SELECT hash FROM blocks WHERE number = ?")
            .bind(i64_of("block", number)?)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| parse(&r, "hash")).transpose()
    }

    /// Advances the cursor to `number` (hash `hash`), keeping the last `keep` blocks for reorg
    /// detection.
    pub async fn advance_cursor(&self, number: u64, hash: B256, keep: u64) -> Result<()> {
        let mut db = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO blocks (number, hash) VALUES (?, ?) ON CONFLICT(number) DO UPDATE SET hash = excluded.hash",
        )
        .bind(i64_of("block", number)?)
        .bind(hash.to_string())
        .execute(&mut *db)
        .await?;
        sqlx::query("DELETE FROM blocks WHERE number < ? OR number > ?")
            .bind(i64_of("block", number.saturating_sub(keep))?)
            .bind(i64_of("block", number)?)
            .execute(&mut *db)
            .await?;
        db.commit().await?;
        Ok(())
    }

    /// Forgets the blocks above `number` (a reorg replaced them); the watcher re-reads from there.
    pub async fn rewind_cursor(&self, number: u64) -> Result<()> {
        sqlx::query("DELETE FROM blocks WHERE number > ?").bind(i64_of("block", number)?).execute(&self.pool).await?;
        tracing::warn!(number, "watcher cursor rewound (reorg)");
        Ok(())
    }
}
