//! The collector under load: garbage made forever runs in bounded memory, a
//! long-lived instance keeps its memory flat, running out of memory is a
//! catchable Lua error.
//!
//! The fast versions run in CI. The figures of the GC issue come from the
//! ignored ones, which print what they measure:
//! `cargo test --release -p moonshift-tests --test gc -- --ignored --nocapture`.

use std::path::Path;
use std::time::Duration;

use moonshift_host::reference;
use moonshift_host::traffic;
use moonshift_host::wasm::{GcStats, Limits, WasmProgram};
use moonshift_tests::*;

const MIB: usize = 1 << 20;

fn write_temp(name: &str, text: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("moonshift-gc-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writing a temp script");
    path
}

/// Runs `path` on both arms with `limits`; the outputs must match. Returns
/// the compiled arm's collector statistics.
fn run_checked(path: &Path, limits: Limits) -> GcStats {
    let source = std::fs::read(path).expect("script");
    let reference = reference::run_script(&source, &chunk_name(path), true);
    let wasm = compile_file(path).expect("compiles");
    let program = WasmProgram::new(&wasm, limits).expect("module");
    let (out, stats) = program.run_script_with_stats();
    if let Some(d) = describe_difference(&reference, &out) {
        panic!("{}: {d}", path.display());
    }
    stats.expect("statistics after the run")
}

fn churn_script(iterations: u32) -> String {
    let bench = std::fs::read_to_string(root().join("corpus/bench/churn.lua")).expect("churn.lua");
    assert!(
        bench.contains("for i = 1, 10000000 do"),
        "the loop to shorten"
    );
    bench.replace(
        "for i = 1, 10000000 do",
        &format!("for i = 1, {iterations} do"),
    )
}

#[test]
fn churn_runs_in_bounded_memory() {
    let path = write_temp("churn.lua", &churn_script(100_000));
    let cap = 24 * MIB;
    let stats = run_checked(
        &path,
        Limits {
            max_memory: cap,
            ..Limits::default()
        },
    );
    // Ten times the cap went through a heap that never outgrew it.
    assert!(
        stats.allocated > 10 * cap as u64,
        "only {} bytes allocated",
        stats.allocated
    );
    assert!(stats.linear_memory <= cap as u64, "{stats:?}");
    assert!(stats.collections > 5, "{stats:?}");
}

#[test]
fn out_of_memory_is_catchable_and_the_program_goes_on() {
    let path = write_temp(
        "oom.lua",
        "local ok, err = pcall(function()\n\
         \x20 local t = {}\n\
         \x20 for i = 1, 1e9 do t[i] = { i } end\n\
         end)\n\
         print(ok, err)\n\
         collectgarbage()\n\
         local after = {}\n\
         for i = 1, 1000 do after[i] = 'v' .. i end\n\
         print(#after, after[1000])\n",
    );
    let wasm = compile_file(&path).expect("compiles");
    let program = WasmProgram::new(
        &wasm,
        Limits {
            max_memory: 32 * MIB,
            verify_heap: true,
            ..Limits::default()
        },
    )
    .expect("module");
    let out = program.run_script();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "false\tnot enough memory\n1000\tv1000\n",
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.exit_code, 0);
}

#[test]
fn verifier_reports_a_freed_object_still_referenced() {
    let path = write_temp("plain.lua", "x = { 1, 2, 3 }\n");
    let program = WasmProgram::new(&compile_file(&path).unwrap(), Limits::default()).unwrap();
    let verdict = program.verify_after_freeing_a_live_string().unwrap();
    let err = verdict.expect_err("the verifier must see the freed string");
    assert!(err.contains("not allocated"), "{err}");
}

#[test]
fn zeal_collects_at_every_safepoint_after_an_allocation() {
    let path = write_temp(
        "zeal.lua",
        "local keep = {}\nfor i = 1, 200 do keep[i] = { i } end\nprint(#keep, keep[200][1])\n",
    );
    let wasm = compile_file(&path).unwrap();
    let run = |zeal| {
        let program = WasmProgram::new(
            &wasm,
            Limits {
                gc_zeal: zeal,
                // The verifier collects too: count only the run's collections.
                verify_heap: false,
                ..Limits::default()
            },
        )
        .unwrap();
        let (out, stats) = program.run_script_with_stats();
        assert_eq!(
            out.stdout,
            b"200\t200\n",
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        stats.unwrap().collections
    };
    assert_eq!(run(0), 0, "200 small tables are below the first trigger");
    assert!(
        run(1) >= 200,
        "zeal 1 collects at each loop head after an allocation"
    );
}

/// Serves `requests` requests (cycling through the handler's traffic) on one
/// instance; returns the linear memory size after each count in `marks`.
fn long_lived_memory(script: &str, requests: usize, marks: &[usize]) -> Vec<(usize, GcStats)> {
    at_root();
    let path = root().join("corpus/ngx").join(script);
    let traffic_text = std::fs::read_to_string(path.with_extension("jsonl")).expect("traffic file");
    let reqs = traffic::parse_traffic(&traffic_text).expect("traffic");
    let wasm = compile_file(&path).expect("compiles");
    let program = WasmProgram::new(
        &wasm,
        Limits {
            timeout: Duration::from_secs(30),
            ..Limits::default()
        },
    )
    .expect("module");
    // The first response to each request: every later one must equal it.
    let first: Vec<_> = reqs.iter().map(|r| program.handle_request(r)).collect();
    let marks = marks.to_vec();
    program
        .with_long_lived(move |instance| {
            let mut out = Vec::new();
            for n in 1..=requests {
                let i = n % reqs.len();
                let resp = instance.handle(&reqs[i]);
                assert_eq!(
                    resp, first[i],
                    "response {n} differs from a fresh instance's"
                );
                if marks.contains(&n) {
                    out.push((n, instance.gc_stats().expect("stats")));
                }
            }
            out
        })
        .expect("long-lived instance")
}

#[test]
fn long_lived_instance_memory_stays_flat() {
    let sizes = long_lived_memory("json_like.lua", 20_000, &[2_000, 20_000]);
    let (early, late) = (sizes[0].1, sizes[1].1);
    assert_eq!(
        early.linear_memory, late.linear_memory,
        "linear memory grew between 2 000 and 20 000 requests: {sizes:?}"
    );
    assert!(late.collections > early.collections, "{sizes:?}");
}

#[test]
#[ignore = "long: a million requests (about a minute); prints the figures"]
fn long_lived_instance_a_million_requests() {
    let sizes = long_lived_memory("json_like.lua", 1_000_000, &[10_000, 1_000_000]);
    for (n, s) in &sizes {
        println!(
            "after {n:>9} requests: linear memory {:.2} MiB, {} collections, {:.2} GB allocated",
            s.linear_memory as f64 / MIB as f64,
            s.collections,
            s.allocated as f64 / 1e9
        );
    }
    assert_eq!(sizes[0].1.linear_memory, sizes[1].1.linear_memory);
}

/// Runs `corpus/bench/<name>` on both arms under a 64 MiB cap, prints and
/// returns the collector's statistics.
fn bench_under_64_mib(name: &str) -> GcStats {
    at_root();
    let stats = run_checked(
        &root().join("corpus/bench").join(name),
        Limits {
            max_memory: 64 * MIB,
            timeout: Duration::from_secs(600),
            ..Limits::default()
        },
    );
    println!("{name}: {stats:?}");
    assert!(stats.linear_memory <= 64 * MIB as u64);
    stats
}

#[test]
#[ignore = "long: 10^7 iterations, over 20 GB allocated (about a minute); prints the figures"]
fn churn_20_gb_under_64_mib() {
    let stats = bench_under_64_mib("churn.lua");
    assert!(stats.allocated >= 20_000_000_000, "{stats:?}");
}

#[test]
#[ignore = "binary trees of depth 16; prints the figures"]
fn binary_trees_depth_16_under_64_mib() {
    bench_under_64_mib("binary_trees.lua");
}

/// The binary-trees benchmark at depth 10, on both arms, with and without
/// GC zeal (the benchmark is the one copy of the program).
#[test]
fn small_binary_trees_match_luajit_with_and_without_zeal() {
    let bench =
        std::fs::read_to_string(root().join("corpus/bench/binary_trees.lua")).expect("bench");
    assert!(
        bench.contains("local max_depth = 16"),
        "the depth to shrink"
    );
    let path = write_temp(
        "binary_trees.lua",
        &bench.replace("local max_depth = 16", "local max_depth = 10"),
    );
    for limits in [test_limits(), zeal_limits(1)] {
        run_checked(&path, limits);
    }
}
