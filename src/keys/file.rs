//! The keyset file: JSON parsed into wiped buffers (errors name the key
//! at fault, never material), written mode 0600, loaded from a path or the
//! `REDACTD_KEYSET` environment variable.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use super::error::KeyError;
use super::keyset::{valid_id, EncKey, HmacKey, Keyset, Material, KEY_LEN, MAX_ID_LEN};

/// The environment variable [`Keyset::load_from`] falls back to: a path to
/// a keyset file, or the keyset JSON itself (when it starts with `{`).
pub const KEYSET_ENV: &str = "REDACTD_KEYSET";

/// The only keyset format version this build reads and writes.
const KEYSET_VERSION: u64 = 1;
/// The encryption keys' algorithm name (GCM-SIV uses the same keys).
const ENC_ALGORITHM: &str = "aes-256-gcm";
/// The pseudonym key's algorithm name.
const HMAC_ALGORITHM: &str = "hmac-sha256";
/// A keyset file larger than this is not a keyset (and is not read whole).
const MAX_KEYSET_BYTES: u64 = 1 << 20;

/// Standard base64, padding optional: how `material` is read.
const B64_MATERIAL: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

impl Keyset {
    /// Parses keyset JSON. Errors name the JSON key at fault and never echo
    /// material.
    pub fn from_json(text: &str) -> Result<Keyset, KeyError> {
        parse(text, "keyset")
    }

    /// Reads a keyset file. The warnings say when group or others may read
    /// (or write) it.
    pub fn load(path: &Path) -> Result<(Keyset, Vec<String>), KeyError> {
        let io_err = |source| KeyError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = File::open(path).map_err(io_err)?;
        let meta = file.metadata().map_err(io_err)?;
        if !meta.is_file() {
            return Err(io_err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            )));
        }
        if meta.len() > MAX_KEYSET_BYTES {
            return Err(io_err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("larger than {MAX_KEYSET_BYTES} bytes: not a keyset"),
            )));
        }
        let mut warnings = Vec::new();
        let mode = meta.permissions().mode() & 0o7777;
        if mode & 0o044 != 0 {
            warnings.push(format!(
                "keyset {} is readable by group/others (mode {mode:04o}); chmod 600 it",
                path.display()
            ));
        } else if mode & 0o033 != 0 {
            warnings.push(format!(
                "keyset {} is writable or executable by group/others (mode {mode:04o}); chmod 600 it",
                path.display()
            ));
        }
        // Capacity for the whole file up front, so the buffer never
        // reallocates and leaves an unwiped copy behind.
        let cap = usize::try_from(meta.len()).unwrap_or(0).saturating_add(1);
        let mut bytes = Zeroizing::new(Vec::with_capacity(cap));
        file.take(MAX_KEYSET_BYTES)
            .read_to_end(&mut bytes)
            .map_err(io_err)?;
        let origin = path.display().to_string();
        let text = std::str::from_utf8(&bytes).map_err(|_| KeyError::Invalid {
            origin: origin.clone(),
            at: "(file)".into(),
            reason: "not UTF-8".into(),
        })?;
        Ok((parse(text, &origin)?, warnings))
    }

    /// The keyset from `path` if given, else from the `REDACTD_KEYSET`
    /// environment variable (a path, or the JSON itself when it starts with
    /// `{`); `None` when neither is set.
    pub fn load_from(path: Option<&Path>) -> Result<Option<(Keyset, Vec<String>)>, KeyError> {
        load_from_env(path, std::env::var_os(KEYSET_ENV))
    }

    /// The keyset as JSON (the file format), in a buffer wiped on drop.
    pub fn to_json(&self) -> Zeroizing<String> {
        // Reserve enough up front that the buffer never reallocates (a
        // reallocation would leave an unwiped copy of the material).
        let cap = 256 + self.keys.len() * 256;
        let mut out = Zeroizing::new(String::with_capacity(cap));
        let mut b64 = Zeroizing::new(String::with_capacity(64));
        out.push_str("{\n  \"version\": 1,\n  \"primary\": \"");
        out.push_str(self.primary_id());
        out.push_str("\",\n  \"keys\": {");
        for (i, k) in self.keys.iter().enumerate() {
            out.push_str(if i == 0 { "\n    \"" } else { ",\n    \"" });
            out.push_str(&k.id);
            out.push_str("\": {\"algorithm\": \"");
            out.push_str(ENC_ALGORITHM);
            out.push_str("\", \"material\": \"");
            b64.clear();
            base64::engine::general_purpose::STANDARD.encode_string(&k.material[..], &mut b64);
            out.push_str(&b64);
            out.push('"');
            if let Some(created) = &k.created {
                out.push_str(", \"created\": ");
                out.push_str(&Value::String(created.clone()).to_string());
            }
            out.push('}');
        }
        out.push_str("\n  },\n  \"hmac\": {\"id\": \"");
        out.push_str(&self.hmac.id);
        out.push_str("\", \"algorithm\": \"");
        out.push_str(HMAC_ALGORITHM);
        out.push_str("\", \"material\": \"");
        b64.clear();
        base64::engine::general_purpose::STANDARD.encode_string(&self.hmac.material[..], &mut b64);
        out.push_str(&b64);
        out.push_str("\"}\n}\n");
        out
    }

    /// Writes the keyset to a new file, mode 0600; fails with
    /// [`KeyError::Exists`] when the file is already there.
    pub fn write_new(&self, path: &Path) -> Result<(), KeyError> {
        self.write(path, false)
    }

    /// Writes the keyset to `path`, mode 0600. Without `overwrite` an
    /// existing file is an error; with it the file is replaced atomically
    /// (a 0600 temporary file in the same directory, synced, then renamed
    /// over it), so a crash leaves the old keyset or the new one, never half.
    pub fn write(&self, path: &Path, overwrite: bool) -> Result<(), KeyError> {
        let io_err = |p: &Path| {
            let p = p.to_path_buf();
            move |source| KeyError::Io { path: p, source }
        };
        let json = self.to_json();
        if !overwrite {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|e| {
                    if e.kind() == io::ErrorKind::AlreadyExists {
                        KeyError::Exists(path.to_path_buf())
                    } else {
                        io_err(path)(e)
                    }
                })?;
            file.write_all(json.as_bytes()).map_err(io_err(path))?;
            return file.sync_all().map_err(io_err(path));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = path.file_name().ok_or_else(|| {
            io_err(path)(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a file name",
            ))
        })?;
        let mut suffix = [0u8; 6];
        getrandom::getrandom(&mut suffix).map_err(|e| KeyError::Rng(e.to_string()))?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(
            ".tmp-{}",
            URL_SAFE_NO_PAD.encode(suffix).replace('-', "_")
        ));
        let tmp = dir.join(tmp_name);
        let result = (|| {
            let mut file = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            file.write_all(json.as_bytes())?;
            file.sync_all()?;
            fs::rename(&tmp, path)
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(io_err(path)(e));
        }
        // Make the rename durable; a failure here loses nothing already
        // written, so it is not an error.
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }
}

/// [`Keyset::load_from`] with the environment variable's value passed in
/// (tests do not touch the process environment).
fn load_from_env(
    path: Option<&Path>,
    env: Option<std::ffi::OsString>,
) -> Result<Option<(Keyset, Vec<String>)>, KeyError> {
    if let Some(path) = path {
        return Keyset::load(path).map(Some);
    }
    let Some(env) = env else {
        return Ok(None);
    };
    let env = Zeroizing::new(env.into_string().map_err(|_| KeyError::Invalid {
        origin: KEYSET_ENV.into(),
        at: "(value)".into(),
        reason: "not valid UTF-8".into(),
    })?);
    let value = env.trim();
    if value.is_empty() {
        return Ok(None);
    }
    if value.starts_with('{') {
        return parse(value, KEYSET_ENV).map(|k| Some((k, Vec::new())));
    }
    Keyset::load(Path::new(value)).map(Some)
}

/// Wipes every string in a parsed JSON tree when dropped, so material read
/// from the text does not linger in freed memory.
struct Scrubbed(Value);

impl Drop for Scrubbed {
    fn drop(&mut self) {
        fn scrub(v: &mut Value) {
            match v {
                Value::String(s) => s.zeroize(),
                Value::Array(a) => a.iter_mut().for_each(scrub),
                Value::Object(o) => o.values_mut().for_each(scrub),
                _ => {}
            }
        }
        scrub(&mut self.0);
    }
}

/// Builds [`KeyError::Invalid`] for one origin.
struct Errs<'a> {
    origin: &'a str,
}

impl Errs<'_> {
    fn at(&self, at: impl Into<String>, reason: impl Into<String>) -> KeyError {
        KeyError::Invalid {
            origin: self.origin.to_string(),
            at: at.into(),
            reason: reason.into(),
        }
    }

    /// Rejects any field of `obj` not in `allowed`.
    fn only(&self, obj: &Map<String, Value>, allowed: &[&str], at: &str) -> Result<(), KeyError> {
        match obj.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(self.at(
                join(at, &shown(k)),
                format!("unknown field (expected one of: {})", allowed.join(", ")),
            )),
            None => Ok(()),
        }
    }

    fn str_field<'v>(
        &self,
        obj: &'v Map<String, Value>,
        field: &str,
        at: &str,
    ) -> Result<&'v str, KeyError> {
        match obj.get(field) {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(self.at(join(at, field), "must be a string")),
            None => Err(self.at(join(at, field), "missing")),
        }
    }

    fn algorithm(
        &self,
        obj: &Map<String, Value>,
        expected: &str,
        at: &str,
    ) -> Result<(), KeyError> {
        let alg = self.str_field(obj, "algorithm", at)?;
        if alg == expected {
            Ok(())
        } else {
            Err(self.at(
                join(at, "algorithm"),
                format!(
                    "unsupported algorithm {} (expected {expected:?})",
                    shown(alg)
                ),
            ))
        }
    }

    /// Decodes `obj.material`, taking the string out of the tree so it can
    /// be wiped.
    fn material(&self, obj: &mut Map<String, Value>, at: &str) -> Result<Material, KeyError> {
        let at = join(at, "material");
        let text = match obj.get_mut("material") {
            Some(Value::String(s)) => Zeroizing::new(std::mem::take(s)),
            Some(_) => return Err(self.at(at, "must be a string")),
            None => return Err(self.at(at, "missing")),
        };
        let mut buf = Zeroizing::new([0u8; 2 * KEY_LEN]);
        match B64_MATERIAL.decode_slice(text.trim().as_bytes(), &mut buf[..]) {
            Ok(KEY_LEN) => {
                let mut m = Zeroizing::new([0u8; KEY_LEN]);
                m.copy_from_slice(&buf[..KEY_LEN]);
                Ok(m)
            }
            _ => Err(self.at(at, "not 32 bytes of base64")),
        }
    }
}

/// `a.b`, or `b` at the top level.
fn join(at: &str, field: &str) -> String {
    if at.is_empty() {
        field.to_string()
    } else {
        format!("{at}.{field}")
    }
}

/// A name from the file as it may appear in an error: quoted when short,
/// else only its length (a long unexpected name could be pasted material).
fn shown(name: &str) -> String {
    if name.chars().count() <= MAX_ID_LEN {
        format!("{name:?}")
    } else {
        format!("<a name of {} characters>", name.chars().count())
    }
}

fn parse(text: &str, origin: &str) -> Result<Keyset, KeyError> {
    let errs = Errs { origin };
    let mut root = Scrubbed(serde_json::from_str(text).map_err(|e| {
        errs.at(
            format!("line {}, column {}", e.line(), e.column()),
            if e.is_eof() {
                "JSON ends early"
            } else {
                "not valid JSON"
            },
        )
    })?);
    let Value::Object(root) = &mut root.0 else {
        return Err(errs.at("(top level)", "must be a JSON object"));
    };
    errs.only(root, &["version", "primary", "keys", "hmac"], "")?;

    match root.get("version") {
        Some(v) if v.as_u64() == Some(KEYSET_VERSION) => {}
        Some(Value::Number(n)) => {
            return Err(errs.at(
                "version",
                format!("unsupported keyset version {n} (this build reads {KEYSET_VERSION})"),
            ))
        }
        Some(_) => return Err(errs.at("version", "must be the number 1")),
        None => return Err(errs.at("version", "missing")),
    }

    let mut keys = Vec::new();
    match root.get_mut("keys") {
        Some(Value::Object(map)) => {
            for (id, entry) in map.iter_mut() {
                if !valid_id(id) {
                    return Err(errs.at(
                        format!("keys.{}", shown(id)),
                        "key id must match [a-z0-9-]{1,32}",
                    ));
                }
                let at = format!("keys.{id}");
                let Value::Object(entry) = entry else {
                    return Err(errs.at(at, "must be an object"));
                };
                errs.only(entry, &["algorithm", "material", "created"], &at)?;
                errs.algorithm(entry, ENC_ALGORITHM, &at)?;
                let created = match entry.get("created") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(_) => return Err(errs.at(join(&at, "created"), "must be a string")),
                };
                let material = errs.material(entry, &at)?;
                keys.push(EncKey {
                    id: id.clone(),
                    material,
                    created,
                });
            }
        }
        Some(_) => return Err(errs.at("keys", "must be an object of key id → key")),
        None => return Err(errs.at("keys", "missing")),
    }
    if keys.is_empty() {
        return Err(errs.at("keys", "holds no key"));
    }

    let primary_id = errs.str_field(root, "primary", "")?;
    let primary = keys
        .iter()
        .position(|k| k.id == primary_id)
        .ok_or_else(|| errs.at("primary", format!("{} is not in keys", shown(primary_id))))?;

    let hmac = match root.get_mut("hmac") {
        Some(Value::Object(h)) => {
            errs.only(h, &["id", "algorithm", "material"], "hmac")?;
            let id = errs.str_field(h, "id", "hmac")?.to_string();
            if !valid_id(&id) {
                return Err(errs.at("hmac.id", "key id must match [a-z0-9-]{1,32}"));
            }
            errs.algorithm(h, HMAC_ALGORITHM, "hmac")?;
            HmacKey {
                id,
                material: errs.material(h, "hmac")?,
            }
        }
        Some(_) => return Err(errs.at("hmac", "must be an object")),
        None => return Err(errs.at("hmac", "missing")),
    };
    if let Some(k) = keys.iter().find(|k| k.material[..] == hmac.material[..]) {
        return Err(errs.at(
            "hmac.material",
            format!("same as keys.{}.material; use a separate key", k.id),
        ));
    }
    Ok(Keyset {
        keys,
        primary,
        hmac,
    })
}

#[cfg(test)]
mod tests {
    use super::super::tests::{b64, bytes, fixed, fixed_json, TYPES};
    use super::*;

    #[test]
    fn json_round_trip() {
        let ks = fixed();
        assert_eq!(ks.primary_id(), "k2");
        assert_eq!(ks.key_ids().collect::<Vec<_>>(), ["k1", "k2"]);
        assert_eq!(ks.hmac_id(), "h1");
        let again = Keyset::from_json(&ks.to_json()).unwrap();
        assert_eq!(again.to_json(), ks.to_json());
        assert_eq!(again.primary_id(), "k2");
        assert_eq!(
            again.keys[0].created.as_deref(),
            Some("2026-11-26T04:00:00Z")
        );
        assert_eq!(again.keys[1].created, None);
        assert_eq!(again.pseudonym("X", b"v"), ks.pseudonym("X", b"v"));
        let token = ks.encrypt("PERSON", b"Jane", false).unwrap();
        assert_eq!(&*again.decrypt(&token, TYPES).unwrap().plaintext, b"Jane");
        // Unpadded material is accepted too.
        let unpadded = fixed_json().replace('=', "");
        assert!(Keyset::from_json(&unpadded).is_ok());
    }

    #[test]
    fn generated_keysets_differ_and_round_trip() {
        let a = Keyset::generate();
        let b = Keyset::generate();
        assert_eq!(a.primary_id(), "k1");
        assert_eq!(a.hmac_id(), "h1");
        assert_ne!(a.pseudonym("X", b"v"), b.pseudonym("X", b"v"));
        assert_ne!(a.keys[0].material[..], a.hmac.material[..]);
        let created = a.keys[0].created.clone().unwrap();
        assert_eq!(created.len(), 20, "{created}");
        assert!(created.starts_with("20") && created.ends_with('Z'));
        let a2 = Keyset::from_json(&a.to_json()).unwrap();
        assert_eq!(a2.pseudonym("X", b"v"), a.pseudonym("X", b"v"));
    }

    /// Every invalid keyset and the `at: reason` its error must contain.
    #[test]
    fn errors_name_the_key_at_fault() {
        let good = fixed_json();
        let m1 = b64(&bytes(0));
        let m2 = b64(&bytes(0x40));
        let mh = b64(&bytes(0x20));
        let cases: Vec<(String, &str)> = vec![
            (
                good.replace(&m1, "not base64!"),
                "keys.k1.material: not 32 bytes of base64",
            ),
            (
                good.replace(&m1, &b64(&[7u8; 16])),
                "keys.k1.material: not 32 bytes of base64",
            ),
            (
                good.replace(&m1, &b64(&[7u8; 33])),
                "keys.k1.material: not 32 bytes of base64",
            ),
            (
                good.replace(&mh, ""),
                "hmac.material: not 32 bytes of base64",
            ),
            (
                good.replacen("aes-256-gcm", "aes-128-gcm", 1),
                "keys.k1.algorithm: unsupported algorithm \"aes-128-gcm\"",
            ),
            (
                good.replace("hmac-sha256", "hmac-md5"),
                "hmac.algorithm: unsupported algorithm",
            ),
            (
                good.replace("\"primary\": \"k2\"", "\"primary\": \"k3\""),
                "primary: \"k3\" is not in keys",
            ),
            (good.replace("\"primary\": \"k2\",", ""), "primary: missing"),
            (
                good.replace("\"k1\":", "\"K1\":"),
                "keys.\"K1\": key id must match",
            ),
            (
                good.replace("\"k1\":", "\"k_1\":"),
                "keys.\"k_1\": key id must match",
            ),
            (
                good.replace("\"k1\":", &format!("\"{}\":", "k".repeat(33))),
                "key id must match",
            ),
            (
                good.replace("\"id\": \"h1\"", "\"id\": \"H 1\""),
                "hmac.id: key id must match",
            ),
            (
                good.replace("\"version\": 1", "\"version\": 2"),
                "version: unsupported keyset version 2",
            ),
            (
                good.replace("\"version\": 1", "\"version\": \"1\""),
                "version: must be the number 1",
            ),
            (
                good.replace("\"created\"", "\"comment\""),
                "keys.k1.\"comment\": unknown field",
            ),
            (
                good.replace("\"version\"", "\"versoin\""),
                "\"versoin\": unknown field",
            ),
            (
                good.replace(&mh, &m2),
                "hmac.material: same as keys.k2.material",
            ),
            (
                good.replace(&format!("\"{m1}\""), "42"),
                "keys.k1.material: must be a string",
            ),
            (
                r#"{"version": 1, "primary": "k1", "keys": {}, "hmac": {}}"#.into(),
                "keys: holds no key",
            ),
            ("[1]".into(), "(top level): must be a JSON object"),
            (good[..good.len() / 2].to_string(), "JSON ends early"),
            (good.replace(':', ";"), "not valid JSON"),
        ];
        for (text, want) in cases {
            let err = match Keyset::from_json(&text) {
                Ok(_) => panic!("accepted, wanted {want}"),
                Err(e) => e.to_string(),
            };
            assert!(err.starts_with("keyset: "), "{err}");
            assert!(err.contains(want), "got {err:?}, wanted {want:?}");
            for m in [&m1, &m2, &mh] {
                assert!(!err.contains(m.trim_end_matches('=')), "{err}");
            }
        }
    }

    #[test]
    fn long_unexpected_names_are_not_echoed() {
        let material_as_id = fixed_json().replace("\"k1\":", &format!("\"{}\":", b64(&bytes(9))));
        let err = Keyset::from_json(&material_as_id).unwrap_err().to_string();
        assert!(!err.contains(&b64(&bytes(9))), "{err}");
        assert!(err.contains("a name of 44 characters"), "{err}");
    }

    #[test]
    fn files_are_0600_and_loose_modes_warn() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keyset.json");
        let ks = fixed();
        ks.write_new(&path).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (loaded, warnings) = Keyset::load(&path).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(loaded.to_json(), ks.to_json());

        // No silent overwrite.
        assert!(matches!(ks.write_new(&path), Err(KeyError::Exists(p)) if p == path));

        // Atomic replace keeps 0600 and leaves no temporary file.
        let mut rotated = loaded;
        rotated.rotate();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let (_, warnings) = Keyset::load(&path).unwrap();
        assert_eq!(
            warnings,
            [format!(
                "keyset {} is readable by group/others (mode 0644); chmod 600 it",
                path.display()
            )]
        );
        rotated.write(&path, true).unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let (reloaded, warnings) = Keyset::load(&path).unwrap();
        assert!(warnings.is_empty());
        assert_eq!(reloaded.primary_id(), "k3");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);

        fs::set_permissions(&path, fs::Permissions::from_mode(0o620)).unwrap();
        let (_, warnings) = Keyset::load(&path).unwrap();
        assert!(warnings[0].contains("writable"), "{warnings:?}");
    }

    #[test]
    fn load_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.json");
        let err = Keyset::load(&missing).unwrap_err().to_string();
        assert!(err.starts_with(&missing.display().to_string()), "{err}");

        let bad = dir.path().join("bad.json");
        fs::write(
            &bad,
            fixed_json().replace("\"k2\": {", "\"k2\": {\"x\": 1, "),
        )
        .unwrap();
        let err = Keyset::load(&bad).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("{}: keys.k2.\"x\": unknown field", bad.display())),
            "{err}"
        );

        let err = Keyset::load(dir.path()).unwrap_err().to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn load_from_path_env_path_and_env_json() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        fixed().write_new(&path).unwrap();
        let want = fixed().pseudonym("X", b"y");

        assert!(load_from_env(None, None).unwrap().is_none());
        assert!(load_from_env(None, Some("  ".into())).unwrap().is_none());
        let (ks, _) = load_from_env(Some(&path), Some("{garbage".into()))
            .unwrap()
            .unwrap();
        assert_eq!(ks.pseudonym("X", b"y"), want);
        let (ks, _) = load_from_env(None, Some(path.clone().into_os_string()))
            .unwrap()
            .unwrap();
        assert_eq!(ks.pseudonym("X", b"y"), want);
        let (ks, warnings) = load_from_env(None, Some(fixed_json().into()))
            .unwrap()
            .unwrap();
        assert_eq!(ks.pseudonym("X", b"y"), want);
        assert!(warnings.is_empty());

        let err = load_from_env(None, Some("{\"version\": 1}".into()))
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("REDACTD_KEYSET: "), "{err}");
        let err = load_from_env(None, Some(dir.path().join("gone").into_os_string())).unwrap_err();
        assert!(matches!(err, KeyError::Io { .. }));
    }
}
