//! `moonshift serve` under bad handlers (corpus/ngx/limits): a handler that loops
//! forever, allocates without bound or recurses without bound has its request ended
//! within the deadline with a 500 and a logged error, while the server goes on serving
//! other requests, also during the bad one; and `--instance-reuse` keeps globals, and
//! gives each request its own time limit on both engines.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use moonshift_host::conf::Conf;
use moonshift_host::gateway::Gateway;
use moonshift_host::http;
use moonshift_host::ngx::Request;
use moonshift_host::wasm::{ConfProgram, Limits};
use moonshift_tests::oracle::send;

const TIMEOUT: Duration = Duration::from_secs(2);

type Count = Arc<std::sync::atomic::AtomicU64>;

/// What a server's program counts: slots whose pages were released (when the kernel
/// resets slots with `PAGEMAP_SCAN`), and instances put back to the image after a
/// request, with the resets that left memory different from the image.
struct Counts {
    trims: Option<Count>,
    put_back: Option<(Count, Count)>,
}

fn start(reuse: bool) -> (http::Server, Arc<http::ErrorLog>, Counts) {
    let path = moonshift_tests::root().join("corpus/ngx/limits/nginx.conf");
    let conf = Conf::load(&path).expect("conf loads");
    let modules = moonshift_frontend::ModulePath::parse(&conf.module_path());
    let (wasm, entries) =
        moonshift_backend::compile_handlers(&conf.sources(), &modules).expect("compiles");
    let limits = Limits {
        max_memory: 64 << 20,
        timeout: TIMEOUT,
        ..Limits::default()
    };
    let program = ConfProgram::new(&wasm, entries, limits).expect("instantiates");
    let counts = Counts {
        trims: program.trims(),
        put_back: program.verify_resets(),
    };
    let gw = Arc::new(Gateway::new(conf, Box::new(program)).with_instance_reuse(reuse));
    let log = Arc::new(http::ErrorLog::new(None, "debug", true));
    // Two workers, as the configuration says: while one runs a bad handler, the other
    // serves.
    assert_eq!(gw.conf.worker_processes, 2);
    let workers = gw.conf.worker_processes;
    let server = http::start(
        gw,
        log.clone(),
        Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        workers,
    )
    .expect("serves");
    (server, log, counts)
}

fn get(addr: SocketAddr, uri: &str) -> (u16, String, Duration) {
    let req = Request {
        method: "GET".into(),
        uri: uri.into(),
        headers: vec![],
        body: vec![],
        http10: false,
    };
    let t = Instant::now();
    let r = send(addr, &req).expect("response");
    (
        r.status,
        String::from_utf8_lossy(&r.body).into_owned(),
        t.elapsed(),
    )
}

fn last_error(log: &http::ErrorLog) -> String {
    let lines = log.lines.as_ref().expect("kept").lock().expect("lock");
    lines
        .last()
        .map(|(_, l)| l.text().into_owned())
        .unwrap_or_default()
}

#[test]
fn bad_handlers_end_within_the_deadline_and_the_server_goes_on() {
    let (server, log, _) = start(false);
    let addr = server.addrs[0];
    for (uri, wanted) in [
        ("/loop", "time limit"),
        ("/alloc", "not enough memory"),
        ("/recurse", "stack overflow"),
    ] {
        // Another request is served while the bad one runs.
        let bad = std::thread::spawn(move || get(addr, uri));
        std::thread::sleep(Duration::from_millis(200));
        let (status, body, took) = get(addr, "/ok");
        assert_eq!((status, body.as_str()), (200, "ok\n"), "during {uri}");
        assert!(
            took < Duration::from_secs(1),
            "/ok took {took:?} during {uri}"
        );
        let (status, _, took) = bad.join().expect("bad request thread");
        assert_eq!(status, 500, "{uri}");
        assert!(
            took < TIMEOUT + Duration::from_secs(3),
            "{uri} took {took:?} with a deadline of {TIMEOUT:?}"
        );
        let msg = last_error(&log);
        assert!(
            msg.starts_with("lua entry thread aborted: runtime error: ") && msg.contains(wanted),
            "{uri}: {msg}"
        );
        let (status, body, _) = get(addr, "/ok");
        assert_eq!((status, body.as_str()), (200, "ok\n"), "after {uri}");
    }
}

/// An instance is put back to the image after a request, also after one that recursed
/// deep into the Lua stack and failed, took more than a page of slots of a class or
/// collected garbage, and memory is then exactly the image; an instance
/// whose memory grew (`/alloc`) or whose run was stopped (`/loop`) is dropped instead,
/// and its slot's pages released (a slot reset from the kernel's list of resident pages
/// would otherwise copy back every page it ever wrote).
#[test]
fn instances_are_put_back_exactly_and_heavy_ones_dropped() {
    use std::sync::atomic::Ordering::Relaxed;
    let (server, _log, counts) = start(false);
    let (mismatches, put_back) = counts
        .put_back
        .expect("serve's default puts instances back");
    assert_eq!(
        counts.trims.is_some(),
        moonshift_host::wasm::pagemap_reset()
    );
    let trims = || counts.trims.as_ref().map_or(0, |t| t.load(Relaxed));
    let put_back = || put_back.load(Relaxed);
    let addr = server.addrs[0];
    // Sessions end after the response is written: wait for the count to move.
    let settle = |what: &dyn Fn() -> u64, want: u64| {
        let deadline = Instant::now() + Duration::from_secs(5);
        while what() < want && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        what()
    };
    let before = put_back();
    for _ in 0..5 {
        assert_eq!(get(addr, "/ok").1, "ok\n");
    }
    // A string the host writes into the module's memory, in lines the module does not
    // write itself: the host marks them.
    let long = format!("/long?s={}", "x".repeat(3000));
    assert_eq!(get(addr, &long).1, "3000\n");
    assert_eq!(
        settle(&put_back, before + 6),
        before + 6,
        "ordinary requests"
    );
    assert_eq!(trims(), 0, "ordinary requests");
    // Past a heap page of a class, and a collection in the middle of a request (which
    // frees, clears mark bits and rebuilds the lists of pages with room): put back too.
    for (uri, body) in [("/many", "3000 s3000\n"), ("/collect", "collected\n")] {
        for _ in 0..2 {
            let p = put_back();
            assert_eq!(get(addr, uri).1, body);
            assert_eq!(settle(&put_back, p + 1), p + 1, "{uri} put back");
        }
    }
    assert_eq!(trims(), 0, "/many and /collect");
    // (uri, put back, slot released)
    for (bad, back, released) in [
        ("/recurse", true, false),
        ("/alloc", false, true),
        ("/loop", false, true),
    ] {
        let (p, t) = (put_back(), trims());
        assert_eq!(get(addr, bad).0, 500, "{bad}");
        let released = released && counts.trims.is_some();
        if back {
            assert_eq!(settle(&put_back, p + 1), p + 1, "{bad} put back");
        } else if released {
            assert_eq!(settle(&trims, t + 1), t + 1, "{bad} released");
        } else {
            std::thread::sleep(Duration::from_millis(200));
        }
        assert_eq!(put_back(), p + u64::from(back), "{bad} put back");
        assert_eq!(trims(), t + u64::from(released), "{bad} released");
        assert_eq!(get(addr, "/ok").1, "ok\n", "after {bad}");
    }
    assert_eq!(
        mismatches.load(Relaxed),
        0,
        "memory differed from the image after a reset"
    );
}

#[test]
fn instance_reuse_keeps_globals_and_fresh_instances_do_not() {
    let (server, _log, _) = start(false);
    let a: Vec<String> = (0..3).map(|_| get(server.addrs[0], "/counter").1).collect();
    assert_eq!(a, ["1\n", "1\n", "1\n"]);
    // Pooled slots are reset in place to the image: also after requests that wrote
    // more memory than a slot keeps resident (/alloc) and deep into the Lua stack
    // (/recurse), every request starts from the image.
    for bad in ["/alloc", "/recurse", "/alloc"] {
        assert_eq!(get(server.addrs[0], bad).0, 500, "{bad}");
        let a: Vec<String> = (0..4).map(|_| get(server.addrs[0], "/counter").1).collect();
        assert_eq!(a, vec!["1\n"; 4], "after {bad}");
    }
    let (server2, _log2, _) = start(true);
    let b: Vec<u32> = (0..6)
        .map(|_| {
            get(server2.addrs[0], "/counter")
                .1
                .trim()
                .parse()
                .expect("a number")
        })
        .collect();
    // Requests land on the two workers, each with its own instance: the counts go up on
    // each worker.
    assert!(b.iter().max() > Some(&1), "{b:?}");
    // ngx.ctx is the request's: a kept instance starts each request with a fresh one.
    let c: Vec<String> = (0..6).map(|_| get(server2.addrs[0], "/ctx").1).collect();
    assert_eq!(c, vec!["1\n"; 6]);
    // A trapped instance is not reused; the next request gets a working one.
    assert_eq!(get(server2.addrs[0], "/loop").0, 500);
    assert_eq!(get(server2.addrs[0], "/ok").1, "ok\n");
}

/// The LuaJIT arm kept across requests (`--engine luajit --instance-reuse`) times each
/// request from its start, not from when the state was made.
#[test]
fn reused_luajit_state_gives_each_request_its_time_limit() {
    let path = moonshift_tests::root().join("corpus/ngx/limits/nginx.conf");
    let conf = Conf::load(&path).expect("conf loads");
    let reference =
        moonshift_host::reference::ConfReference::new(conf.sources(), Some(conf.module_path()))
            .with_timeout(Duration::from_secs(1));
    let gw = Arc::new(Gateway::new(conf, Box::new(reference)).with_instance_reuse(true));
    let log = Arc::new(http::ErrorLog::new(None, "debug", true));
    // One worker: every request meets the same LuaJIT state.
    let server = http::start(
        gw,
        log.clone(),
        Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        1,
    )
    .expect("serves");
    let addr = server.addrs[0];
    let (status, first, _) = get(addr, "/busy");
    assert_eq!(status, 200, "{}", last_error(&log));
    // Past the first request's limit: the state's age must not count against the next.
    std::thread::sleep(Duration::from_millis(1500));
    for _ in 0..2 {
        let (status, body, _) = get(addr, "/busy");
        assert_eq!((status, &body), (200, &first), "{}", last_error(&log));
    }
    // ngx.ctx is the request's on a kept LuaJIT state too.
    let c: Vec<String> = (0..3).map(|_| get(addr, "/ctx").1).collect();
    assert_eq!(c, vec!["1\n"; 3]);
    // A request that does run past its own limit still ends.
    assert_eq!(get(addr, "/loop").0, 500);
    assert!(
        last_error(&log).contains("time limit"),
        "{}",
        last_error(&log)
    );
}

#[test]
fn workers_are_ngx_workers() {
    let (server, _log, _) = start(false);
    for _ in 0..8 {
        let body = get(server.addrs[0], "/worker").1;
        assert!(body == "0 2\n" || body == "1 2\n", "{body:?}");
    }
}

/// Kept-alive connections are spread evenly over the workers, whichever wins the race to
/// accept them: six connections opened one after another and kept open are served three
/// by each worker (left to the race, one worker often took most of them and ran out of CPU
/// under load while the other waited).
#[test]
fn kept_alive_connections_spread_evenly_over_the_workers() {
    use std::io::{Read, Write};
    let (server, _log, _) = start(false);
    let mut conns = Vec::new();
    let mut served = [0; 2];
    for _ in 0..6 {
        let mut s = std::net::TcpStream::connect(server.addrs[0]).expect("connects");
        s.set_read_timeout(Some(Duration::from_secs(5)))
            .expect("timeout");
        s.write_all(b"GET /worker HTTP/1.1\r\nHost: a\r\n\r\n")
            .expect("writes");
        let mut data = Vec::new();
        let mut b = [0u8; 1024];
        while !data.ends_with(b"\r\n0\r\n\r\n") {
            let n = s.read(&mut b).expect("reads");
            assert!(n > 0, "closed: {:?}", String::from_utf8_lossy(&data));
            data.extend_from_slice(&b[..n]);
        }
        let text = String::from_utf8_lossy(&data);
        let worker = if text.contains("\r\n0 2\n") {
            0
        } else if text.contains("\r\n1 2\n") {
            1
        } else {
            panic!("no worker id in {text:?}")
        };
        served[worker] += 1;
        conns.push(s);
    }
    assert_eq!(served, [3, 3], "connections per worker");
}
