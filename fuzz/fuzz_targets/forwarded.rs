//! Every forwarded-certificate source: `decode` over fuzzed field lines, `decode_value` on the
//! same bytes, Cloudflare hints, and `CertSource` names.
//!
//! Input: a flag byte (source selector, small limits), then `\0`-separated field lines, each
//! starting with one character that picks the header name among the source's own and an
//! unrelated one (odd rounds lowercase it).
#![no_main]

use certbound_core::Error;
use certbound_core::forwarded::{
    CertSource, CloudflareHints, ForwardedCert, ForwardedError, Limits, decode, decode_cloudflare,
    decode_value,
};
use certbound_fuzz::{check_cert, check_error, split_flags};
use libfuzzer_sys::fuzz_target;

const SOURCES: &[&str] = &[
    "rfc9440",
    "cloudflare",
    "envoy",
    "envoy:first",
    "envoy:by=spiffe://proxy.example",
    "nginx",
    "nginx:X-Client-Cert",
    "aws-alb",
    "traefik",
    "haproxy",
    "haproxy:X-Client-Der",
    "azure",
];

fn check_forwarded(fc: &ForwardedCert, limits: &Limits) {
    check_cert(fc.leaf());
    assert!(
        fc.chain().len() <= limits.max_chain(),
        "chain over the limit"
    );
    fc.chain().iter().for_each(check_cert);
}

fn count(headers: &[(String, &str)], name: &str) -> usize {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .count()
}

fn value<'a>(headers: &[(String, &'a str)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| *v)
}

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = split_flags(data) else {
        return;
    };
    let Ok(text) = core::str::from_utf8(rest) else {
        return;
    };
    let source: CertSource = SOURCES[usize::from(flags) % SOURCES.len()].parse().unwrap();
    let limits = if flags & 0x80 != 0 {
        Limits::new(2048, 1)
    } else {
        Limits::default()
    };

    // Source names round-trip through Display.
    let first = text.split('\0').next().unwrap_or_default();
    match first.parse::<CertSource>() {
        Ok(s) => assert_eq!(s.to_string().parse::<CertSource>().unwrap(), s),
        Err(e) => check_error(&e),
    }

    let own = source.header_names();
    let mut names: Vec<&str> = own.clone();
    names.push("X-Unrelated");
    let headers: Vec<(String, &str)> = text
        .split('\0')
        .filter_map(|line| {
            let c = line.chars().next()?;
            let i = c as usize;
            let name = names[i % names.len()];
            let name = if (i / names.len()) % 2 == 1 {
                name.to_ascii_lowercase()
            } else {
                name.to_owned()
            };
            Some((name, &line[c.len_utf8()..]))
        })
        .collect();

    let result = decode(&source, headers.as_slice(), &limits);
    match &result {
        Ok(Some(fc)) => check_forwarded(fc, &limits),
        Ok(None) => {}
        Err(e) => check_error(e),
    }

    // One primary field line (plus at most one chain line for RFC 9440, no ALB leaf header):
    // decode_value on the bare values decides exactly as decode.
    let primary = own[0];
    let chain_name = match &source {
        CertSource::Rfc9440 => Some("Client-Cert-Chain"),
        _ => None,
    };
    let alb_leaf =
        matches!(source, CertSource::AwsAlb) && count(&headers, "X-Amzn-Mtls-Clientcert-Leaf") > 0;
    if count(&headers, primary) == 1
        && !alb_leaf
        && chain_name.is_none_or(|n| count(&headers, n) <= 1)
    {
        let v = value(&headers, primary).unwrap();
        let chain = chain_name.and_then(|n| value(&headers, n));
        let by_value = decode_value(&source, v, chain, &limits);
        assert_eq!(
            result.clone().map(|o| o.expect("primary header present")),
            by_value,
            "decode and decode_value disagree"
        );
        if chain_name.is_none() {
            assert!(decode_value(&source, v, Some(""), &limits).is_err());
        }
    }

    // Cloudflare: hints agreeing with the certificate change nothing; disagreeing ones refuse.
    if matches!(source, CertSource::Cloudflare) {
        match &result {
            Ok(Some(fc)) => {
                let hex = fc.leaf().sha256_hex();
                let hints = CloudflareHints::new(true)
                    .cert_verified(false)
                    .cert_fingerprint_sha256(&hex.to_ascii_uppercase());
                let with = decode_cloudflare(headers.as_slice(), Some(&hints), &limits);
                assert_eq!(with.as_ref().ok().and_then(Option::as_ref), Some(fc));
                let mut wrong = hex.into_bytes();
                wrong[0] = if wrong[0] == b'0' { b'1' } else { b'0' };
                let wrong = String::from_utf8(wrong).unwrap();
                let hints = CloudflareHints::new(true).cert_fingerprint_sha256(&wrong);
                let e = decode_cloudflare(headers.as_slice(), Some(&hints), &limits).unwrap_err();
                check_error(&e);
                assert_eq!(
                    decode_cloudflare(
                        headers.as_slice(),
                        Some(&CloudflareHints::new(false)),
                        &limits
                    ),
                    Err(Error::Forwarded(ForwardedError::CloudflareNotPresented))
                );
            }
            Ok(None) => assert_eq!(
                decode_cloudflare(
                    headers.as_slice(),
                    Some(&CloudflareHints::new(true)),
                    &limits
                ),
                Err(Error::Forwarded(ForwardedError::CloudflareNotForwarded))
            ),
            Err(_) => {}
        }
    }
});
