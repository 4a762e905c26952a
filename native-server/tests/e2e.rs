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
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
        assert_eq!(
            m["token_endpoint"],
            format!("{issuer}/oauth2/token").as_str()
        );
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
        assert_eq!(m["response_types_supported"], serde_json::json!([]));
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
        assert!(
            text.contains("certbound_tls_handshakes_total{result=\"ok\"} 1\n"),
            "{text}"
        );
        assert!(text.contains("certbound_connections_active 1\n"), "{text}");
    });
}

// Intent: /metrics answers only the peers in `server.metrics_peers`: with a list that excludes
// loopback, the same request from 127.0.0.1 gets 403 and a reason, while /healthz still answers.
#[test]
fn metrics_restricted_to_configured_peers() {
    let (dir, cfg) = edited_config("metrics-peers", |t| {
        t.replace(
            "state_dir = \"state\"",
            "state_dir = \"state\"\nmetrics_peers = [\"10.0.0.0/8\"]",
        )
    });
    let srv = Server::start_config(&cfg, &dir);
    rt().block_on(async {
        let mut c = srv.connect(None).await.expect("connect");
        let m = c.get("/metrics", None).await.expect("metrics");
        assert_eq!(m.status, 403);
        assert_eq!(
            &m.body[..],
            &b"metrics are served only to the peers listed in server.metrics_peers\n"[..]
        );
        let h = c.get("/healthz", None).await.expect("healthz");
        assert_eq!(h.status, 200);
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
    let log = {
        let mut s = srv;
        s.stop()
    };
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
        let mut c = srv
            .connect(Some(&srv.pki_client()))
            .await
            .expect("with cert");
        assert_eq!(c.get("/healthz", None).await.expect("healthz").status, 200);
    });
}

/// Two TLS 1.3 connections with a client that resumes when it can; the second one's kind.
async fn second_handshake_kind(srv: &Server) -> rustls::HandshakeKind {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut cfg =
        (*client::client_config(&srv.ca(), Some(&srv.pki_client()), Version::Tls13)).clone();
    cfg.resumption = rustls::client::Resumption::in_memory_sessions(8);
    let connector = tokio_rustls::TlsConnector::from(Arc::new(cfg));
    let mut kind = None;
    for _ in 0..2 {
        let tcp = tokio::net::TcpStream::connect(srv.addr).await.expect("tcp");
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
        let mut tls = connector.connect(name, tcp).await.expect("handshake");
        kind = tls.get_ref().1.handshake_kind();
        // Reading the answer also reads the NewSessionTicket messages, if any.
        tls.write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .expect("write");
        let mut out = Vec::new();
        let _ = tls.read_to_end(&mut out).await;
        assert!(
            out.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&out)
        );
    }
    kind.expect("handshake kind")
}

// Intent: `tls.session_resumption = false` makes every connection a full handshake (load
// comparisons with nginx's `ssl_session_cache off` rely on it); by default sessions resume.
#[test]
fn session_resumption_can_be_turned_off() {
    let (dir, cfg) = edited_config("no-resumption", |t| {
        t.replace(
            "client_auth = \"optional\"",
            "client_auth = \"optional\"\nsession_resumption = false",
        )
    });
    let off = Server::start_config(&cfg, &dir);
    let on = Server::start_dev(&temp_dir("resumption"));
    rt().block_on(async {
        assert_eq!(
            second_handshake_kind(&off).await,
            rustls::HandshakeKind::Full
        );
        assert_eq!(
            second_handshake_kind(&on).await,
            rustls::HandshakeKind::Resumed
        );
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

// Intent: www_dir files are served with the right content types, nothing outside it; configured
// RFC 8705 §5 endpoint aliases are published.
#[test]
fn static_files() {
    let (dir, cfg) = edited_config("static", |t| {
        t.replace(
            "state_dir = \"state\"",
            "state_dir = \"state\"\nwww_dir = \"www\"\nmtls_endpoint_aliases = { token_endpoint = \"https://mtls.example/oauth2/token\" }",
        )
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
        let m = c
            .get("/.well-known/oauth-authorization-server", None)
            .await
            .expect("metadata");
        assert_eq!(
            m.json()["mtls_endpoint_aliases"],
            serde_json::json!({"token_endpoint": "https://mtls.example/oauth2/token"})
        );
        let k = c
            .get("/%2e%2e/server.key", None)
            .await
            .expect("encoded traversal");
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

const INVALID_CLIENT: &str =
    r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#;

fn body(a: &client::Answer) -> String {
    String::from_utf8_lossy(&a.body).into_owned()
}

/// `POST /oauth2/token` over a fresh TLS 1.3 connection presenting `id`.
async fn token_request(
    srv: &Server,
    id: Option<&Identity>,
    form: &[(&str, &str)],
) -> client::Answer {
    let mut c = srv.connect(id).await.expect("connect");
    c.post_form("/oauth2/token", form)
        .await
        .expect("token request")
}

fn cc(client_id: &str) -> [(&str, &str); 2] {
    [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
    ]
}

async fn get_token(srv: &Server, id: &Identity, client_id: &str) -> String {
    let a = token_request(srv, Some(id), &cc(client_id)).await;
    assert_eq!(a.status, 200, "{}", body(&a));
    a.json()["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

fn x5t(id: &Identity) -> String {
    certbound_core::CertThumbprint::of_der(&id.chain[0]).to_string()
}

// Intent: both RFC 8705 methods get a bound token; the answer is RFC 6749 §5.1 with no-store,
// and the token's cnf is the presenting certificate's thumbprint (checked by introspection).
// Intent: online password guessing is throttled per (client, username): after 10 failures the
// right password is refused too, with its own message, while another user of the same client
// is still checked.
#[test]
fn password_guessing_is_throttled() {
    let dir = temp_dir("throttle");
    let srv = Server::start_dev(&dir);
    let pki = srv.pki_client();
    let password = srv.password.clone().expect("dev password");
    let form = |user: &'static str, pw: &str| {
        vec![
            ("grant_type", "password"),
            ("client_id", "dev-pki-client"),
            ("username", user),
            ("password", pw),
        ]
        .into_iter()
        .map(|(k, v)| (k, v.to_owned()))
        .collect::<Vec<_>>()
    };
    rt().block_on(async {
        let send = |f: Vec<(&'static str, String)>| {
            let (srv, pki) = (&srv, &pki);
            async move {
                let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
                token_request(srv, Some(pki), &pairs).await
            }
        };
        for i in 0..10 {
            let a = send(form("alice", "wrong")).await;
            assert_eq!(
                (a.status, body(&a).as_str()),
                (400, r#"{"error":"invalid_grant","error_description":"The resource owner credentials are invalid"}"#),
                "attempt {i}"
            );
        }
        let a = send(form("alice", &password)).await;
        assert_eq!(
            (a.status, body(&a).as_str()),
            (400, r#"{"error":"invalid_grant","error_description":"Too many failed attempts for this username from this client; retry in a minute"}"#)
        );
        // Another username of the same client is still checked.
        let a = send(form("mallory", "wrong")).await;
        assert_eq!(
            (a.status, body(&a).as_str()),
            (400, r#"{"error":"invalid_grant","error_description":"The resource owner credentials are invalid"}"#)
        );
    });
}

#[test]
fn both_client_methods_get_bound_tokens() {
    let dir = temp_dir("methods");
    let srv = Server::start_dev(&dir);
    rt().block_on(async {
        for (id, client_id) in [
            (srv.pki_client(), "dev-pki-client"),
            (srv.self_signed_client(), "dev-self-signed-client"),
        ] {
            let a = token_request(&srv, Some(&id), &cc(client_id)).await;
            assert_eq!(a.status, 200, "{client_id}: {}", body(&a));
            assert_eq!(a.header("cache-control"), Some("no-store"));
            assert_eq!(a.header("pragma"), Some("no-cache"));
            let j = a.json();
            assert_eq!(j["token_type"], "Bearer");
            assert_eq!(j["expires_in"], 300);
            let token = j["access_token"].as_str().expect("token");

            let mut c = srv.connect(Some(&srv.pki_client())).await.expect("connect");
            let i = c
                .post_form(
                    "/oauth2/introspect",
                    &[("client_id", "dev-pki-client"), ("token", token)],
                )
                .await
                .expect("introspect");
            assert_eq!(i.status, 200, "{}", body(&i));
            let i = i.json();
            assert_eq!(i["active"], true);
            assert_eq!(i["client_id"], client_id);
            assert_eq!(i["sub"], client_id);
            assert_eq!(i["cnf"]["x5t#S256"], x5t(&id).as_str());
        }
    });
}

// Intent: every token-endpoint failure path gives core's RFC 6749 answer with the right status
// and code, and is counted by reason in /metrics.
#[test]
fn token_endpoint_failures() {
    let dir = temp_dir("failures");
    let srv = Server::start_dev(&dir);
    let spec = |cn, days| CertSpec {
        cn,
        org: "certbound dev",
        validity_days: days,
    };
    // Right DN, signed by the dev CA, but expired.
    let expired = make_client(&dir, &spec("certbound-dev-client", (-30, -1)), true);
    // Signed by the dev CA, another DN.
    let other_dn = make_client(&dir, &spec("someone-else", (-1, 30)), true);
    // Right DN, but self-signed: not issued by a trusted CA.
    let untrusted = make_client(&dir, &spec("certbound-dev-client", (-1, 30)), false);
    // A self-signed certificate that is not the registered one.
    let stray = make_client(&dir, &spec("stray", (-1, 30)), false);
    let pki = srv.pki_client();
    let password = srv.password.clone().expect("dev password");
    rt().block_on(async {
        // (what, certificate, form, status, exact body)
        type Case<'a> = (&'a str, Option<&'a Identity>, Vec<(&'a str, &'a str)>, u16, &'a str);
        let cases: Vec<Case<'_>> = vec![
            ("no certificate", None, cc("dev-pki-client").to_vec(), 401, INVALID_CLIENT),
            ("DN mismatch", Some(&other_dn), cc("dev-pki-client").to_vec(), 401, INVALID_CLIENT),
            ("expired certificate", Some(&expired), cc("dev-pki-client").to_vec(), 401, INVALID_CLIENT),
            ("unregistered CA", Some(&untrusted), cc("dev-pki-client").to_vec(), 401, INVALID_CLIENT),
            ("self-signed not registered", Some(&stray), cc("dev-self-signed-client").to_vec(), 401, INVALID_CLIENT),
            ("unknown client_id", Some(&pki), cc("nobody").to_vec(), 401, INVALID_CLIENT),
            ("another client's client_id", Some(&pki), cc("dev-self-signed-client").to_vec(), 401, INVALID_CLIENT),
            (
                "missing client_id",
                Some(&pki),
                vec![("grant_type", "client_credentials")],
                400,
                r#"{"error":"invalid_request","error_description":"The client_id parameter is required (RFC 8705 section 2)"}"#,
            ),
            (
                "repeated parameter",
                Some(&pki),
                vec![("grant_type", "client_credentials"), ("client_id", "dev-pki-client"), ("client_id", "x")],
                400,
                r#"{"error":"invalid_request","error_description":"A request parameter was repeated"}"#,
            ),
            (
                "unsupported grant",
                Some(&pki),
                vec![("grant_type", "authorization_code"), ("client_id", "dev-pki-client")],
                400,
                r#"{"error":"unsupported_grant_type","error_description":"Only the client_credentials and password grants are supported"}"#,
            ),
            (
                "wrong password",
                Some(&pki),
                vec![("grant_type", "password"), ("client_id", "dev-pki-client"), ("username", "alice"), ("password", "wrong")],
                400,
                r#"{"error":"invalid_grant","error_description":"The resource owner credentials are invalid"}"#,
            ),
            (
                "unknown user",
                Some(&pki),
                vec![("grant_type", "password"), ("client_id", "dev-pki-client"), ("username", "mallory"), ("password", password.as_str())],
                400,
                r#"{"error":"invalid_grant","error_description":"The resource owner credentials are invalid"}"#,
            ),
        ];
        for (what, id, form, status, expected) in cases {
            let a = token_request(&srv, id, &form).await;
            assert_eq!((a.status, body(&a).as_str()), (status, expected), "{what}");
            assert_eq!(a.header("cache-control"), Some("no-store"), "{what}");
            assert_eq!(a.header("content-type"), Some("application/json"), "{what}");
        }

        // The self-signed client is not registered for the password grant.
        let ss = srv.self_signed_client();
        let a = token_request(
            &srv,
            Some(&ss),
            &[("grant_type", "password"), ("client_id", "dev-self-signed-client"), ("username", "alice"), ("password", &password)],
        )
        .await;
        assert_eq!(
            (a.status, body(&a).as_str()),
            (400, r#"{"error":"unauthorized_client","error_description":"The client is not registered for this grant type"}"#)
        );

        // Basic authentication is refused with a challenge (RFC 6749 §5.2).
        let mut c = srv.connect(Some(&pki)).await.expect("connect");
        let a = c
            .send(
                "POST",
                "/oauth2/token",
                &[("content-type", "application/x-www-form-urlencoded"), ("authorization", "Basic ZGV2LXBraS1jbGllbnQ6eA==")],
                "grant_type=client_credentials&client_id=dev-pki-client",
            )
            .await
            .expect("basic");
        assert_eq!(a.status, 401);
        assert_eq!(a.header("www-authenticate"), Some(r#"Basic realm="certbound""#));

        // The right password works and names the user as subject.
        let a = token_request(
            &srv,
            Some(&pki),
            &[("grant_type", "password"), ("client_id", "dev-pki-client"), ("username", "alice"), ("password", &password)],
        )
        .await;
        assert_eq!(a.status, 200, "{}", body(&a));
        let token = a.json()["access_token"].as_str().expect("token").to_owned();
        let mut c = srv.connect(Some(&pki)).await.expect("connect");
        let w = c.get("/api/whoami", Some(&token)).await.expect("whoami");
        assert_eq!(w.status, 200, "{}", body(&w));
        assert_eq!(w.json()["sub"], "alice");
        assert_eq!(w.json()["client_id"], "dev-pki-client");

        let m = c.get("/metrics", None).await.expect("metrics");
        let text = body(&m);
        for (reason, n) in [
            ("no_certificate", 1),
            ("dn_mismatch", 1),
            ("certificate_not_registered", 2),
            ("chain_invalid", 2),
            ("unknown_client", 1),
            ("invalid_grant", 2),
            ("grant_not_allowed", 1),
            ("authorization_header", 1),
        ] {
            let line = format!("certbound_auth_failures_total{{reason=\"{reason}\"}} {n}\n");
            assert!(text.contains(&line), "missing {line:?} in\n{text}");
        }
    });
    let log = {
        let mut s = srv;
        s.stop()
    };
    assert!(log.contains("reason=\"dn_mismatch\""), "{log}");
    assert!(!log.contains("eyJ"), "a token was logged:\n{log}");
}

// Intent: a bound token works only over a connection presenting its certificate (TLS 1.3 and
// 1.2); another certificate or none gets core's RFC 6750 invalid_token answer — also once the
// token sits in the server's verified-token cache (the second whoami is a cache hit).
#[test]
fn bound_token_needs_its_certificate() {
    let dir = temp_dir("bound");
    let srv = Server::start_dev(&dir);
    let pki = srv.pki_client();
    let other = srv.self_signed_client();
    rt().block_on(async {
        let token = get_token(&srv, &pki, "dev-pki-client").await;
        for v in [Version::Tls13, Version::Tls12] {
            let mut c = client::connect(srv.addr, client::client_config(&srv.ca(), Some(&pki), v))
                .await
                .expect("connect");
            let w = c.get("/api/whoami", Some(&token)).await.expect("whoami");
            assert_eq!(w.status, 200, "{v:?}: {}", body(&w));
            let j = w.json();
            assert_eq!(j["client_id"], "dev-pki-client");
            assert_eq!(j["cnf"]["x5t#S256"], x5t(&pki).as_str());
            assert_eq!(j["certificate"]["subject"], "CN=certbound-dev-client,O=certbound dev");
        }
        let mut c = srv.connect(Some(&other)).await.expect("connect");
        let w = c.get("/api/whoami", Some(&token)).await.expect("whoami");
        assert_eq!(w.status, 401);
        assert_eq!(
            w.header("www-authenticate"),
            Some(r#"Bearer realm="certbound", error="invalid_token", error_description="The access token is bound to a different client certificate""#)
        );
        let mut c = srv.connect(None).await.expect("connect");
        let w = c.get("/api/whoami", Some(&token)).await.expect("whoami");
        assert_eq!(w.status, 401);
        assert_eq!(
            w.header("www-authenticate"),
            Some(r#"Bearer realm="certbound", error="invalid_token", error_description="The access token is bound to a client certificate; present it over mutual TLS""#)
        );
        let w = c.get("/api/whoami", None).await.expect("no token");
        assert_eq!((w.status, w.header("www-authenticate")), (401, Some(r#"Bearer realm="certbound""#)));
        let w = c.get("/api/whoami", Some("not-a-jwt")).await.expect("garbage");
        assert_eq!(w.status, 401);
        assert!(w.header("www-authenticate").is_some_and(|h| h.contains(r#"error="invalid_token""#)));
        // Anything under /api/ is protected; unknown paths are 404 only after authorization.
        let w = c.get("/api/other", None).await.expect("other");
        assert_eq!(w.status, 401);
        let mut c = srv.connect(Some(&pki)).await.expect("connect");
        let w = c.get("/api/other", Some(&token)).await.expect("other");
        assert_eq!(w.status, 404);
        let m = c.get("/metrics", None).await.expect("metrics");
        let text = String::from_utf8(m.body.to_vec()).expect("utf-8");
        // Hits: the TLS 1.2 whoami and /api/other with the right certificate; misses: the
        // first whoami and the refused requests (other certificate, none, garbage).
        assert!(
            text.contains("certbound_token_cache_lookups_total{result=\"hit\"} 2\n"),
            "{text}"
        );
        assert!(text.contains("certbound_token_cache_entries 1\n"), "{text}");
    });
}

// Intent: introspection needs an authenticated registered client and reports inactive tokens.
#[test]
fn introspection_rules() {
    let dir = temp_dir("introspect");
    let srv = Server::start_dev(&dir);
    let pki = srv.pki_client();
    rt().block_on(async {
        let token = get_token(&srv, &pki, "dev-pki-client").await;
        let mut c = srv.connect(None).await.expect("connect");
        let a = c
            .post_form(
                "/oauth2/introspect",
                &[("client_id", "dev-pki-client"), ("token", &token)],
            )
            .await
            .expect("introspect");
        assert_eq!((a.status, body(&a).as_str()), (401, INVALID_CLIENT));
        let mut c = srv.connect(Some(&pki)).await.expect("connect");
        let mut tampered = token.clone();
        tampered.pop();
        tampered.push(if token.ends_with('A') { 'B' } else { 'A' });
        for t in ["garbage", tampered.as_str()] {
            let a = c
                .post_form(
                    "/oauth2/introspect",
                    &[("client_id", "dev-pki-client"), ("token", t)],
                )
                .await
                .expect("introspect");
            assert_eq!((a.status, body(&a).as_str()), (200, r#"{"active":false}"#));
        }
    });
}

/// The `kid`s of the published JWKS.
async fn kids(srv: &Server) -> Vec<String> {
    let mut c = srv.connect(None).await.expect("connect");
    let j = c.get("/oauth2/jwks", None).await.expect("jwks");
    assert_eq!(j.status, 200);
    j.json()["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k["kid"].as_str().expect("kid").to_owned())
        .collect()
}

// Intent: signing keys persist across restarts (PKCS#8, 0600) and `keys rotate` adds a key
// while the old one stays published and its tokens stay valid.
#[test]
fn restart_keeps_keys_and_rotation_keeps_old_key() {
    let dir = temp_dir("restart");
    let mut srv = Server::start_dev(&dir);
    let pki = srv.pki_client();
    let (token, first) = rt().block_on(async {
        (
            get_token(&srv, &pki, "dev-pki-client").await,
            kids(&srv).await,
        )
    });
    assert_eq!(first.len(), 1);
    let key_file = dir.join("state/keys").join(format!("{}.p8", first[0]));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key_file)
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let log = srv.stop();
    assert!(
        log.contains("shutting down: no new connections, finishing requests in flight"),
        "{log}"
    );
    let srv = Server::start_dev_on(&dir, srv.addr);
    assert!(srv.password.is_none(), "the dev PKI was regenerated");
    rt().block_on(async {
        assert_eq!(kids(&srv).await, first);
        // The token from before the restart is still accepted.
        let mut c = srv.connect(Some(&pki)).await.expect("connect");
        assert_eq!(
            c.get("/api/whoami", Some(&token))
                .await
                .expect("whoami")
                .status,
            200
        );
    });
    let out = Command::new(env!("CARGO_BIN_EXE_certbound"))
        .args([
            "keys",
            "rotate",
            "--state",
            dir.join("state").to_str().expect("utf-8"),
        ])
        .output()
        .expect("rotate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(&format!("retired key {}", first[0])),
        "{stdout}"
    );
    rt().block_on(async {
        // The running server notices the rotation within its check interval.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let now = loop {
            let k = kids(&srv).await;
            if k.len() == 2 || std::time::Instant::now() > deadline {
                break k;
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        };
        assert_eq!(now.len(), 2, "{now:?}");
        assert_eq!(
            now[1], first[0],
            "the retired key is published after the new one"
        );
        let fresh = get_token(&srv, &pki, "dev-pki-client").await;
        assert_ne!(fresh, token);
        let mut c = srv.connect(Some(&pki)).await.expect("connect");
        assert_eq!(
            c.get("/api/whoami", Some(&token))
                .await
                .expect("old")
                .status,
            200
        );
        assert_eq!(
            c.get("/api/whoami", Some(&fresh))
                .await
                .expect("new")
                .status,
            200
        );
    });
}

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::new();
    for c in data.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                o.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                o.push('=');
            }
        }
    }
    o
}

// Intent: a forwarded certificate (RFC 9440) counts only from configured proxy CIDRs; from
// anyone else the header is stripped, ignored, logged and counted.
#[test]
fn forwarded_certificate_only_from_trusted_proxy() {
    for (cidr, trusted) in [("127.0.0.0/8", true), ("10.0.0.0/8", false)] {
        let (dir, cfg) = edited_config("proxy", |t| {
            format!("{t}\n[proxy]\nsource = \"rfc9440\"\ntrusted_peers = [\"{cidr}\"]\n")
        });
        let srv = Server::start_config(&cfg, &dir);
        let pki = srv.pki_client();
        let header = format!(":{}:", b64(&pki.chain[0]));
        rt().block_on(async {
            let mut c = srv.connect(None).await.expect("connect");
            let a = c
                .send(
                    "POST",
                    "/oauth2/token",
                    &[
                        ("content-type", "application/x-www-form-urlencoded"),
                        ("client-cert", &header),
                    ],
                    "grant_type=client_credentials&client_id=dev-pki-client",
                )
                .await
                .expect("token");
            if trusted {
                assert_eq!(a.status, 200, "{}", body(&a));
                let token = a.json()["access_token"].as_str().expect("token").to_owned();
                let w = c
                    .send(
                        "GET",
                        "/api/whoami",
                        &[
                            ("authorization", &format!("Bearer {token}")),
                            ("client-cert", &header),
                        ],
                        "",
                    )
                    .await
                    .expect("whoami");
                assert_eq!(w.status, 200, "{}", body(&w));
                assert_eq!(w.json()["certificate"]["via"], "forwarded");
            } else {
                assert_eq!((a.status, body(&a).as_str()), (401, INVALID_CLIENT));
                let m = c.get("/metrics", None).await.expect("metrics");
                assert!(
                    body(&m).contains("certbound_forwarded_headers_stripped_total 1\n"),
                    "{}",
                    body(&m)
                );
            }
        });
        if !trusted {
            let log = {
                let mut s = srv;
                s.stop()
            };
            assert!(
                log.contains("from an untrusted peer: stripped and ignored"),
                "{log}"
            );
        }
    }
}

// Intent: the README quickstart (the commands `certbound serve` prints) works with curl --cert.
#[test]
fn curl_quickstart() {
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/curl.sh"))
        .arg(env!("CARGO_BIN_EXE_certbound"))
        .output()
        .expect("run curl.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("curl quickstart: ok"), "{stdout}");
}

// Intent: the connection limit, handshake timeout, body and header limits hold.
#[test]
fn limits_are_enforced() {
    let (dir, cfg) = edited_config("limits", |t| {
        format!(
            "{t}\n[limits]\nhandshake_timeout_secs = 1\nmax_connections = 2\nmax_body_bytes = 1024\nmax_header_bytes = 8192\n"
        )
    });
    let srv = Server::start_config(&cfg, &dir);
    rt().block_on(async {
        let mut a = srv.connect(None).await.expect("first connection");
        assert_eq!(a.get("/healthz", None).await.expect("healthz").status, 200);
        // A TCP connection that never starts TLS holds the second slot until the handshake
        // timeout.
        let idle = tokio::net::TcpStream::connect(srv.addr).await.expect("tcp");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let r = async {
            let mut c = srv.connect(None).await?;
            c.get("/healthz", None).await
        }
        .await;
        assert!(r.is_err(), "a third connection was served: {r:?}");
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        drop(idle);
        let mut b = srv
            .connect(None)
            .await
            .expect("slot freed by the handshake timeout");
        let big = "a".repeat(2000);
        let r = b
            .send(
                "POST",
                "/oauth2/token",
                &[("content-type", "application/x-www-form-urlencoded")],
                &format!("grant_type=client_credentials&client_id=x&pad={big}"),
            )
            .await
            .expect("big body");
        assert_eq!(r.status, 413);
        let m = a.get("/metrics", None).await.expect("metrics");
        let text = body(&m);
        assert!(
            text.contains("certbound_tls_handshakes_total{result=\"timeout\"} 1\n"),
            "{text}"
        );
        assert!(
            text.contains("certbound_connections_rejected_total 1\n"),
            "{text}"
        );
        // Just over the limit, and in one piece: hyper alone let such heads through.
        // (max_connections = 2: `b`'s slot is freed once the server sees it closed.)
        drop(b);
        let mut c = None;
        for _ in 0..50 {
            if let Ok(x) = srv.connect(None).await {
                c = Some(x);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let mut c = c.expect("a connection once b is closed");
        let huge = "h".repeat(9000);
        let r = c.send("GET", "/healthz", &[("x-pad", &huge)], "").await;
        assert_eq!(r.expect("an answer").status, 431);
    });
}

// Intent: `tls.crls` reach core's path validation: a revoked CA-signed client is refused.
#[test]
fn revoked_client_certificate_is_refused() {
    let (dir, cfg) = edited_config("crl", |t| {
        t.replace(
            "trust_anchors = [\"ca.pem\"]",
            "trust_anchors = [\"ca.pem\"]\ncrls = [\"ca.crl\"]",
        )
    });
    let client_pem = std::fs::read(dir.join("client.pem")).expect("client");
    let serial = certbound_core::Certificate::from_pem(&client_pem)
        .expect("client cert")
        .serial_hex();
    let serial: Vec<u8> = (0..serial.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&serial[i..i + 2], 16).expect("hex"))
        .collect();
    let ca_key =
        rcgen::KeyPair::from_pem(&std::fs::read_to_string(dir.join("ca.key")).expect("key"))
            .expect("ca key");
    let issuer = rcgen::Issuer::from_ca_cert_pem(
        &std::fs::read_to_string(dir.join("ca.pem")).expect("ca"),
        ca_key,
    )
    .expect("issuer");
    let now = time::OffsetDateTime::now_utc();
    let crl = rcgen::CertificateRevocationListParams {
        this_update: now - time::Duration::hours(1),
        next_update: now + time::Duration::days(1),
        crl_number: rcgen::SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![rcgen::RevokedCertParams {
            serial_number: rcgen::SerialNumber::from_slice(&serial),
            revocation_time: now - time::Duration::minutes(5),
            reason_code: Some(rcgen::RevocationReason::KeyCompromise),
            invalidity_date: None,
        }],
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(&issuer)
    .expect("crl");
    std::fs::write(dir.join("ca.crl"), crl.pem().expect("crl pem")).expect("write crl");
    let srv = Server::start_config(&cfg, &dir);
    rt().block_on(async {
        let a = token_request(&srv, Some(&srv.pki_client()), &cc("dev-pki-client")).await;
        assert_eq!((a.status, body(&a).as_str()), (401, INVALID_CLIENT));
        // The self-signed client does not depend on the CA and still works.
        let ss = srv.self_signed_client();
        let a = token_request(&srv, Some(&ss), &cc("dev-self-signed-client")).await;
        assert_eq!(a.status, 200, "{}", body(&a));
    });
    let log = {
        let mut s = srv;
        s.stop()
    };
    assert!(log.contains("reason=\"chain_invalid\""), "{log}");
    assert!(log.to_lowercase().contains("revoked"), "{log}");
}

// Intent: with `[resource]`, `/api/` is a resource server for an external authorization server
// (here another `certbound serve`): its tokens are accepted only over mutual TLS with the
// certificate they are bound to, the route's scopes are required, the realm is the configured
// one, and the server's own tokens are no longer accepted there. A broken key set stops the
// start with the file and key named.
#[test]
fn resource_server_for_an_external_issuer() {
    let as_dir = temp_dir("external-as");
    let auth = Server::start_dev(&as_dir);
    let pki = auth.pki_client();
    let (token, jwks) = rt().block_on(async {
        let token = get_token(&auth, &pki, "dev-pki-client").await;
        let mut c = auth.connect(None).await.expect("connect");
        let jwks = c.get("/oauth2/jwks", None).await.expect("jwks");
        assert_eq!(jwks.status, 200);
        (token, body(&jwks))
    });
    let issuer = format!("https://localhost:{}", auth.addr.port());
    let resource = format!(
        "\n[resource]\nissuer = \"{issuer}\"\naudience = \"{issuer}/api\"\n\
         algorithms = [\"ES256\"]\nleeway_secs = 30\njwks_file = \"as-jwks.json\"\n\
         realm = \"rs\"\n\n[resource.route_scopes]\n\"/api/admin/\" = [\"admin\"]\n"
    );
    let (dir, cfg) = edited_config("resource", |t| format!("{t}{resource}"));
    let jwks_path = dir.join("as-jwks.json");

    // Without the key set the server does not start, and says which file and key.
    let out = Command::new(env!("CARGO_BIN_EXE_certbound"))
        .args(["serve", "--config", cfg.to_str().expect("utf-8")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "certbound: {}: `resource.jwks_file`: {}: ",
            cfg.display(),
            jwks_path.display()
        )),
        "{err}"
    );

    std::fs::write(&jwks_path, &jwks).expect("write jwks");
    let rs = Server::start_config(&cfg, &dir);
    let own_client = rs.pki_client();
    rt().block_on(async {
        let mut c = rs.connect(Some(&pki)).await.expect("connect");
        let w = c.get("/api/whoami", Some(&token)).await.expect("whoami");
        assert_eq!(w.status, 200, "{}", body(&w));
        assert_eq!(w.json()["iss"], issuer.as_str());
        assert_eq!(w.json()["certificate"]["x5t#S256"], x5t(&pki).as_str());
        assert_eq!(w.json()["certificate"]["via"], "tls");

        let w = c.get("/api/admin/users", Some(&token)).await.expect("admin");
        assert_eq!(w.status, 403);
        assert_eq!(
            w.header("www-authenticate"),
            Some(r#"Bearer realm="rs", error="insufficient_scope", error_description="The access token does not grant the scope this request needs", scope="admin""#)
        );
        // Route scopes apply to the canonical path: other spellings of /api/admin/ need the
        // same scope, and ambiguous ones are refused before the token is looked at.
        for spelling in ["/api/%61dmin/users", "/api//admin/users", "/api/x/../admin/users"] {
            let w = c.get(spelling, Some(&token)).await.expect("admin spelling");
            assert_eq!(w.status, 403, "{spelling}");
        }
        let w = c.get("/api/%77hoami", Some(&token)).await.expect("whoami spelling");
        assert_eq!(w.status, 200, "{}", body(&w));
        let w = c.get("/api/admin%2Fusers", Some(&token)).await.expect("encoded slash");
        assert_eq!(
            (w.status, w.header("www-authenticate")),
            (400, Some(r#"Bearer realm="rs", error="invalid_request", error_description="The request path is malformed or ambiguous: an encoded slash, backslash or control character, a backslash, or a bad escape""#))
        );
        let w = c
            .get(&format!("/api/whoami?access_token={token}"), None)
            .await
            .expect("query");
        assert_eq!(w.status, 400);

        let mut c = rs.connect(None).await.expect("connect");
        let w = c.get("/api/whoami", Some(&token)).await.expect("whoami");
        assert_eq!(
            (w.status, w.header("www-authenticate")),
            (401, Some(r#"Bearer realm="rs", error="invalid_token", error_description="The access token is bound to a client certificate; present it over mutual TLS""#))
        );

        let mut c = rs.connect(Some(&own_client)).await.expect("connect");
        let w = c.get("/api/whoami", Some(&token)).await.expect("whoami");
        assert_eq!(
            (w.status, w.header("www-authenticate")),
            (401, Some(r#"Bearer realm="rs", error="invalid_token", error_description="The access token is bound to a different client certificate""#))
        );
        // The resource server's own tokens are not signed by the configured issuer's keys.
        let own = get_token(&rs, &own_client, "dev-pki-client").await;
        let w = c.get("/api/whoami", Some(&own)).await.expect("whoami");
        assert_eq!(
            (w.status, w.header("www-authenticate")),
            (401, Some(r#"Bearer realm="rs", error="invalid_token", error_description="The access token is not signed by a trusted key""#))
        );
    });
}

// Intent: an h2 connection is closed (GOAWAY) once it has had no stream for the header timeout,
// even though its client answers the server's keep-alive PINGs; requests keep it open.
#[test]
fn idle_h2_connection_is_closed() {
    use std::time::{Duration, Instant};

    use http_body_util::Empty;
    use hyper::body::Bytes;
    use hyper_util::rt::{TokioExecutor, TokioIo};

    let (dir, cfg) = edited_config("h2-idle", |t| {
        format!("{t}\n[limits]\nheader_timeout_secs = 2\n")
    });
    let srv = Server::start_config(&cfg, &dir);
    rt().block_on(async {
        let mut config = (*client::client_config(&srv.ca(), None, Version::Tls13)).clone();
        config.alpn_protocols = vec![b"h2".to_vec()];
        let tcp = tokio::net::TcpStream::connect(srv.addr).await.expect("tcp");
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect("localhost".try_into().expect("name"), tcp)
            .await
            .expect("tls");
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        // hyper's h2 client answers the server's PINGs by itself.
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
                .await
                .expect("h2 handshake");
        let ended = tokio::spawn(async move {
            let r = conn.await;
            (Instant::now(), r)
        });
        let url = format!("https://localhost:{}/healthz", srv.addr.port());
        // Four seconds of requests, 0.5 s apart: twice the timeout, never idle for it.
        for _ in 0..8 {
            let req = hyper::Request::get(url.as_str())
                .body(Empty::<Bytes>::new())
                .expect("request");
            let answer = sender.send_request(req).await.expect("served while active");
            assert_eq!(answer.status(), 200);
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        assert!(!ended.is_finished(), "closed while requests kept coming");
        let last = Instant::now();
        let (at, r) = tokio::time::timeout(Duration::from_secs(8), ended)
            .await
            .expect("an idle h2 connection was still open 8 s after its last request")
            .expect("connection task");
        assert!(r.is_ok(), "not a graceful close: {r:?}");
        let idle = at - last;
        assert!(
            idle >= Duration::from_millis(1400),
            "closed after {idle:?} of idleness (timeout 2 s)"
        );
    });
}
