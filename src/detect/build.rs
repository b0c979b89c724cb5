//! Building an [`Engine`]: packs parsed and checked, every detector
//! compiled (regexes, digit-run shapes, keyword and digit sets), the field
//! hints, names and record rules loaded, dictionaries added, examples run.

use std::collections::HashMap;
use std::path::Path;

use aho_corasick::{AhoCorasickBuilder, MatchKind};
use regex_automata::meta::Regex;
use regex_syntax::hir::Hir;

use super::names::Names;
use super::pack::{self, Anchor, DetectorSpec, PackError, PackFile};
use super::regexes::{byte_hir, byte_syntax, consumes_letters, numeric_min_digits, window_dfa};
use super::{
    dates, dictionary, digits, hl7, labels, rules, shape, validate, Detector, Dictionary, Engine,
    EntityId, Kind, PackInfo, DEFAULT_MIN_SCORE,
};

include!(concat!(env!("OUT_DIR"), "/builtin_packs.rs"));

/// Upper bound on one compiled detector regex (NFA bytes).
const REGEX_SIZE_LIMIT: usize = 2 << 20;

/// The digit-anchored detectors, searched together.
#[derive(Debug)]
pub(super) struct DigitSet {
    /// Pattern `i` is the shape of `detectors[i]`'s regex ([`shape`]),
    /// searched on a window's shape.
    pub(super) set: Regex,
    pub(super) detectors: Vec<u32>,
    /// The smallest `min_digits` of them: windows with fewer digits skip
    /// the set.
    pub(super) min_digits: usize,
    /// Whether any regex consumes letters: then windows reach over
    /// neighbouring letters and digits, else they are the digit run and a
    /// margin.
    pub(super) extend: bool,
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

    /// Whether `build` runs the examples of the pack files' detectors (not
    /// the built-in packs', which `patterns test` and CI run) and fails on
    /// the first that does not hold (default: yes; `patterns test` reports
    /// them all).
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
        let builtin_packs = sources.len();
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
            // pack. The built-in packs' examples are run by `patterns test`
            // and the test suite, not at every start (decision 0055): only
            // the operator's own packs are checked here.
            let configured = engine.min_score;
            engine.min_score = DEFAULT_MIN_SCORE;
            let failure = engine.test_examples_from(builtin_packs).into_iter().next();
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

impl Engine {
    /// An engine with the built-in packs and default settings.
    pub fn builtin() -> Result<Engine, PackError> {
        EngineBuilder::new().build()
    }

    fn compile(packs: &[(String, PackFile)], min_score: f32) -> Result<Engine, PackError> {
        // Start-up (decision 0055): the detectors' regexes are built on two
        // threads, the second also building the dictionaries (only
        // `builtin` detectors use them).
        let patterns: Vec<&str> = packs
            .iter()
            .flat_map(|(_, pf)| pf.detectors.iter().filter_map(|d| d.regex.as_deref()))
            .collect();
        let wants_names = packs
            .iter()
            .any(|(_, pf)| pf.detectors.iter().any(|d| d.builtin.is_some()));
        let (built, dicts, ()) = on_two_threads(
            &patterns,
            |&p| (p.to_string(), detector_regex(p)),
            || wants_names.then(|| (Names::build(), labels::Labels::build())),
            || (),
        )?;
        let mut e = Engine::compile_with(packs, min_score, built.into_iter().collect())?;
        if let Some((names, labels)) = dicts {
            let dict = |r: String| PackError::new("patterns/dict", None, r);
            e.names = Some(names.map_err(dict)?);
            e.rules = Some(e.compile_rules(labels.map_err(dict)?)?);
        }
        Ok(e)
    }

    fn compile_with(
        packs: &[(String, PackFile)],
        min_score: f32,
        mut prebuilt: HashMap<String, Result<Regex, String>>,
    ) -> Result<Engine, PackError> {
        let mut e = Engine {
            detectors: Vec::new(),
            entities: Vec::new(),
            packs: Vec::new(),
            keywords: None,
            keyword_detectors: Vec::new(),
            digit_detectors: Vec::new(),
            iban_detectors: Vec::new(),
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
                let det = e.compile_detector(file, pack_idx, spec, &mut prebuilt)?;
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
                    Anchor::IbanPrefix => e.iban_detectors.push(idx),
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
        e.bare_detectors = (0..e.detectors.len() as u32)
            .filter(|&d| {
                let det = &e.detectors[d as usize];
                det.anchor == Anchor::Keywords
                    && det.validator.is_some()
                    && matches!(det.kind, Kind::Regex { .. })
            })
            .collect();
        // Start-up (decision 0055): the window DFAs on two threads, the
        // second also building the keyword automaton, this one the sets.
        let windowed = e.windowed_detectors();
        let (dfas, keywords, sets) = on_two_threads(
            &windowed,
            |(d, re)| (*d, window_dfa(re)),
            || keyword_automaton(&keyword_list),
            || {
                let digit = e.digit_set()?;
                Ok::<_, PackError>((digit, e.build_shape_set(&e.bare_detectors)?))
            },
        )?;
        for (d, dfa) in dfas {
            if let Kind::Regex { dfa: slot, .. } = &mut e.detectors[d].kind {
                *slot = dfa;
            }
        }
        (e.digit_set, e.bare_set) = sets?;
        e.keywords = keywords?;
        Ok(e)
    }

    /// The detectors searched on digit windows, with their regexes: each
    /// gets a dense DFA (see [`window_dfa`]).
    fn windowed_detectors(&self) -> Vec<(usize, String)> {
        self.detectors
            .iter()
            .zip(&self.sources)
            .enumerate()
            .filter_map(|(i, (d, src))| match (&d.kind, src) {
                (
                    Kind::Regex {
                        digit_run: None, ..
                    },
                    Some(re),
                ) if d.anchor == Anchor::Digits || d.min_digits > 0 => Some((i, re.clone())),
                _ => None,
            })
            .collect()
    }

    /// The record rules and a detector for each type they report.
    fn compile_rules(&mut self, labels: labels::Labels) -> Result<rules::Rules, PackError> {
        let dict = |r: String| PackError::new("patterns/dict", None, r);
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

    /// One multi-pattern regex over the shapes ([`shape`]) of the given
    /// detectors' regexes (pattern `i` is `detectors[i]`): searched on a
    /// span's shape, it answers "may match here" for each.
    fn build_shape_set(&self, detectors: &[u32]) -> Result<Option<Regex>, PackError> {
        // Every detector here was compiled from a regex, so each parses;
        // one that did not would silently drop out of the stage.
        let hirs = detectors
            .iter()
            .map(|&d| {
                self.sources
                    .get(d as usize)
                    .and_then(|s| s.as_deref())
                    .and_then(byte_hir)
                    .map(|h| shape::of_hir(&h))
                    .ok_or_else(|| {
                        let id = &self.detectors[d as usize].id;
                        PackError::new("<packs>", Some(id), "shape set: regex does not parse")
                    })
            })
            .collect::<Result<Vec<Hir>, _>>()?;
        if hirs.is_empty() {
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
            .build_many_from_hir(&hirs)
            .map_err(|err| PackError::new("<packs>", None, format!("shape set: {err}")))?;
        Ok(Some(set))
    }

    /// The digit-anchored detectors as one set. Measured against sets of
    /// 16 or 25 in `min_digits` order and against adding the numeric
    /// keyword detectors: every extra set costs each window another search,
    /// which on clean text outweighed the smaller lazy-DFA state space
    /// (decision 0009). Over shapes, not regexes, its lazy DFA settles on
    /// varied digits (decision 0057).
    fn digit_set(&self) -> Result<Option<DigitSet>, PackError> {
        let detectors = self.digit_detectors.clone();
        let Some(set) = self.build_shape_set(&detectors)? else {
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
        prebuilt: &mut HashMap<String, Result<Regex, String>>,
    ) -> Result<Detector, PackError> {
        let id = s.id.as_str();
        let err = |r: String| PackError::new(file, Some(id), r);
        if !pack::is_kebab(id) {
            return Err(err("id must be kebab-case (a-z, 0-9, single dashes)".into()));
        }
        let entity = self.entity_for(file, Some(id), &s.entity)?;
        let hir = s.regex.as_deref().and_then(byte_hir);
        let kind = match (&s.regex, &s.builtin) {
            (Some(_), Some(_)) => {
                return Err(err("give either `regex` or `builtin`, not both".into()))
            }
            (None, None) => return Err(err("missing `regex`".into())),
            (Some(re), None) => {
                let regex = match prebuilt.remove(re.as_str()) {
                    Some(built) => built,
                    None => detector_regex(re),
                }
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
}

/// `f` over `items`, half of them on a second thread that then runs
/// `side`, while this one runs `here`: start-up work that is independent
/// and that a second core can halve. The results of `f` come in no
/// particular order.
fn on_two_threads<T: Sync, R: Send, X: Send, Y>(
    items: &[T],
    f: impl Fn(&T) -> R + Sync,
    side: impl FnOnce() -> X + Send,
    here: impl FnOnce() -> Y,
) -> Result<(Vec<R>, X, Y), PackError> {
    let f = &f;
    std::thread::scope(|sc| {
        let theirs = sc.spawn(move || {
            let out: Vec<R> = items.iter().skip(1).step_by(2).map(f).collect();
            (out, side())
        });
        let mut out: Vec<R> = items.iter().step_by(2).map(f).collect();
        let y = here();
        let (rest, x) = theirs
            .join()
            .map_err(|_| PackError::new("<packs>", None, "building the automata panicked"))?;
        out.extend(rest);
        Ok((out, x, y))
    })
}

/// A detector's regex as the engine runs it on whole texts and windows.
fn detector_regex(pattern: &str) -> Result<Regex, String> {
    Regex::builder()
        .syntax(byte_syntax())
        .configure(
            Regex::config()
                .utf8_empty(false)
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .hybrid_cache_capacity(1 << 20),
        )
        .build(pattern)
        .map_err(|e| e.to_string())
}

/// Every keyword of every detector in one automaton (lower-cased, matched
/// ASCII case-insensitively); `None` when no detector has keywords.
fn keyword_automaton(keywords: &[Vec<u8>]) -> Result<Option<aho_corasick::AhoCorasick>, PackError> {
    if keywords.is_empty() {
        return Ok(None);
    }
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        // Overlapping search: every occurrence of every keyword in one
        // pass (keywords inside other keywords included).
        .match_kind(MatchKind::Standard)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .prefilter(false)
        .build(keywords)
        .map(Some)
        .map_err(|err| PackError::new("<packs>", None, format!("keyword automaton: {err}")))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{engine, EMAIL};
    use super::*;

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
}
