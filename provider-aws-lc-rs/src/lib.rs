//! A [`CryptoProvider`] over [`aws_lc_rs`]: the fast native path for certbound's token and
//! certificate-chain signatures.
//!
//! Core decides *what* is verified (algorithm allow-list, key, bytes); this crate only answers
//! "is the signature valid", so plugging it in never changes a verdict, only its cost. Core
//! itself stays `no_std`, wasm-clean and [`RustCrypto`] by default; native adapters opt in:
//!
//! ```
//! use certbound_provider_aws_lc_rs::AwsLcRs;
//! # fn f(v: &certbound_core::token::Validator, t: &str, now: certbound_core::UnixTime) {
//! let verdict = v.validate(&AwsLcRs, t, None, now);
//! # }
//! ```
//!
//! and [`certbound_core::path::verify_chain_with_provider`] with `&AwsLcRs` for chains.
//!
//! Encodings are core's (SEC1 points, PKCS#1 `RSAPublicKey`, raw Ed25519, fixed `r ‖ s`),
//! which are aws-lc-rs's too. Compressed SEC1 points and the mixed-curve ECDSA schemes go to
//! [`RustCrypto`], so both providers accept exactly the same keys and schemes. RSA moduli are bounded by aws-lc-rs's `2048_8192` algorithms,
//! the same bounds as core's [`RSA_MIN_BITS`](certbound_core::provider::RSA_MIN_BITS) /
//! [`RSA_MAX_BITS`](certbound_core::provider::RSA_MAX_BITS).
#![forbid(unsafe_code)]

use aws_lc_rs::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};
use certbound_core::provider::{CryptoProvider, InvalidSignature, RustCrypto, SignatureScheme};

/// Signature verification with aws-lc-rs.
#[derive(Debug, Clone, Copy, Default)]
pub struct AwsLcRs;

fn algorithm(scheme: SignatureScheme) -> Option<&'static dyn VerificationAlgorithm> {
    use SignatureScheme as S;
    Some(match scheme {
        S::EcdsaP256Sha256 => &sig::ECDSA_P256_SHA256_FIXED,
        S::EcdsaP384Sha384 => &sig::ECDSA_P384_SHA384_FIXED,
        S::Ed25519 => &sig::ED25519,
        S::RsaPkcs1Sha256 => &sig::RSA_PKCS1_2048_8192_SHA256,
        S::RsaPkcs1Sha384 => &sig::RSA_PKCS1_2048_8192_SHA384,
        S::RsaPkcs1Sha512 => &sig::RSA_PKCS1_2048_8192_SHA512,
        S::RsaPssSha256 => &sig::RSA_PSS_2048_8192_SHA256,
        S::RsaPssSha384 => &sig::RSA_PSS_2048_8192_SHA384,
        S::RsaPssSha512 => &sig::RSA_PSS_2048_8192_SHA512,
        // aws-lc-rs has no fixed-signature form of the mixed-curve ECDSA schemes (P-256/SHA-384,
        // P-384/SHA-256: X.509 only); those, and any scheme added to core later, are verified
        // by core's default.
        _ => return None,
    })
}

fn is_ecdsa(scheme: SignatureScheme) -> bool {
    matches!(
        scheme,
        SignatureScheme::EcdsaP256Sha256
            | SignatureScheme::EcdsaP256Sha384
            | SignatureScheme::EcdsaP384Sha256
            | SignatureScheme::EcdsaP384Sha384
    )
}

impl CryptoProvider for AwsLcRs {
    fn verify(
        &self,
        scheme: SignatureScheme,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        if is_ecdsa(scheme) && matches!(public_key.first(), Some(0x02 | 0x03)) {
            return RustCrypto.verify(scheme, public_key, message, signature);
        }
        let Some(alg) = algorithm(scheme) else {
            return RustCrypto.verify(scheme, public_key, message, signature);
        };
        UnparsedPublicKey::new(alg, public_key)
            .verify(message, signature)
            .map_err(|_| InvalidSignature)
    }
}
