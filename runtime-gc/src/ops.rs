//! Slow paths of the operators, called by generated code when its inline fast
//! path does not apply, and the error messages they raise.
//!
//! Protocol: every function returns an `i32` status. [`DONE`] means the result
//! was written to `dst`; [`STATUS_ERROR`] means the error value is in the
//! thread's `ERROR` field; [`REQUEST_CALL`] means a metamethod must run: its
//! callee and arguments were written to `scratch` (callee first) and the
//! generated code calls it and stores the first result in `dst`.
//!
//! Messages follow LuaJIT 2.1 word for word, including the variable names the
//! site table records (`attempt to index local 't' (a nil value)`).

use crate::abi::call::{DONE, REQUEST_CALL, STATUS_ERROR};
use crate::abi::site as st;
use crate::abi::value::{self as v, boxed, is_number, payload, tag};
use crate::abi::{op, thread as th};
use crate::mem::{rd8, rd32, rd64, wr32, wr64};
use crate::number::Buf;
use crate::value::{to_number, type_name};
use crate::{heap, rt, string, table};

/// Error text buffer: messages are short; anything past its size is cut.
pub type MsgBuf = Buf<512>;

/// Writes `chunk:line: ` for `site`, if it is a real site.
pub fn write_position(site: u32, out: &mut MsgBuf) {
    use core::fmt::Write;
    let r = rt();
    if site >= r.nsites {
        return;
    }
    let rec = r.sites + site * st::SIZE;
    let line = rd32(rec + st::LINE);
    let chunk = crate::mem::rd16(rec + st::CHUNK) as u32;
    let name_idx = rd32(r.chunks + 4 * chunk);
    let name = crate::constant(name_idx);
    if tag(name) == v::TAG_STRING {
        let (cut, shown) = crate::abi::short_src(string::as_bytes(payload(name)));
        if cut {
            out.extend(b"...");
        }
        out.extend(shown);
    }
    let _ = write!(out, ":{line}: ");
}

/// Makes a string from `msg` and starts unwinding with it.
pub fn raise_bytes(t: u32, msg: &[u8]) -> i32 {
    match string::new_value(msg) {
        Some(s) => raise_value(t, s),
        None => raise_oom(t),
    }
}

/// Starts unwinding with an arbitrary error value.
pub fn raise_value(t: u32, x: u64) -> i32 {
    wr64(t + th::ERROR, x);
    STATUS_ERROR
}

/// `not enough memory`, without allocating.
pub fn raise_oom(t: u32) -> i32 {
    let r = rt();
    // The message was interned at start-up as constant-free fallback.
    wr64(t + th::ERROR, r_oom_value(r));
    STATUS_ERROR
}

static mut OOM: u64 = v::NIL;

/// Values this module keeps for the collector's root set.
pub fn each_root(mut f: impl FnMut(u64)) {
    f(unsafe { OOM });
}

fn r_oom_value(_r: &crate::Runtime) -> u64 {
    unsafe {
        let p = core::ptr::addr_of_mut!(OOM);
        if *p == v::NIL
            && let Some(s) = string::new_value(b"not enough memory")
        {
            *p = s;
        }
        *p
    }
}

/// Prepares the out-of-memory message while memory is still available.
pub fn init_oom() {
    let _ = r_oom_value(rt());
}

/// Raises `msg` prefixed with the position of `site`.
pub fn raise_at(t: u32, site: u32, msg: &[u8]) -> i32 {
    let mut b = MsgBuf::new();
    write_position(site, &mut b);
    b.extend(msg);
    raise_bytes(t, b.as_bytes())
}

/// Raises `msg` at the position of the call site the thread last entered
/// (for builtins, whose errors LuaJIT reports at the caller's line).
pub fn raise_here(t: u32, msg: &[u8]) -> i32 {
    raise_at(t, site_at_level(t, 1), msg)
}

/// The call site `level` frames up: 1 is the call that entered the running
/// builtin, 2 the call that entered its caller, and so on; `u32::MAX` past
/// the outermost frame.
///
/// A tail call keeps the site of the frame it replaces, flagged with
/// [`TAIL_CALLED`]: the code that made the tail call is gone, so level 1 (a
/// builtin's own caller) is unknown, as in LuaJIT, while further levels still
/// see the original call.
pub fn site_at_level(t: u32, level: u32) -> u32 {
    let depth = rd32(t + th::DEPTH);
    if level == 0 || level > depth + 1 {
        return u32::MAX;
    }
    let site = rd32(t + th::SITES + 4 * (depth + 1 - level));
    if site == u32::MAX || (level == 1 && site & TAIL_CALLED != 0) {
        return u32::MAX;
    }
    site & !TAIL_CALLED
}

use crate::abi::thread::TAIL_CALLED;

/// The variable name a site gives its first operand (the callee of a call
/// site), if any.
pub fn site_name<'a>(site: u32) -> Option<&'a [u8]> {
    let r = rt();
    if site >= r.nsites {
        return None;
    }
    let rec = r.sites + site * st::SIZE;
    if rd8(rec + st::WHAT_A) == st::WHAT_NONE {
        return None;
    }
    let n = crate::constant(rd32(rec + st::NAME_A));
    if tag(n) != v::TAG_STRING {
        return None;
    }
    Some(string::as_bytes(payload(n)))
}

/// Which operand of a site to describe.
#[derive(Clone, Copy)]
pub enum Operand {
    A,
    B,
    /// At the site's position but without a variable name (a value reached
    /// through a metamethod chain).
    Unnamed,
}

/// `verb` + ` local 'x' (a nil value)` or ` a nil value`.
fn raise_optype(t: u32, site: u32, which: Operand, verb: &str, x: u64) -> i32 {
    let mut b = MsgBuf::new();
    write_position(site, &mut b);
    b.extend(verb.as_bytes());
    let r = rt();
    let mut named = false;
    if site < r.nsites {
        let rec = r.sites + site * st::SIZE;
        let (what, name) = match which {
            Operand::A => (rd8(rec + st::WHAT_A), rd32(rec + st::NAME_A)),
            Operand::B => (rd8(rec + st::WHAT_B), rd32(rec + st::NAME_B)),
            Operand::Unnamed => (st::WHAT_NONE, st::NO_NAME),
        };
        if what != st::WHAT_NONE && name != st::NO_NAME {
            let n = crate::constant(name);
            if tag(n) == v::TAG_STRING {
                b.push(b' ');
                b.extend(st::what_word(what).as_bytes());
                b.extend(b" '");
                b.extend(string::as_bytes(payload(n)));
                b.extend(b"' (a ");
                b.extend(type_name(x).as_bytes());
                b.extend(b" value)");
                named = true;
            }
        }
    }
    if !named {
        b.extend(b" a ");
        b.extend(type_name(x).as_bytes());
        b.extend(b" value");
    }
    raise_bytes(t, b.as_bytes())
}

/// The metatable of any value (0 if none).
pub fn metatable_of(x: u64) -> u32 {
    match tag(x) {
        v::TAG_TABLE => table::metatable(payload(x)),
        v::TAG_STRING => rt().string_meta,
        _ => 0,
    }
}

/// `metatable(x)[name]`, raw; nil if absent.
pub fn metafield(x: u64, name: u32) -> u64 {
    let mt = metatable_of(x);
    if mt == 0 {
        v::NIL
    } else {
        table::get_str(mt, name)
    }
}

fn request(scratch: u32, args: &[u64]) -> i32 {
    for (i, &a) in args.iter().enumerate() {
        wr64(scratch + 8 * i as u32, a);
    }
    REQUEST_CALL
}

/// Upper bound on `__index`/`__newindex` chains, as LuaJIT's `LJ_MAX_IDXCHAIN`.
const MAX_INDEX_CHAIN: u32 = 100;

/// `dst = obj[key]`, with `__index`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_index(t: u32, obj: u64, key: u64, dst: u32, site: u32, scratch: u32) -> i32 {
    let mut o = obj;
    let names = &rt().names;
    for _ in 0..MAX_INDEX_CHAIN {
        let handler;
        if tag(o) == v::TAG_TABLE {
            let tb = payload(o);
            let r = table::get(tb, key);
            if r != v::NIL {
                wr64(dst, r);
                return DONE;
            }
            let mt = table::metatable(tb);
            handler = if mt == 0 {
                v::NIL
            } else {
                table::get_str(mt, names.index)
            };
            if handler == v::NIL {
                wr64(dst, v::NIL);
                return DONE;
            }
        } else {
            handler = metafield(o, names.index);
            if handler == v::NIL {
                if o == obj {
                    return raise_optype(t, site, Operand::A, "attempt to index", o);
                }
                return raise_optype(t, site, Operand::Unnamed, "attempt to index", o);
            }
        }
        if tag(handler) == v::TAG_FUNCTION {
            return request(scratch, &[handler, o, key]);
        }
        o = handler;
    }
    raise_at(t, site, b"loop in gettable")
}

/// `obj[key] = val`, with `__newindex`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_newindex(
    t: u32,
    obj: u64,
    key: u64,
    val: u64,
    site: u32,
    scratch: u32,
) -> i32 {
    let mut o = obj;
    let names = &rt().names;
    for _ in 0..MAX_INDEX_CHAIN {
        let handler;
        if tag(o) == v::TAG_TABLE {
            let tb = payload(o);
            let mt = table::metatable(tb);
            handler = if mt == 0 || table::get(tb, key) != v::NIL {
                v::NIL
            } else {
                table::get_str(mt, names.newindex)
            };
            if handler == v::NIL {
                return rawset_or_raise(t, site, tb, key, val);
            }
        } else {
            handler = metafield(o, names.newindex);
            if handler == v::NIL {
                let which = if o == obj {
                    Operand::A
                } else {
                    Operand::Unnamed
                };
                return raise_optype(t, site, which, "attempt to index", o);
            }
        }
        if tag(handler) == v::TAG_FUNCTION {
            return request(scratch, &[handler, o, key, val]);
        }
        o = handler;
    }
    raise_at(t, site, b"loop in settable")
}

/// `rawset` with LuaJIT's errors for bad keys.
pub fn rawset_or_raise(t: u32, site: u32, tb: u32, key: u64, val: u64) -> i32 {
    match table::set(tb, key, val) {
        Ok(()) => DONE,
        Err(table::SetError::NilKey) => raise_at(t, site, b"table index is nil"),
        Err(table::SetError::NanKey) => raise_at(t, site, b"table index is NaN"),
        Err(table::SetError::NoMemory) => raise_oom(t),
    }
}

/// Number arithmetic, as LuaJIT folds it.
pub fn arith_num(op: i32, x: f64, y: f64) -> f64 {
    match op {
        op::ADD => x + y,
        op::SUB => x - y,
        op::MUL => x * y,
        op::DIV => x / y,
        op::MOD => x - floor(x / y) * y,
        op::POW => libm::pow(x, y),
        op::UNM => -x,
        _ => f64::NAN,
    }
}

#[inline]
pub fn floor(x: f64) -> f64 {
    libm::floor(x)
}

fn arith_event(op: i32) -> u32 {
    let n = &rt().names;
    match op {
        op::ADD => n.add,
        op::SUB => n.sub,
        op::MUL => n.mul,
        op::DIV => n.div,
        op::MOD => n.mod_,
        op::POW => n.pow,
        _ => n.unm,
    }
}

/// `dst = a op b` when an operand is not a number.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_arith(
    t: u32,
    op: i32,
    a: u64,
    b: u64,
    dst: u32,
    site: u32,
    scratch: u32,
) -> i32 {
    if let (Some(x), Some(y)) = (to_number(a), to_number(b)) {
        wr64(dst, v::from_f64(arith_num(op, x, y)));
        return DONE;
    }
    let ev = arith_event(op);
    let mut mm = metafield(a, ev);
    if mm == v::NIL {
        mm = metafield(b, ev);
    }
    if mm == v::NIL {
        let (which, culprit) = if to_number(a).is_none() {
            (Operand::A, a)
        } else {
            (Operand::B, b)
        };
        return raise_optype(t, site, which, "attempt to perform arithmetic on", culprit);
    }
    request(scratch, &[mm, a, b])
}

/// Result codes of [`lrt_compare`] and [`lrt_equal`] beyond 0/1.
pub const CMP_REQUEST: i32 = 2;
pub const CMP_REQUEST_NOT: i32 = 3;

/// `a < b` / `a <= b` for non-numbers: 0 or 1, an error, or a metamethod
/// request ([`CMP_REQUEST`]: the call's truth is the result;
/// [`CMP_REQUEST_NOT`]: its negation, for `__le` through `not (b < a)`).
#[unsafe(no_mangle)]
pub extern "C" fn lrt_compare(t: u32, op: i32, a: u64, b: u64, site: u32, scratch: u32) -> i32 {
    if is_number(a) && is_number(b) {
        let (x, y) = (f64::from_bits(a), f64::from_bits(b));
        return (if op == op::LT { x < y } else { x <= y }) as i32;
    }
    if tag(a) == v::TAG_STRING && tag(b) == v::TAG_STRING {
        let ord = string::compare(payload(a), payload(b));
        return (if op == op::LT {
            ord.is_lt()
        } else {
            ord.is_le()
        }) as i32;
    }
    let names = &rt().names;
    if tag(a) == tag(b) && !is_number(a) {
        let ev = if op == op::LT { names.lt } else { names.le };
        let m1 = metafield(a, ev);
        if m1 != v::NIL && m1 == metafield(b, ev) {
            request(scratch, &[m1, a, b]);
            return CMP_REQUEST;
        }
        if op == op::LE {
            let m1 = metafield(a, names.lt);
            if m1 != v::NIL && m1 == metafield(b, names.lt) {
                request(scratch, &[m1, b, a]);
                return CMP_REQUEST_NOT;
            }
        }
    }
    let mut m = MsgBuf::new();
    write_position(site, &mut m);
    let (ta, tb) = (type_name(a), type_name(b));
    if ta == tb {
        m.extend(b"attempt to compare two ");
        m.extend(ta.as_bytes());
        m.extend(b" values");
    } else {
        m.extend(b"attempt to compare ");
        m.extend(ta.as_bytes());
        m.extend(b" with ");
        m.extend(tb.as_bytes());
    }
    raise_bytes(t, m.as_bytes())
}

/// Raw equality (without `__eq`).
pub fn raw_equal(a: u64, b: u64) -> bool {
    if is_number(a) && is_number(b) {
        return f64::from_bits(a) == f64::from_bits(b);
    }
    if a == b {
        return true;
    }
    tag(a) == v::TAG_STRING && tag(b) == v::TAG_STRING && string::equal(payload(a), payload(b))
}

/// `a == b`: 0 or 1, or [`CMP_REQUEST`] for `__eq` (Lua 5.1 rule: both
/// tables or both userdata, and the same metamethod).
#[unsafe(no_mangle)]
pub extern "C" fn lrt_equal(_t: u32, a: u64, b: u64, scratch: u32) -> i32 {
    if raw_equal(a, b) {
        return 1;
    }
    if tag(a) == tag(b) && (tag(a) == v::TAG_TABLE || tag(a) == v::TAG_USERDATA) {
        let ev = rt().names.eq;
        let m1 = metafield(a, ev);
        if m1 != v::NIL && m1 == metafield(b, ev) {
            request(scratch, &[m1, a, b]);
            return CMP_REQUEST;
        }
    }
    0
}

/// `dst = #a`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_len(t: u32, a: u64, dst: u32, site: u32, scratch: u32) -> i32 {
    match tag(a) {
        v::TAG_STRING => {
            wr64(dst, (string::len(payload(a)) as f64).to_bits());
            DONE
        }
        // LuaJIT 2.1 (without 5.2 compatibility) ignores `__len` on tables.
        v::TAG_TABLE => {
            wr64(dst, (table::length(payload(a)) as f64).to_bits());
            DONE
        }
        _ => {
            let mm = metafield(a, rt().names.len);
            if mm != v::NIL {
                return request(scratch, &[mm, a, v::NIL]);
            }
            raise_optype(t, site, Operand::A, "attempt to get length of", a)
        }
    }
}

/// Whether a value concatenates without a metamethod.
fn concatenable(x: u64) -> bool {
    tag(x) == v::TAG_STRING || is_number(x)
}

/// `dst = v[0] .. v[1] .. … .. v[n-1]` for the `n` values at `first`, as
/// LuaJIT's `lj_meta_cat`: from the right, each run of strings and numbers is
/// joined into its lowest slot; a pair that needs `__concat` becomes a
/// request. Returns `DONE`, an error, or `CONCAT_REQUEST + k`: the metamethod
/// (at `scratch`, with its two operands) must be called, its result stored in
/// slot `k - 1`, and this function called again with `n = k`.
///
/// The site is the first of `n + 1` consecutive records: record `i + 1`
/// names operand `i` in its `A` fields.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_concat(t: u32, first: u32, n: u32, dst: u32, site: u32, scratch: u32) -> i32 {
    let slot = |i: u32| first + 8 * i;
    let mut top = n - 1;
    while top > 0 {
        let (a, b) = (rd64(slot(top - 1)), rd64(slot(top)));
        if concatenable(a) && concatenable(b) {
            let mut k = top - 1;
            while k > 0 && concatenable(rd64(slot(k - 1))) {
                k -= 1;
            }
            match join(first, k, top) {
                Some(s) => wr64(slot(k), s),
                None => return raise_oom(t),
            }
            top = k;
            continue;
        }
        let ev = rt().names.concat;
        let mut mm = metafield(a, ev);
        if mm == v::NIL {
            mm = metafield(b, ev);
        }
        if mm == v::NIL {
            // LuaJIT blames the left operand unless it is a string or number.
            let (i, culprit) = if concatenable(a) {
                (top, b)
            } else {
                (top - 1, a)
            };
            return raise_optype(
                t,
                site + 1 + i,
                Operand::A,
                "attempt to concatenate",
                culprit,
            );
        }
        request(scratch, &[mm, a, b]);
        return CONCAT_REQUEST + top as i32;
    }
    wr64(dst, rd64(slot(0)));
    DONE
}

/// Base of [`lrt_concat`]'s request results.
pub const CONCAT_REQUEST: i32 = 2;

/// Joins the strings and numbers in slots `k..=top` into one string value.
/// Numbers are formatted straight into the result (no string per number);
/// a result short enough to be interned is built on the Rust stack.
fn join(first: u32, k: u32, top: u32) -> Option<u64> {
    use crate::number::{Buf, to_lua_string};
    const SHORT: usize = string::MAX_SHORT as usize;
    // Appends operand `x` to `out`; false if it does not fit.
    fn append<const N: usize>(out: &mut Buf<N>, x: u64) -> bool {
        if is_number(x) {
            let mut b = Buf::<64>::new();
            to_lua_string(f64::from_bits(x), &mut b);
            if out.len + b.len > N {
                return false;
            }
            out.extend(b.as_bytes());
        } else {
            let bytes = string::as_bytes(payload(x));
            if out.len + bytes.len() > N {
                return false;
            }
            out.extend(bytes);
        }
        true
    }
    let mut short = Buf::<SHORT>::new();
    if (k..=top).all(|i| append(&mut short, rd64(first + 8 * i))) {
        return string::intern(short.as_bytes()).map(|s| boxed(v::TAG_STRING, s));
    }
    let mut total: u32 = 0;
    for i in k..=top {
        let x = rd64(first + 8 * i);
        let len = if is_number(x) {
            let mut b = Buf::<64>::new();
            to_lua_string(f64::from_bits(x), &mut b);
            b.len as u32
        } else {
            string::len(payload(x))
        };
        total = total.checked_add(len)?;
    }
    let s = string::alloc_raw(total)?;
    let mut at = string::data(s);
    for i in k..=top {
        let x = rd64(first + 8 * i);
        if is_number(x) {
            let mut b = Buf::<64>::new();
            to_lua_string(f64::from_bits(x), &mut b);
            crate::mem::bytes_mut(at, b.len as u32).copy_from_slice(b.as_bytes());
            at += b.len as u32;
        } else {
            let p = payload(x);
            let l = string::len(p);
            crate::mem::copy(at, string::data(p), l);
            at += l;
        }
    }
    string::finish(s).map(|s| boxed(v::TAG_STRING, s))
}

/// A call of a non-function at `callee`: with `__call`, shifts the `nargs`
/// arguments up one slot, puts the object first and the handler in the callee
/// slot, and returns the new argument count; otherwise raises
/// `attempt to call …`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_call_prep(t: u32, callee: u32, nargs: i32, site: u32) -> i32 {
    let f = rd64(callee);
    let mm = metafield(f, rt().names.call);
    if tag(mm) != v::TAG_FUNCTION {
        return raise_optype(t, site, Operand::A, "attempt to call", f);
    }
    let args = callee + 8;
    let mut i = nargs as u32;
    while i > 0 {
        wr64(args + 8 * i, rd64(args + 8 * (i - 1)));
        i -= 1;
    }
    wr64(args, f);
    wr64(callee, mm);
    nargs + 1
}

/// Checks and coerces the three control values of a numeric `for` at `at`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_forprep(t: u32, at: u32, site: u32) -> i32 {
    const WHAT: [&[u8]; 3] = [
        b"'for' initial value must be a number",
        b"'for' limit must be a number",
        b"'for' step must be a number",
    ];
    for (i, msg) in WHAT.iter().enumerate() {
        let x = rd64(at + 8 * i as u32);
        match to_number(x) {
            Some(n) => wr64(at + 8 * i as u32, v::from_f64(n)),
            None => return raise_at(t, site, msg),
        }
    }
    DONE
}

/// Raised by generated code when the Lua call depth limit is reached.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_stack_overflow(t: u32, site: u32) -> i32 {
    raise_at(t, site, b"stack overflow")
}

/// Allocates a closure for function-table entry `func_index` with `nupvals`
/// upvalue slots (nil-filled) and environment `env`; writes it to `dst`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_closure_new(
    t: u32,
    func_index: u32,
    nupvals: u32,
    env: u32,
    dst: u32,
) -> i32 {
    use crate::abi::layout::{closure as lc, header, kind};
    let Some(c) = heap::alloc_object(lc::size(nupvals)) else {
        return raise_oom(t);
    };
    crate::mem::wr8(c + header::KIND, kind::CLOSURE);
    crate::mem::wr8(c + header::FLAGS, 0);
    crate::mem::wr16(c + header::AUX, 0);
    wr32(c + header::GCLIST, 0);
    wr32(c + lc::FUNC_INDEX, func_index);
    wr32(c + lc::ENV, env);
    wr32(c + lc::NUPVALS, nupvals);
    for i in 0..nupvals {
        wr64(c + lc::UPVALS + 8 * i, v::NIL);
    }
    wr64(dst, boxed(v::TAG_FUNCTION, c));
    DONE
}

/// Allocates a cell holding `value`; writes the cell to `dst`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_cell_new(t: u32, value: u64, dst: u32) -> i32 {
    use crate::abi::layout::{cell as lcell, header, kind};
    let Some(c) = heap::alloc_object(lcell::SIZE) else {
        return raise_oom(t);
    };
    crate::mem::wr8(c + header::KIND, kind::CELL);
    crate::mem::wr8(c + header::FLAGS, 0);
    crate::mem::wr16(c + header::AUX, 0);
    wr32(c + header::GCLIST, 0);
    wr64(c + lcell::VALUE, value);
    wr64(dst, boxed(v::TAG_CELL, c));
    DONE
}

/// Creates a table sized for a constructor; writes it to `dst`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_table_new(t: u32, narr: u32, nhash: u32, dst: u32) -> i32 {
    match table::new(narr, nhash) {
        Some(tb) => {
            wr64(dst, boxed(v::TAG_TABLE, tb));
            DONE
        }
        None => raise_oom(t),
    }
}

/// Stores the `n` values at `first` into `tb[start..start+n]` (constructors).
#[unsafe(no_mangle)]
pub extern "C" fn lrt_table_setlist(t: u32, tb: u64, first: u32, n: u32, start: u32) -> i32 {
    let tb = payload(tb);
    for i in 0..n {
        let key = ((start + i) as f64).to_bits();
        if table::set(tb, key, rd64(first + 8 * i)).is_err() {
            return raise_oom(t);
        }
    }
    DONE
}

/// A keyed constructor item `tb[key] = val` (raw; errors for nil/NaN keys).
#[unsafe(no_mangle)]
pub extern "C" fn lrt_table_rawset(t: u32, tb: u64, key: u64, val: u64, site: u32) -> i32 {
    rawset_or_raise(t, site, payload(tb), key, val)
}
