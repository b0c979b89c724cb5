//! A JSON tree kept in an arena, parsed and written without recursion.
//!
//! `serde_json::Value` parses recursively (with a fixed depth limit of 128)
//! and drops recursively: a hostile 100,000-deep array either errors at a
//! depth the operator did not choose or overflows the stack. Here every node
//! lives in one `Vec`, children are indices, parsing and writing use an
//! explicit stack, and dropping is a flat `Vec` drop. Numbers keep their
//! exact source text, so a 30-digit id round-trips unchanged.

use std::fmt;

/// Index of a node in a [`Doc`].
pub type NodeId = u32;

/// One JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A number, as its source text.
    Number(String),
    /// A string, decoded.
    String(String),
    /// An array's element ids, in order.
    Array(Vec<NodeId>),
    /// An object's (key, value id) members, in source order.
    Object(Vec<(String, NodeId)>),
    /// A member removed by the policy (`drop`): skipped when writing.
    Dropped,
}

/// A parsed JSON document: node 0 is the root.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Doc {
    /// Every node; children refer to them by index.
    pub nodes: Vec<Node>,
}

/// Why a text is not a JSON document we accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JsonError {
    /// Malformed JSON at a byte offset.
    #[error("invalid JSON at byte {offset}: {what}")]
    Syntax {
        /// Byte offset of the fault.
        offset: usize,
        /// What was expected or found.
        what: &'static str,
    },
    /// Nesting deeper than the configured limit.
    #[error("JSON nesting deeper than {limit} at byte {offset}")]
    TooDeep {
        /// The configured `max_depth`.
        limit: usize,
        /// Byte offset where the limit was crossed.
        offset: usize,
    },
}

enum Frame {
    Array(Vec<NodeId>, NodeId),
    Object(Vec<(String, NodeId)>, NodeId, Option<String>),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn err(&self, what: &'static str) -> JsonError {
        JsonError::Syntax {
            offset: self.i,
            what,
        }
    }
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn lit(&mut self, word: &[u8], node: Node) -> Result<Node, JsonError> {
        if self.s[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(node)
        } else {
            Err(self.err("unknown literal"))
        }
    }
    fn number(&mut self) -> Result<Node, JsonError> {
        let start = self.i;
        let s = self.s;
        let mut i = self.i;
        if s.get(i) == Some(&b'-') {
            i += 1;
        }
        match s.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while s.get(i).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                }
            }
            _ => {
                self.i = i;
                return Err(self.err("expected a digit"));
            }
        }
        if s.get(i) == Some(&b'.') {
            i += 1;
            let d = i;
            while s.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == d {
                self.i = i;
                return Err(self.err("expected a digit after '.'"));
            }
        }
        if matches!(s.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(s.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            let d = i;
            while s.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == d {
                self.i = i;
                return Err(self.err("expected a digit in exponent"));
            }
        }
        self.i = i;
        // The bytes are ASCII by construction.
        Ok(Node::Number(
            String::from_utf8_lossy(&s[start..i]).into_owned(),
        ))
    }
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .s
            .get(self.i..self.i + 4)
            .ok_or_else(|| self.err("truncated \\u escape"))?;
        let mut v = 0u32;
        for &b in h {
            let d = (b as char)
                .to_digit(16)
                .ok_or_else(|| self.err("bad \\u escape"))?;
            v = v * 16 + d;
        }
        self.i += 4;
        Ok(v)
    }
    fn string(&mut self) -> Result<String, JsonError> {
        // At the opening quote.
        self.i += 1;
        let mut out = Vec::new();
        loop {
            let rest = &self.s[self.i..];
            let Some(p) = memchr::memchr3(b'"', b'\\', b'\n', rest) else {
                return Err(self.err("unterminated string"));
            };
            let chunk = &rest[..p];
            if chunk.iter().any(|&b| b < 0x20) {
                return Err(self.err("control character in string"));
            }
            out.extend_from_slice(chunk);
            self.i += p;
            match self.s[self.i] {
                b'"' => {
                    self.i += 1;
                    break;
                }
                b'\n' => return Err(self.err("control character in string")),
                _ => {
                    self.i += 1;
                    let e = self.peek().ok_or_else(|| self.err("truncated escape"))?;
                    self.i += 1;
                    match e {
                        b'"' => out.push(b'"'),
                        b'\\' => out.push(b'\\'),
                        b'/' => out.push(b'/'),
                        b'b' => out.push(8),
                        b'f' => out.push(12),
                        b'n' => out.push(b'\n'),
                        b'r' => out.push(b'\r'),
                        b't' => out.push(b'\t'),
                        b'u' => {
                            let mut c = self.hex4()?;
                            if (0xD800..0xDC00).contains(&c) {
                                if self.s.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return Err(self.err("lone surrogate in \\u escape"));
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.err("bad surrogate pair"));
                                }
                                c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                            }
                            let ch = char::from_u32(c)
                                .ok_or_else(|| self.err("lone surrogate in \\u escape"))?;
                            let mut buf = [0u8; 4];
                            out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        }
                        _ => return Err(self.err("bad escape")),
                    }
                }
            }
        }
        String::from_utf8(out).map_err(|_| self.err("invalid UTF-8 in string"))
    }
}

impl Doc {
    /// Parses one JSON document; nesting deeper than `max_depth` is an
    /// error, never a stack overflow.
    pub fn parse(text: &[u8], max_depth: usize) -> Result<Doc, JsonError> {
        let mut p = Parser { s: text, i: 0 };
        let mut doc = Doc { nodes: Vec::new() };
        let mut stack: Vec<Frame> = Vec::new();
        p.ws();
        // Reserve node 0 for the root.
        doc.nodes.push(Node::Null);
        let mut root_set = false;
        loop {
            // Parse one value (or open a container).
            p.ws();
            let c = p.peek().ok_or_else(|| p.err("unexpected end of input"))?;
            let value = match c {
                b'{' | b'[' => {
                    if stack.len() >= max_depth {
                        return Err(JsonError::TooDeep {
                            limit: max_depth,
                            offset: p.i,
                        });
                    }
                    p.i += 1;
                    let id = if root_set || !stack.is_empty() {
                        doc.nodes.push(Node::Null);
                        (doc.nodes.len() - 1) as NodeId
                    } else {
                        root_set = true;
                        0
                    };
                    p.ws();
                    if c == b'[' {
                        if p.peek() == Some(b']') {
                            p.i += 1;
                            doc.nodes[id as usize] = Node::Array(Vec::new());
                            Some(id)
                        } else {
                            stack.push(Frame::Array(Vec::new(), id));
                            continue;
                        }
                    } else if p.peek() == Some(b'}') {
                        p.i += 1;
                        doc.nodes[id as usize] = Node::Object(Vec::new());
                        Some(id)
                    } else {
                        let key = p.key()?;
                        stack.push(Frame::Object(Vec::new(), id, Some(key)));
                        continue;
                    }
                }
                b'"' => Some(doc.push(Node::String(p.string()?), &mut root_set, stack.is_empty())),
                b't' => Some(doc.push(
                    p.lit(b"true", Node::Bool(true))?,
                    &mut root_set,
                    stack.is_empty(),
                )),
                b'f' => Some(doc.push(
                    p.lit(b"false", Node::Bool(false))?,
                    &mut root_set,
                    stack.is_empty(),
                )),
                b'n' => {
                    Some(doc.push(p.lit(b"null", Node::Null)?, &mut root_set, stack.is_empty()))
                }
                b'-' | b'0'..=b'9' => Some(doc.push(p.number()?, &mut root_set, stack.is_empty())),
                _ => return Err(p.err("expected a value")),
            };
            // Attach the finished value, closing containers as they end.
            let mut v = value;
            while let Some(id) = v.take() {
                let Some(frame) = stack.last_mut() else {
                    p.ws();
                    if p.i != text.len() {
                        return Err(p.err("trailing characters after the JSON value"));
                    }
                    return Ok(doc);
                };
                p.ws();
                match frame {
                    Frame::Array(items, aid) => {
                        items.push(id);
                        match p.peek() {
                            Some(b',') => p.i += 1,
                            Some(b']') => {
                                p.i += 1;
                                let aid = *aid;
                                let items = std::mem::take(items);
                                stack.pop();
                                doc.nodes[aid as usize] = Node::Array(items);
                                v = Some(aid);
                            }
                            _ => return Err(p.err("expected ',' or ']'")),
                        }
                    }
                    Frame::Object(members, oid, key) => {
                        let k = key.take().unwrap_or_default();
                        members.push((k, id));
                        match p.peek() {
                            Some(b',') => {
                                p.i += 1;
                                p.ws();
                                *key = Some(p.key()?);
                            }
                            Some(b'}') => {
                                p.i += 1;
                                let oid = *oid;
                                let members = std::mem::take(members);
                                stack.pop();
                                doc.nodes[oid as usize] = Node::Object(members);
                                v = Some(oid);
                            }
                            _ => return Err(p.err("expected ',' or '}'")),
                        }
                    }
                }
            }
        }
    }

    fn push(&mut self, n: Node, root_set: &mut bool, top: bool) -> NodeId {
        if top && !*root_set {
            *root_set = true;
            self.nodes[0] = n;
            0
        } else {
            self.nodes.push(n);
            (self.nodes.len() - 1) as NodeId
        }
    }

    /// Writes the document as compact JSON (no recursion).
    pub fn write(&self, out: &mut Vec<u8>) {
        enum Step {
            Value(NodeId),
            Raw(&'static [u8]),
            Key(NodeId, usize),
        }
        let mut stack = vec![Step::Value(0)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Raw(r) => out.extend_from_slice(r),
                Step::Key(obj, i) => {
                    if let Some(Node::Object(m)) = self.nodes.get(obj as usize) {
                        write_str(&m[i].0, out);
                        out.push(b':');
                    }
                }
                Step::Value(id) => match &self.nodes[id as usize] {
                    Node::Null | Node::Dropped => out.extend_from_slice(b"null"),
                    Node::Bool(true) => out.extend_from_slice(b"true"),
                    Node::Bool(false) => out.extend_from_slice(b"false"),
                    Node::Number(n) => out.extend_from_slice(n.as_bytes()),
                    Node::String(s) => write_str(s, out),
                    Node::Array(items) => {
                        out.push(b'[');
                        stack.push(Step::Raw(b"]"));
                        let live: Vec<_> = items
                            .iter()
                            .filter(|&&c| self.nodes[c as usize] != Node::Dropped)
                            .collect();
                        for (n, &&c) in live.iter().enumerate().rev() {
                            stack.push(Step::Value(c));
                            if n > 0 {
                                stack.push(Step::Raw(b","));
                            }
                        }
                    }
                    Node::Object(members) => {
                        out.push(b'{');
                        stack.push(Step::Raw(b"}"));
                        let live: Vec<_> = members
                            .iter()
                            .enumerate()
                            .filter(|(_, (_, c))| self.nodes[*c as usize] != Node::Dropped)
                            .collect();
                        for (n, (i, (_, c))) in live.iter().enumerate().rev() {
                            stack.push(Step::Value(*c));
                            stack.push(Step::Key(id, *i));
                            if n > 0 {
                                stack.push(Step::Raw(b","));
                            }
                        }
                    }
                },
            }
        }
    }
}

impl Parser<'_> {
    fn key(&mut self) -> Result<String, JsonError> {
        self.ws();
        if self.peek() != Some(b'"') {
            return Err(self.err("expected a string key"));
        }
        let k = self.string()?;
        self.ws();
        if self.peek() != Some(b':') {
            return Err(self.err("expected ':'"));
        }
        self.i += 1;
        Ok(k)
    }
}

/// Writes `s` as a JSON string literal.
pub fn write_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let b = s.as_bytes();
    let mut last = 0;
    for (i, &c) in b.iter().enumerate() {
        let esc: Option<&[u8]> = match c {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        out.extend_from_slice(&b[last..i]);
        match esc {
            Some(e) => out.extend_from_slice(e),
            None => {
                let _ = std::io::Write::write_fmt(out, format_args!("\\u{c:04x}"));
            }
        }
        last = i + 1;
    }
    out.extend_from_slice(&b[last..]);
    out.push(b'"');
}

impl fmt::Display for Doc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = Vec::new();
        self.write(&mut out);
        f.write_str(&String::from_utf8_lossy(&out))
    }
}

/// Appends `seg` to a JSON Pointer (RFC 6901 escaping).
pub fn push_pointer(ptr: &mut String, seg: &str) {
    ptr.push('/');
    for c in seg.chars() {
        match c {
            '~' => ptr.push_str("~0"),
            '/' => ptr.push_str("~1"),
            c => ptr.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(s: &str) -> String {
        Doc::parse(s.as_bytes(), 64).unwrap().to_string()
    }

    #[test]
    fn round_trips() {
        for (i, o) in [
            ("{}", "{}"),
            ("[]", "[]"),
            (" 12345678901234567890123 ", "12345678901234567890123"),
            ("\"a\\u00e9\\ud83d\\ude00\\n\"", "\"a\u{e9}\u{1f600}\\n\""),
            (
                "{\"a\": [1, 2.5e3, true, false, null, {\"b\": \"c\"}], \"d\": {}}",
                "{\"a\":[1,2.5e3,true,false,null,{\"b\":\"c\"}],\"d\":{}}",
            ),
            ("[[[]]]", "[[[]]]"),
            ("\"\\u0001\"", "\"\\u0001\""),
        ] {
            assert_eq!(rt(i), o, "{i}");
        }
    }

    #[test]
    fn agrees_with_serde_json() {
        let cases = [
            "{\"k\":[1,{\"x\":\"y\\\"z\"}],\"n\":-0.5}",
            "[\"\\t\",\"é\",[],{}]",
        ];
        for c in cases {
            let ours: serde_json::Value = serde_json::from_str(&rt(c)).unwrap();
            let theirs: serde_json::Value = serde_json::from_str(c).unwrap();
            assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn rejects_bad_json() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01",
            "1.",
            "\"abc",
            "tru",
            "[1] x",
            "{\"a\":1,}",
            "\"\\x\"",
            "\"\\ud800\"",
        ] {
            assert!(Doc::parse(bad.as_bytes(), 64).is_err(), "{bad:?}");
        }
        assert!(Doc::parse(b"\"\xff\"", 64).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let e = Doc::parse(deep.as_bytes(), 512).unwrap_err();
        assert_eq!(
            e,
            JsonError::TooDeep {
                limit: 512,
                offset: 512
            }
        );
        // And with a limit that allows it: parses, writes, drops.
        let d = Doc::parse(deep.as_bytes(), 200_000).unwrap();
        let mut out = Vec::new();
        d.write(&mut out);
        assert_eq!(out, deep.as_bytes());
    }

    #[test]
    fn pointers_escape() {
        let mut p = String::new();
        push_pointer(&mut p, "a/b");
        push_pointer(&mut p, "m~n");
        assert_eq!(p, "/a~1b/m~0n");
    }
}
