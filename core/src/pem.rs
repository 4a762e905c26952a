//! Reading certificates from PEM (one or many blocks) or DER, with positioned errors.
//!
//! PEM reading is tolerant the way `openssl` is: text before, between and after blocks is
//! ignored, CRLF and LF line ends are both accepted, and blocks with other labels (a private
//! key, say) are skipped. Inside a `CERTIFICATE` block it is strict: only base64 lines, correct
//! padding, and a matching `END` line.

use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64, Encoding};

use crate::Error;

/// Largest bundle certbound reads (PEM or DER): 1 MiB. A chain of ten large RSA certificates is
/// under 30 KiB; anything near this limit is not a certificate bundle.
pub const MAX_BUNDLE_BYTES: usize = 1024 * 1024;

/// Most certificates read from one bundle (trust stores may legitimately hold hundreds).
pub const MAX_BUNDLE_CERTIFICATES: usize = 1000;

/// The labels accepted as certificates.
const CERT_LABELS: [&str; 2] = ["CERTIFICATE", "X509 CERTIFICATE"];

/// A PEM problem, with the 1-based block number (counting certificate blocks) and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PemError {
    /// 1-based number of the certificate block.
    pub block: usize,
    /// 1-based line number in the input.
    pub line: usize,
    /// What went wrong.
    pub problem: PemProblem,
}

/// What went wrong in a PEM block.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PemProblem {
    /// A character outside the base64 alphabet.
    InvalidBase64,
    /// Padding in the wrong place, or a length that is not a multiple of 4.
    InvalidPadding,
    /// The block has no `-----END CERTIFICATE-----` line.
    MissingEnd,
    /// The block's body is empty.
    Empty,
    /// RFC 1421 headers (`Proc-Type:`) are not allowed in certificate blocks.
    Headers,
}

impl fmt::Display for PemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.problem {
            PemProblem::InvalidBase64 => "base64 invalid",
            PemProblem::InvalidPadding => "base64 padding invalid",
            PemProblem::MissingEnd => "no matching -----END CERTIFICATE----- line after",
            PemProblem::Empty => "empty block",
            PemProblem::Headers => "unexpected header line",
        };
        write!(f, "PEM block {}: {what} at line {}", self.block, self.line)
    }
}

/// Does this input look like PEM text (rather than DER)?
pub fn is_pem(input: &[u8]) -> bool {
    find(input, b"-----BEGIN ").is_some()
}

/// Reads every certificate in `input` — PEM (any number of blocks) or DER (one or more
/// concatenated certificates) — into DER byte strings, in order.
///
/// # Errors
/// [`Error::Pem`] with block and line, [`Error::NoCertificate`], [`Error::TooLarge`],
/// [`Error::TooManyCertificates`], or [`Error::CertificateDer`] when DER framing is broken.
pub fn read_bundle(input: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    if input.len() > MAX_BUNDLE_BYTES {
        return Err(Error::TooLarge {
            what: "certificate bundle",
            limit: MAX_BUNDLE_BYTES,
            actual: input.len(),
        });
    }
    let out = if is_pem(input) {
        read_pem(input)?
    } else {
        split_der(input)?
    };
    if out.is_empty() {
        return Err(Error::NoCertificate);
    }
    Ok(out)
}

fn read_pem(input: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let mut out = Vec::new();
    let mut lines = input.split(|&b| b == b'\n').enumerate();
    while let Some((idx, raw)) = lines.next() {
        let line = trim(raw);
        let Some(label) = line
            .strip_prefix(b"-----BEGIN ")
            .and_then(|l| l.strip_suffix(b"-----"))
        else {
            continue;
        };
        let is_cert = CERT_LABELS.iter().any(|l| l.as_bytes() == label);
        if is_cert && out.len() >= MAX_BUNDLE_CERTIFICATES {
            return Err(Error::TooManyCertificates {
                limit: MAX_BUNDLE_CERTIFICATES,
            });
        }
        let block = out.len() + 1;
        let begin_line = idx + 1;
        let mut b64: Vec<u8> = Vec::new();
        let mut ended = false;
        let mut seen_pad = false;
        for (idx, raw) in lines.by_ref() {
            let line = trim(raw);
            if let Some(end) = line
                .strip_prefix(b"-----END ")
                .and_then(|l| l.strip_suffix(b"-----"))
            {
                if end == label {
                    ended = true;
                    break;
                }
            }
            if !is_cert {
                continue;
            }
            let err = |problem| {
                Error::Pem(PemError {
                    block,
                    line: idx + 1,
                    problem,
                })
            };
            if line.is_empty() {
                continue;
            }
            if line.contains(&b':') {
                return Err(err(PemProblem::Headers));
            }
            for &c in line {
                match c {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if !seen_pad => {}
                    b'=' => seen_pad = true,
                    b' ' | b'\t' => {}
                    _ if seen_pad && c != b'=' => return Err(err(PemProblem::InvalidPadding)),
                    _ => return Err(err(PemProblem::InvalidBase64)),
                }
                if c != b' ' && c != b'\t' {
                    b64.push(c);
                }
            }
        }
        if !is_cert {
            continue;
        }
        if !ended {
            return Err(Error::Pem(PemError {
                block,
                line: begin_line,
                problem: PemProblem::MissingEnd,
            }));
        }
        if b64.is_empty() {
            return Err(Error::Pem(PemError {
                block,
                line: begin_line,
                problem: PemProblem::Empty,
            }));
        }
        let der =
            Base64::decode_vec(core::str::from_utf8(&b64).unwrap_or_default()).map_err(|_| {
                Error::Pem(PemError {
                    block,
                    line: begin_line,
                    problem: PemProblem::InvalidPadding,
                })
            })?;
        out.push(der);
    }
    Ok(out)
}

/// Splits concatenated DER certificates by their outer SEQUENCE length.
fn split_der(mut input: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    use der::{Decode, Header, Reader, SliceReader};
    let mut out = Vec::new();
    let mut offset = 0usize;
    while !input.is_empty() {
        let index = out.len() + 1;
        if out.len() >= MAX_BUNDLE_CERTIFICATES {
            return Err(Error::TooManyCertificates {
                limit: MAX_BUNDLE_CERTIFICATES,
            });
        }
        let at = |e: der::Error| Error::CertificateDer { index, error: e };
        let mut reader = SliceReader::new(input).map_err(at)?;
        let header = Header::decode(&mut reader).map_err(at)?;
        let total = usize::try_from((reader.position() + header.length).map_err(at)?)
            .map_err(|_| at(der::ErrorKind::Overflow.into()))?;
        if total > input.len() {
            return Err(at(der::Error::new(
                der::ErrorKind::Incomplete {
                    expected_len: header.length,
                    actual_len: der::Length::try_from(input.len()).unwrap_or(der::Length::ZERO),
                },
                der::Length::try_from(offset).unwrap_or(der::Length::ZERO),
            )));
        }
        out.push(input[..total].to_vec());
        input = &input[total..];
        offset += total;
    }
    Ok(out)
}

fn trim(line: &[u8]) -> &[u8] {
    let start = line
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(line.len());
    let end = line
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &line[start..end]
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Encodes DER as a PEM `CERTIFICATE` block with 64-column lines and LF line ends.
pub fn encode_certificate(der: &[u8]) -> alloc::string::String {
    let b64 = Base64::encode_string(der);
    let mut s = alloc::string::String::with_capacity(b64.len() + b64.len() / 64 + 60);
    s.push_str("-----BEGIN CERTIFICATE-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        s.push_str(core::str::from_utf8(chunk).unwrap_or_default());
        s.push('\n');
    }
    s.push_str("-----END CERTIFICATE-----\n");
    s
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    const BODY: &str = "MIIBBjCBrAIBAjAKBggqhkjOPQQDAjAPMQ0wCwYDVQQDDARtdGxzMB4XDTE4MTAx\nODEyMzcwOVoXDTIyMDUwMjEyMzcwOVowDzENMAsGA1UEAwwEbXRsczBZMBMGByqG\nSM49AgEGCCqGSM49AwEHA0IABNcnyxwqV6hY8QnhxxzFQ03C7HKW9OylMbnQZjjJ\n/Au08/coZwxS7LfA4vOLS9WuneIXhbGGWvsDSb0tH6IxLm8wCgYIKoZIzj0EAwID\nSQAwRgIhAP0RC1E+vwJD/D1AGHGzuri+hlV/PpQEKTWUVeORWz83AiEA5x2eXZOV\nbUlJSGQgjwD5vaUaKlLR50Q2DmFfQj1L+SY=\n";

    fn block(body: &str) -> alloc::string::String {
        alloc::format!("-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n")
    }

    // Intent: surrounding text, CRLF and non-certificate blocks are tolerated as openssl does.
    #[test]
    fn tolerant_outside_blocks() {
        let text = alloc::format!(
            "subject=CN = mtls\r\n{}\r\n-----BEGIN PRIVATE KEY-----\r\nAAAA\r\n-----END PRIVATE KEY-----\r\n{}trailing",
            block(BODY).replace('\n', "\r\n"),
            block(BODY)
        );
        let certs = read_bundle(text.as_bytes()).unwrap();
        assert_eq!(certs.len(), 2);
        assert_eq!(certs[0], certs[1]);
        // DER round trip: the decoded bytes read back as DER.
        assert_eq!(read_bundle(&certs[0]).unwrap(), [certs[0].clone()]);
        let two = [certs[0].clone(), certs[0].clone()].concat();
        assert_eq!(read_bundle(&two).unwrap().len(), 2);
    }

    // Intent: errors name the block and the line.
    #[test]
    fn positioned_errors() {
        let bad = alloc::format!("{}{}", block(BODY), block(&BODY.replace("ODEy", "OD!y")));
        assert_eq!(
            read_bundle(bad.as_bytes()).unwrap_err().to_string(),
            "PEM block 2: base64 invalid at line 11"
        );
        let unterminated = "-----BEGIN CERTIFICATE-----\nAAAA\n";
        assert_eq!(
            read_bundle(unterminated.as_bytes())
                .unwrap_err()
                .to_string(),
            "PEM block 1: no matching -----END CERTIFICATE----- line after at line 1"
        );
        let pad = block("AAA=AAAA\n");
        assert_eq!(
            read_bundle(pad.as_bytes()).unwrap_err().to_string(),
            "PEM block 1: base64 padding invalid at line 2"
        );
        assert!(matches!(
            read_bundle(b"hello").unwrap_err(),
            Error::CertificateDer { index: 1, .. }
        ));
        assert_eq!(
            read_bundle(b"just text, -----BEGIN X-----\n-----END X-----").unwrap_err(),
            Error::NoCertificate
        );
    }
}
