//! One input message → one output message: sanitized to the curated topic,
//! or whole to the quarantine topic. No Kafka I/O here, so every branch is
//! unit-tested.

use rdkafka::message::{Header, Headers, OwnedHeaders};

use crate::detect::EntityId;
use crate::policy::{ActionKind, Applied};
use crate::record::{Format, Limits, Record};
use crate::sanitize::{Sanitizer, Workspace};

/// Header with the number of findings acted on in the record.
pub const HEADER_FINDINGS: &str = "redactd-findings";
/// Header with the id of the effective policy and packs.
pub const HEADER_POLICY: &str = "redactd-policy";
/// Header (quarantine only) with the reason class; never record content.
pub const HEADER_ERROR: &str = "redactd-error";
/// Header (quarantine only) naming the source: `topic/partition/offset`.
pub const HEADER_SOURCE: &str = "redactd-source";

/// Where an output message goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// The curated topic of its input topic.
    Curated,
    /// The quarantine topic.
    Quarantine,
}

/// Where an input message came from: named in the quarantine header.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Input topic.
    pub topic: &'a str,
    /// Input partition.
    pub partition: i32,
    /// Input offset.
    pub offset: i64,
}

/// What became of one input message, ready to produce.
#[derive(Debug)]
pub struct Routed {
    /// Curated or quarantine.
    pub destination: Destination,
    /// Sanitized payload (curated) or the original bytes (quarantine).
    pub payload: Option<Vec<u8>>,
    /// Input headers minus any `redactd-*` ones, plus ours.
    pub headers: OwnedHeaders,
    /// The (type, action) of each finding, for `redactd_findings_total`:
    /// the sanitizer's own list, moved here (no copy). For a record the
    /// policy quarantined, only its `quarantine` findings: the others were
    /// not applied to anything that was written.
    pub applied: Vec<Applied>,
    /// Reason class when quarantined.
    pub reason: Option<&'static str>,
}

impl Routed {
    /// The value of a polled message not routed yet. The loop routes every
    /// message before writing and refuses to send one still pending.
    pub(crate) fn pending() -> Routed {
        Routed {
            destination: Destination::Quarantine,
            payload: None,
            headers: OwnedHeaders::new(),
            applied: Vec::new(),
            reason: None,
        }
    }
}

/// How records are parsed and what the output carries.
#[derive(Debug, Clone)]
pub struct Router {
    sanitizer: Sanitizer,
    format: Format,
    limits: Limits,
    policy_id: String,
}

impl Router {
    /// A router that parses per `format`/`limits` and stamps `policy_id`.
    pub fn new(sanitizer: Sanitizer, format: Format, limits: Limits, policy_id: String) -> Self {
        Router {
            sanitizer,
            format,
            limits,
            policy_id,
        }
    }

    /// The `redactd-policy` header value.
    pub fn policy_id(&self) -> &str {
        &self.policy_id
    }

    /// The metric labels of a finding: its entity type's name (from the
    /// loaded packs) and the action's config name. Names, never values.
    pub fn finding_labels(&self, entity: EntityId, action: ActionKind) -> (&str, &'static str) {
        (self.sanitizer.engine().entity_name(entity), action.name())
    }

    /// Sanitizes one message. `source` only goes into the quarantine
    /// header. A message without payload (a tombstone)
    /// carries nothing to scan and is curated as is.
    pub fn route<H: Headers>(
        &self,
        payload: Option<&[u8]>,
        headers: Option<&H>,
        source: Source<'_>,
        ws: &mut Workspace,
    ) -> Routed {
        let Some(bytes) = payload else {
            return self.curated(None, headers, Vec::new());
        };
        let mut record = match Record::parse(bytes, self.format, self.limits) {
            Ok(r) => r,
            Err(e) => return self.quarantined(bytes, headers, e.class(), source, Vec::new()),
        };
        let mut report = self.sanitizer.sanitize(&mut record, ws);
        // The policy's `quarantine` action sends the original record, whole.
        if report.quarantine {
            report
                .findings
                .retain(|a| a.action == ActionKind::Quarantine);
            return self.quarantined(bytes, headers, "policy", source, report.findings);
        }
        let mut out = Vec::with_capacity(bytes.len() + 64);
        record.write(&mut out);
        self.curated(Some(out), headers, report.findings)
    }

    fn curated<H: Headers>(
        &self,
        payload: Option<Vec<u8>>,
        headers: Option<&H>,
        applied: Vec<Applied>,
    ) -> Routed {
        let n = applied.len().to_string();
        let headers = carry(headers)
            .insert(Header {
                key: HEADER_FINDINGS,
                value: Some(n.as_bytes()),
            })
            .insert(Header {
                key: HEADER_POLICY,
                value: Some(self.policy_id.as_bytes()),
            });
        Routed {
            destination: Destination::Curated,
            payload,
            headers,
            applied,
            reason: None,
        }
    }

    fn quarantined<H: Headers>(
        &self,
        bytes: &[u8],
        headers: Option<&H>,
        reason: &'static str,
        source: Source<'_>,
        applied: Vec<Applied>,
    ) -> Routed {
        let source = format!("{}/{}/{}", source.topic, source.partition, source.offset);
        let headers = carry(headers)
            .insert(Header {
                key: HEADER_ERROR,
                value: Some(reason.as_bytes()),
            })
            .insert(Header {
                key: HEADER_SOURCE,
                value: Some(source.as_bytes()),
            })
            .insert(Header {
                key: HEADER_POLICY,
                value: Some(self.policy_id.as_bytes()),
            });
        Routed {
            destination: Destination::Quarantine,
            payload: Some(bytes.to_vec()),
            headers,
            applied,
            reason: Some(reason),
        }
    }
}

/// Copies the input headers, leaving out `redactd-*` ones so that a record
/// sanitized twice carries only the last verdict.
fn carry<H: Headers>(headers: Option<&H>) -> OwnedHeaders {
    let n = headers.map_or(0, |h| h.count());
    let mut out = OwnedHeaders::new_with_capacity(n + 3);
    if let Some(h) = headers {
        for hd in h.iter() {
            if !hd.key.starts_with("redactd-") {
                out = out.insert(hd);
            }
        }
    }
    out
}

/// The output topic for `input`: `{topic}` in the template is replaced by
/// the input topic's name.
pub fn output_topic(template: &str, input: &str) -> String {
    template.replace("{topic}", input)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::detect::Engine;
    use crate::policy::Policy;

    fn router(format: Format, max_record_bytes: usize) -> Router {
        let engine = Arc::new(Engine::builtin().expect("builtin packs"));
        Router::new(
            Sanitizer::new(engine, Policy::default()),
            format,
            Limits {
                max_record_bytes,
                max_depth: 64,
            },
            "p1".into(),
        )
    }

    fn header<'a>(h: &'a OwnedHeaders, key: &str) -> Option<&'a [u8]> {
        h.iter().find(|x| x.key == key).and_then(|x| x.value)
    }

    fn route(r: &Router, payload: Option<&[u8]>, headers: Option<&OwnedHeaders>) -> Routed {
        let mut ws = Workspace::default();
        let source = Source {
            topic: "t",
            partition: 0,
            offset: 7,
        };
        r.route(payload, headers, source, &mut ws)
    }

    #[test]
    fn curated_record_is_sanitized_and_stamped() {
        let r = router(Format::Json, 1 << 20);
        let input = OwnedHeaders::new()
            .insert(Header {
                key: "trace",
                value: Some(b"abc".as_slice()),
            })
            .insert(Header {
                key: "redactd-findings",
                value: Some(b"99".as_slice()),
            });
        let got = route(
            &r,
            Some(br#"{"email":"jane.doe@example.org"}"#),
            Some(&input),
        );
        assert_eq!(got.destination, Destination::Curated);
        let payload = got.payload.expect("payload");
        assert!(!String::from_utf8_lossy(&payload).contains("jane.doe"));
        assert_eq!(header(&got.headers, "trace"), Some(b"abc".as_slice()));
        assert_eq!(header(&got.headers, HEADER_FINDINGS), Some(b"1".as_slice()));
        assert_eq!(header(&got.headers, HEADER_POLICY), Some(b"p1".as_slice()));
        assert_eq!(got.headers.count(), 3, "old redactd-findings dropped");
    }

    #[test]
    fn unparseable_oversize_and_deep_records_are_quarantined_whole() {
        let r = router(Format::Json, 2048);
        let deep = "[".repeat(1000);
        let cases: [(&[u8], &str); 4] = [
            (b"{not json", "invalid_json"),
            (b"\"\xff\xfe\"", "invalid_json"),
            (&[b'x'; 2049], "too_large"),
            (deep.as_bytes(), "too_deep"),
        ];
        for (bytes, class) in cases {
            let got = route(&r, Some(bytes), None::<&OwnedHeaders>);
            assert_eq!(got.destination, Destination::Quarantine, "{class}");
            assert_eq!(got.payload.as_deref(), Some(bytes), "{class}: whole");
            assert_eq!(
                header(&got.headers, HEADER_ERROR),
                Some(class.as_bytes()),
                "{class}"
            );
            assert_eq!(
                header(&got.headers, HEADER_SOURCE),
                Some(b"t/0/7".as_slice())
            );
        }
    }

    #[test]
    fn policy_quarantine_keeps_only_the_quarantine_findings_for_metrics() {
        let cfg = crate::config::Config::parse(
            "policy:\n  actions: {US_SSN: quarantine}\nrecord:\n  format: json\n",
        )
        .expect("config");
        let sanitizer = Sanitizer::from_config(&cfg).expect("sanitizer");
        let r = Router::new(
            sanitizer,
            Format::Json,
            Limits {
                max_record_bytes: 1 << 20,
                max_depth: 64,
            },
            "p1".into(),
        );
        let input = br#"{"email":"jane.doe@example.org","ssn":"123-45-6789"}"#;
        let got = route(&r, Some(input), None::<&OwnedHeaders>);
        assert_eq!(got.destination, Destination::Quarantine);
        assert_eq!(got.reason, Some("policy"));
        assert_eq!(got.payload.as_deref(), Some(input.as_slice()), "whole");
        let labels: Vec<_> = got
            .applied
            .iter()
            .map(|a| r.finding_labels(a.entity, a.action))
            .collect();
        assert_eq!(labels, vec![("US_SSN", "quarantine")]);

        let got = route(
            &r,
            Some(br#"{"email":"jane.doe@example.org"}"#),
            None::<&OwnedHeaders>,
        );
        assert_eq!(got.destination, Destination::Curated);
        let labels: Vec<_> = got
            .applied
            .iter()
            .map(|a| r.finding_labels(a.entity, a.action))
            .collect();
        assert_eq!(labels, vec![("EMAIL_ADDRESS", "redact")]);
    }

    #[test]
    fn tombstone_is_curated_without_payload() {
        let r = router(Format::Json, 64);
        let got = route(&r, None, None::<&OwnedHeaders>);
        assert_eq!(got.destination, Destination::Curated);
        assert!(got.payload.is_none());
    }

    #[test]
    fn output_topic_template() {
        assert_eq!(output_topic("curated.{topic}", "raw.a"), "curated.raw.a");
        assert_eq!(output_topic("all-clean", "raw.a"), "all-clean");
    }
}
