//! wasm-bindgen wrappers over `certbound-core` for the browser demo page (`www/index.html`).
//!
//! Every function here only translates: JS values in, core call, plain JS objects out
//! (serde_json, then the browser's `JSON.parse`), or a thrown `Error` whose message is core's
//! `Display` text, so the page shows exactly what the native server and the edge worker say.
//! Time is an argument: the page passes `Date.now() / 1000`; core never reads a clock.
//!
//! Signatures are verified by the browser's WebCrypto (`certbound-provider-webcrypto`), never
//! by core's pure-Rust provider: nothing here names `RustCrypto`, so that its ECDSA, RSA and
//! Ed25519 verification can leave the page's wasm (core's `client::authenticate` still names it
//! as its default provider, which keeps it linked: see README, "Size"). Core still decides what
//! is verified, so verdicts and messages are core's. The functions that verify are `async`
//! (they return a `Promise`), marked *async* below.
//!
//! | JS | core |
//! |---|---|
//! | `Inspected.fromBundle(bytes)`, `Inspected.fromHeader(source, value, chain?)`, `.view(now)` | `cert::parse_bundle`, `forwarded::decode_value`, `Certificate::summary` |
//! | `forwardedSources()` | `forwarded::CertSource` names and header names |
//! | *async* `verifyChain(inspected, intermediatesPem, trustPem, "client"\|"server", now)` | `path::verify_chain_with_provider` via `webcrypto::resolve` |
//! | *async* `checkToken(jwt, jwks, iss, aud, algs, allowUnbound, allowUntyped, x5t?, now)`, `tokenAlgorithms()` | `token::Validator::begin` + `webcrypto::verify`, `token::binding`, `oauth::BearerError` |
//! | *async* `matchRegistration(inspected, json, clientId, trustPem, now)` | `client::authenticate` with WebCrypto verdicts (`provider::Deferred` rounds) |
//! | `parseTime(text)`, `rfc3339(secs)` | `time::parse_time`, `time::rfc3339` |
#![forbid(unsafe_code)]

pub mod chain;
pub mod client;
pub mod token;

use certbound_core::cert::{CertificateSummary, parse_bundle};
use certbound_core::forwarded::{self, CertSource, Limits};
use certbound_core::{Certificate, UnixTime};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Seconds per day, for the "expired N days ago" / "valid for N days" line.
const DAY: u64 = 86_400;

/// Latest time the page accepts, 9999-12-31T23:59:59Z: X.509 `GeneralizedTime` ends there, and
/// it keeps the `f64` → `u64` conversion exact.
pub const MAX_UNIX_SECONDS: f64 = 253_402_300_799.0;

/// Converts the page's clock reading (UNIX seconds, from `Date.now() / 1000`) to core's time.
fn unix_time(now_seconds: f64) -> Result<UnixTime, JsError> {
    // NaN and infinities fail `contains` too. (No float in the message: formatting one would
    // pull float printing into the wasm.)
    if !(0.0..=MAX_UNIX_SECONDS).contains(&now_seconds) {
        return Err(JsError::new(
            "invalid time: expected UNIX seconds between 1970 and 9999",
        ));
    }
    // In range and non-negative (checked above): the truncation drops only the fraction.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let secs = now_seconds as u64;
    Ok(UnixTime::since_unix_epoch(core::time::Duration::from_secs(
        secs,
    )))
}

/// Core's error as a thrown JS `Error` carrying its `Display` text.
fn js_error(e: &certbound_core::Error) -> JsError {
    JsError::new(&e.to_string())
}

/// Core's error for one of the page's fields: `"Trust anchors: PEM block 1: …"`.
fn js_error_in(field: &str, e: &certbound_core::Error) -> JsError {
    JsError::new(&format!("{field}: {e}"))
}

/// A result as a plain JS object: serialised by serde_json, parsed by the browser's
/// `JSON.parse` (smaller in wasm than a serde-wasm-bindgen serializer per type).
fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let json = serde_json::to_string(value).map_err(|_| {
        JsError::new("internal error converting a result for the page (please file a bug)")
    })?;
    js_sys::JSON::parse(&json).map_err(|_| {
        JsError::new("internal error parsing a result in the page (please file a bug)")
    })
}

/// Where `now` falls in a certificate's validity period.
#[derive(Debug, Serialize, PartialEq, Eq)]
struct Validity {
    /// `"valid"`, `"expired"` or `"not_yet_valid"`.
    status: &'static str,
    /// Whole days: until expiry when valid, since expiry when expired, until validity starts
    /// when not yet valid.
    days: u64,
}

fn validity(cert: &Certificate, now: UnixTime) -> Validity {
    let now_s = now.as_secs();
    if cert.is_valid_at(now) {
        Validity {
            status: "valid",
            days: (cert.not_after() - now_s) / DAY,
        }
    } else if now_s > cert.not_after() {
        Validity {
            status: "expired",
            days: (now_s - cert.not_after()) / DAY,
        }
    } else {
        Validity {
            status: "not_yet_valid",
            days: cert.not_before().saturating_sub(now_s) / DAY,
        }
    }
}

/// One certificate as the page shows it: core's summary plus where `now` falls.
#[derive(Debug, Serialize)]
struct CertView {
    summary: CertificateSummary,
    validity: Validity,
    /// Subject equals issuer (core compares the DER names): a root when it ends a chain.
    self_issued: bool,
}

fn view(cert: &Certificate, now: UnixTime) -> CertView {
    CertView {
        summary: cert.summary(),
        validity: validity(cert, now),
        self_issued: cert.is_self_issued(),
    }
}

#[derive(Serialize)]
struct InspectResult<'a> {
    /// Where the certificate came from: `"bundle"` or a forwarded-header source name.
    source: &'a str,
    /// Leaf first.
    certificates: Vec<CertView>,
}

/// The certificate the page is working with (leaf plus the chain that came with it), parsed once
/// by core and kept in wasm memory so the other tools reuse it. Call `free()` when replacing it.
#[wasm_bindgen]
pub struct Inspected {
    source: String,
    leaf: Certificate,
    chain: Vec<Certificate>,
}

#[wasm_bindgen]
impl Inspected {
    /// Reads a PEM or DER bundle: the first certificate is the leaf, the rest its chain.
    ///
    /// # Errors
    /// Throws an `Error` with core's message for unreadable input.
    #[wasm_bindgen(js_name = fromBundle)]
    pub fn from_bundle(input: &[u8]) -> Result<Self, JsError> {
        let mut certs = parse_bundle(input).map_err(|e| js_error(&e))?.into_iter();
        let leaf = certs
            .next()
            .ok_or_else(|| js_error(&certbound_core::Error::NoCertificate))?;
        Ok(Self {
            source: "bundle".into(),
            leaf,
            chain: certs.collect(),
        })
    }

    /// Decodes a forwarded client-certificate header value, as the server does behind the
    /// proxy named by `source` (`rfc9440`, `envoy`, `nginx`, … : core's `CertSource` names).
    /// `chain_value` is the `Client-Cert-Chain` value for `rfc9440`.
    ///
    /// # Errors
    /// Throws core's message for an unknown source or a value that does not decode.
    #[wasm_bindgen(js_name = fromHeader)]
    pub fn from_header(
        source: &str,
        value: &str,
        chain_value: Option<String>,
    ) -> Result<Self, JsError> {
        let source: CertSource = source.parse().map_err(|e| js_error(&e))?;
        let (leaf, chain) =
            forwarded::decode_value(&source, value, chain_value.as_deref(), &Limits::default())
                .map_err(|e| js_error(&e))?
                .into_parts();
        Ok(Self {
            source: source.to_string(),
            leaf,
            chain,
        })
    }

    /// Number of certificates (leaf plus chain).
    #[wasm_bindgen(getter)]
    pub fn count(&self) -> usize {
        1 + self.chain.len()
    }

    /// The leaf's `x5t#S256`.
    #[wasm_bindgen(getter)]
    pub fn thumbprint(&self) -> String {
        self.leaf.x5t_s256().to_string()
    }

    /// The leaf's subject, RFC 4514.
    #[wasm_bindgen(getter)]
    pub fn subject(&self) -> String {
        self.leaf.subject().to_string()
    }

    /// Every certificate (leaf first) as `{source, certificates: [{summary, validity}]}` at
    /// `now_seconds`; `summary` is exactly the object `certbound inspect --json` prints.
    ///
    /// # Errors
    /// Throws when `now_seconds` is not a time.
    pub fn view(&self, now_seconds: f64) -> Result<JsValue, JsError> {
        let now = unix_time(now_seconds)?;
        to_js(&InspectResult {
            source: &self.source,
            certificates: core::iter::once(&self.leaf)
                .chain(&self.chain)
                .map(|c| view(c, now))
                .collect(),
        })
    }
}

/// The forwarded-header sources core decodes, as `[{name, headers}]`: `name` is what
/// `Inspected.fromHeader` takes, `headers` the header names that source reads.
///
/// # Errors
/// Throws only if the list cannot be converted to JS.
#[wasm_bindgen(js_name = forwardedSources)]
pub fn forwarded_sources() -> Result<JsValue, JsError> {
    #[derive(Serialize)]
    struct Source {
        name: String,
        headers: Vec<String>,
    }
    let all = [
        CertSource::Rfc9440,
        CertSource::Cloudflare,
        CertSource::Envoy(forwarded::EnvoyOptions::new()),
        CertSource::nginx(),
        CertSource::AwsAlb,
        CertSource::Traefik,
        CertSource::haproxy(),
        CertSource::Azure,
    ];
    let list: Vec<Source> = all
        .iter()
        .map(|s| Source {
            name: s.to_string(),
            headers: s.header_names().into_iter().map(String::from).collect(),
        })
        .collect();
    to_js(&list)
}

/// Parses a time the way the CLI's `--at` does (RFC 3339 or UNIX seconds) and returns UNIX
/// seconds.
///
/// # Errors
/// Throws core's `invalid time …` message.
#[wasm_bindgen(js_name = parseTime)]
pub fn parse_time(text: &str) -> Result<f64, JsError> {
    let t = certbound_core::time::parse_time(text).map_err(|e| js_error(&e))?;
    #[allow(clippy::cast_precision_loss)]
    Ok(t.as_secs() as f64)
}

/// Renders UNIX seconds as RFC 3339 (UTC), as core renders every time.
#[wasm_bindgen]
pub fn rfc3339(unix_seconds: f64) -> Result<String, JsError> {
    Ok(certbound_core::time::rfc3339(
        unix_time(unix_seconds)?.as_secs(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert_valid_between(not_before: (i32, u8, u8), not_after: (i32, u8, u8)) -> Certificate {
        let mut params = rcgen::CertificateParams::new(vec!["page.test".into()]).unwrap();
        params.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
        params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        Certificate::from_der(cert.der()).unwrap()
    }

    fn at(text: &str) -> UnixTime {
        certbound_core::time::parse_time(text).unwrap()
    }

    // Intent: the three validity states count whole days in the right direction.
    #[test]
    fn validity_counts_days_both_ways() {
        let c = cert_valid_between((2024, 1, 1), (2024, 1, 31));
        assert_eq!(
            validity(&c, at("2024-01-11T00:00:00Z")),
            Validity {
                status: "valid",
                days: 20
            }
        );
        assert_eq!(
            validity(&c, at("2024-03-01T12:00:00Z")),
            Validity {
                status: "expired",
                days: 30
            }
        );
        assert_eq!(
            validity(&c, at("2023-12-21T00:00:00Z")),
            Validity {
                status: "not_yet_valid",
                days: 11
            }
        );
        // Both bounds are inclusive (RFC 5280 §4.1.2.5).
        assert_eq!(validity(&c, at("2024-01-31T00:00:00Z")).status, "valid");
    }
}
