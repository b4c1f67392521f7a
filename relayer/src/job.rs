//! The end-to-end inference job: deploy, stake, prove, relay, verify on-chain, claim, read back.
//! `mlproof demo` runs it against an embedded anvil; the integration tests run it too.

use std::{path::PathBuf, time::Instant};

use alloy::{
    primitives::{Address, U256},
    signers::local::PrivateKeySigner,
};
use mlproof_circuits::{engine, packing, QuantModel};
use mlproof_prover::{
    commitment::model_commitment,
    dev_setup, prove_inference,
    setup::DEV_SETUP_WARNING,
    solidity::{verifier_source, VerifierProvenance},
    verify_inference, EvmProof,
};
use serde::Serialize;

use crate::{
    chain::{spawn_anvil, Account},
    compile::Compiler,
    deploy::{deploy_consumer, deploy_protocol, deploy_verifier, register_model, Deployment, ProtocolConfig},
    error::{RelayerError, Result},
    submit,
};

/// What the job needs.
#[derive(Clone, Debug)]
pub struct JobConfig {
    /// Repository root (for `tools/solc`, `contracts/`, `node_modules/`).
    pub root: PathBuf,
    /// The model to prove.
    pub model: QuantModel,
    /// The int8 input.
    pub input: Vec<i8>,
    /// Seed of the development Groth16 setup.
    pub setup_seed: u64,
    /// Protocol parameters.
    pub protocol: ProtocolConfig,
}

/// One step, reported as it completes.
#[derive(Clone, Debug, Serialize)]
pub struct Step {
    /// What was done.
    pub name: String,
    /// Transaction hash, for on-chain steps.
    pub tx: Option<String>,
    /// Gas used, for on-chain steps.
    pub gas: Option<u64>,
    /// Extra detail (addresses, amounts, timings).
    pub detail: String,
}

/// The job's summary (the last line of `mlproof demo --json`).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Chain id of the local chain.
    pub chain_id: u64,
    /// Registered model id.
    pub model_id: u64,
    /// Model name.
    pub model: String,
    /// Output recorded on-chain, decoded to int8.
    pub output: Vec<i8>,
    /// Output of the native engine.
    pub native_output: Vec<i8>,
    /// The class the consumer contract derived on-chain.
    pub predicted_class: u8,
    /// The class the native engine predicts.
    pub native_class: usize,
    /// Whether the hub recorded the output as verified.
    pub verified: bool,
    /// Gas used by a transaction calling `verifyProof` directly (21,000 base + calldata + execution).
    pub verify_gas: u64,
    /// Gas used by the `submit` transaction.
    pub submit_gas: u64,
    /// Gas used by the `claim` transaction.
    pub claim_gas: u64,
    /// Reward paid by `claim`, in token base units (decimal string).
    pub reward_claimed: String,
    /// Number of constraints of the circuit.
    pub constraints: usize,
    /// Groth16 setup time in seconds.
    pub setup_s: f64,
    /// Proving time in seconds.
    pub prove_s: f64,
    /// Deployed addresses.
    pub contracts: Deployment,
    /// The verifier's address.
    pub verifier: Address,
    /// The consumer's address.
    pub consumer: Address,
}

fn step(observer: &mut dyn FnMut(&Step), name: &str, sent: Option<&crate::chain::Sent>, detail: String) {
    observer(&Step {
        name: name.to_owned(),
        tx: sent.map(|s| s.tx_hash.to_string()),
        gas: sent.map(|s| s.gas_used),
        detail,
    });
}

/// Verifier contract name for a model: `slice-mlp` → `SliceMlpVerifier`.
#[must_use]
pub fn verifier_name(model: &QuantModel) -> String {
    let mut name: String = model
        .name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| p[..1].to_ascii_uppercase() + &p[1..])
        .collect();
    if name.is_empty() || name.as_bytes()[0].is_ascii_digit() {
        name.insert_str(0, "Model");
    }
    name + "Verifier"
}

/// Runs the job on a fresh embedded anvil (stopped when the job ends).
pub async fn run_on_anvil(cfg: &JobConfig, observer: &mut dyn FnMut(&Step)) -> Result<Report> {
    let anvil = spawn_anvil(&cfg.root)?;
    step(observer, "start anvil", None, format!("{} (chain id {})", anvil.endpoint(), anvil.chain_id()));
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), signer(0))?;
    let prover = Account::connect(&anvil.endpoint(), signer(1))?;
    run(cfg, anvil.chain_id(), &admin, &prover, observer).await
}

/// A deployed protocol with one registered model, ready for proofs.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Groth16 keys of the model (development setup).
    pub keys: mlproof_prover::Keys,
    /// Protocol contracts.
    pub dep: Deployment,
    /// The model's verifier.
    pub verifier: Address,
    /// The example consumer.
    pub consumer: Address,
    /// Registered model id.
    pub model_id: U256,
    /// Setup time in seconds.
    pub setup_s: f64,
    /// Constraints of the circuit.
    pub constraints: usize,
}

/// Sets up keys, compiles, deploys, registers the model, deploys the consumer and funds rewards.
pub async fn prepare(cfg: &JobConfig, admin: &Account, observer: &mut dyn FnMut(&Step)) -> Result<Prepared> {
    let model = &cfg.model;
    let name = verifier_name(model);

    // Keys and the verifier generated from them.
    let t = Instant::now();
    let keys = dev_setup(model, cfg.setup_seed)?;
    let setup_s = t.elapsed().as_secs_f64();
    let constraints = mlproof_prover::setup::constraint_count(model)?;
    step(observer, "groth16 setup", None, format!("{constraints} constraints, {setup_s:.3}s ({DEV_SETUP_WARNING})"));
    let prov = VerifierProvenance {
        command: format!("mlproof demo (model {}, dev seed {})", model.name, cfg.setup_seed),
        circuit: model.name.clone(),
        setup: DEV_SETUP_WARNING.to_owned(),
    };
    let verifier_src = verifier_source(&keys.vk, &name, &prov);

    // Compile everything with foundry-compilers, the generated verifier in memory.
    let compiler = Compiler::new(&cfg.root)?;
    let t = Instant::now();
    let artifacts = compiler.compile_protocol(&[(format!("contracts/generated/{name}.sol"), verifier_src)])?;
    step(observer, "compile contracts", None, format!("solc via foundry-compilers, {:.1}s", t.elapsed().as_secs_f64()));

    // Deploy.
    let (dep, log) = deploy_protocol(admin, &artifacts, cfg.protocol).await?;
    for (what, sent) in &log {
        step(observer, what, Some(sent), String::new());
    }
    let (verifier, sent) = deploy_verifier(admin, &artifacts, &name).await?;
    step(observer, &format!("deploy {name}"), Some(&sent), verifier.to_string());
    let commitment = model_commitment(model);
    let words = |n: usize| u32::try_from(packing::words_for(n)).map_err(|_| RelayerError::Inconsistent("model too wide".into()));
    let (model_id, sent) =
        register_model(admin, dep.registry, verifier, commitment, words(model.input_len)?, words(model.output_len())?).await?;
    step(observer, "register model", Some(&sent), format!("model id {model_id}, commitment {commitment}"));
    let classes = u8::try_from(model.output_len()).unwrap_or(u8::MAX);
    let (consumer, sent) = deploy_consumer(admin, &artifacts, dep.hub, model_id, classes).await?;
    step(observer, "deploy DigitsClassifierConsumer", Some(&sent), consumer.to_string());

    let pool = cfg.protocol.reward_per_proof * U256::from(100);
    let sent = submit::mint(admin, dep.token, admin.address, pool).await?;
    step(observer, "mint reward pool", Some(&sent), format!("{pool}"));
    let sent = submit::fund_rewards(admin, dep.token, dep.hub, pool).await?;
    step(observer, "fund rewards", Some(&sent), format!("{pool}"));
    Ok(Prepared { keys, dep, verifier, consumer, model_id, setup_s, constraints })
}

/// Mints `min_stake` to `prover` (from `admin`, the token owner) and stakes it.
pub async fn mint_and_stake(cfg: &JobConfig, p: &Prepared, admin: &Account, prover: &Account, observer: &mut dyn FnMut(&Step)) -> Result<()> {
    let sent = submit::mint(admin, p.dep.token, prover.address, cfg.protocol.min_stake).await?;
    step(observer, "mint prover stake", Some(&sent), prover.address.to_string());
    let sent = submit::stake(prover, p.dep.token, p.dep.staking, cfg.protocol.min_stake).await?;
    step(observer, "stake", Some(&sent), format!("{} by {}", cfg.protocol.min_stake, prover.address));
    Ok(())
}

/// Runs the job with `admin` deploying and funding, and `prover` staking, proving and claiming.
pub async fn run(cfg: &JobConfig, chain_id: u64, admin: &Account, prover: &Account, observer: &mut dyn FnMut(&Step)) -> Result<Report> {
    let model = &cfg.model;
    let p = prepare(cfg, admin, observer).await?;
    mint_and_stake(cfg, &p, admin, prover, observer).await?;

    // Prove, bound to the prover's address.
    let native_output = engine::forward(model, &cfg.input)?;
    let t = Instant::now();
    let proof = prove_inference(&p.keys, model, &cfg.input, prover.address.into_array(), &mut rand::rngs::OsRng)?;
    let prove_s = t.elapsed().as_secs_f64();
    verify_inference(&p.keys.vk, &proof)?;
    step(observer, "prove", None, format!("{prove_s:.3}s, verified in Rust, output {:?}", proof.statement.output));
    let evm = EvmProof::new(&proof.proof, &proof.statement);
    let verify_gas = submit::measure_verify_gas(prover, p.verifier, &evm).await?;
    step(observer, "measure verifyProof gas", None, format!("{verify_gas} (a transaction calling the verifier)"));

    // Relay and read back.
    let sent = submit::submit_proof(prover, p.dep.hub, p.model_id, &evm).await?;
    let submit_gas = sent.gas_used;
    step(observer, "submit proof", Some(&sent), "verified on-chain, output recorded, reward credited".into());
    let words = submit::verified_output(&prover.provider, p.dep.hub, p.model_id, &evm.input)
        .await?
        .ok_or_else(|| RelayerError::Inconsistent("hub has no verified output after submit".into()))?;
    let output = decode_output(&words, model.output_len())?;
    let (predicted_class, sent) = submit::classify(admin, p.consumer, &evm.input).await?;
    step(observer, "consumer classify", Some(&sent), format!("class {predicted_class}"));
    let (reward, sent) = submit::claim(prover, p.dep.hub).await?;
    step(observer, "claim", Some(&sent), format!("{reward} paid to {}", prover.address));

    Ok(Report {
        chain_id,
        model_id: p.model_id.to::<u64>(),
        model: model.name.clone(),
        verified: output == native_output,
        output,
        native_class: engine::argmax(&native_output),
        native_output,
        predicted_class,
        verify_gas,
        submit_gas,
        claim_gas: sent.gas_used,
        reward_claimed: reward.to_string(),
        constraints: p.constraints,
        setup_s: p.setup_s,
        prove_s,
        contracts: p.dep,
        verifier: p.verifier,
        consumer: p.consumer,
    })
}

/// Decodes packed output words read from the chain into int8 values.
pub fn decode_output(words: &[U256], len: usize) -> Result<Vec<i8>> {
    let be: Vec<[u8; 32]> = words.iter().map(|w| w.to_be_bytes::<32>()).collect();
    packing::unpack_be_words(&be, len).ok_or_else(|| RelayerError::Inconsistent("verified output words are malformed".into()))
}
