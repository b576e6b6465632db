//! Builds runtime-gc for wasm32-unknown-unknown with a nested cargo that has
//! its own target directory (so it never waits on the outer build's lock),
//! and tells the backend where the module is (`RUNTIME_GC_WASM`).

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let root = manifest_dir
        .parent()
        .expect("backend/ sits in the workspace")
        .to_path_buf();
    let runtime = root.join("runtime-gc");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target_dir = out_dir.join("runtime-gc-target");
    for p in [
        "runtime-gc/src",
        "runtime-gc/Cargo.toml",
        "runtime-gc/Cargo.lock",
        "abi/src",
        "abi/Cargo.toml",
        "cjson/src",
        "cjson/Cargo.toml",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(p).display());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--target")
        .arg("wasm32-unknown-unknown")
        .arg("--manifest-path")
        .arg(runtime.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir);
    // The outer build's flags are for the host, not for wasm32.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "RUSTC_WRAPPER",
        "CARGO_MAKEFLAGS",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd.status().expect("running cargo for runtime-gc");
    if !status.success() {
        panic!(
            "building runtime-gc for wasm32-unknown-unknown failed; is the target installed? \
             (`rustup target add wasm32-unknown-unknown`, which scripts/setup runs)"
        );
    }
    let wasm = target_dir.join("wasm32-unknown-unknown/release/runtime_gc.wasm");
    println!("cargo:rustc-env=RUNTIME_GC_WASM={}", wasm.display());
}
