//! Operations on single values that do not involve metamethods.

use crate::abi::layout::closure as lc;
use crate::abi::value::{self as v, is_number, payload, tag};
use crate::mem::rd32;
use crate::number::{self, Buf};
use crate::string;

/// LuaJIT's type name of a value.
pub fn type_name(x: u64) -> &'static str {
    if is_number(x) {
        return "number";
    }
    match tag(x) {
        v::TAG_NIL => "nil",
        v::TAG_FALSE | v::TAG_TRUE => "boolean",
        v::TAG_STRING => "string",
        v::TAG_TABLE => "table",
        v::TAG_FUNCTION => "function",
        v::TAG_LIGHTUD | v::TAG_USERDATA => "userdata",
        v::TAG_THREAD => "thread",
        _ => "no value",
    }
}

/// Number coercion of arithmetic operands: numbers, and strings that parse.
#[inline]
pub fn to_number(x: u64) -> Option<f64> {
    if is_number(x) {
        return Some(f64::from_bits(x));
    }
    if tag(x) == v::TAG_STRING {
        return number::parse(string::as_bytes(payload(x)));
    }
    None
}

/// The bytes of a string, or the `%.14g` text of a number written into
/// `tmp` (`lua_tolstring` without making a string); `None` for other types.
#[inline]
pub fn as_text<'a>(x: u64, tmp: &'a mut Buf<64>) -> Option<&'a [u8]> {
    if tag(x) == v::TAG_STRING {
        Some(string::as_bytes(payload(x)))
    } else if is_number(x) {
        number::to_lua_string(f64::from_bits(x), tmp);
        Some(tmp.as_bytes())
    } else {
        None
    }
}

/// Writes the text `tostring` gives for a value without a `__tostring`
/// metamethod. Strings are not handled here (they are their own text).
pub fn write_plain(x: u64, out: &mut Buf<64>) {
    use core::fmt::Write;
    if is_number(x) {
        number::to_lua_string(f64::from_bits(x), out);
        return;
    }
    match tag(x) {
        v::TAG_NIL => out.extend(b"nil"),
        v::TAG_FALSE => out.extend(b"false"),
        v::TAG_TRUE => out.extend(b"true"),
        v::TAG_FUNCTION if is_builtin(payload(x)) => {
            let _ = write!(
                out,
                "function: builtin#{}",
                rd32(payload(x) + lc::FUNC_INDEX)
            );
        }
        // LuaJIT prints a NULL pointer as `NULL` (`cjson.null`, `ngx.null`).
        v::TAG_LIGHTUD if payload(x) == 0 => out.extend(b"userdata: NULL"),
        _ => {
            // As wide as LuaJIT's `%p` of a 48-bit address, so lengths agree.
            let _ = write!(out, "{}: 0x{:012x}", type_name(x), payload(x));
        }
    }
}

/// Whether a closure is one of the runtime's builtins (no Lua source).
pub fn is_builtin(closure: u32) -> bool {
    crate::lib_base::is_builtin_index(rd32(closure + lc::FUNC_INDEX))
}

/// Converts a number or string to a string value (`lua_tolstring`'s rule);
/// `Ok(None)` for other types, `Err(())` when out of memory.
#[inline]
pub fn coerce_to_string(x: u64) -> Result<Option<u64>, ()> {
    if tag(x) == v::TAG_STRING {
        return Ok(Some(x));
    }
    if is_number(x) {
        let mut b = Buf::<64>::new();
        number::to_lua_string(f64::from_bits(x), &mut b);
        return string::new_value(b.as_bytes()).map(Some).ok_or(());
    }
    Ok(None)
}
