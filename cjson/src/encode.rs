//! `cjson.encode`: lua-cjson's walk over a Lua value.
//!
//! - A table is an array when every key is an integer ≥ 1 (its length is
//!   the largest key; holes are `null`), unless it is *excessively sparse*
//!   (`encode_sparse_array`): then an error, or an object when conversion
//!   is on. A table with OpenResty's `array_mt` is an array of its `#`
//!   length; an empty table is `{}` unless `encode_empty_table_as_object`
//!   is off or it has `empty_array_mt`.
//! - Object members come in the order `next` gives them; number keys are
//!   written as quoted numbers.
//! - Numbers are `%.{precision}g`; NaN and ±inf follow
//!   `encode_invalid_numbers`.
//! - `cjson.null` (a NULL light userdata) and nil are `null`,
//!   `cjson.empty_array` is `[]`; functions, userdata and threads are errors.

use crate::{Config, InvalidNumbers, Out};

/// What a value is, as far as encoding cares.
pub enum Kind<T> {
    Nil,
    Bool(bool),
    Number(f64),
    /// A string: the arm appends it with [`Source::append_string`].
    Str,
    Table(T),
    /// `cjson.null`.
    Null,
    /// `cjson.empty_array`.
    EmptyArray,
    /// Anything else, by its Lua type name.
    Unsupported(&'static str),
}

/// What a table's metatable says about it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Meta {
    /// No metatable, or one that is neither of the two below.
    Plain,
    /// `cjson.array_mt`.
    Array,
    /// `cjson.empty_array_mt`.
    EmptyArray,
}

/// How an arm exposes its values.
pub trait Source {
    type Value: Clone;
    type Table: Clone;
    type Error;
    /// A table's raw `(key, value)` pairs, in `next` order.
    type Pairs: Iterator<Item = Result<(Self::Value, Self::Value), Self::Error>>;
    fn kind(&mut self, v: &Self::Value) -> Kind<Self::Table>;
    /// Appends string value `v` with [`crate::escape_string`].
    fn append_string<O: Out>(&mut self, v: &Self::Value, escape_slash: bool, out: &mut O);
    /// Appends `x` (finite) as C's `%.{precision}g`.
    fn append_number<O: Out>(&mut self, x: f64, precision: i32, out: &mut O);
    fn pairs(&mut self, t: &Self::Table) -> Self::Pairs;
    /// `rawget(t, i)`.
    fn index(&mut self, t: &Self::Table, i: i64) -> Self::Value;
    /// `#t` (LuaJIT's border, raw).
    fn length(&mut self, t: &Self::Table) -> i64;
    fn meta(&mut self, t: &Self::Table) -> Meta;
}

/// Why encoding stopped.
#[derive(Debug)]
pub enum Error<E> {
    Host(E),
    /// `Cannot serialise {type}: {reason}`.
    Unsupported {
        type_name: &'static str,
        reason: &'static str,
    },
    /// `Cannot serialise, excessive nesting ({depth})`.
    Depth(i32),
}

impl<E> core::fmt::Display for Error<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Error::Host(_) => f.write_str("not enough memory"),
            Error::Unsupported { type_name, reason } => {
                write!(f, "Cannot serialise {type_name}: {reason}")
            }
            Error::Depth(d) => write!(f, "Cannot serialise, excessive nesting ({d})"),
        }
    }
}

/// Encodes `v` into `out`. On an error `out` holds a partial text.
pub fn encode<S: Source, O: Out>(
    v: &S::Value,
    cfg: &Config,
    src: &mut S,
    out: &mut O,
) -> Result<(), Error<S::Error>> {
    Encoder {
        slots: 0,
        cfg,
        src,
        out,
    }
    .value(v, 0)
}

struct Encoder<'a, S: Source, O: Out> {
    /// Lua stack slots lua-cjson would hold for the open tables
    /// ([`crate::LUA_C_STACK`]).
    slots: i32,
    cfg: &'a Config,
    src: &'a mut S,
    out: &'a mut O,
}

const NOT_A_NUMBER: &str = "must not be NaN or Inf";

impl<S: Source, O: Out> Encoder<'_, S, O> {
    fn value(&mut self, v: &S::Value, depth: i32) -> Result<(), Error<S::Error>> {
        match self.src.kind(v) {
            Kind::Nil | Kind::Null => self.out.extend(b"null"),
            Kind::Bool(b) => self.out.extend(if b { b"true" } else { b"false" }),
            Kind::Number(x) => self.number(x)?,
            Kind::Str => self
                .src
                .append_string(v, self.cfg.escape_forward_slash, self.out),
            Kind::EmptyArray => self.out.extend(b"[]"),
            Kind::Table(t) => self.table(&t, depth + 1)?,
            Kind::Unsupported(type_name) => {
                return Err(Error::Unsupported {
                    type_name,
                    reason: "type not supported",
                });
            }
        }
        Ok(())
    }

    fn number(&mut self, x: f64) -> Result<(), Error<S::Error>> {
        if x.is_finite() {
            self.src
                .append_number(x, self.cfg.number_precision, self.out);
            return Ok(());
        }
        match self.cfg.invalid_numbers {
            InvalidNumbers::Off => {
                return Err(Error::Unsupported {
                    type_name: "number",
                    reason: NOT_A_NUMBER,
                });
            }
            // C's %g: every NaN prints as "nan" in LuaJIT's runtime.
            InvalidNumbers::On if x.is_nan() => self.out.extend(b"nan"),
            InvalidNumbers::On if x > 0.0 => self.out.extend(b"inf"),
            InvalidNumbers::On => self.out.extend(b"-inf"),
            InvalidNumbers::Null => self.out.extend(b"null"),
        }
        Ok(())
    }

    fn table(&mut self, t: &S::Table, depth: i32) -> Result<(), Error<S::Error>> {
        if depth > self.cfg.encode_max_depth || 1 + self.slots + 3 > crate::LUA_C_STACK {
            return Err(Error::Depth(depth));
        }
        let meta = self.src.meta(t);
        if meta == Meta::Array {
            let len = self.src.length(t);
            return self.array(t, len, depth);
        }
        let len = self.array_length(t)?;
        if len > 0 || (len == 0 && !self.cfg.empty_table_as_object) {
            return self.array(t, len as i64, depth);
        }
        if meta == Meta::EmptyArray {
            let len = self.src.length(t);
            return self.array(t, len, depth);
        }
        self.object(t, depth)
    }

    /// lua-cjson's `lua_array_length`: the largest key if every key is an
    /// integer ≥ 1, else -1. The largest key is kept in a C `int`, so a key
    /// of 2^31 or more becomes `INT_MIN` (x86's conversion) and the table an
    /// object.
    fn array_length(&mut self, t: &S::Table) -> Result<i32, Error<S::Error>> {
        let mut max: i32 = 0;
        let mut items: i32 = 0;
        for pair in self.src.pairs(t) {
            let (k, _) = pair.map_err(Error::Host)?;
            let Kind::Number(k) = self.src.kind(&k) else {
                return Ok(-1);
            };
            // `k != 0` in C is also true for NaN, which then fails `floor(k) == k`.
            if k != 0.0 && k >= 1.0 && is_integral(k) {
                if k > max as f64 {
                    max = if k < 2_147_483_648.0 {
                        k as i32
                    } else {
                        i32::MIN
                    };
                }
                items = items.wrapping_add(1);
                continue;
            }
            return Ok(-1);
        }
        let cfg = self.cfg;
        if cfg.sparse_ratio > 0
            && max > items.wrapping_mul(cfg.sparse_ratio)
            && max > cfg.sparse_safe
        {
            if !cfg.sparse_convert {
                return Err(Error::Unsupported {
                    type_name: "table",
                    reason: "excessively sparse array",
                });
            }
            return Ok(-1);
        }
        Ok(max)
    }

    fn array(&mut self, t: &S::Table, len: i64, depth: i32) -> Result<(), Error<S::Error>> {
        self.slots += 1;
        let r = self.array_items(t, len, depth);
        self.slots -= 1;
        r
    }

    fn array_items(&mut self, t: &S::Table, len: i64, depth: i32) -> Result<(), Error<S::Error>> {
        self.out.extend(b"[");
        for i in 1..=len {
            if i > 1 {
                self.out.extend(b",");
            }
            let v = self.src.index(t, i);
            self.value(&v, depth)?;
        }
        self.out.extend(b"]");
        Ok(())
    }

    fn object(&mut self, t: &S::Table, depth: i32) -> Result<(), Error<S::Error>> {
        self.slots += 2;
        let r = self.members(t, depth);
        self.slots -= 2;
        r
    }

    fn members(&mut self, t: &S::Table, depth: i32) -> Result<(), Error<S::Error>> {
        self.out.extend(b"{");
        let mut first = true;
        for pair in self.src.pairs(t) {
            let (k, v) = pair.map_err(Error::Host)?;
            if !first {
                self.out.extend(b",");
            }
            first = false;
            match self.src.kind(&k) {
                Kind::Number(x) => {
                    self.out.extend(b"\"");
                    self.number(x)?;
                    self.out.extend(b"\":");
                }
                Kind::Str => {
                    self.src
                        .append_string(&k, self.cfg.escape_forward_slash, self.out);
                    self.out.extend(b":");
                }
                other => {
                    return Err(Error::Unsupported {
                        type_name: type_name(&other),
                        reason: "table key must be a number or string",
                    });
                }
            }
            self.value(&v, depth)?;
        }
        self.out.extend(b"}");
        Ok(())
    }
}

fn type_name<T>(k: &Kind<T>) -> &'static str {
    match k {
        Kind::Nil => "nil",
        Kind::Bool(_) => "boolean",
        Kind::Number(_) => "number",
        Kind::Str => "string",
        Kind::Table(_) => "table",
        Kind::Null | Kind::EmptyArray => "userdata",
        Kind::Unsupported(name) => name,
    }
}

/// `floor(k) == k` for `k ≥ 1` (infinity included).
fn is_integral(k: f64) -> bool {
    k >= 4_503_599_627_370_496.0 || (k as i64) as f64 == k
}
