//! URLs without a URL parser in the module: the runtime's own WHATWG `URL` parses the URL
//! variables at configuration time, and the request's URL, which the runtime has already
//! serialized, is read with string operations.
//!
//! (The `url` crate with its IDNA and Unicode tables was about a tenth of the module.)

#[cfg(target_family = "wasm")]
mod js {
    use wasm_bindgen::JsValue;
    use wasm_bindgen::prelude::wasm_bindgen;

    #[wasm_bindgen]
    extern "C" {
        /// The runtime's WHATWG `URL`.
        #[wasm_bindgen(js_name = URL)]
        pub(super) type JsUrl;

        #[wasm_bindgen(constructor, js_class = "URL", catch)]
        pub(super) fn new(url: &str) -> Result<JsUrl, JsValue>;

        #[wasm_bindgen(method, getter)]
        pub(super) fn href(this: &JsUrl) -> String;

        #[wasm_bindgen(method, getter)]
        pub(super) fn protocol(this: &JsUrl) -> String;

        #[wasm_bindgen(method, getter)]
        pub(super) fn hostname(this: &JsUrl) -> String;
    }
}

/// An absolute URL as the runtime's `URL` parsed and serialized it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// `href`: the serialization.
    pub href: String,
    /// `protocol` without its `:` (`"https"`).
    pub scheme: String,
    /// `hostname` (an IPv6 address in brackets).
    pub host: String,
}

/// Parses `text` with the runtime's WHATWG URL parser.
///
/// # Errors
/// Why the text is not a URL, in the words of the `url` crate the worker used before (see
/// [`why_not_a_url`]).
#[cfg(target_family = "wasm")]
pub fn parse(text: &str) -> Result<ParsedUrl, &'static str> {
    let url = js::JsUrl::new(text).map_err(|_| why_not_a_url(text))?;
    let protocol = url.protocol();
    Ok(ParsedUrl {
        href: url.href(),
        scheme: protocol.strip_suffix(':').unwrap_or(&protocol).to_owned(),
        host: url.hostname(),
    })
}

/// Outside the Workers runtime there is no URL parser: every URL is refused (fail closed).
///
/// # Errors
/// Always.
#[cfg(not(target_family = "wasm"))]
pub fn parse(_text: &str) -> Result<ParsedUrl, &'static str> {
    Err("URLs are parsed by the Workers runtime, which this build does not run in")
}

/// The origin a request is forwarded to (`ORIGIN_URL`): everything of the URL before its path,
/// and its fragment, as the runtime serialized them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginUrl {
    /// `scheme://[userinfo@]host[:port]`.
    base: String,
    /// `#…`, or empty.
    fragment: String,
}

impl OriginUrl {
    /// Splits a serialized URL with a special scheme (`http`, `https`): its path starts at the
    /// first `/` after `://` (a `/` in the user info is percent-encoded, a host has none), its
    /// fragment at the first `#` (percent-encoded in every part before it).
    pub fn from_href(href: &str) -> Option<Self> {
        let authority_start = href.find("://")? + 3;
        let path_start = href[authority_start..]
            .find(['/', '?', '#'])
            .map_or(href.len(), |i| authority_start + i);
        let fragment = href.find('#').map_or("", |i| &href[i..]);
        Some(Self {
            base: href[..path_start].to_owned(),
            fragment: fragment.to_owned(),
        })
    }

    /// This origin with the request's path and query (`None`: no `?`), keeping the origin's
    /// fragment: what `url::Url::set_path` and `set_query` made of it.
    pub fn with_path_and_query(&self, path: &str, query: Option<&str>) -> String {
        let mut target = String::with_capacity(
            self.base.len() + path.len() + query.map_or(0, |q| q.len() + 1) + self.fragment.len(),
        );
        target.push_str(&self.base);
        target.push_str(path);
        if let Some(query) = query {
            target.push('?');
            target.push_str(query);
        }
        target.push_str(&self.fragment);
        target
    }
}

/// The query of a URL the runtime serialized (`None` when it has no `?`): from the first `?`
/// before the fragment. A `#` is percent-encoded in every part before the fragment, a `?` in
/// every part before the query.
pub fn query(href: &str) -> Option<&str> {
    let before_fragment = href.split_once('#').map_or(href, |(before, _)| before);
    before_fragment.split_once('?').map(|(_, query)| query)
}

/// Whether `query` (`application/x-www-form-urlencoded`) has a parameter named `name`, comparing
/// decoded names (`+` is a space, `%XX` a byte) as `url::form_urlencoded::parse` does.
pub fn query_has_key(query: &str, name: &str) -> bool {
    query
        .split('&')
        .map(|pair| pair.split_once('=').map_or(pair, |(key, _)| key))
        .any(|key| form_decoded_eq(key.as_bytes(), name.as_bytes()))
}

/// `encoded`, form-decoded, equals `expected`. Decoding byte by byte suffices: `form_urlencoded`
/// then decodes UTF-8 lossily, and a replacement character never equals the bytes of `expected`
/// where an invalid sequence stood.
fn form_decoded_eq(encoded: &[u8], expected: &[u8]) -> bool {
    let mut rest = encoded;
    let mut want = expected.iter();
    while let Some((&b, tail)) = rest.split_first() {
        let (decoded, tail) = match b {
            b'+' => (b' ', tail),
            b'%' => match tail {
                [hi, lo, after @ ..] => match (hex(*hi), hex(*lo)) {
                    (Some(hi), Some(lo)) => ((hi << 4) | lo, after),
                    _ => (b'%', tail),
                },
                _ => (b'%', tail),
            },
            other => (other, tail),
        };
        if want.next() != Some(&decoded) {
            return false;
        }
        rest = tail;
    }
    want.next().is_none()
}

fn hex(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

/// Why `text`, which the runtime's URL parser refused, is not a URL: the `url` crate's message
/// for the first problem it would have met (host before port), found by reading the text the way
/// a WHATWG parser does for the special schemes; `"invalid URL"` when none of them is found.
pub fn why_not_a_url(text: &str) -> &'static str {
    // Leading and trailing C0 controls and spaces are ignored; tabs and newlines anywhere.
    let cleaned: String = text
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let Some((scheme, rest)) = cleaned.split_once(':') else {
        return "relative URL without a base";
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return "relative URL without a base";
    }
    if !matches!(
        scheme.to_ascii_lowercase().as_str(),
        "http" | "https" | "ws" | "wss" | "ftp"
    ) {
        return "invalid URL";
    }
    let rest = rest.trim_start_matches(['/', '\\']);
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    let host_and_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = if host_and_port.starts_with('[') {
        let Some(end) = host_and_port.find(']') else {
            return "invalid IPv6 address";
        };
        let (host, after) = host_and_port.split_at(end + 1);
        let ipv6_chars = host[1..end]
            .chars()
            .all(|c| c.is_ascii_hexdigit() || matches!(c, ':' | '.'));
        if !ipv6_chars {
            return "invalid IPv6 address";
        }
        match after.strip_prefix(':') {
            Some(port) => (host, port),
            None if after.is_empty() => (host, ""),
            None => return "invalid IPv6 address",
        }
    } else {
        host_and_port.split_once(':').unwrap_or((host_and_port, ""))
    };
    if host.is_empty() {
        return "empty host";
    }
    let forbidden = |c: char| {
        c.is_ascii_control()
            || matches!(
                c,
                ' ' | '#' | '%' | '/' | ':' | '<' | '>' | '?' | '@' | '[' | '\\' | ']' | '^' | '|'
            )
    };
    let decoded = percent_decoded_lossy(host);
    if !host.starts_with('[') && decoded.chars().any(forbidden) {
        return "invalid international domain name";
    }
    let port_ok = port.is_empty()
        || (port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| p <= 65_535));
    if !port_ok {
        return "invalid port number";
    }
    if host.starts_with('[') {
        return "invalid IPv6 address";
    }
    let lower = decoded.to_ascii_lowercase();
    if !lower.is_ascii() || lower.split('.').any(|label| label.starts_with("xn--")) {
        return "invalid international domain name";
    }
    let last_label = lower
        .strip_suffix('.')
        .unwrap_or(&lower)
        .rsplit('.')
        .next()
        .unwrap_or_default();
    let numeric = !last_label.is_empty() && last_label.bytes().all(|b| b.is_ascii_digit())
        || last_label
            .strip_prefix("0x")
            .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    if numeric {
        return "invalid IPv4 address";
    }
    "invalid URL"
}

fn percent_decoded_lossy(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let decoded = match bytes[i..] {
            [b'%', hi, lo, ..] => hex(hi).zip(hex(lo)).map(|(hi, lo)| (hi << 4) | lo),
            _ => None,
        };
        match decoded {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Intent: the query starts at the first `?` and ends at the fragment.
    #[test]
    fn query_of_serialized_urls() {
        assert_eq!(query("https://a.example/x"), None);
        assert_eq!(query("https://a.example/x?"), Some(""));
        assert_eq!(
            query("https://a.example/x?a=1&b=%3F?#f?g"),
            Some("a=1&b=%3F?")
        );
        assert_eq!(query("https://a.example/x#f?g"), None);
        assert_eq!(query("https://a.example?q"), Some("q"));
    }

    // Intent: parameter names are compared form-decoded, values never count.
    #[test]
    fn access_token_keys() {
        let has = |q| query_has_key(q, "access_token");
        for q in [
            "access_token",
            "access_token=",
            "a=1&access_token=x",
            "access%5Ftoken=x",
            "access%5ftoken",
            "%61ccess_token=1",
            "&&access_token=x&&",
            "access_token=a=b",
        ] {
            assert!(has(q), "{q}");
        }
        for q in [
            "",
            "access_tokens=x",
            "x=access_token",
            "access+token=x",
            "access_token%3D=x",
            "access%20token",
            "access_token%00",
            "access_toke",
            "access_token%",
            "access_token%5",
            "my_access_token",
            "access;token",
        ] {
            assert!(!has(q), "{q}");
        }
        assert!(query_has_key("a+b=1", "a b"));
        assert!(query_has_key("a%2Bb=1", "a+b"));
        assert!(query_has_key("100%=1", "100%"));
        assert!(query_has_key("%zz=1", "%zz"));
    }

    // Intent: the origin's path and query are replaced by the request's, its fragment kept.
    #[test]
    fn origin_with_request_path_and_query() {
        let origin = OriginUrl::from_href("https://u:p@origin.example:8443/base/?z=9#top").unwrap();
        assert_eq!(
            origin.with_path_and_query("/a/b", Some("x=1&y=2")),
            "https://u:p@origin.example:8443/a/b?x=1&y=2#top"
        );
        assert_eq!(
            origin.with_path_and_query("/", None),
            "https://u:p@origin.example:8443/#top"
        );
        let plain = OriginUrl::from_href("http://127.0.0.1:8080/").unwrap();
        assert_eq!(
            plain.with_path_and_query("/x", Some("")),
            "http://127.0.0.1:8080/x?"
        );
        assert_eq!(
            OriginUrl::from_href("https://[::1]/")
                .unwrap()
                .with_path_and_query("/p", None),
            "https://[::1]/p"
        );
        assert_eq!(OriginUrl::from_href("origin"), None);
    }

    // Intent: the reason for a refused URL is the one the url crate gave (the workerd tests
    // check the same texts through the runtime's parser).
    #[test]
    fn reasons() {
        for (text, reason) in [
            ("origin", "relative URL without a base"),
            ("/jwks", "relative URL without a base"),
            ("1http://x", "relative URL without a base"),
            ("https://", "empty host"),
            ("https://u@:1/", "empty host"),
            ("https://origin.example:99999/", "invalid port number"),
            ("https://origin.example:8x/", "invalid port number"),
            ("https://[::1]:70000/", "invalid port number"),
            (
                "https://ori gin.example/",
                "invalid international domain name",
            ),
            (
                "https://ori%20gin.example/",
                "invalid international domain name",
            ),
            (
                "https://xn--a.example/",
                "invalid international domain name",
            ),
            ("https://[::1/", "invalid IPv6 address"),
            ("https://[::g]/", "invalid IPv6 address"),
            ("https://[1:2:3:4:5:6:7:8:9]/", "invalid IPv6 address"),
            ("https://10.0.0.256/", "invalid IPv4 address"),
            ("https://1.0x100000000/", "invalid IPv4 address"),
            ("mailto:", "invalid URL"),
        ] {
            assert_eq!(why_not_a_url(text), reason, "{text}");
        }
    }

    // Intent: a native build has no URL parser and refuses every URL.
    #[test]
    fn native_build_refuses_urls() {
        assert!(parse("https://origin.example").is_err());
    }
}
