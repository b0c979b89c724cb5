//! Writes the starting inputs of one fuzz target (`scripts/fuzz` runs it):
//!
//! ```text
//! seeds TARGET CORPUS_DIR REPO_DIR OUT_DIR
//! ```
//!
//! Records come from the shared conformance corpus (`CORPUS_DIR/*.jsonl`,
//! one labelled case a line: `text` and its `entities`), sampled evenly and
//! kept short, because AFL works best from small inputs. Config seeds come
//! from the repo's own config examples (`examples/*.yaml` and the YAML
//! blocks of `docs/configuration.md`).

use std::path::{Path, PathBuf};

use redactd_fuzz::checks::{self, ENTITIES, KEYSET_JSON};

/// At most this many seeds per corpus file.
const PER_FILE: usize = 40;
/// Seeds longer than this are skipped.
const MAX_SEED_BYTES: usize = 600;

struct Case {
    line: String,
    text: String,
    /// (start, end) byte spans of the labelled entities.
    spans: Vec<(usize, usize)>,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, target, corpus, repo, out] = &args[..] else {
        eprintln!("usage: seeds TARGET CORPUS_DIR REPO_DIR OUT_DIR");
        std::process::exit(2);
    };
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out).unwrap_or_else(|e| die(&out, e));
    let cases = read_corpus(Path::new(corpus));
    let seeds: Vec<Vec<u8>> = match target.as_str() {
        "json" => json_seeds(&cases),
        "token" => token_seeds(&cases),
        "config" => config_seeds(Path::new(repo)),
        "process" => process_seeds(&cases),
        _ => {
            eprintln!("seeds: unknown target {target:?} (json, token, config, process)");
            std::process::exit(2);
        }
    };
    // Config files are longer than records; they are kept whole.
    let max = if target == "config" {
        4096
    } else {
        MAX_SEED_BYTES
    };
    let mut n = 0;
    for s in seeds.iter().filter(|s| !s.is_empty() && s.len() <= max) {
        let p = out.join(format!("seed-{n:03}"));
        std::fs::write(&p, s).unwrap_or_else(|e| die(&p, e));
        n += 1;
    }
    println!("seeds: {n} {target} seeds in {}", out.display());
}

fn die(p: &Path, e: std::io::Error) -> ! {
    eprintln!("seeds: {}: {e}", p.display());
    std::process::exit(1);
}

/// An even sample of each `*.jsonl` file's cases whose line is short.
fn read_corpus(dir: &Path) -> Vec<Case> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        eprintln!(
            "seeds: {}: no corpus there; only the hand-written seeds",
            dir.display()
        );
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| die(&f, e));
        let short: Vec<&str> = text.lines().filter(|l| l.len() <= MAX_SEED_BYTES).collect();
        let step = (short.len() / PER_FILE).max(1);
        for line in short.iter().step_by(step).take(PER_FILE) {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            let Some(t) = v["text"].as_str() else {
                continue;
            };
            let spans = v["entities"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| Some((e["start"].as_u64()?, e["end"].as_u64()?)))
                .filter_map(|(s, e)| {
                    let (s, e) = (char_to_byte(t, s)?, char_to_byte(t, e)?);
                    (s < e).then_some((s, e))
                })
                .collect();
            cases.push(Case {
                line: line.to_string(),
                text: t.to_string(),
                spans,
            });
        }
    }
    cases
}

/// The byte offset of character `c` of `t` (corpus spans count
/// characters, as Python does).
fn char_to_byte(t: &str, c: u64) -> Option<usize> {
    let c = usize::try_from(c).ok()?;
    t.char_indices().map(|(i, _)| i).chain([t.len()]).nth(c)
}

fn json_seeds(cases: &[Case]) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = cases.iter().map(|c| c.line.clone().into_bytes()).collect();
    for c in cases.iter().step_by(4) {
        let msg = serde_json::Value::String(c.text.clone());
        v.push(
            format!(r#"{{"msg": {msg}, "n": [1, -0.5, 2E+10, 123456789012345678901], "ok": true, "x": null}}"#)
                .into_bytes(),
        );
    }
    for s in [
        r#"{"a":1,"a":2}"#,
        r#"[[[[{"k":[]}]]]]"#,
        r#""\u00e9\ud83d\ude00\n\"\\\/\b\f\r\t""#,
        "  -0.0e-7 ",
    ] {
        v.push(s.as_bytes().to_vec());
    }
    v
}

fn token_seeds(cases: &[Case]) -> Vec<Vec<u8>> {
    let keys = checks::keyset();
    let mut v = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        let flags = u8::try_from(i % 16).unwrap_or(0);
        let Some(&(s, e)) = c.spans.first() else {
            v.push(checks::token_input(flags, c.text.as_bytes(), b"", b""));
            continue;
        };
        let t = c.text.as_bytes();
        v.push(checks::token_input(flags, &t[..s], &t[s..e], &t[e..]));
        // The text with its value encrypted: valid tokens for the
        // arbitrary-text half of the check.
        if let Ok(token) = keys.encrypt(ENTITIES[i % ENTITIES.len()], &t[s..e], i % 2 == 0) {
            let mut seed = vec![flags];
            seed.extend_from_slice(&[&t[..s], token.as_bytes(), &t[e..]].concat());
            v.push(seed);
        }
    }
    v
}

fn config_seeds(repo: &Path) -> Vec<Vec<u8>> {
    // One small seed per section besides the examples below.
    let mut v: Vec<Vec<u8>> = [
        KEYSET_JSON,
        "policy:\n  default_action: hash\n\0REDACTD_POLICY_DEFAULT_ACTION={action: mask, keep_last: 2}\nREDACTD_RECORD_MAX_DEPTH=9\n",
        "record: {format: hl7, max_record_bytes: 4096, max_depth: 16}\nlog: {format: json}\n",
        "detection:\n  packs: [builtin]\n  min_score: 0.4\n  allow:\n    values: [support@example.com]\n    patterns: ['^TEST-[0-9]+$']\n",
        "policy:\n  template: '[{type}]'\n  keys: {action: encrypt, deterministic: true}\n  headers: drop\n  actions: {PERSON: surrogate, IBAN_CODE: {action: redact, template: '<IBAN>'}}\n",
        "keys: {file: keys.json, audit_log: audit.log}\nmetrics: {listen: '127.0.0.1:9464'}\nkafka: {brokers: 'a:9092', input_pattern: '^raw\\..*', producer: {message.max.bytes: '2000000'}}\n",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    let examples = repo.join("examples");
    if let Ok(dir) = std::fs::read_dir(&examples) {
        let mut files: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        files.sort();
        for f in files
            .iter()
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        {
            v.push(std::fs::read(f).unwrap_or_else(|e| die(f, e)));
        }
    }
    let doc = repo.join("docs/configuration.md");
    let text = std::fs::read_to_string(&doc).unwrap_or_else(|e| die(&doc, e));
    let mut block: Option<String> = None;
    for line in text.lines() {
        match &mut block {
            None if line.trim_start() == "```yaml" => block = Some(String::new()),
            Some(b) if line.trim_start() == "```" => {
                v.push(std::mem::take(b).into_bytes());
                block = None;
            }
            Some(b) => {
                b.push_str(line);
                b.push('\n');
            }
            None => {}
        }
    }
    v
}

fn process_seeds(cases: &[Case]) -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    for (i, c) in cases.iter().enumerate() {
        // Planted kind, policy, format and limits vary; every eighth seed
        // has no key, every fourth plants into a header too.
        let flags = u8::try_from(
            (i % 4) << 2
                | usize::from(i % 4 == 1) << 4
                | (i / 4 % 8) << 5
                | usize::from(i % 8 == 7),
        )
        .unwrap_or(0);
        let mode = u8::try_from(i % 8).unwrap_or(0) & !1;
        let at = u16::try_from(c.spans.first().map_or(i, |s| s.1)).unwrap_or(0);
        let value = if i % 2 == 0 {
            c.text.clone()
        } else {
            serde_json::json!({"id": i, "msg": c.text}).to_string()
        };
        v.push(checks::process_input(
            flags,
            mode,
            at,
            b"user-42",
            value.as_bytes(),
            &[(b"trace-id", Some(b"abc123")), (b"source", None)],
        ));
    }
    v
}
