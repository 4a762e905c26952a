//! `path` cases: leaf + untrusted intermediates → `path::verify_chain` against a trust store.
//!
//! ```text
//! input:  {"leaf": Data, "intermediates": [Data, …], "anchors": Data (PEM bundle),
//!          "purpose"?: "client_auth" | "server_auth"}
//! detail: {"chain": [x5t#S256 leaf → anchor], "anchor_subject": "CN=…"}
//! ```

use certbound_core::path::{Purpose, TrustStore, VerifyOptions, verify_chain_with_provider};
use certbound_core::provider::CryptoProvider;
use certbound_core::{Certificate, Error, UnixTime};
use serde::Deserialize;
use serde_json::json;

use super::{Case, Data, Files, Harness, Verdict, input};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Input {
    pub(crate) leaf: Data,
    #[serde(default)]
    pub(crate) intermediates: Vec<Data>,
    pub(crate) anchors: Data,
    #[serde(default)]
    pub(crate) purpose: Option<String>,
}

/// One certificate (the first of a bundle).
pub(crate) fn certificate(d: &Data, files: &Files) -> Result<Result<Certificate, Error>, Harness> {
    let bytes = d.bytes(files).map_err(Harness)?;
    Ok(
        certbound_core::cert::parse_bundle(&bytes).and_then(|mut v| {
            if v.is_empty() {
                Err(Error::NoCertificate)
            } else {
                Ok(v.swap_remove(0))
            }
        }),
    )
}

/// Every certificate of several data items, in order.
pub(crate) fn certificates(
    ds: &[Data],
    files: &Files,
) -> Result<Result<Vec<Certificate>, Error>, Harness> {
    let mut out = Vec::new();
    for d in ds {
        match certificate(d, files)? {
            Ok(c) => out.push(c),
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(Ok(out))
}

pub(super) fn evaluate(
    case: &Case,
    files: &Files,
    now: UnixTime,
    provider: &dyn CryptoProvider,
) -> Result<Verdict, Harness> {
    let i: Input = input(case)?;
    let purpose = match i.purpose.as_deref() {
        None | Some("client_auth") => Purpose::ClientAuth,
        Some("server_auth") => Purpose::ServerAuth,
        Some(other) => return Err(Harness(format!("unknown purpose {other:?}"))),
    };
    let anchors = i.anchors.bytes(files).map_err(Harness)?;
    let leaf = certificate(&i.leaf, files)?;
    let chain = certificates(&i.intermediates, files)?;
    let result = TrustStore::from_pem(&anchors).and_then(|trust| {
        let options = VerifyOptions::new(purpose);
        verify_chain_with_provider(&trust, &leaf?, &chain?, now, &options, provider)
    });
    Ok(match result {
        Ok(p) => Verdict::accept(json!({
            "chain": p.chain().iter().map(ToString::to_string).collect::<Vec<_>>(),
            "anchor_subject": p.anchor_subject(),
        })),
        Err(e) => Verdict::refuse(&e),
    })
}
