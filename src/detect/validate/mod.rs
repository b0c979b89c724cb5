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
//!
//! # Layout
//!
//! One module per family: `checksum` (the generic checksums), `banking`,
//! `americas`, `europe`, `germany`, `nordics`, `asia_pacific`, `africa`,
//! `secrets`, `icd10`; `norm` normalises values for all of them. Every
//! validator is re-exported here, and [`by_name`] finds it by the name
//! packs use. The IBAN lengths, the CURP state codes and the ICD-10-CM
//! codes are data (`patterns/dict/iban_lengths.txt`, `curp_states.txt`,
//! `icd10cm.txt`), read on first use; the checksum tables (Verhoeff, CRC,
//! SHA-256) are arithmetic and stay code.

mod africa;
mod americas;
mod asia_pacific;
mod banking;
mod checksum;
mod europe;
mod germany;
mod icd10;
mod nordics;
mod norm;
mod secrets;

pub use africa::{ng_nin, za_id};
pub use americas::{br_cnpj, br_cpf, ca_sin, mx_curp, us_dea, us_itin, us_mbi, us_npi, us_ssn};
pub use asia_pacific::{
    au_abn, au_acn, au_medicare, au_tfn, cn_resident_id, in_aadhaar, in_gstin, in_pan,
    jp_my_number, kr_brn, kr_frn, kr_frn_checksum, kr_rrn, kr_rrn_checksum, sg_nric, sg_uen,
    th_tnin,
};
pub use banking::{aba, iban_country, iban_mod97};
pub use checksum::{has_digit, luhn, verhoeff};
pub use europe::{
    be_national_number, ch_ahv, es_nie, es_nif, fr_nir, it_fiscal_code, it_vat, nl_bsn, pt_nif,
    tr_national_id, uk_nhs, uk_nino,
};
pub use germany::{de_id_card, de_kvnr, de_lanr, de_passport, de_svnr, de_tax_id, de_vat_id};
pub use icd10::icd10cm;
pub use nordics::{
    dk_cpr, fi_personal_code, no_fodselsnummer, pl_pesel, se_orgnr, se_personnummer,
};
pub use secrets::{btc_address, github_token_crc32};

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
    ("phone_plan", crate::detect::phones::phone_plan),
    ("phone_plan_nanp", crate::detect::phones::phone_plan_nanp),
    ("github_token_crc32", github_token_crc32),
    ("btc_address", btc_address),
    ("icd10cm", icd10cm),
];

/// (validator name, values it must accept, values it must reject).
#[cfg(test)]
type Case = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
);

/// The cases of the phone validators (`detect::phones`).
#[cfg(test)]
const PHONE_CASES: &[Case] = &[
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
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The cases of every family.
    fn cases() -> impl Iterator<Item = &'static Case> {
        [
            PHONE_CASES,
            africa::CASES,
            americas::CASES,
            asia_pacific::CASES,
            banking::CASES,
            checksum::CASES,
            europe::CASES,
            germany::CASES,
            icd10::CASES,
            nordics::CASES,
            secrets::CASES,
        ]
        .into_iter()
        .flatten()
    }

    /// Every validator accepts its valid values and rejects its invalid ones.
    #[test]
    fn table_driven_cases() {
        for (name, good, bad) in cases() {
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
            let case = cases().find(|(n, _, _)| *n == name);
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
}
