//! The crate's one error type.
//!
//! Every variant carries data, and its `Display` text says what was wrong and where, so an
//! adapter can show it to an operator unchanged. Mapping to HTTP / OAuth error codes is done in
//! one place for all front ends.

use core::fmt;

use crate::forwarded::ForwardedError;
use crate::pem::PemError;
use crate::token::TokenError;

/// Everything certbound-core can refuse.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A PEM bundle was malformed.
    Pem(PemError),
    /// A certificate's DER did not parse.
    CertificateDer {
        /// Position of the certificate in its bundle, 1-based (the leaf is 1).
        index: usize,
        /// What the DER decoder reported, with the byte offset.
        error: der::Error,
    },
    /// A certificate extension certbound interprets was malformed or repeated.
    CertificateExtension {
        /// Position of the certificate in its bundle, 1-based.
        index: usize,
        /// The extension's name (or dotted OID).
        extension: &'static str,
        /// What was wrong with it.
        reason: ExtensionProblem,
    },
    /// A client certificate forwarded in request headers was malformed.
    Forwarded(ForwardedError),
    /// The input held no certificate at all.
    NoCertificate,
    /// The input held more certificates than the configured limit.
    TooManyCertificates {
        /// The limit that was exceeded.
        limit: usize,
    },
    /// The input exceeded a size limit.
    TooLarge {
        /// What was too large ("certificate bundle", "token", …).
        what: &'static str,
        /// The limit in bytes.
        limit: usize,
        /// The actual size in bytes.
        actual: usize,
    },
    /// A time value could not be parsed or is out of range.
    InvalidTime {
        /// The offending text (truncated to 64 bytes).
        input: alloc::string::String,
    },
    /// Certificate path validation refused a chain (or a trust store could not be built).
    Path(crate::path::PathError),
    /// Mutual-TLS client authentication failed, or a client registration was invalid.
    ClientAuth(crate::client::ClientAuthError),
    /// An access token or its key set was refused.
    Token(TokenError),
    /// A request path was refused before any route decision
    /// ([`crate::token::resource::canonical_path`]).
    RequestPath(crate::token::resource::RequestPathError),
    /// A decision verified through [`crate::provider::Deferred`] needed more distinct signature
    /// checks than its limit (path building over too many candidate certificates).
    TooManySignatures {
        /// The limit that was exceeded.
        limit: usize,
    },
}

/// Why an extension was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExtensionProblem {
    /// The extension's value did not parse.
    Der(der::Error),
    /// The extension occurs more than once (RFC 5280 §4.2).
    Duplicate,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => e.fmt(f),
            Self::CertificateDer { index, error } => {
                write!(f, "certificate {index}: DER: {}", DerDisplay(error))
            }
            Self::CertificateExtension {
                index,
                extension,
                reason,
            } => match reason {
                ExtensionProblem::Der(e) => write!(
                    f,
                    "certificate {index}: extension {extension} is malformed: {}",
                    DerDisplay(e)
                ),
                ExtensionProblem::Duplicate => {
                    write!(f, "certificate {index}: extension {extension} appears twice")
                }
            },
            Self::Forwarded(e) => e.fmt(f),
            Self::NoCertificate => f.write_str(
                "no certificate found: expected DER, or PEM with a '-----BEGIN CERTIFICATE-----' block",
            ),
            Self::TooManyCertificates { limit } => {
                write!(f, "too many certificates: at most {limit} are accepted")
            }
            Self::TooLarge {
                what,
                limit,
                actual,
            } => write!(f, "{what} is {actual} bytes, over the limit of {limit} bytes"),
            Self::InvalidTime { input } => write!(
                f,
                "invalid time {input:?}: expected RFC 3339 (2024-05-01T12:00:00Z) or UNIX seconds"
            ),
            Self::Path(e) => e.fmt(f),
            Self::ClientAuth(e) => e.fmt(f),
            Self::Token(e) => e.fmt(f),
            Self::RequestPath(e) => e.fmt(f),
            Self::TooManySignatures { limit } => write!(
                f,
                "more than {limit} signatures to verify for one decision: too many candidate certificates"
            ),
        }
    }
}

impl core::error::Error for Error {}

impl From<PemError> for Error {
    fn from(e: PemError) -> Self {
        Self::Pem(e)
    }
}

/// Renders a `der::Error` as "unexpected tag … at byte 37".
pub(crate) struct DerDisplay<'a>(pub(crate) &'a der::Error);

impl fmt::Display for DerDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.kind())?;
        if let Some(pos) = self.0.position() {
            write!(f, " at byte {}", u32::from(pos))?;
        }
        Ok(())
    }
}
