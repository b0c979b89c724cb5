//! Normalising a candidate into a small stack buffer (separators dropped,
//! letters upper-cased), digit arithmetic and calendar dates, shared by the
//! validators of every family.

use std::time::{SystemTime, UNIX_EPOCH};

/// Separators skipped inside numeric identifiers.
pub(super) const SEPS: &[u8] = b" \t-./_:";

/// Up to `N` upper-cased ASCII alphanumerics, separators removed.
pub(super) struct Compact<const N: usize> {
    pub(super) buf: [u8; N],
    pub(super) len: usize,
}

impl<const N: usize> Compact<N> {
    /// The normalised bytes collected so far.
    pub(super) fn get(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Drops the bytes in `seps`, upper-cases letters; `None` when another byte
/// (punctuation, control, non-ASCII) occurs or more than `N` remain.
pub(super) fn compact<const N: usize>(s: &[u8], seps: &[u8]) -> Option<Compact<N>> {
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
pub(super) fn digits_n<const N: usize>(s: &[u8], seps: &[u8]) -> Option<[u8; N]> {
    let c = compact::<N>(s, seps)?;
    if c.len != N || !all_digits(c.get()) {
        return None;
    }
    Some(c.buf)
}

/// Up to `N` ASCII digits with at most one kind of separator out of `seps`
/// (`078-05-1120` yes, `078-05.1120` no); surrounding whitespace is ignored.
pub(super) fn digits_one_sep<const N: usize>(s: &[u8], seps: &[u8]) -> Option<Compact<N>> {
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
pub(super) fn digits_split<const N: usize>(s: &[u8], at: usize, seps: &[u8]) -> Option<[u8; N]> {
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
pub(super) fn all_digits(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_digit)
}

/// Every byte equals the first (degenerate values such as 000000000).
pub(super) fn all_same(s: &[u8]) -> bool {
    s.windows(2).all(|w| w[0] == w[1])
}

/// Value of an ASCII digit (callers check `is_ascii_digit` first).
pub(super) fn dv(b: u8) -> u32 {
    u32::from(b.wrapping_sub(b'0'))
}

/// Decimal value of a short run of ASCII digits.
pub(super) fn num(s: &[u8]) -> u32 {
    s.iter()
        .fold(0u32, |a, &b| a.wrapping_mul(10).wrapping_add(dv(b)))
}

/// Sum of `digit * weight` over the zipped pairs.
pub(super) fn weighted(d: &[u8], w: &[u32]) -> u32 {
    d.iter().zip(w).map(|(&b, &w)| dv(b) * w).sum()
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
pub(super) fn valid_date(y: u32, m: u32, d: u32) -> bool {
    d >= 1 && d <= days_in_month(y, m)
}

/// `y-m-d` is a real date and not after today: a birth date.
pub(super) fn born(y: u32, m: u32, d: u32) -> bool {
    valid_date(y, m, d) && today().is_none_or(|t| (y, m, d) <= t)
}

/// Today's UTC date as (year, month, day); `None` if the clock is before 1970.
pub(super) fn today() -> Option<(u32, u32, u32)> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    let (y, m, d) = crate::util::civil_from_days(i64::try_from(secs / 86_400).ok()?);
    Some((
        u32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    ))
}

/// A table of two-letter codes (`AA` to `ZZ`) read from a data file of
/// `CODE` or `CODE<TAB>value` lines (`#` comments): the value (1 when none
/// is given) of each code listed, 0 for the others and for anything that
/// is not two ASCII capitals. A plain array: looking a code up never
/// allocates.
pub(super) struct PairTable([u8; 26 * 26]);

impl PairTable {
    /// The table of `text`; lines that do not parse are skipped (the
    /// validators' tests keep the files well formed).
    pub(super) fn parse(text: &str) -> PairTable {
        let mut t = [0u8; 26 * 26];
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (code, value) = line.split_once('\t').unwrap_or((line, "1"));
            let (Some(i), Ok(v)) = (pair_index(code.as_bytes()), value.trim().parse::<u8>()) else {
                continue;
            };
            t[i] = v;
        }
        PairTable(t)
    }

    /// The value of `code`, 0 when it is not listed.
    pub(super) fn get(&self, code: [u8; 2]) -> u8 {
        pair_index(&code).map_or(0, |i| self.0[i])
    }
}

/// Index of a code of two ASCII capitals in a [`PairTable`].
fn pair_index(code: &[u8]) -> Option<usize> {
    match *code {
        [a @ b'A'..=b'Z', b @ b'A'..=b'Z'] => {
            Some(usize::from(a - b'A') * 26 + usize::from(b - b'A'))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_tables_read_codes_and_values() {
        let t = PairTable::parse("# comment\nDE\t22\nNE\nxx\t3\nABC\t4\nFR\tbad\n");
        assert_eq!(t.get(*b"DE"), 22);
        assert_eq!(t.get(*b"NE"), 1);
        assert_eq!(t.get(*b"FR"), 0);
        assert_eq!(t.get(*b"xx"), 0);
        assert_eq!(t.get(*b"AB"), 0);
        assert_eq!(t.get(*b"ZZ"), 0);
    }

    #[test]
    fn data_files_are_well_formed() {
        for (file, text) in [
            (
                "iban_lengths.txt",
                include_str!("../../../patterns/dict/iban_lengths.txt"),
            ),
            (
                "curp_states.txt",
                include_str!("../../../patterns/dict/curp_states.txt"),
            ),
        ] {
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                let (code, value) = line.split_once('\t').unwrap_or((line, "1"));
                assert!(pair_index(code.as_bytes()).is_some(), "{file}: {line:?}");
                assert!(value.parse::<u8>().is_ok_and(|v| v > 0), "{file}: {line:?}");
            }
        }
    }
}
