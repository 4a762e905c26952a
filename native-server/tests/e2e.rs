//! End-to-end: `certbound serve` as a child process on 127.0.0.1 (ephemeral port), driven over
//! real TLS by a tokio-rustls + hyper client presenting real client certificates.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use common::{CertSpec, Identity, Server, Version, client, make_client, temp_dir};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// `certbound pki init DIR`, returning the printed password.
fn pki_init(dir: &Path) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_certbound"))
        .args(["pki", "init", dir.to_str().expect("utf-8")])
        .output()
        .expect("run pki init");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    stdout
        .lines()
        .find_map(|l| l.split("is stored): ").nth(1))
        .expect("password line")
        .trim()
        .to_owned()
}

/// A dev directory whose certbound.toml had `edit` applied; returns (dir, config path).
fn edited_config(name: &str, edit: impl FnOnce(String) -> String) -> (PathBuf, PathBuf) {
    let dir = temp_dir(name);
    pki_init(&dir);
    let cfg = dir.join("certbound.toml");
    let text = std::fs::read_to_string(&cfg).expect("config");
    let edited = edit(text.clone());
    assert_ne!(edited, text, "edit changed nothing");
    std::fs::write(&cfg, edited).expect("write config");
    (dir, cfg)
}

// Intent: RFC 8414 metadata is served without a client certificate and advertises RFC 8705.
#[test]
fn discovery_without_certificate() {
    let dir = temp_dir("discovery");
    let srv = Server::start_dev(&dir);
    rt().block_on(async {
        let mut c = srv.connect(None).await.expect("connect without cert");
        let a = c
            .get("/.well-known/oauth-authorization-server", None)
            .await
            .expect("request");
        assert_eq!(a.status, 200);
        let m = a.json();
        let issuer = format!("https://localhost:{}", srv.addr.port());
        assert_eq!(m["issuer"], issuer.as_str());
        assert_eq!(m["token_endpoint"], format!("{issuer}/oauth2/token").as_str());
        assert_eq!(
            m["introspection_endpoint"],
            format!("{issuer}/oauth2/introspect").as_str()
        );
        assert_eq!(m["jwks_uri"], format!("{issuer}/oauth2/jwks").as_str());
        assert_eq!(
            m["token_endpoint_auth_methods_supported"],
            serde_json::json!(["tls_client_auth", "self_signed_tls_client_auth"])
        );
        assert_eq!(m["tls_client_certificate_bound_access_tokens"], true);
        assert_eq!(
            m["grant_types_supported"],
            serde_json::json!(["client_credentials", "password"])
        );
        assert!(m.get("mtls_endpoint_aliases").is_none());
    });
}

// Intent: /healthz answers and /metrics counts requests by route/status and handshakes.
#[test]
fn health_and_metrics() {
    let dir = temp_dir("metrics");
    let srv = Server::start_dev(&dir);
    rt().block_on(async {
        let mut c = srv.connect(None).await.expect("connect");
        let h = c.get("/healthz", None).await.expect("healthz");
        assert_eq!((h.status, &h.body[..]), (200, &b"ok\n"[..]));
        let nf = c.get("/nope", None).await.expect("404");
        assert_eq!(nf.status, 404);
        let m = c.get("/metrics", None).await.expect("metrics");
        assert_eq!(m.status, 200);
        assert_eq!(
            m.header("content-type"),
            Some("text/plain; version=0.0.4; charset=utf-8")
        );
        let text = String::from_utf8(m.body.to_vec()).expect("utf-8");
        assert!(
            text.contains("certbound_http_requests_total{route=\"/healthz\",status=\"200\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("certbound_http_requests_total{route=\"other\",status=\"404\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("certbound_tls_handshakes_total{result=\"ok\"} 1\n"), "{text}");
        assert!(text.contains("certbound_connections_active 1\n"), "{text}");
    });
}

/// Presents `cert` but signs CertificateVerify with an unrelated key.
#[derive(Debug)]
struct WrongKey(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for WrongKey {
    fn resolve(
        &self,
        _hints: &[&[u8]],
        _schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
    fn has_certs(&self) -> bool {
        true
    }
}

// Intent: possession is always proven: a certificate whose CertificateVerify is signed by
// another key fails the handshake (TLS 1.3 and TLS 1.2), while the right key succeeds.
#[test]
fn certificate_verify_is_checked() {
    let dir = temp_dir("possession");
    let srv = Server::start_dev(&dir);
    let good = srv.pki_client();
    let other = make_client(
        &dir,
        &CertSpec {
            cn: "other",
            org: "x",
            validity_days: (-1, 30),
        },
        false,
    );
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let signer = provider
        .key_provider
        .load_private_key(other.key.clone_key())
        .expect("signer");
    let wrong = Arc::new(rustls::sign::CertifiedKey::new(good.chain.clone(), signer));
    rt().block_on(async {
        for v in [Version::Tls13, Version::Tls12] {
            let ok = client::client_config(&srv.ca(), Some(&good), v);
            let mut c = client::connect(srv.addr, ok).await.expect("right key");
            assert_eq!(c.get("/healthz", None).await.expect("healthz").status, 200);

            let mut cfg = (*client::client_config(&srv.ca(), None, v)).clone();
            cfg.client_auth_cert_resolver = Arc::new(WrongKey(wrong.clone()));
            let r = async {
                let mut c = client::connect(srv.addr, Arc::new(cfg)).await?;
                c.get("/healthz", None).await
            }
            .await;
            assert!(r.is_err(), "{v:?}: wrong key was accepted: {r:?}");
        }
    });
    let log = { let mut s = srv; s.stop() };
    assert!(log.contains("TLS handshake failed"), "{log}");
}

// Intent: a self-signed client certificate (RFC 8705 §2.2) completes the handshake.
#[test]
fn self_signed_certificate_connects() {
    let dir = temp_dir("selfsigned");
    let srv = Server::start_dev(&dir);
    let id = make_client(
        &dir,
        &CertSpec {
            cn: "anyone",
            org: "nowhere",
            validity_days: (-1, 1),
        },
        false,
    );
    rt().block_on(async {
        let mut c = srv.connect(Some(&id)).await.expect("connect");
        assert_eq!(c.get("/healthz", None).await.expect("healthz").status, 200);
    });
}

// Intent: client_auth = "required" aborts handshakes without a certificate.
#[test]
fn required_client_auth() {
    let (dir, cfg) = edited_config("required", |t| {
        t.replace("client_auth = \"optional\"", "client_auth = \"required\"")
    });
    let srv = Server::start_config(&cfg, &dir);
    rt().block_on(async {
        let r = async {
            let mut c = srv.connect(None).await?;
            c.get("/healthz", None).await
        }
        .await;
        assert!(r.is_err(), "no certificate was accepted: {r:?}");
        let mut c = srv.connect(Some(&srv.pki_client())).await.expect("with cert");
        assert_eq!(c.get("/healthz", None).await.expect("healthz").status, 200);
    });
}

// Intent: the plain-mTLS allow-list admits only listed thumbprints, at the handshake.
#[test]
fn thumbprint_allow_list() {
    let (dir, cfg) = edited_config("allowlist", |t| {
        t.replace(
            "trust_anchors = [\"ca.pem\"]",
            "trust_anchors = [\"ca.pem\"]\nallowed_thumbprints = [\"@X5T@\"]",
        )
    });
    let client = Identity::from_files(&dir.join("client.pem"), &dir.join("client.key"));
    let x5t = certbound_core::CertThumbprint::of_der(&client.chain[0]).to_string();
    let text = std::fs::read_to_string(&cfg).expect("config");
    std::fs::write(&cfg, text.replace("@X5T@", &x5t)).expect("write");
    let srv = Server::start_config(&cfg, &dir);
    rt().block_on(async {
        let mut c = srv.connect(Some(&client)).await.expect("listed cert");
        assert_eq!(c.get("/healthz", None).await.expect("healthz").status, 200);
        let r = async {
            let mut c = srv.connect(Some(&srv.self_signed_client())).await?;
            c.get("/healthz", None).await
        }
        .await;
        assert!(r.is_err(), "unlisted certificate was accepted: {r:?}");
    });
}

// Intent: www_dir files are served with the right content types, nothing outside it.
#[test]
fn static_files() {
    let (dir, cfg) = edited_config("static", |t| {
        t.replace("state_dir = \"state\"", "state_dir = \"state\"\nwww_dir = \"www\"")
    });
    std::fs::create_dir_all(dir.join("www/pkg")).expect("mkdir");
    std::fs::write(dir.join("www/index.html"), "<!doctype html>hi").expect("index");
    std::fs::write(dir.join("www/pkg/app_bg.wasm"), b"\0asm\x01\0\0\0").expect("wasm");
    let srv = Server::start_config(&cfg, &dir);
    rt().block_on(async {
        let mut c = srv.connect(None).await.expect("connect");
        let a = c.get("/", None).await.expect("index");
        assert_eq!(a.status, 200);
        assert_eq!(a.header("content-type"), Some("text/html; charset=utf-8"));
        let w = c.get("/pkg/app_bg.wasm", None).await.expect("wasm");
        assert_eq!(w.status, 200);
        assert_eq!(w.header("content-type"), Some("application/wasm"));
        assert_eq!(&w.body[..], b"\0asm\x01\0\0\0");
        let t = c.get("/../certbound.toml", None).await.expect("traversal");
        assert_eq!(t.status, 404);
        let k = c.get("/%2e%2e/server.key", None).await.expect("encoded traversal");
        assert_eq!(k.status, 404);
    });
}

// Intent: a configuration error names the file and the key, and exits with code 1.
#[test]
fn config_error_names_file_and_key() {
    let (_dir, cfg) = edited_config("badconfig", |t| {
        t.replace("lifetime_secs = 300", "lifetime_secs = 300\nlifetme = 3")
    });
    let out = Command::new(env!("CARGO_BIN_EXE_certbound"))
        .args(["serve", "--config", cfg.to_str().expect("utf-8")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("certbound: {}: TOML parse error", cfg.display())),
        "{err}"
    );
    assert!(err.contains("unknown field `lifetme`"), "{err}");
}
