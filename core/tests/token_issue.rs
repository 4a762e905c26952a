//! Round trip: issue (feature `issue`) → publish JWKS → validate, bound to the right
//! certificate only.

// Test helpers outside #[test] functions unwrap fixtures they just built.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use certbound_core::provider::RustCrypto;
use certbound_core::token::issue::{AccessTokenClaims, SigningKey, issue, jwks};
use certbound_core::token::{Algorithm, JwkSet, TokenError, Validator};
use certbound_core::{Certificate, Error, UnixTime};

fn client_cert() -> Certificate {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["client.example".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Certificate::from_der(cert.der()).unwrap()
}

fn at(secs: u64) -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(secs))
}

fn claims(cert: &Certificate) -> AccessTokenClaims {
    AccessTokenClaims {
        issuer: "https://as.example".into(),
        audience: vec!["https://rs.example".into()],
        subject: "client-7".into(),
        client_id: "client-7".into(),
        scope: Some("read".into()),
        jti: "7f1c".into(),
        issued_at: at(1_700_000_000),
        lifetime_secs: 300,
        cnf: Some(cert.x5t_s256()),
    }
}

// Intent: tokens from both issuer key types validate with the published JWKS (parsed back from
// its JSON text), only for the certificate they were bound to, and only until they expire.
#[test]
fn issue_publish_validate() {
    let es = SigningKey::es256_from_scalar(&[0x42; 32]).unwrap();
    let ed = SigningKey::ed25519_from_seed(&[0x24; 32]).unwrap();
    let published = serde_json::to_string(&jwks(&[&es, &ed])).unwrap();
    let set = JwkSet::from_json(published.as_bytes()).unwrap();
    let validator = Validator::builder("https://as.example", "https://rs.example", set)
        .algorithms(&[Algorithm::Es256, Algorithm::EdDsa])
        .build()
        .unwrap();
    let cert = client_cert();
    let other = client_cert();
    for key in [&es, &ed] {
        let token = issue(key, &claims(&cert)).unwrap();
        let valid = validator
            .validate(
                &RustCrypto,
                &token,
                Some(&cert.x5t_s256()),
                at(1_700_000_100),
            )
            .unwrap();
        assert_eq!(valid.algorithm(), key.algorithm());
        assert_eq!(valid.kid(), Some(key.kid()));
        assert_eq!(valid.client_id(), Some("client-7"));
        assert_eq!(valid.bound_thumbprint(), Some(&cert.x5t_s256()));
        assert_eq!(
            validator.validate(
                &RustCrypto,
                &token,
                Some(&other.x5t_s256()),
                at(1_700_000_100)
            ),
            Err(Error::Token(TokenError::CertificateMismatch {
                bound: cert.x5t_s256(),
                presented: other.x5t_s256()
            }))
        );
        assert_eq!(
            validator.validate(&RustCrypto, &token, None, at(1_700_000_100)),
            Err(Error::Token(TokenError::CertificateRequired))
        );
        assert!(matches!(
            validator.validate(
                &RustCrypto,
                &token,
                Some(&cert.x5t_s256()),
                at(1_700_000_360)
            ),
            Err(Error::Token(TokenError::Expired { .. }))
        ));
    }
}

// Intent: the issued header and claims are the RFC 9068 set, with kid = RFC 7638 thumbprint.
#[test]
fn issued_token_shape() {
    use base64ct::{Base64UrlUnpadded, Encoding};
    let key = SigningKey::es256_from_scalar(&[0x11; 32]).unwrap();
    let cert = client_cert();
    let token = issue(&key, &claims(&cert)).unwrap();
    let mut parts = token.split('.');
    let header: serde_json::Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(parts.next().unwrap()).unwrap())
            .unwrap();
    let body: serde_json::Value =
        serde_json::from_slice(&Base64UrlUnpadded::decode_vec(parts.next().unwrap()).unwrap())
            .unwrap();
    assert_eq!(
        header,
        serde_json::json!({"alg":"ES256","typ":"at+jwt","kid":key.public_jwk().thumbprint().unwrap()})
    );
    assert_eq!(
        body,
        serde_json::json!({
            "iss":"https://as.example","aud":"https://rs.example","sub":"client-7",
            "client_id":"client-7","jti":"7f1c","iat":1_700_000_000u64,"exp":1_700_000_300u64,
            "scope":"read","cnf":{"x5t#S256":cert.x5t_s256().to_string()}
        })
    );
    let mut bad = claims(&cert);
    bad.lifetime_secs = 2 * 24 * 3600;
    assert_eq!(
        issue(&key, &bad).unwrap_err().to_string(),
        "signing key: token lifetime must be between 1 s and 24 h"
    );
}
