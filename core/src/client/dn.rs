//! `tls_client_auth_subject_dn`: the registered RFC 4514 string, parsed once, and RFC 4517
//! `distinguishedNameMatch` against a certificate's subject.
//!
//! # Parsing (RFC 4514 §3)
//! - RDNs are separated by `,`, the attributes of a multi-valued RDN by `+`; the string lists
//!   the most specific RDN first (the reverse of DER order).
//! - Attribute type names are case-insensitive (`cn=` = `CN=`) and resolved with
//!   [`attribute_oid`] (the names `Display` writes, or a dotted OID, optionally `OID.`-prefixed).
//! - Escapes: `\` followed by one of `\ " + , ; < > # = space`, or by two hex digits giving one
//!   byte; consecutive hex escapes are joined and must form UTF-8 (`\C3\A9` is `é`).
//! - A value starting with `#` is the hex of a complete DER value (RFC 4514 §2.4): it only
//!   matches an attribute whose DER value is byte-for-byte equal.
//! - Spaces after a separator or around `=` are skipped, and unescaped trailing spaces of a value
//!   are dropped (the comparison ignores leading and trailing spaces anyway); escaped spaces are
//!   kept. Unescaped `"`, `;`, `<`, `>` and any NUL (also `\00`) are load errors.
//!
//! # Matching (RFC 4517 §4.2.15 `distinguishedNameMatch`)
//! - Same number of RDNs, compared in order; within an RDN the attributes are compared as a set
//!   (order does not matter, each attribute is used once).
//! - Attribute types compare by OID.
//! - String values compare with `caseIgnoreMatch` after RFC 4518-lite preparation: leading and
//!   trailing white space removed, internal runs collapsed to one space, case folded with Unicode
//!   `to_lowercase`. The ASN.1 string type does not matter (PrintableString `Acme` equals
//!   UTF8String `acme`) for UTF8String, PrintableString, IA5String, BMPString and
//!   UniversalString. TeletexString values are not prepared (their character set is ambiguous,
//!   RFC 5280 §7.1): they only match a `#hex` registration or, between two names, the same DER.
//! - A subject with a NUL character in any attribute, or with an empty RDN, never matches.
//! - Rendered strings are never compared.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use const_oid::ObjectIdentifier;
use der::Tag;

use crate::cert::name::{
    Attribute, DistinguishedName, attribute_name, attribute_oid, escape_value,
};

/// Longest registered DN accepted, in bytes: real subjects are a few hundred bytes; the limit
/// bounds the work of parsing a configuration value.
pub const MAX_DN_BYTES: usize = 4096;

/// Most attributes in one registered RDN: the set comparison is quadratic in this number.
pub const MAX_RDN_ATTRIBUTES: usize = 16;

/// A parsed subject DN pattern: RDNs in DER order (least specific first), like
/// [`DistinguishedName::rdns`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredDn {
    rdns: Vec<Vec<AttributePattern>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct AttributePattern {
    oid: ObjectIdentifier,
    value: ValuePattern,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ValuePattern {
    /// A string value: as written (for `Display`) and prepared for comparison.
    Text { text: String, prepared: String },
    /// A `#hex` value: complete DER (tag, length, contents).
    Der(Vec<u8>),
}

/// Why a registered DN string did not parse; positions are 0-based byte offsets.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnParseError {
    /// A `#` value's bytes were not exactly one DER value.
    BadDer {
        /// Offset of the `#`.
        position: usize,
        /// The decoder's error.
        error: der::Error,
    },
    /// A `\` escape was not followed by a special character or two hex digits.
    BadEscape {
        /// Offset of the `\`.
        position: usize,
    },
    /// A `#` value held something other than hex pairs.
    BadHex {
        /// Offset of the offending character.
        position: usize,
    },
    /// The string is empty: an empty registered subject would match an empty subject.
    Empty,
    /// `=` was expected after an attribute type.
    ExpectedEquals {
        /// Offset where `=` was expected.
        position: usize,
    },
    /// An attribute type was expected (after `,` or `+`, or at the start).
    ExpectedType {
        /// Offset where the type was expected.
        position: usize,
    },
    /// Escaped bytes in a value do not form UTF-8.
    InvalidUtf8 {
        /// Offset where the value starts.
        position: usize,
    },
    /// A NUL character (written or escaped as `\00`).
    Nul {
        /// Offset of the NUL or of its escape.
        position: usize,
    },
    /// The string is longer than [`MAX_DN_BYTES`].
    TooLong {
        /// Its length in bytes.
        actual: usize,
    },
    /// An RDN has more than [`MAX_RDN_ATTRIBUTES`] attributes.
    TooManyAttributes {
        /// Offset of the RDN's first attribute.
        position: usize,
    },
    /// A character that RFC 4514 requires to be escaped appeared unescaped in a value.
    Unescaped {
        /// The character.
        character: char,
        /// Its offset.
        position: usize,
    },
    /// The attribute type name is not known.
    UnknownType {
        /// The name as written.
        name: String,
        /// Its offset.
        position: usize,
    },
}

impl fmt::Display for DnParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadEscape { position } => write!(
                f,
                "bad escape at byte {position}: '\\' must be followed by one of \\ \" + , ; < > # = space, or two hex digits"
            ),
            Self::BadHex { position } => write!(
                f,
                "bad '#' value at byte {position}: expected pairs of hex digits"
            ),
            Self::BadDer { position, error } => write!(
                f,
                "bad '#' value at byte {position}: not one DER value ({})",
                crate::error::DerDisplay(error)
            ),
            Self::Empty => f.write_str("the DN is empty"),
            Self::ExpectedEquals { position } => {
                write!(
                    f,
                    "expected '=' after the attribute type at byte {position}"
                )
            }
            Self::ExpectedType { position } => {
                write!(
                    f,
                    "expected an attribute type (CN, O, …) at byte {position}"
                )
            }
            Self::InvalidUtf8 { position } => write!(
                f,
                "escaped bytes in the value at byte {position} are not UTF-8"
            ),
            Self::Nul { position } => write!(f, "NUL character at byte {position}"),
            Self::TooLong { actual } => write!(
                f,
                "the DN is {actual} bytes, over the limit of {MAX_DN_BYTES} bytes"
            ),
            Self::TooManyAttributes { position } => write!(
                f,
                "the RDN at byte {position} has more than {MAX_RDN_ATTRIBUTES} attributes"
            ),
            Self::Unescaped {
                character,
                position,
            } => write!(
                f,
                "unescaped {character:?} at byte {position}: write it as \\{character}"
            ),
            Self::UnknownType { name, position } => write!(
                f,
                "unknown attribute type {name:?} at byte {position}: use a name such as CN, O, OU, C, L, ST, DC, UID, serialNumber, emailAddress, or a dotted OID"
            ),
        }
    }
}

impl RegisteredDn {
    /// Parses an RFC 4514 string (most specific RDN first).
    ///
    /// # Errors
    /// [`DnParseError`] with the byte offset of the problem.
    pub fn parse(input: &str) -> Result<Self, DnParseError> {
        if input.len() > MAX_DN_BYTES {
            return Err(DnParseError::TooLong {
                actual: input.len(),
            });
        }
        if input.trim().is_empty() {
            return Err(DnParseError::Empty);
        }
        let mut p = Parser {
            s: input.as_bytes(),
            pos: 0,
        };
        let mut rdns = Vec::new();
        loop {
            let mut rdn = Vec::new();
            let rdn_start = p.pos;
            loop {
                rdn.push(p.attribute()?);
                if rdn.len() > MAX_RDN_ATTRIBUTES {
                    return Err(DnParseError::TooManyAttributes {
                        position: rdn_start,
                    });
                }
                if p.peek() == Some(b'+') {
                    p.pos += 1;
                } else {
                    break;
                }
            }
            rdns.push(rdn);
            // A value ends only at an unescaped ',' or '+' or at the end of input.
            if p.peek() == Some(b',') {
                p.pos += 1;
            } else {
                break;
            }
        }
        rdns.reverse();
        Ok(Self { rdns })
    }

    /// The pattern equivalent to a certificate name: string attributes compare prepared,
    /// others by DER. Matching two certificate names is `from_name(a).matches(b)`.
    pub fn from_name(name: &DistinguishedName) -> Self {
        let rdns = name
            .rdns()
            .iter()
            .map(|rdn| {
                rdn.attributes()
                    .iter()
                    .map(|a| AttributePattern {
                        oid: a.oid(),
                        value: match comparable_text(a) {
                            Some(text) => ValuePattern::Text {
                                text: String::from(text),
                                prepared: prepare(text),
                            },
                            None => ValuePattern::Der(a.value_der().to_vec()),
                        },
                    })
                    .collect()
            })
            .collect();
        Self { rdns }
    }

    /// RFC 4517 `distinguishedNameMatch` against a certificate name (rules in the module docs).
    pub fn matches(&self, name: &DistinguishedName) -> bool {
        if has_nul(name)
            || self.rdns.len() != name.rdns().len()
            || name.rdns().iter().any(|r| r.attributes().is_empty())
        {
            return false;
        }
        self.rdns
            .iter()
            .zip(name.rdns())
            .all(|(pats, rdn)| rdn_matches(pats, rdn.attributes()))
    }

    /// Number of RDNs.
    pub fn len(&self) -> usize {
        self.rdns.len()
    }

    /// Is the pattern empty (only possible via [`RegisteredDn::from_name`] of an empty name)?
    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }
}

/// Does the name contain a NUL character in any attribute's text?
pub fn has_nul(name: &DistinguishedName) -> bool {
    name.attributes()
        .any(|a| a.text().is_some_and(|t| t.contains('\0')))
}

/// The attribute's text when its type is one `caseIgnoreMatch` prepares (module docs).
fn comparable_text(a: &Attribute) -> Option<&str> {
    let tag = a.tag();
    let prepared_type = matches!(
        tag,
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::BmpString
    ) || u8::from(tag) == 0x1c; // UniversalString
    if prepared_type { a.text() } else { None }
}

/// RFC 4518-lite string preparation for `caseIgnoreMatch`: trim, collapse white space runs to
/// one space, fold case.
pub(crate) fn prepare(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn value_matches(p: &ValuePattern, a: &Attribute) -> bool {
    match p {
        ValuePattern::Der(der) => a.value_der() == der.as_slice(),
        ValuePattern::Text { prepared, .. } => {
            comparable_text(a).is_some_and(|t| prepare(t) == *prepared)
        }
    }
}

/// Set comparison of one RDN: a perfect matching between patterns and attributes (Kuhn's
/// augmenting paths; sizes are at most [`MAX_RDN_ATTRIBUTES`] on the registered side and must
/// be equal).
fn rdn_matches(pats: &[AttributePattern], attrs: &[Attribute]) -> bool {
    if pats.len() != attrs.len() {
        return false;
    }
    let adj: Vec<Vec<bool>> = pats
        .iter()
        .map(|p| {
            attrs
                .iter()
                .map(|a| p.oid == a.oid() && value_matches(&p.value, a))
                .collect()
        })
        .collect();
    let mut owner: Vec<Option<usize>> = alloc::vec![None; attrs.len()];
    (0..pats.len()).all(|i| {
        let mut seen = alloc::vec![false; attrs.len()];
        augment(i, &adj, &mut owner, &mut seen)
    })
}

fn augment(i: usize, adj: &[Vec<bool>], owner: &mut [Option<usize>], seen: &mut [bool]) -> bool {
    let Some(row) = adj.get(i) else {
        return false;
    };
    for (j, &edge) in row.iter().enumerate() {
        if !edge || seen.get(j).copied().unwrap_or(true) {
            continue;
        }
        if let Some(s) = seen.get_mut(j) {
            *s = true;
        }
        let current = owner.get(j).copied().flatten();
        if current.is_none_or(|k| augment(k, adj, owner, seen)) {
            if let Some(o) = owner.get_mut(j) {
                *o = Some(i);
            }
            return true;
        }
    }
    false
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    fn attribute(&mut self) -> Result<AttributePattern, DnParseError> {
        self.skip_spaces();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        {
            self.pos += 1;
        }
        let name = self
            .s
            .get(start..self.pos)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or_default();
        if name.is_empty() {
            return Err(DnParseError::ExpectedType { position: start });
        }
        let oid = attribute_oid(name).ok_or_else(|| DnParseError::UnknownType {
            name: String::from(name),
            position: start,
        })?;
        self.skip_spaces();
        if self.peek() != Some(b'=') {
            return Err(DnParseError::ExpectedEquals { position: self.pos });
        }
        self.pos += 1;
        self.skip_spaces();
        let value = if self.peek() == Some(b'#') {
            self.hex_value()?
        } else {
            self.string_value()?
        };
        Ok(AttributePattern { oid, value })
    }

    fn hex_value(&mut self) -> Result<ValuePattern, DnParseError> {
        let start = self.pos;
        self.pos += 1;
        let mut bytes = Vec::new();
        loop {
            match self.peek() {
                None | Some(b',' | b'+') => break,
                Some(b' ') => {
                    // Trailing spaces only.
                    self.skip_spaces();
                    if !matches!(self.peek(), None | Some(b',' | b'+')) {
                        return Err(DnParseError::BadHex { position: self.pos });
                    }
                    break;
                }
                Some(hi) => {
                    let lo = self.s.get(self.pos + 1).copied();
                    match (hex_digit(hi), lo.and_then(hex_digit)) {
                        (Some(h), Some(l)) => bytes.push(h << 4 | l),
                        (None, _) => return Err(DnParseError::BadHex { position: self.pos }),
                        (Some(_), None) => {
                            return Err(DnParseError::BadHex {
                                position: self.pos + 1,
                            });
                        }
                    }
                    self.pos += 2;
                }
            }
        }
        if bytes.is_empty() {
            return Err(DnParseError::BadHex {
                position: start + 1,
            });
        }
        <der::AnyRef<'_> as der::Decode>::from_der(&bytes).map_err(|error| {
            DnParseError::BadDer {
                position: start,
                error,
            }
        })?;
        Ok(ValuePattern::Der(bytes))
    }

    fn string_value(&mut self) -> Result<ValuePattern, DnParseError> {
        let start = self.pos;
        let mut bytes = Vec::new();
        // Length of `bytes` up to the last byte that is not an unescaped space.
        let mut keep = 0;
        while let Some(b) = self.peek() {
            match b {
                b',' | b'+' => break,
                b'\\' => {
                    let at = self.pos;
                    let next = self.s.get(at + 1).copied();
                    match next {
                        Some(
                            c @ (b'\\' | b'"' | b'+' | b',' | b';' | b'<' | b'>' | b'#' | b'='
                            | b' '),
                        ) => {
                            bytes.push(c);
                            self.pos += 2;
                        }
                        Some(hi) => {
                            let lo = self.s.get(at + 2).copied();
                            match (hex_digit(hi), lo.and_then(hex_digit)) {
                                (Some(h), Some(l)) => {
                                    let v = h << 4 | l;
                                    if v == 0 {
                                        return Err(DnParseError::Nul { position: at });
                                    }
                                    bytes.push(v);
                                    self.pos += 3;
                                }
                                _ => return Err(DnParseError::BadEscape { position: at }),
                            }
                        }
                        None => return Err(DnParseError::BadEscape { position: at }),
                    }
                    keep = bytes.len();
                }
                b'"' | b';' | b'<' | b'>' => {
                    return Err(DnParseError::Unescaped {
                        character: char::from(b),
                        position: self.pos,
                    });
                }
                0 => return Err(DnParseError::Nul { position: self.pos }),
                _ => {
                    bytes.push(b);
                    self.pos += 1;
                    if b != b' ' {
                        keep = bytes.len();
                    }
                }
            }
        }
        bytes.truncate(keep);
        let text =
            String::from_utf8(bytes).map_err(|_| DnParseError::InvalidUtf8 { position: start })?;
        let prepared = prepare(&text);
        Ok(ValuePattern::Text { text, prepared })
    }
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for RegisteredDn {
    /// RFC 4514, most specific RDN first, type names as the certificate view writes them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rdn) in self.rdns.iter().rev().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            for (j, a) in rdn.iter().enumerate() {
                if j > 0 {
                    f.write_char('+')?;
                }
                match attribute_name(&a.oid) {
                    Some(n) => f.write_str(n)?,
                    None => write!(f, "{}", a.oid)?,
                }
                f.write_char('=')?;
                match &a.value {
                    ValuePattern::Text { text, .. } => escape_value(f, text)?,
                    ValuePattern::Der(der) => {
                        f.write_char('#')?;
                        for b in der {
                            write!(f, "{b:02x}")?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec;

    use super::*;

    const CN: &str = "2.5.4.3";
    const O: &str = "2.5.4.10";
    const OU: &str = "2.5.4.11";
    const C: &str = "2.5.4.6";
    const UTF8: u8 = 0x0c;
    const PRINTABLE: u8 = 0x13;
    const T61: u8 = 0x14;
    const BMP: u8 = 0x1e;

    fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
        assert!(body.len() < 128);
        let mut v = vec![tag, u8::try_from(body.len()).unwrap()];
        v.extend_from_slice(body);
        v
    }

    /// A DER Name from RDNs in DER order, each a list of (oid, tag, value bytes).
    fn name(rdns: &[&[(&str, u8, &[u8])]]) -> DistinguishedName {
        let mut seq = Vec::new();
        for rdn in rdns {
            let mut set = Vec::new();
            for (oid, tag, value) in *rdn {
                let oid = ObjectIdentifier::new(oid).unwrap();
                let mut atv = tlv(0x06, oid.as_bytes());
                atv.extend(tlv(*tag, value));
                set.extend(tlv(0x30, &atv));
            }
            seq.extend(tlv(0x31, &set));
        }
        DistinguishedName::from_der(&tlv(0x30, &seq)).unwrap()
    }

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    #[test]
    fn matches_case_and_whitespace_variants() {
        // Intent: caseIgnoreMatch folds case, trims, and collapses internal white space runs.
        let cert = name(&[&[(O, UTF8, b"Acme  Corp ")], &[(CN, UTF8, b"Client One")]]);
        for reg in [
            "CN=Client One,O=Acme Corp",
            "cn=client one,o=ACME CORP",
            "CN=  client   ONE , O=acme\\20corp",
            "Cn=Client One,oU=x"
                .replace(",oU=x", ",O=Acme Corp")
                .as_str(),
        ] {
            assert!(RegisteredDn::parse(reg).unwrap().matches(&cert), "{reg}");
        }
        for reg in ["CN=Client On,O=Acme Corp", "CN=ClientOne,O=Acme Corp"] {
            assert!(!RegisteredDn::parse(reg).unwrap().matches(&cert), "{reg}");
        }
    }

    #[test]
    fn rdn_order_is_significant_and_count_must_match() {
        // Intent: RDN sequence order matters and an extra or missing RDN never matches.
        let cert = name(&[&[(O, UTF8, b"Acme")], &[(CN, UTF8, b"a")]]);
        assert!(RegisteredDn::parse("CN=a,O=Acme").unwrap().matches(&cert));
        assert!(!RegisteredDn::parse("O=Acme,CN=a").unwrap().matches(&cert));
        assert!(!RegisteredDn::parse("CN=a").unwrap().matches(&cert));
        assert!(
            !RegisteredDn::parse("CN=a,O=Acme,C=US")
                .unwrap()
                .matches(&cert)
        );
    }

    #[test]
    fn multi_valued_rdn_order_is_not_significant() {
        // Intent: the attributes of a multi-valued RDN compare as a set, each used once.
        let cert = name(&[
            &[(CN, UTF8, b"a"), (OU, UTF8, b"ops")],
            &[(C, PRINTABLE, b"US")],
        ]);
        assert_eq!(cert.rdns().len(), 2);
        assert!(
            RegisteredDn::parse("C=US,CN=a+OU=ops")
                .unwrap()
                .matches(&cert)
        );
        assert!(
            RegisteredDn::parse("C=US,OU=ops+CN=a")
                .unwrap()
                .matches(&cert)
        );
        assert!(!RegisteredDn::parse("C=US,CN=a").unwrap().matches(&cert));
        assert!(
            !RegisteredDn::parse("C=US,CN=a+OU=ops+OU=ops")
                .unwrap()
                .matches(&cert)
        );
        // "CN=a,OU=ops" as separate RDNs is a different name.
        assert!(
            !RegisteredDn::parse("C=US,CN=a,OU=ops")
                .unwrap()
                .matches(&cert)
        );
        // Duplicate types inside one RDN: a perfect matching is needed, not a greedy one.
        let dup = name(&[&[(OU, UTF8, b"x"), (OU, UTF8, b"X y")]]);
        assert!(RegisteredDn::parse("OU=x y+OU=X").unwrap().matches(&dup));
        assert!(!RegisteredDn::parse("OU=x+OU=X").unwrap().matches(&dup));
        let mixed = name(&[&[(OU, UTF8, b"foo"), (OU, UTF8, b"FOO")]]);
        // Text "foo" could take either attribute; #hex only the first. Kuhn's algorithm finds it.
        assert!(
            RegisteredDn::parse("OU=foo+OU=#0c03666f6f")
                .unwrap()
                .matches(&mixed)
        );
    }

    #[test]
    fn escaped_specials_and_plus_in_values() {
        // Intent: escaped ',' '+' '\\' '"' are value characters, not separators.
        let cert = name(&[&[(CN, UTF8, br#"Smith, J. + "Co" \ x"#)]]);
        let reg = RegisteredDn::parse(r#"CN=Smith\, J. \+ \"Co\" \\ x"#).unwrap();
        assert!(reg.matches(&cert));
        assert_eq!(reg.to_string(), r#"CN=Smith\, J. \+ \"Co\" \\ x"#);
        // Unescaped, the same text is two RDNs / a multi-valued RDN: no match.
        let plain = RegisteredDn::parse("CN=Smith, J. ").unwrap_err();
        assert_eq!(
            plain,
            DnParseError::UnknownType {
                name: "J.".to_string(),
                position: 10
            }
        );
        let literal = name(&[&[(CN, UTF8, b"a+O=b")]]);
        assert!(RegisteredDn::parse("CN=a\\+O=b").unwrap().matches(&literal));
        let multi = RegisteredDn::parse("CN=a+O=b").unwrap();
        assert_eq!(multi.len(), 1);
        assert!(!multi.matches(&literal));
        assert!(multi.matches(&name(&[&[(CN, UTF8, b"a"), (O, UTF8, b"b")]])));
    }

    #[test]
    fn hex_escapes_form_utf8_and_unicode_folds() {
        // Intent: \XX pairs join into UTF-8; Unicode case folds with to_lowercase.
        let cert = name(&[&[(CN, UTF8, "Ünïcødé Straße".as_bytes())]]);
        assert!(
            RegisteredDn::parse("CN=\\C3\\9Cn\\C3\\AFc\\C3\\B8d\\C3\\A9 Straße")
                .unwrap()
                .matches(&cert)
        );
        assert!(
            RegisteredDn::parse("CN=ünïcødé STRAßE")
                .unwrap()
                .matches(&cert)
        );
        assert!(
            !RegisteredDn::parse("CN=Unicode Strasse")
                .unwrap()
                .matches(&cert)
        );
        assert_eq!(
            RegisteredDn::parse("CN=\\C3").unwrap_err(),
            DnParseError::InvalidUtf8 { position: 3 }
        );
    }

    #[test]
    fn string_types_compare_by_text_except_teletex() {
        // Intent: PrintableString, UTF8String and BMPString with equal text match; T61 does not.
        let reg = RegisteredDn::parse("CN=acme").unwrap();
        assert!(reg.matches(&name(&[&[(CN, PRINTABLE, b"ACME")]])));
        assert!(reg.matches(&name(&[&[(CN, UTF8, b"Acme")]])));
        assert!(reg.matches(&name(&[&[(CN, BMP, &utf16("ACME"))]])));
        assert!(!reg.matches(&name(&[&[(CN, T61, b"acme")]])));
        // A T61 attribute is registered by its DER.
        assert!(
            RegisteredDn::parse("CN=#140461636d65")
                .unwrap()
                .matches(&name(&[&[(CN, T61, b"acme")]]))
        );
    }

    #[test]
    fn hex_values_compare_as_der_bytes() {
        // Intent: a #hex value matches only the identical DER value, never by text.
        let utf8 = name(&[&[(CN, UTF8, b"acme")]]);
        let printable = name(&[&[(CN, PRINTABLE, b"acme")]]);
        let reg = RegisteredDn::parse("CN=#0c0461636d65").unwrap();
        assert!(reg.matches(&utf8));
        assert!(!reg.matches(&printable));
        assert!(
            !RegisteredDn::parse("CN=#0c0441434d45")
                .unwrap()
                .matches(&utf8)
        );
        assert_eq!(reg.to_string(), "CN=#0c0461636d65");
    }

    #[test]
    fn nul_in_subject_never_matches() {
        // Intent: an embedded NUL (classic CN=good\0.evil trick) defeats every registration.
        let cert = name(&[&[(CN, UTF8, b"client\0.evil")]]);
        assert!(!RegisteredDn::parse("CN=client").unwrap().matches(&cert));
        assert!(!RegisteredDn::from_name(&cert).matches(&cert));
        let other = name(&[&[(O, UTF8, b"x\0")], &[(CN, UTF8, b"client")]]);
        assert!(
            !RegisteredDn::parse("CN=client,O=x")
                .unwrap()
                .matches(&other)
        );
        assert_eq!(
            RegisteredDn::parse("CN=client\\00.evil").unwrap_err(),
            DnParseError::Nul { position: 9 }
        );
    }

    #[test]
    fn unknown_types_and_unescaped_specials_are_positioned_errors() {
        // Intent: load errors carry the byte offset and say what to do.
        let e = RegisteredDn::parse("CN=a,XX=b").unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown attribute type \"XX\" at byte 5: use a name such as CN, O, OU, C, L, ST, DC, UID, serialNumber, emailAddress, or a dotted OID"
        );
        assert_eq!(
            RegisteredDn::parse("CN=a;b").unwrap_err().to_string(),
            "unescaped ';' at byte 4: write it as \\;"
        );
        assert_eq!(
            RegisteredDn::parse("CN=a\\q").unwrap_err(),
            DnParseError::BadEscape { position: 4 }
        );
        assert_eq!(
            RegisteredDn::parse("CN=a,").unwrap_err(),
            DnParseError::ExpectedType { position: 5 }
        );
        assert_eq!(RegisteredDn::parse("  ").unwrap_err(), DnParseError::Empty);
        assert_eq!(
            RegisteredDn::parse("CN=#0c05").unwrap_err().to_string(),
            "bad '#' value at byte 3: not one DER value (ASN.1 DER message is incomplete: expected 7, actual 2 at byte 2)"
        );
        assert_eq!(
            RegisteredDn::parse("CN=#0g").unwrap_err(),
            DnParseError::BadHex { position: 5 }
        );
    }

    #[test]
    fn type_names_are_case_insensitive_and_oids_accepted() {
        // Intent: cn= CN= 2.5.4.3= OID.2.5.4.3= all name the common name.
        let cert = name(&[&[(CN, UTF8, b"x")]]);
        for reg in [
            "cn=x",
            "CN=x",
            "2.5.4.3=x",
            "OID.2.5.4.3=x",
            "oid.2.5.4.3=X",
        ] {
            let dn = RegisteredDn::parse(reg).unwrap();
            assert!(dn.matches(&cert), "{reg}");
            assert_eq!(
                dn.to_string(),
                if reg.ends_with('X') { "CN=X" } else { "CN=x" }
            );
        }
    }

    #[test]
    fn trailing_and_leading_spaces() {
        // Intent: unescaped spaces around values are dropped; escaped ones are kept in Display.
        let dn = RegisteredDn::parse(" CN = a b  , O=\\ c\\ ").unwrap();
        assert_eq!(dn.to_string(), "CN=a b,O=\\ c\\ ");
        assert!(dn.matches(&name(&[&[(O, UTF8, b"c")], &[(CN, UTF8, b"a  b")]])));
    }
}
