//! Diagnostics with source positions, rendered the way rustc renders them
//! (through codespan-reporting).

use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::NoColor};

/// A compile-time error at a place in one source file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
    /// Byte range in the source.
    pub span: Range<usize>,
    /// What the primary label under the span says.
    pub label: String,
}

impl Diagnostic {
    pub fn new(message: String, line: u32, column: u32, span: Range<usize>, label: String) -> Self {
        Diagnostic {
            message,
            line,
            column,
            span,
            label,
        }
    }

    /// `file:line: message`, as LuaJIT reports a chunk that does not load.
    pub fn lua_style(&self, file: &str) -> String {
        let (cut, shown) = moonshift_abi::short_src(file.as_bytes());
        let shown = String::from_utf8_lossy(shown);
        format!(
            "{}{shown}:{}: {}",
            if cut { "..." } else { "" },
            self.line,
            self.message
        )
    }

    /// `file:line:column: message`, one line.
    pub fn short(&self, file: &str) -> String {
        format!("{file}:{}:{}: {}", self.line, self.column, self.message)
    }
}

/// Renders diagnostics for `file` as rustc-style text (no colour).
pub fn render(file: &str, source: &str, diags: &[Diagnostic]) -> String {
    render_as(CsDiagnostic::error, file, source, diags)
}

/// [`render`], as warnings.
pub fn render_warnings(file: &str, source: &str, diags: &[Diagnostic]) -> String {
    render_as(CsDiagnostic::warning, file, source, diags)
}

fn render_as(
    severity: fn() -> CsDiagnostic<()>,
    file: &str,
    source: &str,
    diags: &[Diagnostic],
) -> String {
    let files = SimpleFile::new(file, source);
    let config = term::Config::default();
    let mut out = NoColor::new(Vec::new());
    for d in diags {
        let end = d.span.end.min(source.len());
        let start = d.span.start.min(end);
        let cs = severity()
            .with_message(&d.message)
            .with_labels(vec![Label::primary((), start..end).with_message(&d.label)]);
        // Rendering into memory cannot fail for a well-formed span.
        let _ = term::emit_to_write_style(&mut out, &config, &files, &cs);
    }
    String::from_utf8_lossy(&out.into_inner()).into_owned()
}
