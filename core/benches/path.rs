//! `verify_chain` (RustCrypto through core's provider, plus certbound's extra checks) next to
//! bare rustls-webpki with *ring* on the same 3-certificate chains: P-256 and RSA-2048.
//!
//! Run: `cargo bench -p certbound-core --bench path`.

// Setup outside the measured closures unwraps: a failure there is a bench setup bug.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::Duration;

use certbound_core::path::{self, TrustStore, VerifyOptions};
use certbound_core::{Certificate, UnixTime};
use criterion::{Criterion, criterion_group, criterion_main};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    SignatureAlgorithm,
};
use rustls_pki_types::{CertificateDer, PrivatePkcs8KeyDer};

/// 2026-01-01T00:00:00Z.
const NOW: u64 = 1_767_225_600;

fn params(cn: &str, ca: bool) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    } else {
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    }
    p
}

fn rsa_key() -> KeyPair {
    use rsa::pkcs8::EncodePrivateKey;
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
    let der = key.to_pkcs8_der().unwrap();
    KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(der.as_bytes()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .unwrap()
}

/// root → intermediate → leaf, DER.
fn chain(alg: &'static SignatureAlgorithm) -> [Vec<u8>; 3] {
    let key = || {
        if alg == &rcgen::PKCS_RSA_SHA256 {
            rsa_key()
        } else {
            KeyPair::generate_for(alg).unwrap()
        }
    };
    let root_key = key();
    let root_params = params("Bench Root", true);
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, root_key);
    let ica_key = key();
    let ica_params = params("Bench Intermediate", true);
    let ica = ica_params.signed_by(&ica_key, &root_issuer).unwrap();
    let ica_issuer = Issuer::new(ica_params, ica_key);
    let leaf = params("bench client", false)
        .signed_by(&key(), &ica_issuer)
        .unwrap();
    [root.der().to_vec(), ica.der().to_vec(), leaf.der().to_vec()]
}

fn bench_chain(c: &mut Criterion, name: &str, alg: &'static SignatureAlgorithm) {
    let [root, ica, leaf] = chain(alg);
    let now = UnixTime::since_unix_epoch(Duration::from_secs(NOW));

    let trust = TrustStore::from_certificates(&[Certificate::from_der(&root).unwrap()]).unwrap();
    let leaf_cert = Certificate::from_der(&leaf).unwrap();
    let inter = [Certificate::from_der(&ica).unwrap()];
    let options = VerifyOptions::default();
    path::verify_chain(&trust, &leaf_cert, &inter, now, &options).unwrap();
    c.bench_function(
        &format!("verify_chain {name} (certbound, RustCrypto)"),
        |b| {
            b.iter(|| {
                path::verify_chain(
                    black_box(&trust),
                    black_box(&leaf_cert),
                    black_box(&inter),
                    now,
                    &options,
                )
                .unwrap()
            });
        },
    );

    let root_der = CertificateDer::from(root.as_slice());
    let anchors = [webpki::anchor_from_trusted_cert(&root_der)
        .unwrap()
        .to_owned()];
    let inter_der = [CertificateDer::from(ica.as_slice())];
    let leaf_der = CertificateDer::from(leaf.as_slice());
    // Bare webpki with certbound's RustCrypto algorithms: separates the cost of the signature
    // primitives from certbound's own work (issuer mapping, profile checks).
    c.bench_function(
        &format!("verify_chain {name} (rustls-webpki, RustCrypto)"),
        |b| {
            b.iter(|| {
                let ee = webpki::EndEntityCert::try_from(black_box(&leaf_der)).unwrap();
                ee.verify_for_usage(
                    path::signature_algorithms(),
                    &anchors,
                    &inter_der,
                    now,
                    webpki::KeyUsage::client_auth(),
                    None,
                    None,
                )
                .map(|_| ())
                .unwrap();
            });
        },
    );
    c.bench_function(&format!("verify_chain {name} (rustls-webpki, ring)"), |b| {
        b.iter(|| {
            let ee = webpki::EndEntityCert::try_from(black_box(&leaf_der)).unwrap();
            ee.verify_for_usage(
                webpki::ALL_VERIFICATION_ALGS,
                &anchors,
                &inter_der,
                now,
                webpki::KeyUsage::client_auth(),
                None,
                None,
            )
            .map(|_| ())
            .unwrap();
        });
    });
}

fn benches(c: &mut Criterion) {
    bench_chain(c, "P-256", &rcgen::PKCS_ECDSA_P256_SHA256);
    bench_chain(c, "RSA-2048", &rcgen::PKCS_RSA_SHA256);
}

criterion_group!(path_benches, benches);
criterion_main!(path_benches);
