//! JSON Pointer globs for `policy.fields`, and the "did you mean"
//! suggestion for mistyped names.

/// A JSON Pointer glob: `*` matches any text inside one segment, a `**`
/// segment any number (zero included) of segments.
#[derive(Debug, Clone, PartialEq)]
pub struct Glob {
    source: String,
    segs: Vec<Seg>,
}

#[derive(Debug, Clone, PartialEq)]
enum Seg {
    /// Literal pieces around `*`s (one piece: no `*`).
    Pieces(Vec<String>),
    /// `**`.
    Any,
}

impl Glob {
    /// Parses a glob; the error says what is wrong with it.
    pub fn parse(s: &str) -> Result<Glob, String> {
        if s.is_empty() {
            return Ok(Glob {
                source: String::new(),
                segs: Vec::new(),
            });
        }
        let Some(rest) = s.strip_prefix('/') else {
            return Err(format!(
                "{s:?}: a path must start with / (a JSON Pointer such as /user/email)"
            ));
        };
        let mut segs = Vec::new();
        for seg in rest.split('/') {
            if seg == "**" {
                segs.push(Seg::Any);
            } else if seg.contains("**") {
                return Err(format!(
                    "{s:?}: ** must be a whole segment (/a/**/b), not part of {seg:?}"
                ));
            } else {
                segs.push(Seg::Pieces(seg.split('*').map(unescape).collect()));
            }
        }
        Ok(Glob {
            source: s.to_string(),
            segs,
        })
    }

    /// The glob as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether `pointer` (RFC 6901, "" for the root) matches.
    pub fn matches(&self, pointer: &str) -> bool {
        let parts: Vec<String> = if pointer.is_empty() {
            Vec::new()
        } else {
            pointer
                .strip_prefix('/')
                .unwrap_or(pointer)
                .split('/')
                .map(unescape)
                .collect()
        };
        match_segs(&self.segs, &parts)
    }
}

/// RFC 6901 unescaping: `~1` is `/`, `~0` is `~`.
fn unescape(s: &str) -> String {
    s.replace("~1", "/").replace("~0", "~")
}

fn match_segs(segs: &[Seg], parts: &[String]) -> bool {
    match segs.split_first() {
        None => parts.is_empty(),
        Some((Seg::Any, rest)) => (0..=parts.len()).any(|i| match_segs(rest, &parts[i..])),
        Some((Seg::Pieces(p), rest)) => {
            !parts.is_empty() && match_pieces(p, &parts[0]) && match_segs(rest, &parts[1..])
        }
    }
}

/// `*`-glob of one segment: `pieces` are the literals between the `*`s.
fn match_pieces(pieces: &[String], s: &str) -> bool {
    if pieces.len() == 1 {
        return pieces[0] == s;
    }
    let (first, last) = (&pieces[0], &pieces[pieces.len() - 1]);
    if s.len() < first.len() + last.len() || !s.starts_with(first.as_str()) {
        return false;
    }
    if !s.ends_with(last.as_str()) {
        return false;
    }
    let mut rest = &s[first.len()..s.len() - last.len()];
    for mid in &pieces[1..pieces.len() - 1] {
        match rest.find(mid.as_str()) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// The closest of `candidates` to `word` (edit distance at most a third of
/// its length, at least 1; case-insensitive), for "did you mean".
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_ascii_lowercase();
    let limit = (w.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&w, &c.to_ascii_lowercase()), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| (d, c.len()))
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let g = |s: &str| Glob::parse(s).expect(s);
        assert!(g("/user/email").matches("/user/email"));
        assert!(!g("/user/email").matches("/user/email/x"));
        assert!(g("/items/*/card").matches("/items/3/card"));
        assert!(!g("/items/*/card").matches("/items/card"));
        assert!(g("/internal/**").matches("/internal"));
        assert!(g("/internal/**").matches("/internal/a/b/c"));
        assert!(!g("/internal/**").matches("/internals/a"));
        assert!(g("/**/email").matches("/a/b/email"));
        assert!(g("/**/email").matches("/email"));
        assert!(g("/user/*_email").matches("/user/work_email"));
        assert!(!g("/user/*_email").matches("/user/email"));
        assert!(g("/a~1b").matches("/a~1b"));
        assert!(g("").matches(""));
        assert!(Glob::parse("user").is_err());
        assert!(Glob::parse("/a/***").is_err());
    }

    #[test]
    fn suggestions() {
        let types = ["EMAIL_ADDRESS", "IP_ADDRESS", "US_SSN"];
        assert_eq!(suggest("EMAIL_ADRESS", types), Some("EMAIL_ADDRESS"));
        assert_eq!(suggest("us_ssn", types), Some("US_SSN"));
        assert_eq!(suggest("PASSPORT", types), None);
    }
}
