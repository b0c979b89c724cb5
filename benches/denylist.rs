//! A deny-list dictionary of 1,000,000 terms: load time, memory and scan
//! throughput with it versus without it.
//!
//! Targets (issue 3): load under 3 s, under 300 MB RSS, scan throughput at
//! least half of the throughput without the dictionary.
//!
//! - `denylist/load_1m`: read the term file and build the engine with the
//!   dictionary (the built-in packs are built too; `denylist/load_none`
//!   is the same without the dictionary, so the difference is the
//!   dictionary's cost).
//! - `denylist/scan_without`, `denylist/scan_with_1m`: the full sanitize
//!   path (parse, walk, scan, redact, write) on a mixed corpus in which
//!   some dictionary terms are planted.
//!
//! Memory: `VmHWM` / `VmRSS` of /proc/self/status around the first build,
//! printed once (criterion times, it does not measure memory).

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use redactd::detect::{Dictionary, Engine, EngineBuilder};
use redactd::policy::Policy;
use redactd::record::{Format, Limits, Record};
use redactd::sample::{self, Kind, Rng};
use redactd::sanitize::{Sanitizer, Workspace};

const TERMS: usize = 1_000_000;
const SIZE: usize = 4 << 20;

const SYLLABLES: &[&str] = &[
    "ka", "ro", "mi", "ten", "vas", "lo", "qui", "dra", "nel", "sor", "bri", "tak", "zu", "fen",
    "gal", "hor", "pex", "yun", "wim", "cal", "dor", "eth", "iv", "ost",
];

/// A made-up codename: two words of 2–4 syllables (`Kavasro Telbri`), so
/// terms look like the customer or project names deny lists hold and do
/// not collide with ordinary English.
fn term(r: &mut Rng) -> String {
    let word = |r: &mut Rng| {
        let n = 2 + r.below(3);
        let mut w: String = (0..n).map(|_| *r.pick(SYLLABLES)).collect();
        w[..1].make_ascii_uppercase();
        w
    };
    format!("{} {}", word(r), word(r))
}

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn build(path: &Path) -> Engine {
    let dict = Dictionary::load(path, "CUSTOMER_CODENAME", true).expect("dictionary");
    EngineBuilder::new()
        .check_examples(false)
        .dictionary(dict)
        .build()
        .expect("engine")
}

fn run(s: &Sanitizer, corpus: &str, ws: &mut Workspace, buf: &mut Vec<u8>) -> usize {
    let mut n = 0;
    for line in corpus.lines() {
        let Ok(mut rec) = Record::parse(line.as_bytes(), Format::Auto, Limits::default()) else {
            continue;
        };
        n += s.sanitize(&mut rec, ws).findings.len();
        buf.clear();
        rec.write(buf);
    }
    n
}

/// Findings of the dictionary's type.
fn codenames(s: &Sanitizer, corpus: &str, ws: &mut Workspace) -> usize {
    let mut n = 0;
    for line in corpus.lines() {
        let Ok(mut rec) = Record::parse(line.as_bytes(), Format::Auto, Limits::default()) else {
            continue;
        };
        let report = s.sanitize(&mut rec, ws);
        n += report
            .labels(s)
            .filter(|(t, _)| *t == "CUSTOMER_CODENAME")
            .count();
    }
    n
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("codenames.txt");
    let mut r = Rng::new(7);
    let mut text = String::with_capacity(TERMS * 16);
    let mut terms = Vec::with_capacity(TERMS);
    for _ in 0..TERMS {
        let t = term(&mut r);
        text.push_str(&t);
        text.push('\n');
        terms.push(t);
    }
    std::fs::write(&path, &text).expect("write terms");
    let file_mb = text.len() as f64 / 1e6;
    drop(text);

    // The corpus: the mixed sample records, every tenth followed by a
    // sentence naming a dictionary term.
    let (base, _) = sample::corpus(11, SIZE, &[Kind::JsonEvent, Kind::Chat, Kind::Log]);
    let mut corpus = String::with_capacity(base.len() + SIZE / 8);
    let mut planted = 0;
    for (i, line) in base.lines().enumerate() {
        corpus.push_str(line);
        corpus.push('\n');
        if i % 10 == 0 {
            let t = &terms[r.below(TERMS as u64) as usize];
            corpus.push_str(&format!("escalated to the {t} account team today\n"));
            planted += 1;
        }
    }
    drop(terms);

    let plain = Arc::new(
        EngineBuilder::new()
            .check_examples(false)
            .build()
            .expect("engine"),
    );
    let rss0 = status_kb("VmRSS:");
    let hwm0 = status_kb("VmHWM:");
    let t0 = Instant::now();
    let with = Arc::new(build(&path));
    let first_load = t0.elapsed();
    let rss1 = status_kb("VmRSS:");
    let hwm1 = status_kb("VmHWM:");
    println!(
        "dictionary: {TERMS} terms, {file_mb:.1} MB file; first build {:.2} s; \
         RSS {} MB -> {} MB (+{} MB resident); peak RSS {} MB -> {} MB (process peak during build)",
        first_load.as_secs_f64(),
        rss0 / 1024,
        rss1 / 1024,
        rss1.saturating_sub(rss0) / 1024,
        hwm0 / 1024,
        hwm1 / 1024,
    );

    let s_plain = Sanitizer::new(plain, Policy::default());
    let s_with = Sanitizer::new(with, Policy::default());
    let mut ws = Workspace::default();
    let mut buf = Vec::with_capacity(4096);
    // Sanity before timing (once): every planted term is found.
    let n_plain = run(&s_plain, &corpus, &mut ws, &mut buf);
    let found = codenames(&s_with, &corpus, &mut ws);
    println!(
        "corpus: {:.1} MB, {planted} dictionary terms planted; findings without the dictionary {n_plain}, CUSTOMER_CODENAME findings with it {found}",
        corpus.len() as f64 / 1e6
    );
    assert!(
        found >= planted,
        "every planted term is a finding: {found} < {planted}"
    );

    let mut g = c.benchmark_group("denylist");
    g.sample_size(10);
    g.bench_function("load_none", |b| {
        b.iter(|| {
            black_box(
                EngineBuilder::new()
                    .check_examples(false)
                    .build()
                    .expect("engine"),
            )
        })
    });
    g.bench_function("load_1m", |b| b.iter(|| black_box(build(&path))));
    g.throughput(Throughput::Bytes(corpus.len() as u64));
    g.bench_function("scan_without", |b| {
        b.iter(|| black_box(run(&s_plain, &corpus, &mut ws, &mut buf)))
    });
    g.bench_function("scan_with_1m", |b| {
        b.iter(|| black_box(run(&s_with, &corpus, &mut ws, &mut buf)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
