//! PERSON and LOCATION detection without an NER model: dictionaries of
//! public-domain names and places, matched with aho-corasick, gated by
//! capitalisation, context and field-name hints.
//!
//! STUB: replaced by the real implementation.

/// A candidate span found by a dictionary detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// Confidence in 0.0..=1.0; the engine drops hits under its `min_score`.
    pub score: f32,
}

/// The compiled dictionaries; built once, shared immutably.
#[derive(Debug)]
pub struct Names {}

impl Names {
    /// Loads the embedded dictionaries.
    pub fn build() -> Result<Names, String> {
        Ok(Names {})
    }

    /// Appends PERSON candidates found in `text`. `field` is the normalised
    /// name of the JSON key the value sits under (lower-case ASCII letters and
    /// digits only, e.g. `firstname`), or `None` for text records.
    pub fn find_persons(&self, _text: &[u8], _field: Option<&str>, _out: &mut Vec<Hit>) {}

    /// Appends LOCATION candidates (street addresses, places) found in `text`.
    pub fn find_locations(&self, _text: &[u8], _field: Option<&str>, _out: &mut Vec<Hit>) {}
}
