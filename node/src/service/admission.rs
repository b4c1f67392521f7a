//! Admission: whether the node takes a task. A task is taken only when its model and proving key
//! are served here, its bounty meets the configured price per constraint, the free collateral
//! covers its lock, and the queue's estimated finish — measured prove time × (jobs ahead + this
//! one) ÷ workers, in whole rounds — leaves the configured margin before its deadline. A refusal
//! names which rule failed, with the numbers; the watcher records it.

use std::{collections::HashMap, fmt};

use alloy::primitives::U256;

/// A posted task, as admission sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The model.
    pub model_id: U256,
    /// Bounty (token base units).
    pub bounty: U256,
    /// Collateral the lock takes.
    pub collateral: U256,
    /// Deadline (chain time, seconds).
    pub deadline: u64,
}

/// What the node knows of a model it serves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Served {
    /// Constraints of its circuit (the price is per constraint).
    pub constraints: u64,
    /// Estimated seconds per proof ([`ProveEstimate`]).
    pub prove_s: f64,
}

/// The node's capacity when the offer is looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
    /// Chain time now (the latest block's timestamp).
    pub now: u64,
    /// Jobs admitted and not yet proved (they are ahead of this one).
    pub queued: u64,
    /// Proof workers.
    pub workers: usize,
    /// Stake free to lock.
    pub free_collateral: U256,
    /// Whether the market lets the account lock at all (stake at least the minimum, no slash
    /// pending, not unbonding everything).
    pub eligible: bool,
}

/// The policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Least bounty per constraint.
    pub min_price_per_constraint: U256,
    /// Seconds to keep free before the deadline (for the lock and the fulfilment to confirm).
    pub deadline_margin_s: u64,
}

/// Why a task was not taken.
#[derive(Clone, Debug, PartialEq)]
pub enum Refusal {
    /// No model with this id is configured (or its proving key did not load).
    ModelNotServed(U256),
    /// The bounty is below `constraints × min_price_per_constraint`.
    BountyTooLow {
        /// Offered.
        bounty: U256,
        /// The least accepted.
        least: U256,
    },
    /// Not enough free stake for the lock.
    NoCollateral {
        /// Free stake.
        free: U256,
        /// The lock's collateral.
        need: U256,
    },
    /// The market would not let this account lock (stake below the minimum, a slash pending).
    NotEligible,
    /// The queue would finish it too late.
    TooLate {
        /// Estimated finish (chain time).
        finish: u64,
        /// The latest acceptable finish (deadline − margin).
        latest: u64,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ModelNotServed(id) => write!(f, "model {id} is not served by this node"),
            Self::BountyTooLow { bounty, least } => {
                write!(f, "bounty {bounty} is below the least accepted {least} (constraints x min price)")
            }
            Self::NotEligible => write!(f, "the account is not eligible to lock (stake below the minimum?)"),
            Self::NoCollateral { free, need } => write!(f, "free stake {free} does not cover the collateral {need}"),
            Self::TooLate { finish, latest } => {
                write!(f, "estimated finish {finish} is after {latest} (deadline minus the margin)")
            }
        }
    }
}

/// Decides on `offer`.
pub fn admit(
    offer: &Offer,
    models: &HashMap<U256, Served>,
    capacity: &Capacity,
    policy: &Policy,
) -> Result<(), Refusal> {
    let served = models.get(&offer.model_id).ok_or(Refusal::ModelNotServed(offer.model_id))?;
    let least = policy.min_price_per_constraint.saturating_mul(U256::from(served.constraints));
    if offer.bounty < least {
        return Err(Refusal::BountyTooLow { bounty: offer.bounty, least });
    }
    if !capacity.eligible {
        return Err(Refusal::NotEligible);
    }
    if capacity.free_collateral < offer.collateral {
        return Err(Refusal::NoCollateral { free: capacity.free_collateral, need: offer.collateral });
    }
    let finish = estimated_finish(capacity, served.prove_s);
    let latest = offer.deadline.saturating_sub(policy.deadline_margin_s);
    if finish > latest {
        return Err(Refusal::TooLate { finish, latest });
    }
    Ok(())
}

/// Chain time at which a job admitted now would be proved: the jobs ahead and this one, in
/// rounds of `workers` proofs.
#[must_use]
pub fn estimated_finish(capacity: &Capacity, prove_s: f64) -> u64 {
    let workers = capacity.workers.max(1) as u64;
    let rounds = (capacity.queued + 1).div_ceil(workers);
    let seconds = (prove_s.max(0.0) * rounds as f64).ceil();
    capacity.now.saturating_add(if seconds.is_finite() { seconds as u64 } else { u64::MAX })
}

/// A model's seconds per proof: starts at a measured first proof, then follows each proof with an
/// exponential moving average (weight 0.3), so a slower machine or a busier one shows within a
/// few proofs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProveEstimate(f64);

impl ProveEstimate {
    /// From a first measurement.
    #[must_use]
    pub const fn new(first_s: f64) -> Self {
        Self(first_s)
    }

    /// Takes one more measured proof into account.
    pub fn observe(&mut self, seconds: f64) {
        if seconds.is_finite() && seconds >= 0.0 {
            self.0 = 0.7 * self.0 + 0.3 * seconds;
        }
    }

    /// The estimate.
    #[must_use]
    pub const fn seconds(self) -> f64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Offer, HashMap<U256, Served>, Capacity, Policy) {
        let offer =
            Offer { model_id: U256::from(1), bounty: U256::from(5_000), collateral: U256::from(50), deadline: 1_000 };
        let models = HashMap::from([(U256::from(1), Served { constraints: 2_702, prove_s: 10.0 })]);
        let capacity = Capacity { now: 100, queued: 0, workers: 2, free_collateral: U256::from(200), eligible: true };
        let policy = Policy { min_price_per_constraint: U256::from(1), deadline_margin_s: 120 };
        (offer, models, capacity, policy)
    }

    #[test]
    fn a_servable_task_is_taken() {
        let (o, m, c, p) = setup();
        assert_eq!(admit(&o, &m, &c, &p), Ok(()));
    }

    #[test]
    fn each_rule_refuses_with_its_numbers() {
        let (o, m, c, p) = setup();
        let other = Offer { model_id: U256::from(9), ..o };
        assert_eq!(admit(&other, &m, &c, &p), Err(Refusal::ModelNotServed(U256::from(9))));
        let cheap = Offer { bounty: U256::from(2_701), ..o };
        assert_eq!(
            admit(&cheap, &m, &c, &p),
            Err(Refusal::BountyTooLow { bounty: U256::from(2_701), least: U256::from(2_702) })
        );
        let poor = Capacity { free_collateral: U256::from(49), ..c };
        assert_eq!(admit(&o, &m, &poor, &p), Err(Refusal::NoCollateral { free: U256::from(49), need: U256::from(50) }));
        assert_eq!(admit(&o, &m, &Capacity { eligible: false, ..c }, &p), Err(Refusal::NotEligible));
        // 2 workers, 157 ahead: 79 rounds of 10 s = 790 s, finishing at 890 > 1000 - 120.
        let busy = Capacity { queued: 157, ..c };
        assert_eq!(admit(&o, &m, &busy, &p), Err(Refusal::TooLate { finish: 890, latest: 880 }));
        // One fewer ahead: 78.5 → 79 rounds too (whole rounds); two fewer: 78 rounds, 880, taken.
        assert!(admit(&o, &m, &Capacity { queued: 156, ..c }, &p).is_err());
        assert_eq!(admit(&o, &m, &Capacity { queued: 155, ..c }, &p), Ok(()));
        assert!(Refusal::TooLate { finish: 890, latest: 880 }.to_string().contains("890 is after 880"));
    }

    #[test]
    fn a_deadline_inside_the_margin_or_past_is_refused() {
        let (o, m, c, p) = setup();
        let soon = Offer { deadline: 150, ..o };
        assert!(matches!(admit(&soon, &m, &c, &p), Err(Refusal::TooLate { latest: 30, .. })));
        let past = Offer { deadline: 50, ..o };
        assert!(matches!(admit(&past, &m, &c, &p), Err(Refusal::TooLate { latest: 0, .. })));
    }

    #[test]
    fn the_estimate_follows_measurements_and_ignores_nonsense() {
        let mut e = ProveEstimate::new(10.0);
        e.observe(20.0);
        assert!((e.seconds() - 13.0).abs() < 1e-9);
        e.observe(f64::NAN);
        e.observe(-1.0);
        assert!((e.seconds() - 13.0).abs() < 1e-9);
        let c = Capacity { now: 0, queued: 3, workers: 0, free_collateral: U256::ZERO, eligible: true };
        assert_eq!(estimated_finish(&c, 1.5), 6, "zero workers counts as one");
        assert_eq!(estimated_finish(&c, f64::INFINITY), u64::MAX);
    }
}
