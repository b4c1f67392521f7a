//! The end-to-end inference job: deploy, stake, post a task, lock it, prove, fulfil on-chain,
//! read the verified output back, claim. `mlproof demo` runs it against an embedded anvil; the
//! integration tests and `mlproof bench contracts` run it too.

use std::{path::PathBuf, time::Instant};

use alloy::{
    primitives::{Address, B256, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use mlproof_circuits::{native::engine, statement, InferenceCircuit, QuantModel, Salt};
use mlproof_prover::{
    commitment::model_commitment,
    prove_circuit,
    setup::{constraint_count_shape, dev_setup_shape, DEV_SETUP_WARNING},
    solidity::{verifier_source, VerifierProvenance},
    verify_inference, EvmProof, Keys,
};
use serde::Serialize;

use mlproof_relayer::{
    bindings::ITaskMarket::Task,
    chain::{rpc_error, spawn_anvil, Account},
};

use crate::{
    compile::Compiler,
    deploy::{
        deploy_consumer, deploy_protocol, deploy_verifier, register_model, tokens, Deployment, ModelRegistration,
        ProtocolConfig,
    },
    error::{NodeError, Result},
    market::{self, NewTask},
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
    /// Bounty of the task.
    pub bounty: U256,
    /// Collateral of the task.
    pub collateral: U256,
    /// Stake of the prover.
    pub stake: U256,
}

impl JobConfig {
    /// A job with the default protocol, a 5-token bounty, 50-token collateral and a 200-token stake.
    #[must_use]
    pub fn new(root: PathBuf, model: QuantModel, input: Vec<i8>, setup_seed: u64) -> Self {
        Self {
            root,
            model,
            input,
            setup_seed,
            protocol: ProtocolConfig::default(),
            bounty: tokens(5),
            collateral: tokens(50),
            stake: tokens(200),
        }
    }
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
    /// The task's statement id (replay key).
    pub statement_id: B256,
    /// The input commitment dApps read the output by.
    pub input_commitment: B256,
    /// Output recorded on-chain, decoded to int8.
    pub output: Vec<i8>,
    /// Output of the native engine.
    pub native_output: Vec<i8>,
    /// The class the consumer contract derived on-chain.
    pub predicted_class: u8,
    /// The class the native engine predicts.
    pub native_class: usize,
    /// Whether the market recorded the output and it equals the native engine's.
    pub verified: bool,
    /// Gas used by a transaction calling `verifyProof` directly (21,000 base + calldata + execution).
    pub verify_gas: u64,
    /// Gas used by `postTask`.
    pub post_gas: u64,
    /// Gas used by `lockTask`.
    pub lock_gas: u64,
    /// Gas used by `fulfil` (verify, record, release collateral, credit bounty and work).
    pub fulfil_gas: u64,
    /// Gas used by `claim`.
    pub claim_gas: u64,
    /// Amount paid by `claim` (the bounty), in token base units.
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

/// Reports a completed step (with its transaction, if any) to the observer.
pub fn report_step(
    observer: &mut dyn FnMut(&Step),
    name: &str,
    sent: Option<&mlproof_relayer::chain::Sent>,
    detail: String,
) {
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

/// Runs the job on a fresh embedded anvil (stopped when the job ends): account 0 deploys and
/// posts the task, account 1 proves.
pub async fn run_on_anvil(cfg: &JobConfig, observer: &mut dyn FnMut(&Step)) -> Result<Report> {
    let anvil = spawn_anvil(&cfg.root)?;
    report_step(observer, "start anvil", None, format!("{} (chain id {})", anvil.endpoint(), anvil.chain_id()));
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), signer(0)).await?;
    let prover = Account::connect(&anvil.endpoint(), signer(1)).await?;
    run(cfg, anvil.chain_id(), &admin, &prover, observer).await
}

/// A deployed protocol with one registered model (committed input), ready for tasks.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Groth16 keys of the model (development setup, committed input).
    pub keys: Keys,
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

/// Sets up keys, compiles, deploys, registers the model, deploys the consumer and funds emissions.
pub async fn prepare(cfg: &JobConfig, admin: &Account, observer: &mut dyn FnMut(&Step)) -> Result<Prepared> {
    let model = &cfg.model;
    let name = verifier_name(model);

    // Keys (committed input: one public input word instead of the packed input) and their verifier.
    let t = Instant::now();
    let keys = dev_setup_shape(model, cfg.setup_seed, mlproof_circuits::Visibility::Public, true)?;
    let setup_s = t.elapsed().as_secs_f64();
    let constraints = constraint_count_shape(model, mlproof_circuits::Visibility::Public, true)?;
    report_step(
        observer,
        "groth16 setup",
        None,
        format!("{constraints} constraints (committed input), {setup_s:.3}s ({DEV_SETUP_WARNING})"),
    );
    let prov = VerifierProvenance {
        command: format!("mlproof demo (model {}, committed input, dev seed {})", model.name, cfg.setup_seed),
        circuit: model.name.clone(),
        setup: DEV_SETUP_WARNING.to_owned(),
    };
    let verifier_src = verifier_source(&keys.vk, &name, &prov);

    // Compile everything with foundry-compilers, the generated verifier in memory.
    let compiler = Compiler::new(&cfg.root)?;
    let t = Instant::now();
    let artifacts = compiler.compile_protocol(&[(format!("contracts/generated/{name}.sol"), verifier_src)])?;
    report_step(
        observer,
        "compile contracts",
        None,
        format!("solc via foundry-compilers, {:.1}s", t.elapsed().as_secs_f64()),
    );

    // Deploy and register.
    let (dep, log) = deploy_protocol(admin, &artifacts, &cfg.protocol).await?;
    for (what, sent) in &log {
        report_step(observer, what, Some(sent), String::new());
    }
    let (verifier, sent) = deploy_verifier(admin, &artifacts, &name).await?;
    report_step(observer, &format!("deploy {name}"), Some(&sent), verifier.to_string());
    let commitment = model_commitment(model);
    let output_words = u32::try_from(statement::output_words_for(model.output_len()))
        .map_err(|_| NodeError::Inconsistent("model too wide".into()))?;
    let registration = ModelRegistration {
        verifier,
        commitment,
        weights_commitment: None,
        input_words: 1,
        output_words,
        work_units: model.macs() as u64,
        metadata_uri: format!("mlproof:{}", model.name),
    };
    let (model_id, sent) = register_model(admin, dep.registry, &registration).await?;
    report_step(
        observer,
        "register model",
        Some(&sent),
        format!("model id {model_id}, commitment {commitment}, {} work units", registration.work_units),
    );
    let classes = u8::try_from(model.output_len()).unwrap_or(u8::MAX);
    let (consumer, sent) = deploy_consumer(admin, &artifacts, dep.market, model_id, classes).await?;
    report_step(observer, "deploy DigitsClassifierConsumer", Some(&sent), consumer.to_string());

    let pool = cfg.protocol.emission_per_epoch * U256::from(10);
    let sent = market::mint(admin, dep.token, admin.address, pool).await?;
    report_step(observer, "mint emission pool", Some(&sent), format!("{pool}"));
    let sent = market::fund_emissions(admin, dep.token, dep.market, pool).await?;
    report_step(observer, "fund emissions", Some(&sent), format!("{pool}"));
    Ok(Prepared { keys, dep, verifier, consumer, model_id, setup_s, constraints })
}

/// Mints the job's stake to `prover` (from `admin`, the token owner) and stakes it.
pub async fn mint_and_stake(
    cfg: &JobConfig,
    p: &Prepared,
    admin: &Account,
    prover: &Account,
    observer: &mut dyn FnMut(&Step),
) -> Result<()> {
    let sent = market::mint(admin, p.dep.token, prover.address, cfg.stake).await?;
    report_step(observer, "mint prover stake", Some(&sent), prover.address.to_string());
    let sent = market::stake(prover, p.dep.token, p.dep.market, cfg.stake).await?;
    report_step(observer, "stake", Some(&sent), format!("{} by {}", cfg.stake, prover.address));
    Ok(())
}

/// A task posted for a committed input, with what the prover needs to open the commitment.
#[derive(Clone, Debug)]
pub struct PostedTask {
    /// Statement id.
    pub id: B256,
    /// The task as stored.
    pub task: Task,
    /// The input commitment's salt.
    pub salt: Salt,
    /// The `postTask` transaction.
    pub sent: mlproof_relayer::chain::Sent,
}

/// Seconds since the epoch of the chain's latest block.
pub async fn chain_time(account: &Account) -> Result<u64> {
    let block = account
        .provider
        .get_block_by_number(alloy::eips::BlockNumberOrTag::Latest)
        .await
        .map_err(|e| rpc_error("eth_getBlockByNumber", e))?
        .ok_or_else(|| NodeError::Inconsistent("no latest block".into()))?;
    Ok(block.header.timestamp)
}

/// `requester` posts a task for `input` under a fresh random salt, with the input and salt published
/// as the task's input data (JSON), and a deadline `duration` seconds from now.
pub async fn post_committed(
    cfg: &JobConfig,
    p: &Prepared,
    requester: &Account,
    input: &[i8],
    duration: u64,
) -> Result<PostedTask> {
    let salt = market::random_salt();
    let posted = market::task_input(input, market::InputLayout::Committed { salt, publish: true });
    let new = NewTask {
        model_id: p.model_id,
        input: posted.words,
        bounty: cfg.bounty,
        collateral: cfg.collateral,
        deadline: chain_time(requester).await? + duration,
        input_data: posted.data,
        ramp: None,
    };
    let (id, task, sent) = market::post_task(requester, p.dep.token, p.dep.market, &new).await?;
    Ok(PostedTask { id, task, salt, sent })
}

/// Proves `input` (committed with `salt`) for `prover`.
pub fn prove_committed(
    cfg: &JobConfig,
    p: &Prepared,
    input: &[i8],
    salt: Salt,
    prover: Address,
) -> Result<(EvmProof, f64)> {
    prove_committed_with(&cfg.model, &p.keys, input, salt, None, prover)
}

/// Proves `input` of `model` (committed with `salt`) for `prover` with `keys`, and checks the proof
/// in Rust; returns it with the proving time in seconds. With `weights_salt` the weights are
/// private witnesses bound to their Poseidon commitment under that salt.
pub fn prove_committed_with(
    model: &QuantModel,
    keys: &Keys,
    input: &[i8],
    salt: Salt,
    weights_salt: Option<Salt>,
    prover: Address,
) -> Result<(EvmProof, f64)> {
    let t = Instant::now();
    let (circuit, _) = match weights_salt {
        Some(w) => InferenceCircuit::new_private(model, input, prover.into_array(), w)?,
        None => InferenceCircuit::new(model, input, prover.into_array())?,
    };
    let (circuit, statement) = circuit.with_committed_input(Some(salt));
    let statement = statement.ok_or_else(|| NodeError::Inconsistent("no statement for a committed input".into()))?;
    let proof = prove_circuit(keys, circuit, statement, &mut rand::rngs::OsRng)?;
    let prove_s = t.elapsed().as_secs_f64();
    verify_inference(&keys.vk, &proof)?;
    Ok((EvmProof::new(&proof.proof, &proof.statement), prove_s))
}

/// Runs the job: `admin` deploys, funds and posts the task; `prover` stakes, locks, proves,
/// fulfils and claims the bounty; the consumer classifies the input from the verified output.
pub async fn run(
    cfg: &JobConfig,
    chain_id: u64,
    admin: &Account,
    prover: &Account,
    observer: &mut dyn FnMut(&Step),
) -> Result<Report> {
    let model = &cfg.model;
    let p = prepare(cfg, admin, observer).await?;
    mint_and_stake(cfg, &p, admin, prover, observer).await?;
    let fee = market::fee_for(&admin.provider, p.dep.market, cfg.bounty).await?;
    let sent = market::mint(admin, p.dep.token, admin.address, cfg.bounty + fee).await?;
    report_step(observer, "mint bounty", Some(&sent), format!("{} + protocol fee {fee}", cfg.bounty));

    // The requester posts a task for a committed input.
    let posted = post_committed(cfg, &p, admin, &cfg.input, 3600).await?;
    report_step(
        observer,
        "post task",
        Some(&posted.sent),
        format!("statement {}, bounty {}, collateral {}", posted.id, cfg.bounty, cfg.collateral),
    );

    // The prover finds it on-chain, locks it, proves and fulfils.
    let task = market::find_task(&prover.provider, p.dep.market, posted.id)
        .await?
        .ok_or_else(|| NodeError::Inconsistent("the posted task is not open".into()))?;
    let (task, sent) = market::lock_task(prover, p.dep.market, &task).await?;
    let lock_gas = sent.gas_used;
    report_step(
        observer,
        "lock task",
        Some(&sent),
        format!("collateral {} locked by {}", cfg.collateral, prover.address),
    );
    let native_output = engine::forward(model, &cfg.input)?;
    let (evm, prove_s) = prove_committed(cfg, &p, &cfg.input, posted.salt, prover.address)?;
    report_step(observer, "prove", None, format!("{prove_s:.3}s, verified in Rust"));
    let verify_gas = market::measure_verify_gas(prover, p.verifier, &evm).await?;
    report_step(
        observer,
        "measure verifyProof gas",
        None,
        format!("{verify_gas} (a transaction calling the verifier)"),
    );
    let sent = market::fulfil(prover, p.dep.market, &task, &evm).await?;
    let fulfil_gas = sent.gas_used;
    report_step(
        observer,
        "fulfil",
        Some(&sent),
        "verified on-chain, output recorded, collateral released, bounty credited".into(),
    );

    // Read back, act on it, get paid.
    let words = market::verified_output(&prover.provider, p.dep.market, p.model_id, &evm.input)
        .await?
        .ok_or_else(|| NodeError::Inconsistent("the market has no verified output after fulfil".into()))?;
    let output = decode_output(&words, model.output_len())?;
    let (predicted_class, sent) = market::classify(admin, p.consumer, &evm.input).await?;
    report_step(observer, "consumer classify", Some(&sent), format!("class {predicted_class}"));
    let (reward, sent) = market::claim(prover, p.dep.market).await?;
    report_step(observer, "claim", Some(&sent), format!("{reward} paid to {}", prover.address));
    let txs = |a: &Account| {
        let c = a.txm().counters();
        format!(
            "{} confirmed, {} reverted, {} replaced, {} re-sent",
            c.confirmed, c.reverted, c.replaced, c.dropped_resent
        )
    };
    report_step(observer, "transaction manager", None, format!("requester: {}; prover: {}", txs(admin), txs(prover)));

    Ok(Report {
        chain_id,
        model_id: p.model_id.to::<u64>(),
        model: model.name.clone(),
        statement_id: posted.id,
        input_commitment: market::input_hash(&evm.input),
        verified: output == native_output,
        output,
        native_class: engine::argmax(&native_output),
        native_output,
        predicted_class,
        verify_gas,
        post_gas: posted.sent.gas_used,
        lock_gas,
        fulfil_gas,
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
    statement::unpack_output_be_words(&be, len)
        .ok_or_else(|| NodeError::Inconsistent("verified output words are malformed".into()))
}
