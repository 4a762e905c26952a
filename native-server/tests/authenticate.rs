//! `certbound authenticate` end to end: the binary, a registration file on disk, rcgen
//! certificates generated per test.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("certbound-cli-auth-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certbound"))
        .current_dir(dir)
        .arg("authenticate")
        .args(args)
        .output()
        .unwrap()
}

fn ca() -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::default();
    params
        .distinguished_name
        .push(DnType::CommonName, "Test CA");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    CertifiedIssuer::self_signed(params, key()).unwrap()
}

fn leaf(issuer: &CertifiedIssuer<'static, KeyPair>, cn: &str) -> String {
    let mut params = CertificateParams::default();
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(DnType::OrganizationName, "Acme");
    params.distinguished_name.push(DnType::CommonName, cn);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    params.signed_by(&key(), issuer).unwrap().pem()
}

const TOML: &str = r#"
[[clients]]
client_id = "billing"
token_endpoint_auth_method = "tls_client_auth"
tls_client_auth_subject_dn = "cn=billing, o=ACME"
"#;

#[test]
fn pki_client_from_toml_with_trust() {
    // Intent: the TOML registry, the trust file and the chain decide; exit 0 / 1 accordingly.
    let dir = temp_dir("pki");
    let ca = ca();
    std::fs::write(dir.join("clients.toml"), TOML).unwrap();
    std::fs::write(dir.join("ca.pem"), ca.pem()).unwrap();
    std::fs::write(dir.join("billing.pem"), leaf(&ca, "billing")).unwrap();
    std::fs::write(dir.join("other.pem"), leaf(&ca, "shipping")).unwrap();
    std::fs::write(dir.join("forged.pem"), leaf(&self::ca(), "billing")).unwrap();
    let base = [
        "--clients",
        "clients.toml",
        "--client-id",
        "billing",
        "--trust",
        "ca.pem",
    ];

    let ok = run(&dir, &[&base[..], &["billing.pem"]].concat());
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let stdout = String::from_utf8(ok.stdout).unwrap();
    assert!(
        stdout.starts_with(
            "authenticated: client \"billing\" by tls_client_auth, certificate x5t#S256 "
        ),
        "{stdout}"
    );

    let miss = run(&dir, &[&base[..], &["--json", "other.pem"]].concat());
    assert_eq!(miss.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&miss.stdout).unwrap();
    assert_eq!(v["authenticated"], false);
    assert_eq!(v["client_id"], "billing");
    assert_eq!(v["method"], "tls_client_auth");
    assert_eq!(v["x5t#S256"].as_str().unwrap().len(), 43);
    assert_eq!(
        v["error"],
        "client \"billing\": certificate subject \"CN=shipping,O=Acme\" does not match the registered tls_client_auth_subject_dn \"CN=billing,O=ACME\""
    );

    let forged = run(&dir, &[&base[..], &["forged.pem"]].concat());
    assert_eq!(forged.status.code(), Some(1));
    let stderr = String::from_utf8(forged.stderr).unwrap();
    assert!(
        stderr.starts_with("certbound: not authenticated: client \"billing\": the certificate chain does not validate: "),
        "{stderr}"
    );
}

#[test]
fn self_signed_client_from_json_with_relative_path() {
    // Intent: a JSON registry whose certificates entry is a path next to the file.
    let dir = temp_dir("self-signed");
    std::fs::create_dir_all(dir.join("conf/certs")).unwrap();
    let mut params = CertificateParams::new(vec!["device.example".to_owned()]).unwrap();
    params.not_before = rcgen::date_time_ymd(2024, 1, 1);
    params.not_after = rcgen::date_time_ymd(2026, 1, 1);
    let pem = params.self_signed(&key()).unwrap().pem();
    std::fs::write(dir.join("conf/certs/device.pem"), &pem).unwrap();
    std::fs::write(dir.join("device.pem"), &pem).unwrap();
    std::fs::write(
        dir.join("conf/clients"),
        r#"[{"client_id":"device-7","token_endpoint_auth_method":"self_signed_tls_client_auth","certificates":["certs/device.pem"]}]"#,
    )
    .unwrap();
    let args = [
        "--clients",
        "conf/clients",
        "--client-id",
        "device-7",
        "--json",
    ];
    let ok = run(
        &dir,
        &[&args[..], &["--at", "2025-06-01T00:00:00Z", "device.pem"]].concat(),
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(v["authenticated"], true);
    assert_eq!(v["method"], "self_signed_tls_client_auth");
    assert_eq!(v["error"], serde_json::Value::Null);

    let late = run(
        &dir,
        &[&args[..], &["--at", "2026-06-01T00:00:00Z", "device.pem"]].concat(),
    );
    assert_eq!(late.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&late.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("has expired"), "{v}");
}

#[test]
fn invalid_registrations_and_usage() {
    // Intent: a bad registry file is exit 1 with core's error; a missing argument is exit 2.
    let dir = temp_dir("invalid");
    std::fs::write(
        dir.join("clients.toml"),
        "[[clients]]\nclient_id = \"acme\"\ntoken_endpoint_auth_method = \"tls_client_auth\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("x.pem"), leaf(&ca(), "x")).unwrap();
    let out = run(
        &dir,
        &["--clients", "clients.toml", "--client-id", "acme", "x.pem"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8(out.stderr).unwrap().starts_with(
            "certbound: client \"acme\": tls_client_auth needs exactly one of tls_client_auth_subject_dn"
        )
    );
    let usage = run(&dir, &["--clients", "clients.toml", "x.pem"]);
    assert_eq!(usage.status.code(), Some(2));
}
