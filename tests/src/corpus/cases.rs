//! The corpus cases, one module per kind.

mod client;
mod forwarded;
mod inspect;
mod path;
mod token;

use super::Gen;
use super::pki::Pki;

/// The RFC 9440 Appendix A leaf, intermediate and root `x5t#S256`, as published in
/// `../shared/conformance/rfc-examples/README.md` ("Derived facts").
pub(crate) const RFC9440_LEAF_X5T: &str = "v68ffgcPn6jdYpBfFY2nP4ShE2Yk-6_Mk5PI9yh6aes";
pub(crate) const RFC9440_INTER_X5T: &str = "6H31tD6_m4nKKyu_MaTnrVpA1ATPuy_MGkA8JlEoWtw";
pub(crate) const RFC9440_ROOT_X5T: &str = "QjrpXcQc0m2pAhrU5jibqnfghYYHY1qwhekeXR2Ue4M";
/// RFC 8705 Appendix A's certificate thumbprint (the RFC's own example value).
pub(crate) const RFC8705_X5T: &str = "A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0";
/// A time at which the RFC 9440 example chain is valid (2020-05-20T18:40:00Z).
pub(crate) const RFC9440_TIME: u64 = 1_590_000_000;

pub(crate) fn all(g: &mut Gen, p: &Pki) {
    inspect::cases(g, p);
    forwarded::cases(g, p);
    path::cases(g, p);
    client::cases(g, p);
    token::cases(g, p);
}

/// `{"file": name}`.
pub(crate) fn file(name: &str) -> serde_json::Value {
    serde_json::json!({ "file": name })
}

/// `{"file": "shared:rfc-examples/<name>"}`.
pub(crate) fn shared(name: &str) -> serde_json::Value {
    file(&format!("shared:rfc-examples/{name}"))
}

/// `{"b64": …}`.
pub(crate) fn b64(bytes: &[u8]) -> serde_json::Value {
    use base64ct::{Base64, Encoding};
    serde_json::json!({ "b64": Base64::encode_string(bytes) })
}
