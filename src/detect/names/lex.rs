//! Lexing byte text for the name and place finders: where a candidate
//! word may start (a vectorised pass over 64-byte blocks), word and token
//! ends, case shapes, code-like surroundings, and the words before a
//! position. Never allocates, never panics on invalid UTF-8.

/// Calls `visit(p)` for every position `p` that starts a word (the previous
/// character is no letter, digit or `_`) with an ASCII capital followed by a
/// lower-case letter, a dot or a non-ASCII byte (`John`, `M.`, `Zoë`; not
/// `ERROR` nor `I`), a lead byte of a Latin-1 / Latin Extended-A letter, or
/// (when `DIGITS`) an ASCII digit after a space, a line break or an opening
/// mark. `visit` returns the position to resume from, so a span it consumed
/// is not visited again.
pub(super) fn scan_starts<const DIGITS: bool>(text: &[u8], mut visit: impl FnMut(usize) -> usize) {
    let mut next = 0usize;
    let mut base = 0usize;
    let mut pad: [u8; 64];
    let mut dense = false;
    while base < text.len() {
        let end = (base + 64).min(text.len());
        let block: &[u8; 64] = match text[base..end].try_into() {
            Ok(block) => block,
            Err(_) => {
                pad = [0u8; 64];
                pad[..end - base].copy_from_slice(&text[base..end]);
                &pad
            }
        };
        // Prose has a capital every 50 bytes or so; logs and tables are
        // dense with capitals and digits (`INFO`, `2024-05-01T12:00`). In
        // dense text the neighbours are checked vectorised too, which costs
        // more per block but spares most of the scalar checks. Whether the
        // text is dense is sampled every 8th block.
        let mut mask = match neighbour_mask::<DIGITS>(text, base) {
            Some(filtered) if dense && base % 512 != 0 => filtered(),
            Some(filtered) => {
                let raw = start_mask::<DIGITS>(block);
                dense = raw.count_ones() > 6;
                if dense {
                    raw & filtered()
                } else {
                    raw
                }
            }
            // The first and last blocks.
            None => start_mask::<DIGITS>(block),
        };
        while mask != 0 {
            let p = base + mask.trailing_zeros() as usize;
            mask &= mask - 1;
            if p < next || p >= text.len() {
                continue;
            }
            let b = text[p];
            let ok = if b.is_ascii_uppercase() {
                let after = text.get(p + 1).copied().unwrap_or(0);
                after.is_ascii_lowercase() || after == b'.' || after >= 0x80
            } else if b.is_ascii_digit() {
                let prev = if p == 0 { b' ' } else { text[p - 1] };
                matches!(
                    prev,
                    b' ' | b'\t' | b'\n' | b'\r' | b'(' | b'"' | b'\'' | b',' | b';' | b'>'
                )
            } else {
                true
            };
            if ok && boundary_before(text, p) {
                next = visit(p).max(p + 1);
            }
        }
        base = end;
    }
}

/// For a 64-byte block, bit `i` is set when byte `i` is an ASCII capital,
/// a lead byte 0xC3..=0xC5 (Latin-1 and Latin Extended-A letters) or, when
/// `DIGITS`, an ASCII digit. The per-byte test is written lane by lane so
/// the compiler vectorises it.
fn start_mask<const DIGITS: bool>(block: &[u8; 64]) -> u64 {
    let mut lanes = [0u8; 64];
    for (lane, &b) in lanes.iter_mut().zip(block.iter()) {
        let hit = (b.wrapping_sub(b'A') < 26)
            | (b.wrapping_sub(0xC3) < 3)
            | (DIGITS & (b.wrapping_sub(b'0') < 10));
        *lane = if hit { 0x80 } else { 0 };
    }
    pack_lanes(&lanes)
}

/// For the 64-byte block at `base` (not the first nor the last), a
/// computation of the mask of [`start_mask`] with the neighbours of each
/// byte checked too: a capital or lead byte after an ASCII word byte, a
/// capital before anything but a lower-case letter, a dot or a non-ASCII
/// byte, a digit after anything but a space or an opening mark are left
/// out. Set bits still get the scalar checks.
fn neighbour_mask<const DIGITS: bool>(text: &[u8], base: usize) -> Option<impl Fn() -> u64 + '_> {
    let inner = base
        .checked_sub(1)
        .and_then(|b| text.get(b..b + 66))
        .and_then(|w| {
            Some((
                <&[u8; 64]>::try_from(&w[..64]).ok()?,
                <&[u8; 64]>::try_from(&w[1..65]).ok()?,
                <&[u8; 64]>::try_from(&w[2..66]).ok()?,
            ))
        });
    let (prev, cur, after) = inner?;
    Some(move || {
        let mut lanes = [0u8; 64];
        for (i, lane) in lanes.iter_mut().enumerate() {
            let (p, b, n) = (prev[i], cur[i], after[i]);
            let p_word =
                (p.wrapping_sub(b'0') < 10) | ((p | 0x20).wrapping_sub(b'a') < 26) | (p == b'_');
            let upper = (b.wrapping_sub(b'A') < 26)
                & ((n.wrapping_sub(b'a') < 26) | (n == b'.') | (n >= 0x80));
            let lead = b.wrapping_sub(0xC3) < 3;
            let p_space = (p == b' ')
                | (p == b'\n')
                | (p == b'\t')
                | (p == b'\r')
                | (p == b'(')
                | (p == b'"')
                | (p == b'\'')
                | (p == b',')
                | (p == b';')
                | (p == b'>');
            let digit = DIGITS & (b.wrapping_sub(b'0') < 10) & p_space;
            *lane = if ((upper | lead) & !p_word) | digit {
                0x80
            } else {
                0
            };
        }
        pack_lanes(&lanes)
    })
}

/// Gathers the high bit of each of the 64 lanes into a mask.
fn pack_lanes(lanes: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (k, chunk) in lanes.chunks_exact(8).enumerate() {
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        let flags = u64::from_le_bytes(le);
        mask |= (((flags >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56) << (k * 8);
    }
    mask
}

/// Decodes the UTF-8 character at `i`; `None` for invalid bytes.
pub(super) fn char_at(text: &[u8], i: usize) -> Option<(char, usize)> {
    let b0 = *text.get(i)?;
    if b0 < 0x80 {
        return Some((b0 as char, 1));
    }
    let len = match b0 {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => return None,
    };
    let bytes = text.get(i..i + len)?;
    let s = std::str::from_utf8(bytes).ok()?;
    s.chars().next().map(|c| (c, len))
}

/// Decodes the UTF-8 character that ends just before `i`.
fn char_before(text: &[u8], i: usize) -> Option<(char, usize)> {
    if i == 0 || i > text.len() {
        return None;
    }
    let b = text[i - 1];
    if b < 0x80 {
        return Some((b as char, 1));
    }
    let mut start = i - 1;
    while start > 0 && i - start < 4 && text[start] & 0xC0 == 0x80 {
        start -= 1;
    }
    match char_at(text, start) {
        Some((c, len)) if start + len == i => Some((c, len)),
        _ => None,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// No word character ends just before `i`.
pub(super) fn boundary_before(text: &[u8], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let b = text[i - 1];
    if b < 0x80 {
        return !(b.is_ascii_alphanumeric() || b == b'_');
    }
    !matches!(char_before(text, i), Some((c, _)) if is_word_char(c))
}

/// No word character starts at `i`.
pub(super) fn boundary_at(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        None => true,
        Some(&b) if b < 0x80 => !(b.is_ascii_alphanumeric() || b == b'_'),
        Some(_) => !matches!(char_at(text, i), Some((c, _)) if is_word_char(c)),
    }
}

/// A letter or digit starts at `i`.
pub(super) fn is_word_byte_start(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        Some(&b) if b < 0x80 => b.is_ascii_alphanumeric(),
        Some(_) => matches!(char_at(text, i), Some((c, _)) if c.is_alphanumeric()),
        None => false,
    }
}

/// An upper-case letter starts at `i`.
pub(super) fn is_upper_at(text: &[u8], i: usize) -> bool {
    match text.get(i) {
        Some(&b) if b < 0x80 => b.is_ascii_uppercase(),
        Some(_) => matches!(char_at(text, i), Some((c, _)) if c.is_uppercase()),
        None => false,
    }
}

/// End of the run of word characters starting at `i`.
pub(super) fn word_end(text: &[u8], mut i: usize) -> usize {
    // 8 bytes at a time while they are ASCII word bytes.
    while let Some(chunk) = text.get(i..i + 8) {
        let mut le = [0u8; 8];
        le.copy_from_slice(chunk);
        let run = ascii_word_run(u64::from_le_bytes(le));
        i += run;
        if run < 8 {
            if text[i] < 0x80 {
                return i;
            }
            break;
        }
    }
    while i < text.len() {
        let b = text[i];
        if WORD_BYTE[usize::from(b)] {
            i += 1;
            continue;
        }
        if b < 0x80 {
            break;
        }
        match char_at(text, i) {
            Some((c, len)) if is_word_char(c) => i += len,
            _ => break,
        }
    }
    i
}

/// How many leading bytes of the little-endian `x` are ASCII letters,
/// digits or `_` (SWAR).
fn ascii_word_run(x: u64) -> usize {
    const H: u64 = 0x8080_8080_8080_8080;
    const L: u64 = 0x0101_0101_0101_0101;
    // High bit set when `byte & 0x7f` is in `lo..=hi`; `x7` has every high
    // bit set, so no byte borrows from its neighbour.
    fn in_range(x7: u64, lo: u8, hi: u8) -> u64 {
        x7.wrapping_sub(L * u64::from(lo)) & !x7.wrapping_sub(L * (u64::from(hi) + 1)) & H
    }
    let x7 = x | H;
    let word = (in_range(x7, b'0', b'9')
        | in_range(x7 | 0x2020_2020_2020_2020, b'a', b'z')
        | in_range(x7, b'_', b'_'))
        & !x;
    // Bytes that are not word bytes have a clear high bit in `word`.
    ((!word & H).trailing_zeros() / 8) as usize
}

/// ASCII letters, digits and `_`.
static WORD_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        t[b] = (b as u8).is_ascii_alphanumeric() || b == b'_' as usize;
        b += 1;
    }
    t
};

/// End of a name token starting at `i`: a word, continued across `'`, `’`
/// or `-` when a capital follows (`O'Brien`, `Smith-Jones`, `Jean-Luc`).
pub(super) fn token_end(text: &[u8], i: usize) -> usize {
    let mut e = word_end(text, i);
    loop {
        let joiner = match text.get(e) {
            Some(b'\'') | Some(b'-') => 1,
            Some(0xE2) if text.get(e..e + 3) == Some("\u{2019}".as_bytes()) => 3,
            _ => 0,
        };
        if joiner == 0 || !is_upper_at(text, e + joiner) {
            return e;
        }
        let next = word_end(text, e + joiner);
        if next == e + joiner {
            return e;
        }
        e = next;
    }
}

/// Shape of a capitalised token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Case {
    /// `John`, `McDonald`, `Élodie`.
    Title,
    /// `JOHN`, `USA` (two or more letters, none lower-case).
    Upper,
    /// A single capital letter: `J`.
    Initial,
    /// Anything else: `john`, `3rd`.
    Other,
}

pub(super) fn case_of(text: &[u8], start: usize, end: usize) -> Case {
    if !is_upper_at(text, start) {
        return Case::Other;
    }
    let first_len = char_at(text, start).map_or(1, |(_, l)| l);
    let mut i = start + first_len;
    let mut letters = 1;
    let mut has_lower = false;
    while i < end {
        let b = text[i];
        if b < 0x80 {
            if b.is_ascii_lowercase() {
                has_lower = true;
            }
            if b.is_ascii_alphabetic() {
                letters += 1;
            }
            i += 1;
        } else {
            match char_at(text, i) {
                Some((c, len)) => {
                    if c.is_lowercase() {
                        has_lower = true;
                    }
                    if c.is_alphabetic() {
                        letters += 1;
                    }
                    i += len;
                }
                None => i += 1,
            }
        }
    }
    if has_lower {
        Case::Title
    } else if letters == 1 {
        Case::Initial
    } else {
        Case::Upper
    }
}

/// Whether the word at `[start, end)` is glued to code: `com.foo.Bar`,
/// `/users/John`, `@John`, `Bar(`, `John.smith`, `$Name`.
pub(super) fn glued_to_code(text: &[u8], start: usize, end: usize) -> bool {
    if start > 0 {
        let b = text[start - 1];
        match b {
            b'/' | b'\\' | b'@' | b'#' | b'$' | b'%' | b'&' | b'+' | b'~' | b'`' | b'^' | b'|' => {
                return true;
            }
            // `*John*` (markdown) is text; `a*B` is code.
            b'*' if start >= 2 && text[start - 2].is_ascii_alphanumeric() => return true,
            b'.' | b'-' | b':' => {
                if start >= 2 && text[start - 2].is_ascii_alphanumeric() && b != b':' {
                    return true;
                }
                if b == b':' && start >= 2 && text[start - 2] == b':' {
                    return true; // Foo::Bar
                }
            }
            _ => {}
        }
    }
    match text.get(end) {
        Some(b'(') | Some(b'@') | Some(b'/') | Some(b'\\') | Some(b'[') | Some(b'<')
        | Some(b'{') => true,
        Some(b'.') | Some(b':') => {
            // `Bar.baz`, `Foo::Bar` (but `Smith.` and `Name: x` are text).
            matches!(text.get(end + 1), Some(c) if c.is_ascii_alphanumeric() || *c == b':' || *c == b'_')
        }
        Some(b'=') => matches!(text.get(end + 1), Some(b'=')),
        _ => false,
    }
}

/// Skips spaces and tabs (not newlines) backwards from `i`.
pub(super) fn skip_space_back(text: &[u8], mut i: usize) -> usize {
    let mut n = 0;
    while i > 0 && (text[i - 1] == b' ' || text[i - 1] == b'\t') && n < 8 {
        i -= 1;
        n += 1;
    }
    // A non-breaking space.
    if i >= 2 && text[i - 2] == 0xC2 && text[i - 1] == 0xA0 {
        i -= 2;
    }
    i
}

/// Skips spaces and tabs (not newlines) forwards from `i`; at most `max`.
pub(super) fn skip_space(text: &[u8], mut i: usize, max: usize) -> usize {
    let mut n = 0;
    while n < max && matches!(text.get(i), Some(b' ') | Some(b'\t')) {
        i += 1;
        n += 1;
    }
    i
}

/// Whether the word at `start` opens a sentence or a line.
pub(super) fn sentence_start(text: &[u8], start: usize) -> bool {
    let mut i = start;
    for _ in 0..8 {
        i = skip_space_back(text, i);
        if i == 0 {
            return true;
        }
        let b = text[i - 1];
        match b {
            b'.' | b'!' | b'?' | b'\n' | b'\r' | b':' | b'>' | b';' => return true,
            b'"' | b'\'' | b'(' | b'[' | b'*' | b'-' | b'_' | b'#' => i -= 1,
            _ if b >= 0x80 => match char_before(text, i) {
                Some((c, len)) if !c.is_alphanumeric() => i -= len,
                _ => return false,
            },
            _ => return false,
        }
    }
    false
}

/// The word (letters, digits, `_`, `'`, `-`) ending at `end`, lower-cased
/// into `buf` with `_` and `-` dropped; returns the normalised length and the
/// word's start. `None` when no word ends there or it is too long.
pub(super) fn word_before(text: &[u8], end: usize, buf: &mut [u8; 24]) -> Option<(usize, usize)> {
    let mut start = end;
    while start > 0 {
        let b = text[start - 1];
        if b.is_ascii_alphanumeric() || b == b'_' || b == b'\'' || b == b'-' {
            start -= 1;
        } else if start >= 3 && &text[start - 3..start] == "\u{2019}".as_bytes() {
            start -= 3;
        } else {
            break;
        }
        if end - start > 40 {
            return None;
        }
    }
    if start == end {
        return None;
    }
    let mut n = 0;
    let mut i = start;
    while i < end {
        let b = text[i];
        if b == 0xE2 {
            // `’` -> `'`
            if n < buf.len() {
                buf[n] = b'\'';
                n += 1;
            }
            i += 3;
            continue;
        }
        if b != b'_' && b != b'-' {
            if n == buf.len() {
                return None;
            }
            buf[n] = b.to_ascii_lowercase();
            n += 1;
        }
        i += 1;
    }
    Some((n, start))
}

/// The label word before the `:` or `=` at `colon`, past spaces and a
/// closing quote (`"name": `), as [`word_before`] gives it.
pub(super) fn label_before(
    text: &[u8],
    colon: usize,
    buf: &mut [u8; 24],
) -> Option<(usize, usize)> {
    let j = skip_space_back(text, colon);
    let j = if j > 0 && (text[j - 1] == b'"' || text[j - 1] == b'\'') {
        j - 1
    } else {
        j
    };
    word_before(text, j, buf)
}

/// Like [`word_before`] after skipping spaces back from `i`.
pub(super) fn prev_word(text: &[u8], i: usize, buf: &mut [u8; 24]) -> Option<(usize, usize)> {
    word_before(text, skip_space_back(text, i), buf)
}

/// Strength of the words before a candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Ctx {
    None,
    /// "in", "at", "from" before a place; "Hi", "I'm", "my wife" before a name.
    Weak,
    /// "lives in", "city:" before a place; "my name is", "Dear", "name:",
    /// a signature line before a name.
    Strong,
}
