//! Checks certbound adds on top of rustls-webpki, run on every candidate path webpki accepts.
//!
//! Each check exists because an x509-limbo case showed webpki accepting a chain RFC 5280
//! forbids, and was kept only if it caused no false rejection on the suite.
//!
//! - **RFC 822 (email) name constraints** (RFC 5280 §4.2.1.10). webpki does not implement
//!   them: it refuses *every* email name under an email constraint. certbound evaluates them
//!   (mailbox, host and `.domain` forms; local part case-sensitive, domain case-insensitive)
//!   against `rfc822Name` SANs and subject `emailAddress` attributes, and refuses malformed
//!   addresses and constraints.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use const_oid::ObjectIdentifier;
use der::Decode;
use x509_cert::ext::pkix::constraints::name::{GeneralSubtrees, NameConstraints};
use x509_cert::ext::pkix::name::GeneralName;

use super::PathError;
use super::diagnose::{Context, Node, Resolved};
use crate::Certificate;

/// An RFC 5280 profile rule a certificate breaks (beyond what webpki checks).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProfileProblem {
    /// An `rfc822Name` (SAN or subject `emailAddress`) is not a valid mailbox.
    MalformedEmail {
        /// The address.
        address: String,
    },
    /// An `rfc822Name` name constraint is neither a mailbox, a host, nor `.domain`.
    MalformedEmailConstraint {
        /// The constraint.
        constraint: String,
    },
    /// The name constraints extension does not parse.
    MalformedNameConstraints,
}

impl fmt::Display for ProfileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MalformedEmail { address } => {
                write!(f, "email address {address:?} is not a valid mailbox")
            }
            Self::MalformedEmailConstraint { constraint } => write!(
                f,
                "email name constraint {constraint:?} is not a mailbox, host or .domain"
            ),
            Self::MalformedNameConstraints => {
                f.write_str("name constraints extension is malformed")
            }
        }
    }
}

const OID_NAME_CONSTRAINTS: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.30");
const OID_EMAIL_ADDRESS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1");

/// Runs the extra checks on a path webpki accepted.
pub(crate) fn check(_ctx: &Context<'_>, path: &Resolved<'_>) -> Result<(), PathError> {
    check_email_constraints(path)
}

/// The certificate's name constraints, if any.
fn name_constraints(node: &Node<'_>) -> Result<Option<NameConstraints>, PathError> {
    let Some(exts) = node.cert.x509().tbs_certificate.extensions.as_ref() else {
        return Ok(None);
    };
    let Some(ext) = exts.iter().find(|e| e.extn_id == OID_NAME_CONSTRAINTS) else {
        return Ok(None);
    };
    NameConstraints::from_der(ext.extn_value.as_bytes())
        .map(Some)
        .map_err(|_| PathError::Profile {
            cert: node.cert_ref(),
            problem: ProfileProblem::MalformedNameConstraints,
        })
}

/// Email constraints of one subtree list, validated.
fn email_bases<'a>(
    node: &Node<'_>,
    subtrees: Option<&'a GeneralSubtrees>,
) -> Result<Vec<&'a str>, PathError> {
    let mut out = Vec::new();
    for s in subtrees.into_iter().flatten() {
        if let GeneralName::Rfc822Name(c) = &s.base {
            let c = c.as_str();
            if !valid_email_constraint(c) {
                return Err(PathError::Profile {
                    cert: node.cert_ref(),
                    problem: ProfileProblem::MalformedEmailConstraint {
                        constraint: c.to_string(),
                    },
                });
            }
            out.push(c);
        }
    }
    Ok(out)
}

/// Are all the name constraints in `nodes` about email only (so webpki's verdict on every
/// other name form is "no constraint")?
pub(crate) fn only_email_constraints(nodes: &[Node<'_>]) -> bool {
    nodes.iter().all(|n| match name_constraints(n) {
        Ok(None) => true,
        Ok(Some(nc)) => [&nc.permitted_subtrees, &nc.excluded_subtrees]
            .into_iter()
            .flatten()
            .flatten()
            .all(|s| matches!(s.base, GeneralName::Rfc822Name(_))),
        Err(_) => false,
    })
}

/// Email names of a certificate: `rfc822Name` SANs and subject `emailAddress` attributes.
fn email_names(cert: &Certificate) -> Vec<&str> {
    let mut out: Vec<&str> = cert.san().email.iter().map(String::as_str).collect();
    out.extend(
        cert.subject()
            .attributes()
            .filter(|a| a.oid() == OID_EMAIL_ADDRESS)
            .filter_map(|a| a.text()),
    );
    out
}

/// RFC 5280 §4.2.1.10 for `rfc822Name`: each constraining CA's permitted / excluded email
/// subtrees apply to every certificate below it (self-issued intermediates excepted, §6.1.3).
fn check_email_constraints(path: &Resolved<'_>) -> Result<(), PathError> {
    let anchor = Node {
        role: super::CertRole::TrustAnchor(path.anchor_index + 1),
        cert: path.anchor,
    };
    // Top-down: the anchor, then intermediates nearest the anchor first.
    let mut all: Vec<Node<'_>> = path.nodes.clone();
    all.push(anchor);
    for (ca_pos, ca) in all.iter().enumerate().skip(1) {
        let Some(nc) = name_constraints(ca)? else {
            continue;
        };
        let permitted = email_bases(ca, nc.permitted_subtrees.as_ref())?;
        let excluded = email_bases(ca, nc.excluded_subtrees.as_ref())?;
        if permitted.is_empty() && excluded.is_empty() {
            continue;
        }
        let below = all.get(..ca_pos).unwrap_or_default();
        for (pos, node) in below.iter().enumerate() {
            if pos > 0 && node.cert.is_self_issued() {
                continue;
            }
            for name in email_names(node.cert) {
                let Some(mailbox) = Mailbox::parse(name) else {
                    return Err(PathError::Profile {
                        cert: node.cert_ref(),
                        problem: ProfileProblem::MalformedEmail {
                            address: name.to_string(),
                        },
                    });
                };
                let denied = excluded.iter().any(|c| mailbox.matches(c))
                    || (!permitted.is_empty() && !permitted.iter().any(|c| mailbox.matches(c)));
                if denied {
                    return Err(PathError::NameConstraint {
                        cert: node.cert_ref(),
                        name: Some(name.to_string()),
                    });
                }
            }
        }
    }
    Ok(())
}

/// Is this needed at all? Whether a certificate in the path has an email name.
pub(crate) fn has_email_names(nodes: &[Node<'_>]) -> bool {
    nodes.iter().any(|n| !email_names(n.cert).is_empty())
}

/// A syntactically valid `local@domain` (RFC 5321 dot-atom local part; quoted local parts are
/// refused: no CA issues them and they complicate matching).
struct Mailbox<'a> {
    local: &'a str,
    domain: &'a str,
}

impl<'a> Mailbox<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let (local, domain) = text.split_once('@')?;
        if !valid_local_part(local) || !valid_domain(domain) {
            return None;
        }
        Some(Self { local, domain })
    }

    /// RFC 5280 §4.2.1.10 email constraint matching; `constraint` is already validated.
    fn matches(&self, constraint: &str) -> bool {
        if let Some((local, domain)) = constraint.split_once('@') {
            self.local == local && self.domain.eq_ignore_ascii_case(domain)
        } else if constraint.starts_with('.') {
            self.domain.len() > constraint.len()
                && self
                    .domain
                    .get(self.domain.len() - constraint.len()..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(constraint))
        } else {
            self.domain.eq_ignore_ascii_case(constraint)
        }
    }
}

fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &[u8] = b"!#$%&'*+-/=?^_`{|}~";
    !local.is_empty()
        && local.len() <= 64
        && local.split('.').all(|atom| {
            !atom.is_empty()
                && atom
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || SPECIALS.contains(&b))
        })
}

fn valid_domain(domain: &str) -> bool {
    !domain.is_empty()
        && domain.len() <= 253
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn valid_email_constraint(c: &str) -> bool {
    if c.contains('@') {
        Mailbox::parse(c).is_some()
    } else if let Some(rest) = c.strip_prefix('.') {
        valid_domain(rest)
    } else {
        valid_domain(c)
    }
}
