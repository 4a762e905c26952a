//! Certificate path validation: leaf + untrusted intermediates → configured trust anchors.
//!
//! Path building and the RFC 5280 checks are rustls-webpki's — the validator rustls runs in the
//! native handshake — so the native server, the edge worker and the page accept exactly the same
//! chains. Signatures are verified through core's [`CryptoProvider`] (pure RustCrypto by
//! default), so this module builds for `wasm32-unknown-unknown` without C.
//!
//! On top of webpki, certbound:
//! - names the failing certificate in every error ("intermediate 1 (CN=LA Intermediate CA):
//!   expired at 2030-01-11T21:32:30Z"): webpki's errors say *what* failed, and cheap checks on
//!   the [`Certificate`] views recover *which* certificate (see `path/diagnose.rs`);
//! - runs extra profile checks on every candidate path webpki would accept, rejecting it so that
//!   path building continues with other candidates (see `path/profile.rs`): RFC 822 (email)
//!   name constraints, which webpki does not enforce, and a few RFC 5280 profile rules.
//!
//! ## Getting started
//! ```
//! use certbound_core::path::{self, TrustStore, VerifyOptions};
//! use certbound_core::{Certificate, UnixTime};
//! # use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
//! # let ca_key = KeyPair::generate()?;
//! # let mut ca = CertificateParams::new(vec![])?;
//! # ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
//! # let ca_pem = ca.self_signed(&ca_key)?.pem();
//! # let leaf_der = CertificateParams::new(vec!["client.example".into()])?
//! #     .signed_by(&KeyPair::generate()?, &Issuer::new(ca, ca_key))?
//! #     .der()
//! #     .to_vec();
//! // Once, at startup: the anchors (and CRLs) client certificates must chain to.
//! let trust = TrustStore::from_pem(ca_pem.as_bytes())?;
//! // Per connection: the leaf, the intermediates the client sent, and the current time.
//! let leaf = Certificate::from_der(&leaf_der)?;
//! let now = UnixTime::since_unix_epoch(core::time::Duration::from_secs(1_767_225_600));
//! let verified = path::verify_chain(&trust, &leaf, &[], now, &VerifyOptions::default())?;
//! assert_eq!(verified.chain().len(), 2); // leaf, anchor
//! assert_eq!(verified.leaf(), leaf.x5t_s256());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Bounded work on hostile input
//! - at most [`MAX_INTERMEDIATES`] untrusted intermediates are considered;
//! - webpki's own budgets apply to each verification: 100 signature checks, 200,000 path
//!   building calls, 250,000 name-constraint comparisons and at most 6 intermediates in a path
//!   ([`MAX_PATH_INTERMEDIATES`]); exceeding any of them is [`PathError::TooComplex`];
//! - RSA keys are 2048–8192 bits ([`crate::provider::RSA_MAX_BITS`]).

mod algorithms;
mod diagnose;
mod profile;

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::RefCell;
use core::fmt;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{
    CertificateDer, CertificateRevocationListDer, ServerName, SignatureVerificationAlgorithm,
    TrustAnchor,
};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, OwnedCertRevocationList,
    RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy,
};

pub use self::profile::ProfileProblem;
use crate::cert::CertThumbprint;
use crate::provider::{CryptoProvider, RustCrypto};
use crate::{Certificate, Error, UnixTime, time};

/// Most untrusted intermediates accepted with one leaf. Real client chains carry one to three;
/// the cap bounds the loop-detection and issuer-matching work an attacker can cause by sending
/// many same-named certificates (webpki's path-building budget bounds the rest).
pub const MAX_INTERMEDIATES: usize = 64;

/// Longest path webpki builds: at most 6 intermediates between leaf and anchor (webpki's
/// `MAX_SUB_CA_COUNT`; documented here, enforced there).
pub const MAX_PATH_INTERMEDIATES: usize = 6;

/// Most CRLs in one trust store: CRLs are searched linearly per certificate in a path.
pub const MAX_CRLS: usize = 1000;

/// Largest CRL input accepted by [`TrustStore::with_crls`] (PEM or DER), per item: 16 MiB.
/// Bounds parsing work; a CRL of 100,000 entries is about 4 MiB.
pub const MAX_CRL_BYTES: usize = 16 * 1024 * 1024;

/// What the leaf certificate must be valid for (its extended key usage, RFC 5280 §4.2.1.12).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Purpose {
    /// TLS client authentication, `id-kp-clientAuth` (the default: this is an mTLS toolkit).
    #[default]
    ClientAuth,
    /// TLS server authentication, `id-kp-serverAuth`.
    ServerAuth,
}

impl Purpose {
    fn key_usage(self) -> webpki::KeyUsage {
        match self {
            Self::ClientAuth => webpki::KeyUsage::client_auth(),
            Self::ServerAuth => webpki::KeyUsage::server_auth(),
        }
    }

    /// The EKU OID.
    pub fn oid(self) -> const_oid::ObjectIdentifier {
        match self {
            Self::ClientAuth => const_oid::db::rfc5280::ID_KP_CLIENT_AUTH,
            Self::ServerAuth => const_oid::db::rfc5280::ID_KP_SERVER_AUTH,
        }
    }
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ClientAuth => "clientAuth",
            Self::ServerAuth => "serverAuth",
        })
    }
}

/// What to do when no CRL covers a certificate in the path.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnknownStatus {
    /// Treat the certificate as not revoked.
    Allow,
    /// Refuse the path ([`PathError::RevocationUnknown`]).
    Deny,
}

/// What to do with a CRL whose `nextUpdate` is in the past.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExpiredCrl {
    /// Use it anyway.
    Allow,
    /// Refuse the path ([`PathError::CrlExpired`]).
    Deny,
}

/// Revocation checking with CRLs. Defaults are strict: every certificate in the path (leaf and
/// intermediates) must be covered by an unexpired CRL from its issuer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RevocationPolicy {
    unknown_status: UnknownStatus,
    expired_crl: ExpiredCrl,
    leaf_only: bool,
}

impl Default for RevocationPolicy {
    fn default() -> Self {
        Self {
            unknown_status: UnknownStatus::Deny,
            expired_crl: ExpiredCrl::Deny,
            leaf_only: false,
        }
    }
}

impl RevocationPolicy {
    /// Strict policy (the default).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the unknown-status policy (default [`UnknownStatus::Deny`]).
    #[must_use]
    pub fn unknown_status(mut self, policy: UnknownStatus) -> Self {
        self.unknown_status = policy;
        self
    }

    /// Sets the expired-CRL policy (default [`ExpiredCrl::Deny`]).
    #[must_use]
    pub fn expired_crl(mut self, policy: ExpiredCrl) -> Self {
        self.expired_crl = policy;
        self
    }

    /// Checks only the leaf's revocation status, not the intermediates' (default: whole chain).
    #[must_use]
    pub fn leaf_only(mut self) -> Self {
        self.leaf_only = true;
        self
    }
}

#[derive(Debug)]
struct Anchors {
    certs: Vec<Certificate>,
    anchors: Vec<TrustAnchor<'static>>,
}

#[derive(Debug)]
struct Crls {
    crls: Vec<CertRevocationList<'static>>,
    policy: RevocationPolicy,
}

/// Trust anchors (and optionally CRLs), built once and shared: cloning is two `Arc` clones.
#[derive(Debug, Clone)]
pub struct TrustStore {
    anchors: Arc<Anchors>,
    crls: Option<Arc<Crls>>,
}

impl TrustStore {
    /// Reads trust anchors from a PEM or DER bundle.
    ///
    /// # Errors
    /// As [`crate::cert::parse_bundle`], or [`PathError::TrustAnchor`] when webpki cannot use a
    /// certificate as an anchor.
    pub fn from_pem(bundle: &[u8]) -> Result<Self, Error> {
        Self::from_certificates(&crate::cert::parse_bundle(bundle)?)
    }

    /// Uses parsed certificates as trust anchors (subject, key and name constraints are used;
    /// validity, EKU and basic constraints of anchors are not checked, as in RFC 5280 §6.1).
    ///
    /// # Errors
    /// [`PathError::NoTrustAnchors`] for an empty list, [`PathError::TrustAnchor`] when a
    /// certificate cannot be decoded as an anchor.
    pub fn from_certificates(certs: &[Certificate]) -> Result<Self, Error> {
        if certs.is_empty() {
            return Err(PathError::NoTrustAnchors.into());
        }
        let mut anchors = Vec::with_capacity(certs.len());
        for (i, cert) in certs.iter().enumerate() {
            let der = CertificateDer::from(cert.der());
            let anchor =
                webpki::anchor_from_trusted_cert(&der).map_err(|e| PathError::TrustAnchor {
                    index: i + 1,
                    subject: cert.subject().to_string(),
                    reason: diagnose::describe(&e),
                })?;
            anchors.push(anchor.to_owned());
        }
        Ok(Self {
            anchors: Arc::new(Anchors {
                certs: certs.to_vec(),
                anchors,
            }),
            crls: None,
        })
    }

    /// Enables revocation checking with these CRLs (each PEM — any number of `X509 CRL` blocks —
    /// or one DER CRL), replacing any set before.
    ///
    /// # Errors
    /// [`PathError::Crl`] naming the CRL (1-based, in input order) and what was wrong;
    /// [`PathError::TooManyCrls`].
    pub fn with_crls(mut self, crls: &[&[u8]], policy: RevocationPolicy) -> Result<Self, Error> {
        let mut parsed = Vec::new();
        for input in crls {
            if input.len() > MAX_CRL_BYTES {
                return Err(Error::TooLarge {
                    what: "CRL",
                    limit: MAX_CRL_BYTES,
                    actual: input.len(),
                });
            }
            let ders: Vec<Vec<u8>> = if crate::pem::is_pem(input) {
                let mut v = Vec::new();
                for item in CertificateRevocationListDer::pem_slice_iter(input) {
                    let der = item.map_err(|_| PathError::Crl {
                        index: parsed.len() + v.len() + 1,
                        reason: "PEM is malformed",
                    })?;
                    v.push(der.as_ref().to_vec());
                }
                if v.is_empty() {
                    return Err(PathError::Crl {
                        index: parsed.len() + 1,
                        reason: "no '-----BEGIN X509 CRL-----' block found",
                    }
                    .into());
                }
                v
            } else {
                alloc::vec![input.to_vec()]
            };
            for der in ders {
                if parsed.len() >= MAX_CRLS {
                    return Err(PathError::TooManyCrls { limit: MAX_CRLS }.into());
                }
                let index = parsed.len() + 1;
                let crl = OwnedCertRevocationList::from_der(&der).map_err(|e| PathError::Crl {
                    index,
                    reason: diagnose::describe(&e),
                })?;
                check_crl_number(&der).map_err(|reason| PathError::Crl { index, reason })?;
                parsed.push(CertRevocationList::from(crl));
            }
        }
        if parsed.is_empty() {
            return Err(PathError::Crl {
                index: 1,
                reason: "no CRL given",
            }
            .into());
        }
        self.crls = Some(Arc::new(Crls {
            crls: parsed,
            policy,
        }));
        Ok(self)
    }

    /// Number of trust anchors.
    pub fn len(&self) -> usize {
        self.anchors.certs.len()
    }

    /// Always false: a trust store has at least one anchor.
    pub fn is_empty(&self) -> bool {
        self.anchors.certs.is_empty()
    }

    /// Number of CRLs (0 when revocation checking is off).
    pub fn crl_count(&self) -> usize {
        self.crls.as_ref().map_or(0, |c| c.crls.len())
    }

    /// The anchor certificates, in configuration order.
    pub fn certificates(&self) -> &[Certificate] {
        &self.anchors.certs
    }
}

/// RFC 5280 §5.2.3: conforming CRL issuers MUST include a non-critical cRLNumber.
fn check_crl_number(der: &[u8]) -> Result<(), &'static str> {
    use der::Decode;
    const OID_CRL_NUMBER: const_oid::ObjectIdentifier =
        const_oid::ObjectIdentifier::new_unwrap("2.5.29.20");
    let crl = x509_cert::crl::CertificateList::from_der(der)
        .map_err(|_| "CRL does not parse as an RFC 5280 CertificateList")?;
    let number = crl
        .tbs_cert_list
        .crl_extensions
        .as_ref()
        .and_then(|exts| exts.iter().find(|e| e.extn_id == OID_CRL_NUMBER));
    match number {
        None => Err("CRL has no cRLNumber extension (RFC 5280 section 5.2.3 requires one)"),
        Some(e) if e.critical => Err("CRL's cRLNumber extension must not be critical"),
        Some(_) => Ok(()),
    }
}

/// Per-verification options. `Default` is strict client authentication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VerifyOptions {
    /// The EKU the leaf must carry (if it has an EKU extension at all).
    pub purpose: Purpose,
}

impl VerifyOptions {
    /// Options for `purpose`.
    pub fn new(purpose: Purpose) -> Self {
        Self { purpose }
    }
}

/// A validated path, leaf → anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPath {
    leaf: CertThumbprint,
    anchor_x5t: CertThumbprint,
    chain: Vec<CertThumbprint>,
    intermediates: Vec<usize>,
    anchor: usize,
    anchor_subject: String,
}

impl VerifiedPath {
    /// `x5t#S256` thumbprints from the leaf (first) through the intermediates to the trust
    /// anchor (last).
    pub fn chain(&self) -> &[CertThumbprint] {
        &self.chain
    }

    /// The leaf's thumbprint.
    pub fn leaf(&self) -> CertThumbprint {
        self.leaf
    }

    /// The anchor's thumbprint.
    pub fn anchor(&self) -> CertThumbprint {
        self.anchor_x5t
    }

    /// Position of the anchor in the trust store (0-based).
    pub fn anchor_index(&self) -> usize {
        self.anchor
    }

    /// The anchor's subject, RFC 4514.
    pub fn anchor_subject(&self) -> &str {
        &self.anchor_subject
    }

    /// Positions (0-based) of the intermediates used, in the slice given to [`verify_chain`],
    /// leaf side first.
    pub fn intermediate_indices(&self) -> &[usize] {
        &self.intermediates
    }
}

/// The certificate signature algorithms certbound accepts, verified with [`RustCrypto`]: ECDSA
/// P-256/P-384 with SHA-256/384 (X.509's DER signatures converted to `r ‖ s`), RSA PKCS#1 v1.5
/// and PSS with SHA-256/384/512 (2048–8192 bits), Ed25519. The same set [`verify_chain`] uses;
/// a rustls verifier can be given it so the handshake and core agree.
pub fn signature_algorithms() -> &'static [&'static dyn SignatureVerificationAlgorithm] {
    &algorithms::RUSTCRYPTO
}

/// Validates `leaf` up to an anchor of `trust` at `now`, using `intermediates` (untrusted, any
/// order) for path building, with the RustCrypto provider.
///
/// # Errors
/// [`Error::Path`] naming the failing certificate and the reason.
pub fn verify_chain(
    trust: &TrustStore,
    leaf: &Certificate,
    intermediates: &[Certificate],
    now: UnixTime,
    options: &VerifyOptions,
) -> Result<VerifiedPath, Error> {
    verify_chain_with_provider(trust, leaf, intermediates, now, options, &RustCrypto)
}

/// As [`verify_chain`], verifying signatures with `provider`.
///
/// # Errors
/// As [`verify_chain`].
pub fn verify_chain_with_provider(
    trust: &TrustStore,
    leaf: &Certificate,
    intermediates: &[Certificate],
    now: UnixTime,
    options: &VerifyOptions,
    provider: &dyn CryptoProvider,
) -> Result<VerifiedPath, Error> {
    if intermediates.len() > MAX_INTERMEDIATES {
        return Err(PathError::TooManyIntermediates {
            limit: MAX_INTERMEDIATES,
            actual: intermediates.len(),
        }
        .into());
    }
    let algs = algorithms::Algorithms::new(provider);
    let algs_dyn = algs.as_dyn();
    let leaf_der = CertificateDer::from(leaf.der());
    let ctx = diagnose::Context {
        trust,
        leaf,
        intermediates,
        now,
        purpose: options.purpose,
        algorithms: &algs,
    };
    let ee = EndEntityCert::try_from(&leaf_der).map_err(|e| ctx.explain_leaf_parse(&e))?;
    let inter_ders: Vec<CertificateDer<'_>> = intermediates
        .iter()
        .map(|c| CertificateDer::from(c.der()))
        .collect();
    let crl_refs: Vec<&CertRevocationList<'static>> = trust
        .crls
        .as_ref()
        .map(|c| c.crls.iter().collect())
        .unwrap_or_default();
    let revocation = trust.crls.as_ref().and_then(|c| {
        let builder = RevocationOptionsBuilder::new(&crl_refs).ok()?;
        let p = c.policy;
        Some(
            builder
                .with_depth(if p.leaf_only {
                    RevocationCheckDepth::EndEntity
                } else {
                    RevocationCheckDepth::Chain
                })
                .with_status_policy(match p.unknown_status {
                    UnknownStatus::Allow => UnknownStatusPolicy::Allow,
                    UnknownStatus::Deny => UnknownStatusPolicy::Deny,
                })
                .with_expiration_policy(match p.expired_crl {
                    ExpiredCrl::Allow => ExpirationPolicy::Ignore,
                    ExpiredCrl::Deny => ExpirationPolicy::Enforce,
                })
                .build(),
        )
    });

    // Extra checks on each candidate path; the first refusal is kept to explain a failure.
    let refused: RefCell<Option<PathError>> = RefCell::new(None);
    let check = |candidate: &webpki::VerifiedPath<'_>| -> Result<(), webpki::Error> {
        // Fail closed: a candidate that does not map back onto the inputs is refused.
        let checked = ctx
            .resolve(candidate)
            .ok_or(PathError::Internal {
                what: "candidate path does not map back to the inputs",
            })
            .and_then(|path| profile::check(&ctx, &path));
        match checked {
            Ok(()) => Ok(()),
            Err(e) => {
                let mut slot = refused.borrow_mut();
                if slot.is_none() {
                    *slot = Some(e);
                }
                Err(REFUSED_BY_PROFILE)
            }
        }
    };

    let result = ee.verify_for_usage(
        &algs_dyn,
        &trust.anchors.anchors,
        &inter_ders,
        now,
        options.purpose.key_usage(),
        revocation,
        Some(&check),
    );
    match result {
        Ok(path) => {
            let resolved = ctx.resolve(&path).ok_or(PathError::Internal {
                what: "verified path does not map back to the inputs",
            })?;
            Ok(resolved.into_verified(&ctx))
        }
        // A path that passed every webpki check but was refused by the profile is the closest
        // to valid: its reason is the most useful one.
        Err(e) if refused.borrow().is_some() => match refused.into_inner() {
            Some(p) => Err(p.into()),
            None => Err(ctx.explain(&e).into()),
        },
        Err(webpki::Error::NameConstraintViolation) => {
            // webpki does not implement RFC 822 name constraints: it refuses every email name
            // under one. It checks name constraints last, so this error means some path passed
            // every other check. When the issuer names admit exactly one path and its only
            // constraints are email ones, that path is the one, and the email constraints can
            // be evaluated properly.
            if let Some(path) = ctx.unique_name_path() {
                let mut all = path.nodes.clone();
                all.push(path.anchor_node());
                if profile::only_email_constraints(&all) && profile::has_email_names(&path.nodes) {
                    profile::check(&ctx, &path)?;
                    return Ok(path.into_verified(&ctx));
                }
            }
            Err(ctx.explain(&webpki::Error::NameConstraintViolation).into())
        }
        Err(e) => Err(ctx.explain(&e).into()),
    }
}

/// The webpki error the profile callback returns; its rank is low enough that any real webpki
/// error on another candidate path wins, and the stored [`PathError`] explains it.
const REFUSED_BY_PROFILE: webpki::Error = webpki::Error::UnsupportedNameType;

/// Checks that `leaf` is valid for the DNS name or IP address `name` (RFC 6125 via webpki:
/// subjectAltName only, wildcards in the left-most label).
///
/// # Errors
/// [`PathError::NameMismatch`], or [`PathError::Malformed`] for a malformed leaf or name.
pub fn verify_server_name(leaf: &Certificate, name: &str) -> Result<(), Error> {
    let cert_ref = CertRef::leaf(leaf);
    let server_name = ServerName::try_from(name).map_err(|_| PathError::InvalidName {
        name: name.chars().take(256).collect(),
    })?;
    let der = CertificateDer::from(leaf.der());
    let ee = EndEntityCert::try_from(&der).map_err(|e| PathError::Malformed {
        cert: cert_ref.clone(),
        reason: diagnose::describe(&e),
    })?;
    ee.verify_is_valid_for_subject_name(&server_name)
        .map_err(|e| match e {
            webpki::Error::CertNotValidForName(_) => PathError::NameMismatch {
                cert: cert_ref,
                name: name.chars().take(256).collect(),
            },
            other => PathError::Malformed {
                cert: cert_ref,
                reason: diagnose::describe(&other),
            },
        })?;
    Ok(())
}

/// Where a certificate sits in the verification input.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertRole {
    /// The leaf (end-entity) certificate.
    Leaf,
    /// An untrusted intermediate, by 1-based position in the list given.
    Intermediate(usize),
    /// A trust anchor, by 1-based position in the trust store.
    TrustAnchor(usize),
}

/// Names a certificate in an error: its role and subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertRef {
    /// Where it sits in the input.
    pub role: CertRole,
    /// Its subject, RFC 4514.
    pub subject: String,
}

impl CertRef {
    pub(crate) fn new(role: CertRole, cert: &Certificate) -> Self {
        Self {
            role,
            subject: cert.subject().to_string(),
        }
    }

    pub(crate) fn leaf(cert: &Certificate) -> Self {
        Self::new(CertRole::Leaf, cert)
    }
}

impl fmt::Display for CertRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.role {
            CertRole::Leaf => f.write_str("leaf")?,
            CertRole::Intermediate(i) => write!(f, "intermediate {i}")?,
            CertRole::TrustAnchor(i) => write!(f, "trust anchor {i}")?,
        }
        if self.subject.is_empty() {
            f.write_str(" (empty subject)")
        } else {
            write!(f, " ({})", self.subject)
        }
    }
}

/// Why a path was refused (or a trust store / CRL set could not be built).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// A certificate's signature does not verify with its issuer's key.
    BadSignature {
        /// The certificate whose signature failed.
        cert: CertRef,
    },
    /// The leaf is a CA certificate (basic constraints `cA` true).
    CaUsedAsLeaf {
        /// The leaf.
        cert: CertRef,
    },
    /// A CRL could not be read when building the trust store.
    Crl {
        /// 1-based position of the CRL.
        index: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// The CRL covering a certificate is past its `nextUpdate`.
    CrlExpired {
        /// The certificate whose status it would give.
        cert: CertRef,
        /// `nextUpdate`, UNIX seconds.
        next_update: u64,
    },
    /// A certificate's key is explicitly distrusted by webpki.
    Distrusted {
        /// The distrusted certificate.
        cert: CertRef,
    },
    /// A certificate's extended key usage extension is present but empty.
    EmptyExtendedKeyUsage {
        /// The certificate.
        cert: CertRef,
    },
    /// A certificate is past its `notAfter`.
    Expired {
        /// The certificate.
        cert: CertRef,
        /// `notAfter`, UNIX seconds.
        not_after: u64,
    },
    /// A bug: an invariant of the validator did not hold.
    Internal {
        /// What did not hold.
        what: &'static str,
    },
    /// A server name given for checking is neither a DNS name nor an IP address.
    InvalidName {
        /// The name given (truncated).
        name: String,
    },
    /// A certificate's `notAfter` is before its `notBefore`.
    InvalidValidity {
        /// The certificate.
        cert: CertRef,
    },
    /// A certificate webpki cannot parse (or that breaks an encoding rule).
    Malformed {
        /// The certificate.
        cert: CertRef,
        /// What was wrong.
        reason: &'static str,
    },
    /// The leaf is not valid for the server name asked about.
    NameMismatch {
        /// The leaf.
        cert: CertRef,
        /// The name asked about.
        name: String,
    },
    /// A certificate's names violate a name constraint of an issuer.
    NameConstraint {
        /// The certificate whose name is outside the constraints.
        cert: CertRef,
        /// The offending name, when known.
        name: Option<String>,
    },
    /// A trust store needs at least one anchor.
    NoTrustAnchors,
    /// A certificate used as an issuer is not a CA (basic constraints absent or `cA` false).
    NotCa {
        /// The certificate.
        cert: CertRef,
    },
    /// A certificate's `notBefore` is in the future.
    NotYetValid {
        /// The certificate.
        cert: CertRef,
        /// `notBefore`, UNIX seconds.
        not_before: u64,
    },
    /// A CA's `pathLenConstraint` allows fewer intermediates below it than the path has.
    PathLenExceeded {
        /// The constraining CA.
        cert: CertRef,
        /// Its `pathLenConstraint`.
        path_len: u8,
    },
    /// A certificate breaks an RFC 5280 profile rule certbound checks beyond webpki.
    Profile {
        /// The certificate.
        cert: CertRef,
        /// The rule broken.
        problem: ProfileProblem,
    },
    /// No CRL covers a certificate and the policy denies unknown status.
    RevocationUnknown {
        /// The certificate.
        cert: CertRef,
    },
    /// A certificate is revoked by its issuer's CRL.
    Revoked {
        /// The certificate.
        cert: CertRef,
    },
    /// Path building exceeded a work budget (hostile or pathological input).
    TooComplex {
        /// Which budget.
        budget: &'static str,
    },
    /// More CRLs than [`MAX_CRLS`].
    TooManyCrls {
        /// The limit.
        limit: usize,
    },
    /// More intermediates than [`MAX_INTERMEDIATES`].
    TooManyIntermediates {
        /// The limit.
        limit: usize,
        /// How many were given.
        actual: usize,
    },
    /// A certificate cannot be used as a trust anchor.
    TrustAnchor {
        /// 1-based position in the trust bundle.
        index: usize,
        /// Its subject.
        subject: String,
        /// What was wrong.
        reason: &'static str,
    },
    /// No path to a trust anchor: the issuer of `cert` is neither an anchor nor among the
    /// intermediates.
    UnknownIssuer {
        /// The last certificate a path could be built to.
        cert: CertRef,
        /// Its issuer name, RFC 4514.
        issuer: String,
        /// Number of anchors searched.
        anchors: usize,
    },
    /// A certificate carries a critical extension webpki does not process.
    UnsupportedCriticalExtension {
        /// The certificate.
        cert: CertRef,
        /// The extension name or dotted OID.
        extension: String,
    },
    /// A certificate is signed with an algorithm certbound does not accept.
    UnsupportedSignatureAlgorithm {
        /// The certificate.
        cert: CertRef,
        /// The algorithm's name or dotted OID.
        algorithm: String,
    },
    /// A certificate's extended key usage does not include the purpose.
    WrongPurpose {
        /// The certificate.
        cert: CertRef,
        /// The purpose required.
        purpose: Purpose,
    },
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadSignature { cert } => write!(
                f,
                "{cert}: signature does not verify with its issuer's public key"
            ),
            Self::CaUsedAsLeaf { cert } => write!(
                f,
                "{cert}: is a CA certificate (basic constraints cA=TRUE) and cannot be used as an end-entity certificate"
            ),
            Self::Crl { index, reason } => write!(f, "CRL {index}: {reason}"),
            Self::CrlExpired { cert, next_update } => write!(
                f,
                "{cert}: the CRL of its issuer expired at {} (nextUpdate); fetch a fresh CRL",
                time::rfc3339(*next_update)
            ),
            Self::Distrusted { cert } => write!(f, "{cert}: its public key is distrusted"),
            Self::EmptyExtendedKeyUsage { cert } => {
                write!(f, "{cert}: extended key usage extension is empty")
            }
            Self::Expired { cert, not_after } => {
                write!(f, "{cert}: expired at {}", time::rfc3339(*not_after))
            }
            Self::Internal { what } => write!(
                f,
                "internal error in path validation: {what} (please file a bug in certbound)"
            ),
            Self::InvalidName { name } => write!(
                f,
                "invalid server name {name:?}: expected a DNS name or an IP address"
            ),
            Self::InvalidValidity { cert } => {
                write!(f, "{cert}: notAfter is before notBefore")
            }
            Self::Malformed { cert, reason } => write!(f, "{cert}: {reason}"),
            Self::NameMismatch { cert, name } => write!(
                f,
                "{cert}: not valid for name {name:?} (no matching subjectAltName)"
            ),
            Self::NameConstraint { cert, name } => match name {
                Some(n) => write!(
                    f,
                    "{cert}: name {n:?} violates the name constraints of an issuer"
                ),
                None => write!(f, "{cert}: violates the name constraints of an issuer"),
            },
            Self::NoTrustAnchors => f.write_str("no trust anchors were provided"),
            Self::NotCa { cert } => write!(
                f,
                "{cert}: is not a CA certificate (basic constraints cA=TRUE missing) but is used as an issuer"
            ),
            Self::NotYetValid { cert, not_before } => {
                write!(f, "{cert}: not valid before {}", time::rfc3339(*not_before))
            }
            Self::PathLenExceeded { cert, path_len } => write!(
                f,
                "{cert}: path length constraint {path_len} exceeded by the intermediates below it"
            ),
            Self::Profile { cert, problem } => write!(f, "{cert}: {problem}"),
            Self::RevocationUnknown { cert } => write!(
                f,
                "{cert}: revocation status unknown (no CRL from its issuer) and the policy denies unknown status"
            ),
            Self::Revoked { cert } => write!(f, "{cert}: revoked"),
            Self::TooComplex { budget } => write!(
                f,
                "path building gave up: {budget} budget exhausted (too many candidate certificates)"
            ),
            Self::TooManyCrls { limit } => {
                write!(f, "too many CRLs: at most {limit} are accepted")
            }
            Self::TooManyIntermediates { limit, actual } => write!(
                f,
                "too many intermediates: {actual} given, at most {limit} are accepted"
            ),
            Self::TrustAnchor {
                index,
                subject,
                reason,
            } => write!(
                f,
                "trust anchor {index} ({subject}): cannot be used as a trust anchor: {reason}"
            ),
            Self::UnknownIssuer {
                cert,
                issuer,
                anchors,
            } => {
                let s = if *anchors == 1 { "" } else { "s" };
                write!(
                    f,
                    "{cert}: issuer not found among {anchors} trust anchor{s} (issuer: {issuer})"
                )
            }
            Self::UnsupportedCriticalExtension { cert, extension } => {
                write!(f, "{cert}: unsupported critical extension {extension}")
            }
            Self::UnsupportedSignatureAlgorithm { cert, algorithm } => write!(
                f,
                "{cert}: signature algorithm {algorithm} is not accepted (ECDSA P-256/P-384, RSA 2048-8192 PKCS#1/PSS with SHA-2, Ed25519 are)"
            ),
            Self::WrongPurpose { cert, purpose } => {
                write!(f, "{cert}: not valid for {purpose} (extended key usage)")
            }
        }
    }
}

impl From<PathError> for Error {
    fn from(e: PathError) -> Self {
        Self::Path(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: a certificate reference reads as role then subject, as every error starts.
    #[test]
    fn cert_ref_display() {
        let r = CertRef {
            role: CertRole::Intermediate(1),
            subject: String::from("CN=LA Intermediate CA"),
        };
        assert_eq!(r.to_string(), "intermediate 1 (CN=LA Intermediate CA)");
        let r = CertRef {
            role: CertRole::Leaf,
            subject: String::new(),
        };
        assert_eq!(r.to_string(), "leaf (empty subject)");
        let e = PathError::UnknownIssuer {
            cert: CertRef {
                role: CertRole::TrustAnchor(2),
                subject: String::from("CN=x"),
            },
            issuer: String::from("CN=y"),
            anchors: 1,
        };
        assert_eq!(
            e.to_string(),
            "trust anchor 2 (CN=x): issuer not found among 1 trust anchor (issuer: CN=y)"
        );
    }

    // Intent: defaults are strict — clientAuth, unknown revocation status and expired CRLs refused.
    #[test]
    fn secure_defaults() {
        assert_eq!(VerifyOptions::default().purpose, Purpose::ClientAuth);
        let p = RevocationPolicy::default();
        assert_eq!(p.unknown_status, UnknownStatus::Deny);
        assert_eq!(p.expired_crl, ExpiredCrl::Deny);
        assert!(!p.leaf_only);
        assert_eq!(Purpose::ClientAuth.to_string(), "clientAuth");
    }
}
