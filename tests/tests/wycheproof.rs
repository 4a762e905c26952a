//! Wycheproof signature vectors through every native `CryptoProvider` — core's `RustCrypto` and
//! `certbound_provider_aws_lc_rs::AwsLcRs` — (P1363 / raw encodings) and through the X.509
//! algorithms of `certbound_core::path` (ECDSA in ASN.1 DER).
//!
//! Every `valid` vector must verify and every `invalid` one must not; `acceptable` vectors may
//! go either way and are counted. Both providers must also give the same verdict on every
//! vector, `acceptable` ones included: a provider changes the cost of a check, never its verdict.
//! The provider-level sets are `certbound_tests::wycheproof`, which the WebCrypto runner
//! (`tests/webcrypto.sh`) runs too.
//!
//! Run: `cargo test --release -p certbound-tests --test wycheproof -- --nocapture`.

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use certbound_core::provider::{CryptoProvider, RustCrypto};
use certbound_provider_aws_lc_rs::AwsLcRs;
use certbound_tests::wycheproof::{Score, families};
use rustls_pki_types::{AlgorithmIdentifier, SignatureVerificationAlgorithm, alg_id};

fn x509_algorithm(
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
) -> &'static dyn SignatureVerificationAlgorithm {
    *certbound_core::path::signature_algorithms()
        .iter()
        .find(|a| a.public_key_alg_id() == public_key && a.signature_alg_id() == signature)
        .expect("certbound accepts this pair")
}

// Intent: the ASN.1 DER ECDSA sets through `path`'s X.509 algorithms (provider independent):
// every valid vector verifies, every invalid one is refused.
#[test]
fn wycheproof_x509_ecdsa() {
    use wycheproof::ecdsa::{TestName as N, TestSet};
    let sets = [
        (
            N::EcdsaSecp256r1Sha256,
            alg_id::ECDSA_P256,
            alg_id::ECDSA_SHA256,
        ),
        (
            N::EcdsaSecp384r1Sha384,
            alg_id::ECDSA_P384,
            alg_id::ECDSA_SHA384,
        ),
        (
            N::EcdsaSecp384r1Sha256,
            alg_id::ECDSA_P384,
            alg_id::ECDSA_SHA256,
        ),
    ];
    let mut s = Score::default();
    for (name, key_alg, sig_alg) in sets {
        let set = TestSet::load(name).unwrap();
        let algorithm = x509_algorithm(key_alg, sig_alg);
        for group in &set.test_groups {
            for t in &group.tests {
                let accepted = algorithm
                    .verify_signature(&group.key.key, &t.msg, &t.sig)
                    .is_ok();
                s.record(&format!("{name:?} #{}", t.tc_id), t.result, accepted);
            }
        }
    }
    println!(
        "Wycheproof ECDSA P-256/P-384 DER [X.509 path]: {}",
        s.summary()
    );
    assert!(s.valid_ok > 0 && s.invalid_ok > 0, "vectors ran");
    assert!(
        s.wrong.is_empty(),
        "{} wrong verdicts: {:#?}",
        s.wrong.len(),
        s.wrong
    );
}

// Intent: with every provider, every valid vector verifies and every invalid one is refused,
// per family; and the providers agree on every vector.
#[test]
fn wycheproof_signatures() {
    let mut failed = Vec::new();
    let providers: [(&str, &dyn CryptoProvider); 2] =
        [("RustCrypto", &RustCrypto), ("aws-lc-rs", &AwsLcRs)];
    for family in families().unwrap() {
        let mut first: Option<(&str, Score)> = None;
        for (name, provider) in providers {
            let mut s = Score::default();
            for v in &family.vectors {
                let accepted = provider.verify(v.scheme, &v.key, &v.msg, &v.sig).is_ok();
                s.record(&v.id, v.result, accepted);
            }
            println!("Wycheproof {} [{name}]: {}", family.name, s.summary());
            for w in &s.wrong {
                println!("  WRONG [{name}] {w}");
            }
            assert!(
                s.valid_ok > 0 && s.invalid_ok > 0,
                "{}: vectors ran",
                family.name
            );
            failed.extend(s.wrong.iter().map(|w| format!("[{name}] {w}")));
            match &first {
                None => first = Some((name, s)),
                Some((other, theirs)) => failed.extend(
                    theirs
                        .differences(other, &s, name)
                        .into_iter()
                        .map(|d| format!("{} {d}", family.name)),
                ),
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} wrong or differing verdicts: {failed:#?}",
        failed.len()
    );
}
