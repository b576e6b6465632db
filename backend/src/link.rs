//! Links generated functions with runtime-gc into one module (design-notes §10).
//!
//! Memory map after linking (low → high):
//!
//! ```text
//! | runtime static data + Rust shadow stack | image | heap (grows) →
//!                                           ^ memory's initial size before linking
//! image = header (image::SIZE, padded to 32) | constant array (8 × nconsts)
//!       | site table (16 × nsites) | chunk-name table (4 × nchunks) | string bytes
//! ```
//!
//! The runtime learns the addresses from the header (`lrt_init(image)`); the
//! generated code has the constant array's address baked in.

use std::collections::HashMap;

use anyhow::{Context, Result, anyhow};
use moonshift_abi::{call, thread as th, value as val};
use moonshift_frontend::ir::{FuncId, Program};
use walrus::ir::{self as wi, BinaryOp, LoadKind, MemArg, StoreKind, Value};
use walrus::{
    ConstExpr, DataKind, ElementItems, ElementKind, ExportItem, FunctionBuilder, FunctionId,
    Module, ValType,
};

use crate::codegen::{FnGen, ModuleCtx, Protected, Runtime};

const IMAGE_HEADER: u32 = 32;
/// Fields of the image header (see runtime-gc's `image` module).
const H_CONSTS: usize = 0;
const H_NCONSTS: usize = 4;
const H_SITES: usize = 8;
const H_NSITES: usize = 12;
const H_CHUNKS: usize = 16;
const H_HEAP_START: usize = 20;

/// Replaces each placeholder of `placeholders[i]` in the generated functions
/// by `fids[i]`, and deletes the placeholders.
fn retarget_direct_calls(module: &mut Module, fids: &[FunctionId], placeholders: &[FunctionId]) {
    struct Retarget<'a>(&'a HashMap<FunctionId, FunctionId>);
    impl wi::VisitorMut for Retarget<'_> {
        fn visit_function_id_mut(&mut self, f: &mut FunctionId) {
            if let Some(&real) = self.0.get(f) {
                *f = real;
            }
        }
    }
    let map: HashMap<FunctionId, FunctionId> = placeholders
        .iter()
        .copied()
        .zip(fids.iter().copied())
        .collect();
    for &fid in fids {
        if let walrus::FunctionKind::Local(local) = &mut module.funcs.get_mut(fid).kind {
            let entry = local.entry_block();
            wi::dfs_pre_order_mut(&mut Retarget(&map), local, entry);
        }
    }
    for &p in placeholders {
        module.funcs.delete(p);
    }
}

/// Exports the host uses besides the entry points.
const EMBEDDING_PREFIX: &str = "ms_";

/// Compiles a program to a validated wasm module.
pub fn compile(program: &Program) -> Result<Vec<u8>> {
    compile_entries(program).map(|(bytes, _)| bytes)
}

/// [`compile`], also returning the entry of each main chunk (chunks without a module name,
/// in order): the index `run_entry(thread, index)` takes to run that chunk.
pub fn compile_entries(program: &Program) -> Result<(Vec<u8>, Vec<u32>)> {
    let mut module = Module::from_buffer(crate::RUNTIME_WASM).context("parsing runtime-gc.wasm")?;
    let memory = module
        .memories
        .iter()
        .next()
        .ok_or_else(|| anyhow!("runtime has no memory"))?
        .id();
    let table = module
        .tables
        .main_function_table()?
        .ok_or_else(|| anyhow!("runtime has no function table"))?;
    let lua_type = module
        .types
        .add(&[ValType::I32, ValType::I32, ValType::I32], &[ValType::I32]);

    let exports: HashMap<String, FunctionId> = module
        .exports
        .iter()
        .filter_map(|e| match e.item {
            ExportItem::Function(f) => Some((e.name.clone(), f)),
            _ => None,
        })
        .collect();
    let f = |name: &str| {
        exports
            .get(name)
            .copied()
            .ok_or_else(|| anyhow!("runtime-gc does not export {name}"))
    };
    let rt = Runtime {
        index: f("lrt_index")?,
        newindex: f("lrt_newindex")?,
        arith: f("lrt_arith")?,
        compare: f("lrt_compare")?,
        equal: f("lrt_equal")?,
        len: f("lrt_len")?,
        concat: f("lrt_concat")?,
        call_prep: f("lrt_call_prep")?,
        forprep: f("lrt_forprep")?,
        stack_overflow: f("lrt_stack_overflow")?,
        gc_safepoint: f("lrt_gc_safepoint")?,
        closure_new: f("lrt_closure_new")?,
        cell_new: f("lrt_cell_new")?,
        table_new: f("lrt_table_new")?,
        table_setlist: f("lrt_table_setlist")?,
        table_rawset: f("lrt_table_rawset")?,
        check_protected: f("lrt_check_protected")?,
        error_in_error_handling: f("lrt_error_in_error_handling")?,
        tostring: f("lrt_tostring")?,
        print_arg: f("lrt_print_arg")?,
        print_result: f("lrt_print_result")?,
        print_end: f("lrt_print_end")?,
        require_prep: f("lrt_require_prep")?,
        require_done: f("lrt_require_done")?,
        gsub_step: f("lrt_gsub_step")?,
        sort_step: f("lrt_sort_step")?,
        format_step: f("lrt_format_step")?,
        format_plan: f("lrt_format_plan")?,
    };
    let lrt_preload = f("lrt_preload")?;
    let lrt_register_builtin = f("lrt_register_builtin")?;
    let lrt_init = f("lrt_init")?;
    let lrt_const_str = f("lrt_const_str")?;
    let lrt_closure_new = rt.closure_new;
    let globals = f("ms_globals")?;

    let table_base = module.tables.get(table).initial as u32;
    let image_addr = (module.memories.get(memory).initial as u32) << 16;
    let consts_addr = image_addr + IMAGE_HEADER;

    let mut ctx = ModuleCtx::new(
        memory,
        table,
        lua_type,
        rt,
        table_base,
        consts_addr,
        program,
    );
    ctx.metacall = Some(crate::codegen::generate_metacall(&mut module, &ctx));
    // Direct calls name a placeholder per Lua function until all exist.
    ctx.direct_targets = (0..program.functions.len())
        .map(|_| {
            let lua = [ValType::I32, ValType::I32, ValType::I32];
            let mut b = FunctionBuilder::new(&mut module.types, &lua, &[ValType::I32]);
            b.func_body().unreachable();
            let args = (0..3).map(|_| module.locals.add(ValType::I32)).collect();
            b.finish(args, &mut module.funcs)
        })
        .collect();
    let mut fids = Vec::with_capacity(program.functions.len() + 2);
    for i in 0..program.functions.len() {
        fids.push(FnGen::generate(
            &mut module,
            &mut ctx,
            program,
            FuncId(i as u32),
        ));
    }
    retarget_direct_calls(&mut module, &fids, &ctx.direct_targets);
    // Module chunks are preloaded, so `require` finds them (package.preload).
    let preloads: Vec<(u32, u32)> = program
        .chunks
        .iter()
        .filter_map(|c| {
            Some((
                ctx.string_const(c.module.as_ref()?.as_bytes()),
                table_base + c.main.0,
            ))
        })
        .collect();
    // Builtins generated as code follow the Lua functions in the table.
    let mut generated_builtins = Vec::new();
    for which in Protected::ALL {
        let index = table_base + fids.len() as u32;
        debug_assert_eq!(
            index,
            crate::codegen::builtin_index(table_base, program, which)
        );
        fids.push(FnGen::generate_protected(
            &mut module,
            &mut ctx,
            program,
            which,
        ));
        generated_builtins.push((ctx.string_const(which.name().as_bytes()), index));
    }

    // Function table: generated functions at table_base + FuncId.
    {
        let t = module.tables.get_mut(table);
        t.initial += fids.len() as u64;
        if t.maximum.is_some() {
            t.maximum = Some(t.initial);
        }
    }
    let elem = module.elements.add(
        ElementKind::Active {
            table,
            offset: ConstExpr::Value(Value::I32(table_base as i32)),
        },
        ElementItems::Functions(fids),
    );
    module.tables.get_mut(table).elem_segments.insert(elem);

    // The image.
    let nconsts = ctx.consts.len() as u32;
    let sites_addr = consts_addr + 8 * nconsts;
    let nsites = ctx.sites.len() as u32;
    let chunks_addr = sites_addr + 16 * nsites;
    let strings_addr = chunks_addr + 4 * ctx.chunk_names.len() as u32;
    let mut image = vec![0u8; (strings_addr - image_addr) as usize];
    let mut string_offsets = Vec::with_capacity(ctx.consts.len());
    for s in &ctx.consts {
        string_offsets.push(image_addr + image.len() as u32);
        image.extend_from_slice(s);
    }
    let heap_start = (image_addr + image.len() as u32 + 15) & !15;
    let put = |image: &mut Vec<u8>, at: usize, v: u32| {
        image[at..at + 4].copy_from_slice(&v.to_le_bytes())
    };
    put(&mut image, H_CONSTS, consts_addr);
    put(&mut image, H_NCONSTS, nconsts);
    put(&mut image, H_SITES, sites_addr);
    put(&mut image, H_NSITES, nsites);
    put(&mut image, H_CHUNKS, chunks_addr);
    put(&mut image, H_HEAP_START, heap_start);
    for (i, rec) in ctx.sites.iter().enumerate() {
        let at = (sites_addr - image_addr) as usize + 16 * i;
        image[at..at + 16].copy_from_slice(rec);
    }
    // Chunk 0's name is constant 0.
    for (i, &name) in ctx.chunk_names.iter().enumerate() {
        put(
            &mut image,
            (chunks_addr - image_addr) as usize + 4 * i,
            name,
        );
    }
    let data = module.data.add(
        DataKind::Active {
            memory,
            offset: ConstExpr::Value(Value::I32(image_addr as i32)),
        },
        image,
    );
    module.memories.get_mut(memory).data_segments.insert(data);
    {
        let m = module.memories.get_mut(memory);
        let pages = (heap_start as u64).div_ceil(65536) + 1;
        m.initial = m.initial.max(pages);
        if let Some(max) = m.maximum {
            m.maximum = Some(max.max(m.initial));
        }
    }

    // Entry points.
    let thread_global =
        module
            .globals
            .add_local(ValType::I32, true, false, ConstExpr::Value(Value::I32(0)));
    let init = {
        let mut b = FunctionBuilder::new(&mut module.types, &[], &[ValType::I32]);
        b.name("moonshift:init".into());
        let mut body = b.func_body();
        body.i32_const(image_addr as i32)
            .call(lrt_init)
            .global_set(thread_global);
        body.global_get(thread_global)
            .unop(walrus::ir::UnaryOp::I32Eqz)
            .if_else(
                None,
                |then| {
                    then.i32_const(0).return_();
                },
                |_| {},
            );
        // Any failure (no memory) makes `init` return 0.
        let give_up_if_negative = |body: &mut walrus::InstrSeqBuilder<'_>| {
            body.i32_const(0).binop(BinaryOp::I32LtS).if_else(
                None,
                |then| {
                    then.i32_const(0).return_();
                },
                |_| {},
            );
        };
        for (i, s) in ctx.consts.iter().enumerate() {
            body.i32_const(i as i32)
                .i32_const(string_offsets[i] as i32)
                .i32_const(s.len() as i32)
                .call(lrt_const_str);
            give_up_if_negative(&mut body);
        }
        let registrations = generated_builtins
            .iter()
            .map(|&(k, i)| (k, i, lrt_register_builtin))
            .chain(preloads.iter().map(|&(k, i)| (k, i, lrt_preload)));
        for (key, index, register) in registrations {
            body.i32_const(key as i32)
                .i32_const(index as i32)
                .call(register);
            give_up_if_negative(&mut body);
        }
        body.global_get(thread_global);
        b.finish(vec![], &mut module.funcs)
    };
    // run_entry(thread, table index of a main chunk's function): runs that chunk.
    let run_entry = {
        let mut b = FunctionBuilder::new(
            &mut module.types,
            &[ValType::I32, ValType::I32],
            &[ValType::I32],
        );
        b.name("moonshift:run_entry".into());
        let t = module.locals.add(ValType::I32);
        let index = module.locals.add(ValType::I32);
        let slot = module.locals.add(ValType::I32);
        let status = module.locals.add(ValType::I32);
        let mem64 = MemArg {
            align: 8,
            offset: 0,
        };
        let mem32 = |offset: u32| MemArg {
            align: 4,
            offset: offset as u64,
        };
        let mut body = b.func_body();
        // The main closure lives in the first stack slot; its frame starts after it.
        body.local_get(t)
            .load(
                memory,
                LoadKind::I32 { atomic: false },
                mem32(th::STACK_BASE),
            )
            .local_set(slot);
        body.local_get(t).i32_const(0).store(
            memory,
            StoreKind::I32 { atomic: false },
            mem32(th::DEPTH),
        );
        // frames[0] = the main function's base
        body.local_get(t)
            .local_get(slot)
            .i32_const(8)
            .binop(BinaryOp::I32Add)
            .store(memory, StoreKind::I32 { atomic: false }, mem32(th::FRAMES));
        body.local_get(t)
            .local_get(index)
            .i32_const(0)
            .call(globals)
            .unop(walrus::ir::UnaryOp::I32WrapI64)
            .local_get(slot)
            .call(lrt_closure_new)
            .local_tee(status)
            .i32_const(0)
            .binop(BinaryOp::I32LtS)
            .if_else(
                None,
                |then| {
                    then.local_get(status).return_();
                },
                |_| {},
            );
        body.local_get(t)
            .local_get(slot)
            .i32_const(8)
            .binop(BinaryOp::I32Add)
            .i32_const(0)
            .local_get(slot)
            .load(memory, LoadKind::I64 { atomic: false }, mem64)
            .unop(walrus::ir::UnaryOp::I32WrapI64)
            .load(
                memory,
                LoadKind::I32 { atomic: false },
                mem32(moonshift_abi::layout::closure::FUNC_INDEX),
            )
            .instr(wi::CallIndirect {
                ty: lua_type,
                table,
            });
        b.finish(vec![t, index], &mut module.funcs)
    };
    let run_main = {
        let mut b = FunctionBuilder::new(&mut module.types, &[ValType::I32], &[ValType::I32]);
        b.name("moonshift:run_main".into());
        let t = module.locals.add(ValType::I32);
        b.func_body()
            .local_get(t)
            .i32_const((table_base + FuncId(0).0) as i32)
            .call(run_entry);
        b.finish(vec![t], &mut module.funcs)
    };
    let entries: Vec<u32> = program
        .chunks
        .iter()
        .filter(|c| c.module.is_none())
        .map(|c| table_base + c.main.0)
        .collect();
    let _ = (call::STATUS_ERROR, val::NIL);

    // Exports: only the entry points, the embedding API and the memory.
    let to_delete: Vec<_> = module
        .exports
        .iter()
        .filter(|e| match e.item {
            ExportItem::Function(_) => !e.name.starts_with(EMBEDDING_PREFIX),
            ExportItem::Memory(_) => false,
            _ => true,
        })
        .map(|e| e.id())
        .collect();
    for id in to_delete {
        module.exports.delete(id);
    }
    module.exports.add("init", init);
    module.exports.add("run_main", run_main);
    module.exports.add("run_entry", run_entry);
    walrus::passes::gc::run(&mut module);
    let bytes = module.emit_wasm();
    validate(&bytes)?;
    Ok((bytes, entries))
}

/// Validates a module with the features moonshift relies on.
pub fn validate(bytes: &[u8]) -> Result<()> {
    let mut v = wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::default());
    v.validate_all(bytes)
        .context("the linked module does not validate")?;
    Ok(())
}

/// The text form of a module.
pub fn to_wat(bytes: &[u8]) -> Result<String> {
    wasmprinter::print_bytes(bytes).context("printing the module as WAT")
}
