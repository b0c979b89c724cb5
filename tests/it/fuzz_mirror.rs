//! The fuzz targets as property tests (docs/decisions/0050-fuzzing.md): the
//! same checks as `fuzz/src/bin/*` (the file is shared), fed by proptest
//! with generated inputs and mutations of them, so `cargo test` holds the
//! invariants that `scripts/fuzz` explores for minutes.

#[path = "../../fuzz/src/checks.rs"]
mod checks;

use proptest::prelude::*;

/// A JSON number's text: every form the grammar allows.
fn number() -> impl Strategy<Value = String> {
    "-?(0|[1-9][0-9]{0,24})(\\.[0-9]{1,6})?([eE][+-]?[0-9]{1,3})?"
}

/// A JSON string literal with escapes, non-ASCII and surrogate pairs.
fn string_lit() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9 @.:/-]{1,6}",
            Just("\\n".to_string()),
            Just("\\\"".to_string()),
            Just("\\\\".to_string()),
            Just("\\/".to_string()),
            Just("\\u00e9".to_string()),
            Just("\\ud83d\\ude00".to_string()),
            Just("\\u0000".to_string()),
            "[\\u{80}-\\u{10ffff}]{1,2}",
        ],
        0..5,
    )
    .prop_map(|parts| format!("\"{}\"", parts.concat()))
}

/// JSON texts with random whitespace, duplicate member names and nesting.
fn json_text() -> impl Strategy<Value = String> {
    let ws = "[ \t\r\n]{0,2}";
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        number(),
        string_lit(),
    ];
    leaf.prop_recursive(6, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec((inner.clone(), ws), 0..6).prop_map(|items| {
                let items: Vec<String> = items
                    .into_iter()
                    .map(|(v, w)| format!("{w}{v}{w}"))
                    .collect();
                format!("[{}]", items.join(","))
            }),
            prop::collection::vec(
                (
                    prop_oneof![Just("\"a\"".to_string()), string_lit()],
                    inner,
                    ws
                ),
                0..6
            )
            .prop_map(|members| {
                let m: Vec<String> = members
                    .into_iter()
                    .map(|(k, v, w)| format!("{w}{k}{w}:{w}{v}"))
                    .collect();
                format!("{{{}}}", m.join(","))
            }),
        ]
    })
}

/// `bytes` with one byte replaced, one removed or a cut at `at`.
fn mutate(mut bytes: Vec<u8>, how: u8, at: usize, with: u8) -> Vec<u8> {
    if bytes.is_empty() {
        return vec![with];
    }
    let at = at % bytes.len();
    match how % 4 {
        0 => bytes[at] = with,
        1 => {
            bytes.remove(at);
        }
        2 => bytes.truncate(at),
        _ => bytes.insert(at, with),
    }
    bytes
}

/// Config and keyset texts to start from: the repo's example config, the
/// policy example of docs/configuration.md, env overrides and the fuzz
/// keyset.
const CONFIG_SEEDS: &[&str] = &[
    include_str!("../../examples/redactd-kafka.yaml"),
    "policy:\n  default_action: redact\n  actions:\n    EMAIL_ADDRESS: hash\n    CREDIT_CARD: {action: mask, keep_last: 4}\n    US_SSN: {action: encrypt, deterministic: true}\n    PRIVATE_KEY: quarantine\n  fields:\n    - {path: /user/email, action: surrogate}\n    - {path: /items/*/card, action: drop}\n    - {path: /internal/**, action: keep}\n",
    "policy:\n  default_action: hash\n\0REDACTD_POLICY_DEFAULT_ACTION={action: mask, keep_last: 2}\nREDACTD_RECORD_MAX_DEPTH=9\n",
    "detection:\n  min_score: 0.5\n  allow:\n    values: [a@b.c]\nrecord: {format: text}\n",
    checks::KEYSET_JSON,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_json_round_trip(text in json_text(), how in any::<u8>(), at in any::<usize>(), with in any::<u8>()) {
        checks::check_json(text.as_bytes());
        checks::check_json(&mutate(text.into_bytes(), how, at, with));
    }

    #[test]
    fn fuzz_json_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..48)) {
        checks::check_json(&bytes);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_token_round_trip_and_reveal(
        flags in any::<u8>(),
        prefix in prop_oneof![".{0,12}", Just("enc:v1:k2:".to_string()), Just("x".to_string())],
        plain in prop::collection::vec(any::<u8>(), 0..40),
        suffix in prop_oneof![".{0,12}", Just("AAAA".to_string()), Just("\"}".to_string())],
    ) {
        checks::check_token(&checks::token_input(flags, prefix.as_bytes(), &plain, suffix.as_bytes()));
    }

    #[test]
    fn fuzz_token_arbitrary_text(
        flags in any::<u8>(),
        plain in "[a-z@.]{0,12}",
        how in any::<u8>(), at in any::<usize>(), with in any::<u8>(),
    ) {
        // A text holding a real token, mutated: decrypt and reveal get
        // near-valid tokens.
        let token = checks::keyset().encrypt(checks::ENTITIES[0], plain.as_bytes(), flags & 1 != 0).expect("encrypt");
        let text = format!("id {token} end");
        let mut data = vec![flags];
        data.extend(mutate(text.into_bytes(), how, at, with));
        checks::check_token(&data);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_config_and_keyset_parse(
        seed in prop::sample::select(CONFIG_SEEDS),
        edits in prop::collection::vec((any::<u8>(), any::<usize>(), prop::sample::select(&b"{}[]:,- \n\"0a\xff"[..])), 0..4),
    ) {
        let mut bytes = seed.as_bytes().to_vec();
        for (how, at, with) in edits {
            bytes = mutate(bytes, how, at, with);
        }
        checks::check_config(&bytes);
    }
}

#[test]
fn fuzz_inputs_split_on_the_separator() {
    let data = checks::join(&[b"a", b"", b"b\xffc"]);
    assert_eq!(checks::parts(&data, 3), [&b"a"[..], b"", b"b\xffc"]);
}

#[test]
fn fuzz_process_input_layout() {
    let data = checks::process_input(
        0b100,
        5,
        0x0102,
        b"k",
        b"v",
        &[(b"h", None), (b"i", Some(b"j"))],
    );
    assert_eq!(data, b"\x04\x05\x01\x02\x01k\xffv\xffh\xff\xffi\xffj");
}

/// Values to plant into: JSON events, chat text, an HL7 message, bytes.
fn process_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json_text().prop_map(String::into_bytes),
        "[a-zA-Z0-9 .,:@/-]{0,40}".prop_map(String::into_bytes),
        Just(br#"{"user":{"name":"Jane","note":"call me"},"n":4}"#.to_vec()),
        Just(
            b"MSH|^~\\&|LAB|HOSP|||202401011200||ORU^R01|1|P|2.5\rPID|1||12345^^^MRN||Roe^Jane"
                .to_vec()
        ),
        prop::collection::vec(any::<u8>(), 0..40),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn fuzz_process_no_planted_value_in_curated(
        flags in any::<u8>(),
        mode in any::<u8>(),
        at in any::<u16>(),
        key in prop_oneof![Just(b"user-42".to_vec()), prop::collection::vec(any::<u8>(), 0..12)],
        value in process_value(),
        headers in prop::collection::vec(
            ("[a-z-]{1,10}|redactd-findings", prop::option::of("[ -~]{0,16}")),
            0..3,
        ),
    ) {
        let hs: Vec<(&[u8], Option<&[u8]>)> = headers
            .iter()
            .map(|(k, v)| (k.as_bytes(), v.as_deref().map(str::as_bytes)))
            .collect();
        checks::check_process(&checks::process_input(flags, mode, at, &key, &value, &hs));
    }
}

/// Every policy and planted kind reaches the curated checks (the property
/// above is not vacuous): a JSON event and a text, format auto.
#[test]
fn fuzz_process_curates_under_every_policy() {
    for policy in 0..8u8 {
        for kind in 0..4u8 {
            for value in [
                &br#"{"msg":"hello there","id":7}"#[..],
                b"ticket 12 updated",
            ] {
                let flags = policy << 5 | kind << 2 | 16;
                let data = checks::process_input(
                    flags,
                    0,
                    12,
                    b"user-42",
                    value,
                    &[(b"source", Some(b"web app"))],
                );
                assert!(
                    checks::check_process(&data),
                    "policy {policy}, kind {kind}: quarantined"
                );
            }
        }
    }
}
