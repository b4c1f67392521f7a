//! The runner on the issue-14 market against a real anvil: a reverse-Dutch task is locked only once
//! its price reaches the node's least price, and fulfilled with the task the TaskLocked event stores
//! (price and fee fixed at the lock, the rest refunded); a ramp that never gets there is given up at
//! deadline − margin; a cancel requested while the node waits is abandoned with nothing locked or
//! lost, while a proof sent during the notice is still paid and one sent after it is refused.

use std::{collections::HashMap, path::PathBuf, sync::Arc};

use alloy::{primitives::U256, providers::ext::AnvilApi, signers::local::PrivateKeySigner, sol_types::SolValue};
use mlproof_circuits::native::slice::{sample_input, slice_model};
use mlproof_node::{
    deploy::tokens,
    job::{chain_time, mint_and_stake, prepare, prove_committed, JobConfig},
    market::{self, NewTask, Ramp},
    service::{
        metrics::Metrics,
        runner::{Runner, Served},
        state::JobState,
        store::{JobStore, NewJob},
    },
    NodeError,
};
use mlproof_relayer::{
    bindings::ITaskMarket::Task,
    chain::{spawn_anvil, Account},
};

fn reverted_with(r: Result<impl std::fmt::Debug, NodeError>, name: &str) {
    match r.as_ref().map_err(NodeError::revert_reason) {
        Err(Some(reason)) => assert!(reason.starts_with(name), "expected {name}, got {reason}"),
        _ => panic!("expected revert {name}, got {r:?}"),
    }
}

struct Posted {
    id: alloy::primitives::B256,
    task: Task,
    salt: mlproof_circuits::Salt,
    data: Vec<u8>,
}

/// Posts a committed-input task whose price rises from 1 to 5 tokens over 1,000 s.
async fn post_ramped(cfg: &JobConfig, p: &mlproof_node::job::Prepared, admin: &Account, duration: u64) -> Posted {
    let salt = market::random_salt();
    let input = market::task_input(&cfg.input, market::InputLayout::Committed { salt, publish: true });
    let new = NewTask {
        model_id: p.model_id,
        input: input.words,
        bounty: tokens(5),
        collateral: cfg.collateral,
        deadline: chain_time(admin).await.unwrap() + duration,
        input_data: input.data.clone(),
        ramp: Some(Ramp { min_price: tokens(1), delay: 0, period: 1_000 }),
    };
    let (id, task, _) = market::post_task(admin, p.dep.token, p.dep.market, &new).await.unwrap();
    Posted { id, task, salt, data: input.data.to_vec() }
}

fn new_job(posted: &Posted) -> NewJob {
    NewJob {
        statement_id: posted.id,
        model_id: U256::from(posted.task.modelId),
        task: posted.task.abi_encode(),
        input_data: posted.data.clone(),
        bounty: U256::from(posted.task.bounty),
        collateral: U256::from(posted.task.collateral),
        deadline: u64::from(posted.task.deadline),
        posted_block: 0,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn ramped_tasks_wait_for_the_price_and_cancel_requests_are_abandoned_safely() {
    let model = slice_model().unwrap();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let cfg = JobConfig::new(root, model.clone(), sample_input(6, model.input_len), 1);
    let anvil = spawn_anvil(&cfg.root).unwrap();
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), signer(0)).await.unwrap();
    let prover = Account::connect(&anvil.endpoint(), signer(1)).await.unwrap();
    let p = prepare(&cfg, &admin, &mut |_| {}).await.unwrap();
    mint_and_stake(&cfg, &p, &admin, &prover, &mut |_| {}).await.unwrap();
    market::mint(&admin, p.dep.token, admin.address, tokens(100)).await.unwrap();
    let (mkt, token) = (p.dep.market, p.dep.token);
    let dir = tempfile::tempdir().unwrap();
    let store = JobStore::open(&dir.path().join("jobs.sqlite")).await.unwrap();
    let served = HashMap::from([(
        p.model_id,
        Served { model: Arc::new(model.clone()), keys: Arc::new(p.keys.clone()), weights_salt: None },
    )]);
    let served_too = served.clone();
    // The node takes this model at 3 tokens or more, and keeps 60 s before a deadline.
    let least = tokens(3);
    let r = Runner::new(prover.clone(), mkt, store.clone(), served, Arc::new(Metrics::new()), 1)
        .with_pricing(HashMap::from([(p.model_id, least)]), 60);
    let now = || async { chain_time(&admin).await.unwrap() };
    let sent = || prover.txm().counters().sent;

    // A: the price starts at 1 token: the job waits in `seen`, nothing is sent.
    let a = post_ramped(&cfg, &p, &admin, 3600).await;
    assert_eq!((U256::from(a.task.minPrice), U256::from(a.task.bounty)), (tokens(1), tokens(5)));
    let fee_at_bounty = U256::from(a.task.fee);
    assert_eq!(fee_at_bounty, tokens(5) / U256::from(20), "5 % protocol fee escrowed on the whole bounty");
    let (job, _) = store.admit(&new_job(&a)).await.unwrap();
    let before = sent();
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Seen, "{job:?}");
    assert_eq!(sent(), before, "no lock below the least price");
    // 500 s later the price is 3 tokens: locked, at the price of the lock's block.
    admin.provider.anvil_increase_time(500).await.unwrap();
    admin.provider.anvil_mine(Some(1), None).await.unwrap();
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Locked, "{job:?}");
    let locked = Task::abi_decode(&job.job.task).unwrap();
    let price = U256::from(locked.bounty);
    assert!(price >= least && price < tokens(5), "locked at {price}");
    assert_eq!((locked.minPrice, locked.prover), (locked.bounty, prover.address));
    assert_eq!(U256::from(locked.fee), fee_at_bounty * price / tokens(5), "the fee follows the price");
    // The job's task is the one the TaskLocked event stores (what find_task rebuilds and the
    // market's hash matches), not the posted one.
    assert_eq!(market::find_task(&admin.provider, mkt, a.id).await.unwrap().unwrap(), locked);
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Proved);
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Fulfilled, "{job:?}");
    assert_eq!(market::claimable(&admin.provider, mkt, prover.address).await.unwrap(), price);
    let refund = tokens(5) - price + fee_at_bounty - U256::from(locked.fee);
    assert_eq!(market::claimable(&admin.provider, mkt, admin.address).await.unwrap(), refund);

    // B: a ramp that has not reached the price by deadline − margin is given up, unlocked.
    let b = post_ramped(&cfg, &p, &admin, 3600).await;
    let (job, _) = store.admit(&new_job(&b)).await.unwrap();
    let early = u64::from(b.task.rampStart);
    let strict = Runner::new(prover.clone(), mkt, store.clone(), served_too, Arc::new(Metrics::new()), 1)
        .with_pricing(HashMap::from([(p.model_id, tokens(6))]), 60);
    assert_eq!(strict.step(&job, early).await.unwrap().state, JobState::Seen);
    let job = strict.step(&job, u64::from(b.task.deadline) - 30).await.unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert!(job.reason.as_deref().unwrap_or_default().contains("had not reached the least accepted"), "{job:?}");

    // C: the requester asks to cancel while the node waits for the ramp: abandoned, nothing sent,
    // nothing locked; a proof sent during the notice is still paid (no free output).
    let c = post_ramped(&cfg, &p, &admin, 3600).await;
    let (job, _) = store.admit(&new_job(&c)).await.unwrap();
    assert_eq!(r.step(&job, now().await).await.unwrap().state, JobState::Seen);
    let (due, _) = market::request_cancel(&admin, mkt, &c.task).await.unwrap();
    assert!(due >= now().await + 599, "600 s of notice");
    let before = sent();
    let job = r.step(&job, now().await).await.unwrap();
    assert_eq!(job.state, JobState::Failed);
    assert!(job.reason.as_deref().unwrap_or_default().contains("asked to cancel"), "{job:?}");
    assert_eq!(sent(), before);
    let st = market::status(&prover.provider, token, mkt, prover.address).await.unwrap();
    assert_eq!((st.locks, st.locked.as_str(), st.active_stake), (0, "0", cfg.stake.to_string()));
    reverted_with(market::lock_task(&prover, mkt, &c.task).await, "TaskMarketCancelling");
    reverted_with(market::cancel(&admin, mkt, &c.task).await, "TaskMarketNotCancellable");
    let (evm, _) = prove_committed(&cfg, &p, &cfg.input, c.salt, prover.address).unwrap();
    let paid_before = market::claimable(&admin.provider, mkt, prover.address).await.unwrap();
    market::fulfil(&prover, mkt, &c.task, &evm).await.unwrap();
    assert!(market::claimable(&admin.provider, mkt, prover.address).await.unwrap() > paid_before);

    // D: after the notice a fulfilment is refused and anyone cancels; bounty and fee go back.
    let d = post_ramped(&cfg, &p, &admin, 3600).await;
    market::request_cancel(&admin, mkt, &d.task).await.unwrap();
    admin.provider.anvil_increase_time(601).await.unwrap();
    admin.provider.anvil_mine(Some(1), None).await.unwrap();
    let (evm, _) = prove_committed(&cfg, &p, &cfg.input, d.salt, prover.address).unwrap();
    reverted_with(market::fulfil(&prover, mkt, &d.task, &evm).await, "TaskMarketCancelling");
    let owed = market::claimable(&admin.provider, mkt, admin.address).await.unwrap();
    market::cancel(&prover, mkt, &d.task).await.unwrap();
    assert_eq!(
        market::claimable(&admin.provider, mkt, admin.address).await.unwrap(),
        owed + U256::from(d.task.bounty) + U256::from(d.task.fee)
    );
}
