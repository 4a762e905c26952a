//! `[resource]`: `/api/` as a resource server for an external authorization server, with the
//! edge worker's options and core's policy (`token::resource`): the JWK Set is read and checked
//! once at start, one validator per route prefix.

use std::path::Path;

use certbound_core::token::jwk::MAX_JWKS_BYTES;
use certbound_core::token::resource::{RouteValidators, ScopeRoutes, parse_algorithms};
use certbound_core::token::{JwkSet, Validator, ValidatorBuilderError};

use super::config::{ConfigError, ResourceSection};

/// The realm of `/api/` challenges when `[resource]` sets none (and without `[resource]`).
pub(crate) const DEFAULT_REALM: &str = "certbound";

/// The loaded `[resource]` policy.
#[derive(Debug)]
pub(crate) struct Resource {
    /// One validator per route prefix, and the default.
    pub(crate) validators: RouteValidators,
    /// `realm` of the `WWW-Authenticate` challenge.
    pub(crate) realm: String,
}

impl Resource {
    /// Reads the JWK Set and builds the validators; every error names `file` (the
    /// configuration) and the key, and for the key set its own path.
    pub(crate) fn load(file: &Path, r: &ResourceSection) -> Result<Self, ConfigError> {
        let jwks_err = |m: String| {
            ConfigError::new(
                file,
                "resource.jwks_file",
                format!("{}: {m}", r.jwks_file.display()),
            )
        };
        let size = std::fs::metadata(&r.jwks_file)
            .map_err(|e| jwks_err(e.to_string()))?
            .len();
        if size > MAX_JWKS_BYTES as u64 {
            return Err(jwks_err(format!(
                "{size} bytes, over the limit of {MAX_JWKS_BYTES}"
            )));
        }
        let json = std::fs::read(&r.jwks_file).map_err(|e| jwks_err(e.to_string()))?;
        let keys = JwkSet::from_json(&json).map_err(|e| jwks_err(e.to_string()))?;
        // Config::check already refused these; parsed again here for the typed values.
        let algorithms = parse_algorithms(r.algorithms.iter().map(String::as_str))
            .map_err(|e| ConfigError::new(file, "resource.algorithms", e))?;
        let routes = ScopeRoutes::new(r.route_scopes.clone())
            .map_err(|e| ConfigError::new(file, "resource.route_scopes", e))?;
        let mut builder = Validator::builder(&*r.issuer, &*r.audience, keys)
            .algorithms(&algorithms)
            .leeway_secs(r.leeway_secs);
        if !r.require_binding {
            builder = builder.allow_unbound();
        }
        let validators = RouteValidators::build(&builder, &routes).map_err(|e| match e {
            ValidatorBuilderError::EmptyKeySet => jwks_err(e.to_string()),
            ValidatorBuilderError::EmptyIssuer => ConfigError::new(file, "resource.issuer", e),
            ValidatorBuilderError::EmptyAudience => ConfigError::new(file, "resource.audience", e),
            ValidatorBuilderError::LeewayTooLarge { .. } => {
                ConfigError::new(file, "resource.leeway_secs", e)
            }
            other => ConfigError::new(file, "resource", other),
        })?;
        Ok(Self {
            validators,
            realm: r.realm.clone().unwrap_or_else(|| DEFAULT_REALM.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::config::Config;
    use super::*;

    const JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","alg":"ES256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]}"#;

    fn dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("certbound-resource-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Parses a configuration with `[resource]` lines `extra` in `d`, then loads the resource.
    fn load(d: &Path, extra: &str) -> Result<Resource, String> {
        let text = format!(
            "[tls]\ncertificate = \"s.pem\"\nprivate_key = \"s.key\"\n\n[resource]\n\
             issuer = \"https://as.example\"\naudience = \"https://api.example\"\n\
             jwks_file = \"jwks.json\"\n{extra}"
        );
        let path = d.join("certbound.toml");
        let c = Config::parse(&path, &text).map_err(|e| e.to_string())?;
        let r = c.resource.as_ref().expect("[resource]");
        Resource::load(&path, r).map_err(|e| e.to_string())
    }

    // Intent: a working section loads with the worker's defaults; each bad value is refused at
    // start naming the configuration file, the key and, for the key set, the JWKS file.
    #[test]
    fn resource_errors_name_file_and_key() {
        let d = dir("errors");
        let cfg = d.join("certbound.toml").display().to_string();
        let jwks = d.join("jwks.json").display().to_string();
        std::fs::write(d.join("jwks.json"), JWKS).unwrap();
        let ok = load(&d, "route_scopes = { \"/api/admin/\" = [\"admin\"] }\n").unwrap();
        assert_eq!(ok.realm, "certbound");
        let cases: &[(&str, String)] = &[
            (
                "algorithms = [\"ES256\", \"HS256\"]\n",
                format!(
                    "{cfg}: `resource.algorithms`: \"HS256\" is not supported: expected one or more of EdDSA, ES256, ES384, PS256, RS256"
                ),
            ),
            (
                "algorithms = []\n",
                format!(
                    "{cfg}: `resource.algorithms`: empty: list at least one algorithm, e.g. ES256"
                ),
            ),
            (
                "leeway_secs = 301\n",
                format!("{cfg}: `resource.leeway_secs`: 301 is over the maximum of 300 seconds"),
            ),
            (
                "route_scopes = { \"api/\" = [\"a\"] }\n",
                format!("{cfg}: `resource.route_scopes`: prefix \"api/\" does not start with '/'"),
            ),
            (
                "realm = \"\"\n",
                format!("{cfg}: `resource.realm`: must be printable ASCII, not empty"),
            ),
        ];
        for (extra, expected) in cases {
            assert_eq!(load(&d, extra).unwrap_err(), *expected, "{extra}");
        }
        // The key set: missing, malformed, empty.
        std::fs::remove_file(d.join("jwks.json")).unwrap();
        let e = load(&d, "").unwrap_err();
        assert!(
            e.starts_with(&format!("{cfg}: `resource.jwks_file`: {jwks}: ")),
            "{e}"
        );
        std::fs::write(d.join("jwks.json"), "{\"keys\": 1}").unwrap();
        let e = load(&d, "").unwrap_err();
        assert!(
            e.starts_with(&format!("{cfg}: `resource.jwks_file`: {jwks}: ")),
            "{e}"
        );
        std::fs::write(d.join("jwks.json"), "{\"keys\": []}").unwrap();
        assert_eq!(
            load(&d, "").unwrap_err(),
            format!("{cfg}: `resource.jwks_file`: {jwks}: the JWKS has no keys")
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    // Intent: an unknown key in [resource] is refused by name (a typo never loosens policy).
    #[test]
    fn resource_unknown_key() {
        let d = dir("unknown");
        std::fs::write(d.join("jwks.json"), JWKS).unwrap();
        let e = load(&d, "require_bindings = false\n").unwrap_err();
        assert!(e.contains("unknown field `require_bindings`"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
