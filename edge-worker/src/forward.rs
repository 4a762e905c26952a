//! Forwarding an authorized request to the origin: client-certificate headers of every source
//! stripped, identity headers set (overwriting whatever the client sent).

use worker::{Headers, Method, Request, RequestInit, RequestRedirect, Url};

/// The client id (`client_id` claim, RFC 9068 §2.2).
pub const CLIENT_ID_HEADER: &str = "X-Client-Id";
/// The certificate's `x5t#S256` (RFC 8705 §3.1), base64url.
pub const THUMBPRINT_HEADER: &str = "X-Client-Cert-Thumbprint";
/// The token's subject (`sub` claim).
pub const SUBJECT_HEADER: &str = "X-Subject";

/// Who the worker vouches for, as sent to the origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `client_id` claim (empty when the token has none).
    pub client_id: String,
    /// `x5t#S256` of the client certificate (`None` only for an unbound token accepted under
    /// `DANGER_ALLOW_UNBOUND_TOKENS` without a certificate: the header is then removed).
    pub thumbprint: Option<String>,
    /// `sub` claim (empty when the token has none).
    pub subject: String,
}

/// Prefix of the headers Cloudflare's Managed Transform "Add TLS client auth headers" adds
/// (`cf-cert-presented`, `cf-cert-verified`, `cf-cert-fingerprint-sha256`, …). The worker reads
/// `request.cf.tlsClientAuth` instead; these are stripped like every certificate header, so that
/// the origin trusts only the identity headers the worker sets.
pub const CF_TLS_AUTH_HEADER_PREFIX: &str = "cf-cert-";

/// Header values the worker writes must be visible ASCII or space (RFC 9110 §5.5 `field-vchar`,
/// minus obs-text): a claim with control characters or non-ASCII could split or smuggle headers.
pub fn is_safe_header_value(value: &str) -> bool {
    value.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
}

/// The headers the origin receives: the client's, minus every header in `strip` (all
/// certificate-forwarding headers of all sources), every `cf-cert-*` header and the identity
/// headers, plus `identity`.
///
/// # Errors
/// When the runtime rejects a header operation (names here are constants, values are checked by
/// [`is_safe_header_value`] before).
pub fn origin_headers(
    incoming: &Headers,
    strip: &[String],
    identity: &Identity,
) -> worker::Result<Headers> {
    // Copied inside the runtime (`new Headers(incoming)`): header values never cross into wasm.
    let headers = incoming.clone();
    // `Headers` iteration yields lowercase names.
    let cf_cert: Vec<String> = headers
        .keys()
        .filter(|name| name.starts_with(CF_TLS_AUTH_HEADER_PREFIX))
        .collect();
    for name in strip.iter().chain(&cf_cert) {
        headers.delete(name)?;
    }
    headers.set(CLIENT_ID_HEADER, &identity.client_id)?;
    match &identity.thumbprint {
        Some(thumbprint) => headers.set(THUMBPRINT_HEADER, thumbprint)?,
        None => headers.delete(THUMBPRINT_HEADER)?,
    }
    headers.set(SUBJECT_HEADER, &identity.subject)?;
    Ok(headers)
}

/// The origin URL for `url`: `origin` with the request's path and query, or `url` itself when no
/// origin is configured (pass-through to the zone's origin).
///
/// # Errors
/// When the configured origin and the path do not form a URL (checked at config time).
pub fn target_url(origin: Option<&str>, url: &Url) -> worker::Result<Url> {
    match origin {
        None => Ok(url.clone()),
        Some(base) => {
            let mut target = Url::parse(base)?;
            target.set_path(url.path());
            target.set_query(url.query());
            Ok(target)
        }
    }
}

/// Builds the origin request: same method and body, new headers, redirects returned to the
/// client rather than followed.
///
/// # Errors
/// When the runtime refuses to build the request.
pub fn origin_request(req: &Request, target: &Url, headers: Headers) -> worker::Result<Request> {
    let mut init = RequestInit::new();
    let method: Method = req.method();
    let has_body = !matches!(method, Method::Get | Method::Head);
    init.with_method(method)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual);
    if has_body {
        init.with_body(req.inner().body().map(Into::into));
    }
    Request::new_with_init(target.as_str(), &init)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: only visible ASCII and space may go into an identity header.
    #[test]
    fn header_value_safety() {
        assert!(is_safe_header_value("client-alice"));
        assert!(is_safe_header_value("CN=alice, O=x"));
        assert!(is_safe_header_value(""));
        assert!(!is_safe_header_value("a\r\nX-Admin: 1"));
        assert!(!is_safe_header_value("tab\there"));
        assert!(!is_safe_header_value("é"));
    }

    // Intent: the origin keeps the request's path and query; without an origin, the URL is kept.
    #[test]
    fn target_keeps_path_and_query() {
        let url = Url::parse("https://api.example/a/b?x=1&y=2").unwrap();
        assert_eq!(
            target_url(Some("https://origin.example/ignored"), &url)
                .unwrap()
                .as_str(),
            "https://origin.example/a/b?x=1&y=2"
        );
        assert_eq!(target_url(None, &url).unwrap(), url);
    }
}
