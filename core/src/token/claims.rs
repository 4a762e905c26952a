//! RFC 9068 access-token claims: checked against the validator's configuration.
//!
//! ```text
//! RFC 9068 §2.2: iss, exp, aud, sub, client_id, iat, jti REQUIRED; scope when granted;
//!                times are NumericDate (RFC 7519 §2) — certbound accepts integers only.
//! ```

use alloc::string::String;
use alloc::vec::Vec;

use serde_json::{Map, Value};

use super::jwk::truncate;
use super::{Algorithm, TokenError, binding};
use crate::UnixTime;
use crate::cert::CertThumbprint;

/// Most audiences read from an `aud` array (a token for a hundred audiences is not an access
/// token for one resource server).
pub const MAX_AUDIENCES: usize = 32;

/// The configuration a token's claims are checked against.
pub(crate) struct Checks<'a> {
    pub(crate) issuer: &'a str,
    pub(crate) audience: &'a str,
    pub(crate) leeway: u64,
    pub(crate) rfc9068: bool,
    pub(crate) allow_unbound: bool,
    pub(crate) required_scopes: &'a [String],
}

impl Checks<'_> {
    /// Runs the claim, binding and scope checks, in that order.
    pub(crate) fn run(
        &self,
        claims: Map<String, Value>,
        presented: Option<&CertThumbprint>,
        now: UnixTime,
        alg: Algorithm,
        kid: Option<&str>,
    ) -> Result<ValidToken, TokenError> {
        let now = now.as_secs();
        let leeway = self.leeway;

        let issuer = required_string(&claims, "iss")?;
        if issuer != self.issuer {
            return Err(TokenError::Issuer {
                expected: String::from(self.issuer),
                actual: truncate(issuer),
            });
        }

        let audiences = audiences(&claims)?;
        if !audiences.iter().any(|a| a == self.audience) {
            return Err(TokenError::Audience {
                expected: String::from(self.audience),
                actual: audiences.iter().take(4).map(|a| truncate(a)).collect(),
            });
        }

        let exp = numeric_date(&claims, "exp")?.ok_or(TokenError::MissingClaim { claim: "exp" })?;
        check_exp(exp, now, leeway)?;
        let nbf = numeric_date(&claims, "nbf")?;
        if let Some(nbf) = nbf {
            check_nbf(nbf, now, leeway)?;
        }
        let iat = numeric_date(&claims, "iat")?;
        if let Some(iat) = iat {
            check_iat(iat, now, leeway)?;
        } else if self.rfc9068 {
            return Err(TokenError::MissingClaim { claim: "iat" });
        }

        let subject = optional_string(&claims, "sub", self.rfc9068)?;
        let client_id = optional_string(&claims, "client_id", self.rfc9068)?;
        let jti = optional_string(&claims, "jti", self.rfc9068)?;
        let scope = optional_string(&claims, "scope", false)?;

        let cnf = binding::check(claims.get("cnf"), presented, !self.allow_unbound)?;

        let granted = scope.as_deref().unwrap_or_default();
        let missing: Vec<String> = self
            .required_scopes
            .iter()
            .filter(|want| !granted.split(' ').any(|s| s == want.as_str()))
            .cloned()
            .collect();
        if !missing.is_empty() {
            return Err(TokenError::InsufficientScope { missing });
        }

        Ok(ValidToken {
            algorithm: alg,
            kid: kid.map(String::from),
            issuer: String::from(issuer),
            audiences,
            subject,
            client_id,
            scope,
            jti,
            exp,
            iat,
            nbf,
            cnf,
            claims,
        })
    }
}

/// `exp`: refused once `now` reaches `exp + leeway`.
pub(crate) fn check_exp(exp: u64, now: u64, leeway: u64) -> Result<(), TokenError> {
    if now >= exp.saturating_add(leeway) {
        return Err(TokenError::Expired { exp, now, leeway });
    }
    Ok(())
}

/// `nbf`: refused while it is more than `leeway` in the future.
pub(crate) fn check_nbf(nbf: u64, now: u64, leeway: u64) -> Result<(), TokenError> {
    if nbf > now.saturating_add(leeway) {
        return Err(TokenError::NotYetValid { nbf, now, leeway });
    }
    Ok(())
}

/// `iat`: refused when it is more than `leeway` in the future.
pub(crate) fn check_iat(iat: u64, now: u64, leeway: u64) -> Result<(), TokenError> {
    if iat > now.saturating_add(leeway) {
        return Err(TokenError::IssuedInFuture { iat, now, leeway });
    }
    Ok(())
}

/// Is `token` (which passed every check at some earlier time) still inside its time window at
/// `now`? Exactly the time checks of [`Checks::run`], so a token it accepts is one a full check
/// at `now` would accept too.
pub(crate) fn times_hold(token: &ValidToken, now: u64, leeway: u64) -> bool {
    check_exp(token.exp, now, leeway).is_ok()
        && token
            .nbf
            .is_none_or(|nbf| check_nbf(nbf, now, leeway).is_ok())
        && token
            .iat
            .is_none_or(|iat| check_iat(iat, now, leeway).is_ok())
}

fn required_string<'m>(
    claims: &'m Map<String, Value>,
    claim: &'static str,
) -> Result<&'m str, TokenError> {
    match claims.get(claim) {
        None => Err(TokenError::MissingClaim { claim }),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(TokenError::ClaimType {
            claim,
            expected: "a string",
        }),
    }
}

fn optional_string(
    claims: &Map<String, Value>,
    claim: &'static str,
    required: bool,
) -> Result<Option<String>, TokenError> {
    match claims.get(claim) {
        None if required => Err(TokenError::MissingClaim { claim }),
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(TokenError::ClaimType {
            claim,
            expected: "a string",
        }),
    }
}

/// A NumericDate claim: a non-negative integer number of seconds.
fn numeric_date(
    claims: &Map<String, Value>,
    claim: &'static str,
) -> Result<Option<u64>, TokenError> {
    match claims.get(claim) {
        None => Ok(None),
        Some(v) => v.as_u64().map(Some).ok_or(TokenError::ClaimType {
            claim,
            expected: "a non-negative integer (NumericDate seconds)",
        }),
    }
}

/// `aud`: a string or a non-empty array of strings (RFC 7519 §4.1.3).
fn audiences(claims: &Map<String, Value>) -> Result<Vec<String>, TokenError> {
    let bad = TokenError::ClaimType {
        claim: "aud",
        expected: "a string or an array of at most 32 strings",
    };
    match claims.get("aud") {
        None => Err(TokenError::MissingClaim { claim: "aud" }),
        Some(Value::String(s)) => Ok(alloc::vec![s.clone()]),
        Some(Value::Array(a)) if !a.is_empty() && a.len() <= MAX_AUDIENCES => a
            .iter()
            .map(|v| v.as_str().map(String::from))
            .collect::<Option<Vec<_>>>()
            .ok_or(bad),
        Some(_) => Err(bad),
    }
}

/// A token that passed every check.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidToken {
    algorithm: Algorithm,
    kid: Option<String>,
    issuer: String,
    audiences: Vec<String>,
    subject: Option<String>,
    client_id: Option<String>,
    scope: Option<String>,
    jti: Option<String>,
    exp: u64,
    iat: Option<u64>,
    nbf: Option<u64>,
    cnf: Option<CertThumbprint>,
    claims: Map<String, Value>,
}

impl ValidToken {
    /// The JWS algorithm it was signed with.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The `kid` of the signing key, if the header named one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `iss`.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `aud`, as a list.
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }

    /// `sub`.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// `client_id`.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// `scope`, space-delimited as issued.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The individual scopes.
    pub fn scopes(&self) -> impl Iterator<Item = &str> {
        self.scope
            .as_deref()
            .unwrap_or_default()
            .split(' ')
            .filter(|s| !s.is_empty())
    }

    /// `jti`.
    pub fn jti(&self) -> Option<&str> {
        self.jti.as_deref()
    }

    /// `exp`, UNIX seconds.
    pub fn expires_at(&self) -> u64 {
        self.exp
    }

    /// `iat`, UNIX seconds.
    pub fn issued_at(&self) -> Option<u64> {
        self.iat
    }

    /// `nbf`, UNIX seconds.
    pub fn not_before(&self) -> Option<u64> {
        self.nbf
    }

    /// The certificate thumbprint the token is bound to (`cnf.x5t#S256`); `None` for an
    /// unbound token accepted under `allow_unbound`.
    pub fn bound_thumbprint(&self) -> Option<&CertThumbprint> {
        self.cnf.as_ref()
    }

    /// All claims as parsed, for display.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }
}
