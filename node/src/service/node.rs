//! The service itself (`mlproof node --config node.toml`): it loads what it serves once, then
//! runs until asked to stop:
//!
//! * every `poll_interval_ms`: reads the head and the account's standing (stake, collateral,
//!   claimable; `/v1/status` and `/metrics` show them), follows the market's events from the
//!   persisted cursor, admits or refuses each new task (refusals recorded with their reason), and
//!   starts a stepper for every unfinished job that has none;
//! * a stepper takes one job forward through [`Runner::step`] until it is fulfilled, ends, or a
//!   step must be retried (the next tick starts it again) — proofs wait for a worker there, in
//!   admission order; with `batch_max > 1`, `proved` jobs are sent in batches instead
//!   ([`batcher::spawn_batches`]: one `fulfilBatch` per model once enough are ready);
//! * every `claim_interval_s`: a claim round ([`claims::claim_round`]);
//! * on shutdown: no new admissions or steppers; the steps in progress get `shutdown_grace_s` to
//!   end, then the process exits. Nothing is lost either way: every step is persisted before its
//!   side effect, and the next start resumes from the store.

use std::{
    collections::{HashMap, HashSet},
    future::Future,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, U256},
    providers::Provider,
    signers::local::PrivateKeySigner,
};
use mlproof_circuits::QuantModel;
use mlproof_prover::{commitment::model_commitment, Keys};
use mlproof_relayer::{chain::Account, txm::TxmConfig};
use tokio::{sync::RwLock, task::JoinSet};
use tracing::Instrument;

use crate::{
    deployments::Deployments,
    job::prove_committed_with,
    market,
    service::{
        admission::{self, Capacity, Offer, Policy, ProveEstimate},
        api::{self, ApiState, ChainStatus},
        batcher, claims,
        config::{ModelConfig, NodeConfig},
        error::{Result, ServiceError},
        metrics::Metrics,
        runner::{Runner, Served},
        state::JobState,
        store::{Change, JobStore, NewJob},
        watcher::{MarketEvent, Watcher},
    },
    NodeError,
};

fn inconsistent(m: String) -> ServiceError {
    ServiceError::Node(NodeError::Inconsistent(m))
}

/// Loads a served model and its key, checks them against the deployment, and measures one proof
/// (which also proves that the key fits the model) on a blocking thread.
async fn load_model(m: &ModelConfig, dep: &Deployments, prover: Address) -> Result<(Served, admission::Served)> {
    let deployed = dep.model(m.id).ok_or_else(|| {
        inconsistent(format!("model {} is not in the deployments file (chain {})", m.id, dep.chain_id))
    })?;
    let (model_path, key_path) = (m.model.clone(), m.proving_key.clone());
    let weights_salt = m.salt().map_err(inconsistent)?;
    let id = m.id;
    let loaded =
        tokio::task::spawn_blocking(move || -> Result<(QuantModel, Keys, Option<mlproof_circuits::Salt>, f64)> {
            let json = std::fs::read_to_string(&model_path)
                .map_err(|e| inconsistent(format!("model {id}: cannot read {}: {e}", model_path.display())))?;
            let model = QuantModel::from_json(&json).map_err(NodeError::from)?;
            let tag = Keys::read_tag(&key_path).map_err(NodeError::from)?;
            let keys = Keys::load(&key_path, &tag).map_err(NodeError::from)?;
            if !tag.committed_input
                || tag.private_weights != weights_salt.is_some()
                || tag.model != model_commitment(&model)
            {
                return Err(inconsistent(format!(
                    "model {id}: {} is not a committed-input key for {} with {} weights",
                    key_path.display(),
                    model.name,
                    if weights_salt.is_some() { "private" } else { "public" }
                )));
            }
            let input = vec![0i8; model.input_len];
            let (_, seconds) = prove_committed_with(&model, &keys, &input, market::random_salt(), weights_salt, prover)
                .map_err(|e| inconsistent(format!("model {id}: the warm-up proof failed: {e}")))?;
            Ok((model, keys, weights_salt, seconds))
        })
        .await
        .map_err(|e| inconsistent(format!("loading model {id}: {e}")))??;
    let (model, keys, weights_salt, seconds) = loaded;
    if model_commitment(&model) != deployed.commitment {
        return Err(inconsistent(format!(
            "model {}: {} is not the model registered as {}",
            m.id,
            m.model.display(),
            m.id
        )));
    }
    if let (Some(salt), Some(registered)) = (&weights_salt, deployed.weights_commitment) {
        let c = mlproof_prover::evm::fr_to_u256(mlproof_circuits::native::commitment::weights_commitment::<
            ark_bn254::Fr,
        >(&model, salt));
        if c != registered {
            return Err(inconsistent(format!(
                "model {}: weights_salt does not open the registered weights commitment",
                m.id
            )));
        }
    }
    tracing::info!(model = m.id, name = %model.name, constraints = deployed.constraints, warmup_s = seconds, "model loaded");
    let served = Served { model: Arc::new(model), keys: Arc::new(keys), weights_salt };
    Ok((served, admission::Served { constraints: deployed.constraints, prove_s: seconds }))
}

/// A running prover node.
#[derive(Debug)]
pub struct Node {
    cfg: NodeConfig,
    dep: Deployments,
    account: Account,
    store: JobStore,
    runner: Runner,
    watcher: Watcher,
    metrics: Arc<Metrics>,
    chain: Arc<RwLock<ChainStatus>>,
    estimates: Arc<Mutex<HashMap<U256, (admission::Served, ProveEstimate)>>>,
    in_flight: Arc<Mutex<HashSet<i64>>>,
    now: Arc<AtomicU64>,
    stopping: Arc<AtomicBool>,
    policy: Policy,
}

impl Node {
    /// Opens the stores, connects (checking the chain id), loads every model and key once and
    /// resumes jobs interrupted mid-proof.
    pub async fn start(cfg: NodeConfig, signer: PrivateKeySigner) -> Result<Self> {
        let dep = Deployments::load(&cfg.deployments)?;
        if dep.chain_id != cfg.chain_id {
            return Err(inconsistent(format!(
                "{} is for chain {}, the config for chain {}",
                cfg.deployments.display(),
                dep.chain_id,
                cfg.chain_id
            )));
        }
        for db in [&cfg.database, &cfg.txm_database] {
            if let Some(dir) = db.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| inconsistent(format!("creating {}: {e}", dir.display())))?;
            }
        }
        let txm = TxmConfig {
            chain_id: Some(cfg.chain_id),
            confirmations: cfg.confirmations,
            poll_interval: Duration::from_millis(cfg.poll_interval_ms.min(250)),
            ..TxmConfig::default()
        };
        let account = Account::open(&cfg.rpc_url, signer, &cfg.txm_database, txm).await.map_err(NodeError::from)?;
        let store = JobStore::open(&cfg.database).await?;
        let mut served = HashMap::new();
        let mut estimates = HashMap::new();
        for m in &cfg.models {
            let (s, a) = load_model(m, &dep, account.address).await?;
            served.insert(U256::from(m.id), s);
            estimates.insert(U256::from(m.id), (a, ProveEstimate::new(a.prove_s)));
        }
        let metrics = Arc::new(Metrics::new());
        let policy = Policy {
            min_price_per_constraint: cfg.min_price().map_err(inconsistent)?,
            deadline_margin_s: cfg.deadline_margin_s,
        };
        let least = estimates
            .iter()
            .map(|(id, (a, _)): (&U256, &(admission::Served, ProveEstimate))| {
                (*id, policy.min_price_per_constraint.saturating_mul(U256::from(a.constraints)))
            })
            .collect();
        let runner = Runner::new(account.clone(), dep.market, store.clone(), served, Arc::clone(&metrics), cfg.workers)
            .with_pricing(least, cfg.deadline_margin_s)
            .with_batching(cfg.batch_max, cfg.batch_wait_s);
        let resumed = runner.resume().await?;
        if resumed > 0 {
            tracing::warn!(resumed, "jobs interrupted mid-proof go back to locked");
        }
        let watcher = Watcher::new(account.provider.clone(), dep.market, store.clone(), dep.block);
        let chain =
            ChainStatus { account: account.address.to_string(), chain_id: cfg.chain_id, ..ChainStatus::default() };
        Ok(Self {
            cfg,
            dep,
            account,
            store,
            runner,
            watcher,
            metrics,
            chain: Arc::new(RwLock::new(chain)),
            estimates: Arc::new(Mutex::new(estimates)),
            in_flight: Arc::new(Mutex::new(HashSet::new())),
            now: Arc::new(AtomicU64::new(0)),
            stopping: Arc::new(AtomicBool::new(false)),
            policy,
        })
    }

    /// The prover's address.
    #[must_use]
    pub const fn address(&self) -> Address {
        self.account.address
    }

    /// Serves the API on the configured address and runs the loop until `shutdown` resolves.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let listener = tokio::net::TcpListener::bind(self.cfg.listen)
            .await
            .map_err(|e| ServiceError::Http { addr: self.cfg.listen.to_string(), message: e.to_string() })?;
        tracing::info!(listen = %self.cfg.listen, prover = %self.account.address, chain = self.cfg.chain_id, "mlproof node started");
        let api = ApiState {
            store: self.store.clone(),
            metrics: Arc::clone(&self.metrics),
            chain: Arc::clone(&self.chain),
            txms: vec![self.account.txm().clone()],
            workers: self.cfg.workers,
        };
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut api_stop = stop_rx.clone();
        let server = tokio::spawn(async move {
            axum::serve(listener, api::router(api))
                .with_graceful_shutdown(async move {
                    let _ = api_stop.wait_for(|s| *s).await;
                })
                .await
        });
        tokio::spawn(async move {
            shutdown.await;
            let _ = stop_tx.send(true);
        });
        let result = self.main_loop(stop_rx).await;
        let _ = server.await;
        result
    }

    async fn main_loop(self, mut stop: tokio::sync::watch::Receiver<bool>) -> Result<()> {
        let mut steppers = JoinSet::new();
        let poll = Duration::from_millis(self.cfg.poll_interval_ms);
        let claim_every = Duration::from_secs(self.cfg.claim_interval_s);
        let mut last_claim: Option<Instant> = None;
        loop {
            if let Err(e) = self.tick(&mut steppers).await {
                tracing::warn!(error = %e, "tick failed; retrying at the next one");
            }
            if last_claim.is_none_or(|t| t.elapsed() >= claim_every) {
                last_claim = Some(Instant::now());
                match claims::claim_round(&self.account, self.dep.market, &self.store).await {
                    Ok(outcome) => tracing::debug!(?outcome, "claim round"),
                    Err(e) => tracing::warn!(error = %e, "claim round failed; retried at the next one"),
                }
            }
            while steppers.try_join_next().is_some() {}
            tokio::select! {
                _ = stop.wait_for(|s| *s) => break,
                () = tokio::time::sleep(poll) => {}
            }
        }
        self.stopping.store(true, Ordering::SeqCst);
        tracing::info!(in_flight = steppers.len(), grace_s = self.cfg.shutdown_grace_s, "shutting down: no new work");
        let grace = tokio::time::timeout(Duration::from_secs(self.cfg.shutdown_grace_s), async {
            while steppers.join_next().await.is_some() {}
        })
        .await;
        if grace.is_err() {
            tracing::warn!(left = steppers.len(), "grace period over; the steps left are resumed at the next start");
            steppers.abort_all();
        }
        self.store.pool.close().await;
        tracing::info!("mlproof node stopped");
        Ok(())
    }

    /// One look at the chain: status, events, admission, steppers, metrics.
    async fn tick(&self, steppers: &mut JoinSet<()>) -> Result<()> {
        let standing = self.refresh_chain().await?;
        for _ in 0..8 {
            let poll = self.watcher.poll().await?;
            for event in poll.events {
                self.on_event(event, &standing).await?;
            }
            if poll.cursor >= self.chain.read().await.chain_head {
                break;
            }
        }
        self.spawn_steppers(steppers).await?;
        self.metrics.set_jobs(&self.store.counts().await?);
        self.metrics.set_transactions(&[self.account.txm().counters()]);
        Ok(())
    }

    async fn refresh_chain(&self) -> Result<market::Status> {
        let chain_err = |a: &str, e: alloy::transports::TransportError| ServiceError::Chain {
            action: a.into(),
            message: e.to_string(),
        };
        let block = self
            .account
            .provider
            .get_block_by_number(BlockNumberOrTag::Latest)
            .await
            .map_err(|e| chain_err("eth_getBlockByNumber", e))?
            .ok_or_else(|| ServiceError::Chain {
                action: "eth_getBlockByNumber".into(),
                message: "no latest block".into(),
            })?;
        self.now.store(block.header.timestamp, Ordering::SeqCst);
        let status =
            market::status(&self.account.provider, self.dep.token, self.dep.market, self.account.address).await?;
        let tokens = |s: &str| s.parse::<f64>().unwrap_or(0.0) / 1e18;
        self.metrics.stake_tokens.set(tokens(&status.active_stake));
        self.metrics.collateral_tokens.set(tokens(&status.locked));
        self.metrics.claimable_tokens.set(tokens(&status.claimable));
        self.metrics.chain_head.set(i64::try_from(block.header.number).unwrap_or(i64::MAX));
        let mut c = self.chain.write().await;
        c.chain_head = block.header.number;
        c.stake = status.active_stake.clone();
        c.locked_collateral = status.locked.clone();
        c.claimable = status.claimable.clone();
        c.eligible = status.eligible;
        Ok(status)
    }

    async fn capacity(&self, standing: &market::Status) -> Result<Capacity> {
        let counts = self.store.counts().await?;
        let queued = [JobState::Seen, JobState::Locked, JobState::Proving].iter().map(|s| counts[s]).sum();
        // Collateral of admitted jobs whose lock is not confirmed yet is spoken for.
        let pending: U256 =
            self.store.list(Some(JobState::Seen), 0, u32::MAX).await?.iter().map(|j| j.job.collateral).sum();
        let parse = |s: &str| U256::from_str_radix(s, 10).unwrap_or_default();
        let free = parse(&standing.active_stake).saturating_sub(parse(&standing.locked)).saturating_sub(pending);
        Ok(Capacity {
            now: self.now.load(Ordering::SeqCst),
            queued,
            workers: self.cfg.workers,
            free_collateral: free,
            eligible: standing.eligible,
        })
    }

    async fn on_event(&self, event: MarketEvent, standing: &market::Status) -> Result<()> {
        match event {
            MarketEvent::Posted { statement_id, task, input_data, block } => {
                if self.stopping.load(Ordering::SeqCst) || self.store.by_statement(statement_id).await?.is_some() {
                    return Ok(());
                }
                let model_id = U256::from(task.modelId);
                let offer = Offer::of(&task);
                let models: HashMap<U256, admission::Served> = self
                    .estimates
                    .lock()
                    .map_err(|_| inconsistent("estimates lock poisoned".into()))?
                    .iter()
                    .map(|(id, (s, e))| (*id, admission::Served { prove_s: e.seconds(), ..*s }))
                    .collect();
                let capacity = self.capacity(standing).await?;
                match admission::admit(&offer, &models, &capacity, &self.policy) {
                    Ok(()) => {
                        let job = NewJob {
                            statement_id,
                            model_id,
                            task: alloy::sol_types::SolValue::abi_encode(&task),
                            input_data: input_data.to_vec(),
                            bounty: offer.bounty,
                            collateral: offer.collateral,
                            deadline: offer.deadline,
                            posted_block: block,
                        };
                        let (job, _) = self.store.admit(&job).await?;
                        tracing::info!(job = job.id, %statement_id, model = %model_id, "task admitted");
                    }
                    Err(refusal) => self.store.reject(statement_id, model_id, &refusal.to_string()).await?,
                }
            }
            MarketEvent::Locked { statement_id, prover, task } if prover == self.account.address => {
                // This node's own lock, seen before its stepper recorded it (a restart between
                // the lock and the record): the event's task is the stored one to fulfil.
                if let Some(job) = self.store.by_statement(statement_id).await?.filter(|j| j.state == JobState::Seen) {
                    let change =
                        Change { task: Some(alloy::sol_types::SolValue::abi_encode(&task)), ..Change::default() };
                    match self.store.transition(job.id, JobState::Seen, JobState::Locked, change).await {
                        Ok(_) | Err(ServiceError::StaleState { .. }) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            MarketEvent::Locked { statement_id, prover, .. } => {
                if let Some(job) = self.store.by_statement(statement_id).await?.filter(|j| j.state == JobState::Seen) {
                    let reason = Some(format!("locked by another prover, {prover}"));
                    self.transition_quietly(job.id, JobState::Seen, JobState::Failed, reason).await?;
                }
            }
            MarketEvent::CancelRequested { statement_id, due_at } => {
                // A cancelling task cannot be locked; this node proves only what it locked, so
                // it gives the task up before any collateral is at stake.
                if let Some(job) = self.store.by_statement(statement_id).await?.filter(|j| j.state == JobState::Seen) {
                    let reason = Some(format!("its requester asked to cancel it (due at {due_at}); not locked"));
                    self.transition_quietly(job.id, JobState::Seen, JobState::Failed, reason).await?;
                }
            }
            MarketEvent::Cancelled { statement_id } => {
                if let Some(job) = self.store.by_statement(statement_id).await?.filter(|j| j.state == JobState::Seen) {
                    let reason = Some("cancelled by its requester".to_owned());
                    self.transition_quietly(job.id, JobState::Seen, JobState::Failed, reason).await?;
                }
            }
            MarketEvent::Slashed { statement_id, prover } if prover == self.account.address => {
                tracing::error!(%statement_id, "this node's collateral was slashed for a missed deadline");
            }
            MarketEvent::Slashed { .. } => {}
        }
        Ok(())
    }

    /// A transition that a stepper may have made first (then nothing is done).
    async fn transition_quietly(&self, id: i64, from: JobState, to: JobState, reason: Option<String>) -> Result<()> {
        match self.store.transition(id, from, to, Change { reason, ..Change::default() }).await {
            Ok(_) | Err(ServiceError::StaleState { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn spawn_steppers(&self, steppers: &mut JoinSet<()>) -> Result<()> {
        if self.stopping.load(Ordering::SeqCst) {
            return Ok(());
        }
        let mut jobs = self.store.unfinished().await?;
        jobs.sort_by_key(|j| j.id);
        let chain_now = self.now.load(Ordering::SeqCst);
        for job in jobs {
            if !matches!(job.state, JobState::Seen | JobState::Locked | JobState::Proved | JobState::Submitted)
                || self.runner.batched(&job, chain_now)
            {
                continue;
            }
            if !self.in_flight.lock().map_err(|_| inconsistent("in-flight lock poisoned".into()))?.insert(job.id) {
                continue;
            }
            let span = tracing::info_span!("job", id = job.id, statement = %job.job.statement_id);
            let (runner, in_flight, now, stopping, estimates) = (
                self.runner.clone(),
                Arc::clone(&self.in_flight),
                Arc::clone(&self.now),
                Arc::clone(&self.stopping),
                Arc::clone(&self.estimates),
            );
            steppers.spawn(
                async move {
                    let mut job = job;
                    while !stopping.load(Ordering::SeqCst) {
                        match runner.step(&job, now.load(Ordering::SeqCst)).await {
                            Ok(next) => {
                                if next.state == JobState::Proved {
                                    if let (Some(ms), Ok(mut e)) = (next.prove_ms, estimates.lock()) {
                                        if let Some((_, est)) = e.get_mut(&next.job.model_id) {
                                            est.observe(ms as f64 / 1000.0);
                                        }
                                    }
                                }
                                let settled = next.state == job.state
                                    || next.state == JobState::Fulfilled
                                    || next.state.is_terminal();
                                tracing::debug!(from = %job.state, to = %next.state, "step");
                                job = next;
                                if settled {
                                    break;
                                }
                            }
                            Err(ServiceError::Retry { .. }) => break,
                            Err(e) => {
                                tracing::warn!(error = %e, "step failed");
                                break;
                            }
                        }
                    }
                    if let Ok(mut f) = in_flight.lock() {
                        f.remove(&job.id);
                    }
                }
                .instrument(span),
            );
        }
        batcher::spawn_batches(&self.runner, &self.store, &self.in_flight, chain_now, steppers).await
    }
}
