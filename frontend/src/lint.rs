//! Warnings for uses of APIs moonshift does not have: `ngx.re.match`, `ngx.sleep`,
//! `io.open`… A script that names one still compiles (the use may sit in a branch that
//! never runs), but when it runs the name is nil and Lua's own error ("attempt to index
//! field 're' (a nil value)") does not say why; these warnings name the API and the
//! place at compile time. docs/COMPATIBILITY.md has the status of every API.

use full_moon::ast::{self, Prefix, Suffix};
use full_moon::node::Node;
use full_moon::visitors::Visitor;

use crate::Diagnostic;

/// The missing APIs, by why they are missing: each a dotted path that every name of the
/// family starts with.
const MISSING: &[(&str, &[&str])] = &[
    (
        "not supported by moonshift yet",
        &[
            "ngx.re",
            "ngx.location",
            "ngx.socket",
            "ngx.timer",
            "ngx.thread",
            "ngx.sleep",
            "ngx.on_abort",
            "ngx.semaphore",
            "ngx.balancer",
            "ngx.ssl",
            "ngx.req.socket",
            "ngx.req.init_body",
            "ngx.req.append_body",
            "ngx.req.finish_body",
        ],
    ),
    (
        "the sandbox has no files or processes",
        &[
            "io",
            "os.execute",
            "os.exit",
            "os.remove",
            "os.rename",
            "os.tmpname",
            "os.setlocale",
        ],
    ),
];

/// Warnings for every place `ast` names an API of [`MISSING`] through a global (`ngx.re`,
/// `io.open`; a local that happens to be called `ngx` is taken for the global too).
pub fn missing_apis(ast: &ast::Ast) -> Vec<Diagnostic> {
    let mut lint = Lint { found: Vec::new() };
    lint.visit_ast(ast);
    lint.found
}

struct Lint {
    found: Vec<Diagnostic>,
}

impl Lint {
    fn chain<'a>(&mut self, prefix: &Prefix, suffixes: impl Iterator<Item = &'a Suffix>) {
        let Prefix::Name(first) = prefix else {
            return;
        };
        // Only the globals the table names start a chain worth reading.
        let root = first.token().to_string();
        let is_root = |family: &&str| family.split('.').next() == Some(root.as_str());
        if !MISSING
            .iter()
            .any(|(_, families)| families.iter().any(is_root))
        {
            return;
        }
        let mut shown = root.clone();
        let mut end = first.end_position();
        for s in suffixes {
            match s {
                Suffix::Index(ast::Index::Dot { name, .. }) => {
                    shown.push('.');
                    shown.push_str(&name.token().to_string());
                    end = name.end_position();
                }
                // A method call names its method like a field.
                Suffix::Call(ast::Call::MethodCall(m)) => {
                    shown.push('.');
                    shown.push_str(&m.name().token().to_string());
                    end = m.name().end_position();
                    break;
                }
                _ => break,
            }
        }
        let names = |family: &str| {
            shown == family
                || shown
                    .strip_prefix(family)
                    .is_some_and(|rest| rest.starts_with('.'))
        };
        let Some((why, family)) = MISSING
            .iter()
            .find_map(|(why, families)| families.iter().find(|f| names(f)).map(|f| (why, f)))
        else {
            return;
        };
        let (Some(start), Some(end)) = (first.start_position(), end) else {
            return;
        };
        self.found.push(Diagnostic::new(
            format!("`{shown}` is not available: {why}"),
            start.line() as u32,
            start.character() as u32,
            start.bytes()..end.bytes(),
            format!("`{family}` is nil in the compiled module: this raises an error when it runs"),
        ));
    }
}

impl Visitor for Lint {
    fn visit_function_call(&mut self, node: &ast::FunctionCall) {
        self.chain(node.prefix(), node.suffixes());
    }

    fn visit_var_expression(&mut self, node: &ast::VarExpression) {
        self.chain(node.prefix(), node.suffixes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn warnings(src: &str) -> Vec<String> {
        let ast = full_moon::parse_fallible(src, full_moon::LuaVersion::luajit())
            .into_result()
            .expect("parses");
        missing_apis(&ast)
            .iter()
            .map(|d| format!("{}:{} {}", d.line, d.column, d.message))
            .collect()
    }

    #[test]
    fn missing_apis_are_named_where_they_are_used() {
        let src = "local m = ngx.re.match(s, \"a\")\n\
                   local cap = ngx.location.capture\n\
                   ngx.sleep(1)\n\
                   io.stdout:write(\"x\")\n\
                   local f = io.open(\"/etc/hosts\")\n\
                   os.execute(\"ls\")\n\
                   ngx.say(os.time(), ngx.req.get_method(), ngx.var.uri)\n\
                   local t = ngx.req.socket()\n";
        insta::assert_snapshot!(warnings(src).join("\n"), @r"
        1:11 `ngx.re.match` is not available: not supported by moonshift yet
        2:13 `ngx.location.capture` is not available: not supported by moonshift yet
        3:1 `ngx.sleep` is not available: not supported by moonshift yet
        4:1 `io.stdout.write` is not available: the sandbox has no files or processes
        5:11 `io.open` is not available: the sandbox has no files or processes
        6:1 `os.execute` is not available: the sandbox has no files or processes
        8:11 `ngx.req.socket` is not available: not supported by moonshift yet
        ");
    }
}
