//! Bad input gets a diagnostic that names the construct and the place, never
//! a panic or an invalid module.

fn diagnose(source: &str) -> String {
    match moonshift_backend::compile_source("bad.lua", source) {
        Ok(_) => panic!("expected a diagnostic for:\n{source}"),
        Err(e) => e.render("bad.lua", source),
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
    let cases = [("do\n  goto done\nend\n::done::\n", "goto or label", 2)];
    for (source, what, line) in cases {
        let text = diagnose(source);
        assert!(
            text.contains("unsupported construct") && text.contains(what),
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
