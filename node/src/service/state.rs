//! A job's states and the transitions between them. The graph is the single authority: the store
//! refuses any transition it does not list (compare-and-set on the current state).

use std::fmt;

/// Where a job is. `Claimed`, `Expired` and `Failed` are terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum JobState {
    /// Admitted: the task passed admission and its lock is being sent (`lock:<statement id>`).
    Seen,
    /// The lock is confirmed: collateral is at stake until the deadline.
    Locked,
    /// A worker is proving it.
    Proving,
    /// The proof is stored (and checked locally); the fulfilment is next.
    Proved,
    /// The fulfilment was handed to the transaction manager (`fulfil:<statement id>`).
    Submitted,
    /// The fulfilment is confirmed: the output is verified on chain, the bounty credited.
    Fulfilled,
    /// A claim confirmed after the fulfilment paid the bounty out (terminal).
    Claimed,
    /// The deadline passed before the job was fulfilled (terminal).
    Expired,
    /// Given up for a reason that retrying cannot fix (terminal).
    Failed,
}

/// Every state, in life-cycle order (metrics list them all, zeros included).
pub const ALL_STATES: [JobState; 9] = [
    JobState::Seen,
    JobState::Locked,
    JobState::Proving,
    JobState::Proved,
    JobState::Submitted,
    JobState::Fulfilled,
    JobState::Claimed,
    JobState::Expired,
    JobState::Failed,
];

impl JobState {
    /// The name stored in the database and shown by the API.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Seen => "seen",
            Self::Locked => "locked",
            Self::Proving => "proving",
            Self::Proved => "proved",
            Self::Submitted => "submitted",
            Self::Fulfilled => "fulfilled",
            Self::Claimed => "claimed",
            Self::Expired => "expired",
            Self::Failed => "failed",
        }
    }

    /// Parses [`JobState::as_str`].
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        ALL_STATES.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether nothing more happens to the job.
    #[must_use]
    pub const fn is_terminal(self) -> bool {
        matches!(self, Self::Claimed | Self::Expired | Self::Failed)
    }

    /// Whether the job holds collateral locked by this node (what must reach `Fulfilled` before
    /// the deadline, or be slashed).
    #[must_use]
    pub const fn holds_collateral(self) -> bool {
        matches!(self, Self::Locked | Self::Proving | Self::Proved | Self::Submitted)
    }

    /// Whether `self → to` is a transition of the life cycle. Retries go back one step: a proof
    /// that failed returns `Proving → Locked`, a fulfilment that did not land `Submitted → Proved`;
    /// a crash mid-proof is resumed by the same `Proving → Locked`.
    #[must_use]
    pub const fn can_become(self, to: Self) -> bool {
        use JobState::{Claimed, Expired, Failed, Fulfilled, Locked, Proved, Proving, Seen, Submitted};
        matches!(
            (self, to),
            (Seen, Locked | Expired | Failed)
                | (Locked, Proving | Expired | Failed)
                | (Proving, Proved | Locked | Expired | Failed)
                | (Proved, Submitted | Expired | Failed)
                | (Submitted, Fulfilled | Proved | Expired | Failed)
                | (Fulfilled, Claimed)
        )
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_refused() {
        for s in ALL_STATES {
            assert_eq!(JobState::parse(s.as_str()), Some(s));
        }
        assert_eq!(JobState::parse("Locked"), None);
        assert_eq!(JobState::parse(""), None);
    }

    #[test]
    fn terminal_states_go_nowhere_and_nothing_skips_the_proof() {
        for from in ALL_STATES.into_iter().filter(|s| s.is_terminal()) {
            assert!(ALL_STATES.into_iter().all(|to| !from.can_become(to)), "{from} is terminal");
        }
        // A fulfilment needs a stored proof; a lock is needed before proving.
        assert!(!JobState::Locked.can_become(JobState::Submitted));
        assert!(!JobState::Seen.can_become(JobState::Proving));
        assert!(!JobState::Proving.can_become(JobState::Fulfilled));
        // Once fulfilled, the bounty is owed: it can only be claimed, never expire or fail.
        assert!(!JobState::Fulfilled.can_become(JobState::Expired));
        assert!(!JobState::Fulfilled.can_become(JobState::Failed));
    }

    #[test]
    fn collateral_is_held_from_lock_to_fulfilment() {
        let held: Vec<_> = ALL_STATES.into_iter().filter(|s| s.holds_collateral()).collect();
        assert_eq!(held, [JobState::Locked, JobState::Proving, JobState::Proved, JobState::Submitted]);
    }
}
