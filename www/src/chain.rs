//! Tool 2: path validation of the inspected certificate to pasted trust anchors, with the
//! signatures verified by the browser's WebCrypto.

use certbound_core::Certificate;
use certbound_core::cert::parse_bundle;
use certbound_core::path::{self, Purpose, TrustStore, VerifyOptions};
use certbound_provider_webcrypto as webcrypto;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::{Inspected, js_error_in, to_js, unix_time};

/// One certificate as the chain tool lists it, named the way core's path errors name it
/// (`leaf`, `intermediate 2`, `trust anchor 1`).
#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct CertLine {
    role: String,
    subject: String,
    #[serde(rename = "x5t#S256")]
    x5t_s256: String,
}

impl CertLine {
    fn new(role: String, cert: &Certificate) -> Self {
        Self {
            role,
            subject: cert.subject().to_string(),
            x5t_s256: cert.x5t_s256().to_string(),
        }
    }
}

#[derive(Serialize)]
struct ChainResult {
    valid: bool,
    /// Core's error text when `valid` is false.
    error: Option<String>,
    purpose: String,
    /// The verification time, RFC 3339.
    time: String,
    /// The path found, leaf → anchor (empty when refused).
    path: Vec<CertLine>,
    /// Every certificate given, as core's errors number them.
    inputs: Vec<CertLine>,
}

/// The purpose names the page offers (the CLI's `--purpose client|server`).
pub(crate) fn purpose(name: &str) -> Result<Purpose, JsError> {
    match name {
        "client" => Ok(Purpose::ClientAuth),
        "server" => Ok(Purpose::ServerAuth),
        _ => Err(JsError::new(&format!(
            "unknown purpose {name:?}: expected \"client\" or \"server\""
        ))),
    }
}

/// Reads the trust anchors a tool was given (`None` when the text is blank).
pub(crate) fn trust_store(trust_pem: &[u8]) -> Result<Option<TrustStore>, JsError> {
    if trust_pem.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    TrustStore::from_pem(trust_pem)
        .map(Some)
        .map_err(|e| js_error_in("Trust anchors", &e))
}

/// Validates the inspected certificate (its own chain plus `extra_intermediates`, PEM or blank)
/// up to an anchor of `trust_pem` for `purpose_name` (`"client"` / `"server"`) at `now_seconds`.
/// Core decides; WebCrypto verifies the signatures core asks about (`webcrypto::resolve`).
///
/// Resolves to `{valid, error, purpose, time, path: [{role, subject, "x5t#S256"}], inputs: […]}`:
/// a refused path is a result (`valid: false`, `error` is core's text), not an exception.
///
/// # Errors
/// Rejects with core's message, prefixed with the field, when the trust anchors or
/// intermediates cannot be read, or when no trust anchor was given.
#[wasm_bindgen(js_name = verifyChain)]
pub async fn verify_chain(
    cert: &Inspected,
    extra_intermediates: &[u8],
    trust_pem: &[u8],
    purpose_name: &str,
    now_seconds: f64,
) -> Result<JsValue, JsError> {
    let purpose = purpose(purpose_name)?;
    let now = unix_time(now_seconds)?;
    let Some(trust) = trust_store(trust_pem)? else {
        return Err(js_error_in(
            "Trust anchors",
            &certbound_core::Error::Path(path::PathError::NoTrustAnchors),
        ));
    };
    let mut intermediates = cert.chain.clone();
    if !extra_intermediates.iter().all(u8::is_ascii_whitespace) {
        let extra =
            parse_bundle(extra_intermediates).map_err(|e| js_error_in("Intermediates", &e))?;
        intermediates.extend(extra);
    }

    let mut inputs = vec![CertLine::new("leaf".into(), &cert.leaf)];
    for (i, c) in intermediates.iter().enumerate() {
        inputs.push(CertLine::new(format!("intermediate {}", i + 1), c));
    }
    for (i, c) in trust.certificates().iter().enumerate() {
        inputs.push(CertLine::new(format!("trust anchor {}", i + 1), c));
    }

    let options = VerifyOptions::new(purpose);
    // The outer error (more distinct signatures than `Deferred::MAX_CHECKS`) is a refusal too.
    let verdict = webcrypto::resolve(|p| {
        path::verify_chain_with_provider(&trust, &cert.leaf, &intermediates, now, &options, p)
    })
    .await
    .and_then(|v| v);
    let (valid, error, found) = match verdict {
        Ok(found) => {
            let mut lines = vec![CertLine::new("leaf".into(), &cert.leaf)];
            for &i in found.intermediate_indices() {
                if let Some(c) = intermediates.get(i) {
                    lines.push(CertLine::new(format!("intermediate {}", i + 1), c));
                }
            }
            let a = found.anchor_index();
            if let Some(c) = trust.certificates().get(a) {
                lines.push(CertLine::new(format!("trust anchor {}", a + 1), c));
            }
            (true, None, lines)
        }
        Err(e) => (false, Some(e.to_string()), Vec::new()),
    };
    to_js(&ChainResult {
        valid,
        error,
        purpose: purpose.to_string(),
        time: certbound_core::time::rfc3339(now.as_secs()),
        path: found,
        inputs,
    })
}
