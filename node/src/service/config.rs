//! `node.toml`: what a prover node serves and how (`mlproof node init` writes a commented
//! example). Unknown keys are refused, so a typo is an error rather than a silent default.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
};

use alloy::{primitives::U256, signers::local::PrivateKeySigner};
use serde::Deserialize;

use crate::service::error::{Result, ServiceError};

/// The example `mlproof node init` writes; it parses and validates (a test checks).
pub const EXAMPLE: &str = r#"# mlproof prover node. Run: mlproof node --config node.toml
# Paths are relative to this file.

# The chain: its JSON-RPC endpoint and the chain id it must serve (checked on start).
rpc_url = "http://127.0.0.1:8545"
chain_id = 31337
# Addresses written by `mlproof deploy` (token, registry, market, verifiers).
deployments = "deployments/31337.json"

# Jobs, the watcher's block cursor and refused tasks (SQLite; created if missing).
database = "node-data/jobs.sqlite"
# The transaction manager's intents, nonces and signed transactions (SQLite).
txm_database = "node-data/txm.sqlite"

# The HTTP API and /metrics. Keep it on loopback unless a proxy guards it.
listen = "127.0.0.1:9400"

# Blocks deep a transaction must be before it counts (1 = in the head block).
confirmations = 2
# Proofs proven at once, each on its own blocking thread.
workers = 1
# The least bounty taken, per constraint of the model's circuit, in token base units.
min_price_per_constraint = "0"
# A task is taken only if the queue's estimated finish leaves this many seconds before its deadline.
deadline_margin_s = 120
# Proved jobs of one model are fulfilled together in one fulfilBatch transaction (one randomized
# batch check of their proofs) once batch_max of them are ready, or the oldest has waited
# batch_wait_s seconds, or a task's deadline minus deadline_margin_s is reached. 1 disables
# batching (every job its own fulfil); at most 64.
batch_max = 16
batch_wait_s = 10
# How often bounties and emissions are claimed.
claim_interval_s = 600
# How often the chain is read (new blocks, task events, the account's stake), in milliseconds.
poll_interval_ms = 1000
# A graceful shutdown (SIGTERM, SIGINT) waits this long for a proof or transaction in progress.
shutdown_grace_s = 30

# The signer: a hex private key in an environment variable, or an encrypted keystore file
# whose password is in an environment variable. The key is never logged.
[signer]
env = "MLPROOF_PRIVATE_KEY"
# keystore = "keys/prover.json"
# password_env = "MLPROOF_KEYSTORE_PASSWORD"

# One [[models]] table per model served: its registry id (see the deployments file), the model
# file and its proving key (committed input). A private-weights model also needs the salt of its
# weights commitment: weights_salt = "0x<31 bytes>".
[[models]]
id = 1
model = "models/digits-mlp.json"
proving_key = "keys/digits-mlp.pk"
"#;

/// Where the signing key comes from.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SignerConfig {
    /// An environment variable holding a hex private key.
    pub env: Option<String>,
    /// An encrypted JSON keystore (relative to the config file).
    pub keystore: Option<PathBuf>,
    /// The environment variable holding the keystore's password.
    pub password_env: Option<String>,
}

/// A model the node serves.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Its id in the model registry.
    pub id: u64,
    /// The model file (JSON).
    pub model: PathBuf,
    /// Its Groth16 proving key.
    pub proving_key: PathBuf,
    /// The salt of its private-weights commitment (31 bytes, hex), for a private-weights model.
    pub weights_salt: Option<String>,
}

impl ModelConfig {
    /// The parsed `weights_salt` (`None`: public weights); the error names the model.
    pub fn salt(&self) -> Result<Option<mlproof_circuits::Salt>, String> {
        self.weights_salt
            .as_deref()
            .map(crate::market::parse_salt)
            .transpose()
            .map_err(|e| format!("model {}: weights_salt {e}", self.id))
    }
}

/// A prover node's configuration.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// JSON-RPC endpoint.
    pub rpc_url: String,
    /// The chain it must serve.
    pub chain_id: u64,
    /// The deployments file.
    pub deployments: PathBuf,
    /// The job store.
    pub database: PathBuf,
    /// The transaction manager's store.
    pub txm_database: PathBuf,
    /// HTTP listen address.
    pub listen: SocketAddr,
    /// Confirmation depth.
    #[serde(default = "default_confirmations")]
    pub confirmations: u64,
    /// Concurrent proofs.
    #[serde(default = "default_workers")]
    pub workers: usize,
    /// Least bounty per constraint (a decimal integer, token base units).
    #[serde(default)]
    pub min_price_per_constraint: String,
    /// Seconds kept free before a deadline.
    #[serde(default = "default_margin")]
    pub deadline_margin_s: u64,
    /// The most proved jobs of one model fulfilled in one `fulfilBatch` (1: no batching).
    #[serde(default = "default_batch_max")]
    pub batch_max: usize,
    /// Seconds the oldest proved job waits for a batch to fill before what is ready is sent.
    #[serde(default = "default_batch_wait")]
    pub batch_wait_s: u64,
    /// Seconds between claims.
    #[serde(default = "default_claim_interval")]
    pub claim_interval_s: u64,
    /// Milliseconds between two looks at the chain (new blocks, events, account status).
    #[serde(default = "default_poll_ms")]
    pub poll_interval_ms: u64,
    /// Seconds a graceful shutdown waits for the steps in progress (a proof, a transaction)
    /// before it exits anyway (what is left is resumed by the next start).
    #[serde(default = "default_shutdown_grace")]
    pub shutdown_grace_s: u64,
    /// The signer.
    pub signer: SignerConfig,
    /// The models served.
    pub models: Vec<ModelConfig>,
}

const fn default_confirmations() -> u64 {
    2
}
const fn default_workers() -> usize {
    1
}
const fn default_margin() -> u64 {
    120
}
const fn default_batch_max() -> usize {
    16
}
const fn default_batch_wait() -> u64 {
    10
}
const fn default_claim_interval() -> u64 {
    600
}
const fn default_poll_ms() -> u64 {
    1000
}
const fn default_shutdown_grace() -> u64 {
    30
}

impl NodeConfig {
    /// Reads and validates `path`; relative paths in it are taken relative to its directory.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| config_error(path, format!("cannot read it: {e}")))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::parse(&text, base).map_err(|message| config_error(path, message))
    }

    /// Parses and validates `text`, resolving relative paths against `base`.
    pub fn parse(text: &str, base: &Path) -> std::result::Result<Self, String> {
        let mut c: Self = toml::from_str(text).map_err(|e| e.to_string())?;
        c.validate()?;
        for p in [&mut c.deployments, &mut c.database, &mut c.txm_database] {
            *p = base.join(&*p);
        }
        if let Some(k) = c.signer.keystore.as_mut() {
            *k = base.join(&*k);
        }
        for m in &mut c.models {
            m.model = base.join(&m.model);
            m.proving_key = base.join(&m.proving_key);
        }
        Ok(c)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if !(self.rpc_url.starts_with("http://") || self.rpc_url.starts_with("https://")) {
            return Err(format!("rpc_url {:?} must be an http:// or https:// URL", self.rpc_url));
        }
        if self.chain_id == 0 {
            return Err("chain_id must be positive".into());
        }
        if self.confirmations == 0 {
            return Err("confirmations must be at least 1".into());
        }
        if !(1..=256).contains(&self.workers) {
            return Err(format!("workers must be between 1 and 256, not {}", self.workers));
        }
        self.min_price()?;
        if !(1..=crate::market::MAX_BATCH).contains(&self.batch_max) {
            return Err(format!(
                "batch_max must be between 1 (no batching) and {}, not {}",
                crate::market::MAX_BATCH,
                self.batch_max
            ));
        }
        if self.claim_interval_s == 0 {
            return Err("claim_interval_s must be positive".into());
        }
        if !(10..=600_000).contains(&self.poll_interval_ms) {
            return Err(format!("poll_interval_ms must be between 10 and 600000, not {}", self.poll_interval_ms));
        }
        for m in &self.models {
            m.salt()?;
        }
        if self.database == self.txm_database {
            return Err("database and txm_database must be different files".into());
        }
        match (&self.signer.env, &self.signer.keystore, &self.signer.password_env) {
            (Some(_), None, None) | (None, Some(_), Some(_)) => {}
            (None, Some(_), None) => return Err("signer.keystore needs signer.password_env".into()),
            _ => return Err("signer needs exactly one of `env`, or `keystore` with `password_env`".into()),
        }
        if self.models.is_empty() {
            return Err("at least one [[models]] table is needed".into());
        }
        let mut ids: Vec<u64> = self.models.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(format!("model id {} is listed twice", w[0]));
        }
        Ok(())
    }

    /// [`NodeConfig::min_price_per_constraint`] as a number (empty = 0).
    pub fn min_price(&self) -> std::result::Result<U256, String> {
        let s = self.min_price_per_constraint.trim();
        if s.is_empty() {
            return Ok(U256::ZERO);
        }
        U256::from_str_radix(s, 10)
            .map_err(|e| format!("min_price_per_constraint {s:?} is not a decimal integer of base units: {e}"))
    }

    /// Loads the signing key from the environment or the keystore. Errors name the variable or
    /// the file, never the key.
    pub fn signer(&self, config_path: &Path) -> Result<PrivateKeySigner> {
        let err = |message: String| config_error(config_path, message);
        if let Some(var) = &self.signer.env {
            let hex =
                std::env::var(var).map_err(|_| err(format!("signer.env: environment variable {var} is not set")))?;
            return hex
                .trim()
                .parse()
                .map_err(|_| err(format!("signer.env: {var} does not hold a valid hex private key")));
        }
        let (Some(file), Some(var)) = (&self.signer.keystore, &self.signer.password_env) else {
            return Err(err("signer needs `env`, or `keystore` with `password_env`".into()));
        };
        let password = std::env::var(var)
            .map_err(|_| err(format!("signer.password_env: environment variable {var} is not set")))?;
        PrivateKeySigner::decrypt_keystore(file, password)
            .map_err(|e| err(format!("signer.keystore {}: cannot decrypt it: {e}", file.display())))
    }
}

fn config_error(path: &Path, message: String) -> ServiceError {
    ServiceError::Config { path: path.display().to_string(), message }
}
