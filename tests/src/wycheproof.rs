//! The Wycheproof signature vectors certbound's providers are held to, as plain data: one list
//! shared by the native test (`tests/tests/wycheproof.rs`, RustCrypto and aws-lc-rs) and the
//! WebCrypto runner (`tests/webcrypto-runner`, node and workerd), so every provider sees exactly
//! the same sets.
//!
//! Only provider-level encodings are here (P1363 `r ‖ s` ECDSA, raw Ed25519, PKCS#1 RSA keys);
//! the ASN.1 DER ECDSA sets go through `certbound_core::path`'s X.509 algorithms, which no
//! provider replaces, in the native test alone.

use certbound_core::provider::SignatureScheme;
use serde::Serialize;
pub use wycheproof::TestResult;

/// One test case: `scheme` over `msg` with `key` in core's provider encoding.
#[derive(Debug, Clone)]
pub struct Vector {
    /// `"<set> #<tcId>"`, unique across all families.
    pub id: String,
    pub result: TestResult,
    pub scheme: SignatureScheme,
    pub key: Vec<u8>,
    pub msg: Vec<u8>,
    pub sig: Vec<u8>,
}

/// A family of sets reported together.
#[derive(Debug, Clone)]
pub struct Family {
    pub name: &'static str,
    pub vectors: Vec<Vector>,
}

fn vector(
    set: &str,
    tc_id: usize,
    result: TestResult,
    scheme: SignatureScheme,
    key: &[u8],
    msg: &[u8],
    sig: &[u8],
) -> Vector {
    Vector {
        id: format!("{set} #{tc_id}"),
        result,
        scheme,
        key: key.to_vec(),
        msg: msg.to_vec(),
        sig: sig.to_vec(),
    }
}

fn load_error(e: wycheproof::WycheproofError) -> String {
    format!("Wycheproof data did not load: {e:?}")
}

/// ECDSA P-256/SHA-256 and P-384/SHA-384 with fixed `r ‖ s` (IEEE P1363) signatures.
fn ecdsa_p1363() -> Result<Vec<Vector>, String> {
    use wycheproof::ecdsa::{TestName as N, TestSet};
    let mut out = Vec::new();
    for (name, scheme) in [
        (
            N::EcdsaSecp256r1Sha256P1363,
            SignatureScheme::EcdsaP256Sha256,
        ),
        (
            N::EcdsaSecp384r1Sha384P1363,
            SignatureScheme::EcdsaP384Sha384,
        ),
    ] {
        let set = TestSet::load(name).map_err(load_error)?;
        let label = format!("{name:?}");
        for group in &set.test_groups {
            for t in &group.tests {
                out.push(vector(
                    &label,
                    t.tc_id,
                    t.result,
                    scheme,
                    &group.key.key,
                    &t.msg,
                    &t.sig,
                ));
            }
        }
    }
    Ok(out)
}

fn ed25519() -> Result<Vec<Vector>, String> {
    use wycheproof::eddsa::{TestName, TestSet};
    let set = TestSet::load(TestName::Ed25519).map_err(load_error)?;
    let mut out = Vec::new();
    for group in &set.test_groups {
        for t in &group.tests {
            out.push(vector(
                "Ed25519",
                t.tc_id,
                t.result,
                SignatureScheme::Ed25519,
                &group.key.pk,
                &t.msg,
                &t.sig,
            ));
        }
    }
    Ok(out)
}

fn rsa_pkcs1() -> Result<Vec<Vector>, String> {
    use SignatureScheme as S;
    use wycheproof::rsa_pkcs1_verify::{TestName as N, TestSet};
    let mut out = Vec::new();
    for (name, scheme) in [
        (N::Rsa2048Sha256, S::RsaPkcs1Sha256),
        (N::Rsa2048Sha384, S::RsaPkcs1Sha384),
        (N::Rsa2048Sha512, S::RsaPkcs1Sha512),
        (N::Rsa3072Sha256, S::RsaPkcs1Sha256),
        (N::Rsa3072Sha384, S::RsaPkcs1Sha384),
        (N::Rsa3072Sha512, S::RsaPkcs1Sha512),
        (N::Rsa4096Sha256, S::RsaPkcs1Sha256),
        (N::Rsa4096Sha384, S::RsaPkcs1Sha384),
        (N::Rsa4096Sha512, S::RsaPkcs1Sha512),
    ] {
        let set = TestSet::load(name).map_err(load_error)?;
        let label = format!("{name:?}");
        for group in &set.test_groups {
            for t in &group.tests {
                out.push(vector(
                    &label,
                    t.tc_id,
                    t.result,
                    scheme,
                    &group.asn_key,
                    &t.msg,
                    &t.sig,
                ));
            }
        }
    }
    Ok(out)
}

/// Only the parameter sets certbound's schemes define: MGF1 with the same hash, salt length
/// equal to the digest length.
fn rsa_pss() -> Result<Vec<Vector>, String> {
    use SignatureScheme as S;
    use wycheproof::rsa_pss_verify::{TestName as N, TestSet};
    let mut out = Vec::new();
    for (name, scheme) in [
        (N::RsaPss2048Sha256Mgf1SaltLen32, S::RsaPssSha256),
        (N::RsaPss2048Sha384Mgf1SaltLen48, S::RsaPssSha384),
        (N::RsaPss3072Sha256Mgf1SaltLen32, S::RsaPssSha256),
        (N::RsaPss4096Sha256Mgf1SaltLen32, S::RsaPssSha256),
        (N::RsaPss4096Sha384Mgf1SaltLen48, S::RsaPssSha384),
        (N::RsaPss4096Sha512Mgf1SaltLen64, S::RsaPssSha512),
    ] {
        let set = TestSet::load(name).map_err(load_error)?;
        let label = format!("{name:?}");
        for group in &set.test_groups {
            for t in &group.tests {
                out.push(vector(
                    &label,
                    t.tc_id,
                    t.result,
                    scheme,
                    &group.asn_key,
                    &t.msg,
                    &t.sig,
                ));
            }
        }
    }
    Ok(out)
}

/// Every provider-level family, in report order.
///
/// # Errors
/// When the `wycheproof` crate's embedded data does not parse.
pub fn families() -> Result<Vec<Family>, String> {
    Ok(vec![
        Family {
            name: "ECDSA P-256/P-384 P1363",
            vectors: ecdsa_p1363()?,
        },
        Family {
            name: "Ed25519",
            vectors: ed25519()?,
        },
        Family {
            name: "RSA PKCS#1 v1.5 2048-4096",
            vectors: rsa_pkcs1()?,
        },
        Family {
            name: "RSA-PSS 2048-4096",
            vectors: rsa_pss()?,
        },
    ])
}

/// One provider's results on a family.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Score {
    pub valid_ok: usize,
    pub invalid_ok: usize,
    pub acceptable_accepted: usize,
    pub acceptable_rejected: usize,
    /// `valid` vectors refused and `invalid` vectors accepted.
    pub wrong: Vec<String>,
    /// Every verdict in order (`id` → accepted), to compare providers.
    pub verdicts: Vec<(String, bool)>,
}

impl Score {
    pub fn record(&mut self, id: &str, result: TestResult, accepted: bool) {
        self.verdicts.push((id.to_owned(), accepted));
        match (result, accepted) {
            (TestResult::Valid, true) => self.valid_ok += 1,
            (TestResult::Invalid, false) => self.invalid_ok += 1,
            (TestResult::Acceptable, true) => self.acceptable_accepted += 1,
            (TestResult::Acceptable, false) => self.acceptable_rejected += 1,
            (r, a) => self.wrong.push(format!("{id}: {r:?} but accepted={a}")),
        }
    }

    /// `"N valid accepted, N invalid rejected, acceptable N accepted / N rejected, N wrong"`.
    pub fn summary(&self) -> String {
        format!(
            "{} valid accepted, {} invalid rejected, acceptable {} accepted / {} rejected, {} wrong",
            self.valid_ok,
            self.invalid_ok,
            self.acceptable_accepted,
            self.acceptable_rejected,
            self.wrong.len()
        )
    }

    /// Vectors where `other` gave a different verdict (or did not run the vector), as
    /// `"<id>: <self_name> accepted=…, <other_name> accepted=…"`.
    pub fn differences(&self, self_name: &str, other: &Self, other_name: &str) -> Vec<String> {
        let theirs: std::collections::HashMap<&str, bool> = other
            .verdicts
            .iter()
            .map(|(id, a)| (id.as_str(), *a))
            .collect();
        let mut out = Vec::new();
        for (id, a) in &self.verdicts {
            match theirs.get(id.as_str()) {
                None => out.push(format!("{id}: not run by {other_name}")),
                Some(b) if a != b => out.push(format!(
                    "{id}: {self_name} accepted={a}, {other_name} accepted={b}"
                )),
                Some(_) => {}
            }
        }
        out
    }
}
