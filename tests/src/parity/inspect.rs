//! `inspect` cases: a PEM or DER bundle → `parse_bundle` → every certificate's `summary()`.
//!
//! ```text
//! input:  {"cert": Data}
//! detail: [{"summary": CertificateSummary, "valid_at_time": bool}, …]
//! ```

use certbound_core::UnixTime;
use certbound_core::cert::parse_bundle;
use serde::Deserialize;
use serde_json::json;

use super::{Case, Data, Files, Harness, Verdict, input};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Input {
    pub(crate) cert: Data,
}

pub(super) fn evaluate(case: &Case, files: &Files, now: UnixTime) -> Result<Verdict, Harness> {
    let i: Input = input(case)?;
    let bytes = i.cert.bytes(files).map_err(Harness)?;
    Ok(match parse_bundle(&bytes) {
        Ok(certs) => Verdict::accept(
            certs
                .iter()
                .map(|c| json!({"summary": c.summary(), "valid_at_time": c.is_valid_at(now)}))
                .collect(),
        ),
        Err(e) => Verdict::refuse(&e),
    })
}
