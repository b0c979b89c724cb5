//! `redactd keys generate|rotate`: keyset files (mode 0600).

use std::path::Path;

use redactd::keys::Keyset;

use super::{runtime, usage, Failure};

pub(super) fn generate(out: &Path) -> Result<(), Failure> {
    let k = Keyset::try_generate().map_err(runtime)?;
    k.write_new(out).map_err(runtime)?;
    eprintln!(
        "redactd: wrote keyset {} (mode 0600; primary {}, hmac {})",
        out.display(),
        k.primary_id(),
        k.hmac_id()
    );
    Ok(())
}

pub(super) fn rotate(file: &Path) -> Result<(), Failure> {
    let (mut k, warnings) = Keyset::load(file).map_err(usage)?;
    for w in warnings {
        eprintln!("redactd: warning: {w}");
    }
    let id = k.try_rotate().map_err(runtime)?.to_string();
    k.write(file, true).map_err(runtime)?;
    eprintln!(
        "redactd: {}: new primary {id} (keys: {})",
        file.display(),
        k.key_ids().collect::<Vec<_>>().join(", ")
    );
    Ok(())
}
