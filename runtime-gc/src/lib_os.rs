//! The `os` library inside the sandbox: `time`, `clock`, `date`,
//! `difftime`, `getenv`.
//!
//! Clocks come from the host (`moonshift.now`, `moonshift.clock`), so a
//! harness can give both arms the same time. There is no time-zone database
//! in the module: local time is UTC (the reference arm runs with `TZ=UTC`),
//! and `os.date` lays out `strftime`'s conversions as glibc does in the C
//! locale. `getenv` finds nothing: the sandbox has no environment.

use crate::abi::value::{self as v, boxed, payload, tag};
use crate::lib_base::{
    Builtin, arg, check_number, opt_number, opt_str, register, ret1, type_error,
};
use crate::mem::wr64;
use crate::ops::{raise_here, raise_oom};
use crate::{string, table};
use core::fmt::Write;

#[link(wasm_import_module = "moonshift")]
unsafe extern "C" {
    /// Seconds since the Unix epoch.
    #[link_name = "now"]
    fn host_now() -> f64;
    /// Processor seconds, as `clock() / CLOCKS_PER_SEC`.
    #[link_name = "clock"]
    fn host_clock() -> f64;
}

/// Days since 1970-01-01 of a proleptic Gregorian date (any month, any day:
/// out-of-range values carry over as `mktime` normalises them).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = y + (m - 1).div_euclid(12);
    let m = (m - 1).rem_euclid(12) + 1;
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The broken-down UTC time of `t` seconds since the epoch.
#[derive(Clone, Copy)]
struct Tm {
    year: i64,
    mon: i64,
    mday: i64,
    hour: i64,
    min: i64,
    sec: i64,
    /// 0 = Sunday.
    wday: i64,
    /// 0-based day of the year.
    yday: i64,
}

fn gmtime(t: i64) -> Tm {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let z = days + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    Tm {
        year: y,
        mon: m,
        mday: d,
        hour: secs / 3600,
        min: secs / 60 % 60,
        sec: secs % 60,
        wday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(y, 1, 1),
    }
}

const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// ISO 8601 week-based year and week of `tm`.
fn iso_week(tm: &Tm) -> (i64, i64) {
    let wday = (tm.wday + 6) % 7; // Monday = 0
    let mut year = tm.year;
    let mut week = (tm.yday - wday + 10) / 7;
    if week < 1 {
        year -= 1;
        let prev_len = if is_leap(year) { 366 } else { 365 };
        week = (tm.yday + prev_len - wday + 10) / 7;
    } else {
        let len = if is_leap(year) { 366 } else { 365 };
        if week == 53 && tm.yday - wday + 3 >= len {
            year += 1;
            week = 1;
        }
    }
    (year, week)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// What a conversion produces before glibc's flags and width apply.
enum Field {
    /// A number, its natural width and padding byte.
    Num(i64, usize, u8),
    Text,
}

/// One `strftime` conversion (after `%`, flags, width and an `E`/`O`
/// modifier) as glibc does it in the C locale: the text goes to `b`.
fn convert(b: &mut crate::number::Buf<64>, c: u8, tm: &Tm, t: i64, utc: bool) -> Option<Field> {
    let h12 = if tm.hour % 12 == 0 { 12 } else { tm.hour % 12 };
    let num = |n: i64, w: usize| Some(Field::Num(n, w, b'0'));
    let spaced = |n: i64| Some(Field::Num(n, 2, b' '));
    let text = |b: &mut crate::number::Buf<64>, s: &str| {
        b.extend(s.as_bytes());
        Some(Field::Text)
    };
    match c {
        b'a' => text(b, &DAYS[tm.wday as usize][..3]),
        b'A' => text(b, DAYS[tm.wday as usize]),
        b'b' | b'h' => text(b, &MONTHS[tm.mon as usize - 1][..3]),
        b'B' => text(b, MONTHS[tm.mon as usize - 1]),
        b'c' => {
            let _ = write!(
                b,
                "{} {} {:>2} {:02}:{:02}:{:02} {}",
                &DAYS[tm.wday as usize][..3],
                &MONTHS[tm.mon as usize - 1][..3],
                tm.mday,
                tm.hour,
                tm.min,
                tm.sec,
                tm.year
            );
            Some(Field::Text)
        }
        b'C' => num(tm.year.div_euclid(100), 1),
        b'd' => num(tm.mday, 2),
        b'D' | b'x' => {
            let _ = write!(
                b,
                "{:02}/{:02}/{:02}",
                tm.mon,
                tm.mday,
                tm.year.rem_euclid(100)
            );
            Some(Field::Text)
        }
        b'e' => spaced(tm.mday),
        b'F' => {
            let _ = write!(b, "{}-{:02}-{:02}", tm.year, tm.mon, tm.mday);
            Some(Field::Text)
        }
        b'g' => num(iso_week(tm).0.rem_euclid(100), 2),
        b'G' => num(iso_week(tm).0, 1),
        b'H' => num(tm.hour, 2),
        b'I' => num(h12, 2),
        b'j' => num(tm.yday + 1, 3),
        b'k' => spaced(tm.hour),
        b'l' => spaced(h12),
        b'm' => num(tm.mon, 2),
        b'M' => num(tm.min, 2),
        b'n' => text(b, "\n"),
        b'p' => text(b, if tm.hour < 12 { "AM" } else { "PM" }),
        b'P' => text(b, if tm.hour < 12 { "am" } else { "pm" }),
        b'r' => {
            let _ = write!(
                b,
                "{h12:02}:{:02}:{:02} {}",
                tm.min,
                tm.sec,
                if tm.hour < 12 { "AM" } else { "PM" }
            );
            Some(Field::Text)
        }
        b'R' => {
            let _ = write!(b, "{:02}:{:02}", tm.hour, tm.min);
            Some(Field::Text)
        }
        b's' => Some(Field::Num(t, 1, b' ')),
        b'S' => num(tm.sec, 2),
        b't' => text(b, "\t"),
        b'T' | b'X' => {
            let _ = write!(b, "{:02}:{:02}:{:02}", tm.hour, tm.min, tm.sec);
            Some(Field::Text)
        }
        b'u' => num(if tm.wday == 0 { 7 } else { tm.wday }, 1),
        b'U' => num((tm.yday + 7 - tm.wday) / 7, 2),
        b'V' => num(iso_week(tm).1, 2),
        b'w' => num(tm.wday, 1),
        b'W' => num((tm.yday + 7 - (tm.wday + 6) % 7) / 7, 2),
        b'y' => num(tm.year.rem_euclid(100), 2),
        b'Y' => num(tm.year, 1),
        b'z' => text(b, "+0000"),
        b'Z' => text(b, if utc { "GMT" } else { "UTC" }),
        b'%' => text(b, "%"),
        _ => None,
    }
}

/// `os.date`'s format through glibc's `strftime` rules: `%[flags][width]
/// [E|O]conversion`, flags `_` (pad with spaces), `-` (no padding), `0`
/// (zeros), `^` (upper case), `#` (swap case). An unknown conversion is
/// copied as written.
fn strftime(out: &mut crate::lib_base::OutBuf, fmt: &[u8], tm: &Tm, t: i64, utc: bool) {
    let mut i = 0;
    while i < fmt.len() {
        if fmt[i] != b'%' {
            let run = fmt[i..]
                .iter()
                .position(|&c| c == b'%')
                .unwrap_or(fmt.len() - i);
            out.extend(&fmt[i..i + run]);
            i += run;
            continue;
        }
        let start = i;
        i += 1;
        let mut pad = None;
        let (mut upper, mut swap) = (false, false);
        while let Some(&f) = fmt.get(i) {
            match f {
                b'_' | b'-' | b'0' => pad = Some(f),
                b'^' => upper = true,
                b'#' => swap = true,
                _ => break,
            }
            i += 1;
        }
        let mut width = None;
        while let Some(&d) = fmt.get(i).filter(|d| d.is_ascii_digit()) {
            width = Some(
                width
                    .unwrap_or(0usize)
                    .saturating_mul(10)
                    .saturating_add((d - b'0') as usize),
            );
            i += 1;
        }
        // glibc refuses `E` and `O` before some conversions (then the
        // text is copied as written).
        let modifier = fmt.get(i).copied().filter(|m| matches!(m, b'E' | b'O'));
        if modifier.is_some() {
            i += 1;
        }
        let allowed = |c: u8| match modifier {
            Some(b'E') => !b"aAbBhdegGHIjklmMSUVwWDF".contains(&c),
            Some(_) => !b"aAcxXYDF".contains(&c),
            None => true,
        };
        let mut b = crate::number::Buf::<64>::new();
        let field = fmt
            .get(i)
            .filter(|&&c| allowed(c))
            .and_then(|&c| convert(&mut b, c, tm, t, utc));
        let Some(field) = field else {
            // Not a conversion: the text as written (glibc pads it too).
            let end = (i + 1).min(fmt.len());
            let lit = &fmt[start..end];
            let fill = if pad == Some(b'0') { b"0" } else { b" " };
            for _ in lit.len()..width.unwrap_or(0) {
                out.extend(fill);
            }
            out.extend(lit);
            i = end;
            continue;
        };
        let conv = fmt[i];
        i += 1;
        match field {
            Field::Num(n, natural, natural_pad) => {
                let mut digits = crate::number::Buf::<64>::new();
                let _ = write!(digits, "{}", n.unsigned_abs());
                let neg = n < 0;
                // `-`: no padding to the natural width, spaces to a given one.
                let w = if pad == Some(b'-') {
                    width.unwrap_or(0)
                } else {
                    width.unwrap_or(0).max(natural)
                };
                let fill = match pad {
                    Some(b'-') => Some(b' '),
                    Some(b'_') => Some(b' '),
                    Some(b'0') => Some(b'0'),
                    _ => Some(natural_pad),
                };
                let len = digits.as_bytes().len() + neg as usize;
                if let Some(c) = fill {
                    if c == b'0' && neg {
                        out.extend(b"-");
                    }
                    for _ in len..w {
                        out.extend(&[c]);
                    }
                    if c != b'0' && neg {
                        out.extend(b"-");
                    }
                } else if neg {
                    out.extend(b"-");
                }
                out.extend(digits.as_bytes());
            }
            Field::Text => {
                // Case flags: `^` upper-cases; `#` upper-cases names and
                // lower-cases AM/PM and the zone; `%P` ignores both (glibc).
                let case: fn(u8) -> u8 = match conv {
                    b'P' => |c| c,
                    _ if upper => |c| c.to_ascii_uppercase(),
                    b'p' | b'Z' if swap => |c| c.to_ascii_lowercase(),
                    b'a' | b'A' | b'b' | b'B' | b'h' if swap => |c| c.to_ascii_uppercase(),
                    _ => |c| c,
                };
                let mut text = crate::number::Buf::<64>::new();
                for &c in b.as_bytes() {
                    text.push(case(c));
                }
                let fill = if pad == Some(b'0') { b'0' } else { b' ' };
                for _ in text.len..width.unwrap_or(0) {
                    out.extend(&[fill]);
                }
                out.extend(text.as_bytes());
            }
        }
    }
}

/// `os.time([t])`.
pub extern "C" fn lrt_os_time(t: u32, base: u32, nargs: i32) -> i32 {
    let x = arg(base, nargs, 0);
    if x == v::NIL {
        let now = libm::floor(unsafe { host_now() });
        return ret1(base, now.to_bits());
    }
    if tag(x) != v::TAG_TABLE {
        return type_error(t, base, nargs, 1, "table");
    }
    let tb = payload(x);
    let field = |name: &[u8], default: Option<i64>| -> Result<i64, i32> {
        let Some(k) = string::new_value(name) else {
            return Err(raise_oom(t));
        };
        match crate::value::to_number(table::get(tb, k)) {
            Some(n) => Ok(crate::format::signed_of(n) as i32 as i64),
            None => match default {
                Some(d) => Ok(d),
                None => {
                    let mut m = crate::ops::MsgBuf::new();
                    m.extend(b"field '");
                    m.extend(name);
                    m.extend(b"' missing in date table");
                    Err(raise_here(t, m.as_bytes()))
                }
            },
        }
    };
    let r = (|| {
        let sec = field(b"sec", Some(0))?;
        let min = field(b"min", Some(0))?;
        let hour = field(b"hour", Some(12))?;
        let day = field(b"day", None)?;
        let month = field(b"month", None)?;
        let year = field(b"year", None)?;
        Ok((year, month, day, hour, min, sec))
    })();
    let (year, month, day, hour, min, sec) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86400 + hour * 3600 + min * 60 + sec;
    ret1(base, (secs as f64).to_bits())
}

/// `os.clock()`.
pub extern "C" fn lrt_os_clock(_t: u32, base: u32, _nargs: i32) -> i32 {
    ret1(base, unsafe { host_clock() }.to_bits())
}

/// `os.difftime(t2 [, t1])`.
pub extern "C" fn lrt_os_difftime(t: u32, base: u32, nargs: i32) -> i32 {
    let r = (|| {
        let a = check_number(t, base, nargs, 1)?;
        let b = opt_number(t, base, nargs, 2, 0.0)?;
        // C's difftime of two time_t: each truncated to whole seconds.
        let (a, b) = (crate::format::signed_of(a), crate::format::signed_of(b));
        Ok(a as f64 - b as f64)
    })();
    match r {
        Ok(d) => ret1(base, d.to_bits()),
        Err(st) => st,
    }
}

/// `os.getenv(name)`: the sandbox has no environment.
pub extern "C" fn lrt_os_getenv(t: u32, base: u32, nargs: i32) -> i32 {
    match crate::lib_base::check_str(t, base, nargs, 1) {
        Ok(_) => ret1(base, v::NIL),
        Err(st) => st,
    }
}

/// `os.date([format [, time]])`.
pub extern "C" fn lrt_os_date(t: u32, base: u32, nargs: i32) -> i32 {
    let r = (|| {
        let fmt = opt_str(t, base, nargs, 1, b"%c")?;
        let when = match arg(base, nargs, 1) {
            v::NIL => libm::floor(unsafe { host_now() }),
            _ => check_number(t, base, nargs, 2)?,
        };
        Ok((fmt, crate::format::signed_of(when)))
    })();
    let (mut fmt, when) = match r {
        Ok(x) => x,
        Err(st) => return st,
    };
    let utc = fmt.first() == Some(&b'!');
    if utc {
        fmt = &fmt[1..];
    }
    let tm = gmtime(when);
    if fmt.starts_with(b"*t") {
        let Some(tb) = table::new(0, 9) else {
            return raise_oom(t);
        };
        let fields: [(&[u8], u64); 9] = [
            (b"year", (tm.year as f64).to_bits()),
            (b"month", (tm.mon as f64).to_bits()),
            (b"day", (tm.mday as f64).to_bits()),
            (b"hour", (tm.hour as f64).to_bits()),
            (b"min", (tm.min as f64).to_bits()),
            (b"sec", (tm.sec as f64).to_bits()),
            (b"wday", ((tm.wday + 1) as f64).to_bits()),
            (b"yday", ((tm.yday + 1) as f64).to_bits()),
            (b"isdst", v::FALSE),
        ];
        for (k, x) in fields {
            let ok = string::new_value(k).is_some_and(|k| table::set(tb, k, x).is_ok());
            if !ok {
                return raise_oom(t);
            }
        }
        return ret1(base, boxed(v::TAG_TABLE, tb));
    }
    let mut out = crate::lib_base::OutBuf::new();
    // The format ends at a NUL, as LuaJIT hands it to strftime.
    let fmt = &fmt[..fmt.iter().position(|&c| c == 0).unwrap_or(fmt.len())];
    strftime(&mut out, fmt, &tm, when, utc);
    if out.oom {
        return raise_oom(t);
    }
    match string::new_value(out.bytes()) {
        Some(s) => {
            wr64(base, s);
            1
        }
        None => raise_oom(t),
    }
}

/// Fills the `os` table.
pub fn open(lib: u32) -> bool {
    let fns: [(&str, Builtin); 5] = [
        ("time", lrt_os_time),
        ("clock", lrt_os_clock),
        ("date", lrt_os_date),
        ("difftime", lrt_os_difftime),
        ("getenv", lrt_os_getenv),
    ];
    fns.into_iter().all(|(name, f)| register(lib, name, f))
}
