//! Writes the seed corpora: `cargo run --example seedgen -- <corpus dir>` (see `../seed.sh`).
//!
//! Seeds come from certificates generated here with rcgen (fresh keys each run) and from the
//! shared RFC / JOSE examples, read in place. Each seed is named after its content's purpose.

#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use certbound_core::pem;
use certbound_fuzz::{
    AUDIENCE, ISSUER, RFC8705_PEM, RFC9440_INTERMEDIATE_PEM, RFC9440_LEAF_PEM, RFC9440_ROOT_PEM,
    TOKEN_NOW, encode_records, fixtures, jwks_json, sign,
};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, RevokedCertParams, SanType,
    SerialNumber, date_time_ymd,
};
use serde_json::json;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance");

struct Corpus(PathBuf);

impl Corpus {
    fn put(&self, target: &str, name: &str, bytes: impl AsRef<[u8]>) {
        let dir = self.0.join(target);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("seed-{name}")), bytes).unwrap();
    }
}

/// Generated certificates: a CA, an intermediate and a client leaf with every SAN kind, plus
/// the CA's CRL revoking the leaf.
struct Generated {
    ca_pem: String,
    ca_der: Vec<u8>,
    intermediate_der: Vec<u8>,
    leaf_pem: String,
    leaf_der: Vec<u8>,
    ed25519_der: Vec<u8>,
    crl_der: Vec<u8>,
}

fn generate() -> Generated {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(vec![]).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Constrained(1));
    ca.distinguished_name.push(DnType::CountryName, "DE");
    ca.distinguished_name
        .push(DnType::OrganizationName, "Fuzz, Inc.");
    ca.distinguished_name
        .push(DnType::CommonName, "Fuzz Root CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let ca_pem = ca_cert.pem();
    let ca_der = ca_cert.der().to_vec();
    let ca_issuer = Issuer::new(ca, ca_key);

    let int_key = KeyPair::generate().unwrap();
    let mut int = CertificateParams::new(vec![]).unwrap();
    int.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    int.distinguished_name
        .push(DnType::CommonName, "Fuzz Intermediate");
    int.distinguished_name
        .push(DnType::OrganizationalUnitName, "Unit + Test");
    let int_cert = int.signed_by(&int_key, &ca_issuer).unwrap();
    let int_issuer = Issuer::new(int, int_key);

    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["client.example".into()]).unwrap();
    leaf.subject_alt_names.extend([
        SanType::Rfc822Name("client@example.com".try_into().unwrap()),
        SanType::URI("spiffe://example.org/client".try_into().unwrap()),
        SanType::IpAddress("192.0.2.7".parse().unwrap()),
        SanType::IpAddress("2001:db8::7".parse().unwrap()),
    ]);
    leaf.distinguished_name
        .push(DnType::CommonName, "client, \"quoted\"");
    leaf.distinguished_name.push(DnType::LocalityName, "Berlin");
    leaf.distinguished_name.push(
        DnType::CustomDnType(vec![0, 9, 2342, 19200300, 100, 1, 25]),
        "example",
    );
    leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    leaf.serial_number = Some(SerialNumber::from(vec![0x42]));
    let leaf_cert = leaf.signed_by(&leaf_key, &int_issuer).unwrap();

    let ed_key = KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap();
    let mut ed = CertificateParams::new(vec!["ed.example".into()]).unwrap();
    ed.distinguished_name
        .push(DnType::CommonName, "ed25519 self-signed");
    let ed_cert = ed.self_signed(&ed_key).unwrap();

    let crl = CertificateRevocationListParams {
        this_update: date_time_ymd(2020, 1, 1),
        next_update: date_time_ymd(2030, 1, 1),
        crl_number: SerialNumber::from(1u64),
        issuing_distribution_point: None,
        revoked_certs: vec![RevokedCertParams {
            serial_number: SerialNumber::from(vec![0x42]),
            revocation_time: date_time_ymd(2020, 6, 1),
            reason_code: None,
            invalidity_date: None,
        }],
        key_identifier_method: rcgen::KeyIdMethod::Sha256,
    }
    .signed_by(&ca_issuer)
    .unwrap();

    Generated {
        ca_pem,
        ca_der,
        intermediate_der: int_cert.der().to_vec(),
        leaf_pem: leaf_cert.pem(),
        leaf_der: leaf_cert.der().to_vec(),
        ed25519_der: ed_cert.der().to_vec(),
        crl_der: crl.der().to_vec(),
    }
}

fn der_of(pem_text: &[u8]) -> Vec<u8> {
    pem::read_bundle(pem_text).unwrap().remove(0)
}

fn b64(der: &[u8]) -> String {
    Base64::encode_string(der)
}

/// `$ssl_client_escaped_cert`-style URL encoding: everything but unreserved characters.
fn url_encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The character that makes the `forwarded` target pick header `index` of `count` names.
fn selector(index: usize, count: usize) -> char {
    (u32::from(b'A')..)
        .filter_map(char::from_u32)
        .find(|&c| (c as usize) % count == index && ((c as usize) / count).is_multiple_of(2))
        .unwrap()
}

fn forwarded_seed(source: u8, names: usize, lines: &[(usize, &str)]) -> Vec<u8> {
    let mut out = vec![source];
    let body: Vec<String> = lines
        .iter()
        .map(|(i, v)| format!("{}{v}", selector(*i, names)))
        .collect();
    out.extend_from_slice(body.join("\0").as_bytes());
    out
}

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "corpus".into());
    let c = Corpus(Path::new(&dir).to_path_buf());
    let g = generate();
    let f = fixtures();
    let rfc_ders: Vec<Vec<u8>> = [RFC9440_LEAF_PEM, RFC9440_INTERMEDIATE_PEM, RFC9440_ROOT_PEM]
        .iter()
        .map(|p| der_of(p))
        .collect();
    let rfc8705_der = der_of(RFC8705_PEM);

    // cert_der: single DER certificates, PEM, bundles.
    for (name, der) in [
        ("rfc9440-leaf.der", &rfc_ders[0]),
        ("rfc9440-intermediate.der", &rfc_ders[1]),
        ("rfc9440-root.der", &rfc_ders[2]),
        ("rfc8705.der", &rfc8705_der),
        ("gen-ca.der", &g.ca_der),
        ("gen-leaf.der", &g.leaf_der),
        ("gen-ed25519.der", &g.ed25519_der),
    ] {
        c.put("cert_der", name, der);
    }
    c.put("cert_der", "rfc8705.pem", RFC8705_PEM);
    c.put(
        "cert_der",
        "gen-chain.pem",
        format!("{}{}", g.leaf_pem, g.ca_pem),
    );
    c.put("cert_der", "rfc9440-chain.der", rfc_ders.concat());

    // forwarded: one seed per source (flag byte = index in the target's SOURCES).
    let leaf_pem = String::from_utf8(RFC9440_LEAF_PEM.to_vec()).unwrap();
    let int_pem = String::from_utf8(RFC9440_INTERMEDIATE_PEM.to_vec()).unwrap();
    let chain_pem = format!("{leaf_pem}{int_pem}");
    let sf = |der: &[u8]| format!(":{}:", b64(der));
    let leaf = &rfc_ders[0];
    let int = &rfc_ders[1];
    let folded = leaf_pem.trim_end().replace('\n', "\n\t");
    let xfcc = format!(
        "By=spiffe://proxy.example;Hash={};Cert=\"{}\";Chain=\"{}\";Subject=\"CN=BC\";URI=spiffe://client",
        f.rfc9440[0].sha256_hex(),
        url_encode(&leaf_pem),
        url_encode(&chain_pem)
    );
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        (
            "rfc9440",
            forwarded_seed(
                0,
                3,
                &[
                    (0, &sf(leaf)),
                    (1, &format!("{}, {}", sf(int), sf(&rfc_ders[2]))),
                ],
            ),
        ),
        (
            "cloudflare",
            forwarded_seed(1, 3, &[(0, &b64(leaf)), (1, &f.rfc9440[0].sha256_hex())]),
        ),
        ("envoy", forwarded_seed(2, 2, &[(0, &xfcc)])),
        (
            "envoy-first",
            forwarded_seed(
                3,
                2,
                &[(0, &format!("{xfcc},By=x;Hash=00")), (0, "Cert=\"\"")],
            ),
        ),
        ("envoy-by", forwarded_seed(4, 2, &[(0, &xfcc)])),
        (
            "nginx",
            forwarded_seed(5, 2, &[(0, &url_encode(&leaf_pem))]),
        ),
        ("nginx-folded", forwarded_seed(6, 2, &[(0, &folded)])),
        (
            "aws-alb",
            forwarded_seed(7, 7, &[(0, &url_encode(&chain_pem))]),
        ),
        (
            "aws-alb-leaf",
            forwarded_seed(7, 7, &[(1, &url_encode(&leaf_pem)), (2, "42")]),
        ),
        (
            "traefik",
            forwarded_seed(8, 3, &[(0, &format!("{},{}", b64(leaf), b64(int)))]),
        ),
        (
            "traefik-escaped",
            forwarded_seed(
                8,
                3,
                &[(0, &url_encode(&format!("{},{}", b64(leaf), b64(int))))],
            ),
        ),
        (
            "haproxy",
            forwarded_seed(9, 2, &[(0, &format!("\"{}\"", b64(&g.leaf_der)))]),
        ),
        ("haproxy-custom", forwarded_seed(10, 2, &[(0, &b64(leaf))])),
        ("azure", forwarded_seed(11, 2, &[(0, &b64(&g.ed25519_der))])),
        (
            "small-limits",
            forwarded_seed(0x80, 3, &[(0, &sf(leaf)), (1, &sf(int))]),
        ),
        ("source-name", b"\x00envoy:by=spiffe://x".to_vec()),
    ];
    for (name, bytes) in seeds {
        c.put("forwarded", name, bytes);
    }

    // xfcc: element selections over multi-element and multi-line values.
    let two = format!(
        "{xfcc},By=spiffe://other;Cert=\"{}\"",
        url_encode(&g.leaf_pem)
    );
    c.put("xfcc", "last", format!("\x00{xfcc}"));
    c.put("xfcc", "first", format!("\x01{two}"));
    c.put("xfcc", "by", format!("\x02{two}"));
    c.put(
        "xfcc",
        "by-input",
        format!(
            "\x03spiffe://other\0{xfcc}\0By=spiffe://other;Chain=\"{}\"",
            url_encode(&chain_pem)
        ),
    );
    c.put(
        "xfcc",
        "quoted",
        "\x00By=\"a\\\"b\";URI=x;DNS=y;Subject=\"CN=a,O=b\";Hash=ab",
    );

    // Tokens: headers and claims the validator accepts, signed with the fixed keys.
    let x5t = f.rfc8705.x5t_s256().to_string();
    let claims = json!({
        "iss": ISSUER, "aud": [AUDIENCE, "other"], "sub": "c1", "client_id": "c1",
        "exp": TOKEN_NOW + 600, "iat": TOKEN_NOW - 10, "nbf": TOKEN_NOW - 10,
        "jti": "j1", "scope": "read write", "cnf": { "x5t#S256": x5t },
    })
    .to_string();
    let unbound = json!({
        "iss": ISSUER, "aud": AUDIENCE, "exp": TOKEN_NOW + 600, "iat": TOKEN_NOW, "scope": "read",
    })
    .to_string();
    let es = json!({"alg": "ES256", "typ": "at+jwt", "kid": "es"}).to_string();
    let ed = json!({"alg": "EdDSA", "typ": "application/at+jwt", "kid": "ed"}).to_string();
    let untyped = json!({"alg": "ES256"}).to_string();
    let structured = |flags: u8, h: &str, p: &str| {
        let mut v = vec![flags];
        v.extend_from_slice(h.as_bytes());
        v.push(0);
        v.extend_from_slice(p.as_bytes());
        v
    };
    // flags: bit 0 structured, bit 1 Ed25519, bits 3-4 = 1 presents the bound certificate.
    c.put(
        "token_validate",
        "es256-bound",
        structured(0b0_1001, &es, &claims),
    );
    c.put(
        "token_validate",
        "eddsa-bound",
        structured(0b0_1011, &ed, &claims),
    );
    c.put(
        "token_validate",
        "loose-unbound",
        structured(0b10_0001, &untyped, &unbound),
    );
    c.put(
        "token_validate",
        "forged",
        structured(0b0_1101, &es, &claims),
    );
    let token = sign(es.as_bytes(), claims.as_bytes(), false);
    let mut raw = vec![0b0_1000];
    raw.extend_from_slice(format!("Bearer {token}").as_bytes());
    c.put("token_validate", "raw-bearer", raw);

    // jws_parse: our tokens and the JOSE cookbook's compact serialisations.
    c.put("jws_parse", "es256", &token);
    c.put(
        "jws_parse",
        "eddsa",
        sign(ed.as_bytes(), claims.as_bytes(), true),
    );
    let mut cookbook_keys = Vec::new();
    for entry in fs::read_dir(format!("{SHARED}/jose-cookbook/jws"))
        .unwrap()
        .chain(fs::read_dir(format!("{SHARED}/jose-cookbook/curve25519")).unwrap())
    {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if let Some(compact) = v.pointer("/output/compact").and_then(|c| c.as_str()) {
            c.put("jws_parse", &format!("cookbook-{stem}"), compact);
        }
        if let Some(key) = v.pointer("/input/key") {
            cookbook_keys.push(key.clone());
        }
    }

    // jwks_parse: our set, the cookbook's keys (public parts and all), a single JWK.
    c.put("jwks_parse", "fixed", jwks_json());
    c.put(
        "jwks_parse",
        "cookbook",
        json!({ "keys": cookbook_keys }).to_string(),
    );
    for entry in fs::read_dir(format!("{SHARED}/jose-cookbook/jwk")).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        c.put(
            "jwks_parse",
            &format!("cookbook-{stem}"),
            fs::read(&path).unwrap(),
        );
    }

    // registration_json: every RFC 8705 method and matcher.
    let regs = json!({ "clients": [
        { "client_id": "pki-dn", "token_endpoint_auth_method": "tls_client_auth",
          "tls_client_auth_subject_dn": "CN=BC",
          "tls_client_certificate_bound_access_tokens": true, "scope": "read write",
          "grant_types": ["client_credentials"] },
        { "client_id": "pki-email", "token_endpoint_auth_method": "tls_client_auth",
          "tls_client_auth_san_email": "bdc@example.com" },
        { "client_id": "pki-dns", "token_endpoint_auth_method": "tls_client_auth",
          "tls_client_auth_san_dns": "client.example" },
        { "client_id": "pki-uri", "token_endpoint_auth_method": "tls_client_auth",
          "tls_client_auth_san_uri": "spiffe://example.org/client" },
        { "client_id": "pki-ip", "token_endpoint_auth_method": "tls_client_auth",
          "tls_client_auth_san_ip": "192.0.2.7" },
        { "client_id": "self", "token_endpoint_auth_method": "self_signed_tls_client_auth",
          "certificates": [String::from_utf8(RFC8705_PEM.to_vec()).unwrap()] },
        { "client_id": "self-jwks", "token_endpoint_auth_method": "self_signed_tls_client_auth",
          "jwks": { "keys": [{ "kty": "EC", "crv": "P-256",
            "x": "1yfLHCpXqFjxCeHHHMVDTcLsctb07KUxudBmOMn8C7Q",
            "y": "8_3KJnDFLsy3wOLzi0vVrp3iF4WxhlrwSNvdLR-iMS4",
            "x5c": [b64(&rfc8705_der)] }] } },
    ]});
    c.put("registration_json", "all-methods", regs.to_string());
    c.put(
        "registration_json",
        "array",
        json!([regs["clients"][0]]).to_string(),
    );

    // dn_parse: certificate names as printed, and RFC 4514 corner cases.
    let mut dns: Vec<String> = f
        .rfc9440
        .iter()
        .chain([&f.rfc8705])
        .map(|cert| cert.subject().to_string())
        .collect();
    dns.extend(
        [
            "CN=a\\,b+OU=x\\+y,O=\\#hash\\ ",
            "1.2.3.4=#0403616263,cn=Mixed Case",
            "UID=jsmith,DC=example,DC=net",
            "emailAddress=bdc@example.com,serialNumber=42,ST=Berlin,L=Berlin,C=DE",
            "CN=caf\\C3\\A9, O = spaced ",
            "bdc@example.com",
            "192.0.2.7",
            "2001:db8::7",
            "spiffe://example.org/client",
            "*.example.com",
        ]
        .map(String::from),
    );
    for (i, dn) in dns.iter().enumerate() {
        c.put("dn_parse", &format!("{i}"), dn);
    }

    // path_verify: the RFC 9440 chain (valid), generated chains (untrusted), a CRL.
    c.put(
        "path_verify",
        "rfc9440",
        [&[0u8][..], &encode_records(&[leaf, int])].concat(),
    );
    c.put(
        "path_verify",
        "rfc9440-expired",
        [&[0b1000u8][..], &encode_records(&[leaf, int])].concat(),
    );
    c.put(
        "path_verify",
        "rfc9440-leaf-only",
        [&[0u8][..], &encode_records(&[leaf])].concat(),
    );
    c.put(
        "path_verify",
        "generated",
        [
            &[0u8][..],
            &encode_records(&[&g.leaf_der, &g.intermediate_der, &g.ca_der]),
        ]
        .concat(),
    );
    c.put(
        "path_verify",
        "crl",
        [&[0b1_0010u8][..], &encode_records(&[leaf, int, &g.crl_der])].concat(),
    );

    // time_parse.
    for (i, t) in [
        "2024-05-01T12:00:00Z",
        "2024-05-01t14:00:00.5+02:00",
        "2024-05-01 12:00:00-11:30",
        "1700000000",
        "1970-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2020-02-29T23:59:60Z",
    ]
    .iter()
    .enumerate()
    {
        c.put("time_parse", &format!("{i}"), t);
    }

    // request_path.
    for (i, p) in [
        "/",
        "/admin/users",
        "/%61dmin//users/./x/../",
        "/a%2Fb",
        "/a%5c%00%zz",
        "/%2E%2e/%7E;x=1?",
        "/a%20b%c3%a9",
    ]
    .iter()
    .enumerate()
    {
        c.put("request_path", &format!("{i}"), p);
    }
}
