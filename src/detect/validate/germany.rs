//! German identifiers: tax id, VAT id, social insurance number, LANR,
//! identity card, passport, health insurance number (KVNR).

use super::checksum::{cross, icao_check, iso7064_mod11_10};
use super::norm::{all_digits, compact, digits_n, dv, num, weighted};

/// German Steuer-IdNr: 11 digits, first non-zero, at most one digit repeated (at most 3 times) in the first 10, ISO 7064 MOD 11,10 (BZSt; Presidio DeTaxIdRecognizer).
pub fn de_tax_id(s: &[u8]) -> bool {
    let Some(d) = digits_n::<11>(s, b" -./") else {
        return false;
    };
    let mut counts = [0u8; 10];
    for &b in &d[..10] {
        counts[usize::from(b - b'0')] += 1;
    }
    let repeated = counts.iter().filter(|&&c| c >= 2).count();
    d[0] != b'0' && repeated <= 1 && counts.iter().all(|&c| c <= 3) && iso7064_mod11_10(&d)
}

/// German USt-IdNr: "DE" + 9 digits, ISO 7064 MOD 11,10 check digit (BZSt).
pub fn de_vat_id(s: &[u8]) -> bool {
    let Some(c) = compact::<11>(s, b" -.") else {
        return false;
    };
    let v = c.get();
    v.len() == 11 && v.starts_with(b"DE") && all_digits(&v[2..]) && iso7064_mod11_10(&v[2..])
}

/// German Rentenversicherungsnummer: area, DDMMYY (day 01-31/51-81), initial, serial, check via weights 2,1,2,5,7,1,2,1,2,1,2,1 cross sums (VKVV § 4).
pub fn de_svnr(s: &[u8]) -> bool {
    let Some(c) = compact::<12>(s, b" ") else {
        return false;
    };
    let v = c.get();
    if v.len() != 12 || !all_digits(&v[..8]) || !v[8].is_ascii_uppercase() || !all_digits(&v[9..]) {
        return false;
    }
    let (day, month) = (num(&v[2..4]), num(&v[4..6]));
    if !matches!(day, 1..=31 | 51..=81) || !(1..=12).contains(&month) {
        return false;
    }
    let letter = u32::from(v[8] - b'A') + 1;
    let mut eff = [0u32; 12];
    for (e, &b) in eff.iter_mut().zip(&v[..8]) {
        *e = dv(b);
    }
    eff[8] = letter / 10;
    eff[9] = letter % 10;
    eff[10] = dv(v[9]);
    eff[11] = dv(v[10]);
    let w = [2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1];
    let sum: u32 = eff.iter().zip(w).map(|(&x, w)| cross(x * w)).sum();
    sum % 10 == dv(v[11])
}

/// German LANR: 9 digits, not all zero, digits 1-6 weighted 4,9,4,9,4,9, check (10 - sum mod 10) mod 10 = 7th digit (KBV).
pub fn de_lanr(s: &[u8]) -> bool {
    let Some(d) = digits_n::<9>(s, b" -.") else {
        return false;
    };
    let sum = weighted(&d[..6], &[4, 9, 4, 9, 4, 9]);
    d.iter().any(|&b| b != b'0') && (10 - sum % 10) % 10 == dv(d[6])
}

/// Letters German ID documents use (no vowels, B, D, Q, S); digits also allowed.
fn de_doc_char(b: u8) -> bool {
    b.is_ascii_digit() || b"CFGHJKLMNPRTVWXYZ".contains(&b)
}

/// German Personalausweis number: 9 chars of the ICAO German alphabet whose 9th is a 7-3-1 check digit, or an [LMNPRTVWXY] + 8 digits serial that carries no check digit (ICAO 9303; Presidio DeIdCardRecognizer).
pub fn de_id_card(s: &[u8]) -> bool {
    let Some(c) = compact::<9>(s.trim_ascii(), b"") else {
        return false;
    };
    let v = c.get();
    if v.len() != 9 || !v[0].is_ascii_uppercase() || !v.iter().all(|&b| de_doc_char(b)) {
        return false;
    }
    let checked = v[8].is_ascii_digit() && icao_check(&v[..8]) == Some(dv(v[8]));
    let legacy = b"LMNPRTVWXY".contains(&v[0]) && all_digits(&v[1..]);
    checked || legacy
}

/// German Reisepass number: 8 chars of the ICAO German alphabet (letter first) + ICAO 7-3-1 check digit (ICAO 9303; Presidio DePassportRecognizer).
pub fn de_passport(s: &[u8]) -> bool {
    let Some(c) = compact::<9>(s.trim_ascii(), b"") else {
        return false;
    };
    let v = c.get();
    v.len() == 9
        && v[0].is_ascii_uppercase()
        && v[..8].iter().all(|&b| de_doc_char(b))
        && v[8].is_ascii_digit()
        && icao_check(&v[..8]) == Some(dv(v[8]))
}

/// German Krankenversichertennummer: letter (as 01-26) + 8 digits, weights 1,2 alternating with cross sums, check = 10th (§ 290 SGB V).
pub fn de_kvnr(s: &[u8]) -> bool {
    let Some(c) = compact::<10>(s, b" ") else {
        return false;
    };
    let v = c.get();
    if v.len() != 10 || !v[0].is_ascii_uppercase() || !all_digits(&v[1..]) {
        return false;
    }
    let letter = u32::from(v[0] - b'A') + 1;
    let mut eff = [0u32; 10];
    eff[0] = letter / 10;
    eff[1] = letter % 10;
    for (e, &b) in eff[2..].iter_mut().zip(&v[1..9]) {
        *e = dv(b);
    }
    let sum: u32 = eff
        .iter()
        .enumerate()
        .map(|(i, &x)| cross(x * if i % 2 == 0 { 1 } else { 2 }))
        .sum();
    sum % 10 == dv(v[9])
}

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[
    (
        "de_tax_id",
        &["12345678903", "98765432106", "12 345 678 903"],
        &["12345678901", "11112345678", "02345678901", "11111111111"],
    ),
    (
        "de_vat_id",
        &[
            "DE136695976",
            "de 136-695.976",
            "DE129273398",
            "DE 136 695 976",
        ],
        &["DE123456789", "AT123456789", "DE12345678", "DE1366959760"],
    ),
    (
        "de_svnr",
        &[
            "15070649C103",
            "65070803A019",
            "38551285K051",
            "15 070649 C 103",
        ],
        &[
            "15070649C100",
            "15071349C103",
            "15070049C103",
            "150706491103",
        ],
    ),
    (
        "de_lanr",
        &["123456601", "987654401", "999999901"],
        &["123456901", "000000000", "12345660"],
    ),
    (
        "de_id_card",
        &[
            "L01X00T44",
            "C01234565",
            "T22000129",
            "l01x00t44",
            "T99999999",
        ],
        &[
            "L01X00T47",
            "C01234567",
            "123456789",
            "T220001290",
            "A01234565",
        ],
    ),
    (
        "de_passport",
        &["C01X00T41", "F12345671", "c01234565", "CZ6311T03"],
        &["C01234567", "901234567", "A01234565", "C012345678"],
    ),
    (
        "de_kvnr",
        &["A123456780", "Z999999997", "a123456780", "A000500015"],
        &["A123456787", "1123456780", "A12345678", "A1234567890"],
    ),
];
