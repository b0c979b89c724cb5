//! Development aid: how fast the passes every scan must make run *alone*,
//! next to the full scan, on the same seeded corpora as `scan_speed` and
//! `benches/detect.rs`. It answers "how far can the engine get?": a scan
//! cannot be faster than the keyword pass issue 2 requires (the engine's
//! own aho-corasick automaton over every detector's keywords), so if that pass alone is slower than a
//! throughput target, the target is out of reach on this machine whatever
//! else the engine does (decision 0009).
//!
//! `cargo run --release --example stage_floor -- [--dump DIR]` (ROUNDS=n
//! SIZE_MB=n). Prints MB/s (wall clock, best and median round) per stage and
//! corpus. With `--dump DIR` it also writes the corpora, the keyword list and
//! the pack regexes for `scripts/hyperscan_floor.py` (one per line).

use std::path::{Path, PathBuf};
use std::time::Instant;

use redactd::detect::{pack, Engine, Scratch};
use redactd::sample::{self, Kind};

/// Distinct lower-cased keywords and the regexes of the built-in packs, read
/// from `patterns/` (the files the binary embeds).
fn pack_literals_and_regexes() -> (Vec<Vec<u8>>, Vec<String>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("patterns");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut keywords: Vec<Vec<u8>> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut regexes = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let pf = pack::parse(&f.display().to_string(), &text).unwrap_or_else(|e| panic!("{e}"));
        for d in pf.detectors {
            for k in d.keywords {
                let k = k.to_ascii_lowercase().into_bytes();
                if seen.insert(k.clone()) {
                    keywords.push(k);
                }
            }
            regexes.extend(d.regex);
        }
    }
    (keywords, regexes)
}

/// Best and median seconds of `rounds` runs of `f`.
fn time(rounds: usize, mut f: impl FnMut() -> usize) -> (f64, f64, usize) {
    let mut times = Vec::with_capacity(rounds);
    let mut n = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        n = std::hint::black_box(f());
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    (times[0], times[times.len() / 2], n)
}

fn main() {
    let mut dump: Option<PathBuf> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--dump" => dump = Some(PathBuf::from(args.next().expect("--dump DIR"))),
            other => panic!("unknown argument {other}"),
        }
    }
    let env = |k: &str, d: usize| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let (mb, rounds) = (env("SIZE_MB", 8), env("ROUNDS", 7));

    let engine = Engine::builtin().unwrap_or_else(|e| panic!("{e}"));
    let (keywords, regexes) = pack_literals_and_regexes();
    let ac = engine
        .keyword_automaton()
        .expect("the built-in packs have keywords");
    assert_eq!(
        ac.patterns_len(),
        keywords.len(),
        "keywords read from patterns/"
    );
    let (dense, _) = sample::corpus(42, mb << 20, &[Kind::JsonEvent, Kind::Chat, Kind::Log]);
    let (clean, _) = sample::corpus(43, mb << 20, &[Kind::Clean]);
    println!(
        "{} detectors, {} distinct keywords, {} regexes; {mb} MB corpora, {rounds} rounds",
        engine.detectors().len(),
        keywords.len(),
        regexes.len()
    );
    if let Some(dir) = &dump {
        std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let write = |name: &str, data: &[u8]| {
            let p = dir.join(name);
            std::fs::write(&p, data).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        };
        write("pii_dense.txt", dense.as_bytes());
        write("clean.txt", clean.as_bytes());
        // One per line: no keyword or regex of the packs holds a line break.
        assert!(
            keywords.iter().all(|k| !k.contains(&b'\n'))
                && regexes.iter().all(|r| !r.contains('\n')),
            "a keyword or regex holds a line break"
        );
        write("keywords.txt", &keywords.join(&b'\n'));
        write("regexes.txt", regexes.join("\n").as_bytes());
    }

    let mut s = Scratch::default();
    let mut out = Vec::new();
    println!(
        "{:<10} {:<34} {:>9} {:>9}",
        "corpus", "stage (alone)", "best", "median"
    );
    for (name, text, target) in [("pii_dense", &dense, 150.0), ("clean", &clean, 400.0)] {
        let rate = |t: f64| text.len() as f64 / t / 1e6;
        let row = |stage: &str, (best, median, _): (f64, f64, usize)| {
            println!(
                "{name:<10} {stage:<34} {:>6.1} MB/s {:>6.1} MB/s",
                rate(best),
                rate(median)
            );
        };
        row(
            "full scan (engine.scan_with)",
            time(rounds, || {
                let mut n = 0;
                for line in text.lines() {
                    engine.scan_with(line.as_bytes(), None, &mut s, &mut out);
                    n += out.len();
                }
                n
            }),
        );
        row(
            "keyword automaton, per line",
            time(rounds, || {
                text.lines()
                    .map(|l| ac.find_overlapping_iter(l.as_bytes()).count())
                    .sum()
            }),
        );
        row(
            "keyword automaton, whole buffer",
            time(rounds, || ac.find_overlapping_iter(text.as_bytes()).count()),
        );
        // What touching every byte once costs: the memory-bound ceiling.
        row(
            "count ASCII digits (one read)",
            time(rounds, || text.bytes().filter(u8::is_ascii_digit).count()),
        );
        println!("{name:<10} {:<34} {target:>6.1} MB/s", "target (issue 2)");
    }
}
