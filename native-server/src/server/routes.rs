//! HTTP routes: discovery, token, introspection, JWKS, the protected `/api/`, operations and the
//! static page. Handlers translate HTTP to core calls and core verdicts to HTTP.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use axum::{Extension, Router};
use certbound_core::client::{
    self, AuthOptions, AuthenticatedClient, ClientAuthError, ClientRegistry,
};
use certbound_core::forwarded::CertSource;
use certbound_core::oauth::{self, BearerError, TokenEndpointError, TokenErrorCode};
use certbound_core::path::TrustStore;
use certbound_core::token::binding::bound_thumbprint;
use certbound_core::token::issue::{AccessTokenClaims, issue};
use certbound_core::token::jws::CompactJws;
use certbound_core::token::resource::canonical_path;
use certbound_core::token::{CacheLookup, TokenCache, ValidToken, Validator};
use certbound_core::{CertThumbprint, UnixTime};
use serde_json::json;
use tower::ServiceExt as _;

use super::config::Config;
use super::identity::{self, Presented, Proxy, Via};
use super::metrics::Metrics;
use super::resource::{DEFAULT_REALM, Resource};
use super::tokens::{Tokens, ValidatorSettings};
use super::users::{PasswordCheck, Users};
use super::{ConnInfo, static_files};
use certbound_provider_aws_lc_rs::AwsLcRs;

/// Shared state of all handlers, built once at start.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) issuer: String,
    pub(crate) audience: String,
    pub(crate) metrics: Metrics,
    pub(crate) users: Arc<Users>,
    pub(crate) registry: ClientRegistry,
    pub(crate) trust: Option<TrustStore>,
    pub(crate) auth_options: AuthOptions<'static>,
    pub(crate) proxy: Option<Proxy>,
    pub(crate) tokens: Tokens,
    /// Tokens `/api/` verified recently (core decides what may be served from it).
    pub(crate) token_cache: std::sync::Mutex<TokenCache>,
    /// `[resource]`: `/api/` validates an external issuer's tokens.
    pub(crate) resource: Option<Resource>,
}

impl App {
    /// Loads everything the handlers need; fails at start, never per request. Errors name the
    /// configuration file and key.
    pub(crate) fn new(config: Config, bound_port: u16) -> Result<Self, Box<dyn std::error::Error>> {
        let file = config.path.display().to_string();
        let issuer = config.issuer(bound_port);
        let audience = config
            .tokens
            .audience
            .clone()
            .unwrap_or_else(|| format!("{}/api", issuer.trim_end_matches('/')));
        let registry =
            crate::registrations::from_toml_values(config.clients.clone(), config.base_dir())
                .map_err(|e| format!("{file}: `clients`: {e}"))?;
        let trust =
            if config.tls.trust_anchors.is_empty() {
                None
            } else {
                let mut pem = Vec::new();
                for p in &config.tls.trust_anchors {
                    pem.extend(std::fs::read(p).map_err(|e| {
                        format!("{file}: `tls.trust_anchors`: {}: {e}", p.display())
                    })?);
                    pem.push(b'\n');
                }
                let store = TrustStore::from_pem(&pem)
                    .map_err(|e| format!("{file}: `tls.trust_anchors`: {e}"))?;
                if config.tls.crls.is_empty() {
                    Some(store)
                } else {
                    let crls = config
                        .tls
                        .crls
                        .iter()
                        .map(|p| {
                            std::fs::read(p)
                                .map_err(|e| format!("{file}: `tls.crls`: {}: {e}", p.display()))
                        })
                        .collect::<Result<Vec<_>, _>>()?;
                    let refs: Vec<&[u8]> = crls.iter().map(Vec::as_slice).collect();
                    Some(
                        store
                            .with_crls(&refs, certbound_core::path::RevocationPolicy::new())
                            .map_err(|e| format!("{file}: `tls.crls`: {e}"))?,
                    )
                }
            };
        let proxy = match &config.proxy {
            None => None,
            Some(p) => Some(Proxy {
                source: p
                    .source
                    .parse::<CertSource>()
                    .map_err(|e| format!("{file}: `proxy.source`: {e}"))?,
                trusted: p.trusted_peers.clone(),
            }),
        };
        let resource = match &config.resource {
            None => None,
            Some(r) => Some(Resource::load(&config.path, r)?),
        };
        let tokens = Tokens::open(
            &config.server.state_dir,
            ValidatorSettings {
                issuer: issuer.clone(),
                audience: audience.clone(),
                leeway_secs: config.tokens.clock_skew_secs,
                allow_unbound: !config.tokens.require_binding,
            },
        )?;
        Ok(Self {
            auth_options: AuthOptions::new()
                .clock_skew(config.tokens.clock_skew_secs)
                .provider(&AwsLcRs),
            issuer,
            audience,
            users: Arc::new(Users::new(&config.users)),
            metrics: Metrics::default(),
            registry,
            trust,
            proxy,
            token_cache: std::sync::Mutex::new(TokenCache::new(config.tokens.cache_entries)),
            tokens,
            resource,
            config,
        })
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer.trim_end_matches('/'))
    }
}

/// Entry point for each request of a connection: enforces the head size limit, attaches the
/// connection's facts, then routes.
pub(crate) async fn dispatch(
    router: Router,
    info: ConnInfo,
    max_head: usize,
    mut req: hyper::Request<hyper::body::Incoming>,
) -> Result<Response, Infallible> {
    if head_size(&req) > max_head {
        return Ok((
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "request header fields too large\n",
        )
            .into_response());
    }
    req.extensions_mut().insert(info);
    match tokio::time::timeout(REQUEST_TIMEOUT, router.oneshot(req.map(Body::new))).await {
        Ok(r) => r,
        Err(_) => Ok((StatusCode::REQUEST_TIMEOUT, "request timed out\n").into_response()),
    }
}

/// The size of a request head as HTTP/1.1 sends it: request line and `name: value` lines.
///
/// hyper's own bound (`max_buf_size`) is checked per read, so a head up to about twice the
/// limit can get through it when it arrives in one piece; this makes `limits.max_header_bytes`
/// exact, for h2 as well.
fn head_size<B>(req: &hyper::Request<B>) -> usize {
    let line = req.method().as_str().len()
        + req.uri().path_and_query().map_or(1, |p| p.as_str().len())
        + " HTTP/1.1\r\n ".len();
    req.headers()
        .iter()
        .fold(line + 2, |n, (k, v)| n + k.as_str().len() + v.len() + 4)
}

/// Longest time a request (body read included) may take: slow bodies do not hold a connection
/// slot forever. Argon2 verification and token signing take milliseconds.
pub(crate) const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The router with its middleware.
pub(crate) fn router(app: Arc<App>) -> Router {
    let body_limit = app.config.limits.max_body_bytes;
    Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            get(authorization_server_metadata),
        )
        .route("/oauth2/token", post(token))
        .route("/oauth2/introspect", post(introspect))
        .route("/oauth2/jwks", get(jwks))
        .route("/api/{*rest}", any(api))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .fallback(fallback)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            identity::identify,
        ))
        .layer(middleware::from_fn_with_state(app.clone(), observe))
        .with_state(app)
}

/// One log line and one metrics sample per request: method, route, status, latency, peer.
/// Never the query, body, tokens or headers.
async fn observe(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = route_label(
        req.extensions()
            .get::<MatchedPath>()
            .map(MatchedPath::as_str),
    );
    let peer = req
        .extensions()
        .get::<ConnInfo>()
        .map_or_else(String::new, |c| c.peer.to_string());
    let res = next.run(req).await;
    let elapsed = start.elapsed();
    let status = res.status().as_u16();
    app.metrics.request(route, status, elapsed);
    tracing::info!(
        target: "certbound::access",
        %method,
        route,
        status,
        micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX),
        %peer,
    );
    res
}

/// A bounded label set for metrics.
fn route_label(matched: Option<&str>) -> &'static str {
    match matched {
        Some("/.well-known/oauth-authorization-server") => {
            "/.well-known/oauth-authorization-server"
        }
        Some("/oauth2/token") => "/oauth2/token",
        Some("/oauth2/introspect") => "/oauth2/introspect",
        Some("/oauth2/jwks") => "/oauth2/jwks",
        Some("/api/{*rest}") => "/api/*",
        Some("/healthz") => "/healthz",
        Some("/metrics") => "/metrics",
        _ => "other",
    }
}

fn json_response(status: StatusCode, value: &serde_json::Value, no_store: bool) -> Response {
    let mut r = (status, axum::Json(value)).into_response();
    if no_store {
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

/// RFC 8414 authorization server metadata (RFC 8705 §3.3 / §5 additions).
async fn authorization_server_metadata(State(app): State<Arc<App>>) -> Response {
    let mut m = json!({
        "issuer": app.issuer,
        "token_endpoint": app.endpoint("/oauth2/token"),
        "introspection_endpoint": app.endpoint("/oauth2/introspect"),
        "jwks_uri": app.endpoint("/oauth2/jwks"),
        // REQUIRED by RFC 8414 §2; empty: there is no authorization endpoint, so no
        // response type is supported (both grants go straight to the token endpoint).
        "response_types_supported": [],
        "grant_types_supported": ["client_credentials", "password"],
        "token_endpoint_auth_methods_supported": ["tls_client_auth", "self_signed_tls_client_auth"],
        "introspection_endpoint_auth_methods_supported": ["tls_client_auth", "self_signed_tls_client_auth"],
        "tls_client_certificate_bound_access_tokens": true,
    });
    if !app.config.server.mtls_endpoint_aliases.is_empty()
        && let Some(o) = m.as_object_mut()
    {
        o.insert(
            "mtls_endpoint_aliases".to_owned(),
            json!(app.config.server.mtls_endpoint_aliases),
        );
    }
    json_response(StatusCode::OK, &m, false)
}

async fn healthz() -> &'static str {
    "ok\n"
}

/// Prometheus text, for the peers in `server.metrics_peers` only (loopback by default): the
/// counters tell an outsider which clients fail and how busy the server is.
async fn metrics(State(app): State<Arc<App>>, Extension(info): Extension<ConnInfo>) -> Response {
    let peer = info.peer.ip().to_canonical();
    let allowed = app
        .config
        .server
        .metrics_peers
        .iter()
        .any(|n| n.contains(&peer));
    if !allowed {
        tracing::info!(%peer, "GET /metrics refused: peer not in server.metrics_peers");
        return (
            StatusCode::FORBIDDEN,
            "metrics are served only to the peers listed in server.metrics_peers\n",
        )
            .into_response();
    }
    let (hits, misses, len) = {
        let c = app
            .token_cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        (c.hits(), c.misses(), c.len())
    };
    let mut text = app.metrics.render();
    text.push_str(&format!(
        "# HELP certbound_token_cache_lookups_total /api/ token validations by cache outcome.\n\
         # TYPE certbound_token_cache_lookups_total counter\n\
         certbound_token_cache_lookups_total{{result=\"hit\"}} {hits}\n\
         certbound_token_cache_lookups_total{{result=\"miss\"}} {misses}\n\
         # HELP certbound_token_cache_entries Verified tokens currently cached.\n\
         # TYPE certbound_token_cache_entries gauge\n\
         certbound_token_cache_entries {len}\n"
    ));
    let mut r = text.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

async fn fallback(State(app): State<Arc<App>>, method: Method, req: Request) -> Response {
    match (&app.config.server.www_dir, method) {
        (Some(root), Method::GET | Method::HEAD) => {
            static_files::serve(root, req.uri().path()).await
        }
        _ => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}

/// `realm` of the token endpoint's `WWW-Authenticate` challenges (and of `/api/`'s, unless
/// `[resource]` sets one).
const REALM: &str = DEFAULT_REALM;

/// Largest number of form parameters read from a token or introspection request.
pub(crate) const MAX_FORM_PARAMS: usize = 32;

async fn jwks(State(app): State<Arc<App>>) -> Response {
    let keys = app.tokens.current();
    let mut r = (StatusCode::OK, keys.jwks_json.clone()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    r
}

/// An RFC 6749 §5.2 answer exactly as core renders it.
fn token_error(e: &TokenEndpointError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut r = (status, e.body_json()).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    if let Some(c) = e.www_authenticate()
        && let Ok(v) = HeaderValue::from_str(c)
    {
        h.insert(header::WWW_AUTHENTICATE, v);
    }
    r
}

/// An RFC 6750 §3 answer exactly as core renders it.
fn bearer_error(e: &BearerError, realm: &str) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut r = status.into_response();
    if let Ok(v) = HeaderValue::from_str(&e.www_authenticate(Some(realm))) {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn invalid_request(description: &'static str) -> TokenEndpointError {
    TokenEndpointError::new(TokenErrorCode::InvalidRequest, description)
}

/// The form parameters of a token or introspection request: each at most once (RFC 6749 §3.2),
/// empty values treated as absent.
fn form_params(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<BTreeMap<String, String>, TokenEndpointError> {
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !form {
        return Err(invalid_request(
            "The request body must be application/x-www-form-urlencoded",
        ));
    }
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body)
        .map_err(|_| invalid_request("The request body is not a valid form"))?;
    if pairs.len() > MAX_FORM_PARAMS {
        return Err(invalid_request("The request has too many parameters"));
    }
    let mut out = BTreeMap::new();
    for (k, v) in pairs {
        if out.contains_key(&k) {
            return Err(invalid_request("A request parameter was repeated"));
        }
        if !v.is_empty() {
            out.insert(k, v);
        }
    }
    Ok(out)
}

/// A fixed metrics label for a failed client authentication.
fn client_auth_reason(e: &certbound_core::Error) -> &'static str {
    use certbound_core::client::ClientAuthError as C;
    match e {
        certbound_core::Error::ClientAuth(c) => match c {
            C::CertificateExpired { .. } => "certificate_expired",
            C::CertificateNotRegistered { .. } => "certificate_not_registered",
            C::Chain { .. } => "chain_invalid",
            C::DnMismatch { .. } => "dn_mismatch",
            C::MethodMismatch { .. } => "method_mismatch",
            C::NoCertificate { .. } => "no_certificate",
            C::NoTrustAnchors { .. } => "no_trust_anchors",
            C::SanMismatch { .. } => "san_mismatch",
            C::UnknownClient { .. } => "unknown_client",
            _ => "other",
        },
        _ => "certificate_invalid",
    }
}

/// RFC 8705 §2 mutual-TLS client authentication of `client_id` by core; the detailed reason
/// goes to the log and metrics, the client gets core's fixed `invalid_client` answer.
fn authenticate_client<'a>(
    app: &'a App,
    presented: &Presented,
    client_id: &str,
    now: UnixTime,
) -> Result<AuthenticatedClient<'a>, TokenEndpointError> {
    let result = match presented {
        Presented::Cert(c) => client::authenticate(
            &app.registry,
            client_id,
            &c.leaf,
            &c.chain,
            app.trust.as_ref(),
            now,
            &app.auth_options,
        ),
        Presented::Absent => Err(ClientAuthError::no_certificate(client_id).into()),
        Presented::Invalid(reason) => {
            app.metrics.auth_failure("certificate_invalid");
            tracing::info!(client_id, %reason, "client authentication failed: unusable certificate");
            return Err(TokenEndpointError::invalid_client(
                "Client authentication failed",
                None,
                None,
            ));
        }
    };
    result.map_err(|e| {
        let reason = client_auth_reason(&e);
        app.metrics.auth_failure(reason);
        tracing::info!(client_id, reason, error = %e, "client authentication failed");
        TokenEndpointError::invalid_client("Client authentication failed", None, None)
    })
}

/// The request's `Authorization` header scheme, if any (this server authenticates clients by
/// mutual TLS only; another method is refused with a challenge, RFC 6749 §5.2).
fn authorization_scheme(headers: &HeaderMap) -> Option<String> {
    headers.get(header::AUTHORIZATION).map(|v| {
        let v = v.to_str().unwrap_or("");
        v.split(' ').next().unwrap_or("").to_owned()
    })
}

/// `POST /oauth2/token`: `client_credentials` and `password` grants for mTLS-authenticated
/// clients, issuing RFC 9068 tokens bound to the client certificate.
async fn token(
    State(app): State<Arc<App>>,
    Extension(presented): Extension<Presented>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match issue_token(&app, &presented, &headers, &body).await {
        Ok(r) => r,
        Err(Deny::OAuth(e)) => token_error(&e),
        Err(Deny::Internal) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}

/// Why the token endpoint did not issue: the client's fault (RFC 6749 §5.2) or the server's.
enum Deny {
    OAuth(TokenEndpointError),
    Internal,
}

impl From<TokenEndpointError> for Deny {
    fn from(e: TokenEndpointError) -> Self {
        Self::OAuth(e)
    }
}

async fn issue_token(
    app: &Arc<App>,
    presented: &Presented,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, Deny> {
    let p = form_params(headers, body)?;
    if let Some(scheme) = authorization_scheme(headers) {
        app.metrics.auth_failure("authorization_header");
        return Err(Deny::OAuth(TokenEndpointError::invalid_client(
            "This server authenticates clients by mutual TLS only",
            Some(&scheme),
            Some(REALM),
        )));
    }
    let client_id = p.get("client_id").ok_or_else(|| {
        invalid_request("The client_id parameter is required (RFC 8705 section 2)")
    })?;
    let grant_type = p
        .get("grant_type")
        .ok_or_else(|| invalid_request("The grant_type parameter is required"))?;
    if grant_type != "client_credentials" && grant_type != "password" {
        return Err(Deny::OAuth(TokenEndpointError::new(
            TokenErrorCode::UnsupportedGrantType,
            "Only the client_credentials and password grants are supported",
        )));
    }
    let now = UnixTime::now();
    let client = authenticate_client(app, presented, client_id, now)?;
    let reg = client.registration();
    if !reg.grant_types().iter().any(|g| g == grant_type) {
        app.metrics.auth_failure("grant_not_allowed");
        return Err(Deny::OAuth(TokenEndpointError::new(
            TokenErrorCode::UnauthorizedClient,
            "The client is not registered for this grant type",
        )));
    }
    let subject = if grant_type == "password" {
        let (Some(username), Some(password)) = (p.get("username"), p.get("password")) else {
            return Err(Deny::OAuth(invalid_request(
                "The password grant needs the username and password parameters",
            )));
        };
        let check = app.users.check(client_id, username, password).await;
        if let PasswordCheck::Throttled { retry_after } = check {
            app.metrics.auth_failure("invalid_grant");
            tracing::info!(
                client_id,
                retry_after_secs = retry_after.as_secs() + 1,
                "password grant refused unchecked: too many failures for this username"
            );
            return Err(Deny::OAuth(TokenEndpointError::new(
                TokenErrorCode::InvalidGrant,
                "Too many failed attempts for this username from this client; retry in a minute",
            )));
        }
        if check != PasswordCheck::Valid {
            app.metrics.auth_failure("invalid_grant");
            tracing::info!(
                client_id,
                "password grant refused: wrong username or password"
            );
            return Err(Deny::OAuth(TokenEndpointError::new(
                TokenErrorCode::InvalidGrant,
                "The resource owner credentials are invalid",
            )));
        }
        username.clone()
    } else {
        client.client_id().to_owned()
    };
    let scope = match p.get("scope") {
        Some(requested) => {
            if requested
                .split(' ')
                .any(|s| !s.is_empty() && !reg.scope().iter().any(|r| r == s))
            {
                return Err(Deny::OAuth(TokenEndpointError::new(
                    TokenErrorCode::InvalidScope,
                    "The requested scope exceeds the client's registered scope",
                )));
            }
            Some(requested.clone())
        }
        None if reg.scope().is_empty() => None,
        None => Some(reg.scope().join(" ")),
    };
    let bind = reg.certificate_bound_access_tokens() || app.config.tokens.require_binding;
    let keys = app.tokens.current();
    let claims = AccessTokenClaims {
        issuer: app.issuer.clone(),
        audience: vec![app.audience.clone()],
        subject,
        client_id: client.client_id().to_owned(),
        scope: scope.clone(),
        jti: random_id().ok_or(Deny::Internal)?,
        issued_at: now,
        lifetime_secs: app.config.tokens.lifetime_secs,
        cnf: bind.then(|| client.x5t()),
    };
    let token = issue(&keys.signing, &claims).map_err(|e| {
        tracing::error!(error = %e, "token issuance failed");
        Deny::Internal
    })?;
    tracing::info!(
        client_id = client.client_id(),
        method = %client.method(),
        grant_type,
        bound = bind,
        "access token issued"
    );
    let mut body = json!({
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": app.config.tokens.lifetime_secs,
    });
    if let (Some(s), Some(o)) = (scope, body.as_object_mut()) {
        o.insert("scope".to_owned(), json!(s));
    }
    let mut r = json_response(StatusCode::OK, &body, true);
    r.headers_mut()
        .insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    Ok(r)
}

/// 128 random bits, hex: a `jti`; `None` if the OS RNG fails.
fn random_id() -> Option<String> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 16];
    ring::rand::SystemRandom::new().fill(&mut b).ok()?;
    Some(b.iter().map(|x| format!("{x:02x}")).collect())
}

/// `POST /oauth2/introspect` (RFC 7662), for mTLS-authenticated registered clients. Reports
/// `cnf` of bound tokens (RFC 8705 §3.2); every refused token is `{"active":false}`.
async fn introspect(
    State(app): State<Arc<App>>,
    Extension(presented): Extension<Presented>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let result = async {
        let p = form_params(&headers, &body)?;
        if let Some(scheme) = authorization_scheme(&headers) {
            return Err(TokenEndpointError::invalid_client(
                "This server authenticates clients by mutual TLS only",
                Some(&scheme),
                Some(REALM),
            ));
        }
        let client_id = p.get("client_id").ok_or_else(|| {
            invalid_request("The client_id parameter is required (RFC 8705 section 2)")
        })?;
        let token = p
            .get("token")
            .ok_or_else(|| invalid_request("The token parameter is required"))?;
        let now = UnixTime::now();
        let caller = authenticate_client(&app, &presented, client_id, now)?;
        Ok((caller.client_id().to_owned(), token.clone(), now))
    }
    .await;
    let (caller, token, now) = match result {
        Ok(x) => x,
        Err(e) => return token_error(&e),
    };
    let keys = app.tokens.current();
    // The caller is not the token's holder: validate everything core checks, with the
    // token's own cnf standing in for the holder's certificate, and report the binding.
    let bound = CompactJws::parse(&token)
        .ok()
        .and_then(|j| j.payload_object().ok())
        .and_then(|m| m.get("cnf").map(bound_thumbprint));
    let answer = match bound {
        Some(Err(_)) => json!({"active": false}),
        Some(Ok(x5t)) => active_json(keys.validator.validate(&AwsLcRs, &token, Some(&x5t), now)),
        None => active_json(keys.validator.validate(&AwsLcRs, &token, None, now)),
    };
    tracing::info!(
        caller,
        active = answer["active"] == true,
        "token introspected"
    );
    json_response(StatusCode::OK, &answer, true)
}

fn active_json(v: Result<ValidToken, certbound_core::Error>) -> serde_json::Value {
    let Ok(t) = v else {
        return json!({"active": false});
    };
    let mut m = json!({
        "active": true,
        "token_type": "Bearer",
        "iss": t.issuer(),
        "aud": t.audiences(),
        "exp": t.expires_at(),
    });
    if let Some(o) = m.as_object_mut() {
        let mut put = |k: &str, v: Option<serde_json::Value>| {
            if let Some(v) = v {
                o.insert(k.to_owned(), v);
            }
        };
        put("client_id", t.client_id().map(|s| json!(s)));
        put("sub", t.subject().map(|s| json!(s)));
        put("scope", t.scope().map(|s| json!(s)));
        put("iat", t.issued_at().map(|s| json!(s)));
        put("jti", t.jti().map(|s| json!(s)));
        put(
            "cnf",
            t.bound_thumbprint()
                .map(|x| json!({"x5t#S256": x.to_string()})),
        );
    }
    m
}

/// [`Validator::validate`] with the server's token cache in front: the lock is held only for
/// the lookup and the insert, never while a signature is verified.
fn validate_cached(
    cache: &std::sync::Mutex<TokenCache>,
    validator: &Validator,
    token: &str,
    x5t: Option<&CertThumbprint>,
) -> Result<ValidToken, certbound_core::Error> {
    let now = UnixTime::now();
    let lock = || {
        cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    let lookup = lock().begin(validator, token, x5t, now)?;
    match lookup {
        CacheLookup::Hit(valid) => Ok(valid),
        CacheLookup::Miss(miss) => {
            let verified = miss.pending().verify_with(&AwsLcRs);
            lock().finish(miss, verified)
        }
    }
}

/// Everything under `/api/`: a valid token bound to the request's certificate, else the
/// RFC 6750 answer core builds. The token is this server's own, or with `[resource]` one of the
/// configured issuer (validated for the path's route scopes). The checks run in the edge
/// worker's order: the path's canonical form (core's `canonical_path`: route scopes and the
/// route itself are decided on it), token in the query, `Authorization`, presented
/// certificate, token. `GET /api/whoami` says who the token and certificate are.
async fn api(
    State(app): State<Arc<App>>,
    Extension(presented): Extension<Presented>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let realm = app.resource.as_ref().map_or(REALM, |r| r.realm.as_str());
    let path = match canonical_path(uri.path()) {
        Ok(p) => p,
        Err(e) => {
            app.metrics.auth_failure("malformed_request");
            tracing::info!(error = %e, "request path refused");
            return bearer_error(&BearerError::malformed_path(), realm);
        }
    };
    // RFC 6750 §2.3 (URI query parameter) is not supported: a token in a URL ends up in logs.
    if uri.query().is_some_and(|q| {
        serde_urlencoded::from_str::<Vec<(String, String)>>(q)
            .is_ok_and(|pairs| pairs.iter().any(|(k, _)| k == "access_token"))
    }) {
        app.metrics.auth_failure("malformed_request");
        return bearer_error(&BearerError::malformed_request(), realm);
    }
    let mut auth = headers.get_all(header::AUTHORIZATION).iter();
    let value = match (auth.next(), auth.next()) {
        (None, _) => None,
        (Some(v), None) => match v.to_str() {
            Ok(v) => Some(v),
            Err(_) => return bearer_error(&BearerError::malformed_request(), realm),
        },
        (Some(_), Some(_)) => return bearer_error(&BearerError::malformed_request(), realm),
    };
    let token = match oauth::bearer_token(value) {
        Ok(t) => t,
        Err(e) => {
            app.metrics.auth_failure(if e.code().is_none() {
                "missing_token"
            } else {
                "malformed_request"
            });
            return bearer_error(&e, realm);
        }
    };
    if let Presented::Invalid(e) = &presented {
        // A certificate was presented (or forwarded by a trusted proxy) but core refused it:
        // refused like the worker refuses it, never treated as "no certificate".
        app.metrics.auth_failure("certificate_invalid");
        return bearer_error(&BearerError::from_error(e), realm);
    }
    let cert = presented.cert();
    let x5t = cert.map(|c| c.leaf.x5t_s256());
    let own_keys;
    let validator = match &app.resource {
        Some(r) => r.validators.for_path(&path),
        None => {
            own_keys = app.tokens.current();
            &own_keys.validator
        }
    };
    let valid = match validate_cached(&app.token_cache, validator, token, x5t.as_ref()) {
        Ok(t) => t,
        Err(e) => {
            app.metrics.auth_failure("invalid_token");
            tracing::info!(error = %e, "access token refused");
            return bearer_error(&BearerError::from_error(&e), realm);
        }
    };
    match (method, path.as_ref()) {
        (Method::GET, "/api/whoami") => {
            let mut who = active_json(Ok(valid));
            if let (Some(c), Some(o)) = (cert, who.as_object_mut()) {
                o.remove("active");
                o.insert(
                    "certificate".to_owned(),
                    json!({
                        "subject": c.leaf.subject().to_string(),
                        "issuer": c.leaf.issuer().to_string(),
                        "x5t#S256": c.leaf.x5t_s256().to_string(),
                        "via": match c.via { Via::Tls => "tls", Via::Forwarded => "forwarded" },
                    }),
                );
            }
            json_response(StatusCode::OK, &who, true)
        }
        _ => (StatusCode::NOT_FOUND, "not found\n").into_response(),
    }
}
