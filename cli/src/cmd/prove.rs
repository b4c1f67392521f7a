//! `mlproof prove`: prove a model's output on an input.

use std::{path::PathBuf, time::Instant};

use eyre::{Context, Result};
use mlproof_circuits::native::{engine, slice::sample_input};
use mlproof_circuits::InferenceCircuit;
use mlproof_prover::{prove::check_satisfied, prove_circuit, verify_inference, ProofFile};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::common::{load_model, parse_address, parse_salt, print_json, spinner, KeySource};

/// Arguments of `mlproof prove`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Model file.
    #[arg(long)]
    model: PathBuf,
    #[command(flatten)]
    keys: KeySource,
    /// Input file: a JSON array of int8 values.
    #[arg(long, conflicts_with = "sample_seed")]
    input: Option<PathBuf>,
    /// Use a deterministic sample input from this seed instead.
    #[arg(long)]
    sample_seed: Option<u64>,
    /// Prover (payee) address bound into the proof.
    #[arg(long)]
    prover: String,
    /// With --private-weights: the 31-byte commitment salt as hex (keep it secret with the weights).
    #[arg(long, env = "MLPROOF_WEIGHTS_SALT", hide_env_values = true)]
    salt: Option<String>,
    /// With --committed-input: the 31-byte input commitment salt as hex (keep it secret with the input).
    #[arg(long, env = "MLPROOF_INPUT_SALT", hide_env_values = true)]
    input_salt: Option<String>,
    /// Seed the proof's randomness (reproducible fixtures); default: the OS RNG.
    #[arg(long)]
    rng_seed: Option<u64>,
    /// Where to write the proof file.
    #[arg(long)]
    out: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let model = load_model(&self.model)?;
        let prover = parse_address(&self.prover)?;
        let input = match (&self.input, self.sample_seed) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(path)
                    .wrap_err_with(|| format!("cannot read input file {}", path.display()))?;
                let raw: Vec<i64> = serde_json::from_str(&text)
                    .wrap_err_with(|| format!("{} is not a JSON array of integers", path.display()))?;
                model.check_input(&raw)?
            }
            (None, Some(seed)) => sample_input(seed, model.input_len),
            (None, None) => eyre::bail!("pass --input FILE or --sample-seed N"),
        };
        let salt = match (self.keys.private_weights, &self.salt) {
            (false, None) => None,
            (false, Some(_)) => eyre::bail!("--salt only applies with --private-weights"),
            (true, None) => eyre::bail!("--private-weights needs --salt (31 bytes of hex) or MLPROOF_WEIGHTS_SALT"),
            (true, Some(hex)) => Some(parse_salt(hex, "--salt")?),
        };
        let input_salt = match (self.keys.committed_input, &self.input_salt) {
            (false, None) => None,
            (false, Some(_)) => eyre::bail!("--input-salt only applies with --committed-input"),
            (true, None) => eyre::bail!("--committed-input needs --input-salt (31 bytes of hex) or MLPROOF_INPUT_SALT"),
            (true, Some(hex)) => Some(parse_salt(hex, "--input-salt")?),
        };
        let keys = self.keys.keys(&model, self.json)?;
        let output = engine::forward(&model, &input)?;
        if salt.is_none() {
            check_satisfied(
                &model,
                mlproof_circuits::Statement {
                    input: input.clone(),
                    output,
                    prover: prover.into_array(),
                    weights_commitment: None,
                    input_commitment: None,
                },
            )?;
        }
        let pb = spinner("proving", self.json);
        let t = Instant::now();
        let mut rng = match self.rng_seed {
            Some(seed) => ChaCha20Rng::seed_from_u64(seed),
            None => ChaCha20Rng::from_rng(rand::rngs::OsRng)?,
        };
        let (circuit, statement) = match salt {
            None => InferenceCircuit::new(&model, &input, prover.into_array())?,
            Some(salt) => InferenceCircuit::new_private(&model, &input, prover.into_array(), salt)?,
        };
        let (circuit, statement) = match input_salt {
            None => (circuit, statement),
            Some(s) => {
                let (c, st) = circuit.with_committed_input(Some(s));
                (c, st.unwrap_or(statement))
            }
        };
        let proof = prove_circuit(&keys, circuit, statement, &mut rng)?;
        let prove_s = t.elapsed().as_secs_f64();
        pb.finish_and_clear();
        verify_inference(&keys.vk, &proof)?;
        let file = ProofFile::new(&model, &proof);
        let text = serde_json::to_string_pretty(&file)? + "\n";
        std::fs::write(&self.out, text).wrap_err_with(|| format!("cannot write {}", self.out.display()))?;
        if self.json {
            print_json(&serde_json::json!({
                "model": model.name, "proof": self.out, "output": file.output_values,
                "predicted_class": engine::argmax(&file.output_values), "prove_s": prove_s,
            }));
        } else {
            println!(
                "proved {} -> output {:?} (class {}) in {prove_s:.3}s; wrote {}",
                model.name,
                file.output_values,
                engine::argmax(&file.output_values),
                self.out.display()
            );
        }
        Ok(())
    }
}
