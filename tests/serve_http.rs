//! The HTTP layer of `moonshift serve` on the wire, against real nginx: raw exchanges on one
//! connection (keep-alive, pipelining, chunked and `Content-Length` request bodies,
//! `Expect: 100-continue`, HEAD, HTTP/1.0, malformed and oversized requests) sent to nginx
//! + ngx_lua and to `moonshift serve` (corpus/ngx/wire), whose answers must agree
//! response by response: status, headers (without `Date` and `Server`, with `Connection`),
//! body, and whether the connection was closed after them.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use moonshift_tests::oracle::{self, Case, Nginx};

/// One response as read off the wire.
#[derive(Debug, PartialEq)]
struct Wire {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

/// Sends `bytes` in pieces (a piece is sent once the previous one's answer, if `wait` says
/// so, began to arrive), then reads until the server closes the connection; returns every
/// response read (interim 1xx ones included) and the raw bytes.
fn exchange(addr: SocketAddr, pieces: &[&[u8]], heads: &[bool]) -> (Vec<Wire>, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    let mut data = Vec::new();
    for (i, p) in pieces.iter().enumerate() {
        s.write_all(p).expect("writes");
        if i + 1 < pieces.len() {
            // Let the server answer what it has (an interim 100, say) before the next piece.
            let mut b = [0u8; 4096];
            s.set_read_timeout(Some(Duration::from_millis(300)))
                .expect("timeout");
            if let Ok(n) = s.read(&mut b) {
                data.extend_from_slice(&b[..n]);
            }
            s.set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
        }
    }
    let _ = s.read_to_end(&mut data);
    (parse_all(&data, heads), data)
}

/// Splits a stream of responses; `heads[i]` says whether the i-th final response answers a
/// HEAD request (no body whatever its headers say).
fn parse_all(mut data: &[u8], heads: &[bool]) -> Vec<Wire> {
    let mut out = Vec::new();
    let mut finals = 0;
    while let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
        // Header values stay bytes: what a server sends that is not UTF-8 must be compared
        // as sent.
        let head = &data[..end];
        data = &data[end + 4..];
        let mut lines = head
            .split(|&c| c == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let status: u16 = lines
            .next()
            .and_then(|l| String::from_utf8_lossy(l).split(' ').nth(1)?.parse().ok())
            .unwrap_or(0);
        let headers: Vec<(String, Vec<u8>)> = lines
            .filter_map(|l| {
                let colon = l.iter().position(|&c| c == b':')?;
                let name = String::from_utf8_lossy(&l[..colon]).to_ascii_lowercase();
                Some((name, l[colon + 1..].trim_ascii().to_vec()))
            })
            .filter(|(k, _)| k != "date" && k != "server")
            .collect();
        let get = |name: &str| {
            headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
        };
        let mut body = Vec::new();
        let interim = (100..200).contains(&status);
        let is_head = !interim && heads.get(finals).copied().unwrap_or(false);
        if interim || is_head || status == 204 || status == 304 {
        } else if get("transfer-encoding").as_deref() == Some("chunked") {
            loop {
                let Some(nl) = data.windows(2).position(|w| w == b"\r\n") else {
                    break;
                };
                let size = usize::from_str_radix(String::from_utf8_lossy(&data[..nl]).trim(), 16)
                    .unwrap_or(0);
                data = &data[nl + 2..];
                if size == 0 {
                    data = data.get(2..).unwrap_or(&[]);
                    break;
                }
                body.extend_from_slice(&data[..size.min(data.len())]);
                data = data.get(size + 2..).unwrap_or(&[]);
            }
        } else if let Some(n) = get("content-length").and_then(|n| n.parse::<usize>().ok()) {
            body.extend_from_slice(&data[..n.min(data.len())]);
            data = &data[n.min(data.len())..];
        } else {
            body.extend_from_slice(data);
            data = &[];
        }
        if !interim {
            finals += 1;
        }
        out.push(Wire {
            status,
            headers,
            body,
        });
    }
    out
}

/// One raw exchange: what is sent, in pieces, and which final responses answer HEAD.
struct Exchange {
    name: &'static str,
    pieces: Vec<Vec<u8>>,
    heads: Vec<bool>,
}

/// An exchange of these pieces, no response to a HEAD among them.
fn sent(name: &'static str, pieces: &[&[u8]]) -> Exchange {
    Exchange {
        name,
        pieces: pieces.iter().map(|p| p.to_vec()).collect(),
        heads: vec![],
    }
}

/// The exchanges.
fn exchanges() -> Vec<Exchange> {
    let long_uri = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "x".repeat(9000));
    let many_headers: String = (0..40).map(|i| format!("X-H{i}: {i}\r\n")).collect();
    let many = format!("GET /many HTTP/1.1\r\nHost: a\r\n{many_headers}Connection: close\r\n\r\n");
    vec![
        sent("keep-alive, then close", &[b"GET /one HTTP/1.1\r\nHost: a\r\n\r\n", b"GET /two HTTP/1.1\r\nHost: a\r\n\r\n", b"GET /fixed HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"]),
        sent("pipelined in one write", &[b"GET /p1 HTTP/1.1\r\nHost: a\r\n\r\nGET /fixed HTTP/1.1\r\nHost: a\r\n\r\nGET /p3 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"]),
        sent("chunked request body, chunk extensions and a trailer", &[b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\nGET /after HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"]),
        sent("Content-Length body in two pieces", &[b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello", b" world"]),
        sent("Expect: 100-continue, body sent after the interim answer", &[b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", b"body"]),
        sent("Expect: 100-continue with the body sent at once", &[b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nExpect: 100-continue\r\nConnection: close\r\n\r\nbody"]),
        Exchange {
            heads: vec![true, true, false],
            ..sent("HEAD keeps the connection usable", &[b"HEAD /head HTTP/1.1\r\nHost: a\r\n\r\nHEAD /fixed HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"])
        },
        sent("HTTP/1.0: no chunks, the body ends with the connection", &[b"GET /old HTTP/1.0\r\nHost: a\r\n\r\n"]),
        sent("the protocol a handler sees", &[b"GET /proto HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\nGET /proto HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"]),
        sent("HTTP/1.0 keep-alive for a response with a length", &[b"GET /fixed HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\nGET /fixed HTTP/1.0\r\nHost: a\r\n\r\n"]),
        sent("same-name headers and 304", &[b"GET /multi HTTP/1.1\r\nHost: a\r\n\r\nGET /nomod HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"]),
        sent("many headers", &[many.as_bytes()]),
        sent("header values that are not UTF-8, both ways", &[b"GET /bytes HTTP/1.1\r\nHost: a\r\nX-In: caf\xe9 \xff\r\nConnection: close\r\n\r\n"]),
        sent("a request line that is not UTF-8, arriving in two pieces", &[b"GET /bytes/caf\xe9", b"?a=\xff HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"]),
        sent("a request target that is not UTF-8", &[b"GET /bytes/caf\xe9%E9?a=\xff&b=%FF HTTP/1.1\r\nHost: a\r\n\r\nGET /bytes/\xc3\xa9 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"]),
        sent("a malformed request line", &[b"GARBAGE\r\n\r\n"]),
        sent("HTTP/1.1 without Host", &[b"GET / HTTP/1.1\r\n\r\n"]),
        sent("two Host headers", &[b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"]),
        sent("Content-Length and Transfer-Encoding together", &[b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"]),
        sent("a transfer coding other than chunked", &[b"POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"]),
        sent("Transfer-Encoding in HTTP/1.0", &[b"POST /echo HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"]),
        sent("a bad Content-Length", &[b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n"]),
        sent("a request line over 8k", &[long_uri.as_bytes()]),
        sent("a body far over the limit, refused before it is read", &[b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\nabc"]),
    ]
}

/// The tests here run nginx on the oracle's one port: one at a time.
static NGINX_PORT: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The `corpus/ngx/wire` configuration as a case served from `/tmp/moonshift-oracle/NAME`,
/// with the turn on nginx's port (held while the guard lives).
fn wire_case(name: &str) -> (std::sync::MutexGuard<'static, ()>, Case) {
    let turn = NGINX_PORT.lock().unwrap_or_else(|p| p.into_inner());
    assert!(
        oracle::nginx_available(),
        "nginx with ngx_lua is not installed: run scripts/setup"
    );
    let case = Case {
        dir: moonshift_tests::root().join("corpus/ngx/wire"),
        name: name.into(),
        requests: vec![],
    };
    (turn, case)
}

#[test]
fn serve_answers_on_the_wire_as_nginx_does() {
    let (_port, case) = wire_case("wire");
    let nginx = Nginx::start(&case).expect("nginx starts");
    let nginx_addr = SocketAddr::from(([127, 0, 0, 1], oracle::CONF_PORT));
    let mut failures = Vec::new();
    for engine in ["wasm", "luajit"] {
        let (server, _log, _) = oracle::start_moonshift(&case, engine).expect("serve starts");
        for Exchange {
            name,
            pieces,
            heads,
        } in exchanges()
        {
            let pieces: Vec<&[u8]> = pieces.iter().map(Vec::as_slice).collect();
            let (want, want_raw) = exchange(nginx_addr, &pieces, &heads);
            let (got, got_raw) = exchange(server.addrs[0], &pieces, &heads);
            assert!(!want.is_empty(), "{name}: nginx answered nothing");
            if want != got {
                failures.push(format!(
                    "{engine}, {name}:\n  nginx    {:?}\n  moonshift {:?}",
                    String::from_utf8_lossy(&want_raw),
                    String::from_utf8_lossy(&got_raw)
                ));
            }
        }
    }
    drop(nginx);
    assert!(
        failures.is_empty(),
        "{} exchanges differ from nginx:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// An error-log message with bytes that are not UTF-8 (from a literal and from the
/// request's target) is written as nginx writes it, byte for byte, by both engines.
#[test]
fn error_log_messages_keep_their_bytes() {
    let (_port, case) = wire_case("wire-log");
    let request: &[u8] = b"GET /logbytes/caf\xe9 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n";
    // The message nginx wrote: from `[lua]` to the `, client:` nginx appends.
    let nginx = Nginx::start(&case).expect("nginx starts");
    let (answers, _) = exchange(
        SocketAddr::from(([127, 0, 0, 1], oracle::CONF_PORT)),
        &[request],
        &[],
    );
    assert_eq!(answers.first().map(|w| w.status), Some(200));
    std::thread::sleep(Duration::from_millis(100));
    let text = std::fs::read(oracle::case_prefix(&case).join("logs/error.log")).expect("a log");
    drop(nginx);
    let start = text
        .windows(5)
        .position(|w| w == b"[lua]")
        .unwrap_or_else(|| {
            panic!(
                "nginx logged no Lua line: {}",
                String::from_utf8_lossy(&text)
            )
        });
    let len = text[start..]
        .windows(9)
        .position(|w| w == b", client:")
        .expect("the line names the client");
    let want = text[start..start + len].to_vec();
    assert!(
        want.ends_with(b"caf\xe9 \xff /logbytes/caf\xe9"),
        "{want:?}"
    );
    for engine in ["wasm", "luajit"] {
        let (server, log, _) = oracle::start_moonshift(&case, engine).expect("serve starts");
        exchange(server.addrs[0], &[request], &[]);
        let lines = log.lines.as_ref().expect("lines kept").lock().unwrap();
        let got: Vec<&[u8]> = lines
            .iter()
            .map(|(_, l)| l.message.as_slice())
            .filter(|m| m.starts_with(b"[lua]"))
            .collect();
        assert_eq!(got, vec![want.as_slice()], "{engine}");
    }
}
