//! End to end against a real anvil: the whole job, both task life cycles, and every way a
//! fulfilment must fail, with the custom error decoded by the relayer.

use std::path::PathBuf;

use alloy::{
    primitives::{aliases::U96, Address, U256},
    providers::ext::AnvilApi,
    signers::local::PrivateKeySigner,
};
use mlproof_circuits::native::slice::{sample_input, slice_model};
use mlproof_node::{
    deploy::tokens,
    job::{chain_time, mint_and_stake, post_committed, prepare, prove_committed, run_on_anvil, JobConfig},
    market::{self, NewTask},
    NodeError,
};
use mlproof_prover::evm::{base_modulus, scalar_modulus};
use mlproof_relayer::chain::{spawn_anvil, Account};

fn config(seed: u64) -> JobConfig {
    let model = slice_model().unwrap();
    let input = sample_input(seed, model.input_len);
    JobConfig::new(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."), model, input, 1)
}

fn reverted_with(r: Result<impl std::fmt::Debug, NodeError>, name: &str) {
    match r.as_ref().map_err(NodeError::revert_reason) {
        Err(Some(reason)) => assert!(reason.starts_with(name), "expected {name}, got {reason}"),
        _ => panic!("expected revert {name}, got {r:?}"),
    }
}

async fn balance(a: &Account, token: Address, who: Address) -> U256 {
    market::balance_of(&a.provider, token, who).await.unwrap()
}

/// Life cycle 1: post → lock → fulfil → claim, with the output read back by the consumer.
#[tokio::test(flavor = "multi_thread")]
async fn full_job_verifies_pays_and_reads_back() {
    let cfg = config(7);
    let mut steps = Vec::new();
    let report = run_on_anvil(&cfg, &mut |s| steps.push(s.name.clone())).await.unwrap();
    assert!(report.verified);
    assert_eq!(report.output, report.native_output);
    assert_eq!(usize::from(report.predicted_class), report.native_class);
    assert_eq!(report.reward_claimed, cfg.bounty.to_string());
    assert!(report.fulfil_gas > report.verify_gas / 2);
    for expected in ["deploy MlproofMarket", "stake", "lock task", "prove", "fulfil", "consumer classify", "claim"] {
        assert!(steps.iter().any(|s| s == expected), "missing step {expected}");
    }
}

/// Life cycle 2: post → lock → the deadline passes → slash → refund; then every way a fulfilment
/// fails (a copied proof included), on one chain.
#[tokio::test(flavor = "multi_thread")]
async fn slash_life_cycle_and_bad_fulfilments_fail_with_decoded_errors() {
    let cfg = config(11);
    let anvil = spawn_anvil(&cfg.root).unwrap();
    let mut accounts = Vec::new();
    for key in &anvil.keys()[..5] {
        accounts.push(Account::connect(&anvil.endpoint(), PrivateKeySigner::from(key.clone())).await.unwrap());
    }
    let [admin, prover, copier, unstaked, keeper] = <[Account; 5]>::try_from(accounts).unwrap();
    let p = prepare(&cfg, &admin, &mut |_| {}).await.unwrap();
    mint_and_stake(&cfg, &p, &admin, &prover, &mut |_| {}).await.unwrap();
    mint_and_stake(&cfg, &p, &admin, &copier, &mut |_| {}).await.unwrap();
    let (mkt, token) = (p.dep.market, p.dep.token);
    market::mint(&admin, token, admin.address, tokens(100)).await.unwrap();

    let admin_before = balance(&admin, token, admin.address).await;
    let posted = post_committed(&cfg, &p, &admin, &cfg.input, 600).await.unwrap();
    let found = market::find_task(&prover.provider, mkt, posted.id).await.unwrap().unwrap();
    assert_eq!(found, posted.task);
    let (locked, _) = market::lock_task(&prover, mkt, &found).await.unwrap();
    assert_eq!(market::find_task(&prover.provider, mkt, posted.id).await.unwrap().unwrap(), locked);
    // The stored task after the lock: its prover, price, fee and slash terms fixed.
    assert_eq!((locked.prover, locked.bounty, locked.minPrice), (prover.address, found.bounty, found.bounty));
    assert_eq!((locked.slashRequesterBps, locked.slashCallerBps, locked.slashBurnBps), (5_000, 1_000, 2_000));
    // Another prover cannot take a locked task; before the deadline nobody can slash.
    reverted_with(market::lock_task(&copier, mkt, &locked).await, "TaskMarketLocked");
    reverted_with(market::slash(&copier, mkt, &locked).await, "TaskMarketNotExpired");
    let status = market::status(&prover.provider, token, mkt, prover.address).await.unwrap();
    assert_eq!((status.locked, status.locks), (cfg.collateral.to_string(), 1));
    // The prover lets the deadline pass: its free stake can still leave (the collateral stays
    // locked and slashable), and a keeper slashes once.
    admin.provider.anvil_increase_time(601).await.unwrap();
    admin.provider.anvil_mine(Some(1), None).await.unwrap();
    market::request_unstake(&prover, mkt, tokens(1)).await.unwrap();
    let free = cfg.stake - cfg.collateral - tokens(1);
    reverted_with(market::request_unstake(&prover, mkt, free + U256::from(1)).await, "StakingInsufficientFreeStake");
    let (evm, _) = prove_committed(&cfg, &p, &cfg.input, posted.salt, prover.address).unwrap();
    reverted_with(market::fulfil(&prover, mkt, &locked, &evm).await, "TaskMarketExpired");
    market::slash(&keeper, mkt, &locked).await.unwrap();
    reverted_with(market::slash(&keeper, mkt, &locked).await, "TaskMarketUnknownTask");
    // Split 50 % requester, 10 % caller, 20 % burned, 20 % treasury (the admin); bounty and the
    // escrowed protocol fee (5 %) refunded.
    let pct = |n: u64| cfg.collateral * U256::from(n) / U256::from(100);
    let fee = market::fee_for(&admin.provider, mkt, cfg.bounty).await.unwrap();
    assert_eq!((fee, U256::from(locked.fee)), (cfg.bounty / U256::from(20), fee));
    let (paid, _) = market::claim(&keeper, mkt).await.unwrap();
    assert_eq!(paid, pct(10));
    let (paid, _) = market::claim(&admin, mkt).await.unwrap();
    assert_eq!(paid, cfg.bounty + fee + pct(50) + pct(20));
    assert_eq!(balance(&admin, token, admin.address).await, admin_before + pct(70));
    let status = market::status(&prover.provider, token, mkt, prover.address).await.unwrap();
    assert_eq!(status.active_stake, (cfg.stake - cfg.collateral - tokens(1)).to_string());
    assert_eq!((status.locks, status.locked.as_str()), (0, "0"));

    // A fresh unlocked task: every bad fulfilment fails, and pays nobody.
    let posted = post_committed(&cfg, &p, &admin, &cfg.input, 3600).await.unwrap();
    let task = posted.task.clone();
    let (evm, _) = prove_committed(&cfg, &p, &cfg.input, posted.salt, prover.address).unwrap();
    reverted_with(market::fulfil_unchecked(&copier, mkt, &task, &evm).await, "TaskMarketInvalidProof");
    assert!(matches!(market::fulfil(&copier, mkt, &task, &evm).await, Err(NodeError::Inconsistent(_))));
    reverted_with(market::fulfil_unchecked(&unstaked, mkt, &task, &evm).await, "TaskMarketNotEligible");
    let mut bad = evm.clone();
    bad.proof[0] += U256::from(1);
    reverted_with(market::fulfil(&prover, mkt, &task, &bad).await, "TaskMarketInvalidProof");
    let mut bad = evm.clone();
    bad.proof[3] += base_modulus();
    reverted_with(market::fulfil(&prover, mkt, &task, &bad).await, "Groth16VerifierProofCoordinateNotInField");
    let mut bad = evm.clone();
    bad.output[0] += U256::from(1);
    reverted_with(market::fulfil(&prover, mkt, &task, &bad).await, "TaskMarketInvalidProof");
    // Output words at or above bit 88 (the payee slot) are refused before verification: a copier
    // cannot pre-fill the slot to make its own address complete someone else's proof.
    let mut bad = evm.clone();
    bad.output[0] += scalar_modulus();
    reverted_with(market::fulfil(&prover, mkt, &task, &bad).await, "TaskMarketOutputNotPacked");
    let mut copied = evm.clone();
    copied.output[0] |= U256::from_be_slice(prover.address.as_slice()) << 88;
    reverted_with(market::fulfil_unchecked(&copier, mkt, &task, &copied).await, "TaskMarketOutputNotPacked");
    let mut tampered = task.clone();
    tampered.bounty += U96::from(1u64);
    reverted_with(market::fulfil(&prover, mkt, &tampered, &evm).await, "TaskMarketUnknownTask");
    reverted_with(market::classify(&admin, p.consumer, &evm.input).await, "ConsumerOutputNotVerified");
    reverted_with(market::claim(&copier, mkt).await, "RewardsNothingToClaim");

    // Life cycle 3: an unlocked task fulfilled directly; paid once, replays refused.
    market::fulfil(&prover, mkt, &task, &evm).await.unwrap();
    reverted_with(market::fulfil(&prover, mkt, &task, &evm).await, "TaskMarketUnknownTask");
    let again = NewTask {
        model_id: p.model_id,
        input: task.input.clone(),
        bounty: cfg.bounty,
        collateral: cfg.collateral,
        deadline: chain_time(&admin).await.unwrap() + 3600,
        input_data: Default::default(),
        ramp: None,
    };
    reverted_with(market::post_task(&admin, token, mkt, &again).await, "TaskMarketStatementTaken");
    let (label, _) = market::classify(&admin, p.consumer, &evm.input).await.unwrap();
    assert!(usize::from(label) < cfg.model.output_len());
    let (paid, _) = market::claim(&prover, mkt).await.unwrap();
    assert_eq!(paid, cfg.bounty);
    reverted_with(market::claim(&copier, mkt).await, "RewardsNothingToClaim");
}
