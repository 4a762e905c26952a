//! Signature verification with the runtime's WebCrypto (`crypto.subtle`): the fast path for
//! certbound's token signatures wherever core runs as wasm next to a JavaScript engine —
//! Cloudflare Workers (workerd), browsers and node ≥ 20.
//!
//! Core decides *what* is verified (algorithm allow-list, key, bytes) through its begin/finish
//! API ([`PendingSignature`]); this crate only answers "is the signature valid", so choosing it
//! never changes a verdict, only its cost. WebCrypto is asynchronous, so this is not a
//! [`CryptoProvider`] (a synchronous trait) but async functions:
//!
//! ```no_run
//! # async fn f(v: &certbound_core::token::Validator, t: &str, now: certbound_core::UnixTime)
//! # -> Result<(), certbound_core::Error> {
//! let pending = v.begin(t, None, now)?;
//! let token = certbound_provider_webcrypto::finish(pending).await?;
//! # let _ = token; Ok(()) }
//! ```
//!
//! [`resolve`] for decisions that verify signatures deep inside synchronous code (certificate
//! path building, `tls_client_auth`), and [`verify`] for a single signature (Wycheproof runs
//! through it: `tests/webcrypto.sh`, in node and in workerd).
//!
//! Encodings are the ones core's provider seam documents, which WebCrypto takes as they are:
//! ECDSA keys as raw SEC1 points with fixed `r ‖ s` signatures, Ed25519 raw. RSA keys come as
//! PKCS#1 and are wrapped into the SPKI WebCrypto imports. The mixed-curve ECDSA schemes
//! (P-256/SHA-384, P-384/SHA-256) are WebCrypto combinations too. A scheme WebCrypto cannot
//! express, a key it refuses to import or a missing `crypto.subtle` is an invalid signature,
//! never an error that lets a token through.
//!
//! `crypto` is looked up on `globalThis` at each call (no `window`/`self` bindings), which is
//! where workerd, Chromium and node ≥ 20 all put it.
//!
//! Imported keys are cached per isolate (at most [`MAX_CACHED_KEYS`]), as npm `jose` does: an
//! import costs about as much as a verification.
//!
//! The crate targets `wasm32-unknown-unknown`. It also compiles natively (js-sys and
//! wasm-bindgen do) so the workspace builds and lints on the host, but there every call fails:
//! there is no JavaScript engine.
#![forbid(unsafe_code)]

use std::cell::RefCell;
use std::collections::HashMap;

use certbound_core::provider::{CryptoProvider, Deferred, InvalidSignature, SignatureScheme, Step};
use certbound_core::token::PendingSignature;
use der::Encode;
use der::asn1::BitStringRef;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Most imported keys kept per isolate; the cache is emptied when full. A JWKS holds at most
/// core's `MAX_JWKS_KEYS` (64), so a legitimate key set never thrashes it.
pub const MAX_CACHED_KEYS: usize = 64;

thread_local! {
    static KEYS: RefCell<HashMap<(u8, Vec<u8>), JsValue>> = RefCell::new(HashMap::new());
}

/// Verifies `pending`'s signature with WebCrypto and completes validation.
///
/// # Errors
/// As [`PendingSignature::finish`]: a signature WebCrypto rejects, or a key or scheme it cannot
/// use, is an invalid signature.
pub async fn finish(
    pending: PendingSignature,
) -> Result<certbound_core::token::ValidToken, certbound_core::Error> {
    let verified = verify(
        pending.scheme(),
        pending.public_key(),
        pending.signing_input(),
        pending.signature(),
    )
    .await;
    pending.finish(verified)
}

/// Runs `decide` (chain validation, client authentication: anything that verifies signatures
/// through a synchronous [`CryptoProvider`]) with its signatures verified by WebCrypto, in rounds
/// ([`Deferred`]): each round's unanswered signatures are verified, then `decide` runs again,
/// until a run needs no new signature. That run's result is returned: the decision core makes
/// with a synchronous provider giving WebCrypto's verdicts.
///
/// ```no_run
/// # async fn f(trust: &certbound_core::path::TrustStore, leaf: &certbound_core::Certificate,
/// #     now: certbound_core::UnixTime) -> Result<(), certbound_core::Error> {
/// use certbound_core::path::{self, VerifyOptions};
/// let path = certbound_provider_webcrypto::resolve(|p| {
///     path::verify_chain_with_provider(trust, leaf, &[], now, &VerifyOptions::default(), p)
/// })
/// .await??;
/// # let _ = path; Ok(()) }
/// ```
///
/// # Errors
/// [`Error::TooManySignatures`](certbound_core::Error::TooManySignatures) past
/// [`Deferred::MAX_CHECKS`] distinct signatures; `decide`'s own errors are in `T`.
pub async fn resolve<T>(
    mut decide: impl FnMut(&dyn CryptoProvider) -> T,
) -> Result<T, certbound_core::Error> {
    let mut deferred = Deferred::new();
    loop {
        match deferred.run(&mut decide)? {
            Step::Ready(result) => return Ok(result),
            Step::Pending(checks) => {
                for check in checks {
                    let valid = verify(
                        check.scheme,
                        &check.public_key,
                        &check.message,
                        &check.signature,
                    )
                    .await
                    .is_ok();
                    deferred.answer(check, valid);
                }
            }
        }
    }
}

/// WebCrypto's verdict on `signature` over `message` with `public_key` under `scheme`.
///
/// # Errors
/// [`InvalidSignature`] when the signature does not verify or WebCrypto refuses key or
/// algorithm.
pub async fn verify(
    scheme: SignatureScheme,
    public_key: &[u8],
    message: &[u8],
    signature: &[u8],
) -> Result<(), InvalidSignature> {
    let params = Params::of(scheme).ok_or(InvalidSignature)?;
    let key = key(&params, public_key).await.ok_or(InvalidSignature)?;
    let subtle = subtle().ok_or(InvalidSignature)?;
    let verify: Function = Reflect::get(&subtle, &"verify".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(InvalidSignature)?;
    let args = Array::of4(
        &params.verify_algorithm(),
        &key,
        &Uint8Array::from(signature),
        &Uint8Array::from(message),
    );
    let promise: Promise = verify
        .apply(&subtle, &args)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or(InvalidSignature)?;
    match JsFuture::from(promise).await {
        Ok(v) if v.as_bool() == Some(true) => Ok(()),
        _ => Err(InvalidSignature),
    }
}

/// How WebCrypto names a scheme.
struct Params {
    id: u8,
    import: Object,
    verify: Object,
    format: &'static str,
    rsa: bool,
}

impl Params {
    fn of(scheme: SignatureScheme) -> Option<Self> {
        use SignatureScheme as S;
        let ec = |id, curve, hash| Self {
            id,
            import: object(&[
                ("name", "ECDSA".into()),
                ("namedCurve", JsValue::from_str(curve)),
            ]),
            verify: object(&[("name", "ECDSA".into()), ("hash", JsValue::from_str(hash))]),
            format: "raw",
            rsa: false,
        };
        let pkcs1 = |id, hash: &str| Self {
            id,
            import: object(&[("name", "RSASSA-PKCS1-v1_5".into()), ("hash", hash.into())]),
            verify: object(&[("name", "RSASSA-PKCS1-v1_5".into())]),
            format: "spki",
            rsa: true,
        };
        let pss = |id, hash: &str, salt: u32| Self {
            id,
            import: object(&[("name", "RSA-PSS".into()), ("hash", hash.into())]),
            verify: object(&[("name", "RSA-PSS".into()), ("saltLength", salt.into())]),
            format: "spki",
            rsa: true,
        };
        Some(match scheme {
            S::EcdsaP256Sha256 => ec(1, "P-256", "SHA-256"),
            S::EcdsaP256Sha384 => ec(2, "P-256", "SHA-384"),
            S::EcdsaP384Sha256 => ec(3, "P-384", "SHA-256"),
            S::EcdsaP384Sha384 => ec(4, "P-384", "SHA-384"),
            S::Ed25519 => Self {
                id: 5,
                import: object(&[("name", "Ed25519".into())]),
                verify: object(&[("name", "Ed25519".into())]),
                format: "raw",
                rsa: false,
            },
            S::RsaPkcs1Sha256 => pkcs1(6, "SHA-256"),
            S::RsaPkcs1Sha384 => pkcs1(7, "SHA-384"),
            S::RsaPkcs1Sha512 => pkcs1(8, "SHA-512"),
            S::RsaPssSha256 => pss(9, "SHA-256", 32),
            S::RsaPssSha384 => pss(10, "SHA-384", 48),
            S::RsaPssSha512 => pss(11, "SHA-512", 64),
            _ => return None,
        })
    }

    fn verify_algorithm(&self) -> JsValue {
        self.verify.clone().into()
    }
}

fn object(entries: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in entries {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

/// `globalThis.crypto.subtle`, or `None` when the runtime has none.
fn subtle() -> Option<JsValue> {
    let crypto = Reflect::get(&global_this()?, &"crypto".into()).ok()?;
    Reflect::get(&crypto, &"subtle".into())
        .ok()
        .filter(JsValue::is_object)
}

/// The imported `CryptoKey` for `public_key`, from the cache or imported now.
async fn key(params: &Params, public_key: &[u8]) -> Option<JsValue> {
    let cache_key = (params.id, public_key.to_vec());
    if let Some(k) = KEYS.with(|c| c.borrow().get(&cache_key).cloned()) {
        return Some(k);
    }
    let data = if params.rsa {
        rsa_spki(public_key)?
    } else {
        public_key.to_vec()
    };
    let subtle = subtle()?;
    let import: Function = Reflect::get(&subtle, &"importKey".into())
        .ok()?
        .dyn_into()
        .ok()?;
    let usages = Array::of1(&"verify".into());
    let args = Array::of5(
        &params.format.into(),
        &Uint8Array::from(data.as_slice()),
        &params.import,
        &JsValue::FALSE,
        &usages,
    );
    let promise: Promise = import.apply(&subtle, &args).ok()?.dyn_into().ok()?;
    let key = JsFuture::from(promise).await.ok()?;
    KEYS.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_CACHED_KEYS {
            c.clear();
        }
        c.insert(cache_key, key.clone());
    });
    Some(key)
}

/// Wraps a PKCS#1 `RSAPublicKey` into the `SubjectPublicKeyInfo` WebCrypto imports
/// (`rsaEncryption` with NULL parameters, RFC 3279 §2.3.1).
fn rsa_spki(pkcs1: &[u8]) -> Option<Vec<u8>> {
    let null = der::asn1::AnyRef::NULL;
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid: const_oid::db::rfc5912::RSA_ENCRYPTION,
            parameters: Some(null),
        },
        subject_public_key: BitStringRef::from_bytes(pkcs1).ok()?,
    };
    spki.to_der().ok()
}

#[wasm_bindgen]
extern "C" {
    /// The global object by its standard name, in every runtime (ES2020).
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// `globalThis` as an object; `None` natively, where there is no JavaScript.
fn global_this() -> Option<JsValue> {
    if cfg!(target_family = "wasm") {
        Some(GLOBAL_THIS.with(JsValue::clone)).filter(JsValue::is_object)
    } else {
        None
    }
}
