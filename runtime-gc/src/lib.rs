//! runtime-gc: the Lua runtime that lives inside every moonshift module.
//!
//! This crate is compiled for `wasm32-unknown-unknown` (by `backend/build.rs`)
//! and linked with the generated code into one module by the backend. It
//! owns every Lua value's memory: the heap, strings, tables, closures, cells,
//! the Lua stack of each thread and the base library. Nothing about a Lua
//! value lives in the host.
//!
//! Boundaries:
//! - Exports are scalar-only `extern "C"` functions. `lrt_*` are for generated
//!   code and are removed from the export list by the linker; `ms_*` form the
//!   small embedding API the host uses to build the request environment.
//! - **The runtime never calls Lua.** A slow path that needs a metamethod
//!   writes the callee and its arguments into a scratch area of the caller's
//!   frame and returns [`abi::call::REQUEST_CALL`]; generated code makes the call.
//! - Helpers allocate but never collect: collections start only at the
//!   safepoints generated code chooses (see [`gc`] for the collector's design).
//!
//! Every function here is `unsafe` in spirit: addresses come from generated
//! code and are trusted. The compiler is responsible for passing valid ones.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![allow(clippy::missing_safety_doc, static_mut_refs)]

pub use moonshift_abi as abi;

pub mod driven;
pub mod format;
pub mod gc;
pub mod heap;
pub mod lib_base;
pub mod lib_bit;
pub mod lib_cjson;
pub mod lib_math;
pub mod lib_os;
pub mod lib_string;
pub mod lib_table;
pub mod mem;
pub mod number;
pub mod ops;
pub mod pattern;
pub mod string;
pub mod table;
pub mod value;

use abi::value as v;
use mem::{rd32, rd64, wr32, wr64};

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// Process-wide runtime state. There is one Lua state per instance.
pub struct Runtime {
    /// Address of the constant array (`nconsts` values) laid out by the linker.
    pub consts: u32,
    pub nconsts: u32,
    /// Address of the site table.
    pub sites: u32,
    pub nsites: u32,
    /// Address of the chunk-name table (`u32` constant indices).
    pub chunks: u32,
    /// The main thread.
    pub main_thread: u32,
    /// The globals table (`_G`).
    pub globals: u64,
    /// Metatable of strings (`string` library as `__index`).
    pub string_meta: u32,
    /// Interned names the runtime uses (metamethod names etc.).
    pub names: string::Names,
}

pub static mut RT: Runtime = Runtime {
    consts: 0,
    nconsts: 0,
    sites: 0,
    nsites: 0,
    chunks: 0,
    main_thread: 0,
    globals: v::NIL,
    string_meta: 0,
    names: string::Names::EMPTY,
};

#[inline]
pub fn rt() -> &'static mut Runtime {
    // SAFETY: single-threaded module; no reentrancy holds a reference across calls.
    unsafe { &mut *core::ptr::addr_of_mut!(RT) }
}

/// Layout of the image header the linker writes (all `u32`).
pub mod image {
    pub const CONSTS: u32 = 0;
    pub const NCONSTS: u32 = 4;
    pub const SITES: u32 = 8;
    pub const NSITES: u32 = 12;
    pub const CHUNKS: u32 = 16;
    pub const HEAP_START: u32 = 20;
    pub const SIZE: u32 = 24;
}

/// Initialises the runtime from the image the linker laid out and returns
/// the main thread, or 0 when memory could not be had.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_init(image_addr: u32) -> u32 {
    let r = rt();
    r.consts = rd32(image_addr + image::CONSTS);
    r.nconsts = rd32(image_addr + image::NCONSTS);
    r.sites = rd32(image_addr + image::SITES);
    r.nsites = rd32(image_addr + image::NSITES);
    r.chunks = rd32(image_addr + image::CHUNKS);
    heap::init(rd32(image_addr + image::HEAP_START));
    for i in 0..r.nconsts {
        wr64(r.consts + 8 * i, v::NIL);
    }
    if !string::Names::init() {
        return 0;
    }
    ops::init_oom();
    let thread = new_thread();
    if thread == 0 {
        return 0;
    }
    r.main_thread = thread;
    gc::init(thread);
    let Some(g) = table::new(0, 64) else { return 0 };
    r.globals = v::boxed(v::TAG_TABLE, g);
    if !lib_base::open(g) {
        return 0;
    }
    thread
}

/// Allocates a thread state with its Lua stack.
fn new_thread() -> u32 {
    use abi::thread as th;
    let Some(state) = heap::alloc_fixed(th::SIZE) else {
        return 0;
    };
    let Some(stack) = heap::alloc_fixed(abi::call::STACK_BYTES) else {
        return 0;
    };
    // No call site yet at any depth; frames are zero.
    mem::fill(state + th::SITES, 0xFF, 4 * th::DEPTH_SLOTS);
    mem::fill(state + th::FRAMES, 0, 4 * th::DEPTH_SLOTS);
    wr32(state + th::STACK_LIMIT, stack + abi::call::STACK_BYTES);
    wr32(state + th::DEPTH, 0);
    wr32(state + th::STACK_BASE, stack);
    wr64(state + th::ERROR, v::NIL);
    // The stack is fresh memory: all zero bits, i.e. the number 0 in every
    // slot, a valid value. It is not filled, so untouched pages stay unmapped.
    state
}

/// Interns the string constant `idx` from `len` bytes at `ptr`.
#[unsafe(no_mangle)]
pub extern "C" fn lrt_const_str(idx: u32, ptr: u32, len: u32) -> i32 {
    match string::intern(mem::bytes(ptr, len)) {
        Some(s) => {
            wr64(rt().consts + 8 * idx, v::boxed(v::TAG_STRING, s));
            abi::call::DONE
        }
        None => abi::call::STATUS_ERROR,
    }
}

/// The globals table, as a value.
#[unsafe(no_mangle)]
pub extern "C" fn ms_globals() -> u64 {
    rt().globals
}

/// The value of constant `idx` (for the host; generated code loads directly).
pub fn constant(idx: u32) -> u64 {
    rd64(rt().consts + 8 * idx)
}
