//! SQLite persistence of intents, nonces and signed transactions (sqlx, WAL, migrations under
//! `relayer/migrations/`). Everything the manager will broadcast is written here first.

use std::{path::Path, str::FromStr};

use alloy::primitives::{Address, Bytes, TxKind, B256, U256};
use sqlx::{sqlite::SqliteRow, Row, SqlitePool};

use crate::sqlite::{open_migrated, OpenError};
use crate::txm::{
    fees::Fees,
    types::{GasLimit, Intent, IntentKey, IntentRecord, IntentState, Outcome, SignedTx},
    Result, TxmError,
};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The transaction manager's database.
#[derive(Clone, Debug)]
pub struct Store {
    pool: SqlitePool,
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> TxmError {
    TxmError::Inconsistent(format!("transaction store: bad {what}: {e}"))
}

fn u64_col(row: &SqliteRow, col: &str) -> Result<Option<u64>> {
    let v: Option<i64> = row.try_get(col)?;
    v.map(|v| u64::try_from(v).map_err(|e| corrupt(col, e))).transpose()
}

fn i64_of(v: u64) -> Result<i64> {
    i64::try_from(v).map_err(|e| corrupt("integer", e))
}

impl Store {
    /// Opens (creating if needed) the database at `path`, refuses one whose schema is newer than
    /// this binary knows, and applies the pending migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        let pool = open_migrated(path, &MIGRATOR).await.map_err(|e| match e {
            OpenError::Sqlx(e) => e.into(),
            OpenError::Migrate(e) => e.into(),
            OpenError::TooNew { found, known } => {
                TxmError::SchemaTooNew { path: path.display().to_string(), found, known }
            }
        })?;
        Ok(Self { pool })
    }

    /// Records `intent` for `account`, or returns the intent already recorded under its key
    /// (`false` then). A key reused for different content is a [`TxmError::KeyConflict`].
    pub async fn insert_intent(&self, account: Address, intent: &Intent) -> Result<(IntentRecord, bool)> {
        let gas = match intent.gas_limit {
            GasLimit::Fixed(g) => Some(i64_of(g)?),
            GasLimit::Estimate => None,
        };
        let t = now();
        let inserted = sqlx::query(
            "INSERT INTO intents (key, account, target, creates, data, value, gas_limit, state, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT(key) DO NOTHING",
        )
        .bind(intent.key.as_str())
        .bind(account.to_string())
        .bind(intent.to.to().copied().unwrap_or_default().to_string())
        .bind(intent.to.is_create())
        .bind(intent.data.to_vec())
        .bind(intent.value.to_string())
        .bind(gas)
        .bind(t)
        .bind(t)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1;
        let record = self.intent(&intent.key).await?.ok_or_else(|| TxmError::UnknownIntent(intent.key.to_string()))?;
        if record.intent != *intent || record.account != account {
            return Err(TxmError::KeyConflict {
                key: intent.key.to_string(),
                existing: format!("{:?}", record.intent),
            });
        }
        Ok((record, inserted))
    }

    /// The intent recorded under `key`.
    pub async fn intent(&self, key: &IntentKey) -> Result<Option<IntentRecord>> {
        let row =
            sqlx::query("SELECT * FROM intents WHERE key = ?").bind(key.as_str()).fetch_optional(&self.pool).await?;
        row.as_ref().map(parse_intent).transpose()
    }

    /// `account`'s unfinished intents, those holding a nonce first (by nonce), then by age.
    pub async fn unfinished(&self, account: Address) -> Result<Vec<IntentRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM intents WHERE account = ? AND state IN ('pending', 'submitted', 'mined')
             ORDER BY nonce IS NULL, nonce, id",
        )
        .bind(account.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(parse_intent).collect()
    }

    /// `account`'s confirmed intents holding a nonce at or above `nonce`, by nonce: after a reorg
    /// deeper than the confirmation depth these are the ones the chain no longer has.
    pub async fn confirmed_from(&self, account: Address, nonce: u64) -> Result<Vec<IntentRecord>> {
        let rows = sqlx::query(
            "SELECT * FROM intents WHERE account = ? AND state = 'confirmed' AND nonce >= ? ORDER BY nonce",
        )
        .bind(account.to_string())
        .bind(i64_of(nonce)?)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(parse_intent).collect()
    }

    /// Every intent of `account` (gap fillers included), by nonce, then by age.
    pub async fn all(&self, account: Address) -> Result<Vec<IntentRecord>> {
        let rows = sqlx::query("SELECT * FROM intents WHERE account = ? ORDER BY nonce IS NULL, nonce, id")
            .bind(account.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(parse_intent).collect()
    }

    /// The next nonce this store would assign for `account`, if it ever assigned one.
    pub async fn next_nonce(&self, account: Address) -> Result<Option<u64>> {
        let row = sqlx::query("SELECT next_nonce FROM nonces WHERE account = ?")
            .bind(account.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| u64_col(&r, "next_nonce").map(Option::unwrap_or_default)).transpose()
    }

    /// Raises `account`'s next nonce to at least `next`.
    pub async fn raise_next_nonce(&self, account: Address, next: u64) -> Result<()> {
        sqlx::query(
            "INSERT INTO nonces (account, next_nonce) VALUES (?, ?)
             ON CONFLICT(account) DO UPDATE SET next_nonce = MAX(next_nonce, excluded.next_nonce)",
        )
        .bind(account.to_string())
        .bind(i64_of(next)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// In one database transaction: gives the intent its nonce (if it has none yet), raises the
    /// account's next nonce past it, records the signed transaction and marks the intent submitted.
    pub async fn record_first_tx(&self, account: Address, tx: &SignedTx) -> Result<()> {
        let mut db = self.pool.begin().await?;
        sqlx::query("UPDATE intents SET nonce = ?, state = 'submitted', updated_at = ? WHERE id = ?")
            .bind(i64_of(tx.nonce)?)
            .bind(now())
            .bind(tx.intent_id)
            .execute(&mut *db)
            .await?;
        sqlx::query(
            "INSERT INTO nonces (account, next_nonce) VALUES (?, ?)
             ON CONFLICT(account) DO UPDATE SET next_nonce = MAX(next_nonce, excluded.next_nonce)",
        )
        .bind(account.to_string())
        .bind(i64_of(tx.nonce + 1)?)
        .execute(&mut *db)
        .await?;
        insert_tx(&mut db, tx).await?;
        db.commit().await?;
        Ok(())
    }

    /// Records a further signed transaction (a replacement) of an intent.
    pub async fn record_tx(&self, tx: &SignedTx) -> Result<()> {
        let mut db = self.pool.begin().await?;
        insert_tx(&mut db, tx).await?;
        db.commit().await?;
        Ok(())
    }

    /// Notes that `hash` was broadcast again at `block`.
    pub async fn touch_tx(&self, hash: B256, block: u64) -> Result<()> {
        sqlx::query("UPDATE txs SET sent_block = ? WHERE hash = ?")
            .bind(i64_of(block)?)
            .bind(hash.to_string())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The intent's signed transactions, oldest first.
    pub async fn txs(&self, intent_id: i64) -> Result<Vec<SignedTx>> {
        let rows = sqlx::query("SELECT * FROM txs WHERE intent_id = ? ORDER BY id")
            .bind(intent_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(parse_tx).collect()
    }

    /// Moves an intent to `state`, with the receipt's block while mined and its outcome once terminal.
    pub async fn set_state(
        &self,
        id: i64,
        state: IntentState,
        mined: Option<(u64, B256)>,
        outcome: Option<&Outcome>,
    ) -> Result<()> {
        let (outcome_tx, reason) = match outcome {
            Some(Outcome::Confirmed { tx_hash, .. }) => (Some(tx_hash.to_string()), None),
            Some(Outcome::Reverted { tx_hash, reason }) => (tx_hash.map(|h| h.to_string()), Some(reason.clone())),
            Some(Outcome::Failed { reason }) => (None, Some(reason.clone())),
            None => (None, None),
        };
        sqlx::query(
            "UPDATE intents SET state = ?, mined_block = ?, mined_block_hash = ?, outcome_tx = ?,
             outcome_reason = ?, updated_at = ? WHERE id = ?",
        )
        .bind(state.as_str())
        .bind(mined.map(|(n, _)| i64_of(n)).transpose()?)
        .bind(mined.map(|(_, h)| h.to_string()))
        .bind(outcome_tx)
        .bind(reason)
        .bind(now())
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Gives up the intent's nonce (the chain consumed it with another transaction) and sends it
    /// back to `Pending`, to be assigned a fresh one.
    pub async fn release_nonce(&self, id: i64) -> Result<()> {
        sqlx::query("UPDATE intents SET nonce = NULL, state = 'pending', updated_at = ? WHERE id = ?")
            .bind(now())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Ends an intent as failed and hands its nonce to a gap filler: a zero-value transfer from the
    /// account to itself, recorded as its own intent holding that nonce.
    pub async fn fail_and_fill_gap(&self, record: &IntentRecord, reason: &str) -> Result<()> {
        let mut db = self.pool.begin().await?;
        let t = now();
        sqlx::query(
            "UPDATE intents SET state = 'failed', nonce = NULL, outcome_reason = ?, updated_at = ? WHERE id = ?",
        )
        .bind(reason)
        .bind(t)
        .bind(record.id)
        .execute(&mut *db)
        .await?;
        if let Some(nonce) = record.nonce {
            sqlx::query(
                "INSERT INTO intents (key, account, target, data, value, gas_limit, state, nonce, created_at, updated_at)
                 VALUES (?, ?, ?, x'', '0', 21000, 'pending', ?, ?, ?)",
            )
            .bind(gap_filler_key(record.account, nonce).as_str())
            .bind(record.account.to_string())
            .bind(record.account.to_string())
            .bind(i64_of(nonce)?)
            .bind(t)
            .bind(t)
            .execute(&mut *db)
            .await?;
        }
        db.commit().await?;
        Ok(())
    }
}

/// Keys of gap fillers start with this; callers may not use it.
pub const GAP_FILLER_PREFIX: &str = "gap-fill:";

/// The key of the gap filler for `account`'s `nonce`.
#[must_use]
pub fn gap_filler_key(account: Address, nonce: u64) -> IntentKey {
    IntentKey(format!("{GAP_FILLER_PREFIX}{account}:{nonce}"))
}

async fn insert_tx(db: &mut sqlx::SqliteConnection, tx: &SignedTx) -> Result<()> {
    sqlx::query(
        "INSERT INTO txs (hash, intent_id, nonce, gas_limit, max_fee, max_priority_fee, raw, sent_block, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(hash) DO NOTHING",
    )
    .bind(tx.hash.to_string())
    .bind(tx.intent_id)
    .bind(i64_of(tx.nonce)?)
    .bind(i64_of(tx.gas_limit)?)
    .bind(tx.fees.max_fee.to_string())
    .bind(tx.fees.max_priority_fee.to_string())
    .bind(tx.raw.to_vec())
    .bind(i64_of(tx.sent_block)?)
    .bind(now())
    .execute(db)
    .await?;
    Ok(())
}

fn parse<T: FromStr>(row: &SqliteRow, col: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let s: String = row.try_get(col)?;
    s.parse().map_err(|e| corrupt(col, e))
}

fn parse_opt<T: FromStr>(row: &SqliteRow, col: &str) -> Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| s.parse().map_err(|e| corrupt(col, e))).transpose()
}

fn parse_intent(row: &SqliteRow) -> Result<IntentRecord> {
    let state_name: String = row.try_get("state")?;
    let state = IntentState::parse(&state_name).ok_or_else(|| corrupt("state", &state_name))?;
    let data: Vec<u8> = row.try_get("data")?;
    let intent = Intent {
        key: IntentKey(row.try_get("key")?),
        to: if row.try_get::<bool, _>("creates")? {
            TxKind::Create
        } else {
            TxKind::Call(parse::<Address>(row, "target")?)
        },
        data: Bytes::from(data),
        value: parse::<U256>(row, "value")?,
        gas_limit: u64_col(row, "gas_limit")?.map_or(GasLimit::Estimate, GasLimit::Fixed),
    };
    let mined = match (u64_col(row, "mined_block")?, parse_opt::<B256>(row, "mined_block_hash")?) {
        (Some(n), Some(h)) => Some((n, h)),
        _ => None,
    };
    let outcome_tx = parse_opt::<B256>(row, "outcome_tx")?;
    let reason: Option<String> = row.try_get("outcome_reason")?;
    let outcome = match state {
        IntentState::Confirmed => Some(Outcome::Confirmed {
            tx_hash: outcome_tx.unwrap_or_default(),
            block_number: mined.map_or(0, |(n, _)| n),
        }),
        IntentState::Reverted => Some(Outcome::Reverted { tx_hash: outcome_tx, reason: reason.unwrap_or_default() }),
        IntentState::Failed => Some(Outcome::Failed { reason: reason.unwrap_or_default() }),
        _ => None,
    };
    Ok(IntentRecord {
        id: row.try_get("id")?,
        account: parse::<Address>(row, "account")?,
        intent,
        state,
        nonce: u64_col(row, "nonce")?,
        mined,
        outcome,
    })
}

fn parse_tx(row: &SqliteRow) -> Result<SignedTx> {
    let raw: Vec<u8> = row.try_get("raw")?;
    Ok(SignedTx {
        hash: parse::<B256>(row, "hash")?,
        intent_id: row.try_get("intent_id")?,
        nonce: u64_col(row, "nonce")?.unwrap_or_default(),
        gas_limit: u64_col(row, "gas_limit")?.unwrap_or_default(),
        fees: Fees { max_fee: parse(row, "max_fee")?, max_priority_fee: parse(row, "max_priority_fee")? },
        raw: Bytes::from(raw),
        sent_block: u64_col(row, "sent_block")?.unwrap_or_default(),
    })
}
