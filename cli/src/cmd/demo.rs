//! `mlproof demo`: the end-to-end job on a local chain.

use eyre::Result;

/// Arguments of `mlproof demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print a JSON summary as the last line.
    #[arg(long)]
    json: bool,
}

impl Args {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        eyre::bail!("demo is being built")
    }
}
