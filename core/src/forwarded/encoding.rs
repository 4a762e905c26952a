//! The encodings proxies wrap certificates in: percent-encoding, base64 and header-form PEM.
//!
//! Header-form PEM differs from a PEM file (read by [`crate::pem`]): once percent-decoded or
//! unfolded by an HTTP stack, the line breaks may be gone or turned into spaces, so blocks are
//! found by their markers and all whitespace inside a block is ignored.

use alloc::string::String;
use alloc::vec::Vec;

use base64ct::{Base64, Base64Unpadded, Encoding};

use super::ForwardedError;
use crate::pem::PemProblem;

const BEGIN: &[u8] = b"-----BEGIN CERTIFICATE-----";
const END: &[u8] = b"-----END CERTIFICATE-----";

/// Percent-decodes (RFC 3986 §2.1) without form decoding: `+` stays `+`.
pub(super) fn percent_decode(header: &str, value: &str) -> Result<Vec<u8>, ForwardedError> {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).and_then(|&c| char::from(c).to_digit(16));
            let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                return Err(ForwardedError::PercentEncoding {
                    header: String::from(header),
                    position: i,
                });
            };
            // Both digits are < 16, so the value fits a byte.
            out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    Ok(out)
}

fn is_base64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// Strict standard base64 (RFC 4648 §4) to bytes; `offset` is added to reported positions.
/// With `padding_optional`, the `=` padding may be omitted (RFC 8941 §3.3.5 asks parsers to
/// accept that); when present it must be correct either way.
pub(super) fn base64(
    header: &str,
    text: &[u8],
    offset: usize,
    padding_optional: bool,
) -> Result<Vec<u8>, ForwardedError> {
    let err = |position: usize| ForwardedError::Base64 {
        header: String::from(header),
        position: offset + position,
    };
    let body_len = text.iter().rposition(|&c| c != b'=').map_or(0, |p| p + 1);
    if body_len == 0 {
        return Err(err(0));
    }
    if let Some(bad) = text.iter().take(body_len).position(|&c| !is_base64(c)) {
        return Err(err(bad));
    }
    let padding = text.len() - body_len;
    let padded_ok = text.len() % 4 == 0 && padding <= 2;
    let unpadded_ok = padding == 0 && padding_optional;
    if body_len % 4 == 1 || !(padded_ok || unpadded_ok) {
        return Err(err(body_len));
    }
    // The alphabet was checked above, so only non-canonical trailing bits fail here.
    let body =
        core::str::from_utf8(text.get(..body_len).unwrap_or_default()).map_err(|_| err(0))?;
    Base64Unpadded::decode_vec(body).map_err(|_| err(body_len - 1))
}

fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Reads the PEM `CERTIFICATE` blocks of a decoded header value, allowing at most `max`.
///
/// Only whitespace may surround blocks. `Err(None)` from the inner step means "more than `max`";
/// callers turn that into the error fitting their header.
pub(super) fn pem_certificates(
    header: &str,
    text: &[u8],
    max: usize,
) -> Result<Vec<Vec<u8>>, PemLimit> {
    let err = |position, problem| ForwardedError::Pem {
        header: String::from(header),
        position,
        problem,
    };
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        pos += text
            .get(pos..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| is_space(c))
            .count();
        let rest = text.get(pos..).unwrap_or_default();
        if rest.is_empty() && !out.is_empty() {
            return Ok(out);
        }
        if !rest.starts_with(BEGIN) {
            let header = String::from(header);
            return Err(PemLimit::Error(if out.is_empty() {
                ForwardedError::ExpectedPem {
                    header,
                    position: pos,
                }
            } else {
                ForwardedError::TrailingData {
                    header,
                    position: pos,
                }
            }));
        }
        if out.len() == max {
            return Err(PemLimit::TooMany);
        }
        let body_start = pos + BEGIN.len();
        let after_begin = text.get(body_start..).unwrap_or_default();
        let Some(body_len) = find(after_begin, END) else {
            return Err(err(pos, PemProblem::MissingEnd).into());
        };
        let body = after_begin.get(..body_len).unwrap_or_default();
        let mut b64 = String::with_capacity(body_len);
        let mut seen_pad = false;
        for (i, &c) in body.iter().enumerate() {
            if is_space(c) {
                continue;
            }
            let at = body_start + i;
            if c == b'=' {
                seen_pad = true;
            } else if !is_base64(c) {
                return Err(err(at, PemProblem::InvalidBase64).into());
            } else if seen_pad {
                return Err(err(at, PemProblem::InvalidPadding).into());
            }
            b64.push(char::from(c));
        }
        if b64.is_empty() {
            return Err(err(pos, PemProblem::Empty).into());
        }
        let der =
            Base64::decode_vec(&b64).map_err(|_| err(body_start, PemProblem::InvalidPadding))?;
        out.push(der);
        pos = body_start + body_len + END.len();
    }
}

/// Outcome of [`pem_certificates`] when it does not succeed.
#[derive(Debug)]
pub(super) enum PemLimit {
    /// A positioned problem.
    Error(ForwardedError),
    /// More than the allowed number of certificates.
    TooMany,
}

impl From<ForwardedError> for PemLimit {
    fn from(e: ForwardedError) -> Self {
        Self::Error(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: percent-decoding keeps '+' literal and positions the first bad escape.
    #[test]
    fn percent_decoding_is_not_form_decoding() {
        assert_eq!(percent_decode("h", "a+b%2Bc%2f%0A").unwrap(), b"a+b+c/\n");
        assert_eq!(
            percent_decode("h", "ab%2").unwrap_err(),
            ForwardedError::PercentEncoding {
                header: "h".into(),
                position: 2
            }
        );
        assert!(percent_decode("h", "%zz").is_err());
        assert!(percent_decode("h", "%é1").is_err());
    }

    // Intent: base64 is strict (alphabet, padding, canonical bits) with positioned errors.
    #[test]
    fn strict_base64() {
        assert_eq!(base64("h", b"AAE=", 0, false).unwrap(), [0, 1]);
        assert_eq!(base64("h", b"AAE", 0, true).unwrap(), [0, 1]);
        let pos = |t: &[u8], opt| match base64("h", t, 10, opt).unwrap_err() {
            ForwardedError::Base64 { position, .. } => position,
            e => panic!("{e:?}"),
        };
        assert_eq!(pos(b"AAE", false), 13);
        assert_eq!(pos(b"AA-E", false), 12);
        assert_eq!(pos(b"AAF=", false), 12); // non-zero trailing bits
        assert_eq!(pos(b"A===", false), 11);
        assert_eq!(pos(b"====", false), 10);
        assert_eq!(pos(b"AA=A", false), 12);
    }
}
