//! moonshift's backend: scoped IR → one WebAssembly module, linked with
//! runtime-gc.
//!
//! - [`codegen`] turns each Lua function into a wasm function of the one Lua
//!   call type, emitting inline fast paths and calls to `lrt_*` slow paths.
//! - [`link`] parses the runtime module (built by `build.rs`), appends the
//!   generated functions to its function table, lays out the constant and
//!   site tables after the runtime's static data, adds the `init` and
//!   `run_main` entry points, drops the runtime's internal exports and lets
//!   walrus remove what is unused.
//!
//! **Architecture invariant:** the backend never reads Lua source text; it
//! consumes only the IR and the layouts of `moonshift-abi`.

pub mod codegen;
pub mod link;

pub use link::{compile, to_wat};

/// The runtime-gc module every program is linked with.
pub const RUNTIME_WASM: &[u8] = include_bytes!(env!("RUNTIME_GC_WASM"));

use moonshift_frontend::Diagnostic;

/// Why a source file did not compile.
#[derive(Debug)]
pub enum CompileError {
    /// The script is wrong or uses what moonshift does not support yet.
    Diagnostics(Vec<Diagnostic>),
    /// A defect of moonshift itself (an invalid module, a missing runtime export).
    Internal(anyhow::Error),
}

impl CompileError {
    /// Rustc-style text for `file` with `source`.
    pub fn render(&self, file: &str, source: &str) -> String {
        match self {
            CompileError::Diagnostics(d) => moonshift_frontend::render(file, source, d),
            CompileError::Internal(e) => format!("internal compiler error: {e:#}\n"),
        }
    }
}

/// Source text → linked, validated module: the whole compiler.
pub fn compile_source(chunk_name: &str, source: &str) -> Result<Vec<u8>, CompileError> {
    let program = moonshift_frontend::compile_source(chunk_name, source)
        .map_err(CompileError::Diagnostics)?;
    compile(&program).map_err(CompileError::Internal)
}
