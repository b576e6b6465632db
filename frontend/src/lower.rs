//! full_moon AST → scoped IR, resolving every name.
//!
//! Resolution follows Lua 5.1: a name is the innermost visible local of the
//! current function, else a capture of an enclosing function's local (an
//! upvalue, threaded through every function in between), else a global. A
//! `local` statement's names come into scope after its expressions; `local
//! function f` is in scope in its own body; `repeat … until c` sees the body's
//! locals in `c`.
//!
//! Constructs outside what the backend compiles yet are reported here as
//! diagnostics naming the construct and its line, never silently dropped.

use full_moon::ast;
use full_moon::node::Node;
use full_moon::tokenizer::{Symbol, Token, TokenReference, TokenType};
use moonshift_abi::numscan;

use crate::diag::Diagnostic;
use crate::ir::*;

struct FuncState {
    func: Function,
    /// Visible locals, innermost last: (name, id).
    scope: Vec<(String, LocalId)>,
    /// Scope lengths at each open block.
    blocks: Vec<usize>,
    loop_depth: u32,
    /// One per statement list being lowered, innermost last.
    label_scopes: Vec<LabelScope>,
    /// Forward gotos lowered with a placeholder label: placeholder → label.
    label_fixups: Vec<(LabelId, LabelId)>,
}

impl FuncState {
    fn new(func: Function) -> Self {
        FuncState {
            func,
            scope: Vec::new(),
            blocks: Vec::new(),
            loop_depth: 0,
            label_scopes: Vec::new(),
            label_fixups: Vec::new(),
        }
    }
}

/// Labels and unresolved gotos of one statement list.
#[derive(Default)]
struct LabelScope {
    /// Labels declared so far: name, id, index of the label statement.
    labels: Vec<(String, LabelId, usize)>,
    /// Gotos whose label is not declared yet.
    pending: Vec<PendingGoto>,
    /// Resolved forward gotos, checked for skipped locals when the list ends.
    forward: Vec<(PendingGoto, usize)>,
    /// Index the statement being lowered will get in this list.
    next_index: usize,
    /// `repeat … until`: the condition is in the body's scope, so a label at
    /// the end of the body is still inside its locals' scope.
    is_repeat: bool,
}

#[derive(Clone)]
struct PendingGoto {
    name: String,
    placeholder: LabelId,
    line: u32,
    column: u32,
    span: std::ops::Range<usize>,
    /// Index, in the scope's list, of the statement containing the goto.
    index: usize,
}

pub struct Lowerer<'a> {
    source: &'a str,
    funcs: Vec<FuncState>,
    done: Vec<Option<Function>>,
    diags: Vec<Diagnostic>,
    /// The id of this chunk's main function; its other functions follow.
    first: u32,
    /// Index of this chunk in the program.
    chunk: u32,
    /// `require("name")` calls with a literal name: name and line.
    pub requires: Vec<(String, u32)>,
}

/// Arithmetic on two number constants, folded as LuaJIT's parser folds it
/// (`foldarith`): the result is a constant unless it is NaN or -0. A folded
/// value counts as a constant in a table constructor's template, which
/// decides the order of duplicate keys (`{[3] = -1/0, [3] = "y"}` keeps "y").
fn fold_arith(op: BinOp, l: &ExprKind, r: &ExprKind) -> Option<f64> {
    let (ExprKind::Number(a), ExprKind::Number(b)) = (l, r) else {
        return None;
    };
    let (a, b) = (*a, *b);
    let x = match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        BinOp::Mod => a - (a / b).floor() * b,
        BinOp::Pow => a.powf(b),
        _ => return None,
    };
    (!x.is_nan() && !(x == 0.0 && x.is_sign_negative())).then_some(x)
}

fn line_of(tok: &TokenReference) -> u32 {
    tok.token().start_position().line() as u32
}

fn ident(tok: &TokenReference) -> String {
    match tok.token().token_type() {
        TokenType::Identifier { identifier } => identifier.to_string(),
        _ => tok.token().to_string(),
    }
}

fn first_token_line(node: &impl full_moon::node::Node) -> u32 {
    node.start_position().map(|p| p.line() as u32).unwrap_or(0)
}

impl<'a> Lowerer<'a> {
    pub fn new(source: &'a str) -> Self {
        Lowerer {
            source,
            funcs: Vec::new(),
            done: Vec::new(),
            diags: Vec::new(),
            first: 0,
            chunk: 0,
            requires: Vec::new(),
        }
    }

    fn error_at(&mut self, tok: &Token, message: impl Into<String>, label: impl Into<String>) {
        let start = tok.start_position();
        let end = tok.end_position();
        self.diags.push(Diagnostic::new(
            message.into(),
            start.line() as u32,
            start.character() as u32,
            start.bytes()
                ..end
                    .bytes()
                    .max(start.bytes() + 1)
                    .min(self.source.len().max(1)),
            label.into(),
        ));
    }

    fn unsupported(&mut self, node: &impl full_moon::node::Node, what: &str) {
        let (Some(start), Some(end)) = (node.start_position(), node.end_position()) else {
            return;
        };
        self.diags.push(Diagnostic::new(
            format!("unsupported construct: {what}"),
            start.line() as u32,
            start.character() as u32,
            start.bytes()..end.bytes().max(start.bytes() + 1),
            format!("{what} is not supported by moonshift yet"),
        ));
    }

    /// Lowers a parsed chunk into a program, or returns the diagnostics.
    /// Lowers this chunk as chunk number `chunk` whose functions are numbered
    /// from `first`: its main function, then the functions nested in it.
    pub fn lower_chunk(
        mut self,
        chunk: u32,
        first: u32,
        ast: &ast::Ast,
    ) -> Result<(Vec<Function>, Vec<(String, u32)>), Vec<Diagnostic>> {
        self.first = first;
        self.chunk = chunk;
        self.done.push(None);
        let mut main = Function::new("main".into(), chunk, 0);
        main.is_vararg = true;
        self.funcs.push(FuncState::new(main));
        let body = self.block(ast.nodes());
        let state = self.funcs.pop().expect("main function state");
        let mut main = state.func;
        main.body = body;
        fix_labels(&mut main.body, &state.label_fixups);
        self.done[0] = Some(main);
        if !self.diags.is_empty() {
            return Err(self.diags);
        }
        let functions = self
            .done
            .into_iter()
            .map(|f| f.expect("every function lowered"))
            .collect();
        Ok((functions, self.requires))
    }

    fn cur(&mut self) -> &mut FuncState {
        self.funcs.last_mut().expect("a function is being lowered")
    }

    fn open_block(&mut self) {
        let n = self.cur().scope.len();
        self.cur().blocks.push(n);
    }

    fn close_block(&mut self) {
        let n = self.cur().blocks.pop().expect("balanced blocks");
        self.cur().scope.truncate(n);
    }

    fn declare(&mut self, name: String) -> LocalId {
        let f = self.cur();
        let id = LocalId(f.func.locals.len() as u32);
        f.func.locals.push(LocalInfo {
            name: name.clone(),
            captured: false,
            reassigned: false,
            initial_function: None,
        });
        f.scope.push((name, id));
        id
    }

    /// Resolves `name` as seen from function `level` (an index into `funcs`).
    fn resolve_in(&mut self, level: usize, name: &str) -> Option<Capture> {
        if let Some(&(_, id)) = self.funcs[level]
            .scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
        {
            return Some(Capture::Local(id));
        }
        if let Some(i) = self.funcs[level]
            .func
            .upvalues
            .iter()
            .position(|u| u.name == name)
        {
            return Some(Capture::Upvalue(UpvalId(i as u32)));
        }
        if level == 0 {
            return None;
        }
        let outer = self.resolve_in(level - 1, name)?;
        if let Capture::Local(id) = outer {
            self.funcs[level - 1].func.locals[id.index()].captured = true;
        }
        let ups = &mut self.funcs[level].func.upvalues;
        ups.push(Upvalue {
            name: name.to_string(),
            source: outer,
        });
        Some(Capture::Upvalue(UpvalId(ups.len() as u32 - 1)))
    }

    fn resolve(&mut self, name: &str) -> ExprKind {
        let level = self.funcs.len() - 1;
        match self.resolve_in(level, name) {
            Some(Capture::Local(id)) => ExprKind::Local(id),
            Some(Capture::Upvalue(id)) => ExprKind::Upvalue(id),
            None => ExprKind::Global(name.to_string()),
        }
    }

    /// Records the modules a call requires by literal name: `require("m")`,
    /// and `pcall(require, "m")` (the optional-module idiom).
    fn note_require(&mut self, callee: &Expr, args: &[Expr], line: u32) {
        let is_require = |e: &Expr| matches!(&e.kind, ExprKind::Global(g) if g == "require");
        let name = match args {
            [
                lit @ Expr {
                    kind: ExprKind::String(_),
                    ..
                },
            ] if is_require(callee) => Some(lit),
            [f, m, ..]
                if is_require(f) && matches!(&callee.kind, ExprKind::Global(g) if g == "pcall") =>
            {
                Some(m)
            }
            _ => None,
        };
        if let Some(Expr {
            kind: ExprKind::String(name),
            ..
        }) = name
        {
            self.requires
                .push((String::from_utf8_lossy(name).into_owned(), line));
        }
    }

    /// Globals that load code at run time cannot work in an ahead-of-time
    /// compiled module: using one is a compile-time error.
    fn check_dynamic_loading(&mut self, tok: &TokenReference, kind: &ExprKind) {
        if let ExprKind::Global(name) = kind
            && matches!(name.as_str(), "load" | "loadstring" | "loadfile" | "dofile")
        {
            self.error_at(
                tok.token(),
                format!("unsupported: `{name}` loads code at run time"),
                "moonshift compiles every chunk ahead of time; use `require` of a file of the project",
            );
        }
    }

    /// Marks the local or the captured local behind an upvalue as reassigned.
    fn mark_reassigned(&mut self, kind: &ExprKind) {
        let level = self.funcs.len() - 1;
        match *kind {
            ExprKind::Local(id) => self.funcs[level].func.locals[id.index()].reassigned = true,
            ExprKind::Upvalue(id) => self.mark_upvalue_reassigned(level, id),
            _ => {}
        }
    }

    fn mark_upvalue_reassigned(&mut self, level: usize, id: UpvalId) {
        match self.funcs[level].func.upvalues[id.index()].source {
            Capture::Local(l) => self.funcs[level - 1].func.locals[l.index()].reassigned = true,
            Capture::Upvalue(u) => self.mark_upvalue_reassigned(level - 1, u),
        }
    }

    fn block(&mut self, block: &ast::Block) -> Block {
        self.open_block();
        let out = self.block_body(block);
        self.close_block();
        out
    }

    /// A block's statements without opening a scope (for `repeat`).
    fn block_body(&mut self, block: &ast::Block) -> Block {
        self.block_body_with(block, false)
    }

    fn block_body_with(&mut self, block: &ast::Block, is_repeat: bool) -> Block {
        let mut out = Vec::new();
        self.cur().label_scopes.push(LabelScope {
            is_repeat,
            ..LabelScope::default()
        });
        for stmt in block.stmts() {
            self.cur()
                .label_scopes
                .last_mut()
                .expect("scope")
                .next_index = out.len();
            self.stmt(stmt, &mut out);
        }
        if block.last_stmt().is_some() {
            self.cur()
                .label_scopes
                .last_mut()
                .expect("scope")
                .next_index = out.len();
        }
        if let Some(last) = block.last_stmt() {
            match last {
                ast::LastStmt::Break(tok) => {
                    if self.cur().loop_depth == 0 {
                        self.error_at(tok.token(), "no loop to break", "`break` outside a loop");
                    }
                    out.push(Stmt {
                        line: line_of(tok),
                        kind: StmtKind::Break,
                    });
                }
                ast::LastStmt::Return(ret) => {
                    let values = ret.returns().iter().map(|e| self.expr(e)).collect();
                    // LuaJIT emits a tail call once the statement is parsed:
                    // its line is where the statement ends.
                    let line = ret
                        .end_position()
                        .map_or(line_of(ret.token()), |p| p.line() as u32);
                    out.push(Stmt {
                        line,
                        kind: StmtKind::Return(values),
                    });
                }
                other => self.unsupported(other, "this statement"),
            }
        }
        self.close_label_scope(&out);
        out
    }

    /// Ends a statement list: checks its forward gotos for skipped locals and
    /// hands unresolved gotos to the enclosing list (or reports them).
    fn close_label_scope(&mut self, out: &Block) {
        let scope = self
            .cur()
            .label_scopes
            .pop()
            .expect("balanced label scopes");
        for (goto, label_index) in &scope.forward {
            // A label followed only by labels ends the block: it is outside the
            // scope of the block's locals (not so in a repeat body).
            let at_end = !scope.is_repeat
                && out[label_index + 1..]
                    .iter()
                    .all(|s| matches!(s.kind, StmtKind::Label(_)));
            if at_end {
                continue;
            }
            let skipped = out[goto.index + 1..*label_index]
                .iter()
                .find_map(|s| match &s.kind {
                    StmtKind::Local { locals, .. } => locals.first().copied(),
                    StmtKind::LocalFunction { local, .. } => Some(*local),
                    _ => None,
                });
            if let Some(local) = skipped {
                let name = self.cur().func.locals[local.index()].name.clone();
                self.diags.push(Diagnostic::new(
                    format!(
                        "<goto {}> jumps into the scope of local '{name}'",
                        goto.name
                    ),
                    goto.line,
                    goto.column,
                    goto.span.clone(),
                    format!("this goto skips the declaration of `{name}`"),
                ));
            }
        }
        let f = self.cur();
        match f.label_scopes.last_mut() {
            Some(parent) => {
                let index = parent.next_index;
                parent.pending.extend(
                    scope
                        .pending
                        .into_iter()
                        .map(|g| PendingGoto { index, ..g }),
                );
            }
            None => {
                for g in scope.pending {
                    self.diags.push(Diagnostic::new(
                        format!("undefined label '{}'", g.name),
                        g.line,
                        g.column,
                        g.span.clone(),
                        "no visible label with this name".into(),
                    ));
                }
            }
        }
    }

    fn goto(&mut self, tok: &TokenReference, name: String, out: &Block) -> StmtKind {
        let f = self.cur();
        let visible = f
            .label_scopes
            .iter()
            .rev()
            .flat_map(|s| s.labels.iter())
            .find(|(n, ..)| *n == name);
        if let Some(&(_, id, _)) = visible {
            return StmtKind::Goto(id);
        }
        let placeholder = LabelId(f.func.labels.len() as u32);
        f.func.labels.push(name.clone());
        let start = tok.token().start_position();
        let pending = PendingGoto {
            name,
            placeholder,
            line: start.line() as u32,
            column: start.character() as u32,
            span: start.bytes()..tok.token().end_position().bytes(),
            index: out.len(),
        };
        f.label_scopes
            .last_mut()
            .expect("scope")
            .pending
            .push(pending);
        StmtKind::Goto(placeholder)
    }

    fn label(&mut self, tok: &TokenReference, name: String, out: &Block) -> Option<StmtKind> {
        let f = self.cur();
        if let Some(&(_, _, _)) = f
            .label_scopes
            .iter()
            .flat_map(|s| s.labels.iter())
            .find(|(n, ..)| *n == name)
        {
            let start = tok.token().start_position();
            self.diags.push(Diagnostic::new(
                format!("label '{name}' already defined"),
                start.line() as u32,
                start.character() as u32,
                start.bytes()..tok.token().end_position().bytes(),
                "a visible label has this name".into(),
            ));
            return None;
        }
        let id = LabelId(f.func.labels.len() as u32);
        f.func.labels.push(name.clone());
        let index = out.len();
        let scope = f.label_scopes.last_mut().expect("scope");
        scope.labels.push((name.clone(), id, index));
        let (resolved, still): (Vec<PendingGoto>, Vec<PendingGoto>) =
            scope.pending.drain(..).partition(|g| g.name == name);
        scope.pending = still;
        for g in resolved {
            f.label_fixups.push((g.placeholder, id));
            f.label_scopes
                .last_mut()
                .expect("scope")
                .forward
                .push((g, index));
        }
        Some(StmtKind::Label(id))
    }

    fn stmt(&mut self, stmt: &ast::Stmt, out: &mut Block) {
        let line = first_token_line(stmt);
        let kind = match stmt {
            ast::Stmt::LocalAssignment(la) => {
                let values: Vec<Expr> = la.expressions().iter().map(|e| self.expr(e)).collect();
                let locals: Vec<LocalId> =
                    la.names().iter().map(|n| self.declare(ident(n))).collect();
                for (l, v) in locals.iter().zip(&values) {
                    if let ExprKind::Function(f) = v.kind {
                        self.cur().func.locals[l.index()].initial_function = Some(f);
                    }
                }
                StmtKind::Local { locals, values }
            }
            ast::Stmt::LocalFunction(lf) => {
                let local = self.declare(ident(lf.name()));
                let func = self.function(
                    lf.body(),
                    ident(lf.name()),
                    line_of(lf.function_token()),
                    false,
                );
                // A capture of itself needs no cell: the backend creates the
                // closure in the local's slot before filling its upvalues.
                self.cur().func.locals[local.index()].initial_function = Some(func);
                StmtKind::LocalFunction { local, func }
            }
            ast::Stmt::Assignment(a) => {
                let targets = a.variables().iter().map(|v| self.target(v)).collect();
                let values = a.expressions().iter().map(|e| self.expr(e)).collect();
                StmtKind::Assign { targets, values }
            }
            ast::Stmt::FunctionCall(call) => StmtKind::Call(self.function_call(call)),
            ast::Stmt::Do(d) => StmtKind::Do(self.block(d.block())),
            ast::Stmt::While(w) => {
                let cond = self.expr(w.condition());
                self.cur().loop_depth += 1;
                let body = self.block(w.block());
                self.cur().loop_depth -= 1;
                StmtKind::While { cond, body }
            }
            ast::Stmt::Repeat(r) => {
                self.open_block();
                self.cur().loop_depth += 1;
                let body = self.block_body_with(r.block(), true);
                self.cur().loop_depth -= 1;
                let cond = self.expr(r.until());
                self.close_block();
                StmtKind::Repeat { body, cond }
            }
            ast::Stmt::If(i) => {
                let mut arms = vec![(self.expr(i.condition()), self.block(i.block()))];
                for ei in i.else_if().into_iter().flatten() {
                    arms.push((self.expr(ei.condition()), self.block(ei.block())));
                }
                let otherwise = i.else_block().map(|b| self.block(b));
                StmtKind::If { arms, otherwise }
            }
            ast::Stmt::NumericFor(nf) => {
                let start = self.expr(nf.start());
                let limit = self.expr(nf.end());
                let step = nf.step().map(|s| self.expr(s));
                self.open_block();
                let var = self.declare(ident(nf.index_variable()));
                self.cur().loop_depth += 1;
                let body = self.block(nf.block());
                self.cur().loop_depth -= 1;
                self.close_block();
                StmtKind::NumericFor {
                    var,
                    start,
                    limit,
                    step,
                    body,
                }
            }
            ast::Stmt::FunctionDeclaration(fd) => {
                let name = fd.name();
                let names: Vec<&TokenReference> = name.names().iter().collect();
                let method = name.method_name();
                let mut display = names.iter().map(|n| ident(n)).collect::<Vec<_>>().join(".");
                if let Some(m) = method {
                    display = format!("{display}:{}", ident(m));
                }
                let fline = line_of(fd.function_token());
                let func = self.function(fd.body(), display, fline, method.is_some());
                let value = Expr {
                    line: fline,
                    kind: ExprKind::Function(func),
                };
                let first = names[0];
                let base = self.resolve(&ident(first));
                let target = if names.len() == 1 && method.is_none() {
                    self.kind_to_target(base, line_of(first))
                } else {
                    let mut obj = Expr {
                        line: line_of(first),
                        kind: base,
                    };
                    let mut keys: Vec<&TokenReference> = names[1..].to_vec();
                    if let Some(m) = method {
                        keys.push(m);
                    }
                    let last = keys.pop().expect("a dotted or method name has a last part");
                    for k in keys {
                        obj = Expr {
                            line: line_of(k),
                            kind: ExprKind::Index {
                                obj: Box::new(obj),
                                key: Box::new(Expr {
                                    line: line_of(k),
                                    kind: ExprKind::String(ident(k).into_bytes()),
                                }),
                            },
                        };
                    }
                    Target::Index {
                        obj,
                        key: Expr {
                            line: line_of(last),
                            kind: ExprKind::String(ident(last).into_bytes()),
                        },
                        line: line_of(last),
                    }
                };
                StmtKind::Assign {
                    targets: vec![target],
                    values: vec![value],
                }
            }
            ast::Stmt::GenericFor(gf) => {
                let exprs = gf.expressions().iter().map(|e| self.expr(e)).collect();
                self.open_block();
                let vars = gf.names().iter().map(|n| self.declare(ident(n))).collect();
                self.cur().loop_depth += 1;
                let body = self.block(gf.block());
                self.cur().loop_depth -= 1;
                self.close_block();
                StmtKind::GenericFor { vars, exprs, body }
            }
            ast::Stmt::Goto(g) => self.goto(g.label_name(), ident(g.label_name()), out),
            ast::Stmt::Label(l) => match self.label(l.name(), ident(l.name()), out) {
                Some(kind) => kind,
                None => return,
            },
            other => {
                self.unsupported(other, "this statement");
                return;
            }
        };
        out.push(Stmt { line, kind });
    }

    fn kind_to_target(&mut self, kind: ExprKind, line: u32) -> Target {
        self.mark_reassigned(&kind);
        match kind {
            ExprKind::Local(id) => Target::Local(id),
            ExprKind::Upvalue(id) => Target::Upvalue(id),
            ExprKind::Global(name) => Target::Global(name),
            ExprKind::Index { obj, key } => Target::Index {
                obj: *obj,
                key: *key,
                line,
            },
            _ => unreachable!("only names and index expressions are assignable"),
        }
    }

    fn target(&mut self, var: &ast::Var) -> Target {
        match var {
            ast::Var::Name(tok) => {
                let kind = self.resolve(&ident(tok));
                self.kind_to_target(kind, line_of(tok))
            }
            ast::Var::Expression(ve) => {
                let e = self.prefix_suffixes(ve.prefix(), ve.suffixes());
                match e.kind {
                    ExprKind::Index { obj, key } => Target::Index {
                        obj: *obj,
                        key: *key,
                        line: e.line,
                    },
                    _ => {
                        self.unsupported(ve.as_ref(), "assignment to a call result");
                        Target::Global(String::new())
                    }
                }
            }
            other => {
                self.unsupported(other, "this assignment target");
                Target::Global(String::new())
            }
        }
    }

    /// Lowers a function body as a new nested function and returns its id.
    fn function(
        &mut self,
        body: &ast::FunctionBody,
        name: String,
        line: u32,
        is_method: bool,
    ) -> FuncId {
        let id = FuncId(self.first + self.done.len() as u32);
        self.done.push(None);
        self.funcs
            .push(FuncState::new(Function::new(name, self.chunk, line)));
        self.open_block();
        if is_method {
            let p = self.declare("self".into());
            self.cur().func.params.push(p);
        }
        for param in body.parameters().iter() {
            match param {
                ast::Parameter::Name(tok) => {
                    let p = self.declare(ident(tok));
                    self.cur().func.params.push(p);
                }
                ast::Parameter::Ellipsis(_) => self.cur().func.is_vararg = true,
                other => self.unsupported(other, "this parameter"),
            }
        }
        let stmts = self.block_body(body.block());
        self.close_block();
        let mut state = self.funcs.pop().expect("function state");
        state.func.body = stmts;
        fix_labels(&mut state.func.body, &state.label_fixups);
        self.done[(id.0 - self.first) as usize] = Some(state.func);
        id
    }

    fn function_call(&mut self, call: &ast::FunctionCall) -> Expr {
        self.prefix_suffixes(call.prefix(), call.suffixes())
    }

    fn prefix_suffixes<'s>(
        &mut self,
        prefix: &ast::Prefix,
        suffixes: impl Iterator<Item = &'s ast::Suffix>,
    ) -> Expr {
        let mut e = match prefix {
            ast::Prefix::Name(tok) => {
                let kind = self.resolve(&ident(tok));
                self.check_dynamic_loading(tok, &kind);
                Expr {
                    line: line_of(tok),
                    kind,
                }
            }
            ast::Prefix::Expression(ex) => self.expr(ex),
            other => {
                self.unsupported(other, "this expression");
                Expr {
                    line: 0,
                    kind: ExprKind::Nil,
                }
            }
        };
        // The line the previous token ends on: a call's `(` on a later line
        // is LuaJIT's "ambiguous syntax" (Lua 5.1 refuses to guess).
        let mut last_line = prefix.end_position().map_or(0, |p| p.line());
        for suffix in suffixes {
            let paren = match suffix {
                ast::Suffix::Call(ast::Call::AnonymousCall(args)) => match &**args {
                    ast::FunctionArgs::Parentheses { parentheses, .. } => {
                        Some((parentheses.tokens().0, last_line))
                    }
                    _ => None,
                },
                ast::Suffix::Call(ast::Call::MethodCall(mc)) => match mc.args() {
                    ast::FunctionArgs::Parentheses { parentheses, .. } => Some((
                        parentheses.tokens().0,
                        mc.name().token().end_position().line(),
                    )),
                    _ => None,
                },
                _ => None,
            };
            if let Some((open, before)) = paren
                && open.token().start_position().line() != before
            {
                self.error_at(
                    open.token(),
                    "ambiguous syntax (function call x new statement) near '('",
                    "this `(` on a new line could start a new statement; end the previous one with `;`",
                );
            }
            if let Some(end) = suffix.end_position() {
                last_line = end.line();
            }
            e = match suffix {
                ast::Suffix::Index(ast::Index::Dot { dot, name })
                    if matches!(&e.kind, ExprKind::Global(g) if g == "string")
                        && ident(name) == "dump" =>
                {
                    self.error_at(
                        name.token(),
                        "unsupported: `string.dump` needs LuaJIT bytecode",
                        "moonshift compiles ahead of time; functions have no bytecode to dump",
                    );
                    e
                }
                ast::Suffix::Index(ast::Index::Dot { dot, name }) => Expr {
                    line: line_of(dot),
                    kind: ExprKind::Index {
                        obj: Box::new(e),
                        key: Box::new(Expr {
                            line: line_of(name),
                            kind: ExprKind::String(ident(name).into_bytes()),
                        }),
                    },
                },
                ast::Suffix::Index(ast::Index::Brackets {
                    brackets,
                    expression,
                }) => {
                    let key = self.expr(expression);
                    Expr {
                        line: line_of(brackets.tokens().0),
                        kind: ExprKind::Index {
                            obj: Box::new(e),
                            key: Box::new(key),
                        },
                    }
                }
                ast::Suffix::Call(ast::Call::AnonymousCall(args)) => {
                    let (line, args) = self.call_args(args);
                    self.note_require(&e, &args, line);
                    Expr {
                        line,
                        kind: ExprKind::Call {
                            callee: Box::new(e),
                            args,
                        },
                    }
                }
                ast::Suffix::Call(ast::Call::MethodCall(mc)) => {
                    let (line, args) = self.call_args(mc.args());
                    Expr {
                        line,
                        kind: ExprKind::MethodCall {
                            obj: Box::new(e),
                            method: ident(mc.name()),
                            args,
                        },
                    }
                }
                other => {
                    self.unsupported(other, "this suffix");
                    e
                }
            };
        }
        e
    }

    fn call_args(&mut self, args: &ast::FunctionArgs) -> (u32, Vec<Expr>) {
        match args {
            ast::FunctionArgs::Parentheses {
                parentheses,
                arguments,
            } => (
                line_of(parentheses.tokens().0),
                arguments.iter().map(|a| self.expr(a)).collect(),
            ),
            ast::FunctionArgs::String(tok) => {
                let s = self.string_literal(tok);
                (
                    line_of(tok),
                    vec![Expr {
                        line: line_of(tok),
                        kind: s,
                    }],
                )
            }
            ast::FunctionArgs::TableConstructor(tc) => {
                let line = line_of(tc.braces().tokens().0);
                (line, vec![self.table(tc)])
            }
            other => {
                self.unsupported(other, "these call arguments");
                (0, Vec::new())
            }
        }
    }

    fn table(&mut self, tc: &ast::TableConstructor) -> Expr {
        let line = line_of(tc.braces().tokens().0);
        let mut items = Vec::new();
        for field in tc.fields().iter() {
            match field {
                ast::Field::NoKey(e) => items.push(TableItem::Positional(self.expr(e))),
                ast::Field::NameKey { key, value, .. } => {
                    let k = Expr {
                        line: line_of(key),
                        kind: ExprKind::String(ident(key).into_bytes()),
                    };
                    let v = self.expr(value);
                    items.push(TableItem::Keyed(k, v));
                }
                ast::Field::ExpressionKey { key, value, .. } => {
                    let k = self.expr(key);
                    let v = self.expr(value);
                    items.push(TableItem::Keyed(k, v));
                }
                other => self.unsupported(other, "this table field"),
            }
        }
        Expr {
            line,
            kind: ExprKind::Table(items),
        }
    }

    fn expr(&mut self, e: &ast::Expression) -> Expr {
        match e {
            ast::Expression::BinaryOperator { lhs, binop, rhs } => {
                // LuaJIT emits the operation once the right operand is parsed,
                // so errors report the line where that operand ends.
                let line = rhs
                    .end_position()
                    .map_or(line_of(binop.token()), |p| p.line() as u32);
                let l = self.expr(lhs);
                let r = self.expr(rhs);
                // LuaJIT's parser drops `c and e` / `c or e` to `e` when the
                // constant `c` lets `e` decide (truthy for `and`, nil/false
                // for `or`): `e` keeps its kind, so `t[1 and "k"]` names
                // field 'k' in errors. (`"c" or e` is not folded: it jumps.)
                let lhs_truth = match l.kind {
                    ExprKind::Nil | ExprKind::False => Some(false),
                    ExprKind::True | ExprKind::Number(_) | ExprKind::String(_) => Some(true),
                    _ => None,
                };
                let folds = match binop {
                    ast::BinOp::And(_) => lhs_truth == Some(true),
                    ast::BinOp::Or(_) => lhs_truth == Some(false),
                    _ => false,
                };
                if folds {
                    return if r.kind.is_multi() {
                        Expr {
                            line: r.line,
                            kind: ExprKind::Paren(Box::new(r)),
                        }
                    } else {
                        r
                    };
                }
                let kind = match (binop, ()) {
                    (ast::BinOp::And(_), ()) => ExprKind::And(Box::new(l), Box::new(r)),
                    (ast::BinOp::Or(_), ()) => ExprKind::Or(Box::new(l), Box::new(r)),
                    (other, _) => {
                        let op = match other {
                            ast::BinOp::Plus(_) => BinOp::Add,
                            ast::BinOp::Minus(_) => BinOp::Sub,
                            ast::BinOp::Star(_) => BinOp::Mul,
                            ast::BinOp::Slash(_) => BinOp::Div,
                            ast::BinOp::Percent(_) => BinOp::Mod,
                            ast::BinOp::Caret(_) => BinOp::Pow,
                            ast::BinOp::TwoDots(_) => BinOp::Concat,
                            ast::BinOp::TwoEqual(_) => BinOp::Eq,
                            ast::BinOp::TildeEqual(_) => BinOp::Ne,
                            ast::BinOp::LessThan(_) => BinOp::Lt,
                            ast::BinOp::LessThanEqual(_) => BinOp::Le,
                            ast::BinOp::GreaterThan(_) => BinOp::Gt,
                            ast::BinOp::GreaterThanEqual(_) => BinOp::Ge,
                            other => {
                                self.unsupported(other, "this operator");
                                BinOp::Add
                            }
                        };
                        match fold_arith(op, &l.kind, &r.kind) {
                            Some(x) => ExprKind::Number(x),
                            None => ExprKind::Binary {
                                op,
                                lhs: Box::new(l),
                                rhs: Box::new(r),
                            },
                        }
                    }
                };
                Expr { line, kind }
            }
            ast::Expression::UnaryOperator { unop, expression } => {
                let line = line_of(unop.token());
                let operand = self.expr(expression);
                let op = match unop {
                    ast::UnOp::Minus(_) => UnOp::Neg,
                    ast::UnOp::Not(_) => UnOp::Not,
                    ast::UnOp::Hash(_) => UnOp::Len,
                    other => {
                        self.unsupported(other, "this operator");
                        UnOp::Neg
                    }
                };
                // `not` of a constant is a constant in LuaJIT's parser.
                if op == UnOp::Not {
                    let folded = match operand.kind {
                        ExprKind::Nil | ExprKind::False => Some(ExprKind::True),
                        ExprKind::True | ExprKind::Number(_) | ExprKind::String(_) => {
                            Some(ExprKind::False)
                        }
                        _ => None,
                    };
                    if let Some(kind) = folded {
                        return Expr { line, kind };
                    }
                }
                // Fold negative number literals, as LuaJIT's parser does
                // (not zero: -0 is not a constant there).
                if op == UnOp::Neg
                    && let ExprKind::Number(n) = operand.kind
                    && n != 0.0
                {
                    return Expr {
                        line,
                        kind: ExprKind::Number(-n),
                    };
                }
                Expr {
                    line,
                    kind: ExprKind::Unary {
                        op,
                        operand: Box::new(operand),
                    },
                }
            }
            ast::Expression::Parentheses {
                expression,
                contained,
            } => {
                let inner = self.expr(expression);
                let line = line_of(contained.tokens().0);
                if inner.kind.is_multi() {
                    Expr {
                        line,
                        kind: ExprKind::Paren(Box::new(inner)),
                    }
                } else {
                    inner
                }
            }
            ast::Expression::Function(f) => {
                let line = line_of(f.function_token());
                let id = self.function(f.body(), format!("anonymous@{line}"), line, false);
                Expr {
                    line,
                    kind: ExprKind::Function(id),
                }
            }
            ast::Expression::FunctionCall(call) => self.function_call(call),
            ast::Expression::TableConstructor(tc) => self.table(tc),
            ast::Expression::Number(tok) => {
                let text = tok.token().to_string();
                match parse_number(&text) {
                    Some(n) => Expr {
                        line: line_of(tok),
                        kind: ExprKind::Number(n),
                    },
                    None => {
                        self.error_at(
                            tok.token(),
                            format!("malformed number near '{text}'"),
                            "not a Lua number",
                        );
                        Expr {
                            line: line_of(tok),
                            kind: ExprKind::Nil,
                        }
                    }
                }
            }
            ast::Expression::String(tok) => Expr {
                line: line_of(tok),
                kind: self.string_literal(tok),
            },
            ast::Expression::Symbol(tok) => {
                let kind = match tok.token().token_type() {
                    TokenType::Symbol {
                        symbol: Symbol::Nil,
                    } => ExprKind::Nil,
                    TokenType::Symbol {
                        symbol: Symbol::True,
                    } => ExprKind::True,
                    TokenType::Symbol {
                        symbol: Symbol::False,
                    } => ExprKind::False,
                    TokenType::Symbol {
                        symbol: Symbol::Ellipsis,
                    } if self.cur().func.is_vararg => ExprKind::Vararg,
                    _ => {
                        self.error_at(
                            tok.token(),
                            "cannot use '...' outside a vararg function near '...'",
                            "this function has no `...` parameter",
                        );
                        ExprKind::Nil
                    }
                };
                Expr {
                    line: line_of(tok),
                    kind,
                }
            }
            ast::Expression::Var(ast::Var::Name(tok)) => {
                let kind = self.resolve(&ident(tok));
                self.check_dynamic_loading(tok, &kind);
                Expr {
                    line: line_of(tok),
                    kind,
                }
            }
            ast::Expression::Var(ast::Var::Expression(ve)) => {
                self.prefix_suffixes(ve.prefix(), ve.suffixes())
            }
            other => {
                self.unsupported(other, "this expression");
                Expr {
                    line: 0,
                    kind: ExprKind::Nil,
                }
            }
        }
    }

    fn string_literal(&mut self, tok: &TokenReference) -> ExprKind {
        let TokenType::StringLiteral {
            literal,
            quote_type,
            ..
        } = tok.token().token_type()
        else {
            return ExprKind::Nil;
        };
        if *quote_type == full_moon::tokenizer::StringLiteralQuoteType::Brackets {
            return ExprKind::String(long_string_body(literal));
        }
        match unescape(literal.as_bytes()) {
            Ok(bytes) => ExprKind::String(bytes),
            Err(msg) => {
                self.error_at(tok.token(), msg, "in this string");
                ExprKind::Nil
            }
        }
    }
}

/// A long string's contents: the first newline right after `[[` is skipped.
fn long_string_body(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let skip = match b {
        [b'\r', b'\n', ..] | [b'\n', b'\r', ..] => 2,
        [b'\n', ..] | [b'\r', ..] => 1,
        _ => 0,
    };
    b[skip..].to_vec()
}

/// Processes the escapes LuaJIT accepts in a quoted string.
pub fn unescape(s: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let Some(&e) = s.get(i) else {
            return Err("unfinished string".into());
        };
        i += 1;
        match e {
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'\\' | b'"' | b'\'' => out.push(e),
            b'\n' | b'\r' => {
                out.push(b'\n');
                if let Some(&n) = s.get(i)
                    && (n == b'\n' || n == b'\r')
                    && n != e
                {
                    i += 1;
                }
            }
            b'x' => {
                let h = s
                    .get(i..i + 2)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match h {
                    Some(b) => out.push(b),
                    None => return Err("invalid escape sequence: \\x needs two hex digits".into()),
                }
                i += 2;
            }
            b'z' => {
                while i < s.len() && s[i].is_ascii_whitespace() {
                    i += 1;
                }
            }
            b'u' => {
                if s.get(i) != Some(&b'{') {
                    return Err("invalid escape sequence: \\u needs {".into());
                }
                let close = s[i..]
                    .iter()
                    .position(|&b| b == b'}')
                    .ok_or("unfinished \\u escape")?;
                let hex =
                    std::str::from_utf8(&s[i + 1..i + close]).map_err(|_| "invalid \\u escape")?;
                let cp = u32::from_str_radix(hex, 16).map_err(|_| "invalid \\u escape")?;
                if cp > 0x7FFF_FFFF {
                    return Err("UTF-8 value too large".into());
                }
                push_utf8(cp, &mut out);
                i += close + 1;
            }
            b'0'..=b'9' => {
                let mut n: u32 = (e - b'0') as u32;
                let mut k = 0;
                while k < 2 && i < s.len() && s[i].is_ascii_digit() {
                    n = n * 10 + (s[i] - b'0') as u32;
                    i += 1;
                    k += 1;
                }
                if n > 255 {
                    return Err("invalid escape sequence: decimal escape too large".into());
                }
                out.push(n as u8);
            }
            other => return Err(format!("invalid escape sequence '\\{}'", other as char)),
        }
    }
    Ok(out)
}

/// LuaJIT's extended UTF-8 encoding (up to 31 bits).
fn push_utf8(cp: u32, out: &mut Vec<u8>) {
    if cp < 0x80 {
        out.push(cp as u8);
        return;
    }
    let mut buf = [0u8; 6];
    let mut n = 0;
    let mut x = cp;
    let mut lim = 0x3f;
    while x > lim {
        buf[5 - n] = 0x80 | (x & 0x3f) as u8;
        x >>= 6;
        n += 1;
        lim >>= 1;
    }
    let lead = (!((1u32 << (7 - n)) - 1) & 0xff) as u8 | x as u8;
    out.push(lead);
    out.extend_from_slice(&buf[6 - n..]);
}

/// Parses a numeric literal as LuaJIT's lexer does for plain numbers
/// (`lj_strscan`: decimal or `0x` hexadecimal, correctly rounded).
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim().as_bytes();
    let (scanned, len) = match t {
        [b'0', b'x' | b'X', hex @ ..] => (numscan::hex(hex), hex.len()),
        _ => (numscan::decimal(t), t.len()),
    };
    scanned.and_then(|(x, n)| (n == len).then_some(x))
}

/// Replaces the placeholder labels of forward gotos by the labels they found.
fn fix_labels(block: &mut Block, fixups: &[(LabelId, LabelId)]) {
    if fixups.is_empty() {
        return;
    }
    for stmt in block {
        match &mut stmt.kind {
            StmtKind::Goto(id) => {
                if let Some(&(_, real)) = fixups.iter().find(|(p, _)| p == id) {
                    *id = real;
                }
            }
            StmtKind::Do(b)
            | StmtKind::While { body: b, .. }
            | StmtKind::Repeat { body: b, .. }
            | StmtKind::NumericFor { body: b, .. }
            | StmtKind::GenericFor { body: b, .. } => fix_labels(b, fixups),
            StmtKind::If { arms, otherwise } => {
                for (_, b) in arms {
                    fix_labels(b, fixups);
                }
                if let Some(b) = otherwise {
                    fix_labels(b, fixups);
                }
            }
            _ => {}
        }
    }
}
