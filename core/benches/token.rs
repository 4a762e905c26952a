//! Full access-token validation with certificate binding: certbound next to `jsonwebtoken`
//! (rust_crypto backend) validating the same token.
//!
//! Run with `cargo bench -p certbound-core --features issue --bench token`.
//! Both sides check signature, `iss`, `aud`, `exp` (60 s leeway) and compare
//! `cnf.x5t#S256` with the presented certificate's thumbprint; certbound also checks `typ`,
//! `iat`, the RFC 9068 claims and duplicate JSON members.
#![allow(clippy::unwrap_used)]

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use base64ct::{Base64UrlUnpadded, Encoding};
use certbound_core::provider::RustCrypto;
use certbound_core::token::issue::{AccessTokenClaims, SigningKey, issue, jwks};
use certbound_core::token::{Algorithm, JwkSet, Validator};
use certbound_core::{CertThumbprint, UnixTime};
use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

const ISS: &str = "https://as.example";
const AUD: &str = "https://rs.example";

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn rsa_key() -> rsa::RsaPrivateKey {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/jose-cookbook/jwk/3_4.rsa_private_key.json"
    );
    let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let n = |m: &str| {
        rsa::BigUint::from_bytes_be(&Base64UrlUnpadded::decode_vec(v[m].as_str().unwrap()).unwrap())
    };
    rsa::RsaPrivateKey::from_components(n("n"), n("e"), n("d"), vec![n("p"), n("q")]).unwrap()
}

fn claims(thumb: &CertThumbprint, iat: u64) -> AccessTokenClaims {
    AccessTokenClaims {
        issuer: ISS.into(),
        audience: vec![AUD.into()],
        subject: "c-4711".into(),
        client_id: "c-4711".into(),
        scope: Some("read".into()),
        jti: "j-0001".into(),
        issued_at: UnixTime::since_unix_epoch(Duration::from_secs(iat)),
        lifetime_secs: 3600,
        cnf: Some(*thumb),
    }
}

/// An RS256 token with the same claims as `issue` would produce.
fn rs256_token(key: &rsa::RsaPrivateKey, kid: &str, thumb: &CertThumbprint, iat: u64) -> String {
    use rsa::signature::{SignatureEncoding, Signer};
    let header = json!({"alg":"RS256","kid":kid,"typ":"at+jwt"});
    let body = json!({
        "iss":ISS,"aud":AUD,"sub":"c-4711","client_id":"c-4711",
        "jti":"j-0001","iat":iat,"exp":iat+3600,
        "scope":"read","cnf":{"x5t#S256":thumb.to_string()}
    });
    let input = format!(
        "{}.{}",
        Base64UrlUnpadded::encode_string(header.to_string().as_bytes()),
        Base64UrlUnpadded::encode_string(body.to_string().as_bytes())
    );
    let sig = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key.clone()).sign(input.as_bytes());
    format!(
        "{input}.{}",
        Base64UrlUnpadded::encode_string(&sig.to_vec())
    )
}

fn jsonwebtoken_validate(
    token: &str,
    key: &jsonwebtoken::DecodingKey,
    validation: &jsonwebtoken::Validation,
    presented: &str,
) -> bool {
    match jsonwebtoken::decode::<Value>(token, key, validation) {
        Ok(data) => data.claims["cnf"]["x5t#S256"].as_str() == Some(presented),
        Err(_) => false,
    }
}

fn bench(c: &mut Criterion) {
    let iat = now_secs();
    let cert_der = b"stand-in DER: binding compares SHA-256 thumbprints only".as_slice();
    let thumb = CertThumbprint::of_der(cert_der);
    let thumb_text = thumb.to_string();

    // ES256.
    let es = SigningKey::es256_from_scalar(&[0x42; 32]).unwrap();
    let es_token = issue(&es, &claims(&thumb, iat)).unwrap();
    let es_jwks = jwks(&[&es]);
    // RS256 with the RFC 7520 2048-bit key.
    let rsa = rsa_key();
    let rs_kid = "rsa-2048";
    let rs_jwk = {
        use rsa::traits::PublicKeyParts;
        json!({"kty":"RSA","kid":rs_kid,"alg":"RS256","use":"sig",
            "n":Base64UrlUnpadded::encode_string(&rsa.n().to_bytes_be()),
            "e":Base64UrlUnpadded::encode_string(&rsa.e().to_bytes_be())})
    };
    let rs_token = rs256_token(&rsa, rs_kid, &thumb, iat);
    let mut all = es_jwks.clone();
    all["keys"].as_array_mut().unwrap().push(rs_jwk.clone());
    let set = JwkSet::from_json(all.to_string().as_bytes()).unwrap();
    let validator = Validator::builder(ISS, AUD, set)
        .algorithms(&[Algorithm::Es256, Algorithm::Rs256])
        .build()
        .unwrap();
    let now = UnixTime::since_unix_epoch(Duration::from_secs(iat + 5));
    println!(
        "token sizes: ES256 {} bytes, RS256 {} bytes",
        es_token.len(),
        rs_token.len()
    );
    assert!(
        validator
            .validate(&RustCrypto, &es_token, Some(&thumb), now)
            .is_ok()
    );
    assert!(
        validator
            .validate(&RustCrypto, &rs_token, Some(&thumb), now)
            .is_ok()
    );

    // jsonwebtoken, configured as close as it allows.
    let es_pub = &es_jwks["keys"][0];
    let jw_es = jsonwebtoken::DecodingKey::from_ec_components(
        es_pub["x"].as_str().unwrap(),
        es_pub["y"].as_str().unwrap(),
    )
    .unwrap();
    let jw_rs = jsonwebtoken::DecodingKey::from_rsa_components(
        rs_jwk["n"].as_str().unwrap(),
        rs_jwk["e"].as_str().unwrap(),
    )
    .unwrap();
    let validation = |alg| {
        let mut v = jsonwebtoken::Validation::new(alg);
        v.set_issuer(&[ISS]);
        v.set_audience(&[AUD]);
        v.set_required_spec_claims(&["exp", "iss", "aud"]);
        v.leeway = 60;
        v
    };
    let v_es = validation(jsonwebtoken::Algorithm::ES256);
    let v_rs = validation(jsonwebtoken::Algorithm::RS256);
    assert!(jsonwebtoken_validate(&es_token, &jw_es, &v_es, &thumb_text));
    assert!(jsonwebtoken_validate(&rs_token, &jw_rs, &v_rs, &thumb_text));

    let mut g = c.benchmark_group("validate_bound_token");
    g.bench_function("certbound/ES256", |b| {
        b.iter(|| validator.validate(&RustCrypto, black_box(&es_token), Some(&thumb), now))
    });
    g.bench_function("jsonwebtoken/ES256", |b| {
        b.iter(|| jsonwebtoken_validate(black_box(&es_token), &jw_es, &v_es, &thumb_text))
    });
    g.bench_function("certbound/RS256", |b| {
        b.iter(|| validator.validate(&RustCrypto, black_box(&rs_token), Some(&thumb), now))
    });
    g.bench_function("jsonwebtoken/RS256", |b| {
        b.iter(|| jsonwebtoken_validate(black_box(&rs_token), &jw_rs, &v_rs, &thumb_text))
    });
    // The sans-IO part alone: everything but the public-key operation.
    g.bench_function("certbound/ES256 begin only", |b| {
        b.iter(|| validator.begin(black_box(&es_token), Some(&thumb), now))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
