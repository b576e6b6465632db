//! The `math` library as LuaJIT 2.1 has it.
//!
//! Arguments are numbers or strings that convert to numbers. `min`/`max`
//! fold with x86's `minsd`/`maxsd` rule as LuaJIT's VM does (`x < y ? x : y`,
//! so a NaN wins only in second place); `log` with a base is
//! `log2(x) * (1 / log2(base))`; `random` is LuaJIT's Tausworthe generator
//! (TW223) with its seeding, and checks no intervals (LuaJIT 2.1 does not).
//! The transcendental functions come from `libm`.

use crate::lib_base::{Builtin, arg, check_number, fold_args, register, ret_numbers};
use crate::value::to_number;

macro_rules! unary_fns {
    ($($name:ident => $f:expr;)*) => {
        $(pub extern "C" fn $name(t: u32, base: u32, nargs: i32) -> i32 {
            ret_numbers(base, check_number(t, base, nargs, 1).map(|x| [$f(x)]))
        })*
    };
}

unary_fns! {
    lrt_math_abs => f64::abs;
    lrt_math_floor => libm::floor;
    lrt_math_ceil => libm::ceil;
    lrt_math_sqrt => libm::sqrt;
    lrt_math_exp => libm::exp;
    lrt_math_log10 => libm::log10;
    lrt_math_sin => libm::sin;
    lrt_math_cos => libm::cos;
    lrt_math_tan => libm::tan;
    lrt_math_asin => libm::asin;
    lrt_math_acos => libm::acos;
    lrt_math_atan => libm::atan;
    lrt_math_sinh => libm::sinh;
    lrt_math_cosh => libm::cosh;
    lrt_math_tanh => libm::tanh;
}

/// A two-argument function of numbers.
fn binary(t: u32, base: u32, nargs: i32, f: fn(f64, f64) -> f64) -> i32 {
    let r = (|| {
        Ok([f(
            check_number(t, base, nargs, 1)?,
            check_number(t, base, nargs, 2)?,
        )])
    })();
    ret_numbers(base, r)
}

/// `deg` and `rad` are Lua functions in LuaJIT (`x * k` in a chunk named
/// `[builtin:deg]`): a non-number fails as that arithmetic does.
fn scale(t: u32, base: u32, nargs: i32, name: &str, k: f64) -> i32 {
    let x = arg(base, nargs, 0);
    match to_number(x) {
        Some(x) => ret_numbers(base, Ok([x * k])),
        None => {
            use core::fmt::Write;
            let mut b = crate::ops::MsgBuf::new();
            let _ = write!(
                b,
                "[builtin:{name}]:0: attempt to perform arithmetic on a {} value",
                crate::value::type_name(x)
            );
            crate::ops::raise_bytes(t, b.as_bytes())
        }
    }
}

pub extern "C" fn lrt_math_deg(t: u32, base: u32, nargs: i32) -> i32 {
    scale(t, base, nargs, "deg", 180.0 / core::f64::consts::PI)
}

pub extern "C" fn lrt_math_rad(t: u32, base: u32, nargs: i32) -> i32 {
    scale(t, base, nargs, "rad", core::f64::consts::PI / 180.0)
}

pub extern "C" fn lrt_math_atan2(t: u32, base: u32, nargs: i32) -> i32 {
    binary(t, base, nargs, libm::atan2)
}

pub extern "C" fn lrt_math_pow(t: u32, base: u32, nargs: i32) -> i32 {
    binary(t, base, nargs, libm::pow)
}

pub extern "C" fn lrt_math_fmod(t: u32, base: u32, nargs: i32) -> i32 {
    binary(t, base, nargs, libm::fmod)
}

/// As x87's `fscale`, which LuaJIT's `ldexp` uses: the exponent truncated
/// toward zero; an infinite one scales by inf or 0, NaN gives NaN.
pub extern "C" fn lrt_math_ldexp(t: u32, base: u32, nargs: i32) -> i32 {
    binary(t, base, nargs, |x, e| {
        if e.is_nan() {
            f64::NAN
        } else if e == f64::INFINITY {
            x * f64::INFINITY
        } else if e == f64::NEG_INFINITY {
            x * 0.0
        } else {
            libm::ldexp(x, e as i32)
        }
    })
}

pub extern "C" fn lrt_math_log(t: u32, base: u32, nargs: i32) -> i32 {
    let r = (|| {
        let x = check_number(t, base, nargs, 1)?;
        if nargs < 2 {
            return Ok([libm::log(x)]);
        }
        let b = check_number(t, base, nargs, 2)?;
        Ok([libm::log2(x) * (1.0 / libm::log2(b))])
    })();
    ret_numbers(base, r)
}

pub extern "C" fn lrt_math_modf(t: u32, base: u32, nargs: i32) -> i32 {
    let r = check_number(t, base, nargs, 1).map(|x| {
        let int = libm::trunc(x);
        // The fraction keeps the sign of x (an infinity's is a signed 0).
        let frac = if x.is_infinite() { 0.0 } else { x - int };
        [int, libm::copysign(frac, x)]
    });
    ret_numbers(base, r)
}

pub extern "C" fn lrt_math_frexp(t: u32, base: u32, nargs: i32) -> i32 {
    let r = check_number(t, base, nargs, 1).map(|x| {
        let (m, e) = libm::frexp(x);
        [m, e as f64]
    });
    ret_numbers(base, r)
}

/// `min`/`max`: one or more arguments, folded with `pick(acc, next)`.
fn fold(t: u32, base: u32, nargs: i32, pick: fn(f64, f64) -> f64) -> i32 {
    let r = fold_args(nargs, |n| check_number(t, base, nargs, n), pick);
    ret_numbers(base, r.map(|x| [x]))
}

pub extern "C" fn lrt_math_min(t: u32, base: u32, nargs: i32) -> i32 {
    fold(t, base, nargs, |x, y| if x < y { x } else { y })
}

pub extern "C" fn lrt_math_max(t: u32, base: u32, nargs: i32) -> i32 {
    fold(t, base, nargs, |x, y| if x > y { x } else { y })
}

/// LuaJIT's generator state: four 64-bit Tausworthe components.
static mut RANDOM: [u64; 4] = [0; 4];

/// One step of TW223; a double in [1, 2).
fn random_step() -> f64 {
    // SAFETY: one guest thread.
    let u = unsafe { &mut *core::ptr::addr_of_mut!(RANDOM) };
    let mut r = 0u64;
    for (i, (k, q, s)) in [
        (63u32, 31u32, 18u32),
        (58, 19, 28),
        (55, 24, 7),
        (47, 21, 8),
    ]
    .into_iter()
    .enumerate()
    {
        let z = u[i];
        let z = (((z << q) ^ z) >> (k - s)) ^ ((z & (u64::MAX << (64 - k))) << s);
        r ^= z;
        u[i] = z;
    }
    f64::from_bits((r & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000)
}

/// LuaJIT's seeding: each component from `d = d * pi + e`, with its top
/// bits forced non-zero, then ten steps.
fn random_seed(mut d: f64) {
    let mut r: u32 = 0x1109_0601;
    for i in 0..4 {
        let m = 1u64 << (r & 255);
        r >>= 8;
        d = d * core::f64::consts::PI + core::f64::consts::E;
        let mut bits = d.to_bits();
        if bits < m {
            bits += m;
        }
        // SAFETY: one guest thread.
        unsafe { (*core::ptr::addr_of_mut!(RANDOM))[i] = bits };
    }
    for _ in 0..10 {
        random_step();
    }
}

pub extern "C" fn lrt_math_random(t: u32, base: u32, nargs: i32) -> i32 {
    let d = random_step() - 1.0;
    let r = (|| {
        if nargs < 1 {
            return Ok([d]);
        }
        let m = check_number(t, base, nargs, 1)?;
        if nargs < 2 {
            return Ok([libm::floor(d * m) + 1.0]);
        }
        let n = check_number(t, base, nargs, 2)?;
        Ok([libm::floor(d * (n - m + 1.0)) + m])
    })();
    ret_numbers(base, r)
}

/// `randomseed(x)`. Without an argument LuaJIT 2.1 seeds from a random
/// source; the sandbox has none, so the sequence simply goes on.
pub extern "C" fn lrt_math_randomseed(t: u32, base: u32, nargs: i32) -> i32 {
    if nargs < 1 {
        return 0;
    }
    match check_number(t, base, nargs, 1) {
        Ok(x) => {
            random_seed(x);
            0
        }
        Err(s) => s,
    }
}

/// Fills the `math` table.
pub fn open(lib: u32) -> bool {
    random_seed(0.0);
    let fns: [(&str, Builtin); 28] = [
        ("abs", lrt_math_abs),
        ("floor", lrt_math_floor),
        ("ceil", lrt_math_ceil),
        ("sqrt", lrt_math_sqrt),
        ("exp", lrt_math_exp),
        ("log", lrt_math_log),
        ("log10", lrt_math_log10),
        ("sin", lrt_math_sin),
        ("cos", lrt_math_cos),
        ("tan", lrt_math_tan),
        ("asin", lrt_math_asin),
        ("acos", lrt_math_acos),
        ("atan", lrt_math_atan),
        ("atan2", lrt_math_atan2),
        ("sinh", lrt_math_sinh),
        ("cosh", lrt_math_cosh),
        ("tanh", lrt_math_tanh),
        ("deg", lrt_math_deg),
        ("rad", lrt_math_rad),
        ("pow", lrt_math_pow),
        ("fmod", lrt_math_fmod),
        ("modf", lrt_math_modf),
        ("frexp", lrt_math_frexp),
        ("ldexp", lrt_math_ldexp),
        ("min", lrt_math_min),
        ("max", lrt_math_max),
        ("random", lrt_math_random),
        ("randomseed", lrt_math_randomseed),
    ];
    let constant = |name: &[u8], x: f64| {
        crate::string::new_value(name)
            .is_some_and(|k| crate::table::set(lib, k, x.to_bits()).is_ok())
    };
    fns.into_iter().all(|(name, f)| register(lib, name, f))
        && constant(b"huge", f64::INFINITY)
        && constant(b"pi", core::f64::consts::PI)
}
