//! Client certificates forwarded in request headers by TLS-terminating proxies.
//!
//! A deployment names its proxy once, in configuration ([`CertSource`]); certbound then reads
//! exactly the headers that proxy writes, in exactly its encoding. Nothing is guessed from
//! whichever header happens to be present: a request carrying another proxy's header is simply
//! a request without a certificate.
//!
//! | source | header(s) | encoding |
//! |---|---|---|
//! | `rfc9440` | `Client-Cert`, `Client-Cert-Chain` | RFC 8941 byte sequence / list of them |
//! | `cloudflare` | `Cf-Client-Cert-Der-Base64` | base64 DER, checked against [`CloudflareHints`] |
//! | `envoy` | `x-forwarded-client-cert` | XFCC; `Cert` / `Chain` are URL-encoded PEM |
//! | `nginx` | `X-SSL-Client-Cert` (configurable) | URL-encoded PEM, or tab-folded PEM |
//! | `aws-alb` | `X-Amzn-Mtls-Clientcert` / `X-Amzn-Mtls-Clientcert-Leaf` | URL-encoded PEM |
//! | `traefik` | `X-Forwarded-Tls-Client-Cert` | base64 DER joined by `,`, maybe URL-escaped |
//! | `haproxy` | `X-SSL-Client-Der` (configurable) | base64 DER |
//! | `azure` | `X-ARR-ClientCert` | base64 DER |
//!
//! **Security.** These headers are only as trustworthy as the hop that set them. An adapter must
//! remove every name in [`CertSource::header_names`] from requests that did not come through the
//! configured proxy, and before forwarding a request further.
//!
//! ```
//! use certbound_core::forwarded::{decode, CertSource, Limits};
//!
//! let source: CertSource = "haproxy".parse()?;
//! let headers = [("Accept", "*/*")];
//! assert!(decode(&source, &headers[..], &Limits::default())?.is_none());
//! # Ok::<(), certbound_core::Error>(())
//! ```

mod aws_alb;
mod cloudflare;
mod encoding;
mod error;
mod nginx;
mod rfc9440;
mod traefik;
mod xfcc;

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

pub use self::cloudflare::{CloudflareHints, decode_cloudflare};
pub use self::error::{CertRole, ForwardedError, XfccProblem};
use crate::{CertThumbprint, Certificate, Error};

/// Default for [`Limits::max_header_bytes`]: 16 KiB. A leaf plus three RSA-4096 intermediates,
/// URL-encoded PEM, is about 10 KiB; common proxies cap a whole request header block near
/// 8–64 KiB, and every byte here is parsed before anyone has been authenticated.
pub const DEFAULT_MAX_HEADER_BYTES: usize = 16 * 1024;

/// Default for [`Limits::max_chain`]: 10 certificates besides the leaf, above any real PKI depth
/// (rustls-webpki stops path building at 6 intermediates).
pub const DEFAULT_MAX_CHAIN: usize = 10;

/// Longest configurable header name accepted: 128 bytes, far above any real one.
pub const MAX_HEADER_NAME_BYTES: usize = 128;

const RFC9440_CERT: &str = "Client-Cert";
const RFC9440_CHAIN: &str = "Client-Cert-Chain";
const CLOUDFLARE_CERT: &str = "Cf-Client-Cert-Der-Base64";
const CLOUDFLARE_SHA256: &str = "Cf-Client-Cert-Sha256";
const XFCC: &str = "x-forwarded-client-cert";
const NGINX_DEFAULT: &str = "X-SSL-Client-Cert";
const ALB_CHAIN: &str = "X-Amzn-Mtls-Clientcert";
const ALB_LEAF: &str = "X-Amzn-Mtls-Clientcert-Leaf";
const ALB_INFO: [&str; 4] = [
    "X-Amzn-Mtls-Clientcert-Serial-Number",
    "X-Amzn-Mtls-Clientcert-Issuer",
    "X-Amzn-Mtls-Clientcert-Subject",
    "X-Amzn-Mtls-Clientcert-Validity",
];
const TRAEFIK_CERT: &str = "X-Forwarded-Tls-Client-Cert";
const TRAEFIK_INFO: &str = "X-Forwarded-Tls-Client-Cert-Info";
const HAPROXY_DEFAULT: &str = "X-SSL-Client-Der";
const AZURE_CERT: &str = "X-ARR-ClientCert";

/// Request headers, as an adapter sees them. Core depends on no HTTP crate.
pub trait Headers {
    /// The values of every field line named `name` (ASCII case-insensitive), in the order
    /// received; empty when absent. Values are not combined.
    fn get_all(&self, name: &str) -> Vec<&str>;
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for [(K, V)] {
    fn get_all(&self, name: &str) -> Vec<&str> {
        self.iter()
            .filter(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
            .collect()
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Headers for Vec<(K, V)> {
    fn get_all(&self, name: &str) -> Vec<&str> {
        self.as_slice().get_all(name)
    }
}

impl<K: AsRef<str>, V: AsRef<str>, const N: usize> Headers for [(K, V); N] {
    fn get_all(&self, name: &str) -> Vec<&str> {
        self.as_slice().get_all(name)
    }
}

/// A header name from configuration: a non-empty RFC 9110 token of at most
/// [`MAX_HEADER_NAME_BYTES`] bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderName(String);

impl HeaderName {
    /// Validates a header name.
    ///
    /// # Errors
    /// [`ForwardedError::InvalidHeaderName`] when empty, too long or not a token.
    pub fn new(name: &str) -> Result<Self, Error> {
        let tchar = |c: u8| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c);
        if name.is_empty() || name.len() > MAX_HEADER_NAME_BYTES || !name.bytes().all(tchar) {
            return Err(ForwardedError::InvalidHeaderName {
                name: error::truncated(name),
            }
            .into());
        }
        Ok(Self(name.to_owned()))
    }

    /// The name as configured.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which element of an `x-forwarded-client-cert` list holds the client certificate.
///
/// Each proxy hop appends one element, so the element describing the client's TLS connection
/// to *our* proxy is the one our proxy appended: the last, unless further hops follow it.
///
/// Elements before it are only as trustworthy as the hops that wrote them: with Envoy's
/// `APPEND_FORWARD` a client can send its own XFCC, and if our proxy then appends nothing (no
/// client certificate) a forged element is last, whatever `By` it claims. Run the edge proxy
/// with `SANITIZE_SET` (or strip the header before it) so the list starts at a trusted hop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XfccElement {
    /// The last element whose `By` (the appending proxy's URI SAN) equals this value.
    By(String),
    /// The first element.
    First,
    /// The last element (the default).
    Last,
}

/// Options for the Envoy source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvoyOptions {
    element: XfccElement,
}

impl EnvoyOptions {
    /// Defaults: the last element.
    pub fn new() -> Self {
        Self {
            element: XfccElement::Last,
        }
    }

    /// Selects the element holding the client certificate (default [`XfccElement::Last`]).
    #[must_use]
    pub fn element(mut self, element: XfccElement) -> Self {
        self.element = element;
        self
    }

    /// The element selection.
    pub fn selected_element(&self) -> &XfccElement {
        &self.element
    }
}

impl Default for EnvoyOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// The proxy that forwards the client certificate, and so the header format to read.
///
/// Textual names (`FromStr` / `Display`): `rfc9440`, `cloudflare`, `envoy` (also `envoy:first`,
/// `envoy:last`, `envoy:by=<URI>`), `nginx` (or `nginx:<Header-Name>`), `aws-alb`, `traefik`,
/// `haproxy` (or `haproxy:<Header-Name>`), `azure`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertSource {
    /// AWS Application Load Balancer mTLS: `X-Amzn-Mtls-Clientcert` (passthrough mode, leaf and
    /// chain) or `X-Amzn-Mtls-Clientcert-Leaf` (verify mode), URL-encoded PEM.
    AwsAlb,
    /// Azure App Service: `X-ARR-ClientCert`, base64 DER.
    Azure,
    /// Cloudflare client certificate forwarding: `Cf-Client-Cert-Der-Base64`, base64 DER.
    Cloudflare,
    /// Envoy `x-forwarded-client-cert`.
    Envoy(EnvoyOptions),
    /// HAProxy `%[ssl_c_der,base64]` in a configurable header.
    Haproxy {
        /// The header (default `X-SSL-Client-Der`).
        header: HeaderName,
    },
    /// nginx `$ssl_client_escaped_cert` (or legacy `$ssl_client_cert`) in a configurable header.
    Nginx {
        /// The header (default `X-SSL-Client-Cert`).
        header: HeaderName,
    },
    /// RFC 9440 `Client-Cert` and `Client-Cert-Chain`.
    Rfc9440,
    /// Traefik `passTLSClientCert` with `pem: true`: `X-Forwarded-Tls-Client-Cert`.
    Traefik,
}

impl CertSource {
    /// nginx with its default header `X-SSL-Client-Cert`.
    pub fn nginx() -> Self {
        Self::Nginx {
            header: HeaderName(NGINX_DEFAULT.to_owned()),
        }
    }

    /// HAProxy with its default header `X-SSL-Client-Der`.
    pub fn haproxy() -> Self {
        Self::Haproxy {
            header: HeaderName(HAPROXY_DEFAULT.to_owned()),
        }
    }

    /// The source's name, without options.
    pub fn name(&self) -> &'static str {
        match self {
            Self::AwsAlb => "aws-alb",
            Self::Azure => "azure",
            Self::Cloudflare => "cloudflare",
            Self::Envoy(_) => "envoy",
            Self::Haproxy { .. } => "haproxy",
            Self::Nginx { .. } => "nginx",
            Self::Rfc9440 => "rfc9440",
            Self::Traefik => "traefik",
        }
    }

    /// Every header this source reads, plus the companion headers its proxy sets about the
    /// client certificate. An adapter must strip all of them from requests that did not come
    /// through the configured proxy, and before forwarding a request to another origin.
    pub fn header_names(&self) -> Vec<&str> {
        match self {
            Self::AwsAlb => {
                let mut v = alloc::vec![ALB_CHAIN, ALB_LEAF];
                v.extend(ALB_INFO);
                v
            }
            Self::Azure => alloc::vec![AZURE_CERT],
            Self::Cloudflare => alloc::vec![CLOUDFLARE_CERT, CLOUDFLARE_SHA256],
            Self::Envoy(_) => alloc::vec![XFCC],
            Self::Haproxy { header } | Self::Nginx { header } => alloc::vec![header.as_str()],
            Self::Rfc9440 => alloc::vec![RFC9440_CERT, RFC9440_CHAIN],
            Self::Traefik => alloc::vec![TRAEFIK_CERT, TRAEFIK_INFO],
        }
    }

    /// The header holding the client certificate (the first one read, for two-header sources).
    fn primary_header(&self) -> &str {
        match self {
            Self::AwsAlb => ALB_CHAIN,
            Self::Azure => AZURE_CERT,
            Self::Cloudflare => CLOUDFLARE_CERT,
            Self::Envoy(_) => XFCC,
            Self::Haproxy { header } | Self::Nginx { header } => header.as_str(),
            Self::Rfc9440 => RFC9440_CERT,
            Self::Traefik => TRAEFIK_CERT,
        }
    }
}

impl FromStr for CertSource {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let unknown = || {
            Error::from(ForwardedError::UnknownSource {
                name: error::truncated(s),
            })
        };
        let (name, option) = match s.split_once(':') {
            Some((n, o)) => (n, Some(o)),
            None => (s, None),
        };
        let header = |default: &str| HeaderName::new(option.unwrap_or(default));
        Ok(match (name, option) {
            ("aws-alb", None) => Self::AwsAlb,
            ("azure", None) => Self::Azure,
            ("cloudflare", None) => Self::Cloudflare,
            ("envoy", None | Some("last")) => Self::Envoy(EnvoyOptions::new()),
            ("envoy", Some("first")) => {
                Self::Envoy(EnvoyOptions::new().element(XfccElement::First))
            }
            ("envoy", Some(o)) => match o.strip_prefix("by=") {
                Some(by) if !by.is_empty() => {
                    Self::Envoy(EnvoyOptions::new().element(XfccElement::By(by.to_owned())))
                }
                _ => return Err(unknown()),
            },
            ("haproxy", _) => Self::Haproxy {
                header: header(HAPROXY_DEFAULT)?,
            },
            ("nginx", _) => Self::Nginx {
                header: header(NGINX_DEFAULT)?,
            },
            ("rfc9440", None) => Self::Rfc9440,
            ("traefik", None) => Self::Traefik,
            _ => return Err(unknown()),
        })
    }
}

impl fmt::Display for CertSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())?;
        match self {
            Self::Envoy(o) => match &o.element {
                XfccElement::By(by) => write!(f, ":by={by}"),
                XfccElement::First => f.write_str(":first"),
                XfccElement::Last => Ok(()),
            },
            Self::Haproxy { header } if header.as_str() != HAPROXY_DEFAULT => {
                write!(f, ":{header}")
            }
            Self::Nginx { header } if header.as_str() != NGINX_DEFAULT => write!(f, ":{header}"),
            _ => Ok(()),
        }
    }
}

/// Resource limits applied before any decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    max_header_bytes: usize,
    max_chain: usize,
}

impl Limits {
    /// Limits with the given header size (bytes, all field lines of one header together) and
    /// chain length (certificates besides the leaf).
    pub const fn new(max_header_bytes: usize, max_chain: usize) -> Self {
        Self {
            max_header_bytes,
            max_chain,
        }
    }

    /// Largest header accepted, in bytes.
    pub const fn max_header_bytes(&self) -> usize {
        self.max_header_bytes
    }

    /// Most chain certificates accepted besides the leaf.
    pub const fn max_chain(&self) -> usize {
        self.max_chain
    }
}

impl Default for Limits {
    /// [`DEFAULT_MAX_HEADER_BYTES`] and [`DEFAULT_MAX_CHAIN`].
    fn default() -> Self {
        Self::new(DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_CHAIN)
    }
}

/// A client certificate and the chain the proxy forwarded with it (possibly empty). Nothing
/// here is verified: the chain is what the client sent, for path validation to judge.
#[derive(Debug, Clone, PartialEq)]
pub struct ForwardedCert {
    leaf: Certificate,
    chain: Vec<Certificate>,
}

impl ForwardedCert {
    /// The client certificate.
    pub fn leaf(&self) -> &Certificate {
        &self.leaf
    }

    /// The other certificates, in the order forwarded (issuer of the leaf first, normally).
    pub fn chain(&self) -> &[Certificate] {
        &self.chain
    }

    /// Leaf and chain, by value.
    pub fn into_parts(self) -> (Certificate, Vec<Certificate>) {
        (self.leaf, self.chain)
    }
}

/// Reads the client certificate a configured proxy forwarded.
///
/// `Ok(None)` means the source's certificate header is absent: the client sent no certificate
/// (for Cloudflare prefer [`decode_cloudflare`] with hints, which can tell).
///
/// # Errors
/// [`Error::Forwarded`] for anything present but wrong: too large, repeated, empty, badly
/// encoded, trailing data, an invalid certificate, a chain over the limit, a hash mismatch.
pub fn decode<H: Headers + ?Sized>(
    source: &CertSource,
    headers: &H,
    limits: &Limits,
) -> Result<Option<ForwardedCert>, Error> {
    match source {
        CertSource::AwsAlb => aws_alb::decode(headers, limits),
        CertSource::Cloudflare => decode_cloudflare(headers, None, limits),
        CertSource::Envoy(options) => {
            let Some(value) = combined(headers, XFCC, ",", limits)? else {
                return Ok(None);
            };
            xfcc::from_value(&value, options, limits).map(Some)
        }
        CertSource::Rfc9440 => rfc9440::decode(headers, limits),
        CertSource::Azure
        | CertSource::Haproxy { .. }
        | CertSource::Nginx { .. }
        | CertSource::Traefik => {
            let name = source.primary_header();
            single(headers, name, limits)?
                .map(|value| from_value(source, value, limits))
                .transpose()
        }
    }
}

/// Reads a bare header value, as it appears after `Name: ` (surrounding whitespace and a
/// trailing newline are tolerated), for the CLI and tests. `chain_value` is the
/// `Client-Cert-Chain` value for `rfc9440`; other sources carry their chain inside the value.
///
/// # Errors
/// As [`decode`], plus [`ForwardedError::UnexpectedChain`] when `chain_value` is given for a
/// source other than `rfc9440`. Cloudflare values are decoded without hints.
pub fn decode_value(
    source: &CertSource,
    value: &str,
    chain_value: Option<&str>,
    limits: &Limits,
) -> Result<ForwardedCert, Error> {
    let name = source.primary_header();
    // The checks run in `decode`'s order, so both refuse a bad input with the same error:
    // the RFC 9440 chain's size first, then the primary header.
    if let (CertSource::Rfc9440, Some(chain)) = (source, chain_value) {
        check_size(RFC9440_CHAIN, chain.len(), limits)?;
    }
    if !matches!(source, CertSource::Envoy(_)) {
        // Every primary header but XFCC (a list) is a singleton: same rule as `decode`.
        not_combined(name, value)?;
    }
    let value = checked(name, value, limits)?;
    match (source, chain_value) {
        (CertSource::Rfc9440, Some(chain)) => {
            rfc9440::from_values(value, Some(chain.trim_matches(is_ows)), limits)
        }
        (_, Some(_)) => Err(ForwardedError::UnexpectedChain {
            source: source.name(),
        }
        .into()),
        (_, None) => from_value(source, value, limits),
    }
}

/// Decodes the (checked, trimmed) value of the source's primary header.
fn from_value(source: &CertSource, value: &str, limits: &Limits) -> Result<ForwardedCert, Error> {
    let name = source.primary_header();
    match source {
        CertSource::AwsAlb => aws_alb::from_value(ALB_CHAIN, value, limits),
        CertSource::Azure => {
            let der = encoding::base64(name, value.as_bytes(), 0, false)?;
            build(name, der, name, Vec::new())
        }
        CertSource::Cloudflare => cloudflare::from_value(value, None),
        CertSource::Envoy(options) => xfcc::from_value(value, options, limits),
        CertSource::Haproxy { .. } => {
            // `%{+Q}[ssl_c_der,base64]` wraps the value in double quotes.
            let unquoted = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(value);
            let offset = usize::from(unquoted.len() != value.len());
            let der = encoding::base64(name, unquoted.as_bytes(), offset, false)?;
            build(name, der, name, Vec::new())
        }
        CertSource::Nginx { .. } => nginx::from_value(name, value),
        CertSource::Rfc9440 => rfc9440::from_values(value, None, limits),
        CertSource::Traefik => traefik::from_value(name, value, limits),
    }
}

fn is_ows(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn check_size(header: &str, size: usize, limits: &Limits) -> Result<(), Error> {
    if size > limits.max_header_bytes {
        return Err(ForwardedError::TooLarge {
            header: header.to_owned(),
            size,
            limit: limits.max_header_bytes,
        }
        .into());
    }
    Ok(())
}

/// Size-checks and trims one value; an empty value is an error.
fn checked<'v>(header: &str, value: &'v str, limits: &Limits) -> Result<&'v str, Error> {
    check_size(header, value.len(), limits)?;
    let value = value.trim_matches(is_ows);
    if value.is_empty() {
        return Err(ForwardedError::EmptyValue {
            header: header.to_owned(),
        }
        .into());
    }
    Ok(value)
}

/// Refuses a singleton header's value that holds combined field lines.
///
/// Some HTTP stacks (the Fetch API's `Headers.get`, so every Worker) hand over repeated field
/// lines already combined with `", "` (RFC 9110 §5.3). No singleton certificate encoding ever
/// contains a comma followed by whitespace (base64, RFC 8941 byte sequences, percent-encoded or
/// folded PEM, Traefik's `,`-joined list), so such a value is refused as the duplicate it is:
/// the verdict is then the same whether the adapter sees the lines apart or combined, and
/// whether it calls [`decode`] or [`decode_value`].
fn not_combined(name: &str, value: &str) -> Result<(), Error> {
    let joins = value
        .as_bytes()
        .windows(2)
        .filter(|w| w[0] == b',' && matches!(w[1], b' ' | b'\t'))
        .count();
    if joins > 0 {
        return Err(ForwardedError::DuplicateHeader {
            header: name.to_owned(),
            count: joins + 1,
        }
        .into());
    }
    Ok(())
}

/// The value of a singleton header: absent, or exactly one non-empty field line.
fn single<'h, H: Headers + ?Sized>(
    headers: &'h H,
    name: &str,
    limits: &Limits,
) -> Result<Option<&'h str>, Error> {
    let values = headers.get_all(name);
    match values.as_slice() {
        [] => Ok(None),
        [one] => {
            not_combined(name, one)?;
            checked(name, one, limits).map(Some)
        }
        more => Err(ForwardedError::DuplicateHeader {
            header: name.to_owned(),
            count: more.len(),
        }
        .into()),
    }
}

/// The field lines of a list header combined with `separator` (RFC 9110 §5.3), size-checked
/// before combining. `None` when absent.
fn combined<H: Headers + ?Sized>(
    headers: &H,
    name: &str,
    separator: &str,
    limits: &Limits,
) -> Result<Option<String>, Error> {
    let values = headers.get_all(name);
    if values.is_empty() {
        return Ok(None);
    }
    let size = values
        .iter()
        .map(|v| v.len())
        .fold(separator.len() * (values.len() - 1), usize::saturating_add);
    check_size(name, size, limits)?;
    Ok(Some(values.join(separator)))
}

/// Parses the leaf and chain DER into a [`ForwardedCert`], naming the failing certificate.
fn build(
    leaf_header: &str,
    leaf: Vec<u8>,
    chain_header: &str,
    chain: Vec<Vec<u8>>,
) -> Result<ForwardedCert, Error> {
    build_hashed(leaf_header, leaf, None, chain_header, chain)
}

/// As [`build`], with the leaf's thumbprint when it was computed already (to check a hint):
/// `leaf_x5t` must be `CertThumbprint::of_der(&leaf)`.
fn build_hashed(
    leaf_header: &str,
    leaf: Vec<u8>,
    leaf_x5t: Option<CertThumbprint>,
    chain_header: &str,
    chain: Vec<Vec<u8>>,
) -> Result<ForwardedCert, Error> {
    let parse = |header: &str, which: CertRole, der: Vec<u8>, x5t: Option<CertThumbprint>| {
        Certificate::from_der_owned_hashed(der, 1, x5t).map_err(|e| {
            Error::from(ForwardedError::Certificate {
                header: header.to_owned(),
                which,
                error: alloc::boxed::Box::new(e),
            })
        })
    };
    let leaf = parse(leaf_header, CertRole::Leaf, leaf, leaf_x5t)?;
    let chain = chain
        .into_iter()
        .enumerate()
        .map(|(i, der)| parse(chain_header, CertRole::Chain(i), der, None))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ForwardedCert { leaf, chain })
}

/// Splits `[leaf, chain…]` DER (as read from one header) and parses it.
fn build_bundle(header: &str, ders: Vec<Vec<u8>>) -> Result<ForwardedCert, Error> {
    build_bundle_hashed(header, ders, None)
}

/// As [`build_bundle`], with the leaf's thumbprint when it was computed already (to check a
/// hash): `leaf_x5t` must be `CertThumbprint::of_der(&ders[0])`.
fn build_bundle_hashed(
    header: &str,
    mut ders: Vec<Vec<u8>>,
    leaf_x5t: Option<CertThumbprint>,
) -> Result<ForwardedCert, Error> {
    if ders.is_empty() {
        return Err(ForwardedError::ExpectedPem {
            header: header.to_owned(),
            position: 0,
        }
        .into());
    }
    let chain = ders.split_off(1);
    let leaf = ders.pop().unwrap_or_default();
    build_hashed(header, leaf, leaf_x5t, header, chain)
}

/// Reads URL-encoded PEM holding exactly one certificate.
fn pem_leaf(header: &str, value: &str) -> Result<Vec<u8>, Error> {
    let text = encoding::percent_decode(header, value)?;
    match encoding::pem_certificates(header, &text, 1) {
        Ok(mut ders) => Ok(ders.pop().unwrap_or_default()),
        Err(encoding::PemLimit::Error(e)) => Err(e.into()),
        Err(encoding::PemLimit::TooMany) => Err(ForwardedError::ExtraCertificates {
            header: header.to_owned(),
        }
        .into()),
    }
}

/// Reads URL-encoded PEM holding a leaf and at most `max_chain` more certificates.
fn pem_bundle(header: &str, value: &str, limits: &Limits) -> Result<Vec<Vec<u8>>, Error> {
    let text = encoding::percent_decode(header, value)?;
    encoding::pem_certificates(header, &text, limits.max_chain.saturating_add(1)).map_err(|e| {
        match e {
            encoding::PemLimit::Error(e) => e.into(),
            encoding::PemLimit::TooMany => ForwardedError::ChainTooLong {
                header: header.to_owned(),
                limit: limits.max_chain,
            }
            .into(),
        }
    })
}
