//! The job runner against a real anvil: the whole life cycle, a restart between every two steps,
//! a crash between a side effect and the transition that records it (lock and fulfil: no second
//! transaction), a crash mid-proof, a failed proof retried, an expiry, a cancel requested before the
//! lock (given up, nothing sent), a revert, and a published
//! input that does not open its commitment (failed before any collateral is locked).

mod common;

use common::{new_job, open_prover};
use std::{collections::HashMap, path::PathBuf, sync::Arc};

use alloy::{primitives::U256, signers::local::PrivateKeySigner, sol_types::SolValue};
use mlproof_circuits::native::slice::{random_mlp, sample_input, slice_model};
use mlproof_node::{
    job::{chain_time, mint_and_stake, post_committed, prepare, JobConfig},
    market,
    service::{
        metrics::Metrics,
        runner::{stored_proof, Runner, Served},
        state::JobState,
        store::{Change, JobStore},
    },
};
use mlproof_relayer::chain::{spawn_anvil, Account};

#[tokio::test(flavor = "multi_thread")]
async fn jobs_go_from_seen_to_fulfilled_across_restarts_and_crashes() {
    let model = slice_model().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let cfg = JobConfig::new(root, model.clone(), sample_input(4, model.input_len), 1);
    let anvil = spawn_anvil(&cfg.root).unwrap();
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), signer(0)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (jobs_db, txm_db) = (dir.path().join("jobs.sqlite"), dir.path().join("txm.sqlite"));
    let prover = open_prover(&anvil.endpoint(), signer(1), &txm_db).await;
    let p = prepare(&cfg, &admin, &mut |_| {}).await.unwrap();
    mint_and_stake(&cfg, &p, &admin, &prover, &mut |_| {}).await.unwrap();
    market::mint(&admin, p.dep.token, admin.address, cfg.bounty * U256::from(10)).await.unwrap();
    let (market_addr, model_id) = (p.dep.market, p.model_id);
    let keys = Arc::new(p.keys.clone());
    let served =
        |m| HashMap::from([(model_id, Served { model: Arc::new(m), keys: Arc::clone(&keys), weights_salt: None })]);
    // A fresh runner on the same two databases: what a restarted node has.
    let runner = |account: Account| async {
        let store = JobStore::open(&jobs_db).await.unwrap();
        (Runner::new(account, market_addr, store.clone(), served(model.clone()), Arc::new(Metrics::new()), 1), store)
    };
    let now = || async { chain_time(&admin).await.unwrap() };

    // A: every step by a new runner (a restart between each two).
    let a = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let (_, store) = runner(prover.clone()).await;
    let (mut job, _) = store.admit(&new_job(&a, market::published_input(&cfg.input, &a.salt).to_vec())).await.unwrap();
    drop(store);
    for expected in [JobState::Locked, JobState::Proved, JobState::Fulfilled] {
        let account = open_prover(&anvil.endpoint(), signer(1), &txm_db).await;
        let (r, store) = runner(account).await;
        job = r.step(&store.job(job.id).await.unwrap().unwrap(), now().await).await.unwrap();
        assert_eq!(job.state, expected, "{job:?}");
    }
    assert!(job.fulfil_tx.is_some() && job.gas_used > 0 && job.prove_ms.is_some());
    let out = market::verified_output(&admin.provider, market_addr, model_id, &a.task.input).await.unwrap();
    assert!(out.is_some(), "the output is verified on chain");

    // B: crashes between the lock / the fulfilment and the transition recording it.
    let b = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let (r, store) = runner(prover.clone()).await;
    let (job, _) = store.admit(&new_job(&b, market::published_input(&cfg.input, &b.salt).to_vec())).await.unwrap();
    let same_key = prover.clone().with_key_prefix(&format!("lock:{}", b.id));
    market::lock_task(&same_key, market_addr, &b.task).await.unwrap();
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Locked, "the lock intent was found, not sent again: {job:?}");
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Proved);
    let locked = mlproof_relayer::bindings::ITaskMarket::Task::abi_decode(&job.job.task).unwrap();
    assert_eq!(locked.prover, prover.address, "the stored task is the locked one");
    let proof = stored_proof(&job).unwrap();
    assert_eq!(proof.prover, prover.address);
    let job = store.transition(job.id, JobState::Proved, JobState::Submitted, Change::default()).await.unwrap();
    // The fulfilment is sent under the job's key, then the node "dies" before recording it.
    let same_key = prover.clone().with_key_prefix(&format!("fulfil:{}", b.id));
    market::fulfil(&same_key, market_addr, &locked, &proof).await.unwrap();
    let sent = prover.txm().counters().sent;
    let job = runner(prover.clone()).await.0.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Fulfilled, "{job:?}");
    assert_eq!(prover.txm().counters().sent, sent, "no second fulfilment was sent");

    // C: a crash mid-proof, then a failed proof (a runner with the wrong model), each retried.
    let c = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let (r, store) = runner(prover.clone()).await;
    let (job, _) = store.admit(&new_job(&c, market::published_input(&cfg.input, &c.salt).to_vec())).await.unwrap();
    let job = r.step(&job, now().await).await.unwrap();
    store.transition(job.id, JobState::Locked, JobState::Proving, Change::default()).await.unwrap();
    let (r, store) = runner(prover.clone()).await;
    assert_eq!(r.resume().await.unwrap(), 1);
    let job = store.job(job.id).await.unwrap().unwrap();
    assert_eq!(job.state, JobState::Locked);
    let wrong = random_mlp("wrong", 9, model.input_len + 3, &[4, 3]).unwrap();
    let bad = Runner::new(prover.clone(), market_addr, store.clone(), served(wrong), Arc::new(Metrics::new()), 1);
    let job = bad.step(&job, now().await).await.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Locked, 1), "{job:?}");
    assert!(job.reason.as_deref().unwrap_or_default().starts_with("proof failed"), "{job:?}");
    let job = r.step(&r.step(&job, now().await).await.unwrap(), now().await).await.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Fulfilled, 2));

    // D: expiry; E: a revert (cancelled by its requester before the lock); F: a published input
    // that does not open the commitment — failed before anything is locked.
    let d = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let (job, _) = store.admit(&new_job(&d, market::published_input(&cfg.input, &d.salt).to_vec())).await.unwrap();
    let job = r.step(&job, u64::from(d.task.deadline)).await.unwrap();
    assert_eq!(job.state, JobState::Expired);
    let e = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    market::request_cancel(&admin, market_addr, &e.task).await.unwrap();
    let (job, _) = store.admit(&new_job(&e, market::published_input(&cfg.input, &e.salt).to_vec())).await.unwrap();
    let sent = prover.txm().counters().sent;
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert!(job.reason.as_deref().unwrap_or_default().contains("asked to cancel"), "{job:?}");
    assert_eq!(prover.txm().counters().sent, sent, "a cancelling task is not even tried");
    // A lock that reverts anyway (the market refuses a cancelling task) fails the job, decoded.
    let e2 = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let (job, _) = store.admit(&new_job(&e2, market::published_input(&cfg.input, &e2.salt).to_vec())).await.unwrap();
    let copier = prover.clone().with_key_prefix(&format!("lock:{}", e2.id));
    market::request_cancel(&admin, market_addr, &e2.task).await.unwrap();
    let _ = market::lock_task(&copier, market_addr, &e2.task).await.unwrap_err();
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert!(job.reason.as_deref().unwrap_or_default().contains("TaskMarketCancelling"), "{job:?}");
    let f = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let mut other = cfg.input.clone();
    other[0] = other[0].wrapping_add(1);
    let (job, _) = store.admit(&new_job(&f, market::published_input(&other, &f.salt).to_vec())).await.unwrap();
    let sent = prover.txm().counters().sent;
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert!(job.reason.as_deref().unwrap_or_default().contains("do not open"), "{job:?}");
    assert_eq!(prover.txm().counters().sent, sent, "nothing was sent for it");
}
