//! `client` cases: RFC 8705 registrations (both methods, every subject matcher) and
//! `authenticate` outcomes, plus invalid registration files.

use serde_json::{Value, json};

use super::super::pki::{CLIENT_DNS, CLIENT_EMAIL, CLIENT_IP, CLIENT_URI, ORG, Pki};
use super::super::{Declared as D, Gen};
use super::{RFC8705_X5T, shared};
use crate::parity::Kind::Client;

const REGISTRATIONS: &str = "pki/registrations.json";

fn registrations(p: &Pki) -> Value {
    let pki = |id: &str, key: &str, value: &str| json!({"client_id": id, "token_endpoint_auth_method": "tls_client_auth", key: value, "grant_types": ["client_credentials"]});
    let selfs = |id: &str, files: &[&str]| json!({"client_id": id, "token_endpoint_auth_method": "self_signed_tls_client_auth", "certificates": files, "grant_types": ["client_credentials"]});
    json!({"clients": [
        pki("pki-dn", "tls_client_auth_subject_dn", &format!("CN=client-1,O={ORG}")),
        pki("pki-dn-spaced", "tls_client_auth_subject_dn", &format!("cn = client-1 , o = {ORG}")),
        pki("pki-dn-other", "tls_client_auth_subject_dn", &format!("CN=client-2,O={ORG}")),
        pki("pki-dns", "tls_client_auth_san_dns", CLIENT_DNS),
        pki("pki-dns-other", "tls_client_auth_san_dns", "client2.parity.example"),
        pki("pki-uri", "tls_client_auth_san_uri", CLIENT_URI),
        pki("pki-ip", "tls_client_auth_san_ip", &CLIENT_IP.to_string()),
        pki("pki-ip-other", "tls_client_auth_san_ip", "192.0.2.11"),
        pki("pki-email", "tls_client_auth_san_email", CLIENT_EMAIL),
        {
            "client_id": "pki-bound",
            "token_endpoint_auth_method": "tls_client_auth",
            "tls_client_auth_subject_dn": format!("CN=client-1,O={ORG}"),
            "tls_client_certificate_bound_access_tokens": true,
            "scope": "read write",
            "grant_types": ["client_credentials"],
        },
        selfs("self", &[&p.get("self-signed").file]),
        selfs("self-two", &[&p.get("self-signed-ed25519").file, &p.get("self-signed").file]),
        selfs("self-expired", &[&p.get("self-signed-expired").file]),
        selfs("self-ed25519", &[&p.get("self-signed-ed25519").file]),
        selfs("rfc8705", &["shared:rfc-examples/rfc8705_appA.pem"]),
    ]})
}

pub(super) fn cases(g: &mut Gen, p: &Pki) {
    let mut text = serde_json::to_string_pretty(&registrations(p)).expect("json");
    text.push('\n');
    g.file(REGISTRATIONS, text);
    let f = |n: &str| json!({"file": p.get(n).file});
    let anchors = f("root");
    let auth = |id: &str, leaf: &str, chain: &[&str]| {
        json!({
            "registrations": {"file": REGISTRATIONS},
            "client_id": id,
            "leaf": f(leaf),
            "chain": chain.iter().map(|c| f(c)).collect::<Vec<_>>(),
            "anchors": anchors,
        })
    };
    let ok = |id: &str, method: &str, leaf: &str, bound: bool| {
        D::Ok(Some(json!({
            "client_id": id,
            "method": method,
            "x5t#S256": p.get(leaf).x5t(),
            "bound_tokens": bound,
        })))
    };
    let pki_ok = |id: &str| ok(id, "tls_client_auth", "client", false);

    for id in [
        "pki-dn",
        "pki-dn-spaced",
        "pki-dns",
        "pki-uri",
        "pki-ip",
        "pki-email",
    ] {
        g.case(
            Client,
            id,
            "tls_client_auth: valid chain, registered subject matches",
            auth(id, "client", &["inter"]),
            pki_ok(id),
        );
    }
    g.case(
        Client,
        "pki-bound",
        "tls_client_auth with certificate-bound tokens registered",
        auth("pki-bound", "client", &["inter"]),
        ok("pki-bound", "tls_client_auth", "client", true),
    );
    g.case(
        Client,
        "pki-dn-mismatch",
        "tls_client_auth: the certificate's subject DN is not the registered one",
        auth("pki-dn-other", "client", &["inter"]),
        D::Err("ClientAuth.DnMismatch", None),
    );
    g.case(
        Client,
        "pki-dns-mismatch",
        "tls_client_auth: no SAN dNSName matches",
        auth("pki-dns-other", "client", &["inter"]),
        D::Err("ClientAuth.SanMismatch", None),
    );
    g.case(
        Client,
        "pki-ip-mismatch",
        "tls_client_auth: no SAN iPAddress matches",
        auth("pki-ip-other", "client", &["inter"]),
        D::Err("ClientAuth.SanMismatch", None),
    );
    g.case(
        Client,
        "pki-dns-no-san",
        "tls_client_auth by SAN for a certificate with other SANs only",
        auth("pki-uri", "client2", &["inter"]),
        D::Err("ClientAuth.SanMismatch", None),
    );
    g.case(
        Client,
        "pki-chain-missing",
        "tls_client_auth: the intermediate is not presented",
        auth("pki-dn", "client", &[]),
        D::Err("ClientAuth.Chain", None),
    );
    g.case(
        Client,
        "pki-expired",
        "tls_client_auth: an expired certificate with the registered DN's issuer",
        auth("pki-dn", "client-expired", &["inter"]),
        D::Err("ClientAuth.Chain", None),
    );
    g.case(
        Client,
        "pki-foreign-root",
        "tls_client_auth: a certificate from an untrusted root",
        auth("pki-dn", "foreign", &[]),
        D::Err("ClientAuth.Chain", None),
    );
    g.case(
        Client,
        "pki-self-signed-cert",
        "tls_client_auth with a self-signed certificate",
        auth("pki-dn", "self-signed", &[]),
        D::Err("ClientAuth.Chain", None),
    );
    g.case(
        Client,
        "pki-server-eku",
        "tls_client_auth: a certificate for serverAuth only",
        auth("pki-dns", "server-only", &["inter"]),
        D::Err("ClientAuth.Chain", None),
    );
    let mut no_anchors = auth("pki-dn", "client", &["inter"]);
    no_anchors["anchors"] = Value::Null;
    g.case(
        Client,
        "pki-no-trust-anchors",
        "tls_client_auth without configured trust anchors",
        no_anchors,
        D::Err("ClientAuth.NoTrustAnchors", None),
    );
    g.case(
        Client,
        "self",
        "self_signed_tls_client_auth: the registered certificate",
        auth("self", "self-signed", &[]),
        ok("self", "self_signed_tls_client_auth", "self-signed", false),
    );
    g.case(
        Client,
        "self-second-of-two",
        "self_signed_tls_client_auth: the second of two registered certificates",
        auth("self-two", "self-signed", &[]),
        ok(
            "self-two",
            "self_signed_tls_client_auth",
            "self-signed",
            false,
        ),
    );
    g.case(
        Client,
        "self-ed25519",
        "self_signed_tls_client_auth with an Ed25519 certificate",
        auth("self-ed25519", "self-signed-ed25519", &[]),
        ok(
            "self-ed25519",
            "self_signed_tls_client_auth",
            "self-signed-ed25519",
            false,
        ),
    );
    g.case(
        Client,
        "self-chain-ignored",
        "self_signed_tls_client_auth: a presented chain is not validated (RFC 8705 §2.2)",
        auth("self", "self-signed", &["inter", "foreign"]),
        ok("self", "self_signed_tls_client_auth", "self-signed", false),
    );
    g.case(
        Client,
        "self-not-registered",
        "self_signed_tls_client_auth: another certificate",
        auth("self", "self-signed-ed25519", &[]),
        D::Err("ClientAuth.CertificateNotRegistered", None),
    );
    g.case(
        Client,
        "self-ca-issued",
        "self_signed_tls_client_auth: a CA-issued certificate is not a registered one",
        auth("self", "client", &["inter"]),
        D::Err("ClientAuth.CertificateNotRegistered", None),
    );
    g.case(
        Client,
        "self-expired",
        "self_signed_tls_client_auth: the registered certificate expired",
        auth("self-expired", "self-signed-expired", &[]),
        D::Err("ClientAuth.CertificateExpired", None),
    );
    let mut ignore = auth("self-expired", "self-signed-expired", &[]);
    ignore["ignore_self_signed_validity"] = json!(true);
    g.case(
        Client,
        "self-expired-ignored",
        "the expired registered certificate with validity checking turned off",
        ignore,
        ok(
            "self-expired",
            "self_signed_tls_client_auth",
            "self-signed-expired",
            false,
        ),
    );
    let mut rfc = auth("rfc8705", "self-signed", &[]);
    rfc["leaf"] = shared("rfc8705_appA.pem");
    let mut rfc_ignore = rfc.clone();
    rfc_ignore["ignore_self_signed_validity"] = json!(true);
    g.case(
        Client,
        "rfc8705-example-expired",
        "RFC 8705 Appendix A certificate registered (shared file); it expired in 2022",
        rfc,
        D::Err("ClientAuth.CertificateExpired", None),
    );
    g.case(
        Client,
        "rfc8705-example",
        "RFC 8705 Appendix A certificate with validity checking off",
        rfc_ignore,
        D::Fields(vec![("/x5t#S256".into(), json!(RFC8705_X5T))]),
    );
    let mut method = auth("self", "self-signed", &[]);
    method["require_method"] = json!("tls_client_auth");
    g.case(
        Client,
        "method-mismatch",
        "the endpoint requires tls_client_auth, the client is registered self-signed",
        method,
        D::Err("ClientAuth.MethodMismatch", None),
    );
    g.case(
        Client,
        "unknown-client",
        "a client_id with no registration",
        auth("nobody", "client", &["inter"]),
        D::Err(
            "ClientAuth.UnknownClient",
            Some("unknown client \"nobody\": no registration has this client_id".into()),
        ),
    );
    let mut none = auth("pki-dn", "client", &[]);
    none["leaf"] = Value::Null;
    g.case(
        Client,
        "no-certificate",
        "no client certificate presented",
        none,
        D::Err("ClientAuth.NoCertificate", None),
    );

    // Registration files that must not load.
    let regs = |name: &str, about: &str, body: Value, code: &'static str| {
        (name.to_owned(), about.to_owned(), body, code)
    };
    let one = |r: Value| json!({"clients": [r]});
    let bad = [
        regs(
            "reg-unsupported-method",
            "token_endpoint_auth_method client_secret_basic",
            one(json!({"client_id": "a", "token_endpoint_auth_method": "client_secret_basic"})),
            "ClientAuth.Registration",
        ),
        regs(
            "reg-no-matcher",
            "tls_client_auth without a subject matcher",
            one(json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth"})),
            "ClientAuth.Registration",
        ),
        regs(
            "reg-two-matchers",
            "tls_client_auth with a DN and a SAN",
            one(
                json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=a", "tls_client_auth_san_dns": "a.example"}),
            ),
            "ClientAuth.Registration",
        ),
        regs(
            "reg-bad-dn",
            "a subject DN that is not RFC 4514",
            one(
                json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN"}),
            ),
            "ClientAuth.Registration",
        ),
        regs(
            "reg-bad-ip",
            "a SAN iPAddress that is not an address",
            one(
                json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_ip": "192.0.2"}),
            ),
            "ClientAuth.Registration",
        ),
        regs(
            "reg-self-no-certs",
            "self_signed_tls_client_auth without certificates",
            one(
                json!({"client_id": "a", "token_endpoint_auth_method": "self_signed_tls_client_auth"}),
            ),
            "ClientAuth.Registration",
        ),
        regs(
            "reg-unknown-key",
            "an unknown metadata key",
            one(
                json!({"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=a", "client_secret": "x"}),
            ),
            "ClientAuth.Registration",
        ),
        regs(
            "reg-empty-id",
            "an empty client_id",
            one(
                json!({"client_id": "", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=a"}),
            ),
            "ClientAuth.Registration",
        ),
        regs(
            "reg-duplicate-id",
            "two registrations with one client_id",
            json!({"clients": [
                {"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=a"},
                {"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_subject_dn": "CN=b"},
            ]}),
            "ClientAuth.Registration",
        ),
        regs(
            "reg-not-json",
            "a registration file that is not JSON",
            json!("{not json"),
            "ClientAuth.RegistrationFile",
        ),
        regs(
            "reg-not-object",
            "a registration file that is a number",
            json!(42),
            "ClientAuth.RegistrationFile",
        ),
    ];
    for (name, about, body, code) in bad {
        let text = match &body {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let text = if name == "reg-not-object" {
            "42".to_owned()
        } else {
            text
        };
        g.case(
            Client,
            &name,
            &about,
            json!({"registrations": text, "client_id": "a", "leaf": f("client"), "chain": [f("inter")], "anchors": anchors}),
            D::Err(code, None),
        );
    }
    g.case(
        Client,
        "reg-duplicate-json-key",
        "a registration with the same JSON key twice",
        json!({
            "registrations": r#"{"clients":[{"client_id":"a","client_id":"b","token_endpoint_auth_method":"tls_client_auth","tls_client_auth_subject_dn":"CN=a"}]}"#,
            "client_id": "a", "leaf": f("client"), "chain": [f("inter")], "anchors": anchors,
        }),
        D::AnyErr,
    );
    g.case(
        Client,
        "reg-bare-array",
        "a bare JSON array of registrations",
        json!({
            "registrations": json!([{"client_id": "a", "token_endpoint_auth_method": "tls_client_auth", "tls_client_auth_san_dns": CLIENT_DNS}]).to_string(),
            "client_id": "a", "leaf": f("client"), "chain": [f("inter")], "anchors": anchors,
        }),
        ok("a", "tls_client_auth", "client", false),
    );
}
