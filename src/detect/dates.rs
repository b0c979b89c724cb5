//! Written dates: the forms people and clinical systems write a date in.
//!
//! A date is only sensitive when it is a person's (a birth, an admission, a
//! death): the engine asks [`Dates::date_at`] for the value after a date
//! label (`DOB:`, `Geburtsdatum`, `né le`), and [`Dates::find_all`] for every
//! date of a clinical record, where HIPAA Safe Harbor makes each date but a
//! bare year PHI. Log and event timestamps are never looked at here.
//!
//! Forms: `d/m/y` and `m/d/y` with `/`, `-`, `.` or a space, two- or
//! four-digit years; ISO `yyyy-mm-dd`; the HL7 compact `yyyymmdd`; month
//! names in the languages of `patterns/dict/months.txt` before or after the
//! day (`8 juin 1955`, `June 8th, 1955`, `8. Juni 1955`, `8 de junio de
//! 1955`); and `1941年5月19日` / `1941년 5월 19일`.

use std::collections::HashMap;

use super::chars::{char_at, cjk};

const MONTHS: &str = include_str!("../../patterns/dict/months.txt");

/// Month names by lower-case spelling; built once.
#[derive(Debug)]
pub struct Dates {
    months: HashMap<String, u8>,
}

impl Dates {
    /// Loads the embedded month names.
    pub fn build() -> Result<Dates, String> {
        let mut months = HashMap::new();
        for (n, line) in MONTHS.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut parts = line.split('\t');
            let (Some(_lang), Some(m), Some(name), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(format!(
                    "patterns/dict/months.txt line {}: expected lang<TAB>month<TAB>name",
                    n + 1
                ));
            };
            let m: u8 = match m.parse() {
                Ok(m) if (1..=12).contains(&m) => m,
                _ => {
                    return Err(format!(
                        "patterns/dict/months.txt line {}: month must be 1-12",
                        n + 1
                    ))
                }
            };
            months.insert(name.to_lowercase(), m);
        }
        Ok(Dates { months })
    }

    /// The end of a date that starts exactly at `i`, if one does.
    pub fn date_at(&self, text: &[u8], i: usize) -> Option<usize> {
        if i >= text.len() || !boundary_before(text, i) {
            return None;
        }
        let b = text[i];
        if b.is_ascii_digit() {
            numeric_date(text, i)
                .or_else(|| cjk_date(text, i))
                .or_else(|| self.day_then_month(text, i))
        } else {
            self.month_then_day(text, i)
        }
    }

    /// Every date in `text` but a bare year, in order, without overlaps.
    pub fn find_all(&self, text: &[u8], out: &mut Vec<(usize, usize)>) {
        let mut i = 0;
        while i < text.len() {
            let b = text[i];
            let starts = (b.is_ascii_digit() || b.is_ascii_alphabetic() || b >= 0xC0)
                && boundary_before(text, i);
            if starts {
                if let Some(end) = self.date_at(text, i) {
                    out.push((i, end));
                    i = end;
                    continue;
                }
            }
            // Skip the rest of the word or number: ASCII letters and digits
            // run together; another script's letters too, but a digit after
            // them starts anew (`我1995/8/2出生`).
            if b.is_ascii_alphanumeric() {
                let mut j = i + 1;
                while j < text.len() && text[j].is_ascii_alphanumeric() {
                    j += 1;
                }
                i = j;
            } else if b >= 0x80 {
                let mut j = i + 1;
                while j < text.len() && text[j] >= 0x80 {
                    if text[j] >= 0xC0 && !continues_word(text, j) {
                        break;
                    }
                    j += 1;
                }
                i = j;
            } else {
                i += 1;
            }
        }
    }

    /// A month name at `i`. `leading`: nothing before it says date, so a
    /// short lower-case word (`may`, `mar`, `mai`) is a word, not a month.
    fn month_word(&self, text: &[u8], i: usize, leading: bool) -> Option<(u8, usize)> {
        let end = word_end(text, i);
        if end == i || end - i > 24 {
            return None;
        }
        if leading && end - i <= 4 && text[i].is_ascii_lowercase() {
            return None;
        }
        if end - i < 3 {
            return None;
        }
        // ASCII words are folded on the stack: this runs for every word of
        // a clinical or prose text.
        let mut buf = [0u8; 24];
        let m = if text[i..end].is_ascii() {
            let w = &mut buf[..end - i];
            w.copy_from_slice(&text[i..end]);
            w.make_ascii_lowercase();
            *self.months.get(std::str::from_utf8(w).ok()?)?
        } else {
            let word = std::str::from_utf8(&text[i..end]).ok()?.to_lowercase();
            *self.months.get(&word)?
        };
        // An abbreviation may carry a dot: `Jan.`, `févr.`.
        let end = if text.get(end) == Some(&b'.') {
            end + 1
        } else {
            end
        };
        Some((m, end))
    }

    /// `8 juin 1955`, `8. Juni 1955`, `8th of June 1955`, `8 de junio de 1955`,
    /// `8 June` (a day and month is a date element too).
    fn day_then_month(&self, text: &[u8], i: usize) -> Option<usize> {
        let (day, mut j) = number(text, i, 2)?;
        if !(1..=31).contains(&day) {
            return None;
        }
        // `5-May-2021`, `05-MAY-21`, `21-May`.
        if text.get(j) == Some(&b'-') {
            let (_, me) = self.month_word(text, j + 1, false)?;
            if text.get(me) == Some(&b'-') {
                if let Some((_, ye)) = number(text, me + 1, 4) {
                    if matches!(ye - me - 1, 2 | 4) && !glued(text, ye) {
                        return Some(ye);
                    }
                }
            }
            return (!continues_word(text, me)).then_some(me);
        }
        j = skip_ordinal(text, j);
        if text.get(j) == Some(&b'.') {
            j += 1;
        }
        j = skip_spaces(text, j)?;
        j = skip_word(text, j, &["of", "de", "del"]);
        let (_, mut end) = self.month_word(text, j, false)?;
        // Optional year.
        let mut k = end;
        if text.get(k) == Some(&b',') {
            k += 1;
        }
        if let Some(k2) = skip_spaces(text, k) {
            let k3 = skip_word(text, k2, &["de", "del", "of"]);
            if let Some((y, ye)) = number(text, k3, 4) {
                if ye - k3 == 4 && (1800..=2199).contains(&y) && !digit_at(text, ye) {
                    end = ye;
                }
            }
        }
        Some(end)
    }

    /// `June 8, 1955`, `June 8th 1955`, `Jan. 8`, `June 1955`.
    fn month_then_day(&self, text: &[u8], i: usize) -> Option<usize> {
        let (_, j) = self.month_word(text, i, true)?;
        // `May-21`, `May-2021`.
        if text.get(j) == Some(&b'-') {
            let (n, ne) = number(text, j + 1, 4)?;
            let ok = match ne - j - 1 {
                4 => (1800..=2199).contains(&n),
                1 | 2 => (1..=31).contains(&n),
                _ => false,
            };
            return (ok && !glued(text, ne)).then_some(ne);
        }
        let k = skip_spaces(text, j)?;
        let (n, ne) = number(text, k, 4)?;
        if digit_at(text, ne) {
            return None;
        }
        if ne - k == 4 {
            return (1800..=2199).contains(&n).then_some(ne);
        }
        if !(1..=31).contains(&n) || ne - k > 2 {
            return None;
        }
        let mut end = skip_ordinal(text, ne);
        let mut y = end;
        if text.get(y) == Some(&b',') {
            y += 1;
        }
        if let Some(y) = skip_spaces(text, y) {
            if let Some((yr, ye)) = number(text, y, 4) {
                if ye - y == 4 && (1800..=2199).contains(&yr) && !digit_at(text, ye) {
                    end = ye;
                }
            }
        }
        Some(end)
    }
}

/// `12/09/1979`, `09-12-79`, `12.09.1979`, `1979-09-12`, `1979/9/12`,
/// `19790912`.
fn numeric_date(text: &[u8], i: usize) -> Option<usize> {
    let (a, ae) = number(text, i, 8)?;
    let alen = ae - i;
    if alen == 8 {
        let (y, m, d) = (a / 10_000, a / 100 % 100, a % 100);
        let ok = (1900..=2099).contains(&y) && valid(y, m, d) && !glued(text, ae);
        return ok.then_some(ae);
    }
    let sep = *text.get(ae)?;
    if !matches!(sep, b'/' | b'-' | b'.' | b' ') || alen > 4 || alen == 3 {
        return None;
    }
    // `05/2021`: a month and a year.
    if sep == b'/' && alen <= 2 {
        if let Some((y, ye)) = number(text, ae + 1, 4) {
            if ye - ae - 1 == 4 && (1..=12).contains(&a) && (1900..=2099).contains(&y) {
                return (!glued(text, ye)).then_some(ye);
            }
        }
    }
    let (b, be) = number(text, ae + 1, 2)?;
    if text.get(be) != Some(&sep) {
        return None;
    }
    let (c, ce) = number(text, be + 1, 4)?;
    let clen = ce - be - 1;
    // `1.2.3.4` (an address, a version) goes on after the third number.
    if glued(text, ce) {
        return None;
    }
    let ok = if alen == 4 {
        clen <= 2 && valid(a, b, c)
    } else {
        // A dot-separated `1.2.33` is a version, not a date.
        let padded = sep != b'.' || (alen == 2 && be - ae - 1 == 2) || clen == 4;
        (clen == 2 || clen == 4)
            && padded
            && (clen == 2 || (1800..=2199).contains(&c))
            && ((a <= 31 && (1..=12).contains(&b)) || ((1..=12).contains(&a) && b <= 31))
            && a >= 1
            && b >= 1
    };
    ok.then_some(ce)
}

/// `1941年5月19日`, `1941년 5월 19일`, `5月19日`.
fn cjk_date(text: &[u8], i: usize) -> Option<usize> {
    const UNITS: [[&str; 3]; 2] = [["年", "月", "日"], ["년", "월", "일"]];
    for units in UNITS {
        let mut j = i;
        let mut parts = 0;
        for (n, unit) in units.iter().enumerate() {
            let Some((_, e)) = number(text, j, 4) else {
                break;
            };
            if !text[e..].starts_with(unit.as_bytes()) {
                if n == 0 {
                    // No year: `5月19日` starts at the month.
                    continue;
                }
                break;
            }
            parts += 1;
            j = e + unit.len();
            if n < 2 {
                j = skip_spaces(text, j).unwrap_or(j);
            }
        }
        if parts >= 2 {
            return Some(j);
        }
    }
    None
}

fn valid(y: u32, m: u32, d: u32) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    };
    (1..=days).contains(&d)
}

/// A decimal number of at most `max` digits at `i`: value and end.
fn number(text: &[u8], i: usize, max: usize) -> Option<(u32, usize)> {
    let mut j = i;
    let mut v: u32 = 0;
    while j < text.len() && text[j].is_ascii_digit() {
        if j - i == max {
            return None;
        }
        v = v * 10 + u32::from(text[j] - b'0');
        j += 1;
    }
    (j > i).then_some((v, j))
}

fn digit_at(text: &[u8], i: usize) -> bool {
    text.get(i).is_some_and(u8::is_ascii_digit)
}

/// Whether the number ending at `i` goes on (`.4`, `:30`, more digits or
/// letters): then it is not a whole date.
fn glued(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        Some(b) if b.is_ascii_alphanumeric() => true,
        Some(b'.' | b'/' | b'-') => digit_at(text, i + 1),
        _ => false,
    }
}

fn skip_ordinal(text: &[u8], i: usize) -> usize {
    for suf in [
        &b"st"[..],
        b"nd",
        b"rd",
        b"th",
        b"er",
        b"e",
        b"o",
        "º".as_bytes(),
    ] {
        if text[i..].starts_with(suf) && !continues_word(text, i + suf.len()) {
            return i + suf.len();
        }
    }
    i
}

/// One or more spaces at `i` (at most three): the position after them.
fn skip_spaces(text: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    while j < text.len() && j - i < 3 && text[j] == b' ' {
        j += 1;
    }
    (j > i).then_some(j)
}

/// Skips one of `words` and the space after it, when present at `i`.
fn skip_word(text: &[u8], i: usize, words: &[&str]) -> usize {
    for w in words {
        let e = i + w.len();
        if text.len() > e && text[i..e].eq_ignore_ascii_case(w.as_bytes()) && text[e] == b' ' {
            return e + 1;
        }
    }
    i
}

fn word_end(text: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < text.len() && continues_word(text, j) {
        j += 1;
    }
    j
}

/// Whether the byte at `j` belongs to a word (an ASCII letter or a letter
/// of another script); a CJK ideograph is a word of its own.
fn continues_word(text: &[u8], j: usize) -> bool {
    match text.get(j) {
        Some(b) if b.is_ascii_alphabetic() => true,
        Some(&b) if b >= 0x80 => {
            (0x80..0xC0).contains(&b)
                || char_at(text, j).is_some_and(|c| c.is_alphabetic() && !cjk(c))
        }
        _ => false,
    }
}

fn boundary_before(text: &[u8], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let p = text[i - 1];
    if p.is_ascii_alphanumeric() {
        return false;
    }
    if p >= 0x80 {
        // The last character before `i`.
        let mut k = i - 1;
        while k > 0 && (0x80..0xC0).contains(&text[k]) {
            k -= 1;
        }
        return !continues_word(text, k) || text[i].is_ascii_digit();
    }
    !(matches!(p, b'.' | b'/' | b'-' | b':') && i >= 2 && text[i - 2].is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> Option<&str> {
        let d = Dates::build().expect("months");
        d.date_at(s.as_bytes(), 0).map(|e| &s[..e])
    }

    #[test]
    fn numeric_forms() {
        for s in [
            "02/17/1979",
            "17/02/1979",
            "12.09.1979",
            "12-09-79",
            "1979-09-12",
            "1979/9/12",
            "19670625",
            "08/06/1955",
        ] {
            assert_eq!(one(s), Some(s), "{s}");
        }
        assert_eq!(one("12.09.1979, Berlin"), Some("12.09.1979"));
    }

    #[test]
    fn not_dates() {
        for s in [
            "1.2.33",
            "10.0.0.1",
            "13/13/1979",
            "2024",
            "123456789",
            "1.2.3",
            "19671325",
            "32/01/1990",
        ] {
            assert_eq!(one(s), None, "{s}");
        }
    }

    #[test]
    fn month_names_in_many_languages() {
        for s in [
            "8 juin 1955",
            "8. Juni 1955",
            "June 8th, 1955",
            "8 de junio de 1955",
            "8 giugno 1955",
            "8 czerwca 1955",
            "8 июня 1955",
            "8 Ιουνίου 1955",
            "Jan. 8, 1990",
            "5-May-2021",
            "05-MAY-21",
            "May-2021",
            "21-May",
            "05/2021",
            "8th of June 1955",
            "March 1999",
        ] {
            assert_eq!(one(s), Some(s), "{s}");
        }
        assert_eq!(one("June the best"), None);
        assert_eq!(one("may 20 be"), None);
        assert_eq!(one("May 20 we"), Some("May 20"));
    }

    #[test]
    fn cjk_forms() {
        assert_eq!(one("1941年5月19日生まれ"), Some("1941年5月19日"));
        assert_eq!(one("1941년 5월 19일"), Some("1941년 5월 19일"));
    }

    #[test]
    fn find_all_skips_bare_years_and_words() {
        let d = Dates::build().expect("months");
        let text = "Seen 2019. Admitted 03/04/2021, discharged March 9, 2021; v1.2.33 ok";
        let mut out = Vec::new();
        d.find_all(text.as_bytes(), &mut out);
        let got: Vec<&str> = out.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(got, ["03/04/2021", "March 9, 2021"]);
        out.clear();
        let text = "我1995/8/2出生，私は1972年01月24日生まれ";
        d.find_all(text.as_bytes(), &mut out);
        let got: Vec<&str> = out.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(got, ["1995/8/2", "1972年01月24日"]);
    }
}
