//! `forwarded` cases: each proxy's header, built the way that proxy builds it, valid and
//! malformed, plus the RFC 9440 Appendix A values built from the shared file.

use serde_json::{Value, json};

use super::super::pki::{Cert, Pki};
use super::super::{Declared as D, Gen};
use super::{RFC9440_INTER_X5T, RFC9440_LEAF_X5T, RFC9440_ROOT_X5T};
use crate::parity::Kind::Forwarded;

/// Percent-encodes every byte except RFC 3986 unreserved ones and `keep` (upper-case hex).
fn pct(s: &str, keep: &[u8]) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            o.push(char::from(b));
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

fn sf(c: &Cert) -> String {
    format!(":{}:", c.b64())
}

fn xfcc(by: &str, leaf: &Cert, chain: &[&Cert]) -> String {
    let mut all = leaf.pem();
    for c in chain {
        all.push_str(&c.pem());
    }
    format!(
        "By={by};Hash={};Cert=\"{}\";Chain=\"{}\";Subject=\"O=certbound parity,CN=client\";DNS=client.example",
        leaf.sha256_hex(),
        pct(&leaf.pem(), b""),
        pct(&all, b""),
    )
}

/// Header lines for a leaf and chain; `None` when the source cannot carry a chain.
type Encoder = fn(&Cert, &[&Cert]) -> Option<Vec<(&'static str, String)>>;

/// One source: its name, its certificate header, and how it encodes leaf (+ chain).
struct Source {
    name: &'static str,
    header: &'static str,
    encode: Encoder,
    /// Is the value base64 DER (so a non-certificate is easy to encode)?
    base64: bool,
}

fn sources() -> Vec<Source> {
    vec![
        Source {
            name: "rfc9440",
            header: "Client-Cert",
            encode: |l, ch| {
                let mut h = vec![("Client-Cert", sf(l))];
                if !ch.is_empty() {
                    let chain: Vec<String> = ch.iter().map(|c| sf(c)).collect();
                    h.push(("Client-Cert-Chain", chain.join(", ")));
                }
                Some(h)
            },
            base64: false,
        },
        Source {
            name: "cloudflare",
            header: "Cf-Client-Cert-Der-Base64",
            encode: |l, ch| {
                ch.is_empty()
                    .then(|| vec![("Cf-Client-Cert-Der-Base64", l.b64())])
            },
            base64: true,
        },
        Source {
            name: "envoy",
            header: "x-forwarded-client-cert",
            encode: |l, ch| {
                Some(vec![(
                    "x-forwarded-client-cert",
                    xfcc("spiffe://mesh/envoy", l, ch),
                )])
            },
            base64: false,
        },
        Source {
            name: "nginx",
            header: "X-SSL-Client-Cert",
            encode: |l, ch| {
                ch.is_empty()
                    .then(|| vec![("X-SSL-Client-Cert", pct(&l.pem(), b""))])
            },
            base64: false,
        },
        Source {
            name: "aws-alb",
            header: "X-Amzn-Mtls-Clientcert",
            encode: |l, ch| {
                let mut all = l.pem();
                for c in ch {
                    all.push_str(&c.pem());
                }
                Some(vec![("X-Amzn-Mtls-Clientcert", pct(&all, b"+=/"))])
            },
            base64: false,
        },
        Source {
            name: "traefik",
            header: "X-Forwarded-Tls-Client-Cert",
            encode: |l, ch| {
                let mut v = vec![l.b64()];
                v.extend(ch.iter().map(|c| c.b64()));
                Some(vec![("X-Forwarded-Tls-Client-Cert", v.join(","))])
            },
            base64: true,
        },
        Source {
            name: "haproxy",
            header: "X-SSL-Client-Der",
            encode: |l, ch| ch.is_empty().then(|| vec![("X-SSL-Client-Der", l.b64())]),
            base64: true,
        },
        Source {
            name: "azure",
            header: "X-ARR-ClientCert",
            encode: |l, ch| ch.is_empty().then(|| vec![("X-ARR-ClientCert", l.b64())]),
            base64: true,
        },
    ]
}

fn headers(h: &[(&str, String)]) -> Value {
    h.iter().map(|(n, v)| json!([n, v])).collect()
}

fn input(source: &str, h: &[(&str, String)]) -> Value {
    json!({"source": source, "headers": headers(h)})
}

pub(super) fn cases(g: &mut Gen, p: &Pki) {
    let client = p.get("client");
    let inter = p.get("inter");
    let root = p.get("root");
    let present = |leaf: &Cert, chain: &[&Cert]| {
        D::Ok(Some(json!({
            "present": true,
            "leaf": leaf.x5t(),
            "chain": chain.iter().map(|c| c.x5t()).collect::<Vec<_>>(),
        })))
    };

    for s in sources() {
        let n = s.name;
        let leaf_only = (s.encode)(client, &[]).expect("every source carries a leaf");
        g.case(
            Forwarded,
            &format!("{n}/leaf"),
            "the client certificate as this proxy forwards it",
            input(n, &leaf_only),
            present(client, &[]),
        );
        for other in ["client-ed25519", "self-signed", "client-expired"] {
            let c = p.get(other);
            let h = (s.encode)(c, &[]).expect("leaf");
            g.case(
                Forwarded,
                &format!("{n}/leaf-{other}"),
                "another certificate: decoding does not judge validity or issuer",
                input(n, &h),
                present(c, &[]),
            );
        }
        if let Some(h) = (s.encode)(client, &[inter, root]) {
            g.case(
                Forwarded,
                &format!("{n}/chain"),
                "the client certificate with its intermediate and root",
                input(n, &h),
                present(client, &[inter, root]),
            );
        }
        g.case(
            Forwarded,
            &format!("{n}/absent"),
            "no certificate header: the client sent no certificate",
            input(n, &[("Accept", "*/*".into())]),
            D::Ok(Some(json!({"present": false}))),
        );
        let (name0, value0) = leaf_only[0].clone();
        let lower = name0.to_ascii_lowercase();
        g.case(
            Forwarded,
            &format!("{n}/lowercase-name"),
            "the header name in lower case (HTTP/2 style)",
            input(n, &[(lower.as_str(), value0.clone())]),
            present(client, &[]),
        );
        g.case(
            Forwarded,
            &format!("{n}/empty"),
            "the header present with an empty value",
            input(n, &[(name0, String::new())]),
            D::AnyErr,
        );
        g.case(
            Forwarded,
            &format!("{n}/too-large"),
            "a header over DEFAULT_MAX_HEADER_BYTES (16 KiB)",
            json!({"source": n, "headers": [[s.header, {"repeat": "A", "count": 16385}]]}),
            D::Err(
                "Forwarded.TooLarge",
                Some(format!(
                    "header {} is 16385 bytes, over the limit of 16384 bytes",
                    s.header
                )),
            ),
        );
        if n != "envoy" {
            g.case(
                Forwarded,
                &format!("{n}/duplicate"),
                "the certificate header twice (a singleton field)",
                input(n, &[(name0, value0.clone()), (name0, value0.clone())]),
                D::Err("Forwarded.DuplicateHeader", None),
            );
        }
        g.case(
            Forwarded,
            &format!("{n}/garbage"),
            "a value that is no encoding of a certificate",
            input(n, &[(name0, "!!not a certificate!!".into())]),
            D::AnyErr,
        );
        if s.base64 {
            g.case(
                Forwarded,
                &format!("{n}/not-a-certificate"),
                "valid base64 of bytes that are not a certificate",
                input(n, &[(name0, "aGVsbG8gd29ybGQ=".into())]),
                D::Err("Forwarded.Certificate", None),
            );
        }
        for (i, frac) in [(1, 2), (2, 4), (3, 10)].into_iter().enumerate() {
            let cut = value0.len() * frac.0 / frac.1;
            g.case(
                Forwarded,
                &format!("{n}/cut-{i}"),
                "the value cut short",
                input(n, &[(name0, value0[..cut].to_owned())]),
                D::AnyErr,
            );
        }
        g.case(
            Forwarded,
            &format!("{n}/trailing"),
            "the value followed by junk",
            input(n, &[(name0, format!("{value0}junk"))]),
            // An XFCC element ends in a free-form value (DNS=…junk is just another name).
            if n == "envoy" { D::Recorded } else { D::AnyErr },
        );
        g.case(
            Forwarded,
            &format!("{n}/chain-limit"),
            "a chain longer than the configured limit (1)",
            json!({
                "source": n,
                "headers": headers(&(s.encode)(client, &[inter, root]).unwrap_or_else(|| leaf_only.clone())),
                "limits": {"max_header_bytes": 16384, "max_chain": 1},
            }),
            D::Recorded,
        );
        // A header of another proxy is not read.
        let foreign = if n == "azure" {
            "X-SSL-Client-Der"
        } else {
            "X-ARR-ClientCert"
        };
        g.case(
            Forwarded,
            &format!("{n}/other-proxy-header"),
            "another proxy's header: sources never guess",
            input(n, &[(foreign, client.b64())]),
            D::Ok(Some(json!({"present": false}))),
        );
    }

    // Source-specific cases.
    g.case(
        Forwarded,
        "unknown-source",
        "a source name core does not know",
        input("apache", &[]),
        D::Err("Forwarded.UnknownSource", None),
    );
    g.case(
        Forwarded,
        "nginx/custom-header",
        "nginx with a configured header name",
        input(
            "nginx:X-Client-Cert",
            &[("x-client-cert", pct(&client.pem(), b""))],
        ),
        present(client, &[]),
    );
    g.case(
        Forwarded,
        "nginx/invalid-header-name",
        "a configured header name that is not an HTTP token",
        input("nginx:X Client", &[]),
        D::Err("Forwarded.InvalidHeaderName", None),
    );
    g.case(
        Forwarded,
        "nginx/legacy-folded",
        "nginx $ssl_client_cert: PEM with tab-folded lines",
        input(
            "nginx",
            &[(
                "X-SSL-Client-Cert",
                client.pem().trim_end().replace('\n', "\n\t"),
            )],
        ),
        present(client, &[]),
    );
    g.case(
        Forwarded,
        "haproxy/quoted",
        "HAProxy %{+Q}: the base64 in double quotes",
        input(
            "haproxy",
            &[("X-SSL-Client-Der", format!("\"{}\"", client.b64()))],
        ),
        present(client, &[]),
    );
    let other = p.get("client2");
    let two = format!(
        "{},{}",
        xfcc("spiffe://edge", other, &[]),
        xfcc("spiffe://mesh/envoy", client, &[inter])
    );
    g.case(
        Forwarded,
        "envoy/last-element",
        "two XFCC elements: the last is ours by default",
        input("envoy", &[("x-forwarded-client-cert", two.clone())]),
        present(client, &[inter]),
    );
    g.case(
        Forwarded,
        "envoy/first-element",
        "two XFCC elements, envoy:first",
        input("envoy:first", &[("x-forwarded-client-cert", two.clone())]),
        present(other, &[]),
    );
    g.case(
        Forwarded,
        "envoy/by",
        "two XFCC elements, the one By our edge proxy",
        input(
            "envoy:by=spiffe://edge",
            &[("x-forwarded-client-cert", two.clone())],
        ),
        present(other, &[]),
    );
    g.case(
        Forwarded,
        "envoy/by-missing",
        "no XFCC element was appended By the configured proxy",
        input(
            "envoy:by=spiffe://nobody",
            &[("x-forwarded-client-cert", two)],
        ),
        D::AnyErr,
    );
    g.case(
        Forwarded,
        "envoy/two-lines",
        "XFCC elements on two field lines form one list",
        input(
            "envoy",
            &[
                ("X-Forwarded-Client-Cert", xfcc("spiffe://edge", other, &[])),
                (
                    "x-forwarded-client-cert",
                    xfcc("spiffe://mesh/envoy", client, &[]),
                ),
            ],
        ),
        present(client, &[]),
    );
    let wrong_hash =
        xfcc("spiffe://mesh/envoy", client, &[]).replace(&client.sha256_hex(), &other.sha256_hex());
    g.case(
        Forwarded,
        "envoy/hash-mismatch",
        "XFCC Hash of another certificate",
        input("envoy", &[("x-forwarded-client-cert", wrong_hash)]),
        D::Err("Forwarded.HashMismatch", None),
    );
    g.case(
        Forwarded,
        "envoy/unterminated-quote",
        "an XFCC quoted value without its closing quote",
        input(
            "envoy",
            &[(
                "x-forwarded-client-cert",
                format!("Cert=\"{}", pct(&client.pem(), b"")),
            )],
        ),
        D::AnyErr,
    );
    let leaf_pem = pct(&client.pem(), b"+=/");
    g.case(
        Forwarded,
        "aws-alb/verify-mode-leaf",
        "ALB verify mode: the leaf header",
        input(
            "aws-alb",
            &[
                ("X-Amzn-Mtls-Clientcert-Leaf", leaf_pem.clone()),
                ("X-Amzn-Mtls-Clientcert-Subject", "CN=client-1".into()),
            ],
        ),
        present(client, &[]),
    );
    g.case(
        Forwarded,
        "aws-alb/conflicting",
        "ALB passthrough and verify-mode headers together",
        input(
            "aws-alb",
            &[
                ("X-Amzn-Mtls-Clientcert", leaf_pem.clone()),
                ("X-Amzn-Mtls-Clientcert-Leaf", leaf_pem),
            ],
        ),
        D::Err("Forwarded.ConflictingHeaders", None),
    );
    g.case(
        Forwarded,
        "traefik/escaped",
        "Traefik's comma-joined base64, URL-escaped",
        input(
            "traefik",
            &[(
                "X-Forwarded-Tls-Client-Cert",
                pct(&format!("{},{}", client.b64(), inter.b64()), b""),
            )],
        ),
        present(client, &[inter]),
    );
    g.case(
        Forwarded,
        "rfc9440/unpadded",
        "an RFC 9440 byte sequence without base64 padding",
        input(
            "rfc9440",
            &[(
                "Client-Cert",
                format!(":{}:", client.b64().trim_end_matches('=')),
            )],
        ),
        D::Recorded,
    );
    g.case(
        Forwarded,
        "rfc9440/parameters",
        "RFC 8941 parameters after the byte sequence",
        input("rfc9440", &[("Client-Cert", format!("{};a=1", sf(client)))]),
        present(client, &[]),
    );
    g.case(
        Forwarded,
        "rfc9440/no-colons",
        "bare base64 instead of an RFC 8941 byte sequence",
        input("rfc9440", &[("Client-Cert", client.b64())]),
        D::Err("Forwarded.NotByteSequence", None),
    );
    g.case(
        Forwarded,
        "rfc9440/chain-without-cert",
        "Client-Cert-Chain without Client-Cert",
        input("rfc9440", &[("Client-Cert-Chain", sf(inter))]),
        D::Recorded,
    );
    g.case(
        Forwarded,
        "rfc9440/chain-two-lines",
        "Client-Cert-Chain split over two field lines",
        input(
            "rfc9440",
            &[
                ("Client-Cert", sf(client)),
                ("Client-Cert-Chain", sf(inter)),
                ("Client-Cert-Chain", sf(root)),
            ],
        ),
        present(client, &[inter, root]),
    );
    g.case(
        Forwarded,
        "rfc9440/chain-garbage",
        "a chain element that is not a certificate",
        input(
            "rfc9440",
            &[
                ("Client-Cert", sf(client)),
                ("Client-Cert-Chain", format!("{}, :aGVsbG8=:", sf(inter))),
            ],
        ),
        D::Err("Forwarded.Certificate", None),
    );
    // RFC 9440 Appendix A from the shared file (values built at evaluation time).
    g.case(
        Forwarded,
        "rfc9440/appendix-a",
        "RFC 9440 Appendix A: Client-Cert and Client-Cert-Chain from rfc9440_chain.pem",
        json!({"source": "rfc9440", "headers": [
            ["Client-Cert", {"file": "shared:rfc-examples/rfc9440_chain.pem", "encode": "rfc9440_first"}],
            ["Client-Cert-Chain", {"file": "shared:rfc-examples/rfc9440_chain.pem", "encode": "rfc9440_rest"}],
        ]}),
        D::Ok(Some(json!({"present": true, "leaf": RFC9440_LEAF_X5T, "chain": [RFC9440_INTER_X5T, RFC9440_ROOT_X5T]}))),
    );
    g.case(
        Forwarded,
        "cloudflare/rfc8705-example",
        "the RFC 8705 Appendix A certificate through Cloudflare's header",
        json!({"source": "cloudflare", "headers": [
            ["Cf-Client-Cert-Der-Base64", {"file": "shared:rfc-examples/rfc8705_appA.pem", "encode": "base64_first"}],
        ]}),
        D::Fields(vec![("/leaf".into(), json!(super::RFC8705_X5T))]),
    );

    // Cloudflare with the request.cf hints the worker has.
    let cf = |hints: Value, with_header: bool| {
        let h: Vec<(&str, String)> = if with_header {
            vec![("Cf-Client-Cert-Der-Base64", client.b64())]
        } else {
            vec![]
        };
        json!({"source": "cloudflare", "headers": headers(&h), "cloudflare_hints": hints})
    };
    g.case(
        Forwarded,
        "cloudflare/hints-match",
        "certPresented and a matching upper-case certFingerprintSHA256",
        cf(json!({"presented": true, "verified": true, "fingerprint": client.sha256_hex().to_uppercase()}), true),
        present(client, &[]),
    );
    g.case(
        Forwarded,
        "cloudflare/hints-fingerprint-mismatch",
        "certFingerprintSHA256 of another certificate",
        cf(
            json!({"presented": true, "fingerprint": other.sha256_hex()}),
            true,
        ),
        D::Err("Forwarded.FingerprintHintMismatch", None),
    );
    g.case(
        Forwarded,
        "cloudflare/hints-not-presented",
        "the header present although Cloudflare saw no certificate",
        cf(json!({"presented": false}), true),
        D::Err("Forwarded.CloudflareNotPresented", None),
    );
    g.case(
        Forwarded,
        "cloudflare/hints-not-forwarded",
        "Cloudflare saw a certificate but the header is missing",
        cf(json!({"presented": true}), false),
        D::Err("Forwarded.CloudflareNotForwarded", None),
    );
    g.case(
        Forwarded,
        "cloudflare/hints-none",
        "no certificate presented, none forwarded",
        cf(json!({"presented": false}), false),
        D::Ok(Some(json!({"present": false}))),
    );
}
