//! The base library, as builtins with the Lua calling convention, and the
//! embedding API (`ms_*`) the host uses to build its part of the environment.
//!
//! A builtin is an `extern "C" fn(thread, base, nargs) -> i32`; on wasm32 a
//! Rust function pointer is its index in the module's function table, which
//! is exactly what a closure stores, so builtins are ordinary closures.
//!
//! Not here yet (the language issue): `pcall`, `xpcall`, `__tostring`, and
//! `setfenv`/`getfenv`, which need builtins to request Lua calls.

use crate::abi::host::results as rs;
use crate::abi::layout::closure as lc;
use crate::abi::thread as th;
use crate::abi::value::{self as v, boxed, payload, tag};
use crate::mem::{rd32, rd64, wr32, wr64};
use crate::number::Buf;
use crate::ops::{self, raise_here, raise_oom, site_at_level};
use crate::value::{self, type_name};
use crate::{rt, string, table};

pub(crate) type Builtin = extern "C" fn(u32, u32, i32) -> i32;

#[link(wasm_import_module = "moonshift")]
unsafe extern "C" {
    /// Writes `len` bytes at `ptr` to the host's stream `fd`.
    #[link_name = "write"]
    fn host_write(fd: i32, ptr: u32, len: u32);
    /// Calls host function `id` with the Lua calling convention.
    #[link_name = "call"]
    fn host_call(t: u32, id: i32, base: u32, nargs: i32) -> i32;
    /// Returns unless the run is past its deadline (then the host traps).
    #[link_name = "poll"]
    pub fn host_poll();
}

const MAX_BUILTINS: usize = 192;
static mut BUILTIN_INDICES: [u32; MAX_BUILTINS] = [u32::MAX; MAX_BUILTINS];
static mut NBUILTINS: usize = 0;

pub fn is_builtin_index(i: u32) -> bool {
    unsafe {
        let n = NBUILTINS;
        (&*core::ptr::addr_of!(BUILTIN_INDICES))[..n].contains(&i)
    }
}

fn fn_index(f: Builtin) -> u32 {
    f as usize as u32
}

/// A closure over a builtin with no upvalues and the globals as environment.
fn builtin_closure(f: Builtin, nupvals: u32) -> Option<u64> {
    let mut tmp = v::NIL;
    let dst = core::ptr::addr_of_mut!(tmp) as usize as u32;
    let env = payload(rt().globals);
    if ops::lrt_closure_new(0, fn_index(f), nupvals, env, dst) != 0 {
        return None;
    }
    Some(tmp)
}

/// Puts builtin `f` in table `g` under `name`. Fails (and start-up with
/// it) when [`MAX_BUILTINS`] is too small, rather than leaving a builtin
/// that `tostring` would not recognise.
pub(crate) fn register(g: u32, name: &str, f: Builtin) -> bool {
    mark_builtin(fn_index(f))
        && builtin_closure(f, 0).is_some_and(|c| set_field(g, name.as_bytes(), c))
}

/// Records function-table entry `index` as a builtin (`tostring` names it
/// `builtin#…`). Fails when [`MAX_BUILTINS`] is too small.
fn mark_builtin(index: u32) -> bool {
    unsafe {
        if NBUILTINS == MAX_BUILTINS {
            return false;
        }
        BUILTIN_INDICES[NBUILTINS] = index;
        NBUILTINS += 1;
    }
    true
}

/// `t[name] = x`.
fn set_field(t: u32, name: &[u8], x: u64) -> bool {
    string::new_value(name).is_some_and(|k| table::set(t, k, x).is_ok())
}

/// Fills the globals table `g` with the base library.
pub fn open(g: u32) -> bool {
    let fns: [(&str, Builtin); 18] = [
        ("collectgarbage", lrt_lib_collectgarbage),
        ("type", lrt_lib_type),
        ("tonumber", lrt_lib_tonumber),
        ("rawget", lrt_lib_rawget),
        ("rawset", lrt_lib_rawset),
        ("rawequal", lrt_lib_rawequal),
        ("setmetatable", lrt_lib_setmetatable),
        ("getmetatable", lrt_lib_getmetatable),
        ("error", lrt_lib_error),
        ("assert", lrt_lib_assert),
        ("select", lrt_lib_select),
        ("unpack", lrt_lib_unpack),
        ("next", lrt_lib_next),
        ("pairs", lrt_lib_pairs),
        ("ipairs", lrt_lib_ipairs),
        ("getfenv", lrt_lib_getfenv),
        ("setfenv", lrt_lib_setfenv),
        ("__ipairs_aux", lrt_lib_ipairs_aux),
    ];
    for (name, f) in fns {
        if !register(g, name, f) {
            return false;
        }
    }
    // ipairs' iterator is reachable only through ipairs.
    let (Some(aux_name), Some(next_name)) = (
        string::new_value(b"__ipairs_aux"),
        string::new_value(b"next"),
    ) else {
        return false;
    };
    unsafe {
        IPAIRS_AUX = table::get(g, aux_name);
        NEXT = table::get(g, next_name);
    }
    let _ = table::set(g, aux_name, v::NIL);
    let (Some(gk), Some(vk), Some(ver)) = (
        string::new_value(b"_G"),
        string::new_value(b"_VERSION"),
        string::new_value(b"Lua 5.1"),
    ) else {
        return false;
    };
    table::set(g, gk, boxed(v::TAG_TABLE, g)).is_ok()
        && table::set(g, vk, ver).is_ok()
        && open_package(g)
        && open_string(g)
        && open_lib(g, b"bit", 16, crate::lib_bit::open).is_some()
        && open_lib(g, b"math", 32, crate::lib_math::open).is_some()
        && open_lib(g, b"os", 8, crate::lib_os::open).is_some()
        && open_table(g)
        && open_module(b"cjson", |m| crate::lib_cjson::fill(m, 0))
        && open_module(b"cjson.safe", |m| crate::lib_cjson::fill(m, 1))
}

/// A module that is only in `package.loaded` (`require` finds it; no global).
fn open_module(name: &[u8], fill: impl FnOnce(u32) -> bool) -> bool {
    table::new(0, 32)
        .is_some_and(|m| fill(m) && set_field(unsafe { LOADED }, name, boxed(v::TAG_TABLE, m)))
}

/// `table`, with `table.new` and `table.clear` as modules of their own.
fn open_table(g: u32) -> bool {
    let module = |name: &[u8], f: Builtin| {
        mark_builtin(fn_index(f))
            && builtin_closure(f, 0).is_some_and(|c| set_field(unsafe { LOADED }, name, c))
    };
    open_lib(g, b"table", 16, crate::lib_table::open).is_some()
        && module(b"table.new", crate::lib_table::lrt_table_new)
        && module(b"table.clear", crate::lib_table::lrt_table_clear)
}

/// A library table filled by `fill`: a global and `package.loaded[name]`.
fn open_lib(g: u32, name: &[u8], nhash: u32, fill: fn(u32) -> bool) -> Option<u32> {
    let lib = table::new(0, nhash)?;
    let lib_value = boxed(v::TAG_TABLE, lib);
    (fill(lib) && set_field(g, name, lib_value) && set_field(unsafe { LOADED }, name, lib_value))
        .then_some(lib)
}

/// `package.loaded` and `package.preload`, for `require`.
static mut LOADED: u32 = 0;
static mut PRELOAD: u32 = 0;

/// Marks a module whose loader is running (LuaJIT's `loop or previous error`).
const LOADING: u64 = v::boxed(v::TAG_LIGHTUD, 1);

/// The `string` table (filled by the string library) and the metatable of
/// all strings, whose `__index` it is.
fn open_string(g: u32) -> bool {
    let (Some(lib), Some(meta)) = (
        open_lib(g, b"string", 16, crate::lib_string::open),
        table::new(0, 1),
    ) else {
        return false;
    };
    rt().string_meta = meta;
    mark_builtin(fn_index(crate::lib_string::lrt_string_gmatch_aux))
        && set_field(meta, b"__index", boxed(v::TAG_TABLE, lib))
}

fn open_package(g: u32) -> bool {
    let (Some(package), Some(loaded), Some(preload)) =
        (table::new(0, 4), table::new(0, 4), table::new(0, 4))
    else {
        return false;
    };
    unsafe {
        LOADED = loaded;
        PRELOAD = preload;
    }
    set_field(package, b"loaded", boxed(v::TAG_TABLE, loaded))
        && set_field(package, b"preload", boxed(v::TAG_TABLE, preload))
        && set_field(loaded, b"_G", boxed(v::TAG_TABLE, g))
        && set_field(g, b"package", boxed(v::TAG_TABLE, package))
}

/// `package.preload[constant key_idx]` = a closure over function-table entry
/// `func_index` (a module's main chunk linked into this program).
#[unsafe(no_mangle)]
pub extern "C" fn lrt_preload(key_idx: u32, func_index: u32) -> i32 {
    let mut tmp = v::NIL;
    let dst = core::ptr::addr_of_mut!(tmp) as usize as u32;
    if ops::lrt_closure_new(0, func_index, 0, payload(rt().globals), dst) != 0 {
        return -1;
    }
    match table::set(unsafe { PRELOAD }, crate::constant(key_idx), tmp) {
        Ok(()) => 0,
        Err(_) => -1,
    }
}

/// `require(name)`, first half: an already loaded module is written to
/// `base` (returns 0); otherwise the preloaded loader and the name are
/// written at `scratch` and `REQUEST_CALL` returned.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_require_prep(t: u32, base: u32, nargs: i32, scratch: u32) -> i32 {
    let name = match value::coerce_to_string(arg(base, nargs, 0)) {
        Ok(Some(s)) => s,
        Ok(None) => return type_error(t, base, nargs, 1, "string"),
        Err(()) => return raise_oom(t),
    };
    wr64(base, name);
    let loaded = table::get(unsafe { LOADED }, name);
    if loaded == LOADING {
        return require_error(t, b"loop or previous error loading module '", name, b"'");
    }
    if !v::is_falsy(loaded) {
        wr64(base, loaded);
        return 0;
    }
    let loader = table::get(unsafe { PRELOAD }, name);
    if loader == v::NIL {
        return require_error(
            t,
            b"module '",
            name,
            b"' not found (moonshift links modules at compile time)",
        );
    }
    if table::set(unsafe { LOADED }, name, LOADING).is_err() {
        return raise_oom(t);
    }
    wr64(scratch, loader);
    wr64(scratch + 8, name);
    crate::abi::call::REQUEST_CALL
}

fn require_error(t: u32, before: &[u8], name: u64, after: &[u8]) -> i32 {
    let mut b = ops::MsgBuf::new();
    b.extend(before);
    b.extend(string::as_bytes(payload(name)));
    b.extend(after);
    raise_here(t, b.as_bytes())
}

/// `require(name)`, second half: records what the loader returned.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_require_done(t: u32, base: u32, result: u64) -> i32 {
    let name = rd64(base);
    let loaded = unsafe { LOADED };
    if result != v::NIL && table::set(loaded, name, result).is_err() {
        return raise_oom(t);
    }
    if table::get(loaded, name) == LOADING && table::set(loaded, name, v::TRUE).is_err() {
        return raise_oom(t);
    }
    wr64(base, table::get(loaded, name));
    0
}

static mut IPAIRS_AUX: u64 = v::NIL;
static mut NEXT: u64 = v::NIL;

/// Values this module keeps for the collector's root set.
pub fn each_root(mut f: impl FnMut(u64)) {
    unsafe {
        f(IPAIRS_AUX);
        f(NEXT);
        f(TOSTRING);
        if LOADED != 0 {
            f(boxed(v::TAG_TABLE, LOADED));
        }
        if PRELOAD != 0 {
            f(boxed(v::TAG_TABLE, PRELOAD));
        }
    }
}

#[inline]
pub(crate) fn arg(base: u32, nargs: i32, i: u32) -> u64 {
    if (i as i32) < nargs {
        rd64(base + 8 * i)
    } else {
        v::NIL
    }
}

/// `bad argument #n to 'name' (msg)`. Like LuaJIT, the function is named
/// by how the caller called it (`'p'` for `local p = pcall; p()`), and `'?'`
/// when the call site names nothing (a call through `pcall`, say).
pub(crate) fn arg_error(t: u32, n: u32, msg: &[u8]) -> i32 {
    use core::fmt::Write;
    let mut b = ops::MsgBuf::new();
    let _ = write!(b, "bad argument #{n} to '");
    match ops::site_name(site_at_level(t, 1)) {
        Some(name) => b.extend(name),
        None => b.push(b'?'),
    }
    b.extend(b"' (");
    b.extend(msg);
    b.push(b')');
    raise_here(t, b.as_bytes())
}

/// `bad argument #n to 'name' (X expected, got Y)`.
pub(crate) fn type_error(t: u32, base: u32, nargs: i32, n: u32, expected: &str) -> i32 {
    let got = if (n as i32) > nargs {
        "no value"
    } else {
        type_name(arg(base, nargs, n - 1))
    };
    let mut b = Buf::<64>::new();
    b.extend(expected.as_bytes());
    b.extend(b" expected, got ");
    b.extend(got.as_bytes());
    arg_error(t, n, b.as_bytes())
}

/// Argument `n` (from 1) as a number, numeric strings converted, or the
/// `bad argument` status (the libraries' `lj_lib_checknum`).
#[inline]
pub(crate) fn check_number(t: u32, base: u32, nargs: i32, n: u32) -> Result<f64, i32> {
    value::to_number(arg(base, nargs, n - 1)).ok_or_else(|| type_error(t, base, nargs, n, "number"))
}

/// Argument `n` as a string's bytes (`lj_lib_checkstr`): a number becomes
/// its `%.14g` text, written back into the argument slot (which keeps the
/// new string alive).
#[inline(always)]
pub(crate) fn check_str<'a>(t: u32, base: u32, nargs: i32, n: u32) -> Result<&'a [u8], i32> {
    let x = arg(base, nargs, n - 1);
    if tag(x) == v::TAG_STRING {
        return Ok(string::as_bytes(payload(x)));
    }
    match value::coerce_to_string(x) {
        Ok(Some(s)) => {
            wr64(base + 8 * (n - 1), s);
            Ok(string::as_bytes(payload(s)))
        }
        Ok(None) => Err(type_error(t, base, nargs, n, "string")),
        Err(()) => Err(raise_oom(t)),
    }
}

/// `(int32_t)x` as x86's `cvttsd2si` computes it: NaN and anything outside
/// the int32 range become -2^31.
#[inline]
pub fn to_int(x: f64) -> i32 {
    if (-2147483648.0..2147483648.0).contains(&x) {
        x as i32
    } else {
        i32::MIN
    }
}

/// Argument `n` as an int32 (`lj_lib_checkint`).
#[inline(always)]
pub(crate) fn check_int(t: u32, base: u32, nargs: i32, n: u32) -> Result<i32, i32> {
    check_number(t, base, nargs, n).map(to_int)
}

/// Argument `n` through `check`, or `default` when it is nil or absent
/// (the libraries' `lj_lib_opt*`).
#[inline(always)]
fn opt<T>(
    base: u32,
    nargs: i32,
    n: u32,
    default: T,
    check: impl FnOnce() -> Result<T, i32>,
) -> Result<T, i32> {
    if arg(base, nargs, n - 1) == v::NIL {
        Ok(default)
    } else {
        check()
    }
}

#[inline(always)]
pub(crate) fn opt_int(t: u32, base: u32, nargs: i32, n: u32, default: i32) -> Result<i32, i32> {
    opt(base, nargs, n, default, || check_int(t, base, nargs, n))
}

#[inline]
pub(crate) fn opt_number(t: u32, base: u32, nargs: i32, n: u32, default: f64) -> Result<f64, i32> {
    opt(base, nargs, n, default, || check_number(t, base, nargs, n))
}

#[inline]
pub(crate) fn opt_str<'a>(
    t: u32,
    base: u32,
    nargs: i32,
    n: u32,
    default: &'a [u8],
) -> Result<&'a [u8], i32> {
    opt(base, nargs, n, default, || check_str(t, base, nargs, n))
}

/// Arguments `1..=nargs` (at least the first) through `check`, folded left
/// to right with `op` (`math.min`, `bit.band`, …).
pub(crate) fn fold_args<T>(
    nargs: i32,
    check: impl Fn(u32) -> Result<T, i32>,
    op: impl Fn(T, T) -> T,
) -> Result<T, i32> {
    let mut acc = check(1)?;
    for n in 2..=nargs.max(1) as u32 {
        acc = op(acc, check(n)?);
    }
    Ok(acc)
}

/// A builtin's numeric results, or the status of its error.
pub(crate) fn ret_numbers<const N: usize>(base: u32, r: Result<[f64; N], i32>) -> i32 {
    match r {
        Ok(xs) => {
            for (i, x) in xs.iter().enumerate() {
                wr64(base + 8 * i as u32, x.to_bits());
            }
            N as i32
        }
        Err(s) => s,
    }
}

#[inline]
pub(crate) fn check_table(t: u32, base: u32, nargs: i32, n: u32) -> Result<u32, i32> {
    let x = arg(base, nargs, n - 1);
    if tag(x) == v::TAG_TABLE {
        Ok(payload(x))
    } else {
        Err(type_error(t, base, nargs, n, "table"))
    }
}

/// Ensures `n` result slots from `base` fit the thread's stack.
pub(crate) fn check_stack(t: u32, base: u32, n: u32) -> bool {
    (base as u64) + 8 * (n as u64) <= rd32(t + th::STACK_LIMIT) as u64
}

#[inline]
pub(crate) fn ret1(base: u32, x: u64) -> i32 {
    wr64(base, x);
    1
}

/// A growable byte buffer in the heap, for output that has no size bound.
pub(crate) struct OutBuf {
    ptr: u32,
    len: u32,
    cap: u32,
    pub(crate) oom: bool,
}

impl OutBuf {
    pub(crate) fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            b""
        } else {
            crate::mem::bytes(self.ptr, self.len)
        }
    }
    pub(crate) fn new() -> Self {
        OutBuf {
            ptr: 0,
            len: 0,
            cap: 0,
            oom: false,
        }
    }
    /// Keeps the first `len` bytes.
    pub(crate) fn truncate(&mut self, len: u32) {
        self.len = self.len.min(len);
    }
    pub(crate) fn clear(&mut self) {
        self.len = 0;
        self.oom = false;
    }
    #[inline]
    pub(crate) fn extend(&mut self, s: &[u8]) {
        if self.oom {
            return;
        }
        let need = self.len + s.len() as u32;
        if need > self.cap {
            let cap = need.max(self.cap * 2).max(64);
            let Some(p) = crate::heap::alloc(cap) else {
                self.oom = true;
                return;
            };
            crate::mem::copy_bytes(crate::mem::bytes_mut(p, self.len), self.bytes());
            crate::heap::free(self.ptr);
            self.ptr = p;
            self.cap = cap;
        }
        crate::mem::copy_bytes(
            crate::mem::bytes_mut(self.ptr + self.len, s.len() as u32),
            s,
        );
        self.len = need;
    }
}

impl Drop for OutBuf {
    fn drop(&mut self) {
        crate::heap::free(self.ptr);
    }
}

/// `tostring`, part of the generated builtin: writes the result to `base`
/// and returns 0, or writes a `__tostring` request at `scratch` and returns
/// `REQUEST_CALL`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_tostring(t: u32, base: u32, nargs: i32, scratch: u32) -> i32 {
    if nargs < 1 {
        return arg_error(t, 1, b"value expected");
    }
    let x = rd64(base);
    let mm = ops::metafield(x, rt().names.tostring);
    if mm != v::NIL {
        wr64(scratch, mm);
        wr64(scratch + 8, x);
        return crate::abi::call::REQUEST_CALL;
    }
    if tag(x) == v::TAG_STRING {
        return 0;
    }
    let mut b = Buf::<64>::new();
    value::write_plain(x, &mut b);
    match string::new_value(b.as_bytes()) {
        Some(s) => {
            wr64(base, s);
            0
        }
        None => raise_oom(t),
    }
}

/// `collectgarbage([opt [, arg]])`. The caller's live values are all in
/// slots below this call's arguments, so collecting here is a safepoint.
pub extern "C" fn lrt_lib_collectgarbage(t: u32, base: u32, nargs: i32) -> i32 {
    let opt = arg(base, nargs, 0);
    let mut numbuf = Buf::<64>::new();
    let name: &[u8] = match tag(opt) {
        _ if opt == v::NIL => b"collect",
        v::TAG_STRING => string::as_bytes(payload(opt)),
        _ if v::is_number(opt) => {
            crate::number::to_lua_string(f64::from_bits(opt), &mut numbuf);
            numbuf.as_bytes()
        }
        _ => return type_error(t, base, nargs, 1, "string"),
    };
    let x = arg(base, nargs, 1);
    let n = if v::is_number(x) {
        f64::from_bits(x)
    } else {
        match crate::value::to_number(x) {
            Some(n) => n,
            None if x == v::NIL => 0.0,
            None => return type_error(t, base, nargs, 2, "number"),
        }
    };
    let top = base + 8 * nargs.max(0) as u32;
    match crate::gc::collectgarbage(name, n, top) {
        Ok(r) => ret1(base, r),
        Err(()) => {
            let mut b = ops::MsgBuf::new();
            b.extend(b"invalid option '");
            b.extend(name);
            b.push(b'\'');
            arg_error(t, 1, b.as_bytes())
        }
    }
}

pub extern "C" fn lrt_lib_type(t: u32, base: u32, nargs: i32) -> i32 {
    if nargs < 1 {
        return arg_error(t, 1, b"value expected");
    }
    match string::new_value(type_name(rd64(base)).as_bytes()) {
        Some(s) => ret1(base, s),
        None => raise_oom(t),
    }
}

/// The closure of the generated `tostring`, once registered.
static mut TOSTRING: u64 = v::NIL;

fn write_out(bytes: &[u8]) {
    unsafe { host_write(1, bytes.as_ptr() as usize as u32, bytes.len() as u32) };
}

/// One argument of `print` (LuaJIT's `lj_cf_print`): written directly when
/// the global `tostring` is the builtin and the value has no `__tostring`;
/// otherwise a request to call the global `tostring` on it is written at
/// `scratch` and `REQUEST_CALL` returned. Argument `i > 0` is preceded by a tab.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_print_arg(_t: u32, base: u32, i: u32, scratch: u32) -> i32 {
    if i > 0 {
        write_out(b"\t");
    }
    let x = rd64(base + 8 * i);
    let f = table::get_str(payload(rt().globals), rt().names.tostring_fn);
    let builtin = f == unsafe { TOSTRING };
    if builtin && ops::metafield(x, rt().names.tostring) == v::NIL {
        if tag(x) == v::TAG_STRING {
            write_out(string::as_bytes(payload(x)));
        } else {
            let mut b = Buf::<64>::new();
            value::write_plain(x, &mut b);
            write_out(b.as_bytes());
        }
        return 0;
    }
    wr64(scratch, f);
    wr64(scratch + 8, x);
    crate::abi::call::REQUEST_CALL
}

/// Writes what the global `tostring` returned for a `print` argument.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_print_result(t: u32, x: u64) -> i32 {
    match tag(x) {
        v::TAG_STRING => write_out(string::as_bytes(payload(x))),
        _ if v::is_number(x) => {
            let mut b = Buf::<64>::new();
            value::write_plain(x, &mut b);
            write_out(b.as_bytes());
        }
        _ => return raise_here(t, b"'tostring' must return a string to 'print'"),
    }
    0
}

/// Ends a `print` line.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_print_end() {
    write_out(b"\n");
}

pub extern "C" fn lrt_lib_tonumber(t: u32, base: u32, nargs: i32) -> i32 {
    let x = arg(base, nargs, 0);
    let b = arg(base, nargs, 1);
    let radix = match b {
        v::NIL => 10,
        _ => match value::to_number(b) {
            Some(r) => r as i64,
            None => return type_error(t, base, nargs, 2, "number"),
        },
    };
    if radix == 10 {
        if nargs < 1 {
            return arg_error(t, 1, b"value expected");
        }
        let r = value::to_number(x).map(v::from_f64).unwrap_or(v::NIL);
        return ret1(base, r);
    }
    // LuaJIT checks the string before the base.
    let s = match value::coerce_to_string(x) {
        Ok(Some(s)) => string::as_bytes(payload(s)),
        Ok(None) => return type_error(t, base, nargs, 1, "string"),
        Err(()) => return raise_oom(t),
    };
    if !(2..=36).contains(&radix) {
        return arg_error(t, 2, b"base out of range");
    }
    ret1(
        base,
        parse_radix(s, radix as u32)
            .map(v::from_f64)
            .unwrap_or(v::NIL),
    )
}

/// `strtoul` accepts a `0x` prefix in base 16.
fn skip_hex_prefix(s: &[u8], radix: u32) -> &[u8] {
    if radix == 16 && s.len() > 2 && s[0] == b'0' && (s[1] | 0x20) == b'x' {
        &s[2..]
    } else {
        s
    }
}

fn parse_radix(s: &[u8], radix: u32) -> Option<f64> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c);
    let mut i = 0;
    while i < s.len() && is_space(&s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'-' || s[i] == b'+') {
        neg = s[i] == b'-';
        i += 1;
    }
    let s = skip_hex_prefix(&s[i..], radix);
    let mut i = 0;
    let start = i;
    let mut x = 0.0f64;
    while i < s.len() {
        match (s[i] as char).to_digit(radix) {
            Some(d) => x = x * radix as f64 + d as f64,
            None => break,
        }
        i += 1;
    }
    if i == start {
        return None;
    }
    while i < s.len() && is_space(&s[i]) {
        i += 1;
    }
    if i != s.len() {
        return None;
    }
    Some(if neg { -x } else { x })
}

pub extern "C" fn lrt_lib_rawget(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(s) => return s,
    };
    ret1(base, table::get(tb, arg(base, nargs, 1)))
}

pub extern "C" fn lrt_lib_rawset(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(s) => return s,
    };
    // LuaJIT reports rawset's bad keys without a position.
    let s = ops::rawset_or_raise(t, u32::MAX, tb, arg(base, nargs, 1), arg(base, nargs, 2));
    if s < 0 {
        return s;
    }
    1
}

pub extern "C" fn lrt_lib_rawequal(t: u32, base: u32, nargs: i32) -> i32 {
    if nargs < 2 {
        return arg_error(t, nargs.max(0) as u32 + 1, b"value expected");
    }
    ret1(
        base,
        v::from_bool(ops::raw_equal(rd64(base), rd64(base + 8))),
    )
}

pub extern "C" fn lrt_lib_setmetatable(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(s) => return s,
    };
    let mt = arg(base, nargs, 1);
    if nargs < 2 || (mt != v::NIL && tag(mt) != v::TAG_TABLE) {
        return arg_error(t, 2, b"nil or table expected");
    }
    let old = table::metatable(tb);
    if old != 0 && table::get_str(old, rt().names.metatable) != v::NIL {
        return raise_here(t, b"cannot change a protected metatable");
    }
    table::set_metatable(tb, if mt == v::NIL { 0 } else { payload(mt) });
    1
}

pub extern "C" fn lrt_lib_getmetatable(t: u32, base: u32, nargs: i32) -> i32 {
    if nargs < 1 {
        return arg_error(t, 1, b"value expected");
    }
    let mt = ops::metatable_of(rd64(base));
    if mt == 0 {
        return ret1(base, v::NIL);
    }
    let protected = table::get_str(mt, rt().names.metatable);
    ret1(
        base,
        if protected != v::NIL {
            protected
        } else {
            boxed(v::TAG_TABLE, mt)
        },
    )
}

pub extern "C" fn lrt_lib_error(t: u32, base: u32, nargs: i32) -> i32 {
    let msg = arg(base, nargs, 0);
    let level = match arg(base, nargs, 1) {
        v::NIL => 1,
        l => match value::to_number(l) {
            Some(l) => l as i64,
            None => return type_error(t, base, nargs, 2, "number"),
        },
    };
    // A string or number message gets the position `level` frames up.
    if (tag(msg) == v::TAG_STRING || v::is_number(msg)) && level > 0 {
        let site = site_at_level(t, level as u32);
        let mut b = ops::MsgBuf::new();
        ops::write_position(site, &mut b);
        let text = match value::coerce_to_string(msg) {
            Ok(Some(s)) => s,
            _ => return raise_oom(t),
        };
        // Even without a position, a number message becomes a string.
        let mut out = OutBuf::new();
        out.extend(b.as_bytes());
        out.extend(string::as_bytes(payload(text)));
        if out.oom {
            return raise_oom(t);
        }
        return match string::new_value(crate::mem::bytes(out.ptr, out.len)) {
            Some(s) => ops::raise_value(t, s),
            None => raise_oom(t),
        };
    }
    ops::raise_value(t, msg)
}

pub extern "C" fn lrt_lib_assert(t: u32, base: u32, nargs: i32) -> i32 {
    if nargs < 1 {
        return arg_error(t, 1, b"value expected");
    }
    let x = rd64(base);
    if v::is_falsy(x) {
        if nargs < 2 {
            return raise_here(t, b"assertion failed!");
        }
        // A string or number message gets the caller's position (LuaJIT 2.1).
        let msg = rd64(base + 8);
        return match value::coerce_to_string(msg) {
            Ok(Some(s)) => raise_here(t, string::as_bytes(payload(s))),
            Ok(None) => ops::raise_value(t, msg),
            Err(()) => raise_oom(t),
        };
    }
    nargs
}

pub extern "C" fn lrt_lib_select(t: u32, base: u32, nargs: i32) -> i32 {
    let n = arg(base, nargs, 0);
    // Only the first character is looked at: `select("##", …)` counts too.
    if tag(n) == v::TAG_STRING && string::as_bytes(payload(n)).first() == Some(&b'#') {
        return ret1(base, ((nargs - 1).max(0) as f64).to_bits());
    }
    let Some(i) = value::to_number(n) else {
        return type_error(t, base, nargs, 1, "number");
    };
    let mut i = i as i64;
    let count = (nargs - 1).max(0) as i64;
    if i < 0 {
        i += count + 1;
    }
    if i < 1 {
        return arg_error(t, 1, b"index out of range");
    }
    if i > count {
        return 0;
    }
    let k = (count - i + 1) as u32;
    crate::mem::copy(base, base + 8 * i as u32, 8 * k);
    k as i32
}

pub extern "C" fn lrt_lib_unpack(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(s) => return s,
    };
    let i = match arg(base, nargs, 1) {
        v::NIL => 1,
        x => match value::to_number(x) {
            Some(n) => n as i64,
            None => return type_error(t, base, nargs, 2, "number"),
        },
    };
    let j = match arg(base, nargs, 2) {
        v::NIL => table::length(tb) as i64,
        x => match value::to_number(x) {
            Some(n) => n as i64,
            None => return type_error(t, base, nargs, 3, "number"),
        },
    };
    if i > j {
        return 0;
    }
    let n = j - i + 1;
    if n >= 8000 || !check_stack(t, base, n as u32) {
        return raise_here(t, b"too many results to unpack");
    }
    for k in 0..n {
        let x = table::get(tb, v::from_f64((i + k) as f64));
        wr64(base + 8 * k as u32, x);
    }
    n as i32
}

pub extern "C" fn lrt_lib_next(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(s) => return s,
    };
    match table::next(tb, arg(base, nargs, 1)) {
        Ok(Some((k, x))) => {
            wr64(base, k);
            wr64(base + 8, x);
            2
        }
        Ok(None) => ret1(base, v::NIL),
        // LuaJIT reports this one without a position.
        Err(()) => ops::raise_bytes(t, b"invalid key to 'next'"),
    }
}

pub extern "C" fn lrt_lib_pairs(t: u32, base: u32, nargs: i32) -> i32 {
    if nargs < 1 {
        return arg_error(t, 1, b"value expected");
    }
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(s) => return s,
    };
    // LuaJIT's pairs returns the original `next`, whatever `_G.next` is now.
    let next = unsafe { NEXT };
    wr64(base, next);
    wr64(base + 8, boxed(v::TAG_TABLE, tb));
    wr64(base + 16, v::NIL);
    3
}

pub extern "C" fn lrt_lib_ipairs(t: u32, base: u32, nargs: i32) -> i32 {
    if nargs < 1 {
        return arg_error(t, 1, b"value expected");
    }
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(s) => return s,
    };
    wr64(base, unsafe { IPAIRS_AUX });
    wr64(base + 8, boxed(v::TAG_TABLE, tb));
    wr64(base + 16, 0f64.to_bits());
    3
}

pub extern "C" fn lrt_lib_ipairs_aux(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(s) => return s,
    };
    let i = value::to_number(arg(base, nargs, 1)).unwrap_or(0.0) + 1.0;
    let x = table::get(tb, i.to_bits());
    if x == v::NIL {
        return 0;
    }
    wr64(base, i.to_bits());
    wr64(base + 8, x);
    2
}

/// The closure running `level` frames above the running builtin (1: its
/// caller), or `None` past the outermost frame.
fn closure_at_level(t: u32, level: u32) -> Option<u32> {
    let depth = rd32(t + th::DEPTH);
    if level > depth {
        return None;
    }
    let base = rd32(t + th::FRAMES + 4 * (depth - level));
    if base < 8 {
        return None;
    }
    let c = rd64(base - 8);
    if tag(c) == v::TAG_FUNCTION {
        Some(payload(c))
    } else {
        None
    }
}

/// The function `getfenv`/`setfenv` take as their first argument: a function,
/// or a level (`None` for level 0, the thread's environment).
fn fenv_target(t: u32, base: u32, nargs: i32) -> Result<Option<u32>, i32> {
    let f = if nargs < 1 {
        (1.0f64).to_bits()
    } else {
        rd64(base)
    };
    if tag(f) == v::TAG_FUNCTION {
        return Ok(Some(payload(f)));
    }
    let Some(level) = value::to_number(f) else {
        return Err(type_error(t, base, nargs, 1, "number"));
    };
    if level < 0.0 {
        return Err(arg_error(t, 1, b"invalid level"));
    }
    if level == 0.0 {
        return Ok(None);
    }
    match closure_at_level(t, level as u32) {
        Some(c) => Ok(Some(c)),
        None => Err(arg_error(t, 1, b"invalid level")),
    }
}

pub extern "C" fn lrt_lib_getfenv(t: u32, base: u32, nargs: i32) -> i32 {
    match fenv_target(t, base, nargs) {
        Err(status) => status,
        Ok(Some(c)) if !value::is_builtin(c) => ret1(base, boxed(v::TAG_TABLE, rd32(c + lc::ENV))),
        Ok(_) => ret1(base, rt().globals),
    }
}

pub extern "C" fn lrt_lib_setfenv(t: u32, base: u32, nargs: i32) -> i32 {
    let env = arg(base, nargs, 1);
    if tag(env) != v::TAG_TABLE {
        return type_error(t, base, nargs, 2, "table");
    }
    match fenv_target(t, base, nargs) {
        Err(status) => status,
        Ok(None) => {
            rt().globals = env;
            0
        }
        Ok(Some(c)) if value::is_builtin(c) => {
            raise_here(t, b"'setfenv' cannot change environment of given object")
        }
        Ok(Some(c)) => {
            wr32(c + lc::ENV, payload(env));
            ret1(base, boxed(v::TAG_FUNCTION, c))
        }
    }
}

/// The trampoline every host function's closure points at: its first upvalue
/// is the host function id.
pub extern "C" fn lrt_host_trampoline(t: u32, base: u32, nargs: i32) -> i32 {
    let closure = payload(rd64(base - 8));
    let id = f64::from_bits(rd64(closure + lc::UPVALS)) as i32;
    let n = unsafe { host_call(t, id, base, nargs) };
    if n == crate::abi::host::NEW_TABLE {
        return new_table_for_host(t, base, nargs);
    }
    if n > 0 && rd32(host_results() + rs::COUNT) != 0 && !make_host_strings(base) {
        return crate::ops::raise_oom(t);
    }
    n
}

/// What a host call that returned `abi::host::NEW_TABLE` asks for: a new table with
/// room for `NEW_TABLE_HASH` keys, set raw in argument 1 at key argument 2, and returned.
#[cold]
fn new_table_for_host(t: u32, base: u32, nargs: i32) -> i32 {
    let arg = |i: i32| if i < nargs { rd64(base + 8 * i as u32) } else { v::NIL };
    let Some(tab) = table::new(0, crate::abi::host::NEW_TABLE_HASH) else {
        return crate::ops::raise_oom(t);
    };
    let tab = boxed(v::TAG_TABLE, tab);
    let (target, key) = (arg(0), arg(1));
    if tag(target) == v::TAG_TABLE && table::set(payload(target), key, tab).is_err() {
        return crate::ops::raise_oom(t);
    }
    wr64(base, tab);
    1
}

/// The results area (`abi::host::results`): strings a host function returns, left here
/// by the host for the trampoline to make (a call back into the module for each was a
/// tenth of a gateway request's host time).
static mut HOST_RESULTS: [u32; (rs::SIZE / 4) as usize] = [0; (rs::SIZE / 4) as usize];

fn host_results() -> u32 {
    core::ptr::addr_of!(HOST_RESULTS) as usize as u32
}

/// The address of the results area.
#[unsafe(no_mangle)]
pub extern "C" fn ms_host_results() -> u32 {
    host_results()
}

/// Makes the strings of the results area and stores each in its result slot at `base`;
/// `false` when out of memory.
fn make_host_strings(base: u32) -> bool {
    let area = host_results();
    let count = rd32(area + rs::COUNT);
    wr32(area + rs::COUNT, 0);
    let mut at = area + rs::ENTRIES;
    for _ in 0..count {
        let (slot, len) = (rd32(at), rd32(at + 4));
        let Some(s) = string::new_value(crate::mem::bytes(at + rs::ENTRY_HEAD, len)) else {
            return false;
        };
        wr64(base + 8 * slot, s);
        at += rs::ENTRY_HEAD + len.next_multiple_of(rs::ALIGN);
    }
    true
}

/// Argument checks of the generated `pcall` (`which` = 0) and `xpcall` (1).
#[unsafe(no_mangle)]
pub extern "C" fn lrt_check_protected(t: u32, base: u32, nargs: i32, which: i32) -> i32 {
    if which == 0 {
        if nargs < 1 {
            return arg_error(t, 1, b"value expected");
        }
    } else if nargs < 2 || tag(rd64(base + 8)) != v::TAG_FUNCTION {
        return type_error(t, base, nargs, 2, "function");
    }
    0
}

/// The error `xpcall` reports when its handler fails.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_error_in_error_handling(t: u32) -> i32 {
    ops::raise_bytes(t, b"error in error handling")
}

/// Makes `_G[constant key_idx]` a builtin closure over function-table entry
/// `func_index` (for the builtins the backend generates).
#[unsafe(no_mangle)]
pub extern "C" fn lrt_register_builtin(key_idx: u32, func_index: u32) -> i32 {
    let mut tmp = v::NIL;
    let dst = core::ptr::addr_of_mut!(tmp) as usize as u32;
    let g = payload(rt().globals);
    if ops::lrt_closure_new(0, func_index, 0, g, dst) != 0 {
        return -1;
    }
    if !mark_builtin(func_index) {
        return -1;
    }
    let mut key = crate::constant(key_idx);
    let mut target = g;
    if tag(key) == v::TAG_STRING {
        let name = string::as_bytes(payload(key));
        if name == b"tostring" {
            unsafe { TOSTRING = tmp };
        }
        // `string.gsub` and the like go into their library's table, found
        // in `package.loaded` under the name before the dot.
        if let Some(dot) = name.iter().position(|&c| c == b'.') {
            let (Some(lib), Some(short)) = (
                string::new_value(&name[..dot]),
                string::new_value(&name[dot + 1..]),
            ) else {
                return -1;
            };
            let lib = table::get(unsafe { LOADED }, lib);
            if tag(lib) != v::TAG_TABLE {
                return -1;
            }
            key = short;
            target = payload(lib);
        }
    }
    match table::set(target, key, tmp) {
        Ok(()) => 0,
        Err(_) => -1,
    }
}

// ---- Embedding API for the host --------------------------------------------

/// A scratch buffer of `len` bytes for the host to fill (freed with [`ms_free`]).
#[unsafe(no_mangle)]
pub extern "C" fn ms_alloc(len: u32) -> u32 {
    crate::heap::alloc(len.max(1)).unwrap_or(0)
}

/// Frees a buffer from [`ms_alloc`].
#[unsafe(no_mangle)]
pub extern "C" fn ms_free(ptr: u32) {
    crate::heap::free(ptr)
}

/// A string value from `len` bytes at `ptr`, or nil when out of memory.
#[unsafe(no_mangle)]
pub extern "C" fn ms_string(ptr: u32, len: u32) -> u64 {
    string::new_value(crate::mem::bytes(ptr, len)).unwrap_or(v::NIL)
}

/// A new table value, or nil when out of memory.
#[unsafe(no_mangle)]
pub extern "C" fn ms_table(narr: u32, nhash: u32) -> u64 {
    table::new(narr, nhash)
        .map(|t| boxed(v::TAG_TABLE, t))
        .unwrap_or(v::NIL)
}

/// `rawset(t, k, v)`; 0 on success.
#[unsafe(no_mangle)]
pub extern "C" fn ms_rawset(t: u64, k: u64, x: u64) -> i32 {
    if tag(t) != v::TAG_TABLE {
        return -1;
    }
    match table::set(payload(t), k, x) {
        Ok(()) => 0,
        Err(_) => -1,
    }
}

/// `ngx.ctx = nil`, raw, between two requests on a kept instance: the next read of
/// `ngx.ctx` makes a new table. One call, where the host would make both names and
/// look the `ngx` table up through four. 0, or -1 when out of memory.
#[unsafe(no_mangle)]
pub extern "C" fn ms_clear_ngx_ctx() -> i32 {
    let (Some(ngx), Some(ctx)) = (string::new_value(b"ngx"), string::new_value(b"ctx")) else {
        return -1;
    };
    ms_rawset(ms_rawget(rt().globals, ngx), ctx, v::NIL).min(0)
}

/// `rawget(t, k)`; nil when `t` is not a table.
#[unsafe(no_mangle)]
pub extern "C" fn ms_rawget(t: u64, k: u64) -> u64 {
    if tag(t) != v::TAG_TABLE {
        return v::NIL;
    }
    table::get(payload(t), k)
}

/// `setmetatable(t, mt)` without checks.
#[unsafe(no_mangle)]
pub extern "C" fn ms_setmetatable(t: u64, mt: u64) {
    if tag(t) == v::TAG_TABLE {
        table::set_metatable(
            payload(t),
            if tag(mt) == v::TAG_TABLE {
                payload(mt)
            } else {
                0
            },
        );
    }
}

/// A closure calling host function `id`, or nil when out of memory.
#[unsafe(no_mangle)]
pub extern "C" fn ms_host_function(id: u32) -> u64 {
    match builtin_closure(lrt_host_trampoline, 1) {
        Some(c) => {
            wr64(payload(c) + lc::UPVALS, (id as f64).to_bits());
            c
        }
        None => v::NIL,
    }
}

/// Raises `len` bytes at `ptr` as an error at the caller's position
/// (`with_position` != 0) or as is; returns the error status to hand back.
#[unsafe(no_mangle)]
pub extern "C" fn ms_raise(t: u32, ptr: u32, len: u32, with_position: i32) -> i32 {
    let msg = crate::mem::bytes(ptr, len);
    if with_position != 0 {
        raise_here(t, msg)
    } else {
        ops::raise_bytes(t, msg)
    }
}

/// The text of the pending error: `(ptr << 0) | (len << 32)` of a string the
/// host reads at once. Non-string errors read as LuaJIT's standalone
/// interpreter prints them.
#[unsafe(no_mangle)]
pub extern "C" fn ms_error_text(t: u32) -> u64 {
    let e = rd64(t + th::ERROR);
    let s = match value::coerce_to_string(e) {
        Ok(Some(s)) => s,
        _ => {
            let mut b = Buf::<64>::new();
            b.extend(b"(error object is a ");
            b.extend(type_name(e).as_bytes());
            b.extend(b" value)");
            string::new_value(b.as_bytes()).unwrap_or(v::NIL)
        }
    };
    if tag(s) != v::TAG_STRING {
        return 0;
    }
    let p = payload(s);
    (string::data(p) as u64) | ((string::len(p) as u64) << 32)
}

/// Bytes in allocated heap blocks (live or not yet swept).
#[unsafe(no_mangle)]
pub extern "C" fn ms_heap_in_use() -> u64 {
    crate::heap::in_use()
}

/// Carves a page for each small class of slots (up to 512 bytes) that has no page with
/// room ([`crate::heap::carve_classes`]); 0 when memory is exhausted.
#[unsafe(no_mangle)]
pub extern "C" fn ms_carve_classes() -> i32 {
    crate::heap::carve_classes(512) as i32
}

/// `next(t, k)` for the host: writes key and value at `out` (16 bytes) and
/// returns 1, or returns 0 at the end (or for a key not in the table).
#[unsafe(no_mangle)]
pub extern "C" fn ms_next(t: u64, k: u64, out: u32) -> i32 {
    if tag(t) != v::TAG_TABLE {
        return 0;
    }
    match table::next(payload(t), k) {
        Ok(Some((key, x))) => {
            wr64(out, key);
            wr64(out + 8, x);
            1
        }
        _ => 0,
    }
}

/// `chunk:line` of the call site `level` frames up (1: the call that entered
/// the running host function), as `ptr | len << 32`; 0 when unknown.
#[unsafe(no_mangle)]
pub extern "C" fn ms_where(t: u32, level: u32) -> u64 {
    let mut b = ops::MsgBuf::new();
    ops::write_position(site_at_level(t, level), &mut b);
    // Drop the trailing ": ".
    if b.len < 2 {
        return 0;
    }
    let text = &b.as_bytes()[..b.len - 2];
    match string::new(text) {
        Some(s) => (string::data(s) as u64) | ((string::len(s) as u64) << 32),
        None => 0,
    }
}

/// The name the running host function was called by (`say` for `ngx.say(...)`), from
/// the call site that called it, as `ptr | len << 32`; 0 when the call names no variable
/// (called through `pcall`, say), where Lua would print `?`.
#[unsafe(no_mangle)]
pub extern "C" fn ms_callee_name(t: u32) -> u64 {
    match ops::site_name(site_at_level(t, 1)) {
        Some(name) => (name.as_ptr() as usize as u64) | ((name.len() as u64) << 32),
        None => 0,
    }
}

/// The name the running function was called by (`greet` for `greet()`,
/// `m` for `obj:m()`), from the call site one level further up, as
/// `ptr | len << 32`; 0 when the call site names no variable.
#[unsafe(no_mangle)]
pub extern "C" fn ms_caller_name(t: u32) -> u64 {
    match ops::site_name(site_at_level(t, 2)) {
        Some(name) => (name.as_ptr() as usize as u64) | ((name.len() as u64) << 32),
        None => 0,
    }
}
