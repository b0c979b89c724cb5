//! Issue 13 through the real broker: nothing goes around the sanitizer
//! (keys, headers, object names), no record stops the group (over-size
//! output, bad input of every class), and the edges fail closed (no
//! topic auto-created, a fenced twin exits, the watchdog restarts a hung
//! call a bounded number of times).

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedHeaders, Headers, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

use crate::kafka::{
    check, json_events, produce, read_committed, report, serial, t0, unique, Daemon, Setup, Tally,
};
use crate::util::write_keyset;

/// One record as produced, with any header bytes.
#[derive(Clone, Default)]
pub(crate) struct Raw {
    pub(crate) partition: i32,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
    pub(crate) headers: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    pub(crate) timestamp: Option<i64>,
}

/// Headers with names of any bytes: rdkafka's safe API takes `&str`
/// names, so a name that is not UTF-8 goes in through librdkafka itself.
fn raw_headers(headers: &[(Vec<u8>, Option<Vec<u8>>)]) -> OwnedHeaders {
    let h = OwnedHeaders::new_with_capacity(headers.len());
    let ptr =
        h.as_borrowed() as *const BorrowedHeaders as *mut rdkafka::bindings::rd_kafka_headers_t;
    for (k, v) in headers {
        let (vp, vl) = match v {
            Some(v) => (v.as_ptr().cast(), v.len() as isize),
            None => (std::ptr::null(), 0),
        };
        // SAFETY: `ptr` is the live headers list `h` owns; librdkafka
        // copies name and value.
        let err = unsafe {
            rdkafka::bindings::rd_kafka_header_add(ptr, k.as_ptr().cast(), k.len() as isize, vp, vl)
        };
        assert_eq!(
            err,
            rdkafka::bindings::rd_kafka_resp_err_t::RD_KAFKA_RESP_ERR_NO_ERROR
        );
    }
    h
}

/// Produces `records` with the extra producer `settings` (compression,
/// size limits).
pub(crate) fn produce_raw(
    bootstrap: &str,
    topic: &str,
    records: &[Raw],
    settings: &[(&str, &str)],
) {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("message.max.bytes", "12000000");
    for (k, v) in settings {
        c.set(*k, *v);
    }
    let p: BaseProducer = c.create().expect("producer");
    for r in records {
        let mut rec: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic).partition(r.partition);
        rec.key = r.key.as_deref();
        rec.payload = r.value.as_deref();
        rec.timestamp = r.timestamp;
        if !r.headers.is_empty() {
            rec = rec.headers(raw_headers(&r.headers));
        }
        p.send(rec).map_err(|(e, _)| e).expect("produce");
        p.poll(Duration::ZERO);
    }
    p.flush(Duration::from_secs(60)).expect("flush");
}

/// One record read back, headers by name (`None` for a name rdkafka
/// cannot show).
#[derive(Debug)]
pub(crate) struct Read {
    pub(crate) partition: i32,
    pub(crate) offset: i64,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) value: Option<Vec<u8>>,
    pub(crate) headers: Option<HashMap<String, Vec<u8>>>,
    pub(crate) header_count: usize,
    pub(crate) timestamp: Option<i64>,
}

impl Read {
    pub(crate) fn header(&self, k: &str) -> Option<&str> {
        self.headers
            .as_ref()?
            .get(k)
            .and_then(|v| std::str::from_utf8(v).ok())
    }

    /// Every byte of the record, for "is this value anywhere in it".
    fn all_bytes(&self) -> Vec<u8> {
        let mut b = self.key.clone().unwrap_or_default();
        b.extend_from_slice(self.value.as_deref().unwrap_or_default());
        for (k, v) in self.headers.iter().flatten() {
            b.extend_from_slice(k.as_bytes());
            b.extend_from_slice(v);
        }
        b
    }
}

/// Everything committed in `topic`, read with `read_committed`.
pub(crate) fn read_all(bootstrap: &str, topic: &str, partitions: i32) -> Vec<Read> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", unique("reader"))
        .set("isolation.level", "read_committed")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .create()
        .expect("reader");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .expect("tpl");
    }
    c.assign(&tpl).expect("assign");
    let mut out = Vec::new();
    let mut eof = vec![false; partitions as usize];
    let t0 = Instant::now();
    while eof.iter().any(|e| !e) {
        assert!(t0.elapsed() < Duration::from_secs(120), "reading {topic}");
        match c.poll(Duration::from_millis(500)) {
            None => {}
            Some(Err(KafkaError::PartitionEOF(p))) => eof[p as usize] = true,
            Some(Err(e)) => panic!("read {topic}: {e}"),
            Some(Ok(m)) => {
                eof[m.partition() as usize] = false;
                let (headers, header_count) = match m.headers() {
                    None => (Some(HashMap::new()), 0),
                    Some(h) => {
                        let n = h.count();
                        let read = catch_unwind(AssertUnwindSafe(|| {
                            h.iter()
                                .map(|x| (x.key.to_string(), x.value.unwrap_or_default().to_vec()))
                                .collect::<HashMap<_, _>>()
                        }));
                        (read.ok(), n)
                    }
                };
                out.push(Read {
                    partition: m.partition(),
                    offset: m.offset(),
                    key: m.key().map(<[u8]>::to_vec),
                    value: m.payload().map(<[u8]>::to_vec),
                    headers,
                    header_count,
                    timestamp: m.timestamp().to_millis(),
                });
            }
        }
    }
    out
}

/// An admin client and a runtime to drive its futures.
pub(crate) fn admin(
    bootstrap: &str,
) -> (
    rdkafka::admin::AdminClient<rdkafka::client::DefaultClientContext>,
    tokio::runtime::Runtime,
) {
    let admin = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt");
    (admin, rt)
}

fn keys_config(s: &Setup, extra: &str) -> String {
    let keys = write_keyset(s.dir.path(), "keys.json", 7);
    format!("keys:\n  file: {}\n{extra}", keys.display())
}

#[test]
fn pii_in_keys_headers_and_object_names_never_reaches_curated() {
    let _g = serial();
    let s = Setup::new("keyshdrs", 2);
    let email = b"jane.doe@example.org".to_vec();
    let planted = [
        "jane.doe@example.org",
        "bob.smith@example.com",
        "jane.roe@example.net",
    ];
    let seq = |n: u64| (b"seq".to_vec(), Some(n.to_string().into_bytes()));
    let records = vec![
        Raw {
            partition: 1,
            key: Some(email.clone()),
            value: Some(br#"{"note":"hello"}"#.to_vec()),
            headers: vec![
                seq(0),
                (
                    b"x-contact".to_vec(),
                    Some(b"write to bob.smith@example.com".to_vec()),
                ),
            ],
            timestamp: Some(t0()),
        },
        Raw {
            partition: 0,
            key: Some(b"user-1".to_vec()),
            value: Some(br#"{"jane.roe@example.net":{"visits":3},"ok":true}"#.to_vec()),
            headers: vec![seq(1)],
            timestamp: Some(t0()),
        },
        // A tombstone for the same PII key: compaction must see the same
        // sanitized key as the record it deletes.
        Raw {
            partition: 1,
            key: Some(email.clone()),
            value: None,
            headers: vec![seq(2)],
            timestamp: Some(t0()),
        },
        Raw {
            partition: 1,
            key: Some(email),
            value: Some(br#"{"note":"again"}"#.to_vec()),
            headers: vec![seq(3)],
            timestamp: Some(t0()),
        },
    ];
    produce_raw(&s.bootstrap, &s.input, &records, &[]);
    let cfg = s.config(
        "exactly_once",
        "it-0",
        &keys_config(&s, "log:\n  format: json\n"),
    );
    let mut d = s.daemon(&cfg);
    s.wait_committed(records.len() as i64, &mut d, Duration::from_secs(120));
    let out = read_all(&s.bootstrap, &s.curated, 2);
    assert_eq!(out.len(), records.len(), "all curated: {out:?}");
    for o in &out {
        let all = o.all_bytes();
        for p in planted {
            assert!(
                memchr::memmem::find(&all, p.as_bytes()).is_none(),
                "offset {}: {p} reached curated",
                o.offset
            );
        }
    }
    let by_seq = |n: &str| {
        out.iter()
            .find(|o| o.header("seq") == Some(n))
            .expect("seq")
    };
    let (r0, r1, r2, r3) = (by_seq("0"), by_seq("1"), by_seq("2"), by_seq("3"));
    let k0 = r0.key.as_deref().expect("key");
    assert!(
        k0.starts_with(b"<EMAIL_ADDRESS:"),
        "{}",
        String::from_utf8_lossy(k0)
    );
    assert_eq!(
        r2.key.as_deref(),
        Some(k0),
        "the tombstone's key is the same pseudonym"
    );
    assert_eq!(
        r3.key.as_deref(),
        Some(k0),
        "stable key: same partition, compaction works"
    );
    assert_eq!(r2.value, None, "a tombstone stays a tombstone");
    assert_eq!(
        (r0.partition, r2.partition, r3.partition),
        (1, 1, 1),
        "partition kept"
    );
    assert_eq!(
        r1.key.as_deref(),
        Some(b"user-1".as_slice()),
        "a clean key is kept"
    );
    assert_eq!(
        r0.header("x-contact"),
        Some("write to <EMAIL_ADDRESS>"),
        "header values get the policy's actions"
    );
    let v1: serde_json::Value =
        serde_json::from_slice(r1.value.as_deref().expect("value")).expect("json");
    assert_eq!(
        v1["<EMAIL_ADDRESS>"]["visits"], 3,
        "object name replaced: {v1}"
    );
    report(
        "keys_headers",
        &format!("{} records curated, none of the planted values", out.len()),
    );
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
    // Every log line of the run is a JSON object, and none holds a
    // planted value.
    let log = std::fs::read_to_string(s.dir.path().join("redactd.log")).expect("log");
    let mut n = 0;
    for line in log.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v["level"].is_string() && v["message"].is_string(), "{line}");
        for p in planted {
            assert!(!line.contains(p), "a planted value in the log: {line}");
        }
        n += 1;
    }
    assert!(n >= 3, "running, partitions assigned, stopped: {log}");
    report(
        "keys_headers",
        &format!("{n} JSON log lines, none with a planted value"),
    );
}

#[test]
fn outputs_too_large_for_the_producer_go_to_quarantine_as_references() {
    let _g = serial();
    let s = Setup::new("oversize", 1);
    let small = |n: u64| Raw {
        key: Some(format!("k{n}").into_bytes()),
        value: Some(format!(r#"{{"n":{n},"email":"user{n}@example.org"}}"#).into_bytes()),
        headers: vec![(b"seq".to_vec(), Some(n.to_string().into_bytes()))],
        ..Raw::default()
    };
    // 1,010,000 bytes: over max_record_bytes, and its whole copy is over
    // what the producer writes.
    let big = format!(r#"{{"blob":"{}"}}"#, "a".repeat(1_010_000 - 11));
    assert_eq!(big.len(), 1_010_000);
    // 400 KB of SSNs under `encrypt`: each 11-byte SSN becomes a ~60-byte
    // token, so the curated copy would be ~2 MB.
    let ssns = format!(
        r#"{{"ssn_list":"{}"}}"#,
        "SSN 123-45-6789, ".repeat(400_000 / 17)
    );
    let mut records: Vec<Raw> = (0..20).map(small).collect();
    records.push(Raw {
        value: Some(big.into_bytes()),
        headers: vec![(b"seq".to_vec(), Some(b"big".to_vec()))],
        key: Some(b"big".to_vec()),
        ..Raw::default()
    });
    records.extend((20..40).map(small));
    records.push(Raw {
        value: Some(ssns.into_bytes()),
        headers: vec![(b"seq".to_vec(), Some(b"ssns".to_vec()))],
        key: Some(b"ssns".to_vec()),
        ..Raw::default()
    });
    records.extend((40..60).map(small));
    produce_raw(&s.bootstrap, &s.input, &records, &[]);
    let cfg = s.config(
        "exactly_once",
        "it-0",
        &keys_config(&s, "policy:\n  actions: {US_SSN: encrypt}\n"),
    );
    let t = Instant::now();
    let mut d = s.daemon(&cfg);
    s.wait_committed(records.len() as i64, &mut d, Duration::from_secs(60));
    let took = t.elapsed();
    d.assert_running();
    let q = read_all(&s.bootstrap, &s.quarantine, 1);
    assert_eq!(q.len(), 2, "{q:?}");
    for r in &q {
        assert_eq!(r.header("redactd-error"), Some("too_large_output"));
        assert_eq!(r.key, None, "a reference carries no key");
        let v: serde_json::Value =
            serde_json::from_slice(r.value.as_deref().expect("reference")).expect("json");
        let src = &v["redactd_reference"];
        assert_eq!(src["topic"], s.input.as_str());
        assert!(src["offset"] == 20 || src["offset"] == 41, "{v}");
        assert_eq!(
            r.header("redactd-source"),
            Some(format!("{}/0/{}", s.input, src["offset"]).as_str())
        );
    }
    let curated = read_all(&s.bootstrap, &s.curated, 1);
    assert_eq!(curated.len(), 60, "the rest of the batch committed");
    report(
        "oversize",
        &format!(
            "1,010,000-byte record and 400 KB of SSNs under encrypt: 2 references in quarantine, 60 curated, all committed {:.1} s after start",
            took.as_secs_f64()
        ),
    );
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
}

#[test]
fn a_fenced_twin_exits_non_zero_and_nothing_is_lost_or_duplicated() {
    let _g = serial();
    let s = Setup::new("twin", 4);
    let n = 20_000u64;
    let inputs = json_events(41, n, 4);
    produce(&s.bootstrap, &s.input, &inputs);
    let cfg = s.config("exactly_once", "twin", "");
    let mut a = Daemon::start(&cfg, &s.dir.path().join("a.log"));
    s.wait_committed(2_000, &mut a, Duration::from_secs(120));
    let mut b = Daemon::start(&cfg, &s.dir.path().join("b.log"));
    // B's init_transactions fences A: A must stop, non-zero, not fence B back.
    let t = Instant::now();
    let st = loop {
        if let Some(st) = a.try_wait() {
            break st;
        }
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "the fenced daemon kept running:\n{}",
            a.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(!st.success(), "a fenced daemon exits non-zero");
    assert!(a.log_tail().contains("fenced"), "{}", a.log_tail());
    s.wait_committed(n as i64, &mut b, Duration::from_secs(300));
    let tail = b.log_tail();
    let (b_st, _) = b.term(Duration::from_secs(30));
    assert!(
        b_st.success(),
        "the survivor drains cleanly: {b_st}\n{tail}"
    );
    let out = read_committed(&s.bootstrap, &s.curated, 4);
    let tally = check(&inputs, &out, 4, true);
    report(
        "twin",
        &format!(
            "{n} in, A exited {st:?} after {:.1} s; {tally:?}",
            t.elapsed().as_secs_f64()
        ),
    );
    assert_eq!(tally, Tally::exactly_once(n as usize));
}

/// A second broker with `auto.create.topics.enable=true`, stopped and wiped
/// when dropped.
struct AutoCreateBroker {
    bootstrap: String,
}

const AUTO_PORT: &str = "9192";

impl AutoCreateBroker {
    fn start() -> AutoCreateBroker {
        let out =
            std::process::Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/kafka"))
                .arg("start")
                .env("KAFKA_PORT", AUTO_PORT)
                .env("KAFKA_AUTO_CREATE_TOPICS", "true")
                .output()
                .expect("scripts/kafka");
        assert!(
            out.status.success(),
            "second broker: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        AutoCreateBroker {
            bootstrap: String::from_utf8_lossy(&out.stdout)
                .trim()
                .lines()
                .last()
                .unwrap_or_default()
                .to_string(),
        }
    }

    fn topics(&self) -> Vec<String> {
        let c: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .create()
            .expect("client");
        let md = c
            .fetch_metadata(None, Duration::from_secs(10))
            .expect("metadata");
        md.topics().iter().map(|t| t.name().to_string()).collect()
    }
}

impl Drop for AutoCreateBroker {
    fn drop(&mut self) {
        let _ =
            std::process::Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/kafka"))
                .args(["stop", "--wipe"])
                .env("KAFKA_PORT", AUTO_PORT)
                .output();
    }
}

#[test]
fn topics_are_never_auto_created_even_where_the_broker_would() {
    let _g = serial();
    let broker = AutoCreateBroker::start();
    let input = unique("autoc");
    crate::kafka::create_topics(
        &broker.bootstrap,
        &[(&input, 1), (&format!("{input}.q"), 1)],
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |name: &str, output: &str, quarantine: &str| {
        let p = dir.path().join(name);
        std::fs::write(
            &p,
            format!(
                "kafka:\n  brokers: {}\n  group_id: {input}.g\n  input_topics: [{input}]\n  output_topic: {output}\n  \
                 quarantine_topic: {quarantine}\n  instance_id: a\n  retry_timeout_ms: 8000\n  \
                 consumer: {{session.timeout.ms: \"6000\"}}\nmetrics:\n  listen: \"127.0.0.1:0\"\nrecord:\n  format: json\n",
                broker.bootstrap
            ),
        )
        .expect("config");
        p
    };
    // A mistyped output topic: exit 2 (the config names a topic that does
    // not exist), and no topic appears.
    let typo = format!("curratd.{input}");
    let cfg = write("typo.yaml", &typo, &format!("{input}.q"));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_redactd"))
        .args(["run", "--config"])
        .arg(&cfg)
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&typo) && err.contains("does not exist"),
        "{err}"
    );
    assert!(
        !broker.topics().contains(&typo),
        "the mistyped topic was created"
    );
    // A quarantine topic deleted while running: batches that need it fail
    // until retry_timeout_ms, then a non-zero exit; it is not recreated.
    let curated = format!("curated.{input}");
    crate::kafka::create_topics(&broker.bootstrap, &[(&curated, 1)]);
    let cfg = write("run.yaml", "curated.{topic}", &format!("{input}.q"));
    let mut d = Daemon::start(&cfg, &dir.path().join("d.log"));
    let good = |n: u64| Raw {
        value: Some(format!(r#"{{"n":{n}}}"#).into_bytes()),
        ..Raw::default()
    };
    produce_raw(
        &broker.bootstrap,
        &input,
        &(0..10).map(good).collect::<Vec<_>>(),
        &[],
    );
    let t = Instant::now();
    while read_all(&broker.bootstrap, &curated, 1).len() < 10 {
        d.assert_running();
        assert!(t.elapsed() < Duration::from_secs(60), "{}", d.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    }
    let (admin, rt) = admin(&broker.bootstrap);
    let q = format!("{input}.q");
    rt.block_on(admin.delete_topics(&[&q], &rdkafka::admin::AdminOptions::new()))
        .expect("delete");
    std::thread::sleep(Duration::from_secs(2));
    produce_raw(
        &broker.bootstrap,
        &input,
        &[Raw {
            value: Some(b"{not json".to_vec()),
            ..Raw::default()
        }],
        &[],
    );
    let t = Instant::now();
    let st = loop {
        if let Some(st) = d.try_wait() {
            break st;
        }
        assert!(
            t.elapsed() < Duration::from_secs(90),
            "still running:\n{}",
            d.log_tail()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(!st.success(), "exit status {st}");
    assert!(
        !broker.topics().contains(&q),
        "the deleted quarantine topic was recreated"
    );
    report(
        "auto_create",
        &format!(
            "typo: exit 2, no topic; deleted quarantine: exit {st} after {:.1} s, not recreated",
            t.elapsed().as_secs_f64()
        ),
    );
}

#[cfg(feature = "fault-injection")]
#[test]
fn the_watchdog_restarts_a_hung_call_and_gives_up_after_its_cap() {
    use crate::kafka::metric_sum;
    let _g = serial();
    let s = Setup::new("watchdog", 2);
    let n = 5_000u64;
    let inputs = json_events(43, n, 2);
    produce(&s.bootstrap, &s.input, &inputs);
    let cfg = s.config("exactly_once", "it-0", "");
    // The first process hangs in send_offsets_to_transaction; the watchdog
    // restarts it in place after 3 s; the restarted one (restart count 1)
    // runs normally.
    let log = s.dir.path().join("hang-once.log");
    let mut d = Daemon::start_env(
        &cfg,
        &log,
        &[
            ("REDACTD_FAULT", "hang:send_offsets_to_transaction:1"),
            ("REDACTD_FAULT_HANG_MS", "3000"),
        ],
    );
    s.wait_committed(n as i64, &mut d, Duration::from_secs(180));
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(text.contains("hung past its timeout"), "{text}");
    let addr = d.admin_addr();
    let (_, metrics) = crate::util::http_get(&format!("http://{addr}/metrics")).expect("metrics");
    assert_eq!(
        metric_sum(&metrics, "redactd_watchdog_restarts", &[]),
        1.0,
        "{metrics}"
    );
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
    let out = read_committed(&s.bootstrap, &s.curated, 2);
    let tally = check(&inputs, &out, 2, true);
    assert_eq!(tally, Tally::exactly_once(n as usize));
    // A call that hangs after every restart: past the cap, exit 1.
    let log = s.dir.path().join("hang-always.log");
    let mut d = Daemon::start_env(
        &cfg,
        &log,
        &[
            ("REDACTD_FAULT", "hang:send_offsets_to_transaction:99"),
            ("REDACTD_FAULT_HANG_MS", "2000"),
        ],
    );
    produce(&s.bootstrap, &s.input, &json_events(44, 10, 2));
    let t = Instant::now();
    let st = loop {
        if let Some(st) = d.try_wait() {
            break st;
        }
        assert!(t.elapsed() < Duration::from_secs(240), "{}", d.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(st.code(), Some(1), "{}", d.log_tail());
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(text.contains("after 3 restarts"), "{text}");
    report(
        "watchdog",
        &format!(
            "hung once: restarted, {tally:?}; hung always: exit 1 after 3 restarts, {:.1} s",
            t.elapsed().as_secs_f64()
        ),
    );
}

#[cfg(feature = "fault-injection")]
#[test]
fn a_record_that_panics_is_quarantined_as_internal_and_the_daemon_goes_on() {
    let _g = serial();
    let s = Setup::new("panic", 1);
    // The sanitizer panics on this key in a fault-injection build.
    let records: Vec<Raw> = (0..30u64)
        .map(|n| Raw {
            key: Some(if n == 10 {
                redactd::sanitize::PANIC_KEY.to_vec()
            } else {
                format!("k{n}").into_bytes()
            }),
            value: Some(format!(r#"{{"n":{n},"email":"user{n}@example.org"}}"#).into_bytes()),
            ..Raw::default()
        })
        .collect();
    produce_raw(&s.bootstrap, &s.input, &records, &[]);
    let cfg = s.config("exactly_once", "it-0", "");
    let mut d = s.daemon(&cfg);
    s.wait_committed(records.len() as i64, &mut d, Duration::from_secs(60));
    d.assert_running();
    let q = read_all(&s.bootstrap, &s.quarantine, 1);
    assert_eq!(q.len(), 1, "{q:?}");
    assert_eq!(q[0].header("redactd-error"), Some("internal"));
    assert_eq!(
        q[0].header("redactd-source"),
        Some(format!("{}/0/10", s.input).as_str())
    );
    let curated = read_all(&s.bootstrap, &s.curated, 1);
    assert_eq!(curated.len(), 29, "the rest of the batch is curated");
    for r in &curated {
        let v = String::from_utf8_lossy(r.value.as_deref().unwrap_or_default()).into_owned();
        assert!(!v.contains("@example.org"), "{v}");
    }
    report(
        "panic",
        "a record that panics in process: quarantined as internal, 29 others curated, daemon running",
    );
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
}
