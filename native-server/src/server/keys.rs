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

use serde::{Deserialize, Serialize};

/// Name of the key manifest inside `STATE/keys/`.
const MANIFEST: &str = "manifest.json";
/// Largest key or manifest file read (64 KiB): PKCS#8 keys and a manifest are far smaller.
pub(crate) const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;
/// Longest token lifetime the server accepts in its configuration (one day); a retired key is
/// published at least this long, whatever the lifetime configured when it signed.
pub(crate) const MAX_TOKEN_LIFETIME_SECS: u64 = 86_400;

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
            let p = self.key_path(&e.kid);
            let der = read_limited(&p)?;
            import_key(&der).map_err(|m| KeyStoreError::Key(p, m))?;
        }
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

    /// PKCS#8 DER of a key.
    pub(crate) fn pkcs8(&self, kid: &str) -> Result<Vec<u8>, KeyStoreError> {
        read_limited(&self.key_path(kid))
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

/// Generates a signing key: `(kid, PKCS#8 DER)`. INTEGRATION POINT (core `token` issuance).
fn generate_key() -> Result<(String, Vec<u8>), String> {
    Err("token signing keys need core `token` issuance (not merged yet)".to_owned())
}

/// Checks that PKCS#8 DER imports as a signing key. INTEGRATION POINT (core `token` issuance).
fn import_key(_der: &[u8]) -> Result<(), String> {
    Err("token signing keys need core `token` issuance (not merged yet)".to_owned())
}
