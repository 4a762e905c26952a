//! Time as an argument: [`UnixTime`] plus RFC 3339 rendering and parsing.
//!
//! Core never reads a clock; adapters pass the current time in.

use alloc::string::{String, ToString};
use core::time::Duration;

pub use rustls_pki_types::UnixTime;

use crate::Error;

/// Renders UNIX seconds as RFC 3339 in UTC, `YYYY-MM-DDTHH:MM:SSZ`.
///
/// Times outside 1970..=9999 are rendered as the bare number of seconds.
pub fn rfc3339(unix_seconds: u64) -> String {
    match der::DateTime::from_unix_duration(Duration::from_secs(unix_seconds)) {
        Ok(dt) => alloc::format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minutes(),
            dt.seconds()
        ),
        Err(_) => unix_seconds.to_string(),
    }
}

/// Parses a time given as UNIX seconds (`1700000000`) or RFC 3339
/// (`2024-05-01T12:00:00Z`, `2024-05-01T14:00:00.5+02:00`; fractions are truncated).
///
/// # Errors
/// [`Error::InvalidTime`] when the text is neither, or the time is before 1970.
pub fn parse_time(text: &str) -> Result<UnixTime, Error> {
    let t = text.trim();
    let bad = || Error::InvalidTime {
        input: t.chars().take(64).collect(),
    };
    if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u64 = t.parse().map_err(|_| bad())?;
        return Ok(UnixTime::since_unix_epoch(Duration::from_secs(secs)));
    }
    let b = t.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad());
    }
    if b[13] != b':' || b[16] != b':' {
        return Err(bad());
    }
    let num = |r: core::ops::Range<usize>| -> Result<u16, Error> {
        let s = t.get(r).ok_or_else(bad)?;
        if !s.bytes().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse().map_err(|_| bad())
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &t[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad());
        }
        rest = &frac[digits..];
    }
    let offset_secs: i64 = match rest {
        "Z" | "z" => 0,
        _ => {
            let ob = rest.as_bytes();
            if ob.len() != 6 || !matches!(ob[0], b'+' | b'-') || ob[3] != b':' {
                return Err(bad());
            }
            let oh: i64 = rest[1..3].parse().map_err(|_| bad())?;
            let om: i64 = rest[4..6].parse().map_err(|_| bad())?;
            if oh > 23 || om > 59 {
                return Err(bad());
            }
            let sign = if ob[0] == b'+' { 1 } else { -1 };
            sign * (oh * 3600 + om * 60)
        }
    };
    let to_u8 = |v: u16| u8::try_from(v).map_err(|_| bad());
    let dt = der::DateTime::new(
        year,
        to_u8(month)?,
        to_u8(day)?,
        to_u8(hour)?,
        to_u8(minute)?,
        to_u8(second)?,
    )
    .map_err(|_| bad())?;
    let local = i64::try_from(dt.unix_duration().as_secs()).map_err(|_| bad())?;
    let utc = u64::try_from(local - offset_secs).map_err(|_| bad())?;
    Ok(UnixTime::since_unix_epoch(Duration::from_secs(utc)))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: both accepted syntaxes land on the same instant, and rendering round-trips.
    #[test]
    fn parse_and_render() {
        let a = parse_time("2020-05-20T00:00:00Z").unwrap();
        assert_eq!(a.as_secs(), 1_589_932_800);
        assert_eq!(parse_time("1589932800").unwrap(), a);
        assert_eq!(parse_time("2020-05-20T02:00:00.25+02:00").unwrap(), a);
        assert_eq!(rfc3339(a.as_secs()), "2020-05-20T00:00:00Z");
    }

    // Intent: malformed text is refused with the input quoted, never a panic.
    #[test]
    fn rejects_garbage() {
        for bad in [
            "",
            "yesterday",
            "2020-13-01T00:00:00Z",
            "2020-05-20",
            "2020-05-20T00:00:00",
            "2020-05-20T00:00:00+2:00",
            "-5",
            "2020-05-20T00:00:00.Z",
        ] {
            let e = parse_time(bad).unwrap_err();
            assert!(e.to_string().starts_with("invalid time"), "{bad}: {e}");
        }
    }
}
