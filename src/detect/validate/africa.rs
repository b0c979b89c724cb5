//! National identifiers of Africa: South Africa, Nigeria.

use super::checksum::{luhn_digits, verhoeff_digits};
use super::norm::{born, digits_n, num, today};

/// South African ID YYMMDDSSSSCAZ: past birth date (rolling century), citizenship 0-2, 8/9, Luhn (Home Affairs; Presidio ZaIdNumberRecognizer).
pub fn za_id(s: &[u8]) -> bool {
    let Some(d) = digits_n::<13>(s, b" ") else {
        return false;
    };
    let (yy, mm, dd) = (num(&d[..2]), num(&d[2..4]), num(&d[4..6]));
    let pivot = today().map_or(99, |(y, _, _)| y % 100);
    let year = if yy > pivot { 1900 + yy } else { 2000 + yy };
    born(year, mm, dd)
        && matches!(d[10], b'0'..=b'2')
        && matches!(d[11], b'8' | b'9')
        && luhn_digits(&d)
}

/// Nigerian NIN: 11 digits with a Verhoeff check digit (NIMC; Presidio NgNinRecognizer).
pub fn ng_nin(s: &[u8]) -> bool {
    digits_n::<11>(s, b" -").is_some_and(|d| verhoeff_digits(&d))
}

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[
    (
        "za_id",
        &["8001015009087", "0002294321191", "9912316789285"],
        &[
            "8001015009086",
            "9902294321191",
            "9913326789285",
            "8001015000076",
        ],
    ),
    (
        "ng_nin",
        &["12345678902", "55512345672", "01234567895"],
        &["12345678901", "1234567890a", "123456789012"],
    ),
];
