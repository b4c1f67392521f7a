//! The training ledger through its bindings: deploy, register a training model, initialize it,
//! claim a step (which fixes the seed), submit a proven step, read the head and the lineage.

use alloy::{
    primitives::{Address, Bytes, B256, U256},
    providers::DynProvider,
    sol_types::SolValue,
};

use crate::{
    bindings::{IModelRegistry, ITrainingLedger},
    chain::{contract_error, deploy_code, send, Account, Sent},
    compile::Artifacts,
    error::{RelayerError, Result},
};

/// Deploys a TrainingLedger reading `registry`, administered by `admin`.
pub async fn deploy_ledger(admin: &Account, artifacts: &Artifacts, registry: Address, admin_delay: u64) -> Result<(Address, Sent)> {
    let mut code = artifacts.bytecode("TrainingLedger")?.to_vec();
    code.extend((registry, admin.address, alloy::primitives::Uint::<48, 1>::from(admin_delay)).abi_encode_params());
    deploy_code(admin, "deploy TrainingLedger", Bytes::from(code)).await
}

/// Registers a training model (layout: 4 input words `[headBefore, headAfter, datasetRoot, seed]`,
/// 1 output word `step + prover·2^88`) owned by `owner`, a registrar; returns its id.
pub async fn register_training_model(owner: &Account, registry: Address, verifier: Address, commitment: B256, work_units: u64) -> Result<U256> {
    let reg = IModelRegistry::new(registry, &owner.provider);
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
    let sent = send("registerModel", reg.registerModel(params)).await?;
    sent.receipt
        .inner
        .logs()
        .iter()
        .find_map(|l| l.log_decode::<IModelRegistry::ModelRegistered>().ok())
        .map(|e| e.inner.data.modelId)
        .ok_or_else(|| RelayerError::Inconsistent("registerModel emitted no ModelRegistered event".into()))
}

/// Initializes a model's training with its data set root, evaluation root and initial head.
pub async fn init_training(owner: &Account, ledger: Address, model_id: U256, dataset_root: U256, eval_root: U256, head: U256) -> Result<Sent> {
    let l = ITrainingLedger::new(ledger, &owner.provider);
    send("initTraining", l.initTraining(model_id, B256::from(dataset_root), eval_root, head)).await
}

/// Claims the model's next step for `prover`; returns the step number.
pub async fn claim_step(prover: &Account, ledger: Address, model_id: U256) -> Result<(u64, Sent)> {
    let sent = send("claimStep", ITrainingLedger::new(ledger, &prover.provider).claimStep(model_id)).await?;
    let step = sent
        .receipt
        .inner
        .logs()
        .iter()
        .find_map(|l| l.log_decode::<ITrainingLedger::StepClaimed>().ok())
        .map(|e| e.inner.data.step)
        .ok_or_else(|| RelayerError::Inconsistent("claimStep emitted no StepClaimed event".into()))?;
    Ok((step, sent))
}

/// The seed of `prover`'s claim (available one block after the claim).
pub async fn seed_of(provider: &DynProvider, ledger: Address, model_id: U256, prover: Address) -> Result<U256> {
    ITrainingLedger::new(ledger, provider).seedOf(model_id, prover).call().await.map_err(|e| contract_error("seedOf", &e))
}

/// Submits a proven step.
pub async fn submit_step(prover: &Account, ledger: Address, model_id: U256, head_before: U256, head_after: U256, proof: [U256; 8]) -> Result<Sent> {
    let l = ITrainingLedger::new(ledger, &prover.provider);
    send("submitStep", l.submitStep(model_id, head_before, head_after, proof)).await
}

/// The model's current head.
pub async fn head_of(provider: &DynProvider, ledger: Address, model_id: U256) -> Result<U256> {
    ITrainingLedger::new(ledger, provider).headOf(model_id).call().await.map_err(|e| contract_error("headOf", &e))
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
