//! [`Sanitizer::process`]: one input record (key, value, headers) to one
//! [`Outcome`], curated or quarantined with a reason [`Class`]. The daemon
//! and `redact` both call it, so parsing, limits, the scan of the value,
//! the key and the headers, the policy and the size check of the result
//! are written once. No I/O here.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::{neutralize, Sanitizer, Workspace};
use crate::config::check::HEADROOM_BYTES;
use crate::detect::Finding;
use crate::policy::{ActionKind, Applied, Tally};
use crate::record::{Edit, JsonError, Record, RecordError};

/// Header with the number of findings acted on in the record.
pub const HEADER_FINDINGS: &str = "redactd-findings";
/// Header with the id of the effective policy and packs.
pub const HEADER_POLICY: &str = "redactd-policy";

/// One header of an input record. Keys are bytes: Kafka does not promise
/// UTF-8, and a key that is not is a reason class, not a crash.
#[derive(Debug, Clone, Copy)]
pub struct Header<'a> {
    /// The header's name.
    pub key: &'a [u8],
    /// Its value (`None`: a null value).
    pub value: Option<&'a [u8]>,
}

/// One input record.
#[derive(Debug, Clone, Copy, Default)]
pub struct Input<'a> {
    /// The record key (`None`: no key).
    pub key: Option<&'a [u8]>,
    /// The value (`None`: a tombstone).
    pub value: Option<&'a [u8]>,
    /// The headers, in order.
    pub headers: &'a [Header<'a>],
}

impl<'a> Input<'a> {
    /// A record that is only a value (a line given to `redact`).
    pub fn value(value: &'a [u8]) -> Input<'a> {
        Input {
            key: None,
            value: Some(value),
            headers: &[],
        }
    }

    /// Key, value and header bytes: what `max_record_bytes` bounds.
    pub fn size(&self) -> usize {
        self.key.map_or(0, <[u8]>::len)
            + self.value.map_or(0, <[u8]>::len)
            + self
                .headers
                .iter()
                .map(|h| h.key.len() + h.value.map_or(0, <[u8]>::len))
                .sum::<usize>()
    }
}

/// Why a record went to quarantine. A short, stable name for the
/// `redactd-error` header and the `class` metric label; never content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// The value is not JSON (`format: json`).
    InvalidJson,
    /// JSON nested deeper than `max_depth`.
    TooDeep,
    /// Key, value and headers over `max_record_bytes`.
    TooLarge,
    /// `format: hl7` and no `MSH` header.
    InvalidHl7,
    /// A header name that is not UTF-8 (the producer cannot write it).
    InvalidHeader,
    /// The policy's `quarantine` action, or an action that failed.
    Policy,
    /// The sanitized record, or the quarantine copy, is larger than the
    /// producer writes: a payload-less reference goes to quarantine.
    TooLargeOutput,
    /// Processing panicked: a bug, contained to this record.
    Internal,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 8] = [
        Class::InvalidJson,
        Class::TooDeep,
        Class::TooLarge,
        Class::InvalidHl7,
        Class::InvalidHeader,
        Class::Policy,
        Class::TooLargeOutput,
        Class::Internal,
    ];

    /// The header value and metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::InvalidJson => "invalid_json",
            Class::TooDeep => "too_deep",
            Class::TooLarge => "too_large",
            Class::InvalidHl7 => "invalid_hl7",
            Class::InvalidHeader => "invalid_header",
            Class::Policy => "policy",
            Class::TooLargeOutput => "too_large_output",
            Class::Internal => "internal",
        }
    }

    /// What the class means, for a person reading `redact`'s messages.
    pub fn describe(self) -> &'static str {
        match self {
            Class::InvalidJson => "not JSON",
            Class::TooDeep => "JSON nested deeper than max_depth",
            Class::TooLarge => "key, value and headers over max_record_bytes",
            Class::InvalidHl7 => "not an HL7 v2 message",
            Class::InvalidHeader => "a header name that is not UTF-8",
            Class::Policy => "the policy quarantines it",
            Class::TooLargeOutput => "the sanitized record is larger than the producer writes",
            Class::Internal => "an internal error (a bug) while processing it",
        }
    }

    fn of(e: &RecordError) -> Class {
        match e {
            RecordError::Json(JsonError::Syntax { .. }) => Class::InvalidJson,
            RecordError::Json(JsonError::TooDeep { .. }) => Class::TooDeep,
            RecordError::TooLarge { .. } => Class::TooLarge,
            RecordError::NotHl7 => Class::InvalidHl7,
        }
    }
}

impl std::fmt::Display for Class {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A record for the curated topic: nothing the policy changes is left in
/// its key, value or headers.
#[derive(Debug, Clone, PartialEq)]
pub struct Curated {
    /// The key, its findings replaced (`policy.keys`).
    pub key: Option<Vec<u8>>,
    /// The sanitized value (`None`: a tombstone stays one).
    pub value: Option<Vec<u8>>,
    /// The input headers minus `redactd-*` ones, their values sanitized,
    /// then `redactd-findings` and `redactd-policy`.
    pub headers: Vec<(String, Option<Vec<u8>>)>,
    /// The (type, action) of each finding acted on, for the metrics.
    pub applied: Vec<Applied>,
}

/// A record for the quarantine topic. The copy is the input, whole; for
/// [`Class::TooLargeOutput`] only a reference to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Quarantined {
    /// Why.
    pub class: Class,
    /// For a value that could not be parsed, where and why (offsets,
    /// never content): what `redact` names on the command line.
    pub error: Option<RecordError>,
    /// For [`Class::Policy`], the findings whose action is `quarantine`
    /// (the others were applied to nothing that was written).
    pub applied: Vec<Applied>,
}

/// What became of one input record.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// To the curated topic.
    Curated(Curated),
    /// To quarantine.
    Quarantine(Quarantined),
}

/// Framing librdkafka counts against `message.max.bytes` besides the bytes
/// of a record: the v2 batch header, the record's varints, and per header
/// two varints (upper bounds).
const RECORD_FRAMING: usize = 61 + 40;
const HEADER_FRAMING: usize = 10;

/// What the producer counts of a record against `message.max.bytes`.
fn wire_size<'h>(
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: impl Iterator<Item = (&'h [u8], Option<&'h [u8]>)>,
) -> usize {
    RECORD_FRAMING
        + key.map_or(0, <[u8]>::len)
        + value.map_or(0, <[u8]>::len)
        + headers
            .map(|(k, v)| HEADER_FRAMING + k.len() + v.map_or(0, <[u8]>::len))
            .sum::<usize>()
}

/// Fault injection (unit tests and the `fault-injection` feature only): a
/// record with this key panics inside [`Sanitizer::process`], so the tests
/// can show that a panic quarantines one record as `internal` and the rest
/// flows on.
#[cfg(any(test, feature = "fault-injection"))]
pub const PANIC_KEY: &[u8] = b"redactd-fault:panic";

impl Sanitizer {
    /// Sanitizes one input record. A panic inside is caught and the record
    /// quarantined as [`Class::Internal`], so one bad record cannot stop
    /// the daemon; `ws` is reset then.
    pub fn process(&self, input: &Input<'_>, ws: &mut Workspace) -> Outcome {
        match catch_unwind(AssertUnwindSafe(|| self.process_unguarded(input, ws))) {
            Ok(outcome) => outcome,
            Err(_) => {
                *ws = Workspace::default();
                self.quarantined(input, Class::Internal, Vec::new())
            }
        }
    }

    /// Scans one input record without changing it: `f` gets each place
    /// with findings and its findings (allow-listed ones left out). Value
    /// places are JSON Pointers (`""` for a text record); the key is
    /// `@key`, a header `@header/NAME`. Returns the parsed value, or the
    /// class that would quarantine the record.
    pub fn inspect(
        &self,
        input: &Input<'_>,
        ws: &mut Workspace,
        mut f: impl FnMut(&str, &[Finding]),
    ) -> Result<Option<Record>, Class> {
        self.admit(input)?;
        let mut record = match input.value {
            Some(v) => Some(Record::parse(v, self.format, self.limits).map_err(|e| Class::of(&e))?),
            None => None,
        };
        if let Some(r) = &mut record {
            self.scan(r, ws, &mut f);
        }
        if let Some(k) = input.key {
            self.scan_text(k, &[], ws);
            if !ws.findings.is_empty() {
                f("@key", &ws.findings);
            }
        }
        for h in input.headers {
            let (Ok(name), Some(v)) = (std::str::from_utf8(h.key), h.value) else {
                continue;
            };
            if name.starts_with("redactd-") {
                continue;
            }
            self.scan_text(v, &[name], ws);
            if !ws.findings.is_empty() {
                f(&format!("@header/{name}"), &ws.findings);
            }
        }
        Ok(record)
    }

    /// The size and header checks every record passes first.
    fn admit(&self, input: &Input<'_>) -> Result<(), Class> {
        if input.size() > self.limits.max_record_bytes {
            return Err(Class::TooLarge);
        }
        if input
            .headers
            .iter()
            .any(|h| std::str::from_utf8(h.key).is_err())
        {
            return Err(Class::InvalidHeader);
        }
        Ok(())
    }

    fn process_unguarded(&self, input: &Input<'_>, ws: &mut Workspace) -> Outcome {
        #[cfg(any(test, feature = "fault-injection"))]
        if input.key == Some(PANIC_KEY) {
            panic!("fault injection: a panic inside process");
        }
        if let Err(class) = self.admit(input) {
            return self.quarantined(input, class, Vec::new());
        }
        let mut tally = Tally::default();
        let value = match input.value {
            None => None,
            Some(bytes) => {
                let mut record = match Record::parse(bytes, self.format, self.limits) {
                    Ok(r) => r,
                    Err(e) => {
                        let class = Class::of(&e);
                        let mut q = self.quarantined(input, class, Vec::new());
                        if let Outcome::Quarantine(q) = &mut q {
                            q.error = Some(e);
                        }
                        return q;
                    }
                };
                let report = self.sanitize(&mut record, ws);
                tally.applied = report.findings;
                tally.quarantine = report.quarantine;
                let mut out = Vec::with_capacity(bytes.len() + 64);
                record.write(&mut out);
                Some(out)
            }
        };
        let key = input.key.map(|k| {
            self.scan_text(k, &[], ws);
            let edit = self
                .policy
                .apply_key(&self.engine, k, &ws.findings, &mut tally);
            edited(k, edit)
        });
        let mut headers = Vec::with_capacity(input.headers.len() + 2);
        for h in input.headers {
            let Ok(name) = std::str::from_utf8(h.key) else {
                return self.quarantined(input, Class::InvalidHeader, Vec::new());
            };
            // A record sanitized twice carries only the last verdict.
            if name.starts_with("redactd-") {
                continue;
            }
            let value = h.value.map(|v| {
                self.scan_text(v, &[name], ws);
                let edit = self
                    .policy
                    .apply_header(&self.engine, v, &ws.findings, &mut tally);
                edited(v, edit)
            });
            headers.push((name.to_string(), value));
        }
        if tally.quarantine {
            tally.applied.retain(|a| a.action == ActionKind::Quarantine);
            return self.quarantined(input, Class::Policy, tally.applied);
        }
        headers.push((
            HEADER_FINDINGS.to_string(),
            Some(tally.applied.len().to_string().into_bytes()),
        ));
        headers.push((
            HEADER_POLICY.to_string(),
            Some(self.policy_id.as_bytes().to_vec()),
        ));
        let size = wire_size(
            key.as_deref(),
            value.as_deref(),
            headers.iter().map(|(k, v)| (k.as_bytes(), v.as_deref())),
        );
        if size > self.max_output_bytes {
            return self.quarantined(input, Class::TooLargeOutput, Vec::new());
        }
        Outcome::Curated(Curated {
            key,
            value,
            headers,
            applied: tally.applied,
        })
    }

    /// Quarantine, whole; or, when the copy itself would be larger than
    /// the producer writes, as a reference ([`Class::TooLargeOutput`]).
    fn quarantined(&self, input: &Input<'_>, class: Class, applied: Vec<Applied>) -> Outcome {
        let copy = wire_size(
            input.key,
            input.value,
            input.headers.iter().map(|h| (h.key, h.value)),
        ) + HEADROOM_BYTES;
        let class = if copy > self.max_output_bytes {
            Class::TooLargeOutput
        } else {
            class
        };
        Outcome::Quarantine(Quarantined {
            class,
            error: None,
            applied,
        })
    }

    /// Scans a key or header value as text into `ws.findings`; `keys` are
    /// the context hints (a header's name).
    fn scan_text(&self, text: &[u8], keys: &[&str], ws: &mut Workspace) {
        let seen = neutralize(text, &mut ws.neutral);
        self.engine
            .scan_field(seen, keys, &mut ws.scratch, &mut ws.findings);
    }
}

/// The bytes after an edit of text (`Drop` empties it).
fn edited(original: &[u8], edit: Edit) -> Vec<u8> {
    match edit {
        Edit::Keep => original.to_vec(),
        Edit::Replace(v) => v,
        Edit::Drop => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;
    use crate::detect::Engine;
    use crate::policy::Policy;
    use crate::record::{Format, Limits};

    fn sanitizer(yaml: &str) -> Sanitizer {
        Sanitizer::from_config(&Config::parse(yaml).expect("config")).expect("sanitizer")
    }

    fn plain(format: Format, max_record_bytes: usize) -> Sanitizer {
        let engine = Arc::new(Engine::builtin().expect("builtin packs"));
        Sanitizer::new(engine, Policy::default()).with_record(
            format,
            Limits {
                max_record_bytes,
                max_depth: 64,
            },
        )
    }

    fn curated(o: Outcome) -> Curated {
        match o {
            Outcome::Curated(c) => c,
            Outcome::Quarantine(q) => panic!("quarantined: {}", q.class),
        }
    }

    fn class(o: &Outcome) -> Option<Class> {
        match o {
            Outcome::Quarantine(q) => Some(q.class),
            Outcome::Curated(_) => None,
        }
    }

    fn header<'a>(c: &'a Curated, name: &str) -> Option<&'a [u8]> {
        c.headers
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.as_deref())
    }

    #[test]
    fn value_key_and_headers_are_sanitized_and_stamped() {
        let s = sanitizer("policy:\n  keys: redact\nrecord:\n  format: json\n");
        let headers = [
            Header {
                key: b"trace",
                value: Some(b"abc"),
            },
            Header {
                key: b"x-user",
                value: Some(b"mail jane.doe@example.org"),
            },
            Header {
                key: b"redactd-findings",
                value: Some(b"99"),
            },
        ];
        let input = Input {
            key: Some(b"jane.doe@example.org"),
            value: Some(br#"{"email":"jane.doe@example.org","jane.doe@example.org":1}"#),
            headers: &headers,
        };
        let c = curated(s.process(&input, &mut Workspace::default()));
        let all = format!("{c:?}");
        assert!(!all.contains("jane.doe"), "{all}");
        assert_eq!(header(&c, "trace"), Some(b"abc".as_slice()));
        assert_eq!(
            header(&c, "x-user"),
            Some(b"mail <EMAIL_ADDRESS>".as_slice())
        );
        assert_eq!(header(&c, HEADER_POLICY), Some(s.policy_id.as_bytes()));
        assert_eq!(
            c.headers
                .iter()
                .filter(|(k, _)| k == HEADER_FINDINGS)
                .count(),
            1,
            "the old redactd-findings is dropped"
        );
    }

    #[test]
    fn key_findings_follow_policy_keys() {
        let s = sanitizer("policy:\n  keys: redact\n");
        let input = Input {
            key: Some(b"user:jane.doe@example.org"),
            value: None,
            headers: &[],
        };
        let c = curated(s.process(&input, &mut Workspace::default()));
        assert_eq!(c.key.as_deref(), Some(b"user:<EMAIL_ADDRESS>".as_slice()));
        assert_eq!(c.value, None, "a tombstone stays a tombstone");
        // Without a keyset and without policy.keys, a key with a finding
        // cannot be pseudonymised: quarantine (fail closed).
        let s = sanitizer("");
        assert_eq!(
            class(&s.process(&input, &mut Workspace::default())),
            Some(Class::Policy)
        );
        let clean = Input {
            key: Some(b"order-17"),
            value: None,
            headers: &[],
        };
        let c = curated(s.process(&clean, &mut Workspace::default()));
        assert_eq!(c.key.as_deref(), Some(b"order-17".as_slice()));
    }

    #[test]
    fn a_panic_quarantines_the_record_as_internal_and_the_next_goes_on() {
        let s = plain(Format::Json, 2048);
        let mut ws = Workspace::default();
        let bad = Input {
            key: Some(PANIC_KEY),
            value: Some(br#"{"email":"jane.doe@example.org"}"#),
            headers: &[],
        };
        let got = s.process(&bad, &mut ws);
        assert_eq!(class(&got), Some(Class::Internal));
        // The workspace was reset: the next record is sanitized as usual.
        let next = curated(s.process(
            &Input::value(br#"{"email":"jane.doe@example.org"}"#),
            &mut ws,
        ));
        assert_eq!(
            next.value.as_deref(),
            Some(br#"{"email":"<EMAIL_ADDRESS>"}"#.as_slice())
        );
    }

    #[test]
    fn bad_records_get_their_class() {
        let s = plain(Format::Json, 2048);
        let deep = "[".repeat(1000);
        let big = vec![b'x'; 2049];
        let cases: [(&[u8], Class); 4] = [
            (b"{not json", Class::InvalidJson),
            (b"", Class::InvalidJson),
            (&big, Class::TooLarge),
            (deep.as_bytes(), Class::TooDeep),
        ];
        for (bytes, want) in cases {
            let got = s.process(&Input::value(bytes), &mut Workspace::default());
            assert_eq!(class(&got), Some(want), "{want}");
        }
        let headers = [Header {
            key: b"\xff\xfe",
            value: None,
        }];
        let input = Input {
            key: None,
            value: Some(b"{}"),
            headers: &headers,
        };
        assert_eq!(
            class(&s.process(&input, &mut Workspace::default())),
            Some(Class::InvalidHeader)
        );
        // Key and headers count against the limit too.
        let key = vec![b'k'; 2040];
        let input = Input {
            key: Some(&key),
            value: Some(br#"{"a":"bcdefghijklmnopqrstuvwxyz"}"#),
            headers: &[],
        };
        assert_eq!(
            class(&s.process(&input, &mut Workspace::default())),
            Some(Class::TooLarge)
        );
    }

    #[test]
    fn an_output_the_producer_cannot_write_becomes_a_reference() {
        let s = plain(Format::Text, 1 << 20).with_max_output_bytes(4000);
        // 3,150 bytes in; every 20-byte email becomes a 15-byte
        // placeholder, plus the headers: fits.
        let ssns = "jane.doe@example.org ".repeat(150);
        let c = curated(s.process(&Input::value(ssns.as_bytes()), &mut Workspace::default()));
        assert!(c.value.as_ref().is_some_and(|v| v.len() < 4000));
        // A template that grows each finding tenfold does not.
        let s = sanitizer(&format!(
            "policy:\n  template: '{}'\nrecord:\n  format: text\nkafka:\n  producer:\n    message.max.bytes: '4000'\n",
            "<{type}>".repeat(10)
        ));
        let got = s.process(&Input::value(ssns.as_bytes()), &mut Workspace::default());
        assert_eq!(class(&got), Some(Class::TooLargeOutput));
        // So does a quarantine copy over the limit.
        let s = plain(Format::Json, 1 << 20).with_max_output_bytes(4000);
        let big = format!("{{{}", "x".repeat(5000));
        let got = s.process(&Input::value(big.as_bytes()), &mut Workspace::default());
        assert_eq!(class(&got), Some(Class::TooLargeOutput));
    }

    #[test]
    fn policy_quarantine_keeps_only_the_quarantine_findings() {
        let s = sanitizer("policy:\n  actions: {US_SSN: quarantine}\nrecord:\n  format: json\n");
        let input = br#"{"email":"jane.doe@example.org","ssn":"123-45-6789"}"#;
        let Outcome::Quarantine(q) = s.process(&Input::value(input), &mut Workspace::default())
        else {
            panic!("curated")
        };
        assert_eq!(q.class, Class::Policy);
        let names: Vec<_> = q
            .applied
            .iter()
            .map(|a| (s.engine.entity_name(a.entity), a.action.name()))
            .collect();
        assert_eq!(names, vec![("US_SSN", "quarantine")]);
    }

    #[test]
    fn inspect_reports_value_key_and_header_places() {
        let s = plain(Format::Json, 1 << 20);
        let headers = [Header {
            key: b"x-mail",
            value: Some(b"jane.doe@example.org"),
        }];
        let input = Input {
            key: Some(b"jane.doe@example.org"),
            value: Some(br#"{"a":"jane.doe@example.org"}"#),
            headers: &headers,
        };
        let mut places = Vec::new();
        let r = s
            .inspect(&input, &mut Workspace::default(), |p, f| {
                places.push((p.to_string(), f.len()))
            })
            .expect("parsed");
        assert!(r.is_some());
        assert_eq!(
            places,
            vec![
                ("/a".to_string(), 1),
                ("@key".to_string(), 1),
                ("@header/x-mail".to_string(), 1)
            ]
        );
        assert_eq!(
            s.inspect(&Input::value(b"{x"), &mut Workspace::default(), |_, _| {}),
            Err(Class::InvalidJson)
        );
    }
}
