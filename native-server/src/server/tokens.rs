//! The live signing state: the signing key, the published JWKS and the validator built from it,
//! refreshed when `certbound keys rotate` changes the key store of a running server.

use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant, SystemTime};

use certbound_core::token::Validator;
use certbound_core::token::issue::{SigningKey, jwk_set, jwks};

use super::keys::KeyStore;

/// How often the key manifest is checked for changes (a `stat`), and how often the published
/// set is rebuilt regardless (retired keys age out of the JWKS).
const CHECK_EVERY: Duration = Duration::from_secs(2);
const REBUILD_EVERY: Duration = Duration::from_secs(60);

/// One consistent generation of keys.
#[derive(Debug)]
pub(crate) struct KeyState {
    /// Signs new tokens.
    pub(crate) signing: SigningKey,
    /// `{"keys":[…]}` of every published key, serialized once.
    pub(crate) jwks_json: String,
    /// Validates tokens for `/api/` and introspection against the published keys.
    pub(crate) validator: Validator,
}

/// What the validator is built with.
#[derive(Debug, Clone)]
pub(crate) struct ValidatorSettings {
    pub(crate) issuer: String,
    pub(crate) audience: String,
    pub(crate) leeway_secs: u64,
    pub(crate) allow_unbound: bool,
}

#[derive(Debug)]
struct Refresh {
    checked: Instant,
    built: Instant,
    modified: Option<SystemTime>,
}

/// Shared signing state.
#[derive(Debug)]
pub(crate) struct Tokens {
    store: Mutex<KeyStore>,
    state: RwLock<Arc<KeyState>>,
    refresh: Mutex<Refresh>,
    settings: ValidatorSettings,
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn build(store: &KeyStore, s: &ValidatorSettings) -> Result<KeyState, String> {
    let (signing, published) = store.keys(now_secs()).map_err(|e| e.to_string())?;
    let refs: Vec<&SigningKey> = published.iter().collect();
    let jwks_json = jwks(&refs).to_string();
    let mut b =
        Validator::builder(&s.issuer, &s.audience, jwk_set(&refs)).leeway_secs(s.leeway_secs);
    if s.allow_unbound {
        b = b.allow_unbound();
    }
    let validator = b.build().map_err(|e| e.to_string())?;
    Ok(KeyState {
        signing,
        jwks_json,
        validator,
    })
}

impl Tokens {
    /// Opens the key store (creating the first key) and builds the first state.
    pub(crate) fn open(
        state_dir: &std::path::Path,
        settings: ValidatorSettings,
    ) -> Result<Self, Box<dyn std::error::Error>> {
        let store = KeyStore::open(state_dir)?;
        let state = build(&store, &settings)?;
        let now = Instant::now();
        Ok(Self {
            refresh: Mutex::new(Refresh {
                checked: now,
                built: now,
                modified: store.manifest_modified(),
            }),
            store: Mutex::new(store),
            state: RwLock::new(Arc::new(state)),
            settings,
        })
    }

    /// The current keys, refreshed first if the key store changed on disk.
    pub(crate) fn current(&self) -> Arc<KeyState> {
        self.maybe_refresh();
        self.state
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn maybe_refresh(&self) {
        let Ok(mut r) = self.refresh.try_lock() else {
            return; // another request is refreshing
        };
        let now = Instant::now();
        if now.duration_since(r.checked) < CHECK_EVERY {
            return;
        }
        r.checked = now;
        let mut store = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        let modified = store.manifest_modified();
        let changed = modified != r.modified;
        if !changed && now.duration_since(r.built) < REBUILD_EVERY {
            return;
        }
        if changed && let Err(e) = store.reload() {
            tracing::error!(error = %e, "key store changed but could not be reloaded; keeping the current keys");
            return;
        }
        match build(&store, &self.settings) {
            Ok(state) => {
                if changed {
                    tracing::info!(kid = state.signing.kid(), "signing keys reloaded");
                }
                *self.state.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(state);
                r.modified = modified;
                r.built = now;
            }
            Err(e) => {
                tracing::error!(error = %e, "rebuilding the key state failed; keeping the current keys")
            }
        }
    }
}
