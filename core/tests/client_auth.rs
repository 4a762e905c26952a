//! RFC 8705 client authentication end to end: registrations from JSON, certificates from rcgen
//! (one set per test), `authenticate` with path validation for `tls_client_auth`.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use certbound_core::client::{
    AuthOptions, ClientAuthError, ClientRegistry, TlsClientAuthMethod, authenticate,
};
use certbound_core::path::TrustStore;
use certbound_core::{Certificate, Error, UnixTime};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use serde_json::{Value, json};

/// 2030-01-01T00:00:00Z: inside rcgen's default validity (1975..4096).
fn now() -> UnixTime {
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_893_456_000))
}

fn key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

fn dn(entries: &[(DnType, DnValue)]) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    for (t, v) in entries {
        dn.push(t.clone(), v.clone());
    }
    dn
}

fn printable(s: &str) -> DnValue {
    DnValue::PrintableString(s.try_into().unwrap())
}

fn utf8(s: &str) -> DnValue {
    DnValue::Utf8String(s.to_owned())
}

struct Ca {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl Ca {
    fn new(cn: &str) -> Self {
        let mut params = CertificateParams::default();
        params.distinguished_name = dn(&[(DnType::CommonName, utf8(cn))]);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        Self {
            issuer: CertifiedIssuer::self_signed(params, key()).unwrap(),
        }
    }

    fn trust(&self) -> TrustStore {
        TrustStore::from_pem(self.issuer.pem().as_bytes()).unwrap()
    }

    /// A clientAuth end-entity certificate.
    fn issue(&self, subject: DistinguishedName, sans: Vec<SanType>) -> Certificate {
        let mut params = CertificateParams::default();
        params.distinguished_name = subject;
        params.subject_alt_names = sans;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let cert = params.signed_by(&key(), &self.issuer).unwrap();
        Certificate::from_der(cert.der()).unwrap()
    }
}

fn self_signed(cn: &str, key: &KeyPair, not_after_year: Option<i32>) -> (Certificate, String) {
    let mut params = CertificateParams::default();
    params.distinguished_name = dn(&[(DnType::CommonName, utf8(cn))]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    if let Some(y) = not_after_year {
        params.not_before = rcgen::date_time_ymd(y - 1, 1, 1);
        params.not_after = rcgen::date_time_ymd(y, 1, 1);
    }
    let cert = params.self_signed(key).unwrap();
    (Certificate::from_der(cert.der()).unwrap(), cert.pem())
}

fn registry(clients: Value) -> ClientRegistry {
    ClientRegistry::from_json(json!({ "clients": clients }).to_string().as_bytes()).unwrap()
}

fn pki(id: &str, key: &str, value: &str) -> ClientRegistry {
    registry(json!([{
        "client_id": id,
        "token_endpoint_auth_method": "tls_client_auth",
        key: value,
    }]))
}

fn client_auth(e: Error) -> ClientAuthError {
    match e {
        Error::ClientAuth(c) => c,
        other => panic!("not a client auth error: {other}"),
    }
}

fn auth_pki(reg: &ClientRegistry, id: &str, ca: &Ca, leaf: &Certificate) -> Result<(), String> {
    authenticate(
        reg,
        id,
        leaf,
        &[],
        Some(&ca.trust()),
        now(),
        &AuthOptions::new(),
    )
    .map(|a| {
        assert_eq!(a.client_id(), id);
        assert_eq!(a.method(), TlsClientAuthMethod::Pki);
        assert_eq!(a.x5t(), leaf.x5t_s256());
    })
    .map_err(|e| e.to_string())
}

fn acme_subject(cn: &str) -> DistinguishedName {
    dn(&[
        (DnType::CountryName, printable("US")),
        (DnType::OrganizationName, printable("Acme, Inc.")),
        (DnType::CommonName, utf8(cn)),
    ])
}

#[test]
fn subject_dn_matches_structurally() {
    // Intent: case, whitespace, escaped commas and PrintableString vs UTF8 text all match.
    let ca = Ca::new("Acme CA");
    let leaf = ca.issue(acme_subject("client-1"), vec![]);
    assert_eq!(
        leaf.subject().to_string(),
        "CN=client-1,O=Acme\\, Inc.,C=US"
    );
    for registered in [
        "CN=client-1,O=Acme\\, Inc.,C=US",
        "cn=CLIENT-1, o=acme\\,  inc., c=us",
        "2.5.4.3=client-1,O=Acme\\2C Inc.,C=US",
    ] {
        let reg = pki("acme", "tls_client_auth_subject_dn", registered);
        auth_pki(&reg, "acme", &ca, &leaf).unwrap_or_else(|e| panic!("{registered}: {e}"));
    }
}

#[test]
fn subject_dn_near_misses_show_both_dns() {
    // Intent: a different CN, a missing RDN or a reordered DN is refused, showing both DNs.
    let ca = Ca::new("Acme CA");
    let leaf = ca.issue(acme_subject("client-1"), vec![]);
    let reg = pki(
        "acme",
        "tls_client_auth_subject_dn",
        "CN=client-2,O=Acme\\, Inc.,C=US",
    );
    assert_eq!(
        auth_pki(&reg, "acme", &ca, &leaf).unwrap_err(),
        "client \"acme\": certificate subject \"CN=client-1,O=Acme\\\\, Inc.,C=US\" does not match the registered tls_client_auth_subject_dn \"CN=client-2,O=Acme\\\\, Inc.,C=US\""
    );
    for registered in [
        "CN=client-1,O=Acme\\, Inc.",
        "C=US,O=Acme\\, Inc.,CN=client-1",
        "CN=client-1+O=Acme\\, Inc.,C=US",
        "CN=client-1,O=Acme,C=US",
    ] {
        let reg = pki("acme", "tls_client_auth_subject_dn", registered);
        let e = auth_pki(&reg, "acme", &ca, &leaf).unwrap_err();
        assert!(
            e.contains("does not match the registered"),
            "{registered}: {e}"
        );
    }
}

#[test]
fn subject_with_nul_never_matches() {
    // Intent: "CN=client\0.evil" cannot pass for "CN=client" (nor for itself).
    let ca = Ca::new("Acme CA");
    let leaf = ca.issue(dn(&[(DnType::CommonName, utf8("client\0.evil"))]), vec![]);
    let reg = pki("acme", "tls_client_auth_subject_dn", "CN=client");
    assert_eq!(
        auth_pki(&reg, "acme", &ca, &leaf).unwrap_err(),
        "client \"acme\": certificate subject \"CN=client\\\\00.evil\" does not match the registered tls_client_auth_subject_dn \"CN=client\" (the subject contains a NUL character)"
    );
    let reg = pki("acme", "tls_client_auth_subject_dn", "CN=client.evil");
    assert!(auth_pki(&reg, "acme", &ca, &leaf).is_err());
}

#[test]
fn unicode_subject_matches_escaped_utf8_and_folded_case() {
    // Intent: \XX UTF-8 escapes and Unicode lowercase folding reach the certificate's text.
    let ca = Ca::new("Acme CA");
    let leaf = ca.issue(dn(&[(DnType::CommonName, utf8("Zürich Ämter"))]), vec![]);
    for registered in [
        "CN=Z\\C3\\BCrich \\C3\\84mter",
        "cn=zürich ämter",
        "CN=ZÜRICH  ÄMTER",
    ] {
        let reg = pki("acme", "tls_client_auth_subject_dn", registered);
        auth_pki(&reg, "acme", &ca, &leaf).unwrap_or_else(|e| panic!("{registered}: {e}"));
    }
    let reg = pki("acme", "tls_client_auth_subject_dn", "CN=Zurich Amter");
    assert!(auth_pki(&reg, "acme", &ca, &leaf).is_err());
}

#[test]
fn same_subject_from_another_ca_fails_chain_validation() {
    // Intent: the registered subject alone is not enough; the chain must reach our anchors.
    let ours = Ca::new("Acme CA");
    let theirs = Ca::new("Acme CA");
    let forged = theirs.issue(acme_subject("client-1"), vec![]);
    let reg = pki(
        "acme",
        "tls_client_auth_subject_dn",
        "CN=client-1,O=Acme\\, Inc.,C=US",
    );
    auth_pki(&reg, "acme", &theirs, &forged).unwrap();
    let e = authenticate(
        &reg,
        "acme",
        &forged,
        &[],
        Some(&ours.trust()),
        now(),
        &AuthOptions::new(),
    )
    .unwrap_err();
    let text = e.to_string();
    assert!(
        matches!(client_auth(e), ClientAuthError::Chain { ref client_id, .. } if client_id == "acme"),
        "{text}"
    );
    assert!(
        text.starts_with("client \"acme\": the certificate chain does not validate: "),
        "{text}"
    );
}

#[test]
fn tls_client_auth_without_anchors_is_refused() {
    // Intent: no trust store means no PKI authentication, never "skip validation".
    let ca = Ca::new("Acme CA");
    let leaf = ca.issue(acme_subject("client-1"), vec![]);
    let reg = pki(
        "acme",
        "tls_client_auth_subject_dn",
        "CN=client-1,O=Acme\\, Inc.,C=US",
    );
    let e = authenticate(&reg, "acme", &leaf, &[], None, now(), &AuthOptions::new()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "client \"acme\": tls_client_auth needs trust anchors to validate the certificate chain, and none are configured"
    );
}

#[test]
fn san_dns_is_case_insensitive_exact() {
    // Intent: DNS SANs compare without case or wildcards; the error lists what is present.
    let ca = Ca::new("Acme CA");
    let leaf = ca.issue(
        acme_subject("x"),
        vec![
            SanType::DnsName("api.example.com".try_into().unwrap()),
            SanType::DnsName("*.example.net".try_into().unwrap()),
        ],
    );
    for ok in ["API.Example.com", "api.example.com.", "*.EXAMPLE.net"] {
        let reg = pki("acme", "tls_client_auth_san_dns", ok);
        auth_pki(&reg, "acme", &ca, &leaf).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    let reg = pki("acme", "tls_client_auth_san_dns", "api.example.co");
    assert_eq!(
        auth_pki(&reg, "acme", &ca, &leaf).unwrap_err(),
        "client \"acme\": the certificate has no dNSName SAN matching the registered tls_client_auth_san_dns \"api.example.co\"; it has dNSName: api.example.com, *.example.net"
    );
    for miss in ["www.example.net", "example.com", "api.example.com.evil"] {
        let reg = pki("acme", "tls_client_auth_san_dns", miss);
        assert!(auth_pki(&reg, "acme", &ca, &leaf).is_err(), "{miss}");
    }
}

#[test]
fn san_ip_compares_binary_addresses() {
    // Intent: ::1 and 0:0:0:0:0:0:0:1 are one address; v4-mapped v6 is not the v4 address.
    let ca = Ca::new("Acme CA");
    let leaf = ca.issue(
        acme_subject("x"),
        vec![
            SanType::IpAddress("::1".parse().unwrap()),
            SanType::IpAddress("::ffff:192.0.2.7".parse().unwrap()),
        ],
    );
    for ok in [
        "::1",
        "0:0:0:0:0:0:0:1",
        "0000::0001",
        "::ffff:192.0.2.7",
        "::FFFF:c000:0207",
    ] {
        let reg = pki("acme", "tls_client_auth_san_ip", ok);
        auth_pki(&reg, "acme", &ca, &leaf).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    let reg = pki("acme", "tls_client_auth_san_ip", "192.0.2.7");
    assert_eq!(
        auth_pki(&reg, "acme", &ca, &leaf).unwrap_err(),
        "client \"acme\": the certificate has no iPAddress SAN matching the registered tls_client_auth_san_ip \"192.0.2.7\"; it has iPAddress: ::1, ::ffff:192.0.2.7"
    );
    let reg = pki("acme", "tls_client_auth_san_ip", "::2");
    assert!(auth_pki(&reg, "acme", &ca, &leaf).is_err());
}

#[test]
fn san_email_and_uri() {
    // Intent: email local part is case-sensitive, its domain not; URIs are exact.
    let ca = Ca::new("Acme CA");
    let leaf = ca.issue(
        acme_subject("x"),
        vec![
            SanType::Rfc822Name("Ops.Team@Example.com".try_into().unwrap()),
            SanType::URI("spiffe://example.org/ns/prod/sa/api".try_into().unwrap()),
        ],
    );
    let ok = [
        ("tls_client_auth_san_email", "Ops.Team@example.COM"),
        (
            "tls_client_auth_san_uri",
            "spiffe://example.org/ns/prod/sa/api",
        ),
    ];
    for (k, v) in ok {
        auth_pki(&pki("acme", k, v), "acme", &ca, &leaf).unwrap_or_else(|e| panic!("{v}: {e}"));
    }
    let miss = [
        ("tls_client_auth_san_email", "ops.team@example.com"),
        (
            "tls_client_auth_san_uri",
            "spiffe://example.org/ns/prod/sa/API",
        ),
        (
            "tls_client_auth_san_uri",
            "spiffe://example.org/ns/prod/sa/api/",
        ),
        (
            "tls_client_auth_san_uri",
            "SPIFFE://example.org/ns/prod/sa/api",
        ),
    ];
    for (k, v) in miss {
        assert!(
            auth_pki(&pki("acme", k, v), "acme", &ca, &leaf).is_err(),
            "{v}"
        );
    }
    let none = ca.issue(acme_subject("x"), vec![]);
    assert_eq!(
        auth_pki(
            &pki("acme", "tls_client_auth_san_uri", "spiffe://a/b"),
            "acme",
            &ca,
            &none
        )
        .unwrap_err(),
        "client \"acme\": the certificate has no uniformResourceIdentifier SAN matching the registered tls_client_auth_san_uri \"spiffe://a/b\"; it has no uniformResourceIdentifier SAN"
    );
}

fn self_signed_registry(pems: &[&str]) -> ClientRegistry {
    registry(json!([{
        "client_id": "device-7",
        "token_endpoint_auth_method": "self_signed_tls_client_auth",
        "certificates": pems,
        "tls_client_certificate_bound_access_tokens": true,
    }]))
}

#[test]
fn self_signed_matches_registered_thumbprint_without_chain_validation() {
    // Intent: §2.2 – the x5t#S256 decides; no trust store is needed; any registered cert works.
    let k = key();
    let (old, old_pem) = self_signed("device-7", &k, None);
    let (new, new_pem) = self_signed("device-7", &key(), None);
    let reg = self_signed_registry(&[&old_pem, &new_pem]);
    for cert in [&old, &new] {
        let a = authenticate(
            &reg,
            "device-7",
            cert,
            &[],
            None,
            now(),
            &AuthOptions::new(),
        )
        .unwrap();
        assert_eq!(a.method(), TlsClientAuthMethod::SelfSigned);
        assert_eq!(a.x5t(), cert.x5t_s256());
        assert!(a.registration().certificate_bound_access_tokens());
    }
}

#[test]
fn self_signed_unregistered_certificate_is_refused_by_thumbprint() {
    // Intent: same subject, same key, different certificate: not registered.
    let k = key();
    let (_, registered_pem) = self_signed("device-7", &k, None);
    let (other, _) = self_signed("device-7", &k, Some(2031));
    let reg = self_signed_registry(&[&registered_pem]);
    let e = authenticate(
        &reg,
        "device-7",
        &other,
        &[],
        None,
        now(),
        &AuthOptions::new(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "client \"device-7\": the certificate (x5t#S256 {}) is not one of the client's registered self-signed certificates",
            other.x5t_s256()
        )
    );
    assert_eq!(client_auth(e).oauth_error_code(), "invalid_client");
}

#[test]
fn self_signed_validity_is_enforced_unless_dangerously_ignored() {
    // Intent: an expired registered certificate fails by default, passes with the switch.
    let (cert, pem) = self_signed("device-7", &key(), Some(2025));
    let reg = self_signed_registry(&[&pem]);
    let e = authenticate(
        &reg,
        "device-7",
        &cert,
        &[],
        None,
        now(),
        &AuthOptions::new(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "client \"device-7\": registered self-signed certificate {} has expired: verification time 2030-01-01T00:00:00Z, valid from 2024-01-01T00:00:00Z to 2025-01-01T00:00:00Z",
            cert.x5t_s256()
        )
    );
    let opts = AuthOptions::new().dangerous_ignore_self_signed_validity();
    authenticate(&reg, "device-7", &cert, &[], None, now(), &opts).unwrap();
    // Clock skew widens the window on both sides.
    let just_after =
        UnixTime::since_unix_epoch(std::time::Duration::from_secs(cert.not_after() + 60));
    assert!(
        authenticate(
            &reg,
            "device-7",
            &cert,
            &[],
            None,
            just_after,
            &AuthOptions::new()
        )
        .is_err()
    );
    authenticate(
        &reg,
        "device-7",
        &cert,
        &[],
        None,
        just_after,
        &AuthOptions::new().clock_skew(60),
    )
    .unwrap();
}

fn jwk_of(key: &KeyPair, cert_der: &[u8]) -> Value {
    let raw = key.public_key_raw();
    assert_eq!(raw.len(), 65);
    json!({
        "kty": "EC", "crv": "P-256", "kid": "k1", "use": "sig",
        "x": Base64UrlUnpadded::encode_string(&raw[1..33]),
        "y": Base64UrlUnpadded::encode_string(&raw[33..65]),
        "x5c": [Base64::encode_string(cert_der)],
    })
}

#[test]
fn self_signed_jwks_x5c_must_carry_the_jwk_key() {
    // Intent: jwks keys register x5c[0]; a JWK whose key is not the certificate's is refused.
    let k = key();
    let (cert, _) = self_signed("device-7", &k, None);
    let reg = registry(json!([{
        "client_id": "device-7",
        "token_endpoint_auth_method": "self_signed_tls_client_auth",
        "jwks": { "keys": [jwk_of(&k, cert.der())] },
    }]));
    authenticate(
        &reg,
        "device-7",
        &cert,
        &[],
        None,
        now(),
        &AuthOptions::new(),
    )
    .unwrap();

    let wrong = jwk_of(&key(), cert.der());
    let e = ClientRegistry::from_json(
        json!([{
            "client_id": "device-7",
            "token_endpoint_auth_method": "self_signed_tls_client_auth",
            "jwks": { "keys": [wrong] },
        }])
        .to_string()
        .as_bytes(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "client \"device-7\": jwks key 1: the key does not match the public key of its x5c[0] certificate"
    );
}

#[test]
fn unknown_client_and_method_mismatch() {
    // Intent: the caller learns precisely why, and it is always invalid_client.
    let (cert, pem) = self_signed("device-7", &key(), None);
    let reg = self_signed_registry(&[&pem]);
    let e = authenticate(
        &reg,
        "device-8",
        &cert,
        &[],
        None,
        now(),
        &AuthOptions::new(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown client \"device-8\": no registration has this client_id"
    );
    let opts = AuthOptions::new().require_method(TlsClientAuthMethod::Pki);
    let e = authenticate(&reg, "device-7", &cert, &[], None, now(), &opts).unwrap_err();
    assert_eq!(
        e.to_string(),
        "client \"device-7\" is registered for self_signed_tls_client_auth, but tls_client_auth is required"
    );
    assert_eq!(client_auth(e).oauth_error_code(), "invalid_client");
    assert_eq!(
        ClientAuthError::no_certificate("device-7").to_string(),
        "client \"device-7\": no client certificate was presented; mutual-TLS client authentication needs one (RFC 8705 §2)"
    );
}

#[test]
fn self_signed_jwks_ed25519_and_unsupported_keys() {
    // Intent: OKP Ed25519 JWKs register their x5c; an unsupported kty is a load error.
    let k = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let (cert, _) = self_signed("device-9", &k, None);
    let jwk = json!({
        "kty": "OKP", "crv": "Ed25519",
        "x": Base64UrlUnpadded::encode_string(k.public_key_raw()),
        "x5c": [Base64::encode_string(cert.der())],
    });
    let reg = registry(json!([{
        "client_id": "device-9",
        "token_endpoint_auth_method": "self_signed_tls_client_auth",
        "jwks": { "keys": [jwk] },
    }]));
    authenticate(
        &reg,
        "device-9",
        &cert,
        &[],
        None,
        now(),
        &AuthOptions::new(),
    )
    .unwrap();

    let load = |jwk: Value| {
        ClientRegistry::from_json(
            json!([{
                "client_id": "device-9",
                "token_endpoint_auth_method": "self_signed_tls_client_auth",
                "jwks": { "keys": [jwk] },
            }])
            .to_string()
            .as_bytes(),
        )
        .unwrap_err()
        .to_string()
    };
    let x5c = Base64::encode_string(cert.der());
    let x = Base64UrlUnpadded::encode_string(k.public_key_raw());
    assert_eq!(
        load(json!({"kty": "oct", "k": "AAAA", "x5c": [x5c]})),
        "client \"device-9\": jwks key 1: it contains private key material (member \"k\"); publish public keys only"
    );
    assert_eq!(
        load(json!({"kty": "OKP", "crv": "X25519", "x": x, "x5c": [x5c]})),
        "client \"device-9\": jwks key 1: key type \"OKP X25519\" is not supported: use EC P-256, EC P-384, RSA or OKP Ed25519"
    );
    assert_eq!(
        load(json!({"kty": "OKP", "crv": "Ed25519", "x": "AAAA"})),
        "client \"device-9\": jwks key 1: it has no x5c; self_signed_tls_client_auth needs each key's certificate"
    );
    assert_eq!(
        load(json!({"kty": "OKP", "crv": "Ed25519", "x": x, "x5c": ["not base64!"]})),
        "client \"device-9\": jwks key 1: member \"x5c\" must be a non-empty array of standard base64 DER certificates"
    );
}
