//! `client` cases: JSON client registrations (certificate paths resolved to corpus files) →
//! `ClientRegistry` → `client::authenticate` with the presented certificate.
//!
//! ```text
//! input:  {"registrations": Data (JSON), "client_id": "…", "leaf": Data | null,
//!          "chain"?: [Data, …], "anchors"?: Data (PEM bundle),
//!          "require_method"?: "tls_client_auth" | "self_signed_tls_client_auth",
//!          "clock_skew"?: seconds, "ignore_self_signed_validity"?: bool}
//! detail: {"client_id": "…", "method": "…", "x5t#S256": "…", "bound_tokens": bool}
//! oauth:  {"status": 401, "error": "invalid_client"} on refusal
//! ```

use certbound_core::client::{
    AuthOptions, ClientAuthError, ClientRegistry, TlsClientAuthMethod, authenticate,
    parse_json_registrations,
};
use certbound_core::path::TrustStore;
use certbound_core::provider::CryptoProvider;
use certbound_core::{Error, UnixTime};
use serde::Deserialize;
use serde_json::json;

use super::path::{certificate, certificates};
use super::{Case, Data, Files, Harness, OauthAnswer, Verdict, input};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Input {
    pub(crate) registrations: Data,
    pub(crate) client_id: String,
    pub(crate) leaf: Option<Data>,
    #[serde(default)]
    pub(crate) chain: Vec<Data>,
    #[serde(default)]
    pub(crate) anchors: Option<Data>,
    #[serde(default)]
    pub(crate) require_method: Option<String>,
    #[serde(default)]
    pub(crate) clock_skew: Option<u64>,
    #[serde(default)]
    pub(crate) ignore_self_signed_validity: bool,
}

pub(super) fn evaluate(
    case: &Case,
    files: &Files,
    now: UnixTime,
    provider: &'static dyn CryptoProvider,
) -> Result<Verdict, Harness> {
    let i: Input = input(case)?;
    let registrations = i.registrations.bytes(files).map_err(Harness)?;
    let leaf = i.leaf.as_ref().map(|l| certificate(l, files)).transpose()?;
    let chain = certificates(&i.chain, files)?;
    let anchors = i
        .anchors
        .as_ref()
        .map(|a| a.bytes(files))
        .transpose()
        .map_err(Harness)?;
    let mut options = AuthOptions::new().provider(provider);
    match i.require_method.as_deref() {
        None => {}
        Some("tls_client_auth") => options = options.require_method(TlsClientAuthMethod::Pki),
        Some("self_signed_tls_client_auth") => {
            options = options.require_method(TlsClientAuthMethod::SelfSigned);
        }
        Some(other) => return Err(Harness(format!("unknown method {other:?}"))),
    }
    if let Some(s) = i.clock_skew {
        options = options.clock_skew(s);
    }
    if i.ignore_self_signed_validity {
        options = options.dangerous_ignore_self_signed_validity();
    }

    let result = (|| -> Result<_, Error> {
        let mut raw = parse_json_registrations(&registrations)?;
        for r in &mut raw {
            r.resolve_certificate_paths(|p| Data::file(p).text(files))
                .map_err(|message| ClientAuthError::RegistrationFile { message })?;
        }
        let registry = ClientRegistry::from_raw(raw)?;
        let trust = anchors.as_deref().map(TrustStore::from_pem).transpose()?;
        let Some(leaf) = leaf else {
            return Err(ClientAuthError::no_certificate(&i.client_id).into());
        };
        let client = authenticate(
            &registry,
            &i.client_id,
            &leaf?,
            &chain?,
            trust.as_ref(),
            now,
            &options,
        )?;
        Ok(json!({
            "client_id": client.client_id(),
            "method": client.method().as_str(),
            "x5t#S256": client.x5t().to_string(),
            "bound_tokens": client.registration().certificate_bound_access_tokens(),
        }))
    })();
    Ok(match result {
        Ok(detail) => Verdict::accept(detail),
        Err(e) => {
            // Every refusal at the token endpoint is `invalid_client` (RFC 6749 §5.2), whatever
            // core refused: a registration, the certificate's encoding or the match.
            let mut v = Verdict::refuse(&e);
            v.oauth = Some(OauthAnswer {
                status: 401,
                error: Some(
                    ClientAuthError::no_certificate("")
                        .oauth_error_code()
                        .to_owned(),
                ),
                www_authenticate: None,
            });
            v
        }
    })
}
