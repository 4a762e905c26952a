//! `token` cases: tokens minted by core's issuance, and the attack matrix assembled from exact
//! header and payload bytes.

use base64ct::{Base64UrlUnpadded, Encoding};
use certbound_core::UnixTime;
use certbound_core::token::issue::{AccessTokenClaims, SigningKey, issue, jwks};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::super::pki::{P256Key, Pki, seed};
use super::super::{Declared as D, Gen, T_NOW};
use crate::parity::Kind::Token;

const ISS: &str = "https://as.parity.example";
const AUD: &str = "https://rs.parity.example";
const JWKS: &str = "pki/jwks.json";
/// The expiry of the hand-built tokens of cases not about time: 2036-01-01T00:00:00Z, so that
/// they are valid at the real clock too (`iat` stays just before [`T_NOW`], 2025-12-31) and the
/// worker runner, which cannot be given a time, can run those cases for years.
const EXP_FAR: u64 = 2_082_758_400;

fn b64u(bytes: &[u8]) -> String {
    Base64UrlUnpadded::encode_string(bytes)
}

/// `header.payload.signature` from exact JSON texts; ES256-signed by `key`, or unsigned.
fn jws(header: &str, payload: &str, key: Option<&P256Key>) -> String {
    let input = format!("{}.{}", b64u(header.as_bytes()), b64u(payload.as_bytes()));
    let sig = key
        .map(|k| k.jws_sign(input.as_bytes()))
        .unwrap_or_default();
    format!("{input}.{}", b64u(&sig))
}

/// HMAC-SHA-256 (RFC 2104), for the HS256 key-confusion token.
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

pub(super) fn cases(g: &mut Gen, p: &Pki) {
    let es = SigningKey::es256_from_scalar(&seed("as-es256")).expect("es256 key");
    let ed = SigningKey::ed25519_from_seed(&seed("as-ed25519")).expect("ed25519 key");
    let es_raw = P256Key::new("as-es256");
    let attacker = P256Key::new("attacker");
    let mut set = serde_json::to_string_pretty(&jwks(&[&es, &ed])).expect("jwks");
    set.push('\n');
    g.file(JWKS, set.clone());
    let kid = es.kid().to_owned();
    let ed_kid = ed.kid().to_owned();
    let client = p.get("client");
    let x5t = client.x5t();

    let base = |token: Value| {
        json!({
            "jwks": {"file": JWKS},
            "issuer": ISS,
            "audience": AUD,
            "algorithms": ["ES256", "EdDSA"],
            "presented": {"file": client.file},
            "token": token,
        })
    };
    let header = |alg: &str, kid: &str| json!({"alg": alg, "kid": kid, "typ": "at+jwt"});
    let claims = || -> Map<String, Value> {
        let Value::Object(m) = json!({
            "iss": ISS, "aud": AUD, "sub": "client-1", "client_id": "client-1",
            "jti": "parity-1", "iat": T_NOW - 60, "exp": EXP_FAR, "scope": "read write",
            "cnf": {"x5t#S256": x5t},
        }) else {
            unreachable!("an object literal")
        };
        m
    };
    let es_tok = |h: &Value, c: &Map<String, Value>| {
        jws(
            &h.to_string(),
            &Value::Object(c.clone()).to_string(),
            Some(&es_raw),
        )
    };
    let std_header = header("ES256", &kid);
    let with = |f: &dyn Fn(&mut Map<String, Value>)| {
        let mut c = claims();
        f(&mut c);
        es_tok(&std_header, &c)
    };
    let valid_fields = |alg: &str| {
        D::Fields(vec![
            ("/alg".into(), json!(alg)),
            ("/sub".into(), json!("client-1")),
            ("/x5t#S256".into(), json!(x5t)),
        ])
    };
    let tcase = |g: &mut Gen, name: &str, about: &str, token: String, d: D| {
        g.case(Token, name, about, base(json!(token)), d);
    };

    // Minted by core.
    let minted = |key: &SigningKey, at: u64, lifetime: u64, cnf: bool| {
        issue(
            key,
            &AccessTokenClaims {
                issuer: ISS.into(),
                audience: vec![AUD.into()],
                subject: "client-1".into(),
                client_id: "client-1".into(),
                scope: Some("read write".into()),
                jti: "parity-minted".into(),
                issued_at: UnixTime::since_unix_epoch(core::time::Duration::from_secs(at)),
                lifetime_secs: lifetime,
                cnf: cnf.then(|| certbound_core::CertThumbprint::of_der(&client.der)),
            },
        )
        .expect("issue")
    };
    tcase(
        g,
        "issued-es256",
        "ES256 token minted by core's issuance, bound to the presented certificate",
        minted(&es, T_NOW - 10, 300, true),
        valid_fields("ES256"),
    );
    tcase(
        g,
        "issued-eddsa",
        "EdDSA token minted by core's issuance",
        minted(&ed, T_NOW - 10, 300, true),
        valid_fields("EdDSA"),
    );
    tcase(
        g,
        "issued-expired",
        "minted an hour ago with a 5 minute lifetime",
        minted(&es, T_NOW - 3600, 300, true),
        D::Err("Token.Expired", None),
    );
    tcase(
        g,
        "issued-unbound",
        "minted without cnf; binding is required",
        minted(&es, T_NOW - 10, 300, false),
        D::Err("Token.Unbound", None),
    );
    let mut unbound_ok = base(json!(minted(&es, T_NOW - 10, 300, false)));
    unbound_ok["allow_unbound"] = json!(true);
    g.case(
        Token,
        "issued-unbound-allowed",
        "an unbound token where the validator allows bearer tokens",
        unbound_ok,
        D::Ok(None),
    );

    tcase(
        g,
        "valid",
        "the reference token: ES256, kid, at+jwt, bound",
        with(&|_| {}),
        valid_fields("ES256"),
    );
    let no_kid = es_tok(&json!({"alg": "ES256", "typ": "at+jwt"}), &claims());
    tcase(
        g,
        "valid-no-kid",
        "no kid: exactly one key fits ES256",
        no_kid,
        valid_fields("ES256"),
    );
    let app = es_tok(
        &json!({"alg": "ES256", "kid": kid, "typ": "application/at+jwt"}),
        &claims(),
    );
    tcase(
        g,
        "valid-typ-media-type",
        "typ application/at+jwt",
        app,
        D::Ok(None),
    );
    tcase(
        g,
        "valid-aud-array",
        "aud as an array containing this resource",
        with(&|c| {
            c.insert("aud".into(), json!(["https://other.example", AUD]));
        }),
        D::Ok(None),
    );

    // Algorithm attacks.
    let none_h = json!({"alg": "none", "typ": "at+jwt"}).to_string();
    let payload = Value::Object(claims()).to_string();
    tcase(
        g,
        "alg-none",
        "alg none with an empty signature (an unsecured JWS)",
        jws(&none_h, &payload, None),
        D::Err(
            "Token.Unsigned",
            Some("access token is unsigned (empty signature segment)".into()),
        ),
    );
    tcase(g, "alg-none-signed", "alg none carrying a signature anyway", jws(&none_h, &payload, Some(&es_raw)), D::Err("Token.AlgorithmNotAllowed", Some("access token header alg \"none\" is not allowed by this validator's algorithm list".into())));
    tcase(
        g,
        "alg-None-case",
        "alg \"None\" with a signature",
        jws(
            &json!({"alg": "None", "typ": "at+jwt"}).to_string(),
            &payload,
            Some(&es_raw),
        ),
        D::Err("Token.AlgorithmNotAllowed", None),
    );
    let hs_h = header("HS256", &kid).to_string();
    let hs_input = format!("{}.{}", b64u(hs_h.as_bytes()), b64u(payload.as_bytes()));
    let hs_sig = hmac_sha256(set.as_bytes(), hs_input.as_bytes());
    tcase(
        g,
        "alg-hs256-public-key",
        "HS256 MACed with the published JWKS as the secret (key confusion)",
        format!("{hs_input}.{}", b64u(&hs_sig)),
        D::Err("Token.AlgorithmNotAllowed", None),
    );
    tcase(
        g,
        "alg-es256k",
        "an algorithm core does not implement",
        es_tok(&header("ES256K", &kid), &claims()),
        D::Err("Token.AlgorithmNotAllowed", None),
    );
    tcase(
        g,
        "alg-rs256-not-allowed",
        "RS256: known to core, not in the allow-list",
        es_tok(&header("RS256", &kid), &claims()),
        D::Err("Token.AlgorithmNotAllowed", None),
    );
    tcase(
        g,
        "alg-missing",
        "a header without alg",
        es_tok(&json!({"kid": kid, "typ": "at+jwt"}), &claims()),
        D::Err(
            "Token.NoAlgorithm",
            Some("access token header has no alg".into()),
        ),
    );
    tcase(
        g,
        "alg-not-string",
        "alg as a number",
        es_tok(&json!({"alg": 256, "kid": kid, "typ": "at+jwt"}), &claims()),
        D::Err("Token.HeaderType", None),
    );
    tcase(
        g,
        "alg-kid-swap-eddsa",
        "alg EdDSA naming the ES256 key's kid",
        es_tok(&header("EdDSA", &kid), &claims()),
        D::Err("Token.KeyMismatch", None),
    );
    tcase(
        g,
        "alg-kid-swap-es256",
        "alg ES256 naming the Ed25519 key's kid",
        es_tok(&header("ES256", &ed_kid), &claims()),
        D::Err("Token.KeyMismatch", None),
    );
    let mut es_only = base(json!(with(&|_| {})));
    es_only["algorithms"] = json!(["EdDSA"]);
    g.case(
        Token,
        "alg-outside-allow-list",
        "a valid ES256 token where only EdDSA is allowed",
        es_only,
        D::Err("Token.AlgorithmNotAllowed", None),
    );

    // Keys.
    tcase(
        g,
        "kid-unknown",
        "a kid that names no key",
        es_tok(&header("ES256", "no-such-key"), &claims()),
        D::Err(
            "Token.UnknownKid",
            Some("access token header kid \"no-such-key\" names no key in the JWKS".into()),
        ),
    );
    tcase(
        g,
        "kid-not-string",
        "kid as a number",
        es_tok(
            &json!({"alg": "ES256", "kid": 7, "typ": "at+jwt"}),
            &claims(),
        ),
        D::Err("Token.HeaderType", None),
    );
    let forged = jws(&std_header.to_string(), &payload, Some(&attacker));
    tcase(
        g,
        "signature-other-key",
        "signed by an attacker key under the real kid",
        forged,
        D::Err(
            "Token.Signature",
            Some("access token signature verification failed".into()),
        ),
    );
    let good = with(&|_| {});
    let mut flipped = good.clone().into_bytes();
    if let Some(b) = flipped.last_mut() {
        *b = if *b == b'A' { b'B' } else { b'A' };
    }
    tcase(
        g,
        "signature-flipped",
        "the last signature character changed",
        String::from_utf8(flipped).expect("ascii"),
        D::AnyErr,
    );
    let (signing_input, _) = good.rsplit_once('.').expect("three segments");
    tcase(
        g,
        "signature-empty",
        "an ES256 token with its signature removed",
        format!("{signing_input}."),
        D::AnyErr,
    );
    tcase(
        g,
        "signature-short",
        "a 32-byte signature",
        format!("{signing_input}.{}", b64u(&[1u8; 32])),
        D::Err("Token.Signature", None),
    );
    let mut empty_set = base(json!(good.clone()));
    empty_set["jwks"] = json!("{\"keys\":[]}");
    g.case(
        Token,
        "jwks-empty",
        "an empty key set (configuration error)",
        empty_set,
        D::Err("ValidatorBuilder.EmptyKeySet", None),
    );
    let mut bad_set = base(json!(good.clone()));
    bad_set["jwks"] = json!("{\"keys\":{}}");
    g.case(
        Token,
        "jwks-malformed",
        "a JWKS whose keys is not an array",
        bad_set,
        D::Err("Token.Jwks", None),
    );
    let mut hs_set = base(json!(good.clone()));
    hs_set["jwks"] =
        json!(json!({"keys": [{"kty": "oct", "k": "c2VjcmV0", "kid": kid}]}).to_string());
    g.case(
        Token,
        "jwks-oct-only",
        "a JWKS holding only a symmetric key under the same kid",
        hs_set,
        D::Recorded,
    );

    // Time.
    tcase(
        g,
        "expired",
        "exp an hour ago",
        with(&|c| {
            c.insert("exp".into(), json!(T_NOW - 3600));
            c.insert("iat".into(), json!(T_NOW - 7200));
        }),
        D::Err("Token.Expired", None),
    );
    tcase(
        g,
        "expired-within-leeway",
        "exp 30 s ago, inside the 60 s leeway",
        with(&|c| {
            c.insert("exp".into(), json!(T_NOW - 30));
        }),
        D::Ok(None),
    );
    tcase(
        g,
        "expired-at-leeway",
        "exp exactly leeway seconds ago",
        with(&|c| {
            c.insert("exp".into(), json!(T_NOW - 60));
        }),
        D::Recorded,
    );
    tcase(
        g,
        "nbf-future",
        "nbf an hour ahead",
        with(&|c| {
            c.insert("nbf".into(), json!(T_NOW + 3600));
        }),
        D::Err("Token.NotYetValid", None),
    );
    tcase(
        g,
        "nbf-within-leeway",
        "nbf 30 s ahead",
        with(&|c| {
            c.insert("nbf".into(), json!(T_NOW + 30));
        }),
        D::Ok(None),
    );
    tcase(
        g,
        "iat-future",
        "iat an hour ahead",
        with(&|c| {
            c.insert("iat".into(), json!(T_NOW + 3600));
            c.insert("exp".into(), json!(T_NOW + 7200));
        }),
        D::Err("Token.IssuedInFuture", None),
    );
    tcase(
        g,
        "exp-string",
        "exp as a string",
        with(&|c| {
            c.insert("exp".into(), json!((T_NOW + 600).to_string()));
        }),
        D::Err("Token.ClaimType", None),
    );
    tcase(
        g,
        "exp-float",
        "exp with a fraction",
        with(&|c| {
            c.insert("exp".into(), json!(1.5e9));
        }),
        D::Recorded,
    );
    tcase(
        g,
        "exp-huge",
        "exp 1e30, beyond u64",
        with(&|c| {
            c.insert("exp".into(), json!(1e30));
        }),
        D::Recorded,
    );
    let mut leeway0 = base(json!(with(&|c| {
        c.insert("exp".into(), json!(T_NOW - 30));
    })));
    leeway0["leeway"] = json!(0);
    g.case(
        Token,
        "leeway-zero",
        "exp 30 s ago with no leeway",
        leeway0,
        D::Err("Token.Expired", None),
    );
    let mut leeway_big = base(json!(good.clone()));
    leeway_big["leeway"] = json!(3600);
    g.case(
        Token,
        "leeway-too-large",
        "a validator configured with an hour of leeway",
        leeway_big,
        D::Err("ValidatorBuilder.LeewayTooLarge", None),
    );

    // Issuer and audience.
    tcase(
        g,
        "iss-wrong",
        "another issuer",
        with(&|c| {
            c.insert("iss".into(), json!("https://evil.example"));
        }),
        D::Err("Token.Issuer", None),
    );
    tcase(
        g,
        "iss-trailing-slash",
        "the issuer with a trailing slash",
        with(&|c| {
            c.insert("iss".into(), json!(format!("{ISS}/")));
        }),
        D::Err("Token.Issuer", None),
    );
    tcase(
        g,
        "aud-wrong",
        "another audience",
        with(&|c| {
            c.insert("aud".into(), json!("https://other.example"));
        }),
        D::Err("Token.Audience", None),
    );
    tcase(
        g,
        "aud-array-without",
        "an aud array without this resource",
        with(&|c| {
            c.insert(
                "aud".into(),
                json!(["https://a.example", "https://b.example"]),
            );
        }),
        D::Err("Token.Audience", None),
    );
    tcase(
        g,
        "aud-missing",
        "no aud",
        with(&|c| {
            c.remove("aud");
        }),
        D::AnyErr,
    );
    for claim in ["sub", "client_id", "iat", "jti", "exp", "iss"] {
        tcase(
            g,
            &format!("missing-{claim}"),
            "a required claim is missing",
            with(&|c| {
                c.remove(claim);
            }),
            D::AnyErr,
        );
    }

    // Binding.
    tcase(
        g,
        "cnf-missing",
        "no cnf: an unbound token",
        with(&|c| {
            c.remove("cnf");
        }),
        D::Err("Token.Unbound", None),
    );
    let other = p.get("client2");
    tcase(
        g,
        "cnf-other-certificate",
        "bound to another client's certificate",
        with(&|c| {
            c.insert("cnf".into(), json!({"x5t#S256": other.x5t()}));
        }),
        D::Err(
            "Token.CertificateMismatch",
            Some(format!(
                "access token is bound to certificate x5t#S256 {}, but the request presented {x5t}",
                other.x5t()
            )),
        ),
    );
    let mut no_cert = base(json!(good.clone()));
    no_cert.as_object_mut().expect("object").remove("presented");
    g.case(
        Token,
        "cnf-no-certificate",
        "a bound token on a request without a client certificate",
        no_cert,
        D::Err("Token.CertificateRequired", None),
    );
    let pem_thumb = b64u(&Sha256::digest(client.pem().as_bytes()));
    tcase(
        g,
        "cnf-over-pem",
        "x5t#S256 computed over the PEM text instead of the DER",
        with(&|c| {
            c.insert("cnf".into(), json!({"x5t#S256": pem_thumb}));
        }),
        D::Err("Token.CertificateMismatch", None),
    );
    let b64_thumb = b64u(&Sha256::digest(client.b64().as_bytes()));
    tcase(
        g,
        "cnf-over-base64",
        "x5t#S256 computed over the base64 text of the DER",
        with(&|c| {
            c.insert("cnf".into(), json!({"x5t#S256": b64_thumb}));
        }),
        D::Err("Token.CertificateMismatch", None),
    );
    let spki_thumb = b64u(&Sha256::digest(&client.der[..client.der.len() / 2]));
    tcase(
        g,
        "cnf-over-partial",
        "x5t#S256 over a prefix of the DER",
        with(&|c| {
            c.insert("cnf".into(), json!({"x5t#S256": spki_thumb}));
        }),
        D::Err("Token.CertificateMismatch", None),
    );
    tcase(
        g,
        "cnf-padded",
        "x5t#S256 with base64 padding",
        with(&|c| {
            c.insert("cnf".into(), json!({"x5t#S256": format!("{x5t}=")}));
        }),
        D::Err("Token.Cnf", None),
    );
    // A certificate whose thumbprint has '-' or '_', so the standard alphabet differs.
    let (alpha_cert, std_alpha) = p
        .certs
        .values()
        .find(|c| c.x5t().contains(['-', '_']))
        .map(|c| (c, c.x5t().replace('-', "+").replace('_', "/")))
        .expect("some corpus certificate has '-' or '_' in its x5t#S256");
    let mut std_case = base(json!(with(&|c| {
        c.insert("cnf".into(), json!({"x5t#S256": std_alpha}));
    })));
    std_case["presented"] = json!({"file": alpha_cert.file});
    g.case(
        Token,
        "cnf-std-alphabet",
        "x5t#S256 in the standard base64 alphabet (+ and /)",
        std_case,
        D::Err("Token.Cnf", None),
    );
    tcase(
        g,
        "cnf-hex",
        "x5t#S256 as hex",
        with(&|c| {
            c.insert("cnf".into(), json!({"x5t#S256": client.sha256_hex()}));
        }),
        D::Err("Token.Cnf", None),
    );
    tcase(
        g,
        "cnf-x5t-sha1-member",
        "cnf with x5t (SHA-1) instead of x5t#S256",
        with(&|c| {
            c.insert("cnf".into(), json!({"x5t": x5t}));
        }),
        D::Err("Token.Cnf", None),
    );
    tcase(
        g,
        "cnf-jkt-only",
        "cnf with a jkt (DPoP) confirmation only",
        with(&|c| {
            c.insert("cnf".into(), json!({"jkt": x5t}));
        }),
        D::Err("Token.Cnf", None),
    );
    tcase(
        g,
        "cnf-not-object",
        "cnf as a string",
        with(&|c| {
            c.insert("cnf".into(), json!(x5t));
        }),
        D::Err("Token.Cnf", None),
    );
    tcase(
        g,
        "cnf-thumb-number",
        "x5t#S256 as a number",
        with(&|c| {
            c.insert("cnf".into(), json!({"x5t#S256": 1}));
        }),
        D::Err("Token.Cnf", None),
    );
    tcase(
        g,
        "cnf-short",
        "x5t#S256 of 31 bytes",
        with(&|c| {
            c.insert("cnf".into(), json!({"x5t#S256": b64u(&[7u8; 31])}));
        }),
        D::Err("Token.Cnf", None),
    );

    // Type.
    tcase(
        g,
        "typ-jwt",
        "typ JWT instead of at+jwt",
        es_tok(
            &json!({"alg": "ES256", "kid": kid, "typ": "JWT"}),
            &claims(),
        ),
        D::Err("Token.Type", None),
    );
    tcase(
        g,
        "typ-missing",
        "no typ",
        es_tok(&json!({"alg": "ES256", "kid": kid}), &claims()),
        D::Err("Token.Type", None),
    );
    let mut untyped = base(json!(es_tok(
        &json!({"alg": "ES256", "kid": kid}),
        &claims()
    )));
    untyped["allow_untyped"] = json!(true);
    g.case(
        Token,
        "typ-missing-allowed",
        "no typ where the validator allows pre-RFC 9068 tokens",
        untyped,
        D::Ok(None),
    );
    tcase(
        g,
        "crit",
        "a crit header",
        es_tok(
            &json!({"alg": "ES256", "kid": kid, "typ": "at+jwt", "crit": ["exp"], "exp": 1}),
            &claims(),
        ),
        D::Err("Token.Critical", None),
    );

    // Structure.
    tcase(
        g,
        "segments-two",
        "two segments",
        format!(
            "{}.{}",
            b64u(std_header.to_string().as_bytes()),
            b64u(payload.as_bytes())
        ),
        D::Err(
            "Token.Segments",
            Some("access token has 2 dot-separated segment(s); a compact JWS has exactly 3".into()),
        ),
    );
    tcase(
        g,
        "segments-five",
        "a JWE-shaped five segments",
        format!("{good}.a.b"),
        D::Err("Token.Segments", None),
    );
    tcase(g, "empty-token", "an empty token", String::new(), D::AnyErr);
    tcase(
        g,
        "base64-padded",
        "a header segment with '=' padding",
        {
            let (h, rest) = good.split_once('.').expect("dot");
            format!("{h}=.{rest}")
        },
        D::Err("Token.Base64", None),
    );
    tcase(
        g,
        "base64-std-alphabet",
        "a payload in the standard alphabet",
        jws(
            &std_header.to_string(),
            "{\"a\":\"\u{fbff}\u{fbff}\"}",
            Some(&es_raw),
        )
        .replace('_', "/")
        .replace('-', "+"),
        D::AnyErr,
    );
    tcase(
        g,
        "header-not-json",
        "a header that is not JSON",
        jws("not json", &payload, Some(&es_raw)),
        D::Err("Token.Json", None),
    );
    tcase(
        g,
        "payload-not-json",
        "a payload that is not JSON",
        jws(&std_header.to_string(), "{\"iss\":", Some(&es_raw)),
        D::Err("Token.Json", None),
    );
    tcase(
        g,
        "header-array",
        "a header that is a JSON array",
        jws("[1,2]", &payload, Some(&es_raw)),
        D::Err("Token.NotObject", None),
    );
    tcase(
        g,
        "payload-string",
        "a payload that is a JSON string",
        jws(&std_header.to_string(), "\"claims\"", Some(&es_raw)),
        D::Err("Token.NotObject", None),
    );
    let dup_h =
        format!("{{\"alg\":\"ES256\",\"alg\":\"none\",\"kid\":\"{kid}\",\"typ\":\"at+jwt\"}}");
    tcase(
        g,
        "duplicate-header-alg",
        "alg twice in the header",
        jws(&dup_h, &payload, Some(&es_raw)),
        D::Err("Token.DuplicateMember", None),
    );
    let dup_p = payload.replacen('{', "{\"sub\":\"admin\",", 1);
    tcase(
        g,
        "duplicate-claim-sub",
        "sub twice in the claims",
        jws(&std_header.to_string(), &dup_p, Some(&es_raw)),
        D::Err("Token.DuplicateMember", None),
    );
    let dup_cnf = payload.replacen(
        "\"cnf\":{",
        &format!("\"cnf\":{{\"x5t#S256\":\"{}\",", other.x5t()),
        1,
    );
    tcase(
        g,
        "duplicate-cnf-member",
        "x5t#S256 twice inside cnf",
        jws(&std_header.to_string(), &dup_cnf, Some(&es_raw)),
        D::Err("Token.DuplicateMember", None),
    );
    let input_bad_utf8 = format!(
        "{}.{}",
        b64u(std_header.to_string().as_bytes()),
        b64u(b"{\"iss\":\"\xff\"}")
    );
    let sig = es_raw.jws_sign(input_bad_utf8.as_bytes());
    tcase(
        g,
        "payload-not-utf8",
        "a payload with an invalid UTF-8 byte",
        format!("{input_bad_utf8}.{}", b64u(&sig)),
        D::Err("Token.Utf8", None),
    );
    tcase(
        g,
        "whitespace",
        "a token with a trailing space",
        format!("{good} "),
        D::AnyErr,
    );
    let big = with(&|c| {
        c.insert("pad".into(), json!("x".repeat(17 * 1024)));
    });
    tcase(
        g,
        "oversize",
        "a token over MAX_TOKEN_BYTES (16 KiB)",
        big.clone(),
        D::Err(
            "TooLarge",
            Some(format!(
                "access token is {} bytes, over the limit of 16384 bytes",
                big.len()
            )),
        ),
    );

    // Scope.
    let mut scoped = base(json!(good.clone()));
    scoped["required_scopes"] = json!(["read"]);
    g.case(
        Token,
        "scope-present",
        "a required scope the token grants",
        scoped,
        D::Ok(None),
    );
    let mut unscoped = base(json!(good.clone()));
    unscoped["required_scopes"] = json!(["admin", "read"]);
    g.case(
        Token,
        "scope-insufficient",
        "a required scope the token lacks",
        unscoped,
        D::Err("Token.InsufficientScope", None),
    );

    // The Authorization header (RFC 6750 §2.1).
    let req = |g: &mut Gen, name: &str, about: &str, auth: Value, d: D| {
        let mut i = base(Value::Null);
        let o = i.as_object_mut().expect("object");
        o.remove("token");
        o.insert("request".into(), json!({"authorization": auth}));
        g.case(Token, name, about, i, d);
    };
    req(
        g,
        "header-bearer",
        "Authorization: Bearer <token>",
        json!(format!("Bearer {good}")),
        D::Ok(None),
    );
    req(
        g,
        "header-bearer-lowercase",
        "the scheme in lower case",
        json!(format!("bearer {good}")),
        D::Ok(None),
    );
    req(
        g,
        "header-missing",
        "no Authorization header",
        Value::Null,
        D::Err("Bearer.MissingToken", None),
    );
    req(
        g,
        "header-basic",
        "Basic credentials instead of a bearer token",
        json!("Basic YTpi"),
        D::Err("Bearer.MissingToken", None),
    );
    req(
        g,
        "header-two-tokens",
        "two tokens in one header",
        json!(format!("Bearer {good} {good}")),
        D::Err("Bearer.MalformedRequest", None),
    );
    req(
        g,
        "header-empty-token",
        "the scheme without a token",
        json!("Bearer "),
        D::Err("Bearer.MalformedRequest", None),
    );
    req(
        g,
        "header-expired",
        "an expired token through the header",
        json!(format!("Bearer {}", minted(&es, T_NOW - 3600, 300, true))),
        D::Err("Token.Expired", None),
    );
}
