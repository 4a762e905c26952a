//! A bounded cache of verified access tokens, so that a client repeating its token does not pay
//! for a signature verification on every request.
//!
//! The cache never changes a verdict:
//! - only **successes** are stored; a token that failed is checked in full every time;
//! - an entry is keyed by a SHA-256 over the [`Validator`]'s fingerprint (issuer, audience, every
//!   key of the JWKS, algorithm allow-list, leeway, `typ` and binding policy, required scopes),
//!   the presented certificate's `x5t#S256` (or its absence) and the token text: a token is
//!   only served to the same certificate (or to no certificate) under the very configuration
//!   that verified it, so a new key set or a new validator simply misses;
//! - a hit is served only while the time checks a full validation would run at `now` still
//!   pass (`exp` plus the validator's leeway, `nbf`, `iat`): everything else a validation
//!   checks is a function of the key's inputs alone, so the full check would return the same
//!   token. When a time check fails the full validation runs and returns its own error.
//!
//! Bounded: at most `max_entries` tokens of at most [`MAX_CACHED_TOKEN_BYTES`] each, evicted
//! oldest first (FIFO); inserting never grows the cache past its bound, and only tokens that
//! verified can be inserted at all. Lookups compare SHA-256 digests, so their timing reveals
//! nothing about the token or the certificate.
//!
//! Core keeps no global state: the adapter owns the cache (per isolate, per server) and passes
//! it in, with the time, like everything else.
//!
//! ```
//! use certbound_core::provider::RustCrypto;
//! use certbound_core::token::{JwkSet, TokenCache, Validator};
//! use certbound_core::{CertThumbprint, UnixTime};
//!
//! # let jwks = JwkSet::from_json(br#"{"keys":[{"alg":"ES256","crv":"P-256","kid":"Dwhk3O9GXmaAbt1mdgUKbjwl127gQtvRuBzEJcPhLDo","kty":"EC","use":"sig","x":"OtOGGpViE5JRa7WT7wVYPtLlhm9ctiYKMBcjf9ibkK8","y":"0JYcfjcHWmeRo5xh9WKVsCttJlZ7YV5gqkHuHI6DOI0"}]}"#)?;
//! let validator = Validator::builder("https://as.example", "https://rs.example", jwks)
//!     .build()
//!     .expect("issuer, audience and keys are set");
//! let mut cache = TokenCache::new(512);
//! # let token = "eyJhbGciOiJFUzI1NiIsImtpZCI6IkR3aGszTzlHWG1hQWJ0MW1kZ1VLYmp3bDEyN2dRdHZSdUJ6RUpjUGhMRG8iLCJ0eXAiOiJhdCtqd3QifQ.eyJhdWQiOiJodHRwczovL3JzLmV4YW1wbGUiLCJjbGllbnRfaWQiOiJjMSIsImNuZiI6eyJ4NXQjUzI1NiI6IkE0RHRMMkptVU1oQXN2Smo1dEt5bjY0U3F6bXVYYk1ySmEwbjc2MXk1djAifSwiZXhwIjoxNzE0NTY4NDAwLCJpYXQiOjE3MTQ1NjQ4MDAsImlzcyI6Imh0dHBzOi8vYXMuZXhhbXBsZSIsImp0aSI6ImoxIiwic2NvcGUiOiJyZWFkIiwic3ViIjoiYzEifQ.7_--kvuKV4_ljJ9Uh4IXN-57Z5Ov-QcqyqrSoXAAbYYA97pDLYBQzcj9Vdqtqd-9nYnbEvq3TBlMLtyJtLYnYg";
//! let presented = CertThumbprint::from_x5t_s256("A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0");
//! let now = UnixTime::since_unix_epoch(core::time::Duration::from_secs(1_714_565_000));
//!
//! // The first request verifies the signature; the second is answered from the cache.
//! let cold = cache.validate(&validator, &RustCrypto, token, presented.as_ref(), now)?;
//! let warm = cache.validate(&validator, &RustCrypto, token, presented.as_ref(), now)?;
//! assert_eq!(cold, warm);
//! assert_eq!((cache.hits(), cache.misses()), (1, 1));
//! // Another certificate (or none) never gets the cached answer: a full check refuses it.
//! assert!(cache.validate(&validator, &RustCrypto, token, None, now).is_err());
//! # Ok::<(), certbound_core::Error>(())
//! ```

use alloc::collections::{BTreeMap, VecDeque};

use sha2::{Digest, Sha256};

use super::claims::times_hold;
use super::{PendingSignature, ValidToken, Validator};
use crate::cert::CertThumbprint;
use crate::provider::{CryptoProvider, InvalidSignature};
use crate::{Error, UnixTime};

/// A sensible default bound: 512 tokens (each at most [`MAX_CACHED_TOKEN_BYTES`]), a few MB at
/// the very most, typically well under one.
pub const DEFAULT_CACHE_ENTRIES: usize = 512;

/// Tokens longer than this (4 KiB) are validated every time and never stored, which bounds the
/// cache's memory by `max_entries` × 4 KiB of token (plus its parsed claims).
pub const MAX_CACHED_TOKEN_BYTES: usize = 4 * 1024;

/// Domain separation for the entry key.
const KEY_DOMAIN: &[u8] = b"certbound token cache v1\0";

/// A bounded cache of verified tokens; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct TokenCache {
    max_entries: usize,
    entries: BTreeMap<[u8; 32], ValidToken>,
    /// Keys in insertion order (always the same set as `entries`), for FIFO eviction.
    order: VecDeque<[u8; 32]>,
    hits: u64,
    misses: u64,
}

impl Default for TokenCache {
    /// A cache of [`DEFAULT_CACHE_ENTRIES`].
    fn default() -> Self {
        Self::new(DEFAULT_CACHE_ENTRIES)
    }
}

/// What [`TokenCache::begin`] found.
#[derive(Debug)]
#[must_use = "a miss must have its signature verified and be passed to TokenCache::finish"]
pub enum CacheLookup {
    /// The token verified earlier for this validator and certificate and is still in its time
    /// window: the answer a full validation would give.
    Hit(ValidToken),
    /// Not cached (or cached but outside its time window now): the signature still has to be
    /// verified, then [`TokenCache::finish`] completes the validation and stores the result.
    Miss(CachedPending),
}

/// A [`PendingSignature`] that remembers where its result goes in the cache.
#[derive(Debug)]
#[must_use = "the token is not valid until the signature is verified and finish() returns Ok"]
pub struct CachedPending {
    key: Option<[u8; 32]>,
    pending: PendingSignature,
}

impl CachedPending {
    /// The signature to verify: scheme, key, signing input and signature bytes.
    pub fn pending(&self) -> &PendingSignature {
        &self.pending
    }
}

impl TokenCache {
    /// A cache holding at most `max_entries` tokens; `0` disables it (every call validates in
    /// full, nothing is stored).
    pub fn new(max_entries: usize) -> Self {
        Self {
            max_entries,
            entries: BTreeMap::new(),
            order: VecDeque::new(),
            hits: 0,
            misses: 0,
        }
    }

    /// The bound given to [`TokenCache::new`].
    pub fn max_entries(&self) -> usize {
        self.max_entries
    }

    /// How many tokens are stored.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Is nothing stored?
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Lookups answered from the cache.
    pub fn hits(&self) -> u64 {
        self.hits
    }

    /// Lookups that needed a full validation (including every refused token).
    pub fn misses(&self) -> u64 {
        self.misses
    }

    /// Forgets every stored token (the counters stay).
    pub fn clear(&mut self) {
        self.entries.clear();
        self.order.clear();
    }

    /// The cached answer for `token` presented with `presented` under `validator` at `now`, or
    /// [`Validator::begin`]'s pending signature to verify.
    ///
    /// # Errors
    /// As [`Validator::begin`]: every check that needs no signature, in full, on a miss.
    pub fn begin(
        &mut self,
        validator: &Validator,
        token: &str,
        presented: Option<&CertThumbprint>,
        now: UnixTime,
    ) -> Result<CacheLookup, Error> {
        let key = (self.max_entries > 0 && token.len() <= MAX_CACHED_TOKEN_BYTES)
            .then(|| entry_key(validator, token, presented));
        if let Some(hit) = key
            .and_then(|k| self.entries.get(&k))
            .filter(|t| times_hold(t, now.as_secs(), validator.leeway))
        {
            self.hits = self.hits.saturating_add(1);
            return Ok(CacheLookup::Hit(hit.clone()));
        }
        self.misses = self.misses.saturating_add(1);
        let pending = validator.begin(token, presented, now)?;
        Ok(CacheLookup::Miss(CachedPending { key, pending }))
    }

    /// Completes a miss with the provider's verdict on its signature ([`PendingSignature::finish`])
    /// and stores the token when it is valid.
    ///
    /// # Errors
    /// [`TokenError::Signature`](super::TokenError::Signature) when `verified` is `Err`.
    pub fn finish(
        &mut self,
        pending: CachedPending,
        verified: Result<(), InvalidSignature>,
    ) -> Result<ValidToken, Error> {
        let CachedPending { key, pending } = pending;
        let token = pending.finish(verified)?;
        if let Some(key) = key {
            self.insert(key, token.clone());
        }
        Ok(token)
    }

    /// [`TokenCache::begin`], the signature with `provider` on a miss, then
    /// [`TokenCache::finish`]: [`Validator::validate`] with the cache in front.
    ///
    /// # Errors
    /// As [`Validator::validate`].
    pub fn validate(
        &mut self,
        validator: &Validator,
        provider: &dyn CryptoProvider,
        token: &str,
        presented: Option<&CertThumbprint>,
        now: UnixTime,
    ) -> Result<ValidToken, Error> {
        match self.begin(validator, token, presented, now)? {
            CacheLookup::Hit(valid) => Ok(valid),
            CacheLookup::Miss(miss) => {
                let verified = miss.pending.verify_with(provider);
                self.finish(miss, verified)
            }
        }
    }

    fn insert(&mut self, key: [u8; 32], token: ValidToken) {
        if self.max_entries == 0 {
            return;
        }
        if let Some(slot) = self.entries.get_mut(&key) {
            // Validated again (its cached time window had closed): refresh in place.
            *slot = token;
            return;
        }
        while self.entries.len() >= self.max_entries {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.entries.remove(&oldest);
                }
                None => break,
            }
        }
        self.entries.insert(key, token);
        self.order.push_back(key);
    }
}

/// SHA-256 over the validator's fingerprint, the presented thumbprint (or its absence) and the
/// token.
fn entry_key(validator: &Validator, token: &str, presented: Option<&CertThumbprint>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(KEY_DOMAIN);
    h.update(validator.fingerprint);
    match presented {
        None => h.update([0]),
        Some(t) => {
            h.update([1]);
            h.update(t.as_bytes());
        }
    }
    h.update(token.as_bytes());
    h.finalize().into()
}

/// Builds a validator's fingerprint: a SHA-256 over an unambiguous (tagged, length-prefixed)
/// encoding of its whole configuration.
pub(crate) struct Fingerprint(Sha256);

impl Fingerprint {
    pub(crate) fn new() -> Self {
        let mut h = Sha256::new();
        h.update(b"certbound validator v1\0");
        Self(h)
    }

    pub(crate) fn tag(&mut self, tag: u8) {
        self.0.update([tag]);
    }

    pub(crate) fn len(&mut self, n: usize) {
        self.0.update((n as u64).to_le_bytes());
    }

    pub(crate) fn bytes(&mut self, bytes: &[u8]) {
        self.len(bytes.len());
        self.0.update(bytes);
    }

    pub(crate) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.tag(0),
            Some(s) => {
                self.tag(1);
                self.bytes(s.as_bytes());
            }
        }
    }

    pub(crate) fn finish(self) -> [u8; 32] {
        self.0.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::{String, ToString};
    use core::sync::atomic::{AtomicUsize, Ordering};
    use core::time::Duration;

    use base64ct::{Base64UrlUnpadded, Encoding};
    use p256::ecdsa::signature::Signer;
    use serde_json::{Value, json};

    use super::*;
    use crate::provider::{RustCrypto, SignatureScheme};
    use crate::token::{JwkSet, TokenError};

    const ISS: &str = "https://as.example";
    const AUD: &str = "https://rs.example";
    const NOW: u64 = 1_700_000_000;
    const EXP: u64 = NOW + 600;

    /// RustCrypto, counting the signatures it verifies: a cache hit verifies none.
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl CryptoProvider for Counting {
        fn verify(
            &self,
            scheme: SignatureScheme,
            public_key: &[u8],
            message: &[u8],
            signature: &[u8],
        ) -> Result<(), InvalidSignature> {
            self.0.fetch_add(1, Ordering::Relaxed);
            RustCrypto.verify(scheme, public_key, message, signature)
        }
    }

    impl Counting {
        fn count(&self) -> usize {
            self.0.load(Ordering::Relaxed)
        }
    }

    fn at(secs: u64) -> UnixTime {
        UnixTime::since_unix_epoch(Duration::from_secs(secs))
    }

    fn key(seed: u8) -> p256::ecdsa::SigningKey {
        p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap()
    }

    fn jwks(seed: u8) -> JwkSet {
        let p = key(seed).verifying_key().to_encoded_point(false);
        let jwk = json!({"kty": "EC", "crv": "P-256", "kid": "k1",
            "x": Base64UrlUnpadded::encode_string(p.x().unwrap()),
            "y": Base64UrlUnpadded::encode_string(p.y().unwrap())});
        JwkSet::from_json(json!({ "keys": [jwk] }).to_string().as_bytes()).unwrap()
    }

    fn validator(seed: u8) -> Validator {
        Validator::builder(ISS, AUD, jwks(seed)).build().unwrap()
    }

    fn cert(n: u8) -> CertThumbprint {
        CertThumbprint::from_bytes([n; 32])
    }

    /// An ES256 RFC 9068 token signed with key `seed`, bound to `bound`, with `jti` and `exp`.
    fn token(seed: u8, bound: &CertThumbprint, jti: &str, exp: u64) -> String {
        let header = json!({"alg": "ES256", "typ": "at+jwt", "kid": "k1"});
        let claims = json!({"iss": ISS, "aud": AUD, "sub": "alice", "client_id": "c1",
            "jti": jti, "iat": NOW - 10, "exp": exp, "cnf": {"x5t#S256": bound.to_string()}});
        let b64 = |v: &Value| Base64UrlUnpadded::encode_string(v.to_string().as_bytes());
        let input = format!("{}.{}", b64(&header), b64(&claims));
        let sig: p256::ecdsa::Signature = key(seed).sign(input.as_bytes());
        format!(
            "{input}.{}",
            Base64UrlUnpadded::encode_string(&sig.to_bytes())
        )
    }

    // Intent: the second validation of the same token for the same certificate is a hit: no
    // signature verified, the same ValidToken returned.
    #[test]
    fn hit() {
        let (v, p, mut c) = (validator(1), Counting::default(), TokenCache::new(8));
        let t = token(1, &cert(1), "j1", EXP);
        let cold = c.validate(&v, &p, &t, Some(&cert(1)), at(NOW)).unwrap();
        let warm = c.validate(&v, &p, &t, Some(&cert(1)), at(NOW + 1)).unwrap();
        assert_eq!(cold, warm);
        assert_eq!((p.count(), c.hits(), c.misses(), c.len()), (1, 1, 1, 1));
    }

    // Intent: another certificate, or none, never gets the cached answer; the full check runs
    // and refuses with its own error.
    #[test]
    fn miss_on_different_cert() {
        let (v, p, mut c) = (validator(1), Counting::default(), TokenCache::new(8));
        let t = token(1, &cert(1), "j1", EXP);
        c.validate(&v, &p, &t, Some(&cert(1)), at(NOW)).unwrap();
        let e = c.validate(&v, &p, &t, Some(&cert(2)), at(NOW)).unwrap_err();
        assert!(matches!(
            e,
            Error::Token(TokenError::CertificateMismatch { .. })
        ));
        let e = c.validate(&v, &p, &t, None, at(NOW)).unwrap_err();
        assert_eq!(e, Error::Token(TokenError::CertificateRequired));
        assert_eq!((c.hits(), c.misses(), c.len()), (0, 3, 1));
    }

    // Intent: a different token (other jti, or the same claims with a tampered signature) misses;
    // failures are never stored and fail every time.
    #[test]
    fn miss_on_different_token() {
        let (v, p, mut c) = (validator(1), Counting::default(), TokenCache::new(8));
        let t1 = token(1, &cert(1), "j1", EXP);
        let t2 = token(1, &cert(1), "j2", EXP);
        c.validate(&v, &p, &t1, Some(&cert(1)), at(NOW)).unwrap();
        c.validate(&v, &p, &t2, Some(&cert(1)), at(NOW)).unwrap();
        assert_eq!((p.count(), c.hits(), c.len()), (2, 0, 2));
        let forged = token(9, &cert(1), "j1", EXP); // same claims, signed by a stranger
        for _ in 0..2 {
            let e = c.validate(&v, &p, &forged, Some(&cert(1)), at(NOW));
            assert_eq!(e.unwrap_err(), Error::Token(TokenError::Signature));
        }
        assert_eq!((p.count(), c.hits(), c.len()), (4, 0, 2));
    }

    // Intent: a cached token is served up to the last second a full check accepts
    // (exp + leeway - 1) and refused, with the full check's error, at exactly exp + leeway.
    #[test]
    fn expiry_at_exp_plus_leeway() {
        let (v, p, mut c) = (validator(1), Counting::default(), TokenCache::new(8));
        let leeway = crate::token::DEFAULT_LEEWAY_SECS;
        let t = token(1, &cert(1), "j1", EXP);
        c.validate(&v, &p, &t, Some(&cert(1)), at(NOW)).unwrap();
        let last = EXP + leeway - 1;
        assert!(c.validate(&v, &p, &t, Some(&cert(1)), at(last)).is_ok());
        assert_eq!(c.hits(), 1);
        let e = c.validate(&v, &p, &t, Some(&cert(1)), at(EXP + leeway));
        assert_eq!(
            e.unwrap_err(),
            Error::Token(TokenError::Expired {
                exp: EXP,
                now: EXP + leeway,
                leeway
            })
        );
        assert_eq!(
            e_uncached(&v, &t, EXP + leeway),
            e_cached_twice(&v, &t, EXP + leeway)
        );
        // A clock that goes back is answered as a full check would: nbf/iat are re-checked.
        let e = c.validate(&v, &p, &t, Some(&cert(1)), at(NOW - 10 - leeway - 1));
        assert!(matches!(
            e.unwrap_err(),
            Error::Token(TokenError::IssuedInFuture { .. })
        ));
        assert_eq!(c.hits(), 1);
    }

    fn e_uncached(v: &Validator, t: &str, now: u64) -> Result<ValidToken, Error> {
        v.validate(&RustCrypto, t, Some(&cert(1)), at(now))
    }

    fn e_cached_twice(v: &Validator, t: &str, now: u64) -> Result<ValidToken, Error> {
        let mut c = TokenCache::new(8);
        c.validate(v, &RustCrypto, t, Some(&cert(1)), at(NOW))
            .unwrap();
        c.validate(v, &RustCrypto, t, Some(&cert(1)), at(now))
    }

    // Intent: the cache never holds more than its bound; the oldest entry goes first; 0 disables.
    #[test]
    fn bound_respected() {
        let (v, p, mut c) = (validator(1), Counting::default(), TokenCache::new(3));
        let tokens: alloc::vec::Vec<String> = (0..10)
            .map(|i| token(1, &cert(1), &format!("j{i}"), EXP))
            .collect();
        for t in &tokens {
            c.validate(&v, &p, t, Some(&cert(1)), at(NOW)).unwrap();
            assert!(c.len() <= 3);
            assert_eq!(c.order.len(), c.entries.len());
        }
        assert_eq!(c.len(), 3);
        // The last three hit, the first one was evicted.
        let before = p.count();
        for t in &tokens[7..] {
            c.validate(&v, &p, t, Some(&cert(1)), at(NOW)).unwrap();
        }
        assert_eq!(p.count(), before);
        c.validate(&v, &p, &tokens[0], Some(&cert(1)), at(NOW))
            .unwrap();
        assert_eq!((p.count(), c.len()), (before + 1, 3));

        let mut off = TokenCache::new(0);
        for _ in 0..3 {
            off.validate(&v, &p, &tokens[0], Some(&cert(1)), at(NOW))
                .unwrap();
        }
        assert_eq!((off.len(), off.hits(), p.count()), (0, 0, before + 4));
    }

    // Intent: a validator over a new key set (or any other configuration) shares nothing with the
    // old one's entries: the token signed by the retired key is refused in full, and the old
    // validator's entries do not leak into the new one even for a token both accept.
    #[test]
    fn invalidation_on_new_keys() {
        let (p, mut c) = (Counting::default(), TokenCache::new(8));
        let old = validator(1);
        let t = token(1, &cert(1), "j1", EXP);
        c.validate(&old, &p, &t, Some(&cert(1)), at(NOW)).unwrap();
        let rotated = validator(2);
        let e = c.validate(&rotated, &p, &t, Some(&cert(1)), at(NOW));
        assert_eq!(e.unwrap_err(), Error::Token(TokenError::Signature));
        // Same keys, stricter configuration: refused, not served from the old entry.
        let scoped = Validator::builder(ISS, AUD, jwks(1))
            .required_scopes(["admin"])
            .build()
            .unwrap();
        let e = c.validate(&scoped, &p, &t, Some(&cert(1)), at(NOW));
        assert!(matches!(
            e.unwrap_err(),
            Error::Token(TokenError::InsufficientScope { .. })
        ));
        // An identical validator built again is the same configuration: it hits.
        let again = validator(1);
        c.validate(&again, &p, &t, Some(&cert(1)), at(NOW)).unwrap();
        assert_eq!((c.hits(), c.misses()), (1, 3));
        // Fingerprints differ for every setting.
        let b = || Validator::builder(ISS, AUD, jwks(1));
        let prints = [
            validator(1).fingerprint,
            b().leeway_secs(61).build().unwrap().fingerprint,
            b().allow_unbound().build().unwrap().fingerprint,
            b().allow_untyped().build().unwrap().fingerprint,
            b().algorithms(&[
                crate::token::Algorithm::Es256,
                crate::token::Algorithm::Es384,
            ])
            .build()
            .unwrap()
            .fingerprint,
            Validator::builder("https://as.example/", AUD, jwks(1))
                .build()
                .unwrap()
                .fingerprint,
            Validator::builder(ISS, "https://rs.example/", jwks(1))
                .build()
                .unwrap()
                .fingerprint,
            validator(2).fingerprint,
        ];
        for (i, a) in prints.iter().enumerate() {
            for b in &prints[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }

    // Intent: the split begin/finish flow (WebCrypto adapters) stores only on a verified
    // signature.
    #[test]
    fn begin_finish_stores_only_successes() {
        let (v, mut c) = (validator(1), TokenCache::new(8));
        let t = token(1, &cert(1), "j1", EXP);
        let CacheLookup::Miss(m) = c.begin(&v, &t, Some(&cert(1)), at(NOW)).unwrap() else {
            panic!("empty cache hit");
        };
        assert_eq!(
            c.finish(m, Err(InvalidSignature)).unwrap_err(),
            Error::Token(TokenError::Signature)
        );
        assert!(c.is_empty());
        let CacheLookup::Miss(m) = c.begin(&v, &t, Some(&cert(1)), at(NOW)).unwrap() else {
            panic!("a failure was cached");
        };
        let p = m.pending();
        let ok = RustCrypto.verify(p.scheme(), p.public_key(), p.signing_input(), p.signature());
        c.finish(m, ok).unwrap();
        assert!(matches!(
            c.begin(&v, &t, Some(&cert(1)), at(NOW)).unwrap(),
            CacheLookup::Hit(_)
        ));
    }

    // Intent: tokens over MAX_CACHED_TOKEN_BYTES are validated every time and never stored.
    #[test]
    fn large_tokens_not_stored() {
        let (v, p, mut c) = (validator(1), Counting::default(), TokenCache::new(8));
        let t = token(1, &cert(1), &"x".repeat(MAX_CACHED_TOKEN_BYTES), EXP);
        for _ in 0..2 {
            c.validate(&v, &p, &t, Some(&cert(1)), at(NOW)).unwrap();
        }
        assert_eq!((p.count(), c.len()), (2, 0));
    }
}
