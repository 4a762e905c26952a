//! rustls-webpki [`SignatureVerificationAlgorithm`]s backed by core's [`CryptoProvider`].
//!
//! webpki decides *which* (public-key algorithm, signature algorithm) pairs it will accept by
//! comparing AlgorithmIdentifier bytes with [`rustls_pki_types::alg_id`]; each entry here names
//! one such pair and the [`SignatureScheme`] that verifies it. X.509 carries ECDSA signatures as
//! ASN.1 DER `Ecdsa-Sig-Value`, so they are converted to the fixed `r ‖ s` form the provider
//! takes; RSA and Ed25519 signatures pass through unchanged.

use core::fmt;

use rustls_pki_types::alg_id;
use rustls_pki_types::{AlgorithmIdentifier, InvalidSignature, SignatureVerificationAlgorithm};

use crate::provider::{CryptoProvider, RustCrypto, SignatureScheme, rsa_size_accepted};

/// How a signature's bytes are encoded in X.509.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SignatureEncoding {
    /// ASN.1 DER `Ecdsa-Sig-Value` over P-256: convert to 64-byte `r ‖ s`.
    EcdsaP256Der,
    /// ASN.1 DER `Ecdsa-Sig-Value` over P-384: convert to 96-byte `r ‖ s`.
    EcdsaP384Der,
    /// Passed to the provider as is.
    Raw,
}

/// One accepted (key algorithm, signature algorithm) pair.
#[derive(Clone, Copy)]
struct Entry {
    public_key: AlgorithmIdentifier,
    signature: AlgorithmIdentifier,
    scheme: SignatureScheme,
    encoding: SignatureEncoding,
}

/// The pairs certbound accepts in certificates and CRLs: ECDSA P-256/P-384 with SHA-256/384,
/// RSA PKCS#1 v1.5 and PSS with SHA-256/384/512 (2048–8192 bits, enforced by the provider),
/// Ed25519. The same set rustls accepts with its `ring` provider.
const ENTRIES: [Entry; 11] = {
    use SignatureEncoding::{EcdsaP256Der, EcdsaP384Der, Raw};
    use SignatureScheme as S;
    const fn e(
        public_key: AlgorithmIdentifier,
        signature: AlgorithmIdentifier,
        scheme: SignatureScheme,
        encoding: SignatureEncoding,
    ) -> Entry {
        Entry {
            public_key,
            signature,
            scheme,
            encoding,
        }
    }
    [
        e(
            alg_id::ECDSA_P256,
            alg_id::ECDSA_SHA256,
            S::EcdsaP256Sha256,
            EcdsaP256Der,
        ),
        e(
            alg_id::ECDSA_P256,
            alg_id::ECDSA_SHA384,
            S::EcdsaP256Sha384,
            EcdsaP256Der,
        ),
        e(
            alg_id::ECDSA_P384,
            alg_id::ECDSA_SHA256,
            S::EcdsaP384Sha256,
            EcdsaP384Der,
        ),
        e(
            alg_id::ECDSA_P384,
            alg_id::ECDSA_SHA384,
            S::EcdsaP384Sha384,
            EcdsaP384Der,
        ),
        e(alg_id::ED25519, alg_id::ED25519, S::Ed25519, Raw),
        e(
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PKCS1_SHA256,
            S::RsaPkcs1Sha256,
            Raw,
        ),
        e(
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PKCS1_SHA384,
            S::RsaPkcs1Sha384,
            Raw,
        ),
        e(
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PKCS1_SHA512,
            S::RsaPkcs1Sha512,
            Raw,
        ),
        e(
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PSS_SHA256,
            S::RsaPssSha256,
            Raw,
        ),
        e(
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PSS_SHA384,
            S::RsaPssSha384,
            Raw,
        ),
        e(
            alg_id::RSA_ENCRYPTION,
            alg_id::RSA_PSS_SHA512,
            S::RsaPssSha512,
            Raw,
        ),
    ]
};

/// One webpki algorithm verifying through a [`CryptoProvider`].
#[derive(Clone, Copy)]
pub(crate) struct ProviderAlgorithm<'a> {
    entry: Entry,
    provider: &'a dyn CryptoProvider,
}

impl fmt::Debug for ProviderAlgorithm<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "ProviderAlgorithm({:?} via {:?})",
            self.entry.scheme, self.provider
        )
    }
}

impl SignatureVerificationAlgorithm for ProviderAlgorithm<'_> {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        let scheme = self.entry.scheme;
        if self.entry.public_key == alg_id::RSA_ENCRYPTION && !rsa_size_accepted(public_key) {
            return Err(InvalidSignature);
        }
        match self.entry.encoding {
            SignatureEncoding::Raw => self.provider.verify(scheme, public_key, message, signature),
            SignatureEncoding::EcdsaP256Der => {
                let sig =
                    p256::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
                self.provider
                    .verify(scheme, public_key, message, &sig.to_bytes())
            }
            SignatureEncoding::EcdsaP384Der => {
                let sig =
                    p384::ecdsa::Signature::from_der(signature).map_err(|_| InvalidSignature)?;
                self.provider
                    .verify(scheme, public_key, message, &sig.to_bytes())
            }
        }
        .map_err(|_| InvalidSignature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.entry.public_key
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.entry.signature
    }

    fn fips(&self) -> bool {
        false
    }
}

/// Number of algorithm pairs in [`Algorithms`].
pub(crate) const COUNT: usize = ENTRIES.len();

/// The full set, bound to one provider; built on the stack per verification (no allocation).
pub(crate) struct Algorithms<'a> {
    algs: [ProviderAlgorithm<'a>; COUNT],
}

impl<'a> Algorithms<'a> {
    pub(crate) fn new(provider: &'a dyn CryptoProvider) -> Self {
        Self {
            algs: ENTRIES.map(|entry| ProviderAlgorithm { entry, provider }),
        }
    }

    /// The algorithms as webpki takes them.
    pub(crate) fn as_dyn(&self) -> [&dyn SignatureVerificationAlgorithm; COUNT] {
        self.algs
            .each_ref()
            .map(|a| a as &dyn SignatureVerificationAlgorithm)
    }

    /// The algorithm for a (key, signature) AlgorithmIdentifier pair (contents, no outer
    /// SEQUENCE), if supported.
    pub(crate) fn find(
        &self,
        public_key: &[u8],
        signature: &[u8],
    ) -> Option<&ProviderAlgorithm<'a>> {
        self.algs.iter().find(|a| {
            a.entry.public_key.as_ref() == public_key && a.entry.signature.as_ref() == signature
        })
    }

    /// Is the signature AlgorithmIdentifier (contents) one certbound accepts with any key?
    pub(crate) fn supports_signature(&self, signature: &[u8]) -> bool {
        self.algs
            .iter()
            .any(|a| a.entry.signature.as_ref() == signature)
    }
}

/// The set bound to [`RustCrypto`], for `'static` use (rustls verifiers, tests).
static RUSTCRYPTO_ALGORITHMS: [ProviderAlgorithm<'static>; COUNT] = {
    let mut out = [ProviderAlgorithm {
        entry: ENTRIES[0],
        provider: &RustCrypto,
    }; COUNT];
    let mut i = 0;
    while i < COUNT {
        out[i].entry = ENTRIES[i];
        i += 1;
    }
    out
};

/// [`RUSTCRYPTO_ALGORITHMS`] as webpki / rustls take them.
pub(crate) static RUSTCRYPTO: [&dyn SignatureVerificationAlgorithm; COUNT] = [
    &RUSTCRYPTO_ALGORITHMS[0],
    &RUSTCRYPTO_ALGORITHMS[1],
    &RUSTCRYPTO_ALGORITHMS[2],
    &RUSTCRYPTO_ALGORITHMS[3],
    &RUSTCRYPTO_ALGORITHMS[4],
    &RUSTCRYPTO_ALGORITHMS[5],
    &RUSTCRYPTO_ALGORITHMS[6],
    &RUSTCRYPTO_ALGORITHMS[7],
    &RUSTCRYPTO_ALGORITHMS[8],
    &RUSTCRYPTO_ALGORITHMS[9],
    &RUSTCRYPTO_ALGORITHMS[10],
];

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: X.509's DER ECDSA signatures are converted for the provider; r‖s is refused here.
    #[test]
    fn ecdsa_der_conversion() {
        use p256::ecdsa::signature::Signer;
        let key = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let public = key.verifying_key().to_encoded_point(false);
        let sig: p256::ecdsa::Signature = key.sign(b"tbsCertificate");
        let algs = Algorithms::new(&RustCrypto);
        let alg = algs
            .find(alg_id::ECDSA_P256.as_ref(), alg_id::ECDSA_SHA256.as_ref())
            .unwrap();
        let der = sig.to_der();
        assert!(
            alg.verify_signature(public.as_bytes(), b"tbsCertificate", der.as_bytes())
                .is_ok()
        );
        assert!(
            alg.verify_signature(public.as_bytes(), b"tbsCertificatf", der.as_bytes())
                .is_err()
        );
        assert!(
            alg.verify_signature(public.as_bytes(), b"tbsCertificate", &sig.to_bytes())
                .is_err()
        );
    }

    // Intent: every accepted pair is findable by its AlgorithmIdentifiers, and nothing else is.
    #[test]
    fn lookup_by_algorithm_identifiers() {
        let algs = Algorithms::new(&RustCrypto);
        for e in ENTRIES {
            let a = algs
                .find(e.public_key.as_ref(), e.signature.as_ref())
                .unwrap();
            assert_eq!(a.entry.scheme, e.scheme);
        }
        assert!(
            algs.find(
                alg_id::ECDSA_P256.as_ref(),
                alg_id::RSA_PKCS1_SHA256.as_ref()
            )
            .is_none()
        );
        assert!(!algs.supports_signature(alg_id::ED448.as_ref()));
        assert_eq!(RUSTCRYPTO.len(), COUNT);
    }
}
