//! The wasmtime arm: runs a module produced by the backend.
//!
//! A [`WasmProgram`] is compiled once (one `Engine`, one `Module`, one
//! `InstancePre`); every run or request gets a fresh instance (design-notes
//! §11, P1): isolated, with its own memory cap and deadline.
//!
//! Host imports (module `moonshift`):
//! - `write(fd, ptr, len)`: `print` output;
//! - `call(thread, id, base, nargs) -> i32`: a host function ([`crate::ngx::HostFn`])
//!   with the Lua calling convention. Arguments are read from the guest's Lua
//!   stack, the one ngx implementation runs, results are written back with
//!   the runtime's embedding API (`ms_*` exports).
//!
//! Guest pointers are only held for the duration of one host call. Not true
//! yet: host-built values (the `ngx` table) are not registered as GC roots —
//! there is no collector in this version; the GC issue adds a registry.
//!
//! Limits: a per-run deadline and a memory cap through a store limiter;
//! exceeding either ends the run with a clear error, never the process.
//!
//! The deadline does not use wasmtime's epoch interruption, which checks at
//! every function entry and loop head: generated code already tests the
//! thread's safepoint flag at every Lua loop head and at the entry of every
//! function that calls (so at every step of any unbounded run), and the
//! runtime's safepoint asks the host (`poll`) before collecting. A watchdog
//! thread raises the flag of every run past its deadline; `poll` then traps
//! with [`wasmtime::Trap::Interrupt`]. Measured: the epoch checks cost
//! 5–12 % on call- and loop-heavy benchmarks.
//!
//! - `poll()`: traps when the run is past its deadline.

use smallvec::SmallVec;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

use moonshift_abi::host::results;
use moonshift_abi::{call as abi_call, layout, thread as th, value as val};
use wasmtime::error::Context;
use wasmtime::{
    Caller, Config, Engine, Extern, InstancePre, Linker, Memory, Module, Store, StoreLimits,
    StoreLimitsBuilder,
};
use wasmtime::{Result, format_err as anyhow};

use crate::diff::Engine as DiffEngine;
use crate::exports::{Checked, Export};
use crate::gateway;
use crate::ngx::RunEnd;
use crate::ngx::{self, Arm, Field, HostFn, HostValue, NgxRequest, Outcome, Request, Response};

/// Limits applied to each instance.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Linear memory cap in bytes.
    pub max_memory: usize,
    /// Wall-clock budget per run.
    pub timeout: Duration,
    /// GC zeal: a collection every this many allocations (0: off).
    pub gc_zeal: u32,
    /// Run the heap verifier after each run and report a broken heap as the
    /// run's error.
    pub verify_heap: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_memory: 256 << 20,
            timeout: Duration::from_secs(10),
            gc_zeal: 0,
            verify_heap: false,
        }
    }
}

impl Limits {
    /// Defaults, with `MOONSHIFT_GC_ZEAL` and `MOONSHIFT_GC_VERIFY` from the
    /// environment.
    pub fn from_env() -> Self {
        let mut l = Limits::default();
        l.apply_env();
        l
    }

    /// Applies `MOONSHIFT_GC_ZEAL=N` and `MOONSHIFT_GC_VERIFY=1`.
    pub fn apply_env(&mut self) {
        if let Some(n) = std::env::var("MOONSHIFT_GC_ZEAL")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            self.gc_zeal = n;
        }
        if std::env::var_os("MOONSHIFT_GC_VERIFY").is_some_and(|v| v != "0") {
            self.verify_heap = true;
        }
    }
}

/// The watchdog looks at the running calls this often.
const TICK: Duration = Duration::from_millis(10);

/// While a guest call runs: its deadline and the address of its thread's
/// safepoint flag (in the host's address space).
#[derive(Default)]
struct Watch {
    armed: Mutex<Option<(Instant, usize)>>,
}

/// The watches of live stores, scanned by the watchdog thread.
fn watches() -> &'static Mutex<Vec<Weak<Watch>>> {
    static WATCHES: OnceLock<Mutex<Vec<Weak<Watch>>>> = OnceLock::new();
    WATCHES.get_or_init(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(TICK);
                let now = Instant::now();
                let mut list = watches().lock().unwrap_or_else(|e| e.into_inner());
                list.retain(|w| w.strong_count() > 0);
                for w in list.iter().filter_map(Weak::upgrade) {
                    let armed = w.armed();
                    if let Some((deadline, flag)) = *armed
                        && now >= deadline
                    {
                        // SAFETY: armed only while a guest call runs, so the
                        // linear memory (which never moves) is mapped; the
                        // flag is an aligned u32 the guest only reads and
                        // clears. Raised again every tick until the guest
                        // reaches a safepoint.
                        unsafe { (flag as *mut u32).write_volatile(1) };
                    }
                }
            }
        });
        Mutex::new(Vec::new())
    })
}

impl Watch {
    fn armed(&self) -> std::sync::MutexGuard<'_, Option<(Instant, usize)>> {
        self.armed.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the running call is past its deadline at `now`.
    fn expired(&self, now: Instant) -> bool {
        self.armed().is_some_and(|(deadline, _)| now >= deadline)
    }

    fn new() -> Arc<Watch> {
        let w = Arc::new(Watch::default());
        watches()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::downgrade(&w));
        w
    }
}
/// Native stack the guest may use; runs happen on a thread with more than this.
const WASM_STACK: usize = 256 << 20;
pub const THREAD_STACK: usize = WASM_STACK + (64 << 20);

/// Per-instance host state.
pub struct HostState {
    limits: StoreLimits,
    /// The current run's deadline, shared with the watchdog.
    watch: Arc<Watch>,
    pub stdout: Vec<u8>,
    ngx: Option<Box<NgxRequest>>,
    api: Option<Api>,
    /// When the instance was made (`os.clock` counts from here).
    started: Instant,
    /// A guest buffer (address, capacity) that strings from the host pass through.
    scratch: (u32, u32),
    /// The strings a host call returns, as the module's results area takes them; kept
    /// for the next call.
    results_buf: Vec<u8>,
}

/// Strings longer than this pass through a buffer of their own, freed after, so
/// an instance does not keep a large scratch buffer alive.
const SCRATCH_MAX: u32 = 64 * 1024;

/// The runtime's embedding API (`ms_*` exports), bound once per instance and shared by
/// reference.
type Api = Arc<ApiFuncs>;

/// Declares the runtime exports the host calls: [`ExportIndex`] finds and checks them
/// once per program, [`ApiFuncs`] holds them bound to one instance.
macro_rules! runtime_exports {
    ($($field:ident: $name:literal, $p:ty => $r:ty;)*) => {
        /// The runtime's exports in a compiled module, checked against the types the
        /// host calls them with.
        struct ExportIndex {
            $($field: Checked<$p, $r>,)*
            memory: wasmtime::ModuleExport,
            /// A module that records its writes (`snapshot::tracking_writes`): its dirty
            /// map, the function that resets its globals, and where the map's summary
            /// starts.
            tracking: Option<(wasmtime::ModuleExport, Checked<(), ()>, usize)>,
            /// The results area's address, once an instance has told it.
            results: OnceLock<u32>,
        }

        impl ExportIndex {
            fn new(module: &Module, max_memory: usize) -> Result<Self> {
                Ok(ExportIndex {
                    $($field: Checked::find(module, $name)?,)*
                    memory: module
                        .get_export_index("memory")
                        .ok_or_else(|| anyhow!("module exports no memory"))?,
                    tracking: match module.get_export_index(crate::snapshot::DIRTY_MAP) {
                        Some(map) => Some((
                            map,
                            Checked::find(module, crate::snapshot::RESET_GLOBALS)?,
                            crate::snapshot::summary_base(max_memory as u64),
                        )),
                        None => None,
                    },
                    results: OnceLock::new(),
                })
            }
        }

        struct ApiFuncs {
            $($field: Export<$p, $r>,)*
            /// The guest's linear memory (looked up once, not by name at every host call).
            memory: Memory,
            /// A tracking module's dirty map, which the host marks where it writes, its
            /// globals' reset, and where the map's summary starts.
            tracking: Option<(Memory, Export<(), ()>, usize)>,
            /// The results area (`abi::host::results`), where host calls leave the strings
            /// they return for the module to make.
            results: u32,
        }

        impl ApiFuncs {
            fn resolve(
                index: &ExportIndex,
                instance: &wasmtime::Instance,
                store: &mut Store<HostState>,
            ) -> Result<Api> {
                let memory = match instance.get_module_export(&mut *store, &index.memory) {
                    Some(Extern::Memory(m)) => m,
                    _ => return Err(anyhow!("module exports no memory")),
                };
                $(let $field = index.$field.bind(*instance);)*
                let tracking = match &index.tracking {
                    Some((map, reset, summary)) => match instance.get_module_export(&mut *store, map) {
                        Some(Extern::Memory(m)) => Some((m, reset.bind(*instance), *summary)),
                        _ => return Err(anyhow!("module exports no dirty map")),
                    },
                    None => None,
                };
                let mut api = ApiFuncs { $($field,)* memory, tracking, results: 0 };
                // A static address of the runtime: the same in every instance.
                api.results = match index.results.get() {
                    Some(&r) => r,
                    None => {
                        let r = api.host_results.call(&mut *store, ())? as u32;
                        *index.results.get_or_init(|| r)
                    }
                };
                Ok(Arc::new(api))
            }
        }
    };
}

runtime_exports! {
    init: "init", () => i32;
    run_main: "run_main", i32 => i32;
    run_entry: "run_entry", (i32, i32) => i32;
    host_results: "ms_host_results", () => i32;
    alloc: "ms_alloc", i32 => i32;
    free: "ms_free", i32 => ();
    string: "ms_string", (i32, i32) => i64;
    table: "ms_table", (i32, i32) => i64;
    rawset: "ms_rawset", (i64, i64, i64) => i32;
    rawget: "ms_rawget", (i64, i64) => i64;
    setmetatable: "ms_setmetatable", (i64, i64) => ();
    host_function: "ms_host_function", i32 => i64;
    next: "ms_next", (i64, i64, i32) => i32;
    where_: "ms_where", (i32, i32) => i64;
    caller_name: "ms_caller_name", i32 => i64;
    callee_name: "ms_callee_name", i32 => i64;
    raise: "ms_raise", (i32, i32, i32, i32) => i32;
    error_text: "ms_error_text", i32 => i64;
    globals: "ms_globals", () => i64;
    clear_ngx_ctx: "ms_clear_ngx_ctx", () => i32;
    gc_configure: "ms_gc_configure", (i32, i32) => ();
    gc_verify: "ms_gc_verify", () => i32;
    gc_message: "ms_gc_message", () => i64;
    gc_collect: "ms_gc_collect", () => ();
    gc_cycles: "ms_gc_cycles", () => i64;
    gc_allocated: "ms_gc_allocated", () => i64;
    heap_in_use: "ms_heap_in_use", () => i64;
    carve_classes: "ms_carve_classes", () => i32;
}

/// A compiled module, ready to instantiate.
#[derive(Clone)]
pub struct WasmProgram {
    engine: Engine,
    pre: InstancePre<HostState>,
    exports: Arc<ExportIndex>,
    limits: Limits,
    /// A pre-initialised image ([`crate::snapshot`]): `init` already ran, and this is the
    /// thread it returned.
    preinit: Option<u32>,
}

/// Machine code of single functions, kept for the life of the process.
///
/// Every module links the same runtime (~1 000 functions), so all but the
/// script's own functions are found here after the first compilation: a
/// test suite compiling thousands of modules pays Cranelift once for the
/// runtime. Cranelift keys entries by the function's whole IR, so a stale
/// hit is impossible.
#[derive(Debug, Default)]
struct FunctionCache {
    entries: Mutex<HashMap<Vec<u8>, Arc<[u8]>>>,
}

impl wasmtime::CacheStore for FunctionCache {
    fn get(&self, key: &[u8]) -> Option<std::borrow::Cow<'_, [u8]>> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .map(|v| std::borrow::Cow::Owned(v.to_vec()))
    }

    fn insert(&self, key: &[u8], value: Vec<u8>) -> bool {
        match self.entries.lock() {
            Ok(mut entries) => {
                entries.insert(key.to_vec(), value.into());
                true
            }
            Err(_) => false,
        }
    }
}

/// One engine per process.
fn shared_engine() -> Result<Engine> {
    static ENGINE: OnceLock<std::result::Result<Engine, String>> = OnceLock::new();
    make_engine(&ENGINE, false)
}

/// The engine `serve` instantiates from: the same code generation, with wasmtime's
/// pooling allocator, so an instance per request reuses a slot (its linear memory reset
/// in place, see `make_engine`) instead of mapping and unmapping memory.
fn pooled_engine() -> Result<Engine> {
    static ENGINE: OnceLock<std::result::Result<Engine, String>> = OnceLock::new();
    make_engine(&ENGINE, true)
}

/// The most written bytes a pooled slot resets in place and keeps resident when the
/// kernel can tell which pages were written; the rest is released to the kernel.
const KEEP_RESIDENT: usize = 16 << 20;

/// Whether the pooled engine resets slots with `PAGEMAP_SCAN` (Linux 6.7 and later).
pub fn pagemap_reset() -> bool {
    wasmtime::PoolingAllocationConfig::is_pagemap_scan_available()
}

/// Concurrent instances the pooled engine holds (tokio's blocking threads, 64, plus
/// headroom for several configurations in one process).
const POOL_INSTANCES: u32 = 256;

fn make_engine(
    slot: &'static OnceLock<std::result::Result<Engine, String>>,
    pooled: bool,
) -> Result<Engine> {
    let engine = slot.get_or_init(|| {
        let mut config = Config::new();
        if pooled {
            let mut pool = wasmtime::PoolingAllocationConfig::default();
            // Two memories per instance: linear memory and, for modules that record
            // their writes, the dirty map (`snapshot::tracking_writes`).
            // Fewer under valgrind, whose address space the pool's reservations overrun
            // (`MOONSHIFT_POOL_INSTANCES=4`, docs/BENCHMARKS.md).
            let instances = std::env::var("MOONSHIFT_POOL_INSTANCES")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(POOL_INSTANCES);
            pool.total_memories(2 * instances)
                .max_memories_per_module(2)
                .total_tables(instances)
                .total_core_instances(instances)
                .total_stacks(instances)
                .max_memory_size(1 << 32)
                .table_elements(1 << 16)
                .table_keep_resident(1 << 16);
            if pagemap_reset() {
                // Linux 6.7 and later: an instance's slot is reset by asking the kernel
                // which pages of the copy-on-write image the request wrote
                // (`PAGEMAP_SCAN`) and copying back only those, which stay resident for
                // the next request; nothing is unmapped, so there are no page faults
                // and TLB shootdowns per request. Measured with scripts/load-test: 54
                // against 490 us of CPU per request (docs/BENCHMARKS.md).
                pool.pagemap_scan(wasmtime::Enabled::Yes)
                    .linear_memory_keep_resident(KEEP_RESIDENT);
                config.memory_init_cow(true);
            } else {
                // Without the scan, copying the image's few hundred KiB into a resident
                // slot beats mapping it copy-on-write: the write faults of a request
                // cost TLB shootdowns on every core (measured with scripts/load-test:
                // 3.9k against 1.9k requests/s).
                pool.linear_memory_keep_resident(1 << 20);
                config.memory_init_cow(false);
            }
            config.allocation_strategy(wasmtime::InstanceAllocationStrategy::Pooling(pool));
        }
        // The watchdog writes into linear memory from another thread.
        config.memory_may_move(false);
        config.max_wasm_stack(WASM_STACK);
        config.async_stack_size(WASM_STACK + (1 << 20));
        config.wasm_tail_call(true);
        if std::env::var_os("MOONSHIFT_PERFMAP").is_some() {
            // Writes /tmp/perf-PID.map so `perf report` names compiled functions.
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        config
            .enable_incremental_compilation(Arc::new(FunctionCache::default()))
            .map_err(|e| format!("{e:#}"))?;
        Engine::new(&config).map_err(|e| format!("{e:#}"))
    });
    engine.clone().map_err(|e| anyhow!("{e}"))
}

pub use crate::reference::RunOutput;

/// The module from the machine-code cache, or compiled and added to it. The file name is
/// the SHA-1 of the module and of this build's wasmtime version, so a stale entry is
/// never loaded.
fn cached_module(engine: &Engine, wasm: &[u8], dir: &std::path::Path) -> Result<Module> {
    use sha1::Digest as _;
    let mut h = sha1::Sha1::new();
    h.update(b"wasmtime 48 moonshift ");
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(wasm);
    let key: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    let path = dir.join(format!("{key}.cwasm"));
    if path.exists() {
        // SAFETY: the file was written by `Module::serialize` of this build's engine
        // (the key covers the version) into the user's own cache directory.
        if let Ok(m) = unsafe { Module::deserialize_file(engine, &path) } {
            return Ok(m);
        }
    }
    let module = Module::new(engine, wasm).context("compiling the module with wasmtime")?;
    if std::fs::create_dir_all(dir).is_ok()
        && let Ok(bytes) = module.serialize()
    {
        let tmp = dir.join(format!("{key}.{}.tmp", std::process::id()));
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, &path);
        }
    }
    Ok(module)
}

/// The machine code wasmtime makes of `wasm` with the engine every run
/// uses, as the ELF object it would load (for reading the generated code).
pub fn precompile(wasm: &[u8]) -> Result<Vec<u8>> {
    shared_engine()?.precompile_module(wasm)
}

impl WasmProgram {
    pub fn new(wasm: &[u8], limits: Limits) -> Result<Self> {
        Self::new_cached(wasm, limits, None)
    }

    /// [`new`](Self::new), with wasmtime's machine code kept in `cache_dir` under the
    /// module's hash: a restart with the same module loads it instead of compiling.
    pub fn new_cached(
        wasm: &[u8],
        limits: Limits,
        cache_dir: Option<&std::path::Path>,
    ) -> Result<Self> {
        Self::build(wasm, limits, cache_dir, false)
    }

    fn build(
        wasm: &[u8],
        limits: Limits,
        cache_dir: Option<&std::path::Path>,
        pooled: bool,
    ) -> Result<Self> {
        let engine = if pooled {
            pooled_engine()?
        } else {
            shared_engine()?
        };
        let module = match cache_dir {
            Some(dir) => cached_module(&engine, wasm, dir)?,
            None => Module::new(&engine, wasm).context("compiling the module with wasmtime")?,
        };
        let mut linker: Linker<HostState> = Linker::new(&engine);
        linker.func_wrap(
            "moonshift",
            "write",
            |mut caller: Caller<'_, HostState>, fd: i32, ptr: i32, len: i32| {
                let mem = memory(&mut caller)?;
                let bytes = read_bytes(&mem, &caller, ptr as u32, len as u32)?;
                if fd == 1 {
                    caller.data_mut().stdout.extend_from_slice(&bytes);
                }
                Ok(())
            },
        )?;
        // The clock `os.time`/`os.date` read, and `os.clock`'s processor
        // time (approximated by the time since the run started).
        linker.func_wrap("moonshift", "now", || -> f64 {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0)
        })?;
        linker.func_wrap(
            "moonshift",
            "clock",
            |caller: Caller<'_, HostState>| -> f64 {
                caller.data().started.elapsed().as_secs_f64()
            },
        )?;
        linker.func_wrap(
            "moonshift",
            "poll",
            |caller: Caller<'_, HostState>| -> Result<()> {
                if caller.data().watch.expired(Instant::now()) {
                    return Err(wasmtime::Trap::Interrupt.into());
                }
                Ok(())
            },
        )?;
        linker.func_wrap(
            "moonshift",
            "call",
            |mut caller: Caller<'_, HostState>,
             t: i32,
             id: i32,
             base: i32,
             nargs: i32|
             -> Result<i32> {
                host_call(
                    &mut caller,
                    t as u32,
                    id as u32,
                    base as u32,
                    nargs.max(0) as u32,
                )
            },
        )?;
        let pre = linker.instantiate_pre(&module)?;
        Ok(WasmProgram {
            exports: Arc::new(ExportIndex::new(&module, limits.max_memory)?),
            engine,
            pre,
            limits,
            preinit: None,
        })
    }

    fn instantiate(&self) -> Result<Guest> {
        let limits = StoreLimitsBuilder::new()
            .memory_size(self.limits.max_memory)
            .build();
        let mut store = Store::new(
            &self.engine,
            HostState {
                limits,
                watch: Watch::new(),
                stdout: Vec::new(),
                ngx: None,
                api: None,
                started: Instant::now(),
                scratch: (0, 0),
                results_buf: Vec::new(),
            },
        );
        store.limiter(|s| &mut s.limits);
        let instance = self.pre.instantiate(&mut store)?;
        let api = ApiFuncs::resolve(&self.exports, &instance, &mut store)?;
        let memory = api.memory;
        store.data_mut().api = Some(api.clone());
        let thread = match self.preinit {
            Some(t) => t as i32,
            None => {
                let thread = api.init.call(&mut store, ())?;
                if thread == 0 {
                    return Err(anyhow!("not enough memory to start the module"));
                }
                let cap = u32::try_from(self.limits.max_memory).unwrap_or(u32::MAX);
                api.gc_configure
                    .call(&mut store, (self.limits.gc_zeal as i32, cap as i32))?;
                thread
            }
        };
        Ok(Guest {
            instance,
            store,
            api,
            memory,
            thread: thread as u32,
        })
    }

    /// Runs the module as a plain script (`moonshift run`).
    pub fn run_script(&self) -> RunOutput {
        let this = self.clone();
        on_big_stack(move || this.run_script_inner(&mut None))
    }

    /// [`run_script`](Self::run_script), also returning the collector's
    /// statistics at the end of the run.
    pub fn run_script_with_stats(&self) -> (RunOutput, Option<GcStats>) {
        let this = self.clone();
        on_big_stack(move || {
            let mut stats = None;
            let out = this.run_script_inner(&mut Some(&mut stats));
            (out, stats)
        })
    }

    fn run_script_inner(&self, stats: &mut Option<&mut Option<GcStats>>) -> RunOutput {
        let mut guest = match self.instantiate() {
            Ok(g) => g,
            Err(e) => return failure(Vec::new(), &format!("{e:#}")),
        };
        let out = self.run_script_in(&mut guest);
        if let Some(slot) = stats {
            **slot = guest.gc_stats().ok();
        }
        out
    }

    fn run_script_in(&self, guest: &mut Guest) -> RunOutput {
        let status = guest.run_main_until(self.limits.timeout);
        let stdout = std::mem::take(&mut guest.store.data_mut().stdout);
        if self.limits.verify_heap
            && status.is_ok()
            && let Err(e) = guest.verify_heap()
        {
            return failure(stdout, &e);
        }
        match status {
            Ok(n) if n >= 0 || n == abi_call::STATUS_EXIT => RunOutput {
                stdout,
                stderr: Vec::new(),
                exit_code: 0,
            },
            Ok(_) => {
                let msg = guest.error_text();
                failure(stdout, &msg)
            }
            Err(trap) => failure(stdout, &describe_trap(&trap, &self.limits)),
        }
    }

    /// Handles one request as a content handler.
    pub fn handle_request(&self, req: &Request) -> Response {
        let this = self.clone();
        let req = req.clone();
        on_big_stack(move || this.handle_inner(req))
    }

    fn handle_inner(&self, req: Request) -> Response {
        let ngx_req = NgxRequest::new(req);
        let mut guest = match self.instantiate() {
            Ok(g) => g,
            Err(e) => return ngx_req.finish_with_error(&format!("{e:#}")),
        };
        if let Err(e) = guest.install_ngx() {
            return ngx_req.finish_with_error(&format!("{e:#}"));
        }
        self.serve(&mut guest, ngx_req)
    }

    /// Runs the handler in `guest` for one request.
    fn serve(&self, guest: &mut Guest, ngx_req: NgxRequest) -> Response {
        guest.store.data_mut().ngx = Some(Box::new(ngx_req));
        let status = guest.run_main_until(self.limits.timeout);
        let ran = status.is_ok();
        let mut error = match status {
            Ok(n) if n >= 0 || n == abi_call::STATUS_EXIT => None,
            Ok(_) => Some(guest.error_text()),
            Err(trap) => Some(describe_trap(&trap, &self.limits)),
        };
        if self.limits.verify_heap
            && ran
            && let Err(e) = guest.verify_heap()
        {
            error = Some(e);
        }
        let ngx_req = guest
            .store
            .data_mut()
            .ngx
            .take()
            .expect("request state survives the run");
        match error {
            None => ngx_req.finish(),
            Some(msg) => ngx_req.finish_with_error(&msg),
        }
    }
}

impl WasmProgram {
    /// Runs `f` with one instance that serves every request it is given, as
    /// an ngx_lua worker does (globals and `require`d state persist).
    pub fn with_long_lived<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut LongLived) -> R + Send + 'static,
    ) -> Result<R> {
        let this = self.clone();
        on_big_stack(move || {
            let mut guest = this.instantiate()?;
            guest.install_ngx()?;
            let mut instance = LongLived {
                program: this,
                guest,
            };
            Ok(f(&mut instance))
        })
    }
}

impl WasmProgram {
    /// Runs the script once (it builds live data), then times `iterations`
    /// full collections from the host. Returns the bytes in use after the
    /// first collection and each collection's time.
    pub fn time_full_collections(&self, iterations: u32) -> Result<(u64, Vec<Duration>)> {
        let this = self.clone();
        on_big_stack(move || {
            let mut guest = this.instantiate()?;
            let out = this.run_script_in(&mut guest);
            if out.exit_code != 0 {
                return Err(anyhow!("{}", String::from_utf8_lossy(&out.stderr)));
            }
            guest.api.gc_collect.call(&mut guest.store, ())?;
            let live = guest.gc_stats()?.in_use;
            let mut times = Vec::new();
            for _ in 0..iterations {
                let start = std::time::Instant::now();
                guest.api.gc_collect.call(&mut guest.store, ())?;
                times.push(start.elapsed());
            }
            Ok((live, times))
        })
    }
}

impl WasmProgram {
    /// Checks that the heap verifier sees a broken heap: after the script
    /// runs, a string held by the globals table is freed behind the
    /// collector's back. Returns the verifier's verdict (for tests).
    #[doc(hidden)]
    pub fn verify_after_freeing_a_live_string(&self) -> Result<std::result::Result<(), String>> {
        let this = self.clone();
        on_big_stack(move || {
            let mut guest = this.instantiate()?;
            let _ = this.run_script_in(&mut guest);
            let mut ctx = GuestCtx {
                store: &mut guest.store,
                api: guest.api.clone(),
                memory: guest.memory,
            };
            let long = vec![b'x'; 200];
            let s = ctx.string(&long)?;
            let k = ctx.string(b"victim")?;
            let g = ctx.api.globals.call(&mut *ctx.store, ())? as u64;
            ctx.rawset(g, k, s)?;
            let free = &ctx.api.free;
            free.call(&mut *ctx.store, s as u32 as i32)?;
            Ok(guest.verify_heap())
        })
    }
}

/// An instance kept across requests (see [`WasmProgram::with_long_lived`]).
pub struct LongLived {
    program: WasmProgram,
    guest: Guest,
}

impl LongLived {
    pub fn handle(&mut self, req: &Request) -> Response {
        self.program
            .serve(&mut self.guest, NgxRequest::new(req.clone()))
    }

    pub fn gc_stats(&mut self) -> Result<GcStats> {
        self.guest.gc_stats()
    }
}

fn failure(stdout: Vec<u8>, msg: &str) -> RunOutput {
    RunOutput {
        stdout,
        stderr: format!("moonshift: {msg}\n").into_bytes(),
        exit_code: 1,
    }
}

fn describe_trap(trap: &wasmtime::Error, limits: &Limits) -> String {
    if let Some(t) = trap.downcast_ref::<wasmtime::Trap>() {
        return match t {
            wasmtime::Trap::Interrupt => {
                format!("script exceeded its time limit of {:?}", limits.timeout)
            }
            wasmtime::Trap::StackOverflow => {
                "stack overflow (native stack of the module exhausted)".into()
            }
            other => format!("the module trapped: {other}"),
        };
    }
    format!("the module failed: {trap:#}")
}

/// Runs `f` on a thread whose stack can hold the guest's deepest recursion.
fn on_big_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(THREAD_STACK)
        .spawn(f)
        .expect("spawning the guest thread")
        .join()
        .unwrap_or_else(|p| std::panic::resume_unwind(p))
}

struct Guest {
    instance: wasmtime::Instance,
    store: Store<HostState>,
    api: Api,
    memory: Memory,
    thread: u32,
}

impl Guest {
    /// Runs the main function with `timeout` to go: the watchdog raises the
    /// safepoint flag once it has passed, and `poll` traps.
    fn run_main_until(&mut self, timeout: Duration) -> Result<i32> {
        let flag = self.memory.data_ptr(&self.store) as usize
            + self.thread as usize
            + th::GC_PENDING as usize;
        let watch = self.store.data().watch.clone();
        *watch.armed() = Some((Instant::now() + timeout, flag));
        let status = self.api.run_main.call(&mut self.store, self.thread as i32);
        *watch.armed() = None;
        status
    }

    /// Runs the main chunk whose entry is `entry` (see `backend::compile_handlers`).
    fn run_entry_until(&mut self, entry: u32, until: Instant) -> Result<i32> {
        let flag = self.memory.data_ptr(&self.store) as usize
            + self.thread as usize
            + th::GC_PENDING as usize;
        let watch = self.store.data().watch.clone();
        *watch.armed() = Some((until, flag));
        let status = self
            .api
            .run_entry
            .call(&mut self.store, (self.thread as i32, entry as i32));
        *watch.armed() = None;
        status
    }
}

/// What the collector did during a run.
#[derive(Clone, Copy, Debug)]
pub struct GcStats {
    pub collections: u64,
    /// Bytes allocated over the whole run.
    pub allocated: u64,
    /// Bytes in allocated blocks at the end (live or not yet swept).
    pub in_use: u64,
    /// Size of linear memory at the end: memory never shrinks, so this is
    /// the peak.
    pub linear_memory: u64,
}

impl Guest {
    fn gc_stats(&mut self) -> Result<GcStats> {
        Ok(GcStats {
            collections: self.api.gc_cycles.call(&mut self.store, ())? as u64,
            allocated: self.api.gc_allocated.call(&mut self.store, ())? as u64,
            in_use: self.api.heap_in_use.call(&mut self.store, ())? as u64,
            linear_memory: self.memory.data_size(&self.store) as u64,
        })
    }

    /// Runs the heap verifier, then a full collection and the verifier again.
    fn verify_heap(&mut self) -> std::result::Result<(), String> {
        // Generated code probes a table without a hash part at address 0
        // (node pointer 0, mask 0): those bytes must still read as a node
        // whose key matches no string and whose chain leads back to itself.
        if self.memory.data(&self.store)[..layout::node::SIZE as usize]
            .iter()
            .any(|&b| b != 0)
        {
            return Err("heap verifier: the null node at address 0 was written".into());
        }
        let check = |g: &mut Guest, when: &str| -> std::result::Result<(), String> {
            let bad = g
                .api
                .gc_verify
                .call(&mut g.store, ())
                .map_err(|e| format!("heap verifier trapped {when}: {e:#}"))?;
            if bad == 0 {
                return Ok(());
            }
            let packed = g.api.gc_message.call(&mut g.store, ()).unwrap_or(0) as u64;
            let (ptr, len) = (packed as u32 as usize, (packed >> 32) as usize);
            let data = g.memory.data(&g.store);
            let what = data
                .get(ptr..ptr + len)
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default();
            Err(format!(
                "heap verifier {when}: {what} (at {:#x})",
                bad as u32
            ))
        };
        check(self, "after the run")?;
        self.api
            .gc_collect
            .call(&mut self.store, ())
            .map_err(|e| format!("collection trapped: {e:#}"))?;
        check(self, "after a full collection")
    }

    /// Whether the pending error object is a string or a number (`lua_isstring`).
    fn error_is_text(&self) -> bool {
        let at = self.thread as usize + th::ERROR as usize;
        let data = self.memory.data(&self.store);
        let Some(bytes) = data.get(at..at + 8) else {
            return false;
        };
        let e = u64::from_le_bytes(bytes.try_into().expect("8 bytes"));
        val::is_number(e) || val::tag(e) == val::TAG_STRING
    }

    fn error_text(&mut self) -> String {
        match self
            .api
            .error_text
            .call(&mut self.store, self.thread as i32)
        {
            Ok(packed) if packed != 0 => {
                let (ptr, len) = (packed as u64 as u32, (packed as u64 >> 32) as u32);
                let data = self.memory.data(&self.store);
                String::from_utf8_lossy(&data[ptr as usize..(ptr + len) as usize]).into_owned()
            }
            _ => "not enough memory".into(),
        }
    }

    /// `ngx.ctx = nil`, raw (the next read makes a new table).
    fn clear_ctx(&mut self) -> Result<()> {
        if self.api.clear_ngx_ctx.call(&mut self.store, ())? != 0 {
            return Err(anyhow!("not enough memory"));
        }
        Ok(())
    }

    /// Builds the `ngx` table (and the other ngx_lua globals) in the guest.
    fn install_ngx(&mut self) -> Result<()> {
        self.install_ngx_with(&[])
    }

    /// The `ngx` table, with `ngx.shared.NAME` for each of `dicts`.
    fn install_ngx_with(&mut self, dicts: &[&'static str]) -> Result<()> {
        let mut ctx = GuestCtx {
            store: &mut self.store,
            api: self.api.clone(),
            memory: self.memory,
        };
        let (fields, meta) = ngx::ngx_table_with(dicts);
        let ngx_value = ctx.build_table(&fields, meta)?;
        let g = ctx.api.globals.call(&mut *ctx.store, ())? as u64;
        let key = ctx.string(b"ngx")?;
        ctx.rawset(g, key, ngx_value)?;
        for (name, field) in ngx::ngx_globals() {
            let v = ctx.field(&field)?;
            let k = ctx.string(name.as_bytes())?;
            ctx.rawset(g, k, v)?;
        }
        Ok(())
    }
}

/// Calls into the embedding API, from the host (before a run) or from inside
/// a host function (through a `Caller`).
struct GuestCtx<'a, S: wasmtime::AsContextMut<Data = HostState>> {
    store: &'a mut S,
    api: Api,
    memory: Memory,
}

impl<S: wasmtime::AsContextMut<Data = HostState>> GuestCtx<'_, S> {
    /// Removes every key of table `t` (raw), as `table.clear` does.
    fn clear_table(&mut self, t: u64) -> Result<()> {
        let api = Arc::clone(&self.api);
        let out = api.alloc.call(&mut *self.store, 16)?;
        if out == 0 {
            return Err(anyhow!("not enough memory"));
        }
        let mut keys = Vec::new();
        let mut k = val::NIL;
        while api.next.call(&mut *self.store, (t as i64, k as i64, out))? == 1 {
            let mut buf = [0u8; 8];
            self.memory.read(&*self.store, out as usize, &mut buf)?;
            k = u64::from_le_bytes(buf);
            keys.push(k);
        }
        api.free.call(&mut *self.store, out)?;
        for k in keys {
            self.rawset(t, k, val::NIL)?;
        }
        Ok(())
    }

    /// A guest string of `bytes`. The bytes go through the instance's scratch
    /// buffer (allocated once, grown as needed), so a short string costs one call
    /// into the guest rather than allocate, make and free.
    fn string(&mut self, bytes: &[u8]) -> Result<u64> {
        let api = Arc::clone(&self.api);
        let len = bytes.len() as u32;
        let (mut ptr, cap) = self.store.as_context().data().scratch;
        let temporary = len > SCRATCH_MAX;
        if temporary || len > cap {
            let want = if temporary {
                len
            } else {
                len.next_power_of_two().max(256)
            };
            let fresh = api.alloc.call(&mut *self.store, want as i32)? as u32;
            if fresh == 0 {
                return Err(anyhow!("not enough memory"));
            }
            if !temporary {
                if ptr != 0 {
                    api.free.call(&mut *self.store, ptr as i32)?;
                }
                self.store.as_context_mut().data_mut().scratch = (fresh, want);
            }
            ptr = fresh;
        }
        guest_write(&api, &mut *self.store, ptr, bytes)?;
        let s = api
            .string
            .call(&mut *self.store, (ptr as i32, len as i32))? as u64;
        if temporary {
            api.free.call(&mut *self.store, ptr as i32)?;
        }
        if s == val::NIL {
            return Err(anyhow!("not enough memory"));
        }
        Ok(s)
    }

    fn table(&mut self, narr: u32, nhash: u32) -> Result<u64> {
        let t = Arc::clone(&self.api)
            .table
            .call(&mut *self.store, (narr as i32, nhash as i32))? as u64;
        if t == val::NIL {
            return Err(anyhow!("not enough memory"));
        }
        Ok(t)
    }

    fn rawset(&mut self, t: u64, k: u64, v: u64) -> Result<()> {
        if Arc::clone(&self.api)
            .rawset
            .call(&mut *self.store, (t as i64, k as i64, v as i64))?
            != 0
        {
            return Err(anyhow!("not enough memory"));
        }
        Ok(())
    }

    fn host_function(&mut self, f: HostFn) -> Result<u64> {
        let v = Arc::clone(&self.api)
            .host_function
            .call(&mut *self.store, f.id() as i32)? as u64;
        if v == val::NIL {
            return Err(anyhow!("not enough memory"));
        }
        Ok(v)
    }

    fn field(&mut self, field: &Field) -> Result<u64> {
        match field {
            Field::Func(f) => self.host_function(*f),
            Field::Value(v) => self.value(v, 0),
            Field::Table(fields, meta) => self.build_table(fields, *meta),
        }
    }

    fn build_table(
        &mut self,
        fields: &[(&'static str, Field)],
        meta: Option<ngx::MetaSpec>,
    ) -> Result<u64> {
        let t = self.table(0, fields.len() as u32)?;
        for (name, field) in fields {
            let v = self.field(field)?;
            let k = self.string(name.as_bytes())?;
            self.rawset(t, k, v)?;
        }
        if let Some(meta) = meta {
            self.set_meta(t, meta)?;
        }
        Ok(t)
    }

    /// Gives table `t` a new metatable of `meta`'s host functions.
    fn set_meta(&mut self, t: u64, meta: ngx::MetaSpec) -> Result<()> {
        let mt = self.table(0, 2)?;
        if let Some(f) = meta.index {
            let (k, v) = (self.string(b"__index")?, self.host_function(f)?);
            self.rawset(mt, k, v)?;
        }
        if let Some(f) = meta.newindex {
            let (k, v) = (self.string(b"__newindex")?, self.host_function(f)?);
            self.rawset(mt, k, v)?;
        }
        Arc::clone(&self.api)
            .setmetatable
            .call(&mut *self.store, (t as i64, mt as i64))?;
        Ok(())
    }

    /// A guest value for a host value.
    fn value(&mut self, v: &HostValue, depth: usize) -> Result<u64> {
        Ok(match v {
            HostValue::Nil | HostValue::Other(_) => val::NIL,
            HostValue::Null => val::boxed(val::TAG_LIGHTUD, 0),
            HostValue::Bool(b) => val::from_bool(*b),
            HostValue::Number(n) => val::from_f64(*n),
            HostValue::Str(s) => self.string(s)?,
            HostValue::Table(items) => {
                let t = self.table(0, items.len() as u32)?;
                if depth < ngx::MAX_TABLE_DEPTH {
                    for (k, x) in items {
                        let k = self.value(k, depth + 1)?;
                        let x = self.value(x, depth + 1)?;
                        if k != val::NIL {
                            self.rawset(t, k, x)?;
                        }
                    }
                }
                t
            }
        })
    }

    /// A host value for a guest value.
    fn host_value(&mut self, v: u64, depth: usize) -> Result<HostValue> {
        if val::is_number(v) {
            return Ok(HostValue::Number(f64::from_bits(v)));
        }
        let p = val::payload(v) as usize;
        Ok(match val::tag(v) {
            val::TAG_NIL => HostValue::Nil,
            val::TAG_FALSE => HostValue::Bool(false),
            val::TAG_TRUE => HostValue::Bool(true),
            val::TAG_STRING => HostValue::Str(
                string_bytes(self.memory.data(&*self.store), p)
                    .ok_or_else(|| anyhow!("guest string out of bounds"))?
                    .to_vec(),
            ),
            val::TAG_TABLE if depth < ngx::MAX_TABLE_DEPTH => {
                let api = Arc::clone(&self.api);
                let (next, alloc, free) = (&api.next, &api.alloc, &api.free);
                let out = alloc.call(&mut *self.store, 16)?;
                let mut items = Vec::new();
                let mut k = val::NIL;
                while next.call(&mut *self.store, (v as i64, k as i64, out))? == 1 {
                    let mut buf = [0u8; 16];
                    self.memory.read(&*self.store, out as usize, &mut buf)?;
                    let key = u64::from_le_bytes(buf[..8].try_into()?);
                    let x = u64::from_le_bytes(buf[8..].try_into()?);
                    items.push((
                        self.host_value(key, depth + 1)?,
                        self.host_value(x, depth + 1)?,
                    ));
                    k = key;
                }
                free.call(&mut *self.store, out)?;
                HostValue::Table(items)
            }
            val::TAG_TABLE => HostValue::Other("table"),
            val::TAG_LIGHTUD if p == 0 => HostValue::Null,
            val::TAG_FUNCTION => HostValue::Other("function"),
            val::TAG_THREAD => HostValue::Other("thread"),
            _ => HostValue::Other("userdata"),
        })
    }
}

fn memory(caller: &mut Caller<'_, HostState>) -> Result<Memory> {
    match caller.get_export("memory") {
        Some(Extern::Memory(m)) => Ok(m),
        _ => Err(anyhow!("module exports no memory")),
    }
}

/// The bytes of the guest string object at `p` (`layout::string`), `None` if it is not
/// inside `data`.
fn string_bytes(data: &[u8], p: usize) -> Option<&[u8]> {
    let len = data.get(p + layout::string::LEN as usize..)?.get(..4)?;
    let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
    let at = p + layout::string::DATA as usize;
    data.get(at..at.checked_add(len)?)
}

fn read_bytes(mem: &Memory, caller: &Caller<'_, HostState>, ptr: u32, len: u32) -> Result<Vec<u8>> {
    let data = mem.data(caller);
    data.get(ptr as usize..ptr as usize + len as usize)
        .map(|b| b.to_vec())
        .ok_or_else(|| anyhow!("guest passed an out-of-bounds buffer"))
}

/// The little-endian `u32` at `ptr` in guest memory.
fn read_u32(mem: &Memory, caller: &Caller<'_, HostState>, ptr: u32) -> Result<u32> {
    let b = mem
        .data(caller)
        .get(ptr as usize..ptr as usize + 4)
        .ok_or_else(|| anyhow!("guest passed an out-of-bounds buffer"))?;
    Ok(u32::from_le_bytes(b.try_into().expect("4 bytes")))
}

/// Marks `len` bytes at `ptr` written in a tracking module's dirty map
/// (`snapshot::tracking_writes`): every write the host makes into linear memory.
fn mark_written(api: &ApiFuncs, mut store: impl wasmtime::AsContextMut, ptr: usize, len: usize) {
    if let Some((map, _, summary)) = &api.tracking {
        crate::snapshot::mark(map.data_mut(&mut store), *summary, ptr, len);
    }
}

/// Writes `bytes` into the guest's memory at `ptr` and marks them written.
fn guest_write(
    api: &ApiFuncs,
    mut store: impl wasmtime::AsContextMut,
    ptr: u32,
    bytes: &[u8],
) -> Result<()> {
    api.memory.write(&mut store, ptr as usize, bytes)?;
    mark_written(api, store, ptr as usize, bytes.len());
    Ok(())
}

/// Writes `values` to the guest's Lua stack at `base`.
fn write_values(
    api: &ApiFuncs,
    caller: &mut Caller<'_, HostState>,
    base: u32,
    values: &[u64],
) -> Result<()> {
    mark_written(api, &mut *caller, base as usize, 8 * values.len());
    let dst = api
        .memory
        .data_mut(&mut *caller)
        .get_mut(base as usize..base as usize + 8 * values.len())
        .ok_or_else(|| anyhow!("guest passed an out-of-bounds buffer"))?;
    for (d, v) in dst.chunks_exact_mut(8).zip(values) {
        d.copy_from_slice(&v.to_le_bytes());
    }
    Ok(())
}

/// The arguments of one host call, read from the guest's Lua stack.
struct WasmArm<'a, 'c> {
    ctx: GuestCtx<'a, Caller<'c, HostState>>,
    thread: u32,
    args: &'a [u64],
}

impl Arm for WasmArm<'_, '_> {
    fn nargs(&self) -> usize {
        self.args.len()
    }

    fn arg(&mut self, i: usize) -> HostValue {
        match self.args.get(i) {
            Some(&v) => self
                .ctx
                .host_value(v, 0)
                .unwrap_or(HostValue::Other("userdata")),
            None => HostValue::Nil,
        }
    }

    fn arg_is_table(&mut self, i: usize) -> bool {
        self.args
            .get(i)
            .is_some_and(|&v| val::tag(v) == val::TAG_TABLE)
    }

    fn append_str_arg(&mut self, i: usize, out: &mut Vec<u8>) -> bool {
        let Some(&v) = self.args.get(i) else {
            return false;
        };
        if val::is_number(v) || val::tag(v) != val::TAG_STRING {
            return false;
        }
        match string_bytes(
            self.ctx.memory.data(&*self.ctx.store),
            val::payload(v) as usize,
        ) {
            Some(bytes) => {
                out.extend_from_slice(bytes);
                true
            }
            None => false,
        }
    }

    fn position_at(&mut self, level: u32) -> String {
        let r = Arc::clone(&self.ctx.api)
            .where_
            .call(&mut *self.ctx.store, (self.thread as i32, level as i32));
        self.packed_text(r).unwrap_or_default()
    }

    fn callee_name(&mut self) -> Option<String> {
        let r = Arc::clone(&self.ctx.api)
            .callee_name
            .call(&mut *self.ctx.store, self.thread as i32);
        self.packed_text(r)
    }

    fn caller_name(&mut self) -> Option<String> {
        let r = Arc::clone(&self.ctx.api)
            .caller_name
            .call(&mut *self.ctx.store, self.thread as i32);
        self.packed_text(r)
    }
}

impl WasmArm<'_, '_> {
    /// Reads a `ptr | len << 32` string result.
    fn packed_text(&mut self, r: Result<i64>) -> Option<String> {
        match r {
            Ok(packed) if packed != 0 => {
                let (ptr, len) = (
                    packed as u64 as u32 as usize,
                    (packed as u64 >> 32) as usize,
                );
                let data = self.ctx.memory.data(&*self.ctx.store);
                Some(String::from_utf8_lossy(data.get(ptr..ptr + len)?).into_owned())
            }
            _ => None,
        }
    }
}

fn host_call(
    caller: &mut Caller<'_, HostState>,
    t: u32,
    id: u32,
    base: u32,
    nargs: u32,
) -> Result<i32> {
    let api = caller
        .data()
        .api
        .clone()
        .ok_or_else(|| anyhow!("host call before the module was initialised"))?;
    let mem = api.memory;
    let Some(f) = HostFn::from_id(id) else {
        return Err(anyhow!("the module called unknown host function {id}"));
    };
    let bytes = mem
        .data(&*caller)
        .get(base as usize..base as usize + nargs as usize * 8)
        .ok_or_else(|| anyhow!("guest passed an out-of-bounds buffer"))?;
    // Up to eight arguments (every ngx function's) in an array: collecting into a
    // `SmallVec` went through its generic extend (with the results area's `resize`,
    // about 100 instructions of every host call, docs/BENCHMARKS.md).
    let mut few = [0u64; 8];
    let many: Vec<u64>;
    let args: &[u64] = if bytes.len() <= 64 {
        for (a, c) in few.iter_mut().zip(bytes.chunks_exact(8)) {
            *a = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        }
        &few[..bytes.len() / 8]
    } else {
        many = bytes
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        &many
    };
    let Some(mut ngx_req) = caller.data_mut().ngx.take() else {
        return raise(
            caller,
            &api,
            t,
            "the ngx API is only available while handling a request",
        );
    };
    let (outcome, api) = {
        let ctx = GuestCtx {
            store: &mut *caller,
            api,
            memory: mem,
        };
        let mut arm = WasmArm {
            ctx,
            thread: t,
            args,
        };
        (ngx_req.call(f, &mut arm), arm.ctx.api)
    };
    caller.data_mut().ngx = Some(ngx_req);
    let meta = match &outcome {
        Ok(Outcome::ReturnMeta(_, m)) => Some(*m),
        _ => None,
    };
    match outcome {
        Ok(Outcome::Return(values) | Outcome::ReturnMeta(values, _)) => {
            let mut encoded: SmallVec<[u64; 4]> = SmallVec::with_capacity(values.len());
            // Strings go to the module's results area, to be made there after the call
            // returns; a value with a metatable, or a string that does not fit, is made now.
            // The instance's buffer, kept between calls (no allocation per call).
            let mut pending = std::mem::take(&mut caller.data_mut().results_buf);
            pending.clear();
            pending.extend_from_slice(&[0; results::ENTRIES as usize]);
            let mut npending = 0u32;
            let api = {
                let mut ctx = GuestCtx {
                    store: &mut *caller,
                    api,
                    memory: mem,
                };
                for (i, v) in values.iter().enumerate() {
                    let align = results::ALIGN as usize;
                    if let HostValue::Str(s) = v
                        && !(i == 0 && meta.is_some())
                        && pending.len()
                            + results::ENTRY_HEAD as usize
                            + s.len().next_multiple_of(align)
                            <= results::SIZE as usize
                    {
                        pending.extend_from_slice(&(i as u32).to_le_bytes());
                        pending.extend_from_slice(&(s.len() as u32).to_le_bytes());
                        pending.extend_from_slice(s);
                        // Padding to the alignment, fewer than `ALIGN` bytes.
                        let pad = pending.len().next_multiple_of(align) - pending.len();
                        pending.extend_from_slice(&[0; results::ALIGN as usize][..pad]);
                        npending += 1;
                        encoded.push(val::NIL);
                        continue;
                    }
                    encoded.push(ctx.value(v, 0)?);
                }
                if let (Some(meta), Some(&first)) = (meta, encoded.first()) {
                    ctx.set_meta(first, meta)?;
                }
                ctx.api
            };
            let limit = read_u32(&mem, caller, t + th::STACK_LIMIT)?;
            if base as u64 + 8 * encoded.len() as u64 > limit as u64 {
                return raise(caller, &api, t, "stack overflow");
            }
            write_values(&api, caller, base, &encoded)?;
            if npending > 0 {
                let count = results::COUNT as usize;
                pending[count..count + 4].copy_from_slice(&npending.to_le_bytes());
                guest_write(&api, &mut *caller, api.results, &pending)?;
            }
            caller.data_mut().results_buf = pending;
            Ok(encoded.len() as i32)
        }
        Ok(Outcome::Exit) => Ok(abi_call::STATUS_EXIT),
        Ok(Outcome::RawSet) => {
            let get = |i: usize| args.get(i).copied().unwrap_or(val::NIL);
            let mut ctx = GuestCtx {
                store: &mut *caller,
                api,
                memory: mem,
            };
            ctx.rawset(get(0), get(1), get(2))?;
            Ok(0)
        }
        // Made by the module's trampoline, which has the arguments.
        Ok(Outcome::NewTable) => Ok(moonshift_abi::host::NEW_TABLE),
        Ok(Outcome::RawGet(i, key)) => {
            let target = args.get(i).copied().unwrap_or(val::NIL);
            let v = {
                let mut ctx = GuestCtx {
                    store: &mut *caller,
                    api: api.clone(),
                    memory: mem,
                };
                let k = ctx.value(&key, 0)?;
                api.rawget
                    .call(&mut *ctx.store, (target as i64, k as i64))? as u64
            };
            guest_write(&api, &mut *caller, base, &v.to_le_bytes())?;
            Ok(1)
        }
        Ok(Outcome::Fill(i, entries, rest)) => {
            let target = args.get(i).copied().unwrap_or(val::NIL);
            let mut encoded = vec![target];
            {
                let mut ctx = GuestCtx {
                    store: &mut *caller,
                    api: api.clone(),
                    memory: mem,
                };
                ctx.clear_table(target)?;
                if let HostValue::Table(items) = &entries {
                    for (k, v) in items {
                        let k = ctx.value(k, 0)?;
                        let v = ctx.value(v, 0)?;
                        ctx.rawset(target, k, v)?;
                    }
                }
                for v in &rest {
                    encoded.push(ctx.value(v, 0)?);
                }
            }
            write_values(&api, caller, base, &encoded)?;
            Ok(encoded.len() as i32)
        }
        Err(msg) => raise(caller, &api, t, &msg),
    }
}

/// Raises `msg` as a Lua error in the guest; returns the status to hand back.
fn raise(caller: &mut Caller<'_, HostState>, api: &Api, t: u32, msg: &str) -> Result<i32> {
    let ptr = api.alloc.call(&mut *caller, msg.len() as i32)?;
    if ptr == 0 {
        return Err(anyhow!("not enough memory"));
    }
    guest_write(api, &mut *caller, ptr as u32, msg.as_bytes())?;
    let status = api
        .raise
        .call(&mut *caller, (t as i32, ptr, msg.len() as i32, 0))?;
    api.free.call(&mut *caller, ptr)?;
    Ok(status)
}

/// The wasm arm as a differential-harness engine.
pub struct WasmEngine {
    program: WasmProgram,
}

impl WasmEngine {
    pub fn new(program: WasmProgram) -> Self {
        WasmEngine { program }
    }
}

impl DiffEngine for WasmEngine {
    fn name(&self) -> &str {
        "wasm"
    }

    fn handle(&mut self, req: &Request) -> Response {
        self.program.handle_request(req)
    }
}

/// The handlers of an nginx.conf compiled into one module (`backend::compile_handlers`):
/// a [`gateway::Backend`] that makes one instance per request.
pub struct ConfProgram {
    program: WasmProgram,
    /// Shared with every session: one reference count per request, not a copy.
    handlers: Arc<Handlers>,
}

/// What a [`ConfSession`] needs of its program besides the instance.
struct Handlers {
    /// The `run_entry` index of each handler, by handler id.
    entries: Vec<u32>,
    /// Set when slots are reset with `PAGEMAP_SCAN` ([`Trim`]).
    trim: Option<Trim>,
    /// Requests after which a slot's pages were released.
    trimmed: Arc<std::sync::atomic::AtomicU64>,
    /// Set when the module records its writes: instances are put back to the image
    /// after each request and kept for the next ([`Resets`]).
    resets: Option<Resets>,
}

/// Instances put back to the image after a request, instead of made anew.
///
/// The module records which lines of its linear memory it writes
/// (`snapshot::tracking_writes`), and the host marks what it writes itself. After a
/// request the host copies the image's bytes back over exactly those lines, sets the
/// globals back and keeps the instance for another request: the next request starts
/// from the same bytes and globals as a new instance would, without wasmtime making and
/// tearing down an instance and without the kernel's page-table walk
/// (docs/BENCHMARKS.md, "Seventh sitting"). An instance whose run trapped or whose memory
/// grew is dropped instead, and its slot reset by wasmtime.
struct Resets {
    /// The image's linear memory.
    image: Vec<u8>,
    /// Instances back at the image, ready for a request.
    free: Mutex<Vec<Guest>>,
    /// The safepoint flag's address: the watchdog sets it without marking it.
    flag: usize,
    /// The shadow stack's top when `[0, stack)` is only the stack: the module does
    /// not mark stores into its frames there, and it is not put back (dead between
    /// requests; `snapshot::tracking_writes`).
    stack: usize,
    /// Compare all of memory with the image after each reset (tests).
    verify: std::sync::atomic::AtomicBool,
    /// Resets after which memory differed from the image (counted when verifying).
    mismatches: Arc<std::sync::atomic::AtomicU64>,
    /// Instances put back and kept (counted when verifying).
    reused: Arc<std::sync::atomic::AtomicU64>,
}

impl Resets {
    /// Puts `guest` back to the image; false if it cannot be (its memory grew, or the
    /// module does not record its writes).
    fn restore(&self, guest: &mut Guest) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        let memory = guest.memory;
        let Some((map, reset_globals, summary)) = &guest.api.tracking else {
            return false;
        };
        if memory.data_size(&guest.store) != self.image.len()
            || reset_globals.call(&mut guest.store, ()).is_err()
        {
            return false;
        }
        let lines = self.image.len() >> crate::snapshot::LINE_SHIFT;
        let summary = *summary;
        let map_len = map.data_size(&guest.store);
        if !crate::snapshot::map_covers(map_len, summary, lines) {
            return false;
        }
        let base = memory.data_ptr(&guest.store);
        let map = map.data_ptr(&guest.store);
        // SAFETY: two distinct linear memories of this instance, of these sizes, which
        // nothing else uses now: the request is over and the watchdog disarmed.
        let (memory, map) = unsafe {
            (
                std::slice::from_raw_parts_mut(base, self.image.len()),
                std::slice::from_raw_parts_mut(map, map_len),
            )
        };
        let image = &self.image[..];
        let dead = self.stack;
        crate::snapshot::take_marked(map, summary, lines, |run| {
            let bytes = run.start.max(dead)..run.end;
            if !bytes.is_empty() {
                memory[bytes.clone()].copy_from_slice(&image[bytes]);
            }
        });
        let flag = self.flag..self.flag + 4;
        memory[flag.clone()].copy_from_slice(&image[flag]);
        // Counted only when verifying: a shared counter is a write per request that
        // both workers' caches would pass back and forth.
        if self.verify.load(Relaxed) {
            if memory[dead..] != image[dead..] {
                self.mismatches.fetch_add(1, Relaxed);
            }
            self.reused.fetch_add(1, Relaxed);
        }
        let state = guest.store.data_mut();
        state.stdout.clear();
        state.scratch = (0, 0);
        state.started = Instant::now();
        true
    }
}

/// Releases a slot's pages after a request that used much of its memory.
///
/// A slot reset with `PAGEMAP_SCAN` copies back every page of the image that is resident
/// and private, which is every page any request in that slot ever wrote: the kernel
/// cannot tell a page written by this request from one written long ago. So one request
/// that recursed deep into the Lua stack, collected garbage or grew memory would make
/// every later request in its slot pay to reset the pages it touched, for the life of the
/// process (measured: a handler answering at 50k requests/s fell to 21k after 40 requests
/// that built a 200 000-string table). After such a request the slot's memory is given
/// back to the kernel instead (`MADV_DONTNEED`: the image's pages read from the image
/// again, the rest zero), and the next requests fault in only the pages they use.
#[derive(Clone, Copy, Debug)]
struct Trim {
    /// The image's memory size: the part of the slot a request starts with.
    initial: usize,
    /// A page of the Lua stack that is zero in the image and that only a deep recursion
    /// writes.
    stack_probe: Option<usize>,
    /// The collector's cycles in the image: more after a request means it collected.
    gc_cycles: i64,
}

/// How far above the Lua stack's base the probe page sits.
const STACK_PROBE: usize = 256 << 10;

impl Trim {
    /// Releases the slot's pages if the request was heavy; whether it was.
    fn after(&self, guest: &mut Guest, trapped: bool) -> bool {
        let memory = guest.memory;
        let heavy = trapped
            || memory.data_size(&guest.store) > self.initial
            || self.stack_probe.is_some_and(|at| {
                let page = &memory.data(&guest.store)[at..at + 4096];
                let or = page.chunks_exact(8).fold(0, |or, w| {
                    or | u64::from_ne_bytes(w.try_into().expect("8 bytes"))
                });
                or != 0
            })
            || guest
                .api
                .gc_cycles
                .call(&mut guest.store, ())
                .map_or(true, |c| c != self.gc_cycles);
        if heavy {
            let base = memory.data_ptr(&guest.store);
            // SAFETY: the range is the start of this instance's linear memory, which
            // nothing uses any more (the request is over, the watchdog is disarmed, the
            // store is about to be dropped). Discarding its pages leaves each as the slot's
            // reset would: the image's bytes where the image is mapped, zero elsewhere.
            unsafe {
                libc::madvise(base.cast(), self.initial, libc::MADV_DONTNEED);
            }
        }
        heavy
    }
}

impl ConfProgram {
    pub fn new(wasm: &[u8], entries: Vec<u32>, limits: Limits) -> Result<Self> {
        Self::new_cached(wasm, entries, limits, None, Vec::new(), true)
    }

    /// How many requests so far had their slot's pages released after them ([`Trim`]),
    /// counted as long as the returned handle lives; None when slots are not reset with
    /// `PAGEMAP_SCAN` (nothing to release).
    pub fn trims(&self) -> Option<Arc<std::sync::atomic::AtomicU64>> {
        let h = &self.handlers;
        h.trim.map(|_| h.trimmed.clone())
    }

    /// From now on, compares all of an instance's memory with the image after each
    /// reset and counts the resets; returns the count of resets after which they
    /// differed (a write the tracking missed) and the count of instances put back, None
    /// when instances are not put back.
    pub fn verify_resets(
        &self,
    ) -> Option<(
        Arc<std::sync::atomic::AtomicU64>,
        Arc<std::sync::atomic::AtomicU64>,
    )> {
        let r = self.handlers.resets.as_ref()?;
        r.verify.store(true, std::sync::atomic::Ordering::Relaxed);
        Some((r.mismatches.clone(), r.reused.clone()))
    }

    /// The program serve runs: a pre-initialised image of `wasm` (the runtime initialised
    /// and the `ngx` table, with `ngx.shared.NAME` for each of `dicts`, built), its
    /// machine code cached in `cache_dir` as [`WasmProgram::new_cached`] does, on the
    /// pooled engine.
    pub fn new_cached(
        wasm: &[u8],
        entries: Vec<u32>,
        limits: Limits,
        cache_dir: Option<&std::path::Path>,
        dicts: Vec<&'static str>,
        put_back: bool,
    ) -> Result<Self> {
        let (template_wasm, names) =
            crate::snapshot::exporting_globals(wasm).map_err(|e| anyhow!("{e:#}"))?;
        let template = WasmProgram::build(&template_wasm, limits, None, false)?;
        let mut guest = template.instantiate()?;
        guest.install_ngx_with(&dicts)?;
        // Pages with room for every small class, so that requests do not carve them.
        if guest.api.carve_classes.call(&mut guest.store, ())? == 0 {
            return Err(anyhow!("out of memory carving the image's heap pages"));
        }
        let image_cycles = guest.api.gc_cycles.call(&mut guest.store, ())?;
        let memory = guest.memory.data(&guest.store).to_vec();
        if std::env::var_os("MOONSHIFT_SNAPSHOT_STATS").is_some() {
            let nonzero = memory
                .chunks(4096)
                .filter(|c| c.iter().any(|&b| b != 0))
                .count();
            eprintln!(
                "moonshift: snapshot of {} KiB, {} KiB of it non-zero",
                memory.len() / 1024,
                nonzero * 4
            );
            // Where the non-zero pages are, as ranges of 4 KiB pages.
            let mut ranges: Vec<(usize, usize)> = Vec::new();
            for (i, c) in memory.chunks(4096).enumerate() {
                if c.iter().any(|&b| b != 0) {
                    match ranges.last_mut() {
                        Some((_, end)) if *end == i => *end = i + 1,
                        _ => ranges.push((i, i + 1)),
                    }
                }
            }
            eprintln!("moonshift: non-zero pages {ranges:?}");
        }
        let mut globals = Vec::with_capacity(names.len());
        for name in &names {
            let g = guest
                .instance
                .get_global(&mut guest.store, name)
                .ok_or_else(|| anyhow!("template lost global {name}"))?;
            globals.push(match g.get(&mut guest.store) {
                wasmtime::Val::I32(x) => crate::snapshot::GlobalValue::I32(x),
                wasmtime::Val::I64(x) => crate::snapshot::GlobalValue::I64(x),
                wasmtime::Val::F32(x) => crate::snapshot::GlobalValue::F32(f32::from_bits(x)),
                wasmtime::Val::F64(x) => crate::snapshot::GlobalValue::F64(f64::from_bits(x)),
                _ => return Err(anyhow!("global {name} has a reference type")),
            });
        }
        let mut image = crate::snapshot::preinitialised(wasm, &memory, &globals)
            .map_err(|e| anyhow!("{e:#}"))?;
        let stack_top = crate::snapshot::stack_first_top(wasm).map_err(|e| anyhow!("{e:#}"))?;
        // A module the tracking cannot instrument (atomics, SIMD lane stores, exception
        // handling: the runtime has none) gets a new instance per request instead.
        let put_back = put_back
            && match crate::snapshot::tracking_writes(&image, limits.max_memory as u64, stack_top) {
                Ok(tracked) => {
                    image = tracked;
                    true
                }
                Err(_) => false,
            };
        let mut program = WasmProgram::build(&image, limits, cache_dir, true)?;
        program.preinit = Some(guest.thread);
        let trim = pagemap_reset().then(|| {
            let base = guest.thread as usize + th::STACK_BASE as usize;
            let stack = memory
                .get(base..base + 4)
                .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize);
            Trim {
                initial: memory.len(),
                stack_probe: stack.map(|s| s + STACK_PROBE).filter(|&at| {
                    memory
                        .get(at..at + 4096)
                        .is_some_and(|page| page.iter().all(|&b| b == 0))
                }),
                gc_cycles: image_cycles,
            }
        });
        let resets = put_back.then(|| Resets {
            flag: guest.thread as usize + th::GC_PENDING as usize,
            stack: stack_top.unwrap_or(0) as usize,
            image: memory,
            free: Mutex::new(Vec::new()),
            verify: Default::default(),
            mismatches: Arc::default(),
            reused: Arc::default(),
        });
        Ok(ConfProgram {
            program,
            handlers: Arc::new(Handlers {
                entries,
                trim,
                trimmed: Arc::default(),
                resets,
            }),
        })
    }
}

impl gateway::Backend for ConfProgram {
    fn session(&self) -> std::result::Result<Box<dyn gateway::Session>, String> {
        let kept = self
            .handlers
            .resets
            .as_ref()
            .and_then(|r| r.free.lock().unwrap_or_else(|e| e.into_inner()).pop());
        let guest = match kept {
            Some(g) => g,
            None => self.program.instantiate().map_err(|e| format!("{e:#}"))?,
        };
        Ok(Box::new(ConfSession {
            guest: Some(guest),
            handlers: self.handlers.clone(),
            limits: self.program.limits,
            deadline: Instant::now() + self.program.limits.timeout,
            poisoned: false,
        }))
    }

    fn name(&self) -> &str {
        "wasm"
    }
}

struct ConfSession {
    /// Taken by `drop` to put it back ([`Resets`]).
    guest: Option<Guest>,
    handlers: Arc<Handlers>,
    limits: Limits,
    /// When the current request's time is up (`--request-timeout`).
    deadline: Instant,
    /// A run trapped: the instance may be mid-update and is not reused.
    poisoned: bool,
}

impl Drop for ConfSession {
    fn drop(&mut self) {
        let h = &self.handlers;
        let Some(mut guest) = self.guest.take() else {
            return;
        };
        if let Some(resets) = &h.resets
            && !self.poisoned
            && resets.restore(&mut guest)
        {
            resets
                .free
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(guest);
            return;
        }
        if let Some(trim) = &h.trim
            && trim.after(&mut guest, self.poisoned)
        {
            h.trimmed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }
}

impl ConfSession {
    fn guest(&mut self) -> &mut Guest {
        self.guest
            .as_mut()
            .expect("a session has its instance until dropped")
    }
}

impl gateway::Session for ConfSession {
    fn clear_ctx(&mut self) {
        let _ = self.guest().clear_ctx();
    }

    fn begin_request(&mut self) {
        self.deadline = Instant::now() + self.limits.timeout;
    }

    fn reusable(&self) -> bool {
        !self.poisoned
    }

    fn run(&mut self, id: usize, ngx: Box<NgxRequest>) -> (Box<NgxRequest>, RunEnd) {
        self.guest().store.data_mut().ngx = Some(ngx);
        // At least a millisecond, even past the request's deadline.
        let until = self.deadline.max(Instant::now() + Duration::from_millis(1));
        let entry = self.handlers.entries[id];
        let status = self.guest().run_entry_until(entry, until);
        if status.is_err() {
            self.poisoned = true;
        }
        let end = match status {
            Ok(n) if n >= 0 => RunEnd::Done,
            Ok(n) if n == abi_call::STATUS_EXIT => RunEnd::Exit,
            // A table (or other non-string) error object: nginx cannot print it.
            Ok(_) if !self.guest().error_is_text() => RunEnd::Error("unknown reason".into()),
            Ok(_) => RunEnd::Error(self.guest().error_text()),
            Err(trap) => RunEnd::Error(describe_trap(&trap, &self.limits)),
        };
        let ngx = self
            .guest()
            .store
            .data_mut()
            .ngx
            .take()
            .expect("request state survives the run");
        (ngx, end)
    }
}
