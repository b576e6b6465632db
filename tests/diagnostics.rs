//! Bad input gets a diagnostic that names the construct and the place, never
//! a panic or an invalid module.

fn diagnose(source: &str) -> String {
    match moonshift_backend::compile_source("bad.lua", source) {
        Ok(_) => panic!("expected a diagnostic for:\n{source}"),
        Err(e) => e.render(),
    }
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let text = diagnose("local x = 1\nlocal y = = 2\n");
    assert!(text.contains("error: syntax error"), "{text}");
    assert!(text.contains("bad.lua:2:"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn unsupported_constructs_are_named_with_their_line() {
    let cases = [
        (
            "local f = loadstring('return 1')\n",
            "`loadstring` loads code at run time",
            1,
        ),
        (
            "print(1)\ndofile('other.lua')\n",
            "`dofile` loads code at run time",
            2,
        ),
        (
            "local x = 1\nlocal l = load\n",
            "`load` loads code at run time",
            2,
        ),
    ];
    for (source, what, line) in cases {
        let text = diagnose(source);
        assert!(
            text.contains("unsupported") && text.contains(what),
            "{what}: {text}"
        );
        assert!(
            text.contains(&format!("bad.lua:{line}:")),
            "{what} at line {line}: {text}"
        );
    }
}

#[test]
fn varargs_outside_a_vararg_function() {
    let text = diagnose("local function f()\n  return ...\nend\n");
    assert!(
        text.contains("cannot use '...' outside a vararg function"),
        "{text}"
    );
    assert!(text.contains("bad.lua:2:"), "{text}");
}

#[test]
fn every_break_needs_a_loop() {
    let text = diagnose("break\n");
    assert!(text.contains("no loop to break"), "{text}");
}

#[test]
fn bad_escape_is_reported() {
    let text = diagnose("print(\"\\q\")\n");
    assert!(text.contains("invalid escape sequence"), "{text}");
}

/// Chunks LuaJIT refuses to load (bad gotos) get the same message and line
/// from moonshift's compiler as from LuaJIT's loader.
#[test]
fn compile_errors_match_luajit_load_errors() {
    let files = moonshift_tests::corpus_files("compile-errors", "lua");
    assert!(!files.is_empty());
    moonshift_tests::check_all(&files, |f| {
        let name = moonshift_tests::chunk_name(f);
        let source = std::fs::read_to_string(f).map_err(|e| e.to_string())?;
        let reference = moonshift_host::reference::run_script(source.as_bytes(), &name, true);
        let diags = match moonshift_frontend::compile_source(&name, &source) {
            Ok(_) => return Err("compiled, but LuaJIT refuses to load it".into()),
            Err(d) => d.diagnostics,
        };
        let ours = format!("moonshift: {}\n", diags[0].lua_style(&name));
        let theirs = String::from_utf8_lossy(&reference.stderr).into_owned();
        if ours == theirs {
            Ok(())
        } else {
            Err(format!("luajit: {theirs}ours:   {ours}"))
        }
    });
}

#[test]
fn missing_module_is_a_compile_error_naming_the_require() {
    let text = diagnose("print(1)\nlocal m = require('no.such.module')\n");
    assert!(text.contains("module 'no.such.module' not found"), "{text}");
    assert!(text.contains("no file './no/such/module.lua'"), "{text}");
    assert!(text.contains("bad.lua:2:"), "{text}");
}
