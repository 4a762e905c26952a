//! `request.cf.tlsClientAuth`: Cloudflare's verdict on the client certificate of the connection.
//!
//! Read field by field from the raw JS object: workers-rs' `TlsClientAuth` accessors `unwrap()`
//! and a missing field would abort the isolate. A field that is absent or not a string is `None`.

use wasm_bindgen::JsValue;
use worker::web_sys;

/// The fields of `tlsClientAuth` the worker uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsClientAuth {
    /// `certPresented`: `"1"` when the client sent a certificate.
    pub cert_presented: Option<String>,
    /// `certVerified`: `"SUCCESS"`, `"NONE"` or `"FAILED:<reason>"`.
    pub cert_verified: Option<String>,
    /// `certRevoked`: `"1"` when the certificate is revoked in Cloudflare's mTLS settings.
    pub cert_revoked: Option<String>,
    /// `certFingerprintSHA256`: lowercase hex SHA-256 of the certificate's DER.
    pub cert_fingerprint_sha256: Option<String>,
    /// `certSubjectDNRFC2253`.
    pub cert_subject_dn_rfc2253: Option<String>,
}

impl TlsClientAuth {
    /// Reads `request.cf.tlsClientAuth`; `None` when the request has no `cf` object or the zone
    /// has no mTLS.
    pub fn from_request(request: &web_sys::Request) -> Option<Self> {
        let cf = get(request.as_ref(), "cf")?;
        let auth = get(&cf, "tlsClientAuth")?;
        let field = |name| get(&auth, name).and_then(|v| v.as_string());
        Some(Self {
            cert_presented: field("certPresented"),
            cert_verified: field("certVerified"),
            cert_revoked: field("certRevoked"),
            cert_fingerprint_sha256: field("certFingerprintSHA256"),
            cert_subject_dn_rfc2253: field("certSubjectDNRFC2253"),
        })
    }

    /// The client presented a certificate.
    pub fn presented(&self) -> bool {
        self.cert_presented.as_deref() == Some("1")
    }

    /// Cloudflare verified it against the zone's mTLS CA.
    pub fn verified(&self) -> bool {
        self.cert_verified.as_deref() == Some("SUCCESS")
    }

    /// Cloudflare reports it revoked.
    pub fn revoked(&self) -> bool {
        self.cert_revoked.as_deref() == Some("1")
    }
}

fn get(object: &JsValue, key: &str) -> Option<JsValue> {
    if !object.is_object() {
        return None;
    }
    js_sys::Reflect::get(object, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
}
