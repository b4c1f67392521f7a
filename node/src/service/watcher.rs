//! The market watcher: reads the market's task events block range by block range from a cursor
//! persisted in the job store, and detects reorgs by the recorded hashes of the last blocks. After
//! a reorg it rewinds to the newest block whose hash still matches and reads again from there, so
//! a task posted in a replaced block is seen again if it was re-included, and re-reading is
//! harmless (a statement is one job; a refusal is recorded once).

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256},
    providers::{DynProvider, Provider},
    rpc::types::{Filter, Log},
    sol_types::SolEvent,
};
use mlproof_relayer::bindings::ITaskMarket;

use crate::service::{
    error::{Result, ServiceError},
    store::JobStore,
};

/// A market event the node acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarketEvent {
    /// A task was posted.
    Posted {
        /// Its statement id.
        statement_id: B256,
        /// The task as stored.
        task: ITaskMarket::Task,
        /// The data published with it (the committed input and its salt).
        input_data: alloy::primitives::Bytes,
        /// The block of the event.
        block: u64,
    },
    /// A task was locked by `prover`.
    Locked {
        /// The task.
        statement_id: B256,
        /// Who locked it.
        prover: Address,
        /// The task as stored after the lock (price, fee and slash terms fixed): what a fulfilment
        /// or a slash must pass.
        task: ITaskMarket::Task,
    },
    /// The requester asked to cancel an unlocked task: it can no longer be locked, and a
    /// fulfilment is paid only until `due_at` (chain time, assuming no pause).
    CancelRequested {
        /// The task.
        statement_id: B256,
        /// When the cancellation is due.
        due_at: u64,
    },
    /// An unlocked task was cancelled.
    Cancelled {
        /// The task.
        statement_id: B256,
    },
    /// A locked task past its deadline was slashed.
    Slashed {
        /// The task.
        statement_id: B256,
        /// The prover slashed.
        prover: Address,
    },
}

/// What one poll saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Poll {
    /// Events of the blocks read, in chain order.
    pub events: Vec<MarketEvent>,
    /// Blocks rewound because a reorg replaced them (0 when none).
    pub rewound: u64,
    /// The cursor after the poll.
    pub cursor: u64,
}

/// Follows one market.
#[derive(Clone, Debug)]
pub struct Watcher {
    provider: DynProvider,
    market: Address,
    store: JobStore,
    /// Where to start when the store has no cursor (the deployment block).
    pub start_block: u64,
    /// Blocks read per `eth_getLogs`.
    pub batch: u64,
    /// Recent block hashes kept for reorg detection (deeper reorgs are not detected).
    pub keep: u64,
}

fn rpc(action: &str, e: impl std::fmt::Display) -> ServiceError {
    ServiceError::Chain { action: action.to_owned(), message: e.to_string() }
}

impl Watcher {
    /// A watcher of `market` with the cursor in `store`.
    #[must_use]
    pub const fn new(provider: DynProvider, market: Address, store: JobStore, start_block: u64) -> Self {
        Self { provider, market, store, start_block, batch: 500, keep: 64 }
    }

    async fn hash_of(&self, number: u64) -> Result<Option<B256>> {
        let block = self
            .provider
            .get_block_by_number(BlockNumberOrTag::Number(number))
            .await
            .map_err(|e| rpc("eth_getBlockByNumber", e))?;
        Ok(block.map(|b| b.header.hash))
    }

    /// Rewinds past replaced blocks; returns how many blocks were rewound.
    async fn reconcile(&self) -> Result<u64> {
        let Some((mut number, mut hash)) = self.store.cursor().await? else { return Ok(0) };
        let top = number;
        loop {
            if self.hash_of(number).await? == Some(hash) {
                break;
            }
            // Replaced (or gone): step back to the previous recorded block.
            match number.checked_sub(1) {
                Some(prev) => match self.store.block_hash(prev).await? {
                    Some(h) => (number, hash) = (prev, h),
                    None => {
                        // Older than the kept window: re-read the whole window from its start.
                        self.store.rewind_cursor(prev).await?;
                        return Ok(top - prev);
                    }
                },
                None => break,
            }
        }
        if number < top {
            self.store.rewind_cursor(number).await?;
        }
        Ok(top - number)
    }

    /// Reads the events of the next blocks (at most [`Watcher::batch`]) up to the head and
    /// advances the cursor past them.
    pub async fn poll(&self) -> Result<Poll> {
        let rewound = self.reconcile().await?;
        let head = self.provider.get_block_number().await.map_err(|e| rpc("eth_blockNumber", e))?;
        let from = match self.store.cursor().await? {
            Some((n, _)) => n + 1,
            None => self.start_block,
        };
        if from > head {
            return Ok(Poll { events: Vec::new(), rewound, cursor: from.saturating_sub(1) });
        }
        let to = head.min(from + self.batch - 1);
        let filter = Filter::new().address(self.market).from_block(from).to_block(to).event_signature(vec![
            ITaskMarket::TaskPosted::SIGNATURE_HASH,
            ITaskMarket::TaskLocked::SIGNATURE_HASH,
            ITaskMarket::TaskCancelRequested::SIGNATURE_HASH,
            ITaskMarket::TaskCancelled::SIGNATURE_HASH,
            ITaskMarket::TaskSlashed::SIGNATURE_HASH,
        ]);
        let logs = self.provider.get_logs(&filter).await.map_err(|e| rpc("eth_getLogs", e))?;
        let events = logs.iter().map(decode).collect::<Result<Vec<_>>>()?;
        // The hash of the last block read, recorded with the cursor; a block that vanished between
        // the logs and here is caught by the next poll's reconcile.
        let hash =
            self.hash_of(to).await?.ok_or_else(|| rpc("eth_getBlockByNumber", format!("block {to} not found")))?;
        self.store.advance_cursor(to, hash, self.keep).await?;
        Ok(Poll { events, rewound, cursor: to })
    }
}

fn decode(log: &Log) -> Result<MarketEvent> {
    let bad = |e: alloy::sol_types::Error| ServiceError::Chain {
        action: "decoding a market event".into(),
        message: e.to_string(),
    };
    let block = log.block_number.unwrap_or_default();
    Ok(match log.topic0().copied() {
        Some(ITaskMarket::TaskPosted::SIGNATURE_HASH) => {
            let e = log.log_decode::<ITaskMarket::TaskPosted>().map_err(bad)?.inner.data;
            MarketEvent::Posted { statement_id: e.statementId, task: e.task, input_data: e.inputData, block }
        }
        Some(ITaskMarket::TaskLocked::SIGNATURE_HASH) => {
            let e = log.log_decode::<ITaskMarket::TaskLocked>().map_err(bad)?.inner.data;
            MarketEvent::Locked { statement_id: e.statementId, prover: e.prover, task: e.task }
        }
        Some(ITaskMarket::TaskCancelRequested::SIGNATURE_HASH) => {
            let e = log.log_decode::<ITaskMarket::TaskCancelRequested>().map_err(bad)?.inner.data;
            MarketEvent::CancelRequested { statement_id: e.statementId, due_at: e.dueAt.saturating_to::<u64>() }
        }
        Some(ITaskMarket::TaskCancelled::SIGNATURE_HASH) => {
            let e = log.log_decode::<ITaskMarket::TaskCancelled>().map_err(bad)?.inner.data;
            MarketEvent::Cancelled { statement_id: e.statementId }
        }
        Some(ITaskMarket::TaskSlashed::SIGNATURE_HASH) => {
            let e = log.log_decode::<ITaskMarket::TaskSlashed>().map_err(bad)?.inner.data;
            MarketEvent::Slashed { statement_id: e.statementId, prover: e.prover }
        }
        other => {
            return Err(ServiceError::Chain {
                action: "decoding a market event".into(),
                message: format!("unexpected topic {other:?}"),
            })
        }
    })
}
