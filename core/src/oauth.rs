//! Every deny answer of every front end: RFC 6750 (protected resources) and RFC 6749 §5.2
//! (token endpoint).
//!
//! The server, the worker and the page call these functions and send what they return, so the
//! three answer byte for byte identically. Descriptions are fixed ASCII texts chosen here: they
//! never contain key material, expected values, times or other internal state (the detailed
//! [`Error`] `Display` is for logs).
//!
//! ```text
//! RFC 6750 §3:   WWW-Authenticate: Bearer realm="example", error="invalid_token",
//!                                  error_description="The access token expired"
//! RFC 6750 §3.1: invalid_request → 400, invalid_token → 401, insufficient_scope → 403;
//!                a request without credentials gets no error code at all.
//! RFC 6749 §5.2: {"error":"invalid_client","error_description":"…"}, 400 (401 for
//!                invalid_client, with WWW-Authenticate when the client used the
//!                Authorization header).
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::Error;
use crate::token::TokenError;

/// An RFC 6750 §3.1 error code.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BearerErrorCode {
    /// `insufficient_scope`: valid token, not enough scope (403).
    InsufficientScope,
    /// `invalid_request`: malformed request, e.g. two tokens or a broken header (400).
    InvalidRequest,
    /// `invalid_token`: expired, revoked, malformed, mis-bound … (401).
    InvalidToken,
}

impl BearerErrorCode {
    /// The code as sent (`"invalid_token"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InsufficientScope => "insufficient_scope",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
        }
    }

    /// The HTTP status RFC 6750 §3.1 assigns.
    pub fn status(self) -> u16 {
        match self {
            Self::InsufficientScope => 403,
            Self::InvalidRequest => 400,
            Self::InvalidToken => 401,
        }
    }
}

impl fmt::Display for BearerErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A protected resource's deny answer: status and `WWW-Authenticate` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BearerError {
    code: Option<BearerErrorCode>,
    description: Option<&'static str>,
    scope: Option<String>,
}

impl BearerError {
    /// The request carried no access token (RFC 6750 §3.1: 401, no error code).
    pub fn missing_token() -> Self {
        Self {
            code: None,
            description: None,
            scope: None,
        }
    }

    /// The request is malformed: a broken `Authorization` header, or more than one token.
    pub fn malformed_request() -> Self {
        Self {
            code: Some(BearerErrorCode::InvalidRequest),
            description: Some(
                "The request has a malformed Authorization header or more than one access token",
            ),
            scope: None,
        }
    }

    /// The request path cannot be matched safely ([`Error::RequestPath`]): 400
    /// `invalid_request`, before any token is looked at.
    pub fn malformed_path() -> Self {
        Self {
            code: Some(BearerErrorCode::InvalidRequest),
            description: Some(
                "The request path is malformed or ambiguous: an encoded slash, backslash or control character, a backslash, or a bad escape",
            ),
            scope: None,
        }
    }

    /// The answer for a refused token. [`Error::RequestPath`] is [`Self::malformed_path`];
    /// anything else that is not a [`TokenError`] is `invalid_token` with a generic
    /// description.
    pub fn from_error(error: &Error) -> Self {
        let invalid = |description| Self {
            code: Some(BearerErrorCode::InvalidToken),
            description: Some(description),
            scope: None,
        };
        match error {
            Error::Token(TokenError::InsufficientScope { missing }) => Self {
                code: Some(BearerErrorCode::InsufficientScope),
                description: Some("The access token does not grant the scope this request needs"),
                scope: Some(scope_list(missing)),
            },
            Error::Token(e) => invalid(token_description(e)),
            Error::TooLarge { .. } => invalid("The access token is too large"),
            Error::RequestPath(_) => Self::malformed_path(),
            _ => invalid("The access token could not be validated"),
        }
    }

    /// The error code; `None` for [`BearerError::missing_token`].
    pub fn code(&self) -> Option<BearerErrorCode> {
        self.code
    }

    /// The fixed description sent as `error_description`.
    pub fn description(&self) -> Option<&'static str> {
        self.description
    }

    /// The HTTP status: the code's, or 401 without one.
    pub fn status(&self) -> u16 {
        self.code.map_or(401, BearerErrorCode::status)
    }

    /// The `WWW-Authenticate` header value (RFC 6750 §3), e.g.
    /// `Bearer realm="api", error="invalid_token", error_description="The access token expired"`.
    /// `realm` is escaped as a quoted-string; non-printable or non-ASCII characters become `?`.
    pub fn www_authenticate(&self, realm: Option<&str>) -> String {
        let mut params: Vec<(&str, &str)> = Vec::new();
        if let Some(realm) = realm {
            params.push(("realm", realm));
        }
        if let Some(code) = self.code {
            params.push(("error", code.as_str()));
        }
        if let Some(d) = self.description {
            params.push(("error_description", d));
        }
        if let Some(scope) = &self.scope {
            params.push(("scope", scope));
        }
        challenge("Bearer", &params)
    }
}

/// The fixed, client-safe description for each token error.
fn token_description(e: &TokenError) -> &'static str {
    use TokenError as T;
    match e {
        T::AlgorithmNotAllowed { .. }
        | T::KeyMismatch { .. }
        | T::NoKey { .. }
        | T::UnknownKid { .. } => "The access token is not signed by a trusted key",
        T::Audience { .. } | T::Issuer { .. } => {
            "The access token is not intended for this resource"
        }
        T::CertificateMismatch { .. } => {
            "The access token is bound to a different client certificate"
        }
        T::CertificateRequired => {
            "The access token is bound to a client certificate; present it over mutual TLS"
        }
        T::Cnf { .. } => "The access token confirmation (cnf) is malformed",
        T::Expired { .. } => "The access token expired",
        T::Inactive => "The access token is not active",
        T::IssuedInFuture { .. } | T::NotYetValid { .. } => "The access token is not yet valid",
        T::Signature => "The access token signature is invalid",
        T::Unbound => "The access token is not bound to a client certificate",
        T::Jwk { .. } | T::Jwks { .. } | T::InsufficientScope { .. } | T::SigningKey { .. } => {
            "The access token could not be validated"
        }
        _ => "The access token is malformed",
    }
}

/// Joins scope names for the `scope` attribute, keeping only RFC 6749 §3.3 scope-token
/// characters.
fn scope_list(scopes: &[String]) -> String {
    let mut out = String::new();
    for s in scopes {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(s.chars().map(|c| {
            if c == '!' || ('#'..='[').contains(&c) || (']'..='~').contains(&c) {
                c
            } else {
                '?'
            }
        }));
    }
    out
}

/// Renders `scheme k1="v1", k2="v2"` with quoted-string escaping (RFC 9110 §5.6.4).
fn challenge(scheme: &str, params: &[(&str, &str)]) -> String {
    let mut out = String::from(scheme);
    for (i, (name, value)) in params.iter().enumerate() {
        out.push_str(if i == 0 { " " } else { ", " });
        out.push_str(name);
        out.push_str("=\"");
        for c in value.chars() {
            match c {
                '"' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                ' '..='~' => out.push(c),
                _ => out.push('?'),
            }
        }
        out.push('"');
    }
    out
}

/// Extracts the token from an `Authorization: Bearer …` header value (RFC 6750 §2.1).
///
/// # Errors
/// [`BearerError::missing_token`] when there is no header or it uses another scheme;
/// [`BearerError::malformed_request`] when the credentials are not one `b64token`.
pub fn bearer_token(authorization: Option<&str>) -> Result<&str, BearerError> {
    let value = authorization.ok_or_else(BearerError::missing_token)?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(BearerError::missing_token());
    }
    let token = rest.trim_start_matches(' ');
    let b64token = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b);
    let body = token.trim_end_matches('=');
    if body.is_empty() || !body.bytes().all(b64token) {
        return Err(BearerError::malformed_request());
    }
    Ok(token)
}

/// An RFC 6749 §5.2 token-endpoint error code.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenErrorCode {
    /// `invalid_client`: client authentication failed (401).
    InvalidClient,
    /// `invalid_grant`: the grant is invalid, expired or revoked.
    InvalidGrant,
    /// `invalid_request`: missing or repeated parameter, malformed request.
    InvalidRequest,
    /// `invalid_scope`: the requested scope is invalid or exceeds what was granted.
    InvalidScope,
    /// `unauthorized_client`: the client may not use this grant type.
    UnauthorizedClient,
    /// `unsupported_grant_type`.
    UnsupportedGrantType,
}

impl TokenErrorCode {
    /// The code as sent.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::InvalidRequest => "invalid_request",
            Self::InvalidScope => "invalid_scope",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
        }
    }
}

impl fmt::Display for TokenErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A token-endpoint deny answer: status, JSON body, and for `invalid_client` after an
/// `Authorization`-header attempt, a `WWW-Authenticate` challenge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenEndpointError {
    code: TokenErrorCode,
    description: &'static str,
    challenge: Option<String>,
}

impl TokenEndpointError {
    /// An error with a fixed description (ASCII, no internal state: it is sent to the client).
    pub fn new(code: TokenErrorCode, description: &'static str) -> Self {
        Self {
            code,
            description,
            challenge: None,
        }
    }

    /// `invalid_client`. When the client tried to authenticate with the `Authorization` header,
    /// pass its scheme (`Some("Basic")`): RFC 6749 §5.2 then requires a matching
    /// `WWW-Authenticate`. mTLS clients (RFC 8705) pass `None`.
    pub fn invalid_client(
        description: &'static str,
        authorization_scheme: Option<&str>,
        realm: Option<&str>,
    ) -> Self {
        let challenge = authorization_scheme.map(|scheme| {
            let scheme: String = scheme
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(*c))
                .take(32)
                .collect();
            let params: Vec<(&str, &str)> = realm.map(|r| ("realm", r)).into_iter().collect();
            challenge(&scheme, &params)
        });
        Self {
            code: TokenErrorCode::InvalidClient,
            description,
            challenge,
        }
    }

    /// The code.
    pub fn code(&self) -> TokenErrorCode {
        self.code
    }

    /// The HTTP status: 401 for `invalid_client`, 400 otherwise.
    pub fn status(&self) -> u16 {
        match self.code {
            TokenErrorCode::InvalidClient => 401,
            _ => 400,
        }
    }

    /// The `WWW-Authenticate` value to send, if any.
    pub fn www_authenticate(&self) -> Option<&str> {
        self.challenge.as_deref()
    }

    /// The JSON body, `{"error":"…","error_description":"…"}` (send with
    /// `Content-Type: application/json`, `Cache-Control: no-store`).
    pub fn body_json(&self) -> String {
        let mut description = String::new();
        description.extend(self.description.chars().map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' => c,
            _ => '?',
        }));
        alloc::format!(
            r#"{{"error":"{}","error_description":"{}"}}"#,
            self.code.as_str(),
            description
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: the RFC 6750 §3 example shape is rendered exactly, with realm escaping.
    #[test]
    fn www_authenticate_rendering() {
        let e = BearerError::from_error(&Error::Token(TokenError::Expired {
            exp: 1,
            now: 100,
            leeway: 60,
        }));
        assert_eq!(e.status(), 401);
        assert_eq!(
            e.www_authenticate(Some("ex\"am\\ple")),
            r#"Bearer realm="ex\"am\\ple", error="invalid_token", error_description="The access token expired""#
        );
        assert_eq!(
            BearerError::missing_token().www_authenticate(None),
            "Bearer"
        );
        assert_eq!(BearerError::missing_token().status(), 401);
    }

    // Intent: insufficient_scope is 403 and names the missing scopes.
    #[test]
    fn insufficient_scope() {
        let e = BearerError::from_error(&Error::Token(TokenError::InsufficientScope {
            missing: alloc::vec!["read".into(), "wr\"ite".into()],
        }));
        assert_eq!(e.status(), 403);
        assert_eq!(
            e.www_authenticate(None),
            r#"Bearer error="insufficient_scope", error_description="The access token does not grant the scope this request needs", scope="read wr?ite""#
        );
    }

    // Intent: a refused request path is 400 invalid_request, with a description inside RFC 6750
    // §3's error_description characters (no '"' or '\\').
    #[test]
    fn malformed_path() {
        let e = BearerError::from_error(&Error::RequestPath(
            crate::token::resource::RequestPathError::BadEscape { at: 3 },
        ));
        assert_eq!(e, BearerError::malformed_path());
        assert_eq!(e.status(), 400);
        assert_eq!(e.code(), Some(BearerErrorCode::InvalidRequest));
        let d = e.description().expect("description");
        assert!(
            d.bytes()
                .all(|b| matches!(b, 0x20 | 0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
            "{d}"
        );
    }

    // Intent: the bearer header parser takes one b64token and rejects the rest.
    #[test]
    fn bearer_header() {
        assert_eq!(
            bearer_token(Some("Bearer abc.def-_~+/=")),
            Ok("abc.def-_~+/=")
        );
        assert_eq!(bearer_token(Some("bearer  x")), Ok("x"));
        assert_eq!(bearer_token(None), Err(BearerError::missing_token()));
        assert_eq!(
            bearer_token(Some("Basic Zm9v")),
            Err(BearerError::missing_token())
        );
        assert_eq!(
            bearer_token(Some("Bearer a b")),
            Err(BearerError::malformed_request())
        );
        assert_eq!(
            bearer_token(Some("Bearer ")),
            Err(BearerError::malformed_request())
        );
        assert_eq!(BearerError::malformed_request().status(), 400);
    }

    // Intent: token endpoint errors: status, body bytes, challenge only after a header attempt.
    #[test]
    fn token_endpoint_errors() {
        let e = TokenEndpointError::invalid_client("Client authentication failed", None, None);
        assert_eq!(e.status(), 401);
        assert_eq!(e.www_authenticate(), None);
        assert_eq!(
            e.body_json(),
            r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#
        );
        let e = TokenEndpointError::invalid_client("x", Some("Basic"), Some("as"));
        assert_eq!(e.www_authenticate(), Some(r#"Basic realm="as""#));
        let e = TokenEndpointError::new(
            TokenErrorCode::UnsupportedGrantType,
            "Use client_credentials",
        );
        assert_eq!(e.status(), 400);
        assert_eq!(
            e.body_json(),
            r#"{"error":"unsupported_grant_type","error_description":"Use client_credentials"}"#
        );
    }
}
