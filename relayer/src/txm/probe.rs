//! Probe intents: intent *i* sends exactly 1 wei to an address derived from *i* that nothing else
//! pays, so "applied exactly once" is read off the chain — the recipient's balance is 0 if the
//! intent was lost, 1 if it was applied once, more if it was applied twice. The relayer's tests,
//! `txm-send` and the soak (`./scripts/bench relayer`) all use them.

use alloy::primitives::{keccak256, Address, U256};

use crate::txm::types::Intent;

/// The recipient of probe `i` under `namespace`.
#[must_use]
pub fn recipient(namespace: &str, i: u64) -> Address {
    Address::from_slice(&keccak256(format!("mlproof txm probe {namespace} {i}"))[12..])
}

/// Probe intent `i`: key `<namespace>:<i>`, 1 wei to [`recipient`].
#[must_use]
pub fn intent(namespace: &str, i: u64) -> Intent {
    Intent::transfer(format!("{namespace}:{i}"), recipient(namespace, i), U256::from(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_distinct_per_index_and_namespace() {
        assert_ne!(recipient("a", 1), recipient("a", 2));
        assert_ne!(recipient("a", 1), recipient("b", 1));
        assert_eq!(intent("a", 7).key.as_str(), "a:7");
        assert_eq!(intent("a", 7).to, alloy::primitives::TxKind::Call(recipient("a", 7)));
    }
}
