//! Raw access to linear memory by 32-bit address.
//!
//! Addresses are `u32` everywhere in the runtime because that is what values
//! carry. These helpers are the only place they become pointers.

#[inline(always)]
pub fn rd8(addr: u32) -> u8 {
    unsafe { (addr as usize as *const u8).read() }
}
#[inline(always)]
pub fn wr8(addr: u32, x: u8) {
    unsafe { (addr as usize as *mut u8).write(x) }
}
#[inline(always)]
pub fn rd16(addr: u32) -> u16 {
    unsafe { (addr as usize as *const u16).read_unaligned() }
}
#[inline(always)]
pub fn wr16(addr: u32, x: u16) {
    unsafe { (addr as usize as *mut u16).write_unaligned(x) }
}
#[inline(always)]
pub fn rd32(addr: u32) -> u32 {
    unsafe { (addr as usize as *const u32).read_unaligned() }
}
#[inline(always)]
pub fn wr32(addr: u32, x: u32) {
    unsafe { (addr as usize as *mut u32).write_unaligned(x) }
}
#[inline(always)]
pub fn rd64(addr: u32) -> u64 {
    unsafe { (addr as usize as *const u64).read_unaligned() }
}
#[inline(always)]
pub fn wr64(addr: u32, x: u64) {
    unsafe { (addr as usize as *mut u64).write_unaligned(x) }
}

/// The `len` bytes at `addr`.
#[inline(always)]
pub fn bytes<'a>(addr: u32, len: u32) -> &'a [u8] {
    if len == 0 {
        return &[];
    }
    unsafe { core::slice::from_raw_parts(addr as usize as *const u8, len as usize) }
}

#[inline(always)]
pub fn bytes_mut<'a>(addr: u32, len: u32) -> &'a mut [u8] {
    if len == 0 {
        return &mut [];
    }
    unsafe { core::slice::from_raw_parts_mut(addr as usize as *mut u8, len as usize) }
}

pub fn copy(dst: u32, src: u32, len: u32) {
    if len > 0 {
        unsafe {
            core::ptr::copy(
                src as usize as *const u8,
                dst as usize as *mut u8,
                len as usize,
            )
        }
    }
}

pub fn fill(dst: u32, byte: u8, len: u32) {
    if len > 0 {
        unsafe { core::ptr::write_bytes(dst as usize as *mut u8, byte, len as usize) }
    }
}

/// Below this many words, [`copy_words`] moves word by word: a `memory.copy` is a call
/// into the engine, dearer than a few moves.
const SHORT_WORDS: u32 = 32;

/// Copies the `count` words at `src` to `dst` (not overlapping).
#[inline]
pub fn copy_words(dst: u32, src: u32, count: u32) {
    if count > SHORT_WORDS {
        copy(dst, src, 8 * count);
        return;
    }
    for i in 0..count {
        // Volatile, or LLVM turns the loop back into `memory.copy`.
        // SAFETY: heap addresses are valid for their words.
        unsafe {
            let x = core::ptr::read_volatile((src + 8 * i) as usize as *const u64);
            core::ptr::write_volatile((dst + 8 * i) as usize as *mut u64, x);
        }
    }
}

/// `a` zeroed element by element, in place: LLVM makes `[0u32; N]` a `memory.fill` (and
/// the move of an array zeroed elsewhere one too).
#[inline(always)]
pub fn zeroed<const N: usize>(a: &mut core::mem::MaybeUninit<[u32; N]>) -> &mut [u32; N] {
    for i in 0..N {
        // SAFETY: `i < N`, inside the array.
        unsafe { core::ptr::write_volatile(a.as_mut_ptr().cast::<u32>().add(i), 0) }
    }
    // SAFETY: every element was written.
    unsafe { a.assume_init_mut() }
}

/// The eight bytes of `s` at `at`, little-endian (one load).
#[inline]
pub fn word(s: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(s[at..at + 8].try_into().unwrap_or([0; 8]))
}

/// Copies `s` into `dst` (the same length): pieces of at most 64 bytes with
/// word moves, since `memory.copy` is a call into the engine, dearer than the
/// copy itself for short pieces (and a byte loop would be turned back into
/// one); longer ones with `memory.copy`.
#[inline]
pub fn copy_bytes(dst: &mut [u8], s: &[u8]) {
    assert_eq!(dst.len(), s.len());
    // SAFETY: `dst` has room for `s.len()` bytes.
    unsafe { copy_to(dst.as_mut_ptr(), s) }
}

/// [`copy_bytes`] to a place that may not have been written yet.
///
/// Never inlined: its callers pass it buffers in their frames and in the heap alike, so
/// a module recording its writes marks its stores only above the shadow stack (host
/// `snapshot::frame_locals`); inlined into its callers, their own stores would pay that
/// compare too.
///
/// # Safety
/// `dst` is valid for writing `s.len()` bytes and does not overlap `s`.
#[inline(never)]
pub unsafe fn copy_to(dst: *mut u8, s: &[u8]) {
    let n = s.len();
    // SAFETY: every write is inside `dst[..n]`.
    unsafe {
        if n > 64 {
            core::ptr::copy_nonoverlapping(s.as_ptr(), dst, n);
        } else if n > 32 {
            // Four words from each end, overlapping in the middle; the last four through
            // one pointer, so that a module recording its writes marks each four once
            // (`snapshot::plan_marks` groups stores through one local).
            let tail = dst.add(n - 32);
            for at in [0, 8, 16, 24] {
                (dst.add(at) as *mut u64).write_unaligned(word(s, at));
            }
            for at in [0, 8, 16, 24] {
                (tail.add(at) as *mut u64).write_unaligned(word(s, n - 32 + at));
            }
        } else if n > 16 {
            let tail = dst.add(n - 16);
            for at in [0, 8] {
                (dst.add(at) as *mut u64).write_unaligned(word(s, at));
            }
            for at in [0, 8] {
                (tail.add(at) as *mut u64).write_unaligned(word(s, n - 16 + at));
            }
        } else if n >= 8 {
            (dst as *mut u64).write_unaligned(word(s, 0));
            (dst.add(n - 8) as *mut u64).write_unaligned(word(s, n - 8));
        } else if n >= 4 {
            let half = |at: usize| u32::from_le_bytes(s[at..at + 4].try_into().unwrap_or([0; 4]));
            (dst as *mut u32).write_unaligned(half(0));
            (dst.add(n - 4) as *mut u32).write_unaligned(half(n - 4));
        } else {
            if n > 0 {
                *dst = s[0];
            }
            if n > 1 {
                *dst.add(1) = s[1];
            }
            if n > 2 {
                *dst.add(2) = s[2];
            }
        }
    }
}

/// The index of the first `needle` in `s`, eight bytes at a time (a byte loop
/// was a fifth of `string.format`'s time scanning its literal text).
#[inline]
pub fn find_byte(s: &[u8], needle: u8) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let pattern = LOW.wrapping_mul(u64::from(needle));
    let n = s.len();
    let mut i = 0;
    while i + 8 <= n {
        let x = word(s, i) ^ pattern;
        // A zero byte of `x` (a match) sets its high bit here; the lowest such bit is
        // exactly the first match (borrows only run upwards from a zero byte).
        let found = x.wrapping_sub(LOW) & !x & HIGH;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    while i < n {
        if s[i] == needle {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Whether two byte strings are equal, eight bytes at a time (slice
/// equality calls `memcmp`, a byte loop on wasm).
#[inline]
pub fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    let mut i = 0;
    while i + 8 <= n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    if n >= 8 {
        // The last word, overlapping what was compared.
        return word(a, n - 8) == word(b, n - 8);
    }
    while i < n {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::{copy_to, find_byte};

    /// Every length across the word-move cases (up to 64 bytes) and past them, into
    /// a buffer with guard bytes either side.
    #[test]
    fn copy_to_copies_exactly_the_bytes() {
        for len in 0..100usize {
            let src: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
            let mut dst = vec![0xEEu8; len + 16];
            // SAFETY: `dst[8..8 + len]` is in the buffer.
            unsafe { copy_to(dst.as_mut_ptr().add(8), &src) };
            assert_eq!(&dst[8..8 + len], &src[..], "len {len}");
            assert!(dst[..8].iter().chain(&dst[8 + len..]).all(|&b| b == 0xEE), "len {len}");
        }
    }

    /// Every position of the needle (first, last, in the tail, repeated, absent) in
    /// strings of every length up to three words, with bytes on either side of it
    /// (0x24, 0x26, 0xa5: borrows and high bits) as neighbours.
    #[test]
    fn find_byte_agrees_with_a_byte_loop() {
        for len in 0..24 {
            for filler in [0x24u8, 0x26, 0xa5, 0x00, 0xff] {
                for at in 0..=len {
                    let mut s = vec![filler; len];
                    if at < len {
                        s[at] = b'%';
                    }
                    for second in at..len {
                        let mut t = s.clone();
                        t[second] = b'%';
                        let want = t.iter().position(|&c| c == b'%');
                        assert_eq!(find_byte(&t, b'%'), want, "{t:?}");
                    }
                    let want = s.iter().position(|&c| c == b'%');
                    assert_eq!(find_byte(&s, b'%'), want, "{s:?}");
                }
            }
        }
    }
}

