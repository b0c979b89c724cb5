//! `REDACTD_*` environment overrides: one variable sets one top-level key
//! of one section, so a container can change a broker list or a default
//! action without a new config file.
//!
//! `REDACTD_<SECTION>_<KEY>` sets `<section>.<key>` (lower-cased):
//!
//! | variable | key |
//! |---|---|
//! | `REDACTD_KAFKA_BROKERS` | `kafka.brokers` |
//! | `REDACTD_KAFKA_INPUT_TOPICS` | `kafka.input_topics` (YAML flow list: `[raw.a, raw.b]`) |
//! | `REDACTD_RECORD_MAX_RECORD_BYTES` | `record.max_record_bytes` |
//! | `REDACTD_DETECTION_MIN_SCORE` | `detection.min_score` |
//! | `REDACTD_POLICY_DEFAULT_ACTION` | `policy.default_action` |
//! | `REDACTD_KEYS_FILE` | `keys.file` |
//! | `REDACTD_METRICS_LISTEN` | `metrics.listen` |
//!
//! Values are read as YAML (numbers, booleans, `[a, b]` lists, `{k: v}`
//! maps), except that a value which would read as a map without starting
//! with `{` (`host: 9092`) stays a string. Two variables are not keys:
//! `REDACTD_CONFIG` (the config file, read by the CLI) and
//! `REDACTD_KEYSET` (a keyset path or JSON, read by `keys`). A variable
//! whose name does not start with a section is ignored; an unknown key
//! inside a section is an error naming the variable.

use serde_norway::{Mapping, Value};

/// The config sections, as their `REDACTD_` prefixes see them.
const SECTIONS: &[&str] = &["kafka", "record", "detection", "policy", "keys", "metrics"];

/// The prefix of every override.
pub const PREFIX: &str = "REDACTD_";

/// The process environment's `REDACTD_*` variables that are valid UTF-8
/// (`std::env::vars` would panic on any other variable that is not).
pub(crate) fn process_vars() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, _)| k.starts_with(PREFIX))
        .collect()
}

/// Applies the overrides found in `vars` to `tree`; returns (key path,
/// variable) for each key set, so errors can name the variable.
pub(crate) fn apply(
    tree: &mut Value,
    vars: impl IntoIterator<Item = (String, String)>,
) -> Result<Vec<(String, String)>, (String, String)> {
    let mut set = Vec::new();
    let mut vars: Vec<(String, String)> = vars
        .into_iter()
        .filter(|(k, _)| k.starts_with(PREFIX))
        .collect();
    vars.sort();
    for (var, raw) in vars {
        let Some((section, key)) = split(&var) else {
            continue;
        };
        let path = format!("{section}.{key}");
        if tree.is_null() {
            *tree = Value::Mapping(Mapping::new());
        }
        let Value::Mapping(root) = tree else {
            return Err((String::new(), "the config is not a mapping".into()));
        };
        let sec = root
            .entry(Value::String(section.to_string()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
        if sec.is_null() {
            *sec = Value::Mapping(Mapping::new());
        }
        let Value::Mapping(sec) = sec else {
            return Err((
                section.to_string(),
                format!("is not a mapping, so {var} cannot set {path}"),
            ));
        };
        sec.insert(Value::String(key), value(&raw));
        set.push((path, var));
    }
    Ok(set)
}

/// `REDACTD_KAFKA_GROUP_ID` → (`kafka`, `group_id`).
fn split(var: &str) -> Option<(&'static str, String)> {
    let rest = var.strip_prefix(PREFIX)?.to_ascii_lowercase();
    SECTIONS.iter().find_map(|&s| {
        let key = rest.strip_prefix(s)?.strip_prefix('_')?;
        (!key.is_empty()).then(|| (s, key.to_string()))
    })
}

/// An override's value as YAML, or as the plain string.
fn value(raw: &str) -> Value {
    match serde_norway::from_str::<Value>(raw) {
        Ok(Value::Mapping(_)) if !raw.trim_start().starts_with('{') => {
            Value::String(raw.to_string())
        }
        Ok(Value::Null) if !raw.trim().is_empty() && raw.trim() != "null" => {
            Value::String(raw.to_string())
        }
        Ok(v) => v,
        Err(_) => Value::String(raw.to_string()),
    }
}

/// The variable that set `path` or a key under it, if any.
pub(crate) fn var_for<'a>(set: &'a [(String, String)], path: &str) -> Option<&'a str> {
    set.iter()
        .find(|(p, _)| {
            path == p
                || path
                    .strip_prefix(p.as_str())
                    .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
        })
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Delivery};

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_variable_overrides_one_key() {
        let c = Config::parse_with_env(
            "kafka:\n  brokers: a:9092\n  group_id: g\n",
            env(&[
                ("REDACTD_KAFKA_BROKERS", "b:9092,c:9092"),
                ("REDACTD_KAFKA_DELIVERY", "at_least_once"),
                ("REDACTD_KAFKA_INPUT_TOPICS", "[raw.a, raw.b]"),
                ("REDACTD_DETECTION_MIN_SCORE", "0.7"),
                ("REDACTD_KEYSET", "/not/a/key"),
                ("HOME", "/root"),
            ]),
        )
        .expect("config");
        assert_eq!(c.kafka.brokers, "b:9092,c:9092");
        assert_eq!(c.kafka.group_id, "g");
        assert_eq!(c.kafka.delivery, Delivery::AtLeastOnce);
        assert_eq!(c.kafka.input_topics, vec!["raw.a", "raw.b"]);
        assert!((c.detection.min_score - 0.7).abs() < 1e-6);
    }

    #[test]
    fn a_bad_override_names_the_variable() {
        let (path, reason) =
            Config::parse_with_env("", env(&[("REDACTD_KAFKA_BROKERZ", "x")])).expect_err("typo");
        assert_eq!(path, "kafka.brokerz");
        assert!(reason.contains("REDACTD_KAFKA_BROKERZ"), "{reason}");
        let (path, reason) =
            Config::parse_with_env("", env(&[("REDACTD_METRICS_LISTEN", "nowhere")]))
                .expect_err("addr");
        assert_eq!(path, "metrics.listen");
        assert!(reason.contains("REDACTD_METRICS_LISTEN"), "{reason}");
    }
}
