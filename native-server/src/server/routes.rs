//! HTTP routes: discovery, token, introspection, JWKS, the protected `/api/`, operations and the
//! static page. Handlers translate HTTP to core calls and core verdicts to HTTP.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde_json::json;
use tower::ServiceExt as _;

use super::config::Config;
use super::metrics::Metrics;
use super::users::Users;
use super::{ConnInfo, keys, static_files};

/// Shared state of all handlers, built once at start.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) config: Config,
    pub(crate) issuer: String,
    pub(crate) metrics: Metrics,
    pub(crate) users: Users,
    pub(crate) keys: keys::KeyStore,
}

impl App {
    /// Loads everything the handlers need; fails at start, never per request.
    pub(crate) fn new(config: Config, bound_port: u16) -> Result<Self, Box<dyn std::error::Error>> {
        let keys = keys::KeyStore::open(&config.server.state_dir)?;
        Ok(Self {
            issuer: config.issuer(bound_port),
            users: Users::new(&config.users),
            metrics: Metrics::default(),
            keys,
            config,
        })
    }

    fn endpoint(&self, path: &str) -> String {
        format!("{}{path}", self.issuer.trim_end_matches('/'))
    }
}

/// Entry point for each request of a connection: attaches the connection's facts, then routes.
pub(crate) async fn dispatch(
    router: Router,
    info: ConnInfo,
    mut req: hyper::Request<hyper::body::Incoming>,
) -> Result<Response, Infallible> {
    req.extensions_mut().insert(info);
    router.oneshot(req.map(Body::new)).await
}

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
    let peer = req.extensions().get::<ConnInfo>().map(|c| c.peer);
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
        peer = ?peer,
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

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let mut r = app.metrics.render().into_response();
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

async fn jwks(State(app): State<Arc<App>>) -> Response {
    todo_integration(&app, "jwks")
}

async fn token(State(app): State<Arc<App>>) -> Response {
    todo_integration(&app, "token")
}

async fn introspect(State(app): State<Arc<App>>) -> Response {
    todo_integration(&app, "introspect")
}

async fn api(State(app): State<Arc<App>>) -> Response {
    todo_integration(&app, "api")
}

fn todo_integration(_app: &App, what: &str) -> Response {
    (
        StatusCode::NOT_IMPLEMENTED,
        format!("{what}: waiting for core integration\n"),
    )
        .into_response()
}
