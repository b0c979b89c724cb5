//! Putting plaintexts back: every token of a text replaced by what it
//! encrypts, for the `reveal` command.

use serde_json::Value;
use zeroize::Zeroizing;

use super::error::KeyError;
use super::keyset::Keyset;
use super::token::find_tokens;

/// Rewrites `text` into `out` with every token replaced by its plaintext
/// (JSON-escaped when `json`: the text is a JSON document and tokens sit
/// inside its strings). Returns the key id of each token revealed, in
/// order; on the first token that does not decrypt, its byte offset in
/// `text` and the error (then `out` holds a partial rewrite: do not use
/// it).
pub fn reveal_text(
    keys: &Keyset,
    text: &[u8],
    json: bool,
    entities: &[&str],
    out: &mut Vec<u8>,
) -> Result<Vec<String>, (usize, KeyError)> {
    let mut ids = Vec::new();
    let mut last = 0;
    for (s, e) in find_tokens(text) {
        // Tokens are ASCII by construction of `find_tokens`.
        let token = std::str::from_utf8(&text[s..e]).unwrap_or_default();
        let r = keys.decrypt(token, entities).map_err(|err| (s, err))?;
        out.extend_from_slice(&text[last..s]);
        if json {
            let plain = std::str::from_utf8(&r.plaintext).map_err(|_| {
                (
                    s,
                    KeyError::Malformed("plaintext is not UTF-8; cannot put it back into JSON"),
                )
            })?;
            let quoted = Zeroizing::new(Value::String(plain.to_string()).to_string());
            out.extend_from_slice(&quoted.as_bytes()[1..quoted.len() - 1]);
        } else {
            out.extend_from_slice(&r.plaintext);
        }
        last = e;
        ids.push(r.key_id);
    }
    out.extend_from_slice(&text[last..]);
    Ok(ids)
}
