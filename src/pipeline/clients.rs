//! The librdkafka clients: their settings and the callbacks the loop needs
//! (revoked partitions, rebalances, statistics for the lag gauge, failed
//! deliveries). Settings redactd relies on are
//! set here and cannot be overridden from the config; everything else
//! (TLS, SASL, tuning) passes through.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::error::KafkaError;
use rdkafka::producer::{DeliveryResult, ProducerContext};

use super::PipelineError;
use crate::config::{Delivery, KafkaConfig};
use crate::metrics::Metrics;

/// Consumer settings the loop's correctness depends on.
const CONSUMER_FIXED: &[(&str, &str)] = &[
    // Offsets move only with the output (transaction or after delivery).
    ("enable.auto.commit", "false"),
    ("enable.auto.offset.store", "false"),
    // A mistyped or deleted topic is an error, never a new topic.
    ("allow.auto.create.topics", "false"),
];

/// Producer settings the loop's correctness depends on.
const PRODUCER_FIXED: &[(&str, &str)] = &[
    // Retries never reorder or duplicate within a partition.
    ("enable.idempotence", "true"),
    ("acks", "all"),
    // Producing to (or asking metadata for) a mistyped or deleted output
    // or quarantine topic fails instead of creating it on a broker with
    // auto.create.topics.enable (the producer's default is true).
    ("allow.auto.create.topics", "false"),
];

/// Consumer defaults a config may override.
const CONSUMER_DEFAULTS: &[(&str, &str)] = &[
    // A new group starts at the beginning: nothing is skipped unsanitized.
    ("auto.offset.reset", "earliest"),
    // Transactional input is read as committed; also makes the committed
    // offset fetch wait for pending transactional offset commits.
    ("isolation.level", "read_committed"),
    ("enable.partition.eof", "false"),
    // Bounded prefetch: flat memory under a backlog.
    ("queued.max.messages.kbytes", "32768"),
    // Statistics feed `redactd_consumer_lag` (ConsumerCtx::stats_raw);
    // 5 s is fresh enough for a lag alert and costs ~20 µs per document.
    ("statistics.interval.ms", "5000"),
];

/// Producer defaults a config may override.
const PRODUCER_DEFAULTS: &[(&str, &str)] = &[
    ("linger.ms", "5"),
    // A crashed replica that is never restarted holds its transaction (and
    // the read_committed LSO of its partitions) this long.
    ("transaction.timeout.ms", "30000"),
];

fn build(
    base: &[(&str, &str)],
    user: &BTreeMap<String, String>,
    fixed: &[(&str, &str)],
    section: &str,
) -> Result<ClientConfig, PipelineError> {
    let mut c = ClientConfig::new();
    for (k, v) in base {
        c.set(*k, *v);
    }
    for (k, v) in user {
        if fixed.iter().any(|(f, _)| f == k) || k == "transactional.id" || k == "group.id" {
            return Err(PipelineError::Setting(format!(
                "kafka.{section}.{k}: redactd sets this itself and it cannot be overridden"
            )));
        }
        c.set(k, v);
    }
    for (k, v) in fixed {
        c.set(*k, *v);
    }
    Ok(c)
}

/// The consumer's settings.
pub fn consumer_config(k: &KafkaConfig) -> Result<ClientConfig, PipelineError> {
    let mut base: Vec<(&str, &str)> =
        vec![("bootstrap.servers", &k.brokers), ("group.id", &k.group_id)];
    base.extend_from_slice(CONSUMER_DEFAULTS);
    build(&base, &k.consumer, CONSUMER_FIXED, "consumer")
}

/// The producer's settings; `transactional_id` is set for exactly-once.
pub fn producer_config(
    k: &KafkaConfig,
    transactional_id: &str,
) -> Result<ClientConfig, PipelineError> {
    let mut base: Vec<(&str, &str)> = vec![("bootstrap.servers", &k.brokers)];
    base.extend_from_slice(PRODUCER_DEFAULTS);
    let mut c = build(&base, &k.producer, PRODUCER_FIXED, "producer")?;
    if k.delivery == Delivery::ExactlyOnce {
        c.set("transactional.id", transactional_id);
    }
    Ok(c)
}

/// `{group_id}.{instance}`: stable across restarts of one replica, distinct
/// between replicas. See docs/decisions/0020.
pub fn transactional_id(k: &KafkaConfig) -> String {
    let instance = k
        .instance_id
        .clone()
        .or_else(|| std::env::var("REDACTD_INSTANCE_ID").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "0".into());
    format!("{}.{}", k.group_id, instance)
}

/// librdkafka's own log lines (warnings and worse) and errors go to stderr.
/// They name brokers, topics and partitions, never record content.
fn log_line(level: RDKafkaLogLevel, fac: &str, msg: &str) {
    use RDKafkaLogLevel::{Alert, Critical, Emerg, Error, Warning};
    if matches!(level, Emerg | Alert | Critical | Error | Warning) {
        tracing::warn!(facility = fac, level = ?level, "librdkafka: {msg}");
    }
}

/// Consumer callbacks: remembers revoked partitions so the loop can drop
/// what it buffered for them, flags rebalances so the loop can update the
/// assignment gauge and readiness, and feeds librdkafka's statistics into
/// the lag gauge.
#[derive(Debug)]
pub struct ConsumerCtx {
    revoked: Mutex<Vec<(String, i32)>>,
    rebalanced: AtomicBool,
    metrics: Arc<Metrics>,
    /// Statistics that could not be read were reported once already.
    stats_failed: AtomicBool,
}

impl ConsumerCtx {
    /// Callbacks that report to `metrics`.
    pub fn new(metrics: Arc<Metrics>) -> Self {
        ConsumerCtx {
            revoked: Mutex::new(Vec::new()),
            rebalanced: AtomicBool::new(false),
            metrics,
            stats_failed: AtomicBool::new(false),
        }
    }

    /// Partitions revoked since the last call.
    pub fn take_revoked(&self) -> Vec<(String, i32)> {
        match self.revoked.lock() {
            Ok(mut g) => std::mem::take(&mut *g),
            Err(p) => std::mem::take(&mut *p.into_inner()),
        }
    }

    /// Whether a rebalance (assign or revoke) happened since the last call.
    pub fn take_rebalanced(&self) -> bool {
        self.rebalanced.swap(false, Ordering::AcqRel)
    }
}

impl ClientContext for ConsumerCtx {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, msg: &str) {
        log_line(level, fac, msg);
    }
    fn error(&self, error: KafkaError, reason: &str) {
        tracing::warn!(error = %error, reason, "consumer error");
    }
    /// The raw JSON straight into the lag gauge: no second parse into
    /// rdkafka's full `Statistics` type.
    fn stats_raw(&self, statistics: &[u8]) {
        if let Err(e) = self.metrics.set_lag_from_stats(statistics) {
            self.metrics.error("stats");
            if !self.stats_failed.swap(true, Ordering::AcqRel) {
                tracing::warn!(error = %e, "statistics unreadable; redactd_consumer_lag is not updated");
            }
        }
    }
}

impl ConsumerContext for ConsumerCtx {
    fn pre_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Revoke(tpl) => {
                let parts: Vec<(String, i32)> = tpl
                    .elements()
                    .iter()
                    .map(|e| (e.topic().to_string(), e.partition()))
                    .collect();
                tracing::info!(partitions = parts.len(), "partitions revoked");
                match self.revoked.lock() {
                    Ok(mut g) => g.extend(parts),
                    Err(p) => p.into_inner().extend(parts),
                }
            }
            Rebalance::Assign(tpl) => {
                tracing::info!(partitions = tpl.count(), "partitions assigned");
            }
            Rebalance::Error(e) => {
                self.metrics.error("kafka_rebalance");
                tracing::warn!(error = %e, "rebalance error");
            }
        }
    }

    fn post_rebalance(&self, _: &BaseConsumer<Self>, _: &Rebalance<'_>) {
        self.rebalanced.store(true, Ordering::Release);
    }
}

/// Producer callbacks: counts failed deliveries, which the at-least-once
/// path checks before committing (the transactional path learns the same
/// from `commit_transaction`).
#[derive(Debug, Default)]
pub struct ProducerCtx {
    failed: AtomicU64,
}

impl ProducerCtx {
    /// Failed deliveries so far.
    pub fn failed(&self) -> u64 {
        self.failed.load(Ordering::Acquire)
    }
}

impl ClientContext for ProducerCtx {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, msg: &str) {
        log_line(level, fac, msg);
    }
    fn error(&self, error: KafkaError, reason: &str) {
        tracing::warn!(error = %error, reason, "producer error");
    }
}

impl ProducerContext for ProducerCtx {
    type DeliveryOpaque = ();
    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            self.failed.fetch_add(1, Ordering::AcqRel);
            tracing::warn!(error = %e, "delivery failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_settings_cannot_be_overridden() {
        let mut k = KafkaConfig::default();
        k.consumer
            .insert("enable.auto.commit".into(), "true".into());
        let e = consumer_config(&k).expect_err("override");
        assert!(
            e.to_string().contains("kafka.consumer.enable.auto.commit"),
            "{e}"
        );
    }

    #[test]
    fn pass_through_and_transactional_id() {
        let mut k = KafkaConfig::default();
        k.producer.insert("security.protocol".into(), "ssl".into());
        k.instance_id = Some("pod-1".into());
        let tid = transactional_id(&k);
        assert_eq!(tid, "redactd.pod-1");
        let c = producer_config(&k, &tid).expect("config");
        assert_eq!(c.get("security.protocol"), Some("ssl"));
        assert_eq!(c.get("transactional.id"), Some("redactd.pod-1"));
        assert_eq!(c.get("enable.idempotence"), Some("true"));
        k.delivery = Delivery::AtLeastOnce;
        let c = producer_config(&k, &tid).expect("config");
        assert_eq!(c.get("transactional.id"), None);
    }

    #[test]
    fn statistics_are_on_by_default_and_can_be_tuned() {
        let mut k = KafkaConfig::default();
        let c = consumer_config(&k).expect("config");
        assert_eq!(c.get("statistics.interval.ms"), Some("5000"));
        k.consumer
            .insert("statistics.interval.ms".into(), "1000".into());
        let c = consumer_config(&k).expect("config");
        assert_eq!(c.get("statistics.interval.ms"), Some("1000"));
    }

    #[test]
    fn consumer_statistics_feed_the_lag_gauge() {
        let metrics = Metrics::new();
        let ctx = ConsumerCtx::new(metrics.clone());
        ctx.stats_raw(
            br#"{"topics":{"raw":{"partitions":{"3":{"partition":3,"consumer_lag":12}}}}}"#,
        );
        let text = metrics.render();
        assert!(
            text.contains(r#"redactd_consumer_lag{partition="3",topic="raw"} 12"#),
            "{text}"
        );
        ctx.stats_raw(b"not json");
        assert!(metrics
            .render()
            .contains(r#"redactd_errors_total{class="stats"} 1"#));
    }
}
