//! The contract between generated code, `runtime-gc` and the host.
//!
//! Everything that more than one side of moonshift reads or writes in linear
//! memory is defined here, once: how a Lua value is encoded in a `u64`, the
//! layout of every heap object the backend touches directly, the thread state,
//! the call ABI and its status codes. `runtime-gc` `const`-asserts its own
//! structs against these numbers; the backend emits loads and stores with
//! them; the host decodes values with them.
//!
//! This crate is `no_std` and has no dependencies, so it builds for
//! `wasm32-unknown-unknown` and for the host alike.
#![no_std]

/// NaN-boxed values (design-notes §1).
///
/// A value is a `u64`. A number is stored as its IEEE-754 bits; every other
/// type lives in the negative quiet-NaN space, with a tag in the high 32 bits
/// and a 32-bit payload (an address in linear memory, or zero) in the low 32.
///
/// ```text
///  hi32                         lo32
///  < 0xFFF9_0000  number        (rest of the double)
///  0xFFFF_FFFF    nil           0
///  0xFFFF_FFFE    false         0
///  0xFFFF_FFFD    true          0
///  0xFFFF_FFFC    lightuserdata payload
///  0xFFFF_FFFB    string        address
///  0xFFFF_FFFA    table         address
///  0xFFFF_FFF9    function      address of a closure
///  0xFFFF_FFF8    userdata      address
///  0xFFFF_FFF7    thread        address
///  0xFFFF_FFF0    cell          address (internal: a boxed captured local)
/// ```
///
/// Invariant: every number stored in a value is a non-NaN double or one of the
/// two canonical quiet NaNs (`0x7FF8…`, `0xFFF8…`), both of which compare below
/// [`value::NUMBER_LIMIT`].
pub mod numscan;

pub mod value {
    pub const TAG_NIL: u32 = 0xFFFF_FFFF;
    pub const TAG_FALSE: u32 = 0xFFFF_FFFE;
    pub const TAG_TRUE: u32 = 0xFFFF_FFFD;
    pub const TAG_LIGHTUD: u32 = 0xFFFF_FFFC;
    pub const TAG_STRING: u32 = 0xFFFF_FFFB;
    pub const TAG_TABLE: u32 = 0xFFFF_FFFA;
    pub const TAG_FUNCTION: u32 = 0xFFFF_FFF9;
    pub const TAG_USERDATA: u32 = 0xFFFF_FFF8;
    pub const TAG_THREAD: u32 = 0xFFFF_FFF7;
    pub const TAG_CELL: u32 = 0xFFFF_FFF0;

    pub const NIL: u64 = (TAG_NIL as u64) << 32;
    pub const FALSE: u64 = (TAG_FALSE as u64) << 32;
    pub const TRUE: u64 = (TAG_TRUE as u64) << 32;

    /// `v < NUMBER_LIMIT` (unsigned) iff `v` is a number.
    pub const NUMBER_LIMIT: u64 = 0xFFF9_0000_0000_0000;
    /// `v >= FALSY_MIN` (unsigned) iff `v` is nil or false.
    pub const FALSY_MIN: u64 = FALSE;
    /// The canonical NaN this runtime produces when it makes one itself.
    pub const CANONICAL_NAN: u64 = 0x7FF8_0000_0000_0000;

    #[inline]
    pub const fn tag(v: u64) -> u32 {
        (v >> 32) as u32
    }
    #[inline]
    pub const fn payload(v: u64) -> u32 {
        v as u32
    }
    #[inline]
    pub const fn boxed(tag: u32, payload: u32) -> u64 {
        ((tag as u64) << 32) | payload as u64
    }
    #[inline]
    pub const fn is_number(v: u64) -> bool {
        v < NUMBER_LIMIT
    }
    #[inline]
    pub const fn is_falsy(v: u64) -> bool {
        v >= FALSY_MIN
    }
    #[inline]
    pub const fn from_bool(b: bool) -> u64 {
        if b { TRUE } else { FALSE }
    }
    /// Encodes a double, canonicalising any NaN.
    #[inline]
    pub fn from_f64(x: f64) -> u64 {
        if x.is_nan() {
            CANONICAL_NAN
        } else {
            x.to_bits()
        }
    }
}

/// Object layouts in linear memory. All offsets are in bytes from the object's
/// address; every object starts with an 8-byte [`header`].
pub mod layout {
    /// `u8 kind | u8 flags | u16 aux | u32 gclist`.
    pub mod header {
        pub const KIND: u32 = 0;
        pub const FLAGS: u32 = 1;
        pub const AUX: u32 = 2;
        pub const GCLIST: u32 = 4;
        pub const SIZE: u32 = 8;
    }

    /// Object kinds stored in the header's first byte.
    pub mod kind {
        pub const STRING: u8 = 1;
        pub const TABLE: u8 = 2;
        pub const CLOSURE: u8 = 3;
        pub const CELL: u8 = 4;
        pub const USERDATA: u8 = 5;
        pub const THREAD: u8 = 6;
        /// A raw buffer owned by another object (array part, node part).
        pub const BUFFER: u8 = 7;
    }

    /// `header | len u32 | hash u32 | bytes…` — short strings (≤ 40 bytes)
    /// are interned; `hash` is always filled.
    pub mod string {
        pub const LEN: u32 = 8;
        pub const HASH: u32 = 12;
        pub const DATA: u32 = 16;
        pub const MAX_SHORT: u32 = 40;
    }

    /// `header | metatable u32 | asize u32 | array u32 | node u32 | node_mask u32 | lastfree u32`.
    ///
    /// `array` points at `asize` value slots (Lua indices `1..=asize`);
    /// `node` at `node_mask + 1` [`node`]s (a power of two), or is 0 for an
    /// empty hash part. A key's main position is `node + (hash & node_mask) * 24`.
    /// The header's `flags` byte caches the *absence* of metamethods when
    /// this table is used as a metatable (bit set = known absent).
    pub mod table {
        pub const METATABLE: u32 = 8;
        pub const ASIZE: u32 = 12;
        pub const ARRAY: u32 = 16;
        pub const NODE: u32 = 20;
        pub const NODE_MASK: u32 = 24;
        pub const LASTFREE: u32 = 28;
        pub const SIZE: u32 = 32;
    }

    /// A hash node: `key u64 | value u64 | next i32 | pad u32`.
    pub mod node {
        pub const KEY: u32 = 0;
        pub const VALUE: u32 = 8;
        pub const NEXT: u32 = 16;
        pub const SIZE: u32 = 24;
    }

    /// `header | func_index u32 | env u32 | nupvals u32 | pad u32 | upvals u64…`.
    ///
    /// `func_index` is the closure's entry in the module's function table;
    /// `env` the table its globals resolve in (Lua 5.1 `setfenv`). An upvalue
    /// slot holds the captured value itself when the captured local is never
    /// reassigned, and a cell (`TAG_CELL`) otherwise. A host function is a
    /// closure over the host trampoline whose first upvalue is its host id.
    pub mod closure {
        pub const FUNC_INDEX: u32 = 8;
        pub const ENV: u32 = 12;
        pub const NUPVALS: u32 = 16;
        pub const UPVALS: u32 = 24;
        pub const fn size(nupvals: u32) -> u32 {
            UPVALS + 8 * nupvals
        }
    }

    /// `header | value u64`: the home of a captured, reassigned local.
    pub mod cell {
        pub const VALUE: u32 = 8;
        pub const SIZE: u32 = 16;
    }
}

/// The per-thread state generated code reads through its `thread` argument.
pub mod thread {
    /// Address one past the last usable stack slot.
    pub const STACK_LIMIT: u32 = 0;
    /// Current Lua call depth, maintained by callers around non-tail calls.
    pub const DEPTH: u32 = 4;
    /// Non-zero when a collection is due: generated code tests it at every
    /// safepoint (function entry, loop back-edge).
    pub const GC_PENDING: u32 = 8;
    /// The call-site stack, inline in the thread state: a `u32` site id per
    /// depth. Before a call at depth `d` the caller stores its site at
    /// `SITES + 4 * (d + 1)`, so `error(msg, level)` and builtins find the
    /// positions LuaJIT reports.
    pub const SITES: u32 = 32;
    /// Flag bit of a call-site-stack entry whose frame a tail call replaced:
    /// the calling code is gone, so it cannot be named (LuaJIT's `'?'`).
    pub const TAIL_CALLED: u32 = 0x8000_0000;
    /// Start of the Lua stack.
    pub const STACK_BASE: u32 = 12;
    /// The pending error value while a `STATUS_ERROR` unwinds.
    pub const ERROR: u32 = 16;
    /// The frame stack, inline after the sites: the `base` of the function
    /// running at each depth (its closure is at `base - 8`), stored by the
    /// caller with the site. `getfenv`/`setfenv` levels find closures here.
    pub const FRAMES: u32 = SITES + 4 * DEPTH_SLOTS;
    /// Entries of each of the two stacks.
    pub const DEPTH_SLOTS: u32 = super::call::MAX_DEPTH + 8;
    pub const SIZE: u32 = FRAMES + 4 * DEPTH_SLOTS;
}

/// The one calling convention (design-notes §7).
///
/// Every Lua function and builtin has the wasm type
/// `(thread: i32, base: i32, nargs: i32) -> i32`. The callee closure is in the
/// slot just below `base` (`base - 8`); arguments are at `base .. base + 8*nargs`.
/// A non-negative return is the number of results, written from `base`; a
/// negative return is a status.
pub mod call {
    /// A Lua error is unwinding; the value is in the thread's `ERROR` field.
    pub const STATUS_ERROR: i32 = -1;
    /// `ngx.exit` or an equivalent host request to end the handler; not
    /// catchable by `pcall`.
    pub const STATUS_EXIT: i32 = -2;
    /// Slot offset of the callee relative to `base`.
    pub const CALLEE_OFFSET: i32 = -8;
    /// Maximum Lua call depth before `stack overflow` is raised.
    pub const MAX_DEPTH: u32 = 16_000;
    /// Bytes of Lua stack each thread gets.
    pub const STACK_BYTES: u32 = 8 << 20;

    /// Returned by runtime slow paths that want generated code to call a Lua
    /// function for them (a metamethod). The callee and arguments have been
    /// written at the scratch address the helper was given.
    pub const REQUEST_CALL: i32 = 1;
    /// Slow path finished; the result (if any) has been written.
    pub const DONE: i32 = 0;
    /// Slots of scratch space a helper that may request a call needs.
    pub const REQUEST_SLOTS: u32 = 4;
}

/// Driven builtins (`string.gsub`, `string.format`): generated code calls
/// the builtin's step function `step(thread, base, nargs, frame)` until it
/// finishes. `frame` is the builtin's frame, above its arguments (a vararg
/// function's layout); slots below are relative to it. A step returns a
/// negative status (an error), a result count (results at `base`), or
/// `REQUEST + k`: call the function at slot `SCRATCH` with the `k`
/// arguments after it, store the first result (nil if none) at slot
/// `RESULT`, and step again. Slots `STATE` to `RESULT` are nil when the
/// builtin starts; the step keeps its progress there, where the collector
/// sees it.
pub mod driven {
    pub const STATE: u32 = 0;
    pub const RESULT: u32 = 10;
    pub const SCRATCH: u32 = 11;
    pub const REQUEST: i32 = 0x100;
    /// At most this many arguments in a request (a pattern's captures).
    pub const MAX_ARGS: u32 = 32;
}

/// `string.format` with a constant format, planned ahead. A call whose first
/// argument is a string literal made only of text, `%%` and the common
/// conversions (`%d`, `%i`, `%s`, `%.Nf` with one digit N) is compiled with its
/// plan: when the callee is the builtin `string.format`, generated code first
/// tries the runtime's `lrt_format_plan`, which either makes the whole result
/// or makes nothing (an argument not of the plain form, more output than its
/// buffer holds) and leaves the call to the builtin. Both read a conversion
/// the same way (`runtime_gc::format::conv`), so the plan changes how the
/// format is read, not what it prints.
///
/// A plan is a byte string: `LITERAL len bytes…` (at most 255 bytes each),
/// `INTEGER`, `STRING`, `FIXED n`.
pub mod format_plan {
    pub const LITERAL: u8 = 0;
    /// `%d` and `%i`.
    pub const INTEGER: u8 = 1;
    /// `%s`.
    pub const STRING: u8 = 2;
    /// `%.Nf`, followed by N.
    pub const FIXED: u8 = 3;

    /// The planned conversion `spec` (a format from its `%`) starts with, as
    /// `(op, places, length of the specification)`; `None` for every other
    /// specification, `%%` included. The one reading of which forms are planned,
    /// for [`plan`] and for the runtime's unplanned `string.format`.
    #[inline]
    pub fn conversion(spec: &[u8]) -> Option<(u8, u8, usize)> {
        match *spec.get(1)? {
            b'd' | b'i' => Some((INTEGER, 0, 2)),
            b's' => Some((STRING, 0, 2)),
            b'.' => match (spec.get(2), spec.get(3)) {
                (Some(&d @ b'0'..=b'9'), Some(b'f')) => Some((FIXED, d - b'0', 4)),
                _ => None,
            },
            _ => None,
        }
    }

    /// One step of a plan: text, or a conversion `(op, places)` of the next argument.
    pub enum Step<'a> {
        Text(&'a [u8]),
        Convert(u8, u8),
    }

    /// The step of `plan` at `at` and where the next one starts (`plan` is one
    /// [`plan`] made).
    #[inline]
    pub fn step(plan: &[u8], at: usize) -> (Step<'_>, usize) {
        match plan[at] {
            LITERAL => {
                let end = at + 2 + plan[at + 1] as usize;
                (Step::Text(&plan[at + 2..end]), end)
            }
            FIXED => (Step::Convert(FIXED, plan[at + 1]), at + 2),
            op => (Step::Convert(op, 0), at + 1),
        }
    }

    /// Plans `fmt`, handing the plan's bytes to `out`; the number of
    /// conversions, or `None` (with some bytes handed out) when a conversion is
    /// not one of the planned forms.
    pub fn plan(fmt: &[u8], out: &mut impl FnMut(u8)) -> Option<u32> {
        fn text(bytes: &[u8], out: &mut impl FnMut(u8)) {
            for chunk in bytes.chunks(255) {
                out(LITERAL);
                out(chunk.len() as u8);
                chunk.iter().for_each(|&b| out(b));
            }
        }
        let (mut from, mut at, mut conversions) = (0, 0, 0);
        while at < fmt.len() {
            if fmt[at] != b'%' {
                at += 1;
                continue;
            }
            if fmt.get(at + 1) == Some(&b'%') {
                // The text so far and one `%`.
                text(&fmt[from..at + 1], out);
                at += 2;
                from = at;
                continue;
            }
            let (op, places, len) = conversion(&fmt[at..])?;
            text(&fmt[from..at], out);
            out(op);
            if op == FIXED {
                out(places);
            }
            conversions += 1;
            at += len;
            from = at;
        }
        text(&fmt[from..], out);
        Some(conversions)
    }
}

/// Call sites: every operation that can raise an error names a site record,
/// which the runtime reads to build LuaJIT's message (`chunk:line: attempt to
/// index local 't' (a nil value)`).
///
/// A record is `line u32 | chunk u16 | what_a u8 | what_b u8 | name_a u32 | name_b u32`:
/// `name_*` index the module's constant array (a string) or are `NO_NAME`.
pub mod site {
    pub const LINE: u32 = 0;
    pub const CHUNK: u32 = 4;
    pub const WHAT_A: u32 = 6;
    pub const WHAT_B: u32 = 7;
    pub const NAME_A: u32 = 8;
    pub const NAME_B: u32 = 12;
    pub const SIZE: u32 = 16;
    pub const NO_NAME: u32 = u32::MAX;

    /// What a named operand is, as LuaJIT words it.
    pub const WHAT_NONE: u8 = 0;
    pub const WHAT_LOCAL: u8 = 1;
    pub const WHAT_GLOBAL: u8 = 2;
    pub const WHAT_FIELD: u8 = 3;
    pub const WHAT_UPVALUE: u8 = 4;
    pub const WHAT_METHOD: u8 = 5;
    pub const WHAT_CONSTANT: u8 = 6;

    pub const fn what_word(what: u8) -> &'static str {
        match what {
            WHAT_LOCAL => "local",
            WHAT_GLOBAL => "global",
            WHAT_FIELD => "field",
            WHAT_UPVALUE => "upvalue",
            WHAT_METHOD => "method",
            WHAT_CONSTANT => "constant",
            _ => "",
        }
    }
}

/// Operators passed to the runtime's slow paths.
pub mod op {
    pub const ADD: i32 = 0;
    pub const SUB: i32 = 1;
    pub const MUL: i32 = 2;
    pub const DIV: i32 = 3;
    pub const MOD: i32 = 4;
    pub const POW: i32 = 5;
    pub const UNM: i32 = 6;
    pub const LT: i32 = 7;
    pub const LE: i32 = 8;
}

/// The module-level data the linker lays out after the runtime's static data
/// and before the heap: the constant array and the site table. The generated
/// `init` passes their addresses to `lrt_init`.
pub mod image {
    /// Alignment of the appended region.
    pub const ALIGN: u32 = 16;
}

/// Host imports the runtime and generated code call (module `moonshift`).
pub mod host {
    pub const MODULE: &str = "moonshift";
    /// `(fd: i32, ptr: i32, len: i32)` — write bytes to the host's stdout (1) or stderr (2).
    pub const WRITE: &str = "write";
    /// `(thread: i32, id: i32, base: i32, nargs: i32) -> i32` — a host function, Lua ABI.
    pub const CALL: &str = "call";
    /// What a host function returns for "make a new table with room for
    /// [`NEW_TABLE_HASH`] keys, `rawset(arg1, arg2, t)` and return `t`", which
    /// `lrt_host_trampoline` does in the module (the request's `ngx.ctx`, made on
    /// first use): calling back into the module for the table and the set cost more
    /// than the rest of the host call.
    pub const NEW_TABLE: i32 = -3;
    /// The hash slots of such a table: resty.core makes `ngx.ctx` with `new_tab(0, 4)`.
    pub const NEW_TABLE_HASH: u32 = 4;

    /// The results area (`ms_host_results` gives its address): strings a host call
    /// returns, left for `lrt_host_trampoline` to make once the call has returned.
    /// `count: u32`, then `count` entries of `slot u32` (the result's index), `len u32`
    /// and the bytes, each entry padded to [`results::ALIGN`].
    pub mod results {
        /// Offset of the entry count.
        pub const COUNT: u32 = 0;
        /// Offset of the first entry.
        pub const ENTRIES: u32 = 4;
        /// An entry's `slot` and `len` before its bytes.
        pub const ENTRY_HEAD: u32 = 8;
        pub const ALIGN: u32 = 4;
        /// Room for entries; a string that does not fit is made by a call into the module.
        pub const BYTES: u32 = 4096;
        /// The whole area.
        pub const SIZE: u32 = ENTRIES + BYTES;
    }
}

/// LuaJIT's "short source" of a chunk name as messages show it: names of 60
/// bytes or more are cut to `...` and their last 56 bytes. Returns whether
/// the name was cut and the part to show after the `...`.
pub fn short_src(name: &[u8]) -> (bool, &[u8]) {
    const LUA_IDSIZE: usize = 60;
    if name.len() >= LUA_IDSIZE {
        (true, &name[name.len() - (LUA_IDSIZE - 4)..])
    } else {
        (false, name)
    }
}

/// The default module search path of a script is [`script_dir`] followed by
/// each of these (`dir/?.lua;dir/?/init.lua`). The compiler and the reference
/// arm both build it from here, so LuaJIT finds the modules the compiler linked.
pub const MODULE_TEMPLATES: [&str; 2] = ["/?.lua", "/?/init.lua"];

/// The directory part of a script's path: `dir` for `dir/script.lua`, `.` for
/// a bare `script.lua`.
pub fn script_dir(script: &str) -> &str {
    match script.rfind('/') {
        Some(0) => "/",
        Some(i) => &script[..i],
        None => ".",
    }
}

/// The hash of a string's bytes, stored in every string object. The backend
/// computes it for constant keys at compile time to probe a table's main
/// position inline, so there is exactly one definition.
pub fn hash_bytes(s: &[u8]) -> u32 {
    // Eight bytes per step (a multiply and a rotation each), the tail in one
    // word, finished with murmur3's 64-bit avalanche so the low bits (the
    // bucket index) depend on every byte. A byte-at-a-time hash spent a
    // multiply per byte, which showed in profiles of string work (every new
    // string is hashed to be interned). The words are read from exact chunks
    // so each is one 8-byte load; indexing byte by byte left a bounds check
    // and a byte load per byte in the wasm build.
    let mut h = hash_start(s.len());
    let mut words = s.chunks_exact(8);
    for w in &mut words {
        h = hash_mix(h, u64::from_le_bytes(bytes_of(w)));
    }
    // The last 1–7 bytes in one word without a byte loop: two overlapping
    // 4-byte reads, or first, middle and last byte (the length is already
    // in `h`, so overlapping reads do not make strings collide).
    let tail = words.remainder();
    let rem = tail.len();
    if rem >= 4 {
        let lo = u32::from_le_bytes(bytes_of(&tail[..4])) as u64;
        let hi = u32::from_le_bytes(bytes_of(&tail[rem - 4..])) as u64;
        h = hash_mix(h, lo | hi << 32);
    } else if rem > 0 {
        let w = tail[0] as u64 | (tail[rem / 2] as u64) << 8 | (tail[rem - 1] as u64) << 16;
        h = hash_mix(h, w);
    }
    hash_finish(h)
}

const HASH_K: u64 = 0x9E37_79B9_7F4A_7C15;

/// [`hash_bytes`]'s state before any word: the length mixed in.
#[inline(always)]
fn hash_start(len: usize) -> u64 {
    0x243F_6A88_85A3_08D3 ^ (len as u64).wrapping_mul(HASH_K)
}

/// One word into [`hash_bytes`]'s state.
#[inline(always)]
fn hash_mix(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(HASH_K).rotate_left(29)
}

/// murmur3's 64-bit avalanche, to 32 bits.
#[inline(always)]
fn hash_finish(mut h: u64) -> u32 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h = h.wrapping_mul(0xC4CE_B9FE_1A85_EC53);
    h ^= h >> 33;
    h as u32
}

/// `b` as an array; its length is `N` at every call (a constant the compiler
/// sees, so this is one load).
#[inline(always)]
fn bytes_of<const N: usize>(b: &[u8]) -> [u8; N] {
    let mut a = [0; N];
    a.copy_from_slice(b);
    a
}

#[cfg(test)]
mod tests {
    use super::{hash_bytes, hash_finish, hash_mix, hash_start};

    extern crate std;
    use std::vec::Vec;

    fn plan(fmt: &[u8]) -> Option<(Vec<u8>, u32)> {
        let mut out = Vec::new();
        let n = super::format_plan::plan(fmt, &mut |b| out.push(b))?;
        Some((out, n))
    }

    #[test]
    fn format_plans_read_text_and_the_common_conversions() {
        use super::format_plan::{FIXED, INTEGER, LITERAL, STRING};
        let (p, n) = plan(b"{\"id\":%d,%s=%.2f%%}").expect("planned");
        let mut want = std::vec![LITERAL, 6];
        want.extend_from_slice(b"{\"id\":");
        want.extend_from_slice(&[
            INTEGER, LITERAL, 1, b',', STRING, LITERAL, 1, b'=', FIXED, 2,
        ]);
        want.extend_from_slice(&[LITERAL, 1, b'%', LITERAL, 1, b'}']);
        assert_eq!((p, n), (want, 3));
        assert_eq!(
            plan(b"%i%%").map(|(p, _)| p),
            Some(std::vec![INTEGER, LITERAL, 1, b'%'])
        );
        // Text longer than a literal holds is split.
        let long = [b'x'; 300];
        let (p, n) = plan(&long).expect("planned");
        assert_eq!((p.len(), n), (300 + 4, 0));
        assert_eq!((p[0], p[1], p[257], p[258]), (LITERAL, 255, LITERAL, 45));
        // Anything else is left to the builtin.
        for f in [
            &b"%5d"[..],
            b"%x",
            b"%.10f",
            b"%.f",
            b"%-s",
            b"%q",
            b"%",
            b"%.2",
            b"a%c",
        ] {
            assert_eq!(plan(f), None, "{}", std::string::String::from_utf8_lossy(f));
        }
    }

    /// The hash as its definition reads, one byte at a time: words of eight
    /// little-endian bytes, then the tail word (the mixing steps are shared: what
    /// this checks is how [`hash_bytes`] reads its words).
    fn hash_by_bytes(s: &[u8]) -> u32 {
        let n = s.len();
        let word =
            |at: usize, len: usize| (0..len).fold(0u64, |w, k| w | (s[at + k] as u64) << (8 * k));
        let mut h = hash_start(n);
        let mut i = 0;
        while i + 8 <= n {
            h = hash_mix(h, word(i, 8));
            i += 8;
        }
        let rem = n - i;
        match rem {
            0 => {}
            1..=3 => {
                h = hash_mix(
                    h,
                    s[i] as u64 | (s[i + rem / 2] as u64) << 8 | (s[n - 1] as u64) << 16,
                )
            }
            _ => h = hash_mix(h, word(i, 4) | word(n - 4, 4) << 32),
        }
        hash_finish(h)
    }

    #[test]
    fn hash_reads_words_as_the_definition_reads_bytes() {
        let mut bytes = [0u8; 200];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i.wrapping_mul(151) ^ (i >> 3)) as u8;
        }
        for len in 0..bytes.len() {
            for start in [0, 1, 5] {
                if start + len <= bytes.len() {
                    let s = &bytes[start..start + len];
                    assert_eq!(hash_bytes(s), hash_by_bytes(s), "length {len} from {start}");
                }
            }
        }
        // Strings differing in one byte anywhere, and in length only, hash apart.
        let base = hash_bytes(b"content_by_lua");
        assert_ne!(base, hash_bytes(b"content_by_luA"));
        assert_ne!(base, hash_bytes(b"Content_by_lua"));
        assert_ne!(hash_bytes(b"ab"), hash_bytes(b"ab\0"));
    }
}
