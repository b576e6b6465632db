//! Scoped IR → one wasm function per Lua function.
//!
//! Every Lua function becomes a wasm function of the one Lua type
//! `(thread, base, nargs) -> i32` (design-notes §7). Its frame is a run of
//! 8-byte value slots in the thread's Lua stack starting at `base`; locals get
//! slots in declaration order (stack discipline per block, as Lua's register
//! allocator does), temporaries live above them. Every value that must
//! survive a call or a runtime slow path is in a slot; wasm locals only hold
//! values between two such points.
//!
//! Operators emit an inline fast path for numbers and call an `lrt_*` slow
//! path otherwise. A slow path returns a status: negative statuses unwind by
//! returning them; [`abi::call::REQUEST_CALL`] asks this code to call a
//! metamethod that the runtime placed in the scratch slots at the top of the
//! frame (the runtime never calls Lua).

use std::collections::HashMap;

use moonshift_abi::{call, layout, op, site as st, thread as th, value as val};
use moonshift_frontend::ir::*;
use walrus::ir::{self as wi, BinaryOp, Instr, InstrSeqId, LoadKind, MemArg, StoreKind, UnaryOp};
use walrus::{
    FunctionBuilder, FunctionId, InstrSeqBuilder, LocalId as WLocal, MemoryId, TableId, TypeId,
    ValType,
};

/// Runtime functions generated code calls, resolved from runtime-gc's exports.
pub struct Runtime {
    pub index: FunctionId,
    pub newindex: FunctionId,
    pub arith: FunctionId,
    pub compare: FunctionId,
    pub equal: FunctionId,
    pub len: FunctionId,
    pub concat: FunctionId,
    pub call_prep: FunctionId,
    pub forprep: FunctionId,
    pub stack_overflow: FunctionId,
    pub gc_safepoint: FunctionId,
    pub closure_new: FunctionId,
    pub cell_new: FunctionId,
    pub table_new: FunctionId,
    pub table_setlist: FunctionId,
    pub table_rawset: FunctionId,
    pub check_protected: FunctionId,
    pub error_in_error_handling: FunctionId,
    pub tostring: FunctionId,
    pub print_arg: FunctionId,
    pub print_result: FunctionId,
    pub print_end: FunctionId,
    pub require_prep: FunctionId,
    pub require_done: FunctionId,
    pub gsub_step: FunctionId,
    pub sort_step: FunctionId,
    pub format_step: FunctionId,
    pub format_plan: FunctionId,
}

/// Module-wide state shared by all functions being generated.
pub struct ModuleCtx {
    pub memory: MemoryId,
    pub table: TableId,
    pub lua_type: TypeId,
    pub rt: Runtime,
    /// Function-table index of `FuncId(i)` is `table_base + i`.
    pub table_base: u32,
    /// Address of the constant array (known before code generation).
    pub consts_addr: u32,
    /// String constants, in index order.
    pub consts: Vec<Vec<u8>>,
    const_index: HashMap<Vec<u8>, u32>,
    /// Site records (16 bytes each).
    pub sites: Vec<[u8; 16]>,
    /// Whether upvalue `u` of function `f` is a cell, per function.
    pub upval_cells: Vec<Vec<bool>>,
    /// The function upvalue `u` of function `f` always holds a closure of.
    upval_functions: Vec<Vec<Option<FuncId>>>,
    /// Per Lua function, the wasm function direct calls target. Before
    /// linking these are placeholders (`link` replaces them with the
    /// generated functions once all exist).
    pub direct_targets: Vec<FunctionId>,
    /// The shared out-of-line call of a metamethod request
    /// ([`generate_metacall`]); set before any Lua function is generated.
    pub metacall: Option<FunctionId>,
    /// The constant holding each chunk's name, by chunk index.
    pub chunk_names: Vec<u32>,
    /// The chunk of the function being generated (sites record it).
    cur_chunk: u16,
}

impl ModuleCtx {
    pub fn new(
        memory: MemoryId,
        table: TableId,
        lua_type: TypeId,
        rt: Runtime,
        table_base: u32,
        consts_addr: u32,
        program: &Program,
    ) -> Self {
        let mut ctx = ModuleCtx {
            memory,
            table,
            lua_type,
            rt,
            table_base,
            consts_addr,
            consts: Vec::new(),
            const_index: HashMap::new(),
            sites: Vec::new(),
            upval_cells: upvalue_cells(program),
            upval_functions: upvalue_functions(program),
            direct_targets: Vec::new(),
            metacall: None,
            chunk_names: Vec::new(),
            cur_chunk: 0,
        };
        // Constant 0 is the chunk name (the chunk table points at it).
        ctx.chunk_names = program
            .chunks
            .iter()
            .map(|c| ctx.string_const(c.chunk_name.as_bytes()))
            .collect();
        ctx
    }

    pub fn string_const(&mut self, s: &[u8]) -> u32 {
        if let Some(&i) = self.const_index.get(s) {
            return i;
        }
        let i = self.consts.len() as u32;
        self.consts.push(s.to_vec());
        self.const_index.insert(s.to_vec(), i);
        i
    }

    fn site(&mut self, line: u32, a: Name, b: Name) -> u32 {
        let mut rec = [0u8; 16];
        let (wa, na) = self.name_parts(a);
        let (wb, nb) = self.name_parts(b);
        rec[st::LINE as usize..][..4].copy_from_slice(&line.to_le_bytes());
        rec[st::CHUNK as usize..][..2].copy_from_slice(&self.cur_chunk.to_le_bytes());
        rec[st::WHAT_A as usize] = wa;
        rec[st::WHAT_B as usize] = wb;
        rec[st::NAME_A as usize..][..4].copy_from_slice(&na.to_le_bytes());
        rec[st::NAME_B as usize..][..4].copy_from_slice(&nb.to_le_bytes());
        self.sites.push(rec);
        self.sites.len() as u32 - 1
    }

    fn name_parts(&mut self, n: Name) -> (u8, u32) {
        match n {
            Name::None => (st::WHAT_NONE, st::NO_NAME),
            Name::Some(what, s) => (what, self.string_const(s.as_bytes())),
        }
    }
}

/// For every function, which of its upvalues are cells.
fn upvalue_cells(p: &Program) -> Vec<Vec<bool>> {
    per_upvalue(p, |l| l.needs_cell())
}

/// For each function's upvalues: the function every value of the captured
/// variable is a closure of, if known (see [`LocalInfo::known_function`]).
fn upvalue_functions(p: &Program) -> Vec<Vec<Option<FuncId>>> {
    per_upvalue(p, |l| l.known_function())
}

/// A property of each upvalue, read from the local it captures in the
/// function that declares it (following capture chains outward).
fn per_upvalue<T: Clone + Default>(p: &Program, of_local: impl Fn(&LocalInfo) -> T) -> Vec<Vec<T>> {
    let mut parent = vec![None; p.functions.len()];
    for (i, f) in p.functions.iter().enumerate() {
        visit_children(&f.body, &mut |child| parent[child.index()] = Some(i));
    }
    let mut memo: Vec<Option<Vec<T>>> = vec![None; p.functions.len()];
    fn walk<T: Clone + Default>(
        p: &Program,
        parent: &[Option<usize>],
        memo: &mut Vec<Option<Vec<T>>>,
        of_local: &dyn Fn(&LocalInfo) -> T,
        f: usize,
    ) -> Vec<T> {
        if let Some(c) = &memo[f] {
            return c.clone();
        }
        let func = &p.functions[f];
        let out: Vec<T> = match parent[f] {
            None => vec![T::default(); func.upvalues.len()],
            Some(par) => {
                let pc = walk(p, parent, memo, of_local, par);
                func.upvalues
                    .iter()
                    .map(|u| match u.source {
                        Capture::Local(l) => of_local(p.functions[par].local(l)),
                        Capture::Upvalue(v) => pc[v.index()].clone(),
                    })
                    .collect()
            }
        };
        memo[f] = Some(out.clone());
        out
    }
    (0..p.functions.len())
        .map(|f| walk(p, &parent, &mut memo, &of_local, f))
        .collect()
}

/// Deepest nesting of numeric `for` loops in a function body (not counting
/// nested functions): each level needs its own f64 locals.
fn numeric_for_depth(b: &Block) -> usize {
    b.iter()
        .map(|s| match &s.kind {
            StmtKind::NumericFor { body, .. } => 1 + numeric_for_depth(body),
            StmtKind::Do(b)
            | StmtKind::While { body: b, .. }
            | StmtKind::Repeat { body: b, .. }
            | StmtKind::GenericFor { body: b, .. } => numeric_for_depth(b),
            StmtKind::If { arms, otherwise } => arms
                .iter()
                .map(|(_, b)| numeric_for_depth(b))
                .chain(otherwise.iter().map(numeric_for_depth))
                .max()
                .unwrap_or(0),
            _ => 0,
        })
        .max()
        .unwrap_or(0)
}

fn visit_children(b: &Block, f: &mut impl FnMut(FuncId)) {
    for s in b {
        match &s.kind {
            StmtKind::Local { values, .. } => values.iter().for_each(|e| visit_expr(e, f)),
            StmtKind::LocalFunction { func, .. } => f(*func),
            StmtKind::Assign { targets, values } => {
                for t in targets {
                    if let Target::Index { obj, key, .. } = t {
                        visit_expr(obj, f);
                        visit_expr(key, f);
                    }
                }
                values.iter().for_each(|e| visit_expr(e, f));
            }
            StmtKind::Call(e) => visit_expr(e, f),
            StmtKind::Do(b) => visit_children(b, f),
            StmtKind::While { cond, body } | StmtKind::Repeat { body, cond } => {
                visit_expr(cond, f);
                visit_children(body, f);
            }
            StmtKind::If { arms, otherwise } => {
                for (c, b) in arms {
                    visit_expr(c, f);
                    visit_children(b, f);
                }
                if let Some(b) = otherwise {
                    visit_children(b, f);
                }
            }
            StmtKind::NumericFor {
                start,
                limit,
                step,
                body,
                ..
            } => {
                visit_expr(start, f);
                visit_expr(limit, f);
                if let Some(s) = step {
                    visit_expr(s, f);
                }
                visit_children(body, f);
            }
            StmtKind::GenericFor { exprs, body, .. } => {
                exprs.iter().for_each(|e| visit_expr(e, f));
                visit_children(body, f);
            }
            StmtKind::Return(es) => es.iter().for_each(|e| visit_expr(e, f)),
            StmtKind::Break | StmtKind::Goto(_) | StmtKind::Label(_) => {}
        }
    }
}

fn visit_expr(e: &Expr, f: &mut impl FnMut(FuncId)) {
    match &e.kind {
        ExprKind::Function(id) => f(*id),
        ExprKind::Index { obj, key } => {
            visit_expr(obj, f);
            visit_expr(key, f);
        }
        ExprKind::Call { callee, args } => {
            visit_expr(callee, f);
            args.iter().for_each(|a| visit_expr(a, f));
        }
        ExprKind::MethodCall { obj, args, .. } => {
            visit_expr(obj, f);
            args.iter().for_each(|a| visit_expr(a, f));
        }
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::And(lhs, rhs) | ExprKind::Or(lhs, rhs) => {
            visit_expr(lhs, f);
            visit_expr(rhs, f);
        }
        ExprKind::Unary { operand, .. } | ExprKind::Paren(operand) => visit_expr(operand, f),
        ExprKind::Table(items) => {
            for i in items {
                match i {
                    TableItem::Positional(e) => visit_expr(e, f),
                    TableItem::Keyed(k, v) => {
                        visit_expr(k, f);
                        visit_expr(v, f);
                    }
                }
            }
        }
        _ => {}
    }
}

/// How LuaJIT names an operand in an error message.
#[derive(Clone)]
enum Name {
    None,
    Some(u8, String),
}

/// Where an operand's value can be loaded from without running code.
/// Generates `metacall(t, callee, nargs, site) -> n | status`: the call of a
/// metamethod request with its callee at address `callee` and `nargs`
/// arguments after it, at call site `site` — what `call_at` does inline for
/// an ordinary call (the `__call` fallback, the depth limit, the call-site
/// and frame stacks), shared by every slow path of the module.
pub fn generate_metacall(module: &mut walrus::Module, ctx: &ModuleCtx) -> FunctionId {
    let params = [ValType::I32, ValType::I32, ValType::I32, ValType::I32];
    let mut b = FunctionBuilder::new(&mut module.types, &params, &[ValType::I32]);
    b.name("metacall".into());
    let l = &mut module.locals;
    let (t, callee, nargs, site) = (
        l.add(ValType::I32),
        l.add(ValType::I32),
        l.add(ValType::I32),
        l.add(ValType::I32),
    );
    let (d, entry) = (l.add(ValType::I32), l.add(ValType::I32));
    let memory = ctx.memory;
    let m32 = |offset: u32| MemArg {
        align: 4,
        offset: offset as u64,
    };
    let mut body = b.func_body();
    // Not a function: `__call` or an error (lrt_call_prep).
    body.local_get(callee)
        .load(
            memory,
            LoadKind::I64 { atomic: false },
            MemArg {
                align: 8,
                offset: 0,
            },
        )
        .i64_const(32)
        .binop(BinaryOp::I64ShrU)
        .i64_const(val::TAG_FUNCTION as i64)
        .binop(BinaryOp::I64Ne)
        .if_else(
            None,
            |then| {
                then.local_get(t)
                    .local_get(callee)
                    .local_get(nargs)
                    .i32_const(-1)
                    .call(ctx.rt.call_prep)
                    .local_tee(nargs)
                    .i32_const(0)
                    .binop(BinaryOp::I32LtS)
                    .if_else(
                        None,
                        |e| {
                            e.local_get(nargs).return_();
                        },
                        |_| {},
                    );
            },
            |_| {},
        );
    // depth + 1, with the limit
    body.local_get(t)
        .load(memory, LoadKind::I32 { atomic: false }, m32(th::DEPTH))
        .i32_const(1)
        .binop(BinaryOp::I32Add)
        .local_tee(d)
        .i32_const(call::MAX_DEPTH as i32)
        .binop(BinaryOp::I32GtU)
        .if_else(
            None,
            |then| {
                then.local_get(t)
                    .local_get(site)
                    .call(ctx.rt.stack_overflow)
                    .return_();
            },
            |_| {},
        );
    body.local_get(t)
        .local_get(d)
        .store(memory, StoreKind::I32 { atomic: false }, m32(th::DEPTH));
    // sites[d] = site; frames[d] = the callee's base
    body.local_get(t)
        .local_get(d)
        .i32_const(2)
        .binop(BinaryOp::I32Shl)
        .binop(BinaryOp::I32Add)
        .local_tee(entry)
        .local_get(site)
        .store(memory, StoreKind::I32 { atomic: false }, m32(th::SITES));
    body.local_get(entry)
        .local_get(callee)
        .i32_const(8)
        .binop(BinaryOp::I32Add)
        .store(memory, StoreKind::I32 { atomic: false }, m32(th::FRAMES));
    body.local_get(t)
        .local_get(callee)
        .i32_const(8)
        .binop(BinaryOp::I32Add)
        .local_get(nargs)
        .local_get(callee)
        .load(memory, LoadKind::I32 { atomic: false }, m32(0))
        .load(
            memory,
            LoadKind::I32 { atomic: false },
            m32(layout::closure::FUNC_INDEX),
        )
        .call_indirect(ctx.lua_type, ctx.table)
        .local_set(nargs);
    // depth - 1
    body.local_get(t)
        .local_get(d)
        .i32_const(1)
        .binop(BinaryOp::I32Sub)
        .store(memory, StoreKind::I32 { atomic: false }, m32(th::DEPTH));
    body.local_get(nargs);
    b.finish(vec![t, callee, nargs, site], &mut module.funcs)
}

/// How many values [`FnGen::copy_down`] moves.
#[derive(Clone, Copy)]
enum Count {
    Fixed(u32),
    /// The count in `n`, plus this many.
    N(u32),
}

/// Where [`FnGen::table_store_at`] puts a constructor item.
#[derive(Clone, Copy)]
enum Place {
    /// Array index (from 1).
    Array(u32),
    /// Hash node index.
    Node(u32),
}

/// A fresh table's hash nodes with constant keys in place
/// ([`FnGen::constant_key_layout`]).
struct KeyLayout {
    /// Each node's key (a string constant) and `next` (-1: end of chain).
    nodes: Vec<(Option<u32>, i32)>,
    /// The node of each key.
    node_of: HashMap<u32, u32>,
    /// The free-node cursor, as a node index.
    lastfree: u32,
}

#[derive(Clone, Copy)]
enum Operand {
    Slot(u32),
    /// A number in an f64 wasm local (a numeric `for` variable that is
    /// never assigned: its slot holds the same value).
    Num(WLocal),
    /// A constant value (nil, booleans, numbers).
    Bits(u64),
    /// String constant `i` of the constant array.
    Str(u32),
    /// A temporary in both its slot and an i64 wasm local (see
    /// [`FnGen::mirror`]): read from the local, seen by the collector in the slot.
    Val(WLocal),
}

impl Operand {
    fn known_number(self) -> bool {
        match self {
            Operand::Bits(b) => val::is_number(b),
            Operand::Num(_) => true,
            _ => false,
        }
    }
}

/// The function-table index of the builtin `which`: the builtins generated as code
/// follow the program's functions in the table, in [`Protected::ALL`]'s order.
pub fn builtin_index(table_base: u32, program: &Program, which: Protected) -> u32 {
    let k = Protected::ALL
        .iter()
        .position(|p| *p == which)
        .expect("a builtin");
    table_base + program.functions.len() as u32 + k as u32
}

/// The builtins generated as code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protected {
    Pcall,
    Xpcall,
    Tostring,
    Print,
    Require,
    Gsub,
    Format,
    Sort,
}

impl Protected {
    pub const ALL: [Protected; 8] = [
        Protected::Pcall,
        Protected::Xpcall,
        Protected::Tostring,
        Protected::Print,
        Protected::Require,
        Protected::Gsub,
        Protected::Format,
        Protected::Sort,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Protected::Pcall => "pcall",
            Protected::Xpcall => "xpcall",
            Protected::Tostring => "tostring",
            Protected::Print => "print",
            Protected::Require => "require",
            Protected::Gsub => "string.gsub",
            Protected::Format => "string.format",
            Protected::Sort => "table.sort",
        }
    }
}

/// How many values an expression list must produce.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Fixed(u32),
    /// All values; the count is left in the `n` wasm local.
    All,
}

const NIL: i64 = val::NIL as i64;
/// Temporary slots below this have a mirror local ([`FnGen::mirrors`]).
const MIRRORS: usize = 48;
/// `lrt_concat` returns this plus the remaining operand count for a `__concat` request.
const CONCAT_REQUEST: i32 = 2;

/// Generates one Lua function.
pub struct FnGen<'a> {
    ctx: &'a mut ModuleCtx,
    program: &'a Program,
    fid: FuncId,
    func: &'a Function,
    b: FunctionBuilder,
    cur: InstrSeqId,
    // wasm locals
    t: WLocal,
    base: WLocal,
    nargs: WLocal,
    /// Where slot 0 is: `base`, or above the arguments in a vararg function.
    frame: WLocal,
    /// Vararg functions: how many extra arguments, and where they start.
    nva: WLocal,
    vabase: WLocal,
    x: WLocal,
    y: WLocal,
    fx: WLocal,
    rq: WLocal,
    /// Loop counter of generated builtins; concatenation's operand count.
    i: WLocal,
    /// Scratch of the inline table paths: table address, slot address, value.
    p: WLocal,
    q: WLocal,
    i2: WLocal,
    i3: WLocal,
    y2: WLocal,
    n: WLocal,
    st: WLocal,
    d: WLocal,
    // frame
    local_slot: Vec<Option<u32>>,
    free_slot: u32,
    max_slot: u32,
    loop_exits: Vec<InstrSeqId>,
    /// Inside a protected call (`pcall`): where unwinding statuses go.
    catch: Option<InstrSeqId>,
    /// Labels of the blocks being generated and their segment numbers, with
    /// the dispatch loop of each (same index).
    label_targets: Vec<(LabelId, u32)>,
    dispatch_of: Vec<InstrSeqId>,
    /// The segment a `goto` selects.
    gt: WLocal,
    /// One past the frame's last slot, for safepoints.
    top: WLocal,
    /// Destination and source cursors of [`copy_down`](Self::copy_down).
    cd: WLocal,
    cs: WLocal,
    ce: WLocal,
    /// Index, limit and step of each nesting level of numeric `for` loops:
    /// they are numbers once the loop starts, so they live in f64 locals and
    /// never need a slot (the collector has nothing to find in them).
    for_locals: Vec<[WLocal; 3]>,
    for_level: usize,
    /// The index locals of the enclosing numeric `for` loops whose start and
    /// step are integer constants: their value is always an integer.
    integral: Vec<WLocal>,
    /// Per local: the f64 wasm local that holds it while it is a numeric
    /// `for` variable never assigned in the body.
    num_locals: Vec<Option<WLocal>>,
    /// Per temporary slot below [`MIRRORS`]: an i64 local that holds the
    /// slot's value while an [`Operand::Val`] refers to it. An operator's
    /// fast path leaves its result there as well as in the slot, so the
    /// consumer reads a register instead of reloading what was just stored;
    /// the slot keeps the value visible to the collector. A local lives
    /// exactly as long as its slot's temporary does.
    mirrors: Vec<WLocal>,
    /// The body calls a function explicitly (not a metamethod): only such a
    /// function needs a safepoint at entry, since allocation without a loop
    /// is unbounded only through recursion.
    makes_calls: bool,
}

impl<'a> FnGen<'a> {
    /// Generates Lua function `fid` of the program.
    pub fn generate(
        module: &mut walrus::Module,
        ctx: &'a mut ModuleCtx,
        program: &'a Program,
        fid: FuncId,
    ) -> FunctionId {
        let func = program.function(fid);
        let (mut g, body) = FnGen::new(
            module,
            ctx,
            program,
            fid,
            func,
            format!("lua:{}", func.name),
        );
        g.params();
        g.block(&func.body);
        g.i32c(0);
        g.emit(wi::Return {});
        g.finish(module, body)
    }

    fn new(
        module: &mut walrus::Module,
        ctx: &'a mut ModuleCtx,
        program: &'a Program,
        fid: FuncId,
        func: &'a Function,
        name: String,
    ) -> (Self, InstrSeqId) {
        ctx.cur_chunk = func.chunk as u16;
        let lua = [ValType::I32, ValType::I32, ValType::I32];
        let mut b = FunctionBuilder::new(&mut module.types, &lua, &[ValType::I32]);
        b.name(name);
        let l = &mut module.locals;
        let mut i32_local = || l.add(ValType::I32);
        let (t, base, nargs, n, st, d, rq) = (
            i32_local(),
            i32_local(),
            i32_local(),
            i32_local(),
            i32_local(),
            i32_local(),
            i32_local(),
        );
        let (nva, vabase, i, gt) = (i32_local(), i32_local(), i32_local(), i32_local());
        let top = i32_local();
        let (cd, cs, ce) = (i32_local(), i32_local(), i32_local());
        let (p, q, i2, i3) = (i32_local(), i32_local(), i32_local(), i32_local());
        let frame = if func.is_vararg { i32_local() } else { base };
        let (x, y, fx) = (
            l.add(ValType::I64),
            l.add(ValType::I64),
            l.add(ValType::F64),
        );
        let y2 = l.add(ValType::I64);
        let mirrors = (0..MIRRORS).map(|_| l.add(ValType::I64)).collect();
        let for_locals = (0..numeric_for_depth(&func.body))
            .map(|_| {
                [
                    l.add(ValType::F64),
                    l.add(ValType::F64),
                    l.add(ValType::F64),
                ]
            })
            .collect();
        let body = b.dangling_instr_seq(None).id();
        let g = FnGen {
            ctx,
            program,
            fid,
            func,
            b,
            cur: body,
            t,
            base,
            nargs,
            frame,
            nva,
            vabase,
            x,
            y,
            fx,
            rq,
            i,
            p,
            q,
            i2,
            i3,
            y2,
            n,
            st,
            d,
            local_slot: vec![None; func.locals.len()],
            free_slot: 0,
            max_slot: 0,
            loop_exits: Vec::new(),
            catch: None,
            label_targets: Vec::new(),
            dispatch_of: Vec::new(),
            gt,
            top,
            cd,
            cs,
            ce,
            for_locals,
            for_level: 0,
            integral: Vec::new(),
            num_locals: vec![None; func.locals.len()],
            mirrors,
            makes_calls: false,
        };
        (g, body)
    }

    /// Puts the prologue (which needs the final frame size) before `body`.
    fn finish(mut self, module: &mut walrus::Module, body: InstrSeqId) -> FunctionId {
        let frame_bytes = (self.max_slot + call::REQUEST_SLOTS + 2) * 8;
        self.cur = self.b.func_body_id();
        self.prologue(frame_bytes);
        self.emit(wi::Block { seq: body });
        self.emit(wi::Unreachable {});
        let args = vec![self.t, self.base, self.nargs];
        self.b.finish(args, &mut module.funcs)
    }

    /// Generates a builtin that must call Lua (`pcall`, `xpcall`, and
    /// `tostring` and `print` for `__tostring`): the runtime never calls Lua,
    /// so these are generated code around runtime helpers.
    pub fn generate_protected(
        module: &mut walrus::Module,
        ctx: &'a mut ModuleCtx,
        program: &'a Program,
        which: Protected,
    ) -> FunctionId {
        let mut func = Function::new(which.name().into(), 0, 0);
        // print's frame starts above its arguments, like a vararg function's.
        // So are the driven builtins' (format takes any number of arguments).
        func.is_vararg = matches!(
            which,
            Protected::Print | Protected::Gsub | Protected::Format | Protected::Sort
        );
        let (mut g, body) = FnGen::new(
            module,
            ctx,
            program,
            Program::MAIN,
            &func,
            format!("moonshift:{}", which.name()),
        );
        g.max_slot = 3;
        match which {
            Protected::Pcall => g.pcall_body(),
            Protected::Xpcall => g.xpcall_body(),
            Protected::Tostring => g.tostring_body(),
            Protected::Print => g.print_body(),
            Protected::Require => g.require_body(),
            Protected::Gsub => g.driven_body(g.ctx.rt.gsub_step),
            Protected::Format => g.driven_body(g.ctx.rt.format_step),
            Protected::Sort => g.driven_body(g.ctx.rt.sort_step),
        }
        g.finish(module, body)
    }

    /// Emits `f` with unwinding statuses caught: a status that would return
    /// from the function branches to the end of the emitted block instead,
    /// with the status in `n`. `f` must not fall through on success.
    fn protected(&mut self, f: impl FnOnce(&mut Self)) {
        let saved = self.catch;
        self.block_of(|g, catch| {
            g.catch = Some(catch);
            f(g);
            g.catch = saved;
        });
        self.catch = saved;
    }

    fn pcall_body(&mut self) {
        // pcall(f, ...): f in slot 0, its arguments after it.
        self.get(self.t);
        self.get(self.base);
        self.get(self.nargs);
        self.i32c(0);
        self.call(self.ctx.rt.check_protected);
        self.status_check();
        self.get(self.nargs);
        self.i32c(1);
        self.bin(BinaryOp::I32Sub);
        self.set(self.n);
        self.protected(|g| {
            g.callee_check(0, u32::MAX);
            g.call_at(0, CallArgs::InN, u32::MAX);
            g.store_slot_const(0, val::TRUE as i64);
            g.get(g.n);
            g.i32c(1);
            g.bin(BinaryOp::I32Add);
            g.emit(wi::Return {});
        });
        self.caught_error(0);
    }

    /// After a caught status in `n`: an error becomes `false, err` at `slot`;
    /// anything else (ngx.exit) keeps unwinding.
    fn caught_error(&mut self, slot: u32) {
        self.get(self.n);
        self.i32c(call::STATUS_ERROR);
        self.bin(BinaryOp::I32Ne);
        self.if_then(|g| {
            g.get(g.n);
            g.emit(wi::Return {});
        });
        self.store_slot_const(slot, val::FALSE as i64);
        self.store_slot(slot + 1, |g| {
            g.get(g.t);
            g.load64(th::ERROR);
        });
        self.i32c(2);
        self.emit(wi::Return {});
    }

    fn xpcall_body(&mut self) {
        // xpcall(f, handler, ...): swap so that the handler is in slot 0 and
        // f in slot 1, followed by its arguments.
        self.get(self.t);
        self.get(self.base);
        self.get(self.nargs);
        self.i32c(1);
        self.call(self.ctx.rt.check_protected);
        self.status_check();
        self.load_slot(0);
        self.set(self.x);
        self.store_slot(0, |g| g.load_slot(1));
        self.store_slot(1, |g| g.get(g.x));
        self.get(self.nargs);
        self.i32c(2);
        self.bin(BinaryOp::I32Sub);
        self.set(self.n);
        self.protected(|g| {
            g.callee_check(1, u32::MAX);
            g.call_at(1, CallArgs::InN, u32::MAX);
            g.store_slot_const(0, val::TRUE as i64);
            g.move_results(2, 1);
            g.get(g.n);
            g.i32c(1);
            g.bin(BinaryOp::I32Add);
            g.emit(wi::Return {});
        });
        self.get(self.n);
        self.i32c(call::STATUS_ERROR);
        self.bin(BinaryOp::I32Ne);
        self.if_then(|g| {
            g.get(g.n);
            g.emit(wi::Return {});
        });
        // The handler sees the error value and its first result is returned.
        self.store_slot(1, |g| g.load_slot(0));
        self.store_slot(2, |g| {
            g.get(g.t);
            g.load64(th::ERROR);
        });
        self.protected(|g| {
            g.call_at(1, CallArgs::Fixed(1), u32::MAX);
            g.store_slot_const(0, val::FALSE as i64);
            g.adjust_one(2, 1);
            g.i32c(2);
            g.emit(wi::Return {});
        });
        self.get(self.n);
        self.i32c(call::STATUS_ERROR);
        self.bin(BinaryOp::I32Ne);
        self.if_then(|g| {
            g.get(g.n);
            g.emit(wi::Return {});
        });
        self.get(self.t);
        self.call(self.ctx.rt.error_in_error_handling);
        self.drop_();
        self.caught_error(0);
    }

    fn tostring_body(&mut self) {
        // tostring(x): slot 1 up is scratch (arguments after the first are ignored).
        self.get(self.t);
        self.get(self.base);
        self.get(self.nargs);
        self.slot_addr(1);
        self.call(self.ctx.rt.tostring);
        self.status_check();
        self.get(self.st);
        self.i32c(call::REQUEST_CALL);
        self.bin(BinaryOp::I32Eq);
        self.if_then(|g| {
            g.call_at(1, CallArgs::Fixed(1), u32::MAX);
            g.adjust_one(2, 0);
        });
        self.i32c(1);
        self.emit(wi::Return {});
    }

    fn print_body(&mut self) {
        // The arguments are the varargs (`vabase`, `nva`); slot 0 is scratch.
        self.i32c(0);
        self.set(self.i);
        self.block_of(|g, exit| {
            g.loop_of(|g, top| {
                g.get(g.i);
                g.get(g.nva);
                g.bin(BinaryOp::I32GeS);
                g.emit(wi::BrIf { block: exit });
                g.get(g.t);
                g.get(g.vabase);
                g.get(g.i);
                g.slot_addr(0);
                g.call(g.ctx.rt.print_arg);
                g.status_check();
                g.get(g.st);
                g.i32c(call::REQUEST_CALL);
                g.bin(BinaryOp::I32Eq);
                g.if_then(|g| {
                    g.call_at(0, CallArgs::Fixed(1), u32::MAX);
                    g.adjust_one(1, 1);
                    g.get(g.t);
                    g.load_slot(1);
                    g.call(g.ctx.rt.print_result);
                    g.status_check();
                });
                g.get(g.i);
                g.i32c(1);
                g.bin(BinaryOp::I32Add);
                g.set(g.i);
                g.emit(wi::Br { block: top });
            });
        });
        self.call(self.ctx.rt.print_end);
        self.i32c(0);
        self.emit(wi::Return {});
    }

    fn require_body(&mut self) {
        // require(name): slot 0 keeps the name, slot 1 up is scratch.
        self.get(self.t);
        self.get(self.base);
        self.get(self.nargs);
        self.slot_addr(1);
        self.call(self.ctx.rt.require_prep);
        self.status_check();
        self.get(self.st);
        self.i32c(call::REQUEST_CALL);
        self.bin(BinaryOp::I32Eq);
        self.if_then(|g| {
            // The loader runs as loader(name); its first result is the module.
            g.call_at(1, CallArgs::Fixed(1), u32::MAX);
            g.adjust_one(2, 2);
            g.get(g.t);
            g.get(g.base);
            g.load_slot(2);
            g.call(g.ctx.rt.require_done);
            g.status_check();
        });
        self.i32c(1);
        self.emit(wi::Return {});
    }

    /// A driven builtin (see `moonshift_abi::driven`): nil the state
    /// slots, then step until the step function finishes, making the calls
    /// it requests.
    fn driven_body(&mut self, step: FunctionId) {
        use moonshift_abi::driven;
        self.max_slot = driven::SCRATCH + driven::MAX_ARGS + 1;
        for s in driven::STATE..=driven::RESULT {
            self.store_slot_const(s, NIL);
        }
        self.loop_of(|g, top| {
            g.get(g.t);
            g.get(g.base);
            g.get(g.nargs);
            g.get(g.frame);
            g.call(step);
            g.status_check();
            g.get(g.st);
            g.i32c(driven::REQUEST);
            g.bin(BinaryOp::I32GeS);
            g.if_then(|g| {
                g.get(g.st);
                g.i32c(driven::REQUEST);
                g.bin(BinaryOp::I32Sub);
                g.set(g.n);
                g.call_to(driven::SCRATCH, CallArgs::InN, u32::MAX, None);
                g.adjust_one(driven::SCRATCH + 1, driven::RESULT);
                g.emit(wi::Br { block: top });
            });
        });
        self.get(self.st);
        self.emit(wi::Return {});
    }

    fn drop_(&mut self) {
        self.emit(wi::Drop {});
    }

    // ---- emission helpers --------------------------------------------------

    fn seq(&mut self) -> InstrSeqBuilder<'_> {
        self.b.instr_seq(self.cur)
    }
    fn emit(&mut self, i: impl Into<Instr>) {
        self.seq().instr(i);
    }
    fn i32c(&mut self, v: i32) {
        self.seq().i32_const(v);
    }
    fn i64c(&mut self, v: i64) {
        self.seq().i64_const(v);
    }
    fn get(&mut self, l: WLocal) {
        self.seq().local_get(l);
    }
    fn set(&mut self, l: WLocal) {
        self.seq().local_set(l);
    }
    fn tee(&mut self, l: WLocal) {
        self.seq().local_tee(l);
    }
    fn bin(&mut self, op: BinaryOp) {
        self.seq().binop(op);
    }
    fn un(&mut self, op: UnaryOp) {
        self.seq().unop(op);
    }
    fn call(&mut self, f: FunctionId) {
        self.seq().call(f);
    }
    fn load(&mut self, kind: LoadKind, offset: u32) {
        let memory = self.ctx.memory;
        let align = match kind {
            LoadKind::I64 { .. } => 8,
            LoadKind::I32 { .. } => 4,
            _ => 1,
        };
        self.emit(wi::Load {
            memory,
            kind,
            arg: MemArg {
                align,
                offset: offset as u64,
            },
        });
    }
    fn store(&mut self, kind: StoreKind, offset: u32) {
        let memory = self.ctx.memory;
        let align = match kind {
            StoreKind::I64 { .. } => 8,
            StoreKind::I32 { .. } => 4,
            _ => 1,
        };
        self.emit(wi::Store {
            memory,
            kind,
            arg: MemArg {
                align,
                offset: offset as u64,
            },
        });
    }
    fn load64(&mut self, offset: u32) {
        self.load(LoadKind::I64 { atomic: false }, offset);
    }
    fn load32(&mut self, offset: u32) {
        self.load(LoadKind::I32 { atomic: false }, offset);
    }
    fn store64(&mut self, offset: u32) {
        self.store(StoreKind::I64 { atomic: false }, offset);
    }
    fn store32(&mut self, offset: u32) {
        self.store(StoreKind::I32 { atomic: false }, offset);
    }

    /// Runs `f` inside a new nested sequence and returns its id.
    fn nested(&mut self, ty: Option<ValType>, f: impl FnOnce(&mut Self)) -> InstrSeqId {
        let id = self.b.dangling_instr_seq(ty).id();
        let saved = std::mem::replace(&mut self.cur, id);
        f(self);
        self.cur = saved;
        id
    }
    fn block_of(&mut self, f: impl FnOnce(&mut Self, InstrSeqId)) {
        let id = self.b.dangling_instr_seq(None).id();
        let saved = std::mem::replace(&mut self.cur, id);
        f(self, id);
        self.cur = saved;
        self.emit(wi::Block { seq: id });
    }
    fn loop_of(&mut self, f: impl FnOnce(&mut Self, InstrSeqId)) {
        let id = self.b.dangling_instr_seq(None).id();
        let saved = std::mem::replace(&mut self.cur, id);
        f(self, id);
        self.cur = saved;
        self.emit(wi::Loop { seq: id });
    }
    /// `if <i32 on stack> { then } else { otherwise }` with no result.
    fn if_else(&mut self, then: impl FnOnce(&mut Self), otherwise: impl FnOnce(&mut Self)) {
        let c = self.nested(None, then);
        let a = self.nested(None, otherwise);
        self.emit(wi::IfElse {
            consequent: c,
            alternative: a,
        });
    }
    fn if_then(&mut self, then: impl FnOnce(&mut Self)) {
        self.if_else(then, |_| {});
    }
    /// `if <i32> (result ty) { then } else { otherwise }`.
    fn if_else_val(
        &mut self,
        ty: ValType,
        then: impl FnOnce(&mut Self),
        otherwise: impl FnOnce(&mut Self),
    ) {
        let c = self.nested(Some(ty), then);
        let a = self.nested(Some(ty), otherwise);
        self.emit(wi::IfElse {
            consequent: c,
            alternative: a,
        });
    }

    /// Records a site naming the operands `a` and `b` for error messages.
    fn site(&mut self, line: u32, a: Name, b: Name) -> u32 {
        self.ctx.site(line, a, b)
    }

    // ---- frame -------------------------------------------------------------

    fn slot_addr(&mut self, slot: u32) {
        self.get(self.frame);
        if slot > 0 {
            self.i32c((slot * 8) as i32);
            self.bin(BinaryOp::I32Add);
        }
    }
    fn load_slot(&mut self, slot: u32) {
        self.get(self.frame);
        self.load64(slot * 8);
    }
    /// Stores the i64 produced by `value` into `slot`.
    fn store_slot(&mut self, slot: u32, value: impl FnOnce(&mut Self)) {
        self.get(self.frame);
        value(self);
        self.store64(slot * 8);
    }
    fn store_slot_const(&mut self, slot: u32, v: i64) {
        self.store_slot(slot, |g| g.i64c(v));
    }
    fn alloc_slot(&mut self) -> u32 {
        let s = self.free_slot;
        self.free_slot += 1;
        self.max_slot = self.max_slot.max(self.free_slot);
        s
    }
    fn alloc_slots(&mut self, k: u32) -> u32 {
        let s = self.free_slot;
        self.free_slot += k;
        self.max_slot = self.max_slot.max(self.free_slot);
        s
    }
    /// The first slot above every live value, where a slow path may write a
    /// metamethod request.
    fn scratch(&mut self) -> u32 {
        let s = self.free_slot;
        self.max_slot = self.max_slot.max(s + call::REQUEST_SLOTS + 1);
        s
    }

    fn params(&mut self) {
        for (i, &p) in self.func.params.iter().enumerate() {
            let slot = self.alloc_slot();
            debug_assert_eq!(slot, i as u32);
            self.local_slot[p.index()] = Some(slot);
        }
        for &p in &self.func.params {
            if self.func.local(p).needs_cell() {
                let slot = self.local_slot[p.index()].expect("param slot");
                self.make_cell(slot);
            }
        }
    }

    fn prologue(&mut self, frame_bytes: u32) {
        let nparams = self.func.params.len() as u32;
        if self.func.is_vararg {
            // Extra arguments stay where they are, after the fixed ones; the
            // frame starts above all of them (Lua 5.1's vararg layout).
            self.get(self.nargs);
            self.i32c(nparams as i32);
            self.bin(BinaryOp::I32Sub);
            self.tee(self.nva);
            self.i32c(0);
            self.get(self.nva);
            self.i32c(0);
            self.bin(BinaryOp::I32GtS);
            self.emit(wi::Select { ty: None });
            self.set(self.nva);
            self.get(self.base);
            self.i32c((nparams * 8) as i32);
            self.bin(BinaryOp::I32Add);
            self.tee(self.vabase);
            self.get(self.nva);
            self.i32c(3);
            self.bin(BinaryOp::I32Shl);
            self.bin(BinaryOp::I32Add);
            self.set(self.frame);
        }
        // Lua stack check.
        self.get(self.frame);
        self.i32c(frame_bytes as i32);
        self.bin(BinaryOp::I32Add);
        self.get(self.t);
        self.load32(th::STACK_LIMIT);
        self.bin(BinaryOp::I32GtU);
        let site = self.site(self.func.line, Name::None, Name::None);
        self.if_then(|g| {
            g.get(g.t);
            g.i32c(site as i32);
            g.call(g.ctx.rt.stack_overflow);
            g.emit(wi::Return {});
        });
        // Missing arguments are nil. Unrolled for the usual few parameters:
        // a wasm loop costs an interruption check even when it does not run.
        if nparams > 0 {
            self.get(self.nargs);
            self.i32c(nparams as i32);
            self.bin(BinaryOp::I32LtS);
            self.if_then(|g| {
                if nparams <= 8 {
                    for k in 0..nparams {
                        g.get(g.nargs);
                        g.i32c(k as i32);
                        g.bin(BinaryOp::I32LeS);
                        g.if_then(|g| {
                            g.get(g.base);
                            g.i64c(NIL);
                            g.store64(8 * k);
                        });
                    }
                    return;
                }
                g.block_of(|g, exit| {
                    g.loop_of(|g, top| {
                        g.get(g.nargs);
                        g.i32c(nparams as i32);
                        g.bin(BinaryOp::I32GeS);
                        g.emit(wi::BrIf { block: exit });
                        g.get(g.base);
                        g.get(g.nargs);
                        g.i32c(3);
                        g.bin(BinaryOp::I32Shl);
                        g.bin(BinaryOp::I32Add);
                        g.i64c(NIL);
                        g.store64(0);
                        g.get(g.nargs);
                        g.i32c(1);
                        g.bin(BinaryOp::I32Add);
                        g.set(g.nargs);
                        g.emit(wi::Br { block: top });
                    });
                });
            });
            if self.func.is_vararg {
                self.get(self.frame);
                self.get(self.base);
                self.i32c((nparams * 8) as i32);
                let memory = self.ctx.memory;
                self.emit(wi::MemoryCopy {
                    src: memory,
                    dst: memory,
                });
            }
        }
        // Everything below `top` may be live: the collector scans up to it.
        self.get(self.frame);
        self.i32c(frame_bytes as i32);
        self.bin(BinaryOp::I32Add);
        self.set(self.top);
        if self.makes_calls {
            self.safepoint();
        }
    }

    /// Collects if a collection is due. Generated at the entry of functions
    /// that make calls and at the head of every Lua loop, where every live
    /// value is in a slot.
    fn safepoint(&mut self) {
        self.get(self.t);
        self.load32(th::GC_PENDING);
        self.if_then(|g| {
            g.get(g.t);
            g.get(g.top);
            g.call(g.ctx.rt.gc_safepoint);
        });
    }

    /// Copies the varargs to slots from `slot` (count: `nva`), checking that
    /// they fit the Lua stack.
    fn copy_varargs(&mut self, slot: u32) {
        self.slot_addr(slot);
        self.get(self.nva);
        self.i32c(3);
        self.bin(BinaryOp::I32Shl);
        self.bin(BinaryOp::I32Add);
        self.i32c(((call::REQUEST_SLOTS + 2) * 8) as i32);
        self.bin(BinaryOp::I32Add);
        self.get(self.t);
        self.load32(th::STACK_LIMIT);
        self.bin(BinaryOp::I32GtU);
        let site = self.site(self.func.line, Name::None, Name::None);
        self.if_then(|g| {
            g.get(g.t);
            g.i32c(site as i32);
            g.call(g.ctx.rt.stack_overflow);
            g.emit(wi::Return {});
        });
        self.slot_addr(slot);
        self.get(self.vabase);
        self.get(self.nva);
        self.i32c(3);
        self.bin(BinaryOp::I32Shl);
        let memory = self.ctx.memory;
        self.emit(wi::MemoryCopy {
            src: memory,
            dst: memory,
        });
    }

    // ---- statements ----------------------------------------------------------

    fn block(&mut self, stmts: &[Stmt]) {
        let mark = self.free_slot;
        self.stmts(stmts);
        self.free_slot = mark;
    }

    /// A statement list, leaving its locals' slots allocated.
    fn stmts(&mut self, stmts: &[Stmt]) {
        if stmts.iter().any(|s| matches!(s.kind, StmtKind::Label(_))) {
            self.labelled_block(stmts);
        } else {
            for s in stmts {
                self.stmt(s);
            }
        }
    }

    /// A statement list with labels: its segments (split at the labels) sit
    /// in a dispatch loop, so a `goto` sets the segment number and branches
    /// to the loop, whose `br_table` jumps to the segment's start. Every
    /// pattern of forward and backward gotos is one mechanism.
    ///
    /// ```text
    /// loop $dispatch
    ///   block $seg_k … block $seg_1 block $seg_0
    ///     br_table $seg_0 … $seg_k (gt)
    ///   end  segment 0   end  segment 1 … end  segment k
    /// end
    /// ```
    fn labelled_block(&mut self, stmts: &[Stmt]) {
        let mut starts = vec![0usize];
        for (i, s) in stmts.iter().enumerate() {
            if let StmtKind::Label(l) = s.kind {
                self.label_targets.push((l, starts.len() as u32));
                starts.push(i);
            }
        }
        let k = starts.len() - 1;
        self.i32c(0);
        self.set(self.gt);
        self.loop_of(|g, dispatch| {
            g.safepoint();
            let n = g.label_targets.len();
            g.dispatch_of.resize(n, dispatch);
            let segs: Vec<InstrSeqId> =
                (0..=k).map(|_| g.b.dangling_instr_seq(None).id()).collect();
            // Innermost: the jump table.
            g.cur = segs[0];
            g.get(g.gt);
            g.emit(wi::BrTable {
                blocks: segs.clone().into_boxed_slice(),
                default: segs[0],
            });
            // Each segment's code follows the block that a jump to it leaves.
            for m in 0..=k {
                let parent = if m < k { segs[m + 1] } else { dispatch };
                g.cur = parent;
                g.emit(wi::Block { seq: segs[m] });
                let end = if m < k { starts[m + 1] } else { stmts.len() };
                for s in &stmts[starts[m]..end] {
                    g.stmt(s);
                }
            }
            g.cur = dispatch;
        });
    }

    fn declare_local(&mut self, l: LocalId, slot: u32) {
        self.local_slot[l.index()] = Some(slot);
    }

    fn stmt(&mut self, s: &Stmt) {
        let temps = self.free_slot;
        match &s.kind {
            StmtKind::Local { locals, values } => {
                let first = self.alloc_slots(locals.len() as u32);
                self.explist(values, first, Want::Fixed(locals.len() as u32));
                for (i, &l) in locals.iter().enumerate() {
                    let slot = first + i as u32;
                    self.declare_local(l, slot);
                    if self.func.local(l).needs_cell() {
                        self.make_cell(slot);
                    }
                }
                // The new locals stay; only temporaries above them go.
                return;
            }
            StmtKind::LocalFunction { local, func } => {
                let slot = self.alloc_slot();
                self.declare_local(*local, slot);
                if self.func.local(*local).needs_cell() {
                    self.store_slot_const(slot, NIL);
                    self.make_cell(slot);
                    let tmp = self.alloc_slot();
                    self.closure(*func, tmp);
                    self.store_local(*local, Operand::Slot(tmp));
                } else {
                    // `closure` stores the new closure in the slot before it
                    // reads the captured locals, so a capture of itself sees it.
                    self.closure(*func, slot);
                }
                self.free_slot = slot + 1;
                return;
            }
            StmtKind::Assign { targets, values } => self.assign(targets, values),
            StmtKind::Call(e) => {
                let f = self.alloc_slot();
                self.call_expr(e, f);
            }
            StmtKind::Do(b) => self.block(b),
            StmtKind::While { cond, body } => {
                self.block_of(|g, exit| {
                    g.loop_of(|g, top| {
                        g.safepoint();
                        g.cond(cond);
                        g.un(UnaryOp::I32Eqz);
                        g.emit(wi::BrIf { block: exit });
                        g.loop_exits.push(exit);
                        g.block(body);
                        g.loop_exits.pop();
                        g.emit(wi::Br { block: top });
                    });
                });
            }
            StmtKind::Repeat { body, cond } => {
                self.block_of(|g, exit| {
                    g.loop_of(|g, top| {
                        g.safepoint();
                        let mark = g.free_slot;
                        g.loop_exits.push(exit);
                        // The condition sees the body's locals: keep their slots.
                        g.stmts(body);
                        g.loop_exits.pop();
                        g.cond(cond);
                        g.un(UnaryOp::I32Eqz);
                        g.emit(wi::BrIf { block: top });
                        g.free_slot = mark;
                    });
                });
            }
            StmtKind::If { arms, otherwise } => self.if_chain(arms, otherwise.as_deref()),
            StmtKind::NumericFor {
                var,
                start,
                limit,
                step,
                body,
            } => self.numeric_for(s.line, *var, start, limit, step.as_ref(), body),
            StmtKind::GenericFor { vars, exprs, body } => {
                self.generic_for(s.line, vars, exprs, body)
            }
            StmtKind::Return(values) => self.return_stmt(s.line, values),
            StmtKind::Label(_) => {}
            StmtKind::Goto(l) => {
                let i = self
                    .label_targets
                    .iter()
                    .rposition(|(id, _)| id == l)
                    .expect("goto targets a label of an enclosing block (checked by the frontend)");
                let (segment, dispatch) = (self.label_targets[i].1, self.dispatch_of[i]);
                self.i32c(segment as i32);
                self.set(self.gt);
                self.emit(wi::Br { block: dispatch });
            }
            StmtKind::Break => {
                let exit = *self
                    .loop_exits
                    .last()
                    .expect("break inside a loop (checked by the frontend)");
                self.emit(wi::Br { block: exit });
            }
        }
        self.free_slot = temps;
    }

    fn if_chain(&mut self, arms: &[(Expr, Block)], otherwise: Option<&[Stmt]>) {
        let Some(((cond, body), rest)) = arms.split_first() else {
            if let Some(b) = otherwise {
                self.block(b);
            }
            return;
        };
        self.cond(cond);
        self.if_else(|g| g.block(body), |g| g.if_chain(rest, otherwise));
    }

    fn numeric_for(
        &mut self,
        line: u32,
        var: LocalId,
        start: &Expr,
        limit: &Expr,
        step: Option<&Expr>,
        body: &[Stmt],
    ) {
        let s0 = self.alloc_slots(3);
        self.expr_to(start, s0);
        self.expr_to(limit, s0 + 1);
        match step {
            Some(e) => self.expr_to(e, s0 + 2),
            None => self.store_slot_const(s0 + 2, 1f64.to_bits() as i64),
        }
        // Coerce and check unless all three are numbers already.
        for k in 0..3 {
            self.load_slot(s0 + k);
            self.i64c(val::NUMBER_LIMIT as i64);
            self.bin(BinaryOp::I64LtU);
            if k > 0 {
                self.bin(BinaryOp::I32And);
            }
        }
        self.un(UnaryOp::I32Eqz);
        let site = self.site(line, Name::None, Name::None);
        self.if_then(|g| {
            g.get(g.t);
            g.slot_addr(s0);
            g.i32c(site as i32);
            g.call(g.ctx.rt.forprep);
            g.status_check();
        });
        // A constant step fixes the loop's direction; integer constants for
        // start and step make every value of the variable an integer (exact
        // in doubles far beyond any reachable count).
        let constant = |e: Option<&Expr>| match e.map(|e| &e.kind) {
            None => Some(1.0),
            Some(ExprKind::Number(n)) => Some(*n),
            _ => None,
        };
        let const_step = constant(step).filter(|s| !s.is_nan());
        let small_int = |x: f64| x.fract() == 0.0 && x.abs() < 2147483648.0;
        let integral =
            const_step.is_some_and(small_int) && constant(Some(start)).is_some_and(small_int);
        let [idx, lim, step] = self.for_locals[self.for_level];
        self.for_level += 1;
        for (k, l) in [idx, lim, step].into_iter().enumerate() {
            self.load_f64(s0 + k as u32);
            self.set(l);
        }
        let vslot = self.alloc_slot();
        self.declare_local(var, vslot);
        let info = self.func.local(var);
        if !info.reassigned && !info.needs_cell() {
            self.num_locals[var.index()] = Some(idx);
        }
        if integral {
            self.integral.push(idx);
        }
        self.block_of(|g, exit| {
            g.loop_of(|g, top| {
                g.safepoint();
                // Step's sign bit clear ? idx <= limit : idx >= limit
                // (LuaJIT's rule: a step of -0 counts down).
                let upward = |g: &mut Self| {
                    g.get(idx);
                    g.get(lim);
                    g.bin(BinaryOp::F64Le);
                };
                let downward = |g: &mut Self| {
                    g.get(idx);
                    g.get(lim);
                    g.bin(BinaryOp::F64Ge);
                };
                match const_step {
                    Some(s) if s.is_sign_positive() => upward(g),
                    Some(_) => downward(g),
                    None => {
                        g.get(step);
                        g.un(UnaryOp::I64ReinterpretF64);
                        g.i64c(0);
                        g.bin(BinaryOp::I64GeS);
                        g.if_else_val(ValType::I32, upward, downward);
                    }
                }
                g.un(UnaryOp::I32Eqz);
                g.emit(wi::BrIf { block: exit });
                // A variable read only through its f64 local needs no slot
                // copy; a closure captures it from the slot.
                if g.num_locals[var.index()].is_none() || g.func.local(var).captured {
                    g.store_slot(vslot, |g| {
                        g.get(idx);
                        g.un(UnaryOp::I64ReinterpretF64);
                    });
                }
                if g.func.local(var).needs_cell() {
                    g.make_cell(vslot);
                }
                g.loop_exits.push(exit);
                g.block(body);
                g.loop_exits.pop();
                g.get(idx);
                g.get(step);
                g.bin(BinaryOp::F64Add);
                g.set(idx);
                g.emit(wi::Br { block: top });
            });
        });
        if integral {
            self.integral.pop();
        }
        self.num_locals[var.index()] = None;
        self.for_level -= 1;
    }

    /// `for vars in exprs`: each iteration calls the iterator with (state,
    /// control) and ends when the first result is nil.
    fn generic_for(&mut self, line: u32, vars: &[LocalId], exprs: &[Expr], body: &[Stmt]) {
        let s0 = self.alloc_slots(3);
        self.explist(exprs, s0, Want::Fixed(3));
        let nv = vars.len() as u32;
        let first = self.alloc_slots(nv);
        for (i, &v) in vars.iter().enumerate() {
            self.declare_local(v, first + i as u32);
        }
        // The iterator call: callee and arguments above the variables, so the
        // iterator's frame overwrites nothing live.
        let c = self.alloc_slots(3);
        let site = self.site(line, Name::None, Name::None);
        self.block_of(|g, exit| {
            g.loop_of(|g, top| {
                g.safepoint();
                for k in 0..3 {
                    g.store_slot(c + k, |g| g.load_slot(s0 + k));
                }
                g.call_at(c, CallArgs::Fixed(2), site);
                for j in 0..nv {
                    g.store_slot(first + j, |g| {
                        g.load_slot(c + 1 + j);
                        g.i64c(NIL);
                        g.get(g.n);
                        g.i32c(j as i32);
                        g.bin(BinaryOp::I32GtS);
                        g.emit(wi::Select { ty: None });
                    });
                }
                g.load_slot(first);
                g.i64c(NIL);
                g.bin(BinaryOp::I64Eq);
                g.emit(wi::BrIf { block: exit });
                g.store_slot(s0 + 2, |g| g.load_slot(first));
                for (i, &v) in vars.iter().enumerate() {
                    if g.func.local(v).needs_cell() {
                        g.make_cell(first + i as u32);
                    }
                }
                g.loop_exits.push(exit);
                g.block(body);
                g.loop_exits.pop();
                g.emit(wi::Br { block: top });
            });
        });
    }

    fn load_f64(&mut self, slot: u32) {
        self.get(self.frame);
        self.load(LoadKind::F64, slot * 8);
    }

    /// `line` is where the statement ends: LuaJIT reports a failing tail
    /// call there.
    fn return_stmt(&mut self, line: u32, values: &[Expr]) {
        if let [single] = values
            && let ExprKind::Call { .. } | ExprKind::MethodCall { .. } = single.kind
        {
            self.tail_call(single, line);
            return;
        }
        // One value goes straight to the return position (slot 0 is the
        // base unless varargs sit below the frame), as `assign` does for a
        // local: expressions that read their operands first may overwrite one.
        if let [single] = values
            && !single.kind.is_multi()
            && !writes_dst_early(single)
            && !self.func.is_vararg
        {
            let keep = self.free_slot;
            self.expr_to(single, 0);
            self.free_slot = keep;
            self.i32c(1);
            self.emit(wi::Return {});
            return;
        }
        let first = self.free_slot;
        let count = match values.last() {
            Some(last) if last.kind.is_multi() => {
                self.explist(values, first, Want::All);
                None
            }
            _ => {
                let k = values.len() as u32;
                let first = self.alloc_slots(k);
                self.explist(values, first, Want::Fixed(k));
                Some(k)
            }
        };
        // Results go to base.
        if first != 0 || self.func.is_vararg {
            self.get(self.base);
            self.slot_addr(first);
            self.copy_down(match count {
                Some(k) => Count::Fixed(k),
                None => Count::N(0),
            });
        }
        match count {
            Some(k) => self.i32c(k as i32),
            None => self.get(self.n),
        }
        self.emit(wi::Return {});
    }

    /// `return f(args)`: callee and arguments are moved to `base - 8` and the
    /// call replaces this frame (`return_call_indirect`).
    fn tail_call(&mut self, e: &Expr, line: u32) {
        let f = self.alloc_slot();
        let (_, direct) = self.call_setup(e, f, line);
        // n holds the argument count; move [f, args…] down to base - 8.
        self.get(self.base);
        self.i32c(8);
        self.bin(BinaryOp::I32Sub);
        self.slot_addr(f);
        self.copy_down(Count::N(1));
        // Flag the frame's call-site entry: the caller is gone (see
        // runtime-gc's `site_at_level`).
        self.get(self.t);
        self.get(self.t);
        self.load32(th::DEPTH);
        self.i32c(2);
        self.bin(BinaryOp::I32Shl);
        self.bin(BinaryOp::I32Add);
        self.tee(self.d);
        self.get(self.d);
        self.load32(th::SITES);
        self.i32c(th::TAIL_CALLED as i32);
        self.bin(BinaryOp::I32Or);
        self.store32(th::SITES);
        self.get(self.t);
        self.get(self.base);
        self.get(self.n);
        if let Some(target) = direct {
            let func = self.ctx.direct_targets[target.index()];
            self.emit(wi::ReturnCall { func });
            return;
        }
        self.get(self.base);
        self.i32c(8);
        self.bin(BinaryOp::I32Sub);
        self.load64(0);
        self.emit_func_index();
        let (ty, table) = (self.ctx.lua_type, self.ctx.table);
        self.emit(wi::ReturnCallIndirect { ty, table });
    }

    fn assign(&mut self, targets: &[Target], values: &[Expr]) {
        // Fast path: one local target, one value that writes its destination last.
        if let ([Target::Local(l)], [v]) = (targets, values)
            && !self.func.local(*l).needs_cell()
            && !writes_dst_early(v)
        {
            let slot = self.local_slot[l.index()].expect("local in scope");
            self.expr_to(v, slot);
            return;
        }
        // One indexed target: object and key as operands (a constant key
        // keeps the inline table paths), then the value.
        if let ([Target::Index { obj, key, line }], [v]) = (targets, values) {
            let o = self.operand(obj);
            let k = self.operand(key);
            let val = self.operand(v);
            let name = name_of(self.func, obj);
            self.set_index(o, k, val, *line, name);
            return;
        }
        // Evaluate every target's object and key, left to right, into
        // temporaries (a later store must not change an earlier key).
        let mut prepared: Vec<(Operand, Operand)> = Vec::new();
        for t in targets {
            if let Target::Index { obj, key, .. } = t {
                let o = self.alloc_slot();
                self.expr_to(obj, o);
                let k = match key.kind {
                    ExprKind::Number(_)
                    | ExprKind::String(_)
                    | ExprKind::True
                    | ExprKind::False => self.operand(key),
                    _ => {
                        let k = self.alloc_slot();
                        self.expr_to(key, k);
                        Operand::Slot(k)
                    }
                };
                prepared.push((Operand::Slot(o), k));
            }
        }
        let first = self.alloc_slots(targets.len() as u32);
        self.explist(values, first, Want::Fixed(targets.len() as u32));
        // Store right to left, as LuaJIT does.
        let mut pi = prepared.len();
        for (i, t) in targets.iter().enumerate().rev() {
            let v = Operand::Slot(first + i as u32);
            match t {
                Target::Local(l) => self.store_local(*l, v),
                Target::Upvalue(u) => self.store_upvalue(*u, v),
                Target::Global(name) => {
                    let line = values.first().map(|e| e.line).unwrap_or(0);
                    self.set_global(name, v, line)
                }
                Target::Index { obj, line, .. } => {
                    pi -= 1;
                    let (o, k) = prepared[pi];
                    let name = name_of(self.func, obj);
                    self.set_index(o, k, v, *line, name);
                }
            }
        }
    }

    fn store_local(&mut self, l: LocalId, v: Operand) {
        let slot = self.local_slot[l.index()].expect("local in scope");
        if self.func.local(l).needs_cell() {
            self.load_slot(slot);
            self.un(UnaryOp::I32WrapI64);
            self.push(v);
            self.store64(layout::cell::VALUE);
        } else {
            self.store_slot(slot, |g| g.push(v));
        }
    }

    fn current_closure(&mut self) {
        self.get(self.base);
        self.i32c(8);
        self.bin(BinaryOp::I32Sub);
        self.load64(0);
        self.un(UnaryOp::I32WrapI64);
    }

    fn store_upvalue(&mut self, u: UpvalId, v: Operand) {
        self.current_closure();
        if self.ctx.upval_cells[self.fid.index()][u.index()] {
            self.load64(layout::closure::UPVALS + 8 * u.0);
            self.un(UnaryOp::I32WrapI64);
            self.push(v);
            self.store64(layout::cell::VALUE);
        } else {
            self.push(v);
            self.store64(layout::closure::UPVALS + 8 * u.0);
        }
    }

    fn make_cell(&mut self, slot: u32) {
        self.get(self.t);
        self.load_slot(slot);
        self.slot_addr(slot);
        self.call(self.ctx.rt.cell_new);
        self.status_check();
    }

    // ---- expressions ---------------------------------------------------------

    /// Pushes an operand's value (i64).
    fn push(&mut self, o: Operand) {
        match o {
            Operand::Slot(s) => self.load_slot(s),
            Operand::Val(l) => self.get(l),
            Operand::Num(l) => {
                self.get(l);
                self.un(UnaryOp::I64ReinterpretF64);
            }
            Operand::Bits(b) => self.i64c(b as i64),
            Operand::Str(i) => {
                self.i32c(0);
                self.load64(self.ctx.consts_addr + 8 * i);
            }
        }
    }

    /// An operand for `e`, evaluating it into a new temporary when needed.
    fn operand(&mut self, e: &Expr) -> Operand {
        match &e.kind {
            ExprKind::Nil => Operand::Bits(val::NIL),
            ExprKind::True => Operand::Bits(val::TRUE),
            ExprKind::False => Operand::Bits(val::FALSE),
            ExprKind::Number(n) => Operand::Bits(val::from_f64(*n)),
            ExprKind::String(s) => Operand::Str(self.ctx.string_const(s)),
            ExprKind::Local(l) if !self.func.local(*l).needs_cell() => {
                match self.num_locals[l.index()] {
                    Some(w) => Operand::Num(w),
                    None => Operand::Slot(self.local_slot[l.index()].expect("local in scope")),
                }
            }
            _ => {
                let s = self.alloc_slot();
                match self.mirror(s) {
                    Some(l) if keeps_value(e) => {
                        self.expr_keep(e, s, Some(l));
                        Operand::Val(l)
                    }
                    _ => {
                        self.expr_to(e, s);
                        Operand::Slot(s)
                    }
                }
            }
        }
    }

    /// The mirror local of temporary slot `s`, if it has one.
    fn mirror(&self, s: u32) -> Option<WLocal> {
        self.mirrors.get(s as usize).copied()
    }

    /// Evaluates `e` (one value) into `dst`.
    fn expr_to(&mut self, e: &Expr, dst: u32) {
        self.expr_keep(e, dst, None)
    }

    /// Evaluates `e` into `dst`, and into `keep` as well if given (only for
    /// expressions [`keeps_value`] accepts).
    fn expr_keep(&mut self, e: &Expr, dst: u32, keep: Option<WLocal>) {
        let mark = self.free_slot;
        match &e.kind {
            ExprKind::Nil
            | ExprKind::True
            | ExprKind::False
            | ExprKind::Number(_)
            | ExprKind::String(_) => {
                let o = self.operand(e);
                self.store_slot(dst, |g| g.push(o));
            }
            ExprKind::Local(l) if self.num_locals[l.index()].is_some() => {
                let o = self.operand(e);
                self.store_slot(dst, |g| g.push(o));
            }
            ExprKind::Local(l) => {
                let slot = self.local_slot[l.index()].expect("local in scope");
                if self.func.local(*l).needs_cell() {
                    self.store_slot(dst, |g| {
                        g.load_slot(slot);
                        g.un(UnaryOp::I32WrapI64);
                        g.load64(layout::cell::VALUE);
                    });
                } else if slot != dst {
                    self.store_slot(dst, |g| g.load_slot(slot));
                }
            }
            ExprKind::Upvalue(u) => {
                let is_cell = self.ctx.upval_cells[self.fid.index()][u.index()];
                self.store_slot(dst, |g| {
                    g.current_closure();
                    g.load64(layout::closure::UPVALS + 8 * u.0);
                    if is_cell {
                        g.un(UnaryOp::I32WrapI64);
                        g.load64(layout::cell::VALUE);
                    }
                });
            }
            ExprKind::Global(name) => {
                let k = Operand::Str(self.ctx.string_const(name.as_bytes()));
                let site = self.site(e.line, Name::None, Name::None);
                self.index_call(|g| g.push_env(), k, dst, site, keep);
            }
            ExprKind::Index { obj, key } => {
                let o = self.operand(obj);
                let k = self.operand(key);
                let site = self.site(e.line, name_of(self.func, obj), Name::None);
                self.index_call(|g| g.push(o), k, dst, site, keep);
            }
            ExprKind::Call { .. } | ExprKind::MethodCall { .. } => {
                let f = self.alloc_slot();
                self.call_expr(e, f);
                self.adjust_one(f + 1, dst);
            }
            ExprKind::Paren(inner) => self.expr_keep(inner, dst, keep),
            ExprKind::Vararg => {
                self.store_slot(dst, |g| {
                    g.get(g.vabase);
                    g.load64(0);
                    g.i64c(NIL);
                    g.get(g.nva);
                    g.i32c(0);
                    g.bin(BinaryOp::I32GtS);
                    g.emit(wi::Select { ty: None });
                });
            }
            ExprKind::Function(id) => self.closure(*id, dst),
            ExprKind::Binary { op, lhs, rhs } => self.binary(e.line, *op, lhs, rhs, dst, keep),
            ExprKind::Unary { op, operand } => self.unary(e.line, *op, operand, dst, keep),
            ExprKind::And(a, b) => {
                self.expr_to(a, dst);
                self.load_slot(dst);
                self.truthy();
                self.if_then(|g| g.expr_to(b, dst));
            }
            ExprKind::Or(a, b) => {
                self.expr_to(a, dst);
                self.load_slot(dst);
                self.truthy();
                self.un(UnaryOp::I32Eqz);
                self.if_then(|g| g.expr_to(b, dst));
            }
            ExprKind::Table(items) => self.table(e.line, items, dst),
        }
        self.free_slot = mark;
    }

    /// i64 on stack → i32 truthiness.
    fn truthy(&mut self) {
        self.i64c(val::FALSY_MIN as i64);
        self.bin(BinaryOp::I64LtU);
    }

    fn push_env(&mut self) {
        self.current_closure();
        self.load32(layout::closure::ENV);
        self.un(UnaryOp::I64ExtendUI32);
        self.i64c(((val::TAG_TABLE as u64) << 32) as i64);
        self.bin(BinaryOp::I64Or);
    }

    /// `dst = obj[key]` through `lrt_index`, performing a requested `__index` call.
    /// The value also goes to `keep` if given.
    fn index_call(
        &mut self,
        obj: impl FnOnce(&mut Self),
        key: Operand,
        dst: u32,
        site: u32,
        keep: Option<WLocal>,
    ) {
        obj(self);
        self.set(self.x);
        self.push(key);
        self.set(self.y);
        self.block_of(|g, done| {
            // Fast path: a raw hit in the table itself, straight-line code
            // whose every failure branches to the slow path.
            g.block_of(|g, miss| {
                g.raw_slot_addr(key, miss);
                g.load64(0);
                g.tee(g.y2);
                g.i64c(NIL);
                g.bin(BinaryOp::I64Eq);
                g.emit(wi::BrIf { block: miss });
                g.store_slot(dst, |g| {
                    g.get(g.y2);
                    if let Some(l) = keep {
                        g.tee(l);
                    }
                });
                g.emit(wi::Br { block: done });
            });
            let scratch = g.scratch();
            g.get(g.t);
            g.get(g.x);
            g.get(g.y);
            g.slow_call(g.ctx.rt.index, dst, site, scratch);
            g.reload(dst, keep);
        });
    }

    /// With the table candidate in `x` and the key in `y`, pushes the address
    /// of the raw slot holding the key when it can be found inline — an
    /// array index in range, or a constant short string at its main position
    /// or the next node of its chain — and branches to `miss` otherwise (not
    /// a table, another key, a collision): the hit path has no taken branch.
    fn raw_slot_addr(&mut self, key: Operand, miss: InstrSeqId) {
        self.get(self.x);
        self.i64c(32);
        self.bin(BinaryOp::I64ShrU);
        self.i64c(val::TAG_TABLE as i64);
        self.bin(BinaryOp::I64Eq);
        let string_key = match key {
            Operand::Str(i)
                if self.ctx.consts[i as usize].len() <= layout::string::MAX_SHORT as usize =>
            {
                Some(moonshift_abi::hash_bytes(&self.ctx.consts[i as usize]))
            }
            _ => None,
        };
        let number_key = match key {
            Operand::Bits(b) => val::is_number(b),
            Operand::Slot(_) | Operand::Num(_) | Operand::Val(_) => true,
            Operand::Str(_) => false,
        };
        let known_number = key.known_number();
        let integral_key = matches!(key, Operand::Num(w) if self.integral.contains(&w));
        self.if_else_val(
            ValType::I32,
            |g| {
                g.get(g.x);
                g.un(UnaryOp::I32WrapI64);
                g.set(g.p);
                if let Some(hash) = string_key {
                    // Probe the key's main position (nodes + (hash & mask) * 24)
                    // and the next node of its chain; a key further down the
                    // chain takes the runtime's path (no loop here: a wasm
                    // loop costs an interruption check per step). A table
                    // without a hash part (node pointer 0, mask 0) is probed
                    // at address 0, the bottom of the runtime's shadow stack,
                    // which stays zero: key 0 matches no string, `next` 0
                    // leads back to node 0 (the verifier checks it).
                    g.get(g.p);
                    g.load32(layout::table::NODE);
                    g.tee(g.q);
                    g.i32c(hash as i32);
                    g.get(g.p);
                    g.load32(layout::table::NODE_MASK);
                    g.bin(BinaryOp::I32And);
                    g.probe_node(|g| {
                        g.get(g.i2);
                        g.load32(layout::node::NEXT);
                        g.tee(g.i3);
                        g.i32c(-1);
                        g.bin(BinaryOp::I32Ne);
                        g.if_else_val(
                            ValType::I32,
                            |g| {
                                g.get(g.q);
                                g.get(g.i3);
                                g.probe_node(|g| g.emit(wi::Br { block: miss }));
                            },
                            |g| g.emit(wi::Br { block: miss }),
                        );
                    });
                } else if number_key {
                    // i = k - 1 as an integer; in range of the array part.
                    if known_number {
                        g.i32c(1);
                    } else {
                        g.get(g.y);
                        g.i64c(val::NUMBER_LIMIT as i64);
                        g.bin(BinaryOp::I64LtU);
                    }
                    g.if_else_val(
                        ValType::I32,
                        |g| {
                            g.get(g.y);
                            g.un(UnaryOp::F64ReinterpretI64);
                            g.set(g.fx);
                            // Signed conversions: far cheaper on x64 than
                            // unsigned ones, and k <= 0 fails `k - 1 < asize`
                            // as an unsigned compare anyway. An integer `for`
                            // variable needs no check that it is one (if it
                            // is past i32, saturation fails the range check).
                            g.get(g.fx);
                            g.un(UnaryOp::I32TruncSSatF64);
                            if integral_key {
                                g.set(g.q);
                                g.i32c(1);
                            } else {
                                g.tee(g.q);
                                g.un(UnaryOp::F64ConvertSI32);
                                g.get(g.fx);
                                g.bin(BinaryOp::F64Eq);
                            }
                            g.get(g.q);
                            g.i32c(1);
                            g.bin(BinaryOp::I32Sub);
                            g.tee(g.q);
                            g.get(g.p);
                            g.load32(layout::table::ASIZE);
                            g.bin(BinaryOp::I32LtU);
                            g.bin(BinaryOp::I32And);
                            g.if_else_val(
                                ValType::I32,
                                |g| {
                                    g.get(g.p);
                                    g.load32(layout::table::ARRAY);
                                    g.get(g.q);
                                    g.i32c(3);
                                    g.bin(BinaryOp::I32Shl);
                                    g.bin(BinaryOp::I32Add);
                                },
                                |g| g.emit(wi::Br { block: miss }),
                            );
                        },
                        |g| g.emit(wi::Br { block: miss }),
                    );
                } else {
                    g.emit(wi::Br { block: miss });
                }
            },
            |g| g.emit(wi::Br { block: miss }),
        );
    }

    /// With the node array and a node index pushed, pushes the address of
    /// that node's value if its key is `y`, else what `miss` pushes (the
    /// node's address is left in `i2`).
    fn probe_node(&mut self, miss: impl FnOnce(&mut Self)) {
        self.i32c(layout::node::SIZE as i32);
        self.bin(BinaryOp::I32Mul);
        self.bin(BinaryOp::I32Add);
        self.tee(self.i2);
        self.load64(layout::node::KEY);
        self.get(self.y);
        self.bin(BinaryOp::I64Eq);
        self.if_else_val(
            ValType::I32,
            |g| {
                g.get(g.i2);
                g.i32c(layout::node::VALUE as i32);
                g.bin(BinaryOp::I32Add);
            },
            miss,
        );
    }

    fn set_index(&mut self, obj: Operand, key: Operand, v: Operand, line: u32, name: Name) {
        let site = self.ctx.site(line, name, Name::None);
        self.push(obj);
        self.set(self.x);
        self.push(key);
        self.set(self.y);
        self.store_with_fast_path(key, v, site);
    }

    /// `x[y] = v`: stored inline when the raw slot exists and either holds a
    /// value (so `__newindex` is not consulted) or the table has no
    /// metatable; otherwise through `lrt_newindex`.
    fn store_with_fast_path(&mut self, key: Operand, v: Operand, site: u32) {
        self.block_of(|g, done| {
            g.block_of(|g, miss| {
                g.raw_slot_addr(key, miss);
                g.tee(g.q);
                g.load64(0);
                g.i64c(NIL);
                g.bin(BinaryOp::I64Ne);
                g.get(g.p);
                g.load32(layout::table::METATABLE);
                g.un(UnaryOp::I32Eqz);
                g.bin(BinaryOp::I32Or);
                g.un(UnaryOp::I32Eqz);
                g.emit(wi::BrIf { block: miss });
                g.get(g.q);
                g.push(v);
                g.store64(0);
                g.emit(wi::Br { block: done });
            });
            let scratch = g.scratch();
            g.get(g.t);
            g.get(g.x);
            g.get(g.y);
            g.push(v);
            g.i32c(site as i32);
            g.slot_addr(scratch);
            g.call(g.ctx.rt.newindex);
            g.status_check();
            g.request_check(scratch, 3, None, site);
        });
    }

    fn set_global(&mut self, name: &str, v: Operand, line: u32) {
        let k = Operand::Str(self.ctx.string_const(name.as_bytes()));
        let site = self.site(line, Name::None, Name::None);
        self.push_env();
        self.set(self.x);
        self.push(k);
        self.set(self.y);
        self.store_with_fast_path(k, v, site);
    }

    /// The end of an operator's slow path: `f(…, dst, site, scratch)` after
    /// the arguments already pushed, then the status and a metamethod request
    /// whose result goes to `dst`.
    fn slow_call(&mut self, f: FunctionId, dst: u32, site: u32, scratch: u32) {
        self.slot_addr(dst);
        self.i32c(site as i32);
        self.slot_addr(scratch);
        self.call(f);
        self.status_check();
        self.request_check(scratch, 2, Some(dst), site);
    }

    /// After a slow path: a negative status unwinds. Leaves the status in `st`.
    fn status_check(&mut self) {
        self.tee(self.st);
        self.i32c(0);
        self.bin(BinaryOp::I32LtS);
        self.if_then(|g| {
            g.get(g.st);
            g.unwind_top();
        });
    }

    /// Unwinds with the status on top of the wasm stack: returns it, or, in a
    /// protected call, branches to the catch point with it in `n`.
    fn unwind_top(&mut self) {
        match self.catch {
            None => self.emit(wi::Return {}),
            Some(block) => {
                self.set(self.n);
                self.emit(wi::Br { block });
            }
        }
    }

    /// If `st` is REQUEST_CALL, calls the metamethod at `scratch` with
    /// `nargs` arguments and stores its first result in `dst`.
    /// The call is made at `site`, the operation that needed the metamethod,
    /// so `error(msg, 2)` inside it and a stack overflow report that line.
    /// The call itself is out of line (`metacall`): slow paths stay small, so
    /// the hot code around them is compact.
    fn request_check(&mut self, scratch: u32, nargs: u32, dst: Option<u32>, site: u32) {
        self.get(self.st);
        self.i32c(call::REQUEST_CALL);
        self.bin(BinaryOp::I32Eq);
        self.if_then(|g| {
            g.metacall_at(scratch, nargs, site);
            if let Some(dst) = dst {
                g.adjust_one(scratch + 1, dst);
            }
        });
    }

    /// Calls the metamethod request at `scratch` (callee, then `nargs`
    /// arguments) out of line, at `site`; results from `scratch + 1`, their
    /// count in `n`. An error unwinds.
    fn metacall_at(&mut self, scratch: u32, nargs: u32, site: u32) {
        self.max_slot = self.max_slot.max(scratch + nargs + 1);
        self.get(self.t);
        self.slot_addr(scratch);
        self.i32c(nargs as i32);
        self.i32c(site as i32);
        self.call(self.ctx.metacall.expect("metacall generated first"));
        self.tee(self.n);
        self.i32c(0);
        self.bin(BinaryOp::I32LtS);
        self.if_then(|g| {
            g.get(g.n);
            g.unwind_top();
        });
    }

    /// Copies the first result at `from` (count in `n`) into `dst`, nil if none.
    fn adjust_one(&mut self, from: u32, dst: u32) {
        self.store_slot(dst, |g| {
            g.load_slot(from);
            g.i64c(NIL);
            g.get(g.n);
            g.i32c(0);
            g.bin(BinaryOp::I32GtS);
            g.emit(wi::Select { ty: None });
        });
    }

    fn binary(
        &mut self,
        line: u32,
        op: BinOp,
        lhs: &Expr,
        rhs: &Expr,
        dst: u32,
        keep: Option<WLocal>,
    ) {
        match op {
            BinOp::Concat => return self.concat(line, lhs, rhs, dst),
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                self.compare(line, op, lhs, rhs);
                self.bool_to_slot(dst);
                return;
            }
            _ => {}
        }
        let a = self.operand(lhs);
        let b = self.operand(rhs);
        let code = match op {
            BinOp::Add => op::ADD,
            BinOp::Sub => op::SUB,
            BinOp::Mul => op::MUL,
            BinOp::Div => op::DIV,
            BinOp::Mod => op::MOD,
            _ => op::POW,
        };
        let site = self.site(line, name_of(self.func, lhs), name_of(self.func, rhs));
        self.arith(code, a, b, dst, site, keep);
    }

    /// After a slow path that wrote `dst` in memory: copies it to `keep`.
    fn reload(&mut self, dst: u32, keep: Option<WLocal>) {
        if let Some(l) = keep {
            self.load_slot(dst);
            self.set(l);
        }
    }

    fn arith(
        &mut self,
        code: i32,
        a: Operand,
        b: Operand,
        dst: u32,
        site: u32,
        keep: Option<WLocal>,
    ) {
        let scratch = self.scratch();
        let slow = |g: &mut Self| {
            g.get(g.t);
            g.i32c(code);
            g.push(a);
            g.push(b);
            g.slow_call(g.ctx.rt.arith, dst, site, scratch);
            g.reload(dst, keep);
        };
        if code == op::POW {
            slow(self);
            return;
        }
        // Fast path: both numbers.
        let mut checks = 0;
        for o in [a, b] {
            if !o.known_number() {
                self.push(o);
                self.i64c(val::NUMBER_LIMIT as i64);
                self.bin(BinaryOp::I64LtU);
                if checks > 0 {
                    self.bin(BinaryOp::I32And);
                }
                checks += 1;
            }
        }
        let fast = |g: &mut Self| {
            g.store_slot(dst, |g| {
                g.push_f64(a);
                if code == op::UNM {
                    g.un(UnaryOp::F64Neg);
                } else {
                    g.push_f64(b);
                    match code {
                        op::ADD => g.bin(BinaryOp::F64Add),
                        op::SUB => g.bin(BinaryOp::F64Sub),
                        op::MUL => g.bin(BinaryOp::F64Mul),
                        op::DIV => g.bin(BinaryOp::F64Div),
                        _ => {
                            // a - floor(a / b) * b
                            g.bin(BinaryOp::F64Div);
                            g.un(UnaryOp::F64Floor);
                            g.push_f64(b);
                            g.bin(BinaryOp::F64Mul);
                            g.set(g.fx);
                            g.push_f64(a);
                            g.get(g.fx);
                            g.bin(BinaryOp::F64Sub);
                        }
                    }
                }
                g.un(UnaryOp::I64ReinterpretF64);
                if let Some(l) = keep {
                    g.tee(l);
                }
            });
        };
        if checks == 0 {
            fast(self);
        } else {
            self.if_else(fast, slow);
        }
    }

    fn push_f64(&mut self, o: Operand) {
        match o {
            Operand::Bits(b) => {
                self.seq().f64_const(f64::from_bits(b));
            }
            Operand::Slot(s) => self.load_f64(s),
            Operand::Num(l) => self.get(l),
            Operand::Str(_) | Operand::Val(_) => {
                self.push(o);
                self.un(UnaryOp::F64ReinterpretI64);
            }
        }
    }

    fn unary(&mut self, line: u32, op: UnOp, operand: &Expr, dst: u32, keep: Option<WLocal>) {
        match op {
            UnOp::Neg => {
                let a = self.operand(operand);
                let site = self.site(
                    line,
                    name_of(self.func, operand),
                    name_of(self.func, operand),
                );
                self.arith(op::UNM, a, a, dst, site, keep);
            }
            UnOp::Not => {
                self.cond(operand);
                self.un(UnaryOp::I32Eqz);
                self.bool_to_slot(dst);
            }
            UnOp::Len => {
                let a = self.operand(operand);
                let site = self.site(line, name_of(self.func, operand), Name::None);
                let scratch = self.scratch();
                self.push(a);
                self.set(self.x);
                self.get(self.x);
                self.i64c(32);
                self.bin(BinaryOp::I64ShrU);
                self.i64c(val::TAG_STRING as i64);
                self.bin(BinaryOp::I64Eq);
                self.if_else(
                    |g| {
                        g.store_slot(dst, |g| {
                            g.get(g.x);
                            g.un(UnaryOp::I32WrapI64);
                            g.load32(layout::string::LEN);
                            g.un(UnaryOp::F64ConvertUI32);
                            g.un(UnaryOp::I64ReinterpretF64);
                        });
                    },
                    |g| {
                        g.get(g.t);
                        g.get(g.x);
                        g.slow_call(g.ctx.rt.len, dst, site, scratch);
                    },
                );
            }
        }
    }

    fn bool_to_slot(&mut self, dst: u32) {
        self.set(self.st);
        self.store_slot(dst, |g| {
            g.i64c(val::TRUE as i64);
            g.i64c(val::FALSE as i64);
            g.get(g.st);
            g.emit(wi::Select { ty: None });
        });
    }

    /// Pushes an i32 truth value for a condition.
    fn cond(&mut self, e: &Expr) {
        let mark = self.free_slot;
        match &e.kind {
            ExprKind::True | ExprKind::Number(_) | ExprKind::String(_) => self.i32c(1),
            ExprKind::Nil | ExprKind::False => self.i32c(0),
            ExprKind::Binary {
                op: op @ (BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge),
                lhs,
                rhs,
            } => self.compare(e.line, *op, lhs, rhs),
            ExprKind::Unary {
                op: UnOp::Not,
                operand,
            } => {
                self.cond(operand);
                self.un(UnaryOp::I32Eqz);
            }
            ExprKind::And(a, b) => {
                self.cond(a);
                self.if_else_val(ValType::I32, |g| g.cond(b), |g| g.i32c(0));
            }
            ExprKind::Or(a, b) => {
                self.cond(a);
                self.if_else_val(ValType::I32, |g| g.i32c(1), |g| g.cond(b));
            }
            _ => {
                let o = self.operand(e);
                self.push(o);
                self.truthy();
            }
        }
        self.free_slot = mark;
    }

    /// Pushes the i32 result of a comparison.
    fn compare(&mut self, line: u32, op: BinOp, lhs: &Expr, rhs: &Expr) {
        let a = self.operand(lhs);
        let b = self.operand(rhs);
        let scratch = self.scratch();
        match op {
            BinOp::Eq | BinOp::Ne => {
                let site = self.site(line, Name::None, Name::None);
                self.push(a);
                self.set(self.x);
                self.push(b);
                self.set(self.y);
                self.both_numbers();
                self.if_else_val(
                    ValType::I32,
                    |g| {
                        g.get(g.x);
                        g.un(UnaryOp::F64ReinterpretI64);
                        g.get(g.y);
                        g.un(UnaryOp::F64ReinterpretI64);
                        g.bin(BinaryOp::F64Eq);
                    },
                    |g| {
                        g.get(g.x);
                        g.get(g.y);
                        g.bin(BinaryOp::I64Eq);
                        g.if_else_val(
                            ValType::I32,
                            |g| g.i32c(1),
                            |g| {
                                g.get(g.t);
                                g.get(g.x);
                                g.get(g.y);
                                g.slot_addr(scratch);
                                g.call(g.ctx.rt.equal);
                                g.request_result(scratch, site);
                            },
                        );
                    },
                );
                if op == BinOp::Ne {
                    self.un(UnaryOp::I32Eqz);
                }
            }
            _ => {
                // a > b is b < a; a >= b is b <= a (operands already evaluated in order).
                let (l, r, code) = match op {
                    BinOp::Lt => (a, b, op::LT),
                    BinOp::Le => (a, b, op::LE),
                    BinOp::Gt => (b, a, op::LT),
                    _ => (b, a, op::LE),
                };
                let site = self.site(line, Name::None, Name::None);
                self.push(l);
                self.set(self.x);
                self.push(r);
                self.set(self.y);
                self.both_numbers();
                self.if_else_val(
                    ValType::I32,
                    |g| {
                        g.get(g.x);
                        g.un(UnaryOp::F64ReinterpretI64);
                        g.get(g.y);
                        g.un(UnaryOp::F64ReinterpretI64);
                        g.bin(if code == op::LT {
                            BinaryOp::F64Lt
                        } else {
                            BinaryOp::F64Le
                        });
                    },
                    |g| {
                        g.get(g.t);
                        g.i32c(code);
                        g.get(g.x);
                        g.get(g.y);
                        g.i32c(site as i32);
                        g.slot_addr(scratch);
                        g.call(g.ctx.rt.compare);
                        g.status_check();
                        g.get(g.st);
                        g.request_result(scratch, site);
                    },
                );
            }
        }
    }

    /// x and y (wasm locals) are both numbers → i32.
    fn both_numbers(&mut self) {
        self.get(self.x);
        self.i64c(val::NUMBER_LIMIT as i64);
        self.bin(BinaryOp::I64LtU);
        self.get(self.y);
        self.i64c(val::NUMBER_LIMIT as i64);
        self.bin(BinaryOp::I64LtU);
        self.bin(BinaryOp::I32And);
    }

    /// Consumes an i32 result code of `lrt_compare`/`lrt_equal` (0, 1, or a
    /// metamethod request) and pushes the final truth value.
    fn request_result(&mut self, scratch: u32, site: u32) {
        self.set(self.st);
        self.get(self.st);
        self.i32c(2);
        self.bin(BinaryOp::I32GeS);
        self.if_else_val(
            ValType::I32,
            |g| {
                g.get(g.st);
                g.set(g.rq);
                g.metacall_at(scratch, 2, site);
                g.adjust_one(scratch + 1, scratch);
                g.load_slot(scratch);
                g.truthy();
                g.get(g.rq);
                g.i32c(3);
                g.bin(BinaryOp::I32Eq);
                g.bin(BinaryOp::I32Xor);
            },
            |g| g.get(g.st),
        );
    }

    fn concat(&mut self, line: u32, lhs: &Expr, rhs: &Expr, dst: u32) {
        // Flatten the right-associative chain a .. (b .. (c .. d)).
        let mut parts = vec![lhs];
        let mut r = rhs;
        while let ExprKind::Binary {
            op: BinOp::Concat,
            lhs,
            rhs,
        } = &r.kind
        {
            parts.push(lhs);
            r = rhs;
        }
        parts.push(r);
        let first = self.alloc_slots(parts.len() as u32);
        for (i, p) in parts.iter().enumerate() {
            self.expr_to(p, first + i as u32);
        }
        let site = self.site(line, Name::None, Name::None);
        for p in &parts {
            self.site(line, name_of(self.func, p), Name::None);
        }
        let scratch = self.scratch();
        self.i32c(parts.len() as i32);
        self.set(self.i);
        self.loop_of(|g, again| {
            g.get(g.t);
            g.slot_addr(first);
            g.get(g.i);
            g.slot_addr(dst);
            g.i32c(site as i32);
            g.slot_addr(scratch);
            g.call(g.ctx.rt.concat);
            g.status_check();
            // A `__concat` request: call it, store its result in slot
            // first + k - 1 and go on with k operands.
            g.get(g.st);
            g.i32c(CONCAT_REQUEST);
            g.bin(BinaryOp::I32GeS);
            g.if_then(|g| {
                g.get(g.st);
                g.i32c(CONCAT_REQUEST);
                g.bin(BinaryOp::I32Sub);
                g.set(g.i);
                g.metacall_at(scratch, 2, site);
                g.slot_addr(first);
                g.get(g.i);
                g.i32c(3);
                g.bin(BinaryOp::I32Shl);
                g.bin(BinaryOp::I32Add);
                g.i32c(8);
                g.bin(BinaryOp::I32Sub);
                g.load_slot(scratch + 1);
                g.i64c(NIL);
                g.get(g.n);
                g.i32c(0);
                g.bin(BinaryOp::I32GtS);
                g.emit(wi::Select { ty: None });
                g.store64(0);
                g.emit(wi::Br { block: again });
            });
        });
    }

    fn closure(&mut self, id: FuncId, dst: u32) {
        let child = self.program.function(id);
        self.get(self.t);
        self.i32c((self.ctx.table_base + id.0) as i32);
        self.i32c(child.upvalues.len() as i32);
        self.current_closure();
        self.load32(layout::closure::ENV);
        self.slot_addr(dst);
        self.call(self.ctx.rt.closure_new);
        self.status_check();
        for (i, u) in child.upvalues.iter().enumerate() {
            self.load_slot(dst);
            self.un(UnaryOp::I32WrapI64);
            match u.source {
                Capture::Local(l) => {
                    let slot = self.local_slot[l.index()].expect("captured local in scope");
                    self.load_slot(slot);
                }
                Capture::Upvalue(v) => {
                    self.current_closure();
                    self.load64(layout::closure::UPVALS + 8 * v.0);
                }
            }
            self.store64(layout::closure::UPVALS + 8 * i as u32);
        }
    }

    /// A table constructor, as LuaJIT builds one: items whose key and value
    /// are constants form a template applied first, in source order; every
    /// other item is evaluated and stored in source order; a final call (or
    /// `...`) contributes all its values from its position on.
    fn table(&mut self, line: u32, items: &[TableItem], dst: u32) {
        let narr = items
            .iter()
            .filter(|i| matches!(i, TableItem::Positional(_)))
            .count() as i32;
        let nhash = items.len() as i32 - narr;
        // Build in a temporary: `dst` may be a local read by an item.
        let tslot = self.alloc_slot();
        self.get(self.t);
        self.i32c(narr);
        self.i32c(nhash);
        self.slot_addr(tslot);
        self.call(self.ctx.rt.table_new);
        self.status_check();
        let site = self.site(line, Name::None, Name::None);
        // Positions of the positional items.
        let mut index = 0u32;
        let positions: Vec<u32> = items
            .iter()
            .map(|i| {
                if matches!(i, TableItem::Positional(_)) {
                    index += 1;
                }
                index
            })
            .collect();
        let key_of = |i: usize| Expr {
            line,
            kind: ExprKind::Number(positions[i] as f64),
        };
        // Where items land without a runtime call: positional items in the
        // array part (sized for them), constant string keys in the nodes
        // of a layout computed here when every key is one.
        let layout = self.constant_key_layout(items, nhash as u32);
        if let Some(l) = &layout {
            self.load_slot(tslot);
            self.un(UnaryOp::I32WrapI64);
            self.load32(layout::table::NODE);
            self.set(self.p);
            for (i, &(key, next)) in l.nodes.iter().enumerate() {
                let at = i as u32 * layout::node::SIZE;
                if let Some(k) = key {
                    self.get(self.p);
                    self.push(Operand::Str(k));
                    self.store64(at + layout::node::KEY);
                }
                if next >= 0 {
                    self.get(self.p);
                    self.i32c(next);
                    self.store32(at + layout::node::NEXT);
                }
            }
            if l.lastfree != l.nodes.len() as u32 {
                self.load_slot(tslot);
                self.un(UnaryOp::I32WrapI64);
                self.get(self.p);
                self.i32c((l.lastfree * layout::node::SIZE) as i32);
                self.bin(BinaryOp::I32Add);
                self.store32(layout::table::LASTFREE);
            }
        }
        let store = |g: &mut Self, i: usize, k: &Expr, v: &Expr| match (&layout, &items[i]) {
            (_, TableItem::Positional(_)) => g.table_store_at(tslot, Place::Array(positions[i]), v),
            (Some(l), TableItem::Keyed(..)) => {
                let ExprKind::String(bytes) = &k.kind else {
                    unreachable!("a layout only has string keys")
                };
                let node = l.node_of[&g.ctx.string_const(bytes)];
                g.table_store_at(tslot, Place::Node(node), v)
            }
            (None, TableItem::Keyed(..)) => g.table_store(tslot, k, v, site),
        };
        // The template.
        for (i, item) in items.iter().enumerate() {
            match item {
                TableItem::Positional(v) if is_constant_value(v) => store(self, i, &key_of(i), v),
                TableItem::Keyed(k, v) if is_constant(k) && is_constant_value(v) => {
                    store(self, i, k, v)
                }
                _ => {}
            }
        }
        // Everything else, in order.
        for (i, item) in items.iter().enumerate() {
            match item {
                TableItem::Positional(v) if i == items.len() - 1 && v.kind.is_multi() => {
                    let first = self.free_slot;
                    self.explist(std::slice::from_ref(v), first, Want::All);
                    self.setlist(tslot, first, None, positions[i]);
                }
                TableItem::Positional(v) if !is_constant_value(v) => store(self, i, &key_of(i), v),
                TableItem::Keyed(k, v) if !(is_constant(k) && is_constant_value(v)) => {
                    store(self, i, k, v)
                }
                _ => {}
            }
        }
        self.store_slot(dst, |g| g.load_slot(tslot));
    }

    /// Where a fresh table's constant string keys go, when every keyed item
    /// of a constructor has one (short, so interned): the runtime's own
    /// insertion (main position `hash & mask`, collisions chained through free
    /// nodes taken from the end) run here, in the runtime's order — items
    /// with constant values first. With any other key the runtime inserts
    /// them all: a key inserted at run time may reuse a node whose value is
    /// still nil.
    fn constant_key_layout(&mut self, items: &[TableItem], nhash: u32) -> Option<KeyLayout> {
        let mut first = Vec::new();
        let mut rest = Vec::new();
        for item in items {
            if let TableItem::Keyed(k, v) = item {
                match &k.kind {
                    ExprKind::String(b) if b.len() <= layout::string::MAX_SHORT as usize => {
                        if is_constant_value(v) {
                            &mut first
                        } else {
                            &mut rest
                        }
                        .push(b.clone())
                    }
                    _ => return None,
                }
            }
        }
        if first.is_empty() && rest.is_empty() {
            return None;
        }
        let size = nhash.next_power_of_two() as usize;
        let mask = size as u32 - 1;
        let main = |b: &[u8]| (moonshift_abi::hash_bytes(b) & mask) as usize;
        let mut nodes: Vec<(Option<Vec<u8>>, i32)> = vec![(None, -1); size];
        let mut lastfree = size;
        for key in first.into_iter().chain(rest) {
            if nodes.iter().any(|(k, _)| k.as_ref() == Some(&key)) {
                continue;
            }
            let mut mp = main(&key);
            if let Some(other) = nodes[mp].0.clone() {
                // There is always a free node: no more keys than nodes.
                lastfree = (0..lastfree).rev().find(|&i| nodes[i].0.is_none())?;
                let f = lastfree;
                let other_main = main(&other);
                if other_main != mp {
                    // Move the intruder to the free node; the key takes its place.
                    let mut prev = other_main;
                    while nodes[prev].1 as usize != mp {
                        prev = nodes[prev].1 as usize;
                    }
                    nodes[prev].1 = f as i32;
                    nodes[f] = nodes[mp].clone();
                    nodes[mp] = (None, -1);
                } else {
                    nodes[f].1 = nodes[mp].1;
                    nodes[mp].1 = f as i32;
                    mp = f;
                }
            }
            nodes[mp].0 = Some(key);
        }
        let mut node_of = HashMap::new();
        let nodes = nodes
            .into_iter()
            .enumerate()
            .map(|(i, (k, next))| {
                let k = k.map(|b| {
                    let c = self.ctx.string_const(&b);
                    node_of.insert(c, i as u32);
                    c
                });
                (k, next)
            })
            .collect();
        Some(KeyLayout {
            nodes,
            node_of,
            lastfree: lastfree as u32,
        })
    }

    /// `v` stored straight into a fresh table's array part or hash node.
    fn table_store_at(&mut self, tslot: u32, place: Place, v: &Expr) {
        let keep = self.free_slot;
        let vo = self.operand(v);
        self.load_slot(tslot);
        self.un(UnaryOp::I32WrapI64);
        let offset = match place {
            Place::Array(k) => {
                self.load32(layout::table::ARRAY);
                8 * (k - 1)
            }
            Place::Node(i) => {
                self.load32(layout::table::NODE);
                i * layout::node::SIZE + layout::node::VALUE
            }
        };
        self.push(vo);
        self.store64(offset);
        self.free_slot = keep;
    }

    /// `table[k] = v` without metamethods (constructor items).
    fn table_store(&mut self, tslot: u32, k: &Expr, v: &Expr, site: u32) {
        let keep = self.free_slot;
        let ko = self.operand(k);
        let vo = self.operand(v);
        self.get(self.t);
        self.load_slot(tslot);
        self.push(ko);
        self.push(vo);
        self.i32c(site as i32);
        self.call(self.ctx.rt.table_rawset);
        self.status_check();
        self.free_slot = keep;
    }

    /// `table[start..] = slots first..first+count` (`None`: the count is in `n`).
    fn setlist(&mut self, tslot: u32, first: u32, count: Option<u32>, start: u32) {
        self.get(self.t);
        self.load_slot(tslot);
        self.slot_addr(first);
        match count {
            Some(k) => self.i32c(k as i32),
            None => self.get(self.n),
        }
        self.i32c(start as i32);
        self.call(self.ctx.rt.table_setlist);
        self.status_check();
    }

    /// Evaluates `exprs` into consecutive slots from `first`. For
    /// `Want::Fixed(k)` exactly `k` slots are written (nil-padded; extra
    /// expressions are evaluated and dropped) — the caller has reserved them.
    /// For `Want::All` every value is written and the count left in `n`; slots
    /// are used from `first` up as temporaries.
    fn explist(&mut self, exprs: &[Expr], first: u32, want: Want) {
        let mark = self.free_slot;
        let count = exprs.len() as u32;
        let fixed = match want {
            Want::Fixed(k) => k,
            Want::All => u32::MAX,
        };
        for (i, e) in exprs.iter().enumerate() {
            let i = i as u32;
            // Temporaries go above the slot being written.
            let slot = first + i;
            if i < fixed && self.free_slot <= slot {
                self.alloc_slots(slot + 1 - self.free_slot);
            }
            if i + 1 == count && matches!(e.kind, ExprKind::Vararg) {
                match want {
                    Want::All => {
                        self.copy_varargs(slot);
                        self.get(self.nva);
                        self.i32c(i as i32);
                        self.bin(BinaryOp::I32Add);
                        self.set(self.n);
                    }
                    Want::Fixed(k) => {
                        for j in i..k {
                            self.store_slot(first + j, |g| {
                                g.get(g.vabase);
                                g.load64((j - i) * 8);
                                g.i64c(NIL);
                                g.get(g.nva);
                                g.i32c((j - i) as i32);
                                g.bin(BinaryOp::I32GtS);
                                g.emit(wi::Select { ty: None });
                            });
                        }
                    }
                }
                self.free_slot = mark;
                return;
            }
            if i + 1 == count && e.kind.is_multi() {
                // The call's results start at its callee slot + 1; move them down.
                let f = self.alloc_slot();
                self.call_expr(e, f);
                match want {
                    Want::All => {
                        self.move_results(f + 1, slot);
                        self.get(self.n);
                        self.i32c(i as i32);
                        self.bin(BinaryOp::I32Add);
                        self.set(self.n);
                    }
                    Want::Fixed(k) => {
                        for j in i..k {
                            let from = f + 1 + (j - i);
                            self.store_slot(first + j, |g| {
                                g.load_slot(from);
                                g.i64c(NIL);
                                g.get(g.n);
                                g.i32c((j - i) as i32);
                                g.bin(BinaryOp::I32GtS);
                                g.emit(wi::Select { ty: None });
                            });
                        }
                    }
                }
                self.free_slot = mark;
                return;
            }
            if i < fixed {
                self.expr_to(e, slot);
            } else {
                let m = self.free_slot;
                let s = self.alloc_slot();
                self.expr_to(e, s);
                self.free_slot = m;
            }
        }
        match want {
            Want::Fixed(k) => {
                for j in count..k {
                    self.store_slot_const(first + j, NIL);
                }
            }
            Want::All => {
                self.i32c(count as i32);
                self.set(self.n);
            }
        }
        self.free_slot = mark;
    }

    /// Moves `n` values from slot `from` down to slot `to`.
    fn move_results(&mut self, from: u32, to: u32) {
        if from == to {
            return;
        }
        self.slot_addr(to);
        self.slot_addr(from);
        self.copy_down(Count::N(0));
    }

    /// Copies values from the address on top of the stack to the one below
    /// it, which is lower or equal (moves down, so ascending order is safe).
    /// Inline loads and stores: `memory.copy` is a call into wasmtime.
    fn copy_down(&mut self, count: Count) {
        self.set(self.cs);
        self.set(self.cd);
        match count {
            Count::Fixed(k) if k <= 8 => {
                for j in 0..k {
                    self.get(self.cd);
                    self.get(self.cs);
                    self.load64(8 * j);
                    self.store64(8 * j);
                }
            }
            Count::Fixed(k) => {
                self.i32c(k as i32);
                self.copy_down_loop();
            }
            Count::N(extra) => {
                self.get(self.n);
                if extra > 0 {
                    self.i32c(extra as i32);
                    self.bin(BinaryOp::I32Add);
                }
                self.copy_down_loop();
            }
        }
    }

    /// The count of values is on the stack; `cd`/`cs` hold the addresses.
    fn copy_down_loop(&mut self) {
        // ce = cs + 8 * count
        self.i32c(3);
        self.bin(BinaryOp::I32Shl);
        self.get(self.cs);
        self.bin(BinaryOp::I32Add);
        self.set(self.ce);
        self.block_of(|g, exit| {
            g.loop_of(|g, top| {
                g.get(g.cs);
                g.get(g.ce);
                g.bin(BinaryOp::I32GeU);
                g.emit(wi::BrIf { block: exit });
                g.get(g.cd);
                g.get(g.cs);
                g.load64(0);
                g.store64(0);
                g.get(g.cd);
                g.i32c(8);
                g.bin(BinaryOp::I32Add);
                g.set(g.cd);
                g.get(g.cs);
                g.i32c(8);
                g.bin(BinaryOp::I32Add);
                g.set(g.cs);
                g.emit(wi::Br { block: top });
            });
        });
    }

    /// The Lua function a callee expression always evaluates to a closure
    /// of: a local or upvalue initialised with a function and never
    /// reassigned. Such calls go straight to the function, without the
    /// callee check and the indirect call.
    fn known_callee(&self, callee: &Expr) -> Option<FuncId> {
        match callee.kind {
            ExprKind::Local(l) => self.func.local(l).known_function(),
            ExprKind::Upvalue(u) => self.ctx.upval_functions[self.fid.index()][u.index()],
            _ => None,
        }
    }

    /// Evaluates callee and arguments of a call expression with the callee at
    /// slot `f`, leaving the argument count in `n`. Returns the call's site,
    /// and the function called when it is known at compile time.
    fn call_setup(&mut self, e: &Expr, f: u32, line: u32) -> (u32, Option<FuncId>) {
        self.makes_calls = true;
        match &e.kind {
            ExprKind::Call { callee, args } => {
                self.expr_to(callee, f);
                let site = self.site(line, name_of(self.func, callee), Name::None);
                self.args(args, f + 1, 0);
                let known = self.known_callee(callee);
                if known.is_none() {
                    self.callee_check(f, site);
                }
                (site, known)
            }
            ExprKind::MethodCall { obj, method, args } => {
                self.alloc_slots((f + 2).saturating_sub(self.free_slot));
                self.expr_to(obj, f + 1);
                let k = Operand::Str(self.ctx.string_const(method.as_bytes()));
                let isite = self.site(e.line, name_of(self.func, obj), Name::None);
                self.index_call(|g| g.load_slot(f + 1), k, f, isite, None);
                let site = self.site(
                    line,
                    Name::Some(st::WHAT_METHOD, method.clone()),
                    Name::None,
                );
                self.args(args, f + 2, 1);
                self.callee_check(f, site);
                (site, None)
            }
            _ => unreachable!("call_setup on a call"),
        }
    }

    /// Evaluates arguments from slot `first`; `n` = count + `extra`.
    fn args(&mut self, args: &[Expr], first: u32, extra: u32) {
        if self.free_slot < first {
            self.alloc_slots(first - self.free_slot);
        }
        if args.last().is_some_and(|a| a.kind.is_multi()) {
            self.explist(args, first, Want::All);
            if extra > 0 {
                self.get(self.n);
                self.i32c(extra as i32);
                self.bin(BinaryOp::I32Add);
                self.set(self.n);
            }
        } else {
            let k = args.len() as u32;
            self.alloc_slots((first + k).saturating_sub(self.free_slot));
            self.explist(args, first, Want::Fixed(k));
            self.i32c((k + extra) as i32);
            self.set(self.n);
        }
    }

    /// A non-function callee goes through `lrt_call_prep` (`__call` or error).
    fn callee_check(&mut self, f: u32, site: u32) {
        self.load_slot(f);
        self.i64c(32);
        self.bin(BinaryOp::I64ShrU);
        self.i64c(val::TAG_FUNCTION as i64);
        self.bin(BinaryOp::I64Ne);
        self.max_slot = self.max_slot.max(self.free_slot + 1);
        self.if_then(|g| {
            g.get(g.t);
            g.slot_addr(f);
            g.get(g.n);
            g.i32c(site as i32);
            g.call(g.ctx.rt.call_prep);
            g.tee(g.n);
            g.i32c(0);
            g.bin(BinaryOp::I32LtS);
            g.if_then(|g| {
                g.get(g.n);
                g.unwind_top();
            });
        });
    }

    /// Calls the call expression `e` with its callee at slot `f`; results are
    /// at `f + 1`, their count in `n`.
    fn call_expr(&mut self, e: &Expr, f: u32) {
        let (site, direct) = self.call_setup(e, f, e.line);
        if direct.is_none()
            && let Some((fmt, plan)) = self.format_plan(e)
        {
            // `string.format` with a constant format (`abi::format_plan`): when the
            // callee is the builtin, its plan first; the builtin when that makes nothing.
            let builtin = builtin_index(self.ctx.table_base, self.program, Protected::Format);
            self.block_of(|g, done| {
                g.block_of(|g, generic| {
                    g.load_slot(f);
                    g.emit_func_index();
                    g.i32c(builtin as i32);
                    g.bin(BinaryOp::I32Ne);
                    g.emit(wi::BrIf { block: generic });
                    g.slot_addr(f + 1);
                    g.get(g.n);
                    g.push(Operand::Str(fmt));
                    g.push(Operand::Str(plan));
                    g.call(g.ctx.rt.format_plan);
                    g.un(UnaryOp::I32Eqz);
                    g.emit(wi::BrIf { block: generic });
                    g.i32c(1);
                    g.set(g.n);
                    g.emit(wi::Br { block: done });
                });
                g.call_to(f, CallArgs::InN, site, None);
            });
            return;
        }
        self.call_to(f, CallArgs::InN, site, direct);
    }

    /// The format and plan constants of a call `e` whose first argument is a string
    /// literal with a plan (`abi::format_plan`) and which passes an argument for each
    /// of its conversions.
    fn format_plan(&mut self, e: &Expr) -> Option<(u32, u32)> {
        let ExprKind::Call { args, .. } = &e.kind else {
            return None;
        };
        let ExprKind::String(fmt) = &args.first()?.kind else {
            return None;
        };
        let mut plan = Vec::new();
        let conversions = moonshift_abi::format_plan::plan(fmt, &mut |b| plan.push(b))?;
        let passed = args.len() - 1;
        let enough =
            passed >= conversions as usize || args.last().is_some_and(|a| a.kind.is_multi());
        if conversions == 0 || !enough {
            return None;
        }
        Some((self.ctx.string_const(fmt), self.ctx.string_const(&plan)))
    }

    /// Calls the function at slot `f` with its arguments after it.
    fn call_at(&mut self, f: u32, args: CallArgs, site: u32) {
        self.call_to(f, args, site, None);
    }

    /// [`call_at`](Self::call_at), directly to `direct`'s code when the
    /// callee is known to be a closure of it.
    fn call_to(&mut self, f: u32, args: CallArgs, site: u32, direct: Option<FuncId>) {
        match args {
            CallArgs::InN => {}
            CallArgs::Fixed(k) => {
                self.i32c(k as i32);
                self.set(self.n);
                // An iterator may not be a function either.
                self.callee_check(f, site);
            }
        }
        // depth + 1, with the call-depth limit
        self.get(self.t);
        self.load32(th::DEPTH);
        self.i32c(1);
        self.bin(BinaryOp::I32Add);
        self.tee(self.d);
        self.i32c(call::MAX_DEPTH as i32);
        self.bin(BinaryOp::I32GtU);
        self.if_then(|g| {
            g.get(g.t);
            g.i32c(site as i32);
            g.call(g.ctx.rt.stack_overflow);
            g.unwind_top();
        });
        self.get(self.t);
        self.get(self.d);
        self.store32(th::DEPTH);
        // sites[depth] = site; frames[depth] = the callee's base
        self.get(self.t);
        self.get(self.d);
        self.i32c(2);
        self.bin(BinaryOp::I32Shl);
        self.bin(BinaryOp::I32Add);
        self.tee(self.i2);
        self.i32c(site as i32);
        self.store32(th::SITES);
        self.get(self.i2);
        self.slot_addr(f + 1);
        self.store32(th::FRAMES);
        // call_indirect(t, base', n) through the closure's function index
        self.get(self.t);
        self.slot_addr(f + 1);
        self.get(self.n);
        if let Some(target) = direct {
            self.call(self.ctx.direct_targets[target.index()]);
        } else {
            self.load_slot(f);
            self.emit_func_index();
            let (ty, table) = (self.ctx.lua_type, self.ctx.table);
            self.emit(wi::CallIndirect { ty, table });
        }
        self.set(self.n);
        // depth - 1 (`d` still holds this call's depth)
        self.get(self.t);
        self.get(self.d);
        self.i32c(1);
        self.bin(BinaryOp::I32Sub);
        self.store32(th::DEPTH);
        self.get(self.n);
        self.i32c(0);
        self.bin(BinaryOp::I32LtS);
        self.if_then(|g| {
            g.get(g.n);
            g.unwind_top();
        });
    }

    /// closure value (i64) on the stack → its function-table index (i32).
    fn emit_func_index(&mut self) {
        self.un(UnaryOp::I32WrapI64);
        self.load32(layout::closure::FUNC_INDEX);
    }
}

#[derive(Clone, Copy)]
enum CallArgs {
    /// The argument count is in `n` already.
    InN,
    Fixed(u32),
}

/// Expressions that write their destination before reading all operands:
/// `and`/`or` (the left value first) and closures (created in place, then
/// their captured locals read). Every other expression evaluated by
/// [`FnGen::expr_to`] may target a slot one of its operands lives in.
fn writes_dst_early(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::And(..) | ExprKind::Or(..) | ExprKind::Function(_) => true,
        ExprKind::Paren(inner) => writes_dst_early(inner),
        _ => false,
    }
}

/// Expressions [`FnGen::expr_keep`] can leave in a mirror local as well as in
/// their slot: indexing, globals, arithmetic and negation. Each writes its
/// destination on every path through a store that also sets the local, or
/// reloads the local after a slow path.
fn keeps_value(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Index { .. } | ExprKind::Global(_) => true,
        ExprKind::Binary { op, .. } => matches!(
            op,
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod | BinOp::Pow
        ),
        ExprKind::Unary { op, .. } => *op == UnOp::Neg,
        ExprKind::Paren(inner) => keeps_value(inner),
        _ => false,
    }
}

/// A constructor value the template holds: a constant or nil (LuaJIT's
/// `expr_isk_nojump`), so `{[4] = nil, [4] = "s"}` keeps "s".
fn is_constant_value(e: &Expr) -> bool {
    is_constant(e) || matches!(e.kind, ExprKind::Nil)
}

/// Constants a constructor's template holds (LuaJIT's `TDUP` items).
fn is_constant(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Number(_) | ExprKind::String(_) | ExprKind::True | ExprKind::False
    )
}

/// The name LuaJIT gives an operand in error messages.
fn name_of(func: &Function, e: &Expr) -> Name {
    match &e.kind {
        // LuaJIT names the register an `and`/`or` leaves its result in after
        // the right operand, whichever side the value came from — unless the
        // left operand is a condition LuaJIT compiles to jumps (a comparison
        // or `not`): then the result is a fresh register with no name.
        ExprKind::And(l, r) | ExprKind::Or(l, r) => {
            let jumps = match &l.kind {
                ExprKind::Binary { op, .. } => matches!(
                    op,
                    BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
                ),
                ExprKind::Unary { op: UnOp::Not, .. } => true,
                _ => false,
            };
            if jumps { Name::None } else { name_of(func, r) }
        }
        ExprKind::Local(l) => Name::Some(st::WHAT_LOCAL, func.local(*l).name.clone()),
        ExprKind::Upvalue(u) => Name::Some(st::WHAT_UPVALUE, func.upvalues[u.index()].name.clone()),
        ExprKind::Global(g) => Name::Some(st::WHAT_GLOBAL, g.clone()),
        ExprKind::Index { key, .. } => match &key.kind {
            ExprKind::String(s) => match std::str::from_utf8(s) {
                Ok(s) => Name::Some(st::WHAT_FIELD, s.to_string()),
                Err(_) => Name::None,
            },
            _ => Name::None,
        },
        _ => Name::None,
    }
}
