//! Envoy `x-forwarded-client-cert`: every element selection, split into field lines.
//!
//! Input: a flag byte (element: last, first, a fixed `By`, or `By` taken from the first
//! `\0`-separated piece; small limits), then the field lines separated by `\0`.
#![no_main]

use certbound_core::forwarded::{
    CertSource, EnvoyOptions, Limits, XfccElement, decode, decode_value,
};
use certbound_fuzz::{check_cert, check_error, split_flags};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = split_flags(data) else {
        return;
    };
    let Ok(text) = core::str::from_utf8(rest) else {
        return;
    };
    let mut lines: Vec<&str> = text.split('\0').collect();
    let element = match flags % 4 {
        0 => XfccElement::Last,
        1 => XfccElement::First,
        2 => XfccElement::By("spiffe://proxy.example".into()),
        _ => XfccElement::By(lines.remove(0).into()),
    };
    if lines.is_empty() {
        return;
    }
    let limits = if flags & 0x80 != 0 {
        Limits::new(2048, 1)
    } else {
        Limits::default()
    };
    let source = CertSource::Envoy(EnvoyOptions::new().element(element));
    let headers: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| ("X-Forwarded-Client-Cert", *l))
        .collect();
    let result = decode(&source, headers.as_slice(), &limits);
    match &result {
        Ok(Some(fc)) => {
            check_cert(fc.leaf());
            assert!(fc.chain().len() <= limits.max_chain());
            fc.chain().iter().for_each(check_cert);
        }
        Ok(None) => unreachable!("the header is present"),
        Err(e) => check_error(e),
    }
    // Field lines combine with "," (RFC 9110 §5.3): one joined value decides the same.
    let joined = lines.join(",");
    let by_value = decode_value(&source, &joined, None, &limits);
    assert_eq!(result.map(Option::unwrap), by_value);
});
