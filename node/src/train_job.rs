//! The training job: N proven SGD steps relayed to a TrainingLedger, between two proven held-out
//! evaluations (`mlproof demo --train N`, `mlproof bench training`).
//!
//! 1. Development Groth16 setups of the step circuit (with data provenance) and of the evaluation
//!    circuit, their Solidity verifiers compiled with the protocol and deployed.
//! 2. A training model registered with the step verifier; the ledger initialized with the training
//!    set's Merkle root, the evaluation set's root, the start weights' head, the evaluation verifier
//!    and the reward rates, and funded.
//! 3. The start head evaluated and proven (the baseline, `accuracy_before`).
//! 4. Each step: the seed computed from the lineage ([`training::lineage_seed`]: head and SGD step
//!    count, the same for every prover, no transaction) and checked against the ledger's `seedOf`,
//!    the batch derived from it, the step proven natively bit-exact, the proof checked locally,
//!    `submitStep`. Entry `i` carries the public step word `i · steps_per_proof`.
//! 5. The final head (lineage position `steps / steps_per_proof`) evaluated and proven
//!    (`accuracy_after`); the improvement reward of the entries that produced it claimed and
//!    everything withdrawn; the lineage read back from the contract and checked against the native
//!    heads.
//!
//! Every score reported is the one the contract recorded from a verified proof, and each is checked
//! against the native [`Mlp::evaluate`].

use std::{path::PathBuf, time::Instant};

use alloy::{
    primitives::{keccak256, Address, B256, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use ark_bn254::Fr;
use mlproof_circuits::{
    dataset::{DatasetTree, Sample},
    eval::{self, EvalCircuit, EvalShape},
    native::trainer::{Mlp, TrainConfig},
    train::{self, head, TrainShape, TrainStepCircuit},
};
use mlproof_prover::{
    evm::{fr_to_u256, u256_to_fr},
    setup::DEV_SETUP_WARNING,
    solidity::{verifier_source, VerifierProvenance},
    training::{dev_setup_eval, dev_setup_step, evm_proof_words, prove_eval, prove_step, verify_eval, verify_step},
    Keys,
};
use serde::Serialize;

use mlproof_relayer::{
    bindings::ITrainingLedger,
    chain::{rpc_error, spawn_anvil, Account},
};

use crate::{
    compile::Compiler,
    deploy::{deploy_protocol, deploy_verifier, tokens, Deployment, ProtocolConfig},
    error::{NodeError, Result},
    job::{report_step, Step},
    market, training,
};

/// Name of the generated step verifier contract.
pub const STEP_VERIFIER: &str = "TrainStepVerifier";
/// Name of the generated evaluation verifier contract.
pub const EVAL_VERIFIER: &str = "TrainEvalVerifier";

/// What to train, on what, and how it is rewarded.
#[derive(Clone, Debug)]
pub struct TrainJobConfig {
    /// Repository root (contracts, toolchain).
    pub root: PathBuf,
    /// The training set (its Merkle root is registered; batches are drawn from it by seed).
    pub train: Vec<Sample>,
    /// The held-out evaluation set (its Merkle root is registered; every sample is scored).
    pub eval: Vec<Sample>,
    /// The committed start weights.
    pub start: Mlp,
    /// Fixed-point SGD hyper-parameters.
    pub cfg: TrainConfig,
    /// Verified SGD steps to run (a multiple of `steps_per_proof`).
    pub steps: usize,
    /// SGD steps per proof `k` (the step circuit proves `k` consecutive steps).
    pub steps_per_proof: usize,
    /// Samples per step.
    pub batch: usize,
    /// Seed of the development setups (NOT FOR PRODUCTION).
    pub setup_seed: u64,
    /// Work units per verified step (registry).
    pub work_units: u64,
    /// Tokens per verified step.
    pub step_reward: U256,
    /// Tokens per held-out correct answer gained.
    pub point_reward: U256,
    /// The reward budget funded at the start.
    pub budget: U256,
}

impl TrainJobConfig {
    /// A job with the default rewards: 1 token per step, 2 per correct answer gained, 1,000 funded.
    #[must_use]
    pub fn new(root: PathBuf, train: Vec<Sample>, eval: Vec<Sample>, start: Mlp, steps: usize, batch: usize) -> Self {
        Self {
            root,
            train,
            eval,
            start,
            cfg: TrainConfig::default(),
            steps,
            steps_per_proof: 1,
            batch,
            setup_seed: 1,
            work_units: 10,
            step_reward: tokens(1),
            point_reward: tokens(2),
            budget: tokens(1_000),
        }
    }
}

/// One verified step as the contract recorded it.
#[derive(Clone, Debug, Serialize)]
pub struct LineageEntry {
    /// Step number.
    pub step: u64,
    /// Head before the step.
    pub head_before: B256,
    /// Head after the step.
    pub head_after: B256,
    /// The prover paid for it.
    pub prover: Address,
    /// Block of the verification.
    pub block: u64,
}

/// The job's summary (the last line of `mlproof demo --train N --json`).
#[derive(Clone, Debug, Serialize)]
pub struct TrainReport {
    /// Chain id of the local chain.
    pub chain_id: u64,
    /// Registered training model id.
    pub model_id: u64,
    /// SGD steps verified on-chain (the ledger's step count).
    pub steps_verified: usize,
    /// SGD steps per proof.
    pub steps_per_proof: usize,
    /// Proven held-out accuracy of the start head.
    pub accuracy_before: f64,
    /// Proven held-out accuracy of the final head.
    pub accuracy_after: f64,
    /// Proven correct answers before and after, out of `eval_samples`.
    pub correct_before: u32,
    /// See `correct_before`.
    pub correct_after: u32,
    /// Size of the evaluation set.
    pub eval_samples: u32,
    /// Proven summed squared error before.
    pub loss_sum_before: u64,
    /// Proven summed squared error after.
    pub loss_sum_after: u64,
    /// The start head (registered at `initTraining`).
    pub head_before: B256,
    /// The final head, read back from the contract.
    pub head_after: B256,
    /// The lineage read back from the contract.
    pub lineage: Vec<LineageEntry>,
    /// Whether every head, score and the lineage equal the native trainer's.
    pub matches_native: bool,
    /// Gas of each `submitStep` (one per proof).
    pub step_gas: Vec<u64>,
    /// Mean gas of `submitStep` per SGD step (per proof divided by `steps_per_proof`).
    pub gas_per_step: u64,
    /// Gas of each `submitEval`.
    pub eval_gas: Vec<u64>,
    /// Constraints of the step circuit per SGD step (per proof divided by `steps_per_proof`).
    pub constraints_per_step: usize,
    /// Constraints of one step proof.
    pub constraints_per_proof: usize,
    /// Constraints of the evaluation circuit.
    pub eval_constraints: usize,
    /// Setup times (step, evaluation) in seconds.
    pub setup_s: [f64; 2],
    /// Mean proving time per SGD step in seconds.
    pub prove_s_per_step: f64,
    /// Mean evaluation proving time in seconds.
    pub eval_prove_s: f64,
    /// Step rewards credited (token base units).
    pub step_rewards: String,
    /// The improvement reward of the closing evaluation.
    pub improvement_reward: String,
    /// Total withdrawn by the prover.
    pub withdrawn: String,
    /// Protocol contracts.
    pub contracts: Deployment,
    /// The ledger.
    pub ledger: Address,
}

fn b256(v: U256) -> B256 {
    B256::from(v)
}

fn fr(v: U256) -> Result<Fr> {
    u256_to_fr(v).ok_or_else(|| NodeError::Inconsistent(format!("{v:#x} is not a field element")))
}

/// Runs the job on a fresh embedded anvil: account 0 owns the model, funds and evaluates; account 1
/// trains.
pub async fn run_training_on_anvil(cfg: &TrainJobConfig, observer: &mut dyn FnMut(&Step)) -> Result<TrainReport> {
    let anvil = spawn_anvil(&cfg.root)?;
    report_step(observer, "start anvil", None, format!("{} (chain id {})", anvil.endpoint(), anvil.chain_id()));
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let owner = Account::connect(&anvil.endpoint(), signer(0)).await?;
    let trainer = Account::connect(&anvil.endpoint(), signer(1)).await?;
    run_training(cfg, anvil.chain_id(), &owner, &trainer, observer).await
}

struct Keyed {
    step: Keys,
    eval: Keys,
    step_shape: TrainShape,
    eval_shape: EvalShape,
    setup_s: [f64; 2],
}

fn setup(cfg: &TrainJobConfig, tree: &DatasetTree<Fr>, observer: &mut dyn FnMut(&Step)) -> Result<Keyed> {
    let m = &cfg.start;
    let step_shape = TrainShape {
        inputs: m.inputs,
        hidden: m.hidden,
        classes: m.classes,
        batch: cfg.batch,
        steps: cfg.steps_per_proof,
        depth: Some(tree.depth()),
    };
    let eval_shape = EvalShape { inputs: m.inputs, hidden: m.hidden, classes: m.classes, samples: cfg.eval.len() };
    let t = Instant::now();
    let step = dev_setup_step(TrainStepCircuit::for_setup(step_shape, cfg.cfg), cfg.setup_seed)?;
    let step_s = t.elapsed().as_secs_f64();
    report_step(
        observer,
        "setup step circuit",
        None,
        format!(
            "{} constraints, {} step(s) of batch {} per proof, {step_s:.1} s ({DEV_SETUP_WARNING})",
            train::constraint_count(&step_shape, &cfg.cfg),
            cfg.steps_per_proof,
            cfg.batch
        ),
    );
    let t = Instant::now();
    let eval = dev_setup_eval(EvalCircuit::for_setup(eval_shape, cfg.cfg), cfg.setup_seed.wrapping_add(1))?;
    let eval_s = t.elapsed().as_secs_f64();
    report_step(
        observer,
        "setup evaluation circuit",
        None,
        format!(
            "{} constraints, {} held-out samples, {eval_s:.1} s",
            eval::constraint_count(&eval_shape, &cfg.cfg),
            cfg.eval.len()
        ),
    );
    Ok(Keyed { step, eval, step_shape, eval_shape, setup_s: [step_s, eval_s] })
}

/// Proves and submits the evaluation of `weights` (the head at lineage `position`) by `evaluator`;
/// checks the recorded score against the native one. Returns the event, the gas and the proving
/// time.
#[allow(clippy::too_many_arguments)]
async fn evaluate(
    keys: &Keys,
    weights: &Mlp,
    set: &DatasetTree<Fr>,
    salt: Fr,
    cfg: &TrainConfig,
    evaluator: &Account,
    ledger: Address,
    model_id: U256,
    position: u64,
) -> Result<(ITrainingLedger::EvaluationVerified, u64, f64)> {
    let t = Instant::now();
    let (circuit, statement) = EvalCircuit::new(weights, set, evaluator.address.into_array(), cfg, salt)?;
    let proof = prove_eval(keys, circuit, &mut rand::rngs::OsRng)?;
    let prove_s = t.elapsed().as_secs_f64();
    verify_eval(keys, &statement, &proof)?;
    let (event, sent) =
        training::submit_eval(evaluator, ledger, model_id, position, &statement.score, evm_proof_words(&proof)).await?;
    if (event.correct, event.total, event.lossSum)
        != (statement.score.correct, statement.score.total, statement.score.loss_sum)
    {
        return Err(NodeError::Inconsistent(format!(
            "recorded score {event:?} differs from the proven {:?}",
            statement.score
        )));
    }
    Ok((event, sent.gas_used, prove_s))
}

/// Runs the job against a chain where `owner` and `trainer` are funded accounts and blocks can be
/// mined on demand (anvil).
pub async fn run_training(
    cfg: &TrainJobConfig,
    chain_id: u64,
    owner: &Account,
    trainer: &Account,
    observer: &mut dyn FnMut(&Step),
) -> Result<TrainReport> {
    if cfg.steps == 0
        || cfg.batch == 0
        || cfg.eval.is_empty()
        || cfg.steps_per_proof == 0
        || !cfg.steps.is_multiple_of(cfg.steps_per_proof)
    {
        return Err(NodeError::Inconsistent(format!(
            "a training job needs at least one step (a multiple of the {} steps per proof), one sample per batch and one evaluation sample",
            cfg.steps_per_proof
        )));
    }
    let k = cfg.steps_per_proof;
    let tree = DatasetTree::<Fr>::new(cfg.train.clone())?;
    let eval_set = DatasetTree::<Fr>::new(cfg.eval.clone())?;
    report_step(
        observer,
        "commit data sets",
        None,
        format!(
            "{} training samples (depth {}), {} held-out samples",
            tree.num_samples(),
            tree.depth(),
            eval_set.num_samples()
        ),
    );
    let keyed = setup(cfg, &tree, observer)?;
    let prov = |circuit: &str| VerifierProvenance {
        command: "mlproof demo --train".into(),
        circuit: circuit.into(),
        setup: DEV_SETUP_WARNING.into(),
    };
    let m = &cfg.start;
    let shape_name = format!("{}-{}-{}", m.inputs, m.hidden, m.classes);
    let sources = [
        (
            format!("contracts/generated/{STEP_VERIFIER}.sol"),
            verifier_source(&keyed.step.vk, STEP_VERIFIER, &prov(&format!("train-step-{shape_name}-b{}", cfg.batch))),
        ),
        (
            format!("contracts/generated/{EVAL_VERIFIER}.sol"),
            verifier_source(
                &keyed.eval.vk,
                EVAL_VERIFIER,
                &prov(&format!("train-eval-{shape_name}-n{}", cfg.eval.len())),
            ),
        ),
    ];
    let artifacts = Compiler::new(&cfg.root)?.compile_protocol(&sources)?;
    report_step(observer, "compile contracts", None, "protocol + step and evaluation verifiers".into());

    let (dep, _) = deploy_protocol(owner, &artifacts, &ProtocolConfig::default()).await?;
    let (step_verifier, sent) = deploy_verifier(owner, &artifacts, STEP_VERIFIER).await?;
    report_step(observer, "deploy step verifier", Some(&sent), step_verifier.to_string());
    let (eval_verifier, sent) = deploy_verifier(owner, &artifacts, EVAL_VERIFIER).await?;
    report_step(observer, "deploy evaluation verifier", Some(&sent), eval_verifier.to_string());
    let commitment = keccak256(format!("mlproof-train-v1 {shape_name} batch {} {:?}", cfg.batch, cfg.cfg));
    let model_id =
        training::register_training_model(owner, dep.registry, step_verifier, commitment, cfg.work_units).await?;
    report_step(observer, "register training model", None, format!("id {model_id}"));
    let (ledger, sent) = training::deploy_ledger(owner, &artifacts, dep.registry, dep.token, 3600).await?;
    report_step(observer, "deploy TrainingLedger", Some(&sent), ledger.to_string());

    let salt: Fr = market::random_salt().to_field();
    let mut weights = cfg.start.clone();
    let head0 = fr_to_u256(head::<Fr>(&weights, &cfg.cfg, salt));
    let params = ITrainingLedger::TrainingParams {
        datasetRoot: b256(fr_to_u256(tree.root())),
        evalRoot: fr_to_u256(eval_set.root()),
        initialHead: head0,
        evalVerifier: eval_verifier,
        stepReward: cfg.step_reward,
        pointReward: cfg.point_reward,
        stepsPerProof: k as u64,
    };
    let sent = training::init_training(owner, ledger, model_id, params).await?;
    report_step(observer, "initTraining", Some(&sent), format!("start head {:#x}", head0));
    let sent = market::mint(owner, dep.token, owner.address, cfg.budget).await?;
    report_step(observer, "mint reward budget", Some(&sent), cfg.budget.to_string());
    let sent = training::fund(owner, dep.token, ledger, model_id, cfg.budget, eval_verifier).await?;
    report_step(observer, "fund training", Some(&sent), cfg.budget.to_string());

    let mut native_ok = true;
    let (before, gas, prove0) =
        evaluate(&keyed.eval, &weights, &eval_set, salt, &cfg.cfg, owner, ledger, model_id, 0).await?;
    native_ok &= weights.evaluate(&cfg.eval, &cfg.cfg)?.correct == before.correct;
    let mut eval_gas = vec![gas];
    report_step(
        observer,
        "prove + submitEval (start)",
        None,
        format!(
            "{}/{} correct, loss sum {}, gas {gas}, proved in {prove0:.1} s",
            before.correct, before.total, before.lossSum
        ),
    );

    let mut step_gas = Vec::new();
    let mut prove_total = 0.0;
    let mut heads = vec![head0];
    for entry in 0..(cfg.steps / k) as u64 {
        // Entry `entry` extends `entry · k` SGD steps: that is its public step word and, with the head,
        // all its seed depends on (no claim, nothing a prover can re-draw).
        let step = entry * k as u64;
        let seed_word = training::lineage_seed(chain_id, ledger, model_id, *heads.last().expect("start head"), step);
        let on_chain = training::seed_of(&trainer.provider, ledger, model_id).await?;
        if seed_word != on_chain {
            return Err(NodeError::Inconsistent(format!(
                "the lineage seed {seed_word:#x} differs from the ledger's seedOf {on_chain:#x}"
            )));
        }
        let seed = fr(seed_word)?;
        let t = Instant::now();
        let (circuit, statement, after) = TrainStepCircuit::from_dataset_steps(
            &weights,
            &tree,
            cfg.batch,
            k,
            seed,
            step,
            trainer.address.into_array(),
            &cfg.cfg,
            salt,
        )?;
        let proof = prove_step(&keyed.step, circuit, &mut rand::rngs::OsRng)?;
        let prove_s = t.elapsed().as_secs_f64();
        prove_total += prove_s;
        verify_step(&keyed.step, &statement, &proof)?;
        let (hb, ha) = (fr_to_u256(statement.head_before), fr_to_u256(statement.head_after));
        let sent = training::submit_step(trainer, ledger, model_id, hb, ha, evm_proof_words(&proof)).await?;
        let name = if k == 1 {
            format!("step {step}: prove + submitStep")
        } else {
            format!("steps {step}..{}: prove + submitStep", step + k as u64 - 1)
        };
        report_step(observer, &name, Some(&sent), format!("seed 0x{}…, proved in {prove_s:.1} s", seed_prefix(seed)));
        step_gas.push(sent.gas_used);
        heads.push(ha);
        weights = after;
    }

    let (after, gas, prove1) =
        evaluate(&keyed.eval, &weights, &eval_set, salt, &cfg.cfg, owner, ledger, model_id, (cfg.steps / k) as u64)
            .await?;
    native_ok &= weights.evaluate(&cfg.eval, &cfg.cfg)?.correct == after.correct;
    eval_gas.push(gas);
    report_step(
        observer,
        "prove + submitEval (after)",
        None,
        format!(
            "{}/{} correct, loss sum {}, reward {}, gas {gas}, proved in {prove1:.1} s",
            after.correct, after.total, after.lossSum, after.reward
        ),
    );

    // Rewards: the step rewards were credited at each step; the improvement reward (if any) is
    // claimed for the epoch the evaluation closed (the entries that produced the evaluated head);
    // then everything is withdrawn.
    let step_rewards = training::credits_of(&trainer.provider, ledger, trainer.address).await?;
    if after.reward > U256::ZERO {
        // The event's epoch is the one the improving evaluation closed.
        let closed = after.epoch;
        let sent = training::claim_improvement(trainer, ledger, model_id, closed).await?;
        report_step(observer, "claimImprovement", Some(&sent), format!("epoch {closed}"));
    }
    let credits = training::credits_of(&trainer.provider, ledger, trainer.address).await?;
    let sent = training::withdraw(trainer, ledger).await?;
    report_step(observer, "withdraw rewards", Some(&sent), format!("{credits}"));

    let head_after = training::head_of(&trainer.provider, ledger, model_id).await?;
    native_ok &= head_after == *heads.last().expect("start head");
    let lineage: Vec<LineageEntry> = training::lineage(&trainer.provider, ledger, model_id)
        .await?
        .into_iter()
        .map(|s| LineageEntry {
            step: s.step,
            head_before: b256(s.headBefore),
            head_after: b256(s.headAfter),
            prover: s.prover,
            block: s.blockNumber,
        })
        .collect();
    let steps_verified = training::training_of(&trainer.provider, ledger, model_id).await?.steps;
    native_ok &= lineage.len() == cfg.steps / k
        && steps_verified == cfg.steps as u64
        && lineage.iter().enumerate().all(|(i, s)| {
            s.head_before == b256(heads[i]) && s.head_after == b256(heads[i + 1]) && s.prover == trainer.address
        });
    let block = trainer.provider.get_block_number().await.map_err(|e| rpc_error("eth_blockNumber", e))?;
    report_step(
        observer,
        "read lineage",
        None,
        format!("{} entries ({steps_verified} SGD steps), head {:#x}, block {block}", lineage.len(), head_after),
    );

    let mean = |v: &[u64]| v.iter().sum::<u64>() / v.len().max(1) as u64;
    Ok(TrainReport {
        chain_id,
        model_id: model_id.to::<u64>(),
        steps_verified: steps_verified as usize,
        steps_per_proof: k,
        accuracy_before: f64::from(before.correct) / f64::from(before.total),
        accuracy_after: f64::from(after.correct) / f64::from(after.total),
        correct_before: before.correct,
        correct_after: after.correct,
        eval_samples: after.total,
        loss_sum_before: before.lossSum,
        loss_sum_after: after.lossSum,
        head_before: b256(head0),
        head_after: b256(head_after),
        lineage,
        matches_native: native_ok,
        gas_per_step: mean(&step_gas) / k as u64,
        step_gas,
        eval_gas,
        constraints_per_step: train::constraint_count(&keyed.step_shape, &cfg.cfg) / k,
        eval_constraints: eval::constraint_count(&keyed.eval_shape, &cfg.cfg),
        setup_s: keyed.setup_s,
        prove_s_per_step: prove_total / cfg.steps as f64,
        constraints_per_proof: train::constraint_count(&keyed.step_shape, &cfg.cfg),
        eval_prove_s: (prove0 + prove1) / 2.0,
        step_rewards: step_rewards.to_string(),
        improvement_reward: after.reward.to_string(),
        withdrawn: credits.to_string(),
        contracts: dep,
        ledger,
    })
}

fn seed_prefix(seed: Fr) -> String {
    let hex = format!("{:x}", fr_to_u256(seed));
    hex.chars().take(8).collect()
}
