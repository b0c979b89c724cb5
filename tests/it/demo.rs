//! `redactd demo`: the real binary, its in-process mock cluster and the
//! real pipeline; what it prints is checked against the values planted in
//! the sample stream (regenerated here from the same seed).

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::util::{bin, http_get};

/// A running demo whose stdout lines arrive on a channel; the first
/// `/metrics` answer (fetched as soon as the address is printed) comes
/// with them.
struct Demo {
    child: Child,
    lines: mpsc::Receiver<String>,
    metrics: mpsc::Receiver<std::io::Result<(u16, String)>>,
}

fn start(records: &str) -> Demo {
    let mut child = bin()
        .args([
            "demo",
            "--records",
            records,
            "--metrics-listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn redactd demo");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, lines) = mpsc::channel();
    let (mtx, metrics) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("redactd demo: metrics at ") {
                // The admin server is up before the pipeline joins its
                // group, so this answers while the demo runs.
                let _ = mtx.send(http_get(url.trim()));
            }
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Demo {
        child,
        lines,
        metrics,
    }
}

impl Demo {
    /// Every line until stdout closes, then the exit status (killed and a
    /// panic after two minutes).
    fn finish(mut self) -> (Vec<String>, std::process::ExitStatus) {
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut out = Vec::new();
        loop {
            match self
                .lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(l) => out.push(l),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = self.child.kill();
                    panic!(
                        "redactd demo did not finish in 2 minutes:\n{}",
                        out.join("\n")
                    );
                }
            }
        }
        (out, self.child.wait().expect("wait redactd demo"))
    }
}

fn planted(records: u64) -> Vec<String> {
    (0..records)
        .flat_map(|i| redactd::demo::source_record(i).3)
        .map(|p| p.value)
        .collect()
}

/// Three before/after pairs: the before side holds planted values of the
/// first `records` records, the after side none.
fn check_pairs(lines: &[String], records: u64) {
    let text = lines.join("\n");
    let before: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("  before: "))
        .collect();
    let after: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_prefix("  after:  "))
        .collect();
    assert_eq!(before.len(), 3, "{text}");
    assert_eq!(after.len(), 3, "{text}");
    let values = planted(records);
    // The before side shows what was planted; the after side none of it.
    assert!(
        before
            .iter()
            .all(|b| values.iter().any(|v| b.contains(v.as_str()))),
        "{text}"
    );
    for a in &after {
        for v in &values {
            assert!(!a.contains(v.as_str()), "planted value left in: {a}");
        }
        assert!(
            a.contains("<EMAIL_ADDRESS>")
                || a.contains("<AWS_ACCESS_KEY_ID>")
                || a.contains("<GITHUB_TOKEN>")
                || a.contains("<SLACK_TOKEN>"),
            "{a}"
        );
    }
}

#[test]
fn demo_prints_sanitized_pairs_and_a_summary() {
    let demo = start("300");
    let (lines, status) = demo.finish();
    let text = lines.join("\n");
    assert!(status.success(), "exit {status}:\n{text}");
    check_pairs(&lines, 300);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  records curated:   300 in ")),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l == "  records produced:  300"),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l == "  duplicates:        0"),
        "{text}"
    );
    assert!(
        lines.iter().any(|l| l == "  quarantined:       0"),
        "{text}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l == "  planted values left in curated output: 0 of 900"),
        "{text}"
    );
}

#[test]
fn demo_serves_metrics_while_it_runs() {
    let demo = start("20000");
    let (status, body) = demo
        .metrics
        .recv_timeout(Duration::from_secs(60))
        .expect("the demo printed its metrics address")
        .expect("GET /metrics");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("redactd_build_info"), "{body}");
    assert!(
        body.contains("# TYPE redactd_records_total counter"),
        "{body}"
    );
    let (lines, status) = demo.finish();
    assert!(status.success(), "exit {status}:\n{}", lines.join("\n"));
    check_pairs(&lines, 20_000);
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("  records curated:   20000 in ")),
        "{}",
        lines.join("\n")
    );
}

#[test]
fn demo_stops_on_sigint_with_a_summary() {
    let demo = start("100000000");
    // Wait until records flow, then Ctrl-C.
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = Vec::new();
    loop {
        let l = demo
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|e| panic!("{e}: no records curated:\n{}", seen.join("\n")));
        let flowing = l.starts_with('[') && !l.contains(" curated 0 ");
        seen.push(l);
        if flowing {
            break;
        }
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &demo.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(kill.success());
    let (lines, status) = demo.finish();
    let text = format!("{}\n{}", seen.join("\n"), lines.join("\n"));
    assert!(status.success(), "exit {status}:\n{text}");
    assert!(lines.iter().any(|l| l == "redactd demo: summary"), "{text}");
    assert!(
        lines.iter().any(|l| l == "  duplicates:        0"),
        "{text}"
    );
}
