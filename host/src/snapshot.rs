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
/// the destination. Stores through one local into a line's length after it (an object's
/// fields) are marked together after the last of them ([`plan_marks`]). The host marks
/// what it writes itself. [`RESET_GLOBALS`] sets each mutable global back to the value
/// it starts with.
///
/// Atomic read-modify-write and SIMD lane stores are refused (the runtime has none).
///
/// With `stack_top` (see [`stack_first_top`]), stores into the current function's own
/// stack frame (addressed through a local set from `__stack_pointer` minus a constant)
/// are not marked: `[0, stack_top)` is the shadow stack, dead between requests (what a
/// request reads of it, it wrote first), so it need not be put back; nor stores through
/// parameters that every call passes a frame address ([`stack_params`]); and a function
/// that stores through a local that holds a frame address only sometimes marks its
/// stores only when they land above the stack ([`frame_locals`], [`above_stack`]).
pub fn tracking_writes(wasm: &[u8], max_memory: u64, stack_top: Option<u32>) -> Result<Vec<u8>> {
    use walrus::ir::{BinaryOp, Instr, MemArg, StoreKind, UnaryOp};
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
        // The first and last lines and their chunks, with single stores: most ranges
        // are a short string's bytes (a fill is a call out of the module).
        let one = |offset: usize| MemArg {
            align: 1,
            offset: offset as u64,
        };
        for end in [first, last] {
            f.func_body()
                .local_get(end)
                .i32_const(1)
                .store(map, StoreKind::I32_8 { atomic: false }, one(0))
                .local_get(end)
                .i32_const(CHUNK_SHIFT as i32)
                .binop(BinaryOp::I32ShrU)
                .i32_const(1)
                .store(map, StoreKind::I32_8 { atomic: false }, one(summary));
        }
        // The lines between, and all the chunks, with fills when there are any.
        f.func_body()
            .local_get(last)
            .local_get(first)
            .binop(BinaryOp::I32Sub)
            .i32_const(1)
            .binop(BinaryOp::I32GtU)
            .if_else(
                None,
                |then| {
                    // fill(first + 1, 1, last - first - 1)
                    then.local_get(first)
                        .i32_const(1)
                        .binop(BinaryOp::I32Add)
                        .i32_const(1)
                        .local_get(last)
                        .local_get(first)
                        .binop(BinaryOp::I32Sub)
                        .i32_const(1)
                        .binop(BinaryOp::I32Sub)
                        .memory_fill(map);
                    // fill(summary + (first >> C), 1, (last >> C) - (first >> C) + 1)
                    let chunk = |then: &mut walrus::InstrSeqBuilder, x| {
                        then.local_get(x)
                            .i32_const(CHUNK_SHIFT as i32)
                            .binop(BinaryOp::I32ShrU);
                    };
                    chunk(then, first);
                    then.i32_const(summary as i32)
                        .binop(BinaryOp::I32Add)
                        .i32_const(1);
                    chunk(then, last);
                    chunk(then, first);
                    then.binop(BinaryOp::I32Sub)
                        .i32_const(1)
                        .binop(BinaryOp::I32Add)
                        .memory_fill(map);
                },
                |_| {},
            );
        f.finish(vec![dst, len], &mut module.funcs)
    };

    let sp = match stack_top {
        Some(_) => module
            .globals
            .iter()
            .find(|g| g.name.as_deref() == Some("__stack_pointer"))
            .map(|g| g.id()),
        None => None,
    };

    let stack_top_all = stack_top.filter(|_| sp.is_some()).map(u64::from);
    let frame_pointers = sp.map(|sp| stack_params(&module, sp)).unwrap_or_default();
    let no_params = std::collections::HashSet::new();
    let Module { funcs, locals, .. } = &mut module;
    for (id, func) in funcs.iter_local_mut() {
        if id == mark_range {
            continue;
        }
        let (frame, maybe) = match sp {
            Some(sp) => {
                let params = |of: &std::collections::HashSet<usize>| {
                    of.iter().map(|&p| func.args[p]).collect()
                };
                frame_locals(
                    func,
                    sp,
                    frame_pointers.params.get(&id).unwrap_or(&no_params),
                    &frame_pointers
                        .sometimes
                        .get(&id)
                        .map(params)
                        .unwrap_or_default(),
                )
            }
            None => Default::default(),
        };
        // A function that stores through a local that is a frame pointer only sometimes
        // marks its stores only above the shadow stack.
        let stack_guard = stack_top_all.filter(|_| {
            let mut through_maybe = false;
            each_instr(func, &mut |instrs, i| {
                through_maybe |= matches!(instrs[i].0, Instr::Store(_))
                    && address_local(&instrs[..i]).is_some_and(|(l, _)| maybe.contains(&l));
            });
            through_maybe
        });
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
            let (unmarked, mut after) = plan_marks(&old, mem, &frame);
            for (j, (instr, loc)) in old.into_iter().enumerate() {
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
                    Instr::Store(s) if s.memory == mem && unmarked[j] => {
                        emit(&mut new, Instr::Store(s));
                        for (base, at) in after.remove(&j).unwrap_or_default() {
                            let mut marks = Vec::new();
                            mark_line(&mut marks, loc, [base, line], at, map, summary);
                            above_stack(func, &mut new, loc, marks, base, at, stack_guard);
                        }
                    }
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
                            let at = offset + end;
                            let mut marks = Vec::new();
                            mark_line(&mut marks, loc, [addr, line], at, map, summary);
                            above_stack(func, &mut new, loc, marks, addr, at, stack_guard);
                        }
                    }
                    // (dst, x, len) -> the operation, then mark_range(dst, len).
                    Instr::MemoryFill(walrus::ir::MemoryFill { memory: dst })
                    | Instr::MemoryCopy(walrus::ir::MemoryCopy { dst, .. })
                    | Instr::MemoryInit(walrus::ir::MemoryInit { memory: dst, .. })
                        if dst == mem =>
                    {
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

/// Appends `marks`, the marking of the line of `base + at`, to `new`: run only when that
/// byte is above the shadow stack `[0, stack_top)` if there is one (a store that may be
/// into a caller's frame, which the frame analysis cannot tell; the stack is dead
/// between requests).
fn above_stack(
    func: &mut walrus::LocalFunction,
    new: &mut Vec<(walrus::ir::Instr, walrus::InstrLocId)>,
    loc: walrus::InstrLocId,
    marks: Vec<(walrus::ir::Instr, walrus::InstrLocId)>,
    base: walrus::LocalId,
    at: u64,
    stack_top: Option<u64>,
) {
    use walrus::ir::{BinaryOp, Binop, Const, IfElse, Instr, LocalGet};
    // base + at >= top  <=>  base >= top - at; always true when at >= top.
    let Some(low) = stack_top
        .and_then(|top| top.checked_sub(at))
        .filter(|&low| low > 0)
    else {
        new.extend(marks);
        return;
    };
    let consequent = func.builder_mut().dangling_instr_seq(None).id();
    func.block_mut(consequent).instrs = marks;
    let alternative = func.builder_mut().dangling_instr_seq(None).id();
    for i in [
        Instr::LocalGet(LocalGet { local: base }),
        Instr::Const(Const {
            value: Value::I32(low as u32 as i32),
        }),
        Instr::Binop(Binop {
            op: BinaryOp::I32GeU,
        }),
        Instr::IfElse(IfElse {
            consequent,
            alternative,
        }),
    ] {
        new.push((i, loc));
    }
}

/// The top of the module's shadow stack when the stack lies below all static data
/// (wasm-ld's `--stack-first`, Rust's default for wasm32): `__stack_pointer`'s start, if
/// every data segment is at or above it, so that `[0, top)` holds only the stack.
pub fn stack_first_top(wasm: &[u8]) -> Result<Option<u32>> {
    let module = Module::from_buffer(wasm).context("parsing the module")?;
    let Some(sp) = module
        .globals
        .iter()
        .find(|g| g.name.as_deref() == Some("__stack_pointer"))
    else {
        return Ok(None);
    };
    let GlobalKind::Local(ConstExpr::Value(Value::I32(top))) = sp.kind else {
        return Ok(None);
    };
    let top = top as u32;
    let above = module.data.iter().all(|d| match &d.kind {
        DataKind::Active {
            offset: ConstExpr::Value(Value::I32(at)),
            ..
        } => *at as u32 >= top,
        DataKind::Passive => true,
        _ => false,
    });
    Ok(above.then_some(top))
}

/// What [`stack_params`] finds.
#[derive(Default)]
struct FramePointers {
    /// Per function, the parameters that hold a frame address on every call.
    params:
        std::collections::HashMap<walrus::FunctionId, std::collections::HashSet<walrus::LocalId>>,
    /// The functions some call passes a frame address in a parameter that is not always
    /// one (a result returned through memory by a caller whose frame pointer the
    /// analysis loses, a buffer lent by some callers only): their stores may land in a
    /// caller's frame, and are marked only above the shadow stack.
    sometimes: std::collections::HashMap<walrus::FunctionId, std::collections::HashSet<usize>>,
}

/// The parameters of each function that hold an address in a caller's stack frame on
/// every call: Rust's slots for results it returns through memory, and buffers a caller
/// lends (`write_integer`'s digits), passed on or offset any number of times.
///
/// A parameter is one when every direct call (`call`, `return_call`) passes it a value
/// from `__stack_pointer`, from a frame local of the caller (see [`frame_locals`]) or
/// from such a parameter of the caller, plus or minus constants; a function that is
/// exported, in a table or taken with `ref.func` has none (its callers are unknown). The
/// largest such set is found by dropping, until nothing changes, each parameter some
/// call passes anything else: by induction on the calls that led to a store through
/// one, it is then into a frame, `[0, stack top)`, dead between requests.
fn stack_params(module: &Module, sp: walrus::GlobalId) -> FramePointers {
    use std::collections::{HashMap, HashSet};
    use walrus::ir::Instr;
    let mut escaping: HashSet<walrus::FunctionId> = HashSet::new();
    for e in module.exports.iter() {
        if let ExportItem::Function(f) = e.item {
            escaping.insert(f);
        }
    }
    for el in module.elements.iter() {
        match &el.items {
            walrus::ElementItems::Functions(fs) => escaping.extend(fs.iter().copied()),
            walrus::ElementItems::Expressions(_, es) => {
                escaping.extend(es.iter().filter_map(|e| match e {
                    ConstExpr::RefFunc(f) => Some(*f),
                    _ => None,
                }))
            }
        }
    }
    for (_, func) in module.funcs.iter_local() {
        each_instr(func, &mut |instrs, i| {
            if let Instr::RefFunc(r) = &instrs[i].0 {
                escaping.insert(r.func);
            }
        });
    }
    let arity: HashMap<walrus::FunctionId, (usize, usize)> = module
        .funcs
        .iter()
        .map(|f| {
            let ty = module.types.get(f.ty());
            (f.id(), (ty.params().len(), ty.results().len()))
        })
        .collect();
    // Per function, whether each parameter may still be one.
    let mut maybe: HashMap<walrus::FunctionId, Vec<bool>> = module
        .funcs
        .iter_local()
        .filter(|(id, _)| !escaping.contains(id))
        .map(|(id, _)| {
            let ty = module.types.get(module.funcs.get(id).ty());
            let i32s = ty.params().iter().map(|t| *t == walrus::ValType::I32);
            (id, i32s.collect())
        })
        .collect();
    let own = |maybe: &HashMap<walrus::FunctionId, Vec<bool>>, id, func: &walrus::LocalFunction| {
        maybe.get(&id).map_or_else(HashSet::new, |m| {
            func.args
                .iter()
                .zip(m)
                .filter(|(_, ok)| **ok)
                .map(|(a, _)| *a)
                .collect::<HashSet<_>>()
        })
    };
    loop {
        let mut dropped = Vec::new();
        let mut sometimes: HashMap<walrus::FunctionId, HashSet<usize>> = HashMap::new();
        for (g, func) in module.funcs.iter_local() {
            let (frame, _) = frame_locals(func, sp, &own(&maybe, g, func), &HashSet::new());
            each_instr(func, &mut |instrs, i| {
                let callee = match &instrs[i].0 {
                    Instr::Call(c) => c.func,
                    Instr::ReturnCall(c) => c.func,
                    _ => return,
                };
                let n = arity[&callee].0;
                for p in 0..n {
                    let from_frame = match value_root(&instrs[..i], n - 1 - p, sp, &arity) {
                        Some(Root::StackPointer) => true,
                        Some(Root::Local(l)) => frame.contains(&l),
                        None => false,
                    };
                    match maybe.get(&callee).map(|params| params[p]) {
                        Some(true) if !from_frame => dropped.push((callee, p)),
                        Some(true) => {}
                        _ if from_frame => {
                            sometimes.entry(callee).or_default().insert(p);
                        }
                        _ => {}
                    }
                }
            });
        }
        if dropped.is_empty() {
            let params = module
                .funcs
                .iter_local()
                .map(|(id, func)| (id, own(&maybe, id, func)))
                .filter(|(_, params)| !params.is_empty())
                .collect();
            return FramePointers { params, sometimes };
        }
        for (f, p) in dropped {
            maybe.get_mut(&f).expect("a candidate")[p] = false;
        }
    }
}

/// Calls `f` with each instruction of `func`, in every block, as its block's
/// instructions and its index there.
fn each_instr(
    func: &walrus::LocalFunction,
    f: &mut dyn FnMut(&[(walrus::ir::Instr, walrus::InstrLocId)], usize),
) {
    use walrus::ir::Instr;
    let mut seqs = vec![func.entry_block()];
    while let Some(id) = seqs.pop() {
        let instrs = &func.block(id).instrs;
        for (i, (instr, _)) in instrs.iter().enumerate() {
            match instr {
                Instr::Block(b) => seqs.push(b.seq),
                Instr::Loop(l) => seqs.push(l.seq),
                Instr::IfElse(ie) => {
                    seqs.push(ie.consequent);
                    seqs.push(ie.alternative);
                }
                _ => {}
            }
            f(instrs, i);
        }
    }
}

/// Where a value comes from: [`value_root`].
enum Root {
    StackPointer,
    Local(walrus::LocalId),
}

/// The `global.get sp` or the local that the value `depth` places below the top of the
/// stack after `before` comes from, through any number of `i32.const c;
/// i32.add|i32.sub|i32.and`; None when it comes from anything else or that cannot be
/// told from straight-line code (a call is looked past only with its `arity`).
fn value_root(
    before: &[(walrus::ir::Instr, walrus::InstrLocId)],
    depth: usize,
    sp: walrus::GlobalId,
    arity: &std::collections::HashMap<walrus::FunctionId, (usize, usize)>,
) -> Option<Root> {
    use walrus::ir::{BinaryOp, Instr};
    let mut depth = depth;
    let mut at = None;
    for (i, (instr, _)) in before.iter().enumerate().rev() {
        let (consumed, produced) = match instr {
            Instr::LocalGet(_) | Instr::Const(_) | Instr::GlobalGet(_) | Instr::MemorySize(_) => {
                (0, 1)
            }
            Instr::LocalTee(_) | Instr::Unop(_) | Instr::Load(_) => (1, 1),
            Instr::Binop(_) => (2, 1),
            Instr::Select(_) => (3, 1),
            Instr::LocalSet(_) | Instr::GlobalSet(_) | Instr::Drop(_) => (1, 0),
            Instr::Store(_) => (2, 0),
            Instr::Call(c) => *arity.get(&c.func)?,
            _ => return None,
        };
        if depth < produced {
            at = Some(i);
            break;
        }
        depth = depth - produced + consumed;
    }
    let at = at?;
    match &before[at].0 {
        Instr::LocalGet(g) => Some(Root::Local(g.local)),
        Instr::LocalTee(t) => Some(Root::Local(t.local)),
        Instr::GlobalGet(g) if g.global == sp => Some(Root::StackPointer),
        Instr::Binop(b)
            if matches!(b.op, BinaryOp::I32Add | BinaryOp::I32Sub | BinaryOp::I32And)
                && at >= 1
                && matches!(
                    before[at - 1].0,
                    Instr::Const(walrus::ir::Const {
                        value: Value::I32(_)
                    })
                ) =>
        {
            value_root(&before[..at - 1], 0, sp, arity)
        }
        _ => None,
    }
}

/// The locals of `func` that hold `__stack_pointer` (`sp`) adjusted by constants: its
/// frame pointers. A parameter is one only if it is among `roots` (its
/// [`stack_params`]), as is a local set from one of `roots` adjusted by constants.
///
/// Returns those that always hold one, and those that hold one only sometimes: set from
/// a frame pointer at one place and from something else at another (LLVM reuses
/// locals), or parameters among `sometimes` (some calls pass a frame address).
fn frame_locals(
    func: &walrus::LocalFunction,
    sp: walrus::GlobalId,
    roots: &std::collections::HashSet<walrus::LocalId>,
    sometimes: &std::collections::HashSet<walrus::LocalId>,
) -> (
    std::collections::HashSet<walrus::LocalId>,
    std::collections::HashSet<walrus::LocalId>,
) {
    use walrus::ir::Instr;
    // Each `local.set` and `local.tee`: its block's instructions, its index, its local.
    let each_assignment =
        |f: &mut dyn FnMut(&[(Instr, walrus::InstrLocId)], usize, walrus::LocalId)| {
            each_instr(func, &mut |instrs, i| match &instrs[i].0 {
                Instr::LocalSet(s) => f(instrs, i, s.local),
                Instr::LocalTee(t) => f(instrs, i, t.local),
                _ => {}
            })
        };
    // A root assigned in the body may hold anything: only the others are frame pointers
    // throughout.
    let mut roots = roots.clone();
    let mut maybe = sometimes.clone();
    each_assignment(&mut |_, _, target| {
        if roots.remove(&target) {
            maybe.insert(target);
        }
    });
    let mut frame = roots.clone();
    let mut other: std::collections::HashSet<_> = func
        .args
        .iter()
        .filter(|a| !roots.contains(a))
        .copied()
        .collect();
    each_assignment(&mut |instrs, i, target| {
        if from_stack_pointer(&instrs[..i], sp, &roots) {
            frame.insert(target);
        } else {
            other.insert(target);
        }
    });
    let (frame, mixed): (std::collections::HashSet<_>, _) =
        frame.into_iter().partition(|l| !other.contains(l));
    maybe.extend(mixed);
    (frame, maybe)
}

/// Whether the value on top of the stack after `before` is `global.get sp` or one of
/// `roots`, adjusted by constants ([`value_root`]).
fn from_stack_pointer(
    before: &[(walrus::ir::Instr, walrus::InstrLocId)],
    sp: walrus::GlobalId,
    roots: &std::collections::HashSet<walrus::LocalId>,
) -> bool {
    match value_root(before, 0, sp, &std::collections::HashMap::new()) {
        Some(Root::StackPointer) => true,
        Some(Root::Local(l)) => roots.contains(&l),
        None => false,
    }
}

/// The local a store's address came from and the index in `before` of the `local.get
/// L` or `local.tee L` that produced it, when `before` (the instructions before the
/// store in its block) ends with that and straight-line code producing the value; None
/// when that cannot be told.
fn address_local(
    before: &[(walrus::ir::Instr, walrus::InstrLocId)],
) -> Option<(walrus::LocalId, usize)> {
    use walrus::ir::Instr;
    // Operands to skip: the stored value is on top, the address under it.
    let mut depth = 1usize;
    for (at, (instr, _)) in before.iter().enumerate().rev() {
        let (consumed, produced) = match instr {
            Instr::LocalGet(_) | Instr::Const(_) | Instr::GlobalGet(_) => (0, 1),
            Instr::LocalTee(_) | Instr::Unop(_) | Instr::Load(_) => (1, 1),
            Instr::Binop(_) => (2, 1),
            Instr::Select(_) => (3, 1),
            Instr::LocalSet(_) | Instr::GlobalSet(_) | Instr::Drop(_) => (1, 0),
            Instr::Store(_) => (2, 0),
            _ => return None,
        };
        if depth < produced {
            return match instr {
                Instr::LocalGet(g) => Some((g.local, at)),
                Instr::LocalTee(t) => Some((t.local, at)),
                _ => None,
            };
        }
        depth = depth - produced + consumed;
    }
    None
}

/// Marks to emit after an instruction of a block, by its index: `(L, offset)` for the
/// line of `L + offset`.
type GroupMarks = std::collections::HashMap<usize, Vec<(walrus::LocalId, u64)>>;

/// Which stores of a block (`old`) mark their own line, and which marks go where
/// instead.
///
/// A store into a stack frame (through one of `frame`) is not marked. Stores
/// through the same local `L`, with no branch, block or assignment to `L` between them
/// and all within a line's length (256 bytes) of `L` (an object's fields), are marked
/// together after the last of them: the lines of the group's first and last byte, from
/// `L`. Marking late is safe: until then nothing leaves the block but a trap, after which
/// the instance is dropped, not put back.
///
/// Returns, per instruction, whether a store is left without its own mark, and the
/// group marks to emit after an instruction: `(L, offset)` for `line(L + offset)`.
fn plan_marks(
    old: &[(walrus::ir::Instr, walrus::InstrLocId)],
    mem: walrus::MemoryId,
    frame: &std::collections::HashSet<walrus::LocalId>,
) -> (Vec<bool>, GroupMarks) {
    use walrus::ir::Instr;
    /// Stores through one local so far: the last one's index, the lowest offset
    /// written, one past the highest, and whether it is one store that cannot cross a
    /// line.
    struct Group {
        last: usize,
        lo: u64,
        hi: u64,
        one_aligned: bool,
    }
    let mut unmarked = vec![false; old.len()];
    let mut after = GroupMarks::new();
    // Ordered, so that the module is the same every time (its hash keys the cache).
    let mut open: std::collections::BTreeMap<walrus::LocalId, Group> =
        std::collections::BTreeMap::new();
    let mut close = |l: walrus::LocalId, g: Group| {
        let marks = after.entry(g.last).or_default();
        marks.push((l, g.lo));
        if !g.one_aligned && g.hi - 1 != g.lo {
            marks.push((l, g.hi - 1));
        }
    };
    let assigns = |instr: &Instr, l: walrus::LocalId| match instr {
        Instr::LocalSet(s) => s.local == l,
        Instr::LocalTee(t) => t.local == l,
        _ => false,
    };
    for (j, (instr, _)) in old.iter().enumerate() {
        match instr {
            Instr::Store(s) if s.memory == mem && !s.kind.atomic() => {
                let Some((l, at)) = address_local(&old[..j]) else {
                    continue;
                };
                if frame.contains(&l) {
                    unmarked[j] = true;
                    continue;
                }
                // `L` assigned while the value was computed: the store's address is
                // not `L`'s value after it.
                if old[at + 1..j].iter().any(|(i, _)| assigns(i, l)) {
                    continue;
                }
                let width = u64::from(s.kind.width());
                let (lo, hi) = (s.arg.offset, s.arg.offset + width);
                // Within a line's length, the group's first and last bytes' lines are
                // all the lines it writes.
                match open.get_mut(&l) {
                    Some(g) if hi.max(g.hi) - lo.min(g.lo) <= 1 << LINE_SHIFT => {
                        g.last = j;
                        g.lo = g.lo.min(lo);
                        g.hi = g.hi.max(hi);
                        g.one_aligned = false;
                    }
                    _ => {
                        if let Some(g) = open.remove(&l) {
                            close(l, g);
                        }
                        let one_aligned = u64::from(s.arg.align) >= width;
                        open.insert(
                            l,
                            Group {
                                last: j,
                                lo,
                                hi,
                                one_aligned,
                            },
                        );
                    }
                }
                unmarked[j] = true;
            }
            Instr::LocalSet(walrus::ir::LocalSet { local })
            | Instr::LocalTee(walrus::ir::LocalTee { local }) => {
                if let Some(g) = open.remove(local) {
                    close(*local, g);
                }
            }
            // Straight-line instructions keep the groups open.
            Instr::LocalGet(_)
            | Instr::GlobalGet(_)
            | Instr::GlobalSet(_)
            | Instr::Const(_)
            | Instr::Unop(_)
            | Instr::Binop(_)
            | Instr::Select(_)
            | Instr::Drop(_)
            | Instr::Load(_)
            | Instr::Store(_)
            | Instr::Call(_)
            | Instr::CallIndirect(_)
            | Instr::MemorySize(_) => {}
            _ => {
                for (l, g) in std::mem::take(&mut open) {
                    close(l, g);
                }
            }
        }
    }
    for (l, g) in open {
        close(l, g);
    }
    (unmarked, after)
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

/// Whether a dirty map of `map_len` bytes with its summary at `summary` has room for the
/// marks of `lines` lines.
pub fn map_covers(map_len: usize, summary: usize, lines: usize) -> bool {
    lines <= summary && summary + (lines >> CHUNK_SHIFT) <= map_len
}

/// Marks `len` bytes at `ptr` in a dirty map (`map`, the [`DIRTY_MAP`] memory, its
/// summary at `summary`) as the module's own marks do: for the host's writes into
/// linear memory.
pub fn mark(map: &mut [u8], summary: usize, ptr: usize, len: usize) {
    if len == 0 {
        return;
    }
    let (first, last) = (ptr >> LINE_SHIFT, (ptr + len - 1) >> LINE_SHIFT);
    set_bytes(map, first..=last);
    set_bytes(
        map,
        summary + (first >> CHUNK_SHIFT)..=summary + (last >> CHUNK_SHIFT),
    );
}

/// Sets `map[range]` to 1 (nothing where it is out of the map). The host's writes are
/// mostly a value or a short string, one or two lines, for which a `fill` is a call to
/// `memset` dearer than the two stores.
fn set_bytes(map: &mut [u8], range: std::ops::RangeInclusive<usize>) {
    let Some(bytes) = map.get_mut(range) else {
        return;
    };
    match bytes {
        [one] => *one = 1,
        [a, b] => (*a, *b) = (1, 1),
        _ => bytes.fill(1),
    }
}

/// Takes the marks of the first `lines` lines out of a dirty map (clearing them), and
/// calls `f` with each run of marked lines, as a byte range of linear memory. The
/// summary is read first and then only the chunks it names, both 64 bytes at a time as
/// bit masks ([`take_bits`]); a chunk's runs are found a run at a time rather than a line
/// at a time. Needs [`map_covers`].
pub fn take_marked(
    map: &mut [u8],
    summary: usize,
    lines: usize,
    mut f: impl FnMut(std::ops::Range<usize>),
) {
    let (line_map, chunk_map) = map.split_at_mut(summary);
    let chunk_map = &mut chunk_map[..lines >> CHUNK_SHIFT];
    // The run of lines being gathered: runs continue across chunks.
    let mut run: Option<std::ops::Range<usize>> = None;
    for_each_set_byte(chunk_map, |c| {
        let first = c << CHUNK_SHIFT;
        let lines = &mut line_map[first..first + (1 << CHUNK_SHIFT)];
        let mut bits = take_bits(lines.try_into().expect("a chunk's lines"));
        while bits != 0 {
            let at = bits.trailing_zeros();
            let len = (bits >> at).trailing_ones();
            bits &= !(u64::MAX >> (64 - len) << at);
            let lines = first + at as usize..first + (at + len) as usize;
            run = match run.take() {
                Some(r) if r.end == lines.start => Some(r.start..lines.end),
                Some(r) => {
                    f(r.start << LINE_SHIFT..r.end << LINE_SHIFT);
                    Some(lines)
                }
                None => Some(lines),
            };
        }
    });
    if let Some(r) = run {
        f(r.start << LINE_SHIFT..r.end << LINE_SHIFT);
    }
}

/// 64 bytes of the map as a bit mask (bit `k`: byte `k` is set), zeroed.
fn take_bits(bytes: &mut [u8; 64]) -> u64 {
    let bits = marked_bits(bytes);
    if bits != 0 {
        *bytes = [0; 64];
    }
    bits
}

/// Bit `k` set for each non-zero byte `k`: a compare and a byte mask per 16 bytes.
#[cfg(target_arch = "x86_64")]
fn marked_bits(lines: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_setzero_si128,
    };
    let mut bits = 0;
    for (k, part) in lines.chunks_exact(16).enumerate() {
        // SAFETY: SSE2, which every x86_64 has; an unaligned load of the 16 bytes `part`
        // holds.
        let zero = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast::<__m128i>());
            _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()))
        };
        bits |= (!zero as u64 & 0xffff) << (16 * k);
    }
    bits
}

/// Bit `k` set for each non-zero byte `k`, eight bytes at a time: [`marked_bits`] where
/// there is no SSE2 (compiled everywhere, so the tests compare the two).
#[cfg(not(target_arch = "x86_64"))]
use marked_bits_by_words as marked_bits;

#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
fn marked_bits_by_words(lines: &[u8; 64]) -> u64 {
    let mut bits = 0;
    for (k, word) in lines.chunks_exact(8).enumerate() {
        let mut w = u64::from_le_bytes(word.try_into().expect("8 bytes"));
        // Each byte to 0 or 1, then the eight low bits gathered into the top byte.
        w |= w >> 4;
        w |= w >> 2;
        w |= w >> 1;
        w &= 0x0101_0101_0101_0101;
        bits |= (w.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    bits
}

/// Calls `f` with the index of each non-zero byte of `bytes`, in order, and zeroes them.
fn for_each_set_byte(bytes: &mut [u8], mut f: impl FnMut(usize)) {
    let mut blocks = bytes.chunks_exact_mut(64);
    let mut at = 0;
    for block in &mut blocks {
        let mut bits = take_bits(block.try_into().expect("64 bytes"));
        while bits != 0 {
            f(at + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
        at += 64;
    }
    for (k, byte) in blocks.into_remainder().iter_mut().enumerate() {
        if *byte != 0 {
            *byte = 0;
            f(at + k);
        }
    }
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
    /// to 5000; an empty fill at 8000; a byte at 40000 (line 156, in chunk 2); a fill of
    /// 100 bytes at 7930 (lines 30 and 31); a fill of 1000 bytes at 16000 (lines 62 to
    /// 66, chunks 0 and 1); and sets the global to 9.
    fn writer() -> Vec<u8> {
        let (mut m, mem, p) = one_page();
        let g = m
            .globals
            .add_local(ValType::I32, true, false, ConstExpr::Value(Value::I32(7)));
        m.exports.add("g", g);
        let arg = |align, offset| MemArg { align, offset };
        with_run(m, p, |b| {
            b.i32_const(300)
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
                .i32_const(7930)
                .i32_const(0xab)
                .i32_const(100)
                .memory_fill(mem)
                .i32_const(16000)
                .i32_const(0xab)
                .i32_const(1000)
                .memory_fill(mem)
                .i32_const(2)
                .i32_const(7)
                .binop(BinaryOp::I32Add)
                .global_set(g);
        })
    }

    /// A module with one page of memory (exported as `memory`), and the parameter `p`
    /// its `run` will take.
    fn one_page() -> (Module, walrus::MemoryId, walrus::LocalId) {
        let mut m = Module::default();
        let mem = m.memories.add_local(false, false, 1, None, None);
        m.exports.add("memory", mem);
        let p = m.locals.add(ValType::I32);
        (m, mem, p)
    }

    /// `m` with an exported `run(p)` whose body `body` writes.
    fn with_run(
        mut m: Module,
        p: walrus::LocalId,
        body: impl FnOnce(&mut walrus::InstrSeqBuilder),
    ) -> Vec<u8> {
        let mut f = FunctionBuilder::new(&mut m.types, &[ValType::I32], &[]);
        body(&mut f.func_body());
        let run = f.finish(vec![p], &mut m.funcs);
        m.exports.add("run", run);
        m.emit_wasm()
    }

    /// `wasm` instrumented for 64 KiB of memory, instantiated, and its `run(p)` called:
    /// the lines marked, the store and the instance.
    fn run_tracked(
        wasm: &[u8],
        stack_top: Option<u32>,
        p: i32,
    ) -> (Vec<usize>, wasmtime::Store<()>, wasmtime::Instance) {
        let tracked = tracking_writes(wasm, 65536, stack_top).expect("instruments");
        let engine = wasmtime::Engine::default();
        let module = wasmtime::Module::new(&engine, &tracked).expect("compiles");
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).expect("instantiates");
        instance
            .get_typed_func::<i32, ()>(&mut store, "run")
            .expect("run")
            .call(&mut store, p)
            .expect("runs");
        let map = instance.get_memory(&mut store, DIRTY_MAP).expect("map");
        let lines = &map.data(&store)[..256];
        let marked = (0..256).filter(|&i| lines[i] != 0).collect();
        (marked, store, instance)
    }

    #[test]
    fn writes_mark_their_lines_and_globals_reset() {
        let (marked, mut store, instance) = run_tracked(&writer(), None, 0);
        assert_eq!(
            marked,
            [1, 2, 4, 10, 11, 12, 19, 30, 31, 62, 63, 64, 65, 66, 156]
        );
        let map = instance
            .get_memory(&mut store, DIRTY_MAP)
            .expect("the dirty map");
        // 64 KiB of memory in lines of 256 bytes: 256 bytes of map, then the summary's
        // four chunks of 64 lines, in one page.
        assert_eq!(map.data_size(&store), 65536);
        assert_eq!(summary_base(65536), 256);
        assert_eq!(map.data(&store)[256..260], [1, 1, 1, 0]);
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

    /// Gives `m` a `__stack_pointer` starting at 4096: a stack below all data.
    fn stack_pointer(m: &mut Module) -> walrus::GlobalId {
        let sp = m.globals.add_local(
            ValType::I32,
            true,
            false,
            ConstExpr::Value(Value::I32(4096)),
        );
        m.globals.get_mut(sp).name = Some("__stack_pointer".into());
        sp
    }

    /// `run(p)` takes a 32-byte frame below `__stack_pointer` (starting at 4096, the
    /// stack below all data), stores into it at 8 through the frame pointer and at 16
    /// through `p`, and gives the frame back.
    fn framed() -> Vec<u8> {
        let (mut m, mem, p) = one_page();
        let sp = stack_pointer(&mut m);
        m.data.add(
            DataKind::Active {
                memory: mem,
                offset: ConstExpr::Value(Value::I32(8192)),
            },
            vec![1, 2, 3],
        );
        let fp = m.locals.add(ValType::I32);
        let store = StoreKind::I32 { atomic: false };
        let arg = |offset| MemArg { align: 4, offset };
        with_run(m, p, |b| {
            b.global_get(sp)
                .i32_const(32)
                .binop(BinaryOp::I32Sub)
                .local_tee(fp)
                .global_set(sp)
                .local_get(fp)
                .i32_const(5)
                .store(mem, store, arg(8))
                .local_get(p)
                .i32_const(6)
                .store(mem, store, arg(16))
                .local_get(fp)
                .i32_const(32)
                .binop(BinaryOp::I32Add)
                .global_set(sp);
        })
    }

    #[test]
    fn stores_into_the_own_frame_are_not_marked() {
        let wasm = framed();
        assert_eq!(stack_first_top(&wasm).expect("parses"), Some(4096));
        let marked = |stack_top, p| run_tracked(&wasm, stack_top, p).0;
        // The frame is 4064..4096: its store at 4072 is line 15. `p` may point anywhere.
        assert_eq!(marked(None, 20000), [15, 78]);
        assert_eq!(marked(Some(4096), 20000), [78]);
        // Through `p` into the stack (a callee writing its caller's frame): marked.
        assert_eq!(marked(Some(4096), 4060), [15]);
    }

    /// `run(p)` takes a 512-byte frame below `__stack_pointer` at 4096 (3584..4096) and
    /// calls `into(fp + 8, 0)`, `into(fp + 16, 4)` and `relay(fp)`, which calls
    /// `into(its parameter + 24, 0)`: `into(a, o)` stores at `a` (line 14) and at 2000 +
    /// `o` (line 7: its second parameter is a number, not an address). Then `mixed(x)`,
    /// which stores at `x`, with `fp + 300` (line 15) and with `p`.
    fn calls_with_the_frame() -> Vec<u8> {
        let (mut m, mem, p) = one_page();
        let sp = stack_pointer(&mut m);
        let store = StoreKind::I32 { atomic: false };
        let arg = |offset| MemArg { align: 4, offset };
        let (a, o) = (m.locals.add(ValType::I32), m.locals.add(ValType::I32));
        let mut f = FunctionBuilder::new(&mut m.types, &[ValType::I32, ValType::I32], &[]);
        f.func_body()
            .local_get(a)
            .i32_const(1)
            .store(mem, store, arg(0))
            .local_get(o)
            .i32_const(2)
            .store(mem, store, arg(2000));
        let into = f.finish(vec![a, o], &mut m.funcs);
        let r = m.locals.add(ValType::I32);
        let mut f = FunctionBuilder::new(&mut m.types, &[ValType::I32], &[]);
        f.func_body()
            .local_get(r)
            .i32_const(24)
            .binop(BinaryOp::I32Add)
            .i32_const(0)
            .call(into);
        let relay = f.finish(vec![r], &mut m.funcs);
        let x = m.locals.add(ValType::I32);
        let mut f = FunctionBuilder::new(&mut m.types, &[ValType::I32], &[]);
        f.func_body()
            .local_get(x)
            .i32_const(3)
            .store(mem, store, arg(0));
        let mixed = f.finish(vec![x], &mut m.funcs);
        let fp = m.locals.add(ValType::I32);
        with_run(m, p, |b| {
            b.global_get(sp)
                .i32_const(512)
                .binop(BinaryOp::I32Sub)
                .local_tee(fp)
                .global_set(sp)
                .local_get(fp)
                .i32_const(8)
                .binop(BinaryOp::I32Add)
                .i32_const(0)
                .call(into)
                .local_get(fp)
                .i32_const(16)
                .binop(BinaryOp::I32Add)
                .i32_const(4)
                .call(into)
                .local_get(fp)
                .call(relay)
                .local_get(fp)
                .i32_const(300)
                .binop(BinaryOp::I32Add)
                .call(mixed)
                .local_get(p)
                .call(mixed)
                .local_get(fp)
                .i32_const(512)
                .binop(BinaryOp::I32Add)
                .global_set(sp);
        })
    }

    #[test]
    fn stores_through_parameters_that_always_hold_a_frame_are_not_marked() {
        let wasm = calls_with_the_frame();
        let marked = |stack_top| run_tracked(&wasm, stack_top, 20000).0;
        assert_eq!(marked(None), [7, 14, 15, 78]);
        // `into`'s first parameter always holds the frame, from `run` and through
        // `relay`: not marked. Its second never does: marked. `mixed`'s does only
        // sometimes: marked only above the stack.
        assert_eq!(marked(Some(4096)), [7, 78]);
    }

    /// `run(p)` with `p` = 1000: three stores through `p` within 256 bytes (1000..1204,
    /// lines 3 and 4, marked together after the third); `p` += 300 and a store at 1300
    /// (line 5); a store at `p` + 600 whose value sets `p` to 5396 while its address is
    /// still 1300 + 600 (line 7); and a store at the new `p` (line 21).
    fn grouped() -> Vec<u8> {
        let (m, mem, p) = one_page();
        let i32s = StoreKind::I32 { atomic: false };
        let at = |offset| MemArg { align: 4, offset };
        with_run(m, p, |b| {
            b.local_get(p)
                .i64_const(-1)
                .store(
                    mem,
                    StoreKind::I64 { atomic: false },
                    MemArg {
                        align: 8,
                        offset: 0,
                    },
                )
                .local_get(p)
                .i32_const(-1)
                .store(mem, i32s, at(8))
                .local_get(p)
                .i32_const(-1)
                .store(mem, i32s, at(200))
                .local_get(p)
                .i32_const(300)
                .binop(BinaryOp::I32Add)
                .local_set(p)
                .local_get(p)
                .i32_const(-1)
                .store(mem, i32s, at(0))
                .local_get(p)
                .local_get(p)
                .i32_const(4096)
                .binop(BinaryOp::I32Add)
                .local_tee(p)
                .store(mem, i32s, at(600))
                .local_get(p)
                .i32_const(-1)
                .store(mem, i32s, at(0));
        })
    }

    /// `copy(dst)`, which stores an i64 at `dst + 8`, and `run(p)` calling it with `p` and
    /// with its frame (4064..4096): a parameter that holds a frame address only sometimes.
    fn sometimes_given_the_frame() -> Vec<u8> {
        let (mut m, mem, p) = one_page();
        let sp = stack_pointer(&mut m);
        let dst = m.locals.add(ValType::I32);
        let mut f = FunctionBuilder::new(&mut m.types, &[ValType::I32], &[]);
        f.func_body().local_get(dst).i64_const(-1).store(
            mem,
            StoreKind::I64 { atomic: false },
            MemArg {
                align: 1,
                offset: 8,
            },
        );
        let copy = f.finish(vec![dst], &mut m.funcs);
        let fp = m.locals.add(ValType::I32);
        with_run(m, p, |b| {
            b.global_get(sp)
                .i32_const(32)
                .binop(BinaryOp::I32Sub)
                .local_tee(fp)
                .global_set(sp)
                .local_get(p)
                .call(copy)
                .local_get(fp)
                .call(copy)
                .local_get(fp)
                .i32_const(32)
                .binop(BinaryOp::I32Add)
                .global_set(sp);
        })
    }

    #[test]
    fn stores_through_sometimes_frame_pointers_are_marked_only_above_the_stack() {
        let wasm = sometimes_given_the_frame();
        let marked = |stack_top, p| run_tracked(&wasm, stack_top, p).0;
        // The frame's store is at 4072 (line 15); `p + 8` below the stack's top (4096,
        // line 16) is not marked when the stack is known.
        assert_eq!(marked(Some(4096), 1000), Vec::<usize>::new());
        assert_eq!(marked(None, 1000), [3, 15]);
        // Across the top (4092..4100): the line above it is marked, the stack's is not.
        assert_eq!(marked(Some(4096), 4084), [16]);
        assert_eq!(marked(None, 4084), [15, 16]);
        assert_eq!(marked(Some(4096), 5000), [19]);
    }

    #[test]
    fn stores_through_one_local_are_marked_together() {
        let (marked, _, _) = run_tracked(&grouped(), None, 1000);
        assert_eq!(marked, [3, 4, 5, 7, 21]);
    }

    #[test]
    fn marks_are_taken_as_runs_of_lines_and_cleared() {
        let (_, mut store, instance) = run_tracked(&writer(), None, 0);
        let map = instance.get_memory(&mut store, DIRTY_MAP).expect("map");
        let map = map.data_mut(&mut store);
        let summary = summary_base(65536);
        assert!(map_covers(map.len(), summary, 256));
        // The host's own writes: 100 bytes at 1950, lines 7 and 8; 700 at 20000, lines
        // 78 to 80; one byte at 40960, line 160 (chunk 2).
        mark(map, summary, 1950, 100);
        mark(map, summary, 20000, 700);
        mark(map, summary, 40960, 1);
        let mut runs = Vec::new();
        take_marked(map, summary, 256, |r| runs.push((r.start >> 8, r.end >> 8)));
        // Lines 1, 2, 4, 7, 8, 10-12, 19, 30, 31, 62-66, 78-80, 156, 160 as runs [start,
        // end).
        assert_eq!(
            runs,
            [
                (1, 3),
                (4, 5),
                (7, 9),
                (10, 13),
                (19, 20),
                (30, 32),
                (62, 67),
                (78, 81),
                (156, 157),
                (160, 161)
            ]
        );
        assert!(map.iter().all(|b| *b == 0), "the map is cleared");
        assert!(!map_covers(map.len(), summary, 65536));
    }

    /// The two readings of 64 map bytes agree, bit for bit, whatever the bytes' values.
    #[test]
    fn map_bytes_read_alike_with_and_without_sse2() {
        let mut bytes = [0u8; 64];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for round in 0..2000 {
            for b in bytes.iter_mut() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Mostly zero, as a map is; the set bytes of any value.
                *b = if seed % 4 == 0 { (seed >> 8) as u8 } else { 0 };
            }
            if round == 0 {
                bytes = [0x80; 64];
            }
            let expected = bytes
                .iter()
                .enumerate()
                .fold(0u64, |bits, (k, &b)| bits | u64::from(b != 0) << k);
            assert_eq!(marked_bits(&bytes), expected, "{bytes:?}");
            assert_eq!(marked_bits_by_words(&bytes), expected, "{bytes:?}");
        }
    }

    /// Runs of whole chunks, runs that end on a chunk's last line or start on its first,
    /// and marks of any non-zero byte value.
    #[test]
    fn runs_span_whole_chunks() {
        let lines = 512;
        let summary = lines;
        let mut map = vec![0u8; summary + (lines >> CHUNK_SHIFT)];
        assert!(map_covers(map.len(), summary, lines));
        for (ptr, len) in [
            (64 << LINE_SHIFT, 128 << LINE_SHIFT),
            (255 << LINE_SHIFT, 1),
        ] {
            mark(&mut map, summary, ptr, len);
        }
        map[300] = 0x80;
        map[summary + (300 >> CHUNK_SHIFT)] = 0x80;
        map[511] = 1;
        map[summary + 7] = 1;
        let mut runs = Vec::new();
        take_marked(&mut map, summary, lines, |r| {
            runs.push((r.start >> LINE_SHIFT, r.end >> LINE_SHIFT))
        });
        assert_eq!(runs, [(64, 192), (255, 256), (300, 301), (511, 512)]);
        assert!(map.iter().all(|b| *b == 0), "the map is cleared");
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
        let err = tracking_writes(&m.emit_wasm(), 65536, None).expect_err("refused");
        assert!(err.to_string().contains("atomic"), "{err}");
    }
}
