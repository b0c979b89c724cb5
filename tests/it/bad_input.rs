//! Bad input, one test per class: each ends in a correct redaction or in
//! quarantine with its reason class, never a crash or a hang. Each class
//! runs through `redact`; the classes only Kafka can carry (tombstones,
//! header names and counts, compression, aborted transactions, old and
//! future timestamps, the size limit counting key and headers) run, with
//! the others, in one combined test through the daemon (at the end).

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

use crate::kafka::{report, serial, t0, Setup};
use crate::record_path::{produce_raw, read_all, Raw};
use crate::util::{bin, contains};

/// The planted value every case carries somewhere.
const PII: &str = "jane.doe@example.org";

/// What a case must end in.
enum Want {
    /// Written to stdout, equal to this.
    Redacted(Vec<u8>),
    /// Quarantined whole, with this class named on stderr.
    Quarantined(&'static str),
}

/// `redact --format FORMAT --quarantine FILE` on `input`, with extra args.
fn redact(format: &str, input: &[u8], extra: &[&str]) -> (Vec<u8>, String, Vec<u8>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let q = dir.path().join("q.jsonl");
    let mut child = bin()
        .args(["redact", "--format", format, "--quarantine"])
        .arg(&q)
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn redact");
    let mut stdin = child.stdin.take().expect("stdin");
    let data = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().expect("redact");
    feeder.join().expect("feeder");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "exit {}: {err}", out.status);
    (out.stdout, err, std::fs::read(&q).unwrap_or_default())
}

/// Runs one case and checks its outcome; the planted value is in no
/// curated line.
fn case(format: &str, input: &[u8], want: Want) {
    case_with(format, input, &[], want);
}

fn case_with(format: &str, input: &[u8], extra: &[&str], want: Want) {
    let (out, err, q) = redact(format, input, extra);
    assert!(
        !contains(&out, PII.as_bytes()),
        "planted value in the output"
    );
    match want {
        Want::Redacted(expect) => {
            assert_eq!(
                String::from_utf8_lossy(&out),
                String::from_utf8_lossy(&expect),
                "stderr: {err}"
            );
            assert!(q.is_empty(), "nothing quarantined");
        }
        Want::Quarantined(class) => {
            assert!(err.contains(&format!("(class {class})")), "{err}");
            let mut line = input.strip_suffix(b"\n").unwrap_or(input).to_vec();
            line.push(b'\n');
            assert_eq!(q, line, "quarantined whole");
            assert_eq!(out, b"\n", "its stdout line stays empty");
        }
    }
}

fn line(s: &str) -> Vec<u8> {
    format!("{s}\n").into_bytes()
}

#[test]
fn raw_nul_and_control_bytes_in_a_json_string_are_invalid_json() {
    case(
        "json",
        b"{\"a\":\"x\x00\x01 jane.doe@example.org\"}\n",
        Want::Quarantined("invalid_json"),
    );
}

#[test]
fn raw_nul_and_control_bytes_in_text_are_kept_around_the_redaction() {
    case(
        "text",
        b"\x00\x01\x1f jane.doe@example.org \x7f\n",
        Want::Redacted(b"\x00\x01\x1f <EMAIL_ADDRESS> \x7f\n".to_vec()),
    );
}

#[test]
fn escaped_nul_is_kept_and_the_value_redacted() {
    case(
        "json",
        &line(r#"{"a":"x\u0000 jane.doe@example.org"}"#),
        Want::Redacted(line(r#"{"a":"x\u0000 <EMAIL_ADDRESS>"}"#)),
    );
}

#[test]
fn duplicate_keys_are_both_kept_and_both_redacted() {
    case(
        "json",
        &line(r#"{"a":"jane.doe@example.org","a":"bob@example.com"}"#),
        Want::Redacted(line(r#"{"a":"<EMAIL_ADDRESS>","a":"<EMAIL_ADDRESS>"}"#)),
    );
}

#[test]
fn nan_is_invalid_json_and_text_under_auto() {
    let input = line(r#"{"a":NaN,"b":"jane.doe@example.org"}"#);
    case("json", &input, Want::Quarantined("invalid_json"));
    case(
        "auto",
        &input,
        Want::Redacted(line(r#"{"a":NaN,"b":"<EMAIL_ADDRESS>"}"#)),
    );
}

#[test]
fn infinity_is_invalid_json_and_text_under_auto() {
    let input = line(r#"{"a":-Infinity,"b":"jane.doe@example.org"}"#);
    case("json", &input, Want::Quarantined("invalid_json"));
    case(
        "auto",
        &input,
        Want::Redacted(line(r#"{"a":-Infinity,"b":"<EMAIL_ADDRESS>"}"#)),
    );
}

#[test]
fn a_huge_exponent_is_kept_as_written() {
    case(
        "json",
        &line(r#"{"a":1e999,"b":-1E-999,"c":"jane.doe@example.org"}"#),
        Want::Redacted(line(r#"{"a":1e999,"b":-1E-999,"c":"<EMAIL_ADDRESS>"}"#)),
    );
}

#[test]
fn a_byte_order_mark_is_invalid_json_and_text_under_auto() {
    let input = b"\xef\xbb\xbf{\"b\":\"jane.doe@example.org\"}\n";
    case("json", input, Want::Quarantined("invalid_json"));
    case(
        "auto",
        input,
        Want::Redacted(b"\xef\xbb\xbf{\"b\":\"<EMAIL_ADDRESS>\"}\n".to_vec()),
    );
}

#[test]
fn crlf_line_ends_are_json_whitespace() {
    case(
        "json",
        b"{\"b\":\"jane.doe@example.org\"}\r\n{\"c\":1}\r\n",
        Want::Redacted(b"{\"b\":\"<EMAIL_ADDRESS>\"}\n{\"c\":1}\n".to_vec()),
    );
}

#[test]
fn overlong_utf8_is_invalid_json_and_bytes_in_text() {
    let input = b"{\"b\":\"\xc0\xaf jane.doe@example.org\"}\n";
    case("json", input, Want::Quarantined("invalid_json"));
    case(
        "text",
        input,
        Want::Redacted(b"{\"b\":\"\xc0\xaf <EMAIL_ADDRESS>\"}\n".to_vec()),
    );
}

#[test]
fn a_lone_high_surrogate_escape_is_invalid_json() {
    case(
        "json",
        &line(r#"{"b":"\ud800 jane.doe@example.org"}"#),
        Want::Quarantined("invalid_json"),
    );
}

#[test]
fn a_lone_low_surrogate_escape_is_invalid_json() {
    case(
        "json",
        &line(r#"{"b":"\udc00 jane.doe@example.org"}"#),
        Want::Quarantined("invalid_json"),
    );
}

#[test]
fn a_ten_megabyte_string_is_redacted() {
    let pad = "a".repeat(10 << 20);
    case(
        "json",
        &line(&format!(r#"{{"s":"{pad} jane.doe@example.org"}}"#)),
        Want::Redacted(line(&format!(r#"{{"s":"{pad} <EMAIL_ADDRESS>"}}"#))),
    );
}

#[test]
fn a_million_element_array_is_redacted() {
    let ones = "1,".repeat(1_000_000);
    case(
        "json",
        &line(&format!(r#"[{ones}"jane.doe@example.org"]"#)),
        Want::Redacted(line(&format!(r#"[{ones}"<EMAIL_ADDRESS>"]"#))),
    );
}

#[test]
fn deep_objects_are_too_deep() {
    let n = 100_000;
    let input = format!(
        "{}\"jane.doe@example.org\"{}",
        "{\"a\":".repeat(n),
        "}".repeat(n)
    );
    case("json", &line(&input), Want::Quarantined("too_deep"));
}

#[test]
fn deep_arrays_are_too_deep() {
    let n = 100_000;
    let input = format!("{}\"jane.doe@example.org\"{}", "[".repeat(n), "]".repeat(n));
    case("json", &line(&input), Want::Quarantined("too_deep"));
    case("auto", &line(&input), Want::Quarantined("too_deep"));
}

#[test]
fn an_empty_payload_under_format_json_is_invalid_json() {
    case("json", b"\n", Want::Quarantined("invalid_json"));
}

#[test]
fn truncated_json_is_invalid_json() {
    case(
        "json",
        &line(r#"{"a":"jane.doe@example.org""#),
        Want::Quarantined("invalid_json"),
    );
}

#[test]
fn trailing_characters_after_json_are_invalid_json() {
    case(
        "json",
        &line(r#"{"a":"jane.doe@example.org"} x"#),
        Want::Quarantined("invalid_json"),
    );
}

#[test]
fn invalid_utf8_in_text_is_handled_bytewise() {
    case(
        "auto",
        b"\xff\xfe caf\xe9 jane.doe@example.org \xc3\n",
        Want::Redacted(b"\xff\xfe caf\xe9 <EMAIL_ADDRESS> \xc3\n".to_vec()),
    );
}

#[test]
fn a_message_without_msh_under_format_hl7_is_invalid_hl7() {
    case(
        "hl7",
        &line("PID|1||123||DOE^JANE|jane.doe@example.org"),
        Want::Quarantined("invalid_hl7"),
    );
}

#[test]
fn a_record_of_exactly_max_record_bytes_passes_and_one_byte_more_is_too_large() {
    let body = |n: usize| {
        let s = format!(r#"{{"e":"jane.doe@example.org","p":"{}"}}"#, "x".repeat(n));
        s
    };
    let exact = body(100);
    let limit = exact.len().to_string();
    case_with(
        "json",
        &line(&exact),
        &["--max-record-bytes", &limit],
        Want::Redacted(line(&format!(
            r#"{{"e":"<EMAIL_ADDRESS>","p":"{}"}}"#,
            "x".repeat(100)
        ))),
    );
    case_with(
        "json",
        &line(&body(101)),
        &["--max-record-bytes", &limit],
        Want::Quarantined("too_large"),
    );
    // Far over the limit: streamed to quarantine whole, not read whole.
    case_with(
        "json",
        &line(&body(5 << 20)),
        &["--max-record-bytes", &limit],
        Want::Quarantined("too_large"),
    );
}

/// The combined case list through the daemon: (key, record, expected
/// class; `None`: curated).
fn daemon_cases() -> Vec<(Raw, Option<&'static str>)> {
    let json = |s: &str| Some(s.as_bytes().to_vec());
    let rec = |key: &str, value: Option<Vec<u8>>| Raw {
        key: Some(key.as_bytes().to_vec()),
        value,
        timestamp: Some(t0()),
        ..Raw::default()
    };
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut v = vec![
        (
            rec(
                "nul",
                Some(b"{\"a\":\"\x00 jane.doe@example.org\"}".to_vec()),
            ),
            Some("invalid_json"),
        ),
        (
            rec("esc0", json(r#"{"a":"\u0000 jane.doe@example.org"}"#)),
            None,
        ),
        (
            rec(
                "dup",
                json(r#"{"a":"jane.doe@example.org","a":"jane.doe@example.org"}"#),
            ),
            None,
        ),
        (rec("nan", json(r#"{"a":NaN}"#)), Some("invalid_json")),
        (rec("inf", json(r#"{"a":Infinity}"#)), Some("invalid_json")),
        (
            rec("exp", json(r#"{"a":1e999,"b":"jane.doe@example.org"}"#)),
            None,
        ),
        (
            rec("bom", Some(b"\xef\xbb\xbf{}".to_vec())),
            Some("invalid_json"),
        ),
        (
            rec("crlf", json("{\"a\":\"jane.doe@example.org\"}\r\n")),
            None,
        ),
        (
            rec("overlong", Some(b"{\"a\":\"\xc0\xaf\"}".to_vec())),
            Some("invalid_json"),
        ),
        (
            rec("hisur", json(r#"{"a":"\ud800"}"#)),
            Some("invalid_json"),
        ),
        (
            rec("losur", json(r#"{"a":"\udc00"}"#)),
            Some("invalid_json"),
        ),
        // 10 MB: over max_record_bytes, and its copy over what the
        // producer writes: a reference.
        (
            rec(
                "10mb",
                Some(format!(r#"{{"s":"{}"}}"#, "a".repeat(10 << 20)).into_bytes()),
            ),
            Some("too_large_output"),
        ),
        (
            rec(
                "array",
                Some(format!("[{}1]", "1,".repeat(400_000)).into_bytes()),
            ),
            None,
        ),
        (rec("deep", Some(deep.into_bytes())), Some("too_deep")),
        (rec("empty", Some(Vec::new())), Some("invalid_json")),
        // A tombstone with a clean key stays a tombstone.
        (rec("tombstone", None), None),
        (
            Raw {
                headers: vec![(b"\xff\xfebad".to_vec(), Some(b"v".to_vec()))],
                ..rec("badheader", json(r#"{"a":1}"#))
            },
            Some("invalid_header"),
        ),
        (
            Raw {
                headers: (0..10_000)
                    .map(|i| {
                        (
                            format!("h{i}").into_bytes(),
                            Some(format!("v{i}").into_bytes()),
                        )
                    })
                    .chain([(b"x-mail".to_vec(), Some(PII.as_bytes().to_vec()))])
                    .collect(),
                ..rec("10k-headers", json(r#"{"a":1}"#))
            },
            None,
        ),
        (
            Raw {
                timestamp: Some(t0() - 30 * 24 * 3600 * 1000),
                ..rec("old", json(r#"{"a":"jane.doe@example.org"}"#))
            },
            None,
        ),
        (
            Raw {
                timestamp: Some(t0() + 2 * 3600 * 1000),
                ..rec("future", json(r#"{"a":"jane.doe@example.org"}"#))
            },
            None,
        ),
    ];
    // Exactly max_record_bytes with key and headers counted, and one more.
    let max = 999_488usize;
    let sized = |key: &str, total: usize| {
        let headers = vec![(b"h".to_vec(), Some(b"0123456789".to_vec()))];
        let fixed = key.len() + 1 + 10 + r#"{"p":""}"#.len();
        Raw {
            headers,
            ..rec(
                key,
                Some(format!(r#"{{"p":"{}"}}"#, "x".repeat(total - fixed)).into_bytes()),
            )
        }
    };
    v.push((sized("exact", max), None));
    v.push((sized("plus1", max + 1), Some("too_large_output")));
    v
}

#[test]
fn every_bad_input_class_through_the_daemon() {
    let _g = serial();
    let s = Setup::new("badinput", 1);
    // The input topic takes 10 MB records.
    let (admin, rt) = crate::record_path::admin(&s.bootstrap);
    let alter =
        rdkafka::admin::AlterConfig::new(rdkafka::admin::ResourceSpecifier::Topic(&s.input))
            .set("max.message.bytes", "20000000");
    for r in rt
        .block_on(admin.alter_configs(&[alter], &rdkafka::admin::AdminOptions::new()))
        .expect("alter_configs")
    {
        r.expect("max.message.bytes");
    }
    let cases = daemon_cases();
    let (plain, compressed): (Vec<_>, Vec<_>) = cases
        .iter()
        .map(|(r, _)| r.clone())
        .partition(|r| r.key.as_deref() != Some(b"array"));
    produce_raw(&s.bootstrap, &s.input, &plain, &[]);
    // The same clean-ish record in three compressed batches.
    let mut compressed_cases = Vec::new();
    for codec in ["zstd", "lz4", "gzip"] {
        let mut r = compressed[0].clone();
        r.key = Some(format!("array-{codec}").into_bytes());
        produce_raw(
            &s.bootstrap,
            &s.input,
            std::slice::from_ref(&r),
            &[("compression.type", codec)],
        );
        compressed_cases.push(r);
    }
    // An aborted transaction: read_committed never sees it.
    let tx: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &s.bootstrap)
        .set("transactional.id", format!("{}.aborter", s.input))
        .create()
        .expect("transactional producer");
    tx.init_transactions(Duration::from_secs(30)).expect("init");
    tx.begin_transaction().expect("begin");
    for _ in 0..3 {
        tx.send(
            BaseRecord::<[u8], [u8]>::to(&s.input)
                .key(b"aborted")
                .payload(PII.as_bytes()),
        )
        .map_err(|(e, _)| e)
        .expect("send");
    }
    tx.flush(Duration::from_secs(30)).expect("flush");
    tx.abort_transaction(Duration::from_secs(30))
        .expect("abort");
    let cfg = s.config("exactly_once", "it-0", "");
    let t = Instant::now();
    let mut d = s.daemon(&cfg);
    // Every case once, the compressed one in three codecs.
    let want_outputs = cases.len() + 2;
    let mut got = Vec::new();
    while got.len() < want_outputs {
        d.assert_running();
        assert!(
            t.elapsed() < Duration::from_secs(180),
            "{} of {want_outputs} outputs:\n{}",
            got.len(),
            d.log_tail()
        );
        std::thread::sleep(Duration::from_millis(500));
        got = read_all(&s.bootstrap, &s.curated, 1);
        got.extend(read_all(&s.bootstrap, &s.quarantine, 1));
    }
    // Keys name the cases; a reference (no key) names its source offset,
    // and the plain cases were produced first, in order, from offset 0.
    let key_of = |r: &crate::record_path::Read| -> String {
        if let Some(k) = &r.key {
            return String::from_utf8_lossy(k).into_owned();
        }
        let offset = r
            .value
            .as_deref()
            .and_then(|v| serde_json::from_slice::<serde_json::Value>(v).ok())
            .and_then(|v| v["redactd_reference"]["offset"].as_u64());
        offset.and_then(|o| plain.get(o as usize)).map_or_else(
            || "?".into(),
            |r| String::from_utf8_lossy(r.key.as_deref().unwrap_or_default()).into_owned(),
        )
    };
    let curated = read_all(&s.bootstrap, &s.curated, 1);
    for r in &curated {
        let all = [
            r.key.clone().unwrap_or_default(),
            r.value.clone().unwrap_or_default(),
        ]
        .concat();
        assert!(
            !contains(&all, PII.as_bytes()),
            "{}: planted value curated",
            key_of(r)
        );
        for (k, v) in r.headers.iter().flatten() {
            assert!(
                !contains(v, PII.as_bytes()),
                "{}: planted value in header {k}",
                key_of(r)
            );
        }
        assert_ne!(
            r.key.as_deref(),
            Some(b"aborted".as_slice()),
            "an aborted record was read"
        );
    }
    let quarantine = read_all(&s.bootstrap, &s.quarantine, 1);
    assert!(quarantine
        .iter()
        .all(|r| r.key.as_deref() != Some(b"aborted".as_slice())));
    let expected = cases
        .iter()
        .filter(|(r, _)| r.key.as_deref() != Some(b"array"))
        .map(|(r, w)| (r, *w))
        .chain(compressed_cases.iter().map(|r| (r, None)));
    let mut table = Vec::new();
    for (r, want) in expected {
        let key = String::from_utf8_lossy(r.key.as_deref().unwrap_or_default()).into_owned();
        let in_curated = curated.iter().filter(|o| key_of(o) == key).count();
        let in_quarantine: Vec<_> = quarantine.iter().filter(|o| key_of(o) == key).collect();
        match want {
            None => {
                assert_eq!(
                    (in_curated, in_quarantine.len()),
                    (1, 0),
                    "{key}: curated once"
                );
                table.push(format!("{key}: curated"));
            }
            Some(class) => {
                assert_eq!(
                    (in_curated, in_quarantine.len()),
                    (0, 1),
                    "{key}: quarantined once"
                );
                let q = in_quarantine[0];
                if q.headers.is_some() {
                    assert_eq!(q.header("redactd-error"), Some(class), "{key}");
                } else {
                    // rdkafka cannot show its headers (the bad name is kept
                    // as it came): the count says ours were added.
                    assert_eq!(q.header_count, 1 + 3, "{key}");
                }
                table.push(format!("{key}: quarantine {class}"));
            }
        }
    }
    let by_key = |k: &str| {
        curated
            .iter()
            .find(|o| o.key.as_deref() == Some(k.as_bytes()))
            .expect(k)
    };
    assert_eq!(by_key("tombstone").value, None);
    assert_eq!(
        by_key("old").timestamp,
        Some(t0() - 30 * 24 * 3600 * 1000),
        "timestamp kept"
    );
    assert_eq!(
        by_key("future").timestamp,
        Some(t0() + 2 * 3600 * 1000),
        "timestamp kept"
    );
    assert_eq!(by_key("10k-headers").header_count, 10_001 + 2);
    report(
        "bad_input",
        &format!(
            "{} cases in {:.1} s: {}",
            table.len(),
            t.elapsed().as_secs_f64(),
            table.join("; ")
        ),
    );
    d.assert_running();
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
}
