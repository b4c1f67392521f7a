//! The node's job store: migrations, the newer-schema refusal, compare-and-set transitions, and a
//! restart (the store reopened) from every persisted state.

use alloy::primitives::{B256, U256};
use mlproof_node::service::{
    state::{JobState, ALL_STATES},
    store::{Change, JobStore, NewJob},
    ServiceError,
};

fn new_job(i: u8) -> NewJob {
    NewJob {
        statement_id: B256::repeat_byte(i),
        model_id: U256::from(1),
        task: vec![i; 64],
        input_data: Vec::new(),
        bounty: U256::from(5_000),
        collateral: U256::from(50_000),
        deadline: 1_000 + u64::from(i),
        posted_block: u64::from(i),
    }
}

/// The path a job takes to reach `target` (the happy path, then the terminal side exits).
fn path_to(target: JobState) -> Vec<JobState> {
    use JobState::*;
    let happy = [Seen, Locked, Proving, Proved, Submitted, Fulfilled, Claimed];
    match target {
        Expired => vec![Seen, Locked, Expired],
        Failed => vec![Seen, Failed],
        t => happy[..=happy.iter().position(|s| *s == t).unwrap()].to_vec(),
    }
}

#[tokio::test]
async fn every_state_survives_a_restart_and_is_resumed_unless_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    let store = JobStore::open(&db).await.unwrap();
    for (i, target) in ALL_STATES.into_iter().enumerate() {
        let (rec, created) = store.admit(&new_job(i as u8 + 1)).await.unwrap();
        assert!(created);
        for w in path_to(target).windows(2) {
            let change = match w[1] {
                JobState::Proved => {
                    Change { proof: Some(b"{\"proof\":1}".to_vec()), prove_ms: Some(300), ..Change::default() }
                }
                JobState::Fulfilled => {
                    Change { fulfil_tx: Some(B256::repeat_byte(0xf1)), gas: 259_317, ..Change::default() }
                }
                JobState::Failed | JobState::Expired => {
                    Change { reason: Some(format!("to {}", w[1])), ..Change::default() }
                }
                _ => Change::default(),
            };
            store.transition(rec.id, w[0], w[1], change).await.unwrap();
        }
    }
    drop(store);
    // Restart: the same file, every job where it was, the unfinished ones resumed.
    let store = JobStore::open(&db).await.unwrap();
    let counts = store.counts().await.unwrap();
    assert!(ALL_STATES.iter().all(|s| counts[s] == 1), "{counts:?}");
    let unfinished: Vec<JobState> = store.unfinished().await.unwrap().iter().map(|r| r.state).collect();
    let expected: Vec<JobState> = ALL_STATES.into_iter().filter(|s| !s.is_terminal()).collect();
    assert_eq!(unfinished, expected);
    let fulfilled = store.list(Some(JobState::Fulfilled), 0, 10).await.unwrap().remove(0);
    assert_eq!(fulfilled.proof.as_deref(), Some(&b"{\"proof\":1}"[..]));
    assert_eq!((fulfilled.prove_ms, fulfilled.gas_used), (Some(300), 259_317));
    assert_eq!(fulfilled.fulfil_tx, Some(B256::repeat_byte(0xf1)));
    let history = store.history(fulfilled.id).await.unwrap();
    assert_eq!(history.len(), 5, "{history:?}");
    let failed = store.list(Some(JobState::Failed), 0, 10).await.unwrap().remove(0);
    assert_eq!(failed.reason.as_deref(), Some("to failed"));
}

#[tokio::test]
async fn a_task_is_one_job_and_transitions_are_compare_and_set() {
    let dir = tempfile::tempdir().unwrap();
    let store = JobStore::open(&dir.path().join("jobs.sqlite")).await.unwrap();
    let (a, created) = store.admit(&new_job(7)).await.unwrap();
    let (b, again) = store.admit(&new_job(7)).await.unwrap();
    assert!(created && !again);
    assert_eq!(a.id, b.id);

    // Not in the life cycle: refused, nothing written.
    let err = store.transition(a.id, JobState::Seen, JobState::Proving, Change::default()).await.unwrap_err();
    assert!(matches!(err, ServiceError::IllegalTransition { .. }), "{err}");
    // Two workers read `Locked`; only the first moves it.
    store.transition(a.id, JobState::Seen, JobState::Locked, Change::default()).await.unwrap();
    store
        .transition(a.id, JobState::Locked, JobState::Proving, Change { attempt: true, ..Change::default() })
        .await
        .unwrap();
    let err = store.transition(a.id, JobState::Locked, JobState::Proving, Change::default()).await.unwrap_err();
    assert!(matches!(err, ServiceError::StaleState { ref found, .. } if found == "proving"), "{err}");
    // A failed proof goes back to Locked with its reason, and is retried.
    let r = store
        .transition(
            a.id,
            JobState::Proving,
            JobState::Locked,
            Change { reason: Some("prover panicked".into()), ..Change::default() },
        )
        .await
        .unwrap();
    assert_eq!((r.state, r.attempts, r.reason.as_deref()), (JobState::Locked, 1, Some("prover panicked")));
    let err = store.transition(999, JobState::Seen, JobState::Locked, Change::default()).await.unwrap_err();
    assert!(matches!(err, ServiceError::UnknownJob(999)), "{err}");
}

#[tokio::test]
async fn rejections_and_the_block_cursor_persist() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    let store = JobStore::open(&db).await.unwrap();
    store.reject(B256::repeat_byte(1), U256::from(3), "bounty below 2702 constraints x min price").await.unwrap();
    store.reject(B256::repeat_byte(1), U256::from(3), "a second reason is not recorded").await.unwrap();
    assert_eq!(store.cursor().await.unwrap(), None);
    for n in 1..=20u64 {
        store.advance_cursor(n, B256::with_last_byte(n as u8), 8).await.unwrap();
    }
    drop(store);
    let store = JobStore::open(&db).await.unwrap();
    let rejections = store.rejections(10).await.unwrap();
    assert_eq!(rejections.len(), 1);
    assert!(rejections[0].reason.starts_with("bounty below"));
    assert_eq!(store.cursor().await.unwrap(), Some((20, B256::with_last_byte(20))));
    assert_eq!(store.block_hash(12).await.unwrap(), Some(B256::with_last_byte(12)));
    assert_eq!(store.block_hash(11).await.unwrap(), None, "only the last 8 blocks are kept");
    // A reorg below 16: the watcher rewinds and re-reads.
    store.rewind_cursor(15).await.unwrap();
    assert_eq!(store.cursor().await.unwrap(), Some((15, B256::with_last_byte(15))));
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jobs.sqlite");
    drop(JobStore::open(&path).await.unwrap());
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (99991231000000, 'from the future', 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = JobStore::open(&path).await.unwrap_err();
    assert!(matches!(err, ServiceError::SchemaTooNew { found: 99991231000000, .. }), "{err}");
    assert!(err.to_string().contains("newer than this binary knows"), "{err}");
}
