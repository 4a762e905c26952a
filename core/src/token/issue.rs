//! Minting RFC 9068 access tokens bound to a client certificate (feature `issue`).
//!
//! Core holds no RNG and reads no clock: the caller passes the key material (generated and
//! persisted by the adapter), `jti` and the issuing time. Signatures are deterministic
//! (ES256 with RFC 6979 nonces, Ed25519 by construction), so the same inputs give the same token.
//!
//! ```text
//! RFC 9068 §2.1: header typ "at+jwt";  §2.2: iss, exp, aud, sub, client_id, iat, jti
//! RFC 8705 §3.1: "cnf":{"x5t#S256":"…"} from the authenticated client's certificate
//! RFC 7638:      kid = base64url(SHA-256 of the canonical public JWK)
//! ```

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde_json::{Map, Value};

use super::{Algorithm, Jwk, JwkSet, TokenError};
use crate::cert::CertThumbprint;
use crate::{Error, UnixTime};

/// Longest token lifetime the issuer accepts (24 h): access tokens are meant to be short-lived
/// (RFC 9700 §2.2.1 / §4.1.3); longer grants belong in refresh tokens.
pub const MAX_LIFETIME_SECS: u64 = 24 * 60 * 60;

/// A signing key of certbound's authorization server: `ES256` (default) or `EdDSA`.
#[derive(Clone)]
pub struct SigningKey {
    inner: Inner,
    public: Jwk,
}

#[derive(Clone)]
enum Inner {
    Es256(p256::ecdsa::SigningKey),
    EdDsa(ed25519_dalek::SigningKey),
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("alg", &self.algorithm())
            .field("kid", &self.kid())
            .finish_non_exhaustive()
    }
}

fn key_error(problem: &'static str) -> Error {
    TokenError::SigningKey { problem }.into()
}

impl SigningKey {
    /// An `ES256` key from its 32-byte big-endian P-256 private scalar.
    ///
    /// # Errors
    /// [`TokenError::SigningKey`] when the scalar is zero or not below the group order.
    pub fn es256_from_scalar(scalar: &[u8; 32]) -> Result<Self, Error> {
        let key = p256::ecdsa::SigningKey::from_slice(scalar)
            .map_err(|_| key_error("the P-256 scalar is zero or not below the group order"))?;
        Self::from_inner(Inner::Es256(key))
    }

    /// An `EdDSA` (Ed25519) key from its 32-byte seed.
    ///
    /// # Errors
    /// Infallible in practice; `Result` for symmetry with the other constructors.
    pub fn ed25519_from_seed(seed: &[u8; 32]) -> Result<Self, Error> {
        Self::from_inner(Inner::EdDsa(ed25519_dalek::SigningKey::from_bytes(seed)))
    }

    /// A key from PKCS#8 `PrivateKeyInfo` DER: P-256 (`ES256`) or Ed25519 (`EdDSA`).
    ///
    /// # Errors
    /// [`TokenError::SigningKey`] for anything else.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        // One trait: ed25519-dalek and p256 re-export the same `pkcs8` crate.
        use ed25519_dalek::pkcs8::DecodePrivateKey as _;
        if let Ok(key) = p256::ecdsa::SigningKey::from_pkcs8_der(der) {
            return Self::from_inner(Inner::Es256(key));
        }
        if let Ok(key) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
            return Self::from_inner(Inner::EdDsa(key));
        }
        Err(key_error(
            "not a PKCS#8 P-256 or Ed25519 private key (only ES256 and EdDSA keys can sign)",
        ))
    }

    /// The key as PKCS#8 DER, for the adapter to persist; the buffer is zeroized on drop.
    ///
    /// # Errors
    /// [`TokenError::SigningKey`] if encoding fails (it does not for valid keys).
    pub fn to_pkcs8_der(&self) -> Result<p256::pkcs8::SecretDocument, Error> {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        match &self.inner {
            Inner::Es256(k) => p256::SecretKey::from(k.as_nonzero_scalar()).to_pkcs8_der(),
            Inner::EdDsa(k) => k.to_pkcs8_der(),
        }
        .map_err(|_| key_error("PKCS#8 encoding failed"))
    }

    fn from_inner(inner: Inner) -> Result<Self, Error> {
        let (alg, public) = match &inner {
            Inner::Es256(k) => (
                Algorithm::Es256,
                k.verifying_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec(),
            ),
            Inner::EdDsa(k) => (Algorithm::EdDsa, k.verifying_key().to_bytes().to_vec()),
        };
        let public = Jwk::for_issuer_key(alg, public)
            .ok_or_else(|| key_error("the public key could not be encoded"))?;
        Ok(Self { inner, public })
    }

    /// The JWS algorithm this key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self.inner {
            Inner::Es256(_) => Algorithm::Es256,
            Inner::EdDsa(_) => Algorithm::EdDsa,
        }
    }

    /// The key ID: the RFC 7638 thumbprint of the public JWK.
    pub fn kid(&self) -> &str {
        self.public.kid().unwrap_or_default()
    }

    /// The public JWK (with `kid`, `alg`, `use: "sig"`).
    pub fn public_jwk(&self) -> &Jwk {
        &self.public
    }

    fn sign(&self, message: &[u8]) -> Vec<u8> {
        use signature::Signer;
        match &self.inner {
            Inner::Es256(k) => {
                let sig: p256::ecdsa::Signature = k.sign(message);
                sig.to_bytes().to_vec()
            }
            Inner::EdDsa(k) => k.sign(message).to_bytes().to_vec(),
        }
    }
}

/// What goes into an access token. All values are the caller's: `jti` must be unique (the
/// adapter draws it from its RNG), `issued_at` is the adapter's clock.
#[derive(Debug, Clone, PartialEq)]
pub struct AccessTokenClaims {
    /// `iss`: the authorization server's issuer identifier.
    pub issuer: String,
    /// `aud`: the resource server(s); one entry is rendered as a string.
    pub audience: Vec<String>,
    /// `sub`: for client credentials, the client itself (RFC 9068 §2.2).
    pub subject: String,
    /// `client_id`.
    pub client_id: String,
    /// `scope`, space-delimited; `None` to omit.
    pub scope: Option<String>,
    /// `jti`: unique token identifier.
    pub jti: String,
    /// `iat` (and `nbf`: not used; `iat` bounds validity from below for RFC 9068 validators).
    pub issued_at: UnixTime,
    /// `exp - iat`, at most [`MAX_LIFETIME_SECS`].
    pub lifetime_secs: u64,
    /// The authenticated client's certificate thumbprint → `cnf.x5t#S256`; `None` mints an
    /// unbound bearer token.
    pub cnf: Option<CertThumbprint>,
}

/// Signs an RFC 9068 access token (`typ: at+jwt`, `kid`) with `key`.
///
/// # Errors
/// [`TokenError::SigningKey`] when the claims are unusable: empty issuer, audience, subject,
/// client_id or jti, or a lifetime of 0 or over [`MAX_LIFETIME_SECS`].
pub fn issue(key: &SigningKey, claims: &AccessTokenClaims) -> Result<String, Error> {
    if claims.issuer.is_empty()
        || claims.subject.is_empty()
        || claims.client_id.is_empty()
        || claims.jti.is_empty()
        || claims.audience.is_empty()
        || claims.audience.iter().any(String::is_empty)
    {
        return Err(key_error(
            "iss, aud, sub, client_id and jti must all be non-empty",
        ));
    }
    if claims.lifetime_secs == 0 || claims.lifetime_secs > MAX_LIFETIME_SECS {
        return Err(key_error("token lifetime must be between 1 s and 24 h"));
    }
    let iat = claims.issued_at.as_secs();
    let exp = iat.saturating_add(claims.lifetime_secs);

    let mut header = Map::new();
    header.insert("alg".into(), Value::from(key.algorithm().name()));
    header.insert("kid".into(), Value::from(key.kid()));
    header.insert("typ".into(), Value::from("at+jwt"));

    let mut body = Map::new();
    body.insert("iss".into(), Value::from(claims.issuer.as_str()));
    body.insert(
        "aud".into(),
        match claims.audience.as_slice() {
            [one] => Value::from(one.as_str()),
            many => Value::from(many.to_vec()),
        },
    );
    body.insert("sub".into(), Value::from(claims.subject.as_str()));
    body.insert("client_id".into(), Value::from(claims.client_id.as_str()));
    body.insert("jti".into(), Value::from(claims.jti.as_str()));
    body.insert("iat".into(), Value::from(iat));
    body.insert("exp".into(), Value::from(exp));
    if let Some(scope) = &claims.scope {
        body.insert("scope".into(), Value::from(scope.as_str()));
    }
    if let Some(cnf) = &claims.cnf {
        let mut m = Map::new();
        m.insert("x5t#S256".into(), Value::from(cnf.to_string()));
        body.insert("cnf".into(), Value::Object(m));
    }

    let header = serde_json::to_vec(&header).map_err(|_| key_error("header encoding failed"))?;
    let body = serde_json::to_vec(&body).map_err(|_| key_error("claims encoding failed"))?;
    let mut token = Base64UrlUnpadded::encode_string(&header);
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(&body));
    let signature = key.sign(token.as_bytes());
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(&signature));
    Ok(token)
}

/// The JWKS to publish for `keys`: `{"keys":[{…,"kid","alg","use":"sig"}]}`.
pub fn jwks(keys: &[&SigningKey]) -> Value {
    let keys: Vec<Value> = keys.iter().map(|k| k.public.to_json_value()).collect();
    let mut map = Map::new();
    map.insert("keys".into(), Value::Array(keys));
    Value::Object(map)
}

/// The published keys as a [`JwkSet`] a [`Validator`](super::Validator) can use directly.
pub fn jwk_set(keys: &[&SigningKey]) -> JwkSet {
    JwkSet::from_keys(keys.iter().map(|k| k.public.clone()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: ES256 signing is deterministic (RFC 6979) and PKCS#8 round-trips the key.
    #[test]
    fn deterministic_and_persistable() {
        let key = SigningKey::es256_from_scalar(&[7; 32]).unwrap();
        let claims = AccessTokenClaims {
            issuer: "https://as".into(),
            audience: alloc::vec!["https://rs".into()],
            subject: "c".into(),
            client_id: "c".into(),
            scope: None,
            jti: "1".into(),
            issued_at: UnixTime::since_unix_epoch(core::time::Duration::from_secs(1000)),
            lifetime_secs: 60,
            cnf: None,
        };
        let again = SigningKey::from_pkcs8_der(key.to_pkcs8_der().unwrap().as_bytes()).unwrap();
        assert_eq!(again.kid(), key.kid());
        assert_eq!(
            issue(&key, &claims).unwrap(),
            issue(&again, &claims).unwrap()
        );
        let ed = SigningKey::ed25519_from_seed(&[9; 32]).unwrap();
        let ed2 = SigningKey::from_pkcs8_der(ed.to_pkcs8_der().unwrap().as_bytes()).unwrap();
        assert_eq!(ed2.algorithm(), Algorithm::EdDsa);
        assert_eq!(ed2.kid(), ed.kid());
    }

    // Intent: a zero scalar is refused with an actionable message.
    #[test]
    fn zero_scalar_refused() {
        assert_eq!(
            SigningKey::es256_from_scalar(&[0; 32])
                .unwrap_err()
                .to_string(),
            "signing key: the P-256 scalar is zero or not below the group order"
        );
    }

    // Intent: the published JWKS re-parses into keys that fit their algorithm.
    #[test]
    fn jwks_reparses() {
        let a = SigningKey::es256_from_scalar(&[3; 32]).unwrap();
        let b = SigningKey::ed25519_from_seed(&[4; 32]).unwrap();
        let text = serde_json::to_vec(&jwks(&[&a, &b])).unwrap();
        let set = JwkSet::from_json(&text).unwrap();
        assert_eq!(set.keys().len(), 2);
        assert_eq!(
            set.select(Algorithm::Es256, Some(a.kid())).unwrap().kid(),
            Some(a.kid())
        );
        assert_eq!(
            set.select(Algorithm::EdDsa, Some(b.kid())).unwrap().kid(),
            Some(b.kid())
        );
        assert_eq!(set.keys()[0].thumbprint().as_deref(), Some(a.kid()));
    }
}
