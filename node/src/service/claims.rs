//! Claiming bounties and emissions. `claim()` pays out everything credited to the prover (the
//! bounties of fulfilled tasks, refunds, slash shares and its settled emission share). A claim is
//! a row written *before* it is sent — pending, listing the fulfilled jobs it pays — and sent
//! under the intent key `claim:<row id>`, so a crash mid-claim resumes the same intent. When it
//! confirms, the jobs it listed become `claimed`. A job fulfilled while a claim was in flight is
//! paid by the next claim; if the market owes nothing any more (someone claimed, e.g. with the
//! CLI), every confirmed fulfilment has been paid, and the fulfilled jobs become `claimed` too.

use alloy::primitives::{Address, B256, U256};
use mlproof_relayer::chain::Account;
use sqlx::Row;

use crate::{
    market,
    service::{
        error::{Result, ServiceError},
        state::JobState,
        store::{now, Change, JobStore},
    },
};

/// A claim as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRecord {
    /// Row id (the intent key is `claim:<id>`).
    pub id: i64,
    /// The fulfilled jobs it pays.
    pub jobs: Vec<i64>,
    /// `pending`, `done` or `failed`.
    pub state: String,
    /// What it paid (token base units).
    pub amount: Option<U256>,
    /// Its transaction.
    pub tx: Option<B256>,
}

fn corrupt(e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Corrupt { what: "claims".into(), detail: e.to_string() }
}

fn parse_claim(r: &sqlx::sqlite::SqliteRow) -> Result<ClaimRecord> {
    let jobs: String = r.try_get("jobs")?;
    let amount: Option<String> = r.try_get("amount")?;
    let tx: Option<String> = r.try_get("tx")?;
    Ok(ClaimRecord {
        id: r.try_get("id")?,
        jobs: serde_json::from_str(&jobs).map_err(corrupt)?,
        state: r.try_get("state")?,
        amount: amount.map(|a| a.parse().map_err(corrupt)).transpose()?,
        tx: tx.map(|t| t.parse().map_err(corrupt)).transpose()?,
    })
}

impl JobStore {
    /// The claim left pending by a crash, if any.
    pub async fn pending_claim(&self) -> Result<Option<ClaimRecord>> {
        let row = sqlx::query("SELECT * FROM claims WHERE state = 'pending' ORDER BY id LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(parse_claim).transpose()
    }

    /// Records a claim about to be sent, paying `jobs`.
    pub async fn begin_claim(&self, jobs: &[i64]) -> Result<ClaimRecord> {
        let t = now();
        let id: i64 = sqlx::query(
            "INSERT INTO claims (jobs, state, created_at, updated_at) VALUES (?, 'pending', ?, ?) RETURNING id",
        )
        .bind(serde_json::to_string(jobs).map_err(corrupt)?)
        .bind(t)
        .bind(t)
        .fetch_one(&self.pool)
        .await?
        .try_get("id")?;
        Ok(ClaimRecord { id, jobs: jobs.to_vec(), state: "pending".into(), amount: None, tx: None })
    }

    /// Ends claim `id`: `done` with what it paid, or `failed` with the reason.
    pub async fn end_claim(&self, id: i64, paid: Option<(U256, B256)>, reason: Option<&str>) -> Result<()> {
        let state = if paid.is_some() || reason.is_none() { "done" } else { "failed" };
        sqlx::query("UPDATE claims SET state = ?, amount = ?, tx = ?, reason = ?, updated_at = ? WHERE id = ?")
            .bind(state)
            .bind(paid.map(|(a, _)| a.to_string()))
            .bind(paid.map(|(_, t)| t.to_string()))
            .bind(reason)
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every claim, newest first.
    pub async fn claims(&self, limit: u32) -> Result<Vec<ClaimRecord>> {
        let rows = sqlx::query("SELECT * FROM claims ORDER BY id DESC LIMIT ?")
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(parse_claim).collect()
    }

    /// Marks `jobs` (those still `fulfilled`) as `claimed`.
    async fn mark_claimed(&self, jobs: &[i64], reason: &str) -> Result<usize> {
        let mut n = 0;
        for id in jobs {
            let change = Change { reason: Some(reason.to_owned()), ..Change::default() };
            match self.transition(*id, JobState::Fulfilled, JobState::Claimed, change).await {
                Ok(_) => n += 1,
                Err(ServiceError::StaleState { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }
}

/// What one claim round did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// Nothing was owed and no fulfilled job was waiting.
    Nothing,
    /// A claim confirmed.
    Paid {
        /// What it paid.
        amount: U256,
        /// Jobs marked claimed.
        jobs: usize,
        /// Its transaction.
        tx: B256,
    },
    /// Nothing was owed any more: the fulfilled jobs were paid by an earlier claim.
    AlreadyPaid {
        /// Jobs marked claimed.
        jobs: usize,
    },
}

/// Runs one claim round for `account` (resuming a pending claim first). An RPC failure leaves
/// the claim pending for the next round; a revert other than "nothing to claim" fails it.
pub async fn claim_round(account: &Account, market_addr: Address, store: &JobStore) -> Result<ClaimOutcome> {
    let claim = match store.pending_claim().await? {
        Some(c) => c,
        None => {
            let owed = market::claimable(&account.provider, market_addr, account.address).await?;
            let fulfilled: Vec<i64> =
                store.list(Some(JobState::Fulfilled), 0, u32::MAX).await?.iter().map(|j| j.id).collect();
            if owed.is_zero() {
                if fulfilled.is_empty() {
                    return Ok(ClaimOutcome::Nothing);
                }
                let jobs = store.mark_claimed(&fulfilled, "paid by an earlier claim (nothing owed)").await?;
                return Ok(ClaimOutcome::AlreadyPaid { jobs });
            }
            store.begin_claim(&fulfilled).await?
        }
    };
    let keyed = account.clone().with_key_prefix(&format!("claim:{}", claim.id));
    match market::claim(&keyed, market_addr).await {
        Ok((amount, sent)) => {
            store.end_claim(claim.id, Some((amount, sent.tx_hash)), None).await?;
            let jobs = store.mark_claimed(&claim.jobs, &format!("claim {} paid {amount}", sent.tx_hash)).await?;
            tracing::info!(claim = claim.id, %amount, jobs, tx = %sent.tx_hash, "claimed");
            Ok(ClaimOutcome::Paid { amount, jobs, tx: sent.tx_hash })
        }
        Err(e) => match e.revert_reason() {
            Some(reason) if reason.contains("RewardsNothingToClaim") => {
                store.end_claim(claim.id, None, None).await?;
                let jobs = store.mark_claimed(&claim.jobs, "paid by an earlier claim (nothing owed)").await?;
                Ok(ClaimOutcome::AlreadyPaid { jobs })
            }
            Some(reason) => {
                store.end_claim(claim.id, None, Some(reason)).await?;
                Err(ServiceError::Node(e))
            }
            None => Err(ServiceError::Node(e)),
        },
    }
}
