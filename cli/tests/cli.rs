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

/// `moonshift serve` answers HTTP on the address it prints, with the configuration's
/// handlers compiled; and refuses a configuration it cannot serve faithfully.
#[test]
fn serve_answers_http_and_refuses_what_it_cannot_serve() {
    use std::io::{BufRead, BufReader, Read, Write};
    let conf = root().join("corpus/bench/gateway/nginx.conf");
    let mut child = Command::new(env!("CARGO_BIN_EXE_moonshift"))
        .args([
            "serve",
            "--conf",
            conf.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .args(["--cache-dir", "none"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("moonshift serve starts");
    let mut lines = BufReader::new(child.stderr.take().expect("stderr"));
    let mut addr = String::new();
    for _ in 0..10 {
        let mut line = String::new();
        if lines.read_line(&mut line).unwrap_or(0) == 0 {
            break;
        }
        if let Some(a) = line.trim().strip_prefix("moonshift: serving on http://") {
            addr = a.to_string();
            break;
        }
    }
    assert!(!addr.is_empty(), "serve printed no address");
    let get = |key: &str| {
        let mut s = std::net::TcpStream::connect(&addr).expect("connects");
        write!(
            s,
            "GET /api/items?id=1 HTTP/1.1\r\nHost: x\r\nX-Api-Key: {key}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut out = String::new();
        s.read_to_string(&mut out).unwrap();
        out
    };
    let ok = get("secret");
    let bad = get("wrong");
    let _ = child.kill();
    let _ = child.wait();
    assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
    assert!(ok.contains("X-Client: client-6"), "{ok}");
    assert!(
        ok.contains("{\"id\":2,\"name\":\"item-2\",\"price\":2.50}"),
        "{ok}"
    );
    assert!(bad.starts_with("HTTP/1.1 401 Unauthorized\r\n"), "{bad}");

    let refused = temp(
        "refused.conf",
        "events {}\nhttp {\n  server {\n    listen 127.0.0.1:0;\n    location / { proxy_pass http://127.0.0.1:1; }\n  }\n}\n",
    );
    let out = moonshift(&["serve", "--conf", &refused]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"proxy_pass\" is not supported by moonshift")
            && err.contains("refused.conf:5"),
        "{err}"
    );
}

#[test]
fn uses_of_missing_apis_are_warned_about_with_their_place() {
    let f = temp(
        "missing.lua",
        "local ok = true\nif not ok then ngx.location.capture(\"/x\") end\nprint(\"ran\")\n",
    );
    let out = moonshift(&["run", &f]);
    let err = String::from_utf8_lossy(&out.stderr);
    // A warning, not an error: the use is in a branch that does not run.
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ran\n");
    assert!(
        err.contains(
            "warning: `ngx.location.capture` is not available: not supported by moonshift yet"
        ) && err.contains("missing.lua:2:16"),
        "{err}"
    );

    // In a configuration, the place is ngx_lua's chunk name for the handler.
    use std::io::{BufRead, BufReader};
    let conf = temp(
        "missing.conf",
        "events {}\nhttp {\n  server {\n    listen 127.0.0.1:0;\n    location / {\n      content_by_lua_block {\n        if ngx.var.arg_wait then ngx.sleep(1) end\n        ngx.say(\"ok\")\n      }\n    }\n  }\n}\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_moonshift"))
        .args(["serve", "--conf", &conf, "--cache-dir", "none"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("moonshift serve starts");
    let lines = BufReader::new(child.stderr.take().expect("stderr"));
    let mut before = String::new();
    for line in lines.lines().map_while(Result::ok).take(40) {
        if line.starts_with("moonshift: serving on") {
            break;
        }
        before.push_str(&line);
        before.push('\n');
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        before.contains("warning: `ngx.sleep` is not available")
            && before.contains("content_by_lua(missing.conf:6):2:"),
        "{before}"
    );
}
