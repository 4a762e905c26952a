//! Cases as requests to adapters that cannot take a corpus case as is: the page's wasm API
//! (a bundle to inspect, one forwarded header value). Deciding which cases an adapter can run
//! and with what input happens here, once, in Rust; the JS runners only call the adapter.

use base64ct::{Base64, Encoding};
use certbound_core::forwarded::CertSource;
use certbound_core::oauth;
use serde::{Deserialize, Serialize};

use super::client::Input as ClientInput;
use super::forwarded::{self, Input as ForwardedInput};
use super::inspect::Input as InspectInput;
use super::token::Input as TokenInput;
use super::{Case, Data, Files, Harness, Kind, evaluate, input};

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
    /// `POST /oauth2/token` (`client_credentials`) over mutual TLS with this certificate and key.
    TokenEndpoint {
        /// Case id.
        id: String,
        /// The `client_id` form parameter.
        client_id: String,
        /// The TLS client certificate, leaf first, then the chain; `None` sends none.
        cert_pem: Option<String>,
        /// Its private key (PKCS#8 PEM).
        key_pem: Option<String>,
    },
    /// A request to a protected resource, sent to the worker configured by `config`: for token
    /// cases `Authorization` and an RFC 9440 `Client-Cert` for the presented certificate; for
    /// forwarded cases the proxy's headers as given (repeated lines stay repeated).
    Resource {
        /// Case id.
        id: String,
        /// Index into [`WorkerPlan::configs`].
        config: usize,
        /// Header lines, in order.
        headers: Vec<(String, String)>,
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

/// Where the server runner's files are, as absolute paths.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerDirs {
    /// `tests/corpus`.
    pub corpus: String,
    /// `../shared/conformance`.
    pub shared: String,
    /// An empty directory for the server's signing keys.
    pub state: String,
}

/// The server runner's plan: the `certbound.toml` to start `certbound serve` with (the corpus
/// registrations, root and server certificate) and one request per case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerPlan {
    /// The configuration file's text.
    pub config_toml: String,
    /// Token-endpoint requests for the `client` cases the server can express.
    pub requests: Vec<AdapterRequest>,
}

/// The registrations file every expressible client case uses.
const REGISTRATIONS: &str = "pki/registrations.json";
/// The trust anchors of the server configuration.
const ANCHORS: &str = "pki/root.pem";

/// Plans the server runner. `now` is the server's real clock (UNIX seconds): a case whose
/// verdict core would change between the case time and `now` is not applicable, since the
/// server cannot be given a time.
///
/// # Errors
/// A message when the corpus registrations are missing or malformed.
pub fn server_plan(
    cases: &[Case],
    files: &Files,
    dirs: &ServerDirs,
    now: u64,
) -> Result<ServerPlan, String> {
    let config_toml = server_config(files, dirs)?;
    let requests = cases
        .iter()
        .map(|c| {
            server_request(c, files, now).unwrap_or_else(|Harness(reason)| {
                AdapterRequest::NotApplicable {
                    id: c.id.clone(),
                    reason,
                }
            })
        })
        .collect();
    Ok(ServerPlan {
        config_toml,
        requests,
    })
}

fn server_request(c: &Case, files: &Files, now: u64) -> Result<AdapterRequest, Harness> {
    if c.kind != Kind::Client {
        return Err(na(
            "the server runner covers the token endpoint (client cases) only",
        ));
    }
    let i: ClientInput = input(c)?;
    if i.registrations.file_name() != Some(REGISTRATIONS) {
        return Err(na("registrations other than the server's configured set"));
    }
    if i.anchors.as_ref().and_then(Data::file_name) != Some(ANCHORS) {
        return Err(na("trust anchors other than the server's configured root"));
    }
    if i.require_method.is_some() || i.clock_skew.is_some() || i.ignore_self_signed_validity {
        return Err(na(
            "authentication options the server does not take per request",
        ));
    }
    // The verdict must not depend on the clock: the server uses its own.
    let mut at_now = c.clone();
    at_now.time = now;
    let v = evaluate(&at_now, files);
    if v.ok != c.expect.ok || v.oauth != c.expect.oauth {
        return Err(na("the verdict differs at the server's real time"));
    }
    let (cert_pem, key_pem) = match &i.leaf {
        None => (None, None),
        Some(leaf) => {
            let name = leaf
                .file_name()
                .ok_or_else(|| na("an inline certificate"))?;
            let key = name
                .strip_suffix(".pem")
                .map(|stem| format!("{stem}.key"))
                .filter(|k| files.contains_key(k))
                .ok_or_else(|| na("no private key for this certificate in the corpus"))?;
            let mut pem = leaf.text(files).map_err(Harness)?;
            for ch in &i.chain {
                pem.push_str(&ch.text(files).map_err(Harness)?);
            }
            (
                Some(pem),
                Some(Data::file(&key).text(files).map_err(Harness)?),
            )
        }
    };
    Ok(AdapterRequest::TokenEndpoint {
        id: c.id.clone(),
        client_id: i.client_id,
        cert_pem,
        key_pem,
    })
}

/// A TOML basic string (JSON string escapes are valid TOML escapes).
fn toml_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

fn server_config(files: &Files, dirs: &ServerDirs) -> Result<String, String> {
    let text = Data::file(REGISTRATIONS).text(files)?;
    let regs: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let clients = regs
        .get("clients")
        .and_then(serde_json::Value::as_array)
        .ok_or("registrations: no clients array")?;
    let path = |name: &str| match name.strip_prefix(super::SHARED_PREFIX) {
        Some(rest) => format!("{}/{rest}", dirs.shared),
        None => format!("{}/{name}", dirs.corpus),
    };
    let mut t = String::new();
    t.push_str("# Generated by the parity server runner from tests/corpus.\n");
    t.push_str("[server]\nlisten = \"127.0.0.1:0\"\nissuer = \"https://localhost\"\n");
    t.push_str(&format!("state_dir = {}\n\n", toml_str(&dirs.state)));
    t.push_str("[tls]\n");
    t.push_str(&format!(
        "certificate = {}\n",
        toml_str(&path("pki/server-tls.pem"))
    ));
    t.push_str(&format!(
        "private_key = {}\n",
        toml_str(&path("pki/server-tls.key"))
    ));
    t.push_str("client_auth = \"optional\"\n");
    t.push_str(&format!("trust_anchors = [{}]\n", toml_str(&path(ANCHORS))));
    for client in clients {
        let obj = client
            .as_object()
            .ok_or("registrations: a client is not an object")?;
        t.push_str("\n[[clients]]\n");
        for (k, v) in obj {
            let value = match v {
                serde_json::Value::String(s) => toml_str(s),
                serde_json::Value::Bool(b) => b.to_string(),
                serde_json::Value::Array(a) => {
                    let items: Vec<String> = a
                        .iter()
                        .map(|x| {
                            let s = x.as_str().unwrap_or_default();
                            if k == "certificates" {
                                toml_str(&path(s))
                            } else {
                                toml_str(s)
                            }
                        })
                        .collect();
                    format!("[{}]", items.join(", "))
                }
                other => return Err(format!("registrations: unsupported value {other}")),
            };
            t.push_str(&format!("{k} = {value}\n"));
        }
    }
    Ok(t)
}

/// The worker runner's plan: the distinct worker configurations (`[vars]`) and one
/// protected-resource request per token case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkerPlan {
    /// Worker variables, one map per configuration.
    pub configs: Vec<std::collections::BTreeMap<String, String>>,
    /// Requests, each naming its configuration.
    pub requests: Vec<AdapterRequest>,
}

/// Plans the worker runner: each `token` case becomes a request to a worker whose variables
/// say what the case's validator says (issuer, audience, algorithms, leeway, JWKS, binding,
/// scopes) with `CERT_SOURCE=rfc9440` for the presented certificate; each refused `forwarded`
/// case a request with the proxy's headers to a worker with that `CERT_SOURCE`. `now` is the worker's
/// clock (workerd's `Date.now()`): cases whose verdict would change between the case time and
/// `now` are not applicable.
pub fn worker_plan(cases: &[Case], files: &Files, now: u64) -> WorkerPlan {
    let mut configs: Vec<std::collections::BTreeMap<String, String>> = Vec::new();
    let mut requests = Vec::new();
    for c in cases {
        let r = worker_request(c, files, now).map(|(vars, headers)| {
            let config = configs.iter().position(|v| *v == vars).unwrap_or_else(|| {
                configs.push(vars);
                configs.len() - 1
            });
            AdapterRequest::Resource {
                id: c.id.clone(),
                config,
                headers,
            }
        });
        requests.push(
            r.unwrap_or_else(|Harness(reason)| AdapterRequest::NotApplicable {
                id: c.id.clone(),
                reason,
            }),
        );
    }
    WorkerPlan { configs, requests }
}

type WorkerRequest = (
    std::collections::BTreeMap<String, String>,
    Vec<(String, String)>,
);

/// The issuer, audience and key set of the corpus's token cases (`pki/jwks.json`).
const CORPUS_ISSUER: &str = "https://as.parity.example";
const CORPUS_AUDIENCE: &str = "https://rs.parity.example";
const CORPUS_JWKS: &str = "pki/jwks.json";

fn worker_request(c: &Case, files: &Files, now: u64) -> Result<WorkerRequest, Harness> {
    match c.kind {
        Kind::Token => worker_token_request(c, files, now),
        Kind::Forwarded => worker_forwarded_request(c, files),
        _ => Err(na(
            "the worker runner covers token and forwarded cases only",
        )),
    }
}

/// A forwarded-header refusal reaches the client before any token check, as core's
/// `BearerError::from_error` answer; an accepted certificate would need a token valid at the
/// worker's clock, so only refusals are sent.
fn worker_forwarded_request(c: &Case, files: &Files) -> Result<WorkerRequest, Harness> {
    let i: ForwardedInput = input(c)?;
    if c.expect.ok {
        return Err(na(
            "an accepted certificate needs a token valid at the worker's real time",
        ));
    }
    if i.cloudflare_hints.is_some() || i.limits.is_some() {
        return Err(na(
            "Cloudflare hints and custom limits are not worker variables",
        ));
    }
    match i.source.parse::<CertSource>() {
        Err(_) => return Err(na("an unknown source is a worker configuration error")),
        Ok(CertSource::Cloudflare) => {
            return Err(na(
                "the worker's cloudflare source reads request.cf, not headers",
            ));
        }
        Ok(_) => {}
    }
    let mut headers = vec![("Authorization".to_owned(), "Bearer a.b.c".to_owned())];
    for (name, v) in &i.headers {
        let value = forwarded::value(v, files).map_err(Harness)?;
        if value.is_empty() {
            // Miniflare's dispatchFetch (undici → workerd) drops empty field values.
            return Err(na(
                "an empty header value, which the Miniflare transport drops",
            ));
        }
        if value.trim() != value || value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(na(
                "a header value HTTP cannot carry verbatim (line breaks, outer spaces)",
            ));
        }
        headers.push((name.clone(), value));
    }
    let mut vars = std::collections::BTreeMap::new();
    vars.insert("CERT_SOURCE".into(), i.source);
    vars.insert("TOKEN_ISSUER".into(), CORPUS_ISSUER.into());
    vars.insert("TOKEN_AUDIENCE".into(), CORPUS_AUDIENCE.into());
    vars.insert("TOKEN_ALGORITHMS".into(), "ES256,EdDSA".into());
    vars.insert(
        "JWKS_JSON".into(),
        Data::file(CORPUS_JWKS).text(files).map_err(Harness)?,
    );
    vars.insert("AUTH_REALM".into(), super::REALM.into());
    Ok((vars, headers))
}

fn worker_token_request(c: &Case, files: &Files, now: u64) -> Result<WorkerRequest, Harness> {
    let i: TokenInput = input(c)?;
    if i.allow_untyped {
        return Err(na(
            "the worker has no setting for untyped (pre-RFC 9068) tokens",
        ));
    }
    let jwks = i.jwks.text(files).map_err(Harness)?;
    if i.jwks.file_name().is_none() {
        return Err(na(
            "a key set the worker refuses at configuration time, not per request",
        ));
    }
    if c.expect
        .code
        .as_deref()
        .is_some_and(|code| code.starts_with("ValidatorBuilder."))
    {
        return Err(na(
            "a validator configuration the worker refuses at start, not per request",
        ));
    }
    let mut at_now = c.clone();
    at_now.time = now;
    let v = evaluate(&at_now, files);
    if v.ok != c.expect.ok || v.oauth != c.expect.oauth {
        return Err(na("the verdict differs at the worker's real time"));
    }
    let mut vars = std::collections::BTreeMap::new();
    vars.insert("CERT_SOURCE".into(), "rfc9440".into());
    vars.insert("TOKEN_ISSUER".into(), i.issuer);
    vars.insert("TOKEN_AUDIENCE".into(), i.audience);
    vars.insert("TOKEN_ALGORITHMS".into(), i.algorithms.join(","));
    vars.insert("JWKS_JSON".into(), jwks);
    vars.insert("AUTH_REALM".into(), super::REALM.into());
    if let Some(l) = i.leeway {
        vars.insert("TOKEN_LEEWAY_SECONDS".into(), l.to_string());
    }
    if i.allow_unbound {
        vars.insert("DANGER_ALLOW_UNBOUND_TOKENS".into(), "true".into());
    }
    if !i.required_scopes.is_empty() {
        vars.insert(
            "ROUTE_SCOPES".into(),
            serde_json::json!({ "/": i.required_scopes }).to_string(),
        );
    }
    let authorization = match (&i.token, &i.request) {
        (Some(t), None) => {
            // The token must travel verbatim: HTTP trims the field value, and RFC 6750's
            // b64token grammar is checked before the token is parsed.
            let token = t.text(files).map_err(Harness)?;
            let header = format!("Bearer {token}");
            if header.trim() != header || oauth::bearer_token(Some(&header)) != Ok(token.as_str()) {
                return Err(na(
                    "the token cannot travel verbatim in an Authorization header",
                ));
            }
            Some(header)
        }
        (None, Some(r)) => r.authorization.clone(),
        _ => return Err(na("a case with both or neither of token and request")),
    };
    let mut headers = Vec::new();
    if let Some(a) = authorization {
        headers.push(("Authorization".to_owned(), a));
    }
    match &i.presented {
        None => {}
        Some(p) => {
            let pem = p.text(files).map_err(Harness)?;
            let der = forwarded::pem_ders(&pem)
                .map_err(Harness)?
                .into_iter()
                .next()
                .ok_or_else(|| na("the presented certificate is not PEM"))?;
            headers.push((
                "Client-Cert".to_owned(),
                format!(":{}:", Base64::encode_string(&der)),
            ));
        }
    }
    Ok((vars, headers))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::parity::Verdict;

    fn case(kind: Kind, input: serde_json::Value, expect: Verdict) -> Case {
        Case {
            id: format!("{kind}/x"),
            kind,
            about: String::new(),
            time: 0,
            input,
            expect,
        }
    }

    fn reason(r: &AdapterRequest) -> Option<&str> {
        match r {
            AdapterRequest::NotApplicable { reason, .. } => Some(reason),
            _ => None,
        }
    }

    // Intent: the page gets one header value for a lone certificate header, and nothing it
    // cannot express (a repeated header, an unknown source, another kind).
    #[test]
    fn page_requests_follow_the_page_api() {
        let one = case(
            Kind::Forwarded,
            json!({"source": "azure", "headers": [["x-arr-clientcert", "QUJD"]]}),
            Verdict::harness(String::new()),
        );
        let twice = case(
            Kind::Forwarded,
            json!({"source": "azure", "headers": [["X-ARR-ClientCert", "QUJD"], ["X-ARR-ClientCert", "QUJD"]]}),
            Verdict::harness(String::new()),
        );
        let unknown = case(
            Kind::Forwarded,
            json!({"source": "apache", "headers": []}),
            Verdict::harness(String::new()),
        );
        let token = case(Kind::Token, json!({}), Verdict::harness(String::new()));
        let got = page_requests(&[one, twice, unknown, token], &Files::new());
        assert_eq!(
            got[0],
            AdapterRequest::Header {
                id: "forwarded/x".into(),
                time: 0,
                source: "azure".into(),
                value: "QUJD".into(),
                chain_value: None,
            }
        );
        assert_eq!(
            reason(&got[1]),
            Some("a repeated header: the page API takes one value")
        );
        assert!(reason(&got[2]).is_some_and(|r| r.contains("unknown source")));
        assert!(reason(&got[3]).is_some());
    }

    // Intent: validator configuration errors are start-up failures of the worker, never
    // per-request verdicts; other kinds are not sent to it.
    #[test]
    fn worker_plan_skips_configuration_errors() {
        let mut files = Files::new();
        files.insert("pki/jwks.json".into(), b"{\"keys\":[]}".to_vec());
        let config_error = case(
            Kind::Token,
            json!({"jwks": {"file": "pki/jwks.json"}, "issuer": "i", "audience": "a",
                   "algorithms": ["ES256"], "token": "x", "leeway": 3600}),
            Verdict::refuse_with("ValidatorBuilder.LeewayTooLarge", String::new()),
        );
        let inspect = case(Kind::Inspect, json!({}), Verdict::harness(String::new()));
        let plan = worker_plan(&[config_error, inspect], &files, 0);
        assert!(plan.configs.is_empty());
        assert!(reason(&plan.requests[0]).is_some_and(|r| r.contains("at start")));
        assert!(reason(&plan.requests[1]).is_some());
    }
}
