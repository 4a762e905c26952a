//! The canonical form of a request path, the one route scopes are matched against and the one
//! an adapter forwards.
//!
//! A gateway that matches `/admin/` on the path as received and forwards that path unchanged
//! can be walked around: an origin that percent-decodes (`/%61dmin/`), merges slashes
//! (`//admin/`, nginx's default) or resolves dot segments (`/x/../admin/`) serves `/admin/`
//! to a token that was only checked for `/`. So every adapter matches the *canonical* path and
//! forwards it, and the origin sees exactly the path that was authorised:
//!
//! 1. only visible ASCII (RFC 3986 §3.3; a URL parser has percent-encoded everything else);
//! 2. percent-encoded unreserved characters decoded (RFC 3986 §6.2.2.2), other escapes kept with
//!    upper-case hex (§6.2.2.1); escapes that an origin could read as structure are refused:
//!    `%2F` (`/`), `%5C` (`\`), `%00`–`%1F` and `%7F`, and malformed ones (`%zz`, `%4`);
//! 3. a raw `\` is refused (some servers read it as `/`);
//! 4. dot segments removed (RFC 3986 §5.2.4, after step 2, so `%2E%2E` is `..`);
//! 5. runs of `/` merged into one.
//!
//! Not decided here: case (an origin that matches paths case-insensitively must be configured
//! with lower-case prefixes and fold case itself) and `;` path parameters (kept as they are).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Longest request path accepted, in bytes (servers commonly allow 8 KiB for the whole request
/// line).
pub const MAX_PATH_BYTES: usize = 8 * 1024;

/// Why a request path was refused; `Display` names the offending part.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestPathError {
    /// The path does not start with `/`.
    NotAbsolute,
    /// Longer than [`MAX_PATH_BYTES`].
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// A byte that is not visible ASCII, or a raw `\`.
    Byte {
        /// The byte.
        byte: u8,
        /// Its offset in the path.
        at: usize,
    },
    /// A `%` not followed by two hex digits.
    BadEscape {
        /// Its offset in the path.
        at: usize,
    },
    /// A percent-encoded `/`, `\` or control character.
    EncodedDelimiter {
        /// The decoded byte.
        byte: u8,
        /// The offset of its `%` in the path.
        at: usize,
    },
}

impl fmt::Display for RequestPathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAbsolute => f.write_str("request path does not start with '/'"),
            Self::TooLong { len } => write!(
                f,
                "request path is {len} bytes, over the limit of {MAX_PATH_BYTES}"
            ),
            Self::Byte { byte: b'\\', at } => write!(
                f,
                "request path has a '\\' at byte {at} (some servers read it as '/')"
            ),
            Self::Byte { byte, at } => write!(
                f,
                "request path has byte 0x{byte:02X} at {at}: only visible ASCII is accepted"
            ),
            Self::BadEscape { at } => write!(
                f,
                "request path has a '%' at byte {at} not followed by two hex digits"
            ),
            Self::EncodedDelimiter { byte, at } => write!(
                f,
                "request path has %{byte:02X} at byte {at}: an encoded '/', '\\' or control character could be decoded into path structure behind the gateway"
            ),
        }
    }
}

impl core::error::Error for RequestPathError {}

/// The canonical form of `path` (the path component of a request target, without the query);
/// borrowed when `path` is already canonical. See the module documentation for the rules.
///
/// # Errors
/// [`RequestPathError`], naming the offending byte or escape and its offset.
pub fn canonical_path(path: &str) -> Result<Cow<'_, str>, RequestPathError> {
    let bytes = path.as_bytes();
    if bytes.len() > MAX_PATH_BYTES {
        return Err(RequestPathError::TooLong { len: bytes.len() });
    }
    if bytes.first() != Some(&b'/') {
        return Err(RequestPathError::NotAbsolute);
    }
    // Steps 1–3 in one pass; `changed` stays false if no escape needed rewriting.
    let mut decoded: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut changed = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).and_then(|&c| (c as char).to_digit(16));
            let (Some(hi), Some(lo)) = (hex(i + 1), hex(i + 2)) else {
                return Err(RequestPathError::BadEscape { at: i });
            };
            // Both digits are < 16.
            let value = u8::try_from(hi * 16 + lo).unwrap_or(0);
            if value == b'/' || value == b'\\' || value < 0x20 || value == 0x7F {
                return Err(RequestPathError::EncodedDelimiter { byte: value, at: i });
            }
            if value.is_ascii_alphanumeric() || matches!(value, b'-' | b'.' | b'_' | b'~') {
                decoded.push(value);
                changed = true;
            } else {
                let upper = |c: u8| c.to_ascii_uppercase();
                let (h, l) = (upper(bytes[i + 1]), upper(bytes[i + 2]));
                changed |= h != bytes[i + 1] || l != bytes[i + 2];
                decoded.extend_from_slice(&[b'%', h, l]);
            }
            i += 3;
            continue;
        }
        if !b.is_ascii_graphic() || b == b'\\' {
            return Err(RequestPathError::Byte { byte: b, at: i });
        }
        decoded.push(b);
        i += 1;
    }
    // Steps 4–5 over segments: "" (from "//"), "." and ".." leave no segment behind.
    let mut segments: Vec<&[u8]> = Vec::new();
    let mut dropped = false;
    let parts: Vec<&[u8]> = decoded[1..].split(|&c| c == b'/').collect();
    let last = parts.len() - 1;
    for (n, seg) in parts.iter().enumerate() {
        match *seg {
            b"." | b".." => {
                if *seg == b".." {
                    segments.pop();
                }
                dropped = true;
                // "/a/.." and "/a/." end in a directory: keep the trailing '/'.
                if n == last {
                    segments.push(b"");
                }
            }
            b"" if n != last => dropped = true,
            _ => segments.push(seg),
        }
    }
    if !changed && !dropped {
        return Ok(Cow::Borrowed(path));
    }
    let mut out = String::with_capacity(decoded.len());
    for seg in &segments {
        out.push('/');
        // Only visible ASCII went into `decoded`.
        out.extend(seg.iter().map(|&c| char::from(c)));
    }
    if out.is_empty() {
        out.push('/');
    }
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString as _;

    fn canon(p: &str) -> String {
        canonical_path(p)
            .unwrap_or_else(|e| panic!("{p:?}: {e}"))
            .into_owned()
    }

    // Intent: a canonical path comes back borrowed and unchanged.
    #[test]
    fn canonical_paths_are_kept() {
        for p in [
            "/",
            "/items",
            "/admin/",
            "/a/b.c/d~e_f-g",
            "/a%20b",
            "/a%25b",
            "/a;x=1/b",
            "/.well-known/x",
            "/a..b/...",
        ] {
            assert!(
                matches!(canonical_path(p), Ok(Cow::Borrowed(q)) if q == p),
                "{p}"
            );
        }
    }

    // Intent: every spelling an origin would read as /admin/users canonicalises to it.
    #[test]
    fn equivalent_spellings_meet() {
        for p in [
            "/admin/users",
            "/%61dmin/users",
            "/%61%64%6D%69%6E/users",
            "//admin//users",
            "/x/../admin/users",
            "/./admin/./users",
            "/%2E%2E/admin/users",
            "/x/%2e%2E/admin/users",
            "/../../admin/users",
        ] {
            assert_eq!(canon(p), "/admin/users", "{p}");
        }
        assert_eq!(canon("/admin/x/.."), "/admin/");
        assert_eq!(canon("/admin/."), "/admin/");
        assert_eq!(canon("/.."), "/");
        assert_eq!(canon("//"), "/");
        assert_eq!(canon("/a%7eb"), "/a~b");
        assert_eq!(canon("/a%3bb%c3%a9"), "/a%3Bb%C3%A9");
    }

    // Intent: what could become structure behind the gateway is refused, with its position.
    #[test]
    fn ambiguous_paths_refused() {
        let err = |p: &str| canonical_path(p).expect_err(p);
        assert_eq!(
            err("/admin%2Fusers"),
            RequestPathError::EncodedDelimiter { byte: b'/', at: 6 }
        );
        assert_eq!(
            err("/a%5cb"),
            RequestPathError::EncodedDelimiter { byte: b'\\', at: 2 }
        );
        assert_eq!(
            err("/a%00"),
            RequestPathError::EncodedDelimiter { byte: 0, at: 2 }
        );
        assert_eq!(err("/a\\b"), RequestPathError::Byte { byte: b'\\', at: 2 });
        assert_eq!(err("/a b"), RequestPathError::Byte { byte: b' ', at: 2 });
        assert_eq!(err("/é"), RequestPathError::Byte { byte: 0xC3, at: 1 });
        assert_eq!(err("/a%zz"), RequestPathError::BadEscape { at: 2 });
        assert_eq!(err("/a%4"), RequestPathError::BadEscape { at: 2 });
        assert_eq!(err("a"), RequestPathError::NotAbsolute);
        assert_eq!(err(""), RequestPathError::NotAbsolute);
        let long = alloc::format!("/{}", "a".repeat(MAX_PATH_BYTES));
        assert_eq!(
            err(&long),
            RequestPathError::TooLong {
                len: MAX_PATH_BYTES + 1
            }
        );
        assert_eq!(
            err("/admin%2Fusers").to_string(),
            "request path has %2F at byte 6: an encoded '/', '\\' or control character could be decoded into path structure behind the gateway"
        );
    }

    // Intent: canonicalisation is idempotent (its output is its own canonical form).
    #[test]
    fn idempotent() {
        for p in [
            "/%61/../b//c/./%7e%41%3b",
            "/x/y/../../..//z/",
            "/a%2e/b%2E%2e/c",
        ] {
            let once = canon(p);
            assert!(
                matches!(canonical_path(&once), Ok(Cow::Borrowed(_))),
                "{p} → {once}"
            );
        }
    }
}
