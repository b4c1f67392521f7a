//! `txm-send`: one sending process of the transaction manager, driving probe intents
//! ([`mlproof_relayer::txm::probe`]) to their end. The SIGKILL test and the soak
//! (`./scripts/bench relayer`) run it as a separate process, kill it at random points and start it
//! again on the same database.
//!
//! It keeps at most `--window` intents unfinished, submitting the next probe when one ends, and
//! prints one JSON line per state change on stdout:
//! `{"event":"state","key":"soak:7","state":"submitted","nonce":7}`, then
//! `{"event":"done","confirmed":N,"other":M}` and exits 0 when every intent is confirmed (1 otherwise).
//! The signing key comes from `MLPROOF_TXM_KEY` and is never printed.

use std::{collections::HashMap, io::Write, path::PathBuf, time::Duration};

use alloy::signers::local::PrivateKeySigner;
use clap::Parser;
use eyre::{bail, eyre, Result, WrapErr};
use mlproof_relayer::txm::{probe, IntentState, RetryPolicy, TxManager, TxmConfig, TxmError};

#[derive(Parser, Debug)]
#[command(about = "Drive probe intents through the transaction manager (tests and the relayer soak)")]
struct Args {
    /// JSON-RPC URL of the chain.
    #[arg(long)]
    rpc: String,
    /// The chain id the node must report.
    #[arg(long)]
    chain_id: Option<u64>,
    /// The manager's SQLite database.
    #[arg(long)]
    db: PathBuf,
    /// Namespace of the probe keys (`<namespace>:<i>`).
    #[arg(long, default_value = "probe")]
    namespace: String,
    /// First probe index.
    #[arg(long, default_value_t = 0)]
    from: u64,
    /// One past the last probe index.
    #[arg(long)]
    to: u64,
    /// At most this many intents unfinished at once.
    #[arg(long, default_value_t = 4)]
    window: usize,
    /// Confirmation depth.
    #[arg(long, default_value_t = 1)]
    confirmations: u64,
    /// Blocks before a pending transaction is replaced.
    #[arg(long, default_value_t = 2)]
    stuck_blocks: u64,
    /// Pause between driver passes, in milliseconds.
    #[arg(long, default_value_t = 50)]
    poll_ms: u64,
    /// Give up (exit 1) after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout_s: u64,
    /// The sending key (hex).
    #[arg(long, env = "MLPROOF_TXM_KEY", hide_env_values = true)]
    key: String,
}

fn emit(line: &serde_json::Value) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn open(args: &Args, config: &TxmConfig) -> Result<TxManager> {
    let signer: PrivateKeySigner = args.key.trim().parse().map_err(|e| eyre!("MLPROOF_TXM_KEY: {e}"))?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.timeout_s);
    loop {
        match TxManager::open(&args.rpc, signer.clone(), &args.db, config.clone()).await {
            Ok(txm) => return Ok(txm),
            // The node may be down for a while: an outage is waited out, anything else is fatal.
            Err(e @ TxmError::Rpc { .. }) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(error = %e, "cannot open the manager yet; retrying");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => return Err(e).wrap_err("opening the transaction manager"),
        }
    }
}

async fn run(args: Args) -> Result<bool> {
    if args.window == 0 || args.from > args.to {
        bail!("--window must be positive and --from at most --to");
    }
    let config = TxmConfig {
        chain_id: args.chain_id,
        confirmations: args.confirmations,
        stuck_blocks: args.stuck_blocks,
        poll_interval: Duration::from_millis(args.poll_ms),
        retry: RetryPolicy { initial: Duration::from_millis(20), max_delay: Duration::from_millis(400), attempts: 4 },
        ..TxmConfig::default()
    };
    let txm = open(&args, &config).await?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.timeout_s);
    let mut seen: HashMap<String, IntentState> = HashMap::new();
    let mut open_keys: Vec<u64> = Vec::new();
    let mut next = args.from;
    let (mut confirmed, mut other) = (0_u64, 0_u64);
    loop {
        // Refill the window. Submitting is idempotent: after a restart the same keys come back
        // in whatever state they reached, so the window refills with the unfinished ones first.
        while open_keys.len() < args.window && next < args.to {
            let rec = txm.submit(probe::intent(&args.namespace, next)).await?;
            if rec.state.is_terminal() {
                if rec.state == IntentState::Confirmed {
                    confirmed += 1
                } else {
                    other += 1
                }
            } else {
                open_keys.push(next);
            }
            next += 1;
        }
        if open_keys.is_empty() {
            break;
        }
        if let Err(e) = txm.tick().await {
            tracing::warn!(error = %e, "driver pass failed; retrying");
        }
        let mut still_open = Vec::with_capacity(open_keys.len());
        for i in open_keys {
            let key = probe::intent(&args.namespace, i).key;
            let rec = txm.status(&key).await?;
            if seen.get(key.as_str()) != Some(&rec.state) {
                seen.insert(key.to_string(), rec.state);
                emit(&serde_json::json!({
                    "event": "state", "key": key.as_str(), "state": rec.state.as_str(), "nonce": rec.nonce,
                }));
            }
            match rec.state {
                IntentState::Confirmed => confirmed += 1,
                s if s.is_terminal() => other += 1,
                _ => still_open.push(i),
            }
        }
        open_keys = still_open;
        if tokio::time::Instant::now() >= deadline {
            bail!("timed out with {} intents unfinished", open_keys.len());
        }
        tokio::time::sleep(config.poll_interval).await;
    }
    emit(&serde_json::json!({"event": "done", "confirmed": confirmed, "other": other}));
    Ok(other == 0)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "mlproof_relayer=warn".into()),
        )
        .init();
    match run(Args::parse()).await {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => std::process::ExitCode::FAILURE,
        Err(e) => {
            eprintln!("txm-send: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
