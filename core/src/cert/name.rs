//! Distinguished names: the structured form and its RFC 4514 rendering.
//!
//! # Rendering (exactly what `Display` produces)
//! - RDNs are written in *reverse* order of the DER `RDNSequence` (most specific first, as RFC
//!   4514 §2.1 says), separated by `,` with no spaces.
//! - A multi-valued RDN writes its attributes joined by `+`, in DER (`SET OF`) order.
//! - Attribute types with a name in [`ATTRIBUTE_NAMES`] use that name (`CN`, `O`, `OU`, `C`, `L`,
//!   `ST`, `STREET`, `DC`, `UID` from RFC 4514 §3, then RFC 4519 / PKCS #9 names such as
//!   `serialNumber` and `emailAddress`); any other type is written as its dotted OID and its value
//!   as `#` followed by the lowercase hex of the value's DER (RFC 4514 §2.4).
//! - Values of string types (UTF8String, PrintableString, IA5String, VisibleString,
//!   TeletexString read as Latin-1, BMPString) are written as text; a value of
//!   any other type, or a string that does not decode, is written as `#hex` of its DER.
//! - Escaping: `"` `+` `,` `;` `<` `>` `\` get a backslash; so do a leading `#` or space and a
//!   trailing space; NUL and other control characters (U+0000–U+001F, U+007F) are written
//!   `\XX` in hex. Non-ASCII characters are written as UTF-8, unescaped.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};

use const_oid::ObjectIdentifier;
use der::{Encode, Tag};

/// Attribute type names certbound renders and accepts (case-insensitively), with their OIDs.
pub const ATTRIBUTE_NAMES: &[(&str, ObjectIdentifier)] = &[
    ("CN", ObjectIdentifier::new_unwrap("2.5.4.3")),
    ("L", ObjectIdentifier::new_unwrap("2.5.4.7")),
    ("ST", ObjectIdentifier::new_unwrap("2.5.4.8")),
    ("O", ObjectIdentifier::new_unwrap("2.5.4.10")),
    ("OU", ObjectIdentifier::new_unwrap("2.5.4.11")),
    ("C", ObjectIdentifier::new_unwrap("2.5.4.6")),
    ("STREET", ObjectIdentifier::new_unwrap("2.5.4.9")),
    (
        "DC",
        ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.25"),
    ),
    (
        "UID",
        ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1"),
    ),
    ("serialNumber", ObjectIdentifier::new_unwrap("2.5.4.5")),
    ("SN", ObjectIdentifier::new_unwrap("2.5.4.4")),
    ("givenName", ObjectIdentifier::new_unwrap("2.5.4.42")),
    ("title", ObjectIdentifier::new_unwrap("2.5.4.12")),
    ("initials", ObjectIdentifier::new_unwrap("2.5.4.43")),
    (
        "generationQualifier",
        ObjectIdentifier::new_unwrap("2.5.4.44"),
    ),
    ("dnQualifier", ObjectIdentifier::new_unwrap("2.5.4.46")),
    ("pseudonym", ObjectIdentifier::new_unwrap("2.5.4.65")),
    ("postalCode", ObjectIdentifier::new_unwrap("2.5.4.17")),
    (
        "organizationIdentifier",
        ObjectIdentifier::new_unwrap("2.5.4.97"),
    ),
    (
        "emailAddress",
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1"),
    ),
];

/// The name certbound uses for an attribute type, if it has one.
pub fn attribute_name(oid: &ObjectIdentifier) -> Option<&'static str> {
    ATTRIBUTE_NAMES
        .iter()
        .find(|(_, o)| o == oid)
        .map(|(n, _)| *n)
}

/// The OID for an attribute type name, compared case-insensitively (`cn` = `CN`), or a dotted
/// OID given as text.
pub fn attribute_oid(name: &str) -> Option<ObjectIdentifier> {
    ATTRIBUTE_NAMES
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, o)| *o)
        .or_else(|| {
            let dotted = name
                .strip_prefix("oid.")
                .or_else(|| name.strip_prefix("OID."))
                .unwrap_or(name);
            if dotted.starts_with(|c: char| c.is_ascii_digit()) {
                dotted_oid(dotted)
            } else {
                None
            }
        })
}

/// Largest OID arc accepted in text, exclusive: 2^28, the most four base-128 bytes hold.
const MAX_OID_ARC: u32 = 1 << 28;

/// Parses a dotted OID, exactly or not at all.
///
/// const-oid 0.9's text parser is not exact: it accumulates each arc in an unchecked u32
/// (`2.5.4.4294967299` wraps to CN, or panics with overflow checks), and its encoder mangles
/// some arcs (`1.2.128`, `1.2.16384`, large ones) into other OIDs or into bytes its own decoder
/// refuses, which then panic when displayed. So the encoding is decoded here and must give back
/// exactly the arcs written, each below [`MAX_OID_ARC`] (which const-oid always decodes).
fn dotted_oid(dotted: &str) -> Option<ObjectIdentifier> {
    let arcs = || {
        dotted
            .split('.')
            .map(|arc| arc.parse::<u32>().ok().filter(|&a| a < MAX_OID_ARC))
    };
    // Checked before const-oid sees the text: its parser overflows on longer arcs.
    if arcs().any(|a| a.is_none()) {
        return None;
    }
    let oid = ObjectIdentifier::new(dotted).ok()?;
    let mut written = arcs();
    let (first, second) = (written.next()??, written.next()??);
    let mut bytes = oid.as_bytes().iter();
    // `new` succeeded, so first <= 2 and second <= 39: one byte, first * 40 + second.
    if u32::from(*bytes.next()?) != first.checked_mul(40)?.checked_add(second)? {
        return None;
    }
    for arc in written {
        let mut value: u32 = 0;
        loop {
            let byte = *bytes.next()?;
            value = value.checked_mul(128)? | u32::from(byte & 0x7f);
            if byte & 0x80 == 0 {
                break;
            }
        }
        if Some(value) != arc {
            return None;
        }
    }
    bytes.next().is_none().then_some(oid)
}

/// A distinguished name, structured: RDNs in DER order (least specific — e.g. `C` — first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistinguishedName {
    rdns: Vec<RelativeDistinguishedName>,
}

/// One RDN: one or more attributes (more than one is a multi-valued RDN, written with `+`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelativeDistinguishedName {
    attributes: Vec<Attribute>,
}

/// One attribute type and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    oid: ObjectIdentifier,
    tag: Tag,
    text: Option<String>,
    der: Vec<u8>,
}

impl DistinguishedName {
    pub(crate) fn from_x509(name: &x509_cert::name::Name) -> Self {
        let rdns = name
            .0
            .iter()
            .map(|rdn| RelativeDistinguishedName {
                attributes: rdn.0.iter().map(Attribute::from_x509).collect(),
            })
            .collect();
        Self { rdns }
    }

    /// Parses a DER `Name` (an `RDNSequence`), as found in a certificate or a name-matching
    /// test vector.
    ///
    /// # Errors
    /// The DER decoder's error, with the byte offset, when the bytes are not one complete Name,
    /// or a value error for an empty RDN (RFC 5280: `SET SIZE (1..MAX)`).
    pub fn from_der(der: &[u8]) -> Result<Self, der::Error> {
        use der::Decode as _;
        let name = x509_cert::name::Name::from_der(der)?;
        if name.0.iter().any(|rdn| rdn.0.is_empty()) {
            return Err(der::Error::new(
                der::ErrorKind::Value { tag: Tag::Set },
                der::Length::ZERO,
            ));
        }
        Ok(Self::from_x509(&name))
    }

    /// The RDNs in DER order (the reverse of the rendered order).
    pub fn rdns(&self) -> &[RelativeDistinguishedName] {
        &self.rdns
    }

    /// Every attribute of every RDN, in DER order.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.rdns.iter().flat_map(|r| r.attributes.iter())
    }

    /// The text of the first attribute of type `oid` (for example the common name).
    pub fn first_text(&self, oid: &ObjectIdentifier) -> Option<&str> {
        self.attributes()
            .find(|a| &a.oid == oid)
            .and_then(Attribute::text)
    }

    /// The common name, if the name has one as text.
    pub fn common_name(&self) -> Option<&str> {
        self.first_text(&ObjectIdentifier::new_unwrap("2.5.4.3"))
    }

    /// Is the name empty (no RDNs)?
    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }
}

impl RelativeDistinguishedName {
    /// The attributes, in DER order.
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }
}

impl Attribute {
    fn from_x509(atv: &x509_cert::attr::AttributeTypeAndValue) -> Self {
        let tag = der::Tagged::tag(&atv.value);
        let text = decode_string(tag, atv.value.value());
        let der = atv.value.to_der().unwrap_or_default();
        Self {
            oid: atv.oid,
            tag,
            text,
            der,
        }
    }

    /// The attribute type.
    pub fn oid(&self) -> ObjectIdentifier {
        self.oid
    }

    /// The attribute type's name (`CN`, …), if it has one.
    pub fn name(&self) -> Option<&'static str> {
        attribute_name(&self.oid)
    }

    /// The value's ASN.1 tag (UTF8String, PrintableString, …).
    pub fn tag(&self) -> Tag {
        self.tag
    }

    /// The value as text, when it is a string type that decodes.
    pub fn text(&self) -> Option<&str> {
        self.text.as_deref()
    }

    /// The value's complete DER (tag, length, contents).
    pub fn value_der(&self) -> &[u8] {
        &self.der
    }
}

/// Decodes an X.520 string value to text; `None` for non-string types or invalid contents.
fn decode_string(tag: Tag, bytes: &[u8]) -> Option<String> {
    match tag {
        Tag::Utf8String => core::str::from_utf8(bytes).ok().map(String::from),
        Tag::PrintableString => bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b))
            .then(|| bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::Ia5String | Tag::VisibleString => bytes
            .is_ascii()
            .then(|| bytes.iter().map(|&b| char::from(b)).collect()),
        // T.61 is in practice Latin-1, as OpenSSL and Go read it.
        Tag::TeletexString => Some(bytes.iter().map(|&b| char::from(b)).collect()),
        Tag::BmpString => {
            if bytes.len() % 2 != 0 {
                return None;
            }
            char::decode_utf16(
                bytes
                    .chunks_exact(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]])),
            )
            .collect::<Result<String, _>>()
            .ok()
        }
        _ => None,
    }
}

impl fmt::Display for DistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, rdn) in self.rdns.iter().rev().enumerate() {
            if i > 0 {
                f.write_char(',')?;
            }
            write!(f, "{rdn}")?;
        }
        Ok(())
    }
}

impl fmt::Display for RelativeDistinguishedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.attributes.iter().enumerate() {
            if i > 0 {
                f.write_char('+')?;
            }
            write!(f, "{a}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Attribute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.name(), &self.text) {
            (Some(name), Some(text)) => {
                write!(f, "{name}=")?;
                escape_value(f, text)
            }
            (name, _) => {
                match name {
                    Some(n) => f.write_str(n)?,
                    None => write!(f, "{}", self.oid)?,
                }
                f.write_str("=#")?;
                for b in &self.der {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }
    }
}

/// Writes an attribute value with RFC 4514 §2.4 escaping.
pub(crate) fn escape_value(f: &mut impl Write, text: &str) -> fmt::Result {
    let last = text.chars().count().saturating_sub(1);
    for (i, c) in text.chars().enumerate() {
        match c {
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                f.write_char('\\')?;
                f.write_char(c)?;
            }
            '#' if i == 0 => f.write_str("\\#")?,
            ' ' if i == 0 || i == last => f.write_str("\\ ")?,
            '\u{0}'..='\u{1f}' | '\u{7f}' => write!(f, "\\{:02X}", u32::from(c))?,
            _ => f.write_char(c)?,
        }
    }
    Ok(())
}
