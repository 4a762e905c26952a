//! JWK and JWKS parsing, key selection, thumbprints and re-serialisation.
#![no_main]

use certbound_core::Error;
use certbound_core::token::jwk::MAX_JWKS_KEYS;
use certbound_core::token::{Algorithm, Jwk, JwkSet};
use certbound_fuzz::check_error;
use libfuzzer_sys::fuzz_target;

fn check_key(key: &Jwk) {
    let _ = (key.description(), key.kid(), key.alg());
    let thumbprint = key.thumbprint();
    assert_eq!(thumbprint.is_some(), !key.public_key().is_empty());
    let fits: Vec<bool> = Algorithm::ALL
        .iter()
        .map(|a| key.fits(*a).is_ok())
        .collect();
    for alg in Algorithm::ALL {
        if let Err(m) = key.fits(alg) {
            assert!(!m.to_string().is_empty());
        }
    }
    // Unsupported keys never fit anything.
    if key.public_key().is_empty() {
        assert!(fits.iter().all(|f| !f));
    }
    // The published form of a supported key reads back as the same key. (An unsupported key
    // keeps only its description, so its `to_json_value` has no `kty`: not publishable.)
    if key.public_key().is_empty() {
        return;
    }
    let json = key.to_json_value();
    let again = Jwk::from_value(&json, 0).expect("to_json_value output parses");
    assert_eq!(again.public_key(), key.public_key());
    assert_eq!(again.thumbprint(), thumbprint);
    assert_eq!(again.kid(), key.kid());
    assert_eq!(again.alg(), key.alg());
}

fuzz_target!(|data: &[u8]| {
    match JwkSet::from_json(data) {
        Ok(set) => {
            assert!(set.keys().len() <= MAX_JWKS_KEYS);
            set.keys().iter().for_each(check_key);
            for alg in Algorithm::ALL {
                let kids = set.keys().iter().map(Jwk::kid).chain([None, Some("nope")]);
                for kid in kids {
                    match set.select(alg, kid) {
                        Ok(key) => {
                            assert!(key.fits(alg).is_ok(), "selected key fits");
                            if let Some(kid) = kid {
                                assert_eq!(key.kid(), Some(kid));
                            }
                        }
                        Err(e) => check_error(&Error::from(e)),
                    }
                }
            }
        }
        Err(e) => check_error(&e),
    }
    match Jwk::from_json(data) {
        Ok(key) => check_key(&key),
        Err(e) => check_error(&Error::from(e)),
    }
});
