//! `mlproof task post | lock | show | cancel`: tasks on the market, at a fixed price or on a
//! reverse-Dutch price ramp (`--min-price --ramp-delay --ramp-period`), and the two-step cancel
//! (`requestCancel`, then `cancelTask` once the notice is over: `--wait`).

use std::{path::PathBuf, time::Duration};

use alloy::primitives::{B256, U256};
use eyre::{Context, Result};
use mlproof_node::{
    job::chain_time,
    market::{self, NewTask, Ramp},
};
use mlproof_relayer::bindings::ITaskMarket::Task;

use super::market::{amount, statement, Chain, Ctx};
use crate::common::{parse_address, parse_salt, print_json};

/// `mlproof task post | lock | show | cancel`.
#[derive(Debug, clap::Args)]
pub struct TaskArgs {
    #[command(subcommand)]
    action: TaskAction,
}

#[derive(Debug, clap::Subcommand)]
enum TaskAction {
    /// Post a task, escrowing its bounty plus the protocol fee.
    Post(Box<PostArgs>),
    /// Lock an open task at its current price with collateral from your free stake.
    Lock {
        #[command(flatten)]
        chain: Chain,
        /// Statement id of the task.
        #[arg(long)]
        task: String,
    },
    /// Show an open task (rebuilt from its events and checked against the stored hash), its
    /// price now and any cancellation requested.
    Show {
        #[command(flatten)]
        chain: Chain,
        /// Statement id of the task.
        #[arg(long)]
        task: String,
    },
    /// Cancel an unlocked task: its requester asks (`requestCancel`; it can no longer be locked,
    /// and a proof sent during the notice is still paid), and once the notice is over anyone
    /// cancels it (`cancelTask`), crediting bounty and fee back to the requester. Past its
    /// deadline it is cancelled at once.
    Cancel {
        #[command(flatten)]
        chain: Chain,
        /// Statement id of the task.
        #[arg(long)]
        task: String,
        /// Wait for the notice to end (`cancelDueAt`) and cancel; without it, run the command
        /// again once the notice is over.
        #[arg(long)]
        wait: bool,
    },
}

/// `mlproof task post`.
#[derive(Debug, clap::Args)]
struct PostArgs {
    #[command(flatten)]
    chain: Chain,
    /// Registered model id.
    #[arg(long, visible_alias = "model")]
    model_id: u64,
    /// Input file: a JSON array of int8 values.
    #[arg(long)]
    input: PathBuf,
    /// The model's keys take a committed input: post the salted Poseidon commitment.
    #[arg(long)]
    committed_input: bool,
    /// With --committed-input: the 31-byte salt as hex (default: random, printed).
    #[arg(long, env = "MLPROOF_INPUT_SALT")]
    input_salt: Option<String>,
    /// With --committed-input: publish the input and its salt in the TaskPosted event so any
    /// prover can take the task (otherwise hand them to provers off-chain).
    #[arg(long)]
    publish_input: bool,
    /// Bounty in tokens: the most the task pays (the end of its price ramp).
    #[arg(long)]
    bounty: String,
    /// Start of a reverse-Dutch price ramp, in tokens (at least the market's minimum bounty): the
    /// first prover to lock or fulfil pays the price at that moment; the rest is refunded.
    #[arg(long)]
    min_price: Option<String>,
    /// With --min-price: seconds after posting during which the price stays at --min-price.
    #[arg(long, default_value_t = 0, requires = "min_price")]
    ramp_delay: u32,
    /// With --min-price: seconds over which the price then rises to the bounty (the ramp must
    /// end before the deadline).
    #[arg(long, default_value_t = 0, requires = "min_price")]
    ramp_period: u32,
    /// Collateral a prover must lock, in tokens.
    #[arg(long)]
    collateral: String,
    /// Seconds from now to the deadline.
    #[arg(long, default_value_t = 3600)]
    duration: u64,
    /// Wait until a prover fulfils it and print the verified output (fails at the deadline).
    #[arg(long)]
    wait: bool,
    /// With --wait: read the output as a dApp does, through this classifier consumer
    /// (`predictedClass`), and decode it into its classes' int8 scores.
    #[arg(long)]
    consumer: Option<String>,
}

fn task_json(id: B256, t: &Task) -> serde_json::Value {
    serde_json::json!({
        "statement_id": id.to_string(), "requester": t.requester.to_string(), "model_id": t.modelId,
        "deadline": t.deadline, "verifier": t.verifier.to_string(), "work_units": t.workUnits,
        "output_words": t.outputWords, "private_weights": t.privateWeights,
        "bounty": t.bounty.to_string(), "min_price": t.minPrice.to_string(), "ramp_start": t.rampStart,
        "ramp_end": t.rampEnd, "fee": t.fee.to_string(), "collateral": t.collateral.to_string(),
        "prover": (!t.prover.is_zero()).then(|| t.prover.to_string()),
        "input": t.input.iter().map(ToString::to_string).collect::<Vec<_>>(),
    })
}

fn read_input(path: &PathBuf) -> Result<Vec<i8>> {
    let text = std::fs::read_to_string(path).wrap_err_with(|| format!("cannot read input file {}", path.display()))?;
    let raw: Vec<i64> =
        serde_json::from_str(&text).wrap_err_with(|| format!("{} is not a JSON array of integers", path.display()))?;
    raw.iter()
        .enumerate()
        .map(|(i, &v)| i8::try_from(v).map_err(|_| eyre::eyre!("input[{i}] = {v} is outside the int8 range")))
        .collect()
}

impl PostArgs {
    fn run(self) -> Result<()> {
        let consumer = self.consumer.as_deref().map(parse_address).transpose()?;
        eyre::ensure!(self.wait || consumer.is_none(), "--consumer needs --wait");
        let c = self.chain.connect()?;
        let values = read_input(&self.input)?;
        let layout = if self.committed_input {
            let salt = match &self.input_salt {
                Some(hex) => parse_salt(hex, "--input-salt")?,
                None => market::random_salt(),
            };
            market::InputLayout::Committed { salt, publish: self.publish_input }
        } else {
            eyre::ensure!(
                self.input_salt.is_none() && !self.publish_input,
                "--input-salt and --publish-input need --committed-input"
            );
            market::InputLayout::Plain
        };
        let market::TaskInput { words, data, salt } = market::task_input(&values, layout);
        let salt = salt.map(|s| alloy::hex::encode_prefixed(s.0));
        let ramp = match &self.min_price {
            Some(p) => Some(Ramp { min_price: amount(p)?, delay: self.ramp_delay, period: self.ramp_period }),
            None => None,
        };
        let new = NewTask {
            model_id: U256::from(self.model_id),
            input: words,
            bounty: amount(&self.bounty)?,
            collateral: amount(&self.collateral)?,
            deadline: c.rt.block_on(chain_time(&c.account))? + self.duration,
            input_data: data,
            ramp,
        };
        let (id, task, sent) = c.rt.block_on(market::post_task(&c.account, c.token, c.market, &new))?;
        let mut v = task_json(id, &task);
        v["input_salt"] = salt.clone().into();
        let ramp_text = if task.minPrice < task.bounty {
            format!(", price {} rising from {} to {} at {}", task.minPrice, task.rampStart, task.bounty, task.rampEnd)
        } else {
            String::new()
        };
        c.report(
            "task post",
            &sent,
            v,
            format!(
                "posted task {id} (escrowed bounty {} + fee {}{ramp_text}){}",
                task.bounty,
                task.fee,
                salt.map(|s| format!(" (input salt {s}: keep it to hand to provers)")).unwrap_or_default()
            ),
        );
        if self.wait {
            c.wait_for_output(id, &task, consumer)?;
        }
        Ok(())
    }
}

/// The cancel flow: request if needed, then (with `wait`) wait for the notice and cancel.
fn cancel(c: &Ctx, id: B256, wait: bool) -> Result<()> {
    let t = c.task(id)?;
    let now = c.rt.block_on(chain_time(&c.account))?;
    let mut due = c.rt.block_on(market::cancel_due_at(&c.account.provider, c.market, id))?;
    let expired = now > u64::from(t.deadline);
    if due.is_none() && !expired {
        let (at, sent) = c.rt.block_on(market::request_cancel(&c.account, c.market, &t))?;
        c.report(
            "task cancel requested",
            &sent,
            serde_json::json!({ "statement_id": id.to_string(), "cancel_due_at": at }),
            format!("cancellation of {id} requested; due at {at} (a proof sent before then is still paid)"),
        );
        due = Some(at);
    }
    if !expired && !wait && due.is_some_and(|d| now < d) {
        if !c.json {
            println!("run `mlproof task cancel --task {id}` again after {} (or pass --wait)", due.unwrap_or_default());
        }
        return Ok(());
    }
    // Wait for the notice, re-reading the due time (a pause moves it) and whether a prover
    // fulfilled the task meanwhile (then there is nothing to cancel).
    loop {
        if expired {
            break;
        }
        let Some(open) = c.rt.block_on(market::find_task(&c.account.provider, c.market, id))? else {
            let verified =
                c.rt.block_on(market::verified_output(&c.account.provider, c.market, U256::from(t.modelId), &t.input))?;
            eyre::ensure!(verified.is_some(), "task {id} is no longer open, and no output was verified for it");
            if c.json {
                print_json(
                    &serde_json::json!({ "action": "task cancel", "statement_id": id.to_string(), "fulfilled": true }),
                );
            } else {
                println!("task {id} was fulfilled during its cancel notice: the output is verified, nothing to cancel");
            }
            return Ok(());
        };
        let at = c.rt.block_on(market::cancel_due_at(&c.account.provider, c.market, id))?.unwrap_or_default();
        if c.rt.block_on(chain_time(&c.account))? >= at {
            return send_cancel(c, id, &open);
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    send_cancel(c, id, &t)
}

fn send_cancel(c: &Ctx, id: B256, t: &Task) -> Result<()> {
    let sent = c.rt.block_on(market::cancel(&c.account, c.market, t))?;
    let refund = U256::from(t.bounty) + U256::from(t.fee);
    c.report(
        "task cancel",
        &sent,
        serde_json::json!({ "statement_id": id.to_string(), "refund": refund.to_string(), "fulfilled": false }),
        format!("cancelled {id}; bounty and fee ({refund}) credited to {} (mlproof claim)", t.requester),
    );
    Ok(())
}

impl TaskArgs {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        match self.action {
            TaskAction::Post(post) => post.run()?,
            TaskAction::Lock { chain, task } => {
                let c = chain.connect()?;
                let id = statement(&task)?;
                let t = c.task(id)?;
                let (locked, sent) = c.rt.block_on(market::lock_task(&c.account, c.market, &t))?;
                c.report(
                    "task lock",
                    &sent,
                    serde_json::json!({
                        "statement_id": id.to_string(), "collateral": locked.collateral.to_string(),
                        "price": locked.bounty.to_string(), "deadline": locked.deadline,
                    }),
                    format!("locked {id} at price {} until {}", locked.bounty, locked.deadline),
                );
            }
            TaskAction::Show { chain, task } => {
                let c = chain.connect()?;
                let id = statement(&task)?;
                let t = c.task(id)?;
                let now = c.rt.block_on(chain_time(&c.account))?;
                let mut v = task_json(id, &t);
                v["price_now"] =
                    c.rt.block_on(market::price_at(&c.account.provider, c.market, &t, now))?.to_string().into();
                v["cancel_due_at"] = c.rt.block_on(market::cancel_due_at(&c.account.provider, c.market, id))?.into();
                if c.json {
                    print_json(&v);
                } else {
                    println!("{}", serde_json::to_string_pretty(&v)?);
                }
            }
            TaskAction::Cancel { chain, task, wait } => {
                let c = chain.connect()?;
                cancel(&c, statement(&task)?, wait)?;
            }
        }
        Ok(())
    }
}
