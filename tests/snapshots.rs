//! Snapshots of the scoped IR and of the generated wasm functions for the
//! small programs in `corpus/snap/`. Bless changes with `cargo insta review`
//! or `INSTA_UPDATE=always`.

use moonshift_tests::{chunk_name, compile_file, corpus_files};

/// The generated functions of a module (not the runtime's), as WAT, without
/// the index comments that shift whenever the runtime changes.
fn generated_wat(wasm: &[u8]) -> String {
    let wat = moonshift_backend::to_wat(wasm).expect("printable module");
    let mut out = String::new();
    let mut inside = false;
    for line in wat.lines() {
        if line.starts_with("  (") {
            inside = line.starts_with("  (func $lua:");
        }
        if inside {
            out.push_str(&strip_index_comments(line));
            out.push('\n');
        }
    }
    out
}

fn strip_index_comments(line: &str) -> String {
    let mut s = line.to_string();
    while let Some(a) = s.find("(;") {
        match s[a..].find(";)") {
            Some(b) => s.replace_range(a..a + b + 2, ""),
            None => break,
        }
    }
    s.replace("  )", " )").trim_end().to_string()
}

#[test]
fn ir_and_wat_snapshots() {
    let files = corpus_files("snap", "lua");
    assert!(files.len() >= 4);
    for f in files {
        let stem = f.file_stem().unwrap().to_string_lossy().to_string();
        let source = std::fs::read_to_string(&f).unwrap();
        let program = moonshift_frontend::compile_source(&chunk_name(&f), &source)
            .expect("snapshot programs compile");
        insta::assert_snapshot!(
            format!("{stem}.ir"),
            moonshift_frontend::dump::program(&program)
        );
        let wasm = compile_file(&f).expect("snapshot programs compile");
        insta::assert_snapshot!(format!("{stem}.wat"), generated_wat(&wasm));
    }
}
