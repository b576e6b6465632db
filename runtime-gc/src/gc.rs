//! The garbage collector: precise, non-moving, stop-the-world mark-sweep.
//!
//! # Phases
//!
//! A collection runs to completion in one call, [`collect`]:
//!
//! 1. **Mark roots.** Every value the runtime holds outside the heap is
//!    marked: the globals table, the string metatable, `package.loaded` and
//!    `package.preload`, the constant array, the interned names the runtime
//!    uses, the builtin closures it keeps (`next`, the `ipairs` iterator,
//!    `tostring`), the preallocated out-of-memory message, the pending error
//!    of the main thread, and the Lua stack from its base up to the `top`
//!    the safepoint passes.
//! 2. **Trace.** Marked objects other than strings are pushed on a mark stack
//!    and traced until it is empty: a table marks its metatable, its array
//!    values and its node keys and values; a closure its environment and
//!    upvalues; a cell its value. Strings have no references.
//! 3. **Clear weak tables.** A table whose metatable has `__mode` containing
//!    `k` or `v` is traced without its weak half (except strings, which are
//!    values in Lua 5.1 and never cleared) and put on a list. After tracing,
//!    every entry of a listed table whose weak key or value is an unmarked
//!    object is removed: its value becomes nil and its key a *dead key*
//!    ([`DEAD_KEY`], a value nothing else equals), so the node stays in its
//!    chain until the next rehash, as the table invariants require.
//! 4. **Sweep strings from the intern table.** Interned strings are weak:
//!    the table's slot of an unmarked string becomes a tombstone.
//! 5. **Sweep the heap** ([`heap::sweep`]): every object block without a mark
//!    bit is finalised (a table frees its array and node buffers) and freed;
//!    mark bits are cleared; empty pages return to the page pool.
//! 6. **Set the next trigger**: `pause`% of the bytes that survived, capped
//!    below the host's memory limit.
//!
//! # Invariants
//!
//! - Every heap value reachable from a marked object is an allocated block
//!   with the object bit, of the kind its tag says. The verifier checks it.
//! - Mark bits are all clear outside a collection.
//! - Runtime helpers allocate but never collect; only generated code starts a
//!   collection, at a *safepoint*, where every live Lua value is in a frame
//!   slot below the top it passes (none in wasm locals or Rust variables).
//!
//! # Safepoints
//!
//! Allocation sets a flag in the main thread's state (`thread::GC_PENDING`)
//! when the bytes in use pass the trigger, or every N allocations in zeal
//! mode. Generated code tests the flag at every function entry and every loop
//! back-edge and calls [`lrt_gc_safepoint`] with its frame's top. The builtin
//! `collectgarbage` collects directly: it is called with the caller's values
//! in slots below its arguments.
//!
//! # Policy
//!
//! A collection becomes due when the bytes of Lua data in use pass the
//! trigger: `pause`% (`collectgarbage("setpause")`, 200 by default) of what
//! survived the last cycle, at least [`MIN_THRESHOLD`], and capped at half
//! the room left under the host's memory limit. The collector is not
//! incremental: a due collection runs whole, so `setstepmul` is accepted
//! and remembered but changes nothing, and `step` finishes a cycle.
//!
//! # Host handles
//!
//! The host holds no guest value while Lua runs: it builds values with the
//! `ms_*` calls between safepoints and hands them over at once (a host
//! function's results, the `ngx` table installed before the run). So there
//! is no handle registry yet; an API that must keep a value across Lua code
//! (say `ngx.ctx` across phases) adds one to the roots.
//!
//! # The stack is scanned conservatively
//!
//! Frame slots are not cleared when a frame is entered, so a slot of a local
//! not yet assigned may hold a stale value from an earlier call. A stack
//! value is therefore marked only if the heap's side bitmaps say it is the
//! start of an allocated object of the kind its tag names; a stale value
//! that happens to name a live object only keeps that object for one more
//! cycle. Every other reference (from heap objects and statics) is precise.
//! (Measured on 2026-11-26: nil-filling each frame at entry instead made the
//! fib benchmark 32–44 % slower and closures 5–20 %.)
//!
//! # Debug aids
//!
//! - **Zeal** (`ms_gc_configure(n, ..)`, `MOONSHIFT_GC_ZEAL=n` on the CLI):
//!   every n-th allocation makes a collection due at the next safepoint.
//! - **Verifier** ([`verify`], exported as `ms_gc_verify`): checks the
//!   allocator's page invariants (free lists within their pages and disjoint
//!   from allocated slots, counts equal to bitmaps, large runs whole, no mark
//!   bit left set), then walks everything reachable from the precise roots and
//!   checks that each reference is a live object of the right kind, that
//!   table buffers are live raw blocks, and that every intern-table entry is
//!   a live interned string.

use crate::abi::layout::{closure as lc, header, kind, node as ln, table as lt};
use crate::abi::thread as th;
use crate::abi::value::{self as v, boxed, payload, tag};
use crate::heap;
use crate::mem::{rd8, rd32, rd64, wr32, wr64};
use crate::{lib_base, ops, rt, string};

/// The key of a table node whose weak key was collected.
pub const DEAD_KEY: u64 = boxed(v::TAG_CELL, 0);

const MARK_STACK_SIZE: usize = 8192;

/// End of the weak-table list: a table's `GCLIST` is 0 exactly when it is
/// not on the list, so the last one points here instead.
const WEAK_END: u32 = 1;

struct Gc {
    stack: [u32; MARK_STACK_SIZE],
    sp: usize,
    overflowed: bool,
    /// Weak tables found by this cycle's trace, linked through `header::GCLIST`
    /// and ended by [`WEAK_END`].
    weak: u32,
    pause: u32,
    stepmul: u32,
    /// Host memory cap in bytes (0: none).
    limit: u64,
    cycles: u64,
    /// Set while the verifier walks the heap: report instead of mark.
    verifying: bool,
    error: Option<(&'static str, u32)>,
}

static mut GC: Gc = Gc {
    stack: [0; MARK_STACK_SIZE],
    sp: 0,
    overflowed: false,
    weak: WEAK_END,
    pause: 200,
    stepmul: 200,
    limit: 0,
    cycles: 0,
    verifying: false,
    error: None,
};

fn gc() -> &'static mut Gc {
    unsafe { &mut *core::ptr::addr_of_mut!(GC) }
}

/// Below this many bytes in use, no collection is triggered by debt. Small
/// on purpose: garbage reused while still in cache is much cheaper (the
/// concat benchmark ran 1.5x slower with 4 MiB than with 512 KiB).
const MIN_THRESHOLD: u64 = 512 << 10;

/// Called once the main thread exists.
pub fn init(thread: u32) {
    wr32(thread + th::GC_PENDING, 0);
    heap::set_pending_flag(thread + th::GC_PENDING);
    set_threshold();
}

fn set_threshold() {
    let g = gc();
    let live = heap::in_use();
    let mut t = (live / 100)
        .saturating_mul(g.pause as u64)
        .max(MIN_THRESHOLD);
    if g.limit != 0 {
        // Leave room below the cap: collect when half the remaining room is used.
        let room = g.limit.saturating_sub(heap::footprint());
        t = t.min(live + room / 2);
    }
    heap::set_threshold(t);
}

/// The kind of object a value's tag says it points to, if it is a reference.
#[inline]
fn kind_of_tag(x: u64) -> Option<u8> {
    match tag(x) {
        v::TAG_STRING => Some(kind::STRING),
        v::TAG_TABLE => Some(kind::TABLE),
        v::TAG_FUNCTION => Some(kind::CLOSURE),
        v::TAG_CELL => Some(kind::CELL),
        v::TAG_USERDATA => Some(kind::USERDATA),
        v::TAG_THREAD => Some(kind::THREAD),
        _ => None,
    }
}

/// Marks the object at `addr` (of `kind`) reached through a precise reference.
fn mark_object(addr: u32, kind_expected: u8) {
    if addr == 0 || !heap::in_heap(addr) {
        return; // image data and the dead key: immortal.
    }
    let Some((d, i)) = heap::lookup(addr) else {
        report("reference to a block that is not allocated", addr);
        return;
    };
    if d.bits[i / 64].object & (1 << (i % 64)) == 0 {
        report("reference to a raw buffer, not an object", addr);
        return;
    }
    if rd8(addr + header::KIND) != kind_expected {
        report("reference whose tag disagrees with the object's kind", addr);
        return;
    }
    set_mark(d, i, addr, kind_expected);
}

/// Sets the mark bit of object `i` of page `d` (at `addr`), queueing it for
/// tracing the first time.
#[inline]
fn set_mark(d: &mut heap::Page, i: usize, addr: u32, kind: u8) {
    let bit = 1u64 << (i % 64);
    if d.bits[i / 64].mark & bit != 0 {
        return;
    }
    d.bits[i / 64].mark |= bit;
    if kind != kind::STRING {
        push(addr);
    }
}

fn report(what: &'static str, addr: u32) {
    let g = gc();
    if g.error.is_none() {
        g.error = Some((what, addr));
    }
}

fn push(addr: u32) {
    let g = gc();
    if g.sp < MARK_STACK_SIZE {
        g.stack[g.sp] = addr;
        g.sp += 1;
    } else {
        g.overflowed = true;
    }
}

#[inline]
fn mark_value(x: u64) {
    if let Some(k) = kind_of_tag(x) {
        mark_object(payload(x), k);
    }
}

/// Marks a stack value only if it names a live object of its tag's kind.
fn mark_conservative(x: u64) {
    let Some(k) = kind_of_tag(x) else { return };
    let addr = payload(x);
    // `lookup` rejects anything that is not the start of an allocated block.
    let Some((d, i)) = heap::lookup(addr) else {
        return;
    };
    if d.bits[i / 64].object & (1 << (i % 64)) == 0 || rd8(addr + header::KIND) != k {
        return;
    }
    set_mark(d, i, addr, k);
}

fn mark_table_ptr(t: u32) {
    if t != 0 {
        mark_object(t, kind::TABLE);
    }
}

fn mark_roots(top: u32) {
    let r = rt();
    mark_value(r.globals);
    mark_table_ptr(r.string_meta);
    for i in 0..r.nconsts {
        mark_value(rd64(r.consts + 8 * i));
    }
    r.names.each(|s| mark_object(s, kind::STRING));
    lib_base::each_root(mark_value);
    ops::each_root(mark_value);
    crate::lib_cjson::each_root(mark_value);
    let t = r.main_thread;
    if t != 0 {
        mark_value(rd64(t + th::ERROR));
        if !gc().verifying {
            let base = rd32(t + th::STACK_BASE);
            let top = top.min(rd32(t + th::STACK_LIMIT));
            let mut a = base;
            while a + 8 <= top {
                mark_conservative(rd64(a));
                a += 8;
            }
        }
    }
}

/// Weak modes of a table: (keys weak, values weak).
fn weak_mode(t: u32) -> (bool, bool) {
    let mt = crate::table::metatable(t);
    if mt == 0 {
        return (false, false);
    }
    let mode = crate::table::get_str(mt, rt().names.mode);
    if tag(mode) != v::TAG_STRING {
        return (false, false);
    }
    let bytes = string::as_bytes(payload(mode));
    (bytes.contains(&b'k'), bytes.contains(&b'v'))
}

/// Marks `x` unless it is in a weak half (strings are marked regardless).
#[inline]
fn mark_maybe_weak(x: u64, weak: bool) {
    if !weak || tag(x) == v::TAG_STRING {
        mark_value(x);
    }
}

fn trace(obj: u32) {
    match rd8(obj + header::KIND) {
        kind::TABLE => trace_table(obj),
        kind::CLOSURE => {
            mark_table_ptr(rd32(obj + lc::ENV));
            let n = rd32(obj + lc::NUPVALS);
            for i in 0..n {
                mark_value(rd64(obj + lc::UPVALS + 8 * i));
            }
        }
        kind::CELL => mark_value(rd64(obj + crate::abi::layout::cell::VALUE)),
        _ => {}
    }
}

fn trace_table(t: u32) {
    let g = gc();
    mark_table_ptr(crate::table::metatable(t));
    let (wk, wv) = weak_mode(t);
    // A table traced twice (after a mark-stack overflow) joins the list once.
    if (wk || wv) && !g.verifying && rd32(t + header::GCLIST) == 0 {
        wr32(t + header::GCLIST, g.weak);
        g.weak = t;
    }
    let (wk, wv) = if g.verifying {
        (false, false)
    } else {
        (wk, wv)
    };
    let asize = rd32(t + lt::ASIZE);
    let array = rd32(t + lt::ARRAY);
    if g.verifying && asize > 0 {
        check_buffer(array, "table array part is not a live buffer");
    }
    for i in 0..asize {
        mark_maybe_weak(rd64(array + 8 * i), wv);
    }
    let node = rd32(t + lt::NODE);
    if node != 0 {
        if g.verifying {
            check_buffer(node, "table node part is not a live buffer");
        }
        let n = rd32(t + lt::NODE_MASK) + 1;
        for i in 0..n {
            let nd = node + i * ln::SIZE;
            let val = rd64(nd + ln::VALUE);
            if val == v::NIL {
                continue; // a free node or a dead key: nothing to keep.
            }
            mark_maybe_weak(rd64(nd + ln::KEY), wk);
            mark_maybe_weak(val, wv);
        }
    }
}

fn check_buffer(addr: u32, what: &'static str) {
    if !heap::in_heap(addr) {
        return;
    }
    match heap::lookup(addr) {
        Some((d, i)) if d.bits[i / 64].object & (1 << (i % 64)) == 0 => {}
        _ => report(what, addr),
    }
}

fn drain() {
    loop {
        let g = gc();
        if g.sp == 0 {
            break;
        }
        g.sp -= 1;
        let obj = g.stack[g.sp];
        trace(obj);
    }
}

/// After a mark-stack overflow: traces every marked object again (marking is
/// idempotent), until a pass ends without overflow.
fn recover_overflow() {
    while gc().overflowed {
        gc().overflowed = false;
        for pn in heap::first_page()..heap::end_page() {
            let Some(d) = heap::page(pn) else { continue };
            if d.state != heap::SMALL && d.state != heap::LARGE {
                continue;
            }
            let start = pn << heap::PAGE_SHIFT;
            for w in 0..d.bits.len() {
                let mut m = d.bits[w].mark & d.bits[w].object;
                while m != 0 {
                    let b = m.trailing_zeros() as usize;
                    m &= m - 1;
                    let addr = start + (w * 64 + b) as u32 * d.slot_size;
                    trace(addr);
                    drain();
                }
            }
        }
    }
}

fn is_marked(addr: u32) -> bool {
    if !heap::in_heap(addr) {
        return true;
    }
    match heap::lookup(addr) {
        Some((d, i)) => d.bits[i / 64].mark & (1 << (i % 64)) != 0,
        None => false,
    }
}

/// Whether a weak reference to `x` should be cleared.
fn is_dead(x: u64) -> bool {
    match tag(x) {
        v::TAG_TABLE | v::TAG_FUNCTION | v::TAG_USERDATA | v::TAG_THREAD | v::TAG_CELL => {
            !is_marked(payload(x))
        }
        _ => false,
    }
}

fn clear_weak_tables() {
    let mut t = gc().weak;
    gc().weak = WEAK_END;
    while t != WEAK_END {
        let next = rd32(t + header::GCLIST);
        wr32(t + header::GCLIST, 0);
        let (wk, wv) = weak_mode(t);
        let asize = rd32(t + lt::ASIZE);
        let array = rd32(t + lt::ARRAY);
        if wv {
            for i in 0..asize {
                if is_dead(rd64(array + 8 * i)) {
                    wr64(array + 8 * i, v::NIL);
                }
            }
        }
        let node = rd32(t + lt::NODE);
        if node != 0 {
            let n = rd32(t + lt::NODE_MASK) + 1;
            for i in 0..n {
                let nd = node + i * ln::SIZE;
                let val = rd64(nd + ln::VALUE);
                if val == v::NIL {
                    continue;
                }
                let key = rd64(nd + ln::KEY);
                if (wk && is_dead(key)) || (wv && is_dead(val)) {
                    wr64(nd + ln::VALUE, v::NIL);
                    wr64(nd + ln::KEY, DEAD_KEY);
                }
            }
        }
        t = next;
    }
}

/// Frees what an object owns besides its own block.
fn finalize(obj: u32) {
    if rd8(obj + header::KIND) == kind::TABLE {
        let array = rd32(obj + lt::ARRAY);
        if rd32(obj + lt::ASIZE) > 0 {
            heap::free(array);
        }
        let node = rd32(obj + lt::NODE);
        if node != 0 {
            heap::free(node);
        }
    }
}

/// A full collection. `top` is one past the highest live stack slot.
pub fn collect(top: u32) {
    let g = gc();
    g.sp = 0;
    g.overflowed = false;
    g.weak = WEAK_END;
    g.verifying = false;
    mark_roots(top);
    drain();
    recover_overflow();
    clear_weak_tables();
    string::sweep_intern(is_marked);
    heap::sweep(finalize);
    gc().cycles += 1;
    set_threshold();
    let t = rt().main_thread;
    if t != 0 {
        wr32(t + th::GC_PENDING, 0);
    }
}

/// Checks the heap; `Ok` or the first problem and the address it concerns.
pub fn verify() -> Result<(), (&'static str, u32)> {
    heap::verify()?;
    let g = gc();
    g.error = None;
    g.sp = 0;
    g.overflowed = false;
    g.verifying = true;
    mark_roots(0);
    drain();
    recover_overflow();
    string::each_interned(|s| {
        if heap::in_heap(s) {
            match heap::lookup(s) {
                Some((d, i)) if d.bits[i / 64].object & (1 << (i % 64)) != 0 => {}
                _ => report("intern table names a freed string", s),
            }
        }
        if !string::is_interned(s) {
            report("intern table names a string not flagged interned", s);
        }
    });
    heap::clear_marks();
    g.verifying = false;
    match g.error.take() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

// ---- Exports ---------------------------------------------------------------

/// Called by generated code at a safepoint when its flag is up: a
/// collection is due, or the host's watchdog wants the run to end (then
/// `poll` does not return).
#[unsafe(no_mangle)]
pub extern "C" fn lrt_gc_safepoint(_t: u32, top: u32) {
    // SAFETY: a plain host import with no arguments.
    unsafe { crate::lib_base::host_poll() };
    collect(top);
}

/// Zeal (collect every `zeal` allocations, 0: off) and the host's memory
/// cap in bytes (0: none), set by the host after instantiation.
#[unsafe(no_mangle)]
pub extern "C" fn ms_gc_configure(zeal: u32, limit: u32) {
    heap::set_zeal(zeal);
    gc().limit = limit as u64;
    set_threshold();
}

/// A full collection with no Lua frame live (between requests).
#[unsafe(no_mangle)]
pub extern "C" fn ms_gc_collect() {
    let t = rt().main_thread;
    let base = if t == 0 { 0 } else { rd32(t + th::STACK_BASE) };
    collect(base);
}

static mut VERIFY_MESSAGE: (u32, u32) = (0, 0);

/// Runs the verifier: 0 when the heap is sound, else the faulty address (or
/// 1), with a message available from [`ms_gc_message`].
#[unsafe(no_mangle)]
pub extern "C" fn ms_gc_verify() -> u32 {
    match verify() {
        Ok(()) => 0,
        Err((what, addr)) => {
            unsafe {
                VERIFY_MESSAGE = (what.as_ptr() as usize as u32, what.len() as u32);
            }
            addr.max(1)
        }
    }
}

/// The verifier's last message as `ptr | len << 32`.
#[unsafe(no_mangle)]
pub extern "C" fn ms_gc_message() -> u64 {
    let (p, l) = unsafe { VERIFY_MESSAGE };
    p as u64 | ((l as u64) << 32)
}

/// Completed collections.
#[unsafe(no_mangle)]
pub extern "C" fn ms_gc_cycles() -> u64 {
    gc().cycles
}

/// Bytes allocated since the instance started.
#[unsafe(no_mangle)]
pub extern "C" fn ms_gc_allocated() -> u64 {
    heap::allocated_total()
}

/// `collectgarbage(opt, arg)`; `top` is the end of the caller's live slots.
/// Returns the result value, or `Err` for an unknown option.
pub fn collectgarbage(opt: &[u8], arg: f64, top: u32) -> Result<u64, ()> {
    let g = gc();
    let n = |x: f64| x.to_bits();
    Ok(match opt {
        b"collect" => {
            collect(top);
            n(0.0)
        }
        b"count" => n(heap::in_use() as f64 / 1024.0),
        b"step" => {
            // Every step finishes a whole cycle here: report it finished.
            collect(top);
            v::TRUE
        }
        b"isrunning" => v::from_bool(!heap::stopped()),
        b"stop" => {
            heap::set_stopped(true);
            n(0.0)
        }
        b"restart" => {
            heap::set_stopped(false);
            set_threshold();
            n(0.0)
        }
        b"setpause" => {
            let old = g.pause;
            g.pause = arg.max(0.0) as u32;
            set_threshold();
            n(old as f64)
        }
        b"setstepmul" => {
            let old = g.stepmul;
            g.stepmul = arg.max(0.0) as u32;
            n(old as f64)
        }
        _ => return Err(()),
    })
}
