//! cjson against the real lua-cjson: `corpus/cjson/cases.lua` on both arms
//! must print exactly what lua-cjson 2.1.0 printed for it
//! (`corpus/cjson/cases.expected`, recorded by scripts/record-cjson-fixtures).

use moonshift_tests::{root, run_both, test_limits};

/// The first line where `got` and the recording differ, with its neighbours.
/// (The output is bytes: strings of every byte value are printed.)
fn first_difference(expected: &[&[u8]], got: &[u8]) -> Option<String> {
    let (e, g): (&[&[u8]], Vec<&[u8]>) = (expected, got.split(|&b| b == b'\n').collect());
    let n = e.len().max(g.len());
    (0..n).find(|&i| e.get(i) != g.get(i)).map(|i| {
        let around = |v: &[&[u8]]| {
            v[i.saturating_sub(2)..(i + 3).min(v.len())]
                .iter()
                .map(|l| String::from_utf8_lossy(l))
                .collect::<Vec<_>>()
                .join("\n")
        };
        format!(
            "line {}:\n--- lua-cjson\n{}\n--- moonshift\n{}",
            i + 1,
            around(&e),
            around(&g)
        )
    })
}

#[test]
fn both_arms_print_what_lua_cjson_printed() {
    let dir = root().join("corpus/cjson");
    let recorded = std::fs::read(dir.join("cases.expected")).expect("recorded fixtures");
    // The first line names the recording's LuaJIT and lua-cjson.
    let expected: Vec<&[u8]> = recorded
        .split(|&b| b == b'\n')
        .skip_while(|l| l.starts_with(b"# "))
        .collect();
    assert!(expected.len() > 1500, "the recording looks truncated");
    let (reference, wasm) = run_both(&dir.join("cases.lua"), test_limits()).expect("runs");
    for (arm, out) in [("reference (LuaJIT)", &reference), ("wasm", &wasm)] {
        assert_eq!(
            out.exit_code,
            0,
            "{arm}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        if let Some(d) = first_difference(&expected, &out.stdout) {
            panic!("{arm} differs from lua-cjson at {d}");
        }
    }
}
