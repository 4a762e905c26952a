//! BoringSSL's RFC 5280 name-matching vectors (`../shared/conformance/boringssl/name-match/`)
//! through the `tls_client_auth_subject_dn` matcher: `RegisteredDn::from_name(a).matches(b)`.
//!
//! Expected results follow BoringSSL's `verify_name_match_unittest.cc` semantics, which are also
//! ours: PrintableString, UTF8String, BMPString, UniversalString (and IA5String) compare by
//! prepared text; TeletexString only byte-for-byte.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::path::{Path, PathBuf};

use base64ct::{Base64, Encoding};
use certbound_core::cert::DistinguishedName;
use certbound_core::client::dn::RegisteredDn;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/conformance/boringssl/name-match/names"
);

const TYPES: [&str; 5] = [
    "PRINTABLESTRING",
    "T61STRING",
    "UTF8",
    "BMPSTRING",
    "UNIVERSALSTRING",
];

fn der(file: &str) -> Vec<u8> {
    let path = Path::new(DIR).join(format!("{file}.pem"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = text.find("-----BEGIN NAME-----").unwrap() + "-----BEGIN NAME-----".len();
    let end = text.find("-----END NAME-----").unwrap();
    let b64: String = text[start..end].split_whitespace().collect();
    Base64::decode_vec(&b64).unwrap()
}

fn name(file: &str) -> Result<DistinguishedName, der::Error> {
    DistinguishedName::from_der(&der(file))
}

/// One expectation: `a` matches `b` (`Some(bool)`), or a name fails to parse (`None`).
struct Case {
    a: String,
    b: String,
    expect: bool,
}

fn comparable(t: &str) -> bool {
    t != "T61STRING"
}

fn cases() -> Vec<Case> {
    let mut v = Vec::new();
    let mut push = |a: String, b: String, expect: bool| {
        v.push(Case {
            a: a.clone(),
            b: b.clone(),
            expect,
        });
        if a != b {
            v.push(Case { a: b, b: a, expect });
        }
    };
    for t in TYPES {
        let f = |m: &str| format!("ascii-{t}-{m}");
        for m in ["unmangled", "case_swap", "extra_whitespace"] {
            for suffix in ["", "-extra_attr", "-extra_rdn", "-dupe_attr"] {
                let file = f(&format!("{m}{suffix}"));
                push(file.clone(), file, true);
            }
        }
        for suffix in ["-extra_attr", "-extra_rdn", "-dupe_attr"] {
            push(f("unmangled"), f(&format!("unmangled{suffix}")), false);
        }
        for m in ["case_swap", "extra_whitespace"] {
            for suffix in ["", "-extra_attr", "-extra_rdn", "-dupe_attr"] {
                push(
                    f(&format!("unmangled{suffix}")),
                    f(&format!("{m}{suffix}")),
                    comparable(t),
                );
            }
        }
    }
    for (i, t1) in TYPES.iter().enumerate() {
        for t2 in &TYPES[i + 1..] {
            push(
                format!("ascii-{t1}-unmangled"),
                format!("ascii-{t2}-unmangled"),
                comparable(t1) && comparable(t2),
            );
        }
    }
    push(
        "ascii-PRINTABLESTRING-rdn_sorting_1".into(),
        "ascii-PRINTABLESTRING-rdn_sorting_2".into(),
        true,
    );
    push(
        "ascii-mixed-rdn_dupetype_sorting_1".into(),
        "ascii-mixed-rdn_dupetype_sorting_2".into(),
        true,
    );
    for (a, b) in [
        (
            "unicode_bmp-BMPSTRING-unmangled",
            "unicode_bmp-UTF8-unmangled",
        ),
        (
            "unicode_bmp-BMPSTRING-unmangled",
            "unicode_bmp-UNIVERSALSTRING-unmangled",
        ),
        (
            "unicode_bmp-UTF8-unmangled",
            "unicode_bmp-UNIVERSALSTRING-unmangled",
        ),
        (
            "unicode_supplementary-UTF8-unmangled",
            "unicode_supplementary-UNIVERSALSTRING-unmangled",
        ),
        ("unicode-mixed-unnormalized", "unicode-mixed-normalized"),
        ("valid-minimal", "valid-minimal"),
        ("valid-Name-empty", "valid-Name-empty"),
        ("custom-custom-normalized", "custom-custom-normalized"),
    ] {
        push(a.into(), b.into(), true);
    }
    push("valid-minimal".into(), "valid-Name-empty".into(), false);
    push(
        "unicode_bmp-UTF8-unmangled".into(),
        "unicode_supplementary-UTF8-unmangled".into(),
        false,
    );
    v
}

#[test]
fn boringssl_name_match_vectors() {
    // Intent: run every applicable BoringSSL vector pair; report pass / fail / unparsable, and
    // require that every disagreement is a name x509-cert refuses (duplicate SET OF members).
    let mut pass = 0;
    let mut fail = Vec::new();
    let mut unparsable = std::collections::BTreeSet::new();
    let all = cases();
    for c in &all {
        let (a, b) = match (name(&c.a), name(&c.b)) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                for (f, r) in [(&c.a, a.err()), (&c.b, b.err())] {
                    if let Some(e) = r {
                        unparsable.insert(format!("{f}: {e}"));
                    }
                }
                continue;
            }
        };
        let got = RegisteredDn::from_name(&a).matches(&b);
        if got == c.expect {
            pass += 1;
        } else {
            fail.push(format!(
                "{} vs {}: expected {}, got {got}",
                c.a, c.b, c.expect
            ));
        }
    }
    let skipped = all.len() - pass - fail.len();
    println!(
        "name-match: {} pairs: {pass} pass, {} fail, {skipped} not run (unparsable name)",
        all.len(),
        fail.len()
    );
    for u in &unparsable {
        println!("  unparsable: {u}");
    }
    assert!(fail.is_empty(), "{fail:#?}");
    // Only two kinds of name are refused by the DER layer (x509-cert 0.2 / der 0.7), for
    // certificates as well as here: two identical attributes in one RDN (DER SET OF forbids
    // duplicates) and UniversalString values (der 0.7 has no tag for it).
    assert!(
        unparsable
            .iter()
            .all(|u| u.ends_with("SET OF contains duplicate") || u.contains("tag: 0x1c")),
        "{unparsable:#?}"
    );
    assert_eq!((pass, skipped), (125, 86));
}

#[test]
fn boringssl_invalid_names_are_refused() {
    // Intent: every `invalid-*` vector is a DER error, never a name that could match.
    let mut files: Vec<PathBuf> = std::fs::read_dir(DIR)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("invalid-")
        })
        .collect();
    files.sort();
    assert_eq!(files.len(), 8);
    for f in files {
        let stem = f.file_stem().unwrap().to_str().unwrap().to_owned();
        assert!(name(&stem).is_err(), "{stem} parsed");
    }
}
