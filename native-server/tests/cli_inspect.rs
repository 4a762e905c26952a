//! `certbound inspect` as a user runs it: files, stdin, forwarded header values, exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

const SHARED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/conformance/rfc-examples"
);

fn certbound(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_certbound"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

/// The single-line header value from the shared README (the last `Name: ` line of that name).
fn rfc9440_value(name: &str) -> String {
    let readme = std::fs::read_to_string(format!("{SHARED}/README.md")).unwrap();
    let prefix = format!("{name}: ");
    readme
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap()
        .to_owned()
}

// Intent: --json lists every certificate leaf first with the documented field names.
#[test]
fn json_fields_for_a_chain() {
    let out = certbound(
        &["inspect", "--json", &format!("{SHARED}/rfc9440_chain.pem")],
        b"",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let certs = v["certificates"].as_array().unwrap();
    assert_eq!(certs.len(), 3);
    let leaf = &certs[0];
    for field in [
        "subject",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "san",
        "key_usage",
        "extended_key_usage",
        "is_ca",
        "public_key",
        "signature_algorithm",
        "x5t#S256",
        "sha256",
        "spki_sha256",
    ] {
        assert!(leaf.get(field).is_some(), "missing {field}");
    }
    assert_eq!(
        leaf["x5t#S256"],
        "v68ffgcPn6jdYpBfFY2nP4ShE2Yk-6_Mk5PI9yh6aes"
    );
    assert_eq!(leaf["san"]["email"][0], "bdc@example.com");
    assert_eq!(leaf["not_before"], "2020-01-14T22:55:33Z");
    assert_eq!(certs[1]["is_ca"], true);
}

// Intent: DER from stdin works and text output carries the thumbprint.
#[test]
fn der_on_stdin_text_output() {
    let pem = std::fs::read(format!("{SHARED}/rfc8705_appA.pem")).unwrap();
    let der = certbound_core::Certificate::from_pem(&pem)
        .unwrap()
        .der()
        .to_vec();
    let out = certbound(&["inspect", "-"], &der);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("x5t#S256:            A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0"),
        "{text}"
    );
    assert!(text.contains("Subject:             CN=mtls"));
}

// Intent: a forwarded header value (with surrounding whitespace and a newline) decodes with
// its separate chain value.
#[test]
fn rfc9440_header_values() {
    let dir = std::env::temp_dir().join(format!("certbound-inspect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let chain = dir.join("chain.txt");
    std::fs::write(
        &chain,
        format!("  {}\n", rfc9440_value("Client-Cert-Chain")),
    )
    .unwrap();
    let value = format!(" {}\r\n", rfc9440_value("Client-Cert"));
    let out = certbound(
        &[
            "inspect",
            "--source",
            "rfc9440",
            "--chain",
            chain.to_str().unwrap(),
            "--json",
            "-",
        ],
        value.as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let x5t: Vec<&str> = v["certificates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["x5t#S256"].as_str().unwrap())
        .collect();
    assert_eq!(
        x5t,
        [
            "v68ffgcPn6jdYpBfFY2nP4ShE2Yk-6_Mk5PI9yh6aes",
            "6H31tD6_m4nKKyu_MaTnrVpA1ATPuy_MGkA8JlEoWtw",
            "QjrpXcQc0m2pAhrU5jibqnfghYYHY1qwhekeXR2Ue4M"
        ]
    );
    std::fs::remove_dir_all(&dir).ok();
}

// Intent: invalid input exits 1 with the specific error on stderr; usage errors exit 2.
#[test]
fn exit_codes() {
    let out = certbound(&["inspect", "--source", "rfc9440"], b"MIIB");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "certbound: header Client-Cert: expected an RFC 8941 byte sequence (':base64:') at byte 0\n"
    );
    let out = certbound(
        &["inspect"],
        b"-----BEGIN CERTIFICATE-----\nAA!A\n-----END CERTIFICATE-----\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "certbound: PEM block 1: base64 invalid at line 2\n"
    );
    let out = certbound(&["inspect", "/nonexistent/cert.pem"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        certbound(&["inspect", "--source", "bogus"], b"")
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        certbound(&["inspect", "--frobnicate"], b"").status.code(),
        Some(2)
    );
}
