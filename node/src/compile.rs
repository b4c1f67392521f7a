//! Compiling the Solidity contracts with foundry-compilers, using the project's solc wrapper
//! (`tools/solc`, solc-js) — the same compiler and settings forge uses (see foundry.toml).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use alloy::primitives::Bytes;
use foundry_compilers::{
    artifacts::{
        remappings::Remapping, BytecodeHash, EvmVersion, Settings, SettingsMetadata, SolcInput, SolcLanguage, Source,
        Sources,
    },
    solc::Solc,
};

use crate::error::{NodeError, Result};

/// Contract sources the protocol deploys, relative to the repository root.
pub const PROTOCOL_SOURCES: &[&str] = &[
    "contracts/token/MlproofToken.sol",
    "contracts/ModelRegistry.sol",
    "contracts/MlproofMarket.sol",
    "contracts/governance/MlproofTimelock.sol",
    "contracts/TrainingLedger.sol",
    "contracts/examples/DigitsClassifierConsumer.sol",
];

/// Creation bytecode by contract name.
#[derive(Clone, Debug, Default)]
pub struct Artifacts {
    bytecode: BTreeMap<String, Bytes>,
}

impl Artifacts {
    /// Creation bytecode of `name`.
    pub fn bytecode(&self, name: &str) -> Result<Bytes> {
        self.bytecode
            .get(name)
            .cloned()
            .ok_or_else(|| NodeError::Compile(format!("no contract named {name} in the compiler output")))
    }
}

/// The Solidity toolchain of a repository checkout.
#[derive(Clone, Debug)]
pub struct Compiler {
    root: PathBuf,
    solc: Solc,
}

impl Compiler {
    /// Uses `<root>/tools/solc` (solc-js behind the project wrapper).
    pub fn new(root: &Path) -> Result<Self> {
        let root =
            root.canonicalize().map_err(|e| NodeError::Compile(format!("repository root {}: {e}", root.display())))?;
        let wrapper = root.join("tools/solc");
        let mut solc = Solc::new(&wrapper).map_err(|e| {
            NodeError::Compile(format!("{} --version failed ({e}); run `npm ci` first", wrapper.display()))
        })?;
        solc.base_path = Some(root.clone());
        solc.allow_paths.insert(root.clone());
        Ok(Self { root, solc })
    }

    /// The repository root.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn settings() -> Settings {
        let mut s = Settings::default();
        s.optimizer.enabled = Some(true);
        s.optimizer.runs = Some(200);
        s.evm_version = Some(EvmVersion::Cancun);
        s.metadata = Some(SettingsMetadata::new(BytecodeHash::None, false));
        s.remappings = vec![
            Remapping {
                context: None,
                name: "forge-std/".into(),
                path: "node_modules/@layerzerolabs/toolbox-foundry/lib/forge-std/".into(),
            },
            Remapping {
                context: None,
                name: "@openzeppelin/contracts/".into(),
                path: "node_modules/@openzeppelin/contracts/".into(),
            },
        ];
        s
    }

    /// Compiles the given sources: `(path relative to the root, content)`. Imports are read from
    /// disk relative to the root, so a generated verifier can be compiled before it is written.
    pub fn compile_sources(&self, sources: &[(String, String)]) -> Result<Artifacts> {
        let mut map = Sources::new();
        for (path, content) in sources {
            map.insert(PathBuf::from(path), Source::new(content.clone()));
        }
        let input = SolcInput::new(SolcLanguage::Solidity, map, Self::settings());
        let out = self.solc.compile_exact(&input).map_err(|e| NodeError::Compile(e.to_string()))?;
        if out.has_error() {
            let msgs: Vec<String> = out
                .errors
                .iter()
                .filter(|e| e.severity.is_error())
                .map(|e| e.formatted_message.clone().unwrap_or_else(|| e.message.clone()))
                .collect();
            return Err(NodeError::Compile(msgs.join("\n")));
        }
        let mut bytecode = BTreeMap::new();
        for (name, contract) in out.contracts_iter() {
            if let Some(code) =
                contract.evm.as_ref().and_then(|e| e.bytecode.as_ref()).and_then(|b| b.object.as_bytes())
            {
                if !code.is_empty() {
                    bytecode.insert(name.clone(), code.clone());
                }
            }
        }
        Ok(Artifacts { bytecode })
    }

    /// Compiles the protocol contracts plus any extra in-memory sources (e.g. a generated verifier).
    pub fn compile_protocol(&self, extra: &[(String, String)]) -> Result<Artifacts> {
        let mut sources = Vec::new();
        for rel in PROTOCOL_SOURCES {
            let path = self.root.join(rel);
            let content =
                std::fs::read_to_string(&path).map_err(|e| NodeError::Compile(format!("{}: {e}", path.display())))?;
            sources.push(((*rel).to_owned(), content));
        }
        sources.extend_from_slice(extra);
        self.compile_sources(&sources)
    }
}

/// Finds the repository root (the directory holding `foundry.toml`) from `start` upwards.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start.ancestors().find(|d| d.join("foundry.toml").is_file() && d.join("contracts").is_dir()).map(Path::to_path_buf)
}
