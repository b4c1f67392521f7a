//! One serialized nonce sequence per account, reconciled with the chain.
//!
//! The sequence hands out a nonce only under its lock, and the caller persists the intent's nonce
//! and its signed transaction before the lock is released ([`NonceGuard::commit`]): a nonce is
//! never assigned to a transaction that is not on disk, so no gap can come from a crash. A nonce
//! whose intent then fails for good is filled by a gap filler ([`super::store::Store::fail_and_fill_gap`]).

use alloy::{primitives::Address, providers::Provider};
use tokio::sync::{Mutex, MutexGuard};

use crate::txm::{retry::RetryPolicy, store::Store, Result};

/// The next nonce of one account.
#[derive(Debug)]
pub struct NonceSequence {
    account: Address,
    next: Mutex<u64>,
}

/// The sequence, locked: read [`NonceGuard::peek`], persist, then [`NonceGuard::commit`].
#[derive(Debug)]
pub struct NonceGuard<'a> {
    next: MutexGuard<'a, u64>,
}

impl NonceGuard<'_> {
    /// The nonce the next transaction gets.
    #[must_use]
    pub fn peek(&self) -> u64 {
        *self.next
    }

    /// Marks [`NonceGuard::peek`] as used (call after it was persisted).
    pub fn commit(mut self) {
        *self.next += 1;
    }
}

impl NonceSequence {
    /// The sequence for `account`: the larger of the chain's pending nonce and the store's next
    /// nonce (nonces the store assigned whose transactions are not in the node's pool any more
    /// are re-broadcast by the driver, never reassigned).
    pub async fn reconcile<P: Provider>(
        account: Address,
        store: &Store,
        provider: &P,
        retry: &RetryPolicy,
    ) -> Result<Self> {
        let chain = retry.run("eth_getTransactionCount", || provider.get_transaction_count(account).pending()).await?;
        let stored = store.next_nonce(account).await?.unwrap_or(0);
        if chain != stored {
            tracing::info!(%account, chain, stored, "nonce sequence reconciled with the chain");
        }
        let next = chain.max(stored);
        store.raise_next_nonce(account, next).await?;
        Ok(Self { account, next: Mutex::new(next) })
    }

    /// The account.
    #[must_use]
    pub const fn account(&self) -> Address {
        self.account
    }

    /// Locks the sequence (one assignment at a time) and catches up with the store: the store is
    /// the authority, so another manager on the same database (a restarted handle in the same
    /// process, another process) never makes this one hand out a nonce already assigned there.
    pub async fn lock(&self, store: &Store) -> Result<NonceGuard<'_>> {
        let mut next = self.next.lock().await;
        if let Some(stored) = store.next_nonce(self.account).await?.filter(|s| *s > *next) {
            tracing::info!(account = %self.account, ours = *next, stored, "nonce sequence caught up with the store");
            *next = stored;
        }
        Ok(NonceGuard { next })
    }

    /// After `nonce too low`: the chain's nonce is `chain`; never hand out anything below it.
    pub async fn observe_chain(&self, store: &Store, chain: u64) -> Result<()> {
        let mut next = self.next.lock().await;
        if chain > *next {
            tracing::warn!(account = %self.account, ours = *next, chain, "nonce too low: the chain is ahead; skipping forward");
            *next = chain;
            store.raise_next_nonce(self.account, chain).await?;
        }
        Ok(())
    }
}
