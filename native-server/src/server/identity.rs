//! Which client certificate a request presents: the TLS handshake's, or — only from configured
//! proxy addresses — one forwarded in a header (core `forwarded`). Forwarded-certificate headers
//! from any other peer are stripped, ignored and logged.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::Response;
use certbound_core::Certificate;
use certbound_core::forwarded::{self, CertSource, Limits};
use rustls::pki_types::CertificateDer;

use super::ConnInfo;
use super::routes::App;

/// Where a certificate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// Forwarded by a trusted proxy (it checked possession).
    Forwarded,
    /// This server's TLS handshake (possession checked by CertificateVerify).
    Tls,
}

/// A presented client certificate, parsed by core.
#[derive(Debug)]
pub(crate) struct ClientCert {
    pub(crate) leaf: Certificate,
    pub(crate) chain: Vec<Certificate>,
    pub(crate) via: Via,
}

/// The request's client certificate, as far as this server can tell.
#[derive(Debug, Clone)]
pub(crate) enum Presented {
    /// None was presented.
    Absent,
    /// One was presented and parsed.
    Cert(Arc<ClientCert>),
    /// One was presented but core refused it (the detail is for the log only; clients get
    /// core's fixed answer for it).
    Invalid(Arc<certbound_core::Error>),
}

impl Presented {
    /// Parses a TLS peer chain once per connection.
    pub(crate) fn from_tls(chain: Option<&[CertificateDer<'static>]>) -> Self {
        let Some((leaf, rest)) = chain.and_then(<[_]>::split_first) else {
            return Self::Absent;
        };
        let parsed = Certificate::from_der(leaf).and_then(|leaf| {
            let chain = rest
                .iter()
                .enumerate()
                .map(|(i, c)| Certificate::from_der_owned(c.to_vec(), i + 2))
                .collect::<Result<Vec<_>, _>>()?;
            Ok((leaf, chain))
        });
        match parsed {
            Ok((leaf, chain)) => Self::Cert(Arc::new(ClientCert {
                leaf,
                chain,
                via: Via::Tls,
            })),
            Err(e) => Self::Invalid(Arc::new(e)),
        }
    }

    /// The certificate, if one was presented and parsed.
    pub(crate) fn cert(&self) -> Option<&ClientCert> {
        match self {
            Self::Cert(c) => Some(c),
            _ => None,
        }
    }
}

/// `[proxy]`: the forwarded-certificate source and the peers allowed to use it.
#[derive(Debug)]
pub(crate) struct Proxy {
    pub(crate) source: CertSource,
    pub(crate) trusted: Vec<ipnet::IpNet>,
}

impl Proxy {
    /// Whether `ip` (IPv4-mapped IPv6 addresses compared as IPv4) is a configured proxy.
    pub(crate) fn trusts(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted.iter().any(|n| n.contains(&ip))
    }

    fn present(&self, headers: &HeaderMap) -> bool {
        self.source
            .header_names()
            .iter()
            .any(|n| headers.contains_key(*n))
    }

    fn strip(&self, headers: &mut HeaderMap) {
        for n in self.source.header_names() {
            headers.remove(n);
        }
    }

    fn decode(&self, headers: &HeaderMap) -> Presented {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for n in self.source.header_names() {
            for v in headers.get_all(n) {
                // Field values are bytes; read them as Latin-1 (what a fetch `Headers` object,
                // and so the edge worker, sees) and let core refuse what is not its encoding.
                pairs.push((n, v.as_bytes().iter().copied().map(char::from).collect()));
            }
        }
        match forwarded::decode(&self.source, pairs.as_slice(), &Limits::default()) {
            Ok(None) => Presented::Absent,
            Ok(Some(f)) => {
                let (leaf, chain) = f.into_parts();
                Presented::Cert(Arc::new(ClientCert {
                    leaf,
                    chain,
                    via: Via::Forwarded,
                }))
            }
            Err(e) => Presented::Invalid(Arc::new(e)),
        }
    }
}

/// Middleware: attaches the request's [`Presented`] certificate.
pub(crate) async fn identify(
    State(app): State<Arc<App>>,
    mut req: Request,
    next: Next,
) -> Response {
    let conn = req.extensions().get::<ConnInfo>().cloned();
    let presented = match (&app.proxy, conn) {
        (_, None) => Presented::Absent,
        (None, Some(c)) => c.tls.clone(),
        (Some(p), Some(c)) if p.trusts(c.peer.ip()) => {
            // From the proxy, only the forwarded certificate counts: the proxy's own TLS
            // client certificate (if any) is not the client's.
            p.decode(req.headers())
        }
        (Some(p), Some(c)) => {
            if p.present(req.headers()) {
                p.strip(req.headers_mut());
                app.metrics.forwarded_stripped();
                tracing::warn!(
                    peer = %c.peer,
                    source = p.source.name(),
                    "forwarded client-certificate headers from an untrusted peer: stripped and ignored"
                );
            }
            c.tls.clone()
        }
    };
    if let Presented::Invalid(reason) = &presented {
        tracing::info!(%reason, "presented client certificate refused");
    }
    req.extensions_mut().insert(presented);
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: only configured CIDRs are trusted, IPv4-mapped IPv6 included.
    #[test]
    fn proxy_trust() {
        let p = Proxy {
            source: CertSource::Rfc9440,
            trusted: vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()],
        };
        assert!(p.trusts("10.1.2.3".parse().unwrap()));
        assert!(p.trusts("::ffff:10.1.2.3".parse().unwrap()));
        assert!(p.trusts("::1".parse().unwrap()));
        assert!(!p.trusts("127.0.0.1".parse().unwrap()));
        assert!(!p.trusts("11.0.0.1".parse().unwrap()));
    }
}
