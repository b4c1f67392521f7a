//! `mlproof node`: the prover service. `mlproof node --config node.toml` runs it until SIGTERM or
//! SIGINT; `init` writes a commented example `node.toml`; `check` loads a config and names what
//! is wrong with it.

use std::path::PathBuf;

use eyre::{bail, Context, Result};
use mlproof_node::service::{
    config::{NodeConfig, EXAMPLE},
    node::Node,
};

/// `mlproof node [--config node.toml] [init | check]`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run the service with this configuration (when no subcommand is given).
    #[arg(long, default_value = "node.toml")]
    config: PathBuf,
    #[command(subcommand)]
    command: Option<NodeCommand>,
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT: stopping"),
        () = term => tracing::info!("SIGTERM: stopping"),
    }
}

fn serve(config: &std::path::Path) -> Result<()> {
    let c = NodeConfig::load(config)?;
    let signer = c.signer(config)?;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async {
        let node =
            Node::start(c, signer).await.wrap_err_with(|| format!("starting the node of {}", config.display()))?;
        node.run(shutdown_signal()).await?;
        Ok(())
    })
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
        let Some(command) = self.command else { return serve(&self.config) };
        match command {
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
