//! The differential suites: every corpus program runs on LuaJIT (through
//! mlua) and as a compiled module on wasmtime, and the arms must agree byte
//! for byte.

use std::path::PathBuf;

use moonshift_host::diff;
use moonshift_host::ngx::Request;
use moonshift_host::reference::{self, ReferenceEngine};
use moonshift_host::wasm::{Limits, WasmEngine, WasmProgram};
use moonshift_tests::*;

#[test]
fn lang_corpus_matches_luajit() {
    let files = corpus_files("lang", "lua");
    assert!(
        files.len() >= 40,
        "corpus/lang has only {} programs",
        files.len()
    );
    check_all(&files, |f| check_script(f));
}

/// The same programs with a collection due after every allocation, and the
/// heap verifier after each: a root the collector misses shows up here as a
/// freed object still in use.
#[test]
fn lang_and_gc_corpus_match_luajit_under_gc_zeal() {
    let mut files = corpus_files("lang", "lua");
    files.extend(corpus_files("gc", "lua"));
    check_all(&files, |f| check_script_with(f, zeal_limits(1)));
}

/// The standard libraries' edge cases (`corpus/lib`), also under zeal.
#[test]
fn lib_corpus_matches_luajit() {
    let files = corpus_files("lib", "lua");
    assert!(!files.is_empty(), "corpus/lib is empty");
    check_all(&files, |f| check_script(f));
    check_all(&files, |f| check_script_with(f, zeal_limits(1)));
}

#[test]
fn gc_corpus_matches_luajit() {
    let files = corpus_files("gc", "lua");
    assert!(
        files.len() >= 5,
        "corpus/gc has only {} programs",
        files.len()
    );
    check_all(&files, |f| check_script(f));
}

#[test]
fn ngx_corpus_matches_luajit() {
    check_ngx_corpus(test_limits());
}

#[test]
fn ngx_corpus_matches_luajit_under_gc_zeal() {
    check_ngx_corpus(zeal_limits(1));
}

fn check_ngx_corpus(limits: Limits) {
    let scripts = corpus_files("ngx", "lua");
    assert!(
        scripts.len() >= 8,
        "corpus/ngx has only {} handlers",
        scripts.len()
    );
    check_all(&scripts, |script| {
        let traffic = script.with_extension("jsonl");
        let report = diff_handler_with(script, &traffic, limits)?;
        if report.requests == 0 {
            return Err(format!("{} holds no requests", traffic.display()));
        }
        if report.is_clean() {
            Ok(())
        } else {
            Err(report.to_string())
        }
    });
}

fn write_temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("moonshift-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writing a temp script");
    path
}

/// The harness must see a difference when the arms really differ: the
/// reference runs one script, the module is compiled from another.
#[test]
fn harness_reports_a_difference_between_scripts() {
    let a = write_temp("a.lua", "print(1 + 1)\n");
    let b = write_temp("b.lua", "print(1 + 2)\n");
    let reference = reference::run_script(&std::fs::read(&a).unwrap(), "a.lua", true);
    let wasm = WasmProgram::new(&compile_file(&b).unwrap(), Limits::default())
        .unwrap()
        .run_script();
    let d = describe_difference(&reference, &wasm).expect("the outputs differ");
    assert!(d.contains("stdout differs at byte 0"), "{d}");

    // The same for content handlers through `diff`.
    let ha = "ngx.status = 201\nngx.say('a')\n";
    let hb = write_temp("hb.lua", "ngx.say('b')\n");
    let mut reference = ReferenceEngine::new(ha.as_bytes().to_vec(), "h.lua");
    let mut candidate =
        WasmEngine::new(WasmProgram::new(&compile_file(&hb).unwrap(), Limits::default()).unwrap());
    let req = Request {
        method: "GET".into(),
        uri: "/".into(),
        headers: vec![],
        body: vec![],
        http10: false,
    };
    let report = diff::diff(&[req], &mut reference, &mut candidate);
    assert!(!report.is_clean());
    let text = report.to_string();
    assert!(text.contains("status") && text.contains("body"), "{text}");
}

#[test]
fn infinite_loop_is_stopped_with_a_clear_error() {
    let f = write_temp("loop.lua", "print('start')\nwhile true do end\n");
    let limits = Limits {
        timeout: std::time::Duration::from_millis(300),
        ..Limits::default()
    };
    let out = WasmProgram::new(&compile_file(&f).unwrap(), limits)
        .unwrap()
        .run_script();
    assert_eq!(out.exit_code, 1);
    assert_eq!(out.stdout, b"start\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("time limit"), "{err}");
}

#[test]
fn memory_cap_raises_not_enough_memory() {
    let f = write_temp("eat.lua", "local t = {}\nfor i = 1, 1e9 do t[i] = i end\n");
    let limits = Limits {
        max_memory: 48 << 20,
        ..Limits::default()
    };
    let out = WasmProgram::new(&compile_file(&f).unwrap(), limits)
        .unwrap()
        .run_script();
    assert_eq!(out.exit_code, 1);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "moonshift: not enough memory\n"
    );
}

#[test]
fn deep_recursion_raises_stack_overflow() {
    let f = write_temp(
        "deep.lua",
        "local function f(n) return 1 + f(n + 1) end\nf(1)\n",
    );
    let out = WasmProgram::new(&compile_file(&f).unwrap(), Limits::default())
        .unwrap()
        .run_script();
    assert_eq!(out.exit_code, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.ends_with("deep.lua:1: stack overflow\n"), "{err}");
}
