//! Traffic files: the requests the differential harness sends, one JSON object per line.
//!
//! ```text
//! {"method":"GET","uri":"/x?a=1","headers":{"Host":"a","X-Y":"1"},"body":"..."}
//! {"uri":"/y","headers":{"Cookie":["a=1","b=2"]}}
//! ```
//!
//! - `uri` is required (path plus optional `?query`, sent as is); `method` defaults to `GET`,
//!   `body` (a UTF-8 string) to `""`, `headers` to none; `"http10": true` sends the request
//!   as HTTP/1.0.
//! - `headers` maps a name to a string or to an array of strings (the header repeated, in
//!   order). The order of the names in the object is kept, whatever serde_json's map
//!   features are.
//! - Blank lines and lines starting with `#` or `//` are skipped.
//! - Unknown fields are an error, so that a typo does not silently send a different request.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

use crate::ngx::Request;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    method: Option<String>,
    uri: String,
    #[serde(default)]
    headers: Headers,
    #[serde(default)]
    body: Option<String>,
    /// Sent as HTTP/1.0 (else HTTP/1.1).
    #[serde(default)]
    http10: bool,
}

#[derive(Default)]
struct Headers(Vec<(String, String)>);

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl<'de> Deserialize<'de> for Headers {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Headers;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object mapping header names to a string or an array of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Headers, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, OneOrMany>()? {
                    match v {
                        OneOrMany::One(v) => out.push((k, v)),
                        OneOrMany::Many(vs) => out.extend(vs.into_iter().map(|v| (k.clone(), v))),
                    }
                }
                Ok(Headers(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Parse a traffic file. Errors name the 1-based line number.
pub fn parse_traffic(text: &str) -> Result<Vec<Request>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with("//") {
            continue;
        }
        let l: Line = serde_json::from_str(t).map_err(|e| format!("line {n}: {e}"))?;
        let method = l.method.unwrap_or_else(|| "GET".to_string());
        if method.is_empty()
            || !method
                .bytes()
                .all(|c| c.is_ascii_alphabetic() || c == b'-' || c == b'_')
        {
            return Err(format!("line {n}: bad method {method:?}"));
        }
        if l.uri.is_empty() || l.uri.bytes().any(|c| c <= b' ' || c == 0x7f) {
            return Err(format!(
                "line {n}: bad uri {:?} (it must be non-empty, without spaces or control characters)",
                l.uri
            ));
        }
        for (k, v) in &l.headers.0 {
            if k.is_empty() || k.bytes().any(|c| c <= b' ' || c == b':' || c >= 0x7f) {
                return Err(format!("line {n}: bad header name {k:?}"));
            }
            if v.bytes().any(|c| c == b'\r' || c == b'\n' || c == 0) {
                return Err(format!("line {n}: bad value for header {k:?}"));
            }
        }
        out.push(Request {
            method,
            uri: l.uri.into_bytes(),
            headers: l
                .headers
                .0
                .into_iter()
                .map(|(k, v)| (k, v.into_bytes()))
                .collect(),
            body: l.body.unwrap_or_default().into_bytes(),
            http10: l.http10,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_defaults_and_arrays() {
        let text = r#"
{"method":"POST","uri":"/x?a=1","headers":{"Zeta":"z","Host":"a","X-Y":["1","2"]},"body":"hi"}
# a comment
{"uri":"/y"}
"#;
        let r = parse_traffic(text).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].method, "POST");
        assert_eq!(r[0].uri, b"/x?a=1");
        assert_eq!(
            r[0].headers,
            vec![
                ("Zeta".to_string(), b"z".to_vec()),
                ("Host".to_string(), b"a".to_vec()),
                ("X-Y".to_string(), b"1".to_vec()),
                ("X-Y".to_string(), b"2".to_vec()),
            ]
        );
        assert_eq!(r[0].body, b"hi");
        assert_eq!(r[1].method, "GET");
        assert!(r[1].headers.is_empty());
        assert!(r[1].body.is_empty());
    }

    #[test]
    fn errors_name_the_line() {
        let text = "{\"uri\":\"/ok\"}\n\n{\"uri\":\"/x\",\"headers\":{\"A\":1}}\n";
        let e = parse_traffic(text).unwrap_err();
        assert!(e.starts_with("line 3: "), "{e}");
        let e = parse_traffic("{\"method\":\"GET\"}").unwrap_err();
        assert!(e.starts_with("line 1: ") && e.contains("uri"), "{e}");
        let e = parse_traffic("{\"uri\":\"/\",\"hedaers\":{}}").unwrap_err();
        assert!(e.starts_with("line 1: ") && e.contains("hedaers"), "{e}");
        let e = parse_traffic("{\"uri\":\"/a b\"}").unwrap_err();
        assert!(e.starts_with("line 1: bad uri"), "{e}");
    }
}
