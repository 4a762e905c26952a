//! Traefik `passTLSClientCert` with `pem: true`: `X-Forwarded-Tls-Client-Cert`.
//!
//! Each certificate is PEM stripped of its armour and line breaks (that is, base64 DER), leaf
//! first, joined by `,`. Older Traefik versions URL-escaped the whole value (`%2C`, `%2B`,
//! `%2F`, `%3D`); base64 never contains `%`, so a `%` identifies that variant without guessing.

use alloc::vec::Vec;

use super::{ForwardedCert, ForwardedError, Limits, build_bundle, encoding};
use crate::Error;

pub(super) fn from_value(
    header: &str,
    value: &str,
    limits: &Limits,
) -> Result<ForwardedCert, Error> {
    let decoded;
    let text: &[u8] = if value.contains('%') {
        decoded = encoding::percent_decode(header, value)?;
        &decoded
    } else {
        value.as_bytes()
    };
    let mut ders = Vec::new();
    let mut start = 0;
    for piece in text.split(|&c| c == b',') {
        if ders.len() > limits.max_chain() {
            return Err(ForwardedError::ChainTooLong {
                header: header.into(),
                limit: limits.max_chain(),
            }
            .into());
        }
        let lead = piece
            .iter()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        let trimmed = piece.get(lead..).unwrap_or_default();
        let tail = trimmed
            .iter()
            .rev()
            .take_while(|&&c| c == b' ' || c == b'\t')
            .count();
        let trimmed = trimmed.get(..trimmed.len() - tail).unwrap_or_default();
        ders.push(encoding::base64(header, trimmed, start + lead, false)?);
        start += piece.len() + 1;
    }
    build_bundle(header, ders)
}
