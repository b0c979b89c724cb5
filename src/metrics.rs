//! Every metric redactd exports, declared in this one module.
//!
//! One [`prometheus::Registry`] per [`Metrics`] (not the crate's global
//! default registry), so that tests and `redactd demo` can run several
//! pipelines in one process without their counters mixing.
//!
//! # Label hygiene
//!
//! A metric label is stored by every Prometheus that scrapes us and shown on
//! dashboards, so no label value may ever come from a record. Every label
//! here takes its values from a bounded set fixed by code or config:
//!
//! | label | values |
//! |---|---|
//! | `outcome` | [`Outcome`]: `curated`, `quarantined` |
//! | `type` | entity types of the loaded packs and dictionaries (`EMAIL_ADDRESS`) |
//! | `action` | policy actions (`redact`, `hash`, …) |
//! | `direction` | `in`, `out` |
//! | `result` | [`TxResult`]: `committed`, `aborted` |
//! | `class` | error classes (`RecordError::class()`, `kafka_retriable`, …) |
//! | `topic`, `partition` | the input topics and partitions assigned to us |
//! | `version` | the crate version |
//!
//! As a second line of defence, string label values pass through
//! [`bounded_label`]: anything that is not a short identifier
//! (`[A-Za-z0-9_.-]`, at most 249 bytes, Kafka's topic name alphabet and
//! limit) is recorded as `other`, so a
//! programming error cannot leak a record value into a label.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};

/// The content type of [`Metrics::render`]'s output (text format 0.0.4).
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Buckets of `redactd_record_duration_seconds`: one record takes from a few
/// microseconds (clean, small) to tens of milliseconds (large, PII-dense).
const DURATION_BUCKETS: &[f64] = &[
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025,
    0.05, 0.1, 0.25, 0.5, 1.0,
];

/// Longest label value accepted as is by [`bounded_label`]: Kafka's limit
/// on a topic name.
const MAX_LABEL_BYTES: usize = 249;

/// Where a record went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Sanitized and written to the curated topic.
    Curated,
    /// Written whole to the quarantine topic.
    Quarantined,
}

impl Outcome {
    /// The `outcome` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Curated => "curated",
            Outcome::Quarantined => "quarantined",
        }
    }
}

/// How a Kafka transaction (or, at least once, a batch) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxResult {
    /// Output and offsets committed.
    Committed,
    /// Aborted: the batch will be read again.
    Aborted,
}

impl TxResult {
    /// The `result` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            TxResult::Committed => "committed",
            TxResult::Aborted => "aborted",
        }
    }
}

/// librdkafka statistics that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StatsError {
    /// Not JSON, or not the statistics shape (the message carries the
    /// position only: statistics never hold record contents, but we keep the
    /// habit of not echoing input).
    #[error("librdkafka statistics: {0}")]
    Json(#[from] serde_json::Error),
}

/// The metrics of one redactd process. Cheap to share: clone the `Arc`.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// `redactd_records_total` children, resolved once: `record()` runs for
    /// every record, and a label lookup per call would hash and lock.
    records_curated: IntCounter,
    records_quarantined: IntCounter,
    findings: IntCounterVec,
    bytes_in: IntCounter,
    bytes_out: IntCounter,
    record_duration: Histogram,
    consumer_lag: IntGaugeVec,
    /// The (topic, partition) pairs the last statistics set, so that a
    /// revoked partition's series is removed rather than left frozen.
    lag_series: Mutex<BTreeSet<(String, String)>>,
    assigned_partitions: IntGauge,
    transactions: IntCounterVec,
    errors: IntCounterVec,
    ready: IntGauge,
    restarts: IntGauge,
}

impl Metrics {
    /// Declares every metric in a fresh registry (with the process metrics
    /// on Linux) and sets `redactd_build_info`.
    pub fn new() -> Arc<Metrics> {
        let registry = Registry::new();
        // Each declaration below is a literal name with literal labels, so
        // registration can only fail on a programming error (a duplicate or
        // an invalid name), which the unit tests would catch.
        let records = IntCounterVec::new(
            Opts::new(
                "redactd_records_total",
                "Records consumed and written, by where they went (curated or quarantined).",
            ),
            &["outcome"],
        )
        .expect("valid metric");
        let findings = IntCounterVec::new(
            Opts::new(
                "redactd_findings_total",
                "Findings by entity type and the policy action applied to them.",
            ),
            &["type", "action"],
        )
        .expect("valid metric");
        let bytes = IntCounterVec::new(
            Opts::new(
                "redactd_bytes_total",
                "Record payload bytes read from input (in) and written to output (out).",
            ),
            &["direction"],
        )
        .expect("valid metric");
        let record_duration = Histogram::with_opts(
            HistogramOpts::new(
                "redactd_record_duration_seconds",
                "Time to parse, scan and sanitize one record.",
            )
            .buckets(DURATION_BUCKETS.to_vec()),
        )
        .expect("valid metric");
        let consumer_lag = IntGaugeVec::new(
            Opts::new(
                "redactd_consumer_lag",
                "Messages between the high watermark and the consumer position, per assigned \
                 input partition (from librdkafka statistics).",
            ),
            &["topic", "partition"],
        )
        .expect("valid metric");
        let assigned_partitions = IntGauge::new(
            "redactd_assigned_partitions",
            "Input partitions currently assigned to this consumer.",
        )
        .expect("valid metric");
        let transactions = IntCounterVec::new(
            Opts::new(
                "redactd_transactions_total",
                "Kafka transactions (batches) by how they ended.",
            ),
            &["result"],
        )
        .expect("valid metric");
        let errors = IntCounterVec::new(
            Opts::new(
                "redactd_errors_total",
                "Errors by class (record errors that sent a record to quarantine, Kafka errors).",
            ),
            &["class"],
        )
        .expect("valid metric");
        let ready = IntGauge::new(
            "redactd_ready",
            "1 while /readyz answers 200 (packs compiled, partitions assigned, producer healthy).",
        )
        .expect("valid metric");
        let restarts = IntGauge::new(
            "redactd_watchdog_restarts",
            "Times the watchdog restarted this process in place after a hung librdkafka call \
             (capped; past the cap the process exits non-zero).",
        )
        .expect("valid metric");
        let build_info = IntGaugeVec::new(
            Opts::new(
                "redactd_build_info",
                "Always 1; the version label says which redactd build is running.",
            ),
            &["version"],
        )
        .expect("valid metric");
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1);

        let collectors: Vec<Box<dyn prometheus::core::Collector>> = vec![
            Box::new(records.clone()),
            Box::new(findings.clone()),
            Box::new(bytes.clone()),
            Box::new(record_duration.clone()),
            Box::new(consumer_lag.clone()),
            Box::new(assigned_partitions.clone()),
            Box::new(transactions.clone()),
            Box::new(errors.clone()),
            Box::new(ready.clone()),
            Box::new(restarts.clone()),
            Box::new(build_info),
        ];
        for c in collectors {
            registry.register(c).expect("unique metric names");
        }
        #[cfg(target_os = "linux")]
        registry
            .register(Box::new(
                prometheus::process_collector::ProcessCollector::for_self(),
            ))
            .expect("unique process metric names");

        // Outcomes, directions and results exist from the start at 0, so
        // that rate() and increase() see the first increment.
        for r in [TxResult::Committed, TxResult::Aborted] {
            transactions.with_label_values(&[r.as_str()]);
        }

        Arc::new(Metrics {
            registry,
            records_curated: records.with_label_values(&[Outcome::Curated.as_str()]),
            records_quarantined: records.with_label_values(&[Outcome::Quarantined.as_str()]),
            findings,
            bytes_in: bytes.with_label_values(&["in"]),
            bytes_out: bytes.with_label_values(&["out"]),
            record_duration,
            consumer_lag,
            lag_series: Mutex::new(BTreeSet::new()),
            assigned_partitions,
            transactions,
            errors,
            ready,
            restarts,
        })
    }

    /// One record done: where it went, its input and output payload sizes
    /// and how long parse + scan + sanitize took.
    pub fn record(&self, outcome: Outcome, bytes_in: usize, bytes_out: usize, took: Duration) {
        match outcome {
            Outcome::Curated => self.records_curated.inc(),
            Outcome::Quarantined => self.records_quarantined.inc(),
        }
        self.bytes_in.inc_by(bytes_in as u64);
        self.bytes_out.inc_by(bytes_out as u64);
        self.record_duration.observe(took.as_secs_f64());
    }

    /// `n` findings of entity type `entity` got `action`. Both are names
    /// from the loaded packs and the policy, never matched text.
    pub fn findings(&self, entity: &str, action: &str, n: u64) {
        self.findings
            .with_label_values(&[bounded_label(entity), bounded_label(action)])
            .inc_by(n);
    }

    /// One finding of entity type `entity` got `action`.
    pub fn finding(&self, entity: &str, action: &str) {
        self.findings(entity, action, 1);
    }

    /// A transaction (batch) ended.
    pub fn transaction(&self, result: TxResult) {
        self.transactions
            .with_label_values(&[result.as_str()])
            .inc();
    }

    /// An error of class `class` (e.g. `RecordError::class()`).
    pub fn error(&self, class: &str) {
        self.errors.with_label_values(&[bounded_label(class)]).inc();
    }

    /// The number of input partitions currently assigned.
    pub fn set_assigned_partitions(&self, n: usize) {
        self.assigned_partitions.set(n as i64);
    }

    /// How many times the watchdog restarted this process.
    pub fn set_restarts(&self, n: u32) {
        self.restarts.set(i64::from(n));
    }

    /// Mirrors the readiness latch (the admin server calls this).
    pub fn set_ready(&self, ready: bool) {
        self.ready.set(i64::from(ready));
    }

    /// Updates `redactd_consumer_lag` from one librdkafka statistics JSON
    /// document (the `statistics.interval.ms` callback's payload): one series
    /// per `topics.*.partitions.*` with a known lag (see
    /// [`parse_consumer_lag`]). Partition
    /// `-1` (librdkafka's internal unassigned partition) and unknown lag
    /// (`-1`) are skipped; series that the previous call set and this one
    /// does not (revoked partitions) are removed. Returns how many series
    /// were set.
    ///
    /// Takes bytes or text, so that rdkafka's `ClientContext::stats_raw`
    /// can pass its buffer straight through without a second parse.
    pub fn set_lag_from_stats(&self, stats_json: impl AsRef<[u8]>) -> Result<usize, StatsError> {
        let lags = parse_consumer_lag(stats_json)?;
        let mut series = self
            .lag_series
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now: BTreeSet<(String, String)> = lags
            .iter()
            .map(|(t, p, _)| (bounded_label(t).to_string(), p.to_string()))
            .collect();
        for (t, p) in series.difference(&now) {
            let _ = self.consumer_lag.remove_label_values(&[t, p]);
        }
        for (t, p, lag) in &lags {
            self.consumer_lag
                .with_label_values(&[bounded_label(t), &p.to_string()])
                .set(*lag);
        }
        let n = now.len();
        *series = now;
        Ok(n)
    }

    /// Every metric in the Prometheus text format ([`CONTENT_TYPE`]).
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // The text encoder only fails on a write error (none into a Vec)
        // or on metric families it cannot encode (none are registered).
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut buf) {
            return format!("# redactd: encoding metrics failed: {e}\n");
        }
        String::from_utf8(buf).unwrap_or_default()
    }

    /// The registry, for callers that add their own collectors.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

/// `(topic, partition, lag)` for every partition with a known lag in a
/// librdkafka statistics document.
///
/// The lag is `consumer_lag_stored` (end offset minus the offset stored
/// with `store_offsets`) when known, else `consumer_lag` (end offset minus
/// the committed offset). librdkafka's `consumer_lag` only moves with
/// offsets the consumer itself commits; offsets committed through a
/// producer transaction (exactly-once) never reach it, so the daemon stores
/// each committed batch's offsets and the stored lag is the one that moves.
/// Until the first batch, the committed lag fetched at assignment is used.
pub fn parse_consumer_lag(
    stats_json: impl AsRef<[u8]>,
) -> Result<Vec<(String, i32, i64)>, StatsError> {
    #[derive(serde::Deserialize)]
    struct Stats {
        #[serde(default)]
        topics: std::collections::BTreeMap<String, Topic>,
    }
    #[derive(serde::Deserialize)]
    struct Topic {
        #[serde(default)]
        partitions: std::collections::BTreeMap<String, Partition>,
    }
    #[derive(serde::Deserialize)]
    struct Partition {
        partition: i32,
        #[serde(default = "unknown")]
        consumer_lag: i64,
        #[serde(default = "unknown")]
        consumer_lag_stored: i64,
    }
    fn unknown() -> i64 {
        -1
    }

    let stats: Stats = serde_json::from_slice(stats_json.as_ref())?;
    let mut out = Vec::new();
    for (topic, t) in stats.topics {
        for p in t.partitions.into_values() {
            let lag = if p.consumer_lag_stored >= 0 {
                p.consumer_lag_stored
            } else {
                p.consumer_lag
            };
            if p.partition < 0 || lag < 0 {
                continue;
            }
            out.push((topic.clone(), p.partition, lag));
        }
    }
    Ok(out)
}

/// `value` if it is a short identifier (`[A-Za-z0-9_.-]`, 1 to 249 bytes),
/// else `other`: no label can carry free text, whatever a caller passes.
pub fn bounded_label(value: &str) -> &str {
    let ok = !value.is_empty()
        && value.len() <= MAX_LABEL_BYTES
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
    if ok {
        value
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trimmed librdkafka statistics document (the real one has many more
    /// fields per level; these are the ones we read and their neighbours).
    fn stats(lag_p0: i64, lag_p1: i64, with_p1: bool) -> String {
        let p1 = if with_p1 {
            format!(
                r#","1": {{"partition": 1, "leader": 1, "desired": true, "fetch_state": "active",
                         "consumer_lag": {lag_p1}, "consumer_lag_stored": {lag_p1}}}"#
            )
        } else {
            String::new()
        };
        format!(
            r#"{{"name": "rdkafka#consumer-1", "type": "consumer", "ts": 1,
                "brokers": {{}},
                "topics": {{
                  "raw.events": {{"topic": "raw.events", "age": 10, "metadata_age": 5,
                    "partitions": {{
                      "0": {{"partition": 0, "leader": 1, "desired": true,
                             "consumer_lag": {lag_p0}, "hi_offset": 100}}{p1},
                      "-1": {{"partition": -1, "leader": -1, "consumer_lag": -1}}
                    }}}},
                  "curated.raw.events": {{"topic": "curated.raw.events",
                    "partitions": {{"0": {{"partition": 0, "consumer_lag": -1}}}}}}
                }}}}"#
        )
    }

    fn line_value(text: &str, series: &str) -> Option<f64> {
        text.lines()
            .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    }

    #[test]
    fn lag_parser_reads_partitions_and_skips_unknown() {
        let lags = parse_consumer_lag(stats(7, 42, true)).expect("parse");
        assert_eq!(
            lags,
            vec![
                ("raw.events".to_string(), 0, 7),
                ("raw.events".to_string(), 1, 42)
            ]
        );
    }

    #[test]
    fn lag_parser_prefers_the_stored_lag() {
        // Exactly-once: the committed lag never moves (offsets go through
        // the transaction), the stored one does; a partition with neither
        // offset known has no lag.
        let doc = r#"{"topics": {"in": {"partitions": {
            "0": {"partition": 0, "consumer_lag": -1, "consumer_lag_stored": 0},
            "1": {"partition": 1, "consumer_lag": 40, "consumer_lag_stored": 3},
            "2": {"partition": 2, "consumer_lag": 9, "consumer_lag_stored": -1},
            "3": {"partition": 3, "consumer_lag": -1, "consumer_lag_stored": -1}}}}}"#;
        assert_eq!(
            parse_consumer_lag(doc).expect("parse"),
            vec![
                ("in".to_string(), 0, 0),
                ("in".to_string(), 1, 3),
                ("in".to_string(), 2, 9)
            ]
        );
    }

    #[test]
    fn lag_parser_takes_raw_bytes() {
        let raw = stats(1, 2, true).into_bytes();
        assert_eq!(parse_consumer_lag(&raw).expect("parse").len(), 2);
    }

    #[test]
    fn lag_parser_accepts_a_document_without_topics() {
        assert!(parse_consumer_lag(r#"{"name":"x","brokers":{}}"#)
            .expect("parse")
            .is_empty());
    }

    #[test]
    fn lag_parser_rejects_bad_json_without_echoing_it() {
        let e = parse_consumer_lag("{\"topics\": secret-value").expect_err("bad json");
        let msg = e.to_string();
        assert!(msg.contains("line 1"), "{msg}");
        assert!(!msg.contains("secret-value"), "{msg}");
    }

    #[test]
    fn lag_gauges_follow_assignment() {
        let m = Metrics::new();
        assert_eq!(m.set_lag_from_stats(stats(7, 42, true)).expect("set"), 2);
        let text = m.render();
        assert_eq!(
            line_value(
                &text,
                r#"redactd_consumer_lag{partition="0",topic="raw.events"}"#
            ),
            Some(7.0)
        );
        assert_eq!(
            line_value(
                &text,
                r#"redactd_consumer_lag{partition="1",topic="raw.events"}"#
            ),
            Some(42.0)
        );
        assert!(!text.contains("curated.raw.events"), "{text}");
        assert!(!text.contains(r#"partition="-1""#), "{text}");

        // Partition 1 revoked: its series goes, partition 0's is updated.
        assert_eq!(m.set_lag_from_stats(stats(3, 0, false)).expect("set"), 1);
        let text = m.render();
        assert_eq!(
            line_value(
                &text,
                r#"redactd_consumer_lag{partition="0",topic="raw.events"}"#
            ),
            Some(3.0)
        );
        assert!(!text.contains(r#"partition="1""#), "{text}");
    }

    #[test]
    fn render_has_every_declared_metric_with_help() {
        let m = Metrics::new();
        m.record(Outcome::Curated, 100, 90, Duration::from_micros(30));
        m.record(Outcome::Quarantined, 10, 10, Duration::from_millis(2));
        m.finding("EMAIL_ADDRESS", "redact");
        m.findings("EMAIL_ADDRESS", "redact", 2);
        m.transaction(TxResult::Committed);
        m.error("invalid_json");
        m.set_assigned_partitions(3);
        m.set_ready(true);
        m.set_lag_from_stats(stats(5, 0, false)).expect("stats");
        let text = m.render();
        for name in [
            "redactd_records_total",
            "redactd_findings_total",
            "redactd_bytes_total",
            "redactd_record_duration_seconds",
            "redactd_consumer_lag",
            "redactd_assigned_partitions",
            "redactd_transactions_total",
            "redactd_errors_total",
            "redactd_ready",
            "redactd_watchdog_restarts",
            "redactd_build_info",
        ] {
            assert!(
                text.contains(&format!("# HELP {name} ")),
                "no help for {name}:\n{text}"
            );
        }
        #[cfg(target_os = "linux")]
        assert!(text.contains("process_resident_memory_bytes"), "{text}");
        let v = |s: &str| line_value(&text, s);
        assert_eq!(v(r#"redactd_records_total{outcome="curated"}"#), Some(1.0));
        assert_eq!(
            v(r#"redactd_records_total{outcome="quarantined"}"#),
            Some(1.0)
        );
        assert_eq!(
            v(r#"redactd_findings_total{action="redact",type="EMAIL_ADDRESS"}"#),
            Some(3.0)
        );
        assert_eq!(v(r#"redactd_bytes_total{direction="in"}"#), Some(110.0));
        assert_eq!(v(r#"redactd_bytes_total{direction="out"}"#), Some(100.0));
        assert_eq!(v("redactd_record_duration_seconds_count"), Some(2.0));
        assert_eq!(
            v(r#"redactd_record_duration_seconds_bucket{le="0.00005"}"#),
            Some(1.0)
        );
        assert_eq!(
            v(r#"redactd_transactions_total{result="committed"}"#),
            Some(1.0)
        );
        assert_eq!(
            v(r#"redactd_transactions_total{result="aborted"}"#),
            Some(0.0)
        );
        assert_eq!(
            v(r#"redactd_errors_total{class="invalid_json"}"#),
            Some(1.0)
        );
        assert_eq!(v("redactd_assigned_partitions"), Some(3.0));
        assert_eq!(v("redactd_ready"), Some(1.0));
        assert_eq!(
            v(&format!(
                r#"redactd_build_info{{version="{}"}}"#,
                env!("CARGO_PKG_VERSION")
            )),
            Some(1.0)
        );
    }

    #[test]
    fn labels_never_carry_free_text() {
        let m = Metrics::new();
        m.finding("jane.doe@example.com is here", "redact");
        m.finding("EMAIL_ADDRESS", "4111 1111 1111 1111");
        m.error(&"x".repeat(250));
        let text = m.render();
        assert!(!text.contains("jane"), "{text}");
        assert!(!text.contains("4111"), "{text}");
        assert!(!text.contains(&"x".repeat(250)), "{text}");
        assert_eq!(
            line_value(
                &text,
                r#"redactd_findings_total{action="redact",type="other"}"#
            ),
            Some(1.0)
        );
    }

    #[test]
    fn bounded_label_table() {
        for (input, want) in [
            ("EMAIL_ADDRESS", "EMAIL_ADDRESS"),
            ("redact", "redact"),
            ("raw.events-2", "raw.events-2"),
            ("", "other"),
            ("a b", "other"),
            ("a\"b", "other"),
            ("é", "other"),
        ] {
            assert_eq!(bounded_label(input), want, "{input:?}");
        }
    }

    #[test]
    fn two_instances_do_not_share_counters() {
        let a = Metrics::new();
        let b = Metrics::new();
        a.transaction(TxResult::Aborted);
        assert!(a
            .render()
            .contains("redactd_transactions_total{result=\"aborted\"} 1"));
        assert!(b
            .render()
            .contains("redactd_transactions_total{result=\"aborted\"} 0"));
        // Every bounded label value is exported at 0 from the start.
        let fresh = b.render();
        for series in [
            "redactd_records_total{outcome=\"curated\"} 0",
            "redactd_records_total{outcome=\"quarantined\"} 0",
            "redactd_bytes_total{direction=\"in\"} 0",
            "redactd_bytes_total{direction=\"out\"} 0",
            "redactd_transactions_total{result=\"committed\"} 0",
        ] {
            assert!(fresh.contains(series), "{series}\n{fresh}");
        }
    }
}
