//! The record → engine → policy path, shared by the CLI and the daemon.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::config::{Config, ConfigError};
use crate::detect::{Dictionary, Engine, EngineBuilder, Finding, Found, Scratch};
use crate::keys::Keyset;
use crate::policy::{ActionKind, Applied, Policy, Tally};
use crate::record::Record;

/// Scans records and applies the policy. Cheap to clone, `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Sanitizer {
    engine: Arc<Engine>,
    policy: Arc<Policy>,
    policy_id: String,
    warnings: Vec<String>,
}

/// Per-thread state for a [`Sanitizer`].
#[derive(Debug, Default)]
pub struct Workspace {
    scratch: Scratch,
    findings: Vec<Finding>,
    /// A copy of the value with placeholders neutralised (see
    /// [`neutralize`]).
    neutral: Vec<u8>,
    /// The record's found values, for propagation.
    found: Found,
    /// The findings of one value that the policy changes.
    changed: Vec<Finding>,
}

/// What sanitizing one record did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Report {
    /// Findings acted on (allow-listed ones are not here), in document
    /// order: `findings.len()` is the `redactd-findings` count.
    pub findings: Vec<Applied>,
    /// Some finding's action is `quarantine`, or an action failed (fail
    /// closed): the record must go to quarantine whole, not to the output.
    pub quarantine: bool,
}

impl Report {
    /// (entity type, action) of each finding acted on, for metrics labels.
    pub fn labels<'a>(
        &'a self,
        sanitizer: &'a Sanitizer,
    ) -> impl Iterator<Item = (&'a str, &'static str)> + 'a {
        self.findings
            .iter()
            .map(|a| (sanitizer.engine.entity_name(a.entity), a.action.name()))
    }

    /// How many findings got `action`.
    pub fn count(&self, action: ActionKind) -> usize {
        self.findings.iter().filter(|a| a.action == action).count()
    }
}

/// The engine a config describes: its packs (`builtin` and files or
/// folders, relative to the config file), `min_score` and deny-list
/// dictionaries. `check_examples` runs every detector's examples first.
pub fn build_engine(cfg: &Config, check_examples: bool) -> Result<Engine, ConfigError> {
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

impl Sanitizer {
    /// Pairs an engine with a policy.
    pub fn new(engine: Arc<Engine>, policy: Policy) -> Self {
        let policy_id = compute_policy_id(&engine, &policy, &[]);
        Sanitizer {
            engine,
            policy: Arc::new(policy),
            policy_id,
            warnings: Vec::new(),
        }
    }

    /// Everything a config describes: the engine ([`build_engine`]), the
    /// keyset (`keys.file`, else `REDACTD_KEYSET`) and the policy. An
    /// action that needs keys without a keyset is an error naming the
    /// action's key; so is every unknown type, action or path glob.
    pub fn from_config(cfg: &Config) -> Result<Sanitizer, ConfigError> {
        let engine = build_engine(cfg, true)?;
        let (keys, warnings) = load_keys(cfg)?;
        let policy = Policy::build(
            &cfg.policy,
            &cfg.detection.allow,
            &engine,
            keys.map(Arc::new),
            &cfg.origin(),
        )?;
        let mut extra = Vec::new();
        for dc in &cfg.detection.dictionaries {
            // Read again only to hash: the engine keeps no terms' text.
            if let Ok(text) = std::fs::read(cfg.resolve(&dc.file)) {
                extra.extend_from_slice(&Sha256::digest(&text));
            }
        }
        let policy_id = compute_policy_id(&engine, &policy, &extra);
        Ok(Sanitizer {
            engine: Arc::new(engine),
            policy: Arc::new(policy),
            policy_id,
            warnings,
        })
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// A short stable id of the effective policy and detector set (16 hex
    /// digits of a SHA-256): the `redactd-policy` header, so a consumer
    /// can tell which rules sanitized a record.
    pub fn policy_id(&self) -> String {
        self.policy_id.clone()
    }

    /// Warnings from loading (a keyset file others may read).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Scans every leaf; `f` receives each leaf's pointer and findings
    /// (only leaves with findings, allow-listed findings left out).
    pub fn scan(
        &self,
        record: &mut Record,
        ws: &mut Workspace,
        mut f: impl FnMut(&str, &[Finding]),
    ) {
        let mut look = |ctx: &crate::record::LeafCtx<'_>, text: &[u8], ws: &mut Workspace| {
            let seen = neutralize(text, &mut ws.neutral);
            self.engine
                .scan_field(seen, ctx.keys, &mut ws.scratch, &mut ws.findings);
            ws.findings
                .retain(|x| !self.policy.allowed(&text[x.start..x.end.min(text.len())]));
            if !ws.findings.is_empty() {
                f(ctx.pointer, &ws.findings);
            }
            crate::record::Edit::Keep
        };
        record.edit_leaves(|ctx, text| look(ctx, text, ws));
        // A member name's findings carry the member's pointer.
        record.edit_keys(key_may_hold_data, |ctx, text| look(ctx, text, ws));
    }

    /// Sanitizes `record` in place: every leaf, then every object member
    /// name, then the other occurrences of what was found (propagation:
    /// `Merci Frédéric` after `Patient: Frédéric Boutin`).
    pub fn sanitize(&self, record: &mut Record, ws: &mut Workspace) -> Report {
        let mut tally = Tally::default();
        let is_json = matches!(record, Record::Json(_));
        ws.found.clear();
        // `again`: the propagation pass, which looks only for the values
        // the first pass changed.
        let mut visit =
            |ctx: &crate::record::LeafCtx<'_>, text: &[u8], ws: &mut Workspace, again: bool| {
                if again {
                    self.engine
                        .occurrences(text, &mut ws.found, &mut ws.findings);
                } else {
                    let seen = neutralize(text, &mut ws.neutral);
                    self.engine
                        .scan_field(seen, ctx.keys, &mut ws.scratch, &mut ws.findings);
                    // Only what the policy changes is looked for again: a kept
                    // or allow-listed value stays everywhere.
                    let field = self.policy.field_rule(ctx.pointer);
                    ws.changed.clear();
                    ws.changed.extend(ws.findings.iter().copied().filter(|f| {
                        let span = text.get(f.start..f.end).unwrap_or_default();
                        !self.policy.allowed(span)
                            && self.policy.action_for(f.entity, field).kind() != ActionKind::Keep
                    }));
                    self.engine.remember(text, &ws.changed, &mut ws.found);
                }
                self.policy.apply(
                    &self.engine,
                    ctx.pointer,
                    text,
                    &ws.findings,
                    is_json,
                    &mut tally,
                )
            };
        for again in [false, true] {
            if again && ws.found.is_empty() {
                break;
            }
            record.edit_leaves(|ctx, text| visit(ctx, text, ws, again));
            record.edit_keys(key_may_hold_data, |ctx, text| visit(ctx, text, ws, again));
        }
        Report {
            findings: tally.applied,
            quarantine: tally.quarantine,
        }
    }
}

/// Whether a JSON member name can hold personal data: anything but a
/// plain identifier of ASCII letters, `_` and `-` (`user_name`,
/// `firstName`). Emails, numbers, spaces and other scripts are scanned.
fn key_may_hold_data(key: &[u8]) -> bool {
    !key.iter()
        .all(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'-')
}

/// What the engine scans: `text`, or, when it holds placeholders that
/// redactd itself writes (`<TYPE>`, `<TYPE:16hex>`), a copy of it (in
/// `buf`) with each placeholder's bytes set to NUL. A placeholder is not
/// data, and must not be context either: `token=<SLACK_TOKEN> channel=C5`
/// would otherwise read as an XML `<…TOKEN>` tag followed by a secret, and
/// sanitizing sanitized output would change it. Same length, so spans
/// found in the copy are spans of `text`.
fn neutralize<'a>(text: &'a [u8], buf: &'a mut Vec<u8>) -> &'a [u8] {
    let mut first = true;
    for at in memchr::memchr_iter(b'<', text) {
        let Some(len) = placeholder_len(&text[at..]) else {
            continue;
        };
        if first {
            buf.clear();
            buf.extend_from_slice(text);
            first = false;
        }
        buf[at..at + len].fill(0);
    }
    if first {
        text
    } else {
        buf
    }
}

/// Length of the `<TYPE>` or `<TYPE:16hex>` placeholder at the start of
/// `t`, if one is there.
fn placeholder_len(t: &[u8]) -> Option<usize> {
    let name = t[1..]
        .iter()
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'_')
        .count();
    if name < 2 || !t.get(1).is_some_and(u8::is_ascii_uppercase) {
        return None;
    }
    let mut end = 1 + name;
    if t.get(end) == Some(&b':') {
        let hex = t[end + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        if hex != 16 {
            return None;
        }
        end += 1 + hex;
    }
    (t.get(end) == Some(&b'>')).then_some(end + 1)
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

fn compute_policy_id(engine: &Engine, policy: &Policy, extra: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(b"redactd-policy-v1\0");
    h.update(policy.description().as_bytes());
    h.update(policy.allow_fingerprint());
    h.update(engine.min_score().to_le_bytes());
    for d in engine.detectors() {
        h.update(d.id().as_bytes());
        h.update([0]);
        h.update(engine.entity_name(d.entity()).as_bytes());
        h.update([0]);
        h.update(engine.pack_of(d).name.as_bytes());
        h.update([0]);
    }
    if let Some(k) = policy.keys() {
        // Which keys, never their material: a rotation changes the id.
        h.update(k.primary_id().as_bytes());
        h.update([0]);
        h.update(k.hmac_id().as_bytes());
    }
    h.update(extra);
    let d = h.finalize();
    d[..8].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_neutral() {
        let mut buf = Vec::new();
        let t = b"token=<SLACK_TOKEN> id <EMAIL_ADDRESS:0123456789abcdef> <b> <A> <X:12>";
        let n = neutralize(t, &mut buf).to_vec();
        assert_eq!(n.len(), t.len());
        let shown: String = n
            .iter()
            .map(|&b| if b == 0 { '.' } else { char::from(b) })
            .collect();
        assert_eq!(
            shown,
            "token=............. id ................................ <b> <A> <X:12>"
        );
        let plain = b"no placeholders <here>";
        assert!(std::ptr::eq(neutralize(plain, &mut buf), &plain[..]));
    }
}
