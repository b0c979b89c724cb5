//! The record → engine → policy path, shared by the CLI and the daemon:
//! [`Sanitizer::process`] (in [`process`]) is the only way an input record
//! becomes output, curated or quarantined.

mod process;

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::config::{check, Config, ConfigError};
use crate::detect::{Engine, Finding, Found, Scratch};
use crate::policy::{ActionKind, Applied, Policy, Tally};
use crate::record::{Format, Limits, Record};
#[cfg(any(test, feature = "fault-injection"))]
pub use process::PANIC_KEY;
pub use process::{
    Class, Curated, Header, Input, Outcome, Quarantined, HEADER_FINDINGS, HEADER_POLICY,
};

/// Scans records and applies the policy. Cheap to clone, `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Sanitizer {
    engine: Arc<Engine>,
    policy: Arc<Policy>,
    policy_id: String,
    warnings: Vec<String>,
    /// How values are parsed (`record.format`).
    format: Format,
    /// Input bounds (`record.max_record_bytes`, `record.max_depth`).
    limits: Limits,
    /// The largest record the producer writes: a larger output goes to
    /// quarantine as a reference instead of failing the batch.
    max_output_bytes: usize,
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

impl Sanitizer {
    /// Pairs an engine with a policy.
    /// Records are parsed as `auto` within the default limits.
    pub fn new(engine: Arc<Engine>, policy: Policy) -> Self {
        let policy_id = compute_policy_id(&engine, &policy, &[]);
        Sanitizer {
            engine,
            policy: Arc::new(policy),
            policy_id,
            warnings: Vec::new(),
            format: Format::Auto,
            limits: Limits::default(),
            max_output_bytes: check::PRODUCER_MAX_BYTES,
        }
    }

    /// The same, parsing per `format` within `limits`.
    pub fn with_record(mut self, format: Format, limits: Limits) -> Self {
        self.format = format;
        self.limits = limits;
        self
    }

    /// The same, with outputs up to `bytes` (key, value and headers).
    pub fn with_max_output_bytes(mut self, bytes: usize) -> Self {
        self.max_output_bytes = bytes;
        self
    }

    /// Everything a config describes, built and checked by
    /// [`check::check`] (which runs every detector's examples first).
    pub fn from_config(cfg: &Config) -> Result<Sanitizer, ConfigError> {
        let c = check::check(cfg, true)?;
        let policy_id = compute_policy_id(&c.engine, &c.policy, &c.fingerprint);
        Ok(Sanitizer {
            engine: Arc::new(c.engine),
            policy: Arc::new(c.policy),
            policy_id,
            warnings: c.warnings,
            format: c.format,
            limits: c.limits,
            max_output_bytes: c.max_output_bytes,
        })
    }

    /// The input limits.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// How values are parsed.
    pub fn format(&self) -> Format {
        self.format
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
