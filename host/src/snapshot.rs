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

/// Bytes of linear memory one byte of the dirty map covers (its log2).
pub const LINE_SHIFT: u32 = 8;
/// Lines one byte of the dirty map's summary covers (its log2).
pub const CHUNK_SHIFT: u32 = 6;
/// The export name of the dirty map memory in a [`tracking_writes`] module.
pub const DIRTY_MAP: &str = "__moonshift_dirty";
/// The export name of the function that sets every mutable global back to its start.
pub const RESET_GLOBALS: &str = "__moonshift_reset_globals";

/// `wasm` (a [`preinitialised`] image) made to record which of its linear memory's
/// lines it writes, so that the host can put an instance back to the image by copying
/// only those lines instead of making a new instance.
///
/// A second memory, exported as [`DIRTY_MAP`], holds one byte per line of
/// `1 << LINE_SHIFT` bytes of memory 0, for up to `max_memory` bytes, followed (at
/// [`summary_base`]) by one byte per chunk of `1 << CHUNK_SHIFT` lines, so that finding
/// the written lines does not read the whole map. After every store to memory 0 the
/// bytes of its line and chunk are set to 1 (and of its last byte's line as well when
/// the store's alignment does not keep it inside one line); after `memory.fill`,
/// `memory.copy` and `memory.init` into memory 0, the bytes of every line and chunk of
/// the destination. The host marks what it writes itself. [`RESET_GLOBALS`] sets each
/// mutable global back to the value it starts with.
///
/// Atomic read-modify-write and SIMD lane stores are refused (the runtime has none).
pub fn tracking_writes(wasm: &[u8], max_memory: u64) -> Result<Vec<u8>> {
    use walrus::ir::{BinaryOp, Instr, StoreKind, UnaryOp};
    use walrus::{FunctionBuilder, ValType};
    let mut module = Module::from_buffer(wasm).context("parsing the module")?;
    let memories: Vec<_> = module.memories.iter().map(|m| m.id()).collect();
    let [mem] = memories[..] else {
        anyhow::bail!("the module has {} memories, not one", memories.len());
    };
    let summary = summary_base(max_memory);
    let map_bytes = summary + (summary >> CHUNK_SHIFT) + 1;
    let map_pages = (map_bytes as u64).div_ceil(65536);
    let map = module
        .memories
        .add_local(false, false, map_pages, Some(map_pages), None);
    module.exports.add(DIRTY_MAP, ExportItem::Memory(map));

    // mark_range(dst, len): the map's bytes for the lines and chunks of dst .. dst + len.
    let mark_range = {
        let dst = module.locals.add(ValType::I32);
        let len = module.locals.add(ValType::I32);
        let first = module.locals.add(ValType::I32);
        let last = module.locals.add(ValType::I32);
        let mut f = FunctionBuilder::new(&mut module.types, &[ValType::I32, ValType::I32], &[]);
        f.name("__moonshift_mark_range".into());
        f.func_body()
            .local_get(len)
            .unop(UnaryOp::I32Eqz)
            .if_else(
                None,
                |then| {
                    then.return_();
                },
                |_| {},
            )
            // The first and last lines.
            .local_get(dst)
            .i32_const(LINE_SHIFT as i32)
            .binop(BinaryOp::I32ShrU)
            .local_set(first)
            .local_get(dst)
            .local_get(len)
            .binop(BinaryOp::I32Add)
            .i32_const(1)
            .binop(BinaryOp::I32Sub)
            .i32_const(LINE_SHIFT as i32)
            .binop(BinaryOp::I32ShrU)
            .local_set(last);
        // fill(base + (first >> shift), 1, (last >> shift) - (first >> shift) + 1): the
        // lines in the line map, then their chunks in the summary.
        for (base, shift) in [(0, 0), (summary as i32, CHUNK_SHIFT as i32)] {
            let mut body = f.func_body();
            let at = |body: &mut walrus::InstrSeqBuilder, x| {
                body.local_get(x).i32_const(shift).binop(BinaryOp::I32ShrU);
            };
            at(&mut body, first);
            body.i32_const(base).binop(BinaryOp::I32Add).i32_const(1);
            at(&mut body, last);
            at(&mut body, first);
            body.binop(BinaryOp::I32Sub)
                .i32_const(1)
                .binop(BinaryOp::I32Add)
                .memory_fill(map);
        }
        f.finish(vec![dst, len], &mut module.funcs)
    };

    let Module { funcs, locals, .. } = &mut module;
    for (id, func) in funcs.iter_local_mut() {
        if id == mark_range {
            continue;
        }
        let addr = locals.add(ValType::I32);
        let line = locals.add(ValType::I32);
        let a = locals.add(ValType::I32);
        let b = locals.add(ValType::I32);
        let mut value = std::collections::HashMap::new();
        let mut stack = vec![func.entry_block()];
        while let Some(seq_id) = stack.pop() {
            let seq = func.block_mut(seq_id);
            let old = std::mem::take(&mut seq.instrs);
            let mut new = Vec::with_capacity(old.len());
            for (instr, loc) in old {
                match &instr {
                    Instr::Block(b) => stack.push(b.seq),
                    Instr::Loop(l) => stack.push(l.seq),
                    Instr::IfElse(ie) => {
                        stack.push(ie.consequent);
                        stack.push(ie.alternative);
                    }
                    Instr::Try(_) | Instr::TryTable(_) => {
                        anyhow::bail!("exception handling is not tracked")
                    }
                    _ => {}
                }
                let emit = |new: &mut Vec<_>, i: Instr| new.push((i, loc));
                match instr {
                    Instr::Store(s) if s.memory == mem => {
                        anyhow::ensure!(!s.kind.atomic(), "atomic stores are not tracked");
                        let ty = match s.kind {
                            StoreKind::I32 { .. }
                            | StoreKind::I32_8 { .. }
                            | StoreKind::I32_16 { .. } => ValType::I32,
                            StoreKind::I64 { .. }
                            | StoreKind::I64_8 { .. }
                            | StoreKind::I64_16 { .. }
                            | StoreKind::I64_32 { .. } => ValType::I64,
                            StoreKind::F32 => ValType::F32,
                            StoreKind::F64 => ValType::F64,
                            StoreKind::V128 => ValType::V128,
                        };
                        let v = *value.entry(ty).or_insert_with(|| locals.add(ty));
                        let width = u64::from(s.kind.width());
                        emit(&mut new, Instr::LocalSet(walrus::ir::LocalSet { local: v }));
                        emit(
                            &mut new,
                            Instr::LocalTee(walrus::ir::LocalTee { local: addr }),
                        );
                        emit(&mut new, Instr::LocalGet(walrus::ir::LocalGet { local: v }));
                        let ends: &[u64] = if u64::from(s.arg.align) >= width {
                            &[0]
                        } else {
                            &[0, width - 1]
                        };
                        let offset = s.arg.offset;
                        emit(&mut new, Instr::Store(s));
                        for &end in ends {
                            mark_line(&mut new, loc, [addr, line], offset + end, map, summary);
                        }
                    }
                    // (dst, x, len) -> the operation, then mark_range(dst, len).
                    Instr::MemoryFill(walrus::ir::MemoryFill { memory }) if memory == mem => {
                        bulk(&mut new, instr, loc, addr, a, b, mark_range);
                    }
                    Instr::MemoryCopy(walrus::ir::MemoryCopy { dst, .. }) if dst == mem => {
                        bulk(&mut new, instr, loc, addr, a, b, mark_range);
                    }
                    Instr::MemoryInit(walrus::ir::MemoryInit { memory, .. }) if memory == mem => {
                        bulk(&mut new, instr, loc, addr, a, b, mark_range);
                    }
                    Instr::AtomicRmw(_) | Instr::Cmpxchg(_) => {
                        anyhow::bail!("atomic read-modify-write is not tracked")
                    }
                    Instr::LoadSimd(l)
                        if matches!(
                            l.kind,
                            walrus::ir::LoadSimdKind::V128Store8Lane(_)
                                | walrus::ir::LoadSimdKind::V128Store16Lane(_)
                                | walrus::ir::LoadSimdKind::V128Store32Lane(_)
                                | walrus::ir::LoadSimdKind::V128Store64Lane(_)
                        ) =>
                    {
                        anyhow::bail!("SIMD lane stores are not tracked")
                    }
                    other => emit(&mut new, other),
                }
            }
            func.block_mut(seq_id).instrs = new;
        }
    }

    // Every mutable global back to its start value.
    let mut reset = FunctionBuilder::new(&mut module.types, &[], &[]);
    {
        let mut body = reset.func_body();
        for g in module.globals.iter() {
            if let (true, GlobalKind::Local(ConstExpr::Value(v))) = (g.mutable, &g.kind) {
                body.const_(*v).global_set(g.id());
            }
        }
    }
    let reset = reset.finish(vec![], &mut module.funcs);
    module
        .exports
        .add(RESET_GLOBALS, ExportItem::Function(reset));
    Ok(module.emit_wasm())
}

/// A bulk operation `(dst, x, len)` on memory 0 followed by `mark_range(dst, len)`.
fn bulk(
    new: &mut Vec<(walrus::ir::Instr, walrus::InstrLocId)>,
    instr: walrus::ir::Instr,
    loc: walrus::InstrLocId,
    dst: walrus::LocalId,
    x: walrus::LocalId,
    len: walrus::LocalId,
    mark_range: walrus::FunctionId,
) {
    use walrus::ir::{Call, Instr, LocalGet, LocalSet, LocalTee};
    for i in [
        Instr::LocalSet(LocalSet { local: len }),
        Instr::LocalSet(LocalSet { local: x }),
        Instr::LocalTee(LocalTee { local: dst }),
        Instr::LocalGet(LocalGet { local: x }),
        Instr::LocalGet(LocalGet { local: len }),
        instr,
        Instr::LocalGet(LocalGet { local: dst }),
        Instr::LocalGet(LocalGet { local: len }),
        Instr::Call(Call { func: mark_range }),
    ] {
        new.push((i, loc));
    }
}

/// Where the summary starts in the dirty map of a module for `max_memory` bytes: after
/// the line map.
pub fn summary_base(max_memory: u64) -> usize {
    ((max_memory >> LINE_SHIFT) as usize).max(1)
}

/// `line = (addr + delta) >> LINE_SHIFT; map[line] = 1; map[summary + (line >>
/// CHUNK_SHIFT)] = 1`, after a store to `addr` with offset and width covering `delta`
/// succeeded (so the sum cannot wrap).
fn mark_line(
    new: &mut Vec<(walrus::ir::Instr, walrus::InstrLocId)>,
    loc: walrus::InstrLocId,
    [addr, line]: [walrus::LocalId; 2],
    delta: u64,
    map: walrus::MemoryId,
    summary: usize,
) {
    use walrus::ir::{BinaryOp, Binop, Const, Instr, LocalGet, LocalTee, MemArg, Store, StoreKind};
    let konst = |v: i32| {
        Instr::Const(Const {
            value: Value::I32(v),
        })
    };
    let shr = || {
        Instr::Binop(Binop {
            op: BinaryOp::I32ShrU,
        })
    };
    let store_one = |offset: usize| {
        Instr::Store(Store {
            memory: map,
            kind: StoreKind::I32_8 { atomic: false },
            arg: MemArg {
                align: 1,
                offset: offset as u64,
            },
        })
    };
    new.push((Instr::LocalGet(LocalGet { local: addr }), loc));
    if delta != 0 {
        new.push((konst(delta as u32 as i32), loc));
        new.push((
            Instr::Binop(Binop {
                op: BinaryOp::I32Add,
            }),
            loc,
        ));
    }
    for i in [
        konst(LINE_SHIFT as i32),
        shr(),
        Instr::LocalTee(LocalTee { local: line }),
        konst(1),
        store_one(0),
        Instr::LocalGet(LocalGet { local: line }),
        konst(CHUNK_SHIFT as i32),
        shr(),
        konst(1),
        store_one(summary),
    ] {
        new.push((i, loc));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use walrus::ir::{BinaryOp, MemArg, StoreKind};
    use walrus::{FunctionBuilder, ValType};

    /// A module with one page of memory, a mutable global starting at 7, and `run`,
    /// which writes: a byte at 300; an unaligned i64 at 510 (lines 1 and 2); an i32 at
    /// 4 with offset 1024; a fill of 600 bytes at 2560 (lines 10 to 12); a one-byte copy
    /// to 5000; an empty fill at 8000; a byte at 40000 (line 156, in chunk 2); and sets
    /// the global to 9.
    fn writer() -> Vec<u8> {
        let mut m = Module::default();
        let mem = m.memories.add_local(false, false, 1, None, None);
        m.exports.add("memory", mem);
        let g = m
            .globals
            .add_local(ValType::I32, true, false, ConstExpr::Value(Value::I32(7)));
        m.exports.add("g", g);
        let arg = |align, offset| MemArg { align, offset };
        let mut f = FunctionBuilder::new(&mut m.types, &[], &[]);
        f.func_body()
            .i32_const(300)
            .i32_const(1)
            .store(mem, StoreKind::I32_8 { atomic: false }, arg(1, 0))
            .i32_const(510)
            .i64_const(-1)
            .store(mem, StoreKind::I64 { atomic: false }, arg(1, 0))
            .i32_const(4)
            .i32_const(-1)
            .store(mem, StoreKind::I32 { atomic: false }, arg(4, 1024))
            .i32_const(2560)
            .i32_const(0xab)
            .i32_const(600)
            .memory_fill(mem)
            .i32_const(5000)
            .i32_const(0)
            .i32_const(1)
            .memory_copy(mem, mem)
            .i32_const(8000)
            .i32_const(0xab)
            .i32_const(0)
            .memory_fill(mem)
            .i32_const(40000)
            .i32_const(1)
            .store(mem, StoreKind::I32_8 { atomic: false }, arg(1, 0))
            .i32_const(2)
            .i32_const(7)
            .binop(BinaryOp::I32Add)
            .global_set(g);
        let run = f.finish(vec![], &mut m.funcs);
        m.exports.add("run", run);
        m.emit_wasm()
    }

    #[test]
    fn writes_mark_their_lines_and_globals_reset() {
        let wasm = tracking_writes(&writer(), 65536).expect("instruments");
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, &wasm).expect("compiles");
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).expect("instantiates");
        let map = instance
            .get_memory(&mut store, DIRTY_MAP)
            .expect("the dirty map");
        // 64 KiB of memory in lines of 256 bytes: 256 bytes of map, then the summary's
        // four chunks of 64 lines, in one page.
        assert_eq!(map.data_size(&store), 65536);
        assert_eq!(summary_base(65536), 256);
        let run = instance
            .get_typed_func::<(), ()>(&mut store, "run")
            .expect("run");
        run.call(&mut store, ()).expect("runs");
        let marked: Vec<usize> = map.data(&store)[..256]
            .iter()
            .enumerate()
            .filter(|(_, b)| **b != 0)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(marked, [1, 2, 4, 10, 11, 12, 19, 156]);
        assert_eq!(map.data(&store)[256..260], [1, 0, 1, 0]);
        assert!(map.data(&store)[260..].iter().all(|b| *b == 0));
        let g = instance.get_global(&mut store, "g").expect("g");
        assert_eq!(g.get(&mut store).i32(), Some(9));
        instance
            .get_typed_func::<(), ()>(&mut store, RESET_GLOBALS)
            .expect("the reset")
            .call(&mut store, ())
            .expect("resets");
        assert_eq!(g.get(&mut store).i32(), Some(7));
    }

    #[test]
    fn atomics_are_refused() {
        let mut m = Module::default();
        let mem = m.memories.add_local(false, false, 1, None, None);
        let mut f = FunctionBuilder::new(&mut m.types, &[], &[]);
        f.func_body().i32_const(0).i32_const(1).store(
            mem,
            StoreKind::I32 { atomic: true },
            MemArg {
                align: 4,
                offset: 0,
            },
        );
        f.finish(vec![], &mut m.funcs);
        let err = tracking_writes(&m.emit_wasm(), 65536).expect_err("refused");
        assert!(err.to_string().contains("atomic"), "{err}");
    }
}
