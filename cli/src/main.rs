//! `moonshift`: compile OpenResty Lua to WebAssembly, run it, and check it
//! against LuaJIT.
//!
//! Verbs (their shape is relied on by tests and tooling):
//! - `moonshift run FILE.lua [--engine wasm|luajit]`
//! - `moonshift compile FILE.lua -o OUT.wasm [--emit wasm|wat|ir|native]`
//! - `moonshift diff FILE.lua --traffic FILE.jsonl`
//! - `moonshift bench FILE.lua [--iterations N] [--luajit-command CMD]`

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

/// mimalloc: `serve` allocates per request (headers, bodies, buffers) on every
/// worker thread; measured with scripts/load-test against glibc's allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use clap::{Parser, Subcommand, ValueEnum};
use moonshift_host::wasm::{Limits, WasmEngine, WasmProgram};
use moonshift_host::{diff, reference, traffic};

#[derive(Parser)]
#[command(
    name = "moonshift",
    version,
    about = "OpenResty Lua → WebAssembly, checked against LuaJIT"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum EngineKind {
    /// The compiled module on wasmtime.
    Wasm,
    /// The original script on LuaJIT (the reference).
    Luajit,
}

#[derive(clap::Args, Clone)]
struct PathArgs {
    /// Where `require` finds modules, in `package.path` syntax
    /// (`dir/?.lua;dir/?/init.lua`); default: next to the script.
    #[arg(long)]
    lua_path: Option<String>,
}

impl PathArgs {
    fn module_path(&self, script: &Path) -> moonshift_frontend::ModulePath {
        match &self.lua_path {
            Some(p) => moonshift_frontend::ModulePath::parse(p),
            None => moonshift_frontend::ModulePath::for_script(&chunk_name(script)),
        }
    }
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Emit {
    Wasm,
    Wat,
    Ir,
    /// Machine code as wasmtime compiles it (an ELF object; read it with
    /// `objdump -d`).
    Native,
}

#[derive(clap::Args, Clone, Copy)]
struct LimitArgs {
    /// Linear-memory cap per instance, in MiB.
    #[arg(long, default_value_t = 256)]
    max_memory: usize,
    /// Time limit per run or request, in seconds.
    #[arg(long, default_value_t = 10.0)]
    timeout: f64,
}

impl LimitArgs {
    fn limits(self) -> Limits {
        let mut limits = Limits {
            max_memory: self.max_memory << 20,
            timeout: Duration::from_secs_f64(self.timeout),
            ..Limits::default()
        };
        limits.apply_env();
        limits
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run a plain Lua script: `print` to stdout, an uncaught error to stderr with exit status 1.
    Run {
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = EngineKind::Wasm)]
        engine: EngineKind,
        /// After the run, print the collector's statistics to stderr (wasm engine).
        #[arg(long)]
        gc_stats: bool,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        path: PathArgs,
    },
    /// Compile a script to a WebAssembly module.
    Compile {
        file: PathBuf,
        /// Output file (stdout when absent).
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Emit::Wasm)]
        emit: Emit,
        #[command(flatten)]
        path: PathArgs,
    },
    /// Run a content handler on both arms for every request of a traffic file and compare.
    Diff {
        file: PathBuf,
        #[arg(long)]
        traffic: PathBuf,
        #[command(flatten)]
        limits: LimitArgs,
        #[command(flatten)]
        path: PathArgs,
    },
    /// Serve an nginx.conf's Lua handlers over HTTP, phase by phase, as OpenResty does.
    Serve {
        /// The nginx.conf (its directory is the prefix relative paths are resolved from).
        #[arg(long)]
        conf: PathBuf,
        #[arg(long, value_enum, default_value_t = EngineKind::Wasm)]
        engine: EngineKind,
        /// Time limit per request, in seconds.
        #[arg(long, default_value_t = 10.0)]
        request_timeout: f64,
        /// Linear-memory cap per instance, in MiB.
        #[arg(long, default_value_t = 256)]
        max_memory: usize,
        /// Where error-log lines go (stderr when absent).
        #[arg(long)]
        error_log: Option<PathBuf>,
        /// Listen here instead of the configuration's `listen` addresses.
        #[arg(long)]
        listen: Option<std::net::SocketAddr>,
        /// Keep one instance per worker thread across requests, so `require`d module
        /// state and globals persist as under ngx_lua (default: a fresh instance per
        /// request; see docs/DIVERGENCES.md).
        #[arg(long)]
        instance_reuse: bool,
        /// Where compiled machine code is cached, keyed by the module's hash
        /// (default: $XDG_CACHE_HOME/moonshift or ~/.cache/moonshift; `none` turns it off).
        #[arg(long)]
        cache_dir: Option<PathBuf>,
    },
    /// Time a script on the compiled module and on LuaJIT (JIT off and on), as ratios.
    Bench {
        file: PathBuf,
        /// Timed runs per arm (the median is reported).
        #[arg(long, default_value_t = 5)]
        iterations: u32,
        /// Also time the script under this LuaJIT command (`luajit` from
        /// OpenResty's luajit2, say), JIT off and on, in each round: a
        /// process per run, so C modules such as lua-cjson are the real ones.
        #[arg(long)]
        luajit_command: Option<String>,
    },
    /// Run a script that builds live data, then time full collections of that heap on the
    /// compiled module and on LuaJIT (`collectgarbage("collect")`), as a ratio.
    GcPause {
        file: PathBuf,
        /// Timed collections per arm (the median is reported).
        #[arg(long, default_value_t = 9)]
        iterations: u32,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("moonshift: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn read_source(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    String::from_utf8(bytes)
        .with_context(|| format!("{} is not UTF-8 text (not supported yet)", path.display()))
}

/// The chunk name: the path as given, as `luajit FILE.lua` names it.
fn chunk_name(path: &Path) -> String {
    path.display().to_string()
}

/// Compiles or prints the diagnostics; `None` means the caller exits with 1.
fn compile(path: &Path, source: &str, modules: &moonshift_frontend::ModulePath) -> Option<Vec<u8>> {
    match moonshift_backend::compile_with_warnings(&chunk_name(path), source, modules) {
        Ok((wasm, warnings)) => {
            for w in &warnings {
                eprint!("{}", w.render_warnings());
            }
            Some(wasm)
        }
        Err(e) => {
            eprint!("{}", e.render());
            None
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Run {
            file,
            engine,
            gc_stats,
            limits,
            path,
        } => {
            let source = read_source(&file)?;
            let out = match engine {
                EngineKind::Luajit => reference::run_script_with_limit(
                    source.as_bytes(),
                    &chunk_name(&file),
                    true,
                    path.lua_path.as_deref(),
                    Duration::from_secs_f64(limits.timeout),
                ),
                EngineKind::Wasm => {
                    let Some(wasm) = compile(&file, &source, &path.module_path(&file)) else {
                        return Ok(ExitCode::from(1));
                    };
                    let program = WasmProgram::new(&wasm, limits.limits())?;
                    if gc_stats {
                        let (out, stats) = program.run_script_with_stats();
                        std::io::stdout().write_all(&out.stdout)?;
                        std::io::stderr().write_all(&out.stderr)?;
                        if let Some(s) = stats {
                            eprintln!(
                                "gc: {} collections, {:.2} GB allocated, {:.1} MiB in use at exit, \
                                 linear memory {:.1} MiB (peak)",
                                s.collections,
                                s.allocated as f64 / 1e9,
                                s.in_use as f64 / (1 << 20) as f64,
                                s.linear_memory as f64 / (1 << 20) as f64
                            );
                        }
                        return Ok(ExitCode::from(out.exit_code.clamp(0, 255) as u8));
                    } else {
                        program.run_script()
                    }
                }
            };
            std::io::stdout().write_all(&out.stdout)?;
            std::io::stderr().write_all(&out.stderr)?;
            Ok(ExitCode::from(out.exit_code.clamp(0, 255) as u8))
        }
        Command::Compile {
            file,
            output,
            emit,
            path,
        } => {
            let source = read_source(&file)?;
            let modules = path.module_path(&file);
            let bytes = match emit {
                Emit::Ir => {
                    match moonshift_frontend::compile_program(&chunk_name(&file), &source, &modules)
                    {
                        Ok(p) => moonshift_frontend::dump::program(&p).into_bytes(),
                        Err(d) => {
                            eprint!("{}", d.render());
                            return Ok(ExitCode::from(1));
                        }
                    }
                }
                Emit::Wasm | Emit::Wat | Emit::Native => {
                    let Some(wasm) = compile(&file, &source, &modules) else {
                        return Ok(ExitCode::from(1));
                    };
                    match emit {
                        Emit::Wat => moonshift_backend::to_wat(&wasm)?.into_bytes(),
                        Emit::Native => moonshift_host::wasm::precompile(&wasm)?,
                        _ => wasm,
                    }
                }
            };
            match output {
                Some(out) => std::fs::write(&out, bytes)
                    .with_context(|| format!("writing {}", out.display()))?,
                None => std::io::stdout().write_all(&bytes)?,
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff {
            file,
            traffic: traffic_path,
            limits,
            path,
        } => {
            let source = read_source(&file)?;
            let text = std::fs::read_to_string(&traffic_path)
                .with_context(|| format!("reading {}", traffic_path.display()))?;
            let requests = traffic::parse_traffic(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", traffic_path.display()))?;
            let Some(wasm) = compile(&file, &source, &path.module_path(&file)) else {
                return Ok(ExitCode::from(1));
            };
            let mut candidate = WasmEngine::new(WasmProgram::new(&wasm, limits.limits())?);
            let mut reference =
                reference::ReferenceEngine::new(source.as_bytes().to_vec(), &chunk_name(&file))
                    .with_lua_path(path.lua_path.clone())
                    .with_timeout(Duration::from_secs_f64(limits.timeout));
            let report = diff::diff(&requests, &mut reference, &mut candidate);
            print!("{report}");
            Ok(if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::Bench {
            file,
            iterations,
            luajit_command,
        } => bench(&file, iterations.max(1), luajit_command.as_deref()),
        Command::GcPause { file, iterations } => gc_pause(&file, iterations.max(1)),
        Command::Serve {
            conf,
            engine,
            request_timeout,
            max_memory,
            error_log,
            listen,
            instance_reuse,
            cache_dir,
        } => {
            let limits = LimitArgs {
                max_memory,
                timeout: request_timeout,
            }
            .limits();
            serve(
                &conf,
                engine,
                limits,
                error_log.as_deref(),
                listen,
                instance_reuse,
                cache_dir,
            )
        }
    }
}

/// One LuaJIT's medians (JIT off and on) and the compiled module's ratios to
/// them, with the median of the per-round ratios: each round runs the arms
/// back to back, so a round's ratio sees the same machine, and on a shared,
/// noisy machine their median is steadier than the ratio of medians.
fn print_against(label: &str, wasm: &[Duration], off: Vec<Duration>, on: Vec<Duration>) {
    let mut paired: Vec<f64> = wasm
        .iter()
        .zip(&off)
        .map(|(w, o)| w.as_secs_f64() / o.as_secs_f64())
        .collect();
    paired.sort_by(f64::total_cmp);
    let paired = paired[paired.len() / 2];
    let w = median(wasm.to_vec()).as_secs_f64();
    let (off, on) = (median(off).as_secs_f64(), median(on).as_secs_f64());
    println!("  {:<18} {:>10.3} ms", format!("{label} -joff"), off * 1e3);
    println!(
        "  {:<18} {:>10.3} ms",
        format!("{label} (JIT on)"),
        on * 1e3
    );
    println!("  wasm / {label} -joff = {:.2}x", w / off);
    println!("  wasm / {label} JIT   = {:.2}x", w / on);
    println!("  median of per-round wasm / {label} -joff = {paired:.2}x");
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// A script compiled for timing: its source, chunk name and module, with a
/// generous time limit and memory cap `max_memory`. `None` when it does not
/// compile (the diagnostics are printed).
fn timing_program(file: &Path, max_memory: usize) -> Result<Option<(String, String, WasmProgram)>> {
    let source = read_source(file)?;
    let name = chunk_name(file);
    let Some(wasm) = compile(
        file,
        &source,
        &moonshift_frontend::ModulePath::for_script(&name),
    ) else {
        return Ok(None);
    };
    let program = WasmProgram::new(
        &wasm,
        Limits {
            timeout: Duration::from_secs(600),
            max_memory,
            ..Limits::default()
        },
    )?;
    Ok(Some((source, name, program)))
}

fn gc_pause(file: &Path, iterations: u32) -> Result<ExitCode> {
    let Some((source, name, program)) = timing_program(file, 1 << 30)? else {
        return Ok(ExitCode::from(1));
    };
    let (wasm_live, wasm_times) = program.time_full_collections(iterations)?;
    let (lj_live, lj_times) =
        reference::time_full_collections(source.as_bytes(), &name, iterations)
            .map_err(anyhow::Error::msg)?;
    let (w, l) = (median(wasm_times), median(lj_times));
    let mib = |b: u64| b as f64 / (1 << 20) as f64;
    println!("{name}: median of {iterations} full collections");
    println!(
        "  wasm (moonshift)  {:>9.3} ms   heap in use {:>7.1} MiB",
        w.as_secs_f64() * 1e3,
        mib(wasm_live)
    );
    println!(
        "  luajit            {:>9.3} ms   heap in use {:>7.1} MiB",
        l.as_secs_f64() * 1e3,
        mib(lj_live)
    );
    println!(
        "  wasm / luajit = {:.2}x",
        w.as_secs_f64() / l.as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `file` under an external LuaJIT command: its wall time (process
/// start included) and what it printed.
fn time_external(command: &str, jit: bool, file: &Path) -> Result<(Duration, Vec<u8>)> {
    let mut cmd = std::process::Command::new(command);
    if !jit {
        cmd.arg("-joff");
    }
    cmd.arg(file);
    let start = Instant::now();
    let out = cmd.output().with_context(|| format!("running {command}"))?;
    let t = start.elapsed();
    if !out.status.success() {
        anyhow::bail!("{command} failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok((t, out.stdout))
}

fn bench(file: &Path, iterations: u32, luajit_command: Option<&str>) -> Result<ExitCode> {
    let Some((source, name, program)) = timing_program(file, Limits::default().max_memory)? else {
        return Ok(ExitCode::from(1));
    };
    // Check both arms agree before timing anything.
    let expected = reference::run_script(source.as_bytes(), &name, true);
    let got = program.run_script();
    if got != expected {
        anyhow::bail!("the arms disagree on {name}; run `moonshift run` with both engines first");
    }
    let mut wasm_times = Vec::new();
    let mut off_times = Vec::new();
    let mut on_times = Vec::new();
    let mut ext_off_times = Vec::new();
    let mut ext_on_times = Vec::new();
    for _ in 0..iterations {
        if let Some(command) = luajit_command {
            for (jit, times) in [(false, &mut ext_off_times), (true, &mut ext_on_times)] {
                let (t, out) = time_external(command, jit, file)?;
                if out != expected.stdout {
                    anyhow::bail!(
                        "{command} prints something else than the reference arm for {name}"
                    );
                }
                times.push(t);
            }
        }
        let start = Instant::now();
        let out = program.run_script();
        wasm_times.push(start.elapsed());
        if out.exit_code != 0 {
            anyhow::bail!("{}", String::from_utf8_lossy(&out.stderr));
        }
        off_times.push(
            reference::bench_script(source.as_bytes(), &name, false, 1)
                .map_err(anyhow::Error::msg)?,
        );
        on_times.push(
            reference::bench_script(source.as_bytes(), &name, true, 1)
                .map_err(anyhow::Error::msg)?,
        );
    }
    let w = median(wasm_times.clone());
    println!("{name}: median of {iterations} runs (wasm includes instantiation)");
    println!("  wasm (moonshift)   {:>10.3} ms", w.as_secs_f64() * 1e3);
    print_against("luajit", &wasm_times, off_times, on_times);
    if let Some(command) = luajit_command {
        println!("  `{command}` as a process (start-up included; its own C modules):");
        print_against(command, &wasm_times, ext_off_times, ext_on_times);
    }
    Ok(ExitCode::SUCCESS)
}

/// `moonshift serve`: load the configuration, compile its handlers, serve until killed.
fn serve(
    conf_path: &Path,
    engine: EngineKind,
    limits: Limits,
    error_log: Option<&Path>,
    listen: Option<std::net::SocketAddr>,
    instance_reuse: bool,
    cache_dir: Option<PathBuf>,
) -> Result<ExitCode> {
    use moonshift_host::conf::Conf;
    use moonshift_host::gateway::{Backend, Gateway};
    use moonshift_host::http;
    let conf = match Conf::load(conf_path) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("moonshift: [emerg] {e}");
            return Ok(ExitCode::from(1));
        }
    };
    for w in &conf.warnings {
        eprintln!("moonshift: [warn] {w}");
    }
    let backend: Box<dyn Backend> = match engine {
        EngineKind::Luajit => Box::new(
            reference::ConfReference::new(conf.sources(), Some(conf.module_path()))
                .with_timeout(limits.timeout)
                .with_shared_dicts(conf.dict_names()),
        ),
        EngineKind::Wasm => {
            let started = Instant::now();
            let path = moonshift_frontend::ModulePath::parse(&conf.module_path());
            let (wasm, entries) =
                match moonshift_backend::compile_handlers_with_warnings(&conf.sources(), &path) {
                    Ok((wasm, entries, warnings)) => {
                        for w in &warnings {
                            eprint!("{}", w.render_warnings());
                        }
                        (wasm, entries)
                    }
                    Err(e) => {
                        eprint!("{}", e.render());
                        return Ok(ExitCode::from(1));
                    }
                };
            let cache = match cache_dir {
                Some(d) if d.as_os_str() == "none" => None,
                Some(d) => Some(d),
                None => std::env::var_os("XDG_CACHE_HOME")
                    .map(PathBuf::from)
                    .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                    .map(|d| d.join("moonshift")),
            };
            let program = moonshift_host::wasm::ConfProgram::new_cached(
                &wasm,
                entries,
                limits,
                cache.as_deref(),
                conf.dict_names(),
                !instance_reuse,
            )?;
            eprintln!(
                "moonshift: compiled {} handlers in {:.2?}",
                conf.handlers.len(),
                started.elapsed()
            );
            Box::new(program)
        }
    };
    let writer: Box<dyn std::io::Write + Send> = match error_log {
        Some(p) => Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .with_context(|| format!("opening {}", p.display()))?,
        ),
        None => Box::new(std::io::stderr()),
    };
    let log = std::sync::Arc::new(http::ErrorLog::new(
        Some(writer),
        &conf.error_log_level,
        false,
    ));
    let gw = std::sync::Arc::new(Gateway::new(conf, backend).with_instance_reuse(instance_reuse));
    match gw.startup() {
        Ok(lines) => {
            for l in lines {
                eprintln!("moonshift: [{}] {}", l.level, l.text());
            }
        }
        Err(e) => {
            eprintln!("moonshift: [emerg] {e}");
            return Ok(ExitCode::from(1));
        }
    }
    let workers = gw.conf.worker_processes;
    let server = http::start(gw, log, listen, workers).map_err(|e| anyhow::anyhow!(e))?;
    eprintln!("moonshift: {workers} worker thread(s) (worker_processes)");
    for a in &server.addrs {
        eprintln!("moonshift: serving on http://{a}");
    }
    loop {
        std::thread::park();
    }
}
