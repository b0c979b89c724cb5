//! Development aid: scores the shared corpus with the built-in packs plus
//! extra pack files, and lists misses.
//!
//! `cargo run --release --example conformance -- [--no-builtin] [--pack FILE]... [--only TYPE]... [--failures]`

#[path = "../tests/it/conformance.rs"]
mod conformance;

use redactd::detect::EngineBuilder;

fn main() {
    let mut b = EngineBuilder::new().check_examples(false);
    let mut only: Vec<String> = Vec::new();
    let mut failures = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--no-builtin" => b = b.builtin(false),
            "--pack" => {
                let p = args.next().expect("--pack FILE");
                b = b
                    .pack_path(std::path::Path::new(&p))
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            "--only" => only.push(args.next().expect("--only TYPE")),
            "--failures" => failures = true,
            other => panic!("unknown argument {other}"),
        }
    }
    let engine = match b.build() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("pack error: {e}");
            std::process::exit(2);
        }
    };
    for file in ["presidio.jsonl", "gitleaks.jsonl"] {
        let mut r = conformance::score(&engine, &conformance::corpus_dir().join(file));
        if !only.is_empty() {
            r.by_type.retain(|k, _| only.contains(k));
        }
        println!("{}", r.table(file));
        if failures {
            for (id, what) in &r.failures {
                if only.is_empty()
                    || only
                        .iter()
                        .any(|t| what.contains(t.as_str()) || id.contains(t.as_str()))
                {
                    println!("  {id}: {what}");
                }
            }
        }
    }
}
