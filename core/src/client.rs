//! RFC 8705 client registrations and mutual-TLS client authentication.
//!
//! A registration uses the RFC 7591 / RFC 8705 metadata names. Core parses JSON itself
//! ([`parse_json_registrations`]); the native server parses TOML (`[[clients]]`) into the same
//! [`RawClientRegistration`] and hands it to [`ClientRegistry::from_raw`], which validates every
//! registration — one invalid registration rejects the whole set, naming the client and the key.
//!
//! ```text
//! RFC 8705 §2.1  PKI Mutual-TLS Method            token_endpoint_auth_method = tls_client_auth
//!   §2.1.2       exactly one of tls_client_auth_subject_dn | _san_dns | _san_uri | _san_ip | _san_email
//! RFC 8705 §2.2  Self-Signed Certificate Method   token_endpoint_auth_method = self_signed_tls_client_auth
//!   §2.2.2       the certificates in jwks (x5c) — or, here, `certificates` (PEM)
//! ```
//!
//! [`authenticate`] is the token endpoint's decision: the chain is validated to the configured
//! anchors for `tls_client_auth` ([`crate::path::verify_chain`], purpose clientAuth) and the
//! registered subject matched ([`dn`], [`san`]); for `self_signed_tls_client_auth` the chain is
//! *not* validated (§2.2) and the certificate's `x5t#S256` must equal a registered one.
//!
//! ```
//! use certbound_core::client::{AuthOptions, ClientRegistry, authenticate};
//! use certbound_core::{Certificate, time::parse_time};
//!
//! // The RFC 8705 Appendix A certificate, registered as a self-signed client.
//! let pem = "-----BEGIN CERTIFICATE-----\n\
//! MIIBBjCBrAIBAjAKBggqhkjOPQQDAjAPMQ0wCwYDVQQDDARtdGxzMB4XDTE4MTAx\n\
//! ODEyMzcwOVoXDTIyMDUwMjEyMzcwOVowDzENMAsGA1UEAwwEbXRsczBZMBMGByqG\n\
//! SM49AgEGCCqGSM49AwEHA0IABNcnyxwqV6hY8QnhxxzFQ03C7HKW9OylMbnQZjjJ\n\
//! /Au08/coZwxS7LfA4vOLS9WuneIXhbGGWvsDSb0tH6IxLm8wCgYIKoZIzj0EAwID\n\
//! SQAwRgIhAP0RC1E+vwJD/D1AGHGzuri+hlV/PpQEKTWUVeORWz83AiEA5x2eXZOV\n\
//! bUlJSGQgjwD5vaUaKlLR50Q2DmFfQj1L+SY=\n\
//! -----END CERTIFICATE-----\n";
//! let json = serde_json::json!({ "clients": [{
//!     "client_id": "s6BhdRkqt3",
//!     "token_endpoint_auth_method": "self_signed_tls_client_auth",
//!     "certificates": [pem],
//!     "tls_client_certificate_bound_access_tokens": true,
//! }]});
//! let registry = ClientRegistry::from_json(json.to_string().as_bytes())?;
//!
//! let presented = Certificate::from_pem(pem.as_bytes())?;
//! let now = parse_time("2020-01-01T00:00:00Z")?;
//! let client = authenticate(&registry, "s6BhdRkqt3", &presented, &[], None, now, &AuthOptions::new())?;
//! assert_eq!(client.method().to_string(), "self_signed_tls_client_auth");
//! assert_eq!(client.x5t().to_string(), "A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0");
//!
//! // After notAfter (2022-05-02) the registered certificate is refused.
//! let later = parse_time("2023-01-01T00:00:00Z")?;
//! let err = authenticate(&registry, "s6BhdRkqt3", &presented, &[], None, later, &AuthOptions::new())
//!     .unwrap_err();
//! assert!(err.to_string().contains("has expired"));
//! # Ok::<(), certbound_core::Error>(())
//! ```

pub mod dn;
pub mod jwk;
pub mod san;

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use subtle::{Choice, ConstantTimeEq};

use self::dn::{DnParseError, RegisteredDn};
use self::jwk::{JwkProblem, RawJwks};
use self::san::{SanKind, SanValueProblem, SubjectMatcher};
use crate::cert::{CertThumbprint, Certificate};
use crate::path::{Purpose, TrustStore, VerifyOptions, verify_chain_with_provider};
use crate::provider::{CryptoProvider, RustCrypto};
use crate::{Error, UnixTime, time};

/// Most registrations in one set: bounds load time and memory of a configuration file.
pub const MAX_CLIENTS: usize = 10_000;

/// Most certificates one self-signed client may register (`certificates` plus `jwks`): enough
/// for rotation overlap; every authentication compares against all of them.
pub const MAX_CERTIFICATES_PER_CLIENT: usize = 32;

/// Longest `client_id` accepted, in bytes (also the most of an unknown id echoed in errors).
pub const MAX_CLIENT_ID_BYTES: usize = 255;

/// `token_endpoint_auth_method` values of RFC 8705 §2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsClientAuthMethod {
    /// `tls_client_auth` (§2.1): a CA-issued certificate with a registered subject.
    Pki,
    /// `self_signed_tls_client_auth` (§2.2): a registered self-signed certificate.
    SelfSigned,
}

impl TlsClientAuthMethod {
    /// The RFC name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pki => "tls_client_auth",
            Self::SelfSigned => "self_signed_tls_client_auth",
        }
    }
}

impl fmt::Display for TlsClientAuthMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One `certificates` entry: inline PEM, or a file path the adapter must resolve to PEM
/// (core reads no files). A string containing `-----BEGIN` is PEM; anything else is a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificateEntry {
    /// A file path, relative to the registration file; unresolved paths are load errors.
    Path(String),
    /// PEM text (one or more certificates).
    Pem(String),
}

impl<'de> serde::Deserialize<'de> for CertificateEntry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(if s.contains("-----BEGIN") {
            Self::Pem(s)
        } else {
            Self::Path(s)
        })
    }
}

/// A client registration as written (JSON or TOML), before validation. Key names are the
/// RFC 7591 / RFC 8705 metadata names; unknown keys are errors.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct RawClientRegistration {
    pub client_id: String,
    pub token_endpoint_auth_method: String,
    #[serde(default)]
    pub tls_client_auth_subject_dn: Option<String>,
    #[serde(default)]
    pub tls_client_auth_san_dns: Option<String>,
    #[serde(default)]
    pub tls_client_auth_san_uri: Option<String>,
    #[serde(default)]
    pub tls_client_auth_san_ip: Option<String>,
    #[serde(default)]
    pub tls_client_auth_san_email: Option<String>,
    /// Self-signed clients: keys with `x5c`.
    #[serde(default)]
    pub jwks: Option<RawJwks>,
    /// Self-signed clients: PEM certificates, or paths the adapter resolves.
    #[serde(default)]
    pub certificates: Option<Vec<CertificateEntry>>,
    /// RFC 8705 §3.4; `false` when absent.
    #[serde(default)]
    pub tls_client_certificate_bound_access_tokens: Option<bool>,
    /// RFC 7591 §2: space-separated scope values the client may request.
    #[serde(default)]
    pub scope: Option<String>,
    /// RFC 7591 §2; `["authorization_code"]` when absent.
    #[serde(default)]
    pub grant_types: Option<Vec<String>>,
}

impl RawClientRegistration {
    /// Replaces every [`CertificateEntry::Path`] with the PEM text `read` returns for it.
    ///
    /// # Errors
    /// The first error `read` returns.
    pub fn resolve_certificate_paths<E>(
        &mut self,
        mut read: impl FnMut(&str) -> Result<String, E>,
    ) -> Result<(), E> {
        for entry in self.certificates.iter_mut().flatten() {
            if let CertificateEntry::Path(p) = entry {
                *entry = CertificateEntry::Pem(read(p)?);
            }
        }
        Ok(())
    }
}

/// Parses a JSON registration file: `{"clients": […]}` or a bare array of registrations.
///
/// # Errors
/// [`ClientAuthError::RegistrationFile`] for JSON syntax or shape, and
/// [`ClientAuthError::Registration`] naming the client for a registration that does not
/// deserialize (unknown key, wrong type).
pub fn parse_json_registrations(input: &[u8]) -> Result<Vec<RawClientRegistration>, Error> {
    let file = |message: String| Error::from(ClientAuthError::RegistrationFile { message });
    let value: serde_json::Value =
        serde_json::from_slice(input).map_err(|e| file(alloc::format!("{e}")))?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut map) => {
            if let Some(key) = map.keys().find(|k| *k != "clients") {
                return Err(file(alloc::format!(
                    "unknown top-level key {key:?}: expected only \"clients\""
                )));
            }
            match map.remove("clients") {
                Some(serde_json::Value::Array(items)) => items,
                _ => {
                    return Err(file(String::from(
                        "expected \"clients\" to be an array of registrations",
                    )));
                }
            }
        }
        _ => {
            return Err(file(String::from(
                "expected {\"clients\": [...]} or an array of registrations",
            )));
        }
    };
    let raw = items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let label = ClientLabel::of(v.get("client_id").and_then(|c| c.as_str()), i);
            serde::Deserialize::deserialize(&v).map_err(|e: serde_json::Error| {
                Error::from(ClientAuthError::Registration {
                    client: label,
                    problem: RegistrationProblem::Syntax {
                        message: alloc::format!("{e}"),
                    },
                })
            })
        })
        .collect::<Result<Vec<RawClientRegistration>, Error>>()?;
    // A `Value` keeps only the last of duplicate keys; the typed parse of the text refuses them
    // (`duplicate field … at line … column …`), so a repeated matcher cannot hide.
    let typed = if input.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        serde_json::from_slice::<Vec<RawClientRegistration>>(input)
    } else {
        serde_json::from_slice::<ClientsDocument>(input).map(|d| d.clients)
    };
    typed.map_err(|e| file(alloc::format!("{e}")))?;
    Ok(raw)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClientsDocument {
    clients: Vec<RawClientRegistration>,
}

/// Names a registration in errors: by `client_id`, or by 1-based position when it has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientLabel {
    /// `client "acme"`.
    Id(String),
    /// `client #3` (1-based).
    Index(usize),
}

impl ClientLabel {
    /// The label for the registration at 0-based `index` with this `client_id`, if any.
    pub fn of(client_id: Option<&str>, index: usize) -> Self {
        match client_id {
            Some(id) if !id.is_empty() => Self::Id(truncate(id)),
            _ => Self::Index(index + 1),
        }
    }
}

impl fmt::Display for ClientLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => write!(f, "client {id:?}"),
            Self::Index(i) => write!(f, "client #{i}"),
        }
    }
}

fn truncate(s: &str) -> String {
    let mut end = s.len().min(MAX_CLIENT_ID_BYTES);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    String::from(s.get(..end).unwrap_or_default())
}

/// What was wrong with one registration.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationProblem {
    /// `certificates[index]` did not parse.
    BadCertificate {
        /// 1-based.
        index: usize,
        /// The parser's error.
        error: Box<Error>,
    },
    /// `client_id` is empty, too long or has control characters.
    BadClientId,
    /// `jwks.keys[index]` was refused.
    BadJwk {
        /// 1-based.
        index: usize,
        /// Why.
        problem: JwkProblem,
    },
    /// A SAN value did not parse.
    BadSan {
        /// Which key.
        kind: SanKind,
        /// What was wrong.
        problem: SanValueProblem,
    },
    /// `scope` holds a character RFC 6749 §3.3 does not allow.
    BadScope {
        /// The offending scope token.
        token: String,
    },
    /// `tls_client_auth_subject_dn` did not parse.
    BadSubjectDn(DnParseError),
    /// The `client_id` was already registered.
    DuplicateClientId {
        /// 1-based position of the first registration.
        first: usize,
        /// 1-based position of this one.
        second: usize,
    },
    /// A `grant_types` entry is empty.
    EmptyGrantType,
    /// `self_signed_tls_client_auth` without `certificates` or `jwks` keys.
    NoCertificates,
    /// `tls_client_auth` without any subject matcher (RFC 8705 §2.1.2).
    NoMatcher,
    /// More than one subject matcher (RFC 8705 §2.1.2); keys in alphabetical order.
    SeveralMatchers(Vec<&'static str>),
    /// Syntax: unknown key, wrong type, missing required key (the deserializer's message).
    Syntax {
        /// The deserializer's message.
        message: String,
    },
    /// More than [`MAX_CERTIFICATES_PER_CLIENT`] certificates.
    TooManyCertificates,
    /// A key that does not belong with the registration's method.
    UnexpectedKey {
        /// The key.
        key: &'static str,
        /// The registration's method.
        method: TlsClientAuthMethod,
    },
    /// `certificates[index]` is a path the adapter did not resolve (core reads no files).
    UnresolvedPath {
        /// 1-based.
        index: usize,
        /// The path.
        path: String,
    },
    /// `token_endpoint_auth_method` is not an RFC 8705 method.
    UnsupportedMethod {
        /// The value given.
        method: String,
    },
}

impl fmt::Display for RegistrationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadCertificate { index, error } => {
                write!(f, "certificates[{index}] is not a certificate: {error}")
            }
            Self::BadJwk { index, problem } => write!(f, "jwks key {index}: {problem}"),
            Self::BadScope { token } => write!(
                f,
                "scope value {token:?} has a character RFC 6749 §3.3 does not allow"
            ),
            Self::BadSan { kind, problem } => {
                write!(f, "{} is not valid: {problem}", kind.metadata_name())
            }
            Self::BadSubjectDn(e) => write!(f, "tls_client_auth_subject_dn does not parse: {e}"),
            Self::BadClientId => write!(
                f,
                "client_id must be 1 to {MAX_CLIENT_ID_BYTES} bytes without control characters"
            ),
            Self::DuplicateClientId { first, second } => write!(
                f,
                "client_id is registered twice (registrations #{first} and #{second})"
            ),
            Self::EmptyGrantType => f.write_str("grant_types has an empty entry"),
            Self::NoMatcher => f.write_str(
                "tls_client_auth needs exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email (RFC 8705 §2.1.2); none is set",
            ),
            Self::NoCertificates => f.write_str(
                "self_signed_tls_client_auth needs the client's certificates: set certificates (PEM) or jwks (keys with x5c)",
            ),
            Self::SeveralMatchers(keys) => {
                match keys.as_slice() {
                    [a, b] => write!(f, "{a} and {b} are both set")?,
                    [init @ .., last] => {
                        for (i, k) in init.iter().enumerate() {
                            if i > 0 {
                                f.write_str(", ")?;
                            }
                            f.write_str(k)?;
                        }
                        write!(f, " and {last} are all set")?;
                    }
                    [] => {}
                }
                f.write_str("; RFC 8705 §2.1.2 allows exactly one")
            }
            Self::Syntax { message } => f.write_str(message),
            Self::TooManyCertificates => write!(
                f,
                "more than {MAX_CERTIFICATES_PER_CLIENT} certificates are registered"
            ),
            Self::UnexpectedKey { key, method } => {
                write!(f, "{key} is set, but it is not used by {method}")
            }
            Self::UnresolvedPath { index, path } => write!(
                f,
                "certificates[{index}] is the file path {path:?}, which was not read (give PEM text, or load the file with the certbound server)"
            ),
            Self::UnsupportedMethod { method } => write!(
                f,
                "token_endpoint_auth_method {method:?} is not supported: use tls_client_auth or self_signed_tls_client_auth"
            ),
        }
    }
}

/// Why a client was not authenticated, or a registration not loaded. Every authentication
/// failure is OAuth `invalid_client` ([`ClientAuthError::oauth_error_code`]).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientAuthError {
    /// A self-signed certificate is registered but outside its validity period at `now`.
    CertificateExpired {
        /// The client.
        client_id: String,
        /// The certificate's `x5t#S256`.
        x5t: CertThumbprint,
        /// The verification time, UNIX seconds.
        now: u64,
        /// `notBefore`, UNIX seconds.
        not_before: u64,
        /// `notAfter`, UNIX seconds.
        not_after: u64,
    },
    /// The presented certificate is not one of the client's registered self-signed ones.
    CertificateNotRegistered {
        /// The client.
        client_id: String,
        /// The presented certificate's `x5t#S256`.
        x5t: CertThumbprint,
    },
    /// The chain did not validate to the configured anchors (`tls_client_auth`).
    Chain {
        /// The client.
        client_id: String,
        /// The path validation error.
        error: Box<Error>,
    },
    /// The certificate subject is not the registered `tls_client_auth_subject_dn`.
    DnMismatch {
        /// The client.
        client_id: String,
        /// The registered DN (RFC 4514).
        expected: String,
        /// The certificate's subject (RFC 4514).
        presented: String,
        /// The subject has a NUL character (never matches).
        nul: bool,
    },
    /// The registration's method is not the one required by the caller.
    MethodMismatch {
        /// The client.
        client_id: String,
        /// The registered method.
        registered: TlsClientAuthMethod,
        /// The method required.
        required: TlsClientAuthMethod,
    },
    /// No client certificate was presented.
    NoCertificate {
        /// The client.
        client_id: String,
    },
    /// `tls_client_auth` with no trust anchors configured.
    NoTrustAnchors {
        /// The client.
        client_id: String,
    },
    /// A registration was invalid (load time).
    Registration {
        /// Which registration.
        client: ClientLabel,
        /// What was wrong.
        problem: RegistrationProblem,
    },
    /// The registration file's shape was wrong (load time).
    RegistrationFile {
        /// What was wrong.
        message: String,
    },
    /// The certificate lacks the registered SAN.
    SanMismatch {
        /// The client.
        client_id: String,
        /// The SAN kind.
        kind: SanKind,
        /// The registered value.
        expected: String,
        /// The certificate's SANs of that kind.
        presented: Vec<String>,
    },
    /// No registration has this `client_id` (truncated to [`MAX_CLIENT_ID_BYTES`]).
    UnknownClient {
        /// The id asked for.
        client_id: String,
    },
}

impl ClientAuthError {
    /// The OAuth 2.0 error code (RFC 6749 §5.2): always `invalid_client`.
    pub fn oauth_error_code(&self) -> &'static str {
        "invalid_client"
    }

    /// The error for a request that presented no client certificate (the adapter knows this
    /// before core sees a certificate).
    pub fn no_certificate(client_id: &str) -> Self {
        Self::NoCertificate {
            client_id: truncate(client_id),
        }
    }
}

impl fmt::Display for ClientAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CertificateExpired {
                client_id,
                x5t,
                now,
                not_before,
                not_after,
            } => {
                let state = if now < not_before {
                    "is not yet valid"
                } else {
                    "has expired"
                };
                write!(
                    f,
                    "client {client_id:?}: registered self-signed certificate {x5t} {state}: verification time {}, valid from {} to {}",
                    time::rfc3339(*now),
                    time::rfc3339(*not_before),
                    time::rfc3339(*not_after)
                )
            }
            Self::CertificateNotRegistered { client_id, x5t } => write!(
                f,
                "client {client_id:?}: the certificate (x5t#S256 {x5t}) is not one of the client's registered self-signed certificates"
            ),
            Self::Chain { client_id, error } => write!(
                f,
                "client {client_id:?}: the certificate chain does not validate: {error}"
            ),
            Self::DnMismatch {
                client_id,
                expected,
                presented,
                nul,
            } => {
                write!(
                    f,
                    "client {client_id:?}: certificate subject {presented:?} does not match the registered tls_client_auth_subject_dn {expected:?}"
                )?;
                if *nul {
                    f.write_str(" (the subject contains a NUL character)")?;
                }
                Ok(())
            }
            Self::MethodMismatch {
                client_id,
                registered,
                required,
            } => write!(
                f,
                "client {client_id:?} is registered for {registered}, but {required} is required"
            ),
            Self::NoCertificate { client_id } => write!(
                f,
                "client {client_id:?}: no client certificate was presented; mutual-TLS client authentication needs one (RFC 8705 §2)"
            ),
            Self::NoTrustAnchors { client_id } => write!(
                f,
                "client {client_id:?}: tls_client_auth needs trust anchors to validate the certificate chain, and none are configured"
            ),
            Self::Registration { client, problem } => write!(f, "{client}: {problem}"),
            Self::RegistrationFile { message } => write!(f, "client registrations: {message}"),
            Self::SanMismatch {
                client_id,
                kind,
                expected,
                presented,
            } => {
                write!(
                    f,
                    "client {client_id:?}: the certificate has no {kind} SAN matching the registered {} {expected:?}; ",
                    kind.metadata_name()
                )?;
                if presented.is_empty() {
                    write!(f, "it has no {kind} SAN")
                } else {
                    write!(f, "it has {kind}: {}", presented.join(", "))
                }
            }
            Self::UnknownClient { client_id } => {
                write!(
                    f,
                    "unknown client {client_id:?}: no registration has this client_id"
                )
            }
        }
    }
}

impl From<ClientAuthError> for Error {
    fn from(e: ClientAuthError) -> Self {
        Self::ClientAuth(e)
    }
}

/// A validated client registration.
#[derive(Debug, Clone)]
pub struct ClientRegistration {
    client_id: String,
    method: TlsClientAuthMethod,
    matcher: Option<SubjectMatcher>,
    certificates: Vec<Certificate>,
    bound_tokens: bool,
    scope: Vec<String>,
    grant_types: Vec<String>,
}

impl ClientRegistration {
    /// Validates one raw registration; `index` (0-based) names it when it has no `client_id`.
    ///
    /// # Errors
    /// [`ClientAuthError::Registration`] naming the client and the key.
    pub fn from_raw(raw: RawClientRegistration, index: usize) -> Result<Self, Error> {
        let label = ClientLabel::of(Some(&raw.client_id), index);
        Self::validate(raw).map_err(|problem| {
            Error::from(ClientAuthError::Registration {
                client: label,
                problem,
            })
        })
    }

    fn validate(raw: RawClientRegistration) -> Result<Self, RegistrationProblem> {
        if raw.client_id.is_empty()
            || raw.client_id.len() > MAX_CLIENT_ID_BYTES
            || raw.client_id.chars().any(char::is_control)
        {
            return Err(RegistrationProblem::BadClientId);
        }
        let method = match raw.token_endpoint_auth_method.as_str() {
            "tls_client_auth" => TlsClientAuthMethod::Pki,
            "self_signed_tls_client_auth" => TlsClientAuthMethod::SelfSigned,
            other => {
                return Err(RegistrationProblem::UnsupportedMethod {
                    method: truncate(other),
                });
            }
        };
        // Alphabetical, so errors list them in a stable order.
        let matchers: [(&'static str, Option<&String>); 5] = [
            (
                "tls_client_auth_san_dns",
                raw.tls_client_auth_san_dns.as_ref(),
            ),
            (
                "tls_client_auth_san_email",
                raw.tls_client_auth_san_email.as_ref(),
            ),
            (
                "tls_client_auth_san_ip",
                raw.tls_client_auth_san_ip.as_ref(),
            ),
            (
                "tls_client_auth_san_uri",
                raw.tls_client_auth_san_uri.as_ref(),
            ),
            (
                "tls_client_auth_subject_dn",
                raw.tls_client_auth_subject_dn.as_ref(),
            ),
        ];
        let set: Vec<(&'static str, &String)> = matchers
            .iter()
            .filter_map(|(k, v)| v.map(|v| (*k, v)))
            .collect();
        let (matcher, certificates) = match method {
            TlsClientAuthMethod::Pki => {
                if raw.certificates.is_some() {
                    return Err(RegistrationProblem::UnexpectedKey {
                        key: "certificates",
                        method,
                    });
                }
                if raw.jwks.is_some() {
                    return Err(RegistrationProblem::UnexpectedKey {
                        key: "jwks",
                        method,
                    });
                }
                let matcher = match set.as_slice() {
                    [] => return Err(RegistrationProblem::NoMatcher),
                    [(key, value)] => parse_matcher(key, value)?,
                    more => {
                        return Err(RegistrationProblem::SeveralMatchers(
                            more.iter().map(|(k, _)| *k).collect(),
                        ));
                    }
                };
                (Some(matcher), Vec::new())
            }
            TlsClientAuthMethod::SelfSigned => {
                if let Some((key, _)) = set.first() {
                    return Err(RegistrationProblem::UnexpectedKey { key, method });
                }
                (None, self_signed_certificates(&raw)?)
            }
        };
        let mut scope = Vec::new();
        for token in raw.scope.as_deref().unwrap_or_default().split(' ') {
            if token.is_empty() {
                continue;
            }
            let ok = token
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b));
            if !ok {
                return Err(RegistrationProblem::BadScope {
                    token: truncate(token),
                });
            }
            scope.push(String::from(token));
        }
        let grant_types = raw
            .grant_types
            .unwrap_or_else(|| alloc::vec![String::from("authorization_code")]);
        if grant_types.iter().any(String::is_empty) {
            return Err(RegistrationProblem::EmptyGrantType);
        }
        Ok(Self {
            client_id: raw.client_id,
            method,
            matcher,
            certificates,
            bound_tokens: raw
                .tls_client_certificate_bound_access_tokens
                .unwrap_or(false),
            scope,
            grant_types,
        })
    }

    /// `client_id`.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// `token_endpoint_auth_method`.
    pub fn method(&self) -> TlsClientAuthMethod {
        self.method
    }

    /// The subject matcher (`tls_client_auth` only).
    pub fn matcher(&self) -> Option<&SubjectMatcher> {
        self.matcher.as_ref()
    }

    /// The registered self-signed certificates (`certificates` then `jwks`), empty for
    /// `tls_client_auth`.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// `tls_client_certificate_bound_access_tokens` (RFC 8705 §3.4), `false` when absent.
    pub fn certificate_bound_access_tokens(&self) -> bool {
        self.bound_tokens
    }

    /// The scope values of `scope`.
    pub fn scope(&self) -> &[String] {
        &self.scope
    }

    /// `grant_types` (RFC 7591 default `["authorization_code"]` when absent).
    pub fn grant_types(&self) -> &[String] {
        &self.grant_types
    }
}

fn parse_matcher(key: &str, value: &str) -> Result<SubjectMatcher, RegistrationProblem> {
    let kind = match key {
        "tls_client_auth_subject_dn" => {
            return RegisteredDn::parse(value)
                .map(SubjectMatcher::SubjectDn)
                .map_err(RegistrationProblem::BadSubjectDn);
        }
        "tls_client_auth_san_dns" => SanKind::Dns,
        "tls_client_auth_san_email" => SanKind::Email,
        "tls_client_auth_san_ip" => SanKind::Ip,
        _ => SanKind::Uri,
    };
    san::parse_registered(kind, value)
        .map_err(|problem| RegistrationProblem::BadSan { kind, problem })
}

fn self_signed_certificates(
    raw: &RawClientRegistration,
) -> Result<Vec<Certificate>, RegistrationProblem> {
    let mut out = Vec::new();
    for (i, entry) in raw.certificates.iter().flatten().enumerate() {
        let index = i + 1;
        let pem = match entry {
            CertificateEntry::Pem(pem) => pem,
            CertificateEntry::Path(path) => {
                return Err(RegistrationProblem::UnresolvedPath {
                    index,
                    path: path.clone(),
                });
            }
        };
        let certs = crate::cert::parse_bundle(pem.as_bytes()).map_err(|e| {
            RegistrationProblem::BadCertificate {
                index,
                error: Box::new(e),
            }
        })?;
        out.extend(certs);
        if out.len() > MAX_CERTIFICATES_PER_CLIENT {
            return Err(RegistrationProblem::TooManyCertificates);
        }
    }
    for (i, key) in raw.jwks.iter().flat_map(|j| j.keys.iter()).enumerate() {
        let cert = jwk::certificate_of(key).map_err(|problem| RegistrationProblem::BadJwk {
            index: i + 1,
            problem,
        })?;
        out.push(cert);
        if out.len() > MAX_CERTIFICATES_PER_CLIENT {
            return Err(RegistrationProblem::TooManyCertificates);
        }
    }
    if out.is_empty() {
        return Err(RegistrationProblem::NoCertificates);
    }
    Ok(out)
}

/// A validated set of registrations, looked up by `client_id`.
#[derive(Debug, Clone, Default)]
pub struct ClientRegistry {
    clients: Vec<ClientRegistration>,
    by_id: BTreeMap<String, usize>,
}

impl ClientRegistry {
    /// Validates every registration; the first invalid one rejects the set.
    ///
    /// # Errors
    /// [`ClientAuthError::Registration`] naming the client and what was wrong (including a
    /// duplicate `client_id`), or [`ClientAuthError::RegistrationFile`] for more than
    /// [`MAX_CLIENTS`] registrations.
    pub fn from_raw(raw: Vec<RawClientRegistration>) -> Result<Self, Error> {
        if raw.len() > MAX_CLIENTS {
            return Err(ClientAuthError::RegistrationFile {
                message: alloc::format!(
                    "{} registrations, over the limit of {MAX_CLIENTS}",
                    raw.len()
                ),
            }
            .into());
        }
        let mut registry = Self::default();
        for (i, r) in raw.into_iter().enumerate() {
            let reg = ClientRegistration::from_raw(r, i)?;
            if let Some(first) = registry.by_id.get(&reg.client_id) {
                return Err(ClientAuthError::Registration {
                    client: ClientLabel::Id(reg.client_id),
                    problem: RegistrationProblem::DuplicateClientId {
                        first: first + 1,
                        second: i + 1,
                    },
                }
                .into());
            }
            registry.by_id.insert(reg.client_id.clone(), i);
            registry.clients.push(reg);
        }
        Ok(registry)
    }

    /// Parses and validates a JSON registration file ([`parse_json_registrations`]); every
    /// `certificates` entry must be inline PEM.
    ///
    /// # Errors
    /// As [`parse_json_registrations`] and [`ClientRegistry::from_raw`].
    pub fn from_json(input: &[u8]) -> Result<Self, Error> {
        Self::from_raw(parse_json_registrations(input)?)
    }

    /// The registration with this `client_id`.
    pub fn get(&self, client_id: &str) -> Option<&ClientRegistration> {
        self.by_id.get(client_id).and_then(|&i| self.clients.get(i))
    }

    /// All registrations, in file order.
    pub fn clients(&self) -> &[ClientRegistration] {
        &self.clients
    }

    /// Number of registrations.
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Is the registry empty?
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

/// Options of [`authenticate`]. Defaults: any registered method, self-signed validity enforced
/// with no clock skew, chain signatures verified with [`RustCrypto`].
///
/// `'p` is the provider's lifetime: [`AuthOptions::new`] uses the `'static` [`RustCrypto`];
/// [`AuthOptions::with_provider`] takes any provider (and never links RustCrypto in, which keeps
/// it out of a wasm build that verifies with WebCrypto through [`crate::provider::Deferred`]).
#[derive(Debug, Clone)]
pub struct AuthOptions<'p> {
    required_method: Option<TlsClientAuthMethod>,
    ignore_self_signed_validity: bool,
    clock_skew_secs: u64,
    provider: &'p dyn CryptoProvider,
}

impl AuthOptions<'static> {
    /// The defaults.
    pub fn new() -> Self {
        Self::with_provider(&RustCrypto)
    }
}

impl Default for AuthOptions<'static> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'p> AuthOptions<'p> {
    /// The defaults, with `tls_client_auth` chain signatures verified by `provider`.
    pub fn with_provider(provider: &'p dyn CryptoProvider) -> Self {
        Self {
            required_method: None,
            ignore_self_signed_validity: false,
            clock_skew_secs: 0,
            provider,
        }
    }

    /// Refuse clients registered for another method (default: either method).
    #[must_use]
    pub fn require_method(mut self, method: TlsClientAuthMethod) -> Self {
        self.required_method = Some(method);
        self
    }

    /// Accept a registered self-signed certificate outside its validity period (default:
    /// refused). RFC 8705 §2.2 leaves this to the server; some deployments register long-lived
    /// keys whose certificates were minted with short validity.
    #[must_use]
    pub fn dangerous_ignore_self_signed_validity(mut self) -> Self {
        self.ignore_self_signed_validity = true;
        self
    }

    /// Seconds of clock skew tolerated on each side of a self-signed certificate's validity
    /// period (default 0).
    #[must_use]
    pub fn clock_skew(mut self, seconds: u64) -> Self {
        self.clock_skew_secs = seconds;
        self
    }

    /// Verify `tls_client_auth` chain signatures with `provider` (default [`RustCrypto`]), as
    /// [`crate::path::verify_chain_with_provider`] does: every decision stays core's, the
    /// provider only changes what a check costs.
    #[must_use]
    pub fn provider<'q>(self, provider: &'q dyn CryptoProvider) -> AuthOptions<'q> {
        AuthOptions {
            required_method: self.required_method,
            ignore_self_signed_validity: self.ignore_self_signed_validity,
            clock_skew_secs: self.clock_skew_secs,
            provider,
        }
    }
}

/// A client that authenticated with its certificate.
#[derive(Debug, Clone)]
pub struct AuthenticatedClient<'r> {
    registration: &'r ClientRegistration,
    x5t: CertThumbprint,
}

impl<'r> AuthenticatedClient<'r> {
    /// `client_id`.
    pub fn client_id(&self) -> &'r str {
        &self.registration.client_id
    }

    /// The method used.
    pub fn method(&self) -> TlsClientAuthMethod {
        self.registration.method
    }

    /// The certificate's `x5t#S256`, to bind tokens to (RFC 8705 §3).
    pub fn x5t(&self) -> CertThumbprint {
        self.x5t
    }

    /// The registration.
    pub fn registration(&self) -> &'r ClientRegistration {
        self.registration
    }
}

/// Authenticates `client_id` with the presented certificate: the token endpoint's decision.
///
/// - `tls_client_auth`: `leaf` + `chain` must validate to `trust` at `now` for clientAuth
///   ([`crate::path::verify_chain`]), then carry the registered subject DN or SAN.
/// - `self_signed_tls_client_auth`: `leaf`'s `x5t#S256` must equal a registered certificate's
///   (compared in constant time over the whole list), and `now` must be within its validity
///   period unless [`AuthOptions::dangerous_ignore_self_signed_validity`]. The chain is not
///   validated (RFC 8705 §2.2).
///
/// # Errors
/// [`Error::ClientAuth`] saying why; every case is OAuth `invalid_client`.
pub fn authenticate<'r>(
    registry: &'r ClientRegistry,
    client_id: &str,
    leaf: &Certificate,
    chain: &[Certificate],
    trust: Option<&TrustStore>,
    now: UnixTime,
    options: &AuthOptions,
) -> Result<AuthenticatedClient<'r>, Error> {
    let reg = registry
        .get(client_id)
        .ok_or_else(|| ClientAuthError::UnknownClient {
            client_id: truncate(client_id),
        })?;
    let id = || reg.client_id.clone();
    if let Some(required) = options.required_method {
        if required != reg.method {
            return Err(ClientAuthError::MethodMismatch {
                client_id: id(),
                registered: reg.method,
                required,
            }
            .into());
        }
    }
    match reg.method {
        TlsClientAuthMethod::Pki => {
            let trust = trust.ok_or_else(|| ClientAuthError::NoTrustAnchors { client_id: id() })?;
            let verify = VerifyOptions::new(Purpose::ClientAuth);
            verify_chain_with_provider(trust, leaf, chain, now, &verify, options.provider)
                .map_err(|e| ClientAuthError::Chain {
                    client_id: id(),
                    error: Box::new(e),
                })?;
            let Some(matcher) = reg.matcher.as_ref() else {
                // Unreachable: validation requires a matcher for tls_client_auth.
                return Err(ClientAuthError::Registration {
                    client: ClientLabel::Id(id()),
                    problem: RegistrationProblem::NoMatcher,
                }
                .into());
            };
            if !matcher.matches(leaf) {
                return Err(match matcher {
                    SubjectMatcher::SubjectDn(dn) => ClientAuthError::DnMismatch {
                        client_id: id(),
                        expected: alloc::format!("{dn}"),
                        presented: alloc::format!("{}", leaf.subject()),
                        nul: dn::has_nul(leaf.subject()),
                    },
                    other => {
                        let kind = other.san_kind().unwrap_or(SanKind::Dns);
                        ClientAuthError::SanMismatch {
                            client_id: id(),
                            kind,
                            expected: alloc::format!("{other}"),
                            presented: kind.present(leaf),
                        }
                    }
                }
                .into());
            }
        }
        TlsClientAuthMethod::SelfSigned => {
            let presented = leaf.x5t_s256();
            // No early exit: every registered thumbprint is compared.
            let found = reg.certificates.iter().fold(Choice::from(0), |acc, c| {
                acc | c.x5t_s256().as_bytes().ct_eq(presented.as_bytes())
            });
            if !bool::from(found) {
                return Err(ClientAuthError::CertificateNotRegistered {
                    client_id: id(),
                    x5t: presented,
                }
                .into());
            }
            let t = now.as_secs();
            let skew = options.clock_skew_secs;
            let valid = leaf.not_before().saturating_sub(skew) <= t
                && t <= leaf.not_after().saturating_add(skew);
            if !valid && !options.ignore_self_signed_validity {
                return Err(ClientAuthError::CertificateExpired {
                    client_id: id(),
                    x5t: presented,
                    now: t,
                    not_before: leaf.not_before(),
                    not_after: leaf.not_after(),
                }
                .into());
            }
        }
    }
    Ok(AuthenticatedClient {
        registration: reg,
        x5t: leaf.x5t_s256(),
    })
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    fn load(json: &str) -> Result<ClientRegistry, String> {
        ClientRegistry::from_json(json.as_bytes()).map_err(|e| e.to_string())
    }

    fn self_signed_pem() -> String {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        rcgen::CertificateParams::new(["self.example".to_string()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .pem()
    }

    #[test]
    fn two_matchers_are_rejected_naming_client_and_keys() {
        // Intent: RFC 8705 §2.1.2 exactly one matcher; the error names the client and keys.
        let e = load(
            r#"{"clients":[{"client_id":"acme","token_endpoint_auth_method":"tls_client_auth",
            "tls_client_auth_subject_dn":"CN=acme","tls_client_auth_san_dns":"acme.example"}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "client \"acme\": tls_client_auth_san_dns and tls_client_auth_subject_dn are both set; RFC 8705 §2.1.2 allows exactly one"
        );
        let e = load(
            r#"[{"client_id":"acme","token_endpoint_auth_method":"tls_client_auth",
            "tls_client_auth_san_ip":"::1","tls_client_auth_san_uri":"spiffe://a/b",
            "tls_client_auth_san_email":"a@b"}]"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "client \"acme\": tls_client_auth_san_email, tls_client_auth_san_ip and tls_client_auth_san_uri are all set; RFC 8705 §2.1.2 allows exactly one"
        );
    }

    #[test]
    fn no_matcher_is_rejected() {
        // Intent: a tls_client_auth registration must say which subject it expects.
        let e = load(r#"[{"client_id":"acme","token_endpoint_auth_method":"tls_client_auth"}]"#)
            .unwrap_err();
        assert_eq!(
            e,
            "client \"acme\": tls_client_auth needs exactly one of tls_client_auth_subject_dn, tls_client_auth_san_dns, tls_client_auth_san_uri, tls_client_auth_san_ip, tls_client_auth_san_email (RFC 8705 §2.1.2); none is set"
        );
    }

    #[test]
    fn unknown_key_is_rejected_naming_the_client() {
        // Intent: deny_unknown_fields turns a typo into a load error, labelled with the client.
        let e = load(
            r#"[{"client_id":"ok","token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"a.example"},
               {"client_id":"acme","token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dsn":"a.example"}]"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "client \"acme\": unknown field `tls_client_auth_san_dsn`, expected one of `client_id`, `token_endpoint_auth_method`, `tls_client_auth_subject_dn`, `tls_client_auth_san_dns`, `tls_client_auth_san_uri`, `tls_client_auth_san_ip`, `tls_client_auth_san_email`, `jwks`, `certificates`, `tls_client_certificate_bound_access_tokens`, `scope`, `grant_types`"
        );
        let e = load(r#"[{"token_endpoint_auth_method":"tls_client_auth"}]"#).unwrap_err();
        assert_eq!(e, "client #1: missing field `client_id`");
        let e = load(r#"{"client":[]}"#).unwrap_err();
        assert_eq!(
            e,
            "client registrations: unknown top-level key \"client\": expected only \"clients\""
        );
    }

    #[test]
    fn duplicate_json_keys_are_rejected() {
        // Intent: a repeated key cannot silently override an earlier matcher.
        let e = load(
            r#"{"clients":[{"client_id":"acme","token_endpoint_auth_method":"tls_client_auth",
"tls_client_auth_san_dns":"a.example","tls_client_auth_san_dns":"evil.example"}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "client registrations: duplicate field `tls_client_auth_san_dns` at line 2 column 63"
        );
    }

    #[test]
    fn bad_dn_is_rejected_with_position() {
        // Intent: an unparsable registered DN fails at load, with the byte offset.
        let e = load(
            r#"[{"client_id":"acme","token_endpoint_auth_method":"tls_client_auth",
            "tls_client_auth_subject_dn":"CN=acme,O=Acme;Inc"}]"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "client \"acme\": tls_client_auth_subject_dn does not parse: unescaped ';' at byte 14: write it as \\;"
        );
    }

    #[test]
    fn duplicate_client_id_is_rejected() {
        // Intent: two registrations may not share a client_id.
        let reg = r#"{"client_id":"acme","token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"a.example"}"#;
        let other = r#"{"client_id":"b","token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_dns":"b.example"}"#;
        let e = load(&alloc::format!("[{reg},{other},{reg}]")).unwrap_err();
        assert_eq!(
            e,
            "client \"acme\": client_id is registered twice (registrations #1 and #3)"
        );
    }

    #[test]
    fn self_signed_without_certificates_is_rejected() {
        // Intent: §2.2 needs the certificates; an empty list is as bad as none.
        let e = load(
            r#"[{"client_id":"acme","token_endpoint_auth_method":"self_signed_tls_client_auth"}]"#,
        )
        .unwrap_err();
        let msg = "client \"acme\": self_signed_tls_client_auth needs the client's certificates: set certificates (PEM) or jwks (keys with x5c)";
        assert_eq!(e, msg);
        let e = load(
            r#"[{"client_id":"acme","token_endpoint_auth_method":"self_signed_tls_client_auth","certificates":[],"jwks":{"keys":[]}}]"#,
        )
        .unwrap_err();
        assert_eq!(e, msg);
    }

    #[test]
    fn self_signed_rejects_subject_matchers_and_unresolved_paths() {
        // Intent: keys of the other method are errors; core never reads a path.
        let e = load(
            r#"[{"client_id":"acme","token_endpoint_auth_method":"self_signed_tls_client_auth","tls_client_auth_san_dns":"a","certificates":["a.pem"]}]"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "client \"acme\": tls_client_auth_san_dns is set, but it is not used by self_signed_tls_client_auth"
        );
        let e = load(
            r#"[{"client_id":"acme","token_endpoint_auth_method":"self_signed_tls_client_auth","certificates":["certs/acme.pem"]}]"#,
        )
        .unwrap_err();
        assert_eq!(
            e,
            "client \"acme\": certificates[1] is the file path \"certs/acme.pem\", which was not read (give PEM text, or load the file with the certbound server)"
        );
        let e = load(r#"[{"client_id":"acme","token_endpoint_auth_method":"private_key_jwt"}]"#)
            .unwrap_err();
        assert_eq!(
            e,
            "client \"acme\": token_endpoint_auth_method \"private_key_jwt\" is not supported: use tls_client_auth or self_signed_tls_client_auth"
        );
    }

    #[test]
    fn resolved_paths_and_metadata_are_kept() {
        // Intent: the adapter's resolver replaces paths; metadata accessors return the values.
        let pem = self_signed_pem();
        let mut raw = parse_json_registrations(
            br#"{"clients":[{"client_id":"acme","token_endpoint_auth_method":"self_signed_tls_client_auth",
            "certificates":["acme.pem"],"tls_client_certificate_bound_access_tokens":true,
            "scope":"read write","grant_types":["client_credentials"]}]}"#,
        )
        .unwrap();
        let mut asked = Vec::new();
        raw[0]
            .resolve_certificate_paths(|p| {
                asked.push(p.to_string());
                Ok::<_, ()>(pem.clone())
            })
            .unwrap();
        assert_eq!(asked, ["acme.pem"]);
        let registry = ClientRegistry::from_raw(raw).unwrap();
        let reg = registry.get("acme").unwrap();
        assert_eq!(reg.method(), TlsClientAuthMethod::SelfSigned);
        assert_eq!(reg.method().to_string(), "self_signed_tls_client_auth");
        assert_eq!(reg.certificates().len(), 1);
        assert!(reg.certificate_bound_access_tokens());
        assert_eq!(reg.scope(), ["read", "write"]);
        assert_eq!(reg.grant_types(), ["client_credentials"]);
        assert!(registry.get("ACME").is_none());
    }

    #[test]
    fn defaults_follow_the_rfcs() {
        // Intent: RFC 8705 §3.4 binding defaults to false, RFC 7591 grant_types to authorization_code.
        let registry = load(
            r#"[{"client_id":"a","token_endpoint_auth_method":"tls_client_auth","tls_client_auth_san_uri":"spiffe://example.org/a"}]"#,
        )
        .unwrap();
        let reg = registry.get("a").unwrap();
        assert!(!reg.certificate_bound_access_tokens());
        assert_eq!(reg.grant_types(), ["authorization_code"]);
        assert!(reg.scope().is_empty());
        assert_eq!(reg.method().to_string(), "tls_client_auth");
        assert_eq!(reg.matcher().unwrap().to_string(), "spiffe://example.org/a");
    }
}
