//! The compiled name and place dictionaries: every term of
//! `patterns/dict/` in one hash table keyed by its ASCII-lower-cased bytes,
//! each term with its flags; the lengths of the terms that run past their
//! first word (`San Francisco`), by first word; and Bloom filters over the
//! first words of given names and places that spare most capitalised words
//! the table.
//!
//! A lookup is always anchored at a word start and wants the longest term
//! there, so a hash probe per candidate length does what an anchored
//! leftmost-longest automaton did, and builds in a fraction of the time
//! (decision 0055).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use super::lex::{boundary_at, boundary_before, is_word_byte_start, word_end};

type Table<V> = HashMap<Box<[u8]>, V, foldhash::fast::FixedState>;

const FIRST_NAMES: &str = include_str!("../../../patterns/dict/first_names.txt");
const SURNAMES: &str = include_str!("../../../patterns/dict/surnames.txt");
const PLACES: &str = include_str!("../../../patterns/dict/places.txt");
const PLACES_MAJOR: &str = include_str!("../../../patterns/dict/places_major.txt");
const PLACES_AMBIGUOUS: &str = include_str!("../../../patterns/dict/places_ambiguous.txt");
const COMMON_WORDS: &str = include_str!("../../../patterns/dict/common_words.txt");
/// Words that never start or continue a name (pronouns, articles,
/// prepositions...): flagged [`FUNC`].
const FUNCTION_WORDS: &str = include_str!("../../../patterns/dict/function_words.txt");

/// The term is a given name.
pub(super) const FIRST: u16 = 1;
/// The term is a surname.
pub(super) const SURNAME: u16 = 1 << 1;
/// The term is a city, country, state or region.
pub(super) const PLACE: u16 = 1 << 2;
/// The place is big enough (or a country / state / region) to fire alone.
pub(super) const MAJOR: u16 = 1 << 3;
/// The place is also a common word or given name: it needs place context.
pub(super) const AMBIGUOUS: u16 = 1 << 4;
/// The term is a common word of one of the covered languages.
pub(super) const COMMON: u16 = 1 << 5;
/// The term is a function word: it never starts or continues a name.
pub(super) const FUNC: u16 = 1 << 6;
/// The term has more than one word (`San Francisco`).
pub(super) const MULTI: u16 = 1 << 7;

/// Longest span one dictionary lookup may cover (multi-word places).
const MAX_TERM_BYTES: usize = 64;

/// A candidate span found by a dictionary detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Confidence in 0.0..=1.0; the engine drops hits under its `min_score`.
    pub score: f32,
}

/// The compiled dictionaries; built once, shared immutably. Cloning is
/// cheap (the tables are reference-counted).
#[derive(Clone)]
pub struct Names {
    /// Flags of every term of every list, by its ASCII-lower-cased bytes.
    terms: Arc<Table<u16>>,
    /// For terms longer than their first word: their byte lengths, longest
    /// first, by the lower-cased first word.
    longer: Arc<Table<Box<[u8]>>>,
    /// The longest term, in bytes: longer spans are never looked up.
    max_len: usize,
    /// Bloom filter over the first words of given-name terms: most
    /// capitalised words of ordinary text ("The", "Error", "Kafka") miss it
    /// and never reach the automaton.
    bloom_first: Arc<Bloom>,
    /// The same over the first words of place terms.
    bloom_place: Arc<Bloom>,
}

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Names")
            .field("terms", &self.terms.len())
            .finish()
    }
}

impl Names {
    /// Loads the embedded dictionaries.
    ///
    /// The dictionaries are compiled on the first call (a few hundred
    /// milliseconds: ~100,000 terms) and shared by every later call.
    pub fn build() -> Result<Names, String> {
        static BUILT: OnceLock<Result<Names, String>> = OnceLock::new();
        BUILT.get_or_init(Names::compile).clone()
    }

    fn compile() -> Result<Names, String> {
        let mut terms: Table<u16> = Table::with_capacity_and_hasher(110_000, Default::default());
        // ~16,000 given names and ~40,000 places: 32 KiB and 64 KiB.
        let mut bloom_first = Bloom::new(12);
        let mut bloom_place = Bloom::new(13);
        let mut add = |term: &'static str, flag: u16| {
            if flag & (FIRST | PLACE) != 0 {
                if flag & FIRST != 0 {
                    bloom_first.insert(first_word(term.as_bytes()));
                }
                if flag & PLACE != 0 {
                    bloom_place.insert(first_word(term.as_bytes()));
                }
            }
            let multi = if term.contains(' ') { MULTI } else { 0 };
            *terms
                .entry(term.as_bytes().to_ascii_lowercase().into_boxed_slice())
                .or_insert(0) |= flag | multi;
        };
        let lists: [(&'static str, u16); 6] = [
            (FIRST_NAMES, FIRST),
            (SURNAMES, SURNAME),
            (PLACES, PLACE),
            (PLACES_MAJOR, PLACE | MAJOR),
            (PLACES_AMBIGUOUS, PLACE | AMBIGUOUS),
            (COMMON_WORDS, COMMON),
        ];
        for (list, flag) in lists {
            for term in terms_of(list) {
                add(term, flag);
            }
        }
        for term in terms_of(FUNCTION_WORDS) {
            add(term, FUNC);
        }
        if terms.is_empty() {
            return Err("names: the embedded dictionaries are empty".to_string());
        }
        let mut lens: Table<Vec<u8>> = Table::default();
        let mut max_len = 0;
        for term in terms.keys() {
            max_len = max_len.max(term.len());
            let first = word_end(term, 0);
            if first > 0 && first < term.len() && term.len() <= MAX_TERM_BYTES {
                lens.entry(term[..first].into())
                    .or_default()
                    .push(term.len() as u8);
            }
        }
        let longer = lens
            .into_iter()
            .map(|(first, mut l)| {
                l.sort_unstable_by(|a, b| b.cmp(a));
                l.dedup();
                (first, l.into_boxed_slice())
            })
            .collect();
        Ok(Names {
            terms: Arc::new(terms),
            longer: Arc::new(longer),
            max_len,
            bloom_first: Arc::new(bloom_first),
            bloom_place: Arc::new(bloom_place),
        })
    }

    /// Flags of the term spelled (ASCII case aside) by `text[start..end]`.
    fn flags_of(&self, text: &[u8], start: usize, end: usize) -> Option<u16> {
        let n = end.checked_sub(start)?;
        if n == 0 || n > self.max_len {
            return None;
        }
        if n > MAX_TERM_BYTES {
            return self
                .terms
                .get(&*text[start..end].to_ascii_lowercase())
                .copied();
        }
        let mut buf = [0u8; MAX_TERM_BYTES];
        self.terms.get(lower(text, start, end, &mut buf)).copied()
    }

    /// Whether the whole `value` is a place of the dictionaries or an
    /// upper-case code of two or three letters.
    pub(super) fn is_place_value(&self, value: &[u8]) -> bool {
        if (2..=3).contains(&value.len()) && value.iter().all(u8::is_ascii_uppercase) {
            return true;
        }
        let end = word_end(value, 0);
        matches!(self.lookup(value, 0, end), Some((f, e)) if f & PLACE != 0 && e == value.len())
    }

    /// Flags of the term spelled by `text[start..end]`, if any. `end` must be
    /// a word end; a multi-word term may end later (at a word boundary), in
    /// which case its end is returned.
    pub(super) fn lookup(&self, text: &[u8], start: usize, end: usize) -> Option<(u16, usize)> {
        if end <= start || end - start > MAX_TERM_BYTES {
            return self.flags_of(text, start, end).map(|f| (f, end));
        }
        // Lower-cased once: the word, then (when longer terms start with
        // it) up to `limit`; each probe is a prefix of `span`.
        let mut buf = [0u8; MAX_TERM_BYTES];
        let alone = self.terms.get(lower(text, start, end, &mut buf)).copied();
        // The longest term here that runs past the word, if any.
        if let Some(lens) = self.longer.get(&buf[..end - start]) {
            let limit = text.len().min(start + MAX_TERM_BYTES);
            let span = lower(text, start, limit, &mut buf);
            for &len in lens.iter() {
                let Some(&flags) = span.get(..usize::from(len)).and_then(|t| self.terms.get(t))
                else {
                    continue;
                };
                let e = start + usize::from(len);
                if flags & MULTI != 0 && boundary_at(text, e) {
                    return Some((flags, e));
                }
                // A longer term did not fit: the word alone.
                return alone.map(|f| (f & !MULTI, end));
            }
        }
        alone.map(|f| (f, end))
    }

    /// Flags of the single word `[start, end)` (0 when unknown), ignoring
    /// multi-word terms.
    pub(super) fn word_flags(&self, text: &[u8], start: usize, end: usize) -> u16 {
        self.flags_of(text, start, end).unwrap_or(0) & !MULTI
    }

    /// Whether the word `[start, end)` may start a given name (no false
    /// negatives).
    pub(super) fn may_be_first(&self, text: &[u8], start: usize, end: usize) -> bool {
        self.bloom_first
            .may_contain(Bloom::hash_in(text, start, end))
    }

    /// Whether the word `[start, end)` may start a place name (no false
    /// negatives).
    pub(super) fn may_be_place(&self, text: &[u8], start: usize, end: usize) -> bool {
        self.bloom_place
            .may_contain(Bloom::hash_in(text, start, end))
    }

    /// Flags of a name word (`O'Brien`, `Jean-Luc`): the whole token, else
    /// its first part.
    pub(super) fn name_word_flags(
        &self,
        text: &[u8],
        start: usize,
        word_end: usize,
        token_end: usize,
    ) -> u16 {
        if token_end != word_end {
            let f = self.word_flags(text, start, token_end);
            if f != 0 {
                return f;
            }
        }
        self.word_flags(text, start, word_end)
    }

    /// Whether `word` is a given name or surname and no common word
    /// (`Becker`, `Vasquez`; not `Will`).
    pub fn is_name_word(&self, word: &[u8]) -> bool {
        let f = self.word_flags(word, 0, word.len());
        f & (FIRST | SURNAME) != 0 && f & (COMMON | FUNC) == 0
    }

    /// Whether `word` is a place (`London`, `Paris`).
    pub fn is_place_word(&self, word: &[u8]) -> bool {
        self.word_flags(word, 0, word.len()) & PLACE != 0
    }

    /// Whether `word` is a common or function word and no given name or
    /// surname (`required`, `Support`, `the`; not `Will`, not `Smith`).
    pub fn is_common_word(&self, word: &[u8]) -> bool {
        let f = self.word_flags(word, 0, word.len());
        f & (COMMON | FUNC) != 0 && f & (FIRST | SURNAME) == 0
    }

    /// Whether `text[start..end]` holds a given name or surname that is not
    /// also a common word.
    pub(super) fn has_name_word(&self, text: &[u8], start: usize, end: usize) -> bool {
        let mut i = start;
        while i < end {
            if is_word_byte_start(text, i) && boundary_before(text, i) {
                let e = word_end(text, i).min(end);
                let f = self.word_flags(text, i, e);
                if f & (FIRST | SURNAME) != 0 && f & (COMMON | FUNC) == 0 {
                    return true;
                }
                i = e.max(i + 1);
            } else {
                i += 1;
            }
        }
        false
    }
}

/// `text[start..end]` (at most [`MAX_TERM_BYTES`]) ASCII-lower-cased into
/// `buf`.
fn lower<'b>(text: &[u8], start: usize, end: usize, buf: &'b mut [u8; MAX_TERM_BYTES]) -> &'b [u8] {
    let out = &mut buf[..end - start];
    out.copy_from_slice(&text[start..end]);
    out.make_ascii_lowercase();
    out
}

/// The first word of a term: up to a space, apostrophe, hyphen or dot.
fn first_word(term: &[u8]) -> &[u8] {
    let end = term
        .iter()
        .position(|&b| matches!(b, b' ' | b'\'' | b'-' | b'.') || b == 0xE2)
        .unwrap_or(term.len());
    &term[..end]
}

/// A blocked Bloom filter over case-folded words: two bits in one 64-bit
/// word, so a query costs one hash and one memory access.
struct Bloom {
    words: Vec<u64>,
}

impl Bloom {
    /// `1 << log2_words` 64-bit words; 16 bits per term give ~2% false
    /// positives.
    fn new(log2_words: u32) -> Bloom {
        Bloom {
            words: vec![0; 1usize << log2_words],
        }
    }

    /// Hash of the first and last 8 bytes and the length, with ASCII case
    /// folded (`| 0x20`: other bytes change too, the same way on both
    /// sides).
    fn hash(word: &[u8]) -> u64 {
        let n = word.len();
        let mut head = [0u8; 8];
        head[..n.min(8)].copy_from_slice(&word[..n.min(8)]);
        let mut tail = [0u8; 8];
        if n > 8 {
            tail.copy_from_slice(&word[n - 8..]);
        }
        Self::mix(u64::from_le_bytes(head), u64::from_le_bytes(tail), n)
    }

    /// [`Bloom::hash`] of `text[start..end]`, reading whole 8-byte words
    /// from `text` when it can (no variable-length copy).
    fn hash_in(text: &[u8], start: usize, end: usize) -> u64 {
        let n = end - start;
        match text.get(start..start + 8) {
            Some(chunk) if n <= 8 => {
                let mut le = [0u8; 8];
                le.copy_from_slice(chunk);
                let keep = if n == 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * n)) - 1
                };
                Self::mix(u64::from_le_bytes(le) & keep, 0, n)
            }
            _ => Self::hash(&text[start..end]),
        }
    }

    fn mix(head: u64, tail: u64, n: usize) -> u64 {
        // Fold ASCII case in the bytes that belong to the word only.
        let fold = |v: u64, len: usize| {
            let lanes = if len >= 8 {
                u64::MAX
            } else {
                (1u64 << (8 * len)) - 1
            };
            v | (0x2020_2020_2020_2020 & lanes)
        };
        let head = fold(head, n);
        let tail = if n > 8 { fold(tail, 8) } else { 0 };
        let h = (head ^ (n as u64).rotate_left(56)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
            ^ tail.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        (h ^ (h >> 29)).wrapping_mul(0xD6E8_FEB8_6659_FD93)
    }

    fn slot(&self, h: u64) -> (usize, u64) {
        let index = (h >> 32) as usize & (self.words.len() - 1);
        let bits = (1u64 << (h & 63)) | (1u64 << ((h >> 6) & 63));
        (index, bits)
    }

    fn insert(&mut self, word: &[u8]) {
        let (index, bits) = self.slot(Self::hash(word));
        self.words[index] |= bits;
    }

    fn may_contain(&self, h: u64) -> bool {
        let (index, bits) = self.slot(h);
        self.words[index] & bits == bits
    }
}

/// The non-comment, non-empty lines of an embedded list.
fn terms_of(list: &'static str) -> impl Iterator<Item = &'static str> {
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}
