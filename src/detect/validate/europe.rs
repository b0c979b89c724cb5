//! National identifiers of western and southern Europe: United Kingdom,
//! Spain, Italy, France, Belgium, Netherlands, Portugal, Switzerland,
//! Turkey.

use super::checksum::{luhn_digits, mod11_check};
use super::norm::{all_digits, all_same, compact, digits_n, dv, num, valid_date, weighted};

// ---------------------------------------------------------------------------
// United Kingdom, Canada
// ---------------------------------------------------------------------------

/// UK NHS number: 10 digits, weights 10..2, mod 11 check digit (10 is invalid), not one repeated digit (NHS Data Dictionary).
pub fn uk_nhs(s: &[u8]) -> bool {
    let Some(d) = digits_n::<10>(s, b" -") else {
        return false;
    };
    let sum = weighted(&d, &[10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    !all_same(&d) && sum % 11 == 0
}

/// UK National Insurance number: 2 letters (no D F I Q U V, second no O, not BG GB NK KN TN NT ZZ), 6 digits, suffix A-D (HMRC NIM39110).
pub fn uk_nino(s: &[u8]) -> bool {
    let Some(c) = compact::<9>(s, b" -") else {
        return false;
    };
    let v = c.get();
    if v.len() != 9 || !all_digits(&v[2..8]) || !(b'A'..=b'D').contains(&v[8]) {
        return false;
    }
    let (a, b) = (v[0], v[1]);
    a.is_ascii_uppercase()
        && b.is_ascii_uppercase()
        && !b"DFIQUV".contains(&a)
        && !b"DFIQUVO".contains(&b)
        && !matches!(
            &v[..2],
            b"BG" | b"GB" | b"NK" | b"KN" | b"TN" | b"NT" | b"ZZ"
        )
}

// ---------------------------------------------------------------------------
// Spain, Italy
// ---------------------------------------------------------------------------

const NIF_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// DNI/NIE control letter of `n` (n mod 23 into TRWAGMYFPDXBNJZSQVHLCKE).
fn nif_letter(n: u32) -> u8 {
    NIF_LETTERS[(n % 23) as usize]
}

/// Spanish NIF/DNI: 7-8 digits or K/L/M + 7 digits, then control letter = TRWAGMYFPDXBNJZSQVHLCKE[n mod 23] (Ministerio del Interior).
pub fn es_nif(s: &[u8]) -> bool {
    let Some(c) = compact::<9>(s, b" -") else {
        return false;
    };
    let v = c.get();
    let Some((&letter, body)) = v.split_last() else {
        return false;
    };
    let digits = match body {
        [b'K' | b'L' | b'M', rest @ ..] if rest.len() == 7 => rest,
        _ if body.len() == 7 || body.len() == 8 => body,
        _ => return false,
    };
    all_digits(digits) && letter == nif_letter(num(digits))
}

/// Spanish NIE: X/Y/Z (as 0/1/2) + 7 digits + mod-23 control letter (Ministerio del Interior).
pub fn es_nie(s: &[u8]) -> bool {
    let Some(c) = compact::<9>(s, b" -") else {
        return false;
    };
    let v = c.get();
    if v.len() != 9 || !all_digits(&v[1..8]) {
        return false;
    }
    let prefix = match v[0] {
        b'X' => 0,
        b'Y' => 1,
        b'Z' => 2,
        _ => return false,
    };
    v[8] == nif_letter(prefix * 10_000_000 + num(&v[1..8]))
}

/// Odd-position values of the codice fiscale check character, for A..Z (digits map as A..J).
const CF_ODD: [u32; 26] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23,
];

/// Digit value of a codice fiscale numeric position, omocodia letters L M N P Q R S T U V included.
fn cf_digit(b: u8) -> Option<u32> {
    if b.is_ascii_digit() {
        return Some(dv(b));
    }
    b"LMNPQRSTUV"
        .iter()
        .position(|&x| x == b)
        .and_then(|p| u32::try_from(p).ok())
}

/// Italian codice fiscale: 16-char layout (omocodia allowed), month letter, day 1-31/41-71, check char (DM 23/12/1976).
pub fn it_fiscal_code(s: &[u8]) -> bool {
    let Some(c) = compact::<16>(s.trim_ascii(), b"") else {
        return false;
    };
    let v = c.get();
    if v.len() != 16 {
        return false;
    }
    let letters = [0, 1, 2, 3, 4, 5, 8, 11, 15];
    if !letters.iter().all(|&i| v[i].is_ascii_uppercase()) {
        return false;
    }
    let mut numeric = [0u32; 7];
    for (slot, &i) in numeric.iter_mut().zip(&[6usize, 7, 9, 10, 12, 13, 14]) {
        let Some(x) = cf_digit(v[i]) else {
            return false;
        };
        *slot = x;
    }
    let day = numeric[2] * 10 + numeric[3];
    if !b"ABCDEHLMPRST".contains(&v[8]) || !matches!(day, 1..=31 | 41..=71) {
        return false;
    }
    let sum: u32 = v[..15]
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            let idx = if b.is_ascii_digit() {
                b - b'0'
            } else {
                b - b'A'
            };
            if i % 2 == 0 {
                CF_ODD[usize::from(idx % 26)]
            } else {
                u32::from(idx)
            }
        })
        .sum();
    u32::from(v[15] - b'A') == sum % 26
}

/// Italian partita IVA: 11 digits, not all zero, Luhn-style check digit (DPR 633/1972).
pub fn it_vat(s: &[u8]) -> bool {
    digits_n::<11>(s, b" -_").is_some_and(|d| d.iter().any(|&b| b != b'0') && luhn_digits(&d))
}

// ---------------------------------------------------------------------------
// France, Belgium, Netherlands, Portugal, Switzerland
// ---------------------------------------------------------------------------

/// French NIR (numéro de sécurité sociale): sex 1-4/7/8, year, month 01-12 (20, 30-42, 50-99 for incomplete civil records), department (2A/2B for Corsica, counted as 19/18 in the key), commune, order, key = 97 - (first 13 mod 97) (INSEE).
pub fn fr_nir(s: &[u8]) -> bool {
    let Some(c) = compact::<15>(s, b" ") else {
        return false;
    };
    let v = c.get();
    if v.len() != 15 || !all_digits(&v[..5]) || !all_digits(&v[7..]) {
        return false;
    }
    let dept = match &v[5..7] {
        b"2A" => [1, 9],
        b"2B" => [1, 8],
        b"00" => return false,
        &[a, b] if a.is_ascii_digit() && b.is_ascii_digit() => [dv(a), dv(b)],
        _ => return false,
    };
    let month = num(&v[3..5]);
    let body = v[..5]
        .iter()
        .map(|&b| dv(b))
        .chain(dept)
        .chain(v[7..13].iter().map(|&b| dv(b)));
    let rest = body.fold(0u32, |r, x| (r * 10 + x) % 97);
    b"123478".contains(&v[0])
        && matches!(month, 1..=12 | 20 | 30..=42 | 50..=99)
        && num(&v[13..]) == 97 - rest
}

/// Belgian national number (rijksregisternummer / numéro national): YYMMDD (month +20/+40 in BIS numbers, 00 when unknown), serial 001-997, check = 97 - (first 9 mod 97), with a 2 put in front of them for births from 2000 (Rijksregister).
pub fn be_national_number(s: &[u8]) -> bool {
    let Some(d) = digits_n::<11>(s, b" .-") else {
        return false;
    };
    let (yy, mm, dd) = (num(&d[..2]), num(&d[2..4]), num(&d[4..6]));
    let month = match mm {
        0..=12 => mm,
        20..=32 => mm - 20,
        40..=52 => mm - 40,
        _ => return false,
    };
    // A date of birth may be partly unknown (month or day 00).
    let date_ok = |y: u32| month == 0 || dd == 0 || valid_date(y, month, dd);
    let (n, check) = (num(&d[..9]), num(&d[9..]));
    let before_2000 = 97 - n % 97 == check && date_ok(1900 + yy);
    let from_2000 = 97 - (2_000_000_000 + n) % 97 == check && date_ok(2000 + yy);
    dd <= 31 && (1..=997).contains(&num(&d[6..9])) && (before_2000 || from_2000)
}

/// Dutch BSN (burgerservicenummer, formerly sofinummer): 9 digits, not all the same, 11-test: weights 9..2 and -1 on the last, sum divisible by 11 (Wet algemene bepalingen burgerservicenummer).
pub fn nl_bsn(s: &[u8]) -> bool {
    let Some(d) = digits_n::<9>(s, b" .-") else {
        return false;
    };
    let sum = weighted(&d[..8], &[9, 8, 7, 6, 5, 4, 3, 2]);
    !all_same(&d) && sum % 11 == dv(d[8])
}

/// Portuguese NIF / NIPC (número de contribuinte), optionally PT-prefixed: 9 digits, first 1-3, 5, 6, 8, 9, 45 or 7x, mod-11 check digit over weights 9..2 (Autoridade Tributária).
pub fn pt_nif(s: &[u8]) -> bool {
    let t = s.trim_ascii();
    let t = match t {
        [b'P' | b'p', b'T' | b't', rest @ ..] => rest,
        _ => t,
    };
    let Some(d) = digits_n::<9>(t, b" .-") else {
        return false;
    };
    let prefix_ok = match d[0] {
        b'1'..=b'3' | b'5'..=b'9' => true,
        b'4' => d[1] == b'5',
        _ => false,
    };
    prefix_ok && mod11_check(weighted(&d[..8], &[9, 8, 7, 6, 5, 4, 3, 2])) == dv(d[8])
}

/// Swiss AHV / AVS number (AHVN13): 756 (Switzerland's country code) + 9 digits + EAN-13 check digit (ZAS; Verordnung über die AHV).
pub fn ch_ahv(s: &[u8]) -> bool {
    let Some(d) = digits_n::<13>(s, b" .") else {
        return false;
    };
    let sum = weighted(&d[..12], &[1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3]);
    d.starts_with(b"756") && (10 - sum % 10) % 10 == dv(d[12])
}

// ---------------------------------------------------------------------------
// Turkey, South Africa, Thailand, Nigeria
// ---------------------------------------------------------------------------

/// Turkish TC Kimlik No: 11 digits, first non-zero, d10 = (7*odd - even) mod 10, d11 = sum(d1..d10) mod 10 (NVI).
pub fn tr_national_id(s: &[u8]) -> bool {
    let Some(d) = digits_n::<11>(s, b" ") else {
        return false;
    };
    let odd = i64::from(dv(d[0]) + dv(d[2]) + dv(d[4]) + dv(d[6]) + dv(d[8]));
    let even = i64::from(dv(d[1]) + dv(d[3]) + dv(d[5]) + dv(d[7]));
    let tenth = (odd * 7 - even).rem_euclid(10);
    let first_ten: u32 = d[..10].iter().map(|&b| dv(b)).sum();
    d[0] != b'0' && tenth == i64::from(dv(d[9])) && first_ten % 10 == dv(d[10])
}

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[
    (
        "uk_nhs",
        &["401-023-2137", "221 395 1837", "0032698674"],
        &["401-023-2138", "0000000000", "40102321370"],
    ),
    (
        "uk_nino",
        &[
            "AA 12 34 56 B",
            "hh 01 02 03 d",
            "tw987654a",
            " YZ 61 48 68 B",
        ],
        &[
            "AA 12 34 56 H",
            "BG123612A",
            "FQ 00 00 00 C",
            "nt 99 88 77 a",
            "AB 12 34 56",
        ],
    ),
    (
        "es_nif",
        &[
            "12345678Z",
            "55555555-K",
            "1111111-G",
            "01111111G",
            "K1234567L",
            "m7654321j",
        ],
        &["12345678A", "K1234567X", "123456789", "401-023-2138"],
    ),
    (
        "es_nie",
        &["X9613851N", "Y8063915-Z", "z8078221m"],
        &["Y8063915Q", "W8063915Q", "Y806391Q", "58063915Q"],
    ),
    (
        "it_fiscal_code",
        &[
            "RSSMRA85T10A562S",
            "rssmra85t10a562s",
            "RSSMRA85T10A56NH",
            "AAAAAA00B11C333Y",
        ],
        &[
            "RSSMRA85T10A562T",
            "RSSMRA85Z10A562S",
            "A55AAA00B11C333N",
            "AAAAAA - 00B11C333Y",
        ],
    ),
    (
        "it_vat",
        &["01333550323", "01333550_323", "0133 355 0323"],
        &["01333550324", "00000000000", "00000000001", "0133355032"],
    ),
    (
        "tr_national_id",
        &["10000000146", "76543210794", "36493665440"],
        &["10000000145", "02531814694", "00000000000", "12345678900"],
    ),
    (
        "fr_nir",
        &[
            "178037511204558",
            "2 93 11 13 055 201 10",
            "164072A00401759",
            "2 55 12 2B 033 007 85",
            "1 64 07 2a 004 017 59",
        ],
        &[
            "178037511204559",
            "578037511204552",
            "178137511204524",
            "164072C00401759",
            "17803751120455",
            "2 93 11 13 055 201 10 1",
        ],
    ),
    (
        "be_national_number",
        &[
            "85073003328",
            "85.07.30-033.28",
            "03.09.21-064.43",
            "92431111839",
            "45000012346",
            "80022904503",
        ],
        &[
            "85073003329",
            "85133003328",
            "01022904522",
            "85073000061",
            "8507300332",
        ],
    ),
    (
        "nl_bsn",
        &["627782462", "872429568", "8393.46.505", "381 150 720"],
        &["627782463", "000000000", "12345678", "6277824620"],
    ),
    (
        "pt_nif",
        &["256026394", "174 526 350", "PT580357864", "pt 451234561"],
        &["256026395", "012345679", "412345676", "25602639"],
    ),
    (
        "ch_ahv",
        &["756.9718.3002.44", "7562973687235", "756 1201 9936 12"],
        &["756.9718.3002.45", "7579718300243", "756.9718.3002.4"],
    ),
];
