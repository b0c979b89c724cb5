//! Subcommands. Each returns a [`Failure`] that `main` maps to an exit
//! code: 2 for usage and configuration errors, 1 for runtime errors.

use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{anyhow, Context};
use clap::{Args, Parser, Subcommand};
use redactd::detect::{Engine, EngineBuilder};
use redactd::policy::Policy;
use redactd::record::{Format, Limits, Record, RecordError, DEFAULT_MAX_DEPTH};
use redactd::sanitize::{Sanitizer, Workspace};

/// Streaming PII / PHI / secrets sanitizer for ML training data.
#[derive(Debug, Parser)]
#[command(name = "redactd", version, about)]
pub struct Cli {
    #[command(subcommand)]
    cmd: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sanitize records (one per line) from files or stdin to stdout.
    Redact(LineArgs),
    /// Report findings (one JSON object per input line) without changing anything.
    Scan {
        #[command(flatten)]
        lines: LineArgs,
        /// Include the matched values in the output (off by default: scan
        /// output is often shared).
        #[arg(long)]
        show_values: bool,
    },
    /// The daemon: consume the raw topics, sanitize, produce to the curated
    /// topics (exactly once by default) until SIGTERM/SIGINT.
    Run {
        /// The config file (the `kafka:` section says what to read and write).
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
    },
    /// List or test the detectors of the loaded pattern packs.
    Patterns {
        #[command(subcommand)]
        cmd: PatternsCmd,
    },
}

#[derive(Debug, Subcommand)]
enum PatternsCmd {
    /// One detector a line: id, type, pack.
    List {
        #[command(flatten)]
        packs: PackArgs,
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Run every detector's own examples; exit 1 on any failure.
    Test {
        #[command(flatten)]
        packs: PackArgs,
        /// Only the packs with these names (default: all).
        names: Vec<String>,
    },
}

#[derive(Debug, Args)]
struct PackArgs {
    /// Extra pattern pack files or folders (repeatable).
    #[arg(long = "pack", value_name = "FILE")]
    packs: Vec<PathBuf>,
    /// Leave out the built-in packs.
    #[arg(long)]
    no_builtin: bool,
    /// Drop findings scoring under this (0..=1).
    #[arg(long, default_value_t = redactd::detect::DEFAULT_MIN_SCORE)]
    min_score: f32,
}

#[derive(Debug, Args)]
struct LineArgs {
    #[command(flatten)]
    packs: PackArgs,
    /// How to read each line: auto (JSON if it parses, else text), json, text.
    #[arg(long, default_value = "auto")]
    format: Format,
    /// Largest line accepted; a longer one is an error naming the line.
    #[arg(long, default_value_t = 64 << 20)]
    max_record_bytes: usize,
    /// Deepest JSON nesting accepted.
    #[arg(long, default_value_t = DEFAULT_MAX_DEPTH)]
    max_depth: usize,
    /// Input files (default: stdin).
    files: Vec<PathBuf>,
}

/// How a command failed.
#[derive(Debug)]
pub enum Failure {
    /// Bad usage or configuration: exit 2.
    Usage(anyhow::Error),
    /// Runtime error: exit 1.
    Runtime(anyhow::Error),
}

fn runtime(e: impl Into<anyhow::Error>) -> Failure {
    Failure::Runtime(e.into())
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    match cli.cmd {
        Command::Redact(args) => lines(&args, Mode::Redact),
        Command::Scan {
            lines: args,
            show_values,
        } => lines(&args, Mode::Scan { show_values }),
        Command::Run { config } => run_daemon(&config),
        Command::Patterns {
            cmd: PatternsCmd::List { packs, json },
        } => list(&packs, json),
        Command::Patterns {
            cmd: PatternsCmd::Test { packs, names },
        } => test(&packs, &names),
    }
}

/// `redactd run`: config and pack errors exit 2, Kafka failures exit 1.
fn run_daemon(file: &std::path::Path) -> Result<(), Failure> {
    use redactd::pipeline::{self, PipelineError};
    let cfg = redactd::config::Config::load(file).map_err(|e| Failure::Usage(e.into()))?;
    pipeline::validate(&cfg.kafka)
        .and_then(|()| pipeline::router_from_config(&cfg))
        .and_then(|router| pipeline::run_until_signal(cfg, router))
        .map(|_| ())
        .map_err(|e| match e {
            PipelineError::Config(_) => Failure::Usage(anyhow!("{}: {e}", file.display())),
            e => Failure::Runtime(e.into()),
        })
}

fn engine(p: &PackArgs, check_examples: bool) -> Result<Engine, Failure> {
    let mut b = EngineBuilder::new()
        .builtin(!p.no_builtin)
        .check_examples(check_examples);
    for path in &p.packs {
        b = b.pack_path(path).map_err(|e| Failure::Usage(e.into()))?;
    }
    b.build().map_err(|e| Failure::Usage(e.into()))
}

#[derive(Debug, Clone, Copy)]
enum Mode {
    Redact,
    Scan { show_values: bool },
}

fn lines(args: &LineArgs, mode: Mode) -> Result<(), Failure> {
    let engine = Arc::new(engine(&args.packs, true)?);
    let sanitizer = Sanitizer::new(engine, Policy::default());
    let limits = Limits {
        max_record_bytes: args.max_record_bytes,
        max_depth: args.max_depth,
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut ws = Workspace::default();
    let inputs: Vec<Option<PathBuf>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files.iter().cloned().map(Some).collect()
    };
    let mut line_no = 0usize;
    for input in inputs {
        let name = input
            .as_ref()
            .map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string());
        let reader: Box<dyn Read> = match &input {
            Some(p) => Box::new(
                std::fs::File::open(p)
                    .with_context(|| format!("{name}: cannot open"))
                    .map_err(runtime)?,
            ),
            None => Box::new(std::io::stdin()),
        };
        let mut reader = BufReader::with_capacity(1 << 16, reader);
        let mut buf = Vec::new();
        let mut file_line = 0usize;
        let mut wbuf = Vec::new();
        loop {
            buf.clear();
            let n = reader
                .by_ref()
                .take(limits.max_record_bytes as u64 + 2)
                .read_until(b'\n', &mut buf)
                .with_context(|| format!("{name}: read failed after line {file_line}"))
                .map_err(runtime)?;
            if n == 0 {
                break;
            }
            file_line += 1;
            line_no += 1;
            let complete = buf.last() == Some(&b'\n');
            if complete {
                buf.pop();
            } else if n as u64 == limits.max_record_bytes as u64 + 2 {
                out.flush().ok();
                return Err(runtime(anyhow!(
                    "{name}:{file_line}: line is over --max-record-bytes ({})",
                    limits.max_record_bytes
                )));
            }
            let mut record = Record::parse(&buf, args.format, limits)
                .map_err(|e: RecordError| anyhow!("{name}:{file_line}: {e}"))
                .map_err(|e| {
                    out.flush().ok();
                    runtime(e)
                })?;
            wbuf.clear();
            match mode {
                Mode::Redact => {
                    sanitizer.sanitize(&mut record, &mut ws);
                    record.write(&mut wbuf);
                }
                Mode::Scan { show_values } => scan_line(
                    &sanitizer,
                    &mut record,
                    &buf,
                    line_no,
                    show_values,
                    &mut ws,
                    &mut wbuf,
                ),
            }
            wbuf.push(b'\n');
            if let Err(e) = out.write_all(&wbuf) {
                return broken_pipe_ok(e);
            }
        }
    }
    out.flush().or_else(broken_pipe_ok)
}

/// A closed stdout (`| head`) ends the run quietly.
fn broken_pipe_ok(e: std::io::Error) -> Result<(), Failure> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(runtime(anyhow!("cannot write output: {e}")))
    }
}

fn scan_line(
    sanitizer: &Sanitizer,
    record: &mut Record,
    raw: &[u8],
    line_no: usize,
    show_values: bool,
    ws: &mut Workspace,
    out: &mut Vec<u8>,
) {
    let engine = sanitizer.engine();
    let mut findings = Vec::new();
    let is_text = matches!(record, Record::Text(_));
    let mut leaves: Vec<(String, Vec<u8>)> = Vec::new();
    sanitizer.scan(record, ws, |pointer, fs| {
        for f in fs {
            let mut o = serde_json::Map::new();
            o.insert("type".into(), engine.entity_name(f.entity).into());
            o.insert("path".into(), pointer.into());
            o.insert("start".into(), f.start.into());
            o.insert("end".into(), f.end.into());
            o.insert("detector".into(), engine.detector(f.detector).id().into());
            o.insert(
                "score".into(),
                serde_json::json!((f64::from(f.score) * 100.0).round() / 100.0),
            );
            findings.push(o);
        }
        if show_values {
            leaves.push((pointer.to_string(), Vec::new()));
        }
    });
    if show_values {
        // Values are looked up again by pointer: the scan callback only
        // sees spans, by design.
        for o in &mut findings {
            let (s, e) = (
                o["start"].as_u64().unwrap_or(0) as usize,
                o["end"].as_u64().unwrap_or(0) as usize,
            );
            let value = if is_text {
                raw.get(s..e)
                    .map(|v| String::from_utf8_lossy(v).into_owned())
            } else {
                leaf_text(record, o["path"].as_str().unwrap_or(""))
                    .and_then(|t| t.get(s..e).map(|v| String::from_utf8_lossy(v).into_owned()))
            };
            o.insert("value".into(), value.unwrap_or_default().into());
        }
    }
    let line = serde_json::json!({"line": line_no, "findings": findings});
    // Serialising a Value to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &line);
}

fn leaf_text(record: &mut Record, pointer: &str) -> Option<Vec<u8>> {
    let mut found = None;
    record.edit_leaves(|ctx, text| {
        if found.is_none() && ctx.pointer == pointer {
            found = Some(text.to_vec());
        }
        redactd::record::Edit::Keep
    });
    found
}

fn list(p: &PackArgs, json: bool) -> Result<(), Failure> {
    let engine = engine(p, false)?;
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

fn test(p: &PackArgs, names: &[String]) -> Result<(), Failure> {
    let engine = engine(p, false)?;
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
