//! `policy:` section: the default action, per-type actions and per-path
//! rules, as written. Action and entity names are checked against the
//! loaded packs by [`crate::config::check`], which is where "did
//! you mean" suggestions come from.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::policy::{suggest, ActionKind, Glob};

/// `policy:` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PolicyConfig {
    /// The action of a finding no other rule covers.
    pub default_action: ActionSpec,
    /// The `redact` template; `{type}` is the entity type.
    pub template: String,
    /// Per entity type actions (`EMAIL_ADDRESS: hash`).
    pub actions: BTreeMap<String, ActionSpec>,
    /// Per JSON-path rules, first match wins; they win over `actions`.
    pub fields: Vec<FieldRule>,
    /// The action for findings in record keys, whatever their type.
    /// Default: `hash` (the keyed pseudonym: equal keys stay equal, so
    /// compaction and partitioning keep working) with a keyset, else
    /// `quarantine`.
    pub keys: Option<ActionSpec>,
    /// The action for findings in header values, whatever their type.
    /// Default: the per-type actions, as in the value.
    pub headers: Option<ActionSpec>,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            default_action: ActionSpec::named("redact"),
            template: crate::policy::DEFAULT_TEMPLATE.into(),
            actions: BTreeMap::new(),
            fields: Vec::new(),
            keys: None,
            headers: None,
        }
    }
}

/// An action as written: a name (`hash`) or a table with options
/// (`{action: mask, keep_last: 2}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionSpec {
    /// `redact`, `mask`, `hash`, `surrogate`, `encrypt`, `drop`, `keep`
    /// or `quarantine`.
    pub action: String,
    /// `redact` only: the template (default `policy.template`).
    pub template: Option<String>,
    /// `mask` only: characters kept at the end (default 4; never more than
    /// half the value's letters and digits).
    pub keep_last: Option<usize>,
    /// `mask` only: the masking character (default `*`).
    pub mask_char: Option<char>,
    /// `encrypt` only: AES-GCM-SIV, equal values give equal tokens.
    pub deterministic: Option<bool>,
}

impl ActionSpec {
    /// An action by name without options.
    pub fn named(action: &str) -> ActionSpec {
        ActionSpec {
            action: action.into(),
            ..ActionSpec::default()
        }
    }

    /// Checks the name and that each option belongs to the action; `path`
    /// is the key path of this spec.
    pub fn check(&self, path: &str) -> Result<ActionKind, (String, String)> {
        let kind = ActionKind::parse(&self.action).ok_or_else(|| {
            let names: Vec<&str> = ActionKind::ALL.iter().map(|a| a.name()).collect();
            let hint = match suggest(&self.action, names.iter().copied()) {
                Some(s) => format!(" (did you mean {s}?)"),
                None => format!(" (one of: {})", names.join(", ")),
            };
            (
                path.to_string(),
                format!("unknown action {:?}{hint}", self.action),
            )
        })?;
        let only = |set: bool, key: &str, owner: ActionKind| {
            if set && kind != owner {
                Err((
                    path.to_string(),
                    format!(
                        "`{key}` is an option of {}, not of {}",
                        owner.name(),
                        kind.name()
                    ),
                ))
            } else {
                Ok(())
            }
        };
        only(self.template.is_some(), "template", ActionKind::Redact)?;
        only(self.keep_last.is_some(), "keep_last", ActionKind::Mask)?;
        only(self.mask_char.is_some(), "mask_char", ActionKind::Mask)?;
        only(
            self.deterministic.is_some(),
            "deterministic",
            ActionKind::Encrypt,
        )?;
        Ok(kind)
    }
}

impl fmt::Display for ActionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.action)
    }
}

/// The table form of an [`ActionSpec`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionTable {
    action: String,
    template: Option<String>,
    keep_last: Option<usize>,
    mask_char: Option<char>,
    deterministic: Option<bool>,
}

impl<'de> Deserialize<'de> for ActionSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ActionSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an action name (redact, mask, hash, …) or a table {action: …}")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ActionSpec, E> {
                Ok(ActionSpec::named(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<ActionSpec, A::Error> {
                let t = ActionTable::deserialize(de::value::MapAccessDeserializer::new(m))?;
                Ok(ActionSpec {
                    action: t.action,
                    template: t.template,
                    keep_last: t.keep_last,
                    mask_char: t.mask_char,
                    deterministic: t.deterministic,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// One `policy.fields` rule: findings inside the JSON values whose pointer
/// matches `path` get this action, whatever their type.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldRule {
    /// A JSON Pointer glob: `*` is any text inside one segment, `**` (a
    /// whole segment) any number of segments: `/user/email`,
    /// `/items/*/card`, `/internal/**`.
    pub path: String,
    /// The action name.
    pub action: String,
    /// As in [`ActionSpec`].
    pub template: Option<String>,
    /// As in [`ActionSpec`].
    pub keep_last: Option<usize>,
    /// As in [`ActionSpec`].
    pub mask_char: Option<char>,
    /// As in [`ActionSpec`].
    pub deterministic: Option<bool>,
}

impl FieldRule {
    /// The rule's action as an [`ActionSpec`].
    pub fn spec(&self) -> ActionSpec {
        ActionSpec {
            action: self.action.clone(),
            template: self.template.clone(),
            keep_last: self.keep_last,
            mask_char: self.mask_char,
            deterministic: self.deterministic,
        }
    }
}

/// Everything about the policy that does not need the loaded packs.
pub(crate) fn check_syntax(p: &PolicyConfig) -> Result<(), (String, String)> {
    p.default_action.check("policy.default_action")?;
    for (ty, spec) in &p.actions {
        spec.check(&format!("policy.actions.{ty}"))?;
    }
    for (i, rule) in p.fields.iter().enumerate() {
        Glob::parse(&rule.path).map_err(|r| (format!("policy.fields[{i}].path"), r))?;
        rule.spec().check(&format!("policy.fields[{i}].action"))?;
    }
    if let Some(spec) = &p.keys {
        spec.check("policy.keys")?;
    }
    if let Some(spec) = &p.headers {
        spec.check("policy.headers")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::config::Config;

    #[test]
    fn actions_take_a_name_or_a_table() {
        let c = Config::parse(
            "policy:\n  default_action: {action: redact, template: '[{type}]'}\n  actions:\n    EMAIL_ADDRESS: hash\n    CREDIT_CARD: {action: mask, keep_last: 2}\n  fields:\n    - {path: /internal/**, action: keep}\n",
        )
        .expect("config");
        assert_eq!(
            c.policy.default_action.template.as_deref(),
            Some("[{type}]")
        );
        assert_eq!(c.policy.actions["EMAIL_ADDRESS"].action, "hash");
        assert_eq!(c.policy.actions["CREDIT_CARD"].keep_last, Some(2));
        assert_eq!(c.policy.fields[0].action, "keep");
    }

    #[test]
    fn errors_name_the_key_path() {
        let cases = [
            (
                "policy:\n  actions:\n    EMAIL_ADDRESS: hsh\n",
                "policy.actions.EMAIL_ADDRESS",
                "did you mean hash?",
            ),
            (
                "policy:\n  actions:\n    CREDIT_CARD: {action: mask, keep_lst: 2}\n",
                "policy.actions.CREDIT_CARD.keep_lst",
                "unknown field",
            ),
            (
                "policy:\n  actions:\n    CREDIT_CARD: {action: hash, keep_last: 2}\n",
                "policy.actions.CREDIT_CARD",
                "option of mask",
            ),
            (
                "policy:\n  fields:\n    - {path: user/email, action: hash}\n",
                "policy.fields[0].path",
                "must start with /",
            ),
            (
                "policy:\n  fields:\n    - {path: /a/**b, action: hash}\n",
                "policy.fields[0].path",
                "whole segment",
            ),
            (
                "policy:\n  default_action: encrpyt\n",
                "policy.default_action",
                "did you mean encrypt?",
            ),
        ];
        for (text, path, reason) in cases {
            let (p, r) = Config::parse(text).expect_err(text);
            assert_eq!(p, path, "{text}: {r}");
            assert!(r.contains(reason), "{text}: {r}");
        }
    }
}
