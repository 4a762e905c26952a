//! nginx: `proxy_set_header X-SSL-Client-Cert $ssl_client_escaped_cert;`.
//!
//! `$ssl_client_escaped_cert` is the leaf as URL-encoded PEM. The deprecated `$ssl_client_cert`
//! is raw PEM whose continuation lines start with a tab (obsolete line folding); after an HTTP
//! stack unfolds it, line breaks may have become spaces. Percent-decoding leaves that form
//! unchanged (PEM holds no `%`), and header-form PEM ignores whitespace inside a block, so both
//! forms take the same path.

use super::{ForwardedCert, build, pem_leaf};
use crate::Error;

pub(super) fn from_value(header: &str, value: &str) -> Result<ForwardedCert, Error> {
    let leaf = pem_leaf(header, value)?;
    build(header, leaf, header, alloc::vec::Vec::new())
}
