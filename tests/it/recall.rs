//! The example lines of issue 12, as a new user fed them to `redactd
//! redact`: every identifier in them must be gone, and JSON must stay JSON
//! with the same shape.

use crate::util::{lines, run, stderr};

/// (input line, the identifiers it carries).
const CASES: &[(&str, &[&str])] = &[
    (
        r#"{"user":{"name":"Ярослав Кальченко","address":"神奈川県稲城市氏家新田6丁目2番17号"}}"#,
        &["Ярослав", "Кальченко", "神奈川県稲城市氏家新田6丁目2番17号"],
    ),
    (
        r#"{"jane.doe@example.com": {"score": 1}}"#,
        &["jane.doe@example.com"],
    ),
    (
        "PATIENT: Ryan Spencer DOB: 02/17/1979 Phone: 9884176462 Address: 3676 Phillips Knolls Suite 663, Liberg, NY 78852",
        &["Ryan", "Spencer", "02/17/1979", "9884176462", "3676 Phillips Knolls", "Liberg", "78852"],
    ),
    (
        "Mijn BSN is 597381409. Mon numéro de sécurité sociale est le 281104809512961. Meu CPF é 036.115.704-51.",
        &["597381409", "281104809512961", "036.115.704-51"],
    ),
    (
        "Ma date de naissance est le 08/06/1955. Geburtsdatum: 12.09.1979",
        &["08/06/1955", "12.09.1979"],
    ),
    (
        "PID|1||70567604^^^HOSP^MR||WOOD^MELISSA^E||19670625|F|||444 Thomas Overpass^^Lunastad^UT^62815^USA",
        &["70567604", "WOOD", "MELISSA", "19670625", "444 Thomas Overpass", "Lunastad", "62815"],
    ),
    (
        "I have done an online order but didn't get any message on my registered 905-674-3793.",
        &["905-674-3793"],
    ),
    (
        "Microbilt Corporation is the brainchild of our 3 founders: Kónya, Becker and Vasquez.",
        &["Kónya", "Becker", "Vasquez"],
    ),
];

#[test]
fn issue_examples_come_back_with_every_identifier_replaced() {
    let input: String = CASES.iter().map(|(l, _)| format!("{l}\n")).collect();
    let out = run(&["redact"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let got = lines(&out);
    assert_eq!(got.len(), CASES.len());
    for ((line, ids), out) in CASES.iter().zip(got) {
        let out = String::from_utf8_lossy(out);
        for id in *ids {
            assert!(!out.contains(id), "{id:?} survives in {out:?}");
        }
        if let Ok(before) = serde_json::from_str::<serde_json::Value>(line) {
            let after: serde_json::Value =
                serde_json::from_str(&out).expect("a JSON record stays JSON");
            assert_eq!(shape(&before), shape(&after), "{out}");
        }
    }
}

#[test]
fn a_name_found_once_is_found_again_in_the_record() {
    let input = "{\"note\":\"Patient: Frédéric Boutin\",\"chat\":\"Merci Frédéric !\"}\nPID|1||123||WOOD^MELISSA^E\rNTE|1||Melissa Wood called back\n";
    let out = run(&["redact"], input.as_bytes());
    assert!(out.status.success(), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    for id in ["Frédéric", "Boutin", "Melissa", "Wood", "WOOD"] {
        assert!(!text.contains(id), "{id:?} survives in {text:?}");
    }
    assert!(text.contains("called back"), "{text}");
}

/// The number of members of every object and the length of every array,
/// depth first: the shape a consumer's schema sees.
fn shape(v: &serde_json::Value) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(m) => {
                out.push(m.len());
                stack.extend(m.values());
            }
            serde_json::Value::Array(a) => {
                out.push(a.len());
                stack.extend(a.iter());
            }
            _ => out.push(0),
        }
    }
    out
}
