//! JWS compact serialization (RFC 7515 §7.1): strict splitting, base64url and JSON.
//!
//! Everything here is deliberately unforgiving: exactly three segments, canonical unpadded
//! base64url (RFC 7515 §2: no padding, no trailing bits), UTF-8 JSON objects whose member names
//! are unique at every depth (RFC 7515 §5.2 rule 4 lets a parser either reject duplicates or take
//! the last one; taking the last one is how two parsers come to disagree about a token, so we
//! reject).

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use base64ct::{Base64UrlUnpadded, Encoding};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::TokenError;
use crate::provider::SignatureScheme;

/// A JWS `alg` certbound verifies (RFC 7518 §3.1, RFC 8037 §3.1).
///
/// There is no `none` and no `HS*`: a resource server holding only public keys has no business
/// with MACs, and accepting them is the classic key-confusion hole.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// `EdDSA` with an Ed25519 key (RFC 8037).
    EdDsa,
    /// `ES256`: ECDSA P-256 with SHA-256.
    Es256,
    /// `ES384`: ECDSA P-384 with SHA-384.
    Es384,
    /// `PS256`: RSASSA-PSS with SHA-256.
    Ps256,
    /// `RS256`: RSASSA-PKCS1-v1_5 with SHA-256.
    Rs256,
}

impl Algorithm {
    /// Every algorithm certbound can verify.
    pub const ALL: [Self; 5] = [
        Self::EdDsa,
        Self::Es256,
        Self::Es384,
        Self::Ps256,
        Self::Rs256,
    ];

    /// The JWS name (`"ES256"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::EdDsa => "EdDSA",
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Ps256 => "PS256",
            Self::Rs256 => "RS256",
        }
    }

    /// Parses a JWS name, case-sensitively (RFC 7515 §4.1.1).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// The provider scheme that verifies this algorithm.
    pub fn scheme(self) -> SignatureScheme {
        match self {
            Self::EdDsa => SignatureScheme::Ed25519,
            Self::Es256 => SignatureScheme::EcdsaP256Sha256,
            Self::Es384 => SignatureScheme::EcdsaP384Sha384,
            Self::Ps256 => SignatureScheme::RsaPssSha256,
            Self::Rs256 => SignatureScheme::RsaPkcs1Sha256,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A part of a compact JWS, for error messages.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    /// The protected header (first segment).
    Header,
    /// The payload, i.e. the claims (second segment).
    Payload,
    /// The signature (third segment).
    Signature,
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
        })
    }
}

/// A compact JWS split and decoded, not yet verified.
#[derive(Debug, Clone)]
pub struct CompactJws<'a> {
    /// `BASE64URL(header) '.' BASE64URL(payload)`: the bytes the signature covers.
    pub(crate) signing_input: &'a str,
    /// The decoded header object.
    pub(crate) header: Map<String, Value>,
    /// The decoded payload bytes (UTF-8 checked only when parsed as JSON).
    pub(crate) payload: Vec<u8>,
    /// The decoded signature.
    pub(crate) signature: Vec<u8>,
}

impl<'a> CompactJws<'a> {
    /// Splits and decodes a compact JWS: header parsed as a strict JSON object, payload and
    /// signature decoded from base64url. The caller enforces the size limit first.
    ///
    /// # Errors
    /// [`TokenError::Segments`], [`TokenError::Base64`], [`TokenError::Utf8`],
    /// [`TokenError::Json`], [`TokenError::DuplicateMember`], [`TokenError::NotObject`].
    pub fn parse(token: &'a str) -> Result<Self, TokenError> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(TokenError::Segments {
                count: token.split('.').count(),
            });
        };
        let signing_input = token.get(..h.len() + 1 + p.len()).unwrap_or_default();
        let header_bytes = decode_segment(h, Segment::Header)?;
        let header = parse_object(&header_bytes, Segment::Header)?;
        let payload = decode_segment(p, Segment::Payload)?;
        let signature = decode_segment(s, Segment::Signature)?;
        if signature.is_empty() {
            return Err(TokenError::Unsigned);
        }
        Ok(Self {
            signing_input,
            header,
            payload,
            signature,
        })
    }

    /// The header as parsed.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// The payload parsed as a strict JSON object (UTF-8, unique member names).
    ///
    /// # Errors
    /// As [`CompactJws::parse`], for the payload.
    pub fn payload_object(&self) -> Result<Map<String, Value>, TokenError> {
        parse_object(&self.payload, Segment::Payload)
    }

    /// The raw decoded payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The bytes the signature covers.
    pub fn signing_input(&self) -> &'a str {
        self.signing_input
    }

    /// The decoded signature.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }
}

/// Decodes one segment as canonical unpadded base64url.
pub(crate) fn decode_segment(text: &str, segment: Segment) -> Result<Vec<u8>, TokenError> {
    Base64UrlUnpadded::decode_vec(text).map_err(|_| TokenError::Base64 { segment })
}

/// Parses bytes as a JSON object with unique member names at every depth.
pub(crate) fn parse_object(
    bytes: &[u8],
    segment: Segment,
) -> Result<Map<String, Value>, TokenError> {
    let text = core::str::from_utf8(bytes).map_err(|e| TokenError::Utf8 {
        segment,
        offset: e.valid_up_to(),
    })?;
    match parse_strict(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(TokenError::NotObject { segment }),
        Err(StrictJsonError::Duplicate(name)) => Err(TokenError::DuplicateMember { segment, name }),
        Err(StrictJsonError::Syntax { line, column }) => Err(TokenError::Json {
            segment,
            line,
            column,
        }),
    }
}

/// Why strict JSON parsing failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StrictJsonError {
    /// A member name occurred twice in one object (the name, truncated).
    Duplicate(String),
    /// Not JSON, at this position.
    Syntax { line: usize, column: usize },
}

/// Longest member name echoed back in a duplicate-member error.
const MAX_ECHOED_NAME: usize = 64;

/// Prefix marking our duplicate error inside serde_json's error text.
const DUPLICATE_MARK: &str = "duplicate member: ";

/// Parses JSON into a [`Value`], rejecting duplicate member names at every depth.
pub(crate) fn parse_strict(text: &str) -> Result<Value, StrictJsonError> {
    serde_json::from_str::<StrictValue>(text)
        .map(|v| v.0)
        .map_err(|e| {
            if e.classify() == serde_json::error::Category::Data {
                let msg = e.to_string();
                if let Some(rest) = msg.strip_prefix(DUPLICATE_MARK) {
                    let name = rest.rsplit_once(" at line ").map_or(rest, |(n, _)| n);
                    return StrictJsonError::Duplicate(name.to_string());
                }
            }
            StrictJsonError::Syntax {
                line: e.line(),
                column: e.column(),
            }
        })
}

/// A `Value` whose objects were checked for duplicate member names.
struct StrictValue(Value);

impl<'de> Deserialize<'de> for StrictValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(StrictValue)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        StrictValue::deserialize(d).map(|v| v.0)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(StrictValue(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                let shown: String = key
                    .chars()
                    .take(MAX_ECHOED_NAME)
                    .map(|c| {
                        if c.is_ascii_graphic() || c == ' ' {
                            c
                        } else {
                            '?'
                        }
                    })
                    .collect();
                return Err(de::Error::custom(format_args!("{DUPLICATE_MARK}{shown}")));
            }
            let StrictValue(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: duplicates are found at the top level and nested, with the name reported.
    #[test]
    fn duplicates_rejected_at_every_depth() {
        assert_eq!(
            parse_strict(r#"{"a":1,"a":2}"#),
            Err(StrictJsonError::Duplicate("a".into()))
        );
        assert_eq!(
            parse_strict(r#"{"cnf":{"x5t#S256":"x","x5t#S256":"y"}}"#),
            Err(StrictJsonError::Duplicate("x5t#S256".into()))
        );
        assert_eq!(
            parse_strict(r#"[{"k":1},{"k":2,"k":3}]"#),
            Err(StrictJsonError::Duplicate("k".into()))
        );
        assert!(parse_strict(r#"{"a":1,"b":{"a":2}}"#).is_ok());
    }

    // Intent: escaped spellings of the same name are the same member.
    #[test]
    fn escaped_duplicate_is_a_duplicate() {
        assert_eq!(
            parse_strict(r#"{"alg":"ES256","\u0061lg":"none"}"#),
            Err(StrictJsonError::Duplicate("alg".into()))
        );
    }

    // Intent: the JSON parsed by the strict visitor equals serde_json's own parse.
    #[test]
    fn strict_value_matches_serde_json() {
        let text = r#"{"a":[1,-2,3.5,true,null,"s"],"b":{"c":"d"},"e":18446744073709551615}"#;
        let ours = parse_strict(text).unwrap();
        let theirs: Value = serde_json::from_str(text).unwrap();
        assert_eq!(ours, theirs);
    }

    // Intent: the segment splitter insists on exactly three parts and a non-empty signature.
    #[test]
    fn segments_counted() {
        assert_eq!(
            CompactJws::parse("a.b").unwrap_err(),
            TokenError::Segments { count: 2 }
        );
        assert_eq!(
            CompactJws::parse("a.b.c.d.e").unwrap_err(),
            TokenError::Segments { count: 5 }
        );
        // {"alg":"none"} . {} . (empty)
        assert_eq!(
            CompactJws::parse("eyJhbGciOiJub25lIn0.e30.").unwrap_err(),
            TokenError::Unsigned
        );
    }

    // Intent: algorithm names round-trip and are case-sensitive.
    #[test]
    fn algorithm_names() {
        for a in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(a.name()), Some(a));
        }
        assert_eq!(Algorithm::from_name("es256"), None);
        assert_eq!(Algorithm::from_name("none"), None);
        assert_eq!(Algorithm::from_name("HS256"), None);
    }
}
