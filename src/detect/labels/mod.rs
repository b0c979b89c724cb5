//! Labelled fields in text: `Label: value`, `label = value`, `label is
//! value`, `label#value`, `né le value`.
//!
//! Text records carry the same fields JSON events do, written out:
//! `PATIENT: Ryan Spencer DOB: 02/17/1979`. The label says what the value
//! is, whatever its shape, as a JSON key hint does (DESIGN §4): a date after
//! `DOB:` is a date of birth, not a phone number, and a name after
//! `Patient:` is a name even when no dictionary knows it.
//!
//! The labels, in many languages, are data: `patterns/dict/labels.txt`
//! (`TYPE<TAB>label`, plus the copulas and fillers that may stand between a
//! label and its value). One leftmost-longest automaton finds them; the
//! value's extent then follows from its type's class: a date is parsed, a
//! phone number or an id is a run of digits and separators, a name is a run
//! of name words, an address runs to the end of its field (`values`);
//! `text` reads the words around a label.

mod text;
mod values;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::dates::Dates;
use super::names::Names;
use text::{label_boundaries, skip_blank, spaced_after, word_at};
use values::{email_end, id_end, person_end, phone_end, place_end};

const LABELS: &str = include_str!("../../../patterns/dict/labels.txt");

/// How a value's extent is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Person,
    Place,
    Date,
    Phone,
    Email,
    /// Ids and numbers: MRN, SSN, national ids, cards, accounts.
    Id,
}

impl Class {
    fn of(entity: &str) -> Class {
        match entity {
            "PERSON" => Class::Person,
            "LOCATION" => Class::Place,
            "DATE_TIME" => Class::Date,
            "PHONE_NUMBER" => Class::Phone,
            "EMAIL_ADDRESS" => Class::Email,
            _ => Class::Id,
        }
    }
}

/// A labelled value: its span and the index of its type in
/// [`Labels::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Labelled {
    pub start: usize,
    pub end: usize,
    pub ty: u16,
}

/// The compiled label table; built once per engine.
#[derive(Debug)]
pub struct Labels {
    ac: AhoCorasick,
    /// Type index of each automaton pattern, and its spelling.
    pattern_type: Vec<u16>,
    patterns: Vec<String>,
    /// Distinct entity types, in first-seen order.
    types: Vec<(String, Class)>,
    copulas: Vec<Vec<u8>>,
    fillers: Vec<Vec<u8>>,
    /// Words that make a text a clinical record (`patient`, `MRN`,
    /// `diagnosis`, `PID|`), where every date but a bare year is PHI.
    clinical: AhoCorasick,
    /// Words that end a list of names (`and`, `und`, `и`), lower case.
    pub conjunctions: Vec<String>,
    /// Speaker roles in dialogues (`agent`, `kunde`), lower case.
    pub roles: Vec<String>,
    /// Street-type words that continue an address in lower case.
    streets: Vec<String>,
    /// Lower-case particles inside a name after a label (`van`, `de`).
    particles: Vec<String>,
    /// The first bytes (lower-cased) of every copula and filler.
    joiner_starts: [bool; 256],
}

impl Labels {
    /// Parses the embedded label table.
    pub fn build() -> Result<Labels, String> {
        let mut patterns: Vec<String> = Vec::new();
        let mut pattern_type = Vec::new();
        let mut types: Vec<(String, Class)> = Vec::new();
        let mut copulas = Vec::new();
        let mut fillers = Vec::new();
        let mut clinical: Vec<String> = Vec::new();
        let mut conjunctions = Vec::new();
        let mut roles = Vec::new();
        let mut streets = Vec::new();
        let mut particles = Vec::new();
        for (n, line) in LABELS.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((ty, label)) = line.split_once('\t') else {
                return Err(format!(
                    "patterns/dict/labels.txt line {}: expected TYPE<TAB>label",
                    n + 1
                ));
            };
            let label = label.trim();
            if label.is_empty() {
                return Err(format!(
                    "patterns/dict/labels.txt line {}: empty label",
                    n + 1
                ));
            }
            match ty {
                "@copula" => copulas.push(label.to_lowercase().into_bytes()),
                "@filler" => fillers.push(label.to_lowercase().into_bytes()),
                "@clinical" => clinical.push(label.to_lowercase()),
                "@and" => conjunctions.push(label.to_lowercase()),
                "@role" => roles.push(label.to_lowercase()),
                "@street" => streets.push(label.to_lowercase()),
                "@particle" => particles.push(label.to_lowercase()),
                _ => {
                    if !super::pack::is_upper_snake(ty) {
                        return Err(format!(
                            "patterns/dict/labels.txt line {}: {ty:?} is not an UPPER_SNAKE type",
                            n + 1
                        ));
                    }
                    let t = match types.iter().position(|(name, _)| name == ty) {
                        Some(t) => t,
                        None => {
                            types.push((ty.to_string(), Class::of(ty)));
                            types.len() - 1
                        }
                    };
                    let t = u16::try_from(t).map_err(|_| "too many label types".to_string())?;
                    // The automaton folds ASCII case only: add the other
                    // scripts' capitalised and upper-case spellings.
                    let lower = label.to_lowercase();
                    let mut spellings =
                        vec![lower.clone(), capitalised(&lower), lower.to_uppercase()];
                    spellings.dedup();
                    for s in spellings {
                        patterns.push(s);
                        pattern_type.push(t);
                    }
                }
            }
        }
        // Longest first, so `no.` is tried before `no`.
        copulas.sort_by_key(|c| std::cmp::Reverse(c.len()));
        fillers.sort_by_key(|c| std::cmp::Reverse(c.len()));
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(&patterns)
            .map_err(|e| format!("labels: cannot build the label automaton: {e}"))?;
        let clinical = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&clinical)
            .map_err(|e| format!("labels: cannot build the clinical cue automaton: {e}"))?;
        let mut joiner_starts = [false; 256];
        for w in copulas.iter().chain(&fillers) {
            if let Some(&b) = w.first() {
                joiner_starts[usize::from(b)] = true;
                joiner_starts[usize::from(b.to_ascii_uppercase())] = true;
            }
        }
        Ok(Labels {
            joiner_starts,
            ac,
            patterns,
            clinical,
            conjunctions,
            roles,
            streets,
            particles,
            pattern_type,
            types,
            copulas,
            fillers,
        })
    }

    /// The entity type names the labels report, by type index.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(|(t, _)| t.as_str())
    }

    /// A text the label rule must find a value of type `t` in (the
    /// `patterns test` contract of its detector): the type's first label
    /// and a value of its class's shape.
    pub fn example(&self, t: usize) -> Option<String> {
        let (_, class) = self.types.get(t)?;
        let p = self.pattern_type.iter().position(|&x| x as usize == t)?;
        let label = self.patterns.get(p)?;
        let value = match class {
            Class::Person => "Zofia Qwertz",
            Class::Place => "12 Elm Road, Springfield",
            Class::Date => "03/04/1961",
            Class::Phone => "0612 345 678",
            Class::Email => "zofia.q@example.org",
            Class::Id => "4821 7730 19",
        };
        Some(format!("{label}: {value}"))
    }

    /// Whether `text` reads like a clinical record (HIPAA Safe Harbor then
    /// makes each of its dates PHI). A cue must stand alone as a word.
    pub fn is_clinical(&self, text: &[u8]) -> bool {
        self.clinical
            .find_iter(text)
            .any(|m| label_boundaries(text, m.start(), m.end()))
    }

    /// Appends every labelled value of `text` to `out`.
    pub fn find(&self, text: &[u8], dates: &Dates, names: &Names, out: &mut Vec<Labelled>) {
        let mut hits: Vec<(usize, usize, u16)> = Vec::new();
        for m in self.ac.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            if !label_boundaries(text, s, e) {
                continue;
            }
            hits.push((s, e, self.pattern_type[m.pattern().as_usize()]));
        }
        for (k, &(_, e, t)) in hits.iter().enumerate() {
            // A value never runs into the next label.
            let limit = hits.get(k + 1).map_or(text.len(), |h| h.0);
            let (vs, explicit) = self.value_start(text, e, limit);
            if vs >= limit {
                continue;
            }
            let class = self.types[t as usize].1;
            let end = match class {
                Class::Date => dates
                    .date_at(text, vs)
                    .filter(|&x| x <= limit && !followed_by_time(text, x)),
                Class::Phone => phone_end(text, vs, limit),
                Class::Email => email_end(text, vs, limit),
                Class::Id => id_end(text, vs, limit),
                Class::Person => person_end(text, vs, limit, explicit, names, &self.particles),
                Class::Place => place_end(text, vs, limit, explicit, names, &self.streets),
            };
            if let Some(end) = end.filter(|&x| x > vs) {
                out.push(Labelled {
                    start: vs,
                    end,
                    ty: t,
                });
            }
        }
    }

    /// Where the value after a label ending at `e` starts, and whether a
    /// separator or copula stood between them (`Name: x`, `name is x`).
    fn value_start(&self, text: &[u8], e: usize, limit: usize) -> (usize, bool) {
        let mut j = skip_blank(text, e, limit);
        // Most values start with a byte no copula or filler starts with.
        if !text
            .get(j)
            .is_some_and(|b| self.joiner_starts[usize::from(b.to_ascii_lowercase())])
        {
            return (j.min(limit), false);
        }
        let mut explicit = false;
        for _ in 0..2 {
            let Some(c) = self
                .copulas
                .iter()
                .find(|c| word_at(text, j, c) && spaced_after(text, j + c.len()))
            else {
                break;
            };
            explicit = true;
            j = skip_blank(text, j + c.len(), limit);
        }
        // Multi-line values: `Address:\n 12 Main St` (one line break only).
        if explicit && text.get(j) == Some(&b'\n') {
            j = skip_blank(text, j + 1, limit);
        }
        // Fillers, and a copula after them (`Obrigado, é Gualter`).
        for _ in 0..4 {
            if let Some(f) = self
                .fillers
                .iter()
                .find(|f| word_at(text, j, f) && spaced_after(text, j + f.len()))
            {
                j = skip_blank(text, j + f.len(), limit);
            } else if let Some(c) = self
                .copulas
                .iter()
                .find(|c| word_at(text, j, c) && spaced_after(text, j + c.len()))
            {
                explicit = true;
                j = skip_blank(text, j + c.len(), limit);
            } else {
                break;
            }
        }
        (j.min(limit), explicit)
    }
}

/// A date followed by a time of day (`2024-05-01T10:22`, `2024-05-01
/// 10:22:13`) is a timestamp: an event's, not a person's.
pub fn followed_by_time(text: &[u8], e: usize) -> bool {
    let t = &text[e.min(text.len())..];
    let clock = |t: &[u8]| {
        t.len() >= 5
            && t[..2].iter().all(u8::is_ascii_digit)
            && t[2] == b':'
            && t[3].is_ascii_digit()
    };
    match t.first() {
        Some(b'T') => clock(&t[1..]),
        Some(b' ') => clock(&t[1..]),
        _ => false,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<(String, &str)> {
        let labels = Labels::build().expect("labels");
        let dates = Dates::build().expect("dates");
        let names = Names::build().expect("names");
        let mut out = Vec::new();
        labels.find(text.as_bytes(), &dates, &names, &mut out);
        let types: Vec<&str> = labels.types().collect();
        out.iter()
            .map(|l| (types[l.ty as usize].to_string(), &text[l.start..l.end]))
            .collect()
    }

    fn has(text: &str, ty: &str, value: &str) {
        let got = find(text);
        assert!(
            got.iter().any(|(t, v)| t == ty && *v == value),
            "{text:?}: want {ty} {value:?}, got {got:?}"
        );
    }

    #[test]
    fn clinical_label_line() {
        let t = "PATIENT: Ryan Spencer DOB: 02/17/1979 Phone: 9884176462 Address: 3676 Phillips Knolls Suite 663, Liberg, NY 78852";
        has(t, "PERSON", "Ryan Spencer");
        has(t, "DATE_TIME", "02/17/1979");
        has(t, "PHONE_NUMBER", "9884176462");
        has(
            t,
            "LOCATION",
            "3676 Phillips Knolls Suite 663, Liberg, NY 78852",
        );
    }

    #[test]
    fn labels_in_many_languages() {
        has("Geburtsdatum: 12.09.1979", "DATE_TIME", "12.09.1979");
        has(
            "Ma date de naissance est le 08/06/1955.",
            "DATE_TIME",
            "08/06/1955",
        );
        has("Mijn BSN is 597381409.", "NL_BSN", "597381409");
        has("Meu CPF é 036.115.704-51.", "BR_CPF", "036.115.704-51");
        has(
            "Mon numéro de sécurité sociale est le 281104809512961.",
            "FR_NIR",
            "281104809512961",
        );
        has("生年月日：1941年5月19日", "DATE_TIME", "1941年5月19日");
        has(
            "my registered 905-674-3793.",
            "PHONE_NUMBER",
            "905-674-3793",
        );
        has("MRN# 70567604", "MEDICAL_RECORD_NUMBER", "70567604");
        has(
            "Меня зовут Ярослав Кальченко.",
            "PERSON",
            "Ярослав Кальченко",
        );
    }

    #[test]
    fn shapes_hold_after_weak_labels() {
        // No separator, no date, no digits, no capitals: nothing.
        assert!(find("born in the spring").is_empty());
        assert!(find("the name field is required").is_empty());
        assert!(find("Tel Aviv is hot").is_empty());
        assert!(find("hotel 12345678").is_empty());
        assert!(find("Contact Support for help").is_empty());
    }
}
