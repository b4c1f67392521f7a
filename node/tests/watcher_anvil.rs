//! The market watcher against a real anvil: posted, locked (with the task as stored after the lock),
//! cancel-requested and cancelled tasks in chain order, a
//! restart that resumes from the persisted cursor, and a reorg that replaces the block of a
//! posting (detected by its hash, rewound, the vanished task not reported again).

use std::path::PathBuf;

use alloy::{
    providers::{ext::AnvilApi, Provider},
    signers::local::PrivateKeySigner,
};
use mlproof_circuits::native::slice::{sample_input, slice_model};
use mlproof_node::{
    job::{mint_and_stake, post_committed, prepare, JobConfig},
    market,
    service::{
        store::JobStore,
        watcher::{MarketEvent, Watcher},
    },
};
use mlproof_relayer::chain::{spawn_anvil, Account};
use serde_json::json;

fn posted(events: &[MarketEvent]) -> Vec<alloy::primitives::B256> {
    events
        .iter()
        .filter_map(|e| if let MarketEvent::Posted { statement_id, .. } = e { Some(*statement_id) } else { None })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn follows_tasks_resumes_after_restart_and_rewinds_a_reorg() {
    let model = slice_model().unwrap();
    let cfg = JobConfig::new(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."),
        model.clone(),
        sample_input(3, model.input_len),
        1,
    );
    let anvil = spawn_anvil(&cfg.root).unwrap();
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), signer(0)).await.unwrap();
    let prover = Account::connect(&anvil.endpoint(), signer(1)).await.unwrap();
    let other = Account::connect(&anvil.endpoint(), signer(2)).await.unwrap();
    let p = prepare(&cfg, &admin, &mut |_| {}).await.unwrap();
    mint_and_stake(&cfg, &p, &admin, &prover, &mut |_| {}).await.unwrap();
    for who in [admin.address, other.address] {
        market::mint(&admin, p.dep.token, who, cfg.bounty * alloy::primitives::U256::from(10)).await.unwrap();
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jobs.sqlite");
    let store = JobStore::open(&db).await.unwrap();
    let watcher = Watcher::new(admin.provider.clone(), p.dep.market, store.clone(), 0);

    // Posted, locked, posted, cancel requested and cancelled: every event, in chain order.
    let a = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let first = watcher.poll().await.unwrap();
    assert_eq!(posted(&first.events), [a.id]);
    assert_eq!(first.rewound, 0);
    let (locked, _) = market::lock_task(&prover, p.dep.market, &a.task).await.unwrap();
    let b = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let (due_at, _) = market::request_cancel(&admin, p.dep.market, &b.task).await.unwrap();
    admin.provider.anvil_increase_time(601).await.unwrap();
    admin.provider.anvil_mine(Some(1), None).await.unwrap();
    market::cancel(&admin, p.dep.market, &b.task).await.unwrap();
    let second = watcher.poll().await.unwrap();
    let locked_event = MarketEvent::Locked { statement_id: a.id, prover: prover.address, task: locked.clone() };
    let posted_b =
        MarketEvent::Posted { statement_id: b.id, task: b.task.clone(), input_data: Default::default(), block: 0 };
    let requested = MarketEvent::CancelRequested { statement_id: b.id, due_at };
    assert_eq!(
        second.events.iter().map(std::mem::discriminant).collect::<Vec<_>>(),
        [&locked_event, &posted_b, &requested, &MarketEvent::Cancelled { statement_id: b.id }]
            .map(std::mem::discriminant)
    );
    assert!(second.events.contains(&locked_event), "the lock carries the stored task: {:?}", second.events);
    assert_eq!(locked.prover, prover.address);
    assert!(second.events.contains(&requested));
    assert!(second.events.contains(&MarketEvent::Cancelled { statement_id: b.id }));

    // A restart: a new watcher on the reopened store reads nothing twice.
    drop(watcher);
    let store = JobStore::open(&db).await.unwrap();
    let watcher = Watcher::new(admin.provider.clone(), p.dep.market, store.clone(), 0);
    let resumed = watcher.poll().await.unwrap();
    assert!(resumed.events.is_empty(), "{:?}", resumed.events);

    // A posting whose block is then replaced by a reorg (another account, so the requester's own
    // nonces are untouched): seen, then rewound, and not reported again.
    let c = post_committed(&cfg, &p, &other, &cfg.input, 3600).await.unwrap();
    assert_eq!(posted(&watcher.poll().await.unwrap().events), [c.id]);
    let head = admin.provider.get_block_number().await.unwrap();
    let _: serde_json::Value = admin.provider.raw_request("anvil_reorg".into(), json!([1, []])).await.unwrap();
    assert_eq!(admin.provider.get_block_number().await.unwrap(), head, "same height, new block");
    let d = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let after = watcher.poll().await.unwrap();
    assert_eq!(after.rewound, 1, "the replaced block is detected by its hash");
    assert_eq!(posted(&after.events), [d.id], "the reorged-out posting is not reported again");
    assert_eq!(store.cursor().await.unwrap().map(|c| c.0), Some(admin.provider.get_block_number().await.unwrap()));
}
