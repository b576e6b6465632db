//! `require "cjson"` and `require "cjson.safe"` for the reference arm.
//!
//! mlua's LuaJIT cannot load the C lua-cjson, so the reference arm runs the
//! same shared `moonshift-cjson` rules as the sandbox, over mlua values.
//! Numbers are printed by LuaJIT's own `string.format` (an implementation
//! independent of the sandbox's), and both arms are checked against
//! fixtures recorded from the real lua-cjson (`corpus/cjson/`).
//!
//! A Lua prelude makes the module tables; every function calls one Rust
//! function, `raw(instance, op, nargs, ...)`, which returns `true, count, results…`
//! or `false, message`, and the prelude raises at the caller's level as
//! `luaL_error` does.

use std::cell::RefCell;
use std::rc::Rc;

use mlua::{Function, LightUserData, Lua, MultiValue, Table, Value};
use moonshift_cjson::decode::{self, Builder, Scratch};
use moonshift_cjson::encode::{self, Kind, Meta, Source};
use moonshift_cjson::{Config, OptArg, OptValue, Out};

/// The address `cjson.empty_array` points at.
static EMPTY_ARRAY_MARK: u8 = 0;

fn empty_array() -> LightUserData {
    LightUserData(&EMPTY_ARRAY_MARK as *const u8 as *mut std::ffi::c_void)
}

const PRELUDE: &str = r##"
local raw, preload, null, empty_array, array_mt, empty_array_mt, options = ...
local error, select = error, select
local function make(instance)
  local safe = instance == 1
  local m = {
    null = null, empty_array = empty_array, array_mt = array_mt,
    empty_array_mt = empty_array_mt, _NAME = "cjson", _VERSION = "2.1.0",
  }
  local function fn(op)
    return function(...)
      local ok, n, a, b, c = raw(instance, op, select("#", ...), ...)
      if ok then
        if n == 1 then return a end
        return a, b, c
      end
      if ok == nil and safe then return nil, n end
      error(n, 2)
    end
  end
  m.encode = fn("encode")
  m.decode = fn("decode")
  for _, o in ipairs(options) do m[o] = fn(o) end
  return m
end
-- lua-cjson names both modules "cjson" (_NAME above).
preload["cjson"] = function() return make(0) end
preload["cjson.safe"] = function() return make(1) end
"##;

/// Puts `cjson` and `cjson.safe` in `package.preload` of `lua`.
pub fn install(lua: &Lua) -> mlua::Result<()> {
    let array_mt = lua.create_table()?;
    let empty_array_mt = lua.create_table()?;
    let string: Table = lua.globals().get("string")?;
    let format: Function = string.get("format")?;
    let configs = Rc::new(RefCell::new([Config::DEFAULT, Config::DEFAULT]));
    let (amt, emt) = (array_mt.clone(), empty_array_mt.clone());
    let raw = lua.create_function(move |lua, args: MultiValue| {
        let args = args.into_vec();
        let instance = match args.first() {
            Some(Value::Integer(1)) => 1,
            Some(Value::Number(n)) if *n == 1.0 => 1,
            _ => 0,
        };
        let op = match args.get(1) {
            Some(Value::String(s)) => s.to_str()?,
            _ => return Err(mlua::Error::runtime("cjson: no operation")),
        };
        let nargs = match args.get(2) {
            Some(Value::Integer(n)) => *n as usize,
            Some(Value::Number(n)) => *n as usize,
            _ => 0,
        };
        let rest = &args[3.min(args.len())..];
        let mut arm = Arm {
            lua,
            stash: Vec::new(),
            safe: instance == 1,
            format: format.clone(),
            array_mt: amt.clone(),
            empty_array_mt: emt.clone(),
        };
        let mut cfgs = configs.borrow_mut();
        let cfg = &mut cfgs[instance];
        let result = match &*op {
            "encode" | "decode" if nargs != 1 => {
                Err(Fail::Raise(arg_error(lua, 1, "expected 1 argument")))
            }
            "encode" => arm.encode(&rest[0], cfg),
            "decode" => arm.decode(&rest[0], cfg),
            name => arm.option(name, rest, cfg),
        };
        let mut ret = Vec::new();
        match result {
            Ok(values) => {
                ret.push(Value::Boolean(true));
                ret.push(Value::Integer(values.len() as i64));
                ret.extend(values);
            }
            // `nil, message`: an error `cjson.safe` returns instead of raising.
            Err(Fail::Protected(msg)) => {
                ret.push(Value::Nil);
                ret.push(Value::String(lua.create_string(&msg)?));
            }
            Err(Fail::Raise(msg)) => {
                ret.push(Value::Boolean(false));
                ret.push(Value::String(lua.create_string(&msg)?));
            }
        }
        Ok(MultiValue::from_vec(ret))
    })?;
    let options = lua.create_sequence_from(moonshift_cjson::OPTIONS.iter().copied())?;
    let package: Table = lua.globals().get("package")?;
    let preload: Table = package.get("preload")?;
    lua.load(PRELUDE).set_name("=moonshift-cjson").call::<()>((
        raw,
        preload,
        Value::LightUserData(LightUserData(std::ptr::null_mut())),
        Value::LightUserData(empty_array()),
        array_mt,
        empty_array_mt,
        options,
    ))
}

/// How a function failed: raised at the caller, or (inside `cjson.safe`'s
/// protected call) returned as `nil, message`.
enum Fail {
    Raise(String),
    Protected(String),
}

/// `bad argument #n to 'name' (msg)`, named as LuaJIT names a C function:
/// by how its caller called it (the prelude's wrapper is level 1 here, and
/// its caller sees the wrapper as the function), `?` when nothing names it.
fn arg_error(lua: &Lua, n: u32, msg: &str) -> String {
    let name = lua
        .inspect_stack(1, |d| {
            let names = d.names();
            names.name_what?;
            names.name.map(|n| n.into_owned())
        })
        .flatten()
        .unwrap_or_else(|| "?".to_string());
    format!("bad argument #{n} to '{name}' ({msg})")
}

struct Arm<'a> {
    lua: &'a Lua,
    /// Members of the containers a decode is reading.
    stash: Vec<Value>,
    /// `cjson.safe`: encode and decode return their errors.
    safe: bool,
    format: Function,
    array_mt: Table,
    empty_array_mt: Table,
}

/// The reference arm's growable buffer.
#[derive(Default)]
struct Bytes(Vec<u8>);

impl Out for Bytes {
    fn extend(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }
}

impl Scratch for Bytes {
    fn clear(&mut self) {
        self.0.clear();
    }
    fn bytes(&self) -> Option<&[u8]> {
        Some(&self.0)
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Boolean(_) => "boolean",
        Value::Integer(_) | Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Table(_) => "table",
        Value::Function(_) => "function",
        Value::Thread(_) => "thread",
        _ => "userdata",
    }
}

impl Arm<'_> {
    fn encode(&mut self, v: &Value, cfg: &Config) -> Result<Vec<Value>, Fail> {
        let mut out = Bytes::default();
        match encode::encode(v, cfg, self, &mut out) {
            Ok(()) => Ok(vec![Value::String(
                self.lua
                    .create_string(&out.0)
                    .map_err(|e| Fail::Raise(e.to_string()))?,
            )]),
            // Memory errors escape cjson.safe's protection, as in lua-cjson.
            Err(encode::Error::Host(e)) => Err(Fail::Raise(e.to_string())),
            Err(e) if self.safe => Err(Fail::Protected(e.to_string())),
            Err(e) => Err(Fail::Raise(e.to_string())),
        }
    }

    fn decode(&mut self, v: &Value, cfg: &Config) -> Result<Vec<Value>, Fail> {
        let text = match v {
            Value::String(s) => s.as_bytes().to_vec(),
            Value::Integer(_) | Value::Number(_) => self
                .lua
                .coerce_string(v.clone())
                .ok()
                .flatten()
                .map(|s| s.as_bytes().to_vec())
                .unwrap_or_default(),
            other => {
                let msg = format!("string expected, got {}", type_name(other));
                return Err(if self.safe {
                    Fail::Protected(format!("bad argument #1 to '?' ({msg})"))
                } else {
                    Fail::Raise(arg_error(self.lua, 1, &msg))
                });
            }
        };
        let mut scratch = Bytes::default();
        match decode::decode(&text, cfg, self, &mut scratch) {
            Ok(x) => Ok(vec![x]),
            Err(decode::Error::Syntax(e)) if self.safe => Err(Fail::Protected(e.to_string())),
            Err(decode::Error::Syntax(e)) => Err(Fail::Raise(e.to_string())),
            Err(decode::Error::Host(e)) => Err(Fail::Raise(e.to_string())),
            Err(decode::Error::Scratch) => Err(Fail::Raise("not enough memory".into())),
        }
    }

    fn option(&mut self, name: &str, args: &[Value], cfg: &mut Config) -> Result<Vec<Value>, Fail> {
        // Strings' bytes, owned: what an `OptArg` borrows must outlive it.
        let bytes: Vec<Option<Vec<u8>>> = (0..3)
            .map(|i| match args.get(i) {
                Some(Value::String(s)) => Some(s.as_bytes().to_vec()),
                _ => None,
            })
            .collect();
        let opt = |i: usize| -> OptArg<'_> {
            match args.get(i).unwrap_or(&Value::Nil) {
                Value::Nil => OptArg::None,
                Value::Boolean(b) => OptArg::Bool(*b),
                Value::Integer(n) => OptArg::Number(*n as f64),
                Value::Number(n) => OptArg::Number(*n),
                v @ Value::String(_) => match self.lua.coerce_number(v.clone()).ok().flatten() {
                    Some(n) => OptArg::Number(n),
                    None => OptArg::Str(bytes[i].as_deref().unwrap_or(b"")),
                },
                other => OptArg::Other(type_name(other)),
            }
        };
        let mut ret = [None; 3];
        match cfg.option(name, [opt(0), opt(1), opt(2)], &mut ret) {
            Some(Ok(())) => {}
            Some(Err(e)) => return Err(Fail::Raise(arg_error(self.lua, e.arg(), &e.to_string()))),
            None => return Err(Fail::Raise(format!("unknown cjson option {name}"))),
        }
        ret.into_iter()
            .flatten()
            .map(|r| {
                Ok(match r {
                    OptValue::Bool(b) => Value::Boolean(b),
                    OptValue::Int(i) => Value::Number(i as f64),
                    OptValue::Str(s) => Value::String(
                        self.lua
                            .create_string(s)
                            .map_err(|e| Fail::Raise(e.to_string()))?,
                    ),
                })
            })
            .collect()
    }
}

impl Builder for Arm<'_> {
    type Value = Value;
    type Error = mlua::Error;
    fn null(&mut self) -> Value {
        Value::LightUserData(LightUserData(std::ptr::null_mut()))
    }
    fn boolean(&mut self, b: bool) -> Value {
        Value::Boolean(b)
    }
    fn number(&mut self, x: f64) -> Value {
        Value::Number(x)
    }
    fn string(&mut self, s: &[u8]) -> mlua::Result<Value> {
        self.lua.create_string(s).map(Value::String)
    }
    fn stash(&mut self, v: Value) -> mlua::Result<()> {
        self.stash.push(v);
        Ok(())
    }
    fn object(&mut self, pairs: usize) -> mlua::Result<Value> {
        let t = self.lua.create_table_with_capacity(0, pairs)?;
        let members = self.stash.split_off(self.stash.len() - 2 * pairs);
        for kv in members.chunks_exact(2) {
            t.raw_set(kv[0].clone(), kv[1].clone())?;
        }
        Ok(Value::Table(t))
    }
    fn array(&mut self, n: usize, with_mt: bool) -> mlua::Result<Value> {
        let t = self.lua.create_table_with_capacity(n, 0)?;
        let items = self.stash.split_off(self.stash.len() - n);
        for (i, v) in items.into_iter().enumerate() {
            t.raw_set(i + 1, v)?;
        }
        if with_mt {
            t.set_metatable(Some(self.array_mt.clone()))?;
        }
        Ok(Value::Table(t))
    }
}

impl Source for Arm<'_> {
    type Value = Value;
    type Table = Table;
    type Error = mlua::Error;
    type Pairs = std::vec::IntoIter<mlua::Result<(Value, Value)>>;
    fn kind(&mut self, v: &Value) -> Kind<Table> {
        match v {
            Value::Nil => Kind::Nil,
            Value::Boolean(b) => Kind::Bool(*b),
            Value::Integer(i) => Kind::Number(*i as f64),
            Value::Number(x) => Kind::Number(*x),
            Value::String(_) => Kind::Str,
            Value::Table(t) => Kind::Table(t.clone()),
            Value::LightUserData(p) if p.0.is_null() => Kind::Null,
            Value::LightUserData(p) if *p == empty_array() => Kind::EmptyArray,
            other => Kind::Unsupported(type_name(other)),
        }
    }
    fn append_string<O: Out>(&mut self, v: &Value, escape_slash: bool, out: &mut O) {
        if let Value::String(s) = v {
            moonshift_cjson::escape_string(&s.as_bytes(), escape_slash, out);
        }
    }
    fn append_number<O: Out>(&mut self, x: f64, precision: i32, out: &mut O) {
        let spec = format!("%.{precision}g");
        if let Ok(s) = self.format.call::<mlua::LuaString>((spec, x)) {
            out.extend(&s.as_bytes());
        }
    }
    fn pairs(&mut self, t: &Table) -> Self::Pairs {
        t.pairs::<Value, Value>().collect::<Vec<_>>().into_iter()
    }
    fn index(&mut self, t: &Table, i: i64) -> Value {
        t.raw_get(i as f64).unwrap_or(Value::Nil)
    }
    fn length(&mut self, t: &Table) -> i64 {
        t.raw_len() as i64
    }
    fn meta(&mut self, t: &Table) -> Meta {
        match t.metatable() {
            Some(mt) if mt.to_pointer() == self.array_mt.to_pointer() => Meta::Array,
            Some(mt) if mt.to_pointer() == self.empty_array_mt.to_pointer() => Meta::EmptyArray,
            _ => Meta::Plain,
        }
    }
}
