//! The development PKI behind `certbound pki init` and a bare `certbound serve`: a CA, a server
//! certificate for `localhost`, one client of each RFC 8705 §2 method, a password-grant user and
//! a `certbound.toml` that registers them.
//!
//! Everything is generated locally with rcgen (ECDSA P-256); private keys are written with mode
//! 0600 and the user's password is printed once, only its Argon2id hash is stored.

use std::fmt;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SerialNumber,
};
use ring::rand::{SecureRandom, SystemRandom};
use time::{Duration, OffsetDateTime};

/// Validity of the dev CA: long enough to never bother a developer, short enough to be a dev CA.
const CA_VALIDITY_DAYS: i64 = 3650;
/// Validity of the server and client certificates.
const LEAF_VALIDITY_DAYS: i64 = 365;
/// Subject CN of the CA-signed client (registered for `tls_client_auth` by subject DN).
pub(crate) const PKI_CLIENT_CN: &str = "certbound-dev-client";
/// Organization of every dev certificate's subject.
pub(crate) const DEV_ORG: &str = "certbound dev";
/// client_id of the CA-signed client.
pub(crate) const PKI_CLIENT_ID: &str = "dev-pki-client";
/// client_id of the self-signed client.
pub(crate) const SELF_SIGNED_CLIENT_ID: &str = "dev-self-signed-client";
/// Username of the password-grant dev user.
pub(crate) const DEV_USER: &str = "alice";
/// Name of the configuration file written into the dev directory.
pub(crate) const CONFIG_FILE: &str = "certbound.toml";

/// File names inside a dev PKI directory.
pub(crate) mod files {
    pub(crate) const CA_CERT: &str = "ca.pem";
    pub(crate) const CA_KEY: &str = "ca.key";
    pub(crate) const SERVER_CERT: &str = "server.pem";
    pub(crate) const SERVER_KEY: &str = "server.key";
    pub(crate) const CLIENT_CERT: &str = "client.pem";
    pub(crate) const CLIENT_KEY: &str = "client.key";
    pub(crate) const SELF_SIGNED_CERT: &str = "self-signed-client.pem";
    pub(crate) const SELF_SIGNED_KEY: &str = "self-signed-client.key";
}

/// Why generating the dev PKI failed.
#[derive(Debug)]
pub(crate) enum PkiError {
    /// The directory already holds a configuration; refusing to overwrite it.
    Exists(PathBuf),
    /// Writing a file failed.
    Io(PathBuf, std::io::Error),
    /// rcgen refused the parameters (a bug: they are fixed here).
    Generate(&'static str, rcgen::Error),
    /// Hashing the password failed.
    Hash(argon2::password_hash::Error),
    /// The system random generator failed.
    Random,
}

impl fmt::Display for PkiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exists(p) => write!(
                f,
                "{} already exists: remove the directory or choose another one",
                p.display()
            ),
            Self::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Self::Generate(what, e) => {
                write!(f, "generating the {what} failed: {e} (please file a bug)")
            }
            Self::Hash(e) => write!(f, "hashing the dev user's password failed: {e}"),
            Self::Random => f.write_str("the system random number generator failed"),
        }
    }
}

impl std::error::Error for PkiError {}

/// What `init` generated: the password to show once.
#[derive(Debug)]
pub(crate) struct DevPki {
    /// The directory holding everything.
    pub(crate) dir: PathBuf,
    /// The dev user's password, shown once and never stored.
    pub(crate) password: String,
}

/// Random bytes from the OS.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N], PkiError> {
    let mut b = [0u8; N];
    SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| PkiError::Random)?;
    Ok(b)
}

/// A password of 20 characters from a 62-symbol alphabet (~119 bits).
fn generate_password() -> Result<String, PkiError> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::with_capacity(20);
    while out.len() < 20 {
        for b in random_bytes::<32>()? {
            // Rejection sampling: 248 = 4 * 62, so every accepted byte is unbiased.
            if b < 248 && out.len() < 20 {
                out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
            }
        }
    }
    Ok(out)
}

/// Argon2id PHC string of `password` with a random salt and the crate's default parameters.
pub(crate) fn hash_password(password: &str) -> Result<String, PkiError> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(&random_bytes::<16>()?).map_err(PkiError::Hash)?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(PkiError::Hash)
}

fn params(
    what: &'static str,
    sans: Vec<String>,
    cn: &str,
    days: i64,
) -> Result<CertificateParams, PkiError> {
    let mut p = CertificateParams::new(sans).map_err(|e| PkiError::Generate(what, e))?;
    // RDN order O, CN: rendered by RFC 4514 (last RDN first) as "CN=…,O=…". (rcgen's default
    // name holds a CN, which would otherwise keep the first position.)
    p.distinguished_name = DistinguishedName::new();
    p.distinguished_name.push(DnType::OrganizationName, DEV_ORG);
    p.distinguished_name.push(DnType::CommonName, cn);
    let now = OffsetDateTime::now_utc();
    p.not_before = now - Duration::hours(1);
    p.not_after = now + Duration::days(days);
    p.serial_number = Some(SerialNumber::from_slice(&random_bytes::<16>()?));
    Ok(p)
}

fn write_file(path: &Path, contents: &str, secret: bool) -> Result<(), PkiError> {
    let err = |e| PkiError::Io(path.to_owned(), e);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(if secret { 0o600 } else { 0o644 });
    }
    let mut f = opts.open(path).map_err(err)?;
    f.write_all(contents.as_bytes()).map_err(err)?;
    f.sync_all().map_err(err)
}

/// Generates the dev PKI and configuration into `dir` (created if missing).
///
/// `listen` is the address written into the configuration.
pub(crate) fn init(dir: &Path, listen: &str) -> Result<DevPki, PkiError> {
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        return Err(PkiError::Exists(config));
    }
    std::fs::create_dir_all(dir).map_err(|e| PkiError::Io(dir.to_owned(), e))?;
    let gen_key = |what| KeyPair::generate().map_err(|e| PkiError::Generate(what, e));

    // CA
    let mut ca_params = params("CA", Vec::new(), "certbound dev CA", CA_VALIDITY_DAYS)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = gen_key("CA key")?;
    let ca_key_pem = ca_key.serialize_pem();
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key)
        .map_err(|e| PkiError::Generate("CA certificate", e))?;

    // Server
    let mut sp = params(
        "server certificate",
        vec!["localhost".into(), "127.0.0.1".into(), "::1".into()],
        "localhost",
        LEAF_VALIDITY_DAYS,
    )?;
    sp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    sp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let server_key = gen_key("server key")?;
    let server = sp
        .signed_by(&server_key, &ca)
        .map_err(|e| PkiError::Generate("server certificate", e))?;

    // CA-signed client (tls_client_auth, by subject DN)
    let mut cp = params(
        "client certificate",
        Vec::new(),
        PKI_CLIENT_CN,
        LEAF_VALIDITY_DAYS,
    )?;
    cp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    cp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let client_key = gen_key("client key")?;
    let client = cp
        .signed_by(&client_key, &ca)
        .map_err(|e| PkiError::Generate("client certificate", e))?;

    // Self-signed client (self_signed_tls_client_auth)
    let mut ssp = params(
        "self-signed client certificate",
        Vec::new(),
        "certbound-dev-self-signed-client",
        LEAF_VALIDITY_DAYS,
    )?;
    ssp.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    ssp.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let ss_key = gen_key("self-signed client key")?;
    let ss = ssp
        .self_signed(&ss_key)
        .map_err(|e| PkiError::Generate("self-signed client certificate", e))?;

    let password = generate_password()?;
    let hash = hash_password(&password)?;

    use files::*;
    write_file(&dir.join(CA_CERT), &ca.pem(), false)?;
    write_file(&dir.join(CA_KEY), &ca_key_pem, true)?;
    write_file(&dir.join(SERVER_CERT), &server.pem(), false)?;
    write_file(&dir.join(SERVER_KEY), &server_key.serialize_pem(), true)?;
    write_file(&dir.join(CLIENT_CERT), &client.pem(), false)?;
    write_file(&dir.join(CLIENT_KEY), &client_key.serialize_pem(), true)?;
    write_file(&dir.join(SELF_SIGNED_CERT), &ss.pem(), false)?;
    write_file(&dir.join(SELF_SIGNED_KEY), &ss_key.serialize_pem(), true)?;
    write_file(&config, &dev_config(listen, &hash), true)?;
    Ok(DevPki {
        dir: dir.to_owned(),
        password,
    })
}

/// The `certbound.toml` registering the dev clients and user; paths are relative to its directory.
fn dev_config(listen: &str, password_hash: &str) -> String {
    use files::*;
    format!(
        r#"# certbound development configuration, generated by `certbound pki init`.
# Paths are relative to this file. Do not use these keys for anything but local development.

[server]
listen = "{listen}"
# issuer defaults to https://localhost:PORT (the port actually bound)
state_dir = "state"

[tls]
certificate = "{SERVER_CERT}"
private_key = "{SERVER_KEY}"
# none | optional | required. `optional` lets discovery and error answers work without a certificate.
client_auth = "optional"
trust_anchors = ["{CA_CERT}"]

[tokens]
lifetime_secs = 300

[[users]]
username = "{DEV_USER}"
# Argon2id PHC hash; the password was printed once by `certbound pki init`.
password_hash = "{password_hash}"

[[clients]]
client_id = "{PKI_CLIENT_ID}"
token_endpoint_auth_method = "tls_client_auth"
tls_client_auth_subject_dn = "CN={PKI_CLIENT_CN},O={DEV_ORG}"
grant_types = ["client_credentials", "password"]
tls_client_certificate_bound_access_tokens = true

[[clients]]
client_id = "{SELF_SIGNED_CLIENT_ID}"
token_endpoint_auth_method = "self_signed_tls_client_auth"
certificates = ["{SELF_SIGNED_CERT}"]
grant_types = ["client_credentials"]
tls_client_certificate_bound_access_tokens = true
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: generated passwords have the promised length and alphabet and differ each time.
    #[test]
    fn password_shape() {
        let a = generate_password().unwrap();
        let b = generate_password().unwrap();
        assert_eq!(a.len(), 20);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    // Intent: the stored hash is an Argon2id PHC string that verifies only the right password.
    #[test]
    fn hash_verifies() {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        let h = hash_password("s3cret").unwrap();
        assert!(h.starts_with("$argon2id$"));
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(
            argon2::Argon2::default()
                .verify_password(b"s3cret", &parsed)
                .is_ok()
        );
        assert!(
            argon2::Argon2::default()
                .verify_password(b"wrong", &parsed)
                .is_err()
        );
    }

    // Intent: init writes every file, keys with mode 0600, and refuses to run twice.
    #[test]
    fn init_writes_files_once() {
        let dir = std::env::temp_dir().join(format!(
            "certbound-pki-test-{}",
            u64::from_le_bytes(random_bytes::<8>().unwrap())
        ));
        let out = init(&dir, "127.0.0.1:8443").unwrap();
        assert_eq!(out.password.len(), 20);
        for f in [
            files::CA_CERT,
            files::SERVER_CERT,
            files::CLIENT_CERT,
            files::SELF_SIGNED_CERT,
        ] {
            let pem = std::fs::read(dir.join(f)).unwrap();
            certbound_core::Certificate::from_pem(&pem).unwrap();
        }
        #[cfg(unix)]
        for f in [
            files::CA_KEY,
            files::SERVER_KEY,
            files::CLIENT_KEY,
            files::SELF_SIGNED_KEY,
            CONFIG_FILE,
        ] {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
        let config = std::fs::read_to_string(dir.join(CONFIG_FILE)).unwrap();
        assert!(!config.contains(&out.password));
        let err = init(&dir, "127.0.0.1:8443").unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{} already exists: remove the directory or choose another one",
                dir.join(CONFIG_FILE).display()
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
