//! What the metrics cost the hot path: `Metrics::record` runs once per
//! record and `Metrics::findings` once per (type, action) per record;
//! `render` once per scrape; `set_lag_from_stats` once per statistics
//! interval (a document with 64 partitions here).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use redactd::metrics::{Metrics, Outcome};

fn stats(partitions: usize) -> String {
    let parts: Vec<String> = (0..partitions)
        .map(|p| format!(r#""{p}": {{"partition": {p}, "consumer_lag": {}}}"#, p * 10))
        .collect();
    format!(
        r#"{{"topics": {{"raw.events": {{"partitions": {{{}}}}}}}}}"#,
        parts.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let m = Metrics::new();
    let mut g = c.benchmark_group("metrics");
    g.bench_function("record", |b| {
        b.iter(|| {
            m.record(
                black_box(Outcome::Curated),
                black_box(1200),
                black_box(1100),
                black_box(Duration::from_micros(35)),
            )
        })
    });
    g.bench_function("findings", |b| {
        b.iter(|| m.findings(black_box("EMAIL_ADDRESS"), black_box("redact"), 2))
    });
    for t in [
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "US_SSN",
        "CREDIT_CARD",
        "SECRET",
    ] {
        m.finding(t, "redact");
    }
    let doc = stats(64);
    assert_eq!(m.set_lag_from_stats(&doc).expect("stats"), 64);
    g.bench_function("set_lag_from_stats_64_partitions", |b| {
        b.iter(|| m.set_lag_from_stats(black_box(&doc)).expect("stats"))
    });
    g.bench_function("render", |b| b.iter(|| black_box(m.render()).len()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
