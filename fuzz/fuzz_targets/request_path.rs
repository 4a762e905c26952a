//! `token::resource::canonical_path`: the canonical form is its own canonical form, holds no
//! empty, `.` or `..` segment, no escape of an unreserved character and no lower-case hex, and a
//! route prefix matches it the same way however the input spelled it.
#![no_main]

use std::borrow::Cow;

use certbound_core::Error;
use certbound_core::token::resource::canonical_path;
use certbound_fuzz::check_error;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    match canonical_path(text) {
        Ok(canonical) => {
            let c: &str = &canonical;
            if let Cow::Borrowed(b) = &canonical {
                assert_eq!(*b, text, "borrowed means unchanged");
            }
            assert!(
                matches!(canonical_path(c), Ok(Cow::Borrowed(_))),
                "{text:?} -> {c:?} is not canonical itself"
            );
            assert!(c.starts_with('/'), "{c:?}");
            assert!(
                c.bytes().all(|b| b.is_ascii_graphic() && b != b'\\'),
                "{c:?}"
            );
            let segments: Vec<&str> = c[1..].split('/').collect();
            for (i, s) in segments.iter().enumerate() {
                assert!(*s != "." && *s != "..", "{text:?} -> {c:?}");
                assert!(
                    !s.is_empty() || i == segments.len() - 1,
                    "{text:?} -> {c:?}"
                );
            }
            let bytes = c.as_bytes();
            for (i, _) in c.match_indices('%') {
                let hex = &bytes[i + 1..i + 3];
                assert!(
                    hex.iter()
                        .all(|h| h.is_ascii_digit() || (b'A'..=b'F').contains(h))
                );
                let v = u8::from_str_radix(core::str::from_utf8(hex).unwrap(), 16).unwrap();
                assert!(
                    !(v.is_ascii_alphanumeric()
                        || b"-._~/\\".contains(&v)
                        || v < 0x20
                        || v == 0x7f),
                    "{text:?} -> {c:?}"
                );
            }
        }
        Err(e) => check_error(&Error::RequestPath(e)),
    }
});
