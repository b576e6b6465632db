//! moonshift's frontend: Lua source (5.1 + the LuaJIT extensions full_moon
//! parses) to the scoped IR of [`ir`].
//!
//! Entry point: [`compile_source`]. Parse errors and constructs the backend
//! cannot compile yet come back as [`Diagnostic`]s with file, line and column.
//!
//! **Architecture invariant:** the frontend knows nothing about WebAssembly,
//! walrus, wasmtime or runtime-gc.

pub mod diag;
pub mod dump;
pub mod ir;
mod lower;

pub use diag::{Diagnostic, render};
pub use lower::{parse_number, unescape};

/// Parses and lowers one chunk. `chunk_name` is the name runtime errors use
/// (LuaJIT's `@file` without the `@`).
pub fn compile_source(chunk_name: &str, source: &str) -> Result<ir::Program, Vec<Diagnostic>> {
    let parsed = full_moon::parse_fallible(source, full_moon::LuaVersion::luajit());
    if !parsed.errors().is_empty() {
        return Err(parsed
            .errors()
            .iter()
            .map(|e| parse_diagnostic(source, e))
            .collect());
    }
    lower::Lowerer::new(source).lower_chunk(chunk_name, parsed.ast())
}

fn parse_diagnostic(source: &str, e: &full_moon::Error) -> Diagnostic {
    let (start, end) = match e {
        full_moon::Error::AstError(a) => a.range(),
        full_moon::Error::TokenizerError(t) => t.range(),
    };
    let s = start.bytes().min(source.len());
    let en = end.bytes().max(s + 1).min(source.len().max(s + 1));
    Diagnostic::new(
        format!("syntax error: {}", e.error_message()),
        start.line() as u32,
        start.character() as u32,
        s..en,
        "here".into(),
    )
}
