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
mod lint;
mod lower;

pub use diag::{Diagnostic, render};
pub use lower::{parse_number, unescape};

/// Diagnostics of one file, with what is needed to render them.
#[derive(Debug, Clone)]
pub struct FileDiagnostics {
    pub file: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileDiagnostics {
    /// Rustc-style text.
    pub fn render(&self) -> String {
        render(&self.file, &self.source, &self.diagnostics)
    }

    /// Rustc-style text, as warnings.
    pub fn render_warnings(&self) -> String {
        diag::render_warnings(&self.file, &self.source, &self.diagnostics)
    }
}

/// Where `require` finds modules, as LuaJIT's `package.path`: templates in
/// which `?` stands for the module name with dots turned into slashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModulePath {
    pub templates: Vec<String>,
}

impl ModulePath {
    /// `a/?.lua;b/?/init.lua` (empty entries are skipped).
    pub fn parse(path: &str) -> Self {
        ModulePath {
            templates: path
                .split(';')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        }
    }

    /// The default: next to the script (see [`moonshift_abi::MODULE_TEMPLATES`]).
    pub fn for_script(chunk_name: &str) -> Self {
        let dir = moonshift_abi::script_dir(chunk_name);
        ModulePath {
            templates: moonshift_abi::MODULE_TEMPLATES
                .iter()
                .map(|t| format!("{dir}{t}"))
                .collect(),
        }
    }

    /// Candidate file names for a module, in search order.
    pub fn candidates(&self, module: &str) -> Vec<String> {
        let name = module.replace('.', "/");
        self.templates
            .iter()
            .map(|t| t.replace('?', &name))
            .collect()
    }
}

/// Parses and lowers a script and, transitively, every module it `require`s
/// by a literal name (found on `path` and linked into the same program).
/// `chunk_name` is the name runtime errors use (LuaJIT's `@file` without the `@`).
pub fn compile_program(
    chunk_name: &str,
    source: &str,
    path: &ModulePath,
) -> Result<ir::Program, FileDiagnostics> {
    compile_roots(&[(chunk_name.to_string(), source.to_string())], path)
}

/// [`compile_program`] for several main chunks (the handlers of an nginx.conf): root `i`
/// becomes chunk `i`, the modules any of them `require` follow, each linked once.
pub fn compile_roots(
    roots: &[(String, String)],
    path: &ModulePath,
) -> Result<ir::Program, FileDiagnostics> {
    let mut program = ir::Program {
        chunks: Vec::new(),
        functions: Vec::new(),
        warnings: Vec::new(),
    };
    // (chunk name, module name, source); roots are taken first, in order.
    let mut queue: Vec<(String, Option<String>, String)> = Vec::new();
    let mut roots = roots.iter().rev().cloned().collect::<Vec<_>>();
    // Modules the runtime provides in `package.loaded`.
    let mut known: Vec<String> = BUILTIN_MODULES.iter().map(|m| m.to_string()).collect();
    while let Some((file, module, text)) = roots
        .pop()
        .map(|(f, t)| (f, None, t))
        .or_else(|| queue.pop())
    {
        let chunk = program.chunks.len() as u32;
        let first = program.functions.len() as u32;
        let fail = |diagnostics: Vec<Diagnostic>| FileDiagnostics {
            file: file.clone(),
            source: text.clone(),
            diagnostics,
        };
        let parsed = full_moon::parse_fallible(&text, full_moon::LuaVersion::luajit());
        if !parsed.errors().is_empty() {
            return Err(fail(
                parsed
                    .errors()
                    .iter()
                    .map(|e| parse_diagnostic(&text, e))
                    .collect(),
            ));
        }
        let (functions, requires) = lower::Lowerer::new(&text)
            .lower_chunk(chunk, first, parsed.ast())
            .map_err(&fail)?;
        let missing = lint::missing_apis(parsed.ast());
        if !missing.is_empty() {
            program.warnings.push(FileDiagnostics {
                file: file.clone(),
                source: text.clone(),
                diagnostics: missing,
            });
        }
        program.functions.extend(functions);
        program.chunks.push(ir::Chunk {
            chunk_name: file.clone(),
            module,
            main: ir::FuncId(first),
        });
        for (name, line) in requires {
            if known.contains(&name) {
                continue;
            }
            known.push(name.clone());
            let candidates = path.candidates(&name);
            match candidates
                .iter()
                .find_map(|c| std::fs::read_to_string(c).ok().map(|t| (c.clone(), t)))
            {
                Some((found, text)) => queue.push((found, Some(name), text)),
                None => {
                    let tried: String = candidates
                        .iter()
                        .map(|c| format!("\n\tno file '{c}'"))
                        .collect();
                    let span = line_span(&text, line);
                    return Err(fail(vec![Diagnostic::new(
                        format!("module '{name}' not found:{tried}"),
                        line,
                        1,
                        span,
                        "required here; moonshift links modules at compile time".into(),
                    )]));
                }
            }
        }
    }
    Ok(program)
}

/// Modules `require` finds in the runtime rather than in files.
pub const BUILTIN_MODULES: &[&str] = &[
    "bit",
    "cjson",
    "cjson.safe",
    "math",
    "os",
    "string",
    "table",
    "table.new",
    "table.clear",
];

/// The byte range of line `line` (1-based) of `text`.
fn line_span(text: &str, line: u32) -> std::ops::Range<usize> {
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            return start..start + l.trim_end().len().max(1);
        }
        start += l.len();
    }
    0..1
}

/// Parses and lowers a script, resolving `require` next to it.
pub fn compile_source(chunk_name: &str, source: &str) -> Result<ir::Program, FileDiagnostics> {
    compile_program(chunk_name, source, &ModulePath::for_script(chunk_name))
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
