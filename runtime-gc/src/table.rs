//! Tables: an array part plus a chained scatter hash part (PUC Lua's
//! `ltable.c` design, design-notes §4).
//!
//! Invariants:
//! - Keys are never nil or NaN; a number key is stored with `-0` normalised
//!   to `+0`. An integral number key `k` with `1 <= k <= asize` lives in the
//!   array part, never in the hash part.
//! - A hash node whose key is set stays in its chain even when its value
//!   becomes nil (a "dead" key), so `next` keeps working when fields are
//!   cleared during traversal. Only a rehash drops dead keys.
//! - If a node is not in its key's main position, the node that *is* in that
//!   main position holds a key whose own main position it is (Brent's
//!   variation): chains stay short even at 100% load.
//! - A node with a nil key is free; `lastfree` only moves downward.

use crate::abi::layout::{header, kind, node as ln, table as lt};
use crate::abi::value::{self as v, boxed, is_number, payload, tag};
use crate::heap;
use crate::mem::{rd32, rd64, wr8, wr16, wr32, wr64};
use crate::string;

const NO_NEXT: u32 = u32::MAX;
const MAX_ARRAY_BITS: u32 = 26;

#[inline]
pub fn asize(t: u32) -> u32 {
    rd32(t + lt::ASIZE)
}
#[inline]
fn array(t: u32) -> u32 {
    rd32(t + lt::ARRAY)
}
#[inline]
fn node(t: u32) -> u32 {
    rd32(t + lt::NODE)
}
#[inline]
fn nsize(t: u32) -> u32 {
    if node(t) == 0 {
        0
    } else {
        rd32(t + lt::NODE_MASK) + 1
    }
}
#[inline]
pub fn metatable(t: u32) -> u32 {
    rd32(t + lt::METATABLE)
}
pub fn set_metatable(t: u32, mt: u32) {
    wr32(t + lt::METATABLE, mt);
}

#[inline]
fn nkey(n: u32) -> u64 {
    rd64(n + ln::KEY)
}
#[inline]
fn nval(n: u32) -> u64 {
    rd64(n + ln::VALUE)
}
#[inline]
fn nnext(n: u32) -> u32 {
    rd32(n + ln::NEXT)
}

/// Removes every entry, keeping the parts' sizes (`table.clear`).
pub fn clear(t: u32) {
    for i in 0..asize(t) {
        wr64(array(t) + 8 * i, v::NIL);
    }
    let n = node(t);
    for i in 0..nsize(t) {
        let nd = n + ln::SIZE * i;
        wr64(nd + ln::KEY, v::NIL);
        wr64(nd + ln::VALUE, v::NIL);
        wr32(nd + ln::NEXT, NO_NEXT);
    }
    if n != 0 {
        wr32(t + lt::LASTFREE, n + ln::SIZE * nsize(t));
    }
}

/// Creates a table with room for `narr` array items and `nhash` hash entries.
pub fn new(narr: u32, nhash: u32) -> Option<u32> {
    let t = heap::alloc_object(lt::SIZE)?;
    wr8(t + header::KIND, kind::TABLE);
    wr8(t + header::FLAGS, 0);
    wr16(t + header::AUX, 0);
    wr32(t + header::GCLIST, 0);
    wr32(t + lt::METATABLE, 0);
    wr32(t + lt::ASIZE, 0);
    wr32(t + lt::ARRAY, 0);
    wr32(t + lt::NODE, 0);
    wr32(t + lt::NODE_MASK, 0);
    wr32(t + lt::LASTFREE, 0);
    if !resize(t, narr, nhash) {
        return None;
    }
    Some(t)
}

/// The array index of `key`, if it is an integral number in `1..=u32::MAX`.
#[inline]
fn as_index(key: u64) -> Option<u32> {
    if !is_number(key) {
        return None;
    }
    let x = f64::from_bits(key);
    let k = x as u32;
    if k as f64 == x && k >= 1 {
        Some(k)
    } else {
        None
    }
}

/// Normalises `-0` to `+0` for use as a key.
#[inline]
pub fn normalize_key(key: u64) -> u64 {
    if key == (-0.0f64).to_bits() { 0 } else { key }
}

fn hash_of(key: u64) -> u32 {
    match tag(key) {
        v::TAG_STRING => string::hash(payload(key)),
        _ if is_number(key) => {
            let h = (key as u32) ^ ((key >> 32) as u32).rotate_left(7);
            h ^ (h >> 13).wrapping_mul(0x9E37_79B1)
        }
        _ => {
            let p = payload(key) ^ tag(key);
            p.wrapping_mul(0x9E37_79B1) ^ (p >> 16)
        }
    }
}

#[inline]
fn main_position(t: u32, key: u64) -> u32 {
    node(t) + (hash_of(key) & rd32(t + lt::NODE_MASK)) * ln::SIZE
}

/// Raw key equality for keys already normalised.
#[inline]
pub fn key_equal(a: u64, b: u64) -> bool {
    if a == b {
        return true;
    }
    tag(a) == v::TAG_STRING && tag(b) == v::TAG_STRING && string::equal(payload(a), payload(b))
}

/// The node holding `key` in the hash part, or 0.
fn find_node(t: u32, key: u64) -> u32 {
    if node(t) == 0 {
        return 0;
    }
    let mut n = main_position(t, key);
    loop {
        if key_equal(nkey(n), key) {
            return n;
        }
        let next = nnext(n);
        if next == NO_NEXT {
            return 0;
        }
        n = node(t) + next * ln::SIZE;
    }
}

/// `rawget(t, key)`.
pub fn get(t: u32, key: u64) -> u64 {
    if let Some(k) = as_index(key)
        && k <= asize(t)
    {
        return rd64(array(t) + 8 * (k - 1));
    }
    let n = find_node(t, normalize_key(key));
    if n == 0 { v::NIL } else { nval(n) }
}

/// `rawget(t, s)` for a string object.
pub fn get_str(t: u32, s: u32) -> u64 {
    let n = find_node(t, boxed(v::TAG_STRING, s));
    if n == 0 { v::NIL } else { nval(n) }
}

/// `rawget(t, i)` for an integer index.
pub fn get_int(t: u32, i: u32) -> u64 {
    if i >= 1 && i <= asize(t) {
        return rd64(array(t) + 8 * (i - 1));
    }
    get(t, (i as f64).to_bits())
}

/// Why a raw store failed.
pub enum SetError {
    NilKey,
    NanKey,
    NoMemory,
}

/// `rawset(t, key, val)`.
pub fn set(t: u32, key: u64, val: u64) -> Result<(), SetError> {
    if let Some(k) = as_index(key)
        && k <= asize(t)
    {
        wr64(array(t) + 8 * (k - 1), val);
        return Ok(());
    }
    if key == v::NIL {
        return Err(SetError::NilKey);
    }
    if is_number(key) && f64::from_bits(key).is_nan() {
        return Err(SetError::NanKey);
    }
    let key = normalize_key(key);
    let n = find_node(t, key);
    if n != 0 {
        wr64(n + ln::VALUE, val);
        return Ok(());
    }
    if val == v::NIL {
        return Ok(());
    }
    insert(t, key, val)
}

/// Stores `val` under a key known not to be present (`luaH_newkey`).
fn insert(t: u32, key: u64, val: u64) -> Result<(), SetError> {
    if node(t) == 0 {
        return rehash_and_set(t, key, val);
    }
    let mut mp = main_position(t, key);
    if nval(mp) != v::NIL {
        let f = free_position(t);
        if f == 0 {
            return rehash_and_set(t, key, val);
        }
        let base = node(t);
        let othern_start = main_position(t, nkey(mp));
        if othern_start != mp {
            // The colliding node is out of its main position: move it to the
            // free node and take its place.
            let mut othern = othern_start;
            while base + nnext(othern) * ln::SIZE != mp {
                othern = base + nnext(othern) * ln::SIZE;
            }
            wr32(othern + ln::NEXT, (f - base) / ln::SIZE);
            wr64(f + ln::KEY, nkey(mp));
            wr64(f + ln::VALUE, nval(mp));
            wr32(f + ln::NEXT, nnext(mp));
            wr32(mp + ln::NEXT, NO_NEXT);
            wr64(mp + ln::VALUE, v::NIL);
        } else {
            // The colliding node is in its own main position: chain the new
            // key through the free node.
            wr32(f + ln::NEXT, nnext(mp));
            wr32(mp + ln::NEXT, (f - base) / ln::SIZE);
            mp = f;
        }
    }
    wr64(mp + ln::KEY, key);
    wr64(mp + ln::VALUE, val);
    Ok(())
}

fn free_position(t: u32) -> u32 {
    let base = node(t);
    let mut lastfree = rd32(t + lt::LASTFREE);
    while lastfree > base {
        lastfree -= ln::SIZE;
        if nkey(lastfree) == v::NIL {
            wr32(t + lt::LASTFREE, lastfree);
            return lastfree;
        }
    }
    wr32(t + lt::LASTFREE, base);
    0
}

fn rehash_and_set(t: u32, key: u64, val: u64) -> Result<(), SetError> {
    // nums[i] = number of integer keys k with 2^(i-1) < k <= 2^i.
    let mut buf = core::mem::MaybeUninit::uninit();
    let nums: &mut [u32; MAX_ARRAY_BITS as usize + 1] = crate::mem::zeroed(&mut buf);
    let mut total_int = 0u32;
    let mut total = 0u32;
    let count_int = |k: u32, nums: &mut [u32; MAX_ARRAY_BITS as usize + 1]| {
        if k <= 1 << MAX_ARRAY_BITS {
            let bits = 32 - (k - 1).leading_zeros();
            nums[bits as usize] += 1;
            true
        } else {
            false
        }
    };
    // The array part slice by slice: 2^(b-1) < k <= 2^b lands in nums[b].
    let (arr, n) = (array(t), asize(t));
    let mut lo = 1u32;
    let mut b = 0usize;
    while lo <= n {
        let hi = if b == 0 { 1 } else { (1u32 << b).min(n) };
        let mut c = 0;
        for k in lo..=hi {
            c += (rd64(arr + 8 * (k - 1)) != v::NIL) as u32;
        }
        nums[b] += c;
        total_int += c;
        total += c;
        lo = hi + 1;
        b += 1;
    }
    for i in 0..nsize(t) {
        let n = node(t) + i * ln::SIZE;
        if nval(n) != v::NIL {
            total += 1;
            if let Some(k) = as_index(nkey(n))
                && count_int(k, nums)
            {
                total_int += 1;
            }
        }
    }
    total += 1;
    if let Some(k) = as_index(key)
        && count_int(k, nums)
    {
        total_int += 1;
    }
    // The largest n such that more than half of 1..=n is in use.
    let mut a = 0u32;
    let mut na = 0u32;
    let mut optimal = 0u32;
    let mut twotoi = 1u32;
    let mut i = 0usize;
    while i <= MAX_ARRAY_BITS as usize && twotoi / 2 < total_int {
        if nums[i] > 0 {
            a += nums[i];
            if a > twotoi / 2 {
                optimal = twotoi;
                na = a;
            }
        }
        twotoi <<= 1;
        i += 1;
    }
    if !resize(t, optimal, total - na) {
        return Err(SetError::NoMemory);
    }
    set(t, key, val)
}

/// Gives `t` an array part of `narr` slots and a hash part with room for
/// `nhash` entries, moving every live entry.
fn resize(t: u32, narr: u32, nhash: u32) -> bool {
    let old_asize = asize(t);
    let old_array = array(t);
    let old_node = node(t);
    let old_nsize = nsize(t);
    let new_nsize = if nhash == 0 {
        0
    } else {
        1u32 << (32 - (nhash - 1).leading_zeros())
    };
    let new_array = if narr == 0 {
        0
    } else {
        let Some(a) = heap::alloc(8 * narr) else {
            return false;
        };
        a
    };
    let new_node = if new_nsize == 0 {
        0
    } else {
        match heap::alloc(ln::SIZE * new_nsize) {
            Some(n) => n,
            None => {
                heap::free(new_array);
                return false;
            }
        }
    };
    let kept = narr.min(old_asize);
    crate::mem::copy_words(new_array, old_array, kept);
    // NIL is no repeated byte, so this stays a loop of stores (no `memory.fill`).
    for i in kept..narr {
        wr64(new_array + 8 * i, v::NIL);
    }
    for i in 0..new_nsize {
        let n = new_node + i * ln::SIZE;
        wr64(n + ln::KEY, v::NIL);
        wr64(n + ln::VALUE, v::NIL);
        wr32(n + ln::NEXT, NO_NEXT);
    }
    wr32(t + lt::ASIZE, narr);
    wr32(t + lt::ARRAY, new_array);
    wr32(t + lt::NODE, new_node);
    wr32(t + lt::NODE_MASK, new_nsize.saturating_sub(1));
    wr32(t + lt::LASTFREE, new_node + ln::SIZE * new_nsize);
    // Re-insert what no longer fits the array, then the old hash part. The
    // new parts are large enough, so these inserts never rehash.
    for i in narr..old_asize {
        let x = rd64(old_array + 8 * i);
        if x != v::NIL {
            let _ = set(t, ((i + 1) as f64).to_bits(), x);
        }
    }
    for i in 0..old_nsize {
        let n = old_node + i * ln::SIZE;
        if nval(n) != v::NIL {
            let _ = set(t, nkey(n), nval(n));
        }
    }
    if old_asize > 0 {
        heap::free(old_array);
    }
    if old_nsize > 0 {
        heap::free(old_node);
    }
    true
}

/// `#t` without metamethods: a border, found as Lua 5.1's `luaH_getn`.
pub fn length(t: u32) -> u32 {
    let j = asize(t);
    if j > 0 && rd64(array(t) + 8 * (j - 1)) == v::NIL {
        let mut i = 0;
        let mut j = j;
        while j - i > 1 {
            let m = (i + j) / 2;
            if rd64(array(t) + 8 * (m - 1)) == v::NIL {
                j = m;
            } else {
                i = m;
            }
        }
        return i;
    }
    if node(t) == 0 {
        return j;
    }
    // Unbound search in the hash part.
    let mut i = j;
    let mut j = j + 1;
    while get_int(t, j) != v::NIL {
        i = j;
        if j > u32::MAX / 2 {
            let mut k = 1;
            while get_int(t, k) != v::NIL {
                k += 1;
            }
            return k - 1;
        }
        j *= 2;
    }
    while j - i > 1 {
        let m = (i + j) / 2;
        if get_int(t, m) == v::NIL {
            j = m;
        } else {
            i = m;
        }
    }
    i
}

/// `next(t, key)`: `Ok(None)` at the end, `Err(())` for a key not in `t`.
pub fn next(t: u32, key: u64) -> Result<Option<(u64, u64)>, ()> {
    // Position to start scanning from: 0..asize are array slots, then nodes.
    let i = if key == v::NIL {
        0
    } else if let Some(k) = as_index(key)
        && k <= asize(t)
    {
        k
    } else {
        let n = find_node(t, normalize_key(key));
        if n == 0 {
            return Err(());
        }
        asize(t) + (n - node(t)) / ln::SIZE + 1
    };
    Ok(next_at(t, i).map(|(_, k, x)| (k, x)))
}

/// Iteration by position (what `next` does once it has found its key):
/// the first entry at or after position `i` (array slots, then nodes) and
/// the position after it.
pub fn next_at(t: u32, mut i: u32) -> Option<(u32, u64, u64)> {
    while i < asize(t) {
        let x = rd64(array(t) + 8 * i);
        if x != v::NIL {
            return Some((i + 1, ((i + 1) as f64).to_bits(), x));
        }
        i += 1;
    }
    let mut j = i - asize(t);
    while j < nsize(t) {
        let n = node(t) + j * ln::SIZE;
        if nval(n) != v::NIL {
            return Some((asize(t) + j + 1, nkey(n), nval(n)));
        }
        j += 1;
    }
    None
}
