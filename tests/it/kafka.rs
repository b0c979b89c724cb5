//! `redactd run` against a real Apache Kafka broker (`scripts/kafka`).
//!
//! Every test starts the broker through `scripts/kafka start` (idempotent;
//! `KAFKA_PORT` picks the port) or fails saying why. Each test uses its own
//! topics and group. The tests share one broker and run one at a time
//! (`SERIAL`): one of them restarts the broker, and they are CPU-bound.
//!
//! Input records carry `seq` and `trace` headers, key `k{seq}`, timestamp
//! `t0() + seq` and go to partition `seq % partitions`; the checks read the
//! curated topic with `isolation.level=read_committed` and count each
//! `seq`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use redactd::sample::{self, Kind, Rng};
use redactd::sanitize::{Outcome, Sanitizer, Workspace};

/// Record timestamps start here: the test's start time, not a fixed date,
/// because the broker's time-based retention (168 h) would delete records
/// stamped in the past as soon as it runs (e.g. on a broker restart).
pub(crate) fn t0() -> i64 {
    static T0: OnceLock<i64> = OnceLock::new();
    *T0.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    })
}

static SERIAL: Mutex<()> = Mutex::new(());

pub(crate) fn serial() -> MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `scripts/kafka ARGS`; panics with its stderr on failure.
pub(crate) fn kafka_script(args: &[&str]) -> String {
    let out = Command::new(repo().join("scripts/kafka"))
        .args(args)
        .output()
        .expect("run scripts/kafka");
    assert!(
        out.status.success(),
        "scripts/kafka {args:?} failed ({}): the Kafka tests need the real broker \
         (Java 17 + mvn; run `scripts/kafka start` by hand to see why).\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The broker's bootstrap address, starting it if needed.
pub(crate) fn broker() -> String {
    static BOOTSTRAP: OnceLock<String> = OnceLock::new();
    BOOTSTRAP
        .get_or_init(|| {
            let out = kafka_script(&["start"]);
            out.lines().last().unwrap_or_default().to_string()
        })
        .clone()
}

/// A name no other test (or earlier run) uses.
pub(crate) fn unique(what: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("it-{what}-{}-{}", std::process::id(), nanos % 1_000_000_000)
}

pub(crate) fn create_topics(bootstrap: &str, topics: &[(&str, i32)]) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin client");
    let new: Vec<NewTopic<'_>> = topics
        .iter()
        .map(|(t, p)| NewTopic::new(t, *p, TopicReplication::Fixed(1)))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let res = rt
        .block_on(admin.create_topics(&new, &AdminOptions::new()))
        .expect("create_topics");
    for r in res {
        r.unwrap_or_else(|(t, e)| panic!("create topic {t}: {e}"));
    }
}

/// One input record.
pub(crate) struct Input {
    pub(crate) partition: i32,
    pub(crate) seq: u64,
    pub(crate) payload: Vec<u8>,
    /// Values the curated copy must not contain.
    pub(crate) planted: Vec<String>,
}

/// `n` JSON events (seeded), spread round-robin over `partitions`.
pub(crate) fn json_events(seed: u64, n: u64, partitions: i32) -> Vec<Input> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|seq| {
            let mut planted = Vec::new();
            let payload = sample::record(&mut rng, Kind::JsonEvent, &mut planted).into_bytes();
            Input {
                partition: (seq % partitions as u64) as i32,
                seq,
                payload,
                planted: planted.into_iter().map(|p| p.value).collect(),
            }
        })
        .collect()
}

pub(crate) fn produce(bootstrap: &str, topic: &str, inputs: &[Input]) {
    let p: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("linger.ms", "20")
        .create()
        .expect("producer");
    for i in inputs {
        let key = format!("k{}", i.seq);
        let seq = i.seq.to_string();
        let trace = format!("t{}", i.seq);
        let headers = OwnedHeaders::new()
            .insert(Header {
                key: "seq",
                value: Some(seq.as_bytes()),
            })
            .insert(Header {
                key: "trace",
                value: Some(trace.as_bytes()),
            });
        let mut rec = BaseRecord::to(topic)
            .partition(i.partition)
            .key(key.as_bytes())
            .payload(&i.payload[..])
            .headers(headers)
            .timestamp(t0() + i.seq as i64);
        loop {
            match p.send(rec) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    rec = r;
                    p.poll(Duration::from_millis(10));
                }
                Err((e, _)) => panic!("produce: {e}"),
            }
        }
        p.poll(Duration::ZERO);
    }
    p.flush(Duration::from_secs(120)).expect("flush test input");
}

/// One record read back.
#[derive(Debug)]
pub(crate) struct Output {
    pub(crate) partition: i32,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) payload: Vec<u8>,
    pub(crate) headers: HashMap<String, Vec<u8>>,
    pub(crate) timestamp: Option<i64>,
}

impl Output {
    pub(crate) fn header(&self, k: &str) -> Option<&str> {
        self.headers
            .get(k)
            .and_then(|v| std::str::from_utf8(v).ok())
    }
    pub(crate) fn seq(&self) -> u64 {
        self.header("seq")
            .and_then(|s| s.parse().ok())
            .expect("seq header kept")
    }
}

/// Everything committed in `topic`, read with `read_committed`, in
/// partition order.
pub(crate) fn read_committed(bootstrap: &str, topic: &str, partitions: i32) -> Vec<Output> {
    crate::record_path::read_all(bootstrap, topic, partitions)
        .into_iter()
        .map(|r| Output {
            partition: r.partition,
            key: r.key,
            payload: r.value.unwrap_or_default(),
            headers: r.headers.expect("headers rdkafka can read"),
            timestamp: r.timestamp,
        })
        .collect()
}

/// Sum of the group's committed offsets on `topic` (0 where none).
fn committed(bootstrap: &str, group: &str, topic: &str, partitions: i32) -> i64 {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .expect("offset client");
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    match c.committed_offsets(tpl, Duration::from_secs(10)) {
        Ok(t) => t
            .elements()
            .iter()
            .map(|e| match e.offset() {
                Offset::Offset(o) => o,
                _ => 0,
            })
            .sum(),
        Err(_) => 0,
    }
}

/// A daemon process and its log file.
pub(crate) struct Daemon {
    child: Child,
    log: PathBuf,
}

impl Daemon {
    pub(crate) fn start(config: &Path, log: &Path) -> Daemon {
        Daemon::start_env(config, log, &[])
    }

    /// The same, with extra environment variables.
    pub(crate) fn start_env(config: &Path, log: &Path, env: &[(&str, &str)]) -> Daemon {
        let err = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("daemon log");
        let child = Command::new(env!("CARGO_BIN_EXE_redactd"))
            .args(["run", "--config"])
            .arg(config)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(err)
            .spawn()
            .expect("spawn redactd run");
        Daemon {
            child,
            log: log.to_path_buf(),
        }
    }

    pub(crate) fn log_tail(&self) -> String {
        let s = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = s.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// The exit status, if it has exited.
    pub(crate) fn try_wait(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().expect("try_wait")
    }

    pub(crate) fn assert_running(&mut self) {
        if let Some(st) = self.child.try_wait().expect("try_wait") {
            panic!("daemon exited early ({st}):\n{}", self.log_tail());
        }
    }

    pub(crate) fn kill9(mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reap");
    }

    /// The admin server's address (`metrics.listen` is `127.0.0.1:0` in
    /// test configs, so the OS picks the port and the daemon logs it).
    /// Only for a daemon with a log of its own.
    pub(crate) fn admin_addr(&mut self) -> String {
        let t0 = Instant::now();
        loop {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(addr) = log
                .lines()
                .filter_map(|l| l.split_once("metrics on http://").map(|(_, a)| a))
                .filter_map(|l| l.split_once("/metrics").map(|(a, _)| a))
                .next_back()
            {
                return addr.to_string();
            }
            self.assert_running();
            assert!(
                t0.elapsed() < Duration::from_secs(60),
                "no `metrics on` line in the daemon log:\n{}",
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM; waits up to `limit` for the exit.
    pub(crate) fn term(mut self, limit: Duration) -> (ExitStatus, Duration) {
        let t0 = Instant::now();
        let st = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(st.success(), "kill -TERM failed");
        loop {
            if let Some(st) = self.child.try_wait().expect("try_wait") {
                return (st, t0.elapsed());
            }
            if t0.elapsed() > limit {
                let _ = self.child.kill();
                panic!(
                    "daemon did not exit within {limit:?} of SIGTERM:\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A failing test must not leave its daemon running.
impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One test's topics, group, config and daemon logs.
pub(crate) struct Setup {
    pub(crate) bootstrap: String,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) input: String,
    pub(crate) curated: String,
    pub(crate) quarantine: String,
    pub(crate) group: String,
    partitions: i32,
}

impl Setup {
    pub(crate) fn new(name: &str, partitions: i32) -> Setup {
        let bootstrap = broker();
        let input = unique(name);
        let curated = format!("curated.{input}");
        let quarantine = format!("{input}.quarantine");
        create_topics(
            &bootstrap,
            &[
                (&input, partitions),
                (&curated, partitions),
                (&quarantine, 1),
            ],
        );
        Setup {
            bootstrap,
            dir: tempfile::tempdir().expect("tempdir"),
            group: format!("{input}.group"),
            input,
            curated,
            quarantine,
            partitions,
        }
    }

    /// Writes the config of daemon `instance` (its transactional id is
    /// `{group}.{instance}`); `record` lines go under `record:` (text at
    /// column 0 starts further top-level sections). A 6 s session timeout
    /// (the broker's minimum) lets the partitions of a killed daemon move
    /// on quickly. The admin server listens on a port the OS picks, so
    /// daemons never clash on 9464.
    pub(crate) fn config(&self, delivery: &str, instance: &str, record: &str) -> PathBuf {
        let path = self
            .dir
            .path()
            .join(format!("redactd-{delivery}-{instance}.yaml"));
        let text = format!(
            "kafka:\n  brokers: {}\n  group_id: {}\n  input_topics: [{}]\n  \
             output_topic: curated.{{topic}}\n  quarantine_topic: {}\n  delivery: {delivery}\n  \
             instance_id: {instance}\n  drain_timeout_ms: 10000\n  \
             consumer: {{session.timeout.ms: \"6000\"}}\n  \
             producer: {{transaction.timeout.ms: \"10000\"}}\nmetrics:\n  listen: \"127.0.0.1:0\"\n\
             record:\n  format: json\n{record}",
            self.bootstrap, self.group, self.input, self.quarantine
        );
        std::fs::write(&path, text).expect("write config");
        path
    }

    pub(crate) fn daemon(&self, config: &Path) -> Daemon {
        Daemon::start(config, &self.dir.path().join("redactd.log"))
    }

    /// Committed offset of each input partition (-1 where none); `None`
    /// while the broker cannot answer yet (a stable-offset fetch waits for
    /// a killed daemon's open transaction to time out).
    fn committed_each(&self) -> Option<Vec<i64>> {
        let c: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .set("group.id", &self.group)
            .create()
            .expect("offset client");
        let mut tpl = TopicPartitionList::new();
        for p in 0..self.partitions {
            tpl.add_partition(&self.input, p);
        }
        let t = c.committed_offsets(tpl, Duration::from_secs(10)).ok()?;
        Some(
            t.elements()
                .iter()
                .map(|e| match e.offset() {
                    Offset::Offset(o) => o,
                    _ => -1,
                })
                .collect(),
        )
    }

    /// Input records the group has committed.
    fn committed(&self) -> i64 {
        committed(&self.bootstrap, &self.group, &self.input, self.partitions)
    }

    /// Waits until the group has committed `target` input records.
    pub(crate) fn wait_committed(&self, target: i64, d: &mut Daemon, limit: Duration) {
        let t0 = Instant::now();
        loop {
            let c = self.committed();
            if c >= target {
                return;
            }
            d.assert_running();
            assert!(
                t0.elapsed() < limit,
                "only {c} of {target} input records committed after {limit:?}:\n{}",
                d.log_tail()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Lost and duplicated inputs in an output, after checking what every
/// curated copy must hold.
#[derive(Debug, PartialEq)]
pub(crate) struct Tally {
    pub(crate) records: usize,
    pub(crate) lost: usize,
    pub(crate) duplicates: usize,
}

impl Tally {
    /// Every one of `n` inputs seen once: nothing lost, nothing twice.
    pub(crate) fn exactly_once(n: usize) -> Tally {
        Tally {
            records: n,
            lost: 0,
            duplicates: 0,
        }
    }
}

pub(crate) fn check(inputs: &[Input], out: &[Output], partitions: i32, ordered: bool) -> Tally {
    let mut seen = vec![0u32; inputs.len()];
    let mut last: HashMap<i32, u64> = HashMap::new();
    for o in out {
        let seq = o.seq();
        let input = &inputs[seq as usize];
        assert_eq!(o.partition, input.partition, "seq {seq}: partition kept");
        assert_eq!(
            o.key.as_deref(),
            Some(format!("k{seq}").as_bytes()),
            "seq {seq}: key"
        );
        assert_eq!(
            o.header("trace"),
            Some(format!("t{seq}").as_str()),
            "seq {seq}: header"
        );
        assert_eq!(o.timestamp, Some(t0() + seq as i64), "seq {seq}: timestamp");
        let findings: usize = o
            .header("redactd-findings")
            .and_then(|f| f.parse().ok())
            .expect("redactd-findings header");
        assert!(
            findings >= input.planted.len(),
            "seq {seq}: {findings} findings"
        );
        assert!(
            o.header("redactd-policy").is_some_and(|p| p.len() == 16),
            "seq {seq}: redactd-policy"
        );
        for v in &input.planted {
            assert!(
                memchr::memmem::find(&o.payload, v.as_bytes()).is_none(),
                "seq {seq}: a planted value reached the curated topic"
            );
        }
        serde_json::from_slice::<serde_json::Value>(&o.payload).expect("curated JSON is JSON");
        if ordered {
            if let Some(prev) = last.insert(o.partition, seq) {
                assert!(prev < seq, "partition {}: {seq} after {prev}", o.partition);
            }
        }
        seen[seq as usize] += 1;
    }
    let _ = partitions;
    // Say which records are missing (ranges of seq per partition): the
    // first thing to look at when a run loses something.
    let mut runs: Vec<(i32, u64, u64)> = Vec::new();
    for (seq, _) in seen.iter().enumerate().filter(|(_, &c)| c == 0) {
        let (seq, p) = (seq as u64, inputs[seq].partition);
        match runs.iter_mut().rev().find(|r| r.0 == p) {
            Some(r) if r.2 + partitions as u64 == seq => r.2 = seq,
            _ => runs.push((p, seq, seq)),
        }
    }
    if !runs.is_empty() {
        eprintln!(
            "missing (partition, first seq, last seq): {:?}",
            &runs[..runs.len().min(20)]
        );
    }
    Tally {
        records: out.len(),
        lost: seen.iter().filter(|&&c| c == 0).count(),
        duplicates: seen.iter().map(|&c| c.saturating_sub(1) as usize).sum(),
    }
}

/// What the library itself does with one record under a config: where it
/// goes and the (type, action) of each finding the daemon counts (for a
/// record the policy quarantines, only its `quarantine` findings).
pub(crate) struct Verdict {
    pub(crate) quarantine: bool,
    pub(crate) labels: Vec<(String, &'static str)>,
}

/// [`Verdict`]s of `inputs` (JSON records) under the config file `config`,
/// by the library's own sanitizer: the expected figures of a run.
pub(crate) fn verdicts(config: &Path, inputs: &[Input]) -> Vec<Verdict> {
    let cfg = redactd::config::Config::load(config).expect("load test config");
    let sanitizer = Sanitizer::from_config(&cfg).expect("sanitizer of the test config");
    let mut ws = Workspace::default();
    inputs
        .iter()
        .map(|i| {
            let key = format!("k{}", i.seq);
            let input = redactd::sanitize::Input {
                key: Some(key.as_bytes()),
                value: Some(&i.payload),
                headers: &[],
            };
            let engine = sanitizer.engine();
            let (quarantine, applied) = match sanitizer.process(&input, &mut ws) {
                Outcome::Curated(c) => (false, c.applied),
                Outcome::Quarantine(q) => (true, q.applied),
            };
            let labels = applied
                .iter()
                .map(|a| (engine.entity_name(a.entity).to_string(), a.action.name()))
                .collect();
            Verdict { quarantine, labels }
        })
        .collect()
}

/// The sum of the samples of `name` whose labels include all of `labels`,
/// in Prometheus text format (0 when there is none).
pub(crate) fn metric_sum(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            let (n, rest) = match series.split_once('{') {
                Some((n, rest)) => (n, rest),
                None => (series, ""),
            };
            (n == name
                && labels
                    .iter()
                    .all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))))
            .then(|| value.parse::<f64>().ok())?
        })
        .sum()
}

pub(crate) fn report(test: &str, what: &str) {
    eprintln!("[kafka::{test}] {what}");
}

#[test]
fn exactly_once_100k_json_records_over_4_partitions() {
    let _g = serial();
    let s = Setup::new("eos", 4);
    let n = 100_000;
    let inputs = json_events(11, n, 4);
    produce(&s.bootstrap, &s.input, &inputs);
    let cfg = s.config("exactly_once", "it-0", "");
    let t0 = Instant::now();
    let mut d = s.daemon(&cfg);
    s.wait_committed(n as i64, &mut d, Duration::from_secs(600));
    let took = t0.elapsed();
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
    let out = read_committed(&s.bootstrap, &s.curated, 4);
    let t = check(&inputs, &out, 4, true);
    report(
        "exactly_once",
        &format!(
            "{n} in, {t:?}, {:.1} s ({:.0} records/s)",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64()
        ),
    );
    assert_eq!(t, Tally::exactly_once(n as usize));
    assert!(read_committed(&s.bootstrap, &s.quarantine, 1).is_empty());
}

/// kill -9 at three random points of the run, restart each time.
fn crash_run(delivery: &str, n: u64, seed: u64) -> Tally {
    let s = Setup::new(&format!("crash-{}", &delivery[..3]), 4);
    let inputs = json_events(seed, n, 4);
    produce(&s.bootstrap, &s.input, &inputs);
    let cfg = s.config(delivery, "it-0", "");
    let mut rng = Rng::new(seed ^ 0x9e37);
    let mut points: Vec<i64> = (0..3)
        .map(|_| (n / 10 + rng.below(n * 8 / 10)) as i64)
        .collect();
    points.sort_unstable();
    report(
        &format!("crash_{delivery}"),
        &format!("kill -9 after {points:?} committed"),
    );
    let mut d = s.daemon(&cfg);
    for p in points {
        s.wait_committed(p, &mut d, Duration::from_secs(600));
        d.kill9();
        d = s.daemon(&cfg);
    }
    s.wait_committed(n as i64, &mut d, Duration::from_secs(600));
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
    let out = read_committed(&s.bootstrap, &s.curated, 4);
    let t = check(&inputs, &out, 4, delivery == "exactly_once");
    report(&format!("crash_{delivery}"), &format!("{n} in, {t:?}"));
    t
}

#[test]
fn crash_kill9_three_times_exactly_once_then_at_least_once() {
    let _g = serial();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(1);
    eprintln!("crash seed {seed}");
    let t = crash_run("exactly_once", 200_000, seed);
    assert_eq!((t.lost, t.duplicates, t.records), (0, 0, 200_000));
    let t = crash_run("at_least_once", 200_000, seed + 1);
    assert_eq!(t.lost, 0, "{t:?}");
}

#[test]
fn broker_restart_mid_run_recovers_without_loss_or_duplicates() {
    let _g = serial();
    let s = Setup::new("brokerrestart", 4);
    let n = 100_000;
    let inputs = json_events(23, n, 4);
    produce(&s.bootstrap, &s.input, &inputs);
    let cfg = s.config("exactly_once", "it-0", "");
    let mut d = s.daemon(&cfg);
    s.wait_committed(n as i64 / 4, &mut d, Duration::from_secs(600));
    let t0 = Instant::now();
    kafka_script(&["stop"]);
    // Down for longer than the test's transaction.timeout.ms (10 s): the
    // coordinator aborts the open transaction and bumps the epoch, so the
    // daemon must also survive a fatal producer error.
    std::thread::sleep(Duration::from_secs(12));
    kafka_script(&["start"]);
    report(
        "broker_restart",
        &format!(
            "broker down and up again in {:.1} s",
            t0.elapsed().as_secs_f64()
        ),
    );
    s.wait_committed(n as i64, &mut d, Duration::from_secs(600));
    report(
        "broker_restart",
        &format!(
            "all committed {:.1} s after the stop",
            t0.elapsed().as_secs_f64()
        ),
    );
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
    let out = read_committed(&s.bootstrap, &s.curated, 4);
    let t = check(&inputs, &out, 4, true);
    let log = std::fs::read_to_string(s.dir.path().join("redactd.log")).unwrap_or_default();
    report(
        "broker_restart",
        &format!(
            "{n} in, {t:?}; daemon: {} batches aborted, {} producers replaced",
            log.matches("aborting and rewinding").count(),
            log.matches("replacing the producer").count()
        ),
    );
    assert_eq!(t, Tally::exactly_once(n as usize));
}

#[test]
fn poison_records_go_to_quarantine_with_their_reason() {
    let _g = serial();
    let s = Setup::new("poison", 2);
    let good = json_events(31, 2_000, 2);
    let max = 300_000usize;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let big = format!("{{\"blob\":\"{}\"}}", "a".repeat(max + 1));
    let poison: [(&[u8], &str); 4] = [
        (b"{\"user\": \"jane@example.org\", oops}", "invalid_json"),
        (b"{\"note\": \"caf\xe9 \xff\xfe\"}", "invalid_json"),
        (big.as_bytes(), "too_large"),
        (deep.as_bytes(), "too_deep"),
    ];
    // Every 100th record is poison, cycling through the four kinds.
    let mut inputs = Vec::new();
    let mut expect_q = HashMap::new();
    let mut g = good.into_iter();
    for seq in 0..2_040u64 {
        let partition = (seq % 2) as i32;
        if seq % 51 == 50 {
            let (bytes, class) = poison[(seq / 51) as usize % 4];
            expect_q.insert(seq, (bytes.to_vec(), class));
            inputs.push(Input {
                partition,
                seq,
                payload: bytes.to_vec(),
                planted: vec![],
            });
        } else {
            let mut i = g.next().expect("good record");
            i.seq = seq;
            i.partition = partition;
            inputs.push(i);
        }
    }
    produce(&s.bootstrap, &s.input, &inputs);
    let cfg = s.config(
        "exactly_once",
        "it-0",
        &format!("  max_record_bytes: {max}\n"),
    );
    let mut d = s.daemon(&cfg);
    s.wait_committed(inputs.len() as i64, &mut d, Duration::from_secs(300));
    d.assert_running();
    let q = read_committed(&s.bootstrap, &s.quarantine, 1);
    let mut by_class: HashMap<&str, usize> = HashMap::new();
    for o in &q {
        let seq = o.seq();
        let (bytes, class) = expect_q.get(&seq).expect("only poison in quarantine");
        assert_eq!(&o.payload, bytes, "seq {seq}: quarantined whole");
        assert_eq!(o.header("redactd-error"), Some(*class), "seq {seq}");
        assert_eq!(o.key.as_deref(), Some(format!("k{seq}").as_bytes()));
        *by_class.entry(class).or_default() += 1;
    }
    assert_eq!(
        q.len(),
        expect_q.len(),
        "every poison record quarantined once"
    );
    let curated = read_committed(&s.bootstrap, &s.curated, 2);
    assert!(curated.iter().all(|o| !expect_q.contains_key(&o.seq())));
    // The good records: each once, sanitized, in order.
    let good_inputs: Vec<Input> = inputs
        .into_iter()
        .map(|mut i| {
            if expect_q.contains_key(&i.seq) {
                i.planted.clear();
            }
            i
        })
        .collect();
    let t = check(&good_inputs, &curated, 2, true);
    report(
        "poison",
        &format!("{} poison by class {by_class:?}, curated {t:?}", q.len()),
    );
    assert_eq!(
        t.lost,
        expect_q.len(),
        "only the poison records are missing from curated"
    );
    assert_eq!(t.duplicates, 0);
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
}

#[test]
fn sigterm_during_load_drains_and_restart_continues() {
    let _g = serial();
    let s = Setup::new("sigterm", 4);
    let n = 100_000;
    let inputs = json_events(47, n, 4);
    produce(&s.bootstrap, &s.input, &inputs);
    let cfg = s.config("exactly_once", "it-0", "");
    let mut d = s.daemon(&cfg);
    s.wait_committed(n as i64 / 3, &mut d, Duration::from_secs(600));
    // The daemon itself exits non-zero when it cannot drain within
    // drain_timeout_ms (10 s); the outer limit only keeps the test from
    // hanging.
    let (st, took) = d.term(Duration::from_secs(30));
    let at = s.committed();
    report(
        "sigterm",
        &format!(
            "exit {st} {:.2} s after SIGTERM; {at} of {n} committed",
            took.as_secs_f64()
        ),
    );
    assert!(st.success(), "exit status {st}");
    assert!(at < n as i64, "SIGTERM came during the load");
    let mut d = s.daemon(&cfg);
    s.wait_committed(n as i64, &mut d, Duration::from_secs(600));
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
    let out = read_committed(&s.bootstrap, &s.curated, 4);
    let t = check(&inputs, &out, 4, true);
    report("sigterm", &format!("{n} in, {t:?}"));
    assert_eq!(t, Tally::exactly_once(n as usize));
}

#[test]
fn scale_out_join_leave_and_kill_in_a_12_partition_group() {
    let _g = serial();
    let s = Setup::new("scale", 12);
    let n = 300_000u64;
    let inputs = json_events(61, n, 12);
    produce(&s.bootstrap, &s.input, &inputs);
    let cfg: Vec<PathBuf> = (0..4)
        .map(|i| s.config("exactly_once", &format!("it-{i}"), ""))
        .collect();
    let mut d: Vec<Option<Daemon>> = (0..3).map(|i| Some(s.daemon(&cfg[i]))).collect();
    let limit = Duration::from_secs(900);
    let n = n as i64;
    // Waits on whichever daemon is still up.
    let wait = |target: i64, d: &mut Vec<Option<Daemon>>| {
        let live = d.iter_mut().flatten().next().expect("a live daemon");
        s.wait_committed(target, live, limit);
    };
    wait(n / 5, &mut d);
    d.push(Some(s.daemon(&cfg[3])));
    report("scale_out", "a fourth daemon joined");
    wait(2 * n / 5, &mut d);
    let (st, took) = d[1].take().expect("daemon 1").term(Duration::from_secs(30));
    report(
        "scale_out",
        &format!(
            "daemon 1 left (SIGTERM): {st} in {:.2} s",
            took.as_secs_f64()
        ),
    );
    assert!(st.success(), "exit status {st}");
    wait(3 * n / 5, &mut d);
    let before = loop {
        if let Some(b) = s.committed_each() {
            break b;
        }
    };
    d[2].take().expect("daemon 2").kill9();
    let killed = Instant::now();
    // Every partition that still had records is owned and moving again.
    let ends = [n / 12; 12];
    let mut moved = vec![false; 12];
    while moved.iter().any(|m| !m) {
        if let Some(now) = s.committed_each() {
            for p in 0..12 {
                moved[p] |= now[p] > before[p] || now[p] >= ends[p];
            }
        }
        assert!(
            killed.elapsed() < limit,
            "partitions stuck after kill -9: {moved:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    report(
        "scale_out",
        &format!(
            "daemon 2 killed (-9): every partition committing again after {:.1} s \
             (session.timeout.ms 6000, transaction.timeout.ms 10000)",
            killed.elapsed().as_secs_f64()
        ),
    );
    wait(n, &mut d);
    for x in d.iter_mut() {
        if let Some(x) = x.take() {
            let (st, _) = x.term(Duration::from_secs(30));
            assert!(st.success(), "exit status {st}");
        }
    }
    let out = read_committed(&s.bootstrap, &s.curated, 12);
    let t = check(&inputs, &out, 12, true);
    report("scale_out", &format!("{n} in, {t:?}"));
    assert_eq!(t, Tally::exactly_once(n as usize));
}

#[test]
fn unwritable_quarantine_stops_the_daemon_without_committing_past_the_record() {
    let _g = serial();
    let s = Setup::new("qfail", 1);
    let mut inputs = json_events(71, 1_001, 1);
    inputs[500].payload = b"{\"user\": broken".to_vec();
    inputs[500].planted.clear();
    let cfg = s.config("exactly_once", "it-0", "");
    let text = std::fs::read_to_string(&cfg).expect("config");
    let text = text.replace(
        "  drain_timeout_ms: 10000\n",
        "  drain_timeout_ms: 10000\n  retry_timeout_ms: 15000\n",
    );
    std::fs::write(&cfg, text).expect("config");
    produce(&s.bootstrap, &s.input, &inputs[..500]);
    let mut d = s.daemon(&cfg);
    s.wait_committed(500, &mut d, Duration::from_secs(120));
    // The quarantine topic goes away; then a record that needs it arrives.
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", &s.bootstrap)
        .create()
        .expect("admin client");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for r in rt
        .block_on(admin.delete_topics(&[s.quarantine.as_str()], &AdminOptions::new()))
        .expect("delete_topics")
    {
        r.unwrap_or_else(|(t, e)| panic!("delete {t}: {e}"));
    }
    produce(&s.bootstrap, &s.input, &inputs[500..]);
    let t0 = Instant::now();
    let status = loop {
        if let Some(st) = d.child.try_wait().expect("try_wait") {
            break st;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(180),
            "daemon kept running with an unwritable quarantine topic:\n{}",
            d.log_tail()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    report(
        "quarantine_unwritable",
        &format!(
            "daemon stopped ({status}) {:.1} s after the poison record",
            t0.elapsed().as_secs_f64()
        ),
    );
    assert!(
        !status.success(),
        "a daemon that cannot quarantine must fail"
    );
    assert_eq!(s.committed(), 500, "nothing committed past the record");
    let out = read_committed(&s.bootstrap, &s.curated, 1);
    assert_eq!(out.len(), 500, "no record after it reached curated");
    assert!(out.iter().all(|o| o.seq() < 500));
}

#[test]
fn policy_quarantine_sends_matching_records_whole_to_quarantine() {
    let _g = serial();
    let s = Setup::new("policyq", 2);
    // A third are JSON events with an SSN; the rest chats (JSON-wrapped)
    // with names, e-mails, phones and cards but no SSN.
    let n = 3_000u64;
    let mut rng = Rng::new(53);
    let mut has_ssn = Vec::new();
    let inputs: Vec<Input> = (0..n)
        .map(|seq| {
            let mut planted = Vec::new();
            let payload = if seq % 3 == 0 {
                sample::record(&mut rng, Kind::JsonEvent, &mut planted)
            } else {
                let text = sample::record(&mut rng, Kind::Chat, &mut planted);
                serde_json::json!({ "chat": text, "n": seq }).to_string()
            };
            has_ssn.push(planted.iter().any(|p| p.entity == "US_SSN"));
            Input {
                partition: (seq % 2) as i32,
                seq,
                payload: payload.into_bytes(),
                planted: planted.into_iter().map(|p| p.value).collect(),
            }
        })
        .collect();
    let cfg = s.config(
        "exactly_once",
        "it-0",
        "policy:\n  actions: {US_SSN: quarantine}\n",
    );
    let verdicts = verdicts(&cfg, &inputs);
    let expect_q: std::collections::BTreeSet<u64> = verdicts
        .iter()
        .zip(&inputs)
        .filter(|(v, _)| v.quarantine)
        .map(|(_, i)| i.seq)
        .collect();
    let planted_ssn = has_ssn.iter().filter(|&&h| h).count();
    for (seq, h) in has_ssn.iter().enumerate() {
        assert!(
            !h || expect_q.contains(&(seq as u64)),
            "seq {seq}: a planted SSN the library does not quarantine"
        );
    }
    assert!(planted_ssn > 0 && expect_q.len() < n as usize);
    let ssn_findings: usize = verdicts
        .iter()
        .flat_map(|v| &v.labels)
        .filter(|(t, a)| t == "US_SSN" && *a == "quarantine")
        .count();

    produce(&s.bootstrap, &s.input, &inputs);
    let mut d = s.daemon(&cfg);
    let admin = d.admin_addr();
    s.wait_committed(n as i64, &mut d, Duration::from_secs(300));
    d.assert_running();

    // Quarantine: exactly the SSN records, whole, with their reason.
    let q = read_committed(&s.bootstrap, &s.quarantine, 1);
    let mut seen = std::collections::BTreeSet::new();
    for o in &q {
        let seq = o.seq();
        assert!(
            expect_q.contains(&seq),
            "seq {seq}: quarantined without an SSN"
        );
        assert!(seen.insert(seq), "seq {seq}: quarantined twice");
        assert_eq!(o.payload, inputs[seq as usize].payload, "seq {seq}: whole");
        assert_eq!(o.header("redactd-error"), Some("policy"), "seq {seq}");
        assert_eq!(o.key.as_deref(), Some(format!("k{seq}").as_bytes()));
        assert_eq!(o.header("trace"), Some(format!("t{seq}").as_str()));
    }
    assert_eq!(seen.len(), expect_q.len(), "every SSN record in quarantine");

    // Curated: the others, each once, sanitized, in order.
    let curated = read_committed(&s.bootstrap, &s.curated, 2);
    assert!(curated.iter().all(|o| !expect_q.contains(&o.seq())));
    let t = check(&inputs, &curated, 2, true);
    assert_eq!(
        t.lost,
        expect_q.len(),
        "only the quarantined are not curated"
    );
    assert_eq!(t.duplicates, 0);
    assert_eq!(q.len() + curated.len(), n as usize, "none lost");

    // The daemon's own /metrics agree.
    let (status, text) =
        crate::util::http_get(&format!("http://{admin}/metrics")).expect("GET /metrics");
    assert_eq!(status, 200);
    let m = |name: &str, labels: &[(&str, &str)]| metric_sum(&text, name, labels);
    assert_eq!(
        m("redactd_records_total", &[("outcome", "quarantined")]),
        expect_q.len() as f64
    );
    assert_eq!(
        m("redactd_records_total", &[("outcome", "curated")]),
        (n as usize - expect_q.len()) as f64
    );
    assert_eq!(
        m("redactd_errors_total", &[("class", "policy")]),
        expect_q.len() as f64
    );
    assert_eq!(
        m(
            "redactd_findings_total",
            &[("type", "US_SSN"), ("action", "quarantine")]
        ),
        ssn_findings as f64
    );
    assert_eq!(
        m(
            "redactd_findings_total",
            &[("type", "US_SSN"), ("action", "redact")]
        ),
        0.0,
        "no SSN was redacted into curated"
    );
    report(
        "policy_quarantine",
        &format!(
            "{n} in: {} quarantined (policy, {planted_ssn} with a planted SSN, \
             {ssn_findings} SSN findings), {} curated, 0 lost, 0 duplicates",
            q.len(),
            curated.len()
        ),
    );
    let (st, _) = d.term(Duration::from_secs(30));
    assert!(st.success(), "exit status {st}");
}
