//! The allocator: segregated free lists over memory grown from the top of the
//! image.
//!
//! Every block is a multiple of 16 bytes. Blocks up to [`SMALL_MAX`] bytes
//! come from per-size free lists, refilled by bumping; larger blocks come from
//! a first-fit list, then from the bump pointer. Callers free with the size
//! they allocated (owners always know it). Memory is obtained with
//! `memory.grow`; when that fails the allocation returns `None` and the caller
//! raises Lua's `not enough memory`.
//!
//! Not true yet: the size-class pages, side mark bitmaps and the collector of
//! DESIGN.md §4 (the GC issue). Until then, garbage is reclaimed only when the
//! instance is dropped.

use crate::mem::{rd32, wr32};

const GRANULE: u32 = 16;
pub const SMALL_MAX: u32 = 1024;
const NCLASSES: usize = (SMALL_MAX / GRANULE) as usize + 1;

struct Heap {
    bump: u32,
    end: u32,
    free_small: [u32; NCLASSES],
    /// First-fit list of large free blocks: `next u32 | size u32` at the start of each.
    free_large: u32,
    /// Bytes currently allocated (live or garbage not yet freed).
    pub in_use: u64,
}

static mut HEAP: Heap = Heap {
    bump: 0,
    end: 0,
    free_small: [0; NCLASSES],
    free_large: 0,
    in_use: 0,
};

fn heap() -> &'static mut Heap {
    unsafe { &mut *core::ptr::addr_of_mut!(HEAP) }
}

pub fn init(start: u32) {
    let h = heap();
    h.bump = round_up(start.max(GRANULE));
    h.end = memory_end();
}

#[inline]
fn round_up(n: u32) -> u32 {
    (n + GRANULE - 1) & !(GRANULE - 1)
}

#[cfg(target_arch = "wasm32")]
fn memory_end() -> u32 {
    (core::arch::wasm32::memory_size(0) as u32) << 16
}
#[cfg(target_arch = "wasm32")]
fn grow(pages: u32) -> bool {
    core::arch::wasm32::memory_grow(0, pages as usize) != usize::MAX
}
#[cfg(not(target_arch = "wasm32"))]
fn memory_end() -> u32 {
    0
}
#[cfg(not(target_arch = "wasm32"))]
fn grow(_: u32) -> bool {
    false
}

/// Bytes the heap has handed out and not had back.
pub fn in_use() -> u64 {
    heap().in_use
}

/// Allocates `size` bytes (rounded up to 16), 16-byte aligned. Contents are
/// unspecified.
pub fn alloc(size: u32) -> Option<u32> {
    let size = round_up(size.max(GRANULE));
    let h = heap();
    if size <= SMALL_MAX {
        let class = (size / GRANULE) as usize;
        let head = h.free_small[class];
        if head != 0 {
            h.free_small[class] = rd32(head);
            h.in_use += size as u64;
            return Some(head);
        }
    } else {
        // First fit in the large list, splitting the remainder.
        let mut prev = 0u32;
        let mut cur = h.free_large;
        while cur != 0 {
            let next = rd32(cur);
            let csize = rd32(cur + 4);
            if csize >= size {
                if prev == 0 {
                    h.free_large = next;
                } else {
                    wr32(prev, next);
                }
                h.in_use += size as u64;
                let rest = csize - size;
                if rest > 0 {
                    // The remainder goes back to whichever list fits it.
                    h.in_use += rest as u64;
                    free(cur + size, rest);
                }
                return Some(cur);
            }
            prev = cur;
            cur = next;
        }
    }
    bump(size)
}

fn bump(size: u32) -> Option<u32> {
    let h = heap();
    let new_bump = h.bump.checked_add(size)?;
    if new_bump > h.end {
        let need = new_bump - h.end;
        let pages = need.div_ceil(65536).max(16);
        if !grow(pages) && !grow(need.div_ceil(65536)) {
            return None;
        }
        h.end = memory_end();
    }
    let p = h.bump;
    h.bump = new_bump;
    h.in_use += size as u64;
    Some(p)
}

/// Returns a block obtained from [`alloc`] with the same `size`.
pub fn free(ptr: u32, size: u32) {
    if ptr == 0 {
        return;
    }
    let size = round_up(size.max(GRANULE));
    let h = heap();
    h.in_use = h.in_use.saturating_sub(size as u64);
    if size <= SMALL_MAX {
        let class = (size / GRANULE) as usize;
        wr32(ptr, h.free_small[class]);
        h.free_small[class] = ptr;
    } else {
        wr32(ptr, h.free_large);
        wr32(ptr + 4, size);
        h.free_large = ptr;
    }
}
