//! The training ledger through its bindings: deploy, register a training model, initialize, fund and
//! refund it, compute the lineage seed of the next step, submit a proven step or the evaluation of a
//! lineage position, claim and withdraw rewards, read the head, scores and the lineage.

use alloy::{
    primitives::{keccak256, Address, Bytes, B256, U256},
    providers::DynProvider,
    sol_types::SolValue,
};
use mlproof_prover::evm::scalar_modulus;

use mlproof_circuits::native::trainer::Score;

use mlproof_relayer::{
    bindings::{IModelRegistry, ITrainingLedger, IERC20},
    chain::{contract_error, expect_event, Account, Sent},
};

use crate::{compile::Artifacts, deploy::register, error::Result};

/// Deploys a TrainingLedger reading `registry` and paying in `token`, administered by `admin`.
pub async fn deploy_ledger(
    admin: &Account,
    artifacts: &Artifacts,
    registry: Address,
    token: Address,
    admin_delay: u64,
) -> Result<(Address, Sent)> {
    let mut code = artifacts.bytecode("TrainingLedger")?.to_vec();
    code.extend(
        (registry, token, admin.address, alloy::primitives::Uint::<48, 1>::from(admin_delay)).abi_encode_params(),
    );
    Ok(admin.deploy("deploy TrainingLedger", Bytes::from(code)).await?)
}

/// Registers a training model (layout: 4 input words `[headBefore, headAfter, datasetRoot, seed]`,
/// 1 output word `step + prover·2^88`) owned by `owner`, a registrar; returns its id.
pub async fn register_training_model(
    owner: &Account,
    registry: Address,
    verifier: Address,
    commitment: B256,
    work_units: u64,
) -> Result<U256> {
    let params = IModelRegistry::ModelParams {
        verifier,
        kind: IModelRegistry::Kind::Training,
        commitment,
        privateWeights: false,
        weightsCommitment: U256::ZERO,
        inputWords: 4,
        outputWords: 1,
        workUnits: work_units,
        previous: 0,
        owner: owner.address,
        metadataURI: "mlproof:training".into(),
    };
    Ok(register(owner, registry, params).await?.0)
}

/// Initializes a model's training: data set and evaluation roots, initial head, evaluation
/// verifier and reward rates.
pub async fn init_training(
    owner: &Account,
    ledger: Address,
    model_id: U256,
    params: ITrainingLedger::TrainingParams,
) -> Result<Sent> {
    Ok(owner.send("initTraining", ITrainingLedger::new(ledger, &owner.provider).initTraining(model_id, params)).await?)
}

/// Approves the ledger and adds `amount` of `token` to the model's reward budget, accepting
/// `eval_verifier` (the model's evaluation verifier; the ledger refuses any other).
pub async fn fund(
    funder: &Account,
    token: Address,
    ledger: Address,
    model_id: U256,
    amount: U256,
    eval_verifier: Address,
) -> Result<Sent> {
    funder.send("approve", IERC20::new(token, &funder.provider).approve(ledger, amount)).await?;
    let l = ITrainingLedger::new(ledger, &funder.provider);
    Ok(funder.send("fund", l.fund(model_id, amount, eval_verifier)).await?)
}

/// Burns `funder`'s shares of the model's budget for its pro-rata part of what is unspent (after
/// the model is deprecated, or `FUNDING_TIMEOUT` without a verified step).
pub async fn refund(funder: &Account, ledger: Address, model_id: U256) -> Result<Sent> {
    Ok(funder.send("refund", ITrainingLedger::new(ledger, &funder.provider).refund(model_id)).await?)
}

/// Submits a proven evaluation of the head at lineage `position` (0 = the initial head); returns
/// the verified score event.
pub async fn submit_eval(
    evaluator: &Account,
    ledger: Address,
    model_id: U256,
    position: u64,
    score: &Score,
    proof: [U256; 8],
) -> Result<(ITrainingLedger::EvaluationVerified, Sent)> {
    let l = ITrainingLedger::new(ledger, &evaluator.provider);
    let call = l.submitEval(model_id, position, score.correct, score.total, score.loss_sum, proof);
    let sent = evaluator.send("submitEval", call).await?;
    Ok((expect_event(&sent, "submitEval")?, sent))
}

/// The proven score of the head at lineage `position` (`total == 0` when it was never evaluated).
pub async fn score_at(
    provider: &DynProvider,
    ledger: Address,
    model_id: U256,
    position: u64,
) -> Result<ITrainingLedger::Score> {
    Ok(ITrainingLedger::new(ledger, provider)
        .scoreAt(model_id, U256::from(position))
        .call()
        .await
        .map_err(|e| contract_error("scoreAt", &e))?)
}

/// The model's training state.
pub async fn training_of(provider: &DynProvider, ledger: Address, model_id: U256) -> Result<ITrainingLedger::Training> {
    Ok(ITrainingLedger::new(ledger, provider)
        .trainingOf(model_id)
        .call()
        .await
        .map_err(|e| contract_error("trainingOf", &e))?)
}

/// Moves `prover`'s share of a closed epoch's improvement reward into its credits.
pub async fn claim_improvement(prover: &Account, ledger: Address, model_id: U256, epoch: u64) -> Result<Sent> {
    Ok(prover
        .send("claimImprovement", ITrainingLedger::new(ledger, &prover.provider).claimImprovement(model_id, epoch))
        .await?)
}

/// `prover`'s credited rewards, not yet withdrawn.
pub async fn credits_of(provider: &DynProvider, ledger: Address, prover: Address) -> Result<U256> {
    Ok(ITrainingLedger::new(ledger, provider)
        .creditsOf(prover)
        .call()
        .await
        .map_err(|e| contract_error("creditsOf", &e))?)
}

/// Withdraws all of `prover`'s credits (a pull payment).
pub async fn withdraw(prover: &Account, ledger: Address) -> Result<Sent> {
    Ok(prover.send("withdraw", ITrainingLedger::new(ledger, &prover.provider).withdraw()).await?)
}

/// The ledger's seed domain, `keccak256("mlproof.training.seed.v1")` (its `SEED_DOMAIN()`).
#[must_use]
pub fn seed_domain() -> B256 {
    keccak256("mlproof.training.seed.v1")
}

/// The batch seed of the lineage entry that extends `head` after `steps` SGD steps, as
/// `TrainingLedger` derives it: `keccak256(abi.encode(SEED_DOMAIN, chainid, ledger, modelId, head,
/// steps)) mod r`. It depends on the lineage only, never on the submitter, so every prover computes
/// it without a transaction; `steps` is also the entry's public `step` word (`index · stepsPerProof`).
#[must_use]
pub fn lineage_seed(chain_id: u64, ledger: Address, model_id: U256, head: U256, steps: u64) -> U256 {
    let encoded = (seed_domain(), U256::from(chain_id), ledger, model_id, head, U256::from(steps)).abi_encode_params();
    U256::from_be_bytes(keccak256(encoded).0) % scalar_modulus()
}

/// The seed of the model's next entry as the ledger computes it (`seedOf`).
pub async fn seed_of(provider: &DynProvider, ledger: Address, model_id: U256) -> Result<U256> {
    Ok(ITrainingLedger::new(ledger, provider)
        .seedOf(model_id)
        .call()
        .await
        .map_err(|e| contract_error("seedOf", &e))?)
}

/// Submits a proven step.
pub async fn submit_step(
    prover: &Account,
    ledger: Address,
    model_id: U256,
    head_before: U256,
    head_after: U256,
    proof: [U256; 8],
) -> Result<Sent> {
    let l = ITrainingLedger::new(ledger, &prover.provider);
    Ok(prover.send("submitStep", l.submitStep(model_id, head_before, head_after, proof)).await?)
}

/// The model's current head.
pub async fn head_of(provider: &DynProvider, ledger: Address, model_id: U256) -> Result<U256> {
    Ok(ITrainingLedger::new(ledger, provider)
        .headOf(model_id)
        .call()
        .await
        .map_err(|e| contract_error("headOf", &e))?)
}

/// The model's lineage, oldest step first.
pub async fn lineage(provider: &DynProvider, ledger: Address, model_id: U256) -> Result<Vec<ITrainingLedger::Step>> {
    let l = ITrainingLedger::new(ledger, provider);
    let n = l.lineageLength(model_id).call().await.map_err(|e| contract_error("lineageLength", &e))?;
    let mut out = Vec::new();
    for i in 0..n.to::<u64>() {
        out.push(l.lineageAt(model_id, U256::from(i)).call().await.map_err(|e| contract_error("lineageAt", &e))?);
    }
    Ok(out)
}
