//! `mlproof deploy --network <name>`: network profiles and models in `deploy.toml`, the whole
//! protocol deployed (token, registry, market, training ledger, a verifier and an example consumer
//! per model, each model registered) and `deployments/<chain id>.json` written for the node and the
//! commands to read.
//!
//! Every transaction of a deployment is an intent of the transaction manager under the prefix
//! `deploy:<chain id>:<digest of the plan>`, so re-running a deployment that crashed half-way
//! continues it (the same contracts, no second copy); `--fresh` deploys again beside it.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use alloy::primitives::{keccak256, Address, B256, U256};
use alloy::providers::Provider;
use mlproof_circuits::{statement, QuantModel};
use mlproof_prover::{
    commitment::model_commitment,
    setup::constraint_count_shape,
    solidity::{verifier_source, VerifierProvenance},
    KeyTag, Keys,
};
use serde::{Deserialize, Serialize};

use crate::{
    compile::Compiler,
    deploy::{
        deploy_consumer, deploy_protocol, deploy_verifier, hand_over_to_timelock, register_model, ModelRegistration,
        ProtocolConfig,
    },
    error::{NodeError, Result},
    job::verifier_name,
    market::parse_salt,
    training::deploy_ledger,
};

/// An example `deploy.toml` (`mlproof deploy --init` writes it).
pub const EXAMPLE: &str = r#"# mlproof deployments. Run: mlproof deploy --network local
# Paths are relative to this file.

# A chain to deploy to. `local = true` marks a development chain (anvil): only there may
# verifiers from a development (seeded, single-party) Groth16 setup be deployed without --force,
# and there the deployer stays the market's admin (so demos can set parameters). Anywhere else an
# MlproofTimelock is deployed and holds the market's admin and treasury roles and its treasury:
# every parameter, emission or role change then waits `governance_delay_s` (default 172800).
# `protocol_fee_bps` is the protocol fee on top of each bounty (default 500 = 5 %, at most 2000).
[networks.local]
rpc_url = "http://127.0.0.1:8545"
chain_id = 31337
local = true

[networks.sepolia]
rpc_url = "https://ethereum-sepolia-rpc.publicnode.com"
chain_id = 11155111
protocol_fee_bps = 500
governance_delay_s = 172800

# One [[models]] table per model: the model file and its proving key (committed input:
# `mlproof setup --committed-input`). A verifier is generated from the key, deployed and the
# model registered. `weights_salt` (31 bytes, hex) registers private weights under their
# Poseidon commitment (keys from `mlproof setup --private-weights --committed-input`).
[[models]]
model = "models/digits-mlp.json"
proving_key = "keys/digits-mlp.pk"
"#;

/// A chain to deploy to.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// JSON-RPC endpoint.
    pub rpc_url: String,
    /// Its chain id (checked against the endpoint).
    pub chain_id: u64,
    /// A local development chain (development-setup verifiers allowed, the deployer stays the
    /// market's admin; elsewhere a timelock administers it).
    #[serde(default)]
    pub local: bool,
    /// The protocol fee in basis points (default [`crate::deploy::DEFAULT_PROTOCOL_FEE_BPS`], at most 2000).
    #[serde(default)]
    pub protocol_fee_bps: Option<u16>,
    /// The governance timelock's minimum delay in seconds, on a chain that is not local (default
    /// [`crate::deploy::DEFAULT_GOVERNANCE_DELAY_S`]).
    #[serde(default)]
    pub governance_delay_s: Option<u64>,
}

/// The market's bound on the protocol fee (`MAX_FEE_BPS`).
pub const MAX_PROTOCOL_FEE_BPS: u16 = 2_000;

impl Network {
    /// A profile with the default fee and governance delay.
    #[must_use]
    pub fn new(rpc_url: String, chain_id: u64, local: bool) -> Self {
        Self { rpc_url, chain_id, local, protocol_fee_bps: None, governance_delay_s: None }
    }

    /// `base` with this profile's protocol fee and governance delay, where it sets them.
    #[must_use]
    pub fn protocol(&self, base: &ProtocolConfig) -> ProtocolConfig {
        let mut p = base.clone();
        if let Some(bps) = self.protocol_fee_bps {
            p.params.protocolFeeBps = bps;
        }
        if let Some(d) = self.governance_delay_s {
            p.governance_delay_s = d;
        }
        p
    }
}

/// A model to deploy a verifier for and register.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PlannedModel {
    /// The model file.
    pub model: PathBuf,
    /// Its proving key (committed input).
    pub proving_key: PathBuf,
    /// The salt of its private-weights commitment (hex), for private weights.
    pub weights_salt: Option<String>,
}

/// `deploy.toml`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DeployConfig {
    /// Network profiles by name.
    pub networks: BTreeMap<String, Network>,
    /// The models.
    #[serde(default)]
    pub models: Vec<PlannedModel>,
}

impl DeployConfig {
    /// Reads `path`; relative paths are taken relative to its directory.
    pub fn load(path: &Path) -> Result<Self> {
        let bad = |m: String| NodeError::Inconsistent(format!("{}: {m}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        let mut c: Self = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        for m in &mut c.models {
            m.model = base.join(&m.model);
            m.proving_key = base.join(&m.proving_key);
            if let Some(s) = &m.weights_salt {
                parse_salt(s).map_err(|e| bad(format!("weights_salt of {}: {e}", m.model.display())))?;
            }
        }
        for (name, n) in &c.networks {
            if !(n.rpc_url.starts_with("http://") || n.rpc_url.starts_with("https://")) || n.chain_id == 0 {
                return Err(bad(format!("network {name}: needs an http(s) rpc_url and a positive chain_id")));
            }
            if n.protocol_fee_bps.is_some_and(|b| b > MAX_PROTOCOL_FEE_BPS) {
                return Err(bad(format!("network {name}: protocol_fee_bps must be at most {MAX_PROTOCOL_FEE_BPS}")));
            }
        }
        Ok(c)
    }

    /// The profile called `name`.
    pub fn network(&self, name: &str) -> Result<&Network> {
        self.networks.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.networks.keys().map(String::as_str).collect();
            NodeError::Inconsistent(format!("no network {name:?} in the deploy config (it has: {})", known.join(", ")))
        })
    }
}

/// A deployed, registered model.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeployedModel {
    /// Its registry id.
    pub id: u64,
    /// The model's name.
    pub name: String,
    /// keccak256 of the canonical model file (the registry's commitment).
    pub commitment: B256,
    /// Its verifier.
    pub verifier: Address,
    /// The verifier contract's name.
    pub verifier_contract: String,
    /// The private weights' Poseidon commitment (`None` for public weights).
    pub weights_commitment: Option<U256>,
    /// Constraints of its circuit (admission prices per constraint).
    pub constraints: u64,
    /// Its verifier comes from a development setup (never safe on a public chain).
    pub dev_setup: bool,
    /// The example consumer reading its verified outputs (classifiers of ≤ 255 classes).
    pub consumer: Option<Address>,
}

/// `deployments/<chain id>.json`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Deployments {
    /// The chain.
    pub chain_id: u64,
    /// The profile deployed with.
    pub network: String,
    /// The block before the first deployment transaction (watchers start here).
    pub block: u64,
    /// The deployer (admin of the registry and the ledger; of the market on a local chain, its
    /// pauser elsewhere).
    pub deployer: Address,
    /// The ERC-20.
    pub token: Address,
    /// ModelRegistry.
    pub registry: Address,
    /// MlproofMarket.
    pub market: Address,
    /// The MlproofTimelock holding the market's admin and treasury roles (chains that are not
    /// local; `None` where the deployer administers the market).
    #[serde(default)]
    pub timelock: Option<Address>,
    /// TrainingLedger.
    pub training_ledger: Address,
    /// The models.
    pub models: Vec<DeployedModel>,
}

impl Deployments {
    /// Reads a deployments file.
    pub fn load(path: &Path) -> Result<Self> {
        let bad = |m: String| NodeError::Inconsistent(format!("deployments file {}: {m}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        serde_json::from_str(&text).map_err(|e| bad(e.to_string()))
    }

    /// Writes it (pretty JSON), creating the directory; written to a temporary file and renamed,
    /// so a reader never sees half a file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |e: std::io::Error| NodeError::Inconsistent(format!("writing {}: {e}", path.display()));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| NodeError::Inconsistent(e.to_string()))?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, text + "\n").map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// The file of `chain_id` under `dir`.
    #[must_use]
    pub fn path_in(dir: &Path, chain_id: u64) -> PathBuf {
        dir.join(format!("{chain_id}.json"))
    }

    /// The model registered as `id`.
    #[must_use]
    pub fn model(&self, id: u64) -> Option<&DeployedModel> {
        self.models.iter().find(|m| m.id == id)
    }
}

/// A model loaded for deployment.
struct Loaded {
    model: QuantModel,
    keys: Keys,
    tag: KeyTag,
    weights_commitment: Option<U256>,
}

fn load_planned(p: &PlannedModel) -> Result<Loaded> {
    let bad = |m: String| NodeError::Inconsistent(format!("model {}: {m}", p.model.display()));
    let json = std::fs::read_to_string(&p.model).map_err(|e| bad(format!("cannot read it: {e}")))?;
    let model = QuantModel::from_json(&json)?;
    let tag = Keys::read_tag(&p.proving_key)?;
    if !tag.committed_input {
        return Err(bad(format!(
            "{} is not a committed-input key (mlproof setup --committed-input): tasks carry a committed input",
            p.proving_key.display()
        )));
    }
    if tag.private_weights != p.weights_salt.is_some() {
        return Err(bad("weights_salt must be given exactly when the key is for private weights".into()));
    }
    let keys = Keys::load(&p.proving_key, &tag)?;
    if tag.model != model_commitment(&model) {
        return Err(bad(format!("{} was generated for another model", p.proving_key.display())));
    }
    let weights_commitment = match &p.weights_salt {
        Some(s) => {
            let salt = parse_salt(s).map_err(bad)?;
            let c = mlproof_circuits::native::commitment::weights_commitment::<ark_bn254::Fr>(&model, &salt);
            Some(mlproof_prover::evm::fr_to_u256(c))
        }
        None => None,
    };
    Ok(Loaded { model, keys, tag, weights_commitment })
}

/// What `deploy` is asked to do.
#[derive(Clone, Debug)]
pub struct Plan<'a> {
    /// The profile's name.
    pub network: &'a str,
    /// The profile.
    pub profile: &'a Network,
    /// The models.
    pub models: &'a [PlannedModel],
    /// Allow development-setup verifiers on a non-local chain.
    pub force_dev_setup: bool,
    /// The protocol's parameters.
    pub protocol: ProtocolConfig,
}

/// The idempotency prefix of a plan: the chain and a digest of the model and key files.
pub fn plan_prefix(plan: &Plan<'_>) -> Result<String> {
    let mut bytes = plan.profile.chain_id.to_be_bytes().to_vec();
    for m in plan.models {
        for f in [&m.model, &m.proving_key] {
            let data = std::fs::read(f).map_err(|e| NodeError::Inconsistent(format!("{}: {e}", f.display())))?;
            bytes.extend_from_slice(keccak256(&data).as_slice());
        }
        bytes.extend_from_slice(m.weights_salt.as_deref().unwrap_or("").as_bytes());
    }
    Ok(format!("deploy:{}:{}", plan.profile.chain_id, &keccak256(bytes).to_string()[2..18]))
}

/// Deploys everything in `plan` from `admin` (its transaction manager already checks the chain
/// id) and returns the deployments record. Refuses a development-setup key on a chain that is not
/// local unless forced, before sending anything.
pub async fn deploy_all(admin: &mlproof_relayer::chain::Account, root: &Path, plan: &Plan<'_>) -> Result<Deployments> {
    let chain_id =
        admin.provider.get_chain_id().await.map_err(|e| mlproof_relayer::chain::rpc_error("eth_chainId", e))?;
    if chain_id != plan.profile.chain_id {
        return Err(NodeError::Inconsistent(format!(
            "network {} is chain {}, but its endpoint serves chain {chain_id}",
            plan.network, plan.profile.chain_id
        )));
    }
    let loaded = plan.models.iter().map(load_planned).collect::<Result<Vec<_>>>()?;
    if let Some(l) = loaded.iter().find(|l| l.tag.dev_setup) {
        if !plan.profile.local && !plan.force_dev_setup {
            return Err(NodeError::Inconsistent(format!(
                "the key of {} comes from a development setup (its toxic waste is known: anyone can forge \
                 proofs); refusing to deploy its verifier to {} (chain {chain_id}), which is not local. \
                 Pass --force-dev-setup to deploy it anyway",
                l.model.name, plan.network
            )));
        }
    }
    let mut names = Vec::new();
    let mut sources = Vec::new();
    for l in &loaded {
        let name = verifier_name(&l.model);
        let prov = VerifierProvenance {
            command: format!("mlproof deploy --network {}", plan.network),
            circuit: l.model.name.clone(),
            setup: if l.tag.dev_setup {
                mlproof_prover::setup::DEV_SETUP_WARNING.to_owned()
            } else {
                "imported".into()
            },
        };
        sources.push((format!("contracts/generated/{name}.sol"), verifier_source(&l.keys.vk, &name, &prov)));
        names.push(name);
    }
    let artifacts = Compiler::new(root)?.compile_protocol(&sources)?;
    let block =
        admin.provider.get_block_number().await.map_err(|e| mlproof_relayer::chain::rpc_error("eth_blockNumber", e))?;
    let protocol = plan.profile.protocol(&plan.protocol);
    let (dep, _) = deploy_protocol(admin, &artifacts, &protocol).await?;
    let (training_ledger, _) = deploy_ledger(admin, &artifacts, dep.registry, dep.token, protocol.admin_delay).await?;
    let mut models = Vec::new();
    for (l, name) in loaded.iter().zip(names) {
        let (verifier, _) = deploy_verifier(admin, &artifacts, &name).await?;
        let output_words = u32::try_from(statement::output_words_for(l.model.output_len()))
            .map_err(|_| NodeError::Inconsistent("model too wide".into()))?;
        let registration = ModelRegistration {
            verifier,
            commitment: model_commitment(&l.model),
            weights_commitment: l.weights_commitment,
            input_words: 1,
            output_words,
            work_units: l.model.macs() as u64,
            metadata_uri: format!("mlproof:{}", l.model.name),
        };
        let (id, _) = register_model(admin, dep.registry, &registration).await?;
        let consumer = match u8::try_from(l.model.output_len()) {
            Ok(classes) => Some(deploy_consumer(admin, &artifacts, dep.market, id, classes).await?.0),
            Err(_) => None,
        };
        let visibility = if l.tag.private_weights {
            mlproof_circuits::Visibility::Private
        } else {
            mlproof_circuits::Visibility::Public
        };
        models.push(DeployedModel {
            id: id.to::<u64>(),
            name: l.model.name.clone(),
            commitment: registration.commitment,
            verifier,
            verifier_contract: name,
            weights_commitment: l.weights_commitment,
            constraints: constraint_count_shape(&l.model, visibility, true)? as u64,
            dev_setup: l.tag.dev_setup,
            consumer,
        });
    }
    // Last, so that the deployer could still wire the consumers above; a crash before it is
    // resumed by the re-run (each step is an intent).
    let timelock = if plan.profile.local {
        None
    } else {
        Some(hand_over_to_timelock(admin, &artifacts, dep.market, protocol.governance_delay_s).await?.0)
    };
    Ok(Deployments {
        chain_id,
        network: plan.network.to_owned(),
        block,
        deployer: admin.address,
        token: dep.token,
        registry: dep.registry,
        market: dep.market,
        timelock,
        training_ledger,
        models,
    })
}
