//! `redactd patterns list|test`: the detectors of the loaded packs, and
//! their own examples.

use std::io::{BufWriter, Write};

use anyhow::anyhow;
use redactd::config::{check, Config};

use super::{broken_pipe_ok, runtime, usage, Failure};

pub(super) fn list(cfg: &Config, json: bool) -> Result<(), Failure> {
    let engine = check::engine(cfg, false).map_err(usage)?;
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for d in engine.detectors() {
        let ty = engine.entity_name(d.entity());
        let pack = &engine.pack_of(d).name;
        let r = if json {
            writeln!(
                out,
                "{}",
                serde_json::json!({"id": d.id(), "type": ty, "pack": pack})
            )
        } else {
            writeln!(out, "{}\t{}\t{}", d.id(), ty, pack)
        };
        r.or_else(broken_pipe_ok)?;
    }
    out.flush().or_else(broken_pipe_ok)
}

pub(super) fn test(cfg: &Config, names: &[String]) -> Result<(), Failure> {
    let engine = check::engine(cfg, false).map_err(usage)?;
    for n in names {
        if !engine.packs().iter().any(|pk| &pk.name == n) {
            return Err(Failure::Usage(anyhow!("unknown pack {n:?}")));
        }
    }
    let chosen = |pack: &str| names.is_empty() || names.iter().any(|n| n == pack);
    let failures: Vec<_> = engine
        .test_examples()
        .into_iter()
        .filter(|f| chosen(&engine.packs()[f.pack].name))
        .collect();
    let (mut detectors, mut examples) = (0, 0);
    for d in engine.detectors() {
        if chosen(&engine.pack_of(d).name) {
            detectors += 1;
            examples += d.example_count();
        }
    }
    for f in &failures {
        println!(
            "FAIL {}: detector `{}`: {}",
            engine.packs()[f.pack].file,
            f.detector,
            f.reason
        );
    }
    println!(
        "{detectors} detectors, {examples} examples, {} failures",
        failures.len()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(runtime(anyhow!(
            "{} detector examples failed",
            failures.len()
        )))
    }
}
