//! Where a labelled value ends, by its class: a phone number, an email
//! address, an id, a person's name (in scripts with and without spaces),
//! an address.

use super::super::chars::char_at;
use super::super::names::Names;
use super::text::{skip_blank, unspaced};

/// A phone number: digits with `+ ( ) - . /` and single spaces, at least
/// six digits.
pub(super) fn phone_end(text: &[u8], vs: usize, limit: usize) -> Option<usize> {
    let mut j = vs;
    let mut digits = 0;
    let mut end = vs;
    while j < limit {
        let b = text[j];
        if b.is_ascii_digit() {
            digits += 1;
            end = j + 1;
        } else if !(matches!(b, b'+' | b'(' | b')' | b'-' | b'.' | b'/')
            || (b == b' '
                && text
                    .get(j + 1)
                    .is_some_and(|n| n.is_ascii_digit() || *n == b'(')))
        {
            break;
        }
        j += 1;
    }
    // An extension: `x98837`, `ext. 12`.
    for ext in [&b"x"[..], b" x", b" ext. ", b" ext ", b"ext"] {
        if text[end..].starts_with(ext) && text.get(end + ext.len()).is_some_and(u8::is_ascii_digit)
        {
            end += ext.len();
            while text.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
            break;
        }
    }
    if text.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    (digits >= 6).then_some(end)
}

/// An email address: one token holding `@`.
pub(super) fn email_end(text: &[u8], vs: usize, limit: usize) -> Option<usize> {
    let mut j = vs;
    while j < limit
        && !matches!(
            text[j],
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b';' | b'<' | b'>' | b'"' | b')'
        )
    {
        j += 1;
    }
    while j > vs && matches!(text[j - 1], b'.' | b':') {
        j -= 1;
    }
    text[vs..j].contains(&b'@').then_some(j)
}

/// An id: alphanumeric groups joined by `-`, `.`, `/` or a single space
/// before a digit, holding at least two digits (`597381409`, `036.115.704-51`,
/// `2 81 10 48 095 129 61`, `X1234567`).
pub(super) fn id_end(text: &[u8], vs: usize, limit: usize) -> Option<usize> {
    let mut j = vs;
    let mut digits = 0;
    let mut end = vs;
    while j < limit && j - vs < 48 {
        let b = text[j];
        if b.is_ascii_alphanumeric() {
            digits += usize::from(b.is_ascii_digit());
            end = j + 1;
        } else {
            let joins = (matches!(b, b'-' | b'.' | b'/')
                && text.get(j + 1).is_some_and(u8::is_ascii_alphanumeric))
                || (b == b' ' && text.get(j + 1).is_some_and(u8::is_ascii_digit) && digits > 0);
            if !joins {
                break;
            }
        }
        j += 1;
    }
    if end < text.len() && char_at(text, end).is_some_and(|c| c.is_alphanumeric()) {
        return None;
    }
    (digits >= 2).then_some(end)
}

/// A person's name: name words (capitalised, an initial `D.`, a particle
/// of `particles` before a capitalised word, or words of a script without case), at most
/// five. After an explicit separator (`Name: john smith`) lower-case words
/// that are not common words count too.
pub(super) fn person_end(
    text: &[u8],
    vs: usize,
    limit: usize,
    explicit: bool,
    names: &Names,
    particles: &[String],
) -> Option<usize> {
    let mut j = vs;
    let mut end = vs;
    let mut words = 0;
    let mut uncommon = false;
    while j < limit && words < 5 {
        let c = char_at(text, j)?;
        if unspaced(c) {
            // CJK and Hangul names: a short run of the same script.
            let e = unspaced_name_end(text, j, limit);
            return (e > j).then_some(e);
        }
        if !c.is_alphabetic() {
            break;
        }
        let we = name_word_end(text, j, limit);
        let word = &text[j..we];
        let upper = c.is_uppercase();
        let initial = upper && we - j <= 2 && text.get(we) == Some(&b'.');
        let particle = !upper
            && std::str::from_utf8(word).is_ok_and(|w| particles.iter().any(|p| p == w))
            && words > 0;
        let common = names.is_common_word(word);
        let lower_ok = explicit && !c.is_uppercase() && !common && word.len() >= 2;
        if !(upper || particle || lower_ok || (!c.is_lowercase() && !c.is_uppercase())) {
            break;
        }
        // All-caps runs of labels (`PID`, `DOB`) are not names after an
        // implicit label; after `NAME:` a `WOOD MELISSA` is.
        words += 1;
        uncommon |= !common && !particle;
        let mut k = we;
        if initial {
            k += 1;
        }
        if !particle {
            end = k;
        }
        // One space (or a comma in `Smith, John`) between name words.
        if text.get(k) == Some(&b' ') {
            j = k + 1;
        } else {
            break;
        }
    }
    if end == vs || (!explicit && !uncommon) {
        return None;
    }
    // `Name: Moresco, Guido` — the given name after a comma, when the
    // field ends there (a line end, the next label, the text's end).
    if explicit && text[end..].starts_with(b", ") {
        let k = end + 2;
        if char_at(text, k).is_some_and(char::is_uppercase) {
            let mut e = name_word_end(text, k, limit);
            if text.get(e) == Some(&b' ') && char_at(text, e + 1).is_some_and(char::is_uppercase) {
                e = name_word_end(text, e + 1, limit);
            }
            let rest = skip_blank(text, e, limit);
            let field_ends = rest >= limit
                || matches!(text.get(rest), Some(b'\n' | b'\r' | b'|' | b';' | b'\t'))
                || rest >= text.len();
            if field_ends && e > k {
                return Some(e);
            }
        }
    }
    Some(end)
}

fn name_word_end(text: &[u8], mut j: usize, limit: usize) -> usize {
    while j < limit {
        match char_at(text, j) {
            Some(c) if c.is_alphabetic() && !unspaced(c) => j += c.len_utf8(),
            Some('\'' | '\u{2019}' | '-')
                if char_at(text, j + 1).is_some_and(|n| n.is_alphabetic()) =>
            {
                j += char_at(text, j).map_or(1, char::len_utf8);
            }
            _ => break,
        }
    }
    j
}

/// A name in a script without spaces: up to four Han or kana characters,
/// three Hangul syllables (a surname and a given name; what follows is a
/// particle or an ending: `입니다`, `です`), and a space-separated second
/// part (`山田 太郎`).
fn unspaced_name_end(text: &[u8], vs: usize, limit: usize) -> usize {
    let mut j = vs;
    let mut n = 0;
    let mut hangul = false;
    let mut parts = 0;
    while j < limit {
        let Some(c) = char_at(text, j) else { break };
        let is_hangul = ('\u{AC00}'..='\u{D7AF}').contains(&c);
        let is_han = ('\u{3400}'..='\u{9FFF}').contains(&c);
        let is_katakana = ('\u{30A0}'..='\u{30FF}').contains(&c);
        // Pronouns and particles end a name (`谢谢您联系…`).
        if "您你我他她的了是在和也都请把就这那".contains(c) {
            break;
        }
        if !(is_hangul || is_han || is_katakana) {
            if c == ' ' && parts == 0 && n > 0 && char_at(text, j + 1).is_some_and(unspaced) {
                parts += 1;
                n = 0;
                j += 1;
                continue;
            }
            break;
        }
        hangul |= is_hangul;
        n += 1;
        if (hangul && n > 3) || n > 4 {
            break;
        }
        j += c.len_utf8();
    }
    // Back off a dangling space.
    while j > vs && text[j - 1] == b' ' {
        j -= 1;
    }
    j
}

/// An address: after an explicit separator, the rest of the field (to a
/// line end, a tab, `|`, `;`, a sentence end or the next label); after an
/// implicit one (`lives at`), a run of capitalised words, numbers and
/// short joining words.
pub(super) fn place_end(
    text: &[u8],
    vs: usize,
    limit: usize,
    explicit: bool,
    names: &Names,
    streets: &[String],
) -> Option<usize> {
    let cap = limit.min(vs + if explicit { 160 } else { 100 });
    let mut j = vs;
    let mut end = vs;
    let mut word_start = true;
    let mut last_word = vs;
    let mut cjk = false;
    while j < cap {
        let b = text[j];
        // A colon starts another field or a speaker's turn.
        if matches!(
            b,
            b'\n' | b'\r' | b'\t' | b'|' | b';' | b'!' | b'?' | b'"' | b':'
        ) || ["。", "！", "？", "；", "："]
            .iter()
            .any(|p| text[j..].starts_with(p.as_bytes()))
        {
            break;
        }
        // In CJK text a space after a number ends the address (`…385号，
        // 邮编926421 我的订单…`), unless all so far is a postcode
        // (`〒620-2777 山梨県…`).
        if b == b' ' && cjk && j > vs && text[j - 1].is_ascii_digit() {
            break;
        }
        if b >= 0x80 && char_at(text, j).is_some_and(unspaced) {
            cjk = true;
        }
        if b == b'.' && text.get(j + 1).is_none_or(|n| *n == b' ' || *n == b'\n') {
            // `St.`, `Apt.`, `ul.`, `д.` are abbreviations, not a sentence end.
            let word = std::str::from_utf8(&text[last_word..j]).map_or(99, |w| w.chars().count());
            if word > 4 {
                break;
            }
        }
        if word_start && b != b' ' && b != b',' {
            last_word = j;
            // A lower-case common word of five letters or more is prose,
            // not an address (`…, 57369 Roubaix pour le ticket…`).
            let street = street_word(text, j, streets);
            if text[j].is_ascii_lowercase() && !street {
                let we = j + text[j..]
                    .iter()
                    .take_while(|b| b.is_ascii_alphabetic())
                    .count();
                if we - j >= 5 && names.is_common_word(&text[j..we]) {
                    break;
                }
            }
            if !explicit && !street {
                let c = char_at(text, j)?;
                let ok = c.is_uppercase()
                    || c.is_ascii_digit()
                    || unspaced(c)
                    || (c.is_lowercase() && short_joiner(text, j));
                if !ok {
                    break;
                }
            }
        }
        word_start = matches!(b, b' ' | b',');
        if !matches!(b, b' ' | b',' | b'.') {
            end = j + char_at(text, j).map_or(1, char::len_utf8);
        }
        j += if b < 0x80 {
            1
        } else {
            char_at(text, j).map_or(1, char::len_utf8)
        };
    }
    let v = &text[vs..end];
    let has_content = v.iter().any(|b| b.is_ascii_alphanumeric() || *b >= 0x80);
    // After an implicit label (`address I.` in prose) a place has a number,
    // two words or another script.
    let placelike = explicit
        || v.iter().any(u8::is_ascii_digit)
        || v.contains(&b' ')
        || v.iter().any(|&b| b >= 0x80);
    (has_content && placelike && end > vs).then_some(end)
}

/// Whether a street-type word (`chemin`, `ul.`, `пр.`) starts at `j`.
fn street_word(text: &[u8], j: usize, streets: &[String]) -> bool {
    let mut e = j;
    while let Some(c) = char_at(text, e).filter(|c| c.is_alphabetic()) {
        e += c.len_utf8();
    }
    if text.get(e) == Some(&b'.') {
        e += 1;
    }
    std::str::from_utf8(&text[j..e]).is_ok_and(|w| {
        let w = w.to_lowercase();
        streets.contains(&w)
    })
}

/// A lower-case word of at most four letters followed by more address
/// (`rue`, `via`, `de`, `la`, `am`).
fn short_joiner(text: &[u8], j: usize) -> bool {
    let mut e = j;
    let mut n = 0;
    while let Some(c) = char_at(text, e).filter(|c| c.is_lowercase()) {
        e += c.len_utf8();
        n += 1;
    }
    if text.get(e) == Some(&b'.') {
        e += 1;
    }
    // Street words in lower case: `ulica Prosta`, `rue de la Paix`, `calle`.
    n > 0 && n <= 6 && text.get(e) == Some(&b' ')
}
