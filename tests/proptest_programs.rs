//! Random well-formed programs over the whole expression language, run on
//! both arms: any divergence in output is a failure, shrunk by proptest.
//!
//! Each case is one program of several statements; every statement prints
//! the result of `pcall` of an expression, so errors (and their messages,
//! with positions and variable names) are compared too. CI runs 2 × 1 000
//! cases; `MOONSHIFT_PROGRAMS` sets the total over both halves. (Not
//! `PROPTEST_CASES`: proptest lets that override every test's count.)
//!
//! The long run is the ignored `long_run_in_batches`: most of a case's time
//! is wasmtime compiling the linked runtime, so it links [`BATCH`] programs
//! into one module, each wrapped in its own function (same locals, upvalues
//! and messages as at top level), and a batch that diverges is split to name
//! the program that does. `MOONSHIFT_PROGRAMS` (default 100 000) counts
//! programs there: `cargo test --release -p moonshift-tests --test
//! proptest_programs -- --ignored` (about half an hour on two cores).

use moonshift_host::reference;
use moonshift_host::wasm::WasmProgram;
use moonshift_tests::describe_difference;
use proptest::prelude::*;

/// Leaves of expressions: constants of every type and the program's variables.
fn leaf() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "0", "-0", "1", "-1", "2", "3.5", "1e15", "1e300", "0.1", "(0/0)", "(1/0)", "(-1/0)",
            "2^53", "255",
        ])
        .prop_map(str::to_string),
        prop::sample::select(vec![
            "\"\"", "\"a\"", "\"10\"", "\" 5 \"", "\"0x10\"", "\"1e2\"", "\"x y\"", "\"-3\""
        ])
        .prop_map(str::to_string),
        prop::sample::select(vec!["nil", "true", "false"]).prop_map(str::to_string),
        prop::sample::select(vec![
            "a", "b", "s", "t", "t.x", "t[1]", "t[2]", "u", "u.n", "f", "g"
        ])
        .prop_map(str::to_string),
    ]
}

fn expr() -> impl Strategy<Value = String> {
    leaf().prop_recursive(4, 40, 3, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec![
                    "+", "-", "*", "/", "%", "^", "..", "==", "~=", "<", "<=", ">", ">=", "and",
                    "or",
                ]),
                inner.clone()
            )
                .prop_map(|(l, op, r)| format!("({l} {op} {r})")),
            (prop::sample::select(vec!["- ", "not ", "#"]), inner.clone())
                .prop_map(|(op, e)| format!("({op}{e})")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("f({x}, {y})")),
            inner.clone().prop_map(|x| format!("g({x})")),
            inner.clone().prop_map(|x| format!("t[{x}]")),
            inner.clone().prop_map(|x| format!("({{{x}, n = {x}}}).n")),
            inner
                .clone()
                .prop_map(|x| format!("select(2, pcall(function() return {x} end))")),
            inner.clone().prop_map(|x| format!("tostring({x})")),
            inner.prop_map(|x| format!("tonumber({x})")),
        ]
    })
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => expr().prop_map(|e| format!("print(pcall(function() return {e} end))")),
        1 => (expr(), expr()).prop_map(|(k, v)| format!("print(pcall(function() t[{k}] = {v} end))")),
        1 => expr().prop_map(|e| format!("print(pcall(function() a = {e} end))")),
    ]
}

fn program() -> impl Strategy<Value = String> {
    prop::collection::vec(statement(), 1..12).prop_map(|stmts| {
        let mut p = String::from(
            "local a, b, s = 3, -2.5, \"7\"\n\
             local t = {10, 20, x = \"y\"}\n\
             local u = setmetatable({}, {__index = function(_, k) return k end, __add = function(x, y) return 42 end})\n\
             local function f(x, y) return x, y end\n\
             local function g(x) if x then return x .. \"!\" end return nil end\n",
        );
        for s in stmts {
            p.push_str(&s);
            p.push('\n');
        }
        p
    })
}

fn check(source: &str) -> Result<(), TestCaseError> {
    differ(source).map_or(Ok(()), |d| {
        Err(TestCaseError::fail(format!("{d}\nprogram:\n{source}")))
    })
}

/// How the arms differ on `source`, if they do.
fn differ(source: &str) -> Option<String> {
    let name = "gen.lua";
    let reference = reference::run_script(source.as_bytes(), name, true);
    let wasm = match moonshift_backend::compile_source(name, source) {
        Ok(w) => w,
        Err(e) => return Some(e.render()),
    };
    // The heap verifier after every program (and MOONSHIFT_GC_ZEAL if set).
    let program = match WasmProgram::new(&wasm, moonshift_tests::test_limits()) {
        Ok(p) => p,
        Err(e) => return Some(format!("{e:#}")),
    };
    describe_difference(&reference, &program.run_script())
}

/// Programs linked into one module by the long run.
const BATCH: usize = 25;

/// Runs `programs` as one module, each inside `(function() … end)();`; on a
/// divergence, names the first program that diverges on its own.
fn check_batch(programs: &[String]) -> Result<(), TestCaseError> {
    let mut source = String::new();
    for p in programs {
        source += "(function()\n";
        source += p;
        // `;` ends the call: a `(` on the next line would be ambiguous.
        source += "end)();\n";
    }
    let Some(d) = differ(&source) else {
        return Ok(());
    };
    for p in programs {
        if let Some(d) = differ(p) {
            return Err(TestCaseError::fail(format!("{d}\nprogram:\n{p}")));
        }
    }
    Err(TestCaseError::fail(format!(
        "{d}\nonly the batch diverges:\n{source}"
    )))
}

/// `MOONSHIFT_PROGRAMS`, or `default`.
fn programs(default: u32) -> u32 {
    std::env::var("MOONSHIFT_PROGRAMS")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(default)
}

/// Cases per half: `MOONSHIFT_PROGRAMS` (total over both halves) or 2 000.
fn cases_per_half() -> u32 {
    programs(2000).div_ceil(2).max(1)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases_per_half(), ..ProptestConfig::default() })]

    #[test]
    fn random_programs_match_luajit_first_half(p in program()) {
        check(&p)?;
    }

    #[test]
    fn random_programs_match_luajit_second_half(p in program()) {
        check(&p)?;
    }
}

/// Batches in the long run: `MOONSHIFT_PROGRAMS` programs (default 100 000).
fn batches() -> u32 {
    programs(100_000).div_ceil(BATCH as u32).max(1)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: batches(), ..ProptestConfig::default() })]

    #[test]
    #[ignore = "the long run: MOONSHIFT_PROGRAMS programs (default 100 000), about half an hour"]
    fn long_run_in_batches(ps in prop::collection::vec(program(), BATCH)) {
        check_batch(&ps)?;
    }
}
