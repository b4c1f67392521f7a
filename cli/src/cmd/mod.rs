//! Subcommands, one module each.

use clap::{Parser, Subcommand};

pub mod bench;
pub mod demo;
pub mod deploy;
pub mod market;
pub mod model;
pub mod node;
pub mod prove;
pub mod setup;
pub mod task;
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
    /// Stake tokens in the market.
    Stake(market::StakeArgs),
    /// Start unbonding free stake.
    Unstake(market::UnstakeArgs),
    /// Withdraw unbonded stake.
    Withdraw(market::WithdrawArgs),
    /// Post (fixed price or a price ramp), lock, show or cancel tasks.
    #[command(subcommand_required = true)]
    Task(task::TaskArgs),
    /// Fulfil a task with a proof file.
    Fulfil(market::FulfilArgs),
    /// Slash a locked task past its deadline.
    Slash(market::SlashArgs),
    /// Claim bounties, refunds, slash shares and emissions.
    Claim(market::ClaimArgs),
    /// Show an account's stake, locks and claimable balance.
    Status(market::StatusArgs),
    /// Run the end-to-end job on a local chain: deploy, stake, post, lock, prove, fulfil, read, claim.
    Demo(demo::Args),
    /// Run the prover service (`--config node.toml`); `init` writes an example config, `check`
    /// validates one.
    Node(node::Args),
    /// Deploy the protocol and every model of a deploy config to a network; writes
    /// `deployments/<chain id>.json`.
    Deploy(deploy::Args),
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
            Self::Stake(a) => a.run(),
            Self::Unstake(a) => a.run(),
            Self::Withdraw(a) => a.run(),
            Self::Task(a) => a.run(),
            Self::Fulfil(a) => a.run(),
            Self::Slash(a) => a.run(),
            Self::Claim(a) => a.run(),
            Self::Status(a) => a.run(),
            Self::Demo(a) => a.run(),
            Self::Node(a) => a.run(),
            Self::Deploy(a) => a.run(),
            Self::Bench(a) => a.run(),
        }
    }
}
