//! # certbound edge worker
//!
//! A Cloudflare Worker that admits a request only with a valid access token bound to the
//! client's TLS certificate (RFC 8705 §3), then forwards it to the origin with identity
//! headers. Every certificate and token decision is certbound-core's; this crate translates
//! between the Workers runtime and core:
//!
//! | step | core API |
//! |---|---|
//! | `Authorization: Bearer` | [`certbound_core::oauth::bearer_token`] |
//! | client certificate | [`certbound_core::forwarded`] (`decode`, `decode_cloudflare` with hints) |
//! | chain to trust anchors | [`certbound_core::path::verify_chain_with_provider`], signatures by WebCrypto ([`certbound_provider_webcrypto::resolve`]) |
//! | token + binding | [`certbound_core::token::TokenCache`] in front of [`certbound_core::token::Validator`]: `begin` / `finish`, the signature by WebCrypto |
//! | deny answers | [`certbound_core::oauth::BearerError`] |
//!
//! Configuration, policies and deployment: `edge-worker/README.md`.
#![forbid(unsafe_code)]

pub mod cloudflare;
pub mod config;
pub mod forward;
pub mod jwks;
pub mod whatwg;

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use certbound_core::forwarded::{self, CertSource, CloudflareHints, ForwardedError, Limits};
use certbound_core::oauth::{self, BearerError};
use certbound_core::path::{self, VerifyOptions};
use certbound_core::token::resource::canonical_path;
use certbound_core::token::{CacheLookup, TokenCache, TokenError, ValidToken};
use certbound_core::{CertThumbprint, Certificate, Error, UnixTime};
use certbound_provider_webcrypto as webcrypto;
use worker::{Context, Env, Fetch, Request, Response, console_error, console_warn, event};

use crate::cloudflare::TlsClientAuth;
use crate::config::{CertSourceConfig, Config, JwksConfig};
use crate::forward::Identity;
use crate::jwks::{JwksCache, JwksError, Plan, Validators};
use crate::whatwg::OriginUrl;

/// Size limits for forwarded certificate headers: core's defaults (16 KiB per header, 10 chain
/// certificates).
pub const FORWARDED_LIMITS: Limits = Limits::new(
    forwarded::DEFAULT_MAX_HEADER_BYTES,
    forwarded::DEFAULT_MAX_CHAIN,
);

thread_local! {
    /// The configuration, parsed at the first request of the isolate (variables cannot change
    /// within an isolate: a new deployment starts new isolates).
    static CONFIG: RefCell<Option<Result<Rc<Config>, config::ConfigError>>> = const { RefCell::new(None) };
    /// The certificate headers stripped before the origin (see [`strip_list`]), per isolate.
    static STRIP: Rc<[String]> = Rc::from(strip_list(None));
    /// Validators over the current key set, and the fetch bookkeeping for `JWKS_URI`.
    static KEYS: RefCell<KeyState> = RefCell::new(KeyState::default());
    /// Verified tokens (core's bounded `TokenCache`, `TOKEN_CACHE_ENTRIES`), per isolate.
    static TOKEN_CACHE: RefCell<Option<TokenCache>> = const { RefCell::new(None) };
    /// Certificate headers decoded recently (see [`decode_cached`]), per isolate.
    static DECODED: RefCell<VecDeque<(DecodeInput, Rc<Decoded>)>> = const { RefCell::new(VecDeque::new()) };
}

/// How many decoded certificate headers an isolate keeps.
pub const DECODED_CERT_ENTRIES: usize = 16;

/// A client certificate (leaf, then the chain sent with it) as core decoded it from headers.
type Decoded = (Certificate, Vec<Certificate>);

/// Everything core's header decoding reads: the certificate headers (names and values, as sent)
/// and, for Cloudflare, `tlsClientAuth`'s hints.
#[derive(PartialEq, Eq)]
struct DecodeInput {
    headers: Vec<(String, String)>,
    hints: Option<CloudflareHints>,
}

/// Core's decoding of the certificate headers (`decode`: `forwarded::decode` or
/// `decode_cloudflare` over exactly `headers` and `hints`), through a small per-isolate cache.
/// Decoding (base64 or PEM, DER parse, SHA-256, the fingerprint hint check) is a function of its
/// input alone, and a client sends the same certificate header again (on each connection, or on
/// every request behind a proxy): a success is kept and returned for an identical input. A
/// refusal is not kept (it is decoded, and logged, every time); the chain is still validated and
/// the token still bound per request.
fn decode_cached(
    headers: &[(String, String)],
    hints: Option<&CloudflareHints>,
    decode: impl FnOnce() -> Result<Option<forwarded::ForwardedCert>, Error>,
) -> Result<Option<Rc<Decoded>>, Error> {
    let hit = DECODED.with(|d| {
        d.borrow()
            .iter()
            .find(|(input, _)| input.headers == headers && input.hints.as_ref() == hints)
            .map(|(_, decoded)| decoded.clone())
    });
    if hit.is_some() {
        return Ok(hit);
    }
    let Some(cert) = decode()? else {
        return Ok(None);
    };
    let decoded = Rc::new(cert.into_parts());
    DECODED.with(|d| {
        let mut d = d.borrow_mut();
        if d.len() >= DECODED_CERT_ENTRIES {
            d.pop_front();
        }
        let input = DecodeInput {
            headers: headers.to_vec(),
            hints: hints.cloned(),
        };
        d.push_back((input, decoded.clone()));
    });
    Ok(Some(decoded))
}

#[derive(Default)]
struct KeyState {
    cache: JwksCache<Rc<Validators>>,
    /// When (`Date.now()` ms) the `JWKS_URI` fetch in progress started, if one is.
    fetching_since: Option<u64>,
}

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let config = match load_config(&env) {
        Ok(c) => c,
        Err(e) => {
            console_error!("certbound: configuration error: {e}");
            return Response::error(
                "certbound edge worker is misconfigured; the operator will find the reason in the worker's logs",
                500,
            );
        }
    };
    handle(req, &config).await
}

fn load_config(env: &Env) -> Result<Rc<Config>, config::ConfigError> {
    CONFIG.with(|c| {
        c.borrow_mut()
            .get_or_insert_with(|| {
                let lookup = |name: &'static str| {
                    js_sys::Reflect::get(env.as_ref(), &name.into())
                        .ok()
                        .and_then(|v| v.as_string())
                };
                Config::from_vars(lookup).map(Rc::new)
            })
            .clone()
    })
}

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(core::time::Duration::from_secs(now_millis() / 1000))
}

/// The deny answer: status and `WWW-Authenticate` exactly as core builds them, no body detail.
fn deny(config: &Config, error: &BearerError) -> worker::Result<Response> {
    let mut response = Response::empty()?.with_status(error.status());
    response.headers_mut().set(
        "WWW-Authenticate",
        &error.www_authenticate(config.realm.as_deref()),
    )?;
    response.headers_mut().set("Cache-Control", "no-store")?;
    Ok(response)
}

fn service_unavailable(e: &JwksError) -> worker::Result<Response> {
    console_error!("certbound: {e}");
    let mut response = Response::error("token signing keys are unavailable; retry later", 503)?;
    response.headers_mut().set("Retry-After", "30")?;
    Ok(response)
}

async fn handle(req: Request, config: &Config) -> worker::Result<Response> {
    // The URL as the runtime serialized it (not reparsed: see `whatwg`).
    let url = req.inner().url();
    // Route scopes are matched on the canonical path, and the origin receives that path: an
    // origin that decodes `%61` or merges `//` sees exactly the path that was authorized.
    let raw_path = req.path();
    let path = match canonical_path(&raw_path) {
        Ok(p) => p,
        Err(e) => {
            console_warn!("certbound: request path refused: {e}");
            return deny(config, &BearerError::malformed_path());
        }
    };
    let query = whatwg::query(&url);
    // RFC 6750 §2.3 (URI query parameter) is not supported: a token in a URL ends up in logs.
    if query.is_some_and(|q| whatwg::query_has_key(q, "access_token")) {
        return deny(config, &BearerError::malformed_request());
    }
    let authorization = req.headers().get("Authorization")?;
    let token = match oauth::bearer_token(authorization.as_deref()) {
        Ok(t) => t.to_owned(),
        Err(e) => return deny(config, &e),
    };
    let now = now();

    // Only the headers the source reads cross from JS into wasm.
    let source_names = match &config.source {
        CertSourceConfig::Header(source) => source.header_names(),
        CertSourceConfig::Cloudflare(_) => CertSource::Cloudflare.header_names(),
    };
    let mut cert_headers: Vec<(String, String)> = Vec::with_capacity(source_names.len());
    for name in source_names {
        if let Some(value) = req.headers().get(name)? {
            cert_headers.push((name.to_owned(), value));
        }
    }
    let presented = match client_certificate(&req, &cert_headers, config, now).await {
        Ok(p) => p,
        Err(e) => {
            console_warn!("certbound: client certificate refused: {e}");
            return deny(config, &BearerError::from_error(&e));
        }
    };

    let valid = match validate(config, &path, &token, presented.as_ref(), now).await {
        Ok(v) => v,
        Err(Refusal::Token(e)) => {
            console_warn!("certbound: access token refused: {e}");
            return deny(config, &BearerError::from_error(&e));
        }
        Err(Refusal::Keys(e)) => return service_unavailable(&e),
    };

    let identity = Identity {
        client_id: valid.client_id().unwrap_or_default().to_owned(),
        thumbprint: presented.map(|t| t.to_string()),
        subject: valid.subject().unwrap_or_default().to_owned(),
    };
    for (claim, value) in [
        ("client_id", &identity.client_id),
        ("sub", &identity.subject),
    ] {
        if !forward::is_safe_header_value(value) {
            let e = Error::Token(TokenError::ClaimType {
                claim,
                expected: "visible ASCII (it is forwarded in a header)",
            });
            console_warn!("certbound: access token refused: {e}");
            return deny(config, &BearerError::from_error(&e));
        }
    }
    let headers = match &config.source {
        // nginx and HAProxy read a configurable header: add it to the list.
        CertSourceConfig::Header(
            source @ (CertSource::Haproxy { .. } | CertSource::Nginx { .. }),
        ) => forward::origin_headers(req.headers(), &strip_list(Some(source)), &identity)?,
        _ => STRIP.with(|strip| forward::origin_headers(req.headers(), strip, &identity))?,
    };
    let target = match (&config.origin, &path) {
        (Some(origin), _) => origin.with_path_and_query(&path, query),
        (None, Cow::Borrowed(_)) => url,
        // Pass-through with a path that changed: the request's own origin, canonical path.
        (None, Cow::Owned(_)) => OriginUrl::from_href(&url)
            .ok_or_else(|| worker::Error::RustError(format!("request URL without a host: {url}")))?
            .with_path_and_query(&path, query),
    };
    let origin_request = forward::origin_request(&req, &target, headers)?;
    Fetch::Request(origin_request).send().await
}

/// Every certificate header of every source (and `custom`, a configured source that may use a
/// custom header name): none of them may reach the origin.
fn strip_list(custom: Option<&CertSource>) -> Vec<String> {
    let mut sources = vec![
        CertSource::AwsAlb,
        CertSource::Azure,
        CertSource::Cloudflare,
        CertSource::Envoy(forwarded::EnvoyOptions::new()),
        CertSource::haproxy(),
        CertSource::nginx(),
        CertSource::Rfc9440,
        CertSource::Traefik,
    ];
    if let Some(source) = custom {
        sources.push(source.clone());
    }
    let mut names: Vec<String> = sources
        .iter()
        .flat_map(|s| {
            s.header_names()
                .into_iter()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    names.sort_by_key(|n| n.to_ascii_lowercase());
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    names
}

/// The thumbprint of the client certificate the request proves possession of, or `None` when
/// there is none (a bound token is then refused by core with `CertificateRequired`).
async fn client_certificate(
    req: &Request,
    headers: &[(String, String)],
    config: &Config,
    now: UnixTime,
) -> Result<Option<CertThumbprint>, Error> {
    let decoded = match &config.source {
        CertSourceConfig::Header(source) => {
            match decode_cached(headers, None, || {
                forwarded::decode(source, headers, &FORWARDED_LIMITS)
            })? {
                None => return Ok(None),
                Some(decoded) => decoded,
            }
        }
        CertSourceConfig::Cloudflare(policy) => {
            let Some(tca) = TlsClientAuth::from_request(req.inner()) else {
                console_warn!(
                    "certbound: no request.cf.tlsClientAuth: is mTLS enabled on the zone?"
                );
                return Ok(None);
            };
            if !tca.presented() {
                // Any Cf-Client-Cert-Der-Base64 the client sent is ignored (and stripped).
                return Ok(None);
            }
            if tca.revoked() {
                console_warn!("certbound: Cloudflare reports the client certificate revoked");
                return Ok(None);
            }
            if policy.require_verified && !tca.verified() {
                console_warn!(
                    "certbound: Cloudflare certVerified is {:?}, CF_REQUIRE_VERIFIED demands SUCCESS",
                    tca.cert_verified.as_deref().unwrap_or("(absent)")
                );
                return Ok(None);
            }
            // The fingerprint is what ties the forwarded header to this TLS session: without
            // it an injected header could not be told apart, so fail closed.
            let Some(fp) = tca.cert_fingerprint_sha256.as_deref() else {
                console_warn!("certbound: certPresented without certFingerprintSHA256");
                return Ok(None);
            };
            let hints = CloudflareHints::new(true)
                .cert_verified(tca.verified())
                .cert_fingerprint_sha256(fp);
            let decoded = decode_cached(headers, Some(&hints), || {
                forwarded::decode_cloudflare(headers, Some(&hints), &FORWARDED_LIMITS)
            });
            match decoded {
                Ok(Some(decoded)) => decoded,
                Ok(None) => return Ok(None),
                Err(Error::Forwarded(ForwardedError::CloudflareNotForwarded)) => {
                    // Not the first request of the connection: Cloudflare sent no certificate.
                    if !policy.allow_fingerprint_only || config.trust_anchors.is_some() {
                        console_warn!(
                            "certbound: Cf-Client-Cert-Der-Base64 absent and fingerprint-only binding is off"
                        );
                        return Ok(None);
                    }
                    return Ok(CertThumbprint::from_hex(fp));
                }
                Err(e) => return Err(e),
            }
        }
    };
    let (leaf, chain) = &*decoded;
    if let Some(trust) = &config.trust_anchors {
        let options = VerifyOptions::default();
        webcrypto::resolve(|p| {
            path::verify_chain_with_provider(trust, leaf, chain, now, &options, p)
        })
        .await??;
    }
    Ok(Some(leaf.x5t_s256()))
}

enum Refusal {
    Keys(JwksError),
    Token(Error),
}

async fn validate(
    config: &Config,
    path: &str,
    token: &str,
    presented: Option<&CertThumbprint>,
    now: UnixTime,
) -> Result<ValidToken, Refusal> {
    let validators = key_validators(config, now, false)
        .await
        .map_err(Refusal::Keys)?;
    match check(config, &validators, path, token, presented, now).await {
        Err(Error::Token(TokenError::UnknownKid { .. })) if refresh_allowed(config, now) => {
            // The issuer may have rotated its keys: one refetch, rate limited.
            let validators = key_validators(config, now, true)
                .await
                .map_err(Refusal::Keys)?;
            check(config, &validators, path, token, presented, now)
                .await
                .map_err(Refusal::Token)
        }
        other => other.map_err(Refusal::Token),
    }
}

/// The token check for `path`, through the isolate's token cache: a token this validator
/// verified for this certificate and still in its time window is answered without a signature
/// verification; everything else is validated in full (core's `TokenCache`).
async fn check(
    config: &Config,
    validators: &Validators,
    path: &str,
    token: &str,
    presented: Option<&CertThumbprint>,
    now: UnixTime,
) -> Result<ValidToken, Error> {
    let validator = validators.for_path(path);
    let lookup = with_token_cache(config, |cache| {
        cache.begin(validator, token, presented, now)
    })?;
    let miss = match lookup {
        CacheLookup::Hit(valid) => return Ok(valid),
        CacheLookup::Miss(miss) => miss,
    };
    let p = miss.pending();
    let verified =
        webcrypto::verify(p.scheme(), p.public_key(), p.signing_input(), p.signature()).await;
    // The borrow is not held across the await above: concurrent requests share the cache.
    with_token_cache(config, |cache| cache.finish(miss, verified))
}

/// Runs `f` on the isolate's token cache, created at first use with the configured size.
fn with_token_cache<T>(config: &Config, f: impl FnOnce(&mut TokenCache) -> T) -> T {
    TOKEN_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        f(c.get_or_insert_with(|| TokenCache::new(config.token_cache_entries)))
    })
}

fn refresh_allowed(config: &Config, now: UnixTime) -> bool {
    match &config.jwks {
        JwksConfig::Inline(_) => false,
        JwksConfig::Remote {
            min_refresh_seconds,
            ..
        } => KEYS.with(|k| {
            let k = k.borrow();
            k.fetching_since.is_some()
                || k.cache
                    .may_refresh_for_unknown_kid(now.as_secs(), *min_refresh_seconds)
        }),
    }
}

/// How long a request waits for another request's JWKS fetch before answering 503; also the
/// age after which an unfinished fetch is presumed abandoned (its request was cancelled).
pub const JWKS_WAIT_MILLIS: u64 = 10_000;

/// Poll interval while waiting for another request's JWKS fetch. Workers cannot await a promise
/// of another request (the runtime would cancel the waiter as hung), so a waiter sleeps on its
/// own timer and re-reads the isolate's cache.
const JWKS_POLL_MILLIS: u64 = 5;

fn now_millis() -> u64 {
    // Date.now() is a non-negative integer number of milliseconds well below 2^53.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let millis = js_sys::Date::now() as u64;
    millis
}

enum Step {
    Done(Result<Rc<Validators>, JwksError>),
    Fetch,
    Wait,
}

/// The validators for the current key set: inline keys (built once), the cached fetched set, or
/// a fetch when none is fresh or `refresh` is asked (an unknown `kid`). Concurrent requests
/// wait for a fetch in progress instead of starting their own.
async fn key_validators(
    config: &Config,
    now: UnixTime,
    refresh: bool,
) -> Result<Rc<Validators>, JwksError> {
    let (ttl, min_refresh, uri) = match &config.jwks {
        JwksConfig::Inline(keys) => {
            if let Some(v) = KEYS.with(|k| k.borrow().cache.fresh(0, u64::MAX).cloned()) {
                return Ok(v);
            }
            let v = Rc::new(Validators::build(config, keys.clone()).map_err(|e| {
                JwksError::Unusable {
                    reason: e.to_string(),
                }
            })?);
            KEYS.with(|k| k.borrow_mut().cache.store(v.clone(), 0));
            return Ok(v);
        }
        JwksConfig::Remote {
            uri,
            ttl_seconds,
            min_refresh_seconds,
        } => (*ttl_seconds, *min_refresh_seconds, uri.as_str()),
    };
    let secs = now.as_secs();
    let started = now_millis();
    let mut waited = false;
    loop {
        let step = KEYS.with(|k| {
            let mut k = k.borrow_mut();
            let millis = now_millis();
            if let Some(since) = k.fetching_since {
                if millis.saturating_sub(since) < JWKS_WAIT_MILLIS {
                    return if millis.saturating_sub(started) < JWKS_WAIT_MILLIS {
                        Step::Wait
                    } else {
                        Step::Done(Err(JwksError::Unavailable))
                    };
                }
                k.fetching_since = None; // abandoned
            }
            let fresh = k.cache.fresh(secs, ttl).cloned();
            if waited {
                // Another request's fetch just finished: use whatever it left.
                return Step::Done(fresh.ok_or(JwksError::Unavailable));
            }
            let plan = if refresh {
                if k.cache.may_refresh_for_unknown_kid(secs, min_refresh) {
                    Plan::Fetch
                } else {
                    Plan::Use
                }
            } else {
                k.cache.plan(secs, ttl, min_refresh)
            };
            match plan {
                Plan::Use => Step::Done(fresh.ok_or(JwksError::Unavailable)),
                Plan::Unavailable => Step::Done(Err(JwksError::Unavailable)),
                Plan::Fetch => {
                    k.cache.start_attempt(secs);
                    k.fetching_since = Some(millis);
                    Step::Fetch
                }
            }
        });
        match step {
            Step::Done(result) => return result,
            Step::Wait => {
                waited = true;
                worker::Delay::from(core::time::Duration::from_millis(JWKS_POLL_MILLIS)).await;
            }
            Step::Fetch => {
                let result = jwks::fetch(uri).await.and_then(|keys| {
                    Validators::build(config, keys)
                        .map(Rc::new)
                        .map_err(|e| JwksError::Unusable {
                            reason: e.to_string(),
                        })
                });
                KEYS.with(|k| {
                    let mut k = k.borrow_mut();
                    k.fetching_since = None;
                    if let Ok(v) = &result {
                        k.cache.store(v.clone(), secs);
                    }
                });
                return result;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;

    fn cert_b64(cn: &str) -> String {
        let cert = rcgen::generate_simple_self_signed(vec![cn.to_owned()]).unwrap();
        <base64ct::Base64 as base64ct::Encoding>::encode_string(cert.cert.der())
    }

    fn headers(value: &str) -> Vec<(String, String)> {
        vec![("Cf-Client-Cert-Der-Base64".to_owned(), value.to_owned())]
    }

    // Intent: an identical input is decoded once; another header, other hints or a refusal are
    // decoded (again); the oldest entry goes when the cache is full.
    #[test]
    fn decoded_certificates_are_reused_for_identical_input_only() {
        let calls = Cell::new(0);
        let decode = |h: &[(String, String)], hints: Option<&CloudflareHints>| {
            decode_cached(h, hints, || {
                calls.set(calls.get() + 1);
                forwarded::decode_cloudflare(h, hints, &FORWARDED_LIMITS)
            })
        };
        let alice = headers(&cert_b64("alice"));
        let first = decode(&alice, None).unwrap().unwrap();
        let again = decode(&alice, None).unwrap().unwrap();
        assert!(Rc::ptr_eq(&first, &again));
        assert_eq!(calls.get(), 1);

        // Other hints: decoded, and a fingerprint mismatch is refused every time.
        let wrong = CloudflareHints::new(true).cert_fingerprint_sha256(&"00".repeat(32));
        for _ in 0..2 {
            assert!(matches!(
                decode(&alice, Some(&wrong)),
                Err(Error::Forwarded(
                    ForwardedError::FingerprintHintMismatch { .. }
                ))
            ));
        }
        assert_eq!(calls.get(), 3);
        let right =
            CloudflareHints::new(true).cert_fingerprint_sha256(&first.0.x5t_s256().to_hex());
        decode(&alice, Some(&right)).unwrap().unwrap();
        assert_eq!(calls.get(), 4);

        // Undecodable headers are never kept.
        let junk = headers("not base64!");
        assert!(decode(&junk, None).is_err());
        assert!(decode(&junk, None).is_err());
        assert_eq!(calls.get(), 6);

        // Full: the oldest input (alice without hints) is decoded again.
        for i in 0..DECODED_CERT_ENTRIES {
            decode(&headers(&cert_b64(&format!("c{i}"))), None)
                .unwrap()
                .unwrap();
        }
        let before = calls.get();
        decode(&alice, None).unwrap().unwrap();
        assert_eq!(calls.get(), before + 1);
    }
}
