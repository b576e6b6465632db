//! Scanning the numbers Lua and C spell: decimal and hexadecimal, correctly
//! rounded (as LuaJIT's `lj_strscan` and glibc's `strtod` both are). Each
//! scanner takes the longest prefix it can and says how long it was; the
//! callers add what their grammar adds around it (Lua's `tonumber` and
//! literals want the whole text, lua-cjson's `strtod` a prefix after a sign,
//! `inf` and `nan`).

/// `digits [. digits] [e [sign] digits]` with at least one digit.
///
/// Short decimals are converted while they are scanned (Clinger's fast
/// path): at most 15 significant digits and a power of ten up to 10^22 are
/// both exact doubles, and one multiplication or division of exact values
/// is correctly rounded. Anything else goes to core's parser, which is
/// correctly rounded too, as glibc's strtod is.
pub fn decimal(s: &[u8]) -> Option<(f64, usize)> {
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
pub fn hex(s: &[u8]) -> Option<(f64, usize)> {
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

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Lua's string-to-number conversion (`tonumber`, arithmetic on strings):
/// surrounding whitespace, a sign, then `inf`/`infinity`/`nan` in any case,
/// `0b` binary, `0x` hexadecimal or decimal, the whole text; `None` if it is
/// not a number.
pub fn lua_number(s: &[u8]) -> Option<f64> {
    let mut a = 0;
    let mut b = s.len();
    while a < b && is_space(s[a]) {
        a += 1;
    }
    while b > a && is_space(s[b - 1]) {
        b -= 1;
    }
    let s = &s[a..b];
    let (neg, body) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = |w: &[u8]| {
        body.len() == w.len()
            && body
                .iter()
                .zip(w)
                .all(|(a, b)| a.to_ascii_lowercase() == *b)
    };
    let x = if lower(b"inf") || lower(b"infinity") {
        f64::INFINITY
    } else if lower(b"nan") {
        f64::NAN
    } else if body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'b' {
        parse_binary(&body[2..])?
    } else if body.len() > 2 && body[0] == b'0' && (body[1] | 0x20) == b'x' {
        whole(hex(&body[2..]), body.len() - 2)?
    } else {
        whole(decimal(body), body.len())?
    };
    Some(if neg { -x } else { x })
}

/// A scanner's value when it took all `len` bytes.
fn whole(scanned: Option<(f64, usize)>, len: usize) -> Option<f64> {
    scanned.and_then(|(x, n)| (n == len).then_some(x))
}

/// LuaJIT's `0b` binary integers.
fn parse_binary(s: &[u8]) -> Option<f64> {
    let mut x = 0.0f64;
    for &b in s {
        match b {
            b'0' | b'1' => x = x * 2.0 + (b - b'0') as f64,
            _ => return None,
        }
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lua_numbers() {
        assert_eq!(lua_number(b" 10 "), Some(10.0));
        assert_eq!(lua_number(b"0x10"), Some(16.0));
        assert_eq!(lua_number(b"-0x10"), Some(-16.0));
        assert_eq!(lua_number(b"1e2"), Some(100.0));
        assert_eq!(lua_number(b".5"), Some(0.5));
        assert_eq!(lua_number(b"5."), Some(5.0));
        assert_eq!(lua_number(b"0x1p4"), Some(16.0));
        assert_eq!(lua_number(b" -INF "), Some(f64::NEG_INFINITY));
        assert!(lua_number(b"NaN").is_some_and(f64::is_nan));
        for bad in [
            &b""[..],
            b"infx",
            b"in",
            b"nanx",
            b"1e",
            b"0x",
            b"1 2",
            b".",
            b"e1",
            b"abc",
        ] {
            assert_eq!(lua_number(bad), None, "{:?}", core::str::from_utf8(bad));
        }
    }
}
