//! Certificate path validation of mutated leaf / intermediate DER against the fixed RFC 9440
//! trust store, optionally with a fuzzed CRL.
//!
//! Input: a flag byte (bit 0 serverAuth, bit 1 last record is a CRL, bits 2–3 the clock, bit 4
//! lenient revocation policy), then `u16`-length-prefixed records: the leaf, then intermediates.
//! Every verdict is also reached through `provider::Deferred` (signatures in rounds) and must be
//! the same.
#![no_main]

use certbound_core::Certificate;
use certbound_core::path::{
    self, ExpiredCrl, Purpose, RevocationPolicy, UnknownStatus, VerifyOptions,
};
use certbound_core::provider::{CryptoProvider, Deferred, RustCrypto, Step};
use certbound_fuzz::{RFC9440_NOW, at, check_cert, check_error, fixtures, records, split_flags};
use libfuzzer_sys::fuzz_target;

fn parse(der: &[u8]) -> Option<Certificate> {
    match Certificate::from_der(der) {
        Ok(c) => Some(c),
        Err(e) => {
            check_error(&e);
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = split_flags(data) else {
        return;
    };
    let mut recs = records(rest, 1 + path::MAX_INTERMEDIATES + 1);
    let crl = if flags & 2 != 0 { recs.pop() } else { None };
    let Some((leaf, intermediates)) = recs.split_first() else {
        return;
    };
    let Some(leaf) = parse(leaf) else {
        return;
    };
    let Some(intermediates) = intermediates
        .iter()
        .map(|d| parse(d))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    let now = at(match (flags >> 2) & 3 {
        0 => RFC9440_NOW,
        1 => 1_500_000_000,
        2 => 2_000_000_000,
        _ => 1_610_000_000,
    });
    let purpose = if flags & 1 != 0 {
        Purpose::ServerAuth
    } else {
        Purpose::ClientAuth
    };
    let options = VerifyOptions::new(purpose);

    let mut trust = fixtures().trust.clone();
    if let Some(crl) = crl {
        let policy = if flags & 0x10 != 0 {
            RevocationPolicy::new()
                .unknown_status(UnknownStatus::Allow)
                .expired_crl(ExpiredCrl::Allow)
                .leaf_only()
        } else {
            RevocationPolicy::new()
        };
        match trust.with_crls(&[crl], policy) {
            Ok(t) => {
                assert_eq!(t.crl_count(), 1);
                trust = t;
            }
            Err(e) => {
                check_error(&e);
                return;
            }
        }
    }

    let result = path::verify_chain(&trust, &leaf, &intermediates, now, &options);
    match &result {
        Ok(verified) => {
            check_cert(&leaf);
            let chain = verified.chain();
            assert_eq!(chain.len(), verified.intermediate_indices().len() + 2);
            assert!(chain.len() <= path::MAX_PATH_INTERMEDIATES + 2);
            assert!(verified.leaf() == leaf.x5t_s256());
            assert!(chain[0] == leaf.x5t_s256());
            assert!(chain[chain.len() - 1] == verified.anchor());
            let anchor = &trust.certificates()[verified.anchor_index()];
            assert!(anchor.x5t_s256() == verified.anchor());
            assert_eq!(verified.anchor_subject(), anchor.subject().to_string());
            for (pos, &i) in verified.intermediate_indices().iter().enumerate() {
                assert!(intermediates[i].x5t_s256() == chain[pos + 1]);
            }
            assert!(
                leaf.is_valid_at(now),
                "webpki accepted a leaf core calls invalid now"
            );
        }
        Err(e) => check_error(e),
    }
    // The same decision with signatures verified in rounds (`provider::Deferred`, as the
    // WebCrypto adapters run it) is the same verdict; the reruns also check it is deterministic.
    let mut deferred = Deferred::new();
    let again = loop {
        let step = deferred.run(|p| {
            path::verify_chain_with_provider(&trust, &leaf, &intermediates, now, &options, p)
        });
        match step.expect("within Deferred::MAX_CHECKS") {
            Step::Ready(r) => break r,
            Step::Pending(checks) => {
                for c in checks {
                    let valid = RustCrypto
                        .verify(c.scheme, &c.public_key, &c.message, &c.signature)
                        .is_ok();
                    deferred.answer(c, valid);
                }
            }
        }
    };
    assert_eq!(again, result);
    let name = intermediates
        .first()
        .and_then(|c| c.subject().common_name().map(str::to_owned))
        .unwrap_or_else(|| String::from("client.example"));
    if let Err(e) = path::verify_server_name(&leaf, &name) {
        check_error(&e);
    }
});
