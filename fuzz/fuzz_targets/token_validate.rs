//! Access-token validation with a fixed JWKS and clock: `begin`, `finish` with both verdicts,
//! and `validate`.
//!
//! Input: a flag byte, then either (bit 0 clear) the `Authorization` header value, or (bit 0
//! set) a JOSE header and a claims set as JSON separated by `\0`, which this target signs with
//! the fixed ES256 key (or Ed25519, bit 1) so the fuzzer reaches every claim check with a valid
//! signature. Bit 2 corrupts that signature; bits 3–4 pick the presented certificate; bit 5
//! the loose validator.
#![no_main]

use certbound_core::oauth::bearer_token;
use certbound_core::provider::{CryptoProvider, InvalidSignature, RustCrypto};
use certbound_core::token::{Algorithm, TokenError};
use certbound_core::{CertThumbprint, Error};
use certbound_fuzz::{AUDIENCE, ISSUER, TOKEN_NOW, at, check_error, fixtures, sign, validators};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((flags, rest)) = certbound_fuzz::split_flags(data) else {
        return;
    };
    let signed_here = flags & 1 != 0;
    let ed25519 = flags & 2 != 0;
    let mut forged = false;
    let token = if signed_here {
        let mut parts = rest.splitn(2, |&b| b == 0);
        let header = parts.next().unwrap_or_default();
        let payload = parts.next().unwrap_or_default();
        let mut token = sign(header, payload, ed25519);
        if flags & 4 != 0 {
            // Flip one bit of the signature's first character.
            let dot = token.rfind('.').unwrap();
            let c = token.as_bytes()[dot + 1];
            let flipped = if c == b'A' { 'B' } else { 'A' };
            token.replace_range(dot + 1..dot + 2, flipped.encode_utf8(&mut [0; 4]));
            forged = true;
        }
        token
    } else {
        let Ok(header) = core::str::from_utf8(rest) else {
            return;
        };
        match bearer_token(Some(header)) {
            Ok(token) => token.to_owned(),
            Err(answer) => {
                let h = answer.www_authenticate(None);
                assert!(h.bytes().all(|b| (0x20..0x7f).contains(&b)));
                return;
            }
        }
    };
    let bound = fixtures().rfc8705.x5t_s256();
    let other = CertThumbprint::from_bytes([7; 32]);
    let presented = match (flags >> 3) & 3 {
        0 => None,
        1 | 3 => Some(&bound),
        _ => Some(&other),
    };
    let validator = &validators()[usize::from(flags & 0x20 != 0)];
    let now = at(TOKEN_NOW);

    let begun = validator.begin(&token, presented, now);
    let validated = validator.validate(&RustCrypto, &token, presented, now);
    match begun {
        Ok(pending) => {
            // A refused signature is always refused, whatever else passed.
            let again = validator
                .begin(&token, presented, now)
                .expect("begin is deterministic");
            assert_eq!(
                again.finish(Err(InvalidSignature)),
                Err(Error::Token(TokenError::Signature))
            );
            let verdict = RustCrypto.verify(
                pending.scheme(),
                pending.public_key(),
                pending.signing_input(),
                pending.signature(),
            );
            assert_eq!(verdict.is_ok(), validated.is_ok());
            // (Signed with the key the header's alg selects: the Ed25519 key for EdDSA.)
            if signed_here && !forged && (pending.algorithm() == Algorithm::EdDsa) == ed25519 {
                assert!(verdict.is_ok(), "a token signed with the JWKS key verifies");
            }
            if forged {
                assert!(verdict.is_err(), "a corrupted signature never verifies");
            }
            let finished = pending.finish(verdict);
            assert_eq!(finished, validated, "begin+finish is validate");
            match finished {
                Ok(valid) => {
                    // Accepted once, accepted again; and what was accepted is what was asked.
                    assert_eq!(
                        validator
                            .validate(&RustCrypto, &token, presented, now)
                            .as_ref(),
                        Ok(&valid)
                    );
                    assert_eq!(valid.issuer(), ISSUER);
                    assert!(valid.audiences().iter().any(|a| a == AUDIENCE));
                    assert!(valid.expires_at().saturating_add(300) >= TOKEN_NOW);
                    if let Some(cnf) = valid.bound_thumbprint() {
                        assert_eq!(Some(cnf), presented, "bound token needs its certificate");
                    }
                    let _ = (valid.scopes().count(), valid.claims().len(), valid.kid());
                }
                Err(e) => check_error(&e),
            }
        }
        Err(e) => {
            check_error(&e);
            assert_eq!(validated, Err(e), "validate fails exactly as begin");
        }
    }
});
