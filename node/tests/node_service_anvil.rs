//! The whole service against a real anvil: `deploy_all` (refusing a development-setup key on a
//! chain that is not local), then a node started on its config takes posted tasks through admission
//! (one refused, with its reason recorded), locks, proves, fulfils and claims them, serves its API
//! (bad input is a 400), shuts down gracefully, and a restarted node on the same databases takes a
//! new task without re-admitting the old ones.

mod common;

use std::{path::PathBuf, time::Duration};

use alloy::signers::local::PrivateKeySigner;
use common::{free_port, get, post, wait_for};
use mlproof_node::{
    deploy::{tokens, ProtocolConfig},
    deployments::{deploy_all, Deployments, Network, Plan},
    market,
    service::{config::NodeConfig, node::Node, store::JobStore},
};
use mlproof_relayer::chain::{spawn_anvil, Account};

#[tokio::test(flavor = "multi_thread")]
async fn a_node_takes_tasks_from_post_to_claim_and_resumes_after_a_restart() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let anvil = spawn_anvil(&root).unwrap();
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), signer(0)).await.unwrap();
    let dir = tempfile::tempdir().unwrap();

    // Deploy with a development-setup key: refused on a chain not marked local, before any tx.
    let planned = common::slice_dev_model(&root, dir.path());
    let (model_path, key) = (planned.model.clone(), planned.proving_key.clone());
    let models = [planned];
    let public = Network::new(anvil.endpoint(), anvil.chain_id(), false);
    let mut plan = Plan {
        network: "test",
        profile: &public,
        models: &models,
        force_dev_setup: false,
        protocol: ProtocolConfig::default(),
    };
    let e = deploy_all(&admin, &root, &plan).await.unwrap_err().to_string();
    assert!(e.contains("development setup") && e.contains("--force-dev-setup"), "{e}");
    assert_eq!(admin.txm().counters().sent, 0, "nothing was sent");
    let local = Network { local: true, ..public.clone() };
    plan.profile = &local;
    let dep = deploy_all(&admin, &root, &plan).await.unwrap();
    assert_eq!(dep.models.len(), 1);
    assert!(dep.models[0].dev_setup && dep.models[0].consumer.is_some() && dep.training_ledger != dep.market);
    // On a local chain the deployer stays the market's admin (demos set parameters): no timelock.
    assert_eq!(dep.timelock, None);
    assert!(mlproof_node::deploy::has_role(&admin.provider, dep.market, Default::default(), admin.address)
        .await
        .unwrap());
    let dep_path = Deployments::path_in(&dir.path().join("deployments"), dep.chain_id);
    dep.save(&dep_path).unwrap();
    assert_eq!(Deployments::load(&dep_path).unwrap(), dep);
    let model_id = dep.models[0].id;

    // The prover stakes; the requester has bounties.
    let prover = Account::connect(&anvil.endpoint(), signer(1)).await.unwrap();
    market::mint(&admin, dep.token, prover.address, tokens(500)).await.unwrap();
    market::stake(&prover, dep.token, dep.market, tokens(500)).await.unwrap();
    market::mint(&admin, dep.token, admin.address, tokens(100)).await.unwrap();

    let port = free_port();
    let config = format!(
        r#"
rpc_url = "{rpc}"
chain_id = {chain}
deployments = "{dep}"
database = "jobs.sqlite"
txm_database = "txm.sqlite"
listen = "127.0.0.1:{port}"
confirmations = 1
workers = 1
deadline_margin_s = 900
claim_interval_s = 1
poll_interval_ms = 100
shutdown_grace_s = 30
# Single fulfils here; node/tests/batch_anvil.rs runs a node that batches.
batch_max = 1
[signer]
env = "UNUSED_IN_THIS_TEST"
[[models]]
id = {model_id}
model = "{model}"
proving_key = "{key}"
"#,
        rpc = anvil.endpoint(),
        chain = dep.chain_id,
        dep = dep_path.display(),
        model = model_path.display(),
        key = key.display(),
    );
    let cfg = NodeConfig::parse(&config, dir.path()).unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let prover_key = signer(1);
    let start = |cfg: NodeConfig| {
        let key = prover_key.clone();
        async move {
            let node = Node::start(cfg, key).await.unwrap();
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            let handle = tokio::spawn(node.run(async move {
                let _ = rx.await;
            }));
            (tx, handle)
        }
    };

    // Three tasks it can take, one whose deadline leaves less than the margin (refused).
    let mut ids = Vec::new();
    for seed in 1..=3 {
        ids.push(post(&admin, &dep, model_id, seed, 3600).await);
    }
    let short = post(&admin, &dep, model_id, 9, 600).await;
    let (stop, handle) = start(cfg.clone()).await;
    wait_for(&format!("{base}/health"), "health", |_| true).await;
    let claimed = wait_for(&format!("{base}/v1/jobs?state=claimed"), "3 claimed jobs", |v| {
        v["jobs"].as_array().is_some_and(|j| j.len() == 3)
    })
    .await;
    for id in &ids {
        assert!(claimed.to_string().contains(&id.to_string()), "{id} not claimed: {claimed}");
    }
    let status = wait_for(&format!("{base}/v1/status"), "status", |v| v["chain_head"].as_u64() > Some(0)).await;
    assert_eq!(status["stake"], tokens(500).to_string(), "{status}");
    let (code, metrics) = get(&format!("{base}/metrics")).await;
    assert_eq!(code, 200);
    assert!(metrics.contains("mlproof_jobs{state=\"claimed\"} 3"), "{metrics}");
    assert!(metrics.contains("mlproof_prove_seconds_count 3"), "{metrics}");
    for bad in ["/v1/jobs?state=bogus", "/v1/jobs?limit=-1", "/v1/jobs/xyz"] {
        let (code, body) = get(&format!("{base}{bad}")).await;
        assert_eq!(code, 400, "{bad}: {body}");
        assert!(body.contains("\"error\""), "{bad}: {body}");
    }
    let store = JobStore::open(&cfg.database).await.unwrap();
    let refused = store.rejections(10).await.unwrap();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert_eq!(refused[0].statement_id, short);
    assert!(refused[0].reason.contains("deadline minus the margin"), "{refused:?}");
    let claims = store.claims(10).await.unwrap();
    assert!(claims.iter().any(|c| c.state == "done" && c.amount.is_some_and(|a| a >= tokens(3))), "{claims:?}");

    // Graceful shutdown, then a restart on the same databases takes a new task only.
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(60), handle).await.unwrap().unwrap().unwrap();
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "the API is closed");
    let fourth = post(&admin, &dep, model_id, 4, 3600).await;
    let (stop, handle) = start(cfg.clone()).await;
    let done = wait_for(&format!("{base}/v1/jobs?state=claimed"), "4 claimed jobs", |v| {
        v["jobs"].as_array().is_some_and(|j| j.len() == 4)
    })
    .await;
    assert!(done.to_string().contains(&fourth.to_string()));
    assert_eq!(store.counts().await.unwrap().values().sum::<u64>(), 4, "nothing admitted twice");
    assert_eq!(store.rejections(10).await.unwrap().len(), 1);
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(60), handle).await.unwrap().unwrap().unwrap();
}
