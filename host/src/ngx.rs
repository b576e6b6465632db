//! The ngx API, implemented once in Rust.
//!
//! Both arms — the LuaJIT reference ([`crate::reference`]) and the compiled wasm module
//! ([`crate::wasm`]) — build the same `ngx` table from [`ngx_table`] and route every call of an
//! ngx function or metamethod to [`NgxRequest::call`]. Whatever the harness then reports as a
//! difference between the arms is the compiler's, never the API's.
//!
//! The behaviour follows lua-nginx-module (with lua-resty-core, as OpenResty and Debian ship
//! it) for a `content_by_lua_file` handler. What is modelled, and what is simplified:
//!
//! - **Output** (`ngx.say`, `ngx.print`): the argument rules and messages of
//!   `ngx_http_lua_ngx_echo` (strings, numbers, booleans, nil, `ngx.null`, nested array
//!   tables; numbers that are integral and fit a C `int` print as integers, others with
//!   `%.14g`; a non-array table is `non-array table found`). Both return `1`. The first
//!   output sends the headers (status 200 unless set). Argument errors name the function
//!   as the calling code did ([`Arm::callee_name`]), `?` when it had no name.
//! - **Headers**: `Content-Type` (the page's own on nginx's error pages, else
//!   `ngx.header.content_type`, else the `types` match of the URI's extension, else
//!   `default_type`, which is `text/plain` for a plain script), then the headers set with
//!   `ngx.header` (as `header_filter_by_lua*` left them), then `add_header`'s; none for
//!   204 and 304. `Server`, `Date`,
//!   `Connection` and the framing headers are the HTTP layer's ([`crate::http`]). HEAD,
//!   204 and 304 responses carry no body. Phases, variables, redirects and the rest of
//!   the API that `serve` uses are described at each function.
//! - **Error pages** are nginx's built-in ones with `server_tokens off`
//!   (`<hr><center>nginx</center>`), CRLF line ends, for the codes nginx has a page for.
//! - **`ngx.exit(status)`** follows `ngx_http_lua_ffi_exit` and `ngx_http_lua_handle_exit`:
//!   0 ends the handler normally; 2xx (but 204) sends the headers and an empty body; 204
//!   and codes from 300 up give the error page when nothing was sent; a status >= 300 after
//!   output was sent
//!   logs `attempt to set status N via ngx.exit after sending out the response status M` and
//!   is treated as 200. Codes that make nginx drop the connection (`ngx.ERROR`, 444, 408,
//!   499, other codes below 200) give a [`Response`] with status 0, no headers, and whatever
//!   body was already sent. The argument must be a number (FFI `int` conversion: truncation).
//! - **Uncaught errors**: `lua entry thread aborted: runtime error: <msg>` at level `error`
//!   (without nginx's `\nstack traceback:...` tail); a 500 error page if nothing was sent,
//!   otherwise the response as sent so far (a real client would see it truncated).
//!   A non-string error object is reported as `unknown reason` ([`lua_error_message`]).
//! - **`ngx.log(level, ...)`**: `log_wrapper` of `ngx_http_lua_log.c`, including its argument
//!   numbering (arguments counted after the level) and the `[lua] file.lua:LINE: fn(): `
//!   prefix (basename of the caller's `short_src`, and the calling function's name when it
//!   is a named Lua function, see [`Arm::caller_name`]). A table argument is always an error
//!   (`expected table to have __tostring metamethod`): `__tostring` metamethods are not
//!   called. Every level is recorded (as with `error_log ... debug`) unless
//!   [`NgxRequest::set_error_log_level`] says otherwise. A log line holds only nginx's level
//!   word and the message: no time stamp, pid, connection number or `, client: ...` suffix.
//!   The global `print` ([`HostFn::GlobalPrint`], see [`ngx_globals`]) logs at `notice`.
//! - **`ngx.status`** (through the `ngx` metatable): 0 until set or until output is sent;
//!   setting it after the headers were sent logs
//!   `attempt to set ngx.status after sending out response headers`; a non-numeric value is
//!   an FFI conversion error. `ngx.headers_sent` and `ngx.is_subrequest` are also answered.
//! - **`ngx.var`**: names are case-insensitive. `uri` (percent-decoded, slashes merged, dot
//!   segments resolved; invalid escapes are kept, where nginx would answer 400),
//!   `document_uri`, `request_uri`, `args` / `query_string` (nil without a `?`), `is_args`,
//!   `request_method`, `arg_NAME` (raw, first match, name case-insensitive, as
//!   `ngx_http_arg`), `http_NAME` (several headers joined with `, `, or `; ` for `cookie`, as
//!   nginx >= 1.23), `cookie_NAME`, `content_type`, `content_length`, `host` (Host header
//!   lowercased without port, else `localhost`), `server_name` = `localhost`,
//!   `remote_addr` / `server_addr` = `127.0.0.1`, `scheme` = `http`, `server_port` = `80`,
//!   `server_protocol` (`HTTP/1.1` or `HTTP/1.0`). Unknown names are nil. Only `args` is
//!   writable; the write errors are lua-resty-core's messages, without the position prefix
//!   they get from inside `resty/core/var.lua`.
//! - **`ngx.req.get_method()`**, **`ngx.req.get_headers(max, raw)`** (lowercased names unless
//!   `raw`; repeated headers become an array in request order; at most 100 headers by default,
//!   0 = unlimited, `"truncated"` as a second result). The result is a plain table: the real
//!   one has a metatable that also finds `h["Content-Type"]` and `h.content_type`.
//! - Error messages of FFI-based functions in lua-resty-core carry a position inside the
//!   library (`.../resty/core/*.lua:NN:`); that prefix is left out here.

use smallvec::{SmallVec, smallvec};
use std::fmt::Write as _;

pub use crate::conf::Phase;

/// Where Debian's lua-resty-core keeps its modules: errors raised inside them carry
/// positions there.
const RESTY_CORE: &str = "/usr/share/lua/5.1/resty/core";

/// A request as the harness sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// Path and optional `?query`, exactly as sent (bytes: nginx takes any byte above
    /// a space there).
    pub uri: Vec<u8>,
    /// Names and values as sent (values are bytes: nginx passes on what clients send).
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    /// The request line said HTTP/1.0 (else HTTP/1.1).
    pub http10: bool,
}

impl Request {
    /// Whether the client asked to keep the connection open ([`keep_alive`]).
    pub fn keep_alive(&self) -> bool {
        keep_alive(self.http10, &self.headers)
    }
}

/// Whether a client sending `headers` keeps the connection for another request (nginx's
/// `r->keepalive`): HTTP/1.1 unless a `Connection` header says `close`, HTTP/1.0 only when
/// one says `keep-alive`.
pub fn keep_alive(http10: bool, headers: &[(String, Vec<u8>)]) -> bool {
    let says = |token: &[u8]| {
        headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("connection")
                && v.split(|&c| c == b',')
                    .any(|t| t.trim_ascii().eq_ignore_ascii_case(token))
        })
    };
    if http10 {
        says(b"keep-alive")
    } else {
        !says(b"close")
    }
}

/// What a handler produced: the response as a client would see it, plus the error log.
///
/// `status == 0` means nginx closed the connection without sending a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    /// Names and values as they go out (values are bytes: nginx sends what Lua set).
    pub headers: Vec<(String, Vec<u8>)>,
    pub body: Vec<u8>,
    pub log: Vec<LogLine>,
    /// The body is sent with chunked transfer encoding (Lua output without a
    /// Content-Length), not with a Content-Length (nginx's own pages, `return`).
    pub chunked: bool,
    /// A HEAD answer to Lua output: neither Content-Length nor Transfer-Encoding.
    pub header_only: bool,
    /// The connection closes after `body` without ending the response.
    pub truncated: bool,
    /// A HEAD answer of nginx's own text (`return`, its error pages): the length the body
    /// would have had, sent as its Content-Length.
    pub head_length: Option<usize>,
}

/// One error-log line: nginx's level word and the message.
#[derive(Clone, PartialEq, Eq)]
pub struct LogLine {
    /// `"error"`, `"warn"`, `"info"`, ... as nginx prints it between brackets; `""` for
    /// `ngx.STDERR`.
    pub level: String,
    /// Bytes: nginx writes what the handler logged, UTF-8 or not.
    pub message: Vec<u8>,
}

impl LogLine {
    /// The message as text, bytes that are not UTF-8 shown as U+FFFD (for reports and
    /// tests; the error log gets the bytes).
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.message)
    }
}

/// The message as [`LogLine::text`], so that what a failing test prints reads as the log.
impl std::fmt::Debug for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogLine")
            .field("level", &self.level)
            .field("message", &self.text())
            .finish()
    }
}

/// A Lua value copied out of (or into) an arm.
#[derive(Clone, Debug, PartialEq)]
pub enum HostValue {
    Nil,
    Bool(bool),
    Number(f64),
    Str(Vec<u8>),
    /// Every key/value pair of a table (array part and hash part), in the arm's order.
    Table(Vec<(HostValue, HostValue)>),
    /// The NULL light userdata: `ngx.null`, `cjson.null`.
    Null,
    /// A function, userdata, thread, or a table nested deeper than the copy limit: its type
    /// name.
    Other(&'static str),
}

impl HostValue {
    /// The Lua type name (`lua_typename`).
    pub fn type_name(&self) -> &'static str {
        match self {
            HostValue::Nil => "nil",
            HostValue::Bool(_) => "boolean",
            HostValue::Number(_) => "number",
            HostValue::Str(_) => "string",
            HostValue::Table(_) => "table",
            HostValue::Null => "userdata",
            HostValue::Other(t) => t,
        }
    }

    /// A string value from Rust text.
    pub fn str(s: impl AsRef<[u8]>) -> HostValue {
        HostValue::Str(s.as_ref().to_vec())
    }
}

thread_local! {
    /// `ngx.worker.id()` and `ngx.worker.count()` on this thread: `serve`'s worker
    /// threads play nginx's worker processes (one worker elsewhere).
    static WORKER: std::cell::Cell<(u32, u32)> = const { std::cell::Cell::new((0, 1)) };
}

/// Makes this thread worker `id` of `count` for `ngx.worker`.
pub fn set_worker(id: u32, count: u32) {
    WORKER.set((id, count));
}

/// The host functions: the ids the wasm module imports them by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum HostFn {
    /// `ngx.say(...)`
    Say = 0,
    /// `ngx.print(...)`
    Print,
    /// `ngx.exit(status)`
    Exit,
    /// `ngx.log(level, ...)`
    Log,
    /// `__index` of the `ngx` table: `(t, key)`
    NgxIndex,
    /// `__newindex` of the `ngx` table: `(t, key, value)`
    NgxNewIndex,
    /// `__index` of `ngx.var`: `(t, name)`
    VarIndex,
    /// `__newindex` of `ngx.var`: `(t, name, value)`
    VarNewIndex,
    /// `ngx.req.get_method()`
    ReqGetMethod,
    /// `ngx.req.get_headers(max_headers?, raw?)`
    ReqGetHeaders,
    /// The global `print(...)` of ngx_lua: `ngx.log(ngx.NOTICE, ...)`.
    GlobalPrint,
    /// `__index` of `ngx.header`: `(t, name)`
    HeaderIndex,
    /// `__newindex` of `ngx.header`: `(t, name, value)`
    HeaderNewIndex,
    /// `ngx.resp.get_headers(max?, raw?)`
    RespGetHeaders,
    /// `ngx.req.get_uri_args(max?)`
    ReqGetUriArgs,
    /// `ngx.get_phase()`
    GetPhase,
    /// `ngx.redirect(uri, status?)`
    Redirect,
    /// `__index` of `ngx.arg`: `(t, i)`
    ArgIndex,
    /// `__newindex` of `ngx.arg`: `(t, i, v)`
    ArgNewIndex,
    /// `ngx.req.is_internal()`
    ReqIsInternal,
    /// `ngx.req.http_version()`
    ReqHttpVersion,
    /// `encode_base64`
    EncodeBase64,
    /// `decode_base64`
    DecodeBase64,
    /// `encode_args`
    EncodeArgs,
    /// `decode_args`
    DecodeArgs,
    /// `escape_uri`
    EscapeUri,
    /// `unescape_uri`
    UnescapeUri,
    /// `quote_sql_str`
    QuoteSqlStr,
    /// `md5`
    Md5,
    /// `md5_bin`
    Md5Bin,
    /// `sha1_bin`
    Sha1Bin,
    /// `hmac_sha1`
    HmacSha1,
    /// `crc32_short`
    Crc32Short,
    /// `crc32_long`
    Crc32Long,
    /// `time`
    Time,
    /// `now`
    Now,
    /// `today`
    Today,
    /// `localtime`
    Localtime,
    /// `utctime`
    Utctime,
    /// `update_time`
    UpdateTime,
    /// `http_time`
    HttpTime,
    /// `cookie_time`
    CookieTime,
    /// `parse_http_time`
    ParseHttpTime,
    /// `id`
    WorkerId,
    /// `count`
    WorkerCount,
    /// `pid`
    WorkerPid,
    /// `prefix`
    ConfigPrefix,
    /// `nginx_configure`
    ConfigNginxConfigure,
    /// `read_body`
    ReqReadBody,
    /// `get_body_data`
    ReqGetBodyData,
    /// `get_post_args`
    ReqGetPostArgs,
    /// `set_body_data`
    ReqSetBodyData,
    /// `discard_body`
    ReqDiscardBody,
    /// `get_body_file`
    ReqGetBodyFile,
    /// `set_method`
    ReqSetMethod,
    /// `set_uri_args`
    ReqSetUriArgs,
    /// `set_uri`
    ReqSetUri,
    /// `set_header`
    ReqSetHeader,
    /// `clear_header`
    ReqClearHeader,
    /// `raw_header`
    ReqRawHeader,
    /// `start_time`
    ReqStartTime,
    /// `flush`
    Flush,
    /// `eof`
    Eof,
    /// `exec`
    Exec,
    /// `__index` of a `get_headers` result: `h["Content-Type"]`, `h.content_type`
    HeadersIndex,
    /// `ngx.shared.DICT:get`
    ShGet,
    /// `ngx.shared.DICT:get_stale`
    ShGetStale,
    /// `ngx.shared.DICT:set`
    ShSet,
    /// `ngx.shared.DICT:safe_set`
    ShSafeSet,
    /// `ngx.shared.DICT:add`
    ShAdd,
    /// `ngx.shared.DICT:safe_add`
    ShSafeAdd,
    /// `ngx.shared.DICT:replace`
    ShReplace,
    /// `ngx.shared.DICT:delete`
    ShDelete,
    /// `ngx.shared.DICT:incr`
    ShIncr,
    /// `ngx.shared.DICT:ttl`
    ShTtl,
    /// `ngx.shared.DICT:expire`
    ShExpire,
    /// `ngx.shared.DICT:get_keys`
    ShGetKeys,
    /// `ngx.shared.DICT:flush_all`
    ShFlushAll,
    /// `ngx.shared.DICT:flush_expired`
    ShFlushExpired,
    /// `ngx.shared.DICT:capacity`
    ShCapacity,
    /// `ngx.shared.DICT:free_space`
    ShFreeSpace,
    /// `ngx.shared.DICT:lpush`
    ShLpush,
    /// `ngx.shared.DICT:rpush`
    ShRpush,
    /// `ngx.shared.DICT:lpop`
    ShLpop,
    /// `ngx.shared.DICT:rpop`
    ShRpop,
    /// `ngx.shared.DICT:llen`
    ShLlen,
}

impl HostFn {
    /// Every host function, in id order.
    pub const ALL: &'static [HostFn] = &[
        HostFn::Say,
        HostFn::Print,
        HostFn::Exit,
        HostFn::Log,
        HostFn::NgxIndex,
        HostFn::NgxNewIndex,
        HostFn::VarIndex,
        HostFn::VarNewIndex,
        HostFn::ReqGetMethod,
        HostFn::ReqGetHeaders,
        HostFn::GlobalPrint,
        HostFn::HeaderIndex,
        HostFn::HeaderNewIndex,
        HostFn::RespGetHeaders,
        HostFn::ReqGetUriArgs,
        HostFn::GetPhase,
        HostFn::Redirect,
        HostFn::ArgIndex,
        HostFn::ArgNewIndex,
        HostFn::ReqIsInternal,
        HostFn::ReqHttpVersion,
        HostFn::EncodeBase64,
        HostFn::DecodeBase64,
        HostFn::EncodeArgs,
        HostFn::DecodeArgs,
        HostFn::EscapeUri,
        HostFn::UnescapeUri,
        HostFn::QuoteSqlStr,
        HostFn::Md5,
        HostFn::Md5Bin,
        HostFn::Sha1Bin,
        HostFn::HmacSha1,
        HostFn::Crc32Short,
        HostFn::Crc32Long,
        HostFn::Time,
        HostFn::Now,
        HostFn::Today,
        HostFn::Localtime,
        HostFn::Utctime,
        HostFn::UpdateTime,
        HostFn::HttpTime,
        HostFn::CookieTime,
        HostFn::ParseHttpTime,
        HostFn::WorkerId,
        HostFn::WorkerCount,
        HostFn::WorkerPid,
        HostFn::ConfigPrefix,
        HostFn::ConfigNginxConfigure,
        HostFn::ReqReadBody,
        HostFn::ReqGetBodyData,
        HostFn::ReqGetPostArgs,
        HostFn::ReqSetBodyData,
        HostFn::ReqDiscardBody,
        HostFn::ReqGetBodyFile,
        HostFn::ReqSetMethod,
        HostFn::ReqSetUriArgs,
        HostFn::ReqSetUri,
        HostFn::ReqSetHeader,
        HostFn::ReqClearHeader,
        HostFn::ReqRawHeader,
        HostFn::ReqStartTime,
        HostFn::Flush,
        HostFn::Eof,
        HostFn::Exec,
        HostFn::HeadersIndex,
        HostFn::ShGet,
        HostFn::ShGetStale,
        HostFn::ShSet,
        HostFn::ShSafeSet,
        HostFn::ShAdd,
        HostFn::ShSafeAdd,
        HostFn::ShReplace,
        HostFn::ShDelete,
        HostFn::ShIncr,
        HostFn::ShTtl,
        HostFn::ShExpire,
        HostFn::ShGetKeys,
        HostFn::ShFlushAll,
        HostFn::ShFlushExpired,
        HostFn::ShCapacity,
        HostFn::ShFreeSpace,
        HostFn::ShLpush,
        HostFn::ShRpush,
        HostFn::ShLpop,
        HostFn::ShRpop,
        HostFn::ShLlen,
    ];

    /// A method of `ngx.shared.DICT`.
    pub fn is_shdict(self) -> bool {
        self.id() >= HostFn::ShGet.id()
    }

    pub fn from_id(id: u32) -> Option<HostFn> {
        HostFn::ALL.get(id as usize).copied()
    }

    pub fn id(self) -> u32 {
        self as u32
    }

    /// The name used in error messages (`bad argument #1 to 'say' ...`).
    pub fn name(self) -> &'static str {
        match self {
            HostFn::Say => "say",
            HostFn::Print => "print",
            HostFn::Exit => "exit",
            HostFn::Log => "log",
            HostFn::NgxIndex | HostFn::VarIndex | HostFn::HeaderIndex | HostFn::ArgIndex => {
                "__index"
            }
            HostFn::NgxNewIndex
            | HostFn::VarNewIndex
            | HostFn::HeaderNewIndex
            | HostFn::ArgNewIndex => "__newindex",
            HostFn::RespGetHeaders => "get_headers",
            HostFn::ReqGetUriArgs => "get_uri_args",
            HostFn::GetPhase => "get_phase",
            HostFn::Redirect => "redirect",
            HostFn::ReqIsInternal => "is_internal",
            HostFn::ReqHttpVersion => "http_version",
            HostFn::EncodeBase64 => "encode_base64",
            HostFn::DecodeBase64 => "decode_base64",
            HostFn::EncodeArgs => "encode_args",
            HostFn::DecodeArgs => "decode_args",
            HostFn::EscapeUri => "escape_uri",
            HostFn::UnescapeUri => "unescape_uri",
            HostFn::QuoteSqlStr => "quote_sql_str",
            HostFn::Md5 => "md5",
            HostFn::Md5Bin => "md5_bin",
            HostFn::Sha1Bin => "sha1_bin",
            HostFn::HmacSha1 => "hmac_sha1",
            HostFn::Crc32Short => "crc32_short",
            HostFn::Crc32Long => "crc32_long",
            HostFn::Time => "time",
            HostFn::Now => "now",
            HostFn::Today => "today",
            HostFn::Localtime => "localtime",
            HostFn::Utctime => "utctime",
            HostFn::UpdateTime => "update_time",
            HostFn::HttpTime => "http_time",
            HostFn::CookieTime => "cookie_time",
            HostFn::ParseHttpTime => "parse_http_time",
            HostFn::WorkerId => "id",
            HostFn::WorkerCount => "count",
            HostFn::WorkerPid => "pid",
            HostFn::ConfigPrefix => "prefix",
            HostFn::ConfigNginxConfigure => "nginx_configure",
            HostFn::ReqReadBody => "read_body",
            HostFn::ReqGetBodyData => "get_body_data",
            HostFn::ReqGetPostArgs => "get_post_args",
            HostFn::ReqSetBodyData => "set_body_data",
            HostFn::ReqDiscardBody => "discard_body",
            HostFn::ReqGetBodyFile => "get_body_file",
            HostFn::ReqSetMethod => "set_method",
            HostFn::ReqSetUriArgs => "set_uri_args",
            HostFn::ReqSetUri => "set_uri",
            HostFn::ReqSetHeader => "set_header",
            HostFn::ReqClearHeader => "clear_header",
            HostFn::ReqRawHeader => "raw_header",
            HostFn::ReqStartTime => "start_time",
            HostFn::Flush => "flush",
            HostFn::Eof => "eof",
            HostFn::Exec => "exec",
            HostFn::ShGet => "get",
            HostFn::ShGetStale => "get_stale",
            HostFn::ShSet => "set",
            HostFn::ShSafeSet => "safe_set",
            HostFn::ShAdd => "add",
            HostFn::ShSafeAdd => "safe_add",
            HostFn::ShReplace => "replace",
            HostFn::ShDelete => "delete",
            HostFn::ShIncr => "incr",
            HostFn::ShTtl => "ttl",
            HostFn::ShExpire => "expire",
            HostFn::ShGetKeys => "get_keys",
            HostFn::ShFlushAll => "flush_all",
            HostFn::ShFlushExpired => "flush_expired",
            HostFn::ShCapacity => "capacity",
            HostFn::ShFreeSpace => "free_space",
            HostFn::ShLpush => "lpush",
            HostFn::ShRpush => "rpush",
            HostFn::ShLpop => "lpop",
            HostFn::ShRpop => "rpop",
            HostFn::ShLlen => "llen",

            HostFn::ReqGetMethod => "get_method",
            HostFn::ReqGetHeaders => "get_headers",
            HostFn::HeadersIndex => "__index",
            HostFn::GlobalPrint => "print",
        }
    }
}

/// What a Lua arm provides to a host function call.
pub trait Arm {
    /// Number of arguments passed.
    fn nargs(&self) -> usize;
    /// Argument `i` (0-based), deep-copied; `Nil` past the end. Tables are converted
    /// recursively (array part and hash part), depth-limited ([`MAX_TABLE_DEPTH`]).
    fn arg(&mut self, i: usize) -> HostValue;
    /// Whether argument `i` is a table, without copying it.
    fn arg_is_table(&mut self, i: usize) -> bool {
        matches!(self.arg(i), HostValue::Table(_))
    }
    /// Appends argument `i` to `out` and returns `true` when it is a string; otherwise
    /// leaves `out` as it was and returns `false` (an arm may skip the copy into a
    /// [`HostValue`]).
    fn append_str_arg(&mut self, i: usize, out: &mut Vec<u8>) -> bool {
        match self.arg(i) {
            HostValue::Str(s) => {
                out.extend_from_slice(&s);
                true
            }
            _ => false,
        }
    }
    /// `"short_src:line"` of the Lua code that called the host function (what `luaL_where`
    /// would print, without the trailing `": "`), `""` if unknown.
    fn caller_position(&mut self) -> String {
        self.position_at(1)
    }
    /// [`Arm::caller_position`] `level - 1` frames further out (level 1 is the caller):
    /// lua-resty-core's `error(msg, level + 1)`.
    fn position_at(&mut self, level: u32) -> String;
    /// The name of the calling function when it is a named Lua function (not the main
    /// chunk), as `lua_getinfo(L, "n")` finds it: `greet` for `local function greet()`. Used
    /// by `ngx.log` for its `greet(): ` prefix. `None` if unknown or anonymous.
    fn caller_name(&mut self) -> Option<String> {
        None
    }
    /// The name the calling code used for the host function itself (`say` for
    /// `ngx.say(...)`), as `lua_getinfo(L, "n")` finds it for the argument errors of
    /// `luaL_argerror`; `None` (printed `?`) when it was called without a name (through
    /// `pcall`).
    fn callee_name(&mut self) -> Option<String> {
        None
    }
}

/// How deep [`Arm::arg`] copies nested tables; deeper ones become `Other("table")`.
pub const MAX_TABLE_DEPTH: usize = 32;

/// What a host call returns: one or two values, almost always, kept inline.
pub type Values = SmallVec<[HostValue; 2]>;

/// The result of a host call.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Return these values to the caller.
    Return(Values),
    /// The handler ends (`ngx.exit`): unwind the Lua code, through `pcall` too, and call
    /// [`NgxRequest::finish`].
    Exit,
    /// The arm must do `rawset(arg1, arg2, arg3)` itself (`ngx.foo = v` for keys other than
    /// `status`).
    RawSet,
    /// The arm must make a new table `t` with room for
    /// [`NEW_TABLE_HASH`](moonshift_abi::host::NEW_TABLE_HASH) keys,
    /// `rawset(arg1, arg2, t)` and return `t` (the request's `ngx.ctx`, made on first use;
    /// the next read finds it in the table).
    NewTable,
    /// The arm must empty the table that is argument `.0` (0-based), rawset into it the
    /// entries of `.1` (a [`HostValue::Table`]), and return it followed by `.2`: a result
    /// table the caller passed in (`ngx.req.get_uri_args(max, tab)`).
    Fill(usize, HostValue, Vec<HostValue>),
    /// The arm must return `rawget(arg .0, .1)`.
    RawGet(usize, HostValue),
    /// Return these values; the first gets a metatable made of host functions.
    ReturnMeta(Values, MetaSpec),
}

/// One entry of the `ngx` table's shape.
#[derive(Clone, Debug, PartialEq)]
pub enum Field {
    Func(HostFn),
    Value(HostValue),
    Table(Vec<(&'static str, Field)>, Option<MetaSpec>),
}

/// A metatable made of host functions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetaSpec {
    pub index: Option<HostFn>,
    pub newindex: Option<HostFn>,
}

/// nginx log levels (`ngx.STDERR` .. `ngx.DEBUG`).
pub const LOG_STDERR: i64 = 0;
pub const LOG_NOTICE: i64 = 6;
pub const LOG_DEBUG: i64 = 8;

const LOG_LEVEL_WORDS: [&str; 9] = [
    "", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
];

/// The `ngx` table: its fields and its metatable. Both arms build it from this.
pub fn ngx_table() -> (Vec<(&'static str, Field)>, Option<MetaSpec>) {
    let num = |n: f64| Field::Value(HostValue::Number(n));
    let mut t: Vec<(&'static str, Field)> = vec![
        ("say", Field::Func(HostFn::Say)),
        ("print", Field::Func(HostFn::Print)),
        ("exit", Field::Func(HostFn::Exit)),
        ("log", Field::Func(HostFn::Log)),
        ("OK", num(0.0)),
        ("ERROR", num(-1.0)),
        ("AGAIN", num(-2.0)),
        ("DONE", num(-4.0)),
        ("DECLINED", num(-5.0)),
        ("STDERR", num(0.0)),
        ("EMERG", num(1.0)),
        ("ALERT", num(2.0)),
        ("CRIT", num(3.0)),
        ("ERR", num(4.0)),
        ("WARN", num(5.0)),
        ("NOTICE", num(6.0)),
        ("INFO", num(7.0)),
        ("DEBUG", num(8.0)),
    ];
    const HTTP: &[(&str, u16)] = &[
        ("HTTP_CONTINUE", 100),
        ("HTTP_SWITCHING_PROTOCOLS", 101),
        ("HTTP_OK", 200),
        ("HTTP_CREATED", 201),
        ("HTTP_ACCEPTED", 202),
        ("HTTP_NO_CONTENT", 204),
        ("HTTP_PARTIAL_CONTENT", 206),
        ("HTTP_SPECIAL_RESPONSE", 300),
        ("HTTP_MOVED_PERMANENTLY", 301),
        ("HTTP_MOVED_TEMPORARILY", 302),
        ("HTTP_SEE_OTHER", 303),
        ("HTTP_NOT_MODIFIED", 304),
        ("HTTP_TEMPORARY_REDIRECT", 307),
        ("HTTP_PERMANENT_REDIRECT", 308),
        ("HTTP_BAD_REQUEST", 400),
        ("HTTP_UNAUTHORIZED", 401),
        ("HTTP_PAYMENT_REQUIRED", 402),
        ("HTTP_FORBIDDEN", 403),
        ("HTTP_NOT_FOUND", 404),
        ("HTTP_NOT_ALLOWED", 405),
        ("HTTP_NOT_ACCEPTABLE", 406),
        ("HTTP_REQUEST_TIMEOUT", 408),
        ("HTTP_CONFLICT", 409),
        ("HTTP_GONE", 410),
        ("HTTP_UPGRADE_REQUIRED", 426),
        ("HTTP_TOO_MANY_REQUESTS", 429),
        ("HTTP_CLOSE", 444),
        ("HTTP_ILLEGAL", 451),
        ("HTTP_INTERNAL_SERVER_ERROR", 500),
        ("HTTP_METHOD_NOT_IMPLEMENTED", 501),
        ("HTTP_BAD_GATEWAY", 502),
        ("HTTP_SERVICE_UNAVAILABLE", 503),
        ("HTTP_GATEWAY_TIMEOUT", 504),
        ("HTTP_VERSION_NOT_SUPPORTED", 505),
        ("HTTP_NOT_IMPLEMENTED", 501),
        ("HTTP_GET", 2),
        ("HTTP_HEAD", 4),
        ("HTTP_POST", 8),
        ("HTTP_PUT", 16),
        ("HTTP_DELETE", 32),
        ("HTTP_MKCOL", 64),
        ("HTTP_COPY", 128),
        ("HTTP_MOVE", 256),
        ("HTTP_OPTIONS", 512),
        ("HTTP_PROPFIND", 1024),
        ("HTTP_PROPPATCH", 2048),
        ("HTTP_LOCK", 4096),
        ("HTTP_UNLOCK", 8192),
        ("HTTP_PATCH", 16384),
        ("HTTP_TRACE", 32768),
        ("HTTP_INSUFFICIENT_STORAGE", 507),
    ];
    for &(name, code) in HTTP {
        t.push((name, num(f64::from(code))));
    }
    t.push((
        "var",
        Field::Table(
            vec![],
            Some(MetaSpec {
                index: Some(HostFn::VarIndex),
                newindex: Some(HostFn::VarNewIndex),
            }),
        ),
    ));
    t.push((
        "req",
        Field::Table(
            vec![
                ("get_method", Field::Func(HostFn::ReqGetMethod)),
                ("get_headers", Field::Func(HostFn::ReqGetHeaders)),
                ("get_uri_args", Field::Func(HostFn::ReqGetUriArgs)),
                ("is_internal", Field::Func(HostFn::ReqIsInternal)),
                ("http_version", Field::Func(HostFn::ReqHttpVersion)),
                ("read_body", Field::Func(HostFn::ReqReadBody)),
                ("get_body_data", Field::Func(HostFn::ReqGetBodyData)),
                ("get_post_args", Field::Func(HostFn::ReqGetPostArgs)),
                ("set_body_data", Field::Func(HostFn::ReqSetBodyData)),
                ("discard_body", Field::Func(HostFn::ReqDiscardBody)),
                ("get_body_file", Field::Func(HostFn::ReqGetBodyFile)),
                ("set_method", Field::Func(HostFn::ReqSetMethod)),
                ("set_uri_args", Field::Func(HostFn::ReqSetUriArgs)),
                ("set_uri", Field::Func(HostFn::ReqSetUri)),
                ("set_header", Field::Func(HostFn::ReqSetHeader)),
                ("clear_header", Field::Func(HostFn::ReqClearHeader)),
                ("raw_header", Field::Func(HostFn::ReqRawHeader)),
                ("start_time", Field::Func(HostFn::ReqStartTime)),
            ],
            None,
        ),
    ));
    t.push((
        "resp",
        Field::Table(
            vec![("get_headers", Field::Func(HostFn::RespGetHeaders))],
            None,
        ),
    ));
    t.push((
        "header",
        Field::Table(
            vec![],
            Some(MetaSpec {
                index: Some(HostFn::HeaderIndex),
                newindex: Some(HostFn::HeaderNewIndex),
            }),
        ),
    ));
    t.push((
        "arg",
        Field::Table(
            vec![],
            Some(MetaSpec {
                index: Some(HostFn::ArgIndex),
                newindex: Some(HostFn::ArgNewIndex),
            }),
        ),
    ));
    t.push(("get_phase", Field::Func(HostFn::GetPhase)));
    t.push(("encode_base64", Field::Func(HostFn::EncodeBase64)));
    t.push(("decode_base64", Field::Func(HostFn::DecodeBase64)));
    t.push(("encode_args", Field::Func(HostFn::EncodeArgs)));
    t.push(("decode_args", Field::Func(HostFn::DecodeArgs)));
    t.push(("escape_uri", Field::Func(HostFn::EscapeUri)));
    t.push(("unescape_uri", Field::Func(HostFn::UnescapeUri)));
    t.push(("quote_sql_str", Field::Func(HostFn::QuoteSqlStr)));
    t.push(("md5", Field::Func(HostFn::Md5)));
    t.push(("md5_bin", Field::Func(HostFn::Md5Bin)));
    t.push(("sha1_bin", Field::Func(HostFn::Sha1Bin)));
    t.push(("hmac_sha1", Field::Func(HostFn::HmacSha1)));
    t.push(("crc32_short", Field::Func(HostFn::Crc32Short)));
    t.push(("crc32_long", Field::Func(HostFn::Crc32Long)));
    t.push(("time", Field::Func(HostFn::Time)));
    t.push(("now", Field::Func(HostFn::Now)));
    t.push(("today", Field::Func(HostFn::Today)));
    t.push(("localtime", Field::Func(HostFn::Localtime)));
    t.push(("utctime", Field::Func(HostFn::Utctime)));
    t.push(("update_time", Field::Func(HostFn::UpdateTime)));
    t.push(("http_time", Field::Func(HostFn::HttpTime)));
    t.push(("cookie_time", Field::Func(HostFn::CookieTime)));
    t.push(("parse_http_time", Field::Func(HostFn::ParseHttpTime)));
    t.push(("null", Field::Value(HostValue::Null)));
    t.push(("flush", Field::Func(HostFn::Flush)));
    t.push(("eof", Field::Func(HostFn::Eof)));
    t.push(("exec", Field::Func(HostFn::Exec)));
    t.push((
        "worker",
        Field::Table(
            vec![
                ("id", Field::Func(HostFn::WorkerId)),
                ("count", Field::Func(HostFn::WorkerCount)),
                ("pid", Field::Func(HostFn::WorkerPid)),
            ],
            None,
        ),
    ));
    t.push((
        "config",
        Field::Table(
            vec![
                ("subsystem", Field::Value(HostValue::str("http"))),
                // Debian's nginx-light is built --with-debug.
                ("debug", Field::Value(HostValue::Bool(true))),
                (
                    "nginx_version",
                    Field::Value(HostValue::Number(1_022_001.0)),
                ),
                ("ngx_lua_version", Field::Value(HostValue::Number(10_023.0))),
                ("is_console", Field::Value(HostValue::Bool(false))),
                ("prefix", Field::Func(HostFn::ConfigPrefix)),
                ("nginx_configure", Field::Func(HostFn::ConfigNginxConfigure)),
            ],
            None,
        ),
    ));
    t.push(("redirect", Field::Func(HostFn::Redirect)));
    (
        t,
        Some(MetaSpec {
            index: Some(HostFn::NgxIndex),
            newindex: Some(HostFn::NgxNewIndex),
        }),
    )
}

/// The `ngx` table with `ngx.shared.NAME` for each `lua_shared_dict` (names live for the
/// process: a configuration is loaded once).
pub fn ngx_table_with(dicts: &[&'static str]) -> (Vec<(&'static str, Field)>, Option<MetaSpec>) {
    let (mut t, meta) = ngx_table();
    let methods: Vec<(&'static str, Field)> = HostFn::ALL
        .iter()
        .filter(|f| f.is_shdict())
        .map(|&f| (f.name(), Field::Func(f)))
        .collect();
    let shared = dicts
        .iter()
        .map(|&name| {
            let mut fields = methods.clone();
            fields.push(("__name", Field::Value(HostValue::str(name))));
            (name, Field::Table(fields, None))
        })
        .collect();
    t.push(("shared", Field::Table(shared, None)));
    (t, meta)
}

/// Globals that ngx_lua replaces besides `ngx`: `print` logs at `notice`.
pub fn ngx_globals() -> Vec<(&'static str, Field)> {
    vec![("print", Field::Func(HostFn::GlobalPrint))]
}

/// The message nginx logs for an uncaught Lua error object: strings as they are, numbers as
/// `tostring` prints them, anything else `unknown reason` (`lua_isstring` is false).
pub fn lua_error_message(err: &HostValue) -> String {
    match err {
        HostValue::Str(s) => String::from_utf8_lossy(s).into_owned(),
        HostValue::Number(n) => fmt_number(*n),
        _ => "unknown reason".to_string(),
    }
}

/// Per-request state: the request, the response being built, the log.
#[derive(Debug)]
pub struct NgxRequest {
    req: Request,
    /// The request's headers as the client sent them, saved when a handler first
    /// changes `req.headers` (`ngx.req.raw_header` reads what was sent, as nginx's reads
    /// the request's buffer).
    sent_headers: Option<Vec<(String, Vec<u8>)>>,
    /// `$args`: `None` when the request had no `?` (the variable is then nil).
    args: Option<Vec<u8>>,
    /// `r->headers_out.status`; 0 until set.
    status: i64,
    headers_sent: bool,
    header_only: bool,
    resp_headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
    log: Vec<LogLine>,
    /// `Some(code)` once `ngx.exit(code)` was called.
    exit_code: Option<i64>,
    /// Lines above this level are dropped (nginx's `error_log` level).
    log_level: i64,
    /// The phase of the handler running now.
    phase: Phase,
    /// nginx closed the connection (status 0 if nothing was sent).
    dropped: bool,
    /// The response is complete: later request phases do not run.
    finalized: bool,
    /// `default_type` of the location.
    default_type: Vec<u8>,
    /// `ngx.header.Content-Type` when set.
    content_type: Option<Vec<u8>>,
    /// Response headers set through `ngx.header`, in order (name as written, `_` as `-`).
    out_headers: Vec<(String, Vec<u8>)>,
    /// `add_header name value [always]` of the location (values already interpolated).
    add_headers: Vec<(String, Vec<u8>, bool)>,
    /// Variables the configuration declares with `set` (lowercase name, value if set).
    vars: Vec<(String, Option<Vec<u8>>)>,
    /// `ngx.header.content_length = nil`: the body goes chunked.
    length_cleared: bool,
    /// `ngx.header.content_length = N`: the body goes with a Content-Length.
    content_length: Option<Vec<u8>>,
    /// A HEAD request's would-be body length ([`Response::head_length`]).
    head_length: Option<usize>,
    /// `ngx.say`/`ngx.print`'s output buffer, kept between calls.
    echo_buf: Vec<u8>,
    /// The variable name of `ngx.var.NAME` reads, reused across them.
    var_name: Vec<u8>,
    /// `return`'s Location: a path is sent as a URL on this server.
    absolute_location: bool,
    /// Declared variables Lua set to nil (they read as nil, without a warning).
    nil_vars: Vec<String>,
    /// `$0`, `$1`... of the location's regex.
    captures: Vec<Option<Vec<u8>>>,
    /// The regex's named captures.
    named_captures: Vec<(String, Option<Vec<u8>>)>,
    /// `ngx.arg[i]`: set_by_lua's arguments, or body_filter's chunk and eof flag.
    pub phase_args: Vec<HostValue>,
    /// The request is handled inside the configuration (`ngx.exec`, `error_page`).
    internal: bool,
    /// Where each output call's data ends in `body` (the chunks the body filter sees).
    chunk_ends: Vec<usize>,
    /// The last data chunk carries the end of the response (nginx's own pages and
    /// `return`); otherwise an empty last chunk follows (Lua output).
    eof_in_last_chunk: bool,
    /// What a `set_by_lua` handler returned.
    set_result: Option<HostValue>,
    /// The Content-Type of nginx's own page being sent (`Some(empty)`: none).
    page_type: Option<Vec<u8>>,
    /// The type nginx's `types` give the URI's extension, used before `default_type`.
    ext_type: Option<Vec<u8>>,
    /// `ngx.config.prefix()`.
    prefix: String,
    /// `lua_shared_dict`s.
    shared: Option<std::sync::Arc<crate::shdict::SharedDicts>>,
    /// `ngx.req.read_body()` was called (or `lua_need_request_body on`).
    body_read: bool,
    body_discarded: bool,
    /// `$uri` after `ngx.req.set_uri` or an internal redirect.
    uri_override: Option<Vec<u8>>,
    /// `$uri` of the request as it came (its path normalised), made once.
    request_path: Vec<u8>,
    /// `ngx.req.set_uri(uri, true)`: find the location again.
    jump: bool,
    /// `ngx.exec(uri, args)`: the internal redirect to make.
    exec_to: Option<(Vec<u8>, Option<Vec<u8>>)>,
    /// `ngx.eof()` was called: later output is dropped.
    eof_sent: bool,
    /// How much of the body `ngx.flush` sent (a later failure leaves it with the client).
    flushed: usize,
    /// `ngx.req.start_time()`.
    start_time: f64,
    /// The connection closes after the flushed part of the body.
    truncated: bool,
    /// The code of the special response made, if any.
    special_code: Option<i64>,
    /// `error_page` is being served with this status.
    err_status: Option<i64>,
    /// `$server_name` (the server's first name) and `$server_port`.
    server_name: String,
    server_port: u16,
}

/// How a handler run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum RunEnd {
    /// It returned.
    Done,
    /// `ngx.exit` unwound it.
    Exit,
    /// An uncaught error with this message.
    Error(String),
}

fn arg_error(n: usize, fname: &str, msg: &str) -> String {
    format!("bad argument #{n} to '{fname}' ({msg})")
}

/// `luaL_typerror` for argument `n` of the running host function, named as the calling
/// code named it (`?` through `pcall`).
fn type_error(arm: &mut dyn Arm, n: usize, want: &str, got: &HostValue) -> String {
    let name = arm.callee_name().unwrap_or_else(|| "?".into());
    arg_error(
        n,
        &name,
        &format!("{want} expected, got {}", got.type_name()),
    )
}

/// `luaL_checknumber` of argument `n`, whose value is `v`: a number, or a string that
/// converts to one.
fn check_number(arm: &mut dyn Arm, n: usize, v: HostValue) -> Result<f64, String> {
    match &v {
        HostValue::Number(x) => Ok(*x),
        HostValue::Str(s) => lua_str_to_number(s).ok_or_else(|| type_error(arm, n, "number", &v)),
        _ => Err(type_error(arm, n, "number", &v)),
    }
}

impl NgxRequest {
    pub fn new(req: Request) -> Self {
        let (path, args) = match req.uri.iter().position(|&c| c == b'?') {
            Some(q) => (
                &req.uri[..q],
                Some(req.uri[q + 1..].to_vec()).filter(|a| !a.is_empty()),
            ),
            None => (&req.uri[..], None),
        };
        let request_path = normalize_uri(path);
        NgxRequest {
            req,
            sent_headers: None,
            args,
            status: 0,
            headers_sent: false,
            header_only: false,
            resp_headers: Vec::new(),
            body: Vec::new(),
            log: Vec::new(),
            exit_code: None,
            log_level: LOG_DEBUG,
            phase: Phase::Content,
            dropped: false,
            finalized: false,
            default_type: b"text/plain".to_vec(),
            content_type: None,
            out_headers: Vec::new(),
            add_headers: Vec::new(),
            vars: Vec::new(),
            nil_vars: Vec::new(),
            length_cleared: false,
            content_length: None,
            head_length: None,
            echo_buf: Vec::new(),
            var_name: Vec::new(),
            absolute_location: false,
            captures: Vec::new(),
            named_captures: Vec::new(),
            phase_args: Vec::new(),
            internal: false,
            chunk_ends: Vec::new(),
            eof_in_last_chunk: false,
            set_result: None,
            page_type: None,
            ext_type: None,
            prefix: String::new(),
            shared: None,
            body_read: false,
            body_discarded: false,
            uri_override: None,
            request_path,
            jump: false,
            exec_to: None,
            eof_sent: false,
            flushed: 0,
            truncated: false,
            special_code: None,
            err_status: None,
            start_time: {
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                now.as_secs() as f64 + f64::from(now.subsec_millis()) / 1000.0
            },
            server_name: "localhost".into(),
            server_port: 80,
        }
    }

    /// The configuration's shared dictionaries.
    pub fn set_shared(&mut self, dicts: std::sync::Arc<crate::shdict::SharedDicts>) {
        self.shared = Some(dicts);
    }

    /// `ngx.config.prefix()`: the directory of the configuration, with a trailing `/`.
    pub fn set_prefix(&mut self, prefix: &str) {
        self.prefix = prefix.to_string();
    }

    /// The server that handles the request: its first `server_name` and its port.
    pub fn set_server(&mut self, name: &str, port: u16) {
        self.server_name = name.to_string();
        self.server_port = port;
    }

    /// The phase the next handler runs in.
    pub fn set_phase(&mut self, phase: Phase) {
        self.phase = phase;
        self.exit_code = None;
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// Whether the response is complete (no more request phases run).
    pub fn finalized(&self) -> bool {
        self.finalized
    }

    pub fn headers_sent(&self) -> bool {
        self.headers_sent
    }

    /// The location's `default_type` and `add_header` list.
    pub fn set_location_settings(
        &mut self,
        default_type: Vec<u8>,
        add_headers: Vec<(String, Vec<u8>, bool)>,
    ) {
        self.default_type = default_type;
        self.add_headers = add_headers;
    }

    /// Declares the variables `set` creates somewhere in the configuration (distinct
    /// names; unset until a `set` runs).
    pub fn declare_vars(&mut self, names: &[String]) {
        self.vars.extend(names.iter().map(|n| (n.clone(), None)));
    }

    /// `set $name value` (name lowercase).
    pub fn set_var(&mut self, name: &str, value: Vec<u8>) {
        match self.vars.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = Some(value),
            None => self.vars.push((name.to_string(), Some(value))),
        }
    }

    /// Marks the request internal (`ngx.req.is_internal()`).
    pub fn set_internal(&mut self) {
        self.internal = true;
    }

    /// Ends the request with `return code [text]` of the rewrite module.
    pub fn rewrite_return(&mut self, code: i64, text: Option<Vec<u8>>) {
        match (code, text) {
            (301 | 302 | 303 | 307 | 308, Some(url)) => {
                // absolute_redirect makes a path a URL on this server when the header is
                // written (after header_filter_by_lua, which sees the path).
                self.absolute_location = true;
                self.out_headers.push(("Location".into(), url));
                self.special(code);
            }
            (c, Some(text)) if c >= 200 => {
                self.status = c;
                self.send_header_if_needed();
                if !self.header_only {
                    self.body = text;
                } else if self.req.method == "HEAD" {
                    self.head_length = Some(text.len());
                }
                self.eof_in_last_chunk = true;
                self.finalized = true;
            }
            (c, _) => self.finalize_code(c),
        }
    }

    /// A static-file location answered `code` (no file serving in moonshift).
    pub fn not_found(&mut self) {
        self.special(404);
    }

    /// Replaces the response body with the body filter's output, one chunk per call
    /// of the filter (`chunk_ends`: where each ends), as nginx sends them.
    pub fn set_body(&mut self, body: Vec<u8>, chunk_ends: Vec<usize>) {
        self.body = body;
        self.chunk_ends = chunk_ends;
    }

    /// The body as the chunks the body filter sees, each with its eof flag.
    pub fn body_chunks(&self) -> Vec<(Vec<u8>, bool)> {
        let mut out = Vec::new();
        let mut start = 0;
        for &end in &self.chunk_ends {
            if end > start || !self.eof_in_last_chunk {
                out.push((self.body[start..end].to_vec(), false));
            }
            start = end;
        }
        if start < self.body.len() {
            out.push((self.body[start..].to_vec(), false));
        }
        match out.last_mut() {
            Some(last) if self.eof_in_last_chunk => last.1 = true,
            _ => out.push((Vec::new(), true)),
        }
        out
    }

    /// nginx's complex values: `$name` and `${name}` replaced by the variable's value.
    pub fn interpolate(&mut self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            if text[i] != b'$' {
                out.push(text[i]);
                i += 1;
                continue;
            }
            let (name, next) = if text.get(i + 1) == Some(&b'{') {
                match text[i + 2..].iter().position(|&c| c == b'}') {
                    Some(end) => (&text[i + 2..i + 2 + end], i + 3 + end),
                    None => (&text[i + 1..i + 1], i + 1),
                }
            } else {
                let end = text[i + 1..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                    .map_or(text.len(), |p| i + 1 + p);
                (&text[i + 1..end], end)
            };
            if name.is_empty() {
                out.push(b'$');
                i += 1;
                continue;
            }
            let lname = name.to_ascii_lowercase();
            if let Some(v) = self.var_value(&lname) {
                out.extend_from_slice(&v);
            }
            i = next;
        }
        out
    }

    /// A regex match's captures become `$1`.. (replacing the last match's) and named
    /// variables (which stay, as nginx's variables do, until a match sets them again).
    pub fn set_captures(
        &mut self,
        numbered: Vec<Option<Vec<u8>>>,
        named: Vec<(String, Option<Vec<u8>>)>,
    ) {
        self.captures = numbered;
        for (name, v) in named {
            match self.named_captures.iter_mut().find(|(n, _)| *n == name) {
                Some((_, old)) => *old = v,
                None => self.named_captures.push((name, v)),
            }
        }
    }

    /// The value of variable `lname` (lowercase) in a complex value (`set $a "$b"`): a
    /// declared one (empty, with nginx's warning, when not set), else a built-in one.
    pub fn var_value(&mut self, lname: &[u8]) -> Option<Vec<u8>> {
        if !lname.is_empty() && lname.iter().all(u8::is_ascii_digit) {
            let i: usize = std::str::from_utf8(lname).ok()?.parse().ok()?;
            return Some(self.captures.get(i).cloned().flatten().unwrap_or_default());
        }
        if let Some((_, v)) = self
            .named_captures
            .iter()
            .find(|(n, _)| n.as_bytes() == lname)
        {
            return Some(v.clone().unwrap_or_default());
        }
        match self.vars.iter().find(|(n, _)| n.as_bytes() == lname) {
            Some((_, Some(v))) => Some(v.clone()),
            Some((_, None)) => {
                self.warn_uninitialized(lname);
                Some(Vec::new())
            }
            None => self.variable(lname),
        }
    }

    /// `$body_bytes_sent`: with chunked encoding, the chunks' framing counts too.
    fn body_bytes_sent(&self) -> usize {
        if !self.chunked() {
            return self.body.len();
        }
        let mut total = 5; // "0\r\n\r\n"
        let mut start = 0;
        for &end in &self.chunk_ends {
            let len = end - start;
            if len > 0 {
                total += format!("{len:x}").len() + 2 + len + 2;
            }
            start = end;
        }
        total
    }

    fn warn_uninitialized(&mut self, lname: &[u8]) {
        let msg = format!(
            "using uninitialized \"{}\" variable",
            String::from_utf8_lossy(lname)
        );
        self.push_log(5, msg);
    }

    /// What the `set_by_lua` handler returned, as the variable's new value.
    pub fn take_set_result(&mut self) -> Vec<u8> {
        match self.set_result.take() {
            Some(HostValue::Str(s)) => s,
            Some(HostValue::Number(n)) => fmt_number(n).into_bytes(),
            _ => Vec::new(),
        }
    }

    /// A `set_by_lua` handler failed: nginx logs it and answers 500.
    pub fn log_set_error(&mut self, msg: &str) {
        self.push_log(4, format!("failed to run set_by_lua*: {msg}"));
        self.special(500);
    }

    /// A filter or log handler failed. In a filter, nginx then drops the connection.
    pub fn log_filter_error(&mut self, phase: Phase, msg: &str) {
        self.push_log(4, format!("failed to run {}*: {msg}", phase.directive()));
        if phase != Phase::Log {
            // The headers were still in nginx's buffer: the client gets nothing.
            self.dropped = true;
            self.headers_sent = false;
        }
    }

    /// `lua_need_request_body on`: the body is read before the handlers run.
    pub fn set_body_read(&mut self) {
        self.body_read = true;
    }

    /// The internal redirect `ngx.exec` asked for, or the location search
    /// `ngx.req.set_uri(.., true)` asked for (uri, new args).
    pub fn take_redirect(&mut self) -> Option<(Vec<u8>, Option<Vec<u8>>, bool)> {
        if let Some((uri, args)) = self.exec_to.take() {
            return Some((uri, args, true));
        }
        if std::mem::take(&mut self.jump) {
            return self.uri_override.clone().map(|u| (u, None, false));
        }
        None
    }

    /// Restarts the request at `uri` inside the configuration (`ngx.exec`, `error_page`):
    /// `ngx.ctx` and the handler's exit are cleared; the variables stay.
    pub fn internal_redirect(&mut self, uri: Vec<u8>, args: Option<Vec<u8>>) {
        self.uri_override = Some(uri);
        if args.is_some() {
            self.args = args;
        }
        self.internal = true;
        self.exit_code = None;
        self.finalized = false;
    }

    /// Whether the request is being handled inside the configuration.
    pub fn is_internal(&self) -> bool {
        self.internal
    }

    /// The code of nginx's own page just made (for `error_page`).
    pub fn special_code(&self) -> Option<i64> {
        self.special_code
    }

    pub fn in_error_page(&self) -> bool {
        self.err_status.is_some()
    }

    /// `error_page`: the page's location answers with `status`.
    pub fn start_error_page(&mut self, status: i64) {
        self.err_status = Some(status);
        self.special_code = None;
        self.headers_sent = false;
        self.body.clear();
        self.chunk_ends.clear();
        self.eof_in_last_chunk = false;
        self.page_type = None;
        self.resp_headers.clear();
        self.status = status;
    }

    /// Too many internal redirects.
    pub fn redirect_cycle(&mut self, uri: &[u8]) {
        self.push_log(
            4,
            format!(
                "rewrite or internal redirection cycle while internally redirecting to \"{}\"",
                String::from_utf8_lossy(uri)
            ),
        );
        self.special(500);
    }

    /// The request's own size limit was passed (`client_max_body_size`).
    pub fn too_large(&mut self) {
        self.push_log(
            4,
            format!(
                "client intended to send too large body: {} bytes",
                self.req.body.len()
            ),
        );
        self.special(413);
    }

    /// The connection was dropped (a filter failed).
    pub fn dropped(&self) -> bool {
        self.dropped
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    pub fn status(&self) -> i64 {
        self.status
    }

    /// Re-reads the headers after the header filter edited them.
    pub fn rebuild_headers(&mut self) {
        let page = self.page_type.clone();
        self.send_headers(page);
    }

    /// The type `types` give the request's extension (nginx's default `types` when the
    /// configuration has none: html, gif, jpg).
    pub fn set_ext_type(&mut self, t: Option<Vec<u8>>) {
        self.ext_type = t;
    }

    /// The `error_log` level: lines of a higher (less severe) level are not recorded. The
    /// default is `ngx.DEBUG` (everything).
    pub fn set_error_log_level(&mut self, level: i64) {
        self.log_level = level;
    }

    pub fn request(&self) -> &Request {
        &self.req
    }

    /// Whether `ngx.exit` has been called.
    pub fn exited(&self) -> bool {
        self.exit_code.is_some()
    }

    /// Perform a host function call.
    ///
    /// `Err(message)` is a Lua error the calling arm must raise with exactly that string as
    /// the error value (no position is added: where ngx_lua's message has one, it is already
    /// in the string).
    pub fn call(&mut self, f: HostFn, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let output_api = matches!(
            f,
            HostFn::Say
                | HostFn::Print
                | HostFn::Flush
                | HostFn::Eof
                | HostFn::Redirect
                | HostFn::Exec
                | HostFn::ReqReadBody
        );
        let in_request = matches!(self.phase, Phase::Rewrite | Phase::Access | Phase::Content);
        if (output_api && !in_request)
            || (f == HostFn::Exit && !(in_request || self.phase == Phase::HeaderFilter))
        {
            return Err(format!(
                "API disabled in the context of {}*",
                self.phase.directive()
            ));
        }
        match f {
            HostFn::Say => self.echo(arm, true, f),
            HostFn::Print => self.echo(arm, false, f),
            HostFn::Exit => self.exit(arm),
            HostFn::Log => self.ngx_log(arm),
            HostFn::GlobalPrint => {
                let args: Vec<HostValue> = (0..arm.nargs()).map(|i| arm.arg(i)).collect();
                let fname = arm.callee_name().unwrap_or_else(|| "?".into());
                self.log_wrapper(arm, LOG_NOTICE, &args, &fname)?;
                Ok(Outcome::Return(smallvec![]))
            }
            HostFn::NgxIndex => self.ngx_index(arm),
            HostFn::NgxNewIndex => self.ngx_newindex(arm),
            HostFn::VarIndex => self.var_index(arm),
            HostFn::VarNewIndex => self.var_newindex(arm),
            HostFn::ReqGetMethod => {
                Ok(Outcome::Return(smallvec![HostValue::str(&self.req.method)]))
            }
            HostFn::ReqGetHeaders => self.get_headers(arm),
            // ngx_lua's headers metatable: `tb[key:lower():gsub("_", "-")]` when that is
            // another key.
            HostFn::HeadersIndex => match arm.arg(1) {
                HostValue::Str(k) => {
                    let norm: Vec<u8> = k
                        .iter()
                        .map(|&c| {
                            if c == b'_' {
                                b'-'
                            } else {
                                c.to_ascii_lowercase()
                            }
                        })
                        .collect();
                    if norm == k {
                        Ok(Outcome::Return(smallvec![HostValue::Nil]))
                    } else {
                        Ok(Outcome::RawGet(0, HostValue::Str(norm)))
                    }
                }
                _ => Ok(Outcome::Return(smallvec![HostValue::Nil])),
            },
            HostFn::HeaderIndex => self.header_index(arm),
            HostFn::HeaderNewIndex => self.header_newindex(arm),
            HostFn::RespGetHeaders => self.resp_get_headers(arm),
            HostFn::ReqGetUriArgs => self.get_uri_args(arm),
            HostFn::GetPhase => Ok(Outcome::Return(smallvec![HostValue::str(
                self.phase.name()
            )])),
            HostFn::Redirect => self.redirect(arm),
            HostFn::ArgIndex => {
                let v = match arm.arg(1) {
                    HostValue::Number(n) if n >= 1.0 && n.fract() == 0.0 => self
                        .phase_args
                        .get(n as usize - 1)
                        .cloned()
                        .unwrap_or(HostValue::Nil),
                    _ => HostValue::Nil,
                };
                Ok(Outcome::Return(smallvec![v]))
            }
            HostFn::ArgNewIndex => self.arg_newindex(arm),
            HostFn::ReqIsInternal => Ok(Outcome::Return(smallvec![HostValue::Bool(self.internal)])),
            HostFn::ReqHttpVersion => Ok(Outcome::Return(smallvec![HostValue::Number(
                if self.req.http10 { 1.0 } else { 1.1 },
            )])),
            HostFn::ReqReadBody => {
                self.body_read = true;
                Ok(Outcome::Return(smallvec![]))
            }
            HostFn::ReqDiscardBody => {
                self.body_discarded = true;
                Ok(Outcome::Return(smallvec![]))
            }
            HostFn::ReqGetBodyData => {
                let v = if self.body_read && !self.body_discarded && !self.req.body.is_empty() {
                    HostValue::Str(self.req.body.clone())
                } else {
                    HostValue::Nil
                };
                Ok(Outcome::Return(smallvec![v]))
            }
            HostFn::ReqGetBodyFile => Ok(Outcome::Return(smallvec![HostValue::Nil])),
            HostFn::ReqSetBodyData => {
                match arm.arg(0) {
                    HostValue::Str(s) => self.req.body = s,
                    HostValue::Number(n) => self.req.body = fmt_number(n).into_bytes(),
                    _ => {
                        return Err(with_position(
                            arm,
                            "bad argument #1 to 'set_body_data' (string expected)",
                        ));
                    }
                }
                self.body_read = true;
                // The request's Content-Length follows the new body.
                let len = self.req.body.len().to_string().into_bytes();
                self.save_sent_headers();
                match self
                    .req
                    .headers
                    .iter_mut()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                {
                    Some((_, v)) => *v = len,
                    None => self.req.headers.push(("content-length".into(), len)),
                }
                Ok(Outcome::Return(smallvec![]))
            }
            HostFn::ReqGetPostArgs => {
                if self.body_discarded {
                    return Ok(Outcome::Return(smallvec![HostValue::Table(vec![])]));
                }
                if !self.body_read {
                    return Err(with_position(
                        arm,
                        "no request body found; maybe you should turn on lua_need_request_body?",
                    ));
                }
                let max = match arm.arg(0) {
                    HostValue::Number(n) => ffi_int(n),
                    _ => 100,
                };
                let (t, truncated) = decode_args(&self.req.body, max);
                let mut ret = vec![t];
                if truncated {
                    ret.push(HostValue::str("truncated"));
                }
                Ok(Outcome::Return(ret.into()))
            }
            HostFn::ReqSetMethod => {
                let m = match arm.arg(0) {
                    HostValue::Number(n) => n as i64,
                    _ => -1,
                };
                let name = match m {
                    2 => "GET",
                    4 => "HEAD",
                    8 => "POST",
                    16 => "PUT",
                    32 => "DELETE",
                    64 => "MKCOL",
                    128 => "COPY",
                    256 => "MOVE",
                    512 => "OPTIONS",
                    1024 => "PROPFIND",
                    2048 => "PROPPATCH",
                    4096 => "LOCK",
                    8192 => "UNLOCK",
                    16384 => "PATCH",
                    32768 => "TRACE",
                    _ => return Err(with_position(arm, &format!("unsupported HTTP method: {m}"))),
                };
                self.req.method = name.to_string();
                Ok(Outcome::Return(smallvec![]))
            }
            HostFn::ReqSetUriArgs => {
                let args = match arm.arg(0) {
                    HostValue::Str(s) => s,
                    HostValue::Number(n) => fmt_number(n).into_bytes(),
                    HostValue::Table(items) => encode_args(&items)?,
                    other => {
                        let name = arm.callee_name().unwrap_or_else(|| "?".into());
                        return Err(arg_error(
                            1,
                            &name,
                            &format!(
                                "string, number, or table expected, but got {}",
                                other.type_name()
                            ),
                        ));
                    }
                };
                self.args = Some(args);
                Ok(Outcome::Return(smallvec![]))
            }
            HostFn::ReqSetUri => {
                let uri = match arm.arg(0) {
                    HostValue::Str(s) if !s.is_empty() => s,
                    HostValue::Str(_) => {
                        return Err(with_position(arm, "attempt to use zero-length uri"));
                    }
                    other => {
                        return Err(type_error(arm, 1, "string", &other));
                    }
                };
                let jump = matches!(arm.arg(1), HostValue::Bool(true));
                if jump {
                    if self.phase != Phase::Rewrite {
                        return Err(with_position(
                            arm,
                            "API disabled in the context of content_by_lua*",
                        ));
                    }
                    self.uri_override = Some(uri);
                    self.jump = true;
                    return Ok(Outcome::Exit);
                }
                self.uri_override = Some(uri);
                Ok(Outcome::Return(smallvec![]))
            }
            HostFn::ReqSetHeader | HostFn::ReqClearHeader => {
                let name = match arm.arg(0) {
                    HostValue::Str(s) => String::from_utf8_lossy(&s).into_owned(),
                    HostValue::Number(n) => fmt_number(n),
                    other => {
                        return Err(format!(
                            "bad 'name' argument: string expected, got {}",
                            other.type_name()
                        ));
                    }
                };
                let values: Vec<Vec<u8>> = if f == HostFn::ReqClearHeader {
                    Vec::new()
                } else {
                    match arm.arg(1) {
                        HostValue::Nil => Vec::new(),
                        HostValue::Str(s) if s.is_empty() => Vec::new(),
                        HostValue::Table(items) => items.iter().map(|(_, v)| tostring(v)).collect(),
                        v => vec![tostring(&v)],
                    }
                };
                self.save_sent_headers();
                let at = self
                    .req
                    .headers
                    .iter()
                    .position(|(k, _)| k.eq_ignore_ascii_case(&name));
                self.req
                    .headers
                    .retain(|(k, _)| !k.eq_ignore_ascii_case(&name));
                let at = at
                    .unwrap_or(self.req.headers.len())
                    .min(self.req.headers.len());
                for (i, v) in values.into_iter().enumerate() {
                    self.req.headers.insert(at + i, (name.clone(), v));
                }
                Ok(Outcome::Return(smallvec![]))
            }
            HostFn::ReqRawHeader => {
                let no_line = !matches!(arm.arg(0), HostValue::Nil | HostValue::Bool(false));
                let mut out = Vec::new();
                if !no_line {
                    out.extend_from_slice(self.req.method.as_bytes());
                    out.push(b' ');
                    out.extend_from_slice(&self.req.uri);
                    out.extend_from_slice(format!(" {}\r\n", self.protocol()).as_bytes());
                }
                for (k, v) in self.sent_headers.as_ref().unwrap_or(&self.req.headers) {
                    out.extend_from_slice(k.as_bytes());
                    out.extend_from_slice(b": ");
                    out.extend_from_slice(v);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"\r\n");
                Ok(Outcome::Return(smallvec![HostValue::Str(out)]))
            }
            HostFn::ReqStartTime => Ok(Outcome::Return(smallvec![HostValue::Number(
                self.start_time
            )])),
            HostFn::Flush => {
                if arm.nargs() > 1 {
                    return Err(format!(
                        "attempt to pass {} arguments, but accepted 0 or 1",
                        arm.nargs()
                    ));
                }
                let wait = match arm.arg(0) {
                    HostValue::Nil => false,
                    HostValue::Bool(b) => b,
                    other => {
                        return Err(type_error(arm, 1, "boolean", &other));
                    }
                };
                if self.eof_sent {
                    return Ok(Outcome::Return(smallvec![
                        HostValue::Nil,
                        HostValue::str("seen eof"),
                    ]));
                }
                if !wait && (!self.headers_sent || self.body.len() == self.flushed) {
                    return Ok(Outcome::Return(smallvec![
                        HostValue::Nil,
                        HostValue::str("nothing to flush"),
                    ]));
                }
                if self.headers_sent {
                    self.flushed = self.body.len();
                }
                Ok(Outcome::Return(smallvec![HostValue::Number(1.0)]))
            }
            HostFn::Eof => {
                if self.eof_sent {
                    return Ok(Outcome::Return(smallvec![
                        HostValue::Nil,
                        HostValue::str("seen eof"),
                    ]));
                }
                self.send_header_if_needed();
                self.eof_sent = true;
                Ok(Outcome::Return(smallvec![HostValue::Number(1.0)]))
            }
            HostFn::Exec => {
                let uri = match arm.arg(0) {
                    HostValue::Str(s) if !s.is_empty() => s,
                    _ => return Err(with_position(arm, "The uri argument is empty")),
                };
                let args = match arm.arg(1) {
                    HostValue::Nil => None,
                    HostValue::Str(s) => Some(s),
                    HostValue::Table(items) => Some(encode_args(&items)?),
                    v => Some(tostring(&v)),
                };
                if self.headers_sent {
                    return Err(with_position(
                        arm,
                        "attempt to call ngx.exec after sending out response headers",
                    ));
                }
                let (path, query) = match uri.iter().position(|&c| c == b'?') {
                    Some(i) => (uri[..i].to_vec(), Some(uri[i + 1..].to_vec())),
                    None => (uri, None),
                };
                self.exec_to = Some((path, args.or(query)));
                self.exit_code = Some(-4);
                Ok(Outcome::Exit)
            }
            f if f.is_shdict() => self.shdict(f, arm),
            _ => self.util(f, arm),
        }
    }

    /// `ngx.header.NAME`: `_` becomes `-`, names compare case-insensitively; several
    /// values come back as a table.
    fn header_index(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let HostValue::Str(k) = arm.arg(1) else {
            return Ok(Outcome::Return(smallvec![HostValue::Nil]));
        };
        let name = header_name(k);
        if name.eq_ignore_ascii_case("content-type") {
            let ct = if self.headers_sent {
                self.resp_headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
                    .map(|(_, v)| v.clone())
            } else {
                self.content_type.clone()
            };
            let ct = ct.filter(|c| !c.is_empty());
            return Ok(Outcome::Return(smallvec![
                ct.map_or(HostValue::Nil, HostValue::Str),
            ]));
        }
        if name.eq_ignore_ascii_case("content-length") {
            let len = self.content_length.clone();
            return Ok(Outcome::Return(smallvec![
                len.map_or(HostValue::Nil, HostValue::Str),
            ]));
        }
        // In the log phase the response went out with add_header's headers, which come
        // after the Lua header filter: read the list that was sent.
        let mut vals: Vec<Vec<u8>> = if self.phase == Phase::Log && self.headers_sent {
            self.resp_headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(&name))
                .map(|(_, v)| v.clone())
                .collect()
        } else {
            self.out_headers
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(&name))
                .map(|(_, v)| v.clone())
                .collect()
        };
        let v = match vals.len() {
            0 => HostValue::Nil,
            1 => HostValue::Str(vals.swap_remove(0)),
            _ => HostValue::Table(
                vals.into_iter()
                    .enumerate()
                    .map(|(i, v)| (HostValue::Number((i + 1) as f64), HostValue::Str(v)))
                    .collect(),
            ),
        };
        Ok(Outcome::Return(smallvec![v]))
    }

    /// `ngx.header.NAME = value` (`ngx_http_lua_ffi_set_resp_header`, override mode).
    fn header_newindex(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let k = match arm.arg(1) {
            HostValue::Str(k) => k,
            HostValue::Number(n) => fmt_number(n).into_bytes(),
            other => {
                return Err(format!(
                    "bad argument #2 to '__newindex' (string expected, got {})",
                    other.type_name()
                ));
            }
        };
        let name = header_name(k);
        if self.headers_sent && self.phase != Phase::HeaderFilter {
            self.push_log(
                4,
                format!("attempt to set ngx.header.HEADER after sending out response headers"),
            );
            return Ok(Outcome::Return(smallvec![]));
        }
        let scalar = |v: &HostValue| -> Option<Vec<u8>> {
            match v {
                HostValue::Str(s) => Some(s.clone()),
                HostValue::Number(n) => Some(fmt_number(*n).into_bytes()),
                HostValue::Bool(b) => Some(if *b {
                    b"true".to_vec()
                } else {
                    b"false".to_vec()
                }),
                _ => None,
            }
        };
        let value = arm.arg(2);
        let values: SmallVec<[Vec<u8>; 1]> = match value {
            HostValue::Nil => SmallVec::new(),
            // An empty string clears the header, as nil does.
            HostValue::Str(s) if s.is_empty() => SmallVec::new(),
            HostValue::Str(s) => smallvec![s],
            HostValue::Table(items) => {
                let mut items: Vec<&(HostValue, HostValue)> = items.iter().collect();
                items.sort_by(|a, b| match (&a.0, &b.0) {
                    (HostValue::Number(x), HostValue::Number(y)) => x.total_cmp(y),
                    _ => std::cmp::Ordering::Equal,
                });
                items.iter().filter_map(|(_, v)| scalar(v)).collect()
            }
            ref v => match scalar(v) {
                Some(s) => smallvec![s],
                None => {
                    return Err(format!(
                        "bad argument #3 to '__newindex' (string expected, got {})",
                        v.type_name()
                    ));
                }
            },
        };
        if name.eq_ignore_ascii_case("content-type") {
            // Cleared: no Content-Type at all (not the default type).
            self.content_type = Some(values.into_iter().last().unwrap_or_default());
            if self.headers_sent {
                self.rebuild_headers();
            }
            return Ok(Outcome::Return(smallvec![]));
        }
        if name.eq_ignore_ascii_case("content-length") {
            self.content_length = values.into_iter().last();
            self.length_cleared = self.content_length.is_none();
            return Ok(Outcome::Return(smallvec![]));
        }
        // ngx_lua overrides the first occurrence in place and appends further values.
        let at = self
            .out_headers
            .iter()
            .position(|(n, _)| n.eq_ignore_ascii_case(&name));
        self.out_headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(&name));
        let (mut name, n) = (name, values.len());
        for (i, v) in values.into_iter().enumerate() {
            // The last value takes the name itself.
            let name = if i + 1 == n {
                std::mem::take(&mut name)
            } else {
                name.clone()
            };
            match at {
                Some(at) if i == 0 => self.out_headers.insert(at, (name, v)),
                _ => self.out_headers.push((name, v)),
            }
        }
        if self.headers_sent {
            self.rebuild_headers();
        }
        Ok(Outcome::Return(smallvec![]))
    }

    /// `ngx.resp.get_headers(max?, raw?)`.
    fn resp_get_headers(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let raw = !matches!(arm.arg(1), HostValue::Nil | HostValue::Bool(false));
        // ngx_lua lists `connection` and `content-type` first, under lowercase names even
        // with `raw`, and does not count them towards `max_headers`; the headers list it
        // counts starts with `transfer-encoding` once the chunked header is sent.
        let mut builtin: Vec<(String, Vec<u8>)> = vec![(
            "connection".into(),
            if self.req.keep_alive() {
                b"keep-alive".to_vec()
            } else {
                b"close".to_vec()
            },
        )];
        let mut list: Vec<(String, Vec<u8>)> = Vec::new();
        if self.headers_sent {
            if !self.req.http10 && self.chunked() {
                list.push(("transfer-encoding".into(), b"chunked".to_vec()));
            }
            for (k, v) in &self.resp_headers {
                if k.eq_ignore_ascii_case("content-type") {
                    builtin.push(("content-type".into(), v.clone()));
                } else {
                    list.push((k.clone(), v.clone()));
                }
            }
        } else {
            if let Some(ct) = &self.content_type {
                builtin.push(("content-type".into(), ct.clone()));
            }
            list.extend(self.out_headers.iter().cloned());
        }
        // ngx_lua's C function: `luaL_checkinteger` on max_headers, 0 for no limit.
        let max = match arm.arg(0) {
            HostValue::Nil => 100,
            v => ffi_int(check_number(arm, 1, v)?),
        };
        let truncated = max > 0 && list.len() as i64 > max;
        if truncated {
            list.truncate(max as usize);
        }
        builtin.extend(list);
        let mut ret = vec![header_table(&builtin, raw)];
        if truncated {
            ret.push(HostValue::str("truncated"));
        }
        Ok(headers_result(ret, raw))
    }

    /// `ngx.req.get_uri_args(max?)`: decoded names and values, `true` for a bare name,
    /// repeated names as arrays.
    fn get_uri_args(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let max = match arm.arg(0) {
            HostValue::Number(n) => ffi_int(n),
            _ => 100,
        };
        let args = self.args.clone().unwrap_or_default();
        let (t, truncated) = decode_args(&args, max);
        let rest = if truncated {
            vec![HostValue::str("truncated")]
        } else {
            vec![]
        };
        if arm.arg_is_table(1) {
            return Ok(Outcome::Fill(1, t, rest));
        }
        let mut ret = vec![t];
        ret.extend(rest);
        Ok(Outcome::Return(ret.into()))
    }

    /// `ngx.redirect(uri, status?)`.
    fn redirect(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        // ngx_lua's C function: luaL_error messages carry no position.
        let n = arm.nargs();
        if n != 1 && n != 2 {
            return Err("expecting one or two arguments".into());
        }
        let uri = match arm.arg(0) {
            HostValue::Str(s) => s,
            HostValue::Number(n) => fmt_number(n).into_bytes(),
            other => return Err(type_error(arm, 1, "string", &other)),
        };
        let status = if n == 2 {
            let v = arm.arg(1);
            check_number(arm, 2, v)? as i64
        } else {
            302
        };
        if !matches!(status, 301 | 302 | 303 | 307 | 308) {
            return Err(
                "only ngx.HTTP_MOVED_TEMPORARILY, ngx.HTTP_MOVED_PERMANENTLY, \
                 ngx.HTTP_PERMANENT_REDIRECT, ngx.HTTP_SEE_OTHER, and \
                 ngx.HTTP_TEMPORARY_REDIRECT are allowed"
                    .into(),
            );
        }
        if self.headers_sent {
            return Err("attempt to call ngx.redirect after sending out the headers".into());
        }
        // ngx_lua sends the Location as given (nginx's absolute_redirect does not apply).
        let location = uri;
        self.out_headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("location"));
        self.out_headers.push(("Location".into(), location));
        self.exit_code = Some(status);
        Ok(Outcome::Exit)
    }

    /// `ngx.arg[i] = v`: body_filter's chunk (1) and eof flag (2).
    fn arg_newindex(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        if self.phase == Phase::Set && arm.arg(1) == HostValue::Number(0.0) {
            self.set_result = Some(arm.arg(2));
            return Ok(Outcome::Return(smallvec![]));
        }
        if self.phase != Phase::BodyFilter {
            return Err(with_position(arm, "API disabled in the current context"));
        }
        let i = match arm.arg(1) {
            HostValue::Number(n) if n == 1.0 || n == 2.0 => n as usize,
            _ => return Err(with_position(arm, "bad index")),
        };
        let v = arm.arg(2);
        let v = match (i, v) {
            (1, HostValue::Nil) => HostValue::str(""),
            (1, HostValue::Number(n)) => HostValue::Str(fmt_number(n).into_bytes()),
            (1, HostValue::Table(t)) => {
                let mut out = Vec::new();
                echo_table(&HostValue::Table(t), 3, &mut out)
                    .map_err(|(arg, msg)| arg_error(arg, "__newindex", &msg))?;
                HostValue::Str(out)
            }
            (1, v @ HostValue::Str(_)) => v,
            (1, other) => {
                return Err(with_position(
                    arm,
                    &format!(
                        "bad argument #3 to '__newindex' (string, number, nil, or array table expected, got {})",
                        other.type_name()
                    ),
                ));
            }
            (_, v) => HostValue::Bool(!matches!(v, HostValue::Nil | HostValue::Bool(false))),
        };
        if self.phase_args.len() < 2 {
            self.phase_args.resize(2, HostValue::Nil);
        }
        self.phase_args[i - 1] = v;
        Ok(Outcome::Return(smallvec![]))
    }

    /// `ngx.shared.DICT:method(...)`: the dictionary is the first argument.
    fn shdict(&mut self, f: HostFn, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let name = match arm.arg(0) {
            HostValue::Table(items) => items.iter().find_map(|(k, v)| match (k, v) {
                (HostValue::Str(k), HostValue::Str(v)) if k == b"__name" => {
                    Some(String::from_utf8_lossy(v).into_owned())
                }
                _ => None,
            }),
            _ => None,
        };
        let Some(name) = name else {
            return Err(with_position(arm, "bad \"zone\" argument"));
        };
        let args: Vec<HostValue> = (1..arm.nargs()).map(|i| arm.arg(i)).collect();
        let Some(dicts) = &self.shared else {
            return Err(with_position(arm, "bad \"zone\" argument"));
        };
        match dicts.call(&name, f.name(), &args) {
            Ok(values) => Ok(Outcome::Return(values.into())),
            Err(msg) => match msg.strip_prefix(crate::shdict::RESTY_MARK) {
                Some(positioned) => Err(positioned.to_string()),
                None => Err(with_position(arm, &msg)),
            },
        }
    }

    /// The pure functions: encodings, digests, time, worker and config.
    fn util(&mut self, f: HostFn, arm: &mut dyn Arm) -> Result<Outcome, String> {
        use crate::ngx_util as u;
        let ret = |v: HostValue| Ok(Outcome::Return(smallvec![v]));
        let bytes = |v: Vec<u8>| Ok(Outcome::Return(smallvec![HostValue::Str(v)]));
        // resty.core's coercion (`if not s then s = ""`): nil and false are "",
        // anything else `tostring`.
        let text = |arm: &mut dyn Arm, i: usize| -> Vec<u8> {
            match arm.arg(i) {
                HostValue::Nil | HostValue::Bool(false) => Vec::new(),
                v => tostring(&v),
            }
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let secs = now.as_secs() as i64;
        match f {
            HostFn::EncodeBase64 => {
                let s = text(arm, 0);
                let no_pad = match arm.arg(1) {
                    HostValue::Nil | HostValue::Bool(false) => false,
                    HostValue::Bool(true) => true,
                    other => {
                        let msg = format!(
                            "bad no_padding: boolean expected, got {}",
                            other.type_name()
                        );
                        return Err(at_level2(arm, &msg));
                    }
                };
                bytes(u::encode_base64(&s, no_pad))
            }
            HostFn::DecodeBase64 => match arm.arg(0) {
                HostValue::Str(s) => {
                    ret(u::decode_base64(&s).map_or(HostValue::Nil, HostValue::Str))
                }
                _ => Err(at_level2(arm, "string argument only")),
            },
            HostFn::EscapeUri => {
                // lua-resty-core's checks of the type, with its messages.
                let kind = match arm.arg(1) {
                    HostValue::Nil => u::ESCAPE_URI_COMPONENT,
                    // resty.core raises these at level 3: the position is that of the
                    // code that called the code calling ngx.escape_uri.
                    HostValue::Number(n) if !(0.0..=6.0).contains(&n) => {
                        let msg = format!("\"type\" {} out of range", fmt_number(n));
                        return Err(at_level(arm, 2, &msg));
                    }
                    HostValue::Number(n) => ffi_int(n) as usize,
                    _ => return Err(at_level(arm, 2, "\"type\" is not a number")),
                };
                bytes(u::escape_uri(&text(arm, 0), kind))
            }
            // ngx.unescape_uri decodes as an argument does: `%XX`, and `+` as a space.
            HostFn::UnescapeUri => bytes(unescape_arg(&text(arm, 0))),
            HostFn::QuoteSqlStr => {
                if arm.nargs() != 1 {
                    return Err("expecting one argument".into());
                }
                match arm.arg(0) {
                    HostValue::Str(s) => bytes(u::quote_sql_str(&s)),
                    HostValue::Number(n) => bytes(u::quote_sql_str(fmt_number(n).as_bytes())),
                    other => Err(type_error(arm, 1, "string", &other)),
                }
            }
            HostFn::Md5 => bytes(u::md5_hex(&text(arm, 0))),
            HostFn::Md5Bin => bytes(u::md5_bin(&text(arm, 0))),
            HostFn::Sha1Bin => bytes(u::sha1_bin(&text(arm, 0))),
            HostFn::Crc32Short | HostFn::Crc32Long => {
                ret(HostValue::Number(f64::from(u::crc32(&text(arm, 0)))))
            }
            HostFn::HmacSha1 => {
                let mut args = Vec::new();
                for i in 0..2 {
                    match arm.arg(i) {
                        HostValue::Str(s) => args.push(s),
                        HostValue::Number(n) => args.push(fmt_number(n).into_bytes()),
                        other => {
                            let got = if i >= arm.nargs() {
                                "no value"
                            } else {
                                other.type_name()
                            };
                            let name = arm.callee_name().unwrap_or_else(|| "?".into());
                            return Err(arg_error(
                                i + 1,
                                &name,
                                &format!("string expected, got {got}"),
                            ));
                        }
                    }
                }
                bytes(u::hmac_sha1(&args[0], &args[1]))
            }
            HostFn::EncodeArgs => match arm.arg(0) {
                HostValue::Table(items) => bytes(encode_args(&items)?),
                other => Err(type_error(arm, 1, "table", &other)),
            },
            HostFn::DecodeArgs => {
                let s = match arm.arg(0) {
                    HostValue::Str(s) => s,
                    other => {
                        return Err(type_error(arm, 1, "string", &other));
                    }
                };
                let max = match arm.arg(1) {
                    HostValue::Number(n) => ffi_int(n),
                    _ => 100,
                };
                let (t, truncated) = decode_args(&s, max);
                let mut out = vec![t];
                if truncated {
                    out.push(HostValue::str("truncated"));
                }
                Ok(Outcome::Return(out.into()))
            }
            HostFn::Time => ret(HostValue::Number(secs as f64)),
            HostFn::Now => ret(HostValue::Number(
                secs as f64 + f64::from(now.subsec_millis()) / 1000.0,
            )),
            HostFn::UpdateTime => Ok(Outcome::Return(smallvec![])),
            HostFn::Today => bytes(u::today(secs).into_bytes()),
            HostFn::Localtime | HostFn::Utctime => bytes(u::iso_time(secs).into_bytes()),
            HostFn::HttpTime | HostFn::CookieTime => match arm.arg(0) {
                HostValue::Number(n) => {
                    let t = n as i64;
                    bytes(
                        if f == HostFn::HttpTime {
                            u::http_time(t)
                        } else {
                            u::cookie_time(t)
                        }
                        .into_bytes(),
                    )
                }
                _ => Err(with_position(arm, "number argument only")),
            },
            HostFn::ParseHttpTime => {
                match arm.arg(0) {
                    HostValue::Str(s) => ret(u::parse_http_time(&s)
                        .map_or(HostValue::Nil, |t| HostValue::Number(t as f64))),
                    _ => Err(with_position(arm, "string argument only")),
                }
            }
            HostFn::WorkerId => ret(HostValue::Number(f64::from(WORKER.get().0))),
            HostFn::WorkerCount => ret(HostValue::Number(f64::from(WORKER.get().1))),
            HostFn::WorkerPid => ret(HostValue::Number(f64::from(std::process::id()))),
            HostFn::ConfigPrefix => bytes(self.prefix.clone().into_bytes()),
            HostFn::ConfigNginxConfigure => bytes(b"moonshift".to_vec()),
            _ => Err(format!(
                "moonshift: host function {} has no implementation",
                f.name()
            )),
        }
    }

    fn push_log(&mut self, level: i64, message: impl Into<Vec<u8>>) {
        if level > self.log_level {
            return;
        }
        let word = usize::try_from(level)
            .ok()
            .and_then(|l| LOG_LEVEL_WORDS.get(l))
            .copied()
            .unwrap_or("");
        self.log.push(LogLine {
            level: word.to_string(),
            message: message.into(),
        });
    }

    /// `ngx_http_lua_send_header_if_needed`.
    fn send_header_if_needed(&mut self) {
        if self.headers_sent {
            return;
        }
        if let Some(s) = self.err_status {
            self.status = s;
        }
        if self.status == 0 {
            self.status = 200;
        }
        self.headers_sent = true;
        self.send_headers(None);
        self.header_only = self.req.method == "HEAD" || self.status == 204 || self.status == 304;
    }

    /// The response header list as nginx's header filter writes it: Content-Type (the
    /// page's own type, else `ngx.header.content_type`, else `default_type`), then the
    /// headers set through `ngx.header`, then `add_header`'s for the statuses it applies
    /// to.
    fn send_headers(&mut self, page_type: Option<Vec<u8>>) {
        let mut h = Vec::with_capacity(1 + self.out_headers.len() + self.add_headers.len());
        if self.status != 204 && self.status != 304 {
            let ct: &[u8] = match &page_type {
                Some(p) => p,
                None => self
                    .content_type
                    .as_deref()
                    .or(self.ext_type.as_deref())
                    .unwrap_or(&self.default_type),
            };
            if !ct.is_empty() {
                h.push(("Content-Type".to_string(), ct.to_vec()));
            }
        }
        for (k, v) in &self.out_headers {
            if self.absolute_location
                && k.eq_ignore_ascii_case("location")
                && v.first() == Some(&b'/')
            {
                let port = if self.server_port == 80 {
                    String::new()
                } else {
                    format!(":{}", self.server_port)
                };
                let mut absolute = b"http://".to_vec();
                absolute.extend_from_slice(&self.host());
                absolute.extend_from_slice(port.as_bytes());
                absolute.extend_from_slice(v);
                h.push((k.clone(), absolute));
                continue;
            }
            h.push((k.clone(), v.clone()));
        }
        // add_header's filter comes after ngx_lua's in nginx's chain: its headers follow
        // what header_filter_by_lua left, for the status and variables as they are then,
        // and the Lua filter does not see them.
        let applies = matches!(
            self.status,
            200 | 201 | 204 | 206 | 301 | 302 | 303 | 304 | 307 | 308
        );
        let add = std::mem::take(&mut self.add_headers);
        for (k, v, always) in &add {
            if *always || applies {
                let v = self.interpolate(v);
                if !v.is_empty() {
                    h.push((k.clone(), v));
                }
            }
        }
        self.add_headers = add;
        self.resp_headers = h;
    }

    fn echo(&mut self, arm: &mut dyn Arm, newline: bool, _f: HostFn) -> Result<Outcome, String> {
        if self.eof_sent {
            return Ok(Outcome::Return(smallvec![
                HostValue::Nil,
                HostValue::str("seen eof"),
            ]));
        }
        if self.header_only {
            return Ok(Outcome::Return(smallvec![
                HostValue::Nil,
                HostValue::str("header only"),
            ]));
        }
        // The output is built in a buffer kept across calls (the headers go out, and
        // `add_header` values are evaluated, before it joins the body).
        let mut out = std::mem::take(&mut self.echo_buf);
        out.clear();
        let built = echo_args(arm, &mut out);
        if newline {
            out.push(b'\n');
        }
        // Nothing to send: not even the headers.
        if built.is_ok() && !out.is_empty() {
            self.send_header_if_needed();
            if !self.header_only {
                self.body.extend_from_slice(&out);
                self.chunk_ends.push(self.body.len());
            }
        }
        self.echo_buf = out;
        if let Err((arg, msg)) = built {
            let name = arm.callee_name().unwrap_or_else(|| "?".into());
            return Err(arg_error(arg, &name, &msg));
        }
        Ok(Outcome::Return(smallvec![HostValue::Number(1.0)]))
    }

    fn exit(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let mut status = match arm.arg(0) {
            HostValue::Number(n) => ffi_int(n),
            other => {
                return Err(format!(
                    "{RESTY_CORE}/exit.lua:52: bad argument #2 to 'ngx_lua_ffi_exit' \
                     (cannot convert '{}' to 'int')",
                    other.type_name()
                ));
            }
        };
        if self.headers_sent && status >= 300 && status != 408 && status != 499 && status != 444 {
            if status != self.status {
                let msg = format!(
                    "attempt to set status {status} via ngx.exit after sending out the \
                     response status {}",
                    self.status
                );
                self.push_log(4, msg);
            }
            status = 200;
        }
        self.exit_code = Some(status);
        Ok(Outcome::Exit)
    }

    fn ngx_log(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let fname = arm.callee_name().unwrap_or_else(|| "?".into());
        let f = fname.as_str();
        let level = match arm.arg(0) {
            HostValue::Number(n) => ffi_int(n),
            HostValue::Str(s) => match lua_str_to_number(&s) {
                Some(n) => ffi_int(n),
                None => return Err(arg_error(1, f, "number expected, got string")),
            },
            other => {
                let t = if arm.nargs() == 0 {
                    "no value"
                } else {
                    other.type_name()
                };
                return Err(arg_error(1, f, &format!("number expected, got {t}")));
            }
        };
        if !(LOG_STDERR..=LOG_DEBUG).contains(&level) {
            return Err(arg_error(1, f, &format!("bad log level: {level}")));
        }
        let args: Vec<HostValue> = (1..arm.nargs()).map(|i| arm.arg(i)).collect();
        self.log_wrapper(arm, level, &args, f)?;
        Ok(Outcome::Return(smallvec![]))
    }

    /// `log_wrapper` of `ngx_http_lua_log.c`; `args` are numbered from 1 in its messages.
    fn log_wrapper(
        &mut self,
        arm: &mut dyn Arm,
        level: i64,
        args: &[HostValue],
        f: &str,
    ) -> Result<(), String> {
        if level > self.log_level {
            return Ok(());
        }
        let mut msg = Vec::new();
        for (i, v) in args.iter().enumerate() {
            match v {
                HostValue::Nil => msg.extend_from_slice(b"nil"),
                HostValue::Null => msg.extend_from_slice(b"null"),
                HostValue::Bool(b) => msg.extend_from_slice(if *b { b"true" } else { b"false" }),
                HostValue::Number(n) => msg.extend_from_slice(fmt_number(*n).as_bytes()),
                HostValue::Str(s) => msg.extend_from_slice(s),
                HostValue::Table(_) => {
                    return Err(arg_error(
                        i + 1,
                        f,
                        "expected table to have __tostring metamethod",
                    ));
                }
                HostValue::Other(t) => {
                    return Err(arg_error(
                        i + 1,
                        f,
                        &format!("string, number, boolean, or nil expected, got {t}"),
                    ));
                }
            }
        }
        let pos = arm.caller_position();
        let base = match pos.rfind(['/', '\\']) {
            Some(i) => &pos[i + 1..],
            None => pos.as_str(),
        };
        let mut line = b"[lua] ".to_vec();
        line.extend_from_slice(if base.is_empty() { "?:0" } else { base }.as_bytes());
        line.extend_from_slice(b": ");
        if let Some(name) = arm.caller_name() {
            line.extend_from_slice(format!("{name}(): ").as_bytes());
        }
        line.extend_from_slice(&msg);
        self.push_log(level, line);
        Ok(())
    }

    fn ngx_index(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let v = match arm.arg(1) {
            HostValue::Str(k) => match k.as_slice() {
                b"status" => HostValue::Number(self.status as f64),
                b"headers_sent" => HostValue::Bool(self.headers_sent),
                b"is_subrequest" => HostValue::Bool(false),
                b"ctx" => return Ok(Outcome::NewTable),
                _ => HostValue::Nil,
            },
            _ => HostValue::Nil,
        };
        Ok(Outcome::Return(smallvec![v]))
    }

    fn ngx_newindex(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        if arm.arg(1) == HostValue::str("ctx") {
            let v = arm.arg(2);
            if !matches!(v, HostValue::Table(_)) {
                return Err(format!(
                    "{RESTY_CORE}/ctx.lua:123: ctx should be a table while getting a {}",
                    v.type_name()
                ));
            }
            return Ok(Outcome::RawSet);
        }
        if arm.arg(1) != HostValue::str("status") {
            return Ok(Outcome::RawSet);
        }
        let n = match arm.arg(2) {
            HostValue::Number(n) => Some(n),
            HostValue::Str(s) => lua_str_to_number(&s),
            _ => None,
        };
        let Some(n) = n else {
            return Err(format!(
                "{RESTY_CORE}/misc.lua:114: bad argument #2 to \
                 'ngx_http_lua_ffi_set_resp_status' (cannot convert 'nil' to 'int')"
            ));
        };
        if self.headers_sent && self.phase != Phase::HeaderFilter {
            self.push_log(
                4,
                "attempt to set ngx.status after sending out response headers",
            );
        } else {
            self.status = ffi_int(n);
        }
        Ok(Outcome::Return(smallvec![]))
    }

    fn var_index(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        // A string name is read into a buffer kept across reads, without a copy of its own.
        let mut name = std::mem::take(&mut self.var_name);
        name.clear();
        if arm.append_str_arg(1, &mut name) {
            name.make_ascii_lowercase();
            let r = self.var_named(&name);
            self.var_name = name;
            return r;
        }
        match arm.arg(1) {
            // A number reads a capture of the location's regex.
            HostValue::Number(n) => {
                let v = self
                    .captures
                    .get(n as usize)
                    .filter(|_| n >= 1.0 && n.fract() == 0.0)
                    .cloned()
                    .flatten()
                    .map_or(HostValue::Nil, HostValue::Str);
                Ok(Outcome::Return(smallvec![v]))
            }
            _ => Err(with_position(arm, "bad variable name")),
        }
    }

    /// `ngx.var.NAME` for a lowercased `name`.
    fn var_named(&mut self, name: &[u8]) -> Result<Outcome, String> {
        if self.nil_vars.iter().any(|n| n.as_bytes() == name) {
            return Ok(Outcome::Return(smallvec![HostValue::Nil]));
        }
        if let Some((_, v)) = self
            .named_captures
            .iter()
            .find(|(n, _)| n.as_bytes() == name)
        {
            return Ok(Outcome::Return(smallvec![
                v.clone().map_or(HostValue::str(""), HostValue::Str),
            ]));
        }
        let declared = self
            .vars
            .iter()
            .find(|(n, _)| n.as_bytes() == name)
            .map(|(_, v)| v.clone());
        let v = match declared {
            Some(None) => {
                self.warn_uninitialized(name);
                HostValue::str("")
            }
            Some(Some(v)) => HostValue::Str(v),
            None => self.variable(name).map_or(HostValue::Nil, HostValue::Str),
        };
        Ok(Outcome::Return(smallvec![v]))
    }

    fn var_newindex(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let name = match arm.arg(1) {
            HostValue::Str(s) => s.to_ascii_lowercase(),
            _ => return Err(with_position(arm, "bad variable name")),
        };
        let value = match arm.arg(2) {
            HostValue::Nil => None,
            HostValue::Null => Some(b"userdata: NULL".to_vec()),
            HostValue::Str(s) => Some(s),
            HostValue::Number(n) => Some(fmt_number(n).into_bytes()),
            HostValue::Bool(b) => Some(if b {
                b"true".to_vec()
            } else {
                b"false".to_vec()
            }),
            HostValue::Table(_) => Some(b"table: 0x?".to_vec()),
            HostValue::Other(t) => Some(format!("{t}: 0x?").into_bytes()),
        };
        let lname = String::from_utf8_lossy(&name).into_owned();
        if let Some((_, v)) = self.vars.iter_mut().find(|(n, _)| *n == lname) {
            match value {
                Some(value) => {
                    *v = Some(value);
                    self.nil_vars.retain(|n| *n != lname);
                }
                None => {
                    *v = Some(Vec::new());
                    self.nil_vars.push(lname);
                }
            }
            return Ok(Outcome::Return(smallvec![]));
        }
        match lname.as_str() {
            "args" => {
                self.args = value;
                Ok(Outcome::Return(smallvec![]))
            }
            "uri" | "document_uri" | "request_uri" | "query_string" | "is_args"
            | "request_method" | "host" | "server_name" | "remote_addr" | "server_addr"
            | "scheme" | "server_port" | "server_protocol" | "content_type" | "content_length" => {
                Err(with_position(
                    arm,
                    &format!("variable \"{lname}\" not changeable"),
                ))
            }
            _ => Err(with_position(
                arm,
                &format!(
                    "variable \"{lname}\" not found for writing; maybe it is a built-in \
                     variable that is not changeable or you forgot to use \"set ${lname} '';\" \
                     in the config file to define it first"
                ),
            )),
        }
    }

    /// `$server_protocol`.
    fn protocol(&self) -> &'static str {
        if self.req.http10 {
            "HTTP/1.0"
        } else {
            "HTTP/1.1"
        }
    }

    /// The value of nginx variable `name` (lowercase), `None` when not found.
    pub fn variable(&self, name: &[u8]) -> Option<Vec<u8>> {
        let uri = &self.req.uri;
        let fixed: Option<Vec<u8>> = match name {
            b"uri" | b"document_uri" => Some(match &self.uri_override {
                Some(u) => u.clone(),
                None => self.request_path.clone(),
            }),
            b"request_uri" => Some(uri.to_vec()),
            b"args" | b"query_string" => return self.args.clone(),
            b"is_args" => Some(match &self.args {
                Some(a) if !a.is_empty() => b"?".to_vec(),
                _ => Vec::new(),
            }),
            b"request_method" => Some(self.req.method.clone().into_bytes()),
            b"host" => Some(self.host()),
            b"server_name" => Some(self.server_name.clone().into_bytes()),
            b"remote_addr" | b"server_addr" => Some(b"127.0.0.1".to_vec()),
            b"scheme" => Some(b"http".to_vec()),
            // The response status, "000" before there is one.
            b"status" => Some(format!("{:03}", self.status.max(0)).into_bytes()),
            b"server_port" => Some(self.server_port.to_string().into_bytes()),
            b"server_protocol" => Some(self.protocol().as_bytes().to_vec()),
            b"content_type" => return self.header_first("content-type"),
            b"remote_user" => {
                let auth = self.header_first("authorization")?;
                let b64 = auth.strip_prefix(b"Basic ")?.trim_ascii();
                let decoded = crate::ngx_util::decode_base64(b64)?;
                let user = decoded.split(|&c| c == b':').next()?;
                return Some(user.to_vec());
            }
            b"body_bytes_sent" => Some(if self.headers_sent {
                self.body_bytes_sent().to_string().into_bytes()
            } else {
                b"0".to_vec()
            }),
            b"content_length" => return self.header_first("content-length"),
            _ => None,
        };
        if fixed.is_some() {
            return fixed;
        }
        if let Some(h) = name.strip_prefix(b"http_") {
            return self.header_var(h);
        }
        if let Some(a) = name.strip_prefix(b"arg_") {
            return self.args.as_deref().and_then(|args| ngx_http_arg(args, a));
        }
        if let Some(c) = name.strip_prefix(b"cookie_") {
            let cookies = self.header_var(b"cookie")?;
            return cookie_value(&cookies, c);
        }
        None
    }

    /// Keeps the headers as sent before a handler changes them ([`Self::sent_headers`]).
    fn save_sent_headers(&mut self) {
        if self.sent_headers.is_none() {
            self.sent_headers = Some(self.req.headers.clone());
        }
    }

    fn header_first(&self, lname: &str) -> Option<Vec<u8>> {
        self.req
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(lname))
            .map(|(_, v)| v.clone())
    }

    /// `$http_NAME`: headers whose lowercased name, with `-` as `_`, equals `name`.
    fn header_var(&self, name: &[u8]) -> Option<Vec<u8>> {
        let matches = |k: &str| {
            k.len() == name.len()
                && k.bytes().zip(name).all(|(a, &b)| {
                    let a = if a == b'-' {
                        b'_'
                    } else {
                        a.to_ascii_lowercase()
                    };
                    a == b
                })
        };
        // nginx 1.22 joins only Cookie and X-Forwarded-For; any other header's variable
        // is its first occurrence.
        let sep: &[u8] = if name == b"cookie" { b"; " } else { b", " };
        let joins = name == b"cookie" || name == b"x_forwarded_for";
        let mut out: Option<Vec<u8>> = None;
        for (k, v) in &self.req.headers {
            if out.is_some() && !joins {
                break;
            }
            if matches(k) {
                match &mut out {
                    None => out = Some(v.clone()),
                    Some(o) => {
                        o.extend_from_slice(sep);
                        o.extend_from_slice(v);
                    }
                }
            }
        }
        out
    }

    fn host(&self) -> Vec<u8> {
        let Some(h) = self.header_first("host") else {
            return b"localhost".to_vec();
        };
        let mut h = h.to_ascii_lowercase();
        let port_at = if h.first() == Some(&b'[') {
            h.iter().position(|&c| c == b']').map(|i| i + 1)
        } else {
            h.iter().position(|&c| c == b':')
        };
        if let Some(i) = port_at {
            h.truncate(i);
        }
        while h.last() == Some(&b'.') {
            h.pop();
        }
        if h.is_empty() {
            b"localhost".to_vec()
        } else {
            h
        }
    }

    fn get_headers(&mut self, arm: &mut dyn Arm) -> Result<Outcome, String> {
        let max = match arm.arg(0) {
            HostValue::Number(n) => ffi_int(n),
            _ => 100,
        };
        let raw = !matches!(arm.arg(1), HostValue::Nil | HostValue::Bool(false));
        let mut list: Vec<(String, Vec<u8>)> = Vec::new();
        let mut truncated = false;
        for (count, (k, v)) in self.req.headers.iter().enumerate() {
            if max > 0 && count as i64 >= max {
                truncated = true;
                break;
            }
            list.push((k.clone(), v.clone()));
        }
        let mut ret = vec![header_table(&list, raw)];
        if truncated {
            ret.push(HostValue::str("truncated"));
        }
        Ok(headers_result(ret, raw))
    }

    /// The body goes with chunked transfer encoding: Lua output, or a length cleared
    /// in the header filter, and no Content-Length in the response.
    fn chunked(&self) -> bool {
        (!self.eof_in_last_chunk || self.length_cleared)
            && self.content_length.is_none()
            && !self.header_only
            && !self
                .resp_headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("content-length"))
    }

    /// The response as the client sees it.
    pub fn into_response(self) -> Response {
        if self.dropped && !self.headers_sent {
            return Response {
                status: 0,
                headers: vec![],
                body: vec![],
                log: self.log,
                chunked: false,
                header_only: false,
                truncated: false,
                head_length: None,
            };
        }
        let chunked = self.chunked();
        let header_only = self.header_only && !self.eof_in_last_chunk;
        Response {
            status: u16::try_from(self.status.clamp(0, 999)).unwrap_or(0),
            headers: self.resp_headers,
            body: self.body,
            log: self.log,
            chunked,
            header_only,
            truncated: self.truncated,
            head_length: self.head_length,
        }
    }

    /// nginx drops the connection: nothing (more) is sent.
    fn close(&mut self) {
        // What was output and not flushed is still in nginx's buffers (it writes at 1460
        // bytes or at the end): the client gets what `ngx.flush` sent, if anything, and
        // then the connection closes.
        self.dropped = true;
        if self.flushed > 0 && self.headers_sent {
            self.body.truncate(self.flushed);
            self.truncated = true;
        } else {
            self.headers_sent = false;
        }
        self.finalized = true;
    }

    /// The end of the content handler: send the headers if not yet sent, then the last
    /// buffer.
    fn complete(&mut self) {
        self.send_header_if_needed();
        self.finalized = true;
    }

    /// `ngx_http_special_response_handler` for `code` (nothing has been sent yet).
    fn special(&mut self, code: i64) {
        if matches!(code, 408 | 444 | 499) || code < 200 {
            return self.close();
        }
        let (status, page) = match code {
            494..=497 => (400, error_page(code)),
            _ => (code, error_page(code)),
        };
        self.special_code = Some(code);
        self.status = status;
        self.body.clear();
        let page = page.filter(|_| status != 204 && status != 304);
        // A code without a page is sent with no Content-Type (and no body).
        self.page_type = Some(if page.is_some() {
            b"text/html".to_vec()
        } else {
            Vec::new()
        });
        self.send_headers(self.page_type.clone());
        self.headers_sent = true;
        match page {
            Some(page) if self.req.method == "HEAD" => self.head_length = Some(page.len()),
            Some(page) => self.body = page.into_bytes(),
            None => {}
        }
        self.chunk_ends.clear();
        self.eof_in_last_chunk = true;
        self.finalized = true;
    }

    /// Ends the current handler run the way ngx_lua does for its phase. Returns whether
    /// the request is finalized (no later request phase runs; the filters and the log
    /// phase still do).
    pub fn end_run(&mut self, end: RunEnd) -> bool {
        let code = match end {
            RunEnd::Error(msg) => {
                self.fail(&msg);
                return true;
            }
            RunEnd::Done => {
                if self.phase == Phase::Content || self.headers_sent {
                    self.complete();
                    return true;
                }
                return false;
            }
            RunEnd::Exit => self.exit_code.take().unwrap_or(0),
        };
        if matches!(self.phase, Phase::Rewrite | Phase::Access) && code == 0 && !self.headers_sent {
            return false;
        }
        self.finalize_code(code);
        true
    }

    /// `ngx_http_finalize_request(r, code)` after a handler.
    fn finalize_code(&mut self, code: i64) {
        if code == 0 {
            return self.complete();
        }
        if code < 200 {
            return self.close();
        }
        if !self.headers_sent && self.status == 0 {
            self.status = code;
        }
        if code < 300 && code != 204 {
            return self.complete();
        }
        if self.headers_sent {
            // Only 408, 444 and 499 get here after output: nginx drops the connection.
            return self.close();
        }
        self.special(code)
    }

    /// The handler returned normally, or called `ngx.exit`.
    pub fn finish(mut self) -> Response {
        let code = self.exit_code.take().unwrap_or(0);
        self.finalize_code(code);
        self.into_response()
    }

    /// An uncaught Lua error with message `lua_error` ended the handler.
    pub fn fail(&mut self, lua_error: &str) {
        self.push_log(
            4,
            format!("lua entry thread aborted: runtime error: {lua_error}"),
        );
        if self.headers_sent {
            self.close()
        } else {
            self.special(500)
        }
    }

    /// The handler died of an uncaught Lua error with message `lua_error` (see
    /// [`lua_error_message`] for non-string error objects).
    pub fn finish_with_error(mut self, lua_error: &str) -> Response {
        self.fail(lua_error);
        self.into_response()
    }

    /// The script could not be loaded (syntax error): nginx logs
    /// `failed to load external Lua file "<script>": <message>` and answers 500.
    pub fn finish_with_load_error(mut self, script: &str, message: &str) -> Response {
        self.push_log(
            4,
            format!("failed to load external Lua file \"{script}\": {message}"),
        );
        self.special(500);
        self.into_response()
    }
}

fn with_position(arm: &mut dyn Arm, msg: &str) -> String {
    at_level(arm, 1, msg)
}

/// A regex match's captures: numbered (`$0`..), then named with lowercase names.
pub type Captures = (Vec<Option<Vec<u8>>>, Vec<(String, Option<Vec<u8>>)>);

/// The captures of `re` on `subject`, if it matches.
pub fn captures_of(re: &regex::bytes::Regex, subject: &[u8]) -> Option<Captures> {
    let caps = re.captures(subject)?;
    let numbered = (0..caps.len())
        .map(|i| caps.get(i).map(|m| m.as_bytes().to_vec()))
        .collect();
    let named = re
        .capture_names()
        .enumerate()
        .filter_map(|(i, n)| {
            Some((
                n?.to_ascii_lowercase(),
                caps.get(i).map(|m| m.as_bytes().to_vec()),
            ))
        })
        .collect();
    Some((numbered, named))
}

/// `msg` with the position [`Arm::position_at`] `level`, if any.
fn at_level(arm: &mut dyn Arm, level: u32, msg: &str) -> String {
    let pos = arm.position_at(level);
    if pos.is_empty() {
        msg.to_string()
    } else {
        format!("{pos}: {msg}")
    }
}

/// lua-resty-core's `error(msg, 2)`: the position of the code that called the API
/// function, none when that was a C function (`pcall(ngx.decode_base64, x)`, where the
/// call has no name).
fn at_level2(arm: &mut dyn Arm, msg: &str) -> String {
    if arm.callee_name().is_some() {
        with_position(arm, msg)
    } else {
        msg.to_string()
    }
}

/// LuaJIT FFI conversion of a Lua number to a C `int`: truncation toward zero (saturating
/// here where C would be undefined).
fn ffi_int(n: f64) -> i64 {
    if n.is_nan() {
        0
    } else {
        n.trunc().clamp(i32::MIN as f64, i32::MAX as f64) as i64
    }
}

fn echo_scalar(v: &HostValue, out: &mut Vec<u8>) {
    match v {
        HostValue::Nil => out.extend_from_slice(b"nil"),
        HostValue::Null => out.extend_from_slice(b"null"),
        HostValue::Bool(true) => out.extend_from_slice(b"true"),
        HostValue::Bool(false) => out.extend_from_slice(b"false"),
        HostValue::Number(n) => out.extend_from_slice(fmt_say_number(*n).as_bytes()),
        HostValue::Str(s) => out.extend_from_slice(s),
        HostValue::Table(_) | HostValue::Other(_) => {}
    }
}

/// Largest array `ngx.say` accepts here (ngx_lua has no limit but memory).
const MAX_ECHO_ARRAY: f64 = 16_777_216.0;

/// `ngx.say`/`ngx.print`'s arguments appended to `out`; on a bad one, its number and
/// `luaL_argerror`'s message (the caller names the function).
fn echo_args(arm: &mut dyn Arm, out: &mut Vec<u8>) -> Result<(), (usize, String)> {
    for i in 0..arm.nargs() {
        if arm.append_str_arg(i, out) {
            continue;
        }
        let v = arm.arg(i);
        match &v {
            HostValue::Table(_) => echo_table(&v, i + 1, out)?,
            HostValue::Other(t) => {
                return Err((
                    i + 1,
                    format!(
                        "string, number, boolean, nil, ngx.null, or array table expected, \
                         but got {t}"
                    ),
                ));
            }
            _ => echo_scalar(&v, out),
        }
    }
    Ok(())
}

/// `ngx_http_lua_calc_strlen_in_table` + `ngx_http_lua_copy_str_in_table` (not strict).
fn echo_table(t: &HostValue, arg: usize, out: &mut Vec<u8>) -> Result<(), (usize, String)> {
    let HostValue::Table(entries) = t else {
        return Ok(());
    };
    let mut max = 0.0f64;
    for (k, _) in entries {
        match k {
            HostValue::Number(k) if k.floor() == *k && *k >= 1.0 => max = max.max(*k),
            _ => return Err((arg, "non-array table found".into())),
        }
    }
    if max > MAX_ECHO_ARRAY {
        return Err((arg, "array table too large".into()));
    }
    let mut slots: Vec<&HostValue> = vec![&HostValue::Nil; max as usize];
    for (k, v) in entries {
        if let HostValue::Number(k) = k {
            slots[*k as usize - 1] = v;
        }
    }
    for v in slots {
        match v {
            HostValue::Table(_) => echo_table(v, arg, out)?,
            HostValue::Other(t) => {
                return Err((arg, format!("bad data type {t} found")));
            }
            _ => echo_scalar(v, out),
        }
    }
    Ok(())
}

/// A number as `ngx.say` prints it: `%d` when it is integral and fits a C `int`, else
/// `%.14g`.
pub fn fmt_say_number(n: f64) -> String {
    // ngx_http_lua_write_num: `n == (int) n` prints `%d`, anything else `%.14g`.
    if n.trunc() == n && (-2_147_483_648.0..=2_147_483_647.0).contains(&n) {
        format!("{}", n as i64)
    } else {
        fmt_number(n)
    }
}

/// A number as LuaJIT's `tostring` prints it: `%.14g`, with `inf`, `-inf`, `nan`, `-nan`.
pub fn fmt_number(n: f64) -> String {
    fmt_g(n, 14)
}

/// C's `%.<prec>g`.
pub fn fmt_g(x: f64, prec: usize) -> String {
    if x.is_nan() {
        return if x.is_sign_negative() { "-nan" } else { "nan" }.to_string();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.to_string();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let p = prec.max(1);
    let e = format!("{:.*e}", p - 1, x);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= p as i64 {
        let mant = strip_fraction_zeros(mant);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mant}e{sign}{:02}", exp.abs())
    } else {
        let decimals = usize::try_from(p as i64 - 1 - exp).unwrap_or(0);
        strip_fraction_zeros(&format!("{x:.decimals$}")).to_string()
    }
}

fn strip_fraction_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// Lua's string-to-number conversion (`tonumber(s)`), as the runtime does it.
pub use moonshift_abi::numscan::lua_number as lua_str_to_number;

/// `ngx_http_arg`: the raw value of the first `name=` argument (name compared
/// case-insensitively).
fn ngx_http_arg(args: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    if name.is_empty() {
        return None;
    }
    let mut start = 0;
    while start + name.len() < args.len() {
        let at_boundary = start == 0 || args[start - 1] == b'&';
        if at_boundary
            && args[start..start + name.len()].eq_ignore_ascii_case(name)
            && args[start + name.len()] == b'='
        {
            let v = &args[start + name.len() + 1..];
            let end = v.iter().position(|&c| c == b'&').unwrap_or(v.len());
            return Some(v[..end].to_vec());
        }
        start += 1;
    }
    None
}

/// `$cookie_NAME` from the joined Cookie header(s).
fn cookie_value(cookies: &[u8], name: &[u8]) -> Option<Vec<u8>> {
    for part in cookies.split(|&c| c == b';' || c == b',') {
        let part = part.trim_ascii_start();
        if part.len() > name.len() && part[..name.len()].eq_ignore_ascii_case(name) {
            // `name = value`: blanks around the `=` are skipped.
            let rest = part[name.len()..].trim_ascii_start();
            if let Some(v) = rest.strip_prefix(b"=") {
                return Some(v.trim_ascii_start().to_vec());
            }
        }
    }
    None
}

/// `$uri` from the request path: `%XX` decoded, `//` merged, `.` and `..` resolved.
pub fn normalize_uri(path: &[u8]) -> Vec<u8> {
    // Most paths have nothing to decode or merge: they are their own normal form.
    if path.first() == Some(&b'/')
        && !path.contains(&b'%')
        && !path.windows(2).any(|w| w == b"//" || w == b"/.")
    {
        return path.to_vec();
    }
    merge_uri(path)
}

/// [`normalize_uri`] for any path: decode, then merge `.`, `..` and repeated slashes.
fn merge_uri(path: &[u8]) -> Vec<u8> {
    let mut decoded = Vec::with_capacity(path.len());
    let mut i = 0;
    while i < path.len() {
        if path[i] == b'%' && i + 2 < path.len() {
            let h = (path[i + 1] as char).to_digit(16);
            let l = (path[i + 2] as char).to_digit(16);
            if let (Some(h), Some(l)) = (h, l) {
                decoded.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        decoded.push(path[i]);
        i += 1;
    }
    let mut segs: Vec<&[u8]> = Vec::new();
    let trailing = decoded.ends_with(b"/") || decoded.ends_with(b"/.") || decoded.ends_with(b"/..");
    for seg in decoded.split(|&c| c == b'/') {
        match seg {
            b"" | b"." => {}
            b".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let mut out = Vec::with_capacity(decoded.len());
    for s in &segs {
        out.push(b'/');
        out.extend_from_slice(s);
    }
    if out.is_empty() || trailing {
        out.push(b'/');
    }
    out
}

/// `tostring` of a value as the host sees it (tables and functions have no address here).
fn tostring(v: &HostValue) -> Vec<u8> {
    match v {
        HostValue::Nil => b"nil".to_vec(),
        HostValue::Bool(b) => {
            if *b {
                b"true".to_vec()
            } else {
                b"false".to_vec()
            }
        }
        HostValue::Number(n) => fmt_number(*n).into_bytes(),
        HostValue::Str(s) => s.clone(),
        HostValue::Null => b"userdata: NULL".to_vec(),
        HostValue::Table(_) => b"table".to_vec(),
        HostValue::Other(t) => t.as_bytes().to_vec(),
    }
}

/// `ngx.encode_args`: `k=v` pairs joined by `&`, escaped as URI components; `true` is a
/// bare key, `false` is left out, an array repeats the key.
fn encode_args(items: &[(HostValue, HostValue)]) -> Result<Vec<u8>, String> {
    let mut out: Vec<u8> = Vec::new();
    let mut push = |k: &[u8], v: Option<&[u8]>| {
        if !out.is_empty() {
            out.push(b'&');
        }
        out.extend_from_slice(&crate::ngx_util::escape_uri(
            k,
            crate::ngx_util::ESCAPE_URI_COMPONENT,
        ));
        if let Some(v) = v {
            out.push(b'=');
            out.extend_from_slice(&crate::ngx_util::escape_uri(
                v,
                crate::ngx_util::ESCAPE_URI_COMPONENT,
            ));
        }
    };
    for (k, v) in items {
        let k = match k {
            HostValue::Str(s) => s.clone(),
            _ => {
                return Err("attempt to use a non-string key in the \"args\" option table".into());
            }
        };
        let scalar = |v: &HostValue| -> Result<Vec<u8>, String> {
            match v {
                HostValue::Str(_) | HostValue::Number(_) => Ok(tostring(v)),
                other => Err(format!(
                    "attempt to use {} as query arg value",
                    other.type_name()
                )),
            }
        };
        match v {
            HostValue::Bool(true) => push(&k, None),
            HostValue::Bool(false) => {}
            HostValue::Table(elems) => {
                let mut elems: Vec<&(HostValue, HostValue)> = elems.iter().collect();
                elems.sort_by(|a, b| match (&a.0, &b.0) {
                    (HostValue::Number(x), HostValue::Number(y)) => x.total_cmp(y),
                    _ => std::cmp::Ordering::Equal,
                });
                for (_, e) in elems {
                    match e {
                        HostValue::Bool(true) => push(&k, None),
                        HostValue::Bool(false) => {}
                        e => push(&k, Some(&scalar(e)?)),
                    }
                }
            }
            v => push(&k, Some(&scalar(v)?)),
        }
    }
    Ok(out)
}

/// A response header name as ngx_lua stores it: `_` becomes `-`.
fn header_name(k: Vec<u8>) -> String {
    let name =
        String::from_utf8(k).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    if name.contains('_') {
        name.replace('_', "-")
    } else {
        name
    }
}

/// A `get_headers` result: without `raw`, the table has ngx_lua's metatable, which finds
/// `h["Content-Type"]` and `h.content_type` under `content-type`.
fn headers_result(values: Vec<HostValue>, raw: bool) -> Outcome {
    if raw {
        Outcome::Return(values.into())
    } else {
        Outcome::ReturnMeta(
            values.into(),
            MetaSpec {
                index: Some(HostFn::HeadersIndex),
                newindex: None,
            },
        )
    }
}

/// A header list as `get_headers` returns it: lowercased names unless `raw`, repeated
/// names as arrays.
fn header_table(list: &[(String, Vec<u8>)], raw: bool) -> HostValue {
    let mut entries: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
    for (k, v) in list {
        let key = if raw {
            k.clone()
        } else {
            k.to_ascii_lowercase()
        };
        match entries.iter_mut().find(|(ek, _)| *ek == key) {
            Some((_, vals)) => vals.push(v.clone()),
            None => entries.push((key, vec![v.clone()])),
        }
    }
    HostValue::Table(
        entries
            .into_iter()
            .map(|(k, mut vals)| {
                let v = if vals.len() == 1 {
                    HostValue::Str(vals.pop().unwrap_or_default())
                } else {
                    HostValue::Table(
                        vals.into_iter()
                            .enumerate()
                            .map(|(i, v)| (HostValue::Number((i + 1) as f64), HostValue::Str(v)))
                            .collect(),
                    )
                };
                (HostValue::str(k), v)
            })
            .collect(),
    )
}

/// `%XX` and `+` decoding of one query-string component (`ngx_unescape_uri` with
/// `NGX_UNESCAPE_URI_COMPONENT`, then `+` as a space).
pub fn unescape_arg(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < s.len() => {
                let h = (s[i + 1] as char).to_digit(16);
                let l = (s[i + 2] as char).to_digit(16);
                if let (Some(h), Some(l)) = (h, l) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// `ngx.decode_args` / `get_uri_args`: the table and whether `max` cut it short.
pub fn decode_args(args: &[u8], max: i64) -> (HostValue, bool) {
    let mut entries: Vec<(Vec<u8>, Vec<HostValue>)> = Vec::new();
    let mut count = 0i64;
    let mut truncated = false;
    for part in args.split(|&c| c == b'&') {
        if part.is_empty() {
            continue;
        }
        if max > 0 && count >= max {
            truncated = true;
            break;
        }
        count += 1;
        let (k, v) = match part.iter().position(|&c| c == b'=') {
            Some(i) => (
                unescape_arg(&part[..i]),
                HostValue::Str(unescape_arg(&part[i + 1..])),
            ),
            None => (unescape_arg(part), HostValue::Bool(true)),
        };
        if k.is_empty() {
            continue;
        }
        match entries.iter_mut().find(|(ek, _)| *ek == k) {
            Some((_, vals)) => vals.push(v),
            None => entries.push((k, vec![v])),
        }
    }
    let t = HostValue::Table(
        entries
            .into_iter()
            .map(|(k, mut vals)| {
                let v = if vals.len() == 1 {
                    vals.pop().unwrap_or(HostValue::Nil)
                } else {
                    HostValue::Table(
                        vals.into_iter()
                            .enumerate()
                            .map(|(i, v)| (HostValue::Number((i + 1) as f64), v))
                            .collect(),
                    )
                };
                (HostValue::Str(k), v)
            })
            .collect(),
    );
    (t, truncated)
}

/// nginx's built-in error page for `code` (`server_tokens off`), if it has one.
pub fn error_page(code: i64) -> Option<String> {
    let (title, h1, extra): (&str, &str, Option<&str>) = match code {
        301 => ("301 Moved Permanently", "", None),
        302 => ("302 Found", "", None),
        303 => ("303 See Other", "", None),
        307 => ("307 Temporary Redirect", "", None),
        308 => ("308 Permanent Redirect", "", None),
        400 => ("400 Bad Request", "", None),
        401 => ("401 Authorization Required", "", None),
        402 => ("402 Payment Required", "", None),
        403 => ("403 Forbidden", "", None),
        404 | 498 => ("404 Not Found", "", None),
        405 => ("405 Not Allowed", "", None),
        406 => ("406 Not Acceptable", "", None),
        408 => ("408 Request Time-out", "", None),
        409 => ("409 Conflict", "", None),
        410 => ("410 Gone", "", None),
        411 => ("411 Length Required", "", None),
        412 => ("412 Precondition Failed", "", None),
        413 => ("413 Request Entity Too Large", "", None),
        414 => ("414 Request-URI Too Large", "", None),
        415 => ("415 Unsupported Media Type", "", None),
        416 => ("416 Requested Range Not Satisfiable", "", None),
        421 => ("421 Misdirected Request", "", None),
        429 => ("429 Too Many Requests", "", None),
        494 => (
            "400 Request Header Or Cookie Too Large",
            "400 Bad Request",
            Some("Request Header Or Cookie Too Large"),
        ),
        495 => (
            "400 The SSL certificate error",
            "400 Bad Request",
            Some("The SSL certificate error"),
        ),
        496 => (
            "400 No required SSL certificate was sent",
            "400 Bad Request",
            Some("No required SSL certificate was sent"),
        ),
        497 => (
            "400 The plain HTTP request was sent to HTTPS port",
            "400 Bad Request",
            Some("The plain HTTP request was sent to HTTPS port"),
        ),
        500 => ("500 Internal Server Error", "", None),
        501 => ("501 Not Implemented", "", None),
        502 => ("502 Bad Gateway", "", None),
        503 => ("503 Service Temporarily Unavailable", "", None),
        504 => ("504 Gateway Time-out", "", None),
        505 => ("505 HTTP Version Not Supported", "", None),
        507 => ("507 Insufficient Storage", "", None),
        _ => return None,
    };
    let h1 = if h1.is_empty() { title } else { h1 };
    let mut page = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{h1}</h1></center>\r\n"
    );
    if let Some(extra) = extra {
        let _ = write!(page, "<center>{extra}</center>\r\n");
    }
    page.push_str("<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
    Some(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scripted arm: fixed arguments, fixed caller.
    struct TestArm(Vec<HostValue>, &'static str, Option<&'static str>);
    impl Arm for TestArm {
        fn nargs(&self) -> usize {
            self.0.len()
        }
        fn arg(&mut self, i: usize) -> HostValue {
            self.0.get(i).cloned().unwrap_or(HostValue::Nil)
        }
        fn position_at(&mut self, level: u32) -> String {
            if level == 1 {
                self.1.to_string()
            } else {
                String::new()
            }
        }
        fn caller_name(&mut self) -> Option<String> {
            self.2.map(str::to_string)
        }
    }

    fn req(method: &str, uri: &str, headers: &[(&str, &str)]) -> Request {
        Request {
            method: method.into(),
            uri: uri.into(),
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
            body: vec![],
            http10: false,
        }
    }

    fn call(n: &mut NgxRequest, f: HostFn, args: Vec<HostValue>) -> Result<Outcome, String> {
        n.call(f, &mut TestArm(args, "dir/x.lua:7", None))
    }

    fn s(v: &str) -> HostValue {
        HostValue::str(v)
    }

    #[test]
    fn number_formats() {
        assert_eq!(fmt_number(1.0), "1");
        assert_eq!(fmt_number(0.1), "0.1");
        assert_eq!(fmt_number(1e15), "1e+15");
        assert_eq!(fmt_number(123456789012345.0), "1.2345678901234e+14");
        assert_eq!(fmt_number(1.0 / 3.0), "0.33333333333333");
        assert_eq!(fmt_number(1e-5), "1e-05");
        assert_eq!(fmt_number(-0.0), "-0");
        assert_eq!(fmt_number(f64::INFINITY), "inf");
        assert_eq!(fmt_say_number(1e15), "1e+15");
        assert_eq!(fmt_say_number(2147483647.0), "2147483647");
        assert_eq!(fmt_say_number(2147483648.0), "2147483648");
        assert_eq!(fmt_say_number(-0.0), "0");
        assert_eq!(fmt_say_number(2.5), "2.5");
        assert_eq!(fmt_say_number(1e20), "1e+20");
    }

    #[test]
    fn say_tables_and_errors() {
        let mut n = NgxRequest::new(req("GET", "/", &[]));
        let arr = HostValue::Table(vec![
            (HostValue::Number(2.0), s("b")),
            (
                HostValue::Number(1.0),
                HostValue::Table(vec![(HostValue::Number(1.0), s("a"))]),
            ),
            (HostValue::Number(4.0), HostValue::Bool(true)),
        ]);
        assert_eq!(
            call(&mut n, HostFn::Say, vec![arr, HostValue::Number(3.0)]),
            Ok(Outcome::Return(smallvec![HostValue::Number(1.0)]))
        );
        let bad = HostValue::Table(vec![(s("k"), s("v"))]);
        assert_eq!(
            call(&mut n, HostFn::Print, vec![s("x"), bad]),
            Err("bad argument #2 to '?' (non-array table found)".into())
        );
        assert_eq!(
            call(&mut n, HostFn::Say, vec![HostValue::Other("function")]),
            Err("bad argument #1 to '?' (string, number, boolean, nil, ngx.null, or array table expected, but got function)".into())
        );
        let r = n.finish();
        assert_eq!(r.body, b"abniltrue3\n");
        assert_eq!(r.status, 200);
    }

    #[test]
    fn log_prefix_and_numbering() {
        let mut n = NgxRequest::new(req("GET", "/", &[]));
        let mut arm = TestArm(
            vec![
                HostValue::Number(4.0),
                s("a"),
                HostValue::Nil,
                HostValue::Number(1.5),
            ],
            "/a/b/x.lua:3",
            Some("greet"),
        );
        n.call(HostFn::Log, &mut arm).unwrap();
        let e = call(
            &mut n,
            HostFn::Log,
            vec![HostValue::Number(5.0), s("x"), HostValue::Table(vec![])],
        );
        assert_eq!(
            e,
            Err("bad argument #2 to '?' (expected table to have __tostring metamethod)".into())
        );
        assert_eq!(
            call(&mut n, HostFn::Log, vec![HostValue::Number(9.0)]),
            Err("bad argument #1 to '?' (bad log level: 9)".into())
        );
        assert_eq!(
            call(&mut n, HostFn::Log, vec![]),
            Err("bad argument #1 to '?' (number expected, got no value)".into())
        );
        let r = n.finish();
        assert_eq!(
            r.log,
            vec![LogLine {
                level: "error".into(),
                message: "[lua] x.lua:3: greet(): anil1.5".into()
            }]
        );
    }

    /// The shortcut for paths already in normal form gives what decoding and merging give.
    #[test]
    fn normalize_uri_shortcut_agrees_with_merging() {
        for p in [
            "/",
            "/api/items",
            "/a/",
            "/a.b/c.d",
            "/a..b",
            "/.a",
            "/a/.",
            "/a/..",
            "//a",
            "/a//b",
            "/a/./b",
            "/a/../b",
            "/%41",
            "a/b",
            "",
            "/a-b_c~d",
            "/x/y/z/",
        ] {
            assert_eq!(normalize_uri(p.as_bytes()), merge_uri(p.as_bytes()), "{p}");
        }
    }

    #[test]
    fn variables() {
        let n = NgxRequest::new(req(
            "POST",
            "/a//b/./c/../d%20e?x=1&Foo=bar&foo=2&e=",
            &[
                ("Host", "Example.COM:8080"),
                ("X-Multi", "1"),
                ("x-multi", "2"),
            ],
        ));
        let v = |name: &str| {
            n.variable(name.as_bytes())
                .map(|v| String::from_utf8(v).unwrap())
        };
        assert_eq!(v("uri").as_deref(), Some("/a/b/d e"));
        assert_eq!(v("args").as_deref(), Some("x=1&Foo=bar&foo=2&e="));
        assert_eq!(v("arg_foo").as_deref(), Some("bar"));
        assert_eq!(v("arg_e").as_deref(), Some(""));
        assert_eq!(v("arg_zz"), None);
        // nginx 1.22 joins only Cookie and X-Forwarded-For.
        assert_eq!(v("http_x_multi").as_deref(), Some("1"));
        assert_eq!(v("host").as_deref(), Some("example.com"));
        assert_eq!(v("nope"), None);
        let n2 = NgxRequest::new(req("GET", "/", &[]));
        assert_eq!(n2.variable(b"args"), None);
        assert_eq!(n2.variable(b"arg_a"), None);
    }

    #[test]
    fn status_and_exit() {
        let mut n = NgxRequest::new(req("GET", "/", &[]));
        assert_eq!(
            call(&mut n, HostFn::NgxIndex, vec![HostValue::Nil, s("status")]),
            Ok(Outcome::Return(smallvec![HostValue::Number(0.0)]))
        );
        assert_eq!(
            call(
                &mut n,
                HostFn::NgxNewIndex,
                vec![HostValue::Nil, s("foo"), s("x")]
            ),
            Ok(Outcome::RawSet)
        );
        call(
            &mut n,
            HostFn::NgxNewIndex,
            vec![HostValue::Nil, s("status"), s("201")],
        )
        .unwrap();
        call(&mut n, HostFn::Say, vec![s("made")]).unwrap();
        call(
            &mut n,
            HostFn::NgxNewIndex,
            vec![HostValue::Nil, s("status"), HostValue::Number(500.0)],
        )
        .unwrap();
        assert_eq!(
            call(&mut n, HostFn::Exit, vec![HostValue::Number(404.0)]),
            Ok(Outcome::Exit)
        );
        let r = n.finish();
        assert_eq!(r.status, 201);
        assert_eq!(r.body, b"made\n");
        assert_eq!(r.log.len(), 2);
        assert_eq!(
            r.log[1].text(),
            "attempt to set status 404 via ngx.exit after sending out the response status 201"
        );

        let mut n = NgxRequest::new(req("GET", "/", &[]));
        call(&mut n, HostFn::Exit, vec![HostValue::Number(404.0)]).unwrap();
        let r = n.finish();
        assert_eq!(r.status, 404);
        assert!(
            String::from_utf8_lossy(&r.body).contains("<center><h1>404 Not Found</h1></center>")
        );
        assert_eq!(
            r.headers,
            vec![("Content-Type".to_string(), b"text/html".to_vec())]
        );

        let mut n = NgxRequest::new(req("GET", "/", &[]));
        call(&mut n, HostFn::Exit, vec![HostValue::Number(-1.0)]).unwrap();
        assert_eq!(n.finish().status, 0);
    }

    #[test]
    fn var_errors() {
        let mut n = NgxRequest::new(req("GET", "/p?a=1", &[]));
        assert_eq!(
            call(
                &mut n,
                HostFn::VarNewIndex,
                vec![HostValue::Nil, s("uri"), s("x")]
            ),
            Err("dir/x.lua:7: variable \"uri\" not changeable".into())
        );
        assert!(
            call(
                &mut n,
                HostFn::VarNewIndex,
                vec![HostValue::Nil, s("Foo"), s("x")]
            )
            .unwrap_err()
            .starts_with("dir/x.lua:7: variable \"foo\" not found for writing;")
        );
        assert_eq!(
            call(
                &mut n,
                HostFn::VarIndex,
                vec![HostValue::Nil, HostValue::Bool(true)]
            ),
            Err("dir/x.lua:7: bad variable name".into())
        );
        call(
            &mut n,
            HostFn::VarNewIndex,
            vec![HostValue::Nil, s("args"), s("b=2")],
        )
        .unwrap();
        assert_eq!(
            call(&mut n, HostFn::VarIndex, vec![HostValue::Nil, s("ARG_B")]),
            Ok(Outcome::Return(smallvec![s("2")]))
        );
    }

    #[test]
    fn headers_table() {
        let mut n = NgxRequest::new(req(
            "GET",
            "/",
            &[("Host", "h"), ("X-A", "1"), ("x-a", "2")],
        ));
        let Ok(Outcome::ReturnMeta(v, meta)) = call(&mut n, HostFn::ReqGetHeaders, vec![]) else {
            panic!()
        };
        assert_eq!(meta.index, Some(HostFn::HeadersIndex));
        assert_eq!(
            v.to_vec(),
            vec![HostValue::Table(vec![
                (s("host"), s("h")),
                (
                    s("x-a"),
                    HostValue::Table(vec![
                        (HostValue::Number(1.0), s("1")),
                        (HostValue::Number(2.0), s("2"))
                    ])
                ),
            ])]
        );
        let Ok(Outcome::Return(v)) = call(
            &mut n,
            HostFn::ReqGetHeaders,
            vec![HostValue::Number(1.0), HostValue::Bool(true)],
        ) else {
            panic!()
        };
        assert_eq!(
            v.to_vec(),
            vec![HostValue::Table(vec![(s("Host"), s("h"))]), s("truncated")]
        );
    }

    #[test]
    fn error_page_after_error() {
        let n = NgxRequest::new(req("GET", "/", &[]));
        let r = n.finish_with_error("x.lua:1: boom");
        assert_eq!(r.status, 500);
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
        );
        assert_eq!(
            r.log[0].text(),
            "lua entry thread aborted: runtime error: x.lua:1: boom"
        );
    }

    #[test]
    fn ids_round_trip() {
        for &f in HostFn::ALL {
            assert_eq!(HostFn::from_id(f.id()), Some(f));
        }
        assert_eq!(HostFn::from_id(HostFn::ALL.len() as u32), None);
    }
}
