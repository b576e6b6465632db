//! The reference arm: LuaJIT 2.1 through mlua (`luajit` + `vendored`).
//!
//! Two uses:
//!
//! - [`run_script`] runs a plain Lua script as `luajit FILE.lua` would, capturing its output
//!   in-process; [`bench_script`] times one.
//! - [`ReferenceEngine`] runs an ngx content handler once per request, with the `ngx` table
//!   of [`crate::ngx`], as the reference side of the differential harness.
//!
//! Both load the chunk as `"@" + chunk_name` (so messages read `FILE.lua:3: ...`) into a
//! fresh `mlua::Lua::new()` state, which has the safe standard libraries: no `debug` and no
//! `ffi` (a real `luajit` has both). The chunk runs inside a coroutine, so that `os.exit` and
//! `ngx.exit` can end it from any depth, including inside `pcall`: they yield a private
//! sentinel that the driver recognises. Consequences: `coroutine.running()` in the main
//! chunk returns a thread rather than nil, and `os.exit`/`ngx.exit` inside a coroutine the
//! script created only end that coroutine.
//!
//! In [`run_script`]:
//!
//! - `print` behaves as LuaJIT's (calls the global `tostring` on each argument, joins with
//!   `\t`, appends `\n`, errors with `'tostring' must return a string to 'print'`), writing
//!   to the captured stdout; `io.write`, `io.stdout:write` and `io.stderr:write` write to the
//!   captured streams (`io.stdout`/`io.stderr` are tables with `write`, `flush`, `setvbuf`).
//! - `os.exit([code])` ends the script with that exit code (`true` = 0, `false` = 1).
//! - An uncaught error prints `moonshift: <message>\n` to stderr (no traceback) and exits
//!   with 1; a non-string error object prints `moonshift: (error object is a <type> value)`.
//!   A syntax error is reported the same way. A `coroutine.yield` at the top level is the
//!   error `attempt to yield from outside a coroutine`, as in luajit.
//!
//! In [`ReferenceEngine`], every request gets a fresh state (ngx_lua gives each request fresh
//! globals). The ngx functions are small Lua wrappers around one Rust function: the Rust
//! side calls [`NgxRequest::call`] and returns a status the wrapper turns into results, a
//! Lua error (a plain string, as ngx_lua raises), a `rawset`, or the exit yield. The global
//! `print` is ngx_lua's (logs at `notice`). A top-level `coroutine.yield` simply resumes, as
//! ngx_lua resumes the entry thread.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use mlua::{Function, Lua, MultiValue, Table, Value};

use crate::diff::Engine;
use crate::ngx::{
    self, Arm, Field, HostFn, HostValue, MAX_TABLE_DEPTH, MetaSpec, NgxRequest, Outcome, Request,
    Response, RunEnd,
};

/// What a plain script run printed, and how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit_code: i32,
}

type Buf = Rc<RefCell<Vec<u8>>>;

/// Lua side of the stdio capture. Arguments: write_out, write_err, _G, exit sentinel.
const STDIO_PRELUDE: &str = r##"
local write_out, write_err, G, sentinel = ...
local select, type, error, concat, yield = select, type, error, table.concat, coroutine.yield
local io = G.io
G.print = function(...)
  local n = select("#", ...)
  local ts = G.tostring
  local parts = {}
  for i = 1, n do
    local s = ts((select(i, ...)))
    local t = type(s)
    if t == "number" then
      s = s .. ""
    elseif t ~= "string" then
      error("'tostring' must return a string to 'print'", 2)
    end
    parts[i] = s
  end
  write_out(concat(parts, "\t", 1, n) .. "\n")
end
local function file(write)
  local f = {}
  -- Tail calls only: the caller of io.write / f:write is at level 2 for the error.
  local function w(self, ...)
    local n = select("#", ...)
    for i = 1, n do
      local v = (select(i, ...))
      local t = type(v)
      if t == "number" then
        v = v .. ""
      elseif t ~= "string" then
        error("bad argument #" .. i .. " to 'write' (string expected, got " .. t .. ")", 2)
      end
      write(v)
    end
    return self
  end
  f.write = w
  f.flush = function(self) return self end
  f.setvbuf = function() return true end
  return f
end
local stdout, stderr = file(write_out), file(write_err)
local w_out = stdout.write
if io then
  io.stdout = stdout
  io.stderr = stderr
  io.write = function(...) return w_out(stdout, ...) end
end
if G.os then
  G.os.exit = function(code)
    if code == nil or code == true then code = 0 elseif code == false then code = 1 end
    yield(sentinel, code)
  end
end
"##;

/// Runs a chunk in a coroutine until it ends. Arguments: chunk, sentinel, top-level yields
/// are errors. Returns `"done"`, `"exit", code`, or `"error", message-or-nil, type`.
const DRIVER: &str = r##"
local chunk, sentinel, yield_is_error = ...
local create, resume, status, type = coroutine.create, coroutine.resume, coroutine.status, type
return function()
  local co = create(chunk)
  while true do
    local ok, v, code = resume(co)
    if not ok then
      local t = type(v)
      if t == "string" or t == "number" then return "error", v .. "", t end
      return "error", v, t
    end
    if status(co) == "dead" then return "done" end
    if v == sentinel then return "exit", code end
    if yield_is_error then return "error", "attempt to yield from outside a coroutine", "string" end
  end
end
"##;

/// Turns the status a host function returns into what the ngx function does. Arguments:
/// raw host function, exit sentinel, LuaJIT's `table.new` and the hash size of a new
/// `ngx.ctx`. Returns a maker: `make(id)` is the ngx function `id`.
const WRAPPERS: &str = r##"
local raw, sentinel, new_tab, NEW_TABLE_HASH = ...
local yield, rawset, rawget, error, next, setmetatable =
  coroutine.yield, rawset, rawget, error, next, setmetatable
local make
local function meta(index, newindex, v, ...)
  local mt = {}
  if index then mt.__index = make(index) end
  if newindex then mt.__newindex = make(newindex) end
  setmetatable(v, mt)
  return v, ...
end
local function fill(t, entries, ...)
  for k in next, t do rawset(t, k, nil) end
  for k, v in next, entries do rawset(t, k, v) end
  return t, ...
end
local function finish(st, ...)
  if st == 0 then return ... end
  if st == 1 then error((...), 0) end
  if st == 2 then
    yield(sentinel)
    error("ngx.exit: resumed after exit", 0)
  end
  if st == 4 then
    local t, k = ...
    local v = new_tab(0, NEW_TABLE_HASH)
    rawset(t, k, v)
    return v
  end
  if st == 5 then
    return fill(...)
  end
  if st == 6 then
    local t, k = ...
    return rawget(t, k)
  end
  if st == 7 then
    return meta(...)
  end
  rawset(...)
end
make = function(id)
  return function(...) return finish(raw(id, ...)) end
end
return make
"##;

/// luajit skips a first line starting with `#` (a shebang); keep the newline so line
/// numbers stay right.
fn strip_shebang(source: &[u8]) -> &[u8] {
    if source.first() == Some(&b'#') {
        let nl = source
            .iter()
            .position(|&c| c == b'\n')
            .unwrap_or(source.len());
        &source[nl..]
    } else {
        source
    }
}

fn load_chunk(lua: &Lua, source: &[u8], chunk_name: &str) -> Result<Function, String> {
    lua.load(strip_shebang(source))
        .set_name(format!("@{chunk_name}"))
        .into_function()
        .map_err(|e| match e {
            mlua::Error::SyntaxError { message, .. } => message,
            other => other.to_string(),
        })
}

fn make_driver(
    lua: &Lua,
    chunk: Function,
    sentinel: &Table,
    yield_is_error: bool,
) -> mlua::Result<Function> {
    driver_factory(lua)?.call((chunk, sentinel.clone(), yield_is_error))
}

/// The compiled [`DRIVER`] chunk: called with (chunk, sentinel, yield_is_error), it
/// returns a driver. A state that runs many handlers keeps it rather than parse the
/// driver's source for each.
fn driver_factory(lua: &Lua) -> mlua::Result<Function> {
    lua.load(DRIVER)
        .set_name("=moonshift-driver")
        .into_function()
}

/// How a driven chunk ended.
enum Ended {
    Done,
    Exit(Value),
    /// Error message (`None` for a non-string, non-number error object) and the object's
    /// type.
    Error(Option<Vec<u8>>, String),
}

fn drive(driver: &Function) -> mlua::Result<Ended> {
    let (kind, v, t): (String, Value, Option<String>) = driver.call(())?;
    Ok(match kind.as_str() {
        "done" => Ended::Done,
        "exit" => Ended::Exit(v),
        _ => {
            let msg = match v {
                Value::String(s) => Some(s.as_bytes().to_vec()),
                // An error raised by Rust code (the time-limit hook).
                Value::Error(e) => Some(root_cause_message(&e).into_bytes()),
                _ => None,
            };
            Ended::Error(msg, t.unwrap_or_default())
        }
    })
}

/// The message of the innermost cause of an mlua error.
fn root_cause_message(e: &mlua::Error) -> String {
    match e {
        mlua::Error::CallbackError { cause, .. } => root_cause_message(cause),
        mlua::Error::RuntimeError(m) => m.clone(),
        other => other.to_string(),
    }
}

fn install_stdio(
    lua: &Lua,
    out: Option<Buf>,
    err: Option<Buf>,
    sentinel: &Table,
) -> mlua::Result<()> {
    let writer = |buf: Option<Buf>| {
        lua.create_function(move |_, s: mlua::LuaString| {
            if let Some(b) = &buf {
                b.borrow_mut().extend_from_slice(&s.as_bytes());
            }
            Ok(())
        })
    };
    let w_out = writer(out)?;
    let w_err = writer(err)?;
    lua.load(STDIO_PRELUDE)
        .set_name("=moonshift-stdio")
        .call::<()>((w_out, w_err, lua.globals(), sentinel.clone()))
}

fn new_state(jit: bool) -> mlua::Result<Lua> {
    let lua = Lua::new();
    crate::cjson::install(&lua)?;
    if !jit {
        lua.load("jit.off()").set_name("=moonshift-jit").exec()?;
    }
    Ok(lua)
}

/// The reference arm's default time limit for a run (the compiled arm's is
/// `wasm::Limits::timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// What the reference arm raises when a run passes its time limit.
pub const TIMEOUT_MESSAGE: &str = "script exceeded its time limit";

/// Makes every coroutine of `lua` raise [`TIMEOUT_MESSAGE`] once `timeout`
/// has passed: a count hook. LuaJIT checks hooks only in its interpreter, so
/// a loop running as a compiled trace does not see it (turning the JIT off
/// would, but LuaJIT's interpreter reports some errors differently — a stack
/// overflow loses its position — so the reference keeps the JIT on);
/// [`run_script_with_limit`] adds a watchdog for that case. Returns the deadline, for a
/// state that serves several requests to move on at each one.
fn set_deadline(lua: &Lua, timeout: Duration) -> mlua::Result<Deadline> {
    let deadline: Deadline = Rc::new(Cell::new(Instant::now() + timeout));
    let at = deadline.clone();
    lua.set_global_hook(
        mlua::HookTriggers::new().every_nth_instruction(1_000_000),
        move |_, _| {
            if Instant::now() > at.get() {
                Err(mlua::Error::runtime(TIMEOUT_MESSAGE))
            } else {
                Ok(mlua::VmState::Continue)
            }
        },
    )?;
    Ok(deadline)
}

/// When the current run's time is up ([`set_deadline`]).
type Deadline = Rc<Cell<Instant>>;

/// `package.path` next to the script, the rule the compiler links modules by
/// (`moonshift_abi::MODULE_TEMPLATES`).
/// An explicit `lua_path` (`a/?.lua;b/?.lua`, from `--lua-path`) replaces it.
fn set_module_path(lua: &Lua, chunk_name: &str, lua_path: Option<&str>) -> mlua::Result<()> {
    let path = match lua_path {
        Some(p) => p.to_string(),
        None => {
            let dir = moonshift_abi::script_dir(chunk_name);
            let t: Vec<String> = moonshift_abi::MODULE_TEMPLATES
                .iter()
                .map(|t| format!("{dir}{t}"))
                .collect();
            t.join(";")
        }
    };
    let package: mlua::Table = lua.globals().get("package")?;
    package.set("path", path)
}

fn exit_code_of(v: &Value) -> i32 {
    match v {
        Value::Integer(i) => *i as i32,
        Value::Number(n) => *n as i32,
        _ => 0,
    }
}

/// Run a plain Lua script as `luajit FILE.lua` would, capturing stdout and stderr.
pub fn run_script(source: &[u8], chunk_name: &str, jit: bool) -> RunOutput {
    run_script_with_path(source, chunk_name, jit, None)
}

/// [`run_script`] with an explicit `package.path` for `require`.
pub fn run_script_with_path(
    source: &[u8],
    chunk_name: &str,
    jit: bool,
    lua_path: Option<&str>,
) -> RunOutput {
    run_script_with_limit(source, chunk_name, jit, lua_path, DEFAULT_TIMEOUT)
}

/// [`run_script_with_path`] that ends with [`TIMEOUT_MESSAGE`] after
/// `timeout`. The run happens on its own thread: when a compiled loop does
/// not see the time-limit hook, the caller stops waiting a second after the
/// deadline and the LuaJIT thread is left spinning until the process ends.
pub fn run_script_with_limit(
    source: &[u8],
    chunk_name: &str,
    jit: bool,
    lua_path: Option<&str>,
    timeout: Duration,
) -> RunOutput {
    let (source, chunk_name) = (source.to_vec(), chunk_name.to_string());
    let lua_path = lua_path.map(str::to_string);
    on_watched_thread(timeout, move || {
        run_in_this_thread(&source, &chunk_name, jit, lua_path.as_deref(), timeout)
    })
    .unwrap_or_else(|abandoned| RunOutput {
        stdout: Vec::new(),
        stderr: format!("moonshift: {abandoned}\n").into_bytes(),
        exit_code: 1,
    })
}

/// Runs `f` on a LuaJIT thread of its own and waits for it until a second
/// past `timeout`. On `Err` (no thread, or a compiled loop that never saw
/// the time-limit hook) the thread, if any, is abandoned; the message says
/// which.
fn on_watched_thread<T: Send + 'static>(
    timeout: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("luajit-reference".into())
        .stack_size(64 << 20)
        .spawn(move || {
            let _ = tx.send(f());
        })
        .map_err(|_| "could not start the LuaJIT thread".to_string())?;
    rx.recv_timeout(timeout + Duration::from_secs(1))
        .map_err(|_| format!("{TIMEOUT_MESSAGE} (a compiled LuaJIT loop; the reference arm abandoned it and its output)"))
}

/// What nginx logs for an uncaught error the driver reported: its message (the driver
/// already turned a number into its `tostring` text), or `unknown reason` for any other
/// error object ([`ngx::lua_error_message`]).
fn nginx_error_text(msg: Option<Vec<u8>>) -> String {
    let v = msg.map_or(HostValue::Nil, HostValue::Str);
    ngx::lua_error_message(&v)
}

/// The text of an uncaught error: its message, or what LuaJIT's standalone
/// interpreter says of a non-string error value of type `t`.
fn error_text(msg: Option<Vec<u8>>, t: &str) -> Vec<u8> {
    msg.unwrap_or_else(|| format!("(error object is a {t} value)").into_bytes())
}

fn run_in_this_thread(
    source: &[u8],
    chunk_name: &str,
    jit: bool,
    lua_path: Option<&str>,
    timeout: Duration,
) -> RunOutput {
    let out: Buf = Rc::default();
    let err: Buf = Rc::default();
    let result = (|| -> mlua::Result<i32> {
        let lua = new_state(jit)?;
        set_deadline(&lua, timeout)?;
        set_module_path(&lua, chunk_name, lua_path)?;
        let sentinel = lua.create_table()?;
        install_stdio(&lua, Some(out.clone()), Some(err.clone()), &sentinel)?;
        let chunk = match load_chunk(&lua, source, chunk_name) {
            Ok(f) => f,
            Err(msg) => {
                err.borrow_mut()
                    .extend_from_slice(format!("moonshift: {msg}\n").as_bytes());
                return Ok(1);
            }
        };
        let driver = make_driver(&lua, chunk, &sentinel, true)?;
        Ok(match drive(&driver)? {
            Ended::Done => 0,
            Ended::Exit(code) => exit_code_of(&code),
            Ended::Error(msg, t) => {
                let mut e = err.borrow_mut();
                e.extend_from_slice(b"moonshift: ");
                e.extend_from_slice(&error_text(msg, &t));
                e.push(b'\n');
                1
            }
        })
    })();
    let exit_code = match result {
        Ok(c) => c,
        Err(e) => {
            err.borrow_mut()
                .extend_from_slice(format!("moonshift: internal error: {e}\n").as_bytes());
            1
        }
    };
    let stdout = out.borrow().clone();
    let stderr = err.borrow().clone();
    RunOutput {
        stdout,
        stderr,
        exit_code,
    }
}

/// Time `iterations` runs of a script's main chunk in one LuaJIT state (JIT on or off), output
/// discarded. State creation and compilation are not timed. An error or `os.exit` with a
/// non-zero code fails the benchmark.
pub fn bench_script(
    source: &[u8],
    chunk_name: &str,
    jit: bool,
    iterations: u32,
) -> Result<Duration, String> {
    let (_lua, driver) = silent_driver(source, chunk_name, jit)?;
    let start = Instant::now();
    for _ in 0..iterations {
        run_silently(&driver, true)?;
    }
    Ok(start.elapsed())
}

/// Runs a script once (it builds live data), then times `iterations` full
/// collections (`collectgarbage("collect")`). Returns the live heap in
/// bytes after the first collection and each collection's time.
pub fn time_full_collections(
    source: &[u8],
    chunk_name: &str,
    iterations: u32,
) -> Result<(u64, Vec<Duration>), String> {
    let (lua, driver) = silent_driver(source, chunk_name, true)?;
    run_silently(&driver, false)?;
    lua.gc_collect().map_err(|e| e.to_string())?;
    let live = lua.used_memory() as u64;
    let mut times = Vec::new();
    for _ in 0..iterations {
        let start = Instant::now();
        lua.gc_collect().map_err(|e| e.to_string())?;
        times.push(start.elapsed());
    }
    Ok((live, times))
}

/// A state running `source` with its output discarded (for timing).
fn silent_driver(source: &[u8], chunk_name: &str, jit: bool) -> Result<(Lua, Function), String> {
    let lua = new_state(jit).map_err(|e| e.to_string())?;
    set_module_path(&lua, chunk_name, None).map_err(|e| e.to_string())?;
    let sentinel = lua.create_table().map_err(|e| e.to_string())?;
    install_stdio(&lua, None, None, &sentinel).map_err(|e| e.to_string())?;
    let chunk = load_chunk(&lua, source, chunk_name)?;
    let driver = make_driver(&lua, chunk, &sentinel, true).map_err(|e| e.to_string())?;
    Ok((lua, driver))
}

/// One run of a driver; an error (or, with `exit_is_error`, a non-zero
/// `os.exit`) as its message.
fn run_silently(driver: &Function, exit_is_error: bool) -> Result<(), String> {
    match drive(driver).map_err(|e| e.to_string())? {
        Ended::Done => Ok(()),
        Ended::Exit(code) => match exit_code_of(&code) {
            c if c != 0 && exit_is_error => Err(format!("os.exit({c})")),
            _ => Ok(()),
        },
        Ended::Error(msg, t) => Err(String::from_utf8_lossy(&error_text(msg, &t)).into_owned()),
    }
}

/// An [`Arm`] over the arguments of one call from LuaJIT.
struct MluaArm<'a> {
    lua: &'a Lua,
    args: &'a [Value],
}

/// Stack level of the Lua code calling an ngx function, seen from the Rust function: 0 is
/// the Rust function, 1 the Lua wrapper, 2 the caller.
const CALLER_LEVEL: usize = 2;

/// How many table entries one argument copy may visit in all (a table reachable through
/// several paths, or a cycle, is copied once per path up to [`MAX_TABLE_DEPTH`]); past it,
/// tables become `Other("table")`.
const MAX_COPIED_ENTRIES: usize = 1 << 20;

fn to_host(v: &Value, depth: usize, budget: &mut usize) -> HostValue {
    match v {
        Value::Nil => HostValue::Nil,
        Value::Boolean(b) => HostValue::Bool(*b),
        Value::Integer(i) => HostValue::Number(*i as f64),
        Value::Number(n) => HostValue::Number(*n),
        Value::String(s) => HostValue::Str(s.as_bytes().to_vec()),
        Value::Table(t) => {
            if depth >= MAX_TABLE_DEPTH || *budget == 0 {
                return HostValue::Other("table");
            }
            let mut entries = Vec::new();
            for (k, v) in t.pairs::<Value, Value>().flatten() {
                *budget = budget.saturating_sub(1);
                entries.push((
                    to_host(&k, depth + 1, budget),
                    to_host(&v, depth + 1, budget),
                ));
            }
            HostValue::Table(entries)
        }
        Value::LightUserData(p) if p.0.is_null() => HostValue::Null,
        Value::Function(_) => HostValue::Other("function"),
        Value::Thread(_) => HostValue::Other("thread"),
        _ => HostValue::Other("userdata"),
    }
}

fn to_lua(lua: &Lua, v: &HostValue) -> mlua::Result<Value> {
    Ok(match v {
        HostValue::Nil | HostValue::Other(_) => Value::Nil,
        HostValue::Bool(b) => Value::Boolean(*b),
        HostValue::Null => Value::LightUserData(mlua::LightUserData(std::ptr::null_mut())),
        HostValue::Number(n) => Value::Number(*n),
        HostValue::Str(s) => Value::String(lua.create_string(s)?),
        HostValue::Table(entries) => {
            let t = lua.create_table()?;
            for (k, v) in entries {
                t.raw_set(to_lua(lua, k)?, to_lua(lua, v)?)?;
            }
            Value::Table(t)
        }
    })
}

impl Arm for MluaArm<'_> {
    fn nargs(&self) -> usize {
        self.args.len()
    }

    fn arg(&mut self, i: usize) -> HostValue {
        let mut budget = MAX_COPIED_ENTRIES;
        self.args
            .get(i)
            .map_or(HostValue::Nil, |v| to_host(v, 0, &mut budget))
    }

    fn arg_is_table(&mut self, i: usize) -> bool {
        matches!(self.args.get(i), Some(Value::Table(_)))
    }

    fn position_at(&mut self, level: u32) -> String {
        self.lua
            .inspect_stack(CALLER_LEVEL + level as usize - 1, |d| {
                let line = d.current_line()?;
                let src = d.source().short_src?.into_owned();
                Some(format!("{src}:{line}"))
            })
            .flatten()
            .unwrap_or_default()
    }

    fn callee_name(&mut self) -> Option<String> {
        self.lua
            .inspect_stack(CALLER_LEVEL - 1, |d| d.names().name.map(|n| n.into_owned()))
            .flatten()
    }

    fn caller_name(&mut self) -> Option<String> {
        self.lua
            .inspect_stack(CALLER_LEVEL, |d| {
                if d.source().what != "Lua" {
                    return None;
                }
                let names = d.names();
                names.name_what?;
                names.name.map(|n| n.into_owned())
            })
            .flatten()
    }
}

type Shared = Rc<RefCell<Option<Box<NgxRequest>>>>;

/// The Rust function behind every ngx wrapper: `raw(id, ...)` returns `0, results...`,
/// `1, message`, `2` (exit) or `3, t, k, v` (rawset).
fn make_raw(lua: &Lua, state: Shared) -> mlua::Result<Function> {
    lua.create_function(move |lua, args: MultiValue| {
        let args = args.into_vec();
        let id = match args.first() {
            Some(Value::Integer(i)) => *i as u32,
            Some(Value::Number(n)) => *n as u32,
            _ => u32::MAX,
        };
        let f = HostFn::from_id(id)
            .ok_or_else(|| mlua::Error::runtime(format!("no host function {id}")))?;
        let rest = &args[1..];
        let outcome = {
            let mut guard = state.borrow_mut();
            let ngx = guard
                .as_mut()
                .ok_or_else(|| mlua::Error::runtime("request already finished"))?;
            ngx.call(f, &mut MluaArm { lua, args: rest })
        };
        let mut ret = Vec::new();
        match outcome {
            Ok(Outcome::Return(vals)) => {
                ret.push(Value::Integer(0));
                for v in &vals {
                    ret.push(to_lua(lua, v)?);
                }
            }
            Err(msg) => {
                ret.push(Value::Integer(1));
                ret.push(Value::String(lua.create_string(&msg)?));
            }
            Ok(Outcome::Exit) => ret.push(Value::Integer(2)),
            Ok(Outcome::RawSet) => {
                ret.push(Value::Integer(3));
                for i in 0..3 {
                    ret.push(rest.get(i).cloned().unwrap_or(Value::Nil));
                }
            }
            Ok(Outcome::NewTable) => {
                ret.push(Value::Integer(4));
                for i in 0..2 {
                    ret.push(rest.get(i).cloned().unwrap_or(Value::Nil));
                }
            }
            Ok(Outcome::RawGet(i, key)) => {
                ret.push(Value::Integer(6));
                ret.push(rest.get(i).cloned().unwrap_or(Value::Nil));
                ret.push(to_lua(lua, &key)?);
            }
            Ok(Outcome::ReturnMeta(vals, meta)) => {
                ret.push(Value::Integer(7));
                let id = |f: Option<HostFn>| {
                    f.map_or(Value::Boolean(false), |f| Value::Integer(f.id().into()))
                };
                ret.push(id(meta.index));
                ret.push(id(meta.newindex));
                for v in &vals {
                    ret.push(to_lua(lua, v)?);
                }
            }
            Ok(Outcome::Fill(i, entries, values)) => {
                ret.push(Value::Integer(5));
                ret.push(rest.get(i).cloned().unwrap_or(Value::Nil));
                ret.push(to_lua(lua, &entries)?);
                for v in &values {
                    ret.push(to_lua(lua, v)?);
                }
            }
        }
        Ok(MultiValue::from_vec(ret))
    })
}

fn build_table(
    lua: &Lua,
    fields: &[(&'static str, Field)],
    meta: Option<MetaSpec>,
    make: &Function,
) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for (name, field) in fields {
        t.raw_set(*name, build_field(lua, field, make)?)?;
    }
    if let Some(meta) = meta {
        let mt = lua.create_table()?;
        if let Some(f) = meta.index {
            mt.raw_set("__index", make.call::<Function>(f.id())?)?;
        }
        if let Some(f) = meta.newindex {
            mt.raw_set("__newindex", make.call::<Function>(f.id())?)?;
        }
        t.set_metatable(Some(mt))?;
    }
    Ok(t)
}

fn build_field(lua: &Lua, field: &Field, make: &Function) -> mlua::Result<Value> {
    Ok(match field {
        Field::Func(f) => Value::Function(make.call::<Function>(f.id())?),
        Field::Value(v) => to_lua(lua, v)?,
        Field::Table(fields, meta) => Value::Table(build_table(lua, fields, *meta, make)?),
    })
}

/// The LuaJIT side of the differential harness: runs an ngx content handler per request.
/// The `ngx` table (with `ngx.shared.NAME` for `dicts`) and ngx_lua's globals in `lua`,
/// their functions calling the request state in `state`; returns the exit sentinel the
/// driver recognises.
fn install_ngx(lua: &Lua, state: &Shared, dicts: &[&'static str]) -> mlua::Result<Table> {
    let sentinel = lua.create_table()?;
    let raw = make_raw(lua, state.clone())?;
    let make: Function = lua.load(WRAPPERS).set_name("=moonshift-ngx").call((
        raw,
        sentinel.clone(),
        lua.load("return require('table.new')")
            .set_name("=moonshift-ngx")
            .eval::<Function>()?,
        moonshift_abi::host::NEW_TABLE_HASH,
    ))?;
    let (fields, meta) = ngx::ngx_table_with(dicts);
    let ngx_t = build_table(lua, &fields, meta, &make)?;
    let globals = lua.globals();
    globals.raw_set("ngx", ngx_t)?;
    for (name, field) in ngx::ngx_globals() {
        globals.raw_set(name, build_field(lua, &field, &make)?)?;
    }
    Ok(sentinel)
}

#[derive(Clone)]
pub struct ReferenceEngine {
    source: Vec<u8>,
    chunk_name: String,
    lua_path: Option<String>,
    name: String,
    jit: bool,
    timeout: Duration,
}

impl ReferenceEngine {
    /// An engine for `source`, loaded with chunk name `"@" + chunk_name` (use the script's
    /// path, as `content_by_lua_file` does).
    pub fn new(source: impl Into<Vec<u8>>, chunk_name: &str) -> Self {
        ReferenceEngine {
            source: source.into(),
            chunk_name: chunk_name.to_string(),
            lua_path: None,
            name: "luajit".to_string(),
            jit: true,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// An engine for the script at `path` (chunk name: the path as given).
    pub fn from_file(path: &Path) -> std::io::Result<Self> {
        Ok(Self::new(std::fs::read(path)?, &path.to_string_lossy()))
    }

    /// Rename the engine in reports (default `luajit`).
    pub fn with_name(mut self, name: &str) -> Self {
        self.name = name.to_string();
        self
    }

    /// Turn LuaJIT's JIT compiler on or off (default on).
    pub fn with_jit(mut self, jit: bool) -> Self {
        self.jit = jit;
        self
    }

    /// An explicit `package.path` for `require` (default: next to the script).
    pub fn with_lua_path(mut self, lua_path: Option<String>) -> Self {
        self.lua_path = lua_path;
        self
    }

    /// The time limit of each request (default [`DEFAULT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    fn run(&self, state: &Shared) -> mlua::Result<Result<Ended, String>> {
        let lua = new_state(self.jit)?;
        set_deadline(&lua, self.timeout)?;
        set_module_path(&lua, &self.chunk_name, self.lua_path.as_deref())?;
        let sentinel = install_ngx(&lua, state, &[])?;
        let chunk = match load_chunk(&lua, &self.source, &self.chunk_name) {
            Ok(f) => f,
            Err(msg) => return Ok(Err(msg)),
        };
        let driver = make_driver(&lua, chunk, &sentinel, false)?;
        Ok(Ok(drive(&driver)?))
    }
}

impl Engine for ReferenceEngine {
    fn name(&self) -> &str {
        &self.name
    }

    /// Runs the request on its own thread (see [`run_script_with_limit`] for
    /// why): a compiled loop that never sees the time-limit hook is
    /// abandoned a second after the deadline and the request fails with
    /// nginx's 500 and the time-limit error.
    fn handle(&mut self, req: &Request) -> Response {
        let (engine, request) = (self.clone(), req.clone());
        on_watched_thread(self.timeout, move || engine.handle_here(&request))
            .unwrap_or_else(|abandoned| NgxRequest::new(req.clone()).finish_with_error(&abandoned))
    }
}

impl ReferenceEngine {
    fn handle_here(&self, req: &Request) -> Response {
        let state: Shared = Rc::new(RefCell::new(Some(Box::new(NgxRequest::new(req.clone())))));
        let result = self.run(&state);
        let Some(ngx) = state.borrow_mut().take() else {
            unreachable!("the request state is only taken here");
        };
        match result {
            Ok(Ok(Ended::Done | Ended::Exit(_))) => ngx.finish(),
            Ok(Ok(Ended::Error(msg, _))) => ngx.finish_with_error(&nginx_error_text(msg)),
            Ok(Err(load_msg)) => ngx.finish_with_load_error(&self.chunk_name, &load_msg),
            Err(e) => {
                ngx.finish_with_error(&format!("moonshift reference arm internal error: {e}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ngx::LogLine;

    fn get(uri: &str) -> Request {
        Request {
            method: "GET".into(),
            uri: uri.into(),
            headers: vec![("Host".into(), "example.com".into())],
            body: vec![],
            http10: false,
        }
    }

    fn run(src: &str, req: &Request) -> Response {
        ReferenceEngine::new(src.as_bytes().to_vec(), "t.lua").handle(req)
    }

    #[test]
    fn say_hi() {
        let r = run("ngx.say(\"hi\")", &get("/"));
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"hi\n");
        assert_eq!(
            r.headers,
            vec![("Content-Type".to_string(), b"text/plain".to_vec())]
        );
        assert!(r.log.is_empty());
    }

    #[test]
    fn exit_inside_pcall_ends_the_handler() {
        let src = "local ok = pcall(function() ngx.exit(404) end)\nngx.say('not reached', ok)";
        let r = run(src, &get("/"));
        assert_eq!(r.status, 404);
        assert!(String::from_utf8_lossy(&r.body).contains("404 Not Found"));
        assert!(r.log.is_empty(), "{:?}", r.log);
    }

    #[test]
    fn uncaught_error_is_500_and_logged() {
        let r = run("local x = nil\nlocal y = x.field", &get("/"));
        assert_eq!(r.status, 500);
        assert!(String::from_utf8_lossy(&r.body).contains("500 Internal Server Error"));
        assert_eq!(r.log.len(), 1);
        assert_eq!(r.log[0].level, "error");
        assert_eq!(
            r.log[0].text(),
            "lua entry thread aborted: runtime error: t.lua:2: attempt to index local 'x' (a nil value)"
        );
        let r = run("error({})", &get("/"));
        assert_eq!(
            r.log[0].text(),
            "lua entry thread aborted: runtime error: unknown reason"
        );
    }

    #[test]
    fn ngx_errors_are_plain_strings() {
        let src = "local ok, e = pcall(ngx.say, {a = 1})\nngx.say(type(e), ': ', e)\n\
                   ok, e = pcall(function() ngx.var.uri = 'x' end)\nngx.say(e)";
        let r = run(src, &get("/"));
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            "string: bad argument #1 to '?' (non-array table found)\nt.lua:3: variable \"uri\" not changeable\n"
        );
    }

    #[test]
    fn log_prefix_names_the_function() {
        let src = "local function greet(who)\n  ngx.log(ngx.WARN, 'hello ', who, ' ', 1.5, nil, true)\nend\ngreet('bob')\nngx.log(ngx.INFO, 'main')\nprint('p')";
        let r = run(src, &get("/"));
        assert_eq!(
            r.log,
            vec![
                LogLine {
                    level: "warn".into(),
                    message: "[lua] t.lua:2: greet(): hello bob 1.5niltrue".into()
                },
                LogLine {
                    level: "info".into(),
                    message: "[lua] t.lua:5: main".into()
                },
                LogLine {
                    level: "notice".into(),
                    message: "[lua] t.lua:6: p".into()
                },
            ]
        );
    }

    #[test]
    fn vars_status_headers() {
        let src = "ngx.status = 201\nngx.foo = 'bar'\nlocal h = ngx.req.get_headers()\n\
                   ngx.say(ngx.var.request_method, ' ', ngx.var.uri, ' ', ngx.var.arg_a, ' ', ngx.var.http_host, ' ', h.host, ' ', ngx.foo, ' ', ngx.status, ' ', tostring(ngx.var.nope), ' ', ngx.req.get_method())\n\
                   ngx.say(select('#', ngx.log(ngx.ERR, 'x')))";
        let r = run(src, &get("/p/q?a=1&b=2"));
        assert_eq!(r.status, 201);
        assert_eq!(
            String::from_utf8(r.body).unwrap(),
            "GET /p/q 1 example.com example.com bar 201 nil GET\n0\n"
        );
    }

    #[test]
    fn syntax_error_is_logged() {
        let r = run("local = 1", &get("/"));
        assert_eq!(r.status, 500);
        assert!(
            r.log[0]
                .message
                .starts_with(b"failed to load external Lua file \"t.lua\": t.lua:1:"),
            "{:?}",
            r.log
        );
    }

    #[test]
    fn plain_script_print_and_errors() {
        let out = run_script(
            b"print(1, 'a', nil, true, 2^53, 0.1)\nio.write('x', 2, '\\n')",
            "p.lua",
            true,
        );
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "1\ta\tnil\ttrue\t9.007199254741e+15\t0.1\nx2\n"
        );
        assert_eq!(out.exit_code, 0);
        assert!(out.stderr.is_empty());

        let out = run_script(b"print('before')\nerror('boom')", "p.lua", false);
        assert_eq!(out.stdout, b"before\n");
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            "moonshift: p.lua:2: boom\n"
        );
        assert_eq!(out.exit_code, 1);

        let out = run_script(b"error({})", "p.lua", true);
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            "moonshift: (error object is a table value)\n"
        );

        let out = run_script(
            b"pcall(function() os.exit(3) end) print('no')",
            "p.lua",
            true,
        );
        assert_eq!((out.exit_code, out.stdout.len()), (3, 0));

        let out = run_script(b"x = = 1", "p.lua", true);
        assert!(String::from_utf8_lossy(&out.stderr).starts_with("moonshift: p.lua:1:"));
        assert_eq!(out.exit_code, 1);

        let out = run_script(
            b"print(setmetatable({}, {__tostring = function() return {} end}))",
            "p.lua",
            true,
        );
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            "moonshift: p.lua:1: 'tostring' must return a string to 'print'\n"
        );
    }

    #[test]
    fn number_formatting_matches_luajit() {
        // The host's %.14g against LuaJIT's own tostring.
        let values = [
            0.1,
            1.0 / 3.0,
            123456789012345.0,
            1e15,
            1e16,
            2f64.powi(53),
            1e-5,
            1e-4,
            0.5,
            2.5,
            1e100,
            5e-324,
            1.7976931348623157e308,
            100.0,
            1234567.125,
            0.000123456789012345,
            99999999999999.5,
            9999999999999.95,
            -3.25,
            1e14,
            123456.7890123449,
        ];
        let lua = Lua::new();
        let f: Function = lua
            .load("return function(x) return tostring(x) end")
            .eval()
            .unwrap();
        for v in values {
            let want: String = f.call(v).unwrap();
            assert_eq!(ngx::fmt_number(v), want, "value {v:e}");
            assert_eq!(
                ngx::fmt_number(-v),
                f.call::<String>(-v).unwrap(),
                "value {:e}",
                -v
            );
        }
    }

    #[test]
    fn bench_runs() {
        let d = bench_script(
            b"local s = 0 for i = 1, 1000 do s = s + i end print(s)",
            "b.lua",
            false,
            3,
        )
        .unwrap();
        assert!(d > Duration::ZERO);
        assert!(bench_script(b"error('x')", "b.lua", true, 1).is_err());
    }
}

/// An nginx.conf's handlers on LuaJIT: a [`gateway::Backend`] that makes a fresh LuaJIT
/// state per request, with every handler loaded from its source as ngx_lua loads it.
pub struct ConfReference {
    /// Chunk name and source, by handler id.
    handlers: Vec<(String, String)>,
    lua_path: Option<String>,
    timeout: Duration,
    dicts: Vec<&'static str>,
}

impl ConfReference {
    pub fn new(handlers: Vec<(String, String)>, lua_path: Option<String>) -> Self {
        ConfReference {
            handlers,
            lua_path,
            timeout: DEFAULT_TIMEOUT,
            dicts: Vec::new(),
        }
    }

    /// The `lua_shared_dict` names `ngx.shared` lists.
    pub fn with_shared_dicts(mut self, dicts: Vec<&'static str>) -> Self {
        self.dicts = dicts;
        self
    }

    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

impl crate::gateway::Backend for ConfReference {
    fn session(&self) -> Result<Box<dyn crate::gateway::Session>, String> {
        let state: Shared = Rc::new(RefCell::new(None));
        let make = || -> mlua::Result<(Lua, Table, Deadline, Function)> {
            let lua = new_state(true)?;
            let deadline = set_deadline(&lua, self.timeout)?;
            set_module_path(&lua, "", self.lua_path.as_deref())?;
            let sentinel = install_ngx(&lua, &state, &self.dicts)?;
            let drivers = driver_factory(&lua)?;
            Ok((lua, sentinel, deadline, drivers))
        };
        let (lua, sentinel, deadline, drivers) = make().map_err(|e| e.to_string())?;
        Ok(Box::new(RefSession {
            lua,
            sentinel,
            drivers,
            deadline,
            timeout: self.timeout,
            state,
            handlers: self.handlers.clone(),
            loaded: HashMap::new(),
        }))
    }

    fn name(&self) -> &str {
        "luajit"
    }
}

struct RefSession {
    lua: Lua,
    sentinel: Table,
    /// [`driver_factory`], compiled once for the state.
    drivers: Function,
    /// Moved on by each request (`--instance-reuse` keeps a state across requests).
    deadline: Deadline,
    timeout: Duration,
    state: Shared,
    handlers: Vec<(String, String)>,
    loaded: HashMap<usize, Function>,
}

impl crate::gateway::Session for RefSession {
    fn begin_request(&mut self) {
        self.deadline.set(Instant::now() + self.timeout);
    }

    fn reusable(&self) -> bool {
        true
    }

    fn clear_ctx(&mut self) {
        if let Ok(t) = self.lua.globals().raw_get::<Table>("ngx") {
            let _ = t.raw_set("ctx", Value::Nil);
        }
    }

    fn run(&mut self, id: usize, ngx_req: Box<NgxRequest>) -> (Box<NgxRequest>, RunEnd) {
        *self.state.borrow_mut() = Some(ngx_req);
        let end = self.run_inner(id);
        let ngx_req = self
            .state
            .borrow_mut()
            .take()
            .expect("the request state is only taken here");
        (ngx_req, end)
    }
}

impl RefSession {
    fn run_inner(&mut self, id: usize) -> RunEnd {
        let chunk = match self.loaded.get(&id) {
            Some(f) => f.clone(),
            None => {
                let (name, source) = &self.handlers[id];
                match load_chunk(&self.lua, source.as_bytes(), name) {
                    Ok(f) => {
                        self.loaded.insert(id, f.clone());
                        f
                    }
                    Err(msg) => return RunEnd::Error(msg),
                }
            }
        };
        let driven = self
            .drivers
            .call::<Function>((chunk, self.sentinel.clone(), false))
            .and_then(|d| drive(&d));
        match driven {
            Ok(Ended::Done) => RunEnd::Done,
            Ok(Ended::Exit(_)) => RunEnd::Exit,
            Ok(Ended::Error(msg, _)) => RunEnd::Error(nginx_error_text(msg)),
            Err(e) => RunEnd::Error(format!("moonshift reference arm internal error: {e}")),
        }
    }
}
