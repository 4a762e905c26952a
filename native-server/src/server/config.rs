//! `certbound.toml`: one file, validated once at start; every error names the file and the key.
//!
//! Relative paths are resolved against the directory holding the configuration file.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use certbound_core::token::resource::{ScopeRoutes, parse_algorithms};
use serde::Deserialize;

/// Default listen address of `certbound serve`.
pub(crate) const DEFAULT_LISTEN: &str = "127.0.0.1:8443";

/// The whole configuration file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// Listener, issuer, state and static files.
    #[serde(default)]
    pub(crate) server: ServerSection,
    /// Server certificate, client authentication and trust.
    pub(crate) tls: TlsSection,
    /// Accepting client certificates from a TLS-terminating proxy (off when absent).
    pub(crate) proxy: Option<ProxySection>,
    /// Access-token issuance.
    #[serde(default)]
    pub(crate) tokens: TokenSection,
    /// `/api/` as a resource server for an external authorization server (absent: `/api/`
    /// accepts this server's own tokens).
    pub(crate) resource: Option<ResourceSection>,
    /// Connection and request limits.
    #[serde(default)]
    pub(crate) limits: LimitsSection,
    /// Resource owners for the password grant.
    #[serde(default)]
    pub(crate) users: Vec<UserEntry>,
    /// Client registrations (RFC 7591 / RFC 8705 metadata names), loaded by `registrations`.
    #[serde(default)]
    pub(crate) clients: Vec<toml::Value>,
    /// Where the file was read from (set after parsing).
    #[serde(skip)]
    pub(crate) path: PathBuf,
}

/// `[server]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServerSection {
    /// Socket address to listen on.
    #[serde(default = "default_listen")]
    pub(crate) listen: SocketAddr,
    /// The authorization server's issuer identifier (RFC 8414 §2), an https URL.
    pub(crate) issuer: Option<String>,
    /// Directory of token-signing keys (created on first start).
    #[serde(default = "default_state_dir")]
    pub(crate) state_dir: PathBuf,
    /// Static files served at `/` (the built browser page), if present.
    pub(crate) www_dir: Option<PathBuf>,
    /// RFC 8705 §5 `mtls_endpoint_aliases`, published as given.
    #[serde(default)]
    pub(crate) mtls_endpoint_aliases: std::collections::BTreeMap<String, String>,
    /// Peers (CIDRs) `GET /metrics` answers; others get 403. Default: loopback only.
    #[serde(default = "default_metrics_peers")]
    pub(crate) metrics_peers: Vec<ipnet::IpNet>,
}

impl Default for ServerSection {
    fn default() -> Self {
        Self {
            listen: default_listen(),
            issuer: None,
            state_dir: default_state_dir(),
            www_dir: None,
            mtls_endpoint_aliases: std::collections::BTreeMap::new(),
            metrics_peers: default_metrics_peers(),
        }
    }
}

fn default_metrics_peers() -> Vec<ipnet::IpNet> {
    // Note: constants that parse; covered by the `minimal_defaults` unit test.
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .filter_map(|c| c.parse().ok())
        .collect()
}

fn default_listen() -> SocketAddr {
    #[allow(clippy::unwrap_used)] // Note: a constant that parses; covered by a unit test.
    DEFAULT_LISTEN.parse().unwrap()
}

fn default_state_dir() -> PathBuf {
    PathBuf::from("state")
}

/// Whether the TLS handshake asks for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum ClientAuthMode {
    /// Never ask (only forwarded certificates, if configured, authenticate clients).
    None,
    /// Ask; connections without a certificate still reach discovery and error answers.
    Optional,
    /// Ask and abort handshakes without a certificate.
    Required,
}

/// `[tls]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TlsSection {
    /// PEM file with the server certificate (leaf first, then intermediates).
    pub(crate) certificate: PathBuf,
    /// PEM file with the server's private key (PKCS#8, SEC1 or PKCS#1).
    pub(crate) private_key: PathBuf,
    /// Client-certificate request mode.
    #[serde(default = "default_client_auth")]
    pub(crate) client_auth: ClientAuthMode,
    /// PEM files of CA certificates trusted for `tls_client_auth` (also sent as hints).
    #[serde(default)]
    pub(crate) trust_anchors: Vec<PathBuf>,
    /// PEM files of CRLs for the trust anchors.
    #[serde(default)]
    pub(crate) crls: Vec<PathBuf>,
    /// Plain mTLS allow-list: if non-empty, only certificates whose `x5t#S256` is listed complete
    /// the handshake.
    #[serde(default)]
    pub(crate) allowed_thumbprints: Vec<String>,
    /// TLS session resumption (TLS 1.3 tickets, TLS 1.2 session IDs); `false` makes every
    /// connection a full handshake with a fresh CertificateVerify.
    #[serde(default = "default_true")]
    pub(crate) session_resumption: bool,
}

fn default_client_auth() -> ClientAuthMode {
    ClientAuthMode::Optional
}

/// `[proxy]`: client certificates forwarded by a TLS-terminating proxy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProxySection {
    /// How the proxy forwards the certificate (core `forwarded::CertSource` name).
    pub(crate) source: String,
    /// Peers (CIDRs) allowed to forward certificates; headers from anyone else are stripped.
    pub(crate) trusted_peers: Vec<ipnet::IpNet>,
}

/// `[tokens]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TokenSection {
    /// Access-token lifetime in seconds.
    #[serde(default = "default_lifetime")]
    pub(crate) lifetime_secs: u64,
    /// Bind every token to the client certificate, even for clients that don't ask for it.
    #[serde(default = "default_true")]
    pub(crate) require_binding: bool,
    /// `aud` of issued tokens and the audience `/api/` accepts (default: `ISSUER/api`).
    pub(crate) audience: Option<String>,
    /// Allowed clock skew in seconds when validating tokens and self-signed certificates.
    #[serde(default = "default_skew")]
    pub(crate) clock_skew_secs: u64,
    /// Verified tokens `/api/` remembers (core `TokenCache`: successes only, never past `exp`,
    /// keyed by validator, certificate and token); `0` turns the cache off.
    #[serde(default = "default_cache_entries")]
    pub(crate) cache_entries: usize,
}

impl Default for TokenSection {
    fn default() -> Self {
        Self {
            lifetime_secs: default_lifetime(),
            require_binding: true,
            audience: None,
            clock_skew_secs: default_skew(),
            cache_entries: default_cache_entries(),
        }
    }
}

fn default_lifetime() -> u64 {
    300
}
fn default_true() -> bool {
    true
}
fn default_cache_entries() -> usize {
    certbound_core::token::cache::DEFAULT_CACHE_ENTRIES
}

/// Largest `tokens.cache_entries`: at most 4 KiB per cached token, so ≤ 256 MiB worst case.
pub(crate) const MAX_CACHE_ENTRIES: usize = 65_536;

fn default_skew() -> u64 {
    30
}

/// `[resource]`: `/api/` accepts tokens of an external authorization server, with the edge
/// worker's options (`TOKEN_ISSUER` → `issuer`, `TOKEN_AUDIENCE` → `audience`,
/// `TOKEN_ALGORITHMS` → `algorithms`, `TOKEN_LEEWAY_SECONDS` → `leeway_secs`, `JWKS_JSON` →
/// `jwks_file`, `DANGER_ALLOW_UNBOUND_TOKENS` → `require_binding = false`, `ROUTE_SCOPES` →
/// `route_scopes`, `AUTH_REALM` → `realm`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ResourceSection {
    /// The authorization server's issuer: the token's exact `iss`.
    pub(crate) issuer: String,
    /// This API's identifier, which the token's `aud` must contain.
    pub(crate) audience: String,
    /// Accepted JWS algorithms (core `Algorithm` names), default `["ES256"]`.
    #[serde(default = "default_algorithms")]
    pub(crate) algorithms: Vec<String>,
    /// Clock-skew allowance for `exp`/`nbf`/`iat` in seconds (core's default 60, at most 300).
    #[serde(default = "default_leeway")]
    pub(crate) leeway_secs: u64,
    /// The authorization server's JWK Set, a JSON file read at start.
    pub(crate) jwks_file: PathBuf,
    /// Refuse tokens without `cnf` (default `true`).
    #[serde(default = "default_true")]
    pub(crate) require_binding: bool,
    /// Path prefix → scopes a token must all grant; the longest matching prefix decides.
    #[serde(default)]
    pub(crate) route_scopes: std::collections::BTreeMap<String, Vec<String>>,
    /// `realm` of the `WWW-Authenticate` challenge of `/api/` (default `certbound`).
    pub(crate) realm: Option<String>,
}

fn default_algorithms() -> Vec<String> {
    vec!["ES256".to_owned()]
}
fn default_leeway() -> u64 {
    certbound_core::token::DEFAULT_LEEWAY_SECS
}

/// `[limits]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LimitsSection {
    /// A TLS handshake must finish within this many seconds.
    #[serde(default = "default_handshake_timeout")]
    pub(crate) handshake_timeout_secs: u64,
    /// Request headers must arrive within this many seconds.
    #[serde(default = "default_header_timeout")]
    pub(crate) header_timeout_secs: u64,
    /// Concurrent connections; further connections are closed at once.
    #[serde(default = "default_max_connections")]
    pub(crate) max_connections: usize,
    /// Largest request head (request line + headers), in bytes (at least 8192).
    #[serde(default = "default_max_header_bytes")]
    pub(crate) max_header_bytes: usize,
    /// Largest request body, in bytes.
    #[serde(default = "default_max_body_bytes")]
    pub(crate) max_body_bytes: usize,
}

impl Default for LimitsSection {
    fn default() -> Self {
        Self {
            handshake_timeout_secs: default_handshake_timeout(),
            header_timeout_secs: default_header_timeout(),
            max_connections: default_max_connections(),
            max_header_bytes: default_max_header_bytes(),
            max_body_bytes: default_max_body_bytes(),
        }
    }
}

fn default_handshake_timeout() -> u64 {
    10
}
fn default_header_timeout() -> u64 {
    10
}
fn default_max_connections() -> usize {
    4096
}
/// Default largest request head (64 KiB): core's largest access token, a forwarded certificate
/// header and its chain header at core's limit, and 16 KiB for the rest. With less, the HTTP
/// layer would answer 431 to requests that core decides on (and the edge worker answers with
/// core's verdict), such as a token just over core's limit.
fn default_max_header_bytes() -> usize {
    certbound_core::token::MAX_TOKEN_BYTES
        + 2 * certbound_core::forwarded::DEFAULT_MAX_HEADER_BYTES
        + 16 * 1024
}
fn default_max_body_bytes() -> usize {
    16 * 1024
}

/// `[[users]]`: a resource owner for the password grant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserEntry {
    /// The username (`username` form parameter).
    pub(crate) username: String,
    /// Argon2 PHC string (`$argon2id$v=19$…`); the password itself is never stored.
    pub(crate) password_hash: String,
}

/// A configuration that could not be loaded: which file, which key, what was wrong.
#[derive(Debug)]
pub(crate) struct ConfigError {
    file: PathBuf,
    key: Option<String>,
    message: String,
}

impl ConfigError {
    pub(crate) fn new(file: &Path, key: impl Into<String>, message: impl fmt::Display) -> Self {
        Self {
            file: file.to_owned(),
            key: Some(key.into()),
            message: message.to_string(),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(k) => write!(f, "{}: `{k}`: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Largest configuration file read (1 MiB).
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

impl Config {
    /// Reads, parses and checks `path`.
    pub(crate) fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read(path).map_err(|e| ConfigError {
            file: path.to_owned(),
            key: None,
            message: e.to_string(),
        })?;
        if text.len() as u64 > MAX_CONFIG_BYTES {
            return Err(ConfigError {
                file: path.to_owned(),
                key: None,
                message: format!("larger than {MAX_CONFIG_BYTES} bytes"),
            });
        }
        let text = String::from_utf8(text).map_err(|_| ConfigError {
            file: path.to_owned(),
            key: None,
            message: "not UTF-8".to_owned(),
        })?;
        Self::parse(path, &text)
    }

    /// Parses `text` as if read from `path`, resolving relative paths against its directory.
    pub(crate) fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let mut c: Self = toml::from_str(text).map_err(|e| ConfigError {
            file: path.to_owned(),
            key: None,
            message: e.to_string().trim_end().to_owned(),
        })?;
        c.path = path.to_owned();
        let base = path.parent().unwrap_or(Path::new("."));
        let abs = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        abs(&mut c.server.state_dir);
        if let Some(w) = c.server.www_dir.as_mut() {
            abs(w);
        }
        abs(&mut c.tls.certificate);
        abs(&mut c.tls.private_key);
        c.tls.trust_anchors.iter_mut().for_each(abs);
        c.tls.crls.iter_mut().for_each(abs);
        if let Some(r) = c.resource.as_mut() {
            abs(&mut r.jwks_file);
        }
        c.check()?;
        Ok(c)
    }

    /// Directory of the configuration file (base of the `[[clients]]` paths).
    pub(crate) fn base_dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    fn check(&self) -> Result<(), ConfigError> {
        let err = |k: &str, m: &str| Err(ConfigError::new(&self.path, k, m));
        if let Some(i) = &self.server.issuer
            && !i.starts_with("https://")
        {
            return err("server.issuer", "must be an https URL (RFC 8414 §2)");
        }
        let max = super::keys::MAX_TOKEN_LIFETIME_SECS;
        if self.tokens.lifetime_secs == 0 || self.tokens.lifetime_secs > max {
            return Err(ConfigError::new(
                &self.path,
                "tokens.lifetime_secs",
                format!("must be between 1 and {max}"),
            ));
        }
        let max_skew = certbound_core::token::MAX_LEEWAY_SECS;
        if self.tokens.clock_skew_secs > max_skew {
            return Err(ConfigError::new(
                &self.path,
                "tokens.clock_skew_secs",
                format!("must be at most {max_skew}"),
            ));
        }
        if self.tokens.cache_entries > MAX_CACHE_ENTRIES {
            return Err(ConfigError::new(
                &self.path,
                "tokens.cache_entries",
                format!("must be at most {MAX_CACHE_ENTRIES} (0 turns the cache off)"),
            ));
        }
        if self.limits.max_header_bytes < 8192 {
            return err("limits.max_header_bytes", "must be at least 8192");
        }
        if self.limits.max_connections == 0 {
            return err("limits.max_connections", "must be at least 1");
        }
        if self.limits.handshake_timeout_secs == 0 || self.limits.header_timeout_secs == 0 {
            return err("limits", "timeouts must be at least 1 second");
        }
        if let Some(p) = &self.proxy
            && p.trusted_peers.is_empty()
        {
            return err(
                "proxy.trusted_peers",
                "must list at least one CIDR (remove [proxy] to disable forwarding)",
            );
        }
        if let Some(r) = &self.resource {
            self.check_resource(r)?;
        }
        for (i, u) in self.users.iter().enumerate() {
            if argon2::PasswordHash::new(&u.password_hash).is_err() {
                return Err(ConfigError::new(
                    &self.path,
                    format!("users[{i}].password_hash"),
                    "is not an Argon2 PHC string (`$argon2id$v=19$m=…`)",
                ));
            }
        }
        Ok(())
    }

    fn check_resource(&self, r: &ResourceSection) -> Result<(), ConfigError> {
        let err = |k: &str, m: String| Err(ConfigError::new(&self.path, k, m));
        if r.issuer.trim().is_empty() {
            return err(
                "resource.issuer",
                "is empty: set the authorization server's issuer".into(),
            );
        }
        if r.audience.trim().is_empty() {
            return err(
                "resource.audience",
                "is empty: set this API's identifier as the issuer puts it in aud".into(),
            );
        }
        if let Err(e) = parse_algorithms(r.algorithms.iter().map(String::as_str)) {
            return err("resource.algorithms", e.to_string());
        }
        let max_leeway = certbound_core::token::MAX_LEEWAY_SECS;
        if r.leeway_secs > max_leeway {
            return err(
                "resource.leeway_secs",
                format!(
                    "{} is over the maximum of {max_leeway} seconds",
                    r.leeway_secs
                ),
            );
        }
        if let Err(e) = ScopeRoutes::new(r.route_scopes.clone()) {
            return err("resource.route_scopes", e.to_string());
        }
        if let Some(realm) = &r.realm
            && (realm.is_empty() || !realm.bytes().all(|b| (0x20..0x7f).contains(&b)))
        {
            return err(
                "resource.realm",
                "must be printable ASCII, not empty".into(),
            );
        }
        Ok(())
    }

    /// The issuer: configured, or `https://localhost:PORT` for the port actually bound.
    pub(crate) fn issuer(&self, bound_port: u16) -> String {
        self.server
            .issuer
            .clone()
            .unwrap_or_else(|| format!("https://localhost:{bound_port}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "[tls]\ncertificate = \"s.pem\"\nprivate_key = \"s.key\"\n";

    // Intent: defaults are secure and relative paths resolve against the file's directory.
    #[test]
    fn minimal_defaults() {
        let c = Config::parse(Path::new("/etc/cb/certbound.toml"), MINIMAL).unwrap();
        assert_eq!(c.server.listen, DEFAULT_LISTEN.parse().unwrap());
        assert_eq!(c.tls.client_auth, ClientAuthMode::Optional);
        assert_eq!(c.tls.certificate, Path::new("/etc/cb/s.pem"));
        assert_eq!(c.server.state_dir, Path::new("/etc/cb/state"));
        assert!(c.proxy.is_none());
        assert!(c.tokens.require_binding);
        let loopback: Vec<ipnet::IpNet> =
            vec!["127.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        assert_eq!(c.server.metrics_peers, loopback);
        assert_eq!(c.limits.max_header_bytes, 64 * 1024);
        assert!(c.resource.is_none());
    }

    // Intent: an unknown key is refused with the file name and the key's name.
    #[test]
    fn unknown_key_named() {
        let text = format!("{MINIMAL}client_ath = \"required\"\n");
        let e = Config::parse(Path::new("c.toml"), &text)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml: TOML parse error at line 4"), "{e}");
        assert!(e.contains("unknown field `client_ath`"), "{e}");
    }

    // Intent: semantic checks name the key.
    #[test]
    fn semantic_errors_named() {
        let text = format!("{MINIMAL}[tokens]\nlifetime_secs = 0\n");
        let e = Config::parse(Path::new("c.toml"), &text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.toml: `tokens.lifetime_secs`: must be between 1 and 86400"
        );
        let text = format!("{MINIMAL}[[users]]\nusername = \"a\"\npassword_hash = \"plain\"\n");
        let e = Config::parse(Path::new("c.toml"), &text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.toml: `users[0].password_hash`: is not an Argon2 PHC string (`$argon2id$v=19$m=…`)"
        );
        let text = format!("{MINIMAL}[proxy]\nsource = \"xfcc\"\ntrusted_peers = []\n");
        let e = Config::parse(Path::new("c.toml"), &text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "c.toml: `proxy.trusted_peers`: must list at least one CIDR (remove [proxy] to disable forwarding)"
        );
    }
}
