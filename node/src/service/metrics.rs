//! Prometheus metrics of the node (`GET /metrics`, OpenMetrics text). Jobs by state, stake and
//! the transaction manager's counters are read at scrape time from their sources (the store, the
//! status the node last read from chain, the managers), so they cannot drift from them.

use std::sync::atomic::AtomicU64;

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

use crate::service::state::JobState;

/// The `state` label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabel {
    /// A [`JobState`] name.
    pub state: String,
}

/// The `kind` label of transaction counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabel {
    /// `sent`, `replaced`, `dropped_resent`, `reorged`, `reverted`, `confirmed`.
    pub kind: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// Every metric the node exports.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Jobs in each state.
    pub jobs: Family<StateLabel, Gauge>,
    /// Seconds per proof.
    pub prove_seconds: Histogram,
    /// Jobs waiting for or in a worker (locked or proving).
    pub queue_depth: Gauge,
    /// Gas of the node's confirmed transactions.
    pub gas_spent: Counter,
    /// Confirmed `fulfilBatch` transactions.
    pub batches: Counter,
    /// Jobs per confirmed `fulfilBatch`.
    pub batch_size: Histogram,
    /// The transaction manager's counters, by kind (this process).
    pub transactions: Family<KindLabel, Gauge>,
    /// Active stake, in tokens.
    pub stake_tokens: FloatGauge,
    /// Collateral locked in open tasks, in tokens.
    pub collateral_tokens: FloatGauge,
    /// Rewards claimable now, in tokens.
    pub claimable_tokens: FloatGauge,
    /// The chain head the node last saw.
    pub chain_head: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A registry with every metric registered under the `mlproof_` prefix.
    #[must_use]
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("mlproof");
        let jobs = Family::<StateLabel, Gauge>::default();
        // 50 ms to ~7 min: a slice proof to a large private-weights model.
        let prove_seconds = Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(0.05, 2.0, 14));
        let m = Self {
            jobs,
            prove_seconds,
            queue_depth: Gauge::default(),
            gas_spent: Counter::default(),
            batches: Counter::default(),
            // 1, 2, 4, … 64 (the market's most per batch).
            batch_size: Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(1.0, 2.0, 7)),
            transactions: Family::default(),
            stake_tokens: FloatGauge::default(),
            collateral_tokens: FloatGauge::default(),
            claimable_tokens: FloatGauge::default(),
            chain_head: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register("jobs", "Jobs by state", m.jobs.clone());
        registry.register("prove_seconds", "Seconds per proof", m.prove_seconds.clone());
        registry.register("queue_depth", "Jobs locked or proving", m.queue_depth.clone());
        registry.register("gas_spent", "Gas of confirmed transactions", m.gas_spent.clone());
        registry.register("batches", "Confirmed fulfilBatch transactions", m.batches.clone());
        registry.register("batch_size", "Jobs per confirmed fulfilBatch", m.batch_size.clone());
        registry.register("transactions", "Transaction manager counters by kind", m.transactions.clone());
        registry.register("stake_tokens", "Active stake, in tokens", m.stake_tokens.clone());
        registry.register("collateral_tokens", "Collateral locked in tasks, in tokens", m.collateral_tokens.clone());
        registry.register("claimable_tokens", "Rewards claimable now, in tokens", m.claimable_tokens.clone());
        registry.register("chain_head", "Latest block seen", m.chain_head.clone());
        Self { registry, ..m }
    }

    /// Sets the jobs-by-state gauges (every state, zeros included) and the queue depth.
    pub fn set_jobs(&self, counts: &std::collections::BTreeMap<JobState, u64>) {
        for (state, n) in counts {
            self.jobs.get_or_create(&StateLabel { state: state.as_str().to_owned() }).set(gauge(*n));
        }
        let queued = [JobState::Locked, JobState::Proving].iter().map(|s| counts.get(s).copied().unwrap_or(0)).sum();
        self.queue_depth.set(gauge(queued));
    }

    /// Sets the transaction counters from the managers' snapshots (summed over accounts).
    pub fn set_transactions(&self, snapshots: &[mlproof_relayer::txm::CounterSnapshot]) {
        let sum = |f: fn(&mlproof_relayer::txm::CounterSnapshot) -> u64| snapshots.iter().map(f).sum::<u64>();
        for (kind, n) in [
            ("sent", sum(|c| c.sent)),
            ("replaced", sum(|c| c.replaced)),
            ("dropped_resent", sum(|c| c.dropped_resent)),
            ("reorged", sum(|c| c.reorged)),
            ("reverted", sum(|c| c.reverted)),
            ("confirmed", sum(|c| c.confirmed)),
        ] {
            self.transactions.get_or_create(&KindLabel { kind: kind.to_owned() }).set(gauge(n));
        }
    }

    /// The OpenMetrics text of every metric.
    pub fn encode(&self) -> Result<String, std::fmt::Error> {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &self.registry)?;
        Ok(out)
    }
}

fn gauge(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::state::ALL_STATES;

    #[test]
    fn every_state_and_kind_is_exported_with_its_value() {
        let m = Metrics::new();
        let mut counts: std::collections::BTreeMap<_, _> = ALL_STATES.into_iter().map(|s| (s, 0)).collect();
        counts.insert(JobState::Locked, 2);
        counts.insert(JobState::Proving, 1);
        counts.insert(JobState::Fulfilled, 7);
        m.set_jobs(&counts);
        m.set_transactions(&[mlproof_relayer::txm::CounterSnapshot { replaced: 3, ..Default::default() }]);
        m.prove_seconds.observe(0.3);
        m.gas_spent.inc_by(259_317);
        m.batches.inc();
        m.batch_size.observe(4.0);
        let text = m.encode().unwrap();
        for s in ALL_STATES {
            assert!(text.contains(&format!("mlproof_jobs{{state=\"{s}\"}}")), "{s} missing:\n{text}");
        }
        assert!(text.contains("mlproof_jobs{state=\"fulfilled\"} 7"), "{text}");
        assert!(text.contains("mlproof_queue_depth 3"), "{text}");
        assert!(text.contains("mlproof_transactions{kind=\"replaced\"} 3"), "{text}");
        assert!(text.contains("mlproof_gas_spent_total 259317"), "{text}");
        assert!(text.contains("mlproof_prove_seconds_count 1"), "{text}");
        assert!(text.contains("mlproof_batches_total 1"), "{text}");
        assert!(text.contains("mlproof_batch_size_sum 4.0"), "{text}");
        assert!(text.trim_end().ends_with("# EOF"), "{text}");
    }
}
