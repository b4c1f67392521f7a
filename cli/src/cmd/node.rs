//! `mlproof node`: the prover service's commands. `init` writes a commented example
//! `node.toml`; `check` loads a config and names what is wrong with it.

use std::path::PathBuf;

use eyre::{bail, Context, Result};
use mlproof_node::service::config::{NodeConfig, EXAMPLE};

/// `mlproof node …`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: NodeCommand,
}

#[derive(Debug, clap::Subcommand)]
enum NodeCommand {
    /// Write a commented example configuration.
    Init {
        /// Where to write it.
        #[arg(long, default_value = "node.toml")]
        out: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Load a configuration (and its signer) and report what it serves, or what is wrong.
    Check {
        /// The configuration file.
        #[arg(long, default_value = "node.toml")]
        config: PathBuf,
    },
}

impl Args {
    /// Runs the subcommand.
    pub fn run(self) -> Result<()> {
        match self.command {
            NodeCommand::Init { out, force } => {
                if out.exists() && !force {
                    bail!("{} exists; pass --force to overwrite it", out.display());
                }
                std::fs::write(&out, EXAMPLE).wrap_err_with(|| format!("writing {}", out.display()))?;
                println!("wrote {}: edit rpc_url, chain_id, the signer and [[models]]", out.display());
            }
            NodeCommand::Check { config } => {
                let c = NodeConfig::load(&config)?;
                let signer = c.signer(&config)?;
                println!(
                    "{}: chain {} at {}, prover {}, {} model(s), {} worker(s), API on {}",
                    config.display(),
                    c.chain_id,
                    c.rpc_url,
                    signer.address(),
                    c.models.len(),
                    c.workers,
                    c.listen
                );
            }
        }
        Ok(())
    }
}
