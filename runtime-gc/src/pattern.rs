//! Lua 5.1 patterns, as LuaJIT 2.1 matches them.
//!
//! A backtracking matcher over bytes. What Lua code can observe, and this
//! module reproduces:
//!
//! - The pattern ends at its first NUL byte (LuaJIT walks it as a C
//!   string), while the subject may hold any bytes.
//! - Classes are the C locale's: `%a %c %d %l %p %s %u %w %x %z`, their
//!   upper-case complements, and any other escaped byte stands for itself.
//! - A set's first byte after `[` or `[^` is taken literally even when it
//!   is `]`; a range needs a byte after the `-` before the closing `]`.
//! - `$` anchors only as the pattern's last byte; `^` only as its first
//!   (handled by the callers).
//! - Nesting deeper than 200 (each `?`, `*`-free sub-match, capture and
//!   `%f`/`%b` step recurses) is LuaJIT's `pattern too complex`.
//! - Error wording is LuaJIT's; the callers raise [`PatError::message`].

/// At most this many captures, as LuaJIT.
pub const MAX_CAPTURES: usize = 32;
/// Recursion depth at which LuaJIT gives up.
const MAX_DEPTH: u32 = 200;

const CAP_UNFINISHED: i32 = -1;
const CAP_POSITION: i32 = -2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatError {
    EndsWithPercent,
    MissingBracket,
    Unbalanced,
    FrontierBracket,
    UnfinishedCapture,
    InvalidCaptureIndex,
    InvalidPatternCapture,
    TooManyCaptures,
    TooComplex,
}

impl PatError {
    pub fn message(self) -> &'static [u8] {
        match self {
            PatError::EndsWithPercent => b"malformed pattern (ends with '%')",
            PatError::MissingBracket => b"malformed pattern (missing ']')",
            PatError::Unbalanced => b"unbalanced pattern",
            PatError::FrontierBracket => b"missing '[' after '%f' in pattern",
            PatError::UnfinishedCapture => b"unfinished capture",
            PatError::InvalidCaptureIndex => b"invalid capture index",
            PatError::InvalidPatternCapture => b"invalid pattern capture",
            PatError::TooManyCaptures => b"too many captures",
            PatError::TooComplex => b"pattern too complex",
        }
    }
}

type R<T> = Result<T, PatError>;

/// One capture: a substring, or a position (`()`), once matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    Span(usize, usize),
    Position(usize),
}

pub struct Matcher<'a> {
    src: &'a [u8],
    pat: &'a [u8],
    depth: u32,
    level: usize,
    /// Start and length (or `CAP_*`) of each capture.
    /// (Only the first `level` are written: a matcher is made per call, and
    /// clearing all 32 each time showed in profiles.)
    caps: [core::mem::MaybeUninit<(usize, i32)>; MAX_CAPTURES],
    /// The error that ends the current attempt (the matcher's functions
    /// return [`NONE`] up the recursion once it is set).
    err: Option<PatError>,
}

/// "No match" (and "error", with `Matcher::err` set) in the matcher's
/// internal returns: a plain integer, which wasm returns in a register.
const NONE: usize = usize::MAX;

/// Does the pattern use anything but literal bytes? (`find` without
/// specials is a plain search, which also sees bytes after a NUL.)
pub fn has_specials(p: &[u8]) -> bool {
    p.iter().any(|c| b"^$*+?.([%-".contains(c))
}

/// Bits of [`CLASSES`]: which C-locale classes a byte is in.
const A: u16 = 1;
const C: u16 = 2;
const D: u16 = 4;
const L: u16 = 8;
const P: u16 = 16;
const S: u16 = 32;
const U: u16 = 64;
const W: u16 = 128;
const X: u16 = 256;
const Z: u16 = 512;

/// The classes of every byte, computed at compile time.
const CLASSES: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let mut f = 0;
        if c.is_ascii_alphabetic() {
            f |= A;
        }
        if c < 32 || c == 127 {
            f |= C;
        }
        if c.is_ascii_digit() {
            f |= D;
        }
        if c.is_ascii_lowercase() {
            f |= L;
        }
        if c.is_ascii_punctuation() {
            f |= P;
        }
        if c == b' ' || (c >= 9 && c <= 13) {
            f |= S;
        }
        if c.is_ascii_uppercase() {
            f |= U;
        }
        if c.is_ascii_alphanumeric() {
            f |= W;
        }
        if c.is_ascii_hexdigit() {
            f |= X;
        }
        if c == 0 {
            f |= Z;
        }
        t[i] = f;
        i += 1;
    }
    t
};

/// The class bit a class letter names (either case), 0 for any other byte.
const fn class_bit(class: u8) -> u16 {
    match class.to_ascii_lowercase() {
        b'a' => A,
        b'c' => C,
        b'd' => D,
        b'l' => L,
        b'p' => P,
        b's' => S,
        b'u' => U,
        b'w' => W,
        b'x' => X,
        b'z' => Z,
        _ => 0,
    }
}

/// One item of a `[set]`: `%x`, `a-z`, or a byte.
enum SetItem {
    Class(u8),
    Range(u8, u8),
    Byte(u8),
}

/// Where the matches of a pattern can begin.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// At any position.
    Any,
    /// Only where the subject has this byte.
    Byte(u8),
    /// Only at a byte of the class from the first pattern position to the
    /// second.
    Class(usize, usize),
}

/// A set of bytes, one bit each.
pub type ByteSet = [u64; 4];

/// The bytes of each class bit (index: the bit's position), for sets.
const CLASS_SETS: [ByteSet; 10] = {
    let mut t = [[0u64; 4]; 10];
    let mut c = 0;
    while c < 256 {
        let mut b = 0;
        while b < 10 {
            if CLASSES[c] & (1 << b) != 0 {
                t[b][c / 64] |= 1 << (c % 64);
            }
            b += 1;
        }
        c += 1;
    }
    t
};

/// The bytes `%class` matches: a class letter's members (the complement for
/// an upper-case letter), or the escaped byte itself.
fn class_members(class: u8) -> ByteSet {
    let bit = class_bit(class);
    if bit == 0 {
        let mut set = [0; 4];
        set_add(&mut set, class);
        return set;
    }
    let members = CLASS_SETS[bit.trailing_zeros() as usize];
    if class.is_ascii_uppercase() {
        members.map(|m| !m)
    } else {
        members
    }
}

fn set_add(set: &mut ByteSet, c: u8) {
    set[c as usize / 64] |= 1 << (c % 64);
}

#[inline]
pub fn set_has(set: &ByteSet, c: u8) -> bool {
    set[c as usize / 64] & (1 << (c % 64)) != 0
}

#[inline]
fn class_matches(c: u8, class: u8) -> bool {
    let bit = class_bit(class);
    if bit == 0 {
        return class == c;
    }
    (CLASSES[c as usize] & bit != 0) != class.is_ascii_uppercase()
}

impl<'a> Matcher<'a> {
    /// A matcher of `pat` (up to its first NUL) against `src`.
    pub fn new(src: &'a [u8], pat: &'a [u8]) -> Self {
        let end = pat.iter().position(|&c| c == 0).unwrap_or(pat.len());
        Matcher {
            src,
            pat: &pat[..end],
            depth: 0,
            level: 0,
            caps: [const { core::mem::MaybeUninit::uninit() }; MAX_CAPTURES],
            err: None,
        }
    }

    pub fn pattern(&self) -> &'a [u8] {
        self.pat
    }

    /// The pattern position of the first item that consumes a byte, past
    /// the `(` and `()` that open the pattern (they consume nothing).
    fn first_item(&self, mut p: usize) -> usize {
        while self.pc(p) == b'(' {
            p += if self.pc(p + 1) == b')' { 2 } else { 1 };
        }
        p
    }

    /// When every match from pattern position `p` begins with a byte of one
    /// `%` class or set (not followed by `*`, `?` or `-`, possibly inside
    /// captures): the class's start and end, for
    /// [`Matcher::candidate`].
    fn first_class(&mut self, p: usize) -> Option<(usize, usize)> {
        let p = self.first_item(p);
        if !matches!(self.pc(p), b'%' | b'[')
            || matches!(self.pc(p + 1), b'b' | b'f') && self.pc(p) == b'%'
        {
            return None;
        }
        if self.pc(p) == b'%' && self.pc(p + 1).is_ascii_digit() {
            return None;
        }
        let ep = self.class_end(p);
        self.err = None;
        if ep == NONE || matches!(self.pc(ep), b'*' | b'?' | b'-') {
            return None;
        }
        Some((p, ep))
    }

    /// When the pattern from `p` is exactly one single-byte class (no
    /// quantifier, capture or anchor): the bytes it matches. Each match of
    /// such a pattern is one byte, so `gsub` can test bytes in a loop.
    pub fn single_class(&mut self, p: usize) -> Option<ByteSet> {
        let c = self.pc(p);
        match c {
            0 | b'(' | b')' => return None,
            b'$' if p + 1 == self.pat.len() => return None,
            b'%' if matches!(self.pc(p + 1), b'b' | b'f' | b'0'..=b'9' | 0) => return None,
            _ => {}
        }
        let ep = self.class_end(p);
        self.err = None;
        if ep != self.pat.len() {
            return None;
        }
        Some(match c {
            b'.' => [!0; 4],
            b'[' => self.bracket_set(p, ep - 1),
            b'%' => class_members(self.pc(p + 1)),
            c => {
                let mut set = [0; 4];
                set_add(&mut set, c);
                set
            }
        })
    }

    /// Where matches of the pattern from `p` can begin: callers pass over
    /// the other positions untried (see [`Matcher::candidate`]).
    pub fn start(&mut self, p: usize) -> Start {
        if let Some(c) = self.first_byte(p) {
            Start::Byte(c)
        } else if let Some((q, ep)) = self.first_class(p) {
            Start::Class(q, ep)
        } else {
            Start::Any
        }
    }

    /// The first position from `s` on where a match can begin, or `None`
    /// when no position left can begin one.
    pub fn candidate(&self, s: usize, start: Start) -> Option<usize> {
        let rest = &self.src[s..];
        match start {
            Start::Any => Some(s),
            Start::Byte(c) => rest.iter().position(|&b| b == c).map(|k| s + k),
            Start::Class(p, ep) => (s..self.src.len()).find(|&i| self.single_at(i, p, ep)),
        }
    }

    /// The byte every match starting at pattern position `p` begins with,
    /// when the pattern starts (possibly inside captures) with a literal
    /// byte that must occur (not followed by `*`, `?` or `-`): callers skip
    /// subject positions that cannot match without trying them. A `^`,
    /// `*`, `+`, `?` or `-` where an item starts is a literal byte.
    fn first_byte(&self, p: usize) -> Option<u8> {
        let p = self.first_item(p);
        let (c, next) = match self.pc(p) {
            b'%' => {
                let e = self.pc(p + 1);
                if e.is_ascii_alphanumeric() || e == 0 {
                    return None;
                }
                (e, p + 2)
            }
            b'$' if p + 1 == self.pat.len() => return None,
            b'.' | b'[' | b')' | 0 => return None,
            c => (c, p + 1),
        };
        match self.pc(next) {
            b'*' | b'?' | b'-' => None,
            _ => Some(c),
        }
    }

    /// Pattern byte at `p`, 0 past the end (the C string's terminator).
    #[inline(always)]
    fn pc(&self, p: usize) -> u8 {
        if p < self.pat.len() { self.pat[p] } else { 0 }
    }

    /// Tries a match of the pattern from byte `p` on, at subject position
    /// `s`: the end of the match, or `None`.
    pub fn try_at(&mut self, s: usize, p: usize) -> R<Option<usize>> {
        self.level = 0;
        self.depth = 0;
        self.err = None;
        let e = self.do_match(s, p);
        match self.err {
            Some(err) => Err(err),
            None => Ok((e != NONE).then_some(e)),
        }
    }

    /// Capture `l`'s start and length (or `CAP_*`); `l` below `level`.
    #[inline(always)]
    fn cap(&self, l: usize) -> (usize, i32) {
        assert!(l < self.level);
        // SAFETY: captures below `level` were written by `start_capture`.
        unsafe { self.caps[l].assume_init() }
    }

    /// Number of captures of the last successful match.
    pub fn level(&self) -> usize {
        self.level
    }

    /// Capture `i` of the last match, or the whole match (`s..e`) when
    /// the pattern has no captures and `i` is 0.
    pub fn capture(&self, i: usize, s: usize, e: usize) -> R<Capture> {
        if i >= self.level {
            if i == 0 {
                return Ok(Capture::Span(s, e));
            }
            return Err(PatError::InvalidCaptureIndex);
        }
        let (start, len) = self.cap(i);
        match len {
            CAP_UNFINISHED => Err(PatError::UnfinishedCapture),
            CAP_POSITION => Ok(Capture::Position(start)),
            n => Ok(Capture::Span(start, start + n as usize)),
        }
    }

    /// Records `e` and returns [`NONE`]: the matcher unwinds on it.
    #[cold]
    fn fail(&mut self, e: PatError) -> usize {
        self.err = Some(e);
        NONE
    }

    /// The end of the single-byte class at `p`, or [`NONE`] with an error.
    fn class_end(&mut self, mut p: usize) -> usize {
        let c = self.pc(p);
        p += 1;
        match c {
            b'%' => {
                if self.pc(p) == 0 {
                    return self.fail(PatError::EndsWithPercent);
                }
                p + 1
            }
            b'[' => {
                if self.pc(p) == b'^' {
                    p += 1;
                }
                loop {
                    let c = self.pc(p);
                    if c == 0 {
                        return self.fail(PatError::MissingBracket);
                    }
                    p += 1;
                    if c == b'%' && self.pc(p) != 0 {
                        p += 1;
                    }
                    if self.pc(p) == b']' {
                        return p + 1;
                    }
                }
            }
            _ => p,
        }
    }

    /// Does `c` belong to the set from `[` at `p` to its `]` at `ec`?
    fn bracket_matches(&self, c: u8, p: usize, ec: usize) -> bool {
        let mut hit = false;
        let negated = self.set_items(p, ec, |item| {
            hit = match item {
                SetItem::Class(class) => class_matches(c, class),
                SetItem::Range(lo, hi) => lo <= c && c <= hi,
                SetItem::Byte(b) => b == c,
            };
            hit
        });
        hit != negated
    }

    /// Walks the items of the set from `[` at `p` to its `]` at `ec`, until
    /// `f` returns true; returns whether the set is negated (`[^...]`).
    #[inline(always)]
    fn set_items(&self, mut p: usize, ec: usize, mut f: impl FnMut(SetItem) -> bool) -> bool {
        let negated = self.pc(p + 1) == b'^';
        if negated {
            p += 1;
        }
        p += 1;
        while p < ec {
            let pcur = self.pc(p);
            let item = if pcur == b'%' {
                p += 1;
                SetItem::Class(self.pc(p))
            } else if self.pc(p + 1) == b'-' && p + 2 < ec {
                p += 2;
                SetItem::Range(pcur, self.pc(p))
            } else {
                SetItem::Byte(pcur)
            };
            if f(item) {
                break;
            }
            p += 1;
        }
        negated
    }

    /// The bytes the set from `[` at `p` to its `]` at `ec` matches, for the
    /// loops that test many bytes against one set.
    fn bracket_set(&self, p: usize, ec: usize) -> ByteSet {
        let mut set = [0u64; 4];
        let negated = self.set_items(p, ec, |item| {
            match item {
                SetItem::Class(class) => {
                    for (w, m) in set.iter_mut().zip(class_members(class)) {
                        *w |= m;
                    }
                }
                SetItem::Byte(b) => set_add(&mut set, b),
                SetItem::Range(lo, hi) => {
                    for c in lo..=hi {
                        set_add(&mut set, c);
                    }
                }
            }
            false
        });
        if negated {
            for w in &mut set {
                *w = !*w;
            }
        }
        set
    }

    /// How many bytes from `s` on match the single class from `p` to `ep`.
    fn run_length(&self, s: usize, p: usize, ep: usize) -> usize {
        if self.pc(p) == b'[' {
            let set = self.bracket_set(p, ep - 1);
            return self.src[s.min(self.src.len())..]
                .iter()
                .take_while(|&&c| set_has(&set, c))
                .count();
        }
        let mut i = 0;
        while self.single_at(s + i, p, ep) {
            i += 1;
        }
        i
    }

    /// Does subject byte `s` exist and match the class from `p` to `ep`?
    #[inline(always)]
    fn single_at(&self, s: usize, p: usize, ep: usize) -> bool {
        if s >= self.src.len() {
            return false;
        }
        let c = self.src[s];
        match self.pc(p) {
            b'.' => true,
            b'%' => class_matches(c, self.pc(p + 1)),
            b'[' => self.bracket_matches(c, p, ep - 1),
            pc => pc == c,
        }
    }

    fn do_match(&mut self, s: usize, p: usize) -> usize {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.fail(PatError::TooComplex);
        }
        let r = self.match_loop(s, p);
        self.depth -= 1;
        r
    }

    fn match_loop(&mut self, mut s: usize, mut p: usize) -> usize {
        loop {
            match self.pc(p) {
                0 => return s,
                b'(' => {
                    return if self.pc(p + 1) == b')' {
                        self.start_capture(s, p + 2, CAP_POSITION)
                    } else {
                        self.start_capture(s, p + 1, CAP_UNFINISHED)
                    };
                }
                b')' => return self.end_capture(s, p + 1),
                b'$' if p + 1 == self.pat.len() => {
                    return if s == self.src.len() { s } else { NONE };
                }
                b'%' if self.pc(p + 1) == b'b' => {
                    let e = self.match_balance(s, p + 2);
                    if e == NONE {
                        return NONE;
                    }
                    s = e;
                    p += 4;
                }
                b'%' if self.pc(p + 1) == b'f' => {
                    p += 2;
                    if self.pc(p) != b'[' {
                        return self.fail(PatError::FrontierBracket);
                    }
                    let ep = self.class_end(p);
                    if ep == NONE {
                        return NONE;
                    }
                    let prev = if s == 0 { 0 } else { self.src[s - 1] };
                    let cur = self.src.get(s).copied().unwrap_or(0);
                    if self.bracket_matches(prev, p, ep - 1)
                        || !self.bracket_matches(cur, p, ep - 1)
                    {
                        return NONE;
                    }
                    p = ep;
                }
                b'%' if self.pc(p + 1).is_ascii_digit() => {
                    let e = self.match_capture(s, self.pc(p + 1));
                    if e == NONE {
                        return NONE;
                    }
                    s = e;
                    p += 2;
                }
                _ => {
                    let ep = self.class_end(p);
                    if ep == NONE {
                        return NONE;
                    }
                    let m = self.single_at(s, p, ep);
                    match self.pc(ep) {
                        b'?' => {
                            if m {
                                let e = self.do_match(s + 1, ep + 1);
                                if e != NONE || self.err.is_some() {
                                    return e;
                                }
                            }
                            p = ep + 1;
                        }
                        b'*' => return self.max_expand(s, p, ep),
                        b'+' => {
                            return if m {
                                self.max_expand(s + 1, p, ep)
                            } else {
                                NONE
                            };
                        }
                        b'-' => return self.min_expand(s, p, ep),
                        _ => {
                            if !m {
                                return NONE;
                            }
                            s += 1;
                            p = ep;
                        }
                    }
                }
            }
        }
    }

    fn max_expand(&mut self, s: usize, p: usize, ep: usize) -> usize {
        let mut i = self.run_length(s, p, ep);
        loop {
            let e = self.do_match(s + i, ep + 1);
            if e != NONE || self.err.is_some() {
                return e;
            }
            if i == 0 {
                return NONE;
            }
            i -= 1;
        }
    }

    fn min_expand(&mut self, mut s: usize, p: usize, ep: usize) -> usize {
        loop {
            let e = self.do_match(s, ep + 1);
            if e != NONE || self.err.is_some() {
                return e;
            }
            if self.single_at(s, p, ep) {
                s += 1;
            } else {
                return NONE;
            }
        }
    }

    fn start_capture(&mut self, s: usize, p: usize, what: i32) -> usize {
        if self.level >= MAX_CAPTURES {
            return self.fail(PatError::TooManyCaptures);
        }
        self.caps[self.level].write((s, what));
        self.level += 1;
        let r = self.do_match(s, p);
        if r == NONE {
            self.level -= 1;
        }
        r
    }

    fn end_capture(&mut self, s: usize, p: usize) -> usize {
        let Some(l) = (0..self.level)
            .rev()
            .find(|&l| self.cap(l).1 == CAP_UNFINISHED)
        else {
            return self.fail(PatError::InvalidPatternCapture);
        };
        let start = self.cap(l).0;
        self.caps[l].write((start, (s - start) as i32));
        let r = self.do_match(s, p);
        if r == NONE {
            self.caps[l].write((start, CAP_UNFINISHED));
        }
        r
    }

    fn match_balance(&mut self, s: usize, p: usize) -> usize {
        if self.pc(p) == 0 || self.pc(p + 1) == 0 {
            return self.fail(PatError::Unbalanced);
        }
        let (open, close) = (self.pc(p), self.pc(p + 1));
        if self.src.get(s) != Some(&open) {
            return NONE;
        }
        let mut depth = 1;
        let mut i = s + 1;
        while i < self.src.len() {
            let c = self.src[i];
            if c == close {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            } else if c == open {
                depth += 1;
            }
            i += 1;
        }
        NONE
    }

    fn match_capture(&mut self, s: usize, d: u8) -> usize {
        let l = (d as usize).wrapping_sub(b'1' as usize);
        if l >= self.level || self.cap(l).1 == CAP_UNFINISHED {
            return self.fail(PatError::InvalidCaptureIndex);
        }
        let (start, len) = self.cap(l);
        if len == CAP_POSITION {
            // LuaJIT compares the position's length, (size_t)-2: never a match.
            return NONE;
        }
        let len = len as usize;
        let cap = &self.src[start..start + len];
        if self.src[s..].starts_with(cap) {
            s + len
        } else {
            NONE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(s: &str, p: &str) -> Result<Option<(usize, usize)>, PatError> {
        let (src, pat) = (s.as_bytes(), p.as_bytes());
        let anchored = pat.first() == Some(&b'^');
        let p0 = anchored as usize;
        let mut m = Matcher::new(src, pat);
        for start in 0..=src.len() {
            if let Some(e) = m.try_at(start, p0)? {
                return Ok(Some((start, e)));
            }
            if anchored {
                break;
            }
        }
        Ok(None)
    }

    #[test]
    fn matches_like_lua() {
        assert_eq!(find("hello world", "o w"), Ok(Some((4, 7))));
        assert_eq!(find("hello", "l+"), Ok(Some((2, 4))));
        assert_eq!(find("hello", "^h.-o$"), Ok(Some((0, 5))));
        assert_eq!(find("f(a(b)c)", "%b()"), Ok(Some((1, 8))));
        assert_eq!(find("THE (quick) fox", "%f[%a]%a+"), Ok(Some((0, 3))));
        assert_eq!(find("abab", "(ab)%1"), Ok(Some((0, 4))));
        assert_eq!(find("a]", "[]]"), Ok(Some((1, 2))));
        assert_eq!(find("x", "[a"), Err(PatError::MissingBracket));
        assert_eq!(find("x", "%"), Err(PatError::EndsWithPercent));
        // An unclosed capture still matches; reading it is the error.
        let mut m = Matcher::new(b"x", b"(x");
        assert_eq!(m.try_at(0, 0), Ok(Some(1)));
        assert_eq!(m.capture(0, 0, 1), Err(PatError::UnfinishedCapture));
    }
}
