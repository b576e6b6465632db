//! Numbers to text and text to numbers, as LuaJIT does them, without libc.
//!
//! `tostring(x)` is C's `"%.14g"`: 14 significant digits, correctly rounded
//! (ties to even on the exact binary value, as glibc does). The digits come
//! from `core::fmt`'s exact `{:.13e}` formatting, which is correctly rounded;
//! this module only lays them out the way `%g` does.
//!
//! Parsing follows LuaJIT's `lj_strscan` for what Lua code can observe:
//! surrounding whitespace, decimal with optional fraction and exponent, and
//! hexadecimal (`0x`, with optional fraction and `p` exponent), an optional
//! sign before either, and `inf`, `infinity` and `nan` in any case.

use core::fmt::Write;

/// A fixed buffer that `core::fmt` can write into. Bytes past `len` are
/// never initialised (zeroing buffers showed up in profiles: on wasm it is a
/// `memory.fill` call).
pub struct Buf<const N: usize> {
    bytes: core::mem::MaybeUninit<[u8; N]>,
    pub len: usize,
}

impl<const N: usize> Buf<N> {
    #[inline(always)]
    pub fn new() -> Self {
        // Not `Buf { bytes: MaybeUninit::uninit(), len: 0 }`: LLVM merges that
        // aggregate's stores into one `memory.fill` of the whole buffer.
        let mut b = core::mem::MaybeUninit::<Self>::uninit();
        // SAFETY: `len` is written; `bytes` may stay uninitialised.
        unsafe {
            core::ptr::addr_of_mut!((*b.as_mut_ptr()).len).write(0);
            b.assume_init()
        }
    }
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: the first `len` bytes have been written.
        unsafe { core::slice::from_raw_parts(self.bytes.as_ptr().cast::<u8>(), self.len) }
    }
    #[inline]
    pub fn push(&mut self, b: u8) {
        if self.len < N {
            // SAFETY: `len < N`, inside the buffer.
            unsafe { self.bytes.as_mut_ptr().cast::<u8>().add(self.len).write(b) };
            self.len += 1;
        }
    }
    /// Appends as much of `s` as fits.
    pub fn extend(&mut self, s: &[u8]) {
        let n = s.len().min(N - self.len);
        // SAFETY: `len + n <= N`, inside the buffer; `s` is not in it.
        unsafe { crate::mem::copy_to(self.bytes.as_mut_ptr().cast::<u8>().add(self.len), &s[..n]) };
        self.len += n;
    }
}

impl<const N: usize> Default for Buf<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> Write for Buf<N> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        self.extend(s.as_bytes());
        Ok(())
    }
}

/// Formats `x` as C's `%.{precision}g` would (precision ≥ 1).
pub fn format_g(x: f64, precision: usize, out: &mut Buf<64>) {
    if x.is_nan() {
        // LuaJIT prints every NaN as `nan`, whatever its sign.
        out.extend(b"nan");
        return;
    }
    if x.is_infinite() {
        out.extend(if x < 0.0 { b"-inf" } else { b"inf" });
        return;
    }
    let precision = precision.clamp(1, 17);
    // d.ddddde±X, exactly rounded to `precision` significant digits. The
    // shortest digits that read back as `x` are cheap to find (no bignums);
    // for a normal number and a precision of at most 15, when there are at
    // most `precision` of them they *are* that rounding (the exact value
    // lies within half an ulp, 2^-53 relative, of them: inside half a step
    // of the `precision`-digit grid, at least 10^-15 / 2 relative), so the
    // exact, slower formatting is needed only for the other numbers.
    let mut sci = Buf::<64>::new();
    let _ = write!(sci, "{x:e}");
    let shortest = sci
        .as_bytes()
        .iter()
        .take_while(|&&b| b != b'e')
        .filter(|b| b.is_ascii_digit())
        .count();
    if shortest > precision || precision > 15 || x.abs() < f64::MIN_POSITIVE {
        sci = Buf::<64>::new();
        let _ = write!(sci, "{:.*e}", precision - 1, x);
    }
    let s = sci.as_bytes();
    let (negative, s) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let e_pos = s.iter().position(|&b| b == b'e').unwrap_or(s.len());
    let mut digits = [0u8; 20];
    let mut nd = 0;
    for &b in &s[..e_pos] {
        if b.is_ascii_digit() && nd < digits.len() {
            digits[nd] = b;
            nd += 1;
        }
    }
    let mut exp: i32 = 0;
    let mut exp_neg = false;
    for &b in &s[(e_pos + 1).min(s.len())..] {
        match b {
            b'-' => exp_neg = true,
            b'0'..=b'9' => exp = exp * 10 + (b - b'0') as i32,
            _ => {}
        }
    }
    if exp_neg {
        exp = -exp;
    }
    if negative {
        out.push(b'-');
    }
    // Drop trailing zeros of the significand (the `#` flag is not supported here).
    let mut sig = nd;
    while sig > 1 && digits[sig - 1] == b'0' {
        sig -= 1;
    }
    if exp < -4 || exp >= precision as i32 {
        out.push(digits[0]);
        if sig > 1 {
            out.push(b'.');
            out.extend(&digits[1..sig]);
        }
        out.push(b'e');
        out.push(if exp < 0 { b'-' } else { b'+' });
        let a = exp.unsigned_abs();
        if a < 10 {
            out.push(b'0');
        }
        let mut tmp = Buf::<8>::new();
        let _ = write!(tmp, "{a}");
        out.extend(tmp.as_bytes());
    } else if exp >= 0 {
        let int_len = exp as usize + 1;
        for i in 0..int_len {
            out.push(if i < sig { digits[i] } else { b'0' });
        }
        if sig > int_len {
            out.push(b'.');
            out.extend(&digits[int_len..sig]);
        }
    } else {
        out.extend(b"0.");
        for _ in 0..(-exp - 1) {
            out.push(b'0');
        }
        out.extend(&digits[..sig]);
    }
}

/// `tostring` of a number: `%.14g`.
pub fn to_lua_string(x: f64, out: &mut Buf<64>) {
    // Integers below 10^14 print all their digits under %.14g.
    let i = x as i64;
    if i as f64 == x && i.unsigned_abs() < 100_000_000_000_000 && (i != 0 || x.is_sign_positive()) {
        write_integer(i, out);
        return;
    }
    format_g(x, 14, out);
}

/// Decimal digits of `i`, with a leading `-` when negative.
pub fn write_integer(i: i64, out: &mut Buf<64>) {
    out.extend(integer_digits(i).as_bytes());
}

/// The decimal digits of an integer (and its `-`), made where they are kept: a caller
/// puts them where they go with one copy.
pub struct IntegerDigits {
    bytes: core::mem::MaybeUninit<[u8; 20]>,
    at: usize,
}

impl IntegerDigits {
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: `at..20` has been written.
        unsafe { core::slice::from_raw_parts(self.bytes.as_ptr().cast::<u8>().add(self.at), 20 - self.at) }
    }
}

/// Decimal digits of `i`, with a leading `-` when negative.
#[inline]
pub fn integer_digits(i: i64) -> IntegerDigits {
    // Digits are made from the end, in 32-bit arithmetic: on wasm32 a 64-bit
    // division by a constant becomes a call to a 128-bit multiply, and a
    // zeroed array a call to `memory.fill`. 19 digits and a sign fit in 20 bytes.
    let mut out = IntegerDigits {
        bytes: core::mem::MaybeUninit::uninit(),
        at: 20,
    };
    let d = out.bytes.as_mut_ptr().cast::<u8>();
    let mut at = 20;
    let mut put = |x: u32, min: usize| {
        let (mut x, mut n) = (x, 0);
        while x != 0 || n < min {
            at -= 1;
            // SAFETY: at most 20 bytes in all, `at` stays in the array.
            unsafe { d.add(at).write(b'0' + (x % 10) as u8) };
            x /= 10;
            n += 1;
        }
    };
    let mut v = i.unsigned_abs();
    while v > u32::MAX as u64 {
        // The engine's own 64-bit division, not the multiply call.
        let q = v / core::hint::black_box(1_000_000_000);
        put((v - q * 1_000_000_000) as u32, 9);
        v = q;
    }
    put(v as u32, 1);
    if i < 0 {
        at -= 1;
        // SAFETY: `at` is at least 1 here (19 digits at most).
        unsafe { d.add(at).write(b'-') };
    }
    out.at = at;
    out
}

/// Parses a Lua number literal or coercible string; `None` if it is not one
/// (the one conversion the compiler, runtime and host share).
pub use crate::abi::numscan::lua_number as parse;

#[cfg(test)]
mod tests {
    use super::*;

    fn g(x: f64) -> String {
        let mut b = Buf::<64>::new();
        to_lua_string(x, &mut b);
        String::from_utf8(b.as_bytes().to_vec()).unwrap()
    }

    #[test]
    fn integers_print_as_decimal() {
        for i in [
            0,
            7,
            -1,
            10,
            999_999_999,
            1_000_000_000,
            4_294_967_295,
            4_294_967_296,
            -4_294_967_296,
            1_000_000_000_000_000_000,
            1_000_000_000_000_000_007,
            i64::MAX,
            i64::MIN,
        ] {
            let mut b = Buf::<64>::new();
            write_integer(i, &mut b);
            assert_eq!(core::str::from_utf8(b.as_bytes()).unwrap(), i.to_string());
        }
    }

    #[test]
    fn formats_like_percent_14g() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (0.1, "0.1"),
            (1e15, "1e+15"),
            (1e14, "1e+14"),
            (123456789012345.0, "1.2345678901234e+14"),
            (12345678901234.0, "12345678901234"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.0 / 3.0, "0.33333333333333"),
            (2.5, "2.5"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (1e300 * 10.0, "1e+301"),
            (5e-324, "4.9406564584125e-324"),
            (100.0, "100"),
        ];
        for &(x, want) in cases {
            assert_eq!(g(x), want, "formatting {x:e}");
        }
    }

    #[test]
    fn integer_fast_path_agrees_with_percent_g() {
        let mut x: i64 = 1;
        let mut values = vec![
            0i64,
            99_999_999_999_999,
            -99_999_999_999_999,
            100_000_000_000_000,
        ];
        while x < 1_000_000_000_000_000 {
            values.extend([x, -x, x - 1, x + 1, x * 7 / 3]);
            x = x * 3 + 1;
        }
        for v in values {
            let mut slow = Buf::<64>::new();
            format_g(v as f64, 14, &mut slow);
            assert_eq!(g(v as f64).as_bytes(), slow.as_bytes(), "formatting {v}");
        }
    }
}
