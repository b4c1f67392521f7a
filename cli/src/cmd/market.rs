//! Market commands on the `sol!` bindings: `stake`, `unstake`, `withdraw`, `fulfil`, `slash`,
//! `claim`, `status` (the `task` commands are in [`super::task`]). Each sends from the key in `MLPROOF_PRIVATE_KEY` through
//! the transaction manager (`--txm-db`, `--intent-key`) and waits for the confirmed receipt;
//! `--json` prints one JSON object.

use std::path::PathBuf;

use alloy::{
    primitives::{utils::parse_units, Address, B256, U256},
    signers::local::PrivateKeySigner,
};
use eyre::{Context, Result};
use mlproof_node::{
    job::{chain_time, decode_output},
    market,
};
use mlproof_prover::ProofFile;
use mlproof_relayer::{
    bindings::{IStaking, ITaskMarket::Task},
    chain::{contract_error, Account, Sent},
    txm::TxmConfig,
};

use crate::common::{parse_address, print_json};

/// Connection shared by the market commands.
#[derive(Debug, Clone, clap::Args)]
pub struct Chain {
    /// JSON-RPC endpoint.
    #[arg(long, env = "MLPROOF_RPC_URL")]
    pub rpc_url: String,
    /// Private key of the sender, hex.
    #[arg(long, env = "MLPROOF_PRIVATE_KEY", hide_env_values = true)]
    pub private_key: String,
    /// MlproofMarket address.
    #[arg(long, env = "MLPROOF_MARKET")]
    pub market: String,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// The transaction manager's database: every intent, its nonce and each signed transaction
    /// are written here before they are broadcast; unfinished ones are resumed by the next command.
    #[arg(long, env = "MLPROOF_TXM_DB", default_value = ".mlproof/txm.sqlite")]
    pub txm_db: PathBuf,
    /// Refuse an RPC endpoint that serves another chain.
    #[arg(long, env = "MLPROOF_CHAIN_ID")]
    pub chain_id: Option<u64>,
    /// Blocks deep a transaction must be before the command reports it (1 = in the head block).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub confirmations: u64,
    /// Idempotency key of this command: running it again with the same key returns the
    /// transactions of the first run instead of sending new ones (random when absent).
    #[arg(long)]
    pub intent_key: Option<String>,
}

/// A connected sender.
pub(crate) struct Ctx {
    pub(crate) account: Account,
    pub(crate) market: Address,
    pub(crate) token: Address,
    pub(crate) json: bool,
    pub(crate) rt: tokio::runtime::Runtime,
}

impl Chain {
    pub(crate) fn connect(&self) -> Result<Ctx> {
        let signer: PrivateKeySigner =
            self.private_key.trim().parse().wrap_err("the private key is not a valid secp256k1 key")?;
        let market = parse_address(&self.market)?;
        let rt = tokio::runtime::Runtime::new()?;
        if let Some(dir) = self.txm_db.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
        }
        let config = TxmConfig { chain_id: self.chain_id, confirmations: self.confirmations, ..TxmConfig::default() };
        let account = rt.block_on(Account::open(&self.rpc_url, signer, &self.txm_db, config))?;
        let account = match &self.intent_key {
            Some(key) => account.with_key_prefix(&format!("cli:{key}")),
            None => account,
        };
        let token = rt
            .block_on(async { IStaking::new(market, &account.provider).token().call().await })
            .map_err(|e| contract_error("token", &e))
            .wrap_err_with(|| format!("{market} does not answer as an MlproofMarket"))?;
        Ok(Ctx { account, market, token, json: self.json, rt })
    }
}

impl Ctx {
    pub(crate) fn report(&self, action: &str, sent: &Sent, mut extra: serde_json::Value, text: String) {
        if self.json {
            extra["action"] = action.into();
            extra["tx"] = sent.tx_hash.to_string().into();
            extra["gas_used"] = sent.gas_used.into();
            extra["block"] = sent.receipt.block_number.into();
            print_json(&extra);
        } else {
            println!("{action}: {text} (tx {}, gas {})", sent.tx_hash, sent.gas_used);
        }
    }

    /// Polls until the task's output is verified (or its deadline passes) and prints it.
    pub(crate) fn wait_for_output(&self, id: B256, task: &Task, consumer: Option<Address>) -> Result<()> {
        let model_id = U256::from(task.modelId);
        let started = std::time::Instant::now();
        let words = loop {
            if let Some(words) =
                self.rt.block_on(market::verified_output(&self.account.provider, self.market, model_id, &task.input))?
            {
                break words;
            }
            let now = self.rt.block_on(chain_time(&self.account))?;
            eyre::ensure!(
                now <= u64::from(task.deadline),
                "task {id} passed its deadline {} unfulfilled",
                task.deadline
            );
            std::thread::sleep(std::time::Duration::from_millis(500));
        };
        let waited = started.elapsed().as_secs_f64();
        let mut v = serde_json::json!({
            "action": "task output", "statement_id": id.to_string(), "waited_s": waited,
            "output_words": words.iter().map(ToString::to_string).collect::<Vec<_>>(),
        });
        let mut text = format!("task {id} fulfilled after {waited:.1}s: {} verified output word(s)", words.len());
        if let Some(addr) = consumer {
            let cc = mlproof_relayer::bindings::IClassifierConsumer::new(addr, &self.account.provider);
            let classes = self
                .rt
                .block_on(async { cc.numClasses().call().await })
                .map_err(|e| contract_error("numClasses", &e))?;
            let label = self
                .rt
                .block_on(async { cc.predictedClass(task.input.clone()).call().await })
                .map_err(|e| contract_error("predictedClass", &e))?;
            let output = decode_output(&words, usize::from(classes))?;
            text = format!("{text}; output {output:?}; consumer {addr} reads class {label}");
            v["output"] = serde_json::json!(output);
            v["class"] = label.into();
        }
        if self.json {
            print_json(&v);
        } else {
            println!("{text}");
        }
        Ok(())
    }

    pub(crate) fn task(&self, id: B256) -> Result<Task> {
        self.rt.block_on(market::find_task(&self.account.provider, self.market, id))?.ok_or_else(|| {
            eyre::eyre!("no open task {id}: it was never posted, or is already fulfilled, slashed or cancelled")
        })
    }
}

/// Token amount: whole tokens with up to 18 decimals (`100`, `2.5`).
pub(crate) fn amount(s: &str) -> Result<U256> {
    let v: U256 = parse_units(s, 18).wrap_err_with(|| format!("{s:?} is not a token amount"))?.into();
    eyre::ensure!(!v.is_zero(), "the amount must be positive");
    Ok(v)
}

pub(crate) fn statement(s: &str) -> Result<B256> {
    s.parse().wrap_err_with(|| format!("{s:?} is not a 32-byte statement id (0x…)"))
}

/// `mlproof stake --amount A`.
#[derive(Debug, clap::Args)]
pub struct StakeArgs {
    #[command(flatten)]
    chain: Chain,
    /// Tokens to stake (approved and transferred).
    #[arg(long)]
    amount: String,
}

impl StakeArgs {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let c = self.chain.connect()?;
        let amount = amount(&self.amount)?;
        let sent = c.rt.block_on(market::stake(&c.account, c.token, c.market, amount))?;
        c.report("stake", &sent, serde_json::json!({ "amount": amount.to_string() }), format!("staked {amount}"));
        Ok(())
    }
}

/// `mlproof unstake --amount A`: start unbonding free stake.
#[derive(Debug, clap::Args)]
pub struct UnstakeArgs {
    #[command(flatten)]
    chain: Chain,
    /// Tokens to move from free stake to unbonding.
    #[arg(long)]
    amount: String,
}

impl UnstakeArgs {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let c = self.chain.connect()?;
        let amount = amount(&self.amount)?;
        let sent = c.rt.block_on(market::request_unstake(&c.account, c.market, amount))?;
        let st = c.rt.block_on(market::status(&c.account.provider, c.token, c.market, c.account.address))?;
        c.report(
            "unstake",
            &sent,
            serde_json::json!({ "amount": amount.to_string(), "release_at": st.release_at }),
            format!("{amount} unbonding until {}", st.release_at),
        );
        Ok(())
    }
}

/// `mlproof withdraw`: withdraw unbonded stake.
#[derive(Debug, clap::Args)]
pub struct WithdrawArgs {
    #[command(flatten)]
    chain: Chain,
}

impl WithdrawArgs {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let c = self.chain.connect()?;
        let (amount, sent) = c.rt.block_on(market::withdraw(&c.account, c.market))?;
        c.report("withdraw", &sent, serde_json::json!({ "amount": amount.to_string() }), format!("withdrew {amount}"));
        Ok(())
    }
}

/// `mlproof fulfil --task ID --proof FILE`.
#[derive(Debug, clap::Args)]
pub struct FulfilArgs {
    #[command(flatten)]
    chain: Chain,
    /// Statement id of the task.
    #[arg(long)]
    task: String,
    /// Proof file written by `mlproof prove` (bound to the sender's address).
    #[arg(long)]
    proof: PathBuf,
}

impl FulfilArgs {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let c = self.chain.connect()?;
        let id = statement(&self.task)?;
        let text = std::fs::read_to_string(&self.proof)
            .wrap_err_with(|| format!("cannot read proof file {}", self.proof.display()))?;
        let file: ProofFile = serde_json::from_str(&text)
            .wrap_err_with(|| format!("{} is not an mlproof proof file", self.proof.display()))?;
        let evm = file.to_evm()?;
        let t = c.task(id)?;
        let sent = c.rt.block_on(market::fulfil(&c.account, c.market, &t, &evm))?;
        let words =
            c.rt.block_on(market::verified_output(&c.account.provider, c.market, U256::from(t.modelId), &evm.input))?
                .ok_or_else(|| eyre::eyre!("the market reports no verified output after fulfil"))?;
        let output = decode_output(&words, file.output_values.len())?;
        c.report(
            "fulfil",
            &sent,
            serde_json::json!({ "statement_id": id.to_string(), "verified": output == file.output_values, "output": output, "bounty": t.bounty.to_string() }),
            format!("verified output {output:?}; bounty {} credited", t.bounty),
        );
        Ok(())
    }
}

/// `mlproof slash --task ID`.
#[derive(Debug, clap::Args)]
pub struct SlashArgs {
    #[command(flatten)]
    chain: Chain,
    /// Statement id of the locked, expired task.
    #[arg(long)]
    task: String,
}

impl SlashArgs {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let c = self.chain.connect()?;
        let id = statement(&self.task)?;
        let t = c.task(id)?;
        let sent = c.rt.block_on(market::slash(&c.account, c.market, &t))?;
        c.report("slash", &sent, serde_json::json!({ "statement_id": id.to_string(), "prover": t.prover.to_string(), "collateral": t.collateral.to_string() }), format!("slashed {} of {}", t.collateral, t.prover));
        Ok(())
    }
}

/// `mlproof claim`.
#[derive(Debug, clap::Args)]
pub struct ClaimArgs {
    #[command(flatten)]
    chain: Chain,
}

impl ClaimArgs {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let c = self.chain.connect()?;
        let (amount, sent) = c.rt.block_on(market::claim(&c.account, c.market))?;
        c.report("claim", &sent, serde_json::json!({ "amount": amount.to_string() }), format!("claimed {amount}"));
        Ok(())
    }
}

/// `mlproof status [--address A]`.
#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    chain: Chain,
    /// Account to show (default: the key's address).
    #[arg(long)]
    address: Option<String>,
}

impl StatusArgs {
    /// Runs the command.
    pub fn run(self) -> Result<()> {
        let c = self.chain.connect()?;
        let who = self.address.as_deref().map(parse_address).transpose()?.unwrap_or(c.account.address);
        let st = c.rt.block_on(market::status(&c.account.provider, c.token, c.market, who))?;
        if c.json {
            print_json(&serde_json::to_value(&st)?);
        } else {
            println!("{}", serde_json::to_string_pretty(&st)?);
        }
        Ok(())
    }
}
