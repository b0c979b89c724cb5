//! The pack regex dialect (bytes, ASCII classes) and what a regex's shape
//! tells the engine when it compiles a detector: how many digits every
//! match holds, whether a match can hold a letter, and a dense DFA for
//! detectors that search short digit windows.

use regex_automata::util::syntax;
use regex_syntax::hir::Hir;

/// Largest DFA (each direction) built for a window-searched detector; the
/// 73 of 74 such built-in regexes that fit take about 1 MB together.
const WINDOW_DFA_LIMIT: usize = 256 << 10;

pub(super) type WindowDfa = regex_automata::dfa::regex::Regex;

/// A detector that searches thousands of short digit windows per megabyte
/// pays the meta regex's per-search set-up on each (about 130 ns against
/// 30 ns for a prebuilt DFA on a 15-byte window, more once its lazy cache
/// competes with the others for the CPU cache), so its regex is also built
/// as a dense DFA when that stays under [`WINDOW_DFA_LIMIT`]. Same
/// leftmost-first semantics as the meta regex (tested against it);
/// `None` when it does not fit, and the meta regex is used.
pub(super) fn window_dfa(pattern: &str) -> Option<Box<WindowDfa>> {
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

/// The regex dialect of pattern packs: byte-oriented, `\d`, `\w`, `\b`
/// and `(?i)` ASCII only.
pub(super) fn byte_syntax() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

/// A pack regex's syntax tree, for the compile-time checks that decide how
/// a detector runs (`None` if it does not parse).
pub(super) fn byte_hir(pattern: &str) -> Option<Hir> {
    syntax::parse_with(pattern, &byte_syntax()).ok()
}

/// When no match of a regex can hold an ASCII letter, the fewest digits a
/// match holds; else 0.
pub(super) fn numeric_min_digits(hir: &Hir) -> usize {
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
pub(super) fn consumes_letters(hir: &Hir) -> bool {
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

#[cfg(test)]
mod tests {
    use regex_automata::meta::Regex;

    use super::super::tests::all_matches;
    use super::super::{digits, Detector, Engine, Kind};
    use super::*;

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
}
