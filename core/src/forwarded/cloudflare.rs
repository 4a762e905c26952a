//! Cloudflare client certificate forwarding: `Cf-Client-Cert-Der-Base64` (base64 DER).
//!
//! Cloudflare adds the header only when `client_certificate_forwarding` is enabled, and only on
//! the first request of an mTLS connection. In a Worker, `request.cf.tlsClientAuth` tells
//! whether a certificate was presented on every request; pass it as [`CloudflareHints`] so that
//! an absent header is told apart from an absent certificate and an injected header is caught.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use super::error::truncated;
use super::{
    CLOUDFLARE_CERT, ForwardedCert, ForwardedError, Headers, Limits, build_hashed, encoding, single,
};
use crate::Error;
use crate::cert::CertThumbprint;

/// What Cloudflare's `request.cf.tlsClientAuth` says about the connection's client certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CloudflareHints {
    cert_presented: bool,
    cert_verified: Option<bool>,
    cert_fingerprint_sha256: Option<String>,
}

impl CloudflareHints {
    /// Hints with `certPresented` (`"1"` → `true`); no verification result or fingerprint.
    pub fn new(cert_presented: bool) -> Self {
        Self {
            cert_presented,
            cert_verified: None,
            cert_fingerprint_sha256: None,
        }
    }

    /// Records `certVerified == "SUCCESS"`. Decoding does not act on it: RFC 8705 self-signed
    /// clients are never verified by Cloudflare, and path validation is certbound's own job.
    #[must_use]
    pub fn cert_verified(mut self, verified: bool) -> Self {
        self.cert_verified = Some(verified);
        self
    }

    /// Records `certFingerprintSHA256` (hex, either case); the decoded certificate must match it.
    #[must_use]
    pub fn cert_fingerprint_sha256(mut self, hex: &str) -> Self {
        self.cert_fingerprint_sha256 = Some(hex.to_owned());
        self
    }

    /// `certPresented`.
    pub fn presented(&self) -> bool {
        self.cert_presented
    }

    /// `certVerified == "SUCCESS"`, when recorded.
    pub fn verified(&self) -> Option<bool> {
        self.cert_verified
    }

    /// `certFingerprintSHA256`, when recorded.
    pub fn fingerprint_sha256(&self) -> Option<&str> {
        self.cert_fingerprint_sha256.as_deref()
    }
}

/// Reads `Cf-Client-Cert-Der-Base64`, cross-checked against `hints` when given.
///
/// With hints: header present but `cert_presented == false` is
/// [`ForwardedError::CloudflareNotPresented`]; `cert_presented` but header absent is
/// [`ForwardedError::CloudflareNotForwarded`]; a fingerprint hint must equal the certificate's
/// SHA-256 (compared in constant time). Without hints, an absent header is `Ok(None)`.
///
/// # Errors
/// As [`super::decode`], plus the hint mismatches above.
pub fn decode_cloudflare<H: Headers + ?Sized>(
    headers: &H,
    hints: Option<&CloudflareHints>,
    limits: &Limits,
) -> Result<Option<ForwardedCert>, Error> {
    let value = single(headers, CLOUDFLARE_CERT, limits)?;
    match (value, hints.map(CloudflareHints::presented)) {
        (Some(_), Some(false)) => Err(ForwardedError::CloudflareNotPresented.into()),
        (None, Some(true)) => Err(ForwardedError::CloudflareNotForwarded.into()),
        (None, _) => Ok(None),
        (Some(value), _) => from_value(value, hints).map(Some),
    }
}

pub(super) fn from_value(
    value: &str,
    hints: Option<&CloudflareHints>,
) -> Result<ForwardedCert, Error> {
    let der = encoding::base64(CLOUDFLARE_CERT, value.as_bytes(), 0, false)?;
    let mut x5t = None;
    if let Some(hint) = hints.and_then(CloudflareHints::fingerprint_sha256) {
        let actual = CertThumbprint::of_der(&der);
        let matches = CertThumbprint::from_hex(hint).is_some_and(|claimed| claimed == actual);
        if !matches {
            return Err(ForwardedError::FingerprintHintMismatch {
                hint: truncated(hint),
                actual: actual.to_hex(),
            }
            .into());
        }
        // The certificate's x5t#S256: not hashed again when it is parsed.
        x5t = Some(actual);
    }
    build_hashed(CLOUDFLARE_CERT, der, x5t, CLOUDFLARE_CERT, Vec::new())
}
