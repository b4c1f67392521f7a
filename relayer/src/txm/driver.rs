//! What one pass of the driver does to one intent: simulate, assign a nonce, sign, persist,
//! broadcast; then follow its receipts, re-broadcast a dropped or reorged transaction, replace a
//! stuck one, and end it at the confirmation depth.

use alloy::{
    consensus::TxEnvelope,
    eips::{BlockId, Encodable2718},
    network::{NetworkTransactionBuilder, TransactionBuilder},
    primitives::{Bytes, B256},
    providers::Provider,
    rpc::types::{TransactionReceipt, TransactionRequest},
};

use crate::{
    revert::decode_revert,
    txm::{
        counters::Counter,
        fees::Fees,
        manager::{ChainView, Inner},
        retry::{classify, NodeAnswer},
        store::gap_filler_key,
        types::{GasLimit, IntentRecord, IntentState, Outcome, SignedTx},
        Result, TxmError,
    },
};

impl Inner {
    /// Advances one intent as far as the chain allows now.
    pub(crate) async fn drive(&self, record: IntentRecord, view: ChainView) -> Result<()> {
        match record.state {
            IntentState::Pending => self.start(record, view).await,
            IntentState::Submitted | IntentState::Mined => self.follow(record, view).await,
            IntentState::Confirmed | IntentState::Reverted | IntentState::Failed => Ok(()),
        }
    }

    fn is_gap_filler(&self, record: &IntentRecord) -> bool {
        record.nonce.is_some_and(|n| record.intent.key == gap_filler_key(self.account, n))
    }

    fn request(&self, record: &IntentRecord) -> TransactionRequest {
        let i = &record.intent;
        TransactionRequest::default()
            .with_from(self.account)
            .with_kind(i.to)
            .with_input(i.data.clone())
            .with_value(i.value)
    }

    async fn finish(
        &self,
        record: &IntentRecord,
        state: IntentState,
        mined: Option<(u64, B256)>,
        outcome: Outcome,
    ) -> Result<()> {
        match &outcome {
            Outcome::Confirmed { tx_hash, block_number } => {
                self.counters.incr(Counter::Confirmed);
                tracing::info!(%tx_hash, block_number, "intent confirmed");
            }
            Outcome::Reverted { tx_hash, reason } => {
                self.counters.incr(Counter::Reverted);
                tracing::warn!(?tx_hash, reason, "intent reverted");
            }
            Outcome::Failed { reason } => tracing::warn!(reason, "intent failed"),
        }
        self.store.set_state(record.id, state, mined, Some(&outcome)).await
    }

    /// Simulation, gas, fees, nonce, signature, persistence, then the first broadcast.
    async fn start(&self, record: IntentRecord, view: ChainView) -> Result<()> {
        let retry = self.config.retry;
        let req = self.request(&record);
        let simulated = retry.run_rpc("eth_call", || self.provider.call(req.clone()).block(BlockId::pending())).await;
        let gas = match (simulated, record.intent.gas_limit) {
            (Err(e), _) => return self.refused_before_nonce(&record, &classify(&e), "simulation").await,
            (Ok(_), GasLimit::Fixed(g)) => g,
            (Ok(_), GasLimit::Estimate) => {
                match retry.run_rpc("eth_estimateGas", || self.provider.estimate_gas(req.clone())).await {
                    Ok(g) => g.saturating_mul(100 + self.config.gas_margin_percent) / 100,
                    Err(e) => return self.refused_before_nonce(&record, &classify(&e), "gas estimation").await,
                }
            }
        };
        let fees = self.config.fees.estimate(&self.provider, &retry).await?;
        // A gap filler already holds its nonce; everything else takes the next one, under the lock,
        // and releases it only once the signed transaction is on disk.
        let (nonce, guard) = match record.nonce {
            Some(n) => (n, None),
            None => {
                let guard = self.nonces.lock(&self.store).await?;
                (guard.peek(), Some(guard))
            }
        };
        let signed = self.sign(&record, nonce, gas, fees, view.head).await?;
        self.store.record_first_tx(self.account, &signed).await?;
        if let Some(g) = guard {
            g.commit();
        }
        self.counters.incr(Counter::Sent);
        tracing::info!(nonce, tx = %signed.hash, gas, max_fee = fees.max_fee, "signed and persisted; broadcasting");
        match self.broadcast(&signed.raw).await {
            Ok(()) | Err(NodeAnswer::AlreadyKnown | NodeAnswer::Underpriced) => Ok(()),
            Err(NodeAnswer::NonceTooLow) => self.nonce_too_low().await,
            // An outage: the transaction is on disk; the next pass finds it missing and re-sends it.
            Err(NodeAnswer::Transport(m)) => Err(TxmError::rpc("eth_sendRawTransaction", &m)),
            Err(NodeAnswer::Revert(_) | NodeAnswer::Rejected(_)) if self.is_gap_filler(&record) => {
                tracing::warn!("gap filler refused by the node; retrying on the next pass");
                Ok(())
            }
            Err(answer @ (NodeAnswer::Revert(_) | NodeAnswer::Rejected(_))) => {
                let record = IntentRecord { nonce: Some(nonce), ..record };
                let reason = format!("the node refused the transaction: {answer:?}");
                tracing::warn!(reason, nonce, "intent failed; its nonce goes to a gap filler");
                self.store.fail_and_fill_gap(&record, &reason).await
            }
        }
    }

    /// A reorg deeper than the confirmation depth took away transactions already reported
    /// `Confirmed`: their nonces are free on chain again, and every later intent would wait behind
    /// them. Their signed bytes are on disk, so the newest one of each is broadcast again (same
    /// nonce, same effect, applied once in the new chain); the intent stays `Confirmed`.
    pub(crate) async fn restore_deep_reorged(&self, view: ChainView) -> Result<()> {
        for record in self.store.confirmed_from(self.account, view.latest_nonce).await? {
            let Some(Outcome::Confirmed { tx_hash, .. }) = record.outcome else { continue };
            let retry = self.config.retry;
            if retry
                .run("eth_getTransactionReceipt", || self.provider.get_transaction_receipt(tx_hash))
                .await?
                .is_some()
            {
                continue;
            }
            let txs = self.store.txs(record.id).await?;
            let Some(tx) = txs.iter().find(|t| t.hash == tx_hash).or(txs.last()) else { continue };
            self.counters.incr(Counter::Reorged);
            tracing::error!(
                key = %record.intent.key, nonce = tx.nonce, tx = %tx.hash,
                "a confirmed transaction was reorged out (deeper than the confirmation depth); re-broadcasting it"
            );
            match self.broadcast(&tx.raw).await {
                Ok(()) | Err(NodeAnswer::AlreadyKnown | NodeAnswer::NonceTooLow) => {}
                Err(NodeAnswer::Transport(m)) => return Err(TxmError::rpc("eth_sendRawTransaction", &m)),
                Err(other) => tracing::error!(answer = ?other, "the node refused the re-broadcast"),
            }
        }
        Ok(())
    }

    /// The node refused the intent before it had a nonce: a revert is terminal, an outage is not.
    async fn refused_before_nonce(&self, record: &IntentRecord, answer: &NodeAnswer, what: &str) -> Result<()> {
        match answer {
            NodeAnswer::Revert(data) => {
                let outcome = Outcome::Reverted { tx_hash: None, reason: decode_revert(data) };
                self.finish(record, IntentState::Reverted, None, outcome).await
            }
            NodeAnswer::Transport(m) => Err(TxmError::rpc(what, m)),
            _ if self.is_gap_filler(record) => Err(TxmError::rpc(what, &format!("{answer:?}"))),
            other => {
                let outcome = Outcome::Failed { reason: format!("{what} refused: {other:?}") };
                self.finish(record, IntentState::Failed, None, outcome).await
            }
        }
    }

    async fn sign(&self, record: &IntentRecord, nonce: u64, gas: u64, fees: Fees, head: u64) -> Result<SignedTx> {
        let req = self
            .request(record)
            .with_nonce(nonce)
            .with_chain_id(self.chain_id)
            .with_gas_limit(gas)
            .with_max_fee_per_gas(fees.max_fee)
            .with_max_priority_fee_per_gas(fees.max_priority_fee);
        let envelope: TxEnvelope = req.build(&self.wallet).await.map_err(|e| TxmError::Sign(e.to_string()))?;
        Ok(SignedTx {
            hash: *envelope.tx_hash(),
            intent_id: record.id,
            nonce,
            gas_limit: gas,
            fees,
            raw: Bytes::from(envelope.encoded_2718()),
            sent_block: head,
        })
    }

    async fn broadcast(&self, raw: &Bytes) -> std::result::Result<(), NodeAnswer> {
        let sent =
            self.config.retry.run_rpc("eth_sendRawTransaction", || self.provider.send_raw_transaction(raw)).await;
        sent.map(|_| ()).map_err(|e| classify(&e))
    }

    async fn nonce_too_low(&self) -> Result<()> {
        let retry = self.config.retry;
        let chain = retry
            .run("eth_getTransactionCount", || self.provider.get_transaction_count(self.account).pending())
            .await?;
        self.nonces.observe_chain(&self.store, chain).await
    }

    /// Receipts, confirmations, reorgs, drops and replacements of a submitted intent.
    async fn follow(&self, record: IntentRecord, view: ChainView) -> Result<()> {
        let txs = self.store.txs(record.id).await?;
        let (Some(nonce), Some(last)) = (record.nonce, txs.last()) else {
            return Err(TxmError::Inconsistent(format!(
                "intent {} is submitted without a transaction",
                record.intent.key
            )));
        };
        let retry = self.config.retry;
        for tx in txs.iter().rev() {
            let receipt =
                retry.run("eth_getTransactionReceipt", || self.provider.get_transaction_receipt(tx.hash)).await?;
            if let Some(receipt) = receipt {
                return self.on_receipt(&record, receipt, view).await;
            }
        }
        let reorged = record.state == IntentState::Mined;
        if reorged {
            self.counters.incr(Counter::Reorged);
            tracing::warn!(mined = ?record.mined, "receipt gone with its block (reorg); re-broadcasting");
            self.store.set_state(record.id, IntentState::Submitted, None, None).await?;
        }
        if view.latest_nonce > nonce {
            // The nonce was used on chain, by no transaction of this intent.
            if self.is_gap_filler(&record) {
                let outcome = Outcome::Failed { reason: "nonce used by another transaction; no gap left".into() };
                return self.finish(&record, IntentState::Failed, None, outcome).await;
            }
            tracing::warn!(nonce, chain = view.latest_nonce, "nonce used by a foreign transaction; taking a new one");
            self.nonces.observe_chain(&self.store, view.latest_nonce).await?;
            return self.store.release_nonce(record.id).await;
        }
        let in_pool =
            retry.run("eth_getTransactionByHash", || self.provider.get_transaction_by_hash(last.hash)).await?;
        if in_pool.is_none() || reorged {
            if !reorged {
                self.counters.incr(Counter::DroppedResent);
                tracing::warn!(tx = %last.hash, "transaction missing from the mempool; re-broadcasting with the same nonce");
            }
            // A reorg restarts the stuck clock (the fees were good enough); a drop does not (anvil,
            // for one, drops a transaction whose max fee is below the block's base fee).
            if self.rebroadcast(&record, last, view, reorged).await? {
                return Ok(());
            }
        }
        if view.head >= last.sent_block + self.config.stuck_blocks {
            return self.replace(&record, last, view).await;
        }
        Ok(())
    }

    async fn on_receipt(&self, record: &IntentRecord, receipt: TransactionReceipt, view: ChainView) -> Result<()> {
        let block = receipt.block_number.unwrap_or(view.head);
        let mined = Some((block, receipt.block_hash.unwrap_or_default()));
        let depth = (view.head + 1).saturating_sub(block);
        if depth < self.config.confirmations {
            if record.state != IntentState::Mined || record.mined != mined {
                tracing::info!(tx = %receipt.transaction_hash, block, depth, "mined; waiting for confirmations");
                self.store.set_state(record.id, IntentState::Mined, mined, None).await?;
            }
            return Ok(());
        }
        if receipt.status() {
            let outcome = Outcome::Confirmed { tx_hash: receipt.transaction_hash, block_number: block };
            return self.finish(record, IntentState::Confirmed, mined, outcome).await;
        }
        let reason = self.replay_revert(record, &receipt, block).await;
        let outcome = Outcome::Reverted { tx_hash: Some(receipt.transaction_hash), reason };
        self.finish(record, IntentState::Reverted, mined, outcome).await
    }

    /// The revert reason of a transaction mined with status 0: replayed on its parent block, then
    /// (when a transaction earlier in the same block changed the state, e.g. a competitor's) on
    /// the block's own state.
    async fn replay_revert(&self, record: &IntentRecord, receipt: &TransactionReceipt, block: u64) -> String {
        let req = self.request(record).with_gas_limit(receipt.gas_used.max(21_000) * 2);
        for at in [block.saturating_sub(1), block] {
            let replay =
                self.config.retry.run_rpc("eth_call", || self.provider.call(req.clone()).block(BlockId::number(at)));
            if let Err(e) = replay.await {
                match classify(&e) {
                    NodeAnswer::Revert(data) => return decode_revert(&data),
                    other => return format!("mined with status 0; replay failed: {other:?}"),
                }
            }
        }
        "mined with status 0 (a replay did not revert)".into()
    }

    /// Broadcasts `tx` again; `true` when that ended in a replacement.
    async fn rebroadcast(
        &self,
        record: &IntentRecord,
        tx: &SignedTx,
        view: ChainView,
        restart_clock: bool,
    ) -> Result<bool> {
        match self.broadcast(&tx.raw).await {
            Ok(()) | Err(NodeAnswer::AlreadyKnown) if restart_clock => {
                self.store.touch_tx(tx.hash, view.head).await?;
                Ok(false)
            }
            Ok(()) | Err(NodeAnswer::AlreadyKnown) => Ok(false),
            Err(NodeAnswer::Underpriced) => self.replace(record, tx, view).await.map(|()| true),
            // Mined meanwhile, or used by another transaction: the next pass sees which.
            Err(NodeAnswer::NonceTooLow) => Ok(true),
            Err(NodeAnswer::Transport(m)) => Err(TxmError::rpc("eth_sendRawTransaction", &m)),
            Err(other) => {
                tracing::warn!(answer = ?other, "re-broadcast refused; trying again on the next pass");
                Ok(false)
            }
        }
    }

    /// Replaces `last` (same nonce, same call) with fees raised by at least the bump, compounding
    /// on every `replacement transaction underpriced`, up to the cap.
    async fn replace(&self, record: &IntentRecord, last: &SignedTx, view: ChainView) -> Result<()> {
        let current = self.config.fees.estimate(&self.provider, &self.config.retry).await?;
        let mut previous = last.fees;
        for _ in 0..8 {
            let Some(fees) = self.config.fees.bump(previous, current) else {
                tracing::warn!(?previous, cap = self.config.fees.max_fee_cap, "fee cap reached; waiting at the cap");
                return Ok(());
            };
            let signed = self.sign(record, last.nonce, last.gas_limit, fees, view.head).await?;
            self.store.record_tx(&signed).await?;
            self.counters.incr(Counter::Replaced);
            tracing::info!(tx = %signed.hash, ?previous, ?fees, "replacing a stuck transaction");
            match self.broadcast(&signed.raw).await {
                Ok(()) | Err(NodeAnswer::AlreadyKnown | NodeAnswer::NonceTooLow) => return Ok(()),
                Err(NodeAnswer::Underpriced) => previous = fees,
                Err(NodeAnswer::Transport(m)) => return Err(TxmError::rpc("eth_sendRawTransaction", &m)),
                Err(other) => {
                    tracing::warn!(answer = ?other, "replacement refused; trying again on the next pass");
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
