//! aws-lc-rs and core's RustCrypto give the same verdicts: signatures and whole chains.

// Test setup unwraps: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, KeyPair as _};
use base64ct::{Base64, Encoding as _};
use certbound_core::path::{self, TrustStore, VerifyOptions};
use certbound_core::provider::{CryptoProvider, InvalidSignature, RustCrypto, SignatureScheme};
use certbound_core::{Certificate, UnixTime};
use certbound_provider_aws_lc_rs::AwsLcRs;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    date_time_ymd,
};

/// Both providers accept `good` and reject it tampered, over another message, or truncated.
fn check_parity(scheme: SignatureScheme, public: &[u8], msg: &[u8], good: &[u8]) {
    for p in [&AwsLcRs as &dyn CryptoProvider, &RustCrypto] {
        assert_eq!(
            p.verify(scheme, public, msg, good),
            Ok(()),
            "{p:?} {scheme:?}"
        );
        let mut bad = good.to_vec();
        if let Some(b) = bad.last_mut() {
            *b ^= 1;
        }
        assert_eq!(p.verify(scheme, public, msg, &bad), Err(InvalidSignature));
        assert_eq!(
            p.verify(scheme, public, b"other", good),
            Err(InvalidSignature)
        );
        let short = good.get(..good.len() - 1).unwrap();
        assert_eq!(p.verify(scheme, public, msg, short), Err(InvalidSignature));
    }
}

// Intent: ECDSA P-256/SHA-256, P-384/SHA-384 and Ed25519 verdicts agree with RustCrypto.
#[test]
fn ecdsa_and_ed25519_parity() {
    let rng = SystemRandom::new();
    let msg = b"header.payload";
    for (alg, scheme) in [
        (
            &sig::ECDSA_P256_SHA256_FIXED_SIGNING,
            SignatureScheme::EcdsaP256Sha256,
        ),
        (
            &sig::ECDSA_P384_SHA384_FIXED_SIGNING,
            SignatureScheme::EcdsaP384Sha384,
        ),
    ] {
        let kp = sig::EcdsaKeyPair::generate(alg).unwrap();
        let s = kp.sign(&rng, msg).unwrap();
        check_parity(scheme, kp.public_key().as_ref(), msg, s.as_ref());
    }
    let kp = sig::Ed25519KeyPair::generate().unwrap();
    let s = kp.sign(msg);
    check_parity(
        SignatureScheme::Ed25519,
        kp.public_key().as_ref(),
        msg,
        s.as_ref(),
    );
}

// Intent: a P-256 key in compressed SEC1 form verifies the same through both providers.
#[test]
fn compressed_point_parity() {
    let rng = SystemRandom::new();
    let msg = b"header.payload";
    let kp = sig::EcdsaKeyPair::generate(&sig::ECDSA_P256_SHA256_FIXED_SIGNING).unwrap();
    let s = kp.sign(&rng, msg).unwrap();
    let uncompressed = kp.public_key().as_ref();
    let (x, y) = uncompressed.get(1..).unwrap().split_at(32);
    let mut compressed = vec![0x02 | (y.last().unwrap() & 1)];
    compressed.extend_from_slice(x);
    check_parity(
        SignatureScheme::EcdsaP256Sha256,
        &compressed,
        msg,
        s.as_ref(),
    );
}

// Intent: RSA PKCS#1 v1.5 and PSS verdicts agree (core's test-only RSA-2048 key).
#[test]
fn rsa_parity() {
    let pem = include_str!("../../core/tests/data/rsa2048-test-key.pem");
    let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = Base64::decode_vec(&b64).unwrap();
    let kp = sig::RsaKeyPair::from_pkcs8(&der).unwrap();
    let rng = SystemRandom::new();
    let msg = b"header.payload";
    for (pad, scheme) in [
        (
            &sig::RSA_PKCS1_SHA256 as &dyn sig::RsaEncoding,
            SignatureScheme::RsaPkcs1Sha256,
        ),
        (&sig::RSA_PKCS1_SHA384, SignatureScheme::RsaPkcs1Sha384),
        (&sig::RSA_PKCS1_SHA512, SignatureScheme::RsaPkcs1Sha512),
        (&sig::RSA_PSS_SHA256, SignatureScheme::RsaPssSha256),
        (&sig::RSA_PSS_SHA384, SignatureScheme::RsaPssSha384),
        (&sig::RSA_PSS_SHA512, SignatureScheme::RsaPssSha512),
    ] {
        let mut s = vec![0; kp.public_modulus_len()];
        kp.sign(pad, &rng, msg, &mut s).unwrap();
        check_parity(scheme, kp.public_key().as_ref(), msg, &s);
    }
}

// Intent: a key for one scheme is refused under another by both providers.
#[test]
fn wrong_scheme_rejected() {
    let kp = sig::Ed25519KeyPair::generate().unwrap();
    let s = kp.sign(b"m");
    for p in [&AwsLcRs as &dyn CryptoProvider, &RustCrypto] {
        assert_eq!(
            p.verify(
                SignatureScheme::EcdsaP256Sha256,
                kp.public_key().as_ref(),
                b"m",
                s.as_ref()
            ),
            Err(InvalidSignature)
        );
    }
}

fn params(cn: &str, ca: bool) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(2030, 1, 1);
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    } else {
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    }
    p
}

// Intent: path validation through aws-lc-rs accepts a good P-256/P-384 chain and reports the
// same error as RustCrypto when the leaf was signed by a different intermediate key.
#[test]
fn chain_verdicts_match() {
    let now = UnixTime::since_unix_epoch(Duration::from_secs(1_767_225_600));
    let root_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
    let root_params = params("Parity Root", true);
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, root_key);
    let ica_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let ica_params = params("Parity Intermediate", true);
    let ica = ica_params.signed_by(&ica_key, &root_issuer).unwrap();
    let leaf_key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf = params("parity client", false)
        .signed_by(&leaf_key, &Issuer::new(ica_params.clone(), ica_key))
        .unwrap();
    // Same issuer name, another key: the leaf's signature no longer verifies.
    let forged = params("parity client", false)
        .signed_by(
            &leaf_key,
            &Issuer::new(
                ica_params,
                KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
            ),
        )
        .unwrap();

    let trust =
        TrustStore::from_certificates(&[Certificate::from_der(root.der()).unwrap()]).unwrap();
    let inter = [Certificate::from_der(ica.der()).unwrap()];
    let options = VerifyOptions::default();
    let leaf = Certificate::from_der(leaf.der()).unwrap();
    let forged = Certificate::from_der(forged.der()).unwrap();

    let fast =
        path::verify_chain_with_provider(&trust, &leaf, &inter, now, &options, &AwsLcRs).unwrap();
    let slow = path::verify_chain(&trust, &leaf, &inter, now, &options).unwrap();
    assert_eq!(fast.chain(), slow.chain());
    assert_eq!(fast.chain().len(), 3);

    let fast = path::verify_chain_with_provider(&trust, &forged, &inter, now, &options, &AwsLcRs)
        .unwrap_err();
    let slow = path::verify_chain(&trust, &forged, &inter, now, &options).unwrap_err();
    assert_eq!(fast.to_string(), slow.to_string());
    assert!(fast.to_string().contains("signature"), "{fast}");
}
