//! `time::parse_time` and `time::rfc3339`: whatever parses renders back to the same instant.
#![no_main]

use certbound_core::time::{parse_time, rfc3339};
use certbound_fuzz::check_error;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = core::str::from_utf8(data) {
        match parse_time(text) {
            Ok(t) => {
                let secs = t.as_secs();
                let rendered = rfc3339(secs);
                let back = parse_time(&rendered).expect("rfc3339 output parses");
                assert_eq!(back.as_secs(), secs, "{text:?} -> {rendered}");
            }
            Err(e) => check_error(&e),
        }
    }
    // Any u64 renders, and the rendering parses back to it.
    if let Some(bytes) = data.get(..8) {
        let secs = u64::from_le_bytes(bytes.try_into().unwrap());
        let rendered = rfc3339(secs);
        let back = parse_time(&rendered).expect("rfc3339 output parses");
        assert_eq!(back.as_secs(), secs, "{rendered}");
    }
});
