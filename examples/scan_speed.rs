//! Development aid: quick scan throughput on the seeded corpora with the
//! built-in packs plus extra pack files (criterion's `benches/detect.rs`
//! is the reference measurement).
//!
//! `cargo run --release --example scan_speed -- [--no-builtin] [--pack FILE]... [--per-detector]`

use std::time::Instant;

use redactd::detect::{EngineBuilder, Scratch};
use redactd::sample::{self, Kind};

fn main() {
    let mut b = EngineBuilder::new().check_examples(false);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--no-builtin" => b = b.builtin(false),
            "--pack" => {
                b = b
                    .pack_path(std::path::Path::new(&args.next().expect("--pack FILE")))
                    .unwrap_or_else(|e| panic!("{e}"))
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let engine = b.build().unwrap_or_else(|e| panic!("{e}"));
    println!("{} detectors", engine.detectors().len());
    let (dense, planted) = sample::corpus(42, 8 << 20, &[Kind::JsonEvent, Kind::Chat, Kind::Log]);
    let (clean, _) = sample::corpus(43, 8 << 20, &[Kind::Clean]);
    let mut s = Scratch::default();
    let mut out = Vec::new();
    for (name, text) in [("pii_dense", &dense), ("clean", &clean)] {
        let mut best = f64::MAX;
        let mut found = 0;
        for _ in 0..5 {
            let t = Instant::now();
            found = 0;
            for line in text.lines() {
                engine.scan_with(line.as_bytes(), None, &mut s, &mut out);
                found += out.len();
            }
            best = best.min(t.elapsed().as_secs_f64());
        }
        println!(
            "{name:<10} {:>8.1} MB/s  findings {found} (planted in dense: {})",
            text.len() as f64 / best / 1e6,
            planted.len()
        );
    }
}
