//! Property-based differential tests of the standard libraries: random
//! arguments (numbers at the edges — ±0, NaN, ±inf, halves, values around
//! 2^31, 2^32 and 2^52, subnormals —, numeric strings, other types) for
//! every function, on both arms.
//!
//! A case is one module making [`CALLS`] calls, spread evenly over the
//! library's functions, each printing `pcall`'s results: every function
//! gets `cases × CALLS / functions` random calls (≥ 500 in CI). A divergence
//! is shrunk by proptest to the smallest failing list of calls.

use moonshift_host::reference;
use moonshift_host::wasm::WasmProgram;
use moonshift_tests::describe_difference;
use proptest::prelude::*;

/// Calls per generated module.
const CALLS: usize = 100;

/// A number literal that reads back as exactly `x`.
fn number_literal(x: f64) -> String {
    if x.is_nan() {
        "(0/0)".into()
    } else if x.is_infinite() {
        if x > 0.0 {
            "(1/0)".into()
        } else {
            "(-1/0)".into()
        }
    } else if x == 0.0 && x.is_sign_negative() {
        "(-0)".into()
    } else {
        format!("({x:?})")
    }
}

/// Numbers at the edges of the int32 conversion, and anywhere else.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => (-40i64..40).prop_map(|k| k as f64),
        2 => (-3i64..3, 0i32..4).prop_map(|(k, h)| (k as f64) * 2f64.powi(31) + h as f64 - 1.5),
        2 => (-2i64..2, -2i64..3).prop_map(|(k, d)| (k as f64) * 2f64.powi(32) + d as f64),
        1 => (-2i64..2, 0i32..3).prop_map(|(s, e)| s as f64 * 2f64.powi(51 + e) + 0.5),
        2 => (-1e6f64..1e6).prop_map(|x| (x * 2.0).round() / 2.0),
        2 => any::<f64>(),
        1 => prop::sample::select(vec![0.0, -0.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY,
            f64::MIN_POSITIVE, 5e-324, f64::MAX, 4294967295.5, -2147483648.5]),
    ]
}

/// An argument as Lua source: mostly numbers, some numeric strings, some
/// values no bit operation takes.
fn argument() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => number().prop_map(number_literal),
        1 => (-300i64..300).prop_map(|k| format!("\" {k} \"")),
        1 => (0u32..u32::MAX).prop_map(|k| format!("\"0x{k:x}\"")),
        1 => prop::sample::select(vec!["nil", "true", "{}", "\"x\"", "\"\""]).prop_map(String::from),
    ]
}

/// A call: 1–3 arguments (omitted ones are absent, not nil).
fn call() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(argument(), 1..=3)
}

fn check(lib: &str, functions: &[&str], calls: &[Vec<String>]) -> Result<(), TestCaseError> {
    let mut source = String::new();
    for (i, args) in calls.iter().enumerate() {
        let f = functions[i % functions.len()];
        source += &format!("print({i}, pcall({lib}.{f}, {}))\n", args.join(", "));
    }
    let name = "gen.lua";
    let reference = reference::run_script(source.as_bytes(), name, true);
    let wasm = moonshift_backend::compile_source(name, &source)
        .map_err(|e| TestCaseError::fail(e.render()))?;
    let program = WasmProgram::new(&wasm, moonshift_tests::test_limits())
        .map_err(|e| TestCaseError::fail(format!("{e:#}")))?;
    match describe_difference(&reference, &program.run_script()) {
        None => Ok(()),
        Some(d) => Err(TestCaseError::fail(format!("{d}\nprogram:\n{source}"))),
    }
}

const BIT: [&str; 12] = [
    "tobit", "tohex", "bnot", "band", "bor", "bxor", "lshift", "rshift", "arshift", "rol", "ror",
    "bswap",
];

/// The math functions whose results are exact (or correctly rounded) on
/// both arms. The transcendental ones (`exp log log10 sin cos tan asin acos
/// atan atan2 sinh cosh tanh pow`) come from `libm` here and from glibc in
/// LuaJIT; they can differ in the last bit, which `%.14g` shows about once
/// in thousands of random calls (docs/DIVERGENCES.md), so they are checked
/// by `corpus/lib` on chosen arguments only.
const MATH: [&str; 14] = [
    "abs",
    "floor",
    "ceil",
    "sqrt",
    "deg",
    "rad",
    "fmod",
    "modf",
    "frexp",
    "ldexp",
    "min",
    "max",
    "random",
    "randomseed",
];

/// Cases: `MOONSHIFT_LIB_CASES`, or enough for 500 calls of each function.
fn cases(functions: usize) -> u32 {
    std::env::var("MOONSHIFT_LIB_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or((500 * functions).div_ceil(CALLS) as u32)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(BIT.len()), ..ProptestConfig::default() })]

    #[test]
    fn bit_library_matches_luajit(calls in prop::collection::vec(call(), CALLS)) {
        check("bit", &BIT, &calls)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(MATH.len()), ..ProptestConfig::default() })]

    #[test]
    fn math_library_matches_luajit(calls in prop::collection::vec(call(), CALLS)) {
        check("math", &MATH, &calls)?;
    }
}
