//! The allocator: size-class pages with side bitmaps, and a large-object space.
//!
//! The heap is a run of 64 KiB pages (one wasm page each) from the first page
//! boundary after the image to the end of linear memory, grown with
//! `memory.grow`. Every heap page has a descriptor ([`Page`]) kept *outside*
//! the page, in descriptor pages, and found through [`PAGE_DESC`], a table
//! indexed by page number. A page is one of:
//!
//! - **free**: no descriptor yet, or a descriptor in state [`FREE`];
//! - **small**: slots of one size class (16 bytes to 32 KiB); a slot is
//!   *allocated* (bit in `alloc`), and if it holds a Lua object (string,
//!   table, closure, cell) also an *object* (bit in `object`); the collector's
//!   mark bits are in `mark`. Free slots are on the page's intrusive free
//!   list, or above `bump` if never used;
//! - **large**: the head of a run of whole pages holding one block bigger
//!   than the largest class (its bits are at index 0), or a tail of such a run;
//! - **descriptor**: holds descriptors.
//!
//! Blocks are either objects (found by the collector, freed by the sweep) or
//! raw buffers (a table's array and node parts, the intern table, the Lua
//! stack): raw buffers are owned by exactly one object or static and freed
//! explicitly with [`free`].
//!
//! Because the bits live beside the pages, `lookup` can answer "is this
//! address the start of a live object?" for any `u32`, which the collector
//! uses to scan the Lua stack conservatively and the verifier to check every
//! pointer. The design keeps marking from writing into object pages.

use crate::mem::{rd32, wr32};

pub const PAGE_SHIFT: u32 = 16;
pub const PAGE_SIZE: u32 = 1 << PAGE_SHIFT;
const GRANULE: u32 = 16;
/// Pages the descriptor table can name: the whole 4 GiB address space.
const MAX_PAGES: usize = 1 << (32 - PAGE_SHIFT);
/// Bits per page bitmap: one per slot of the smallest class.
const BITMAP_WORDS: usize = (PAGE_SIZE / GRANULE / 64) as usize;

/// Slot sizes of the small classes.
const CLASS_SIZES: [u32; 54] = [
    16, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 272, 288, 304, 320,
    336, 352, 368, 384, 400, 416, 432, 448, 464, 480, 496, 512, 640, 768, 896, 1024, 1280, 1536,
    1792, 2048, 2560, 3072, 3584, 4096, 5120, 6144, 7168, 8192, 10240, 12288, 14336, 16384, 24576,
    32768,
];
const NCLASSES: usize = CLASS_SIZES.len();
pub const LARGEST_CLASS: u32 = 32768;

pub const FREE: u8 = 0;
pub const SMALL: u8 = 1;
pub const LARGE: u8 = 2;
pub const LARGE_TAIL: u8 = 3;
/// `PAGE_DESC` entry of a descriptor page.
const DESC_PAGE: u32 = 1;

/// A page descriptor, in linear memory outside the page it describes.
#[repr(C)]
pub struct Page {
    pub state: u8,
    pub class: u8,
    _pad: u16,
    pub slot_size: u32,
    /// Head of the free list of slots (0: empty).
    pub free: u32,
    /// Next never-used slot address; `page end` when the page is carved out.
    pub bump: u32,
    /// Allocated slots (objects and raw buffers).
    pub live: u32,
    /// Pages of a large block (head page only).
    pub npages: u32,
    /// Next page number in this class's list of pages with room.
    pub next_partial: u32,
    pub in_partial: u32,
    /// `ceil(2^32 / slot_size)`: slot index = `(offset * recip) >> 32`, exact
    /// for offsets and sizes under 2^16 (no division on the hot paths).
    pub recip: u32,
    /// The page's slots' bits, 64 slots to a [`Bits`]: a slot's three bits lie
    /// together, so allocating or freeing it writes one place, and a request's first
    /// slots of a page share their bits' line of memory with the descriptor's fields.
    pub bits: [Bits; BITMAP_WORDS],
}

/// Bit `k` of each word is slot `64 * w + k` of the page (`w`, the index in
/// [`Page::bits`]).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Bits {
    /// Allocated (objects and raw buffers).
    pub alloc: u64,
    /// Holds a Lua object (the collector traces and sweeps it).
    pub object: u64,
    /// Marked in this collection.
    pub mark: u64,
}

const NO_BITS: Bits = Bits {
    alloc: 0,
    object: 0,
    mark: 0,
};

const DESC_SIZE: u32 = core::mem::size_of::<Page>() as u32;

struct Heap {
    /// First heap page number, and one past the last.
    first_page: u32,
    end_page: u32,
    /// Lowest page number that may be free.
    free_hint: u32,
    /// Per class: first page of the list of pages that may have room.
    partial: [u32; NCLASSES],
    /// Descriptor carving area.
    desc_next: u32,
    desc_end: u32,
    /// Bytes in allocated blocks (slot sizes, whole pages for large blocks).
    in_use: u64,
    /// Collection is due when `in_use` passes this.
    threshold: u64,
    /// Every `zeal`-th allocation makes a collection due (0: off).
    zeal: u32,
    zeal_count: u32,
    /// Where to raise the "collection due" flag (a `u32` in the main thread).
    pending_flag: u32,
    /// `collectgarbage("stop")` in effect.
    stopped: bool,
    /// Bytes ever allocated (statistics).
    allocated_total: u64,
    /// Bytes of blocks that are not Lua data (the Lua stack, thread state):
    /// left out of the count that drives collections and `collectgarbage("count")`.
    fixed: u64,
}

static mut HEAP: Heap = Heap {
    first_page: 0,
    end_page: 0,
    free_hint: 0,
    partial: [0; NCLASSES],
    desc_next: 0,
    desc_end: 0,
    in_use: 0,
    threshold: u64::MAX,
    zeal: 0,
    zeal_count: 0,
    pending_flag: 0,
    stopped: false,
    allocated_total: 0,
    fixed: 0,
};

static mut PAGE_DESC: [u32; MAX_PAGES] = [0; MAX_PAGES];

fn heap() -> &'static mut Heap {
    unsafe { &mut *core::ptr::addr_of_mut!(HEAP) }
}

#[inline]
fn desc_addr(page: u32) -> u32 {
    unsafe { (*core::ptr::addr_of!(PAGE_DESC))[page as usize] }
}

#[inline]
fn set_desc_addr(page: u32, d: u32) {
    unsafe { (*core::ptr::addr_of_mut!(PAGE_DESC))[page as usize] = d }
}

/// The descriptor of heap page `page`, if it has one.
#[inline]
pub fn page(page: u32) -> Option<&'static mut Page> {
    let d = desc_addr(page);
    if d <= DESC_PAGE {
        return None;
    }
    Some(unsafe { &mut *(d as usize as *mut Page) })
}

pub fn init(start: u32) {
    let h = heap();
    h.first_page = start.div_ceil(PAGE_SIZE);
    h.end_page = memory_end() >> PAGE_SHIFT;
    h.end_page = h.end_page.max(h.first_page);
    h.free_hint = h.first_page;
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

/// Bytes in allocated blocks of Lua data, live or garbage not yet swept.
pub fn in_use() -> u64 {
    let h = heap();
    h.in_use.saturating_sub(h.fixed)
}

/// Bytes of linear memory in use: the image below the heap, and every
/// allocated block.
pub fn footprint() -> u64 {
    let h = heap();
    ((h.first_page as u64) << PAGE_SHIFT) + h.in_use
}

/// Allocates a raw buffer that lives as long as the instance and is not Lua
/// data (left out of [`in_use`]).
pub fn alloc_fixed(size: u32) -> Option<u32> {
    let before = heap().in_use;
    let p = alloc(size)?;
    let h = heap();
    h.fixed += h.in_use - before;
    Some(p)
}

/// Bytes ever allocated.
pub fn allocated_total() -> u64 {
    heap().allocated_total
}

pub fn first_page() -> u32 {
    heap().first_page
}
pub fn end_page() -> u32 {
    heap().end_page
}

fn class_of(size: u32) -> usize {
    if size <= 512 {
        return ((size - 1) / GRANULE) as usize;
    }
    let mut c = 32;
    while CLASS_SIZES[c] < size {
        c += 1;
    }
    c
}

/// Allocates a raw buffer of `size` bytes (rounded up to 16), 16-byte
/// aligned. Contents are unspecified.
pub fn alloc(size: u32) -> Option<u32> {
    alloc_block(size, false)
}

/// Allocates a block for a Lua object: the collector will find it, and the
/// sweep frees it when unreachable. The caller writes its header at once.
pub fn alloc_object(size: u32) -> Option<u32> {
    alloc_block(size, true)
}

fn alloc_block(size: u32, object: bool) -> Option<u32> {
    let size = round_up(size.max(GRANULE));
    heap().allocated_total += size as u64;
    let p = if size <= LARGEST_CLASS {
        alloc_small(class_of(size), object)?
    } else {
        alloc_large(size, object)?
    };
    note_alloc();
    Some(p)
}

/// Counts an allocation towards the next collection.
#[inline]
fn note_alloc() {
    let h = heap();
    let due = if h.zeal != 0 {
        h.zeal_count += 1;
        if h.zeal_count >= h.zeal {
            h.zeal_count = 0;
            true
        } else {
            false
        }
    } else {
        false
    };
    if (due || (h.in_use.saturating_sub(h.fixed) > h.threshold && !h.stopped))
        && h.pending_flag != 0
    {
        wr32(h.pending_flag, 1);
    }
}

fn alloc_small(class: usize, object: bool) -> Option<u32> {
    let h = heap();
    loop {
        let pn = h.partial[class];
        if pn == 0 {
            carve(class)?;
            continue;
        }
        let d = page(pn).expect("partial page has a descriptor");
        let size = d.slot_size;
        let start = pn << PAGE_SHIFT;
        // Everything is worked out before anything is written, and the writes have no
        // branch between them: a module recording its writes then marks the
        // descriptor's fields once and the slot's bits once (`snapshot::plan_marks`
        // groups the stores of a straight line through one pointer).
        let (slot, free, bump) = if d.free != 0 {
            (d.free, rd32(d.free), d.bump)
        } else if d.bump + size <= start + PAGE_SIZE {
            (d.bump, 0, d.bump + size)
        } else {
            // Full: leave the list (a free in this page puts it back).
            h.partial[class] = d.next_partial;
            d.in_partial = 0;
            continue;
        };
        let i = slot_index(d, slot - start);
        let w = i / 64;
        if w >= BITMAP_WORDS {
            // Never: a slot's index is within its page (checked here, before the writes).
            return None;
        }
        let bit = 1u64 << (i % 64);
        let object_bit = bit & (object as u64).wrapping_neg();
        d.free = free;
        d.bump = bump;
        d.live += 1;
        d.bits[w].alloc |= bit;
        d.bits[w].object |= object_bit;
        h.in_use += size as u64;
        return Some(slot);
    }
}

/// Makes a free page the page with room of `class`, whose list is empty.
fn carve(class: usize) -> Option<()> {
    let pn = take_free_pages(1)?;
    let d = page(pn).expect("fresh page has a descriptor");
    reset_small(d, pn, class);
    d.in_partial = 1;
    d.next_partial = 0;
    heap().partial[class] = pn;
    Some(())
}

/// Gives every class of slots up to `max_size` bytes a page with room, carving a page for
/// each class that has none. Serve calls it before it takes the image its requests start
/// from: a request's first small allocations then take slots from pages the image has
/// rather than carve pages (and write their descriptors) anew each time. The pages hold
/// no blocks, so the counts the collector and `collectgarbage` see do not change.
pub fn carve_classes(max_size: u32) -> bool {
    CLASS_SIZES
        .iter()
        .enumerate()
        .take_while(|&(_, &size)| size <= max_size)
        .all(|(class, _)| heap().partial[class] != 0 || carve(class).is_some())
}

/// The index of the slot at byte `off` of a small-object page.
#[inline]
fn slot_index(d: &Page, off: u32) -> usize {
    divide_by_recip(off, d.recip) as usize
}

/// `ceil(2^32 / size)`.
fn recip_of(size: u32) -> u32 {
    (1u64 << 32).div_ceil(size as u64) as u32
}

/// `off / size` given `recip_of(size)`, for `off` and `size` under 2^16.
#[inline]
fn divide_by_recip(off: u32, recip: u32) -> u32 {
    ((off as u64 * recip as u64) >> 32) as u32
}

fn reset_small(d: &mut Page, pn: u32, class: usize) {
    d.state = SMALL;
    d.class = class as u8;
    d.slot_size = CLASS_SIZES[class];
    d.recip = recip_of(d.slot_size);
    d.free = 0;
    d.bump = pn << PAGE_SHIFT;
    d.live = 0;
    d.npages = 0;
    clear_bits(d);
}

/// Clears a page's bits, writing only the [`Bits`] that are not zero already. A free
/// page's bits are all zero (a fresh descriptor is zero memory; freeing a slot clears
/// its bits and only a page with no slot left is freed), so this normally writes nothing:
/// a request that carves a page leaves the descriptor's lines of linear memory as they
/// were, which serve then need not put back (docs/BENCHMARKS.md, eighth sitting).
fn clear_bits(d: &mut Page) {
    for b in d.bits.iter_mut() {
        if b.alloc | b.object | b.mark != 0 {
            *b = NO_BITS;
        }
    }
}

fn alloc_large(size: u32, object: bool) -> Option<u32> {
    let n = size.div_ceil(PAGE_SIZE);
    let pn = take_free_pages(n)?;
    let d = page(pn).expect("fresh page has a descriptor");
    d.state = LARGE;
    d.class = 0;
    d.slot_size = n << PAGE_SHIFT;
    d.free = 0;
    d.bump = 0;
    d.live = 1;
    d.npages = n;
    clear_bits(d);
    d.bits[0].alloc = 1;
    if object {
        d.bits[0].object = 1;
    }
    for t in pn + 1..pn + n {
        page(t).expect("fresh page has a descriptor").state = LARGE_TAIL;
    }
    heap().in_use += (n as u64) << PAGE_SHIFT;
    Some(pn << PAGE_SHIFT)
}

fn is_free_page(pn: u32) -> bool {
    match desc_addr(pn) {
        0 => true,
        DESC_PAGE => false,
        _ => page(pn).is_some_and(|d| d.state == FREE),
    }
}

/// Finds (or grows memory for) `n` contiguous free pages, gives each a
/// descriptor, and returns the first page number.
fn take_free_pages(n: u32) -> Option<u32> {
    let h = heap();
    let mut run_start = h.free_hint;
    let mut run = 0;
    let mut first_free = None;
    let mut pn = h.free_hint;
    while pn < h.end_page {
        if is_free_page(pn) {
            first_free.get_or_insert(pn);
            if run == 0 {
                run_start = pn;
            }
            run += 1;
            if run == n {
                break;
            }
        } else {
            run = 0;
        }
        pn += 1;
    }
    if n == 1 {
        h.free_hint = first_free.unwrap_or(h.end_page);
    }
    if run < n {
        // Extend the trailing run (possibly empty) by growing memory.
        if run == 0 {
            run_start = h.end_page;
        }
        let missing = n - run;
        let chunk = missing.max(16);
        if !grow(chunk) && !grow(missing) {
            return None;
        }
        h.end_page = memory_end() >> PAGE_SHIFT;
    }
    for p in run_start..run_start + n {
        if desc_addr(p) == 0 {
            let d = new_desc()?;
            set_desc_addr(p, d);
            let page = page(p).expect("just set");
            page.state = FREE;
            page.in_partial = 0;
        }
        // Claimed: callers set the state before the next search.
        page(p).expect("has a descriptor").state = LARGE_TAIL;
    }
    if n == 1 && h.free_hint == run_start {
        h.free_hint = run_start + 1;
    }
    Some(run_start)
}

/// Carves a page descriptor, taking a new descriptor page when needed.
fn new_desc() -> Option<u32> {
    let h = heap();
    if h.desc_next + DESC_SIZE > h.desc_end {
        // A descriptor page comes from the top of memory, never from a run
        // a caller is claiming.
        let pn = h.end_page;
        if !grow(1) {
            return None;
        }
        h.end_page = memory_end() >> PAGE_SHIFT;
        set_desc_addr(pn, DESC_PAGE);
        h.desc_next = pn << PAGE_SHIFT;
        h.desc_end = h.desc_next + PAGE_SIZE;
    }
    let d = h.desc_next;
    h.desc_next += DESC_SIZE.next_multiple_of(8);
    Some(d)
}

/// Where `addr` is in the heap: its page's descriptor and slot index, if it
/// is the start of an allocated block.
#[inline]
pub fn lookup(addr: u32) -> Option<(&'static mut Page, usize)> {
    let pn = addr >> PAGE_SHIFT;
    let h = heap();
    if pn < h.first_page || pn >= h.end_page {
        return None;
    }
    let d = page(pn)?;
    let off = addr & (PAGE_SIZE - 1);
    let i = match d.state {
        SMALL => {
            let i = slot_index(d, off);
            if i as u32 * d.slot_size != off {
                return None;
            }
            i
        }
        LARGE if off == 0 => 0,
        _ => return None,
    };
    if d.bits[i / 64].alloc & (1 << (i % 64)) == 0 {
        return None;
    }
    Some((d, i))
}

/// Whether `addr` lies in the heap's page range at all (anything else is
/// image data: immortal).
#[inline]
pub fn in_heap(addr: u32) -> bool {
    let pn = addr >> PAGE_SHIFT;
    let h = heap();
    pn >= h.first_page && pn < h.end_page
}

/// Returns a block obtained from [`alloc`] or [`alloc_object`] (its page
/// knows its size). Anything else — 0, image data, a block already free —
/// is ignored.
pub fn free(ptr: u32) {
    if ptr == 0 {
        return;
    }
    let Some((d, i)) = lookup(ptr) else {
        return;
    };
    free_slot(d, ptr, i);
}

fn free_slot(d: &mut Page, ptr: u32, i: usize) {
    let h = heap();
    let bit = 1u64 << (i % 64);
    d.bits[i / 64].alloc &= !bit;
    d.bits[i / 64].object &= !bit;
    d.bits[i / 64].mark &= !bit;
    if d.state == LARGE {
        let pn = ptr >> PAGE_SHIFT;
        h.in_use = h.in_use.saturating_sub(d.slot_size as u64);
        for p in pn..pn + d.npages {
            let pd = page(p).expect("large run has descriptors");
            pd.state = FREE;
        }
        d.live = 0;
        h.free_hint = h.free_hint.min(pn);
        return;
    }
    h.in_use = h.in_use.saturating_sub(d.slot_size as u64);
    wr32(ptr, d.free);
    d.free = ptr;
    d.live -= 1;
    if d.in_partial == 0 {
        d.in_partial = 1;
        d.next_partial = h.partial[d.class as usize];
        h.partial[d.class as usize] = ptr >> PAGE_SHIFT;
    }
}

/// Frees every object whose mark bit is clear (calling `finalize` on it
/// first, which may free raw buffers), clears every mark bit, returns empty
/// pages to the free pool and rebuilds the lists of pages with room.
pub fn sweep(finalize: fn(u32)) {
    let h = heap();
    for pn in h.first_page..h.end_page {
        let Some(d) = page(pn) else { continue };
        if d.state != SMALL && d.state != LARGE {
            continue;
        }
        let start = pn << PAGE_SHIFT;
        for w in 0..BITMAP_WORDS {
            let mut dead = d.bits[w].object & !d.bits[w].mark;
            while dead != 0 {
                let b = dead.trailing_zeros() as usize;
                dead &= dead - 1;
                let i = w * 64 + b;
                let addr = start + i as u32 * d.slot_size;
                finalize(addr);
                free_slot(d, addr, i);
            }
            d.bits[w].mark = 0;
        }
    }
    // Empty small pages go back to the pool; lists are rebuilt from scratch.
    h.partial = [0; NCLASSES];
    for pn in h.first_page..h.end_page {
        let Some(d) = page(pn) else { continue };
        d.in_partial = 0;
        if d.state != SMALL {
            continue;
        }
        if d.live == 0 {
            d.state = FREE;
            h.free_hint = h.free_hint.min(pn);
            continue;
        }
        if d.free != 0 || d.bump + d.slot_size <= (pn << PAGE_SHIFT) + PAGE_SIZE {
            d.in_partial = 1;
            d.next_partial = h.partial[d.class as usize];
            h.partial[d.class as usize] = pn;
        }
    }
}

/// Clears every mark bit (after the verifier's walk, which marks without
/// sweeping).
pub fn clear_marks() {
    let h = heap();
    for pn in h.first_page..h.end_page {
        if let Some(d) = page(pn) {
            for b in d.bits.iter_mut() {
                b.mark = 0;
            }
        }
    }
}

/// A collection becomes due when the bytes of Lua data in use pass
/// `threshold` (the collector computes it).
pub fn set_threshold(threshold: u64) {
    heap().threshold = threshold;
}

pub fn set_zeal(n: u32) {
    let h = heap();
    h.zeal = n;
    h.zeal_count = 0;
}

pub fn set_pending_flag(addr: u32) {
    heap().pending_flag = addr;
}

pub fn set_stopped(stopped: bool) {
    heap().stopped = stopped;
}

pub fn stopped() -> bool {
    heap().stopped
}

/// Checks the allocator's own invariants: every free-list entry is a free
/// slot of its page, counts add up, large runs are whole. Returns the first
/// problem found.
pub fn verify() -> Result<(), (&'static str, u32)> {
    let h = heap();
    let mut pn = h.first_page;
    while pn < h.end_page {
        let Some(d) = page(pn) else {
            pn += 1;
            continue;
        };
        match d.state {
            SMALL => {
                let start = pn << PAGE_SHIFT;
                let size = d.slot_size;
                if CLASS_SIZES.get(d.class as usize) != Some(&size) {
                    return Err(("page with a bad size class", start));
                }
                if d.bump < start || d.bump > start + PAGE_SIZE {
                    return Err(("page bump pointer out of its page", start));
                }
                let used = (d.bump - start) / size;
                let mut nfree = 0u32;
                let mut f = d.free;
                while f != 0 {
                    if f < start || f >= d.bump || (f - start) % size != 0 {
                        return Err(("free-list entry outside its page's slots", f));
                    }
                    let i = slot_index(d, f - start);
                    if d.bits[i / 64].alloc & (1 << (i % 64)) != 0 {
                        return Err(("allocated slot on a free list", f));
                    }
                    nfree += 1;
                    if nfree > used {
                        return Err(("free list longer than the page (a cycle?)", start));
                    }
                    f = rd32(f);
                }
                let mut nalloc = 0;
                for w in 0..BITMAP_WORDS {
                    if d.bits[w].object & !d.bits[w].alloc != 0 {
                        return Err(("object bit without allocation bit", start));
                    }
                    if d.bits[w].mark != 0 {
                        return Err(("mark bit left set outside a collection", start));
                    }
                    nalloc += d.bits[w].alloc.count_ones();
                }
                if nalloc != d.live || nalloc + nfree != used {
                    return Err(("page counts disagree with its bitmaps", start));
                }
                pn += 1;
            }
            LARGE => {
                for t in pn + 1..pn + d.npages {
                    if page(t).is_none_or(|td| td.state != LARGE_TAIL) {
                        return Err(("large block run broken", pn << PAGE_SHIFT));
                    }
                }
                if d.bits[0].mark != 0 {
                    return Err(("mark bit left set outside a collection", pn << PAGE_SHIFT));
                }
                pn += d.npages.max(1);
            }
            LARGE_TAIL => return Err(("large block tail without its head", pn << PAGE_SHIFT)),
            _ => pn += 1,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reciprocal_division_is_exact_for_every_class_and_offset() {
        for &size in CLASS_SIZES.iter() {
            let recip = recip_of(size);
            for off in 0..PAGE_SIZE {
                assert_eq!(divide_by_recip(off, recip), off / size, "{off} / {size}");
            }
        }
    }
}
