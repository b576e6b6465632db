//! Pre-initialised images: a module whose linear memory and globals start as they are
//! after the runtime's `init` and the `ngx` table's construction, so an instance per
//! request starts from wasmtime's copy-on-write image of that state instead of running
//! the runtime's initialisation (which grows memory, interns the library's strings and
//! builds tables) every time.
//!
//! The snapshot is taken from a template instance of a copy of the module that exports
//! every mutable global ([`exporting_globals`]); [`preinitialised`] then rewrites the
//! original module: the memory's initial size becomes the snapshot's, its data segments
//! are replaced by the snapshot's non-zero pages, and each mutable global starts at the
//! value it had.

use anyhow::{Context as _, Result};
use walrus::{ConstExpr, DataKind, ExportItem, GlobalKind, Module, ir::Value};

/// The export name of mutable global `i` in the template module.
fn global_export(i: usize) -> String {
    format!("__moonshift_global_{i}")
}

/// The module's own mutable globals, in order: what a snapshot captures.
fn mutable_globals(module: &Module) -> Vec<walrus::GlobalId> {
    module
        .globals
        .iter()
        .filter(|g| g.mutable && matches!(g.kind, GlobalKind::Local(_)))
        .map(|g| g.id())
        .collect()
}

/// A copy of `wasm` that also exports each mutable global, and the export names in
/// global order.
pub fn exporting_globals(wasm: &[u8]) -> Result<(Vec<u8>, Vec<String>)> {
    let mut module = Module::from_buffer(wasm).context("parsing the module")?;
    let ids = mutable_globals(&module);
    let mut names = Vec::with_capacity(ids.len());
    for (i, id) in ids.into_iter().enumerate() {
        let name = global_export(i);
        module.exports.add(&name, ExportItem::Global(id));
        names.push(name);
    }
    Ok((module.emit_wasm(), names))
}

/// A value a mutable global had in the template.
#[derive(Clone, Copy, Debug)]
pub enum GlobalValue {
    I32(i32),
    I64(i64),
    F32(f32),
    F64(f64),
}

/// `wasm` starting from `memory` (the template's whole linear memory) and `globals` (the
/// mutable globals' values, in order).
pub fn preinitialised(wasm: &[u8], memory: &[u8], globals: &[GlobalValue]) -> Result<Vec<u8>> {
    const PAGE: usize = 65536;
    const CHUNK: usize = 4096;
    let mut module = Module::from_buffer(wasm).context("parsing the module")?;
    let mem = module
        .memories
        .iter()
        .next()
        .map(|m| m.id())
        .context("the module has no memory")?;
    // Drop the original data segments: the snapshot holds what they wrote.
    let old: Vec<_> = module.data.iter().map(|d| d.id()).collect();
    for id in old {
        module.data.delete(id);
    }
    module.memories.get_mut(mem).data_segments.clear();
    let pages = memory.len().div_ceil(PAGE) as u64;
    {
        let m = module.memories.get_mut(mem);
        m.initial = m.initial.max(pages);
        if let Some(max) = m.maximum {
            m.maximum = Some(max.max(m.initial));
        }
    }
    // One segment per run of non-zero 4 KiB chunks.
    let mut at = 0;
    while at < memory.len() {
        let chunk_end = (at + CHUNK).min(memory.len());
        if memory[at..chunk_end].iter().all(|&b| b == 0) {
            at = chunk_end;
            continue;
        }
        let start = at;
        while at < memory.len() {
            let end = (at + CHUNK).min(memory.len());
            if memory[at..end].iter().all(|&b| b == 0) {
                break;
            }
            at = end;
        }
        let id = module.data.add(
            DataKind::Active {
                memory: mem,
                offset: ConstExpr::Value(Value::I32(start as i32)),
            },
            memory[start..at].to_vec(),
        );
        module.memories.get_mut(mem).data_segments.insert(id);
    }
    let ids = mutable_globals(&module);
    anyhow::ensure!(ids.len() == globals.len(), "global count changed");
    for (id, v) in ids.into_iter().zip(globals) {
        let value = match *v {
            GlobalValue::I32(x) => Value::I32(x),
            GlobalValue::I64(x) => Value::I64(x),
            GlobalValue::F32(x) => Value::F32(x),
            GlobalValue::F64(x) => Value::F64(x),
        };
        module.globals.get_mut(id).kind = GlobalKind::Local(ConstExpr::Value(value));
    }
    Ok(module.emit_wasm())
}
