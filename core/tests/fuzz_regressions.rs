//! Inputs found by the fuzz targets in `fuzz/` (see `fuzz/README.md`), replayed through the
//! public API so that each fixed bug stays fixed.

use certbound_core::cert::name::attribute_oid;
use certbound_core::client::dn::RegisteredDn;

// Intent: a dotted OID arc const-oid cannot represent is refused, never wrapped into another OID
// nor a panic (fuzz/dn_parse: const-oid 0.9 accumulates arcs in an unchecked u32, and encodes
// arcs over 2^28 that it then cannot decode).
#[test]
fn oversized_oid_arc_is_refused() {
    // 2^32 + 3 wraps to 3: without the check this reads as 2.5.4.3, that is CN.
    assert_eq!(attribute_oid("2.5.4.4294967299"), None);
    assert_eq!(attribute_oid("OID.111111111111111111111.2.3.4"), None);
    // const-oid encodes these arcs but refuses to decode them (and panics displaying them).
    assert_eq!(attribute_oid("2.5.4.4294967295"), None);
    assert_eq!(attribute_oid("1.2.268435472"), None);
    assert!(RegisteredDn::parse("2.5.4.4294967295=x").is_err());
    // Whatever is accepted is exactly the OID written; const-oid encodes these correctly.
    for text in [
        "1.2.3",
        "1.2.127",
        "1.2.129",
        "2.5.4.16383",
        "1.2.2097151",
        "1.2.268435455",
    ] {
        assert_eq!(
            attribute_oid(text).map(|o| o.to_string()).as_deref(),
            Some(text)
        );
    }
    // ... and mangles these (1.2.128 would become another OID), so they are refused.
    for arc in [
        128u32, 16384, 16385, 2097152, 268435456, 268435472, 4294967295,
    ] {
        let text = format!("1.2.{arc}");
        assert_eq!(attribute_oid(&text), None, "{text}");
    }
    let err = RegisteredDn::parse("2.5.4.4294967299=alice").unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown attribute type \"2.5.4.4294967299\" at byte 0: use a name such as CN, O, OU, C, \
         L, ST, DC, UID, serialNumber, emailAddress, or a dotted OID"
    );
    // The fuzzer's own reproducer.
    assert!(RegisteredDn::parse("111111111111111111111.2.3.4 04a\\,").is_err());
}

// Intent: a singleton certificate header whose value holds a combined-lines separator (`, `)
// gets the same verdict from `decode` (header lines) and `decode_value` (the bare value): the
// duplicate refusal, never a decoding error from one and a duplicate from the other
// (fuzz/forwarded: an AWS ALB value with ", " inside its percent-encoded PEM).
#[test]
fn combined_singleton_value_decides_alike() {
    use certbound_core::Error;
    use certbound_core::forwarded::{CertSource, ForwardedError, Limits, decode, decode_value};
    let limits = Limits::default();
    for (name, header) in [
        ("aws-alb", "X-Amzn-Mtls-Clientcert"),
        ("azure", "X-ARR-ClientCert"),
        ("nginx", "X-SSL-Client-Cert"),
        ("haproxy", "X-SSL-Client-Der"),
        ("traefik", "X-Forwarded-Tls-Client-Cert"),
        ("rfc9440", "Client-Cert"),
        ("cloudflare", "Cf-Client-Cert-Der-Base64"),
    ] {
        let source: CertSource = name.parse().unwrap();
        assert_eq!(source.header_names()[0], header, "{name}");
        let value = "-----BEGIN%20CERTIFICATE-----%0AMIIB, qDCC";
        let by_lines = decode(&source, &[(header, value)], &limits);
        let by_value = decode_value(&source, value, None, &limits);
        assert_eq!(
            by_lines.map(|c| c.is_some()),
            by_value.clone().map(|_| true),
            "{name}"
        );
        assert!(
            matches!(
                by_value,
                Err(Error::Forwarded(ForwardedError::DuplicateHeader { header: ref h, count: 2 }))
                    if h == header
            ),
            "{name}: {by_value:?}"
        );
    }
}

// Intent: with an oversized RFC 9440 chain *and* a combined `Client-Cert`, `decode` and
// `decode_value` report the same problem (the chain's size: `decode` reads the chain first)
// (fuzz/forwarded, after the fix above).
#[test]
fn rfc9440_checks_run_in_the_same_order() {
    use certbound_core::Error;
    use certbound_core::forwarded::{CertSource, ForwardedError, Limits, decode, decode_value};
    let limits = Limits::default();
    let source: CertSource = "rfc9440".parse().unwrap();
    let chain = ":AAAA:".repeat(limits.max_header_bytes() / 6 + 1);
    let cert = ":AAAA:, :BBBB:";
    let by_lines = decode(
        &source,
        &[("Client-Cert", cert), ("Client-Cert-Chain", chain.as_str())],
        &limits,
    );
    let by_value = decode_value(&source, cert, Some(&chain), &limits);
    assert_eq!(
        by_lines.map(|c| c.is_some()),
        by_value.clone().map(|_| true)
    );
    assert!(
        matches!(
            by_value,
            Err(Error::Forwarded(ForwardedError::TooLarge { ref header, .. })) if header == "Client-Cert-Chain"
        ),
        "{by_value:?}"
    );
}
