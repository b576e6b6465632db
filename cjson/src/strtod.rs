//! C's `strtod` in the C locale, which is what lua-cjson scans numbers with:
//! the longest prefix that is a decimal number, a hexadecimal number (`0x`,
//! optional fraction and `p` exponent), `inf`/`infinity` or `nan`/`nan(…)`,
//! after an optional sign.

/// Scans a number at the start of `s`: its value and how many bytes it took,
/// or `None` when no prefix of `s` is a number.
pub fn strtod(s: &[u8]) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    let negative = match at(0) {
        b'-' => {
            i = 1;
            true
        }
        b'+' => {
            i = 1;
            false
        }
        _ => false,
    };
    let word =
        |i: usize, w: &[u8]| s.len() >= i + w.len() && s[i..i + w.len()].eq_ignore_ascii_case(w);
    let (x, end) = if word(i, b"inf") {
        let end = if word(i, b"infinity") { i + 8 } else { i + 3 };
        (f64::INFINITY, end)
    } else if word(i, b"nan") {
        let mut end = i + 3;
        if at(end) == b'(' {
            let mut j = end + 1;
            while at(j).is_ascii_alphanumeric() || at(j) == b'_' {
                j += 1;
            }
            if at(j) == b')' {
                end = j + 1;
            }
        }
        (f64::NAN, end)
    } else if at(i) == b'0' && (at(i + 1) | 0x20) == b'x' {
        match hex(&s[i + 2..]) {
            Some((x, n)) => (x, i + 2 + n),
            // "0x" not followed by a hex digit: the number is the "0".
            None => (0.0, i + 1),
        }
    } else {
        let (x, n) = decimal(&s[i..])?;
        (x, i + n)
    };
    Some((if negative { -x } else { x }, end))
}

/// `digits [. digits] [e [sign] digits]` with at least one digit.
///
/// Short decimals are converted while they are scanned (Clinger's fast
/// path): at most 15 significant digits and a power of ten up to 10^22 are
/// both exact doubles, and one multiplication or division of exact values
/// is correctly rounded. Anything else goes to core's parser, which is
/// correctly rounded too, as glibc's strtod is.
fn decimal(s: &[u8]) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let mut i = 0;
    let mut digits = 0;
    // The significant digits (from the first nonzero one) while there are
    // at most 15, and the power of ten of the last digit read.
    let mut m: u64 = 0;
    let mut significant = 0;
    let mut scale: i32 = 0;
    let mut seen_point = false;
    loop {
        let c = at(i);
        if c.is_ascii_digit() {
            digits += 1;
            if m != 0 || c != b'0' {
                significant += 1;
            }
            if significant <= 15 {
                m = m * 10 + (c - b'0') as u64;
            }
            if seen_point {
                scale -= 1;
            }
        } else if c == b'.' && !seen_point {
            seen_point = true;
        } else {
            break;
        }
        i += 1;
    }
    if digits == 0 {
        return None;
    }
    if (at(i) | 0x20) == b'e' {
        let mut j = i + 1;
        let negative = at(j) == b'-';
        if at(j) == b'+' || at(j) == b'-' {
            j += 1;
        }
        if at(j).is_ascii_digit() {
            let mut e: i32 = 0;
            while at(j).is_ascii_digit() {
                e = e.saturating_mul(10).saturating_add((at(j) - b'0') as i32);
                j += 1;
            }
            scale = scale.saturating_add(if negative { -e } else { e });
            i = j;
        }
    }
    if significant <= 15 {
        let x = m as f64;
        match scale {
            _ if m == 0 => return Some((0.0, i)),
            0..=22 => return Some((x * POW10[scale as usize], i)),
            -22..=-1 => return Some((x / POW10[(-scale) as usize], i)),
            _ => {}
        }
    }
    let text = core::str::from_utf8(&s[..i]).ok()?;
    let x = text.parse::<f64>().ok()?;
    Some((x, i))
}

/// Powers of ten a double holds exactly.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// Hex digits with an optional `.` and at least one digit, then an optional
/// `p [sign] digits` exponent. Rounded to nearest, ties to even.
fn hex(s: &[u8]) -> Option<(f64, usize)> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let digit = |b: u8| (b as char).to_digit(16);
    let mut i = 0;
    let mut mantissa: u64 = 0;
    let mut sticky = false;
    let mut exp: i64 = 0;
    let mut any = false;
    let mut seen_point = false;
    loop {
        let b = at(i);
        if b == b'.' && !seen_point {
            seen_point = true;
            i += 1;
            continue;
        }
        let Some(d) = digit(b) else { break };
        any = true;
        if mantissa >> 60 == 0 {
            mantissa = mantissa << 4 | d as u64;
            if seen_point {
                exp -= 4;
            }
        } else {
            sticky |= d != 0;
            if !seen_point {
                exp += 4;
            }
        }
        i += 1;
    }
    if !any {
        return None;
    }
    if (at(i) | 0x20) == b'p' {
        let mut j = i + 1;
        let neg = match at(j) {
            b'-' => {
                j += 1;
                true
            }
            b'+' => {
                j += 1;
                false
            }
            _ => false,
        };
        if at(j).is_ascii_digit() {
            let mut e: i64 = 0;
            while at(j).is_ascii_digit() {
                e = (e * 10 + (at(j) - b'0') as i64).min(1 << 20);
                j += 1;
            }
            exp += if neg { -e } else { e };
            i = j;
        }
    }
    Some((compose(mantissa, sticky, exp), i))
}

/// `mantissa × 2^exp` rounded once to a double (`sticky`: nonzero bits were
/// dropped below the mantissa).
fn compose(mut mantissa: u64, mut sticky: bool, mut exp: i64) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    // Normalise to 64 significant bits, then keep as many as the result
    // can hold: 53, fewer when it is subnormal.
    let lz = mantissa.leading_zeros() as i64;
    mantissa <<= lz;
    exp -= lz;
    // value = mantissa × 2^exp, mantissa in [2^63, 2^64).
    let top = exp + 63; // the exponent of the leading bit
    if top > 1023 {
        return f64::INFINITY;
    }
    let keep = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    if keep <= 0 {
        // Below half the smallest subnormal, or exactly around it.
        let half = keep == 0 && (mantissa > 1 << 63 || sticky);
        return if half { f64::from_bits(1) } else { 0.0 };
    }
    let drop = (64 - keep) as u32;
    let kept = mantissa >> drop;
    let rest = mantissa & ((1u64 << drop) - 1);
    let halfway = 1u64 << (drop - 1);
    sticky |= rest & (halfway - 1) != 0;
    let round_up = rest & halfway != 0 && (sticky || kept & 1 == 1);
    let kept = kept + round_up as u64;
    // kept × 2^(exp + drop): exact in f64 arithmetic (two steps keep the
    // power of two representable).
    let e = exp + drop as i64;
    let x = kept as f64;
    let half_e = e / 2;
    x * pow2(half_e) * pow2(e - half_e)
}

fn pow2(e: i64) -> f64 {
    if e > 1023 {
        f64::INFINITY
    } else if e >= -1022 {
        f64::from_bits(((e + 1023) as u64) << 52)
    } else if e >= -1074 {
        f64::from_bits(1u64 << (e + 1074))
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::strtod;

    /// Scanning with the fast path agrees with the general, correctly
    /// rounded parser on random decimals (1–18 digits, a point anywhere, an
    /// exponent): numbers of up to 15 significant digits take the fast path,
    /// longer ones the general parser.
    #[test]
    fn decimals_are_correctly_rounded() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut rand = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..200_000 {
            let mut buf = [0u8; 32];
            let mut n = 0;
            let digits = 1 + rand(18) as usize;
            let point = rand(digits as u64 + 2) as usize;
            for k in 0..digits {
                if k == point {
                    buf[n] = b'.';
                    n += 1;
                }
                buf[n] = b'0' + rand(10) as u8;
                n += 1;
            }
            if rand(3) == 0 {
                buf[n] = b'e';
                n += 1;
                if rand(2) == 0 {
                    buf[n] = b'-';
                    n += 1;
                }
                let e = rand(30);
                if e >= 10 {
                    buf[n] = b'0' + (e / 10) as u8;
                    n += 1;
                }
                buf[n] = b'0' + (e % 10) as u8;
                n += 1;
            }
            let text = &buf[..n];
            let exact: f64 = core::str::from_utf8(text).unwrap().parse().unwrap();
            let (x, len) = super::decimal(text).unwrap();
            assert_eq!(
                (x.to_bits(), len),
                (exact.to_bits(), n),
                "{:?}",
                core::str::from_utf8(text)
            );
        }
    }

    #[test]
    fn prefixes_as_glibc_scans_them() {
        let cases: &[(&[u8], f64, usize)] = &[
            (b"0x10", 16.0, 4),
            (b"-0x10", -16.0, 5),
            (b"+1", 1.0, 2),
            (b"01", 1.0, 2),
            (b"-.5", -0.5, 3),
            (b"1.", 1.0, 2),
            (b"1e", 1.0, 1),
            (b"1.5e", 1.5, 3),
            (b"1e+", 1.0, 1),
            (b"0x", 0.0, 1),
            (b"0x1p3", 8.0, 5),
            (b"0x1.8p1", 3.0, 7),
            (b"0X1P-2", 0.25, 6),
            (b"Infinity", f64::INFINITY, 8),
            (b"-infinit", f64::NEG_INFINITY, 4),
            (b"1e400", f64::INFINITY, 5),
            (b"1e-400", 0.0, 6),
            (b"4.9e-324", 5e-324, 8),
            (b"0x1p-1074", 5e-324, 9),
            (b"0x1p-1075", 0.0, 9),
            (b"0x3p-1076", 5e-324, 9),
            (b"0x1fffffffffffff8p0", 144115188075855872.0, 19),
            (b"3.25", 3.25, 4),
            (b"0.1", 0.1, 3),
            (b"123456789012345", 123456789012345.0, 15),
            (b"1234567890123456789", 1234567890123456789.0, 19),
            (b"0.000001e-3", 1e-9, 11),
            (b"12.5E+2", 1250.0, 7),
            (b"9007199254740993", 9007199254740992.0, 16),
            (b"1e23", 1e23, 4),
        ];
        for &(s, x, n) in cases {
            let (got, len) = strtod(s).unwrap();
            assert_eq!(
                (got.to_bits(), len),
                (x.to_bits(), n),
                "{:?}",
                core::str::from_utf8(s)
            );
        }
        let (nan, len) = strtod(b"nan(123)x").unwrap();
        assert!(nan.is_nan());
        assert_eq!(len, 8);
        assert_eq!(strtod(b"nan(").unwrap().1, 3);
        assert!(strtod(b"-").is_none());
        assert!(strtod(b".x").is_none());
        assert!(strtod(b"-+1").is_none());
    }
}
