//! The parity evaluator as a wasm module: `tests/wasm-runner/run.mjs` loads the corpus under
//! node and calls [`run`]. The case → core call → verdict mapping is
//! `certbound_tests::parity`, the same code the native runner uses; nothing is re-implemented
//! in JavaScript.
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;

/// Evaluates `cases` (a JSON array of corpus cases) with `files` (a JSON object of file name →
/// base64 bytes) and returns the runtime report as JSON.
///
/// # Errors
/// A `JsError` when the arguments do not parse.
#[wasm_bindgen]
pub fn run(runtime: &str, cases: &str, files: &str) -> Result<String, JsError> {
    certbound_tests::parity::run_json(runtime, cases, files).map_err(|e| JsError::new(&e))
}

/// The file names `cases` refer to, for the loader.
///
/// # Errors
/// A `JsError` when `cases` does not parse.
#[wasm_bindgen(js_name = fileRefs)]
pub fn file_refs(cases: &str) -> Result<Vec<String>, JsError> {
    let cases = certbound_tests::parity::parse_cases(cases).map_err(|e| JsError::new(&e))?;
    Ok(certbound_tests::parity::file_refs(&cases))
}

/// The page runner's requests (`certbound_tests::parity::adapters::page_requests`) as JSON;
/// arguments as for [`run`].
///
/// # Errors
/// A `JsError` when the arguments do not parse.
#[wasm_bindgen(js_name = pageRequests)]
pub fn page_requests(cases: &str, files: &str) -> Result<String, JsError> {
    certbound_tests::parity::page_requests_json(cases, files).map_err(|e| JsError::new(&e))
}

/// The server runner's plan (`certbound_tests::parity::adapters::server_plan`) as JSON;
/// `dirs` is `{"corpus", "shared", "state"}` (absolute paths), `now` the UNIX time in seconds.
///
/// # Errors
/// A `JsError` when the arguments do not parse.
#[wasm_bindgen(js_name = serverPlan)]
pub fn server_plan(cases: &str, files: &str, dirs: &str, now: f64) -> Result<String, JsError> {
    // Date.now() / 1000, floored by the caller: a whole, non-negative number of seconds.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let now = now as u64;
    certbound_tests::parity::server_plan_json(cases, files, dirs, now).map_err(|e| JsError::new(&e))
}

/// The worker runner's plan (`certbound_tests::parity::adapters::worker_plan`) as JSON; `now`
/// is the UNIX time in seconds.
///
/// # Errors
/// A `JsError` when the arguments do not parse.
#[wasm_bindgen(js_name = workerPlan)]
pub fn worker_plan(cases: &str, files: &str, now: f64) -> Result<String, JsError> {
    // Date.now() / 1000, floored by the caller: a whole, non-negative number of seconds.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let now = now as u64;
    certbound_tests::parity::worker_plan_json(cases, files, now).map_err(|e| JsError::new(&e))
}
