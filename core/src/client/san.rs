//! `tls_client_auth_san_*`: registered subject alternative names, validated at load, and their
//! comparison with a certificate's SANs (RFC 8705 §2.1.2).
//!
//! | metadata | certificate SAN | comparison |
//! |---|---|---|
//! | `tls_client_auth_san_dns` | `dNSName` | ASCII case-insensitive, exact: no wildcard expansion (a registered `*.example.com` only matches a SAN that is literally `*.example.com`). One trailing dot of the *registered* value is removed at load (`api.example.com.` is the same host); a certificate SAN with a trailing dot is malformed (RFC 5280 §4.2.1.6) and never matches. |
//! | `tls_client_auth_san_uri` | `uniformResourceIdentifier` | byte-exact |
//! | `tls_client_auth_san_ip` | `iPAddress` | binary: the registered text (IPv4 dotted quad, or any RFC 4291 IPv6 form — `::1` = `0:0:0:0:0:0:0:1`) is parsed with `core::net::IpAddr::from_str`. An IPv4-mapped IPv6 address does not match the IPv4 address. |
//! | `tls_client_auth_san_email` | `rfc822Name` | RFC 5280 §7.5: the local part is case-sensitive, the domain (after the last `@`) ASCII case-insensitive |

use alloc::string::String;
use core::fmt;
use core::net::IpAddr;

use crate::cert::Certificate;

/// Longest registered SAN value accepted, in bytes (RFC 1035 limits names to 253 octets; URIs in
/// certificates stay far below this).
pub const MAX_SAN_BYTES: usize = 2048;

/// The one subject matcher of a `tls_client_auth` registration (RFC 8705 §2.1.2).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubjectMatcher {
    /// `tls_client_auth_san_dns`, stored without a trailing dot.
    SanDns(String),
    /// `tls_client_auth_san_email`.
    SanEmail(String),
    /// `tls_client_auth_san_ip`.
    SanIp(IpAddr),
    /// `tls_client_auth_san_uri`.
    SanUri(String),
    /// `tls_client_auth_subject_dn`.
    SubjectDn(super::dn::RegisteredDn),
}

/// The kind of SAN a matcher looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SanKind {
    /// `dNSName`.
    Dns,
    /// `rfc822Name`.
    Email,
    /// `iPAddress`.
    Ip,
    /// `uniformResourceIdentifier`.
    Uri,
}

impl SanKind {
    /// The RFC 5280 name of the SAN type (`dNSName`, …).
    pub fn general_name(self) -> &'static str {
        match self {
            Self::Dns => "dNSName",
            Self::Email => "rfc822Name",
            Self::Ip => "iPAddress",
            Self::Uri => "uniformResourceIdentifier",
        }
    }

    /// The registration metadata key (`tls_client_auth_san_dns`, …).
    pub fn metadata_name(self) -> &'static str {
        match self {
            Self::Dns => "tls_client_auth_san_dns",
            Self::Email => "tls_client_auth_san_email",
            Self::Ip => "tls_client_auth_san_ip",
            Self::Uri => "tls_client_auth_san_uri",
        }
    }

    /// The certificate's SANs of this kind, as text.
    pub fn present(self, cert: &Certificate) -> alloc::vec::Vec<String> {
        let san = cert.san();
        match self {
            Self::Dns => san.dns.clone(),
            Self::Email => san.email.clone(),
            Self::Ip => san
                .ip
                .iter()
                .map(alloc::string::ToString::to_string)
                .collect(),
            Self::Uri => san.uri.clone(),
        }
    }
}

impl fmt::Display for SanKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.general_name())
    }
}

/// Why a registered SAN value was refused.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SanValueProblem {
    /// The value is empty.
    Empty,
    /// A DNS name with a character outside printable ASCII, or white space.
    InvalidDns,
    /// An email address without `@`, or with an empty local part or domain.
    InvalidEmail,
    /// Not an IPv4 or IPv6 address in text form.
    InvalidIp,
    /// A URI with white space or a control character.
    InvalidUri,
    /// Longer than [`MAX_SAN_BYTES`].
    TooLong,
}

impl fmt::Display for SanValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("it is empty"),
            Self::InvalidDns => f.write_str("a DNS name is printable ASCII without spaces"),
            Self::InvalidEmail => f.write_str("expected local-part@domain"),
            Self::InvalidIp => f.write_str(
                "expected an IPv4 (192.0.2.1) or IPv6 (2001:db8::1) address, without brackets, prefix or zone",
            ),
            Self::InvalidUri => f.write_str("a URI has no spaces or control characters"),
            Self::TooLong => write!(f, "it is longer than {MAX_SAN_BYTES} bytes"),
        }
    }
}

/// Parses and normalises a registered SAN value.
///
/// # Errors
/// [`SanValueProblem`] saying what form is expected.
pub fn parse_registered(kind: SanKind, value: &str) -> Result<SubjectMatcher, SanValueProblem> {
    if value.is_empty() {
        return Err(SanValueProblem::Empty);
    }
    if value.len() > MAX_SAN_BYTES {
        return Err(SanValueProblem::TooLong);
    }
    let printable = |s: &str| s.bytes().all(|b| b.is_ascii_graphic());
    match kind {
        SanKind::Dns => {
            let name = value.strip_suffix('.').unwrap_or(value);
            if name.is_empty() || !printable(name) {
                return Err(SanValueProblem::InvalidDns);
            }
            Ok(SubjectMatcher::SanDns(String::from(name)))
        }
        SanKind::Email => {
            let ok = value.rsplit_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.is_empty() && !value.chars().any(char::is_control)
            });
            if !ok {
                return Err(SanValueProblem::InvalidEmail);
            }
            Ok(SubjectMatcher::SanEmail(String::from(value)))
        }
        SanKind::Ip => value
            .parse::<IpAddr>()
            .map(SubjectMatcher::SanIp)
            .map_err(|_| SanValueProblem::InvalidIp),
        SanKind::Uri => {
            if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(SanValueProblem::InvalidUri);
            }
            Ok(SubjectMatcher::SanUri(String::from(value)))
        }
    }
}

/// Registered DNS name (no trailing dot) vs a certificate `dNSName`.
pub fn dns_matches(registered: &str, presented: &str) -> bool {
    registered.eq_ignore_ascii_case(presented)
}

/// Registered email vs a certificate `rfc822Name` (RFC 5280 §7.5).
pub fn email_matches(registered: &str, presented: &str) -> bool {
    match (registered.rsplit_once('@'), presented.rsplit_once('@')) {
        (Some((rl, rd)), Some((pl, pd))) => rl == pl && rd.eq_ignore_ascii_case(pd),
        _ => false,
    }
}

impl SubjectMatcher {
    /// The registration metadata key this matcher came from.
    pub fn metadata_name(&self) -> &'static str {
        match self {
            Self::SubjectDn(_) => "tls_client_auth_subject_dn",
            Self::SanDns(_) => SanKind::Dns.metadata_name(),
            Self::SanEmail(_) => SanKind::Email.metadata_name(),
            Self::SanIp(_) => SanKind::Ip.metadata_name(),
            Self::SanUri(_) => SanKind::Uri.metadata_name(),
        }
    }

    /// The SAN kind, for SAN matchers.
    pub fn san_kind(&self) -> Option<SanKind> {
        match self {
            Self::SubjectDn(_) => None,
            Self::SanDns(_) => Some(SanKind::Dns),
            Self::SanEmail(_) => Some(SanKind::Email),
            Self::SanIp(_) => Some(SanKind::Ip),
            Self::SanUri(_) => Some(SanKind::Uri),
        }
    }

    /// Does the certificate carry the registered subject?
    pub fn matches(&self, cert: &Certificate) -> bool {
        let san = cert.san();
        match self {
            Self::SubjectDn(dn) => dn.matches(cert.subject()),
            Self::SanDns(r) => san.dns.iter().any(|p| dns_matches(r, p)),
            Self::SanEmail(r) => san.email.iter().any(|p| email_matches(r, p)),
            Self::SanIp(r) => san.ip.contains(r),
            Self::SanUri(r) => san.uri.iter().any(|p| p == r),
        }
    }
}

impl fmt::Display for SubjectMatcher {
    /// The registered value, normalised.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SubjectDn(dn) => dn.fmt(f),
            Self::SanDns(s) | Self::SanEmail(s) | Self::SanUri(s) => f.write_str(s),
            Self::SanIp(ip) => ip.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    #[test]
    fn dns_is_case_insensitive_exact_without_wildcards() {
        // Intent: ASCII case folds; no wildcard expansion; no suffix or prefix matching.
        assert!(dns_matches("api.example.com", "API.Example.COM"));
        assert!(!dns_matches("api.example.com", "*.example.com"));
        assert!(!dns_matches("*.example.com", "api.example.com"));
        assert!(dns_matches("*.example.com", "*.EXAMPLE.com"));
        assert!(!dns_matches("api.example.com", "api.example.com.evil"));
        assert!(!dns_matches("api.example.com", "api.example.com."));
    }

    #[test]
    fn registered_dns_trailing_dot_is_removed() {
        // Intent: `api.example.com.` registers the same host as `api.example.com`.
        assert_eq!(
            parse_registered(SanKind::Dns, "api.example.com."),
            Ok(SubjectMatcher::SanDns("api.example.com".to_string()))
        );
        assert_eq!(
            parse_registered(SanKind::Dns, "."),
            Err(SanValueProblem::InvalidDns)
        );
        assert_eq!(
            parse_registered(SanKind::Dns, "a b.example"),
            Err(SanValueProblem::InvalidDns)
        );
    }

    #[test]
    fn email_local_part_is_case_sensitive_domain_is_not() {
        // Intent: RFC 5280 §7.5 comparison of rfc822Name.
        assert!(email_matches("Alice@Example.COM", "Alice@example.com"));
        assert!(!email_matches("Alice@example.com", "alice@example.com"));
        assert!(!email_matches(
            "alice@example.com",
            "alice@example.com.evil"
        ));
        assert!(!email_matches("alice@example.com", "example.com"));
        assert!(email_matches("\"a@b\"@example.com", "\"a@b\"@EXAMPLE.com"));
        assert_eq!(
            parse_registered(SanKind::Email, "@example.com"),
            Err(SanValueProblem::InvalidEmail)
        );
    }

    #[test]
    fn ip_text_forms_parse_to_the_same_address() {
        // Intent: RFC 5952 and other valid IPv6 text forms are one binary address.
        let forms = ["::1", "0:0:0:0:0:0:0:1", "0000:0000::0001"];
        let parsed: alloc::vec::Vec<_> = forms
            .iter()
            .map(|f| parse_registered(SanKind::Ip, f).unwrap())
            .collect();
        assert!(parsed.windows(2).all(|w| w[0] == w[1]));
        assert_eq!(parsed[0].to_string(), "::1");
        assert_ne!(
            parse_registered(SanKind::Ip, "::ffff:127.0.0.1"),
            parse_registered(SanKind::Ip, "127.0.0.1")
        );
        for bad in ["[::1]", "10.0.0.1/8", "fe80::1%eth0", "010.0.0.1", "1.2.3"] {
            assert_eq!(
                parse_registered(SanKind::Ip, bad),
                Err(SanValueProblem::InvalidIp),
                "{bad}"
            );
        }
    }
}
