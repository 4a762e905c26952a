//! Fixtures and invariant checks shared by certbound's fuzz targets (and `examples/seedgen.rs`).
//!
//! Fixtures come from the shared RFC examples, read in place at build time (never copied into
//! the repository), or are derived from fixed private-key bytes, so every run sees the same
//! trust store, certificates and keys.

// A fuzz harness asserts: a panic here is a finding, by design.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::sync::OnceLock;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use certbound_core::client::dn::{self, RegisteredDn};
use certbound_core::oauth::BearerError;
use certbound_core::path::TrustStore;
use certbound_core::token::{Algorithm, JwkSet, Validator};
use certbound_core::{Certificate, Error, UnixTime, pem};
use p256::ecdsa::signature::Signer as _;
use sha2::{Digest, Sha256};

macro_rules! rfc_example {
    ($name:literal) => {
        include_bytes!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/conformance/rfc-examples/",
            $name
        ))
    };
}

/// RFC 9440 Appendix A leaf (`CN=BC`), PEM.
pub const RFC9440_LEAF_PEM: &[u8] = rfc_example!("c00");
/// RFC 9440 Appendix A intermediate (`CN=LA Intermediate CA`), PEM.
pub const RFC9440_INTERMEDIATE_PEM: &[u8] = rfc_example!("c01");
/// RFC 9440 Appendix A root, PEM: the fuzz targets' one trust anchor.
pub const RFC9440_ROOT_PEM: &[u8] = rfc_example!("c02");
/// RFC 8705 Appendix A self-signed certificate, PEM.
pub const RFC8705_PEM: &[u8] = rfc_example!("rfc8705_appA.pem");

/// A time inside the RFC 9440 leaf's validity (2020-05-20T00:00:00Z, as in the RFC's note).
pub const RFC9440_NOW: u64 = 1_590_000_000;
/// A time inside the RFC 8705 certificate's validity (2020-01-01T00:00:00Z).
pub const RFC8705_NOW: u64 = 1_577_836_800;
/// The token targets' clock.
pub const TOKEN_NOW: u64 = 1_700_000_000;
/// Issuer the token validator expects.
pub const ISSUER: &str = "https://as.example";
/// Audience the token validator expects.
pub const AUDIENCE: &str = "https://rs.example";
/// ES256 signing key (P-256 scalar): key id `es`.
pub const ES256_SCALAR: [u8; 32] = [0x11; 32];
/// Ed25519 signing key seed: key id `ed`.
pub const ED25519_SEED: [u8; 32] = [0x22; 32];

/// The fixed certificates, parsed once.
pub struct Fixtures {
    /// RFC 9440 leaf, intermediate, root.
    pub rfc9440: [Certificate; 3],
    /// RFC 8705 Appendix A.
    pub rfc8705: Certificate,
    /// Trust store holding only the RFC 9440 root.
    pub trust: TrustStore,
}

/// The fixed certificates and trust store.
pub fn fixtures() -> &'static Fixtures {
    static F: OnceLock<Fixtures> = OnceLock::new();
    F.get_or_init(|| {
        let p = |pem: &[u8]| Certificate::from_pem(pem).unwrap();
        let root = p(RFC9440_ROOT_PEM);
        Fixtures {
            rfc9440: [
                p(RFC9440_LEAF_PEM),
                p(RFC9440_INTERMEDIATE_PEM),
                root.clone(),
            ],
            rfc8705: p(RFC8705_PEM),
            trust: TrustStore::from_certificates(&[root]).unwrap(),
        }
    })
}

/// `secs` after the UNIX epoch.
pub fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

/// Base64url without padding.
pub fn b64url(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// The ES256 signing key.
pub fn es256_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_slice(&ES256_SCALAR).unwrap()
}

/// The Ed25519 signing key.
pub fn ed25519_key() -> ed25519_dalek::SigningKey {
    ed25519_dalek::SigningKey::from_bytes(&ED25519_SEED)
}

/// The public JWKS of both signing keys (`es`: ES256, `ed`: EdDSA).
pub fn jwks_json() -> String {
    let es = es256_key();
    let point = es.verifying_key().to_encoded_point(false);
    let ed = ed25519_key();
    serde_json::json!({ "keys": [
        {
            "kty": "EC", "crv": "P-256", "kid": "es", "alg": "ES256", "use": "sig",
            "x": b64url(point.x().unwrap()), "y": b64url(point.y().unwrap()),
        },
        {
            "kty": "OKP", "crv": "Ed25519", "kid": "ed", "alg": "EdDSA", "use": "sig",
            "x": b64url(ed.verifying_key().as_bytes()),
        },
    ]})
    .to_string()
}

/// Signs `header.payload` (both given as JSON text) with the key `alg` names: ES256 or EdDSA.
pub fn sign(header: &[u8], payload: &[u8], ed25519: bool) -> String {
    let input = format!("{}.{}", b64url(header), b64url(payload));
    let sig = if ed25519 {
        ed25519_key().sign(input.as_bytes()).to_bytes().to_vec()
    } else {
        let sig: p256::ecdsa::Signature = es256_key().sign(input.as_bytes());
        sig.to_bytes().to_vec()
    };
    format!("{input}.{}", b64url(&sig))
}

/// The token validators: strict defaults (both algorithms allowed), and a loose one.
pub fn validators() -> &'static [Validator; 2] {
    static V: OnceLock<[Validator; 2]> = OnceLock::new();
    V.get_or_init(|| {
        let keys = || JwkSet::from_json(jwks_json().as_bytes()).unwrap();
        let algs = [Algorithm::Es256, Algorithm::EdDsa];
        [
            Validator::builder(ISSUER, AUDIENCE, keys())
                .algorithms(&algs)
                .build()
                .unwrap(),
            Validator::builder(ISSUER, AUDIENCE, keys())
                .algorithms(&algs)
                .allow_untyped()
                .allow_unbound()
                .required_scopes(["read"])
                .leeway_secs(300)
                .build()
                .unwrap(),
        ]
    })
}

/// Invariants of every certificate core accepts.
pub fn check_cert(cert: &Certificate) {
    let digest: [u8; 32] = Sha256::digest(cert.der()).into();
    assert_eq!(
        cert.x5t_s256().as_bytes(),
        &digest,
        "x5t#S256 is SHA-256(DER)"
    );
    assert_eq!(cert.sha256_hex(), base16ct::lower::encode_string(&digest));
    assert_eq!(
        certbound_core::CertThumbprint::from_x5t_s256(&cert.x5t_s256().to_string()),
        Some(cert.x5t_s256()),
        "x5t#S256 text round-trips"
    );
    let summary = cert.summary();
    serde_json::to_string(&summary).unwrap();
    let _ = (cert.spki_sha256(), cert.spki_der(), cert.extensions());
    let _ = (
        cert.is_ca(),
        cert.is_self_issued(),
        cert.basic_constraints(),
    );
    let _ = (cert.key_usage(), cert.extended_key_usage_names());
    let _ = cert.is_valid_at(at(cert.not_before()));
    // PEM round trip: what `certbound inspect` prints reads back as the same certificate.
    let again = Certificate::from_pem(pem::encode_certificate(cert.der()).as_bytes()).unwrap();
    assert_eq!(again.der(), cert.der());
    // A certificate name always matches itself as a registered DN (unless it holds a NUL or an
    // empty RDN, which `matches` refuses by design).
    for name in [cert.subject(), cert.issuer()] {
        let _ = (name.to_string(), name.common_name());
        let usable = !dn::has_nul(name) && name.rdns().iter().all(|r| !r.attributes().is_empty());
        if usable && !name.is_empty() {
            assert!(
                RegisteredDn::from_name(name).matches(name),
                "from_name({name}) does not match itself"
            );
        }
    }
}

/// Invariants of every error: `Display` and the deny answers never panic and stay valid HTTP.
pub fn check_error(error: &Error) {
    assert!(!error.to_string().is_empty());
    let _ = format!("{error:?}");
    let answer = BearerError::from_error(error);
    assert!(matches!(answer.status(), 400 | 401 | 403));
    let header = answer.www_authenticate(Some("fuzz \"realm\""));
    assert!(
        header.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "WWW-Authenticate is visible ASCII: {header:?}"
    );
}

/// Splits a fuzz input into a flag byte and the rest.
pub fn split_flags(data: &[u8]) -> Option<(u8, &[u8])> {
    data.split_first().map(|(f, rest)| (*f, rest))
}

/// Length-prefixed records: each is a big-endian `u16` length and that many bytes (fewer when
/// the input ends first); at most `max` records.
pub fn records(mut data: &[u8], max: usize) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while data.len() >= 2 && out.len() < max {
        let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
        let rest = &data[2..];
        let take = len.min(rest.len());
        out.push(&rest[..take]);
        data = &rest[take..];
    }
    out
}

/// Encodes records for [`records`] (seed generation).
pub fn encode_records(records: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in records {
        out.extend_from_slice(&u16::try_from(r.len()).unwrap().to_be_bytes());
        out.extend_from_slice(r);
    }
    out
}
