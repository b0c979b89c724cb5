//! Keysets, encryption tokens and keyed pseudonyms.
//!
//! A [`Keyset`] holds the secrets behind three policy actions:
//!
//! - `encrypt`: [`Keyset::encrypt`] turns a value into a token
//!   `enc:v1:<key-id>:<base64url(nonce ‖ ciphertext ‖ tag)>` that
//!   [`Keyset::decrypt`] (the `reveal` command) turns back;
//! - `hash`: [`Keyset::pseudonym`], HMAC-SHA-256 of the entity type and the
//!   value;
//! - `surrogate`: a fake of the same shape derived from that pseudonym (see
//!   `policy::surrogate`).
//!
//! # The keyset file
//!
//! ```json
//! {
//!   "version": 1,
//!   "primary": "k2",
//!   "keys": {
//!     "k1": {"algorithm": "aes-256-gcm", "material": "<base64 of 32 bytes>", "created": "2026-11-26T04:00:00Z"},
//!     "k2": {"algorithm": "aes-256-gcm", "material": "<base64 of 32 bytes>", "created": "2027-02-01T09:30:00Z"}
//!   },
//!   "hmac": {"id": "h1", "algorithm": "hmac-sha256", "material": "<base64 of 32 bytes>"}
//! }
//! ```
//!
//! - `version` is 1. Unknown fields are errors, so a typo never silently
//!   drops a key.
//! - `keys` maps a key id to an encryption key. Ids match `[a-z0-9-]{1,32}`
//!   because they appear in tokens. `material` is standard base64 (padding
//!   optional) of exactly 32 random bytes; `created` (RFC 3339) is
//!   informational.
//! - `primary` names the key that encrypts new tokens; every key in `keys`
//!   decrypts the tokens that name it.
//! - `hmac` is the pseudonym key, separate from the encryption keys (reusing
//!   one key for two algorithms is rejected). [`Keyset::rotate`] never
//!   touches it, so pseudonyms and surrogates stay stable across rotations:
//!   joins on hashed columns keep working. Rotating the HMAC key means
//!   re-hashing every downstream dataset, which is a migration, not a
//!   rotation.
//!
//! Errors name the JSON key at fault (`keys.k1.material: not 32 bytes of
//! base64`) and never contain key material.
//!
//! A keyset comes from a file ([`Keyset::load`]) or from the
//! `REDACTD_KEYSET` environment variable, which holds either a path or the
//! JSON itself ([`Keyset::load_from`]). Files are written mode 0600, and
//! loading one that group or others may read returns a warning.
//!
//! # Tokens
//!
//! - Random (the default): AES-256-GCM with a random 96-bit nonce and the
//!   entity type (`EMAIL_ADDRESS`) as associated data, so a token cannot be
//!   revealed as another type.
//! - Deterministic: AES-256-GCM-SIV (RFC 8452) with the same key material;
//!   the nonce is the first 12 bytes of
//!   HMAC-SHA-256(hmac key, `"nonce"` ‖ type ‖ 0x00 ‖ value), so equal
//!   (type, value) pairs give equal tokens under the same primary key.
//!   Tokens made before and after a rotation differ, because the encryption
//!   key differs: join on pseudonyms, not on tokens, across rotations.
//!   GCM-SIV derives per-nonce keys from `AES_K(counter ‖ nonce)` blocks;
//!   a GCM keystream block can only coincide with one of those when a random
//!   GCM nonce equals a secret SIV nonce (2^-96 per pair), so sharing the
//!   material between the two modes is safe.
//!
//! A token does not say its entity type nor its mode, so [`Keyset::decrypt`]
//! takes the candidate types and tries each with GCM, then GCM-SIV.
//!
//! # Zeroization
//!
//! Key material lives in [`Zeroizing`] buffers that are wiped on drop, as is
//! the text of [`Keyset::to_json`] and of a keyset file read by
//! [`Keyset::load`]. Ciphers are built per call from the material; with the
//! `zeroize` features of `aes` and `polyval` enabled their key schedules are
//! wiped when they drop. HMAC states (`sha2` has no zeroize support) are
//! not wiped. `Debug` prints key ids and `[REDACTED]`, never material.

//!
//! # Layout
//!
//! - `keyset`: [`Keyset`], its keys, generation and rotation;
//! - `file`: the keyset file (parse, write 0600, load from a path or
//!   [`KEYSET_ENV`]);
//! - `token`: [`Keyset::encrypt`], [`Keyset::decrypt`], [`find_tokens`];
//! - `pseudonym`: [`Keyset::pseudonym`];
//! - `reveal`: [`reveal_text`], tokens in a text put back;
//! - `error`: [`KeyError`].

mod error;
mod file;
mod keyset;
mod pseudonym;
mod reveal;
mod token;

pub use error::KeyError;
pub use file::KEYSET_ENV;
pub use keyset::{now_rfc3339, Keyset};
pub use reveal::reveal_text;
pub use token::{find_tokens, Revealed, TOKEN_PREFIX};

#[cfg(test)]
mod tests {
    use base64::Engine as _;

    use super::*;

    /// Material for the fixed test keyset: `start`, `start + 1`, ….
    pub(super) fn bytes(start: u8) -> [u8; 32] {
        std::array::from_fn(|i| start.wrapping_add(i as u8))
    }

    pub(super) fn b64(b: &[u8]) -> String {
        base64::engine::general_purpose::STANDARD.encode(b)
    }

    /// k1 = 0x00..0x1f, k2 = 0x40..0x5f (primary), h1 = 0x20..0x3f.
    pub(super) fn fixed_json() -> String {
        format!(
            r#"{{"version": 1, "primary": "k2",
                "keys": {{"k1": {{"algorithm": "aes-256-gcm", "material": "{}", "created": "2026-11-26T04:00:00Z"}},
                          "k2": {{"algorithm": "aes-256-gcm", "material": "{}"}}}},
                "hmac": {{"id": "h1", "algorithm": "hmac-sha256", "material": "{}"}}}}"#,
            b64(&bytes(0)),
            b64(&bytes(0x40)),
            b64(&bytes(0x20))
        )
    }

    pub(super) fn fixed() -> Keyset {
        Keyset::from_json(&fixed_json()).unwrap()
    }

    pub(super) fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    pub(super) const TYPES: &[&str] = &["PERSON", "EMAIL_ADDRESS", "US_SSN"];
}
