//! A [`CryptoProvider`] over `ring` (already linked for rustls): the native server's fast path
//! for token signatures. Core decides what is verified; this only answers "is it valid".
//!
//! Encodings are core's (SEC1 points, PKCS#1 `RSAPublicKey`, raw Ed25519, fixed `r ‖ s`), which
//! are ring's too, with one exception: ring does not take compressed SEC1 points, so those go
//! to [`RustCrypto`], as do the mixed-curve ECDSA schemes ring lacks. RSA moduli are bounded by ring's `2048_8192` algorithms, the same bounds as
//! core's `RSA_MIN_BITS` / `RSA_MAX_BITS`.

use certbound_core::provider::{CryptoProvider, InvalidSignature, RustCrypto, SignatureScheme};
use ring::signature::{self as sig, UnparsedPublicKey, VerificationAlgorithm};

/// Signature verification with ring.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Ring;

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

impl CryptoProvider for Ring {
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
        // Schemes ring lacks in fixed-signature form (P-256/SHA-384, P-384/SHA-256: X.509 only)
        // and any scheme added to core later are verified by core's default.
        let Some(alg) = algorithm(scheme) else {
            return RustCrypto.verify(scheme, public_key, message, signature);
        };
        UnparsedPublicKey::new(alg, public_key)
            .verify(message, signature)
            .map_err(|_| InvalidSignature)
    }
}

#[cfg(test)]
mod tests {
    use ring::rand::SystemRandom;
    use ring::signature::KeyPair as _;

    use super::*;

    fn check_parity(scheme: SignatureScheme, public: &[u8], msg: &[u8], good: &[u8]) {
        assert_eq!(Ring.verify(scheme, public, msg, good), Ok(()), "{scheme:?}");
        assert_eq!(
            RustCrypto.verify(scheme, public, msg, good),
            Ok(()),
            "{scheme:?}"
        );
        let mut bad = good.to_vec();
        if let Some(b) = bad.last_mut() {
            *b ^= 1;
        }
        assert_eq!(
            Ring.verify(scheme, public, msg, &bad),
            Err(InvalidSignature)
        );
        assert_eq!(
            RustCrypto.verify(scheme, public, msg, &bad),
            Err(InvalidSignature)
        );
        assert_eq!(
            Ring.verify(scheme, public, b"other", good),
            Err(InvalidSignature)
        );
    }

    // Intent: ring and RustCrypto agree on valid and tampered ECDSA and Ed25519 signatures.
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
            let pkcs8 = sig::EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
            let kp = sig::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng).unwrap();
            let s = kp.sign(&rng, msg).unwrap();
            check_parity(scheme, kp.public_key().as_ref(), msg, s.as_ref());
        }
        let pkcs8 = sig::Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let kp = sig::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let s = kp.sign(msg);
        check_parity(
            SignatureScheme::Ed25519,
            kp.public_key().as_ref(),
            msg,
            s.as_ref(),
        );
    }

    // Intent: RSA PKCS#1 v1.5 and PSS agree too (core's test-only RSA-2048 key).
    #[test]
    fn rsa_parity() {
        use rustls::pki_types::PrivateKeyDer;
        use rustls::pki_types::pem::PemObject as _;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../core/tests/data/rsa2048-test-key.pem"
        );
        let der = PrivateKeyDer::from_pem_file(path).unwrap();
        let kp = sig::RsaKeyPair::from_pkcs8(der.secret_der()).unwrap();
        let rng = SystemRandom::new();
        let msg = b"header.payload";
        for (pad, scheme) in [
            (
                &sig::RSA_PKCS1_SHA256 as &dyn sig::RsaEncoding,
                SignatureScheme::RsaPkcs1Sha256,
            ),
            (&sig::RSA_PSS_SHA256, SignatureScheme::RsaPssSha256),
        ] {
            let mut s = vec![0; kp.public().modulus_len()];
            kp.sign(pad, &rng, msg, &mut s).unwrap();
            check_parity(scheme, kp.public_key().as_ref(), msg, &s);
        }
    }
}
