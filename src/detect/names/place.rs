//! LOCATION in text: street addresses (through [`AddressScan`]) and
//! places of the dictionaries, scored by how big and how ambiguous the
//! place is and by the words around it ("lives in", "city:", `, England`).
//! See the [module docs](super) for the scores.

use super::address::AddressScan;
use super::fields::location_field;
use super::lex::{
    boundary_at, boundary_before, case_of, glued_to_code, is_upper_at, is_word_byte_start,
    label_before, prev_word, scan_starts, skip_space, skip_space_back, word_before, word_end, Case,
    Ctx,
};
use super::terms::{Hit, Names, AMBIGUOUS, COMMON, FIRST, FUNC, MAJOR, MULTI, PLACE};
use super::words::{person_words, place_words};

/// Appends the LOCATION candidates of the text rules (no field hint) found
/// in `text`.
pub(super) fn scan(names: &Names, text: &[u8], out: &mut Vec<Hit>) {
    let mut scanner = PlaceScan { names, text, out };
    scan_starts::<true>(text, |p| scanner.at(p));
}

struct PlaceScan<'a, 'o> {
    names: &'a Names,
    text: &'a [u8],
    out: &'o mut Vec<Hit>,
}

impl PlaceScan<'_, '_> {
    fn at(&mut self, p: usize) -> usize {
        let text = self.text;
        let address = AddressScan {
            names: self.names,
            text,
        };
        if text[p].is_ascii_digit() {
            return match address.number_first(p) {
                Some(hit) => self.push(hit),
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
        if let Some(hit) = address.name_first(p, w_end) {
            return self.push(hit);
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

    /// Pushes an address found by [`AddressScan`]; returns its end.
    fn push(&mut self, hit: Hit) -> usize {
        self.out.push(hit);
        hit.end
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
                        let particle = person_words().particles.contains(w)
                            || place_words().particles.contains(w);
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

/// What follows a place name ending at `end`.
fn place_follow(names: &Names, text: &[u8], end: usize) -> Follow {
    let Some(&b) = text.get(end) else {
        return Follow::Clean;
    };
    if b == b',' {
        let s = skip_space(text, end + 1, 2);
        let e = word_end(text, s);
        if let Some(w) = text.get(s..e) {
            if w.len() == 2 && place_words().us_states.contains(w) && boundary_at(text, e) {
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
        if place_words().connectors.contains(&buf[..w.len()]) {
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
        return match label_before(text, i - 1, &mut buf) {
            Some((n, _)) if is_place_label(&buf[..n]) => Ctx::Strong,
            _ => Ctx::None,
        };
    }
    let Some((n, ws)) = word_before(text, i, &mut buf) else {
        return Ctx::None;
    };
    let w = &buf[..n];
    if !place_words().prepositions.contains(w) {
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

/// Labels that, before `:` or `=`, announce a place.
fn is_place_label(w: &[u8]) -> bool {
    if let Ok(s) = std::str::from_utf8(w) {
        if location_field(s).is_some() {
            return true;
        }
    }
    place_words().labels.contains(w)
}

/// Verbs and nouns before "in/to/from X" that make X a place.
fn is_place_verb(w: &[u8]) -> bool {
    place_words().verbs.contains(w)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failures, locations};

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
        let failed = failures(cases, locations);
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
        let cases: Vec<(&str, &[&str])> = cases.iter().map(|&text| (text, &[][..])).collect();
        let failed = failures(&cases, locations);
        assert!(failed.is_empty(), "{failed:#?}");
    }
}
