//! The config file (`redactd.yaml`): one schema for every command.
//!
//! Every section denies unknown keys so that a typo is an error that names
//! the key path, not a silently ignored setting. Each section owns its
//! defaults, so an empty file (or no file) is a valid config that means
//! "built-in packs, redact everything to `<TYPE>`".

pub mod kafka;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use kafka::{Delivery, KafkaConfig};

/// The whole config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where records come from and go to (`redactd run`).
    pub kafka: KafkaConfig,
    /// How records are parsed and bounded.
    pub record: RecordConfig,
    /// Which packs, dictionaries and allow-lists the engine uses.
    pub detection: DetectionConfig,
    /// What happens to each finding (kept as raw YAML until the policy
    /// schema lands; see issue 3).
    pub policy: serde_norway::Value,
    /// Where the keyset comes from.
    pub keys: KeysConfig,
    /// The metrics and health endpoint.
    pub metrics: MetricsConfig,
}

/// `record:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecordConfig {
    /// `auto`, `json` or `text`.
    pub format: String,
    /// Records larger than this go to quarantine.
    pub max_record_bytes: usize,
    /// JSON nesting deeper than this goes to quarantine.
    pub max_depth: usize,
}

impl Default for RecordConfig {
    fn default() -> Self {
        RecordConfig {
            format: "auto".into(),
            max_record_bytes: crate::record::DEFAULT_MAX_RECORD_BYTES,
            max_depth: crate::record::DEFAULT_MAX_DEPTH,
        }
    }
}

/// `detection:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DetectionConfig {
    /// `builtin` and/or pack files or folders.
    pub packs: Vec<String>,
    /// Findings scoring under this are dropped.
    pub min_score: f32,
    /// Deny-list dictionaries (shape settled by issue 3).
    pub dictionaries: Vec<serde_norway::Value>,
    /// Allow-lists (shape settled by issue 3).
    pub allow: serde_norway::Value,
}

impl Default for DetectionConfig {
    fn default() -> Self {
        DetectionConfig {
            packs: vec!["builtin".into()],
            min_score: crate::detect::DEFAULT_MIN_SCORE,
            dictionaries: Vec::new(),
            allow: serde_norway::Value::Null,
        }
    }
}

/// `keys:` section.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeysConfig {
    /// Keyset file; `REDACTD_KEYSET` is used when unset.
    pub file: Option<PathBuf>,
    /// Where `reveal` appends its audit lines.
    pub audit_log: Option<PathBuf>,
}

/// `metrics:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// Address of `/metrics`, `/healthz` and `/readyz`.
    pub listen: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            listen: "0.0.0.0:9464".into(),
        }
    }
}

/// A config file that could not be read or does not fit the schema.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The config file.
        file: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not valid YAML or does not fit the schema.
    #[error("{file}: {path}: {reason}")]
    Invalid {
        /// The config file.
        file: PathBuf,
        /// Dotted key path at fault (e.g. `kafka.delivery`).
        path: String,
        /// Why.
        reason: String,
    },
}

impl Config {
    /// Reads and parses a config file.
    pub fn load(file: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Io {
            file: file.to_path_buf(),
            source,
        })?;
        Config::parse(&text).map_err(|(path, reason)| ConfigError::Invalid {
            file: file.to_path_buf(),
            path,
            reason,
        })
    }

    /// Parses config text; on error returns the key path and the reason.
    pub fn parse(text: &str) -> Result<Config, (String, String)> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let de = serde_norway::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let reason = e.into_inner().to_string();
            (path, reason)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_text_is_the_default_config() {
        let c = Config::parse("").expect("empty config");
        assert_eq!(c.detection.packs, vec!["builtin".to_string()]);
        assert_eq!(c.kafka.delivery, Delivery::ExactlyOnce);
    }

    #[test]
    fn example_kafka_config_parses() {
        let c = Config::parse(include_str!("../../examples/redactd-kafka.yaml"))
            .expect("examples/redactd-kafka.yaml");
        assert_eq!(c.kafka.input_topics, vec!["raw.events".to_string()]);
        assert_eq!(c.kafka.delivery, Delivery::ExactlyOnce);
        assert_eq!(c.record.format, "json");
    }

    #[test]
    fn unknown_key_names_its_path() {
        let (path, reason) = Config::parse("kafka:\n  brokerz: x\n").expect_err("typo");
        assert_eq!(path, "kafka.brokerz");
        assert!(reason.contains("brokerz"), "{reason}");
    }
}
