//! The cryptographic seam: signature verification primitives, chosen by the adapter.
//!
//! Core decides *what* must be verified (which algorithm, which key, which bytes); a
//! [`CryptoProvider`] only answers "is this signature valid". The default, [`RustCrypto`], is
//! pure Rust and builds for every target; the native server may plug in a faster one, and the
//! worker and page one over WebCrypto (asynchronous: see the token validator's begin/finish API).
//!
//! Digests are deliberately *not* behind the seam: SHA-256 over a certificate costs ≈0.5 µs
//! natively and ≈2.4 µs in wasm with `sha2`, while an awaited WebCrypto digest costs 34–40 µs,
//! so there is nothing to gain from making it pluggable.
//!
//! Key and signature encodings are the ones both X.509 and WebCrypto speak:
//!
//! | family | public key bytes | signature bytes |
//! |---|---|---|
//! | ECDSA | SEC1 point (uncompressed, as in a certificate's SPKI) | fixed `r ‖ s` (IEEE P1363, as in JWS) |
//! | RSA | PKCS#1 `RSAPublicKey` DER (as in a certificate's SPKI) | big-endian, modulus length |
//! | Ed25519 | 32 raw bytes | 64 raw bytes |

use alloc::vec::Vec;
use core::fmt;

use crate::Error;

/// A signature scheme certbound verifies.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// ECDSA over P-256 with SHA-256 (JWS `ES256`).
    EcdsaP256Sha256,
    /// ECDSA over P-256 with SHA-384 (X.509 only).
    EcdsaP256Sha384,
    /// ECDSA over P-384 with SHA-256 (X.509 only).
    EcdsaP384Sha256,
    /// ECDSA over P-384 with SHA-384 (JWS `ES384`).
    EcdsaP384Sha384,
    /// Ed25519 (JWS `EdDSA` with `crv: Ed25519`).
    Ed25519,
    /// RSASSA-PKCS1-v1_5 with SHA-256 (JWS `RS256`).
    RsaPkcs1Sha256,
    /// RSASSA-PKCS1-v1_5 with SHA-384 (JWS `RS384`).
    RsaPkcs1Sha384,
    /// RSASSA-PKCS1-v1_5 with SHA-512 (JWS `RS512`).
    RsaPkcs1Sha512,
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, 32-byte salt (JWS `PS256`).
    RsaPssSha256,
    /// RSASSA-PSS with SHA-384, MGF1-SHA-384, 48-byte salt (JWS `PS384`).
    RsaPssSha384,
    /// RSASSA-PSS with SHA-512, MGF1-SHA-512, 64-byte salt (JWS `PS512`).
    RsaPssSha512,
}

/// Smallest RSA modulus accepted, in bits.
pub const RSA_MIN_BITS: usize = 2048;
/// Largest RSA modulus accepted, in bits: bounds the work an attacker-chosen key can cause, and
/// matches what rustls (ring / aws-lc-rs) accepts in the handshake.
pub const RSA_MAX_BITS: usize = 8192;

/// The signature did not verify (or the key was unusable for the scheme).
///
/// Deliberately carries no detail: a verifier must not tell an attacker *why*.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidSignature;

impl fmt::Display for InvalidSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("signature verification failed")
    }
}

/// Signature verification, supplied by the adapter.
pub trait CryptoProvider: Send + Sync + fmt::Debug {
    /// Verifies `signature` over `message` with `public_key` under `scheme` (encodings in the
    /// module docs).
    ///
    /// # Errors
    /// [`InvalidSignature`] when the signature is wrong or the key unusable for the scheme.
    fn verify(
        &self,
        scheme: SignatureScheme,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature>;
}

/// Pure-Rust verification with RustCrypto (`p256`, `p384`, `rsa`, `ed25519-dalek`).
#[derive(Debug, Clone, Copy, Default)]
pub struct RustCrypto;

impl CryptoProvider for RustCrypto {
    fn verify(
        &self,
        scheme: SignatureScheme,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        use SignatureScheme as S;
        use signature::Verifier;
        match scheme {
            S::EcdsaP256Sha256 => {
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let sig =
                    p256::ecdsa::Signature::from_slice(signature).map_err(|_| InvalidSignature)?;
                key.verify(message, &sig).map_err(|_| InvalidSignature)
            }
            S::EcdsaP256Sha384 => {
                use signature::hazmat::PrehashVerifier;
                let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let sig =
                    p256::ecdsa::Signature::from_slice(signature).map_err(|_| InvalidSignature)?;
                let digest = <sha2::Sha384 as sha2::Digest>::digest(message);
                key.verify_prehash(&digest, &sig)
                    .map_err(|_| InvalidSignature)
            }
            S::EcdsaP384Sha384 => {
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let sig =
                    p384::ecdsa::Signature::from_slice(signature).map_err(|_| InvalidSignature)?;
                key.verify(message, &sig).map_err(|_| InvalidSignature)
            }
            S::EcdsaP384Sha256 => {
                use signature::hazmat::PrehashVerifier;
                let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(public_key)
                    .map_err(|_| InvalidSignature)?;
                let sig =
                    p384::ecdsa::Signature::from_slice(signature).map_err(|_| InvalidSignature)?;
                let digest = <sha2::Sha256 as sha2::Digest>::digest(message);
                key.verify_prehash(&digest, &sig)
                    .map_err(|_| InvalidSignature)
            }
            S::Ed25519 => {
                let key: [u8; 32] = public_key.try_into().map_err(|_| InvalidSignature)?;
                let key =
                    ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| InvalidSignature)?;
                let sig = ed25519_dalek::Signature::from_slice(signature)
                    .map_err(|_| InvalidSignature)?;
                key.verify_strict(message, &sig)
                    .map_err(|_| InvalidSignature)
            }
            S::RsaPkcs1Sha256 => rsa_pkcs1::<sha2::Sha256>(public_key, message, signature),
            S::RsaPkcs1Sha384 => rsa_pkcs1::<sha2::Sha384>(public_key, message, signature),
            S::RsaPkcs1Sha512 => rsa_pkcs1::<sha2::Sha512>(public_key, message, signature),
            S::RsaPssSha256 => rsa_pss::<sha2::Sha256>(public_key, message, signature),
            S::RsaPssSha384 => rsa_pss::<sha2::Sha384>(public_key, message, signature),
            S::RsaPssSha512 => rsa_pss::<sha2::Sha512>(public_key, message, signature),
        }
    }
}

/// The modulus length in bits of a PKCS#1 `RSAPublicKey`, if it parses.
pub(crate) fn rsa_modulus_bits(pkcs1_der: &[u8]) -> Option<usize> {
    use rsa::pkcs1::der::Decode;
    let key = rsa::pkcs1::RsaPublicKey::from_der(pkcs1_der).ok()?;
    let m = key.modulus.as_bytes();
    let lead = m.first().map_or(0, |b| 8 - b.leading_zeros() as usize);
    Some(m.len().saturating_sub(1) * 8 + lead)
}

/// Is this PKCS#1 `RSAPublicKey` within [`RSA_MIN_BITS`]..=[`RSA_MAX_BITS`]? Core asks before
/// any provider sees an RSA key in a certificate, so the bounds hold whatever the provider (WebCrypto
/// would accept 1024 bits).
pub(crate) fn rsa_size_accepted(pkcs1_der: &[u8]) -> bool {
    rsa_modulus_bits(pkcs1_der).is_some_and(|bits| (RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits))
}

/// Parses a PKCS#1 `RSAPublicKey`, enforcing [`RSA_MIN_BITS`]..=[`RSA_MAX_BITS`].
pub(crate) fn rsa_public_key(pkcs1_der: &[u8]) -> Result<rsa::RsaPublicKey, InvalidSignature> {
    use rsa::pkcs1::der::Decode;
    use rsa::traits::PublicKeyParts;
    let parsed = rsa::pkcs1::RsaPublicKey::from_der(pkcs1_der).map_err(|_| InvalidSignature)?;
    let n = rsa::BigUint::from_bytes_be(parsed.modulus.as_bytes());
    let e = rsa::BigUint::from_bytes_be(parsed.public_exponent.as_bytes());
    let key =
        rsa::RsaPublicKey::new_with_max_size(n, e, RSA_MAX_BITS).map_err(|_| InvalidSignature)?;
    let bits = key.n().bits();
    if !(RSA_MIN_BITS..=RSA_MAX_BITS).contains(&bits) {
        return Err(InvalidSignature);
    }
    Ok(key)
}

fn rsa_pkcs1<D>(public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature>
where
    D: sha2::Digest + rsa::pkcs8::AssociatedOid,
{
    use signature::Verifier;
    let key = rsa::pkcs1v15::VerifyingKey::<D>::new(rsa_public_key(public_key)?);
    let sig = rsa::pkcs1v15::Signature::try_from(signature).map_err(|_| InvalidSignature)?;
    key.verify(message, &sig).map_err(|_| InvalidSignature)
}

fn rsa_pss<D>(public_key: &[u8], message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature>
where
    D: sha2::Digest + sha2::digest::FixedOutputReset,
{
    use signature::Verifier;
    // Salt length equal to the digest length, as JWS (RFC 7518 §3.5) and TLS require.
    let key = rsa::pss::VerifyingKey::<D>::new(rsa_public_key(public_key)?);
    let sig = rsa::pss::Signature::try_from(signature).map_err(|_| InvalidSignature)?;
    key.verify(message, &sig).map_err(|_| InvalidSignature)
}

/// One signature core needs verified: the arguments of [`CryptoProvider::verify`], owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureCheck {
    /// The scheme.
    pub scheme: SignatureScheme,
    /// The public key, encoded as in the module docs.
    pub public_key: Vec<u8>,
    /// The signed bytes.
    pub message: Vec<u8>,
    /// The signature, encoded as in the module docs (ECDSA already `r ‖ s`).
    pub signature: Vec<u8>,
}

impl SignatureCheck {
    fn is(
        &self,
        scheme: SignatureScheme,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> bool {
        self.scheme == scheme
            && self.public_key == public_key
            && self.signature == signature
            && self.message == message
    }
}

/// What one [`Deferred::run`] produced.
#[derive(Debug)]
pub enum Step<T> {
    /// Every signature the decision asked about had an answer: this is the decision.
    Ready(T),
    /// These signatures had no answer yet: verify each, [`Deferred::answer`] it, and run again.
    Pending(Vec<SignatureCheck>),
}

/// Signature verification in rounds, for a provider that cannot answer synchronously
/// (WebCrypto's `crypto.subtle.verify` returns a promise).
///
/// Core's chain validation and client authentication ask their provider synchronously, deep
/// inside path building. [`Deferred`] lets them run unchanged: it answers from the verdicts
/// given so far, records every signature it has no verdict for and (only for those) answers
/// "valid", so path building goes on and reveals the other signatures the same decision needs.
/// A run that recorded anything is thrown away; the adapter verifies the recorded signatures
/// (asynchronously, with any provider) and runs the decision again. A run that recorded nothing
/// used real verdicts only, so its result is exactly what a synchronous provider giving the
/// same verdicts would have produced: the verdict does not depend on the provider's shape.
///
/// A valid chain takes two runs. Each further run adds at least one new verdict, and at most
/// [`Deferred::MAX_CHECKS`] distinct signatures are verified per decision.
///
/// ```
/// # use certbound_core::provider::{CryptoProvider, Deferred, RustCrypto, Step};
/// # fn decide(p: &dyn CryptoProvider) -> bool { true }
/// # fn main() -> Result<(), certbound_core::Error> {
/// let mut deferred = Deferred::new();
/// let verdict = loop {
///     match deferred.run(decide)? {
///         Step::Ready(verdict) => break verdict,
///         Step::Pending(checks) => {
///             for check in checks {
///                 // In a worker: `certbound_provider_webcrypto::verify(..).await`.
///                 let valid = RustCrypto
///                     .verify(check.scheme, &check.public_key, &check.message, &check.signature)
///                     .is_ok();
///                 deferred.answer(check, valid);
///             }
///         }
///     }
/// };
/// # let _ = verdict; Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct Deferred {
    answers: Vec<(SignatureCheck, bool)>,
    asked: spin::Mutex<Vec<SignatureCheck>>,
}

impl Deferred {
    /// Most distinct signatures verified for one decision. rustls-webpki itself stops path
    /// building after 100 signature checks, so a legitimate chain never gets near it.
    pub const MAX_CHECKS: usize = 256;

    /// No verdicts yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs `decide` with this provider.
    ///
    /// # Errors
    /// [`Error::TooManySignatures`] when the decision has asked about more than
    /// [`Deferred::MAX_CHECKS`] distinct signatures in all.
    pub fn run<T>(
        &mut self,
        decide: impl FnOnce(&dyn CryptoProvider) -> T,
    ) -> Result<Step<T>, Error> {
        let result = decide(&*self);
        let asked = core::mem::take(self.asked.get_mut());
        if asked.is_empty() {
            return Ok(Step::Ready(result));
        }
        if self.answers.len() + asked.len() > Self::MAX_CHECKS {
            return Err(Error::TooManySignatures {
                limit: Self::MAX_CHECKS,
            });
        }
        Ok(Step::Pending(asked))
    }

    /// Records the verdict on `check`, for the next [`Deferred::run`].
    pub fn answer(&mut self, check: SignatureCheck, valid: bool) {
        self.answers.push((check, valid));
    }
}

impl CryptoProvider for Deferred {
    fn verify(
        &self,
        scheme: SignatureScheme,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        if let Some((_, valid)) = self
            .answers
            .iter()
            .find(|(c, _)| c.is(scheme, public_key, message, signature))
        {
            return if *valid {
                Ok(())
            } else {
                Err(InvalidSignature)
            };
        }
        let mut asked = self.asked.lock();
        if !asked
            .iter()
            .any(|c| c.is(scheme, public_key, message, signature))
        {
            asked.push(SignatureCheck {
                scheme,
                public_key: public_key.to_vec(),
                message: message.to_vec(),
                signature: signature.to_vec(),
            });
        }
        // Provisional: this run is discarded by `run`, and the signature verified before the next.
        Ok(())
    }
}
