//! Checksum and structure validators, one named function each.
//!
//! A validator receives the bytes of a candidate match (separators
//! included, exactly as they appear in the record) and says whether the
//! value is structurally valid. Pattern packs name validators by the keys
//! of [`by_name`]; an unknown name is a pack error.
//!
//! Every validator is total: it never panics, whatever the bytes (empty,
//! huge, non-ASCII), and it never allocates: values are normalised into
//! small fixed-size stack buffers, and anything longer than the identifier
//! it checks is rejected before any arithmetic.
//!
//! Rules follow the issuing body's published algorithm. Where Microsoft
//! Presidio ships a recognizer for the same identifier, its
//! `validate_result` / `invalidate_result` logic was read as a reference
//! (the code here is written independently); deviations are noted on the
//! function.

use std::collections::HashSet;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// A validator: the candidate's bytes in, valid or not out.
pub type Validator = fn(&[u8]) -> bool;

/// Looks a validator up by the name pattern packs use.
pub fn by_name(name: &str) -> Option<Validator> {
    VALIDATORS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// Every validator name, for `patterns list` and error messages.
pub fn names() -> impl Iterator<Item = &'static str> {
    VALIDATORS.iter().map(|(n, _)| *n)
}

const VALIDATORS: &[(&str, Validator)] = &[
    ("luhn", luhn),
    ("has_digit", has_digit),
    ("verhoeff", verhoeff),
    ("iban_mod97", iban_mod97),
    ("us_ssn", us_ssn),
    ("us_itin", us_itin),
    ("aba", aba),
    ("us_npi", us_npi),
    ("us_dea", us_dea),
    ("us_mbi", us_mbi),
    ("uk_nhs", uk_nhs),
    ("uk_nino", uk_nino),
    ("ca_sin", ca_sin),
    ("in_aadhaar", in_aadhaar),
    ("in_pan", in_pan),
    ("in_gstin", in_gstin),
    ("es_nif", es_nif),
    ("es_nie", es_nie),
    ("it_fiscal_code", it_fiscal_code),
    ("it_vat", it_vat),
    ("sg_nric", sg_nric),
    ("sg_uen", sg_uen),
    ("au_abn", au_abn),
    ("au_acn", au_acn),
    ("au_tfn", au_tfn),
    ("au_medicare", au_medicare),
    ("fi_personal_code", fi_personal_code),
    ("pl_pesel", pl_pesel),
    ("se_personnummer", se_personnummer),
    ("se_orgnr", se_orgnr),
    ("kr_rrn", kr_rrn),
    ("kr_rrn_checksum", kr_rrn_checksum),
    ("kr_frn", kr_frn),
    ("kr_frn_checksum", kr_frn_checksum),
    ("kr_brn", kr_brn),
    ("tr_national_id", tr_national_id),
    ("za_id", za_id),
    ("th_tnin", th_tnin),
    ("ng_nin", ng_nin),
    ("de_tax_id", de_tax_id),
    ("de_vat_id", de_vat_id),
    ("de_svnr", de_svnr),
    ("de_lanr", de_lanr),
    ("de_id_card", de_id_card),
    ("de_passport", de_passport),
    ("de_kvnr", de_kvnr),
    ("fr_nir", fr_nir),
    ("be_national_number", be_national_number),
    ("nl_bsn", nl_bsn),
    ("pt_nif", pt_nif),
    ("ch_ahv", ch_ahv),
    ("dk_cpr", dk_cpr),
    ("no_fodselsnummer", no_fodselsnummer),
    ("br_cpf", br_cpf),
    ("br_cnpj", br_cnpj),
    ("mx_curp", mx_curp),
    ("jp_my_number", jp_my_number),
    ("cn_resident_id", cn_resident_id),
    ("phone_plan", super::phones::phone_plan),
    ("phone_plan_nanp", super::phones::phone_plan_nanp),
    ("github_token_crc32", github_token_crc32),
    ("btc_address", btc_address),
    ("icd10cm", icd10cm),
];

// ---------------------------------------------------------------------------
// Normalisation helpers
// ---------------------------------------------------------------------------

/// Separators skipped inside numeric identifiers.
const SEPS: &[u8] = b" \t-./_:";

/// Up to `N` upper-cased ASCII alphanumerics, separators removed.
struct Compact<const N: usize> {
    buf: [u8; N],
    len: usize,
}

impl<const N: usize> Compact<N> {
    /// The normalised bytes collected so far.
    fn get(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Drops the bytes in `seps`, upper-cases letters; `None` when another byte
/// (punctuation, control, non-ASCII) occurs or more than `N` remain.
fn compact<const N: usize>(s: &[u8], seps: &[u8]) -> Option<Compact<N>> {
    let mut out = Compact {
        buf: [0; N],
        len: 0,
    };
    for &b in s {
        if seps.contains(&b) {
            continue;
        }
        if !b.is_ascii_alphanumeric() || out.len == N {
            return None;
        }
        out.buf[out.len] = b.to_ascii_uppercase();
        out.len += 1;
    }
    Some(out)
}

/// Exactly `N` ASCII digits once `seps` are dropped.
fn digits_n<const N: usize>(s: &[u8], seps: &[u8]) -> Option<[u8; N]> {
    let c = compact::<N>(s, seps)?;
    if c.len != N || !all_digits(c.get()) {
        return None;
    }
    Some(c.buf)
}

/// Up to `N` ASCII digits with at most one kind of separator out of `seps`
/// (`078-05-1120` yes, `078-05.1120` no); surrounding whitespace is ignored.
fn digits_one_sep<const N: usize>(s: &[u8], seps: &[u8]) -> Option<Compact<N>> {
    let mut out = Compact {
        buf: [0; N],
        len: 0,
    };
    let mut sep = None;
    for &b in s.trim_ascii() {
        if b.is_ascii_digit() {
            if out.len == N {
                return None;
            }
            out.buf[out.len] = b;
            out.len += 1;
        } else if seps.contains(&b) {
            match sep {
                None => sep = Some(b),
                Some(x) if x == b => {}
                Some(_) => return None,
            }
        } else {
            return None;
        }
    }
    Some(out)
}

/// Exactly `N` ASCII digits, written whole or with one of `seps` after
/// the first `at` (`850314-1589913`); surrounding whitespace is ignored.
fn digits_split<const N: usize>(s: &[u8], at: usize, seps: &[u8]) -> Option<[u8; N]> {
    let v = s.trim_ascii();
    let mut d = [0u8; N];
    if v.len() == N {
        d.copy_from_slice(v);
    } else if v.len() == N + 1 && at < N && seps.contains(&v[at]) {
        d[..at].copy_from_slice(&v[..at]);
        d[at..].copy_from_slice(&v[at + 1..]);
    } else {
        return None;
    }
    all_digits(&d).then_some(d)
}

/// Every byte is an ASCII digit (true for an empty slice).
fn all_digits(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_digit)
}

/// Every byte equals the first (degenerate values such as 000000000).
fn all_same(s: &[u8]) -> bool {
    s.windows(2).all(|w| w[0] == w[1])
}

/// Value of an ASCII digit (callers check `is_ascii_digit` first).
fn dv(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'0'))
}

/// Decimal value of a short run of ASCII digits.
fn num(s: &[u8]) -> u32 {
    s.iter()
        .fold(0u32, |a, &b| a.wrapping_mul(10).wrapping_add(dv(b)))
}

/// Sum of `digit * weight` over the zipped pairs.
fn weighted(d: &[u8], w: &[u32]) -> u32 {
    d.iter().zip(w).map(|(&b, &w)| dv(b) * w).sum()
}

/// The usual mod-11 check digit of a weighted sum: 0 when the remainder is
/// 0 or 1, else 11 - remainder (CPF, CNPJ, NIF, My Number).
fn mod11_check(sum: u32) -> u32 {
    match sum % 11 {
        0 | 1 => 0,
        r => 11 - r,
    }
}

/// Luhn over ASCII digits (rightmost digit is the check digit).
fn luhn_digits(d: &[u8]) -> bool {
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
fn verhoeff_digits(d: &[u8]) -> bool {
    let c = d.iter().rev().enumerate().fold(0u8, |c, (i, &b)| {
        let p = VERHOEFF_P[i % 8][usize::from(b.wrapping_sub(b'0') % 10)];
        VERHOEFF_D[usize::from(c % 10)][usize::from(p % 10)]
    });
    c == 0
}

/// ISO 7064 MOD 11,10: true when the last digit is the check digit of the rest.
fn iso7064_mod11_10(d: &[u8]) -> bool {
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
fn cross(p: u32) -> u32 {
    p / 10 + p % 10
}

/// ICAO Doc 9303 check digit (weights 7, 3, 1; A=10 .. Z=35) of `s`.
fn icao_check(s: &[u8]) -> Option<u32> {
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

/// Gregorian leap year.
fn is_leap(y: u32) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Days in month `m` of year `y` (0 for a month outside 1-12).
fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// `y-m-d` is a real Gregorian calendar date.
fn valid_date(y: u32, m: u32, d: u32) -> bool {
    d >= 1 && d <= days_in_month(y, m)
}

/// `y-m-d` is a real date and not after today: a birth date.
fn born(y: u32, m: u32, d: u32) -> bool {
    valid_date(y, m, d) && today().is_none_or(|t| (y, m, d) <= t)
}

/// Today's UTC date as (year, month, day); `None` if the clock is before 1970.
fn today() -> Option<(u32, u32, u32)> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    let (y, m, d) = crate::util::civil_from_days(i64::try_from(secs / 86_400).ok()?);
    Some((
        u32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    ))
}

// ---------------------------------------------------------------------------
// Generic checksums
// ---------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------
// Banking
// ---------------------------------------------------------------------------

/// IBAN length per country code, from the SWIFT IBAN registry (ISO 13616).
fn iban_len(cc: [u8; 2]) -> Option<usize> {
    let n = match &cc {
        b"NO" => 15,
        b"BE" => 16,
        b"DK" | b"FI" | b"FK" | b"FO" | b"GL" | b"NL" | b"SD" => 18,
        b"MK" | b"SI" => 19,
        b"AT" | b"BA" | b"EE" | b"KZ" | b"LT" | b"LU" | b"MN" | b"XK" => 20,
        b"CH" | b"HR" | b"LI" | b"LV" => 21,
        b"BG" | b"BH" | b"CR" | b"DE" | b"GB" | b"GE" | b"IE" | b"ME" | b"RS" | b"VA" => 22,
        b"AE" | b"GI" | b"IL" | b"IQ" | b"OM" | b"SO" | b"TL" => 23,
        b"AD" | b"CZ" | b"ES" | b"MD" | b"PK" | b"RO" | b"SA" | b"SE" | b"SK" | b"TN" | b"VG" => 24,
        b"LY" | b"PT" | b"ST" => 25,
        b"IS" | b"TR" => 26,
        b"BI" | b"DJ" | b"FR" | b"GR" | b"IT" | b"MC" | b"MR" | b"SM" => 27,
        b"AL" | b"AZ" | b"BY" | b"CY" | b"DO" | b"GT" | b"HN" | b"HU" | b"LB" | b"NI" | b"PL"
        | b"SV" => 28,
        b"BR" | b"EG" | b"PS" | b"QA" | b"UA" => 29,
        b"JO" | b"KW" | b"MU" | b"YE" => 30,
        b"MT" | b"SC" => 31,
        b"LC" => 32,
        b"RU" => 33,
        _ => return None,
    };
    Some(n)
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

/// Canadian SIN: 9 digits, one kind of separator, not starting 0 or 8, Luhn (ESDC; Presidio CaSinRecognizer).
pub fn ca_sin(s: &[u8]) -> bool {
    let Some(c) = digits_one_sep::<9>(s, b"- ") else {
        return false;
    };
    let d = c.get();
    d.len() == 9 && d[0] != b'0' && d[0] != b'8' && luhn_digits(d)
}

// ---------------------------------------------------------------------------
// India
// ---------------------------------------------------------------------------

/// Aadhaar: 12 digits, first 2-9, Verhoeff check digit, not a palindrome (UIDAI; Presidio InAadhaarRecognizer).
pub fn in_aadhaar(s: &[u8]) -> bool {
    let Some(d) = digits_n::<12>(s, b" -:.") else {
        return false;
    };
    let palindrome = d.iter().eq(d.iter().rev());
    d[0] >= b'2' && !palindrome && verhoeff_digits(&d)
}

/// PAN format AAAAA9999A with holder type (4th char) in C P H F A T B L J G (Income Tax Dept.).
fn pan_ok(v: &[u8]) -> bool {
    v.len() == 10
        && v[..5].iter().all(u8::is_ascii_uppercase)
        && b"CPHFATBLJG".contains(&v[3])
        && all_digits(&v[5..9])
        && v[9].is_ascii_uppercase()
}

/// Indian PAN: AAAAA9999A with a valid holder-type 4th letter (CPHFATBLJG) (Income Tax Department).
pub fn in_pan(s: &[u8]) -> bool {
    compact::<10>(s, b" -").is_some_and(|c| pan_ok(c.get()))
}

/// Indian GSTIN: state 01-38/97/99, embedded PAN shape, entity code, 'Z', mod-36 check char (GSTN).
pub fn in_gstin(s: &[u8]) -> bool {
    const ALPHA: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let Some(c) = compact::<15>(s, b" -") else {
        return false;
    };
    let v = c.get();
    if v.len() != 15 || !all_digits(&v[..2]) {
        return false;
    }
    let state = num(&v[..2]);
    if !matches!(state, 1..=38 | 97 | 99) {
        return false;
    }
    // Code 99 is used for non-resident (OIDAR) registrations without a PAN.
    let pan_shape = v[2..7].iter().all(u8::is_ascii_uppercase)
        && all_digits(&v[7..11])
        && v[11].is_ascii_uppercase()
        && v[13] == b'Z';
    if state != 99 && !pan_shape {
        return false;
    }
    let mut sum = 0u32;
    for (i, &b) in v[..14].iter().enumerate() {
        let Some(x) = ALPHA.iter().position(|&a| a == b) else {
            return false;
        };
        let p = u32::try_from(x).unwrap_or(0) * if i % 2 == 0 { 1 } else { 2 };
        sum += p / 36 + p % 36;
    }
    let check = usize::try_from((36 - sum % 36) % 36).unwrap_or(0);
    ALPHA.get(check) == Some(&v[14])
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
// Singapore
// ---------------------------------------------------------------------------

/// Singapore NRIC/FIN: S/T/F/G/M + 7 digits + check letter, weights 2765432 with prefix offsets (ICA).
pub fn sg_nric(s: &[u8]) -> bool {
    let Some(c) = compact::<9>(s.trim_ascii(), b"") else {
        return false;
    };
    let v = c.get();
    if v.len() != 9 || !all_digits(&v[1..8]) {
        return false;
    }
    let sum = weighted(&v[1..8], &[2, 7, 6, 5, 4, 3, 2]);
    let expected = match v[0] {
        b'S' => b"JZIHGFEDCBA"[(sum % 11) as usize],
        b'T' => b"JZIHGFEDCBA"[((sum + 4) % 11) as usize],
        b'F' => b"XWUTRQPNMLK"[(sum % 11) as usize],
        b'G' => b"XWUTRQPNMLK"[((sum + 4) % 11) as usize],
        b'M' => b"KLJNPQRTUWX"[(10 - (sum + 3) % 11) as usize],
        _ => return false,
    };
    v[8] == expected
}

/// Singapore UEN: format A (8 digits + letter), B (year + 5 digits + letter) or C (T/S/R yy, entity type, 4 digits, letter) with checksum (ACRA).
pub fn sg_uen(s: &[u8]) -> bool {
    let Some(c) = compact::<10>(s.trim_ascii(), b"") else {
        return false;
    };
    let v = c.get();
    match v.len() {
        9 if all_digits(&v[..8]) => {
            let sum = weighted(&v[..8], &[10, 4, 9, 3, 8, 2, 7, 1]);
            v[8] == b"XMKECAWLJDB"[(sum % 11) as usize]
        }
        10 if all_digits(&v[..9]) => {
            let year = num(&v[..4]);
            let not_future = today().is_none_or(|(y, _, _)| year <= y);
            let sum = weighted(&v[..9], &[10, 8, 6, 4, 9, 7, 5, 3, 1]);
            year >= 1800 && not_future && v[9] == b"ZKCMDNERGWH"[(sum % 11) as usize]
        }
        10 => sg_uen_c(v),
        _ => false,
    }
}

/// Format C UEN: [TSR] yy entity-type nnnn check (ACRA; Presidio SgUenRecognizer).
fn sg_uen_c(v: &[u8]) -> bool {
    const ALPHA: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWX0123456789";
    const TYPES: [&[u8; 2]; 39] = [
        b"LP", b"LL", b"FC", b"PF", b"RF", b"MQ", b"MM", b"NB", b"CC", b"CS", b"MB", b"FM", b"GS",
        b"DP", b"CP", b"NR", b"CM", b"CD", b"MD", b"HS", b"VH", b"CH", b"MH", b"CL", b"XL", b"CX",
        b"HC", b"RP", b"TU", b"TC", b"FB", b"FN", b"PA", b"PB", b"SS", b"MC", b"SM", b"GA", b"GB",
    ];
    const W: [i64; 9] = [4, 3, 5, 3, 10, 2, 2, 5, 7];
    if !matches!(v[0], b'T' | b'S' | b'R')
        || !all_digits(&v[1..3])
        || !all_digits(&v[5..9])
        || !TYPES.iter().any(|t| t[..] == v[3..5])
    {
        return false;
    }
    let mut sum = 0i64;
    for (&b, w) in v[..9].iter().zip(W) {
        let Some(x) = ALPHA.iter().position(|&a| a == b) else {
            return false;
        };
        sum += i64::try_from(x).unwrap_or(0) * w;
    }
    let idx = usize::try_from((sum - 5).rem_euclid(11)).unwrap_or(0);
    ALPHA.get(idx) == Some(&v[9])
}

// ---------------------------------------------------------------------------
// Australia
// ---------------------------------------------------------------------------

/// Australian ABN: 11 digits, first non-zero, subtract 1 from it, weights 10,1,3,..,19, sum mod 89 == 0 (ATO).
pub fn au_abn(s: &[u8]) -> bool {
    let Some(d) = digits_n::<11>(s, b" -") else {
        return false;
    };
    if d[0] == b'0' {
        return false;
    }
    let sum = (dv(d[0]) - 1) * 10 + weighted(&d[1..], &[1, 3, 5, 7, 9, 11, 13, 15, 17, 19]);
    sum % 89 == 0
}

/// Australian ACN: 9 digits, weights 8..1 on the first 8, check = (10 - sum mod 10) mod 10 (ASIC).
pub fn au_acn(s: &[u8]) -> bool {
    let Some(d) = digits_n::<9>(s, b" -") else {
        return false;
    };
    let sum = weighted(&d[..8], &[8, 7, 6, 5, 4, 3, 2, 1]);
    (10 - sum % 10) % 10 == dv(d[8])
}

/// Australian TFN: 9 digits weights 1,4,3,7,5,8,6,9,10 or 8 digits weights 10,7,8,4,6,3,5,1, sum mod 11 == 0 (ATO).
pub fn au_tfn(s: &[u8]) -> bool {
    let Some(c) = compact::<9>(s, b" -") else {
        return false;
    };
    let d = c.get();
    let w: &[u32] = match d.len() {
        9 => &[1, 4, 3, 7, 5, 8, 6, 9, 10],
        8 => &[10, 7, 8, 4, 6, 3, 5, 1],
        _ => return false,
    };
    all_digits(d) && !all_same(d) && weighted(d, w) % 11 == 0
}

/// Australian Medicare card: 10-11 digits, first 2-6, weights 1,3,7,9,1,3,7,9 mod 10 == 9th digit (Services Australia).
pub fn au_medicare(s: &[u8]) -> bool {
    let Some(c) = compact::<11>(s, b" -/") else {
        return false;
    };
    let d = c.get();
    (d.len() == 10 || d.len() == 11)
        && all_digits(d)
        && (b'2'..=b'6').contains(&d[0])
        && weighted(&d[..8], &[1, 3, 7, 9, 1, 3, 7, 9]) % 10 == dv(d[8])
}

// ---------------------------------------------------------------------------
// Nordics, Poland
// ---------------------------------------------------------------------------

/// Finnish henkilötunnus DDMMYYCZZZQ: century sign + - A-F U-Y, real date, check char mod 31 (DVV).
pub fn fi_personal_code(s: &[u8]) -> bool {
    const CHECK: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";
    let v = s.trim_ascii();
    if v.len() != 11 || !all_digits(&v[..6]) || !all_digits(&v[7..10]) {
        return false;
    }
    let century = match v[6].to_ascii_uppercase() {
        b'+' => 1800,
        b'-' | b'U' | b'V' | b'W' | b'X' | b'Y' => 1900,
        b'A'..=b'F' => 2000,
        _ => return false,
    };
    let (day, month, year) = (num(&v[..2]), num(&v[2..4]), century + num(&v[4..6]));
    if !valid_date(year, month, day) {
        return false;
    }
    let n = num(&v[..6]) * 1000 + num(&v[7..10]);
    v[10].to_ascii_uppercase() == CHECK[(n % 31) as usize]
}

/// Polish PESEL: 11 digits, birth date with century in the month (+80/+0/+20/+40/+60), weights 1,3,7,9 check (Ustawa o ewidencji ludności).
pub fn pl_pesel(s: &[u8]) -> bool {
    let Some(d) = digits_n::<11>(s, b" -") else {
        return false;
    };
    let (yy, mm, dd) = (num(&d[..2]), num(&d[2..4]), num(&d[4..6]));
    let (century, month) = match mm {
        1..=12 => (1900, mm),
        21..=32 => (2000, mm - 20),
        41..=52 => (2100, mm - 40),
        61..=72 => (2200, mm - 60),
        81..=92 => (1800, mm - 80),
        _ => return false,
    };
    let sum = weighted(&d[..10], &[1, 3, 7, 9, 1, 3, 7, 9, 1, 3]);
    valid_date(century + yy, month, dd) && (10 - sum % 10) % 10 == dv(d[10])
}

/// Swedish personnummer: (YY)YYMMDD[-+]NNNN, real date or day+60 samordningsnummer, Luhn over the last 10 (Skatteverket).
pub fn se_personnummer(s: &[u8]) -> bool {
    let Some(d) = se_digits(s) else {
        return false;
    };
    let d = d.get();
    let (year, tail) = match d.len() {
        12 if matches!(num(&d[..2]), 18..=20) => (Some(num(&d[..4])), &d[2..]),
        10 => (None, d),
        _ => return false,
    };
    let month = num(&tail[2..4]);
    let mut day = num(&tail[4..6]);
    if day > 60 {
        day -= 60;
    }
    // With a 2-digit year the century is unknown: 29 Feb is allowed when yy % 4 == 0.
    let y = year.unwrap_or(2000 + num(&tail[..2]));
    valid_date(y, month, day) && luhn_digits(tail)
}

/// Digits of a Swedish number: 10 or 12 digits, optionally `-`, `+` or a space before the last four.
fn se_digits(s: &[u8]) -> Option<Compact<12>> {
    let v = s.trim_ascii();
    let mut out = Compact {
        buf: [0; 12],
        len: 0,
    };
    for (i, &b) in v.iter().enumerate() {
        if b.is_ascii_digit() && out.len < 12 {
            out.buf[out.len] = b;
            out.len += 1;
        } else if !(matches!(b, b'-' | b'+' | b' ') && i + 5 == v.len()) {
            return None;
        }
    }
    Some(out)
}

/// Swedish organisationsnummer: 10 digits (or 16-prefixed 12), third digit >= 2, Luhn (Bolagsverket).
pub fn se_orgnr(s: &[u8]) -> bool {
    let Some(c) = se_digits(s) else {
        return false;
    };
    let d = match c.get() {
        [b'1', b'6', rest @ ..] if rest.len() == 10 => rest,
        d if d.len() == 10 => d,
        _ => return false,
    };
    d[2] >= b'2' && luhn_digits(d)
}

// ---------------------------------------------------------------------------
// Korea
// ---------------------------------------------------------------------------

/// 13 digits of a Korean registration number `YYMMDD-GNNNNNC` whose birth date and
/// gender/century digit (one of `genders`) are valid.
fn kr_reg(s: &[u8], genders: &[u8]) -> Option<[u8; 13]> {
    let d = digits_split::<13>(s, 6, b"- ")?;
    if !genders.contains(&d[6]) {
        return None;
    }
    let century = match d[6] {
        b'1' | b'2' | b'5' | b'6' => 1900,
        b'3' | b'4' | b'7' | b'8' => 2000,
        _ => 1800,
    };
    valid_date(century + num(&d[..2]), num(&d[2..4]), num(&d[4..6])).then_some(d)
}

/// Weighted sum (2,3,4,5,6,7,8,9,2,3,4,5) of the first 12 digits of a Korean registration number.
fn kr_sum(d: &[u8; 13]) -> u32 {
    weighted(&d[..12], &[2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5])
}

/// Korean RRN: YYMMDD-GNNNNNN with a real birth date and gender digit 1-4; no checksum, since numbers issued after Oct 2020 carry none (MOIS; Presidio KrRrnRecognizer).
pub fn kr_rrn(s: &[u8]) -> bool {
    kr_reg(s, b"1234").is_some()
}

/// Korean RRN issued before Oct 2020: `kr_rrn` plus check digit (11 - sum mod 11) mod 10 over weights 2..9,2..5 (MOIS).
pub fn kr_rrn_checksum(s: &[u8]) -> bool {
    kr_reg(s, b"1234").is_some_and(|d| (11 - kr_sum(&d) % 11) % 10 == dv(d[12]))
}

/// Korean FRN: YYMMDD-GNNNNNN with a real birth date and gender digit 5-8; no checksum (post-2020 numbers carry none) (MOJ; Presidio KrFrnRecognizer).
pub fn kr_frn(s: &[u8]) -> bool {
    kr_reg(s, b"5678").is_some()
}

/// Korean FRN issued before Oct 2020: `kr_frn` plus check digit (13 - sum mod 11) mod 10 (MOJ; Presidio KrFrnRecognizer).
pub fn kr_frn_checksum(s: &[u8]) -> bool {
    kr_reg(s, b"5678").is_some_and(|d| (13 - kr_sum(&d) % 11) % 10 == dv(d[12]))
}

/// Korean business registration number: 10 digits, keys 1,3,7,1,3,7,1,3,5 plus carry of the 9th product (National Tax Service).
pub fn kr_brn(s: &[u8]) -> bool {
    let Some(d) = digits_n::<10>(s, b" -") else {
        return false;
    };
    let last = dv(d[8]) * 5;
    let sum = weighted(&d[..8], &[1, 3, 7, 1, 3, 7, 1, 3]) + last + last / 10;
    !all_same(&d) && (10 - sum % 10) % 10 == dv(d[9])
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

/// Thai national ID: 13 digits, first two non-zero, no unassigned province code, check = (11 - sum(d_i * (14-i)) mod 11) mod 10 (DOPA).
pub fn th_tnin(s: &[u8]) -> bool {
    let Some(d) = digits_n::<13>(s, b" -") else {
        return false;
    };
    let province = num(&d[1..3]);
    let unassigned = matches!(province, 28 | 29 | 59 | 68 | 69 | 78 | 79 | 87..=89 | 97..=99);
    let sum = weighted(&d[..12], &[13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2]);
    d[0] != b'0' && d[1] != b'0' && !unassigned && (11 - sum % 11) % 10 == dv(d[12])
}

/// Nigerian NIN: 11 digits with a Verhoeff check digit (NIMC; Presidio NgNinRecognizer).
pub fn ng_nin(s: &[u8]) -> bool {
    digits_n::<11>(s, b" -").is_some_and(|d| verhoeff_digits(&d))
}

// ---------------------------------------------------------------------------
// Germany
// ---------------------------------------------------------------------------

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
// Denmark, Norway
// ---------------------------------------------------------------------------

/// Danish CPR number DDMMYY-SSSS: a real, past birth date whose century the 7th digit and the year give; no mod-11 check, which numbers issued since 2007 need not pass (CPR-kontoret).
pub fn dk_cpr(s: &[u8]) -> bool {
    let Some(d) = digits_split::<10>(s, 6, b"- ") else {
        return false;
    };
    let (dd, mm, yy) = (num(&d[..2]), num(&d[2..4]), num(&d[4..6]));
    let century = match (d[6], yy) {
        (b'0'..=b'3', _) | (b'4' | b'9', 37..) => 1900,
        (b'4' | b'9', _) | (b'5'..=b'8', ..=57) => 2000,
        _ => 1800,
    };
    born(century + yy, mm, dd)
}

/// Norwegian fødselsnummer DDMMYY III KK: a real, past birth date (day +40 in D-numbers, month +40 in H-numbers), the century from the individual number, two mod-11 check digits (Skatteetaten).
pub fn no_fodselsnummer(s: &[u8]) -> bool {
    let Some(d) = digits_split::<11>(s, 6, b" ") else {
        return false;
    };
    let (dd, mm, yy, ind) = (num(&d[..2]), num(&d[2..4]), num(&d[4..6]), num(&d[6..9]));
    let century = match ind {
        0..=499 => 1900,
        500..=749 if yy >= 54 => 1800,
        500..=999 if yy < 40 => 2000,
        900..=999 => 1900,
        _ => return false,
    };
    let day = if dd > 40 { dd - 40 } else { dd };
    let month = if mm > 40 { mm - 40 } else { mm };
    // 11 - sum mod 11, where 11 stands for 0 and 10 is never issued.
    let check = |sum: u32| (11 - sum % 11) % 11;
    let k1 = check(weighted(&d[..9], &[3, 7, 6, 1, 8, 9, 4, 5, 2]));
    let k2 = check(weighted(&d[..10], &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]));
    born(century + yy, month, day) && k1 == dv(d[9]) && k2 == dv(d[10])
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

/// Mexican state codes of the CURP (RENAPO), NE for births abroad.
const MX_STATES: [&[u8; 2]; 33] = [
    b"AS", b"BC", b"BS", b"CC", b"CL", b"CM", b"CS", b"CH", b"DF", b"DG", b"GT", b"GR", b"HG",
    b"JC", b"MC", b"MN", b"MS", b"NT", b"NL", b"OC", b"PL", b"QT", b"QR", b"SP", b"SL", b"SR",
    b"TC", b"TS", b"TL", b"VZ", b"YN", b"ZS", b"NE",
];

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
        && MX_STATES.iter().any(|st| st[..] == v[11..13])
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

// ---------------------------------------------------------------------------
// Japan, China
// ---------------------------------------------------------------------------

/// Japanese My Number (個人番号): 12 digits, not all the same, check digit = mod-11 rule over weights 6,5,4,3,2,7,6,5,4,3,2 (総務省令第85号, 2014).
pub fn jp_my_number(s: &[u8]) -> bool {
    let Some(d) = digits_n::<12>(s, b" -") else {
        return false;
    };
    let sum = weighted(&d[..11], &[6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2]);
    !all_same(&d) && mod11_check(sum) == dv(d[11])
}

/// Chinese resident identity card number (公民身份号码): 6-digit region of a province in use, a real past birth date YYYYMMDD from 1900, 3-digit sequence, ISO 7064 MOD 11-2 check character 0-9 or X (GB 11643-1999).
pub fn cn_resident_id(s: &[u8]) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let Some(c) = compact::<18>(s.trim_ascii(), b"") else {
        return false;
    };
    let v = c.get();
    if v.len() != 18 || !all_digits(&v[..17]) {
        return false;
    }
    let province = num(&v[..2]);
    let province_ok = matches!(
        province,
        11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83
    );
    let (y, m, d) = (num(&v[6..10]), num(&v[10..12]), num(&v[12..14]));
    let check = b"10X98765432"[(weighted(&v[..17], &W) % 11) as usize];
    province_ok && y >= 1900 && born(y, m, d) && v[17] == check
}

// ---------------------------------------------------------------------------
// Secrets and crypto addresses
// ---------------------------------------------------------------------------

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) lookup table, built at compile time.
const CRC_TABLE: [u32; 256] = crc_table();

/// Builds the CRC-32 table: entry i is i run through 8 rounds of the reflected polynomial.
const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// CRC-32/ISO-HDLC of `data` (the zlib / `binascii.crc32` value).
fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |c, &b| {
        CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8)
    })
}

/// GitHub token `gh[pousr]_` + 30 base62 chars + their CRC-32 in 6 base62 digits (0-9A-Za-z, MSB first, zero-padded) (GitHub token format, 2021).
pub fn github_token_crc32(s: &[u8]) -> bool {
    const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let v = s.trim_ascii();
    if v.len() != 40 || !matches!(&v[..4], b"ghp_" | b"gho_" | b"ghu_" | b"ghs_" | b"ghr_") {
        return false;
    }
    let (body, check) = v[4..].split_at(30);
    if !v[4..].iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let mut n = crc32(body);
    let mut expected = [b'0'; 6];
    for slot in expected.iter_mut().rev() {
        *slot = B62[(n % 62) as usize];
        n /= 62;
    }
    expected == check
}

const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// One SHA-256 compression of a 64-byte block into the state `h` (FIPS 180-4 § 6.2.2).
fn sha256_block(h: &mut [u32; 8], block: &[u8]) {
    let mut w = [0u32; 64];
    for (wi, c) in w.iter_mut().zip(block.chunks_exact(4)) {
        *wi = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
    }
    for i in 16..64 {
        let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
        let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16]
            .wrapping_add(s0)
            .wrapping_add(w[i - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = *h;
    for (&k, &wi) in SHA256_K.iter().zip(&w) {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = hh
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(k)
            .wrapping_add(wi);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        hh = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
        *x = x.wrapping_add(y);
    }
}

/// SHA-256 (FIPS 180-4), allocation-free.
fn sha256(data: &[u8]) -> [u8; 32] {
    let mut h: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    let mut blocks = data.chunks_exact(64);
    for block in &mut blocks {
        sha256_block(&mut h, block);
    }
    let rest = blocks.remainder();
    let mut tail = [0u8; 128];
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let end = if rest.len() < 56 { 64 } else { 128 };
    let bits = u64::try_from(data.len()).unwrap_or(0).wrapping_mul(8);
    tail[end - 8..end].copy_from_slice(&bits.to_be_bytes());
    for block in tail[..end].chunks_exact(64) {
        sha256_block(&mut h, block);
    }
    let mut out = [0u8; 32];
    for (o, w) in out.chunks_exact_mut(4).zip(h) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    out
}

/// Base58Check P2PKH/P2SH address: 25 bytes, version 0x00 ('1') or 0x05 ('3'), double-SHA-256 checksum.
fn btc_base58(s: &[u8]) -> bool {
    const B58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    if !(26..=35).contains(&s.len()) {
        return false;
    }
    let mut buf = [0u8; 25];
    for &ch in s {
        let Some(pos) = B58.iter().position(|&x| x == ch) else {
            return false;
        };
        let mut carry = u32::try_from(pos).unwrap_or(0);
        for byte in buf.iter_mut().rev() {
            carry += u32::from(*byte) * 58;
            *byte = (carry & 0xFF) as u8;
            carry >>= 8;
        }
        if carry != 0 {
            return false;
        }
    }
    let ones = s.iter().take_while(|&&c| c == b'1').count();
    let zeros = buf.iter().take_while(|&&b| b == 0).count();
    let version_ok = match s[0] {
        b'1' => buf[0] == 0x00,
        b'3' => buf[0] == 0x05,
        _ => false,
    };
    let digest = sha256(&sha256(&buf[..21]));
    ones == zeros && version_ok && digest[..4] == buf[21..]
}

/// Segwit `bc1` address: bech32 (v0, 20/32-byte program) or bech32m (v1+) checksum (BIP-173, BIP-350).
fn btc_bech32(s: &[u8]) -> bool {
    const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    const GEN: [u32; 5] = [
        0x3b6a_57b2,
        0x2650_8e6d,
        0x1ea1_19fa,
        0x3d42_33dd,
        0x2a14_62b3,
    ];
    let step = |chk: u32, v: u32| {
        let top = chk >> 25;
        let mut c = ((chk & 0x01ff_ffff) << 5) ^ v;
        for (i, g) in GEN.iter().enumerate() {
            if (top >> i) & 1 == 1 {
                c ^= g;
            }
        }
        c
    };
    if !(14..=74).contains(&s.len()) {
        return false;
    }
    let lower = s.iter().any(u8::is_ascii_lowercase);
    let upper = s.iter().any(u8::is_ascii_uppercase);
    if (lower && upper) || !s[..3].eq_ignore_ascii_case(b"bc1") {
        return false;
    }
    let mut data = [0u8; 71];
    let n = s.len() - 3;
    for (slot, &ch) in data.iter_mut().zip(&s[3..]) {
        let Some(p) = CHARSET.iter().position(|&x| x == ch.to_ascii_lowercase()) else {
            return false;
        };
        *slot = p as u8;
    }
    // "bc" expanded: high bits of each char, 0, low bits of each char.
    let chk = [3u32, 3, 0, 2, 3]
        .into_iter()
        .chain(data[..n].iter().map(|&x| u32::from(x)))
        .fold(1u32, step);
    let version = data[0];
    let bech32m = match chk {
        1 => false,
        0x2bc8_30a3 => true,
        _ => return false,
    };
    if version > 16 || bech32m != (version > 0) {
        return false;
    }
    // Witness program: regroup the 5-bit words into bytes, padding must be zero.
    let (mut acc, mut bits, mut len) = (0u32, 0u32, 0usize);
    for &x in &data[1..n - 6] {
        acc = ((acc << 5) | u32::from(x)) & 0xFFF;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            len += 1;
        }
    }
    let padding_ok = bits < 5 && acc & ((1 << bits) - 1) == 0;
    let len_ok = if version == 0 {
        len == 20 || len == 32
    } else {
        (2..=40).contains(&len)
    };
    padding_ok && len_ok
}

/// Bitcoin address: Base58Check '1'/'3' (26-35 chars, double SHA-256) or bech32/bech32m `bc1` (Bitcoin BIPs 13/173/350).
pub fn btc_address(s: &[u8]) -> bool {
    let v = s.trim_ascii();
    match v.first() {
        Some(b'1' | b'3') => btc_base58(v),
        Some(b'b' | b'B') => btc_bech32(v),
        _ => false,
    }
}

// ---------------------------------------------------------------------------
// ICD-10-CM
// ---------------------------------------------------------------------------

const ICD10CM: &str = include_str!("../../patterns/dict/icd10cm.txt");

/// An ICD-10-CM code packed into a `u64` (up to seven characters, the dot
/// removed), for the set of real codes.
fn icd10_key(s: &[u8]) -> Option<u64> {
    let mut key: u64 = 0;
    let mut n = 0;
    for (i, &b) in s.iter().enumerate() {
        if b == b'.' && i == 3 {
            continue;
        }
        if !b.is_ascii_alphanumeric() || n == 7 {
            return None;
        }
        key = (key << 8) | u64::from(b.to_ascii_uppercase());
        n += 1;
    }
    (n >= 3).then_some(key)
}

/// ICD-10-CM: a code of the CMS code list (`patterns/dict/icd10cm.txt`,
/// 98,000 categories and codes), with or without its dot: `E11.9` is one,
/// `E11.0` and `A12.3` only look like one. The set is built on first use
/// (the one allocation a validator makes), so engines that never see a
/// diagnosis never pay for it.
pub fn icd10cm(s: &[u8]) -> bool {
    static CODES: OnceLock<HashSet<u64>> = OnceLock::new();
    let Some(key) = icd10_key(s) else {
        return false;
    };
    CODES
        .get_or_init(|| {
            ICD10CM
                .lines()
                .filter(|l| !l.starts_with('#'))
                .filter_map(|l| icd10_key(l.trim().as_bytes()))
                .collect()
        })
        .contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (validator name, values it must accept, values it must reject).
    type Case = (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    );

    const CASES: &[Case] = &[
        (
            "phone_plan",
            &[
                "+44 20 7123 4567",
                "+1 (415) 555-0132",
                "030 1234567",
                "612 34 56 78",
            ],
            &[
                "+1 123 456 7890",
                "+999 1234 5678",
                "2024-05-21",
                "192.168.10.20",
                "",
            ],
        ),
        (
            "phone_plan_nanp",
            &["(415) 555-0132", "415.555.0132", "+1 212 555 0199"],
            &["(999) 555-0132", "(123) 555-0132", "030 1234567", ""],
        ),
        (
            "icd10cm",
            &["E11.9", "e119", "F32.9", "J18.9", "I10", "M17.11"],
            &["E11.7", "A12.3", "Z99.99999", "E1", "", "E11..9"],
        ),
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
            "aba",
            &["121000358", "0711-0130-7", "3222-7162-7", "121042882"],
            &["421042111", "1234-0000-0", "121000359", "000000000"],
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
            "in_aadhaar",
            &[
                "312345678909",
                "3123 4567 8909",
                "3998-7654-3211",
                "3123:4567:8909",
            ],
            &[
                "123456789012",
                "312345678908",
                "3123 4567 890",
                "1234-5678-9012",
            ],
        ),
        (
            "in_pan",
            &["ABCPD1234Z", "abbpm4567s", "AAAFA1111R"],
            &["ABCND1234Z", "A1111DFSFS", "ABCD1234", "ABCPD12345"],
        ),
        (
            "in_gstin",
            &["27AAPFU0939F1ZV", "29AAGCB7383J1Z4", "27aapfu0939f1zv"],
            &[
                "27ABCDE1234F1Z5",
                "27AAPFU0939F1ZW",
                "00AAPFU0939F1ZV",
                "27AAPFU0939F1YV",
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
            "sg_nric",
            &["S2740116C", "F2346401L", "M4332674T", "T7572225C"],
            &["T1234567Z", "A1234567Z", "S2740116D", "PA12348L"],
        ),
        (
            "sg_uen",
            &[
                "53125226D",
                "201434292D",
                "T16RF0037C",
                "S57TU0392K",
                "R16RF0037F",
            ],
            &[
                "53125226E",
                "53125226",
                "T16ZZ0037C",
                "201434292E",
                "999934292D",
            ],
        ),
        (
            "au_abn",
            &["51 824 753 556", "51824753556"],
            &["52 824 753 556", "00000000560", "5282475355632"],
        ),
        (
            "au_acn",
            &["000 000 019", "005 499 981", "006249976", "000000180"],
            &["824 753 557", "005499982", "52824753556"],
        ),
        (
            "au_tfn",
            &["876 543 210", "876543210", "37124490", "123 456 77"],
            &["876543211", "824 753 557", "1234567", "000000000"],
        ),
        (
            "au_medicare",
            &["2123 45670 1", "2123456701", "21234567011"],
            &["2123 25870 1", "7123456701", "212345670221"],
        ),
        (
            "fi_personal_code",
            &["131052-308T", "010594Y9032", "020504A902E", "010516b903x"],
            &[
                "131052-308U",
                "311190-1111",
                "131052/308T",
                "010324A110G",
                "111111+110G",
            ],
        ),
        (
            "pl_pesel",
            &["44051401458", "02070803628", "11111111116"],
            &["44051401459", "85040812345", "11110021111", "1111321111"],
        ),
        (
            "se_personnummer",
            &[
                "198712202384",
                "871220-2384",
                "19910924-2397",
                "9201232387",
                "189004119807",
            ],
            &[
                "200504422381",
                "19001309-2393",
                "871220-2385",
                "189x09179809",
                "8712202384-",
            ],
        ),
        (
            "se_orgnr",
            &["556703-7485", "2120000142", "16556703-7485"],
            &["556703-7486", "19000309-3393", "55670x-7485", "5517037485"],
        ),
        (
            "kr_rrn",
            &[
                "960121-1021413",
                "9601211234567",
                "000505-3637892",
                "0509122000019",
            ],
            &[
                "001332-1234567",
                "960121+1021413",
                "960303-0021413",
                "760413-5212134",
            ],
        ),
        (
            "kr_rrn_checksum",
            &["960121-1021413", "050912-2000019"],
            &["960121-1234567", "000505-3637892", "960303-0021413"],
        ),
        (
            "kr_frn",
            &["911124-5678901", "000505-7637892", "0509126000012"],
            &["760413-1212134", "051102-9234110", "001332-5234567"],
        ),
        (
            "kr_frn_checksum",
            &["911124-5678906", "050912-6000012"],
            &["911124-5678901", "960121-1021413"],
        ),
        (
            "kr_brn",
            &["104-86-56659", "1048656659", "104-82-13138"],
            &["104-86-56658", "110-81-4127", "110-81-4127A", "0000000000"],
        ),
        (
            "tr_national_id",
            &["10000000146", "76543210794", "36493665440"],
            &["10000000145", "02531814694", "00000000000", "12345678900"],
        ),
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
            "th_tnin",
            &["1234567890121", "1220000000007", "3456789012347"],
            &[
                "1234567890123",
                "0234567890124",
                "1994567890124",
                "123456789012",
            ],
        ),
        (
            "ng_nin",
            &["12345678902", "55512345672", "01234567895"],
            &["12345678901", "1234567890a", "123456789012"],
        ),
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
        (
            "dk_cpr",
            &["140382-1457", "0211952318", "290204-4021", "120358-5123"],
            &["310299-3608", "290201-4021", "010157-5000", "140382+1457"],
        ),
        (
            "no_fodselsnummer",
            &["12048512346", "030971 45740", "45069021216", "29020061268"],
            &["12048512347", "32048512346", "01019001200", "1204851234"],
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
        (
            "jp_my_number",
            &["099732378738", "8778 7134 5944", "4312-8086-2437"],
            &[
                "099732378739",
                "000000000000",
                "09973237873",
                "0997323787380",
            ],
        ),
        (
            "cn_resident_id",
            &[
                "33010619870612415X",
                "440305199211030287",
                "33010619870612415x",
            ],
            &[
                "330106198706124150",
                "990106198706124152",
                "33010620900612415X",
                "330106198702304153",
                "3301061987061241",
            ],
        ),
        (
            "github_token_crc32",
            &[
                "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",
                "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",
                "ghs_0000000000000000000000000000002C8GjS",
            ],
            &[
                "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ01234WLnuL",
                "gho_16C7e42F292c6912E7710c838347Ae178B4a",
                "ghx_0000000000000000000000000000002C8GjS",
                "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123",
            ],
        ),
        (
            "btc_address",
            &[
                "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ",
                "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                "bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297",
                "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",
            ],
            &[
                "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyZ2",
                "16Yeky6GMjeNkAiNcBY7ZhrLoMSgg1BoyY",
                "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr",
                "bc1Qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
                "0x8f953371d3e85eddb89b05ed6b9e6807910553",
            ],
        ),
    ];

    /// Every validator accepts its valid values and rejects its invalid ones.
    #[test]
    fn table_driven_cases() {
        for (name, good, bad) in CASES {
            let f = by_name(name).unwrap_or_else(|| panic!("no validator {name}"));
            for v in *good {
                assert!(f(v.as_bytes()), "{name} should accept {v:?}");
            }
            for v in *bad {
                assert!(!f(v.as_bytes()), "{name} should reject {v:?}");
            }
        }
    }

    /// Every table entry has at least two valid and two invalid cases.
    #[test]
    fn every_validator_has_cases() {
        for name in names() {
            let case = CASES.iter().find(|(n, _, _)| *n == name);
            let (_, good, bad) = case.unwrap_or_else(|| panic!("no test cases for {name}"));
            assert!(
                good.len() >= 2 && bad.len() >= 2,
                "{name} needs 2 valid and 2 invalid cases"
            );
        }
    }

    /// `by_name` resolves every name of the table, names are unique, typos are not found.
    #[test]
    fn by_name_finds_every_name() {
        assert!(names().count() >= 40);
        for (name, f) in VALIDATORS {
            let found = by_name(name).unwrap_or_else(|| panic!("by_name({name}) is None"));
            assert_eq!(
                found as usize, *f as usize,
                "{name} maps to another function"
            );
        }
        let mut all: Vec<&str> = names().collect();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), VALIDATORS.len(), "duplicate validator names");
        assert!(by_name("lunh").is_none());
        assert!(by_name("").is_none());
    }

    /// No validator panics on pseudo-random, non-ASCII, empty or huge input.
    #[test]
    fn survives_arbitrary_bytes() {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcxyz -./_:+<";
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as u32
        };
        let mut buf = Vec::with_capacity(64);
        for round in 0..600 {
            buf.clear();
            let len = (next() % 41) as usize;
            for _ in 0..len {
                let r = next();
                let b = match round % 3 {
                    // raw bytes, including non-ASCII and control bytes
                    0 => (r & 0xFF) as u8,
                    // plausible identifier characters
                    1 => ALPHABET[(r as usize) % ALPHABET.len()],
                    // mostly digits, some UTF-8 lead/continuation bytes
                    _ if r % 7 == 0 => [0xC3, 0x80, 0xE2, 0xF0][(r as usize >> 3) % 4],
                    _ => b'0' + (r % 10) as u8,
                };
                buf.push(b);
            }
            for (_, f) in VALIDATORS {
                let _ = f(&buf);
            }
        }
        let huge = vec![b'9'; 1 << 20];
        let text = "Ünïcødé 12345 ñ € 𝔘 ghp_ bc1 DE89".as_bytes();
        for (_, f) in VALIDATORS {
            let _ = f(&huge);
            let _ = f(text);
            let _ = f(b"");
            let _ = f(&[0xFF; 40]);
        }
    }

    /// SHA-256 (FIPS 180-2 vectors) and CRC-32 (check value of "123456789") are right.
    #[test]
    fn sha256_and_crc32_known_answers() {
        let hex = |d: [u8; 32]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            hex(sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(sha256(
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            )),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
