//! Reading characters out of byte text that may not be valid UTF-8, for
//! the record rules that look at scripts and case (`labels`, `people`,
//! `cjk_address`): never panics, never allocates.

/// The character starting at byte `i`, if a valid one does.
pub fn char_at(text: &[u8], i: usize) -> Option<char> {
    let s = text.get(i..text.len().min(i + 4))?;
    match std::str::from_utf8(s) {
        Ok(s) => s.chars().next(),
        Err(e) => std::str::from_utf8(&s[..e.valid_up_to()])
            .ok()
            .and_then(|s| s.chars().next()),
    }
}

/// The character ending right before byte `i`.
pub fn char_before(text: &[u8], i: usize) -> Option<char> {
    if i == 0 || i > text.len() {
        return None;
    }
    let mut k = i - 1;
    while k > 0 && (0x80..0xC0).contains(&text[k]) {
        k -= 1;
    }
    char_at(text, k)
}

/// Han ideographs.
pub fn han(c: char) -> bool {
    ('\u{3400}'..='\u{9FFF}').contains(&c)
}

/// Hangul syllables.
pub fn hangul(c: char) -> bool {
    ('\u{AC00}'..='\u{D7AF}').contains(&c)
}

/// Hiragana and katakana.
pub fn kana(c: char) -> bool {
    ('\u{3040}'..='\u{30FF}').contains(&c)
}

/// Chinese, Japanese and Korean: scripts written without spaces between
/// words, where one character can be a whole name part.
pub fn cjk(c: char) -> bool {
    han(c) || kana(c) || hangul(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_around_broken_bytes() {
        let t = "aé日".as_bytes();
        assert_eq!(char_at(t, 1), Some('é'));
        assert_eq!(char_before(t, t.len()), Some('日'));
        assert_eq!(char_at(b"\xff", 0), None);
        assert_eq!(char_at(t, 99), None);
        assert_eq!(char_before(t, 0), None);
    }
}
