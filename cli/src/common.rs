//! Helpers shared by subcommands: loading models and keys, progress, output.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use eyre::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use mlproof_circuits::{
    dataset::Sample,
    native::trainer::{Mlp, TrainConfig},
    QuantModel, Visibility,
};
use mlproof_import::dataset::Digits;
use mlproof_node::train_job::TrainJobConfig;
use mlproof_prover::{
    setup::{dev_setup_shape, DEV_SETUP_WARNING},
    KeyTag, Keys,
};

/// Sets up logging once, for the whole binary: `RUST_LOG` when set, else by `-v` count.
pub fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let directives = log_directives(std::env::var("RUST_LOG").ok().as_deref(), default);
    let filter = tracing_subscriber::EnvFilter::new(directives);
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

/// The filter directives: `env` (or `default` when unset or empty), with arkworks' constraint
/// tracing turned off unless `env` names it. ark-r1cs-std instruments every gadget operation
/// with spans of target `gr1cs` (and ark-relations `r1cs`) whose fields Debug-format the whole
/// constraint system: enabled by a plain `info`, they make one proof of a 45,000-constraint model
/// allocate tens of gigabytes.
pub fn log_directives(env: Option<&str>, default: &str) -> String {
    let base = env.map(str::trim).filter(|v| !v.is_empty()).unwrap_or(default);
    let mut out = base.to_string();
    for target in ["gr1cs", "r1cs"] {
        let named = base.split(',').any(|d| d.trim().split(['=', '[']).next() == Some(target));
        if !named {
            out.push_str(&format!(",{target}=off"));
        }
    }
    out
}

#[cfg(test)]
mod log_tests {
    use super::log_directives;

    #[test]
    fn constraint_tracing_is_off_unless_named() {
        assert_eq!(log_directives(None, "warn"), "warn,gr1cs=off,r1cs=off");
        assert_eq!(log_directives(Some(""), "info"), "info,gr1cs=off,r1cs=off");
        assert_eq!(log_directives(Some("info"), "warn"), "info,gr1cs=off,r1cs=off");
        assert_eq!(log_directives(Some("debug,gr1cs=trace"), "warn"), "debug,gr1cs=trace,r1cs=off");
        // A target that only contains the name is not the name.
        assert_eq!(log_directives(Some("mygr1cs=info"), "warn"), "mygr1cs=info,gr1cs=off,r1cs=off");
    }

    #[test]
    fn the_directives_parse() {
        for d in [log_directives(None, "debug"), log_directives(Some("mlproof_node=info"), "warn")] {
            assert!(tracing_subscriber::EnvFilter::try_new(&d).is_ok(), "{d}");
        }
    }
}

/// Reads and validates a model file.
pub fn load_model(path: &Path) -> Result<QuantModel> {
    let json = std::fs::read_to_string(path).wrap_err_with(|| format!("cannot read model file {}", path.display()))?;
    QuantModel::from_json(&json).wrap_err_with(|| format!("invalid model file {}", path.display()))
}

/// A spinner on stderr (hidden when stderr is not a terminal or `quiet` is set).
pub fn spinner(msg: &str, quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(ProgressStyle::with_template("{spinner} {msg} {elapsed}").expect("valid template"));
    pb.set_message(msg.to_owned());
    pb.enable_steady_tick(Duration::from_millis(100));
    pb
}

/// Where keys come from: a proving-key file or a development seed.
#[derive(Debug, Clone, clap::Args)]
pub struct KeySource {
    /// Proving key written by `mlproof setup`.
    #[arg(long, conflicts_with = "dev_seed")]
    pub pk: Option<std::path::PathBuf>,
    /// Derive development keys from this seed instead (NOT FOR PRODUCTION).
    #[arg(long)]
    pub dev_seed: Option<u64>,
    /// The model's weights are private: witnesses bound to a public Poseidon commitment.
    #[arg(long)]
    pub private_weights: bool,
    /// The input is private: a salted Poseidon commitment replaces the input words in the proof.
    #[arg(long)]
    pub committed_input: bool,
}

impl KeySource {
    /// Loads or derives the keys.
    pub fn keys(&self, model: &QuantModel, quiet: bool) -> Result<Keys> {
        let visibility = self.visibility();
        match (&self.pk, self.dev_seed) {
            (Some(path), _) => {
                let pb = spinner("loading proving key", quiet);
                let keys = Keys::load(path, &KeyTag::new(model, visibility, self.committed_input))
                    .wrap_err_with(|| format!("cannot use proving key {}", path.display()))?;
                pb.finish_and_clear();
                Ok(keys)
            }
            (None, Some(seed)) => {
                if !quiet {
                    eprintln!("warning: {DEV_SETUP_WARNING}");
                }
                let pb = spinner("Groth16 setup", quiet);
                let keys = dev_setup_shape(model, seed, visibility, self.committed_input)?;
                pb.finish_and_clear();
                Ok(keys)
            }
            (None, None) => eyre::bail!("pass --pk FILE (from `mlproof setup`) or --dev-seed N"),
        }
    }
}

impl KeySource {
    /// The weight visibility the keys are for.
    #[must_use]
    pub fn visibility(&self) -> Visibility {
        if self.private_weights {
            Visibility::Private
        } else {
            Visibility::Public
        }
    }
}

/// Parses a 0x-prefixed 20-byte address.
pub fn parse_address(s: &str) -> Result<alloy::primitives::Address> {
    s.parse().wrap_err_with(|| format!("{s:?} is not a 20-byte hex address"))
}

/// Prints a JSON value as one line.
pub fn print_json(v: &serde_json::Value) {
    println!("{v}");
}

/// Parses a 31-byte commitment salt given as hex.
pub fn parse_salt(hex: &str, flag: &str) -> Result<mlproof_circuits::Salt> {
    mlproof_node::market::parse_salt(hex).map_err(|e| eyre::eyre!("{flag} {e}"))
}

/// The training job's configuration for the digits MLP 64-32-10.
pub fn digits_training(
    root: PathBuf,
    steps: usize,
    steps_per_proof: usize,
    batch: usize,
    eval_samples: usize,
    start_seed: u64,
    dev_seed: u64,
) -> Result<TrainJobConfig> {
    eyre::ensure!(
        steps_per_proof > 0 && steps.is_multiple_of(steps_per_proof),
        "--train {steps} is not a multiple of --steps-per-proof {steps_per_proof}"
    );
    let data = Digits::load(&root).wrap_err("cannot load the digits data set")?;
    eyre::ensure!(
        eval_samples <= data.test.len(),
        "--eval-samples {eval_samples}: the held-out split has {} images",
        data.test.len()
    );
    let eval = data.test[..eval_samples]
        .iter()
        .map(|&i| Sample { features: data.quantized_input(i), label: data.labels[i] })
        .collect();
    let start = Mlp::seeded(64, 32, 10, start_seed, &TrainConfig::default());
    let mut job = TrainJobConfig::new(root, data.train_samples(), eval, start, steps, batch);
    job.setup_seed = dev_seed;
    job.steps_per_proof = steps_per_proof;
    Ok(job)
}
