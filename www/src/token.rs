//! Tool 3: access-token validation against a JWKS, with the `cnf` binding to the inspected
//! certificate, as a protected resource decides it. Core validates (`Validator::begin` /
//! `finish`); the browser's WebCrypto verifies the signature.

use certbound_core::oauth::BearerError;
use certbound_core::token::jws::CompactJws;
use certbound_core::token::{self, Algorithm, JwkSet, MAX_TOKEN_BYTES, TokenError, Validator};
use certbound_core::{CertThumbprint, Error};
use certbound_provider_webcrypto as webcrypto;
use serde::Serialize;
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::{js_error_in, to_js, unix_time};

/// The signature verdict, kept apart from the overall one.
#[derive(Serialize, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum SignatureVerdict {
    /// Verified with the selected JWKS key.
    Valid,
    /// Did not verify.
    Invalid,
    /// Could not be checked: the token does not decode, or no allowed algorithm and JWKS key
    /// fit its header.
    NotChecked,
}

/// How the token's `cnf` relates to the inspected certificate.
#[derive(Serialize, Debug)]
struct Binding {
    /// `bound`, `mismatch`, `unbound` (no `cnf`), `no_certificate` (none inspected) or
    /// `invalid` (a `cnf` core cannot read).
    state: &'static str,
    /// The token's `cnf.x5t#S256`, when readable.
    cnf: Option<String>,
    /// The inspected certificate's `x5t#S256`.
    presented: Option<String>,
    /// Core's text for anything but `bound` / `unbound`.
    message: Option<String>,
}

#[derive(Serialize)]
struct TokenResult {
    valid: bool,
    /// Core's detailed error text (what the server logs).
    error: Option<String>,
    /// What the server and the worker answer a request carrying this token with.
    status: Option<u16>,
    www_authenticate: Option<String>,
    /// Decoded, unverified header and claims (absent when the token does not decode).
    header: Option<Map<String, Value>>,
    claims: Option<Map<String, Value>>,
    /// Why header or claims could not be shown.
    decode_error: Option<String>,
    signature: SignatureVerdict,
    binding: Option<Binding>,
    exp: Option<u64>,
    exp_rfc3339: Option<String>,
    now: u64,
}

/// The JWS algorithms core verifies, by name (for the page's allow-list checkboxes).
#[wasm_bindgen(js_name = tokenAlgorithms)]
pub fn token_algorithms() -> Vec<String> {
    Algorithm::ALL.iter().map(|a| a.name().into()).collect()
}

/// Verifies a refused token's signature with the key core's `JwkSet::select` picks for its
/// header's `alg` (if allowed) and `kid`; `NotChecked` when no allowed algorithm and key fit.
async fn signature_for_information(
    validator: &Validator,
    allowed: &[Algorithm],
    jws: &CompactJws<'_>,
) -> SignatureVerdict {
    let header = jws.header();
    let Some(alg) = header
        .get("alg")
        .and_then(Value::as_str)
        .and_then(Algorithm::from_name)
        .filter(|a| allowed.contains(a))
    else {
        return SignatureVerdict::NotChecked;
    };
    let kid = match header.get("kid") {
        None => None,
        Some(Value::String(kid)) => Some(kid.as_str()),
        Some(_) => return SignatureVerdict::NotChecked,
    };
    let Ok(key) = validator.keys().select(alg, kid) else {
        return SignatureVerdict::NotChecked;
    };
    match webcrypto::verify(
        alg.scheme(),
        key.public_key(),
        jws.signing_input().as_bytes(),
        jws.signature(),
    )
    .await
    {
        Ok(()) => SignatureVerdict::Valid,
        Err(_) => SignatureVerdict::Invalid,
    }
}

fn binding(claims: &Map<String, Value>, presented: Option<&CertThumbprint>) -> Binding {
    let cnf = claims.get("cnf");
    let readable = cnf.and_then(|c| token::binding::bound_thumbprint(c).ok());
    let (state, message) = match token::binding::check(cnf, presented, false) {
        Ok(Some(_)) => ("bound", None),
        Ok(None) => ("unbound", None),
        Err(e @ TokenError::CertificateRequired) => ("no_certificate", Some(e.to_string())),
        Err(e @ TokenError::CertificateMismatch { .. }) => ("mismatch", Some(e.to_string())),
        Err(e) => ("invalid", Some(e.to_string())),
    };
    Binding {
        state,
        cnf: readable.map(|t| t.to_string()),
        presented: presented.map(ToString::to_string),
        message,
    }
}

/// Validates `token` as the protected resource does: JWKS, issuer, audience, algorithm
/// allow-list, time `now_seconds` and the certificate binding to `presented_x5t` (the
/// inspected certificate's `x5t#S256`, as `Inspected.thumbprint` gives it, or none).
/// `leeway_seconds` (clock leeway, core's default when omitted) and `required_scopes` are
/// optional and last, so callers that omit them keep the earlier behaviour.
///
/// Resolves to `{valid, error, status, www_authenticate, header, claims, decode_error, signature:
/// "valid"|"invalid"|"not_checked", binding: {state, cnf, presented, message}, exp,
/// exp_rfc3339, now}`; a refused token is a result, not an exception. `valid`, `error` and the
/// answer are core's verdict. `signature` is checked even when core refused the token before
/// its signature (core checks claims first), for the reader's information only.
///
/// # Errors
/// Rejects with core's message, prefixed with the field, when the form cannot configure a
/// validator: unreadable JWKS, empty issuer, audience or allow-list, an unknown algorithm name.
#[wasm_bindgen(js_name = checkToken)]
#[allow(clippy::too_many_arguments, clippy::fn_params_excessive_bools)]
pub async fn check_token(
    token: &str,
    jwks: &str,
    issuer: &str,
    audience: &str,
    algorithms: Vec<String>,
    allow_unbound: bool,
    allow_untyped: bool,
    presented_x5t: Option<String>,
    now_seconds: f64,
    leeway_seconds: Option<u32>,
    required_scopes: Option<Vec<String>>,
) -> Result<JsValue, JsError> {
    let now = unix_time(now_seconds)?;
    let token = token.trim();

    let keys = JwkSet::from_json(jwks.as_bytes()).map_err(|e| js_error_in("JWKS", &e))?;
    let names = algorithms;
    let mut algorithms = Vec::with_capacity(names.len());
    for name in &names {
        algorithms.push(Algorithm::from_name(name).ok_or_else(|| {
            JsError::new(&format!(
                "Algorithms: {name:?} is not one of {}",
                token_algorithms().join(", ")
            ))
        })?);
    }
    let mut builder =
        Validator::builder(issuer.trim(), audience.trim(), keys).algorithms(&algorithms);
    if allow_unbound {
        builder = builder.allow_unbound();
    }
    if allow_untyped {
        builder = builder.allow_untyped();
    }
    if let Some(secs) = leeway_seconds {
        builder = builder.leeway_secs(secs.into());
    }
    if let Some(scopes) = required_scopes {
        builder = builder.required_scopes(scopes);
    }
    let validator = builder
        .build()
        .map_err(|e| JsError::new(&format!("Validator: {e}")))?;

    let presented = match presented_x5t.as_deref() {
        None => None,
        Some(text) => Some(CertThumbprint::from_x5t_s256(text).ok_or_else(|| {
            JsError::new(&format!(
                "Certificate: {text:?} is not an x5t#S256 thumbprint (43 characters of base64url)"
            ))
        })?),
    };

    // Header and claims for display: decoded by core, shown whatever the verdict.
    let jws = (token.len() <= MAX_TOKEN_BYTES).then(|| CompactJws::parse(token));
    let (mut header, mut claims, mut decode_error) = (None, None, None);
    if let Some(parsed) = &jws {
        match parsed.as_ref().map_err(Clone::clone).and_then(|j| {
            let c = j.payload_object()?;
            Ok((j.header().clone(), c))
        }) {
            Ok((h, c)) => {
                header = Some(h);
                claims = Some(c);
            }
            Err(e) => decode_error = Some(Error::from(e).to_string()),
        }
    }

    let (signature, verdict) = match validator.begin(token, presented.as_ref(), now) {
        Err(e) => {
            // Refused before the signature (core checks claims first). For the page's reader the
            // signature is still checked, for information only: same key selection, same
            // provider, and the verdict stays core's refusal.
            let signature = match jws.and_then(Result::ok) {
                Some(j) => signature_for_information(&validator, &algorithms, &j).await,
                None => SignatureVerdict::NotChecked,
            };
            (signature, Err(e))
        }
        Ok(pending) => {
            let verified = webcrypto::verify(
                pending.scheme(),
                pending.public_key(),
                pending.signing_input(),
                pending.signature(),
            )
            .await;
            let signature = if verified.is_ok() {
                SignatureVerdict::Valid
            } else {
                SignatureVerdict::Invalid
            };
            (signature, pending.finish(verified))
        }
    };
    let (valid, error, status, www_authenticate) = match &verdict {
        Ok(_) => (true, None, None, None),
        Err(e) => {
            let answer = BearerError::from_error(e);
            (
                false,
                Some(e.to_string()),
                Some(answer.status()),
                Some(answer.www_authenticate(None)),
            )
        }
    };
    let exp = claims
        .as_ref()
        .and_then(|c| c.get("exp"))
        .and_then(Value::as_u64);
    to_js(&TokenResult {
        valid,
        error,
        status,
        www_authenticate,
        binding: claims.as_ref().map(|c| binding(c, presented.as_ref())),
        header,
        claims,
        decode_error,
        signature,
        exp,
        exp_rfc3339: exp.map(certbound_core::time::rfc3339),
        now: now.as_secs(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(json: &str) -> Map<String, Value> {
        serde_json::from_str(json).unwrap()
    }

    const X5T: &str = "A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0";

    // Intent: each binding state is reported with core's text where core has one.
    #[test]
    fn binding_states() {
        let bound = claims(&format!(r#"{{"cnf": {{"x5t#S256": "{X5T}"}}}}"#));
        let mine = CertThumbprint::from_x5t_s256(X5T).unwrap();
        let other = CertThumbprint::from_bytes([7; 32]);

        let b = binding(&bound, Some(&mine));
        assert_eq!(
            (b.state, b.cnf.as_deref(), b.message),
            ("bound", Some(X5T), None)
        );

        let b = binding(&bound, Some(&other));
        assert_eq!(b.state, "mismatch");
        assert_eq!(
            b.message.unwrap(),
            format!(
                "access token is bound to certificate x5t#S256 {X5T}, but the request presented {other}"
            )
        );

        assert_eq!(binding(&bound, None).state, "no_certificate");
        assert_eq!(binding(&claims("{}"), Some(&mine)).state, "unbound");

        // The RFC 8705 §3.1 illustrative value has non-zero trailing bits: unreadable.
        let b = binding(
            &claims(r#"{"cnf": {"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}}"#),
            Some(&mine),
        );
        assert_eq!((b.state, b.cnf), ("invalid", None));
    }
}
