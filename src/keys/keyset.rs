//! The keyset: encryption keys (one primary) and the pseudonym key, made
//! and rotated here; read and written in [`super::file`], used in
//! [`super::token`] and [`super::pseudonym`].

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use super::error::KeyError;

/// Bytes of every key.
pub(super) const KEY_LEN: usize = 32;
/// Longest key id; ids appear in every token.
pub(super) const MAX_ID_LEN: usize = 32;

/// Key material, wiped on drop.
pub(super) type Material = Zeroizing<[u8; KEY_LEN]>;

/// One encryption key.
pub(super) struct EncKey {
    /// Appears in every token it makes.
    pub(super) id: String,
    pub(super) material: Material,
    /// RFC 3339, informational; kept so a rewrite does not lose it.
    pub(super) created: Option<String>,
}

/// The pseudonym key.
pub(super) struct HmacKey {
    pub(super) id: String,
    pub(super) material: Material,
}

/// Encryption keys (one primary) and the pseudonym key. See the module docs
/// for the file format.
///
/// ```
/// use redactd::keys::{find_tokens, Keyset};
///
/// let keys = Keyset::generate();
/// let token = keys.encrypt("EMAIL_ADDRESS", b"jane@example.com", true)?;
/// assert!(token.starts_with("enc:v1:k1:"));
/// let text = format!("contact: {token}.");
/// let (start, end) = find_tokens(text.as_bytes()).next().unwrap();
/// let revealed = keys.decrypt(&text[start..end], &["PERSON", "EMAIL_ADDRESS"])?;
/// assert_eq!(&revealed.plaintext[..], b"jane@example.com");
/// assert_eq!(revealed.entity, "EMAIL_ADDRESS");
/// # Ok::<(), redactd::keys::KeyError>(())
/// ```
pub struct Keyset {
    /// In file order; few enough that lookups are linear.
    pub(super) keys: Vec<EncKey>,
    /// Index into `keys` of the key that encrypts new tokens.
    pub(super) primary: usize,
    pub(super) hmac: HmacKey,
}

impl fmt::Debug for Keyset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyset")
            .field("primary", &self.primary_id())
            .field("keys", &self.key_ids().collect::<Vec<_>>())
            .field("hmac", &self.hmac.id)
            .field("material", &format_args!("[REDACTED]"))
            .finish()
    }
}

impl Keyset {
    /// A new keyset: encryption key `k1` (primary) and pseudonym key `h1`,
    /// 32 random bytes each from the OS.
    ///
    /// # Panics
    ///
    /// When the OS random number generator fails (see [`Keyset::try_generate`]).
    pub fn generate() -> Keyset {
        Keyset::try_generate().expect("the OS random number generator failed")
    }

    /// [`Keyset::generate`], returning an error when the OS random number
    /// generator fails.
    pub fn try_generate() -> Result<Keyset, KeyError> {
        Ok(Keyset {
            keys: vec![EncKey {
                id: "k1".into(),
                material: random_material()?,
                created: Some(now_rfc3339()),
            }],
            primary: 0,
            hmac: HmacKey {
                id: "h1".into(),
                material: random_material()?,
            },
        })
    }

    /// Adds a new random encryption key with the next free id (`k<N+1>`
    /// after the highest `k<N>`) and makes it primary; returns its id. Old
    /// keys stay, so old tokens still decrypt. The HMAC key is not rotated.
    ///
    /// # Panics
    ///
    /// When the OS random number generator fails (see [`Keyset::try_rotate`]).
    pub fn rotate(&mut self) -> &str {
        self.try_rotate()
            .expect("the OS random number generator failed")
    }

    /// [`Keyset::rotate`], returning an error when the OS random number
    /// generator fails.
    pub fn try_rotate(&mut self) -> Result<&str, KeyError> {
        let material = random_material()?;
        let next = self
            .keys
            .iter()
            .filter_map(|k| k.id.strip_prefix('k')?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        let mut n = next.saturating_add(1);
        while self.keys.iter().any(|k| k.id == format!("k{n}")) || self.hmac.id == format!("k{n}") {
            n = n.wrapping_add(1);
        }
        self.keys.push(EncKey {
            id: format!("k{n}"),
            material,
            created: Some(now_rfc3339()),
        });
        self.primary = self.keys.len() - 1;
        Ok(&self.keys[self.primary].id)
    }

    /// The id of the key that encrypts new tokens.
    pub fn primary_id(&self) -> &str {
        &self.keys[self.primary].id
    }

    /// Every encryption key id, in file order.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> + '_ {
        self.keys.iter().map(|k| k.id.as_str())
    }

    /// The id of the pseudonym (HMAC) key.
    pub fn hmac_id(&self) -> &str {
        &self.hmac.id
    }
}

pub(super) fn is_id_byte(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'
}

/// `[a-z0-9-]{1,32}`.
pub(super) fn valid_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len()) && id.bytes().all(is_id_byte)
}

/// 32 bytes from the OS random number generator.
pub(super) fn random_material() -> Result<Material, KeyError> {
    let mut m = Zeroizing::new([0u8; KEY_LEN]);
    getrandom::getrandom(&mut m[..]).map_err(|e| KeyError::Rng(e.to_string()))?;
    Ok(m)
}

/// The current time as `YYYY-MM-DDTHH:MM:SSZ` (UTC), as keyset files and
/// audit lines write it.
pub fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rfc3339(secs)
}

/// Seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (Howard
/// Hinnant's civil-from-days).
fn rfc3339(secs: u64) -> String {
    let rem = secs % 86_400;
    let (year, month, day) =
        crate::util::civil_from_days(i64::try_from(secs / 86_400).unwrap_or(0));
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::super::tests::{b64, bytes, fixed, fixed_json, TYPES};
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_665_600), "2026-11-26T04:00:00Z");
    }

    #[test]
    fn debug_shows_no_material() {
        let ks = fixed();
        let dbg = format!("{ks:?}");
        let alt = format!("{ks:#?}");
        for m in [bytes(0), bytes(0x40), bytes(0x20)] {
            let m = b64(&m);
            assert!(!dbg.contains(&m) && !alt.contains(&m), "{dbg}");
            assert!(!dbg.contains(&m[..12]), "{dbg}");
        }
        assert!(
            dbg.contains("[REDACTED]") && dbg.contains("k1") && dbg.contains("h1"),
            "{dbg}"
        );

        let token = ks.encrypt("PERSON", b"Jane Roe", false).unwrap();
        let revealed = ks.decrypt(&token, TYPES).unwrap();
        let dbg = format!("{revealed:?}");
        assert!(
            !dbg.contains("Jane") && dbg.contains("REDACTED 8 bytes"),
            "{dbg}"
        );
    }

    #[test]
    fn rotate_keeps_old_tokens_and_pseudonyms() {
        let mut ks = fixed();
        let old_random = ks.encrypt("PERSON", b"Jane", false).unwrap();
        let old_det = ks.encrypt("PERSON", b"Jane", true).unwrap();
        let pseudonym = ks.pseudonym("PERSON", b"Jane");
        assert_eq!(ks.rotate(), "k3");
        assert_eq!(ks.primary_id(), "k3");
        assert_eq!(ks.key_ids().collect::<Vec<_>>(), ["k1", "k2", "k3"]);
        let new = ks.encrypt("PERSON", b"Jane", true).unwrap();
        assert!(new.starts_with("enc:v1:k3:"), "{new}");
        assert_ne!(new, old_det);
        for t in [&old_random, &old_det, &new] {
            assert_eq!(&ks.decrypt(t, TYPES).unwrap().plaintext[..], b"Jane");
        }
        assert_eq!(ks.pseudonym("PERSON", b"Jane"), pseudonym);
        assert_eq!(ks.hmac_id(), "h1");
        // Survives a write/read cycle.
        let again = Keyset::from_json(&ks.to_json()).unwrap();
        assert_eq!(again.primary_id(), "k3");
        assert_eq!(
            &again.decrypt(&old_random, TYPES).unwrap().plaintext[..],
            b"Jane"
        );
        // Ids that are not k<N> do not confuse the numbering.
        let mut odd = Keyset::from_json(
            &fixed_json()
                .replace("\"k1\"", "\"k10\"")
                .replace("\"k2\"", "\"prod-a\"")
                .replace("\"primary\": \"k2\"", "\"primary\": \"prod-a\""),
        )
        .unwrap();
        assert_eq!(odd.rotate(), "k11");
    }
}
