//! `config check`, config errors, `keys`, `reveal` and `--quarantine` as a
//! user runs them.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::util::{contains, lines, run, run_env, stderr, write_keyset};

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write");
    p.display().to_string()
}

/// One test per class of config error: the message names the key path (or
/// the file) and the reason; the exit code is 2.
#[test]
fn config_errors_name_the_key_and_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: &[(&str, &str)] = &[
        (
            "kafka:\n  brokerz: x\n",
            "kafka.brokerz: unknown field `brokerz`",
        ),
        (
            "policy:\n  actions:\n    EMAIL_ADRESS: hash\n",
            "policy.actions.EMAIL_ADRESS: unknown entity type (did you mean EMAIL_ADDRESS?)",
        ),
        (
            "policy:\n  actions:\n    EMAIL_ADDRESS: hsh\n",
            "policy.actions.EMAIL_ADDRESS: unknown action \"hsh\" (did you mean hash?)",
        ),
        (
            "policy:\n  fields:\n    - {path: /a/**b, action: keep}\n",
            "policy.fields[0].path: \"/a/**b\": ** must be a whole segment",
        ),
        (
            "policy:\n  actions:\n    US_SSN: encrypt\n",
            "policy.actions.US_SSN: action encrypt needs a keyset: set keys.file or REDACTD_KEYSET",
        ),
        (
            "detection:\n  dictionaries:\n    - {type: CODENAME, file: missing.txt}\n",
            "detection.dictionaries[0].file: ",
        ),
        (
            "metrics:\n  listen: nowhere\n",
            "metrics.listen: \"nowhere\" is not an address:port",
        ),
    ];
    for (i, (yaml, want)) in cases.iter().enumerate() {
        let cfg = write(dir.path(), &format!("c{i}.yaml"), yaml);
        let out = run(&["config", "check", "--config", &cfg], b"");
        assert_eq!(out.status.code(), Some(2), "case {i}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("c{i}.yaml: {want}")),
            "case {i}: {err}"
        );
    }
    // The unreadable dictionary error names the file it tried.
    let out = run(
        &[
            "redact",
            "--config",
            &dir.path().join("c5.yaml").display().to_string(),
        ],
        b"",
    );
    assert!(stderr(&out).contains("missing.txt"), "{}", stderr(&out));
}

#[test]
fn config_check_prints_the_effective_policy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let keys = write_keyset(dir.path(), "keys.json", 1);
    let cfg = write(
        dir.path(),
        "redactd.yaml",
        &format!(
            "policy:\n  actions: {{EMAIL_ADDRESS: hash, CREDIT_CARD: {{action: mask, keep_last: 2}}}}\n  fields: [{{path: /internal/**, action: keep}}]\nkeys:\n  file: {}\n",
            keys.display()
        ),
    );
    let out = run(&["config", "check", "--config", &cfg], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for want in [
        "default_action: redact (template \"<{type}>\")",
        "  CREDIT_CARD: mask (keep_last 2, mask_char '*')",
        "  EMAIL_ADDRESS: hash",
        "  \"/internal/**\": keep",
        "keys: primary k1, keys [k1], hmac h1",
        "policy_id: ",
    ] {
        assert!(text.contains(want), "{want:?} not in\n{text}");
    }
}

#[test]
fn env_overrides_one_key_and_cli_flags_override_config() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(dir.path(), "c.yaml", "policy:\n  default_action: redact\n");
    let input = b"card 4111 1111 1111 1111\n";
    let out = run_env(
        &["redact", "--config", &cfg],
        input,
        &[("REDACTD_POLICY_DEFAULT_ACTION", "mask")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines(&out), vec![&b"card **** **** **** 1111"[..]]);
    let out = run_env(
        &["redact"],
        input,
        &[
            ("REDACTD_POLICY_DEFAULT_ACTION", "mask"),
            ("REDACTD_CONFIG", &cfg),
        ],
    );
    assert_eq!(lines(&out), vec![&b"card **** **** **** 1111"[..]]);
    let out = run_env(
        &["redact"],
        b"",
        &[("REDACTD_POLICY_DEFAULT_ACTION", "mak")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("policy.default_action: unknown action \"mak\" (did you mean mask?) (set by REDACTD_POLICY_DEFAULT_ACTION)"),
        "{}",
        stderr(&out)
    );
    // --min-score 1.0 drops the (sub-1.0) card finding the config keeps.
    let out = run(&["redact", "--config", &cfg, "--min-score", "1.0"], input);
    assert_eq!(lines(&out), vec![&input[..input.len() - 1]]);
}

#[test]
fn keys_generate_is_0600_and_refuses_to_overwrite_and_rotate_keeps_old_ids() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ks = dir.path().join("ks.json");
    let ks_s = ks.display().to_string();
    let out = run(&["keys", "generate", "--out", &ks_s], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = std::fs::metadata(&ks).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let out = run(&["keys", "generate", "--out", &ks_s], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));

    // A token under k1, then a rotation: new tokens use k2, old ones still
    // reveal.
    let cfg = write(
        dir.path(),
        "c.yaml",
        &format!("policy:\n  default_action: encrypt\nkeys:\n  file: {ks_s}\n"),
    );
    let before = run(
        &["redact", "--config", &cfg],
        b"mail jane.doe@example.com\n",
    );
    assert!(
        contains(&before.stdout, b"enc:v1:k1:"),
        "{}",
        stderr(&before)
    );
    let out = run(&["keys", "rotate", &ks_s], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("new primary k2 (keys: k1, k2)"),
        "{}",
        stderr(&out)
    );
    let mode = std::fs::metadata(&ks).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let after = run(
        &["redact", "--config", &cfg],
        b"mail jane.doe@example.com\n",
    );
    assert!(contains(&after.stdout, b"enc:v1:k2:"));
    let mut both = before.stdout.clone();
    both.extend_from_slice(&after.stdout);
    let out = run(&["reveal", "--config", &cfg, "--no-audit"], &both);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        lines(&out),
        vec![
            &b"mail jane.doe@example.com"[..],
            b"mail jane.doe@example.com"
        ]
    );
}

#[test]
fn readable_keyset_gets_a_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ks = write_keyset(dir.path(), "k.json", 1);
    std::fs::set_permissions(&ks, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let cfg = write(
        dir.path(),
        "c.yaml",
        &format!(
            "policy:\n  default_action: hash\nkeys:\n  file: {}\n",
            ks.display()
        ),
    );
    let out = run(&["redact", "--config", &cfg], b"x\n");
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("warning: keyset")
            && stderr(&out).contains("readable by group/others"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn reveal_errors_name_the_token_position_and_are_audited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ks = write_keyset(dir.path(), "k.json", 1);
    let other = write_keyset(dir.path(), "other.json", 9);
    let audit = dir.path().join("audit.log");
    let cfg = write(
        dir.path(),
        "c.yaml",
        &format!(
            "policy:\n  default_action: {{action: encrypt, deterministic: true}}\nkeys:\n  file: {}\n  audit_log: {}\n",
            ks.display(),
            audit.display()
        ),
    );
    let input = "{\"e\":\"jane.doe@example.com\",\"n\":\"Blue 4111-1111-1111-1111\"}\n";
    let red = run(&["redact", "--config", &cfg], input.as_bytes());
    assert!(red.status.success(), "{}", stderr(&red));
    let redacted = String::from_utf8(red.stdout.clone()).expect("utf8");
    assert!(!redacted.contains("jane.doe"));

    // Round trip, audited: time, user, key ids, count; never plaintext.
    let out = run(&["reveal", "--config", &cfg], redacted.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), input);
    let log = std::fs::read_to_string(&audit).expect("audit log");
    assert_eq!(log.lines().count(), 1);
    let entry: serde_json::Value = serde_json::from_str(log.trim()).expect("audit JSON");
    assert_eq!(entry["tokens"], 2);
    assert_eq!(entry["key_ids"], serde_json::json!(["k1"]));
    assert_eq!(entry["outcome"], "ok");
    assert!(entry["time"].as_str().is_some_and(|t| t.ends_with('Z')));
    assert!(entry["user"].is_string());
    assert!(!log.contains("jane") && !log.contains("4111"));

    // Tokens as arguments.
    let token_start = redacted.find("enc:v1:").expect("token");
    let token_end = token_start + redacted[token_start..].find('"').expect("end");
    let token = &redacted[token_start..token_end];
    let out = run(&["reveal", "--config", &cfg, token], b"");
    assert_eq!(lines(&out), vec![&b"jane.doe@example.com"[..]]);

    // Wrong key material, unknown key id, tampered, truncated: exit 1,
    // the line and byte offset of the token, no output of that line.
    let second = format!("plain line\n{redacted}");
    let mut tampered = second.clone().into_bytes();
    let at = second.rfind("enc:v1:").expect("token") + 20;
    tampered[at] = if tampered[at] == b'A' { b'B' } else { b'A' };
    let truncated = second.replacen(token, &token[..token.len() - 30], 1);
    let unknown = second.replacen("enc:v1:k1:", "enc:v1:k7:", 1);
    let byte = redacted.find("enc:v1:").expect("token");
    let cases: Vec<(Vec<u8>, Vec<&str>, String)> = vec![
        (
            second.clone().into_bytes(),
            vec!["--keys", other.to_str().expect("utf8")],
            format!("<stdin>:2: byte {byte}: token does not authenticate under key k1"),
        ),
        (
            unknown.into_bytes(),
            vec![],
            format!("<stdin>:2: byte {byte}: token key id \"k7\" is not in the keyset"),
        ),
        (tampered, vec![], "<stdin>:2: byte ".to_string()),
        (
            truncated.into_bytes(),
            vec![],
            format!("<stdin>:2: byte {byte}: "),
        ),
    ];
    for (i, (input, extra, want)) in cases.into_iter().enumerate() {
        let mut args = vec!["reveal", "--config", &cfg];
        args.extend(extra);
        let out = run(&args, &input);
        assert_eq!(out.status.code(), Some(1), "case {i}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&want),
            "case {i}: {} lacks {want}",
            stderr(&out)
        );
        assert_eq!(lines(&out), vec![&b"plain line"[..]], "case {i}");
    }
    let log = std::fs::read_to_string(&audit).expect("audit log");
    assert_eq!(log.lines().count(), 6, "one line per run:\n{log}");
    assert!(log
        .lines()
        .skip(2)
        .all(|l| l.contains("\"outcome\":\"error\"")));

    // No audit log configured and no --no-audit: refused before anything.
    let bare = write(
        dir.path(),
        "bare.yaml",
        &format!("keys:\n  file: {}\n", ks.display()),
    );
    let out = run(&["reveal", "--config", &bare, token], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("refusing to reveal without an audit log"));
    assert!(out.stdout.is_empty());
}

#[test]
fn quarantine_goes_to_the_file_or_fails_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(
        dir.path(),
        "c.yaml",
        "policy:\n  actions: {US_SSN: quarantine}\n",
    );
    let input = b"{\"ssn\":\"123-45-6789\"}\nmail a.b@example.com\n";
    let out = run(&["redact", "--config", &cfg], input);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "<stdin>:1: the policy quarantines this record (US_SSN); give --quarantine FILE"
        ),
        "{}",
        stderr(&out)
    );
    assert!(!contains(&out.stdout, b"123-45-6789"));
    let q = dir.path().join("q.jsonl");
    let out = run(
        &[
            "redact",
            "--config",
            &cfg,
            "--quarantine",
            q.to_str().expect("utf8"),
        ],
        input,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines(&out), vec![&b""[..], b"mail <EMAIL_ADDRESS>"]);
    assert_eq!(
        std::fs::read(&q).expect("quarantine file"),
        b"{\"ssn\":\"123-45-6789\"}\n"
    );
    assert!(stderr(&out).contains("1 record(s) quarantined to"));
}

/// `hash`, `surrogate` and deterministic `encrypt` give the same output in
/// two separate processes with the same keyset.
#[test]
fn pseudonyms_are_stable_across_processes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ks = write_keyset(dir.path(), "k.json", 3);
    let (corpus, _) = redactd::sample::corpus(
        5,
        20_000,
        &[
            redactd::sample::Kind::JsonEvent,
            redactd::sample::Kind::Chat,
            redactd::sample::Kind::Log,
        ],
    );
    for action in [
        "hash",
        "surrogate",
        "{action: encrypt, deterministic: true}",
    ] {
        let cfg = write(
            dir.path(),
            "c.yaml",
            &format!(
                "policy:\n  default_action: {action}\nkeys:\n  file: {}\n",
                ks.display()
            ),
        );
        let a = run(&["redact", "--config", &cfg], corpus.as_bytes());
        let b = run(&["redact", "--config", &cfg], corpus.as_bytes());
        assert!(a.status.success(), "{}", stderr(&a));
        assert_eq!(a.stdout, b.stdout, "{action}");
        assert_ne!(a.stdout, corpus.as_bytes(), "{action}");
    }
}
