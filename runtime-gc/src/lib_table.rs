//! The `table` library as LuaJIT 2.1 has it, and `table.new`/`table.clear`.
//!
//! Every access is raw, as in LuaJIT's C functions. `table.sort` is LuaJIT's quicksort (Lua 5.1's
//! `auxsort`), the same comparisons in the same order, written as a state
//! machine so that a comparison needing Lua (a comparator, `__lt`) is a
//! call request of a driven builtin (see `lib_string`).

use crate::abi::driven;
use crate::abi::value::{self as v, boxed, payload, tag};
use crate::driven::{num_slot, request, set_num, slot};
use crate::lib_base::{
    Builtin, arg, check_int, check_table, opt_int, opt_str, register, ret1, type_error,
};
use crate::mem::{rd64, wr64};
use crate::number::Buf;
use crate::ops::{self, raise_here, raise_oom};
use crate::{string, table};

fn key(i: i64) -> u64 {
    (i as f64).to_bits()
}

fn geti(tb: u32, i: i64) -> u64 {
    if i >= 1 && i <= u32::MAX as i64 {
        table::get_int(tb, i as u32)
    } else {
        table::get(tb, key(i))
    }
}

fn seti(t: u32, tb: u32, i: i64, x: u64) -> Result<(), i32> {
    table::set(tb, key(i), x).map_err(|_| raise_oom(t))
}

/// `table.concat(t [, sep [, i [, j]]])`.
pub extern "C" fn lrt_table_concat(t: u32, base: u32, nargs: i32) -> i32 {
    let r = (|| {
        let tb = check_table(t, base, nargs, 1)?;
        let sep = opt_str(t, base, nargs, 2, b"")?;
        let i = opt_int(t, base, nargs, 3, 1)?;
        let j = if arg(base, nargs, 3) == v::NIL {
            table::length(tb) as i32
        } else {
            check_int(t, base, nargs, 4)?
        };
        Ok((tb, sep, i, j))
    })();
    let (tb, sep, i, j) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    let mut out = crate::lib_base::OutBuf::new();
    let mut k = i as i64;
    while k <= j as i64 {
        let x = geti(tb, k);
        let mut nb = Buf::<64>::new();
        let Some(bytes) = crate::value::as_text(x, &mut nb) else {
            let mut b = ops::MsgBuf::new();
            b.extend(b"invalid value (");
            b.extend(crate::value::type_name(x).as_bytes());
            b.extend(b") at index ");
            let mut ib = Buf::<64>::new();
            crate::number::write_integer(k, &mut ib);
            b.extend(ib.as_bytes());
            b.extend(b" in table for 'concat'");
            return raise_here(t, b.as_bytes());
        };
        out.extend(bytes);
        if k < j as i64 {
            out.extend(sep);
        }
        k += 1;
    }
    if out.oom {
        return raise_oom(t);
    }
    match string::new_value(out.bytes()) {
        Some(s) => ret1(base, s),
        None => raise_oom(t),
    }
}

/// `table.insert(t, [pos,] value)`.
pub extern "C" fn lrt_table_insert(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(st) => return st,
    };
    let mut i = table::length(tb) as i64 + 1;
    match nargs {
        2 => {}
        3 => {
            let n = match check_int(t, base, nargs, 2) {
                Ok(n) => n as i64,
                Err(st) => return st,
            };
            while i > n {
                let x = geti(tb, i - 1);
                if let Err(st) = seti(t, tb, i, x) {
                    return st;
                }
                i -= 1;
            }
            i = n;
        }
        _ => return raise_here(t, b"wrong number of arguments to 'insert'"),
    }
    match seti(t, tb, i, rd64(base + 8 * (nargs as u32 - 1))) {
        Ok(()) => 0,
        Err(st) => st,
    }
}

/// `table.remove(t [, pos])`: nothing when `pos` is outside `1..=#t`.
pub extern "C" fn lrt_table_remove(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(st) => return st,
    };
    let e = table::length(tb) as i64;
    let pos = match opt_int(t, base, nargs, 2, e as i32) {
        Ok(p) => p as i64,
        Err(st) => return st,
    };
    if !(1 <= pos && pos <= e) {
        return 0;
    }
    let old = geti(tb, pos);
    for i in pos..e {
        let x = geti(tb, i + 1);
        if let Err(st) = seti(t, tb, i, x) {
            return st;
        }
    }
    match seti(t, tb, e, v::NIL) {
        Ok(()) => ret1(base, old),
        Err(st) => st,
    }
}

/// `table.maxn(t)`: the largest positive number key.
pub extern "C" fn lrt_table_maxn(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(st) => return st,
    };
    let mut max = 0.0f64;
    let mut k = v::NIL;
    while let Ok(Some((nk, _))) = table::next(tb, k) {
        if v::is_number(nk) {
            let x = f64::from_bits(nk);
            if x > max {
                max = x;
            }
        }
        k = nk;
    }
    ret1(base, max.to_bits())
}

/// `table.getn(t)`: `#t` without metamethods.
pub extern "C" fn lrt_table_getn(t: u32, base: u32, nargs: i32) -> i32 {
    match check_table(t, base, nargs, 1) {
        Ok(tb) => ret1(base, (table::length(tb) as f64).to_bits()),
        Err(st) => st,
    }
}

/// `table.move(a1, f, e, t [, a2])` (LuaJIT 2.1's 5.3 extension).
pub extern "C" fn lrt_table_move(t: u32, base: u32, nargs: i32) -> i32 {
    let r = (|| {
        let a1 = check_table(t, base, nargs, 1)?;
        let f = check_int(t, base, nargs, 2)? as i64;
        let e = check_int(t, base, nargs, 3)? as i64;
        let d = check_int(t, base, nargs, 4)? as i64;
        let a2 = if arg(base, nargs, 4) == v::NIL {
            a1
        } else {
            check_table(t, base, nargs, 5)?
        };
        Ok((a1, f, e, d, a2))
    })();
    let (a1, f, e, d, a2) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    if e >= f {
        let forward = d > e || d <= f || a1 != a2;
        for k in 0..=e - f {
            let i = if forward { k } else { e - f - k };
            let x = geti(a1, f + i);
            if let Err(st) = seti(t, a2, d + i, x) {
                return st;
            }
        }
    }
    ret1(base, boxed(v::TAG_TABLE, a2))
}

/// `table.new(narray, nhash)` (`require "table.new"`).
pub extern "C" fn lrt_table_new(t: u32, base: u32, nargs: i32) -> i32 {
    let r = (|| Ok((check_int(t, base, nargs, 1)?, check_int(t, base, nargs, 2)?)))();
    let (a, h) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    // Sizes as LuaJIT clamps them (an absurd request is not an error).
    let a = a.clamp(0, 1 << 20) as u32;
    let h = h.clamp(0, 1 << 20) as u32;
    match table::new(a, h) {
        Some(tb) => ret1(base, boxed(v::TAG_TABLE, tb)),
        None => raise_oom(t),
    }
}

/// `table.clear(t)` (`require "table.clear"`): every entry gone, parts kept.
pub extern "C" fn lrt_table_clear(t: u32, base: u32, nargs: i32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(st) => return st,
    };
    table::clear(tb);
    0
}

// ---- sort ---------------------------------------------------------------

// State slots of the sort driver.
const S_L: u32 = driven::STATE;
const S_U: u32 = driven::STATE + 1;
const S_I: u32 = driven::STATE + 2;
const S_J: u32 = driven::STATE + 3;
const S_PHASE: u32 = driven::STATE + 4;
/// The pivot value.
const S_P: u32 = driven::STATE + 5;
/// Pending ranges (`l`, `u` pairs) in a table, and their count.
const S_STACK: u32 = driven::STATE + 6;
const S_DEPTH: u32 = driven::STATE + 7;

const START: u32 = 0;
const AFTER_UL: u32 = 1;
const AFTER_IL: u32 = 2;
const AFTER_UI: u32 = 3;
const PIVOT: u32 = 4;
const SCAN_I: u32 = 5;
const AFTER_I: u32 = 6;
const SCAN_J: u32 = 7;
const AFTER_J: u32 = 8;
const CROSSED: u32 = 9;

struct Sort {
    t: u32,
    frame: u32,
    tb: u32,
    comp: u64,
}

enum Cmp {
    Is(bool),
    /// A request was written; return this status.
    Call(i32),
}

impl Sort {
    fn num(&self, s: u32) -> i64 {
        num_slot(self.frame, s).unwrap_or(0.0) as i64
    }
    fn set(&self, s: u32, x: i64) {
        set_num(self.frame, s, x as f64);
    }
    fn get(&self, i: i64) -> u64 {
        geti(self.tb, i)
    }
    fn swap(&self, a: i64, b: i64) -> Result<(), i32> {
        let (x, y) = (self.get(a), self.get(b));
        seti(self.t, self.tb, a, y)?;
        seti(self.t, self.tb, b, x)
    }

    /// `a < b` under the comparator or `<`; a Lua call is a request.
    fn less(&self, a: u64, b: u64) -> Result<Cmp, i32> {
        if self.comp != v::NIL {
            return Ok(Cmp::Call(request(self.frame, self.comp, &[a, b])));
        }
        // `<` asks for `__lt` itself (never the negated form `<=` uses).
        let scratch = slot(self.frame, driven::SCRATCH);
        match ops::lrt_compare(self.t, crate::abi::op::LT, a, b, u32::MAX, scratch) {
            0 => Ok(Cmp::Is(false)),
            1 => Ok(Cmp::Is(true)),
            ops::CMP_REQUEST => Ok(Cmp::Call(driven::REQUEST + 2)),
            st => Err(st),
        }
    }

    fn invalid_order(&self) -> i32 {
        raise_here(self.t, b"invalid order function for sorting")
    }

    /// Runs the machine until it needs a call or is done.
    fn run(&self, mut phase: u32, mut answer: bool) -> i32 {
        let (mut l, mut u) = (self.num(S_L), self.num(S_U));
        let (mut i, mut j) = (self.num(S_I), self.num(S_J));
        macro_rules! compare {
            ($a:expr, $b:expr, $next:expr) => {{
                match self.less($a, $b) {
                    Ok(Cmp::Is(r)) => {
                        answer = r;
                        phase = $next;
                    }
                    Ok(Cmp::Call(st)) => {
                        self.set(S_L, l);
                        self.set(S_U, u);
                        self.set(S_I, i);
                        self.set(S_J, j);
                        self.set(S_PHASE, $next as i64);
                        return st;
                    }
                    Err(st) => return st,
                }
                continue;
            }};
        }
        macro_rules! tryr {
            ($e:expr) => {
                if let Err(st) = $e {
                    return st;
                }
            };
        }
        loop {
            match phase {
                START => {
                    if l >= u {
                        // The range is done: the next pending one, or the end.
                        let depth = self.num(S_DEPTH);
                        if depth == 0 {
                            return 0;
                        }
                        let stack = payload(rd64(slot(self.frame, S_STACK)));
                        l = f64::from_bits(geti(stack, 2 * depth - 1)) as i64;
                        u = f64::from_bits(geti(stack, 2 * depth)) as i64;
                        self.set(S_DEPTH, depth - 1);
                        continue;
                    }
                    compare!(self.get(u), self.get(l), AFTER_UL)
                }
                AFTER_UL => {
                    if answer {
                        tryr!(self.swap(l, u));
                    }
                    if u - l == 1 {
                        l = u;
                        phase = START;
                        continue;
                    }
                    i = (l + u) / 2;
                    compare!(self.get(i), self.get(l), AFTER_IL)
                }
                AFTER_IL => {
                    if answer {
                        tryr!(self.swap(i, l));
                        phase = PIVOT;
                        continue;
                    }
                    compare!(self.get(u), self.get(i), AFTER_UI)
                }
                AFTER_UI => {
                    if answer {
                        tryr!(self.swap(i, u));
                    }
                    phase = PIVOT;
                }
                PIVOT => {
                    if u - l == 2 {
                        l = u;
                        phase = START;
                        continue;
                    }
                    let p = self.get(i);
                    wr64(slot(self.frame, S_P), p);
                    tryr!(self.swap(i, u - 1));
                    i = l;
                    j = u - 1;
                    phase = SCAN_I;
                }
                SCAN_I => {
                    i += 1;
                    compare!(self.get(i), rd64(slot(self.frame, S_P)), AFTER_I)
                }
                AFTER_I => {
                    if answer {
                        if i > u {
                            return self.invalid_order();
                        }
                        phase = SCAN_I;
                    } else {
                        phase = SCAN_J;
                    }
                }
                SCAN_J => {
                    j -= 1;
                    compare!(rd64(slot(self.frame, S_P)), self.get(j), AFTER_J)
                }
                AFTER_J => {
                    if answer {
                        if j < l {
                            return self.invalid_order();
                        }
                        phase = SCAN_J;
                    } else {
                        phase = CROSSED;
                    }
                }
                _ => {
                    // CROSSED
                    if j >= i {
                        tryr!(self.swap(i, j));
                        phase = SCAN_I;
                        continue;
                    }
                    tryr!(self.swap(u - 1, i));
                    // The smaller part first; the larger one waits.
                    let (sl, su);
                    if i - l < u - i {
                        sl = l;
                        su = i - 1;
                        l = i + 1;
                    } else {
                        sl = i + 1;
                        su = u;
                        u = i - 1;
                    }
                    let depth = self.num(S_DEPTH) + 1;
                    let stack = payload(rd64(slot(self.frame, S_STACK)));
                    tryr!(seti(self.t, stack, 2 * depth - 1, key(l)));
                    tryr!(seti(self.t, stack, 2 * depth, key(u)));
                    self.set(S_DEPTH, depth);
                    l = sl;
                    u = su;
                    phase = START;
                }
            }
        }
    }
}

/// `table.sort(t [, comp])`, one step.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_sort_step(t: u32, base: u32, nargs: i32, frame: u32) -> i32 {
    let tb = match check_table(t, base, nargs, 1) {
        Ok(tb) => tb,
        Err(st) => return st,
    };
    let comp = arg(base, nargs, 1);
    if comp != v::NIL && tag(comp) != v::TAG_FUNCTION {
        return type_error(t, base, nargs, 2, "function");
    }
    let s = Sort { t, frame, tb, comp };
    if rd64(slot(frame, S_PHASE)) == v::NIL {
        let Some(stack) = table::new(8, 0) else {
            return raise_oom(t);
        };
        wr64(slot(frame, S_STACK), boxed(v::TAG_TABLE, stack));
        s.set(S_DEPTH, 0);
        s.set(S_L, 1);
        s.set(S_U, table::length(tb) as i64);
        s.set(S_I, 0);
        s.set(S_J, 0);
        return s.run(START, false);
    }
    let r = rd64(slot(frame, driven::RESULT));
    s.run(s.num(S_PHASE) as u32, !v::is_falsy(r))
}

/// Fills the `table` table (`sort` is a generated driver, registered by the
/// module at start-up).
pub fn open(lib: u32) -> bool {
    let fns: [(&str, Builtin); 6] = [
        ("concat", lrt_table_concat),
        ("insert", lrt_table_insert),
        ("remove", lrt_table_remove),
        ("maxn", lrt_table_maxn),
        ("getn", lrt_table_getn),
        ("move", lrt_table_move),
    ];
    fns.into_iter().all(|(name, f)| register(lib, name, f))
}
