//! Turning webpki's *what* into certbound's *which*: cheap checks on the [`Certificate`] views
//! recover the certificate a webpki error is about. Nothing here builds paths: it follows
//! issuer → subject names greedily (bounded by [`MAX_PATH_INTERMEDIATES`]) and re-checks one
//! property per certificate along that chain, and only after webpki has already failed.

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use der::{Decode, Encode, Reader, SliceReader};
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm};
use webpki::EndEntityCert;

use super::algorithms::Algorithms;
use super::{
    CertRef, CertRole, MAX_PATH_INTERMEDIATES, PathError, Purpose, TrustStore, VerifiedPath,
};
use crate::{Certificate, UnixTime};

/// Everything one verification was asked.
pub(crate) struct Context<'a> {
    pub(crate) trust: &'a TrustStore,
    pub(crate) leaf: &'a Certificate,
    pub(crate) intermediates: &'a [Certificate],
    pub(crate) now: UnixTime,
    pub(crate) purpose: Purpose,
    pub(crate) algorithms: &'a Algorithms<'a>,
}

/// A certificate in a path, with its role.
#[derive(Clone, Copy)]
pub(crate) struct Node<'a> {
    pub(crate) role: CertRole,
    pub(crate) cert: &'a Certificate,
}

impl Node<'_> {
    pub(crate) fn cert_ref(&self) -> CertRef {
        CertRef::new(self.role, self.cert)
    }
}

/// A candidate (or verified) path mapped back onto the inputs: leaf, intermediates, anchor.
pub(crate) struct Resolved<'a> {
    /// Leaf first, then intermediates towards the anchor.
    pub(crate) nodes: Vec<Node<'a>>,
    /// 0-based anchor index.
    pub(crate) anchor_index: usize,
    pub(crate) anchor: &'a Certificate,
}

impl<'a> Resolved<'a> {
    pub(crate) fn anchor_node(&self) -> Node<'a> {
        Node {
            role: CertRole::TrustAnchor(self.anchor_index + 1),
            cert: self.anchor,
        }
    }

    pub(crate) fn into_verified(self, ctx: &Context<'_>) -> VerifiedPath {
        let mut chain: Vec<_> = self.nodes.iter().map(|n| n.cert.x5t_s256()).collect();
        chain.push(self.anchor.x5t_s256());
        let intermediates = self
            .nodes
            .iter()
            .filter_map(|n| match n.role {
                CertRole::Intermediate(i) => Some(i - 1),
                _ => None,
            })
            .collect();
        VerifiedPath {
            leaf: ctx.leaf.x5t_s256(),
            anchor_x5t: self.anchor.x5t_s256(),
            chain,
            intermediates,
            anchor: self.anchor_index,
            anchor_subject: self.anchor.subject().to_string(),
        }
    }
}

/// Short human text for a webpki error (no certificate named).
pub(crate) fn describe(e: &webpki::Error) -> &'static str {
    use webpki::Error as W;
    #[allow(deprecated)]
    match e {
        W::BadDer | W::TrailingData(_) => "DER encoding is invalid",
        W::BadDerTime => "a time field is not valid DER (UTCTime/GeneralizedTime)",
        W::CaUsedAsEndEntity => "a CA certificate is used as an end-entity certificate",
        W::CertDistrusted => "the public key is distrusted",
        W::CertExpired { .. } => "expired",
        W::CertNotValidForName(_) => "not valid for the name",
        W::CertNotValidYet { .. } => "not yet valid",
        W::CertRevoked => "revoked",
        W::CrlExpired { .. } => "the CRL is expired",
        W::EmptyEkuExtension => "the extended key usage extension is empty",
        W::EndEntityUsedAsCa => "an end-entity certificate is used as a CA",
        W::ExtensionValueInvalid => "an extension value is invalid",
        W::InvalidCertValidity => "notAfter is before notBefore",
        W::InvalidCrlNumber => "the CRL number is invalid",
        W::InvalidNetworkMaskConstraint => "an iPAddress name constraint has a non-CIDR mask",
        W::InvalidSerialNumber => "the serial number is invalid (negative, or over 20 bytes)",
        W::InvalidCrlSignatureForPublicKey => "the CRL signature does not verify",
        W::InvalidSignatureForPublicKey => "the signature does not verify",
        W::IssuerNotCrlSigner => "the CRL issuer's key usage lacks cRLSign",
        W::MalformedDnsIdentifier => "a DNS name is malformed",
        W::MalformedExtensions => "the extensions are malformed",
        W::MalformedNameConstraint => "a name constraint is malformed",
        W::MaximumNameConstraintComparisonsExceeded => "name-constraint comparison budget",
        W::MaximumPathBuildCallsExceeded => "path-building call budget",
        W::MaximumPathDepthExceeded => "path depth (at most 6 intermediates)",
        W::MaximumSignatureChecksExceeded => "signature-check budget",
        W::NameConstraintViolation => "a name violates a name constraint",
        W::PathLenConstraintViolated => "a path length constraint is violated",
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => {
            "the extended key usage does not include the purpose"
        }
        W::SignatureAlgorithmMismatch => {
            "the signature algorithm in tbsCertificate differs from the outer one"
        }
        W::UnknownIssuer => "issuer not found",
        W::UnknownRevocationStatus => "revocation status unknown",
        W::UnsupportedCertVersion => "not an X.509 v3 certificate",
        W::UnsupportedCriticalExtension => "has an unsupported critical extension",
        W::UnsupportedCrlIssuingDistributionPoint => {
            "the CRL's issuing distribution point is unsupported"
        }
        W::UnsupportedCrlVersion => "the CRL is not version 2",
        W::UnsupportedDeltaCrl => "delta CRLs are not supported",
        W::UnsupportedIndirectCrl => "indirect CRLs are not supported",
        W::UnsupportedNameType => "the name type is unsupported",
        W::UnsupportedRevocationReason => "the revocation reason is unsupported",
        W::UnsupportedRevocationReasonsPartitioning => "CRLs partitioned by reason are unsupported",
        W::UnsupportedCrlSignatureAlgorithm
        | W::UnsupportedCrlSignatureAlgorithmContext(_)
        | W::UnsupportedCrlSignatureAlgorithmForPublicKey
        | W::UnsupportedCrlSignatureAlgorithmForPublicKeyContext(_) => {
            "the CRL's signature algorithm is unsupported"
        }
        W::UnsupportedSignatureAlgorithm
        | W::UnsupportedSignatureAlgorithmContext(_)
        | W::UnsupportedSignatureAlgorithmForPublicKey
        | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
            "the signature algorithm is unsupported"
        }
        _ => "refused by rustls-webpki",
    }
}

/// Extensions webpki processes; any other critical extension makes it refuse the certificate.
const WEBPKI_EXTENSIONS: [&str; 6] = [
    "2.5.29.15",
    "2.5.29.17",
    "2.5.29.19",
    "2.5.29.30",
    "2.5.29.31",
    "2.5.29.37",
];

/// `(tbsCertificate TLV, signatureAlgorithm contents, signature bits)` of a certificate.
pub(crate) fn signed_parts(der: &[u8]) -> Option<(&[u8], &[u8], &[u8])> {
    let mut outer = SliceReader::new(der).ok()?;
    let header = der::Header::decode(&mut outer).ok()?;
    let body = outer.read_slice(header.length).ok()?;
    let mut r = SliceReader::new(body).ok()?;
    let tbs = r.tlv_bytes().ok()?;
    let alg = der::asn1::AnyRef::decode(&mut r).ok()?;
    let sig = der::asn1::BitStringRef::decode(&mut r).ok()?;
    Some((tbs, alg.value(), sig.as_bytes()?))
}

/// `(algorithm contents, subjectPublicKey bits)` of a certificate's SPKI.
fn spki_parts(cert: &Certificate) -> Option<(Vec<u8>, &[u8])> {
    let spki = &cert.x509().tbs_certificate.subject_public_key_info;
    let alg = spki.algorithm.to_der().ok()?;
    let mut r = SliceReader::new(&alg).ok()?;
    let any = der::asn1::AnyRef::decode(&mut r).ok()?;
    Some((any.value().to_vec(), spki.subject_public_key.as_bytes()?))
}

impl<'a> Context<'a> {
    fn anchor_certs(&self) -> &'a [Certificate] {
        &self.trust.anchors.certs
    }

    /// Maps a webpki path back onto the inputs (by address: webpki borrows our DER).
    pub(crate) fn resolve(&self, path: &webpki::VerifiedPath<'_>) -> Option<Resolved<'a>> {
        let mut nodes = alloc::vec![Node {
            role: CertRole::Leaf,
            cert: self.leaf,
        }];
        for c in path.intermediate_certificates() {
            let der = c.der();
            let i = self
                .intermediates
                .iter()
                .position(|x| x.der().as_ptr() == der.as_ref().as_ptr())?;
            nodes.push(Node {
                role: CertRole::Intermediate(i + 1),
                cert: self.intermediates.get(i)?,
            });
        }
        let anchors = &self.trust.anchors.anchors;
        let anchor_index = anchors
            .iter()
            .position(|a| core::ptr::eq(a, path.anchor()))?;
        Some(Resolved {
            nodes,
            anchor_index,
            anchor: self.anchor_certs().get(anchor_index)?,
        })
    }

    /// The chain reachable by following issuer → subject names from the leaf: the nodes, and
    /// the anchor reached (if any).
    fn name_chain(&self) -> (Vec<Node<'a>>, Option<Node<'a>>) {
        let mut nodes = alloc::vec![Node {
            role: CertRole::Leaf,
            cert: self.leaf,
        }];
        while nodes.len() <= MAX_PATH_INTERMEDIATES + 1 {
            let Some(last) = nodes.last() else { break };
            let issuer = &last.cert.x509().tbs_certificate.issuer;
            if let Some(i) = self
                .anchor_certs()
                .iter()
                .position(|a| &a.x509().tbs_certificate.subject == issuer)
            {
                let anchor = self.anchor_certs().get(i).map(|cert| Node {
                    role: CertRole::TrustAnchor(i + 1),
                    cert,
                });
                return (nodes, anchor);
            }
            let next = self.intermediates.iter().enumerate().find(|(_, c)| {
                &c.x509().tbs_certificate.subject == issuer
                    && !nodes.iter().any(|n| n.cert.der() == c.der())
            });
            match next {
                Some((i, cert)) => nodes.push(Node {
                    role: CertRole::Intermediate(i + 1),
                    cert,
                }),
                None => break,
            }
        }
        (nodes, None)
    }

    /// The one path the issuer names admit, when there is exactly one candidate issuer at
    /// every step (anchors and intermediates together, as webpki searches them).
    pub(crate) fn unique_name_path(&self) -> Option<Resolved<'a>> {
        let mut nodes = alloc::vec![Node {
            role: CertRole::Leaf,
            cert: self.leaf,
        }];
        while nodes.len() <= MAX_PATH_INTERMEDIATES + 1 {
            let issuer = &nodes.last()?.cert.x509().tbs_certificate.issuer;
            let anchors: Vec<usize> = (0..self.anchor_certs().len())
                .filter(|&i| {
                    self.anchor_certs()
                        .get(i)
                        .is_some_and(|a| &a.x509().tbs_certificate.subject == issuer)
                })
                .collect();
            let inters: Vec<usize> = (0..self.intermediates.len())
                .filter(|&i| {
                    self.intermediates.get(i).is_some_and(|c| {
                        &c.x509().tbs_certificate.subject == issuer
                            && !nodes.iter().any(|n| {
                                n.cert.x509().tbs_certificate.subject_public_key_info
                                    == c.x509().tbs_certificate.subject_public_key_info
                                    && n.cert.subject() == c.subject()
                            })
                    })
                })
                .collect();
            match (anchors.as_slice(), inters.as_slice()) {
                ([a], []) => {
                    return Some(Resolved {
                        nodes,
                        anchor_index: *a,
                        anchor: self.anchor_certs().get(*a)?,
                    });
                }
                ([], [i]) => nodes.push(Node {
                    role: CertRole::Intermediate(i + 1),
                    cert: self.intermediates.get(*i)?,
                }),
                _ => return None,
            }
        }
        None
    }

    /// The name chain, then every other intermediate: where to look for a culprit.
    fn suspects(&self) -> Vec<Node<'a>> {
        let (mut nodes, _) = self.name_chain();
        for (i, cert) in self.intermediates.iter().enumerate() {
            if !nodes.iter().any(|n| n.cert.der() == cert.der()) {
                nodes.push(Node {
                    role: CertRole::Intermediate(i + 1),
                    cert,
                });
            }
        }
        nodes
    }

    fn first(&self, pred: impl Fn(&Node<'a>) -> bool) -> Option<Node<'a>> {
        self.suspects().into_iter().find(pred)
    }

    fn leaf_ref(&self) -> CertRef {
        CertRef::leaf(self.leaf)
    }

    /// Explains a leaf webpki could not even parse.
    pub(crate) fn explain_leaf_parse(&self, e: &webpki::Error) -> PathError {
        if *e == webpki::Error::UnsupportedCriticalExtension {
            return self.explain(e);
        }
        PathError::Malformed {
            cert: self.leaf_ref(),
            reason: describe(e),
        }
    }

    /// Explains a webpki refusal, naming the certificate.
    pub(crate) fn explain(&self, e: &webpki::Error) -> PathError {
        use webpki::Error as W;
        let now = self.now.as_secs();
        let or_leaf = |n: Option<Node<'a>>| n.map_or_else(|| self.leaf_ref(), |n| n.cert_ref());
        #[allow(deprecated)]
        match e {
            W::CertExpired { not_after, .. } => {
                let node = self
                    .first(|n| n.cert.not_after() < now)
                    .or_else(|| self.first(|n| n.cert.not_after() == not_after.as_secs()));
                let not_after = node.map_or(not_after.as_secs(), |n| n.cert.not_after());
                PathError::Expired {
                    cert: or_leaf(node),
                    not_after,
                }
            }
            W::CertNotValidYet { not_before, .. } => {
                let node = self
                    .first(|n| n.cert.not_before() > now)
                    .or_else(|| self.first(|n| n.cert.not_before() == not_before.as_secs()));
                let not_before = node.map_or(not_before.as_secs(), |n| n.cert.not_before());
                PathError::NotYetValid {
                    cert: or_leaf(node),
                    not_before,
                }
            }
            W::InvalidCertValidity => PathError::InvalidValidity {
                cert: or_leaf(self.first(|n| n.cert.not_before() > n.cert.not_after())),
            },
            W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => {
                let oid = self.purpose.oid();
                PathError::WrongPurpose {
                    cert: or_leaf(self.first(|n| {
                        n.cert
                            .extended_key_usage()
                            .is_some_and(|ekus| !ekus.contains(&oid))
                    })),
                    purpose: self.purpose,
                }
            }
            W::EmptyEkuExtension => PathError::EmptyExtendedKeyUsage {
                cert: or_leaf(
                    self.first(|n| n.cert.extended_key_usage().is_some_and(<[_]>::is_empty)),
                ),
            },
            W::CaUsedAsEndEntity => PathError::CaUsedAsLeaf {
                cert: self.leaf_ref(),
            },
            W::EndEntityUsedAsCa => PathError::NotCa {
                cert: or_leaf(self.first(|n| n.role != CertRole::Leaf && !n.cert.is_ca())),
            },
            W::PathLenConstraintViolated => self.explain_path_len(),
            W::UnknownIssuer => {
                let (nodes, _) = self.name_chain();
                let last = nodes.last().map_or_else(|| self.leaf_ref(), Node::cert_ref);
                let issuer = nodes
                    .last()
                    .map_or(self.leaf, |n| n.cert)
                    .issuer()
                    .to_string();
                PathError::UnknownIssuer {
                    cert: last,
                    issuer,
                    anchors: self.trust.len(),
                }
            }
            W::InvalidSignatureForPublicKey => self.explain_signature(),
            W::UnsupportedSignatureAlgorithm
            | W::UnsupportedSignatureAlgorithmContext(_)
            | W::UnsupportedSignatureAlgorithmForPublicKey
            | W::UnsupportedSignatureAlgorithmForPublicKeyContext(_) => {
                let node = self.first(|n| {
                    signed_parts(n.cert.der())
                        .is_none_or(|(_, alg, _)| !self.algorithms.supports_signature(alg))
                });
                match node {
                    Some(n) => PathError::UnsupportedSignatureAlgorithm {
                        cert: n.cert_ref(),
                        algorithm: n.cert.signature_algorithm(),
                    },
                    // Every signature algorithm is known: the key does not match it.
                    None => self.explain_signature(),
                }
            }
            W::UnsupportedCriticalExtension => {
                let found = self.suspects().into_iter().find_map(|n| {
                    n.cert
                        .extensions()
                        .iter()
                        .find(|x| {
                            x.critical && !WEBPKI_EXTENSIONS.contains(&x.oid.to_string().as_str())
                        })
                        .map(|x| (n, x.name.map_or_else(|| x.oid.to_string(), String::from)))
                });
                match found {
                    Some((n, extension)) => PathError::UnsupportedCriticalExtension {
                        cert: n.cert_ref(),
                        extension,
                    },
                    None => PathError::UnsupportedCriticalExtension {
                        cert: self.leaf_ref(),
                        extension: String::from("(unknown)"),
                    },
                }
            }
            W::CertRevoked => PathError::Revoked {
                cert: or_leaf(self.first(|n| self.revoked(n.cert))),
            },
            W::UnknownRevocationStatus => PathError::RevocationUnknown {
                cert: or_leaf(self.first(|n| !self.has_crl_for(n.cert))),
            },
            W::CrlExpired { next_update, .. } => PathError::CrlExpired {
                cert: or_leaf(self.first(|n| self.has_crl_for(n.cert))),
                next_update: next_update.as_secs(),
            },
            W::NameConstraintViolation => PathError::NameConstraint {
                cert: self.leaf_ref(),
                name: None,
            },
            W::CertDistrusted => PathError::Distrusted {
                cert: self.leaf_ref(),
            },
            W::MaximumNameConstraintComparisonsExceeded
            | W::MaximumPathBuildCallsExceeded
            | W::MaximumPathDepthExceeded
            | W::MaximumSignatureChecksExceeded => PathError::TooComplex {
                budget: describe(e),
            },
            other => self.explain_malformed(other),
        }
    }

    /// Finds a certificate webpki refuses to parse, else names the leaf.
    fn explain_malformed(&self, e: &webpki::Error) -> PathError {
        for n in self.suspects() {
            let der = CertificateDer::from(n.cert.der());
            if let Err(err) = EndEntityCert::try_from(&der) {
                return PathError::Malformed {
                    cert: n.cert_ref(),
                    reason: describe(&err),
                };
            }
        }
        PathError::Malformed {
            cert: self.leaf_ref(),
            reason: describe(e),
        }
    }

    fn explain_path_len(&self) -> PathError {
        let (mut nodes, anchor) = self.name_chain();
        nodes.extend(anchor);
        // Position p (0 = leaf) has p - 1 intermediates below it (self-issued ones included:
        // webpki counts every intermediate).
        for (p, n) in nodes.iter().enumerate().skip(1) {
            if let Some(len) = n.cert.basic_constraints().and_then(|b| b.path_len) {
                if usize::from(len) < p - 1 {
                    return PathError::PathLenExceeded {
                        cert: n.cert_ref(),
                        path_len: len,
                    };
                }
            }
        }
        PathError::PathLenExceeded {
            cert: self.leaf_ref(),
            path_len: 0,
        }
    }

    /// Re-verifies each link of the name chain to find the bad signature.
    fn explain_signature(&self) -> PathError {
        let (mut nodes, anchor) = self.name_chain();
        nodes.extend(anchor);
        for pair in nodes.windows(2) {
            let [child, issuer] = pair else { continue };
            let ok = (|| {
                let (tbs, alg, sig) = signed_parts(child.cert.der())?;
                let (key_alg, key) = spki_parts(issuer.cert)?;
                let a = self.algorithms.find(&key_alg, alg)?;
                a.verify_signature(key, tbs, sig).ok()
            })();
            if ok.is_none() {
                return PathError::BadSignature {
                    cert: child.cert_ref(),
                };
            }
        }
        PathError::BadSignature {
            cert: self.leaf_ref(),
        }
    }

    /// Is this certificate the issuer of a configured CRL?
    pub(crate) fn is_crl_issuer(&self, cert: &Certificate) -> bool {
        let Some(crls) = &self.trust.crls else {
            return false;
        };
        let subject = cert
            .x509()
            .tbs_certificate
            .subject
            .to_der()
            .unwrap_or_default();
        // webpki's CRL issuer is the Name's contents (no outer SEQUENCE header).
        let Some(contents) = SliceReader::new(&subject)
            .ok()
            .and_then(|mut r| der::Header::decode(&mut r).ok().map(|_| r))
            .and_then(|mut r| r.read_slice(r.remaining_len()).ok())
        else {
            return false;
        };
        crls.crls.iter().any(|crl| crl.issuer() == contents)
    }

    /// Does any CRL name this certificate's issuer?
    fn has_crl_for(&self, cert: &Certificate) -> bool {
        let Some(crls) = &self.trust.crls else {
            return false;
        };
        let der = CertificateDer::from(cert.der());
        let Ok(ee) = EndEntityCert::try_from(&der) else {
            return false;
        };
        crls.crls.iter().any(|crl| crl.issuer() == ee.issuer())
    }

    /// Does a CRL from this certificate's issuer list its serial?
    fn revoked(&self, cert: &Certificate) -> bool {
        let Some(crls) = &self.trust.crls else {
            return false;
        };
        let der = CertificateDer::from(cert.der());
        let Ok(ee) = EndEntityCert::try_from(&der) else {
            return false;
        };
        crls.crls
            .iter()
            .filter(|crl| crl.issuer() == ee.issuer())
            .any(|crl| matches!(crl.find_serial(ee.serial()), Ok(Some(_))))
    }
}
