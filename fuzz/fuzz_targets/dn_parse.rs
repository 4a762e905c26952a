//! RFC 4514 registered subject DNs (`client::dn::RegisteredDn`) and SAN values, matched against
//! the fixed certificates.
#![no_main]

use certbound_core::client::dn::{MAX_DN_BYTES, RegisteredDn};
use certbound_core::client::san::{SanKind, parse_registered};
use certbound_fuzz::fixtures;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let f = fixtures();
    let certs = f.rfc9440.iter().chain([&f.rfc8705]);
    match RegisteredDn::parse(text) {
        Ok(dn) => {
            assert!(!dn.is_empty());
            // Display is RFC 4514 again: it parses to a pattern that matches the same names,
            // and printing is a fixed point.
            let shown = dn.to_string();
            if shown.len() > MAX_DN_BYTES {
                // Display may escape more than the input did; over the limit it cannot parse.
                return;
            }
            let again = RegisteredDn::parse(&shown).expect("Display output parses");
            assert_eq!(again.to_string(), shown, "Display is idempotent");
            assert_eq!(again.len(), dn.len());
            for cert in certs {
                for name in [cert.subject(), cert.issuer()] {
                    assert_eq!(
                        dn.matches(name),
                        again.matches(name),
                        "{text:?} vs {shown:?}"
                    );
                }
            }
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
    for kind in [SanKind::Dns, SanKind::Email, SanKind::Ip, SanKind::Uri] {
        match parse_registered(kind, text) {
            Ok(matcher) => {
                let _ = (
                    matcher.to_string(),
                    matcher.metadata_name(),
                    matcher.san_kind(),
                );
                for cert in f.rfc9440.iter().chain([&f.rfc8705]) {
                    let _ = matcher.matches(cert);
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});
