//! certbound next to the speed issue's anchors, on the same fixtures: leaf parse, SHA-256 of a
//! DER certificate, full bound-token checks (ES256, RS256, EdDSA) and a 3-certificate P-256
//! chain, each with core's RustCrypto provider, the aws-lc-rs provider and the anchor library.
//!
//! Run through `scripts/bench` (which adds the wasm and node columns), or alone:
//! `cargo bench -p certbound-bench --bench anchors -- --warm-up-time 1 --measurement-time 3`.

// Setup unwraps: a failure there is a bench setup bug, and every measured closure's result was
// asserted once before timing.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use certbound_bench::{AUDIENCE, Fixtures, ISSUER};
use certbound_core::path::{self, TrustStore, VerifyOptions};
use certbound_core::provider::{CryptoProvider, RustCrypto};
use certbound_core::token::{Algorithm, JwkSet, Validator};
use certbound_core::{CertThumbprint, Certificate, UnixTime};
use certbound_provider_aws_lc_rs::AwsLcRs;
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken_aws_lc as jwt;
use rustls_pki_types::CertificateDer;
use serde_json::Value;

fn bench(c: &mut Criterion) {
    // scripts/bench hands every bench of a run the same fixtures; alone, generate fresh ones.
    let f = match std::env::var_os("CERTBOUND_BENCH_FIXTURES") {
        Some(path) => Fixtures::from_json(&std::fs::read(path).unwrap()).unwrap(),
        None => {
            let iat = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap()
                .as_secs();
            Fixtures::generate(iat).unwrap()
        }
    };
    let now = UnixTime::since_unix_epoch(Duration::from_secs(f.iat + 5));
    println!(
        "fixtures: leaf {} B, chain {}/{}/{} B, tokens ES256 {} B, RS256 {} B, EdDSA {} B",
        f.leaf_der.len(),
        f.chain[0].len(),
        f.chain[1].len(),
        f.chain[2].len(),
        f.es256.len(),
        f.rs256.len(),
        f.eddsa.len()
    );

    // Parse a leaf.
    let mut g = c.benchmark_group("parse");
    let der = f.leaf_der.as_slice();
    g.bench_function("certbound", |b| {
        b.iter(|| Certificate::from_der(black_box(der)).unwrap())
    });
    g.bench_function("x509-cert", |b| {
        use der::Decode as _;
        b.iter(|| x509_cert::Certificate::from_der(black_box(der)).unwrap())
    });
    g.finish();

    // SHA-256 of the leaf DER.
    let mut g = c.benchmark_group("sha256");
    g.bench_function("certbound", |b| {
        b.iter(|| CertThumbprint::of_der(black_box(der)))
    });
    g.bench_function("aws-lc-rs", |b| {
        b.iter(|| aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, black_box(der)))
    });
    g.bench_function("ring", |b| {
        b.iter(|| ring::digest::digest(&ring::digest::SHA256, black_box(der)))
    });
    g.finish();

    // Full bound-token check.
    jwt::crypto::aws_lc::DEFAULT_PROVIDER
        .install_default()
        .unwrap();
    let set = JwkSet::from_json(f.jwks.to_string().as_bytes()).unwrap();
    let validator = Validator::builder(ISSUER, AUDIENCE, set)
        .algorithms(&[Algorithm::Es256, Algorithm::Rs256, Algorithm::EdDsa])
        .build()
        .unwrap();
    let thumb = f.thumbprint;
    let thumb_text = thumb.to_string();
    let keys = f.jwks["keys"].as_array().unwrap();
    let jwk = |kty: &str| keys.iter().find(|k| k["kty"] == kty).unwrap();
    let s = |v: &Value, m: &str| v[m].as_str().unwrap().to_owned();
    for (alg, token, key, jalg) in [
        (
            "ES256",
            &f.es256,
            jwt::DecodingKey::from_ec_components(&s(jwk("EC"), "x"), &s(jwk("EC"), "y")).unwrap(),
            jwt::Algorithm::ES256,
        ),
        (
            "RS256",
            &f.rs256,
            jwt::DecodingKey::from_rsa_components(&s(jwk("RSA"), "n"), &s(jwk("RSA"), "e"))
                .unwrap(),
            jwt::Algorithm::RS256,
        ),
        (
            "EdDSA",
            &f.eddsa,
            jwt::DecodingKey::from_ed_components(&s(jwk("OKP"), "x")).unwrap(),
            jwt::Algorithm::EdDSA,
        ),
    ] {
        let mut g = c.benchmark_group(format!("token-{alg}"));
        for (name, provider) in [
            ("certbound-rustcrypto", &RustCrypto as &dyn CryptoProvider),
            ("certbound-aws-lc-rs", &AwsLcRs),
        ] {
            validator
                .validate(provider, token, Some(&thumb), now)
                .unwrap();
            g.bench_function(name, |b| {
                b.iter(|| {
                    validator
                        .validate(provider, black_box(token), Some(&thumb), now)
                        .unwrap()
                })
            });
        }
        // jsonwebtoken checks signature, iss, aud, exp (60 s leeway); the binding is a string
        // comparison of cnf.x5t#S256. certbound also checks typ, iat, RFC 9068 claims and
        // duplicate members.
        let mut validation = jwt::Validation::new(jalg);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        validation.leeway = 60;
        let check = |token: &str| match jwt::decode::<Value>(token, &key, &validation) {
            Ok(data) => data.claims["cnf"]["x5t#S256"].as_str() == Some(thumb_text.as_str()),
            Err(_) => false,
        };
        assert!(check(token), "{alg}");
        g.bench_function("jsonwebtoken-aws-lc-rs", |b| {
            b.iter(|| assert!(check(black_box(token))))
        });
        g.finish();
    }

    // 3-certificate P-256 chain.
    let [root, ica, leaf] = &f.chain;
    let trust = TrustStore::from_certificates(&[Certificate::from_der(root).unwrap()]).unwrap();
    let leaf_cert = Certificate::from_der(leaf).unwrap();
    let inter = [Certificate::from_der(ica).unwrap()];
    let options = VerifyOptions::default();
    let mut g = c.benchmark_group("chain-P256");
    for (name, provider) in [
        ("certbound-rustcrypto", &RustCrypto as &dyn CryptoProvider),
        ("certbound-aws-lc-rs", &AwsLcRs),
    ] {
        path::verify_chain_with_provider(&trust, &leaf_cert, &inter, now, &options, provider)
            .unwrap();
        g.bench_function(name, |b| {
            b.iter(|| {
                path::verify_chain_with_provider(
                    black_box(&trust),
                    black_box(&leaf_cert),
                    &inter,
                    now,
                    &options,
                    provider,
                )
                .unwrap()
            })
        });
    }
    let root_der = CertificateDer::from(root.as_slice());
    let anchors = [webpki::anchor_from_trusted_cert(&root_der)
        .unwrap()
        .to_owned()];
    let inter_der = [CertificateDer::from(ica.as_slice())];
    let leaf_der = CertificateDer::from(leaf.as_slice());
    let ring_algs: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
        webpki::ring::ECDSA_P256_SHA256,
        webpki::ring::ECDSA_P256_SHA384,
        webpki::ring::ECDSA_P384_SHA256,
        webpki::ring::ECDSA_P384_SHA384,
        webpki::ring::ED25519,
        webpki::ring::RSA_PKCS1_2048_8192_SHA256,
    ];
    let aws_lc_algs: &[&dyn rustls_pki_types::SignatureVerificationAlgorithm] = &[
        webpki::aws_lc_rs::ECDSA_P256_SHA256,
        webpki::aws_lc_rs::ECDSA_P256_SHA384,
        webpki::aws_lc_rs::ECDSA_P384_SHA256,
        webpki::aws_lc_rs::ECDSA_P384_SHA384,
        webpki::aws_lc_rs::ED25519,
        webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
    ];
    for (name, algs) in [
        ("webpki-ring", ring_algs),
        ("webpki-aws-lc-rs", aws_lc_algs),
    ] {
        let verify = || {
            let ee = webpki::EndEntityCert::try_from(black_box(&leaf_der)).unwrap();
            ee.verify_for_usage(
                algs,
                &anchors,
                &inter_der,
                now,
                webpki::KeyUsage::client_auth(),
                None,
                None,
            )
            .map(|_| ())
        };
        verify().unwrap();
        g.bench_function(name, |b| b.iter(|| verify().unwrap()));
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
