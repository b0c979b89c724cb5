//! What can go wrong with a keyset or a token.

use std::io;
use std::path::PathBuf;

/// What went wrong with a keyset or a token. No variant ever holds key
/// material or plaintext.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// A keyset file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file at fault.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// A keyset is not valid: `origin` is the file (or `keyset`,
    /// `REDACTD_KEYSET`), `at` the JSON key at fault (`keys.k1.material`).
    #[error("{origin}: {at}: {reason}")]
    Invalid {
        /// Where the keyset came from.
        origin: String,
        /// The JSON key at fault, dotted.
        at: String,
        /// What is wrong with it.
        reason: String,
    },
    /// [`Keyset::write`] without `overwrite` found the file already there.
    #[error("{}: already exists; refusing to overwrite it", .0.display())]
    Exists(PathBuf),
    /// The operating system's random number generator failed.
    #[error("the OS random number generator failed: {0}")]
    Rng(String),
    /// AES-GCM refused to encrypt (the plaintext is over 64 GiB).
    #[error("plaintext too long to encrypt")]
    TooLong,
    /// The token names a key id that is not in the keyset.
    #[error("token key id {0:?} is not in the keyset")]
    UnknownKeyId(String),
    /// The text is not an `enc:v1:` token, or is cut short.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// The token is well formed, but no candidate entity type and mode
    /// authenticates it: it was altered or truncated, made with other key
    /// material under the same id, or belongs to another entity type.
    #[error(
        "token does not authenticate under key {key_id} as any of the given entity types \
         (tampered, truncated, other key material, or another type)"
    )]
    Tampered {
        /// The key id the token names.
        key_id: String,
    },
}
