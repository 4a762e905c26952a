//! The native parity runner: the whole corpus through core on this machine, verdicts written
//! to `target/parity/native.json` (and `native-aws-lc-rs.json` with the aws-lc-rs provider) for
//! `tests/parity.sh`; and the corpus regenerates to the same bytes.

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use certbound_core::provider::{CryptoProvider, RustCrypto};
use certbound_provider_aws_lc_rs::AwsLcRs;
use certbound_tests::corpus;
use certbound_tests::corpus_files::{corpus_dir, load_cases, load_files, shared_dir};
use certbound_tests::parity::{self, FIELDS, file_refs};

fn out_dir() -> PathBuf {
    std::env::var_os("PARITY_OUT").map_or_else(
        || PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/parity")),
        PathBuf::from,
    )
}

/// Runs the corpus with `provider`, writes `target/parity/<runtime>.json` for `tests/parity.sh`
/// and asserts every case's verdict equals the expectation, field by field.
fn run_and_check(runtime: &str, provider: &'static dyn CryptoProvider) {
    let cases = load_cases(&corpus_dir()).unwrap();
    assert!(cases.len() > 300, "corpus too small: {}", cases.len());
    let files = load_files(&corpus_dir(), &shared_dir(), &file_refs(&cases)).unwrap();
    let report = parity::run_with_provider(runtime, &cases, &files, provider);

    let out = out_dir();
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join(format!("{runtime}.json")),
        serde_json::to_vec(&report).unwrap(),
    )
    .unwrap();

    let mut bad = Vec::new();
    for c in &cases {
        let got = &report.verdicts[&c.id];
        for f in FIELDS {
            if got.field(f) != c.expect.field(f) {
                bad.push(format!(
                    "{} [{f}]: expected {} got {}",
                    c.id,
                    c.expect.field(f),
                    got.field(f)
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{runtime}: {} disagreement(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
}

// Intent: every case's native verdict (core's default RustCrypto provider) equals the corpus
// expectation, field by field.
#[test]
fn native_matches_corpus() {
    run_and_check("native", &RustCrypto);
}

// Intent: the aws-lc-rs provider (the native server's) gives every case the same verdict: a
// provider changes what a check costs, never its outcome.
#[test]
fn aws_lc_rs_provider_matches_corpus() {
    run_and_check("native-aws-lc-rs", &AwsLcRs);
}

// Intent: no case refers to a file that is not there, and no harness error is expected.
#[test]
fn corpus_is_self_contained() {
    let cases = load_cases(&corpus_dir()).unwrap();
    let refs = file_refs(&cases);
    load_files(&corpus_dir(), &shared_dir(), &refs).unwrap();
    assert!(refs.iter().any(|r| r.starts_with(parity::SHARED_PREFIX)));
    for c in &cases {
        assert_ne!(
            c.expect.code.as_deref(),
            Some(parity::HARNESS_CODE),
            "{}",
            c.id
        );
        assert!(c.id.starts_with(&format!("{}/", c.kind)), "{}", c.id);
    }
}

// Intent: regenerating the corpus gives byte-identical files and no extra or missing ones.
#[test]
fn regeneration_is_byte_identical() {
    let generated = corpus::generate();
    let dir = corpus_dir();
    let mut on_disk = Vec::new();
    for sub in ["cases", "pki"] {
        for e in std::fs::read_dir(dir.join(sub)).unwrap() {
            let name = e.unwrap().file_name().into_string().unwrap();
            on_disk.push(format!("{sub}/{name}"));
        }
    }
    on_disk.sort();
    let names: Vec<&String> = generated.files.keys().collect();
    assert_eq!(names, on_disk.iter().collect::<Vec<_>>());
    for (name, bytes) in &generated.files {
        let disk = std::fs::read(dir.join(name)).unwrap();
        assert!(
            disk == *bytes,
            "{name} differs from the generator's output: run cargo run -p certbound-tests --bin gen-corpus"
        );
    }
}

// Intent: a token cache never changes a verdict. Every token case runs through one shared
// cache (so validators of different cases, some over the same keys and tokens, meet in it)
// cold, then warm, then — for accepted cases — at the last second of their validity and at
// exactly exp + leeway; each cached verdict must equal the uncached one at the same time, and
// the warm pass must actually be served from the cache.
#[test]
fn cached_validation_matches_uncached() {
    use certbound_core::token::{DEFAULT_LEEWAY_SECS, TokenCache};

    let cases: Vec<_> = load_cases(&corpus_dir())
        .unwrap()
        .into_iter()
        .filter(|c| c.kind == parity::Kind::Token)
        .collect();
    let files = load_files(&corpus_dir(), &shared_dir(), &file_refs(&cases)).unwrap();
    let mut cache = TokenCache::new(1024);
    let mut bad = Vec::new();
    let mut check = |case: &parity::Case, now: u64, pass: &str, cache: &mut TokenCache| {
        let plain = parity::evaluate_token_at(case, &files, now, None);
        let cached = parity::evaluate_token_at(case, &files, now, Some(cache));
        if plain != cached {
            bad.push(format!(
                "{} ({pass} at {now}): uncached {plain:?}\n  cached {cached:?}",
                case.id
            ));
        }
        plain
    };
    let mut accepted = Vec::new();
    for c in &cases {
        if check(c, c.time, "cold", &mut cache).ok {
            accepted.push(c);
        }
    }
    // Some cases repeat another's validator, token and certificate: those hit even when cold.
    let cold_hits = cache.hits();
    assert!(
        cold_hits < accepted.len() as u64 / 4,
        "{cold_hits} cold hits"
    );
    for c in &cases {
        check(c, c.time, "warm", &mut cache);
    }
    assert!(accepted.len() >= 10, "only {} accepted", accepted.len());
    assert_eq!(
        cache.hits() - cold_hits,
        accepted.len() as u64,
        "every accepted case is served from the cache when warm"
    );
    for c in &accepted {
        let v = parity::evaluate_token_at(c, &files, c.time, None);
        let exp = v.detail.as_ref().and_then(|d| d["exp"].as_u64()).unwrap();
        let leeway = c.input["leeway"].as_u64().unwrap_or(DEFAULT_LEEWAY_SECS);
        let last = check(c, exp + leeway - 1, "last second", &mut cache);
        assert!(last.ok, "{} refused at exp + leeway - 1", c.id);
        let after = check(c, exp + leeway, "exp + leeway", &mut cache);
        assert_eq!(after.code.as_deref(), Some("Token.Expired"), "{}", c.id);
    }
    assert!(
        bad.is_empty(),
        "{} difference(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
}
