//! Writes a seeded JSONL corpus of realistic records to stdout, for the
//! end-to-end bench (`scripts/bench-redact`).
//!
//! `cargo run --release --example gen_corpus -- MEGABYTES [SEED]`

use std::io::Write;

use redactd::sample::{self, Kind};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let mb: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let kinds = [Kind::JsonEvent, Kind::Chat, Kind::Log, Kind::Clean];
    // In 1 MB chunks so memory stays small whatever the size.
    for chunk in 0..mb {
        let (text, _) = sample::corpus(seed.wrapping_add(chunk as u64), 1 << 20, &kinds);
        out.write_all(text.as_bytes())?;
    }
    out.flush()
}
