//! The certificate view: RFC example certificates and rcgen-generated ones covering every SAN
//! kind, name escaping, non-ASCII names and every supported key type.

#![allow(clippy::unwrap_used)]

use std::net::IpAddr;

use certbound_core::cert::{PublicKeyInfo, parse_bundle};
use certbound_core::{Certificate, Error};
use rcgen::{
    CertificateParams, DistinguishedName, DnType, DnValue, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};

fn shared(rel: &str) -> Vec<u8> {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/conformance/");
    std::fs::read(format!("{p}{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn self_signed(params: CertificateParams, alg: &'static rcgen::SignatureAlgorithm) -> Certificate {
    let key = KeyPair::generate_for(alg).unwrap();
    let cert = params.self_signed(&key).unwrap();
    Certificate::from_der(cert.der()).unwrap()
}

fn named(dn: DistinguishedName) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn;
    p
}

// Intent: the RFC 8705 Appendix A certificate (X.509 v1, no extensions) gives the RFC's
// thumbprint and a complete view.
#[test]
fn rfc8705_appendix_a() {
    let cert = Certificate::from_pem(&shared("rfc-examples/rfc8705_appA.pem")).unwrap();
    assert_eq!(
        cert.x5t_s256().to_string(),
        "A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0"
    );
    assert_eq!(cert.subject().to_string(), "CN=mtls");
    assert!(cert.is_self_issued());
    assert_eq!(cert.serial_hex(), "02");
    assert_eq!(
        cert.public_key(),
        PublicKeyInfo::Ec {
            curve: "P-256".into()
        }
    );
    assert!(cert.extensions().is_empty());
    assert_eq!(cert.key_usage(), None);
    let s = cert.summary();
    assert_eq!(s.not_before, "2018-10-18T12:37:09Z");
    assert_eq!(s.not_after, "2022-05-02T12:37:09Z");
    assert_eq!(
        s.spki_sha256,
        "Wfn777VsDXE+cW3Wvzm7CuMw6D6h15KRhVqq3o80H48="
    );
}

// Intent: the hex fingerprint form proxies send parses to the same thumbprint in either case,
// and anything but exactly 64 hex digits is refused.
#[test]
fn thumbprint_hex_form() {
    use certbound_core::CertThumbprint;
    let cert = Certificate::from_pem(&shared("rfc-examples/rfc8705_appA.pem")).unwrap();
    let hex = cert.x5t_s256().to_hex();
    assert_eq!(hex.len(), 64);
    assert_eq!(CertThumbprint::from_hex(&hex), Some(cert.x5t_s256()));
    assert_eq!(
        CertThumbprint::from_hex(&hex.to_uppercase()),
        Some(cert.x5t_s256())
    );
    for bad in [
        &hex[..62],
        &format!("{hex}00"),
        &format!("g{}", &hex[1..]),
        "",
    ] {
        assert_eq!(CertThumbprint::from_hex(bad), None, "{bad}");
    }
    let colons = hex
        .as_bytes()
        .chunks(2)
        .map(|p| core::str::from_utf8(p).unwrap())
        .collect::<Vec<_>>()
        .join(":");
    assert_eq!(CertThumbprint::from_hex(&colons), None);
}

// Intent: the RFC 9440 Appendix A chain parses as a bundle in order, with the derived values
// the shared README lists.
#[test]
fn rfc9440_chain() {
    let certs = parse_bundle(&shared("rfc-examples/rfc9440_chain.pem")).unwrap();
    assert_eq!(certs.len(), 3);
    let x5t: Vec<String> = certs.iter().map(|c| c.x5t_s256().to_string()).collect();
    assert_eq!(
        x5t,
        [
            "v68ffgcPn6jdYpBfFY2nP4ShE2Yk-6_Mk5PI9yh6aes",
            "6H31tD6_m4nKKyu_MaTnrVpA1ATPuy_MGkA8JlEoWtw",
            "QjrpXcQc0m2pAhrU5jibqnfghYYHY1qwhekeXR2Ue4M"
        ]
    );
    let leaf = &certs[0];
    assert_eq!(
        leaf.sha256_hex(),
        "bfaf1f7e070f9fa8dd62905f158da73f84a1136624fbafcc9393c8f7287a69eb"
    );
    assert_eq!(leaf.der().len(), 428);
    assert_eq!(leaf.san().email, ["bdc@example.com"]);
    assert_eq!(
        leaf.key_usage(),
        Some(&["digitalSignature", "nonRepudiation"][..])
    );
    assert_eq!(
        leaf.extended_key_usage_names(),
        Some(vec!["clientAuth".to_owned()])
    );
    assert!(!leaf.is_ca());
    assert_eq!(
        leaf.issuer().to_string(),
        "CN=LA Intermediate CA,O=Let's Authenticate"
    );
    let inter = &certs[1];
    assert!(inter.is_ca());
    assert_eq!(inter.basic_constraints().unwrap().path_len, Some(0));
    assert_eq!(
        certs[2].subject().to_string(),
        "CN=Let's Authenticate Root Authority,O=Let's Authenticate,C=US"
    );
    // Each per-certificate file matches the bundle.
    for (i, name) in ["c00", "c01", "c02"].iter().enumerate() {
        let one = Certificate::from_pem(&shared(&format!("rfc-examples/{name}"))).unwrap();
        assert_eq!(one.x5t_s256(), certs[i].x5t_s256());
    }
}

// Intent: every SAN kind lands in its own list, IPv4 and IPv6 in binary form.
#[test]
fn every_san_kind() {
    let mut p = named(DistinguishedName::new());
    p.subject_alt_names = vec![
        SanType::DnsName("client.example.com".try_into().unwrap()),
        SanType::URI(
            "spiffe://example.com/ns/prod/sa/billing"
                .try_into()
                .unwrap(),
        ),
        SanType::IpAddress("192.0.2.7".parse().unwrap()),
        SanType::IpAddress("2001:db8::1".parse().unwrap()),
        SanType::Rfc822Name("ops@example.com".try_into().unwrap()),
        SanType::OtherName((
            vec![1, 3, 6, 1, 4, 1, 311, 20, 2, 3],
            "upn@example.com".into(),
        )),
    ];
    p.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyAgreement,
    ];
    p.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ClientAuth,
        ExtendedKeyUsagePurpose::Other(vec![1, 2, 3, 4, 5]),
    ];
    let cert = self_signed(p, &rcgen::PKCS_ECDSA_P256_SHA256);
    let san = cert.san();
    assert_eq!(san.dns, ["client.example.com"]);
    assert_eq!(san.uri, ["spiffe://example.com/ns/prod/sa/billing"]);
    assert_eq!(
        san.ip,
        [
            "192.0.2.7".parse::<IpAddr>().unwrap(),
            "2001:db8::1".parse().unwrap()
        ]
    );
    assert_eq!(san.email, ["ops@example.com"]);
    assert_eq!(
        san.other,
        [("otherName", "1.3.6.1.4.1.311.20.2.3".to_owned())]
    );
    assert_eq!(
        cert.key_usage(),
        Some(&["digitalSignature", "keyAgreement"][..])
    );
    assert_eq!(
        cert.extended_key_usage_names(),
        Some(vec!["clientAuth".to_owned(), "1.2.3.4.5".to_owned()])
    );
    let json = serde_json::to_value(cert.summary()).unwrap();
    assert_eq!(
        json["san"]["ip"],
        serde_json::json!(["192.0.2.7", "2001:db8::1"])
    );
}

// Intent: RFC 4514 rendering: reverse order, escaping of specials, leading '#'/space, trailing
// space, NUL as \00, non-ASCII kept as UTF-8, PrintableString and BMPString decoded.
#[test]
fn name_rendering_and_escaping() {
    let mut dn = DistinguishedName::new();
    dn.push(
        DnType::CountryName,
        DnValue::PrintableString("DE".try_into().unwrap()),
    );
    dn.push(
        DnType::OrganizationName,
        "Müller, Söhne & Co; <Ltd> \"Q\"+\\",
    );
    dn.push(DnType::OrganizationalUnitName, "#hash lead");
    dn.push(DnType::LocalityName, " spaced ");
    dn.push(DnType::CommonName, "nul\u{0}byte 東京");
    let cert = self_signed(named(dn), &rcgen::PKCS_ECDSA_P256_SHA256);
    assert_eq!(
        cert.subject().to_string(),
        "CN=nul\\00byte 東京,L=\\ spaced\\ ,OU=\\#hash lead,\
         O=Müller\\, Söhne & Co\\; \\<Ltd\\> \\\"Q\\\"\\+\\\\,C=DE"
    );
    assert_eq!(cert.subject().common_name(), Some("nul\u{0}byte 東京"));
    // Issuer equals subject for a self-signed certificate.
    assert_eq!(cert.issuer(), cert.subject());
}

// Intent: attribute types without a name render as dotted OID with #hex of the DER value, and
// so do values of non-string types.
#[test]
fn unknown_attribute_types() {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CustomDnType(vec![1, 3, 6, 1, 4, 1, 99999, 1]), "x");
    dn.push(
        DnType::CommonName,
        DnValue::BmpString("Zoë".try_into().unwrap()),
    );
    let cert = self_signed(named(dn), &rcgen::PKCS_ED25519);
    assert_eq!(
        cert.subject().to_string(),
        "CN=Zoë,1.3.6.1.4.1.99999.1=#0c0178"
    );
}

// Intent: each supported key type is described by algorithm and size/curve, and the signature
// algorithm is named.
#[test]
fn key_types() {
    let cases: [(&'static rcgen::SignatureAlgorithm, &str, &str); 3] = [
        (
            &rcgen::PKCS_ECDSA_P256_SHA256,
            "EC P-256",
            "ecdsa-with-SHA256",
        ),
        (
            &rcgen::PKCS_ECDSA_P384_SHA384,
            "EC P-384",
            "ecdsa-with-SHA384",
        ),
        (&rcgen::PKCS_ED25519, "Ed25519", "Ed25519"),
    ];
    for (alg, key, sig) in cases {
        let c = self_signed(named(DistinguishedName::new()), alg);
        assert_eq!(c.public_key().to_string(), key);
        assert_eq!(c.signature_algorithm(), sig);
    }
    let rsa = KeyPair::from_pem_and_sign_algo(
        include_str!("data/rsa2048-test-key.pem"),
        &rcgen::PKCS_RSA_SHA256,
    )
    .unwrap();
    let mut p = named(DistinguishedName::new());
    p.is_ca = IsCa::Ca(rcgen::BasicConstraints::Constrained(2));
    let c = Certificate::from_der(p.self_signed(&rsa).unwrap().der()).unwrap();
    assert_eq!(c.public_key(), PublicKeyInfo::Rsa { bits: 2048 });
    assert_eq!(c.signature_algorithm(), "sha256WithRSAEncryption");
    assert!(c.is_ca());
    assert_eq!(c.basic_constraints().unwrap().path_len, Some(2));
}

// Intent: broken DER is refused with the position, never a panic; every truncation and a
// sweep of byte flips of a real certificate either parse or give an error.
#[test]
fn malformed_der() {
    let der = Certificate::from_pem(&shared("rfc-examples/rfc8705_appA.pem"))
        .unwrap()
        .der()
        .to_vec();
    let mut trailing = der.clone();
    trailing.push(0);
    let e = Certificate::from_der(&trailing).unwrap_err();
    assert!(matches!(e, Error::CertificateDer { index: 1, .. }), "{e}");
    assert_eq!(
        Certificate::from_der(&der[..100]).unwrap_err().to_string(),
        "certificate 1: DER: ASN.1 DER message is incomplete: expected 266, actual 100 at byte 4"
    );
    for n in 0..der.len() {
        let _ = Certificate::from_der(&der[..n]);
        let mut flipped = der.clone();
        flipped[n] ^= 0xff;
        let _ = Certificate::from_der(&flipped);
    }
}

// Intent: a bundle with more than one certificate is refused where exactly one is expected.
#[test]
fn one_versus_many() {
    let chain = shared("rfc-examples/rfc9440_chain.pem");
    assert_eq!(
        Certificate::from_pem(&chain).unwrap_err(),
        Error::TooManyCertificates { limit: 1 }
    );
    assert_eq!(
        Certificate::from_pem(b"").unwrap_err(),
        Error::NoCertificate
    );
}
