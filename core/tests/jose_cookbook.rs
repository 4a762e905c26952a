//! JWS-layer conformance: RFC 7515 Appendix A, RFC 7520 §4 (JOSE cookbook) and RFC 8037
//! Appendix A.4 examples, verified through `CompactJws` + `Jwk` + the RustCrypto provider.
//!
//! These examples have no `typ` and no access-token claims, so they exercise the JWS layer
//! directly. ES512 (RFC 7520 §4.3) is out of scope (no P-521 support) and is checked to be
//! refused; RFC 7520 §4.2 is PS384, verified with the provider's PSS-SHA384 scheme.

// Test helpers outside #[test] functions unwrap fixtures they just built.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use certbound_core::provider::{CryptoProvider, RustCrypto, SignatureScheme};
use certbound_core::token::jws::CompactJws;
use certbound_core::token::{Algorithm, Jwk, KeyMismatch};
use serde_json::Value;

fn cookbook(path: &str) -> Value {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/conformance/jose-cookbook/"
    ))
    .join(path);
    serde_json::from_slice(&std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .unwrap()
}

/// The public half of a cookbook key (private members dropped, as a JWKS would publish it).
fn public_jwk(key: &Value) -> Jwk {
    let mut key = key.as_object().unwrap().clone();
    for m in ["d", "p", "q", "dp", "dq", "qi"] {
        key.remove(m);
    }
    Jwk::from_value(&Value::Object(key), 0).unwrap()
}

fn verify(compact: &str, jwk: &Jwk, scheme: SignatureScheme) -> Result<(), ()> {
    let jws = CompactJws::parse(compact).map_err(|_| ())?;
    RustCrypto
        .verify(
            scheme,
            jwk.public_key(),
            jws.signing_input().as_bytes(),
            jws.signature(),
        )
        .map_err(|_| ())
}

/// Flips one bit in the payload segment's first character class-preservingly.
fn tamper(compact: &str) -> String {
    let (h, rest) = compact.split_once('.').unwrap();
    let (p, s) = rest.split_once('.').unwrap();
    let mut p = p.to_owned().into_bytes();
    p[0] = if p[0] == b'A' { b'B' } else { b'A' };
    format!("{h}.{}.{s}", String::from_utf8(p).unwrap())
}

fn run_cookbook(path: &str, alg: Option<Algorithm>, scheme: SignatureScheme) {
    let v = cookbook(path);
    let jwk = public_jwk(&v["input"]["key"]);
    if let Some(alg) = alg {
        assert_eq!(jwk.fits(alg), Ok(()), "{path}");
        assert_eq!(alg.scheme(), scheme);
    }
    let compact = v["output"]["compact"].as_str().unwrap();
    let jws = CompactJws::parse(compact).unwrap();
    assert_eq!(
        jws.header()["alg"].as_str(),
        v["input"]["alg"].as_str(),
        "{path}"
    );
    assert_eq!(
        jws.payload(),
        v["input"]["payload"].as_str().unwrap().as_bytes(),
        "{path}"
    );
    assert_eq!(verify(compact, &jwk, scheme), Ok(()), "{path}");
    assert_eq!(verify(&tamper(compact), &jwk, scheme), Err(()), "{path}");
}

// Intent: RFC 7520 §4.1 (RS256) verifies, and fails once the payload is altered.
#[test]
fn rfc7520_4_1_rs256() {
    run_cookbook(
        "jws/4_1.rsa_v15_signature.json",
        Some(Algorithm::Rs256),
        SignatureScheme::RsaPkcs1Sha256,
    );
}

// Intent: RFC 7520 §4.2 (PS384, the cookbook's only PSS example) verifies via the provider;
// PS384 is not a certbound token algorithm, so the key must not fit PS256 (its `alg`-less JWK
// fits by type, which is why the allow-list, not the key, is the gate).
#[test]
fn rfc7520_4_2_ps384() {
    run_cookbook(
        "jws/4_2.rsa-pss_signature.json",
        None,
        SignatureScheme::RsaPssSha384,
    );
    assert_eq!(Algorithm::from_name("PS384"), None);
}

// Intent: RFC 8037 A.4 (EdDSA / Ed25519) verifies.
#[test]
fn rfc8037_eddsa() {
    run_cookbook(
        "curve25519/jws.json",
        Some(Algorithm::EdDsa),
        SignatureScheme::Ed25519,
    );
}

// Intent: RFC 7520 §4.3 is ES512 over P-521: the key loads as unsupported and fits nothing.
#[test]
fn rfc7520_4_3_es512_refused() {
    let v = cookbook("jws/4_3.ecdsa_signature.json");
    let jwk = public_jwk(&v["input"]["key"]);
    for alg in Algorithm::ALL {
        assert_eq!(
            jwk.fits(alg),
            Err(KeyMismatch::KeyType {
                key: "EC P-521".into()
            })
        );
    }
    assert!(jwk.public_key().is_empty());
}

// Intent: RFC 7520 §3.1 EC P-521 public key and §3.3 RSA public key parse; §3.5 (oct) is
// kept as unsupported, never usable.
#[test]
fn rfc7520_3_keys() {
    let ec = Jwk::from_value(&cookbook("jwk/3_1.ec_public_key.json"), 0).unwrap();
    assert_eq!(ec.description(), "EC P-521");
    let rsa = Jwk::from_value(&cookbook("jwk/3_3.rsa_public_key.json"), 0).unwrap();
    assert_eq!(rsa.description(), "RSA 2048");
    assert_eq!(rsa.fits(Algorithm::Rs256), Ok(()));
    assert_eq!(
        rsa.fits(Algorithm::Es256),
        Err(KeyMismatch::KeyType {
            key: "RSA 2048".into()
        })
    );
    // 3_5 is a symmetric key: it carries "k", secret material a JWKS must never publish.
    let oct = Jwk::from_value(&cookbook("jwk/3_5.symmetric_key_mac_computation.json"), 0);
    assert_eq!(
        oct.unwrap_err().to_string(),
        "JWK 0 (kid \"018c0ae5-4d9b-471b-bfd6-eef314bc7037\"): it contains private key material (member \"k\"); publish public keys only"
    );
}

// Intent: RFC 7515 Appendix A.3 (ES256) verifies with its published P-256 key.
#[test]
fn rfc7515_a3_es256() {
    let jwk = Jwk::from_json(
        br#"{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}"#,
    )
    .unwrap();
    let compact = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q";
    assert_eq!(jwk.fits(Algorithm::Es256), Ok(()));
    assert_eq!(
        verify(compact, &jwk, SignatureScheme::EcdsaP256Sha256),
        Ok(())
    );
    assert_eq!(
        verify(&tamper(compact), &jwk, SignatureScheme::EcdsaP256Sha256),
        Err(())
    );
}

// Intent: RFC 7515 Appendix A.2 (RS256) verifies with its published RSA key.
#[test]
fn rfc7515_a2_rs256() {
    let jwk = Jwk::from_json(br#"{"kty":"RSA","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ","e":"AQAB"}"#).unwrap();
    let compact = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlUPQGe77Rw";
    assert_eq!(
        verify(compact, &jwk, SignatureScheme::RsaPkcs1Sha256),
        Ok(())
    );
    assert_eq!(
        verify(&tamper(compact), &jwk, SignatureScheme::RsaPkcs1Sha256),
        Err(())
    );
}
