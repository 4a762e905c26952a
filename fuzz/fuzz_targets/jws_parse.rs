//! Compact JWS splitting and decoding (`token::jws::CompactJws::parse`).
#![no_main]

use certbound_core::Error;
use certbound_core::token::Algorithm;
use certbound_core::token::jws::CompactJws;
use certbound_fuzz::check_error;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = core::str::from_utf8(data) else {
        return;
    };
    match CompactJws::parse(token) {
        Ok(jws) => {
            // The signing input is the token up to its second '.', byte for byte.
            let second_dot = token.rfind('.').unwrap();
            assert_eq!(jws.signing_input(), &token[..second_dot]);
            assert_eq!(token.matches('.').count(), 2);
            assert!(!jws.signature().is_empty());
            let alg = jws.header().get("alg").and_then(|a| a.as_str());
            if let Some((name, alg)) = alg.and_then(|n| Some((n, Algorithm::from_name(n)?))) {
                assert_eq!(alg.name(), name);
            }
            match jws.payload_object() {
                Ok(claims) => {
                    serde_json::to_string(&claims).unwrap();
                }
                Err(e) => check_error(&Error::from(e)),
            }
            let _ = jws.payload();
        }
        Err(e) => check_error(&Error::from(e)),
    }
});
