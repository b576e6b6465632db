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

pub use link::{compile, compile_entries, to_wat};

/// The runtime-gc module every program is linked with.
pub const RUNTIME_WASM: &[u8] = include_bytes!(env!("RUNTIME_GC_WASM"));

use moonshift_frontend::FileDiagnostics;

/// Why a source file did not compile.
#[derive(Debug)]
pub enum CompileError {
    /// The script (or a module it requires) is wrong or uses what moonshift
    /// does not support yet.
    Diagnostics(FileDiagnostics),
    /// A defect of moonshift itself (an invalid module, a missing runtime export).
    Internal(anyhow::Error),
}

impl CompileError {
    /// Rustc-style text.
    pub fn render(&self) -> String {
        match self {
            CompileError::Diagnostics(d) => d.render(),
            CompileError::Internal(e) => format!("internal compiler error: {e:#}\n"),
        }
    }
}

/// Source text → linked, validated module: the whole compiler, with modules
/// `require`d by literal name found next to the script.
pub fn compile_source(chunk_name: &str, source: &str) -> Result<Vec<u8>, CompileError> {
    let path = moonshift_frontend::ModulePath::for_script(chunk_name);
    compile_with_path(chunk_name, source, &path)
}

/// [`compile_source`] with an explicit module search path.
pub fn compile_with_path(
    chunk_name: &str,
    source: &str,
    path: &moonshift_frontend::ModulePath,
) -> Result<Vec<u8>, CompileError> {
    compile_with_warnings(chunk_name, source, path).map(|(wasm, _)| wasm)
}

/// [`compile_with_path`], also returning the warnings: uses of APIs the module does not
/// have (`moonshift_frontend::ir::Program::warnings`), by file.
pub fn compile_with_warnings(
    chunk_name: &str,
    source: &str,
    path: &moonshift_frontend::ModulePath,
) -> Result<(Vec<u8>, Vec<moonshift_frontend::FileDiagnostics>), CompileError> {
    let program = moonshift_frontend::compile_program(chunk_name, source, path)
        .map_err(CompileError::Diagnostics)?;
    let wasm = compile(&program).map_err(CompileError::Internal)?;
    Ok((wasm, program.warnings))
}

/// Several main chunks (an nginx.conf's handlers: chunk name and source each) in one
/// module, with the modules they `require` found on `path`. Returns the module and, per
/// root in order, the entry `run_entry` takes.
pub fn compile_handlers(
    roots: &[(String, String)],
    path: &moonshift_frontend::ModulePath,
) -> Result<(Vec<u8>, Vec<u32>), CompileError> {
    compile_handlers_with_warnings(roots, path).map(|(wasm, entries, _)| (wasm, entries))
}

/// [`compile_handlers`], also returning the warnings, as [`compile_with_warnings`] does.
pub fn compile_handlers_with_warnings(
    roots: &[(String, String)],
    path: &moonshift_frontend::ModulePath,
) -> Result<(Vec<u8>, Vec<u32>, Vec<moonshift_frontend::FileDiagnostics>), CompileError> {
    let program =
        moonshift_frontend::compile_roots(roots, path).map_err(CompileError::Diagnostics)?;
    let (wasm, entries) = compile_entries(&program).map_err(CompileError::Internal)?;
    Ok((wasm, entries, program.warnings))
}
