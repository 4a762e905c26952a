//! Tool 4: does the inspected certificate authenticate as a registered RFC 8705 client? Core
//! decides; the browser's WebCrypto verifies the chain signatures of `tls_client_auth` clients.

use certbound_core::Error;
use certbound_core::client::{self, AuthOptions, ClientRegistry};
use certbound_provider_webcrypto as webcrypto;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::chain::trust_store;
use crate::{Inspected, js_error_in, to_js, unix_time};

#[derive(Serialize)]
struct MatchResult {
    authenticated: bool,
    client_id: String,
    /// `tls_client_auth` or `self_signed_tls_client_auth` (when authenticated).
    method: Option<String>,
    /// The thumbprint tokens issued to this client would be bound to (when authenticated).
    #[serde(rename = "x5t#S256")]
    x5t_s256: Option<String>,
    /// `tls_client_certificate_bound_access_tokens` of the registration (when authenticated).
    bound_tokens: Option<bool>,
    /// Core's text saying why not.
    error: Option<String>,
    /// The OAuth error the token endpoint answers with (RFC 6749 §5.2).
    oauth_error: Option<&'static str>,
}

/// Reads registrations as the page accepts them: one registration object, an array of them,
/// or `{"clients": [...]}` (the last two are core's JSON file format).
fn registry(json: &str) -> Result<ClientRegistry, Error> {
    // A lone registration object is wrapped into core's array form; everything else (including
    // JSON that does not parse) goes to core unchanged, so its errors are core's.
    if let Ok(value @ serde_json::Value::Object(_)) = serde_json::from_str(json) {
        if value.get("clients").is_none() {
            let wrapped = serde_json::Value::Array(vec![value]);
            return ClientRegistry::from_json(wrapped.to_string().as_bytes());
        }
    }
    ClientRegistry::from_json(json.as_bytes())
}

/// Authenticates the inspected certificate as `client_id` (blank: the only registration given)
/// against `registration_json`, at `now_seconds`, with `trust_pem` (blank: none) as the anchors
/// for `tls_client_auth` clients: the token endpoint's decision.
///
/// Resolves to `{authenticated, client_id, method, "x5t#S256", bound_tokens, error, oauth_error}`;
/// a refused client is a result, not an exception.
///
/// # Errors
/// Rejects with core's message, prefixed with the field, when the registration or the trust
/// anchors cannot be read, or when `client_id` is blank and several registrations were given.
#[wasm_bindgen(js_name = matchRegistration)]
pub async fn match_registration(
    cert: &Inspected,
    registration_json: &str,
    client_id: &str,
    trust_pem: &[u8],
    now_seconds: f64,
) -> Result<JsValue, JsError> {
    let now = unix_time(now_seconds)?;
    let registry = registry(registration_json).map_err(|e| js_error_in("Registration", &e))?;
    let client_id = match (client_id.trim(), registry.clients()) {
        ("", [only]) => only.client_id().to_owned(),
        ("", all) => {
            return Err(JsError::new(&format!(
                "Client ID: the registration JSON holds {} clients; enter the client_id to authenticate",
                all.len()
            )));
        }
        (id, _) => id.to_owned(),
    };
    let trust = trust_store(trust_pem)?;
    // Chain signatures of `tls_client_auth` clients are verified by WebCrypto, in rounds.
    let outcome = webcrypto::resolve(|p| {
        let options = AuthOptions::with_provider(p);
        let (leaf, chain) = (&cert.leaf, cert.chain.as_slice());
        client::authenticate(
            &registry,
            &client_id,
            leaf,
            chain,
            trust.as_ref(),
            now,
            &options,
        )
        .map(|ok| {
            (
                ok.method().to_string(),
                ok.x5t().to_string(),
                ok.registration().certificate_bound_access_tokens(),
            )
        })
    })
    .await
    .and_then(|outcome| outcome);
    let result = match outcome {
        Ok((method, x5t, bound_tokens)) => MatchResult {
            authenticated: true,
            client_id,
            method: Some(method),
            x5t_s256: Some(x5t),
            bound_tokens: Some(bound_tokens),
            error: None,
            oauth_error: None,
        },
        Err(e) => MatchResult {
            authenticated: false,
            client_id,
            method: None,
            x5t_s256: None,
            bound_tokens: None,
            oauth_error: Some(match &e {
                Error::ClientAuth(c) => c.oauth_error_code(),
                _ => "invalid_client",
            }),
            error: Some(e.to_string()),
        },
    };
    to_js(&result)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"{"client_id": "acme", "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": "CN=acme"}"#;

    // Intent: a lone registration object is accepted as a one-client registry; core's own
    // formats pass through unchanged.
    #[test]
    fn lone_object_and_core_formats_read_alike() {
        let lone = registry(ONE).unwrap();
        assert_eq!(lone.len(), 1);
        assert_eq!(lone.clients()[0].client_id(), "acme");
        assert_eq!(registry(&format!("[{ONE}]")).unwrap().len(), 1);
        assert_eq!(
            registry(&format!(r#"{{"clients": [{ONE}]}}"#))
                .unwrap()
                .len(),
            1
        );
    }

    // Intent: broken input gets exactly core's error, not one of the page's making.
    #[test]
    fn errors_are_cores() {
        for bad in [
            "{\"client_id\": ",
            "[1]",
            r#"{"client_id": "x", "colour": "red"}"#,
        ] {
            let ours = registry(bad).unwrap_err().to_string();
            let wrapped = if bad.starts_with("{\"client_id\": \"x\"") {
                format!("[{bad}]")
            } else {
                bad.to_owned()
            };
            assert_eq!(
                ours,
                ClientRegistry::from_json(wrapped.as_bytes())
                    .unwrap_err()
                    .to_string()
            );
        }
    }
}
