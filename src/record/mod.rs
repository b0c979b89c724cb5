//! Records: what one Kafka message or one input line holds, parsed.
//!
//! A record is a JSON document or a text. Detection works on *leaves*: every
//! JSON string value and every JSON number (as its source text; a card
//! number stored as a number is still a card), or the whole text. Leaves
//! are visited without recursion and each carries its JSON Pointer and the
//! keys above it, which the engine uses as hints and context.

pub mod json;

pub use json::{Doc, JsonError, Node};

/// How to read a record's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON when the bytes parse as JSON, text otherwise.
    #[default]
    Auto,
    /// JSON only: anything else is an error (quarantined by the daemon).
    Json,
    /// Always text, even when it looks like JSON.
    Text,
    /// HL7 v2 messages (text starting with an `MSH` header, segments
    /// separated by carriage returns): anything else is an error. Under
    /// `auto` such a text is recognised too; the engine redacts its fields
    /// by position either way.
    Hl7,
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(Format::Auto),
            "json" => Ok(Format::Json),
            "text" => Ok(Format::Text),
            "hl7" => Ok(Format::Hl7),
            _ => Err(format!("unknown format {s:?} (auto, json, text, hl7)")),
        }
    }
}

/// Default limit on JSON nesting.
pub const DEFAULT_MAX_DEPTH: usize = 512;

/// Default limit on a record's size: what librdkafka's producer writes by
/// default (`message.max.bytes` 1,000,000) less room for redactd's own
/// headers, so that a record that passes can also be written.
pub const DEFAULT_MAX_RECORD_BYTES: usize = 1_000_000 - 512;

/// Why bytes could not become a record. Never holds record content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// `format: json` and the bytes are not JSON (or nest too deep).
    #[error(transparent)]
    Json(#[from] JsonError),
    /// `format: hl7` and the bytes do not start with an `MSH` header.
    #[error("record is not an HL7 v2 message (no MSH header)")]
    NotHl7,
    /// Larger than `max_record_bytes`.
    #[error("record is {size} bytes, over max_record_bytes ({limit})")]
    TooLarge {
        /// The record's size.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
}

impl RecordError {
    /// A short, stable reason class for headers and metrics.
    pub fn class(&self) -> &'static str {
        match self {
            RecordError::Json(JsonError::Syntax { .. }) => "invalid_json",
            RecordError::Json(JsonError::TooDeep { .. }) => "too_deep",
            RecordError::TooLarge { .. } => "too_large",
            RecordError::NotHl7 => "invalid_hl7",
        }
    }
}

/// A record's payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// A JSON document.
    Json(Doc),
    /// Text, possibly invalid UTF-8: handled byte-wise.
    Text(Vec<u8>),
}

/// Limits applied when parsing.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest record accepted.
    pub max_record_bytes: usize,
    /// Deepest JSON nesting accepted.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// Where a leaf sits: its JSON Pointer and the object keys above it.
#[derive(Debug)]
pub struct LeafCtx<'a> {
    /// RFC 6901 pointer of the value ("" for text records and the root).
    pub pointer: &'a str,
    /// Object keys from the root down to this value (array indices are not
    /// keys); the nearest is last.
    pub keys: &'a [&'a str],
}

/// What to do with a leaf after looking at it.
#[derive(Debug, Clone, PartialEq)]
pub enum Edit {
    /// Leave it as it is.
    Keep,
    /// Replace its text (a replaced JSON number becomes a JSON string).
    Replace(Vec<u8>),
    /// Remove it (the JSON member or element; for text, the whole text).
    Drop,
}

impl Record {
    /// Parses bytes per `format`. With [`Format::Auto`] bytes that are not
    /// JSON are text; JSON nested deeper than `max_depth` is an error in
    /// every format but `text` (it is JSON, and refusing it is safer than
    /// scanning it as text).
    pub fn parse(bytes: &[u8], format: Format, limits: Limits) -> Result<Record, RecordError> {
        if bytes.len() > limits.max_record_bytes {
            return Err(RecordError::TooLarge {
                size: bytes.len(),
                limit: limits.max_record_bytes,
            });
        }
        match format {
            Format::Text => Ok(Record::Text(bytes.to_vec())),
            Format::Hl7 if bytes.starts_with(b"MSH") && bytes.len() > 8 => {
                Ok(Record::Text(bytes.to_vec()))
            }
            Format::Hl7 => Err(RecordError::NotHl7),
            Format::Json => Ok(Record::Json(Doc::parse(bytes, limits.max_depth)?)),
            Format::Auto => match Doc::parse(bytes, limits.max_depth) {
                Ok(d) => Ok(Record::Json(d)),
                Err(e @ JsonError::TooDeep { .. }) => Err(e.into()),
                Err(JsonError::Syntax { .. }) => Ok(Record::Text(bytes.to_vec())),
            },
        }
    }

    /// Appends the record's bytes (compact JSON, or the text) to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        match self {
            Record::Json(d) => d.write(out),
            Record::Text(t) => out.extend_from_slice(t),
        }
    }

    /// Visits every leaf in document order and applies the edit `f` returns.
    pub fn edit_leaves(&mut self, mut f: impl FnMut(&LeafCtx<'_>, &[u8]) -> Edit) {
        match self {
            Record::Text(t) => {
                let ctx = LeafCtx {
                    pointer: "",
                    keys: &[],
                };
                match f(&ctx, t) {
                    Edit::Keep => {}
                    Edit::Replace(n) => *t = n,
                    Edit::Drop => t.clear(),
                }
            }
            Record::Json(doc) => walk(doc, &mut f),
        }
    }
}

impl Record {
    /// Visits every object member name of a JSON record (an email used as
    /// a key is personal data too) and applies the edit `f` returns: a
    /// replaced name is renamed (made unique within its object with a
    /// `#2`, `#3` suffix, so no member is lost to a duplicate), a dropped
    /// one removes the member. The context's pointer is the member's own.
    /// Only names for which `wanted` holds are offered to `f`; when no name
    /// of the document is wanted (plain identifiers: the usual case) the
    /// walk ends after one pass over the objects.
    pub fn edit_keys(
        &mut self,
        wanted: impl Fn(&[u8]) -> bool,
        mut f: impl FnMut(&LeafCtx<'_>, &[u8]) -> Edit,
    ) {
        let Record::Json(doc) = self else { return };
        let any = doc.nodes.iter().any(|n| match n {
            Node::Object(m) => m.iter().any(|(k, _)| wanted(k.as_bytes())),
            _ => false,
        });
        if !any {
            return;
        }
        let mut stack: Vec<(json::NodeId, String)> = vec![(0, String::new())];
        while let Some((id, pointer)) = stack.pop() {
            let mut members = match doc.nodes.get_mut(id as usize) {
                Some(Node::Object(m)) => std::mem::take(m),
                Some(Node::Array(items)) => {
                    for (i, &c) in items.iter().enumerate() {
                        let mut p = pointer.clone();
                        json::push_pointer(&mut p, &i.to_string());
                        stack.push((c, p));
                    }
                    continue;
                }
                _ => continue,
            };
            let mut dropped = Vec::new();
            for i in 0..members.len() {
                let c = members[i].1;
                let mut p = pointer.clone();
                json::push_pointer(&mut p, &members[i].0);
                let ctx = LeafCtx {
                    pointer: &p,
                    keys: &[],
                };
                let edit = if wanted(members[i].0.as_bytes()) {
                    f(&ctx, members[i].0.as_bytes())
                } else {
                    Edit::Keep
                };
                match edit {
                    Edit::Keep => {}
                    Edit::Replace(bytes) => {
                        let base = String::from_utf8(bytes)
                            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                        let mut name = base.clone();
                        let mut n = 1;
                        while members.iter().any(|(x, _)| *x == name) {
                            n += 1;
                            name = format!("{base}#{n}");
                        }
                        members[i].0 = name;
                    }
                    Edit::Drop => dropped.push(c),
                }
                stack.push((c, p));
            }
            if let Some(Node::Object(m)) = doc.nodes.get_mut(id as usize) {
                *m = members;
            }
            for c in dropped {
                if let Some(n) = doc.nodes.get_mut(c as usize) {
                    *n = Node::Dropped;
                }
            }
        }
    }
}

/// Iterative depth-first walk keeping the pointer and the key stack.
fn walk(doc: &mut Doc, f: &mut impl FnMut(&LeafCtx<'_>, &[u8]) -> Edit) {
    struct Frame {
        node: json::NodeId,
        next: usize,
        ptr_len: usize,
        pushed_key: bool,
    }
    let mut pointer = String::new();
    let mut keys: Vec<String> = Vec::new();
    let mut stack = vec![Frame {
        node: 0,
        next: 0,
        ptr_len: 0,
        pushed_key: false,
    }];
    // The root itself may be a leaf.
    if !matches!(doc.nodes.first(), Some(Node::Array(_) | Node::Object(_))) {
        visit(doc, 0, "", &[], f);
        return;
    }
    while let Some(top) = stack.last_mut() {
        let id = top.node as usize;
        let i = top.next;
        top.next += 1;
        let child = match &doc.nodes[id] {
            Node::Array(items) => items.get(i).map(|&c| (c, None)),
            Node::Object(m) => m.get(i).map(|(k, c)| (*c, Some(k.clone()))),
            _ => None,
        };
        let Some((c, key)) = child else {
            let done = stack.pop();
            if let Some(done) = done {
                pointer.truncate(done.ptr_len);
                if done.pushed_key {
                    keys.pop();
                }
            }
            continue;
        };
        let ptr_len = pointer.len();
        match &key {
            Some(k) => json::push_pointer(&mut pointer, k),
            None => json::push_pointer(&mut pointer, &i.to_string()),
        }
        let pushed_key = key.is_some();
        if let Some(k) = key {
            keys.push(k);
        }
        if matches!(doc.nodes[c as usize], Node::Array(_) | Node::Object(_)) {
            stack.push(Frame {
                node: c,
                next: 0,
                ptr_len,
                pushed_key,
            });
        } else {
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            visit(doc, c, &pointer, &refs, f);
            pointer.truncate(ptr_len);
            if pushed_key {
                keys.pop();
            }
        }
    }
}

fn visit(
    doc: &mut Doc,
    id: json::NodeId,
    pointer: &str,
    keys: &[&str],
    f: &mut impl FnMut(&LeafCtx<'_>, &[u8]) -> Edit,
) {
    let ctx = LeafCtx { pointer, keys };
    let node = &mut doc.nodes[id as usize];
    let edit = match node {
        Node::String(s) => f(&ctx, s.as_bytes()),
        Node::Number(n) => f(&ctx, n.as_bytes()),
        _ => return,
    };
    match edit {
        Edit::Keep => {}
        Edit::Replace(bytes) => {
            *node = Node::String(
                String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            );
        }
        Edit::Drop => *node = Node::Dropped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_falls_back_to_text() {
        let l = Limits::default();
        assert!(matches!(
            Record::parse(b"{\"a\":1}", Format::Auto, l),
            Ok(Record::Json(_))
        ));
        assert!(matches!(
            Record::parse(b"hello {", Format::Auto, l),
            Ok(Record::Text(_))
        ));
        assert!(matches!(
            Record::parse(b"\xff\xfe", Format::Auto, l),
            Ok(Record::Text(_))
        ));
        assert!(Record::parse(b"hello", Format::Json, l).is_err());
        assert!(matches!(
            Record::parse(b"{}", Format::Text, l),
            Ok(Record::Text(_))
        ));
        let big = Limits {
            max_record_bytes: 3,
            ..l
        };
        assert_eq!(
            Record::parse(b"1234", Format::Auto, big)
                .unwrap_err()
                .class(),
            "too_large"
        );
    }

    #[test]
    fn visits_leaves_with_pointers_and_keys() {
        let mut r = Record::parse(
            br#"{"a":{"b/c":["x",7,{"d":"y"}]},"e":true,"f":"z"}"#,
            Format::Json,
            Limits::default(),
        )
        .unwrap();
        let mut seen = Vec::new();
        r.edit_leaves(|ctx, text| {
            seen.push((
                ctx.pointer.to_string(),
                ctx.keys.join("."),
                String::from_utf8_lossy(text).into_owned(),
            ));
            Edit::Keep
        });
        let want = [
            ("/a/b~1c/0", "a.b/c", "x"),
            ("/a/b~1c/1", "a.b/c", "7"),
            ("/a/b~1c/2/d", "a.b/c.d", "y"),
            ("/f", "f", "z"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect();
        assert_eq!(seen, want);
    }

    #[test]
    fn edits_replace_and_drop() {
        let mut r = Record::parse(
            br#"{"n":4111111111111111,"s":"keep","gone":"x","arr":["a","b"]}"#,
            Format::Json,
            Limits::default(),
        )
        .unwrap();
        r.edit_leaves(|ctx, _| match ctx.pointer {
            "/n" => Edit::Replace(b"<CARD>".to_vec()),
            "/gone" | "/arr/0" => Edit::Drop,
            _ => Edit::Keep,
        });
        let mut out = Vec::new();
        r.write(&mut out);
        assert_eq!(out, br#"{"n":"<CARD>","s":"keep","arr":["b"]}"#);
    }

    #[test]
    fn root_scalars_are_leaves() {
        let mut r = Record::parse(b"\"a string\"", Format::Auto, Limits::default()).unwrap();
        let mut n = 0;
        r.edit_leaves(|ctx, t| {
            assert_eq!((ctx.pointer, t), ("", &b"a string"[..]));
            n += 1;
            Edit::Replace(b"x".to_vec())
        });
        assert_eq!(n, 1);
        let mut out = Vec::new();
        r.write(&mut out);
        assert_eq!(out, b"\"x\"");
    }
}
