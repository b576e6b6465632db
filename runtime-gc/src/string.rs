//! Strings: immutable byte strings, short ones interned (design-notes §5).
//!
//! A string object is `header | len u32 | hash u32 | bytes`. Strings of at most
//! [`MAX_SHORT`] bytes are interned, so two short strings are equal iff they
//! are the same object; longer strings compare by content. A short string's
//! hash is computed when it is interned; a long string's the first time it
//! is used as a table key (most long strings, responses and log lines, never
//! are). The header's `flags` byte has [`INTERNED`] for interned strings and
//! [`HASHED`] for long strings whose hash is stored.
//!
//! The intern table is an open-addressing array of string addresses. It is
//! weak: the collector turns the slots of unmarked strings into tombstones
//! ([`sweep_intern`]), and growing the table drops them.

use crate::abi::layout::{header, kind, string as ls};
use crate::abi::value as v;
use crate::heap;
use crate::mem::{self, rd8, rd32, wr8, wr16, wr32};

pub const MAX_SHORT: u32 = ls::MAX_SHORT;

/// Flag bits of a string's header.
const INTERNED: u8 = 1;
const HASHED: u8 = 2;

struct InternTable {
    slots: u32,
    cap: u32,
    /// Slots in use, tombstones included (the load the probes see).
    count: u32,
}

/// Address of a slot whose string was collected: probes go past it.
const TOMBSTONE: u32 = 1;

static mut INTERN: InternTable = InternTable {
    slots: 0,
    cap: 0,
    count: 0,
};

fn intern_table() -> &'static mut InternTable {
    unsafe { &mut *core::ptr::addr_of_mut!(INTERN) }
}

pub use crate::abi::hash_bytes;

#[inline]
pub fn len(s: u32) -> u32 {
    rd32(s + ls::LEN)
}
/// The string's hash, computed now if it is a long string's first use as a
/// key (strings are immutable, so it is stored).
#[inline]
pub fn hash(s: u32) -> u32 {
    if rd8(s + header::FLAGS) != 0 {
        return rd32(s + ls::HASH);
    }
    let h = hash_bytes(as_bytes(s));
    wr32(s + ls::HASH, h);
    wr8(s + header::FLAGS, HASHED);
    h
}
#[inline]
pub fn data(s: u32) -> u32 {
    s + ls::DATA
}
#[inline]
pub fn as_bytes<'a>(s: u32) -> &'a [u8] {
    mem::bytes(s + ls::DATA, len(s))
}
#[inline]
pub fn is_interned(s: u32) -> bool {
    rd8(s + header::FLAGS) & INTERNED != 0
}

/// Allocates an uninitialised string of `n` bytes (not interned, hash unset).
/// The caller fills the bytes, then calls [`finish`].
pub fn alloc_raw(n: u32) -> Option<u32> {
    let s = heap::alloc_object(ls::DATA + n)?;
    wr8(s + header::KIND, kind::STRING);
    wr8(s + header::FLAGS, 0);
    wr16(s + header::AUX, 0);
    wr32(s + header::GCLIST, 0);
    wr32(s + ls::LEN, n);
    Some(s)
}

/// Completes a string made with [`alloc_raw`]: short strings are replaced by
/// their interned copy (and the buffer freed); long ones are left as they are
/// (hashed on first use as a key).
pub fn finish(s: u32) -> Option<u32> {
    let n = len(s);
    if n <= MAX_SHORT {
        let bytes = as_bytes(s);
        let r = intern(bytes);
        heap::free(s);
        r
    } else {
        Some(s)
    }
}

/// Makes a string with these bytes.
pub fn new(bytes: &[u8]) -> Option<u32> {
    if bytes.len() as u32 <= MAX_SHORT {
        return intern(bytes);
    }
    let s = alloc_raw(bytes.len() as u32)?;
    mem::bytes_mut(data(s), bytes.len() as u32).copy_from_slice(bytes);
    Some(s)
}

/// Makes a string value, or `None` when memory is exhausted.
pub fn new_value(bytes: &[u8]) -> Option<u64> {
    new(bytes).map(|s| v::boxed(v::TAG_STRING, s))
}

/// Returns the interned string with these bytes, creating it if needed.
///
/// Each slot of the table is 8 bytes, `address | hash`, so a probe compares
/// hashes without touching the string objects (one cache line per probe).
pub fn intern(bytes: &[u8]) -> Option<u32> {
    let t = intern_table();
    if (t.count + 1) * 2 > t.cap && !grow_intern() {
        return None;
    }
    let h = hash_bytes(bytes);
    let mask = t.cap - 1;
    let mut i = h & mask;
    // The first tombstone on the way: a new string goes there, so tombstones are
    // reused instead of lengthening every later probe until the next rehash.
    let mut tomb = 0;
    loop {
        let slot = t.slots + 8 * i;
        let s = rd32(slot);
        // Hash first: an empty slot's is 0 and a tombstone's stale, and
        // `s > TOMBSTONE` rules both out (tested in this order so the loop
        // is two compares, not a three-way branch).
        if rd32(slot + 4) == h && s > TOMBSTONE && mem::bytes_equal(as_bytes(s), bytes) {
            return Some(s);
        }
        if s <= TOMBSTONE {
            if s == 0 {
                return if tomb != 0 {
                    insert_at(tomb, bytes, h, false)
                } else {
                    insert_at(slot, bytes, h, true)
                };
            }
            if tomb == 0 {
                tomb = slot;
            }
        }
        i = (i + 1) & mask;
    }
}

/// Makes the interned string `bytes` (hash `h`) in `slot`, an empty slot (`fresh`: one
/// more slot in use) or a tombstone (already counted).
#[inline(never)]
fn insert_at(slot: u32, bytes: &[u8], h: u32, fresh: bool) -> Option<u32> {
    let n = bytes.len() as u32;
    let s = heap::alloc_object(ls::DATA + n)?;
    wr8(s + header::KIND, kind::STRING);
    wr8(s + header::FLAGS, INTERNED);
    wr16(s + header::AUX, 0);
    wr32(s + header::GCLIST, 0);
    wr32(s + ls::LEN, n);
    wr32(s + ls::HASH, h);
    mem::copy_bytes(mem::bytes_mut(data(s), n), bytes);
    wr32(slot, s);
    wr32(slot + 4, h);
    if fresh {
        intern_table().count += 1;
    }
    Some(s)
}

/// Every interned string (for the verifier).
pub fn each_interned(mut f: impl FnMut(u32)) {
    let t = intern_table();
    for i in 0..t.cap {
        let s = rd32(t.slots + 8 * i);
        if s > TOMBSTONE {
            f(s);
        }
    }
}

/// Drops every string `alive` rejects from the intern table (the collector
/// frees them next). Rebuilds the table when tombstones fill a quarter of it.
pub fn sweep_intern(alive: impl Fn(u32) -> bool) {
    let t = intern_table();
    let mut live = 0;
    for i in 0..t.cap {
        let slot = t.slots + 8 * i;
        let s = rd32(slot);
        if s > TOMBSTONE {
            if alive(s) {
                live += 1;
            } else {
                wr32(slot, TOMBSTONE);
            }
        }
    }
    if t.cap != 0 && (t.count - live) * 4 > t.cap {
        // Rehash at the same size: the buffer is freed and a new one taken.
        let _ = rehash_intern(t.cap);
    }
}

fn grow_intern() -> bool {
    let t = intern_table();
    let mut live = 0;
    for i in 0..t.cap {
        if rd32(t.slots + 8 * i) > TOMBSTONE {
            live += 1;
        }
    }
    // Tombstones are dropped by the rehash; grow only if live strings need it.
    let new_cap = if t.cap == 0 {
        1024
    } else if (live + 1) * 4 > t.cap {
        t.cap * 2
    } else {
        t.cap
    };
    rehash_intern(new_cap)
}

fn rehash_intern(new_cap: u32) -> bool {
    let t = intern_table();
    let Some(slots) = heap::alloc(8 * new_cap) else {
        return false;
    };
    mem::fill(slots, 0, 8 * new_cap);
    let mask = new_cap - 1;
    let mut count = 0;
    for i in 0..t.cap {
        let old = t.slots + 8 * i;
        let s = rd32(old);
        if s > TOMBSTONE {
            let h = rd32(old + 4);
            let mut j = h & mask;
            while rd32(slots + 8 * j) != 0 {
                j = (j + 1) & mask;
            }
            wr32(slots + 8 * j, s);
            wr32(slots + 8 * j + 4, h);
            count += 1;
        }
    }
    if t.cap != 0 {
        heap::free(t.slots);
    }
    t.slots = slots;
    t.cap = new_cap;
    t.count = count;
    true
}

/// Content equality of two string objects.
#[inline]
pub fn equal(a: u32, b: u32) -> bool {
    if a == b {
        return true;
    }
    if is_interned(a) && is_interned(b) {
        return false;
    }
    // Stored hashes rule out most unequal pairs; hashing here would read
    // both strings once more than comparing them does.
    let hashes_differ = rd8(a + header::FLAGS) != 0
        && rd8(b + header::FLAGS) != 0
        && rd32(a + ls::HASH) != rd32(b + ls::HASH);
    len(a) == len(b) && !hashes_differ && mem::bytes_equal(as_bytes(a), as_bytes(b))
}

/// Byte-wise comparison, as LuaJIT's `lj_str_cmp`.
pub fn compare(a: u32, b: u32) -> core::cmp::Ordering {
    as_bytes(a).cmp(as_bytes(b))
}

/// Names the runtime looks up often, interned once.
pub struct Names {
    pub index: u32,
    pub newindex: u32,
    pub call: u32,
    pub add: u32,
    pub sub: u32,
    pub mul: u32,
    pub div: u32,
    pub mod_: u32,
    pub pow: u32,
    pub unm: u32,
    pub concat: u32,
    pub len: u32,
    pub eq: u32,
    pub lt: u32,
    pub le: u32,
    pub tostring: u32,
    /// `"tostring"`, the global `print` calls.
    pub tostring_fn: u32,
    pub metatable: u32,
    pub mode: u32,
}

impl Names {
    pub const EMPTY: Names = Names {
        index: 0,
        newindex: 0,
        call: 0,
        add: 0,
        sub: 0,
        mul: 0,
        div: 0,
        mod_: 0,
        pow: 0,
        unm: 0,
        concat: 0,
        len: 0,
        eq: 0,
        lt: 0,
        le: 0,
        tostring: 0,
        tostring_fn: 0,
        metatable: 0,
        mode: 0,
    };

    /// Every name, for the collector's roots.
    pub fn each(&self, mut f: impl FnMut(u32)) {
        for s in [
            self.index,
            self.newindex,
            self.call,
            self.add,
            self.sub,
            self.mul,
            self.div,
            self.mod_,
            self.pow,
            self.unm,
            self.concat,
            self.len,
            self.eq,
            self.lt,
            self.le,
            self.tostring,
            self.tostring_fn,
            self.metatable,
            self.mode,
        ] {
            if s != 0 {
                f(s);
            }
        }
    }

    pub fn init() -> bool {
        fn n(s: &str) -> Option<u32> {
            intern(s.as_bytes())
        }
        let names = (|| {
            Some(Names {
                index: n("__index")?,
                newindex: n("__newindex")?,
                call: n("__call")?,
                add: n("__add")?,
                sub: n("__sub")?,
                mul: n("__mul")?,
                div: n("__div")?,
                mod_: n("__mod")?,
                pow: n("__pow")?,
                unm: n("__unm")?,
                concat: n("__concat")?,
                len: n("__len")?,
                eq: n("__eq")?,
                lt: n("__lt")?,
                le: n("__le")?,
                tostring: n("__tostring")?,
                tostring_fn: n("tostring")?,
                metatable: n("__metatable")?,
                mode: n("__mode")?,
            })
        })();
        match names {
            Some(names) => {
                crate::rt().names = names;
                true
            }
            None => false,
        }
    }
}
