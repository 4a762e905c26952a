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
//!
//! Parsed keys are cached per process (at most [`MAX_CACHED_KEYS`]), as WebCrypto keys are in
//! the worker and as npm `jose` does: the same few issuer and CA keys verify every request.
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use aws_lc_rs::signature::{self as sig, ParsedPublicKey, VerificationAlgorithm};
use certbound_core::provider::{CryptoProvider, InvalidSignature, RustCrypto, SignatureScheme};

/// Most parsed public keys kept per process; the cache is emptied when full, so keys from
/// attacker-chosen certificates can cost a re-parse, never memory. A JWKS and a trust store
/// hold a handful of keys, so legitimate traffic never thrashes it.
pub const MAX_CACHED_KEYS: usize = 64;

/// Parsed keys by scheme and encoded key: parsing (point decoding and validation, RSA modulus
/// import) is a tenth of an ES256 verification, and the same few keys verify every token.
type KeyCache = HashMap<SignatureScheme, HashMap<Vec<u8>, Arc<ParsedPublicKey>>>;
static KEYS: LazyLock<Mutex<KeyCache>> = LazyLock::new(Mutex::default);

/// The parsed `public_key` for `alg`, from the cache or parsed now; `None` when aws-lc-rs
/// refuses the key.
fn parsed(
    scheme: SignatureScheme,
    alg: &'static dyn VerificationAlgorithm,
    public_key: &[u8],
) -> Option<Arc<ParsedPublicKey>> {
    // A poisoned lock only means another thread panicked mid-insert: the map is still sound.
    let cached = KEYS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&scheme)
        .and_then(|keys| keys.get(public_key))
        .cloned();
    if cached.is_some() {
        return cached;
    }
    // Parsed outside the lock.
    let key = Arc::new(ParsedPublicKey::new(alg, public_key).ok()?);
    let mut keys = KEYS.lock().unwrap_or_else(PoisonError::into_inner);
    if keys.values().map(HashMap::len).sum::<usize>() >= MAX_CACHED_KEYS {
        keys.clear();
    }
    keys.entry(scheme)
        .or_default()
        .insert(public_key.to_vec(), Arc::clone(&key));
    Some(key)
}

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
        parsed(scheme, alg, public_key)
            .ok_or(InvalidSignature)?
            .verify_sig(message, signature)
            .map_err(|_| InvalidSignature)
    }
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};

    use super::*;

    fn signer() -> EcdsaKeyPair {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref()).unwrap()
    }

    // Intent: the parsed-key cache changes no verdict: a cached key still refuses a wrong
    // signature, is not reused for another scheme, and more keys than the cache holds (so
    // clearing it) verify as before.
    #[test]
    fn key_cache_keeps_verdicts() {
        let rng = SystemRandom::new();
        let keys: Vec<EcdsaKeyPair> = (0..MAX_CACHED_KEYS + 8).map(|_| signer()).collect();
        for round in 0..3 {
            for (i, key) in keys.iter().enumerate() {
                let message = format!("message {i} {round}");
                let sig = key.sign(&rng, message.as_bytes()).unwrap();
                let public = key.public_key().as_ref();
                let scheme = SignatureScheme::EcdsaP256Sha256;
                assert_eq!(
                    AwsLcRs.verify(scheme, public, message.as_bytes(), sig.as_ref()),
                    Ok(())
                );
                assert_eq!(
                    AwsLcRs.verify(scheme, public, b"another message", sig.as_ref()),
                    Err(InvalidSignature)
                );
                let other = keys[(i + 1) % keys.len()].public_key().as_ref();
                assert_eq!(
                    AwsLcRs.verify(scheme, other, message.as_bytes(), sig.as_ref()),
                    Err(InvalidSignature)
                );
                // The same bytes under P-384 are not a P-384 key.
                assert_eq!(
                    AwsLcRs.verify(
                        SignatureScheme::EcdsaP384Sha384,
                        public,
                        message.as_bytes(),
                        sig.as_ref()
                    ),
                    Err(InvalidSignature)
                );
            }
        }
        let cached: usize = KEYS.lock().unwrap().values().map(HashMap::len).sum();
        assert!(cached <= MAX_CACHED_KEYS);
    }
}
