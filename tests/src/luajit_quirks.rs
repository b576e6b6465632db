//! Behaviours of the reference LuaJIT (the 2.1 that mlua vendors) that production
//! OpenResty's LuaJIT does not share and moonshift does not copy
//! (docs/DIVERGENCES.md): the generators of the property tests keep their inputs
//! out of them, and a test here shows that they are the only differences.

/// The numbers found so far whose `tostring` differs between the reference LuaJIT
/// (`…198e-63`) and nginx's and moonshift (`…199e-63`): by `tests/proptest_lib.rs`, and
/// two in 50 000 random doubles (checked against nginx 1.22.1 + ngx_lua 0.10.23).
pub const FOUND: [f64; 3] = [
    1.7534649815198506e-63,
    2.528972516260851e+91,
    1.5823315262808505e+72,
];

/// The power of ten LuaJIT 2.1 multiplies a number by before converting it for `%e`
/// and `%g` at precisions of 14 digits or fewer, by the number's biased binary
/// exponent divided by 64 (0: not scaled).
const RESCALE: [i32; 32] = [
    308, 289, 270, 250, 231, 212, 193, 173, 154, 135, 115, 96, 77, 58, 38, 0, 0, 0, -39, -58, -77,
    -96, -116, -135, -154, -174, -193, -212, -231, -251, -270, -289,
];

/// Whether `x` is a number whose `%.Ng` (N ≤ 14; `tostring` is `%.14g`) the reference
/// LuaJIT may round down where the number lies above the halfway point.
///
/// For such precisions LuaJIT 2.1 scales the number by a power of ten ([`RESCALE`])
/// into a range where a double has few fractional digits, takes the scaled value two
/// ulps *lower* (to bracket the scaling's error) and rounds that value's exact decimal
/// expansion, half to even. When that lower value is exactly a tie (its last non-zero
/// digit is a 5 within the first 15, after an even digit) the result is rounded down,
/// although the number itself is above the tie: `tostring(1.7534649815198506e-63)` is
/// `1.7534649815198e-63` on mlua's LuaJIT and `1.7534649815199e-63` on nginx's and on
/// moonshift. (LuaJIT sometimes converts again without scaling after a check of the
/// bracket; this says "may", and is true of a few numbers LuaJIT gets right.)
pub fn rescaled_tie(x: f64) -> bool {
    if !x.is_finite() || x == 0.0 {
        return false;
    }
    let x = x.abs();
    let biased = (x.to_bits() >> 52) as usize;
    let k = RESCALE[biased >> 6];
    if k == 0 {
        return false;
    }
    let scale: f64 = format!("1e{k}").parse().expect("a power of ten");
    let mut t = x * scale;
    if biased == 0 {
        // Subnormal: scaled once more.
        t *= 1e10;
    }
    let lower = f64::from_bits(t.to_bits() - 2);
    // The exact decimal expansion (Rust formats every digit asked for exactly).
    let text = format!("{lower:.800e}");
    let mantissa = text.split('e').next().expect("a mantissa");
    let digits: Vec<u8> = mantissa.bytes().filter(u8::is_ascii_digit).collect();
    let significant = digits.len() - digits.iter().rev().take_while(|&&d| d == b'0').count();
    (2..=15).contains(&significant)
        && digits[significant - 1] == b'5'
        && (digits[significant - 2] - b'0') % 2 == 0
}

#[cfg(test)]
mod tests {
    use super::{FOUND, rescaled_tie};

    /// The differences found so far are what [`rescaled_tie`] names.
    #[test]
    fn the_found_differences_are_rescaled_ties() {
        for x in FOUND {
            assert!(rescaled_tie(x), "{x:e}");
            assert!(rescaled_tie(-x), "{:e}", -x);
        }
    }

    /// Numbers LuaJIT does not scale, and neighbours of the found ones, are not.
    #[test]
    fn most_numbers_are_not() {
        for x in [
            0.0,
            1.0,
            0.1,
            1e15,
            1e-300,
            5e-324,
            f64::MAX,
            f64::NAN,
            123.456,
        ] {
            assert!(!rescaled_tie(x), "{x:e}");
        }
        let near = f64::from_bits(FOUND[0].to_bits() + 64);
        assert!(!rescaled_tie(near));
    }
}
