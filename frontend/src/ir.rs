//! The scoped IR: a Lua chunk after name resolution.
//!
//! It is a tree, close to the source, in which every name is resolved: a
//! [`LocalId`] of the function it is used in, an [`UpvalId`] naming one of the
//! function's captures, or a global. Each local records whether a closure
//! captures it and whether it is assigned after its declaration; the backend
//! boxes exactly the locals that are both (design-notes §6). Every node that
//! can raise an error carries the source line LuaJIT would report.
//!
//! The IR knows nothing about WebAssembly.

use std::fmt;

macro_rules! id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}

id!(
    /// A function of the program; `FuncId(0)` is the main chunk.
    FuncId
);
id!(
    /// A local variable of one function.
    LocalId
);
id!(
    /// A capture of one function (an index into [`Function::upvalues`]).
    UpvalId
);
id!(
    /// A label of one function (an index into [`Function::labels`]).
    LabelId
);

/// A whole compiled unit: the script's chunk, the chunks of the modules it
/// `require`s, and every function nested in them.
#[derive(Debug, Clone)]
pub struct Program {
    /// Chunk 0 is the script; the others are modules.
    pub chunks: Vec<Chunk>,
    pub functions: Vec<Function>,
    /// Uses of APIs the compiled module does not have, by file (`lint.rs`).
    pub warnings: Vec<crate::FileDiagnostics>,
}

#[derive(Debug, Clone)]
pub struct Chunk {
    /// The chunk name as LuaJIT prints it in messages (`script.lua`).
    pub chunk_name: String,
    /// The name `require` finds it by (none for the script).
    pub module: Option<String>,
    /// Its main function.
    pub main: FuncId,
}

impl Program {
    pub const MAIN: FuncId = FuncId(0);

    pub fn function(&self, id: FuncId) -> &Function {
        &self.functions[id.index()]
    }
}

#[derive(Debug, Clone)]
pub struct Function {
    /// A readable name for listings (`main`, `f`, `obj:m`, `anonymous@12`).
    pub name: String,
    /// The chunk (index into [`Program::chunks`]) the function is written in.
    pub chunk: u32,
    pub line: u32,
    pub params: Vec<LocalId>,
    pub is_vararg: bool,
    pub locals: Vec<LocalInfo>,
    pub upvalues: Vec<Upvalue>,
    /// Label names, by [`LabelId`] (some are placeholders no statement uses).
    pub labels: Vec<String>,
    pub body: Block,
}

impl Function {
    /// An empty function to be filled by the lowering.
    pub fn new(name: String, chunk: u32, line: u32) -> Self {
        Function {
            name,
            chunk,
            line,
            params: Vec::new(),
            is_vararg: false,
            locals: Vec::new(),
            upvalues: Vec::new(),
            labels: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn local(&self, id: LocalId) -> &LocalInfo {
        &self.locals[id.index()]
    }
}

#[derive(Debug, Clone)]
pub struct LocalInfo {
    pub name: String,
    /// Some closure refers to this local.
    pub captured: bool,
    /// The local is assigned after its declaration.
    pub reassigned: bool,
    /// The closure of this function is the local's initial value (`local
    /// function f`, `local f = function … end`); unless `reassigned`, every
    /// read of the local yields a closure of it.
    pub initial_function: Option<FuncId>,
}

impl LocalInfo {
    /// The function every value of this local is a closure of, if known.
    pub fn known_function(&self) -> Option<FuncId> {
        self.initial_function.filter(|_| !self.reassigned)
    }
}

impl LocalInfo {
    /// Captured and reassigned locals live in a heap cell.
    pub fn needs_cell(&self) -> bool {
        self.captured && self.reassigned
    }
}

#[derive(Debug, Clone)]
pub struct Upvalue {
    pub name: String,
    pub source: Capture,
}

/// Where a closure's capture comes from, in the enclosing function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    Local(LocalId),
    Upvalue(UpvalId),
}

pub type Block = Vec<Stmt>;

#[derive(Debug, Clone)]
pub struct Stmt {
    pub line: u32,
    pub kind: StmtKind,
}

#[derive(Debug, Clone)]
pub enum StmtKind {
    /// `local a, b = e1, e2`
    Local {
        locals: Vec<LocalId>,
        values: Vec<Expr>,
    },
    /// `local function f() … end`: `local` is in scope inside `func`.
    LocalFunction {
        local: LocalId,
        func: FuncId,
    },
    /// `a, b.c = e1, e2` (also `function a.b() … end`)
    Assign {
        targets: Vec<Target>,
        values: Vec<Expr>,
    },
    /// A call used as a statement.
    Call(Expr),
    Do(Block),
    While {
        cond: Expr,
        body: Block,
    },
    /// `repeat body until cond`; `cond` sees the body's locals.
    Repeat {
        body: Block,
        cond: Expr,
    },
    If {
        arms: Vec<(Expr, Block)>,
        otherwise: Option<Block>,
    },
    NumericFor {
        var: LocalId,
        start: Expr,
        limit: Expr,
        step: Option<Expr>,
        body: Block,
    },
    /// `for a, b in exprs do body end`: `exprs` adjusted to (iterator, state, control).
    GenericFor {
        vars: Vec<LocalId>,
        exprs: Vec<Expr>,
        body: Block,
    },
    Return(Vec<Expr>),
    Break,
    /// `goto name`, resolved to a label visible from here (LuaJIT's rules).
    Goto(LabelId),
    /// `::name::`
    Label(LabelId),
}

#[derive(Debug, Clone)]
pub enum Target {
    Local(LocalId),
    Upvalue(UpvalId),
    Global(String),
    Index { obj: Expr, key: Expr, line: u32 },
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub line: u32,
    pub kind: ExprKind,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Nil,
    True,
    False,
    Number(f64),
    String(Vec<u8>),
    /// `...`
    Vararg,
    Local(LocalId),
    Upvalue(UpvalId),
    Global(String),
    Index {
        obj: Box<Expr>,
        key: Box<Expr>,
    },
    Call {
        callee: Box<Expr>,
        args: Vec<Expr>,
    },
    MethodCall {
        obj: Box<Expr>,
        method: String,
        args: Vec<Expr>,
    },
    Function(FuncId),
    Binary {
        op: BinOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    Unary {
        op: UnOp,
        operand: Box<Expr>,
    },
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Table(Vec<TableItem>),
    /// `(e)`: truncates `e` to one value.
    Paren(Box<Expr>),
}

impl ExprKind {
    /// Calls and `...` produce a variable number of values when last in a list.
    pub fn is_multi(&self) -> bool {
        matches!(
            self,
            ExprKind::Call { .. } | ExprKind::MethodCall { .. } | ExprKind::Vararg
        )
    }
}

#[derive(Debug, Clone)]
pub enum TableItem {
    Positional(Expr),
    Keyed(Expr, Expr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Concat,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
    Len,
}

impl fmt::Display for BinOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Pow => "^",
            BinOp::Concat => "..",
            BinOp::Eq => "==",
            BinOp::Ne => "~=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
        })
    }
}

impl fmt::Display for UnOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnOp::Neg => "-",
            UnOp::Not => "not ",
            UnOp::Len => "#",
        })
    }
}
