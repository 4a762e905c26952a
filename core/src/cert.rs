//! The certificate view: everything an mTLS deployment asks of a client certificate.
//!
//! A [`Certificate`] owns its DER, is parsed once (x509-cert), and carries its `x5t#S256`
//! thumbprint and the extensions certbound interprets, so later checks never parse again.

pub mod name;

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use core::net::IpAddr;

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use x509_cert::ext::pkix::name::GeneralName;

pub use self::name::DistinguishedName;
use crate::error::{Error, ExtensionProblem};
use crate::time;

/// The certificate's SHA-256 thumbprint, `x5t#S256` (RFC 8705 §3.1): SHA-256 over the DER.
///
/// `Display` renders base64url without padding; equality is constant-time.
#[derive(Clone, Copy)]
pub struct CertThumbprint([u8; 32]);

impl CertThumbprint {
    /// Computes the thumbprint of DER bytes.
    pub fn of_der(der: &[u8]) -> Self {
        Self(Sha256::digest(der).into())
    }

    /// Wraps a digest already computed.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Parses an `x5t#S256` value: canonical base64url, no padding, exactly 32 bytes.
    ///
    /// # Errors
    /// `None` when the text is padded, uses the standard alphabet, has non-zero trailing bits
    /// or decodes to another length.
    pub fn from_x5t_s256(text: &str) -> Option<Self> {
        let mut buf = [0u8; 32];
        if text.len() != 43 {
            return None;
        }
        let out = Base64UrlUnpadded::decode(text, &mut buf).ok()?;
        (out.len() == 32).then_some(Self(buf))
    }

    /// Parses the SHA-256 fingerprint as hex: exactly 64 hex digits, either case, no separators
    /// (Cloudflare's `certFingerprintSHA256`, Envoy's XFCC `Hash`).
    ///
    /// # Errors
    /// `None` when the text is not exactly 64 hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut buf = [0u8; 32];
        if text.len() != 64 {
            return None;
        }
        let out = base16ct::mixed::decode(text, &mut buf).ok()?;
        (out.len() == 32).then_some(Self(buf))
    }

    /// The 32 digest bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lowercase hex without separators (the form most proxies and `openssl -fingerprint` use,
    /// minus the colons).
    pub fn to_hex(&self) -> String {
        base16ct::lower::encode_string(&self.0)
    }
}

impl PartialEq for CertThumbprint {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for CertThumbprint {}

impl fmt::Display for CertThumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buf = [0u8; 43];
        let s = Base64UrlUnpadded::encode(&self.0, &mut buf).map_err(|_| fmt::Error)?;
        f.write_str(s)
    }
}

impl fmt::Debug for CertThumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertThumbprint({self})")
    }
}

/// An X.509 certificate, parsed once.
#[derive(Clone)]
pub struct Certificate {
    der: Vec<u8>,
    inner: x509_cert::Certificate,
    x5t: CertThumbprint,
    subject: DistinguishedName,
    issuer: DistinguishedName,
    san: SubjectAltNames,
    key_usage: Option<Vec<&'static str>>,
    extended_key_usage: Option<Vec<ObjectIdentifier>>,
    basic_constraints: Option<BasicConstraints>,
    extensions: Vec<ExtensionInfo>,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("subject", &self.subject.to_string())
            .field("x5t#S256", &self.x5t)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Certificate {
    fn eq(&self, other: &Self) -> bool {
        self.der == other.der
    }
}

/// Subject alternative names, by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectAltNames {
    /// `dNSName` entries, as written.
    pub dns: Vec<String>,
    /// `uniformResourceIdentifier` entries.
    pub uri: Vec<String>,
    /// `iPAddress` entries (4 or 16 octets).
    pub ip: Vec<IpAddr>,
    /// `rfc822Name` entries.
    pub email: Vec<String>,
    /// Other kinds, as `(kind, text)`: `directoryName` (RFC 4514), `registeredID` and
    /// `otherName` (dotted OID), `x400Address`, `ediPartyName`.
    pub other: Vec<(&'static str, String)>,
}

/// The basic constraints extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BasicConstraints {
    /// `cA`.
    pub ca: bool,
    /// `pathLenConstraint`.
    pub path_len: Option<u8>,
}

/// An extension present in the certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtensionInfo {
    /// The extension's OID.
    pub oid: ObjectIdentifier,
    /// Its name, when known.
    pub name: Option<&'static str>,
    /// The critical flag.
    pub critical: bool,
}

/// The subject public key, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKeyInfo {
    /// RSA, with the modulus size in bits.
    Rsa {
        /// Modulus size.
        bits: usize,
    },
    /// Elliptic curve (id-ecPublicKey) on a named curve.
    Ec {
        /// `P-256`, `P-384`, `P-521` or the dotted curve OID.
        curve: String,
    },
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// Anything else, by algorithm OID.
    Other {
        /// The algorithm OID.
        oid: ObjectIdentifier,
    },
}

impl fmt::Display for PublicKeyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rsa { bits } => write!(f, "RSA {bits}"),
            Self::Ec { curve } => write!(f, "EC {curve}"),
            Self::Ed25519 => f.write_str("Ed25519"),
            Self::Ed448 => f.write_str("Ed448"),
            Self::Other { oid } => write!(f, "{oid}"),
        }
    }
}

const OID_SAN: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.17");
const OID_KU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.15");
const OID_EKU: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37");
const OID_BC: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.19");

/// Known extension names.
const EXTENSION_NAMES: &[(&str, &str)] = &[
    ("2.5.29.14", "subjectKeyIdentifier"),
    ("2.5.29.15", "keyUsage"),
    ("2.5.29.17", "subjectAltName"),
    ("2.5.29.18", "issuerAltName"),
    ("2.5.29.19", "basicConstraints"),
    ("2.5.29.30", "nameConstraints"),
    ("2.5.29.31", "cRLDistributionPoints"),
    ("2.5.29.32", "certificatePolicies"),
    ("2.5.29.33", "policyMappings"),
    ("2.5.29.35", "authorityKeyIdentifier"),
    ("2.5.29.36", "policyConstraints"),
    ("2.5.29.37", "extKeyUsage"),
    ("2.5.29.54", "inhibitAnyPolicy"),
    ("1.3.6.1.5.5.7.1.1", "authorityInfoAccess"),
    ("1.3.6.1.4.1.11129.2.4.2", "ctPrecertificateSCTs"),
];

/// Extended key usage names (RFC 5280 §4.2.1.12).
const EKU_NAMES: &[(&str, &str)] = &[
    ("1.3.6.1.5.5.7.3.1", "serverAuth"),
    ("1.3.6.1.5.5.7.3.2", "clientAuth"),
    ("1.3.6.1.5.5.7.3.3", "codeSigning"),
    ("1.3.6.1.5.5.7.3.4", "emailProtection"),
    ("1.3.6.1.5.5.7.3.8", "timeStamping"),
    ("1.3.6.1.5.5.7.3.9", "OCSPSigning"),
    ("2.5.29.37.0", "anyExtendedKeyUsage"),
];

/// Signature algorithm names.
const SIGNATURE_NAMES: &[(&str, &str)] = &[
    ("1.2.840.113549.1.1.4", "md5WithRSAEncryption"),
    ("1.2.840.113549.1.1.5", "sha1WithRSAEncryption"),
    ("1.2.840.113549.1.1.10", "rsassaPss"),
    ("1.2.840.113549.1.1.11", "sha256WithRSAEncryption"),
    ("1.2.840.113549.1.1.12", "sha384WithRSAEncryption"),
    ("1.2.840.113549.1.1.13", "sha512WithRSAEncryption"),
    ("1.2.840.10045.4.1", "ecdsa-with-SHA1"),
    ("1.2.840.10045.4.3.2", "ecdsa-with-SHA256"),
    ("1.2.840.10045.4.3.3", "ecdsa-with-SHA384"),
    ("1.2.840.10045.4.3.4", "ecdsa-with-SHA512"),
    ("1.3.101.112", "Ed25519"),
    ("1.3.101.113", "Ed448"),
];

fn lookup(table: &[(&str, &'static str)], oid: &ObjectIdentifier) -> Option<&'static str> {
    let mut buf = String::new();
    let _ = fmt::write(&mut buf, format_args!("{oid}"));
    table.iter().find(|(o, _)| *o == buf).map(|(_, n)| *n)
}

/// The name of an extended key usage OID, if known (`clientAuth`, …).
pub fn eku_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    lookup(EKU_NAMES, oid)
}

/// Parses every certificate in a PEM or DER bundle, in order.
///
/// # Errors
/// As [`crate::pem::read_bundle`], plus [`Error::CertificateDer`] naming the certificate.
pub fn parse_bundle(input: &[u8]) -> Result<Vec<Certificate>, Error> {
    crate::pem::read_bundle(input)?
        .into_iter()
        .enumerate()
        .map(|(i, der)| Certificate::from_der_owned(der, i + 1))
        .collect()
}

impl Certificate {
    /// Parses one DER certificate.
    ///
    /// # Errors
    /// [`Error::CertificateDer`] (with the byte offset) or [`Error::CertificateExtension`].
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Self::from_der_owned(der.to_vec(), 1)
    }

    /// Parses exactly one certificate from PEM or DER.
    ///
    /// # Errors
    /// As [`parse_bundle`]; more than one certificate is [`Error::TooManyCertificates`].
    pub fn from_pem(input: &[u8]) -> Result<Self, Error> {
        let mut all = crate::pem::read_bundle(input)?;
        if all.len() > 1 {
            return Err(Error::TooManyCertificates { limit: 1 });
        }
        let der = all.pop().ok_or(Error::NoCertificate)?;
        Self::from_der_owned(der, 1)
    }

    /// Parses owned DER; `index` (1-based) names the certificate in errors.
    ///
    /// # Errors
    /// As [`Certificate::from_der`].
    pub fn from_der_owned(der: Vec<u8>, index: usize) -> Result<Self, Error> {
        Self::from_der_owned_hashed(der, index, None)
    }

    /// As [`Certificate::from_der_owned`], with the thumbprint when the caller has already
    /// computed it: `x5t` must be `CertThumbprint::of_der(&der)` (the DER is then hashed once).
    pub(crate) fn from_der_owned_hashed(
        der: Vec<u8>,
        index: usize,
        x5t: Option<CertThumbprint>,
    ) -> Result<Self, Error> {
        let inner = x509_cert::Certificate::from_der(&der)
            .map_err(|error| Error::CertificateDer { index, error })?;
        let x5t = x5t.unwrap_or_else(|| CertThumbprint::of_der(&der));
        let tbs = &inner.tbs_certificate;
        let subject = DistinguishedName::from_x509(&tbs.subject);
        let issuer = DistinguishedName::from_x509(&tbs.issuer);
        let mut cert = Self {
            der,
            x5t,
            subject,
            issuer,
            san: SubjectAltNames::default(),
            key_usage: None,
            extended_key_usage: None,
            basic_constraints: None,
            extensions: Vec::new(),
            inner,
        };
        cert.read_extensions(index)?;
        Ok(cert)
    }

    fn read_extensions(&mut self, index: usize) -> Result<(), Error> {
        let Some(exts) = self.inner.tbs_certificate.extensions.as_ref() else {
            return Ok(());
        };
        for ext in exts {
            let name = lookup(EXTENSION_NAMES, &ext.extn_id);
            if self.extensions.iter().any(|e| e.oid == ext.extn_id) {
                return Err(Error::CertificateExtension {
                    index,
                    extension: name.unwrap_or("(unknown)"),
                    reason: ExtensionProblem::Duplicate,
                });
            }
            self.extensions.push(ExtensionInfo {
                oid: ext.extn_id,
                name,
                critical: ext.critical,
            });
            let bytes = ext.extn_value.as_bytes();
            let bad = |extension: &'static str| {
                move |e: der::Error| Error::CertificateExtension {
                    index,
                    extension,
                    reason: ExtensionProblem::Der(e),
                }
            };
            if ext.extn_id == OID_SAN {
                let san = x509_cert::ext::pkix::SubjectAltName::from_der(bytes)
                    .map_err(bad("subjectAltName"))?;
                self.san = read_sans(&san.0).map_err(bad("subjectAltName"))?;
            } else if ext.extn_id == OID_KU {
                let ku =
                    x509_cert::ext::pkix::KeyUsage::from_der(bytes).map_err(bad("keyUsage"))?;
                self.key_usage = Some(key_usage_names(&ku));
            } else if ext.extn_id == OID_EKU {
                let eku = x509_cert::ext::pkix::ExtendedKeyUsage::from_der(bytes)
                    .map_err(bad("extKeyUsage"))?;
                self.extended_key_usage = Some(eku.0);
            } else if ext.extn_id == OID_BC {
                let bc = x509_cert::ext::pkix::BasicConstraints::from_der(bytes)
                    .map_err(bad("basicConstraints"))?;
                self.basic_constraints = Some(BasicConstraints {
                    ca: bc.ca,
                    path_len: bc.path_len_constraint,
                });
            }
        }
        Ok(())
    }

    /// The certificate's DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The parsed x509-cert structure, for checks that need fields not surfaced here.
    pub fn x509(&self) -> &x509_cert::Certificate {
        &self.inner
    }

    /// `x5t#S256`: SHA-256 over the DER.
    pub fn x5t_s256(&self) -> CertThumbprint {
        self.x5t
    }

    /// SHA-256 over the DER as lowercase hex, no colons.
    pub fn sha256_hex(&self) -> String {
        self.x5t.to_hex()
    }

    /// SHA-256 over the DER `SubjectPublicKeyInfo`, standard base64 with padding: the HPKP
    /// `pin-sha256` form.
    pub fn spki_sha256(&self) -> String {
        let spki = self
            .inner
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap_or_default();
        Base64::encode_string(&Sha256::digest(spki))
    }

    /// The subject.
    pub fn subject(&self) -> &DistinguishedName {
        &self.subject
    }

    /// The issuer.
    pub fn issuer(&self) -> &DistinguishedName {
        &self.issuer
    }

    /// Serial number as lowercase hex of its DER contents with sign-padding zeros removed.
    pub fn serial_hex(&self) -> String {
        let bytes = self.inner.tbs_certificate.serial_number.as_bytes();
        let start = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len().saturating_sub(1));
        base16ct::lower::encode_string(&bytes[start..])
    }

    /// `notBefore`, UNIX seconds.
    pub fn not_before(&self) -> u64 {
        self.inner
            .tbs_certificate
            .validity
            .not_before
            .to_unix_duration()
            .as_secs()
    }

    /// `notAfter`, UNIX seconds.
    pub fn not_after(&self) -> u64 {
        self.inner
            .tbs_certificate
            .validity
            .not_after
            .to_unix_duration()
            .as_secs()
    }

    /// Is `now` within the validity period (inclusive, RFC 5280 §4.1.2.5)?
    pub fn is_valid_at(&self, now: crate::UnixTime) -> bool {
        (self.not_before()..=self.not_after()).contains(&now.as_secs())
    }

    /// Subject alternative names.
    pub fn san(&self) -> &SubjectAltNames {
        &self.san
    }

    /// Key usage bit names, if the extension is present.
    pub fn key_usage(&self) -> Option<&[&'static str]> {
        self.key_usage.as_deref()
    }

    /// Extended key usage OIDs, if the extension is present.
    pub fn extended_key_usage(&self) -> Option<&[ObjectIdentifier]> {
        self.extended_key_usage.as_deref()
    }

    /// Extended key usages by name (dotted OID when unknown).
    pub fn extended_key_usage_names(&self) -> Option<Vec<String>> {
        self.extended_key_usage.as_ref().map(|v| {
            v.iter()
                .map(|o| eku_name(o).map_or_else(|| o.to_string(), String::from))
                .collect()
        })
    }

    /// Basic constraints, if present.
    pub fn basic_constraints(&self) -> Option<BasicConstraints> {
        self.basic_constraints
    }

    /// Is this a CA certificate (basic constraints `cA` true)?
    pub fn is_ca(&self) -> bool {
        self.basic_constraints.is_some_and(|b| b.ca)
    }

    /// The extensions present, in order.
    pub fn extensions(&self) -> &[ExtensionInfo] {
        &self.extensions
    }

    /// Is the certificate self-issued (subject = issuer, byte for byte)?
    pub fn is_self_issued(&self) -> bool {
        self.inner.tbs_certificate.subject == self.inner.tbs_certificate.issuer
    }

    /// The DER `SubjectPublicKeyInfo`.
    pub fn spki_der(&self) -> Vec<u8> {
        self.inner
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .unwrap_or_default()
    }

    /// The public key, described.
    pub fn public_key(&self) -> PublicKeyInfo {
        let spki = &self.inner.tbs_certificate.subject_public_key_info;
        let oid = spki.algorithm.oid;
        match oid.to_string().as_str() {
            "1.2.840.113549.1.1.1" | "1.2.840.113549.1.1.10" => {
                let bits = spki
                    .subject_public_key
                    .as_bytes()
                    .and_then(crate::provider::rsa_modulus_bits)
                    .unwrap_or(0);
                PublicKeyInfo::Rsa { bits }
            }
            "1.2.840.10045.2.1" => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
                    .map_or_else(
                        || String::from("(no named curve)"),
                        |c| match c.to_string().as_str() {
                            "1.2.840.10045.3.1.7" => String::from("P-256"),
                            "1.3.132.0.34" => String::from("P-384"),
                            "1.3.132.0.35" => String::from("P-521"),
                            other => String::from(other),
                        },
                    );
                PublicKeyInfo::Ec { curve }
            }
            "1.3.101.112" => PublicKeyInfo::Ed25519,
            "1.3.101.113" => PublicKeyInfo::Ed448,
            _ => PublicKeyInfo::Other { oid },
        }
    }

    /// The signature algorithm's name (dotted OID when unknown).
    pub fn signature_algorithm(&self) -> String {
        let oid = &self.inner.signature_algorithm.oid;
        lookup(SIGNATURE_NAMES, oid).map_or_else(|| oid.to_string(), String::from)
    }

    /// The JSON summary (`certbound inspect --json`, the page, the parity suite).
    pub fn summary(&self) -> CertificateSummary {
        CertificateSummary {
            subject: self.subject.to_string(),
            issuer: self.issuer.to_string(),
            serial: self.serial_hex(),
            not_before: time::rfc3339(self.not_before()),
            not_after: time::rfc3339(self.not_after()),
            not_before_unix: self.not_before(),
            not_after_unix: self.not_after(),
            san: SanSummary {
                dns: self.san.dns.clone(),
                uri: self.san.uri.clone(),
                ip: self.san.ip.iter().map(ToString::to_string).collect(),
                email: self.san.email.clone(),
                other: self
                    .san
                    .other
                    .iter()
                    .map(|(k, v)| alloc::format!("{k}:{v}"))
                    .collect(),
            },
            key_usage: self
                .key_usage
                .as_ref()
                .map(|v| v.iter().map(|s| String::from(*s)).collect()),
            extended_key_usage: self.extended_key_usage_names(),
            is_ca: self.is_ca(),
            path_len: self.basic_constraints.and_then(|b| b.path_len),
            public_key: self.public_key().to_string(),
            signature_algorithm: self.signature_algorithm(),
            x5t_s256: self.x5t.to_string(),
            sha256: self.sha256_hex(),
            spki_sha256: self.spki_sha256(),
        }
    }
}

/// The certificate view as plain data, serialisable as the `inspect --json` object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs)]
pub struct CertificateSummary {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub not_before: String,
    pub not_after: String,
    pub not_before_unix: u64,
    pub not_after_unix: u64,
    pub san: SanSummary,
    pub key_usage: Option<Vec<String>>,
    pub extended_key_usage: Option<Vec<String>>,
    pub is_ca: bool,
    pub path_len: Option<u8>,
    pub public_key: String,
    pub signature_algorithm: String,
    #[serde(rename = "x5t#S256")]
    pub x5t_s256: String,
    pub sha256: String,
    pub spki_sha256: String,
}

/// SANs as text arrays.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[allow(missing_docs)]
pub struct SanSummary {
    pub dns: Vec<String>,
    pub uri: Vec<String>,
    pub ip: Vec<String>,
    pub email: Vec<String>,
    pub other: Vec<String>,
}

fn read_sans(names: &[GeneralName]) -> Result<SubjectAltNames, der::Error> {
    let mut out = SubjectAltNames::default();
    for n in names {
        match n {
            GeneralName::DnsName(s) => out.dns.push(s.to_string()),
            GeneralName::UniformResourceIdentifier(s) => out.uri.push(s.to_string()),
            GeneralName::Rfc822Name(s) => out.email.push(s.to_string()),
            GeneralName::IpAddress(o) => {
                let b = o.as_bytes();
                let ip = if let Ok(v4) = <[u8; 4]>::try_from(b) {
                    IpAddr::from(v4)
                } else if let Ok(v6) = <[u8; 16]>::try_from(b) {
                    IpAddr::from(v6)
                } else {
                    return Err(der::Error::new(
                        der::ErrorKind::Value {
                            tag: der::Tag::OctetString,
                        },
                        der::Length::ZERO,
                    ));
                };
                out.ip.push(ip);
            }
            GeneralName::DirectoryName(name) => out.other.push((
                "directoryName",
                DistinguishedName::from_x509(name).to_string(),
            )),
            GeneralName::RegisteredId(oid) => out.other.push(("registeredID", oid.to_string())),
            GeneralName::OtherName(o) => out.other.push(("otherName", o.type_id.to_string())),
            GeneralName::EdiPartyName(_) => out.other.push(("ediPartyName", String::new())),
        }
    }
    Ok(out)
}

fn key_usage_names(ku: &x509_cert::ext::pkix::KeyUsage) -> Vec<&'static str> {
    let bits = [
        (ku.digital_signature(), "digitalSignature"),
        (ku.non_repudiation(), "nonRepudiation"),
        (ku.key_encipherment(), "keyEncipherment"),
        (ku.data_encipherment(), "dataEncipherment"),
        (ku.key_agreement(), "keyAgreement"),
        (ku.key_cert_sign(), "keyCertSign"),
        (ku.crl_sign(), "cRLSign"),
        (ku.encipher_only(), "encipherOnly"),
        (ku.decipher_only(), "decipherOnly"),
    ];
    bits.into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| n)
        .collect()
}
