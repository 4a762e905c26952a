//! `jwks` for `self_signed_tls_client_auth` (RFC 8705 §2.2.2): each key carries its
//! certificate in `x5c[0]`, and the key itself must be that certificate's public key.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use const_oid::ObjectIdentifier;

use crate::cert::Certificate;

/// A JWK as registered: the members certbound reads; others (`kid`, `use`, `alg`, …) are
/// ignored, as RFC 7517 §4 asks.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct RawJwk {
    /// Key type: `EC`, `RSA` or `OKP`.
    pub kty: String,
    /// Curve for `EC` (`P-256`, `P-384`) and `OKP` (`Ed25519`).
    #[serde(default)]
    pub crv: Option<String>,
    /// EC x coordinate / OKP public key, base64url.
    #[serde(default)]
    pub x: Option<String>,
    /// EC y coordinate, base64url.
    #[serde(default)]
    pub y: Option<String>,
    /// RSA modulus, base64url.
    #[serde(default)]
    pub n: Option<String>,
    /// RSA public exponent, base64url.
    #[serde(default)]
    pub e: Option<String>,
    /// Certificate chain, standard base64 DER; `x5c[0]` is the key's certificate.
    #[serde(default)]
    pub x5c: Option<Vec<String>>,
}

/// A JWK Set (RFC 7517 §5).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct RawJwks {
    /// The keys.
    pub keys: Vec<RawJwk>,
}

/// Why a registered JWK was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwkProblem {
    /// `x5c[0]` is not standard base64.
    BadBase64,
    /// `x5c[0]` is not a certificate.
    BadCertificate(alloc::boxed::Box<crate::Error>),
    /// The key members are missing, malformed, or of an unsupported type / curve.
    BadKey(&'static str),
    /// The JWK's public key is not the certificate's.
    KeyMismatch,
    /// No `x5c`.
    NoX5c,
}

impl fmt::Display for JwkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadBase64 => f.write_str("x5c[0] is not standard base64 (RFC 7517 §4.7)"),
            Self::BadCertificate(e) => write!(f, "x5c[0] is not a certificate: {e}"),
            Self::BadKey(why) => f.write_str(why),
            Self::KeyMismatch => {
                f.write_str("the key's public key is not the public key of its x5c[0] certificate")
            }
            Self::NoX5c => f.write_str(
                "it has no x5c; self_signed_tls_client_auth needs each key's certificate",
            ),
        }
    }
}

const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// The certificate of a registered JWK, after checking the key is the certificate's.
///
/// # Errors
/// [`JwkProblem`].
pub fn certificate_of(jwk: &RawJwk) -> Result<Certificate, JwkProblem> {
    let first = jwk
        .x5c
        .as_ref()
        .and_then(|v| v.first())
        .ok_or(JwkProblem::NoX5c)?;
    let der = Base64::decode_vec(first).map_err(|_| JwkProblem::BadBase64)?;
    let cert = Certificate::from_der(&der)
        .map_err(|e| JwkProblem::BadCertificate(alloc::boxed::Box::new(e)))?;
    let spki = &cert.x509().tbs_certificate.subject_public_key_info;
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or(JwkProblem::KeyMismatch)?;
    let b64 = |v: &Option<String>, what: &'static str| -> Result<Vec<u8>, JwkProblem> {
        let s = v.as_deref().ok_or(JwkProblem::BadKey(what))?;
        Base64UrlUnpadded::decode_vec(s).map_err(|_| JwkProblem::BadKey(what))
    };
    let same = match jwk.kty.as_str() {
        "EC" => {
            let (curve, len) = match jwk.crv.as_deref() {
                Some("P-256") => (OID_P256, 32),
                Some("P-384") => (OID_P384, 48),
                _ => return Err(JwkProblem::BadKey("EC keys must have crv P-256 or P-384")),
            };
            let x = b64(&jwk.x, "EC key without a base64url x")?;
            let y = b64(&jwk.y, "EC key without a base64url y")?;
            if x.len() != len || y.len() != len {
                return Err(JwkProblem::BadKey("EC x and y must be the curve's size"));
            }
            let cert_curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            let mut point = alloc::vec![0x04];
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            spki.algorithm.oid == OID_EC && cert_curve == Some(curve) && key == point.as_slice()
        }
        "RSA" => {
            use rsa::pkcs1::der::Decode as _;
            let n = b64(&jwk.n, "RSA key without a base64url n")?;
            let e = b64(&jwk.e, "RSA key without a base64url e")?;
            spki.algorithm.oid == OID_RSA
                && rsa::pkcs1::RsaPublicKey::from_der(key).is_ok_and(|k| {
                    strip(k.modulus.as_bytes()) == strip(&n)
                        && strip(k.public_exponent.as_bytes()) == strip(&e)
                })
        }
        "OKP" => {
            if jwk.crv.as_deref() != Some("Ed25519") {
                return Err(JwkProblem::BadKey("OKP keys must have crv Ed25519"));
            }
            let x = b64(&jwk.x, "OKP key without a base64url x")?;
            spki.algorithm.oid == OID_ED25519 && key == x.as_slice()
        }
        _ => return Err(JwkProblem::BadKey("kty must be EC, RSA or OKP")),
    };
    if same {
        Ok(cert)
    } else {
        Err(JwkProblem::KeyMismatch)
    }
}

fn strip(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(start..).unwrap_or_default()
}
