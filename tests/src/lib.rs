//! Shared machinery of the test suites: compile a corpus file, run it on both
//! arms, and say precisely how the arms differ.
//!
//! Every suite is data-driven: the programs live in `corpus/`, and one
//! `check_*` function decides pass or fail for each of them.

pub mod luajit_quirks;
pub mod oracle;

use std::path::{Path, PathBuf};

use moonshift_host::diff::{self, Report};
use moonshift_host::reference::{self, ReferenceEngine, RunOutput};
use moonshift_host::traffic;
use moonshift_host::wasm::{Limits, WasmEngine, WasmProgram};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is in the workspace")
        .to_path_buf()
}

/// Makes the workspace root the working directory: chunk names are relative
/// to it, and both arms find `require`d modules from there.
pub fn at_root() {
    std::env::set_current_dir(root()).expect("the workspace root exists");
}

/// `corpus/<dir>/*.<ext>`, sorted.
pub fn corpus_files(dir: &str, ext: &str) -> Vec<PathBuf> {
    at_root();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("corpus").join(dir))
        .unwrap_or_else(|e| panic!("reading corpus/{dir}: {e}"))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

/// The chunk name both arms use: the path relative to the workspace root.
pub fn chunk_name(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Compiles a script file to a module, or returns the rendered diagnostics.
pub fn compile_file(path: &Path) -> Result<Vec<u8>, String> {
    let source = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let name = chunk_name(path);
    moonshift_backend::compile_source(&name, &source).map_err(|e| e.render())
}

/// Runs a plain script on LuaJIT and on the compiled module.
pub fn run_both(path: &Path, limits: Limits) -> Result<(RunOutput, RunOutput), String> {
    let source = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let reference = reference::run_script(&source, &chunk_name(path), true);
    let wasm = compile_file(path)?;
    let program = WasmProgram::new(&wasm, limits).map_err(|e| format!("{e:#}"))?;
    Ok((reference, program.run_script()))
}

/// Describes how two runs differ, or `None` when they are byte-identical
/// after the harness's normalisation (addresses in `tostring` output).
pub fn describe_difference(reference: &RunOutput, wasm: &RunOutput) -> Option<String> {
    let reference = &RunOutput {
        stdout: diff::normalize(&reference.stdout),
        stderr: diff::normalize(&reference.stderr),
        exit_code: reference.exit_code,
    };
    let wasm = &RunOutput {
        stdout: diff::normalize(&wasm.stdout),
        stderr: diff::normalize(&wasm.stderr),
        exit_code: wasm.exit_code,
    };
    let mut out = String::new();
    if reference.exit_code != wasm.exit_code {
        out += &format!(
            "  exit status: luajit {} / wasm {}\n",
            reference.exit_code, wasm.exit_code
        );
    }
    for (what, a, b) in [
        ("stdout", &reference.stdout, &wasm.stdout),
        ("stderr", &reference.stderr, &wasm.stderr),
    ] {
        if a != b {
            let at = a
                .iter()
                .zip(b.iter())
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            out += &format!(
                "  {what} differs at byte {at}:\n    luajit: {}\n    wasm:   {}\n",
                diff::excerpt(a, at),
                diff::excerpt(b, at)
            );
        }
    }
    if out.is_empty() { None } else { Some(out) }
}

/// Limits of the differential suites: defaults, the heap verifier after
/// every run, and `MOONSHIFT_GC_ZEAL` from the environment.
pub fn test_limits() -> Limits {
    let mut l = Limits::from_env();
    l.verify_heap = true;
    if l.gc_zeal != 0 {
        l.timeout = ZEAL_TIMEOUT;
    }
    l
}

/// Zeal makes deep programs quadratic (a collection per allocation, each
/// scanning the whole stack): 15 000 nested frames take ~12 s.
pub const ZEAL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

/// Test limits with GC zeal `n` and the verifier.
pub fn zeal_limits(n: u32) -> Limits {
    Limits {
        gc_zeal: n,
        verify_heap: true,
        timeout: ZEAL_TIMEOUT,
        ..Limits::default()
    }
}

/// The differential check of one plain script: both arms must agree exactly.
pub fn check_script(path: &Path) -> Result<(), String> {
    check_script_with(path, test_limits())
}

/// [`check_script`] with explicit limits (zeal runs).
pub fn check_script_with(path: &Path, limits: Limits) -> Result<(), String> {
    let (reference, wasm) = run_both(path, limits)?;
    match describe_difference(&reference, &wasm) {
        None => Ok(()),
        Some(d) => Err(d),
    }
}

/// Runs a content handler on both arms over its traffic file.
pub fn diff_handler(script: &Path, traffic_file: &Path) -> Result<Report, String> {
    diff_handler_with(script, traffic_file, test_limits())
}

/// [`diff_handler`] with explicit limits for the compiled arm.
pub fn diff_handler_with(
    script: &Path,
    traffic_file: &Path,
    limits: Limits,
) -> Result<Report, String> {
    let source = std::fs::read(script).map_err(|e| format!("{}: {e}", script.display()))?;
    let text = std::fs::read_to_string(traffic_file)
        .map_err(|e| format!("{}: {e}", traffic_file.display()))?;
    let requests = traffic::parse_traffic(&text)?;
    let wasm = compile_file(script)?;
    let program = WasmProgram::new(&wasm, limits).map_err(|e| format!("{e:#}"))?;
    let mut reference = ReferenceEngine::new(source, &chunk_name(script));
    let mut candidate = WasmEngine::new(program);
    Ok(diff::diff(&requests, &mut reference, &mut candidate))
}

/// Runs `check` on every item (on as many threads as the machine has
/// cores), and fails once with every failure listed.
pub fn check_all<T: std::fmt::Debug + Sync>(
    items: &[T],
    check: impl Fn(&T) -> Result<(), String> + Sync,
) {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let chunk = items.len().div_ceil(workers).max(1);
    let mut failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let check = &check;
                s.spawn(move || {
                    part.iter()
                        .filter_map(|item| check(item).err().map(|e| format!("{item:?}:\n{e}")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a check panicked"))
            .collect()
    });
    failures.sort();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        items.len(),
        failures.join("\n")
    );
}
