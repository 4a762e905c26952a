//! Client authentication costs: registered-DN parsing, structural DN and SAN matching,
//! self-signed lookup over the maximum number of registered certificates, registry loading.
//!
//! Run with `cargo bench -p certbound-core --bench client`.
#![allow(clippy::unwrap_used, missing_docs)]

use std::hint::black_box;

use certbound_core::client::dn::RegisteredDn;
use certbound_core::client::{
    AuthOptions, ClientRegistry, MAX_CERTIFICATES_PER_CLIENT, authenticate,
};
use certbound_core::{Certificate, UnixTime};
use criterion::{Criterion, criterion_group, criterion_main};
use rcgen::{CertificateParams, DnType, KeyPair, SanType};
use serde_json::json;

const DN: &str = "CN=billing-service,OU=Payments+OU=Platform,O=Acme\\, Inc.,L=Zürich,C=CH";

fn cert(cn: &str) -> (Certificate, String) {
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut p = CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name.push(DnType::CountryName, "CH");
    p.distinguished_name.push(DnType::LocalityName, "Zürich");
    p.distinguished_name
        .push(DnType::OrganizationName, "Acme, Inc.");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.subject_alt_names = vec![
        SanType::DnsName("a.example.com".try_into().unwrap()),
        SanType::DnsName("billing.example.com".try_into().unwrap()),
    ];
    let c = p.self_signed(&key).unwrap();
    (Certificate::from_der(c.der()).unwrap(), c.pem())
}

fn bench(c: &mut Criterion) {
    c.bench_function("dn/parse registered", |b| {
        b.iter(|| RegisteredDn::parse(black_box(DN)).unwrap());
    });

    let (leaf, _) = cert("billing-service");
    let dn = RegisteredDn::parse("cn=Billing-Service, o=ACME\\, inc., l=zürich, c=ch").unwrap();
    assert!(dn.matches(leaf.subject()));
    c.bench_function("dn/match 4 RDNs", |b| {
        b.iter(|| black_box(&dn).matches(black_box(leaf.subject())));
    });

    let pems: Vec<(Certificate, String)> = (0..MAX_CERTIFICATES_PER_CLIENT)
        .map(|i| cert(&format!("device-{i}")))
        .collect();
    let registry = ClientRegistry::from_json(
        json!([{
            "client_id": "device",
            "token_endpoint_auth_method": "self_signed_tls_client_auth",
            "certificates": pems.iter().map(|(_, p)| p.clone()).collect::<Vec<_>>(),
        }])
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_893_456_000));
    let presented = &pems.last().unwrap().0;
    let opts = AuthOptions::new();
    c.bench_function("self-signed/authenticate among 32", |b| {
        b.iter(|| {
            authenticate(
                &registry,
                "device",
                black_box(presented),
                &[],
                None,
                now,
                &opts,
            )
            .unwrap()
        });
    });

    let clients: Vec<_> = (0..1000)
        .map(|i| {
            json!({
                "client_id": format!("client-{i}"),
                "token_endpoint_auth_method": "tls_client_auth",
                "tls_client_auth_subject_dn": format!("CN=client-{i},O=Acme\\, Inc.,C=US"),
                "scope": "read write",
            })
        })
        .collect();
    let file = json!({ "clients": clients }).to_string();
    c.bench_function("registry/load 1000 PKI clients (JSON)", |b| {
        b.iter(|| ClientRegistry::from_json(black_box(file.as_bytes())).unwrap());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
