//! EIP-1559 fees from `eth_feeHistory`, a cap, and compounding replacement bumps.

use alloy::{eips::BlockNumberOrTag, providers::Provider};

use crate::txm::{retry::RetryPolicy, Result};

/// The two EIP-1559 fee fields of a transaction, in wei per gas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fees {
    /// `maxFeePerGas`.
    pub max_fee: u128,
    /// `maxPriorityFeePerGas`.
    pub max_priority_fee: u128,
}

/// How fees are chosen.
#[derive(Clone, Copy, Debug)]
pub struct FeePolicy {
    /// No transaction ever offers more than this `maxFeePerGas` (wei per gas).
    pub max_fee_cap: u128,
    /// The priority fee is at least this (wei per gas).
    pub min_priority_fee: u128,
    /// `maxFeePerGas` = `base_fee_multiplier` × next base fee + priority fee.
    pub base_fee_multiplier: u128,
    /// A replacement raises both fields by at least this many percent (≥ 10, the node's minimum).
    pub bump_percent: u128,
    /// Blocks of fee history read.
    pub history_blocks: u64,
    /// Reward percentile taken as the priority fee.
    pub reward_percentile: f64,
}

impl Default for FeePolicy {
    fn default() -> Self {
        Self {
            max_fee_cap: 500_000_000_000,  // 500 gwei
            min_priority_fee: 100_000_000, // 0.1 gwei
            base_fee_multiplier: 2,
            bump_percent: 12,
            history_blocks: 10,
            reward_percentile: 50.0,
        }
    }
}

impl FeePolicy {
    /// Fees from the latest fee history: the next block's base fee and the median priority fee.
    pub async fn estimate<P: Provider>(&self, provider: &P, retry: &RetryPolicy) -> Result<Fees> {
        let percentiles = [self.reward_percentile];
        let history = retry
            .run("eth_feeHistory", || {
                provider.get_fee_history(self.history_blocks, BlockNumberOrTag::Latest, &percentiles)
            })
            .await?;
        let next_base = history.base_fee_per_gas.last().copied().unwrap_or_default();
        let mut rewards: Vec<u128> =
            history.reward.unwrap_or_default().iter().filter_map(|r| r.first().copied()).collect();
        rewards.sort_unstable();
        let median = rewards.get(rewards.len() / 2).copied().unwrap_or_default();
        Ok(self.from_base_fee(next_base, median))
    }

    /// Fees for a known next base fee and a suggested priority fee, capped.
    #[must_use]
    pub fn from_base_fee(&self, next_base_fee: u128, suggested_priority: u128) -> Fees {
        let priority = suggested_priority.max(self.min_priority_fee);
        let max_fee = next_base_fee.saturating_mul(self.base_fee_multiplier).saturating_add(priority);
        self.capped(Fees { max_fee, max_priority_fee: priority })
    }

    fn capped(&self, fees: Fees) -> Fees {
        let max_fee = fees.max_fee.min(self.max_fee_cap);
        Fees { max_fee, max_priority_fee: fees.max_priority_fee.min(max_fee) }
    }

    /// The fees of a replacement for a transaction offering `previous`: each field raised by at
    /// least [`FeePolicy::bump_percent`] (rounded up) and at least to the `current` estimate,
    /// capped. `None` when the cap leaves no room for a valid replacement.
    #[must_use]
    pub fn bump(&self, previous: Fees, current: Fees) -> Option<Fees> {
        let raise = |v: u128| v.saturating_mul(100 + self.bump_percent).div_ceil(100).max(v + 1);
        let wanted = Fees {
            max_fee: raise(previous.max_fee).max(current.max_fee),
            max_priority_fee: raise(previous.max_priority_fee).max(current.max_priority_fee),
        };
        let wanted = Fees { max_fee: wanted.max_fee.max(wanted.max_priority_fee), ..wanted };
        let capped = self.capped(wanted);
        let min_fee = raise(previous.max_fee);
        let min_prio = raise(previous.max_priority_fee);
        (capped.max_fee >= min_fee && capped.max_priority_fee >= min_prio).then_some(capped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bump_compounds_by_at_least_ten_percent_on_both_fields() {
        let policy = FeePolicy { bump_percent: 10, max_fee_cap: u128::MAX, ..FeePolicy::default() };
        let mut fees = Fees { max_fee: 1_000, max_priority_fee: 100 };
        for _ in 0..5 {
            let next = policy.bump(fees, Fees { max_fee: 0, max_priority_fee: 0 }).unwrap();
            assert!(next.max_fee * 10 >= fees.max_fee * 11, "{next:?} after {fees:?}");
            assert!(next.max_priority_fee * 10 >= fees.max_priority_fee * 11, "{next:?} after {fees:?}");
            fees = next;
        }
        assert!(fees.max_fee >= 1_611); // 1000 · 1.1^5
    }

    #[test]
    fn bump_follows_a_higher_estimate_and_stops_at_the_cap() {
        let policy = FeePolicy { bump_percent: 10, max_fee_cap: 2_000, ..FeePolicy::default() };
        let prev = Fees { max_fee: 1_000, max_priority_fee: 100 };
        let next = policy.bump(prev, Fees { max_fee: 1_900, max_priority_fee: 150 }).unwrap();
        assert_eq!(next, Fees { max_fee: 1_900, max_priority_fee: 150 });
        assert_eq!(policy.bump(Fees { max_fee: 1_900, max_priority_fee: 100 }, prev), None);
    }

    #[test]
    fn estimate_is_capped() {
        let policy = FeePolicy { max_fee_cap: 1_000, min_priority_fee: 10, ..FeePolicy::default() };
        assert_eq!(policy.from_base_fee(100, 0), Fees { max_fee: 210, max_priority_fee: 10 });
        assert_eq!(policy.from_base_fee(10_000, 5_000), Fees { max_fee: 1_000, max_priority_fee: 1_000 });
    }
}
