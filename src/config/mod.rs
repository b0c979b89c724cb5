//! The config file (`redactd.yaml`): one schema for every command.
//!
//! Every section denies unknown keys so that a typo is an error that names
//! the key path, not a silently ignored setting. Each section owns its
//! defaults, so an empty file (or no file) is a valid config that means
//! "built-in packs, redact everything to `<TYPE>`".

pub mod check;
pub mod env;
pub mod kafka;
pub mod policy;

use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use kafka::{Delivery, KafkaConfig};
pub use policy::{ActionSpec, FieldRule, PolicyConfig};

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
    /// What happens to each finding.
    pub policy: PolicyConfig,
    /// Where the keyset comes from.
    pub keys: KeysConfig,
    /// The metrics and health endpoint.
    pub metrics: MetricsConfig,
    /// How the daemon logs.
    pub log: LogConfig,
    /// The file this config came from (`None`: built-in defaults). Errors
    /// name it, and relative paths inside it (packs, dictionaries, the
    /// keyset, the audit log) are resolved against its folder, so a config
    /// means the same thing whatever the working directory.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// `record:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RecordConfig {
    /// `auto`, `json`, `text` or `hl7`.
    pub format: String,
    /// Records larger than this (key, value and headers) go to
    /// quarantine. Default: what the producer can write
    /// (`kafka.producer."message.max.bytes"`, 1,000,000 by default) less
    /// room for redactd's headers, so that every record that passes can
    /// be written.
    pub max_record_bytes: Option<usize>,
    /// JSON nesting deeper than this goes to quarantine.
    pub max_depth: usize,
}

impl Default for RecordConfig {
    fn default() -> Self {
        RecordConfig {
            format: "auto".into(),
            max_record_bytes: None,
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
    /// Deny-list dictionaries: every whole-word occurrence of a term is a
    /// finding of the dictionary's type.
    pub dictionaries: Vec<DictionaryConfig>,
    /// Values never touched, whatever detects them.
    pub allow: AllowConfig,
}

impl Default for DetectionConfig {
    fn default() -> Self {
        DetectionConfig {
            packs: vec!["builtin".into()],
            min_score: crate::detect::DEFAULT_MIN_SCORE,
            dictionaries: Vec::new(),
            allow: AllowConfig::default(),
        }
    }
}

/// One entry of `detection.dictionaries`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DictionaryConfig {
    /// Entity type of every match (an existing type or a new UPPER_SNAKE
    /// one such as `PROJECT_CODENAME`).
    #[serde(rename = "type")]
    pub entity: String,
    /// The term file: one term a line, blank lines skipped.
    pub file: PathBuf,
    /// Match ASCII letters regardless of case.
    #[serde(default)]
    pub case_insensitive: bool,
}

/// `detection.allow`: a finding whose whole text equals one of `values`
/// or fully matches one of `patterns` is left alone (not counted).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AllowConfig {
    /// Exact values (case-sensitive).
    pub values: Vec<String>,
    /// Regexes that must match the whole finding.
    pub patterns: Vec<String>,
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

/// `log:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` (one line, `key=value` fields) or `json` (one object a line).
    pub format: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: "text".into(),
        }
    }
}

/// A config that could not be read, does not fit the schema, or names
/// something that does not exist. Never holds record content or key
/// material.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{}: {source}", file.display())]
    Io {
        /// The config file.
        file: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A key holds a value that is not valid (an empty `path`: the file
    /// is not valid YAML; the reason gives the line).
    #[error("{origin}: {}{reason}", if path.is_empty() { String::new() } else { format!("{path}: ") })]
    Invalid {
        /// The config file (or `<defaults>` without one).
        origin: String,
        /// Dotted key path at fault (e.g. `kafka.delivery`,
        /// `detection.dictionaries[0].file`).
        path: String,
        /// Why.
        reason: String,
    },
}

impl ConfigError {
    /// The dotted key path at fault, when the error is about one key.
    pub fn key_path(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { path, .. } => Some(path),
            ConfigError::Io { .. } => None,
        }
    }
}

impl Config {
    /// Reads and parses a config file, then applies `REDACTD_*`
    /// environment overrides (see [`env`]).
    pub fn load(file: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Io {
            file: file.to_path_buf(),
            source,
        })?;
        Config::parse_with_env(&text, env::process_vars())
            .map(|mut c| {
                c.file = Some(file.to_path_buf());
                c
            })
            .map_err(|(path, reason)| ConfigError::Invalid {
                origin: file.display().to_string(),
                path,
                reason,
            })
    }

    /// The config of a run without `--config`: defaults plus `REDACTD_*`
    /// overrides.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::parse_with_env("", env::process_vars()).map_err(|(path, reason)| {
            ConfigError::Invalid {
                origin: "<environment>".into(),
                path,
                reason,
            }
        })
    }

    /// Parses config text; on error returns the key path and the reason.
    pub fn parse(text: &str) -> Result<Config, (String, String)> {
        Config::parse_with_env(text, std::iter::empty())
    }

    /// Parses config text with the given environment applied on top.
    pub fn parse_with_env(
        text: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, (String, String)> {
        let mut tree: serde_norway::Value = if text.trim().is_empty() {
            serde_norway::Value::Null
        } else {
            serde_norway::from_str(text).map_err(|e| (String::new(), e.to_string()))?
        };
        let overridden = env::apply(&mut tree, vars)?;
        if tree.is_null() {
            tree = serde_norway::Value::Mapping(Default::default());
        }
        let config: Config = serde_path_to_error::deserialize(tree).map_err(|e| {
            let path = e.path().to_string();
            let mut reason = e.into_inner().to_string();
            if let Some(var) = env::var_for(&overridden, &path) {
                reason.push_str(&format!(" (set by {var})"));
            }
            (path, reason)
        })?;
        check::syntax(&config).map_err(|(path, reason)| {
            let reason = match env::var_for(&overridden, &path) {
                Some(var) => format!("{reason} (set by {var})"),
                None => reason,
            };
            (path, reason)
        })?;
        Ok(config)
    }

    /// The display name of where this config came from.
    pub fn origin(&self) -> String {
        self.file
            .as_ref()
            .map_or_else(|| "<defaults>".to_string(), |f| f.display().to_string())
    }

    /// `p` resolved against the config file's folder when relative.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        match self.file.as_ref().and_then(|f| f.parent()) {
            Some(dir) if p.is_relative() && !dir.as_os_str().is_empty() => dir.join(p),
            _ => p.to_path_buf(),
        }
    }

    /// An error about key `path` of this config.
    pub fn error(&self, path: impl Into<String>, reason: impl Into<String>) -> ConfigError {
        ConfigError::Invalid {
            origin: self.origin(),
            path: path.into(),
            reason: reason.into(),
        }
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

    #[test]
    fn yaml_syntax_errors_give_the_line() {
        let (path, reason) = Config::parse("kafka:\n  brokers: [a\n").expect_err("syntax");
        assert_eq!(path, "");
        assert!(reason.contains("line"), "{reason}");
        let e = ConfigError::Invalid {
            origin: "c.yaml".into(),
            path,
            reason: "bad".into(),
        };
        assert_eq!(e.to_string(), "c.yaml: bad");
    }

    #[test]
    fn range_and_address_errors_name_their_key() {
        let (path, _) = Config::parse("metrics:\n  listen: nowhere\n").expect_err("bad addr");
        assert_eq!(path, "metrics.listen");
        let (path, _) = Config::parse("detection:\n  min_score: 3\n").expect_err("range");
        assert_eq!(path, "detection.min_score");
        let (path, _) = Config::parse("record:\n  format: xml\n").expect_err("format");
        assert_eq!(path, "record.format");
        let (path, _) =
            Config::parse("detection:\n  dictionaries:\n    - {type: lower, file: x}\n")
                .expect_err("type");
        assert_eq!(path, "detection.dictionaries[0].type");
    }

    #[test]
    fn relative_paths_resolve_against_the_config_folder() {
        let c = Config {
            file: Some(PathBuf::from("/etc/redactd/redactd.yaml")),
            ..Config::default()
        };
        assert_eq!(
            c.resolve(Path::new("codenames.txt")),
            PathBuf::from("/etc/redactd/codenames.txt")
        );
        assert_eq!(c.resolve(Path::new("/x/y")), PathBuf::from("/x/y"));
    }
}
