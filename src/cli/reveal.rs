//! `redactd reveal`: decrypt `enc:v1` tokens (arguments, or inside records
//! on stdin), with an audit line per run.

use std::collections::BTreeSet;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::os::unix::fs::OpenOptionsExt;

use anyhow::{anyhow, Context};
use redactd::config::{check, Config};
use redactd::detect::Engine;
use redactd::keys::{reveal_text, Keyset, KEYSET_ENV};

use super::{broken_pipe_ok, runtime, usage, Failure, RevealArgs};

/// What a `reveal` run did, for its audit line.
#[derive(Default)]
struct Revealed {
    tokens: usize,
    key_ids: BTreeSet<String>,
}

pub(super) fn run(cfg: &Config, args: &RevealArgs) -> Result<(), Failure> {
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
    let engine = check::engine(cfg, false).map_err(usage)?;
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
