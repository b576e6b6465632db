//! The differential harness: send the same requests to two engines and compare, request by
//! request, the status, the response headers, the body and the error-log lines.
//!
//! Before comparing, the harness normalises what cannot or need not match between a LuaJIT
//! state and a wasm module ([`normalize`], applied to header values, bodies and log
//! messages):
//!
//! - an address after a type name, as `tostring` prints it (`table: 0x55d4c3a0`,
//!   `function: 0x...`, `userdata: 0x...`, `thread: 0x...`, `cdata<...>: 0x...`), becomes
//!   `0x?`;
//! - `function: builtin#NN` (LuaJIT's fast functions) becomes `function: builtin#?`.
//!
//! Bodies that differ only in the order of JSON object members, line by line, match:
//! `cjson.encode` writes members in `next` order, which differs between LuaJIT's tables
//! and moonshift's, and JSON gives that order no meaning ([`same_json_lines`]).
//!
//! Both values shown in a report are the normalised ones.

use std::fmt;

use crate::ngx::{LogLine, Request, Response};

/// Something that answers requests: the LuaJIT reference, the wasm module, ...
pub trait Engine {
    /// A short name for reports (`luajit`, `wasm`).
    fn name(&self) -> &str;
    fn handle(&mut self, req: &Request) -> Response;
}

/// Which part of a response differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Status,
    Headers,
    Body,
    Log,
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Status => "status",
            Part::Headers => "headers",
            Part::Body => "body",
            Part::Log => "error log",
        })
    }
}

/// One differing part of one response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartDiff {
    pub part: Part,
    /// The reference's value, printable (escaped, possibly truncated).
    pub reference: String,
    /// The candidate's value, printable.
    pub candidate: String,
    /// For bodies: the first differing byte offset; for logs and headers: the first differing
    /// line / header index.
    pub at: Option<usize>,
}

/// The divergences of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// 1-based request number in the traffic.
    pub request: usize,
    pub method: String,
    pub uri: String,
    pub parts: Vec<PartDiff>,
}

/// The result of [`diff`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub reference_name: String,
    pub candidate_name: String,
    pub requests: usize,
    pub divergences: Vec<Divergence>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.divergences.is_empty()
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} requests, {} divergent",
            self.requests,
            self.divergences.len()
        )?;
        let w = self.reference_name.len().max(self.candidate_name.len());
        for d in &self.divergences {
            writeln!(f, "request #{}: {} {}", d.request, d.method, d.uri)?;
            for p in &d.parts {
                match (p.part, p.at) {
                    (Part::Body, Some(at)) => writeln!(f, "  body differs at byte {at}:")?,
                    (Part::Log, Some(at)) => {
                        writeln!(f, "  error log differs at line {}:", at + 1)?
                    }
                    (Part::Headers, Some(at)) => {
                        writeln!(f, "  headers differ at header {}:", at + 1)?
                    }
                    (part, _) => writeln!(f, "  {part} differs:")?,
                }
                writeln!(f, "    {:w$}: {}", self.reference_name, p.reference)?;
                writeln!(f, "    {:w$}: {}", self.candidate_name, p.candidate)?;
            }
        }
        Ok(())
    }
}

/// Run every request through both engines and compare.
pub fn diff(
    requests: &[Request],
    reference: &mut dyn Engine,
    candidate: &mut dyn Engine,
) -> Report {
    let mut divergences = Vec::new();
    for (i, req) in requests.iter().enumerate() {
        let a = reference.handle(req);
        let b = candidate.handle(req);
        let parts = compare(&a, &b);
        if !parts.is_empty() {
            divergences.push(Divergence {
                request: i + 1,
                method: req.method.clone(),
                uri: String::from_utf8_lossy(&req.uri).into_owned(),
                parts,
            });
        }
    }
    Report {
        reference_name: reference.name().to_string(),
        candidate_name: candidate.name().to_string(),
        requests: requests.len(),
        divergences,
    }
}

/// Compare two responses after normalisation; empty when they match.
pub fn compare(a: &Response, b: &Response) -> Vec<PartDiff> {
    let mut parts = Vec::new();
    if a.status != b.status {
        parts.push(PartDiff {
            part: Part::Status,
            reference: a.status.to_string(),
            candidate: b.status.to_string(),
            at: None,
        });
    }
    let ha = norm_headers(&a.headers);
    let hb = norm_headers(&b.headers);
    if ha != hb {
        let at = first_diff_index(&ha, &hb);
        let show = |h: &[String]| escape_list(h, at);
        parts.push(PartDiff {
            part: Part::Headers,
            reference: show(&ha),
            candidate: show(&hb),
            at: Some(at),
        });
    }
    let ba = normalize(&a.body);
    let bb = normalize(&b.body);
    if ba != bb && !same_json_lines(&ba, &bb) {
        let at = ba
            .iter()
            .zip(&bb)
            .position(|(x, y)| x != y)
            .unwrap_or(ba.len().min(bb.len()));
        parts.push(PartDiff {
            part: Part::Body,
            reference: excerpt(&ba, at),
            candidate: excerpt(&bb, at),
            at: Some(at),
        });
    }
    let la = norm_log(&a.log);
    let lb = norm_log(&b.log);
    if la != lb {
        let at = first_diff_index(&la, &lb);
        let show = |l: &[String]| escape_list(l, at);
        parts.push(PartDiff {
            part: Part::Log,
            reference: show(&la),
            candidate: show(&lb),
            at: Some(at),
        });
    }
    parts
}

/// Whether two bodies have the same lines, each either identical or the same JSON document
/// up to the order of object members.
pub fn same_json_lines(a: &[u8], b: &[u8]) -> bool {
    let (la, lb): (Vec<&[u8]>, Vec<&[u8]>) = (
        a.split(|&c| c == b'\n').collect(),
        b.split(|&c| c == b'\n').collect(),
    );
    la.len() == lb.len()
        && la.iter().zip(&lb).all(|(x, y)| {
            x == y
                || matches!(
                    (
                        serde_json::from_slice::<serde_json::Value>(x),
                        serde_json::from_slice::<serde_json::Value>(y),
                    ),
                    (Ok(p), Ok(q)) if p == q
                )
        })
}

fn norm_headers(h: &[(String, Vec<u8>)]) -> Vec<String> {
    h.iter()
        .map(|(k, v)| format!("{}: {}", k, String::from_utf8_lossy(&normalize(v))))
        .collect()
}

fn norm_log(l: &[LogLine]) -> Vec<String> {
    l.iter()
        .map(|l| {
            format!(
                "[{}] {}",
                l.level,
                String::from_utf8_lossy(&normalize(&l.message))
            )
        })
        .collect()
}

fn first_diff_index(a: &[String], b: &[String]) -> usize {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()))
}

/// The item at `at` of a list (or `(none)` past its end), with the list's length.
fn escape_list(items: &[String], at: usize) -> String {
    let item = match items.get(at) {
        Some(s) => excerpt(s.as_bytes(), 0),
        None => "(none)".to_string(),
    };
    format!("{item}  [{} in all]", items.len())
}

/// How many bytes of context an excerpt shows before and after the first difference.
const BEFORE: usize = 40;
const AFTER: usize = 80;

/// A quoted, escaped window of `bytes` around offset `at`, `…` marking cut ends.
pub fn excerpt(bytes: &[u8], at: usize) -> String {
    let start = at.saturating_sub(BEFORE);
    let end = (at + AFTER).min(bytes.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push('"');
    out.push_str(&escape(&bytes[start.min(end)..end]));
    out.push('"');
    if end < bytes.len() {
        out.push('…');
    }
    out.push_str(&format!(" ({} bytes)", bytes.len()));
    out
}

/// Bytes as printable text: `\n`, `\r`, `\t`, `\\`, `\"`, `\xNN` for other control and
/// non-UTF-8 bytes.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                    out.push_str(&format!("\\x{:02x}", c as u32))
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// The harness's normalisation (see the module documentation).
pub fn normalize(text: &[u8]) -> Vec<u8> {
    const BUILTIN: &[u8] = b"function: builtin#";
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i..].starts_with(BUILTIN) {
            let digits = text[i + BUILTIN.len()..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            if digits > 0 {
                out.extend_from_slice(BUILTIN);
                out.push(b'?');
                i += BUILTIN.len() + digits;
                continue;
            }
        }
        if text[i..].starts_with(b": 0x") && preceded_by_type_name(&text[..i]) {
            let hex = text[i + 4..]
                .iter()
                .take_while(|c| c.is_ascii_hexdigit())
                .count();
            if hex > 0 {
                out.extend_from_slice(b": 0x?");
                i += 4 + hex;
                continue;
            }
        }
        out.push(text[i]);
        i += 1;
    }
    out
}

fn preceded_by_type_name(before: &[u8]) -> bool {
    const NAMES: &[&[u8]] = &[
        b"table",
        b"function",
        b"userdata",
        b"thread",
        b"proto",
        b"trace",
    ];
    NAMES.iter().any(|n| before.ends_with(n))
        || (before.ends_with(b">") && before.windows(6).any(|w| w == b"cdata<"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ReferenceEngine;

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize(b"t=table: 0x55d4c3a0 f=function: builtin#29 g=function: 0x7f00ab, 0x10"),
            b"t=table: 0x? f=function: builtin#? g=function: 0x?, 0x10".to_vec()
        );
        assert_eq!(
            normalize(b"cdata<int *>: 0xdead"),
            b"cdata<int *>: 0x?".to_vec()
        );
    }

    #[test]
    fn json_member_order_is_not_a_difference() {
        assert!(same_json_lines(
            b"{\"a\":1,\"b\":[1,{\"x\":null,\"y\":true}]}\nok\n",
            b"{\"b\":[1,{\"y\":true,\"x\":null}],\"a\":1}\nok\n"
        ));
        assert!(!same_json_lines(
            b"{\"a\":1,\"b\":2}\n",
            b"{\"b\":2,\"a\":3}\n"
        ));
        assert!(!same_json_lines(b"[1,2]\n", b"[2,1]\n"));
        assert!(!same_json_lines(b"{\"a\":1}\nx\n", b"{\"a\":1}\ny\n"));
        assert!(!same_json_lines(b"{\"a\":1}", b"{\"a\":1}\n"));
    }

    #[test]
    fn excerpts_escape_and_cut() {
        assert_eq!(escape(b"a\n\"\x01\xff"), "a\\n\\\"\\x01\\xff");
        let long = vec![b'a'; 300];
        let e = excerpt(&long, 150);
        assert!(
            e.starts_with('…') && e.contains("…") && e.ends_with("(300 bytes)"),
            "{e}"
        );
    }

    fn get(uri: &str) -> Request {
        Request {
            method: "GET".into(),
            uri: uri.into(),
            headers: vec![],
            body: vec![],
            http10: false,
        }
    }

    #[test]
    fn identical_engines_are_clean() {
        let src = "ngx.say('t: ', tostring({}))";
        let mut a = ReferenceEngine::new(src.as_bytes().to_vec(), "same.lua");
        let mut b = ReferenceEngine::new(src.as_bytes().to_vec(), "same.lua");
        let r = diff(&[get("/"), get("/x")], &mut a, &mut b);
        assert!(r.is_clean(), "{r}");
        assert_eq!(r.to_string(), "2 requests, 0 divergent\n");
    }

    #[test]
    fn differing_engines_are_reported() {
        let mut a = ReferenceEngine::new(
            b"ngx.say('hello ', ngx.var.arg_n)\nngx.log(ngx.ERR, 'seen')".to_vec(),
            "a.lua",
        );
        let mut b = ReferenceEngine::new(
            b"if ngx.var.arg_n == '2' then ngx.status = 201 end\nngx.say('hello ', ngx.var.arg_n, '!')\nngx.log(ngx.ERR, 'seen')"
                .to_vec(),
            "a.lua",
        )
        .with_name("other");
        let reqs = vec![get("/?n=1"), get("/?n=2")];
        let r = diff(&reqs, &mut a, &mut b);
        assert!(!r.is_clean());
        assert_eq!(r.divergences.len(), 2);
        let d1 = &r.divergences[0];
        assert_eq!((d1.request, d1.uri.as_str()), (1, "/?n=1"));
        let parts: Vec<Part> = d1.parts.iter().map(|p| p.part).collect();
        assert_eq!(parts, vec![Part::Body, Part::Log]);
        assert_eq!(d1.parts[0].at, Some(7));
        let d2 = &r.divergences[1];
        assert_eq!(d2.parts[0].part, Part::Status);
        assert_eq!(
            (
                d2.parts[0].reference.as_str(),
                d2.parts[0].candidate.as_str()
            ),
            ("200", "201")
        );
        let text = r.to_string();
        assert!(
            text.starts_with("2 requests, 2 divergent\nrequest #1"),
            "{text}"
        );
        assert!(
            text.contains("request #1: GET /?n=1\n  body differs at byte 7:\n"),
            "{text}"
        );
        assert!(text.contains("luajit: \"hello 1\\n\" (8 bytes)"), "{text}");
        assert!(text.contains("other : \"hello 1!\\n\" (9 bytes)"), "{text}");
        assert!(text.contains("[error] [lua] a.lua:2: seen"), "{text}");
    }
}
