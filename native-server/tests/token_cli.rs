//! `certbound token verify|decode` end to end: real binary, files written per test.

// Test helpers outside #[test] functions unwrap fixtures they just built.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use certbound_core::token::issue::{AccessTokenClaims, SigningKey, issue, jwks};
use certbound_core::{Certificate, UnixTime};
use serde_json::Value;

const NOW: u64 = 1_700_000_000;

struct Setup {
    dir: PathBuf,
    token: String,
}

fn setup(name: &str) -> Setup {
    let dir =
        std::env::temp_dir().join(format!("certbound-token-cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key = SigningKey::es256_from_scalar(&[0x5a; 32]).unwrap();
    std::fs::write(dir.join("jwks.json"), jwks(&[&key]).to_string()).unwrap();
    let mut pems = Vec::new();
    for n in ["client", "other"] {
        let kp = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec![format!("{n}.example")])
            .unwrap()
            .self_signed(&kp)
            .unwrap();
        std::fs::write(dir.join(format!("{n}.pem")), cert.pem()).unwrap();
        pems.push(Certificate::from_der(cert.der()).unwrap());
    }
    let token = issue(
        &key,
        &AccessTokenClaims {
            issuer: "https://as.example".into(),
            audience: vec!["https://rs.example".into()],
            subject: "c1".into(),
            client_id: "c1".into(),
            scope: Some("read".into()),
            jti: "j1".into(),
            issued_at: UnixTime::since_unix_epoch(Duration::from_secs(NOW)),
            lifetime_secs: 600,
            cnf: Some(pems[0].x5t_s256()),
        },
    )
    .unwrap();
    Setup { dir, token }
}

fn certbound(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_certbound"))
        .args(args)
        .output()
        .unwrap()
}

impl Setup {
    fn verify(&self, cert: Option<&str>, extra: &[&str]) -> (i32, Value) {
        let jwks = self.dir.join("jwks.json");
        let cert_path = cert.map(|c| self.dir.join(format!("{c}.pem")));
        let mut args = vec![
            "token",
            "verify",
            "--jwks",
            jwks.to_str().unwrap(),
            "--issuer",
            "https://as.example",
            "--audience",
            "https://rs.example",
            "--at",
            "2023-11-14T22:15:00Z",
            "--json",
        ];
        if let Some(p) = &cert_path {
            args.extend(["--cert", p.to_str().unwrap()]);
        }
        args.extend(extra);
        args.push(&self.token);
        let out = certbound(&args);
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout not JSON ({e}): {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap(), json)
    }
}

// Intent: the bound token verifies with its certificate (exit 0) and is refused with another
// certificate or none (exit 1), with the RFC 6750 answer in the JSON.
#[test]
fn verify_verdicts() {
    let s = setup("verdicts");
    let (code, out) = s.verify(Some("client"), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out["valid"], true);
    assert_eq!(out["bound"], true);
    assert_eq!(out["claims"]["client_id"], "c1");

    let (code, out) = s.verify(Some("other"), &[]);
    assert_eq!(code, 1);
    assert_eq!(out["valid"], false);
    assert_eq!(
        out["www_authenticate"],
        "Bearer error=\"invalid_token\", error_description=\"The access token is bound to a different client certificate\""
    );

    let (code, out) = s.verify(None, &[]);
    assert_eq!(code, 1);
    assert_eq!(
        out["error"],
        "access token is bound to a client certificate (cnf x5t#S256), but the request presented none"
    );

    let (code, out) = s.verify(Some("client"), &["--scope", "write"]);
    assert_eq!(code, 1);
    assert_eq!(out["status"], 403);
    std::fs::remove_dir_all(&s.dir).ok();
}

// Intent: decode prints header and claims, labelled UNVERIFIED, even for a token that would
// not verify.
#[test]
fn decode_is_labelled() {
    let s = setup("decode");
    let out = certbound(&["token", "decode", &s.token]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("UNVERIFIED:"), "{text}");
    assert!(text.contains("\"typ\": \"at+jwt\""), "{text}");
    assert!(text.contains("\"jti\": \"j1\""), "{text}");
    let out = certbound(&["token", "decode", "--json", &s.token]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verified"], false);
    assert_eq!(v["claims"]["sub"], "c1");
    let out = certbound(&["token", "decode", "a.b"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "certbound: access token has 2 dot-separated segment(s); a compact JWS has exactly 3"
    );
    std::fs::remove_dir_all(&s.dir).ok();
}
