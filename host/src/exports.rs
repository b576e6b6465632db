//! The runtime's exports as the host calls them: found by name and type-checked once per
//! compiled program ([`Checked`]), then bound to each instance by index at their first
//! call ([`Export`]).
//!
//! wasmtime's `Instance::get_typed_func` hashes the name, and checks and roots the
//! function's type in the engine's registry (a lock and reference counts) on every
//! lookup; with an instance per request and some thirty exports that was a tenth of a
//! request's CPU time. The checks here run once, when the program is built.

use std::marker::PhantomData;
use std::sync::OnceLock;

use wasmtime::{AsContextMut, Extern, Func, Instance, Module, ModuleExport, Result, ValRaw};
use wasmtime::{ValType, format_err as anyhow};

/// A wasm scalar the runtime's exports take or return.
pub trait Scalar: Copy {
    fn is(ty: &ValType) -> bool;
    fn raw(self) -> ValRaw;
    fn from_raw(raw: &ValRaw) -> Self;
}

macro_rules! scalar {
    ($t:ident, $is:ident, $get:ident) => {
        impl Scalar for $t {
            fn is(ty: &ValType) -> bool {
                ty.$is()
            }
            fn raw(self) -> ValRaw {
                ValRaw::$t(self)
            }
            fn from_raw(raw: &ValRaw) -> Self {
                raw.$get()
            }
        }
    };
}
scalar!(i32, is_i32, get_i32);
scalar!(i64, is_i64, get_i64);

/// A list of scalars: an export's parameters or results.
pub trait Values: Sized {
    const LEN: usize;
    /// Whether `types` are exactly these values' types.
    fn matches(types: impl ExactSizeIterator<Item = ValType>) -> bool;
    fn put(self, raw: &mut [ValRaw]);
    fn get(raw: &[ValRaw]) -> Self;
}

impl Values for () {
    const LEN: usize = 0;
    fn matches(types: impl ExactSizeIterator<Item = ValType>) -> bool {
        types.len() == 0
    }
    fn put(self, _: &mut [ValRaw]) {}
    fn get(_: &[ValRaw]) -> Self {}
}

impl<A: Scalar> Values for A {
    const LEN: usize = 1;
    fn matches(mut types: impl ExactSizeIterator<Item = ValType>) -> bool {
        types.len() == 1 && types.next().is_some_and(|t| A::is(&t))
    }
    fn put(self, raw: &mut [ValRaw]) {
        raw[0] = self.raw();
    }
    fn get(raw: &[ValRaw]) -> Self {
        A::from_raw(&raw[0])
    }
}

macro_rules! tuple_values {
    ($len:literal: $($t:ident $i:tt),*) => {
        impl<$($t: Scalar),*> Values for ($($t,)*) {
            const LEN: usize = $len;
            fn matches(mut types: impl ExactSizeIterator<Item = ValType>) -> bool {
                types.len() == $len && $(types.next().is_some_and(|t| $t::is(&t)))&&*
            }
            fn put(self, raw: &mut [ValRaw]) {
                $(raw[$i] = self.$i.raw();)*
            }
            fn get(raw: &[ValRaw]) -> Self {
                ($($t::from_raw(&raw[$i]),)*)
            }
        }
    };
}
tuple_values!(2: A 0, B 1);
tuple_values!(3: A 0, B 1, C 2);
tuple_values!(4: A 0, B 1, C 2, D 3);

/// The most parameters or results an export has.
const MAX_VALUES: usize = 4;

/// An export found in a compiled module and checked to have type `P -> R`.
pub struct Checked<P, R> {
    index: ModuleExport,
    _sig: PhantomData<fn(P) -> R>,
}

impl<P: Values, R: Values> Checked<P, R> {
    pub fn find(module: &Module, name: &str) -> Result<Self> {
        let ty = module
            .get_export(name)
            .and_then(|e| e.func().cloned())
            .ok_or_else(|| anyhow!("the module exports no function `{name}`"))?;
        if !(P::matches(ty.params()) && R::matches(ty.results())) {
            return Err(anyhow!("the module's `{name}` has an unexpected type {ty}"));
        }
        let index = module
            .get_export_index(name)
            .ok_or_else(|| anyhow!("the module exports no function `{name}`"))?;
        Ok(Checked {
            index,
            _sig: PhantomData,
        })
    }

    /// This export in `instance`, an instance of the module it was found in. Looked up
    /// at its first call: a request calls few of the runtime's exports, and wasmtime
    /// makes an instance's function reference on the first lookup.
    pub fn bind(&self, instance: Instance) -> Export<P, R> {
        Export {
            index: self.index,
            instance,
            func: OnceLock::new(),
            _sig: PhantomData,
        }
    }
}

/// A function export of one instance, of type `P -> R`.
pub struct Export<P, R> {
    index: ModuleExport,
    instance: Instance,
    func: OnceLock<Func>,
    _sig: PhantomData<fn(P) -> R>,
}

impl<P: Values, R: Values> Export<P, R> {
    pub fn call(&self, mut store: impl AsContextMut, args: P) -> Result<R> {
        const { assert!(P::LEN <= MAX_VALUES && R::LEN <= MAX_VALUES) };
        let func = match self.func.get() {
            Some(f) => *f,
            None => match self.instance.get_module_export(&mut store, &self.index) {
                Some(Extern::Func(f)) => *self.func.get_or_init(|| f),
                _ => return Err(anyhow!("the instance is not of the export's module")),
            },
        };
        let mut raw = [ValRaw::i32(0); MAX_VALUES];
        args.put(&mut raw);
        let len = P::LEN.max(R::LEN);
        // SAFETY: `Checked::find` checked that the function's type is `P -> R`, and
        // `bind` took it from an instance of that same module; `raw` has room for the
        // parameters and the results.
        unsafe { func.call_unchecked(store, &mut raw[..len] as *mut [ValRaw])? };
        Ok(R::get(&raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use walrus::ValType as W;

    /// A module exporting `add: (i32, i32) -> i64`, the zero-extended sum.
    fn adder() -> Vec<u8> {
        let mut m = walrus::Module::default();
        let a = m.locals.add(W::I32);
        let b = m.locals.add(W::I32);
        let mut f = walrus::FunctionBuilder::new(&mut m.types, &[W::I32, W::I32], &[W::I64]);
        f.func_body()
            .local_get(a)
            .local_get(b)
            .binop(walrus::ir::BinaryOp::I32Add)
            .unop(walrus::ir::UnaryOp::I64ExtendUI32);
        let id = f.finish(vec![a, b], &mut m.funcs);
        m.exports.add("add", id);
        m.emit_wasm()
    }

    #[test]
    fn exports_are_checked_once_and_called_by_index() {
        let engine = wasmtime::Engine::default();
        let module = Module::new(&engine, adder()).expect("compiles");
        assert!(Checked::<(i32, i32), i32>::find(&module, "add").is_err());
        assert!(Checked::<(i64, i32), i64>::find(&module, "add").is_err());
        assert!(Checked::<i32, i64>::find(&module, "add").is_err());
        assert!(Checked::<(i32, i32, i32), i64>::find(&module, "add").is_err());
        assert!(Checked::<(i32, i32), ()>::find(&module, "add").is_err());
        assert!(Checked::<(i32, i32), i64>::find(&module, "sub").is_err());
        let add = Checked::<(i32, i32), i64>::find(&module, "add").expect("the right type");
        let mut store = wasmtime::Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).expect("instantiates");
        let bound = add.bind(instance);
        assert_eq!(bound.call(&mut store, (3, 4)).expect("runs"), 7);
        assert_eq!(bound.call(&mut store, (-1, 1)).expect("runs"), 0);
        assert_eq!(bound.call(&mut store, (-1, 0)).expect("runs"), 0xffff_ffff);
        // Bound to an instance of another module, the index does not resolve.
        let other = Module::new(&engine, adder()).expect("compiles");
        let instance = Instance::new(&mut store, &other, &[]).expect("instantiates");
        assert!(add.bind(instance).call(&mut store, (1, 2)).is_err());
    }
}
