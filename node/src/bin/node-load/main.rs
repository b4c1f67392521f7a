//! `node-load`: two `mlproof node` processes with two staked provers against a local anvil, a
//! requester posting tasks, and (with `--kills N`) SIGKILLs of a node at chosen moments — mid-proof,
//! between proof and submit, mid-submit — each followed by a restart on the same databases.
//! `./scripts/demo --node` runs it without kills, `./scripts/bench node` with them. The last line
//! is one JSON object: tasks, fulfilled, latencies (post → verified output), proofs/s, kills, and
//! what the chain shows — `lost` (posted, never fulfilled), `doubled` (fulfil transactions mined
//! beyond the first per task, reverted ones included), `slashed_honest` (slashes of the nodes),
//! and the fulfilments' cost — `batches` (`fulfilBatch` transactions; `--batch-max N` turns the
//! nodes' batching on), `batched_tasks` (tasks paid by them) and `fulfil_gas_per_task` (gas of all
//! fulfil and fulfilBatch transactions ÷ tasks fulfilled).

mod fleet;

use std::{
    collections::HashMap,
    path::PathBuf,
    time::{Duration, Instant},
};

use alloy::{
    consensus::Transaction as _,
    eips::BlockNumberOrTag,
    primitives::{Address, B256, U256},
    providers::Provider,
    rpc::types::Filter,
    signers::local::PrivateKeySigner,
    sol_types::{SolCall, SolEvent},
};
use clap::Parser;
use eyre::{Context, Result};
use fleet::NodeProc;
use mlproof_circuits::{QuantModel, Salt, Visibility};
use mlproof_node::{
    compile::find_root,
    deploy::{tokens, ProtocolConfig},
    deployments::{deploy_all, Deployments, Network, Plan, PlannedModel},
    job::{chain_time, prove_committed_with},
    market::{self, NewTask},
};
use mlproof_prover::{setup::dev_setup_shape, KeyTag};
use mlproof_relayer::{
    bindings::ITaskMarket,
    chain::{spawn_anvil, Account},
};
use rand::{Rng, SeedableRng};

#[derive(Debug, Parser)]
#[command(args_override_self = true)]
struct Args {
    /// Tasks per phase.
    #[arg(long, default_value_t = 20)]
    tasks: usize,
    /// SIGKILLs in the second phase (0: one phase, no kills).
    #[arg(long, default_value_t = 0)]
    kills: usize,
    /// The model (served with private weights unless --public-weights).
    #[arg(long, default_value = "models/digits-cnn.json")]
    model: PathBuf,
    /// Serve the model with public weights.
    #[arg(long)]
    public_weights: bool,
    /// Proofs of the raw prover measured for the throughput ratio.
    #[arg(long, default_value_t = 4)]
    raw_proofs: usize,
    /// Seed of the inputs, the weights salt and the kill schedule.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The mlproof binary (default: next to this one).
    #[arg(long)]
    mlproof: Option<PathBuf>,
    /// The nodes' `batch_max`: proved jobs fulfilled together in one fulfilBatch (1: no batching).
    #[arg(long, default_value_t = 1)]
    batch_max: usize,
    /// The nodes' `batch_wait_s`: how long the oldest proved job waits for its batch to fill.
    #[arg(long, default_value_t = 10)]
    batch_wait_s: u64,
    /// Seconds a phase may take before it gives up.
    #[arg(long, default_value_t = 600)]
    timeout_s: u64,
}

struct Phase {
    tasks: usize,
    fulfilled: usize,
    latencies: Vec<f64>,
    seconds: f64,
    kills: Vec<String>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn post(admin: &Account, dep: &Deployments, model_id: u64, values: &[i8]) -> Result<(B256, Vec<U256>)> {
    let posted =
        market::task_input(values, market::InputLayout::Committed { salt: market::random_salt(), publish: true });
    let words = posted.words.clone();
    let new = NewTask {
        model_id: U256::from(model_id),
        input: posted.words,
        bounty: tokens(1),
        collateral: tokens(10),
        deadline: chain_time(admin).await? + 3600,
        input_data: posted.data,
        ramp: None,
    };
    Ok((market::post_task(admin, dep.token, dep.market, &new).await?.0, words))
}

#[allow(clippy::too_many_arguments)]
async fn phase(
    admin: &Account,
    dep: &Deployments,
    model: &QuantModel,
    nodes: &mut [NodeProc],
    mlproof: &std::path::Path,
    tasks: usize,
    kills: usize,
    rng: &mut rand::rngs::StdRng,
    timeout: Duration,
) -> Result<Phase> {
    let model_id = dep.models[0].id;
    let start = Instant::now();
    let mut pending: HashMap<B256, (Instant, Vec<U256>)> = HashMap::new();
    for _ in 0..tasks {
        let values: Vec<i8> = (0..model.input_len).map(|_| rng.gen_range(-64..=63)).collect();
        let (id, words) = post(admin, dep, model_id, &values).await?;
        pending.insert(id, (Instant::now(), words));
    }
    let targets = ["proving", "proved", "submitted"];
    let mut done_kills = Vec::new();
    let mut next_kill = Instant::now() + Duration::from_millis(rng.gen_range(300..1500));
    let mut latencies = Vec::new();
    let mut last = start;
    while !pending.is_empty() && start.elapsed() < timeout {
        let mut done = Vec::new();
        for (id, (at, words)) in &pending {
            if market::verified_output(&admin.provider, dep.market, U256::from(model_id), words).await?.is_some() {
                latencies.push(at.elapsed().as_secs_f64());
                done.push(*id);
            }
        }
        if !done.is_empty() {
            last = Instant::now();
        }
        for id in done {
            pending.remove(&id);
        }
        for n in nodes.iter_mut() {
            if !n.alive() {
                eprintln!("[node-load] {} exited on its own; restarting it (see {})", n.name, n.log.display());
                n.spawn(mlproof)?;
            }
        }
        if done_kills.len() < kills && Instant::now() >= next_kill {
            let target = targets[done_kills.len() % targets.len()];
            // Wait (briefly) for a node, tried from a random one, to have a job in the target
            // state, then kill that node; if none gets there in time, kill the first tried.
            let first = rng.gen_range(0..nodes.len());
            let t = Instant::now();
            let (mut i, mut seen) = (first, "any");
            'find: while t.elapsed() < Duration::from_secs(3) {
                for k in 0..nodes.len() {
                    let j = (first + k) % nodes.len();
                    if nodes[j].jobs_in(target).await > 0 {
                        (i, seen) = (j, target);
                        break 'find;
                    }
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            nodes[i].kill()?;
            done_kills.push(format!("{}:{seen}", nodes[i].name));
            eprintln!("[node-load] SIGKILL {} ({seen})", nodes[i].name);
            tokio::time::sleep(Duration::from_millis(rng.gen_range(100..800))).await;
            nodes[i].spawn(mlproof)?;
            next_kill = Instant::now() + Duration::from_millis(rng.gen_range(500..2000));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(Phase {
        tasks,
        fulfilled: tasks - pending.len(),
        latencies,
        seconds: (last - start).as_secs_f64(),
        kills: done_kills,
    })
}

/// What the chain shows of the nodes' work.
#[derive(Debug, Default)]
struct Audit {
    /// Fulfilments mined beyond the first per statement (single or batched, reverted included).
    doubled: usize,
    /// Slashes of the nodes.
    slashed: usize,
    /// Successful `fulfilBatch` transactions.
    batches: usize,
    /// Tasks they paid (skipped ones left out).
    batched_tasks: usize,
    /// Gas of every fulfil and fulfilBatch transaction of the nodes.
    fulfil_gas: u64,
}

/// Fulfil transactions mined per statement (reverted ones included), the batches and the gas of
/// the fulfilments, and slashes of `provers`.
async fn audit(admin: &Account, dep: &Deployments, provers: &[Address]) -> Result<Audit> {
    let head = admin.provider.get_block_number().await?;
    let mut per_task: HashMap<B256, usize> = HashMap::new();
    let mut a = Audit::default();
    for n in dep.block..=head {
        let Some(block) = admin.provider.get_block_by_number(BlockNumberOrTag::Number(n)).full().await? else {
            continue;
        };
        for tx in block.transactions.txns() {
            if tx.to() != Some(dep.market) || !provers.contains(&tx.inner.signer()) {
                continue;
            }
            let tasks = if let Ok(call) = ITaskMarket::fulfilCall::abi_decode(tx.input()) {
                vec![call.task]
            } else if let Ok(call) = ITaskMarket::fulfilBatchCall::abi_decode(tx.input()) {
                call.tasks
            } else {
                continue;
            };
            for t in &tasks {
                *per_task.entry(market::statement_id(U256::from(t.modelId), &t.input)).or_default() += 1;
            }
            let hash = *tx.inner.tx_hash();
            let receipt =
                admin.provider.get_transaction_receipt(hash).await?.ok_or_else(|| eyre::eyre!("no receipt"))?;
            a.fulfil_gas += receipt.gas_used;
            if receipt.status() && ITaskMarket::fulfilBatchCall::abi_decode(tx.input()).is_ok() {
                let skipped =
                    receipt.inner.logs().iter().filter(|l| l.log_decode::<ITaskMarket::TaskSkipped>().is_ok()).count();
                a.batches += 1;
                a.batched_tasks += tasks.len() - skipped;
            }
        }
    }
    a.doubled = per_task.values().map(|c| c.saturating_sub(1)).sum();
    let filter = Filter::new()
        .address(dep.market)
        .from_block(dep.block)
        .event_signature(ITaskMarket::TaskSlashed::SIGNATURE_HASH);
    a.slashed = admin
        .provider
        .get_logs(&filter)
        .await?
        .iter()
        .filter_map(|l| l.log_decode::<ITaskMarket::TaskSlashed>().ok())
        .filter(|e| provers.contains(&e.inner.data.prover))
        .count();
    Ok(a)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let root = find_root(&std::env::current_dir()?).ok_or_else(|| eyre::eyre!("run inside the mlproof checkout"))?;
    let mlproof = match args.mlproof.clone() {
        Some(p) => p,
        None => std::env::current_exe()?.with_file_name("mlproof"),
    };
    eyre::ensure!(mlproof.is_file(), "{} not found: cargo build --release -p mlproof", mlproof.display());
    let mut rng = rand::rngs::StdRng::seed_from_u64(args.seed);
    let work = tempfile::tempdir()?;
    let model_path = root.join(&args.model);
    let model = QuantModel::from_json(&std::fs::read_to_string(&model_path).wrap_err("reading the model")?)?;
    let private = !args.public_weights;
    let visibility = if private { Visibility::Private } else { Visibility::Public };
    let weights_salt = private.then(|| Salt(rng.gen()));
    let key = work.path().join("model.pk");
    dev_setup_shape(&model, args.seed, visibility, true)?.save(&key, &KeyTag::new(&model, visibility, true).dev())?;

    // The raw prover on this machine, alone: the throughput the node is compared with.
    let keys = mlproof_prover::Keys::load(&key, &KeyTag::new(&model, visibility, true))?;
    let t = Instant::now();
    for _ in 0..args.raw_proofs {
        let input: Vec<i8> = (0..model.input_len).map(|_| rng.gen_range(-64..=63)).collect();
        prove_committed_with(&model, &keys, &input, market::random_salt(), weights_salt, Address::ZERO)?;
    }
    let raw_proof_s = t.elapsed().as_secs_f64() / args.raw_proofs.max(1) as f64;
    drop(keys);

    let anvil = spawn_anvil(&root)?;
    let signer = |i: usize| PrivateKeySigner::from(anvil.keys()[i].clone());
    let admin = Account::connect(&anvil.endpoint(), signer(0)).await?;
    let hex_salt = weights_salt.map(|s| alloy::hex::encode_prefixed(s.0));
    let models = [PlannedModel { model: model_path.clone(), proving_key: key.clone(), weights_salt: hex_salt.clone() }];
    let profile = Network::new(anvil.endpoint(), anvil.chain_id(), true);
    let plan = Plan {
        network: "local",
        profile: &profile,
        models: &models,
        force_dev_setup: false,
        protocol: ProtocolConfig::default(),
    };
    let dep = deploy_all(&admin, &root, &plan).await?;
    let dep_path = Deployments::path_in(&work.path().join("deployments"), dep.chain_id);
    dep.save(&dep_path)?;
    market::mint(&admin, dep.token, admin.address, tokens(10_000)).await?;
    market::fund_emissions(&admin, dep.token, dep.market, tokens(1_000)).await?;

    let mut nodes = Vec::new();
    for i in 1..=2 {
        let prover = Account::connect(&anvil.endpoint(), signer(i)).await?;
        market::mint(&admin, dep.token, prover.address, tokens(1_000)).await?;
        market::stake(&prover, dep.token, dep.market, tokens(1_000)).await?;
        let dir = work.path().join(format!("node{i}"));
        std::fs::create_dir_all(&dir)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let salt_line = hex_salt.as_ref().map(|s| format!("weights_salt = \"{s}\"\n")).unwrap_or_default();
        let config = format!(
            "rpc_url = \"{}\"\nchain_id = {}\ndeployments = \"{}\"\ndatabase = \"jobs.sqlite\"\ntxm_database = \"txm.sqlite\"\n\
             listen = \"127.0.0.1:{port}\"\nconfirmations = 1\nworkers = 1\ndeadline_margin_s = 60\nclaim_interval_s = 3\n\
             poll_interval_ms = 100\nshutdown_grace_s = 30\nbatch_max = {}\nbatch_wait_s = {}\n\
             [signer]\nenv = \"MLPROOF_PRIVATE_KEY\"\n\
             [[models]]\nid = {}\nmodel = \"{}\"\nproving_key = \"{}\"\n{salt_line}",
            anvil.endpoint(),
            dep.chain_id,
            dep_path.display(),
            args.batch_max,
            args.batch_wait_s,
            dep.models[0].id,
            model_path.display(),
            key.display()
        );
        let path = dir.join("node.toml");
        std::fs::write(&path, config)?;
        let key_hex = alloy::hex::encode_prefixed(anvil.keys()[i].to_bytes());
        let mut n = NodeProc::new(format!("node{i}"), path, key_hex, prover.address, port, dir.join("node.log"));
        n.spawn(&mlproof)?;
        nodes.push(n);
    }
    for n in &nodes {
        let t = Instant::now();
        while !n.healthy().await {
            if t.elapsed() > Duration::from_secs(120) {
                let log = std::fs::read_to_string(&n.log).unwrap_or_default();
                let lines: Vec<&str> = log.lines().collect();
                let tail = lines[lines.len().saturating_sub(20)..].join("\n");
                eyre::bail!("{} did not answer /health within 120 s; the end of its log:\n{tail}", n.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let timeout = Duration::from_secs(args.timeout_s);
    let steady = phase(&admin, &dep, &model, &mut nodes, &mlproof, args.tasks, 0, &mut rng, timeout).await?;
    let faulted = if args.kills > 0 {
        let tasks = args.tasks.max(args.kills * 6);
        Some(phase(&admin, &dep, &model, &mut nodes, &mlproof, tasks, args.kills, &mut rng, timeout).await?)
    } else {
        None
    };
    // Claims: wait until neither node holds a job that is not yet claimed (a job whose fulfil the
    // harness saw on chain may still be `submitted` in its node, waiting for confirmations).
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(60) {
        let mut left = 0;
        for n in &nodes {
            for state in ["seen", "locked", "proving", "proved", "submitted", "fulfilled"] {
                left += n.jobs_in(state).await;
            }
        }
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let mut claimed = 0;
    for n in &nodes {
        claimed += n.jobs_in("claimed").await;
    }
    let graceful = nodes.iter_mut().map(|n| n.stop(Duration::from_secs(40))).collect::<Result<Vec<bool>>>()?;
    let provers: Vec<Address> = nodes.iter().map(|n| n.address).collect();
    let audit = audit(&admin, &dep, &provers).await?;

    let phases: Vec<&Phase> = std::iter::once(&steady).chain(faulted.as_ref()).collect();
    let mut lat: Vec<f64> = phases.iter().flat_map(|p| p.latencies.iter().copied()).collect();
    lat.sort_by(f64::total_cmp);
    let tasks: usize = phases.iter().map(|p| p.tasks).sum();
    let fulfilled: usize = phases.iter().map(|p| p.fulfilled).sum();
    let steady_rate = steady.fulfilled as f64 / steady.seconds.max(1e-9);
    let kills: Vec<String> = faulted.as_ref().map(|p| p.kills.clone()).unwrap_or_default();
    let lost = tasks - fulfilled;
    let report = serde_json::json!({
        "model": model.name, "private_weights": private, "constraints": dep.models[0].constraints,
        "nodes": nodes.len(), "workers_per_node": 1,
        "tasks": tasks, "fulfilled": fulfilled, "claimed_jobs": claimed,
        "p50_latency_s": percentile(&lat, 0.5), "p95_latency_s": percentile(&lat, 0.95),
        "proofs_per_s": steady_rate, "raw_prove_s": raw_proof_s, "raw_proofs_per_s": 1.0 / raw_proof_s,
        "throughput_ratio": steady_rate * raw_proof_s,
        "kills": kills.len(), "kill_moments": kills,
        "lost": lost, "doubled": audit.doubled, "slashed_honest": audit.slashed,
        "batch_max": args.batch_max, "batches": audit.batches, "batched_tasks": audit.batched_tasks,
        "fulfil_gas_per_task": audit.fulfil_gas.checked_div(fulfilled as u64).unwrap_or(0),
        "graceful_exits": graceful.iter().filter(|g| **g).count(),
    });
    println!("{report}");
    Ok(())
}
