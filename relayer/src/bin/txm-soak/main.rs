//! `txm-soak` (`./scripts/bench relayer`): at least 100 probe intents from one account through a
//! `txm-send` process while faults of every kind are injected into a real anvil at random —
//! dropped transactions, base-fee spikes, reorgs, RPC outages, SIGKILL of the sender — then the
//! chain is checked: every intent applied exactly once, nonces contiguous, nothing pending.
//! Progress goes to stderr; the last line of stdout is one JSON object.

mod chain;
mod proxy;
mod report;
mod sender;

use std::{
    collections::BTreeMap,
    path::PathBuf,
    sync::{atomic::AtomicU64, Arc, Mutex},
    time::{Duration, Instant},
};

use clap::Parser;
use eyre::{bail, Result};
use rand::{seq::SliceRandom, Rng, SeedableRng};
use serde_json::json;

use crate::{
    chain::Anvil,
    proxy::Proxy,
    sender::{Seen, Sender, SenderSpec},
};

/// anvil's well-known first development key (the soak's only sender).
const DEV_KEY: &str = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

/// The kinds of fault, each injected equally often.
const KINDS: [&str; 5] = ["dropped", "fee_spike", "reorg", "rpc_down", "kill"];

#[derive(Parser, Debug)]
#[command(about = "Soak the transaction manager with mixed faults on a real anvil")]
struct Args {
    /// Probe intents to send.
    #[arg(long, default_value_t = 120)]
    intents: u64,
    /// Faults to inject (spread evenly over the five kinds).
    #[arg(long, default_value_t = 60)]
    faults: usize,
    /// Confirmation depth; reorgs go at most `confirmations - 1` deep.
    #[arg(long, default_value_t = 4)]
    confirmations: u64,
    /// Intents in flight at once: a small window keeps the run long enough for every fault.
    #[arg(long, default_value_t = 2)]
    window: u64,
    /// Seed of the fault schedule (random when absent; printed either way).
    #[arg(long)]
    seed: Option<u64>,
    /// Give up after this many seconds.
    #[arg(long, default_value_t = 900)]
    timeout_s: u64,
}

struct Soak {
    anvil: Anvil,
    proxy: Proxy,
    spec: SenderSpec,
    seen: Arc<Mutex<Seen>>,
    head: Arc<AtomicU64>,
    sender: Option<Sender>,
    rng: rand_chacha::ChaCha8Rng,
}

impl Soak {
    async fn mine(&mut self, n: u64) -> Result<()> {
        self.anvil.mine(n).await?;
        self.head.store(self.anvil.head().await?, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }

    fn start_sender(&mut self) -> Result<()> {
        self.sender = Some(Sender::start(&self.spec, &self.seen, Arc::clone(&self.head))?);
        Ok(())
    }

    /// Whether the sender finished; a sender that exits without `done` is a failure.
    fn finished(&mut self) -> Result<bool> {
        let Some(sender) = self.sender.as_mut() else { return Ok(false) };
        match sender.exited()? {
            None => Ok(false),
            Some(status) if status.success() && self.seen.lock().expect("seen").done => Ok(true),
            Some(status) => bail!("txm-send exited with {status} before every intent was confirmed"),
        }
    }

    /// Waits (mining nothing) up to `limit` for a transaction in the pool, so the fault hits one.
    async fn await_pool(&self, limit: Duration) -> Result<()> {
        let start = Instant::now();
        while self.anvil.pool_size().await? == 0 && start.elapsed() < limit {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }

    async fn inject(&mut self, kind: &str, confirmations: u64) -> Result<()> {
        match kind {
            "dropped" => {
                self.await_pool(Duration::from_secs(2)).await?;
                self.anvil.rpc("anvil_dropAllTransactions", json!([])).await?;
                self.mine(1).await?;
            }
            "fee_spike" => {
                self.await_pool(Duration::from_secs(2)).await?;
                let base = self.anvil.base_fee().await?;
                let spiked = (base * self.rng.gen_range(3..=8)).clamp(2_000_000_000, 200_000_000_000);
                self.anvil.rpc("anvil_setNextBlockBaseFeePerGas", json!([format!("{spiked:#x}")])).await?;
                self.mine(1).await?;
            }
            "reorg" => {
                let depth = self.rng.gen_range(1..confirmations.max(2));
                self.anvil.rpc("anvil_reorg", json!([depth, []])).await?;
                self.mine(1).await?;
            }
            "rpc_down" => {
                self.proxy.set_up(false);
                for _ in 0..self.rng.gen_range(2..=4) {
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    self.mine(1).await?;
                }
                self.proxy.set_up(true);
            }
            "kill" => {
                tokio::time::sleep(Duration::from_millis(self.rng.gen_range(0..250))).await;
                if let Some(sender) = self.sender.take() {
                    sender.kill()?;
                }
                self.mine(1).await?;
                self.start_sender()?;
            }
            other => bail!("unknown fault kind {other}"),
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .init();
    let args = Args::parse();
    if args.intents == 0 || args.window == 0 || args.confirmations < 2 {
        bail!(
            "--intents and --window must be positive and --confirmations at least 2 (reorgs go confirmations - 1 deep)"
        );
    }
    let seed = args.seed.unwrap_or_else(|| rand::thread_rng().gen());
    eprintln!(
        "[soak] {} intents, {} faults, confirmations {}, seed {seed}",
        args.intents, args.faults, args.confirmations
    );
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = tempfile::tempdir()?;
    let anvil = Anvil::start(&root).await?;
    let proxy = Proxy::start(anvil.addr).await?;
    let spec = SenderSpec {
        exe: std::env::current_exe()?.with_file_name("txm-send"),
        rpc: format!("http://{}", proxy.addr),
        db: dir.path().join("txm.sqlite"),
        key: DEV_KEY.to_owned(),
        intents: args.intents,
        confirmations: args.confirmations,
        window: args.window,
    };
    let head = Arc::new(AtomicU64::new(anvil.head().await?));
    let mut soak = Soak {
        anvil,
        proxy,
        spec,
        seen: Arc::default(),
        head,
        sender: None,
        rng: rand_chacha::ChaCha8Rng::seed_from_u64(seed),
    };
    let mut schedule: Vec<&str> = (0..args.faults).map(|i| KINDS[i % KINDS.len()]).collect();
    schedule.shuffle(&mut soak.rng);
    let mut fault_kinds: BTreeMap<&str, u64> = KINDS.iter().map(|k| (*k, 0)).collect();
    // anvil refuses a reorg deeper than the chain: give it a history first.
    soak.mine(args.confirmations).await?;
    let started = Instant::now();
    soak.start_sender()?;
    let mut faults = schedule.into_iter();
    loop {
        if soak.finished()? {
            break;
        }
        if started.elapsed() > Duration::from_secs(args.timeout_s) {
            bail!("soak timed out after {} s", args.timeout_s);
        }
        // Between two faults the chain moves on by one or two blocks.
        for _ in 0..soak.rng.gen_range(1..=2) {
            tokio::time::sleep(Duration::from_millis(120)).await;
            soak.mine(1).await?;
        }
        if let Some(kind) = faults.next() {
            soak.inject(kind, args.confirmations).await?;
            *fault_kinds.entry(kind).or_default() += 1;
            let n: u64 = fault_kinds.values().sum();
            if n.is_multiple_of(10) {
                let done = soak.seen.lock().expect("seen").submitted_at.len();
                eprintln!("[soak] {n} faults injected, {done} intents submitted so far");
            }
        }
    }
    let elapsed = started.elapsed();
    soak.sender = None;
    let submitted_at = std::mem::take(&mut soak.seen.lock().expect("seen").submitted_at);
    let r = report::check(&soak.anvil, &soak.spec, &submitted_at).await?;
    let faults_injected: u64 = fault_kinds.values().sum();
    let summary = json!({
        "suite": "relayer",
        "intents": args.intents,
        "confirmations": args.confirmations,
        "window": args.window,
        "faults_planned": args.faults,
        "seed": seed,
        "elapsed_s": (elapsed.as_secs_f64() * 10.0).round() / 10.0,
        "faults_injected": faults_injected,
        "fault_kinds": fault_kinds,
        "lost": r.lost,
        "doubled": r.doubled,
        "nonces_contiguous": r.nonces_contiguous,
        "pending_left": r.pending_left,
        "gap_fillers": r.gap_fillers,
        "replacements": r.replacements,
        "max_fee_bump_ratio": (r.max_fee_bump_ratio * 100.0).round() / 100.0,
        "mean_blocks_to_confirm": (r.mean_blocks_to_confirm * 100.0).round() / 100.0,
    });
    println!("{summary}");
    if r.lost > 0 || r.doubled > 0 || !r.nonces_contiguous || r.pending_left > 0 {
        bail!(
            "soak failed: lost {}, doubled {}, nonces contiguous {}, pending {}",
            r.lost,
            r.doubled,
            r.nonces_contiguous,
            r.pending_left
        );
    }
    Ok(())
}
