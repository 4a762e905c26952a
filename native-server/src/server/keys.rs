//! Token-signing keys in the state directory: generated on first start, kept across restarts,
//! rotated by `certbound keys rotate`.
//!
//! Layout: `STATE/keys/<kid>.p8` (PKCS#8 DER, mode 0600) and `STATE/keys/manifest.json` listing
//! every key with its creation time and, for retired keys, when they were retired. The newest
//! key signs; a retired key stays published in the JWKS until every token it signed has expired
//! (`retired_at + max token lifetime`), and is deleted after that.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use certbound_core::token::issue::SigningKey;
use serde::{Deserialize, Serialize};

/// Name of the key manifest inside `STATE/keys/`.
const MANIFEST: &str = "manifest.json";
/// Largest key or manifest file read (64 KiB): PKCS#8 keys and a manifest are far smaller.
pub(crate) const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;
/// Core's longest token lifetime: a retired key stays published this long after retirement,
/// whatever lifetime was configured when it signed.
pub(crate) use certbound_core::token::issue::MAX_LIFETIME_SECS as MAX_TOKEN_LIFETIME_SECS;

/// One entry of the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyEntry {
    /// The JWS `kid`.
    pub(crate) kid: String,
    /// UNIX seconds when the key was generated.
    pub(crate) created_at: u64,
    /// UNIX seconds when a newer key replaced it; `None` for the signing key.
    pub(crate) retired_at: Option<u64>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    keys: Vec<KeyEntry>,
}

/// Why the key store could not be used.
#[derive(Debug)]
pub(crate) enum KeyStoreError {
    /// A file could not be read or written.
    Io(PathBuf, std::io::Error),
    /// The manifest is not valid.
    Manifest(PathBuf, String),
    /// A key file did not import.
    Key(PathBuf, String),
}

impl fmt::Display for KeyStoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Self::Manifest(p, e) => write!(
                f,
                "{}: invalid key manifest: {e} (fix or remove it; removing it drops every key)",
                p.display()
            ),
            Self::Key(p, e) => write!(f, "{}: not a usable signing key: {e}", p.display()),
        }
    }
}

impl std::error::Error for KeyStoreError {}

/// The key store of one state directory.
#[derive(Debug)]
pub(crate) struct KeyStore {
    dir: PathBuf,
    entries: Vec<KeyEntry>,
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn read_limited(path: &Path) -> Result<Vec<u8>, KeyStoreError> {
    use std::io::Read as _;
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_KEY_FILE_BYTES + 1).read_to_end(&mut buf))
        .map_err(|e| KeyStoreError::Io(path.to_owned(), e))?;
    if buf.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(KeyStoreError::Manifest(
            path.to_owned(),
            format!("larger than {MAX_KEY_FILE_BYTES} bytes"),
        ));
    }
    Ok(buf)
}

/// Writes `bytes` to `path` atomically (temporary file + rename) with the given mode.
fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), KeyStoreError> {
    let tmp = path.with_extension("tmp");
    let err = |e| KeyStoreError::Io(path.to_owned(), e);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(&tmp).map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)?;
    std::fs::rename(&tmp, path).map_err(err)
}

impl KeyStore {
    /// Whether `state_dir` already holds a key manifest.
    pub(crate) fn exists(state_dir: &Path) -> bool {
        state_dir.join("keys").join(MANIFEST).exists()
    }

    /// Opens `state_dir`, creating it and a first signing key if there is none.
    pub(crate) fn open(state_dir: &Path) -> Result<Self, KeyStoreError> {
        let dir = state_dir.join("keys");
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt as _;
            b.mode(0o700);
        }
        b.create(&dir)
            .map_err(|e| KeyStoreError::Io(dir.clone(), e))?;
        let manifest_path = dir.join(MANIFEST);
        let entries = if manifest_path.exists() {
            let bytes = read_limited(&manifest_path)?;
            let m: Manifest = serde_json::from_slice(&bytes)
                .map_err(|e| KeyStoreError::Manifest(manifest_path.clone(), e.to_string()))?;
            m.keys
        } else {
            Vec::new()
        };
        let mut store = Self { dir, entries };
        store.validate()?;
        if store.signing().is_none() {
            store.rotate(now_secs())?;
        }
        Ok(store)
    }

    fn validate(&self) -> Result<(), KeyStoreError> {
        let mpath = self.dir.join(MANIFEST);
        let active = self
            .entries
            .iter()
            .filter(|e| e.retired_at.is_none())
            .count();
        if active > 1 {
            return Err(KeyStoreError::Manifest(
                mpath,
                format!("{active} keys are marked active; at most one may be"),
            ));
        }
        for e in &self.entries {
            if e.kid.is_empty()
                || !e
                    .kid
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err(KeyStoreError::Manifest(
                    mpath,
                    format!("kid {:?} is not [A-Za-z0-9_-]+", e.kid),
                ));
            }
            self.load(&e.kid)?;
        }
        Ok(())
    }

    /// Reads and imports one key, checking that its `kid` is the manifest's.
    fn load(&self, kid: &str) -> Result<SigningKey, KeyStoreError> {
        let p = self.key_path(kid);
        let der = read_limited(&p)?;
        let key = import_key(&der).map_err(|m| KeyStoreError::Key(p.clone(), m))?;
        if key.kid() != kid {
            return Err(KeyStoreError::Key(
                p,
                format!("its kid is {:?}, the manifest says {kid:?}", key.kid()),
            ));
        }
        Ok(key)
    }

    /// The signing key and every key to publish at `now` (signing key first).
    pub(crate) fn keys(&self, now: u64) -> Result<(SigningKey, Vec<SigningKey>), KeyStoreError> {
        let signing = self.signing().ok_or_else(|| {
            KeyStoreError::Manifest(self.dir.join(MANIFEST), "no active key".into())
        })?;
        let signing = self.load(&signing.kid)?;
        let mut published = vec![signing.clone()];
        for e in self.published(now).filter(|e| e.retired_at.is_some()) {
            published.push(self.load(&e.kid)?);
        }
        Ok((signing, published))
    }

    /// When the manifest last changed (to notice `certbound keys rotate` while running).
    pub(crate) fn manifest_modified(&self) -> Option<std::time::SystemTime> {
        std::fs::metadata(self.dir.join(MANIFEST))
            .and_then(|m| m.modified())
            .ok()
    }

    /// Re-reads the manifest from disk.
    pub(crate) fn reload(&mut self) -> Result<(), KeyStoreError> {
        let fresh = Self::open(self.dir.parent().unwrap_or(Path::new(".")))?;
        *self = fresh;
        Ok(())
    }

    fn key_path(&self, kid: &str) -> PathBuf {
        self.dir.join(format!("{kid}.p8"))
    }

    fn save_manifest(&self) -> Result<(), KeyStoreError> {
        let m = Manifest {
            keys: self.entries.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&m)
            .map_err(|e| KeyStoreError::Manifest(self.dir.join(MANIFEST), e.to_string()))?;
        write_atomic(&self.dir.join(MANIFEST), &bytes, 0o600)
    }

    /// The signing key's entry.
    pub(crate) fn signing(&self) -> Option<&KeyEntry> {
        self.entries.iter().find(|e| e.retired_at.is_none())
    }

    /// Every key to publish at `now`: the signing key and retired keys whose tokens may still be
    /// valid.
    pub(crate) fn published(&self, now: u64) -> impl Iterator<Item = &KeyEntry> {
        self.entries.iter().filter(move |e| match e.retired_at {
            None => true,
            Some(r) => now < r.saturating_add(MAX_TOKEN_LIFETIME_SECS),
        })
    }

    /// Generates a new signing key, retires the current one, and deletes keys whose tokens have
    /// all expired. Returns the new `kid`.
    pub(crate) fn rotate(&mut self, now: u64) -> Result<String, KeyStoreError> {
        let (kid, der) = generate_key().map_err(|m| KeyStoreError::Key(self.dir.clone(), m))?;
        write_atomic(&self.key_path(&kid), &der, 0o600)?;
        let mut expired = Vec::new();
        for e in &mut self.entries {
            if e.retired_at.is_none() {
                e.retired_at = Some(now);
            }
            if let Some(r) = e.retired_at
                && now >= r.saturating_add(MAX_TOKEN_LIFETIME_SECS)
            {
                expired.push(e.kid.clone());
            }
        }
        self.entries.retain(|e| !expired.contains(&e.kid));
        self.entries.push(KeyEntry {
            kid: kid.clone(),
            created_at: now,
            retired_at: None,
        });
        self.save_manifest()?;
        for k in expired {
            let _ = std::fs::remove_file(self.key_path(&k));
        }
        Ok(kid)
    }
}

/// Generates an ES256 signing key from the OS RNG: `(kid, PKCS#8 DER)`.
fn generate_key() -> Result<(String, Vec<u8>), String> {
    use ring::rand::SecureRandom as _;
    let rng = ring::rand::SystemRandom::new();
    // A uniformly random 32-byte string is a valid P-256 scalar except with probability
    // ~2^-32; retry in that case.
    for _ in 0..8 {
        let mut scalar = [0u8; 32];
        rng.fill(&mut scalar)
            .map_err(|_| "the system random number generator failed".to_owned())?;
        let key = SigningKey::es256_from_scalar(&scalar);
        scalar.fill(0);
        if let Ok(key) = key {
            let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
            return Ok((key.kid().to_owned(), der.as_bytes().to_vec()));
        }
    }
    Err("could not draw a valid P-256 scalar".to_owned())
}

/// Imports PKCS#8 DER as a signing key.
fn import_key(der: &[u8]) -> Result<SigningKey, String> {
    SigningKey::from_pkcs8_der(der).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_state(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("certbound-keys-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    // Intent: the first open creates one signing key that a second open finds again.
    #[test]
    fn first_key_persists() {
        let d = temp_state("persist");
        assert!(!KeyStore::exists(&d));
        let a = KeyStore::open(&d).unwrap();
        let kid = a.signing().unwrap().kid.clone();
        assert!(KeyStore::exists(&d));
        let b = KeyStore::open(&d).unwrap();
        assert_eq!(b.signing().unwrap().kid, kid);
        let (signing, published) = b.keys(now_secs()).unwrap();
        assert_eq!(signing.kid(), kid);
        assert_eq!(published.len(), 1);
        std::fs::remove_dir_all(&d).unwrap();
    }

    // Intent: rotation keeps the retired key published for the longest token lifetime, then
    // deletes it at the next rotation.
    #[test]
    fn rotation_lifecycle() {
        let d = temp_state("rotate");
        let mut s = KeyStore::open(&d).unwrap();
        let first = s.signing().unwrap().kid.clone();
        let t0 = 1_000_000;
        let second = s.rotate(t0).unwrap();
        assert_ne!(first, second);
        assert_eq!(s.signing().unwrap().kid, second);
        let published: Vec<_> = s.published(t0 + 10).map(|e| e.kid.clone()).collect();
        assert_eq!(published, [first.clone(), second.clone()]);
        let later = t0 + MAX_TOKEN_LIFETIME_SECS;
        let published: Vec<_> = s.published(later).map(|e| e.kid.clone()).collect();
        assert_eq!(published, std::slice::from_ref(&second));
        let third = s.rotate(later).unwrap();
        assert!(!d.join("keys").join(format!("{first}.p8")).exists());
        let reopened = KeyStore::open(&d).unwrap();
        let kids: Vec<_> = reopened.entries.iter().map(|e| e.kid.clone()).collect();
        assert_eq!(kids, [second, third]);
        std::fs::remove_dir_all(&d).unwrap();
    }

    // Intent: a manifest that names a key by the wrong kid, or two active keys, is refused
    // with a message naming the file.
    #[test]
    fn bad_manifest_refused() {
        let d = temp_state("bad");
        let s = KeyStore::open(&d).unwrap();
        let kid = s.signing().unwrap().kid.clone();
        let manifest = d.join("keys").join(MANIFEST);
        std::fs::copy(
            d.join("keys").join(format!("{kid}.p8")),
            d.join("keys").join("other.p8"),
        )
        .unwrap();
        std::fs::write(
            &manifest,
            r#"{"keys":[{"kid":"other","created_at":1,"retired_at":5}]}"#,
        )
        .unwrap();
        let e = KeyStore::open(&d).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}: not a usable signing key: its kid is {kid:?}, the manifest says \"other\"",
                d.join("keys/other.p8").display()
            )
        );
        std::fs::write(
            &manifest,
            format!(
                r#"{{"keys":[{{"kid":"{kid}","created_at":1,"retired_at":null}},{{"kid":"{kid}","created_at":2,"retired_at":null}}]}}"#
            ),
        )
        .unwrap();
        let e = KeyStore::open(&d).unwrap_err().to_string();
        assert_eq!(
            e,
            format!(
                "{}: invalid key manifest: 2 keys are marked active; at most one may be (fix or remove it; removing it drops every key)",
                manifest.display()
            )
        );
        std::fs::remove_dir_all(&d).unwrap();
    }
}
