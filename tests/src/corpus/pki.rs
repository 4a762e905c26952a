//! The corpus PKI: fixed keys, fixed serials, fixed validity, deterministic signatures.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};

use base64ct::{Base64, Base64UrlUnpadded, Encoding};
use p256::ecdsa::signature::Signer;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PKCS_ECDSA_P256_SHA256, PKCS_ED25519, PublicKeyData, SanType, SerialNumber,
    SignatureAlgorithm, date_time_ymd,
};
use rustls_pki_types::PrivatePkcs8KeyDer;
use sha2::{Digest, Sha256};

use super::Gen;

/// The P-256 scalar (or Ed25519 seed) for `name`: `SHA-256("certbound parity key: <name>")`.
pub(crate) fn seed(name: &str) -> [u8; 32] {
    Sha256::digest(format!("certbound parity key: {name}").as_bytes()).into()
}

/// A P-256 key signing with RFC 6979 deterministic ECDSA, for rcgen.
pub(crate) struct P256Key {
    pub(crate) sk: p256::ecdsa::SigningKey,
    public: Vec<u8>,
}

impl P256Key {
    pub(crate) fn new(name: &str) -> Self {
        let sk = p256::ecdsa::SigningKey::from_slice(&seed(name)).expect("seed is a valid scalar");
        let public = sk
            .verifying_key()
            .to_encoded_point(false)
            .as_bytes()
            .to_vec();
        Self { sk, public }
    }

    /// An ES256 JWS signature (fixed `r ‖ s`) over `input`.
    pub(crate) fn jws_sign(&self, input: &[u8]) -> Vec<u8> {
        let sig: p256::ecdsa::Signature = self.sk.sign(input);
        sig.to_bytes().to_vec()
    }
}

/// A certificate key: P-256 (deterministic ECDSA) or Ed25519 (ring, deterministic).
pub(crate) enum Key {
    P256(P256Key),
    Ed25519(KeyPair),
}

impl Key {
    /// PKCS#8 `PrivateKeyInfo` DER (for `pki/<name>.key`: curl and the server's TLS key).
    pub(crate) fn pkcs8_der(&self, name: &str) -> Vec<u8> {
        use p256::pkcs8::EncodePrivateKey as _;
        match self {
            Self::P256(_) => p256::SecretKey::from_slice(&seed(name))
                .and_then(|k| k.to_pkcs8_der().map_err(|_| p256::elliptic_curve::Error))
                .expect("PKCS#8")
                .as_bytes()
                .to_vec(),
            Self::Ed25519(_) => ed25519_pkcs8(name),
        }
    }

    pub(crate) fn p256(name: &str) -> Self {
        Self::P256(P256Key::new(name))
    }

    pub(crate) fn ed25519(name: &str) -> Self {
        let kp = KeyPair::from_pkcs8_der_and_sign_algo(
            &PrivatePkcs8KeyDer::from(ed25519_pkcs8(name)),
            &PKCS_ED25519,
        )
        .expect("Ed25519 PKCS#8");
        Self::Ed25519(kp)
    }
}

/// PKCS#8 v1 for Ed25519 (RFC 8410 §7): a fixed prefix, then the 32-byte seed.
fn ed25519_pkcs8(name: &str) -> Vec<u8> {
    let mut der = vec![
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04,
        0x20,
    ];
    der.extend_from_slice(&seed(name));
    der
}

/// PEM of a PKCS#8 private key.
fn key_pem(der: &[u8]) -> String {
    pem(der).replace("CERTIFICATE", "PRIVATE KEY")
}

impl PublicKeyData for Key {
    fn der_bytes(&self) -> &[u8] {
        match self {
            Self::P256(k) => &k.public,
            Self::Ed25519(k) => k.der_bytes(),
        }
    }

    fn algorithm(&self) -> &'static SignatureAlgorithm {
        match self {
            Self::P256(_) => &PKCS_ECDSA_P256_SHA256,
            Self::Ed25519(k) => k.algorithm(),
        }
    }
}

impl rcgen::SigningKey for Key {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        match self {
            Self::P256(k) => {
                let sig: p256::ecdsa::Signature = k.sk.sign(msg);
                Ok(sig.to_der().as_bytes().to_vec())
            }
            Self::Ed25519(k) => k.sign(msg),
        }
    }
}

/// One generated certificate.
pub(crate) struct Cert {
    /// Corpus file name (`pki/<name>.pem`).
    pub(crate) file: String,
    pub(crate) der: Vec<u8>,
    params: CertificateParams,
    key: Key,
}

impl Cert {
    /// `x5t#S256`, computed here (not by core).
    pub(crate) fn x5t(&self) -> String {
        Base64UrlUnpadded::encode_string(&Sha256::digest(&self.der))
    }

    /// Lower-case hex SHA-256 of the DER.
    pub(crate) fn sha256_hex(&self) -> String {
        Sha256::digest(&self.der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    pub(crate) fn b64(&self) -> String {
        Base64::encode_string(&self.der)
    }

    pub(crate) fn pem(&self) -> String {
        pem(&self.der)
    }
}

/// PEM of one DER certificate, 64-column lines.
pub(crate) fn pem(der: &[u8]) -> String {
    let b = Base64::encode_string(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for chunk in b.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ASCII"));
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// What a certificate looks like.
struct Spec<'a> {
    name: &'a str,
    cn: &'a str,
    serial: u64,
    ca: Option<Option<u8>>,
    from: (i32, u8, u8),
    to: (i32, u8, u8),
    sans: Vec<SanType>,
    eku: Vec<ExtendedKeyUsagePurpose>,
    ed25519: bool,
}

impl<'a> Spec<'a> {
    fn leaf(name: &'a str, cn: &'a str, serial: u64) -> Self {
        Self {
            name,
            cn,
            serial,
            ca: None,
            from: (2025, 6, 1),
            to: (2027, 6, 1),
            sans: Vec::new(),
            eku: vec![ExtendedKeyUsagePurpose::ClientAuth],
            ed25519: false,
        }
    }

    fn ca(name: &'a str, cn: &'a str, serial: u64, path_len: Option<u8>) -> Self {
        Self {
            ca: Some(path_len),
            from: (2020, 1, 1),
            to: (2035, 1, 1),
            eku: Vec::new(),
            ..Self::leaf(name, cn, serial)
        }
    }
}

/// The organisation every corpus certificate names.
pub(crate) const ORG: &str = "certbound parity";

fn params(s: &Spec<'_>) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::OrganizationName, ORG);
    p.distinguished_name.push(DnType::CommonName, s.cn);
    p.serial_number = Some(SerialNumber::from(s.serial.to_be_bytes().to_vec()));
    p.not_before = date_time_ymd(s.from.0, s.from.1, s.from.2);
    p.not_after = date_time_ymd(s.to.0, s.to.1, s.to.2);
    p.subject_alt_names = s.sans.clone();
    p.extended_key_usages = s.eku.clone();
    match s.ca {
        Some(len) => {
            p.is_ca = IsCa::Ca(len.map_or(
                BasicConstraints::Unconstrained,
                BasicConstraints::Constrained,
            ));
            p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        }
        None => {
            p.is_ca = IsCa::ExplicitNoCa;
            p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        }
    }
    p.use_authority_key_identifier_extension = true;
    p
}

/// The corpus PKI, by name.
pub(crate) struct Pki {
    pub(crate) certs: BTreeMap<&'static str, Cert>,
}

impl Pki {
    pub(crate) fn get(&self, name: &str) -> &Cert {
        self.certs
            .get(name)
            .unwrap_or_else(|| panic!("no corpus certificate {name}"))
    }
}

fn ia5(s: &str) -> rcgen::string::Ia5String {
    s.try_into().expect("ASCII")
}

fn issue(g: &mut Gen, pki: &mut Pki, s: Spec<'static>, issuer: Option<&'static str>) {
    let key = if s.ed25519 {
        Key::ed25519(s.name)
    } else {
        Key::p256(s.name)
    };
    let p = params(&s);
    let cert = match issuer {
        None => p.self_signed(&key),
        Some(i) => {
            let ic = pki.get(i);
            p.signed_by(&key, &Issuer::from_params(&ic.params, &ic.key))
        }
    }
    .expect("rcgen signs");
    let der = cert.der().to_vec();
    let file = g.file(&format!("pki/{}.pem", s.name), pem(&der));
    if s.ca.is_none() {
        // Leaf keys, for the server runner's TLS client (curl) and server. Test keys only.
        g.file(
            &format!("pki/{}.key", s.name),
            key_pem(&key.pkcs8_der(s.name)),
        );
    }
    pki.certs.insert(
        s.name,
        Cert {
            file,
            der,
            params: p,
            key,
        },
    );
}

/// Subject alternative names of `client-1`.
pub(crate) const CLIENT_DNS: &str = "client1.parity.example";
pub(crate) const CLIENT_URI: &str = "spiffe://parity.example/client-1";
pub(crate) const CLIENT_EMAIL: &str = "client1@parity.example";
pub(crate) const CLIENT_IP: Ipv4Addr = Ipv4Addr::new(192, 0, 2, 10);

/// Builds every certificate and adds `pki/<name>.pem` files.
pub(crate) fn build(g: &mut Gen) -> Pki {
    use ExtendedKeyUsagePurpose as E;
    let mut pki = Pki {
        certs: BTreeMap::new(),
    };
    issue(
        g,
        &mut pki,
        Spec::ca("root", "Parity Root CA", 1, None),
        None,
    );
    issue(
        g,
        &mut pki,
        Spec::ca("inter", "Parity Intermediate CA", 2, Some(0)),
        Some("root"),
    );
    issue(
        g,
        &mut pki,
        Spec::ca("other-root", "Other Root CA", 3, None),
        None,
    );
    issue(
        g,
        &mut pki,
        Spec::ca("sub-inter", "Parity Sub-Intermediate CA", 4, None),
        Some("inter"),
    );

    let client_sans = vec![
        SanType::DnsName(ia5(CLIENT_DNS)),
        SanType::URI(ia5(CLIENT_URI)),
        SanType::Rfc822Name(ia5(CLIENT_EMAIL)),
        SanType::IpAddress(IpAddr::V4(CLIENT_IP)),
    ];
    let leaf = |name, cn, serial| Spec::leaf(name, cn, serial);
    issue(
        g,
        &mut pki,
        Spec {
            sans: client_sans,
            ..leaf("client", "client-1", 10)
        },
        Some("inter"),
    );
    issue(
        g,
        &mut pki,
        Spec {
            sans: vec![SanType::DnsName(ia5("client2.parity.example"))],
            ..leaf("client2", "client-2", 11)
        },
        Some("inter"),
    );
    issue(
        g,
        &mut pki,
        Spec {
            ed25519: true,
            ..leaf("client-ed25519", "client-ed25519", 12)
        },
        Some("inter"),
    );
    issue(
        g,
        &mut pki,
        Spec {
            from: (2024, 1, 1),
            to: (2025, 1, 1),
            ..leaf("client-expired", "client-expired", 13)
        },
        Some("inter"),
    );
    issue(
        g,
        &mut pki,
        Spec {
            from: (2027, 1, 1),
            to: (2028, 1, 1),
            ..leaf("client-future", "client-future", 14)
        },
        Some("inter"),
    );
    issue(
        g,
        &mut pki,
        Spec {
            eku: vec![E::ServerAuth],
            ..leaf("server-only", "server-only", 15)
        },
        Some("inter"),
    );
    issue(
        g,
        &mut pki,
        Spec {
            eku: Vec::new(),
            ..leaf("no-eku", "no-eku", 16)
        },
        Some("inter"),
    );
    issue(
        g,
        &mut pki,
        Spec {
            eku: vec![E::ClientAuth],
            ..Spec::ca("ca-leaf", "CA used as leaf", 17, None)
        },
        Some("root"),
    );
    issue(
        g,
        &mut pki,
        leaf("deep", "client-deep", 18),
        Some("sub-inter"),
    );
    issue(
        g,
        &mut pki,
        leaf("foreign", "client-foreign", 19),
        Some("other-root"),
    );
    issue(
        g,
        &mut pki,
        Spec {
            sans: vec![SanType::DnsName(ia5("self.parity.example"))],
            ..leaf("self-signed", "self-signed client", 20)
        },
        None,
    );
    issue(
        g,
        &mut pki,
        Spec {
            from: (2023, 1, 1),
            to: (2024, 1, 1),
            ..leaf("self-signed-expired", "self-signed expired", 21)
        },
        None,
    );
    issue(
        g,
        &mut pki,
        Spec {
            ed25519: true,
            ..leaf("self-signed-ed25519", "self-signed ed25519", 22)
        },
        None,
    );

    issue(
        g,
        &mut pki,
        Spec {
            sans: vec![
                SanType::DnsName(ia5("localhost")),
                SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
            ],
            eku: vec![E::ServerAuth],
            ..leaf("server-tls", "localhost parity server", 23)
        },
        Some("root"),
    );

    // The client certificate with its last signature byte flipped: parses, fails to verify.
    let mut bad = pki.get("client").der.clone();
    if let Some(last) = bad.last_mut() {
        *last ^= 0x01;
    }
    g.file("pki/client-badsig.pem", pem(&bad));
    g.file("pki/client.der", pki.get("client").der.clone());
    let chain = format!("{}{}", pki.get("client").pem(), pki.get("inter").pem());
    g.file("pki/client-chain.pem", chain);
    let anchors = format!("{}{}", pki.get("root").pem(), pki.get("other-root").pem());
    g.file("pki/anchors.pem", anchors);
    pki
}
