//! Subcommands. Each returns a [`Failure`] that `main` maps to an exit
//! code: 2 for usage and configuration errors, 1 for runtime errors.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use clap::{Args, Parser, Subcommand};
use redactd::admin::AdminServer;
use redactd::config::Config;
use redactd::detect::Engine;
use redactd::keys::{reveal_text, Keyset, KEYSET_ENV};
use redactd::record::{Format, Limits, Record, RecordError};
use redactd::sanitize::{build_engine, Sanitizer, Workspace};

/// The environment variable naming the config file when `--config` is not
/// given.
const CONFIG_ENV: &str = "REDACTD_CONFIG";

/// Line limit of `redact`/`scan` without a config: command-line input is
/// often a whole file of large records.
const CLI_MAX_RECORD_BYTES: usize = 64 << 20;

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

#[derive(Debug, Args)]
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
        } => lines(config, &args, Mode::Redact { quarantine }),
        Command::Scan {
            lines: args,
            show_values,
        } => lines(config, &args, Mode::Scan { show_values }),
        Command::Run => run_daemon(config),
        Command::Patterns {
            cmd: PatternsCmd::List { packs, json },
        } => list(&load_config(config, &packs)?, json),
        Command::Patterns {
            cmd: PatternsCmd::Test { packs, names },
        } => test(&load_config(config, &packs)?, &names),
        Command::Config {
            cmd: ConfigCmd::Check { packs },
        } => check(&load_config(config, &packs)?),
        Command::Keys {
            cmd: KeysCmd::Generate { out },
        } => keys_generate(&out),
        Command::Keys {
            cmd: KeysCmd::Rotate { file },
        } => keys_rotate(&file),
        Command::Demo { .. } if config.is_some() => Err(usage(anyhow!(
            "demo uses the built-in packs and default policy and does not read --config"
        ))),
        Command::Demo {
            records,
            metrics_listen,
        } => redactd::demo::run_until_signal(records, metrics_listen).map_err(runtime),
        Command::Reveal(args) => {
            let cfg = load_config(config, &args.packs)?;
            reveal(&cfg, &args)
        }
    }
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

/// `redactd run`: config and pack errors exit 2, Kafka failures exit 1.
fn run_daemon(file: Option<PathBuf>) -> Result<(), Failure> {
    use redactd::pipeline::{self, PipelineError};
    let shown = file
        .clone()
        .or_else(|| std::env::var_os(CONFIG_ENV).map(PathBuf::from))
        .map_or_else(|| "(no config)".to_string(), |f| f.display().to_string());
    let no_flags = PackArgs {
        packs: Vec::new(),
        no_builtin: false,
        min_score: None,
    };
    let cfg = load_config(file, &no_flags)?;
    let failure = |e: PipelineError| match e {
        PipelineError::Config(_) => Failure::Usage(anyhow!("{shown}: {e}")),
        e => Failure::Runtime(e.into()),
    };
    pipeline::validate(&cfg.kafka).map_err(failure)?;
    // The admin port answers (/healthz 200, /readyz 503) before the packs
    // compile and the clients connect; a port taken is a usage error
    // naming metrics.listen.
    let observer = pipeline::Observer::new();
    let admin = AdminServer::start(
        &cfg.metrics.listen,
        observer.metrics.clone(),
        observer.readiness.clone(),
    )
    .map_err(|e| Failure::Usage(anyhow!("{shown}: {e}")))?;
    eprintln!("redactd: metrics on http://{}/metrics", admin.local_addr());
    let r = pipeline::router_from_config(&cfg)
        .and_then(|router| pipeline::run_until_signal(cfg, router, observer))
        .map(|_| ())
        .map_err(failure);
    admin.stop();
    r
}

#[derive(Debug)]
enum Mode {
    Redact { quarantine: Option<PathBuf> },
    Scan { show_values: bool },
}

/// The quarantine file, opened on first use.
struct Quarantine {
    path: Option<PathBuf>,
    file: Option<BufWriter<File>>,
    count: usize,
}

impl Quarantine {
    fn put(&mut self, line: &[u8], why: impl FnOnce() -> String) -> Result<(), Failure> {
        let Some(path) = &self.path else {
            return Err(runtime(anyhow!(
                "{}; give --quarantine FILE to send such records there",
                why()
            )));
        };
        if self.file.is_none() {
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("{}: cannot open quarantine file", path.display()))
                .map_err(runtime)?;
            self.file = Some(BufWriter::new(f));
        }
        if let Some(f) = &mut self.file {
            f.write_all(line)
                .and_then(|()| f.write_all(b"\n"))
                .with_context(|| format!("{}: cannot write", path.display()))
                .map_err(runtime)?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), Failure> {
        if let (Some(f), Some(path)) = (&mut self.file, &self.path) {
            f.flush()
                .with_context(|| format!("{}: cannot write", path.display()))
                .map_err(runtime)?;
            eprintln!(
                "redactd: {} record(s) quarantined to {}",
                self.count,
                path.display()
            );
        }
        Ok(())
    }
}

fn lines(config: Option<PathBuf>, args: &LineArgs, mode: Mode) -> Result<(), Failure> {
    let from_config = config.is_some()
        || std::env::var_os(CONFIG_ENV).is_some()
        || std::env::var_os("REDACTD_RECORD_MAX_RECORD_BYTES").is_some();
    let cfg = load_config(config, &args.packs)?;
    let sanitizer = sanitizer(&cfg)?;
    let format = match args.format {
        Some(f) => f,
        None => cfg
            .record
            .format
            .parse()
            .map_err(|e: String| usage(anyhow!(e)))?,
    };
    let limits = Limits {
        max_record_bytes: args.max_record_bytes.unwrap_or(if from_config {
            cfg.record.max_record_bytes
        } else {
            CLI_MAX_RECORD_BYTES
        }),
        max_depth: args.max_depth.unwrap_or(cfg.record.max_depth),
    };
    let mut quarantine = Quarantine {
        path: match &mode {
            Mode::Redact { quarantine } => quarantine.clone(),
            Mode::Scan { .. } => None,
        },
        file: None,
        count: 0,
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
                File::open(p)
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
            wbuf.clear();
            let mut record = match Record::parse(&buf, format, limits) {
                Ok(r) => r,
                Err(e) if matches!(mode, Mode::Redact { .. }) && quarantine.path.is_some() => {
                    let e: RecordError = e;
                    eprintln!("redactd: {name}:{file_line}: {e}; quarantined");
                    quarantine.put(&buf, String::new)?;
                    wbuf.push(b'\n');
                    if let Err(e) = out.write_all(&wbuf) {
                        return broken_pipe_ok(e);
                    }
                    continue;
                }
                Err(e) => {
                    out.flush().ok();
                    return Err(runtime(anyhow!("{name}:{file_line}: {e}")));
                }
            };
            match mode {
                Mode::Redact { .. } => {
                    let report = sanitizer.sanitize(&mut record, &mut ws);
                    if report.quarantine {
                        let flush = out.flush();
                        quarantine.put(&buf, || {
                            let types: BTreeSet<&str> = report
                                .labels(&sanitizer)
                                .filter(|(_, a)| *a == "quarantine")
                                .map(|(t, _)| t)
                                .collect();
                            format!(
                                "{name}:{file_line}: the policy quarantines this record ({})",
                                types.into_iter().collect::<Vec<_>>().join(", ")
                            )
                        })?;
                        flush.or_else(broken_pipe_ok)?;
                    } else {
                        record.write(&mut wbuf);
                    }
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
    out.flush().or_else(broken_pipe_ok)?;
    quarantine.finish()
}

/// `config check`: everything `redact` would build, then the effective
/// policy.
fn check(cfg: &Config) -> Result<(), Failure> {
    let s = sanitizer(cfg)?;
    let engine = s.engine();
    let mut o = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(o, "config: {}", cfg.origin());
    let _ = writeln!(o, "policy_id: {}", s.policy_id());
    let packs: BTreeSet<&str> = engine.packs().iter().map(|p| p.name.as_str()).collect();
    let _ = writeln!(
        o,
        "detectors: {} in {} packs ({})",
        engine.detectors().len(),
        engine.packs().len(),
        packs.into_iter().collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(o, "min_score: {}", engine.min_score());
    for (id, terms) in engine.dictionary_terms() {
        let _ = writeln!(o, "dictionary: {id} ({terms} terms)");
    }
    match s.policy().keys() {
        Some(k) => {
            let _ = writeln!(
                o,
                "keys: primary {}, keys [{}], hmac {}",
                k.primary_id(),
                k.key_ids().collect::<Vec<_>>().join(", "),
                k.hmac_id()
            );
        }
        None => o.push_str("keys: none\n"),
    }
    o.push_str(s.policy().description());
    print!("{o}");
    Ok(())
}

fn keys_generate(out: &Path) -> Result<(), Failure> {
    let k = Keyset::try_generate().map_err(runtime)?;
    k.write_new(out).map_err(runtime)?;
    eprintln!(
        "redactd: wrote keyset {} (mode 0600; primary {}, hmac {})",
        out.display(),
        k.primary_id(),
        k.hmac_id()
    );
    Ok(())
}

fn keys_rotate(file: &Path) -> Result<(), Failure> {
    let (mut k, warnings) = Keyset::load(file).map_err(usage)?;
    for w in warnings {
        eprintln!("redactd: warning: {w}");
    }
    let id = k.try_rotate().map_err(runtime)?.to_string();
    k.write(file, true).map_err(runtime)?;
    eprintln!(
        "redactd: {}: new primary {id} (keys: {})",
        file.display(),
        k.key_ids().collect::<Vec<_>>().join(", ")
    );
    Ok(())
}

/// What a `reveal` run did, for its audit line.
#[derive(Default)]
struct Revealed {
    tokens: usize,
    key_ids: BTreeSet<String>,
}

fn reveal(cfg: &Config, args: &RevealArgs) -> Result<(), Failure> {
    let keys_file = args
        .keys
        .clone()
        .or_else(|| cfg.keys.file.as_ref().map(|f| cfg.resolve(f)));
    let (keys, warnings) = Keyset::load_from(keys_file.as_deref())
        .map_err(usage)?
        .ok_or_else(|| {
            usage(anyhow!(
                "no keyset: give --keys FILE, set keys.file in the config or {KEYSET_ENV}"
            ))
        })?;
    for w in warnings {
        eprintln!("redactd: warning: {w}");
    }
    let audit_path = args
        .audit_log
        .clone()
        .or_else(|| cfg.keys.audit_log.as_ref().map(|f| cfg.resolve(f)));
    let mut audit = match (&audit_path, args.no_audit) {
        (_, true) => None,
        (Some(p), false) => Some(
            OpenOptions::new()
                .create(true)
                .append(true)
                .mode(0o600)
                .open(p)
                .with_context(|| format!("{}: cannot open audit log", p.display()))
                .map_err(usage)?,
        ),
        (None, false) => {
            return Err(usage(anyhow!(
                "refusing to reveal without an audit log: give --audit-log FILE, set \
                 keys.audit_log in the config, or pass --no-audit explicitly"
            )))
        }
    };
    let engine = build_engine(cfg, false).map_err(usage)?;
    let mut done = Revealed::default();
    let result = if args.tokens.is_empty() {
        reveal_records(&keys, &engine, &mut done)
    } else {
        reveal_args(&keys, &engine, &args.tokens, &mut done)
    };
    if let (Some(f), Some(p)) = (&mut audit, &audit_path) {
        let line = serde_json::json!({
            "time": redactd::keys::now_rfc3339(),
            "command": "reveal",
            "user": os_user(),
            "uid": os_uid(),
            "key_ids": done.key_ids.iter().collect::<Vec<_>>(),
            "tokens": done.tokens,
            "outcome": if result.is_ok() { "ok" } else { "error" },
        });
        writeln!(f, "{line}")
            .and_then(|()| f.sync_all())
            .with_context(|| format!("{}: cannot write audit log", p.display()))
            .map_err(runtime)?;
    }
    result
}

/// Candidate entity types of a token (its associated data): every type
/// the configured packs and dictionaries report.
fn entity_names(engine: &Engine) -> Vec<&str> {
    engine.entity_names().collect()
}

fn reveal_args(
    keys: &Keyset,
    engine: &Engine,
    tokens: &[String],
    done: &mut Revealed,
) -> Result<(), Failure> {
    let names = entity_names(engine);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (i, t) in tokens.iter().enumerate() {
        let r = keys
            .decrypt(t.trim(), &names)
            .map_err(|e| runtime(anyhow!("argument {}: {e}", i + 1)))?;
        done.tokens += 1;
        done.key_ids.insert(r.key_id.clone());
        if let Err(e) = out
            .write_all(&r.plaintext)
            .and_then(|()| out.write_all(b"\n"))
        {
            return broken_pipe_ok(e);
        }
    }
    out.flush().or_else(broken_pipe_ok)
}

/// Rewrites stdin records with each token replaced by its plaintext (JSON
/// escaped when the line is JSON). A line is written only once all of its
/// tokens decrypted; the first bad token stops the run naming its line and
/// byte offset.
fn reveal_records(keys: &Keyset, engine: &Engine, done: &mut Revealed) -> Result<(), Failure> {
    let names = entity_names(engine);
    let stdin = std::io::stdin();
    let mut reader = BufReader::with_capacity(1 << 16, stdin.lock());
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut buf = Vec::new();
    let mut wbuf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .with_context(|| format!("<stdin>: read failed after line {line_no}"))
            .map_err(runtime)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let nl = buf.last() == Some(&b'\n');
        if nl {
            buf.pop();
        }
        // The arena parser has no recursion limit to trip over: any JSON
        // line, however deep, gets its plaintexts escaped.
        let json = redactd::record::Doc::parse(&buf, usize::MAX).is_ok();
        wbuf.clear();
        let ids = reveal_text(keys, &buf, json, &names, &mut wbuf).map_err(|(at, err)| {
            out.flush().ok();
            runtime(anyhow!("<stdin>:{line_no}: byte {at}: {err}"))
        })?;
        done.tokens += ids.len();
        done.key_ids.extend(ids);
        if nl {
            wbuf.push(b'\n');
        }
        if let Err(e) = out.write_all(&wbuf) {
            return broken_pipe_ok(e);
        }
    }
    out.flush().or_else(broken_pipe_ok)
}

/// The OS user name, as the environment gives it.
fn os_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into())
}

/// The real uid, from /proc (no libc call in safe Rust).
fn os_uid() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
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

fn list(cfg: &Config, json: bool) -> Result<(), Failure> {
    let engine = build_engine(cfg, false).map_err(usage)?;
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

fn test(cfg: &Config, names: &[String]) -> Result<(), Failure> {
    let engine = build_engine(cfg, false).map_err(usage)?;
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
