//! The worker's configuration: `wrangler.toml` `[vars]` and secrets, parsed once into [`Config`].
//!
//! Every value is checked here, at the first request of an isolate, so that a typo is a 500 page
//! for the operator naming the variable, never a request that is silently let through. Names and
//! defaults are documented in `edge-worker/README.md`.

use core::fmt;

use certbound_core::forwarded::CertSource;
use certbound_core::path::TrustStore;
use certbound_core::token::cache::DEFAULT_CACHE_ENTRIES;
use certbound_core::token::resource::{ScopeRoutes, parse_algorithms};
use certbound_core::token::{Algorithm, DEFAULT_LEEWAY_SECS, JwkSet, MAX_LEEWAY_SECS};

use crate::whatwg::{self, OriginUrl, ParsedUrl};

/// Longest accepted value of any variable: a JWKS or a trust-anchor bundle is the largest thing
/// an operator puts into a variable; Cloudflare itself caps a variable at 5 KiB and a secret at
/// 5 KiB, so this only guards against a binding that is not a plain variable at all.
pub const MAX_VAR_BYTES: usize = 256 * 1024;

/// Smallest `JWKS_MIN_REFRESH_SECONDS`: a flood of tokens with random `kid`s may cause at most one
/// JWKS fetch per this many seconds per isolate.
pub const MIN_REFRESH_FLOOR_SECONDS: u64 = 1;

/// Largest `TOKEN_CACHE_ENTRIES`: tokens of at most 4 KiB each (core's
/// `MAX_CACHED_TOKEN_BYTES`), so the cache stays well inside an isolate's 128 MB.
pub const MAX_TOKEN_CACHE_ENTRIES: u64 = 8192;

/// Where the client certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertSourceConfig {
    /// Cloudflare's own mTLS termination: `request.cf.tlsClientAuth` plus the
    /// `Cf-Client-Cert-Der-Base64` header.
    Cloudflare(CloudflarePolicy),
    /// A proxy in front of the worker forwards the certificate in a header (core's decoder).
    Header(CertSource),
}

/// What the worker demands of Cloudflare's client-certificate verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudflarePolicy {
    /// Require `certVerified == "SUCCESS"` (`CF_REQUIRE_VERIFIED`, default `true`).
    pub require_verified: bool,
    /// When `Cf-Client-Cert-Der-Base64` is absent (Cloudflare sends it on the first request of a
    /// connection only), check the token binding against `certFingerprintSHA256`, the SHA-256 of
    /// the DER and so the `x5t#S256` bytes (`CF_ALLOW_FINGERPRINT_ONLY`, default `true`).
    /// With `false`, or when trust anchors are configured, such a request is refused with 401.
    pub allow_fingerprint_only: bool,
}

/// Where the token-signing keys come from.
#[derive(Debug, Clone)]
pub enum JwksConfig {
    /// An inline JWK Set (`JWKS_JSON`, a variable or a secret).
    Inline(JwkSet),
    /// Fetched from `JWKS_URI` and cached in the isolate.
    Remote {
        /// The URL (https, or http to a loopback address for local testing).
        uri: String,
        /// How long a fetched set is used before it is fetched again (`JWKS_CACHE_TTL_SECONDS`).
        ttl_seconds: u64,
        /// Least time between two fetches, whatever the tokens say (`JWKS_MIN_REFRESH_SECONDS`).
        min_refresh_seconds: u64,
    },
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Certificate source and its policy.
    pub source: CertSourceConfig,
    /// Trust anchors for chain validation in the worker (`TRUST_ANCHORS_PEM`), the same
    /// validator the native server uses.
    pub trust_anchors: Option<TrustStore>,
    /// Expected `iss`.
    pub issuer: String,
    /// This API's identifier, which the token's `aud` must contain.
    pub audience: String,
    /// Accepted JWS algorithms.
    pub algorithms: Vec<Algorithm>,
    /// Clock-skew allowance for `exp`/`nbf`/`iat`.
    pub leeway_seconds: u64,
    /// Required scopes per path prefix (core's longest-prefix policy).
    pub routes: ScopeRoutes,
    /// The signing keys.
    pub jwks: JwksConfig,
    /// Origin to forward to (`ORIGIN_URL`); `None` passes the request through to its own URL.
    pub origin: Option<OriginUrl>,
    /// Accept tokens without `cnf` (`DANGER_ALLOW_UNBOUND_TOKENS`, default `false`).
    pub danger_allow_unbound: bool,
    /// `realm` of the `WWW-Authenticate` challenge (`AUTH_REALM`, default none).
    pub realm: Option<String>,
    /// Verified tokens kept per isolate (`TOKEN_CACHE_ENTRIES`, default core's
    /// `DEFAULT_CACHE_ENTRIES`; 0 disables the cache).
    pub token_cache_entries: usize,
}

/// A configuration variable that is missing or wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    /// Two variables that exclude each other are both set.
    Conflict {
        /// One variable.
        first: &'static str,
        /// The other.
        second: &'static str,
    },
    /// A variable has a value the worker cannot use.
    Invalid {
        /// The variable.
        var: &'static str,
        /// What was wrong and what is expected.
        reason: String,
    },
    /// A required variable is not set.
    Missing {
        /// The variable.
        var: &'static str,
        /// What it should contain.
        expected: &'static str,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Conflict { first, second } => {
                write!(
                    f,
                    "{first} and {second} are both set: set exactly one of them"
                )
            }
            Self::Invalid { var, reason } => write!(f, "{var}: {reason}"),
            Self::Missing { var, expected } => {
                write!(f, "{var} is not set: expected {expected}")
            }
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Parses the configuration from a variable lookup (`env` in the worker, a map in tests).
    ///
    /// # Errors
    /// [`ConfigError`] naming the first variable that is missing or wrong.
    pub fn from_vars(lookup: impl Fn(&'static str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(&lookup);
        let source = match vars.required("CERT_SOURCE", CERT_SOURCE_EXPECTED)?.as_str() {
            "cloudflare" => {
                let trust = vars.optional("TRUST_ANCHORS_PEM")?.is_some();
                CertSourceConfig::Cloudflare(CloudflarePolicy {
                    require_verified: vars.flag("CF_REQUIRE_VERIFIED", true)?,
                    allow_fingerprint_only: vars.flag("CF_ALLOW_FINGERPRINT_ONLY", !trust)?,
                })
            }
            other => CertSourceConfig::Header(other.parse::<CertSource>().map_err(|_| {
                ConfigError::Invalid {
                    var: "CERT_SOURCE",
                    reason: format!(
                        "unknown source {:?}: expected {CERT_SOURCE_EXPECTED}",
                        clip(other)
                    ),
                }
            })?),
        };
        let trust_anchors =
            match vars.optional("TRUST_ANCHORS_PEM")? {
                None => None,
                Some(pem) => Some(TrustStore::from_pem(pem.as_bytes()).map_err(|e| {
                    ConfigError::Invalid {
                        var: "TRUST_ANCHORS_PEM",
                        reason: e.to_string(),
                    }
                })?),
            };
        let issuer = vars.required("TOKEN_ISSUER", "the authorization server's issuer URL")?;
        let audience = vars.required(
            "TOKEN_AUDIENCE",
            "this API's identifier as the issuer puts it in aud",
        )?;
        let algorithms = match vars.optional("TOKEN_ALGORITHMS")? {
            None => vec![Algorithm::Es256],
            Some(text) => parse_algorithms(text.split(',')).map_err(|e| ConfigError::Invalid {
                var: "TOKEN_ALGORITHMS",
                reason: format!("{e} (comma-separated)"),
            })?,
        };
        let leeway_seconds = vars.number("TOKEN_LEEWAY_SECONDS", DEFAULT_LEEWAY_SECS)?;
        if leeway_seconds > MAX_LEEWAY_SECS {
            return Err(ConfigError::Invalid {
                var: "TOKEN_LEEWAY_SECONDS",
                reason: format!(
                    "{leeway_seconds} is over the maximum of {MAX_LEEWAY_SECS} seconds"
                ),
            });
        }
        let routes = match vars.optional("ROUTE_SCOPES")? {
            None => ScopeRoutes::default(),
            Some(text) => parse_routes(&text)?,
        };
        let jwks = match (vars.optional("JWKS_JSON")?, vars.optional("JWKS_URI")?) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::Conflict {
                    first: "JWKS_JSON",
                    second: "JWKS_URI",
                });
            }
            (None, None) => {
                return Err(ConfigError::Missing {
                    var: "JWKS_URI",
                    expected: "the issuer's JWKS URL, or the JWK Set itself in JWKS_JSON",
                });
            }
            (Some(json), None) => {
                JwksConfig::Inline(JwkSet::from_json(json.as_bytes()).map_err(|e| {
                    ConfigError::Invalid {
                        var: "JWKS_JSON",
                        reason: e.to_string(),
                    }
                })?)
            }
            (None, Some(uri)) => {
                check_url("JWKS_URI", &uri)?;
                let ttl_seconds = vars.number("JWKS_CACHE_TTL_SECONDS", 300)?;
                let min_refresh_seconds = vars.number("JWKS_MIN_REFRESH_SECONDS", 30)?;
                if min_refresh_seconds < MIN_REFRESH_FLOOR_SECONDS {
                    return Err(ConfigError::Invalid {
                        var: "JWKS_MIN_REFRESH_SECONDS",
                        reason: format!("must be at least {MIN_REFRESH_FLOOR_SECONDS}"),
                    });
                }
                JwksConfig::Remote {
                    uri,
                    ttl_seconds,
                    min_refresh_seconds,
                }
            }
        };
        let origin = match vars.optional("ORIGIN_URL")? {
            None => None,
            Some(text) => {
                let url = check_url("ORIGIN_URL", &text)?;
                Some(
                    OriginUrl::from_href(&url.href).ok_or_else(|| ConfigError::Invalid {
                        var: "ORIGIN_URL",
                        reason: format!("{:?} is not a URL: no authority", clip(&text)),
                    })?,
                )
            }
        };
        // Signatures are verified with WebCrypto only: pure-Rust verification is not built into
        // the worker (it was 3-5x slower and most of the module's size). A configuration still
        // asking for it is refused rather than silently served another way.
        match vars.optional("CRYPTO_PROVIDER")?.as_deref() {
            None | Some("webcrypto") => {}
            Some(other) => {
                return Err(ConfigError::Invalid {
                    var: "CRYPTO_PROVIDER",
                    reason: format!(
                        "{:?}: only webcrypto is built into the worker (remove the variable)",
                        clip(other)
                    ),
                });
            }
        }
        let danger_allow_unbound = vars.flag("DANGER_ALLOW_UNBOUND_TOKENS", false)?;
        let realm = vars.optional("AUTH_REALM")?;
        let token_cache_entries =
            vars.number("TOKEN_CACHE_ENTRIES", DEFAULT_CACHE_ENTRIES as u64)?;
        if token_cache_entries > MAX_TOKEN_CACHE_ENTRIES {
            return Err(ConfigError::Invalid {
                var: "TOKEN_CACHE_ENTRIES",
                reason: format!(
                    "{token_cache_entries} is over the maximum of {MAX_TOKEN_CACHE_ENTRIES} (0 disables the cache)"
                ),
            });
        }
        // At most MAX_TOKEN_CACHE_ENTRIES, which fits any usize.
        #[allow(clippy::cast_possible_truncation)]
        let token_cache_entries = token_cache_entries as usize;
        Ok(Self {
            token_cache_entries,
            danger_allow_unbound,
            realm,
            source,
            trust_anchors,
            issuer,
            audience,
            algorithms,
            leeway_seconds,
            routes,
            jwks,
            origin,
        })
    }

    /// The scopes required for `path`: those of the longest matching prefix, none if no prefix
    /// matches.
    pub fn scopes_for(&self, path: &str) -> &[String] {
        self.routes.scopes_for(path)
    }
}

const CERT_SOURCE_EXPECTED: &str =
    "one of cloudflare, rfc9440, envoy, nginx, aws-alb, traefik, haproxy, azure";

struct Vars<'a, F>(&'a F);

impl<F: Fn(&'static str) -> Option<String>> Vars<'_, F> {
    fn optional(&self, var: &'static str) -> Result<Option<String>, ConfigError> {
        match (self.0)(var) {
            None => Ok(None),
            Some(v) if v.len() > MAX_VAR_BYTES => Err(ConfigError::Invalid {
                var,
                reason: format!("{} bytes, over the limit of {MAX_VAR_BYTES}", v.len()),
            }),
            Some(v) if v.trim().is_empty() => Ok(None),
            Some(v) => Ok(Some(v.trim().to_owned())),
        }
    }

    fn required(&self, var: &'static str, expected: &'static str) -> Result<String, ConfigError> {
        self.optional(var)?
            .ok_or(ConfigError::Missing { var, expected })
    }

    fn flag(&self, var: &'static str, default: bool) -> Result<bool, ConfigError> {
        match self.optional(var)?.as_deref() {
            None => Ok(default),
            Some("true") => Ok(true),
            Some("false") => Ok(false),
            Some(other) => Err(ConfigError::Invalid {
                var,
                reason: format!("{:?}: expected true or false", clip(other)),
            }),
        }
    }

    fn number(&self, var: &'static str, default: u64) -> Result<u64, ConfigError> {
        match self.optional(var)? {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| ConfigError::Invalid {
                var,
                reason: format!("{:?}: expected a whole number of seconds", clip(&text)),
            }),
        }
    }
}

/// `ROUTE_SCOPES` is a JSON object `{"/prefix": ["scope", …], …}`; core checks the prefixes and
/// scopes and orders them.
fn parse_routes(text: &str) -> Result<ScopeRoutes, ConfigError> {
    let invalid = |reason: String| ConfigError::Invalid {
        var: "ROUTE_SCOPES",
        reason,
    };
    let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).map_err(|e| {
        invalid(format!(
            "not a JSON object of path prefix to scope list ({e}); example: {{\"/admin/\": [\"admin\"]}}"
        ))
    })?;
    let mut routes = Vec::with_capacity(map.len());
    for (prefix, value) in map {
        let items = value
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect::<Option<Vec<String>>>()
            })
            .ok_or_else(|| {
                invalid(format!(
                    "prefix {:?}: expected a list of scope strings",
                    clip(&prefix)
                ))
            })?;
        routes.push((prefix, items));
    }
    ScopeRoutes::new(routes).map_err(|e| invalid(e.to_string()))
}

/// https anywhere; plain http only to a loopback host (local development and tests).
/// Parsed by the runtime's WHATWG URL parser (the one `fetch` uses).
fn check_url(var: &'static str, text: &str) -> Result<ParsedUrl, ConfigError> {
    let url = whatwg::parse(text).map_err(|e| ConfigError::Invalid {
        var,
        reason: format!("{:?} is not a URL: {e}", clip(text)),
    })?;
    let loopback = matches!(url.host.as_str(), "127.0.0.1" | "localhost" | "[::1]");
    match url.scheme.as_str() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(ConfigError::Invalid {
            var,
            reason: format!(
                "{:?}: expected an https:// URL (http:// only to 127.0.0.1 or localhost)",
                clip(text)
            ),
        }),
    }
}

/// At most 64 bytes of an operator's value in a message (cut at a character boundary).
fn clip(text: &str) -> &str {
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","alg":"ES256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

    fn vars(pairs: &[(&'static str, &str)]) -> HashMap<&'static str, String> {
        let mut m: HashMap<&'static str, String> = [
            ("CERT_SOURCE", "cloudflare"),
            ("TOKEN_ISSUER", "https://as.example"),
            ("TOKEN_AUDIENCE", "https://api.example"),
            ("JWKS_JSON", JWKS),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect();
        for (k, v) in pairs {
            m.insert(k, (*v).to_owned());
        }
        m
    }

    fn parse(pairs: &[(&'static str, &str)]) -> Result<Config, ConfigError> {
        let m = vars(pairs);
        Config::from_vars(|k| m.get(k).cloned())
    }

    // Intent: the minimal configuration gets the secure defaults.
    #[test]
    fn defaults_are_strict() {
        let c = parse(&[]).unwrap();
        assert_eq!(
            c.source,
            CertSourceConfig::Cloudflare(CloudflarePolicy {
                require_verified: true,
                allow_fingerprint_only: true
            })
        );
        assert_eq!(c.algorithms, vec![Algorithm::Es256]);
        assert_eq!(c.leeway_seconds, DEFAULT_LEEWAY_SECS);
        assert!(!c.danger_allow_unbound);
        assert!(c.trust_anchors.is_none());
        assert!(c.origin.is_none());
        assert_eq!(c.token_cache_entries, DEFAULT_CACHE_ENTRIES);
        assert_eq!(
            parse(&[("TOKEN_CACHE_ENTRIES", "0")])
                .unwrap()
                .token_cache_entries,
            0
        );
    }

    // Intent: each wrong variable is named, with what is expected, in the operator's message.
    #[test]
    fn errors_name_the_variable() {
        let cases: &[(&[(&'static str, &str)], &str)] = &[
            (
                &[("CERT_SOURCE", "apache")],
                "CERT_SOURCE: unknown source \"apache\": expected one of cloudflare, rfc9440, envoy, nginx, aws-alb, traefik, haproxy, azure",
            ),
            (
                &[("TOKEN_ALGORITHMS", "ES256,none")],
                "TOKEN_ALGORITHMS: \"none\" is not supported: expected one or more of EdDSA, ES256, ES384, PS256, RS256 (comma-separated)",
            ),
            (
                &[("TOKEN_LEEWAY_SECONDS", "301")],
                "TOKEN_LEEWAY_SECONDS: 301 is over the maximum of 300 seconds",
            ),
            (
                &[("JWKS_URI", "https://as.example/jwks")],
                "JWKS_JSON and JWKS_URI are both set: set exactly one of them",
            ),
            (
                &[("CF_REQUIRE_VERIFIED", "yes")],
                "CF_REQUIRE_VERIFIED: \"yes\": expected true or false",
            ),
            (
                &[("ROUTE_SCOPES", r#"{"admin/": ["a"]}"#)],
                "ROUTE_SCOPES: prefix \"admin/\" does not start with '/'",
            ),
            (
                &[("CRYPTO_PROVIDER", "openssl")],
                "CRYPTO_PROVIDER: \"openssl\": only webcrypto is built into the worker (remove the variable)",
            ),
            (
                &[("CRYPTO_PROVIDER", "rustcrypto")],
                "CRYPTO_PROVIDER: \"rustcrypto\": only webcrypto is built into the worker (remove the variable)",
            ),
            (
                &[("TOKEN_CACHE_ENTRIES", "8193")],
                "TOKEN_CACHE_ENTRIES: 8193 is over the maximum of 8192 (0 disables the cache)",
            ),
        ];
        for (pairs, expected) in cases {
            assert_eq!(parse(pairs).unwrap_err().to_string(), *expected);
        }
        let m = vars(&[]);
        let err = Config::from_vars(|k| (k != "TOKEN_ISSUER").then(|| m.get(k).cloned()).flatten())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "TOKEN_ISSUER is not set: expected the authorization server's issuer URL"
        );
    }

    // Intent: URL variables are parsed by the Workers runtime (https required, http only to
    // loopback: test/config.test.mjs); a native build has no URL parser and refuses them.
    #[test]
    fn native_build_refuses_url_variables() {
        let mut m = vars(&[("JWKS_URI", "https://as.example/jwks")]);
        m.remove("JWKS_JSON");
        assert_eq!(
            Config::from_vars(|k| m.get(k).cloned())
                .unwrap_err()
                .to_string(),
            "JWKS_URI: \"https://as.example/jwks\" is not a URL: URLs are parsed by the Workers runtime, which this build does not run in"
        );
        assert!(parse(&[("ORIGIN_URL", "https://origin.example")]).is_err());
    }

    // Intent: the longest matching route prefix decides the required scopes.
    #[test]
    fn longest_prefix_wins() {
        let c = parse(&[(
            "ROUTE_SCOPES",
            r#"{"/": ["api"], "/admin/": ["admin", "api"], "/admin/audit/": ["audit"]}"#,
        )])
        .unwrap();
        assert_eq!(c.scopes_for("/items"), ["api"]);
        assert_eq!(c.scopes_for("/admin/users"), ["admin", "api"]);
        assert_eq!(c.scopes_for("/admin/audit/log"), ["audit"]);
        let none = parse(&[]).unwrap();
        assert!(none.scopes_for("/anything").is_empty());
    }

    // Intent: header sources parse through core's names, custom header names included.
    #[test]
    fn header_sources() {
        let c = parse(&[("CERT_SOURCE", "nginx:X-Client-Cert-Pem")]).unwrap();
        assert_eq!(
            c.source,
            CertSourceConfig::Header("nginx:X-Client-Cert-Pem".parse().unwrap())
        );
        // Trust anchors switch fingerprint-only binding off unless asked for explicitly.
        assert!(parse(&[("TRUST_ANCHORS_PEM", "not pem")]).is_err());
    }
}
