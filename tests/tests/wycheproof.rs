//! Wycheproof signature vectors through every native `CryptoProvider` — core's `RustCrypto` and
//! `certbound_provider_aws_lc_rs::AwsLcRs` — (P1363 / raw encodings) and through the X.509
//! algorithms of `certbound_core::path` (ECDSA in ASN.1 DER).
//!
//! Every `valid` vector must verify and every `invalid` one must not; `acceptable` vectors may
//! go either way and are counted. Both providers must also give the same verdict on every
//! vector, `acceptable` ones included: a provider changes the cost of a check, never its verdict.
//!
//! Run: `cargo test --release -p certbound-tests --test wycheproof -- --nocapture`.

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use certbound_core::provider::{CryptoProvider, RustCrypto, SignatureScheme};
use certbound_provider_aws_lc_rs::AwsLcRs;
use rustls_pki_types::{AlgorithmIdentifier, SignatureVerificationAlgorithm, alg_id};
use wycheproof::TestResult;

#[derive(Default, Debug)]
struct Score {
    valid_ok: usize,
    invalid_ok: usize,
    acceptable_accepted: usize,
    acceptable_rejected: usize,
    wrong: Vec<String>,
    /// Every verdict in order (`set #id` → accepted), to compare providers.
    verdicts: Vec<(String, bool)>,
}

impl Score {
    fn record(&mut self, set: &str, tc_id: usize, result: TestResult, accepted: bool) {
        self.verdicts.push((format!("{set} #{tc_id}"), accepted));
        match (result, accepted) {
            (TestResult::Valid, true) => self.valid_ok += 1,
            (TestResult::Invalid, false) => self.invalid_ok += 1,
            (TestResult::Acceptable, true) => self.acceptable_accepted += 1,
            (TestResult::Acceptable, false) => self.acceptable_rejected += 1,
            (r, a) => self
                .wrong
                .push(format!("{set} #{tc_id}: {r:?} but accepted={a}")),
        }
    }
}

fn x509_algorithm(
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
) -> &'static dyn SignatureVerificationAlgorithm {
    *certbound_core::path::signature_algorithms()
        .iter()
        .find(|a| a.public_key_alg_id() == public_key && a.signature_alg_id() == signature)
        .expect("certbound accepts this pair")
}

/// `with_x509`: also run the ASN.1 DER sets through `path`'s X.509 algorithms (provider
/// independent here, so run once).
fn ecdsa(p: &dyn CryptoProvider, with_x509: bool, score: &mut Score) {
    use wycheproof::ecdsa::{TestName as N, TestSet};
    // (vectors, scheme for P1363, X.509 key + signature algorithm for DER)
    let sets = [
        (
            N::EcdsaSecp256r1Sha256P1363,
            SignatureScheme::EcdsaP256Sha256,
            None,
        ),
        (
            N::EcdsaSecp384r1Sha384P1363,
            SignatureScheme::EcdsaP384Sha384,
            None,
        ),
        (
            N::EcdsaSecp256r1Sha256,
            SignatureScheme::EcdsaP256Sha256,
            Some((alg_id::ECDSA_P256, alg_id::ECDSA_SHA256)),
        ),
        (
            N::EcdsaSecp384r1Sha384,
            SignatureScheme::EcdsaP384Sha384,
            Some((alg_id::ECDSA_P384, alg_id::ECDSA_SHA384)),
        ),
        (
            N::EcdsaSecp384r1Sha256,
            SignatureScheme::EcdsaP384Sha256,
            Some((alg_id::ECDSA_P384, alg_id::ECDSA_SHA256)),
        ),
    ];
    for (name, scheme, x509) in sets {
        if x509.is_some() && !with_x509 {
            continue;
        }
        let set = TestSet::load(name).unwrap();
        let label = format!("{name:?}");
        for group in &set.test_groups {
            for t in &group.tests {
                let accepted = match x509 {
                    None => p.verify(scheme, &group.key.key, &t.msg, &t.sig).is_ok(),
                    Some((k, s)) => x509_algorithm(k, s)
                        .verify_signature(&group.key.key, &t.msg, &t.sig)
                        .is_ok(),
                };
                score.record(&label, t.tc_id, t.result, accepted);
            }
        }
    }
}

fn ed25519(p: &dyn CryptoProvider, _: bool, score: &mut Score) {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).unwrap();
    for group in &set.test_groups {
        for t in &group.tests {
            let accepted = p
                .verify(SignatureScheme::Ed25519, &group.key.pk, &t.msg, &t.sig)
                .is_ok();
            score.record("Ed25519", t.tc_id, t.result, accepted);
        }
    }
}

fn rsa_pkcs1(p: &dyn CryptoProvider, _: bool, score: &mut Score) {
    use SignatureScheme as S;
    use wycheproof::rsa_pkcs1_verify::{TestName as N, TestSet};
    let sets = [
        (N::Rsa2048Sha256, S::RsaPkcs1Sha256),
        (N::Rsa2048Sha384, S::RsaPkcs1Sha384),
        (N::Rsa2048Sha512, S::RsaPkcs1Sha512),
        (N::Rsa3072Sha256, S::RsaPkcs1Sha256),
        (N::Rsa3072Sha384, S::RsaPkcs1Sha384),
        (N::Rsa3072Sha512, S::RsaPkcs1Sha512),
        (N::Rsa4096Sha256, S::RsaPkcs1Sha256),
        (N::Rsa4096Sha384, S::RsaPkcs1Sha384),
        (N::Rsa4096Sha512, S::RsaPkcs1Sha512),
    ];
    for (name, scheme) in sets {
        let set = TestSet::load(name).unwrap();
        let label = format!("{name:?}");
        for group in &set.test_groups {
            for t in &group.tests {
                let accepted = p.verify(scheme, &group.asn_key, &t.msg, &t.sig).is_ok();
                score.record(&label, t.tc_id, t.result, accepted);
            }
        }
    }
}

fn rsa_pss(p: &dyn CryptoProvider, _: bool, score: &mut Score) {
    use SignatureScheme as S;
    use wycheproof::rsa_pss_verify::{TestName as N, TestSet};
    // Only the parameter sets certbound's schemes define: MGF1 with the same hash, salt length
    // equal to the digest length.
    let sets = [
        (N::RsaPss2048Sha256Mgf1SaltLen32, S::RsaPssSha256),
        (N::RsaPss2048Sha384Mgf1SaltLen48, S::RsaPssSha384),
        (N::RsaPss3072Sha256Mgf1SaltLen32, S::RsaPssSha256),
        (N::RsaPss4096Sha256Mgf1SaltLen32, S::RsaPssSha256),
        (N::RsaPss4096Sha384Mgf1SaltLen48, S::RsaPssSha384),
        (N::RsaPss4096Sha512Mgf1SaltLen64, S::RsaPssSha512),
    ];
    for (name, scheme) in sets {
        let set = TestSet::load(name).unwrap();
        let label = format!("{name:?}");
        for group in &set.test_groups {
            for t in &group.tests {
                let accepted = p.verify(scheme, &group.asn_key, &t.msg, &t.sig).is_ok();
                score.record(&label, t.tc_id, t.result, accepted);
            }
        }
    }
}

// Intent: with every provider, every valid vector verifies and every invalid one is refused,
// per family; and the providers agree on every vector.
#[test]
fn wycheproof_signatures() {
    let mut failed = Vec::new();
    let providers: [(&str, &dyn CryptoProvider); 2] =
        [("RustCrypto", &RustCrypto), ("aws-lc-rs", &AwsLcRs)];
    for (family, run) in [
        (
            "ECDSA P-256/P-384 (P1363 and DER)",
            ecdsa as fn(&dyn CryptoProvider, bool, &mut Score),
        ),
        ("Ed25519", ed25519),
        ("RSA PKCS#1 v1.5 2048-4096", rsa_pkcs1),
        ("RSA-PSS 2048-4096", rsa_pss),
    ] {
        let mut first: Option<(&str, Vec<(String, bool)>)> = None;
        for (i, (name, provider)) in providers.into_iter().enumerate() {
            let mut s = Score::default();
            run(provider, i == 0, &mut s);
            println!(
                "Wycheproof {family} [{name}]: {} valid accepted, {} invalid rejected, acceptable {} accepted / {} rejected, {} wrong",
                s.valid_ok,
                s.invalid_ok,
                s.acceptable_accepted,
                s.acceptable_rejected,
                s.wrong.len()
            );
            for w in &s.wrong {
                println!("  WRONG [{name}] {w}");
            }
            assert!(s.valid_ok > 0 && s.invalid_ok > 0, "{family}: vectors ran");
            failed.extend(s.wrong.iter().map(|w| format!("[{name}] {w}")));
            match &first {
                None => first = Some((name, s.verdicts)),
                Some((other, verdicts)) => {
                    // The first provider also ran the DER sets: compare by vector id.
                    let theirs: std::collections::HashMap<&str, bool> =
                        verdicts.iter().map(|(id, a)| (id.as_str(), *a)).collect();
                    for (id, b) in &s.verdicts {
                        let Some(a) = theirs.get(id.as_str()) else {
                            failed.push(format!("{family} {id}: not run by {other}"));
                            continue;
                        };
                        if a != b {
                            failed.push(format!(
                                "{family} {id}: {other} accepted={a}, {name} accepted={b}"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} wrong or differing verdicts: {failed:#?}",
        failed.len()
    );
}
