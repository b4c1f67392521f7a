//! `mlproof verifier`: generate a model's Solidity verifier.

use std::path::PathBuf;

use eyre::{Context, Result};
use mlproof_prover::{
    setup::DEV_SETUP_WARNING,
    solidity::{verifier_source, VerifierProvenance},
};

use crate::common::{load_model, KeySource};

/// Arguments of `mlproof verifier`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file.
    #[arg(long)]
    model: PathBuf,
    #[command(flatten)]
    keys: KeySource,
    /// Solidity contract name.
    #[arg(long)]
    name: String,
    /// Output .sol file.
    #[arg(long)]
    out: PathBuf,
}

impl Args {
    /// The command line that regenerates the same file (written into its header).
    fn command_line(&self) -> String {
        let keys = match (&self.keys.pk, self.keys.dev_seed) {
            (Some(pk), _) => format!("--pk {}", pk.display()),
            (None, Some(seed)) => format!("--dev-seed {seed}"),
            (None, None) => String::new(),
        };
        let private = match (self.keys.private_weights, self.keys.committed_input) {
            (false, false) => "",
            (true, false) => " --private-weights",
            (false, true) => " --committed-input",
            (true, true) => " --private-weights --committed-input",
        };
        format!(
            "mlproof verifier --model {}{private} {keys} --name {} --out {}",
            self.model.display(),
            self.name,
            self.out.display()
        )
    }

    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let model = load_model(&self.model)?;
        let keys = self.keys.keys(&model, false)?;
        let setup = if self.keys.dev_seed.is_some() {
            DEV_SETUP_WARNING.to_owned()
        } else {
            "keys from a proving-key file".to_owned()
        };
        let prov = VerifierProvenance { command: self.command_line(), circuit: model.name.clone(), setup };
        let src = verifier_source(&keys.vk, &self.name, &prov);
        std::fs::write(&self.out, src).wrap_err_with(|| format!("cannot write {}", self.out.display()))?;
        println!("wrote {} ({} public inputs)", self.out.display(), keys.vk.gamma_abc_g1.len() - 1);
        Ok(())
    }
}
