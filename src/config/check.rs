//! `config::check`: the one place a config is validated.
//!
//! Two stages, both here: [`syntax`] checks what the file alone can tell
//! (ranges, addresses, names; run by every parse), and [`check`] builds
//! what the config names (packs, dictionaries, keyset, policy) and checks
//! it against the loaded packs. Every error names the key at fault. The
//! policy and the engine are built from resolved values (`PolicyBuilder`,
//! `EngineBuilder`), so neither module knows the config file exists.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::{ActionSpec, Config, ConfigError, KafkaConfig, PolicyConfig};
use crate::detect::{Dictionary, Engine, EngineBuilder};
use crate::keys::Keyset;
use crate::policy::{suggest, Action, ActionKind, Glob, Policy, PolicyBuilder, DEFAULT_KEEP_LAST};
use crate::record::{Format, Limits};

/// librdkafka's default `message.max.bytes` for the producer: the largest
/// record redactd can write unless `kafka.producer` raises it.
pub const PRODUCER_MAX_BYTES: usize = 1_000_000;

/// Room kept under the producer limit for the headers redactd adds
/// (`redactd-findings`, `redactd-policy`, `redactd-error`,
/// `redactd-source`) and the record's framing.
pub const HEADROOM_BYTES: usize = 512;

/// Everything a config describes, built and checked.
#[derive(Debug)]
pub struct Checked {
    /// The compiled packs and dictionaries.
    pub engine: Engine,
    /// The policy, checked against the engine's types.
    pub policy: Policy,
    /// `record.format`.
    pub format: Format,
    /// `record.max_record_bytes` (default: what the producer can write,
    /// less [`HEADROOM_BYTES`]) and `record.max_depth`.
    pub limits: Limits,
    /// The largest output record (key, value and headers) the producer
    /// accepts: `kafka.producer."message.max.bytes"`, else
    /// [`PRODUCER_MAX_BYTES`].
    pub max_output_bytes: usize,
    /// Loading warnings (a keyset file others may read).
    pub warnings: Vec<String>,
    /// Bytes that identify the dictionaries' contents, for the policy id.
    pub fingerprint: Vec<u8>,
}

/// Builds and checks everything the config names; `check_examples` runs
/// every detector's examples first.
pub fn check(cfg: &Config, check_examples: bool) -> Result<Checked, ConfigError> {
    syntax(cfg).map_err(|(p, r)| cfg.error(p, r))?;
    let engine = engine(cfg, check_examples)?;
    let (keys, warnings) = load_keys(cfg)?;
    let policy = policy(cfg, &engine, keys.map(Arc::new))?;
    let mut fingerprint = Vec::new();
    for dc in &cfg.detection.dictionaries {
        // Read again only to hash: the engine keeps no terms' text.
        if let Ok(text) = std::fs::read(cfg.resolve(&dc.file)) {
            fingerprint.extend_from_slice(&Sha256::digest(&text));
        }
    }
    let max_output_bytes = max_output_bytes(&cfg.kafka).map_err(|(p, r)| cfg.error(p, r))?;
    let limits = Limits {
        max_record_bytes: cfg
            .record
            .max_record_bytes
            .unwrap_or(max_output_bytes.saturating_sub(HEADROOM_BYTES).max(1)),
        max_depth: cfg.record.max_depth,
    };
    let format = cfg
        .record
        .format
        .parse()
        .map_err(|e: String| cfg.error("record.format", e))?;
    Ok(Checked {
        engine,
        policy,
        format,
        limits,
        max_output_bytes,
        warnings,
        fingerprint,
    })
}

/// The producer's `message.max.bytes`, from `kafka.producer` or librdkafka's
/// default.
pub fn max_output_bytes(k: &KafkaConfig) -> Result<usize, (String, String)> {
    match k.producer.get("message.max.bytes") {
        None => Ok(PRODUCER_MAX_BYTES),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n >= 1000)
            .ok_or_else(|| {
                (
                    "kafka.producer.message.max.bytes".into(),
                    format!("{v:?} is not a byte count of at least 1000"),
                )
            }),
    }
}

/// The engine a config describes: its packs (`builtin` and files or
/// folders, relative to the config file), `min_score` and deny-list
/// dictionaries.
pub fn engine(cfg: &Config, check_examples: bool) -> Result<Engine, ConfigError> {
    let d = &cfg.detection;
    let builtin = d.packs.iter().any(|p| p == "builtin");
    let mut b = EngineBuilder::new()
        .builtin(builtin)
        .min_score(d.min_score)
        .check_examples(check_examples);
    for (i, p) in d.packs.iter().enumerate() {
        if p == "builtin" {
            continue;
        }
        b = b
            .pack_path(&cfg.resolve(std::path::Path::new(p)))
            .map_err(|e| cfg.error(format!("detection.packs[{i}]"), e.to_string()))?;
    }
    for (i, dc) in d.dictionaries.iter().enumerate() {
        let file = cfg.resolve(&dc.file);
        let dict = Dictionary::load(&file, &dc.entity, dc.case_insensitive)
            .map_err(|e| cfg.error(format!("detection.dictionaries[{i}].file"), e.to_string()))?;
        if dict.terms().next().is_none() {
            return Err(cfg.error(
                format!("detection.dictionaries[{i}].file"),
                format!("{}: no terms (one term a line)", file.display()),
            ));
        }
        b = b.dictionary(dict);
    }
    b.build()
        .map_err(|e| cfg.error("detection.packs", e.to_string()))
}

/// The policy of a config against the loaded engine: entity types must be
/// ones the engine reports (with a "did you mean" when close to one), and
/// actions that need keys need `keys`.
pub fn policy(
    cfg: &Config,
    engine: &Engine,
    keys: Option<Arc<Keyset>>,
) -> Result<Policy, ConfigError> {
    let p: &PolicyConfig = &cfg.policy;
    let err = |path: String, reason: String| cfg.error(path, reason);
    let checked = |spec: &ActionSpec, path: String| {
        let kind = spec.check(&path).map_err(|(p, r)| err(p, r))?;
        if kind.needs_keys() && keys.is_none() {
            return Err(err(
                path,
                format!(
                    "action {} needs a keyset: set keys.file or {}",
                    kind.name(),
                    crate::keys::KEYSET_ENV
                ),
            ));
        }
        Ok(resolve(spec, kind, &p.template))
    };
    let mut b = PolicyBuilder::new(checked(&p.default_action, "policy.default_action".into())?);
    for (ty, spec) in &p.actions {
        let path = format!("policy.actions.{ty}");
        let Some(id) = engine.entity_id(ty) else {
            let hint = match suggest(ty, engine.entity_names()) {
                Some(s) => format!(" (did you mean {s}?)"),
                None => " (see `redactd patterns list` for the loaded types)".into(),
            };
            return Err(err(path, format!("unknown entity type{hint}")));
        };
        b = b.action(id, checked(spec, path)?);
    }
    for (i, rule) in p.fields.iter().enumerate() {
        let glob =
            Glob::parse(&rule.path).map_err(|r| err(format!("policy.fields[{i}].path"), r))?;
        b = b.field(
            glob,
            checked(&rule.spec(), format!("policy.fields[{i}].action"))?,
        );
    }
    if let Some(spec) = &p.keys {
        b = b.record_keys(checked(spec, "policy.keys".into())?);
    }
    if let Some(spec) = &p.headers {
        b = b.headers(checked(spec, "policy.headers".into())?);
    }
    let allow = &cfg.detection.allow;
    let b = b
        .allow(&allow.values, &allow.patterns)
        .map_err(|(i, r)| err(format!("detection.allow.patterns[{i}]"), r))?;
    Ok(b.keys(keys).build(engine))
}

/// An action as written, with its options resolved against the policy's
/// template and the defaults.
fn resolve(spec: &ActionSpec, kind: ActionKind, template: &str) -> Action {
    match kind {
        ActionKind::Redact => Action::Redact {
            template: spec
                .template
                .clone()
                .unwrap_or_else(|| template.to_string()),
        },
        ActionKind::Mask => Action::Mask {
            keep_last: spec.keep_last.unwrap_or(DEFAULT_KEEP_LAST),
            mask_char: spec.mask_char.unwrap_or('*'),
        },
        ActionKind::Hash => Action::Hash,
        ActionKind::Surrogate => Action::Surrogate,
        ActionKind::Encrypt => Action::Encrypt {
            deterministic: spec.deterministic.unwrap_or(false),
        },
        ActionKind::Drop => Action::Drop,
        ActionKind::Keep => Action::Keep,
        ActionKind::Quarantine => Action::Quarantine,
    }
}

/// The keyset of a config, if any, and its warnings.
fn load_keys(cfg: &Config) -> Result<(Option<Keyset>, Vec<String>), ConfigError> {
    let file = cfg.keys.file.as_ref().map(|f| cfg.resolve(f));
    match Keyset::load_from(file.as_deref()) {
        Ok(Some((k, w))) => Ok((Some(k), w)),
        Ok(None) => Ok((None, Vec::new())),
        Err(e) => {
            let path = if file.is_some() {
                "keys.file".to_string()
            } else {
                format!("keys.file (from {})", crate::keys::KEYSET_ENV)
            };
            Err(cfg.error(path, e.to_string()))
        }
    }
}

/// The `kafka:` section of `redactd run`: inputs given one way, outputs
/// that are not inputs, batch limits above 0.
pub fn kafka(cfg: &Config) -> Result<(), ConfigError> {
    let k = &cfg.kafka;
    let bad = |key: &str, why: &str| Err(cfg.error(format!("kafka.{key}"), why));
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
        let out = k.output_topic.replace("{topic}", t);
        if out == *t || *t == k.quarantine_topic {
            return bad(
                "output_topic",
                "an input topic cannot also be an output topic",
            );
        }
    }
    Ok(())
}

/// What the file alone can tell: value ranges, addresses, names. Run by
/// every parse; returns the key path and the reason.
pub(super) fn syntax(cfg: &Config) -> Result<(), (String, String)> {
    let bad = |p: &str, r: String| Err((p.to_string(), r));
    if let Err(e) = cfg.record.format.parse::<Format>() {
        return bad("record.format", e);
    }
    if cfg.record.max_record_bytes == Some(0) {
        return bad("record.max_record_bytes", "must be at least 1".into());
    }
    if !(0.0..=1.0).contains(&cfg.detection.min_score) {
        return bad(
            "detection.min_score",
            format!("{} is outside 0..=1", cfg.detection.min_score),
        );
    }
    if cfg.metrics.listen.parse::<std::net::SocketAddr>().is_err() {
        return bad(
            "metrics.listen",
            format!(
                "{:?} is not an address:port (e.g. 0.0.0.0:9464)",
                cfg.metrics.listen
            ),
        );
    }
    if let Err(e) = cfg.log.format.parse::<crate::log::LogFormat>() {
        return bad("log.format", e);
    }
    if cfg.kafka.brokers.trim().is_empty() {
        return bad("kafka.brokers", "must not be empty".into());
    }
    if !cfg.kafka.input_topics.is_empty() && cfg.kafka.input_pattern.is_some() {
        return bad(
            "kafka.input_pattern",
            "give input_topics or input_pattern, not both".into(),
        );
    }
    if let Some(p) = &cfg.kafka.input_pattern {
        if let Err(e) = regex_automata::meta::Regex::new(p.trim_start_matches('^')) {
            return bad("kafka.input_pattern", format!("bad regex: {e}"));
        }
    }
    max_output_bytes(&cfg.kafka)?;
    for (i, d) in cfg.detection.dictionaries.iter().enumerate() {
        if !crate::detect::pack::is_upper_snake(&d.entity) {
            return bad(
                &format!("detection.dictionaries[{i}].type"),
                format!("{:?} is not an UPPER_SNAKE entity type", d.entity),
            );
        }
    }
    super::policy::check_syntax(&cfg.policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_names_the_key() {
        let cfg = Config::default();
        let e = kafka(&cfg).expect_err("no inputs");
        assert_eq!(e.key_path(), Some("kafka.input_topics"), "{e}");
        let mut cfg = Config::default();
        cfg.kafka.input_topics = vec!["a".into()];
        cfg.kafka.output_topic = "a".into();
        let e = kafka(&cfg).expect_err("loop");
        assert_eq!(e.key_path(), Some("kafka.output_topic"), "{e}");
        cfg.kafka.output_topic = "curated.{topic}".into();
        kafka(&cfg).expect("valid");
    }

    #[test]
    fn record_limit_defaults_to_what_the_producer_can_write() {
        let cfg = Config::parse("").expect("config");
        let c = check(&cfg, false).expect("check");
        assert_eq!(c.max_output_bytes, PRODUCER_MAX_BYTES);
        assert_eq!(
            c.limits.max_record_bytes,
            PRODUCER_MAX_BYTES - HEADROOM_BYTES
        );
        let cfg = Config::parse("kafka:\n  producer:\n    message.max.bytes: '4000000'\n")
            .expect("config");
        let c = check(&cfg, false).expect("check");
        assert_eq!(c.max_output_bytes, 4_000_000);
        assert_eq!(c.limits.max_record_bytes, 4_000_000 - HEADROOM_BYTES);
        let (path, _) = Config::parse("kafka:\n  producer:\n    message.max.bytes: lots\n")
            .expect_err("bad size");
        assert_eq!(path, "kafka.producer.message.max.bytes");
    }

    #[test]
    fn key_and_header_actions_are_checked_like_the_others() {
        let cfg = Config::parse("policy:\n  keys: hash\n").expect("config");
        let e = check(&cfg, false).expect_err("hash without keys");
        assert_eq!(e.key_path(), Some("policy.keys"), "{e}");
        let cfg =
            Config::parse("policy:\n  headers: {action: mask, keep_last: 2}\n  keys: redact\n")
                .expect("config");
        let c = check(&cfg, false).expect("check");
        assert_eq!(c.policy.key_action().kind(), ActionKind::Redact);
        assert!(
            c.policy.description().contains("headers: mask"),
            "{}",
            c.policy.description()
        );
        let (path, _) = Config::parse("policy:\n  headers: scramble\n").expect_err("unknown");
        assert_eq!(path, "policy.headers");
    }
}
