//! Forwarded client certificates: every proxy's encoding, built the way that proxy builds it,
//! decodes to the certificate's own thumbprint; every malformed variant gets its own error.

// Helpers unwrap too: in a test binary a panic is a test failure.
#![allow(clippy::unwrap_used)]

use base64ct::{Base64, Encoding};
use certbound_core::Error;
use certbound_core::cert::CertThumbprint;
use certbound_core::forwarded::{
    CertRole, CertSource, CloudflareHints, EnvoyOptions, ForwardedCert, ForwardedError, HeaderName,
    Limits, XfccElement, XfccProblem, decode, decode_cloudflare, decode_value,
};
use certbound_core::pem::{PemProblem, encode_certificate};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

/// A client certificate with its issuing intermediate and root, as DER.
struct Pki {
    leaf: Vec<u8>,
    inter: Vec<u8>,
    root: Vec<u8>,
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, cn);
    p
}

fn pki() -> Pki {
    let root_key = KeyPair::generate().unwrap();
    let root_params = ca_params("Forwarded Test Root");
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, root_key);
    let inter_key = KeyPair::generate().unwrap();
    let inter_params = ca_params("Forwarded Test Intermediate");
    let inter = inter_params.signed_by(&inter_key, &root_issuer).unwrap();
    let inter_issuer = Issuer::new(inter_params, inter_key);
    let leaf_key = KeyPair::generate().unwrap();
    let mut leaf_params = CertificateParams::new(vec!["client.example".to_owned()]).unwrap();
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "client, \"quoted\"; ok");
    let leaf = leaf_params.signed_by(&leaf_key, &inter_issuer).unwrap();
    Pki {
        leaf: leaf.der().to_vec(),
        inter: inter.der().to_vec(),
        root: root.der().to_vec(),
    }
}

/// A PKI whose leaf's base64 contains `+`, `/` and `=`-free-or-not: regenerated until `+` and
/// `/` both occur, so the ALB "`+` stays literal" rule is actually exercised.
fn pki_with_plus() -> Pki {
    for _ in 0..50 {
        let p = pki();
        let b = b64(&p.leaf);
        if b.contains('+') && b.contains('/') {
            return p;
        }
    }
    panic!("no certificate with '+' and '/' in its base64 after 50 tries");
}

fn b64(der: &[u8]) -> String {
    Base64::encode_string(der)
}

fn pem(ders: &[&[u8]]) -> String {
    ders.iter().map(|d| encode_certificate(d)).collect()
}

/// Percent-encodes every byte except RFC 3986 unreserved ones and `keep`.
fn pct(s: &str, keep: &[u8], lower: bool) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            o.push(char::from(b));
        } else if lower {
            o.push_str(&format!("%{b:02x}"));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

fn x5t(der: &[u8]) -> CertThumbprint {
    CertThumbprint::of_der(der)
}

fn sha256_hex(der: &[u8]) -> String {
    x5t(der).to_hex()
}

fn assert_cert(got: &ForwardedCert, leaf: &[u8], chain: &[&[u8]]) {
    assert_eq!(got.leaf().x5t_s256(), x5t(leaf));
    let got_chain: Vec<CertThumbprint> = got.chain().iter().map(|c| c.x5t_s256()).collect();
    let want: Vec<CertThumbprint> = chain.iter().map(|d| x5t(d)).collect();
    assert_eq!(got_chain, want);
}

fn src(s: &str) -> CertSource {
    s.parse().unwrap()
}

fn fwd(e: Error) -> ForwardedError {
    match e {
        Error::Forwarded(f) => f,
        other => panic!("not a forwarded error: {other:?}"),
    }
}

fn lim() -> Limits {
    Limits::default()
}

// ---------------------------------------------------------------------------------------------
// RFC 9440 Appendix A

/// The single-line header values from the shared RFC examples file.
fn rfc9440_example() -> (String, String) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/rfc-examples/README.md"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let single_line = |name: &str| {
        text.lines()
            .filter_map(|l| l.strip_prefix(name))
            .rfind(|v| v.ends_with(':') && v.len() > 400)
            .unwrap_or_else(|| panic!("no single-line {name} in {path}"))
            .to_owned()
    };
    (
        single_line("Client-Cert: "),
        single_line("Client-Cert-Chain: "),
    )
}

// Intent: the RFC 9440 Appendix A values decode to the published leaf thumbprint and a 2-cert chain.
#[test]
fn rfc9440_appendix_a() {
    let (cert, chain) = rfc9440_example();
    let headers = [
        ("client-cert", cert.as_str()),
        ("Client-Cert-Chain", chain.as_str()),
    ];
    let got = decode(&CertSource::Rfc9440, &headers, &lim())
        .unwrap()
        .unwrap();
    assert_eq!(
        got.leaf().x5t_s256().to_string(),
        "v68ffgcPn6jdYpBfFY2nP4ShE2Yk-6_Mk5PI9yh6aes"
    );
    assert_eq!(got.chain().len(), 2);
    // The chain thumbprints published in the same file's "Derived facts" table.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/rfc-examples/README.md"
    ))
    .unwrap();
    let published = |row: &str| {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("| {row} |")))
            .unwrap();
        line.split('`').nth(1).unwrap().to_owned()
    };
    assert_eq!(
        got.chain()[0].x5t_s256().to_string(),
        published("intermediate")
    );
    assert_eq!(got.chain()[1].x5t_s256().to_string(), published("root"));
    assert_eq!(got.leaf().subject().to_string(), "CN=BC");
    assert_eq!(
        got.chain()[0].subject().common_name(),
        Some("LA Intermediate CA")
    );
    assert_eq!(
        got.chain()[1].subject().common_name(),
        Some("Let's Authenticate Root Authority")
    );

    // The chain split over two field lines is combined with ", " (RFC 9110 §5.3).
    let (first, second) = chain.split_once(", ").unwrap();
    let headers = [
        ("Client-Cert", cert.as_str()),
        ("Client-Cert-Chain", first),
        ("Client-Cert-Chain", second),
    ];
    let split = decode(&CertSource::Rfc9440, &headers, &lim())
        .unwrap()
        .unwrap();
    assert_eq!(split, got);

    // The CLI path: bare values with a trailing newline.
    let bare = decode_value(
        &CertSource::Rfc9440,
        &format!("{cert}\n"),
        Some(&format!(" {chain}\r\n")),
        &lim(),
    )
    .unwrap();
    assert_eq!(bare, got);
}

// ---------------------------------------------------------------------------------------------
// Every source, encoded as its proxy encodes

// Intent: RFC 9440 values with parameters and OWS decode; an empty chain list is no chain.
#[test]
fn rfc9440_generated() {
    let p = pki();
    let cert = format!(":{}:;hint=\"x\"", b64(&p.leaf));
    let chain = format!(":{}:;a=1 ,\t:{}:", b64(&p.inter), b64(&p.root));
    let headers = vec![
        ("Client-Cert".to_owned(), cert.clone()),
        ("Client-Cert-Chain".to_owned(), chain),
    ];
    let got = decode(&src("rfc9440"), &headers, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[&p.inter, &p.root]);

    let only = [("Client-Cert", cert.as_str()), ("Client-Cert-Chain", "")];
    let got = decode(&src("rfc9440"), &only, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[]);

    // Unpadded base64 is accepted in byte sequences (RFC 8941 §3.3.5).
    let unpadded = format!(":{}:", b64(&p.leaf).trim_end_matches('='));
    let got = decode_value(&src("rfc9440"), &unpadded, None, &lim()).unwrap();
    assert_cert(&got, &p.leaf, &[]);
}

// Intent: Cloudflare's base64 DER decodes, and the fingerprint hint is checked in any hex case.
#[test]
fn cloudflare_generated() {
    let p = pki();
    let value = b64(&p.leaf);
    let headers = [("cf-client-cert-der-base64", value.as_str())];
    let got = decode(&src("cloudflare"), &headers, &lim())
        .unwrap()
        .unwrap();
    assert_cert(&got, &p.leaf, &[]);

    let hints = CloudflareHints::new(true)
        .cert_verified(true)
        .cert_fingerprint_sha256(&sha256_hex(&p.leaf).to_uppercase());
    let got = decode_cloudflare(&headers, Some(&hints), &lim())
        .unwrap()
        .unwrap();
    assert_cert(&got, &p.leaf, &[]);

    // No certificate presented, none forwarded.
    let none: [(&str, &str); 0] = [];
    assert!(
        decode_cloudflare(&none, Some(&CloudflareHints::new(false)), &lim())
            .unwrap()
            .is_none()
    );
}

/// What Envoy writes for one hop: By, Hash, Cert, Chain (leaf included), Subject, URI, DNS.
fn envoy_element(by: &str, leaf: &[u8], chain: &[&[u8]]) -> String {
    let mut all: Vec<&[u8]> = vec![leaf];
    all.extend_from_slice(chain);
    format!(
        "By={by};Hash={};Cert=\"{}\";Chain=\"{}\";Subject=\"CN=client\\, \\\"quoted\\\"; ok\";URI=spiffe://client;DNS=client.example;DNS=alt.example",
        sha256_hex(leaf),
        pct(&pem(&[leaf]), b"", true),
        pct(&pem(&all), b"", false),
    )
}

// Intent: XFCC picks the last element by default, the first on request, or the one our proxy
// (By) appended; Chain (which includes the leaf) becomes leaf + chain.
#[test]
fn envoy_generated() {
    let p = pki();
    let other = pki();
    let upstream = envoy_element("spiffe://edge", &other.leaf, &[]);
    let ours = envoy_element("spiffe://mesh/envoy", &p.leaf, &[&p.inter]);
    let value = format!("{upstream},{ours}");

    let got = decode_value(&src("envoy"), &value, None, &lim()).unwrap();
    assert_cert(&got, &p.leaf, &[&p.inter]);
    let got = decode_value(&src("envoy:first"), &value, None, &lim()).unwrap();
    assert_cert(&got, &other.leaf, &[]);
    let by =
        CertSource::Envoy(EnvoyOptions::new().element(XfccElement::By("spiffe://edge".into())));
    let got = decode_value(&by, &value, None, &lim()).unwrap();
    assert_cert(&got, &other.leaf, &[]);

    // Two field lines are one list; keys are case-insensitive; Cert alone, Chain alone.
    let headers = [
        ("X-Forwarded-Client-Cert", upstream.as_str()),
        ("x-forwarded-client-cert", ours.as_str()),
    ];
    let got = decode(&src("envoy:by=spiffe://mesh/envoy"), &headers, &lim())
        .unwrap()
        .unwrap();
    assert_cert(&got, &p.leaf, &[&p.inter]);
    let cert_only = format!(
        "by=spiffe://x;HASH={};cert=\"{}\"",
        sha256_hex(&p.leaf),
        pct(&pem(&[&p.leaf]), b"", false)
    );
    let got = decode_value(&src("envoy"), &cert_only, None, &lim()).unwrap();
    assert_cert(&got, &p.leaf, &[]);
    let chain_only = format!("Chain={}", pct(&pem(&[&p.leaf, &p.inter]), b"", false));
    let got = decode_value(&src("envoy"), &chain_only, None, &lim()).unwrap();
    assert_cert(&got, &p.leaf, &[&p.inter]);
}

// Intent: nginx's escaped PEM, the legacy tab-folded PEM and its unfolded form all decode.
#[test]
fn nginx_generated() {
    let p = pki();
    let pem_text = pem(&[&p.leaf]);
    let escaped = pct(&pem_text, b"", false);
    let headers = [("X-SSL-Client-Cert", escaped.as_str())];
    let got = decode(&src("nginx"), &headers, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[]);

    // `$ssl_client_cert`: every line after the first starts with a tab.
    let folded = pem_text.trim_end().replace('\n', "\n\t");
    let got = decode_value(&src("nginx"), &folded, None, &lim()).unwrap();
    assert_cert(&got, &p.leaf, &[]);
    let unfolded = pem_text.trim_end().replace('\n', " ");
    let got = decode_value(&src("nginx"), &unfolded, None, &lim()).unwrap();
    assert_cert(&got, &p.leaf, &[]);

    // A configured header name.
    let custom = src("nginx:X-Client-Cert");
    let headers = [("x-client-cert", escaped.as_str())];
    let got = decode(&custom, &headers, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[]);
    let default_header = [("X-SSL-Client-Cert", escaped.as_str())];
    assert!(decode(&custom, &default_header, &lim()).unwrap().is_none());
}

// Intent: ALB's URL-encoded PEM keeps '+', '=' and '/' literal; passthrough carries the chain,
// verify mode the leaf only.
#[test]
fn aws_alb_generated() {
    let p = pki_with_plus();
    let chain = pct(&pem(&[&p.leaf, &p.inter]), b"+=/", false);
    assert!(chain.contains('+') && chain.contains('/'));
    let headers = [("X-Amzn-Mtls-Clientcert", chain.as_str())];
    let got = decode(&src("aws-alb"), &headers, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[&p.inter]);

    let leaf = pct(&pem(&[&p.leaf]), b"+=/", false);
    let headers = [
        ("X-Amzn-Mtls-Clientcert-Leaf", leaf.as_str()),
        ("X-Amzn-Mtls-Clientcert-Subject", "CN=client"),
    ];
    let got = decode(&src("aws-alb"), &headers, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[]);

    // Form-decoding ('+' → ' ') would corrupt the base64; percent-decoding must not.
    let got = decode_value(&src("aws-alb"), &chain, None, &lim()).unwrap();
    assert_cert(&got, &p.leaf, &[&p.inter]);
}

// Intent: Traefik's comma-joined base64 DER decodes, plain and URL-escaped.
#[test]
fn traefik_generated() {
    let p = pki_with_plus();
    let plain = format!("{},{}", b64(&p.leaf), b64(&p.inter));
    let headers = [("X-Forwarded-Tls-Client-Cert", plain.as_str())];
    let got = decode(&src("traefik"), &headers, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[&p.inter]);

    let escaped = pct(&plain, b"", false);
    assert!(escaped.contains("%2C") && escaped.contains("%2B"));
    let got = decode_value(&src("traefik"), &escaped, None, &lim()).unwrap();
    assert_cert(&got, &p.leaf, &[&p.inter]);
}

// Intent: HAProxy's base64 DER decodes bare, `%{+Q}`-quoted, and from a configured header.
#[test]
fn haproxy_generated() {
    let p = pki();
    let value = b64(&p.leaf);
    let headers = [("x-ssl-client-der", value.as_str())];
    let got = decode(&src("haproxy"), &headers, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[]);
    let quoted = format!("\"{value}\"");
    let got = decode_value(&src("haproxy"), &quoted, None, &lim()).unwrap();
    assert_cert(&got, &p.leaf, &[]);
    let custom = CertSource::Haproxy {
        header: HeaderName::new("X-Client-DER").unwrap(),
    };
    let headers = [("X-Client-DER", value.as_str())];
    let got = decode(&custom, &headers, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[]);
}

// Intent: Azure's X-ARR-ClientCert base64 DER decodes.
#[test]
fn azure_generated() {
    let p = pki();
    let value = b64(&p.leaf);
    let headers = [("X-ARR-ClientCert", value.as_str())];
    let got = decode(&src("azure"), &headers, &lim()).unwrap().unwrap();
    assert_cert(&got, &p.leaf, &[]);
}

// Intent: a header of another proxy is not a certificate: no guessing across sources.
#[test]
fn absent_means_none_and_sources_do_not_guess() {
    let p = pki();
    let value = b64(&p.leaf);
    let headers = [("X-ARR-ClientCert", value.as_str())];
    for s in [
        "rfc9440",
        "cloudflare",
        "envoy",
        "nginx",
        "aws-alb",
        "traefik",
        "haproxy",
    ] {
        assert!(decode(&src(s), &headers, &lim()).unwrap().is_none(), "{s}");
    }
}

// ---------------------------------------------------------------------------------------------
// Configuration

// Intent: names parse and display exactly; header names are validated; strip lists are complete.
#[test]
fn source_names_and_header_names() {
    for name in [
        "rfc9440",
        "cloudflare",
        "envoy",
        "envoy:first",
        "envoy:by=spiffe://mesh/ns/a",
        "nginx",
        "nginx:X-Client-Cert",
        "aws-alb",
        "traefik",
        "haproxy",
        "haproxy:X-Client-Der",
        "azure",
    ] {
        assert_eq!(src(name).to_string(), name);
    }
    assert_eq!(src("envoy:last"), src("envoy"));
    assert_eq!(src("nginx:X-SSL-Client-Cert"), CertSource::nginx());
    assert_eq!(src("haproxy"), CertSource::haproxy());
    assert_eq!(
        "Nginx".parse::<CertSource>().unwrap_err().to_string(),
        "unknown certificate source \"Nginx\": expected rfc9440, cloudflare, envoy, nginx, \
         aws-alb, traefik, haproxy or azure"
    );
    for bad in ["envoy:by=", "envoy:middle", "rfc9440:x", "alb"] {
        assert!(matches!(
            fwd(bad.parse::<CertSource>().unwrap_err()),
            ForwardedError::UnknownSource { .. }
        ));
    }
    assert_eq!(
        "nginx:X Cert"
            .parse::<CertSource>()
            .unwrap_err()
            .to_string(),
        "invalid header name \"X Cert\": expected an HTTP token such as X-SSL-Client-Cert"
    );
    assert!(HeaderName::new("").is_err());
    assert!(HeaderName::new(&"a".repeat(129)).is_err());
    assert!(HeaderName::new("X-Ok_1").is_ok());

    assert_eq!(
        src("rfc9440").header_names(),
        ["Client-Cert", "Client-Cert-Chain"]
    );
    assert_eq!(
        src("cloudflare").header_names(),
        ["Cf-Client-Cert-Der-Base64", "Cf-Client-Cert-Sha256"]
    );
    assert_eq!(src("envoy").header_names(), ["x-forwarded-client-cert"]);
    assert_eq!(src("nginx:X-C").header_names(), ["X-C"]);
    assert_eq!(src("haproxy").header_names(), ["X-SSL-Client-Der"]);
    assert_eq!(src("azure").header_names(), ["X-ARR-ClientCert"]);
    assert_eq!(
        src("traefik").header_names(),
        [
            "X-Forwarded-Tls-Client-Cert",
            "X-Forwarded-Tls-Client-Cert-Info"
        ]
    );
    let alb_source = src("aws-alb");
    let alb = alb_source.header_names();
    assert_eq!(alb.len(), 6);
    assert!(alb.contains(&"X-Amzn-Mtls-Clientcert-Leaf"));
    assert_eq!(Limits::default().max_header_bytes(), 16 * 1024);
    assert_eq!(Limits::default().max_chain(), 10);
}

// ---------------------------------------------------------------------------------------------
// Errors

// Intent: header-level problems: size, duplicates, emptiness, conflicts.
#[test]
fn header_level_errors() {
    let p = pki();
    let value = b64(&p.leaf);
    let big = "A".repeat(16 * 1024 + 1);
    let err = decode(&src("azure"), &[("X-ARR-ClientCert", big.as_str())], &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header X-ARR-ClientCert is 16385 bytes, over the limit of 16384 bytes"
    );
    // All field lines of a list header count together.
    let half = "B".repeat(9000);
    let err = decode(
        &src("envoy"),
        &[
            ("x-forwarded-client-cert", half.as_str()),
            ("x-forwarded-client-cert", half.as_str()),
        ],
        &lim(),
    )
    .unwrap_err();
    assert_eq!(
        fwd(err),
        ForwardedError::TooLarge {
            header: "x-forwarded-client-cert".into(),
            size: 18001,
            limit: 16384
        }
    );

    let rfc = format!(":{value}:");
    let err = decode(
        &src("rfc9440"),
        &[("Client-Cert", rfc.as_str()), ("client-cert", rfc.as_str())],
        &lim(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "header Client-Cert appears 2 times, but may appear only once"
    );
    let err = decode(&src("haproxy"), &[("X-SSL-Client-Der", " \t")], &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header X-SSL-Client-Der is present but empty: the proxy must omit it when the client \
         sent no certificate"
    );
    let leaf = pct(&pem(&[&p.leaf]), b"+=/", false);
    let err = decode(
        &src("aws-alb"),
        &[
            ("X-Amzn-Mtls-Clientcert", leaf.as_str()),
            ("X-Amzn-Mtls-Clientcert-Leaf", leaf.as_str()),
        ],
        &lim(),
    )
    .unwrap_err();
    assert_eq!(
        fwd(err),
        ForwardedError::ConflictingHeaders {
            first: "X-Amzn-Mtls-Clientcert",
            second: "X-Amzn-Mtls-Clientcert-Leaf"
        }
    );
    let err = decode_value(&src("nginx"), &leaf, Some("x"), &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "source nginx carries the chain inside its own header: omit the separate chain value"
    );
}

// Intent: encoding problems are positioned and name the header.
#[test]
fn encoding_errors() {
    let p = pki();
    let value = b64(&p.leaf);
    let err = decode_value(&src("rfc9440"), &value, None, &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header Client-Cert: expected an RFC 8941 byte sequence (':base64:') at byte 0"
    );
    let err = decode_value(&src("rfc9440"), &format!(":{value}: x"), None, &lim()).unwrap_err();
    assert_eq!(
        fwd(err),
        ForwardedError::TrailingData {
            header: "Client-Cert".into(),
            position: value.len() + 2
        }
    );
    let err = decode_value(
        &src("rfc9440"),
        &format!(":{value}:"),
        Some(&format!(":{value}:,")),
        &lim(),
    )
    .unwrap_err();
    assert!(matches!(fwd(err), ForwardedError::NotByteSequence { .. }));
    let err = decode_value(&src("rfc9440"), ":AA*A:", None, &lim()).unwrap_err();
    assert_eq!(
        fwd(err),
        ForwardedError::Base64 {
            header: "Client-Cert".into(),
            position: 3
        }
    );

    let err = decode_value(&src("haproxy"), "MII!", None, &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header X-SSL-Client-Der: invalid base64 at byte 3"
    );
    let err = decode_value(&src("traefik"), &format!("{value},"), None, &lim()).unwrap_err();
    assert_eq!(
        fwd(err),
        ForwardedError::Base64 {
            header: "X-Forwarded-Tls-Client-Cert".into(),
            position: value.len() + 1
        }
    );

    let err = decode_value(&src("nginx"), "-----BEGIN%2CERT%G0", None, &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header X-SSL-Client-Cert: invalid percent-encoding at byte 16: '%' must be followed by \
         two hex digits"
    );
    let err = decode_value(&src("nginx"), "hello", None, &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header X-SSL-Client-Cert: expected '-----BEGIN CERTIFICATE-----' at byte 0 of the \
         decoded value"
    );
    let pem_text = pem(&[&p.leaf]);
    let err = decode_value(&src("nginx"), &format!("{pem_text}junk"), None, &lim()).unwrap_err();
    assert_eq!(
        fwd(err),
        ForwardedError::TrailingData {
            header: "X-SSL-Client-Cert".into(),
            position: pem_text.len()
        }
    );
    let unterminated = pem_text.replace("-----END CERTIFICATE-----", "");
    let err = decode_value(&src("nginx"), &unterminated, None, &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header X-SSL-Client-Cert: PEM block without '-----END CERTIFICATE-----' at byte 0 of \
         the decoded value"
    );
    let bad_char = pem_text.replacen("MII", "M*I", 1);
    let err = decode_value(&src("nginx"), &bad_char, None, &lim()).unwrap_err();
    assert_eq!(
        fwd(err),
        ForwardedError::Pem {
            header: "X-SSL-Client-Cert".into(),
            position: 29,
            problem: PemProblem::InvalidBase64
        }
    );
    for (body, position) in [("AA=A", 30), ("AAA", 27)] {
        let block = format!("-----BEGIN CERTIFICATE-----{body}-----END CERTIFICATE-----");
        let err = decode_value(&src("nginx"), &block, None, &lim()).unwrap_err();
        assert_eq!(
            fwd(err),
            ForwardedError::Pem {
                header: "X-SSL-Client-Cert".into(),
                position,
                problem: PemProblem::InvalidPadding
            },
            "{body}"
        );
    }
    let empty_block = "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----";
    let err = decode_value(&src("nginx"), empty_block, None, &lim()).unwrap_err();
    assert!(matches!(
        fwd(err),
        ForwardedError::Pem {
            problem: PemProblem::Empty,
            ..
        }
    ));
}

// Intent: certificate-count rules: leaf-only headers refuse extras, chains obey the limit.
#[test]
fn certificate_count_errors() {
    let p = pki();
    let two = pct(&pem(&[&p.leaf, &p.inter]), b"", false);
    let err = decode_value(&src("nginx"), &two, None, &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header X-SSL-Client-Cert must hold only the client certificate, but holds more than one"
    );
    let err = decode(
        &src("aws-alb"),
        &[("X-Amzn-Mtls-Clientcert-Leaf", two.as_str())],
        &lim(),
    )
    .unwrap_err();
    assert!(matches!(fwd(err), ForwardedError::ExtraCertificates { .. }));

    let one = Limits::new(16 * 1024, 1);
    let three = pct(&pem(&[&p.leaf, &p.inter, &p.root]), b"+=/", false);
    let err = decode_value(&src("aws-alb"), &three, None, &one).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header X-Amzn-Mtls-Clientcert: more than 1 chain certificates (the configured limit)"
    );
    assert!(decode_value(&src("aws-alb"), &two, None, &one).is_ok());
    let chain = format!(":{}:, :{}:", b64(&p.inter), b64(&p.root));
    let err = decode_value(
        &src("rfc9440"),
        &format!(":{}:", b64(&p.leaf)),
        Some(&chain),
        &one,
    )
    .unwrap_err();
    assert_eq!(
        fwd(err),
        ForwardedError::ChainTooLong {
            header: "Client-Cert-Chain".into(),
            limit: 1
        }
    );
    let traefik = format!("{},{},{}", b64(&p.leaf), b64(&p.inter), b64(&p.root));
    let err = decode_value(&src("traefik"), &traefik, None, &one).unwrap_err();
    assert!(matches!(
        fwd(err),
        ForwardedError::ChainTooLong { limit: 1, .. }
    ));
    let xfcc = format!(
        "Chain={}",
        pct(&pem(&[&p.leaf, &p.inter, &p.root]), b"", false)
    );
    let err = decode_value(&src("envoy"), &xfcc, None, &one).unwrap_err();
    assert!(matches!(
        fwd(err),
        ForwardedError::ChainTooLong { limit: 1, .. }
    ));
}

// Intent: a certificate that does not parse is named (leaf / chain[i]) with the DER reason.
#[test]
fn certificate_parse_errors() {
    let p = pki();
    let err = decode_value(&src("azure"), "MAA=", None, &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header X-ARR-ClientCert: leaf certificate does not parse: DER: \
         ASN.1 DER message is incomplete: expected 3, actual 2 at byte 2"
    );
    // Bytes after the certificate's DER are refused, not ignored.
    let mut padded = p.leaf.clone();
    padded.push(0);
    let err = decode_value(&src("azure"), &b64(&padded), None, &lim()).unwrap_err();
    assert!(
        matches!(
            fwd(err.clone()),
            ForwardedError::Certificate {
                which: CertRole::Leaf,
                ..
            }
        ),
        "{err}"
    );
    let garbage = b64(b"\x30\x03\x02\x01\x01");
    let err = decode_value(
        &src("rfc9440"),
        &format!(":{}:", b64(&p.leaf)),
        Some(&format!(":{}:, :{garbage}:", b64(&p.inter))),
        &lim(),
    )
    .unwrap_err();
    match fwd(err.clone()) {
        ForwardedError::Certificate {
            header,
            which,
            error,
        } => {
            assert_eq!(header, "Client-Cert-Chain");
            assert_eq!(which, CertRole::Chain(1));
            assert!(matches!(*error, Error::CertificateDer { .. }));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("header Client-Cert-Chain: chain[1] certificate does not parse: DER: "),
        "{err}"
    );
}

// Intent: XFCC-specific refusals: Hash mismatch, no Cert, Chain not starting with Cert,
// no element from our proxy, syntax.
#[test]
fn xfcc_errors() {
    let p = pki();
    let other = pki();
    let cert = pct(&pem(&[&p.leaf]), b"", false);
    let wrong = sha256_hex(&other.leaf);
    let err = decode_value(
        &src("envoy"),
        &format!("Hash={wrong};Cert=\"{cert}\""),
        None,
        &lim(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "header x-forwarded-client-cert: Hash {wrong} does not match the certificate's \
             SHA-256 {}",
            sha256_hex(&p.leaf)
        )
    );
    let err =
        decode_value(&src("envoy"), &format!("Hash=zz;Cert={cert}"), None, &lim()).unwrap_err();
    assert!(matches!(fwd(err), ForwardedError::HashMismatch { .. }));
    // Upper-case hex is the same digest.
    let upper = sha256_hex(&p.leaf).to_uppercase();
    assert!(
        decode_value(
            &src("envoy"),
            &format!("Hash={upper};Cert={cert}"),
            None,
            &lim()
        )
        .is_ok()
    );

    let err = decode_value(
        &src("envoy"),
        "By=spiffe://a;Hash=00;Subject=\"CN=x\";URI=spiffe://c",
        None,
        &lim(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "header x-forwarded-client-cert: element 1 has neither Cert nor Chain: configure Envoy's \
         set_current_client_cert_details with cert: true"
    );
    let mismatch = format!(
        "By=a;Cert={cert}, By=b;Cert={cert};Chain={}",
        pct(&pem(&[&other.leaf]), b"", false)
    );
    let err = decode_value(&src("envoy"), &mismatch, None, &lim()).unwrap_err();
    assert_eq!(fwd(err), ForwardedError::XfccChainMismatch { element: 2 });
    let err = decode_value(&src("envoy:by=spiffe://ours"), &mismatch, None, &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header x-forwarded-client-cert: no element has By=spiffe://ours"
    );
    let err = decode_value(&src("envoy"), &format!("Cert=\"{cert}"), None, &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "header x-forwarded-client-cert: quoted value without closing '\"' at byte 5"
    );
    let err = decode_value(&src("envoy"), "By=a;Port=1", None, &lim()).unwrap_err();
    assert_eq!(
        fwd(err),
        ForwardedError::Xfcc {
            position: 5,
            problem: XfccProblem::UnknownKey("Port".into())
        }
    );
}

// Intent: Cloudflare hints catch injected headers, unforwarded certificates and wrong fingerprints.
#[test]
fn cloudflare_hint_errors() {
    let p = pki();
    let value = b64(&p.leaf);
    let headers = [("Cf-Client-Cert-Der-Base64", value.as_str())];
    let err = decode_cloudflare(&headers, Some(&CloudflareHints::new(false)), &lim()).unwrap_err();
    assert_eq!(fwd(err), ForwardedError::CloudflareNotPresented);
    let none: [(&str, &str); 0] = [];
    let err = decode_cloudflare(&none, Some(&CloudflareHints::new(true)), &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Cloudflare reports a client certificate (tlsClientAuth.certPresented) but header \
         Cf-Client-Cert-Der-Base64 is absent: Cloudflare forwards it only on a connection's \
         first request; use source rfc9440 with Client-Cert set from \
         cf.tls_client_auth.cert_rfc9440"
    );
    let other = sha256_hex(&pki().leaf);
    let hints = CloudflareHints::new(true).cert_fingerprint_sha256(&other);
    let err = decode_cloudflare(&headers, Some(&hints), &lim()).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "Cloudflare's certificate fingerprint {other} does not match the SHA-256 {} of \
             header Cf-Client-Cert-Der-Base64",
            sha256_hex(&p.leaf)
        )
    );
    let short = CloudflareHints::new(true).cert_fingerprint_sha256("abcd");
    assert!(matches!(
        fwd(decode_cloudflare(&headers, Some(&short), &lim()).unwrap_err()),
        ForwardedError::FingerprintHintMismatch { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// Robustness

/// One valid value per source, with its source.
fn valid_values(p: &Pki) -> Vec<(CertSource, String, Option<String>)> {
    let chain_pem = pem(&[&p.leaf, &p.inter]);
    vec![
        (
            src("rfc9440"),
            format!(":{}:;a=1", b64(&p.leaf)),
            Some(format!(":{}:, :{}:", b64(&p.inter), b64(&p.root))),
        ),
        (src("cloudflare"), b64(&p.leaf), None),
        (
            src("envoy"),
            envoy_element("spiffe://e", &p.leaf, &[&p.inter]),
            None,
        ),
        (src("nginx"), pct(&pem(&[&p.leaf]), b"", false), None),
        (src("nginx"), pem(&[&p.leaf]).replace('\n', "\n\t"), None),
        (src("aws-alb"), pct(&chain_pem, b"+=/", false), None),
        (
            src("traefik"),
            format!("{},{}", b64(&p.leaf), b64(&p.inter)),
            None,
        ),
        (
            src("traefik"),
            pct(&format!("{},{}", b64(&p.leaf), b64(&p.inter)), b"", false),
            None,
        ),
        (src("haproxy"), format!("\"{}\"", b64(&p.leaf)), None),
        (src("azure"), b64(&p.leaf), None),
    ]
}

// Intent: truncations and byte flips of valid values never panic, and a truncated value never
// yields a different client certificate than the intact one.
#[test]
fn truncations_and_flips_never_panic() {
    let p = pki();
    let want = x5t(&p.leaf);
    for (source, value, chain) in valid_values(&p) {
        let full = decode_value(&source, &value, chain.as_deref(), &lim()).unwrap();
        assert_eq!(full.leaf().x5t_s256(), want, "{source}");
        let bytes = value.as_bytes();
        for cut in 0..bytes.len() {
            let Ok(prefix) = std::str::from_utf8(&bytes[..cut]) else {
                continue;
            };
            if let Ok(got) = decode_value(&source, prefix, chain.as_deref(), &lim()) {
                assert_eq!(got.leaf().x5t_s256(), want, "{source} cut at {cut}");
            }
        }
        // The separate RFC 9440 chain value, truncated.
        if let Some(chain) = &chain {
            for cut in 0..chain.len() {
                if let Ok(got) = decode_value(&source, &value, Some(&chain[..cut]), &lim()) {
                    assert_eq!(got.leaf().x5t_s256(), want);
                    assert!(
                        got.chain().len() < 2,
                        "a cut chain lost no certificate: {cut}"
                    );
                }
            }
        }
        // Byte flips at a spread of positions, with a few replacement bytes each.
        let step = (bytes.len() / 97).max(1);
        for at in (0..bytes.len()).step_by(step) {
            for replacement in [b'%', b'"', b',', b';', b':', b'=', b' ', b'A', 0x7f] {
                let mut m = bytes.to_vec();
                m[at] = replacement;
                if let Ok(s) = std::str::from_utf8(&m) {
                    let _ = decode_value(&source, s, chain.as_deref(), &lim());
                    let primary = source.header_names()[0].to_owned();
                    let headers = vec![(primary, s.to_owned())];
                    let _ = decode(&source, &headers, &lim());
                }
            }
        }
    }
}

// Intent: a singleton header whose field lines were combined by the HTTP stack (", ", as the
// Fetch API does in a Worker) gets the same refusal as two separate field lines.
#[test]
fn combined_singleton_lines_are_duplicates() {
    let p = pki();
    let one = b64(&p.leaf);
    for source in ["traefik", "haproxy", "azure"] {
        let name = src(source).header_names()[0].to_owned();
        let apart = vec![(name.clone(), one.clone()), (name.clone(), one.clone())];
        let joined = vec![(name.clone(), format!("{one}, {one}"))];
        let a = decode(&src(source), &apart, &lim()).unwrap_err();
        let j = decode(&src(source), &joined, &lim()).unwrap_err();
        assert_eq!(a, j, "{source}");
        assert_eq!(
            j.to_string(),
            format!("header {name} appears 2 times, but may appear only once")
        );
    }
    // Traefik's own separator (a bare comma) is still a chain.
    let chain = vec![(
        "X-Forwarded-Tls-Client-Cert",
        format!("{one},{}", b64(&p.inter)),
    )];
    let got = decode(&src("traefik"), &chain, &lim()).unwrap().unwrap();
    assert_eq!(got.chain().len(), 1);
}
