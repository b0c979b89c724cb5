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
//! of name words, an address runs to the end of its field.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::chars::{char_at, char_before, cjk};
use super::dates::Dates;
use super::names::Names;

const LABELS: &str = include_str!("../../patterns/dict/labels.txt");

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
                Class::Person => person_end(text, vs, limit, explicit, names),
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

/// Scripts written without spaces between words.
fn unspaced(c: char) -> bool {
    cjk(c) || ('\u{FF00}'..='\u{FFEF}').contains(&c)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// A label stands alone: not inside a word (`tel` in `hotel`), unless it
/// is written in a script without spaces.
fn label_boundaries(text: &[u8], s: usize, e: usize) -> bool {
    let first = char_at(text, s);
    let last = char_before(text, e);
    let before_ok = match (char_before(text, s), first) {
        (_, Some(f)) if unspaced(f) => true,
        (Some(p), _) => !is_word(p) && p != '_' && p != '-' && p != '/' && p != '.',
        (None, _) => true,
    };
    let after_ok = match (last, char_at(text, e)) {
        (Some(l), _) if unspaced(l) || !is_word(l) => true,
        (_, Some(n)) => !is_word(n) && n != '_' && n != '@',
        (_, None) => true,
    };
    before_ok && after_ok
}

/// Skips spaces and tabs (ASCII and full-width): a line break ends a
/// field unless the caller allows one.
fn skip_blank(text: &[u8], mut j: usize, limit: usize) -> usize {
    while j < limit && matches!(text[j], b' ' | b'\t') {
        j += 1;
    }
    // A full-width space.
    while text[j.min(text.len())..].starts_with("\u{3000}".as_bytes()) && j < limit {
        j += 3;
    }
    j
}

/// A word ending at `e` stands apart from what follows: a space, the end,
/// or it is punctuation (`:`, `#`) or of a script without spaces (`は`).
/// `a.b@example.com` does not start with the filler `a`.
fn spaced_after(text: &[u8], e: usize) -> bool {
    match (char_before(text, e), text.get(e)) {
        (_, None | Some(b' ' | b'\t' | b'\n')) => true,
        (Some(l), _) => !l.is_alphanumeric() || unspaced(l),
        (None, _) => false,
    }
}

/// Whether `word` (lower case) is at `j`, standing alone.
fn word_at(text: &[u8], j: usize, word: &[u8]) -> bool {
    let e = j + word.len();
    if e > text.len() {
        return false;
    }
    // Tried for every copula and filler after every label: no allocation.
    let got = &text[j..e];
    let same = if got.is_ascii() {
        got.eq_ignore_ascii_case(word)
    } else {
        match (std::str::from_utf8(got), std::str::from_utf8(word)) {
            (Ok(s), Ok(w)) => s.chars().flat_map(char::to_lowercase).eq(w.chars()),
            _ => false,
        }
    };
    if !same {
        return false;
    }
    let last = char_before(text, e);
    match (last, char_at(text, e)) {
        (Some(l), _) if !is_word(l) || unspaced(l) => true,
        (_, Some(n)) => !is_word(n),
        (_, None) => true,
    }
}

/// A phone number: digits with `+ ( ) - . /` and single spaces, at least
/// six digits.
fn phone_end(text: &[u8], vs: usize, limit: usize) -> Option<usize> {
    let mut j = vs;
    let mut digits = 0;
    let mut end = vs;
    while j < limit {
        let b = text[j];
        if b.is_ascii_digit() {
            digits += 1;
            end = j + 1;
        } else if !(matches!(b, b'+' | b'(' | b')' | b'-' | b'.' | b'/')
            || (b == b' '
                && text
                    .get(j + 1)
                    .is_some_and(|n| n.is_ascii_digit() || *n == b'(')))
        {
            break;
        }
        j += 1;
    }
    // An extension: `x98837`, `ext. 12`.
    for ext in [&b"x"[..], b" x", b" ext. ", b" ext ", b"ext"] {
        if text[end..].starts_with(ext) && text.get(end + ext.len()).is_some_and(u8::is_ascii_digit)
        {
            end += ext.len();
            while text.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            break;
        }
    }
    if text.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    (digits >= 6).then_some(end)
}

/// An email address: one token holding `@`.
fn email_end(text: &[u8], vs: usize, limit: usize) -> Option<usize> {
    let mut j = vs;
    while j < limit
        && !matches!(
            text[j],
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b';' | b'<' | b'>' | b'"' | b')'
        )
    {
        j += 1;
    }
    while j > vs && matches!(text[j - 1], b'.' | b':') {
        j -= 1;
    }
    text[vs..j].contains(&b'@').then_some(j)
}

/// An id: alphanumeric groups joined by `-`, `.`, `/` or a single space
/// before a digit, holding at least two digits (`597381409`, `036.115.704-51`,
/// `2 81 10 48 095 129 61`, `X1234567`).
fn id_end(text: &[u8], vs: usize, limit: usize) -> Option<usize> {
    let mut j = vs;
    let mut digits = 0;
    let mut end = vs;
    while j < limit && j - vs < 48 {
        let b = text[j];
        if b.is_ascii_alphanumeric() {
            digits += usize::from(b.is_ascii_digit());
            end = j + 1;
        } else {
            let joins = (matches!(b, b'-' | b'.' | b'/')
                && text.get(j + 1).is_some_and(u8::is_ascii_alphanumeric))
                || (b == b' ' && text.get(j + 1).is_some_and(u8::is_ascii_digit) && digits > 0);
            if !joins {
                break;
            }
        }
        j += 1;
    }
    if end < text.len() && char_at(text, end).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    (digits >= 2).then_some(end)
}

const PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "da", "di", "del", "della", "dos", "das", "du", "la", "le",
    "ten", "ter", "bin", "al", "y", "zu",
];

/// A person's name: name words (capitalised, an initial `D.`, a particle
/// before a capitalised word, or words of a script without case), at most
/// five. After an explicit separator (`Name: john smith`) lower-case words
/// that are not common words count too.
fn person_end(
    text: &[u8],
    vs: usize,
    limit: usize,
    explicit: bool,
    names: &Names,
) -> Option<usize> {
    let mut j = vs;
    let mut end = vs;
    let mut words = 0;
    let mut uncommon = false;
    while j < limit && words < 5 {
        let c = char_at(text, j)?;
        if unspaced(c) {
            // CJK and Hangul names: a short run of the same script.
            let e = unspaced_name_end(text, j, limit);
            return (e > j).then_some(e);
        }
        if !c.is_alphabetic() {
            break;
        }
        let we = name_word_end(text, j, limit);
        let word = &text[j..we];
        let upper = c.is_uppercase();
        let initial = upper && we - j <= 2 && text.get(we) == Some(&b'.');
        let particle =
            !upper && std::str::from_utf8(word).is_ok_and(|w| PARTICLES.contains(&w)) && words > 0;
        let common = names.is_common_word(word);
        let lower_ok = explicit && !c.is_uppercase() && !common && word.len() >= 2;
        if !(upper || particle || lower_ok || (!c.is_lowercase() && !c.is_uppercase())) {
            break;
        }
        // All-caps runs of labels (`PID`, `DOB`) are not names after an
        // implicit label; after `NAME:` a `WOOD MELISSA` is.
        words += 1;
        uncommon |= !common && !particle;
        let mut k = we;
        if initial {
            k += 1;
        }
        if !particle {
            end = k;
        }
        // One space (or a comma in `Smith, John`) between name words.
        if text.get(k) == Some(&b' ') {
            j = k + 1;
        } else {
            break;
        }
    }
    if end == vs || (!explicit && !uncommon) {
        return None;
    }
    // `Name: Moresco, Guido` — the given name after a comma, when the
    // field ends there (a line end, the next label, the text's end).
    if explicit && text[end..].starts_with(b", ") {
        let k = end + 2;
        if char_at(text, k).is_some_and(char::is_uppercase) {
            let mut e = name_word_end(text, k, limit);
            if text.get(e) == Some(&b' ') && char_at(text, e + 1).is_some_and(char::is_uppercase) {
                e = name_word_end(text, e + 1, limit);
            }
            let rest = skip_blank(text, e, limit);
            let field_ends = rest >= limit
                || matches!(text.get(rest), Some(b'\n' | b'\r' | b'|' | b';' | b'\t'))
                || rest >= text.len();
            if field_ends && e > k {
                return Some(e);
            }
        }
    }
    Some(end)
}

fn name_word_end(text: &[u8], mut j: usize, limit: usize) -> usize {
    while j < limit {
        match char_at(text, j) {
            Some(c) if c.is_alphabetic() && !unspaced(c) => j += c.len_utf8(),
            Some('\'' | '\u{2019}' | '-')
                if char_at(text, j + 1).is_some_and(|n| n.is_alphabetic()) =>
            {
                j += char_at(text, j).map_or(1, char::len_utf8);
            }
            _ => break,
        }
    }
    j
}

/// A name in a script without spaces: up to four Han or kana characters,
/// three Hangul syllables (a surname and a given name; what follows is a
/// particle or an ending: `입니다`, `です`), and a space-separated second
/// part (`山田 太郎`).
fn unspaced_name_end(text: &[u8], vs: usize, limit: usize) -> usize {
    let mut j = vs;
    let mut n = 0;
    let mut hangul = false;
    let mut parts = 0;
    while j < limit {
        let Some(c) = char_at(text, j) else { break };
        let is_hangul = ('\u{AC00}'..='\u{D7AF}').contains(&c);
        let is_han = ('\u{3400}'..='\u{9FFF}').contains(&c);
        let is_katakana = ('\u{30A0}'..='\u{30FF}').contains(&c);
        // Pronouns and particles end a name (`谢谢您联系…`).
        if "您你我他她的了是在和也都请把就这那".contains(c) {
            break;
        }
        if !(is_hangul || is_han || is_katakana) {
            if c == ' ' && parts == 0 && n > 0 && char_at(text, j + 1).is_some_and(unspaced) {
                parts += 1;
                n = 0;
                j += 1;
                continue;
            }
            break;
        }
        hangul |= is_hangul;
        n += 1;
        if (hangul && n > 3) || n > 4 {
            break;
        }
        j += c.len_utf8();
    }
    // Back off a dangling space.
    while j > vs && text[j - 1] == b' ' {
        j -= 1;
    }
    j
}

/// An address: after an explicit separator, the rest of the field (to a
/// line end, a tab, `|`, `;`, a sentence end or the next label); after an
/// implicit one (`lives at`), a run of capitalised words, numbers and
/// short joining words.
fn place_end(
    text: &[u8],
    vs: usize,
    limit: usize,
    explicit: bool,
    names: &Names,
    streets: &[String],
) -> Option<usize> {
    let cap = limit.min(vs + if explicit { 160 } else { 100 });
    let mut j = vs;
    let mut end = vs;
    let mut word_start = true;
    let mut last_word = vs;
    let mut cjk = false;
    while j < cap {
        let b = text[j];
        // A colon starts another field or a speaker's turn.
        if matches!(
            b,
            b'\n' | b'\r' | b'\t' | b'|' | b';' | b'!' | b'?' | b'"' | b':'
        ) || ["。", "！", "？", "；", "："]
            .iter()
            .any(|p| text[j..].starts_with(p.as_bytes()))
        {
            break;
        }
        // In CJK text a space after a number ends the address (`…385号，
        // 邮编926421 我的订单…`), unless all so far is a postcode
        // (`〒620-2777 山梨県…`).
        if b == b' ' && cjk && j > vs && text[j - 1].is_ascii_digit() {
            break;
        }
        if b >= 0x80 && char_at(text, j).is_some_and(unspaced) {
            cjk = true;
        }
        if b == b'.' && text.get(j + 1).is_none_or(|n| *n == b' ' || *n == b'\n') {
            // `St.`, `Apt.`, `ul.`, `д.` are abbreviations, not a sentence end.
            let word = std::str::from_utf8(&text[last_word..j]).map_or(99, |w| w.chars().count());
            if word > 4 {
                break;
            }
        }
        if word_start && b != b' ' && b != b',' {
            last_word = j;
            // A lower-case common word of five letters or more is prose,
            // not an address (`…, 57369 Roubaix pour le ticket…`).
            let street = street_word(text, j, streets);
            if text[j].is_ascii_lowercase() && !street {
                let we = j + text[j..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                if we - j >= 5 && names.is_common_word(&text[j..we]) {
                    break;
                }
            }
            if !explicit && !street {
                let c = char_at(text, j)?;
                let ok = c.is_uppercase()
                    || c.is_ascii_digit()
                    || unspaced(c)
                    || (c.is_lowercase() && short_joiner(text, j));
                if !ok {
                    break;
                }
            }
        }
        word_start = matches!(b, b' ' | b',');
        if !matches!(b, b' ' | b',' | b'.') {
            end = j + char_at(text, j).map_or(1, char::len_utf8);
        }
        j += if b < 0x80 {
            1
        } else {
            char_at(text, j).map_or(1, char::len_utf8)
        };
    }
    let v = &text[vs..end];
    let has_content = v.iter().any(|b| b.is_ascii_alphanumeric() || *b >= 0x80);
    // After an implicit label (`address I.` in prose) a place has a number,
    // two words or another script.
    let placelike = explicit
        || v.iter().any(u8::is_ascii_digit)
        || v.contains(&b' ')
        || v.iter().any(|&b| b >= 0x80);
    (has_content && placelike && end > vs).then_some(end)
}

/// Whether a street-type word (`chemin`, `ul.`, `пр.`) starts at `j`.
fn street_word(text: &[u8], j: usize, streets: &[String]) -> bool {
    let mut e = j;
    while let Some(c) = char_at(text, e).filter(|c| c.is_alphabetic()) {
        e += c.len_utf8();
    }
    if text.get(e) == Some(&b'.') {
        e += 1;
    }
    std::str::from_utf8(&text[j..e]).is_ok_and(|w| {
        let w = w.to_lowercase();
        streets.contains(&w)
    })
}

/// A lower-case word of at most four letters followed by more address
/// (`rue`, `via`, `de`, `la`, `am`).
fn short_joiner(text: &[u8], j: usize) -> bool {
    let mut e = j;
    let mut n = 0;
    while let Some(c) = char_at(text, e).filter(|c| c.is_lowercase()) {
        e += c.len_utf8();
        n += 1;
    }
    if text.get(e) == Some(&b'.') {
        e += 1;
    }
    // Street words in lower case: `ulica Prosta`, `rue de la Paix`, `calle`.
    n > 0 && n <= 6 && text.get(e) == Some(&b' ')
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
