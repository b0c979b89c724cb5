//! Phone numbers checked against numbering plans, by table.
//!
//! `patterns/dict/phone_plans.txt` (made by `scripts/gen-phone-plans` from
//! Google libphonenumber's metadata, Apache-2.0) holds, for every region,
//! its calling code, its national (trunk) prefix and the shape of every
//! valid national significant number: one digit mask per position. A
//! number is valid for a region when its national significant number has
//! the length and the digits of one of the region's shapes, which is what
//! libphonenumber's `is_valid_number` asks of the same metadata, without a
//! regex (see `docs/decisions/0048-phone-numbering-plans.md`).
//!
//! The tables are built on first use (about a millisecond, once per
//! process) and read without a lock afterwards.

use std::sync::OnceLock;

const PLANS: &str = include_str!("../../patterns/dict/phone_plans.txt");

/// Most digits in an E.164 number (calling code included).
const MAX_DIGITS: usize = 15;

/// Regions whose bare national numbers are taken (with a trunk prefix or
/// without): the languages the engine has context words for, and their
/// neighbours. A bare number still needs phone context or a phone shape;
/// the detector in `patterns/pii.toml` says which.
pub const NATIONAL_REGIONS: &[&str] = &[
    "US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "ES", "IT", "NL", "PT", "BR", "PL", "SE",
    "NO", "DK", "FI", "RU", "GR", "JP", "CN", "KR", "AU", "NZ", "IN", "MX",
];

/// Of [`NATIONAL_REGIONS`], those whose numbers are written nationally
/// without their trunk prefix too: North America (the `1` is optional),
/// Chinese and Indian mobiles, Brazilian and Russian area codes. In the
/// others a national number written without its `0` is rare enough that
/// taking one would mostly take ids.
const WITHOUT_TRUNK: &[&str] = &["US", "CA", "CN", "IN", "BR", "RU"];

/// One region's numbering plan.
struct Plan {
    /// ISO 3166 region code (`001` for the non-geographic codes).
    region: &'static str,
    /// Country calling code.
    cc: u16,
    /// National (trunk) prefix dialled before a national number, if any.
    trunk: &'static [u8],
    /// Indices into [`Tables::shapes`], by the number's first digit.
    by_first: [Vec<u32>; 10],
}

/// One valid range: `len` digit masks from `start` in [`Tables::masks`].
#[derive(Clone, Copy)]
struct Shape {
    start: u32,
    len: u8,
}

struct Tables {
    masks: Vec<u16>,
    shapes: Vec<Shape>,
    plans: Vec<Plan>,
    /// Plan indices by calling code (`by_cc[44]`: GB, GG, IM, JE).
    by_cc: Vec<Vec<u16>>,
    /// The plans of [`NATIONAL_REGIONS`], each with whether its numbers
    /// are taken without their trunk prefix ([`WITHOUT_TRUNK`]).
    national: Vec<(u16, bool)>,
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| load(PLANS))
}

/// Parses the plans file. Malformed shapes are skipped (the file is
/// generated; `tests::file_is_well_formed` keeps it so).
fn load(text: &'static str) -> Tables {
    let mut t = Tables {
        masks: Vec::with_capacity(110_000),
        shapes: Vec::with_capacity(10_000),
        plans: Vec::with_capacity(260),
        by_cc: vec![Vec::new(); 1000],
        national: Vec::new(),
    };
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut fields = line.split(' ');
        let (Some(region), Some(cc), Some(trunk)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let Ok(cc) = cc.parse() else { continue };
        let mut plan = Plan {
            region,
            cc,
            trunk: if trunk == "-" { b"" } else { trunk.as_bytes() },
            by_first: Default::default(),
        };
        for shape in fields {
            let start = t.masks.len();
            if !parse_shape(shape.as_bytes(), &mut t.masks) {
                t.masks.truncate(start);
                continue;
            }
            let idx = t.shapes.len() as u32;
            let first = t.masks[start];
            t.shapes.push(Shape {
                start: start as u32,
                len: (t.masks.len() - start) as u8,
            });
            for (d, bucket) in plan.by_first.iter_mut().enumerate() {
                if first >> d & 1 == 1 {
                    bucket.push(idx);
                }
            }
        }
        if let Some(slot) = t.by_cc.get_mut(usize::from(plan.cc)) {
            slot.push(t.plans.len() as u16);
        }
        t.plans.push(plan);
    }
    for r in NATIONAL_REGIONS {
        if let Some(i) = t.plans.iter().position(|p| p.region == *r) {
            t.national.push((i as u16, WITHOUT_TRUNK.contains(r)));
        }
    }
    t
}

/// Appends one mask per position of `shape` (`7`, `[0-35-9]`, `x`).
fn parse_shape(shape: &[u8], out: &mut Vec<u16>) -> bool {
    let mut i = 0;
    while i < shape.len() {
        match shape[i] {
            b'x' => out.push(0x3FF),
            d @ b'0'..=b'9' => out.push(1 << (d - b'0')),
            b'[' => {
                let mut mask = 0u16;
                i += 1;
                while i < shape.len() && shape[i] != b']' {
                    let lo = shape[i];
                    if !lo.is_ascii_digit() {
                        return false;
                    }
                    if shape.get(i + 1) == Some(&b'-') {
                        let Some(&hi) = shape.get(i + 2).filter(|h| h.is_ascii_digit()) else {
                            return false;
                        };
                        for d in lo..=hi {
                            mask |= 1 << (d - b'0');
                        }
                        i += 3;
                    } else {
                        mask |= 1 << (lo - b'0');
                        i += 1;
                    }
                }
                if i == shape.len() || mask == 0 {
                    return false;
                }
                out.push(mask);
            }
            _ => return false,
        }
        i += 1;
    }
    !out.is_empty()
}

impl Plan {
    /// Whether `nsn` (ASCII digits) is a valid national significant number.
    fn valid_nsn(&self, t: &Tables, nsn: &[u8]) -> bool {
        let Some(&first) = nsn.first() else {
            return false;
        };
        self.by_first[(first - b'0') as usize].iter().any(|&i| {
            let s = t.shapes[i as usize];
            usize::from(s.len) == nsn.len()
                && t.masks[s.start as usize..]
                    .iter()
                    .zip(nsn)
                    .all(|(m, d)| m >> (d - b'0') & 1 == 1)
        })
    }

    /// A number as written inside the country: the significant number,
    /// with or (when `bare` or the region has no trunk prefix) without
    /// the trunk prefix.
    fn valid_national(&self, t: &Tables, digits: &[u8], bare: bool) -> bool {
        ((bare || self.trunk.is_empty()) && self.valid_nsn(t, digits))
            || (!self.trunk.is_empty()
                && digits.len() > self.trunk.len()
                && digits.starts_with(self.trunk)
                && self.valid_nsn(t, &digits[self.trunk.len()..]))
    }
}

fn all_digits(digits: &[u8]) -> bool {
    !digits.is_empty() && digits.len() <= MAX_DIGITS + 2 && digits.iter().all(u8::is_ascii_digit)
}

/// Whether `digits` (calling code first, no `+`) is a valid number of the
/// region its calling code names. A trunk prefix kept after the calling
/// code (`+44 (0)20 …`) is allowed, as people write it.
pub fn valid_international(digits: &[u8]) -> bool {
    if !all_digits(digits) || digits.len() > MAX_DIGITS + 1 || digits[0] == b'0' {
        return false;
    }
    let t = tables();
    for cc_len in 1..=3.min(digits.len() - 1) {
        let cc = digits[..cc_len]
            .iter()
            .fold(0u16, |n, d| n * 10 + u16::from(d - b'0'));
        let nsn = &digits[cc_len..];
        let plans = &t.by_cc[usize::from(cc)];
        // Calling codes are a prefix code: the first that exists decides.
        if !plans.is_empty() {
            return plans
                .iter()
                .any(|&i| t.plans[usize::from(i)].valid_national(t, nsn, true));
        }
    }
    false
}

/// Whether `digits` is a valid national number of `region` (ISO code), as
/// dialled inside it: with its trunk prefix, or (`bare`) without.
/// (The detectors go through [`Tables::national`]; tests ask by name.)
#[cfg(test)]
fn written_nationally(digits: &[u8], region: &str, bare: bool) -> bool {
    if !all_digits(digits) {
        return false;
    }
    let t = tables();
    t.plans
        .iter()
        .filter(|p| p.region == region)
        .any(|p| p.valid_national(t, digits, bare))
}

/// The digits of a phone-shaped span and whether it starts with `+`, or
/// `None` when the span is no phone number's shape (a letter inside, a
/// date, an IPv4 address, too many digits).
fn span_digits(span: &[u8], buf: &mut [u8; MAX_DIGITS + 2]) -> Option<(usize, bool)> {
    let mut n = 0;
    let mut plus = false;
    for (i, &b) in span.iter().enumerate() {
        match b {
            b'x' | b'e' if n > 0 && is_extension(&span[i..]) => break,
            b'0'..=b'9' => {
                *buf.get_mut(n)? = b;
                n += 1;
            }
            b'+' if n == 0 && !plus => plus = true,
            b' ' | b'-' | b'.' | b'/' | b'(' | b')' | b'\t' => {}
            _ => return None,
        }
    }
    (n >= 6 && !date_shaped(span) && !ipv4_shaped(span)).then_some((n, plus))
}

/// `192.168.10.20`: four dotted groups of at most three digits.
fn ipv4_shaped(span: &[u8]) -> bool {
    let mut groups = 0;
    span.split(|&b| b == b'.').all(|g| {
        groups += 1;
        (1..=3).contains(&g.len()) && g.iter().all(u8::is_ascii_digit)
    }) && groups == 4
}

/// `2024-05-21`, `21.05.2024`, `5/21/2024`: a date, whatever plan its
/// digits fit.
fn date_shaped(span: &[u8]) -> bool {
    let Some(&sep) = span.iter().find(|b| matches!(b, b'-' | b'.' | b'/')) else {
        return false;
    };
    let mut groups = [0usize; 3];
    let mut g = 0;
    for &b in span {
        if b.is_ascii_digit() {
            groups[g] += 1;
        } else if b == sep && g < 2 {
            g += 1;
        } else {
            return false;
        }
    }
    g == 2
        && matches!(
            groups,
            [4, 1..=2, 1..=2] | [1..=2, 1..=2, 4] | [1..=2, 1..=2, 2]
        )
}

/// `x12`, `x 12`, `ext 12`, `ext. 12`: an extension ending the span.
fn is_extension(s: &[u8]) -> bool {
    let s = s
        .strip_prefix(b"ext")
        .or_else(|| s.strip_prefix(b"x"))
        .unwrap_or(b"");
    let s = s.strip_prefix(b".").unwrap_or(s);
    let s = s.strip_prefix(b" ").unwrap_or(s);
    (1..=6).contains(&s.len()) && s.iter().all(u8::is_ascii_digit)
}

/// A span's number: international after `+` (or, when `after_00`, after
/// `00`), else whatever `national` says of its digits.
fn check(span: &[u8], after_00: bool, national: fn(&Tables, &[u8]) -> bool) -> bool {
    let mut buf = [0u8; MAX_DIGITS + 2];
    let Some((n, plus)) = span_digits(span, &mut buf) else {
        return false;
    };
    let digits = &buf[..n];
    if plus {
        return valid_international(digits);
    }
    if after_00 && digits.strip_prefix(b"00").is_some_and(valid_international) {
        return true;
    }
    national(tables(), digits)
}

/// A phone number as written: `+` or `00` and a valid international
/// number, or a valid national number of one of [`NATIONAL_REGIONS`].
/// Separators (space, `-`, `.`, `/`, parentheses) are ignored, and so is
/// an extension at the end (`x123`, `ext. 12`); any other byte rejects
/// the span. Never allocates.
pub fn phone_plan(span: &[u8]) -> bool {
    check(span, true, |t, digits| {
        t.national
            .iter()
            .any(|&(i, bare)| t.plans[usize::from(i)].valid_national(t, digits, bare))
    })
}

/// As [`phone_plan`], for North American shapes (`(415) 555-0132`): a
/// national number must be valid in a +1 region (the US, Canada, the
/// Caribbean).
pub fn phone_plan_nanp(span: &[u8]) -> bool {
    check(span, false, |t, digits| {
        t.by_cc[1]
            .iter()
            .any(|&i| t.plans[usize::from(i)].valid_national(t, digits, true))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_is_well_formed() {
        let mut shapes = 0;
        for line in PLANS.lines().filter(|l| !l.starts_with('#')) {
            let mut f = line.split(' ');
            let region = f.next().unwrap_or_default();
            assert!(region.len() == 2 || region == "001", "{line:.40}");
            assert!(f.next().is_some_and(|cc| cc.parse::<u16>().is_ok()));
            assert!(f.next().is_some());
            for s in f {
                let mut m = Vec::new();
                assert!(parse_shape(s.as_bytes(), &mut m), "{region}: {s}");
                assert!((2..=17).contains(&m.len()), "{region}: {s}");
                shapes += 1;
            }
        }
        assert_eq!(shapes, tables().shapes.len());
        assert!(tables().plans.len() > 240);
        assert!(PLANS.contains("licence: Apache-2.0"));
    }

    #[test]
    fn international() {
        for ok in [
            "14155550132",   // US
            "16135550123",   // CA
            "442071234567",  // GB London
            "4402071234567", // GB with the (0) kept
            "447400123456",  // GB mobile
            "4930123456",    // DE Berlin
            "4915123456789", // DE mobile
            "33142685300",   // FR
            "34612345678",   // ES mobile
            "390612345678",  // IT Rome, leading 0 is significant
            "31612345678",   // NL mobile
            "351912345678",  // PT mobile
            "5511912345678", // BR São Paulo mobile
            "48512345678",   // PL mobile
            "46701234567",   // SE mobile
            "79123456789",   // RU mobile
            "302101234567",  // GR Athens
            "819012345678",  // JP mobile
            "8613912345678", // CN mobile
            "821012345678",  // KR mobile
            "61412345678",   // AU mobile
            "919876543210",  // IN mobile
            "905325550142",  // TR mobile
            "80012345678",   // +800 international freephone
        ] {
            assert!(valid_international(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "1415555013",       // one digit short
            "11234567890",      // NANP area code 123
            "4412345",          // too short for GB
            "4915",             // too short
            "99912345678",      // no such calling code
            "0442071234567",    // leading 0
            "8613912345678901", // too long
            "",
            "44a2071234567",
        ] {
            assert!(!valid_international(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn national() {
        for (digits, region) in [
            ("4155550132", "US"),
            ("14155550132", "US"),
            ("02071234567", "GB"),
            ("07400123456", "GB"),
            ("0301234567", "DE"),
            ("0142685300", "FR"),
            ("0612345678", "FR"),
            ("612345678", "ES"),
            ("0612345678", "IT"),
            ("0612345678", "NL"),
            ("912345678", "PT"),
            ("11912345678", "BR"),
            ("512345678", "PL"),
            ("0701234567", "SE"),
            ("89123456789", "RU"),
            ("2101234567", "GR"),
            ("09012345678", "JP"),
            ("13912345678", "CN"),
            ("01012345678", "KR"),
            ("0412345678", "AU"),
            ("9876543210", "IN"),
        ] {
            assert!(
                written_nationally(digits.as_bytes(), region, true),
                "{region} {digits}"
            );
        }
        for (digits, region) in [
            ("1234567890", "US"),
            ("0000000000", "GB"),
            ("12345", "DE"),
            ("4155550132", "XX"),
        ] {
            assert!(
                !written_nationally(digits.as_bytes(), region, true),
                "{region} {digits}"
            );
        }
    }

    #[test]
    fn written_forms() {
        for ok in [
            "+1 415 555 0132",
            "+44 (20) 7123 4567",
            "+44 (0)20 7123 4567",
            "0044 20 7123 4567",
            "(415) 555-0132",
            "415.555.0132",
            "020 7123 4567",
            "030/1234567",
            "090-1234-5678",
            "+7 (912) 345-67-89",
            "(415)555-0132x78353",
            "415-555-0132 ext. 12",
        ] {
            assert!(phone_plan(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "+1 123 456 7890",
            "+44 12345",
            "2024-05-21",
            "12345",
            "+1 415 555 0132 ext",
            "++14155550132",
            "4155550132x",
            "00000000000",
            "192.168.10.20",
            "2024-05-21",
            "21.05.2024",
            "1709242105896",
        ] {
            assert!(!phone_plan(bad.as_bytes()), "{bad}");
        }
    }

    /// Never panics, whatever the bytes.
    #[test]
    fn survives_arbitrary_bytes() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for len in 0..40 {
            for _ in 0..200 {
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        b"0123456789+() -./x"[(state % 18) as usize]
                    })
                    .collect();
                let _ = phone_plan(&s);
            }
        }
    }
}
