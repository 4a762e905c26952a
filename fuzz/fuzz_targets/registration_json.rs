//! RFC 8705 client registrations from JSON, and authentication of the fixed certificates
//! against whatever registry parses.
#![no_main]

use certbound_core::client::{
    AuthOptions, ClientRegistry, TlsClientAuthMethod, authenticate, parse_json_registrations,
};
use certbound_fuzz::{RFC8705_NOW, RFC9440_NOW, at, check_error, fixtures};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let raw = parse_json_registrations(data);
    let registry = match ClientRegistry::from_json(data) {
        Ok(registry) => registry,
        Err(e) => {
            check_error(&e);
            if let Err(e) = raw {
                check_error(&e);
            }
            return;
        }
    };
    // from_json is parse_json_registrations + from_raw.
    let raw = raw.expect("from_json succeeded, so the raw parse must");
    let again = ClientRegistry::from_raw(raw).expect("from_raw accepts what from_json did");
    assert_eq!(again.len(), registry.len());

    let f = fixtures();
    let [leaf, intermediate, _] = &f.rfc9440;
    let attempts = [
        (leaf, core::slice::from_ref(intermediate), RFC9440_NOW),
        (&f.rfc8705, &[][..], RFC8705_NOW),
    ];
    for client in registry.clients() {
        let id = client.client_id();
        assert!(registry.get(id).is_some());
        let _ = (client.matcher(), client.scope(), client.grant_types());
        for (presented, chain, now) in &attempts {
            for options in [
                AuthOptions::new(),
                AuthOptions::new().require_method(TlsClientAuthMethod::Pki),
                AuthOptions::new()
                    .dangerous_ignore_self_signed_validity()
                    .clock_skew(60),
            ] {
                match authenticate(
                    &registry,
                    id,
                    presented,
                    chain,
                    Some(&f.trust),
                    at(*now),
                    &options,
                ) {
                    Ok(client) => {
                        assert_eq!(client.client_id(), id);
                        assert!(client.x5t() == presented.x5t_s256());
                        if client.method() == TlsClientAuthMethod::SelfSigned {
                            assert!(
                                client
                                    .registration()
                                    .certificates()
                                    .iter()
                                    .any(|c| c.x5t_s256() == presented.x5t_s256())
                            );
                        }
                    }
                    Err(e) => check_error(&e),
                }
            }
        }
    }
});
