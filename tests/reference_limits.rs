//! The reference arm's time limit. Its own test binary: a loop LuaJIT
//! compiles cannot be interrupted, so the run is abandoned on a thread that
//! spins until this process ends — which happens right after this test.

use moonshift_host::reference;

/// The reference arm has a time limit too: a script that loops forever (in
/// a loop LuaJIT compiles, even under pcall) ends with an error, not a hang.
#[test]
fn infinite_loop_on_the_reference_arm_is_stopped() {
    let source = b"print('start')\nlocal n = 0\nprint(pcall(function() while true do n = n + 1 end end))\nwhile true do n = n + 1 end\n";
    let started = std::time::Instant::now();
    let out = reference::run_script_with_limit(
        source,
        "loop.lua",
        true,
        None,
        std::time::Duration::from_millis(300),
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(out.exit_code, 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(reference::TIMEOUT_MESSAGE), "{err}");
}

/// The same for a content handler on the reference engine: nginx's 500 and
/// the time-limit error in the log, then the next request is served.
#[test]
fn infinite_loop_in_a_handler_on_the_reference_arm_is_stopped() {
    use moonshift_host::diff::Engine;
    use moonshift_host::ngx::Request;
    let source = "if ngx.var.uri == '/spin' then local n = 0 while true do n = n + 1 end end\nngx.say('ok')\n";
    let mut engine = reference::ReferenceEngine::new(source, "spin.lua")
        .with_timeout(std::time::Duration::from_millis(300));
    let req = |uri: &str| Request {
        method: "GET".into(),
        uri: uri.into(),
        headers: vec![("Host".into(), "x".into())],
        body: vec![],
        http10: false,
    };
    let started = std::time::Instant::now();
    let spun = engine.handle(&req("/spin"));
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(spun.status, 500);
    let log = format!("{:?}", spun.log);
    assert!(log.contains(reference::TIMEOUT_MESSAGE), "{log}");
    let ok = engine.handle(&req("/"));
    assert_eq!(ok.status, 200);
    assert_eq!(ok.body, b"ok\n");
}
