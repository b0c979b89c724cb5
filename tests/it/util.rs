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
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn redactd");
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
