//! Forwarding an authorized request to the origin: client-certificate headers of every source
//! stripped, identity headers set (overwriting whatever the client sent).

use worker::{Headers, Request, web_sys};

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
    // Copied inside the runtime (`new Headers(incoming)`): header values never cross into wasm,
    // only the names present, and only those to remove are deleted.
    let headers = incoming.clone();
    // `Headers` iteration yields lowercase names.
    let doomed: Vec<String> = headers
        .keys()
        .filter(|name| {
            name.starts_with(CF_TLS_AUTH_HEADER_PREFIX)
                || strip.iter().any(|s| s.eq_ignore_ascii_case(name))
        })
        .collect();
    for name in &doomed {
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

/// Builds the origin request: same method and body, new headers, redirects returned to the
/// client rather than followed.
///
/// The method is the runtime's own string (WHATWG `Request.method`: standard names upper-cased,
/// any other token as sent), so a method workers-rs' `Method` does not know (WebDAV's
/// `PROPFIND`) reaches the origin as itself, with its body. The `web_sys` init is built
/// directly, without `worker::RequestInit`'s `cf` properties machinery (unused: the worker sets
/// none).
///
/// # Errors
/// When the runtime refuses to build the request.
pub fn origin_request(req: &Request, target: &str, headers: Headers) -> worker::Result<Request> {
    let method = req.inner().method();
    let init = web_sys::RequestInit::new();
    init.set_method(&method);
    // Never empty: the identity headers are always set.
    init.set_headers(headers.as_ref());
    init.set_redirect(web_sys::RequestRedirect::Manual);
    // The Fetch standard forbids a body on GET and HEAD (names normalized by the runtime).
    if !matches!(method.as_str(), "GET" | "HEAD")
        && let Some(body) = req.inner().body()
    {
        init.set_body(&body);
    }
    new_request(target, &init)
}

/// `worker::Request::new_with_init` for a `web_sys` init, with its error text.
///
/// # Errors
/// When the runtime refuses to build the request.
pub fn new_request(url: &str, init: &web_sys::RequestInit) -> worker::Result<Request> {
    web_sys::Request::new_with_str_and_init(url, init)
        .map(Request::from)
        .map_err(|e| {
            worker::Error::JsError(
                e.as_string()
                    .unwrap_or_else(|| "invalid URL or options for Request".to_owned()),
            )
        })
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
}
