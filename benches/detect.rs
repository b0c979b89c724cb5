//! Detection throughput with the full default packs, on corpora from the
//! seeded generator in `redactd::sample`.
//!
//! - `scan/pii_dense`: JSON events, chats and logs with planted values,
//!   scanned line by line as text.
//! - `scan/clean`: the clean variant (timestamps, UUIDs, user agents, prose).
//! - `sanitize/json_events`: the full record path (parse, walk, scan,
//!   redact, write) on JSON events.

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use redactd::detect::{Engine, Scratch};
use redactd::policy::Policy;
use redactd::record::{Format, Limits, Record};
use redactd::sample::{self, Kind};
use redactd::sanitize::{Sanitizer, Workspace};

const SIZE: usize = 4 << 20;

fn scan_lines(
    engine: &Engine,
    text: &str,
    s: &mut Scratch,
    out: &mut Vec<redactd::detect::Finding>,
) -> usize {
    let mut n = 0;
    for line in text.lines() {
        engine.scan_with(line.as_bytes(), None, s, out);
        n += out.len();
    }
    n
}

fn bench(c: &mut Criterion) {
    let engine = Arc::new(Engine::builtin().expect("built-in packs"));
    let mut scratch = Scratch::default();
    let mut out = Vec::new();

    let (dense, planted) = sample::corpus(42, SIZE, &[Kind::JsonEvent, Kind::Chat, Kind::Log]);
    let (clean, _) = sample::corpus(43, SIZE, &[Kind::Clean]);
    let (events, _) = sample::corpus(44, SIZE, &[Kind::JsonEvent]);

    // Sanity before timing: the dense corpus yields at least one finding
    // per planted value, and the clean one (almost) none.
    let found = scan_lines(&engine, &dense, &mut scratch, &mut out);
    let clean_found = scan_lines(&engine, &clean, &mut scratch, &mut out);
    println!(
        "corpora: dense {} MB with {} planted values, {} findings; clean {} MB, {} findings",
        dense.len() >> 20,
        planted.len(),
        found,
        clean.len() >> 20,
        clean_found
    );
    assert!(
        found >= planted.len() * 9 / 10,
        "dense corpus: {found} findings for {} planted",
        planted.len()
    );
    assert!(
        clean_found * 1000 < clean.lines().count(),
        "clean corpus: {clean_found} findings"
    );

    let mut g = c.benchmark_group("scan");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(dense.len() as u64));
    g.bench_function("pii_dense", |b| {
        b.iter(|| black_box(scan_lines(&engine, &dense, &mut scratch, &mut out)))
    });
    g.throughput(Throughput::Bytes(clean.len() as u64));
    g.bench_function("clean", |b| {
        b.iter(|| black_box(scan_lines(&engine, &clean, &mut scratch, &mut out)))
    });
    g.finish();

    let sanitizer = Sanitizer::new(engine.clone(), Policy::default());
    let mut ws = Workspace::default();
    let mut buf = Vec::with_capacity(4096);
    let mut g = c.benchmark_group("sanitize");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(events.len() as u64));
    g.bench_function("json_events", |b| {
        b.iter(|| {
            let mut n = 0;
            for line in events.lines() {
                let Ok(mut rec) = Record::parse(line.as_bytes(), Format::Auto, Limits::default())
                else {
                    continue;
                };
                n += sanitizer.sanitize(&mut rec, &mut ws).findings.len();
                buf.clear();
                rec.write(&mut buf);
            }
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
