//! `redactd scan` / `redact` / `patterns` as a user runs them: line
//! protocol, exit codes, bad input.

use crate::util::{contains, lines, run, stderr};

#[test]
fn one_output_line_per_input_line_in_order() {
    let input = b"{\"a\":\"x\"}\n\nplain text\n[1,2]\n\"str\"\n";
    let out = run(&["redact"], input);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        lines(&out),
        vec![
            &b"{\"a\":\"x\"}"[..],
            b"",
            b"plain text",
            b"[1,2]",
            b"\"str\""
        ]
    );
}

#[test]
fn redacts_json_and_text_by_default_to_type() {
    let input = b"{\"user\":{\"note\":\"mail bob.smith@example.com now\"},\"n\":7}\nreach me at bob.smith@example.com\n";
    let out = run(&["redact"], input);
    assert!(out.status.success(), "{}", stderr(&out));
    let l = lines(&out);
    assert_eq!(
        l[0],
        &b"{\"user\":{\"note\":\"mail <EMAIL_ADDRESS> now\"},\"n\":7}"[..]
    );
    assert_eq!(l[1], &b"reach me at <EMAIL_ADDRESS>"[..]);
}

#[test]
fn scan_reports_pointer_offsets_and_no_values() {
    let input = b"{\"user\":{\"note\":\"x bob@example.com\"}}\n";
    let out = run(&["scan"], input);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(lines(&out)[0]).expect("scan prints JSON");
    assert_eq!(v["line"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["type"], "EMAIL_ADDRESS");
    assert_eq!(f["path"], "/user/note");
    assert_eq!(
        (f["start"].as_u64(), f["end"].as_u64()),
        (Some(2), Some(17))
    );
    assert!(f.get("value").is_none());
    assert!(!contains(&out.stdout, b"bob@example.com"));
    let out = run(&["scan", "--show-values"], input);
    assert!(
        contains(&out.stdout, b"\"value\":\"bob@example.com\""),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn invalid_json_with_format_json_names_the_line() {
    let out = run(
        &["redact", "--format", "json"],
        b"{\"ok\":1}\n{\"broken\":\n",
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("<stdin>:2: invalid JSON at byte 10"), "{err}");
    // Lines before the bad one were written.
    assert_eq!(lines(&out), vec![&b"{\"ok\":1}"[..]]);
}

#[test]
fn invalid_json_with_format_auto_is_text() {
    let out = run(&["redact"], b"{\"broken\": bob@example.com\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines(&out), vec![&b"{\"broken\": <EMAIL_ADDRESS>"[..]]);
}

#[test]
fn invalid_utf8_is_handled_bytewise() {
    let out = run(&["redact"], b"\xff\xfe caf\xe9 bob@example.com \xc3\n");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        lines(&out),
        vec![&b"\xff\xfe caf\xe9 <EMAIL_ADDRESS> \xc3"[..]]
    );
}

#[test]
fn ten_megabyte_line_is_redacted() {
    let mut line = vec![b'a'; 10 << 20];
    line.extend_from_slice(b" bob@example.com end\n");
    let out = run(&["redact"], &line);
    assert!(out.status.success(), "{}", stderr(&out));
    let l = lines(&out);
    assert_eq!(l.len(), 1);
    assert!(l[0].ends_with(b" <EMAIL_ADDRESS> end"));
    assert_eq!(l[0].len(), (10 << 20) + " <EMAIL_ADDRESS> end".len());
}

#[test]
fn deep_json_is_a_clear_error_not_a_crash() {
    let deep = format!("{}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let out = run(&["redact"], deep.as_bytes());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("<stdin>:1: JSON nesting deeper than 512 at byte 512"),
        "{}",
        stderr(&out)
    );
    // Text format scans it as text instead.
    let out = run(&["redact", "--format", "text"], deep.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(out.stdout, deep.as_bytes());
}

#[test]
fn megabyte_of_digits_completes() {
    let mut line = vec![b'7'; 1 << 20];
    line.push(b'\n');
    for fmt in ["auto", "text"] {
        let out = run(&["redact", "--format", fmt], &line);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(out.stdout, line, "a run of a million 7s is no one's card");
    }
}

#[test]
fn over_long_line_is_an_error_naming_it() {
    let out = run(
        &["redact", "--max-record-bytes", "16"],
        b"short\n0123456789abcdefghij\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("<stdin>:2: line is over --max-record-bytes (16)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn files_are_read_in_order_and_missing_ones_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.txt");
    std::fs::write(&a, "{\"e\":\"a@example.com\"}\n").expect("write");
    std::fs::write(&b, "b@example.com").expect("write");
    let out = run(
        &[
            "redact",
            a.to_str().expect("utf8"),
            b.to_str().expect("utf8"),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        lines(&out),
        vec![&b"{\"e\":\"<EMAIL_ADDRESS>\"}"[..], b"<EMAIL_ADDRESS>"]
    );
    let missing = dir.path().join("nope.jsonl");
    let out = run(&["scan", missing.to_str().expect("utf8")], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("nope.jsonl: cannot open"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_pack_files_are_rejected_with_file_detector_and_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = "[pack]\nname = \"custom\"\n[[detector]]\nid = \"codename\"\ntype = \"PROJECT_CODENAME\"\nregex = '\\bPROJECT-[A-Z]{4}\\b'\nkeywords = [\"project-\"]\nexamples.match = [\"see PROJECT-WOLF\"]\nexamples.no_match = [\"project plan\"]\n";
    let cases = [
        (
            good.replace("{4}\\b'", "{4\\b'"),
            "detector `codename`: bad regex",
        ),
        (
            format!("{good}{}", &good[good.find("[[detector]]").unwrap_or(0)..]),
            "detector `codename`: duplicate detector id",
        ),
        (
            good.replace("keywords", "validator = \"nope\"\nkeywords"),
            "detector `codename`: unknown validator \"nope\"",
        ),
        (
            good.replace("see PROJECT-WOLF", "see PROJECT-WOLVES"),
            "detector `codename`: example does not match: \"see PROJECT-WOLVES\"",
        ),
        (
            good.replace("project plan", "PROJECT-LION"),
            "detector `codename`: no_match example matches",
        ),
        (good.replace("name = ", "nmae = "), "invalid pack"),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&path, text).expect("write pack");
        let out = run(&["scan", "--pack", path.to_str().expect("utf8")], b"");
        assert_eq!(out.status.code(), Some(2), "case {i}");
        let err = stderr(&out);
        assert!(err.contains(&format!("bad{i}.toml")), "case {i}: {err}");
        assert!(err.contains(want), "case {i}: {err} lacks {want}");
    }
    // The good one loads and works.
    let path = dir.path().join("good.toml");
    std::fs::write(&path, good).expect("write pack");
    let out = run(
        &["redact", "--pack", path.to_str().expect("utf8")],
        b"launch PROJECT-WOLF now\n",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(lines(&out), vec![&b"launch <PROJECT_CODENAME> now"[..]]);
}

#[test]
fn patterns_test_passes_on_the_builtin_packs() {
    let out = run(&["patterns", "test"], b"");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        stderr(&out)
    );
    assert!(contains(&out.stdout, b" 0 failures"));
}

#[test]
fn patterns_list_json_is_one_object_per_line() {
    let out = run(&["patterns", "list", "--json"], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    for l in lines(&out) {
        let v: serde_json::Value = serde_json::from_slice(l).expect("JSON line");
        assert!(
            v["id"].is_string() && v["type"].is_string() && v["pack"].is_string(),
            "{v}"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let out = run(&["redact", "--format", "xml"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["patterns", "test", "no-such-pack"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown pack \"no-such-pack\""));
}

#[test]
fn run_with_a_taken_metrics_port_is_a_usage_error_naming_metrics_listen() {
    // Held for the whole test: the daemon's bind must fail.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr");
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("redactd.yaml");
    // The broker is never reached: the admin port comes first.
    std::fs::write(
        &cfg,
        format!(
            "kafka:\n  brokers: 127.0.0.1:1\n  input_topics: [raw]\n\
             metrics:\n  listen: \"{addr}\"\n"
        ),
    )
    .expect("config");
    let out = run(&["run", "--config", cfg.to_str().expect("utf-8")], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("metrics.listen") && err.contains(&addr.to_string()),
        "{err}"
    );
    drop(taken);
}
