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
