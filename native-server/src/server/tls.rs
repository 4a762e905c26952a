//! The rustls side: server credentials, and a client verifier that proves possession but leaves
//! every trust decision to core.
//!
//! At the handshake a client certificate chain is accepted whatever its issuer, so that RFC 8705
//! §2.2 self-signed clients can connect; its CertificateVerify signature is always checked with
//! rustls's own `verify_tls1x_signature`. Which certificate authenticates which client is decided
//! per request by core (`client::authenticate`, `token` binding). The optional plain-mTLS
//! allow-list of `x5t#S256` thumbprints is enforced here, at the handshake.

use std::path::Path;
use std::sync::Arc;

use certbound_core::CertThumbprint;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};

use super::config::{ClientAuthMode, TlsSection};

/// Most trust-anchor certificates read from the configured files: a guard against a mistaken
/// path to a full OS bundle, which would also bloat every CertificateRequest's hint list.
pub(crate) const MAX_TRUST_ANCHORS: usize = 256;

/// A client verifier that accepts any chain at the handshake and always checks
/// CertificateVerify; see the module docs.
#[derive(Debug)]
pub(crate) struct PossessionVerifier {
    mandatory: bool,
    hints: Vec<DistinguishedName>,
    algorithms: WebPkiSupportedAlgorithms,
    allowed: Vec<CertThumbprint>,
}

impl PossessionVerifier {
    /// `hints` are the trust anchors' subjects; `allowed` an optional thumbprint allow-list
    /// (empty: any certificate completes the handshake).
    pub(crate) fn new(
        mandatory: bool,
        hints: Vec<DistinguishedName>,
        provider: &CryptoProvider,
        allowed: Vec<CertThumbprint>,
    ) -> Self {
        Self {
            mandatory,
            hints,
            algorithms: provider.signature_verification_algorithms,
            allowed,
        }
    }
}

impl ClientCertVerifier for PossessionVerifier {
    fn client_auth_mandatory(&self) -> bool {
        self.mandatory
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if !self.allowed.is_empty() {
            let presented = CertThumbprint::of_der(end_entity);
            // Compare against every entry (constant-time per entry, no early exit).
            let hit = self
                .allowed
                .iter()
                .fold(false, |acc, a| acc | (*a == presented));
            if !hit {
                return Err(rustls::Error::InvalidCertificate(
                    rustls::CertificateError::ApplicationVerificationFailure,
                ));
            }
        }
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Reads every certificate of a PEM file.
pub(crate) fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{}: no '-----BEGIN CERTIFICATE-----' block",
            path.display()
        ));
    }
    Ok(certs)
}

/// Builds the rustls server configuration (TLS 1.3 and 1.2, ring provider, h2 + http/1.1).
pub(crate) fn server_config(tls: &TlsSection) -> Result<Arc<ServerConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let chain = read_certs(&tls.certificate).map_err(|e| format!("tls.certificate: {e}"))?;
    let key = PrivateKeyDer::from_pem_file(&tls.private_key)
        .map_err(|e| format!("tls.private_key: {}: {e}", tls.private_key.display()))?;

    let mut roots = rustls::RootCertStore::empty();
    for p in &tls.trust_anchors {
        for c in read_certs(p).map_err(|e| format!("tls.trust_anchors: {e}"))? {
            roots
                .add(c)
                .map_err(|e| format!("tls.trust_anchors: {}: {e}", p.display()))?;
        }
    }
    if roots.len() > MAX_TRUST_ANCHORS {
        return Err(format!(
            "tls.trust_anchors: {} certificates, more than the limit of {MAX_TRUST_ANCHORS}",
            roots.len()
        ));
    }
    let mut allowed = Vec::with_capacity(tls.allowed_thumbprints.len());
    for (i, t) in tls.allowed_thumbprints.iter().enumerate() {
        allowed.push(CertThumbprint::from_x5t_s256(t).ok_or_else(|| {
            format!(
                "tls.allowed_thumbprints[{i}]: {t:?} is not an x5t#S256 value (43 base64url characters)"
            )
        })?);
    }

    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| format!("tls: {e}"))?;
    let builder = match tls.client_auth {
        ClientAuthMode::None => {
            if !allowed.is_empty() {
                return Err(
                    "tls.allowed_thumbprints: needs client_auth = \"optional\" or \"required\""
                        .to_owned(),
                );
            }
            builder.with_no_client_auth()
        }
        mode => builder.with_client_cert_verifier(Arc::new(PossessionVerifier::new(
            mode == ClientAuthMode::Required,
            roots.subjects(),
            &provider,
            allowed,
        ))),
    };
    let mut config = builder
        .with_single_cert(chain, key)
        .map_err(|e| format!("tls.private_key: does not match tls.certificate: {e}"))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    if !tls.session_resumption {
        config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
        config.send_tls13_tickets = 0;
    }
    Ok(Arc::new(config))
}
