//! Loading client registrations from a file, for `certbound authenticate` and the server.
//!
//! The file is TOML (a `[[clients]]` array of tables) or JSON (`{"clients": […]}` or a bare
//! array), chosen by extension (`.toml`, `.json`) or else by content. Keys are the RFC 7591 /
//! RFC 8705 metadata names of [`RawClientRegistration`]. `certificates` entries that are not
//! inline PEM are file paths, read relative to the registration file's directory; core then
//! validates everything ([`ClientRegistry::from_raw`]).
//!
//! ```toml
//! [[clients]]
//! client_id = "billing"
//! token_endpoint_auth_method = "tls_client_auth"
//! tls_client_auth_subject_dn = "CN=billing,O=Acme,C=US"
//! tls_client_certificate_bound_access_tokens = true
//! scope = "invoices:read invoices:write"
//! grant_types = ["client_credentials"]
//!
//! [[clients]]
//! client_id = "device-7"
//! token_endpoint_auth_method = "self_signed_tls_client_auth"
//! certificates = ["certs/device-7.pem"]
//! ```

use std::io::Read as _;
use std::path::{Path, PathBuf};

use certbound_core::Error;
use certbound_core::client::{
    ClientAuthError, ClientLabel, ClientRegistry, RawClientRegistration, RegistrationProblem,
    parse_json_registrations,
};

/// Largest registration file or referenced certificate file read (4 MiB): far above any real
/// configuration; bounds memory when pointed at the wrong file.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The registration file's syntax.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Toml,
}

/// Why loading failed: core's verdict, or a file that could not be read.
#[derive(Debug)]
pub(crate) enum LoadError {
    Core(Error),
    Io { path: PathBuf, message: String },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Core(e) => e.fmt(f),
            Self::Io { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for LoadError {}

impl From<Error> for LoadError {
    fn from(e: Error) -> Self {
        Self::Core(e)
    }
}

/// Reads, parses, resolves and validates a registration file.
pub(crate) fn load(path: &Path) -> Result<ClientRegistry, LoadError> {
    let text = read_text(path)?;
    let base = path.parent().unwrap_or(Path::new("."));
    let raw = parse(&text, format_of(path, &text))?;
    let raw = resolve(raw, base)?;
    Ok(ClientRegistry::from_raw(raw)?)
}

fn format_of(path: &Path, text: &str) -> Format {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("toml") => return Format::Toml,
        Some(e) if e.eq_ignore_ascii_case("json") => return Format::Json,
        _ => {}
    }
    let t = text.trim_start();
    // `[[clients]]` and `[clients…` are TOML; `[{`, `[]` and `{` are JSON.
    if t.starts_with('{') {
        return Format::Json;
    }
    match t.strip_prefix('[').map(str::trim_start) {
        Some(rest) if rest.starts_with('{') || rest.starts_with(']') => Format::Json,
        _ => Format::Toml,
    }
}

fn parse(text: &str, format: Format) -> Result<Vec<RawClientRegistration>, Error> {
    match format {
        Format::Json => parse_json_registrations(text.as_bytes()),
        Format::Toml => parse_toml(text),
    }
}

fn file_error(message: String) -> Error {
    ClientAuthError::RegistrationFile { message }.into()
}

/// TOML into the same raw registrations core parses from JSON, with the same labelling.
fn parse_toml(text: &str) -> Result<Vec<RawClientRegistration>, Error> {
    let mut table: toml::Table = toml::from_str(text)
        .map_err(|e| file_error(format!("TOML: {}", e.to_string().trim_end())))?;
    if let Some(key) = table.keys().find(|k| *k != "clients") {
        return Err(file_error(format!(
            "unknown top-level key {key:?}: expected only [[clients]]"
        )));
    }
    let clients = match table.remove("clients") {
        None => Vec::new(),
        Some(toml::Value::Array(items)) => items,
        Some(_) => {
            return Err(file_error(
                "expected clients to be an array of tables ([[clients]])".to_owned(),
            ));
        }
    };
    raw_from_values(clients)
}

/// `[[clients]]` tables already parsed from a larger TOML file (the server's `certbound.toml`):
/// resolved relative to `base` and validated like [`load`].
pub(crate) fn from_toml_values(
    clients: Vec<toml::Value>,
    base: &Path,
) -> Result<ClientRegistry, LoadError> {
    let raw = resolve(raw_from_values(clients)?, base)?;
    Ok(ClientRegistry::from_raw(raw)?)
}

fn raw_from_values(clients: Vec<toml::Value>) -> Result<Vec<RawClientRegistration>, Error> {
    clients
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let label = ClientLabel::of(v.get("client_id").and_then(toml::Value::as_str), i);
            v.try_into().map_err(|e: toml::de::Error| {
                ClientAuthError::Registration {
                    client: label,
                    problem: RegistrationProblem::Syntax {
                        message: e.message().trim_end().to_owned(),
                    },
                }
                .into()
            })
        })
        .collect()
}

/// Replaces `certificates` paths with the PEM text of the files, relative to `base`.
fn resolve(
    mut raw: Vec<RawClientRegistration>,
    base: &Path,
) -> Result<Vec<RawClientRegistration>, LoadError> {
    for r in &mut raw {
        r.resolve_certificate_paths(|p| read_text(&base.join(p)))?;
    }
    Ok(raw)
}

fn read_text(path: &Path) -> Result<String, LoadError> {
    let io = |message: String| LoadError::Io {
        path: path.to_owned(),
        message,
    };
    let mut buf = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf))
        .map_err(|e| io(e.to_string()))?;
    if buf.len() as u64 > MAX_FILE_BYTES {
        return Err(io(format!("larger than {MAX_FILE_BYTES} bytes")));
    }
    String::from_utf8(buf).map_err(|_| io("not UTF-8 text".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory under the system temp dir.
    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "certbound-registrations-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn self_signed_pem() -> String {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        rcgen::CertificateParams::new(vec!["device.example".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap()
            .pem()
    }

    #[test]
    fn toml_with_relative_certificate_paths_loads() {
        // Intent: [[clients]] tables deserialize into core's types; paths resolve next to the file.
        let dir = temp_dir("toml");
        std::fs::create_dir_all(dir.join("certs")).unwrap();
        let pem = self_signed_pem();
        std::fs::write(dir.join("certs/device.pem"), &pem).unwrap();
        let file = dir.join("clients.toml");
        std::fs::write(
            &file,
            r#"
[[clients]]
client_id = "billing"
token_endpoint_auth_method = "tls_client_auth"
tls_client_auth_subject_dn = "cn=billing,O=Acme"
scope = "a b"

[[clients]]
client_id = "device-7"
token_endpoint_auth_method = "self_signed_tls_client_auth"
certificates = ["certs/device.pem"]
"#,
        )
        .unwrap();
        let registry = load(&file).unwrap();
        assert_eq!(registry.len(), 2);
        let billing = registry.get("billing").unwrap();
        assert_eq!(billing.matcher().unwrap().to_string(), "CN=billing,O=Acme");
        assert_eq!(billing.scope(), ["a", "b"]);
        let device = registry.get("device-7").unwrap();
        let expected = certbound_core::Certificate::from_pem(pem.as_bytes()).unwrap();
        assert_eq!(device.certificates(), [expected]);
    }

    #[test]
    fn toml_errors_name_the_client_and_key() {
        // Intent: a typo'd key and two matchers are load errors with core's wording.
        let dir = temp_dir("toml-errors");
        let file = dir.join("clients.toml");
        std::fs::write(
            &file,
            "[[clients]]\nclient_id = \"acme\"\ntoken_endpoint_auth_method = \"tls_client_auth\"\ntls_client_auth_san_dsn = \"a\"\n",
        )
        .unwrap();
        let e = load(&file).unwrap_err().to_string();
        assert!(
            e.starts_with("client \"acme\": unknown field `tls_client_auth_san_dsn`, expected one of `client_id`"),
            "{e}"
        );
        std::fs::write(
            &file,
            "[[clients]]\nclient_id = \"acme\"\ntoken_endpoint_auth_method = \"tls_client_auth\"\ntls_client_auth_san_dns = \"a\"\ntls_client_auth_subject_dn = \"CN=a\"\n",
        )
        .unwrap();
        assert_eq!(
            load(&file).unwrap_err().to_string(),
            "client \"acme\": tls_client_auth_san_dns and tls_client_auth_subject_dn are both set; RFC 8705 §2.1.2 allows exactly one"
        );
        std::fs::write(
            &file,
            "[[clients]]\nclient_id = \"d\"\ntoken_endpoint_auth_method = \"self_signed_tls_client_auth\"\ncertificates = [\"missing.pem\"]\n",
        )
        .unwrap();
        let e = load(&file).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!("{}: ", dir.join("missing.pem").display())),
            "{e}"
        );
    }

    #[test]
    fn format_is_chosen_by_extension_then_content() {
        // Intent: `[[clients]]` is TOML, `[{`/`{` JSON, whatever the file is called.
        let p = Path::new("clients");
        assert_eq!(format_of(p, "[[clients]]\n"), Format::Toml);
        assert_eq!(format_of(p, "  [ {\"client_id\":1}]"), Format::Json);
        assert_eq!(format_of(p, "[]"), Format::Json);
        assert_eq!(format_of(p, "{\"clients\":[]}"), Format::Json);
        assert_eq!(format_of(Path::new("c.json"), "[[clients]]"), Format::Json);
        assert_eq!(format_of(Path::new("c.TOML"), "{}"), Format::Toml);
    }
}
