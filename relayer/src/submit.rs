//! Submitting proofs, staking, funding, claiming and reading verified outputs.

use alloy::{
    primitives::{keccak256, Address, B256, U256},
    providers::DynProvider,
};
use mlproof_prover::EvmProof;

use crate::{
    bindings::{IClassifierConsumer, IInferenceHub, IMlproofToken, IStaking, IVerifiedOutputs, IERC20},
    chain::{contract_error, send, Account, Sent},
    error::Result,
};

/// `keccak256(abi.encodePacked(input))` — the key dApps read outputs by.
#[must_use]
pub fn input_hash(words: &[U256]) -> B256 {
    let mut bytes = Vec::with_capacity(words.len() * 32);
    for w in words {
        bytes.extend_from_slice(&w.to_be_bytes::<32>());
    }
    keccak256(bytes)
}

/// Submits an inference proof from `prover` (who must be the address bound into it).
pub async fn submit_proof(prover: &Account, hub: Address, model_id: U256, proof: &EvmProof) -> Result<Sent> {
    let h = IInferenceHub::new(hub, &prover.provider);
    send("submit", h.submit(model_id, proof.input.clone(), proof.output.clone(), proof.proof)).await
}

/// Mints `amount` to `to` (token owner only; testnet token).
pub async fn mint(owner: &Account, token: Address, to: Address, amount: U256) -> Result<Sent> {
    send("mint", IMlproofToken::new(token, &owner.provider).mint(to, amount)).await
}

/// Approves `spender` and stakes `amount`.
pub async fn stake(prover: &Account, token: Address, staking: Address, amount: U256) -> Result<Sent> {
    send("approve", IERC20::new(token, &prover.provider).approve(staking, amount)).await?;
    send("stake", IStaking::new(staking, &prover.provider).stake(amount)).await
}

/// Approves the hub and adds `amount` to its reward pool.
pub async fn fund_rewards(funder: &Account, token: Address, hub: Address, amount: U256) -> Result<Sent> {
    send("approve", IERC20::new(token, &funder.provider).approve(hub, amount)).await?;
    send("fundRewards", IInferenceHub::new(hub, &funder.provider).fundRewards(amount)).await
}

/// Claims the caller's rewards; returns the amount paid (read from `RewardClaimed`).
pub async fn claim(prover: &Account, hub: Address) -> Result<(U256, Sent)> {
    let sent = send("claim", IInferenceHub::new(hub, &prover.provider).claim()).await?;
    let amount = sent
        .receipt
        .inner
        .logs()
        .iter()
        .find_map(|l| l.log_decode::<IInferenceHub::RewardClaimed>().ok())
        .map_or(U256::ZERO, |e| e.inner.data.amount);
    Ok((amount, sent))
}

/// Reads the verified output for `(model_id, input)`; `None` if nothing is verified.
pub async fn verified_output(provider: &DynProvider, hub: Address, model_id: U256, input: &[U256]) -> Result<Option<Vec<U256>>> {
    let r = IVerifiedOutputs::new(hub, provider)
        .verifiedOutput(model_id, input_hash(input))
        .call()
        .await
        .map_err(|e| contract_error("verifiedOutput", &e))?;
    Ok(r.verified.then_some(r.output))
}

/// Rewards credited to `prover` and not yet claimed.
pub async fn reward_of(provider: &DynProvider, hub: Address, prover: Address) -> Result<U256> {
    IInferenceHub::new(hub, provider).rewardOf(prover).call().await.map_err(|e| contract_error("rewardOf", &e))
}

/// Token balance of `who`.
pub async fn balance_of(provider: &DynProvider, token: Address, who: Address) -> Result<U256> {
    IERC20::new(token, provider).balanceOf(who).call().await.map_err(|e| contract_error("balanceOf", &e))
}

/// Has the consumer classify `input` on-chain (a transaction) and returns the label it stored.
pub async fn classify(account: &Account, consumer: Address, input: &[U256]) -> Result<(u8, Sent)> {
    let c = IClassifierConsumer::new(consumer, &account.provider);
    let sent = send("classify", c.classify(input.to_vec())).await?;
    let label = c.lastLabel().call().await.map_err(|e| contract_error("lastLabel", &e))?;
    Ok((label, sent))
}

/// Gas used by a transaction that calls `verifyProof` directly (transaction total: 21,000 base,
/// calldata and execution). `eth_estimateGas` cannot measure this: the verifier returns `false`
/// instead of reverting when a precompile runs short of gas, so the estimate would bisect down to
/// a failing verification. The transaction is sent with a fixed, ample gas limit instead.
pub async fn measure_verify_gas(account: &Account, verifier: Address, proof: &EvmProof) -> Result<u64> {
    let v = crate::bindings::IGroth16Verifier::new(verifier, &account.provider);
    let call = v.verifyProof(proof.proof, proof.public_inputs());
    let ok = call.call().await.map_err(|e| contract_error("verifyProof", &e))?;
    if !ok {
        return Err(crate::RelayerError::Inconsistent("the verifier rejected the proof".into()));
    }
    Ok(send("verifyProof (gas measurement)", call.gas(2_000_000)).await?.gas_used)
}
