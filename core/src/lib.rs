//! # certbound-core
//!
//! The `no_std` + `alloc` heart of certbound: every decision about a client certificate or a
//! certificate-bound access token (RFC 8705) is made here, so that the native rustls server, the
//! Cloudflare Worker and the browser page decide identically.
//!
//! Core is pure: bytes and the current time go in, typed verdicts come out. It performs no I/O,
//! reads no clock and keeps no global state. Cryptographic signature primitives come from a
//! [`provider::CryptoProvider`], pure RustCrypto by default.
//!
//! | module | owns |
//! |---|---|
//! | [`pem`] | PEM / DER bundle reading with positioned errors |
//! | [`cert`] | the [`Certificate`] view: names, SANs, key usages, key info, thumbprints |
//! | [`client`] | RFC 8705 client registrations and mutual-TLS client authentication |
//! | [`time`] | [`UnixTime`] helpers: RFC 3339 rendering and parsing |
//! | [`path`] | certificate path validation to trust anchors (rustls-webpki + extra checks) |
//! | [`provider`] | the signature-verification seam and its RustCrypto default |
//! | [`token`] | certificate-bound JWT access tokens: JWS/JWK, RFC 9068 claims, `cnf` binding |
//! | [`oauth`] | every deny answer: RFC 6750 `WWW-Authenticate`, RFC 6749 §5.2 bodies |
//! | [`error`] | the crate's one [`Error`] enum |
//!
//! ## Getting started
//! ```
//! // The RFC 8705 Appendix A certificate.
//! let pem = "-----BEGIN CERTIFICATE-----
//! MIIBBjCBrAIBAjAKBggqhkjOPQQDAjAPMQ0wCwYDVQQDDARtdGxzMB4XDTE4MTAx
//! ODEyMzcwOVoXDTIyMDUwMjEyMzcwOVowDzENMAsGA1UEAwwEbXRsczBZMBMGByqG
//! SM49AgEGCCqGSM49AwEHA0IABNcnyxwqV6hY8QnhxxzFQ03C7HKW9OylMbnQZjjJ
//! /Au08/coZwxS7LfA4vOLS9WuneIXhbGGWvsDSb0tH6IxLm8wCgYIKoZIzj0EAwID
//! SQAwRgIhAP0RC1E+vwJD/D1AGHGzuri+hlV/PpQEKTWUVeORWz83AiEA5x2eXZOV
//! bUlJSGQgjwD5vaUaKlLR50Q2DmFfQj1L+SY=
//! -----END CERTIFICATE-----";
//! let cert = certbound_core::Certificate::from_pem(pem.as_bytes())?;
//! assert_eq!(cert.x5t_s256().to_string(), "A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0");
//! assert_eq!(cert.subject().to_string(), "CN=mtls");
//! # Ok::<(), certbound_core::Error>(())
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(
    clippy::std_instead_of_core,
    clippy::std_instead_of_alloc,
    clippy::alloc_instead_of_core,
    clippy::cast_possible_truncation
)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod cert;
pub mod client;
pub mod error;
pub mod forwarded;
pub mod oauth;
pub mod path;
pub mod pem;
pub mod provider;
pub mod time;
pub mod token;

pub use cert::{CertThumbprint, Certificate};
pub use error::Error;
pub use rustls_pki_types::UnixTime;
