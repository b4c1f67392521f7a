//! The market through its bindings: staking, tasks (post with a price ramp, lock, fulfil, slash,
//! the two-step cancel), rewards, verified outputs, and finding a task from its events.

use alloy::{
    primitives::{keccak256, Address, Bytes, B256, U256},
    providers::{DynProvider, Provider},
    rpc::types::Filter,
    sol_types::SolEvent,
};
use mlproof_circuits::Salt;
use mlproof_prover::EvmProof;
use serde::Serialize;

use mlproof_relayer::{
    bindings::{
        IClassifierConsumer, IMlproofToken, IRewards, IStaking,
        ITaskMarket::{self, Task},
        IVerifiedOutputs, IERC20,
    },
    chain::{contract_error, expect_event, first_event, rpc_error, Account, Sent},
};

use crate::error::{NodeError, Result};

/// `keccak256(abi.encodePacked(input))`: the input commitment dApps read outputs by.
#[must_use]
pub fn input_hash(words: &[U256]) -> B256 {
    let mut bytes = Vec::with_capacity(words.len() * 32);
    for w in words {
        bytes.extend_from_slice(&w.to_be_bytes::<32>());
    }
    keccak256(bytes)
}

/// `keccak256(abi.encode(modelId, inputHash))`: the statement id (task id and replay key).
#[must_use]
pub fn statement_id(model_id: U256, input: &[U256]) -> B256 {
    let mut bytes = model_id.to_be_bytes::<32>().to_vec();
    bytes.extend_from_slice(input_hash(input).as_slice());
    keccak256(bytes)
}

/// A fresh random 31-byte salt for a committed input.
#[must_use]
pub fn random_salt() -> Salt {
    let mut bytes = [0u8; 31];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
    Salt(bytes)
}

/// Parses a 31-byte salt written in hex (`0x` optional, surrounding blanks ignored); the error
/// says what is wrong ("not hex: …", "must be 31 bytes, got N") for the caller to prefix with
/// where the salt came from.
pub fn parse_salt(hex: &str) -> std::result::Result<Salt, String> {
    let bytes = alloy::hex::decode(hex.trim()).map_err(|e| format!("not hex: {e}"))?;
    Ok(Salt(bytes.try_into().map_err(|b: Vec<u8>| format!("must be 31 bytes, got {}", b.len()))?))
}

/// The salted Poseidon commitment of a committed input: the task's one input word.
#[must_use]
pub fn input_commitment_word(values: &[i8], salt: &Salt) -> U256 {
    mlproof_prover::evm::fr_to_u256(mlproof_circuits::native::poseidon::commit_native::<ark_bn254::Fr>(
        values,
        salt.to_field(),
    ))
}

/// Task input data that publishes a committed input and its salt (JSON), so any prover can open it.
#[must_use]
pub fn published_input(values: &[i8], salt: &Salt) -> Bytes {
    Bytes::from(
        serde_json::json!({ "input": values, "salt": alloy::hex::encode_prefixed(salt.0) }).to_string().into_bytes(),
    )
}

/// Opens a task's published input ([`published_input`]): the int8 values and the salt, checked
/// against the task's input word so that a prover never proves (and locks for) an input the
/// commitment does not bind. Each way it can be wrong is named.
pub fn open_published_input(data: &[u8], input_words: &[U256]) -> Result<(Vec<i8>, Salt)> {
    let bad = |m: String| NodeError::Inconsistent(format!("published input: {m}"));
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Published {
        input: Vec<i8>,
        salt: String,
    }
    let p: Published = serde_json::from_slice(data).map_err(|e| bad(format!("not the JSON {{input, salt}}: {e}")))?;
    let salt = parse_salt(&p.salt).map_err(|e| bad(format!("salt {e}")))?;
    match input_words {
        [word] if *word == input_commitment_word(&p.input, &salt) => Ok((p.input, salt)),
        [_] => Err(bad("the input and salt do not open the task's input commitment".into())),
        words => Err(bad(format!("the task has {} input words, not one commitment", words.len()))),
    }
}

/// The input of a task as posted: its public-input words, the published input data, and the salt
/// of a committed input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskInput {
    /// The input words the market stores and the proof's statement starts with: the packed int8
    /// values, or one salted Poseidon commitment.
    pub words: Vec<U256>,
    /// Data published with the task (the committed input and its salt as JSON, or empty).
    pub data: Bytes,
    /// The salt of a committed input.
    pub salt: Option<Salt>,
}

/// How a task's input is laid out: in the clear, or committed (hidden from the chain) with `salt`,
/// optionally published with the task so that any prover can open it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputLayout {
    /// The packed int8 values are the input words.
    Plain,
    /// One salted Poseidon commitment is the input word.
    Committed {
        /// The salt (keep it to open the commitment later).
        salt: Salt,
        /// Publish the values and the salt with the task.
        publish: bool,
    },
}

/// Builds a task's input words and data for `values` (the statement's input layout, as the
/// circuits define it: [`mlproof_circuits::statement::inference`]).
#[must_use]
pub fn task_input(values: &[i8], layout: InputLayout) -> TaskInput {
    match layout {
        InputLayout::Plain => TaskInput {
            words: mlproof_circuits::native::packing::pack_be_words(values)
                .iter()
                .map(|w| U256::from_be_bytes(*w))
                .collect(),
            data: Bytes::new(),
            salt: None,
        },
        InputLayout::Committed { salt, publish } => TaskInput {
            words: vec![input_commitment_word(values, &salt)],
            data: if publish { published_input(values, &salt) } else { Bytes::new() },
            salt: Some(salt),
        },
    }
}

/// Mints `amount` to `to` (token owner only; testnet token).
pub async fn mint(owner: &Account, token: Address, to: Address, amount: U256) -> Result<Sent> {
    Ok(owner.send("mint", IMlproofToken::new(token, &owner.provider).mint(to, amount)).await?)
}

/// Approves the market and stakes `amount`.
pub async fn stake(prover: &Account, token: Address, market: Address, amount: U256) -> Result<Sent> {
    prover.send("approve", IERC20::new(token, &prover.provider).approve(market, amount)).await?;
    Ok(prover.send("stake", IStaking::new(market, &prover.provider).stake(amount)).await?)
}

/// Moves `amount` of free stake to unbonding.
pub async fn request_unstake(prover: &Account, market: Address, amount: U256) -> Result<Sent> {
    Ok(prover.send("requestUnstake", IStaking::new(market, &prover.provider).requestUnstake(amount)).await?)
}

/// Withdraws unbonded stake.
pub async fn withdraw(prover: &Account, market: Address) -> Result<(U256, Sent)> {
    let sent = prover.send("withdraw", IStaking::new(market, &prover.provider).withdraw()).await?;
    let amount = first_event::<IStaking::Withdrawn>(&sent).map_or(U256::ZERO, |e| e.amount);
    Ok((amount, sent))
}

/// Approves the market and adds `amount` to the emission pool.
pub async fn fund_emissions(funder: &Account, token: Address, market: Address, amount: U256) -> Result<Sent> {
    funder.send("approve", IERC20::new(token, &funder.provider).approve(market, amount)).await?;
    Ok(funder.send("fundEmissions", IRewards::new(market, &funder.provider).fundEmissions(amount)).await?)
}

/// A reverse-Dutch price ramp for a task (`postTaskWithOffer`): the price is `min_price` for
/// `delay` seconds after posting, then rises linearly to the bounty over `period` seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Ramp {
    /// The price at the start (at least the market's minimum bounty, at most the bounty).
    pub min_price: U256,
    /// Seconds after posting before the price starts rising.
    pub delay: u32,
    /// Seconds over which it rises to the bounty (it must end before the deadline).
    pub period: u32,
}

/// A task to post.
#[derive(Clone, Debug, Default)]
pub struct NewTask {
    /// Registered model id.
    pub model_id: U256,
    /// The input's public-input words (packed values, or one Poseidon commitment).
    pub input: Vec<U256>,
    /// Bounty (the most the requester pays), escrowed with its protocol fee.
    pub bounty: U256,
    /// Collateral a prover locks to take the task.
    pub collateral: U256,
    /// Unix deadline.
    pub deadline: u64,
    /// Published with the task (e.g. the input and its salt as JSON, or a URI).
    pub input_data: Bytes,
    /// A price ramp (`None`: a fixed price, the bounty).
    pub ramp: Option<Ramp>,
}

/// The protocol fee the market escrows on top of `bounty` (`feeFor`).
pub async fn fee_for(provider: &DynProvider, market: Address, bounty: U256) -> Result<U256> {
    Ok(ITaskMarket::new(market, provider).feeFor(bounty).call().await.map_err(|e| contract_error("feeFor", &e))?)
}

/// Approves the bounty and its protocol fee and posts the task (with its ramp, if any); returns
/// its statement id and the task as stored.
pub async fn post_task(
    requester: &Account,
    token: Address,
    market: Address,
    t: &NewTask,
) -> Result<(B256, Task, Sent)> {
    let escrow = t.bounty + fee_for(&requester.provider, market, t.bounty).await?;
    requester.send("approve", IERC20::new(token, &requester.provider).approve(market, escrow)).await?;
    let m = ITaskMarket::new(market, &requester.provider);
    let sent = match t.ramp {
        None => {
            let call = m.postTask(
                t.model_id,
                t.input.clone(),
                t.bounty,
                t.collateral,
                U256::from(t.deadline),
                t.input_data.clone(),
            );
            requester.send("postTask", call).await?
        }
        Some(r) => {
            let offer = ITaskMarket::Offer {
                minPrice: r.min_price,
                bounty: t.bounty,
                rampDelay: r.delay,
                rampPeriod: r.period,
                collateral: t.collateral,
                deadline: U256::from(t.deadline),
            };
            let call = m.postTaskWithOffer(t.model_id, t.input.clone(), offer, t.input_data.clone());
            requester.send("postTaskWithOffer", call).await?
        }
    };
    let posted = expect_event::<ITaskMarket::TaskPosted>(&sent, "postTask")?;
    Ok((posted.statementId, posted.task, sent))
}

/// Locks `task` for `prover` at the current price; returns the task as now stored (from the
/// TaskLocked event: its prover set, its price, fee and slash terms fixed).
pub async fn lock_task(prover: &Account, market: Address, task: &Task) -> Result<(Task, Sent)> {
    let sent = prover.send("lockTask", ITaskMarket::new(market, &prover.provider).lockTask(task.clone())).await?;
    let locked = expect_event::<ITaskMarket::TaskLocked>(&sent, "lockTask")?.task;
    Ok((locked, sent))
}

/// The price of `task` at chain time `at` on its ramp (`priceAt`; its bounty once locked).
pub async fn price_at(provider: &DynProvider, market: Address, task: &Task, at: u64) -> Result<U256> {
    Ok(ITaskMarket::new(market, provider)
        .priceAt(task.clone(), U256::from(at))
        .call()
        .await
        .map_err(|e| contract_error("priceAt", &e))?)
}

/// Fulfils `task` with `proof`, which must be bound to `prover` and prove the task's input.
pub async fn fulfil(prover: &Account, market: Address, task: &Task, proof: &EvmProof) -> Result<Sent> {
    if proof.input != task.input {
        return Err(NodeError::Inconsistent("the proof is for another input than the task's".into()));
    }
    if proof.prover != prover.address {
        return Err(NodeError::Inconsistent(format!(
            "the proof pays {}, but it would be sent by {}: the market would reject it",
            proof.prover, prover.address
        )));
    }
    fulfil_unchecked(prover, market, task, proof).await
}

/// Sends a fulfilment without the local checks of [`fulfil`] (tests of what the market rejects).
pub async fn fulfil_unchecked(prover: &Account, market: Address, task: &Task, proof: &EvmProof) -> Result<Sent> {
    let m = ITaskMarket::new(market, &prover.provider);
    Ok(prover.send("fulfil", m.fulfil(task.clone(), proof.output.clone(), proof.proof)).await?)
}

/// The most tasks one `fulfilBatch` takes (the market's `MAX_BATCH`).
pub const MAX_BATCH: usize = 64;

/// What `TaskSkipped`'s `reason` means.
#[must_use]
pub const fn skip_reason(reason: u8) -> &'static str {
    match reason {
        1 => "not the open task (fulfilled, replaced or cancelled)",
        2 => "locked by another prover",
        3 => "expired",
        4 => "its cancellation is due",
        _ => "unknown reason",
    }
}

/// Fulfils many tasks of one model with one `fulfilBatch` (one randomized batch check of their
/// proofs). The items are sent sorted by statement id, as the market requires; each proof must be
/// bound to `prover` and prove its task's input, all tasks must be of one model and verifier, and
/// no statement may be there twice. Returns the receipt and the tasks the market skipped (no
/// longer open to the caller), as `(statement id, reason)` from their `TaskSkipped` events; every
/// other task was paid. A malformed batch or an invalid proof reverts the whole transaction.
pub async fn fulfil_batch(
    prover: &Account,
    market: Address,
    items: &[(Task, EvmProof)],
) -> Result<(Sent, Vec<(B256, u8)>)> {
    let bad = |m: String| Err(NodeError::Inconsistent(format!("fulfilBatch: {m}")));
    if items.is_empty() || items.len() > MAX_BATCH {
        return bad(format!("{} tasks; a batch holds 1 to {MAX_BATCH}", items.len()));
    }
    let mut sorted: Vec<(B256, &Task, &EvmProof)> =
        items.iter().map(|(t, p)| (statement_id(U256::from(t.modelId), &t.input), t, p)).collect();
    sorted.sort_by_key(|(id, _, _)| *id);
    for (i, (id, task, proof)) in sorted.iter().enumerate() {
        if proof.input != task.input {
            return bad(format!("the proof for {id} is for another input than the task's"));
        }
        if proof.prover != prover.address {
            return bad(format!("the proof for {id} pays {}, but {} would send it", proof.prover, prover.address));
        }
        if (task.modelId, task.verifier) != (sorted[0].1.modelId, sorted[0].1.verifier) {
            return bad(format!("task {id} is of model {}, the batch of model {}", task.modelId, sorted[0].1.modelId));
        }
        if i > 0 && sorted[i - 1].0 == *id {
            return bad(format!("task {id} is in the batch twice"));
        }
    }
    let tasks = sorted.iter().map(|(_, t, _)| (*t).clone()).collect();
    let outputs = sorted.iter().map(|(_, _, p)| p.output.clone()).collect();
    let proofs = sorted.iter().map(|(_, _, p)| p.proof).collect();
    let m = ITaskMarket::new(market, &prover.provider);
    let sent = prover.send("fulfilBatch", m.fulfilBatch(tasks, outputs, proofs)).await?;
    let skipped = sent
        .receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.inner.address == market)
        .filter_map(|l| l.log_decode::<ITaskMarket::TaskSkipped>().ok())
        .map(|e| (e.inner.data.statementId, e.inner.data.reason))
        .collect();
    Ok((sent, skipped))
}

/// Slashes a locked task past its deadline.
pub async fn slash(caller: &Account, market: Address, task: &Task) -> Result<Sent> {
    Ok(caller.send("slash", ITaskMarket::new(market, &caller.provider).slash(task.clone())).await?)
}

/// Asks to cancel an unlocked task (its requester only); returns when the cancellation is due
/// (chain time, `cancelDueAt`). Lock is refused from now on; fulfilments are paid until then.
pub async fn request_cancel(requester: &Account, market: Address, task: &Task) -> Result<(u64, Sent)> {
    let m = ITaskMarket::new(market, &requester.provider);
    let sent = requester.send("requestCancel", m.requestCancel(task.clone())).await?;
    let due = expect_event::<ITaskMarket::TaskCancelRequested>(&sent, "requestCancel")?.dueAt;
    Ok((due.saturating_to::<u64>(), sent))
}

/// When the requested cancellation of `id` is due (chain time), `None` if none was requested.
pub async fn cancel_due_at(provider: &DynProvider, market: Address, id: B256) -> Result<Option<u64>> {
    let due = ITaskMarket::new(market, provider)
        .cancelDueAt(id)
        .call()
        .await
        .map_err(|e| contract_error("cancelDueAt", &e))?;
    Ok((!due.is_zero()).then(|| due.saturating_to::<u64>()))
}

/// Cancels an unlocked task whose requested cancellation is due, or (anyone) one past its
/// deadline; bounty and fee are credited back to the requester.
pub async fn cancel(caller: &Account, market: Address, task: &Task) -> Result<Sent> {
    Ok(caller.send("cancelTask", ITaskMarket::new(market, &caller.provider).cancelTask(task.clone())).await?)
}

/// Claims everything claimable; returns the amount paid.
pub async fn claim(account: &Account, market: Address) -> Result<(U256, Sent)> {
    let sent = account.send("claim", IRewards::new(market, &account.provider).claim()).await?;
    let amount = first_event::<IRewards::Claimed>(&sent).map_or(U256::ZERO, |e| e.amount);
    Ok((amount, sent))
}

/// What `account` could claim now.
pub async fn claimable(provider: &DynProvider, market: Address, account: Address) -> Result<U256> {
    Ok(IRewards::new(market, provider).claimable(account).call().await.map_err(|e| contract_error("claimable", &e))?)
}

/// Reads the verified output for `(model_id, input)`; `None` if nothing is verified.
pub async fn verified_output(
    provider: &DynProvider,
    market: Address,
    model_id: U256,
    input: &[U256],
) -> Result<Option<Vec<U256>>> {
    let r = IVerifiedOutputs::new(market, provider)
        .verifiedOutput(model_id, input_hash(input))
        .call()
        .await
        .map_err(|e| contract_error("verifiedOutput", &e))?;
    Ok(r.verified.then_some(r.output))
}

/// Token balance of `who`.
pub async fn balance_of(provider: &DynProvider, token: Address, who: Address) -> Result<U256> {
    Ok(IERC20::new(token, provider).balanceOf(who).call().await.map_err(|e| contract_error("balanceOf", &e))?)
}

/// Has the consumer classify `input` on-chain (a transaction) and returns the label it stored.
pub async fn classify(account: &Account, consumer: Address, input: &[U256]) -> Result<(u8, Sent)> {
    let c = IClassifierConsumer::new(consumer, &account.provider);
    let sent = account.send("classify", c.classify(input.to_vec())).await?;
    let label = c.lastLabel().call().await.map_err(|e| contract_error("lastLabel", &e))?;
    Ok((label, sent))
}

/// Finds the open task with `id` from its TaskPosted and TaskLocked events (a lock's event carries
/// the task as stored after it), and checks it against the hash the market stores. `None` if no task is open for this statement.
pub async fn find_task(provider: &DynProvider, market: Address, id: B256) -> Result<Option<Task>> {
    let m = ITaskMarket::new(market, provider);
    let stored = m.openTaskHash(id).call().await.map_err(|e| contract_error("openTaskHash", &e))?;
    if stored.is_zero() {
        return Ok(None);
    }
    let logs = |sig: B256| {
        let filter = Filter::new().address(market).event_signature(sig).topic1(id).from_block(0);
        async move { provider.get_logs(&filter).await.map_err(|e| rpc_error("eth_getLogs", e)) }
    };
    let posted = logs(ITaskMarket::TaskPosted::SIGNATURE_HASH).await?;
    let Some(last) = posted.last() else {
        return Err(NodeError::Inconsistent(format!("task {id} is open but no TaskPosted event was found")));
    };
    let position = (last.block_number, last.log_index);
    let mut task = last
        .log_decode::<ITaskMarket::TaskPosted>()
        .map_err(|e| NodeError::Inconsistent(e.to_string()))?
        .inner
        .data
        .task;
    for log in logs(ITaskMarket::TaskLocked::SIGNATURE_HASH).await? {
        if (log.block_number, log.log_index) > position {
            task = log
                .log_decode::<ITaskMarket::TaskLocked>()
                .map_err(|e| NodeError::Inconsistent(e.to_string()))?
                .inner
                .data
                .task;
        }
    }
    let hash = m.taskHash(task.clone()).call().await.map_err(|e| contract_error("taskHash", &e))?;
    if hash != stored {
        return Err(NodeError::Inconsistent(format!("task {id} rebuilt from events does not match the stored hash")));
    }
    Ok(Some(task))
}

/// A prover's or requester's standing in the market.
#[derive(Clone, Debug, Serialize)]
pub struct Status {
    /// The account.
    pub address: Address,
    /// Active stake (includes locked collateral).
    pub active_stake: String,
    /// Collateral locked by open tasks.
    pub locked: String,
    /// Open locks.
    pub locks: u32,
    /// Stake unbonding, and when it can be withdrawn (unix seconds).
    pub unbonding: String,
    /// When the unbonding stake can be withdrawn.
    pub release_at: u64,
    /// Whether it may take work now.
    pub eligible: bool,
    /// Claimable now (credits plus a settled emission share).
    pub claimable: String,
    /// Token balance.
    pub balance: String,
    /// Current epoch.
    pub epoch: u64,
}

/// Reads `who`'s [`Status`].
pub async fn status(provider: &DynProvider, token: Address, market: Address, who: Address) -> Result<Status> {
    let s = IStaking::new(market, provider);
    let r = IRewards::new(market, provider);
    let account = s.accountOf(who).call().await.map_err(|e| contract_error("accountOf", &e))?;
    let unbonding = s.unbondingOf(who).call().await.map_err(|e| contract_error("unbondingOf", &e))?;
    Ok(Status {
        address: who,
        active_stake: account.active.to_string(),
        locked: account.locked.to_string(),
        locks: account.lockCount,
        unbonding: unbonding.amount.to_string(),
        release_at: unbonding.releaseAt,
        eligible: s.isEligible(who).call().await.map_err(|e| contract_error("isEligible", &e))?,
        claimable: claimable(provider, market, who).await?.to_string(),
        balance: balance_of(provider, token, who).await?.to_string(),
        epoch: r.currentEpoch().call().await.map_err(|e| contract_error("currentEpoch", &e))?.to::<u64>(),
    })
}

/// Gas used by a transaction that calls `verifyProof` directly (transaction total: 21,000 base,
/// calldata and execution). `eth_estimateGas` cannot measure this: the verifier returns `false`
/// instead of reverting when a precompile runs short of gas, so the estimate would bisect down to
/// a failing verification. The transaction is sent with a fixed, ample gas limit instead.
pub async fn measure_verify_gas(account: &Account, verifier: Address, proof: &EvmProof) -> Result<u64> {
    let v = mlproof_relayer::bindings::IGroth16Verifier::new(verifier, &account.provider);
    let call = v.verifyProof(proof.proof, proof.public_inputs());
    let ok = call.call().await.map_err(|e| contract_error("verifyProof", &e))?;
    if !ok {
        return Err(NodeError::Inconsistent("the verifier rejected the proof".into()));
    }
    Ok(account.send("verifyProof (gas measurement)", call.gas(2_000_000)).await?.gas_used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salts_parse_from_31_bytes_of_hex_and_say_what_is_wrong() {
        let hex = format!("0x{}", "ab".repeat(31));
        assert_eq!(parse_salt(&hex), Ok(Salt([0xab; 31])));
        assert_eq!(parse_salt(&format!("  {}\n", &hex[2..])), Ok(Salt([0xab; 31])));
        assert_eq!(parse_salt(&"ab".repeat(32)).unwrap_err(), "must be 31 bytes, got 32");
        assert_eq!(parse_salt("").unwrap_err(), "must be 31 bytes, got 0");
        assert!(parse_salt("0xzz").unwrap_err().starts_with("not hex"));
    }

    #[test]
    fn a_published_input_opens_its_commitment_and_nothing_else() {
        let values = [1_i8, -2, 3, 127, -128];
        let salt = Salt([7; 31]);
        let t = task_input(&values, InputLayout::Committed { salt, publish: true });
        let (opened, s) = open_published_input(&t.data, &t.words).unwrap();
        assert_eq!((opened.as_slice(), s), (&values[..], salt));
        let other = task_input(&[1, -2, 3, 127, -127], InputLayout::Committed { salt, publish: true });
        let err = open_published_input(&other.data, &t.words).unwrap_err().to_string();
        assert!(err.contains("do not open the task's input commitment"), "{err}");
        let err = open_published_input(b"{\"input\":[1],\"salt\":\"0x00\"}", &t.words).unwrap_err().to_string();
        assert!(err.contains("salt must be 31 bytes, got 1"), "{err}");
        let err = open_published_input(b"[1,2]", &t.words).unwrap_err().to_string();
        assert!(err.contains("not the JSON {input, salt}"), "{err}");
        let err = open_published_input(b"{\"input\":[300],\"salt\":\"0x00\"}", &t.words).unwrap_err().to_string();
        assert!(err.contains("not the JSON"), "an out-of-range int8 is refused: {err}");
        let plain = task_input(&values, InputLayout::Plain);
        let err = open_published_input(&t.data, &plain.words).unwrap_err().to_string();
        assert!(err.contains("input words, not one commitment") || err.contains("do not open"), "{err}");
    }
}
