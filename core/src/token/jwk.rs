//! JSON Web Keys (RFC 7517) for verification: parsed, validated and pre-converted once.
//!
//! Each key is turned at load time into the encoding the [`CryptoProvider`] takes (SEC1 point,
//! PKCS#1 DER, raw Ed25519), so validating a token costs no key parsing on the provider side
//! beyond what the primitive itself does.
//!
//! [`CryptoProvider`]: crate::provider::CryptoProvider

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::TokenError;
use super::cache::Fingerprint;
use super::jws::{Algorithm, parse_strict};
use crate::cert::Certificate;
use crate::provider::{RSA_MAX_BITS, RSA_MIN_BITS};

/// Largest JWKS document accepted (256 KiB): a set of a few dozen RSA keys with certificate
/// chains fits many times over; anything larger is a misconfiguration or an attack on memory.
pub const MAX_JWKS_BYTES: usize = 256 * 1024;

/// Most keys accepted in one JWKS: key selection is linear, and real issuers publish a handful.
pub const MAX_JWKS_KEYS: usize = 64;

/// Members that only a private or symmetric JWK has (RFC 7518 §6.2.2, §6.3.2, §6.4.1, RFC 8037).
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Why one JWK was refused at load.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JwkProblem {
    /// A base64url member did not decode canonically.
    Base64 {
        /// The member.
        member: &'static str,
    },
    /// An EC coordinate had the wrong length for its curve.
    CoordinateLength {
        /// `x` or `y`.
        member: &'static str,
        /// Bytes the curve needs.
        expected: usize,
        /// Bytes found.
        actual: usize,
    },
    /// The EC point is not on the curve, or the Ed25519 key is not a valid point.
    InvalidPoint,
    /// A required member is missing.
    MissingMember {
        /// The member.
        member: &'static str,
    },
    /// A member has the wrong JSON type.
    MemberType {
        /// The member.
        member: &'static str,
        /// What was expected.
        expected: &'static str,
    },
    /// The entry is not a JSON object.
    NotObject,
    /// The JWK carries private or symmetric key material: a published key set must not.
    PrivateKey {
        /// The offending member.
        member: &'static str,
    },
    /// An RSA parameter is malformed (leading zero octets, even modulus, tiny exponent …).
    RsaParameters,
    /// The RSA modulus is outside [`RSA_MIN_BITS`]..=[`RSA_MAX_BITS`].
    RsaSize {
        /// The modulus size.
        bits: usize,
    },
    /// The Ed25519 key is of small order (weak).
    WeakKey,
    /// `x5c` is malformed: not an array of standard base64 DER certificates.
    X5c,
    /// The key does not equal the public key of the `x5c[0]` certificate.
    X5cKeyMismatch,
    /// The `x5c[0]` certificate did not parse.
    X5cCertificate {
        /// The certificate parser's message.
        error: String,
    },
}

impl fmt::Display for JwkProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Base64 { member } => write!(
                f,
                "member {member:?} is not canonical base64url without padding"
            ),
            Self::CoordinateLength {
                member,
                expected,
                actual,
            } => write!(
                f,
                "coordinate {member:?} is {actual} bytes, the curve needs exactly {expected}"
            ),
            Self::InvalidPoint => f.write_str("the public key is not a valid point on its curve"),
            Self::MissingMember { member } => write!(f, "required member {member:?} is missing"),
            Self::MemberType { member, expected } => {
                write!(f, "member {member:?} must be {expected}")
            }
            Self::NotObject => f.write_str("the entry is not a JSON object"),
            Self::PrivateKey { member } => write!(
                f,
                "it contains private key material (member {member:?}); publish public keys only"
            ),
            Self::RsaParameters => f.write_str(
                "RSA parameters are malformed (n and e must be big-endian without leading zeros, n odd, e >= 3)",
            ),
            Self::RsaSize { bits } => write!(
                f,
                "RSA modulus is {bits} bits; accepted sizes are {RSA_MIN_BITS} to {RSA_MAX_BITS}"
            ),
            Self::WeakKey => f.write_str("the Ed25519 public key is of small order"),
            Self::X5c => f.write_str(
                "member \"x5c\" must be a non-empty array of standard base64 DER certificates",
            ),
            Self::X5cKeyMismatch => {
                f.write_str("the key does not match the public key of its x5c[0] certificate")
            }
            Self::X5cCertificate { error } => write!(f, "x5c[0] is not a certificate: {error}"),
        }
    }
}

/// Why a key may not verify a token with a given `alg` (RFC 7517 §4, RFC 8725 §3.1).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyMismatch {
    /// The JWK's own `alg` differs from the header's.
    Alg {
        /// The JWK's `alg`.
        key_alg: String,
    },
    /// `key_ops` is present and lacks `"verify"`.
    KeyOps,
    /// The key type or curve cannot produce this algorithm (`kty`/`crv`).
    KeyType {
        /// The key, described (`EC P-256`, `RSA 2048`, `OKP Ed25519`, `oct`).
        key: String,
    },
    /// `use` is present and is not `"sig"`.
    Use {
        /// The JWK's `use`.
        key_use: String,
    },
}

impl fmt::Display for KeyMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Alg { key_alg } => write!(f, "the key is restricted to alg {key_alg:?}"),
            Self::KeyOps => f.write_str("the key's key_ops does not include \"verify\""),
            Self::KeyType { key } => write!(f, "the key is {key}"),
            Self::Use { key_use } => {
                write!(f, "the key's use is {key_use:?}, not \"sig\"")
            }
        }
    }
}

/// An elliptic curve a JWK may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EcCurve {
    P256,
    P384,
}

/// Verification key material in the provider's encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
enum KeyMaterial {
    /// SEC1 uncompressed point.
    Ec { curve: EcCurve, sec1: Arc<[u8]> },
    /// 32 raw bytes.
    Ed25519 { public: Arc<[u8]> },
    /// PKCS#1 `RSAPublicKey` DER.
    Rsa { bits: usize, pkcs1: Arc<[u8]> },
    /// A key type or curve certbound does not verify with (kept so that a token naming it gets a
    /// precise error, RFC 7517 §5 lets a set carry keys a reader does not understand). Only its
    /// `kty` and `crv` are kept (at most 16 characters each), never its key material.
    Unsupported { kty: String, crv: Option<String> },
}

/// One public JWK, validated and ready for verification.
#[derive(Clone, PartialEq, Eq)]
pub struct Jwk {
    kid: Option<String>,
    alg: Option<String>,
    key_use: Option<String>,
    key_ops: Option<Vec<String>>,
    material: KeyMaterial,
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("key", &self.description())
            .finish_non_exhaustive()
    }
}

impl Jwk {
    /// Parses one JWK from JSON text (member names must be unique).
    ///
    /// # Errors
    /// [`TokenError::Jwk`] (index 0) saying what is wrong with the key.
    pub fn from_json(json: &[u8]) -> Result<Self, TokenError> {
        let problem = |problem| TokenError::Jwk {
            index: 0,
            kid: None,
            problem,
        };
        let text = core::str::from_utf8(json).map_err(|_| problem(JwkProblem::NotObject))?;
        let value = parse_strict(text).map_err(|_| problem(JwkProblem::NotObject))?;
        Self::from_value(&value, 0)
    }

    /// Parses one JWK from a JSON value; `index` names it in errors.
    ///
    /// # Errors
    /// [`TokenError::Jwk`] saying what is wrong with the key.
    pub fn from_value(value: &Value, index: usize) -> Result<Self, TokenError> {
        let Value::Object(map) = value else {
            return Err(TokenError::Jwk {
                index,
                kid: None,
                problem: JwkProblem::NotObject,
            });
        };
        let kid = map.get("kid").and_then(Value::as_str).map(String::from);
        Self::from_map(map).map_err(|problem| TokenError::Jwk {
            index,
            kid: kid.clone(),
            problem,
        })
    }

    fn from_map(map: &Map<String, Value>) -> Result<Self, JwkProblem> {
        let kid = opt_str(map, "kid")?;
        let alg = opt_str(map, "alg")?;
        let key_use = opt_str(map, "use")?;
        let key_ops = match map.get("key_ops") {
            None => None,
            Some(Value::Array(ops)) => Some(
                ops.iter()
                    .map(|op| op.as_str().map(String::from))
                    .collect::<Option<Vec<_>>>()
                    .ok_or(JwkProblem::MemberType {
                        member: "key_ops",
                        expected: "an array of strings",
                    })?,
            ),
            Some(_) => {
                return Err(JwkProblem::MemberType {
                    member: "key_ops",
                    expected: "an array of strings",
                });
            }
        };
        if let Some(member) = PRIVATE_MEMBERS.into_iter().find(|m| map.contains_key(*m)) {
            return Err(JwkProblem::PrivateKey { member });
        }
        let kty = req_str(map, "kty")?;
        let material = match kty {
            "EC" => {
                let crv = req_str(map, "crv")?;
                let (curve, size) = match crv {
                    "P-256" => (EcCurve::P256, 32),
                    "P-384" => (EcCurve::P384, 48),
                    other => {
                        return Ok(Self::unsupported(kid, alg, key_use, key_ops, "EC", other));
                    }
                };
                let x = coordinate(map, "x", size)?;
                let y = coordinate(map, "y", size)?;
                let mut sec1 = Vec::with_capacity(1 + 2 * size);
                sec1.push(0x04);
                sec1.extend_from_slice(&x);
                sec1.extend_from_slice(&y);
                let on_curve = match curve {
                    EcCurve::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).is_ok(),
                    EcCurve::P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).is_ok(),
                };
                if !on_curve {
                    return Err(JwkProblem::InvalidPoint);
                }
                KeyMaterial::Ec {
                    curve,
                    sec1: sec1.into(),
                }
            }
            "OKP" => {
                let crv = req_str(map, "crv")?;
                if crv != "Ed25519" {
                    return Ok(Self::unsupported(kid, alg, key_use, key_ops, "OKP", crv));
                }
                let x = coordinate(map, "x", 32)?;
                let bytes: [u8; 32] = x
                    .as_slice()
                    .try_into()
                    .map_err(|_| JwkProblem::InvalidPoint)?;
                let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                    .map_err(|_| JwkProblem::InvalidPoint)?;
                if key.is_weak() {
                    return Err(JwkProblem::WeakKey);
                }
                KeyMaterial::Ed25519 { public: x.into() }
            }
            "RSA" => {
                let n = b64_member(map, "n")?;
                let e = b64_member(map, "e")?;
                let (bits, pkcs1) = rsa_pkcs1(&n, &e)?;
                KeyMaterial::Rsa {
                    bits,
                    pkcs1: pkcs1.into(),
                }
            }
            other => KeyMaterial::Unsupported {
                kty: other.chars().take(16).collect(),
                crv: None,
            },
        };
        let jwk = Self {
            kid,
            alg,
            key_use,
            key_ops,
            material,
        };
        if let Some(x5c) = map.get("x5c") {
            jwk.check_x5c(x5c)?;
        }
        Ok(jwk)
    }

    fn unsupported(
        kid: Option<String>,
        alg: Option<String>,
        key_use: Option<String>,
        key_ops: Option<Vec<String>>,
        kty: &str,
        crv: &str,
    ) -> Self {
        Self {
            kid,
            alg,
            key_use,
            key_ops,
            material: KeyMaterial::Unsupported {
                kty: String::from(kty),
                crv: Some(crv.chars().take(16).collect()),
            },
        }
    }

    /// Checks that `x5c[0]` parses as a certificate whose public key is this key.
    fn check_x5c(&self, x5c: &Value) -> Result<(), JwkProblem> {
        let first = x5c
            .as_array()
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .ok_or(JwkProblem::X5c)?;
        if x5c
            .as_array()
            .is_some_and(|a| a.iter().any(|c| !c.is_string()))
        {
            return Err(JwkProblem::X5c);
        }
        let der = Base64::decode_vec(first).map_err(|_| JwkProblem::X5c)?;
        let cert = Certificate::from_der(&der).map_err(|e| JwkProblem::X5cCertificate {
            error: e.to_string(),
        })?;
        let spki = &cert.x509().tbs_certificate.subject_public_key_info;
        let raw = spki
            .subject_public_key
            .as_bytes()
            .ok_or(JwkProblem::X5cKeyMismatch)?;
        let oid = spki.algorithm.oid;
        let curve_oid = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok());
        let matches = match &self.material {
            KeyMaterial::Ec { curve, sec1 } => {
                let want = match curve {
                    EcCurve::P256 => OID_P256,
                    EcCurve::P384 => OID_P384,
                };
                oid == OID_EC_PUBLIC_KEY && curve_oid == Some(want) && raw == &**sec1
            }
            KeyMaterial::Ed25519 { public } => oid == OID_ED25519 && raw == &**public,
            KeyMaterial::Rsa { pkcs1, .. } => {
                use rsa::pkcs1::EncodeRsaPublicKey;
                oid == OID_RSA_ENCRYPTION
                    && crate::provider::rsa_public_key(raw)
                        .ok()
                        .and_then(|k| k.to_pkcs1_der().ok())
                        .is_some_and(|d| d.as_bytes() == &**pkcs1)
            }
            KeyMaterial::Unsupported { .. } => false,
        };
        if matches {
            Ok(())
        } else {
            Err(JwkProblem::X5cKeyMismatch)
        }
    }

    /// The key ID, if any.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The JWK's `alg` restriction, if any.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The key, described for people: `EC P-256`, `RSA 2048`, `OKP Ed25519`, or the unsupported
    /// `kty` (and `crv`).
    pub fn description(&self) -> String {
        match &self.material {
            KeyMaterial::Ec {
                curve: EcCurve::P256,
                ..
            } => String::from("EC P-256"),
            KeyMaterial::Ec {
                curve: EcCurve::P384,
                ..
            } => String::from("EC P-384"),
            KeyMaterial::Ed25519 { .. } => String::from("OKP Ed25519"),
            KeyMaterial::Rsa { bits, .. } => alloc::format!("RSA {bits}"),
            KeyMaterial::Unsupported { kty, crv: None } => kty.clone(),
            KeyMaterial::Unsupported {
                kty,
                crv: Some(crv),
            } => alloc::format!("{kty} {crv}"),
        }
    }

    /// The public key in the provider's encoding (empty for unsupported keys).
    pub fn public_key(&self) -> &[u8] {
        match &self.material {
            KeyMaterial::Ec { sec1, .. } => sec1,
            KeyMaterial::Ed25519 { public } => public,
            KeyMaterial::Rsa { pkcs1, .. } => pkcs1,
            KeyMaterial::Unsupported { .. } => &[],
        }
    }

    pub(crate) fn public_key_arc(&self) -> Option<Arc<[u8]>> {
        match &self.material {
            KeyMaterial::Ec { sec1, .. } => Some(sec1.clone()),
            KeyMaterial::Ed25519 { public } => Some(public.clone()),
            KeyMaterial::Rsa { pkcs1, .. } => Some(pkcs1.clone()),
            KeyMaterial::Unsupported { .. } => None,
        }
    }

    /// Can this key verify a JWS with `alg`? Checks `kty`/`crv`, the JWK's `alg`, `use` and
    /// `key_ops` (RFC 7517 §4.2–4.4, RFC 8725 §3.1).
    ///
    /// # Errors
    /// The first [`KeyMismatch`] found.
    pub fn fits(&self, alg: Algorithm) -> Result<(), KeyMismatch> {
        let type_ok = matches!(
            (&self.material, alg),
            (
                KeyMaterial::Ec {
                    curve: EcCurve::P256,
                    ..
                },
                Algorithm::Es256
            ) | (
                KeyMaterial::Ec {
                    curve: EcCurve::P384,
                    ..
                },
                Algorithm::Es384
            ) | (KeyMaterial::Ed25519 { .. }, Algorithm::EdDsa)
                | (KeyMaterial::Rsa { .. }, Algorithm::Ps256 | Algorithm::Rs256)
        );
        if !type_ok {
            return Err(KeyMismatch::KeyType {
                key: self.description(),
            });
        }
        if let Some(key_alg) = &self.alg {
            if key_alg != alg.name() {
                return Err(KeyMismatch::Alg {
                    key_alg: key_alg.chars().take(16).collect(),
                });
            }
        }
        if let Some(key_use) = &self.key_use {
            if key_use != "sig" {
                return Err(KeyMismatch::Use {
                    key_use: key_use.chars().take(16).collect(),
                });
            }
        }
        if let Some(ops) = &self.key_ops {
            if !ops.iter().any(|o| o == "verify") {
                return Err(KeyMismatch::KeyOps);
            }
        }
        Ok(())
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url): the `kid` certbound's issuer uses.
    /// `None` for key types certbound does not support.
    pub fn thumbprint(&self) -> Option<String> {
        let canonical = self.required_members_json()?;
        Some(Base64UrlUnpadded::encode_string(&Sha256::digest(
            canonical.as_bytes(),
        )))
    }

    /// The public JWK's required members in RFC 7638 canonical form (sorted, no whitespace).
    fn required_members_json(&self) -> Option<String> {
        let b64 = |b: &[u8]| Base64UrlUnpadded::encode_string(b);
        Some(match &self.material {
            KeyMaterial::Ec { curve, sec1 } => {
                let (crv, size) = match curve {
                    EcCurve::P256 => ("P-256", 32),
                    EcCurve::P384 => ("P-384", 48),
                };
                let x = sec1.get(1..1 + size)?;
                let y = sec1.get(1 + size..)?;
                alloc::format!(
                    r#"{{"crv":"{crv}","kty":"EC","x":"{}","y":"{}"}}"#,
                    b64(x),
                    b64(y)
                )
            }
            KeyMaterial::Ed25519 { public } => {
                alloc::format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64(public))
            }
            KeyMaterial::Rsa { pkcs1, .. } => {
                use rsa::traits::PublicKeyParts;
                let key = crate::provider::rsa_public_key(pkcs1).ok()?;
                alloc::format!(
                    r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#,
                    b64(&key.e().to_bytes_be()),
                    b64(&key.n().to_bytes_be())
                )
            }
            KeyMaterial::Unsupported { .. } => return None,
        })
    }

    /// The public JWK as JSON: required members plus `kid`, `alg` and `use` when set. A key of a
    /// type certbound does not support keeps only `kty` and `crv` (its key material was never
    /// kept: it may be a secret, such as an `oct` key's `k`).
    pub fn to_json_value(&self) -> Value {
        let mut map = match &self.material {
            KeyMaterial::Unsupported { kty, crv } => {
                let mut map = Map::new();
                map.insert(String::from("kty"), Value::String(kty.clone()));
                if let Some(crv) = crv {
                    map.insert(String::from("crv"), Value::String(crv.clone()));
                }
                map
            }
            _ => self
                .required_members_json()
                .and_then(|s| serde_json::from_str::<Map<String, Value>>(&s).ok())
                .unwrap_or_default(),
        };
        for (name, value) in [
            ("kid", &self.kid),
            ("alg", &self.alg),
            ("use", &self.key_use),
        ] {
            if let Some(v) = value {
                map.insert(name.to_string(), Value::String(v.clone()));
            }
        }
        Value::Object(map)
    }

    /// Builds the public JWK of one of the issuer's own keys (`ES256` SEC1 point or raw
    /// Ed25519), with `kid` = its RFC 7638 thumbprint, `alg` and `use: "sig"`.
    #[cfg(feature = "issue")]
    pub(crate) fn for_issuer_key(alg: Algorithm, public: Vec<u8>) -> Option<Self> {
        let material = match alg {
            Algorithm::Es256 => KeyMaterial::Ec {
                curve: EcCurve::P256,
                sec1: public.into(),
            },
            Algorithm::EdDsa => KeyMaterial::Ed25519 {
                public: public.into(),
            },
            _ => return None,
        };
        let mut jwk = Self {
            kid: None,
            alg: Some(alg.name().to_string()),
            key_use: Some(String::from("sig")),
            key_ops: None,
            material,
        };
        jwk.kid = Some(jwk.thumbprint()?);
        Some(jwk)
    }
}

const OID_EC_PUBLIC_KEY: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_P256: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_P384: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_ED25519: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.3.101.112");
const OID_RSA_ENCRYPTION: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

impl Jwk {
    /// Feeds everything that decides what this key verifies into a validator fingerprint
    /// ([`super::cache`]). The destructuring is exhaustive on purpose: a field added to [`Jwk`]
    /// or [`KeyMaterial`] does not compile until it is fingerprinted too.
    pub(crate) fn fingerprint(&self, fp: &mut Fingerprint) {
        let Self {
            kid,
            alg,
            key_use,
            key_ops,
            material,
        } = self;
        fp.opt_str(kid.as_deref());
        fp.opt_str(alg.as_deref());
        fp.opt_str(key_use.as_deref());
        match key_ops {
            None => fp.tag(0),
            Some(ops) => {
                fp.tag(1);
                fp.len(ops.len());
                ops.iter().for_each(|op| fp.bytes(op.as_bytes()));
            }
        }
        match material {
            KeyMaterial::Ec { curve, sec1 } => {
                fp.tag(match curve {
                    EcCurve::P256 => 1,
                    EcCurve::P384 => 2,
                });
                fp.bytes(sec1);
            }
            KeyMaterial::Ed25519 { public } => {
                fp.tag(3);
                fp.bytes(public);
            }
            KeyMaterial::Rsa { bits, pkcs1 } => {
                fp.tag(4);
                fp.len(*bits);
                fp.bytes(pkcs1);
            }
            KeyMaterial::Unsupported { kty, crv } => {
                fp.tag(5);
                fp.bytes(kty.as_bytes());
                fp.opt_str(crv.as_deref());
            }
        }
    }
}

impl JwkSet {
    /// Every key, in order (selection depends on the order), into a validator fingerprint.
    pub(crate) fn fingerprint(&self, fp: &mut Fingerprint) {
        let Self { keys } = self;
        fp.len(keys.len());
        keys.iter().for_each(|k| k.fingerprint(fp));
    }
}

fn opt_str(map: &Map<String, Value>, member: &'static str) -> Result<Option<String>, JwkProblem> {
    match map.get(member) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(JwkProblem::MemberType {
            member,
            expected: "a string",
        }),
    }
}

fn req_str<'m>(map: &'m Map<String, Value>, member: &'static str) -> Result<&'m str, JwkProblem> {
    match map.get(member) {
        None => Err(JwkProblem::MissingMember { member }),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(JwkProblem::MemberType {
            member,
            expected: "a string",
        }),
    }
}

fn b64_member(map: &Map<String, Value>, member: &'static str) -> Result<Vec<u8>, JwkProblem> {
    Base64UrlUnpadded::decode_vec(req_str(map, member)?).map_err(|_| JwkProblem::Base64 { member })
}

fn coordinate(
    map: &Map<String, Value>,
    member: &'static str,
    size: usize,
) -> Result<Vec<u8>, JwkProblem> {
    let bytes = b64_member(map, member)?;
    if bytes.len() == size {
        Ok(bytes)
    } else {
        Err(JwkProblem::CoordinateLength {
            member,
            expected: size,
            actual: bytes.len(),
        })
    }
}

/// Validates RSA `n`/`e` and encodes them as PKCS#1 DER.
fn rsa_pkcs1(n: &[u8], e: &[u8]) -> Result<(usize, Vec<u8>), JwkProblem> {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::traits::PublicKeyParts;
    // RFC 7518 §6.3.1: minimal big-endian, no leading zero octets.
    if n.first().is_none_or(|b| *b == 0) || e.first().is_none_or(|b| *b == 0) {
        return Err(JwkProblem::RsaParameters);
    }
    let bits = n.len() * 8 - n.first().map_or(0, |b| b.leading_zeros() as usize);
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(JwkProblem::RsaSize { bits });
    }
    let key = rsa::RsaPublicKey::new_with_max_size(
        rsa::BigUint::from_bytes_be(n),
        rsa::BigUint::from_bytes_be(e),
        RSA_MAX_BITS,
    )
    .map_err(|_| JwkProblem::RsaParameters)?;
    if key.n().bits() != bits {
        return Err(JwkProblem::RsaParameters);
    }
    let der = key
        .to_pkcs1_der()
        .map_err(|_| JwkProblem::RsaParameters)?
        .into_vec();
    Ok((bits, der))
}

/// A JWK Set (RFC 7517 §5): the keys a resource server trusts to sign access tokens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JwkSet {
    keys: Vec<Jwk>,
}

impl JwkSet {
    /// Parses a JWKS document `{"keys":[…]}`.
    ///
    /// Keys whose `kty`/`crv` certbound does not verify with (`oct`, `P-521`, `X25519` …) are
    /// kept but never fit any algorithm; a malformed key of a supported type fails the whole set
    /// (a half-loaded key set hides misconfiguration).
    ///
    /// # Errors
    /// [`Error::TooLarge`](crate::Error::TooLarge) over [`MAX_JWKS_BYTES`];
    /// [`TokenError::Jwks`] when the document is not a `{"keys":[…]}` object or has more than
    /// [`MAX_JWKS_KEYS`] keys; [`TokenError::Jwk`] for a bad key.
    pub fn from_json(json: &[u8]) -> Result<Self, crate::Error> {
        if json.len() > MAX_JWKS_BYTES {
            return Err(crate::Error::TooLarge {
                what: "JWKS",
                limit: MAX_JWKS_BYTES,
                actual: json.len(),
            });
        }
        let not_a_set = || TokenError::Jwks {
            problem: "not a JSON object with a \"keys\" array (duplicate member names are refused)",
        };
        let text = core::str::from_utf8(json).map_err(|_| not_a_set())?;
        let value = parse_strict(text).map_err(|_| not_a_set())?;
        let keys = value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(not_a_set)?;
        if keys.len() > MAX_JWKS_KEYS {
            return Err(TokenError::Jwks {
                problem: "more keys than MAX_JWKS_KEYS (64)",
            }
            .into());
        }
        let keys = keys
            .iter()
            .enumerate()
            .map(|(i, k)| Jwk::from_value(k, i))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { keys })
    }

    /// A set of keys already parsed.
    pub fn from_keys(keys: Vec<Jwk>) -> Self {
        Self { keys }
    }

    /// The keys, in document order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// Is the set empty?
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Selects the key for a header's `alg` and `kid` (RFC 7515 §4.1.4):
    /// with a `kid`, the key with that `kid` that fits `alg`; without one, the single key that
    /// fits `alg`.
    ///
    /// # Errors
    /// [`TokenError::UnknownKid`], [`TokenError::KeyMismatch`] (the `kid` names a key unfit for
    /// `alg`), [`TokenError::NoKey`] (no `kid`, and not exactly one key fits).
    pub fn select(&self, alg: Algorithm, kid: Option<&str>) -> Result<&Jwk, TokenError> {
        match kid {
            Some(kid) => {
                let mut named = self.keys.iter().filter(|k| k.kid() == Some(kid)).peekable();
                let first = named
                    .peek()
                    .copied()
                    .ok_or_else(|| TokenError::UnknownKid { kid: truncate(kid) })?;
                let mut first_mismatch = None;
                for key in named {
                    match key.fits(alg) {
                        Ok(()) => return Ok(key),
                        Err(m) => {
                            first_mismatch.get_or_insert(m);
                        }
                    }
                }
                Err(TokenError::KeyMismatch {
                    alg,
                    kid: first.kid.clone(),
                    mismatch: first_mismatch.unwrap_or(KeyMismatch::KeyOps),
                })
            }
            None => {
                let mut fitting = self.keys.iter().filter(|k| k.fits(alg).is_ok());
                match (fitting.next(), fitting.next()) {
                    (Some(key), None) => Ok(key),
                    (None, _) => Err(TokenError::NoKey { alg, candidates: 0 }),
                    (Some(_), Some(_)) => Err(TokenError::NoKey {
                        alg,
                        candidates: 2 + fitting.count(),
                    }),
                }
            }
        }
    }
}

/// Truncates attacker-controlled text echoed in errors to 64 characters.
pub(crate) fn truncate(text: &str) -> String {
    text.chars().take(64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC_P256: &str = r#"{"kty":"EC","crv":"P-256","x":"1yfLHCpXqFjxCeHHHMVDTcLscpb07KUxudBmOMn8C7Q","y":"8_coZwxS7LfA4vOLS9WuneIXhbGGWvsDSb0tH6IxLm8"}"#;

    // Intent: a key of a type certbound does not verify with is written back with its `kty` (and
    // `crv`), as RFC 7517 §4.1 requires, and not with key material it never kept (private
    // members are refused at load).
    #[test]
    fn unsupported_key_json_keeps_type_not_material() {
        let oct = Jwk::from_json(br#"{"kty":"oct","kid":"s"}"#).expect("oct");
        assert_eq!(oct.description(), "oct");
        assert_eq!(
            oct.to_json_value(),
            serde_json::json!({"kty": "oct", "kid": "s"})
        );
        let k1 =
            Jwk::from_json(br#"{"kty":"EC","crv":"secp256k1","x":"AA","y":"AA","alg":"ES256K"}"#)
                .expect("secp256k1");
        assert_eq!(k1.description(), "EC secp256k1");
        assert_eq!(
            k1.to_json_value(),
            serde_json::json!({"kty": "EC", "crv": "secp256k1", "alg": "ES256K"})
        );
        assert!(k1.public_key().is_empty());
    }

    // Intent: a point that is not on the curve is refused at load.
    #[test]
    fn off_curve_point_refused() {
        let bad = EC_P256.replace("8_coZwxS", "9_coZwxS");
        let err = Jwk::from_json(bad.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "JWK 0: the public key is not a valid point on its curve"
        );
    }

    // Intent: private members make a key unloadable.
    #[test]
    fn private_key_refused() {
        let bad = EC_P256.replace(r#""kty""#, r#""d":"AAAA","kty""#);
        let err = Jwk::from_json(bad.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "JWK 0: it contains private key material (member \"d\"); publish public keys only"
        );
    }

    // Intent: the RFC 8705 Appendix A JWK matches its own x5c certificate, and a different
    // certificate is refused.
    #[test]
    fn x5c_checked_against_key() {
        let cert = "MIIBBjCBrAIBAjAKBggqhkjOPQQDAjAPMQ0wCwYDVQQDDARtdGxzMB4XDTE4MTAxODEyMzcwOVoXDTIyMDUwMjEyMzcwOVowDzENMAsGA1UEAwwEbXRsczBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNcnyxwqV6hY8QnhxxzFQ03C7HKW9OylMbnQZjjJ/Au08/coZwxS7LfA4vOLS9WuneIXhbGGWvsDSb0tH6IxLm8wCgYIKoZIzj0EAwIDSQAwRgIhAP0RC1E+vwJD/D1AGHGzuri+hlV/PpQEKTWUVeORWz83AiEA5x2eXZOVbUlJSGQgjwD5vaUaKlLR50Q2DmFfQj1L+SY=";
        let good = EC_P256.replace('}', &alloc::format!(r#","x5c":["{cert}"]}}"#));
        assert!(Jwk::from_json(good.as_bytes()).is_ok());
        let other = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let other = rcgen::CertificateParams::new(alloc::vec!["x".into()])
            .unwrap()
            .self_signed(&other)
            .unwrap();
        let other = Base64::encode_string(other.der());
        let bad = EC_P256.replace('}', &alloc::format!(r#","x5c":["{other}"]}}"#));
        assert_eq!(
            Jwk::from_json(bad.as_bytes()).unwrap_err().to_string(),
            "JWK 0: the key does not match the public key of its x5c[0] certificate"
        );
    }

    // Intent: RFC 7638 §3.1's example thumbprint is reproduced.
    #[test]
    fn rfc7638_thumbprint() {
        let jwk = r#"{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}"#;
        let jwk = Jwk::from_json(jwk.as_bytes()).unwrap();
        assert_eq!(
            jwk.thumbprint().as_deref(),
            Some("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs")
        );
    }

    // Intent: an RSA modulus below 2048 bits is refused with its size.
    #[test]
    fn small_rsa_refused() {
        let n = Base64UrlUnpadded::encode_string(&[0xc5; 128]);
        let jwk = alloc::format!(r#"{{"kty":"RSA","n":"{n}","e":"AQAB"}}"#);
        assert_eq!(
            Jwk::from_json(jwk.as_bytes()).unwrap_err().to_string(),
            "JWK 0: RSA modulus is 1024 bits; accepted sizes are 2048 to 8192"
        );
    }
}
