//! Surrogates: deterministic fakes of the same shape as the value they
//! replace, so sanitized data still looks like data (parsers, validators and
//! models see an email, a Luhn-valid card, a phone number) while carrying
//! nothing of the original.
//!
//! [`surrogate`] is driven only by the keyed pseudonym of the value (the
//! `mac`, see `keys::Keyset::pseudonym`): the same value, type and key give
//! the same surrogate, so joins and dedup on surrogate columns keep working;
//! without the key nothing links a surrogate to its value. The mac is
//! stretched as SHA-256(mac ‖ counter) blocks.
//!
//! | type | surrogate |
//! |---|---|
//! | `EMAIL_ADDRESS` | `<adjective>.<noun><4 digits>@example.{com,org,net}`: RFC 2606 domains, never a real one |
//! | `CREDIT_CARD` | same length and separators, first digit (issuer class) kept, Luhn-valid |
//! | `PHONE_NUMBER` | same separators; a leading `+` and its E.164 country code kept (the region survives), a national trunk `0` kept, every other digit replaced |
//! | `IBAN_CODE` | same country code, length, separators and letter/digit positions; valid mod-97 check digits (the national BBAN check is not kept) |
//! | `IP_ADDRESS` | same family: IPv4 from 198.18.0.0/15 (benchmarking, RFC 2544), IPv6 from 2001:db8::/32 (documentation, RFC 3849) |
//! | `US_SSN` | `9xx-xx-xxxx` with group 01–49 and the same separators: area 9xx is never issued as an SSN, and groups under 50 are never ITINs |
//! | anything else | same bytes, each ASCII digit → a digit, each ASCII letter → a letter of the same case |
//!
//! A value without the shape its type expects (a card with fewer than three
//! digits, an SSN without nine) gets the generic surrogate.
//!
//! The generic surrogate also replaces non-ASCII letters and digits with
//! others of the same Unicode block, case and UTF-8 length, since a name in
//! Chinese, Cyrillic or Greek has no ASCII letter and would otherwise come
//! back unchanged; every other non-ASCII byte (symbols, invalid UTF-8) is
//! kept. A value with no letter or digit at all has its ASCII punctuation
//! replaced instead. The output has the input's length and is valid UTF-8
//! when the input is.
//!
//! A surrogate never equals its input, except for a value with nothing to
//! replace (empty, whitespace, non-ASCII symbols only), which is returned
//! as is.

use std::net::{Ipv4Addr, Ipv6Addr};

use sha2::{Digest, Sha256};

/// A deterministic fake of `value` with the shape of entity type `entity`,
/// derived from `mac` (the value's keyed pseudonym). See the module docs.
pub fn surrogate(entity: &str, value: &[u8], mac: &[u8; 32]) -> Vec<u8> {
    let mut rng = Stream::new(mac);
    let shaped = match entity {
        "EMAIL_ADDRESS" => Some(email(value, &mut rng)),
        "CREDIT_CARD" => card(value, &mut rng),
        "PHONE_NUMBER" => phone(value, &mut rng),
        "IBAN_CODE" => iban(value, &mut rng),
        "IP_ADDRESS" => ip(value, &mut rng),
        "US_SSN" => ssn(value, &mut rng),
        _ => None,
    };
    shaped.unwrap_or_else(|| generic(value, &mut rng))
}

/// Pseudo-random bytes: SHA-256(mac ‖ counter) blocks.
struct Stream {
    seed: [u8; 32],
    counter: u32,
    block: [u8; 32],
    pos: usize,
}

impl Stream {
    fn new(seed: &[u8; 32]) -> Stream {
        Stream {
            seed: *seed,
            counter: 0,
            block: [0; 32],
            pos: 32,
        }
    }

    fn byte(&mut self) -> u8 {
        if self.pos == self.block.len() {
            let mut h = Sha256::new();
            h.update(self.seed);
            h.update(self.counter.to_le_bytes());
            self.block = h.finalize().into();
            self.counter = self.counter.wrapping_add(1);
            self.pos = 0;
        }
        self.pos += 1;
        self.block[self.pos - 1]
    }

    /// Uniform in `0..n`, for `1 <= n <= 65536`.
    fn below(&mut self, n: u32) -> u32 {
        debug_assert!((1..=1 << 16).contains(&n));
        let zone = (1u32 << 16) - (1u32 << 16) % n;
        loop {
            let x = u32::from(u16::from_le_bytes([self.byte(), self.byte()]));
            if x < zone {
                return x % n;
            }
        }
    }

    /// Uniform in `0..n` but not `except` (when `except < n` and `n > 1`).
    fn below_except(&mut self, n: u32, except: Option<u32>) -> u32 {
        match except {
            Some(e) if e < n && n > 1 => {
                let x = self.below(n - 1);
                if x >= e {
                    x + 1
                } else {
                    x
                }
            }
            _ => self.below(n),
        }
    }

    /// An ASCII digit, not `except` when given.
    fn digit(&mut self, except: Option<u8>) -> u8 {
        let except = except
            .filter(u8::is_ascii_digit)
            .map(|d| u32::from(d - b'0'));
        b'0' + self.below_except(10, except) as u8
    }

    /// An ASCII letter in the case of `like`, and not `like` when `differ`.
    fn letter(&mut self, like: u8, differ: bool) -> u8 {
        let base = if like.is_ascii_uppercase() {
            b'A'
        } else {
            b'a'
        };
        let except = differ.then(|| u32::from(like.to_ascii_lowercase() - b'a'));
        base + self.below_except(26, except) as u8
    }
}

/// Positions of the ASCII digits of `value`.
fn digit_positions(value: &[u8]) -> Vec<usize> {
    (0..value.len())
        .filter(|&i| value[i].is_ascii_digit())
        .collect()
}

const ADJECTIVES: [&str; 64] = [
    "amber", "azure", "bold", "brave", "breezy", "bright", "calm", "cheery", "clever", "cosmic",
    "crisp", "dapper", "dusty", "eager", "fancy", "fuzzy", "gentle", "golden", "happy", "hazy",
    "honest", "humble", "icy", "jolly", "keen", "kind", "lively", "lucky", "lunar", "mellow",
    "merry", "misty", "modest", "nimble", "noble", "odd", "plain", "polite", "proud", "quick",
    "quiet", "rapid", "rosy", "royal", "rustic", "shiny", "silent", "silver", "simple", "sleepy",
    "snowy", "solar", "steady", "stormy", "sunny", "swift", "tidy", "tiny", "urban", "vivid",
    "warm", "wild", "witty", "zesty",
];

const NOUNS: [&str; 64] = [
    "acorn", "aspen", "badger", "beacon", "birch", "bison", "canyon", "cedar", "cobalt", "comet",
    "coral", "crane", "delta", "dolphin", "dune", "ember", "falcon", "fern", "finch", "fjord",
    "garnet", "glacier", "grove", "harbor", "hazel", "heron", "island", "jasper", "juniper",
    "kestrel", "lagoon", "lantern", "lark", "lynx", "maple", "meadow", "meteor", "orchid", "otter",
    "panda", "pebble", "pine", "planet", "prairie", "quartz", "raven", "reef", "river", "robin",
    "saffron", "sparrow", "spruce", "summit", "thistle", "tiger", "topaz", "trail", "tulip",
    "valley", "walrus", "willow", "wren", "yarrow", "zephyr",
];

const EMAIL_TLDS: [&str; 3] = ["com", "org", "net"];

/// `<adjective>.<noun><4 digits>@example.<com|org|net>`.
fn email(value: &[u8], rng: &mut Stream) -> Vec<u8> {
    let adjective = ADJECTIVES[rng.below(64) as usize];
    let noun = NOUNS[rng.below(64) as usize];
    let digits: String = (0..4).map(|_| char::from(rng.digit(None))).collect();
    let tld = rng.below(3) as usize;
    let local = format!("{adjective}.{noun}{digits}@example.");
    let mut out = format!("{local}{}", EMAIL_TLDS[tld]).into_bytes();
    if out == value {
        out = format!("{local}{}", EMAIL_TLDS[(tld + 1) % 3]).into_bytes();
    }
    out
}

use crate::util::luhn_check_digit;

/// Same separators and length, first digit kept, Luhn-valid.
fn card(value: &[u8], rng: &mut Stream) -> Option<Vec<u8>> {
    let pos = digit_positions(value);
    if pos.len() < 3 {
        return None;
    }
    let mut out = value.to_vec();
    let mut payload = vec![value[pos[0]] - b'0'];
    for (k, &i) in pos[1..pos.len() - 1].iter().enumerate() {
        // The second digit always differs, so the card does.
        out[i] = rng.digit((k == 0).then_some(value[i]));
        payload.push(out[i] - b'0');
    }
    out[pos[pos.len() - 1]] = b'0' + luhn_check_digit(&payload);
    Some(out)
}

/// Length of the E.164 country code at the start of `digits` (1 to 3).
fn country_code_len(digits: &[u8]) -> usize {
    const TWO_DIGIT: [&[u8; 2]; 44] = [
        b"20", b"27", b"30", b"31", b"32", b"33", b"34", b"36", b"39", b"40", b"41", b"43", b"44",
        b"45", b"46", b"47", b"48", b"49", b"51", b"52", b"53", b"54", b"55", b"56", b"57", b"58",
        b"60", b"61", b"62", b"63", b"64", b"65", b"66", b"81", b"82", b"84", b"86", b"90", b"91",
        b"92", b"93", b"94", b"95", b"98",
    ];
    match digits {
        [b'1' | b'7', ..] => 1,
        [a, b, ..] if TWO_DIGIT.contains(&&[*a, *b]) => 2,
        _ => 3,
    }
}

/// Same separators; `+CC` and a national trunk `0` kept; other digits new.
fn phone(value: &[u8], rng: &mut Stream) -> Option<Vec<u8>> {
    let pos = digit_positions(value);
    let first = value.iter().position(|b| !b.is_ascii_whitespace());
    let keep = match first.map(|i| value[i]) {
        Some(b'+') => {
            let digits: Vec<u8> = pos.iter().map(|&i| value[i]).collect();
            country_code_len(&digits).min(digits.len())
        }
        Some(b'0') => 1,
        Some(b'(') if pos.first().is_some_and(|&i| value[i] == b'0') => 1,
        _ => 0,
    };
    if pos.len() <= keep {
        return None;
    }
    let mut out = value.to_vec();
    for (k, &i) in pos[keep..].iter().enumerate() {
        out[i] = rng.digit((k == 0).then_some(value[i]));
    }
    Some(out)
}

/// Same country code, length, separators and letter/digit positions; valid
/// mod-97 check digits.
fn iban(value: &[u8], rng: &mut Stream) -> Option<Vec<u8>> {
    let pos: Vec<usize> = (0..value.len())
        .filter(|&i| value[i].is_ascii_alphanumeric())
        .collect();
    if pos.len() < 5
        || !value[pos[0]].is_ascii_alphabetic()
        || !value[pos[1]].is_ascii_alphabetic()
        || !value[pos[2]].is_ascii_digit()
        || !value[pos[3]].is_ascii_digit()
    {
        return None;
    }
    let mut out = value.to_vec();
    for (k, &i) in pos[4..].iter().enumerate() {
        let c = value[i];
        // The first BBAN character always differs, so the IBAN does.
        out[i] = if c.is_ascii_digit() {
            rng.digit((k == 0).then_some(c))
        } else {
            rng.letter(c, k == 0)
        };
    }
    // ISO 13616: BBAN ‖ country ‖ "00" as a number (A = 10 … Z = 35), mod 97.
    let mut rem = 0u32;
    for &i in pos[4..].iter().chain(&pos[..2]) {
        let c = out[i].to_ascii_uppercase();
        let v = if c.is_ascii_digit() {
            u32::from(c - b'0')
        } else {
            u32::from(c - b'A') + 10
        };
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    let check = 98 - (rem * 100) % 97;
    out[pos[2]] = b'0' + (check / 10) as u8;
    out[pos[3]] = b'0' + (check % 10) as u8;
    Some(out)
}

/// Same family: 198.18.0.0/15 or 2001:db8::/32.
fn ip(value: &[u8], rng: &mut Stream) -> Option<Vec<u8>> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let count = |c: u8| text.bytes().filter(|&b| b == c).count();
    let v6 = if text.parse::<Ipv4Addr>().is_ok() {
        false
    } else if text.parse::<Ipv6Addr>().is_ok() || count(b':') >= 2 {
        // Two colons or more: a zone, brackets or a port around IPv6.
        true
    } else if count(b'.') == 3 {
        false // an IPv4 address with a port, or a sloppy one
    } else {
        return None;
    };
    let render = |bits: u128| -> Vec<u8> {
        if v6 {
            Ipv6Addr::from(bits).to_string().into_bytes()
        } else {
            Ipv4Addr::from(bits as u32).to_string().into_bytes()
        }
    };
    let mut bits = 0u128;
    for _ in 0..16 {
        bits = bits << 8 | u128::from(rng.byte());
    }
    let bits = if v6 {
        (0x2001_0db8u128 << 96) | (bits & ((1u128 << 96) - 1))
    } else {
        (0xc612_0000u128) | (bits & 0x1_ffff)
    };
    let mut out = render(bits);
    if out == value {
        out = render(bits ^ 1);
    }
    Some(out)
}

/// `9xx-xx-xxxx` shape with the same separators, group 01–49.
fn ssn(value: &[u8], rng: &mut Stream) -> Option<Vec<u8>> {
    let pos = digit_positions(value);
    if pos.len() != 9 {
        return None;
    }
    let mut out = value.to_vec();
    let group = 1 + rng.below(49) as u8;
    for (k, &i) in pos.iter().enumerate() {
        out[i] = match k {
            0 => b'9',
            // The second digit always differs, so the SSN does.
            1 => rng.digit(Some(value[i])),
            3 => b'0' + group / 10,
            4 => b'0' + group % 10,
            _ => rng.digit(None),
        };
    }
    Some(out)
}

/// The UTF-8 character starting at `value[i]`, with its length, when
/// `value[i]` starts a valid non-ASCII one.
fn char_at(value: &[u8], i: usize) -> Option<(char, usize)> {
    let len = match value[i] {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(value.get(i..i + len)?).ok()?;
    s.chars().next().map(|c| (c, len))
}

/// What a replacement char must share with the original.
fn char_class(c: char) -> (bool, bool, bool, bool) {
    (
        c.is_alphabetic(),
        c.is_numeric(),
        c.is_uppercase(),
        c.is_lowercase(),
    )
}

/// A char of the same class, Unicode block (128 code points below U+0800,
/// 2048 above, so the UTF-8 length is the same) and, when `differ`, not `c`.
/// When the block has no other char of that class (a handful of code
/// points), any other letter or digit of the block: every block holding a
/// letter or digit holds another one, so with `differ` the result is never
/// `c`.
fn other_char(c: char, differ: bool, rng: &mut Stream) -> char {
    let cp = u32::from(c);
    let size = if cp < 0x800 { 0x80 } else { 0x800 };
    let base = cp & !(size - 1);
    let class = char_class(c);
    let other = |x: &char| !(differ && *x == c);
    for _ in 0..32 {
        let x = char::from_u32(base + rng.below(size));
        if let Some(x) = x.filter(|x| char_class(*x) == class && other(x)) {
            return x;
        }
    }
    let block = || (base..base + size).filter_map(char::from_u32).filter(other);
    let mut candidates: Vec<char> = block().filter(|x| char_class(*x) == class).collect();
    if candidates.is_empty() {
        candidates = block().filter(|x| x.is_alphanumeric()).collect();
    }
    match candidates.len() {
        0 => c,
        n => candidates[rng.below(n as u32) as usize],
    }
}

/// ASCII punctuation that replaces punctuation in values with no letter or
/// digit.
const PUNCTUATION: &[u8] = b"!#$%&*+-./:;=?@^_~";

/// Letters and digits replaced in kind (ASCII and non-ASCII), everything
/// else kept; punctuation replaced when there is no letter or digit.
fn generic(value: &[u8], rng: &mut Stream) -> Vec<u8> {
    let is_unit = |i: usize| -> bool {
        value[i].is_ascii_alphanumeric()
            || char_at(value, i).is_some_and(|(c, _)| c.is_alphanumeric())
    };
    let has_alnum = (0..value.len()).any(is_unit);
    let mut out = Vec::with_capacity(value.len());
    // Until one unit has changed, every replacement must differ from the
    // original, so the output never equals a value that has a unit.
    let mut differ = true;
    let mut i = 0;
    while i < value.len() {
        let b = value[i];
        if b.is_ascii_digit() {
            out.push(rng.digit(differ.then_some(b)));
        } else if b.is_ascii_alphabetic() {
            out.push(rng.letter(b, differ));
        } else if !has_alnum && b.is_ascii_punctuation() {
            let except = PUNCTUATION
                .iter()
                .position(|&p| p == b)
                .filter(|_| differ)
                .map(|p| p as u32);
            out.push(PUNCTUATION[rng.below_except(PUNCTUATION.len() as u32, except) as usize]);
        } else if let Some((c, len)) = char_at(value, i).filter(|(c, _)| c.is_alphanumeric()) {
            let x = other_char(c, differ, rng);
            let mut buf = [0u8; 4];
            out.extend_from_slice(x.encode_utf8(&mut buf).as_bytes());
            differ &= x == c;
            i += len;
            continue;
        } else {
            out.push(b);
            i += 1;
            continue;
        }
        differ &= out[i] == b;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(n: u8) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update([n]);
        h.finalize().into()
    }

    fn s(b: &[u8]) -> &str {
        std::str::from_utf8(b).unwrap()
    }

    fn luhn_valid(s: &str) -> bool {
        let d: Vec<u8> = s
            .bytes()
            .filter(u8::is_ascii_digit)
            .map(|b| b - b'0')
            .collect();
        d.len() >= 2 && luhn_check_digit(&d[..d.len() - 1]) == d[d.len() - 1]
    }

    fn iban_valid(s: &str) -> bool {
        let c: Vec<u8> = s
            .bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_uppercase())
            .collect();
        let mut rem = 0u32;
        for &b in c[4..].iter().chain(&c[..4]) {
            rem = if b.is_ascii_digit() {
                (rem * 10 + u32::from(b - b'0')) % 97
            } else {
                (rem * 100 + u32::from(b - b'A') + 10) % 97
            };
        }
        rem == 1
    }

    /// Non-digits, in order, with their positions.
    fn separators(s: &str) -> Vec<(usize, char)> {
        s.char_indices()
            .filter(|(_, c)| !c.is_ascii_digit())
            .collect()
    }

    #[test]
    fn emails_are_email_shaped_on_reserved_domains() {
        for n in 0..200 {
            let out = String::from_utf8(surrogate("EMAIL_ADDRESS", b"jane.doe@corp.io", &mac(n)))
                .unwrap();
            let (local, domain) = out.split_once('@').unwrap();
            assert!(
                ["example.com", "example.org", "example.net"].contains(&domain),
                "{out}"
            );
            let (word1, rest) = local.split_once('.').unwrap();
            assert!(ADJECTIVES.contains(&word1), "{out}");
            let noun = rest.trim_end_matches(|c: char| c.is_ascii_digit());
            assert!(
                NOUNS.contains(&noun) && rest.len() == noun.len() + 4,
                "{out}"
            );
        }
    }

    #[test]
    fn cards_keep_length_separators_issuer_and_pass_luhn() {
        let cards = [
            "4111 1111 1111 1111",
            "5500-0000-0000-0004",
            "378282246310005",
            "6011111111111117",
            "4111-1111-1111-1111 ",
        ];
        for card in cards {
            for n in 0..100 {
                let out =
                    String::from_utf8(surrogate("CREDIT_CARD", card.as_bytes(), &mac(n))).unwrap();
                assert_eq!(out.len(), card.len());
                assert_eq!(separators(&out), separators(card));
                assert_eq!(out.as_bytes()[0], card.as_bytes()[0]);
                assert!(luhn_valid(&out), "{out}");
                assert_ne!(out, card);
            }
        }
        assert!(luhn_valid("4111 1111 1111 1111") && !luhn_valid("4111 1111 1111 1112"));
    }

    #[test]
    fn phones_keep_separators_and_country_code() {
        let cases = [
            ("+44 20 7946 0958", "+44 "),
            ("+1 (415) 555-0132", "+1 "),
            ("+4915112345678", "+49"),
            ("+353 1 234 5678", "+353 "),
            ("020 7946 0958", "0"),
            ("(0)20 7946 0958", "(0)"),
            ("415.555.0132", ""),
        ];
        for (phone, kept) in cases {
            for n in 0..50 {
                let out = String::from_utf8(surrogate("PHONE_NUMBER", phone.as_bytes(), &mac(n)))
                    .unwrap();
                assert_eq!(separators(&out), separators(phone), "{out}");
                assert_eq!(out.len(), phone.len());
                assert!(out.starts_with(kept), "{out} should start with {kept}");
                assert_ne!(out, phone);
            }
        }
        assert_eq!(country_code_len(b"7495"), 1);
        assert_eq!(country_code_len(b"861012345"), 2);
        assert_eq!(country_code_len(b"35312345"), 3);
    }

    #[test]
    fn ibans_keep_country_and_pass_mod97() {
        let ibans = [
            "DE89370400440532013000",
            "GB82 WEST 1234 5698 7654 32",
            "FR1420041010050500013M02606",
            "NL91ABNA0417164300",
            "gb82west12345698765432",
        ];
        for iban in ibans {
            assert!(iban_valid(iban), "{iban}");
            for n in 0..100 {
                let out =
                    String::from_utf8(surrogate("IBAN_CODE", iban.as_bytes(), &mac(n))).unwrap();
                assert_eq!(out.len(), iban.len());
                assert_eq!(&out[..2], &iban[..2]);
                assert!(iban_valid(&out), "{out}");
                assert_ne!(out, iban);
                for (a, b) in out.bytes().zip(iban.bytes()) {
                    assert_eq!(a.is_ascii_digit(), b.is_ascii_digit(), "{out}");
                    assert_eq!(a.is_ascii_uppercase(), b.is_ascii_uppercase(), "{out}");
                    assert_eq!(a.is_ascii_lowercase(), b.is_ascii_lowercase(), "{out}");
                    if !a.is_ascii_alphanumeric() {
                        assert_eq!(a, b);
                    }
                }
            }
        }
    }

    #[test]
    fn ips_keep_family_in_reserved_ranges() {
        for n in 0..200 {
            let out = String::from_utf8(surrogate("IP_ADDRESS", b"203.0.113.7", &mac(n))).unwrap();
            let a: Ipv4Addr = out.parse().unwrap();
            assert_eq!(u32::from(a) >> 17, 0xc612_0000 >> 17, "{out}");
            for v6 in [
                "2a00:1450:4001:82b::200e",
                "fe80::1%eth0",
                "[2001:4860::8888]:53",
            ] {
                let out =
                    String::from_utf8(surrogate("IP_ADDRESS", v6.as_bytes(), &mac(n))).unwrap();
                let a: Ipv6Addr = out.parse().unwrap();
                assert_eq!(a.segments()[..2], [0x2001, 0x0db8], "{out}");
            }
        }
        // A value already in the range never maps to itself.
        for n in 0..50 {
            let v = surrogate("IP_ADDRESS", b"1.2.3.4", &mac(n));
            assert_ne!(surrogate("IP_ADDRESS", &v, &mac(n)), v);
        }
    }

    #[test]
    fn ssns_are_never_issuable() {
        for ssn in ["123-45-6789", "123 45 6789", "123456789", "987-12-3456"] {
            for n in 0..200 {
                let out = String::from_utf8(surrogate("US_SSN", ssn.as_bytes(), &mac(n))).unwrap();
                assert_eq!(separators(&out), separators(ssn));
                let d: Vec<u8> = out
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .map(|b| b - b'0')
                    .collect();
                assert_eq!(d[0], 9, "{out}");
                let group = d[3] * 10 + d[4];
                assert!((1..50).contains(&group), "{out}");
                assert_ne!(out, ssn);
            }
        }
    }

    #[test]
    fn other_types_keep_shape() {
        let value = "AB12-cd34_Zz9";
        for n in 0..100 {
            let out =
                String::from_utf8(surrogate("US_PASSPORT", value.as_bytes(), &mac(n))).unwrap();
            assert_ne!(out, value);
            assert_eq!(out.len(), value.len());
            for (a, b) in out.bytes().zip(value.bytes()) {
                assert_eq!(a.is_ascii_digit(), b.is_ascii_digit());
                assert_eq!(a.is_ascii_uppercase(), b.is_ascii_uppercase());
                assert_eq!(a.is_ascii_lowercase(), b.is_ascii_lowercase());
                if !a.is_ascii_alphanumeric() {
                    assert_eq!(a, b);
                }
            }
        }
        // Shapes each type cannot use fall back to the generic surrogate.
        for (entity, value) in [
            ("CREDIT_CARD", "x1"),
            ("US_SSN", "12-34"),
            ("IBAN_CODE", "D-E"),
            ("IP_ADDRESS", "localhost"),
            ("PHONE_NUMBER", "+44"),
        ] {
            let out = surrogate(entity, value.as_bytes(), &mac(1));
            assert_eq!(out.len(), value.len(), "{entity}");
            assert_ne!(out, value.as_bytes(), "{entity}");
        }
    }

    #[test]
    fn deterministic_per_mac() {
        for entity in [
            "EMAIL_ADDRESS",
            "CREDIT_CARD",
            "PHONE_NUMBER",
            "IBAN_CODE",
            "IP_ADDRESS",
            "US_SSN",
            "PERSON",
        ] {
            let value = b"DE89 3704 0044 0532 0130 00";
            assert_eq!(
                surrogate(entity, value, &mac(7)),
                surrogate(entity, value, &mac(7))
            );
            assert_ne!(
                surrogate(entity, value, &mac(7)),
                surrogate(entity, value, &mac(8)),
                "{entity}"
            );
        }
    }

    #[test]
    fn non_ascii_kept_letters_replaced_in_script() {
        // Symbols and invalid UTF-8 are kept byte for byte.
        let value = "José € Ünal\u{00A0}#42 ✓".as_bytes();
        let mut with_invalid = value.to_vec();
        with_invalid.extend_from_slice(&[0xff, 0xc3]);
        for n in 0..100 {
            let out = surrogate("PERSON", &with_invalid, &mac(n));
            assert_eq!(out.len(), with_invalid.len());
            assert!(out.ends_with(&[0xff, 0xc3]));
            let text = s(&out[..value.len()]);
            for keep in ["€", "\u{00A0}", "✓", "#"] {
                assert!(text.contains(keep), "{text}");
            }
            let chars: Vec<char> = text.chars().collect();
            let orig: Vec<char> = s(value).chars().collect();
            assert_eq!(chars.len(), orig.len());
            for (a, b) in chars.iter().zip(&orig) {
                assert_eq!(char_class(*a), char_class(*b), "{a} for {b}");
                assert_eq!(a.len_utf8(), b.len_utf8());
            }
        }
        // The three letters alone in their block of that class still change.
        for lonely in ['\u{559}', '\u{2CFD}', '\u{1DF0A}'] {
            let v = lonely.to_string();
            let out = String::from_utf8(surrogate("PERSON", v.as_bytes(), &mac(1))).unwrap();
            assert_ne!(out, v);
            assert!(out.chars().all(char::is_alphanumeric) && out.len() == v.len());
        }
        // Names with no ASCII letter still change, within their script.
        for name in ["李小明", "Иван Петров", "Γιώργος", "محمد"] {
            for n in 0..50 {
                let out = surrogate("PERSON", name.as_bytes(), &mac(n));
                let out = String::from_utf8(out).unwrap();
                assert_ne!(out, name);
                assert_eq!(out.len(), name.len());
                assert_eq!(
                    out.chars().filter(|c| *c == ' ').count(),
                    name.chars().filter(|c| *c == ' ').count()
                );
            }
        }
    }

    #[test]
    fn values_without_letters_or_digits() {
        let out = surrogate("PASSWORD", b"!@#$ %^&*", &mac(3));
        assert_ne!(out, b"!@#$ %^&*");
        assert_eq!(out[4], b' ');
        assert!(out.iter().all(|b| b.is_ascii_punctuation() || *b == b' '));
        // Nothing to replace: returned as is.
        assert_eq!(surrogate("PERSON", b"", &mac(3)), b"");
        assert_eq!(surrogate("PERSON", b"  \t", &mac(3)), b"  \t");
        assert_eq!(
            surrogate("PERSON", "€✓".as_bytes(), &mac(3)),
            "€✓".as_bytes()
        );
    }

    proptest::proptest! {
        #[test]
        fn generic_keeps_length_and_utf8(value: String, seed: [u8; 32]) {
            let out = surrogate("PERSON", value.as_bytes(), &seed);
            proptest::prop_assert_eq!(out.len(), value.len());
            proptest::prop_assert!(std::str::from_utf8(&out).is_ok());
            if value.chars().any(char::is_alphanumeric) {
                proptest::prop_assert_ne!(out, value.as_bytes());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut rng = Stream::new(&mac(99));
        let entities = [
            "EMAIL_ADDRESS",
            "CREDIT_CARD",
            "PHONE_NUMBER",
            "IBAN_CODE",
            "IP_ADDRESS",
            "US_SSN",
            "PERSON",
            "",
        ];
        for round in 0..3000u32 {
            let len = rng.below(40) as usize;
            let value: Vec<u8> = (0..len)
                .map(|_| match rng.below(4) {
                    0 => rng.byte(),
                    1 => rng.digit(None),
                    2 => b" -+.:()@"[rng.below(8) as usize],
                    _ => rng.letter(b'A', false),
                })
                .collect();
            let entity = entities[round as usize % entities.len()];
            let out = surrogate(entity, &value, &mac(round as u8));
            if value.iter().any(u8::is_ascii_alphanumeric) {
                assert_ne!(out, value, "{entity} {value:?}");
            }
            if std::str::from_utf8(&value).is_ok() {
                assert!(std::str::from_utf8(&out).is_ok(), "{entity} {value:?}");
            }
        }
    }
}
