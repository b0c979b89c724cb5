//! Deny-list dictionaries: terms (one a line) that are always findings of
//! one entity type, matched whole-word.
//!
//! Two matchers with the same semantics (a match is the exact bytes of a
//! term, ASCII case folded on request, with no letter, digit or non-ASCII
//! byte right before or after it):
//!
//! - up to [`AC_MAX_TERMS`] terms: one aho-corasick automaton
//!   (leftmost-longest);
//! - above that, terms that start and end with a word byte go to a word
//!   index: a set of 64-bit fingerprints of each term, looked up for every
//!   run of 1..=N consecutive words of the text (N = most words in a
//!   term), longest first. The remaining terms (leading or trailing
//!   punctuation, more than [`MAX_INDEX_WORDS`] words) still go to an
//!   automaton. Why: building the aho-corasick automaton of a million
//!   18-byte terms took 13 s and 275 MB (43 s and 500 MB case-insensitive)
//!   on the reference machine; the index builds in well under a second
//!   (see docs/decisions/0012-denylist-word-index.md).

use std::collections::HashSet;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::PackError;

/// Dictionaries with more terms than this use the word index.
pub const AC_MAX_TERMS: usize = 100_000;

/// Terms with more words than this stay in the automaton.
pub const MAX_INDEX_WORDS: usize = 8;

/// A deny-list dictionary as loaded: the file's text and how to match it.
///
/// Terms are kept as the file's text and split when the matcher is built,
/// so a million-term list costs its file size once, not a `String` per
/// term.
#[derive(Clone)]
pub struct Dictionary {
    /// Entity type of every match (`PROJECT_CODENAME`).
    pub entity: String,
    /// Where the terms came from (a file name), for errors and listings.
    pub origin: String,
    /// One term a line; blank lines are skipped, ends are trimmed.
    pub text: String,
    /// ASCII case-insensitive matching.
    pub case_insensitive: bool,
}

impl std::fmt::Debug for Dictionary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the terms: a deny list is itself sensitive.
        f.debug_struct("Dictionary")
            .field("entity", &self.entity)
            .field("origin", &self.origin)
            .field("terms", &self.terms().count())
            .field("case_insensitive", &self.case_insensitive)
            .finish()
    }
}

impl Dictionary {
    /// Reads a dictionary file. Errors name the file.
    pub fn load(
        path: &Path,
        entity: &str,
        case_insensitive: bool,
    ) -> Result<Dictionary, PackError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| PackError::new(&origin, None, format!("cannot read dictionary: {e}")))?;
        Ok(Dictionary {
            entity: entity.to_string(),
            origin,
            text,
            case_insensitive,
        })
    }

    /// The terms: trimmed, non-empty lines.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.text.lines().map(str::trim).filter(|t| !t.is_empty())
    }
}

/// A byte that is part of a word: an ASCII letter or digit, or any
/// non-ASCII byte (so a UTF-8 letter never splits a word).
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// A compiled dictionary.
#[derive(Debug)]
pub(crate) struct Compiled {
    ac: Option<AhoCorasick>,
    index: Option<WordIndex>,
    /// Number of terms.
    pub(crate) terms: usize,
}

/// Fingerprints of word-shaped terms.
#[derive(Debug)]
struct WordIndex {
    set: HashSet<u64, BuildHasherDefault<Passthrough>>,
    max_words: usize,
    max_len: usize,
    case_insensitive: bool,
}

/// Reusable buffers for [`Compiled::find`].
#[derive(Debug, Default)]
pub(crate) struct DictScratch {
    words: Vec<(usize, usize)>,
    lower: Vec<u8>,
}

impl Compiled {
    /// Builds the matcher; `force_index` uses the word index whatever the
    /// size (tests).
    pub(crate) fn build(d: &Dictionary, force_index: bool) -> Result<Compiled, PackError> {
        let terms = d.terms().count();
        if terms == 0 {
            return Err(PackError::new(&d.origin, None, "dictionary has no terms"));
        }
        let automaton = |it: &mut dyn Iterator<Item = &str>| {
            let list: Vec<&str> = it.collect();
            if list.is_empty() {
                return Ok(None);
            }
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(d.case_insensitive)
                .match_kind(MatchKind::LeftmostLongest)
                .build(list)
                .map(Some)
                .map_err(|e| PackError::new(&d.origin, None, format!("dictionary automaton: {e}")))
        };
        if terms <= AC_MAX_TERMS && !force_index {
            return Ok(Compiled {
                ac: automaton(&mut d.terms())?,
                index: None,
                terms,
            });
        }
        let mut index = WordIndex {
            set: HashSet::with_capacity_and_hasher(terms, Default::default()),
            max_words: 1,
            max_len: 0,
            case_insensitive: d.case_insensitive,
        };
        let mut lower = Vec::new();
        let indexable = |t: &str| {
            let b = t.as_bytes();
            is_word(b[0]) && is_word(b[b.len() - 1]) && words_in(b) <= MAX_INDEX_WORDS
        };
        for t in d.terms().filter(|t| indexable(t)) {
            let b = t.as_bytes();
            index.max_words = index.max_words.max(words_in(b));
            index.max_len = index.max_len.max(b.len());
            index.set.insert(index.fingerprint(b, &mut lower));
        }
        Ok(Compiled {
            ac: automaton(&mut d.terms().filter(|t| !indexable(t)))?,
            index: Some(index),
            terms,
        })
    }

    /// Calls `hit(start, end)` for each whole-word match in `text`.
    pub(crate) fn find(&self, text: &[u8], s: &mut DictScratch, mut hit: impl FnMut(usize, usize)) {
        if let Some(ac) = &self.ac {
            let mut at = 0;
            while at < text.len() {
                let Some(m) = ac.find(aho_corasick::Input::new(text).span(at..text.len())) else {
                    break;
                };
                let before = m.start() > 0 && is_word(text[m.start() - 1]);
                let after = m.end() < text.len() && is_word(text[m.end()]);
                if before || after || m.is_empty() {
                    // Part of a longer word: a shorter term may start
                    // inside it.
                    at = m.start() + 1;
                    continue;
                }
                hit(m.start(), m.end());
                at = m.end();
            }
        }
        if let Some(ix) = &self.index {
            s.words.clear();
            let mut i = 0;
            while i < text.len() {
                if is_word(text[i]) {
                    let st = i;
                    while i < text.len() && is_word(text[i]) {
                        i += 1;
                    }
                    s.words.push((st, i));
                } else {
                    i += 1;
                }
            }
            let mut w = 0;
            while w < s.words.len() {
                let st = s.words[w].0;
                let most = ix.max_words.min(s.words.len() - w);
                let found = (1..=most).rev().find(|&k| {
                    let en = s.words[w + k - 1].1;
                    en - st <= ix.max_len
                        && ix
                            .set
                            .contains(&ix.fingerprint(&text[st..en], &mut s.lower))
                });
                match found {
                    Some(k) => {
                        hit(st, s.words[w + k - 1].1);
                        w += k;
                    }
                    None => w += 1,
                }
            }
        }
    }
}

/// Number of word runs in a term.
fn words_in(b: &[u8]) -> usize {
    let mut n = 0;
    let mut prev = false;
    for &c in b {
        let w = is_word(c);
        if w && !prev {
            n += 1;
        }
        prev = w;
    }
    n
}

impl WordIndex {
    /// A 64-bit fingerprint of the (case-folded) bytes: 8-byte words mixed
    /// with a multiply-rotate, finished with murmur3's fmix64. Two distinct
    /// strings share one with probability about 2^-64 per pair, so a
    /// million terms give a false match about once in 10^13 lookups (and a
    /// false match over-redacts: it fails safe).
    fn fingerprint(&self, b: &[u8], lower: &mut Vec<u8>) -> u64 {
        let b = if self.case_insensitive {
            lower.clear();
            lower.extend(b.iter().map(u8::to_ascii_lowercase));
            &lower[..]
        } else {
            b
        };
        let mut h: u64 = 0x9E37_79B9_7F4A_7C15 ^ (b.len() as u64);
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h ^ u64::from_le_bytes(w))
                .wrapping_mul(0x517C_C1B7_2722_0A95)
                .rotate_left(29);
        }
        let mut w = [0u8; 8];
        let rest = chunks.remainder();
        w[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(w)).wrapping_mul(0x517C_C1B7_2722_0A95);
        h ^= h >> 33;
        h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
        h ^= h >> 33;
        h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
        h ^ (h >> 33)
    }
}

/// The set's keys are already fingerprints: hash them as themselves.
#[derive(Default)]
struct Passthrough(u64);

impl Hasher for Passthrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dict(terms: &str, ci: bool) -> Dictionary {
        Dictionary {
            entity: "CODENAME".into(),
            origin: "test".into(),
            text: terms.into(),
            case_insensitive: ci,
        }
    }

    fn matches(d: &Dictionary, force_index: bool, text: &str) -> Vec<String> {
        let c = Compiled::build(d, force_index).expect("build");
        let mut out = Vec::new();
        c.find(text.as_bytes(), &mut DictScratch::default(), |s, e| {
            out.push(text[s..e].to_string())
        });
        out.sort();
        out
    }

    /// Both matchers give the same matches.
    #[test]
    fn automaton_and_index_agree() {
        let d = dict(
            "Blue Heron\nWolf\nwolf pack\n  Tamarind  \n\nC++\n#ops\n",
            false,
        );
        let text =
            "Blue Heron met Wolfpack, the wolf pack and Wolf; Tamarinds; C++ and #ops. BLUE HERON";
        for force in [false, true] {
            assert_eq!(
                matches(&d, force, text),
                vec!["#ops", "Blue Heron", "C++", "Wolf", "wolf pack"],
                "index: {force}"
            );
        }
        let ci = dict("blue heron\nwolf", true);
        for force in [false, true] {
            assert_eq!(
                matches(&ci, force, "BLUE HERON and Wolf"),
                vec!["BLUE HERON", "Wolf"],
                "index: {force}"
            );
        }
    }

    #[test]
    fn empty_dictionary_is_an_error_naming_it() {
        let e = Compiled::build(&dict("\n  \n", false), false).expect_err("empty");
        assert!(e.to_string().contains("test"), "{e}");
    }
}
