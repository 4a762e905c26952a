//! Envoy's `x-forwarded-client-cert` (XFCC).
//!
//! ```text
//! XFCC    = element *( OWS "," OWS element )        one element per proxy hop, appended
//! element = pair *( OWS ";" OWS pair )
//! pair    = key "=" ( quoted / unquoted )           keys case-insensitive
//! quoted  = DQUOTE *( any but DQUOTE and "\" / "\" any ) DQUOTE
//! key     = By / Hash / Cert / Chain / Subject / URI / DNS
//! ```
//! `By`, `URI` and `DNS` may repeat (one per SAN); the others appear at most once per element.
//! `Cert` is the client certificate and `Chain` the whole chain *including* the leaf, both
//! URL-encoded PEM; `Hash` is the hex SHA-256 of the leaf's DER.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use super::{
    EnvoyOptions, ForwardedCert, ForwardedError, Limits, XFCC, XfccElement, XfccProblem,
    build_bundle_hashed, error::truncated, pem_bundle, pem_leaf,
};
use crate::Error;
use crate::cert::CertThumbprint;

#[derive(Default)]
struct Element {
    by: Vec<String>,
    hash: Option<String>,
    cert: Option<String>,
    chain: Option<String>,
    subject: bool,
}

pub(super) fn from_value(
    value: &str,
    options: &EnvoyOptions,
    limits: &Limits,
) -> Result<ForwardedCert, Error> {
    let value = value.trim_matches(super::is_ows);
    if value.is_empty() {
        return Err(ForwardedError::EmptyValue {
            header: XFCC.to_owned(),
        }
        .into());
    }
    let elements = parse(value.as_bytes())?;
    let picked = match options.selected_element() {
        XfccElement::First => elements.iter().enumerate().next(),
        XfccElement::Last => elements.iter().enumerate().next_back(),
        XfccElement::By(by) => elements
            .iter()
            .enumerate()
            .rev()
            .find(|(_, e)| e.by.iter().any(|b| b == by)),
    };
    let Some((index, element)) = picked else {
        let by = match options.selected_element() {
            XfccElement::By(by) => truncated(by),
            _ => String::new(),
        };
        return Err(ForwardedError::XfccNoElement { by }.into());
    };
    let number = index + 1;
    let cert = element.cert.as_deref().filter(|c| !c.is_empty());
    let chain = element.chain.as_deref().filter(|c| !c.is_empty());
    let mut ders = match chain {
        Some(chain) => pem_bundle(XFCC, chain, limits)?,
        None => Vec::new(),
    };
    match (cert, ders.first()) {
        (Some(cert), first) => {
            let leaf = pem_leaf(XFCC, cert)?;
            match first {
                Some(first) if *first != leaf => {
                    return Err(ForwardedError::XfccChainMismatch { element: number }.into());
                }
                Some(_) => {}
                None => ders.push(leaf),
            }
        }
        (None, Some(_)) => {}
        (None, None) => return Err(ForwardedError::XfccNoCert { element: number }.into()),
    }
    let leaf_x5t = match (&element.hash, ders.first()) {
        (Some(hash), Some(leaf)) => Some(check_hash(hash, leaf)?),
        _ => None,
    };
    build_bundle_hashed(XFCC, ders, leaf_x5t)
}

/// Compares `Hash` with the leaf's SHA-256 in constant time; the SHA-256 (the leaf's x5t#S256)
/// when they match.
fn check_hash(hash: &str, leaf_der: &[u8]) -> Result<CertThumbprint, Error> {
    let actual = CertThumbprint::of_der(leaf_der);
    let matches = CertThumbprint::from_hex(hash).is_some_and(|claimed| claimed == actual);
    if matches {
        Ok(actual)
    } else {
        Err(ForwardedError::HashMismatch {
            header: XFCC.to_owned(),
            hash: truncated(hash),
            actual: actual.to_hex(),
        }
        .into())
    }
}

fn syntax(position: usize, problem: XfccProblem) -> Error {
    ForwardedError::Xfcc { position, problem }.into()
}

fn parse(s: &[u8]) -> Result<Vec<Element>, Error> {
    let mut elements = Vec::new();
    let mut pos = 0;
    let skip_ows = |pos: &mut usize| {
        while matches!(s.get(*pos), Some(b' ' | b'\t')) {
            *pos += 1;
        }
    };
    let mut element = Element::default();
    loop {
        skip_ows(&mut pos);
        if matches!(s.get(pos), None | Some(b',' | b';')) {
            return Err(syntax(pos, XfccProblem::EmptyElement));
        }
        // key
        let key_start = pos;
        while matches!(s.get(pos), Some(c) if c.is_ascii_alphanumeric()) {
            pos += 1;
        }
        if s.get(pos) != Some(&b'=') {
            return Err(syntax(pos, XfccProblem::MissingEquals));
        }
        let key = core::str::from_utf8(s.get(key_start..pos).unwrap_or_default()).unwrap_or("");
        pos += 1;
        // value
        let value = if s.get(pos) == Some(&b'"') {
            let open = pos;
            pos += 1;
            let mut v = Vec::new();
            loop {
                match s.get(pos) {
                    None => return Err(syntax(open, XfccProblem::UnterminatedQuote)),
                    Some(b'"') => break,
                    Some(b'\\') => match s.get(pos + 1) {
                        Some(&c) => {
                            v.push(c);
                            pos += 2;
                        }
                        None => return Err(syntax(open, XfccProblem::UnterminatedQuote)),
                    },
                    Some(&c) => {
                        v.push(c);
                        pos += 1;
                    }
                }
            }
            pos += 1;
            skip_ows(&mut pos);
            if !matches!(s.get(pos), None | Some(b',' | b';')) {
                return Err(syntax(pos, XfccProblem::ExpectedSeparator));
            }
            v
        } else {
            let start = pos;
            while let Some(&c) = s.get(pos) {
                match c {
                    b',' | b';' => break,
                    b'"' => return Err(syntax(pos, XfccProblem::UnexpectedQuote)),
                    _ => pos += 1,
                }
            }
            let raw = s.get(start..pos).unwrap_or_default();
            let end = raw
                .iter()
                .rposition(|&c| c != b' ' && c != b'\t')
                .map_or(0, |e| e + 1);
            raw.get(..end).unwrap_or_default().to_vec()
        };
        // Header values are visible ASCII (and obs-text); keep the bytes losslessly comparable.
        let value = String::from_utf8(value)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        store(&mut element, key, value, key_start)?;
        match s.get(pos) {
            Some(b';') => pos += 1,
            Some(b',') => {
                elements.push(core::mem::take(&mut element));
                pos += 1;
            }
            _ => {
                elements.push(element);
                return Ok(elements);
            }
        }
    }
}

fn store(element: &mut Element, key: &str, value: String, at: usize) -> Result<(), Error> {
    let once = |slot: &mut Option<String>, name: &'static str| {
        if slot.is_some() {
            return Err(syntax(at, XfccProblem::DuplicateKey(name)));
        }
        *slot = Some(value.clone());
        Ok(())
    };
    if key.eq_ignore_ascii_case("By") {
        element.by.push(value);
    } else if key.eq_ignore_ascii_case("Hash") {
        once(&mut element.hash, "Hash")?;
    } else if key.eq_ignore_ascii_case("Cert") {
        once(&mut element.cert, "Cert")?;
    } else if key.eq_ignore_ascii_case("Chain") {
        once(&mut element.chain, "Chain")?;
    } else if key.eq_ignore_ascii_case("Subject") {
        if element.subject {
            return Err(syntax(at, XfccProblem::DuplicateKey("Subject")));
        }
        element.subject = true;
    } else if !(key.eq_ignore_ascii_case("URI") || key.eq_ignore_ascii_case("DNS")) {
        return Err(syntax(at, XfccProblem::UnknownKey(truncated(key))));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: the grammar handles quotes, escapes, repeated SAN keys, OWS and empty values.
    #[test]
    fn grammar() {
        let v = br#"By=spiffe://a;Hash=00;Subject="CN=x,O=Acme\, \"Inc\";";URI=;DNS=a;DNS=b, by=spiffe://b;cert="%0A";CHAIN=y"#;
        let e = parse(v).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].by, ["spiffe://a"]);
        assert_eq!(e[0].hash.as_deref(), Some("00"));
        assert!(e[0].subject);
        assert_eq!(e[1].by, ["spiffe://b"]);
        assert_eq!(e[1].cert.as_deref(), Some("%0A"));
        assert_eq!(e[1].chain.as_deref(), Some("y"));
    }

    // Intent: each syntax error is reported with its position.
    #[test]
    fn syntax_errors() {
        for (v, pos, problem) in [
            ("", 0, XfccProblem::EmptyElement),
            ("By=a,", 5, XfccProblem::EmptyElement),
            ("By=a,,By=b", 5, XfccProblem::EmptyElement),
            ("By", 2, XfccProblem::MissingEquals),
            ("By=a;Foo=1", 5, XfccProblem::UnknownKey("Foo".into())),
            ("Hash=a;hash=b", 7, XfccProblem::DuplicateKey("Hash")),
            ("Subject=\"a", 8, XfccProblem::UnterminatedQuote),
            ("Subject=\"a\\", 8, XfccProblem::UnterminatedQuote),
            ("Subject=\"a\"b", 11, XfccProblem::ExpectedSeparator),
            ("Subject=a\"b", 9, XfccProblem::UnexpectedQuote),
        ] {
            assert_eq!(parse(v.as_bytes()).err(), Some(syntax(pos, problem)), "{v}");
        }
    }
}
