//! The one retry policy of the transaction manager: exponential backoff with full jitter for
//! transport errors (connection refused, timeouts, 5xx). Error *responses* from the node (a revert,
//! `nonce too low`, ...) are answers, not outages, and are returned at once.

use std::{future::IntoFuture, time::Duration};

use alloy::transports::{RpcError, TransportErrorKind};
use rand::Rng;

use crate::txm::{Result, TxmError};

/// Backoff with jitter for transport errors.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Delay before the first retry (before jitter).
    pub initial: Duration,
    /// Largest delay between two attempts.
    pub max_delay: Duration,
    /// Attempts in all, the first included, before the error is returned to the driver (which
    /// keeps the intent as it is and tries again on its next pass: an outage never fails an intent).
    pub attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { initial: Duration::from_millis(100), max_delay: Duration::from_secs(5), attempts: 6 }
    }
}

impl RetryPolicy {
    /// The delay before retry number `attempt` (0-based): uniform in `[d/2, d]` with
    /// `d = min(initial · 2^attempt, max_delay)`.
    #[must_use]
    pub fn delay(&self, attempt: u32) -> Duration {
        let d = self.initial.saturating_mul(1u32 << attempt.min(16)).min(self.max_delay);
        let half = d / 2;
        half + d.saturating_sub(half).mul_f64(rand::thread_rng().gen_range(0.0..=1.0))
    }

    /// Runs `f` until it succeeds, fails with something other than a transport error, or the
    /// attempts run out.
    pub async fn run<T, F, Fut>(&self, action: &str, f: F) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: IntoFuture<Output = std::result::Result<T, RpcError<TransportErrorKind>>>,
    {
        self.run_rpc(action, f).await.map_err(|e| TxmError::rpc(action, &e))
    }

    /// [`RetryPolicy::run`], returning the node's last error as is (for callers that read the
    /// node's answer, e.g. `nonce too low` on a broadcast).
    pub async fn run_rpc<T, F, Fut>(
        &self,
        action: &str,
        mut f: F,
    ) -> std::result::Result<T, RpcError<TransportErrorKind>>
    where
        F: FnMut() -> Fut,
        Fut: IntoFuture<Output = std::result::Result<T, RpcError<TransportErrorKind>>>,
    {
        let mut attempt = 0;
        loop {
            match f().await {
                Err(e) if is_transport(&e) && attempt + 1 < self.attempts => {
                    let delay = self.delay(attempt);
                    tracing::debug!(action, attempt, ?delay, error = %e, "transport error, retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}

/// Whether an RPC error is an outage (worth retrying) rather than the node's answer.
#[must_use]
pub fn is_transport(e: &RpcError<TransportErrorKind>) -> bool {
    matches!(e, RpcError::Transport(_) | RpcError::NullResp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_with_jitter_and_stay_bounded() {
        let p = RetryPolicy { initial: Duration::from_millis(100), max_delay: Duration::from_secs(1), attempts: 9 };
        for attempt in 0..8 {
            let full = Duration::from_millis(100 * (1 << attempt)).min(Duration::from_secs(1));
            let d = p.delay(attempt);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?}");
        }
    }
}

/// What a node answered to a call, an estimate or a broadcast that did not succeed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeAnswer {
    /// No answer: an outage (retry later, never with a new nonce).
    Transport(String),
    /// The node already has this transaction.
    AlreadyKnown,
    /// The nonce is already used on chain.
    NonceTooLow,
    /// A transaction with the same nonce and higher or equal fees is in the pool.
    Underpriced,
    /// The call reverted, with its revert data (possibly empty).
    Revert(alloy::primitives::Bytes),
    /// Any other refusal (insufficient funds, gas limit too high, ...).
    Rejected(String),
}

/// Reads a node's error.
#[must_use]
pub fn classify(e: &RpcError<TransportErrorKind>) -> NodeAnswer {
    let Some(resp) = e.as_error_resp() else {
        return if is_transport(e) {
            NodeAnswer::Transport(e.to_string())
        } else {
            NodeAnswer::Rejected(e.to_string())
        };
    };
    let msg = resp.message.to_lowercase();
    if msg.contains("already known") || msg.contains("known transaction") || msg.contains("already imported") {
        NodeAnswer::AlreadyKnown
    } else if msg.contains("nonce too low") || msg.contains("nonce has already been used") {
        NodeAnswer::NonceTooLow
    } else if msg.contains("underpriced") {
        NodeAnswer::Underpriced
    } else if msg.contains("revert") {
        NodeAnswer::Revert(resp.as_revert_data().unwrap_or_default())
    } else {
        NodeAnswer::Rejected(resp.message.to_string())
    }
}
