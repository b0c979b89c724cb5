//! `enc:v1:` tokens: encrypting a value into one, decrypting one, and
//! finding them in text.

use std::fmt;

use aes_gcm::aead::generic_array::GenericArray;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::Aes256Gcm;
use aes_gcm_siv::Aes256GcmSiv;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use zeroize::Zeroizing;

use super::error::KeyError;
use super::keyset::{is_id_byte, valid_id, Keyset, Material, MAX_ID_LEN};

/// Every token starts with this.
pub const TOKEN_PREFIX: &str = "enc:v1:";

/// Bytes of the AES-GCM(-SIV) nonce at the start of a token's payload.
const NONCE_LEN: usize = 12;
/// Bytes of the authentication tag at the end of a token's payload.
const TAG_LEN: usize = 16;
/// Domain separation of the deterministic nonce from pseudonyms: entity
/// types are upper-case, so no pseudonym input starts with `nonce`.
const NONCE_LABEL: &[u8] = b"nonce";

/// A decrypted token. `Debug` does not print the plaintext.
pub struct Revealed {
    /// The original value, wiped on drop.
    pub plaintext: Zeroizing<Vec<u8>>,
    /// The key that decrypted it.
    pub key_id: String,
    /// The entity type it was encrypted as (its associated data).
    pub entity: String,
    /// Whether it was a deterministic (AES-GCM-SIV) token.
    pub deterministic: bool,
}

impl fmt::Debug for Revealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Revealed")
            .field(
                "plaintext",
                &format_args!("[REDACTED {} bytes]", self.plaintext.len()),
            )
            .field("key_id", &self.key_id)
            .field("entity", &self.entity)
            .field("deterministic", &self.deterministic)
            .finish()
    }
}

impl Keyset {
    /// Encrypts `plaintext` as entity type `entity` with the primary key:
    /// `enc:v1:<key-id>:<base64url-no-pad(nonce ‖ ciphertext ‖ tag)>`.
    /// `deterministic` uses AES-256-GCM-SIV with a nonce derived from the
    /// HMAC key, so equal (type, value) pairs give equal tokens; otherwise
    /// AES-256-GCM with a random nonce.
    ///
    /// Errors: [`KeyError::Rng`] when the OS random number generator fails,
    /// [`KeyError::TooLong`] past AES-GCM's 64 GiB limit.
    pub fn encrypt(
        &self,
        entity: &str,
        plaintext: &[u8],
        deterministic: bool,
    ) -> Result<String, KeyError> {
        let key = &self.keys[self.primary];
        let mut nonce = [0u8; NONCE_LEN];
        let payload = Payload {
            msg: plaintext,
            aad: entity.as_bytes(),
        };
        let sealed = if deterministic {
            let mac = self.mac(&[NONCE_LABEL, entity.as_bytes(), &[0], plaintext]);
            nonce.copy_from_slice(&mac[..NONCE_LEN]);
            siv(&key.material).encrypt(GenericArray::from_slice(&nonce), payload)
        } else {
            getrandom::getrandom(&mut nonce).map_err(|e| KeyError::Rng(e.to_string()))?;
            gcm(&key.material).encrypt(GenericArray::from_slice(&nonce), payload)
        }
        .map_err(|_| KeyError::TooLong)?;
        let mut raw = Vec::with_capacity(NONCE_LEN + sealed.len());
        raw.extend_from_slice(&nonce);
        raw.extend_from_slice(&sealed);
        let mut token =
            String::with_capacity(TOKEN_PREFIX.len() + key.id.len() + 1 + raw.len() * 4 / 3 + 4);
        token.push_str(TOKEN_PREFIX);
        token.push_str(&key.id);
        token.push(':');
        URL_SAFE_NO_PAD.encode_string(&raw, &mut token);
        Ok(token)
    }

    /// Decrypts a token made by [`Keyset::encrypt`] with any key of this
    /// keyset. The token does not carry its entity type, so each of
    /// `entities` is tried as associated data, with GCM then GCM-SIV.
    ///
    /// Errors: [`KeyError::Malformed`] (no `enc:v1:` prefix, bad key id,
    /// bad base64url, too short), [`KeyError::UnknownKeyId`],
    /// [`KeyError::Tampered`] (nothing authenticates).
    pub fn decrypt(&self, token: &str, entities: &[&str]) -> Result<Revealed, KeyError> {
        let rest = token
            .strip_prefix(TOKEN_PREFIX)
            .ok_or(KeyError::Malformed("does not start with enc:v1:"))?;
        let (id, payload) = rest
            .split_once(':')
            .ok_or(KeyError::Malformed("no ':' after the key id"))?;
        if !valid_id(id) {
            return Err(KeyError::Malformed("key id is not [a-z0-9-]{1,32}"));
        }
        let raw = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| KeyError::Malformed("payload is not unpadded base64url"))?;
        if raw.len() < NONCE_LEN + TAG_LEN {
            return Err(KeyError::Malformed(
                "truncated: shorter than a nonce and a tag",
            ));
        }
        let key = self
            .keys
            .iter()
            .find(|k| k.id == id)
            .ok_or_else(|| KeyError::UnknownKeyId(id.to_string()))?;
        let (nonce, sealed) = raw.split_at(NONCE_LEN);
        let nonce = GenericArray::from_slice(nonce);
        let (gcm, siv) = (gcm(&key.material), siv(&key.material));
        for entity in entities {
            let payload = || Payload {
                msg: sealed,
                aad: entity.as_bytes(),
            };
            let (opened, deterministic) = match gcm.decrypt(nonce, payload()) {
                Ok(p) => (p, false),
                Err(_) => match siv.decrypt(nonce, payload()) {
                    Ok(p) => (p, true),
                    Err(_) => continue,
                },
            };
            return Ok(Revealed {
                plaintext: Zeroizing::new(opened),
                key_id: key.id.clone(),
                entity: (*entity).to_string(),
                deterministic,
            });
        }
        Err(KeyError::Tampered {
            key_id: key.id.clone(),
        })
    }
}

/// AES-256-GCM under `material`.
fn gcm(material: &Material) -> Aes256Gcm {
    Aes256Gcm::new(GenericArray::from_slice(&material[..]))
}

/// AES-256-GCM-SIV under `material`.
fn siv(material: &Material) -> Aes256GcmSiv {
    Aes256GcmSiv::new(GenericArray::from_slice(&material[..]))
}

/// Byte spans `(start, end)` of the `enc:v1:<id>:<base64url>` tokens in
/// `text`. A token counts only whole: the byte before it is not a
/// base64url character, the id is `[a-z0-9-]{1,32}` and the payload runs to
/// the first byte outside the base64url alphabet. Spans are not checked
/// further; [`Keyset::decrypt`] says whether each is a valid token.
pub fn find_tokens(text: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    memchr::memmem::find_iter(text, TOKEN_PREFIX.as_bytes())
        .filter_map(move |start| token_span_at(text, start))
}

/// The token starting at `start` (where `enc:v1:` is), if whole.
fn token_span_at(text: &[u8], start: usize) -> Option<(usize, usize)> {
    if start > 0 && is_b64url(text[start - 1]) {
        return None;
    }
    let id_start = start + TOKEN_PREFIX.len();
    let id_len = text[id_start..]
        .iter()
        .take_while(|&&b| is_id_byte(b))
        .count();
    if id_len == 0 || id_len > MAX_ID_LEN || text.get(id_start + id_len) != Some(&b':') {
        return None;
    }
    let payload_start = id_start + id_len + 1;
    let payload_len = text[payload_start..]
        .iter()
        .take_while(|&&b| is_b64url(b))
        .count();
    if payload_len == 0 {
        return None;
    }
    Some((start, payload_start + payload_len))
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::super::tests::{b64, bytes, fixed, fixed_json, hex, TYPES};
    use super::*;

    #[test]
    fn round_trip_both_modes() {
        let ks = fixed();
        for deterministic in [false, true] {
            for value in [&b""[..], b"jane@example.com", &[0xff; 1000][..]] {
                let token = ks.encrypt("EMAIL_ADDRESS", value, deterministic).unwrap();
                assert!(token.starts_with("enc:v1:k2:"), "{token}");
                let r = ks.decrypt(&token, TYPES).unwrap();
                assert_eq!(&r.plaintext[..], value);
                assert_eq!(r.key_id, "k2");
                assert_eq!(r.entity, "EMAIL_ADDRESS");
                assert_eq!(r.deterministic, deterministic);
                assert_eq!(
                    find_tokens(token.as_bytes()).collect::<Vec<_>>(),
                    [(0, token.len())]
                );
            }
        }
    }

    #[test]
    fn deterministic_tokens_repeat_random_ones_do_not() {
        let ks = fixed();
        let d1 = ks.encrypt("EMAIL_ADDRESS", b"a@b.c", true).unwrap();
        let d2 = ks.encrypt("EMAIL_ADDRESS", b"a@b.c", true).unwrap();
        assert_eq!(d1, d2);
        assert_ne!(d1, ks.encrypt("EMAIL_ADDRESS", b"a@b.d", true).unwrap());
        assert_ne!(d1, ks.encrypt("PERSON", b"a@b.c", true).unwrap());
        let r1 = ks.encrypt("EMAIL_ADDRESS", b"a@b.c", false).unwrap();
        let r2 = ks.encrypt("EMAIL_ADDRESS", b"a@b.c", false).unwrap();
        assert_ne!(r1, r2);
    }

    #[test]
    fn decrypt_errors() {
        let ks = fixed();
        let token = ks.encrypt("US_SSN", b"123-45-6789", false).unwrap();
        let payload = token.strip_prefix("enc:v1:k2:").unwrap();

        let unknown = format!("enc:v1:k9:{payload}");
        assert!(
            matches!(ks.decrypt(&unknown, TYPES), Err(KeyError::UnknownKeyId(id)) if id == "k9")
        );

        // Every single-byte change to the payload is caught.
        let raw = URL_SAFE_NO_PAD.decode(payload).unwrap();
        for i in 0..raw.len() {
            let mut bad = raw.clone();
            bad[i] ^= 0x01;
            let t = format!("enc:v1:k2:{}", URL_SAFE_NO_PAD.encode(&bad));
            assert!(
                matches!(ks.decrypt(&t, TYPES), Err(KeyError::Tampered { key_id }) if key_id == "k2")
            );
        }
        // Truncation: still long enough → does not authenticate; too short → malformed.
        let t = format!(
            "enc:v1:k2:{}",
            URL_SAFE_NO_PAD.encode(&raw[..raw.len() - 1])
        );
        assert!(matches!(
            ks.decrypt(&t, TYPES),
            Err(KeyError::Tampered { .. })
        ));
        let t = format!("enc:v1:k2:{}", URL_SAFE_NO_PAD.encode(&raw[..27]));
        assert!(
            matches!(ks.decrypt(&t, TYPES), Err(KeyError::Malformed(m)) if m.starts_with("truncated"))
        );

        // The wrong entity types (or none) do not authenticate.
        assert!(matches!(
            ks.decrypt(&token, &["PERSON", "EMAIL_ADDRESS"]),
            Err(KeyError::Tampered { .. })
        ));
        assert!(matches!(
            ks.decrypt(&token, &[]),
            Err(KeyError::Tampered { .. })
        ));

        for bad in [
            "",
            "enc:v2:k2:AAAA",
            &token[1..],
            "enc:v1:k2",
            "enc:v1:K2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "enc:v1::AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            &format!("{token}="),
            &format!("{token}!"),
            &token[..token.len() - 1].replace("enc:v1:k2:", "enc:v1:k2:+"),
        ] {
            assert!(
                matches!(ks.decrypt(bad, TYPES), Err(KeyError::Malformed(_))),
                "{bad}"
            );
        }
        // Errors never show the plaintext.
        let err = ks.decrypt(&token, &["PERSON"]).unwrap_err().to_string();
        assert!(!err.contains("123-45"), "{err}");
    }

    #[test]
    fn other_key_material_under_the_same_id_does_not_authenticate() {
        let ks = fixed();
        let token = ks.encrypt("PERSON", b"Jane", false).unwrap();
        let other =
            Keyset::from_json(&fixed_json().replace(&b64(&bytes(0x40)), &b64(&bytes(0x41))))
                .unwrap();
        assert!(matches!(
            other.decrypt(&token, TYPES),
            Err(KeyError::Tampered { .. })
        ));
    }

    #[test]
    fn find_tokens_spans() {
        let ks = fixed();
        let t1 = ks.encrypt("PERSON", b"Jane", false).unwrap();
        let t2 = ks.encrypt("US_SSN", b"123-45-6789", true).unwrap();
        let text = format!("name={t1}, ssn:\"{t2}\".\nenc:v1:k1:abc xenc:v1:k1:AAAA enc:v1:K1:AAAA enc:v1:k1: enc:v1:k1 enc:v1:{}:AA", "a".repeat(33));
        let spans: Vec<_> = find_tokens(text.as_bytes()).collect();
        let found: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(found, [t1.as_str(), t2.as_str(), "enc:v1:k1:abc"]);
        assert!(matches!(
            ks.decrypt(found[2], TYPES),
            Err(KeyError::Malformed(_))
        ));
        assert_eq!(
            &ks.decrypt(found[1], TYPES).unwrap().plaintext[..],
            b"123-45-6789"
        );
        assert_eq!(find_tokens(b"").count(), 0);
        assert_eq!(find_tokens(b"enc:v1:").count(), 0);
        assert_eq!(find_tokens(b"enc:v1:a:b").collect::<Vec<_>>(), [(0, 10)]);
    }

    proptest::proptest! {
        #[test]
        fn reveal_inverts_encrypt(value: Vec<u8>, deterministic: bool, t in 0usize..3) {
            let ks = fixed();
            let token = ks.encrypt(TYPES[t], &value, deterministic).unwrap();
            let r = ks.decrypt(&token, TYPES).unwrap();
            proptest::prop_assert_eq!(&r.plaintext[..], &value[..]);
            proptest::prop_assert_eq!(r.entity.as_str(), TYPES[t]);
            proptest::prop_assert_eq!(find_tokens(token.as_bytes()).collect::<Vec<_>>(), vec![(0, token.len())]);
        }

        #[test]
        fn decrypt_never_panics(text in "enc:v1:[a-z0-9-]{0,3}:?[A-Za-z0-9_=+-]{0,80}") {
            let _ = fixed().decrypt(&text, TYPES);
        }
    }

    /// Fixed outputs for fixed keys: a change here breaks every stored
    /// token and pseudonym.
    #[test]
    fn golden_token_and_pseudonym() {
        let ks = fixed();
        let token = ks
            .encrypt("EMAIL_ADDRESS", b"jane@example.com", true)
            .unwrap();
        assert_eq!(token, GOLDEN_TOKEN);
        assert_eq!(
            &ks.decrypt(GOLDEN_TOKEN, &["EMAIL_ADDRESS"])
                .unwrap()
                .plaintext[..],
            b"jane@example.com"
        );
        let p = hex(&ks.pseudonym("EMAIL_ADDRESS", b"jane@example.com"));
        assert_eq!(&p[..16], GOLDEN_PSEUDONYM_PREFIX);
    }

    /// Cross-checked with Python `cryptography` (AESGCMSIV) and `hmac`.
    const GOLDEN_TOKEN: &str =
        "enc:v1:k2:A1qYeKxNQqtWlUSka6KGmFVaBs_agrAKJ8Hl9ahPYo87Wyxv353jC7q_x4k";
    const GOLDEN_PSEUDONYM_PREFIX: &str = "b4c0d7a671190b63";
}
