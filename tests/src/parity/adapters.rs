//! Cases as requests to adapters that cannot take a corpus case as is: the page's wasm API
//! (a bundle to inspect, one forwarded header value). Deciding which cases an adapter can run
//! and with what input happens here, once, in Rust; the JS runners only call the adapter.

use base64ct::{Base64, Encoding};
use certbound_core::Certificate;
use certbound_core::client::{ClientRegistry, parse_json_registrations};
use certbound_core::forwarded::CertSource;
use certbound_core::oauth;
use certbound_core::path::TrustStore;
use certbound_core::token::{Algorithm, JwkSet, Validator};
use serde::{Deserialize, Serialize};

use super::client::Input as ClientInput;
use super::forwarded::{self, Input as ForwardedInput};
use super::inspect::Input as InspectInput;
use super::path::{Input as PathInput, certificate, certificates};
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
    /// `verifyChain(Inspected.fromBundle(leaf), intermediates, anchors, purpose, time)`.
    Chain {
        /// Case id.
        id: String,
        /// UNIX seconds.
        time: u64,
        /// The leaf alone, DER, standard base64.
        leaf_b64: String,
        /// The untrusted intermediates, one PEM bundle.
        intermediates_pem: String,
        /// The trust anchors as given, standard base64.
        anchors_b64: String,
        /// The page's purpose name: `client` or `server`.
        purpose: String,
    },
    /// `matchRegistration(Inspected.fromBundle(certs), registrations, clientId, anchors, time)`.
    Registration {
        /// Case id.
        id: String,
        /// UNIX seconds.
        time: u64,
        /// The presented certificate then its chain, one PEM bundle.
        certs_pem: String,
        /// The registrations, certificate paths replaced by their PEM text.
        registrations_json: String,
        /// The `client_id` to authenticate.
        client_id: String,
        /// The trust anchors as given (empty for none), standard base64.
        anchors_b64: String,
    },
    /// `checkToken(token, jwks, issuer, audience, algorithms, allowUnbound, allowUntyped,
    /// presentedX5t, time)`.
    Token {
        /// Case id.
        id: String,
        /// UNIX seconds.
        time: u64,
        /// The access token, verbatim.
        token: String,
        /// The key set's JSON.
        jwks: String,
        /// Expected issuer.
        issuer: String,
        /// Expected audience.
        audience: String,
        /// Allowed algorithm names.
        algorithms: Vec<String>,
        /// Accept tokens without `cnf`.
        allow_unbound: bool,
        /// Accept tokens without `typ: at+jwt`.
        allow_untyped: bool,
        /// The presented certificate's `x5t#S256`, if any.
        presented_x5t: Option<String>,
        /// Clock leeway, core's default when `None`.
        leeway_seconds: Option<u32>,
        /// Scopes the token must grant.
        required_scopes: Vec<String>,
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
    /// A request to a protected resource, sent to the worker or server configured by `config`:
    /// for token cases `Authorization` and an RFC 9440 `Client-Cert` for the presented
    /// certificate; for forwarded cases the proxy's headers as given (repeated lines stay
    /// repeated). The server gets them from a trusted proxy address.
    Resource {
        /// Case id.
        id: String,
        /// Index into [`WorkerPlan::configs`] or [`ServerPlan::resource_configs`].
        config: usize,
        /// Header lines, in order.
        headers: Vec<(String, String)>,
    },
    /// A request to the protected resource of the server configured by `config`, over mutual
    /// TLS with this certificate (no forwarded-certificate header).
    ResourceTls {
        /// Case id.
        id: String,
        /// Index into [`ServerPlan::resource_configs`].
        config: usize,
        /// Header lines (`Authorization`), in order.
        headers: Vec<(String, String)>,
        /// The TLS client certificate (PEM); `None` sends none.
        cert_pem: Option<String>,
        /// Its private key (PKCS#8 PEM).
        key_pem: Option<String>,
    },
    /// The adapter's API cannot express this case.
    NotApplicable {
        /// Case id.
        id: String,
        /// Why.
        reason: String,
    },
}

/// The page's requests for every case its wasm API can express (the others are
/// [`AdapterRequest::NotApplicable`] with the reason): inspect and forwarded cases through
/// `Inspected`, path cases through `verifyChain`, client cases through `matchRegistration`,
/// token cases through `checkToken`. The page reports an input it cannot read on that input's
/// field, before any verification, so cases whose inputs core refuses to parse are not sent.
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
        Kind::Path => page_path_request(c, files),
        Kind::Client => page_client_request(c, files),
        Kind::Token => page_token_request(c, files),
    }
}

/// PEM text of DER certificates.
fn pem_bundle<'a>(ders: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut out = String::new();
    for der in ders {
        out.push_str("-----BEGIN CERTIFICATE-----\n");
        let b64 = Base64::encode_string(der);
        for line in b64.as_bytes().chunks(64) {
            out.push_str(&String::from_utf8_lossy(line));
            out.push('\n');
        }
        out.push_str("-----END CERTIFICATE-----\n");
    }
    out
}

const UNREADABLE: &str =
    "an input core cannot parse: the page reports it on the input's field, before verifying";

fn page_path_request(c: &Case, files: &Files) -> Result<AdapterRequest, Harness> {
    let i: PathInput = input(c)?;
    let purpose = match i.purpose.as_deref() {
        None | Some("client_auth") => "client",
        Some("server_auth") => "server",
        Some(_) => return Err(na("a purpose the page does not offer")),
    };
    let leaf = certificate(&i.leaf, files)?.map_err(|_| na(UNREADABLE))?;
    let chain = certificates(&i.intermediates, files)?.map_err(|_| na(UNREADABLE))?;
    let anchors = i.anchors.bytes(files).map_err(Harness)?;
    TrustStore::from_pem(&anchors).map_err(|_| na(UNREADABLE))?;
    Ok(AdapterRequest::Chain {
        id: c.id.clone(),
        time: c.time,
        leaf_b64: Base64::encode_string(leaf.der()),
        intermediates_pem: pem_bundle(chain.iter().map(Certificate::der)),
        anchors_b64: Base64::encode_string(&anchors),
        purpose: purpose.to_owned(),
    })
}

fn page_client_request(c: &Case, files: &Files) -> Result<AdapterRequest, Harness> {
    let i: ClientInput = input(c)?;
    if i.require_method.is_some() || i.clock_skew.is_some() || i.ignore_self_signed_validity {
        return Err(na(
            "authentication options the page does not take (method, clock skew, self-signed validity)",
        ));
    }
    if i.client_id.trim().is_empty() || i.client_id.trim() != i.client_id {
        return Err(na(
            "a blank or padded client_id, which the page trims or fills in",
        ));
    }
    let leaf = i
        .leaf
        .as_ref()
        .ok_or_else(|| na("no certificate: the page needs one to match"))?;
    let leaf = certificate(leaf, files)?.map_err(|_| na(UNREADABLE))?;
    let chain = certificates(&i.chain, files)?.map_err(|_| na(UNREADABLE))?;
    let anchors = match &i.anchors {
        None => Vec::new(),
        Some(a) => {
            let bytes = a.bytes(files).map_err(Harness)?;
            TrustStore::from_pem(&bytes).map_err(|_| na(UNREADABLE))?;
            bytes
        }
    };
    // The page takes the registration JSON as pasted: certificate paths become inline PEM.
    let text = i.registrations.text(files).map_err(|_| na(UNREADABLE))?;
    // Core reads the text as given (duplicate keys, …); the rewritten JSON below would not.
    parse_json_registrations(text.as_bytes()).map_err(|_| na(UNREADABLE))?;
    let mut regs: serde_json::Value = serde_json::from_str(&text).map_err(|_| na(UNREADABLE))?;
    let clients = match &mut regs {
        serde_json::Value::Object(m) => m
            .get_mut("clients")
            .and_then(serde_json::Value::as_array_mut),
        serde_json::Value::Array(a) => Some(a),
        _ => None,
    }
    .ok_or_else(|| na(UNREADABLE))?;
    for client in clients {
        let Some(certs) = client
            .get_mut("certificates")
            .and_then(serde_json::Value::as_array_mut)
        else {
            continue;
        };
        for entry in certs {
            if let Some(path) = entry.as_str().filter(|p| !p.contains("-----BEGIN")) {
                let pem = Data::file(path).text(files).map_err(|_| na(UNREADABLE))?;
                *entry = serde_json::Value::String(pem);
            }
        }
    }
    let registrations_json = regs.to_string();
    ClientRegistry::from_json(registrations_json.as_bytes()).map_err(|_| na(UNREADABLE))?;
    Ok(AdapterRequest::Registration {
        id: c.id.clone(),
        time: c.time,
        certs_pem: pem_bundle(
            core::iter::once(leaf.der()).chain(chain.iter().map(Certificate::der)),
        ),
        registrations_json,
        client_id: i.client_id,
        anchors_b64: Base64::encode_string(&anchors),
    })
}

fn page_token_request(c: &Case, files: &Files) -> Result<AdapterRequest, Harness> {
    let i: TokenInput = input(c)?;
    let leeway = i
        .leeway
        .map(u32::try_from)
        .transpose()
        .map_err(|_| na("a leeway beyond the page's u32 seconds"))?;
    let token = match (&i.token, &i.request) {
        (Some(t), None) => t.text(files).map_err(|_| na("a token that is not text"))?,
        (None, Some(r)) => oauth::bearer_token(r.authorization.as_deref())
            .map_err(|_| na("an Authorization header problem: the page takes the token alone"))?
            .to_owned(),
        _ => return Err(na("a case with both or neither of token and request")),
    };
    if token.trim() != token {
        return Err(na("a token with outer whitespace, which the page trims"));
    }
    if i.issuer.trim() != i.issuer || i.audience.trim() != i.audience {
        return Err(na(
            "an issuer or audience with outer whitespace, which the page trims",
        ));
    }
    let jwks = i.jwks.text(files).map_err(|_| na(UNREADABLE))?;
    let keys = JwkSet::from_json(jwks.as_bytes()).map_err(|_| na(UNREADABLE))?;
    let mut algorithms = Vec::new();
    for name in &i.algorithms {
        algorithms.push(Algorithm::from_name(name).ok_or_else(|| na(UNREADABLE))?);
    }
    let mut builder =
        Validator::builder(i.issuer.clone(), i.audience.clone(), keys).algorithms(&algorithms);
    if i.allow_unbound {
        builder = builder.allow_unbound();
    }
    if i.allow_untyped {
        builder = builder.allow_untyped();
    }
    if let Some(l) = leeway {
        builder = builder.leeway_secs(l.into());
    }
    builder
        .required_scopes(i.required_scopes.clone())
        .build()
        .map_err(|_| na("a validator configuration the page refuses before checking a token"))?;
    let presented_x5t = match &i.presented {
        None => None,
        Some(p) => Some(
            certificate(p, files)?
                .map_err(|_| na(UNREADABLE))?
                .x5t_s256()
                .to_string(),
        ),
    };
    Ok(AdapterRequest::Token {
        id: c.id.clone(),
        time: c.time,
        token,
        jwks,
        issuer: i.issuer,
        audience: i.audience,
        algorithms: i.algorithms,
        allow_unbound: i.allow_unbound,
        allow_untyped: i.allow_untyped,
        presented_x5t,
        leeway_seconds: leeway,
        required_scopes: i.required_scopes,
    })
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

impl ServerDirs {
    /// The absolute path of a corpus file name (`shared:` names resolve to the shared data).
    fn path(&self, name: &str) -> String {
        match name.strip_prefix(super::SHARED_PREFIX) {
            Some(rest) => format!("{}/{rest}", self.shared),
            None => format!("{}/{name}", self.corpus),
        }
    }
}

/// The server runner's plan: the `certbound.toml` of the token-endpoint server (the corpus
/// registrations, root and server certificate), the protected-resource configurations, and
/// one request per case for each of the runner's two runtimes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ServerPlan {
    /// The token-endpoint server's configuration file.
    pub config_toml: String,
    /// Protected-resource server configurations (`[resource]` with the case's validator
    /// settings, and `[proxy]` trusting loopback for certificates forwarded in headers), indexed
    /// by the `config` of [`AdapterRequest::Resource`] and [`AdapterRequest::ResourceTls`].
    pub resource_configs: Vec<String>,
    /// Runtime `server`, one per case: `client` cases at the token endpoint over mutual TLS;
    /// `token` and refused `forwarded` cases at the protected resource, the certificate
    /// forwarded by a trusted proxy exactly as the worker gets it.
    pub requests: Vec<AdapterRequest>,
    /// Runtime `server-mtls`, one per case: `token` cases at the protected resource over real
    /// mutual TLS with the presented certificate and its corpus key (no forwarded header).
    pub mtls_requests: Vec<AdapterRequest>,
}

/// The registrations file every expressible client case uses.
const REGISTRATIONS: &str = "pki/registrations.json";
/// The trust anchors of the server configuration.
const ANCHORS: &str = "pki/root.pem";
/// Peers the protected-resource server trusts to forward certificates: the runner itself.
const LOOPBACK_PEERS: &str = "[\"127.0.0.1/32\", \"::1/128\"]";

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
    let mut resource_configs = Vec::new();
    let mut requests = Vec::new();
    let mut mtls_requests = Vec::new();
    let not_applicable = |c: &Case, Harness(reason)| AdapterRequest::NotApplicable {
        id: c.id.clone(),
        reason,
    };
    for c in cases {
        let (request, mtls) = match c.kind {
            Kind::Client => (
                server_request(c, files, now),
                Err(na(
                    "server-mtls covers protected-resource (token) cases only",
                )),
            ),
            Kind::Token | Kind::Forwarded => match resource_case(c, files, now) {
                Err(e) => (Err(e.clone()), Err(e)),
                Ok(rc) => {
                    let config = intern(
                        &mut resource_configs,
                        server_resource_config(&rc.settings, dirs, true),
                    );
                    let request = AdapterRequest::Resource {
                        id: c.id.clone(),
                        config,
                        headers: rc.headers,
                    };
                    let mtls = match rc.tls {
                        None => Err(na(
                            "a forwarded-header case: only a proxy forwards certificates in headers",
                        )),
                        Some(Err(e)) => Err(e),
                        Some(Ok(tls)) => Ok(AdapterRequest::ResourceTls {
                            id: c.id.clone(),
                            config: intern(
                                &mut resource_configs,
                                server_resource_config(&rc.settings, dirs, false),
                            ),
                            headers: tls.headers,
                            cert_pem: tls.cert_pem,
                            key_pem: tls.key_pem,
                        }),
                    };
                    (Ok(request), mtls)
                }
            },
            Kind::Inspect | Kind::Path => {
                let e = na("the server runner covers client, token and forwarded cases");
                (Err(e.clone()), Err(e))
            }
        };
        requests.push(request.unwrap_or_else(|e| not_applicable(c, e)));
        mtls_requests.push(mtls.unwrap_or_else(|e| not_applicable(c, e)));
    }
    Ok(ServerPlan {
        config_toml,
        resource_configs,
        requests,
        mtls_requests,
    })
}

/// The index of `item` in `items`, appended if new.
fn intern<T: PartialEq>(items: &mut Vec<T>, item: T) -> usize {
    items.iter().position(|x| *x == item).unwrap_or_else(|| {
        items.push(item);
        items.len() - 1
    })
}

fn server_request(c: &Case, files: &Files, now: u64) -> Result<AdapterRequest, Harness> {
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
    same_at_now(c, files, now)?;
    let (cert_pem, key_pem) = match &i.leaf {
        None => (None, None),
        Some(leaf) => {
            let (mut pem, key) = with_key(leaf, files)?;
            for ch in &i.chain {
                pem.push_str(&ch.text(files).map_err(Harness)?);
            }
            (Some(pem), Some(key))
        }
    };
    Ok(AdapterRequest::TokenEndpoint {
        id: c.id.clone(),
        client_id: i.client_id,
        cert_pem,
        key_pem,
    })
}

/// The verdict must not depend on the clock: the server and the worker use their own.
fn same_at_now(c: &Case, files: &Files, now: u64) -> Result<(), Harness> {
    let mut at_now = c.clone();
    at_now.time = now;
    let v = evaluate(&at_now, files);
    if v.ok != c.expect.ok || v.oauth != c.expect.oauth {
        return Err(na(
            "the verdict differs at the real time (the server and workerd have no test clock)",
        ));
    }
    Ok(())
}

/// A corpus certificate file's PEM text and its private key (`<name>.key`), for mutual TLS.
fn with_key(cert: &Data, files: &Files) -> Result<(String, String), Harness> {
    let name = cert
        .file_name()
        .ok_or_else(|| na("an inline certificate"))?;
    let key = name
        .strip_suffix(".pem")
        .map(|stem| format!("{stem}.key"))
        .filter(|k| files.contains_key(k))
        .ok_or_else(|| na("no private key for this certificate in the corpus"))?;
    Ok((
        cert.text(files).map_err(Harness)?,
        Data::file(&key).text(files).map_err(Harness)?,
    ))
}

/// A TOML basic string (JSON string escapes are valid TOML escapes).
fn toml_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// A TOML array of basic strings.
fn toml_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<String> = items.iter().map(|s| toml_str(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// `[server]` and `[tls]` of every runner configuration: loopback, ephemeral port, the corpus
/// server certificate, client certificates asked for but optional.
fn server_head(dirs: &ServerDirs) -> String {
    let mut t = String::new();
    t.push_str("# Generated by the parity server runner from tests/corpus.\n");
    t.push_str("[server]\nlisten = \"127.0.0.1:0\"\nissuer = \"https://localhost\"\n");
    t.push_str(&format!("state_dir = {}\n\n", toml_str(&dirs.state)));
    t.push_str("[tls]\n");
    t.push_str(&format!(
        "certificate = {}\n",
        toml_str(&dirs.path("pki/server-tls.pem"))
    ));
    t.push_str(&format!(
        "private_key = {}\n",
        toml_str(&dirs.path("pki/server-tls.key"))
    ));
    t.push_str("client_auth = \"optional\"\n");
    t.push_str(&format!(
        "trust_anchors = [{}]\n",
        toml_str(&dirs.path(ANCHORS))
    ));
    t
}

fn server_config(files: &Files, dirs: &ServerDirs) -> Result<String, String> {
    let text = Data::file(REGISTRATIONS).text(files)?;
    let regs: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let clients = regs
        .get("clients")
        .and_then(serde_json::Value::as_array)
        .ok_or("registrations: no clients array")?;
    let mut t = server_head(dirs);
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
                                dirs.path(s)
                            } else {
                                s.to_owned()
                            }
                        })
                        .collect();
                    toml_list(&items)
                }
                other => return Err(format!("registrations: unsupported value {other}")),
            };
            t.push_str(&format!("{k} = {value}\n"));
        }
    }
    Ok(t)
}

/// A protected-resource server for `s`: `[resource]` says what the worker's variables say;
/// with `proxy`, `[proxy]` trusts the runner (loopback) to forward certificates in the
/// source's headers, without it the certificate is the TLS handshake's.
fn server_resource_config(s: &ResourceSettings, dirs: &ServerDirs, proxy: bool) -> String {
    let mut t = server_head(dirs);
    if proxy {
        t.push_str(&format!(
            "\n[proxy]\nsource = {}\ntrusted_peers = {LOOPBACK_PEERS}\n",
            toml_str(&s.source)
        ));
    }
    t.push_str("\n[resource]\n");
    t.push_str(&format!("issuer = {}\n", toml_str(&s.issuer)));
    t.push_str(&format!("audience = {}\n", toml_str(&s.audience)));
    t.push_str(&format!("algorithms = {}\n", toml_list(&s.algorithms)));
    if let Some(l) = s.leeway {
        t.push_str(&format!("leeway_secs = {l}\n"));
    }
    t.push_str(&format!(
        "jwks_file = {}\n",
        toml_str(&dirs.path(&s.jwks_file))
    ));
    t.push_str(&format!("require_binding = {}\n", !s.allow_unbound));
    t.push_str(&format!("realm = {}\n", toml_str(super::REALM)));
    if !s.required_scopes.is_empty() {
        t.push_str(&format!(
            "\n[resource.route_scopes]\n\"/\" = {}\n",
            toml_list(&s.required_scopes)
        ));
    }
    t
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

/// Plans the worker runner: each case [`resource_case`] selects becomes a request to a worker
/// whose variables say what the case's validator says (issuer, audience, algorithms, leeway,
/// JWKS, binding, scopes, certificate source, realm). `now` is the worker's clock (workerd's
/// `Date.now()`): cases whose verdict would change between the case time and `now` are not
/// applicable.
pub fn worker_plan(cases: &[Case], files: &Files, now: u64) -> WorkerPlan {
    let mut configs: Vec<std::collections::BTreeMap<String, String>> = Vec::new();
    let mut requests = Vec::new();
    for c in cases {
        let r = resource_case(c, files, now).and_then(|rc| {
            if rc.headers.iter().any(|(_, v)| v.is_empty()) {
                // Miniflare's dispatchFetch (undici → workerd) drops empty field values.
                return Err(na(
                    "an empty header value, which the Miniflare transport drops",
                ));
            }
            let vars = worker_vars(&rc.settings, files)?;
            Ok(AdapterRequest::Resource {
                id: c.id.clone(),
                config: intern(&mut configs, vars),
                headers: rc.headers,
            })
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

/// The worker's variables for `s`.
fn worker_vars(
    s: &ResourceSettings,
    files: &Files,
) -> Result<std::collections::BTreeMap<String, String>, Harness> {
    let mut vars = std::collections::BTreeMap::new();
    vars.insert("CERT_SOURCE".into(), s.source.clone());
    vars.insert("TOKEN_ISSUER".into(), s.issuer.clone());
    vars.insert("TOKEN_AUDIENCE".into(), s.audience.clone());
    vars.insert("TOKEN_ALGORITHMS".into(), s.algorithms.join(","));
    vars.insert(
        "JWKS_JSON".into(),
        Data::file(&s.jwks_file).text(files).map_err(Harness)?,
    );
    vars.insert("AUTH_REALM".into(), super::REALM.into());
    if let Some(l) = s.leeway {
        vars.insert("TOKEN_LEEWAY_SECONDS".into(), l.to_string());
    }
    if s.allow_unbound {
        vars.insert("DANGER_ALLOW_UNBOUND_TOKENS".into(), "true".into());
    }
    if !s.required_scopes.is_empty() {
        vars.insert(
            "ROUTE_SCOPES".into(),
            serde_json::json!({ "/": s.required_scopes }).to_string(),
        );
    }
    Ok(vars)
}

/// The issuer, audience and key set of the corpus's token cases (`pki/jwks.json`).
const CORPUS_ISSUER: &str = "https://as.parity.example";
const CORPUS_AUDIENCE: &str = "https://rs.parity.example";
const CORPUS_JWKS: &str = "pki/jwks.json";

/// How a protected resource is configured for one case. The worker's variables and the
/// server's `[resource]` / `[proxy]` are both written from this, so they say the same thing.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ResourceSettings {
    /// Core's certificate source name.
    source: String,
    issuer: String,
    audience: String,
    /// JWS names, as the case lists them.
    algorithms: Vec<String>,
    /// Core's default when `None`.
    leeway: Option<u64>,
    /// The key set's corpus file name.
    jwks_file: String,
    allow_unbound: bool,
    /// Required for every path (`{"/": […]}`).
    required_scopes: Vec<String>,
}

/// One case as a request to a protected resource: the front ends that guard one (the worker,
/// the server) get the same settings and the same header lines.
struct ResourceCase {
    settings: ResourceSettings,
    /// Header lines, in order; the certificate as the source forwards it.
    headers: Vec<(String, String)>,
    /// Token cases: the same request over mutual TLS (only `Authorization`, the presented
    /// certificate and its corpus key), or why it cannot be sent so. `None` for forwarded
    /// cases.
    tls: Option<Result<TlsRequest, Harness>>,
}

struct TlsRequest {
    headers: Vec<(String, String)>,
    cert_pem: Option<String>,
    key_pem: Option<String>,
}

/// Selects the token and forwarded cases a protected resource can be asked, with the request.
fn resource_case(c: &Case, files: &Files, now: u64) -> Result<ResourceCase, Harness> {
    match c.kind {
        Kind::Token => token_resource_case(c, files, now),
        Kind::Forwarded => forwarded_resource_case(c, files),
        _ => Err(na(
            "only token and forwarded cases are requests to a protected resource",
        )),
    }
}

/// A forwarded-header refusal reaches the client before any token check, as core's
/// `BearerError::from_error` answer; an accepted certificate would need a token valid at the
/// real clock, so only refusals are sent.
fn forwarded_resource_case(c: &Case, files: &Files) -> Result<ResourceCase, Harness> {
    let i: ForwardedInput = input(c)?;
    if c.expect.ok {
        return Err(na(
            "an accepted certificate needs a token valid at the real time",
        ));
    }
    if i.cloudflare_hints.is_some() || i.limits.is_some() {
        return Err(na(
            "Cloudflare hints and custom limits are not resource-server settings",
        ));
    }
    match i.source.parse::<CertSource>() {
        Err(_) => return Err(na("an unknown source is a configuration error")),
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
        if value.trim() != value || value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
            return Err(na(
                "a header value HTTP cannot carry verbatim (line breaks, outer spaces)",
            ));
        }
        headers.push((name.clone(), value));
    }
    Ok(ResourceCase {
        settings: ResourceSettings {
            source: i.source,
            issuer: CORPUS_ISSUER.into(),
            audience: CORPUS_AUDIENCE.into(),
            algorithms: vec!["ES256".into(), "EdDSA".into()],
            leeway: None,
            jwks_file: CORPUS_JWKS.into(),
            allow_unbound: false,
            required_scopes: Vec::new(),
        },
        headers,
        tls: None,
    })
}

fn token_resource_case(c: &Case, files: &Files, now: u64) -> Result<ResourceCase, Harness> {
    let i: TokenInput = input(c)?;
    if i.allow_untyped {
        return Err(na(
            "no resource-server setting for untyped (pre-RFC 9068) tokens",
        ));
    }
    let jwks_file = i
        .jwks
        .file_name()
        .ok_or_else(|| {
            na("a key set the worker and the server refuse at configuration time, not per request")
        })?
        .to_owned();
    if c.expect
        .code
        .as_deref()
        .is_some_and(|code| code.starts_with("ValidatorBuilder."))
    {
        return Err(na(
            "a validator configuration the worker and the server refuse at start, not per request",
        ));
    }
    same_at_now(c, files, now)?;
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
    let tls_headers = headers.clone();
    let tls = match &i.presented {
        None => Ok(TlsRequest {
            headers: tls_headers,
            cert_pem: None,
            key_pem: None,
        }),
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
            with_key(p, files).map(|(cert, key)| TlsRequest {
                headers: tls_headers,
                cert_pem: Some(cert),
                key_pem: Some(key),
            })
        }
    };
    Ok(ResourceCase {
        settings: ResourceSettings {
            source: "rfc9440".into(),
            issuer: i.issuer,
            audience: i.audience,
            algorithms: i.algorithms,
            leeway: i.leeway,
            jwks_file,
            allow_unbound: i.allow_unbound,
            required_scopes: i.required_scopes,
        },
        headers,
        tls: Some(tls),
    })
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

    // Intent: path, client and token cases the page cannot express (an input it reports on
    // its own field, an option it does not offer) stay not applicable, with the reason.
    #[test]
    fn page_requests_refuse_what_the_page_cannot_take() {
        let bad_leaf = case(
            Kind::Path,
            json!({"leaf": "not a certificate", "anchors": "x"}),
            Verdict::harness(String::new()),
        );
        let method = case(
            Kind::Client,
            json!({"registrations": "[]", "client_id": "c", "leaf": "x",
                   "require_method": "tls_client_auth"}),
            Verdict::harness(String::new()),
        );
        let leeway = case(
            Kind::Token,
            json!({"jwks": "{\"keys\": []}", "issuer": "i", "audience": "a",
                   "algorithms": ["ES256"], "token": "a.b.c", "leeway": 3600}),
            Verdict::harness(String::new()),
        );
        let header = case(
            Kind::Token,
            json!({"jwks": "{}", "issuer": "i", "audience": "a", "algorithms": ["ES256"],
                   "request": {"authorization": "Basic abc"}}),
            Verdict::harness(String::new()),
        );
        let got = page_requests(&[bad_leaf, method, leeway, header], &Files::new());
        assert_eq!(reason(&got[0]), Some(UNREADABLE));
        assert!(reason(&got[1]).is_some_and(|r| r.starts_with("authentication options")));
        assert_eq!(
            reason(&got[2]),
            Some("a validator configuration the page refuses before checking a token")
        );
        assert!(reason(&got[3]).is_some_and(|r| r.contains("Authorization header")));
    }

    // Intent: the page gets the leaf alone and the intermediates as one PEM bundle that
    // reads back to the same certificates.
    #[test]
    fn pem_bundle_round_trips() {
        let der: Vec<u8> = (0..=200).collect();
        let pem = pem_bundle([der.as_slice(), &der[..3]]);
        assert_eq!(
            forwarded::pem_ders(&pem).ok(),
            Some(vec![der.clone(), der[..3].to_vec()])
        );
        assert!(pem.lines().all(|l| l.len() <= 64));
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

    // Intent: the server runner gets exactly the worker's protected-resource requests (same
    // case ids, same header lines, a `[resource]` per worker configuration), and every token
    // case whose presented certificate has a corpus key also goes over mutual TLS; nothing the
    // worker runs is missing from the server.
    #[test]
    fn server_plan_shares_the_worker_selection() {
        use crate::corpus_files::{corpus_dir, load_cases, load_files, shared_dir};
        let cases = load_cases(&corpus_dir()).expect("corpus");
        // As the runners load them: every pki file, then what the cases name.
        let mut names: Vec<String> = std::fs::read_dir(corpus_dir().join("pki"))
            .expect("pki")
            .map(|e| format!("pki/{}", e.expect("entry").file_name().to_string_lossy()))
            .collect();
        names.extend(crate::parity::file_refs(&cases));
        names.sort();
        names.dedup();
        let files = load_files(&corpus_dir(), &shared_dir(), &names).expect("files");
        let now = 1_900_000_000;
        let dirs = ServerDirs {
            corpus: "/c".into(),
            shared: "/s".into(),
            state: "/st".into(),
        };
        let worker = worker_plan(&cases, &files, now);
        let server = server_plan(&cases, &files, &dirs, now).expect("plan");
        assert_eq!(server.requests.len(), cases.len());
        assert_eq!(server.mtls_requests.len(), cases.len());
        let mut shared = 0;
        for (w, s) in worker.requests.iter().zip(&server.requests) {
            if let AdapterRequest::Resource {
                id,
                headers,
                config,
            } = w
            {
                let AdapterRequest::Resource {
                    id: sid,
                    headers: sh,
                    config: sc,
                } = s
                else {
                    panic!("{id}: the worker runs it, the server does not: {s:?}");
                };
                assert_eq!((id, headers), (sid, sh));
                let vars = &worker.configs[*config];
                let toml = &server.resource_configs[*sc];
                assert!(toml.contains(&format!("issuer = {}", toml_str(&vars["TOKEN_ISSUER"]))));
                assert!(toml.contains(&format!("source = {}", toml_str(&vars["CERT_SOURCE"]))));
                assert!(toml.contains("realm = \"parity\""));
                shared += 1;
            }
        }
        assert!(shared > 100, "{shared}");
        let tls = server
            .mtls_requests
            .iter()
            .filter(|r| {
                matches!(
                    r,
                    AdapterRequest::ResourceTls {
                        cert_pem: Some(_),
                        ..
                    }
                )
            })
            .count();
        assert!(tls > 50, "{tls}");
        for r in &server.mtls_requests {
            if let AdapterRequest::ResourceTls {
                config, headers, ..
            } = r
            {
                assert!(!server.resource_configs[*config].contains("[proxy]"));
                assert!(headers.iter().all(|(n, _)| n == "Authorization"));
            }
        }
    }
}
