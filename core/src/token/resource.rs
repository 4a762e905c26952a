//! A protected resource's token policy, parsed from an operator's configuration: the algorithm
//! allow-list and the scopes each route prefix requires, and the validators that enforce them.
//!
//! Every adapter that guards a resource (the edge worker's `TOKEN_ALGORITHMS` / `ROUTE_SCOPES`,
//! the native server's `[resource]` `algorithms` / `route_scopes`) reads its own file format and
//! hands the values here, so names, checks, error texts and the longest-prefix rule are decided
//! once:
//!
//! ```
//! use certbound_core::token::resource::{RouteValidators, ScopeRoutes, parse_algorithms};
//! use certbound_core::token::{JwkSet, Validator};
//!
//! let algorithms = parse_algorithms(["ES256", "EdDSA", "ES256"])?;
//! let routes = ScopeRoutes::new([
//!     ("/".to_owned(), vec!["api".to_owned()]),
//!     ("/admin/".to_owned(), vec!["admin".to_owned(), "api".to_owned()]),
//! ])?;
//! assert_eq!(routes.scopes_for("/admin/users"), ["admin", "api"]);
//! assert_eq!(routes.scopes_for("/items"), ["api"]);
//!
//! # let jwks = JwkSet::from_json(br#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","alg":"ES256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#).unwrap();
//! let builder = Validator::builder("https://as.example", "https://api.example", jwks)
//!     .algorithms(&algorithms);
//! let validators = RouteValidators::build(&builder, &routes).expect("a usable key set");
//! let _for_admin = validators.for_path("/admin/users");
//! # Ok::<(), certbound_core::token::resource::PolicyError>(())
//! ```

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::jwk::truncate;
use super::{Algorithm, Validator, ValidatorBuilder, ValidatorBuilderError};

mod path;

pub use path::{MAX_PATH_BYTES, RequestPathError, canonical_path};

/// Most route prefixes a policy may list: each request scans them, so a bound keeps that cheap.
pub const MAX_ROUTES: usize = 64;

/// Why an operator's token policy cannot be used. `Display` says what is expected; adapters
/// prefix the name of their setting (`TOKEN_ALGORITHMS: …`, `` `resource.algorithms`: … ``).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyError {
    /// The algorithm allow-list names no algorithm.
    EmptyAlgorithms,
    /// A route prefix does not start with `/`.
    RoutePrefix {
        /// The prefix, truncated.
        prefix: String,
    },
    /// A route prefix is not in the canonical form requests are matched in
    /// ([`canonical_path`]), so it could never match, or match less than it says.
    NonCanonicalPrefix {
        /// The prefix, truncated.
        prefix: String,
        /// Its canonical form, or why it has none.
        canonical: Result<String, RequestPathError>,
    },
    /// A required scope is not an RFC 6749 §3.3 scope token.
    Scope {
        /// The route prefix it was listed for, truncated.
        prefix: String,
        /// The value, truncated.
        scope: String,
    },
    /// More route prefixes than [`MAX_ROUTES`].
    TooManyRoutes {
        /// How many were listed.
        count: usize,
    },
    /// An algorithm name certbound does not verify (`none`, `HS256`, a typo).
    UnknownAlgorithm {
        /// The name, truncated.
        name: String,
    },
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyAlgorithms => f.write_str("empty: list at least one algorithm, e.g. ES256"),
            Self::RoutePrefix { prefix } => {
                write!(f, "prefix {prefix:?} does not start with '/'")
            }
            Self::NonCanonicalPrefix {
                prefix,
                canonical: Ok(canonical),
            } => write!(
                f,
                "prefix {prefix:?} is matched against canonical request paths: write it as {canonical:?}"
            ),
            Self::NonCanonicalPrefix {
                prefix,
                canonical: Err(e),
            } => write!(f, "prefix {prefix:?}: {e}"),
            Self::Scope { prefix, scope } => write!(
                f,
                "prefix {prefix:?}: {scope:?} is not a scope (RFC 6749 §3.3: printable ASCII without space, '\"' or '\\\\')"
            ),
            Self::TooManyRoutes { count } => {
                write!(f, "{count} prefixes, over the limit of {MAX_ROUTES}")
            }
            Self::UnknownAlgorithm { name } => {
                write!(f, "{name:?} is not supported: expected one or more of ")?;
                for (i, a) in Algorithm::ALL.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(a.name())?;
                }
                Ok(())
            }
        }
    }
}

impl core::error::Error for PolicyError {}

/// Parses an algorithm allow-list: JWS names, case-sensitive (RFC 7515 §4.1.1), blanks skipped,
/// duplicates dropped, order kept.
///
/// # Errors
/// [`PolicyError::UnknownAlgorithm`] for the first name certbound does not verify,
/// [`PolicyError::EmptyAlgorithms`] when no name is left.
pub fn parse_algorithms<'a>(
    names: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Algorithm>, PolicyError> {
    let mut out = Vec::new();
    for name in names.into_iter().map(str::trim).filter(|n| !n.is_empty()) {
        let alg = Algorithm::from_name(name).ok_or_else(|| PolicyError::UnknownAlgorithm {
            name: truncate(name),
        })?;
        if !out.contains(&alg) {
            out.push(alg);
        }
    }
    if out.is_empty() {
        return Err(PolicyError::EmptyAlgorithms);
    }
    Ok(out)
}

/// The scopes one route prefix requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteScopes {
    prefix: String,
    scopes: Vec<String>,
}

impl RouteScopes {
    /// The path prefix, starting with `/`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The scopes a token must all grant (sorted, no duplicates).
    pub fn scopes(&self) -> &[String] {
        &self.scopes
    }
}

/// Required scopes per route prefix; the longest matching prefix decides, no match requires
/// none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopeRoutes {
    /// Longest prefix first.
    routes: Vec<RouteScopes>,
}

impl ScopeRoutes {
    /// Checks and orders `(prefix, scopes)` pairs.
    ///
    /// # Errors
    /// [`PolicyError::TooManyRoutes`], [`PolicyError::RoutePrefix`] for a prefix without the
    /// leading `/`, [`PolicyError::Scope`] for a value that is not a scope token.
    pub fn new(
        routes: impl IntoIterator<Item = (String, Vec<String>)>,
    ) -> Result<Self, PolicyError> {
        let routes: Vec<(String, Vec<String>)> = routes.into_iter().collect();
        if routes.len() > MAX_ROUTES {
            return Err(PolicyError::TooManyRoutes {
                count: routes.len(),
            });
        }
        let mut out: Vec<RouteScopes> = Vec::with_capacity(routes.len());
        for (prefix, scopes) in routes {
            if !prefix.starts_with('/') {
                return Err(PolicyError::RoutePrefix {
                    prefix: truncate(&prefix),
                });
            }
            match canonical_path(&prefix) {
                Ok(c) if c == prefix.as_str() => {}
                canonical => {
                    return Err(PolicyError::NonCanonicalPrefix {
                        canonical: canonical.map(|c| truncate(&c)),
                        prefix: truncate(&prefix),
                    });
                }
            }
            let mut set = BTreeSet::new();
            for scope in scopes {
                if !is_scope_token(&scope) {
                    return Err(PolicyError::Scope {
                        prefix: truncate(&prefix),
                        scope: truncate(&scope),
                    });
                }
                set.insert(scope);
            }
            out.retain(|r| r.prefix != prefix);
            out.push(RouteScopes {
                prefix,
                scopes: set.into_iter().collect(),
            });
        }
        // Longest prefix first: the most specific rule wins.
        out.sort_by(|a, b| {
            b.prefix
                .len()
                .cmp(&a.prefix.len())
                .then_with(|| a.prefix.cmp(&b.prefix))
        });
        Ok(Self { routes: out })
    }

    /// The routes, longest prefix first.
    pub fn routes(&self) -> &[RouteScopes] {
        &self.routes
    }

    /// Whether no route is configured.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// The scopes `path` requires: those of the longest matching prefix, none if none matches.
    /// `path` must be canonical ([`canonical_path`]): prefixes are.
    pub fn scopes_for(&self, path: &str) -> &[String] {
        self.route_for(path).map_or(&[], |i| &self.routes[i].scopes)
    }

    fn route_for(&self, path: &str) -> Option<usize> {
        self.routes
            .iter()
            .position(|r| path.starts_with(r.prefix.as_str()))
    }
}

/// RFC 6749 §3.3 `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
pub fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// One [`Validator`] per route prefix (each requiring that prefix's scopes) plus a default one
/// for paths no prefix matches; built once per key set.
#[derive(Debug, Clone)]
pub struct RouteValidators {
    default: Validator,
    routes: ScopeRoutes,
    /// Same order as `routes.routes`.
    validators: Vec<Validator>,
}

impl RouteValidators {
    /// Builds the validators from `builder` (issuer, audience, keys, algorithms, leeway,
    /// binding), replacing its required scopes with each route's.
    ///
    /// # Errors
    /// [`ValidatorBuilderError`] from the builder, e.g. an empty key set.
    pub fn build(
        builder: &ValidatorBuilder,
        routes: &ScopeRoutes,
    ) -> Result<Self, ValidatorBuilderError> {
        let default = builder
            .clone()
            .required_scopes(Vec::<String>::new())
            .build()?;
        let validators = routes
            .routes
            .iter()
            .map(|r| builder.clone().required_scopes(r.scopes.clone()).build())
            .collect::<Result<_, _>>()?;
        Ok(Self {
            default,
            routes: routes.clone(),
            validators,
        })
    }

    /// The validator for `path`: the longest matching route prefix's, else the default. `path`
    /// must be canonical ([`canonical_path`]), and the request forwarded with that path.
    pub fn for_path(&self, path: &str) -> &Validator {
        self.routes
            .route_for(path)
            .and_then(|i| self.validators.get(i))
            .unwrap_or(&self.default)
    }
}

#[cfg(test)]
mod tests {
    use alloc::borrow::ToOwned;
    use alloc::string::ToString;
    use alloc::vec;

    use super::*;

    fn route(prefix: &str, scopes: &[&str]) -> (String, Vec<String>) {
        (
            prefix.to_owned(),
            scopes.iter().map(|s| (*s).to_owned()).collect(),
        )
    }

    // Intent: names are exact JWS names; blanks and duplicates vanish; the order is kept.
    #[test]
    fn algorithm_lists() {
        assert_eq!(
            parse_algorithms(["EdDSA", " ES256", "", "EdDSA"]),
            Ok(vec![Algorithm::EdDsa, Algorithm::Es256])
        );
        assert_eq!(
            parse_algorithms(["ES256", "none"]).unwrap_err().to_string(),
            "\"none\" is not supported: expected one or more of EdDSA, ES256, ES384, PS256, RS256"
        );
        assert!(parse_algorithms(["es256"]).is_err());
        assert_eq!(
            parse_algorithms([" ", ""]).unwrap_err().to_string(),
            "empty: list at least one algorithm, e.g. ES256"
        );
    }

    // Intent: a prefix must be a canonical path, since requests are matched in canonical form;
    // the error says how to write it.
    #[test]
    fn prefixes_are_canonical() {
        let err = |p: &str| {
            ScopeRoutes::new([route(p, &["a"])])
                .expect_err(p)
                .to_string()
        };
        assert_eq!(
            err("/%61dmin/"),
            "prefix \"/%61dmin/\" is matched against canonical request paths: write it as \"/admin/\""
        );
        assert_eq!(
            err("//admin"),
            "prefix \"//admin\" is matched against canonical request paths: write it as \"/admin\""
        );
        assert_eq!(
            err("/a%2Fb/"),
            "prefix \"/a%2Fb/\": request path has %2F at byte 2: an encoded '/', '\\' or control character could be decoded into path structure behind the gateway"
        );
        assert!(ScopeRoutes::new([route("/a%20b/", &["a"]), route("/admin", &["a"])]).is_ok());
    }

    // Intent: the longest matching prefix decides; no match requires nothing.
    #[test]
    fn longest_prefix_wins() {
        let r = ScopeRoutes::new([
            route("/", &["api"]),
            route("/admin/", &["api", "admin", "admin"]),
            route("/admin/audit/", &["audit"]),
        ])
        .unwrap();
        assert_eq!(r.scopes_for("/items"), ["api"]);
        assert_eq!(r.scopes_for("/admin/users"), ["admin", "api"]);
        assert_eq!(r.scopes_for("/admin/audit/log"), ["audit"]);
        let only_admin = ScopeRoutes::new([route("/admin/", &["admin"])]).unwrap();
        assert!(only_admin.scopes_for("/items").is_empty());
        assert!(ScopeRoutes::default().scopes_for("/").is_empty());
    }

    // Intent: every refusal names what is wrong.
    #[test]
    fn route_errors() {
        assert_eq!(
            ScopeRoutes::new([route("admin/", &["a"])])
                .unwrap_err()
                .to_string(),
            "prefix \"admin/\" does not start with '/'"
        );
        assert_eq!(
            ScopeRoutes::new([route("/a/", &["two words"])])
                .unwrap_err()
                .to_string(),
            "prefix \"/a/\": \"two words\" is not a scope (RFC 6749 §3.3: printable ASCII without space, '\"' or '\\\\')"
        );
        assert_eq!(
            ScopeRoutes::new([route("/a/", &[""])]).unwrap_err(),
            PolicyError::Scope {
                prefix: "/a/".into(),
                scope: String::new()
            }
        );
        let many = (0..=MAX_ROUTES).map(|i| (alloc::format!("/{i}"), Vec::new()));
        assert_eq!(
            ScopeRoutes::new(many).unwrap_err().to_string(),
            "65 prefixes, over the limit of 64"
        );
    }
}
