//! The market commands against a real anvil: stake, status, task post / show / lock, prove,
//! fulfil, claim, a ramped task cancelled with `task cancel --wait`, unstake, withdraw, with decoded
//! custom errors on failure.

use std::{path::PathBuf, process::Command};

use alloy::{providers::ext::AnvilApi, signers::local::PrivateKeySigner};
use mlproof_circuits::{
    native::slice::{sample_input, slice_model},
    Visibility,
};
use mlproof_node::{
    deploy::tokens,
    job::{prepare, JobConfig},
    market,
};
use mlproof_prover::KeyTag;
use mlproof_relayer::chain::{spawn_anvil, Account};

#[tokio::test(flavor = "multi_thread")]
async fn market_commands_run_a_task_and_decode_reverts() {
    let model = slice_model().unwrap();
    let input = sample_input(5, model.input_len);
    let cfg = JobConfig::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."), model, input.clone(), 1);
    let anvil = spawn_anvil(&cfg.root).unwrap();
    let key = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), key(0)).await.unwrap();
    let prover = Account::connect(&anvil.endpoint(), key(1)).await.unwrap();
    let p = prepare(&cfg, &admin, &mut |_| {}).await.unwrap();
    market::mint(&admin, p.dep.token, prover.address, tokens(300)).await.unwrap();
    market::mint(&admin, p.dep.token, admin.address, tokens(20)).await.unwrap();

    let dir = tempfile::tempdir().unwrap();
    let path = |f: &str| dir.path().join(f).to_str().unwrap().to_owned();
    std::fs::write(path("x.json"), serde_json::to_string(&input).unwrap()).unwrap();
    p.keys.save(dir.path().join("k.pk").as_path(), &KeyTag::new(&cfg.model, Visibility::Public, true)).unwrap();
    let market_addr = p.dep.market.to_string();
    let run = |signer: usize, args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_mlproof"))
            .args(args)
            .args(["--rpc-url", &anvil.endpoint(), "--market", &market_addr, "--json"])
            .env("MLPROOF_PRIVATE_KEY", alloy::hex::encode_prefixed(anvil.keys()[signer].to_bytes()))
            .env("MLPROOF_TXM_DB", path(&format!("txm-{signer}.sqlite")))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let json = stdout.lines().last().and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok());
        (out.status.success(), json, String::from_utf8_lossy(&out.stderr).to_string())
    };

    // Staking, and a decoded error for unstaking more than is free.
    let (ok, v, err) = run(1, &["stake", "--amount", "200"]);
    assert!(ok, "{err}");
    assert_eq!(v.unwrap()["amount"], tokens(200).to_string());
    let (ok, _, err) = run(1, &["unstake", "--amount", "500"]);
    assert!(!ok && err.contains("StakingInsufficientFreeStake"), "{err}");

    // Idempotent commands: the same --intent-key returns the first run's transaction, staking once.
    let staked = || async {
        let s = market::status(&prover.provider, p.dep.token, p.dep.market, prover.address).await.unwrap();
        alloy::primitives::U256::from_str_radix(&s.active_stake, 10).unwrap()
    };
    let before = staked().await;
    let (ok, first, err) = run(1, &["stake", "--amount", "1", "--intent-key", "stake-once"]);
    assert!(ok, "{err}");
    let (ok, again, err) = run(1, &["stake", "--amount", "1", "--intent-key", "stake-once"]);
    assert!(ok, "{err}");
    assert_eq!(first.unwrap()["tx"], again.unwrap()["tx"]);
    assert_eq!(staked().await, before + tokens(1));
    // The same key for another amount is refused, naming the conflict.
    let (ok, _, err) = run(1, &["stake", "--amount", "2", "--intent-key", "stake-once"]);
    assert!(!ok && err.contains("already used for a different intent"), "{err}");
    // A wrong chain id is refused before anything is sent.
    let (ok, _, err) = run(1, &["stake", "--amount", "1", "--chain-id", "1"]);
    assert!(!ok && err.contains("serves chain 31337, but chain 1 was configured"), "{err}");

    // The requester posts a committed-input task and publishes the input and salt.
    let (ok, v, err) = run(
        0,
        &[
            "task",
            "post",
            "--model-id",
            "1",
            "--input",
            &path("x.json"),
            "--committed-input",
            "--publish-input",
            "--bounty",
            "5",
            "--collateral",
            "50",
        ],
    );
    assert!(ok, "{err}");
    let v = v.unwrap();
    let id = v["statement_id"].as_str().unwrap().to_owned();
    let salt = v["input_salt"].as_str().unwrap().trim_start_matches("0x").to_owned();
    let (ok, v, err) = run(1, &["task", "show", "--task", &id]);
    assert!(ok, "{err}");
    assert_eq!(v.unwrap()["bounty"], tokens(5).to_string());

    // The prover locks it, proves with the published salt and fulfils.
    let (ok, _, err) = run(1, &["task", "lock", "--task", &id]);
    assert!(ok, "{err}");
    let (ok, v, _) = run(1, &["status"]);
    assert!(ok);
    assert_eq!(v.unwrap()["locks"], 1);
    let prover_addr = prover.address.to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_mlproof"))
        .args([
            "prove",
            "--model",
            cfg.root.join("models/slice-mlp.json").to_str().unwrap(),
            "--pk",
            &path("k.pk"),
            "--committed-input",
        ])
        .args(["--input-salt", &salt, "--input", &path("x.json"), "--prover", &prover_addr, "--out", &path("p.json")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The proof pays the prover, so another key is refused before sending.
    let (ok, _, err) = run(2, &["fulfil", "--task", &id, "--proof", &path("p.json")]);
    assert!(!ok && err.contains("the proof pays"), "{err}");
    let (ok, v, err) = run(1, &["fulfil", "--task", &id, "--proof", &path("p.json")]);
    assert!(ok, "{err}");
    assert_eq!(v.unwrap()["verified"], true);
    let (ok, _, err) = run(1, &["fulfil", "--task", &id, "--proof", &path("p.json")]);
    assert!(!ok && err.contains("no open task"), "{err}");
    let (ok, v, err) = run(1, &["claim"]);
    assert!(ok, "{err}");
    assert_eq!(v.unwrap()["amount"], tokens(5).to_string());
    let (ok, _, err) = run(1, &["claim"]);
    assert!(!ok && err.contains("RewardsNothingToClaim"), "{err}");

    // A ramped task: 1 token rising to 5 over 1,000 s; the requester cancels it and waits out
    // the notice (600 s of chain time, moved on by the test while the command waits).
    let (ok, v, err) = run(
        0,
        &[
            "task",
            "post",
            "--model-id",
            "1",
            "--input",
            &path("x.json"),
            "--committed-input",
            "--publish-input",
            "--bounty",
            "5",
            "--min-price",
            "1",
            "--ramp-period",
            "1000",
            "--collateral",
            "50",
        ],
    );
    assert!(ok, "{err}");
    let v = v.unwrap();
    assert_eq!((v["min_price"].clone(), v["fee"].clone()), (tokens(1).to_string().into(), "250000000000000000".into()));
    let id = v["statement_id"].as_str().unwrap().to_owned();
    let (ok, v, err) = run(1, &["task", "show", "--task", &id]);
    assert!(ok, "{err}");
    let price: alloy::primitives::U256 = v.as_ref().unwrap()["price_now"].as_str().unwrap().parse().unwrap();
    assert!(price >= tokens(1) && price < tokens(5), "{v:?}");
    let (ok, _, err) = run(1, &["task", "cancel", "--task", &id]);
    assert!(!ok && err.contains("TaskMarketNotRequester"), "only the requester asks: {err}");
    let (ok, v, err) = run(0, &["task", "cancel", "--task", &id]);
    assert!(ok, "{err}");
    let due = v.unwrap()["cancel_due_at"].as_u64().unwrap();
    let (ok, v, _) = run(1, &["task", "show", "--task", &id]);
    assert!(ok);
    assert_eq!(v.unwrap()["cancel_due_at"], due);
    let (ok, _, err) = run(1, &["task", "lock", "--task", &id]);
    assert!(!ok && err.contains("TaskMarketCancelling"), "{err}");
    let mut waiting = Command::new(env!("CARGO_BIN_EXE_mlproof"))
        .args(["task", "cancel", "--task", &id, "--wait"])
        .args(["--rpc-url", &anvil.endpoint(), "--market", &market_addr, "--json"])
        .env("MLPROOF_PRIVATE_KEY", alloy::hex::encode_prefixed(anvil.keys()[0].to_bytes()))
        .env("MLPROOF_TXM_DB", path("txm-0.sqlite"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(waiting.try_wait().unwrap().is_none(), "it waits for the notice");
    admin.provider.anvil_increase_time(601).await.unwrap();
    admin.provider.anvil_mine(Some(1), None).await.unwrap();
    let out = waiting.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let v: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!((v["action"].as_str(), v["fulfilled"].as_bool()), (Some("task cancel"), Some(false)), "{v}");
    let refund = tokens(5) + tokens(5) / alloy::primitives::U256::from(20);
    assert_eq!(v["refund"], refund.to_string());
    let (ok, _, err) = run(0, &["task", "show", "--task", &id]);
    assert!(!ok && err.contains("no open task"), "{err}");
    let (ok, v, err) = run(0, &["claim"]);
    assert!(ok, "{err}");
    assert_eq!(v.unwrap()["amount"], refund.to_string());

    // Unbonding: too early, then after the delay.
    let (ok, v, err) = run(1, &["unstake", "--amount", "200"]);
    assert!(ok, "{err}");
    assert!(v.unwrap()["release_at"].as_u64().unwrap() > 0);
    let (ok, _, err) = run(1, &["withdraw"]);
    assert!(!ok && err.contains("StakingStillUnbonding"), "{err}");
    admin.provider.anvil_increase_time(7 * 24 * 3600 + 1).await.unwrap();
    admin.provider.anvil_mine(Some(1), None).await.unwrap();
    let (ok, v, err) = run(1, &["withdraw"]);
    assert!(ok, "{err}");
    assert_eq!(v.unwrap()["amount"], tokens(200).to_string());
    // A wrong market address is named.
    let out = Command::new(env!("CARGO_BIN_EXE_mlproof"))
        .args(["status", "--rpc-url", &anvil.endpoint(), "--market", &p.dep.token.to_string()])
        .env("MLPROOF_PRIVATE_KEY", alloy::hex::encode_prefixed(anvil.keys()[1].to_bytes()))
        .env("MLPROOF_TXM_DB", path("txm-1.sqlite"))
        .output()
        .unwrap();
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("does not answer as an MlproofMarket")
    );
}
