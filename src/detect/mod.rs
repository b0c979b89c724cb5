//! The detection engine: finds sensitive values in a piece of text.
//!
//! Stages, cheapest first, so that most bytes are looked at once or twice:
//!
//! 1. a field-name hint (`ssn`, `password`…) marks a whole JSON value;
//! 2. one aho-corasick pass over every detector's keywords decides which
//!    keyword-anchored detectors run at all;
//! 3. one byte pass finds digit runs; numeric detectors only search
//!    windows around runs with enough digits ([`digits`]), and IBANs
//!    with letters in the bank code windows at a registered country code;
//! 4. candidate regexes run, then validators, entropy and exclusions;
//! 5. context words near the match (or in the JSON key) raise or lower the
//!    score; candidates under `min_score` are dropped;
//! 6. overlaps are resolved: highest score wins, then the longest span.
//!
//! An [`Engine`] is built once and shared immutably across threads; each
//! thread brings its own [`Scratch`] so scanning does not allocate in the
//! steady state.
//!
//! # Layout
//!
//! This file holds the engine's types ([`Engine`], [`Detector`],
//! [`Finding`] and their ids) and accessors; `build` compiles packs into
//! an engine ([`EngineBuilder`]) with the regex analyses of `regexes`,
//! `scan` runs it ([`Scratch`]), `score`
//! scores one candidate, `overlap` keeps the best of overlapping ones.

mod build;
mod chars;
mod cjk_address;
mod dates;
mod dictionary;
mod digits;
mod hl7;
mod labels;
pub mod names;
mod overlap;
pub mod pack;
mod people;
mod phones;
mod propagate;
mod regexes;
mod rules;
mod scan;
mod score;
mod shape;
pub mod validate;

use std::collections::HashMap;

use aho_corasick::AhoCorasick;
use regex_automata::meta::Regex;

pub use build::EngineBuilder;
pub use dictionary::Dictionary;
pub use pack::PackError;
pub use propagate::Found;
pub use scan::Scratch;

use build::DigitSet;
use names::Names;
use pack::Anchor;
use regexes::WindowDfa;

/// Default threshold under which candidates are not findings.
pub const DEFAULT_MIN_SCORE: f32 = 0.5;

/// A table keyed by normalised JSON keys, looked up for every JSON value
/// (and its parents' keys): a fast seeded hash, not SipHash. Its keys are
/// fixed when the engine is built, so a record's keys are only looked up,
/// never inserted, and a weaker hash cannot be turned into a collision
/// flood.
pub(crate) type KeyTable<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// Index of a detector inside an [`Engine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DetectorId(pub u32);

/// Index of an entity type inside an [`Engine`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(pub u16);

/// One sensitive value: where it is and what it is, never the value itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Finding {
    /// Byte offset of the first byte in the scanned text.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// The entity type (`Engine::entity_name` spells it).
    pub entity: EntityId,
    /// The detector that found it (`Engine::detector` describes it).
    pub detector: DetectorId,
    /// Confidence in 0.0..=1.0, at least the engine's `min_score`.
    pub score: f32,
}

/// What a detector runs.
#[derive(Debug)]
enum Kind {
    Regex {
        regex: Regex,
        group: Option<usize>,
        /// The regex is `\b[0-9]{min,max}\b`: matched by a digit-run scan.
        digit_run: Option<(usize, usize)>,
        /// The same regex as fully built forward and reverse DFAs, for
        /// detectors that search short digit windows (see [`window_dfa`]).
        dfa: Option<Box<WindowDfa>>,
    },
    Person,
    Location,
    /// A field-name hint: the whole value is the type.
    Hint,
    /// A record rule (`rules`): a labelled field, a clinical date, an HL7
    /// field; one detector per rule and type.
    Rule,
    /// A deny-list dictionary (index into `Engine::dictionaries`).
    Dictionary(u32),
}

/// A compiled detector.
#[derive(Debug)]
pub struct Detector {
    id: String,
    entity: EntityId,
    pack: u16,
    kind: Kind,
    anchor: Anchor,
    /// Digits a window must hold for the detector to run there. For a
    /// keyword-anchored detector it is non-zero only when every match holds
    /// a digit and no letter: such a detector searches the digit windows,
    /// not the whole text.
    min_digits: usize,
    /// Every match lies this close to a keyword occurrence (0: anywhere).
    keyword_distance: usize,
    validator: Option<validate::Validator>,
    context: Vec<Vec<u8>>,
    negative_context: Vec<Vec<u8>>,
    score: f32,
    context_boost: f32,
    context_window: usize,
    min_entropy: Option<f32>,
    exclude: Vec<Vec<u8>>,
    whole_value_boost: f32,
    examples: pack::Examples,
}

impl Detector {
    /// A detector that is not a pack regex (a field hint, a dictionary):
    /// always runs, certain (score 1.0), no context, validator or examples.
    fn whole_value(id: String, entity: EntityId, pack: u16, kind: Kind) -> Detector {
        Detector {
            id,
            entity,
            pack,
            kind,
            anchor: Anchor::Always,
            min_digits: 0,
            keyword_distance: 0,
            validator: None,
            context: Vec::new(),
            negative_context: Vec::new(),
            score: 1.0,
            context_boost: 0.0,
            context_window: 0,
            min_entropy: None,
            exclude: Vec::new(),
            whole_value_boost: 0.0,
            examples: pack::Examples::default(),
        }
    }

    /// The stable kebab-case id.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// The entity type it reports.
    pub fn entity(&self) -> EntityId {
        self.entity
    }
    /// How many `match` and `no_match` examples it carries.
    pub fn example_count(&self) -> usize {
        self.examples.matches.len() + self.examples.no_match.len()
    }
    /// Its `examples.match` texts, as the pack states them: tests plant
    /// them to check that every type the packs claim is found and hidden
    /// end to end, from the pack data rather than a pasted list.
    pub fn match_examples(&self) -> &[String] {
        &self.examples.matches
    }
}

/// A loaded pack, as `patterns list` shows it.
#[derive(Debug, Clone)]
pub struct PackInfo {
    /// The pack's `[pack] name`.
    pub name: String,
    /// The file it came from.
    pub file: String,
}

/// One detector example that did not hold.
#[derive(Debug, Clone)]
pub struct ExampleFailure {
    /// Index into [`Engine::packs`].
    pub pack: usize,
    /// Detector id.
    pub detector: String,
    /// What went wrong (quotes the example: examples are pack data, not
    /// record content).
    pub reason: String,
}

/// The compiled detectors of every loaded pack. Immutable, `Send + Sync`.
#[derive(Debug)]
pub struct Engine {
    detectors: Vec<Detector>,
    entities: Vec<String>,
    packs: Vec<PackInfo>,
    keywords: Option<AhoCorasick>,
    /// For each keyword pattern, the detectors it enables.
    keyword_detectors: Vec<Vec<u32>>,
    /// Digit-anchored detectors, sorted by `min_digits`.
    digit_detectors: Vec<u32>,
    /// Detectors anchored on an IBAN country code and check digits.
    iban_detectors: Vec<u32>,
    /// The digit-anchored regexes' shapes as one multi-pattern regex: one
    /// pass over a window's shape says which of them may match at all, so
    /// a window costs one search, not one per detector (decision 0057).
    digit_set: Option<DigitSet>,
    /// Keyword-anchored detectors with a validator, and their regexes'
    /// shapes as one multi-pattern regex: run on short bare values (a JSON string
    /// that is only an id) where no keyword can be expected.
    bare_detectors: Vec<u32>,
    bare_set: Option<Regex>,
    /// Detectors run on every text (regex `always`, person, location).
    always_detectors: Vec<u32>,
    hints: KeyTable<u32>,
    names: Option<Names>,
    /// Labelled fields, clinical dates and HL7 fields: built with the
    /// names, as they are the same kind of record rule (DESIGN §4).
    rules: Option<rules::Rules>,
    min_score: f32,
    /// Each detector's regex source (for the digit set), by detector index.
    sources: Vec<Option<String>>,
    /// Deny-list dictionaries (detectors of kind `Dictionary`).
    dictionaries: Vec<dictionary::Compiled>,
}

impl Engine {
    /// Number of terms of each dictionary detector, by detector id.
    pub fn dictionary_terms(&self) -> impl Iterator<Item = (&str, usize)> {
        self.detectors.iter().filter_map(|d| match d.kind {
            Kind::Dictionary(i) => Some((d.id.as_str(), self.dictionaries[i as usize].terms)),
            _ => None,
        })
    }

    /// Every detector, in pack order.
    pub fn detectors(&self) -> &[Detector] {
        &self.detectors
    }

    /// The detector behind an id found in a [`Finding`].
    pub fn detector(&self, id: DetectorId) -> &Detector {
        &self.detectors[id.0 as usize]
    }

    /// The pack a detector came from.
    pub fn pack_of(&self, d: &Detector) -> &PackInfo {
        &self.packs[d.pack as usize]
    }

    /// The loaded packs.
    pub fn packs(&self) -> &[PackInfo] {
        &self.packs
    }

    /// The name of an entity type (`EMAIL_ADDRESS`).
    pub fn entity_name(&self, id: EntityId) -> &str {
        &self.entities[id.0 as usize]
    }

    /// Every entity type any loaded detector or hint reports.
    pub fn entity_names(&self) -> impl Iterator<Item = &str> {
        self.entities.iter().map(String::as_str)
    }

    /// Looks an entity type up by name.
    pub fn entity_id(&self, name: &str) -> Option<EntityId> {
        self.entities
            .iter()
            .position(|e| e == name)
            .map(|i| EntityId(i as u16))
    }

    /// Findings scoring under this are dropped.
    pub fn min_score(&self) -> f32 {
        self.min_score
    }

    /// The entity type a JSON key marks its value as, if any.
    pub fn hint_for_key(&self, key: &str) -> Option<EntityId> {
        self.hints
            .get(pack::NormKey::new(key).as_str())
            .map(|&d| self.detectors[d as usize].entity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::Input;

    pub(super) fn engine(pack: &str) -> Result<Engine, PackError> {
        EngineBuilder::new()
            .builtin(false)
            .pack_text("test.toml", pack)
            .build()
    }

    pub(super) const EMAIL: &str = r#"
[pack]
name = "t"
[[detector]]
id = "email"
type = "EMAIL_ADDRESS"
regex = '[a-z0-9._%+-]+@[a-z0-9.-]+\.[a-z]{2,}'
keywords = ["@"]
examples.match = ["a@b.io"]
examples.no_match = ["a at b"]
[[detector]]
id = "card"
type = "CREDIT_CARD"
regex = '\b(?:\d[ -]?){12,18}\d\b'
anchor = "digits"
min_digits = 13
validator = "luhn"
score = 0.4
context = ["card", "visa"]
examples.match = ["visa 4111 1111 1111 1111"]
examples.no_match = ["ref 4111 1111 1111 1111 ok", "card 4111 1111 1111 1112"]
[[hint]]
type = "US_SSN"
keys = ["ssn"]
"#;

    #[test]
    fn finds_and_scores() {
        let e = engine(EMAIL).unwrap();
        let text = b"mail bob@example.com, card 4111-1111-1111-1111";
        let f = e.scan(text);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(&text[f[0].start..f[0].end], b"bob@example.com");
        assert_eq!(e.entity_name(f[0].entity), "EMAIL_ADDRESS");
        assert_eq!(&text[f[1].start..f[1].end], b"4111-1111-1111-1111");
        assert!((f[1].score - 0.75).abs() < 1e-6);
    }

    #[test]
    fn key_words_are_context_and_hints_mark_values() {
        let e = engine(EMAIL).unwrap();
        let mut s = Scratch::default();
        let mut out = Vec::new();
        e.scan_with(
            b"4111 1111 1111 1111",
            Some("card_number"),
            &mut s,
            &mut out,
        );
        assert_eq!(out.len(), 1);
        e.scan_with(b" 078 05 1120 ", Some("SSN"), &mut s, &mut out);
        assert_eq!((out[0].start, out[0].end), (1, 12));
        assert_eq!(e.detector(out[0].detector).id(), "field-us-ssn");
    }

    /// Every match, leftmost-first, of one regex engine over a span.
    pub(crate) fn all_matches(
        text: &[u8],
        span: (usize, usize),
        mut search: impl FnMut(&Input<'_>) -> Option<regex_automata::Match>,
    ) -> Vec<(usize, usize)> {
        let (mut at, end) = span;
        let mut out = Vec::new();
        while at < end {
            let Some(m) = search(&Input::new(text).span(at..end)) else {
                break;
            };
            out.push((m.start(), m.end()));
            at = m.end().max(m.start() + 1);
        }
        out
    }

    #[test]
    fn engine_is_send_sync() {
        fn is<T: Send + Sync>() {}
        is::<Engine>();
    }
}
