//! National identifiers of the Americas: United States (SSN, ITIN, NPI,
//! DEA, MBI), Canada (SIN), Brazil (CPF, CNPJ), Mexico (CURP).

use super::checksum::{luhn_digits, mod11_check};
use std::sync::OnceLock;

use super::norm::{
    all_digits, all_same, born, compact, digits_n, digits_one_sep, dv, num, PairTable,
};

// ---------------------------------------------------------------------------
// United States
// ---------------------------------------------------------------------------

/// US SSN: one kind of separator, area not 000/666/9xx, group not 00, serial not 0000, no known samples (SSA; Presidio's invalidation list).
pub fn us_ssn(s: &[u8]) -> bool {
    let Some(c) = digits_one_sep::<9>(s, b"-. ") else {
        return false;
    };
    let d = c.get();
    if d.len() != 9 || all_same(d) {
        return false;
    }
    let (area, group, serial) = (num(&d[..3]), num(&d[3..5]), num(&d[5..]));
    if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 {
        return false;
    }
    // Numbers published as examples (Woolworth wallet card, SSA leaflet, 1-9).
    !matches!(d, b"078051120" | b"219099999" | b"123456789")
}

/// US ITIN: 9 digits, starts with 9, group (digits 4-5) in 50-65, 70-88, 90-92 or 94-99 (IRS).
pub fn us_itin(s: &[u8]) -> bool {
    let Some(d) = digits_n::<9>(s, b" -") else {
        return false;
    };
    d[0] == b'9' && matches!(num(&d[3..5]), 50..=65 | 70..=88 | 90..=92 | 94..=99)
}

/// US NPI: 10 digits starting 1 or 2, Luhn over "80840" + NPI, body not one repeated digit (CMS NPI standard).
pub fn us_npi(s: &[u8]) -> bool {
    let Some(d) = digits_n::<10>(s, b" -") else {
        return false;
    };
    let mut full = *b"808400000000000";
    full[5..].copy_from_slice(&d);
    matches!(d[0], b'1' | b'2') && !all_same(&d[..9]) && luhn_digits(&full)
}

/// US DEA number: registrant letter, surname initial (or 9), 7 digits with (d1+d3+d5)+2(d2+d4+d6) check (21 CFR 1301, DEA).
pub fn us_dea(s: &[u8]) -> bool {
    let Some(c) = compact::<9>(s, b" -") else {
        return false;
    };
    let v = c.get();
    if v.len() != 9 || !b"ABCDEFGHJKLMPRSTUX".contains(&v[0]) {
        return false;
    }
    if !(v[1].is_ascii_uppercase() || v[1] == b'9') || !all_digits(&v[2..]) {
        return false;
    }
    let d = &v[2..];
    let sum = dv(d[0]) + dv(d[2]) + dv(d[4]) + 2 * (dv(d[1]) + dv(d[3]) + dv(d[5]));
    sum % 10 == dv(d[6])
}

/// US Medicare Beneficiary Identifier: 11 chars C A AN N A AN N A A N N, no S L O I B Z (CMS MBI format).
pub fn us_mbi(s: &[u8]) -> bool {
    let Some(c) = compact::<11>(s, b" -") else {
        return false;
    };
    let v = c.get();
    if v.len() != 11 {
        return false;
    }
    let alpha = |b: u8| b.is_ascii_uppercase() && !b"SLOIBZ".contains(&b);
    let alnum = |b: u8| b.is_ascii_digit() || alpha(b);
    (b'1'..=b'9').contains(&v[0])
        && alpha(v[1])
        && alnum(v[2])
        && v[3].is_ascii_digit()
        && alpha(v[4])
        && alnum(v[5])
        && v[6].is_ascii_digit()
        && alpha(v[7])
        && alpha(v[8])
        && v[9].is_ascii_digit()
        && v[10].is_ascii_digit()
}

// ---------------------------------------------------------------------------
// United Kingdom, Canada
// ---------------------------------------------------------------------------

/// Canadian SIN: 9 digits, one kind of separator, not starting 0 or 8, Luhn (ESDC; Presidio CaSinRecognizer).
pub fn ca_sin(s: &[u8]) -> bool {
    let Some(c) = digits_one_sep::<9>(s, b"- ") else {
        return false;
    };
    let d = c.get();
    d.len() == 9 && d[0] != b'0' && d[0] != b'8' && luhn_digits(d)
}

// ---------------------------------------------------------------------------
// Brazil, Mexico
// ---------------------------------------------------------------------------

/// Brazilian mod-11 check digit of `vals`: weights 2, 3, … from the right, back to 2 after `top`.
fn br_check(vals: &[u32], top: u32) -> u32 {
    let sum = vals
        .iter()
        .rev()
        .zip((2..=top).cycle())
        .map(|(&x, w)| x * w)
        .sum();
    mod11_check(sum)
}

/// Brazilian CPF: 11 digits (000.000.000-00), not all the same, two mod-11 check digits over weights 10..2 and 11..2 (Receita Federal).
pub fn br_cpf(s: &[u8]) -> bool {
    let Some(d) = digits_n::<11>(s, b" .-/") else {
        return false;
    };
    let v = d.map(dv);
    !all_same(&d) && br_check(&v[..9], 11) == v[9] && br_check(&v[..10], 11) == v[10]
}

/// Brazilian CNPJ: 12 characters (digits, or from July 2026 also letters, valued as ASCII - 48) + two mod-11 check digits over weights 2..9 from the right (00.000.000/0000-00) (Receita Federal, IN RFB 2.229/2024).
pub fn br_cnpj(s: &[u8]) -> bool {
    let Some(c) = compact::<14>(s, b" .-/") else {
        return false;
    };
    let v = c.get();
    if v.len() != 14 || !all_digits(&v[12..]) || all_same(v) {
        return false;
    }
    let vals = c.buf.map(|b| u32::from(b.wrapping_sub(b'0')));
    br_check(&vals[..12], 9) == vals[12] && br_check(&vals[..13], 9) == vals[13]
}

const CURP_STATES: &str = include_str!("../../../patterns/dict/curp_states.txt");

/// Whether `code` is a Mexican state code of the CURP
/// (`patterns/dict/curp_states.txt`); read on first use.
fn curp_state(code: [u8; 2]) -> bool {
    static STATES: OnceLock<PairTable> = OnceLock::new();
    STATES
        .get_or_init(|| PairTable::parse(CURP_STATES))
        .get(code)
        != 0
}

/// Mexican CURP: 4 name letters (2nd a vowel or X), YYMMDD, sex H/M/X, state code, 3 consonants, homoclave (digit before 2000, letter after), check digit over 0-9 A-N Ñ O-Z with weights 18..2 (Instructivo normativo de la CURP, DOF 18/10/2021).
pub fn mx_curp(s: &[u8]) -> bool {
    let Some(c) = compact::<18>(s.trim_ascii(), b"") else {
        return false;
    };
    let v = c.get();
    let consonant = |b: &u8| b.is_ascii_uppercase() && !b"AEIOU".contains(b);
    let shape = v.len() == 18
        && v[..4].iter().all(u8::is_ascii_uppercase)
        && b"AEIOUX".contains(&v[1])
        && all_digits(&v[4..10])
        && b"HMX".contains(&v[10])
        && curp_state([v[11], v[12]])
        && v[13..16].iter().all(consonant)
        && v[17].is_ascii_digit();
    if !shape {
        return false;
    }
    let century = if v[16].is_ascii_digit() { 1900 } else { 2000 };
    let (yy, mm, dd) = (num(&v[4..6]), num(&v[6..8]), num(&v[8..10]));
    // Ñ sits between N and O in the check alphabet; CURPs write it as X.
    let value = |b: u8| match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'A'..=b'N' => u32::from(b - b'A') + 10,
        _ => u32::from(b - b'A') + 11,
    };
    let sum: u32 = v[..17]
        .iter()
        .zip((2..=18).rev())
        .map(|(&b, w)| value(b) * w)
        .sum();
    born(century + yy, mm, dd) && (10 - sum % 10) % 10 == dv(v[17])
}

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[
    (
        "us_ssn",
        &[
            "078-05-1123",
            "078.05.1123",
            "078 05 1123",
            "078051121",
            "07805-1121",
        ],
        &[
            "078-05-1120",
            "666-12-3456",
            "900-12-3456",
            "078 00 1123",
            "078-05-0000",
            "693-09.4444",
            "111-11-1111",
            "0780511201",
        ],
    ),
    (
        "us_itin",
        &["911-70-1234", "911-53-1234", "91170-1234", "999-94-0000"],
        &["911-89-1234", "811-70-1234", "911-93-1234", "91170123"],
    ),
    (
        "us_npi",
        &["1234567893", "1245319599", "1234-567-893", "1003000126"],
        &["1234567890", "1111111112", "3234567893", "123456789"],
    ),
    (
        "us_dea",
        &["AB1234563", "BJ6125341", "F91234563"],
        &["AB1234564", "IB1234563", "A11234563", "AB123456"],
    ),
    (
        "us_mbi",
        &[
            "1EG4-TE5-MK73",
            "1eg4te5mk73",
            "9XX9-XX9-XX99",
            "4EF6GH8JK12",
        ],
        &[
            "1SG4-TE5-MK73",
            "1EG4-TE5-OK73",
            "0EG4-TE5-MK73",
            "12G4-TE5-MK73",
            "1EG4TE5MK7",
        ],
    ),
    (
        "ca_sin",
        &["130 692 544", "347-677-452", "130692544", "258 933 688"],
        &[
            "130 692 545",
            "046 454 286",
            "812 345 678",
            "130-692 544",
            "1306925440",
        ],
    ),
    (
        "br_cpf",
        &["044.348.743-06", "99175389410", "005.280.200-05"],
        &["044.348.743-07", "11111111111", "0443487430", "99175389401"],
    ),
    (
        "br_cnpj",
        &[
            "12.820.980/0001-58",
            "15917590000199",
            "12.ABC.345/01DE-35",
            "7Q4RM2KD000118",
        ],
        &[
            "12.820.980/0001-59",
            "00000000000000",
            "12.ABC.345/01DE-3X",
            "1282098000015",
        ],
    ),
    (
        "mx_curp",
        &[
            "GOMA830417HJCMRL01",
            "ROSL011003MDFSNRA2",
            "pexj951230hnlrxn44",
            "GAMA830417HJCMRL06",
        ],
        &[
            "GOMA830417HJCMRL02",
            "GOMA831317HJCMRL00",
            "GOMA830417HZZMRL08",
            "GBMA830417HJCMRL09",
            "GOMA830417HJCMAL03",
            "OAXT780709HNEXRMA7",
        ],
    ),
];
