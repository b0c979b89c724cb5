//! Byte-class shapes: a text and a regex seen with every digit as `0`,
//! every upper-case letter as `A` and every lower-case one as `a`.
//!
//! The digit stage asks, for each of thousands of windows per megabyte,
//! which of ~80 numeric detectors can match there at all. Asked of the
//! detectors' own regexes as one set, that question makes the lazy DFA
//! determinize without end: every distinct digit string is new to it, and
//! on mixed traffic a third of all instructions went there (issue 14).
//! Asked of the regexes' *shapes* on the window's shape, it has a small
//! alphabet and settles after a few hundred windows.
//!
//! The shape of a regex matches the shape of every text the regex matches
//! (each byte maps to one shape byte, and the mapping keeps word and line
//! bytes as they are, so `\b`, `^` and `$` decide the same). So it only
//! ever answers "maybe" where the regex might match, never "no" where it
//! does: the detector's own regex still runs on every window the shape
//! lets through, and the findings are the same.

use regex_syntax::hir::{
    Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Literal,
    Repetition,
};

/// A byte's shape: digits `0`, upper-case `A`, lower-case `a`; any other
/// byte is itself (separators, punctuation, spaces, line ends, non-ASCII).
#[inline]
pub(super) fn of_byte(b: u8) -> u8 {
    match b {
        b'0'..=b'9' => b'0',
        b'A'..=b'Z' => b'A',
        b'a'..=b'z' => b'a',
        _ => b,
    }
}

/// Writes the shape of `text` into `out` (cleared first).
pub(super) fn of_text(text: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(text.iter().map(|&b| of_byte(b)));
}

/// Writes into `out` the shape of `text[start..end]` with the byte on each
/// side that look-around sees, and returns where the span lies in `out`.
pub(super) fn of_span(
    text: &[u8],
    start: usize,
    end: usize,
    out: &mut Vec<u8>,
) -> std::ops::Range<usize> {
    let (cs, ce) = (start.saturating_sub(1), (end + 1).min(text.len()));
    of_text(&text[cs..ce], out);
    start - cs..end - cs
}

/// The shape of a regex: the same tree with each literal and class mapped
/// byte by byte and captures dropped (a set only needs "which matched").
pub(super) fn of_hir(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Look(look) => Hir::look(*look),
        HirKind::Literal(Literal(bytes)) => {
            Hir::literal(bytes.iter().map(|&b| of_byte(b)).collect::<Vec<u8>>())
        }
        HirKind::Class(Class::Bytes(class)) => Hir::class(Class::Bytes(of_class(class))),
        HirKind::Class(Class::Unicode(class)) => {
            Hir::class(Class::Unicode(of_unicode_class(class)))
        }
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(of_hir(&r.sub)),
        }),
        HirKind::Capture(c) => of_hir(&c.sub),
        HirKind::Concat(v) => Hir::concat(v.iter().map(of_hir).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.iter().map(of_hir).collect()),
    }
}

/// A class of scalar values (the parser merges some alternations into
/// one): its ASCII part mapped as bytes are, the rest kept, as non-ASCII
/// UTF-8 bytes are their own shape.
fn of_unicode_class(class: &ClassUnicode) -> ClassUnicode {
    let mut ascii = [false; 128];
    let mut rest = Vec::new();
    for r in class.iter() {
        let (lo, hi) = (u32::from(r.start()), u32::from(r.end()));
        for c in lo..=hi.min(0x7F) {
            ascii[usize::from(of_byte(c as u8))] = true;
        }
        if hi > 0x7F {
            let lo = char::from_u32(lo.max(0x80)).unwrap_or('\u{80}');
            rest.push(ClassUnicodeRange::new(lo, r.end()));
        }
    }
    let mut out = ClassUnicode::new(rest);
    out.union(&ClassUnicode::new(
        (0..128u8)
            .filter(|&b| ascii[usize::from(b)])
            .map(|b| ClassUnicodeRange::new(char::from(b), char::from(b))),
    ));
    out
}

/// The shapes of a class's bytes, as a class.
fn of_class(class: &ClassBytes) -> ClassBytes {
    let mut seen = [false; 256];
    for r in class.iter() {
        for b in r.start()..=r.end() {
            seen[usize::from(of_byte(b))] = true;
        }
    }
    ClassBytes::new(
        (0..=255u8)
            .filter(|&b| seen[usize::from(b)])
            .map(|b| ClassBytesRange::new(b, b)),
    )
}

#[cfg(test)]
mod tests {
    use regex_automata::meta::Regex;
    use regex_automata::Input;

    use super::super::regexes::{byte_hir, byte_syntax};
    use super::super::{digits, Engine};
    use super::*;

    fn shape_regex(pattern: &str) -> Regex {
        let hir = of_hir(&byte_hir(pattern).expect("parses"));
        Regex::builder()
            .syntax(byte_syntax())
            .configure(Regex::config().utf8_empty(false))
            .build_from_hir(&hir)
            .expect("builds")
    }

    #[test]
    fn bytes_keep_their_word_and_line_class() {
        for b in 0..=255u8 {
            let s = of_byte(b);
            assert_eq!(
                b.is_ascii_alphanumeric() || b == b'_',
                s.is_ascii_alphanumeric() || s == b'_'
            );
            assert_eq!(b == b'\n' || b == b'\r', s == b'\n' || s == b'\r');
        }
        let mut out = Vec::new();
        of_text(b"DE89 3704-x_9", &mut out);
        assert_eq!(out, b"AA00 0000-a_0");
    }

    /// Wherever a built-in digit detector's regex matches in a digit
    /// window, or a bare-value detector's in a bare value, its shape
    /// matches in the span's shape with a byte of context each side:
    /// exactly what the engine asks of its two sets.
    #[test]
    fn a_shape_matches_wherever_its_regex_does() {
        let e = Engine::builtin().expect("builtin");
        let ds = e.digit_set.as_ref().expect("digit set");
        let pairs = |detectors: &[u32]| -> Vec<(Regex, Regex)> {
            detectors
                .iter()
                .map(|&d| {
                    let src = e.sources[d as usize].as_deref().expect("regex");
                    let real = Regex::builder()
                        .syntax(byte_syntax())
                        .configure(Regex::config().utf8_empty(false))
                        .build(src)
                        .expect("builds");
                    (real, shape_regex(src))
                })
                .collect()
        };
        let (digit, bare) = (pairs(&ds.detectors), pairs(&e.bare_detectors));
        assert!(
            digit.len() >= 60 && bare.len() >= 20,
            "{} {}",
            digit.len(),
            bare.len()
        );
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for &d in ds.detectors.iter().chain(&e.bare_detectors) {
            let det = &e.detectors[d as usize];
            texts.extend(det.match_examples().iter().map(|x| x.as_bytes().to_vec()));
            texts.extend(det.examples.no_match.iter().map(|x| x.as_bytes().to_vec()));
        }
        let (corpus, _) = crate::sample::corpus(
            3,
            64 << 10,
            &[
                crate::sample::Kind::JsonEvent,
                crate::sample::Kind::Chat,
                crate::sample::Kind::Log,
            ],
        );
        texts.extend(corpus.lines().map(|l| l.as_bytes().to_vec()));
        // Groups of digits, letters and separators, as numbers and ids are
        // written.
        let mut r = crate::sample::Rng::new(5);
        for _ in 0..2_000 {
            let mut t = Vec::new();
            for _ in 0..1 + r.below(8) {
                let pool: &[u8] = match r.below(4) {
                    0 | 1 => b"0123456789",
                    2 => b"ABDEKXZabxz",
                    _ => b" -./()+_:\n",
                };
                let n = 1 + r.below(if pool.len() == 10 { 9 } else { 3 }) as usize;
                t.extend((0..n).map(|_| pool[r.below(pool.len() as u64) as usize]));
            }
            texts.push(t);
        }
        let (mut checked, mut looser) = (0usize, 0usize);
        let (mut windows, mut shaped) = (Vec::new(), Vec::new());
        for text in &texts {
            digits::windows(text, 1, true, &mut windows);
            let spans = windows
                .iter()
                .map(|w| (w.start, w.end, &digit))
                .chain(super::super::scan::bare_span(text).map(|(s, e)| (s, e, &bare)));
            for (start, end, pairs) in spans {
                let span = of_span(text, start, end, &mut shaped);
                for (real, shape) in pairs {
                    let real_hit = real.is_match(Input::new(text).span(start..end));
                    let shape_hit = shape.is_match(Input::new(&shaped).span(span.clone()));
                    assert!(
                        !real_hit || shape_hit,
                        "{real:?} on {:?} {:?}",
                        String::from_utf8_lossy(text),
                        start..end
                    );
                    checked += usize::from(real_hit);
                    looser += usize::from(!real_hit && shape_hit);
                }
            }
        }
        assert!(checked > 1_000, "{checked} matches checked");
        // A filter, looser than the regexes but not "always".
        assert!(looser > 0, "no window where only a shape matched");
    }
}
