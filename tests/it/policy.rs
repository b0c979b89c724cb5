//! The policy through the library: golden outputs of every action with a
//! fixed keyset, and property tests over generated records with planted
//! values (nothing planted survives, JSON keeps its paths, pseudonyms are
//! stable and keyed, `reveal(encrypt(x)) == x`, `redact` is idempotent).

use std::collections::BTreeSet;

use proptest::prelude::*;
use redactd::config::Config;
use redactd::keys::{reveal_text, Keyset};
use redactd::record::{Format, Limits, Record};
use redactd::sample::{self, Kind, Planted, Rng};
use redactd::sanitize::{Report, Sanitizer, Workspace};

use crate::util::keyset_json;

/// The planted custom type (a deny-list dictionary) and its terms.
const CODENAMES: &[&str] = &["Blue Heron", "Wolfpack", "Project Tamarind"];

/// A sanitizer for `policy` (the YAML of the `policy:` section) with the
/// fixed keyset `seed` and the codename dictionary.
fn sanitizer(policy: &str, seed: u8) -> (Sanitizer, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = crate::util::write_keyset(dir.path(), "keys.json", seed);
    std::fs::write(dir.path().join("codenames.txt"), CODENAMES.join("\n")).expect("dict");
    let yaml = format!(
        "detection:\n  dictionaries: [{{type: PROJECT_CODENAME, file: codenames.txt, case_insensitive: true}}]\n\
         policy:\n{policy}\nkeys:\n  file: {}\n",
        keys.display()
    );
    let cfg_path = dir.path().join("redactd.yaml");
    std::fs::write(&cfg_path, yaml).expect("config");
    let cfg = Config::load(&cfg_path).expect("config loads");
    (Sanitizer::from_config(&cfg).expect("sanitizer"), dir)
}

fn sanitize(s: &Sanitizer, line: &str) -> (String, Report) {
    let mut rec = Record::parse(line.as_bytes(), Format::Auto, Limits::default()).expect("parse");
    let mut ws = Workspace::default();
    let report = s.sanitize(&mut rec, &mut ws);
    let mut out = Vec::new();
    rec.write(&mut out);
    (String::from_utf8(out).expect("utf8 output"), report)
}

fn keys(seed: u8) -> Keyset {
    Keyset::from_json(&keyset_json(seed)).expect("keyset")
}

// ---------------------------------------------------------------- golden

/// Every action's exact output on the same record, with keyset seed 1.
#[test]
fn golden_outputs_of_every_action() {
    let line = r#"{"email":"jane.doe@example.com","card":"4111-1111-1111-1111","note":"call +1 415 555 0134 re Blue Heron"}"#;
    let cases: &[(&str, &str)] = &[
        (
            "redact",
            r#"{"email":"<EMAIL_ADDRESS>","card":"<CREDIT_CARD>","note":"call <PHONE_NUMBER> re <PROJECT_CODENAME>"}"#,
        ),
        (
            "{action: redact, template: '[{type} removed]'}",
            r#"{"email":"[EMAIL_ADDRESS removed]","card":"[CREDIT_CARD removed]","note":"call [PHONE_NUMBER removed] re [PROJECT_CODENAME removed]"}"#,
        ),
        (
            "mask",
            r#"{"email":"****.***@******e.com","card":"****-****-****-1111","note":"call +* *** *** 0134 re **** *eron"}"#,
        ),
        ("hash", GOLDEN_HASH),
        ("surrogate", GOLDEN_SURROGATE),
        ("{action: encrypt, deterministic: true}", GOLDEN_DET),
        ("drop", r#"{}"#),
        ("keep", line),
    ];
    for (action, want) in cases {
        let (s, _d) = sanitizer(&format!("  default_action: {action}"), 1);
        let (out, report) = sanitize(&s, line);
        assert_eq!(&out, want, "action {action}");
        assert_eq!(report.findings.len(), 4, "action {action}");
        assert!(!report.quarantine);
    }
}

const GOLDEN_HASH: &str = r#"{"email":"<EMAIL_ADDRESS:a9c057e567eec497>","card":"<CREDIT_CARD:b7e7747beaf040b4>","note":"call <PHONE_NUMBER:7b58f3bceaa5f48e> re <PROJECT_CODENAME:b7e98302d582d172>"}"#;
const GOLDEN_SURROGATE: &str = r#"{"email":"bright.aspen7098@example.org","card":"4904-8432-9461-8865","note":"call +1 664 190 2765 re Ylod Fcjuh"}"#;
const GOLDEN_DET: &str = r#"{"email":"enc:v1:k1:E3E5a1e2MdNgfMQMMOevKTikFCy066noXsLlct8EiX9lo_icihCFTUlSGhrtocGC","card":"enc:v1:k1:ec8Xg-YpaCCaDBay12EVVsH9ICiqdeF4x6GvM6LnZZ6WUgdbRsMW1NF7oU9YKow","note":"call enc:v1:k1:VbMvI43GYhUd9imCrUGr6cZIUAfmy3-ewcvst8BqU-WOO11Vuq_m-Tq1Lw re enc:v1:k1:mLXhLaZphbdpr-YqkR7glUgVhCKiwxmvTmxHKrSOZQ5k96XIoMo"}"#;

/// The hash golden value recomputed independently: HMAC-SHA-256 under the
/// fixed HMAC key (bytes 101..=132) of `type ‖ 0 ‖ value`, first 8 bytes.
#[test]
fn golden_hash_is_hmac_sha256_of_type_and_value() {
    use hmac::{Hmac, Mac};
    let key: Vec<u8> = (0..32u8).map(|i| 101 + i).collect();
    let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&key).expect("key");
    mac.update(b"EMAIL_ADDRESS\0jane.doe@example.com");
    let hex: String = mac.finalize().into_bytes()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        GOLDEN_HASH.contains(&format!("<EMAIL_ADDRESS:{hex}>")),
        "{hex}"
    );
}

#[test]
fn golden_random_encrypt_has_the_token_shape_and_reveals() {
    let (s, _d) = sanitizer("  default_action: encrypt", 1);
    let line = r#"{"email":"jane.doe@example.com"}"#;
    let (a, _) = sanitize(&s, line);
    let (b, _) = sanitize(&s, line);
    assert_ne!(a, b, "random nonces: two encryptions differ");
    // 12-byte nonce + 20 bytes + 16-byte tag = 48 bytes = 64 base64url chars.
    let token = a
        .strip_prefix(r#"{"email":"enc:v1:k1:"#)
        .and_then(|t| t.strip_suffix(r#""}"#))
        .expect("token shape");
    assert_eq!(token.len(), 64, "{a}");
    assert!(token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    let names: Vec<&str> = s.engine().entity_names().collect();
    let mut out = Vec::new();
    reveal_text(&keys(1), a.as_bytes(), true, &names, &mut out).expect("reveal");
    assert_eq!(out, line.as_bytes());
}

#[test]
fn quarantine_marks_the_record_and_leaks_nothing() {
    let (s, _d) = sanitizer("  actions: {US_SSN: quarantine}", 1);
    let (out, report) = sanitize(&s, r#"{"ssn":"123-45-6789","e":"a.b@example.com"}"#);
    assert!(report.quarantine);
    assert_eq!(out, r#"{"ssn":"<US_SSN>","e":"<EMAIL_ADDRESS>"}"#);
    let labels: Vec<_> = report.labels(&s).collect();
    assert_eq!(
        labels,
        vec![("US_SSN", "quarantine"), ("EMAIL_ADDRESS", "redact")]
    );
}

#[test]
fn field_rules_win_over_types_and_allow_lists_are_untouched() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg_path = dir.path().join("redactd.yaml");
    std::fs::write(
        &cfg_path,
        "detection:\n  allow: {values: [support@example.com], patterns: ['.*@corp\\.example']}\n\
         policy:\n  actions: {EMAIL_ADDRESS: mask}\n  fields:\n    - {path: /internal/**, action: keep}\n    - {path: /users/*/email, action: drop}\n    - {path: /debug, action: redact, template: X}\n",
    )
    .expect("config");
    let s = Sanitizer::from_config(&Config::load(&cfg_path).expect("config")).expect("sanitizer");
    let (out, report) = sanitize(
        &s,
        r#"{"users":[{"email":"a.b@example.com","n":"x"}],"internal":{"a":{"e":"c.d@example.com"}},"debug":"e.f@example.com","e":"g.h@example.com","s":"support@example.com","t":"ops@corp.example"}"#,
    );
    assert_eq!(
        out,
        r#"{"users":[{"n":"x"}],"internal":{"a":{"e":"c.d@example.com"}},"debug":"X","e":"*.*@******e.com","s":"support@example.com","t":"ops@corp.example"}"#
    );
    let actions: Vec<_> = report.labels(&s).map(|(_, a)| a).collect();
    assert_eq!(actions, vec!["drop", "keep", "redact", "mask"]);
}

#[test]
fn policy_id_is_stable_and_changes_with_the_policy() {
    let (a, _d1) = sanitizer("  default_action: redact", 1);
    let (b, _d2) = sanitizer("  default_action: redact", 1);
    let (c, _d3) = sanitizer("  default_action: mask", 1);
    assert_eq!(a.policy_id(), b.policy_id());
    assert_ne!(a.policy_id(), c.policy_id());
    assert_eq!(a.policy_id().len(), 16);
    assert!(a.policy_id().bytes().all(|b| b.is_ascii_hexdigit()));
}

// ------------------------------------------------------------ properties

/// Actions under test and whether the output must hide planted values.
const ACTIONS: &[&str] = &[
    "redact",
    "mask",
    "hash",
    "surrogate",
    "encrypt",
    "{action: encrypt, deterministic: true}",
    "drop",
];

/// Types whose digits-only form must not survive either.
const NUMERIC: &[&str] = &["CREDIT_CARD", "US_SSN", "PHONE_NUMBER", "IBAN_CODE"];

/// Records of every kind with planted values, plus a codename sentence.
fn records(seed: u64) -> (Vec<String>, Vec<Planted>) {
    let mut r = Rng::new(seed);
    let mut planted = Vec::new();
    let mut out = Vec::new();
    for kind in [
        Kind::JsonEvent,
        Kind::Chat,
        Kind::Log,
        Kind::Log,
        Kind::Clean,
    ] {
        out.push(sample::record(&mut r, kind, &mut planted));
    }
    let c = *r.pick(CODENAMES);
    out.push(format!(r#"{{"msg":"status of {c} is green"}}"#));
    planted.push(Planted {
        entity: "PROJECT_CODENAME",
        value: c.to_string(),
    });
    (out, planted)
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// Every JSON Pointer of a scalar in `v`.
fn leaf_paths(v: &serde_json::Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                leaf_paths(x, &format!("{at}/{k}"), out);
            }
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                leaf_paths(x, &format!("{at}/{i}"), out);
            }
        }
        _ => {
            out.insert(at.to_string());
        }
    }
}

/// Actions that must give the same output for the same value and key.
const STABLE: &[&str] = &[
    "hash",
    "surrogate",
    "{action: encrypt, deterministic: true}",
];

struct Fixture {
    by_action: Vec<(&'static str, Sanitizer)>,
    /// A second sanitizer per `STABLE` action, built from its own files.
    again: Vec<(&'static str, Sanitizer)>,
    other_key: Sanitizer,
    _dirs: Vec<tempfile::TempDir>,
}

fn fixture() -> &'static Fixture {
    static F: std::sync::OnceLock<Fixture> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let mut dirs = Vec::new();
        let mut by_action = Vec::new();
        for a in ACTIONS {
            let (s, d) = sanitizer(&format!("  default_action: {a}"), 1);
            by_action.push((*a, s));
            dirs.push(d);
        }
        let mut again = Vec::new();
        for a in STABLE {
            let (s, d) = sanitizer(&format!("  default_action: {a}"), 1);
            again.push((*a, s));
            dirs.push(d);
        }
        let (other_key, d) = sanitizer("  default_action: hash", 2);
        dirs.push(d);
        Fixture {
            by_action,
            again,
            other_key,
            _dirs: dirs,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_planted_value_survives_any_action(seed in any::<u64>()) {
        let (lines, planted) = records(seed);
        for (action, s) in &fixture().by_action {
            for line in &lines {
                let (out, report) = sanitize(s, line);
                prop_assert!(!report.quarantine);
                for p in &planted {
                    prop_assert!(
                        !out.contains(&p.value),
                        "{action}: planted {} {:?} survives in {out}", p.entity, p.value
                    );
                    if NUMERIC.contains(&p.entity) {
                        let d = digits(&p.value);
                        prop_assert!(!out.contains(&d), "{action}: digits {d} of {} survive in {out}", p.entity);
                    }
                }
                // JSON stays JSON with the same key paths (minus dropped).
                if let Ok(inv) = serde_json::from_str::<serde_json::Value>(line) {
                    let outv: serde_json::Value = serde_json::from_str(&out)
                        .map_err(|e| TestCaseError::fail(format!("{action}: not JSON: {e}: {out}")))?;
                    let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
                    leaf_paths(&inv, "", &mut a);
                    leaf_paths(&outv, "", &mut b);
                    if *action == "drop" {
                        prop_assert!(b.is_subset(&a), "drop added paths");
                        prop_assert!(b.len() < a.len() || report.findings.is_empty());
                    } else {
                        prop_assert_eq!(a, b, "{} changed key paths", action);
                    }
                }
            }
        }
    }

    #[test]
    fn pseudonyms_are_stable_and_keyed(seed in any::<u64>()) {
        let (lines, _) = records(seed);
        let f = fixture();
        for (action, again) in &f.again {
            let s = &f.by_action.iter().find(|(a, _)| a == action).expect("action").1;
            // A second sanitizer from other files with the same keys:
            // same output, and not the input.
            for line in &lines {
                let (a, report) = sanitize(s, line);
                prop_assert_eq!(&a, &sanitize(again, line).0);
                if !report.findings.is_empty() {
                    prop_assert_ne!(&a, line);
                }
            }
        }
        let hash = &f.by_action.iter().find(|(a, _)| *a == "hash").expect("hash").1;
        for line in &lines {
            let (a, ra) = sanitize(hash, line);
            let (b, _) = sanitize(&f.other_key, line);
            if !ra.findings.is_empty() {
                prop_assert_ne!(a, b, "different keys, same pseudonyms");
            }
        }
    }

    #[test]
    fn reveal_of_encrypt_is_the_original(seed in any::<u64>()) {
        let (lines, planted) = records(seed);
        for (action, s) in &fixture().by_action {
            if !action.contains("encrypt") {
                continue;
            }
            let names: Vec<&str> = s.engine().entity_names().collect();
            for line in &lines {
                let (out, _) = sanitize(s, line);
                let json = serde_json::from_str::<serde_json::Value>(&out).is_ok();
                let mut back = Vec::new();
                reveal_text(&keys(1), out.as_bytes(), json, &names, &mut back)
                    .map_err(|(at, e)| TestCaseError::fail(format!("byte {at}: {e}")))?;
                // The record as the sanitizer re-serialises it, unencrypted.
                let orig = Record::parse(line.as_bytes(), Format::Auto, Limits::default()).expect("parse");
                let mut want = Vec::new();
                orig.write(&mut want);
                prop_assert_eq!(String::from_utf8_lossy(&back), String::from_utf8_lossy(&want), "{}", action);
            }
            // And value by value, through the keyset.
            let k = keys(1);
            for p in &planted {
                for det in [false, true] {
                    let t = k.encrypt(p.entity, p.value.as_bytes(), det).expect("encrypt");
                    let r = k.decrypt(&t, &names).expect("decrypt");
                    prop_assert_eq!(&r.plaintext[..], p.value.as_bytes());
                    prop_assert_eq!(r.deterministic, det);
                }
            }
        }
    }

    #[test]
    fn redact_is_idempotent(seed in any::<u64>()) {
        let (lines, _) = records(seed);
        let s = &fixture().by_action[0].1;
        for line in &lines {
            let (once, _) = sanitize(s, line);
            let (twice, _) = sanitize(s, &once);
            prop_assert_eq!(&once, &twice);
        }
    }
}

#[test]
fn from_config_without_keys_names_the_action_needing_them() {
    let cfg = Config::parse("policy:\n  actions: {US_SSN: encrypt}\n").expect("config");
    // No keys.file and (in this test process) no REDACTD_KEYSET.
    if std::env::var_os("REDACTD_KEYSET").is_some() {
        panic!("unset REDACTD_KEYSET to run the tests");
    }
    let e = Sanitizer::from_config(&cfg).expect_err("no keys");
    assert_eq!(e.key_path(), Some("policy.actions.US_SSN"));
    assert!(e.to_string().contains("needs a keyset"), "{e}");
}

// ------------------------------------- every built-in type, every action

/// One built-in detector's `examples.match` text and the exact substrings
/// the engine reports in it: as that detector's entity type, or, when a
/// stronger overlapping detector of another type wins the span
/// (`shadowed_by`), as whatever the engine reports there.
#[derive(Debug, Clone)]
struct PackExample {
    detector: String,
    entity: String,
    text: String,
    values: Vec<String>,
    shadowed_by: Vec<String>,
}

/// Every match example of every detector of the built-in packs, with the
/// spans the engine finds in it (scanned alone, as a whole value), read
/// from the pack data through the engine: a type added to a pack is
/// covered without touching this test.
fn pack_examples() -> &'static [PackExample] {
    static E: std::sync::OnceLock<Vec<PackExample>> = std::sync::OnceLock::new();
    E.get_or_init(|| {
        let engine = fixture().by_action[0].1.engine();
        let mut out = Vec::new();
        for d in engine.detectors() {
            for text in d.match_examples() {
                let found = engine.scan(text.as_bytes());
                let own: Vec<_> = found.iter().filter(|f| f.entity == d.entity()).collect();
                let (values, shadowed_by) = if own.is_empty() {
                    let by = found
                        .iter()
                        .map(|f| engine.entity_name(f.entity).to_string());
                    (found.iter().collect(), by.collect())
                } else {
                    (own, Vec::new())
                };
                out.push(PackExample {
                    detector: d.id().to_string(),
                    entity: engine.entity_name(d.entity()).to_string(),
                    text: text.clone(),
                    values: values
                        .iter()
                        .map(|f| text[f.start..f.end].to_string())
                        .collect(),
                    shadowed_by,
                });
            }
        }
        out
    })
}

/// Examples whose span the engine reports as another type: overlap
/// resolution keeps the higher-scoring (then longer) finding, so the value
/// is found and hidden (the tests below check it) but labelled otherwise.
/// Listed so that a change shows up here; none leaks.
const SHADOWED: &[(&str, &str)] = &[
    // Same 9-character shape, US_PASSPORT scores higher on "passport".
    ("kr-passport-old", "passport S73142286"),
    // The generic phone detector wins the whole number (same span).
    ("ph-mobile-intl", "tel. +63 (917) 555 0188"),
    // PHONE_NUMBER takes "(917) 555 0188"; the trunk "0" stays.
    ("ph-mobile-local", "call 0 (917) 555 0188"),
    // EMAIL_ADDRESS takes "password@host": the password goes, "jdoe" stays.
    (
        "url-credentials",
        "GET https://jdoe:s3cr3tPw@files.example.org/report.pdf",
    ),
    (
        "sidekiq-sensitive-url",
        "source \"https://fddb0534:a9b983f0@gems.contribsys.com/\"",
    ),
    // URL takes the whole URL, credentials included.
    (
        "sidekiq-sensitive-url",
        "http://f4539b74:44a295bd@enterprise.contribsys.com:80/path",
    ),
    (
        "password-in-url",
        "connecting to postgres://app:A2DAzqx2T4Rc1h@db.internal:5432/orders",
    ),
    ("password-in-url", "amqp://guest:changeme@rabbit:5672/"),
];

/// A sanitizer whose every finding quarantines the record.
fn quarantiner() -> &'static Sanitizer {
    static Q: std::sync::OnceLock<(Sanitizer, tempfile::TempDir)> = std::sync::OnceLock::new();
    &Q.get_or_init(|| sanitizer("  default_action: quarantine", 1))
        .0
}

/// What of `value` must not survive `action`: all of it, except that
/// `mask` shows the last `DEFAULT_KEEP_LAST` letters or digits (at most
/// half of them) by contract, so only the part before those is secret.
fn secret_part<'a>(action: &str, value: &'a str) -> &'a str {
    if action != "mask" {
        return value;
    }
    let alnum = value.chars().filter(|c| c.is_alphanumeric()).count();
    let keep = redactd::policy::DEFAULT_KEEP_LAST.min(alnum / 2);
    let mut seen = 0;
    for (i, c) in value.char_indices() {
        if c.is_alphanumeric() {
            seen += 1;
            if seen > alnum - keep {
                return &value[..i];
            }
        }
    }
    value
}

/// Every string leaf and key of `v`, unescaped, one a line: a planted
/// value holding `"` or `\\` is escaped in the raw JSON output.
fn strings(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                out.push_str(k);
                out.push('\n');
                strings(x, out);
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::String(x) => {
            out.push_str(x);
            out.push('\n');
        }
        _ => {}
    }
}

/// Sanitizes `line` (a JSON record or a text line) under `action` and
/// checks that no value in `planted` survives: the value (at least 4
/// bytes) or its digits-only form (at least 6 digits), minus what `mask`
/// shows by contract. `context` is the text around the planted values
/// (generated fields, the non-sensitive words of the examples): a value
/// that also occurs there is not evidence of a leak and is skipped.
/// JSON stays JSON with the same key paths (fewer under `drop`).
fn check_hidden(
    action: &str,
    s: &Sanitizer,
    line: &str,
    planted: &[(&str, &str)],
    context: &str,
) -> Result<usize, TestCaseError> {
    let (out, report) = sanitize(s, line);
    prop_assert!(
        !report.findings.is_empty(),
        "{action}: nothing found in {line}"
    );
    let mut hay = out.clone();
    if let Ok(inv) = serde_json::from_str::<serde_json::Value>(line) {
        let outv: serde_json::Value = serde_json::from_str(&out)
            .map_err(|e| TestCaseError::fail(format!("{action}: not JSON: {e}: {out}")))?;
        let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
        leaf_paths(&inv, "", &mut a);
        leaf_paths(&outv, "", &mut b);
        if action == "drop" {
            prop_assert!(b.is_subset(&a) && b.len() < a.len(), "drop: paths {b:?}");
        } else {
            prop_assert_eq!(a, b, "{} changed key paths", action);
        }
        strings(&outv, &mut hay);
    }
    let mut checked = 0;
    for (entity, value) in planted {
        let secret = secret_part(action, value);
        if secret.len() >= 4 && !context.contains(secret) {
            checked += 1;
            prop_assert!(
                !hay.contains(secret),
                "{action}: {entity} {secret:?} (of {value:?}) survives in {out}"
            );
        }
        let d = digits(secret);
        if d.len() >= 6 && !context.contains(&d) {
            checked += 1;
            prop_assert!(
                !hay.contains(&d),
                "{action}: digits {d} of {entity} {value:?} survive in {out}"
            );
        }
    }
    prop_assert_eq!(report.quarantine, action == "quarantine", "{}", action);
    Ok(checked)
}

/// The sanitizers of every action but `keep`, `quarantine` included.
fn every_action() -> Vec<(&'static str, &'static Sanitizer)> {
    let mut v: Vec<_> = fixture().by_action.iter().map(|(a, s)| (*a, s)).collect();
    v.push(("quarantine", quarantiner()));
    v
}

/// A JSON record of generated fields (a checkout event, a chat message)
/// with `examples` planted as whole string values under neutral keys;
/// returns it, what is planted in it, and the text around the plants.
fn planted_record<'a>(
    r: &mut Rng,
    examples: &[&'a PackExample],
) -> (String, Vec<(&'a str, String)>, String) {
    let mut planted = Vec::new();
    let event = sample::record(r, Kind::JsonEvent, &mut planted);
    let chat = sample::record(r, Kind::Chat, &mut planted);
    let mut v: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&event).expect("sample JSON");
    v.insert("msg".into(), chat.clone().into());
    let mut context = String::new();
    let mut all: Vec<(&str, String)> = Vec::new();
    for (i, e) in examples.iter().enumerate() {
        v.insert(format!("note{i}"), e.text.clone().into());
        let mut around = e.text.clone();
        for x in &e.values {
            around = around.replace(x.as_str(), "\n");
        }
        context.push_str(&around);
        context.push('\n');
        all.extend(e.values.iter().map(|x| (e.entity.as_str(), x.clone())));
    }
    // The generated fields' own planted values must go too; their
    // surroundings are the non-planted generated text.
    let mut rest = format!("{event}\n{chat}");
    for p in &planted {
        rest = rest.replace(p.value.as_str(), "\n");
    }
    context.push_str(&rest);
    all.extend(planted.into_iter().map(|p| (p.entity, p.value)));
    (serde_json::Value::Object(v).to_string(), all, context)
}

/// Every built-in pack example, sixteen to a record, under every action.
/// Also pins the coverage: every entity type of the built-in packs has a
/// match example the engine finds, and every example is found.
#[test]
fn every_pack_example_is_hidden_under_every_action() {
    let ex = pack_examples();
    let engine = fixture().by_action[0].1.engine();
    let types: BTreeSet<&str> = ex.iter().map(|e| e.entity.as_str()).collect();
    let all: BTreeSet<&str> = engine
        .entity_names()
        .filter(|n| *n != "PROJECT_CODENAME")
        .collect();
    assert_eq!(types, all, "types without a match example");
    for e in ex {
        assert!(
            !e.values.is_empty(),
            "{} finds nothing in its example {:?}",
            e.detector,
            e.text
        );
    }
    let shadowed: Vec<(&str, &str)> = ex
        .iter()
        .filter(|e| !e.shadowed_by.is_empty())
        .map(|e| (e.detector.as_str(), e.text.as_str()))
        .collect();
    assert_eq!(shadowed, SHADOWED, "examples found only as another type");
    let own: BTreeSet<&str> = ex
        .iter()
        .filter(|e| e.shadowed_by.is_empty())
        .map(|e| e.entity.as_str())
        .collect();
    let never: Vec<&str> = all.difference(&own).copied().collect();
    assert!(
        never.is_empty(),
        "types never found as themselves: {never:?}"
    );
    let mut r = Rng::new(7);
    let mut checked = 0;
    let actions = every_action();
    for chunk in ex.chunks(16) {
        let chunk: Vec<&PackExample> = chunk.iter().collect();
        let (line, planted, context) = planted_record(&mut r, &chunk);
        let planted: Vec<(&str, &str)> = planted.iter().map(|(e, v)| (*e, v.as_str())).collect();
        for (action, s) in &actions {
            checked += check_hidden(action, s, &line, &planted, &context)
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    assert!(
        checked >= ex.len() * actions.len(),
        "too few checks: {checked}"
    );
    eprintln!(
        "{} types, {} detectors, {} examples, {} actions, {checked} checks",
        all.len(),
        ex.iter()
            .map(|e| &e.detector)
            .collect::<BTreeSet<_>>()
            .len(),
        ex.len(),
        actions.len()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random subsets of the pack examples planted in generated records,
    /// as JSON values and as text lines, under every action.
    #[test]
    fn planted_pack_examples_survive_no_action(
        seed in any::<u64>(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..10),
    ) {
        let ex = pack_examples();
        let chosen: Vec<&PackExample> = picks.iter().map(|i| &ex[i.index(ex.len())]).collect();
        let mut r = Rng::new(seed);
        let (line, planted, context) = planted_record(&mut r, &chosen);
        let planted: Vec<(&str, &str)> = planted.iter().map(|(e, v)| (*e, v.as_str())).collect();
        for (action, s) in every_action() {
            check_hidden(action, s, &line, &planted, &context)?;
            for e in &chosen {
                if serde_json::from_str::<serde_json::Value>(&e.text).is_ok() {
                    continue;
                }
                let mut around = e.text.clone();
                for x in &e.values {
                    around = around.replace(x.as_str(), "\n");
                }
                let vals: Vec<(&str, &str)> =
                    e.values.iter().map(|v| (e.entity.as_str(), v.as_str())).collect();
                check_hidden(action, s, &e.text, &vals, &around)?;
            }
        }
    }
}
