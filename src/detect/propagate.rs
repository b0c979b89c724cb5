//! Record-level propagation: a value found once in a record is found at
//! every other occurrence in that record (DESIGN §4).
//!
//! A name written in full once (`Frédéric Boutin`, `WOOD^MELISSA`) is
//! often written again in part or in another case (`Merci Frédéric`,
//! `Melissa Wood`), where nothing else would mark it. The sanitizer
//! collects each record's found values into [`Found`], then asks for their
//! other occurrences in every leaf: whole values byte for byte, and for
//! person names each part of three letters or more that is not a common
//! word, in any case.

use super::chars::{char_at, cjk};
use super::{DetectorId, EntityId, Finding};

/// At most this many values are remembered per record: a record with
/// more is a list, not one person's data, and each costs a search per leaf.
const MAX_TERMS: usize = 64;

/// One remembered value.
#[derive(Debug, Clone)]
struct Term {
    bytes: Vec<u8>,
    /// What is searched for (the bytes, lower-cased for name parts), built
    /// once per record rather than once per leaf.
    finder: memchr::memmem::Finder<'static>,
    /// Matched in any case (name parts).
    fold: bool,
    entity: EntityId,
    detector: DetectorId,
}

/// The values found so far in one record.
#[derive(Debug, Default)]
pub struct Found {
    terms: Vec<Term>,
    lower: String,
}

impl Found {
    /// Forgets every value (a new record).
    pub fn clear(&mut self) {
        self.terms.clear();
    }

    /// Whether nothing was remembered.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
    }

    fn add(&mut self, bytes: &[u8], fold: bool, f: &Finding) {
        if self.terms.len() >= MAX_TERMS || bytes.contains(&0) {
            return;
        }
        let dup = self
            .terms
            .iter()
            .any(|t| t.fold == fold && t.bytes == bytes);
        if !dup {
            let needle = if fold {
                String::from_utf8_lossy(bytes).to_lowercase().into_bytes()
            } else {
                bytes.to_vec()
            };
            self.terms.push(Term {
                finder: memchr::memmem::Finder::new(&needle).into_owned(),
                bytes: bytes.to_vec(),
                fold,
                entity: f.entity,
                detector: f.detector,
            });
        }
    }
}

impl super::Engine {
    /// Remembers the values of `findings` (spans of `text`) for
    /// [`Engine::occurrences`](super::Engine::occurrences).
    pub fn remember(&self, text: &[u8], findings: &[Finding], found: &mut Found) {
        let person = self.entity_id("PERSON");
        for f in findings {
            let Some(v) = text.get(f.start..f.end) else {
                continue;
            };
            let v = trim(v);
            if v.len() >= 3 {
                found.add(v, false, f);
            }
            if Some(f.entity) != person {
                continue;
            }
            let Ok(s) = std::str::from_utf8(v) else {
                continue;
            };
            for part in s.split(|c: char| !(c.is_alphabetic() || c == '\'' || c == '-')) {
                let part = part.trim_matches(|c| c == '\'' || c == '-');
                let long = part.chars().count() >= 3 || part.chars().any(cjk);
                if long && !self.is_common_word(part.as_bytes()) {
                    found.add(part.as_bytes(), true, f);
                }
            }
        }
    }

    /// Findings for every occurrence in `text` of a remembered value, sorted
    /// and without overlaps (the longest value wins), into `out`.
    pub fn occurrences(&self, text: &[u8], found: &mut Found, out: &mut Vec<Finding>) {
        out.clear();
        if found.terms.is_empty() || text.is_empty() {
            return;
        }
        // Case-folded copy for name parts, when folding keeps byte offsets.
        found.lower.clear();
        let folded = match std::str::from_utf8(text) {
            Ok(s) => {
                found.lower.push_str(&s.to_lowercase());
                found.lower.len() == text.len()
            }
            Err(_) => false,
        };
        let mut cands: Vec<Finding> = Vec::new();
        for t in &found.terms {
            // A name part is matched in the folded copy; where folding
            // changed lengths, exactly.
            let exact;
            let (hay, finder) = if t.fold && folded {
                (found.lower.as_bytes(), &t.finder)
            } else if t.fold {
                exact = memchr::memmem::Finder::new(&t.bytes).into_owned();
                (text, &exact)
            } else {
                (text, &t.finder)
            };
            let n = finder.needle().len();
            if n == 0 || n > hay.len() {
                continue;
            }
            for at in finder.find_iter(hay) {
                let end = at + n;
                if word_edge(text, at) && word_edge(text, end) {
                    cands.push(Finding {
                        start: at,
                        end,
                        entity: t.entity,
                        detector: t.detector,
                        score: 1.0,
                    });
                }
            }
        }
        cands.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        for c in cands {
            if out.last().is_none_or(|l| l.end <= c.start) {
                out.push(c);
            }
        }
    }

    /// Whether `word` is a common word and no name (see `Names`).
    pub fn is_common_word(&self, word: &[u8]) -> bool {
        self.names.as_ref().is_some_and(|n| n.is_common_word(word))
    }
}

/// CJK and Hangul: one character is a syllable, so two make a name part.
fn trim(v: &[u8]) -> &[u8] {
    let s = v
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(v.len());
    let e = v
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(s, |e| e + 1);
    &v[s..e]
}

/// No letter or digit on both sides of `i` (a UTF-8 continuation byte
/// belongs to the letter it continues). Wide scripts have no spaces, so
/// any position next to them is an edge.
fn word_edge(text: &[u8], i: usize) -> bool {
    let alnum = |b: u8| b.is_ascii_alphanumeric() || b >= 0x80;
    let before = i == 0 || !alnum(text[i - 1]);
    let after = i >= text.len() || !alnum(text[i]);
    if before || after {
        return true;
    }
    // Both sides are letters: only an edge next to a wide character.
    let next = char_at(text, i);
    next.is_some_and(cjk) && text[i - 1] >= 0x80
}

#[cfg(test)]
mod tests {
    use crate::detect::Engine;

    fn run(first: &str, later: &str) -> Vec<String> {
        let e = Engine::builtin().expect("engine");
        let mut found = super::Found::default();
        let f = e.scan(first.as_bytes());
        e.remember(first.as_bytes(), &f, &mut found);
        let mut out = Vec::new();
        e.occurrences(later.as_bytes(), &mut found, &mut out);
        out.iter()
            .map(|f| later[f.start..f.end].to_string())
            .collect()
    }

    #[test]
    fn names_by_parts_and_case() {
        assert_eq!(
            run(
                "Patient: Frédéric Boutin",
                "Merci Frédéric, et BOUTIN aussi"
            ),
            ["Frédéric", "BOUTIN"]
        );
        assert_eq!(
            run("PID|1||123||WOOD^MELISSA^E", "Melissa Wood called"),
            ["Melissa", "Wood"]
        );
    }

    #[test]
    fn whole_words_only_and_values_exactly() {
        assert!(run("Patient: Ann Lee", "annual leeway").is_empty());
        assert_eq!(
            run("mail jane@example.com", "cc: jane@example.com."),
            ["jane@example.com"]
        );
    }
}
