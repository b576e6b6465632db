//! The `moonshift` command, end to end: the verbs and their exact shape.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn moonshift(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_moonshift"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("running moonshift")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("moonshift-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn run_prints_and_reports_uncaught_errors_like_luajit() {
    let f = temp("err.lua", "print('before')\nlocal t = nil\nprint(t.x)\n");
    for engine in ["wasm", "luajit"] {
        let out = moonshift(&["run", &f, "--engine", engine]);
        assert_eq!(out.status.code(), Some(1), "{engine}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "before\n", "{engine}");
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            format!("moonshift: {f}:3: attempt to index local 't' (a nil value)\n"),
            "{engine}"
        );
    }
}

#[test]
fn compile_writes_a_module_and_wat() {
    let f = temp("ok.lua", "local x = 1\nprint(x + 1)\n");
    let out_path = temp("ok.wasm", "");
    let out = moonshift(&["compile", &f, "-o", &out_path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&out_path).unwrap();
    assert_eq!(&bytes[..4], b"\0asm");
    let wat = moonshift(&["compile", &f, "--emit", "wat"]);
    assert!(String::from_utf8_lossy(&wat.stdout).contains("(func $lua:main"));
}

#[test]
fn compile_error_is_rendered_with_position() {
    let f = temp("bad.lua", "local x = \n");
    let out = moonshift(&["run", &f]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error: syntax error") && err.contains("bad.lua:"),
        "{err}"
    );
}

#[test]
fn diff_of_the_readme_example_is_clean() {
    let out = moonshift(&[
        "diff",
        "corpus/ngx/hello.lua",
        "--traffic",
        "corpus/ngx/hello.jsonl",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("0 divergent"), "{text}");
}

#[test]
fn diff_rejects_malformed_traffic_naming_the_line() {
    let t = temp(
        "bad.jsonl",
        "{\"method\":\"GET\",\"uri\":\"/\"}\nnot json\n",
    );
    let out = moonshift(&["diff", "corpus/ngx/hello.lua", "--traffic", &t]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2"), "{err}");
}

#[test]
fn lua_path_finds_modules_for_both_engines() {
    let dir = std::env::temp_dir().join(format!("moonshift-cli-path-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("lib/util")).unwrap();
    std::fs::write(
        dir.join("lib/util/init.lua"),
        "return { twice = function(x) return 2 * x end }\n",
    )
    .unwrap();
    let script = dir.join("main.lua");
    std::fs::write(&script, "local u = require('util')\nprint(u.twice(21))\n").unwrap();
    let path = format!(
        "{}/lib/?.lua;{}/lib/?/init.lua",
        dir.display(),
        dir.display()
    );
    let script = script.display().to_string();
    for engine in ["wasm", "luajit"] {
        let out = moonshift(&["run", &script, "--engine", engine, "--lua-path", &path]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "42\n",
            "{engine}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Without the path the module is not found, at compile time, naming the require.
    let out = moonshift(&["run", &script]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("module 'util' not found"));
}
