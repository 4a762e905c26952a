//! The fixtures every certbound benchmark measures, native, wasm and JavaScript alike.
//!
//! [`Fixtures::generate`] builds them once per run (fresh keys, tokens issued at the given time);
//! the `bench-fixtures` binary writes them as JSON for the wasm and node benches, so all three
//! time the very same bytes.
#![forbid(unsafe_code)]

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, KeyPair as _};
use base64ct::{Base64, Base64UrlUnpadded, Encoding as _};
use certbound_core::CertThumbprint;
use certbound_core::UnixTime;
use certbound_core::token::issue::{AccessTokenClaims, SigningKey, issue};
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, SanType,
};
use serde_json::{Value, json};

/// `iss` of every bench token.
pub const ISSUER: &str = "https://as.example";
/// `aud` of every bench token.
pub const AUDIENCE: &str = "https://rs.example";
/// Token lifetime, seconds.
pub const LIFETIME_SECS: u64 = 3600;

/// A fixture could not be built (a bench setup bug, never a measured result).
#[derive(Debug)]
pub struct FixtureError(pub String);

impl std::fmt::Display for FixtureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "bench fixture: {}", self.0)
    }
}

impl std::error::Error for FixtureError {}

fn err(what: &str) -> impl Fn(&dyn std::fmt::Debug) -> FixtureError + '_ {
    move |e| FixtureError(format!("{what}: {e:?}"))
}

/// Everything the benches measure.
#[derive(Debug, Clone)]
pub struct Fixtures {
    /// A client leaf with an RSA-2048 key, signed with RSA-2048 (parse and SHA-256).
    pub leaf_der: Vec<u8>,
    /// P-256 root, intermediate, client leaf (the 3-certificate chain).
    pub chain: [Vec<u8>; 3],
    /// `iat` of the tokens, seconds since the epoch.
    pub iat: u64,
    /// An ES256 RFC 9068 access token bound to the chain's leaf.
    pub es256: String,
    /// The same claims, RS256 (RSA-2048).
    pub rs256: String,
    /// The same claims, EdDSA (Ed25519).
    pub eddsa: String,
    /// The JWKS with the three public keys.
    pub jwks: Value,
    /// `cnf.x5t#S256` of the tokens: the chain leaf's thumbprint.
    pub thumbprint: CertThumbprint,
}

/// Core's test-only RSA-2048 key (PKCS#8 PEM).
const RSA_KEY_PEM: &str = include_str!("../../../core/tests/data/rsa2048-test-key.pem");

fn params(cn: &str, ca: bool) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = rcgen::DistinguishedName::new();
    p.distinguished_name
        .push(DnType::OrganizationName, "certbound bench");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.use_authority_key_identifier_extension = true;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        if let Ok(name) = "client.example".try_into() {
            p.subject_alt_names = vec![SanType::DnsName(name)];
        }
    }
    p
}

fn p256_chain() -> Result<[Vec<u8>; 3], FixtureError> {
    let key = || KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| err("key")(&e));
    let root_key = key()?;
    let root_params = params("Bench Root CA", true);
    let root = root_params
        .self_signed(&root_key)
        .map_err(|e| err("root")(&e))?;
    let root_issuer = Issuer::new(root_params, root_key);
    let ica_key = key()?;
    let ica_params = params("Bench Intermediate CA", true);
    let ica = ica_params
        .signed_by(&ica_key, &root_issuer)
        .map_err(|e| err("intermediate")(&e))?;
    let leaf = params("bench client", false)
        .signed_by(&key()?, &Issuer::new(ica_params, ica_key))
        .map_err(|e| err("leaf")(&e))?;
    Ok([root.der().to_vec(), ica.der().to_vec(), leaf.der().to_vec()])
}

fn rsa_leaf() -> Result<Vec<u8>, FixtureError> {
    let key = || {
        KeyPair::from_pem_and_sign_algo(RSA_KEY_PEM, &rcgen::PKCS_RSA_SHA256)
            .map_err(|e| err("RSA key")(&e))
    };
    let ca = Issuer::new(params("Bench RSA CA", true), key()?);
    let leaf = params("bench rsa client", false)
        .signed_by(&key()?, &ca)
        .map_err(|e| err("RSA leaf")(&e))?;
    Ok(leaf.der().to_vec())
}

fn claims(thumbprint: CertThumbprint, iat: u64) -> AccessTokenClaims {
    AccessTokenClaims {
        issuer: ISSUER.into(),
        audience: vec![AUDIENCE.into()],
        subject: "c-4711".into(),
        client_id: "c-4711".into(),
        scope: Some("read".into()),
        jti: "j-0001".into(),
        issued_at: UnixTime::since_unix_epoch(std::time::Duration::from_secs(iat)),
        lifetime_secs: LIFETIME_SECS,
        cnf: Some(thumbprint),
    }
}

/// An RS256 token with the claims and member order `issue` produces.
fn rs256(thumbprint: CertThumbprint, iat: u64) -> Result<(String, Value), FixtureError> {
    let pkcs8 = KeyPair::from_pem(RSA_KEY_PEM)
        .map_err(|e| err("RSA key")(&e))?
        .serialize_der();
    let kp = sig::RsaKeyPair::from_pkcs8(&pkcs8).map_err(|e| err("RSA key")(&e))?;
    let header = json!({"alg": "RS256", "kid": "rs256", "typ": "at+jwt"});
    let body = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": "c-4711", "client_id": "c-4711",
        "jti": "j-0001", "iat": iat, "exp": iat + LIFETIME_SECS, "scope": "read",
        "cnf": {"x5t#S256": thumbprint.to_string()}
    });
    let mut token = Base64UrlUnpadded::encode_string(header.to_string().as_bytes());
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(
        body.to_string().as_bytes(),
    ));
    let mut signature = vec![0; kp.public_modulus_len()];
    kp.sign(
        &sig::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        token.as_bytes(),
        &mut signature,
    )
    .map_err(|e| err("RS256 signature")(&e))?;
    token.push('.');
    token.push_str(&Base64UrlUnpadded::encode_string(&signature));
    let public = kp.public_key();
    let jwk = json!({
        "kty": "RSA", "kid": "rs256", "alg": "RS256", "use": "sig",
        "n": Base64UrlUnpadded::encode_string(public.modulus().big_endian_without_leading_zero()),
        "e": Base64UrlUnpadded::encode_string(public.exponent().big_endian_without_leading_zero()),
    });
    Ok((token, jwk))
}

impl Fixtures {
    /// Fresh fixtures with tokens issued at `iat` (seconds since the epoch).
    ///
    /// # Errors
    /// [`FixtureError`] if a key, certificate or token cannot be made.
    pub fn generate(iat: u64) -> Result<Self, FixtureError> {
        let chain = p256_chain()?;
        let thumbprint = CertThumbprint::of_der(&chain[2]);
        let es = SigningKey::es256_from_scalar(&[0x42; 32]).map_err(|e| err("ES256 key")(&e))?;
        let ed = SigningKey::ed25519_from_seed(&[0x17; 32]).map_err(|e| err("EdDSA key")(&e))?;
        let claims = claims(thumbprint, iat);
        let es256 = issue(&es, &claims).map_err(|e| err("ES256 token")(&e))?;
        let eddsa = issue(&ed, &claims).map_err(|e| err("EdDSA token")(&e))?;
        let (rs256, rs_jwk) = rs256(thumbprint, iat)?;
        let jwks = json!({"keys": [
            es.public_jwk().to_json_value(),
            ed.public_jwk().to_json_value(),
            rs_jwk,
        ]});
        Ok(Self {
            leaf_der: rsa_leaf()?,
            chain,
            iat,
            es256,
            rs256,
            eddsa,
            jwks,
            thumbprint,
        })
    }

    /// Reads fixtures back from [`Fixtures::to_json`]'s output, so every bench of one run times
    /// the same bytes.
    ///
    /// # Errors
    /// [`FixtureError`] naming the missing or malformed member.
    pub fn from_json(json: &[u8]) -> Result<Self, FixtureError> {
        let v: Value = serde_json::from_slice(json).map_err(|e| err("fixtures JSON")(&e))?;
        let text = |v: &Value, what: &str| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| FixtureError(format!("fixtures JSON: {what} is not a string")))
        };
        let der =
            |v: &Value, what: &str| Base64::decode_vec(&text(v, what)?).map_err(|e| err(what)(&e));
        let chain = [
            der(&v["chain"][0], "chain[0]")?,
            der(&v["chain"][1], "chain[1]")?,
            der(&v["chain"][2], "chain[2]")?,
        ];
        Ok(Self {
            leaf_der: der(&v["leaf_der"], "leaf_der")?,
            chain,
            iat: v["iat"]
                .as_u64()
                .ok_or_else(|| FixtureError("fixtures JSON: iat is not a number".into()))?,
            es256: text(&v["tokens"]["ES256"], "tokens.ES256")?,
            rs256: text(&v["tokens"]["RS256"], "tokens.RS256")?,
            eddsa: text(&v["tokens"]["EdDSA"], "tokens.EdDSA")?,
            jwks: v["jwks"].clone(),
            thumbprint: CertThumbprint::from_x5t_s256(&text(&v["thumbprint"], "thumbprint")?)
                .ok_or_else(|| FixtureError("fixtures JSON: bad thumbprint".into()))?,
        })
    }

    /// The fixtures as JSON (DER in standard base64) for the wasm and node benches.
    pub fn to_json(&self) -> Value {
        json!({
            "issuer": ISSUER,
            "audience": AUDIENCE,
            "iat": self.iat,
            "leaf_der": Base64::encode_string(&self.leaf_der),
            "chain": self.chain.iter().map(|d| Base64::encode_string(d)).collect::<Vec<_>>(),
            "tokens": {"ES256": self.es256, "RS256": self.rs256, "EdDSA": self.eddsa},
            "jwks": self.jwks,
            "thumbprint": self.thumbprint.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: the fixtures are what the benches claim: three tokens that core accepts with the
    // JWKS, bound to the chain leaf, and a chain that validates.
    #[test]
    fn fixtures_validate() {
        use certbound_core::Certificate;
        use certbound_core::path::{TrustStore, VerifyOptions, verify_chain};
        use certbound_core::provider::RustCrypto;
        use certbound_core::token::{Algorithm, JwkSet, Validator};
        let iat = 1_767_225_600;
        let f = Fixtures::generate(iat).unwrap();
        // The JSON round trip is lossless.
        let back = Fixtures::from_json(f.to_json().to_string().as_bytes()).unwrap();
        assert_eq!(back.to_json(), f.to_json());
        let set = JwkSet::from_json(f.jwks.to_string().as_bytes()).unwrap();
        let v = Validator::builder(ISSUER, AUDIENCE, set)
            .algorithms(&[Algorithm::Es256, Algorithm::Rs256, Algorithm::EdDsa])
            .build()
            .unwrap();
        let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(iat + 5));
        for t in [&f.es256, &f.rs256, &f.eddsa] {
            v.validate(&RustCrypto, t, Some(&f.thumbprint), now)
                .unwrap();
        }
        let other = CertThumbprint::of_der(&f.leaf_der);
        assert!(
            v.validate(&RustCrypto, &f.es256, Some(&other), now)
                .is_err()
        );
        let [root, ica, leaf] = &f.chain;
        let trust = TrustStore::from_certificates(&[Certificate::from_der(root).unwrap()]).unwrap();
        let path = verify_chain(
            &trust,
            &Certificate::from_der(leaf).unwrap(),
            &[Certificate::from_der(ica).unwrap()],
            now,
            &VerifyOptions::default(),
        )
        .unwrap();
        assert_eq!(path.chain().len(), 3);
        Certificate::from_der(&f.leaf_der).unwrap();
    }
}
