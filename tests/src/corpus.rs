//! The parity corpus generator: `cargo run -p certbound-tests --bin gen-corpus`.
//!
//! Everything is derived from fixed seeds and fixed times, so regenerating gives identical
//! bytes (the `parity` test checks it):
//! - certificate keys are P-256 scalars `SHA-256("certbound parity key: <name>")`, signed
//!   through rcgen's [`rcgen::SigningKey`] trait by p256's deterministic RFC 6979 ECDSA (ring's
//!   ECDSA is randomized); Ed25519 keys (deterministic by construction) come from the same
//!   seeds; serial numbers and validity periods are fixed;
//! - tokens are minted by core's `token::issue` (RFC 6979 ES256, Ed25519) or, for the attack
//!   matrix, assembled here from exact header and payload bytes and signed the same way.
//!
//! Each case carries its expectation: `ok` and `code` (and for key errors the exact text) are
//! declared here by hand; the generator evaluates every case with [`crate::parity::evaluate`]
//! and refuses to write a corpus where core disagrees with a declaration. The rest of the
//! expected verdict (error texts, details) is what core answered at generation time.

mod cases;
mod pki;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::parity::{self, Case, Files, Kind, SHARED_PREFIX, Verdict};

/// The verification time of most cases: 2026-01-01T00:00:00Z.
pub const T_NOW: u64 = 1_767_225_600;

pub use crate::corpus_files::{corpus_dir, load_cases, load_files, shared_dir};

/// What a case is declared to do, checked against core at generation time.
#[derive(Debug, Clone)]
pub(crate) enum Declared {
    /// Accepted; with `Some`, exactly this detail.
    Ok(Option<Value>),
    /// Refused with this code; with `Some`, exactly this `Display` text.
    Err(&'static str, Option<String>),
    /// Refused, code not declared (mutations: truncations, cut values).
    AnyErr,
    /// Accepted, and each JSON pointer into the detail has this value (`null`: absent).
    Fields(Vec<(String, Value)>),
    /// Nothing declared: core's answer at generation time is the expectation (bit flips,
    /// where only agreement between runtimes matters).
    Recorded,
}

/// The corpus under construction.
pub(crate) struct Gen {
    /// Corpus files (PEM, JWKS, registrations) by corpus-relative name.
    pub(crate) files: BTreeMap<String, Vec<u8>>,
    cases: Vec<(Case, Declared)>,
}

impl Gen {
    fn new() -> Self {
        Self {
            files: BTreeMap::new(),
            cases: Vec::new(),
        }
    }

    /// Adds a corpus file.
    pub(crate) fn file(&mut self, name: &str, bytes: impl Into<Vec<u8>>) -> String {
        self.files.insert(name.to_owned(), bytes.into());
        name.to_owned()
    }

    /// Adds a case at [`T_NOW`].
    pub(crate) fn case(&mut self, kind: Kind, name: &str, about: &str, input: Value, d: Declared) {
        self.case_at(kind, name, about, T_NOW, input, d);
    }

    /// Adds a case at `time`.
    pub(crate) fn case_at(
        &mut self,
        kind: Kind,
        name: &str,
        about: &str,
        time: u64,
        input: Value,
        d: Declared,
    ) {
        let id = format!("{kind}/{name}");
        assert!(
            self.cases.iter().all(|(c, _)| c.id != id),
            "duplicate case id {id}"
        );
        self.cases.push((
            Case {
                id,
                kind,
                about: about.to_owned(),
                time,
                input,
                expect: Verdict::harness("not evaluated".into()),
            },
            d,
        ));
    }
}

/// The generated corpus: files to write, relative to the corpus directory.
pub struct Corpus {
    /// Relative path → bytes: `pki/…`, `cases/<kind>.json`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Number of cases by kind.
    pub counts: BTreeMap<Kind, usize>,
    /// How the expectations were declared: `ok+detail`, `ok+fields`, `ok`, `code+text`,
    /// `code`, `refusal`, `recorded` → number of cases.
    pub declarations: BTreeMap<&'static str, usize>,
}

/// Builds the whole corpus in memory, evaluating every case with core.
///
/// # Panics
/// When core's verdict contradicts a declared expectation (listing every such case), or a
/// shared file is missing: a corpus with a wrong expectation is never written.
pub fn generate() -> Corpus {
    let mut g = Gen::new();
    let p = pki::build(&mut g);
    cases::all(&mut g, &p);

    // Evaluate with everything the cases name: our files, and shared ones from disk.
    let cases: Vec<Case> = g.cases.iter().map(|(c, _)| c.clone()).collect();
    let mut files: Files = g.files.clone();
    let shared: Vec<String> = parity::file_refs(&cases)
        .into_iter()
        .filter(|n| n.starts_with(SHARED_PREFIX))
        .collect();
    let loaded = load_files(&corpus_dir(), &shared_dir(), &shared)
        .unwrap_or_else(|e| panic!("shared conformance file missing: {e}"));
    files.extend(loaded);

    let mut problems = Vec::new();
    let mut out: BTreeMap<Kind, Vec<Case>> = BTreeMap::new();
    let mut declarations = BTreeMap::new();
    for (mut case, declared) in std::mem::take(&mut g.cases) {
        let how = match &declared {
            Declared::Ok(Some(_)) => "ok+detail",
            Declared::Ok(None) => "ok",
            Declared::Fields(_) => "ok+fields",
            Declared::Err(_, Some(_)) => "code+text",
            Declared::Err(_, None) => "code",
            Declared::AnyErr => "refusal",
            Declared::Recorded => "recorded",
        };
        *declarations.entry(how).or_insert(0) += 1;
        let v = parity::evaluate(&case, &files);
        if let Some(p) = mismatch(&v, &declared) {
            problems.push(format!("{}: {p}\n    got {}", case.id, to_json(&v)));
        }
        case.expect = v;
        out.entry(case.kind).or_default().push(case);
    }
    assert!(
        problems.is_empty(),
        "core contradicts {} declared expectation(s):\n{}",
        problems.len(),
        problems.join("\n")
    );

    let mut rendered: BTreeMap<String, Vec<u8>> = g.files;
    let mut counts = BTreeMap::new();
    for (kind, cases) in out {
        counts.insert(kind, cases.len());
        let mut text = serde_json::to_string_pretty(&cases).expect("cases serialize");
        text.push('\n');
        rendered.insert(format!("cases/{kind}.json"), text.into_bytes());
    }
    Corpus {
        files: rendered,
        counts,
        declarations,
    }
}

fn to_json(v: &Verdict) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn mismatch(v: &Verdict, d: &Declared) -> Option<String> {
    match d {
        Declared::Ok(detail) => {
            if !v.ok {
                return Some("declared ok, core refused".into());
            }
            match detail {
                Some(want) if v.detail.as_ref() != Some(want) => {
                    Some(format!("declared detail {want}"))
                }
                _ => None,
            }
        }
        Declared::Err(code, text) => {
            if v.ok {
                return Some(format!("declared refusal {code}, core accepted"));
            }
            if v.code.as_deref() != Some(code) {
                return Some(format!("declared code {code}"));
            }
            match text {
                Some(t) if v.error.as_ref() != Some(t) => Some(format!("declared text {t:?}")),
                _ => None,
            }
        }
        Declared::AnyErr => v.ok.then(|| "declared refusal, core accepted".into()),
        Declared::Fields(fields) => {
            let Some(detail) = v.detail.as_ref().filter(|_| v.ok) else {
                return Some("declared ok, core refused".into());
            };
            let bad: Vec<String> = fields
                .iter()
                .filter(|(ptr, want)| detail.pointer(ptr).unwrap_or(&Value::Null) != want)
                .map(|(ptr, want)| format!("{ptr} should be {want}"))
                .collect();
            (!bad.is_empty()).then(|| bad.join("; "))
        }
        Declared::Recorded => None,
    }
}

/// Writes the corpus under `dir`, removing stale `cases/*.json` and `pki/*` files.
///
/// # Errors
/// I/O errors.
pub fn write(corpus: &Corpus, dir: &Path) -> std::io::Result<()> {
    for sub in ["cases", "pki"] {
        let d = dir.join(sub);
        if d.is_dir() {
            for e in std::fs::read_dir(&d)? {
                let p = e?.path();
                if p.is_file() {
                    std::fs::remove_file(p)?;
                }
            }
        }
    }
    for (name, bytes) in &corpus.files {
        let p = dir.join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, bytes)?;
    }
    Ok(())
}
