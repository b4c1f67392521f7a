//! Deploying and wiring the protocol: token, registry, staking, hub, verifiers, consumer.

use alloy::{
    primitives::{Address, Bytes, B256, U256},
    sol_types::SolValue,
};

use crate::{
    bindings::IModelRegistry,
    chain::{deploy_code, send, Account, Sent},
    compile::Artifacts,
    error::{RelayerError, Result},
};

/// Protocol parameters chosen at deployment.
#[derive(Clone, Copy, Debug)]
pub struct ProtocolConfig {
    /// Minimum active stake to submit proofs.
    pub min_stake: U256,
    /// Seconds between an unstake request and withdrawal.
    pub unbonding_delay: u64,
    /// Reward credited per verified proof.
    pub reward_per_proof: U256,
}

impl Default for ProtocolConfig {
    fn default() -> Self {
        let unit = U256::from(10).pow(U256::from(18));
        Self { min_stake: unit * U256::from(100), unbonding_delay: 7 * 24 * 3600, reward_per_proof: unit * U256::from(10) }
    }
}

/// Addresses of a deployed protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Deployment {
    /// The ERC-20 (testnet MLP token).
    pub token: Address,
    /// ModelRegistry.
    pub registry: Address,
    /// Staking.
    pub staking: Address,
    /// InferenceHub (also the IVerifiedOutputs source).
    pub hub: Address,
}

fn with_args(code: Bytes, args: Vec<u8>) -> Bytes {
    let mut v = code.to_vec();
    v.extend(args);
    v.into()
}

/// Deploys token, registry, staking and hub, owned by `admin`.
pub async fn deploy_protocol(admin: &Account, artifacts: &Artifacts, cfg: ProtocolConfig) -> Result<(Deployment, Vec<(String, Sent)>)> {
    let owner = admin.address;
    let mut log = Vec::new();
    let (token, s) = deploy_code(admin, "deploy MlproofToken", with_args(artifacts.bytecode("MlproofToken")?, owner.abi_encode())).await?;
    log.push(("deploy MlproofToken".to_owned(), s));
    let (registry, s) = deploy_code(admin, "deploy ModelRegistry", with_args(artifacts.bytecode("ModelRegistry")?, owner.abi_encode())).await?;
    log.push(("deploy ModelRegistry".to_owned(), s));
    let staking_args = (token, cfg.min_stake, cfg.unbonding_delay, owner).abi_encode_params();
    let (staking, s) = deploy_code(admin, "deploy Staking", with_args(artifacts.bytecode("Staking")?, staking_args)).await?;
    log.push(("deploy Staking".to_owned(), s));
    let hub_args = (registry, staking, token, cfg.reward_per_proof, owner).abi_encode_params();
    let (hub, s) = deploy_code(admin, "deploy InferenceHub", with_args(artifacts.bytecode("InferenceHub")?, hub_args)).await?;
    log.push(("deploy InferenceHub".to_owned(), s));
    Ok((Deployment { token, registry, staking, hub }, log))
}

/// Deploys a verifier contract (no constructor arguments).
pub async fn deploy_verifier(admin: &Account, artifacts: &Artifacts, name: &str) -> Result<(Address, Sent)> {
    deploy_code(admin, &format!("deploy {name}"), artifacts.bytecode(name)?).await
}

/// Deploys the example consumer reading `hub` for `model_id`.
pub async fn deploy_consumer(admin: &Account, artifacts: &Artifacts, hub: Address, model_id: U256, classes: u8) -> Result<(Address, Sent)> {
    // uint8 is ABI-encoded as a 32-byte word, exactly like a uint256 of the same value.
    let args = (hub, model_id, U256::from(classes)).abi_encode_params();
    deploy_code(admin, "deploy DigitsClassifierConsumer", with_args(artifacts.bytecode("DigitsClassifierConsumer")?, args)).await
}

/// Registers a model and returns its id (from the `ModelRegistered` event).
pub async fn register_model(
    admin: &Account,
    registry: Address,
    verifier: Address,
    commitment: B256,
    input_words: u32,
    output_words: u32,
) -> Result<(U256, Sent)> {
    let reg = IModelRegistry::new(registry, &admin.provider);
    let sent = send("registerModel", reg.registerModel(verifier, commitment, input_words, output_words)).await?;
    let id = sent
        .receipt
        .inner
        .logs()
        .iter()
        .find_map(|l| l.log_decode::<IModelRegistry::ModelRegistered>().ok())
        .map(|e| e.inner.data.modelId)
        .ok_or_else(|| RelayerError::Inconsistent("registerModel emitted no ModelRegistered event".into()))?;
    Ok((id, sent))
}
