//! What can be wrong with a forwarded client certificate.

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use crate::Error;
use crate::error::{DerDisplay, ExtensionProblem};
use crate::pem::PemProblem;

/// Which certificate of a forwarded value failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertRole {
    /// A chain certificate, by 0-based position after the leaf.
    Chain(usize),
    /// The client (leaf) certificate.
    Leaf,
}

impl fmt::Display for CertRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Chain(i) => write!(f, "chain[{i}] certificate"),
            Self::Leaf => f.write_str("leaf certificate"),
        }
    }
}

/// A syntax problem in an `x-forwarded-client-cert` value.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XfccProblem {
    /// A key that must appear once per element appeared again.
    DuplicateKey(&'static str),
    /// An element with no key=value pair (`,,` or a trailing `,`).
    EmptyElement,
    /// Something other than `;`, `,` or the end after a quoted value.
    ExpectedSeparator,
    /// A pair without `=`.
    MissingEquals,
    /// A `"` inside an unquoted value.
    UnexpectedQuote,
    /// A key outside `By Hash Cert Chain Subject URI DNS`.
    UnknownKey(String),
    /// A quoted value without its closing `"`.
    UnterminatedQuote,
}

impl fmt::Display for XfccProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DuplicateKey(k) => write!(f, "key {k} repeated in one element"),
            Self::EmptyElement => f.write_str("empty element"),
            Self::ExpectedSeparator => f.write_str("expected ';' or ',' after a quoted value"),
            Self::MissingEquals => f.write_str("expected key=value"),
            Self::UnexpectedQuote => f.write_str("'\"' inside an unquoted value"),
            Self::UnknownKey(k) => write!(
                f,
                "unknown key {k:?} (expected By, Hash, Cert, Chain, Subject, URI or DNS)"
            ),
            Self::UnterminatedQuote => f.write_str("quoted value without closing '\"'"),
        }
    }
}

/// Why a forwarded client certificate was refused. Every variant names the header.
///
/// Positions are 0-based byte offsets into the header value as received (after trimming
/// surrounding whitespace); for [`ForwardedError::Pem`], [`ForwardedError::ExpectedPem`] and
/// [`ForwardedError::TrailingData`] after a PEM block they count in the percent-decoded text.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardedError {
    /// Base64 that is not canonical standard base64 (RFC 4648 §4).
    Base64 {
        /// The header.
        header: String,
        /// Offset of the first offending byte.
        position: usize,
    },
    /// A decoded certificate is not a valid X.509 certificate.
    Certificate {
        /// The header it came from.
        header: String,
        /// Which certificate.
        which: CertRole,
        /// Core's certificate error.
        error: Box<Error>,
    },
    /// More chain certificates than [`super::Limits::max_chain`].
    ChainTooLong {
        /// The header.
        header: String,
        /// The limit.
        limit: usize,
    },
    /// Cloudflare says a certificate was presented but did not forward it.
    CloudflareNotForwarded,
    /// The Cloudflare header is present although Cloudflare saw no client certificate.
    CloudflareNotPresented,
    /// Two headers that a proxy never sends together are both present.
    ConflictingHeaders {
        /// One header.
        first: &'static str,
        /// The other.
        second: &'static str,
    },
    /// A header that may appear once appeared more often (RFC 9110 §5.3 singleton).
    DuplicateHeader {
        /// The header.
        header: String,
        /// How many field lines carried it.
        count: usize,
    },
    /// The header is present with an empty value.
    EmptyValue {
        /// The header.
        header: String,
    },
    /// The value does not start with a PEM `CERTIFICATE` block.
    ExpectedPem {
        /// The header.
        header: String,
        /// Where the block was expected.
        position: usize,
    },
    /// A header that carries only the client certificate holds several.
    ExtraCertificates {
        /// The header.
        header: String,
    },
    /// Cloudflare's `certFingerprintSHA256` differs from the forwarded certificate's SHA-256.
    FingerprintHintMismatch {
        /// The fingerprint Cloudflare reported (truncated to 64 bytes).
        hint: String,
        /// The forwarded certificate's SHA-256, lowercase hex.
        actual: String,
    },
    /// An XFCC `Hash` differs from the certificate's SHA-256.
    HashMismatch {
        /// The header.
        header: String,
        /// The `Hash` value (truncated to 64 bytes).
        hash: String,
        /// The certificate's SHA-256, lowercase hex.
        actual: String,
    },
    /// A configured header name is not an HTTP token.
    InvalidHeaderName {
        /// The rejected name (truncated to 64 bytes).
        name: String,
    },
    /// Not an RFC 8941 byte sequence (`:base64:`).
    NotByteSequence {
        /// The header.
        header: String,
        /// Offset of the offending byte.
        position: usize,
    },
    /// A malformed PEM block inside the (percent-decoded) value.
    Pem {
        /// The header.
        header: String,
        /// Offset in the decoded text.
        position: usize,
        /// What was wrong.
        problem: PemProblem,
    },
    /// `%` not followed by two hex digits.
    PercentEncoding {
        /// The header.
        header: String,
        /// Offset of the `%`.
        position: usize,
    },
    /// The header (all its field lines together) exceeds [`super::Limits::max_header_bytes`].
    TooLarge {
        /// The header.
        header: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// Data after the value's end.
    TrailingData {
        /// The header.
        header: String,
        /// Offset of the first unexpected byte.
        position: usize,
    },
    /// A separate chain value was given for a source whose chain is not a separate header.
    UnexpectedChain {
        /// The source's name.
        source: &'static str,
    },
    /// A source name that is not one of the known proxies.
    UnknownSource {
        /// The rejected name (truncated to 64 bytes).
        name: String,
    },
    /// `x-forwarded-client-cert` syntax error.
    Xfcc {
        /// Offset of the problem.
        position: usize,
        /// What was wrong.
        problem: XfccProblem,
    },
    /// An XFCC element's `Chain` does not start with its `Cert`.
    XfccChainMismatch {
        /// 1-based element number.
        element: usize,
    },
    /// An XFCC element with neither `Cert` nor `Chain`.
    XfccNoCert {
        /// 1-based element number.
        element: usize,
    },
    /// No XFCC element has the configured `By` value.
    XfccNoElement {
        /// The configured `By` value.
        by: String,
    },
}

impl fmt::Display for ForwardedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Base64 { header, position } => {
                write!(f, "header {header}: invalid base64 at byte {position}")
            }
            Self::Certificate {
                header,
                which,
                error,
            } => {
                write!(f, "header {header}: {which} does not parse: ")?;
                match error.as_ref() {
                    Error::CertificateDer { error, .. } => write!(f, "DER: {}", DerDisplay(error)),
                    Error::CertificateExtension {
                        extension,
                        reason: ExtensionProblem::Der(e),
                        ..
                    } => write!(f, "extension {extension} is malformed: {}", DerDisplay(e)),
                    Error::CertificateExtension { extension, .. } => {
                        write!(f, "extension {extension} appears twice")
                    }
                    other => other.fmt(f),
                }
            }
            Self::ChainTooLong { header, limit } => write!(
                f,
                "header {header}: more than {limit} chain certificates (the configured limit)"
            ),
            Self::CloudflareNotForwarded => f.write_str(
                "Cloudflare reports a client certificate (tlsClientAuth.certPresented) but header \
                 Cf-Client-Cert-Der-Base64 is absent: Cloudflare forwards it only on a connection's \
                 first request; use source rfc9440 with Client-Cert set from \
                 cf.tls_client_auth.cert_rfc9440",
            ),
            Self::CloudflareNotPresented => f.write_str(
                "header Cf-Client-Cert-Der-Base64 is present but Cloudflare reports no client \
                 certificate (tlsClientAuth.certPresented): the header did not come from \
                 Cloudflare and must be stripped",
            ),
            Self::ConflictingHeaders { first, second } => write!(
                f,
                "headers {first} and {second} are both present, but the proxy sends only one"
            ),
            Self::DuplicateHeader { header, count } => write!(
                f,
                "header {header} appears {count} times, but may appear only once"
            ),
            Self::EmptyValue { header } => write!(
                f,
                "header {header} is present but empty: the proxy must omit it when the client \
                 sent no certificate"
            ),
            Self::ExpectedPem { header, position } => write!(
                f,
                "header {header}: expected '-----BEGIN CERTIFICATE-----' at byte {position} of \
                 the decoded value"
            ),
            Self::ExtraCertificates { header } => write!(
                f,
                "header {header} must hold only the client certificate, but holds more than one"
            ),
            Self::FingerprintHintMismatch { hint, actual } => write!(
                f,
                "Cloudflare's certificate fingerprint {hint} does not match the SHA-256 {actual} \
                 of header Cf-Client-Cert-Der-Base64"
            ),
            Self::HashMismatch {
                header,
                hash,
                actual,
            } => write!(
                f,
                "header {header}: Hash {hash} does not match the certificate's SHA-256 {actual}"
            ),
            Self::InvalidHeaderName { name } => write!(
                f,
                "invalid header name {name:?}: expected an HTTP token such as X-SSL-Client-Cert"
            ),
            Self::NotByteSequence { header, position } => write!(
                f,
                "header {header}: expected an RFC 8941 byte sequence (':base64:') at byte {position}"
            ),
            Self::Pem {
                header,
                position,
                problem,
            } => {
                let what = match problem {
                    PemProblem::InvalidBase64 => "invalid base64",
                    PemProblem::InvalidPadding => "invalid base64 padding",
                    PemProblem::MissingEnd => "block without '-----END CERTIFICATE-----'",
                    PemProblem::Empty => "empty block",
                    _ => "malformed block",
                };
                write!(
                    f,
                    "header {header}: PEM {what} at byte {position} of the decoded value"
                )
            }
            Self::PercentEncoding { header, position } => write!(
                f,
                "header {header}: invalid percent-encoding at byte {position}: '%' must be \
                 followed by two hex digits"
            ),
            Self::TooLarge {
                header,
                size,
                limit,
            } => write!(
                f,
                "header {header} is {size} bytes, over the limit of {limit} bytes"
            ),
            Self::TrailingData { header, position } => {
                write!(f, "header {header}: unexpected data at byte {position}")
            }
            Self::UnexpectedChain { source } => write!(
                f,
                "source {source} carries the chain inside its own header: omit the separate \
                 chain value"
            ),
            Self::UnknownSource { name } => write!(
                f,
                "unknown certificate source {name:?}: expected rfc9440, cloudflare, envoy, \
                 nginx, aws-alb, traefik, haproxy or azure"
            ),
            Self::Xfcc { position, problem } => write!(
                f,
                "header x-forwarded-client-cert: {problem} at byte {position}"
            ),
            Self::XfccChainMismatch { element } => write!(
                f,
                "header x-forwarded-client-cert: element {element}: Chain does not start with \
                 the certificate in Cert"
            ),
            Self::XfccNoCert { element } => write!(
                f,
                "header x-forwarded-client-cert: element {element} has neither Cert nor Chain: \
                 configure Envoy's set_current_client_cert_details with cert: true"
            ),
            Self::XfccNoElement { by } => write!(
                f,
                "header x-forwarded-client-cert: no element has By={by}"
            ),
        }
    }
}

impl From<ForwardedError> for Error {
    fn from(e: ForwardedError) -> Self {
        Self::Forwarded(e)
    }
}

/// Truncates untrusted text quoted in an error to 64 bytes (on a character boundary).
pub(super) fn truncated(text: &str) -> String {
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    String::from(&text[..end])
}
