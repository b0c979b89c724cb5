//! National identifiers of Asia and the Pacific: India, Singapore,
//! Australia, Korea, Thailand, Japan, China.

use super::checksum::{mod11_check, verhoeff_digits};
use super::norm::{
    all_digits, all_same, born, compact, digits_n, digits_split, dv, num, today, valid_date,
    weighted,
};

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

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[
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
];
