//! `mlproof` — prove ML inference with Groth16 and get paid on Ethereum.

use clap::Parser;

mod cmd;
mod common;

fn main() {
    let cli = cmd::Cli::parse();
    common::init_tracing(cli.verbose);
    if let Err(err) = cli.command.run() {
        eprintln!("Error: {err:?}");
        std::process::exit(1);
    }
}
