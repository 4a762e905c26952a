//! One certificate as DER, and the same bytes as a PEM / DER bundle.
#![no_main]

use certbound_core::{Certificate, cert, pem};
use certbound_fuzz::{check_cert, check_error};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Certificate::from_der(data) {
        Ok(c) => {
            assert_eq!(c.der(), data, "from_der keeps exactly the input");
            check_cert(&c);
        }
        Err(e) => check_error(&e),
    }
    let ders = pem::read_bundle(data);
    match cert::parse_bundle(data) {
        Ok(certs) => {
            let ders = ders.expect("parse_bundle succeeded, so read_bundle must");
            assert_eq!(ders.len(), certs.len());
            for (der, c) in ders.iter().zip(&certs) {
                assert_eq!(der.as_slice(), c.der());
                check_cert(c);
            }
            // A one-certificate bundle is what from_pem accepts.
            let one = Certificate::from_pem(data);
            assert_eq!(one.is_ok(), certs.len() == 1);
        }
        Err(e) => {
            check_error(&e);
            if let Err(e) = ders {
                check_error(&e);
            }
        }
    }
});
