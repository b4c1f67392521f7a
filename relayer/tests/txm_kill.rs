//! The sending *process* is killed with SIGKILL after it broadcast and before any receipt, then
//! started again on the same database: each intent is confirmed once, with the one nonce and the
//! one signed transaction it had before the kill — whether the transaction was mined while the
//! sender was dead, or lost from the pool with it.

mod txm_common;

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::primitives::U256;
use mlproof_relayer::txm::{probe, IntentState, Store};
use serde_json::{json, Value};
use txm_common::{init_tracing, Chain};

const KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"; // anvil's account 0

fn sender(chain: &Chain, namespace: &str, n: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_txm-send"))
        .args(["--rpc", &chain.url(), "--db"])
        .arg(chain.db())
        .args(["--namespace", namespace, "--to", &n.to_string(), "--window", &n.to_string(), "--timeout-s", "60"])
        .env("MLPROOF_TXM_KEY", KEY)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn txm-send")
}

/// Reads the sender's JSON lines until `n` intents were reported `submitted`.
fn until_submitted(child: &mut Child, n: usize) -> impl BufRead {
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let mut submitted = 0;
    let mut line = String::new();
    let start = Instant::now();
    while submitted < n {
        line.clear();
        assert!(out.read_line(&mut line).expect("read") > 0, "txm-send exited before broadcasting");
        let v: Value = serde_json::from_str(&line).expect("json line");
        if v["event"] == "state" && v["state"] == "submitted" {
            submitted += 1;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no broadcast within a minute");
    }
    out
}

async fn hashes(store: &Store, id: i64) -> Vec<alloy::primitives::B256> {
    store.txs(id).await.unwrap().iter().map(|t| t.hash).collect()
}

async fn kill_then_resume(chain: &Chain, namespace: &str, lose_pool: bool) {
    let n = 3;
    let mut child = sender(chain, namespace, n);
    let _out = until_submitted(&mut child, n as usize);
    child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    child.wait().expect("reap");

    let account = chain.signer().address();
    let before = {
        let store = Store::open(&chain.db()).await.unwrap();
        let mut txs = Vec::new();
        for i in 0..n {
            let rec = store.intent(&probe::intent(namespace, i).key).await.unwrap().unwrap();
            assert_eq!(rec.state, IntentState::Submitted, "killed before any receipt");
            txs.push((rec.nonce, hashes(&store, rec.id).await));
        }
        txs
    };
    if lose_pool {
        chain.rpc("anvil_dropAllTransactions", json!([])).await;
    } else {
        chain.mine(1).await; // mined while the sender is dead
    }
    let nonce_before = chain.nonce(account).await;

    let mut child = sender(chain, namespace, n);
    let stdout = child.stdout.take().unwrap();
    let miner = async {
        for _ in 0..400 {
            chain.mine(1).await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let waiter = tokio::task::spawn_blocking(move || child.wait_with_output().map(|o| (o.status, stdout)));
    let (status, stdout) = tokio::select! {
        r = waiter => r.unwrap().unwrap(),
        () = miner => panic!("txm-send did not finish"),
    };
    assert!(status.success(), "txm-send failed after the restart: {status}");
    let lines: Vec<Value> =
        BufReader::new(stdout).lines().map(|l| serde_json::from_str(&l.unwrap()).unwrap()).collect();
    assert_eq!(lines.last().unwrap()["event"], "done");

    let store = Store::open(&chain.db()).await.unwrap();
    for i in 0..n {
        let rec = store.intent(&probe::intent(namespace, i).key).await.unwrap().unwrap();
        assert_eq!(rec.state, IntentState::Confirmed);
        let (nonce, txs) = &before[i as usize];
        assert_eq!(&rec.nonce, nonce, "the intent took a second nonce");
        assert_eq!(&hashes(&store, rec.id).await, txs, "a transaction was signed after the restart");
        assert_eq!(chain.balance(probe::recipient(namespace, i)).await, U256::from(1), "applied once");
    }
    let expected = if lose_pool { nonce_before + n } else { nonce_before };
    assert_eq!(chain.nonce(account).await, expected);
}

#[tokio::test]
async fn sigkill_after_broadcast_then_restart_confirms_once() {
    init_tracing();
    let chain = Chain::spawn();
    chain.automine(false).await;
    // Killed with its transactions in the pool; they are mined while it is dead.
    kill_then_resume(&chain, "kill-mined", false).await;
    // Killed, and the pool lost with it: the restarted sender re-broadcasts the same bytes.
    kill_then_resume(&chain, "kill-lost", true).await;
    assert_eq!(chain.nonce(chain.signer().address()).await, 6);
}
