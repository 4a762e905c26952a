//! NIST PKITS 1.0.1 through `certbound_core::path::verify_chain` with clientAuth and CRLs.
//!
//! Reads `../shared/conformance/pkits/` in place. Each test lists the trust anchor first and
//! the end entity last; every listed CRL is configured with the strict revocation policy
//! (unknown status and expired CRLs refused). Tests that need non-default policy inputs
//! (initial policy set, explicit policy, …) are skipped: certbound does no policy processing.
//!
//! Run: `cargo test --release -p certbound-tests --test pkits -- --nocapture`.

use std::time::Duration;

use certbound_core::path::{self, Purpose, RevocationPolicy, TrustStore, VerifyOptions};
use certbound_core::{Certificate, UnixTime};
use serde_json::Value;

const PKITS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/conformance/pkits"
);

/// Measured with this harness (151 pass / 63 fail / 35 skip, 3 false accepts); a drop is a
/// regression. Reference: rustls-webpki 0.103.17
/// passes 144 of 249 (35 skipped).
const PASS_FLOOR: usize = 151;

/// 2011-04-15: inside every PKITS validity period except the deliberately expired ones.
const NOW: u64 = 1_302_825_600;

fn read(dir: &str, name: &str, ext: &str) -> Vec<u8> {
    std::fs::read(format!("{PKITS}/{dir}/{name}.{ext}")).expect("PKITS file")
}

enum Outcome {
    Valid,
    Invalid(String),
    Skipped,
}

fn run(tc: &Value) -> Outcome {
    if tc["nondefault_policy_inputs"] == true {
        return Outcome::Skipped;
    }
    let names: Vec<&str> = tc["certs"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let (Some((anchor, rest)), true) = (names.split_first(), names.len() >= 2) else {
        return Outcome::Skipped;
    };
    let parse = |n: &str| Certificate::from_der(&read("certs", n, "crt"));
    let anchor = match parse(anchor) {
        Ok(c) => c,
        Err(e) => return Outcome::Invalid(format!("anchor: {e}")),
    };
    let mut certs = Vec::new();
    for n in rest {
        match parse(n) {
            Ok(c) => certs.push(c),
            Err(e) => return Outcome::Invalid(format!("{n}: {e}")),
        }
    }
    let Some(leaf) = certs.pop() else {
        return Outcome::Skipped;
    };
    let mut trust = match TrustStore::from_certificates(&[anchor]) {
        Ok(t) => t,
        Err(e) => return Outcome::Invalid(e.to_string()),
    };
    // A CRL certbound refuses to load is left out: the certificates it covers then have
    // unknown status, which the strict policy refuses.
    let crls: Vec<Vec<u8>> = tc["crls"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|n| read("crls", n, "crl"))
                .collect()
        })
        .unwrap_or_default();
    let usable: Vec<&[u8]> = crls
        .iter()
        .map(Vec::as_slice)
        .filter(|c| {
            trust
                .clone()
                .with_crls(&[c], RevocationPolicy::new())
                .is_ok()
        })
        .collect();
    if !usable.is_empty() {
        trust = match trust.with_crls(&usable, RevocationPolicy::new()) {
            Ok(t) => t,
            Err(e) => return Outcome::Invalid(e.to_string()),
        };
    }
    let now = UnixTime::since_unix_epoch(Duration::from_secs(NOW));
    match path::verify_chain(
        &trust,
        &leaf,
        &certs,
        now,
        &VerifyOptions::new(Purpose::ClientAuth),
    ) {
        Ok(_) => Outcome::Valid,
        Err(e) => Outcome::Invalid(e.to_string()),
    }
}

// Intent: PKITS runs in full, scores are printed, and the pass count does not regress.
#[test]
fn pkits() {
    let suite: Value =
        serde_json::from_slice(&std::fs::read(format!("{PKITS}/pkits.json")).unwrap()).unwrap();
    let tests = suite["tests"].as_array().unwrap();
    let (mut pass, mut fail, mut skip) = (0usize, 0usize, 0usize);
    let mut false_accepts = Vec::new();
    let mut false_rejects = Vec::new();
    for tc in tests {
        let id = tc["id"].as_str().unwrap_or("?");
        let expected = tc["should_validate"] == true;
        match (run(tc), expected) {
            (Outcome::Skipped, _) => skip += 1,
            (Outcome::Valid, true) | (Outcome::Invalid(_), false) => pass += 1,
            (Outcome::Valid, false) => {
                fail += 1;
                false_accepts.push(id.to_string());
            }
            (Outcome::Invalid(e), true) => {
                fail += 1;
                false_rejects.push(format!("{id}: {e}"));
            }
        }
    }
    println!(
        "NIST PKITS (clientAuth, CRLs): {pass} pass / {fail} fail / {skip} skip of {}",
        tests.len()
    );
    println!("false accepts ({}):", false_accepts.len());
    for id in &false_accepts {
        println!("  FA {id}");
    }
    println!("false rejects ({}):", false_rejects.len());
    for r in &false_rejects {
        println!("  FR {r}");
    }
    assert!(
        pass >= PASS_FLOOR,
        "pass count {pass} regressed below {PASS_FLOOR}"
    );
}
