//! moonshift-host: the runtime side of moonshift.
//!
//! - [`cjson`]: `require "cjson"` for the reference arm (rules shared with runtime-gc);
//! - [`conf`]: nginx.conf in: the tokenizer, the directive tree and the model `serve` runs;
//! - [`ngx`]: the ngx API, implemented once in Rust and called by both arms;
//! - [`reference`]: the LuaJIT reference arm (mlua) and a plain-script runner;
//! - [`traffic`]: the JSON-lines request format used by the differential harness;
//! - [`diff`]: the [`diff::Engine`] trait and the request-by-request comparison;
//! - [`wasm`]: the wasmtime arm.

pub mod cjson;
pub mod conf;
pub mod diff;
mod exports;
pub mod gateway;
pub mod http;
pub mod ngx;
pub mod ngx_util;
pub mod reference;
pub mod shdict;
pub mod snapshot;
pub mod traffic;
pub mod wasm;
