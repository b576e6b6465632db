//! LuaJIT's BitOp library (`bit`): 32-bit operations on numbers.
//!
//! Arguments are numbers or strings that convert to numbers; each is
//! brought to an int32 as LuaJIT does (`lj_num2bit`): add 2^52 + 2^51 and
//! keep the low 32 bits of the double, which rounds fractions to even and
//! wraps anything outside the int32 range modulo 2^32. Results are numbers.

use crate::lib_base::{Builtin, check_number, fold_args, register, ret_numbers, ret1};
use crate::number::Buf;
use crate::string;

/// `x` as LuaJIT's bit operations see it.
pub fn tobit(x: f64) -> i32 {
    (x + 6_755_399_441_055_744.0).to_bits() as u32 as i32
}

/// Argument `n` (from 1) as an int32, or the `bad argument` status.
fn check(t: u32, base: u32, nargs: i32, n: u32) -> Result<i32, i32> {
    check_number(t, base, nargs, n).map(tobit)
}

/// An int32 result (a number), or the status of an argument error.
fn ret_int(base: u32, r: Result<i32, i32>) -> i32 {
    ret_numbers(base, r.map(|x| [x as f64]))
}

/// A one-argument operation.
fn unary(t: u32, base: u32, nargs: i32, op: fn(i32) -> i32) -> i32 {
    ret_int(base, check(t, base, nargs, 1).map(op))
}

/// An operation on a value and a shift count (only its low 5 bits count).
fn shift(t: u32, base: u32, nargs: i32, op: fn(u32, u32) -> u32) -> i32 {
    let r = (|| {
        let x = check(t, base, nargs, 1)?;
        let n = check(t, base, nargs, 2)?;
        Ok(op(x as u32, n as u32 & 31) as i32)
    })();
    ret_int(base, r)
}

/// `band`/`bor`/`bxor`: at least one argument, folded left to right.
fn fold(t: u32, base: u32, nargs: i32, op: fn(i32, i32) -> i32) -> i32 {
    ret_int(base, fold_args(nargs, |n| check(t, base, nargs, n), op))
}

pub extern "C" fn lrt_bit_tobit(t: u32, base: u32, nargs: i32) -> i32 {
    unary(t, base, nargs, |x| x)
}

pub extern "C" fn lrt_bit_bnot(t: u32, base: u32, nargs: i32) -> i32 {
    unary(t, base, nargs, |x| !x)
}

pub extern "C" fn lrt_bit_bswap(t: u32, base: u32, nargs: i32) -> i32 {
    unary(t, base, nargs, i32::swap_bytes)
}

pub extern "C" fn lrt_bit_band(t: u32, base: u32, nargs: i32) -> i32 {
    fold(t, base, nargs, |a, b| a & b)
}

pub extern "C" fn lrt_bit_bor(t: u32, base: u32, nargs: i32) -> i32 {
    fold(t, base, nargs, |a, b| a | b)
}

pub extern "C" fn lrt_bit_bxor(t: u32, base: u32, nargs: i32) -> i32 {
    fold(t, base, nargs, |a, b| a ^ b)
}

pub extern "C" fn lrt_bit_lshift(t: u32, base: u32, nargs: i32) -> i32 {
    shift(t, base, nargs, |x, n| x << n)
}

pub extern "C" fn lrt_bit_rshift(t: u32, base: u32, nargs: i32) -> i32 {
    shift(t, base, nargs, |x, n| x >> n)
}

pub extern "C" fn lrt_bit_arshift(t: u32, base: u32, nargs: i32) -> i32 {
    shift(t, base, nargs, |x, n| ((x as i32) >> n) as u32)
}

pub extern "C" fn lrt_bit_rol(t: u32, base: u32, nargs: i32) -> i32 {
    shift(t, base, nargs, u32::rotate_left)
}

pub extern "C" fn lrt_bit_ror(t: u32, base: u32, nargs: i32) -> i32 {
    shift(t, base, nargs, u32::rotate_right)
}

/// `tohex(x [, n])`: the low `|n|` hex digits of `x` as an unsigned 32-bit
/// value (zero-extended past 8 digits), upper case for negative `n`; `|n|`
/// is at most 254, 8 when absent.
pub extern "C" fn lrt_bit_tohex(t: u32, base: u32, nargs: i32) -> i32 {
    let x = match check(t, base, nargs, 1) {
        Ok(x) => x as u32 as u64,
        Err(s) => return s,
    };
    let n = if nargs < 2 {
        8
    } else {
        match check(t, base, nargs, 2) {
            Ok(n) => n,
            Err(s) => return s,
        }
    };
    let digits: &[u8; 16] = if n < 0 {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let len = n.unsigned_abs().min(254) as usize;
    let mut out = Buf::<256>::new();
    for i in (0..len).rev() {
        let d = if i < 16 { (x >> (4 * i)) & 15 } else { 0 };
        out.push(digits[d as usize]);
    }
    match string::new_value(out.as_bytes()) {
        Some(s) => ret1(base, s),
        None => crate::ops::raise_oom(t),
    }
}

/// The `bit` table, also `package.loaded.bit`.
pub fn open(lib: u32) -> bool {
    let fns: [(&str, Builtin); 12] = [
        ("tobit", lrt_bit_tobit),
        ("tohex", lrt_bit_tohex),
        ("bnot", lrt_bit_bnot),
        ("band", lrt_bit_band),
        ("bor", lrt_bit_bor),
        ("bxor", lrt_bit_bxor),
        ("lshift", lrt_bit_lshift),
        ("rshift", lrt_bit_rshift),
        ("arshift", lrt_bit_arshift),
        ("rol", lrt_bit_rol),
        ("ror", lrt_bit_ror),
        ("bswap", lrt_bit_bswap),
    ];
    fns.into_iter().all(|(name, f)| register(lib, name, f))
}
