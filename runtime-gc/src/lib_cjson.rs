//! `require "cjson"` and `require "cjson.safe"` inside the sandbox.
//!
//! What cjson does is decided by the shared `moonshift-cjson` crate (the
//! reference arm uses the same one); this module only makes and inspects
//! runtime values for it. Encoding and decoding never call Lua, so both are
//! plain builtins. No collection can happen while they run (collections
//! start at safepoints in generated code), so the tables a decode is
//! building are safe in Rust locals.
//!
//! Each module has its own settings, as each `luaopen` of lua-cjson does.
//! `cjson.safe`'s `encode`/`decode` return `nil, message` instead of
//! raising; its configuration functions raise like `cjson`'s.

use crate::abi::value::{self as v, boxed, is_number, payload, tag};
use crate::lib_base::{Builtin, OutBuf, arg, arg_error, register, type_error};
use crate::mem::wr64;
use crate::number::{self, Buf};
use crate::ops::{self, raise_here, raise_oom};
use crate::{string, table, value};
use moonshift_cjson::decode::{self, Builder, Scratch};
use moonshift_cjson::encode::{self, Kind, Meta, Source};
use moonshift_cjson::{Config, OptArg, OptValue, Out};

/// `cjson.null`: a NULL light userdata, as in lua-cjson.
pub const NULL: u64 = boxed(v::TAG_LIGHTUD, 0);
/// `cjson.empty_array`: a light userdata of its own.
pub const EMPTY_ARRAY: u64 = boxed(v::TAG_LIGHTUD, 2);

/// The settings of `cjson` (0) and `cjson.safe` (1).
static mut CONFIGS: [Config; 2] = [Config::DEFAULT, Config::DEFAULT];
/// `cjson.array_mt` and `cjson.empty_array_mt` (shared by both modules).
static mut ARRAY_MT: u32 = 0;
static mut EMPTY_ARRAY_MT: u32 = 0;

fn config(instance: usize) -> &'static mut Config {
    unsafe { &mut (*core::ptr::addr_of_mut!(CONFIGS))[instance] }
}

/// Values this module keeps for the collector's root set.
pub fn each_root(mut f: impl FnMut(u64)) {
    unsafe {
        for t in [ARRAY_MT, EMPTY_ARRAY_MT] {
            if t != 0 {
                f(boxed(v::TAG_TABLE, t));
            }
        }
    }
}

impl Out for OutBuf {
    fn extend(&mut self, bytes: &[u8]) {
        OutBuf::extend(self, bytes);
    }
}

impl Scratch for OutBuf {
    fn clear(&mut self) {
        OutBuf::clear(self);
    }
    fn bytes(&self) -> Option<&[u8]> {
        (!self.oom).then(|| OutBuf::bytes(self))
    }
}

/// Decoding into runtime values (and encoding from them: the stash is then
/// unused).
struct Values {
    /// Members of the containers being read, 8 bytes per value.
    stash: OutBuf,
    /// Short strings this decode made, by [`Values::slot`]: documents
    /// repeat their keys, and a hit skips hashing and the intern table.
    /// Safe because no collection runs during a decode.
    recent: [u32; RECENT],
}

const RECENT: usize = 64;

impl Values {
    fn new() -> Self {
        Values {
            stash: OutBuf::new(),
            recent: [0; RECENT],
        }
    }

    /// Where [`Values::recent`] keeps the string `s` (1 to 40 bytes): a
    /// cheap mix of its length and three of its bytes.
    #[inline(always)]
    fn slot(s: &[u8]) -> usize {
        let n = s.len();
        let x = (n as u32)
            .wrapping_mul(0x9E37)
            .wrapping_add(s[0] as u32 * 0x2F)
            .wrapping_add(s[n / 2] as u32 * 0x61)
            .wrapping_add(s[n - 1] as u32 * 0x0B);
        (x ^ (x >> 6)) as usize % RECENT
    }

    /// The last `n` stashed values, then forgets them.
    fn take(
        &mut self,
        n: usize,
        mut each: impl FnMut(usize, u64) -> Result<(), ()>,
    ) -> Result<(), ()> {
        let bytes = self.stash.bytes();
        let start = bytes.len() - 8 * n;
        for (i, chunk) in bytes[start..].chunks_exact(8).enumerate() {
            each(i, crate::mem::word(chunk, 0))?;
        }
        self.stash.truncate(start as u32);
        Ok(())
    }
}

impl Builder for Values {
    type Value = u64;
    type Error = ();
    fn null(&mut self) -> u64 {
        NULL
    }
    fn boolean(&mut self, b: bool) -> u64 {
        if b { v::TRUE } else { v::FALSE }
    }
    fn number(&mut self, x: f64) -> u64 {
        // Every NaN as the one NaN the runtime uses.
        if x.is_nan() {
            v::CANONICAL_NAN
        } else {
            x.to_bits()
        }
    }
    fn string(&mut self, s: &[u8]) -> Result<u64, ()> {
        if s.is_empty() || s.len() > string::MAX_SHORT as usize {
            return string::new_value(s).ok_or(());
        }
        let i = Self::slot(s);
        let seen = self.recent[i];
        if seen != 0 && crate::mem::bytes_equal(string::as_bytes(seen), s) {
            return Ok(boxed(v::TAG_STRING, seen));
        }
        let made = string::intern(s).ok_or(())?;
        self.recent[i] = made;
        Ok(boxed(v::TAG_STRING, made))
    }
    fn stash(&mut self, x: u64) -> Result<(), ()> {
        self.stash.extend(&x.to_le_bytes());
        if self.stash.oom { Err(()) } else { Ok(()) }
    }
    fn object(&mut self, pairs: usize) -> Result<u64, ()> {
        let t = table::new(0, pairs as u32).ok_or(())?;
        let mut key = v::NIL;
        self.take(2 * pairs, |i, x| {
            if i % 2 == 0 {
                key = x;
                Ok(())
            } else {
                table::set(t, key, x).map_err(|_| ())
            }
        })?;
        Ok(boxed(v::TAG_TABLE, t))
    }
    fn array(&mut self, n: usize, with_mt: bool) -> Result<u64, ()> {
        let t = table::new(n as u32, 0).ok_or(())?;
        self.take(n, |i, x| {
            table::set(t, ((i + 1) as f64).to_bits(), x).map_err(|_| ())
        })?;
        if with_mt {
            table::set_metatable(t, unsafe { ARRAY_MT });
        }
        Ok(boxed(v::TAG_TABLE, t))
    }
}

/// A table's pairs in `next` order, by position (the table does not change
/// while it is encoded).
struct Pairs {
    t: u32,
    at: u32,
}

impl Iterator for Pairs {
    type Item = Result<(u64, u64), ()>;
    fn next(&mut self) -> Option<Self::Item> {
        let (at, k, x) = table::next_at(self.t, self.at)?;
        self.at = at;
        Some(Ok((k, x)))
    }
}

impl Source for Values {
    type Value = u64;
    type Table = u32;
    type Error = ();
    type Pairs = Pairs;
    fn kind(&mut self, x: &u64) -> Kind<u32> {
        let x = *x;
        if is_number(x) {
            return Kind::Number(f64::from_bits(x));
        }
        match tag(x) {
            v::TAG_NIL => Kind::Nil,
            v::TAG_FALSE => Kind::Bool(false),
            v::TAG_TRUE => Kind::Bool(true),
            v::TAG_STRING => Kind::Str,
            v::TAG_TABLE => Kind::Table(payload(x)),
            _ if x == NULL => Kind::Null,
            _ if x == EMPTY_ARRAY => Kind::EmptyArray,
            _ => Kind::Unsupported(value::type_name(x)),
        }
    }
    fn append_string<O: Out>(&mut self, x: &u64, escape_slash: bool, out: &mut O) {
        moonshift_cjson::escape_string(string::as_bytes(payload(*x)), escape_slash, out);
    }
    fn append_number<O: Out>(&mut self, x: f64, precision: i32, out: &mut O) {
        let mut b = Buf::<64>::new();
        if precision == 14 {
            number::to_lua_string(x, &mut b);
        } else {
            number::format_g(x, precision as usize, &mut b);
        }
        out.extend(b.as_bytes());
    }
    fn pairs(&mut self, t: &u32) -> Pairs {
        Pairs { t: *t, at: 0 }
    }
    fn index(&mut self, t: &u32, i: i64) -> u64 {
        if i >= 1 && i <= u32::MAX as i64 {
            table::get_int(*t, i as u32)
        } else {
            table::get(*t, (i as f64).to_bits())
        }
    }
    fn length(&mut self, t: &u32) -> i64 {
        table::length(*t) as i64
    }
    fn meta(&mut self, t: &u32) -> Meta {
        let mt = table::metatable(*t);
        if mt != 0 && mt == unsafe { ARRAY_MT } {
            Meta::Array
        } else if mt != 0 && mt == unsafe { EMPTY_ARRAY_MT } {
            Meta::EmptyArray
        } else {
            Meta::Plain
        }
    }
}

/// An error message: raised (`cjson`), or returned after a nil
/// (`cjson.safe`, where lua-cjson's protected call leaves no position).
fn fail(t: u32, base: u32, safe: bool, msg: core::fmt::Arguments) -> i32 {
    use core::fmt::Write;
    let mut b = ops::MsgBuf::new();
    let _ = b.write_fmt(msg);
    if !safe {
        return raise_here(t, b.as_bytes());
    }
    let Some(s) = string::new_value(b.as_bytes()) else {
        return raise_oom(t);
    };
    wr64(base, v::NIL);
    wr64(base + 8, s);
    2
}

fn encode_impl(t: u32, base: u32, nargs: i32, instance: usize) -> i32 {
    if nargs != 1 {
        return arg_error(t, 1, b"expected 1 argument");
    }
    let mut out = OutBuf::new();
    let r = encode::encode(
        &arg(base, nargs, 0),
        config(instance),
        &mut Values::new(),
        &mut out,
    );
    match r {
        Ok(()) if !out.oom => match string::new_value(out.bytes()) {
            Some(s) => crate::lib_base::ret1(base, s),
            None => raise_oom(t),
        },
        Ok(()) | Err(encode::Error::Host(())) => raise_oom(t),
        Err(e) => fail(t, base, instance == 1, format_args!("{e}")),
    }
}

fn decode_impl(t: u32, base: u32, nargs: i32, instance: usize) -> i32 {
    if nargs != 1 {
        return arg_error(t, 1, b"expected 1 argument");
    }
    let x = arg(base, nargs, 0);
    let text = match value::coerce_to_string(x) {
        Ok(Some(s)) => string::as_bytes(payload(s)),
        Err(()) => return raise_oom(t),
        // Inside cjson.safe's protected call nothing names the function.
        Ok(None) if instance == 1 => {
            let got = value::type_name(x);
            return fail(
                t,
                base,
                true,
                format_args!("bad argument #1 to '?' (string expected, got {got})"),
            );
        }
        Ok(None) => return type_error(t, base, nargs, 1, "string"),
    };
    let mut scratch = OutBuf::new();
    match decode::decode(text, config(instance), &mut Values::new(), &mut scratch) {
        Ok(x) => crate::lib_base::ret1(base, x),
        Err(decode::Error::Syntax(e)) => fail(t, base, instance == 1, format_args!("{e}")),
        Err(_) => raise_oom(t),
    }
}

pub extern "C" fn lrt_cjson_encode(t: u32, base: u32, nargs: i32) -> i32 {
    encode_impl(t, base, nargs, 0)
}

pub extern "C" fn lrt_cjson_decode(t: u32, base: u32, nargs: i32) -> i32 {
    decode_impl(t, base, nargs, 0)
}

pub extern "C" fn lrt_cjson_safe_encode(t: u32, base: u32, nargs: i32) -> i32 {
    encode_impl(t, base, nargs, 1)
}

pub extern "C" fn lrt_cjson_safe_decode(t: u32, base: u32, nargs: i32) -> i32 {
    decode_impl(t, base, nargs, 1)
}

/// An argument of a configuration function as the shared crate reads it.
fn opt_arg<'a>(x: u64) -> OptArg<'a> {
    if is_number(x) {
        return OptArg::Number(f64::from_bits(x));
    }
    match tag(x) {
        v::TAG_NIL => OptArg::None,
        v::TAG_FALSE => OptArg::Bool(false),
        v::TAG_TRUE => OptArg::Bool(true),
        v::TAG_STRING => {
            let s = string::as_bytes(payload(x));
            match number::parse(s) {
                Some(n) => OptArg::Number(n),
                None => OptArg::Str(s),
            }
        }
        _ => OptArg::Other(value::type_name(x)),
    }
}

/// Configuration function `moonshift_cjson::OPTIONS[OPT]` of module `INSTANCE`.
extern "C" fn lrt_cjson_option<const INSTANCE: usize, const OPT: usize>(
    t: u32,
    base: u32,
    nargs: i32,
) -> i32 {
    let args = [0, 1, 2].map(|i| opt_arg(arg(base, nargs, i)));
    let mut ret = [None; 3];
    let name = moonshift_cjson::OPTIONS[OPT];
    match config(INSTANCE).option(name, args, &mut ret) {
        Some(Ok(())) => {}
        Some(Err(e)) => {
            use core::fmt::Write;
            let mut b = Buf::<128>::new();
            let _ = write!(b, "{e}");
            return arg_error(t, e.arg(), b.as_bytes());
        }
        None => return raise_here(t, b"unknown cjson option"),
    }
    let mut n = 0;
    for r in ret.into_iter().flatten() {
        let x = match r {
            OptValue::Bool(b) => {
                if b {
                    v::TRUE
                } else {
                    v::FALSE
                }
            }
            OptValue::Int(i) => (i as f64).to_bits(),
            OptValue::Str(s) => match string::new_value(s.as_bytes()) {
                Some(s) => s,
                None => return raise_oom(t),
            },
        };
        wr64(base + 8 * n, x);
        n += 1;
    }
    n as i32
}

/// The configuration functions of module `I`, in `OPTIONS` order.
fn options<const I: usize>() -> [Builtin; 10] {
    [
        lrt_cjson_option::<I, 0>,
        lrt_cjson_option::<I, 1>,
        lrt_cjson_option::<I, 2>,
        lrt_cjson_option::<I, 3>,
        lrt_cjson_option::<I, 4>,
        lrt_cjson_option::<I, 5>,
        lrt_cjson_option::<I, 6>,
        lrt_cjson_option::<I, 7>,
        lrt_cjson_option::<I, 8>,
        lrt_cjson_option::<I, 9>,
    ]
}

/// Fills module table `m` of instance `instance` (0 `cjson`, 1 `cjson.safe`).
pub fn fill(m: u32, instance: usize) -> bool {
    unsafe {
        if ARRAY_MT == 0 {
            let (Some(a), Some(e)) = (table::new(0, 0), table::new(0, 0)) else {
                return false;
            };
            ARRAY_MT = a;
            EMPTY_ARRAY_MT = e;
        }
    }
    let (encode, decode): (Builtin, Builtin) = if instance == 0 {
        (lrt_cjson_encode, lrt_cjson_decode)
    } else {
        (lrt_cjson_safe_encode, lrt_cjson_safe_decode)
    };
    let opts = if instance == 0 {
        options::<0>()
    } else {
        options::<1>()
    };
    let field =
        |name: &[u8], x: u64| string::new_value(name).is_some_and(|k| table::set(m, k, x).is_ok());
    let text = |s: &[u8]| string::new_value(s).unwrap_or(v::NIL);
    register(m, "encode", encode)
        && register(m, "decode", decode)
        && moonshift_cjson::OPTIONS
            .iter()
            .zip(opts)
            .all(|(name, f)| register(m, name, f))
        && field(b"null", NULL)
        && field(b"empty_array", EMPTY_ARRAY)
        && field(b"array_mt", boxed(v::TAG_TABLE, unsafe { ARRAY_MT }))
        && field(
            b"empty_array_mt",
            boxed(v::TAG_TABLE, unsafe { EMPTY_ARRAY_MT }),
        )
        // lua-cjson names both modules "cjson".
        && field(b"_NAME", text(b"cjson"))
        && field(b"_VERSION", text(b"2.1.0"))
}
