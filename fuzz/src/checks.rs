//! What each fuzz target checks, in one file for two users: the AFL
//! binaries under `fuzz/src/bin/` and their proptest mirrors in the root
//! crate (`tests/it/fuzz_mirror.rs` includes this file by path), so the
//! fuzzer and `cargo test` hold the library to the same invariants.
//!
//! Every `check_*` takes the raw input bytes, never panics on its own
//! account, and panics (an AFL crash, a proptest failure) exactly when an
//! invariant breaks. Inputs with several parts split them on `0xFF`, a
//! byte that never occurs in UTF-8, so any UTF-8 text stays expressible
//! inside a part. See docs/decisions/0050-fuzzing.md.

use std::sync::{Arc, OnceLock};

use redactd::config::{check, Config};
use redactd::detect::Engine;
use redactd::keys::{find_tokens, reveal_text, Keyset};
use redactd::record::{Doc, Format, JsonError, Limits, Record, DEFAULT_MAX_DEPTH};
use redactd::sample::{self, Rng};
use redactd::sanitize::{
    Class, Header, Input, Outcome, Sanitizer, Workspace, HEADER_FINDINGS, HEADER_POLICY,
};

/// Separates the parts of a structured input.
pub const SEP: u8 = 0xFF;

/// Splits `data` into at most `n` parts on [`SEP`] (the last part keeps
/// any further separators).
pub fn parts(data: &[u8], n: usize) -> Vec<&[u8]> {
    data.splitn(n, |&b| b == SEP).collect()
}

/// Joins parts with [`SEP`]: the inverse of [`parts`] (for seeds and the
/// proptest mirrors).
pub fn join(parts: &[&[u8]]) -> Vec<u8> {
    parts.join(&[SEP][..])
}

// ---------------------------------------------------------------- json

/// `json`: the arena parser and writer against serde_json.
///
/// - Our parse never panics; when it succeeds, our write of it is UTF-8,
///   parses again to the same tree, and writes again to the same bytes
///   (a fixed point).
/// - When serde_json accepts the bytes too, serde_json reads our write as a
///   `serde_json::Value` equal to the one it reads from the input, member
///   order included. Numbers are compared as serde_json reads them; both
///   sides hold the same number text (the writer keeps it), so this is
///   exact. Duplicate member names: the writer keeps every member, so
///   serde_json keeps the last value on both sides.
/// - Acceptance: whatever serde_json accepts, we accept. We accept more in
///   two cases only, both by design: numbers outside f64's range (we keep
///   the text, serde_json refuses `1e400`) and nesting past serde_json's
///   fixed limit of 128 (ours is `max_depth`, 512 by default). Any other
///   disagreement is a bug in one of the parsers.
/// - `Record::parse` with `format: auto` keeps non-JSON bytes as text,
///   unchanged.
pub fn check_json(data: &[u8]) {
    let ours = Doc::parse(data, DEFAULT_MAX_DEPTH);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (&ours, &theirs) {
        (Ok(doc), _) => {
            let mut out = Vec::new();
            doc.write(&mut out);
            assert!(std::str::from_utf8(&out).is_ok(), "write is not UTF-8");
            let again = Doc::parse(&out, DEFAULT_MAX_DEPTH)
                .unwrap_or_else(|e| panic!("our write does not parse again: {e}"));
            assert_eq!(&again, doc, "parse(write(doc)) != doc");
            let mut out2 = Vec::new();
            again.write(&mut out2);
            assert_eq!(out2, out, "write is not a fixed point");
            match &theirs {
                Ok(want) => {
                    let got: serde_json::Value = serde_json::from_slice(&out)
                        .unwrap_or_else(|e| panic!("serde_json rejects our write: {e}"));
                    assert_eq!(&got, want, "serde_json reads our write differently");
                    assert_eq!(
                        serde_json::to_string(&got).ok(),
                        serde_json::to_string(want).ok(),
                        "member order differs"
                    );
                }
                Err(e) => {
                    let e = e.to_string();
                    assert!(
                        e.starts_with("number out of range")
                            || e.starts_with("recursion limit exceeded"),
                        "we accept what serde_json rejects: {e}"
                    );
                }
            }
        }
        (Err(e), Ok(_)) => panic!("serde_json accepts what we reject: {e}"),
        (Err(_), Err(_)) => {}
    }
    let limits = Limits::default();
    match Record::parse(data, Format::Auto, limits) {
        Ok(Record::Text(t)) => {
            assert!(ours.is_err(), "JSON read as text");
            assert_eq!(t, data, "text record changed its bytes");
        }
        Ok(Record::Json(d)) => assert_eq!(Some(&d), ours.as_ref().ok()),
        Err(e) => assert!(
            matches!(ours, Err(JsonError::TooDeep { .. })) || data.len() > limits.max_record_bytes,
            "auto format refused {e}"
        ),
    }
}

// ---------------------------------------------------------------- token

/// The fuzz keyset: two encryption keys (`k2` primary, `k1` older) and the
/// pseudonym key, with fixed material.
pub const KEYSET_JSON: &str = r#"{
  "version": 1,
  "primary": "k2",
  "keys": {
    "k1": {"algorithm": "aes-256-gcm", "material": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="},
    "k2": {"algorithm": "aes-256-gcm", "material": "BwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAhIiMkJSY=", "created": "2026-12-01T00:00:00Z"}
  },
  "hmac": {"id": "h1", "algorithm": "hmac-sha256", "material": "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoM="}
}"#;

/// Candidate entity types (associated data) a token is tried under.
pub const ENTITIES: [&str; 4] = ["PERSON", "EMAIL_ADDRESS", "CREDIT_CARD", "US_SSN"];

/// [`KEYSET_JSON`], parsed once.
pub fn keyset() -> &'static Keyset {
    static KEYS: OnceLock<Keyset> = OnceLock::new();
    KEYS.get_or_init(|| Keyset::from_json(KEYSET_JSON).expect("the fuzz keyset parses"))
}

/// The input of [`check_token`]: flags (bit 0 deterministic, bit 1 JSON
/// reveal, bits 2-3 the entity), then prefix, plaintext and suffix.
pub fn token_input(flags: u8, prefix: &[u8], plain: &[u8], suffix: &[u8]) -> Vec<u8> {
    let mut v = vec![flags];
    v.extend(join(&[prefix, plain, suffix]));
    v
}

/// `token`: `Keyset::decrypt` and `reveal_text`.
///
/// - Arbitrary bytes, as a token and as a text to reveal: errors only;
///   `reveal_text` reports one key id per token span and, when it finds no
///   span, writes the text back unchanged.
/// - Round trip: `encrypt` then `decrypt` returns the plaintext, the
///   entity type and the mode; a token with one payload character changed
///   does not decrypt; the token put between a prefix and a suffix (that
///   hold no token of their own) and revealed gives back prefix,
///   plaintext (JSON-escaped in JSON mode) and suffix.
pub fn check_token(data: &[u8]) {
    let keys = keyset();
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    // Arbitrary text.
    let _ = keys.decrypt(&String::from_utf8_lossy(rest), &ENTITIES);
    let json = flags & 2 != 0;
    let mut out = Vec::new();
    if let Ok(ids) = reveal_text(keys, rest, json, &ENTITIES, &mut out) {
        assert_eq!(ids.len(), find_tokens(rest).count(), "one id per token");
        if ids.is_empty() {
            assert_eq!(out, rest, "a text without tokens changed");
        }
    }
    // Round trip.
    let p = parts(rest, 3);
    let (prefix, plain, suffix) = (
        p[0],
        p.get(1).copied().unwrap_or_default(),
        p.get(2).copied().unwrap_or_default(),
    );
    let deterministic = flags & 1 != 0;
    let entity = ENTITIES[usize::from(flags >> 2) % ENTITIES.len()];
    let token = keys
        .encrypt(entity, plain, deterministic)
        .expect("encrypt a short plaintext");
    let r = keys
        .decrypt(&token, &ENTITIES)
        .expect("a fresh token decrypts");
    assert_eq!(&r.plaintext[..], plain);
    assert_eq!(r.entity, entity);
    assert_eq!(r.deterministic, deterministic);
    assert_eq!(r.key_id, keys.primary_id());
    if deterministic {
        assert_eq!(
            keys.encrypt(entity, plain, true).ok().as_deref(),
            Some(token.as_str()),
            "deterministic tokens are stable"
        );
    }
    // Tampering: one payload character replaced by another of the alphabet.
    let payload_at = token.rfind(':').expect("token has a payload") + 1;
    let pick = prefix.first().copied().unwrap_or(0);
    let at = payload_at + usize::from(pick) % (token.len() - payload_at);
    let mut bad = token.clone().into_bytes();
    bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
    let bad = String::from_utf8(bad).expect("ASCII");
    assert!(
        keys.decrypt(&bad, &ENTITIES).is_err(),
        "a tampered token decrypts"
    );
    // Reveal inside a text.
    if find_tokens(prefix).next().is_some() || find_tokens(suffix).next().is_some() {
        return;
    }
    let text = [prefix, b" ", token.as_bytes(), b" ", suffix].concat();
    out.clear();
    let ids = reveal_text(keys, &text, json, &ENTITIES, &mut out);
    let shown = if json {
        match std::str::from_utf8(plain) {
            Ok(s) => {
                let q = serde_json::to_string(s).expect("a string serializes");
                q.as_bytes()[1..q.len() - 1].to_vec()
            }
            Err(_) => {
                assert!(ids.is_err(), "non-UTF-8 plaintext put into JSON");
                return;
            }
        }
    } else {
        plain.to_vec()
    };
    let ids = ids.unwrap_or_else(|(at, e)| panic!("reveal failed at {at}: {e}"));
    assert_eq!(ids, [keys.primary_id().to_string()]);
    assert_eq!(out, [prefix, b" ", &shown, b" ", suffix].concat());
}

// ---------------------------------------------------------------- config

/// The builtin engine, built once (policies are checked against it).
pub fn engine() -> &'static Arc<Engine> {
    static ENGINE: OnceLock<Arc<Engine>> = OnceLock::new();
    ENGINE.get_or_init(|| Arc::new(Engine::builtin().expect("the builtin packs build")))
}

/// `config`: config and keyset parsing, errors only.
///
/// The input is a text (invalid UTF-8 replaced), then optionally a NUL and
/// `REDACTD_*=value` lines for the environment overrides.
///
/// - `Config::parse_with_env` returns a config or an error; for a config,
///   `config::check::policy` (against the builtin engine, with and without
///   a keyset), `check::kafka` and `check::max_output_bytes` return a
///   value or an error.
/// - `Keyset::from_json` on the text returns a keyset or an error; a
///   keyset written with `to_json` parses again to the same key ids, and a
///   value encrypted under it decrypts.
pub fn check_config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (yaml, env) = text.split_once('\0').unwrap_or((&text, ""));
    let vars = env.lines().filter_map(|l| {
        let (k, v) = l.split_once('=')?;
        Some((k.to_string(), v.to_string()))
    });
    if let Ok(cfg) = Config::parse_with_env(yaml, vars) {
        let keys = Arc::new(Keyset::from_json(KEYSET_JSON).expect("the fuzz keyset parses"));
        for k in [None, Some(keys)] {
            let _ = check::policy(&cfg, engine(), k);
        }
        let _ = check::kafka(&cfg);
        let _ = check::max_output_bytes(&cfg.kafka);
        let _ = cfg.record.format.parse::<Format>();
    }
    if let Ok(keys) = Keyset::from_json(yaml) {
        let again = Keyset::from_json(&keys.to_json()).expect("to_json parses again");
        assert_eq!(again.primary_id(), keys.primary_id());
        assert_eq!(again.hmac_id(), keys.hmac_id());
        assert!(again.key_ids().eq(keys.key_ids()));
        let token = keys
            .encrypt("PERSON", b"Jane Roe", false)
            .expect("encrypt under a parsed keyset");
        let r = again.decrypt(&token, &["PERSON"]).expect("decrypt");
        assert_eq!(&r.plaintext[..], b"Jane Roe");
    }
}

// ---------------------------------------------------------------- process

/// The policies `check_process` runs under: every action that changes a
/// value, as the default action, with the fuzz keyset (but the first,
/// without keys: a finding in a record key quarantines the record).
pub const POLICIES: [&str; 8] = [
    "",
    "policy: {default_action: hash}",
    "policy: {default_action: {action: mask, keep_last: 2}}",
    "policy: {default_action: {action: encrypt, deterministic: true}}",
    "policy: {default_action: surrogate}",
    "policy: {default_action: drop}",
    "policy: {default_action: redact}",
    "policy: {default_action: encrypt, keys: drop, headers: {action: mask, keep_last: 0}}",
];

/// Limits of the tight variant: small enough that inputs hit them.
pub const TIGHT: Limits = Limits {
    max_record_bytes: 300,
    max_depth: 6,
};

/// A sanitizer per (policy, format, limits), sharing the builtin engine.
pub fn sanitizers() -> &'static [Sanitizer] {
    static ALL: OnceLock<Vec<Sanitizer>> = OnceLock::new();
    ALL.get_or_init(|| {
        let keys = Arc::new(Keyset::from_json(KEYSET_JSON).expect("the fuzz keyset parses"));
        let mut all = Vec::new();
        for (i, yaml) in POLICIES.iter().enumerate() {
            let cfg = Config::parse(yaml).expect("a fuzz policy parses");
            let k = (i > 0).then(|| Arc::clone(&keys));
            let policy = check::policy(&cfg, engine(), k).expect("a fuzz policy builds");
            let s = Sanitizer::new(Arc::clone(engine()), policy);
            for format in [Format::Auto, Format::Json, Format::Text, Format::Hl7] {
                for limits in [Limits::default(), TIGHT] {
                    all.push(s.clone().with_record(format, limits));
                }
            }
        }
        all
    })
}

/// The value `check_process` plants, after a label that makes it
/// unambiguous: (label, value). Built from `seed`; every value is valid
/// for its type (Luhn, mod 97, SSN ranges), made by `redactd::sample`.
pub fn planted(kind: u8, seed: u16) -> (&'static str, String) {
    let mut r = Rng::new(u64::from(seed) + 1);
    match kind % 4 {
        0 => {
            let first = *r.pick(&["maria", "wei", "aisha", "lucas", "priya"]);
            let last = *r.pick(&["garcia", "chen", "khan", "rossi", "patel"]);
            let domain = *r.pick(&["mail.example.org", "gmail.com", "posteo.de"]);
            ("email:", format!("{first}.{last}{}@{domain}", r.below(100)))
        }
        1 => ("card:", sample::card(&mut r)),
        2 => ("SSN:", sample::ssn(&mut r)),
        _ => ("IBAN:", sample::iban(&mut r)),
    }
}

/// The input of [`check_process`]: `flags` (bit 0: no key, bit 1: no
/// value, bits 2-3: the planted kind, bit 4: plant into the first header's
/// value too, bits 5-7: the policy), `mode` (bits 0-1: the record format,
/// bit 2: tight limits), the planted value's position in the value (u16,
/// modulo the value's length; also its seed), then key, value and header
/// name / value pairs (bit `i` of the second byte makes header `i`'s value
/// absent).
pub fn process_input(
    flags: u8,
    mode: u8,
    at: u16,
    key: &[u8],
    value: &[u8],
    headers: &[(&[u8], Option<&[u8]>)],
) -> Vec<u8> {
    let mut absent = 0u8;
    let mut p: Vec<&[u8]> = vec![key, value];
    for (i, (k, v)) in headers.iter().enumerate() {
        if v.is_none() && i < 8 {
            absent |= 1 << i;
        }
        p.push(k);
        p.push(v.unwrap_or_default());
    }
    let mut data = vec![flags, mode, absent];
    data.extend_from_slice(&at.to_le_bytes());
    data.extend(join(&p));
    data
}

/// `bytes` with ` LABEL VALUE ` spliced in at `at` (modulo its length).
fn splice(bytes: &[u8], at: u16, label: &str, value: &str) -> Vec<u8> {
    let at = usize::from(at) % (bytes.len() + 1);
    [
        &bytes[..at],
        b" ",
        label.as_bytes(),
        b" ",
        value.as_bytes(),
        b" ",
        &bytes[at..],
    ]
    .concat()
}

/// `process`: `Sanitizer::process` on arbitrary key, value and header
/// bytes, with a planted value (an email, a Luhn-valid card, an SSN or an
/// IBAN after its label) spliced into the value and, on request, into the
/// first header's value.
///
/// - It returns, never panics: a panic would be caught and quarantined as
///   `internal`, which counts as a failure here.
/// - A curated outcome holds the planted value nowhere: not in the key,
///   the value, a header name or a header value.
/// - A curated value is JSON when the input value was; its headers end
///   with `redactd-findings` and `redactd-policy` and hold no other
///   `redactd-*` header.
///
/// Returns whether the outcome was curated (the mirror checks that enough
/// cases get that far).
pub fn check_process(data: &[u8]) -> bool {
    let [flags, mode, absent, a0, a1, rest @ ..] = data else {
        return false;
    };
    let (flags, mode, absent) = (*flags, *mode, *absent);
    let at = u16::from_le_bytes([*a0, *a1]);
    let p = parts(rest, 18);
    let key = (flags & 1 == 0).then(|| p[0]);
    let raw_value = p.get(1).copied().unwrap_or_default();
    let (label, secret) = planted(flags >> 2, at);
    let value = (flags & 2 == 0).then(|| splice(raw_value, at, label, &secret));
    let mut header_values: Vec<Option<Vec<u8>>> = p
        .get(3..)
        .unwrap_or_default()
        .iter()
        .step_by(2)
        .enumerate()
        .map(|(i, v)| (i >= 8 || absent & (1 << i) == 0).then(|| v.to_vec()))
        .collect();
    if flags & 16 != 0 {
        if let Some(Some(v)) = header_values.first_mut() {
            *v = splice(v, at, label, &secret);
        }
    }
    let headers: Vec<Header<'_>> = p
        .get(2..)
        .unwrap_or_default()
        .iter()
        .step_by(2)
        .zip(&header_values)
        .map(|(k, v)| Header {
            key: k,
            value: v.as_deref(),
        })
        .collect();
    let input = Input {
        key,
        value: value.as_deref(),
        headers: &headers,
    };
    let all = sanitizers();
    let policy = usize::from(flags >> 5);
    let variant = usize::from(mode & 3) * 2 + usize::from(mode & 4 != 0);
    let s = &all[policy * 8 + variant];
    let mut ws = Workspace::default();
    let c = match s.process(&input, &mut ws) {
        Outcome::Quarantine(q) => {
            assert_ne!(q.class, Class::Internal, "process panicked");
            return false;
        }
        Outcome::Curated(c) => c,
    };
    let leaks = |b: &[u8]| memmem(b, secret.as_bytes());
    assert!(
        !c.key.as_deref().is_some_and(leaks),
        "planted {secret:?} in the key"
    );
    assert!(
        !c.value.as_deref().is_some_and(leaks),
        "planted {secret:?} in the value"
    );
    for (k, v) in &c.headers {
        assert!(
            !leaks(k.as_bytes()),
            "planted {secret:?} in header name {k:?}"
        );
        assert!(
            !v.as_deref().is_some_and(leaks),
            "planted {secret:?} in header {k:?}"
        );
    }
    if let (Some(inp), Some(out)) = (input.value, &c.value) {
        if Doc::parse(inp, s.limits().max_depth).is_ok() && s.format() != Format::Text {
            assert!(
                Doc::parse(out, usize::MAX).is_ok(),
                "a JSON value came out as something else"
            );
        }
    }
    let n = c.headers.len();
    assert!(
        n >= 2 && c.headers[n - 2].0 == HEADER_FINDINGS && c.headers[n - 1].0 == HEADER_POLICY,
        "redactd-findings and redactd-policy are not last"
    );
    assert!(
        c.headers[..n - 2]
            .iter()
            .all(|(k, _)| !k.starts_with("redactd-")),
        "an input redactd-* header went through"
    );
    true
}

/// Whether `needle` occurs in `hay`.
fn memmem(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
