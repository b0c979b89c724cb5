//! Subcommands, one file each: [`lines`] (`redact`, `scan`), [`daemon`]
//! (`run`), [`patterns`], [`check`] (`config check`), [`keys`],
//! [`reveal`]; `demo` is one call into the library. Each returns a
//! [`Failure`] that `main` maps to an exit code: 2 for usage and
//! configuration errors, 1 for runtime errors (a panic included).

mod check;
mod daemon;
mod keys;
mod lines;
mod patterns;
mod reveal;

use std::path::PathBuf;

use anyhow::anyhow;
use clap::{Args, Parser, Subcommand};
use redactd::config::Config;
use redactd::record::Format;
use redactd::sanitize::Sanitizer;

use lines::Mode;

/// The environment variable naming the config file when `--config` is not
/// given.
const CONFIG_ENV: &str = "REDACTD_CONFIG";

/// Streaming PII / PHI / secrets sanitizer for ML training data.
#[derive(Debug, Parser)]
#[command(name = "redactd", version, about)]
pub struct Cli {
    /// The config file (default: $REDACTD_CONFIG, else built-in defaults).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Sanitize records (one per line) from files or stdin to stdout.
    Redact {
        #[command(flatten)]
        lines: LineArgs,
        /// Where records the policy quarantines (and lines that cannot be
        /// parsed) go, whole, one a line; their stdout line is empty.
        /// Without it such a record is an error.
        #[arg(long, value_name = "FILE")]
        quarantine: Option<PathBuf>,
    },
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
    /// (`--config FILE`: its `kafka:` section says what to read and write.)
    Run,
    /// List or test the detectors of the loaded pattern packs.
    Patterns {
        #[command(subcommand)]
        cmd: PatternsCmd,
    },
    /// Check the config file.
    Config {
        #[command(subcommand)]
        cmd: ConfigCmd,
    },
    /// Create or rotate keysets.
    Keys {
        #[command(subcommand)]
        cmd: KeysCmd,
    },
    /// Decrypt enc:v1 tokens given as arguments, or inside records on stdin
    /// (rewritten with the plaintext in place). Audited.
    Reveal(RevealArgs),
    /// Zero-setup demo: an in-process Kafka mock cluster, sample records
    /// with planted PII and secrets, the real exactly-once pipeline,
    /// before/after pairs and a live summary; `/metrics` served meanwhile.
    /// (Built-in packs and the default policy; `--config` is not read.)
    Demo {
        /// Stop after this many records went through (Ctrl-C stops earlier).
        #[arg(long, default_value_t = 20_000)]
        records: u64,
        /// Where `/metrics`, `/healthz` and `/readyz` are served.
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:9464")]
        metrics_listen: String,
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

#[derive(Debug, Subcommand)]
enum ConfigCmd {
    /// Validate the config (packs, dictionaries, keys, policy) and print
    /// the effective policy.
    Check {
        #[command(flatten)]
        packs: PackArgs,
    },
}

#[derive(Debug, Subcommand)]
enum KeysCmd {
    /// Write a new keyset (mode 0600); refuses to overwrite.
    Generate {
        /// The new keyset file.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Add a new primary encryption key; old keys stay so old tokens still
    /// decrypt. The pseudonym (HMAC) key is kept.
    Rotate {
        /// The keyset file, rewritten atomically.
        file: PathBuf,
    },
}

#[derive(Debug, Args)]
struct RevealArgs {
    /// The keyset (default: keys.file of the config, else $REDACTD_KEYSET).
    #[arg(long, value_name = "FILE")]
    keys: Option<PathBuf>,
    /// Append the audit line here (default: keys.audit_log of the config).
    #[arg(long, value_name = "FILE")]
    audit_log: Option<PathBuf>,
    /// Run without an audit line (must be explicit).
    #[arg(long, conflicts_with = "audit_log")]
    no_audit: bool,
    #[command(flatten)]
    packs: PackArgs,
    /// Tokens to decrypt, one plaintext a line (default: records on stdin).
    tokens: Vec<String>,
}

#[derive(Debug, Default, Args)]
struct PackArgs {
    /// Extra pattern pack files or folders (repeatable).
    #[arg(long = "pack", value_name = "FILE")]
    packs: Vec<PathBuf>,
    /// Leave out the built-in packs.
    #[arg(long)]
    no_builtin: bool,
    /// Drop findings scoring under this (0..=1; default: the config's
    /// detection.min_score, 0.5).
    #[arg(long)]
    min_score: Option<f32>,
}

#[derive(Debug, Args)]
struct LineArgs {
    #[command(flatten)]
    packs: PackArgs,
    /// How to read each line: auto (JSON if it parses, else text; HL7 v2
    /// is recognised by its MSH header), json, text, hl7 (default: the
    /// config's record.format, auto).
    #[arg(long)]
    format: Option<Format>,
    /// Largest line accepted; a longer one is an error naming the line
    /// (default: record.max_record_bytes with a config, else 64 MiB).
    #[arg(long)]
    max_record_bytes: Option<usize>,
    /// Deepest JSON nesting accepted (default: record.max_depth, 512).
    #[arg(long)]
    max_depth: Option<usize>,
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

fn usage(e: impl Into<anyhow::Error>) -> Failure {
    Failure::Usage(e.into())
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let config = cli.config;
    match cli.cmd {
        Command::Redact {
            lines: args,
            quarantine,
        } => lines::run(config, &args, Mode::Redact { quarantine }),
        Command::Scan {
            lines: args,
            show_values,
        } => lines::run(config, &args, Mode::Scan { show_values }),
        Command::Run => daemon::run(config),
        Command::Patterns {
            cmd: PatternsCmd::List { packs, json },
        } => patterns::list(&load_config(config, &packs)?, json),
        Command::Patterns {
            cmd: PatternsCmd::Test { packs, names },
        } => patterns::test(&load_config(config, &packs)?, &names),
        Command::Config {
            cmd: ConfigCmd::Check { packs },
        } => check::run(&load_config(config, &packs)?),
        Command::Keys {
            cmd: KeysCmd::Generate { out },
        } => keys::generate(&out),
        Command::Keys {
            cmd: KeysCmd::Rotate { file },
        } => keys::rotate(&file),
        Command::Demo { .. } if config.is_some() => Err(usage(anyhow!(
            "demo uses the built-in packs and default policy and does not read --config"
        ))),
        Command::Demo {
            records,
            metrics_listen,
        } => redactd::demo::run_until_signal(records, metrics_listen).map_err(runtime),
        Command::Reveal(args) => {
            let cfg = load_config(config, &args.packs)?;
            reveal::run(&cfg, &args)
        }
    }
}

/// The config file named by `--config`, else `$REDACTD_CONFIG`, for
/// messages.
fn shown_config(file: Option<&PathBuf>) -> String {
    file.cloned()
        .or_else(|| std::env::var_os(CONFIG_ENV).map(PathBuf::from))
        .map_or_else(|| "(no config)".to_string(), |f| f.display().to_string())
}

/// The config of this run: `--config`, else `$REDACTD_CONFIG`, else the
/// defaults; `REDACTD_*` overrides, then the command-line flags on top.
fn load_config(file: Option<PathBuf>, p: &PackArgs) -> Result<Config, Failure> {
    let file = file.or_else(|| std::env::var_os(CONFIG_ENV).map(PathBuf::from));
    let mut cfg = match &file {
        Some(f) => Config::load(f),
        None => Config::from_env(),
    }
    .map_err(usage)?;
    if p.no_builtin {
        cfg.detection.packs.retain(|x| x != "builtin");
    }
    for pack in &p.packs {
        // Flags are relative to the working directory, not the config.
        let abs = std::path::absolute(pack).unwrap_or_else(|_| pack.clone());
        cfg.detection.packs.push(abs.display().to_string());
    }
    if let Some(m) = p.min_score {
        if !(0.0..=1.0).contains(&m) {
            return Err(usage(anyhow!("--min-score {m} is outside 0..=1")));
        }
        cfg.detection.min_score = m;
    }
    Ok(cfg)
}

fn sanitizer(cfg: &Config) -> Result<Sanitizer, Failure> {
    let s = Sanitizer::from_config(cfg).map_err(usage)?;
    for w in s.warnings() {
        eprintln!("redactd: warning: {w}");
    }
    Ok(s)
}

/// A closed stdout (`| head`) ends the run quietly.
fn broken_pipe_ok(e: std::io::Error) -> Result<(), Failure> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(runtime(anyhow!("cannot write output: {e}")))
    }
}
