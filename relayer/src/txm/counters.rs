//! Counters the node exports as Prometheus metrics.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters of one manager.
#[derive(Debug, Default)]
pub struct Counters {
    sent: AtomicU64,
    replaced: AtomicU64,
    dropped_resent: AtomicU64,
    reorged: AtomicU64,
    reverted: AtomicU64,
    confirmed: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CounterSnapshot {
    /// Intents whose first transaction was broadcast.
    pub sent: u64,
    /// Replacements (same nonce, bumped fees) signed.
    pub replaced: u64,
    /// Transactions found missing from the mempool and re-broadcast.
    pub dropped_resent: u64,
    /// Receipts that disappeared with their block.
    pub reorged: u64,
    /// Intents ended as reverted (simulated or mined).
    pub reverted: u64,
    /// Intents confirmed.
    pub confirmed: u64,
}

/// Which counter to raise.
#[derive(Clone, Copy, Debug)]
pub enum Counter {
    /// See [`CounterSnapshot::sent`].
    Sent,
    /// See [`CounterSnapshot::replaced`].
    Replaced,
    /// See [`CounterSnapshot::dropped_resent`].
    DroppedResent,
    /// See [`CounterSnapshot::reorged`].
    Reorged,
    /// See [`CounterSnapshot::reverted`].
    Reverted,
    /// See [`CounterSnapshot::confirmed`].
    Confirmed,
}

impl Counters {
    /// Adds one.
    pub fn incr(&self, c: Counter) {
        let a = match c {
            Counter::Sent => &self.sent,
            Counter::Replaced => &self.replaced,
            Counter::DroppedResent => &self.dropped_resent,
            Counter::Reorged => &self.reorged,
            Counter::Reverted => &self.reverted,
            Counter::Confirmed => &self.confirmed,
        };
        a.fetch_add(1, Ordering::Relaxed);
    }

    /// The current values.
    #[must_use]
    pub fn snapshot(&self) -> CounterSnapshot {
        let l = |a: &AtomicU64| a.load(Ordering::Relaxed);
        CounterSnapshot {
            sent: l(&self.sent),
            replaced: l(&self.replaced),
            dropped_resent: l(&self.dropped_resent),
            reorged: l(&self.reorged),
            reverted: l(&self.reverted),
            confirmed: l(&self.confirmed),
        }
    }
}
