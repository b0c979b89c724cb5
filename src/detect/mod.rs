//! The detection engine: finds sensitive values in a piece of text.
//!
//! Stages, cheapest first, so that most bytes are looked at once or twice:
//!
//! 1. a field-name hint (`ssn`, `password`…) marks a whole JSON value;
//! 2. one aho-corasick pass over every detector's keywords decides which
//!    keyword-anchored detectors run at all;
//! 3. one byte pass finds digit runs; numeric detectors only search
//!    windows around runs with enough digits ([`digits`]);
//! 4. candidate regexes run, then validators, entropy and exclusions;
//! 5. context words near the match (or in the JSON key) raise or lower the
//!    score; candidates under `min_score` are dropped;
//! 6. overlaps are resolved: highest score wins, then the longest span.
//!
//! An [`Engine`] is built once and shared immutably across threads; each
//! thread brings its own [`Scratch`] so scanning does not allocate in the
//! steady state.

mod chars;
mod cjk_address;
mod dates;
mod dictionary;
mod digits;
mod hl7;
mod labels;
pub mod names;
pub mod pack;
mod people;
mod phones;
mod propagate;
mod rules;
pub mod validate;

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex_automata::meta::{self, Regex};
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::Hir;

pub use dictionary::Dictionary;
pub use pack::PackError;
pub use propagate::Found;

use names::{Hit, Names};
use pack::{Anchor, DetectorSpec, PackFile};

include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));

/// Default threshold under which candidates are not findings.
pub const DEFAULT_MIN_SCORE: f32 = 0.5;

/// Upper bound on one compiled detector regex (NFA bytes).
const REGEX_SIZE_LIMIT: usize = 2 << 20;
/// Largest DFA (each direction) built for a window-searched detector; the
/// 73 of 74 such built-in regexes that fit take about 1 MB together.
const WINDOW_DFA_LIMIT: usize = 256 << 10;

type WindowDfa = regex_automata::dfa::regex::Regex;

/// A table keyed by normalised JSON keys, looked up for every JSON value
/// (and its parents' keys): a fast seeded hash, not SipHash. Its keys are
/// fixed when the engine is built, so a record's keys are only looked up,
/// never inserted, and a weaker hash cannot be turned into a collision
/// flood.
pub(crate) type KeyTable<V> = HashMap<String, V, foldhash::fast::RandomState>;

/// A detector that searches thousands of short digit windows per megabyte
/// pays the meta regex's per-search set-up on each (about 130 ns against
/// 30 ns for a prebuilt DFA on a 15-byte window, more once its lazy cache
/// competes with the others for the CPU cache), so its regex is also built
/// as a dense DFA when that stays under [`WINDOW_DFA_LIMIT`]. Same
/// leftmost-first semantics as the meta regex (tested against it);
/// `None` when it does not fit, and the meta regex is used.
fn window_dfa(pattern: &str) -> Option<Box<WindowDfa>> {
    use regex_automata::dfa::{dense, regex::Regex as DfaRegex};
    use regex_automata::nfa::thompson;
    DfaRegex::builder()
        .syntax(byte_syntax())
        .thompson(thompson::Config::new().utf8(false))
        .dense(
            dense::Config::new()
                .dfa_size_limit(Some(WINDOW_DFA_LIMIT))
                .determinize_size_limit(Some(WINDOW_DFA_LIMIT)),
        )
        .build(pattern)
        .ok()
        .map(Box::new)
}

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

/// Per-thread scratch space, reused across scans.
#[derive(Default)]
pub struct Scratch {
    caches: Vec<Option<Box<meta::Cache>>>,
    active: Vec<u64>,
    windows: Vec<digits::Window>,
    tight: Vec<digits::Window>,
    near: Vec<(u32, usize, usize)>,
    digit_set: SetScratch,
    bare_set: SetScratch,
    candidates: Vec<Finding>,
    hits: Vec<Hit>,
    lower: Vec<u8>,
    dict: dictionary::DictScratch,
    dict_hits: Vec<(usize, usize)>,
    /// Spans of a digit-run detector.
    runs: Vec<(usize, usize)>,
    /// The record rules' buffers and their findings (detector, span, score).
    rules: rules::RuleScratch,
    ruled: Vec<(u32, usize, usize, f32)>,
}

/// Reusable search state for one multi-pattern set.
#[derive(Default)]
struct SetScratch {
    cache: Option<Box<meta::Cache>>,
    hits: Option<regex_automata::PatternSet>,
}

impl SetScratch {
    /// Which patterns of `set` match in `text[start..end]`. The caller
    /// puts the returned set back into `self.hits` once done with it.
    fn which_match(
        &mut self,
        set: &Regex,
        text: &[u8],
        start: usize,
        end: usize,
    ) -> regex_automata::PatternSet {
        let mut cache = self
            .cache
            .take()
            .unwrap_or_else(|| Box::new(set.create_cache()));
        let mut hits = self
            .hits
            .take()
            .unwrap_or_else(|| regex_automata::PatternSet::new(set.pattern_len()));
        hits.clear();
        set.which_overlapping_matches_with(
            &mut cache,
            &Input::new(text).span(start..end),
            &mut hits,
        );
        self.cache = Some(cache);
        hits
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Scratch")
    }
}

/// The digit-anchored detectors, searched together.
#[derive(Debug)]
struct DigitSet {
    /// Pattern `i` is `detectors[i]`'s regex.
    set: Regex,
    detectors: Vec<u32>,
    /// The smallest `min_digits` of them: windows with fewer digits skip
    /// the set.
    min_digits: usize,
    /// Whether any regex consumes letters: then windows reach over
    /// neighbouring letters and digits, else they are the digit run and a
    /// margin.
    extend: bool,
}

/// The regex dialect of pattern packs: byte-oriented, `\d`, `\w`, `\b`
/// and `(?i)` ASCII only.
fn byte_syntax() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

/// A pack regex's syntax tree, for the compile-time checks that decide how
/// a detector runs (`None` if it does not parse).
fn byte_hir(pattern: &str) -> Option<Hir> {
    syntax::parse_with(pattern, &byte_syntax()).ok()
}

/// When no match of a regex can hold an ASCII letter, the fewest digits a
/// match holds; else 0.
fn numeric_min_digits(hir: &Hir) -> usize {
    use regex_syntax::hir::{Class, HirKind};
    /// The fewest digits a match holds.
    fn min_digits(h: &regex_syntax::hir::Hir) -> usize {
        let digits_only = |lo: u32, hi: u32| lo >= u32::from(b'0') && hi <= u32::from(b'9');
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => 0,
            HirKind::Literal(l) => l.0.iter().filter(|b| b.is_ascii_digit()).count(),
            HirKind::Class(Class::Bytes(c)) => usize::from(
                c.iter()
                    .all(|r| digits_only(u32::from(r.start()), u32::from(r.end()))),
            ),
            HirKind::Class(Class::Unicode(c)) => usize::from(
                c.iter()
                    .all(|r| digits_only(u32::from(r.start()), u32::from(r.end()))),
            ),
            HirKind::Repetition(r) => (r.min as usize).saturating_mul(min_digits(&r.sub)),
            HirKind::Capture(c) => min_digits(&c.sub),
            HirKind::Concat(v) => v.iter().map(min_digits).sum(),
            HirKind::Alternation(v) => v.iter().map(min_digits).min().unwrap_or(0),
        }
    }
    if consumes_letters(hir) {
        return 0;
    }
    min_digits(hir)
}

/// Whether a regex can consume an ASCII letter (look-arounds such as `\b`
/// do not count).
fn consumes_letters(hir: &Hir) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    fn walk(h: &regex_syntax::hir::Hir) -> bool {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => false,
            HirKind::Literal(l) => l.0.iter().any(u8::is_ascii_alphabetic),
            // A class of most bytes (`[^\w.]`, a boundary written as a
            // class) stands for "not part of the value", not for letters.
            HirKind::Class(Class::Bytes(c)) => {
                let size: u32 = c.iter().map(|r| u32::from(r.end() - r.start()) + 1).sum();
                size < 128
                    && c.iter()
                        .any(|r| overlaps_letters(u32::from(r.start()), u32::from(r.end())))
            }
            HirKind::Class(Class::Unicode(c)) => {
                let size: u32 = c
                    .iter()
                    .map(|r| u32::from(r.end()) - u32::from(r.start()) + 1)
                    .sum();
                size < 128
                    && c.iter()
                        .any(|r| overlaps_letters(u32::from(r.start()), u32::from(r.end())))
            }
            HirKind::Repetition(r) => walk(&r.sub),
            HirKind::Capture(c) => walk(&c.sub),
            HirKind::Concat(v) | HirKind::Alternation(v) => v.iter().any(walk),
        }
    }
    fn overlaps_letters(lo: u32, hi: u32) -> bool {
        let hits = |a: u8, z: u8| lo <= u32::from(z) && hi >= u32::from(a);
        hits(b'A', b'Z') || hits(b'a', b'z')
    }
    walk(hir)
}

/// Builds an [`Engine`] from the built-in packs and pack files.
#[derive(Debug, Clone)]
pub struct EngineBuilder {
    builtin: bool,
    files: Vec<(String, String)>,
    dictionaries: Vec<Dictionary>,
    min_score: f32,
    check_examples: bool,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder {
            builtin: true,
            files: Vec::new(),
            dictionaries: Vec::new(),
            min_score: DEFAULT_MIN_SCORE,
            check_examples: true,
        }
    }
}

impl EngineBuilder {
    /// A builder with the built-in packs and the default `min_score`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether to load the packs embedded in the binary.
    pub fn builtin(mut self, yes: bool) -> Self {
        self.builtin = yes;
        self
    }

    /// Adds a pack from text; `name` identifies it in errors.
    pub fn pack_text(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.files.push((name.into(), text.into()));
        self
    }

    /// Adds a pack file, or every `*.toml` file of a folder.
    pub fn pack_path(mut self, path: &Path) -> Result<Self, PackError> {
        let shown = path.display().to_string();
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| {
                PackError::new(&p.display().to_string(), None, format!("cannot read: {e}"))
            })
        };
        if path.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| PackError::new(&shown, None, format!("cannot read folder: {e}")))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            entries.sort();
            for p in entries {
                let text = read(&p)?;
                self.files.push((p.display().to_string(), text));
            }
        } else {
            let text = read(path)?;
            self.files.push((shown, text));
        }
        Ok(self)
    }

    /// Findings scoring under this are dropped.
    pub fn min_score(mut self, s: f32) -> Self {
        self.min_score = s;
        self
    }

    /// Adds a deny-list dictionary.
    pub fn dictionary(mut self, d: Dictionary) -> Self {
        self.dictionaries.push(d);
        self
    }

    /// Whether `build` runs every detector's examples and fails on the first
    /// that does not hold (default: yes; `patterns test` reports them all).
    pub fn check_examples(mut self, yes: bool) -> Self {
        self.check_examples = yes;
        self
    }

    /// Parses, checks and compiles every pack.
    pub fn build(self) -> Result<Engine, PackError> {
        let mut sources: Vec<(String, String)> = Vec::new();
        if self.builtin {
            for (file, text) in BUILTIN_PACKS {
                sources.push((format!("patterns/{file}"), (*text).to_string()));
            }
        }
        sources.extend(self.files);
        let mut packs = Vec::new();
        for (file, text) in &sources {
            packs.push((file.clone(), pack::parse(file, text)?));
        }
        let mut engine = Engine::compile(&packs, self.min_score)?;
        for d in self.dictionaries {
            engine.add_dictionary(d)?;
        }
        if self.check_examples {
            // Examples describe detectors at the default threshold; a
            // stricter `min_score` is the operator's choice, not a broken
            // pack.
            let configured = engine.min_score;
            engine.min_score = DEFAULT_MIN_SCORE;
            let failure = engine.test_examples().into_iter().next();
            engine.min_score = configured;
            if let Some(f) = failure {
                return Err(PackError::new(
                    &engine.packs[f.pack].file,
                    Some(&f.detector),
                    f.reason,
                ));
            }
        }
        Ok(engine)
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
    /// The digit-anchored regexes as one multi-pattern regex: one pass per
    /// window says which of them match at all, so a window costs one
    /// search, not one per detector.
    digit_set: Option<DigitSet>,
    /// Keyword-anchored detectors with a validator, and their regexes as
    /// one multi-pattern regex: run on short bare values (a JSON string
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
    /// An engine with the built-in packs and default settings.
    pub fn builtin() -> Result<Engine, PackError> {
        EngineBuilder::new().build()
    }

    fn compile(packs: &[(String, PackFile)], min_score: f32) -> Result<Engine, PackError> {
        let mut e = Engine {
            detectors: Vec::new(),
            entities: Vec::new(),
            packs: Vec::new(),
            keywords: None,
            keyword_detectors: Vec::new(),
            digit_detectors: Vec::new(),
            digit_set: None,
            bare_detectors: Vec::new(),
            bare_set: None,
            always_detectors: Vec::new(),
            hints: HashMap::default(),
            names: None,
            rules: None,
            min_score,
            sources: Vec::new(),
            dictionaries: Vec::new(),
        };
        let mut ids: HashMap<String, String> = HashMap::new();
        let mut keyword_index: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut keyword_list: Vec<Vec<u8>> = Vec::new();
        for (pi, (file, pf)) in packs.iter().enumerate() {
            let pack_idx = u16::try_from(pi)
                .map_err(|_| PackError::new(file, None, "too many packs (limit 65535)"))?;
            e.packs.push(PackInfo {
                name: pf.pack.name.clone(),
                file: file.clone(),
            });
            for spec in &pf.detectors {
                if let Some(prev) = ids.insert(spec.id.clone(), file.clone()) {
                    return Err(PackError::new(
                        file,
                        Some(&spec.id),
                        format!("duplicate detector id (first defined in {prev})"),
                    ));
                }
                let det = e.compile_detector(file, pack_idx, spec)?;
                let idx = u32::try_from(e.detectors.len())
                    .map_err(|_| PackError::new(file, None, "too many detectors"))?;
                match det.anchor {
                    Anchor::Keywords => {
                        for kw in &spec.keywords {
                            let lower = kw.to_ascii_lowercase().into_bytes();
                            let k = *keyword_index.entry(lower.clone()).or_insert_with(|| {
                                keyword_list.push(lower);
                                e.keyword_detectors.push(Vec::new());
                                keyword_list.len() - 1
                            });
                            e.keyword_detectors[k].push(idx);
                        }
                    }
                    Anchor::Digits => {
                        e.digit_detectors.push(idx);
                    }
                    Anchor::Always => e.always_detectors.push(idx),
                }
                e.detectors.push(det);
                e.sources.push(spec.regex.clone());
            }
            for hint in &pf.hints {
                let entity = e.entity_for(file, None, &hint.entity)?;
                let name = e.entity_name(entity).to_string();
                let id = format!("field-{}", name.to_ascii_lowercase().replace('_', "-"));
                let idx = match e.detectors.iter().position(|d| d.id == id) {
                    Some(i) => i,
                    None => {
                        e.detectors
                            .push(Detector::whole_value(id, entity, pack_idx, Kind::Hint));
                        e.sources.push(None);
                        e.detectors.len() - 1
                    }
                };
                for key in &hint.keys {
                    let k = pack::normalize_key(key);
                    if k.is_empty() {
                        return Err(PackError::new(
                            file,
                            None,
                            format!("hint key {key:?} has no letters or digits"),
                        ));
                    }
                    e.hints.insert(k, idx as u32);
                }
            }
        }
        e.digit_detectors
            .sort_by_key(|&d| e.detectors[d as usize].min_digits);
        e.digit_set = e.digit_set()?;
        e.bare_detectors = (0..e.detectors.len() as u32)
            .filter(|&d| {
                let det = &e.detectors[d as usize];
                det.anchor == Anchor::Keywords
                    && det.validator.is_some()
                    && matches!(det.kind, Kind::Regex { .. })
            })
            .collect();
        e.bare_set = e.build_set(&e.bare_detectors)?;
        if !keyword_list.is_empty() {
            let ac = AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                // Overlapping search: every occurrence of every keyword in
                // one pass (keywords inside other keywords included).
                .match_kind(MatchKind::Standard)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .prefilter(false)
                .build(&keyword_list)
                .map_err(|err| {
                    PackError::new("<packs>", None, format!("keyword automaton: {err}"))
                })?;
            e.keywords = Some(ac);
        }
        if e.detectors
            .iter()
            .any(|d| matches!(d.kind, Kind::Person | Kind::Location))
        {
            e.names = Some(Names::build().map_err(|r| PackError::new("patterns/dict", None, r))?);
            e.rules = Some(e.compile_rules()?);
        }
        Ok(e)
    }

    /// The record rules and a detector for each type they report.
    fn compile_rules(&mut self) -> Result<rules::Rules, PackError> {
        let dict = |r: String| PackError::new("patterns/dict", None, r);
        let labels = labels::Labels::build().map_err(dict)?;
        let dates = dates::Dates::build().map_err(dict)?;
        let hl7 = hl7::Hl7::build().map_err(dict)?;
        // Each rule detector carries a match example generated from its
        // table, so `patterns test` holds the rules to the same contract
        // as the packs.
        let add = |e: &mut Engine, file: &str, id: String, ty: &str, ex: Option<String>| {
            let entity = e.entity_for(file, None, ty)?;
            let mut d = Detector::whole_value(id, entity, 0, Kind::Rule);
            d.examples.matches.extend(ex);
            e.detectors.push(d);
            e.sources.push(None);
            Ok::<u32, PackError>(e.detectors.len() as u32 - 1)
        };
        let kebab = |t: &str| t.to_ascii_lowercase().replace('_', "-");
        let labels_file = "patterns/dict/labels.txt";
        let mut label_detectors = Vec::new();
        for (i, t) in labels.types().enumerate() {
            let id = format!("label-{}", kebab(t));
            label_detectors.push(add(self, labels_file, id, t, labels.example(i))?);
        }
        let mut hl7_detectors = Vec::new();
        for (i, t) in hl7.types().enumerate() {
            let id = format!("hl7-{}", kebab(t));
            let file = "patterns/dict/hl7_fields.txt";
            hl7_detectors.push(add(self, file, id, t, hl7.example(i))?);
        }
        let clinical_dates = add(
            self,
            labels_file,
            "clinical-date".to_string(),
            "DATE_TIME",
            Some("Patient seen on 03/04/2021 for follow-up.".to_string()),
        )?;
        let prose_dates = add(
            self,
            labels_file,
            "date-in-text".to_string(),
            "DATE_TIME",
            Some("The appointment moved to 12 March 2024.".to_string()),
        )?;
        let cjk_address = add(
            self,
            labels_file,
            "cjk-address".to_string(),
            "LOCATION",
            Some("〒100-0001 東京都千代田区千代田1丁目1番".to_string()),
        )?;
        let people = add(
            self,
            labels_file,
            "person-context".to_string(),
            "PERSON",
            Some("met with Zofia Qwertz, Jonas Weber and Anna Schmidt".to_string()),
        )?;
        Ok(rules::Rules {
            prose_dates,
            cjk_address,
            people,
            labels,
            dates,
            hl7,
            label_detectors,
            hl7_detectors,
            clinical_dates,
        })
    }

    /// One multi-pattern regex over the given detectors' regexes (pattern
    /// `i` is `detectors[i]`), for "which of these match here at all".
    fn build_set(&self, detectors: &[u32]) -> Result<Option<Regex>, PackError> {
        let patterns: Vec<&str> = detectors
            .iter()
            .filter_map(|&d| self.sources.get(d as usize).and_then(|s| s.as_deref()))
            .collect();
        if patterns.is_empty() || patterns.len() != detectors.len() {
            return Ok(None);
        }
        let set = Regex::builder()
            .syntax(byte_syntax())
            .configure(
                Regex::config()
                    .match_kind(regex_automata::MatchKind::All)
                    .utf8_empty(false)
                    .nfa_size_limit(Some(64 << 20))
                    .hybrid_cache_capacity(16 << 20),
            )
            .build_many(&patterns)
            .map_err(|err| PackError::new("<packs>", None, format!("detector set: {err}")))?;
        Ok(Some(set))
    }

    /// The digit-anchored detectors as one set. Measured against sets of
    /// 16 or 25 in `min_digits` order and against adding the numeric
    /// keyword detectors: every extra set costs each window another search,
    /// which on clean text outweighed the smaller lazy-DFA state space
    /// (decision 0009).
    fn digit_set(&self) -> Result<Option<DigitSet>, PackError> {
        let detectors = self.digit_detectors.clone();
        let Some(set) = self.build_set(&detectors)? else {
            return Ok(None);
        };
        let min_digits = detectors
            .iter()
            .map(|&d| self.detectors[d as usize].min_digits)
            .min()
            .unwrap_or(0);
        let extend = detectors.iter().any(|&d| {
            self.sources[d as usize]
                .as_deref()
                .and_then(byte_hir)
                .is_none_or(|h| consumes_letters(&h))
        });
        Ok(Some(DigitSet {
            set,
            detectors,
            min_digits,
            extend,
        }))
    }

    fn entity_for(
        &mut self,
        file: &str,
        det: Option<&str>,
        name: &str,
    ) -> Result<EntityId, PackError> {
        if !pack::is_upper_snake(name) {
            return Err(PackError::new(
                file,
                det,
                format!("type {name:?} is not an UPPER_SNAKE entity id"),
            ));
        }
        if let Some(i) = self.entities.iter().position(|e| e == name) {
            return Ok(EntityId(i as u16));
        }
        let i = u16::try_from(self.entities.len())
            .map_err(|_| PackError::new(file, det, "too many entity types"))?;
        self.entities.push(name.to_string());
        Ok(EntityId(i))
    }

    fn compile_detector(
        &mut self,
        file: &str,
        pack: u16,
        s: &DetectorSpec,
    ) -> Result<Detector, PackError> {
        let id = s.id.as_str();
        let err = |r: String| PackError::new(file, Some(id), r);
        if !pack::is_kebab(id) {
            return Err(err("id must be kebab-case (a-z, 0-9, single dashes)".into()));
        }
        let entity = self.entity_for(file, Some(id), &s.entity)?;
        let hir = s.regex.as_deref().and_then(byte_hir);
        let mut kind = match (&s.regex, &s.builtin) {
            (Some(_), Some(_)) => {
                return Err(err("give either `regex` or `builtin`, not both".into()))
            }
            (None, None) => return Err(err("missing `regex`".into())),
            (Some(re), None) => {
                let regex = Regex::builder()
                    .syntax(byte_syntax())
                    .configure(
                        Regex::config()
                            .utf8_empty(false)
                            .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                            .hybrid_cache_capacity(1 << 20),
                    )
                    .build(re)
                    .map_err(|e| err(format!("bad regex: {e}")))?;
                if let Some(g) = s.group {
                    if g == 0
                        || g >= regex
                            .group_info()
                            .group_len(regex_automata::PatternID::ZERO)
                    {
                        return Err(err(format!("group {g} does not exist in the regex")));
                    }
                }
                Kind::Regex {
                    regex,
                    group: s.group,
                    digit_run: match (s.group, &hir) {
                        (None, Some(h)) => digits::exact_run(h),
                        _ => None,
                    },
                    dfa: None,
                }
            }
            (None, Some(b)) => match b.as_str() {
                "person" => Kind::Person,
                "location" => Kind::Location,
                other => {
                    return Err(err(format!(
                        "unknown builtin {other:?} (known: person, location)"
                    )))
                }
            },
        };
        let anchor = match (s.anchor, s.keywords.is_empty(), &kind) {
            (_, _, Kind::Person | Kind::Location) => Anchor::Always,
            (Some(Anchor::Keywords) | None, false, _) => Anchor::Keywords,
            (Some(Anchor::Keywords) | None, true, _) => {
                return Err(err(
                    "no `keywords`: give keywords or set `anchor = \"digits\"` / `\"always\"`"
                        .into(),
                ))
            }
            (Some(a), _, _) => a,
        };
        // A keyword-anchored regex whose every match holds digits and no
        // letters runs in the digit stage, with the digits a match needs.
        let numeric_digits = match (&hir, anchor) {
            (Some(h), Anchor::Keywords) => numeric_min_digits(h),
            _ => 0,
        };
        let min_digits = match (anchor, s.min_digits) {
            (Anchor::Digits, Some(0) | None) => {
                return Err(err("`anchor = \"digits\"` needs `min_digits` >= 1".into()))
            }
            (Anchor::Digits, Some(n)) => n,
            _ => numeric_digits,
        };
        if let Kind::Regex {
            digit_run: None,
            dfa,
            ..
        } = &mut kind
        {
            // Searched on digit windows, not whole records.
            if anchor == Anchor::Digits || min_digits > 0 {
                *dfa = s.regex.as_deref().and_then(window_dfa);
            }
        }
        let keyword_distance =
            match (s.keyword_distance, anchor) {
                (None, _) => 0,
                (Some(0), _) => return Err(err("`keyword_distance` must be at least 1".into())),
                (Some(n), Anchor::Keywords) => n,
                (Some(_), _) => return Err(err(
                    "`keyword_distance` needs keyword anchoring (`keywords`, no other `anchor`)"
                        .into(),
                )),
            };
        if s.keywords.iter().any(|k| k.is_empty()) {
            return Err(err("empty keyword".into()));
        }
        let validator = match &s.validator {
            None => None,
            Some(v) => Some(validate::by_name(v).ok_or_else(|| {
                err(format!(
                    "unknown validator {v:?} (known: {})",
                    validate::names().collect::<Vec<_>>().join(", ")
                ))
            })?),
        };
        if !(0.0..=1.0).contains(&s.score) {
            return Err(err(format!("score {} is outside 0..=1", s.score)));
        }
        if s.examples.matches.is_empty() || s.examples.no_match.is_empty() {
            return Err(err(
                "needs at least one `examples.match` and one `examples.no_match`".into(),
            ));
        }
        let lower = |v: &[String]| {
            v.iter()
                .map(|w| w.to_ascii_lowercase().into_bytes())
                .collect()
        };
        Ok(Detector {
            id: id.to_string(),
            entity,
            pack,
            kind,
            anchor,
            min_digits,
            keyword_distance,
            validator,
            context: lower(&s.context),
            negative_context: lower(&s.negative_context),
            score: s.score,
            context_boost: s.context_boost,
            context_window: s.context_window,
            min_entropy: s.min_entropy,
            exclude: lower(&s.exclude),
            whole_value_boost: s.whole_value_boost,
            examples: s.examples.clone(),
        })
    }

    /// Compiles a dictionary into one more detector, `dictionary-<type>`
    /// (numbered when a type has several), in a pack of its own named
    /// `dictionary`.
    fn add_dictionary(&mut self, d: Dictionary) -> Result<(), PackError> {
        let entity = self.entity_for(&d.origin, None, &d.entity)?;
        let stem = format!(
            "dictionary-{}",
            d.entity.to_ascii_lowercase().replace('_', "-")
        );
        let mut id = stem.clone();
        let mut n = 1;
        while self.detectors.iter().any(|x| x.id == id) {
            n += 1;
            id = format!("{stem}-{n}");
        }
        let compiled = dictionary::Compiled::build(&d, false)?;
        let pack = u16::try_from(self.packs.len())
            .map_err(|_| PackError::new(&d.origin, None, "too many packs (limit 65535)"))?;
        self.packs.push(PackInfo {
            name: "dictionary".into(),
            file: d.origin.clone(),
        });
        let di = self.dictionaries.len() as u32;
        self.dictionaries.push(compiled);
        self.always_detectors.push(self.detectors.len() as u32);
        self.detectors.push(Detector::whole_value(
            id,
            entity,
            pack,
            Kind::Dictionary(di),
        ));
        self.sources.push(None);
        Ok(())
    }

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

    /// The keyword automaton of the prefilter (every detector's keywords,
    /// lower-cased), for tools that time that pass alone
    /// (`examples/stage_floor`).
    pub fn keyword_automaton(&self) -> Option<&AhoCorasick> {
        self.keywords.as_ref()
    }

    /// The entity type a JSON key marks its value as, if any.
    pub fn hint_for_key(&self, key: &str) -> Option<EntityId> {
        self.hints
            .get(pack::NormKey::new(key).as_str())
            .map(|&d| self.detectors[d as usize].entity)
    }

    /// Scans `text` and returns its findings, sorted by start. Convenience
    /// for tests and tools; the hot path uses [`Engine::scan_with`].
    pub fn scan(&self, text: &[u8]) -> Vec<Finding> {
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        self.scan_with(text, None, &mut scratch, &mut out);
        out
    }

    /// Scans `text` into `out` (cleared first), sorted by start, without
    /// overlaps. `key` is the JSON key the value sits under, if any: a hint
    /// key marks the whole value, and its words count as context.
    pub fn scan_with(
        &self,
        text: &[u8],
        key: Option<&str>,
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
    ) {
        self.scan_field(text, key.as_slice(), scratch, out);
    }

    /// [`Engine::scan_with`] for a JSON value under object `keys` (root
    /// first): the nearest key that is a field-name hint marks the whole
    /// value (`{"password": {"old": …}}` marks `old`); else the nearest
    /// key's words count as context. Each key is normalised and looked up
    /// once, as this runs for every JSON value.
    pub fn scan_field(
        &self,
        text: &[u8],
        keys: &[&str],
        scratch: &mut Scratch,
        out: &mut Vec<Finding>,
    ) {
        out.clear();
        let mut nearest = None;
        for k in keys.iter().rev() {
            let norm = pack::NormKey::new(k);
            if let Some(&d) = self.hints.get(norm.as_str()) {
                if let Some(f) = self.hint_finding(text, d) {
                    out.push(f);
                }
                return;
            }
            nearest.get_or_insert(norm);
        }
        self.candidates(
            text,
            nearest.as_ref().map(pack::NormKey::as_str),
            None,
            scratch,
        );
        resolve_overlaps(&mut scratch.candidates, out);
    }

    fn hint_finding(&self, text: &[u8], d: u32) -> Option<Finding> {
        let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
        let end = text.iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
        Some(Finding {
            start,
            end,
            entity: self.detectors[d as usize].entity,
            detector: DetectorId(d),
            score: 1.0,
        })
    }

    /// Fills `scratch.candidates` with every scored candidate at or over
    /// `min_score`; `only` restricts the scan to one detector.
    fn candidates(&self, text: &[u8], key: Option<&str>, only: Option<u32>, s: &mut Scratch) {
        s.candidates.clear();
        if s.caches.len() != self.detectors.len() {
            s.caches.clear();
            s.caches.resize_with(self.detectors.len(), || None);
            s.active = vec![0; self.detectors.len().div_ceil(64)];
        }
        let wanted = |d: u32| only.is_none_or(|o| o == d);
        s.active.fill(0);

        // Keyword-anchored detectors: one automaton pass marks which run.
        if let Some(ac) = &self.keywords {
            let mut any = false;
            s.near.clear();
            for m in ac.find_overlapping_iter(text) {
                for &d in &self.keyword_detectors[m.pattern().as_usize()] {
                    let reach = self.detectors[d as usize].keyword_distance;
                    if reach > 0 {
                        let ws = m.start().saturating_sub(reach);
                        let we = m.end().saturating_add(reach).min(text.len());
                        s.near.push((d, ws, we));
                    } else {
                        s.active[(d / 64) as usize] |= 1 << (d % 64);
                        any = true;
                    }
                }
            }
            // Keyword-near detectors: each searches its merged windows.
            if !s.near.is_empty() {
                let mut near = std::mem::take(&mut s.near);
                near.sort_unstable();
                let mut i = 0;
                while i < near.len() {
                    let (d, ws, mut we) = near[i];
                    i += 1;
                    while i < near.len() && near[i].0 == d && near[i].1 <= we {
                        we = we.max(near[i].2);
                        i += 1;
                    }
                    if wanted(d) {
                        self.run_regex(d, text, ws, we, key, s);
                    }
                }
                s.near = near;
            }
            if any {
                let mut tight_done = false;
                for w in 0..s.active.len() {
                    let mut bits = s.active[w];
                    while bits != 0 {
                        let d = (w * 64) as u32 + bits.trailing_zeros();
                        bits &= bits - 1;
                        if !wanted(d) {
                            continue;
                        }
                        // A keyword detector with `min_digits` is numeric
                        // (set from its regex at compile time).
                        if self.detectors[d as usize].min_digits == 0 {
                            self.run_regex(d, text, 0, text.len(), key, s);
                        } else {
                            // Every match holds a digit and no letter, so it
                            // lies inside a tight digit window.
                            if !tight_done {
                                digits::windows(text, 1, false, &mut s.tight);
                                // All the digits a match inside can use.
                                for w in &mut s.tight {
                                    w.digits = text[w.start..w.end]
                                        .iter()
                                        .filter(|b| b.is_ascii_digit())
                                        .count();
                                }
                                tight_done = true;
                            }
                            let need = self.detectors[d as usize].min_digits;
                            let tight = std::mem::take(&mut s.tight);
                            for w in tight.iter().filter(|w| w.digits >= need) {
                                self.run_regex(d, text, w.start, w.end, key, s);
                            }
                            s.tight = tight;
                        }
                    }
                }
            }
        }

        // Short bare values: validated keyword detectors run without their
        // keyword (candidates still need the whole-value boost or context).
        let bare = bare_span(text);
        if let (Some((bs, be)), Some(set)) = (bare, &self.bare_set) {
            let hits = s.bare_set.which_match(set, text, bs, be);
            for p in hits.iter() {
                let d = self.bare_detectors[p.as_usize()];
                if wanted(d) {
                    self.run_regex(d, text, bs, be, key, s);
                }
            }
            s.bare_set.hits = Some(hits);
        }

        // Digit-anchored detectors: only around runs of digits.
        if let Some(ds) = &self.digit_set {
            let mut windows = std::mem::take(&mut s.windows);
            match bare {
                // A short bare value is one window: no margin to miss.
                Some((bs, be)) => {
                    windows.clear();
                    let n = text[bs..be].iter().filter(|b| b.is_ascii_digit()).count();
                    if n > 0 {
                        windows.push(digits::Window {
                            start: bs,
                            end: be,
                            digits: n,
                        });
                    }
                }
                None => digits::windows(text, ds.min_digits, ds.extend, &mut windows),
            }
            for w in &windows {
                if ds.min_digits > w.digits {
                    continue;
                }
                let hits = s.digit_set.which_match(&ds.set, text, w.start, w.end);
                for p in hits.iter() {
                    let d = ds.detectors[p.as_usize()];
                    if self.detectors[d as usize].min_digits <= w.digits && wanted(d) {
                        self.run_regex(d, text, w.start, w.end, key, s);
                    }
                }
                s.digit_set.hits = Some(hits);
            }
            s.windows = windows;
        }

        for &d in &self.always_detectors {
            if !wanted(d) {
                continue;
            }
            match &self.detectors[d as usize].kind {
                Kind::Regex { .. } => self.run_regex(d, text, 0, text.len(), key, s),
                Kind::Person | Kind::Location => self.run_names(d, text, key, s),
                Kind::Dictionary(i) => self.run_dictionary(d, *i, text, key, s),
                Kind::Hint | Kind::Rule => {}
            }
        }
        self.run_rules(text, key, only, s);
    }

    /// The record rules (labelled fields, clinical dates, HL7 fields).
    fn run_rules(&self, text: &[u8], key: Option<&str>, only: Option<u32>, s: &mut Scratch) {
        let (Some(rules), Some(names)) = (&self.rules, &self.names) else {
            return;
        };
        let mut found = std::mem::take(&mut s.ruled);
        found.clear();
        rules.find(
            text,
            key.is_none(),
            names,
            &mut s.rules,
            |d, st, en, score| {
                if only.is_none_or(|o| o == d) {
                    found.push((d, st, en, score));
                }
            },
        );
        if let Some(header) = rules.hl7.header_end(text) {
            s.candidates.retain(|c| c.start >= header);
        }
        for &(d, st, en, score) in &found {
            let score = if rules.label_detectors.contains(&d) {
                self.label_score(d, st, en, score, &s.candidates)
            } else {
                score
            };
            self.consider(d, text, st, en, score, key, s);
        }
        s.ruled = found;
    }

    /// A label's type wins over what a pattern guessed from the value's
    /// shape alone (a birth date read as a phone number), but yields to a
    /// pattern of a more precise type on the same value: `passport
    /// J976293N4` is a German passport, `MAC address 00:1A:…` a MAC.
    fn label_score(&self, d: u32, st: usize, en: usize, score: f32, cands: &[Finding]) -> f32 {
        const SHAPE_ONLY: &[&str] = &["PHONE_NUMBER", "DATE_TIME", "PERSON", "LOCATION"];
        let own = self.detectors[d as usize].entity;
        let precise = cands
            .iter()
            .filter(|c| c.start < en && st < c.end && c.entity != own)
            .filter(|c| !SHAPE_ONLY.contains(&self.entity_name(c.entity)))
            .map(|c| c.score)
            .fold(None, |m: Option<f32>, x| Some(m.map_or(x, |m| m.max(x))));
        // A label inside a value already found whole as the same type
        // (`CEP 01234-567` inside an address field) leaves it whole.
        let whole = cands
            .iter()
            .filter(|c| c.entity == own && c.start <= st && en <= c.end)
            .filter(|c| c.end - c.start > en - st)
            .map(|c| c.score)
            .fold(None, |m: Option<f32>, x| Some(m.map_or(x, |m| m.max(x))));
        match precise.into_iter().chain(whole).reduce(f32::max) {
            Some(p) => score.min(p - 0.01),
            None => score,
        }
    }

    /// Whole-word matches of dictionary `i` (see `dictionary`).
    fn run_dictionary(&self, d: u32, i: u32, text: &[u8], key: Option<&str>, s: &mut Scratch) {
        let mut hits = std::mem::take(&mut s.dict_hits);
        hits.clear();
        self.dictionaries[i as usize].find(text, &mut s.dict, |st, en| hits.push((st, en)));
        for &(st, en) in &hits {
            self.consider(d, text, st, en, 1.0, key, s);
        }
        s.dict_hits = hits;
    }

    fn run_names(&self, d: u32, text: &[u8], key: Option<&str>, s: &mut Scratch) {
        let Some(names) = &self.names else { return };
        let det = &self.detectors[d as usize];
        s.hits.clear();
        let mut hits = std::mem::take(&mut s.hits);
        match det.kind {
            Kind::Person => names.find_persons(text, key, &mut hits),
            Kind::Location => names.find_locations(text, key, &mut hits),
            _ => {}
        }
        for h in &hits {
            if h.start < h.end && h.end <= text.len() {
                self.consider(d, text, h.start, h.end, h.score, key, s);
            }
        }
        s.hits = hits;
    }

    /// Runs detector `d`'s regex over `text[start..end]` (look-around sees
    /// the whole text) and considers every match.
    fn run_regex(
        &self,
        d: u32,
        text: &[u8],
        start: usize,
        end: usize,
        key: Option<&str>,
        s: &mut Scratch,
    ) {
        let det = &self.detectors[d as usize];
        let Kind::Regex {
            regex,
            group,
            digit_run,
            dfa,
        } = &det.kind
        else {
            return;
        };
        if let Some(lengths) = *digit_run {
            let mut hits = std::mem::take(&mut s.runs);
            hits.clear();
            digits::runs(text, start, end, lengths, |st, en| hits.push((st, en)));
            for &(st, en) in &hits {
                self.consider(d, text, st, en, det.score, key, s);
            }
            s.runs = hits;
            return;
        }
        // Taken out of the scratch while searching (`consider` needs the
        // rest of it); boxed because a `Cache` is large and only the pointer
        // should move.
        let mut cache = s.caches[d as usize]
            .take()
            .unwrap_or_else(|| Box::new(regex.create_cache()));
        let mut at = start;
        while at < end {
            let input = Input::new(text).span(at..end);
            // A dense DFA without quit bytes cannot fail; if it ever did,
            // the meta regex answers instead.
            let found = match dfa.as_deref().map(|r| r.try_search(&input)) {
                Some(Ok(m)) => m,
                _ => regex.search_with(&mut cache, &input),
            };
            let Some(m) = found else {
                break;
            };
            at = if m.end() > m.start() {
                m.end()
            } else {
                m.end() + 1
            };
            if m.is_empty() {
                continue;
            }
            let (ms, me) = match group {
                None => (m.start(), m.end()),
                Some(g) => {
                    let mut caps = regex.create_captures();
                    let input = Input::new(text)
                        .span(m.start()..m.end())
                        .anchored(Anchored::Yes);
                    regex.search_captures_with(&mut cache, &input, &mut caps);
                    match caps.get_group(*g) {
                        Some(sp) if !sp.is_empty() => (sp.start, sp.end),
                        _ => continue,
                    }
                }
            };
            self.consider(d, text, ms, me, det.score, key, s);
        }
        s.caches[d as usize] = Some(cache);
    }

    /// Applies validator, entropy, exclusions and context to one span.
    #[allow(clippy::too_many_arguments)]
    fn consider(
        &self,
        d: u32,
        text: &[u8],
        start: usize,
        end: usize,
        base: f32,
        key: Option<&str>,
        s: &mut Scratch,
    ) {
        let det = &self.detectors[d as usize];
        let span = &text[start..end];
        if let Some(v) = det.validator {
            if !v(span) {
                return;
            }
        }
        if let Some(min) = det.min_entropy {
            if entropy(span) < min {
                return;
            }
        }
        if !det.exclude.is_empty() && det.exclude.iter().any(|x| contains_ci(span, x)) {
            return;
        }
        // A group of a UUID is not an id of its own (the last group is
        // twelve hex digits, all decimal one time in 35).
        if matches!(det.kind, Kind::Regex { .. }) && inside_uuid(text, start, end) {
            return;
        }
        let mut score = base;
        // A value that is nothing but the candidate (a JSON string holding
        // only an id, a bare line) is more likely that id than the same
        // digits inside prose or a log line.
        if det.whole_value_boost > 0.0 && is_whole_value(text, start, end) {
            score = (score + det.whole_value_boost).min(1.0);
        }
        if !det.context.is_empty() || !det.negative_context.is_empty() {
            let ws = start.saturating_sub(det.context_window);
            let we = (end + det.context_window).min(text.len());
            s.lower.clear();
            s.lower
                .extend(text[ws..we].iter().map(u8::to_ascii_lowercase));
            let near = |words: &[Vec<u8>]| {
                words.iter().any(|w| {
                    has_word(&s.lower, w)
                        || key.is_some_and(|k| find_short(k.as_bytes(), w).next().is_some())
                })
            };
            if near(&det.context) {
                score += det.context_boost;
            } else if epoch_millis(span) && !is_whole_value(text, start, end) {
                // Thirteen digits between 2001 and 2036 in milliseconds are
                // a log's clock unless the id's own words stand near.
                return;
            }
            if near(&det.negative_context) {
                score -= det.context_boost;
            }
            score = score.clamp(0.0, 1.0);
        }
        if score + f32::EPSILON < self.min_score {
            return;
        }
        s.candidates.push(Finding {
            start,
            end,
            entity: det.entity,
            detector: DetectorId(d),
            score,
        });
    }

    /// Runs every detector's examples; returns the ones that do not hold.
    pub fn test_examples(&self) -> Vec<ExampleFailure> {
        let mut failures = Vec::new();
        let mut s = Scratch::default();
        for (i, det) in self.detectors.iter().enumerate() {
            let d = i as u32;
            let fail = |reason: String| ExampleFailure {
                pack: det.pack as usize,
                detector: det.id.clone(),
                reason,
            };
            for ex in &det.examples.matches {
                self.candidates(ex.as_bytes(), None, Some(d), &mut s);
                if s.candidates.is_empty() {
                    failures.push(fail(format!("example does not match: {ex:?}")));
                }
            }
            for ex in &det.examples.no_match {
                self.candidates(ex.as_bytes(), None, Some(d), &mut s);
                if let Some(c) = s.candidates.first() {
                    failures.push(fail(format!(
                        "no_match example matches at {}..{} (score {:.2}): {ex:?}",
                        c.start, c.end, c.score
                    )));
                }
            }
        }
        failures
    }
}

/// Keeps the best non-overlapping candidates: highest score, then longest,
/// then leftmost. `out` ends sorted by start.
fn resolve_overlaps(cands: &mut [Finding], out: &mut Vec<Finding>) {
    cands.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then((b.end - b.start).cmp(&(a.end - a.start)))
            .then(a.start.cmp(&b.start))
            .then(a.detector.cmp(&b.detector))
    });
    for c in cands.iter() {
        let pos = out.partition_point(|f| f.start < c.start);
        let clash_before = pos > 0 && out[pos - 1].end > c.start;
        let clash_after = pos < out.len() && out[pos].start < c.end;
        if !clash_before && !clash_after {
            out.insert(pos, *c);
        }
    }
}

/// Whether `span` is thirteen digits read as Unix milliseconds between
/// 2001-09 and 2036-07 (1.0e12 ..= 2.1e12).
fn epoch_millis(span: &[u8]) -> bool {
    span.len() == 13
        && span.iter().all(u8::is_ascii_digit)
        && span >= &b"1000000000000"[..]
        && span <= &b"2100000000000"[..]
}

/// Whether `text[start..end]` lies within a UUID (`8-4-4-4-12` hex digits)
/// and is not the whole of it.
fn inside_uuid(text: &[u8], start: usize, end: usize) -> bool {
    let hexish = |b: &u8| b.is_ascii_hexdigit() || *b == b'-';
    let s = text[..start]
        .iter()
        .rposition(|b| !hexish(b))
        .map_or(0, |p| p + 1);
    let e = text[end..]
        .iter()
        .position(|b| !hexish(b))
        .map_or(text.len(), |p| end + p);
    let t = &text[s..e];
    t.len() == 36
        && (s, e) != (start, end)
        && t.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// True when `word` (lower-case) occurs in `hay` (lower-case) with no ASCII
/// alphanumeric right before or after it: "lic" is not in "public".
fn has_word(hay: &[u8], word: &[u8]) -> bool {
    find_short(hay, word).any(|p| {
        let before = p == 0 || !hay[p - 1].is_ascii_alphanumeric();
        let after = p + word.len() >= hay.len() || !hay[p + word.len()].is_ascii_alphanumeric();
        before && after
    })
}

/// Start offsets of `needle` in a short `hay`. Cheaper than `memmem` here:
/// building a `memmem::Finder` costs more than searching a context window.
fn find_short<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let first = needle.first().copied().unwrap_or(0);
    memchr::memchr_iter(first, hay)
        .filter(move |&p| !needle.is_empty() && hay[p..].starts_with(needle))
}

/// Longest value treated as a bare value (see `bare_detectors`).
const BARE_MAX_BYTES: usize = 64;

/// The trimmed span of `text` when it is a short value holding a digit.
fn bare_span(text: &[u8]) -> Option<(usize, usize)> {
    if text.len() > BARE_MAX_BYTES + 8 {
        return None;
    }
    let pad = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'');
    let start = text.iter().position(|b| !pad(b))?;
    let end = text.iter().rposition(|b| !pad(b))? + 1;
    (end - start <= BARE_MAX_BYTES && text[start..end].iter().any(u8::is_ascii_digit))
        .then_some((start, end))
}

/// True when `text[start..end]` is all of `text` but ASCII whitespace,
/// quotes and trailing punctuation.
fn is_whole_value(text: &[u8], start: usize, end: usize) -> bool {
    let pad = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'.' | b',' | b';');
    text[..start].iter().all(pad) && text[end..].iter().all(pad)
}

/// ASCII case-insensitive substring test (`needle` already lower-case).
fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay.windows(needle.len()).any(|w| {
            w.iter()
                .zip(needle)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
        })
}

/// Shannon entropy in bits per byte.
fn entropy(s: &[u8]) -> f32 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f32;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine(pack: &str) -> Result<Engine, PackError> {
        EngineBuilder::new()
            .builtin(false)
            .pack_text("test.toml", pack)
            .build()
    }

    const EMAIL: &str = r#"
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
    fn context_is_whole_word() {
        let e = engine(EMAIL).unwrap();
        assert!(e.scan(b"cardinal 4111 1111 1111 1111").is_empty());
        // A bare value that is only the number gets the whole-value boost.
        assert_eq!(e.scan(b" 4111 1111 1111 1111\n").len(), 1);
        assert_eq!(e.scan(b"Card: 4111 1111 1111 1111").len(), 1);
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

    #[test]
    fn overlaps_keep_best() {
        let mut c = vec![
            Finding {
                start: 0,
                end: 10,
                entity: EntityId(0),
                detector: DetectorId(0),
                score: 0.6,
            },
            Finding {
                start: 5,
                end: 20,
                entity: EntityId(1),
                detector: DetectorId(1),
                score: 0.9,
            },
            Finding {
                start: 20,
                end: 22,
                entity: EntityId(1),
                detector: DetectorId(2),
                score: 0.5,
            },
            Finding {
                start: 5,
                end: 8,
                entity: EntityId(1),
                detector: DetectorId(3),
                score: 0.9,
            },
        ];
        let mut out = Vec::new();
        resolve_overlaps(&mut c, &mut out);
        let spans: Vec<_> = out.iter().map(|f| (f.start, f.end)).collect();
        assert_eq!(spans, vec![(5, 20), (20, 22)]);
    }

    #[test]
    fn bad_packs_name_file_detector_and_reason() {
        let cases = [
            (EMAIL.replace("[a-z]{2,}'", "[a-z]{2,'"), "`email`: bad regex"),
            (format!("{EMAIL}\n[[detector]]\nid = \"email\"\ntype = \"X\"\nregex = 'x'\nkeywords = [\"x\"]\nexamples.match = [\"x\"]\nexamples.no_match = [\"y\"]\n"), "`email`: duplicate detector id"),
            (EMAIL.replace("validator = \"luhn\"", "validator = \"lunh\""), "`card`: unknown validator \"lunh\""),
            (EMAIL.replace("examples.match = [\"a@b.io\"]", "examples.match = [\"a@b\"]"), "`email`: example does not match: \"a@b\""),
            (EMAIL.replace("examples.no_match = [\"a at b\"]", "examples.no_match = [\"x@y.com\"]"), "`email`: no_match example matches"),
            (EMAIL.replace("min_digits = 13", "min_digits = 13\nkeyword_distance = 9"), "`card`: `keyword_distance` needs keyword anchoring"),
        ];
        for (pack, want) in cases {
            let err = engine(&pack).unwrap_err().to_string();
            assert!(err.starts_with("test.toml: detector "), "{err}");
            assert!(err.contains(want), "{err} lacks {want}");
        }
    }

    #[test]
    fn keyword_distance_searches_only_near_keywords() {
        let near = EMAIL.replace(
            "keywords = [\"@\"]",
            "keywords = [\"@\"]\nkeyword_distance = 12",
        );
        let e = engine(&near).expect("pack");
        let pad = "x ".repeat(200);
        let text = format!("{pad}jo@ex.io {pad} ann@mail.example.org");
        let found: Vec<_> = e
            .scan(text.as_bytes())
            .iter()
            .map(|f| &text[f.start..f.end])
            .collect();
        // Both found around their own `@`; the second is cut 12 bytes after
        // it, which shows the search stayed inside the window.
        assert_eq!(found, ["jo@ex.io", "ann@mail.example"]);
    }

    #[test]
    fn bare_digit_ids_skip_the_regex() {
        let e = Engine::builtin().expect("builtin");
        let runs: Vec<&str> = e
            .detectors()
            .iter()
            .filter(|d| {
                matches!(
                    d.kind,
                    Kind::Regex {
                        digit_run: Some(_),
                        ..
                    }
                )
            })
            .map(Detector::id)
            .collect();
        assert!(runs.contains(&"us-ssn-bare"), "{runs:?}");
        assert!(runs.contains(&"us-bank-account"), "{runs:?}");
        assert!(runs.len() >= 10, "{runs:?}");
        // Found through the run scan, with context, not in a longer run.
        let found = e.scan(b"ssn: 536228726, ref 5362287261234567890");
        let ssn: Vec<_> = found
            .iter()
            .filter(|f| e.entity_name(f.entity) == "US_SSN")
            .map(|f| (f.start, f.end))
            .collect();
        assert_eq!(ssn, vec![(5, 14)]);
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
    fn window_dfas_find_what_the_meta_regex_finds() {
        let e = Engine::builtin().expect("builtin");
        let with_dfa: Vec<(&Detector, &Regex, &WindowDfa)> = e
            .detectors()
            .iter()
            .filter_map(|d| match &d.kind {
                Kind::Regex {
                    regex,
                    dfa: Some(dfa),
                    ..
                } => Some((d, regex, &**dfa)),
                _ => None,
            })
            .collect();
        // The digit-anchored and numeric keyword detectors have one.
        assert!(with_dfa.len() >= 60, "{}", with_dfa.len());
        assert!(with_dfa.iter().any(|(d, ..)| d.id() == "credit-card"));
        assert!(with_dfa
            .iter()
            .any(|(d, ..)| d.id() == "phone-number-national"));
        // Texts: every detector's examples, seeded sample records, and
        // digit-and-separator noise, searched on whole lines and on the
        // digit windows the engine uses.
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for (d, ..) in &with_dfa {
            texts.extend(d.match_examples().iter().map(|x| x.as_bytes().to_vec()));
        }
        let (corpus, _) = crate::sample::corpus(
            7,
            96 << 10,
            &[
                crate::sample::Kind::JsonEvent,
                crate::sample::Kind::Chat,
                crate::sample::Kind::Log,
                crate::sample::Kind::Clean,
            ],
        );
        texts.extend(corpus.lines().map(|l| l.as_bytes().to_vec()));
        let mut r = crate::sample::Rng::new(11);
        let alphabet = b"0123456789012345678901234567890123456789 -./:()+ABXZabxz";
        for _ in 0..2_000 {
            let n = 4 + r.below(40);
            texts.push(
                (0..n)
                    .map(|_| alphabet[r.below(alphabet.len() as u64) as usize])
                    .collect(),
            );
        }
        let mut checked = 0usize;
        for text in &texts {
            let mut spans = vec![(0, text.len())];
            let mut windows = Vec::new();
            digits::windows(text, 1, true, &mut windows);
            spans.extend(windows.iter().map(|w| (w.start, w.end)));
            digits::windows(text, 1, false, &mut windows);
            spans.extend(windows.iter().map(|w| (w.start, w.end)));
            for (d, regex, dfa) in &with_dfa {
                let mut cache = regex.create_cache();
                for &span in &spans {
                    let meta = all_matches(text, span, |i| regex.search_with(&mut cache, i));
                    let fast =
                        all_matches(text, span, |i| dfa.try_search(i).expect("no quit bytes"));
                    assert_eq!(
                        meta,
                        fast,
                        "{} on {:?} {span:?}",
                        d.id(),
                        String::from_utf8_lossy(text)
                    );
                    checked += meta.len();
                }
            }
        }
        assert!(checked > 5_000, "{checked} matches compared");
    }

    #[test]
    fn nearest_hint_key_above_a_value_marks_it() {
        let e = Engine::builtin().expect("builtin");
        let ssn = e.hint_for_key("ssn").expect("ssn is a hint key");
        let (mut s, mut out) = (Scratch::default(), Vec::new());
        let text = b" not-a-number ";
        // An ancestor hint marks a nested value, whatever its own key.
        e.scan_field(text, &["user", "SSN", "old"], &mut s, &mut out);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!((out[0].entity, out[0].start, out[0].end), (ssn, 1, 13));
        // Without a hint key above it, the value is scanned as usual.
        e.scan_field(text, &["user", "note"], &mut s, &mut out);
        assert!(out.is_empty(), "{out:?}");
        // One key is `scan_with`'s key.
        let card = b"card 4111 1111 1111 1111";
        let mut with = Vec::new();
        e.scan_with(card, Some("payment"), &mut s, &mut with);
        e.scan_field(card, &["payment"], &mut s, &mut out);
        assert!(!with.is_empty());
        assert_eq!(out, with);
    }

    #[test]
    fn engine_is_send_sync() {
        fn is<T: Send + Sync>() {}
        is::<Engine>();
    }

    #[test]
    fn entropy_of_uniform_bytes() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-6);
    }
}
