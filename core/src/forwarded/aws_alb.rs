//! AWS Application Load Balancer mutual TLS.
//!
//! Passthrough mode sends `X-Amzn-Mtls-Clientcert`: the client's whole chain, leaf first.
//! Verify mode sends `X-Amzn-Mtls-Clientcert-Leaf`: the leaf only. Both are URL-encoded PEM in
//! which `+`, `=` and `/` stay literal, so the value is percent-decoded and never form-decoded
//! (a `+` is base64, not a space).

use super::{
    ALB_CHAIN, ALB_LEAF, ForwardedCert, ForwardedError, Headers, Limits, build, build_bundle,
    pem_bundle, pem_leaf, single,
};
use crate::Error;

pub(super) fn decode<H: Headers + ?Sized>(
    headers: &H,
    limits: &Limits,
) -> Result<Option<ForwardedCert>, Error> {
    let chain = single(headers, ALB_CHAIN, limits)?;
    let leaf = single(headers, ALB_LEAF, limits)?;
    match (chain, leaf) {
        (Some(_), Some(_)) => Err(ForwardedError::ConflictingHeaders {
            first: ALB_CHAIN,
            second: ALB_LEAF,
        }
        .into()),
        (Some(value), None) => from_value(ALB_CHAIN, value, limits).map(Some),
        (None, Some(value)) => from_value(ALB_LEAF, value, limits).map(Some),
        (None, None) => Ok(None),
    }
}

pub(super) fn from_value(
    header: &str,
    value: &str,
    limits: &Limits,
) -> Result<ForwardedCert, Error> {
    if header == ALB_LEAF {
        let leaf = pem_leaf(header, value)?;
        build(header, leaf, header, alloc::vec::Vec::new())
    } else {
        build_bundle(header, pem_bundle(header, value, limits)?)
    }
}
