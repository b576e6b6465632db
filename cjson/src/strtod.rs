//! C's `strtod` in the C locale, which is what lua-cjson scans numbers with:
//! the longest prefix that is a decimal number, a hexadecimal number (`0x`,
//! optional fraction and `p` exponent), `inf`/`infinity` or `nan`/`nan(…)`,
//! after an optional sign. The scanners themselves are `moonshift_abi::numscan`,
//! shared with Lua's own number conversion.

use moonshift_abi::numscan::{decimal, hex};

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
