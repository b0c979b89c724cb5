//! Policy: what happens to each finding.
//!
//! A finding's action comes from, in order: the first `policy.fields` rule
//! whose JSON-path glob matches the value's pointer, the per-type
//! `policy.actions` entry, `policy.default_action`. Findings whose text is
//! on the allow-list are not acted on at all. Spans are rewritten left to
//! right into a new buffer, so offsets into the original stay valid.
//!
//! | action | output |
//! |---|---|
//! | `redact` | the template, `<{type}>` by default: `<EMAIL_ADDRESS>` |
//! | `mask` | letters and digits but the last N (default 4) become `*`; separators stay: `****-****-****-4242` |
//! | `hash` | `<EMAIL_ADDRESS:9f3a1c0b2d7e4f61>`: the first 8 bytes of HMAC-SHA-256(type ‖ 0 ‖ value), hex |
//! | `surrogate` | a fake of the same shape from the same HMAC ([`surrogate`]) |
//! | `encrypt` | `enc:v1:<key-id>:<base64url>`, AES-256-GCM (or AES-GCM-SIV with `deterministic: true`), the type as AAD |
//! | `drop` | the JSON member or element is removed; in text, the span |
//! | `keep` | unchanged, but counted |
//! | `quarantine` | the record is marked for quarantine (the span is also redacted, so a caller that ignores the mark still leaks nothing) |

mod glob;
pub mod surrogate;

pub use glob::{suggest, Glob};

use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;

use regex_automata::meta::Regex;

use crate::detect::{Engine, EntityId, Finding};
use crate::keys::Keyset;
use crate::record::Edit;

/// The redaction template's placeholder for the entity type.
const TYPE_PLACEHOLDER: &str = "{type}";

/// The default `redact` template.
pub const DEFAULT_TEMPLATE: &str = "<{type}>";

/// Default number of characters `mask` keeps.
pub const DEFAULT_KEEP_LAST: usize = 4;

/// Hex digits of a `hash` pseudonym (64 bits: collisions among a billion
/// distinct values stay unlikely, and the token stays short).
const HASH_HEX: usize = 16;

/// The kinds of action, as named in the config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    /// Replace with a template.
    Redact,
    /// Keep the last characters and the separators.
    Mask,
    /// Keyed pseudonym.
    Hash,
    /// Deterministic fake of the same shape.
    Surrogate,
    /// Reversible token.
    Encrypt,
    /// Remove the field (text: the span).
    Drop,
    /// Leave as is (counted).
    Keep,
    /// Send the whole record to quarantine.
    Quarantine,
}

impl ActionKind {
    /// Every action.
    pub const ALL: [ActionKind; 8] = [
        ActionKind::Redact,
        ActionKind::Mask,
        ActionKind::Hash,
        ActionKind::Surrogate,
        ActionKind::Encrypt,
        ActionKind::Drop,
        ActionKind::Keep,
        ActionKind::Quarantine,
    ];

    /// The config name (also the `action` metric label).
    pub fn name(self) -> &'static str {
        match self {
            ActionKind::Redact => "redact",
            ActionKind::Mask => "mask",
            ActionKind::Hash => "hash",
            ActionKind::Surrogate => "surrogate",
            ActionKind::Encrypt => "encrypt",
            ActionKind::Drop => "drop",
            ActionKind::Keep => "keep",
            ActionKind::Quarantine => "quarantine",
        }
    }

    /// The action named `s`.
    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|a| a.name() == s)
    }

    /// Whether the action needs a keyset.
    pub fn needs_keys(self) -> bool {
        matches!(
            self,
            ActionKind::Hash | ActionKind::Surrogate | ActionKind::Encrypt
        )
    }
}

/// An action with its options resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `template` with `{type}` replaced.
    Redact {
        /// The template.
        template: String,
    },
    /// Keep the last `keep_last` letters/digits, replace the others.
    Mask {
        /// Letters and digits kept at the end (at most half of them).
        keep_last: usize,
        /// The replacement character.
        mask_char: char,
    },
    /// `<TYPE:16hex>`.
    Hash,
    /// See [`surrogate`].
    Surrogate,
    /// `enc:v1:` token.
    Encrypt {
        /// AES-GCM-SIV with a derived nonce.
        deterministic: bool,
    },
    /// Remove.
    Drop,
    /// Leave.
    Keep,
    /// Whole record to quarantine.
    Quarantine,
}

impl Action {
    /// The kind of this action.
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::Redact { .. } => ActionKind::Redact,
            Action::Mask { .. } => ActionKind::Mask,
            Action::Hash => ActionKind::Hash,
            Action::Surrogate => ActionKind::Surrogate,
            Action::Encrypt { .. } => ActionKind::Encrypt,
            Action::Drop => ActionKind::Drop,
            Action::Keep => ActionKind::Keep,
            Action::Quarantine => ActionKind::Quarantine,
        }
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Action::Redact { template } => write!(f, "redact (template {template:?})"),
            Action::Mask {
                keep_last,
                mask_char,
            } => write!(f, "mask (keep_last {keep_last}, mask_char {mask_char:?})"),
            Action::Encrypt { deterministic } => {
                write!(f, "encrypt (deterministic {deterministic})")
            }
            other => f.write_str(other.kind().name()),
        }
    }
}

/// One finding the policy acted on: its type and the action applied
/// (for counts and metrics; never the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Applied {
    /// The entity type.
    pub entity: EntityId,
    /// The action applied.
    pub action: ActionKind,
}

/// What applying the policy to a record's values did, accumulated.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tally {
    /// Each finding acted on, in order.
    pub applied: Vec<Applied>,
    /// At least one finding asks for quarantine, or an action failed
    /// (fail closed).
    pub quarantine: bool,
}

/// The effective policy. Immutable and `Send + Sync`; built once.
#[derive(Debug, Clone)]
pub struct Policy {
    default: Action,
    /// Per entity type (index: `EntityId`), when the config names it.
    by_type: Vec<Option<Action>>,
    fields: Vec<(Glob, Action)>,
    allow_values: HashSet<Vec<u8>>,
    allow_patterns: Vec<String>,
    allow_set: Option<Regex>,
    keys: Option<Arc<Keyset>>,
    /// `policy.keys`; `None`: see [`Policy::key_action`].
    key_action: Option<Action>,
    /// `policy.headers`; `None`: the per-type actions.
    header_action: Option<Action>,
    /// The effective policy in words: what `config check` prints and what
    /// the policy id hashes.
    description: String,
}

impl Default for Policy {
    /// Every finding redacted to `<TYPE>`.
    fn default() -> Self {
        Policy {
            default: Action::Redact {
                template: DEFAULT_TEMPLATE.to_string(),
            },
            by_type: Vec::new(),
            fields: Vec::new(),
            allow_values: HashSet::new(),
            allow_patterns: Vec::new(),
            allow_set: None,
            keys: None,
            key_action: None,
            header_action: None,
            description: format!(
                "default_action: redact (template {DEFAULT_TEMPLATE:?})\nkeys: quarantine\nheaders: per type\n"
            ),
        }
    }
}

/// Builds a [`Policy`] from resolved values: what `config::check` makes
/// of the `policy:` section, or what a test or bench writes by hand. The
/// policy knows nothing of the config file, so the two modules do not
/// depend on each other both ways.
#[derive(Debug, Clone)]
pub struct PolicyBuilder {
    policy: Policy,
}

impl PolicyBuilder {
    /// A policy whose every finding gets `default`.
    pub fn new(default: Action) -> PolicyBuilder {
        PolicyBuilder {
            policy: Policy {
                default,
                ..Policy::default()
            },
        }
    }

    /// Findings of `entity` get `action` (unless a field rule matches).
    pub fn action(mut self, entity: EntityId, action: Action) -> PolicyBuilder {
        let i = usize::from(entity.0);
        if self.policy.by_type.len() <= i {
            self.policy.by_type.resize(i + 1, None);
        }
        self.policy.by_type[i] = Some(action);
        self
    }

    /// Findings inside values whose pointer matches `glob` get `action`,
    /// whatever their type; the first rule added wins.
    pub fn field(mut self, glob: Glob, action: Action) -> PolicyBuilder {
        self.policy.fields.push((glob, action));
        self
    }

    /// Values never acted on: exact texts, and regexes that must match a
    /// whole finding. A bad regex is an error with its index.
    pub fn allow(
        mut self,
        values: &[String],
        patterns: &[String],
    ) -> Result<PolicyBuilder, (usize, String)> {
        self.policy.allow_values = values.iter().map(|v| v.as_bytes().to_vec()).collect();
        for (i, p) in patterns.iter().enumerate() {
            Regex::new(p).map_err(|e| (i, format!("bad regex: {e}")))?;
        }
        if !patterns.is_empty() {
            let anchored: Vec<String> = patterns.iter().map(|p| format!("^(?:{p})$")).collect();
            let set = Regex::new_many(&anchored).map_err(|e| (0, format!("bad regex: {e}")))?;
            self.policy.allow_set = Some(set);
        }
        self.policy.allow_patterns = patterns.to_vec();
        Ok(self)
    }

    /// The keyset of `hash`, `surrogate` and `encrypt`. Without one those
    /// actions fail closed (the record goes to quarantine).
    pub fn keys(mut self, keys: Option<Arc<Keyset>>) -> PolicyBuilder {
        self.policy.keys = keys;
        self
    }

    /// The action for every finding in a record key (default: `hash`
    /// with a keyset, else `quarantine`; see [`Policy::key_action`]).
    pub fn record_keys(mut self, action: Action) -> PolicyBuilder {
        self.policy.key_action = Some(action);
        self
    }

    /// The action for every finding in a header value (default: the
    /// per-type actions, as in the value).
    pub fn headers(mut self, action: Action) -> PolicyBuilder {
        self.policy.header_action = Some(action);
        self
    }

    /// The policy, described against `engine`'s type names.
    pub fn build(mut self, engine: &Engine) -> Policy {
        self.policy.description = self.policy.describe(engine);
        self.policy
    }
}

impl Policy {
    /// The effective policy, one rule a line (YAML-like): what `redactd
    /// config check` prints. Allow-list values are counted, not shown.
    pub fn description(&self) -> &str {
        &self.description
    }

    fn describe(&self, engine: &Engine) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "default_action: {}", self.default);
        let mut types: Vec<(&str, &Action)> = self
            .by_type
            .iter()
            .enumerate()
            .filter_map(|(i, a)| Some((engine.entity_name(EntityId(i as u16)), a.as_ref()?)))
            .collect();
        types.sort_by_key(|t| t.0);
        if !types.is_empty() {
            s.push_str("actions:\n");
            for (t, a) in types {
                let _ = writeln!(s, "  {t}: {a}");
            }
        }
        if !self.fields.is_empty() {
            s.push_str("fields:\n");
            for (g, a) in &self.fields {
                let _ = writeln!(s, "  {:?}: {a}", g.as_str());
            }
        }
        let _ = writeln!(s, "keys: {}", self.key_action());
        match &self.header_action {
            Some(a) => {
                let _ = writeln!(s, "headers: {a}");
            }
            None => s.push_str("headers: per type\n"),
        }
        let _ = writeln!(
            s,
            "allow: {} values, {} patterns",
            self.allow_values.len(),
            self.allow_patterns.len()
        );
        s
    }

    /// Bytes that identify the allow-list contents (hashed into the policy
    /// id, never printed).
    pub fn allow_fingerprint(&self) -> Vec<u8> {
        let mut v: Vec<&Vec<u8>> = self.allow_values.iter().collect();
        v.sort();
        let mut out = Vec::new();
        for x in v {
            out.extend_from_slice(x);
            out.push(0);
        }
        for p in &self.allow_patterns {
            out.extend_from_slice(p.as_bytes());
            out.push(0);
        }
        out
    }

    /// The keyset the policy's actions use, if any.
    pub fn keys(&self) -> Option<&Keyset> {
        self.keys.as_deref()
    }

    /// Whether a finding's text is on the allow-list.
    pub fn allowed(&self, span: &[u8]) -> bool {
        self.allow_values.contains(span)
            || self.allow_set.as_ref().is_some_and(|r| r.is_match(span))
    }

    /// The action for a finding of `entity` under the field rule `field`
    /// (see [`Policy::field_rule`]).
    pub fn action_for(&self, entity: EntityId, field: Option<usize>) -> &Action {
        if let Some(i) = field {
            return &self.fields[i].1;
        }
        self.by_type
            .get(entity.0 as usize)
            .and_then(Option::as_ref)
            .unwrap_or(&self.default)
    }

    /// The first field rule matching `pointer`, if any.
    pub fn field_rule(&self, pointer: &str) -> Option<usize> {
        self.fields.iter().position(|(g, _)| g.matches(pointer))
    }

    /// Applies the policy to one value's findings (sorted, not
    /// overlapping). `json` says the value is a JSON leaf: `drop` then
    /// removes the whole member, and spans are widened to whole UTF-8
    /// characters. Each finding acted on is pushed to `tally`.
    pub fn apply(
        &self,
        engine: &Engine,
        pointer: &str,
        text: &[u8],
        findings: &[Finding],
        json: bool,
        tally: &mut Tally,
    ) -> Edit {
        if findings.is_empty() {
            return Edit::Keep;
        }
        let field = if self.fields.is_empty() {
            None
        } else {
            self.field_rule(pointer)
        };
        self.rewrite(engine, text, findings, json, tally, |entity| {
            self.action_for(entity, field)
        })
    }

    /// The action for a finding in a record key: `policy.keys`, else the
    /// keyed pseudonym (`hash`), so that equal keys stay equal and
    /// compaction and partitioning keep working; without a keyset,
    /// `quarantine` (an unkeyed hash of an SSN is reversed by trying them
    /// all).
    pub fn key_action(&self) -> &Action {
        static HASH: Action = Action::Hash;
        static QUARANTINE: Action = Action::Quarantine;
        match (&self.key_action, &self.keys) {
            (Some(a), _) => a,
            (None, Some(_)) => &HASH,
            (None, None) => &QUARANTINE,
        }
    }

    /// Applies the key action to a record key's findings (text rules:
    /// `drop` removes the span).
    pub fn apply_key(
        &self,
        engine: &Engine,
        key: &[u8],
        findings: &[Finding],
        tally: &mut Tally,
    ) -> Edit {
        let action = self.key_action();
        self.rewrite(engine, key, findings, false, tally, |_| action)
    }

    /// Applies `policy.headers`, else the per-type actions, to a header
    /// value's findings (text rules).
    pub fn apply_header(
        &self,
        engine: &Engine,
        value: &[u8],
        findings: &[Finding],
        tally: &mut Tally,
    ) -> Edit {
        match &self.header_action {
            Some(a) => self.rewrite(engine, value, findings, false, tally, |_| a),
            None => self.rewrite(engine, value, findings, false, tally, |e| {
                self.action_for(e, None)
            }),
        }
    }

    /// Rewrites `text` with each finding's span replaced per `action_of`.
    fn rewrite<'a>(
        &'a self,
        engine: &Engine,
        text: &[u8],
        findings: &[Finding],
        json: bool,
        tally: &mut Tally,
        action_of: impl Fn(EntityId) -> &'a Action,
    ) -> Edit {
        if findings.is_empty() {
            return Edit::Keep;
        }
        let mut out = Vec::with_capacity(text.len() + findings.len() * 16);
        let mut last = 0;
        let mut changed = false;
        let mut drop_leaf = false;
        for f in findings {
            let (mut s, mut e) = (f.start.max(last), f.end.min(text.len()));
            if json {
                while s > last && s < text.len() && (text[s] & 0xC0) == 0x80 {
                    s -= 1;
                }
                while e < text.len() && (text[e] & 0xC0) == 0x80 {
                    e += 1;
                }
            }
            if s >= e {
                continue;
            }
            let span = &text[s..e];
            if self.allowed(span) {
                continue;
            }
            let action = action_of(f.entity);
            tally.applied.push(Applied {
                entity: f.entity,
                action: action.kind(),
            });
            let entity = engine.entity_name(f.entity);
            out.extend_from_slice(&text[last..s]);
            last = e;
            match self.render(action, entity, span, &mut out) {
                Render::Same => out.extend_from_slice(span),
                Render::Changed => changed = true,
                Render::Dropped => {
                    changed = true;
                    drop_leaf |= json;
                }
                Render::Quarantine => {
                    changed = true;
                    tally.quarantine = true;
                }
            }
        }
        if drop_leaf {
            return Edit::Drop;
        }
        if !changed {
            return Edit::Keep;
        }
        out.extend_from_slice(&text[last..]);
        Edit::Replace(out)
    }

    /// Appends the replacement of `span` to `out`.
    fn render(&self, action: &Action, entity: &str, span: &[u8], out: &mut Vec<u8>) -> Render {
        match action {
            Action::Keep => Render::Same,
            Action::Drop => Render::Dropped,
            Action::Redact { template } => {
                out.extend_from_slice(template.replace(TYPE_PLACEHOLDER, entity).as_bytes());
                Render::Changed
            }
            Action::Quarantine => {
                out.extend_from_slice(
                    DEFAULT_TEMPLATE
                        .replace(TYPE_PLACEHOLDER, entity)
                        .as_bytes(),
                );
                Render::Quarantine
            }
            Action::Mask {
                keep_last,
                mask_char,
            } => {
                mask(span, *keep_last, *mask_char, out);
                Render::Changed
            }
            Action::Hash | Action::Surrogate | Action::Encrypt { .. } => {
                // `build` refuses these without keys; fail closed anyway.
                let Some(keys) = &self.keys else {
                    out.extend_from_slice(
                        DEFAULT_TEMPLATE
                            .replace(TYPE_PLACEHOLDER, entity)
                            .as_bytes(),
                    );
                    return Render::Quarantine;
                };
                match action {
                    Action::Hash => hash(keys, entity, span, out),
                    Action::Surrogate => {
                        let mac = keys.pseudonym(entity, span);
                        out.extend_from_slice(&surrogate::surrogate(entity, span, &mac));
                    }
                    Action::Encrypt { deterministic } => {
                        match keys.encrypt(entity, span, *deterministic) {
                            Ok(token) => out.extend_from_slice(token.as_bytes()),
                            Err(_) => {
                                out.extend_from_slice(
                                    DEFAULT_TEMPLATE
                                        .replace(TYPE_PLACEHOLDER, entity)
                                        .as_bytes(),
                                );
                                return Render::Quarantine;
                            }
                        }
                    }
                    _ => {}
                }
                Render::Changed
            }
        }
    }
}

/// What `render` did with a span.
enum Render {
    /// Nothing written: the caller copies the span.
    Same,
    /// A replacement was written.
    Changed,
    /// Nothing written: the span (JSON: the leaf) goes.
    Dropped,
    /// A placeholder was written and the record is for quarantine.
    Quarantine,
}

/// `<TYPE:16hex>` of the keyed pseudonym.
pub fn hash(keys: &Keyset, entity: &str, value: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mac = keys.pseudonym(entity, value);
    out.push(b'<');
    out.extend_from_slice(entity.as_bytes());
    out.push(b':');
    for b in &mac[..HASH_HEX / 2] {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 15)]);
    }
    out.push(b'>');
}

/// Masks letters and digits of `value` but the last `keep_last` (at most
/// half of them, so a short value is never mostly shown); everything else
/// (separators, `@`, spaces) stays. Works on UTF-8 characters; invalid
/// UTF-8 bytes are masked.
pub fn mask(value: &[u8], keep_last: usize, mask_char: char, out: &mut Vec<u8>) {
    let text = String::from_utf8_lossy(value);
    let alnum = text.chars().filter(|c| c.is_alphanumeric()).count();
    let keep = keep_last.min(alnum / 2);
    let mut seen = 0;
    let mut buf = [0u8; 4];
    for c in text.chars() {
        if c.is_alphanumeric() || c == char::REPLACEMENT_CHARACTER {
            seen += usize::from(c.is_alphanumeric());
            if c.is_alphanumeric() && seen > alnum - keep {
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            } else {
                out.extend_from_slice(mask_char.encode_utf8(&mut buf).as_bytes());
            }
        } else {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(v: &str, n: usize) -> String {
        let mut out = Vec::new();
        mask(v.as_bytes(), n, '*', &mut out);
        String::from_utf8(out).expect("utf8")
    }

    #[test]
    fn mask_keeps_separators_and_the_last_n() {
        assert_eq!(masked("4242-4242-4242-4242", 4), "****-****-****-4242");
        assert_eq!(masked("4242 4242 4242 4242", 0), "**** **** **** ****");
        assert_eq!(masked("jane.doe@example.com", 4), "****.***@******e.com");
        // Never more than half: a 3-letter value shows one.
        assert_eq!(masked("Ann", 4), "**n");
        assert_eq!(masked("Zoë Ünal", 2), "*** **al");
    }
}
