//! Parse + thumbprint of a typical leaf (the RFC 9440 Appendix A client certificate, 428 bytes,
//! P-256, five extensions). Run with `cargo bench -p certbound-core --bench cert`.

use certbound_core::Certificate;
use criterion::{Criterion, criterion_group, criterion_main};

fn leaf_der() -> Vec<u8> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/rfc-examples/c00"
    );
    let pem = std::fs::read(path).expect("shared RFC 9440 example (../shared beside the repo)");
    Certificate::from_pem(&pem).expect("valid").der().to_vec()
}

fn bench(c: &mut Criterion) {
    let der = leaf_der();
    c.bench_function("parse + x5t#S256 (RFC 9440 leaf)", |b| {
        b.iter(|| {
            let cert = Certificate::from_der(std::hint::black_box(&der)).expect("valid");
            std::hint::black_box(cert.x5t_s256())
        });
    });
    c.bench_function("x5t#S256 only (SHA-256 over 428 B)", |b| {
        b.iter(|| certbound_core::CertThumbprint::of_der(std::hint::black_box(&der)));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
