//! `redactd demo`: the whole product in one command, with nothing
//! installed.
//!
//! librdkafka's built-in mock cluster runs in this process; a producer
//! thread writes seeded sample records ([`crate::sample`]: JSON checkout
//! events, support chats, application logs leaking credentials, clean
//! lines) to `raw.demo`; the real daemon loop ([`crate::pipeline::run`],
//! exactly once, transactional) sanitizes them into `curated.raw.demo`; a
//! `read_committed` reader prints a few before/after pairs and a summary
//! every second, and checks every curated record against the values planted
//! in its source record. `/metrics` is served while it runs. See
//! docs/decisions/0045.
//!
//! Record `i` is a pure function of [`SEED`] and `i` ([`source_record`]),
//! so the reader (and the tests) regenerate the source of a curated record
//! from its key instead of keeping every record in memory.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Headers, Message};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Offset, TopicPartitionList};

use crate::admin::{AdminError, AdminServer};
use crate::config::{Config, Delivery, KafkaConfig, MetricsConfig};
use crate::pipeline::route::HEADER_FINDINGS;
use crate::pipeline::{self, Observer, PipelineError, Shutdown, Watchdog};
use crate::sample::{self, Kind, Planted, Rng};
use crate::sanitize::Sanitizer;

/// Seed of the sample stream: the same records on every run.
pub const SEED: u64 = 0x00de_3a0d;
/// The raw topic the sample records are written to.
pub const INPUT_TOPIC: &str = "raw.demo";
/// The quarantine topic.
pub const QUARANTINE_TOPIC: &str = "redactd.quarantine";
/// Partitions of the input and curated topics.
const PARTITIONS: i32 = 3;
/// Most records the producer may be ahead of the reader. librdkafka's mock
/// broker keeps at most 5 MB per partition and silently drops the oldest
/// segments beyond that; 10,000 sample records are about 3 MB over 3
/// partitions, so nothing is dropped before the pipeline has read it.
const MAX_LEAD: u64 = 10_000;
/// Record kinds, in the order the stream cycles through them.
pub const KINDS: [Kind; 4] = [Kind::JsonEvent, Kind::Chat, Kind::Log, Kind::Clean];

/// Why the demo could not run. Never holds record content.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The mock cluster, a topic, or a client could not be set up.
    #[error("{what}: {source}")]
    Kafka {
        /// What was being done.
        what: &'static str,
        /// librdkafka's error.
        source: KafkaError,
    },
    /// `--metrics-listen` cannot be served.
    #[error(transparent)]
    Admin(#[from] AdminError),
    /// The pipeline stopped with an error.
    #[error("pipeline: {0}")]
    Pipeline(#[from] PipelineError),
    /// A thread could not be started, or the pipeline did not drain.
    #[error("{0}")]
    Other(String),
    /// Writing the report failed.
    #[error("cannot write output: {0}")]
    Io(#[from] std::io::Error),
}

fn kafka(what: &'static str) -> impl FnOnce(KafkaError) -> DemoError {
    move |source| DemoError::Kafka { what, source }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Stop once this many records were written out (curated or
    /// quarantined); the producer writes exactly this many.
    pub records: u64,
    /// Where `/metrics`, `/healthz` and `/readyz` are served.
    pub metrics_listen: String,
    /// How many before/after pairs to print (one per record kind first).
    pub pairs: usize,
}

/// Record `i` of the demo stream: its key, kind, text and the values
/// planted in it.
pub fn source_record(i: u64) -> (String, Kind, String, Vec<Planted>) {
    let kind = KINDS[(i % KINDS.len() as u64) as usize];
    let mut r = Rng::new(SEED ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    r.next_u64();
    let mut planted = Vec::new();
    let text = sample::record(&mut r, kind, &mut planted);
    (key_of(i), kind, text, planted)
}

/// The Kafka key of record `i`.
pub fn key_of(i: u64) -> String {
    format!("demo-{i:07}")
}

/// The index of a demo key, if it is one.
pub fn index_of(key: &[u8]) -> Option<u64> {
    std::str::from_utf8(key)
        .ok()?
        .strip_prefix("demo-")?
        .parse()
        .ok()
}

fn kind_name(k: Kind) -> &'static str {
    match k {
        Kind::JsonEvent => "JSON event",
        Kind::Chat => "support chat",
        Kind::Log => "application log",
        Kind::Clean => "clean",
    }
}

/// Findings per entity type in a Prometheus text exposition: the sum of
/// `redactd_findings_total` over actions.
pub fn findings_by_type(exposition: &str) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    for line in exposition.lines() {
        let Some(rest) = line.strip_prefix("redactd_findings_total{") else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once('}') else {
            continue;
        };
        let Some(ty) = labels
            .split(',')
            .find_map(|l| l.trim().strip_prefix("type=\""))
            .and_then(|v| v.strip_suffix('"'))
        else {
            continue;
        };
        let Ok(v) = value.trim().parse::<f64>() else {
            continue;
        };
        *out.entry(ty.to_string()).or_insert(0) += v as u64;
    }
    out
}

/// What the reader saw.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Distinct demo records read from the curated topic.
    pub curated: u64,
    /// Distinct demo records read from the quarantine topic.
    pub quarantined: u64,
    /// Records read more than once (exactly once: always 0).
    pub duplicates: u64,
    /// Sum of the `redactd-findings` headers of curated records.
    pub findings: u64,
    /// Planted values checked in curated records.
    pub planted_checked: u64,
    /// Planted values found verbatim in a curated record.
    pub planted_left: u64,
}

/// One live summary line: totals, the rate over the last interval,
/// findings by type (from the metrics registry; only the header total
/// until the pipeline reports them).
pub fn summary_line(
    t: &Tally,
    since_start: Duration,
    interval: Duration,
    curated_in_interval: u64,
    by_type: &BTreeMap<String, u64>,
) -> String {
    let rate = curated_in_interval as f64 / interval.as_secs_f64().max(1e-3);
    let mut s = format!(
        "[{:5.1}s] curated {} ({rate:.0} records/s), quarantined {}, findings {}",
        since_start.as_secs_f64(),
        t.curated,
        t.quarantined,
        t.findings
    );
    if t.curated == 0 && t.quarantined == 0 {
        s.push_str(" (waiting for the pipeline to join its consumer group)");
    } else if !by_type.is_empty() {
        s.push_str(": ");
        s.push_str(&by_count(by_type).join(", "));
    }
    s
}

/// `TYPE n` items, most frequent first.
fn by_count(by_type: &BTreeMap<String, u64>) -> Vec<String> {
    let mut top: Vec<_> = by_type.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    top.iter().map(|(k, v)| format!("{k} {v}")).collect()
}

/// Runs the demo, writing its report to `out`, until `opts.records` records
/// were written out or `stop` is set (Ctrl-C).
pub fn run(opts: &Options, stop: &AtomicBool, out: &mut dyn Write) -> Result<Tally, DemoError> {
    let mock = MockCluster::new(1).map_err(kafka("start the mock cluster"))?;
    let brokers = mock.bootstrap_servers();
    let curated_topic = pipeline::route::output_topic("curated.{topic}", INPUT_TOPIC);
    for (t, n) in [
        (INPUT_TOPIC, PARTITIONS),
        (curated_topic.as_str(), PARTITIONS),
        (QUARANTINE_TOPIC, 1),
    ] {
        mock.create_topic(t, n, 1).map_err(kafka("create topic"))?;
    }
    let kafka = KafkaConfig {
        brokers: brokers.clone(),
        group_id: "redactd-demo".into(),
        input_topics: vec![INPUT_TOPIC.into()],
        output_topic: "curated.{topic}".into(),
        quarantine_topic: QUARANTINE_TOPIC.into(),
        delivery: Delivery::ExactlyOnce,
        instance_id: Some("demo".into()),
        retry_timeout_ms: 30_000,
        ..KafkaConfig::default()
    };
    let cfg = Config {
        kafka,
        metrics: MetricsConfig {
            listen: opts.metrics_listen.clone(),
        },
        ..Config::default()
    };
    let sanitizer = Sanitizer::from_config(&cfg).map_err(PipelineError::from)?;
    let observer = Observer::new();
    let admin = AdminServer::start(
        &opts.metrics_listen,
        observer.metrics.clone(),
        observer.readiness.clone(),
    )?;
    writeln!(
        out,
        "redactd demo: in-process Kafka (librdkafka mock cluster) at {brokers}\n\
         redactd demo: {INPUT_TOPIC} -> redactd run (exactly once, policy {}) -> {curated_topic} \
         (quarantine: {QUARANTINE_TOPIC})\n\
         redactd demo: metrics at http://{}/metrics\n\
         redactd demo: producing {} sample records (JSON events, support chats, app logs with \
         secrets, clean lines); Ctrl-C stops",
        sanitizer.policy_id(),
        admin.local_addr(),
        opts.records
    )?;
    out.flush()?;

    let shutdown = Arc::new(Shutdown::new(Duration::from_millis(
        cfg.kafka.drain_timeout_ms,
    )));
    let watchdog = Arc::new(Watchdog::default());
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = {
        let (shutdown, watchdog, observer) = (shutdown.clone(), watchdog.clone(), observer.clone());
        let cfg = cfg.clone();
        std::thread::Builder::new()
            .name("redactd-pipeline".into())
            .spawn(move || {
                let r = pipeline::run(&cfg, sanitizer, &shutdown, &watchdog, &observer);
                let _ = tx.send(r);
            })
            .map_err(|e| DemoError::Other(format!("pipeline thread: {e}")))?
    };
    let producing = Arc::new(AtomicBool::new(true));
    let read_back = Arc::new(AtomicU64::new(0));
    let producer = {
        let brokers = brokers.clone();
        let (producing, read_back) = (producing.clone(), read_back.clone());
        let n = opts.records;
        std::thread::Builder::new()
            .name("redactd-demo-producer".into())
            .spawn(move || produce(&brokers, n, &producing, &read_back))
            .map_err(|e| DemoError::Other(format!("producer thread: {e}")))?
    };

    let result = read(
        opts,
        (&brokers, &curated_topic),
        stop,
        &rx,
        &observer,
        &read_back,
        out,
    );
    producing.store(false, Ordering::Release);
    shutdown.trigger();
    let produced = producer.join().unwrap_or(Ok(0));
    // The pipeline drains within drain_timeout_ms; wait a little longer.
    let waited = rx.recv_timeout(Duration::from_millis(cfg.kafka.drain_timeout_ms + 5_000));
    let pipeline_result = match waited {
        Ok(r) => {
            let _ = worker.join();
            Some(r)
        }
        Err(_) => None,
    };
    admin.stop();
    let (tally, elapsed) = result?;
    let produced = produced?;
    match pipeline_result {
        Some(Ok(_)) => {}
        Some(Err(e)) => return Err(e.into()),
        None => {
            return Err(DemoError::Other(
                "the pipeline did not drain in time".into(),
            ))
        }
    }
    let by_type = findings_by_type(&observer.metrics.render());
    writeln!(out, "\nredactd demo: summary")?;
    writeln!(out, "  records produced:  {produced}")?;
    writeln!(
        out,
        "  records curated:   {} in {:.1} s from the first one ({:.0} records/s)",
        tally.curated,
        elapsed.as_secs_f64(),
        tally.curated as f64 / elapsed.as_secs_f64().max(1e-3)
    )?;
    writeln!(out, "  quarantined:       {}", tally.quarantined)?;
    writeln!(out, "  duplicates:        {}", tally.duplicates)?;
    writeln!(out, "  findings:          {}", tally.findings)?;
    if !by_type.is_empty() {
        writeln!(out, "    by type: {}", by_count(&by_type).join(", "))?;
    }
    writeln!(
        out,
        "  planted values left in curated output: {} of {}",
        tally.planted_left, tally.planted_checked
    )?;
    out.flush()?;
    drop(mock);
    Ok(tally)
}

/// `redactd demo`: [`run`] on stdout until `records` went through or
/// SIGINT/SIGTERM (then it drains, prints the summary and returns `Ok`).
pub fn run_until_signal(records: u64, metrics_listen: String) -> Result<(), DemoError> {
    crate::log::init(crate::log::LogFormat::Text);
    use tokio::signal::unix::{signal, SignalKind};
    let stop = Arc::new(AtomicBool::new(false));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    // Handlers are installed before anything starts, so an early Ctrl-C
    // drains like a late one.
    let (mut term, mut int) = {
        let _guard = rt.enter();
        (
            signal(SignalKind::terminate())?,
            signal(SignalKind::interrupt())?,
        )
    };
    {
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("redactd-demo-signals".into())
            .spawn(move || {
                rt.block_on(async {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = int.recv() => {}
                    }
                });
                eprintln!("redactd demo: stopping");
                stop.store(true, Ordering::Release);
            })
            .map_err(|e| DemoError::Other(format!("signal thread: {e}")))?;
    }
    let opts = Options {
        records,
        metrics_listen,
        pairs: 3,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    run(&opts, &stop, &mut out).map(|_| ())
}

/// Writes records `0..n` to the input topic, at most [`MAX_LEAD`] ahead of
/// `read_back` (stops early when `go` is cleared); returns how many were
/// acknowledged.
fn produce(
    brokers: &str,
    n: u64,
    go: &AtomicBool,
    read_back: &AtomicU64,
) -> Result<u64, DemoError> {
    let p: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "5")
        .create()
        .map_err(kafka("create the sample producer"))?;
    let mut sent = 0;
    for i in 0..n {
        if !go.load(Ordering::Acquire) {
            break;
        }
        while i >= read_back.load(Ordering::Acquire) + MAX_LEAD {
            if !go.load(Ordering::Acquire) {
                return Ok(sent);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let (key, _, text, _) = source_record(i);
        let mut rec = BaseRecord::to(INPUT_TOPIC).key(&key).payload(&text);
        loop {
            match p.send(rec) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    rec = r;
                    if !go.load(Ordering::Acquire) {
                        return Ok(sent);
                    }
                    std::thread::sleep(Duration::from_millis(5));
                }
                Err((e, _)) => return Err(kafka("produce a sample record")(e)),
            }
        }
        sent += 1;
    }
    p.flush(Duration::from_secs(30))
        .map_err(kafka("flush the sample producer"))?;
    Ok(sent)
}

/// Reads the curated and quarantine topics (`read_committed`) until
/// `opts.records` records were seen, `stop` is set or the pipeline ends.
fn read(
    opts: &Options,
    (brokers, curated_topic): (&str, &str),
    stop: &AtomicBool,
    pipeline_done: &std::sync::mpsc::Receiver<Result<pipeline::Summary, PipelineError>>,
    observer: &Observer,
    read_back: &AtomicU64,
    out: &mut dyn Write,
) -> Result<(Tally, Duration), DemoError> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "redactd-demo-reader")
        .set("isolation.level", "read_committed")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false")
        .create()
        .map_err(kafka("create the reader"))?;
    let mut tpl = TopicPartitionList::new();
    for p in 0..PARTITIONS {
        tpl.add_partition_offset(curated_topic, p, Offset::Beginning)
            .map_err(kafka("assign the reader"))?;
    }
    tpl.add_partition_offset(QUARANTINE_TOPIC, 0, Offset::Beginning)
        .map_err(kafka("assign the reader"))?;
    c.assign(&tpl).map_err(kafka("assign the reader"))?;

    let mut t = Tally::default();
    // One bit per record: `--records` can be large.
    let mut seen = vec![0u64; opts.records.div_ceil(64) as usize];
    let mut shown: Vec<Kind> = Vec::new();
    let start = Instant::now();
    let mut first: Option<Instant> = None;
    let mut next_tick = start + Duration::from_secs(1);
    let (mut last_tick, mut last_curated) = (start, 0);
    while t.curated + t.quarantined < opts.records && !stop.load(Ordering::Acquire) {
        if let Ok(r) = pipeline_done.try_recv() {
            // The pipeline never stops on its own: this is an error.
            return Err(match r {
                Err(e) => e.into(),
                Ok(_) => DemoError::Other("the pipeline stopped early".into()),
            });
        }
        let now = Instant::now();
        if now >= next_tick {
            let by_type = findings_by_type(&observer.metrics.render());
            let line = summary_line(
                &t,
                now - start,
                now - last_tick,
                t.curated - last_curated,
                &by_type,
            );
            writeln!(out, "{line}")?;
            out.flush()?;
            (last_tick, last_curated) = (now, t.curated);
            next_tick += Duration::from_secs(1);
        }
        let Some(m) = c.poll(Duration::from_millis(100)) else {
            continue;
        };
        let m = match m {
            Ok(m) => m,
            Err(e) => {
                eprintln!("redactd demo: reader: {e}");
                continue;
            }
        };
        let Some(i) = m.key().and_then(index_of).filter(|i| *i < opts.records) else {
            continue;
        };
        let (word, bit) = ((i / 64) as usize, 1u64 << (i % 64));
        if seen[word] & bit != 0 {
            t.duplicates += 1;
            continue;
        }
        seen[word] |= bit;
        read_back.fetch_add(1, Ordering::Release);
        if m.topic() == QUARANTINE_TOPIC {
            t.quarantined += 1;
            continue;
        }
        t.curated += 1;
        first.get_or_insert_with(Instant::now);
        let findings: u64 = m
            .headers()
            .and_then(|h| {
                h.iter()
                    .find(|h| h.key == HEADER_FINDINGS)
                    .and_then(|h| h.value)
            })
            .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
            .unwrap_or(0);
        t.findings += findings;
        let after = m.payload().unwrap_or_default();
        let (key, kind, before, planted) = source_record(i);
        for p in &planted {
            t.planted_checked += 1;
            if memchr::memmem::find(after, p.value.as_bytes()).is_some() {
                t.planted_left += 1;
            }
        }
        // One pair per kind with something to redact first, then any.
        let fresh = kind != Kind::Clean && !shown.contains(&kind);
        if shown.len() < opts.pairs && (fresh || shown.len() >= KINDS.len() - 1) {
            shown.push(kind);
            writeln!(
                out,
                "\n--- {key} ({}, {findings} findings)\n  before: {before}\n  after:  {}",
                kind_name(kind),
                String::from_utf8_lossy(after)
            )?;
            out.flush()?;
        }
    }
    Ok((t, first.map_or(Duration::ZERO, |f| f.elapsed())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_summed_over_actions() {
        let m = crate::metrics::Metrics::new();
        m.findings("EMAIL_ADDRESS", "redact", 3);
        m.findings("EMAIL_ADDRESS", "hash", 2);
        m.findings("CREDIT_CARD", "mask", 7);
        let by = findings_by_type(&m.render());
        assert_eq!(by.get("EMAIL_ADDRESS"), Some(&5));
        assert_eq!(by.get("CREDIT_CARD"), Some(&7));
        assert_eq!(by.len(), 2);
        assert!(findings_by_type("redactd_findings_total{type=\"X\"} nope\n").is_empty());
    }

    #[test]
    fn summary_line_orders_types_by_count() {
        let t = Tally {
            curated: 500,
            findings: 12,
            ..Tally::default()
        };
        let by = BTreeMap::from([("A".to_string(), 2), ("B".to_string(), 10)]);
        let s = summary_line(&t, Duration::from_secs(7), Duration::from_secs(2), 300, &by);
        assert!(s.starts_with("[  7.0s] curated 500 (150 records/s)"), "{s}");
        assert!(s.ends_with("findings 12: B 10, A 2"), "{s}");
        let idle = summary_line(
            &Tally::default(),
            Duration::from_secs(1),
            Duration::from_secs(1),
            0,
            &by,
        );
        assert!(idle.ends_with("(waiting for the pipeline to join its consumer group)"));
    }

    #[test]
    fn records_regenerate_from_their_key() {
        let (k, kind, a, pa) = source_record(42);
        assert_eq!(index_of(k.as_bytes()), Some(42));
        assert_eq!(kind, KINDS[2]);
        let (_, _, b, pb) = source_record(42);
        assert_eq!((a, pa), (b, pb));
        assert_ne!(source_record(41).2, source_record(45).2);
        assert_eq!(index_of(b"other-1"), None);
    }
}
