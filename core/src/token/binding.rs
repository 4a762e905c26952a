//! Certificate binding (RFC 8705 §3): `cnf.x5t#S256` against the presented certificate.
//!
//! ```text
//! RFC 8705 §3.1:  "cnf": { "x5t#S256": base64url(SHA-256(DER of the client certificate)) }
//! RFC 8705 §3.2:  the same member in an RFC 7662 introspection response.
//! ```
//!
//! Only thumbprints are compared, in constant time ([`CertThumbprint`]'s `PartialEq`). A `cnf`
//! with other confirmation methods only (`jkt`, `jwk`, …) is refused as malformed: accepting it
//! as unbound would turn a proof-of-possession token into a bearer token.

use serde_json::Value;

use super::TokenError;
use super::jws::{Segment, parse_object};
use crate::Error;
use crate::cert::CertThumbprint;

/// Largest introspection response accepted (64 KiB).
pub const MAX_INTROSPECTION_BYTES: usize = 64 * 1024;

/// The `x5t#S256` thumbprint a `cnf` value binds to.
///
/// # Errors
/// [`TokenError::Cnf`] when `cnf` is not an object, has no `x5t#S256`, or its value is not
/// canonical unpadded base64url of exactly 32 bytes.
pub fn bound_thumbprint(cnf: &Value) -> Result<CertThumbprint, TokenError> {
    let Value::Object(cnf) = cnf else {
        return Err(TokenError::Cnf {
            problem: "it is not a JSON object",
        });
    };
    match cnf.get("x5t#S256") {
        None => Err(TokenError::Cnf {
            problem: "it has no x5t#S256 member (other confirmation methods are not supported)",
        }),
        Some(Value::String(text)) => CertThumbprint::from_x5t_s256(text).ok_or(TokenError::Cnf {
            problem: "x5t#S256 is not canonical unpadded base64url of a 32-byte SHA-256 digest",
        }),
        Some(_) => Err(TokenError::Cnf {
            problem: "x5t#S256 is not a string",
        }),
    }
}

/// Checks a token's `cnf` (`None` when absent) against the presented certificate.
/// Returns the bound thumbprint, or `None` for an unbound token when binding is not required.
///
/// # Errors
/// [`TokenError::Cnf`], [`TokenError::CertificateRequired`],
/// [`TokenError::CertificateMismatch`], or [`TokenError::Unbound`] when `require_binding`.
pub fn check(
    cnf: Option<&Value>,
    presented: Option<&CertThumbprint>,
    require_binding: bool,
) -> Result<Option<CertThumbprint>, TokenError> {
    match cnf {
        None if require_binding => Err(TokenError::Unbound),
        None => Ok(None),
        Some(cnf) => {
            let bound = bound_thumbprint(cnf)?;
            let presented = presented.ok_or(TokenError::CertificateRequired)?;
            if bound == *presented {
                Ok(Some(bound))
            } else {
                Err(TokenError::CertificateMismatch {
                    bound,
                    presented: *presented,
                })
            }
        }
    }
}

/// Checks an RFC 7662 introspection response (JSON) for an active, correctly bound token
/// (RFC 8705 §3.2). Returns the bound thumbprint (`None`: unbound, allowed).
///
/// # Errors
/// [`Error::TooLarge`] over [`MAX_INTROSPECTION_BYTES`]; [`TokenError::Inactive`] unless
/// `"active": true`; JSON errors as for a token payload; the binding errors of [`check`].
pub fn check_introspection(
    response: &[u8],
    presented: Option<&CertThumbprint>,
    require_binding: bool,
) -> Result<Option<CertThumbprint>, Error> {
    if response.len() > MAX_INTROSPECTION_BYTES {
        return Err(Error::TooLarge {
            what: "introspection response",
            limit: MAX_INTROSPECTION_BYTES,
            actual: response.len(),
        });
    }
    let map = parse_object(response, Segment::Payload)?;
    if map.get("active") != Some(&Value::Bool(true)) {
        return Err(TokenError::Inactive.into());
    }
    Ok(check(map.get("cnf"), presented, require_binding)?)
}
