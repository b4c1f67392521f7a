//! Deploying and wiring the protocol: token, registry, market (its constructor deploys the
//! MarketExtension it delegates to), the governance timelock, verifiers, consumer.

use alloy::{
    primitives::{Address, Bytes, B256, U256},
    sol_types::SolValue,
};

use mlproof_relayer::{
    bindings::{IAccessControl, IMarketGovernance, IModelRegistry},
    chain::{contract_error, expect_event, Account, Sent},
};

use crate::{compile::Artifacts, error::Result};

/// The protocol fee of a deployment unless its profile says otherwise, in basis points (5 %, as
/// `script/Deploy.s.sol`).
pub const DEFAULT_PROTOCOL_FEE_BPS: u16 = 500;

/// The governance timelock's minimum delay unless the profile says otherwise (2 days, as
/// `script/Deploy.s.sol`).
pub const DEFAULT_GOVERNANCE_DELAY_S: u64 = 2 * 24 * 3600;

/// Protocol parameters chosen at deployment.
#[derive(Clone, Debug)]
pub struct ProtocolConfig {
    /// Market parameters (minimum stake, bounty and collateral, durations, slash split, protocol
    /// fee).
    pub params: IMarketGovernance::Params,
    /// Epoch length in seconds.
    pub epoch_length: u64,
    /// Delay of a two-step admin transfer of the registry and the training ledger, in seconds.
    pub admin_delay: u64,
    /// The minimum delay of the governance timelock that administers the market on a chain that
    /// is not local, in seconds.
    pub governance_delay_s: u64,
    /// Emission per epoch, in token base units (the market's initial rate).
    pub emission_per_epoch: U256,
}

/// One token (18 decimals) in base units.
#[must_use]
pub fn tokens(n: u64) -> U256 {
    U256::from(n) * U256::from(10).pow(U256::from(18))
}

impl Default for ProtocolConfig {
    fn default() -> Self {
        let t = |n: u64| {
            alloy::primitives::Uint::<96, 2>::from(n)
                * alloy::primitives::Uint::<96, 2>::from(10u64).pow(alloy::primitives::Uint::from(18u64))
        };
        Self {
            params: IMarketGovernance::Params {
                minStake: t(100),
                minBounty: t(1),
                minCollateral: t(10),
                unbondingDelay: 7 * 24 * 3600,
                minTaskDuration: 60,
                maxTaskDuration: 7 * 24 * 3600,
                slashRequesterBps: 5_000,
                slashCallerBps: 1_000,
                slashBurnBps: 2_000,
                protocolFeeBps: DEFAULT_PROTOCOL_FEE_BPS,
            },
            epoch_length: 24 * 3600,
            admin_delay: 24 * 3600,
            governance_delay_s: DEFAULT_GOVERNANCE_DELAY_S,
            emission_per_epoch: tokens(100),
        }
    }
}

/// Addresses of a deployed protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Deployment {
    /// The ERC-20 (testnet MLP token).
    pub token: Address,
    /// ModelRegistry.
    pub registry: Address,
    /// MlproofMarket (staking, tasks, rewards, verified outputs).
    pub market: Address,
}

fn with_args(code: Bytes, args: Vec<u8>) -> Bytes {
    let mut v = code.to_vec();
    v.extend(args);
    v.into()
}

/// Deploys token, registry and market, administered by `admin`, with the configured initial
/// emission rate. The market's constructor deploys its extension itself: one transaction.
pub async fn deploy_protocol(
    admin: &Account,
    artifacts: &Artifacts,
    cfg: &ProtocolConfig,
) -> Result<(Deployment, Vec<(String, Sent)>)> {
    let owner = admin.address;
    let delay = alloy::primitives::Uint::<48, 1>::from(cfg.admin_delay);
    let mut log = Vec::new();
    let (token, s) =
        admin.deploy("deploy MlproofToken", with_args(artifacts.bytecode("MlproofToken")?, owner.abi_encode())).await?;
    log.push(("deploy MlproofToken".to_owned(), s));
    let (registry, s) = admin
        .deploy(
            "deploy ModelRegistry",
            with_args(artifacts.bytecode("ModelRegistry")?, (owner, delay).abi_encode_params()),
        )
        .await?;
    log.push(("deploy ModelRegistry".to_owned(), s));
    let args = (token, registry, U256::from(cfg.epoch_length), owner, cfg.params.clone(), cfg.emission_per_epoch)
        .abi_encode_params();
    let (market, s) =
        admin.deploy("deploy MlproofMarket", with_args(artifacts.bytecode("MlproofMarket")?, args)).await?;
    log.push(("deploy MlproofMarket".to_owned(), s));
    Ok((Deployment { token, registry, market }, log))
}

/// `keccak256("TREASURY_ROLE")`, the market's treasury role (emission rate, treasury address).
#[must_use]
pub fn treasury_role() -> B256 {
    alloy::primitives::keccak256("TREASURY_ROLE")
}

/// Deploys an `MlproofTimelock` (minimum delay `delay_s`, `admin` its proposer and executor) and
/// hands it the market's admin and treasury roles and its treasury account, exactly as
/// `script/Deploy.s.sol` does: grant both roles to the timelock, set it as treasury, then renounce
/// both roles. `admin` keeps the pauser role. Returns the timelock's address.
pub async fn hand_over_to_timelock(
    admin: &Account,
    artifacts: &Artifacts,
    market: Address,
    delay_s: u64,
) -> Result<(Address, Vec<(String, Sent)>)> {
    let mut log = Vec::new();
    let args = (U256::from(delay_s), admin.address).abi_encode_params();
    let (timelock, s) =
        admin.deploy("deploy MlproofTimelock", with_args(artifacts.bytecode("MlproofTimelock")?, args)).await?;
    log.push(("deploy MlproofTimelock".to_owned(), s));
    let roles = IAccessControl::new(market, &admin.provider);
    let gov = IMarketGovernance::new(market, &admin.provider);
    let (default_admin, treasury) = (B256::ZERO, treasury_role());
    for (what, role) in
        [("grant DEFAULT_ADMIN_ROLE to the timelock", default_admin), ("grant TREASURY_ROLE to the timelock", treasury)]
    {
        log.push((what.to_owned(), admin.send(what, roles.grantRole(role, timelock)).await?));
    }
    log.push((
        "set the treasury to the timelock".to_owned(),
        admin.send("setTreasury", gov.setTreasury(timelock)).await?,
    ));
    for (what, role) in [("renounce TREASURY_ROLE", treasury), ("renounce DEFAULT_ADMIN_ROLE", default_admin)] {
        log.push((what.to_owned(), admin.send(what, roles.renounceRole(role, admin.address)).await?));
    }
    Ok((timelock, log))
}

/// Whether `account` holds `role` on `contract` (an OpenZeppelin AccessControl: the market, the
/// timelock).
pub async fn has_role(
    provider: &alloy::providers::DynProvider,
    contract: Address,
    role: B256,
    account: Address,
) -> Result<bool> {
    Ok(IAccessControl::new(contract, provider)
        .hasRole(role, account)
        .call()
        .await
        .map_err(|e| contract_error("hasRole", &e))?)
}

/// Deploys a verifier contract (no constructor arguments).
pub async fn deploy_verifier(admin: &Account, artifacts: &Artifacts, name: &str) -> Result<(Address, Sent)> {
    Ok(admin.deploy(&format!("deploy {name}"), artifacts.bytecode(name)?).await?)
}

/// Deploys the example consumer reading `outputs` for `model_id`.
pub async fn deploy_consumer(
    admin: &Account,
    artifacts: &Artifacts,
    outputs: Address,
    model_id: U256,
    classes: u8,
) -> Result<(Address, Sent)> {
    // uint8 is ABI-encoded as a 32-byte word, exactly like a uint256 of the same value.
    let args = (outputs, model_id, U256::from(classes)).abi_encode_params();
    Ok(admin
        .deploy("deploy DigitsClassifierConsumer", with_args(artifacts.bytecode("DigitsClassifierConsumer")?, args))
        .await?)
}

/// What to register for an inference model.
#[derive(Clone, Debug)]
pub struct ModelRegistration {
    /// The model's verifier.
    pub verifier: Address,
    /// keccak256 of the canonical model file.
    pub commitment: B256,
    /// Poseidon commitment to private weights (`None` for public weights).
    pub weights_commitment: Option<U256>,
    /// Public-input words of the input (1 for a committed input).
    pub input_words: u32,
    /// Public-input words of the output.
    pub output_words: u32,
    /// Work units per proof.
    pub work_units: u64,
    /// Where the model is published.
    pub metadata_uri: String,
}

/// Registers an inference model owned by `admin` (a registrar) and returns its id.
pub async fn register_model(admin: &Account, registry: Address, m: &ModelRegistration) -> Result<(U256, Sent)> {
    let params = IModelRegistry::ModelParams {
        verifier: m.verifier,
        kind: IModelRegistry::Kind::Inference,
        commitment: m.commitment,
        privateWeights: m.weights_commitment.is_some(),
        weightsCommitment: m.weights_commitment.unwrap_or_default(),
        inputWords: m.input_words,
        outputWords: m.output_words,
        workUnits: m.work_units,
        previous: 0,
        owner: admin.address,
        metadataURI: m.metadata_uri.clone(),
    };
    register(admin, registry, params).await
}

/// Registers a model with `params` from `account` (a registrar); returns its id.
pub async fn register(
    account: &Account,
    registry: Address,
    params: IModelRegistry::ModelParams,
) -> Result<(U256, Sent)> {
    let sent =
        account.send("registerModel", IModelRegistry::new(registry, &account.provider).registerModel(params)).await?;
    let id = expect_event::<IModelRegistry::ModelRegistered>(&sent, "registerModel")?.modelId;
    Ok((id, sent))
}
