//! Cases as requests to adapters that cannot take a corpus case as is: the page's wasm API
//! (a bundle to inspect, one forwarded header value). Deciding which cases an adapter can run
//! and with what input happens here, once, in Rust; the JS runners only call the adapter.

use base64ct::{Base64, Encoding};
use certbound_core::forwarded::CertSource;
use serde::{Deserialize, Serialize};

use super::forwarded::{self, Input as ForwardedInput};
use super::inspect::Input as InspectInput;
use super::{Case, Files, Harness, Kind, input};

/// One adapter call for one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "api", rename_all = "snake_case")]
pub enum AdapterRequest {
    /// Inspect a PEM or DER bundle at `time`.
    Bundle {
        /// Case id.
        id: String,
        /// UNIX seconds.
        time: u64,
        /// The bundle, standard base64.
        bundle_b64: String,
    },
    /// Decode one forwarded header value (and, for `rfc9440`, the chain value).
    Header {
        /// Case id.
        id: String,
        /// UNIX seconds.
        time: u64,
        /// Core's source name.
        source: String,
        /// The certificate header's value.
        value: String,
        /// `Client-Cert-Chain`, for `rfc9440`.
        chain_value: Option<String>,
    },
    /// The adapter's API cannot express this case.
    NotApplicable {
        /// Case id.
        id: String,
        /// Why.
        reason: String,
    },
}

/// The page's requests for every case (inspect and forwarded kinds; the others are
/// [`AdapterRequest::NotApplicable`]).
pub fn page_requests(cases: &[Case], files: &Files) -> Vec<AdapterRequest> {
    cases
        .iter()
        .map(|c| {
            page_request(c, files).unwrap_or_else(|Harness(reason)| AdapterRequest::NotApplicable {
                id: c.id.clone(),
                reason,
            })
        })
        .collect()
}

fn na(reason: &str) -> Harness {
    Harness(reason.to_owned())
}

fn page_request(c: &Case, files: &Files) -> Result<AdapterRequest, Harness> {
    match c.kind {
        Kind::Inspect => {
            let i: InspectInput = input(c)?;
            Ok(AdapterRequest::Bundle {
                id: c.id.clone(),
                time: c.time,
                bundle_b64: Base64::encode_string(&i.cert.bytes(files).map_err(Harness)?),
            })
        }
        Kind::Forwarded => {
            let i: ForwardedInput = input(c)?;
            if i.cloudflare_hints.is_some() || i.limits.is_some() {
                return Err(na("the page API takes no Cloudflare hints or limits"));
            }
            let source: CertSource = i
                .source
                .parse()
                .map_err(|_| na("an unknown source has no header to give the page"))?;
            let names = source.header_names();
            let primary = names.first().copied().unwrap_or_default();
            let chain_name = matches!(source, CertSource::Rfc9440).then_some("Client-Cert-Chain");
            let (mut value, mut chain) = (None, None);
            for (name, v) in &i.headers {
                let slot = if name.eq_ignore_ascii_case(primary) {
                    &mut value
                } else if chain_name.is_some_and(|c| name.eq_ignore_ascii_case(c)) {
                    &mut chain
                } else {
                    return Err(na("other headers: the page API takes one header value"));
                };
                if slot.is_some() {
                    return Err(na("a repeated header: the page API takes one value"));
                }
                *slot = Some(forwarded::value(v, files).map_err(Harness)?);
            }
            let value = value.ok_or_else(|| na("no certificate header: nothing to paste"))?;
            Ok(AdapterRequest::Header {
                id: c.id.clone(),
                time: c.time,
                source: i.source,
                value,
                chain_value: chain,
            })
        }
        _ => Err(na("the page has no API for this kind yet")),
    }
}
