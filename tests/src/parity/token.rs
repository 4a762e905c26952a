//! `token` cases: an access token (or an `Authorization` header) → `oauth::bearer_token` →
//! `token::Validator::validate` with the RustCrypto provider, the presented certificate's
//! thumbprint and the case time; refusals also get their RFC 6750 answer.
//!
//! ```text
//! input:  {"jwks": Data, "issuer": "…", "audience": "…", "algorithms": ["ES256", …],
//!          "token": Data | "request": {"authorization": "Bearer …" | null},
//!          "presented"?: Data (certificate), "leeway"?: s, "required_scopes"?: […],
//!          "allow_unbound"?: bool, "allow_untyped"?: bool}
//! detail: {"alg", "kid", "iss", "aud", "sub", "client_id", "scope", "jti", "exp", "x5t#S256"}
//! oauth:  {"status", "error", "www_authenticate"} (realm "parity")
//! ```

use certbound_core::oauth::{BearerError, bearer_token};
use certbound_core::provider::CryptoProvider;
use certbound_core::token::{Algorithm, JwkSet, TokenCache, ValidToken, Validator};
use certbound_core::{CertThumbprint, Error, UnixTime};
use serde::Deserialize;
use serde_json::json;

use super::path::certificate;
use super::{Case, Data, Files, Harness, OauthAnswer, Verdict, debug_code, input};

/// The realm every runtime puts in `WWW-Authenticate` for the corpus.
pub const REALM: &str = "parity";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Input {
    pub(crate) jwks: Data,
    pub(crate) issuer: String,
    pub(crate) audience: String,
    pub(crate) algorithms: Vec<String>,
    #[serde(default)]
    pub(crate) token: Option<Data>,
    #[serde(default)]
    pub(crate) request: Option<Request>,
    #[serde(default)]
    pub(crate) presented: Option<Data>,
    #[serde(default)]
    pub(crate) leeway: Option<u64>,
    #[serde(default)]
    pub(crate) required_scopes: Vec<String>,
    #[serde(default)]
    pub(crate) allow_unbound: bool,
    #[serde(default)]
    pub(crate) allow_untyped: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Request {
    pub(crate) authorization: Option<String>,
}

pub(super) fn answer(b: &BearerError) -> OauthAnswer {
    OauthAnswer {
        status: b.status(),
        error: b.code().map(|c| c.as_str().to_owned()),
        www_authenticate: Some(b.www_authenticate(Some(REALM))),
    }
}

fn detail(t: &ValidToken) -> serde_json::Value {
    json!({
        "alg": t.algorithm().name(),
        "kid": t.kid(),
        "iss": t.issuer(),
        "aud": t.audiences(),
        "sub": t.subject(),
        "client_id": t.client_id(),
        "scope": t.scope(),
        "jti": t.jti(),
        "exp": t.expires_at(),
        "x5t#S256": t.bound_thumbprint().map(ToString::to_string),
    })
}

/// A case ready for validation, or its verdict when it ends before (bad header, bad key set,
/// refused builder).
enum Prepared {
    Done(Verdict),
    Ready {
        validator: Validator,
        token: String,
        presented: Option<CertThumbprint>,
    },
}

/// Evaluates a `token` case at `now`: [`Validator::validate`], or through `cache`
/// ([`TokenCache::validate`]) when one is given.
pub(super) fn evaluate(
    case: &Case,
    files: &Files,
    now: UnixTime,
    provider: &dyn CryptoProvider,
    cache: Option<&mut TokenCache>,
) -> Result<Verdict, Harness> {
    let (validator, token, presented) = match prepare(case, files)? {
        Prepared::Done(v) => return Ok(v),
        Prepared::Ready {
            validator,
            token,
            presented,
        } => (validator, token, presented),
    };
    let presented = presented.as_ref();
    Ok(verdict(match cache {
        None => validator.validate(provider, &token, presented, now),
        Some(cache) => cache.validate(&validator, provider, &token, presented, now),
    }))
}

fn verdict(result: Result<ValidToken, Error>) -> Verdict {
    match result {
        Ok(t) => Verdict::accept(detail(&t)),
        Err(e) => refuse(&e),
    }
}

fn prepare(case: &Case, files: &Files) -> Result<Prepared, Harness> {
    let i: Input = input(case)?;
    let mut algorithms = Vec::new();
    for name in &i.algorithms {
        // Names core does not know stay out of the list (as an adapter's config would refuse
        // them); the corpus only lists known ones.
        let alg = Algorithm::from_name(name)
            .ok_or_else(|| Harness(format!("unknown algorithm {name:?}")))?;
        algorithms.push(alg);
    }
    let jwks = i.jwks.bytes(files).map_err(Harness)?;
    let presented = i
        .presented
        .as_ref()
        .map(|p| certificate(p, files))
        .transpose()?;
    let token_text = match (&i.token, &i.request) {
        (Some(t), None) => t.text(files).map_err(Harness)?,
        (None, Some(r)) => match bearer_token(r.authorization.as_deref()) {
            Ok(t) => t.to_owned(),
            Err(b) => {
                let code = match b.code() {
                    None => "Bearer.MissingToken",
                    Some(_) => "Bearer.MalformedRequest",
                };
                let text = b
                    .description()
                    .unwrap_or("the request carries no access token");
                let mut v = Verdict::refuse_with(code, text.to_owned());
                v.oauth = Some(answer(&b));
                return Ok(Prepared::Done(v));
            }
        },
        _ => {
            return Err(Harness("give exactly one of token, request".into()));
        }
    };

    let keys = match JwkSet::from_json(&jwks) {
        Ok(k) => k,
        Err(e) => return Ok(Prepared::Done(refuse(&e))),
    };
    let mut builder = Validator::builder(i.issuer, i.audience, keys)
        .algorithms(&algorithms)
        .required_scopes(i.required_scopes);
    if let Some(l) = i.leeway {
        builder = builder.leeway_secs(l);
    }
    if i.allow_unbound {
        builder = builder.allow_unbound();
    }
    if i.allow_untyped {
        builder = builder.allow_untyped();
    }
    let validator = match builder.build() {
        Ok(v) => v,
        Err(e) => {
            return Ok(Prepared::Done(Verdict::refuse_with(
                &format!("ValidatorBuilder.{}", debug_code(&e)),
                e.to_string(),
            )));
        }
    };
    let presented = match presented {
        None => None,
        Some(Ok(c)) => Some(c.x5t_s256()),
        Some(Err(e)) => return Err(Harness(format!("presented certificate: {e}"))),
    };
    Ok(Prepared::Ready {
        validator,
        token: token_text,
        presented,
    })
}

fn refuse(e: &Error) -> Verdict {
    let mut v = Verdict::refuse(e);
    v.oauth = Some(answer(&BearerError::from_error(e)));
    v
}
