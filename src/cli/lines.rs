//! `redactd redact` and `redactd scan`: records one a line, from files or
//! stdin, through [`Sanitizer::process`] (redact) or
//! [`Sanitizer::inspect`] (scan): the daemon's record path, without Kafka.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use anyhow::{anyhow, Context};
use redactd::detect::Finding;
use redactd::record::{Edit, Limits, Record};
use redactd::sanitize::{Class, Input, Outcome, Sanitizer, Workspace};

use super::{broken_pipe_ok, load_config, runtime, sanitizer, Failure, LineArgs, CONFIG_ENV};

/// Line limit of `redact`/`scan` without a config: command-line input is
/// often a whole file of large records.
const CLI_MAX_RECORD_BYTES: usize = 64 << 20;

/// Which command.
#[derive(Debug)]
pub(super) enum Mode {
    /// Sanitize to stdout; quarantined lines to the file, if given.
    Redact { quarantine: Option<PathBuf> },
    /// Report findings, one JSON object a line.
    Scan { show_values: bool },
}

/// The quarantine file, opened on first use.
struct Quarantine {
    path: Option<PathBuf>,
    file: Option<BufWriter<File>>,
    count: usize,
}

impl Quarantine {
    /// Quarantines `line`; without a quarantine file that is an error
    /// saying `why`.
    fn put(&mut self, line: &[u8], why: impl FnOnce() -> String) -> Result<(), Failure> {
        if self.path.is_none() {
            return Err(runtime(anyhow!(
                "{}; give --quarantine FILE to send such records there",
                why()
            )));
        }
        self.write(line)?;
        self.write(b"\n")?;
        self.count += 1;
        Ok(())
    }

    /// Quarantines a line longer than the limit: `head`, then the rest of
    /// the line from `rest`, streamed in bounded pieces (it may be far
    /// larger than memory should hold).
    fn put_long(&mut self, head: &[u8], rest: &mut impl BufRead) -> Result<(), Failure> {
        self.write(head)?;
        let mut piece = Vec::new();
        loop {
            piece.clear();
            let n = rest
                .by_ref()
                .take(1 << 20)
                .read_until(b'\n', &mut piece)
                .context("read failed in an over-long line")
                .map_err(runtime)?;
            let done = n == 0 || piece.last() == Some(&b'\n');
            if piece.last() == Some(&b'\n') {
                piece.pop();
            }
            self.write(&piece)?;
            if done {
                break;
            }
        }
        self.write(b"\n")?;
        self.count += 1;
        Ok(())
    }

    /// Appends bytes to the quarantine file, opening it (mode 0600) first.
    fn write(&mut self, bytes: &[u8]) -> Result<(), Failure> {
        let Some(path) = &self.path else {
            return Err(runtime(anyhow!("no quarantine file")));
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
            f.write_all(bytes)
                .with_context(|| format!("{}: cannot write", path.display()))
                .map_err(runtime)?;
        }
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

pub(super) fn run(config: Option<PathBuf>, args: &LineArgs, mode: Mode) -> Result<(), Failure> {
    let from_config = config.is_some()
        || std::env::var_os(CONFIG_ENV).is_some()
        || std::env::var_os("REDACTD_RECORD_MAX_RECORD_BYTES").is_some();
    let cfg = load_config(config, &args.packs)?;
    let base = sanitizer(&cfg)?;
    let limits = Limits {
        max_record_bytes: args.max_record_bytes.unwrap_or(if from_config {
            base.limits().max_record_bytes
        } else {
            CLI_MAX_RECORD_BYTES
        }),
        max_depth: args.max_depth.unwrap_or(base.limits().max_depth),
    };
    let format = args.format.unwrap_or(base.format());
    // Lines go to files, not to a producer: no output size limit.
    let sanitizer = base
        .with_record(format, limits)
        .with_max_output_bytes(usize::MAX);
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
                let why = format!(
                    "{name}:{file_line}: line is over --max-record-bytes ({}) (class too_large)",
                    limits.max_record_bytes
                );
                if matches!(mode, Mode::Redact { .. }) && quarantine.path.is_some() {
                    // The whole line goes to quarantine, streamed: it may be
                    // far larger than the limit.
                    eprintln!("redactd: {why}; quarantined");
                    quarantine.put_long(&buf, &mut reader)?;
                    if let Err(e) = out.write_all(b"\n") {
                        return broken_pipe_ok(e);
                    }
                    continue;
                }
                out.flush().ok();
                return Err(runtime(anyhow!("{why}")));
            }
            wbuf.clear();
            let at = || format!("{name}:{file_line}");
            match mode {
                Mode::Redact { .. } => {
                    redact_line(&sanitizer, &buf, &mut ws, &mut quarantine, &at, &mut wbuf)
                        .inspect_err(|_| {
                            out.flush().ok();
                        })?
                }
                Mode::Scan { show_values } => {
                    scan_line(&sanitizer, &buf, line_no, show_values, &mut ws, &mut wbuf).map_err(
                        |why| {
                            out.flush().ok();
                            runtime(anyhow!("{}: {why}", at()))
                        },
                    )?
                }
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

/// One line through the record path: the sanitized record into `out`, or
/// the line, whole, to the quarantine file (its stdout line stays empty).
fn redact_line(
    sanitizer: &Sanitizer,
    line: &[u8],
    ws: &mut Workspace,
    quarantine: &mut Quarantine,
    at: &dyn Fn() -> String,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    match sanitizer.process(&Input::value(line), ws) {
        Outcome::Curated(c) => {
            out.extend_from_slice(c.value.as_deref().unwrap_or_default());
            Ok(())
        }
        Outcome::Quarantine(q) => {
            let why = || match (&q.error, q.class) {
                (Some(e), class) => format!("{}: {e} (class {class})", at()),
                (None, Class::Policy) => {
                    let engine = sanitizer.engine();
                    let types: BTreeSet<&str> = q
                        .applied
                        .iter()
                        .map(|a| engine.entity_name(a.entity))
                        .collect();
                    format!(
                        "{}: the policy quarantines this record ({})",
                        at(),
                        types.into_iter().collect::<Vec<_>>().join(", ")
                    )
                }
                (None, class) => format!("{}: {} (class {class})", at(), class.describe()),
            };
            if quarantine.path.is_some() {
                if q.error.is_some() || q.class != Class::Policy {
                    eprintln!("redactd: {}; quarantined", why());
                }
                quarantine.put(line, String::new)
            } else {
                quarantine.put(line, why)
            }
        }
    }
}

/// One line's findings as a JSON object into `out`; an error names what
/// kept the line from being scanned.
fn scan_line(
    sanitizer: &Sanitizer,
    raw: &[u8],
    line_no: usize,
    show_values: bool,
    ws: &mut Workspace,
    out: &mut Vec<u8>,
) -> Result<(), String> {
    let engine = sanitizer.engine();
    let mut findings = Vec::new();
    let mut found = |pointer: &str, fs: &[Finding]| {
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
    };
    let record = match sanitizer.inspect(&Input::value(raw), ws, &mut found) {
        Ok(r) => r,
        Err(class) => {
            // Name the fault as parsing does (offsets, never content).
            let detail = Record::parse(raw, sanitizer.format(), sanitizer.limits())
                .err()
                .map_or_else(|| class.to_string(), |e| e.to_string());
            return Err(detail);
        }
    };
    if show_values {
        let mut record = record;
        // Values are looked up again by pointer: the scan callback only
        // sees spans, by design.
        for o in &mut findings {
            let (s, e) = (
                o["start"].as_u64().unwrap_or(0) as usize,
                o["end"].as_u64().unwrap_or(0) as usize,
            );
            let value = match &mut record {
                Some(Record::Text(_)) | None => raw.get(s..e).map(<[u8]>::to_vec),
                Some(r) => leaf_text(r, o["path"].as_str().unwrap_or(""))
                    .and_then(|t| t.get(s..e).map(<[u8]>::to_vec)),
            };
            let value = value.map(|v| String::from_utf8_lossy(&v).into_owned());
            o.insert("value".into(), value.unwrap_or_default().into());
        }
    }
    let line = serde_json::json!({"line": line_no, "findings": findings});
    // Serialising a Value to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, &line);
    Ok(())
}

fn leaf_text(record: &mut Record, pointer: &str) -> Option<Vec<u8>> {
    let mut found = None;
    record.edit_leaves(|ctx, text| {
        if found.is_none() && ctx.pointer == pointer {
            found = Some(text.to_vec());
        }
        Edit::Keep
    });
    found
}
