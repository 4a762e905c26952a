//! Wycheproof through [`certbound_provider_webcrypto`], compiled to wasm: `tests/webcrypto.sh`
//! calls [`run`] in node (OpenSSL's WebCrypto) and in workerd (BoringSSL's, via Miniflare).
//!
//! The vectors are `certbound_tests::wycheproof`, the same sets the native providers run
//! (`tests/tests/wycheproof.rs`). Each vector also goes through core's default `RustCrypto`
//! compiled into this same module, so every WebCrypto verdict is compared with RustCrypto's on
//! the spot; the native test holds RustCrypto and aws-lc-rs to the same verdicts.
#![forbid(unsafe_code)]

use certbound_core::provider::{CryptoProvider, RustCrypto};
use certbound_tests::wycheproof::{Score, TestResult, families};
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// One family's results in one runtime.
#[derive(Debug, Serialize)]
struct FamilyReport {
    family: &'static str,
    webcrypto: Score,
    rustcrypto: Score,
    /// Vectors where WebCrypto and RustCrypto differ.
    differences: Vec<String>,
    /// `acceptable` vectors: `[id, webcrypto accepted, rustcrypto accepted]`.
    acceptable: Vec<(String, bool, bool)>,
}

/// Runs every family through WebCrypto and RustCrypto and returns the report as JSON:
/// `{"runtime", "families": [{"family", "webcrypto", "rustcrypto", "differences",
/// "acceptable"}]}`, each score with its counts, its wrong verdicts and every verdict.
///
/// # Errors
/// A `JsError` when the Wycheproof data does not load.
#[wasm_bindgen]
pub async fn run(runtime: String) -> Result<String, JsError> {
    let mut reports = Vec::new();
    for family in families().map_err(|e| JsError::new(&e))? {
        let mut webcrypto = Score::default();
        let mut rustcrypto = Score::default();
        let mut acceptable = Vec::new();
        for v in &family.vectors {
            let by_web = certbound_provider_webcrypto::verify(v.scheme, &v.key, &v.msg, &v.sig)
                .await
                .is_ok();
            let by_rust = RustCrypto.verify(v.scheme, &v.key, &v.msg, &v.sig).is_ok();
            webcrypto.record(&v.id, v.result, by_web);
            rustcrypto.record(&v.id, v.result, by_rust);
            if v.result == TestResult::Acceptable {
                acceptable.push((v.id.clone(), by_web, by_rust));
            }
        }
        let differences = webcrypto.differences("WebCrypto", &rustcrypto, "RustCrypto");
        reports.push(FamilyReport {
            family: family.name,
            webcrypto,
            rustcrypto,
            differences,
            acceptable,
        });
    }
    serde_json::to_string(&serde_json::json!({ "runtime": runtime, "families": reports }))
        .map_err(|e| JsError::new(&e.to_string()))
}
