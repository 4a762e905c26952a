//! `jwks` for `self_signed_tls_client_auth` (RFC 8705 §2.2.2): each key carries its
//! certificate in `x5c[0]`. The key itself is validated — including that it *is* the public key
//! of `x5c[0]` — by [`crate::token::jwk::Jwk`]; this module only insists on `x5c` and takes the
//! certificate out.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64, Encoding};
use serde_json::Value;

use crate::cert::Certificate;
use crate::token::TokenError;
use crate::token::jwk::{Jwk, JwkProblem as KeyProblem};

/// A JWK Set as registered (RFC 7517 §5); each key is validated by
/// [`crate::token::jwk::Jwk::from_value`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJwks {
    /// The keys, as JSON objects.
    pub keys: Vec<Value>,
}

/// Why a registered JWK was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwkProblem {
    /// `x5c[0]` decoded but is not a certificate certbound can read.
    BadCertificate(Box<crate::Error>),
    /// The key is malformed, or is not the public key of its `x5c[0]` certificate.
    Key(KeyProblem),
    /// No `x5c`.
    NoX5c,
    /// A key type or curve certbound does not support (so its `x5c` cannot be checked).
    UnsupportedKey {
        /// `kty` and `crv`, as the JWK gave them.
        description: alloc::string::String,
    },
}

impl fmt::Display for JwkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadCertificate(e) => write!(f, "x5c[0] is not a certificate: {e}"),
            Self::Key(p) => p.fmt(f),
            Self::NoX5c => f.write_str(
                "it has no x5c; self_signed_tls_client_auth needs each key's certificate",
            ),
            Self::UnsupportedKey { description } => write!(
                f,
                "key type {description:?} is not supported: use EC P-256, EC P-384, RSA or OKP Ed25519"
            ),
        }
    }
}

/// The certificate of a registered JWK, after [`Jwk::from_value`] has checked the key and that
/// it is the certificate's public key.
///
/// # Errors
/// [`JwkProblem`].
pub fn certificate_of(jwk: &Value) -> Result<Certificate, JwkProblem> {
    let first = jwk
        .get("x5c")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .ok_or(JwkProblem::NoX5c)?;
    let key = Jwk::from_value(jwk, 0).map_err(|e| match e {
        TokenError::Jwk { problem, .. } => JwkProblem::Key(problem),
        other => JwkProblem::BadCertificate(Box::new(other.into())),
    })?;
    // An unsupported key parses (so a JWKS can carry it) without its x5c being checked.
    if key.public_key().is_empty() {
        return Err(JwkProblem::UnsupportedKey {
            description: key.description(),
        });
    }
    // Jwk::from_value has decoded and parsed x5c[0] already; these cannot fail after it.
    let der = first
        .as_str()
        .and_then(|s| Base64::decode_vec(s).ok())
        .ok_or(JwkProblem::Key(KeyProblem::X5c))?;
    Certificate::from_der(&der).map_err(|e| JwkProblem::BadCertificate(Box::new(e)))
}
