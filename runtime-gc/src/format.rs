//! `string.format`'s conversions, printing what LuaJIT 2.1 prints.
//!
//! A specification is `%[flags][width][.precision]conversion` with flags
//! from `-+ #0`, at most two digits of width and of precision (LuaJIT's
//! limit: `%100d` is an invalid option). Integers (`%d %i` signed, `%o %u
//! %x %X` unsigned) are the number converted to 64 bits as LuaJIT does and
//! laid out as C's printf; floats (`%e %E %f %F %g %G %a %A`) take their
//! digits from `core::fmt`'s exact formatting (correctly rounded, ties to
//! even on the binary value, as glibc), laid out as printf. Infinities and
//! NaNs print as `inf`/`nan` (upper case for upper-case conversions), NaN
//! never with a sign, both padded with spaces only.

use core::fmt::Write;

pub const F_LEFT: u8 = 1;
pub const F_PLUS: u8 = 2;
pub const F_SPACE: u8 = 4;
pub const F_ALT: u8 = 8;
pub const F_ZERO: u8 = 16;

pub struct Spec {
    pub flags: u8,
    pub width: usize,
    pub prec: Option<usize>,
    pub conv: u8,
    /// Bytes of the format string the specification takes.
    pub len: usize,
}

/// Parses the specification at the start of `f` (which starts with `%`).
/// On error, how many bytes LuaJIT quotes in `invalid option '…'`.
pub fn parse(f: &[u8]) -> Result<Spec, usize> {
    let at = |i: usize| f.get(i).copied().unwrap_or(0);
    let mut i = 1;
    let mut flags = 0;
    loop {
        flags |= match at(i) {
            b'-' => F_LEFT,
            b'+' => F_PLUS,
            b' ' => F_SPACE,
            b'#' => F_ALT,
            b'0' => F_ZERO,
            _ => break,
        };
        i += 1;
    }
    // At most two digits, as LuaJIT reads width and precision.
    let number = |i: &mut usize| {
        let mut n = 0;
        for _ in 0..2 {
            if at(*i).is_ascii_digit() {
                n = n * 10 + (at(*i) - b'0') as usize;
                *i += 1;
            }
        }
        n
    };
    let width = number(&mut i);
    let mut prec = None;
    if at(i) == b'.' {
        i += 1;
        prec = Some(number(&mut i));
    }
    let conv = at(i);
    if matches!(
        conv,
        b'd' | b'i'
            | b'o'
            | b'u'
            | b'x'
            | b'X'
            | b'c'
            | b's'
            | b'q'
            | b'e'
            | b'E'
            | b'f'
            | b'F'
            | b'g'
            | b'G'
            | b'a'
            | b'A'
    ) {
        return Ok(Spec {
            flags,
            width,
            prec,
            conv,
            len: i + 1,
        });
    }
    // LuaJIT quotes up to and including the offending byte if printable.
    Err(if conv >= 32 && i < f.len() {
        i + 1
    } else {
        i.min(f.len())
    })
}

/// The conversions most format strings are made of, done without parsing a whole
/// specification: `%d`/`%i` of a number, `%s` of a string and `%.Nf` (one digit of
/// precision, no flags or width) of a non-negative number whose value at N places is
/// exact. `spec` is the format from its `%`; `x` the argument. Returns the
/// specification's length and whether the sink took the bytes, or `None` (nothing
/// written) for everything else, which the general path handles.
#[inline]
pub fn simple<S: Sink>(sink: &mut S, spec: &[u8], x: u64) -> Option<(usize, bool)> {
    let (op, places, len) = crate::abi::format_plan::conversion(spec)?;
    Some((len, conv(sink, op, places, x)?))
}

/// One of [`simple`]'s conversions, named as a format plan names it
/// (`abi::format_plan`: `INTEGER`, `STRING`, or `FIXED` with `places`), of `x`:
/// whether the sink took the bytes, or `None` (nothing written) when `x` is not of
/// the conversion's plain form. `simple` and `lrt_format_plan` both convert here.
#[inline]
pub fn conv<S: Sink>(sink: &mut S, op: u8, places: u8, x: u64) -> Option<bool> {
    use crate::abi::format_plan::{FIXED, INTEGER, STRING};
    use crate::abi::value::{self as v, is_number, payload, tag};
    match op {
        INTEGER if is_number(x) => Some(plain_integer(sink, f64::from_bits(x))),
        STRING if tag(x) == v::TAG_STRING => Some(sink.put(crate::string::as_bytes(payload(x)))),
        FIXED if is_number(x) => {
            let n = f64::from_bits(x);
            if !n.is_finite() || n.is_sign_negative() {
                return None;
            }
            let mut body = Digits::new();
            if !exact_fixed(&mut body, n, places as usize) {
                return None;
            }
            Some(sink.put(body.as_bytes()))
        }
        _ => None,
    }
}

/// Plain `%d` of `n`, without `core::fmt`; whether the sink took it.
fn plain_integer<S: Sink>(sink: &mut S, n: f64) -> bool {
    sink.put(crate::number::integer_digits(signed_of(n)).as_bytes())
}

/// Where formatted bytes go.
pub trait Sink {
    /// `false` when out of memory.
    fn put(&mut self, bytes: &[u8]) -> bool;
}

pub struct Out<'a, S: Sink> {
    sink: &'a mut S,
    ok: bool,
}

/// One conversion's text: precision and width are below 100, and the
/// longest `%f` of a double is 309 + 99 digits.
type Digits = crate::number::Buf<512>;

impl<'a, S: Sink> Out<'a, S> {
    pub fn new(sink: &'a mut S) -> Self {
        Out { sink, ok: true }
    }

    pub fn failed(&self) -> bool {
        !self.ok
    }

    fn put(&mut self, b: &[u8]) {
        self.ok &= self.sink.put(b);
    }

    fn pad(&mut self, c: u8, n: usize) {
        if n == 0 {
            // Before the chunk is made: filling it is a call into the engine.
            return;
        }
        let chunk = [c; 16];
        let mut n = n;
        while n > 0 {
            let k = n.min(16);
            self.put(&chunk[..k]);
            n -= k;
        }
    }

    /// `prefix` (sign, `0x`), zeros, `body`, within `width` as printf lays
    /// them out; `zero_ok` is false where the `0` flag does not apply.
    fn field(&mut self, spec: &Spec, prefix: &[u8], body: &[u8], zero_ok: bool) {
        let len = prefix.len() + body.len();
        let fill = spec.width.saturating_sub(len);
        let left = spec.flags & F_LEFT != 0;
        let zero = zero_ok && !left && spec.flags & F_ZERO != 0;
        if !left && !zero {
            self.pad(b' ', fill);
        }
        self.put(prefix);
        if zero {
            self.pad(b'0', fill);
        }
        self.put(body);
        if left {
            self.pad(b' ', fill);
        }
    }

    pub fn string(&mut self, spec: &Spec, s: &[u8]) {
        let s = match spec.prec {
            Some(p) if p < s.len() => &s[..p],
            _ => s,
        };
        self.field(spec, b"", s, false);
    }

    pub fn char(&mut self, spec: &Spec, c: u8) {
        self.field(spec, b"", &[c], false);
    }

    /// `%q`: LuaJIT's quoting (control bytes as decimal escapes, padded to
    /// three digits only when a digit follows).
    pub fn quoted(&mut self, s: &[u8]) {
        self.put(b"\"");
        for (i, &c) in s.iter().enumerate() {
            match c {
                b'"' | b'\\' | b'\n' => self.put(&[b'\\', c]),
                0..=31 | 127 => {
                    let next_digit = s.get(i + 1).is_some_and(|d| d.is_ascii_digit());
                    let mut d = Digits::new();
                    if next_digit {
                        let _ = write!(d, "\\{c:03}");
                    } else {
                        let _ = write!(d, "\\{c}");
                    }
                    self.put(d.as_bytes());
                }
                _ => self.put(&[c]),
            }
        }
        self.put(b"\"");
    }

    pub fn number(&mut self, spec: &Spec, n: f64) {
        match spec.conv {
            // Plain `%d`, the common case, without core::fmt.
            b'd' | b'i' if spec.flags == 0 && spec.width == 0 && spec.prec.is_none() => {
                self.ok &= plain_integer(self.sink, n);
            }
            b'd' | b'i' => self.integer(spec, signed_of(n) as u64, true),
            b'o' | b'u' | b'x' | b'X' => self.integer(spec, unsigned_of(n), false),
            _ => self.float(spec, n),
        }
    }

    fn integer(&mut self, spec: &Spec, k: u64, signed: bool) {
        let mut prefix = Digits::new();
        let mut mag = k;
        if signed {
            if (k as i64) < 0 {
                mag = (k as i64).unsigned_abs();
                let _ = prefix.write_str("-");
            } else if spec.flags & F_PLUS != 0 {
                let _ = prefix.write_str("+");
            } else if spec.flags & F_SPACE != 0 {
                let _ = prefix.write_str(" ");
            }
        }
        let mut digits = Digits::new();
        let alt = spec.flags & F_ALT != 0;
        if mag == 0 {
            if spec.prec != Some(0) || (spec.conv == b'o' && alt) {
                let _ = digits.write_str("0");
            }
        } else {
            let _ = match spec.conv {
                b'x' => write!(digits, "{mag:x}"),
                b'X' => write!(digits, "{mag:X}"),
                b'o' => {
                    if alt {
                        let _ = digits.write_str("0");
                    }
                    write!(digits, "{mag:o}")
                }
                _ => write!(digits, "{mag}"),
            };
            if alt && (spec.conv == b'x' || spec.conv == b'X') {
                let _ = prefix.write_str(if spec.conv == b'x' { "0x" } else { "0X" });
            }
        }
        let mut body = Digits::new();
        if let Some(p) = spec.prec {
            for _ in digits.len..p {
                body.push(b'0');
            }
        }
        body.extend(digits.as_bytes());
        self.field(
            spec,
            prefix.as_bytes(),
            body.as_bytes(),
            spec.prec.is_none(),
        );
    }

    fn float(&mut self, spec: &Spec, n: f64) {
        let upper = spec.conv.is_ascii_uppercase();
        let mut prefix = Digits::new();
        if !n.is_finite() {
            let word: &[u8] = match (n.is_nan(), upper) {
                (true, false) => b"nan",
                (true, true) => b"NAN",
                (false, false) => b"inf",
                (false, true) => b"INF",
            };
            if n.is_nan() {
                if spec.flags & F_SPACE != 0 {
                    let _ = prefix.write_str(" ");
                }
            } else {
                sign_prefix(&mut prefix, spec, n);
            }
            self.field(spec, prefix.as_bytes(), word, false);
            return;
        }
        sign_prefix(&mut prefix, spec, n);
        let x = n.abs();
        let alt = spec.flags & F_ALT != 0;
        let mut body = Digits::new();
        match spec.conv.to_ascii_lowercase() {
            b'e' => exp_form(&mut body, x, spec.prec.unwrap_or(6), alt, upper),
            b'f' => {
                let p = spec.prec.unwrap_or(6);
                if !exact_fixed(&mut body, x, p) {
                    let _ = write!(body, "{x:.p$}");
                }
                if alt && p == 0 {
                    let _ = body.write_str(".");
                }
            }
            b'g' => {
                let p = match spec.prec {
                    None => 6,
                    Some(0) => 1,
                    Some(p) => p,
                };
                let mut e = Digits::new();
                let _ = write!(e, "{:.*e}", p - 1, x);
                let exp = exponent_of(e.as_bytes());
                if (exp as i64) < p as i64 && exp >= -4 {
                    let digits = (p as i32 - 1 - exp) as usize;
                    let _ = write!(body, "{x:.digits$}");
                    if alt && digits == 0 {
                        let _ = body.write_str(".");
                    }
                } else {
                    exp_form(&mut body, x, p - 1, alt, upper);
                }
                if !alt {
                    body = strip_zeros(&body);
                }
            }
            _ => {
                let _ = prefix.write_str(if upper { "0X" } else { "0x" });
                hex_form(&mut body, x, spec.prec, alt, upper);
            }
        }
        self.field(spec, prefix.as_bytes(), body.as_bytes(), true);
    }
}

/// `%.pf` of a finite `x >= 0` whose value times `10^p` is an integer (prices such as
/// 53.75 at two places): the digits are that integer's, with no rounding to do. core's
/// formatter sends exactly representable results to its slow bignum path. False (and
/// nothing written) for any other `x`.
fn exact_fixed(body: &mut Digits, x: f64, p: usize) -> bool {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    if biased == 0 || biased == 0x7ff || p > 17 {
        return false;
    }
    let m = (bits & ((1 << 52) - 1)) | (1 << 52);
    // x = m * 2^e, so x * 10^p = m * 5^p * 2^(e + p).
    let shift = biased - 1075 + p as i32;
    // p <= 17: 5^p < 2^40.
    let five = 5u64.pow(p as u32);
    let (base, shift) = if shift >= 0 {
        if shift > 30 {
            return false;
        }
        (m, shift as u32)
    } else {
        let s = -shift;
        if s > 63 || (m.trailing_zeros() as i32) < s {
            return false;
        }
        (m >> s, 0)
    };
    let mut wide = crate::number::Buf::<64>::new();
    let small;
    // Prices and the like stay within 63 bits (no 128-bit multiply).
    let d = match base
        .checked_mul(five)
        .filter(|n| n.leading_zeros() > shift)
        .map(|n| n << shift)
    {
        Some(n) => {
            small = crate::number::integer_digits(n as i64);
            small.as_bytes()
        }
        // Up to 2^123: core's u128 formatting.
        None => {
            let _ = write!(wide, "{}", (base as u128 * five as u128) << shift);
            wide.as_bytes()
        }
    };
    let (int, frac) = if d.len() > p {
        d.split_at(d.len() - p)
    } else {
        (&b"0"[..], d)
    };
    body.extend(int);
    if p > 0 {
        body.push(b'.');
        for _ in frac.len()..p {
            body.push(b'0');
        }
        body.extend(frac);
    }
    true
}

fn sign_prefix(prefix: &mut Digits, spec: &Spec, n: f64) {
    if n.is_sign_negative() {
        let _ = prefix.write_str("-");
    } else if spec.flags & F_PLUS != 0 {
        let _ = prefix.write_str("+");
    } else if spec.flags & F_SPACE != 0 {
        let _ = prefix.write_str(" ");
    }
}

/// The exponent of `core::fmt`'s `1.23e-5` form.
fn exponent_of(e: &[u8]) -> i32 {
    let at = e.iter().position(|&c| c == b'e').unwrap_or(e.len());
    let mut v: i32 = 0;
    let mut neg = false;
    for &c in &e[at + 1..] {
        if c == b'-' {
            neg = true;
        } else {
            v = v * 10 + (c - b'0') as i32;
        }
    }
    if neg { -v } else { v }
}

/// `d.ddde±XX` with `p` digits after the point.
fn exp_form(out: &mut Digits, x: f64, p: usize, alt: bool, upper: bool) {
    let mut e = Digits::new();
    let _ = write!(e, "{x:.p$e}");
    let b = e.as_bytes();
    let at = b.iter().position(|&c| c == b'e').unwrap_or(b.len());
    out.extend(&b[..at]);
    if alt && p == 0 {
        let _ = out.write_str(".");
    }
    let exp = exponent_of(b);
    write_exponent(out, if upper { 'E' } else { 'e' }, exp, 2);
}

/// `%g` without `#`: no trailing zeros after a point, no bare point.
fn strip_zeros(body: &Digits) -> Digits {
    let b = body.as_bytes();
    let epos = b
        .iter()
        .position(|&c| c == b'e' || c == b'E')
        .unwrap_or(b.len());
    let mut end = epos;
    if b[..epos].contains(&b'.') {
        while b[end - 1] == b'0' {
            end -= 1;
        }
        if b[end - 1] == b'.' {
            end -= 1;
        }
    }
    let mut out = Digits::new();
    out.extend(&b[..end]);
    out.extend(&b[epos..]);
    out
}

/// An exponent: `letter`, its sign, at least `digits` digits.
fn write_exponent(out: &mut Digits, letter: char, exp: i32, digits: usize) {
    let sign = if exp < 0 { '-' } else { '+' };
    let _ = write!(out, "{letter}{sign}{:0digits$}", exp.unsigned_abs());
}

/// `%a` of `x ≥ 0` after the `0x`: `h.hhhp±d`, as LuaJIT prints it
/// (subnormals normalised, a shortened fraction rounded half up).
fn hex_form(out: &mut Digits, x: f64, prec: Option<usize>, alt: bool, upper: bool) {
    let bits = x.to_bits();
    let raw_exp = ((bits >> 52) & 0x7ff) as i32;
    let mut mant = bits & ((1u64 << 52) - 1);
    // Subnormals are normalised (LuaJIT prints 5e-324 as 0x1p-1074).
    let (mut lead, exp) = if raw_exp == 0 {
        if mant == 0 {
            (0u64, 0)
        } else {
            let mut e = -1022;
            while mant & (1u64 << 52) == 0 {
                mant <<= 1;
                e -= 1;
            }
            mant &= (1u64 << 52) - 1;
            (1u64, e)
        }
    } else {
        (1u64, raw_exp - 1023)
    };
    let mut ndig = 13usize;
    if let Some(p) = prec
        && p < 13
    {
        // Round lead digit and fraction to p hex digits, ties up (LuaJIT's
        // rule here, unlike glibc's ties to even).
        let full = (lead << 52) | mant;
        let drop = (13 - p) * 4;
        let mut kept = full >> drop;
        let rest = full & ((1u64 << drop) - 1);
        if rest >= 1u64 << (drop - 1) {
            kept += 1;
        }
        lead = kept >> (p * 4);
        mant = (kept & ((1u64 << (p * 4)) - 1)) << drop;
        ndig = p;
    }
    let digits: &[u8] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let _ = write!(out, "{lead}");
    let mut frac = [0u8; 13];
    for (i, f) in frac.iter_mut().enumerate() {
        *f = digits[((mant >> (48 - 4 * i)) & 15) as usize];
    }
    let shown = match prec {
        Some(p) => p,
        None => {
            let mut n = 13;
            while n > 0 && frac[n - 1] == b'0' {
                n -= 1;
            }
            n
        }
    };
    if shown > 0 || alt {
        let _ = out.write_str(".");
    }
    for i in 0..shown {
        let c = if i < ndig.min(13) { frac[i] } else { b'0' };
        let _ = out.write_char(c as char);
    }
    write_exponent(out, if upper { 'P' } else { 'p' }, exp, 1);
}

/// `(int64_t)n` as x86's `cvttsd2si` computes it.
pub fn signed_of(n: f64) -> i64 {
    if n >= -9.223_372_036_854_775_808e18 && n < 9.223_372_036_854_775_808e18 {
        n as i64
    } else {
        i64::MIN
    }
}

/// LuaJIT's number-to-uint64 for `%o %u %x %X`: numbers from 2^63 on wrap
/// through `n - 2^64`.
pub fn unsigned_of(n: f64) -> u64 {
    if n >= 9.223_372_036_854_775_808e18 {
        signed_of(n - 18_446_744_073_709_551_616.0) as u64
    } else {
        signed_of(n) as u64
    }
}
