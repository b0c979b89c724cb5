//! The small word tables of the person and place finders (titles,
//! particles, street words, context words), read from
//! `patterns/dict/person_words.txt` and `patterns/dict/place_words.txt`
//! on first use, and [`WordSet`], the set they are looked up in.

use std::collections::HashMap;
use std::sync::OnceLock;

const PERSON_WORDS: &str = include_str!("../../../patterns/dict/person_words.txt");
const PLACE_WORDS: &str = include_str!("../../../patterns/dict/place_words.txt");

/// A small set of words. Words of up to 8 bytes are packed into `u64`
/// keys, so a lookup is a few integer compares (no `memcmp`); longer ones
/// are compared as slices. A folded set compares ASCII case-insensitively,
/// an exact one byte for byte.
pub(super) struct WordSet {
    /// `key8` of each word of up to 8 bytes, 0 for longer ones.
    keys: Vec<u64>,
    words: Vec<&'static [u8]>,
    /// One bit per key (`filter_bit`): most words miss it and skip the
    /// scan of `keys`.
    filter: [u64; 4],
    /// Whether ASCII case is folded.
    fold: bool,
}

impl WordSet {
    /// A set compared ASCII case-insensitively.
    pub(super) fn folded(words: &[&'static str]) -> WordSet {
        WordSet::new(words, true)
    }

    /// A set compared byte for byte.
    pub(super) fn exact(words: &[&'static str]) -> WordSet {
        WordSet::new(words, false)
    }

    fn new(words: &[&'static str], fold: bool) -> WordSet {
        let words: Vec<&'static [u8]> = words.iter().map(|w| w.as_bytes()).collect();
        let keys: Vec<u64> = words.iter().map(|w| key8(w, fold)).collect();
        let filter = filter_of(&keys);
        WordSet {
            keys,
            words,
            filter,
            fold,
        }
    }

    /// Whether `text[start..end]` is in the set; reads whole 8-byte words
    /// of `text` when it can.
    pub(super) fn contains_at(&self, text: &[u8], start: usize, end: usize) -> bool {
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
                let x = u64::from_le_bytes(le);
                let x = if self.fold { lower_ascii(x) } else { x };
                self.contains_key(x & keep)
            }
            _ => self.contains(&text[start..end]),
        }
    }

    fn contains_key(&self, key: u64) -> bool {
        let bit = filter_bit(key);
        self.filter[bit / 64] & (1 << (bit % 64)) != 0 && self.keys.contains(&key)
    }

    /// Whether `word` is in the set.
    pub(super) fn contains(&self, word: &[u8]) -> bool {
        if word.is_empty() {
            return false;
        }
        if word.len() <= 8 {
            self.contains_key(key8(word, self.fold))
        } else if self.fold {
            self.words.iter().any(|w| w.eq_ignore_ascii_case(word))
        } else {
            self.words.contains(&word)
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
fn filter_bit(key: u64) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize
}

fn filter_of(keys: &[u64]) -> [u64; 4] {
    let mut filter = [0u64; 4];
    for &key in keys {
        if key != 0 {
            let bit = filter_bit(key);
            filter[bit / 64] |= 1 << (bit % 64);
        }
    }
    filter
}

/// `word` (at most 8 bytes), ASCII-lower-cased when `fold`, packed
/// little-endian; 0 for longer words.
fn key8(word: &[u8], fold: bool) -> u64 {
    if word.len() > 8 {
        return 0;
    }
    let mut le = [0u8; 8];
    for (d, &b) in le.iter_mut().zip(word) {
        *d = if fold { b.to_ascii_lowercase() } else { b };
    }
    u64::from_le_bytes(le)
}

/// The entries of a tagged word list: `LIST<TAB>entry` lines, in file
/// order; blank lines and `#` comments are skipped, and so is a line
/// without a tab (`tests::lists_are_well_formed` keeps the files free of
/// those).
pub(super) fn entries(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('\t'))
}

/// The lists of a tagged word list by name, taken out one by one.
struct Lists(HashMap<&'static str, Vec<&'static str>>);

impl Lists {
    fn parse(text: &'static str) -> Lists {
        let mut lists: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for (list, entry) in entries(text) {
            lists.entry(list).or_default().push(entry);
        }
        Lists(lists)
    }

    fn take(&mut self, name: &str) -> Vec<&'static str> {
        self.0.remove(name).unwrap_or_default()
    }

    fn folded(&mut self, name: &str) -> WordSet {
        WordSet::folded(&self.take(name))
    }

    fn exact(&mut self, name: &str) -> WordSet {
        WordSet::exact(&self.take(name))
    }
}

/// The words around a person's name (`person_words.txt`).
pub(super) struct PersonWords {
    /// `Mr`, `Dr`, `Frau` (folded).
    pub titles: WordSet,
    /// `van`, `de` inside a name or a place (folded).
    pub particles: WordSet,
    /// `Jr`, `III` after a name (folded).
    pub suffixes: WordSet,
    /// `name`, `patient` before `:` (exact).
    pub labels: WordSet,
    /// `hi`, `thanks` (exact).
    pub greetings: WordSet,
    /// `regards` before a signature (exact).
    pub signoffs: WordSet,
    /// `wife`, `colleague` (exact).
    pub relations: WordSet,
    /// `reviewed` before `by` (exact).
    pub by_verbs: WordSet,
}

/// The words of addresses and around place names (`place_words.txt`).
pub(super) struct PlaceWords {
    /// `Street`, `Ave` (folded).
    pub street_suffixes: WordSet,
    /// `street` ending a lower-case address (folded).
    pub lowercase_suffixes: WordSet,
    /// `rue`, `Via` starting a street name (folded).
    pub street_prefixes: WordSet,
    /// `des` inside a Romance street name (exact).
    pub street_particles: WordSet,
    /// `straße` and its score, in file order.
    pub street_endings: Vec<(&'static [u8], f32)>,
    /// `Minutes` after a number (folded).
    pub measures: WordSet,
    /// `Apt`, `Suite` (folded).
    pub units: WordSet,
    /// `NW`, `N.W.` (exact).
    pub directions: WordSet,
    /// `CA`, `DC` (exact).
    pub us_states: WordSet,
    /// `and`, `since` after a place (exact).
    pub connectors: WordSet,
    /// `location`, `born` before `:` (exact).
    pub labels: WordSet,
    /// `lives` before `in` (exact).
    pub verbs: WordSet,
    /// `in`, `from` before a place (exact).
    pub prepositions: WordSet,
    /// `upon`, `am` inside a multi-word place (exact).
    pub particles: WordSet,
}

/// The person word tables, parsed on first use.
pub(super) fn person_words() -> &'static PersonWords {
    static WORDS: OnceLock<PersonWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut l = Lists::parse(PERSON_WORDS);
        PersonWords {
            titles: l.folded("title"),
            particles: l.folded("particle"),
            suffixes: l.folded("suffix"),
            labels: l.exact("label"),
            greetings: l.exact("greeting"),
            signoffs: l.exact("signoff"),
            relations: l.exact("relation"),
            by_verbs: l.exact("by_verb"),
        }
    })
}

/// The place word tables, parsed on first use.
pub(super) fn place_words() -> &'static PlaceWords {
    static WORDS: OnceLock<PlaceWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let mut l = Lists::parse(PLACE_WORDS);
        let street_endings = l
            .take("street_ending")
            .into_iter()
            .filter_map(|e| {
                let (ending, score) = e.split_once('\t')?;
                Some((ending.as_bytes(), score.parse().ok()?))
            })
            .collect();
        PlaceWords {
            street_suffixes: l.folded("street_suffix"),
            lowercase_suffixes: l.folded("lowercase_suffix"),
            street_prefixes: l.folded("street_prefix"),
            street_particles: l.exact("street_particle"),
            street_endings,
            measures: l.folded("measure"),
            units: l.folded("unit"),
            directions: l.exact("direction"),
            us_states: l.exact("us_state"),
            connectors: l.exact("connector"),
            labels: l.exact("label"),
            verbs: l.exact("verb"),
            prepositions: l.exact("preposition"),
            particles: l.exact("particle"),
        }
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// Asserts that every line of `text` but comments and blank lines is
    /// `LIST<TAB>entry` with a list of `lists` and an entry that `entry_ok`
    /// takes, and that every list has an entry.
    pub(in super::super) fn assert_well_formed(
        file: &str,
        text: &'static str,
        lists: &[&str],
        entry_ok: impl Fn(&str, &str) -> bool,
    ) {
        for line in text
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
        {
            let (list, entry) = line.split_once('\t').unwrap_or(("", ""));
            assert!(lists.contains(&list), "{file}: {line:?}");
            assert!(
                !entry.is_empty() && entry_ok(list, entry),
                "{file}: {line:?}"
            );
        }
        let mut parsed = Lists::parse(text);
        for name in lists {
            assert!(!parsed.take(name).is_empty(), "{file}: no {name}");
        }
    }

    #[test]
    fn lists_are_well_formed() {
        let plain = |e: &str| e.trim() == e && !e.contains('\t');
        assert_well_formed(
            "person_words.txt",
            PERSON_WORDS,
            &[
                "title", "particle", "suffix", "label", "greeting", "signoff", "relation",
                "by_verb",
            ],
            |_, e| plain(e),
        );
        assert_well_formed(
            "place_words.txt",
            PLACE_WORDS,
            &[
                "street_suffix",
                "lowercase_suffix",
                "street_prefix",
                "street_particle",
                "street_ending",
                "measure",
                "unit",
                "direction",
                "us_state",
                "connector",
                "label",
                "verb",
                "preposition",
                "particle",
            ],
            |list, e| match list {
                "street_ending" => e.split_once('\t').is_some_and(|(w, s)| {
                    plain(w) && s.parse::<f32>().is_ok_and(|s| s > 0.0 && s <= 1.0)
                }),
                _ => plain(e),
            },
        );
        let endings = PLACE_WORDS
            .lines()
            .filter(|l| l.starts_with("street_ending\t"))
            .count();
        assert_eq!(place_words().street_endings.len(), endings);
    }

    #[test]
    fn folded_and_exact_sets() {
        let folded = WordSet::folded(&["mr", "straße", "professor"]);
        let exact = WordSet::exact(&["and", "N.W.", "relocating"]);
        for (set, word, want) in [
            (&folded, "MR", true),
            (&folded, "Mr", true),
            (&folded, "Straße", true),
            (&folded, "PROFESSOR", true),
            (&folded, "mrs", false),
            (&folded, "", false),
            (&exact, "and", true),
            (&exact, "And", false),
            (&exact, "N.W.", true),
            (&exact, "relocating", true),
            (&exact, "Relocating", false),
        ] {
            assert_eq!(set.contains(word.as_bytes()), want, "{word}");
            let text = format!("{word} and more text");
            assert_eq!(
                set.contains_at(text.as_bytes(), 0, word.len()),
                want,
                "{word}"
            );
        }
    }
}
