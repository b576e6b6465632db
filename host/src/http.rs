//! HTTP out: `moonshift serve` on tokio (HTTP/1.1, keep-alive, pipelining, chunked
//! bodies). Request heads are parsed with `httparse`; responses are written as nginx's
//! header filter writes them (its header order, same-name headers interleaved as they were
//! set, names in the case the handler gave, `Content-Length: 0` on a 304), which a
//! general-purpose server's header map cannot keep.
//!
//! Each `listen` address of the configuration gets a listener, shared by the worker
//! threads (`worker_processes`), each running its own single-threaded runtime; a new
//! connection is served by the worker with the fewest open connections (handed over when
//! another worker accepted it), so kept-alive connections spread evenly. A request
//! is matched to a server by its Host header among the servers on that address (else the
//! first one, as nginx's default server), read whole, and handled by [`Gateway::handle`]
//! on the worker that read it; worker threads have the large native stack a wasm guest may
//! need. The [`Response`] becomes the HTTP response: a status of 0 (nginx dropped the
//! connection) closes the connection without an answer. Error-log lines are written in
//! nginx's format to an [`ErrorLog`].

use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
        // Bytes: the message and the request's target as they are, as nginx writes them.
        let mut text = Vec::new();
        let _ = write!(
            text,
            "{} {word}{}#0: *{conn} ",
            log_time(),
            std::process::id()
        );
        text.extend_from_slice(&line.message);
        let _ = write!(
            text,
            ", client: 127.0.0.1, server: {server}, request: \"{} ",
            req.method
        );
        text.extend_from_slice(req.uri);
        let _ = writeln!(text, " HTTP/1.1\"{host}");
        if let Ok(mut w) = w.lock() {
            let _ = w.write_all(&text);
            let _ = w.flush();
        }
    }
}

/// What an error-log line says of its request.
struct LogRequest<'a> {
    method: &'a str,
    uri: &'a [u8],
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

/// A running server: `workers` threads (nginx's `worker_processes`), each with its own
/// single-threaded tokio runtime accepting from the same listeners, as nginx's workers
/// share the listening sockets (a connection then goes to the worker serving the fewest).
/// A handler runs on the thread that read its request, with no hand-off: a handler that
/// runs until its deadline holds up that worker's other connections, as a busy nginx
/// worker does, while the other workers go on accepting.
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
    let workers = workers.max(1);
    let mut inboxes = Vec::with_capacity(workers);
    let mut receivers = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        inboxes.push(tx);
        receivers.push(rx);
    }
    let shared = Arc::new(Shared {
        gw,
        log: log.clone(),
        conns: AtomicU64::new(0),
        open: (0..workers).map(|_| AtomicUsize::new(0)).collect(),
        inboxes,
    });
    for (w, mut inbox) in receivers.into_iter().enumerate() {
        let mut mine = Vec::new();
        for (l, servers, port) in &listeners {
            let l = l.try_clone().map_err(|e| e.to_string())?;
            mine.push((l, servers.clone(), *port));
        }
        let (shared, mut stopped) = (shared.clone(), stopped.clone());
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
                        tokio::spawn(accept_loop(listener, shared.clone(), w, servers, port));
                    }
                    // Connections another worker accepted and handed over.
                    let handed = shared.clone();
                    tokio::spawn(async move {
                        while let Some((stream, servers, port, id, open)) = inbox.recv().await {
                            if let Ok(stream) = TcpStream::from_std(stream) {
                                let conn = handed.connection(open, servers, port, id);
                                tokio::spawn(conn.serve(stream));
                            }
                        }
                    });
                    let _ = stopped.wait_for(|s| *s).await;
                });
            })
            .map_err(|e| format!("starting worker {w}: {e}"))?;
    }
    Ok(Server { addrs, log, stop })
}

/// What the workers share: the gateway, the log, nginx's connection numbers, and each
/// worker's open connections and inbox.
struct Shared {
    gw: Arc<Gateway>,
    log: Arc<ErrorLog>,
    conns: AtomicU64,
    /// Connections each worker is serving now.
    open: Vec<AtomicUsize>,
    /// Where a worker receives connections another accepted.
    inboxes: Vec<tokio::sync::mpsc::UnboundedSender<Handed>>,
}

/// A connection handed to another worker: the socket, its address's servers and port, its
/// connection number, and its count on that worker.
type Handed = (std::net::TcpStream, Arc<AddrServers>, u16, u64, OpenGuard);

impl Shared {
    /// The worker with the fewest open connections, `me` among equals.
    fn least_busy(&self, me: usize) -> usize {
        let load = |w: usize| self.open[w].load(Ordering::Relaxed);
        (0..self.open.len()).fold(me, |best, w| if load(w) < load(best) { w } else { best })
    }

    /// Counts a connection open on worker `w` until the guard is dropped.
    fn open_on(self: &Arc<Self>, w: usize) -> OpenGuard {
        self.open[w].fetch_add(1, Ordering::Relaxed);
        OpenGuard(self.clone(), w)
    }

    /// A connection served by the worker `open` counts it on.
    fn connection(
        &self,
        open: OpenGuard,
        servers: Arc<AddrServers>,
        port: u16,
        id: u64,
    ) -> Connection {
        Connection {
            gw: self.gw.clone(),
            log: self.log.clone(),
            servers,
            port,
            id,
            _open: open,
        }
    }
}

/// A connection counted open on its worker while the guard lives (a connection that is
/// dropped on the way, handed over or not, stops counting with it).
struct OpenGuard(Arc<Shared>, usize);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open[self.1].fetch_sub(1, Ordering::Relaxed);
    }
}

/// Accepts connections on worker `w`. Every worker accepts from the same listeners, as
/// nginx's workers do, and which one wins a new connection is a race; a connection goes
/// to the worker serving the fewest (handed over when that is another), so that kept-alive
/// connections spread evenly. Measured: left to the race, one worker of two often ended
/// up with twice the other's connections and ran out of CPU while the other waited
/// (docs/BENCHMARKS.md).
async fn accept_loop(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    w: usize,
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
        let id = shared.conns.fetch_add(1, Ordering::Relaxed) + 1;
        let to = shared.least_busy(w);
        let open = shared.open_on(to);
        if to == w {
            tokio::spawn(
                shared
                    .connection(open, servers.clone(), port, id)
                    .serve(stream),
            );
        } else if let Ok(stream) = stream.into_std() {
            // A worker that is gone (stopping) drops it: the connection closes.
            let _ = shared.inboxes[to].send((stream, servers.clone(), port, id, open));
        }
    }
}

/// How long a kept-alive connection waits for its next request (nginx's default
/// `keepalive_timeout`).
const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(75);
/// How long the rest of a request's head or body may take to arrive (nginx's
/// `client_header_timeout` and `client_body_timeout`); nginx then closes the connection.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);
/// nginx's `large_client_header_buffers 4 8k`: a request line longer than one buffer is
/// answered 414, a head that does not fit the four 400 (Request Header Or Cookie Too
/// Large).
const HEADER_BUFFER: usize = 8 * 1024;
const MAX_HEAD: usize = 4 * HEADER_BUFFER;
/// What a connection's read and write buffers keep between requests.
const KEEP_BUFFER: usize = 64 * 1024;
/// The largest request body read into memory; a longer one is answered 413 and the
/// connection closed (docs/DIVERGENCES.md: nginx would spool it to a file).
const MAX_BODY: u64 = 64 << 20;

/// One client connection: requests are read and answered in turn (HTTP/1.1 keep-alive and
/// pipelining) until the client closes it, a response closes it, or it idles out.
struct Connection {
    gw: Arc<Gateway>,
    log: Arc<ErrorLog>,
    servers: Arc<AddrServers>,
    port: u16,
    /// nginx's connection number (`*N` in the error log).
    id: u64,
    /// Counts the connection open on its worker until it is dropped.
    _open: OpenGuard,
}

/// What the error log says of the connection's current request.
#[derive(Default)]
struct LogHead {
    method: String,
    uri: Vec<u8>,
    host: String,
}

/// A request head read off the wire, before its body.
struct Head {
    method: String,
    uri: Vec<u8>,
    http10: bool,
    headers: Vec<(String, Vec<u8>)>,
    /// Where the head ends in the read buffer.
    len: usize,
    /// The headers the connection itself reads, found in one pass: the index in
    /// `headers` of the (only) Host, of the first Transfer-Encoding and Content-Length.
    host: Option<usize>,
    transfer_encoding: Option<usize>,
    content_length: Option<usize>,
    /// `Expect: 100-continue`.
    expect_continue: bool,
    /// The client keeps the connection for another request: HTTP/1.1 unless it says
    /// `Connection: close`, HTTP/1.0 only when it says `Connection: keep-alive`.
    keep_alive: bool,
}

/// Why a request cannot be handled: nginx answers these itself, then closes.
enum Refusal {
    /// The connection is closed without an answer (a timeout, a reset, end of input).
    Close,
    /// nginx's page for this status (400, 413, 414, 494, 501), then close.
    Status(u16),
}

impl Connection {
    async fn serve(self, mut stream: TcpStream) {
        let mut buf: Vec<u8> = Vec::with_capacity(4096);
        let mut out: Vec<u8> = Vec::with_capacity(4096);
        let mut kept = LogHead::default();
        let mut timer = ReadTimer::new();
        loop {
            let read = self.read_request(&mut stream, &mut buf, &mut out, &mut timer);
            let (head, body) = match read.await {
                Ok(r) => r,
                Err(Refusal::Close) => return,
                Err(Refusal::Status(code)) => {
                    out.clear();
                    write_refusal(&mut out, code);
                    if stream.write_all(&out).await.is_ok() {
                        linger(stream, buf).await;
                    }
                    return;
                }
            };
            let keep_alive = head.keep_alive;
            let is_head = head.method == "HEAD";
            let http10 = head.http10;
            let response = self.handle(head, body, &mut kept);
            out.clear();
            let close = write_response(&mut out, &response, is_head, keep_alive, http10);
            if response.status != 0 && stream.write_all(&out).await.is_err() {
                return;
            }
            if close {
                let _ = stream.shutdown().await;
                return;
            }
            // A large body or response does not stay with the connection.
            if buf.capacity() > KEEP_BUFFER && buf.len() <= KEEP_BUFFER / 2 {
                buf.shrink_to(KEEP_BUFFER);
            }
            if out.capacity() > KEEP_BUFFER {
                out = Vec::with_capacity(KEEP_BUFFER);
            }
        }
    }

    /// Reads one request (head and body) from `stream`, `buf` holding what was read past
    /// the previous one.
    async fn read_request(
        &self,
        stream: &mut TcpStream,
        buf: &mut Vec<u8>,
        out: &mut Vec<u8>,
        timer: &mut ReadTimer,
    ) -> Result<(Head, Vec<u8>), Refusal> {
        let head = loop {
            if !buf.is_empty()
                && let Some(head) = parse_head(buf)?
            {
                break head;
            }
            if buf.len() >= MAX_HEAD {
                let line_end = buf.windows(2).position(|w| w == b"\r\n");
                return Err(Refusal::Status(
                    if line_end.is_none_or(|e| e > HEADER_BUFFER) {
                        414
                    } else {
                        494
                    },
                ));
            }
            let wait = if buf.is_empty() {
                KEEPALIVE_TIMEOUT
            } else {
                CLIENT_TIMEOUT
            };
            read_more(stream, buf, wait, timer).await?;
        };
        buf.drain(..head.len);
        let header = |at: Option<usize>| at.map(|i| head.headers[i].1.as_slice());
        let chunked = match header(head.transfer_encoding) {
            None => false,
            // nginx 1.22: Transfer-Encoding in HTTP/1.0 is 400, a coding other than chunked 501.
            Some(_) if head.http10 => return Err(Refusal::Status(400)),
            Some(te) if te.eq_ignore_ascii_case(b"chunked") => true,
            Some(_) => return Err(Refusal::Status(501)),
        };
        let length = match header(head.content_length) {
            Some(_) if chunked => return Err(Refusal::Status(400)),
            Some(v) => Some(parse_length(v).ok_or(Refusal::Status(400))?),
            None => None,
        };
        if length.is_some_and(|n| n > MAX_BODY) {
            return Err(Refusal::Status(413));
        }
        let expects_body = chunked || length.is_some_and(|n| n > 0);
        if expects_body && !head.http10 && head.expect_continue {
            // nginx sends it when the body is read, also when the body came with the head.
            out.clear();
            out.extend_from_slice(b"HTTP/1.1 100 Continue\r\n\r\n");
            stream.write_all(out).await.map_err(|_| Refusal::Close)?;
        }
        let body = if chunked {
            read_chunked(stream, buf, timer).await?
        } else if let Some(n) = length {
            let n = n as usize;
            while buf.len() < n {
                read_more(stream, buf, CLIENT_TIMEOUT, timer).await?;
            }
            buf.drain(..n).collect()
        } else {
            Vec::new()
        };
        Ok((head, body))
    }

    /// Handles a request on this worker (a handler runs where its request was read, as in
    /// nginx; handing it to tokio's blocking pool cost half the time of a request with
    /// `--instance-reuse`) and writes its error-log lines.
    fn handle(&self, head: Head, body: Vec<u8>, kept: &mut LogHead) -> Response {
        // What the error log says of the request, kept in buffers the connection reuses
        // (the request itself moves into the handler).
        kept.method.clear();
        kept.method.push_str(&head.method);
        kept.uri.clear();
        kept.uri.extend_from_slice(&head.uri);
        kept.host.clear();
        let host_header = head
            .host
            .map(|i| String::from_utf8_lossy(&head.headers[i].1));
        if let Some(h) = &host_header {
            kept.host.push_str(h);
        }
        let has_host = host_header.is_some();
        let name = kept.host.split(':').next().unwrap_or("");
        let lower;
        let name = if name.bytes().any(|c| c.is_ascii_uppercase()) {
            lower = name.to_ascii_lowercase();
            lower.as_str()
        } else {
            name
        };
        let gw = &*self.gw;
        let (server, name_captures) = gw
            .conf
            .choose_server(&self.servers, has_host.then_some(name));
        let request = Request {
            method: head.method,
            uri: head.uri,
            headers: head.headers,
            body,
            http10: head.http10,
        };
        let response = gw.handle(server, self.port, request, name_captures);
        if !response.log.is_empty() {
            let server_name = gw.conf.servers[server]
                .server_names
                .first()
                .map_or("", String::as_str);
            let for_log = LogRequest {
                method: &kept.method,
                uri: &kept.uri,
                host: has_host.then_some(kept.host.as_bytes()),
            };
            for line in &response.log {
                self.log.write(self.id, line, &for_log, server_name);
            }
        }
        response
    }
}

/// nginx's lingering close after a refusal: the write side is shut, and what the client
/// still sends (the rest of a refused body, say) is read and dropped for a while, so that
/// closing with unread data does not reset the connection before the answer is read.
async fn linger(mut stream: TcpStream, mut buf: Vec<u8>) {
    const LINGERING_TIME: Duration = Duration::from_secs(30);
    const LINGERING_TIMEOUT: Duration = Duration::from_secs(5);
    if stream.shutdown().await.is_err() {
        return;
    }
    let until = tokio::time::Instant::now() + LINGERING_TIME;
    buf.clear();
    buf.resize(16 * 1024, 0);
    while tokio::time::Instant::now() < until {
        match tokio::time::timeout(LINGERING_TIMEOUT, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => {}
            _ => return,
        }
    }
}

/// Reads more of the connection into `buf`; the connection ends at end of input, an error
/// or when nothing arrives within `wait`.
async fn read_more(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    wait: Duration,
    timer: &mut ReadTimer,
) -> Result<(), Refusal> {
    if buf.capacity() - buf.len() < 2048 {
        buf.reserve(8192);
    }
    timer.arm(wait);
    tokio::select! {
        biased;
        read = stream.read_buf(buf) => match read {
            Ok(n) if n > 0 => Ok(()),
            _ => Err(Refusal::Close),
        },
        () = timer.0.as_mut() => Err(Refusal::Close),
    }
}

/// A connection's read deadline: one timer for the connection's life, moved only when
/// its new deadline is at least [`LAZY`] away from the one set (nginx's
/// `NGX_TIMER_LAZY_DELAY`), so a kept-alive connection answering a request a millisecond
/// does not take its timer out of tokio's wheel and put it back for each one. A
/// connection may then close up to `LAZY` before or after its timeout, as nginx's do.
struct ReadTimer(std::pin::Pin<Box<tokio::time::Sleep>>);

/// How far a read deadline may be from the one asked for (nginx's 300 ms).
const LAZY: Duration = Duration::from_millis(300);

impl ReadTimer {
    fn new() -> Self {
        ReadTimer(Box::pin(tokio::time::sleep(KEEPALIVE_TIMEOUT)))
    }

    /// Makes the deadline `wait` from now, give or take [`LAZY`].
    fn arm(&mut self, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        let set = self.0.deadline();
        let gap = if set > deadline {
            set - deadline
        } else {
            deadline - set
        };
        if gap >= LAZY {
            self.0.as_mut().reset(deadline);
        }
    }
}

/// The request head at the start of `buf`: `None` while it is incomplete.
fn parse_head(buf: &[u8]) -> Result<Option<Head>, Refusal> {
    match parse_head_in(buf, buf) {
        Err(Refusal::Status(400)) => {}
        parsed => return parsed,
    }
    // nginx takes any byte above a space in the request target, httparse only UTF-8: a
    // request line with other bytes above 0x7f after its method is parsed with those
    // bytes masked, and its target taken from `buf` as it is. (Masked in the version,
    // they still fail it; the line may not have arrived whole yet.)
    let line = buf.iter().position(|&c| c == b'\n').unwrap_or(buf.len());
    let Some(after_method) = buf[..line].iter().position(|&c| c == b' ') else {
        return Err(Refusal::Status(400));
    };
    let rest = after_method..line;
    if !buf[rest.clone()].iter().any(|&c| c >= 0x80) {
        return Err(Refusal::Status(400));
    }
    let mut masked = buf.to_vec();
    for c in &mut masked[rest] {
        if *c >= 0x80 {
            *c = b'x';
        }
    }
    parse_head_in(&masked, buf)
}

/// [`parse_head`] of `parsed`, which is `buf` or `buf` with bytes of its request target
/// masked: the target is taken from `buf`.
fn parse_head_in(parsed: &[u8], buf: &[u8]) -> Result<Option<Head>, Refusal> {
    let mut few = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut few);
    match req.parse(parsed) {
        Ok(httparse::Status::Complete(len)) => Ok(Some(head_of(&req, len, parsed, buf)?)),
        Ok(httparse::Status::Partial) => Ok(None),
        Err(httparse::Error::TooManyHeaders) => {
            let mut many = vec![httparse::EMPTY_HEADER; MAX_HEAD / 4];
            let mut req = httparse::Request::new(&mut many);
            match req.parse(parsed) {
                Ok(httparse::Status::Complete(len)) => Ok(Some(head_of(&req, len, parsed, buf)?)),
                Ok(httparse::Status::Partial) => Ok(None),
                Err(_) => Err(Refusal::Status(400)),
            }
        }
        Err(_) => Err(Refusal::Status(400)),
    }
}

fn head_of(
    req: &httparse::Request<'_, '_>,
    len: usize,
    parsed: &[u8],
    buf: &[u8],
) -> Result<Head, Refusal> {
    let (Some(method), Some(target), Some(version)) = (req.method, req.path, req.version) else {
        return Err(Refusal::Status(400));
    };
    if target.len() > HEADER_BUFFER {
        return Err(Refusal::Status(414));
    }
    // The target's bytes as sent (`parsed` may have masked some).
    let at = target.as_ptr() as usize - parsed.as_ptr() as usize;
    let target = &buf[at..at + target.len()];
    // The absolute form (`GET http://host/path`) names the path after the authority.
    let uri = if let Some(rest) = target
        .strip_prefix(b"http://")
        .or_else(|| target.strip_prefix(b"https://"))
    {
        match rest.iter().position(|&c| c == b'/') {
            Some(i) => rest[i..].to_vec(),
            None => b"/".to_vec(),
        }
    } else if target.starts_with(b"/") {
        target.to_vec()
    } else {
        return Err(Refusal::Status(400));
    };
    let headers: Vec<(String, Vec<u8>)> = req
        .headers
        .iter()
        .map(|h| (h.name.to_string(), h.value.to_vec()))
        .collect();
    let http10 = version == 0;
    let (mut host, mut transfer_encoding, mut content_length) = (None, None, None);
    let mut expect_continue = false;
    for (i, (k, v)) in headers.iter().enumerate() {
        let is = |name: &str| k.eq_ignore_ascii_case(name);
        if is("host") {
            // nginx: "client sent duplicate host header".
            if host.is_some() {
                return Err(Refusal::Status(400));
            }
            host = Some(i);
        } else if is("transfer-encoding") {
            transfer_encoding = transfer_encoding.or(Some(i));
        } else if is("content-length") {
            content_length = content_length.or(Some(i));
        } else if is("expect") {
            expect_continue |= v.eq_ignore_ascii_case(b"100-continue");
        }
    }
    // nginx: "client sent HTTP/1.1 request without "Host" header".
    if host.is_none() && !http10 {
        return Err(Refusal::Status(400));
    }
    let keep_alive = crate::ngx::keep_alive(http10, &headers);
    Ok(Head {
        method: method.to_string(),
        uri,
        http10,
        headers,
        len,
        host,
        transfer_encoding,
        content_length,
        expect_continue,
        keep_alive,
    })
}

/// A Content-Length value: decimal digits only, as nginx parses it.
fn parse_length(v: &[u8]) -> Option<u64> {
    let v = v.trim_ascii();
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(v).ok()?.parse().ok()
}

/// A chunked request body, decoded; trailers are read and dropped.
async fn read_chunked(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
    timer: &mut ReadTimer,
) -> Result<Vec<u8>, Refusal> {
    let mut body = Vec::new();
    loop {
        let (at, size) = loop {
            match httparse::parse_chunk_size(buf) {
                Ok(httparse::Status::Complete(r)) => break r,
                Ok(httparse::Status::Partial) if buf.len() < HEADER_BUFFER => {
                    read_more(stream, buf, CLIENT_TIMEOUT, timer).await?;
                }
                _ => return Err(Refusal::Status(400)),
            }
        };
        if body.len() as u64 + size > MAX_BODY {
            return Err(Refusal::Status(413));
        }
        buf.drain(..at);
        if size == 0 {
            // Trailer lines up to an empty one.
            loop {
                match buf.windows(2).position(|w| w == b"\r\n") {
                    Some(0) => {
                        buf.drain(..2);
                        return Ok(body);
                    }
                    Some(i) => {
                        buf.drain(..i + 2);
                    }
                    None if buf.len() < HEADER_BUFFER => {
                        read_more(stream, buf, CLIENT_TIMEOUT, timer).await?;
                    }
                    None => return Err(Refusal::Status(400)),
                }
            }
        }
        let size = size as usize;
        while buf.len() < size + 2 {
            read_more(stream, buf, CLIENT_TIMEOUT, timer).await?;
        }
        if &buf[size..size + 2] != b"\r\n" {
            return Err(Refusal::Status(400));
        }
        body.extend_from_slice(&buf[..size]);
        buf.drain(..size + 2);
    }
}

/// Writes `r` as nginx's header filter does, and its body; returns whether the connection
/// closes after it. Headers come in nginx's order: `Server`, `Date`, `Content-Type`,
/// `Content-Length`, `Location`, `Transfer-Encoding`, `Connection`, then the rest as they
/// were set (same-name headers interleaved with others as they were set, and names in the
/// case the handler wrote).
fn write_response(
    out: &mut Vec<u8>,
    r: &Response,
    head: bool,
    keep_alive: bool,
    http10: bool,
) -> bool {
    if r.status == 0 {
        return true;
    }
    let is = |k: &str, name: &str| k.eq_ignore_ascii_case(name);
    // An HTTP/1.0 client cannot take chunks: ngx_lua buffers the whole output for it
    // (`lua_http10_buffering`) and sends a Content-Length.
    let chunked = r.chunked && !http10;
    let keep_alive = keep_alive && !r.truncated;
    let bodyless = r.status == 204 || (r.status >= 100 && r.status < 200);
    status_line(out, r.status);
    if !r.headers.iter().any(|(k, _)| is(k, "server")) {
        out.extend_from_slice(b"Server: moonshift\r\n");
    }
    if !r.headers.iter().any(|(k, _)| is(k, "date")) {
        out.extend_from_slice(b"Date: ");
        DATE.with(|d| out.extend_from_slice(d.borrow_mut().now()));
        out.extend_from_slice(b"\r\n");
    }
    let header = |out: &mut Vec<u8>, k: &str, v: &[u8]| {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.extend_from_slice(b"\r\n");
    };
    for (k, v) in r.headers.iter().filter(|(k, _)| is(k, "content-type")) {
        header(out, k, v);
    }
    if !chunked && !r.header_only && !bodyless {
        out.extend_from_slice(b"Content-Length: ");
        write_decimal(out, r.head_length.unwrap_or(r.body.len()));
        out.extend_from_slice(b"\r\n");
    }
    for (k, v) in r.headers.iter().filter(|(k, _)| is(k, "location")) {
        header(out, k, v);
    }
    if chunked {
        out.extend_from_slice(b"Transfer-Encoding: chunked\r\n");
    }
    out.extend_from_slice(if keep_alive {
        b"Connection: keep-alive\r\n"
    } else {
        b"Connection: close\r\n"
    });
    for (k, v) in &r.headers {
        if !is(k, "content-type") && !is(k, "location") {
            header(out, k, v);
        }
    }
    out.extend_from_slice(b"\r\n");
    if head || bodyless || r.status == 304 {
        return !keep_alive;
    }
    if chunked {
        if !r.body.is_empty() {
            write!(out, "{:x}\r\n", r.body.len()).expect("writes to a Vec");
            out.extend_from_slice(&r.body);
            out.extend_from_slice(b"\r\n");
        }
        if !r.truncated {
            out.extend_from_slice(b"0\r\n\r\n");
        }
    } else {
        out.extend_from_slice(&r.body);
    }
    !keep_alive
}

/// The status line with nginx's reason phrase; nginx writes none for codes it has no
/// phrase for.
fn status_line(out: &mut Vec<u8>, status: u16) {
    out.extend_from_slice(b"HTTP/1.1 ");
    write_decimal(out, usize::from(status));
    out.push(b' ');
    out.extend_from_slice(reason_phrase(status).as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn write_decimal(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// nginx's answer to a request it cannot take (`Refusal::Status`): its page, then close.
fn write_refusal(out: &mut Vec<u8>, code: u16) {
    let page = crate::ngx::error_page(i64::from(code)).unwrap_or_default();
    let status = if code == 494 { 400 } else { code };
    let r = Response {
        status,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: page.into_bytes(),
        log: vec![],
        chunked: false,
        header_only: false,
        truncated: false,
        head_length: None,
    };
    write_response(out, &r, false, false, false);
}

/// nginx's reason phrases (`ngx_http_status_lines`); empty where nginx has none.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Time-out",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Large",
        415 => "Unsupported Media Type",
        416 => "Requested Range Not Satisfiable",
        421 => "Misdirected Request",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Temporarily Unavailable",
        504 => "Gateway Time-out",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        _ => "",
    }
}

/// The `Date` header's value, formatted once a second per worker.
struct DateCache {
    secs: i64,
    text: String,
}

impl DateCache {
    fn now(&mut self) -> &[u8] {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()) as i64;
        if secs != self.secs {
            self.secs = secs;
            self.text = crate::ngx_util::http_time(secs);
        }
        self.text.as_bytes()
    }
}

thread_local! {
    static DATE: std::cell::RefCell<DateCache> =
        const { std::cell::RefCell::new(DateCache { secs: -1, text: String::new() }) };
}
