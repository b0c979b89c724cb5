//! Writing a batch: one transaction (exactly once) or produce, flush and
//! commit (at least once); on failure abort, rewind and retry, until
//! `retry_timeout_ms`. See docs/decisions/0020–0022.

use std::time::{Duration, Instant};

use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{BaseRecord, Producer};
use rdkafka::Offset;

use super::batch::{route_pending, Batch, Item};
use super::error::{classify, error_class, is_fatal, kafka, Failed, PipelineError};
use super::route::Destination;
use super::{fault, new_producer, Daemon};
use crate::config::Delivery;
use crate::metrics::{Outcome, TxResult};

impl Daemon<'_> {
    /// Routes whatever of the batch is not routed yet.
    pub(super) fn route_batch(&mut self, batch: &mut Batch) {
        route_pending(
            &self.sanitizer,
            &self.quarantine,
            &mut self.workspaces,
            batch,
        );
    }

    /// Writes the batch; on failure aborts, rewinds and backs off, until
    /// `retry_timeout_ms` has passed without a good batch.
    pub(super) fn write(&mut self, batch: &mut Batch) -> Result<(), PipelineError> {
        self.route_batch(batch);
        let started = Instant::now();
        let attempt = match self.k.delivery {
            Delivery::ExactlyOnce => self.write_transaction(batch),
            Delivery::AtLeastOnce => self.write_acked(batch),
        };
        self.write_time += started.elapsed();
        self.writes += 1;
        if attempt.is_err() {
            self.observer.metrics.transaction(TxResult::Aborted);
        }
        match attempt {
            Ok(()) => {
                self.count(batch);
                if self.k.delivery == Delivery::ExactlyOnce {
                    // Only for librdkafka's statistics: its consumer_lag is
                    // measured from the stored (or committed) offset, and
                    // offsets sent in a transaction update neither. Stored
                    // offsets are never committed (enable.auto.commit is
                    // off), and a revoked partition's store may fail: ignored.
                    if let Ok(tpl) = batch.offsets() {
                        let _ = self.consumer.store_offsets(&tpl);
                    }
                }
                let s = &mut self.summary;
                s.batches += 1;
                for i in &batch.items {
                    s.records += 1;
                    match i.routed.destination {
                        Destination::Curated => s.curated += 1,
                        Destination::Quarantine => s.quarantined += 1,
                    }
                }
                batch.clear();
                self.failing_since = None;
                self.replaced = 0;
                self.backoff = Duration::from_millis(100);
                Ok(())
            }
            Err(Failed::Fatal(e)) => self.replace_producer(batch, e),
            Err(Failed::Retry(e)) => {
                // From the first failure on: what `replace_producer` reads.
                let since = *self.failing_since.get_or_insert_with(Instant::now);
                self.observer.metrics.error(error_class(&e));
                self.summary.aborted += 1;
                tracing::warn!(
                    records = batch.items.len(),
                    error = %e,
                    "batch failed; aborting and rewinding"
                );
                if self.k.delivery == Delivery::ExactlyOnce {
                    if let Err(e) = self.abort() {
                        return self.replace_producer(batch, e);
                    }
                }
                self.rewind(batch)?;
                batch.clear();
                if since.elapsed() >= Duration::from_millis(self.k.retry_timeout_ms) {
                    return Err(PipelineError::Stuck(self.k.retry_timeout_ms));
                }
                if !self.shutdown.stopping() {
                    std::thread::sleep(self.backoff);
                    self.backoff = (self.backoff * 2).min(Duration::from_secs(5));
                }
                Ok(())
            }
        }
    }

    /// A fatal transactional error. While batches were failing (the broker
    /// was away), it is the coordinator that aborted our transaction and
    /// bumped the epoch after `transaction.timeout.ms`: nothing of the
    /// batch was committed, so rewind it and start a fresh producer with
    /// the same transactional id, at most three times in a row. While
    /// batches were succeeding, it is another live replica with our
    /// transactional id that fenced us (decision 0020): exit non-zero
    /// without committing, and do not fence it back. Any other fatal
    /// error ends the run too.
    fn replace_producer(
        &mut self,
        batch: &mut Batch,
        e: PipelineError,
    ) -> Result<(), PipelineError> {
        let fatal_txn = matches!(&e, PipelineError::Kafka { source, .. } if is_fatal(source));
        let after_outage = self.failing_since.is_some();
        if !fatal_txn || !after_outage || self.replaced >= 3 || self.shutdown.stopping() {
            if fatal_txn && !after_outage {
                tracing::error!(
                    transactional_id = %self.transactional_id,
                    "fenced: another live replica uses this transactional id (give each replica its own kafka.instance_id); stopping without committing"
                );
            }
            return Err(e);
        }
        tracing::warn!(error = %e, "fatal producer error after an outage; rewinding and replacing the producer");
        self.observer.metrics.error("kafka_fatal");
        self.summary.aborted += 1;
        self.producer_ok = false;
        self.refresh_ready();
        self.rewind(batch)?;
        batch.clear();
        self.replaced += 1;
        self.producer = new_producer(self.k, &self.producer_config, self.shutdown, self.watchdog)?;
        self.producer_ok = true;
        self.refresh_ready();
        Ok(())
    }

    /// A committed batch, into the metrics: per record its outcome, bytes
    /// and time (cheap: the counters are resolved once), per (type,
    /// action) its findings, per quarantined record its reason class.
    fn count(&mut self, batch: &Batch) {
        let m = &self.observer.metrics;
        self.finding_counts.clear();
        for i in &batch.items {
            let r = &i.routed;
            let out = r.payload.as_ref().map_or(0, Vec::len);
            let outcome = match r.destination {
                Destination::Curated => Outcome::Curated,
                Destination::Quarantine => Outcome::Quarantined,
            };
            m.record(outcome, i.bytes_in, out, i.took);
            if let Some(reason) = r.reason {
                m.error(reason.as_str());
            }
            for a in &r.applied {
                *self.finding_counts.entry((a.entity, a.action)).or_default() += 1;
            }
        }
        let engine = self.sanitizer.engine();
        for ((entity, action), n) in &self.finding_counts {
            m.findings(engine.entity_name(*entity), action.name(), *n);
        }
        m.transaction(TxResult::Committed);
    }

    /// How long a blocking call may take: the drain budget once shutdown
    /// has started, else `normal`.
    fn budget(&self, normal: Duration) -> Duration {
        match self.shutdown.remaining() {
            Some(left) => left.min(normal),
            None => normal,
        }
    }

    fn send(&self, item: &Item) -> Result<(), Failed> {
        if item.pending.is_some() {
            // Unreachable (`write` routes first); never write a placeholder.
            return Err(Failed::Fatal(PipelineError::Internal(
                "a message reached the producer unrouted",
            )));
        }
        loop {
            let mut rec: BaseRecord<'_, [u8], [u8], ()> =
                BaseRecord::to(&item.out_topic).headers(item.routed.headers.clone());
            rec.partition = item.out_partition;
            rec.key = item.routed.key.as_deref();
            rec.payload = item.routed.payload.as_deref();
            rec.timestamp = item.timestamp;
            match self.producer.send(rec) {
                Ok(()) => return Ok(()),
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    // Backpressure: the producer's thread drains the queue.
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(Failed::Retry(e)),
            }
        }
    }

    /// Waits (up to `timeout`) until every produced message has its
    /// delivery report served by the producer's polling thread.
    ///
    /// rdkafka's `flush` (also the first step of its `commit_transaction`)
    /// polls in slices that never end early: with any message still in
    /// flight it costs a whole 100 ms slice, on every batch. Waiting here
    /// in 1 ms steps first makes that flush find nothing in flight; it
    /// still runs afterwards and reports a real timeout.
    fn wait_delivered(&self, timeout: Duration) {
        let t0 = Instant::now();
        while self.producer.in_flight_count() > 0 && t0.elapsed() < timeout {
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn write_transaction(&mut self, batch: &Batch) -> Result<(), Failed> {
        let call = self
            .watchdog
            .call("begin_transaction", Duration::from_secs(30));
        fault::at("begin_transaction");
        self.producer
            .begin_transaction()
            .map_err(|e| classify("begin_transaction", e))?;
        drop(call);
        let t_send = Instant::now();
        for item in &batch.items {
            self.send(item)?;
        }
        self.phase_time[0] += t_send.elapsed();
        let offsets = batch.offsets()?;
        let group =
            self.consumer
                .group_metadata()
                .ok_or(Failed::Fatal(PipelineError::Internal(
                    "the consumer has no group metadata",
                )))?;
        let t = self.budget(Duration::from_secs(30));
        let call = self.watchdog.call("send_offsets_to_transaction", t);
        fault::at("send_offsets_to_transaction");
        let t_offsets = Instant::now();
        self.producer
            .send_offsets_to_transaction(&offsets, &group, t)
            .map_err(|e| classify("send_offsets_to_transaction", e))?;
        self.phase_time[1] += t_offsets.elapsed();
        drop(call);
        // A retriable commit error (timeout) may be retried as is.
        let t0 = Instant::now();
        loop {
            let t = self.budget(Duration::from_secs(30));
            self.wait_delivered(t);
            let call = self.watchdog.call("commit_transaction", t * 2);
            fault::at("commit_transaction");
            let r = self.producer.commit_transaction(t);
            drop(call);
            match r {
                Ok(()) => {
                    self.phase_time[2] += t0.elapsed();
                    return Ok(());
                }
                Err(KafkaError::Transaction(rd))
                    if rd.is_retriable()
                        && !self.shutdown.past_deadline()
                        && t0.elapsed() < Duration::from_millis(self.k.retry_timeout_ms) =>
                {
                    tracing::warn!(error = %rd, "commit_transaction failed; retrying");
                }
                Err(e) => return Err(classify("commit_transaction", e)),
            }
        }
    }

    fn write_acked(&mut self, batch: &Batch) -> Result<(), Failed> {
        let failed_before = self.producer.context().failed();
        for item in &batch.items {
            self.send(item)?;
        }
        let t = self.budget(Duration::from_secs(30));
        let call = self.watchdog.call("flush", t);
        self.wait_delivered(t);
        self.producer.flush(t).map_err(Failed::Retry)?;
        drop(call);
        if self.producer.context().failed() != failed_before {
            return Err(Failed::Retry(KafkaError::MessageProduction(
                RDKafkaErrorCode::Fail,
            )));
        }
        let offsets = batch.offsets()?;
        let _call = self
            .watchdog
            .call("commit offsets", Duration::from_secs(60));
        self.consumer
            .commit(&offsets, CommitMode::Sync)
            .map_err(Failed::Retry)
    }

    fn abort(&self) -> Result<(), PipelineError> {
        for _ in 0..10 {
            let t = self.budget(Duration::from_secs(30));
            let call = self.watchdog.call("abort_transaction", t);
            let r = self.producer.abort_transaction(t);
            drop(call);
            match r {
                Ok(()) => return Ok(()),
                Err(e) if is_fatal(&e) => return Err(kafka("abort_transaction")(e)),
                Err(KafkaError::Transaction(rd)) if rd.is_retriable() => {
                    tracing::warn!(error = %rd, "abort_transaction failed; retrying");
                }
                // No transaction in progress (begin failed): nothing to abort.
                Err(e) => {
                    tracing::warn!(error = %e, "abort_transaction: nothing to abort");
                    return Ok(());
                }
            }
            if self.shutdown.past_deadline() {
                break;
            }
        }
        Err(PipelineError::Stuck(self.k.retry_timeout_ms))
    }

    /// Seeks every partition of the batch back to the batch's first offset
    /// (the last committed one). A partition we still own that cannot be
    /// sought would skip records: that is fatal.
    fn rewind(&self, batch: &Batch) -> Result<(), PipelineError> {
        for ((t, p), o) in &batch.first {
            if let Err(e) = self
                .consumer
                .seek(t, *p, Offset::Offset(*o), Duration::from_secs(10))
            {
                let owned = self
                    .consumer
                    .assignment()
                    .map(|a| a.find_partition(t, *p).is_some())
                    .unwrap_or(true);
                if owned {
                    return Err(kafka("seek back after a failed batch")(e));
                }
            }
        }
        Ok(())
    }
}
