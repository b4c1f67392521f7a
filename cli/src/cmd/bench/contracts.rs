//! `mlproof bench contracts`: gas of every market operation on a local anvil, with the digits MLP
//! (committed input, its generated verifier) as the model. Each number is the `gasUsed` of a real
//! transaction receipt (21,000 base + calldata + execution).

use alloy::{providers::ext::AnvilApi, signers::local::PrivateKeySigner};
use eyre::{Context, Result};
use mlproof_circuits::native::slice::sample_input;
use mlproof_node::{
    compile::find_root,
    job::{mint_and_stake, post_committed, prepare, prove_committed, JobConfig},
    market,
};
use mlproof_relayer::chain::{spawn_anvil, Account};

/// Steady-state `fulfil` gas before the economic-security changes (issue 14's anchor, digits model).
const FULFIL_BASELINE: u64 = 259_302;
/// Issue 14's bound: `fulfil` within +5 % of the baseline.
const FULFIL_TARGET: u64 = FULFIL_BASELINE * 105 / 100;

/// Runs the suite and prints one JSON object.
pub fn run() -> Result<()> {
    let root = find_root(&std::env::current_dir()?).ok_or_else(|| eyre::eyre!("run inside the mlproof repository"))?;
    let model = crate::common::load_model(&root.join("models/digits-mlp.json"))?;
    let cfg = JobConfig::new(root, model, Vec::new(), 1);
    let rt = tokio::runtime::Runtime::new()?;
    let out = rt.block_on(measure(cfg)).wrap_err("contracts benchmark failed")?;
    println!("{out}");
    Ok(())
}

async fn measure(cfg: JobConfig) -> Result<serde_json::Value> {
    let anvil = spawn_anvil(&cfg.root)?;
    let url = anvil.endpoint();
    let account = |i: usize| Account::connect(&url, PrivateKeySigner::from(anvil.keys()[i].clone()));
    let (admin, prover, keeper) = (account(0).await?, account(1).await?, account(2).await?);
    let p = prepare(&cfg, &admin, &mut |_| {}).await?;
    let (mkt, token) = (p.dep.market, p.dep.token);
    market::mint(&admin, token, prover.address, cfg.stake).await?;
    let stake_gas = market::stake(&prover, token, mkt, cfg.stake).await?.gas_used;
    mint_and_stake(&cfg, &p, &admin, &keeper, &mut |_| {}).await?;
    market::mint(&admin, token, admin.address, cfg.bounty * alloy::primitives::U256::from(10)).await?;
    let input = |seed: u64| sample_input(seed, cfg.model.input_len);

    // A locked task: post, lock, fulfil. The first fulfilment of an epoch also creates the epoch's slot.
    let mut locked_fulfil = Vec::new();
    let (mut post_gas, mut lock_gas, mut verify_gas) = (0, 0, 0);
    for seed in 1..=2 {
        let x = input(seed);
        let posted = post_committed(&cfg, &p, &admin, &x, 3600).await?;
        post_gas = posted.sent.gas_used;
        let (task, sent) = market::lock_task(&prover, mkt, &posted.task).await?;
        lock_gas = sent.gas_used;
        let (evm, _) = prove_committed(&cfg, &p, &x, posted.salt, prover.address)?;
        verify_gas = market::measure_verify_gas(&prover, p.verifier, &evm).await?;
        locked_fulfil.push(market::fulfil(&prover, mkt, &task, &evm).await?.gas_used);
    }
    // An unlocked task fulfilled directly.
    let x = input(3);
    let posted = post_committed(&cfg, &p, &admin, &x, 3600).await?;
    let (evm, _) = prove_committed(&cfg, &p, &x, posted.salt, prover.address)?;
    let unlocked_gas = market::fulfil(&prover, mkt, &posted.task, &evm).await?.gas_used;
    let claim_gas = market::claim(&prover, mkt).await?.1.gas_used;

    // A locked task that misses its deadline, slashed by a keeper.
    let posted = post_committed(&cfg, &p, &admin, &input(4), 600).await?;
    let (task, _) = market::lock_task(&keeper, mkt, &posted.task).await?;
    admin.provider.anvil_increase_time(601).await?;
    admin.provider.anvil_mine(Some(1), None).await?;
    let slash_gas = market::slash(&prover, mkt, &task).await?.gas_used;

    let fulfil = locked_fulfil[1];
    eprintln!(
        "[bench] fulfil {fulfil} gas (target {FULFIL_TARGET}), first of an epoch {}, unlocked {unlocked_gas}",
        locked_fulfil[0]
    );
    Ok(serde_json::json!({
        "suite": "contracts",
        "model": cfg.model.name,
        "public_inputs": evm.public_inputs().len(),
        "stake": stake_gas,
        "post_task": post_gas,
        "lock": lock_gas,
        "fulfil": fulfil,
        "fulfil_first_in_epoch": locked_fulfil[0],
        "fulfil_unlocked": unlocked_gas,
        "claim": claim_gas,
        "slash": slash_gas,
        "verify": verify_gas,
        "fulfil_baseline": FULFIL_BASELINE,
        "fulfil_vs_baseline": fulfil as f64 / FULFIL_BASELINE as f64,
        "fulfil_target": FULFIL_TARGET,
        "fulfil_within_target": fulfil <= FULFIL_TARGET,
    }))
}
