//! Two places where a word is a name because of where it stands, not
//! because a dictionary knows it: a list of names (`Kónya, Becker and
//! Vasquez`) and a speaker label in a dialogue (`Anna: hi, my card…`).
//!
//! * A list is two or more items of one to three capitalised words, joined
//!   by commas and ended by a conjunction (`and`, `und`, `et`, `и`...,
//!   `patterns/dict/labels.txt`). It is a list of names when at least two
//!   of its words are known given names or surnames, more than are places,
//!   and none is a common word: then every item is a name, known or not.
//! * A speaker label is one or two capitalised words and a colon at the
//!   start of a turn (the text's start, a line start, or after a sentence
//!   end). A text with two turns or more is a dialogue; there every speaker
//!   that is not a role (`Agent`, `Kunde`) nor a common word is a person.

use std::sync::OnceLock;

use memchr::memmem;

use super::chars::{char_at, han, hangul};
use super::labels::Labels;
use super::names::Names;

/// Score of a name found by its place in a list or a dialogue.
pub const SCORE: f32 = 0.85;

/// A capitalised word: its span.
fn cap_word(text: &[u8], i: usize) -> Option<usize> {
    let c = char_at(text, i)?;
    if !c.is_uppercase() {
        return None;
    }
    let mut j = i + c.len_utf8();
    let mut lower = false;
    while let Some(c) = char_at(text, j) {
        if c.is_alphabetic() {
            lower |= c.is_lowercase();
            j += c.len_utf8();
        } else if (c == '-' || c == '\'' || c == '\u{2019}')
            && char_at(text, j + c.len_utf8()).is_some_and(char::is_alphabetic)
        {
            j += c.len_utf8();
        } else {
            break;
        }
    }
    // `USA`, `PDF` are acronyms; a name has lower-case letters.
    (lower || j - i <= 2).then_some(j)
}

fn boundary_before(text: &[u8], i: usize) -> bool {
    i == 0 || {
        let p = text[i - 1];
        !(p.is_ascii_alphanumeric() || p >= 0x80 || p == b'_' || p == b'@' || p == b'.')
    }
}

/// Lower-case particles inside a name (`Da Costa`, `de Siqueira`, `van Dijk`).
const PARTICLES: &[&str] = &[
    "de", "da", "do", "dos", "das", "di", "del", "della", "van", "von", "der", "den", "du", "la",
    "le", "ter", "ten",
];

/// A particle and a space at `j`: the position after them.
fn particle_at(text: &[u8], j: usize) -> Option<usize> {
    PARTICLES.iter().find_map(|p| {
        let e = j + p.len();
        (text.get(j..e) == Some(p.as_bytes()) && text.get(e) == Some(&b' ')).then_some(e + 1)
    })
}

/// An item of a list: one to three capitalised words, with particles
/// (`de Siqueira`, `Loes van Dijk`).
fn item(text: &[u8], i: usize) -> Option<(usize, Vec<(usize, usize)>)> {
    let mut words = Vec::new();
    let mut j = i;
    while words.len() < 3 {
        let start = j;
        let j2 = particle_at(text, j).unwrap_or(j);
        let e = cap_word(text, j2)?;
        words.push((start, e));
        if text.get(e) == Some(&b' ') && words.len() < 3 {
            // A following capitalised word (or particle and word) joins
            // the item unless a conjunction or comma comes first.
            let next = particle_at(text, e + 1).unwrap_or(e + 1);
            if cap_word(text, next).is_some() {
                j = e + 1;
                continue;
            }
        }
        return Some((e, words));
    }
    let end = words.last().map_or(i, |w| w.1);
    Some((end, words))
}

/// Appends `(start, end)` of every name of every list of names in `text`.
pub fn lists(text: &[u8], labels: &Labels, names: &Names, out: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i < text.len() {
        // Only an ASCII capital or a non-ASCII lead byte can start a name.
        let b = text[i];
        let may_start = b.is_ascii_uppercase() || b >= 0xC0;
        if !(may_start
            && boundary_before(text, i)
            && char_at(text, i).is_some_and(char::is_uppercase))
        {
            i += 1;
            continue;
        }
        let Some(end) = list_at(text, i, labels, names, out) else {
            i += char_at(text, i).map_or(1, char::len_utf8);
            continue;
        };
        i = end;
    }
}

fn list_at(
    text: &[u8],
    i: usize,
    labels: &Labels,
    names: &Names,
    out: &mut Vec<(usize, usize)>,
) -> Option<usize> {
    let mut items: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut j = i;
    let mut ended = false;
    loop {
        let (e, words) = item(text, j)?;
        items.push(words);
        if ended {
            j = e;
            break;
        }
        // `, ` then another item, or (`,`) ` and ` then the last one.
        let mut k = e;
        if text[k..].starts_with(b", ") {
            k += 2;
        } else if text.get(k) != Some(&b' ') {
            return None;
        } else {
            k += 1;
        }
        if let Some(c) = labels
            .conjunctions
            .iter()
            .find(|c| starts_with_word(text, k, c.as_bytes()))
        {
            k += c.len() + 1;
            ended = true;
        } else if k == e + 1 {
            // A bare space without a conjunction: not a list separator.
            return None;
        }
        if items.len() > 12 {
            return None;
        }
        j = k;
    }
    if items.len() < 2 {
        return None;
    }
    let words: Vec<&[u8]> = items.iter().flatten().map(|&(s, e)| &text[s..e]).collect();
    let known = words.iter().filter(|w| names.is_name_word(w)).count();
    let places = words.iter().filter(|w| names.is_place_word(w)).count();
    let common = words.iter().any(|w| names.is_common_word(w));
    // The dictionaries are Latin: a list in Cyrillic or Greek is judged
    // by its shape alone. Three Latin items need one known name.
    let unlisted_script = words.iter().all(|w| !w.is_ascii() && !latin(w));
    // Full names (two words or more each) are names by their shape.
    let full_names = items.iter().all(|it| it.len() >= 2);
    // Unknown surnames alone (`Righi e Savarino`) count mid-sentence, after a
    // lower-case word: a title-case heading (`Python and Django`) does not.
    let mid_sentence = prev_word_lower(text, i);
    let names_enough = known >= 2
        || (known >= 1 && items.len() >= 3)
        || unlisted_script
        || full_names
        || mid_sentence;
    if !names_enough || places >= known.max(1) || common {
        return None;
    }
    for it in &items {
        if let (Some(first), Some(last)) = (it.first(), it.last()) {
            out.push((first.0, last.1));
        }
    }
    Some(j)
}

/// Conjunctions between names in scripts without spaces.
const CJK_AND: &[&str] = &["和", "与", "及", "と", "및", "와", "과"];
/// Characters that end a name in CJK text (pronouns, particles, verbs of
/// the phrase around a list).
const CJK_STOPS: &str = "您你我他她的了是在和与及也都请把就这那、，。！？：；と も に は が を の や 도 을 를 은 는 이 가 에";

fn hiragana(c: char) -> bool {
    ('\u{3041}'..='\u{309F}').contains(&c)
}

/// Han, katakana or Hangul: what a CJK name is written in (hiragana only
/// in a given name after the family name).
fn cjk_name_char(c: char) -> bool {
    han(c) || hangul(c) || ('\u{30A0}'..='\u{30FF}').contains(&c)
}

/// A CJK or Hangul name item ending at `e` (exclusive), going backwards:
/// up to four characters, one inner space (`山田 桃子`).
fn cjk_item_before(text: &[u8], e: usize) -> Option<usize> {
    let mut s = e;
    let mut n = 0;
    let mut spaced = false;
    while s > 0 {
        let mut k = s - 1;
        while k > 0 && (0x80..0xC0).contains(&text[k]) {
            k -= 1;
        }
        let c = char_at(text, k)?;
        if c == ' ' && !spaced && n > 0 && k > 0 {
            // `山田 桃子`: a space between two name parts.
            let mut p = k - 1;
            while p > 0 && (0x80..0xC0).contains(&text[p]) {
                p -= 1;
            }
            if char_at(text, p).is_some_and(|c| cjk_name_char(c) && !CJK_STOPS.contains(c)) {
                spaced = true;
                s = k;
                continue;
            }
            break;
        }
        if !cjk_name_char(c) || CJK_STOPS.contains(c) || n >= 4 {
            break;
        }
        s = k;
        n += 1;
    }
    (s < e && n > 0).then_some(s)
}

/// The same forwards from `s`.
fn cjk_item_after(text: &[u8], s: usize) -> Option<usize> {
    let mut e = s;
    let mut n = 0;
    let mut spaced = false;
    while let Some(c) = char_at(text, e) {
        if c == ' ' && !spaced && n > 0 {
            let given = |c: char| cjk_name_char(c) || hiragana(c);
            if char_at(text, e + 1).is_some_and(|c| given(c) && !CJK_STOPS.contains(c)) {
                spaced = true;
                e += 1;
                continue;
            }
            break;
        }
        let hangul = ('\u{AC00}'..='\u{D7AF}').contains(&c);
        // A given name in hiragana after the family name (`西堀 みき`).
        let name_char = cjk_name_char(c) || (spaced && hiragana(c));
        if !name_char || CJK_STOPS.contains(c) || n >= 4 || (hangul && n >= 3) {
            break;
        }
        e += c.len_utf8();
        n += 1;
    }
    (e > s).then_some(e)
}

/// Appends the names of lists in CJK and Hangul text: `刘、唐和杨`,
/// `若林、佐藤と忍足`, `김민수 및 맥소인`.
pub fn cjk_lists(text: &[u8], out: &mut Vec<(usize, usize)>) {
    static FINDERS: OnceLock<Vec<memmem::Finder<'static>>> = OnceLock::new();
    let finders = FINDERS.get_or_init(|| CJK_AND.iter().map(memmem::Finder::new).collect());
    for (conj, finder) in CJK_AND.iter().zip(finders) {
        for at in finder.find_iter(text) {
            // Hangul conjunctions stand between spaces: ` 및 `.
            let (before, after) = if conj.chars().all(|c| ('\u{AC00}'..='\u{D7AF}').contains(&c)) {
                if at == 0 || text[at - 1] != b' ' || text.get(at + conj.len()) != Some(&b' ') {
                    continue;
                }
                (at - 1, at + conj.len() + 1)
            } else {
                (at, at + conj.len())
            };
            let (Some(ls), Some(re)) = (cjk_item_before(text, before), cjk_item_after(text, after))
            else {
                continue;
            };
            let mut items = vec![(ls, before), (after, re)];
            // Earlier items joined by `、` or `, `.
            let mut s = ls;
            loop {
                let sep = ["、", ", "]
                    .iter()
                    .find(|p| text[..s].ends_with(p.as_bytes()));
                let Some(sep) = sep else { break };
                let e = s - sep.len();
                let Some(ps) = cjk_item_before(text, e) else {
                    break;
                };
                items.push((ps, e));
                s = ps;
            }
            out.extend(items);
        }
    }
}

/// Whether the word's first letter is Latin (accented or not).
fn latin(w: &[u8]) -> bool {
    char_at(w, 0).is_some_and(|c| c.is_ascii_alphabetic() || ('\u{C0}'..='\u{24F}').contains(&c))
}

/// Honorifics written after a name in Japanese, Chinese and Korean.
const HONORIFICS: &[&str] = &[
    "様",
    "さま",
    "さん",
    "氏",
    "先生",
    "くん",
    "ちゃん",
    "님",
    "씨",
    "女士",
    "입니다",
];

/// Appends `(start, end)` of every name written before an honorific
/// (`木村様`, `인솔영님`, `王先生`): up to four Han or katakana characters,
/// or three Hangul syllables.
pub fn honorifics(text: &[u8], out: &mut Vec<(usize, usize)>) {
    static FINDERS: OnceLock<Vec<memmem::Finder<'static>>> = OnceLock::new();
    if text.is_ascii() {
        return;
    }
    let finders = FINDERS.get_or_init(|| HONORIFICS.iter().map(memmem::Finder::new).collect());
    for finder in finders {
        for at in finder.find_iter(text) {
            let mut s = at;
            let mut n = 0;
            let mut hangul = false;
            while s > 0 && n < 4 {
                let mut k = s - 1;
                while k > 0 && (0x80..0xC0).contains(&text[k]) {
                    k -= 1;
                }
                let Some(c) = char_at(text, k) else { break };
                let han = ('\u{3400}'..='\u{9FFF}').contains(&c)
                    || ('\u{30A0}'..='\u{30FF}').contains(&c);
                let hg = ('\u{AC00}'..='\u{D7AF}').contains(&c);
                if !(han || hg) || (hg && n >= 3) {
                    break;
                }
                hangul |= hg;
                s = k;
                n += 1;
            }
            if n >= 2 || (n == 1 && !hangul) {
                out.push((s, at));
            }
        }
    }
}

/// Whether the word before `i` (across one space) is a lower-case word.
fn prev_word_lower(text: &[u8], i: usize) -> bool {
    if i < 2 || text[i - 1] != b' ' {
        return false;
    }
    let mut k = i - 1;
    let mut last = None;
    while k > 0 {
        let mut p = k - 1;
        while p > 0 && (0x80..0xC0).contains(&text[p]) {
            p -= 1;
        }
        match char_at(text, p) {
            Some(c) if c.is_alphabetic() => {
                last = Some(c);
                k = p;
            }
            _ => break,
        }
    }
    last.is_some_and(char::is_lowercase)
}

/// Whether `word` (lower case) is at `k`, followed by a space.
fn starts_with_word(text: &[u8], k: usize, word: &[u8]) -> bool {
    let e = k + word.len();
    e < text.len()
        && text[e] == b' '
        && std::str::from_utf8(&text[k..e]).is_ok_and(|s| s.to_lowercase().as_bytes() == word)
}

/// Appends `(start, end)` of every speaker of a dialogue who is a person.
pub fn speakers(text: &[u8], labels: &Labels, names: &Names, out: &mut Vec<(usize, usize)>) {
    let mut turns: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let turn_start = i == 0 || text[i - 1] == b'\n' || after_sentence(text, i);
        if turn_start {
            if let Some(span) = speaker_at(text, i) {
                turns.push(span);
                i = span.1;
                continue;
            }
        }
        i += 1;
    }
    // A dialogue: a role speaks (`Agent:`), or someone speaks twice.
    // `Vitals: … Labs: …` in a note is neither.
    let is_role = |&(s, e): &(usize, usize)| {
        labels
            .roles
            .contains(&String::from_utf8_lossy(&text[s..e]).to_lowercase())
    };
    let repeated = turns.iter().enumerate().any(|(k, a)| {
        turns[k + 1..]
            .iter()
            .any(|b| text[a.0..a.1] == text[b.0..b.1])
    });
    if turns.len() < 2 || !(repeated || turns.iter().any(is_role)) {
        return;
    }
    for (s, e) in turns {
        let word = &text[s..e];
        let role = is_role(&(s, e));
        let common = std::str::from_utf8(word)
            .is_ok_and(|w| w.split(' ').any(|p| names.is_common_word(p.as_bytes())));
        if !role && !common {
            out.push((s, e));
        }
    }
}

/// Whether `i` follows a sentence end and a space (`… today? Anna: …`,
/// `…。 刘旭: …`, Greek's `;` question mark included).
fn after_sentence(text: &[u8], i: usize) -> bool {
    if i < 2 || text[i - 1] != b' ' {
        return false;
    }
    let before = &text[..i - 1];
    matches!(before.last(), Some(b'.' | b'!' | b'?' | b':' | b')' | b';'))
        || ["。", "！", "？", "；", "」"]
            .iter()
            .any(|p| before.ends_with(p.as_bytes()))
}

/// `Anna:` / `Anna Maria:` / `김민준:` at `i`, followed by a space.
fn speaker_at(text: &[u8], i: usize) -> Option<(usize, usize)> {
    let c = char_at(text, i)?;
    let mut e;
    if c.is_uppercase() {
        e = cap_word(text, i)?;
        if text.get(e) == Some(&b' ') {
            if let Some(e2) = cap_word(text, e + 1) {
                e = e2;
            }
        }
    } else if c.is_alphabetic() && !c.is_lowercase() {
        // A script without case: up to eight letters.
        e = i;
        while let Some(c) = char_at(text, e) {
            if !c.is_alphabetic() || e - i > 24 {
                break;
            }
            e += c.len_utf8();
        }
    } else {
        return None;
    }
    let colon = text[e..].starts_with(b": ") || text[e..].starts_with("：".as_bytes());
    (colon && e > i).then_some((i, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Rule = fn(&[u8], &Labels, &Names, &mut Vec<(usize, usize)>);

    fn run(text: &str, f: Rule) -> Vec<&str> {
        let labels = Labels::build().expect("labels");
        let names = Names::build().expect("names");
        let mut out = Vec::new();
        f(text.as_bytes(), &labels, &names, &mut out);
        out.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn names_in_lists() {
        assert_eq!(
            run("our 3 founders: Kónya, Becker and Vasquez.", lists),
            ["Kónya", "Becker", "Vasquez"]
        );
        assert_eq!(
            run("mit Anna Schmidt, Jonas Weber und Zofia Qwertz", lists),
            ["Anna Schmidt", "Jonas Weber", "Zofia Qwertz"]
        );
        assert!(run("Paris, London and Berlin", lists).is_empty());
        assert!(run("Red, Green and Blue", lists).is_empty());
        assert_eq!(
            run("добавьте Архипова, Хлумова и Копылов.", lists),
            ["Архипова", "Хлумова", "Копылов"]
        );
    }

    #[test]
    fn speakers_in_dialogues() {
        assert_eq!(
            run(
                "Agent: Hello! Ximena: hi, my order. Agent: sure. Ximena: thanks",
                speakers
            ),
            ["Ximena", "Ximena"]
        );
        assert!(run("Kafka: broker down", speakers).is_empty());
        assert!(run("Vitals: HR 72. Labs: WBC 7.4", speakers).is_empty());
        assert_eq!(
            run("客服: 您好？ 刘旭: 我1999出生。 客服: 谢谢", speakers),
            ["刘旭"]
        );
    }

    #[test]
    fn names_in_cjk_lists() {
        let mut out = Vec::new();
        let t = "请把刘、唐和杨也加到预订里。予約に若林、佐藤と忍足も追加。예약에 김민수 및 맥소인도 추가";
        cjk_lists(t.as_bytes(), &mut out);
        out.sort();
        let got: Vec<&str> = out.iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(
            got,
            ["刘", "唐", "杨", "若林", "佐藤", "忍足", "김민수", "맥소인"]
        );
        out.clear();
        cjk_lists("我和你".as_bytes(), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn names_before_honorifics() {
        let mut out = Vec::new();
        let t = "木村様、ありがとう。 인솔영님, 잠시만";
        honorifics(t.as_bytes(), &mut out);
        let got: Vec<&str> = out.iter().map(|&(s, e)| &t[s..e]).collect();
        assert_eq!(got, ["木村", "인솔영"]);
    }
}
