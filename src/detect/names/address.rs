//! Street addresses: a house number, name words and a street suffix
//! (`221 Baker Street`), the Romance order (`12 rue de la Paix`, `Via
//! Roma 10`), German / Dutch / Nordic street words (`Hauptstraße 5`,
//! `Berliner Straße 12`), each extended over a direction, a unit, a city,
//! a state and a postal code. The street words are data:
//! `patterns/dict/place_words.txt`.

use super::lex::{boundary_at, case_of, glued_to_code, is_upper_at, skip_space, word_end, Case};
use super::terms::{Hit, Names, FUNC, MAJOR, PLACE};
use super::words::{person_words, place_words};

/// The address finder over one text.
pub(super) struct AddressScan<'a> {
    pub names: &'a Names,
    pub text: &'a [u8],
}

impl AddressScan<'_> {
    /// `221 Baker Street`, `1600 Pennsylvania Avenue NW, Washington, DC
    /// 20500`, `12 rue de la Paix`, `42 main street`: an address that
    /// starts at the house number `p`.
    pub(super) fn number_first(&self, p: usize) -> Option<Hit> {
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
        if e > s && place_words().street_prefixes.contains_at(text, s, e) {
            if let Some(end) = self.street_name_words(e) {
                let end = self.address_tail(end);
                return Some(Hit {
                    start: p,
                    end,
                    score: 0.85,
                });
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
            if !place_words().lowercase_suffixes.contains(w2)
                || !text[s..e].iter().all(u8::is_ascii_lowercase)
                || !self.clause_ends(e2)
                || self.names.word_flags(text, s, e) & FUNC != 0
            {
                return None;
            }
            return Some(Hit {
                start: p,
                end: e2,
                score: 0.7,
            });
        }
        if !(text[s].is_ascii_uppercase() || text[s].is_ascii_digit() || text[s] >= 0x80) {
            return None;
        }
        // English order: number, name words, suffix. "25 Minutes Drive" is
        // a duration, not an address.
        if place_words().measures.contains_at(text, s, e) {
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
            if words > 0 && is_upper_at(text, ws) && place_words().street_suffixes.contains(w) {
                let end = if text.get(we) == Some(&b'.') {
                    we + 1
                } else {
                    we
                };
                let end = self.address_tail(end);
                return Some(Hit {
                    start: p,
                    end,
                    score: 0.85,
                });
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
                e == s
                    || self.names.word_flags(text, s, e) & FUNC != 0
                    || place_words().connectors.contains(&text[s..e])
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
                    if person_words().particles.contains(w)
                        || place_words().street_particles.contains(w) => {}
                Case::Other if w.iter().all(u8::is_ascii_digit) => break,
                _ => break,
            }
            j = we;
        }
        end
    }

    /// `Hauptstraße 5`, `Berliner Str. 12`, `Kalverstraat 92`, `Via Roma
    /// 10`, `Calle Mayor, 5`: a street name first (its first word ends at
    /// `w_end`), then its number.
    pub(super) fn name_first(&self, p: usize, w_end: usize) -> Option<Hit> {
        let text = self.text;
        let word = &text[p..w_end];
        // Romance: type word, name, number.
        if word.len() > 2 && place_words().street_prefixes.contains_at(text, p, w_end) {
            let name_end = self.street_name_words(w_end)?;
            let num_end = house_number_after(text, name_end)?;
            let end = self.address_tail(num_end);
            return Some(Hit {
                start: p,
                end,
                score: 0.8,
            });
        }
        // German / Dutch / Nordic: one word ending in a street word, or a
        // capitalised word followed by `Straße` / `Str.` / `Allee`...
        let (name_end, score) = self.street_ending(p, w_end)?;
        let num_end = house_number_after(text, name_end)?;
        let end = self.address_tail(num_end);
        Some(Hit {
            start: p,
            end,
            score,
        })
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
            for &(ending, score) in &place_words().street_endings {
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
        for &(ending, score) in &place_words().street_endings {
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
            if place_words().directions.contains(&text[s..e_dot]) && boundary_at(text, e_dot) {
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
    next_after_comma(text, i).is_some_and(|s| text.get(s).is_some_and(u8::is_ascii_digit))
}

/// Where the next word starts after `end`, past an optional comma and one
/// or two spaces; `None` when no space follows.
fn next_after_comma(text: &[u8], end: usize) -> Option<usize> {
    let c = if text.get(end) == Some(&b',') {
        end + 1
    } else {
        end
    };
    let s = skip_space(text, c, 2);
    (s > c).then_some(s)
}

/// ` 12`, ` 5a`, `, 5` after a street name: the end of the number.
fn house_number_after(text: &[u8], end: usize) -> Option<usize> {
    let s = next_after_comma(text, end)?;
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
    let s = next_after_comma(text, end)?;
    let (num_start, ok) = if text.get(s) == Some(&b'#') {
        (s + 1, true)
    } else {
        let e = word_end(text, s);
        let w = &text[s..e];
        if !place_words().units.contains(w) || !(is_upper_at(text, s)) {
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
    let s = next_after_comma(text, end)?;
    let e = word_end(text, s);
    let w = text.get(s..e)?;
    let mut state_end = None;
    if w.len() == 2 && place_words().us_states.contains(w) {
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
    let s = next_after_comma(text, end)?;
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
