//! Policy: what happens to each finding.
//!
//! This first cut knows one action, `redact`, which replaces a finding with
//! a template (default `<TYPE>`). Spans are rewritten right to left so
//! earlier offsets stay valid.

pub mod surrogate;

use crate::detect::{Engine, Finding};

/// The redaction template's placeholder for the entity type.
const TYPE_PLACEHOLDER: &str = "{type}";

/// The effective policy.
#[derive(Debug, Clone)]
pub struct Policy {
    template: String,
}

impl Default for Policy {
    /// Every finding redacted to `<TYPE>`.
    fn default() -> Self {
        Policy {
            template: "<{type}>".to_string(),
        }
    }
}

impl Policy {
    /// Rewrites `text` with every finding replaced; `None` when there is
    /// nothing to change. `utf8` widens spans to whole characters so a JSON
    /// string stays valid UTF-8.
    pub fn apply(
        &self,
        engine: &Engine,
        text: &[u8],
        findings: &[Finding],
        utf8: bool,
    ) -> Option<Vec<u8>> {
        if findings.is_empty() {
            return None;
        }
        let mut out = Vec::with_capacity(text.len() + findings.len() * 8);
        let mut last = 0;
        for f in findings {
            let (mut s, mut e) = (f.start.max(last), f.end.min(text.len()));
            if utf8 {
                while s > last && (text[s] & 0xC0) == 0x80 {
                    s -= 1;
                }
                while e < text.len() && (text[e] & 0xC0) == 0x80 {
                    e += 1;
                }
            }
            if s >= e {
                continue;
            }
            out.extend_from_slice(&text[last..s]);
            out.extend_from_slice(
                self.template
                    .replace(TYPE_PLACEHOLDER, engine.entity_name(f.entity))
                    .as_bytes(),
            );
            last = e;
        }
        out.extend_from_slice(&text[last..]);
        Some(out)
    }
}
