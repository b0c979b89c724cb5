//! Pattern packs: the data format detectors are written in.
//!
//! A pack is one TOML file with a `[pack]` table, any number of
//! `[[detector]]` tables and optional `[[hint]]` tables (field-name hints).
//! The built-in packs live in `patterns/` and are embedded in the binary;
//! operators add their own files from the config. See
//! `docs/pattern-packs.md` for the authoring guide.

use serde::Deserialize;

/// Why a pack was rejected: always names the file, and the detector when
/// the fault is in one.
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {reason}", detector.as_ref().map(|d| format!(": detector `{d}`")).unwrap_or_default())]
pub struct PackError {
    /// The pack file (a path, or `builtin:<name>` for embedded packs).
    pub file: String,
    /// The detector id at fault, when there is one.
    pub detector: Option<String>,
    /// What is wrong, in words.
    pub reason: String,
}

impl PackError {
    pub(crate) fn new(file: &str, detector: Option<&str>, reason: impl Into<String>) -> Self {
        PackError {
            file: file.to_string(),
            detector: detector.map(str::to_string),
            reason: reason.into(),
        }
    }
}

/// One pack file, parsed but not compiled.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    /// Pack metadata.
    pub pack: PackMeta,
    /// The detectors, in file order.
    #[serde(default, rename = "detector")]
    pub detectors: Vec<DetectorSpec>,
    /// Field-name hints: a value under one of these keys is that type.
    #[serde(default, rename = "hint")]
    pub hints: Vec<HintSpec>,
}

/// `[pack]`: a name shown by `patterns list`, and a description.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackMeta {
    /// Short pack name (`pii`, `secrets`, `de`…).
    pub name: String,
    /// One sentence on what the pack covers.
    #[serde(default)]
    pub description: String,
}

/// How a detector decides whether to run on a piece of text at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// Runs only when one of `keywords` occurs (the aho-corasick prefilter).
    /// The default when `keywords` is given.
    #[default]
    Keywords,
    /// Runs only on windows around runs of at least `min_digits` digits:
    /// numeric PII (cards, phones, national ids) without literal anchors.
    Digits,
    /// Runs only on windows that start at an upper-case country code of the
    /// IBAN registry (`patterns/dict/iban_lengths.txt`) followed by two check
    /// digits 02–98: IBANs whose bank code holds letters (`GB29 NWBK …`). A
    /// shape check and a country table instead of a keyword per country and
    /// check-digit pair (4,850 of them, issue 14).
    IbanPrefix,
    /// Runs on the whole text, always. Costly: use sparingly.
    Always,
}

/// One `[[detector]]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DetectorSpec {
    /// Stable kebab-case id: shows up in metrics, headers and `scan` output.
    pub id: String,
    /// Entity type (`EMAIL_ADDRESS`, `US_SSN`, or a custom upper-snake id).
    #[serde(rename = "type")]
    pub entity: String,
    /// The pattern (regex-automata syntax, byte-oriented: `\d`, `\w` and
    /// `(?i)` are ASCII-only). Absent for `builtin` detectors.
    #[serde(default)]
    pub regex: Option<String>,
    /// A detector implemented in Rust (`person`, `location`).
    #[serde(default)]
    pub builtin: Option<String>,
    /// Capture group that is the finding's span (default: the whole match).
    #[serde(default)]
    pub group: Option<usize>,
    /// Literals (ASCII case-insensitive) of which one must occur in the
    /// text for the detector to run.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// What gates the detector (see [`Anchor`]); defaults to `keywords`
    /// when keywords are given, else must be set.
    #[serde(default)]
    pub anchor: Option<Anchor>,
    /// With `anchor = "digits"`: the fewest digits in a run worth trying.
    #[serde(default)]
    pub min_digits: Option<usize>,
    /// A named checksum / structure validator (see `detect::validate`).
    #[serde(default)]
    pub validator: Option<String>,
    /// Whole words that raise the score when they occur near the match or
    /// in the JSON key the value sits under.
    #[serde(default)]
    pub context: Vec<String>,
    /// Whole words that lower the score when they occur near the match.
    #[serde(default)]
    pub negative_context: Vec<String>,
    /// Base score in 0.0..=1.0.
    #[serde(default = "default_score")]
    pub score: f32,
    /// Added once when any `context` word is near; subtracted once when any
    /// `negative_context` word is.
    #[serde(default = "default_context_boost")]
    pub context_boost: f32,
    /// Bytes on each side of the match searched for context words.
    #[serde(default = "default_context_window")]
    pub context_window: usize,
    /// When set, every match lies within this many bytes of one of the
    /// detector's keywords (the keyword is part of the match, like `@` in an
    /// email address): the regex then searches only around keyword
    /// occurrences instead of the whole record.
    #[serde(default)]
    pub keyword_distance: Option<usize>,
    /// Minimum Shannon entropy (bits per byte) of the span, for secrets.
    #[serde(default)]
    pub min_entropy: Option<f32>,
    /// Added when the match is the whole value (a JSON string or a line
    /// holding nothing else): bare identifiers are likelier what they look
    /// like than the same characters inside prose or a log line.
    #[serde(default = "default_whole_value_boost")]
    pub whole_value_boost: f32,
    /// Case-insensitive substrings that disqualify a span (placeholders
    /// such as `example` or `xxxxxxxx`).
    #[serde(default)]
    pub exclude: Vec<String>,
    /// The detector's own test cases.
    pub examples: Examples,
}

/// `examples.match` and `examples.no_match`: each `match` text must give at
/// least one finding of this detector at the default `min_score`; no
/// `no_match` text may give one.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Texts that must match.
    #[serde(default, rename = "match")]
    pub matches: Vec<String>,
    /// Texts that must not match.
    #[serde(default)]
    pub no_match: Vec<String>,
}

/// One `[[hint]]` table: JSON keys that mark their whole value as `type`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HintSpec {
    /// Entity type the value is.
    #[serde(rename = "type")]
    pub entity: String,
    /// Keys, compared after normalisation (lower-case, ASCII letters and
    /// digits only: `first_name`, `firstName` and `First-Name` are equal).
    pub keys: Vec<String>,
}

fn default_score() -> f32 {
    0.5
}
fn default_context_boost() -> f32 {
    0.35
}
fn default_whole_value_boost() -> f32 {
    0.2
}
fn default_context_window() -> usize {
    64
}

/// Parses a pack file's text. `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<PackFile, PackError> {
    toml::from_str(text).map_err(|e| PackError::new(file, None, format!("invalid pack: {e}")))
}

/// Normalises a JSON key for hint and context lookups: lower-case letters
/// and digits only (`First_Name` → `firstname`, `Дата рождения` →
/// `датарождения`): keys in every script can be hints.
pub fn normalize_key(key: &str) -> String {
    NormKey::new(key).as_str().to_string()
}

/// A key normalised as by [`normalize_key`], on the stack when it is short:
/// every JSON value's key is normalised at least once per scan.
pub(crate) enum NormKey {
    Short([u8; 48], u8),
    Long(String),
}

impl NormKey {
    pub(crate) fn new(key: &str) -> NormKey {
        if !key.is_ascii() {
            return NormKey::Long(
                key.chars()
                    .filter(|c| c.is_alphabetic() || c.is_ascii_digit())
                    .flat_map(char::to_lowercase)
                    .collect(),
            );
        }
        let kept = || {
            key.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| b.to_ascii_lowercase())
        };
        let mut buf = [0u8; 48];
        let mut n = 0;
        for b in kept() {
            if n == buf.len() {
                return NormKey::Long(kept().map(char::from).collect());
            }
            buf[n] = b;
            n += 1;
        }
        NormKey::Short(buf, n as u8)
    }

    pub(crate) fn as_str(&self) -> &str {
        match self {
            // Only ASCII letters and digits are kept in the short form.
            NormKey::Short(buf, n) => std::str::from_utf8(&buf[..*n as usize]).unwrap_or(""),
            NormKey::Long(s) => s,
        }
    }
}

/// True for ids like `aws-access-key-id`: lower-case ASCII letters, digits
/// and single dashes, starting with a letter or digit.
pub(crate) fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && !id.contains("--")
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// True for entity type ids like `US_SSN`: upper-case ASCII, digits, `_`.
pub(crate) fn is_upper_snake(t: &str) -> bool {
    !t.is_empty()
        && t.as_bytes()[0].is_ascii_uppercase()
        && t.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_keys() {
        for (k, want) in [
            ("first_name", "firstname"),
            ("firstName", "firstname"),
            ("First-Name", "firstname"),
            ("ssn", "ssn"),
            ("", ""),
        ] {
            assert_eq!(normalize_key(k), want, "{k}");
        }
    }

    #[test]
    fn checks_id_shapes() {
        assert!(is_kebab("aws-access-key-id"));
        assert!(!is_kebab("AWS"));
        assert!(!is_kebab("a--b"));
        assert!(is_upper_snake("US_SSN"));
        assert!(!is_upper_snake("us_ssn"));
    }

    #[test]
    fn parse_error_names_file() {
        let e = parse("x.toml", "[pack]\nnme = 1").unwrap_err();
        assert!(e.to_string().starts_with("x.toml: invalid pack"), "{e}");
    }

    proptest::proptest! {
        #[test]
        fn normalised_keys_keep_lower_case_letters_and_digits(key in "[a-zA-Z0-9_. -é]{0,120}") {
            let naive: String = key
                .chars()
                .filter(|c| c.is_alphabetic() || c.is_ascii_digit())
                .flat_map(char::to_lowercase)
                .collect();
            let norm = NormKey::new(&key);
            proptest::prop_assert_eq!(norm.as_str(), naive.as_str());
        }
    }
}
