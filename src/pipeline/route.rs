//! One consumed message → the message to produce: [`Sanitizer::process`]
//! decides, this module only translates between rdkafka's messages and the
//! sanitizer's [`Input`]/[`Outcome`]. No Kafka I/O here, so every branch is
//! unit-tested.

use std::panic::{catch_unwind, AssertUnwindSafe};

use rdkafka::message::{Header as KafkaHeader, Headers, Message, OwnedHeaders, OwnedMessage};

use crate::policy::Applied;
use crate::sanitize::{Class, Header, Input, Outcome, Sanitizer, Workspace};
pub use crate::sanitize::{HEADER_FINDINGS, HEADER_POLICY};

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

/// What became of one input message, ready to produce.
#[derive(Debug)]
pub struct Routed {
    /// Curated or quarantine.
    pub destination: Destination,
    /// The sanitized key (curated), the original (quarantine), none (a
    /// reference).
    pub key: Option<Vec<u8>>,
    /// Sanitized payload (curated), the original bytes (quarantine), or
    /// a reference to the source (class `too_large_output`).
    pub payload: Option<Vec<u8>>,
    /// Curated: the sanitized headers; quarantine: the input's, plus ours.
    pub headers: OwnedHeaders,
    /// The (type, action) of each finding, for `redactd_findings_total`.
    pub applied: Vec<Applied>,
    /// Reason class when quarantined.
    pub reason: Option<Class>,
}

impl Routed {
    /// The value of a polled message not routed yet. The loop routes every
    /// message before writing and refuses to send one still pending.
    pub(crate) fn pending() -> Routed {
        Routed {
            destination: Destination::Quarantine,
            key: None,
            payload: None,
            headers: OwnedHeaders::new(),
            applied: Vec::new(),
            reason: None,
        }
    }
}

/// The name rdkafka cannot show: it panics on a header name that is not
/// UTF-8, so such a message's headers reach [`Sanitizer::process`] as this
/// one invalid name, which quarantines the record as `invalid_header`.
const UNREADABLE: &[Header<'static>] = &[Header {
    key: b"\xff",
    value: None,
}];

/// Sanitizes one consumed message.
pub fn route(sanitizer: &Sanitizer, m: &OwnedMessage, ws: &mut Workspace) -> Routed {
    let read = m.headers().map(|h| {
        catch_unwind(AssertUnwindSafe(|| {
            h.iter()
                .map(|x| Header {
                    key: x.key.as_bytes(),
                    value: x.value,
                })
                .collect::<Vec<_>>()
        }))
    });
    let headers: &[Header<'_>] = match &read {
        None => &[],
        Some(Ok(v)) => v,
        Some(Err(_)) => UNREADABLE,
    };
    let input = Input {
        key: m.key(),
        value: m.payload(),
        headers,
    };
    match sanitizer.process(&input, ws) {
        Outcome::Curated(c) => {
            let mut out = OwnedHeaders::new_with_capacity(c.headers.len());
            for (k, v) in &c.headers {
                out = out.insert(KafkaHeader {
                    key: k,
                    value: v.as_deref(),
                });
            }
            Routed {
                destination: Destination::Curated,
                key: c.key,
                payload: c.value,
                headers: out,
                applied: c.applied,
                reason: None,
            }
        }
        Outcome::Quarantine(q) => quarantined(sanitizer, m, q.class, q.applied),
    }
}

/// The quarantine copy: the input whole with its headers (minus `redactd-*`
/// ones) and ours; for `too_large_output`, a reference: no key, a small
/// JSON value naming the source, our headers only.
fn quarantined(
    sanitizer: &Sanitizer,
    m: &OwnedMessage,
    class: Class,
    applied: Vec<Applied>,
) -> Routed {
    let source = format!("{}/{}/{}", m.topic(), m.partition(), m.offset());
    let (key, payload, headers) = if class == Class::TooLargeOutput {
        let reference = serde_json::json!({
            "redactd_reference": {
                "topic": m.topic(),
                "partition": m.partition(),
                "offset": m.offset(),
                "class": class.as_str(),
                "bytes": m.payload().map_or(0, <[u8]>::len) + m.key().map_or(0, <[u8]>::len),
            }
        });
        (
            None,
            Some(reference.to_string().into_bytes()),
            OwnedHeaders::new(),
        )
    } else {
        (
            m.key().map(<[u8]>::to_vec),
            m.payload().map(<[u8]>::to_vec),
            carry(m.headers()),
        )
    };
    let headers = headers
        .insert(KafkaHeader {
            key: HEADER_ERROR,
            value: Some(class.as_str().as_bytes()),
        })
        .insert(KafkaHeader {
            key: HEADER_SOURCE,
            value: Some(source.as_bytes()),
        })
        .insert(KafkaHeader {
            key: HEADER_POLICY,
            value: Some(sanitizer.policy_id().as_bytes()),
        });
    Routed {
        destination: Destination::Quarantine,
        key,
        payload,
        headers,
        applied,
        reason: Some(class),
    }
}

/// Copies the input headers, leaving out `redactd-*` ones so that a record
/// sanitized twice carries only the last verdict. Headers rdkafka cannot
/// read (a name that is not UTF-8) are copied whole, as librdkafka holds
/// them.
fn carry(headers: Option<&OwnedHeaders>) -> OwnedHeaders {
    let Some(h) = headers else {
        return OwnedHeaders::new_with_capacity(3);
    };
    let kept = catch_unwind(AssertUnwindSafe(|| {
        let mut out = OwnedHeaders::new_with_capacity(h.count() + 3);
        for hd in h.iter() {
            if !hd.key.starts_with("redactd-") {
                out = out.insert(hd);
            }
        }
        out
    }));
    kept.unwrap_or_else(|_| h.clone())
}

/// The output topic for `input`: `{topic}` in the template is replaced by
/// the input topic's name.
pub fn output_topic(template: &str, input: &str) -> String {
    template.replace("{topic}", input)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rdkafka::message::Timestamp;

    use super::*;
    use crate::detect::Engine;
    use crate::policy::Policy;
    use crate::record::{Format, Limits};

    fn sanitizer(max_record_bytes: usize) -> Sanitizer {
        let engine = Arc::new(Engine::builtin().expect("builtin packs"));
        Sanitizer::new(engine, Policy::default()).with_record(
            Format::Json,
            Limits {
                max_record_bytes,
                max_depth: 64,
            },
        )
    }

    fn message(
        key: Option<&[u8]>,
        payload: Option<&[u8]>,
        headers: Option<OwnedHeaders>,
    ) -> OwnedMessage {
        OwnedMessage::new(
            payload.map(<[u8]>::to_vec),
            key.map(<[u8]>::to_vec),
            "t".into(),
            Timestamp::NotAvailable,
            0,
            7,
            headers,
        )
    }

    fn header<'a>(h: &'a OwnedHeaders, key: &str) -> Option<&'a [u8]> {
        h.iter().find(|x| x.key == key).and_then(|x| x.value)
    }

    #[test]
    fn curated_record_carries_the_sanitized_headers() {
        let s = sanitizer(1 << 20);
        let input = OwnedHeaders::new()
            .insert(KafkaHeader {
                key: "trace",
                value: Some(b"abc".as_slice()),
            })
            .insert(KafkaHeader {
                key: "redactd-findings",
                value: Some(b"99".as_slice()),
            });
        let m = message(
            Some(b"order-1"),
            Some(br#"{"email":"jane.doe@example.org"}"#),
            Some(input),
        );
        let got = route(&s, &m, &mut Workspace::default());
        assert_eq!(got.destination, Destination::Curated);
        let payload = got.payload.expect("payload");
        assert!(!String::from_utf8_lossy(&payload).contains("jane.doe"));
        assert_eq!(got.key.as_deref(), Some(b"order-1".as_slice()));
        assert_eq!(header(&got.headers, "trace"), Some(b"abc".as_slice()));
        assert_eq!(header(&got.headers, HEADER_FINDINGS), Some(b"1".as_slice()));
        assert_eq!(got.headers.count(), 3, "old redactd-findings dropped");
    }

    #[test]
    fn quarantined_record_goes_whole_with_its_reason_and_source() {
        let s = sanitizer(2048);
        for (bytes, class) in [
            (b"{not json".as_slice(), "invalid_json"),
            (&[b'x'; 2049], "too_large"),
        ] {
            let m = message(Some(b"k"), Some(bytes), None);
            let got = route(&s, &m, &mut Workspace::default());
            assert_eq!(got.destination, Destination::Quarantine, "{class}");
            assert_eq!(got.payload.as_deref(), Some(bytes), "{class}: whole");
            assert_eq!(got.key.as_deref(), Some(b"k".as_slice()));
            assert_eq!(header(&got.headers, HEADER_ERROR), Some(class.as_bytes()));
            assert_eq!(
                header(&got.headers, HEADER_SOURCE),
                Some(b"t/0/7".as_slice())
            );
        }
    }

    #[test]
    fn too_large_output_is_a_reference_without_the_payload() {
        let s = sanitizer(1 << 20).with_max_output_bytes(1000);
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(2000));
        let m = message(Some(b"k"), Some(big.as_bytes()), None);
        let got = route(&s, &m, &mut Workspace::default());
        assert_eq!(got.destination, Destination::Quarantine);
        assert_eq!(got.reason, Some(Class::TooLargeOutput));
        assert_eq!(got.key, None);
        let v: serde_json::Value =
            serde_json::from_slice(got.payload.as_deref().expect("reference")).expect("json");
        assert_eq!(v["redactd_reference"]["offset"], 7);
        assert_eq!(v["redactd_reference"]["class"], "too_large_output");
        assert_eq!(
            header(&got.headers, HEADER_ERROR),
            Some(b"too_large_output".as_slice())
        );
    }

    #[test]
    fn tombstone_is_curated_without_payload() {
        let s = sanitizer(64);
        let got = route(
            &s,
            &message(Some(b"k"), None, None),
            &mut Workspace::default(),
        );
        assert_eq!(got.destination, Destination::Curated);
        assert!(got.payload.is_none());
    }

    #[test]
    fn output_topic_template() {
        assert_eq!(output_topic("curated.{topic}", "raw.a"), "curated.raw.a");
        assert_eq!(output_topic("all-clean", "raw.a"), "all-clean");
    }
}
