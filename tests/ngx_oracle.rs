//! The nginx oracle suite: every `corpus/ngx/conf` case, served by `moonshift serve`
//! (the compiled module, and the LuaJIT reference arm through the same pipeline), must
//! answer exactly what real nginx + ngx_lua answered when the case was recorded; and real
//! nginx, run now, must still answer what was recorded.

use moonshift_tests::oracle::{self, Case, Observed};

fn check_all(what: &str, run: impl Fn(&Case) -> Result<Vec<Observed>, String>) {
    let cases = oracle::cases(&moonshift_tests::root());
    assert!(!cases.is_empty(), "no cases under corpus/ngx/conf");
    let mut failures = Vec::new();
    let mut requests = 0;
    for case in &cases {
        let want = match oracle::expected(case) {
            Ok(w) => w,
            Err(e) => {
                failures.push(format!(
                    "{}: {e} (run scripts/record-ngx-oracle)",
                    case.name
                ));
                continue;
            }
        };
        if want.len() != case.requests.len() {
            failures.push(format!(
                "{}: {} requests but {} recorded answers (run scripts/record-ngx-oracle {})",
                case.name,
                case.requests.len(),
                want.len(),
                case.name
            ));
            continue;
        }
        match run(case) {
            Ok(got) => {
                for ((req, w), g) in case.requests.iter().zip(&want).zip(&got) {
                    requests += 1;
                    if w != g {
                        failures.push(format!("{}: {}", case.name, oracle::explain(req, w, g)));
                    }
                }
            }
            Err(e) => failures.push(format!("{}: {e}", case.name)),
        }
    }
    println!("{what}: {} cases, {requests} requests", cases.len());
    assert!(
        failures.is_empty(),
        "{what}: {} differences from nginx:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn wasm_serve_matches_nginx() {
    check_all("moonshift serve (wasm)", |c| {
        oracle::run_moonshift(c, "wasm")
    });
}

#[test]
fn luajit_serve_matches_nginx() {
    check_all("moonshift serve --engine luajit", |c| {
        oracle::run_moonshift(c, "luajit")
    });
}

/// The recording is still what nginx does (scripts/setup installs nginx; without it
/// this test fails rather than pass unchecked).
#[test]
fn nginx_still_matches_recording() {
    assert!(
        oracle::nginx_available(),
        "nginx with ngx_lua is not installed: run scripts/setup"
    );
    check_all("nginx", oracle::run_nginx);
}
