//! A stable text form of the scoped IR, for snapshot tests and `--emit ir`.
//!
//! Locals print as `name#id` with flags (`captured`, `reassigned`, `cell`),
//! upvalues as `^name#id`, globals as `@name`.

use std::fmt::Write;

use crate::ir::*;

pub fn program(p: &Program) -> String {
    let mut out = String::new();
    for (i, f) in p.functions.iter().enumerate() {
        function(&mut out, p, FuncId(i as u32), f);
    }
    out
}

fn function(out: &mut String, _p: &Program, id: FuncId, f: &Function) {
    let params: Vec<String> = f.params.iter().map(|&l| local_name(f, l)).collect();
    let _ = writeln!(
        out,
        "fn {} {}({}){} line {}",
        id.0,
        f.name,
        params.join(", "),
        if f.is_vararg { " vararg" } else { "" },
        f.line
    );
    for (i, l) in f.locals.iter().enumerate() {
        let mut flags = Vec::new();
        if l.captured {
            flags.push("captured");
        }
        if l.reassigned {
            flags.push("reassigned");
        }
        if l.needs_cell() {
            flags.push("cell");
        }
        let _ = writeln!(out, "  local {}#{} {}", l.name, i, flags.join(" "));
    }
    for (i, u) in f.upvalues.iter().enumerate() {
        let src = match u.source {
            Capture::Local(l) => format!("local #{}", l.0),
            Capture::Upvalue(v) => format!("upvalue ^{}", v.0),
        };
        let _ = writeln!(out, "  upvalue {}#{} <- {}", u.name, i, src);
    }
    block(out, f, &f.body, 1);
    out.push('\n');
}

fn local_name(f: &Function, l: LocalId) -> String {
    format!("{}#{}", f.local(l).name, l.0)
}

fn indent(out: &mut String, depth: usize) {
    for _ in 0..depth {
        out.push_str("  ");
    }
}

fn block(out: &mut String, f: &Function, b: &Block, depth: usize) {
    for s in b {
        stmt(out, f, s, depth);
    }
}

fn list(f: &Function, es: &[Expr]) -> String {
    es.iter().map(|e| expr(f, e)).collect::<Vec<_>>().join(", ")
}

fn stmt(out: &mut String, f: &Function, s: &Stmt, depth: usize) {
    indent(out, depth);
    let _ = write!(out, "{:>3}| ", s.line);
    match &s.kind {
        StmtKind::Local { locals, values } => {
            let names: Vec<String> = locals.iter().map(|&l| local_name(f, l)).collect();
            let _ = writeln!(out, "local {} = {}", names.join(", "), list(f, values));
        }
        StmtKind::LocalFunction { local, func } => {
            let _ = writeln!(
                out,
                "local function {} = fn {}",
                local_name(f, *local),
                func.0
            );
        }
        StmtKind::Assign { targets, values } => {
            let ts: Vec<String> = targets.iter().map(|t| target(f, t)).collect();
            let _ = writeln!(out, "{} = {}", ts.join(", "), list(f, values));
        }
        StmtKind::Call(e) => {
            let _ = writeln!(out, "{}", expr(f, e));
        }
        StmtKind::Do(b) => {
            let _ = writeln!(out, "do");
            block(out, f, b, depth + 1);
        }
        StmtKind::While { cond, body } => {
            let _ = writeln!(out, "while {}", expr(f, cond));
            block(out, f, body, depth + 1);
        }
        StmtKind::Repeat { body, cond } => {
            let _ = writeln!(out, "repeat");
            block(out, f, body, depth + 1);
            indent(out, depth);
            let _ = writeln!(out, "   | until {}", expr(f, cond));
        }
        StmtKind::If { arms, otherwise } => {
            for (i, (c, b)) in arms.iter().enumerate() {
                if i > 0 {
                    indent(out, depth);
                    out.push_str("   | ");
                }
                let _ = writeln!(
                    out,
                    "{} {}",
                    if i == 0 { "if" } else { "elseif" },
                    expr(f, c)
                );
                block(out, f, b, depth + 1);
            }
            if let Some(b) = otherwise {
                indent(out, depth);
                let _ = writeln!(out, "   | else");
                block(out, f, b, depth + 1);
            }
        }
        StmtKind::NumericFor {
            var,
            start,
            limit,
            step,
            body,
        } => {
            let step = step
                .as_ref()
                .map(|s| format!(", {}", expr(f, s)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "for {} = {}, {}{}",
                local_name(f, *var),
                expr(f, start),
                expr(f, limit),
                step
            );
            block(out, f, body, depth + 1);
        }
        StmtKind::GenericFor { vars, exprs, body } => {
            let names: Vec<String> = vars.iter().map(|&l| local_name(f, l)).collect();
            let _ = writeln!(out, "for {} in {}", names.join(", "), list(f, exprs));
            block(out, f, body, depth + 1);
        }
        StmtKind::Return(values) => {
            let _ = writeln!(out, "return {}", list(f, values));
        }
        StmtKind::Break => {
            let _ = writeln!(out, "break");
        }
        StmtKind::Goto(l) => {
            let _ = writeln!(out, "goto {}#{}", f.labels[l.index()], l.0);
        }
        StmtKind::Label(l) => {
            let _ = writeln!(out, "::{}#{}::", f.labels[l.index()], l.0);
        }
    }
}

fn target(f: &Function, t: &Target) -> String {
    match t {
        Target::Local(l) => local_name(f, *l),
        Target::Upvalue(u) => format!("^{}#{}", f.upvalues[u.index()].name, u.0),
        Target::Global(g) => format!("@{g}"),
        Target::Index { obj, key, .. } => format!("{}[{}]", expr(f, obj), expr(f, key)),
    }
}

fn expr(f: &Function, e: &Expr) -> String {
    match &e.kind {
        ExprKind::Nil => "nil".into(),
        ExprKind::Vararg => "...".into(),
        ExprKind::True => "true".into(),
        ExprKind::False => "false".into(),
        ExprKind::Number(n) => format!("{n:?}"),
        ExprKind::String(s) => format!("{:?}", String::from_utf8_lossy(s)),
        ExprKind::Local(l) => local_name(f, *l),
        ExprKind::Upvalue(u) => format!("^{}#{}", f.upvalues[u.index()].name, u.0),
        ExprKind::Global(g) => format!("@{g}"),
        ExprKind::Index { obj, key } => format!("{}[{}]", expr(f, obj), expr(f, key)),
        ExprKind::Call { callee, args } => format!("{}({})", expr(f, callee), list(f, args)),
        ExprKind::MethodCall { obj, method, args } => {
            format!("{}:{}({})", expr(f, obj), method, list(f, args))
        }
        ExprKind::Function(id) => format!("fn {}", id.0),
        ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", expr(f, lhs), op, expr(f, rhs)),
        ExprKind::Unary { op, operand } => format!("({}{})", op, expr(f, operand)),
        ExprKind::And(a, b) => format!("({} and {})", expr(f, a), expr(f, b)),
        ExprKind::Or(a, b) => format!("({} or {})", expr(f, a), expr(f, b)),
        ExprKind::Table(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(|i| match i {
                    TableItem::Positional(e) => expr(f, e),
                    TableItem::Keyed(k, v) => format!("[{}] = {}", expr(f, k), expr(f, v)),
                })
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        ExprKind::Paren(e) => format!("({})", expr(f, e)),
    }
}
