//! Path validation with rcgen chains built per test.

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use certbound_core::path::{
    self, CertRole, ExpiredCrl, PathError, Purpose, RevocationPolicy, TrustStore, UnknownStatus,
    VerifyOptions,
};
use certbound_core::{Certificate, Error, UnixTime};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, CustomExtension, DnType,
    ExtendedKeyUsagePurpose, GeneralSubtree, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose,
    NameConstraints, RevokedCertParams, SanType, SerialNumber, date_time_ymd,
};

/// 2026-01-01T00:00:00Z: inside every default validity below.
const NOW: u64 = 1_767_225_600;

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(NOW))
}

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

fn key() -> KeyPair {
    KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap()
}

fn params(cn: &str, ca: Option<u8>) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = date_time_ymd(2025, 1, 1);
    p.not_after = date_time_ymd(2030, 1, 1);
    match ca {
        Some(255) => p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained),
        Some(n) => p.is_ca = IsCa::Ca(BasicConstraints::Constrained(n)),
        None => {
            p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            p.subject_alt_names = vec![SanType::DnsName("client.example".try_into().unwrap())];
        }
    }
    if ca.is_some() {
        p.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
    }
    p.use_authority_key_identifier_extension = true;
    p.key_identifier_method = KeyIdMethod::Sha256;
    p
}

/// A CA: its certificate and an rcgen issuer to sign with.
struct Ca {
    cert: Certificate,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    fn root(cn: &str) -> Self {
        Self::root_with(params(cn, Some(255)))
    }

    fn root_with(p: CertificateParams) -> Self {
        let k = key();
        let cert = p.self_signed(&k).unwrap();
        Self {
            cert: Certificate::from_der(cert.der()).unwrap(),
            issuer: Issuer::new(p, k),
        }
    }

    fn sub(&self, p: CertificateParams) -> Self {
        let k = key();
        let cert = p.signed_by(&k, &self.issuer).unwrap();
        Self {
            cert: Certificate::from_der(cert.der()).unwrap(),
            issuer: Issuer::new(p, k),
        }
    }

    fn issue(&self, p: &CertificateParams) -> Certificate {
        let cert = p.signed_by(&key(), &self.issuer).unwrap();
        Certificate::from_der(cert.der()).unwrap()
    }

    fn leaf(&self, cn: &str) -> Certificate {
        self.issue(&params(cn, None))
    }

    fn crl(&self, revoked: &[&Certificate]) -> Vec<u8> {
        let p = CertificateRevocationListParams {
            this_update: date_time_ymd(2025, 6, 1),
            next_update: date_time_ymd(2026, 6, 1),
            crl_number: SerialNumber::from(7u64),
            issuing_distribution_point: None,
            revoked_certs: revoked
                .iter()
                .map(|c| RevokedCertParams {
                    serial_number: SerialNumber::from_slice(
                        c.x509().tbs_certificate.serial_number.as_bytes(),
                    ),
                    revocation_time: date_time_ymd(2025, 6, 1),
                    reason_code: None,
                    invalidity_date: None,
                })
                .collect(),
            key_identifier_method: KeyIdMethod::Sha256,
        };
        p.signed_by(&self.issuer).unwrap().der().to_vec()
    }
}

fn trust(cas: &[&Ca]) -> TrustStore {
    let certs: Vec<Certificate> = cas.iter().map(|c| c.cert.clone()).collect();
    TrustStore::from_certificates(&certs).unwrap()
}

fn verify(trust: &TrustStore, leaf: &Certificate, inter: &[Certificate]) -> Result<(), Error> {
    path::verify_chain(trust, leaf, inter, now(), &VerifyOptions::default()).map(|_| ())
}

fn err_text(r: Result<(), Error>) -> String {
    r.unwrap_err().to_string()
}

// Intent: a good 3-certificate chain verifies and reports leaf → intermediate → anchor.
#[test]
fn valid_chain_reports_thumbprints() {
    let root = Ca::root("Root CA");
    let ica = root.sub(params("Issuing CA", Some(0)));
    let leaf = ica.leaf("alice");
    let store = trust(&[&Ca::root("Other CA"), &root]);
    let v = path::verify_chain(
        &store,
        &leaf,
        std::slice::from_ref(&ica.cert),
        now(),
        &VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(
        v.chain(),
        [leaf.x5t_s256(), ica.cert.x5t_s256(), root.cert.x5t_s256()]
    );
    assert_eq!(v.leaf(), leaf.x5t_s256());
    assert_eq!(v.anchor(), root.cert.x5t_s256());
    assert_eq!(v.anchor_index(), 1);
    assert_eq!(v.anchor_subject(), "CN=Root CA");
    assert_eq!(v.intermediate_indices(), [0]);
    // The trust store is cheap to share.
    let shared = store.clone();
    assert!(verify(&shared, &leaf, std::slice::from_ref(&ica.cert)).is_ok());
    assert_eq!(store.len(), 2);
}

// Intent: an expired or not-yet-valid leaf is named with its own time.
#[test]
fn leaf_validity() {
    let root = Ca::root("Root CA");
    let mut p = params("BC", None);
    p.not_after = date_time_ymd(2025, 6, 1);
    let expired = root.issue(&p);
    assert_eq!(
        err_text(verify(&trust(&[&root]), &expired, &[])),
        "leaf (CN=BC): expired at 2025-06-01T00:00:00Z"
    );
    p.not_before = date_time_ymd(2027, 3, 4);
    p.not_after = date_time_ymd(2029, 1, 1);
    let future = root.issue(&p);
    assert_eq!(
        err_text(verify(&trust(&[&root]), &future, &[])),
        "leaf (CN=BC): not valid before 2027-03-04T00:00:00Z"
    );
}

// Intent: an expired or not-yet-valid intermediate is the one named, with its position.
#[test]
fn intermediate_validity() {
    let root = Ca::root("Root CA");
    let other = root.sub(params("Other Intermediate", Some(0)));
    let mut p = params("LA Intermediate CA", Some(0));
    p.not_after = date_time_ymd(2025, 11, 1);
    let ica = root.sub(p);
    let leaf = ica.leaf("alice");
    let inter = [other.cert, ica.cert];
    assert_eq!(
        err_text(verify(&trust(&[&root]), &leaf, &inter)),
        "intermediate 2 (CN=LA Intermediate CA): expired at 2025-11-01T00:00:00Z"
    );
    let mut p = params("LA Intermediate CA", Some(0));
    p.not_before = date_time_ymd(2026, 2, 1);
    let ica = root.sub(p);
    let leaf = ica.leaf("alice");
    let e = verify(&trust(&[&root]), &leaf, &[ica.cert]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "intermediate 1 (CN=LA Intermediate CA): not valid before 2026-02-01T00:00:00Z"
    );
    assert!(matches!(
        e,
        Error::Path(PathError::NotYetValid { cert, .. }) if cert.role == CertRole::Intermediate(1)
    ));
}

// Intent: a server-only EKU fails clientAuth and passes serverAuth; no EKU passes both.
#[test]
fn wrong_eku() {
    let root = Ca::root("Root CA");
    let mut p = params("BC", None);
    p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let leaf = root.issue(&p);
    let store = trust(&[&root]);
    assert_eq!(
        err_text(verify(&store, &leaf, &[])),
        "leaf (CN=BC): not valid for clientAuth (extended key usage)"
    );
    let server = VerifyOptions::new(Purpose::ServerAuth);
    assert!(path::verify_chain(&store, &leaf, &[], now(), &server).is_ok());
    p.extended_key_usages = vec![];
    let any = root.issue(&p);
    assert!(verify(&store, &any, &[]).is_ok());
}

// Intent: a CA certificate presented as the leaf is refused.
#[test]
fn ca_as_leaf() {
    let root = Ca::root("Root CA");
    let ica = root.sub(params("Issuing CA", Some(0)));
    assert_eq!(
        err_text(verify(&trust(&[&root]), &ica.cert, &[])),
        "leaf (CN=Issuing CA): is a CA certificate (basic constraints cA=TRUE) and cannot be used as an end-entity certificate"
    );
}

// Intent: a leaf whose signature is not from its named issuer's key is named.
#[test]
fn broken_signature() {
    let root = Ca::root("Root CA");
    // Same name, different key: the signature cannot verify with the trusted root's key.
    let impostor = Ca::root("Root CA");
    let leaf = impostor.leaf("mallory");
    assert_eq!(
        err_text(verify(&trust(&[&root]), &leaf, &[])),
        "leaf (CN=mallory): signature does not verify with its issuer's public key"
    );
    let ica_fake = impostor.sub(params("Issuing CA", Some(0)));
    let leaf = ica_fake.leaf("mallory");
    assert_eq!(
        err_text(verify(&trust(&[&root]), &leaf, &[ica_fake.cert])),
        "intermediate 1 (CN=Issuing CA): signature does not verify with its issuer's public key"
    );
}

// Intent: A signs B signs A terminates with "issuer not found", naming where the names run out.
#[test]
fn issuer_loop_terminates() {
    let a_key = key();
    let b_key = key();
    let a_params = params("Loop A", Some(255));
    let b_params = params("Loop B", Some(255));
    let a_issuer = Issuer::new(a_params.clone(), &a_key);
    let b_issuer = Issuer::new(b_params.clone(), &b_key);
    let a_by_b = a_params.signed_by(&a_key, &b_issuer).unwrap();
    let b_by_a = b_params.signed_by(&b_key, &a_issuer).unwrap();
    let leaf = params("looped", None).signed_by(&key(), &a_issuer).unwrap();
    let inter = [
        Certificate::from_der(a_by_b.der()).unwrap(),
        Certificate::from_der(b_by_a.der()).unwrap(),
    ];
    let leaf = Certificate::from_der(leaf.der()).unwrap();
    let store = trust(&[&Ca::root("Root CA"), &Ca::root("Second CA")]);
    assert_eq!(
        err_text(verify(&store, &leaf, &inter)),
        "intermediate 2 (CN=Loop B): issuer not found among 2 trust anchors (issuer: CN=Loop A)"
    );
    assert_eq!(
        err_text(verify(&store, &leaf, &[])),
        "leaf (CN=looped): issuer not found among 2 trust anchors (issuer: CN=Loop A)"
    );
}

// Intent: a pathLenConstraint of 0 forbids a second intermediate; the constraining CA is named.
#[test]
fn path_length() {
    let root = Ca::root("Root CA");
    let ica1 = root.sub(params("Policy CA", Some(0)));
    let ica2 = ica1.sub(params("Issuing CA", Some(255)));
    let leaf = ica2.leaf("alice");
    let inter = [ica2.cert, ica1.cert];
    assert_eq!(
        err_text(verify(&trust(&[&root]), &leaf, &inter)),
        "intermediate 2 (CN=Policy CA): path length constraint 0 exceeded by the intermediates below it"
    );
    let ica1 = root.sub(params("Policy CA", Some(1)));
    let ica2 = ica1.sub(params("Issuing CA", Some(0)));
    let leaf = ica2.leaf("alice");
    assert!(verify(&trust(&[&root]), &leaf, &[ica1.cert, ica2.cert]).is_ok());
}

// Intent: an unknown critical extension is refused and named by OID.
#[test]
fn unknown_critical_extension() {
    let root = Ca::root("Root CA");
    let mut p = params("alice", None);
    let mut ext = CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![5, 0]);
    ext.set_criticality(true);
    p.custom_extensions = vec![ext];
    let leaf = root.issue(&p);
    assert_eq!(
        err_text(verify(&trust(&[&root]), &leaf, &[])),
        "leaf (CN=alice): unsupported critical extension 1.3.6.1.4.1.99999.1"
    );
}

// Intent: CRLs revoke a leaf or an intermediate; unknown status follows the policy.
#[test]
fn crl_revocation() {
    let root = Ca::root("Root CA");
    let ica = root.sub(params("Issuing CA", Some(0)));
    let leaf = ica.leaf("alice");
    let inter = [ica.cert.clone()];
    let root_crl = root.crl(&[]);
    let ica_crl = ica.crl(&[&leaf]);

    let store = trust(&[&root])
        .with_crls(&[&root_crl, &ica_crl], RevocationPolicy::new())
        .unwrap();
    assert_eq!(store.crl_count(), 2);
    assert_eq!(
        err_text(verify(&store, &leaf, &inter)),
        "leaf (CN=alice): revoked"
    );

    let root_crl = root.crl(&[&ica.cert]);
    let ica_crl = ica.crl(&[]);
    let store = trust(&[&root])
        .with_crls(&[&root_crl, &ica_crl], RevocationPolicy::new())
        .unwrap();
    assert_eq!(
        err_text(verify(&store, &leaf, &inter)),
        "intermediate 1 (CN=Issuing CA): revoked"
    );

    // Only the root's CRL (revoking nothing): the leaf's status is unknown.
    let root_crl = root.crl(&[]);
    let deny = trust(&[&root])
        .with_crls(&[&root_crl], RevocationPolicy::new())
        .unwrap();
    assert_eq!(
        err_text(verify(&deny, &leaf, &inter)),
        "leaf (CN=alice): revocation status unknown (no CRL from its issuer) and the policy denies unknown status"
    );
    let allow = trust(&[&root])
        .with_crls(
            &[&root_crl],
            RevocationPolicy::new().unknown_status(UnknownStatus::Allow),
        )
        .unwrap();
    assert!(verify(&allow, &leaf, &inter).is_ok());
    // Same store, leaf-only depth, with the issuing CA's CRL: good.
    let ica_crl = ica.crl(&[]);
    let leaf_only = trust(&[&root])
        .with_crls(&[&ica_crl], RevocationPolicy::new().leaf_only())
        .unwrap();
    assert!(verify(&leaf_only, &leaf, &inter).is_ok());
}

// Intent: an expired CRL is refused by default and accepted when the policy allows it.
#[test]
fn expired_crl_policy() {
    let root = Ca::root("Root CA");
    let leaf = root.leaf("alice");
    let crl = root.crl(&[]);
    let later = at(1_790_000_000); // 2026-09-20, after nextUpdate 2026-06-01
    let strict = trust(&[&root])
        .with_crls(&[&crl], RevocationPolicy::new())
        .unwrap();
    let e = path::verify_chain(&strict, &leaf, &[], later, &VerifyOptions::default());
    assert_eq!(
        e.unwrap_err().to_string(),
        "leaf (CN=alice): the CRL of its issuer expired at 2026-06-01T00:00:00Z (nextUpdate); fetch a fresh CRL"
    );
    let lax = trust(&[&root])
        .with_crls(
            &[&crl],
            RevocationPolicy::new().expired_crl(ExpiredCrl::Allow),
        )
        .unwrap();
    assert!(path::verify_chain(&lax, &leaf, &[], later, &VerifyOptions::default()).is_ok());
}

// Intent: email name constraints are enforced for client certificates (webpki refuses them all).
#[test]
fn email_name_constraints() {
    let root = Ca::root("Root CA");
    let mut p = params("Mail CA", Some(0));
    p.name_constraints = Some(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::Rfc822Name("example.com".into())],
        excluded_subtrees: vec![GeneralSubtree::Rfc822Name("ceo@example.com".into())],
    });
    let ica = root.sub(p);
    let inter = [ica.cert.clone()];
    let mut leaf = params("alice", None);
    leaf.subject_alt_names = vec![SanType::Rfc822Name("alice@example.com".try_into().unwrap())];
    assert!(verify(&trust(&[&root]), &ica.issue(&leaf), &inter).is_ok());
    leaf.subject_alt_names = vec![SanType::Rfc822Name("alice@evil.test".try_into().unwrap())];
    assert_eq!(
        err_text(verify(&trust(&[&root]), &ica.issue(&leaf), &inter)),
        "leaf (CN=alice): name \"alice@evil.test\" violates the name constraints of an issuer"
    );
    leaf.subject_alt_names = vec![SanType::Rfc822Name("ceo@example.com".try_into().unwrap())];
    assert!(verify(&trust(&[&root]), &ica.issue(&leaf), &inter).is_err());
    leaf.subject_alt_names = vec![SanType::Rfc822Name("a@b@example.com".try_into().unwrap())];
    assert_eq!(
        err_text(verify(&trust(&[&root]), &ica.issue(&leaf), &inter)),
        "leaf (CN=alice): email address \"a@b@example.com\" is not a valid mailbox"
    );
}

// Intent: server names are checked against the SAN only.
#[test]
fn server_name() {
    let root = Ca::root("Root CA");
    let leaf = root.leaf("client.example");
    assert!(path::verify_server_name(&leaf, "client.example").is_ok());
    assert_eq!(
        path::verify_server_name(&leaf, "other.example")
            .unwrap_err()
            .to_string(),
        "leaf (CN=client.example): not valid for name \"other.example\" (no matching subjectAltName)"
    );
    assert!(path::verify_server_name(&leaf, "not a name!").is_err());
}

// Intent: building a trust store fails early and clearly.
#[test]
fn trust_store_errors() {
    assert_eq!(
        TrustStore::from_certificates(&[]).unwrap_err().to_string(),
        "no trust anchors were provided"
    );
    let root = Ca::root("Root CA");
    let store =
        TrustStore::from_pem(certbound_core::pem::encode_certificate(root.cert.der()).as_bytes())
            .unwrap();
    assert_eq!(store.len(), 1);
    assert_eq!(
        store
            .with_crls(&[b"garbage"], RevocationPolicy::new())
            .unwrap_err()
            .to_string(),
        "CRL 1: DER encoding is invalid"
    );
}

// Intent: an anchor past its notAfter no longer anchors anything.
#[test]
fn expired_anchor() {
    let mut p = params("Old Root", Some(255));
    p.not_after = date_time_ymd(2025, 12, 1);
    let root = Ca::root_with(p);
    let mut lp = params("alice", None);
    lp.not_after = date_time_ymd(2025, 12, 1);
    let leaf = root.issue(&lp);
    let e = path::verify_chain(
        &trust(&[&root]),
        &leaf,
        &[],
        at(1_760_000_000),
        &VerifyOptions::default(),
    );
    assert!(e.is_ok());
    let mut lp = params("alice", None);
    lp.not_after = date_time_ymd(2029, 1, 1);
    let leaf = root.issue(&lp);
    assert_eq!(
        err_text(verify(&trust(&[&root]), &leaf, &[])),
        "trust anchor 1 (CN=Old Root): expired at 2025-12-01T00:00:00Z"
    );
}

// Intent: more intermediates than the cap are refused before any work.
#[test]
fn too_many_intermediates() {
    let root = Ca::root("Root CA");
    let leaf = root.leaf("alice");
    let inter = vec![root.cert.clone(); path::MAX_INTERMEDIATES + 1];
    assert_eq!(
        err_text(verify(&trust(&[&root]), &leaf, &inter)),
        "too many intermediates: 65 given, at most 64 are accepted"
    );
}
