//! What a JSON key says about its value: a person's name (`firstname`,
//! `billingname`), maybe one (`name`, `author`), a place (`city`,
//! `homeaddress`) or a coarse place (`state`, `country`); and whether the
//! value has the shape its key calls for. The keys are data:
//! `patterns/dict/name_fields.txt`.

use std::sync::OnceLock;

use super::words::entries;
use crate::detect::KeyTable;

const NAME_FIELDS: &str = include_str!("../../../patterns/dict/name_fields.txt");

/// The lists of `name_fields.txt`, in file order.
#[derive(Default)]
struct Keys {
    /// Keys that name a person's name outright.
    person: Vec<&'static str>,
    /// Prefixes that make `<prefix>name` a person's name (`customername`).
    person_prefix: Vec<&'static str>,
    /// Keys that often hold a person's name, but not always.
    maybe_person: Vec<&'static str>,
    /// Name parts that make `<anything><part>name` a person's name.
    person_part: Vec<&'static str>,
    /// Prefixes that make `<prefix>address`, `<prefix>city`... a person's
    /// place (`billingcity`, `homeaddress`); the empty prefix is not listed.
    place_prefix: Vec<&'static str>,
    /// Keys of a full place (an address, a city).
    place: Vec<&'static str>,
    /// Keys of a coarse place (a state, a country).
    coarse_place: Vec<&'static str>,
    /// Key endings of a postal code.
    zip: Vec<&'static str>,
    /// Values that mean "nothing here".
    placeholder: Vec<&'static str>,
}

/// The key lists, parsed on first use.
fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut k = Keys::default();
        for (list, entry) in entries(NAME_FIELDS) {
            let to = match list {
                "person" => &mut k.person,
                "person_prefix" => &mut k.person_prefix,
                "maybe_person" => &mut k.maybe_person,
                "person_part" => &mut k.person_part,
                "place_prefix" => &mut k.place_prefix,
                "place" => &mut k.place,
                "coarse_place" => &mut k.coarse_place,
                "zip" => &mut k.zip,
                "placeholder" => &mut k.placeholder,
                _ => continue,
            };
            to.push(entry);
        }
        k
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FieldKind {
    /// The key says the value is a person's name.
    Strong,
    /// The key may hold a name (`name`, `author`): the value must contain a
    /// dictionary name.
    NeedsDictionary,
}

/// What a JSON key says about its value being a person's name. Asked for
/// every value, so the fixed key lists are one table lookup; only keys
/// ending in `name` also try the suffix rule.
pub(super) fn person_field(field: &str) -> Option<FieldKind> {
    type Table = KeyTable<FieldKind>;
    static TABLE: OnceLock<Table> = OnceLock::new();
    let hit = TABLE
        .get_or_init(|| {
            let mut t = Table::default();
            for k in &keys().person {
                t.insert(k.to_string(), FieldKind::Strong);
            }
            for p in &keys().person_prefix {
                t.entry(format!("{p}name")).or_insert(FieldKind::Strong);
            }
            for k in &keys().maybe_person {
                t.entry(k.to_string()).or_insert(FieldKind::NeedsDictionary);
            }
            t
        })
        .get(field)
        .copied();
    if hit == Some(FieldKind::Strong) {
        return hit;
    }
    if let Some(prefix) = field.strip_suffix("name") {
        // `userfirstname`, `billingfirstname`, `patientlastname`...
        for suffix in &keys().person_part {
            if prefix.ends_with(suffix) && prefix.len() > suffix.len() {
                return Some(FieldKind::Strong);
            }
        }
    }
    hit
}

/// LOCATION score of a whole value under `field`, if the key names a place.
/// Every JSON value asks, so the answer is one lookup in a table of every
/// prefix and place key (the scan of prefixes and lists cost about 5 % of
/// `redactd redact` on JSON events).
pub(super) fn location_field(field: &str) -> Option<f32> {
    type Table = KeyTable<f32>;
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            let mut t = Table::default();
            for prefix in place_prefixes() {
                for (name, coarse) in location_keys() {
                    // A prefixed `region` is rarely a place.
                    if coarse && !prefix.is_empty() && name == "region" {
                        continue;
                    }
                    t.entry(format!("{prefix}{name}"))
                        .or_insert(if coarse { 0.6 } else { 0.9 });
                }
            }
            t
        })
        .get(field)
        .copied()
}

/// The place prefixes: the empty one first, then those of the file.
fn place_prefixes() -> impl Iterator<Item = &'static str> {
    std::iter::once("").chain(keys().place_prefix.iter().copied())
}

/// The place keys without a prefix, each with whether it is coarse (a
/// state, a country: score 0.6) rather than a full place (an address, a
/// city: 0.9).
fn location_keys() -> impl Iterator<Item = (&'static str, bool)> {
    let k = keys();
    k.place
        .iter()
        .map(|&k| (k, false))
        .chain(k.coarse_place.iter().map(|&k| (k, true)))
}

/// Values that mean "nothing here".
fn is_placeholder(v: &[u8]) -> bool {
    keys()
        .placeholder
        .iter()
        .any(|e| v.eq_ignore_ascii_case(e.as_bytes()))
}

/// The trimmed span of `text` when it reads like a person's name: 1-4 words
/// of letters, apostrophes, hyphens and dots (one comma for "Smith, John").
pub(super) fn name_like_value(text: &[u8]) -> Option<(usize, usize)> {
    let (start, end) = trimmed(text)?;
    let v = &text[start..end];
    if v.len() > 100 || is_placeholder(v) {
        return None;
    }
    let s = std::str::from_utf8(v).ok()?;
    let mut words = 0;
    let mut letters = 0;
    let mut commas = 0;
    let mut in_word = false;
    for c in s.chars() {
        if c.is_alphabetic() {
            letters += 1;
            if !in_word {
                words += 1;
                in_word = true;
            }
        } else if c == ' ' {
            in_word = false;
        } else if c == ',' {
            commas += 1;
            in_word = false;
        } else if !matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '-' | '.') {
            return None;
        }
    }
    // One Han or Hangul character is a whole surname (`林`, `박`).
    let enough = letters >= 2 || (letters == 1 && non_latin_letters(v));
    (enough && (1..=4).contains(&words) && commas <= 1).then_some((start, end))
}

/// The trimmed span of `text` when it can be the place `field` names.
pub(super) fn location_value(text: &[u8], field: &str) -> Option<(usize, usize)> {
    let (start, end) = trimmed(text)?;
    let v = &text[start..end];
    if v.len() > 200 || is_placeholder(v) || v.contains(&b'\n') {
        return None;
    }
    let letters = v
        .iter()
        .filter(|b| b.is_ascii_alphabetic() || **b >= 0x80)
        .count();
    let digits = v.iter().filter(|b| b.is_ascii_digit()).count();
    let code_like = v.windows(3).any(|w| w == b"://") || v.contains(&b'@') || v.contains(&b'{');
    if code_like {
        return None;
    }
    let is_zip = keys().zip.iter().any(|z| field.ends_with(z));
    if is_zip {
        let ok = (3..=10).contains(&v.len())
            && digits >= 2
            && v.iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b' ' || *b == b'-');
        return ok.then_some((start, end));
    }
    if field.contains("addr") || field.contains("street") || field.contains("housenumber") {
        // A postal address has words; `10.0.0.1:8080` or `0xAB..` has not.
        // Scripts without spaces (`神奈川県稲城市…`) write one word.
        let ok = letters >= 2 && (v.contains(&b' ') || non_latin_letters(v));
        return ok.then_some((start, end));
    }
    (letters >= 2).then_some((start, end))
}

/// Whether `v` holds letters of a script other than Latin (Cyrillic,
/// Greek, CJK, Hangul...), which the embedded dictionaries do not cover.
pub(super) fn non_latin_letters(v: &[u8]) -> bool {
    std::str::from_utf8(v).is_ok_and(|s| {
        s.chars().any(|c| {
            c.is_alphabetic() && !matches!(c, 'A'..='Z' | 'a'..='z' | '\u{C0}'..='\u{24F}')
        })
    })
}

fn trimmed(text: &[u8]) -> Option<(usize, usize)> {
    let start = text.iter().position(|b| !b.is_ascii_whitespace())?;
    let end = text.iter().rposition(|b| !b.is_ascii_whitespace())? + 1;
    Some((start, end))
}

#[cfg(test)]
mod tests {
    use super::super::words::tests::assert_well_formed;
    use super::*;

    #[test]
    fn person_field_table_is_the_list_scan() {
        // The plain definition the table is built from.
        fn scan(field: &str) -> Option<FieldKind> {
            if keys().person.contains(&field) {
                return Some(FieldKind::Strong);
            }
            if let Some(prefix) = field.strip_suffix("name") {
                if keys().person_prefix.contains(&prefix) {
                    return Some(FieldKind::Strong);
                }
                for suffix in &keys().person_part {
                    if prefix.ends_with(suffix) && prefix.len() > suffix.len() {
                        return Some(FieldKind::Strong);
                    }
                }
            }
            if keys().maybe_person.contains(&field) {
                return Some(FieldKind::NeedsDictionary);
            }
            None
        }
        let mut fields: Vec<String> = Vec::new();
        let k = keys();
        let lists = k
            .person
            .iter()
            .chain(&k.maybe_person)
            .chain(&k.person_prefix);
        for k in lists {
            for f in [
                k.to_string(),
                format!("{k}name"),
                format!("x{k}"),
                format!("{k}s"),
                format!("user{k}name"),
            ] {
                fields.push(f);
            }
        }
        fields.extend(
            [
                "",
                "name",
                "firstname",
                "surname",
                "sur",
                "xsurname",
                "username",
            ]
            .map(String::from),
        );
        let (mut strong, mut maybe) = (0, 0);
        for f in &fields {
            assert_eq!(person_field(f), scan(f), "{f}");
            strong += usize::from(scan(f) == Some(FieldKind::Strong));
            maybe += usize::from(scan(f) == Some(FieldKind::NeedsDictionary));
        }
        assert!(strong > 100 && maybe > 10, "{strong} {maybe}");
    }

    #[test]
    fn location_field_table_is_the_prefix_scan() {
        // The plain definition the table is built from.
        fn scan(field: &str) -> Option<f32> {
            for prefix in place_prefixes() {
                if let Some(rest) = field.strip_prefix(prefix) {
                    for (name, coarse) in location_keys() {
                        if rest == name && !(coarse && !prefix.is_empty() && rest == "region") {
                            return Some(if coarse { 0.6 } else { 0.9 });
                        }
                    }
                }
            }
            None
        }
        let mut fields: Vec<String> = Vec::new();
        for p in place_prefixes() {
            for (k, _) in location_keys() {
                fields.push(format!("{p}{k}"));
                fields.push(format!("x{p}{k}"));
                fields.push(format!("{p}{k}s"));
            }
        }
        fields.extend(
            [
                "",
                "streetaddress",
                "billingregion",
                "region",
                "homecountry",
                "name",
            ]
            .map(String::from),
        );
        let mut found = 0;
        for f in &fields {
            assert_eq!(location_field(f), scan(f), "{f}");
            found += usize::from(scan(f).is_some());
        }
        assert!(found > 400, "{found}");
    }

    #[test]
    fn key_lists_are_well_formed() {
        assert_well_formed(
            "name_fields.txt",
            NAME_FIELDS,
            &[
                "person",
                "person_prefix",
                "maybe_person",
                "person_part",
                "place_prefix",
                "place",
                "coarse_place",
                "zip",
                "placeholder",
            ],
            |_, e| !e.contains(char::is_whitespace),
        );
    }
}
