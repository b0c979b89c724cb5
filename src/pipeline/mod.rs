//! The daemon (`redactd run`): Kafka in → sanitize → Kafka out, with the
//! input offsets committed together with the output.
//!
//! # Layout
//!
//! - [`route`]: one message → curated or quarantine output (no I/O).
//! - [`clients`]: librdkafka settings and callbacks.
//! - [`shutdown`]: SIGTERM/SIGINT → stop flag and drain deadline.
//! - this module: the loop.
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

pub mod clients;
pub mod route;
pub mod shutdown;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::{BaseRecord, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};

use crate::admin::Readiness;
use crate::config::{Config, Delivery, KafkaConfig};
use crate::detect::EntityId;
use crate::metrics::{Metrics, Outcome, TxResult};
use crate::policy::ActionKind;
use crate::record::{Format, Limits};
use crate::sanitize::{Sanitizer, Workspace};
use clients::{ConsumerCtx, ProducerCtx};
use route::{Destination, Routed, Router, Source};
pub use shutdown::{run_until_signal, Shutdown, Watchdog};

/// Why the daemon stopped with an error. Never holds record content.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The config cannot work (names the key at fault).
    #[error("{0}")]
    Config(String),
    /// A Kafka call failed in a way that is not retried.
    #[error("{what}: {source}")]
    Kafka {
        /// What was being done.
        what: &'static str,
        /// librdkafka's error.
        source: KafkaError,
    },
    /// Batches kept failing for longer than `retry_timeout_ms`: nothing
    /// was committed past the last good batch.
    #[error("no batch could be committed for {0} ms (kafka.retry_timeout_ms); stopping without committing")]
    Stuck(u64),
    /// A broken invariant of the loop: stop without committing.
    #[error("internal error: {0}")]
    Internal(&'static str),
    /// SIGTERM, but the worker did not finish within `drain_timeout_ms`.
    #[error("did not drain within kafka.drain_timeout_ms ({0} ms)")]
    DrainTimeout(u64),
}

fn kafka(what: &'static str) -> impl FnOnce(KafkaError) -> PipelineError {
    move |source| PipelineError::Kafka { what, source }
}

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

/// Builds the record → engine → policy path from the config.
pub fn router_from_config(cfg: &Config) -> Result<Router, PipelineError> {
    let sanitizer =
        Sanitizer::from_config(cfg).map_err(|e| PipelineError::Config(e.to_string()))?;
    for w in sanitizer.warnings() {
        eprintln!("redactd: warning: {w}");
    }
    let format: Format = cfg
        .record
        .format
        .parse()
        .map_err(|e| PipelineError::Config(format!("record.format: {e}")))?;
    let policy_id = sanitizer.policy_id();
    let limits = Limits {
        max_record_bytes: cfg.record.max_record_bytes,
        max_depth: cfg.record.max_depth,
    };
    Ok(Router::new(sanitizer, format, limits, policy_id))
}

/// Checks the `kafka:` section before connecting.
pub fn validate(k: &KafkaConfig) -> Result<(), PipelineError> {
    let bad = |key: &str, why: &str| Err(PipelineError::Config(format!("kafka.{key}: {why}")));
    match (&k.input_pattern, k.input_topics.is_empty()) {
        (None, true) => return bad("input_topics", "give input_topics or input_pattern"),
        (Some(_), false) => {
            return bad(
                "input_pattern",
                "give input_topics or input_pattern, not both",
            )
        }
        _ => {}
    }
    if k.output_topic.is_empty() {
        return bad("output_topic", "must not be empty");
    }
    if k.quarantine_topic.is_empty() {
        return bad("quarantine_topic", "must not be empty");
    }
    if k.batch_max_records == 0 || k.batch_max_bytes == 0 || k.batch_max_ms == 0 {
        return bad("batch_max_records", "batch limits must be above 0");
    }
    for t in &k.input_topics {
        let out = route::output_topic(&k.output_topic, t);
        if out == *t || *t == k.quarantine_topic {
            return bad(
                "output_topic",
                "an input topic cannot also be an output topic",
            );
        }
    }
    Ok(())
}

/// One message of the open batch: polled, routed (in chunks while the
/// batch fills, the rest when it closes), then written.
struct Item {
    /// Input partition (for the offset bookkeeping).
    input: (Arc<str>, i32),
    offset: i64,
    /// The curated topic until routing sends the message to quarantine.
    out_topic: Arc<str>,
    out_partition: Option<i32>,
    key: Option<Vec<u8>>,
    timestamp: Option<i64>,
    /// The input message until it is routed (see `Daemon::route_batch`).
    pending: Option<OwnedMessage>,
    /// Meaningful once `pending` is `None`.
    routed: Routed,
    /// Input payload bytes (for `redactd_bytes_total{direction="in"}`).
    bytes_in: usize,
    /// Parse + scan + sanitize time.
    took: Duration,
}

/// The open batch: routed messages and, per input partition, the first and
/// the next offset.
#[derive(Default)]
struct Batch {
    items: Vec<Item>,
    bytes: usize,
    started: Option<Instant>,
    first: BTreeMap<(Arc<str>, i32), i64>,
    next: BTreeMap<(Arc<str>, i32), i64>,
}

impl Batch {
    fn push(&mut self, item: Item, bytes: usize) {
        self.started.get_or_insert_with(Instant::now);
        self.first.entry(item.input.clone()).or_insert(item.offset);
        self.next.insert(item.input.clone(), item.offset + 1);
        self.bytes += bytes;
        self.items.push(item);
    }

    fn clear(&mut self) {
        *self = Batch::default();
    }

    /// Forgets the messages of revoked partitions (their new owner reads
    /// them again from the committed offset).
    fn drop_partitions(&mut self, revoked: &[(String, i32)]) {
        let gone = |p: &(Arc<str>, i32)| revoked.iter().any(|(t, n)| **t == *p.0 && *n == p.1);
        self.items.retain(|i| !gone(&i.input));
        self.first.retain(|p, _| !gone(p));
        self.next.retain(|p, _| !gone(p));
        if self.items.is_empty() {
            self.clear();
        }
    }

    fn offsets(&self) -> Result<TopicPartitionList, PipelineError> {
        let mut tpl = TopicPartitionList::with_capacity(self.next.len());
        for ((t, p), o) in &self.next {
            tpl.add_partition_offset(t, *p, Offset::Offset(*o))
                .map_err(kafka("offset list"))?;
        }
        Ok(tpl)
    }
}

/// How a batch attempt failed.
enum Failed {
    /// Abort, rewind, try again (until `retry_timeout_ms`).
    Retry(KafkaError),
    /// Stop without committing.
    Fatal(PipelineError),
}

impl From<PipelineError> for Failed {
    fn from(e: PipelineError) -> Self {
        Failed::Fatal(e)
    }
}

/// Classes a transactional-API error: fatal errors (fenced producer, …) end
/// the run; everything else aborts and retries the batch.
fn classify(what: &'static str, e: KafkaError) -> Failed {
    let fatal = match &e {
        KafkaError::Transaction(rd) => rd.is_fatal(),
        _ => false,
    };
    if fatal {
        Failed::Fatal(PipelineError::Kafka { what, source: e })
    } else {
        Failed::Retry(e)
    }
}

/// The metric class of a Kafka error that failed a batch: the step, never
/// the message (which may name brokers, but keeps label values bounded).
fn error_class(e: &KafkaError) -> &'static str {
    match e {
        KafkaError::Transaction(_) => "kafka_transaction",
        KafkaError::MessageProduction(_) => "kafka_produce",
        KafkaError::Flush(_) => "kafka_flush",
        KafkaError::ConsumerCommit(_) => "kafka_commit",
        _ => "kafka_other",
    }
}

/// Ready (`/readyz` 200) while partitions are assigned and the producer is
/// usable; the packs are compiled before the loop starts.
fn set_ready(observer: &Observer, assigned: usize, producer_ok: bool) {
    observer.readiness.set(assigned > 0 && producer_ok);
}

/// Polled messages routed together while a batch fills.
const ROUTE_CHUNK: usize = 128;

/// How many threads route a closing batch: the CPUs this process may use
/// (cgroup quotas included), at most 4. One partition's records stay in
/// order because each thread takes a contiguous chunk of the batch and
/// the batch is written in its original order.
fn routing_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// Routes one polled message and points it at its output topic.
fn route_item(router: &Router, quarantine: &OutTopic, item: &mut Item, ws: &mut Workspace) {
    let Some(m) = item.pending.take() else {
        return;
    };
    let source = Source {
        topic: m.topic(),
        partition: m.partition(),
        offset: m.offset(),
    };
    let t0 = Instant::now();
    item.routed = router.route(m.payload(), m.headers(), source, ws);
    item.took = t0.elapsed();
    if item.routed.destination == Destination::Quarantine {
        item.out_topic = quarantine.name.clone();
        item.out_partition = (m.partition() < quarantine.partitions).then_some(m.partition());
    }
}

/// Output topic of an input topic, with its partition count.
struct OutTopic {
    name: Arc<str>,
    partitions: i32,
}

struct Daemon<'a> {
    k: &'a KafkaConfig,
    router: Router,
    shutdown: &'a Shutdown,
    watchdog: &'a Watchdog,
    producer_config: rdkafka::ClientConfig,
    /// Producers replaced after a fatal error since the last good batch.
    replaced: u32,
    consumer: BaseConsumer<ConsumerCtx>,
    producer: ThreadedProducer<ProducerCtx>,
    /// One workspace per routing thread (see `route_batch`).
    workspaces: Vec<Workspace>,
    outputs: HashMap<String, OutTopic>,
    quarantine: OutTopic,
    summary: Summary,
    failing_since: Option<Instant>,
    backoff: Duration,
    last_report: Instant,
    /// Time spent writing batches (produce + commit) since the last report.
    write_time: Duration,
    writes: u32,
    /// Of `write_time`: producing, sending offsets, committing.
    phase_time: [Duration; 3],
    observer: &'a Observer,
    /// Findings of the batch being counted, by (type, action): one label
    /// lookup per pair and batch instead of one per finding.
    finding_counts: HashMap<(EntityId, ActionKind), u64>,
    /// Input partitions assigned (after the last rebalance).
    assigned: usize,
    /// False while the producer is being replaced.
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
    router: Router,
    shutdown: &Shutdown,
    watchdog: &Watchdog,
    observer: &Observer,
) -> Result<Summary, PipelineError> {
    let k = &cfg.kafka;
    validate(k)?;
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
    eprintln!(
        "redactd: running: group={} transactional_id={} delivery={:?} policy={}",
        k.group_id,
        if k.delivery == Delivery::ExactlyOnce {
            tid.as_str()
        } else {
            "-"
        },
        k.delivery,
        router.policy_id()
    );
    let mut d = Daemon {
        k,
        router,
        shutdown,
        watchdog,
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
    let r = d.run();
    // Draining or failed: no longer a member worth routing work to.
    observer.readiness.set(false);
    let summary = d.summary.clone();
    eprintln!(
        "redactd: stopped: records={} curated={} quarantined={} batches={} aborted={}",
        summary.records, summary.curated, summary.quarantined, summary.batches, summary.aborted
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
                    eprintln!("redactd: init_transactions: {e}; retrying");
                    std::thread::sleep(Duration::from_millis(500));
                }
                Err(e) => return Err(kafka("init_transactions")(e)),
            }
        }
    }
    Ok(producer)
}

fn is_fatal(e: &KafkaError) -> bool {
    matches!(e, KafkaError::Transaction(rd) if rd.is_fatal())
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
                    return Err(PipelineError::Config(format!(
                        "topic {name}: not in the broker's metadata"
                    )));
                };
                if t.error().is_some() || t.partitions().is_empty() {
                    return Err(PipelineError::Config(format!(
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
                eprintln!("redactd: metadata for {name}: {e}; retrying");
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
            eprintln!(
                "redactd: progress: records={} curated={} quarantined={} batches={} aborted={} avg_write_ms={avg_ms} (produce {p}, offsets {o}, commit {c})",
                s.records, s.curated, s.quarantined, s.batches, s.aborted
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
                    eprintln!("redactd: consume: {e}");
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
                            key: m.key().map(<[u8]>::to_vec),
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
        self.outputs
            .get(input)
            .ok_or_else(|| PipelineError::Config(format!("output topic for input {input}")))
    }

    /// Routes (parses, scans, sanitizes) every message of the batch not
    /// routed yet, split over the routing threads in contiguous chunks:
    /// each item keeps its place, so order is untouched. Runs with no poll
    /// in between, like the write, so no rebalance can interleave.
    fn route_batch(&mut self, batch: &mut Batch) {
        let Daemon {
            router,
            workspaces,
            quarantine,
            ..
        } = self;
        let (router, quarantine) = (&*router, &*quarantine);
        // Routing goes in poll order and a revoke only removes items, so
        // the routed items are always a prefix of the batch.
        let from = batch.items.partition_point(|i| i.pending.is_none());
        let todo = &mut batch.items[from..];
        // Below this many records per thread, a thread costs more than it saves.
        const MIN_PER_THREAD: usize = 32;
        let threads = workspaces.len().min(todo.len() / MIN_PER_THREAD).max(1);
        let per = todo.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let mut chunks = todo.chunks_mut(per).zip(workspaces.iter_mut());
            let here = chunks.next();
            for (chunk, ws) in chunks {
                scope.spawn(move || {
                    for item in chunk {
                        route_item(router, quarantine, item, ws);
                    }
                });
            }
            if let Some((chunk, ws)) = here {
                for item in chunk {
                    route_item(router, quarantine, item, ws);
                }
            }
        });
    }

    /// Writes the batch; on failure aborts, rewinds and backs off, until
    /// `retry_timeout_ms` has passed without a good batch.
    fn write(&mut self, batch: &mut Batch) -> Result<(), PipelineError> {
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
                self.observer.metrics.error(error_class(&e));
                self.summary.aborted += 1;
                eprintln!(
                    "redactd: batch of {} records failed ({e}); aborting and rewinding",
                    batch.items.len()
                );
                if self.k.delivery == Delivery::ExactlyOnce {
                    if let Err(e) = self.abort() {
                        return self.replace_producer(batch, e);
                    }
                }
                self.rewind(batch)?;
                batch.clear();
                let since = *self.failing_since.get_or_insert_with(Instant::now);
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

    /// A fatal transactional error (e.g. the coordinator aborted our
    /// transaction and bumped the epoch after `transaction.timeout.ms`
    /// while the broker was away): nothing of the batch was committed, so
    /// rewind it and start a fresh producer with the same transactional id
    /// (its `init_transactions` fences the old one). Three in a row without
    /// a good batch, or any other fatal error, end the run.
    fn replace_producer(
        &mut self,
        batch: &mut Batch,
        e: PipelineError,
    ) -> Result<(), PipelineError> {
        let fatal_txn = matches!(&e, PipelineError::Kafka { source, .. } if is_fatal(source));
        if !fatal_txn || self.replaced >= 3 || self.shutdown.stopping() {
            return Err(e);
        }
        eprintln!("redactd: {e}; rewinding and replacing the producer");
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
                m.error(reason);
            }
            for a in &r.applied {
                *self.finding_counts.entry((a.entity, a.action)).or_default() += 1;
            }
        }
        for ((entity, action), n) in &self.finding_counts {
            let (t, a) = self.router.finding_labels(*entity, *action);
            m.findings(t, a, *n);
        }
        m.transaction(TxResult::Committed);
    }

    fn refresh_ready(&self) {
        set_ready(self.observer, self.assigned, self.producer_ok);
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
            rec.key = item.key.as_deref();
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
        let group = self.consumer.group_metadata().ok_or_else(|| {
            Failed::Fatal(PipelineError::Config(
                "kafka.group_id: the consumer has no group metadata".into(),
            ))
        })?;
        let t = self.budget(Duration::from_secs(30));
        let call = self.watchdog.call("send_offsets_to_transaction", t);
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
                    eprintln!("redactd: commit_transaction: {rd}; retrying");
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
                    eprintln!("redactd: abort_transaction: {rd}; retrying");
                }
                // No transaction in progress (begin failed): nothing to abort.
                Err(e) => {
                    eprintln!("redactd: abort_transaction: {e}");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_names_the_key() {
        let k = KafkaConfig::default();
        let e = validate(&k).expect_err("no inputs");
        assert!(e.to_string().starts_with("kafka.input_topics"), "{e}");
        let mut k = KafkaConfig {
            input_topics: vec!["a".into()],
            output_topic: "a".into(),
            ..KafkaConfig::default()
        };
        let e = validate(&k).expect_err("loop");
        assert!(e.to_string().starts_with("kafka.output_topic"), "{e}");
        k.output_topic = "curated.{topic}".into();
        validate(&k).expect("valid");
    }

    #[test]
    fn batch_tracks_first_and_next_offsets_and_drops_revoked() {
        let mut b = Batch::default();
        let t: Arc<str> = "in".into();
        for (p, o) in [(0, 5), (1, 9), (0, 6), (0, 7)] {
            b.push(
                Item {
                    input: (t.clone(), p),
                    offset: o,
                    out_topic: "out".into(),
                    out_partition: Some(p),
                    key: None,
                    timestamp: None,
                    routed: Routed {
                        destination: Destination::Curated,
                        payload: None,
                        headers: rdkafka::message::OwnedHeaders::new(),
                        applied: Vec::new(),
                        reason: None,
                    },
                    bytes_in: 0,
                    took: Duration::ZERO,
                    pending: None,
                },
                1,
            );
        }
        assert_eq!(b.first[&(t.clone(), 0)], 5);
        assert_eq!(b.next[&(t.clone(), 0)], 8);
        assert_eq!(b.next[&(t.clone(), 1)], 10);
        b.drop_partitions(&[("in".into(), 0)]);
        assert_eq!(b.items.len(), 1);
        assert!(!b.next.contains_key(&(t.clone(), 0)));
        let tpl = b.offsets().expect("tpl");
        assert_eq!(tpl.count(), 1);
    }
}
