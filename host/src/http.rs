//! HTTP out: `moonshift serve` on tokio + hyper (HTTP/1.1, keep-alive, chunked bodies).
//!
//! Each `listen` address of the configuration gets a listener, shared by the worker
//! threads (`worker_processes`), each running its own single-threaded runtime. A request
//! is matched to a server by its Host header among the servers on that address (else the
//! first one, as nginx's default server), read whole, and handled by [`Gateway::handle`]
//! on the worker that read it; worker threads have the large native stack a wasm guest may
//! need. The [`Response`] becomes the HTTP response: a status of 0 (nginx dropped the
//! connection) closes the connection without an answer. Error-log lines are written in
//! nginx's format to an [`ErrorLog`].

use std::io::Write as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::{Frame, SizeHint};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

use crate::conf::AddrServers;
use crate::gateway::Gateway;
use crate::ngx::{LogLine, Request, Response};

/// Where error-log lines go: a writer (a file or stderr) in nginx's format, and, for tests,
/// a list of every line with the connection number it belongs to.
pub struct ErrorLog {
    writer: Option<Mutex<Box<dyn std::io::Write + Send>>>,
    pub lines: Option<Mutex<Vec<(u64, LogLine)>>>,
    /// Lines above this level are not written (`error_log ... LEVEL`).
    level: usize,
}

const LEVELS: [&str; 9] = [
    "", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
];

impl ErrorLog {
    /// Writes to `writer` lines at `level` (an nginx level word) and more severe.
    pub fn new(writer: Option<Box<dyn std::io::Write + Send>>, level: &str, keep: bool) -> Self {
        ErrorLog {
            writer: writer.map(Mutex::new),
            lines: keep.then(|| Mutex::new(Vec::new())),
            level: LEVELS.iter().position(|l| *l == level).unwrap_or(4),
        }
    }

    fn write(&self, conn: u64, line: &LogLine, req: &LogRequest<'_>, server: &str) {
        let level = LEVELS.iter().position(|l| *l == line.level).unwrap_or(0);
        if level > self.level {
            return;
        }
        if let Some(lines) = &self.lines {
            lines.lock().expect("log lock").push((conn, line.clone()));
        }
        let Some(w) = &self.writer else {
            return;
        };
        let host = req
            .host
            .map(|v| format!(", host: \"{}\"", String::from_utf8_lossy(v)))
            .unwrap_or_default();
        let word = if line.level.is_empty() {
            String::new()
        } else {
            format!("[{}] ", line.level)
        };
        let text = format!(
            "{} {word}{}#0: *{conn} {}, client: 127.0.0.1, server: {server}, request: \"{} {} HTTP/1.1\"{host}\n",
            log_time(),
            std::process::id(),
            line.message,
            req.method,
            req.uri,
        );
        if let Ok(mut w) = w.lock() {
            let _ = w.write_all(text.as_bytes());
            let _ = w.flush();
        }
    }
}

/// What an error-log line says of its request.
struct LogRequest<'a> {
    method: &'a str,
    uri: &'a str,
    host: Option<&'a [u8]>,
}

/// `YYYY/MM/DD HH:MM:SS` in UTC.
fn log_time() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs()) as i64;
    let (y, m, d, hh, mm, ss, _) = crate::ngx_util::gmtime(secs);
    format!("{y:04}/{m:02}/{d:02} {hh:02}:{mm:02}:{ss:02}")
}

/// A response body: whole with a Content-Length, or one chunk with chunked encoding.
struct OutBody {
    /// Set once the data went out and hyper was given a chance to flush it.
    yielded: bool,
    data: Option<Bytes>,
    chunked: bool,
    /// Fail after the data: hyper then closes the connection mid-response.
    truncated: bool,
}

impl hyper::body::Body for OutBody {
    type Data = Bytes;
    type Error = Dropped;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Dropped>>> {
        match self.data.take() {
            Some(d) => Poll::Ready(Some(Ok(Frame::data(d)))),
            None if self.truncated && !self.yielded => {
                // Let hyper write what it has before the connection is cut.
                self.yielded = true;
                let waker = cx.waker().clone();
                tokio::spawn(async move {
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    waker.wake();
                });
                Poll::Pending
            }
            None if self.truncated => {
                self.truncated = false;
                Poll::Ready(Some(Err(Dropped)))
            }
            None => Poll::Ready(None),
        }
    }

    fn is_end_stream(&self) -> bool {
        !self.chunked && self.data.as_ref().is_none_or(|d| d.is_empty())
    }

    fn size_hint(&self) -> SizeHint {
        if self.chunked {
            SizeHint::default()
        } else {
            SizeHint::with_exact(self.data.as_ref().map_or(0, |d| d.len() as u64))
        }
    }
}

/// A running server: `workers` threads (nginx's `worker_processes`), each with its own
/// single-threaded tokio runtime accepting from the same listeners, as nginx's workers
/// share the listening sockets. A handler runs on the thread that read its request, with
/// no hand-off: a handler that runs until its deadline holds up that worker's other
/// connections, as a busy nginx worker does, while the other workers go on accepting.
pub struct Server {
    /// The bound addresses, in the order of [`Gateway::listen_addrs`].
    pub addrs: Vec<SocketAddr>,
    pub log: Arc<ErrorLog>,
    stop: tokio::sync::watch::Sender<bool>,
}

impl Server {
    /// Stops accepting connections; each worker ends once its current handler returns.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The distinct `listen` addresses of the configuration, with the servers on each
/// ([`crate::conf::Conf::listen_addrs`]).
pub fn listen_addrs(gw: &Gateway) -> Result<Vec<(SocketAddr, AddrServers)>, String> {
    gw.conf.listen_addrs().map_err(|e| e.to_string())
}

/// Binds every listen address (or `override_addr` for all of them when given: tests use
/// port 0) and serves on `workers` threads until the returned [`Server`] is dropped.
pub fn start(
    gw: Arc<Gateway>,
    log: Arc<ErrorLog>,
    override_addr: Option<SocketAddr>,
    workers: usize,
) -> Result<Server, String> {
    let mut addrs = Vec::new();
    let mut listeners = Vec::new();
    for (addr, servers) in listen_addrs(&gw)? {
        let bind = override_addr.unwrap_or(addr);
        let listener = std::net::TcpListener::bind(bind)
            .map_err(|e| format!("bind() to {bind} failed ({e})"))?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        addrs.push(listener.local_addr().map_err(|e| e.to_string())?);
        listeners.push((listener, Arc::new(servers), addr.port()));
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let conns = Arc::new(AtomicU64::new(0));
    let workers = workers.max(1);
    for w in 0..workers {
        let mut mine = Vec::new();
        for (l, servers, port) in &listeners {
            let l = l.try_clone().map_err(|e| e.to_string())?;
            mine.push((l, servers.clone(), *port));
        }
        let (gw, log, conns, mut stopped) =
            (gw.clone(), log.clone(), conns.clone(), stopped.clone());
        std::thread::Builder::new()
            .name(format!("moonshift-worker-{w}"))
            .stack_size(crate::wasm::THREAD_STACK)
            .spawn(move || {
                crate::ngx::set_worker(w as u32, workers as u32);
                let rt = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        eprintln!("moonshift: [emerg] worker {w}: {e}");
                        return;
                    }
                };
                rt.block_on(async move {
                    for (l, servers, port) in mine {
                        let Ok(listener) = tokio::net::TcpListener::from_std(l) else {
                            continue;
                        };
                        let (gw, log, conns) = (gw.clone(), log.clone(), conns.clone());
                        tokio::spawn(accept_loop(listener, gw, log, conns, servers, port));
                    }
                    let _ = stopped.wait_for(|s| *s).await;
                });
            })
            .map_err(|e| format!("starting worker {w}: {e}"))?;
    }
    Ok(Server { addrs, log, stop })
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    gw: Arc<Gateway>,
    log: Arc<ErrorLog>,
    conns: Arc<AtomicU64>,
    servers: Arc<AddrServers>,
    port: u16,
) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        // One connection at a time, as nginx's `multi_accept off`: the other workers get
        // their share of a burst of connections instead of this one taking them all.
        tokio::task::yield_now().await;
        let _ = stream.set_nodelay(true);
        let (gw, log, servers) = (gw.clone(), log.clone(), servers.clone());
        let conn = conns.fetch_add(1, Ordering::Relaxed) + 1;
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let (gw, log, servers) = (gw.clone(), log.clone(), servers.clone());
                async move { handle(&gw, &log, &servers, port, conn, req).await }
            });
            let _ = http1::Builder::new()
                .title_case_headers(true)
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Why a connection is closed without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the handler dropped the connection")
    }
}

impl std::error::Error for Dropped {}

async fn handle(
    gw: &Gateway,
    log: &ErrorLog,
    servers: &AddrServers,
    port: u16,
    conn: u64,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<OutBody>, Dropped> {
    let (parts, body) = req.into_parts();
    let uri = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.to_string(), |p| p.as_str().to_string());
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes().to_vec(),
        Err(_) => return Err(Dropped),
    };
    let request = Request {
        method: parts.method.as_str().to_string(),
        uri,
        headers,
        body,
    };
    let host_header = parts.headers.get(hyper::header::HOST).map(|v| v.as_bytes());
    let host = host_header.map(|v| {
        let v = String::from_utf8_lossy(v);
        v.split(':').next().unwrap_or("").to_ascii_lowercase()
    });
    let (server, name_captures) = gw.conf.choose_server(servers, host.as_deref());
    let server_name = gw.conf.servers[server]
        .server_names
        .first()
        .map_or("", String::as_str);
    // The handler runs here, on the worker that read the request, as in nginx. Handing it
    // to tokio's blocking pool cost half the time of a request with --instance-reuse.
    let response = gw.handle(server, port, request, name_captures);
    if !response.log.is_empty() {
        let for_log = LogRequest {
            method: parts.method.as_str(),
            uri: parts.uri.path_and_query().map_or("", |p| p.as_str()),
            host: host_header,
        };
        for line in &response.log {
            log.write(conn, line, &for_log, server_name);
        }
    }
    to_hyper(response)
}

fn to_hyper(r: Response) -> Result<hyper::Response<OutBody>, Dropped> {
    if r.status == 0 {
        return Err(Dropped);
    }
    // nginx's order: Content-Type, Content-Length, Location, Transfer-Encoding, then the
    // rest as they were set.
    let mut b = hyper::Response::builder()
        .status(r.status)
        .header("Server", "moonshift");
    let is = |k: &str, name: &str| k.eq_ignore_ascii_case(name);
    let bodyless = r.status == 204 || (r.status >= 100 && r.status < 200);
    for (k, v) in r.headers.iter().filter(|(k, _)| is(k, "content-type")) {
        b = b.header(k.as_str(), v.as_str());
    }
    if !r.chunked && !r.header_only && !bodyless {
        b = b.header("Content-Length", r.body.len());
    }
    for (k, v) in r.headers.iter().filter(|(k, _)| is(k, "location")) {
        b = b.header(k.as_str(), v.as_str());
    }
    if r.chunked {
        b = b.header("Transfer-Encoding", "chunked");
    }
    for (k, v) in &r.headers {
        if !is(k, "content-type") && !is(k, "location") {
            b = b.header(k.as_str(), v.as_str());
        }
    }
    if let Some(reason) = reason_phrase(r.status) {
        b = b.extension(hyper::ext::ReasonPhrase::from_static(reason.as_bytes()));
    }
    b.body(OutBody {
        yielded: false,
        data: Some(Bytes::from(r.body)),
        chunked: r.chunked,
        truncated: r.truncated,
    })
    .map_err(|_| Dropped)
}

/// nginx's status lines where they differ from hyper's canonical reasons.
fn reason_phrase(status: u16) -> Option<&'static str> {
    Some(match status {
        302 => "Moved Temporarily",
        401 => "Unauthorized",
        405 => "Not Allowed",
        408 => "Request Time-out",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Large",
        416 => "Requested Range Not Satisfiable",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        _ => return None,
    })
}
