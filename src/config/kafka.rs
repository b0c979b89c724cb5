//! `kafka:` section: what `redactd run` reads, writes and how it commits.

use std::collections::BTreeMap;

use serde::Deserialize;

/// How output and offsets are tied together.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Transactional producer; offsets committed inside the transaction.
    #[default]
    ExactlyOnce,
    /// Offsets stored only after the output was acknowledged.
    AtLeastOnce,
}

/// `kafka:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KafkaConfig {
    /// `bootstrap.servers`.
    pub brokers: String,
    /// Consumer group id (also the stem of the transactional id).
    pub group_id: String,
    /// Input topics by name.
    pub input_topics: Vec<String>,
    /// Input topics by regex (librdkafka `^…` subscription).
    pub input_pattern: Option<String>,
    /// Output topic; `{topic}` is replaced by the input topic's name.
    pub output_topic: String,
    /// Where records that cannot be sanitized go, whole.
    pub quarantine_topic: String,
    /// `exactly_once` (default) or `at_least_once`.
    pub delivery: Delivery,
    /// A batch (one transaction) closes at this many records...
    pub batch_max_records: usize,
    /// ...or this many input bytes...
    pub batch_max_bytes: usize,
    /// ...or after this long.
    pub batch_max_ms: u64,
    /// SIGTERM: how long to finish the open batch before exiting.
    pub drain_timeout_ms: u64,
    /// How long a failing batch (broker away, output or quarantine topic
    /// not writable) is retried before the daemon exits non-zero without
    /// committing: long enough to ride out a broker restart, short enough
    /// that a stuck daemon is noticed.
    pub retry_timeout_ms: u64,
    /// Stable name of this replica: the transactional id is
    /// `{group_id}.{instance_id}`, so a restarted replica fences its
    /// crashed predecessor at once instead of waiting out
    /// `transaction.timeout.ms`. Default: `$REDACTD_INSTANCE_ID`, else
    /// `$HOSTNAME` (a StatefulSet pod name), else `0`.
    pub instance_id: Option<String>,
    /// librdkafka consumer settings passed through as given.
    pub consumer: BTreeMap<String, String>,
    /// librdkafka producer settings passed through as given.
    pub producer: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            brokers: "127.0.0.1:9092".into(),
            group_id: "redactd".into(),
            input_topics: Vec::new(),
            input_pattern: None,
            output_topic: "curated.{topic}".into(),
            quarantine_topic: "redactd.quarantine".into(),
            delivery: Delivery::ExactlyOnce,
            batch_max_records: 1000,
            batch_max_bytes: 8 << 20,
            batch_max_ms: 100,
            drain_timeout_ms: 10_000,
            retry_timeout_ms: 120_000,
            instance_id: None,
            consumer: BTreeMap::new(),
            producer: BTreeMap::new(),
        }
    }
}
