//! The generic checksums (Luhn, Verhoeff, ISO 7064 MOD 11,10, mod 11, the
//! ICAO 9303 check digit) and the validators that are nothing but one of
//! them.

use super::norm::{all_digits, compact, dv, SEPS};

/// The usual mod-11 check digit of a weighted sum: 0 when the remainder is
/// 0 or 1, else 11 - remainder (CPF, CNPJ, NIF, My Number).
pub(super) fn mod11_check(sum: u32) -> u32 {
    match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    }
}

/// Luhn over ASCII digits (rightmost digit is the check digit).
pub(super) fn luhn_digits(d: &[u8]) -> bool {
    let sum = d.iter().rev().enumerate().fold(0u32, |acc, (i, &b)| {
        let mut x = dv(b);
        if i % 2 == 1 {
            x *= 2;
            if x > 9 {
                x -= 9;
            }
        }
        (acc + x) % 10
    });
    sum == 0
}

const VERHOEFF_D: [[u8; 10]; 10] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];

const VERHOEFF_P: [[u8; 10]; 8] = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/// Verhoeff (dihedral group D5) over ASCII digits, check digit last.
pub(super) fn verhoeff_digits(d: &[u8]) -> bool {
    let c = d.iter().rev().enumerate().fold(0u8, |c, (i, &b)| {
        let p = VERHOEFF_P[i % 8][usize::from(b.wrapping_sub(b'0') % 10)];
        VERHOEFF_D[usize::from(c % 10)][usize::from(p % 10)]
    });
    c == 0
}

/// ISO 7064 MOD 11,10: true when the last digit is the check digit of the rest.
pub(super) fn iso7064_mod11_10(d: &[u8]) -> bool {
    let Some((&check, body)) = d.split_last() else {
        return false;
    };
    let mut product = 10;
    for &b in body {
        let mut sum = (dv(b) + product) % 10;
        if sum == 0 {
            sum = 10;
        }
        product = (sum * 2) % 11;
    }
    (11 - product) % 10 == dv(check)
}

/// Cross sum of a product below 100 (`35` gives `8`).
pub(super) fn cross(p: u32) -> u32 {
    p / 10 + p % 10
}

/// ICAO Doc 9303 check digit (weights 7, 3, 1; A=10 .. Z=35) of `s`.
pub(super) fn icao_check(s: &[u8]) -> Option<u32> {
    const W: [u32; 3] = [7, 3, 1];
    let mut sum = 0;
    for (i, &b) in s.iter().enumerate() {
        let v = match b {
            b'0'..=b'9' => dv(b),
            b'A'..=b'Z' => u32::from(b - b'A') + 10,
            b'<' => 0,
            _ => return None,
        };
        sum += v * W[i % 3];
    }
    Some(sum % 10)
}

/// At least one ASCII digit: secret values (unlike identifiers) carry one.
pub fn has_digit(s: &[u8]) -> bool {
    s.iter().any(u8::is_ascii_digit)
}

/// Luhn mod-10 over the ASCII digits of `s`, other bytes ignored (ISO/IEC 7812-1).
pub fn luhn(s: &[u8]) -> bool {
    let mut sum = 0u32;
    let mut n = 0usize;
    for &b in s.iter().rev().filter(|b| b.is_ascii_digit()) {
        let mut x = dv(b);
        if n % 2 == 1 {
            x *= 2;
            if x > 9 {
                x -= 9;
            }
        }
        sum = (sum + x) % 10;
        n = n.saturating_add(1);
    }
    n >= 2 && sum == 0
}

/// Verhoeff check digit over 2+ digits, separators allowed (Verhoeff 1969).
pub fn verhoeff(s: &[u8]) -> bool {
    let Some(c) = compact::<64>(s, SEPS) else {
        return false;
    };
    c.len >= 2 && all_digits(c.get()) && verhoeff_digits(c.get())
}

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[
    (
        "has_digit",
        &["a1", "9", "Vht4564AL"],
        &["abc", "", "telegram_api_token"],
    ),
    (
        "luhn",
        &["4111 1111 1111 1111", "79927398713", "4012-8888-8888-1881"],
        &["79927398710", "4012-8888-8888-1882", "0", ""],
    ),
    (
        "verhoeff",
        &["2363", "12345678902", "3123 4567 8909"],
        &["2364", "12345678901", "1", "12a3"],
    ),
];
