//! Bank identifiers: IBAN (ISO 13616) and US ABA routing numbers.

use std::sync::OnceLock;

use super::norm::{all_digits, all_same, compact, digits_n, dv, num, weighted, PairTable};

const IBAN_LENGTHS: &str = include_str!("../../../patterns/dict/iban_lengths.txt");

/// IBAN length per country code (`patterns/dict/iban_lengths.txt`, from the
/// SWIFT IBAN registry, ISO 13616); read on first use.
fn iban_len(cc: [u8; 2]) -> Option<usize> {
    static LENGTHS: OnceLock<PairTable> = OnceLock::new();
    let n = LENGTHS
        .get_or_init(|| PairTable::parse(IBAN_LENGTHS))
        .get(cc);
    (n != 0).then_some(usize::from(n))
}

/// Whether `cc` is a country of the IBAN registry (the `iban_prefix` anchor).
pub fn iban_country(cc: [u8; 2]) -> bool {
    iban_len(cc).is_some()
}

/// IBAN: registered country, its exact length, alphanumeric BBAN and mod 97 == 1 (ISO 13616 / ISO 7064).
pub fn iban_mod97(s: &[u8]) -> bool {
    // Country code and check digits are always written as one group of four.
    let t = s.trim_ascii();
    if t.len() < 4 || !t[..4].iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let Some(c) = compact::<34>(t, b" -") else {
        return false;
    };
    let v = c.get();
    if v.len() < 15
        || !v[..2].iter().all(u8::is_ascii_uppercase)
        || !all_digits(&v[2..4])
        || iban_len([v[0], v[1]]) != Some(v.len())
    {
        return false;
    }
    let r = v[4..].iter().chain(&v[..4]).fold(0u32, |r, &b| {
        if b.is_ascii_digit() {
            (r * 10 + dv(b)) % 97
        } else {
            (r * 100 + u32::from(b - b'A') + 10) % 97
        }
    });
    r == 1
}

/// ABA routing number: 9 digits, Federal Reserve prefix 00-12/21-32/61-72/80, 3-7-1 checksum (ABA / Fed).
pub fn aba(s: &[u8]) -> bool {
    let Some(d) = digits_n::<9>(s, b" -.") else {
        return false;
    };
    let prefix = num(&d[..2]);
    let prefix_ok = matches!(prefix, 0..=12 | 21..=32 | 61..=72 | 80);
    prefix_ok && !all_same(&d) && weighted(&d, &[3, 7, 1, 3, 7, 1, 3, 7, 1]) % 10 == 0
}

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[
    (
        "iban_mod97",
        &[
            "DE89 3704 0044 0532 0130 00",
            "GB29 NWBK 6016 1331 9268 19",
            "gb29nwbk60161331926819",
            "AL47 2121 1009 0000 0002 3569 8741",
            "NO93-8601-1117-947",
            "GT82 TRAJ 0102 0000 0012 1002 9690",
            "BR97 0036 0305 0000 1000 9795 493P 1",
            "MU17BOMM0101101030300200000MUR",
            "LC55 HEMM 0001 0001 0012 0012 0002 3015",
            "SC18SSCB11010000000000001497USD",
        ],
        &[
            "DE89 3704 0044 0532 0130 01",
            "DE89 3704 0044 0532 0130 0",
            "XX89 3704 0044 0532 0130 00",
            "AL47/2121/1009/0000/0002/3569/8741",
            "GB29 1WBK 6016 1331 9268 19",
            "G T82 TRAJ 0102 0000 0012 1002 9690",
        ],
    ),
    (
        "aba",
        &["121000358", "0711-0130-7", "3222-7162-7", "121042882"],
        &["421042111", "1234-0000-0", "121000359", "000000000"],
    ),
];
