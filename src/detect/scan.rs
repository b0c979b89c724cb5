//! Scanning a text: the keyword pass, keyword-near windows, bare values,
//! digit windows and always-on detectors propose candidates; the record
//! rules add theirs; [`Engine::consider`] scores each; overlaps are
//! resolved. [`Scratch`] is each thread's reusable state.

use regex_automata::meta::{self, Regex};
use regex_automata::{Anchored, Input};

use super::names::Hit;
use super::overlap::resolve_overlaps;
use super::{
    dictionary, digits, pack, rules, shape, DetectorId, Engine, ExampleFailure, Finding, Kind,
};

/// Per-thread scratch space, reused across scans.
#[derive(Default)]
pub struct Scratch {
    caches: Vec<Option<Box<meta::Cache>>>,
    active: Vec<u64>,
    windows: Vec<digits::Window>,
    tight: Vec<digits::Window>,
    near: Vec<(u32, usize, usize)>,
    iban: Vec<(usize, usize)>,
    digit_set: SetScratch,
    bare_set: SetScratch,
    pub(super) candidates: Vec<Finding>,
    hits: Vec<Hit>,
    pub(super) lower: Vec<u8>,
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
    /// The searched span's shape, with its look-around context.
    shaped: Vec<u8>,
}

impl SetScratch {
    /// Which patterns of the shape set `set` may match in
    /// `text[start..end]`: the span's shape is searched. The caller puts
    /// the returned set back into `self.hits` once done with it.
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
        let span = shape::of_span(text, start, end, &mut self.shaped);
        set.which_overlapping_matches_with(
            &mut cache,
            &Input::new(&self.shaped).span(span),
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

impl Engine {
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

        // IBAN-prefix detectors: windows at a country code and check digits.
        if !self.iban_detectors.is_empty() {
            let mut windows = std::mem::take(&mut s.iban);
            digits::iban_windows(text, &mut windows);
            for &(ws, we) in &windows {
                for &d in &self.iban_detectors {
                    if wanted(d) {
                        self.run_regex(d, text, ws, we, key, s);
                    }
                }
            }
            s.iban = windows;
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

    /// Runs every detector's examples; returns the ones that do not hold.
    pub fn test_examples(&self) -> Vec<ExampleFailure> {
        self.test_examples_from(0)
    }

    /// [`Engine::test_examples`] for the detectors of packs `first_pack..`
    /// only (the operator's packs, after the built-in ones).
    pub(super) fn test_examples_from(&self, first_pack: usize) -> Vec<ExampleFailure> {
        let mut failures = Vec::new();
        let mut s = Scratch::default();
        for (i, det) in self.detectors.iter().enumerate() {
            if (det.pack as usize) < first_pack {
                continue;
            }
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

/// Longest value treated as a bare value (see `bare_detectors`).
const BARE_MAX_BYTES: usize = 64;

/// The trimmed span of `text` when it is a short value holding a digit.
pub(super) fn bare_span(text: &[u8]) -> Option<(usize, usize)> {
    if text.len() > BARE_MAX_BYTES + 8 {
        return None;
    }
    let pad = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'');
    let start = text.iter().position(|b| !pad(b))?;
    let end = text.iter().rposition(|b| !pad(b))? + 1;
    (end - start <= BARE_MAX_BYTES && text[start..end].iter().any(u8::is_ascii_digit))
        .then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{engine, EMAIL};
    use super::*;

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
}
