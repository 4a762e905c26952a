//! `inspect` cases: every corpus certificate, the RFC examples, and malformed bundles.

use serde_json::{Value, json};

use super::super::pki::{ORG, Pki};
use super::super::{Declared as D, Gen};
use super::{RFC8705_X5T, RFC9440_INTER_X5T, RFC9440_LEAF_X5T, RFC9440_ROOT_X5T, RFC9440_TIME};
use super::{b64, file, shared};
use crate::parity::Kind::Inspect;

/// JSON-pointer checks on an accepted detail.
fn fields(pairs: &[(&str, Value)]) -> D {
    D::Fields(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

pub(super) fn cases(g: &mut Gen, p: &Pki) {
    for (name, cert) in &p.certs {
        let subject = format!("CN={},O={ORG}", cert_cn(name));
        g.case(
            Inspect,
            name,
            "a corpus certificate: names, thumbprint and validity at the case time",
            json!({"cert": file(&cert.file)}),
            fields(&[
                ("/0/summary/x5t#S256", json!(cert.x5t())),
                ("/0/summary/sha256", json!(cert.sha256_hex())),
                ("/0/summary/subject", json!(subject)),
                ("/1", Value::Null),
            ]),
        );
    }
    let client = p.get("client");
    g.case(
        Inspect,
        "client-der",
        "the client certificate as raw DER",
        json!({"cert": file("pki/client.der")}),
        fields(&[
            ("/0/summary/x5t#S256", json!(client.x5t())),
            ("/0/valid_at_time", json!(true)),
        ]),
    );
    g.case(
        Inspect,
        "client-chain",
        "a two-certificate PEM bundle, leaf first",
        json!({"cert": file("pki/client-chain.pem")}),
        fields(&[
            ("/0/summary/x5t#S256", json!(client.x5t())),
            ("/1/summary/x5t#S256", json!(p.get("inter").x5t())),
            ("/1/summary/is_ca", json!(true)),
        ]),
    );
    g.case(
        Inspect,
        "client-badsig",
        "a flipped signature byte still parses: inspection does not verify",
        json!({"cert": file("pki/client-badsig.pem")}),
        fields(&[("/0/summary/subject", json!(format!("CN=client-1,O={ORG}")))]),
    );
    g.case(
        Inspect,
        "client-expired-validity",
        "an expired certificate is inspected, with valid_at_time false",
        json!({"cert": file(&p.get("client-expired").file)}),
        fields(&[("/0/valid_at_time", json!(false))]),
    );

    // The RFC examples, by reference.
    for (name, x5t) in [
        ("c00", RFC9440_LEAF_X5T),
        ("c01", RFC9440_INTER_X5T),
        ("c02", RFC9440_ROOT_X5T),
        ("rfc8705_appA.pem", RFC8705_X5T),
    ] {
        g.case(
            Inspect,
            &format!("rfc-{name}"),
            "an RFC example certificate (shared file): published x5t#S256",
            json!({"cert": shared(name)}),
            fields(&[("/0/summary/x5t#S256", json!(x5t))]),
        );
    }
    g.case(
        Inspect,
        "rfc9440-chain",
        "the RFC 9440 Appendix A chain (shared file), leaf first, expired at the case time",
        json!({"cert": shared("rfc9440_chain.pem")}),
        fields(&[
            ("/0/summary/subject", json!("CN=BC")),
            ("/0/valid_at_time", json!(false)),
            ("/2/summary/x5t#S256", json!(RFC9440_ROOT_X5T)),
        ]),
    );
    g.case_at(
        Inspect,
        "rfc9440-leaf-2020",
        "the RFC 9440 leaf at 2020-05-20, inside its validity",
        RFC9440_TIME,
        json!({"cert": shared("c00")}),
        fields(&[("/0/valid_at_time", json!(true))]),
    );

    // Malformed input.
    let no_cert =
        "no certificate found: expected DER, or PEM with a '-----BEGIN CERTIFICATE-----' block";
    g.case(
        Inspect,
        "empty",
        "empty input",
        json!({"cert": ""}),
        D::Err("NoCertificate", Some(no_cert.into())),
    );
    g.case(
        Inspect,
        "text",
        "text that is neither PEM nor DER",
        json!({"cert": "hello, world"}),
        D::AnyErr,
    );
    g.case(
        Inspect,
        "pem-other-label",
        "a PEM block that is not a certificate",
        json!({"cert": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"}),
        D::AnyErr,
    );
    let pem = client.pem();
    g.case(
        Inspect,
        "pem-no-end",
        "a PEM block without its END line",
        json!({"cert": pem.replace("-----END CERTIFICATE-----\n", "")}),
        D::Err("Pem.PemError", None),
    );
    g.case(
        Inspect,
        "pem-bad-base64",
        "a PEM body with a character outside base64",
        json!({"cert": pem.replacen("MII", "M*I", 1)}),
        D::Err("Pem.PemError", None),
    );
    let der = &client.der;
    g.case(
        Inspect,
        "der-truncated",
        "DER cut in the middle",
        json!({"cert": b64(&der[..der.len() / 2])}),
        D::Err("CertificateDer", None),
    );
    let mut trailing = der.clone();
    trailing.extend_from_slice(&[0, 0]);
    g.case(
        Inspect,
        "der-trailing",
        "DER followed by two zero bytes",
        json!({"cert": b64(&trailing)}),
        D::AnyErr,
    );
    g.case(
        Inspect,
        "too-large",
        "a bundle over MAX_BUNDLE_BYTES (1 MiB)",
        json!({"cert": {"repeat": "A", "count": 1_048_577}}),
        D::Err(
            "TooLarge",
            Some("certificate bundle is 1048577 bytes, over the limit of 1048576 bytes".into()),
        ),
    );
    g.case(
        Inspect,
        "too-many",
        "a bundle of 1001 certificates (MAX_BUNDLE_CERTIFICATES is 1000)",
        json!({"cert": {"repeat": pem, "count": 1001}}),
        D::Err("TooManyCertificates", None),
    );
    for cut in [2, 16, 64, 200, 400] {
        let end = pem.len().saturating_sub(cut);
        g.case(
            Inspect,
            &format!("pem-cut-{cut}"),
            "a PEM certificate with its last bytes cut off",
            json!({"cert": &pem[..end]}),
            D::AnyErr,
        );
    }
    for (i, at) in [0usize, 1, 4, 20, 60, 150, 250].into_iter().enumerate() {
        let mut flipped = der.clone();
        if let Some(b) = flipped.get_mut(at) {
            *b ^= 0x80;
        }
        g.case(
            Inspect,
            &format!("der-flip-{i}"),
            "DER with one byte flipped: whatever core says, every runtime must say it too",
            json!({"cert": b64(&flipped)}),
            D::Recorded,
        );
    }
}

fn cert_cn(name: &str) -> &'static str {
    match name {
        "root" => "Parity Root CA",
        "inter" => "Parity Intermediate CA",
        "other-root" => "Other Root CA",
        "sub-inter" => "Parity Sub-Intermediate CA",
        "client" => "client-1",
        "client2" => "client-2",
        "client-ed25519" => "client-ed25519",
        "client-expired" => "client-expired",
        "client-future" => "client-future",
        "server-only" => "server-only",
        "no-eku" => "no-eku",
        "ca-leaf" => "CA used as leaf",
        "deep" => "client-deep",
        "foreign" => "client-foreign",
        "self-signed" => "self-signed client",
        "self-signed-expired" => "self-signed expired",
        "self-signed-ed25519" => "self-signed ed25519",
        "server-tls" => "localhost parity server",
        other => panic!("no CN for {other}"),
    }
}
