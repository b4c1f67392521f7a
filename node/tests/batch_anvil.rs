//! Batched fulfilment against a real anvil:
//!
//! * the runner: four proved jobs planned into one batch; the node "dies" after recording them
//!   `submitted` and sending `fulfilBatch`, and a new runner on the same databases resumes the
//!   whole batch without a second transaction; a task expired before its batch landed is skipped
//!   by the market (failed, reason decoded) while its batch-mate is paid; a batch that does not
//!   verify natively falls back to single fulfils (the good one fulfilled, the bad one failed with
//!   the decoded revert);
//! * the service: a node with `batch_max = 4` fulfils four tasks in one `fulfilBatch` (one
//!   transaction for all), the market shows their outputs verified, the metrics count the batch.

mod common;

use common::{new_job, open_prover};
use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
    sync::{Arc, Mutex},
    time::Duration,
};

use alloy::{primitives::U256, providers::Provider, signers::local::PrivateKeySigner, sol_types::SolValue};
use mlproof_circuits::native::slice::{sample_input, slice_model};
use mlproof_node::{
    deploy::{tokens, ProtocolConfig},
    deployments::{deploy_all, Deployments, Network, Plan},
    job::{chain_time, mint_and_stake, post_committed, prepare, JobConfig},
    market,
    service::{
        batcher::{batch_key, plan, spawn_batches, BatchPolicy, Ready},
        config::NodeConfig,
        metrics::Metrics,
        node::Node,
        runner::{stored_proof, Runner, Served},
        state::JobState,
        store::{JobRecord, JobStore},
    },
};
use mlproof_relayer::{
    bindings::ITaskMarket::Task,
    chain::{spawn_anvil, Account},
};

/// Waits for the batches `spawn_batches` started.
async fn run_batches(r: &Runner, store: &JobStore, now: u64) {
    let mut tasks = tokio::task::JoinSet::new();
    spawn_batches(r, store, &Arc::new(Mutex::new(HashSet::new())), now, &mut tasks).await.unwrap();
    while tasks.join_next().await.is_some() {}
}

#[tokio::test(flavor = "multi_thread")]
async fn a_batch_is_sent_once_resumed_whole_after_a_crash_and_falls_back_when_it_must() {
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
    market::mint(&admin, p.dep.token, admin.address, cfg.bounty * U256::from(20)).await.unwrap();
    let (market_addr, model_id) = (p.dep.market, p.model_id);
    let keys = Arc::new(p.keys.clone());
    let served = HashMap::from([(model_id, Served { model: Arc::new(model.clone()), keys, weights_salt: None })]);
    let policy = BatchPolicy { max: 4, wait_s: 3600, deadline_margin_s: 0 };
    let runner = |account: Account| async {
        let store = JobStore::open(&jobs_db).await.unwrap();
        let r = Runner::new(account, market_addr, store.clone(), served.clone(), Arc::new(Metrics::new()), 1)
            .with_batching(policy.max, policy.wait_s);
        (r, store)
    };
    let now = || async { chain_time(&admin).await.unwrap() };
    let (r, store) = runner(prover.clone()).await;
    // Posts tasks of `durations`, each locked and proved by `r`.
    let proved = |durations: Vec<u64>| {
        let (r, store, cfg, p, admin) = (&r, &store, &cfg, &p, &admin);
        async move {
            let mut jobs = Vec::new();
            for duration in durations {
                let t = post_committed(cfg, p, admin, &cfg.input, duration).await.unwrap();
                let (mut job, _) =
                    store.admit(&new_job(&t, market::published_input(&cfg.input, &t.salt).to_vec())).await.unwrap();
                for expected in [JobState::Locked, JobState::Proved] {
                    job = r.step(&job, chain_time(admin).await.unwrap()).await.unwrap();
                    assert_eq!(job.state, expected, "{job:?}");
                }
                jobs.push(job);
            }
            jobs
        }
    };

    // A: four proved jobs are one batch; a step leaves a proved job to the batcher.
    let jobs = proved(vec![3600; 4]).await;
    assert_eq!(r.step(&jobs[0], now().await).await.unwrap().state, JobState::Proved, "the batcher's");
    let ready: Vec<Ready> = jobs.iter().map(Ready::of).collect();
    let batches = plan(&ready, &policy, now().await, i64::MAX / 2);
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].len(), 4);
    // The node records the batch and sends it, then "dies" before recording the receipt.
    let key = batch_key(&jobs.iter().map(|j| j.job.statement_id).collect::<Vec<_>>());
    let members = store.submit_batch(&jobs.iter().map(|j| j.id).collect::<Vec<_>>(), &key).await.unwrap();
    assert!(members.iter().all(|j| j.state == JobState::Submitted && j.batch.as_deref() == Some(key.as_str())));
    let items: Vec<(Task, _)> =
        members.iter().map(|j| (Task::abi_decode(&j.job.task).unwrap(), stored_proof(j).unwrap())).collect();
    let same_key = prover.clone().with_key_prefix(&format!("fulfilBatch:{key}"));
    let (sent, skipped) = market::fulfil_batch(&same_key, market_addr, &items).await.unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    // A restart: new handles on the same databases resume the whole batch; nothing is sent again.
    let restarted = open_prover(&anvil.endpoint(), signer(1), &txm_db).await;
    let (r2, store2) = runner(restarted.clone()).await;
    assert!(r2.batched(&members[0], now().await), "a submitted batch member is the batcher's");
    run_batches(&r2, &store2, now().await).await;
    assert_eq!(restarted.txm().counters().sent, 0, "no second fulfilBatch was sent");
    for job in &jobs {
        let job = store2.job(job.id).await.unwrap().unwrap();
        assert_eq!((job.state, job.fulfil_tx), (JobState::Fulfilled, Some(sent.tx_hash)), "{job:?}");
        assert!(job.gas_used > sent.gas_used / 4, "lock gas plus a share of the batch: {job:?}");
        let input = Task::abi_decode(&job.job.task).unwrap().input;
        let out = market::verified_output(&admin.provider, market_addr, model_id, &input).await.unwrap();
        assert!(out.is_some(), "verified on chain");
    }
    let per_task = sent.gas_used / 4;
    eprintln!("fulfilBatch of 4: {} gas, {per_task} per task", sent.gas_used);

    // B: a task that expired before its batch landed is skipped by the market; its mate is paid.
    let xy = proved(vec![600, 3600]).await;
    let _: serde_json::Value = admin.provider.raw_request("evm_increaseTime".into(), [700]).await.unwrap();
    let _: serde_json::Value = admin.provider.raw_request("evm_mine".into(), serde_json::json!([])).await.unwrap();
    let out = r.send_batch(&xy).await.unwrap();
    let by_id: HashMap<i64, JobRecord> = out.into_iter().map(|j| (j.id, j)).collect();
    let (x, y) = (&by_id[&xy[0].id], &by_id[&xy[1].id]);
    assert_eq!(x.state, JobState::Failed, "{x:?}");
    assert_eq!(x.reason.as_deref(), Some("skipped by fulfilBatch: expired (reason 3)"), "{x:?}");
    assert_eq!(y.state, JobState::Fulfilled, "{y:?}");
    assert!(y.batch.is_some() && y.fulfil_tx.is_some());

    // C: a batch holding a proof of another statement does not verify natively: each job alone.
    let mut zw = proved(vec![3600, 3600]).await;
    let mut bad: serde_json::Value = serde_json::from_slice(zw[1].proof.as_ref().unwrap()).unwrap();
    let good: serde_json::Value = serde_json::from_slice(zw[0].proof.as_ref().unwrap()).unwrap();
    bad["proof"] = good["proof"].clone();
    zw[1].proof = Some(serde_json::to_vec(&bad).unwrap());
    let sent_before = prover.txm().counters().sent;
    let out = r.send_batch(&zw).await.unwrap();
    let (z, w) = (&out[0], &out[1]);
    assert_eq!((z.state, z.batch.as_deref()), (JobState::Fulfilled, None), "fulfilled alone: {z:?}");
    assert_eq!(w.state, JobState::Failed, "{w:?}");
    assert!(w.reason.as_deref().unwrap_or_default().contains("TaskMarketInvalidProof"), "{w:?}");
    assert_eq!(prover.txm().counters().sent, sent_before + 1, "one fulfil; the bad one failed in simulation");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_node_with_batch_max_4_fulfils_four_tasks_in_one_transaction() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let anvil = spawn_anvil(&root).unwrap();
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), signer(0)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let planned = common::slice_dev_model(&root, dir.path());
    let (model_path, key) = (planned.model.clone(), planned.proving_key.clone());
    let models = [planned];
    let local = Network::new(anvil.endpoint(), anvil.chain_id(), true);
    let plan = Plan {
        network: "test",
        profile: &local,
        models: &models,
        force_dev_setup: false,
        protocol: ProtocolConfig::default(),
    };
    let dep = deploy_all(&admin, &root, &plan).await.unwrap();
    let dep_path = Deployments::path_in(&dir.path().join("deployments"), dep.chain_id);
    dep.save(&dep_path).unwrap();
    let model_id = dep.models[0].id;
    let prover = Account::connect(&anvil.endpoint(), signer(1)).await.unwrap();
    market::mint(&admin, dep.token, prover.address, tokens(500)).await.unwrap();
    market::stake(&prover, dep.token, dep.market, tokens(500)).await.unwrap();
    market::mint(&admin, dep.token, admin.address, tokens(100)).await.unwrap();

    let mut posted = Vec::new();
    for seed in 1..=4 {
        posted.push(common::post_words(&admin, &dep, model_id, seed, 3600).await);
    }
    let port = common::free_port();
    let config = format!(
        "rpc_url = \"{rpc}\"\nchain_id = {chain}\ndeployments = \"{dep}\"\ndatabase = \"jobs.sqlite\"\n\
         txm_database = \"txm.sqlite\"\nlisten = \"127.0.0.1:{port}\"\nconfirmations = 1\nworkers = 1\n\
         deadline_margin_s = 900\nclaim_interval_s = 1\npoll_interval_ms = 100\nbatch_max = 4\nbatch_wait_s = 600\n\
         [signer]\nenv = \"UNUSED_IN_THIS_TEST\"\n[[models]]\nid = {model_id}\nmodel = \"{model}\"\nproving_key = \"{key}\"\n",
        rpc = anvil.endpoint(),
        chain = dep.chain_id,
        dep = dep_path.display(),
        model = model_path.display(),
        key = key.display(),
    );
    let cfg = NodeConfig::parse(&config, dir.path()).unwrap();
    assert_eq!((cfg.batch_max, cfg.batch_wait_s), (4, 600));
    let node = Node::start(cfg, signer(1)).await.unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(node.run(async move {
        let _ = rx.await;
    }));
    let base = format!("http://127.0.0.1:{port}");
    // The wait (600 s) is far off: only a full batch of 4 can have fulfilled them.
    let claimed = common::wait_for(&format!("{base}/v1/jobs?state=claimed"), "4 claimed jobs", |v| {
        v["jobs"].as_array().is_some_and(|j| j.len() == 4)
    })
    .await;
    let jobs = claimed["jobs"].as_array().unwrap();
    let txs: HashSet<&str> = jobs.iter().map(|j| j["fulfil_tx"].as_str().unwrap()).collect();
    assert_eq!(txs.len(), 1, "one fulfilBatch for the four: {claimed}");
    assert!(jobs.iter().all(|j| j["batch"].is_string() && j["batch"] == jobs[0]["batch"]), "{claimed}");
    for (_, words) in &posted {
        let out = market::verified_output(&admin.provider, dep.market, U256::from(model_id), words).await.unwrap();
        assert!(out.is_some(), "verified on chain");
    }
    let tx: alloy::primitives::B256 = txs.iter().next().unwrap().parse().unwrap();
    let receipt = admin.provider.get_transaction_receipt(tx).await.unwrap().unwrap();
    eprintln!("fulfilBatch of 4 through the node: {} gas, {} per task", receipt.gas_used, receipt.gas_used / 4);
    let (code, metrics) = common::get(&format!("{base}/metrics")).await;
    assert_eq!(code, 200);
    assert!(metrics.contains("mlproof_batches_total 1"), "{metrics}");
    assert!(
        metrics.contains("mlproof_batch_size_count 1") && metrics.contains("mlproof_batch_size_sum 4.0"),
        "{metrics}"
    );
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(60), handle).await.unwrap().unwrap().unwrap();
}
