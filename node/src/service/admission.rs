//! Admission: whether the node takes a task. A task is taken only when its model and proving key
//! are served here, its price can reach the configured price per constraint (its bounty, the top
//! of its reverse-Dutch ramp, is at least that), the free collateral covers its lock, and the
//! queue's estimated finish — from now, or from when the ramp reaches the node's price if later:
//! measured prove time × (jobs ahead + this one) ÷ workers, in whole rounds — leaves the
//! configured margin before its deadline. A refusal names which rule failed, with the numbers; the
//! watcher records it. A ramped task admitted before its price is high enough waits (the runner
//! locks it once `priceAt(task, now)` reaches the node's price).

use std::{collections::HashMap, fmt};

use alloy::primitives::U256;
use mlproof_relayer::bindings::ITaskMarket::Task;

/// A posted task, as admission sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Offer {
    /// The model.
    pub model_id: U256,
    /// Bounty: the most it pays, at the end of its ramp (token base units).
    pub bounty: U256,
    /// The price until `ramp_start` (equal to the bounty for a fixed price).
    pub min_price: U256,
    /// When the price starts rising (chain time).
    pub ramp_start: u64,
    /// When it reaches the bounty (chain time).
    pub ramp_end: u64,
    /// Collateral the lock takes.
    pub collateral: U256,
    /// Deadline (chain time, seconds).
    pub deadline: u64,
}

impl Offer {
    /// A fixed-price offer.
    #[must_use]
    pub const fn fixed(model_id: U256, bounty: U256, collateral: U256, deadline: u64) -> Self {
        Self { model_id, bounty, min_price: bounty, ramp_start: 0, ramp_end: 0, collateral, deadline }
    }

    /// The offer of a posted task.
    #[must_use]
    pub fn of(task: &Task) -> Self {
        Self {
            model_id: U256::from(task.modelId),
            bounty: U256::from(task.bounty),
            min_price: U256::from(task.minPrice),
            ramp_start: u64::from(task.rampStart),
            ramp_end: u64::from(task.rampEnd),
            collateral: U256::from(task.collateral),
            deadline: u64::from(task.deadline),
        }
    }

    /// The price at chain time `t`, as the market computes it (`priceAt`): `min_price` until
    /// `ramp_start`, linear to the bounty at `ramp_end`, the bounty after (rounded down).
    #[must_use]
    pub fn price_at(&self, t: u64) -> U256 {
        if t >= self.ramp_end {
            self.bounty
        } else if t <= self.ramp_start {
            self.min_price
        } else {
            let (rise, span) = (self.bounty - self.min_price, U256::from(self.ramp_end - self.ramp_start));
            self.min_price + rise * U256::from(t - self.ramp_start) / span
        }
    }

    /// The first second at which the price is at least `least` (0 if it always is); `None` if
    /// never (the bounty is below it).
    #[must_use]
    pub fn reaches(&self, least: U256) -> Option<u64> {
        if least <= self.min_price {
            return Some(0);
        }
        if least > self.bounty {
            return None;
        }
        // The least t > start with (bounty - min) * (t - start) / span >= least - min.
        let span = self.ramp_end - self.ramp_start;
        let dt = ((least - self.min_price) * U256::from(span)).div_ceil(self.bounty - self.min_price);
        Some(self.ramp_start + dt.saturating_to::<u64>().min(span))
    }
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
    /// Its price ramp reaches the least accepted price too close to the deadline.
    RampTooLate {
        /// When the price reaches the least accepted (chain time).
        reaches: u64,
        /// The latest acceptable finish (deadline − margin).
        latest: u64,
    },
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
            Self::RampTooLate { reaches, latest } => {
                write!(f, "its price reaches the least accepted only at {reaches}, after {latest} (deadline minus the margin)")
            }
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
    let latest = offer.deadline.saturating_sub(policy.deadline_margin_s);
    let reaches = offer.reaches(least).unwrap_or(u64::MAX);
    if reaches > latest {
        return Err(Refusal::RampTooLate { reaches, latest });
    }
    let finish = estimated_finish(&Capacity { now: capacity.now.max(reaches), ..*capacity }, served.prove_s);
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
        let offer = Offer::fixed(U256::from(1), U256::from(5_000), U256::from(50), 1_000);
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
    fn a_ramp_is_priced_as_the_market_does_and_waited_for_within_the_deadline() {
        let (o, m, c, p) = setup();
        // 1,000 at t <= 200, rising to 5,000 at 600: 10 per second.
        let ramp = Offer { min_price: U256::from(1_000), ramp_start: 200, ramp_end: 600, ..o };
        assert_eq!(ramp.price_at(0), U256::from(1_000));
        assert_eq!(ramp.price_at(201), U256::from(1_010));
        assert_eq!(ramp.price_at(599), U256::from(4_990));
        assert_eq!(ramp.price_at(10_000), U256::from(5_000));
        // The node's least is 2,702: reached at 200 + ceil(1,702 / 10) = 371.
        assert_eq!(ramp.reaches(U256::from(2_702)), Some(371));
        assert!(ramp.price_at(371) >= U256::from(2_702) && ramp.price_at(370) < U256::from(2_702));
        assert_eq!(ramp.reaches(U256::from(999)), Some(0));
        assert_eq!(ramp.reaches(U256::from(5_001)), None);
        // Admitted now (the runner waits for the price); the estimate runs from 371: 381 <= 880.
        assert_eq!(admit(&ramp, &m, &c, &p), Ok(()));
        // A ramp that reaches the price after deadline − margin is refused, naming when.
        let slow = Offer { ramp_end: 2_000, ..ramp };
        assert!(matches!(admit(&slow, &m, &c, &p), Err(Refusal::RampTooLate { latest: 880, .. })));
        // The queue's estimate starts when the price is reached: 371 + 51 rounds x 10 s > 880.
        let busy = Capacity { queued: 101, ..c };
        assert_eq!(admit(&ramp, &m, &busy, &p), Err(Refusal::TooLate { finish: 881, latest: 880 }));
        assert_eq!(Offer::of(&Task::default()).price_at(5), U256::ZERO);
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
