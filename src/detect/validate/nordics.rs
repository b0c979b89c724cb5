//! National identifiers of the Nordics and Poland: Finland, Sweden,
//! Denmark, Norway, Poland.

use super::checksum::luhn_digits;
use super::norm::{
    all_digits, born, digits_n, digits_split, dv, num, valid_date, weighted, Compact,
};

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

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[
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
        "dk_cpr",
        &["140382-1457", "0211952318", "290204-4021", "120358-5123"],
        &["310299-3608", "290201-4021", "010157-5000", "140382+1457"],
    ),
    (
        "no_fodselsnummer",
        &["12048512346", "030971 45740", "45069021216", "29020061268"],
        &["12048512347", "32048512346", "01019001200", "1204851234"],
    ),
];
