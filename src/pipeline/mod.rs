//! The daemon (`redactd run`): Kafka in → sanitize → Kafka out, with the
//! input offsets committed together with the output.
//!
//! # Layout
//!
//! - [`route`]: one message → curated or quarantine output, through
//!   [`Sanitizer::process`] (no I/O).
//! - `batch`: the open batch, routed in place by up to four threads.
//! - `write`: one batch → one transaction (or produce + commit), abort,
//!   rewind, retry.
//! - [`error`]: why the daemon stops; retried versus fatal.
//! - [`clients`]: librdkafka settings and callbacks.
//! - [`shutdown`]: SIGTERM/SIGINT → stop flag and drain deadline; the
//!   watchdog of hung librdkafka calls.
//! - this module: the daemon's state, start-up and the poll loop.
//!
//! # The loop
//!
//! One thread polls the consumer into a batch (bounded by
//! `batch_max_records`, `batch_max_bytes` and `batch_max_ms`); every 128
//! messages, and when the batch closes, the messages not routed yet are
//! parsed, scanned and sanitized by up to four threads in contiguous
//! chunks (order kept). Then, with no poll in between, it writes the
//! batch:
//!
//! - `exactly_once`: `begin_transaction` → produce every output →
//!   `send_offsets_to_transaction` → `commit_transaction`.
//! - `at_least_once`: produce → flush → every delivery acknowledged →
//!   synchronous offset commit.
//!
//! A failed batch is aborted and its partitions are sought back to the
//! batch's first offsets (the last committed ones), so the next polls
//! deliver the same records again; a batch is committed whole or not at
//! all, so offsets always move contiguously per partition. Rebalance
//! callbacks only run inside `poll`, i.e. never while a transaction is open;
//! a revoke drops the buffered messages of the revoked partitions (their
//! new owner starts at the committed offset). See docs/decisions/0020–0022.
//!
//! # What it reports
//!
//! To the [`Observer`]: per committed record its outcome, payload bytes and
//! sanitize time; per committed batch its findings by (type, action) and
//! the transaction result; aborted batches and Kafka errors by class; the
//! assigned-partition count after each rebalance; consumer lag from
//! librdkafka's statistics; and readiness (partitions assigned and the
//! producer initialised). Records are counted when their batch commits, so
//! a batch that is aborted and read again counts once. See
//! docs/decisions/0040.

mod batch;
pub mod clients;
pub mod error;
mod fault;
pub mod route;
pub mod shutdown;
mod write;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::producer::{Producer, ThreadedProducer};

use crate::admin::Readiness;
use crate::config::{check, Config, Delivery, KafkaConfig};
use crate::detect::EntityId;
use crate::metrics::Metrics;
use crate::policy::ActionKind;
use crate::sanitize::{Sanitizer, Workspace};
use batch::{routing_threads, Batch, Item, OutTopic, ROUTE_CHUNK};
use clients::{ConsumerCtx, ProducerCtx};
pub use error::PipelineError;
use error::{is_fatal, kafka};
use route::Routed;
pub use shutdown::{run_until_signal, Shutdown, Watchdog};

/// Counts of what a run did (printed at exit; no content).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Input records committed.
    pub records: u64,
    /// Of which went to the curated topic.
    pub curated: u64,
    /// Of which went to quarantine.
    pub quarantined: u64,
    /// Batches committed.
    pub batches: u64,
    /// Batches aborted and rewound.
    pub aborted: u64,
}

/// Ready (`/readyz` 200) while partitions are assigned and the producer is
/// usable; the packs are compiled before the loop starts.
fn set_ready(observer: &Observer, assigned: usize, producer_ok: bool) {
    observer.readiness.set(assigned > 0 && producer_ok);
}

/// The daemon's state while it runs. One worker thread owns it; the
/// routing threads only borrow the sanitizer and a workspace each.
struct Daemon<'a> {
    /// The `kafka:` section: topics, delivery mode, batch limits and
    /// timeouts, read on every batch.
    k: &'a KafkaConfig,
    /// The record path (engine, policy, formats, limits): the only code
    /// that turns an input record into output.
    sanitizer: Sanitizer,
    /// Set by SIGTERM/SIGINT: stop polling, finish or abort the open
    /// batch within the drain budget.
    shutdown: &'a Shutdown,
    /// Marks each blocking librdkafka call, so that the signal thread can
    /// restart a process wedged inside one (decision 0022).
    watchdog: &'a Watchdog,
    /// `{group_id}.{instance}`: named when we are fenced, so the operator
    /// can find the replica that shares it.
    transactional_id: String,
    /// Kept to build a fresh producer after a coordinator timeout (see
    /// `replace_producer`).
    producer_config: rdkafka::ClientConfig,
    /// Producers replaced after a fatal error since the last good batch:
    /// capped, so a producer that keeps dying ends the run.
    replaced: u32,
    /// Input side; its group metadata goes into each transaction, which is
    /// what fences a zombie that lost its partitions (KIP-447).
    consumer: BaseConsumer<ConsumerCtx>,
    /// Output side: transactional (exactly once) or idempotent.
    producer: ThreadedProducer<ProducerCtx>,
    /// One workspace per routing thread, reused across batches, so that
    /// routing allocates little in steady state.
    workspaces: Vec<Workspace>,
    /// Output topic (and partition count) per input topic, looked up once:
    /// a missing one is an error, never auto-created.
    outputs: HashMap<String, OutTopic>,
    /// Where records that cannot be sanitized go, whole or as a reference.
    quarantine: OutTopic,
    /// Counts printed at exit and in progress lines.
    summary: Summary,
    /// When batches began failing (`None`: the last one committed): the
    /// clock of `retry_timeout_ms`, and what tells a coordinator timeout
    /// from a live twin when the producer is fenced.
    failing_since: Option<Instant>,
    /// Sleep before retrying a failed batch, doubled up to 5 s.
    backoff: Duration,
    /// When the last progress line was printed (every 10 s).
    last_report: Instant,
    /// Time spent writing batches (produce + commit) since the last report.
    write_time: Duration,
    /// Batches written since the last report.
    writes: u32,
    /// Of `write_time`: producing, sending offsets, committing.
    phase_time: [Duration; 3],
    /// The metrics registry and readiness latch the admin server shows.
    observer: &'a Observer,
    /// Findings of the batch being counted, by (type, action): one label
    /// lookup per pair and batch instead of one per finding.
    finding_counts: HashMap<(EntityId, ActionKind), u64>,
    /// Input partitions assigned (after the last rebalance): readiness.
    assigned: usize,
    /// False while the producer is being replaced: readiness.
    producer_ok: bool,
}

/// What the daemon reports to while it runs: the metrics registry the admin
/// server renders, and the readiness latch behind `/readyz`.
#[derive(Debug, Clone)]
pub struct Observer {
    /// Counters, histograms and lag gauges.
    pub metrics: Arc<Metrics>,
    /// Set once packs are compiled and partitions are assigned; cleared on a
    /// full revoke or an unhealthy producer.
    pub readiness: Arc<Readiness>,
}

impl Observer {
    /// A fresh registry and a cleared latch mirrored in `redactd_ready`.
    pub fn new() -> Observer {
        let metrics = Metrics::new();
        let readiness = Readiness::new(Some(Arc::clone(&metrics)));
        Observer { metrics, readiness }
    }
}

impl Default for Observer {
    fn default() -> Self {
        Observer::new()
    }
}

/// Runs the daemon until `shutdown` is triggered (then drains and returns
/// `Ok`) or a fatal error.
pub fn run(
    cfg: &Config,
    sanitizer: Sanitizer,
    shutdown: &Shutdown,
    watchdog: &Watchdog,
    observer: &Observer,
) -> Result<Summary, PipelineError> {
    let k = &cfg.kafka;
    check::kafka(cfg)?;
    let tid = clients::transactional_id(k);
    // Both configs are checked before either client connects.
    let (producer_config, consumer_config) = (
        clients::producer_config(k, &tid)?,
        clients::consumer_config(k)?,
    );
    let producer = new_producer(k, &producer_config, shutdown, watchdog)?;
    let consumer: BaseConsumer<ConsumerCtx> = consumer_config
        .create_with_context(ConsumerCtx::new(Arc::clone(&observer.metrics)))
        .map_err(kafka("create consumer"))?;
    let retry = Duration::from_millis(k.retry_timeout_ms);
    let quarantine = out_topic(&producer, &k.quarantine_topic, retry)?;
    match &k.input_pattern {
        Some(p) => {
            let p = if p.starts_with('^') {
                p.clone()
            } else {
                format!("^{p}")
            };
            consumer.subscribe(&[&p])
        }
        None => {
            let topics: Vec<&str> = k.input_topics.iter().map(String::as_str).collect();
            consumer.subscribe(&topics)
        }
    }
    .map_err(kafka("subscribe"))?;
    tracing::info!(
        group = %k.group_id,
        transactional_id = if k.delivery == Delivery::ExactlyOnce { tid.as_str() } else { "-" },
        delivery = ?k.delivery,
        policy = %sanitizer.policy_id(),
        "running"
    );
    let mut d = Daemon {
        k,
        sanitizer,
        shutdown,
        watchdog,
        transactional_id: tid,
        producer_config,
        replaced: 0,
        consumer,
        producer,
        workspaces: (0..routing_threads())
            .map(|_| Workspace::default())
            .collect(),
        outputs: HashMap::new(),
        quarantine,
        summary: Summary::default(),
        failing_since: None,
        backoff: Duration::from_millis(100),
        last_report: Instant::now(),
        write_time: Duration::ZERO,
        writes: 0,
        phase_time: [Duration::ZERO; 3],
        observer,
        finding_counts: HashMap::new(),
        assigned: 0,
        producer_ok: true,
    };
    observer.metrics.set_assigned_partitions(0);
    // Named input topics: their output topics must exist before the first
    // record (a mistyped one is a start-up error, not a stall).
    for t in &k.input_topics {
        d.output_for(t)?;
    }
    let r = d.run();
    // Draining or failed: no longer a member worth routing work to.
    observer.readiness.set(false);
    let summary = d.summary.clone();
    tracing::info!(
        records = summary.records,
        curated = summary.curated,
        quarantined = summary.quarantined,
        batches = summary.batches,
        aborted = summary.aborted,
        "stopped"
    );
    // Leave the group before the producer goes (consumer drop closes it).
    drop(d);
    r.map(|()| summary)
}

/// Creates the producer and, for exactly-once, runs `init_transactions`:
/// it fences a crashed predecessor with the same transactional id and
/// aborts its open transaction, before any offset is read.
fn new_producer(
    k: &KafkaConfig,
    config: &rdkafka::ClientConfig,
    shutdown: &Shutdown,
    watchdog: &Watchdog,
) -> Result<ThreadedProducer<ProducerCtx>, PipelineError> {
    let producer: ThreadedProducer<ProducerCtx> = config
        .create_with_context(ProducerCtx::default())
        .map_err(kafka("create producer"))?;
    if k.delivery == Delivery::ExactlyOnce {
        let retry = Duration::from_millis(k.retry_timeout_ms);
        let t0 = Instant::now();
        loop {
            let call = watchdog.call("init_transactions", Duration::from_secs(30));
            let r = producer.init_transactions(Duration::from_secs(30));
            drop(call);
            match r {
                Ok(()) => break,
                Err(e) if !shutdown.stopping() && t0.elapsed() < retry && !is_fatal(&e) => {
                    tracing::warn!(error = %e, "init_transactions failed; retrying");
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => return Err(kafka("init_transactions")(e)),
            }
        }
    }
    Ok(producer)
}

/// Looks an output topic up; a topic that does not exist is a config error
/// (auto-creation would hide typos and pick the partition count).
fn out_topic(
    producer: &ThreadedProducer<ProducerCtx>,
    name: &str,
    retry: Duration,
) -> Result<OutTopic, PipelineError> {
    let t0 = Instant::now();
    loop {
        let md = producer
            .client()
            .fetch_metadata(Some(name), Duration::from_secs(10));
        match md {
            Ok(md) => {
                let Some(t) = md.topics().iter().find(|t| t.name() == name) else {
                    return Err(PipelineError::MissingTopic(format!(
                        "topic {name}: not in the broker's metadata"
                    )));
                };
                if t.error().is_some() || t.partitions().is_empty() {
                    return Err(PipelineError::MissingTopic(format!(
                        "topic {name} (output or quarantine) does not exist: create it (an output topic with at least as many partitions as its input)"
                    )));
                }
                let partitions = i32::try_from(t.partitions().len()).unwrap_or(i32::MAX);
                return Ok(OutTopic {
                    name: name.into(),
                    partitions,
                });
            }
            Err(e) if t0.elapsed() < retry => {
                tracing::warn!(topic = name, error = %e, "metadata failed; retrying");
                std::thread::sleep(Duration::from_millis(500));
            }
            Err(e) => return Err(kafka("fetch metadata")(e)),
        }
    }
}

impl Daemon<'_> {
    fn run(&mut self) -> Result<(), PipelineError> {
        let mut batch = Batch::default();
        loop {
            if self.shutdown.stopping() {
                return Ok(());
            }
            self.fill(&mut batch)?;
            if batch.items.is_empty() {
                continue;
            }
            self.write(&mut batch)?;
            self.report();
        }
    }

    fn report(&mut self) {
        if self.last_report.elapsed() >= Duration::from_secs(10) {
            let s = &self.summary;
            let n = u128::from(self.writes.max(1));
            let avg_ms = self.write_time.as_millis() / n;
            let [p, o, c] = self.phase_time.map(|t| t.as_millis() / n);
            tracing::info!(
                records = s.records,
                curated = s.curated,
                quarantined = s.quarantined,
                batches = s.batches,
                aborted = s.aborted,
                avg_write_ms = avg_ms as u64,
                produce_ms = p as u64,
                offsets_ms = o as u64,
                commit_ms = c as u64,
                "progress"
            );
            self.last_report = Instant::now();
            self.write_time = Duration::ZERO;
            self.writes = 0;
            self.phase_time = [Duration::ZERO; 3];
        }
    }

    /// Polls until the batch is full, its time is up or shutdown starts.
    fn fill(&mut self, batch: &mut Batch) -> Result<(), PipelineError> {
        let max_wait = Duration::from_millis(100);
        let max_age = Duration::from_millis(self.k.batch_max_ms);
        loop {
            if batch.items.len() >= self.k.batch_max_records
                || batch.bytes >= self.k.batch_max_bytes
                || self.shutdown.stopping()
            {
                return Ok(());
            }
            let wait = match batch.started {
                Some(t) => match max_age.checked_sub(t.elapsed()) {
                    Some(left) if !left.is_zero() => left.min(max_wait),
                    _ => return Ok(()),
                },
                None => max_wait,
            };
            let polled = self.consumer.poll(wait);
            let revoked = self.consumer.context().take_revoked();
            if !revoked.is_empty() {
                batch.drop_partitions(&revoked);
            }
            if self.consumer.context().take_rebalanced() {
                // Field by field: `polled` still borrows the consumer.
                self.assigned = self.consumer.assignment().map_or(0, |a| a.count());
                self.observer.metrics.set_assigned_partitions(self.assigned);
                set_ready(self.observer, self.assigned, self.producer_ok);
            }
            match polled {
                None => {}
                Some(Err(KafkaError::MessageConsumptionFatal(code))) => {
                    return Err(PipelineError::Kafka {
                        what: "consume",
                        source: KafkaError::MessageConsumptionFatal(code),
                    })
                }
                Some(Err(e)) => {
                    self.observer.metrics.error("kafka_consume");
                    tracing::warn!(error = %e, "consume failed");
                }
                Some(Ok(m)) => {
                    // Owned, so that the consumer is free while we route.
                    let m = m.detach();
                    let topic = m.topic();
                    let out = self.output_for(topic)?;
                    let (out_topic, out_parts) = (out.name.clone(), out.partitions);
                    let p = m.partition();
                    let bytes_in = m.payload().map_or(0, <[u8]>::len);
                    let size = bytes_in + m.key().map_or(0, <[u8]>::len);
                    let input_topic: Arc<str> =
                        match batch.first.keys().find(|(t, _)| **t == *topic) {
                            Some((t, _)) => t.clone(),
                            None => topic.into(),
                        };
                    batch.push(
                        Item {
                            input: (input_topic, p),
                            offset: m.offset(),
                            out_topic,
                            // Same partition keeps per-partition order and
                            // co-location; a smaller output topic falls back
                            // to key hashing.
                            out_partition: (p < out_parts).then_some(p),
                            timestamp: m.timestamp().to_millis(),
                            routed: Routed::pending(),
                            bytes_in,
                            took: Duration::ZERO,
                            pending: Some(m),
                        },
                        size,
                    );
                    // Route in chunks while the batch fills, so that little
                    // is left to route when it closes (latency at low rates).
                    if batch.items.len() % ROUTE_CHUNK == 0 {
                        self.route_batch(batch);
                    }
                }
            }
        }
    }

    fn output_for(&mut self, input: &str) -> Result<&OutTopic, PipelineError> {
        if !self.outputs.contains_key(input) {
            let name = route::output_topic(&self.k.output_topic, input);
            let t = out_topic(
                &self.producer,
                &name,
                Duration::from_millis(self.k.retry_timeout_ms),
            )?;
            self.outputs.insert(input.to_string(), t);
        }
        self.outputs.get(input).ok_or(PipelineError::Internal(
            "output topic looked up but not kept",
        ))
    }

    fn refresh_ready(&self) {
        set_ready(self.observer, self.assigned, self.producer_ok);
    }
}
