//! What the soak checks on the chain and in the sender's store once the sender is done.

use std::collections::HashMap;

use alloy::{primitives::U256, signers::local::PrivateKeySigner};
use eyre::Result;
use mlproof_relayer::txm::{probe, IntentState, Outcome, Store};

use crate::{chain::Anvil, sender::SenderSpec};

/// The soak's verdict.
pub struct Report {
    /// Probes whose recipient got nothing.
    pub lost: u64,
    /// Probes whose recipient got more than once.
    pub doubled: u64,
    /// Whether the confirmed intents' nonces are exactly 0..(account nonce), one each.
    pub nonces_contiguous: bool,
    /// Transactions still in the pool.
    pub pending_left: u64,
    /// Gap fillers the manager had to send.
    pub gap_fillers: u64,
    /// Replacements signed (transactions beyond each intent's first).
    pub replacements: u64,
    /// Largest ratio of an intent's last `maxFeePerGas` to its first.
    pub max_fee_bump_ratio: f64,
    /// Mean of (confirmed block − head when first submitted) over the probes.
    pub mean_blocks_to_confirm: f64,
}

/// Checks every probe on chain and reads the store for the fee and confirmation figures.
pub async fn check(anvil: &Anvil, spec: &SenderSpec, submitted_at: &HashMap<String, u64>) -> Result<Report> {
    let account = spec.key.parse::<PrivateKeySigner>()?.address();
    let (mut lost, mut doubled) = (0, 0);
    for i in 0..spec.intents {
        let balance = anvil.balance(probe::recipient("soak", i)).await?;
        if balance == U256::ZERO {
            lost += 1;
        } else if balance > U256::from(1) {
            doubled += 1;
        }
    }
    let store = Store::open(&spec.db).await?;
    let records = store.all(account).await?;
    let chain_nonce = anvil.nonce(account).await?;
    let mut confirmed_nonces: Vec<u64> =
        records.iter().filter(|r| r.state == IntentState::Confirmed).filter_map(|r| r.nonce).collect();
    confirmed_nonces.sort_unstable();
    let nonces_contiguous = confirmed_nonces.iter().copied().eq(0..chain_nonce);
    let (mut replacements, mut max_ratio, mut blocks, mut counted) = (0_u64, 1.0_f64, 0_u64, 0_u64);
    for r in &records {
        let txs = store.txs(r.id).await?;
        replacements += txs.len().saturating_sub(1) as u64;
        if let (Some(first), Some(last)) = (txs.first(), txs.last()) {
            max_ratio = max_ratio.max(last.fees.max_fee as f64 / first.fees.max_fee as f64);
        }
        if let (Some(Outcome::Confirmed { block_number, .. }), Some(at)) =
            (&r.outcome, submitted_at.get(r.intent.key.as_str()))
        {
            blocks += block_number.saturating_sub(*at);
            counted += 1;
        }
    }
    let gap_fillers = records.iter().filter(|r| r.intent.key.as_str().starts_with("gap-fill:")).count() as u64;
    Ok(Report {
        lost,
        doubled,
        nonces_contiguous,
        pending_left: anvil.pool_size().await?,
        gap_fillers,
        replacements,
        max_fee_bump_ratio: max_ratio,
        mean_blocks_to_confirm: if counted == 0 { 0.0 } else { blocks as f64 / counted as f64 },
    })
}
