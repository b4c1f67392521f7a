//! `mlproof bench batch`: gas of batch verification and of `fulfilBatch` on a local anvil, for
//! batch sizes 1 to 64, with the digits MLP (committed input, its generated verifier). Every
//! number is the `gasUsed` of a real transaction receipt (21,000 base + calldata + execution)
//! divided by the batch size, beside the floor the issue computes for that size.

use alloy::primitives::U256;
use eyre::{Context, Result};
use mlproof_circuits::native::slice::sample_input;
use mlproof_node::{
    compile::find_root,
    job::{mint_and_stake, post_committed, prepare, prove_committed, JobConfig},
    market,
};
use mlproof_prover::{batch, EvmProof};
use mlproof_relayer::{
    bindings::IGroth16BatchVerifier,
    chain::{spawn_anvil, Account},
};
use serde_json::{json, Map, Value};

/// The batch sizes measured.
const SIZES: [usize; 7] = [1, 2, 4, 8, 16, 32, 64];
/// Locks the prover holds at once (the largest batch, plus room).
const MAX_LOCKS: u64 = 70;
/// Issue 15's targets: verify gas per proof at 16 and 32, fulfil gas per proof at 16.
const VERIFY_TARGET_16: u64 = 66_000;
const VERIFY_TARGET_32: u64 = 60_000;
const FULFIL_TARGET_16: u64 = 100_000;

/// The floor of a same-key randomized batch per proof, transaction included (issue 15): one
/// pairing pair (34,000), two scalar multiplications (12,000), two additions and about 5,000 of
/// calldata per proof (52,400), plus the shared pairing base (45,000), the three shared pairs
/// (102,000), the input multiplications (6,000 each for IC₀..IC_ℓ with `ℓ = public_inputs`) and
/// the 21,000 transaction base, divided by `n`.
fn floor_gas_per_proof(n: usize, public_inputs: usize) -> f64 {
    52_400.0 + (45_000.0 + 3.0 * 34_000.0 + 6_000.0 * (public_inputs as f64 + 1.0) + 21_000.0) / n as f64
}

/// Runs the suite and prints one JSON object.
pub fn run() -> Result<()> {
    let root = find_root(&std::env::current_dir()?).ok_or_else(|| eyre::eyre!("run inside the mlproof repository"))?;
    let model = crate::common::load_model(&root.join("models/digits-mlp.json"))?;
    let mut cfg = JobConfig::new(root, model, Vec::new(), 1);
    // Enough stake for 64 open locks of the default collateral at once.
    cfg.stake = cfg.collateral * U256::from(MAX_LOCKS);
    let rt = tokio::runtime::Runtime::new()?;
    let out = rt.block_on(measure(cfg)).wrap_err("batch benchmark failed")?;
    println!("{out}");
    Ok(())
}

async fn measure(cfg: JobConfig) -> Result<Value> {
    let anvil = spawn_anvil(&cfg.root)?;
    let url = anvil.endpoint();
    let account =
        |i: usize| Account::connect(&url, alloy::signers::local::PrivateKeySigner::from(anvil.keys()[i].clone()));
    let (admin, prover) = (account(0).await?, account(1).await?);
    let p = prepare(&cfg, &admin, &mut |_| {}).await?;
    mint_and_stake(&cfg, &p, &admin, &prover, &mut |_| {}).await?;
    let total: usize = SIZES.iter().sum::<usize>() + 1;
    market::mint(&admin, p.dep.token, admin.address, cfg.bounty * U256::from(total as u64 * 2)).await?;

    let mut seed = 1000;
    let (mut verify, mut fulfil, mut floor) = (Map::new(), Map::new(), Map::new());
    let mut single_verify_gas = 0;
    let mut public_inputs = 0;
    let mut prove_s = 0.0;
    for n in SIZES {
        // n locked tasks of the digits model, each proved for the prover.
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            seed += 1;
            let x = sample_input(seed, cfg.model.input_len);
            let posted = post_committed(&cfg, &p, &admin, &x, 3600).await?;
            let (task, _) = market::lock_task(&prover, p.dep.market, &posted.task).await?;
            let (evm, seconds) = prove_committed(&cfg, &p, &x, posted.salt, prover.address)?;
            prove_s += seconds;
            items.push((task, evm));
        }
        let proofs: Vec<EvmProof> = items.iter().map(|(_, e)| e.clone()).collect();
        public_inputs = proofs[0].public_inputs().len();
        if !batch::verify_evm_batch(&p.keys.vk, &proofs)? {
            eyre::bail!("the native batch check rejected a batch of {n} fresh proofs");
        }
        if n == 1 {
            single_verify_gas = market::measure_verify_gas(&prover, p.verifier, &proofs[0]).await?;
        }
        let (flat_proofs, flat_inputs) = batch::flatten(&proofs);
        let v = IGroth16BatchVerifier::new(p.verifier, &prover.provider);
        let call = v.verifyBatch(flat_proofs, flat_inputs);
        if !call.call().await.wrap_err("verifyBatch call")? {
            eyre::bail!("the on-chain verifyBatch rejected a batch the native check accepted");
        }
        let verify_gas = prover.send("verifyBatch (gas measurement)", call.gas(30_000_000)).await?.gas_used;
        let (sent, skipped) = market::fulfil_batch(&prover, p.dep.market, &items).await?;
        if !skipped.is_empty() {
            eyre::bail!("fulfilBatch skipped {} of {n} tasks", skipped.len());
        }
        let key = n.to_string();
        verify.insert(key.clone(), json!(verify_gas / n as u64));
        fulfil.insert(key.clone(), json!(sent.gas_used / n as u64));
        floor.insert(key, json!(floor_gas_per_proof(n, public_inputs).round() as u64));
        eprintln!(
            "[bench] batch of {n}: verify {} gas/proof, fulfilBatch {} gas/proof",
            verify_gas / n as u64,
            sent.gas_used / n as u64
        );
    }
    let at = |m: &Map<String, Value>, n: &str| m[n].as_u64().unwrap_or(u64::MAX);
    Ok(json!({
        "suite": "batch",
        "model": cfg.model.name,
        "public_inputs": public_inputs,
        "single_verify_gas": single_verify_gas,
        "verify_gas_per_proof": verify,
        "fulfil_gas_per_proof": fulfil,
        "floor_gas_per_proof": floor,
        "verify_vs_floor_16": at(&verify, "16") as f64 / floor_gas_per_proof(16, public_inputs),
        "verify_vs_floor_32": at(&verify, "32") as f64 / floor_gas_per_proof(32, public_inputs),
        "targets": {
            "verify_16": VERIFY_TARGET_16, "verify_32": VERIFY_TARGET_32, "fulfil_16": FULFIL_TARGET_16,
        },
        "within_targets": at(&verify, "16") <= VERIFY_TARGET_16
            && at(&verify, "32") <= VERIFY_TARGET_32
            && at(&fulfil, "16") <= FULFIL_TARGET_16,
        "prove_s_total": prove_s,
    }))
}
