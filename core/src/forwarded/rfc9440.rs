//! RFC 9440 `Client-Cert` / `Client-Cert-Chain`: RFC 8941 structured fields.
//!
//! ```text
//! Client-Cert       = sf-binary (an Item: byte sequence + parameters)      RFC 9440 §2.2
//! Client-Cert-Chain = sf-list of byte-sequence Items                       RFC 9440 §2.3
//! sf-binary         = ":" *(base64) ":"                                    RFC 8941 §3.3.5
//! parameters        = *( ";" *SP key [ "=" bare-item ] )                   RFC 8941 §3.1.2
//! ```
//! Parameters are parsed (so their syntax is checked) and ignored, as RFC 8941 requires for
//! unknown ones. `Client-Cert` is a singleton; `Client-Cert-Chain` field lines are combined with
//! `, ` (RFC 9110 §5.3).
//!
//! RFC 8941 §4.2 tells generic parsers to treat a field that fails to parse as absent. Here a
//! malformed value is an error instead, so an operator sees why a client that did present a
//! certificate is not authenticated; either way no certificate is accepted.

use alloc::borrow::ToOwned;
use alloc::vec::Vec;

use super::{
    ForwardedError, Headers, Limits, RFC9440_CERT, RFC9440_CHAIN, build, combined, encoding, single,
};
use crate::Error;

pub(super) fn decode<H: Headers + ?Sized>(
    headers: &H,
    limits: &Limits,
) -> Result<Option<super::ForwardedCert>, Error> {
    let chain = combined(headers, RFC9440_CHAIN, ", ", limits)?;
    let Some(cert) = single(headers, RFC9440_CERT, limits)? else {
        return Ok(None);
    };
    from_values(cert, chain.as_deref(), limits).map(Some)
}

pub(super) fn from_values(
    cert: &str,
    chain: Option<&str>,
    limits: &Limits,
) -> Result<super::ForwardedCert, Error> {
    let mut p = Parser::new(RFC9440_CERT, cert.trim_matches(super::is_ows).as_bytes());
    let leaf = p.item()?;
    p.end()?;
    let mut ders = Vec::new();
    if let Some(chain) = chain {
        let mut p = Parser::new(RFC9440_CHAIN, chain.trim_matches(super::is_ows).as_bytes());
        while !p.at_end() {
            if ders.len() == limits.max_chain() {
                return Err(ForwardedError::ChainTooLong {
                    header: RFC9440_CHAIN.to_owned(),
                    limit: limits.max_chain(),
                }
                .into());
            }
            ders.push(p.item()?);
            p.skip_ows();
            if p.at_end() {
                break;
            }
            p.expect(b',')?;
            p.skip_ows();
            if p.at_end() {
                // A trailing comma (RFC 8941 §4.2.1: "fail parsing").
                return Err(p.not_byte_sequence());
            }
        }
    }
    build(RFC9440_CERT, leaf, RFC9440_CHAIN, ders)
}

struct Parser<'a> {
    header: &'static str,
    s: &'a [u8],
    pos: usize,
}

impl<'a> Parser<'a> {
    fn new(header: &'static str, s: &'a [u8]) -> Self {
        Self { header, s, pos: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn not_byte_sequence(&self) -> Error {
        ForwardedError::NotByteSequence {
            header: self.header.to_owned(),
            position: self.pos,
        }
        .into()
    }

    fn expect(&mut self, c: u8) -> Result<(), Error> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.not_byte_sequence())
        }
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn end(&self) -> Result<(), Error> {
        if self.at_end() {
            Ok(())
        } else {
            Err(ForwardedError::TrailingData {
                header: self.header.to_owned(),
                position: self.pos,
            }
            .into())
        }
    }

    /// A byte-sequence Item with its (ignored) parameters.
    fn item(&mut self) -> Result<Vec<u8>, Error> {
        let bytes = self.byte_sequence()?;
        self.parameters()?;
        Ok(bytes)
    }

    fn byte_sequence(&mut self) -> Result<Vec<u8>, Error> {
        self.expect(b':')?;
        let start = self.pos;
        let rest = self.s.get(start..).unwrap_or_default();
        let Some(len) = rest.iter().position(|&c| c == b':') else {
            self.pos = self.s.len();
            return Err(self.not_byte_sequence());
        };
        let body = rest.get(..len).unwrap_or_default();
        let der = encoding::base64(self.header, body, start, true)?;
        self.pos = start + len + 1;
        Ok(der)
    }

    fn parameters(&mut self) -> Result<(), Error> {
        while self.peek() == Some(b';') {
            self.pos += 1;
            while self.peek() == Some(b' ') {
                self.pos += 1;
            }
            self.key()?;
            if self.peek() == Some(b'=') {
                self.pos += 1;
                self.bare_item()?;
            }
        }
        Ok(())
    }

    fn key(&mut self) -> Result<(), Error> {
        match self.peek() {
            Some(b'a'..=b'z' | b'*') => self.pos += 1,
            _ => return Err(self.not_byte_sequence()),
        }
        while matches!(
            self.peek(),
            Some(b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' | b'*')
        ) {
            self.pos += 1;
        }
        Ok(())
    }

    /// Any bare item (RFC 8941 §4.2.3.1), checked for syntax and discarded.
    fn bare_item(&mut self) -> Result<(), Error> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'"') => self.string(),
            Some(b':') => self.byte_sequence().map(drop),
            Some(b'?') => {
                self.pos += 1;
                match self.peek() {
                    Some(b'0' | b'1') => {
                        self.pos += 1;
                        Ok(())
                    }
                    _ => Err(self.not_byte_sequence()),
                }
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => {
                self.pos += 1;
                while let Some(c) = self.peek() {
                    if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c) {
                        self.pos += 1;
                    } else {
                        break;
                    }
                }
                Ok(())
            }
            _ => Err(self.not_byte_sequence()),
        }
    }

    fn number(&mut self) -> Result<(), Error> {
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let digits = |p: &mut Self| {
            let start = p.pos;
            while matches!(p.peek(), Some(b'0'..=b'9')) {
                p.pos += 1;
            }
            p.pos - start
        };
        let int = digits(self);
        if int == 0 || int > 15 {
            return Err(self.not_byte_sequence());
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            let frac = digits(self);
            if int > 12 || frac == 0 || frac > 3 {
                return Err(self.not_byte_sequence());
            }
        }
        Ok(())
    }

    fn string(&mut self) -> Result<(), Error> {
        self.pos += 1;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b'"' | b'\\') => self.pos += 1,
                        _ => return Err(self.not_byte_sequence()),
                    }
                }
                Some(0x20..=0x7e) => self.pos += 1,
                _ => return Err(self.not_byte_sequence()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::*;

    // Intent: parameters of every bare-item type are skipped; malformed ones are refused.
    #[test]
    fn parameters_are_parsed_and_ignored() {
        for ok in [
            ":AAE=:",
            ":AAE=:;a",
            ":AAE=:;a=1;b=-2.5;c=\"x\\\"y\";d=tok/en:x;e=?0;f=:AA==:;*g",
        ] {
            let mut p = Parser::new("Client-Cert", ok.as_bytes());
            assert_eq!(p.item().unwrap(), [0, 1], "{ok}");
            p.end().unwrap();
        }
        for (bad, pos) in [
            (":AAE=:;A", 7),
            (":AAE=:;a=", 9),
            (":AAE=:;a=1.2345", 15),
            (":AAE=:;a=\"x", 11),
            (":AAE=:;a=?2", 10),
            ("AAE=", 0),
            (":AAE=", 5),
        ] {
            let mut p = Parser::new("Client-Cert", bad.as_bytes());
            let err = p.item().unwrap_err();
            assert_eq!(
                err,
                Error::Forwarded(ForwardedError::NotByteSequence {
                    header: "Client-Cert".to_string(),
                    position: pos
                }),
                "{bad}"
            );
        }
    }
}
