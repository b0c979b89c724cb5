//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The `redactd` binary under test.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_redactd"))
}

/// Runs `redactd ARGS` with `stdin` and returns its output.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    run_env(args, stdin, &[])
}

/// Stdout split into lines (without the newline).
pub fn lines(out: &Output) -> Vec<&[u8]> {
    let s = out.stdout.strip_suffix(b"\n").unwrap_or(&out.stdout);
    if out.stdout.is_empty() {
        return Vec::new();
    }
    s.split(|&b| b == b'\n').collect()
}

/// Stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// True when `needle` occurs in `hay`.
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(hay, needle).is_some()
}

/// A plain HTTP/1.0 GET of `url` (`http://host:port/path?query`, query
/// already percent-encoded): (status, body). Std only, for the admin server
/// and Prometheus' API on 127.0.0.1.
pub fn http_get(url: &str) -> std::io::Result<(u16, String)> {
    use std::io::Read;
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| std::io::Error::other(format!("not an http URL: {url}")))?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut s = std::net::TcpStream::connect(host)?;
    let timeout = Some(std::time::Duration::from_secs(10));
    s.set_read_timeout(timeout)?;
    s.set_write_timeout(timeout)?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n")?;
    let mut out = Vec::new();
    s.read_to_end(&mut out)?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP head"))?;
    let status = head
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line: {head}")))?;
    Ok((status, body.to_string()))
}

/// Percent-encodes a query parameter value.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Runs `redactd ARGS` with `stdin` and extra environment variables.
pub fn run_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut cmd = bin();
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn redactd");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    // Write from a thread so a large input cannot deadlock against output.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait redactd");
    writer.join().expect("writer thread");
    out
}

/// A fixed test keyset made from fixed bytes (never a pasted file):
/// encryption key `k1` = bytes `seed, seed+1, …`, HMAC key `h1` = bytes
/// `seed+100, …`. Different seeds give different keysets.
pub fn keyset_json(seed: u8) -> String {
    use base64::Engine as _;
    let b64 = |start: u8| {
        let bytes: Vec<u8> = (0..32u8).map(|i| start.wrapping_add(i)).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    };
    serde_json::json!({
        "version": 1,
        "primary": "k1",
        "keys": {"k1": {"algorithm": "aes-256-gcm", "material": b64(seed)}},
        "hmac": {"id": "h1", "algorithm": "hmac-sha256", "material": b64(seed.wrapping_add(100))},
    })
    .to_string()
}

/// Writes `keyset_json(seed)` to `dir/name` with mode 0600.
pub fn write_keyset(dir: &std::path::Path, name: &str, seed: u8) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let p = dir.join(name);
    std::fs::write(&p, keyset_json(seed)).expect("write keyset");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    p
}
