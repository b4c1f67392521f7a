//! Subcommands, one module each.

use clap::{Parser, Subcommand};

pub mod bench;
pub mod bench_circuits;
pub mod demo;
pub mod model;
pub mod prove;
pub mod setup;
pub mod submit;
pub mod verifier;
pub mod verify;

/// Prove quantized ML inference with Groth16 and verify it on Ethereum.
#[derive(Debug, Parser)]
#[command(name = "mlproof", version, about)]
pub struct Cli {
    /// Log more (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// The subcommand.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write or inspect model files.
    #[command(subcommand_required = true)]
    Model(model::Args),
    /// Generate Groth16 keys for a model (development setup from a seed).
    Setup(setup::Args),
    /// Generate the Solidity verifier for a model's circuit.
    Verifier(verifier::Args),
    /// Prove a model's output on an input.
    Prove(prove::Args),
    /// Verify a proof file in Rust.
    Verify(verify::Args),
    /// Measure constraints, setup and proving time, memory and gas; prints JSON.
    Bench(bench::Args),
    /// Relay a proof file to a deployed InferenceHub and wait for the receipt.
    Submit(submit::Args),
    /// Run the end-to-end job on a local chain: deploy, stake, prove, relay, verify, claim, read.
    Demo(demo::Args),
}

impl Command {
    /// Runs the subcommand.
    pub fn run(self) -> eyre::Result<()> {
        match self {
            Self::Model(a) => a.run(),
            Self::Setup(a) => a.run(),
            Self::Verifier(a) => a.run(),
            Self::Prove(a) => a.run(),
            Self::Verify(a) => a.run(),
            Self::Submit(a) => a.run(),
            Self::Demo(a) => a.run(),
            Self::Bench(a) => a.run(),
        }
    }
}
