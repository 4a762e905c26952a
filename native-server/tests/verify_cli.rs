//! `certbound verify` end to end: the real binary on rcgen chains written to a temp directory.

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, RevokedCertParams, SerialNumber,
    date_time_ymd,
};

fn params(cn: &str, ca: bool, not_after: i32) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(not_after, 1, 1);
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    } else {
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    }
    p
}

struct Pki {
    dir: PathBuf,
}

impl Pki {
    /// root → intermediate → leaf (leaf expires 2027), as files in a fresh directory.
    fn new(name: &str) -> Self {
        let dir =
            std::env::temp_dir().join(format!("certbound-verify-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let root_key = KeyPair::generate().unwrap();
        let root_params = params("Root CA", true, 2035);
        let root = root_params.self_signed(&root_key).unwrap();
        let root_issuer = Issuer::new(root_params, root_key);
        let ica_key = KeyPair::generate().unwrap();
        let ica_params = params("Issuing CA", true, 2035);
        let ica = ica_params.signed_by(&ica_key, &root_issuer).unwrap();
        let ica_issuer = Issuer::new(ica_params, ica_key);
        let mut leaf_params = params("alice", false, 2027);
        leaf_params.serial_number = Some(SerialNumber::from(42u64));
        let leaf = leaf_params
            .signed_by(&KeyPair::generate().unwrap(), &ica_issuer)
            .unwrap();
        let crl = |issuer: &Issuer<'_, KeyPair>, revoked: &[u64]| {
            CertificateRevocationListParams {
                this_update: date_time_ymd(2025, 6, 1),
                next_update: date_time_ymd(2026, 6, 1),
                crl_number: SerialNumber::from(1u64),
                issuing_distribution_point: None,
                revoked_certs: revoked
                    .iter()
                    .map(|&s| RevokedCertParams {
                        serial_number: SerialNumber::from(s),
                        revocation_time: date_time_ymd(2025, 6, 1),
                        reason_code: None,
                        invalidity_date: None,
                    })
                    .collect(),
                key_identifier_method: KeyIdMethod::Sha256,
            }
            .signed_by(issuer)
            .unwrap()
            .pem()
            .unwrap()
        };
        std::fs::write(dir.join("root.crl"), crl(&root_issuer, &[])).unwrap();
        std::fs::write(dir.join("ica-revokes-leaf.crl"), crl(&ica_issuer, &[42])).unwrap();
        std::fs::write(dir.join("ica-empty.crl"), crl(&ica_issuer, &[])).unwrap();
        std::fs::write(dir.join("root.pem"), root.pem()).unwrap();
        std::fs::write(dir.join("ica.pem"), ica.pem()).unwrap();
        std::fs::write(dir.join("leaf.pem"), leaf.pem()).unwrap();
        std::fs::write(dir.join("chain.pem"), leaf.pem() + &ica.pem()).unwrap();
        Self { dir }
    }

    fn path(&self, f: &str) -> String {
        self.dir.join(f).display().to_string()
    }
}

impl Drop for Pki {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn certbound(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certbound"))
        .args(args)
        .output()
        .unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

// Intent: a valid chain exits 0 and reports three thumbprints leaf → anchor.
#[test]
fn valid_chain() {
    let pki = Pki::new("valid");
    let trust = pki.path("root.pem");
    let out = certbound(&[
        "verify",
        "--trust",
        &trust,
        "--intermediates",
        &pki.path("ica.pem"),
        "--at",
        "2026-01-01T00:00:00Z",
        "--json",
        &pki.path("leaf.pem"),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["valid"], true);
    assert!(v["error"].is_null());
    assert_eq!(v["chain"].as_array().unwrap().len(), 3);
    // The leaf file may carry its intermediates; text output names each certificate.
    let out = certbound(&[
        "verify",
        "--trust",
        &trust,
        "--at",
        "1767225600",
        &pki.path("chain.pem"),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("valid\n"), "{text}");
    assert!(text.contains("CN=Issuing CA"), "{text}");
}

// Intent: a negative verdict exits 1 with the reason, in JSON on stdout or as text on stderr.
#[test]
fn expired_leaf() {
    let pki = Pki::new("expired");
    let trust = pki.path("root.pem");
    let chain = pki.path("chain.pem");
    let out = certbound(&[
        "verify",
        "--trust",
        &trust,
        "--at",
        "2028-01-01T00:00:00Z",
        "--json",
        &chain,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["valid"], false);
    assert_eq!(
        v["error"],
        "leaf (CN=alice): expired at 2027-01-01T00:00:00Z"
    );
    assert_eq!(v["chain"], serde_json::json!([]));
    let out = certbound(&[
        "verify",
        "--trust",
        &trust,
        "--at",
        "2028-01-01T00:00:00Z",
        &chain,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "certbound: invalid: leaf (CN=alice): expired at 2027-01-01T00:00:00Z\n"
    );
    // Server purpose: the clientAuth-only leaf is refused.
    let out = certbound(&[
        "verify",
        "--trust",
        &trust,
        "--purpose",
        "server",
        "--at",
        "1767225600",
        &chain,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid for serverAuth"));
}

// Intent: usage errors exit 2; unreadable input and bad times exit 1.
#[test]
fn usage_and_input_errors() {
    assert_eq!(certbound(&["verify"]).status.code(), Some(2));
    assert_eq!(
        certbound(&["verify", "--trust", "x", "--purpose", "both", "y"])
            .status
            .code(),
        Some(2)
    );
    let pki = Pki::new("input");
    let trust = pki.path("root.pem");
    let out = certbound(&[
        "verify",
        "--trust",
        &trust,
        "--at",
        "yesterday",
        &pki.path("leaf.pem"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid time \"yesterday\""));
    let missing = Path::new(&pki.dir).join("nope.pem").display().to_string();
    let out = certbound(&[
        "verify",
        "--trust",
        &missing,
        "--json",
        &pki.path("leaf.pem"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["valid"], false);
}

// Intent: --crl (repeatable, PEM) revokes; without the issuing CA's CRL the status is unknown
// and refused unless --allow-unknown-revocation.
#[test]
fn crls() {
    let pki = Pki::new("crl");
    let trust = pki.path("root.pem");
    let chain = pki.path("chain.pem");
    let root_crl = pki.path("root.crl");
    let at = "2026-01-01T00:00:00Z";
    let out = certbound(&[
        "verify",
        "--trust",
        &trust,
        "--crl",
        &root_crl,
        "--crl",
        &pki.path("ica-revokes-leaf.crl"),
        "--at",
        at,
        "--json",
        &chain,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["error"], "leaf (CN=alice): revoked");
    let out = certbound(&[
        "verify",
        "--trust",
        &trust,
        "--crl",
        &root_crl,
        "--crl",
        &pki.path("ica-empty.crl"),
        "--at",
        at,
        &chain,
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = certbound(&[
        "verify", "--trust", &trust, "--crl", &root_crl, "--at", at, &chain,
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("revocation status unknown"));
    let out = certbound(&[
        "verify",
        "--trust",
        &trust,
        "--crl",
        &root_crl,
        "--allow-unknown-revocation",
        "--at",
        at,
        &chain,
    ]);
    assert_eq!(out.status.code(), Some(0));
}
