//! Finds the windows of text that numeric detectors run on.
//!
//! Cards, phones and national ids have no literal to anchor a prefilter
//! on, and running dozens of unanchored regexes over every byte is what
//! makes naive scanners slow. Instead one byte-wise pass finds runs of
//! digits (joined by short runs of separators such as `-`, ` `, `.`), and
//! each numeric detector only searches a window around runs with enough
//! digits.

use regex_syntax::hir::Hir;

/// A window of text worth running numeric detectors on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    /// First byte of the window.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Digits in the largest digit run (separators skipped) inside the window.
    pub digits: usize,
}

/// Bytes that may join digit groups inside one number (`4111 1111`,
/// `555-123-4567`, `(555) 123`, `12.34.56`, `10:20`).
const fn is_sep(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'-' | b'.' | b'/' | b'(' | b')' | b'+' | b':' | b'\t'
    )
}

/// Bytes that extend a window to the left and right: ids mix letters and
/// digits (`AB123456C`, `DE89 3704…`, `S1234567D`).
const fn is_wordish(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':' | b'/' | b'+' | b'=' | b'#')
}

/// Longest run of separators allowed between two digit groups.
const MAX_SEP_RUN: usize = 3;
/// How far a window reaches over word-ish bytes on each side.
const MAX_EXTEND: usize = 48;
/// Bytes of any kind added on each side after extension (`AB 12 34 56 C`).
const MARGIN: usize = 3;

/// Position of the first ASCII digit at or after `from`.
#[inline]
fn next_digit(text: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    // 32-byte blocks first: an OR-fold without early exit vectorises well.
    while i + 32 <= text.len() {
        let block = &text[i..i + 32];
        if block
            .iter()
            .fold(false, |acc, &b| acc | (b.wrapping_sub(b'0') < 10))
        {
            break;
        }
        i += 32;
    }
    text.get(i..)?
        .iter()
        .position(|b| b.is_ascii_digit())
        .map(|p| i + p)
}

/// The widest IBAN as written: 34 characters and a separator every four.
const IBAN_SPAN: usize = 42;

/// Appends to `out` the merged windows the `iban_prefix` anchor runs its
/// detectors on, in text order. Each starts at an upper-case country code of
/// the IBAN registry followed by two check digits 02–98 (no letter, digit or
/// `_` before it) and reaches as far as the widest written IBAN. A filter
/// only: the detector's regex decides, and its look-around sees the text.
pub(crate) fn iban_windows(text: &[u8], out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut j = 2;
    while let Some(d) = next_digit(text, j) {
        // Only a run's first two digits can follow a country code.
        j = d + text[d..].iter().take_while(|b| b.is_ascii_digit()).count();
        if d < 2 || j - d < 2 {
            continue;
        }
        let (cc, check) = (
            [text[d - 2], text[d - 1]],
            (text[d] - b'0') * 10 + text[d + 1] - b'0',
        );
        let word_start = d == 2 || !(text[d - 3].is_ascii_alphanumeric() || text[d - 3] == b'_');
        if !(word_start && (2..=98).contains(&check) && super::validate::iban_country(cc)) {
            continue;
        }
        let (start, end) = (d - 2, (d - 2 + IBAN_SPAN).min(text.len()));
        match out.last_mut() {
            Some(last) if last.1 >= start => last.1 = end,
            _ => out.push((start, end)),
        }
    }
}

/// Appends to `out` the merged windows around digit runs of at least
/// `min_digits` digits, in text order. With `extend`, windows reach over
/// neighbouring word-ish bytes (for ids that mix letters and digits);
/// without, they are the run and a small margin (for detectors that never
/// consume a letter).
pub(crate) fn windows(text: &[u8], min_digits: usize, extend: bool, out: &mut Vec<Window>) {
    let reach = if extend { MAX_EXTEND } else { 0 };
    out.clear();
    let mut i = 0;
    // How far right the last extension walked (before the margin).
    let mut reached = 0;
    while let Some(start) = next_digit(text, i) {
        let mut j = start;
        let mut digits = 0;
        loop {
            // A group of digits.
            let g = j;
            while j < text.len() && text[j].is_ascii_digit() {
                j += 1;
            }
            digits += j - g;
            // Separators, only if a digit follows them closely.
            let mut k = j;
            while k < text.len() && k - j < MAX_SEP_RUN && is_sep(text[k]) {
                k += 1;
            }
            if k > j && k < text.len() && text[k].is_ascii_digit() {
                j = k;
            } else {
                break;
            }
        }
        let end = j;
        i = end.max(start + 1);
        if digits < min_digits {
            continue;
        }
        // Extensions never re-walk bytes the previous window's walk already
        // covered (they are word-ish, or that walk would have stopped
        // there), so the pass stays linear in text with many short runs
        // (hex ids, UUIDs).
        let floor = out.last().map_or(0, |w| w.end);
        let mut ws = start;
        while ws > floor && start - ws < reach && is_wordish(text[ws - 1]) {
            ws -= 1;
        }
        let mut we = end.max(reached);
        while we < text.len() && we - end < reach && is_wordish(text[we]) {
            we += 1;
        }
        reached = we;
        let ws = ws.saturating_sub(MARGIN);
        let we = (we + MARGIN).min(text.len());
        match out.last_mut() {
            Some(last) if ws <= last.end => {
                last.end = last.end.max(we);
                last.digits = last.digits.max(digits);
            }
            _ => out.push(Window {
                start: ws,
                end: we,
                digits,
            }),
        }
    }
}

/// `Some((min, max))` when a regex (its syntax tree) is exactly `\b[0-9]{min,max}\b`
/// (or `\d`, ASCII word boundaries, e.g. `\b[0-9]{9}\b` for a bare SSN):
/// its matches are then whole digit runs, found by [`runs`] without a
/// regex. Such detectors run on many short windows, where a regex search
/// costs mostly its fixed start-up.
pub(crate) fn exact_run(hir: &Hir) -> Option<(usize, usize)> {
    use regex_syntax::hir::{Class, HirKind, Look};
    let HirKind::Concat(parts) = hir.kind() else {
        return None;
    };
    let [first, rep, last] = parts.as_slice() else {
        return None;
    };
    let boundary = |h: &Hir| matches!(h.kind(), HirKind::Look(Look::WordAscii));
    if !boundary(first) || !boundary(last) {
        return None;
    }
    let is_digit_class = |h: &Hir| match h.kind() {
        HirKind::Class(Class::Bytes(c)) => {
            c.ranges().len() == 1 && c.ranges()[0].start() == b'0' && c.ranges()[0].end() == b'9'
        }
        _ => false,
    };
    match rep.kind() {
        // `{1}` parses to the bare class.
        HirKind::Class(_) => is_digit_class(rep).then_some((1, 1)),
        HirKind::Repetition(r) => {
            let (min, max) = (r.min as usize, r.max? as usize);
            (is_digit_class(&r.sub) && min >= 1 && max >= min).then_some((min, max))
        }
        _ => None,
    }
}

/// ASCII word byte, as `\b` sees it.
const fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Calls `found(start, end)` for every match of `\b[0-9]{min,max}\b`
/// inside `text[start..end]`, in order: the digit runs of `min..=max`
/// digits that lie wholly in the range with no word byte right before or
/// after them. Bytes outside the range count for the boundaries, as a
/// regex's look-around sees the whole text.
pub(crate) fn runs(
    text: &[u8],
    start: usize,
    end: usize,
    (min, max): (usize, usize),
    mut found: impl FnMut(usize, usize),
) {
    let end = end.min(text.len());
    let mut i = start;
    while let Some(s) = next_digit(&text[..end], i) {
        let mut e = s;
        while e < end && text[e].is_ascii_digit() {
            e += 1;
        }
        i = e;
        let before = s.checked_sub(1).map(|p| text[p]);
        let after = text.get(e).copied();
        if (min..=max).contains(&(e - s))
            && !before.is_some_and(is_word)
            && !after.is_some_and(is_word)
        {
            found(s, e);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win(text: &str, min: usize) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        windows(text.as_bytes(), min, true, &mut out);
        out.iter()
            .map(|w| (text[w.start..w.end].to_string(), w.digits))
            .collect()
    }

    fn iban(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        iban_windows(text.as_bytes(), &mut out);
        out.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn iban_windows_start_at_a_registered_country_and_check_digits() {
        // A window per prefix, as wide as the widest written IBAN.
        let t = format!("pay GB29 NWBK 6016 1331 9268 19 {}", "x".repeat(60));
        assert_eq!(iban(&t), [&t[4..4 + IBAN_SPAN]]);
        // Cut at the end of the text; near prefixes merge.
        assert_eq!(iban("MT84 MALT"), ["MT84 MALT"]);
        assert_eq!(iban("DE89 FR76"), ["DE89 FR76"]);
        // Not a registered country, check digits 00, 01 or 99, lower case,
        // one digit, or inside a word: no window.
        for t in [
            "QQ29 NWBK",
            "GB00 NWBK",
            "GB01",
            "GB99",
            "gb29 nwbk",
            "GB2 X",
            "XGB29",
            "_GB29",
            "9GB29",
        ] {
            assert_eq!(iban(t), Vec::<&str>::new(), "{t}");
        }
        // After punctuation or a non-ASCII byte it may start (the regex's
        // `\b` decides).
        assert_eq!(iban("(GB29)"), ["GB29)"]);
        assert_eq!(iban("éGB29"), ["GB29"]);
    }

    #[test]
    fn finds_grouped_numbers() {
        assert_eq!(
            win("card 4111 1111 1111 1111 ok", 6),
            vec![("rd 4111 1111 1111 1111 ok".to_string(), 16)]
        );
        assert_eq!(
            win("call (555) 123-4567 now", 6),
            vec![("l (555) 123-4567 no".to_string(), 10)]
        );
    }

    #[test]
    fn extends_over_letters() {
        assert_eq!(
            win("nino AB123456C x", 6),
            vec![("no AB123456C x".to_string(), 6)]
        );
    }

    #[test]
    fn skips_short_runs_and_merges_near_ones() {
        assert!(win("v1.2 at 10am", 6).is_empty());
        let w = win("123456 789012", 6);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].1, 12);
    }

    /// The straightforward walk the linear one must agree with.
    fn naive(text: &[u8], min_digits: usize, extend: bool) -> Vec<Window> {
        let reach = if extend { MAX_EXTEND } else { 0 };
        let mut out: Vec<Window> = Vec::new();
        let mut i = 0;
        while let Some(start) = next_digit(text, i) {
            let (mut j, mut digits) = (start, 0);
            loop {
                let g = j;
                while j < text.len() && text[j].is_ascii_digit() {
                    j += 1;
                }
                digits += j - g;
                let mut k = j;
                while k < text.len() && k - j < MAX_SEP_RUN && is_sep(text[k]) {
                    k += 1;
                }
                if k > j && k < text.len() && text[k].is_ascii_digit() {
                    j = k;
                } else {
                    break;
                }
            }
            let end = j;
            i = end.max(start + 1);
            if digits < min_digits {
                continue;
            }
            let mut ws = start;
            while ws > 0 && start - ws < reach && is_wordish(text[ws - 1]) {
                ws -= 1;
            }
            let mut we = end;
            while we < text.len() && we - end < reach && is_wordish(text[we]) {
                we += 1;
            }
            let (ws, we) = (ws.saturating_sub(MARGIN), (we + MARGIN).min(text.len()));
            match out.last_mut() {
                Some(last) if ws <= last.end => {
                    last.end = last.end.max(we);
                    last.digits = last.digits.max(digits);
                }
                _ => out.push(Window {
                    start: ws,
                    end: we,
                    digits,
                }),
            }
        }
        out
    }

    /// Texts of up to `max` bytes drawn from `alphabet`.
    fn text_of(alphabet: &[u8], max: usize) -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        proptest::collection::vec(proptest::sample::select(alphabet.to_vec()), 0..max)
    }

    fn run_of(pattern: &str) -> Option<(usize, usize)> {
        exact_run(&super::super::regexes::byte_hir(pattern).expect("parses"))
    }

    #[test]
    fn exact_runs_are_recognised() {
        assert_eq!(run_of(r"\b[0-9]{9}\b"), Some((9, 9)));
        assert_eq!(run_of(r"\b\d{8,17}\b"), Some((8, 17)));
        for other in [
            r"\b[0-9]{9,}\b",
            r"\b[0-9]{9}",
            r"[0-9]{9}\b",
            r"\b[0-8]{9}\b",
            r"\b[0-9a]{9}\b",
            r"\b([0-9]{9})\b",
            r"\b0[0-9]{9}\b",
        ] {
            assert_eq!(run_of(other), None, "{other}");
        }
    }

    proptest::proptest! {
        #[test]
        fn linear_walk_matches_naive_walk(
            text in text_of(b"0123456789ab- .,!x", 400),
            min in 1usize..8,
            extend: bool,
        ) {
            let mut fast = Vec::new();
            windows(&text, min, extend, &mut fast);
            proptest::prop_assert_eq!(fast, naive(&text, min, extend));
        }

        /// The run scan finds exactly what the regex finds in the range.
        #[test]
        fn runs_match_the_regex(
            text in text_of(b"0123456789a_- .", 120),
            a in 0usize..130,
            b in 0usize..130,
            (min, extra) in (1usize..6, 0usize..4),
        ) {
            use regex_automata::meta::Regex;
            let (start, end) = (a.min(b).min(text.len()), a.max(b).min(text.len()));
            let max = min + extra;
            let pattern = format!(r"\b[0-9]{{{min},{max}}}\b");
            proptest::prop_assert_eq!(run_of(&pattern), Some((min, max)));
            let re = Regex::builder()
                .syntax(super::super::regexes::byte_syntax())
                .build(&pattern)
                .expect("regex");
            let want = super::super::tests::all_matches(&text, (start, end), |i| re.search(i));
            let mut got = Vec::new();
            runs(&text, start, end, (min, max), |s, e| got.push((s, e)));
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn tight_windows_keep_only_a_margin() {
        let mut out = Vec::new();
        windows(b"ref ab4111 1111 1111 1111cd end", 6, false, &mut out);
        assert_eq!((out[0].start, out[0].end), (3, 28));
    }

    #[test]
    fn survives_edges() {
        assert!(win("", 1).is_empty());
        assert_eq!(win("7", 1).len(), 1);
        let long = "9".repeat(100_000);
        let w = win(&long, 6);
        let mut tight = Vec::new();
        windows(long.as_bytes(), 6, false, &mut tight);
        assert_eq!(tight.len(), 1);
        assert_eq!(w, vec![(long.clone(), 100_000)]);
    }
}
