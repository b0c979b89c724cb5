//! Reading around a label: word boundaries in any script, blanks, and
//! the copulas and fillers that may stand between a label and its value.

use super::super::chars::{char_at, char_before, cjk};

/// Scripts written without spaces between words.
pub(super) fn unspaced(c: char) -> bool {
    cjk(c) || ('\u{FF00}'..='\u{FFEF}').contains(&c)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// A label stands alone: not inside a word (`tel` in `hotel`), unless it
/// is written in a script without spaces.
pub(super) fn label_boundaries(text: &[u8], s: usize, e: usize) -> bool {
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
pub(super) fn skip_blank(text: &[u8], mut j: usize, limit: usize) -> usize {
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
pub(super) fn spaced_after(text: &[u8], e: usize) -> bool {
    match (char_before(text, e), text.get(e)) {
        (_, None | Some(b' ' | b'\t' | b'\n')) => true,
        (Some(l), _) => !l.is_alphanumeric() || unspaced(l),
        (None, _) => false,
    }
}

/// Whether `word` (lower case) is at `j`, standing alone.
pub(super) fn word_at(text: &[u8], j: usize, word: &[u8]) -> bool {
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
