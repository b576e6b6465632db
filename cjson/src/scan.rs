//! Word-at-a-time byte searches (eight bytes per step; wasm32 has no
//! vector instructions by default).
//!
//! A test returns a word whose byte `k` has its top bit set when byte `k`
//! matches; bytes above the first match may be false positives (a borrow
//! runs upward), so only the lowest set bit is read.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Bytes of `w` equal to `b`.
#[inline]
pub fn eq(w: u64, b: u8) -> u64 {
    let x = w ^ (ONES * b as u64);
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Bytes of `w` below `n` (`n` ≤ 128).
#[inline]
pub fn below(w: u64, n: u8) -> u64 {
    w.wrapping_sub(ONES * n as u64) & !w & HIGHS
}

/// The index of the first byte of `s` that `test` flags, or `s.len()`: whole
/// words first, then the tail byte by byte (as a zero-padded word).
#[inline]
pub fn until(s: &[u8], test: impl Fn(u64) -> u64) -> usize {
    let mut i = 0;
    while i + 8 <= s.len() {
        let w = u64::from_le_bytes(s[i..i + 8].try_into().unwrap_or([0; 8]));
        let m = test(w);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    if i < s.len() {
        // Assembled with shifts: a copy into a buffer would be a
        // `memory.copy` call on wasm.
        let mut w = 0u64;
        for (k, &b) in s[i..].iter().enumerate() {
            w |= (b as u64) << (8 * k);
        }
        // Padding bytes are zero: keep them from matching.
        let m = test(w) & (u64::MAX >> (64 - 8 * (s.len() - i)));
        let k = if m == 0 {
            8
        } else {
            (m.trailing_zeros() / 8) as usize
        };
        return (i + k).min(s.len());
    }
    s.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_match_only() {
        let quote_or_zero = |w| eq(w, b'"') | eq(w, 0);
        assert_eq!(until(b"abcdefghij\"k", quote_or_zero), 10);
        assert_eq!(until(b"\"", quote_or_zero), 0);
        assert_eq!(until(b"abc", quote_or_zero), 3);
        assert_eq!(until(b"ab\x00\x01\"", quote_or_zero), 2);
        assert_eq!(until(b"abcdefgh\x01\x00", |w| below(w, 0x20)), 8);
        assert_eq!(until(b"\x7f\x80\xff\x20a\x1f", |w| below(w, 0x20)), 5);
        for n in 0..40 {
            let mut s = [b'a'; 41];
            s[n] = b'"';
            assert_eq!(until(&s[..=n], quote_or_zero), n);
        }
    }
}
