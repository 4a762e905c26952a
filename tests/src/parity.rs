//! The parity evaluator: one mapping from a corpus case to core calls to a [`Verdict`], shared by
//! every runtime that runs core itself (native tests, wasm under node).
//!
//! A case names its kind, its input (in the corpus's JSON vocabulary, with certificates as
//! references to corpus or shared files), the verification time and the expected verdict.
//! [`evaluate`] calls only `certbound-core` public APIs; the runners differ only in where the
//! code runs. Adapters that cannot call core directly (worker, page, server) report the fields
//! they can observe ([`FIELDS`]) and are compared on those.

pub mod adapters;
mod client;
mod forwarded;
mod inspect;
mod path;
mod token;

pub use self::token::REALM;

use std::collections::BTreeMap;
use std::fmt;

use base64ct::{Base64, Encoding};
use certbound_core::provider::{CryptoProvider, RustCrypto};
use certbound_core::{Error, UnixTime};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The verdict fields, in comparison order.
pub const FIELDS: [&str; 5] = ["ok", "code", "error", "oauth", "detail"];

/// The corpus file name prefix that refers to `../shared/conformance/` instead of the corpus.
pub const SHARED_PREFIX: &str = "shared:";

/// What a case exercises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// RFC 8705 client registrations and `authenticate`.
    Client,
    /// A forwarded client-certificate header of one proxy.
    Forwarded,
    /// The certificate view (`parse_bundle` + `summary`).
    Inspect,
    /// Path validation to trust anchors.
    Path,
    /// Certificate-bound access token validation (and the `Authorization` header).
    Token,
}

impl Kind {
    /// Every kind, in corpus file order.
    pub const ALL: [Self; 5] = [
        Self::Client,
        Self::Forwarded,
        Self::Inspect,
        Self::Path,
        Self::Token,
    ];

    /// The name used in ids and file names.
    pub fn name(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Forwarded => "forwarded",
            Self::Inspect => "inspect",
            Self::Path => "path",
            Self::Token => "token",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One corpus case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique id, `<kind>/<name>`.
    pub id: String,
    /// What it exercises.
    pub kind: Kind,
    /// What the case is about, for a reader of a disagreement report.
    pub about: String,
    /// Verification time, UNIX seconds.
    pub time: u64,
    /// Kind-specific input (see the `parity` submodules).
    pub input: Value,
    /// The expected verdict.
    pub expect: Verdict,
}

/// The HTTP-level answer an adapter would send for a refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OauthAnswer {
    /// HTTP status.
    pub status: u16,
    /// The OAuth error code (`invalid_token`, `invalid_client`, …); `None` for a request
    /// without credentials (RFC 6750 §3.1).
    pub error: Option<String>,
    /// The RFC 6750 `WWW-Authenticate` value (protected resources only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub www_authenticate: Option<String>,
}

/// What one runtime decided for one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// Accepted?
    pub ok: bool,
    /// Stable error code: the path of `certbound_core::Error` variant names
    /// (`Token.Expired`), see [`error_code`]; `None` when accepted.
    pub code: Option<String>,
    /// The error's `Display` text; `None` when accepted.
    pub error: Option<String>,
    /// The OAuth answer for token and client cases.
    pub oauth: Option<OauthAnswer>,
    /// What was accepted (thumbprints, names, claims); `None` on refusal.
    pub detail: Option<Value>,
}

impl Verdict {
    /// An accepted case.
    pub fn accept(detail: Value) -> Self {
        Self {
            ok: true,
            code: None,
            error: None,
            oauth: None,
            detail: Some(detail),
        }
    }

    /// A refusal by core.
    pub fn refuse(error: &Error) -> Self {
        Self {
            ok: false,
            code: Some(error_code(error)),
            error: Some(error.to_string()),
            oauth: None,
            detail: None,
        }
    }

    /// A refusal outside core's `Error` (e.g. the RFC 6750 header parse), with its own code.
    pub fn refuse_with(code: &str, error: String) -> Self {
        Self {
            ok: false,
            code: Some(code.to_owned()),
            error: Some(error),
            oauth: None,
            detail: None,
        }
    }

    /// The case itself is broken (unknown file, bad input shape): never an agreement.
    pub fn harness(message: String) -> Self {
        Self::refuse_with(HARNESS_CODE, message)
    }

    /// The field named `name` (one of [`FIELDS`]) as JSON, for comparison and tables.
    pub fn field(&self, name: &str) -> Value {
        let v = match name {
            "ok" => serde_json::to_value(self.ok),
            "code" => serde_json::to_value(&self.code),
            "error" => serde_json::to_value(&self.error),
            "oauth" => serde_json::to_value(&self.oauth),
            "detail" => serde_json::to_value(&self.detail),
            _ => Ok(Value::Null),
        };
        v.unwrap_or(Value::Null)
    }
}

/// The code of a verdict whose case could not be evaluated at all (a corpus defect).
pub const HARNESS_CODE: &str = "Harness";

/// The stable code of a core error: its variant names from the outside in, as long as each
/// wraps the next as a tuple variant (`Token(Expired { … })` → `Token.Expired`,
/// `Forwarded(Xfcc { … })` → `Forwarded.Xfcc`, `NoCertificate` → `NoCertificate`).
///
/// Derived from `Debug`, which core derives for every error type: no mapping to keep in sync.
pub fn error_code(error: &Error) -> String {
    debug_code(error)
}

/// [`error_code`] for any error type with a derived `Debug`.
pub fn debug_code(error: &dyn fmt::Debug) -> String {
    let debug = format!("{error:?}");
    let mut code = String::new();
    let mut rest = debug.as_str();
    loop {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, tail) = rest.split_at(end);
        if name.is_empty() {
            break;
        }
        if !code.is_empty() {
            code.push('.');
        }
        code.push_str(name);
        match tail.strip_prefix('(') {
            Some(inner) => rest = inner,
            None => break,
        }
    }
    code
}

/// The files a corpus refers to, by name: `pki/…` in the corpus, `shared:…` in
/// `../shared/conformance/`. Runners load them; the evaluator never touches a file system.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Bytes in a case input.
///
/// ```text
/// "text"                          → the UTF-8 bytes of the string itself
/// {"file": "pki/client.pem"}      → a corpus file; "shared:rfc-examples/c00" a shared one
/// {"b64": "MIIB…"}                → base64 (standard alphabet, padded)
/// {"repeat": "A", "count": 17000} → a string repeated (size-limit cases)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Data {
    /// Literal text.
    Text(String),
    /// A file by name.
    File {
        /// Corpus-relative, or `shared:` + conformance-relative.
        file: String,
    },
    /// Base64 bytes.
    B64 {
        /// Standard padded base64.
        b64: String,
    },
    /// `repeat` × `count`.
    Repeat {
        /// The unit.
        repeat: String,
        /// How many times.
        count: usize,
    },
}

impl Data {
    /// A file reference.
    pub fn file(name: &str) -> Self {
        Self::File {
            file: name.to_owned(),
        }
    }

    /// The file this refers to, if any.
    pub fn file_name(&self) -> Option<&str> {
        match self {
            Self::File { file } => Some(file),
            _ => None,
        }
    }

    /// Resolves to bytes.
    ///
    /// # Errors
    /// A message for an unknown file or bad base64.
    pub fn bytes(&self, files: &Files) -> Result<Vec<u8>, String> {
        match self {
            Self::Text(t) => Ok(t.as_bytes().to_vec()),
            Self::File { file } => files
                .get(file)
                .cloned()
                .ok_or_else(|| format!("corpus file {file:?} was not loaded")),
            Self::B64 { b64 } => Base64::decode_vec(b64).map_err(|e| format!("bad b64: {e}")),
            Self::Repeat { repeat, count } => Ok(repeat.repeat(*count).into_bytes()),
        }
    }

    /// Resolves to text.
    ///
    /// # Errors
    /// As [`Data::bytes`], and for non-UTF-8 bytes.
    pub fn text(&self, files: &Files) -> Result<String, String> {
        String::from_utf8(self.bytes(files)?).map_err(|_| "data is not UTF-8".to_owned())
    }
}

/// Every file name the cases refer to (anywhere in their inputs), sorted.
pub fn file_refs(cases: &[Case]) -> Vec<String> {
    fn walk(v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Object(m) => {
                if let (1 | 2, Some(Value::String(f))) = (m.len(), m.get("file")) {
                    out.insert(f.clone());
                }
                m.values().for_each(|v| walk(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    for c in cases {
        walk(&c.input, &mut out);
    }
    out.into_iter().collect()
}

/// A case that cannot be evaluated (a corpus defect), becoming a [`HARNESS_CODE`] verdict.
#[derive(Debug, Clone)]
pub(crate) struct Harness(pub(crate) String);

/// Parses a case input of a kind into its typed form.
pub(crate) fn input<T: serde::de::DeserializeOwned>(case: &Case) -> Result<T, Harness> {
    serde_json::from_value(case.input.clone())
        .map_err(|e| Harness(format!("case {}: input does not parse: {e}", case.id)))
}

/// Evaluates one case with core and its default provider, [`RustCrypto`].
pub fn evaluate(case: &Case, files: &Files) -> Verdict {
    evaluate_with_provider(case, files, &RustCrypto)
}

/// Evaluates one case with core, verifying signatures (tokens, chains, client chains) with
/// `provider`.
pub fn evaluate_with_provider(
    case: &Case,
    files: &Files,
    provider: &'static dyn CryptoProvider,
) -> Verdict {
    let now = UnixTime::since_unix_epoch(core::time::Duration::from_secs(case.time));
    let result = match case.kind {
        Kind::Client => client::evaluate(case, files, now, provider),
        Kind::Forwarded => forwarded::evaluate(case, files),
        Kind::Inspect => inspect::evaluate(case, files, now),
        Kind::Path => path::evaluate(case, files, now, provider),
        Kind::Token => token::evaluate(case, files, now, provider, None),
    };
    result.unwrap_or_else(|Harness(message)| Verdict::harness(message))
}

/// Evaluates a `token` case with [`RustCrypto`] at `now` (UNIX seconds, instead of the case's
/// time), without a cache ([`TokenCache`]: `None`) or through one. Other kinds are a harness
/// error.
///
/// [`TokenCache`]: certbound_core::token::TokenCache
pub fn evaluate_token_at(
    case: &Case,
    files: &Files,
    now: u64,
    cache: Option<&mut certbound_core::token::TokenCache>,
) -> Verdict {
    let now = UnixTime::since_unix_epoch(core::time::Duration::from_secs(now));
    let result = match case.kind {
        Kind::Token => token::evaluate(case, files, now, &RustCrypto, cache),
        kind => Err(Harness(format!("{kind} case given to evaluate_token_at"))),
    };
    result.unwrap_or_else(|Harness(message)| Verdict::harness(message))
}

/// A runtime's verdicts: what `target/parity/<runtime>.json` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// `native`, `wasm-node`, `worker`, `page`, `server`.
    pub runtime: String,
    /// Which [`FIELDS`] this runtime observes; the others are not compared for it.
    pub fields: Vec<String>,
    /// Which kinds it ran; cases of other kinds are reported as not run.
    pub kinds: Vec<Kind>,
    /// Verdicts by case id.
    pub verdicts: BTreeMap<String, Verdict>,
    /// Cases of its kinds this runtime's API cannot express, with the reason (not compared,
    /// never counted as agreeing).
    #[serde(default)]
    pub not_applicable: BTreeMap<String, String>,
}

/// Runs every case: the whole job of a core runner.
pub fn run(runtime: &str, cases: &[Case], files: &Files) -> Report {
    run_with_provider(runtime, cases, files, &RustCrypto)
}

/// [`run`] with another signature provider (the native runner's aws-lc-rs column).
pub fn run_with_provider(
    runtime: &str,
    cases: &[Case],
    files: &Files,
    provider: &'static dyn CryptoProvider,
) -> Report {
    Report {
        runtime: runtime.to_owned(),
        fields: FIELDS.iter().map(|f| (*f).to_owned()).collect(),
        kinds: Kind::ALL.to_vec(),
        verdicts: cases
            .iter()
            .map(|c| (c.id.clone(), evaluate_with_provider(c, files, provider)))
            .collect(),
        not_applicable: BTreeMap::new(),
    }
}

/// Parses a JSON array of cases.
///
/// # Errors
/// The parse error.
pub fn parse_cases(cases: &str) -> Result<Vec<Case>, String> {
    serde_json::from_str(cases).map_err(|e| format!("cases: {e}"))
}

/// Decodes the `files` argument of the JSON entry points: name → standard base64.
fn files_from_json(files: &str) -> Result<Files, String> {
    let encoded: BTreeMap<String, String> =
        serde_json::from_str(files).map_err(|e| format!("files: {e}"))?;
    let mut out = Files::new();
    for (name, b64) in encoded {
        let bytes = Base64::decode_vec(&b64).map_err(|e| format!("file {name}: {e}"))?;
        out.insert(name, bytes);
    }
    Ok(out)
}

/// [`adapters::page_requests`] over JSON, arguments as for [`run_json`].
///
/// # Errors
/// A message when the arguments do not parse.
pub fn page_requests_json(cases: &str, files: &str) -> Result<String, String> {
    let cases = parse_cases(cases)?;
    let files = files_from_json(files)?;
    serde_json::to_string(&adapters::page_requests(&cases, &files)).map_err(|e| e.to_string())
}

/// [`adapters::server_plan`] over JSON: `dirs` is a JSON [`adapters::ServerDirs`]; returns the
/// [`adapters::ServerPlan`] as JSON.
///
/// # Errors
/// A message when the arguments do not parse or the registrations are malformed.
pub fn server_plan_json(cases: &str, files: &str, dirs: &str, now: u64) -> Result<String, String> {
    let cases = parse_cases(cases)?;
    let files = files_from_json(files)?;
    let dirs: adapters::ServerDirs = serde_json::from_str(dirs).map_err(|e| e.to_string())?;
    let plan = adapters::server_plan(&cases, &files, &dirs, now)?;
    serde_json::to_string(&plan).map_err(|e| e.to_string())
}

/// [`adapters::worker_plan`] over JSON; returns the [`adapters::WorkerPlan`] as JSON.
///
/// # Errors
/// A message when the arguments do not parse.
pub fn worker_plan_json(cases: &str, files: &str, now: u64) -> Result<String, String> {
    let cases = parse_cases(cases)?;
    let files = files_from_json(files)?;
    serde_json::to_string(&adapters::worker_plan(&cases, &files, now)).map_err(|e| e.to_string())
}

/// [`run`] over JSON: `cases` is a JSON array of cases (the corpus files concatenated),
/// `files` a JSON object of file name → standard base64 bytes. Returns the [`Report`] as
/// JSON. This is the wasm entry's whole body.
///
/// # Errors
/// A message when the arguments do not parse.
pub fn run_json(runtime: &str, cases: &str, files: &str) -> Result<String, String> {
    let cases = parse_cases(cases)?;
    let files = files_from_json(files)?;
    let report = run(runtime, &cases, &files);
    serde_json::to_string(&report).map_err(|e| format!("report: {e}"))
}

#[cfg(test)]
mod tests {
    use certbound_core::token::TokenError;

    use super::*;

    // Intent: codes follow tuple variants inward and stop at struct variants and unit variants.
    #[test]
    fn error_codes() {
        let e = Error::Token(TokenError::Expired {
            exp: 1,
            now: 2,
            leeway: 3,
        });
        assert_eq!(error_code(&e), "Token.Expired");
        assert_eq!(error_code(&Error::NoCertificate), "NoCertificate");
        assert_eq!(
            error_code(&Error::Token(TokenError::Signature)),
            "Token.Signature"
        );
        let e = Error::TooLarge {
            what: "x",
            limit: 1,
            actual: 2,
        };
        assert_eq!(error_code(&e), "TooLarge");
    }

    // Intent: file references are found at any depth, and only in {"file": …} objects.
    #[test]
    fn finds_file_refs() {
        let case = Case {
            id: "x/y".into(),
            kind: Kind::Path,
            about: String::new(),
            time: 0,
            input: serde_json::json!({"leaf": {"file": "pki/a.pem"}, "chain": [{"file": "shared:b"}, "file"]}),
            expect: Verdict::harness(String::new()),
        };
        assert_eq!(file_refs(&[case]), ["pki/a.pem", "shared:b"]);
    }
}
