//! ICD-10-CM diagnosis codes, looked up in the CMS code list.

use std::collections::HashSet;
use std::sync::OnceLock;

const ICD10CM: &str = include_str!("../../../patterns/dict/icd10cm.txt");

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

/// Values each validator of this family must accept and reject.
#[cfg(test)]
pub(super) const CASES: &[super::Case] = &[(
    "icd10cm",
    &["E11.9", "e119", "F32.9", "J18.9", "I10", "M17.11"],
    &["E11.7", "A12.3", "Z99.99999", "E1", "", "E11..9"],
)];
