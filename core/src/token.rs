//! Certificate-bound JWT access tokens (RFC 8705 §3, RFC 9068), validated sans-IO.
//!
//! ```text
//! RFC 8705 §3.1: "cnf":{"x5t#S256":"<base64url SHA-256 of the client certificate's DER>"}
//! ```
//!
//! A [`Validator`] is built once (issuer, audience, key set, algorithm allow-list, leeway,
//! binding policy) and shared. Validation is split in two so that an asynchronous provider
//! (WebCrypto) fits:
//!
//! 1. [`Validator::begin`] parses the token and runs **every check that needs no signature**:
//!    size, structure, header (`alg` allow-list, `crit`, `typ`, key selection and key fit),
//!    claims (`iss`, `aud`, `exp`, `nbf`, `iat`, required claims), the certificate binding and
//!    the required scopes. It returns a [`PendingSignature`].
//! 2. The adapter verifies [`PendingSignature::signature`] over
//!    [`PendingSignature::signing_input`] with [`PendingSignature::public_key`] under
//!    [`PendingSignature::scheme`], and passes the outcome to [`PendingSignature::finish`].
//!
//! [`Validator::validate`] does both with a synchronous [`CryptoProvider`].
//!
//! ## Getting started
//! ```
//! use certbound_core::oauth::BearerError;
//! use certbound_core::provider::RustCrypto;
//! use certbound_core::token::{JwkSet, TokenError, Validator};
//! use certbound_core::{CertThumbprint, Error, UnixTime};
//!
//! // Once, at startup: the authorization server's JWKS and this resource server's identity.
//! let jwks = JwkSet::from_json(br#"{"keys":[{"alg":"ES256","crv":"P-256","kid":"Dwhk3O9GXmaAbt1mdgUKbjwl127gQtvRuBzEJcPhLDo","kty":"EC","use":"sig","x":"OtOGGpViE5JRa7WT7wVYPtLlhm9ctiYKMBcjf9ibkK8","y":"0JYcfjcHWmeRo5xh9WKVsCttJlZ7YV5gqkHuHI6DOI0"}]}"#)?;
//! let validator = Validator::builder("https://as.example", "https://rs.example", jwks)
//!     .build()
//!     .expect("issuer, audience and keys are set");
//!
//! // Per request: the bearer token, the TLS client certificate's thumbprint, the time.
//! # let token = "eyJhbGciOiJFUzI1NiIsImtpZCI6IkR3aGszTzlHWG1hQWJ0MW1kZ1VLYmp3bDEyN2dRdHZSdUJ6RUpjUGhMRG8iLCJ0eXAiOiJhdCtqd3QifQ.eyJhdWQiOiJodHRwczovL3JzLmV4YW1wbGUiLCJjbGllbnRfaWQiOiJjMSIsImNuZiI6eyJ4NXQjUzI1NiI6IkE0RHRMMkptVU1oQXN2Smo1dEt5bjY0U3F6bXVYYk1ySmEwbjc2MXk1djAifSwiZXhwIjoxNzE0NTY4NDAwLCJpYXQiOjE3MTQ1NjQ4MDAsImlzcyI6Imh0dHBzOi8vYXMuZXhhbXBsZSIsImp0aSI6ImoxIiwic2NvcGUiOiJyZWFkIiwic3ViIjoiYzEifQ.7_--kvuKV4_ljJ9Uh4IXN-57Z5Ov-QcqyqrSoXAAbYYA97pDLYBQzcj9Vdqtqd-9nYnbEvq3TBlMLtyJtLYnYg";
//! let presented = CertThumbprint::from_x5t_s256("A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0");
//! let now = UnixTime::since_unix_epoch(core::time::Duration::from_secs(1_714_565_000));
//! let valid = validator.validate(&RustCrypto, token, presented.as_ref(), now)?;
//! assert_eq!(valid.client_id(), Some("c1"));
//!
//! // Without the certificate the token is bound to, the answer is an RFC 6750 challenge.
//! let denied = validator.validate(&RustCrypto, token, None, now).unwrap_err();
//! assert_eq!(denied, Error::Token(TokenError::CertificateRequired));
//! let answer = BearerError::from_error(&denied);
//! assert_eq!(answer.status(), 401);
//! assert_eq!(
//!     answer.www_authenticate(Some("api")),
//!     "Bearer realm=\"api\", error=\"invalid_token\", \
//!      error_description=\"The access token is bound to a client certificate; present it over mutual TLS\""
//! );
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Why claims are checked before the signature
//! Cheap checks first: an expired, mis-addressed or mis-bound token costs no public-key
//! operation, which matters on the edge where every request pays for one. The price is that
//! a forged token can learn which of *its own* claims the server dislikes. That reveals nothing
//! secret: the deny answers ([`crate::oauth`]) are fixed ASCII texts per category that never echo
//! expected values, the server clock or key material, and the issuer and audience a resource
//! server expects are public (authorization server metadata). No answer ever says that a
//! signature was *valid*: a token is only accepted after [`PendingSignature::finish`].
//!
//! ## Defaults (each loosened only by an explicit builder call)
//! | setting | default |
//! |---|---|
//! | algorithms | `ES256` only ([`ValidatorBuilder::algorithms`]) |
//! | leeway | [`DEFAULT_LEEWAY_SECS`] = 60 s on `exp`, `nbf`, `iat` |
//! | `typ` | `at+jwt` / `application/at+jwt` required; RFC 9068 claims required |
//! | binding | `cnf.x5t#S256` required ([`ValidatorBuilder::allow_unbound`]) |

pub mod binding;
pub mod cache;
pub mod claims;
#[cfg(feature = "issue")]
pub mod issue;
pub mod jwk;
pub mod jws;
pub mod resource;

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

pub use self::cache::{CacheLookup, CachedPending, TokenCache};
pub use self::claims::ValidToken;
pub use self::jwk::{Jwk, JwkProblem, JwkSet, KeyMismatch};
pub use self::jws::{Algorithm, Segment};
use crate::cert::CertThumbprint;
use crate::provider::{CryptoProvider, InvalidSignature, SignatureScheme};
use crate::time::rfc3339;
use crate::{Error, UnixTime};

/// Largest access token accepted (16 KiB), checked before any decoding: RFC 9068 tokens are a
/// few hundred bytes to a few KiB, and HTTP servers commonly cap a header line at 8–16 KiB.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Default clock-skew allowance in seconds applied to `exp`, `nbf` and `iat`: one minute,
/// the value most OAuth libraries use; enough for NTP-synchronised hosts, short enough not to
/// extend a token's life meaningfully.
pub const DEFAULT_LEEWAY_SECS: u64 = 60;

/// Largest leeway a validator accepts (5 minutes): beyond that the clocks need fixing.
pub const MAX_LEEWAY_SECS: u64 = 300;

/// Why a token (or a key set) was refused.
///
/// `Display` is for operators (logs, the CLI); the answer sent to clients comes from
/// [`crate::oauth::BearerError::from_error`] and never includes these details.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenError {
    /// The header's `alg` is not in the validator's allow-list (`none`, `HS256`, …).
    AlgorithmNotAllowed {
        /// The header's `alg`, truncated.
        alg: String,
    },
    /// The `aud` claim does not contain the expected audience.
    Audience {
        /// The audience this resource server is.
        expected: String,
        /// The token's audiences, truncated.
        actual: Vec<String>,
    },
    /// A segment is not canonical unpadded base64url.
    Base64 {
        /// Which segment.
        segment: Segment,
    },
    /// The token is bound to a different certificate than the one presented.
    CertificateMismatch {
        /// The thumbprint the token is bound to.
        bound: CertThumbprint,
        /// The presented certificate's thumbprint.
        presented: CertThumbprint,
    },
    /// The token is bound to a certificate (`cnf.x5t#S256`), but none was presented.
    CertificateRequired,
    /// A claim has the wrong JSON type or value shape.
    ClaimType {
        /// The claim.
        claim: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// `cnf` is malformed: not an object, no `x5t#S256`, or a value that is not canonical
    /// unpadded base64url of 32 bytes.
    Cnf {
        /// What was wrong.
        problem: &'static str,
    },
    /// The header has `crit` (RFC 7515 §4.1.11): certbound understands no extension.
    Critical {
        /// The names listed, truncated.
        names: Vec<String>,
    },
    /// A JSON object has the same member name twice.
    DuplicateMember {
        /// Which segment.
        segment: Segment,
        /// The repeated name, truncated.
        name: String,
    },
    /// The token expired (`exp` plus leeway is not after now).
    Expired {
        /// The `exp` claim.
        exp: u64,
        /// The validation time.
        now: u64,
        /// The leeway applied.
        leeway: u64,
    },
    /// A header member has the wrong type.
    HeaderType {
        /// The member.
        member: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// An introspection response says the token is not active (RFC 7662 §2.2).
    Inactive,
    /// The token's scopes lack some required scope (RFC 6750 `insufficient_scope`).
    InsufficientScope {
        /// The required scopes the token does not grant.
        missing: Vec<String>,
    },
    /// `iat` is in the future beyond the leeway.
    IssuedInFuture {
        /// The `iat` claim.
        iat: u64,
        /// The validation time.
        now: u64,
        /// The leeway applied.
        leeway: u64,
    },
    /// The `iss` claim is not the expected issuer.
    Issuer {
        /// The issuer configured.
        expected: String,
        /// The token's issuer, truncated.
        actual: String,
    },
    /// A segment is not JSON.
    Json {
        /// Which segment.
        segment: Segment,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// One key of a JWKS is malformed.
    Jwk {
        /// Position in the set, 0-based.
        index: usize,
        /// Its `kid`, if it has one.
        kid: Option<String>,
        /// What is wrong.
        problem: JwkProblem,
    },
    /// The JWKS document is malformed.
    Jwks {
        /// What is wrong.
        problem: &'static str,
    },
    /// The key the header names cannot verify the header's `alg` (key confusion).
    KeyMismatch {
        /// The header's `alg`.
        alg: Algorithm,
        /// The key's `kid`.
        kid: Option<String>,
        /// Why it does not fit.
        mismatch: KeyMismatch,
    },
    /// A required claim is missing.
    MissingClaim {
        /// The claim.
        claim: &'static str,
    },
    /// The header is missing `alg`.
    NoAlgorithm,
    /// No `kid` in the header, and not exactly one key fits `alg`.
    NoKey {
        /// The header's `alg`.
        alg: Algorithm,
        /// How many keys fit (0, or 2 and more).
        candidates: usize,
    },
    /// A segment decoded to JSON that is not an object.
    NotObject {
        /// Which segment.
        segment: Segment,
    },
    /// `nbf` is in the future beyond the leeway.
    NotYetValid {
        /// The `nbf` claim.
        nbf: u64,
        /// The validation time.
        now: u64,
        /// The leeway applied.
        leeway: u64,
    },
    /// The token is not three dot-separated segments.
    Segments {
        /// How many segments it has.
        count: usize,
    },
    /// The signature did not verify.
    Signature,
    /// An issuer signing key or the claims to sign are unusable.
    SigningKey {
        /// What was wrong.
        problem: &'static str,
    },
    /// The header `typ` is not `at+jwt` (RFC 9068 §2.1).
    Type {
        /// The header's `typ`, truncated; `None` when absent.
        typ: Option<String>,
    },
    /// The token carries no `cnf`, but this resource server requires certificate binding.
    Unbound,
    /// The `kid` names no key in the set.
    UnknownKid {
        /// The header's `kid`, truncated.
        kid: String,
    },
    /// The signature segment is empty (an unsecured JWS, RFC 7515 Appendix A.5).
    Unsigned,
    /// A segment is not UTF-8.
    Utf8 {
        /// Which segment.
        segment: Segment,
        /// Offset of the first invalid byte in the decoded segment.
        offset: usize,
    },
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::AlgorithmNotAllowed { alg } => write!(
                f,
                "access token header alg {alg:?} is not allowed by this validator's algorithm list"
            ),
            Self::Audience { expected, actual } => write!(
                f,
                "access token audience {actual:?} does not include this resource server ({expected:?})"
            ),
            Self::Base64 { segment } => write!(
                f,
                "access token {segment} is not canonical base64url (no padding, no '+' or '/', no trailing bits)"
            ),
            Self::CertificateRequired => f.write_str(
                "access token is bound to a client certificate (cnf x5t#S256), but the request presented none",
            ),
            Self::CertificateMismatch { bound, presented } => write!(
                f,
                "access token is bound to certificate x5t#S256 {bound}, but the request presented {presented}"
            ),
            Self::ClaimType { claim, expected } => {
                write!(f, "access token claim {claim:?} must be {expected}")
            }
            Self::Cnf { problem } => write!(f, "access token cnf claim is malformed: {problem}"),
            Self::Critical { names } => write!(
                f,
                "access token header lists critical extensions {names:?} (crit) that certbound does not understand"
            ),
            Self::DuplicateMember { segment, name } => write!(
                f,
                "access token {segment} has member {name:?} more than once"
            ),
            Self::Expired { exp, now, leeway } => write!(
                f,
                "access token expired at {} (exp {exp}); validation time {} is {} s later, beyond the {leeway} s leeway",
                rfc3339(*exp),
                rfc3339(*now),
                now.saturating_sub(*exp)
            ),
            Self::HeaderType { member, expected } => {
                write!(f, "access token header member {member:?} must be {expected}")
            }
            Self::IssuedInFuture { iat, now, leeway } => write!(
                f,
                "access token issued in the future: iat {} is {} s after validation time {}, beyond the {leeway} s leeway (check the clocks)",
                rfc3339(*iat),
                iat.saturating_sub(*now),
                rfc3339(*now)
            ),
            Self::Issuer { expected, actual } => write!(
                f,
                "access token issuer {actual:?} is not the expected issuer {expected:?}"
            ),
            Self::InsufficientScope { missing } => write!(
                f,
                "access token lacks required scope(s) {}",
                missing.join(" ")
            ),
            Self::Jwk {
                index,
                kid: Some(kid),
                problem,
            } => write!(f, "JWK {index} (kid {kid:?}): {problem}"),
            Self::Jwk {
                index,
                kid: None,
                problem,
            } => write!(f, "JWK {index}: {problem}"),
            Self::Jwks { problem } => write!(f, "JWKS: {problem}"),
            Self::Json {
                segment,
                line,
                column,
            } => write!(
                f,
                "access token {segment} is not valid JSON (line {line}, column {column})"
            ),
            Self::KeyMismatch { alg, kid, mismatch } => write!(
                f,
                "access token header alg {alg} cannot be verified with key {}: {mismatch}",
                kid.as_deref().map_or_else(|| String::from("(no kid)"), |k| alloc::format!("{k:?}"))
            ),
            Self::MissingClaim { claim } => {
                write!(f, "access token is missing the required claim {claim:?}")
            }
            Self::NoKey { alg, candidates: 0 } => write!(
                f,
                "access token header has no kid, and no key in the JWKS fits alg {alg}"
            ),
            Self::NoKey { alg, candidates } => write!(
                f,
                "access token header has no kid, and {candidates} keys in the JWKS fit alg {alg}: the issuer must send a kid"
            ),
            Self::NoAlgorithm => f.write_str("access token header has no alg"),
            Self::NotObject { segment } => write!(f, "access token {segment} is not a JSON object"),
            Self::NotYetValid { nbf, now, leeway } => write!(
                f,
                "access token not valid before {} (nbf {nbf}); validation time {} is {} s earlier, beyond the {leeway} s leeway",
                rfc3339(*nbf),
                rfc3339(*now),
                nbf.saturating_sub(*now)
            ),
            Self::Segments { count } => write!(
                f,
                "access token has {count} dot-separated segment(s); a compact JWS has exactly 3"
            ),
            Self::Inactive => f.write_str("introspection response: the access token is not active"),
            Self::Signature => f.write_str("access token signature verification failed"),
            Self::SigningKey { problem } => write!(f, "signing key: {problem}"),
            Self::Type { typ: Some(typ) } => write!(
                f,
                "access token header typ {typ:?} is not \"at+jwt\" (RFC 9068); for older issuers disable the typ check"
            ),
            Self::Type { typ: None } => f.write_str(
                "access token header has no typ; RFC 9068 requires \"at+jwt\" (for older issuers disable the typ check)",
            ),
            Self::Unbound => f.write_str(
                "access token is not certificate-bound (no cnf x5t#S256), and this resource server requires binding",
            ),
            Self::Unsigned => f.write_str("access token is unsigned (empty signature segment)"),
            Self::UnknownKid { kid } => {
                write!(f, "access token header kid {kid:?} names no key in the JWKS")
            }
            Self::Utf8 { segment, offset } => write!(
                f,
                "access token {segment} is not UTF-8 (invalid byte at offset {offset})"
            ),
        }
    }
}

impl From<TokenError> for Error {
    fn from(e: TokenError) -> Self {
        Self::Token(e)
    }
}

/// Why a [`ValidatorBuilder`] could not build.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidatorBuilderError {
    /// The expected audience is empty.
    EmptyAudience,
    /// The algorithm allow-list is empty.
    EmptyAlgorithms,
    /// The expected issuer is empty.
    EmptyIssuer,
    /// The key set is empty.
    EmptyKeySet,
    /// The leeway exceeds [`MAX_LEEWAY_SECS`].
    LeewayTooLarge {
        /// The leeway asked for.
        secs: u64,
    },
}

impl fmt::Display for ValidatorBuilderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyAudience => {
                f.write_str("no audience configured: set this resource server's identifier")
            }
            Self::EmptyAlgorithms => f.write_str("the algorithm allow-list is empty"),
            Self::EmptyIssuer => f.write_str(
                "no issuer configured: set the authorization server's issuer identifier",
            ),
            Self::EmptyKeySet => f.write_str("the JWKS has no keys"),
            Self::LeewayTooLarge { secs } => write!(
                f,
                "leeway of {secs} s is over the maximum of {MAX_LEEWAY_SECS} s: fix the clocks instead"
            ),
        }
    }
}

impl core::error::Error for ValidatorBuilderError {}

/// Builds a [`Validator`]; defaults are the secure ones listed in the [module docs](self).
#[derive(Debug, Clone)]
#[must_use]
pub struct ValidatorBuilder {
    issuer: String,
    audience: String,
    keys: JwkSet,
    algorithms: Vec<Algorithm>,
    leeway: u64,
    require_typ: bool,
    allow_unbound: bool,
    required_scopes: Vec<String>,
}

impl ValidatorBuilder {
    /// Replaces the algorithm allow-list (default: `ES256` only).
    pub fn algorithms(mut self, algorithms: &[Algorithm]) -> Self {
        self.algorithms = algorithms.to_vec();
        self.algorithms.sort_unstable();
        self.algorithms.dedup();
        self
    }

    /// Sets the clock-skew leeway on `exp`, `nbf`, `iat` (default [`DEFAULT_LEEWAY_SECS`]).
    pub fn leeway_secs(mut self, secs: u64) -> Self {
        self.leeway = secs;
        self
    }

    /// Accepts tokens from issuers that predate RFC 9068: the header `typ` is not checked and
    /// `sub`, `client_id`, `iat`, `jti` become optional (default: `typ` must be `at+jwt` and
    /// those claims are required).
    pub fn allow_untyped(mut self) -> Self {
        self.require_typ = false;
        self
    }

    /// Accepts tokens without `cnf` (plain bearer tokens). Default: refused with
    /// [`TokenError::Unbound`]. A token that *is* bound is still checked against the
    /// presented certificate.
    pub fn allow_unbound(mut self) -> Self {
        self.allow_unbound = true;
        self
    }

    /// Requires every listed scope in the token's `scope` claim (default: none).
    pub fn required_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.required_scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Builds the validator.
    ///
    /// # Errors
    /// [`ValidatorBuilderError`] for an empty issuer, audience, key set or allow-list, or an
    /// excessive leeway.
    pub fn build(self) -> Result<Validator, ValidatorBuilderError> {
        if self.issuer.is_empty() {
            return Err(ValidatorBuilderError::EmptyIssuer);
        }
        if self.audience.is_empty() {
            return Err(ValidatorBuilderError::EmptyAudience);
        }
        if self.keys.is_empty() {
            return Err(ValidatorBuilderError::EmptyKeySet);
        }
        if self.algorithms.is_empty() {
            return Err(ValidatorBuilderError::EmptyAlgorithms);
        }
        if self.leeway > MAX_LEEWAY_SECS {
            return Err(ValidatorBuilderError::LeewayTooLarge { secs: self.leeway });
        }
        let fingerprint = self.fingerprint();
        Ok(Validator {
            issuer: self.issuer,
            audience: self.audience,
            keys: self.keys,
            algorithms: self.algorithms,
            leeway: self.leeway,
            require_typ: self.require_typ,
            allow_unbound: self.allow_unbound,
            required_scopes: self.required_scopes,
            fingerprint,
        })
    }

    /// A digest of everything that decides a verdict, for [`TokenCache`] keys. The
    /// destructuring is exhaustive on purpose: a new setting does not compile until it is
    /// fingerprinted too.
    fn fingerprint(&self) -> [u8; 32] {
        let Self {
            issuer,
            audience,
            keys,
            algorithms,
            leeway,
            require_typ,
            allow_unbound,
            required_scopes,
        } = self;
        let mut fp = cache::Fingerprint::new();
        fp.bytes(issuer.as_bytes());
        fp.bytes(audience.as_bytes());
        keys.fingerprint(&mut fp);
        fp.len(algorithms.len());
        algorithms
            .iter()
            .for_each(|a| fp.bytes(a.name().as_bytes()));
        fp.bytes(&leeway.to_le_bytes());
        fp.tag(u8::from(*require_typ));
        fp.tag(u8::from(*allow_unbound));
        fp.len(required_scopes.len());
        required_scopes.iter().for_each(|s| fp.bytes(s.as_bytes()));
        fp.finish()
    }
}

/// Validates certificate-bound access tokens for one resource server. Build once, share.
#[derive(Debug, Clone)]
pub struct Validator {
    issuer: String,
    audience: String,
    keys: JwkSet,
    algorithms: Vec<Algorithm>,
    leeway: u64,
    require_typ: bool,
    allow_unbound: bool,
    required_scopes: Vec<String>,
    /// SHA-256 of all of the above ([`ValidatorBuilder::fingerprint`]): the [`TokenCache`]'s
    /// notion of "the same validator".
    fingerprint: [u8; 32],
}

impl Validator {
    /// Starts a builder: tokens must come from `issuer` (exact `iss`), name `audience` in `aud`,
    /// and be signed by a key of `keys`.
    pub fn builder(
        issuer: impl Into<String>,
        audience: impl Into<String>,
        keys: JwkSet,
    ) -> ValidatorBuilder {
        ValidatorBuilder {
            issuer: issuer.into(),
            audience: audience.into(),
            keys,
            algorithms: alloc::vec![Algorithm::Es256],
            leeway: DEFAULT_LEEWAY_SECS,
            require_typ: true,
            allow_unbound: false,
            required_scopes: Vec::new(),
        }
    }

    /// The key set in use.
    pub fn keys(&self) -> &JwkSet {
        &self.keys
    }

    /// Parses `token` and runs every check that needs no signature (see the module docs);
    /// `presented` is the thumbprint of the TLS client certificate, if any.
    ///
    /// # Errors
    /// [`Error::TooLarge`] over [`MAX_TOKEN_BYTES`], otherwise [`Error::Token`].
    pub fn begin(
        &self,
        token: &str,
        presented: Option<&CertThumbprint>,
        now: UnixTime,
    ) -> Result<PendingSignature, Error> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(Error::TooLarge {
                what: "access token",
                limit: MAX_TOKEN_BYTES,
                actual: token.len(),
            });
        }
        let jws = jws::CompactJws::parse(token)?;
        let header = jws.header();

        // Header: alg allow-list first (none / HS* never get further), then crit, typ, kid.
        let alg = match header.get("alg") {
            None => return Err(TokenError::NoAlgorithm.into()),
            Some(Value::String(name)) => Algorithm::from_name(name)
                .filter(|a| self.algorithms.contains(a))
                .ok_or_else(|| TokenError::AlgorithmNotAllowed {
                    alg: jwk::truncate(name),
                })?,
            Some(_) => {
                return Err(TokenError::HeaderType {
                    member: "alg",
                    expected: "a string",
                }
                .into());
            }
        };
        if let Some(crit) = header.get("crit") {
            let names = crit
                .as_array()
                .map(|a| {
                    a.iter()
                        .take(8)
                        .map(|n| n.as_str().map_or_else(|| String::from("?"), jwk::truncate))
                        .collect()
                })
                .unwrap_or_default();
            return Err(TokenError::Critical { names }.into());
        }
        if self.require_typ {
            match header.get("typ") {
                Some(Value::String(typ)) if is_at_jwt(typ) => {}
                Some(Value::String(typ)) => {
                    return Err(TokenError::Type {
                        typ: Some(jwk::truncate(typ)),
                    }
                    .into());
                }
                Some(_) => {
                    return Err(TokenError::HeaderType {
                        member: "typ",
                        expected: "a string",
                    }
                    .into());
                }
                None => return Err(TokenError::Type { typ: None }.into()),
            }
        }
        let kid = match header.get("kid") {
            None => None,
            Some(Value::String(kid)) => Some(kid.as_str()),
            Some(_) => {
                return Err(TokenError::HeaderType {
                    member: "kid",
                    expected: "a string",
                }
                .into());
            }
        };
        let key = self.keys.select(alg, kid)?;
        let public_key = key.public_key_arc().ok_or(TokenError::KeyMismatch {
            alg,
            kid: key.kid().map(String::from),
            mismatch: KeyMismatch::KeyType {
                key: key.description(),
            },
        })?;

        // Claims.
        let claims = jws.payload_object()?;
        let checks = claims::Checks {
            issuer: &self.issuer,
            audience: &self.audience,
            leeway: self.leeway,
            rfc9068: self.require_typ,
            allow_unbound: self.allow_unbound,
            required_scopes: &self.required_scopes,
        };
        let token = checks.run(claims, presented, now, alg, kid)?;

        Ok(PendingSignature {
            scheme: alg.scheme(),
            public_key,
            signing_input: Vec::from(jws.signing_input().as_bytes()),
            signature: jws.signature,
            token,
        })
    }

    /// [`Validator::begin`], then the signature with `provider`, then
    /// [`PendingSignature::finish`].
    ///
    /// # Errors
    /// As [`Validator::begin`], and [`TokenError::Signature`].
    pub fn validate(
        &self,
        provider: &dyn CryptoProvider,
        token: &str,
        presented: Option<&CertThumbprint>,
        now: UnixTime,
    ) -> Result<ValidToken, Error> {
        let pending = self.begin(token, presented, now)?;
        let verified = pending.verify_with(provider);
        pending.finish(verified)
    }
}

/// Is `typ` the RFC 9068 media type (`at+jwt`, or `application/at+jwt`), case-insensitively?
fn is_at_jwt(typ: &str) -> bool {
    typ.eq_ignore_ascii_case("at+jwt") || typ.eq_ignore_ascii_case("application/at+jwt")
}

/// A token whose every other check passed, waiting for its signature to be verified.
///
/// Holds no verdict: the only way to a [`ValidToken`] is [`PendingSignature::finish`] with a
/// successful verification.
#[derive(Debug)]
#[must_use = "the token is not valid until the signature is verified and finish() returns Ok"]
pub struct PendingSignature {
    scheme: SignatureScheme,
    public_key: Arc<[u8]>,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
    token: ValidToken,
}

impl PendingSignature {
    /// The scheme to verify with.
    pub fn scheme(&self) -> SignatureScheme {
        self.scheme
    }

    /// The JWS algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.token.algorithm()
    }

    /// The public key, in the provider's encoding (SEC1 point, PKCS#1 DER, raw Ed25519).
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }

    /// The bytes the signature covers (`header.payload`, ASCII).
    pub fn signing_input(&self) -> &[u8] {
        &self.signing_input
    }

    /// The signature bytes (ECDSA fixed `r ‖ s`, RSA big-endian, Ed25519 raw).
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Asks a synchronous `provider` for the verdict [`PendingSignature::finish`] takes: the
    /// whole job of an adapter between `begin` and `finish` when its provider is not async.
    ///
    /// # Errors
    /// [`InvalidSignature`] when the signature does not verify.
    pub fn verify_with(&self, provider: &dyn CryptoProvider) -> Result<(), InvalidSignature> {
        provider.verify(
            self.scheme,
            &self.public_key,
            &self.signing_input,
            &self.signature,
        )
    }

    /// Completes validation with the provider's verdict on the signature.
    ///
    /// # Errors
    /// [`TokenError::Signature`] when `verified` is `Err`.
    pub fn finish(self, verified: Result<(), InvalidSignature>) -> Result<ValidToken, Error> {
        match verified {
            Ok(()) => Ok(self.token),
            Err(InvalidSignature) => Err(TokenError::Signature.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    fn one_key() -> JwkSet {
        JwkSet::from_json(
            br#"{"keys":[{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#,
        )
        .unwrap()
    }

    // Intent: the builder refuses configurations that would accept everything or nothing.
    #[test]
    fn builder_refuses_unsafe_configs() {
        let b = |iss: &str, aud: &str, keys: JwkSet| Validator::builder(iss, aud, keys);
        assert_eq!(
            b("", "a", one_key()).build().unwrap_err(),
            ValidatorBuilderError::EmptyIssuer
        );
        assert_eq!(
            b("i", "", one_key()).build().unwrap_err(),
            ValidatorBuilderError::EmptyAudience
        );
        assert_eq!(
            b("i", "a", JwkSet::default()).build().unwrap_err(),
            ValidatorBuilderError::EmptyKeySet
        );
        assert_eq!(
            b("i", "a", one_key()).algorithms(&[]).build().unwrap_err(),
            ValidatorBuilderError::EmptyAlgorithms
        );
        let e = b("i", "a", one_key()).leeway_secs(301).build().unwrap_err();
        assert_eq!(
            e.to_string(),
            "leeway of 301 s is over the maximum of 300 s: fix the clocks instead"
        );
        assert!(b("i", "a", one_key()).leeway_secs(300).build().is_ok());
    }

    // Intent: the RFC 9068 typ comparison is case-insensitive and exact otherwise.
    #[test]
    fn at_jwt_media_type() {
        assert!(is_at_jwt("at+jwt"));
        assert!(is_at_jwt("APPLICATION/AT+JWT"));
        assert!(!is_at_jwt("jwt"));
        assert!(!is_at_jwt("at+jwt "));
        assert!(!is_at_jwt("application/jwt"));
    }
}
