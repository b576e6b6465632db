//! The `string` library as LuaJIT 2.1 has it.
//!
//! Arguments are converted as LuaJIT's `lj_lib_check*` do (`check_str`,
//! `check_int` in `lib_base`): `("hello"):sub(2, 1e10)` is empty, as on
//! LuaJIT.
//!
//! `gsub` and `format` may need Lua calls (a replacement function, a table
//! with `__index`, `__tostring`). The runtime never calls Lua: they are
//! *driven* builtins. Generated code calls their step function in a loop;
//! a step either finishes (results at `base`) or returns a call request
//! (callee and arguments at [`driven::SCRATCH`]); the driver makes the call,
//! puts its first result at [`driven::RESULT`] and steps again. The state
//! between steps lives in the builtin's own frame slots
//! ([`driven::STATE`]…), where the collector sees it.

use crate::abi::driven;
use crate::abi::layout::closure as lc;
use crate::abi::value::{self as v, boxed, payload, tag};
use crate::driven::{num_slot, request, set_num, slot};
use crate::lib_base::{
    Builtin, arg, arg_error, check_int, check_number, check_stack, check_str, opt_int, opt_str,
    register, ret1, type_error,
};
use crate::mem::{rd64, wr64};
use crate::number::Buf;
use crate::ops::{self, raise_here, raise_oom};
use crate::pattern::{Capture, Matcher, PatError, Start};
use crate::{heap, mem, rt, string, table};

fn ret_str(t: u32, base: u32, bytes: &[u8]) -> i32 {
    match string::new_value(bytes) {
        Some(s) => ret1(base, s),
        None => raise_oom(t),
    }
}

/// A new string of `n` bytes filled by `fill`.
fn ret_built(t: u32, base: u32, n: usize, fill: impl FnOnce(&mut [u8])) -> i32 {
    if n > MAX_STR {
        return raise_oom(t);
    }
    let Some(s) = string::alloc_raw(n as u32) else {
        return raise_oom(t);
    };
    fill(mem::bytes_mut(string::data(s), n as u32));
    match string::finish(s) {
        Some(s) => ret1(base, boxed(v::TAG_STRING, s)),
        None => raise_oom(t),
    }
}

/// LuaJIT's longest string.
const MAX_STR: usize = 0x7fff_ff00;

fn pat_error(t: u32, e: PatError) -> i32 {
    raise_here(t, e.message())
}

pub extern "C" fn lrt_string_len(t: u32, base: u32, nargs: i32) -> i32 {
    if nargs < 1 {
        // LuaJIT's fast path reports the missing argument as nil.
        wr64(base, v::NIL);
        return type_error(t, base, 1, 1, "string");
    }
    match check_str(t, base, nargs, 1) {
        Ok(s) => ret1(base, (s.len() as f64).to_bits()),
        Err(st) => st,
    }
}

pub extern "C" fn lrt_string_sub(t: u32, base: u32, nargs: i32) -> i32 {
    let r = (|| {
        let s = check_str(t, base, nargs, 1)?;
        let start = check_int(t, base, nargs, 2)?;
        let end = opt_int(t, base, nargs, 3, -1)?;
        Ok((s, start, end))
    })();
    let (s, mut start, mut end) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    let len = s.len() as i32;
    if end < 0 {
        end = end.wrapping_add(len + 1);
    } else if end > len {
        end = len;
    }
    if start <= 0 {
        if start < 0 {
            start = start.wrapping_add(len + 1);
        }
        if start <= 0 {
            start = 1;
        }
    }
    if start > end {
        return ret_str(t, base, b"");
    }
    let part = &s[(start - 1) as usize..end as usize];
    ret_str(t, base, part)
}

/// `upper` (`lo` = `a`) and `lower` (`lo` = `A`): the 26 ASCII letters from
/// `lo` change case, every other byte stays (the C locale).
fn flip_case(t: u32, base: u32, nargs: i32, lo: u8) -> i32 {
    match check_str(t, base, nargs, 1) {
        Ok(s) => ret_built(t, base, s.len(), |out| {
            const ONES: u64 = 0x0101_0101_0101_0101;
            const HIGH: u64 = 0x8080_8080_8080_8080;
            let mut i = 0;
            // Eight bytes at a time: a byte's high bit after adding
            // 0x80 - lo to its low seven bits says it is >= lo; a letter is
            // >= lo, not >= lo + 26, and ASCII. Its 0x20 bit flips.
            while i + 8 <= s.len() {
                let w = crate::mem::word(s, i);
                let low = w & !HIGH;
                let ge = low + ONES * (0x80 - lo as u64);
                let past = low + ONES * (0x80 - (lo as u64 + 26));
                let letters = ge & !past & !w & HIGH;
                out[i..i + 8].copy_from_slice(&(w ^ (letters >> 2)).to_le_bytes());
                i += 8;
            }
            while i < s.len() {
                let c = s[i];
                out[i] = if c.wrapping_sub(lo) < 26 { c ^ 0x20 } else { c };
                i += 1;
            }
        }),
        Err(st) => st,
    }
}

pub extern "C" fn lrt_string_upper(t: u32, base: u32, nargs: i32) -> i32 {
    flip_case(t, base, nargs, b'a')
}

pub extern "C" fn lrt_string_lower(t: u32, base: u32, nargs: i32) -> i32 {
    flip_case(t, base, nargs, b'A')
}

pub extern "C" fn lrt_string_reverse(t: u32, base: u32, nargs: i32) -> i32 {
    match check_str(t, base, nargs, 1) {
        Ok(s) => ret_built(t, base, s.len(), |out| {
            for (o, &c) in out.iter_mut().zip(s.iter().rev()) {
                *o = c;
            }
        }),
        Err(st) => st,
    }
}

pub extern "C" fn lrt_string_rep(t: u32, base: u32, nargs: i32) -> i32 {
    let r = (|| {
        let s = check_str(t, base, nargs, 1)?;
        let n = check_int(t, base, nargs, 2)?;
        let sep = opt_str(t, base, nargs, 3, b"")?;
        Ok((s, n, sep))
    })();
    let (s, n, sep) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    if n <= 0 {
        return ret_str(t, base, b"");
    }
    let total = (s.len() as u64 + sep.len() as u64) * n as u64 - sep.len() as u64;
    if total > MAX_STR as u64 {
        return raise_oom(t);
    }
    ret_built(t, base, total as usize, |out| {
        let mut at = 0;
        for i in 0..n {
            if i > 0 {
                out[at..at + sep.len()].copy_from_slice(sep);
                at += sep.len();
            }
            out[at..at + s.len()].copy_from_slice(s);
            at += s.len();
        }
    })
}

pub extern "C" fn lrt_string_byte(t: u32, base: u32, nargs: i32) -> i32 {
    let r = (|| {
        let s = check_str(t, base, nargs, 1)?;
        let start = opt_int(t, base, nargs, 2, 1)?;
        let stop = opt_int(t, base, nargs, 3, start)?;
        Ok((s, start, stop))
    })();
    let (s, mut start, mut stop) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    let len = s.len() as i32;
    if stop < 0 {
        stop = stop.wrapping_add(len + 1);
    }
    if start < 0 {
        start = start.wrapping_add(len + 1);
    }
    if start <= 0 {
        start = 1;
    }
    if stop > len {
        stop = len;
    }
    if start > stop {
        return 0;
    }
    let n = (stop - start + 1) as u32;
    if n > 8000 {
        return raise_here(t, b"string slice too long");
    }
    if !check_stack(t, base, n) {
        return raise_here(t, b"stack overflow");
    }
    for (i, &c) in s[(start - 1) as usize..stop as usize].iter().enumerate() {
        wr64(base + 8 * i as u32, (c as f64).to_bits());
    }
    n as i32
}

pub extern "C" fn lrt_string_char(t: u32, base: u32, nargs: i32) -> i32 {
    let n = nargs.max(0) as usize;
    let mut bytes = [0u8; 256];
    let mut heap_buf = None;
    let out: &mut [u8] = if n <= bytes.len() {
        &mut bytes[..n]
    } else {
        match heap::alloc(n as u32) {
            Some(p) => {
                heap_buf = Some(p);
                mem::bytes_mut(p, n as u32)
            }
            None => return raise_oom(t),
        }
    };
    let mut status = None;
    for (i, o) in out.iter_mut().enumerate() {
        match check_int(t, base, nargs, i as u32 + 1) {
            Ok(k) if (k as u32) <= 255 => *o = k as u8,
            Ok(_) => {
                status = Some(arg_error(t, i as u32 + 1, b"invalid value"));
                break;
            }
            Err(st) => {
                status = Some(st);
                break;
            }
        }
    }
    let r = match status {
        Some(st) => st,
        None => ret_str(t, base, out),
    };
    if let Some(p) = heap_buf {
        heap::free(p);
    }
    r
}

// ---- find, match, gmatch ---------------------------------------------------

/// Pushes the captures of a match `s..e` at `base + 8 * at`: all of them,
/// or the whole match when the pattern has none (unless `whole` is false,
/// as for `find`). Returns the count or the error status.
fn push_captures(
    t: u32,
    m: &Matcher,
    src: &[u8],
    s: usize,
    e: usize,
    whole: bool,
    dst: u32,
) -> Result<u32, i32> {
    let n = if m.level() == 0 && whole {
        1
    } else {
        m.level()
    };
    if !check_stack(t, dst, n as u32) {
        return Err(raise_here(t, b"stack overflow"));
    }
    for i in 0..n {
        let x = capture_value(t, m, src, i, s, e)?;
        wr64(dst + 8 * i as u32, x);
    }
    Ok(n as u32)
}

fn capture_value(
    t: u32,
    m: &Matcher,
    src: &[u8],
    i: usize,
    s: usize,
    e: usize,
) -> Result<u64, i32> {
    match m.capture(i, s, e).map_err(|e| pat_error(t, e))? {
        Capture::Position(p) => Ok(((p + 1) as f64).to_bits()),
        Capture::Span(a, b) => string::new_value(&src[a..b]).ok_or_else(|| raise_oom(t)),
    }
}

fn find_aux(t: u32, base: u32, nargs: i32, find: bool) -> i32 {
    let r = (|| {
        let s = check_str(t, base, nargs, 1)?;
        let p = check_str(t, base, nargs, 2)?;
        let init = opt_int(t, base, nargs, 3, 1)?;
        Ok((s, p, init))
    })();
    let (s, p, init) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    let len = s.len() as i32;
    let mut st = if init < 0 {
        init.wrapping_add(len)
    } else {
        init - 1
    };
    if st < 0 {
        st = 0;
    }
    let st = (st as usize).min(s.len());
    let plain = find && (!v::is_falsy(arg(base, nargs, 3)) || !crate::pattern::has_specials(p));
    if plain {
        let hay = &s[st..];
        let pos = if p.is_empty() {
            Some(0)
        } else {
            hay.windows(p.len()).position(|w| w == p)
        };
        return match pos {
            Some(i) => {
                wr64(base, ((st + i + 1) as f64).to_bits());
                wr64(base + 8, ((st + i + p.len()) as f64).to_bits());
                2
            }
            None => ret1(base, v::NIL),
        };
    }
    let anchored = p.first() == Some(&b'^');
    let p0 = anchored as usize;
    let mut m = Matcher::new(s, p);
    let start = if anchored { Start::Any } else { m.start(p0) };
    let mut at = st;
    loop {
        match m.candidate(at, start) {
            Some(c) => at = c,
            None => return ret1(base, v::NIL),
        }
        match m.try_at(at, p0) {
            Err(e) => return pat_error(t, e),
            Ok(Some(e)) => {
                if find {
                    let r = push_captures(t, &m, s, at, e, false, base + 16);
                    return match r {
                        Ok(n) => {
                            wr64(base, ((at + 1) as f64).to_bits());
                            wr64(base + 8, (e as f64).to_bits());
                            n as i32 + 2
                        }
                        Err(st) => st,
                    };
                }
                return match push_captures(t, &m, s, at, e, true, base) {
                    Ok(n) => n as i32,
                    Err(st) => st,
                };
            }
            Ok(None) => {}
        }
        if at >= s.len() || anchored {
            return ret1(base, v::NIL);
        }
        at += 1;
    }
}

pub extern "C" fn lrt_string_find(t: u32, base: u32, nargs: i32) -> i32 {
    find_aux(t, base, nargs, true)
}

pub extern "C" fn lrt_string_match(t: u32, base: u32, nargs: i32) -> i32 {
    find_aux(t, base, nargs, false)
}

pub extern "C" fn lrt_string_gmatch(t: u32, base: u32, nargs: i32) -> i32 {
    if let Err(st) = check_str(t, base, nargs, 1).and_then(|_| check_str(t, base, nargs, 2)) {
        return st;
    }
    let mut tmp = v::NIL;
    let dst = core::ptr::addr_of_mut!(tmp) as usize as u32;
    let f: Builtin = lrt_string_gmatch_aux;
    if ops::lrt_closure_new(0, f as usize as u32, 3, payload(rt().globals), dst) != 0 {
        return raise_oom(t);
    }
    let c = payload(tmp);
    wr64(c + lc::UPVALS, rd64(base));
    wr64(c + lc::UPVALS + 8, rd64(base + 8));
    wr64(c + lc::UPVALS + 16, 0f64.to_bits());
    ret1(base, tmp)
}

/// The iterator `gmatch` returns: subject, pattern and next position in
/// its upvalues. `^` is an ordinary byte here, as in LuaJIT.
pub extern "C" fn lrt_string_gmatch_aux(t: u32, base: u32, _nargs: i32) -> i32 {
    let c = payload(rd64(base - 8));
    let s = string::as_bytes(payload(rd64(c + lc::UPVALS)));
    let p = string::as_bytes(payload(rd64(c + lc::UPVALS + 8)));
    let pos_addr = c + lc::UPVALS + 16;
    let mut at = f64::from_bits(rd64(pos_addr)) as usize;
    let mut m = Matcher::new(s, p);
    let start = m.start(0);
    while at <= s.len() {
        match m.candidate(at, start) {
            Some(c) => at = c,
            None => break,
        }
        match m.try_at(at, 0) {
            Err(e) => return pat_error(t, e),
            Ok(Some(e)) => {
                let next = if e == at { e + 1 } else { e };
                wr64(pos_addr, (next as f64).to_bits());
                return match push_captures(t, &m, s, at, e, true, base) {
                    Ok(n) => n as i32,
                    Err(st) => st,
                };
            }
            Ok(None) => at += 1,
        }
    }
    wr64(pos_addr, ((s.len() + 1) as f64).to_bits());
    0
}

// ---- driven builtins: gsub, format ----------------------------------------

/// An output buffer kept in two frame slots: an unfinished string object
/// (its length is the capacity) and the bytes used, as a number.
struct SlotBuf {
    obj_slot: u32,
    used_slot: u32,
    obj: u32,
    used: u32,
}

impl SlotBuf {
    fn load(obj_slot: u32, used_slot: u32) -> Self {
        let o = rd64(obj_slot);
        let (obj, used) = if tag(o) == v::TAG_STRING {
            (payload(o), f64::from_bits(rd64(used_slot)) as u32)
        } else {
            (0, 0)
        };
        SlotBuf {
            obj_slot,
            used_slot,
            obj,
            used,
        }
    }

    fn cap(&self) -> u32 {
        if self.obj == 0 {
            0
        } else {
            string::len(self.obj)
        }
    }

    /// Appends `bytes`; `false` when out of memory or past LuaJIT's limit.
    fn extend(&mut self, bytes: &[u8]) -> bool {
        let need = self.used as usize + bytes.len();
        if need > MAX_STR {
            return false;
        }
        if need > self.cap() as usize {
            let cap = (need as u32).max(self.cap().saturating_mul(2)).max(64);
            let Some(s) = string::alloc_raw(cap) else {
                return false;
            };
            if self.obj != 0 {
                mem::copy(string::data(s), string::data(self.obj), self.used);
            }
            self.obj = s;
            wr64(self.obj_slot, boxed(v::TAG_STRING, s));
        }
        mem::copy_bytes(
            mem::bytes_mut(string::data(self.obj) + self.used, bytes.len() as u32),
            bytes,
        );
        self.used = need as u32;
        wr64(self.used_slot, (self.used as f64).to_bits());
        true
    }

    fn bytes(&self) -> &[u8] {
        if self.obj == 0 {
            b""
        } else {
            mem::bytes(string::data(self.obj), self.used)
        }
    }
}

// gsub's state slots.
const G_BUF: u32 = driven::STATE;
const G_USED: u32 = driven::STATE + 1;
const G_POS: u32 = driven::STATE + 2;
const G_COUNT: u32 = driven::STATE + 3;
/// The match whose replacement a call is computing (start and end).
const G_MS: u32 = driven::STATE + 4;
const G_ME: u32 = driven::STATE + 5;

/// `string.gsub(s, pattern, repl [, n])`, one step.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_gsub_step(t: u32, base: u32, nargs: i32, frame: u32) -> i32 {
    let r = (|| {
        let s = check_str(t, base, nargs, 1)?;
        let p = check_str(t, base, nargs, 2)?;
        let repl = arg(base, nargs, 2);
        let ok = v::is_number(repl)
            || matches!(tag(repl), v::TAG_STRING | v::TAG_TABLE | v::TAG_FUNCTION);
        if !ok {
            return Err(arg_error(t, 3, b"string/function/table expected"));
        }
        // The count goes through lauxlib's luaL_optint: to 64 bits, then
        // the low 32 (so -4294967295 allows one replacement).
        let max = match arg(base, nargs, 3) {
            v::NIL => s.len() as i32 + 1,
            _ => crate::format::signed_of(check_number(t, base, nargs, 4)?) as i32,
        };
        Ok((s, p, repl, max))
    })();
    let (s, p, repl, max) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    // Keep the number-converted replacement alive and its text at hand.
    let repl_text: Option<&[u8]> = if tag(repl) == v::TAG_FUNCTION || tag(repl) == v::TAG_TABLE {
        None
    } else {
        match check_str(t, base, nargs, 3) {
            Ok(b) => Some(b),
            Err(st) => return st,
        }
    };
    let mut buf = SlotBuf::load(slot(frame, G_BUF), slot(frame, G_USED));
    let mut pos = num_slot(frame, G_POS).unwrap_or(0.0) as usize;
    let mut count = num_slot(frame, G_COUNT).unwrap_or(0.0) as i32;
    let anchored = p.first() == Some(&b'^');
    let p0 = anchored as usize;
    let mut m = Matcher::new(s, p);
    let start = if anchored { Start::Any } else { m.start(p0) };
    // Subject bytes from `copied` to `pos` go to the output unchanged; they
    // are copied in one piece before a replacement, a request or the end.
    let mut copied = pos;
    // A call's result for the match at G_MS..G_ME.
    if let (Some(ms), Some(me)) = (num_slot(frame, G_MS), num_slot(frame, G_ME)) {
        let (ms, me) = (ms as usize, me as usize);
        let r = rd64(slot(frame, driven::RESULT));
        if let Err(st) = add_result(t, &mut buf, r, &s[ms..me]) {
            return st;
        }
        wr64(slot(frame, G_MS), v::NIL);
        wr64(slot(frame, G_ME), v::NIL);
        pos = ms;
        copied = if me > ms { me } else { ms };
        if !advance(s, &mut pos, me) || anchored {
            return finish_gsub(t, base, &mut buf, s, copied, count);
        }
    }
    // One single-byte class replaced by plain text (`gsub("%d", "")`,
    // `gsub("+", " ")`): every match is one byte, so bytes are tested in a
    // loop with no matcher call per match.
    if let Some(rs) = repl_text
        && !anchored
        && !rs.contains(&b'%')
        && let Some(set) = m.single_class(p0)
    {
        let mut ok = true;
        while count < max {
            // A byte is found by `candidate`, a set tested here (faster
            // than the matcher's class test).
            let next = match start {
                Start::Byte(_) => m.candidate(pos, start),
                _ => (pos..s.len()).find(|&i| crate::pattern::set_has(&set, s[i])),
            };
            let Some(next) = next else { break };
            pos = next;
            ok &= buf.extend(&s[copied..pos]);
            ok &= buf.extend(rs);
            count += 1;
            pos += 1;
            copied = pos;
        }
        if !ok {
            return raise_oom(t);
        }
        return finish_gsub(t, base, &mut buf, s, copied, count);
    }
    while count < max {
        // Positions where no match can begin: copied at once.
        match m.candidate(pos, start) {
            Some(c) => pos = c,
            None => break,
        }
        let e = match m.try_at(pos, p0) {
            Err(e) => return pat_error(t, e),
            Ok(e) => e,
        };
        if let Some(e) = e {
            if !buf.extend(&s[copied..pos]) {
                return raise_oom(t);
            }
            count += 1;
            set_num(frame, G_COUNT, count as f64);
            match repl_text {
                Some(rs) => {
                    if let Err(st) = add_string_repl(t, &mut buf, &m, s, rs, pos, e) {
                        return st;
                    }
                }
                None => {
                    // Table or function: the value may need a Lua call.
                    let v = if tag(repl) == v::TAG_TABLE {
                        let key = match capture_value(t, &m, s, 0, pos, e) {
                            Ok(k) => k,
                            Err(st) => return st,
                        };
                        // `repl[key]` with `__index` honoured: tables
                        // followed here, a function called through a request.
                        let mut cur = repl;
                        let mut hops = 0;
                        loop {
                            let raw = table::get(payload(cur), key);
                            let mm = if raw == v::NIL {
                                ops::metafield(cur, rt().names.index)
                            } else {
                                v::NIL
                            };
                            if mm == v::NIL {
                                break raw;
                            }
                            if tag(mm) == v::TAG_FUNCTION {
                                set_num(frame, G_MS, pos as f64);
                                set_num(frame, G_ME, e as f64);
                                set_num(frame, G_POS, pos as f64);
                                return request(frame, mm, &[cur, key]);
                            }
                            hops += 1;
                            if tag(mm) != v::TAG_TABLE || hops >= 100 {
                                return raise_here(
                                    t,
                                    b"string.gsub: this replacement table's __index chain is not supported",
                                );
                            }
                            cur = mm;
                        }
                    } else {
                        let n = if m.level() == 0 { 1 } else { m.level() };
                        let mut caps = [v::NIL; crate::pattern::MAX_CAPTURES];
                        for (i, c) in caps.iter_mut().enumerate().take(n) {
                            match capture_value(t, &m, s, i, pos, e) {
                                Ok(x) => *c = x,
                                Err(st) => return st,
                            }
                        }
                        set_num(frame, G_MS, pos as f64);
                        set_num(frame, G_ME, e as f64);
                        set_num(frame, G_POS, pos as f64);
                        return request(frame, repl, &caps[..n]);
                    };
                    if let Err(st) = add_result(t, &mut buf, v, &s[pos..e]) {
                        return st;
                    }
                }
            }
            // An empty match leaves its byte to be copied with the rest.
            copied = if e > pos { e } else { pos };
            if !advance(s, &mut pos, e) {
                break;
            }
        } else if pos < s.len() {
            pos += 1;
        } else {
            break;
        }
        if anchored {
            break;
        }
    }
    finish_gsub(t, base, &mut buf, s, copied, count)
}

/// After a match from `*pos` to `me`: past it if non-empty, else one byte
/// on (that byte stays in the output). `false` at the end of the subject.
fn advance(s: &[u8], pos: &mut usize, me: usize) -> bool {
    if me > *pos {
        *pos = me;
        true
    } else if *pos < s.len() {
        *pos += 1;
        true
    } else {
        false
    }
}

fn finish_gsub(t: u32, base: u32, buf: &mut SlotBuf, s: &[u8], pos: usize, count: i32) -> i32 {
    if !buf.extend(&s[pos.min(s.len())..]) {
        return raise_oom(t);
    }
    let Some(r) = string::new_value(buf.bytes()) else {
        return raise_oom(t);
    };
    wr64(base, r);
    wr64(base + 8, (count as f64).to_bits());
    2
}

/// A replacement value: false/nil keep the match, strings and numbers
/// replace it, anything else is LuaJIT's error.
fn add_result(t: u32, buf: &mut SlotBuf, r: u64, original: &[u8]) -> Result<(), i32> {
    let mut tmp = Buf::<64>::new();
    let ok = if v::is_falsy(r) {
        buf.extend(original)
    } else if let Some(text) = crate::value::as_text(r, &mut tmp) {
        buf.extend(text)
    } else {
        let mut b = ops::MsgBuf::new();
        b.extend(b"invalid replacement value (a ");
        b.extend(crate::value::type_name(r).as_bytes());
        b.push(b')');
        return Err(raise_here(t, b.as_bytes()));
    };
    if ok { Ok(()) } else { Err(raise_oom(t)) }
}

/// A string replacement: `%0`–`%9` captures, `%` before anything else
/// that byte (a final `%` adds a NUL, as LuaJIT reads the C terminator).
fn add_string_repl(
    t: u32,
    buf: &mut SlotBuf,
    m: &Matcher,
    src: &[u8],
    repl: &[u8],
    s: usize,
    e: usize,
) -> Result<(), i32> {
    let mut i = 0;
    let mut ok = true;
    while i < repl.len() {
        let c = repl[i];
        if c != b'%' {
            let run = crate::mem::find_byte(&repl[i..], b'%').unwrap_or(repl.len() - i);
            ok &= buf.extend(&repl[i..i + run]);
            i += run;
            continue;
        }
        i += 1;
        let d = repl.get(i).copied().unwrap_or(0);
        if !d.is_ascii_digit() {
            ok &= buf.extend(&[d]);
        } else if d == b'0' {
            ok &= buf.extend(&src[s..e]);
        } else {
            match m.capture((d - b'1') as usize, s, e) {
                Err(err) => return Err(pat_error(t, err)),
                Ok(Capture::Span(a, b)) => ok &= buf.extend(&src[a..b]),
                Ok(Capture::Position(p)) => {
                    let mut b = Buf::<64>::new();
                    crate::number::write_integer(p as i64 + 1, &mut b);
                    ok &= buf.extend(b.as_bytes());
                }
            }
        }
        i += 1;
    }
    if ok { Ok(()) } else { Err(raise_oom(t)) }
}

// format's state slots.
const F_BUF: u32 = driven::STATE;
const F_USED: u32 = driven::STATE + 1;
/// Byte offset in the format string of the next thing to do.
const F_POS: u32 = driven::STATE + 2;
/// The next argument (from 2).
const F_ARG: u32 = driven::STATE + 3;
/// Set while a `__tostring` call for the `%s` at `F_POS` is pending.
const F_PENDING: u32 = driven::STATE + 4;

/// `string.format(fmt, …)`, one step.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_format_step(t: u32, base: u32, nargs: i32, frame: u32) -> i32 {
    let fmt = match check_str(t, base, nargs, 1) {
        Ok(f) => f,
        Err(st) => return st,
    };
    let mut buf = FormatBuf::load(slot(frame, F_BUF), slot(frame, F_USED));
    let mut pos = num_slot(frame, F_POS).unwrap_or(0.0) as usize;
    let mut argn = num_slot(frame, F_ARG).unwrap_or(2.0) as u32;
    let mut pending = rd64(slot(frame, F_PENDING)) != v::NIL;
    while pos < fmt.len() {
        let lit = crate::mem::find_byte(&fmt[pos..], b'%').unwrap_or(fmt.len() - pos);
        if lit > 0 {
            if !buf.extend(&fmt[pos..pos + lit]) {
                return raise_oom(t);
            }
            pos += lit;
            continue;
        }
        if fmt.get(pos + 1) == Some(&b'%') {
            if !buf.extend(b"%") {
                return raise_oom(t);
            }
            pos += 2;
            continue;
        }
        if !pending && argn as i32 <= nargs {
            let x = rd64(slot(base, argn - 1));
            if let Some((len, ok)) = crate::format::simple(&mut buf, &fmt[pos..], x) {
                if !ok {
                    return raise_oom(t);
                }
                argn += 1;
                pos += len;
                continue;
            }
        }
        match format_conversion(t, base, nargs, frame, fmt, pos, argn, pending, &mut buf) {
            Ok(len) => {
                pending = false;
                argn += 1;
                pos += len;
            }
            Err(st) => return st,
        }
    }
    let Some(r) = string::new_value(buf.bytes()) else {
        return raise_oom(t);
    };
    ret1(base, r)
}

/// `string.format(fmt, …)` by a plan (`abi::format_plan`) made of `fmt` ahead of time:
/// `fmt` and `plan` are the call's format and its plan (constants). The result
/// count (1, the string at `base`), or 0 with nothing made when the call is not
/// the planned one (the first argument is not `fmt`, too few arguments), an
/// argument is not of its conversion's plain form, or the output outgrows the
/// native-stack buffer: generated code then calls the builtin, which does it all
/// again from the start (and raises what there is to raise).
#[unsafe(no_mangle)]
pub extern "C" fn lrt_format_plan(base: u32, nargs: i32, fmt: u64, plan: u64) -> i32 {
    use crate::abi::format_plan::{Step, step};
    use crate::format::Sink;
    if nargs < 1 || rd64(base) != fmt {
        return 0;
    }
    let plan = string::as_bytes(payload(plan));
    let mut out = PlanOut(Buf::new());
    let (mut at, mut argn) = (0, 1);
    while at < plan.len() {
        let (next, after) = step(plan, at);
        let took = match next {
            Step::Text(text) => out.put(text),
            Step::Convert(_, _) if argn >= nargs => false,
            Step::Convert(op, places) => {
                let x = rd64(base + 8 * argn as u32);
                argn += 1;
                crate::format::conv(&mut out, op, places, x) == Some(true)
            }
        };
        if !took {
            return 0;
        }
        at = after;
    }
    match string::new_value(out.0.as_bytes()) {
        Some(r) => {
            wr64(base, r);
            1
        }
        None => 0,
    }
}

/// [`lrt_format_plan`]'s output: refused once it would not fit.
struct PlanOut(Buf<FORMAT_LOCAL>);

impl crate::format::Sink for PlanOut {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> bool {
        if self.0.len + bytes.len() > FORMAT_LOCAL {
            return false;
        }
        self.0.extend(bytes);
        true
    }
}

/// One conversion of `string.format` other than [`crate::format::simple`]'s: the
/// specification at `fmt[pos..]` parsed and applied to argument `argn`, or to the
/// pending `__tostring` result. Apart from the step's loop so that the loop reads as
/// the common forms and this (for reading only: the instructions a request runs did
/// not change). The specification's length, or the status to return (an error
/// raised, or a `__tostring` call requested).
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn format_conversion(
    t: u32,
    base: u32,
    nargs: i32,
    frame: u32,
    fmt: &[u8],
    pos: usize,
    argn: u32,
    pending: bool,
    buf: &mut FormatBuf,
) -> Result<usize, i32> {
    let spec = match crate::format::parse(&fmt[pos..]) {
        Ok(spec) => spec,
        Err(shown) => {
            let mut b = ops::MsgBuf::new();
            b.extend(b"invalid option '");
            b.extend(&fmt[pos..pos + shown]);
            b.extend(b"' to 'format'");
            return Err(raise_here(t, b.as_bytes()));
        }
    };
    let x = if pending {
        wr64(slot(frame, F_PENDING), v::NIL);
        let r = rd64(slot(frame, driven::RESULT));
        match crate::value::coerce_to_string(r) {
            Ok(Some(s)) => s,
            Ok(None) => return Err(raise_here(t, b"'__tostring' must return a string")),
            Err(()) => return Err(raise_oom(t)),
        }
    } else {
        if argn as i32 > nargs {
            return Err(arg_error(t, argn, b"value expected"));
        }
        rd64(slot(base, argn - 1))
    };
    let mut out = crate::format::Out::new(buf);
    let r = match spec.conv {
        // %s and %q take any value as `tostring` shows it.
        b's' | b'q' => {
            let mut tmp = Buf::<64>::new();
            let text = match crate::value::as_text(x, &mut tmp) {
                Some(text) => text,
                None => {
                    let mm = ops::metafield(x, rt().names.tostring);
                    if mm != v::NIL {
                        if tag(mm) != v::TAG_FUNCTION {
                            return Err(raise_here(t, b"attempt to call a non-function __tostring"));
                        }
                        if !buf.spill() {
                            return Err(raise_oom(t));
                        }
                        set_num(frame, F_POS, pos as f64);
                        set_num(frame, F_ARG, argn as f64);
                        wr64(slot(frame, F_PENDING), v::TRUE);
                        return Err(request(frame, mm, &[x]));
                    }
                    crate::value::write_plain(x, &mut tmp);
                    tmp.as_bytes()
                }
            };
            if spec.conv == b'q' {
                out.quoted(text);
            } else {
                out.string(&spec, text);
            }
            Ok(())
        }
        b'c' => check_int(t, base, nargs, argn).map(|k| out.char(&spec, k as u8)),
        _ => check_number(t, base, nargs, argn).map(|n| out.number(&spec, n)),
    };
    if let Err(st) = r {
        return Err(st);
    }
    if out.failed() {
        return Err(raise_oom(t));
    }
    Ok(spec.len)
}

/// `string.format`'s output: on the native stack while it is short and the
/// call runs through in one step (no allocation, no garbage), in the frame's
/// `SlotBuf` once it outgrows that or a `__tostring` call suspends it.
///
/// The output is in the slot exactly when the slot holds a buffer: a resumed call
/// finds its output so far there, and a call suspended before writing anything
/// starts on the stack again.
struct FormatBuf {
    slot: SlotBuf,
    local: Buf<FORMAT_LOCAL>,
}

/// Bytes of `string.format` output kept on the native stack.
const FORMAT_LOCAL: usize = 1024;

impl FormatBuf {
    fn load(obj_slot: u32, used_slot: u32) -> Self {
        FormatBuf {
            slot: SlotBuf::load(obj_slot, used_slot),
            local: Buf::new(),
        }
    }

    fn spilled(&self) -> bool {
        self.slot.obj != 0
    }

    #[inline]
    fn extend(&mut self, bytes: &[u8]) -> bool {
        if !self.spilled() {
            if self.local.len + bytes.len() <= FORMAT_LOCAL {
                self.local.extend(bytes);
                return true;
            }
            if !self.spill() {
                return false;
            }
        }
        self.slot.extend(bytes)
    }

    /// Moves the output into the frame; `false` when out of memory.
    #[cold]
    #[inline(never)]
    fn spill(&mut self) -> bool {
        if self.spilled() {
            return true;
        }
        self.slot.extend(self.local.as_bytes())
    }

    fn bytes(&self) -> &[u8] {
        if self.spilled() {
            self.slot.bytes()
        } else {
            self.local.as_bytes()
        }
    }
}

impl crate::format::Sink for FormatBuf {
    #[inline]
    fn put(&mut self, bytes: &[u8]) -> bool {
        self.extend(bytes)
    }
}

impl crate::format::Sink for SlotBuf {
    fn put(&mut self, bytes: &[u8]) -> bool {
        self.extend(bytes)
    }
}

/// Fills the `string` table (gsub and format are generated drivers,
/// registered by the module at start-up).
pub fn open(lib: u32) -> bool {
    let fns: [(&str, Builtin); 11] = [
        ("len", lrt_string_len),
        ("sub", lrt_string_sub),
        ("upper", lrt_string_upper),
        ("lower", lrt_string_lower),
        ("rep", lrt_string_rep),
        ("reverse", lrt_string_reverse),
        ("byte", lrt_string_byte),
        ("char", lrt_string_char),
        ("find", lrt_string_find),
        ("match", lrt_string_match),
        ("gmatch", lrt_string_gmatch),
    ];
    fns.into_iter().all(|(name, f)| register(lib, name, f))
}
