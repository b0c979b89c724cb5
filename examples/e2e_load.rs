//! Load generator and meter for `scripts/bench-e2e` (not part of the
//! product).
//!
//! ```text
//! e2e_load produce BOOTSTRAP TOPIC PARTITIONS N        # N ~1 KB JSON records; prints bytes
//! e2e_load wait BOOTSTRAP GROUP TOPIC PARTITIONS N     # prints "records seconds" of the committed progress
//! e2e_load latency BOOTSTRAP IN OUT PARTITIONS RATE SECONDS   # prints "p50_ms p99_ms max_ms count"
//! ```

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};
use redactd::sample::{self, Kind, Rng};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// A ~1 KB JSON event: a sample record padded with clean words.
fn record(rng: &mut Rng) -> Vec<u8> {
    let mut planted = Vec::new();
    let mut s = sample::record(rng, Kind::JsonEvent, &mut planted);
    s.pop(); // the closing brace
    s.push_str(",\"comment\":\"");
    let words = [
        "order", "shipped", "status", "thanks", "queue", "update", "refund",
    ];
    while s.len() < 1020 {
        s.push_str(words[rng.below(words.len() as u64) as usize]);
        s.push(' ');
    }
    s.push_str("\"}");
    s.into_bytes()
}

fn producer(bootstrap: &str) -> Res<BaseProducer> {
    Ok(ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .create()?)
}

fn send(p: &BaseProducer, topic: &str, part: i32, payload: &[u8], ts: Option<i64>) -> Res<()> {
    let mut rec = BaseRecord::<[u8], [u8]>::to(topic)
        .partition(part)
        .payload(payload);
    rec.timestamp = ts;
    loop {
        match p.send(rec) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                rec = r;
                p.poll(Duration::from_millis(5));
            }
            Err((e, _)) => return Err(e.into()),
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

fn produce(bootstrap: &str, topic: &str, parts: i32, n: u64) -> Res<()> {
    let p = producer(bootstrap)?;
    let mut rng = Rng::new(7);
    let mut bytes = 0usize;
    for i in 0..n {
        let r = record(&mut rng);
        bytes += r.len();
        send(&p, topic, (i % parts as u64) as i32, &r, None)?;
        p.poll(Duration::ZERO);
    }
    p.flush(Duration::from_secs(120))?;
    println!("{bytes}");
    Ok(())
}

fn committed(c: &BaseConsumer, topic: &str, parts: i32) -> i64 {
    let mut tpl = TopicPartitionList::new();
    for p in 0..parts {
        tpl.add_partition(topic, p);
    }
    c.committed_offsets(tpl, Duration::from_secs(10))
        .map(|t| {
            t.elements()
                .iter()
                .map(|e| match e.offset() {
                    Offset::Offset(o) => o,
                    _ => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

fn wait(bootstrap: &str, group: &str, topic: &str, parts: i32, n: i64) -> Res<()> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()?;
    let t0 = Instant::now();
    let mut first: Option<(Instant, i64)> = None;
    loop {
        let done = committed(&c, topic, parts);
        if done > 0 && first.is_none() {
            first = Some((Instant::now(), done));
        }
        if done >= n {
            let (t, d0) = first.unwrap_or((t0, 0));
            println!("{} {:.3}", done - d0, t.elapsed().as_secs_f64());
            return Ok(());
        }
        if t0.elapsed() > Duration::from_secs(900) {
            return Err(format!("only {done} of {n} committed").into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn latency(bootstrap: &str, input: &str, out: &str, parts: i32, rate: u64, secs: u64) -> Res<()> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("latency-{}", now_ms()))
        .set("isolation.level", "read_committed")
        .set("enable.auto.commit", "false")
        // A transaction commit does not wake a waiting read_committed fetch
        // on the broker: without this the reader adds up to 500 ms itself.
        .set("fetch.wait.max.ms", "10")
        .create()?;
    let mut tpl = TopicPartitionList::new();
    for p in 0..parts {
        tpl.add_partition_offset(out, p, Offset::End)?;
    }
    c.assign(&tpl)?;
    let total = rate * secs;
    let bootstrap2 = bootstrap.to_string();
    let input2 = input.to_string();
    let gen = std::thread::spawn(move || -> Result<(), String> {
        let p = producer(&bootstrap2).map_err(|e| e.to_string())?;
        let mut rng = Rng::new(9);
        let t0 = Instant::now();
        for i in 0..total {
            // Fixed rate: record i leaves at t0 + i/rate.
            let due = t0 + Duration::from_secs_f64(i as f64 / rate as f64);
            if let Some(d) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(d);
            }
            let r = record(&mut rng);
            send(&p, &input2, (i % parts as u64) as i32, &r, Some(now_ms()))
                .map_err(|e| e.to_string())?;
            p.poll(Duration::ZERO);
        }
        p.flush(Duration::from_secs(60)).map_err(|e| e.to_string())
    });
    let mut lat = Vec::with_capacity(total as usize);
    // LAT_DUMP=FILE: one "sent_ms latency_ms" line per record, to see when
    // the slow ones happen.
    let dump = std::env::var_os("LAT_DUMP").filter(|p| !p.is_empty());
    let mut sent = Vec::new();
    let t0 = Instant::now();
    while (lat.len() as u64) < total && t0.elapsed() < Duration::from_secs(secs + 60) {
        if let Some(m) = c.poll(Duration::from_millis(100)) {
            let m = m?;
            if let Some(ts) = m.timestamp().to_millis() {
                lat.push(now_ms() - ts);
                if dump.is_some() {
                    sent.push(ts);
                }
            }
        }
    }
    gen.join().map_err(|_| "producer thread panicked")??;
    if let Some(path) = dump {
        let lines: String = sent
            .iter()
            .zip(&lat)
            .map(|(s, l)| format!("{s} {l}\n"))
            .collect();
        std::fs::write(path, lines)?;
    }
    // The first second includes the group join and warm-up.
    let skip = rate as usize;
    let mut steady: Vec<i64> = lat.iter().skip(skip).copied().collect();
    steady.sort_unstable();
    let q = |f: f64| {
        steady
            .get(((steady.len() as f64 * f) as usize).min(steady.len().saturating_sub(1)))
            .copied()
            .unwrap_or(-1)
    };
    println!(
        "{} {} {} {}",
        q(0.50),
        q(0.99),
        steady.last().copied().unwrap_or(-1),
        lat.len()
    );
    Ok(())
}

fn main() -> Res<()> {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> Res<u64> { Ok(a.get(i).ok_or("missing argument")?.parse()?) };
    match a.first().map(String::as_str) {
        Some("produce") => produce(&a[1], &a[2], num(3)? as i32, num(4)?),
        Some("wait") => wait(&a[1], &a[2], &a[3], num(4)? as i32, num(5)? as i64),
        Some("latency") => latency(&a[1], &a[2], &a[3], num(4)? as i32, num(5)?, num(6)?),
        _ => Err("usage: e2e_load produce|wait|latency ...".into()),
    }
}
