//! Opening a migrated SQLite database, shared by every store of mlproof (the transaction
//! manager's here, the prover node's job store): WAL, `synchronous=FULL`, foreign keys, a busy
//! timeout, and a refusal of a database whose schema is newer than the binary's migrations.

use std::{path::Path, time::Duration};

use sqlx::{
    migrate::{MigrateError, Migrator},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    SqlitePool,
};

/// Why a database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// SQLite failed.
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    /// The newest migration recorded (`found`) is newer than this binary knows (`known`).
    #[error("schema version {found} is newer than this binary knows ({known})")]
    TooNew {
        /// The newest migration recorded in the database.
        found: i64,
        /// The newest migration of `migrator`.
        known: i64,
    },
}

/// Opens (creating if needed) the database at `path`, refuses one whose schema is newer than
/// `migrator` knows, and applies its pending migrations.
pub async fn open_migrated(path: &Path, migrator: &Migrator) -> Result<SqlitePool, OpenError> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let pool = SqlitePoolOptions::new().max_connections(4).connect_with(opts).await?;
    let known = migrator.iter().map(|m| m.version).max().unwrap_or(0);
    let has_table: Option<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'")
            .fetch_optional(&pool)
            .await?;
    if has_table.is_some() {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations").fetch_one(&pool).await?;
        if let Some(found) = found.filter(|f| *f > known) {
            return Err(OpenError::TooNew { found, known });
        }
    }
    migrator.run(&pool).await?;
    Ok(pool)
}
