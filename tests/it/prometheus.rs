//! A real Prometheus (Debian's package, started by `scripts/prometheus`)
//! scrapes the admin server every second; the values it stores are read
//! back through its HTTP query API. And `promtool check metrics` checks our
//! metric names against the Prometheus conventions.
//!
//! The daemon-level test runs the real `redactd run` binary against the
//! real broker (`scripts/kafka`, see `kafka.rs`) with Prometheus scraping
//! its admin port.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use redactd::admin::{AdminServer, Readiness};
use redactd::metrics::{Metrics, Outcome, TxResult};
use serde_json::Value;

use crate::kafka;
use crate::util::{http_get, url_encode};

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/prometheus")
}

/// A Prometheus of our own (own state dir and port), stopped on drop.
pub struct Prometheus {
    state: tempfile::TempDir,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
}

impl Prometheus {
    /// Starts Prometheus scraping `targets` every second; panics with the
    /// script's output when it cannot (package missing and not installable,
    /// no free port, ...).
    pub fn start(targets: &[String]) -> Prometheus {
        let state = tempfile::tempdir().expect("tempdir");
        let out = Command::new(script())
            .arg("start")
            .args(targets)
            .env("PROM_STATE_DIR", state.path())
            .env_remove("PROM_PORT")
            .output()
            .expect("run scripts/prometheus");
        assert!(
            out.status.success(),
            "scripts/prometheus start failed (it installs Debian's prometheus with apt-get):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout)
            .expect("utf-8")
            .lines()
            .last()
            .expect("a URL line")
            .trim()
            .to_string();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Prometheus { state, url }
    }

    /// The value of an instant query that returns one sample, if it does.
    pub fn query_one(&self, promql: &str) -> Option<f64> {
        let (status, body) = http_get(&format!(
            "{}/api/v1/query?query={}",
            self.url,
            url_encode(promql)
        ))
        .ok()?;
        if status != 200 {
            return None;
        }
        let v: Value = serde_json::from_str(&body).ok()?;
        let result = v["data"]["result"].as_array()?;
        if result.len() != 1 {
            return None;
        }
        result[0]["value"][1].as_str()?.parse().ok()
    }

    /// Waits (up to 60 s: several scrape intervals and Prometheus' start-up)
    /// until `promql` returns `want`; panics with the last value otherwise.
    pub fn wait_for(&self, promql: &str, want: f64) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut last = None;
        while Instant::now() < deadline {
            last = self.query_one(promql);
            if last == Some(want) {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("{promql}: wanted {want}, Prometheus has {last:?}");
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .arg("stop")
            .env("PROM_STATE_DIR", self.state.path())
            .status();
    }
}

fn admin() -> (AdminServer, Arc<Metrics>, Arc<Readiness>) {
    let metrics = Metrics::new();
    let ready = Readiness::new(Some(metrics.clone()));
    let server =
        AdminServer::start("127.0.0.1:0", metrics.clone(), ready.clone()).expect("admin server");
    (server, metrics, ready)
}

#[test]
fn prometheus_scrapes_counters_from_the_admin_server() {
    let (server, metrics, ready) = admin();
    let target = server.local_addr().to_string();
    for _ in 0..5 {
        metrics.record(Outcome::Curated, 200, 180, Duration::from_micros(40));
    }
    for _ in 0..2 {
        metrics.record(Outcome::Quarantined, 50, 50, Duration::from_micros(10));
    }
    metrics.findings("EMAIL_ADDRESS", "redact", 7);
    metrics.transaction(TxResult::Committed);

    let prom = Prometheus::start(std::slice::from_ref(&target));
    let inst = format!(r#"instance="{target}""#);
    prom.wait_for(&format!("up{{{inst}}}"), 1.0);
    prom.wait_for(
        &format!(r#"redactd_records_total{{{inst}, outcome="curated"}}"#),
        5.0,
    );
    prom.wait_for(
        &format!(r#"redactd_records_total{{{inst}, outcome="quarantined"}}"#),
        2.0,
    );
    prom.wait_for(
        &format!(r#"redactd_findings_total{{{inst}, type="EMAIL_ADDRESS", action="redact"}}"#),
        7.0,
    );
    prom.wait_for(&format!("redactd_ready{{{inst}}}"), 0.0);

    // The counters rise by what the pipeline adds, and Prometheus sees it.
    for _ in 0..10 {
        metrics.record(Outcome::Curated, 200, 180, Duration::from_micros(40));
    }
    metrics.findings("EMAIL_ADDRESS", "redact", 3);
    metrics.findings("US_SSN", "redact", 4);
    ready.set(true);
    prom.wait_for(
        &format!(r#"redactd_records_total{{{inst}, outcome="curated"}}"#),
        15.0,
    );
    prom.wait_for(&format!(r#"sum(redactd_findings_total{{{inst}}})"#), 14.0);
    prom.wait_for(
        &format!(r#"redactd_bytes_total{{{inst}, direction="in"}}"#),
        (15 * 200 + 2 * 50) as f64,
    );
    prom.wait_for(
        &format!(r#"redactd_record_duration_seconds_count{{{inst}}}"#),
        17.0,
    );
    prom.wait_for(&format!("redactd_ready{{{inst}}}"), 1.0);
    // The process metrics come along.
    let rss = prom
        .query_one(&format!("process_resident_memory_bytes{{{inst}}}"))
        .expect("process_resident_memory_bytes scraped");
    assert!(rss > 0.0, "rss {rss}");

    // Every query of the chart's Grafana dashboard is valid PromQL for this
    // Prometheus, and the records and findings panels show our series.
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("helm/redactd/dashboards/redactd.json"),
        )
        .expect("dashboard"),
    )
    .expect("dashboard JSON");
    let mut checked = 0;
    for panel in dashboard["panels"].as_array().expect("panels") {
        for target in panel["targets"].as_array().expect("targets") {
            let expr = target["expr"]
                .as_str()
                .expect("expr")
                .replace("$__rate_interval", "1m")
                .replace("$namespace", ".*")
                .replace("$job", "redactd");
            let (status, body) = http_get(&format!(
                "{}/api/v1/query?query={}",
                prom.url,
                url_encode(&expr)
            ))
            .expect("query");
            assert_eq!(status, 200, "{expr}: {body}");
            let v: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(v["status"], "success", "{expr}: {body}");
            let title = panel["title"].as_str().unwrap_or_default();
            if title.starts_with("Records") || title.starts_with("Findings") {
                assert!(
                    !v["data"]["result"].as_array().expect("result").is_empty(),
                    "{title}: {expr} returned nothing"
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "{checked} dashboard queries");
    drop(prom);
    server.stop();
}

#[test]
fn metric_names_pass_promtool_check_metrics() {
    let metrics = Metrics::new();
    metrics.record(Outcome::Curated, 10, 8, Duration::from_micros(5));
    metrics.finding("EMAIL_ADDRESS", "redact");
    metrics.transaction(TxResult::Aborted);
    metrics.error("invalid_json");
    metrics.set_assigned_partitions(1);
    metrics
        .set_lag_from_stats(
            r#"{"topics":{"raw":{"partitions":{"0":{"partition":0,"consumer_lag":3}}}}}"#,
        )
        .expect("stats");
    let text = metrics.render();

    let mut child = Command::new(script())
        .args(["promtool", "check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scripts/prometheus promtool");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(text.as_bytes())
        .expect("write metrics");
    let out = child.wait_with_output().expect("promtool");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success() && said.trim().is_empty(),
        "promtool check metrics: {said}\n{text}"
    );
    // Only our names and the standard process ones.
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        assert!(
            line.starts_with("redactd_") || line.starts_with("process_"),
            "{line}"
        );
    }
}

#[test]
fn daemon_counts_reach_prometheus_as_records_flow_through_the_broker() {
    let _g = kafka::serial();
    let s = kafka::Setup::new("prom", 2);
    let n = 5_000u64;
    let inputs = kafka::json_events(61, n, 2);
    let cfg = s.config(
        "exactly_once",
        "it-0",
        "policy:\n  actions: {CREDIT_CARD: mask}\n",
    );
    // Statistics every second (default 5 s), so the lag gauge follows fast.
    let text = std::fs::read_to_string(&cfg).expect("config");
    let tuned = text.replace(
        r#"consumer: {session.timeout.ms: "6000"}"#,
        r#"consumer: {session.timeout.ms: "6000", statistics.interval.ms: "1000"}"#,
    );
    assert_ne!(text, tuned, "consumer settings line found");
    std::fs::write(&cfg, tuned).expect("config");

    // The expected figures, by the library's own sanitizer.
    let mut expected: BTreeMap<(String, &str), u64> = BTreeMap::new();
    for v in kafka::verdicts(&cfg, &inputs) {
        assert!(!v.quarantine, "no record of this run is quarantined");
        for l in v.labels {
            *expected.entry(l).or_default() += 1;
        }
    }
    let total: u64 = expected.values().sum();
    let bytes_in: usize = inputs.iter().map(|i| i.payload.len()).sum();
    assert!(
        expected.contains_key(&("CREDIT_CARD".to_string(), "mask"))
            && expected.contains_key(&("EMAIL_ADDRESS".to_string(), "redact")),
        "{expected:?}"
    );

    let t_start = Instant::now();
    let mut d = s.daemon(&cfg);
    let addr = d.admin_addr();
    let (status, _) = http_get(&format!("http://{addr}/healthz")).expect("GET /healthz");
    assert_eq!(status, 200, "/healthz answers while the daemon starts");
    // Ready once the group assigned our partitions.
    let mut polls_503 = 0;
    let ready_after = loop {
        let (status, _) = http_get(&format!("http://{addr}/readyz")).expect("GET /readyz");
        if status == 200 {
            break t_start.elapsed();
        }
        assert_eq!(status, 503, "/readyz is 200 or 503");
        polls_503 += 1;
        d.assert_running();
        assert!(
            t_start.elapsed() < Duration::from_secs(60),
            "/readyz not 200 after 60 s:\n{}",
            d.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let prom = Prometheus::start(std::slice::from_ref(&addr));
    let inst = format!(r#"instance="{addr}""#);
    prom.wait_for(&format!("up{{{inst}}}"), 1.0);
    prom.wait_for(&format!("redactd_ready{{{inst}}}"), 1.0);
    prom.wait_for(&format!("redactd_assigned_partitions{{{inst}}}"), 2.0);

    let records_q = format!("sum(redactd_records_total{{{inst}}})");
    let findings_q = format!("sum(redactd_findings_total{{{inst}}}) or vector(0)");
    let records0 = prom.query_one(&records_q).expect("records_total scraped");
    let findings0 = prom.query_one(&findings_q).expect("findings_total query");

    kafka::produce(&s.bootstrap, &s.input, &inputs);
    let t_produced = Instant::now();
    s.wait_committed(n as i64, &mut d, Duration::from_secs(300));
    let committed_after = t_produced.elapsed();
    prom.wait_for(&records_q, records0 + n as f64);
    let in_prometheus_after = t_produced.elapsed();
    prom.wait_for(&findings_q, findings0 + total as f64);

    prom.wait_for(
        &format!(r#"redactd_records_total{{{inst}, outcome="curated"}}"#),
        n as f64,
    );
    prom.wait_for(
        &format!(r#"redactd_records_total{{{inst}, outcome="quarantined"}}"#),
        0.0,
    );
    for ((t, a), c) in &expected {
        prom.wait_for(
            &format!(r#"redactd_findings_total{{{inst}, type="{t}", action="{a}"}}"#),
            *c as f64,
        );
    }
    prom.wait_for(
        &format!(r#"redactd_bytes_total{{{inst}, direction="in"}}"#),
        bytes_in as f64,
    );
    prom.wait_for(
        &format!(r#"redactd_record_duration_seconds_count{{{inst}}}"#),
        n as f64,
    );
    let committed = prom
        .query_one(&format!(
            r#"redactd_transactions_total{{{inst}, result="committed"}}"#
        ))
        .expect("transactions_total");
    assert!(committed >= 1.0, "{committed} transactions committed");
    // Lag from librdkafka's statistics: one series per input partition,
    // 0 once everything is committed.
    prom.wait_for(&format!("count(redactd_consumer_lag{{{inst}}})"), 2.0);
    prom.wait_for(&format!("sum(redactd_consumer_lag{{{inst}}})"), 0.0);

    // What Prometheus counted is what the curated topic says.
    let curated = kafka::read_committed(&s.bootstrap, &s.curated, 2);
    assert_eq!(curated.len(), n as usize);
    let from_headers: u64 = curated
        .iter()
        .map(|o| {
            o.header("redactd-findings")
                .and_then(|f| f.parse::<u64>().ok())
                .expect("redactd-findings header")
        })
        .sum();
    assert_eq!(from_headers, total, "findings headers vs. metrics");

    eprintln!(
        "[prometheus::daemon] {n} records, {total} findings in {} (type, action) series, \
         {bytes_in} bytes in; /readyz 200 {:.2} s after start ({polls_503} polls saw 503); all committed {:.2} s after \
         produce, in Prometheus {:.2} s after produce; {committed} transactions",
        expected.len(),
        ready_after.as_secs_f64(),
        committed_after.as_secs_f64(),
        in_prometheus_after.as_secs_f64()
    );
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
    drop(prom);
}
