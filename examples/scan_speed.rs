//! Development aid: quick scan throughput on the seeded corpora with the
//! built-in packs plus extra pack files (criterion's `benches/detect.rs`
//! is the reference measurement).
//!
//! `cargo run --release --example scan_speed -- [--no-builtin] [--pack FILE]... [--only pii_dense|clean] (ROUNDS=n SIZE_MB=n); MB/s from thread CPU time, best and median round`

use redactd::detect::{EngineBuilder, Scratch};
use redactd::sample::{self, Kind};

/// This thread's CPU time in seconds (`CLOCK_THREAD_CPUTIME_ID`): steadier
/// than wall-clock time on a shared machine. (`/proc/thread-self/schedstat`,
/// used before, only advances at scheduler ticks, 4 ms here: ±4 % on a
/// 100 ms round.)
fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    ts.tv_sec as f64 + ts.tv_nsec as f64 / 1e9
}

fn main() {
    let mut b = EngineBuilder::new().check_examples(false);
    let mut only: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--no-builtin" => b = b.builtin(false),
            "--only" => only = args.next(),
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
    let mb: usize = std::env::var("SIZE_MB")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(8);
    let (dense, planted) = sample::corpus(42, mb << 20, &[Kind::JsonEvent, Kind::Chat, Kind::Log]);
    let (clean, _) = sample::corpus(43, mb << 20, &[Kind::Clean]);
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let mut s = Scratch::default();
    let mut out = Vec::new();
    for (name, text) in [("pii_dense", &dense), ("clean", &clean)] {
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        let mut times = Vec::new();
        let mut found = 0;
        for _ in 0..rounds {
            let t = cpu_seconds();
            found = 0;
            for line in text.lines() {
                engine.scan_with(line.as_bytes(), None, &mut s, &mut out);
                found += out.len();
            }
            times.push(cpu_seconds() - t);
        }
        times.sort_by(f64::total_cmp);
        let rate = |t: f64| text.len() as f64 / t / 1e6;
        println!(
            "{name:<10} {:>8.1} MB/s best, {:>8.1} median  findings {found} (planted in dense: {})",
            rate(times[0]),
            rate(times[times.len() / 2]),
            planted.len()
        );
    }
}
