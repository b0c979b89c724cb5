//! Keyed pseudonyms: HMAC-SHA-256 under the keyset's pseudonym key, the
//! value behind the `hash` and `surrogate` actions (and the deterministic
//! token nonce).

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::keyset::Keyset;

type HmacSha256 = Hmac<Sha256>;

impl Keyset {
    /// The keyed pseudonym of a value: HMAC-SHA-256(hmac key, entity ‖ 0x00
    /// ‖ value). Stable across [`Keyset::rotate`].
    pub fn pseudonym(&self, entity: &str, value: &[u8]) -> [u8; 32] {
        self.mac(&[entity.as_bytes(), &[0], value])
    }

    /// HMAC-SHA-256 under the pseudonym key of the concatenated parts.
    pub(super) fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.hmac.material[..])
            .expect("HMAC accepts keys of any length");
        for part in parts {
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}
