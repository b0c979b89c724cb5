//! `redactd config check`: everything `redact` would build, then the
//! effective policy.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use redactd::config::Config;

use super::{sanitizer, Failure};

pub(super) fn run(cfg: &Config) -> Result<(), Failure> {
    let s = sanitizer(cfg)?;
    let engine = s.engine();
    let mut o = String::new();
    let _ = writeln!(o, "config: {}", cfg.origin());
    let _ = writeln!(o, "policy_id: {}", s.policy_id());
    let packs: BTreeSet<&str> = engine.packs().iter().map(|p| p.name.as_str()).collect();
    let _ = writeln!(
        o,
        "detectors: {} in {} packs ({})",
        engine.detectors().len(),
        engine.packs().len(),
        packs.into_iter().collect::<Vec<_>>().join(", ")
    );
    let _ = writeln!(o, "min_score: {}", engine.min_score());
    let _ = writeln!(o, "max_record_bytes: {}", s.limits().max_record_bytes);
    for (id, terms) in engine.dictionary_terms() {
        let _ = writeln!(o, "dictionary: {id} ({terms} terms)");
    }
    match s.policy().keys() {
        Some(k) => {
            let _ = writeln!(
                o,
                "keys: primary {}, keys [{}], hmac {}",
                k.primary_id(),
                k.key_ids().collect::<Vec<_>>().join(", "),
                k.hmac_id()
            );
        }
        None => o.push_str("keys: none\n"),
    }
    o.push_str(s.policy().description());
    print!("{o}");
    Ok(())
}
