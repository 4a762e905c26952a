//! Access-token validation: the attack matrix, binding, sans-IO flow and RFC 6750 answers.
//!
//! Tokens are signed here with real keys (p256 / p384 / rsa / ed25519-dalek), certificates are
//! generated per test with rcgen, and the RFC 8705 Appendix A values come from
//! `../shared/conformance/rfc-examples/README.md`.

// Test helpers outside #[test] functions unwrap fixtures they just built.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use certbound_core::oauth::{BearerError, BearerErrorCode};
use certbound_core::provider::{InvalidSignature, RustCrypto};
use certbound_core::token::binding::check_introspection;
use certbound_core::token::{
    Algorithm, JwkSet, KeyMismatch, MAX_TOKEN_BYTES, Segment, TokenError, Validator,
};
use certbound_core::{CertThumbprint, Certificate, Error, UnixTime};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const ISS: &str = "https://as.example";
const AUD: &str = "https://rs.example";
const NOW: u64 = 1_700_000_000;

fn now() -> UnixTime {
    UnixTime::since_unix_epoch(Duration::from_secs(NOW))
}

fn b64(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// Test signers: real private keys.
enum Signer {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    Ed(ed25519_dalek::SigningKey),
    Rsa(Box<rsa::RsaPrivateKey>),
}

impl Signer {
    fn p256(seed: u8) -> Self {
        Self::P256(p256::ecdsa::SigningKey::from_slice(&[seed; 32]).unwrap())
    }

    fn p384(seed: u8) -> Self {
        Self::P384(p384::ecdsa::SigningKey::from_slice(&[seed; 48]).unwrap())
    }

    fn ed(seed: u8) -> Self {
        Self::Ed(ed25519_dalek::SigningKey::from_bytes(&[seed; 32]))
    }

    /// RFC 7520 §3.4's 2048-bit RSA private key (the cookbook's "bilbo.baggins" key).
    fn rsa() -> Self {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/conformance/jose-cookbook/jwk/3_4.rsa_private_key.json"
        );
        let v: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        let n = |m: &str| {
            rsa::BigUint::from_bytes_be(
                &Base64UrlUnpadded::decode_vec(v[m].as_str().unwrap()).unwrap(),
            )
        };
        Self::Rsa(Box::new(
            rsa::RsaPrivateKey::from_components(n("n"), n("e"), n("d"), vec![n("p"), n("q")])
                .unwrap(),
        ))
    }

    /// The public JWK members.
    fn jwk(&self) -> serde_json::Map<String, Value> {
        let v = match self {
            Self::P256(k) => {
                let p = k.verifying_key().to_encoded_point(false);
                json!({"kty":"EC","crv":"P-256","x":b64(p.x().unwrap()),"y":b64(p.y().unwrap())})
            }
            Self::P384(k) => {
                let p = k.verifying_key().to_encoded_point(false);
                json!({"kty":"EC","crv":"P-384","x":b64(p.x().unwrap()),"y":b64(p.y().unwrap())})
            }
            Self::Ed(k) => {
                json!({"kty":"OKP","crv":"Ed25519","x":b64(k.verifying_key().as_bytes())})
            }
            Self::Rsa(k) => {
                use rsa::traits::PublicKeyParts;
                json!({"kty":"RSA","n":b64(&k.n().to_bytes_be()),"e":b64(&k.e().to_bytes_be())})
            }
        };
        v.as_object().unwrap().clone()
    }

    fn sign(&self, alg: &str, input: &[u8]) -> Vec<u8> {
        use rsa::signature::{RandomizedSigner, SignatureEncoding, Signer as _};
        match (self, alg) {
            (Self::P256(k), _) => {
                let s: p256::ecdsa::Signature = k.sign(input);
                s.to_bytes().to_vec()
            }
            (Self::P384(k), _) => {
                let s: p384::ecdsa::Signature = k.sign(input);
                s.to_bytes().to_vec()
            }
            (Self::Ed(k), _) => k.sign(input).to_bytes().to_vec(),
            (Self::Rsa(k), "PS256") => rsa::pss::SigningKey::<Sha256>::new((**k).clone())
                .sign_with_rng(&mut CountingRng(7), input)
                .to_vec(),
            (Self::Rsa(k), _) => rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone())
                .sign(input)
                .to_vec(),
        }
    }
}

/// A deterministic RNG for PSS salts: the salt is public, any value verifies.
struct CountingRng(u64);

impl rsa::rand_core::RngCore for CountingRng {
    fn next_u32(&mut self) -> u32 {
        self.next_u64() as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
        self.0
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for b in dest {
            *b = self.next_u64() as u8;
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rsa::rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rsa::rand_core::CryptoRng for CountingRng {}

/// Builds a compact JWS from header and claims JSON *text* (so tests can write duplicates).
fn jws_text(header: &str, claims: &str, signer: &Signer) -> String {
    let alg = serde_json::from_str::<Value>(header)
        .ok()
        .and_then(|h| h["alg"].as_str().map(String::from))
        .unwrap_or_default();
    let input = format!("{}.{}", b64(header.as_bytes()), b64(claims.as_bytes()));
    let sig = signer.sign(&alg, input.as_bytes());
    format!("{input}.{}", b64(&sig))
}

fn jws(header: &Value, claims: &Value, signer: &Signer) -> String {
    jws_text(&header.to_string(), &claims.to_string(), signer)
}

fn header(alg: &str, kid: &str) -> Value {
    json!({"alg": alg, "typ": "at+jwt", "kid": kid})
}

/// RFC 9068 claims bound to `cnf`.
fn claims(cnf: Option<&CertThumbprint>) -> Value {
    let mut c = json!({
        "iss": ISS, "aud": AUD, "sub": "client-1", "client_id": "client-1",
        "iat": NOW - 10, "exp": NOW + 300, "jti": "j-1", "scope": "read write"
    });
    if let Some(t) = cnf {
        c["cnf"] = json!({"x5t#S256": t.to_string()});
    }
    c
}

/// A JWKS with each signer under the given kid (and extra members).
fn jwks(keys: &[(&str, &Signer, Value)]) -> JwkSet {
    let keys: Vec<Value> = keys
        .iter()
        .map(|(kid, s, extra)| {
            let mut m = s.jwk();
            m.insert("kid".into(), json!(kid));
            if let Value::Object(extra) = extra {
                m.extend(extra.clone());
            }
            Value::Object(m)
        })
        .collect();
    JwkSet::from_json(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
}

fn client_cert() -> Certificate {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["client.example".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    Certificate::from_der(cert.der()).unwrap()
}

/// The standard fixture: an ES256 key "ec1", a validator allowing all five algorithms.
struct Fixture {
    signer: Signer,
    validator: Validator,
    cert: Certificate,
}

fn fixture() -> Fixture {
    let signer = Signer::p256(1);
    let validator = Validator::builder(ISS, AUD, jwks(&[("ec1", &signer, json!({}))]))
        .algorithms(&Algorithm::ALL)
        .build()
        .unwrap();
    Fixture {
        signer,
        validator,
        cert: client_cert(),
    }
}

impl Fixture {
    fn token(&self, claims: &Value) -> String {
        jws(&header("ES256", "ec1"), claims, &self.signer)
    }

    fn check(&self, token: &str) -> Result<certbound_core::token::ValidToken, Error> {
        self.validator
            .validate(&RustCrypto, token, Some(&self.cert.x5t_s256()), now())
    }
}

fn token_err(r: Result<impl std::fmt::Debug, Error>) -> TokenError {
    match r {
        Err(Error::Token(e)) => e,
        other => panic!("expected a token error, got {other:?}"),
    }
}

// Intent: a correctly bound ES256 token validates and exposes its claims.
#[test]
fn valid_bound_token() {
    let f = fixture();
    let t = f
        .check(&f.token(&claims(Some(&f.cert.x5t_s256()))))
        .unwrap();
    assert_eq!(t.subject(), Some("client-1"));
    assert_eq!(t.client_id(), Some("client-1"));
    assert_eq!(t.jti(), Some("j-1"));
    assert_eq!(t.expires_at(), NOW + 300);
    assert_eq!(t.scopes().collect::<Vec<_>>(), ["read", "write"]);
    assert_eq!(t.bound_thumbprint(), Some(&f.cert.x5t_s256()));
    assert_eq!(t.algorithm(), Algorithm::Es256);
    assert_eq!(t.kid(), Some("ec1"));
}

// Intent: every supported algorithm validates end to end through the Validator.
#[test]
fn each_algorithm_validates() {
    let cert = client_cert();
    let cases = [
        ("ES256", Signer::p256(2)),
        ("ES384", Signer::p384(3)),
        ("EdDSA", Signer::ed(4)),
        ("RS256", Signer::rsa()),
        ("PS256", Signer::rsa()),
    ];
    for (alg, signer) in &cases {
        let v = Validator::builder(ISS, AUD, jwks(&[("k", signer, json!({}))]))
            .algorithms(&[Algorithm::from_name(alg).unwrap()])
            .build()
            .unwrap();
        let token = jws(&header(alg, "k"), &claims(Some(&cert.x5t_s256())), signer);
        let ok = v.validate(&RustCrypto, &token, Some(&cert.x5t_s256()), now());
        assert_eq!(ok.map(|t| t.algorithm().name()).ok(), Some(*alg), "{alg}");
        // Altered claims (same header and signature) must fail the signature.
        let mut parts: Vec<&str> = token.split('.').collect();
        let mut c = claims(Some(&cert.x5t_s256()));
        c["scope"] = json!("admin");
        let forged = b64(c.to_string().as_bytes());
        parts[1] = &forged;
        assert_eq!(
            token_err(v.validate(&RustCrypto, &parts.join("."), Some(&cert.x5t_s256()), now())),
            TokenError::Signature,
            "{alg}"
        );
    }
}

// Intent: alg "none" is refused, signed or not; the error names the alg.
#[test]
fn alg_none() {
    let f = fixture();
    let c = claims(Some(&f.cert.x5t_s256()));
    let unsigned = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"at+jwt"}"#),
        b64(c.to_string().as_bytes())
    );
    assert_eq!(token_err(f.check(&unsigned)), TokenError::Unsigned);
    let with_sig = format!("{unsigned}AAAA");
    let e = token_err(f.check(&with_sig));
    assert_eq!(e, TokenError::AlgorithmNotAllowed { alg: "none".into() });
    assert_eq!(
        e.to_string(),
        "access token header alg \"none\" is not allowed by this validator's algorithm list"
    );
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .to_vec()
}

// Intent: HS256 "signed" with the public key bytes (the classic key confusion) is refused
// before any key is touched, whatever the JWKS holds.
#[test]
fn hs256_with_public_key_bytes() {
    let f = fixture();
    let public = f.validator.keys().keys()[0].public_key().to_vec();
    let input = format!(
        "{}.{}",
        b64(br#"{"alg":"HS256","typ":"at+jwt","kid":"ec1"}"#),
        b64(claims(Some(&f.cert.x5t_s256())).to_string().as_bytes())
    );
    let token = format!("{input}.{}", b64(&hmac_sha256(&public, input.as_bytes())));
    assert_eq!(
        token_err(f.check(&token)),
        TokenError::AlgorithmNotAllowed {
            alg: "HS256".into()
        }
    );
}

// Intent: an RS256 header naming an EC key, and an ES384 header naming a P-256 key, are refused
// as key mismatches (no algorithm substitution).
#[test]
fn alg_kid_swap() {
    let f = fixture();
    let c = claims(Some(&f.cert.x5t_s256()));
    let rsa = Signer::rsa();
    let e = token_err(f.check(&jws(&header("RS256", "ec1"), &c, &rsa)));
    assert_eq!(
        e,
        TokenError::KeyMismatch {
            alg: Algorithm::Rs256,
            kid: Some("ec1".into()),
            mismatch: KeyMismatch::KeyType {
                key: "EC P-256".into()
            }
        }
    );
    assert_eq!(
        e.to_string(),
        "access token header alg RS256 cannot be verified with key \"ec1\": the key is EC P-256"
    );
    let e = token_err(f.check(&jws(&header("ES384", "ec1"), &c, &Signer::p384(9))));
    assert_eq!(
        e,
        TokenError::KeyMismatch {
            alg: Algorithm::Es384,
            kid: Some("ec1".into()),
            mismatch: KeyMismatch::KeyType {
                key: "EC P-256".into()
            }
        }
    );
}

// Intent: JWK alg / use / key_ops restrictions are honoured.
#[test]
fn jwk_restrictions() {
    let s = Signer::p256(5);
    let cert = client_cert();
    let c = claims(Some(&cert.x5t_s256()));
    let cases = [
        (
            json!({"use":"enc"}),
            KeyMismatch::Use {
                key_use: "enc".into(),
            },
            "access token header alg ES256 cannot be verified with key \"k\": the key's use is \"enc\", not \"sig\"",
        ),
        (
            json!({"alg":"ES384"}),
            KeyMismatch::Alg {
                key_alg: "ES384".into(),
            },
            "access token header alg ES256 cannot be verified with key \"k\": the key is restricted to alg \"ES384\"",
        ),
        (
            json!({"key_ops":["sign"]}),
            KeyMismatch::KeyOps,
            "access token header alg ES256 cannot be verified with key \"k\": the key's key_ops does not include \"verify\"",
        ),
    ];
    for (extra, mismatch, text) in cases {
        let v = Validator::builder(ISS, AUD, jwks(&[("k", &s, extra)]))
            .build()
            .unwrap();
        let e = token_err(v.validate(
            &RustCrypto,
            &jws(&header("ES256", "k"), &c, &s),
            Some(&cert.x5t_s256()),
            now(),
        ));
        assert_eq!(
            e,
            TokenError::KeyMismatch {
                alg: Algorithm::Es256,
                kid: Some("k".into()),
                mismatch
            }
        );
        assert_eq!(e.to_string(), text);
    }
    // use: sig, key_ops: [verify], alg: ES256 all fit.
    let v = Validator::builder(
        ISS,
        AUD,
        jwks(&[(
            "k",
            &s,
            json!({"use":"sig","key_ops":["verify"],"alg":"ES256"}),
        )]),
    )
    .build()
    .unwrap();
    assert!(
        v.validate(
            &RustCrypto,
            &jws(&header("ES256", "k"), &c, &s),
            Some(&cert.x5t_s256()),
            now()
        )
        .is_ok()
    );
}

// Intent: the default allow-list is ES256 only: a valid EdDSA token is refused until allowed.
#[test]
fn default_allow_list_is_es256() {
    let s = Signer::ed(6);
    let cert = client_cert();
    let token = jws(&header("EdDSA", "k"), &claims(Some(&cert.x5t_s256())), &s);
    let v = Validator::builder(ISS, AUD, jwks(&[("k", &s, json!({}))]))
        .build()
        .unwrap();
    assert_eq!(
        token_err(v.validate(&RustCrypto, &token, Some(&cert.x5t_s256()), now())),
        TokenError::AlgorithmNotAllowed {
            alg: "EdDSA".into()
        }
    );
}

// Intent: unknown kid, and kid-less selection (one fitting key is used; two are ambiguous).
#[test]
fn key_selection() {
    let f = fixture();
    let c = claims(Some(&f.cert.x5t_s256()));
    let e = token_err(f.check(&jws(&header("ES256", "nope"), &c, &f.signer)));
    assert_eq!(e, TokenError::UnknownKid { kid: "nope".into() });
    assert_eq!(
        e.to_string(),
        "access token header kid \"nope\" names no key in the JWKS"
    );
    let no_kid = json!({"alg":"ES256","typ":"at+jwt"});
    assert!(f.check(&jws(&no_kid, &c, &f.signer)).is_ok());
    let two = Validator::builder(
        ISS,
        AUD,
        jwks(&[
            ("a", &f.signer, json!({})),
            ("b", &Signer::p256(8), json!({})),
        ]),
    )
    .build()
    .unwrap();
    assert_eq!(
        token_err(two.validate(
            &RustCrypto,
            &jws(&no_kid, &c, &f.signer),
            Some(&f.cert.x5t_s256()),
            now()
        )),
        TokenError::NoKey {
            alg: Algorithm::Es256,
            candidates: 2
        }
    );
}

// Intent: exp / nbf / iat are enforced with the 60 s default leeway, at its exact edges.
#[test]
fn time_claims() {
    let f = fixture();
    let bound = f.cert.x5t_s256();
    let with = |k: &str, v: u64| {
        let mut c = claims(Some(&bound));
        c[k] = json!(v);
        f.check(&f.token(&c))
    };
    // exp: valid while now < exp + 60.
    assert!(with("exp", NOW - 59).is_ok());
    let e = token_err(with("exp", NOW - 60));
    assert_eq!(
        e,
        TokenError::Expired {
            exp: NOW - 60,
            now: NOW,
            leeway: 60
        }
    );
    assert_eq!(
        e.to_string(),
        "access token expired at 2023-11-14T22:12:20Z (exp 1699999940); validation time 2023-11-14T22:13:20Z is 60 s later, beyond the 60 s leeway"
    );
    // nbf: refused when nbf > now + 60.
    assert!(with("nbf", NOW + 60).is_ok());
    assert_eq!(
        token_err(with("nbf", NOW + 61)),
        TokenError::NotYetValid {
            nbf: NOW + 61,
            now: NOW,
            leeway: 60
        }
    );
    // iat in the future beyond the leeway.
    assert!(with("iat", NOW + 60).is_ok());
    let e = token_err(with("iat", NOW + 3600));
    assert_eq!(
        e,
        TokenError::IssuedInFuture {
            iat: NOW + 3600,
            now: NOW,
            leeway: 60
        }
    );
    // exp is required; a float is not a NumericDate here.
    let mut c = claims(Some(&bound));
    c.as_object_mut().unwrap().remove("exp");
    assert_eq!(
        token_err(f.check(&f.token(&c))),
        TokenError::MissingClaim { claim: "exp" }
    );
    c["exp"] = json!(1.7e9);
    assert_eq!(
        token_err(f.check(&f.token(&c))),
        TokenError::ClaimType {
            claim: "exp",
            expected: "a non-negative integer (NumericDate seconds)"
        }
    );
}

// Intent: a configured leeway of 0 is exact.
#[test]
fn zero_leeway() {
    let f = fixture();
    let v = Validator::builder(ISS, AUD, f.validator.keys().clone())
        .leeway_secs(0)
        .build()
        .unwrap();
    let mut c = claims(Some(&f.cert.x5t_s256()));
    c["exp"] = json!(NOW);
    assert_eq!(
        token_err(v.validate(&RustCrypto, &f.token(&c), Some(&f.cert.x5t_s256()), now())),
        TokenError::Expired {
            exp: NOW,
            now: NOW,
            leeway: 0
        }
    );
}

// Intent: issuer is exact; audience may be a string or an array containing ours.
#[test]
fn issuer_and_audience() {
    let f = fixture();
    let bound = f.cert.x5t_s256();
    let mut c = claims(Some(&bound));
    c["iss"] = json!("https://as.example/");
    let e = token_err(f.check(&f.token(&c)));
    assert_eq!(
        e.to_string(),
        "access token issuer \"https://as.example/\" is not the expected issuer \"https://as.example\""
    );
    let mut c = claims(Some(&bound));
    c["aud"] = json!("https://other.example");
    assert_eq!(
        token_err(f.check(&f.token(&c))),
        TokenError::Audience {
            expected: AUD.into(),
            actual: vec!["https://other.example".into()]
        }
    );
    c["aud"] = json!(["https://other.example", AUD]);
    assert!(f.check(&f.token(&c)).is_ok());
    c["aud"] = json!([]);
    assert_eq!(
        token_err(f.check(&f.token(&c))),
        TokenError::ClaimType {
            claim: "aud",
            expected: "a string or an array of at most 32 strings"
        }
    );
}

// Intent: the four binding failures are distinct, and each has its own client-facing text.
#[test]
fn binding_failures() {
    let f = fixture();
    let other = client_cert();
    let bound = f.cert.x5t_s256();
    let token = f.token(&claims(Some(&bound)));

    // Bound token, no certificate.
    let e = f.validator.validate(&RustCrypto, &token, None, now());
    assert_eq!(token_err(e.clone()), TokenError::CertificateRequired);
    assert_eq!(
        BearerError::from_error(&e.unwrap_err()).www_authenticate(Some("rs")),
        "Bearer realm=\"rs\", error=\"invalid_token\", error_description=\"The access token is bound to a client certificate; present it over mutual TLS\""
    );

    // Bound token, another certificate.
    let e = token_err(
        f.validator
            .validate(&RustCrypto, &token, Some(&other.x5t_s256()), now()),
    );
    assert_eq!(
        e.to_string(),
        format!(
            "access token is bound to certificate x5t#S256 {bound}, but the request presented {}",
            other.x5t_s256()
        )
    );

    // Unbound token where binding is required; accepted with allow_unbound.
    let unbound = f.token(&claims(None));
    let e = token_err(f.check(&unbound));
    assert_eq!(e, TokenError::Unbound);
    assert_eq!(
        e.to_string(),
        "access token is not certificate-bound (no cnf x5t#S256), and this resource server requires binding"
    );
    let lax = Validator::builder(ISS, AUD, f.validator.keys().clone())
        .allow_unbound()
        .build()
        .unwrap();
    let t = lax.validate(&RustCrypto, &unbound, None, now()).unwrap();
    assert_eq!(t.bound_thumbprint(), None);
    // allow_unbound still checks a bound token's binding.
    assert_eq!(
        token_err(lax.validate(&RustCrypto, &token, Some(&other.x5t_s256()), now())),
        TokenError::CertificateMismatch {
            bound,
            presented: other.x5t_s256()
        }
    );

    // cnf with only another confirmation method is malformed, not "unbound".
    let mut c = claims(None);
    c["cnf"] = json!({"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"});
    assert_eq!(
        token_err(lax.validate(&RustCrypto, &f.token(&c), None, now())),
        TokenError::Cnf {
            problem: "it has no x5t#S256 member (other confirmation methods are not supported)"
        }
    );
}

fn rfc8705_cert() -> Certificate {
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/rfc-examples/README.md"
    ))
    .unwrap();
    let start = readme
        .find("-----BEGIN CERTIFICATE-----\nMIIBBjCB")
        .unwrap();
    let end = readme[start..].find("-----END CERTIFICATE-----").unwrap() + start + 25;
    Certificate::from_pem(&readme.as_bytes()[start..end]).unwrap()
}

// Intent: RFC 8705 Appendix A: the right thumbprint binds; SHA-256 over the PEM text or over
// the base64 text (wrong inputs) never matches; padded, standard-alphabet and non-canonical
// (`…dg2`) thumbprints are malformed.
#[test]
fn rfc8705_appendix_a_thumbprints() {
    let f = fixture();
    let cert = rfc8705_cert();
    assert_eq!(
        cert.x5t_s256().to_string(),
        "A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0"
    );
    let with_cnf = |x5t: &str| {
        let mut c = claims(None);
        c["cnf"] = json!({ "x5t#S256": x5t });
        f.validator
            .validate(&RustCrypto, &f.token(&c), Some(&cert.x5t_s256()), now())
    };
    assert!(with_cnf("A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0").is_ok());
    for wrong in [
        "RZUyid0cUQWEONv2uroCiSi6CqAXdVZueQmkxBeJ0gc", // SHA-256 over the PEM file
        "RPw_kmZqmeTEfuex99lrXnOLWS4Y2MRd8lRFGzDfyQ4", // SHA-256 over the base64 text
        "a4dtl2jmumhasvjj5tkyn64sqzmuxbmrja0n761y5v0", // case-folded: another digest
    ] {
        assert_eq!(
            token_err(with_cnf(wrong)),
            TokenError::CertificateMismatch {
                bound: CertThumbprint::from_x5t_s256(wrong).unwrap(),
                presented: cert.x5t_s256()
            }
        );
    }
    let malformed = TokenError::Cnf {
        problem: "x5t#S256 is not canonical unpadded base64url of a 32-byte SHA-256 digest",
    };
    for bad in [
        "A4DtL2JmUMhAsvJj5tKyn64SqzmuXbMrJa0n761y5v0=", // padded
        "v68ffgcPn6jdYpBfFY2nP4ShE2Yk+6/Mk5PI9yh6aes=", // standard alphabet (GCP style)
        "v68ffgcPn6jdYpBfFY2nP4ShE2Yk+6/Mk5PI9yh6aes",  // standard alphabet, unpadded
        "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2",  // RFC 8705 §3.1: trailing bits
        "ygg_Jp-0_HGSDpQHDqrLcxkp5vk",                  // SHA-1 x5t, wrong length
    ] {
        assert_eq!(token_err(with_cnf(bad)), malformed, "{bad}");
    }
    assert_eq!(
        malformed.to_string(),
        "access token cnf claim is malformed: x5t#S256 is not canonical unpadded base64url of a 32-byte SHA-256 digest"
    );
    assert_eq!(
        CertThumbprint::from_x5t_s256("bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"),
        None
    );
}

// Intent: the size limit is checked before decoding: a 64 KiB token is refused by size.
#[test]
fn oversized_token() {
    let f = fixture();
    let big = format!(
        "{}.{}.{}",
        "a".repeat(32 * 1024),
        "b".repeat(32 * 1024),
        "c"
    );
    let e = f.check(&big).unwrap_err();
    assert_eq!(
        e,
        Error::TooLarge {
            what: "access token",
            limit: MAX_TOKEN_BYTES,
            actual: 64 * 1024 + 2 + 1
        }
    );
    assert_eq!(
        e.to_string(),
        "access token is 65539 bytes, over the limit of 16384 bytes"
    );
    assert_eq!(BearerError::from_error(&e).status(), 401);
}

// Intent: non-canonical base64url (padding, standard alphabet, trailing bits) in any segment.
#[test]
fn base64_strictness() {
    let f = fixture();
    let good = f.token(&claims(Some(&f.cert.x5t_s256())));
    let parts: Vec<&str> = good.split('.').collect();
    let padded_header = format!("{}=.{}.{}", parts[0], parts[1], parts[2]);
    // Header length may already be ≡ 0 mod 4; any '=' is invalid for unpadded decoding.
    assert_eq!(
        token_err(f.check(&padded_header)),
        TokenError::Base64 {
            segment: Segment::Header
        }
    );
    let std_alphabet = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        parts[2].replace('-', "+").replace('_', "/")
    );
    if std_alphabet != good {
        assert_eq!(
            token_err(f.check(&std_alphabet)),
            TokenError::Base64 {
                segment: Segment::Signature
            }
        );
    }
    let mut sig = parts[2].to_owned();
    sig.pop();
    // A 64-byte signature is 86 characters: the last carries 2 bits and 4 discarded bits.
    // 'B' = 000001 sets a discarded bit.
    sig.push('B');
    assert_eq!(
        token_err(f.check(&format!("{}.{}.{sig}", parts[0], parts[1]))),
        TokenError::Base64 {
            segment: Segment::Signature
        }
    );
}

// Intent: non-UTF-8 and non-JSON segments get positioned errors.
#[test]
fn garbage_segments() {
    let f = fixture();
    let bound = f.cert.x5t_s256();
    let claims_b64 = b64(claims(Some(&bound)).to_string().as_bytes());
    let e = token_err(f.check(&format!("{}.{claims_b64}.AAAA", b64(b"{\"alg\":\"\xff\"}"))));
    assert_eq!(
        e,
        TokenError::Utf8 {
            segment: Segment::Header,
            offset: 8
        }
    );
    assert_eq!(
        e.to_string(),
        "access token header is not UTF-8 (invalid byte at offset 8)"
    );
    let e = token_err(f.check(&format!("{}.{claims_b64}.AAAA", b64(b"{\"alg\":"))));
    assert_eq!(
        e.to_string(),
        "access token header is not valid JSON (line 1, column 7)"
    );
    let e = token_err(f.check(&format!("{}.{claims_b64}.AAAA", b64(b"[1,2]"))));
    assert_eq!(
        e,
        TokenError::NotObject {
            segment: Segment::Header
        }
    );
    let h = b64(header("ES256", "ec1").to_string().as_bytes());
    let e = token_err(f.check(&format!("{h}.{}.AAAA", b64(b"{\"iss\":\"\xc3\"}"))));
    assert_eq!(
        e,
        TokenError::Utf8 {
            segment: Segment::Payload,
            offset: 8
        }
    );
    let e = token_err(f.check(&format!("{h}.{}.AAAA", b64(b"not json"))));
    assert_eq!(
        e,
        TokenError::Json {
            segment: Segment::Payload,
            line: 1,
            column: 2
        }
    );
}

// Intent: duplicate member names are refused in the header and in the claims, including the
// "alg twice" and "cnf twice" smuggling attempts.
#[test]
fn duplicate_members() {
    let f = fixture();
    let bound = f.cert.x5t_s256();
    let claims_text = claims(Some(&bound)).to_string();
    let e = token_err(f.check(&jws_text(
        r#"{"alg":"ES256","typ":"at+jwt","kid":"ec1","alg":"none"}"#,
        &claims_text,
        &f.signer,
    )));
    assert_eq!(
        e,
        TokenError::DuplicateMember {
            segment: Segment::Header,
            name: "alg".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "access token header has member \"alg\" more than once"
    );
    let other = client_cert().x5t_s256();
    let dup_claims = claims_text.replacen(
        "\"cnf\":",
        &format!("\"cnf\":{{\"x5t#S256\":\"{other}\"}},\"cnf\":"),
        1,
    );
    assert_eq!(
        token_err(f.check(&jws_text(
            &header("ES256", "ec1").to_string(),
            &dup_claims,
            &f.signer
        ))),
        TokenError::DuplicateMember {
            segment: Segment::Payload,
            name: "cnf".into()
        }
    );
    let nested = claims_text.replacen(
        "{\"x5t#S256\":",
        &format!("{{\"x5t#S256\":\"{other}\",\"x5t#S256\":"),
        1,
    );
    assert_eq!(
        token_err(f.check(&jws_text(
            &header("ES256", "ec1").to_string(),
            &nested,
            &f.signer
        ))),
        TokenError::DuplicateMember {
            segment: Segment::Payload,
            name: "x5t#S256".into()
        }
    );
}

// Intent: any crit header is refused (certbound understands no JWS extension).
#[test]
fn crit_header() {
    let f = fixture();
    let h = json!({"alg":"ES256","typ":"at+jwt","kid":"ec1","crit":["exp"],"exp":1});
    let e = token_err(f.check(&jws(&h, &claims(Some(&f.cert.x5t_s256())), &f.signer)));
    assert_eq!(
        e,
        TokenError::Critical {
            names: vec!["exp".into()]
        }
    );
    assert_eq!(
        e.to_string(),
        "access token header lists critical extensions [\"exp\"] (crit) that certbound does not understand"
    );
}

// Intent: typ must be at+jwt (case-insensitive, with or without application/); the switch for
// older issuers accepts JWT and untyped tokens.
#[test]
fn typ_check() {
    let f = fixture();
    let c = claims(Some(&f.cert.x5t_s256()));
    for ok in [
        "at+jwt",
        "AT+JWT",
        "application/at+jwt",
        "Application/At+Jwt",
    ] {
        let h = json!({"alg":"ES256","typ":ok,"kid":"ec1"});
        assert!(f.check(&jws(&h, &c, &f.signer)).is_ok(), "{ok}");
    }
    let jwt = jws(
        &json!({"alg":"ES256","typ":"JWT","kid":"ec1"}),
        &c,
        &f.signer,
    );
    let e = token_err(f.check(&jwt));
    assert_eq!(
        e,
        TokenError::Type {
            typ: Some("JWT".into())
        }
    );
    assert_eq!(
        e.to_string(),
        "access token header typ \"JWT\" is not \"at+jwt\" (RFC 9068); for older issuers disable the typ check"
    );
    let untyped = jws(&json!({"alg":"ES256","kid":"ec1"}), &c, &f.signer);
    assert_eq!(token_err(f.check(&untyped)), TokenError::Type { typ: None });
    let legacy = Validator::builder(ISS, AUD, f.validator.keys().clone())
        .allow_untyped()
        .build()
        .unwrap();
    let mut minimal = c;
    for m in ["sub", "client_id", "iat", "jti"] {
        minimal.as_object_mut().unwrap().remove(m);
    }
    let bare = jws(
        &json!({"alg":"ES256","typ":"JWT","kid":"ec1"}),
        &minimal,
        &f.signer,
    );
    assert!(
        legacy
            .validate(&RustCrypto, &bare, Some(&f.cert.x5t_s256()), now())
            .is_ok()
    );
    // The RFC 9068 profile requires those claims.
    let typed = jws(&header("ES256", "ec1"), &minimal, &f.signer);
    assert_eq!(
        token_err(f.check(&typed)),
        TokenError::MissingClaim { claim: "iat" }
    );
}

// Intent: required scopes → insufficient_scope with 403 and the missing scopes.
#[test]
fn required_scopes() {
    let f = fixture();
    let v = Validator::builder(ISS, AUD, f.validator.keys().clone())
        .required_scopes(["read", "admin"])
        .build()
        .unwrap();
    let e = v
        .validate(
            &RustCrypto,
            &f.token(&claims(Some(&f.cert.x5t_s256()))),
            Some(&f.cert.x5t_s256()),
            now(),
        )
        .unwrap_err();
    assert_eq!(
        e,
        Error::Token(TokenError::InsufficientScope {
            missing: vec!["admin".into()]
        })
    );
    let answer = BearerError::from_error(&e);
    assert_eq!(answer.code(), Some(BearerErrorCode::InsufficientScope));
    assert_eq!(answer.status(), 403);
    assert_eq!(
        answer.www_authenticate(None),
        "Bearer error=\"insufficient_scope\", error_description=\"The access token does not grant the scope this request needs\", scope=\"admin\""
    );
    let v = Validator::builder(ISS, AUD, f.validator.keys().clone())
        .required_scopes(["read"])
        .build()
        .unwrap();
    assert!(
        v.validate(
            &RustCrypto,
            &f.token(&claims(Some(&f.cert.x5t_s256()))),
            Some(&f.cert.x5t_s256()),
            now()
        )
        .is_ok()
    );
}

// Intent: the sans-IO flow hands out exactly what the provider needs, and finish() maps the
// provider's verdict (an async provider's rejection becomes TokenError::Signature).
#[test]
fn begin_finish() {
    use certbound_core::provider::{CryptoProvider, SignatureScheme};
    let f = fixture();
    let token = f.token(&claims(Some(&f.cert.x5t_s256())));
    let pending = f
        .validator
        .begin(&token, Some(&f.cert.x5t_s256()), now())
        .unwrap();
    assert_eq!(pending.scheme(), SignatureScheme::EcdsaP256Sha256);
    assert_eq!(pending.algorithm(), Algorithm::Es256);
    assert_eq!(
        pending.signing_input(),
        token.rsplit_once('.').unwrap().0.as_bytes()
    );
    assert_eq!(pending.signature().len(), 64);
    assert_eq!(pending.public_key().len(), 65);
    let verdict = RustCrypto.verify(
        pending.scheme(),
        pending.public_key(),
        pending.signing_input(),
        pending.signature(),
    );
    assert_eq!(verdict, Ok(()));
    assert!(pending.finish(verdict).is_ok());

    let pending = f
        .validator
        .begin(&token, Some(&f.cert.x5t_s256()), now())
        .unwrap();
    let e = pending.finish(Err(InvalidSignature)).unwrap_err();
    assert_eq!(e, Error::Token(TokenError::Signature));
    assert_eq!(
        BearerError::from_error(&e).www_authenticate(None),
        "Bearer error=\"invalid_token\", error_description=\"The access token signature is invalid\""
    );
}

// Intent: RFC 7662 introspection responses are checked for active + the same cnf member.
#[test]
fn introspection_binding() {
    let cert = client_cert();
    let t = cert.x5t_s256();
    let resp = json!({"active":true,"cnf":{"x5t#S256":t.to_string()}}).to_string();
    assert_eq!(
        check_introspection(resp.as_bytes(), Some(&t), true),
        Ok(Some(t))
    );
    let other = client_cert().x5t_s256();
    assert_eq!(
        check_introspection(resp.as_bytes(), Some(&other), true),
        Err(Error::Token(TokenError::CertificateMismatch {
            bound: t,
            presented: other
        }))
    );
    assert_eq!(
        check_introspection(resp.as_bytes(), None, true),
        Err(Error::Token(TokenError::CertificateRequired))
    );
    assert_eq!(
        check_introspection(br#"{"active":false}"#, Some(&t), true),
        Err(Error::Token(TokenError::Inactive))
    );
    assert_eq!(
        check_introspection(br#"{"active":true}"#, Some(&t), true),
        Err(Error::Token(TokenError::Unbound))
    );
    assert_eq!(
        check_introspection(br#"{"active":true}"#, Some(&t), false),
        Ok(None)
    );
    assert_eq!(
        check_introspection(br#"{"active":true,"active":true}"#, Some(&t), false),
        Err(Error::Token(TokenError::DuplicateMember {
            segment: Segment::Payload,
            name: "active".into()
        }))
    );
}

// Intent: the JWKS loader refuses malformed sets and malformed supported keys.
#[test]
fn jwks_loading() {
    assert_eq!(
        JwkSet::from_json(br#"{"keys":{}}"#)
            .unwrap_err()
            .to_string(),
        "JWKS: not a JSON object with a \"keys\" array (duplicate member names are refused)"
    );
    let e = JwkSet::from_json(
        br#"{"keys":[{"kty":"EC","crv":"P-256","kid":"x","x":"AAAA","y":"AAAA"}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "JWK 0 (kid \"x\"): coordinate \"x\" is 3 bytes, the curve needs exactly 32"
    );
    let big = vec![b' '; 300 * 1024];
    assert!(matches!(
        JwkSet::from_json(&big),
        Err(Error::TooLarge { what: "JWKS", .. })
    ));
}
