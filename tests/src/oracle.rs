//! The nginx oracle: run a `corpus/ngx/conf/<case>/` configuration under real nginx +
//! ngx_lua or under `moonshift serve`, send its requests over HTTP, and reduce what came
//! back to what both must agree on.
//!
//! A case is a directory holding `nginx.conf` (a configuration as a user writes it: `events`
//! and `http`, listening on [`CONF_PORT`]), any Lua files it loads, `requests.jsonl` (the
//! traffic format of `moonshift_host::traffic`) and `expected.jsonl`, what real nginx
//! answered, written by `scripts/record-ngx-oracle` and never by hand. A file named
//! `instance-reuse` marks a case whose requests depend on Lua state kept between them:
//! moonshift serves it with `--instance-reuse` on one worker, as the oracle's nginx runs.
//!
//! What is compared ([`Observed`]): the status (0 when the connection closed without an
//! answer), the response headers except `Date`, `Server`, `Connection` and `Keep-Alive`,
//! with names lowercased (the recordings were made so when moonshift's responses went
//! through hyper, which wrote names in title case), in order; the body; and the error-log lines the request caused: level and
//! message, without nginx's time stamp, pid, connection number, `, client: ...` tail,
//! `while ...` context and `stack traceback`.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use moonshift_host::ngx::Request;
use serde::{Deserialize, Serialize};

/// The port every oracle configuration listens on (nginx runs one case at a time).
pub const CONF_PORT: u16 = 18480;

/// What a request produced, reduced to what both servers must agree on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observed {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub log: Vec<(String, String)>,
}

/// A raw HTTP response.
pub struct RawResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Sends `req` on a new connection with `Connection: close` (HTTP/1.1; an HTTP/1.0
/// request closes by default) and `Host: localhost` unless it has one, and reads the
/// response to the end of the connection.
pub fn send(addr: SocketAddr, req: &Request) -> Result<RawResponse, String> {
    let mut s = TcpStream::connect(addr).map_err(|e| format!("connect {addr}: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(|e| e.to_string())?;
    let version = if req.http10 { "1.0" } else { "1.1" };
    let mut out = format!("{} ", req.method).into_bytes();
    out.extend_from_slice(&req.uri);
    out.extend_from_slice(format!(" HTTP/{version}\r\n").as_bytes());
    if !req
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("host"))
    {
        out.extend_from_slice(b"Host: localhost\r\n");
    }
    for (k, v) in &req.headers {
        out.extend_from_slice(k.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.extend_from_slice(b"\r\n");
    }
    if !req.body.is_empty()
        && !req
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    {
        out.extend_from_slice(format!("Content-Length: {}\r\n", req.body.len()).as_bytes());
    }
    if !req.http10 {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&req.body);
    s.write_all(&out).map_err(|e| e.to_string())?;
    let mut data = Vec::new();
    // A reset connection (the server dropped it) reads as what arrived before.
    let _ = s.read_to_end(&mut data);
    parse_response(&data, req.method == "HEAD")
}

fn parse_response(data: &[u8], head: bool) -> Result<RawResponse, String> {
    if data.is_empty() {
        return Ok(RawResponse {
            status: 0,
            headers: vec![],
            body: vec![],
        });
    }
    let end = data
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or("response without the end of its header")?;
    let head_text = String::from_utf8_lossy(&data[..end]);
    let mut lines = head_text.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("bad status line {status_line:?}"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect();
    let rest = &data[end + 4..];
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if head {
        Vec::new()
    } else if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    Ok(RawResponse {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..nl]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .unwrap_or(0);
        data = &data[nl + 2..];
        if size == 0 || data.len() < size {
            out.extend_from_slice(&data[..size.min(data.len())]);
            return out;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

/// The parts of a response both servers must agree on.
pub fn observe(r: &RawResponse, log: Vec<(String, String)>) -> Observed {
    let headers = r
        .headers
        .iter()
        .filter(|(k, _)| {
            !["date", "server", "connection", "keep-alive"]
                .contains(&k.to_ascii_lowercase().as_str())
        })
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .collect();
    Observed {
        status: r.status,
        headers,
        body: String::from_utf8_lossy(&r.body).into_owned(),
        log,
    }
}

/// An nginx error-log entry (possibly several lines) reduced to level and message;
/// `None` for lines that belong to no request.
pub fn reduce_log_entry(entry: &str) -> Option<(String, String)> {
    // 2026/11/26 14:31:35 [error] 3904#3904: *1 message, client: ...
    let rest = entry.get(20..)?;
    let rest = rest.strip_prefix('[')?;
    let (level, rest) = rest.split_once("] ")?;
    let (_, rest) = rest.split_once(": ")?;
    let rest = rest.strip_prefix('*')?;
    let (_, mut msg) = rest.split_once(' ')?;
    // nginx-light is built with debugging: keep only the debug lines Lua wrote, and drop
    // what the connection itself logs.
    if level == "debug" && !msg.starts_with("[lua] ") {
        return None;
    }
    if level == "info" && msg.starts_with("client ") && msg.contains("closed") {
        return None;
    }
    if let Some(i) = msg.find("\nstack traceback:") {
        msg = &msg[..i];
    }
    let mut msg = msg.to_string();
    if let Some(i) = msg.rfind(", client: ") {
        msg.truncate(i);
    }
    for ctx in [
        " while logging request",
        " while sending to client",
        " while sending response to client",
        " while reading client request body",
    ] {
        if let Some(m) = msg.strip_suffix(ctx) {
            msg = m.to_string();
        }
    }
    Some((level.to_string(), msg))
}

/// Splits an error log into entries: a line that starts with a time stamp begins one.
pub fn log_entries(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let starts = line.len() > 20
            && line.as_bytes()[4] == b'/'
            && line.as_bytes()[7] == b'/'
            && line.as_bytes()[13] == b':';
        if starts || out.is_empty() {
            out.push(line.to_string());
        } else if let Some(last) = out.last_mut() {
            last.push('\n');
            last.push_str(line);
        }
    }
    out.retain(|l| !l.is_empty());
    out
}

/// A case directory.
pub struct Case {
    pub dir: PathBuf,
    pub name: String,
    pub requests: Vec<Request>,
}

/// Every case under `corpus/ngx/conf`, sorted by name; `MOONSHIFT_ORACLE_ONLY=208,227`
/// keeps the cases whose names start with one of those prefixes (for working on a few).
pub fn cases(root: &Path) -> Vec<Case> {
    let base = root.join("corpus/ngx/conf");
    let only: Vec<String> = std::env::var("MOONSHIFT_ORACLE_ONLY")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&base)
        .unwrap_or_else(|e| panic!("reading {}: {e}", base.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.join("nginx.conf").exists())
        .filter(|p| {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
            only.is_empty()
                || only
                    .iter()
                    .any(|o| name.as_ref().is_some_and(|n| n.starts_with(o.as_str())))
        })
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let text = std::fs::read_to_string(dir.join("requests.jsonl"))
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            let requests = moonshift_host::traffic::parse_traffic(&text)
                .unwrap_or_else(|e| panic!("{}/requests.jsonl: {e}", dir.display()));
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            Case {
                dir,
                name,
                requests,
            }
        })
        .collect()
}

/// The recorded answers of a case, one per request.
pub fn expected(case: &Case) -> Result<Vec<Observed>, String> {
    let path = case.dir.join("expected.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).map_err(|e| format!("{}: {e}", path.display())))
        .collect()
}

/// The nginx modules of Debian's libnginx-mod-http-lua.
const MODULES: [&str; 2] = [
    "/usr/lib/nginx/modules/ndk_http_module.so",
    "/usr/lib/nginx/modules/ngx_http_lua_module.so",
];

/// Whether real nginx with ngx_lua is installed (`scripts/setup` installs it).
pub fn nginx_available() -> bool {
    Path::new("/usr/sbin/nginx").exists() && MODULES.iter().all(|m| Path::new(m).exists())
}

/// Real nginx running one case from a private prefix.
pub struct Nginx {
    child: Child,
    prefix: PathBuf,
}

impl Nginx {
    /// Copies the case into a fresh prefix, adds the main-context lines nginx needs there
    /// (modules, foreground, pid and error log files, temp paths) and starts nginx.
    pub fn start(case: &Case) -> Result<Nginx, String> {
        let prefix = fresh_copy(case)?;
        std::fs::create_dir_all(prefix.join("logs")).map_err(|e| e.to_string())?;
        let user =
            std::fs::read_to_string(case.dir.join("nginx.conf")).map_err(|e| e.to_string())?;
        let mut conf = String::new();
        for m in MODULES {
            conf.push_str(&format!("load_module {m};\n"));
        }
        let p = prefix.display();
        conf.push_str(&format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {p}/logs/nginx.pid;\n\
             error_log {p}/logs/error.log debug;\n"
        ));
        // The user's text follows unchanged, so its line numbers move by the lines above:
        // put them on the first line instead.
        let header = conf.replace('\n', " ");
        let user = user.replacen(
            "http {",
            &format!(
                "http {{ client_body_temp_path {p}/tmp; proxy_temp_path {p}/tmp; \
                 fastcgi_temp_path {p}/tmp; uwsgi_temp_path {p}/tmp; scgi_temp_path {p}/tmp; \
                 access_log off; server_tokens off;"
            ),
            1,
        );
        std::fs::write(prefix.join("nginx.conf"), format!("{header}{user}"))
            .map_err(|e| e.to_string())?;
        let child = Command::new("/usr/sbin/nginx")
            .arg("-p")
            .arg(&prefix)
            .arg("-c")
            .arg(prefix.join("nginx.conf"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("starting nginx: {e}"))?;
        let mut n = Nginx { child, prefix };
        let addr = SocketAddr::from(([127, 0, 0, 1], CONF_PORT));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect(addr).is_err() {
            if let Ok(Some(_)) = n.child.try_wait() {
                let mut err = String::new();
                if let Some(mut e) = n.child.stderr.take() {
                    let _ = e.read_to_string(&mut err);
                }
                return Err(format!("nginx did not start for {}: {err}", case.name));
            }
            if Instant::now() > deadline {
                return Err(format!("nginx did not listen for {}", case.name));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(n)
    }

    fn log_len(&self) -> usize {
        std::fs::metadata(self.prefix.join("logs/error.log")).map_or(0, |m| m.len() as usize)
    }

    /// Sends one request and returns what it produced, with the log lines it caused.
    pub fn request(&mut self, req: &Request) -> Result<Observed, String> {
        let before = self.log_len();
        let r = send(SocketAddr::from(([127, 0, 0, 1], CONF_PORT)), req)?;
        // The log phase ran before the connection closed; give the write a moment.
        std::thread::sleep(Duration::from_millis(30));
        let text = std::fs::read(self.prefix.join("logs/error.log")).map_err(|e| e.to_string())?;
        let new = String::from_utf8_lossy(&text[before.min(text.len())..]).into_owned();
        let log = log_entries(&new)
            .iter()
            .filter_map(|e| reduce_log_entry(e))
            .collect();
        Ok(observe(&r, log))
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.prefix);
    }
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), target)?;
        }
    }
    Ok(())
}

/// Where every run of a case serves it from: one fixed path, so that chunk names of
/// `_file` handlers and module paths in messages are the same for nginx and moonshift.
pub fn case_prefix(case: &Case) -> PathBuf {
    PathBuf::from("/tmp/moonshift-oracle").join(&case.name)
}

/// A fresh copy of the case at [`case_prefix`].
fn fresh_copy(case: &Case) -> Result<PathBuf, String> {
    let prefix = case_prefix(case);
    let _ = std::fs::remove_dir_all(&prefix);
    copy_dir(&case.dir, &prefix).map_err(|e| format!("copying the case: {e}"))?;
    Ok(prefix)
}

/// Runs of a case hold this: they share its path.
static CASE_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Runs every request of a case on real nginx.
pub fn run_nginx(case: &Case) -> Result<Vec<Observed>, String> {
    let _guard = CASE_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let mut n = Nginx::start(case)?;
    case.requests.iter().map(|r| n.request(r)).collect()
}

/// Runs every request of a case on `moonshift serve` (in this process) with `engine`
/// (`"wasm"` or `"luajit"`).
pub fn run_moonshift(case: &Case, engine: &str) -> Result<Vec<Observed>, String> {
    let _guard = CASE_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let (server, log, resets) = start_moonshift(case, engine)?;
    let addr = server.addrs[0];
    let mut out = Vec::new();
    for req in &case.requests {
        let before = log
            .lines
            .as_ref()
            .map_or(0, |l| l.lock().expect("log").len());
        let r = send(addr, req)?;
        let lines = log.lines.as_ref().expect("kept lines");
        let lines = lines.lock().expect("log");
        let new = lines[before..]
            .iter()
            .map(|(_, l)| (l.level.clone(), l.text().into_owned()))
            .collect();
        out.push(observe(&r, new));
    }
    drop(server);
    if let Some((mismatches, _)) = resets {
        let n = mismatches.load(std::sync::atomic::Ordering::Relaxed);
        if n > 0 {
            return Err(format!(
                "after {n} request(s) an instance put back to the image still differed \
                 from it: a write the tracking missed"
            ));
        }
    }
    Ok(out)
}

/// A readable account of how two observations differ.
pub fn explain(req: &Request, want: &Observed, got: &Observed) -> String {
    let mut s = format!("{} {}\n", req.method, String::from_utf8_lossy(&req.uri));
    if want.status != got.status {
        s.push_str(&format!(
            "  status: nginx {} moonshift {}\n",
            want.status, got.status
        ));
    }
    let parts: [(&str, String, String); 3] = [
        (
            "headers",
            format!("{:?}", want.headers),
            format!("{:?}", got.headers),
        ),
        (
            "body",
            format!("{:?}", want.body),
            format!("{:?}", got.body),
        ),
        ("log", format!("{:?}", want.log), format!("{:?}", got.log)),
    ];
    for (what, w, g) in parts {
        if w != g {
            s.push_str(&format!("  {what}:\n    nginx    {w}\n    moonshift {g}\n"));
        }
    }
    s
}

/// `moonshift serve` of a case (in this process, on a port of its own) with `engine`
/// (`"wasm"` or `"luajit"`), on one worker as the recorder's nginx runs, its error log,
/// and for the wasm arm's instances put back to the image after each request, the count
/// of resets that left memory different from the image (checked after every reset) and
/// of instances put back.
pub fn start_moonshift(
    case: &Case,
    engine: &str,
) -> Result<
    (
        moonshift_host::http::Server,
        std::sync::Arc<moonshift_host::http::ErrorLog>,
        Option<ResetCounts>,
    ),
    String,
> {
    use moonshift_host::conf::Conf;
    use moonshift_host::gateway::{Backend, Gateway};
    use moonshift_host::http;
    use std::sync::Arc;
    let prefix = fresh_copy(case)?;
    let conf = Conf::load(&prefix.join("nginx.conf")).map_err(|e| e.to_string())?;
    let limits = moonshift_host::wasm::Limits::default();
    // A case whose requests depend on state kept between them (module globals) is
    // served as nginx serves it here: one worker whose Lua state persists.
    let reuse = case.dir.join("instance-reuse").exists();
    let mut resets = None;
    let backend: Box<dyn Backend> = match engine {
        "luajit" => Box::new(
            moonshift_host::reference::ConfReference::new(conf.sources(), Some(conf.module_path()))
                .with_shared_dicts(conf.dict_names()),
        ),
        _ => {
            let path = moonshift_frontend::ModulePath::parse(&conf.module_path());
            let (wasm, entries) = moonshift_backend::compile_handlers(&conf.sources(), &path)
                .map_err(|e| e.render())?;
            let program = moonshift_host::wasm::ConfProgram::new_cached(
                &wasm,
                entries,
                limits,
                None,
                conf.dict_names(),
                !reuse,
            )
            .map_err(|e| format!("{e:#}"))?;
            resets = program.verify_resets();
            Box::new(program)
        }
    };
    let gw = Arc::new(Gateway::new(conf, backend).with_instance_reuse(reuse));
    gw.startup()?;
    let log = Arc::new(http::ErrorLog::new(None, "debug", true));
    // One worker, as the recorder's nginx runs (`master_process off`).
    let server = http::start(
        gw,
        log.clone(),
        Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        1,
    )?;
    Ok((server, log, resets))
}

/// Counts of a [`ConfProgram`](moonshift_host::wasm::ConfProgram)'s resets: those after
/// which memory differed from the image, and all of them.
pub type ResetCounts = (
    std::sync::Arc<std::sync::atomic::AtomicU64>,
    std::sync::Arc<std::sync::atomic::AtomicU64>,
);
