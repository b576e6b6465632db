//! `cjson.decode`: lua-cjson's tokenizer and recursive-descent parser.
//!
//! What the user can observe, and what this reproduces:
//! - whitespace is space, tab, newline and carriage return only;
//! - a NUL byte outside a string is the end of the text, and text whose
//!   first or second byte is NUL is refused as UTF-16/32;
//! - `true`, `false` and `null` match as prefixes (`trues` is `true`, then
//!   an invalid token);
//! - numbers are whatever C's `strtod` takes, so with
//!   `decode_invalid_numbers` on (the default) `0x10`, `+1`, `01`, `-.5`,
//!   `1.`, `Infinity` and `nan(…)` are numbers;
//! - strings keep raw control bytes; `\u` escapes become UTF-8, surrogate
//!   pairs joined, a lone surrogate refused;
//! - errors name the expected and the found token (`T_ARR_END`, …) and the
//!   1-based byte position.

use crate::{Config, Out, strtod};

/// How an arm makes its values.
///
/// Containers are built when they close, at their final size: the parser
/// [`stash`](Builder::stash)es each member (an object's key, then its value)
/// as it is read, and [`object`](Builder::object) / [`array`](Builder::array)
/// take the last `n` stashed entries back out.
pub trait Builder {
    type Value: Clone;
    type Error;
    fn null(&mut self) -> Self::Value;
    fn boolean(&mut self, b: bool) -> Self::Value;
    fn number(&mut self, x: f64) -> Self::Value;
    fn string(&mut self, s: &[u8]) -> Result<Self::Value, Self::Error>;
    /// Keeps `v` until its container closes.
    fn stash(&mut self, v: Self::Value) -> Result<(), Self::Error>;
    /// A table of the last `pairs` stashed key/value pairs (raw sets in
    /// order: a later duplicate key wins), removed from the stash.
    fn object(&mut self, pairs: usize) -> Result<Self::Value, Self::Error>;
    /// A table of the last `n` stashed values at 1..n (with `array_mt`
    /// when `with_mt`), removed from the stash.
    fn array(&mut self, n: usize, with_mt: bool) -> Result<Self::Value, Self::Error>;
}

/// Where unescaped strings are assembled.
pub trait Scratch: Out {
    fn clear(&mut self);
    /// The bytes so far, or `None` if the buffer could not grow.
    fn bytes(&self) -> Option<&[u8]>;
}

/// Why decoding stopped.
#[derive(Debug)]
pub enum Error<E> {
    /// The arm failed (out of memory, say).
    Host(E),
    /// The scratch buffer could not grow.
    Scratch,
    /// The text is not JSON cjson accepts; the message is the `Display`.
    Syntax(Syntax),
}

/// A decoding error as lua-cjson words it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// `Expected {expected} but found {found} at character {at}`.
    Unexpected {
        expected: &'static str,
        found: &'static str,
        at: usize,
    },
    /// `Found too many nested data structures ({depth}) at character {at}`.
    Depth { depth: i32, at: usize },
    /// `JSON parser does not support UTF-16 or UTF-32`.
    Utf16,
}

impl core::fmt::Display for Syntax {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Syntax::Unexpected {
                expected,
                found,
                at,
            } => write!(f, "Expected {expected} but found {found} at character {at}"),
            Syntax::Depth { depth, at } => {
                write!(
                    f,
                    "Found too many nested data structures ({depth}) at character {at}"
                )
            }
            Syntax::Utf16 => f.write_str("JSON parser does not support UTF-16 or UTF-32"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    ObjBegin,
    ObjEnd,
    ArrBegin,
    ArrEnd,
    /// A string without escapes: this range of the input.
    Raw(usize, usize),
    /// A string with escapes, unescaped into the scratch buffer.
    Unescaped,
    Number(f64),
    Bool(bool),
    Null,
    Colon,
    Comma,
    End,
    Error(&'static str),
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::ObjBegin => "T_OBJ_BEGIN",
            Kind::ObjEnd => "T_OBJ_END",
            Kind::ArrBegin => "T_ARR_BEGIN",
            Kind::ArrEnd => "T_ARR_END",
            Kind::Raw(..) | Kind::Unescaped => "T_STRING",
            Kind::Number(_) => "T_NUMBER",
            Kind::Bool(_) => "T_BOOLEAN",
            Kind::Null => "T_NULL",
            Kind::Colon => "T_COLON",
            Kind::Comma => "T_COMMA",
            Kind::End => "T_END",
            Kind::Error(msg) => msg,
        }
    }
}

#[derive(Clone, Copy)]
struct Token {
    kind: Kind,
    /// 0-based byte position (of the error itself for an error token).
    index: usize,
}

struct Parser<'a, B: Builder, S: Scratch> {
    text: &'a [u8],
    pos: usize,
    depth: i32,
    /// Lua stack slots lua-cjson would hold for the open containers.
    slots: i32,
    cfg: &'a Config,
    b: &'a mut B,
    scratch: &'a mut S,
}

/// Decodes `text` with `cfg`, making values with `b`.
pub fn decode<B: Builder, S: Scratch>(
    text: &[u8],
    cfg: &Config,
    b: &mut B,
    scratch: &mut S,
) -> Result<B::Value, Error<B::Error>> {
    if text.len() >= 2 && (text[0] == 0 || text[1] == 0) {
        return Err(Error::Syntax(Syntax::Utf16));
    }
    let mut p = Parser {
        text,
        pos: 0,
        depth: 0,
        slots: 0,
        cfg,
        b,
        scratch,
    };
    let first = p.next();
    let v = p.parse(first)?;
    let last = p.next();
    if last.kind != Kind::End {
        return Err(unexpected("the end", last));
    }
    Ok(v)
}

fn unexpected<E>(expected: &'static str, t: Token) -> Error<E> {
    Error::Syntax(Syntax::Unexpected {
        expected,
        found: t.kind.name(),
        at: t.index + 1,
    })
}

fn hex4(s: &[u8]) -> Option<u32> {
    if s.len() < 4 {
        return None;
    }
    s[..4]
        .iter()
        .try_fold(0u32, |acc, &b| Some(acc << 4 | (b as char).to_digit(16)?))
}

impl<B: Builder, S: Scratch> Parser<'_, B, S> {
    fn at(&self, i: usize) -> u8 {
        self.text.get(i).copied().unwrap_or(0)
    }

    fn next(&mut self) -> Token {
        let text = self.text;
        let mut index = self.pos;
        while index < text.len() && matches!(text[index], b' ' | b'\t' | b'\n' | b'\r') {
            index += 1;
        }
        self.pos = index;
        let ch = if index < text.len() { text[index] } else { 0 };
        let kind = match ch {
            b'{' => Kind::ObjBegin,
            b'}' => Kind::ObjEnd,
            b'[' => Kind::ArrBegin,
            b']' => Kind::ArrEnd,
            b':' => Kind::Colon,
            b',' => Kind::Comma,
            0 => {
                return Token {
                    kind: Kind::End,
                    index,
                };
            }
            b'"' => return self.string(index),
            b'-' | b'0'..=b'9' => {
                if !self.cfg.decode_invalid_numbers && invalid_number(&text[index..]) {
                    return self.error("invalid number");
                }
                return self.number(index);
            }
            _ => return self.word(index),
        };
        self.pos = index + 1;
        Token { kind, index }
    }

    /// `true`, `false`, `null` (prefixes are enough), or a number only
    /// strtod takes (`Infinity`, `+1`, …), or an invalid token.
    fn word(&mut self, index: usize) -> Token {
        let rest = &self.text[index..];
        for (word, kind) in [
            (&b"true"[..], Kind::Bool(true)),
            (b"false", Kind::Bool(false)),
            (b"null", Kind::Null),
        ] {
            if rest.starts_with(word) {
                self.pos += word.len();
                return Token { kind, index };
            }
        }
        if self.cfg.decode_invalid_numbers && invalid_number(rest) {
            return self.number(index);
        }
        self.error("invalid token")
    }

    fn error(&self, msg: &'static str) -> Token {
        Token {
            kind: Kind::Error(msg),
            index: self.pos,
        }
    }

    fn number(&mut self, index: usize) -> Token {
        match strtod(&self.text[index..]) {
            Some((x, n)) => {
                self.pos = index + n;
                Token {
                    kind: Kind::Number(x),
                    index,
                }
            }
            None => self.error("invalid number"),
        }
    }

    fn string(&mut self, index: usize) -> Token {
        let start = index + 1;
        // The common case: no escapes, the bytes are the string.
        let mut i = start
            + crate::scan::until(&self.text[start..], |w| {
                crate::scan::eq(w, b'"') | crate::scan::eq(w, b'\\') | crate::scan::eq(w, 0)
            });
        loop {
            match self.at(i) {
                b'"' => {
                    self.pos = i + 1;
                    return Token {
                        kind: Kind::Raw(start, i),
                        index,
                    };
                }
                b'\\' => break,
                0 => {
                    self.pos = i;
                    return self.error("unexpected end of string");
                }
                _ => i += 1,
            }
        }
        self.scratch.clear();
        self.scratch.extend(&self.text[start..i]);
        loop {
            let run = i;
            while !matches!(self.at(i), b'"' | b'\\' | 0) {
                i += 1;
            }
            self.scratch.extend(&self.text[run..i]);
            match self.at(i) {
                b'"' => break,
                0 => {
                    self.pos = i;
                    return self.error("unexpected end of string");
                }
                _ => {}
            }
            let c: u8 = match self.at(i + 1) {
                b'"' => b'"',
                b'\\' => b'\\',
                b'/' => b'/',
                b'b' => 0x08,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'u' => {
                    let Some(len) = self.unicode_escape(i) else {
                        self.pos = i;
                        return self.error("invalid unicode escape code");
                    };
                    i += len;
                    continue;
                }
                _ => {
                    self.pos = i;
                    return self.error("invalid escape code");
                }
            };
            self.scratch.extend(&[c]);
            i += 2;
        }
        self.pos = i + 1;
        Token {
            kind: Kind::Unescaped,
            index,
        }
    }

    /// `\uXXXX` (or a surrogate pair of them) at `i`, appended as UTF-8;
    /// its length in the input.
    fn unicode_escape(&mut self, i: usize) -> Option<usize> {
        let text = self.text;
        let mut cp = hex4(&text[(i + 2).min(text.len())..])?;
        let mut len = 6;
        if (0xdc00..=0xdfff).contains(&cp) {
            return None;
        }
        if (0xd800..=0xdbff).contains(&cp) {
            if self.at(i + 6) != b'\\' || self.at(i + 7) != b'u' {
                return None;
            }
            let low = hex4(&text[(i + 8).min(text.len())..])?;
            if !(0xdc00..=0xdfff).contains(&low) {
                return None;
            }
            cp = 0x10000 + ((cp & 0x3ff) << 10 | (low & 0x3ff));
            len = 12;
        }
        let mut buf = [0u8; 4];
        let s = char::from_u32(cp)?.encode_utf8(&mut buf);
        self.scratch.extend(s.as_bytes());
        Some(len)
    }

    /// Enters an object or an array (opened by token `t`).
    fn descend(&mut self, t: Token, object: bool) -> Result<(), Error<B::Error>> {
        self.depth += 1;
        let room = if object { 3 } else { 2 };
        if self.depth > self.cfg.decode_max_depth || 1 + self.slots + room > crate::LUA_C_STACK {
            return Err(Error::Syntax(Syntax::Depth {
                depth: self.depth,
                at: t.index + 1,
            }));
        }
        self.slots += if object { 2 } else { 1 };
        Ok(())
    }

    /// Leaves an object or an array.
    fn ascend(&mut self, object: bool) {
        self.depth -= 1;
        self.slots -= if object { 2 } else { 1 };
    }

    fn string_value(&mut self, kind: Kind) -> Result<B::Value, Error<B::Error>> {
        let text = self.text;
        let bytes = match kind {
            Kind::Raw(a, b) => &text[a..b],
            _ => self.scratch.bytes().ok_or(Error::Scratch)?,
        };
        self.b.string(bytes).map_err(Error::Host)
    }

    /// The value that starts with token `t`, read without recursion:
    /// each open container is a frame (its kind and how many members it
    /// has so far; the members themselves are stashed in the builder), so
    /// nesting costs neither arm any native stack.
    fn parse(&mut self, mut t: Token) -> Result<B::Value, Error<B::Error>> {
        const OBJECT: u32 = 1 << 31;
        let mut frames =
            [const { core::mem::MaybeUninit::<u32>::uninit() }; crate::LUA_C_STACK as usize];
        let mut open = 0usize;
        loop {
            // A value starting at `t`; an opening bracket pushes a frame
            // and reads on to its first member.
            let mut v = match t.kind {
                Kind::Raw(..) | Kind::Unescaped => self.string_value(t.kind)?,
                Kind::Number(x) => self.b.number(x),
                Kind::Bool(x) => self.b.boolean(x),
                Kind::Null => self.b.null(),
                Kind::ObjBegin => {
                    self.descend(t, true)?;
                    let first = self.next();
                    if first.kind == Kind::ObjEnd {
                        self.ascend(true);
                        self.b.object(0).map_err(Error::Host)?
                    } else {
                        frames[open].write(OBJECT);
                        open += 1;
                        t = self.member_key(first)?;
                        continue;
                    }
                }
                Kind::ArrBegin => {
                    self.descend(t, false)?;
                    let first = self.next();
                    if first.kind == Kind::ArrEnd {
                        self.ascend(false);
                        self.b
                            .array(0, self.cfg.decode_array_with_array_mt)
                            .map_err(Error::Host)?
                    } else {
                        frames[open].write(0);
                        open += 1;
                        t = first;
                        continue;
                    }
                }
                _ => return Err(unexpected("value", t)),
            };
            // `v` is complete: it is the result, or a member of the
            // innermost open container, which may close with it.
            loop {
                if open == 0 {
                    return Ok(v);
                }
                self.b.stash(v).map_err(Error::Host)?;
                // SAFETY: frames below `open` were written when opened.
                let frame = unsafe { frames[open - 1].assume_init() } + 1;
                frames[open - 1].write(frame);
                let is_object = frame & OBJECT != 0;
                let count = (frame & !OBJECT) as usize;
                let after = self.next();
                match (after.kind, is_object) {
                    (Kind::Comma, true) => {
                        let key = self.next();
                        t = self.member_key(key)?;
                        break;
                    }
                    (Kind::Comma, false) => {
                        t = self.next();
                        break;
                    }
                    (Kind::ObjEnd, true) => {
                        open -= 1;
                        self.ascend(true);
                        v = self.b.object(count).map_err(Error::Host)?;
                    }
                    (Kind::ArrEnd, false) => {
                        open -= 1;
                        self.ascend(false);
                        v = self
                            .b
                            .array(count, self.cfg.decode_array_with_array_mt)
                            .map_err(Error::Host)?;
                    }
                    (_, true) => return Err(unexpected("comma or object end", after)),
                    (_, false) => return Err(unexpected("comma or array end", after)),
                }
            }
        }
    }

    /// An object member's key (token `t`) and its colon: the key is
    /// stashed, the token after the colon returned.
    fn member_key(&mut self, t: Token) -> Result<Token, Error<B::Error>> {
        if !matches!(t.kind, Kind::Raw(..) | Kind::Unescaped) {
            return Err(unexpected("object key string", t));
        }
        let key = self.string_value(t.kind)?;
        self.b.stash(key).map_err(Error::Host)?;
        let colon = self.next();
        if colon.kind != Kind::Colon {
            return Err(unexpected("colon", colon));
        }
        Ok(self.next())
    }
}

/// What lua-cjson calls an invalid (non-JSON) number: a leading `+`, hex,
/// a leading zero, `inf` or `nan`.
fn invalid_number(s: &[u8]) -> bool {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    if at(0) == b'+' {
        return true;
    }
    let p = (at(0) == b'-') as usize;
    if at(p) == b'0' {
        let c = at(p + 1);
        return (c | 0x20) == b'x' || c.is_ascii_digit();
    }
    if at(p) <= b'9' {
        return false;
    }
    let word = |w: &[u8]| s.len() >= p + 3 && s[p..p + 3].eq_ignore_ascii_case(w);
    word(b"inf") || word(b"nan")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::V;

    /// Decodes into a compact text form: numbers with `{:?}`, strings as
    /// their bytes, tables as `[…]` / `{k=v…}` in insertion order.
    struct Text;
    #[derive(Clone)]
    struct T(&'static str);
    impl Builder for Text {
        type Value = T;
        type Error = ();
        fn null(&mut self) -> T {
            T("null")
        }
        fn boolean(&mut self, b: bool) -> T {
            T(if b { "true" } else { "false" })
        }
        fn number(&mut self, _: f64) -> T {
            T("n")
        }
        fn string(&mut self, _: &[u8]) -> Result<T, ()> {
            Ok(T("s"))
        }
        fn stash(&mut self, _: T) -> Result<(), ()> {
            Ok(())
        }
        fn object(&mut self, _: usize) -> Result<T, ()> {
            Ok(T("o"))
        }
        fn array(&mut self, _: usize, _: bool) -> Result<T, ()> {
            Ok(T("a"))
        }
    }
    impl Scratch for V {
        fn clear(&mut self) {
            self.1 = 0;
        }
        fn bytes(&self) -> Option<&[u8]> {
            Some(&self.0[..self.1])
        }
    }

    fn err(s: &[u8]) -> Syntax {
        match decode(s, &Config::DEFAULT, &mut Text, &mut V([0; 256], 0)) {
            Err(Error::Syntax(e)) => e,
            Ok(v) => panic!("{s:?} decoded to {}", v.0),
            Err(_) => panic!("host error"),
        }
    }

    fn unexpected(expected: &'static str, found: &'static str, at: usize) -> Syntax {
        Syntax::Unexpected {
            expected,
            found,
            at,
        }
    }

    #[test]
    fn errors_as_lua_cjson_words_them() {
        assert_eq!(err(b""), unexpected("value", "T_END", 1));
        assert_eq!(err(b" "), unexpected("value", "T_END", 2));
        assert_eq!(err(b"[1,]"), unexpected("value", "T_ARR_END", 4));
        assert_eq!(err(b"{,}"), unexpected("object key string", "T_COMMA", 2));
        assert_eq!(err(b"{\"a\" 1}"), unexpected("colon", "T_NUMBER", 6));
        assert_eq!(err(b"1 2"), unexpected("the end", "T_NUMBER", 3));
        assert_eq!(
            err(b"\"a\\x\""),
            unexpected("value", "invalid escape code", 3)
        );
        assert_eq!(
            err(b"\"\\ud800\""),
            unexpected("value", "invalid unicode escape code", 2)
        );
        assert_eq!(
            err(b"\"abc"),
            unexpected("value", "unexpected end of string", 5)
        );
        assert_eq!(err(b".5"), unexpected("value", "invalid token", 1));
        assert_eq!(err(b"1.5e"), unexpected("the end", "invalid token", 4));
        assert_eq!(err(b"-"), unexpected("value", "invalid number", 1));
        assert_eq!(err(b"\x001"), Syntax::Utf16);
        assert_eq!(
            err(b"[1\x00 2"),
            unexpected("comma or array end", "T_END", 3)
        );
        assert_eq!(
            err(b"\t\n\r 1 \x0c"),
            unexpected("the end", "invalid token", 7)
        );
        let mut cfg = Config::DEFAULT;
        cfg.decode_max_depth = 2;
        match decode(b"[[[1]]]", &cfg, &mut Text, &mut V([0; 256], 0)) {
            Err(Error::Syntax(e)) => assert_eq!(e, Syntax::Depth { depth: 3, at: 3 }),
            _ => panic!("depth not checked"),
        }
    }

    #[test]
    fn accepts_what_lua_cjson_accepts() {
        for s in [
            &b"0x10"[..],
            b"+1",
            b"01",
            b"-.5",
            b"1.",
            b"Infinity",
            b"nan(1)",
            b"true",
            b"12\x00garbage",
            b"[1,{\"a\":[true,false,null]}]",
        ] {
            assert!(
                decode(s, &Config::DEFAULT, &mut Text, &mut V([0; 256], 0)).is_ok(),
                "{s:?}"
            );
        }
    }
}
