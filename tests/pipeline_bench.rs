//! The gateway pipeline in one process, without sockets or HTTP: the load test's request
//! (corpus/bench/gateway) handled by `Gateway::handle` on the compiled module and on
//! LuaJIT, both keeping their state across requests (`--instance-reuse`, as ngx_lua
//! keeps its Lua VM), and on the compiled module with an instance per request, put back
//! to the image after each (serve's default) and made anew for each (serve's default
//! before the seventh sitting, docs/BENCHMARKS.md), in alternating rounds; prints the
//! medians per request and the ratios to LuaJIT. A benchmark, not a test (ignored):
//! `cargo test --release -p moonshift-tests --test pipeline_bench -- --ignored --nocapture`
//! Its figures are steadier than the load test's on a shared machine, and say how much of
//! a request is the handlers and the ngx API rather than HTTP and the kernel.

use std::time::{Duration, Instant};

use moonshift_host::conf::Conf;
use moonshift_host::gateway::{Backend, Gateway};
use moonshift_host::ngx::Request;
use moonshift_host::reference::ConfReference;
use moonshift_host::wasm::{ConfProgram, Limits, THREAD_STACK};

const ROUNDS: usize = 9;
const PER_ROUND: usize = 5_000;

fn request() -> Request {
    Request {
        method: "GET".into(),
        uri: "/api/items?id=42".into(),
        headers: vec![
            ("Host".into(), "127.0.0.1".into()),
            ("X-Api-Key".into(), "secret".into()),
        ],
        body: vec![],
        http10: false,
    }
}

/// The gateway on the compiled module (`wasm`) or LuaJIT; `reuse`: one state across
/// requests, else an instance per request; `put_back`: the module records its writes, and
/// an instance per request is put back to the image after it (serve's default) rather than
/// made anew.
fn gateway(wasm: bool, reuse: bool, put_back: bool) -> Gateway {
    let path = moonshift_tests::root().join("corpus/bench/gateway/nginx.conf");
    let conf = Conf::load(&path).expect("conf loads");
    let backend: Box<dyn Backend> = if wasm {
        let modules = moonshift_frontend::ModulePath::parse(&conf.module_path());
        let (wasm, entries) =
            moonshift_backend::compile_handlers(&conf.sources(), &modules).expect("compiles");
        Box::new(
            ConfProgram::new_cached(
                &wasm,
                entries,
                Limits::default(),
                None,
                conf.dict_names(),
                put_back,
            )
            .expect("instantiates"),
        )
    } else {
        Box::new(ConfReference::new(conf.sources(), Some(conf.module_path())))
    };
    Gateway::new(conf, backend).with_instance_reuse(reuse)
}

/// Time of `PER_ROUND` requests; the body of the last.
fn round(gw: &Gateway) -> (Duration, Vec<u8>) {
    let t = Instant::now();
    let mut body = Vec::new();
    for _ in 0..PER_ROUND {
        let r = gw.handle(0, 18500, request(), None);
        assert_eq!(r.status, 200, "{:?}", r.log);
        body = r.body;
    }
    (t.elapsed(), body)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
#[ignore = "a benchmark: prints figures"]
fn gateway_pipeline_wasm_against_luajit() {
    // Sessions live in a per-thread pool: one thread, with the stack a guest may need.
    std::thread::Builder::new()
        .stack_size(THREAD_STACK)
        .spawn(|| {
            let (wasm, fresh, new, lua) = (
                gateway(true, true, false),
                gateway(true, false, true),
                gateway(true, false, false),
                gateway(false, true, false),
            );
            // Warm up: instances made, caches filled, LuaJIT's traces recorded.
            let (_, a) = round(&wasm);
            let (_, f) = round(&fresh);
            let (_, n) = round(&new);
            let (_, b) = round(&lua);
            for other in [&a, &f, &n] {
                assert_eq!(
                    String::from_utf8_lossy(other),
                    String::from_utf8_lossy(&b),
                    "the arms answer differently"
                );
            }
            let (mut w, mut fr, mut nw, mut l) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            let (mut ratios, mut fresh_ratios, mut new_ratios) =
                (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..ROUNDS {
                let (tw, _) = round(&wasm);
                let (tf, _) = round(&fresh);
                let (tn, _) = round(&new);
                let (tl, _) = round(&lua);
                let per = |t: Duration| t.as_secs_f64() * 1e6 / PER_ROUND as f64;
                w.push(per(tw));
                fr.push(per(tf));
                nw.push(per(tn));
                l.push(per(tl));
                ratios.push(per(tw) / per(tl));
                fresh_ratios.push(per(tf) / per(tl));
                new_ratios.push(per(tn) / per(tl));
            }
            println!(
                "gateway pipeline, {ROUNDS} rounds of {PER_ROUND} requests (medians): \
                 wasm {:.2} us/request, LuaJIT {:.2} us/request, wasm / LuaJIT = {:.2}x \
                 (median of per-round ratios {:.2}x); wasm with an instance per request \
                 put back to the image (serve's default) {:.2} us/request ({:.2}x LuaJIT's, \
                 median of per-round ratios); wasm with a new instance per request {:.2} \
                 us/request ({:.2}x)",
                median(w.clone()),
                median(l.clone()),
                median(w) / median(l),
                median(ratios),
                median(fr),
                median(fresh_ratios),
                median(nw),
                median(new_ratios)
            );
        })
        .expect("thread")
        .join()
        .expect("benchmark thread");
}

/// One arm alone for a profiler: `MOONSHIFT_PIPELINE_ARM=wasm|fresh|new|tracked|luajit`
/// (wasm by default; fresh is wasm with an instance per request put back to the image, new
/// with a new instance per request, tracked the reused instance of the module that records
/// its writes, as fresh's does, without the resets),
/// 60 rounds after the warm-up (`MOONSHIFT_PIPELINE_ROUNDS`), so `perf record` sees the
/// requests rather than the compilation: `perf record -D 3000
/// target/release/deps/pipeline_bench-* --ignored --nocapture one_arm_for_a_profiler`.
#[test]
#[ignore = "a benchmark: prints figures"]
fn one_arm_for_a_profiler() {
    std::thread::Builder::new()
        .stack_size(THREAD_STACK)
        .spawn(|| {
            let arm = std::env::var("MOONSHIFT_PIPELINE_ARM").unwrap_or_else(|_| "wasm".into());
            // (compiled module, one instance across requests, the module records its
            // writes and instances are put back)
            let (wasm, reuse, put_back) = match &arm[..] {
                "wasm" => (true, true, false),
                "fresh" => (true, false, true),
                "new" => (true, false, false),
                "tracked" => (true, true, true),
                "luajit" => (false, true, false),
                other => panic!("MOONSHIFT_PIPELINE_ARM={other}: not an arm"),
            };
            let gw = gateway(wasm, reuse, put_back);
            round(&gw);
            let t = Instant::now();
            let rounds = std::env::var("MOONSHIFT_PIPELINE_ROUNDS")
                .ok()
                .and_then(|n| n.parse().ok())
                .unwrap_or(60);
            for _ in 0..rounds {
                round(&gw);
            }
            let per = t.elapsed().as_secs_f64() * 1e6 / (rounds * PER_ROUND) as f64;
            println!("{arm}: {per:.2} us/request over {rounds} rounds of {PER_ROUND}");
        })
        .expect("thread")
        .join()
        .expect("benchmark thread");
}
