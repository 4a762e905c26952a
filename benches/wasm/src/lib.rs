//! certbound's benchmarked operations compiled to wasm, for `scripts/bench`'s node column.
//!
//! node builds a [`Bench`] from the native fixtures (`bench-fixtures` JSON) and times
//! [`Bench::run`] batches with `performance.now()`; each call runs one operation `iterations`
//! times inside wasm, so the JS↔wasm crossing is paid once per batch, not per operation.
#![forbid(unsafe_code)]

use core::hint::black_box;
use core::time::Duration;

use base64ct::{Base64, Encoding as _};
use certbound_core::path::{self, TrustStore, VerifyOptions};
use certbound_core::provider::RustCrypto;
use certbound_core::token::{Algorithm, JwkSet, Validator};
use certbound_core::{CertThumbprint, Certificate, UnixTime};
use serde_json::Value;
use wasm_bindgen::prelude::*;

/// The fixtures, parsed once; the operations run over them.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Bench {
    leaf_der: Vec<u8>,
    trust: TrustStore,
    chain_leaf: Certificate,
    intermediates: Vec<Certificate>,
    validator: Validator,
    tokens: Vec<(String, String)>,
    thumbprint: CertThumbprint,
    now: UnixTime,
}

fn setup(what: &str) -> impl Fn(&dyn core::fmt::Display) -> JsError + '_ {
    move |e| JsError::new(&format!("bench setup, {what}: {e}"))
}

fn der(v: &Value) -> Result<Vec<u8>, JsError> {
    let text = v
        .as_str()
        .ok_or_else(|| JsError::new("bench setup: DER is not a string"))?;
    Base64::decode_vec(text).map_err(|e| setup("base64")(&e))
}

#[wasm_bindgen]
impl Bench {
    /// Parses `fixtures` (the `bench-fixtures` JSON); tokens are checked at `now_secs`.
    ///
    /// # Errors
    /// A `JsError` when the fixtures are malformed.
    #[wasm_bindgen(constructor)]
    pub fn new(fixtures: &str, now_secs: f64) -> Result<Self, JsError> {
        let f: Value = serde_json::from_str(fixtures).map_err(|e| setup("JSON")(&e))?;
        let chain = f["chain"]
            .as_array()
            .ok_or_else(|| JsError::new("bench setup: no chain"))?
            .iter()
            .map(|d| der(d).and_then(|d| Certificate::from_der(&d).map_err(|e| setup("chain")(&e))))
            .collect::<Result<Vec<_>, _>>()?;
        let [root, ica, leaf] = <[Certificate; 3]>::try_from(chain)
            .map_err(|_| JsError::new("bench setup: the chain must have 3 certificates"))?;
        let trust = TrustStore::from_certificates(&[root]).map_err(|e| setup("trust")(&e))?;
        let set =
            JwkSet::from_json(f["jwks"].to_string().as_bytes()).map_err(|e| setup("JWKS")(&e))?;
        let text = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
        let validator = Validator::builder(text("issuer"), text("audience"), set)
            .algorithms(&[Algorithm::Es256, Algorithm::Rs256, Algorithm::EdDsa])
            .build()
            .map_err(|e| setup("validator")(&e))?;
        let tokens = f["tokens"]
            .as_object()
            .ok_or_else(|| JsError::new("bench setup: no tokens"))?
            .iter()
            .map(|(alg, t)| (alg.clone(), t.as_str().unwrap_or_default().to_owned()))
            .collect();
        let thumbprint = CertThumbprint::from_x5t_s256(&text("thumbprint"))
            .ok_or_else(|| JsError::new("bench setup: bad thumbprint"))?;
        // Seconds since the epoch fit an f64 exactly; a negative or NaN `now` becomes 0.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let now = UnixTime::since_unix_epoch(Duration::from_secs(now_secs as u64));
        Ok(Self {
            leaf_der: der(&f["leaf_der"])?,
            trust,
            chain_leaf: leaf,
            intermediates: vec![ica],
            validator,
            tokens,
            thumbprint,
            now,
        })
    }

    /// Runs `op` (`parse`, `sha256`, `token-ES256`, `token-RS256`, `token-EdDSA`,
    /// `chain-P256`) `iterations` times and returns `iterations`.
    ///
    /// # Errors
    /// A `JsError` for an unknown `op` or when an operation fails: a bench must never time a
    /// rejection.
    pub fn run(&self, op: &str, iterations: u32) -> Result<u32, JsError> {
        let fail = |e: &dyn core::fmt::Display| JsError::new(&format!("{op}: {e}"));
        for _ in 0..iterations {
            match op {
                "parse" => {
                    black_box(
                        Certificate::from_der(black_box(&self.leaf_der)).map_err(|e| fail(&e))?,
                    );
                }
                "sha256" => {
                    black_box(CertThumbprint::of_der(black_box(&self.leaf_der)));
                }
                "chain-P256" => {
                    black_box(
                        path::verify_chain_with_provider(
                            black_box(&self.trust),
                            black_box(&self.chain_leaf),
                            &self.intermediates,
                            self.now,
                            &VerifyOptions::default(),
                            &RustCrypto,
                        )
                        .map_err(|e| fail(&e))?,
                    );
                }
                _ => {
                    let alg = op.strip_prefix("token-").unwrap_or_default();
                    let (_, token) = self
                        .tokens
                        .iter()
                        .find(|(a, _)| a == alg)
                        .ok_or_else(|| JsError::new(&format!("unknown operation {op:?}")))?;
                    black_box(
                        self.validator
                            .validate(
                                &RustCrypto,
                                black_box(token),
                                Some(&self.thumbprint),
                                self.now,
                            )
                            .map_err(|e| fail(&e))?,
                    );
                }
            }
        }
        Ok(iterations)
    }
}
