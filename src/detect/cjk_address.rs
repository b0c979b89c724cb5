//! Street addresses written in Chinese, Japanese and Korean, where no
//! space separates the words and no label may precede them:
//! `福建省台北县萧山区邯郸街n座`, `〒389-5645 京都府神津島村南赤田39丁目1番3号`,
//! `충청남도 논산시 백제고분 500 (16630)`.
//!
//! An address is a run of Han or Hangul characters, digits, hyphens and
//! single spaces that holds at least two administrative markers (省, 市,
//! 区, 県, 丁目, 号, 시, 구, 로...) and a number. Korean markers end a word;
//! the run starts at the first word that carries one.

use super::chars::{char_at, han, hangul};

const MARKERS: &[&str] = &[
    "省", "市", "区", "县", "镇", "乡", "村", "路", "街", "巷", "号", "楼", "室", "座", "都", "道",
    "府", "県", "郡", "町", "丁目", "番地", "番", "區",
];
const HANGUL_MARKERS: &[char] = &['도', '시', '군', '구', '읍', '면', '동', '로', '길', '리'];

/// Appends `(start, end)` of every CJK or Hangul address in `text`.
pub fn find(text: &[u8], out: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < text.len() {
        let Some(c) = char_at(text, i) else {
            i += 1;
            continue;
        };
        if !(han(c) || hangul(c) || c == '〒') {
            i += c.len_utf8();
            continue;
        }
        let end = run_end(text, i);
        if let Some((s, e)) = address_in(text, i, end) {
            out.push((s, e));
        }
        i = end.max(i + c.len_utf8());
    }
}

/// The end of the run of address characters starting at `i`.
fn run_end(text: &[u8], i: usize) -> usize {
    let mut j = i;
    while let Some(c) = char_at(text, j) {
        let ok = han(c)
            || hangul(c)
            || c.is_ascii_digit()
            || c == '-'
            || c == '〒'
            || c == '，'
            || (c == ' ' && char_at(text, j + 1).is_some_and(|n| n != ' '));
        // A letter glued into a Chinese address (`丁街Z座`).
        let latin_in = c.is_ascii_alphabetic() && j > i && char_at(text, j + 1).is_some_and(han);
        if !(ok || latin_in) {
            break;
        }
        j += c.len_utf8();
    }
    // A Korean postcode in brackets after the address: ` (16630)`.
    let rest = &text[j..];
    if rest.starts_with(b" (") || rest.starts_with(b"(") {
        let k = j + if rest[0] == b' ' { 2 } else { 1 };
        let d = text[k..].iter().take_while(|b| b.is_ascii_digit()).count();
        if d == 5 && text.get(k + d) == Some(&b')') {
            j = k + d + 1;
        }
    }
    while j > i && matches!(text[j - 1], b' ' | b'-') {
        j -= 1;
    }
    if text[..j].ends_with("，".as_bytes()) {
        j -= "，".len();
    }
    j
}

/// The address within the run `text[s..e]`, if it is one.
fn address_in(text: &[u8], s: usize, e: usize) -> Option<(usize, usize)> {
    let run = std::str::from_utf8(&text[s..e]).ok()?;
    if !run.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let markers = MARKERS.iter().filter(|m| run.contains(*m)).count();
    // Korean: words ending in a marker; the address starts at the first.
    let mut first_marked = None;
    let mut hangul_marked = 0;
    let mut pos = 0;
    for word in run.split(' ') {
        if word
            .chars()
            .last()
            .is_some_and(|c| HANGUL_MARKERS.contains(&c))
            && word.chars().count() >= 2
            && word.chars().all(hangul)
        {
            hangul_marked += 1;
            first_marked.get_or_insert(pos);
        }
        pos += word.len() + 1;
    }
    if hangul_marked >= 2 {
        return Some((s + first_marked.unwrap_or(0), e));
    }
    (markers >= 2).then_some((s, e))
}

#[cfg(test)]
mod tests {
    fn run(t: &str) -> Vec<&str> {
        let mut out = Vec::new();
        super::find(t.as_bytes(), &mut out);
        out.iter().map(|&(s, e)| &t[s..e]).collect()
    }

    #[test]
    fn addresses_in_three_scripts() {
        assert_eq!(
            run("注文ORD-1が〒389-5645 京都府神津島村南赤田39丁目1番3号に届いていません"),
            ["〒389-5645 京都府神津島村南赤田39丁目1番3号"]
        );
        assert_eq!(
            run("주문이 아직 충청남도 논산시 백제고분 500 (16630)에 도착하지"),
            ["충청남도 논산시 백제고분 500 (16630)"]
        );
        assert_eq!(
            run("一直没有送到福建省台北县萧山区邯郸街n座，邮编567723。"),
            ["一直没有送到福建省台北县萧山区邯郸街n座，邮编567723"]
        );
        assert!(run("我在2020年去了北京").is_empty());
    }
}
