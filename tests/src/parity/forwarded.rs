//! `forwarded` cases: request headers of one proxy → `forwarded::decode` (or
//! `decode_cloudflare` with hints).
//!
//! ```text
//! input:  {"source": "envoy:by=…", "headers": [[name, Value], …],
//!          "cloudflare_hints"?: {"presented": bool, "verified"?: bool, "fingerprint"?: hex},
//!          "limits"?: {"max_header_bytes": n, "max_chain": n}}
//! Value:  Data, or {"file": "shared:…", "encode": "rfc9440_first" | "rfc9440_rest" | "base64_first"}
//!         (header values built from a shared PEM file, which is never copied)
//! detail: {"present": false} | {"present": true, "leaf": x5t#S256, "chain": [x5t#S256, …]}
//! oauth:  a refusal's RFC 6750 answer (status, invalid_token, WWW-Authenticate, realm "parity")
//! ```

use base64ct::{Base64, Encoding};
use certbound_core::forwarded::{
    CertSource, CloudflareHints, ForwardedCert, Limits, decode, decode_cloudflare,
};
use certbound_core::oauth::BearerError;
use serde::Deserialize;
use serde_json::json;

use super::{Case, Data, Files, Harness, Verdict, input};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Input {
    pub(crate) source: String,
    pub(crate) headers: Vec<(String, Value)>,
    #[serde(default)]
    pub(crate) cloudflare_hints: Option<Hints>,
    #[serde(default)]
    pub(crate) limits: Option<LimitsInput>,
}

#[derive(Deserialize)]
#[serde(untagged)]
pub(crate) enum Value {
    Encoded { file: String, encode: Encode },
    Data(Data),
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Encode {
    Base64First,
    Rfc9440First,
    Rfc9440Rest,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Hints {
    presented: bool,
    #[serde(default)]
    verified: Option<bool>,
    #[serde(default)]
    fingerprint: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitsInput {
    max_header_bytes: usize,
    max_chain: usize,
}

/// The DER certificates of a PEM file, decoded here (not by core: this is input preparation).
pub(crate) fn pem_ders(text: &str) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    let mut body: Option<String> = None;
    for line in text.lines() {
        let line = line.trim();
        if line == "-----BEGIN CERTIFICATE-----" {
            body = Some(String::new());
        } else if line == "-----END CERTIFICATE-----" {
            let b = body.take().ok_or("END without BEGIN")?;
            out.push(Base64::decode_vec(&b).map_err(|e| format!("PEM body: {e}"))?);
        } else if let Some(b) = body.as_mut() {
            b.push_str(line);
        }
    }
    Ok(out)
}

pub(crate) fn value(v: &Value, files: &Files) -> Result<String, String> {
    match v {
        Value::Data(d) => d.text(files),
        Value::Encoded { file, encode } => {
            let ders = pem_ders(&Data::file(file).text(files)?)?;
            let (first, rest) = ders.split_first().ok_or("no certificate in file")?;
            let sf = |d: &Vec<u8>| format!(":{}:", Base64::encode_string(d));
            Ok(match encode {
                Encode::Base64First => Base64::encode_string(first),
                Encode::Rfc9440First => sf(first),
                Encode::Rfc9440Rest => rest.iter().map(sf).collect::<Vec<_>>().join(", "),
            })
        }
    }
}

pub(super) fn evaluate(case: &Case, files: &Files) -> Result<Verdict, Harness> {
    let i: Input = input(case)?;
    let mut headers = Vec::new();
    for (name, v) in &i.headers {
        headers.push((name.clone(), value(v, files).map_err(Harness)?));
    }
    let limits = i.limits.map_or_else(Limits::default, |l| {
        Limits::new(l.max_header_bytes, l.max_chain)
    });
    let source: CertSource = match i.source.parse() {
        Ok(s) => s,
        Err(e) => return Ok(Verdict::refuse(&e)),
    };
    let result = match (&source, &i.cloudflare_hints) {
        (CertSource::Cloudflare, Some(h)) => {
            let mut hints = CloudflareHints::new(h.presented);
            if let Some(v) = h.verified {
                hints = hints.cert_verified(v);
            }
            if let Some(f) = &h.fingerprint {
                hints = hints.cert_fingerprint_sha256(f);
            }
            decode_cloudflare(&headers, Some(&hints), &limits)
        }
        (_, Some(_)) => {
            return Err(Harness(format!(
                "case {}: cloudflare_hints need source cloudflare",
                case.id
            )));
        }
        (_, None) => decode(&source, &headers, &limits),
    };
    Ok(match result {
        Ok(Some(cert)) => Verdict::accept(detail(&cert)),
        Ok(None) => Verdict::accept(json!({"present": false})),
        Err(e) => {
            // What a protected resource answers for it (RFC 6750), as every adapter sends it.
            let mut v = Verdict::refuse(&e);
            v.oauth = Some(super::token::answer(&BearerError::from_error(&e)));
            v
        }
    })
}

fn detail(cert: &ForwardedCert) -> serde_json::Value {
    json!({
        "present": true,
        "leaf": cert.leaf().x5t_s256().to_string(),
        "chain": cert.chain().iter().map(|c| c.x5t_s256().to_string()).collect::<Vec<_>>(),
    })
}
