//! The in-isolate JWKS cache: when to use the cached set, when to fetch `JWKS_URI` again.
//!
//! The rules, all in [`JwksCache`] (pure, time as an argument, tested natively):
//! - a fetched set is used for `ttl` seconds; after that it is fetched again;
//! - a token naming a `kid` the set lacks triggers one refetch, because the issuer may have
//!   rotated keys;
//! - whatever the trigger, two fetch attempts are at least `min_refresh` seconds apart, so a
//!   flood of tokens with random `kid`s causes at most one fetch per interval per isolate;
//! - a failed fetch leaves no usable set behind once the TTL has passed: the request fails
//!   closed (503) instead of trusting keys the issuer may have revoked.
//!
//! [`Validators`] are core token validators built from one key set, one per route prefix (each
//! with that prefix's required scopes); they are rebuilt whenever the key set changes.

use core::fmt;

use certbound_core::token::jwk::MAX_JWKS_BYTES;
use certbound_core::token::resource::RouteValidators;
use certbound_core::token::{JwkSet, Validator, ValidatorBuilderError};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{Fetch, web_sys};

use crate::config::Config;

/// Cached key set of type `K` (core's JWK Set in the worker) with its fetch bookkeeping.
#[derive(Debug, Clone)]
pub struct JwksCache<K> {
    keys: Option<(K, u64)>,
    last_attempt: Option<u64>,
}

impl<K> Default for JwksCache<K> {
    fn default() -> Self {
        Self {
            keys: None,
            last_attempt: None,
        }
    }
}

/// What to do before validating a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Fetch the set now (none cached, or the cached one expired).
    Fetch,
    /// The set expired or was never fetched, and the last attempt is too recent to try again.
    Unavailable,
    /// Use the cached set.
    Use,
}

impl<K> JwksCache<K> {
    /// The cached set, if still within `ttl` at `now`.
    pub fn fresh(&self, now: u64, ttl: u64) -> Option<&K> {
        self.keys
            .as_ref()
            .filter(|(_, at)| now.saturating_sub(*at) < ttl)
            .map(|(k, _)| k)
    }

    /// Decides what to do for a request at `now`.
    pub fn plan(&self, now: u64, ttl: u64, min_refresh: u64) -> Plan {
        if self.fresh(now, ttl).is_some() {
            Plan::Use
        } else if self.may_fetch(now, min_refresh) {
            Plan::Fetch
        } else {
            Plan::Unavailable
        }
    }

    /// A token named a `kid` the cached set lacks: may the set be fetched again now?
    pub fn may_refresh_for_unknown_kid(&self, now: u64, min_refresh: u64) -> bool {
        self.may_fetch(now, min_refresh)
    }

    /// Records a fetch attempt about to start (before awaiting it, so that concurrent requests in
    /// the isolate see it and do not fetch too).
    pub fn start_attempt(&mut self, now: u64) {
        self.last_attempt = Some(now);
    }

    /// Stores a successfully fetched set.
    pub fn store(&mut self, keys: K, now: u64) {
        self.keys = Some((keys, now));
    }

    fn may_fetch(&self, now: u64, min_refresh: u64) -> bool {
        self.last_attempt
            .is_none_or(|at| now.saturating_sub(at) >= min_refresh)
    }
}

/// Core validators for one key set: the default one and one per configured route prefix
/// (core's [`RouteValidators`]).
#[derive(Debug, Clone)]
pub struct Validators(RouteValidators);

impl Validators {
    /// Builds the validators of `config` over `keys`.
    ///
    /// # Errors
    /// [`ValidatorBuilderError`], e.g. an empty key set.
    pub fn build(config: &Config, keys: JwkSet) -> Result<Self, ValidatorBuilderError> {
        let mut b = Validator::builder(&*config.issuer, &*config.audience, keys)
            .algorithms(&config.algorithms)
            .leeway_secs(config.leeway_seconds);
        if config.danger_allow_unbound {
            b = b.allow_unbound();
        }
        RouteValidators::build(&b, &config.routes).map(Self)
    }

    /// The validator for `path`: the longest matching route prefix's, else the default.
    pub fn for_path(&self, path: &str) -> &Validator {
        self.0.for_path(path)
    }
}

/// Why the key set could not be fetched. Logged; the client gets a 503.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwksError {
    /// The set parsed but core's validator refused it (no keys).
    Unusable {
        /// Core's reason.
        reason: String,
    },
    /// The document is not a valid JWK Set.
    Malformed {
        /// Core's reason.
        reason: String,
    },
    /// The fetch failed at the network level.
    Network {
        /// The runtime's message.
        message: String,
    },
    /// The response was not 200.
    Status {
        /// The status received.
        status: u16,
    },
    /// The body exceeds core's `MAX_JWKS_BYTES`.
    TooLarge {
        /// Bytes announced, or received when reading stopped.
        size: usize,
    },
    /// The last attempt failed (or is too recent) and `JWKS_MIN_REFRESH_SECONDS` has not passed.
    Unavailable,
}

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unusable { reason } => write!(f, "JWKS_URI served an unusable key set: {reason}"),
            Self::Malformed { reason } => {
                write!(f, "JWKS_URI served a malformed JWK Set: {reason}")
            }
            Self::Network { message } => write!(f, "JWKS_URI fetch failed: {message}"),
            Self::Status { status } => write!(f, "JWKS_URI answered HTTP {status}, expected 200"),
            Self::TooLarge { size } => write!(
                f,
                "JWKS_URI served {size} bytes, over the limit of {MAX_JWKS_BYTES} bytes"
            ),
            Self::Unavailable => f.write_str(
                "no usable JWKS: the last fetch failed and JWKS_MIN_REFRESH_SECONDS has not passed",
            ),
        }
    }
}

impl std::error::Error for JwksError {}

/// Fetches and parses the key set at `uri`.
///
/// # Errors
/// [`JwksError`] for a network failure, a non-200 status, an oversized or malformed body.
pub async fn fetch(uri: &str) -> Result<JwkSet, JwksError> {
    let network = |e: worker::Error| JwksError::Network {
        message: e.to_string(),
    };
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    // Workers support only `follow` and `manual`: a redirect is then a non-200 answer and fails.
    init.set_redirect(web_sys::RequestRedirect::Manual);
    let request = crate::forward::new_request(uri, &init).map_err(network)?;
    request
        .headers()
        .set("Accept", "application/json")
        .map_err(network)?;
    let response = Fetch::Request(request).send().await.map_err(network)?;
    let status = response.status_code();
    if status != 200 {
        return Err(JwksError::Status { status });
    }
    let announced = response
        .headers()
        .get("Content-Length")
        .ok()
        .flatten()
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(size) = announced.filter(|s| *s > MAX_JWKS_BYTES) {
        return Err(JwksError::TooLarge { size });
    }
    let raw: web_sys::Response = response.into();
    let body = read_limited(&raw, MAX_JWKS_BYTES).await?;
    JwkSet::from_json(&body).map_err(|e| JwksError::Malformed {
        reason: e.to_string(),
    })
}

/// Reads a response body chunk by chunk, giving up (and cancelling the stream) as soon as it
/// exceeds `limit`: a chunked body of any size costs at most `limit` bytes of memory.
async fn read_limited(response: &web_sys::Response, limit: usize) -> Result<Vec<u8>, JwksError> {
    let network = |e: JsValue| JwksError::Network {
        message: e.as_string().unwrap_or_else(|| format!("{e:?}")),
    };
    let Some(stream) = response.body() else {
        return Ok(Vec::new());
    };
    let reader: web_sys::ReadableStreamDefaultReader = stream
        .get_reader()
        .dyn_into()
        .map_err(|o: js_sys::Object| network(o.into()))?;
    let mut body = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(network)?;
        let done = Reflect::get(&chunk, &"done".into()).map_err(network)?;
        if done.as_bool() == Some(true) {
            return Ok(body);
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into())
            .map_err(network)?
            .dyn_into()
            .map_err(network)?;
        let size = body.len().saturating_add(value.length() as usize);
        if size > limit {
            // Best effort: the fetch is abandoned either way.
            let _ = reader.cancel();
            return Err(JwksError::TooLarge { size });
        }
        let start = body.len();
        body.resize(size, 0);
        if let Some(dest) = body.get_mut(start..) {
            value.copy_to(dest);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: an empty cache fetches; a stored set is used until its TTL, then fetched again.
    #[test]
    fn ttl_governs_reuse() {
        let mut c = JwksCache::default();
        assert_eq!(c.plan(1000, 300, 30), Plan::Fetch);
        c.start_attempt(1000);
        c.store("set", 1000);
        assert_eq!(c.plan(1299, 300, 30), Plan::Use);
        assert_eq!(c.fresh(1299, 300), Some(&"set"));
        assert_eq!(c.plan(1300, 300, 30), Plan::Fetch);
        assert_eq!(c.fresh(1300, 300), None);
    }

    // Intent: unknown-kid refreshes are rate limited by min_refresh, however many tokens ask.
    #[test]
    fn unknown_kid_flood_is_rate_limited() {
        let mut c = JwksCache::default();
        c.start_attempt(1000);
        c.store("set", 1000);
        assert!(!c.may_refresh_for_unknown_kid(1000, 30));
        assert!(!c.may_refresh_for_unknown_kid(1029, 30));
        assert!(c.may_refresh_for_unknown_kid(1030, 30));
        c.start_attempt(1030);
        let fetches = (1030..1060)
            .filter(|t| c.may_refresh_for_unknown_kid(*t, 30))
            .count();
        assert_eq!(fetches, 0);
    }

    // Intent: after a failed fetch (attempt without store) and an expired set, requests are
    // refused without new fetches until min_refresh has passed.
    #[test]
    fn failed_fetch_fails_closed_without_hammering() {
        let mut c: JwksCache<&str> = JwksCache::default();
        c.start_attempt(1000);
        assert_eq!(c.plan(1001, 300, 30), Plan::Unavailable);
        assert_eq!(c.plan(1030, 300, 30), Plan::Fetch);
        c.start_attempt(1030);
        c.store("set", 1031);
        assert_eq!(c.plan(1331, 300, 30), Plan::Fetch);
        c.start_attempt(1331);
        // The refetch failed: the expired set is not used.
        assert_eq!(c.plan(1332, 300, 30), Plan::Unavailable);
    }
}
