//! lua-cjson's rules, written once for both arms of moonshift.
//!
//! `require "cjson"` has to behave the same inside the sandbox (runtime-gc,
//! where Lua values are NaN-boxed words in linear memory) and in the
//! reference arm (mlua's LuaJIT, where they are `mlua::Value`s). Everything
//! that decides *what* cjson does lives here: the tokenizer and its error
//! messages, number scanning with C `strtod`'s grammar, string escaping,
//! array detection (`encode_sparse_array`), nesting limits and the
//! configuration. Each arm supplies only how to build and inspect its values
//! ([`decode::Builder`], [`encode::Source`]).
//!
//! The behaviour is that of lua-cjson 2.1.0 as Debian ships it for ngx_lua
//! (recorded in `corpus/cjson/fixtures.tsv`), plus OpenResty's additions
//! (`empty_array`, `array_mt`, `empty_array_mt`,
//! `encode_empty_table_as_object`, `decode_array_with_array_mt`,
//! `encode_escape_forward_slash`), which that build does not have.
//!
//! `no_std`, depending only on `moonshift-abi`: it builds for `wasm32-unknown-unknown` and
//! for the host alike.
#![no_std]

pub mod decode;
pub mod encode;
mod scan;
mod strtod;

pub use strtod::strtod;

/// Where encoded text and unescaped strings go.
pub trait Out {
    fn extend(&mut self, bytes: &[u8]);
}

/// What `encode_invalid_numbers` is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidNumbers {
    /// An error (`must not be NaN or Inf`), the default.
    Off,
    /// Printed as C's `%g` prints them: `nan`, `inf`, `-inf`.
    On,
    /// Printed as `null`.
    Null,
}

/// One cjson instance's settings (`cjson` and `cjson.safe` have one each).
#[derive(Clone, Debug)]
pub struct Config {
    pub sparse_convert: bool,
    pub sparse_ratio: i32,
    pub sparse_safe: i32,
    pub encode_max_depth: i32,
    pub decode_max_depth: i32,
    pub invalid_numbers: InvalidNumbers,
    pub decode_invalid_numbers: bool,
    pub number_precision: i32,
    pub keep_buffer: bool,
    pub empty_table_as_object: bool,
    pub decode_array_with_array_mt: bool,
    pub escape_forward_slash: bool,
}

impl Config {
    /// lua-cjson's defaults.
    pub const DEFAULT: Config = Config {
        sparse_convert: false,
        sparse_ratio: 2,
        sparse_safe: 10,
        encode_max_depth: 1000,
        decode_max_depth: 1000,
        invalid_numbers: InvalidNumbers::Off,
        decode_invalid_numbers: true,
        number_precision: 14,
        keep_buffer: true,
        empty_table_as_object: true,
        decode_array_with_array_mt: false,
        escape_forward_slash: true,
    };
}

impl Default for Config {
    fn default() -> Self {
        Config::DEFAULT
    }
}

/// An argument of a configuration function, as the arm read it.
#[derive(Clone, Copy, Debug)]
pub enum OptArg<'a> {
    /// Absent or nil: read the setting without changing it.
    None,
    Bool(bool),
    /// A number, or a string that converts to one.
    Number(f64),
    /// A string that is not a number.
    Str(&'a [u8]),
    /// Any other type, by its Lua type name.
    Other(&'static str),
}

/// What a configuration function returns: one value per setting it reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OptValue {
    Bool(bool),
    Int(i32),
    Str(&'static str),
}

/// A configuration function's argument error: `bad argument #n to 'f' (…)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum OptError<'a> {
    /// `expected integer between MIN and MAX`, always reported as argument 1
    /// (lua-cjson's `luaL_argcheck` names argument 1 whichever it checks).
    Range { min: i32, max: i32 },
    /// `invalid option 'x'`, for argument `arg`.
    InvalidOption { arg: u32, given: Given<'a> },
    /// `number expected, got T` / `string expected, got T`, for argument `arg`.
    Type {
        arg: u32,
        expected: &'static str,
        got: &'static str,
    },
}

impl core::fmt::Display for OptError<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            OptError::Range { min, max } => write!(f, "expected integer between {min} and {max}"),
            OptError::InvalidOption { given, .. } => {
                f.write_str("invalid option '")?;
                match given {
                    Given::Str(s) => f.write_str(core::str::from_utf8(s).unwrap_or("?"))?,
                    // A number converted to a string (integers print whole).
                    Given::Number(x) if *x == (*x as i64) as f64 => write!(f, "{}", *x as i64)?,
                    Given::Number(x) => write!(f, "{x}")?,
                }
                f.write_str("'")
            }
            OptError::Type { expected, got, .. } => write!(f, "{expected} expected, got {got}"),
        }
    }
}

impl OptError<'_> {
    /// The argument the message names.
    pub fn arg(&self) -> u32 {
        match self {
            OptError::Range { .. } => 1,
            OptError::InvalidOption { arg, .. } | OptError::Type { arg, .. } => *arg,
        }
    }
}

/// The text an `invalid option` message quotes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Given<'a> {
    Str(&'a [u8]),
    Number(f64),
}

/// The configuration functions, by their field name in the module table.
pub const OPTIONS: &[&str] = &[
    "encode_sparse_array",
    "encode_max_depth",
    "decode_max_depth",
    "encode_number_precision",
    "encode_keep_buffer",
    "encode_invalid_numbers",
    "decode_invalid_numbers",
    "encode_empty_table_as_object",
    "decode_array_with_array_mt",
    "encode_escape_forward_slash",
];

/// LuaJIT's limit on a C function's Lua stack (`LUAI_MAXCSTACK`).
/// lua-cjson asks for stack room (`lua_checkstack`) at each level it
/// enters and reports the same nesting errors when there is none, whatever
/// `decode_max_depth`/`encode_max_depth` say: 1 slot for its argument, and
/// per open level 1 slot for an array and 2 for an object (its key), plus
/// the room asked (2 for an array and 3 for an object when decoding, 3 when
/// encoding). So nesting stops at 7 999 arrays or 4 000 objects; both arms
/// keep within their stacks because of it.
pub const LUA_C_STACK: i32 = 8000;

/// The largest `encode_number_precision` (OpenResty's; upstream 2.1.0 stops at 14).
pub const MAX_PRECISION: i32 = 16;

fn int_option<'a>(
    arg: OptArg<'a>,
    n: u32,
    setting: &mut i32,
    min: i32,
    max: i32,
) -> Result<OptValue, OptError<'a>> {
    match arg {
        OptArg::None => {}
        OptArg::Number(x) => {
            // luaL_checkinteger: truncation toward zero (x86's cvttsd2si for
            // values out of range).
            let v = if x > -2_147_483_649.0 && x < 2_147_483_648.0 {
                x as i32
            } else {
                i32::MIN
            };
            if v < min || v > max {
                return Err(OptError::Range { min, max });
            }
            *setting = v;
        }
        OptArg::Bool(_) => {
            return Err(OptError::Type {
                arg: n,
                expected: "number",
                got: "boolean",
            });
        }
        OptArg::Str(_) => {
            return Err(OptError::Type {
                arg: n,
                expected: "number",
                got: "string",
            });
        }
        OptArg::Other(got) => {
            return Err(OptError::Type {
                arg: n,
                expected: "number",
                got,
            });
        }
    }
    Ok(OptValue::Int(*setting))
}

/// An option that is `true`/`false`/`"on"`/`"off"` (and, with `extra`, one
/// more named choice), as lua-cjson's `json_enum_option` reads it. `setting`
/// is the index of the choice: 0 off, 1 on, 2 the extra one.
fn enum_option<'a>(
    arg: OptArg<'a>,
    n: u32,
    setting: &mut u8,
    extra: Option<&'static str>,
) -> Result<OptValue, OptError<'a>> {
    let names: [&'static str; 3] = ["off", "on", extra.unwrap_or("")];
    let count = if extra.is_some() { 3 } else { 2 };
    let given = match arg {
        OptArg::None => None,
        OptArg::Bool(b) => {
            *setting = b as u8;
            None
        }
        OptArg::Str(s) => Some(Given::Str(s)),
        // luaL_checkoption converts a number to its text; no option is
        // spelled as a number.
        OptArg::Number(x) => Some(Given::Number(x)),
        OptArg::Other(got) => {
            return Err(OptError::Type {
                arg: n,
                expected: "string",
                got,
            });
        }
    };
    if let Some(given) = given {
        let index = match given {
            Given::Str(s) => names[..count].iter().position(|name| name.as_bytes() == s),
            Given::Number(_) => None,
        };
        match index {
            Some(i) => *setting = i as u8,
            None => return Err(OptError::InvalidOption { arg: n, given }),
        }
    }
    Ok(if *setting <= 1 {
        OptValue::Bool(*setting == 1)
    } else {
        OptValue::Str(names[*setting as usize])
    })
}

impl Config {
    /// Runs configuration function `name` with its arguments; the values it
    /// returns go to `ret` (at most three). `None` if `name` is not one.
    pub fn option<'a>(
        &mut self,
        name: &str,
        args: [OptArg<'a>; 3],
        ret: &mut [Option<OptValue>; 3],
    ) -> Option<Result<(), OptError<'a>>> {
        let one = |r: Result<OptValue, OptError<'a>>, ret: &mut [Option<OptValue>; 3]| {
            r.map(|v| ret[0] = Some(v))
        };
        let bool_opt = |field: &mut bool, ret: &mut [Option<OptValue>; 3]| {
            let mut s = *field as u8;
            let r = enum_option(args[0], 1, &mut s, None);
            *field = s == 1;
            one(r, ret)
        };
        Some(match name {
            "encode_sparse_array" => (|| {
                let mut s = self.sparse_convert as u8;
                let a = enum_option(args[0], 1, &mut s, None)?;
                self.sparse_convert = s == 1;
                let b = int_option(args[1], 2, &mut self.sparse_ratio, 0, i32::MAX)?;
                let c = int_option(args[2], 3, &mut self.sparse_safe, 0, i32::MAX)?;
                *ret = [Some(a), Some(b), Some(c)];
                Ok(())
            })(),
            "encode_max_depth" => one(
                int_option(args[0], 1, &mut self.encode_max_depth, 1, i32::MAX),
                ret,
            ),
            "decode_max_depth" => one(
                int_option(args[0], 1, &mut self.decode_max_depth, 1, i32::MAX),
                ret,
            ),
            "encode_number_precision" => one(
                int_option(args[0], 1, &mut self.number_precision, 1, MAX_PRECISION),
                ret,
            ),
            "encode_keep_buffer" => bool_opt(&mut self.keep_buffer, ret),
            "encode_invalid_numbers" => {
                let mut s = match self.invalid_numbers {
                    InvalidNumbers::Off => 0,
                    InvalidNumbers::On => 1,
                    InvalidNumbers::Null => 2,
                };
                let r = enum_option(args[0], 1, &mut s, Some("null"));
                self.invalid_numbers = match s {
                    0 => InvalidNumbers::Off,
                    1 => InvalidNumbers::On,
                    _ => InvalidNumbers::Null,
                };
                one(r, ret)
            }
            "decode_invalid_numbers" => bool_opt(&mut self.decode_invalid_numbers, ret),
            "encode_empty_table_as_object" => bool_opt(&mut self.empty_table_as_object, ret),
            "decode_array_with_array_mt" => bool_opt(&mut self.decode_array_with_array_mt, ret),
            "encode_escape_forward_slash" => bool_opt(&mut self.escape_forward_slash, ret),
            _ => return None,
        })
    }
}

/// Appends `s` as a JSON string (quotes included), escaped as lua-cjson
/// escapes: `"`, `\`, `/` (unless `escape_slash` is off), control bytes and
/// DEL; every other byte, UTF-8 or not, as it is.
pub fn escape_string<O: Out + ?Sized>(s: &[u8], escape_slash: bool, out: &mut O) {
    out.extend(b"\"");
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        // Whole words without a byte to escape are skipped at once; the
        // scan is exact for the first byte it reports.
        i += scan::until(&s[i..], |w| {
            let slash = if escape_slash { scan::eq(w, b'/') } else { 0 };
            scan::below(w, 0x20)
                | scan::eq(w, b'"')
                | scan::eq(w, b'\\')
                | scan::eq(w, 0x7f)
                | slash
        });
        let Some(&b) = s.get(i) else { break };
        out.extend(&s[start..i]);
        i += 1;
        start = i;
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'/' => b"\\/",
            b'\n' => b"\\n",
            b'\t' => b"\\t",
            b'\r' => b"\\r",
            0x08 => b"\\b",
            0x0c => b"\\f",
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[(b >> 4) as usize],
                    HEX[(b & 15) as usize],
                ]);
                continue;
            }
        };
        out.extend(short);
    }
    out.extend(&s[start..]);
    out.extend(b"\"");
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) struct V(pub [u8; 256], pub usize);
    impl Out for V {
        fn extend(&mut self, bytes: &[u8]) {
            self.0[self.1..self.1 + bytes.len()].copy_from_slice(bytes);
            self.1 += bytes.len();
        }
    }

    #[test]
    fn escapes_like_cjson() {
        let mut v = V([0; 256], 0);
        escape_string(b"\x7f/\x00\x08\t\n\x0c\r\x1f\"\\\xc8a", true, &mut v);
        assert_eq!(
            &v.0[..v.1],
            b"\"\\u007f\\/\\u0000\\b\\t\\n\\f\\r\\u001f\\\"\\\\\xc8a\"".as_slice()
        );
        let mut v = V([0; 256], 0);
        escape_string(b"a/b", false, &mut v);
        assert_eq!(&v.0[..v.1], b"\"a/b\"".as_slice());
    }

    #[test]
    fn options_read_and_check() {
        let mut c = Config::DEFAULT;
        let mut ret = [None; 3];
        let none = [OptArg::None; 3];
        c.option("encode_sparse_array", none, &mut ret)
            .unwrap()
            .unwrap();
        assert_eq!(
            ret,
            [
                Some(OptValue::Bool(false)),
                Some(OptValue::Int(2)),
                Some(OptValue::Int(10))
            ]
        );
        let r = c.option(
            "encode_number_precision",
            [OptArg::Number(17.0), OptArg::None, OptArg::None],
            &mut ret,
        );
        assert_eq!(r, Some(Err(OptError::Range { min: 1, max: 16 })));
        let r = c.option(
            "encode_invalid_numbers",
            [OptArg::Str(b"null"), OptArg::None, OptArg::None],
            &mut ret,
        );
        assert_eq!(r, Some(Ok(())));
        assert_eq!(ret[0], Some(OptValue::Str("null")));
        assert_eq!(c.invalid_numbers, InvalidNumbers::Null);
        let r = c.option(
            "encode_keep_buffer",
            [OptArg::Str(b"x"), OptArg::None, OptArg::None],
            &mut ret,
        );
        assert_eq!(
            r,
            Some(Err(OptError::InvalidOption {
                arg: 1,
                given: Given::Str(b"x")
            }))
        );
    }
}
