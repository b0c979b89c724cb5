//! PERSON in text: a title and capitalised words (`Dr. Jane Smith`), a
//! given name and the name words after it (surnames, second given names,
//! initials, particles), scored by what they are and by the words before
//! them ("my name is", "Dear", "name:", a signature). See the
//! [module docs](super) for the scores.

use super::fields::{person_field, FieldKind};
use super::lex::{
    boundary_before, case_of, glued_to_code, is_upper_at, label_before, prev_word, scan_starts,
    sentence_start, skip_space, skip_space_back, token_end, word_before, word_end, Case, Ctx,
};
use super::terms::{Hit, Names, COMMON, FIRST, FUNC, MULTI, PLACE, SURNAME};
use super::words::person_words;

/// Appends the PERSON candidates of the text rules (no field hint) found
/// in `text`.
pub(super) fn scan(names: &Names, text: &[u8], out: &mut Vec<Hit>) {
    let mut scanner = PersonScan { names, text, out };
    scan_starts::<false>(text, |p| scanner.at(p));
}

/// Whether `word` (followed by a dot when `dot`) is a title before a name:
/// `Mr`, `Dr.`, `Frau`, `Sra.`, `M.`; all-caps forms need the dot (`MR.`).
fn is_title(word: &[u8], dot: bool) -> bool {
    if word.len() > 1 && word[1].is_ascii_uppercase() && !dot {
        return false;
    }
    if word == b"M" {
        return dot;
    }
    person_words().titles.contains(word)
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
                if person_words().particles.contains(&text[s..e]) && text.get(e) == Some(&b' ') {
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
            if person_words().suffixes.contains(&text[s..w_end]) {
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
        if e > s && person_words().suffixes.contains(&text[s..e]) {
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
pub(super) fn is_person_label(w: &[u8]) -> bool {
    if let Ok(s) = std::str::from_utf8(w) {
        if matches!(person_field(s), Some(FieldKind::Strong)) {
            return true;
        }
    }
    person_words().labels.contains(w)
}

/// Greetings and sign-offs: a name after them is likely.
fn is_greeting(w: &[u8]) -> bool {
    person_words().greetings.contains(w)
}

/// Sign-off words that end the line before a signature.
fn is_signoff(w: &[u8]) -> bool {
    person_words().signoffs.contains(w)
}

/// Relations and roles after which a given name follows: "my wife Sarah".
fn is_relation(w: &[u8]) -> bool {
    person_words().relations.contains(w)
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
                b"i'm" | b"im" | b"c'est" | b"soy" | b"bin" | b"sono" => Ctx::Weak,
                b"is" | b"was" | b"me" | b"am" | b"by" | b"you" => {
                    // "my name is", "his name was", "call me", "I am",
                    // "reviewed by", "thank you"
                    let mut b2 = [0u8; 24];
                    let Some((m, _)) = prev_word(text, ws, &mut b2) else {
                        return Ctx::None;
                    };
                    match (w, &b2[..m]) {
                        (b"is" | b"was", b"name" | b"names") | (b"me", b"call" | b"called") => {
                            Ctx::Strong
                        }
                        (b"am", b"i") | (b"you", b"thank") => Ctx::Weak,
                        (b"by", verb) if is_by_verb(verb) => Ctx::Weak,
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
    match label_before(text, colon, buf) {
        Some((n, _)) if is_person_label(&buf[..n]) => Ctx::Strong,
        _ => Ctx::None,
    }
}

/// Verbs before `by` and a name: "reviewed by Dr. Lee".
fn is_by_verb(w: &[u8]) -> bool {
    person_words().by_verbs.contains(w)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{failures, names, persons};
    use super::*;

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
        let failed = failures(cases, persons);
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
        let cases: Vec<(&str, &[&str])> = cases.iter().map(|&text| (text, &[][..])).collect();
        let failed = failures(&cases, persons);
        assert!(failed.is_empty(), "{failed:#?}");
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
}
