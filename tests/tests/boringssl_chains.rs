//! BoringSSL `pki/testdata/verify_certificate_chain_unittest` chains through
//! `certbound_core::path::verify_chain`.
//!
//! Reads every `*.test` under `../shared/conformance/boringssl/chains/` in place. Mapped:
//! `key_purpose` SERVER_AUTH* / CLIENT_AUTH* (the `_STRICT` variants need an EKU in every
//! certificate, which certbound does not require: they are run and reported apart), trust
//! `TRUSTED_ANCHOR*` (last certificate = anchor). Skipped: ANY_EKU and other purposes, leaf
//! or distrusted trust modes. Expected outcome: success iff `expected_errors` has no `ERROR:`.
//!
//! Run: `cargo test --release -p certbound-tests --test boringssl_chains -- --nocapture`.

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use certbound_core::cert::parse_bundle;
use certbound_core::path::{self, Purpose, TrustStore, VerifyOptions};

const CHAINS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/conformance/boringssl/chains"
);

/// Measured with this harness (108 pass / 47 fail / 42 skip); a drop is a regression. Most
/// failures are deliberate policy differences: certbound always checks the anchor's validity,
/// basic constraints and key usage (BoringSSL only in its `_WITH_EXPIRATION` /
/// `_WITH_CONSTRAINTS` trust modes), refuses critical certificatePolicies (no policy
/// processing) and an EKU of only anyExtendedKeyUsage (as rustls-webpki does).
const PASS_FLOOR: usize = 108;
/// Measured: clientAuth and clientAuth-strict tests passing (10 + 8 of 26).
const CLIENT_PASS_FLOOR: usize = 18;

/// BoringSSL's harness maps `utc_time: DEFAULT` to 2021-10-05T12:00:00Z.
const DEFAULT_TIME: &str = "2021-10-05T12:00:00Z";

fn tests(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(std::fs::DirEntry::path);
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            tests(&p, out);
        } else if p.extension().is_some_and(|x| x == "test") {
            out.push(p);
        }
    }
}

/// `YYMMDDHHMMSSZ` (UTCTime) → RFC 3339.
fn utc_time(v: &str) -> Option<String> {
    if v == "DEFAULT" {
        return Some(DEFAULT_TIME.to_owned());
    }
    let d = v.strip_suffix('Z')?;
    if d.len() != 12 {
        return None;
    }
    let yy: u32 = d[0..2].parse().ok()?;
    let year = if yy < 50 { 2000 + yy } else { 1900 + yy };
    Some(format!(
        "{year}-{}-{}T{}:{}:{}Z",
        &d[2..4],
        &d[4..6],
        &d[6..8],
        &d[8..10],
        &d[10..12]
    ))
}

enum Outcome {
    Pass,
    Fail(String),
    Skip,
}

fn run(test: &Path) -> (Outcome, &'static str) {
    let text = std::fs::read_to_string(test).unwrap();
    let mut kv = BTreeMap::new();
    let mut errors = String::new();
    let mut in_errors = false;
    for line in text.lines() {
        if in_errors {
            errors.push_str(line);
            errors.push('\n');
        } else if line.starts_with('#') {
            continue;
        } else if let Some((k, v)) = line.split_once(':') {
            if k == "expected_errors" {
                in_errors = true;
            } else {
                kv.insert(k.trim(), v.trim());
            }
        }
    }
    let purpose_text = kv.get("key_purpose").copied().unwrap_or("");
    let (purpose, group) = if purpose_text.starts_with("CLIENT_AUTH") {
        (Purpose::ClientAuth, "clientAuth")
    } else if purpose_text.starts_with("SERVER_AUTH") {
        (Purpose::ServerAuth, "serverAuth")
    } else {
        return (Outcome::Skip, "other");
    };
    let group = if purpose_text.contains("STRICT") {
        if purpose == Purpose::ClientAuth {
            "clientAuth strict"
        } else {
            "serverAuth strict"
        }
    } else {
        group
    };
    let trust_mode = kv.get("last_cert_trust").copied().unwrap_or("");
    if !trust_mode.starts_with("TRUSTED_ANCHOR") || trust_mode.contains("OR_LEAF") {
        return (Outcome::Skip, group);
    }
    let Some(now) = kv.get("utc_time").and_then(|t| utc_time(t)) else {
        return (Outcome::Skip, group);
    };
    let now = certbound_core::time::parse_time(&now).unwrap();
    let expect_ok = !errors.contains("ERROR:");
    let chain_file = test
        .parent()
        .unwrap()
        .join(kv.get("chain").copied().unwrap_or(""));
    let verdict = (|| -> Result<(), String> {
        let certs = parse_bundle(&std::fs::read(&chain_file).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
        let (leaf, rest) = certs.split_first().ok_or("empty chain")?;
        let (anchor, inter) = rest.split_last().ok_or("no anchor")?;
        let trust = TrustStore::from_certificates(std::slice::from_ref(anchor))
            .map_err(|e| e.to_string())?;
        path::verify_chain(&trust, leaf, inter, now, &VerifyOptions::new(purpose))
            .map(|_| ())
            .map_err(|e| e.to_string())
    })();
    let outcome = match (verdict, expect_ok) {
        (Ok(()), true) | (Err(_), false) => Outcome::Pass,
        (Ok(()), false) => Outcome::Fail(format!("false accept; expected {}", errors.trim())),
        (Err(e), true) => Outcome::Fail(format!("false reject: {e}")),
    };
    (outcome, group)
}

// Intent: every mapped BoringSSL chain test runs; scores print; counts do not regress.
#[test]
fn boringssl_chains() {
    let mut all = Vec::new();
    tests(Path::new(CHAINS), &mut all);
    let mut per_group: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    for t in &all {
        let (outcome, group) = run(t);
        let g = per_group.entry(group).or_default();
        let name = t.strip_prefix(CHAINS).unwrap_or(t).display().to_string();
        match outcome {
            Outcome::Pass => g.0 += 1,
            Outcome::Fail(why) => {
                g.1 += 1;
                failures.push(format!("{name} [{group}]: {why}"));
            }
            Outcome::Skip => g.2 += 1,
        }
    }
    let pass: usize = per_group.values().map(|g| g.0).sum();
    let fail: usize = per_group.values().map(|g| g.1).sum();
    let skip: usize = per_group.values().map(|g| g.2).sum();
    println!(
        "BoringSSL chains: {pass} pass / {fail} fail / {skip} skip of {}",
        all.len()
    );
    for (g, (p, f, s)) in &per_group {
        println!("  {g}: {p} pass / {f} fail / {s} skip");
    }
    for f in &failures {
        println!("  FAIL {f}");
    }
    let client = per_group.get("clientAuth").map_or(0, |g| g.0)
        + per_group.get("clientAuth strict").map_or(0, |g| g.0);
    assert!(
        pass >= PASS_FLOOR,
        "pass count {pass} regressed below {PASS_FLOOR}"
    );
    assert!(
        client >= CLIENT_PASS_FLOOR,
        "clientAuth passes {client} below {CLIENT_PASS_FLOOR}"
    );
}
