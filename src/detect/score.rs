//! Scoring one candidate span: validator, entropy, exclusions, the UUID
//! rule, the whole-value boost and context words near the span (or in the
//! JSON key), against the engine's `min_score`.

use super::{DetectorId, Engine, Finding, Kind, Scratch};

impl Engine {
    /// Applies validator, entropy, exclusions and context to one span.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn consider(
        &self,
        d: u32,
        text: &[u8],
        start: usize,
        end: usize,
        base: f32,
        key: Option<&str>,
        s: &mut Scratch,
    ) {
        let det = &self.detectors[d as usize];
        let span = &text[start..end];
        if let Some(v) = det.validator {
            if !v(span) {
                return;
            }
        }
        if let Some(min) = det.min_entropy {
            if entropy(span) < min {
                return;
            }
        }
        if !det.exclude.is_empty() && det.exclude.iter().any(|x| contains_ci(span, x)) {
            return;
        }
        // A group of a UUID is not an id of its own (the last group is
        // twelve hex digits, all decimal one time in 35).
        if matches!(det.kind, Kind::Regex { .. }) && inside_uuid(text, start, end) {
            return;
        }
        let mut score = base;
        // A value that is nothing but the candidate (a JSON string holding
        // only an id, a bare line) is more likely that id than the same
        // digits inside prose or a log line.
        if det.whole_value_boost > 0.0 && is_whole_value(text, start, end) {
            score = (score + det.whole_value_boost).min(1.0);
        }
        if !det.context.is_empty() || !det.negative_context.is_empty() {
            let ws = start.saturating_sub(det.context_window);
            let we = (end + det.context_window).min(text.len());
            s.lower.clear();
            s.lower
                .extend(text[ws..we].iter().map(u8::to_ascii_lowercase));
            let near = |words: &[Vec<u8>]| {
                words.iter().any(|w| {
                    has_word(&s.lower, w)
                        || key.is_some_and(|k| find_short(k.as_bytes(), w).next().is_some())
                })
            };
            if near(&det.context) {
                score += det.context_boost;
            } else if epoch_millis(span) && !is_whole_value(text, start, end) {
                // Thirteen digits between 2001 and 2036 in milliseconds are
                // a log's clock unless the id's own words stand near.
                return;
            }
            if near(&det.negative_context) {
                score -= det.context_boost;
            }
            score = score.clamp(0.0, 1.0);
        }
        if score + f32::EPSILON < self.min_score {
            return;
        }
        s.candidates.push(Finding {
            start,
            end,
            entity: det.entity,
            detector: DetectorId(d),
            score,
        });
    }
}

/// Whether `span` is thirteen digits read as Unix milliseconds between
/// 2001-09 and 2036-07 (1.0e12 ..= 2.1e12).
fn epoch_millis(span: &[u8]) -> bool {
    span.len() == 13
        && span.iter().all(u8::is_ascii_digit)
        && span >= &b"1000000000000"[..]
        && span <= &b"2100000000000"[..]
}

/// Whether `text[start..end]` lies within a UUID (`8-4-4-4-12` hex digits)
/// and is not the whole of it.
fn inside_uuid(text: &[u8], start: usize, end: usize) -> bool {
    let hexish = |b: &u8| b.is_ascii_hexdigit() || *b == b'-';
    let s = text[..start]
        .iter()
        .rposition(|b| !hexish(b))
        .map_or(0, |p| p + 1);
    let e = text[end..]
        .iter()
        .position(|b| !hexish(b))
        .map_or(text.len(), |p| end + p);
    let t = &text[s..e];
    t.len() == 36
        && (s, e) != (start, end)
        && t.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        })
}

/// True when `word` (lower-case) occurs in `hay` (lower-case) with no ASCII
/// alphanumeric right before or after it: "lic" is not in "public".
fn has_word(hay: &[u8], word: &[u8]) -> bool {
    find_short(hay, word).any(|p| {
        let before = p == 0 || !hay[p - 1].is_ascii_alphanumeric();
        let after = p + word.len() >= hay.len() || !hay[p + word.len()].is_ascii_alphanumeric();
        before && after
    })
}

/// Start offsets of `needle` in a short `hay`. Cheaper than `memmem` here:
/// building a `memmem::Finder` costs more than searching a context window.
fn find_short<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    let first = needle.first().copied().unwrap_or(0);
    memchr::memchr_iter(first, hay)
        .filter(move |&p| !needle.is_empty() && hay[p..].starts_with(needle))
}

/// True when `text[start..end]` is all of `text` but ASCII whitespace,
/// quotes and trailing punctuation.
pub(super) fn is_whole_value(text: &[u8], start: usize, end: usize) -> bool {
    let pad = |b: &u8| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'.' | b',' | b';');
    text[..start].iter().all(pad) && text[end..].iter().all(pad)
}

/// ASCII case-insensitive substring test (`needle` already lower-case).
fn contains_ci(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty()
        || hay.windows(needle.len()).any(|w| {
            w.iter()
                .zip(needle)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
        })
}

/// Shannon entropy in bits per byte.
fn entropy(s: &[u8]) -> f32 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in s {
        counts[b as usize] += 1;
    }
    let n = s.len() as f32;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f32 / n;
            -p * p.log2()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{engine, EMAIL};
    use super::*;

    #[test]
    fn context_is_whole_word() {
        let e = engine(EMAIL).unwrap();
        assert!(e.scan(b"cardinal 4111 1111 1111 1111").is_empty());
        // A bare value that is only the number gets the whole-value boost.
        assert_eq!(e.scan(b" 4111 1111 1111 1111\n").len(), 1);
        assert_eq!(e.scan(b"Card: 4111 1111 1111 1111").len(), 1);
    }

    #[test]
    fn entropy_of_uniform_bytes() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!((entropy(b"abcd") - 2.0).abs() < 1e-6);
    }
}
