//! nginx.conf in: the tokenizer, the directive tree, and the model `moonshift serve` runs.
//!
//! The tokenizer follows `ngx_conf_read_token`: words separated by blanks, `;` ends a
//! directive, `{` opens a block and `}` closes it, `#` starts a comment where a word could
//! start, and a word may be quoted with `"` or `'`. In every word a backslash makes the next
//! character ordinary; when the word is stored, `\"`, `\'` and `\\` lose the backslash and
//! `\t`, `\r`, `\n` become the control character, while any other `\x` keeps both bytes.
//! That is what `content_by_lua '...'` sees, so a handler written in the quoted form gets
//! exactly the Lua source nginx gives ngx_lua.
//!
//! The `*_by_lua_block { ... }` directives take their block as Lua text, not as directives:
//! as ngx_lua's own block reader does, the text is scanned with Lua's lexical rules (strings,
//! long brackets, comments) to find the matching `}`, and the chunk's line 1 is the line of
//! the opening `{`.
//!
//! [`load`] reads a file (following `include`), and [`Conf::from_tree`] builds the model:
//! servers, locations in nginx's matching order, the Lua handlers of every phase, and the
//! directives of the rewrite module that matter to them. Directives moonshift does not act
//! on are collected as warnings; directives without which a request would be served
//! differently (`proxy_pass`, `if`, `rewrite`, ...) are errors.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Where something is in the configuration: file (as written, relative to the main
/// file's directory when included) and 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pos {
    pub file: String,
    pub line: u32,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A configuration error, with nginx's wording where nginx has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfError {
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for ConfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} in {}", self.message, self.pos)
    }
}

impl std::error::Error for ConfError {}

fn err<T>(pos: &Pos, message: impl Into<String>) -> Result<T, ConfError> {
    Err(ConfError {
        pos: pos.clone(),
        message: message.into(),
    })
}

/// One directive: its words, and its block when it has one.
#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub name: String,
    pub args: Vec<Vec<u8>>,
    pub pos: Pos,
    /// The line of the `;` that ends it (ngx_lua names string-form chunks by it).
    pub end_line: u32,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    None,
    Block(Vec<Directive>),
    /// The text between the braces of a `*_by_lua_block`.
    Lua(String),
}

/// Reads `path` and every file it includes.
pub fn load(path: &Path) -> Result<Vec<Directive>, ConfError> {
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = std::fs::read(path).map_err(|e| ConfError {
        pos: Pos {
            file: path.display().to_string(),
            line: 0,
        },
        message: format!("open() \"{}\" failed ({e})", path.display()),
    })?;
    let mut depth = 0;
    parse_file(&dir, &name, &text, &mut depth)
}

fn parse_file(
    dir: &Path,
    name: &str,
    text: &[u8],
    depth: &mut u32,
) -> Result<Vec<Directive>, ConfError> {
    let mut p = Parser {
        text,
        at: 0,
        line: 1,
        file: name.to_string(),
        tok_line: 1,
    };
    let tree = p.block(false)?;
    expand_includes(dir, tree, depth)
}

fn expand_includes(
    dir: &Path,
    tree: Vec<Directive>,
    depth: &mut u32,
) -> Result<Vec<Directive>, ConfError> {
    let mut out = Vec::with_capacity(tree.len());
    for mut d in tree {
        if d.name == "include" {
            if d.args.len() != 1 {
                return err(
                    &d.pos,
                    "invalid number of arguments in \"include\" directive",
                );
            }
            *depth += 1;
            if *depth > 32 {
                return err(&d.pos, "include nested too deeply");
            }
            let pattern = String::from_utf8_lossy(&d.args[0]).into_owned();
            for file in include_files(dir, &pattern, &d.pos)? {
                let text = std::fs::read(&file).map_err(|e| ConfError {
                    pos: d.pos.clone(),
                    message: format!("open() \"{}\" failed ({e})", file.display()),
                })?;
                let shown = file
                    .strip_prefix(dir)
                    .unwrap_or(&file)
                    .display()
                    .to_string();
                out.extend(parse_file(dir, &shown, &text, depth)?);
            }
            *depth -= 1;
            continue;
        }
        if let Body::Block(inner) = d.body {
            d.body = Body::Block(expand_includes(dir, inner, depth)?);
        }
        out.push(d);
    }
    Ok(out)
}

/// The files of an `include` pattern, sorted as nginx's glob returns them; a `*` or `?`
/// in the last component matches any run of characters / any one character.
fn include_files(dir: &Path, pattern: &str, pos: &Pos) -> Result<Vec<PathBuf>, ConfError> {
    let full = if Path::new(pattern).is_absolute() {
        PathBuf::from(pattern)
    } else {
        dir.join(pattern)
    };
    let is_glob = pattern.contains(['*', '?', '[']);
    if !is_glob {
        return Ok(vec![full]);
    }
    let parent = full.parent().map(Path::to_path_buf).unwrap_or_default();
    let wanted = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let entries = std::fs::read_dir(&parent).map_err(|e| ConfError {
        pos: pos.clone(),
        message: format!("glob() \"{pattern}\" failed ({e})"),
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            !n.starts_with('.') && glob_match(wanted.as_bytes(), n.as_bytes())
        })
        .map(|e| e.path())
        .collect();
    files.sort();
    Ok(files)
}

fn glob_match(p: &[u8], s: &[u8]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some(b'*') => (0..=s.len()).any(|i| glob_match(&p[1..], &s[i..])),
        Some(b'?') => !s.is_empty() && glob_match(&p[1..], &s[1..]),
        Some(&c) => s.first() == Some(&c) && glob_match(&p[1..], &s[1..]),
    }
}

/// Parses configuration text (no includes).
pub fn parse(file: &str, text: &[u8]) -> Result<Vec<Directive>, ConfError> {
    Parser {
        text,
        at: 0,
        line: 1,
        file: file.to_string(),
        tok_line: 1,
    }
    .block(false)
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
    line: u32,
    file: String,
    /// The line the last word started on.
    tok_line: u32,
}

enum Token {
    Word(Vec<u8>),
    Semicolon,
    Open,
    Close,
    Eof,
}

impl Parser<'_> {
    fn pos(&self) -> Pos {
        Pos {
            file: self.file.clone(),
            line: self.line,
        }
    }

    fn bump(&mut self) -> Option<u8> {
        let c = *self.text.get(self.at)?;
        self.at += 1;
        if c == b'\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    /// `ngx_conf_read_token`, one token at a time.
    fn token(&mut self) -> Result<Token, ConfError> {
        loop {
            match self.peek() {
                None => return Ok(Token::Eof),
                Some(b' ' | b'\t' | b'\r' | b'\n') => {
                    self.bump();
                }
                Some(b'#') => {
                    while let Some(c) = self.bump() {
                        if c == b'\n' {
                            break;
                        }
                    }
                }
                Some(b';') => {
                    self.bump();
                    return Ok(Token::Semicolon);
                }
                Some(b'{') => {
                    self.bump();
                    return Ok(Token::Open);
                }
                Some(b'}') => {
                    self.bump();
                    return Ok(Token::Close);
                }
                Some(q @ (b'"' | b'\'')) => {
                    let pos = self.pos();
                    self.tok_line = self.line;
                    self.bump();
                    let start = self.at;
                    loop {
                        match self.bump() {
                            None => {
                                return err(
                                    &pos,
                                    "unexpected end of file, expecting \";\" or \"}\"",
                                );
                            }
                            Some(b'\\') => {
                                self.bump();
                            }
                            Some(c) if c == q => break,
                            Some(_) => {}
                        }
                    }
                    let raw = &self.text[start..self.at - 1];
                    match self.peek() {
                        None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'}') => {}
                        Some(c) => {
                            return err(&self.pos(), format!("unexpected \"{}\"", c as char));
                        }
                    }
                    return Ok(Token::Word(unescape(raw)));
                }
                Some(_) => {
                    let start = self.at;
                    self.tok_line = self.line;
                    while let Some(c) = self.peek() {
                        match c {
                            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'{' | b'}' => break,
                            b'\\' => {
                                self.bump();
                                self.bump();
                            }
                            _ => {
                                self.bump();
                            }
                        }
                    }
                    return Ok(Token::Word(unescape(&self.text[start..self.at])));
                }
            }
        }
    }

    /// Directives until `}` (when `nested`) or the end of the text.
    fn block(&mut self, nested: bool) -> Result<Vec<Directive>, ConfError> {
        let mut out = Vec::new();
        loop {
            let mut words: Vec<Vec<u8>> = Vec::new();
            let mut dpos = self.pos();
            loop {
                match self.token()? {
                    Token::Word(w) => {
                        if words.is_empty() {
                            dpos = Pos {
                                file: self.file.clone(),
                                line: self.tok_line,
                            };
                        }
                        words.push(w);
                        if words.len() == 1 && is_lua_block(&words[0]) {
                            // Arguments (set_by_lua_block $v) then the Lua text.
                            loop {
                                match self.token()? {
                                    Token::Word(w) => words.push(w),
                                    Token::Open => break,
                                    _ => {
                                        return err(
                                            &dpos,
                                            format!(
                                                "directive \"{}\" has no opening \"{{\"",
                                                String::from_utf8_lossy(&words[0])
                                            ),
                                        );
                                    }
                                }
                            }
                            let chunk_line = self.line;
                            let lua = self.lua_block(&dpos)?;
                            let name = String::from_utf8_lossy(&words[0]).into_owned();
                            out.push(Directive {
                                name,
                                args: words[1..].to_vec(),
                                pos: Pos {
                                    file: self.file.clone(),
                                    line: chunk_line,
                                },
                                end_line: self.line,
                                body: Body::Lua(lua),
                            });
                            words.clear();
                            break;
                        }
                    }
                    Token::Semicolon => {
                        if words.is_empty() {
                            return err(&self.pos(), "unexpected \";\"");
                        }
                        out.push(Directive {
                            name: String::from_utf8_lossy(&words[0]).into_owned(),
                            args: words[1..].to_vec(),
                            pos: dpos.clone(),
                            end_line: self.line,
                            body: Body::None,
                        });
                        break;
                    }
                    Token::Open => {
                        if words.is_empty() {
                            return err(&self.pos(), "unexpected \"{\"");
                        }
                        let inner = self.block(true)?;
                        out.push(Directive {
                            name: String::from_utf8_lossy(&words[0]).into_owned(),
                            args: words[1..].to_vec(),
                            pos: dpos.clone(),
                            end_line: self.line,
                            body: Body::Block(inner),
                        });
                        break;
                    }
                    Token::Close => {
                        if !words.is_empty() {
                            return err(&self.pos(), "unexpected \"}\"");
                        }
                        if !nested {
                            return err(&self.pos(), "unexpected \"}\"");
                        }
                        return Ok(out);
                    }
                    Token::Eof => {
                        if !words.is_empty() || nested {
                            return err(
                                &self.pos(),
                                "unexpected end of file, expecting \";\" or \"}\"",
                            );
                        }
                        return Ok(out);
                    }
                }
            }
        }
    }

    /// The Lua text of a `*_by_lua_block`, up to its matching `}` (consumed).
    fn lua_block(&mut self, dpos: &Pos) -> Result<String, ConfError> {
        let start = self.at;
        let mut depth = 0u32;
        loop {
            let Some(c) = self.bump() else {
                return err(dpos, "Lua code block missing the closing \"}\"");
            };
            match c {
                b'{' => depth += 1,
                b'}' => {
                    if depth == 0 {
                        let text = &self.text[start..self.at - 1];
                        return Ok(String::from_utf8_lossy(text).into_owned());
                    }
                    depth -= 1;
                }
                b'"' | b'\'' => loop {
                    match self.bump() {
                        None => return err(dpos, "Lua code block has an unfinished string"),
                        Some(b'\\') => {
                            self.bump();
                        }
                        Some(x) if x == c => break,
                        Some(b'\n') => break,
                        Some(_) => {}
                    }
                },
                b'[' => {
                    if let Some(level) = self.long_bracket_level() {
                        self.skip_long(level, dpos)?;
                    }
                }
                b'-' if self.peek() == Some(b'-') => {
                    self.bump();
                    if self.peek() == Some(b'[') {
                        self.bump();
                        if let Some(level) = self.long_bracket_level() {
                            self.skip_long(level, dpos)?;
                            continue;
                        }
                    }
                    while let Some(x) = self.peek() {
                        if x == b'\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                _ => {}
            }
        }
    }

    /// After a `[`: `Some(level)` and the opening consumed when `=*[` follows.
    fn long_bracket_level(&mut self) -> Option<usize> {
        let mut i = self.at;
        while self.text.get(i) == Some(&b'=') {
            i += 1;
        }
        if self.text.get(i) == Some(&b'[') {
            let level = i - self.at;
            while self.at <= i {
                self.bump();
            }
            Some(level)
        } else {
            None
        }
    }

    fn skip_long(&mut self, level: usize, dpos: &Pos) -> Result<(), ConfError> {
        loop {
            match self.bump() {
                None => return err(dpos, "Lua code block has an unfinished long string"),
                Some(b']') => {
                    let mut i = self.at;
                    while self.text.get(i) == Some(&b'=') {
                        i += 1;
                    }
                    if i - self.at == level && self.text.get(i) == Some(&b']') {
                        while self.at <= i {
                            self.bump();
                        }
                        return Ok(());
                    }
                }
                Some(_) => {}
            }
        }
    }
}

fn is_lua_block(word: &[u8]) -> bool {
    word.ends_with(b"_by_lua_block")
}

/// The copy loop of `ngx_conf_read_token`.
pub fn unescape(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'\\' && i + 1 < raw.len() {
            match raw[i + 1] {
                b'"' | b'\'' | b'\\' => {
                    out.push(raw[i + 1]);
                    i += 2;
                    continue;
                }
                b't' => {
                    out.push(b'\t');
                    i += 2;
                    continue;
                }
                b'r' => {
                    out.push(b'\r');
                    i += 2;
                    continue;
                }
                b'n' => {
                    out.push(b'\n');
                    i += 2;
                    continue;
                }
                _ => {}
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------
// The model.

/// The phases a Lua handler can run in, in the order nginx runs them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Phase {
    Init,
    InitWorker,
    Set,
    Rewrite,
    Access,
    Content,
    HeaderFilter,
    BodyFilter,
    Log,
}

impl Phase {
    /// The directive prefix and the name ngx_lua uses in chunk names (`rewrite_by_lua`).
    pub fn directive(self) -> &'static str {
        match self {
            Phase::Init => "init_by_lua",
            Phase::InitWorker => "init_worker_by_lua",
            Phase::Set => "set_by_lua",
            Phase::Rewrite => "rewrite_by_lua",
            Phase::Access => "access_by_lua",
            Phase::Content => "content_by_lua",
            Phase::HeaderFilter => "header_filter_by_lua",
            Phase::BodyFilter => "body_filter_by_lua",
            Phase::Log => "log_by_lua",
        }
    }

    /// `ngx.get_phase()`.
    pub fn name(self) -> &'static str {
        match self {
            Phase::Init => "init",
            Phase::InitWorker => "init_worker",
            Phase::Set => "set",
            Phase::Rewrite => "rewrite",
            Phase::Access => "access",
            Phase::Content => "content",
            Phase::HeaderFilter => "header_filter",
            Phase::BodyFilter => "body_filter",
            Phase::Log => "log",
        }
    }

    const ALL: [Phase; 9] = [
        Phase::Init,
        Phase::InitWorker,
        Phase::Set,
        Phase::Rewrite,
        Phase::Access,
        Phase::Content,
        Phase::HeaderFilter,
        Phase::BodyFilter,
        Phase::Log,
    ];

    /// The phase and form of a `*_by_lua*` directive name.
    fn parse_directive(name: &str) -> Option<(Phase, Form)> {
        for p in Phase::ALL {
            let d = p.directive();
            if let Some(rest) = name.strip_prefix(d) {
                let form = match rest {
                    "" => Form::String,
                    "_block" => Form::Block,
                    "_file" => Form::File,
                    _ => continue,
                };
                return Some((p, form));
            }
        }
        None
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    String,
    Block,
    File,
}

/// One Lua handler of the configuration: its chunk name and source.
#[derive(Clone, Debug, PartialEq)]
pub struct Handler {
    pub phase: Phase,
    /// As ngx_lua names the chunk: `content_by_lua(nginx.conf:40)` for inline code, the
    /// file's path for `_file`.
    pub chunk_name: String,
    pub source: String,
    pub pos: Pos,
}

/// Index into [`Conf::handlers`].
pub type HandlerId = usize;

/// How a location is matched.
#[derive(Clone, Debug)]
pub enum Match {
    Exact(String),
    Prefix(String),
    /// `^~`: a longest-prefix match that stops the regex search.
    PrefixNoRegex(String),
    Regex {
        source: String,
        caseless: bool,
        re: regex::bytes::Regex,
    },
}

/// A step of the rewrite module's script, run in order in the rewrite phase (before
/// `rewrite_by_lua`).
#[derive(Clone, Debug)]
pub enum RewriteOp {
    /// `set $name value` (the value may contain `$var` references).
    Set { name: String, value: Vec<u8> },
    /// `set_by_lua* $name ... [args]`
    SetByLua {
        name: String,
        handler: HandlerId,
        args: Vec<Vec<u8>>,
    },
    /// `return code [text]` / `return url`
    Return { code: u16, text: Option<Vec<u8>> },
}

/// Settings that a location inherits from its server and the server from `http`.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub default_type: Option<Vec<u8>>,
    /// `add_header name value [always]`: a level that has any replaces the inherited list.
    pub add_headers: Option<Vec<(String, Vec<u8>, bool)>>,
    /// `error_page code... [=code] uri`
    pub error_pages: Option<Vec<(Vec<u16>, Option<u16>, String)>>,
    pub client_max_body_size: Option<u64>,
    pub lua_need_request_body: Option<bool>,
    /// `types { type ext...; }`: extension → type.
    pub types: Option<Vec<(String, Vec<u8>)>>,
    pub handlers: [Option<HandlerId>; 9],
}

impl Scope {
    fn inherit(&mut self, parent: &Scope) {
        if self.default_type.is_none() {
            self.default_type = parent.default_type.clone();
        }
        if self.add_headers.is_none() {
            self.add_headers = parent.add_headers.clone();
        }
        if self.error_pages.is_none() {
            self.error_pages = parent.error_pages.clone();
        }
        if self.client_max_body_size.is_none() {
            self.client_max_body_size = parent.client_max_body_size;
        }
        if self.lua_need_request_body.is_none() {
            self.lua_need_request_body = parent.lua_need_request_body;
        }
        if self.types.is_none() {
            self.types = parent.types.clone();
        }
        for (i, h) in self.handlers.iter_mut().enumerate() {
            if h.is_none() {
                *h = parent.handlers[i];
            }
        }
    }

    pub fn handler(&self, phase: Phase) -> Option<HandlerId> {
        self.handlers[phase as usize]
    }

    /// The type of a URI's extension (`exten` as nginx finds it: after the last `.` of
    /// the last path segment), from `types` or nginx's built-in three.
    pub fn type_of(&self, uri: &[u8]) -> Option<Vec<u8>> {
        let seg = uri.rsplit(|&c| c == b'/').next().unwrap_or(uri);
        let dot = seg.iter().rposition(|&c| c == b'.')?;
        let ext = String::from_utf8_lossy(&seg[dot + 1..]).to_ascii_lowercase();
        if ext.is_empty() {
            return None;
        }
        match &self.types {
            Some(t) => t.iter().find(|(e, _)| *e == ext).map(|(_, m)| m.clone()),
            None => match ext.as_str() {
                "html" => Some(b"text/html".to_vec()),
                "gif" => Some(b"image/gif".to_vec()),
                "jpg" => Some(b"image/jpeg".to_vec()),
                _ => None,
            },
        }
    }
}

#[derive(Clone, Debug)]
pub struct Location {
    pub matcher: Match,
    pub scope: Scope,
    pub rewrite: Vec<RewriteOp>,
    pub pos: Pos,
    /// `internal;`: only reachable by `ngx.exec` and `error_page`.
    pub internal: bool,
}

/// One `listen` of a server.
#[derive(Clone, Debug)]
pub struct Listen {
    /// The address as written (`127.0.0.1:8080`, `8080`, `localhost`).
    pub addr: String,
    /// `default_server` (or the older `default`): the server for requests whose Host
    /// no server on this address names.
    pub default_server: bool,
    pub pos: Pos,
}

/// The servers listening on one address, in configuration order, and which of them
/// is the default.
#[derive(Clone, Debug)]
pub struct AddrServers {
    pub servers: Vec<usize>,
    pub default: usize,
}

#[derive(Clone, Debug)]
pub struct Server {
    pub listen: Vec<Listen>,
    pub server_names: Vec<String>,
    /// The same names, parsed for matching.
    pub names: Vec<ServerName>,
    pub scope: Scope,
    /// The server-level rewrite module script (run before the location is found).
    pub rewrite: Vec<RewriteOp>,
    pub locations: Vec<Location>,
}

/// One `server_name`, as nginx sorts them for matching (lowercase).
#[derive(Clone, Debug)]
pub enum ServerName {
    Exact(String),
    /// `*.example.com` and `.example.com` (suffix `.example.com`); the second also
    /// matches `example.com` itself (`bare`).
    Suffix {
        suffix: String,
        bare: bool,
    },
    /// `www.example.*` (prefix `www.example.`).
    Prefix(String),
    /// `~regex`.
    Regex(regex::bytes::Regex),
}

impl ServerName {
    fn parse(d: &Directive, name: &str) -> Result<ServerName, ConfError> {
        if let Some(pattern) = name.strip_prefix('~') {
            return regex::bytes::Regex::new(pattern)
                .map(ServerName::Regex)
                .or_else(|e| err(&d.pos, format!("server_name regex \"{pattern}\": {e}")));
        }
        let name = name.to_ascii_lowercase();
        Ok(if let Some(suffix) = name.strip_prefix('*') {
            ServerName::Suffix {
                suffix: suffix.to_string(),
                bare: false,
            }
        } else if name.starts_with('.') {
            ServerName::Suffix {
                suffix: name,
                bare: true,
            }
        } else if let Some(prefix) = name.strip_suffix('*') {
            ServerName::Prefix(prefix.to_string())
        } else {
            ServerName::Exact(name)
        })
    }
}

/// A `lua_shared_dict name size`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedDict {
    pub name: String,
    pub size: u64,
}

/// A configuration, ready to compile and serve.
#[derive(Clone, Debug)]
pub struct Conf {
    pub handlers: Vec<Handler>,
    pub servers: Vec<Server>,
    pub lua_package_path: Option<String>,
    pub shared_dicts: Vec<SharedDict>,
    pub init: Option<HandlerId>,
    pub init_worker: Option<HandlerId>,
    /// The `error_log` level word (`error` when not set).
    pub error_log_level: String,
    /// `worker_processes`: how many threads serve requests, each with its own
    /// connections (1 when not set, as in nginx; `auto` is the number of cores).
    pub worker_processes: usize,
    pub warnings: Vec<ConfError>,
    /// The directory relative paths (`_file`, `lua_package_path`) are resolved from.
    pub prefix: PathBuf,
}

/// Directives that change how a request is served and that moonshift does not do: a
/// configuration that has them would be served differently, so it is refused.
const REFUSED: &[&str] = &[
    "proxy_pass",
    "fastcgi_pass",
    "uwsgi_pass",
    "scgi_pass",
    "grpc_pass",
    "memcached_pass",
    "if",
    "rewrite",
    "try_files",
    "alias",
    "root",
    "index",
    "auth_basic",
    "auth_request",
    "limit_req",
    "limit_conn",
    "allow",
    "deny",
    "ssl_certificate",
    "gzip",
    "sub_filter",
    "echo",
    "content_by_lua_file_no_cache",
    "lua_code_cache",
    "rewrite_by_lua_no_postpone",
    "access_by_lua_no_postpone",
    "map",
    "upstream",
    "balancer_by_lua_block",
    "balancer_by_lua_file",
    "ssl_certificate_by_lua_block",
    "ssl_certificate_by_lua_file",
];

/// Directives that do not change what a loopback client receives from moonshift's model;
/// they are accepted silently.
const ACCEPTED: &[&str] = &[
    "worker_connections",
    "daemon",
    "master_process",
    "pid",
    "load_module",
    "access_log",
    "server_tokens",
    "client_body_temp_path",
    "proxy_temp_path",
    "fastcgi_temp_path",
    "uwsgi_temp_path",
    "scgi_temp_path",
    "keepalive_timeout",
    "keepalive_requests",
    "sendfile",
    "tcp_nopush",
    "tcp_nodelay",
    "types_hash_max_size",
    "lua_socket_log_errors",
    "charset",
    "lua_package_cpath",
    "client_body_buffer_size",
    "worker_rlimit_nofile",
    "multi_accept",
    "use",
    "env",
];

impl Conf {
    /// Reads and builds the configuration at `path`.
    pub fn load(path: &Path) -> Result<Conf, ConfError> {
        let tree = load(path)?;
        let prefix = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Conf::from_tree(&tree, prefix)
    }

    /// Builds the model from a directive tree; `prefix` resolves relative paths.
    pub fn from_tree(tree: &[Directive], prefix: PathBuf) -> Result<Conf, ConfError> {
        let mut b = Builder {
            conf: Conf {
                handlers: Vec::new(),
                servers: Vec::new(),
                lua_package_path: None,
                shared_dicts: Vec::new(),
                init: None,
                init_worker: None,
                error_log_level: "error".into(),
                worker_processes: 1,
                warnings: Vec::new(),
                prefix,
            },
        };
        let mut saw_http = false;
        for d in tree {
            match d.name.as_str() {
                "events" => {}
                "http" => {
                    saw_http = true;
                    b.http(d)?;
                }
                "error_log" => b.error_log(d),
                "worker_processes" => b.worker_processes(d)?,
                _ => b.other(d, Ctx::Main)?,
            }
        }
        if !saw_http {
            return err(
                &Pos {
                    file: tree.first().map(|d| d.pos.file.clone()).unwrap_or_default(),
                    line: 1,
                },
                "no \"http\" block: there is nothing to serve",
            );
        }
        // Checked here, as `nginx -t` would, rather than when binding.
        b.conf.listen_addrs()?;
        Ok(b.conf)
    }

    pub fn handler(&self, id: HandlerId) -> &Handler {
        &self.handlers[id]
    }

    /// The `lua_shared_dict` names, for the life of the process (a configuration is
    /// loaded once; the `ngx` table's shape holds `'static` names).
    pub fn dict_names(&self) -> Vec<&'static str> {
        self.shared_dicts
            .iter()
            .map(|d| &*Box::leak(d.name.clone().into_boxed_str()))
            .collect()
    }

    /// Every handler's chunk name and source, by id (what the compiler and the reference
    /// arm load).
    pub fn sources(&self) -> Vec<(String, String)> {
        self.handlers
            .iter()
            .map(|h| (h.chunk_name.clone(), h.source.clone()))
            .collect()
    }

    /// `package.path` for `require`: `lua_package_path` with `$prefix` and relative
    /// templates resolved against the prefix, `;;` replaced by the prefix's own
    /// `?.lua;?/init.lua`.
    pub fn module_path(&self) -> String {
        // nginx's prefix ends with a slash.
        let prefix = format!("{}/", self.prefix.display());
        let default = format!("{prefix}?.lua;{prefix}?/init.lua");
        let Some(path) = &self.lua_package_path else {
            return default;
        };
        let mut out: Vec<String> = Vec::new();
        let path = path.replace(";;", ";\u{0};");
        for t in path.split(';') {
            if t.is_empty() {
                continue;
            }
            if t == "\u{0}" {
                out.push(default.clone());
                continue;
            }
            let t = t.replace("$prefix", &prefix);
            if t.starts_with('/') {
                out.push(t);
            } else {
                out.push(format!("{prefix}{t}"));
            }
        }
        out.join(";")
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Main,
    Http,
    Server,
    Location,
}

struct Builder {
    conf: Conf,
}

fn arg_str(d: &Directive, i: usize) -> String {
    String::from_utf8_lossy(&d.args[i]).into_owned()
}

fn nargs(d: &Directive, range: std::ops::RangeInclusive<usize>) -> Result<(), ConfError> {
    if range.contains(&d.args.len()) {
        Ok(())
    } else {
        err(
            &d.pos,
            format!("invalid number of arguments in \"{}\" directive", d.name),
        )
    }
}

/// nginx's size syntax: `10`, `10k`, `1m`, `1g`.
fn parse_size(d: &Directive, s: &[u8]) -> Result<u64, ConfError> {
    let (digits, mult) = match s.last().map(u8::to_ascii_lowercase) {
        Some(b'k') => (&s[..s.len() - 1], 1024),
        Some(b'm') => (&s[..s.len() - 1], 1024 * 1024),
        Some(b'g') => (&s[..s.len() - 1], 1024 * 1024 * 1024),
        _ => (s, 1),
    };
    std::str::from_utf8(digits)
        .ok()
        .and_then(|t| t.parse::<u64>().ok())
        .map(|n| n * mult)
        .map_or_else(
            || err(&d.pos, format!("\"{}\" directive invalid value", d.name)),
            Ok,
        )
}

impl Builder {
    fn error_log(&mut self, d: &Directive) {
        if let Some(level) = d.args.get(1) {
            self.conf.error_log_level = String::from_utf8_lossy(level).into_owned();
        }
    }

    fn worker_processes(&mut self, d: &Directive) -> Result<(), ConfError> {
        nargs(d, 1..=1)?;
        let n = match d.args[0].as_slice() {
            b"auto" => std::thread::available_parallelism().map_or(1, |n| n.get()),
            a => std::str::from_utf8(a)
                .ok()
                .and_then(|t| t.parse::<usize>().ok())
                .filter(|&n| n > 0)
                .map_or_else(
                    || err(&d.pos, "invalid value \"worker_processes\"".to_string()),
                    Ok,
                )?,
        };
        self.conf.worker_processes = n;
        Ok(())
    }

    fn http(&mut self, d: &Directive) -> Result<(), ConfError> {
        let Body::Block(items) = &d.body else {
            return err(&d.pos, "directive \"http\" has no opening \"{\"");
        };
        let mut scope = Scope::default();
        let mut servers = Vec::new();
        for d in items {
            match d.name.as_str() {
                "server" => servers.push(d),
                "lua_package_path" => {
                    nargs(d, 1..=1)?;
                    self.conf.lua_package_path = Some(arg_str(d, 0));
                }
                "lua_shared_dict" => {
                    nargs(d, 2..=2)?;
                    let size = parse_size(d, &d.args[1])?;
                    self.conf.shared_dicts.push(SharedDict {
                        name: arg_str(d, 0),
                        size,
                    });
                }
                "error_log" => self.error_log(d),
                _ => {
                    if let Some((phase, form)) = Phase::parse_directive(&d.name) {
                        match phase {
                            Phase::Init => self.conf.init = Some(self.handler(d, phase, form)?),
                            Phase::InitWorker => {
                                self.conf.init_worker = Some(self.handler(d, phase, form)?)
                            }
                            _ => self.scope_directive(&mut scope, d, Ctx::Http)?,
                        }
                    } else {
                        self.scope_directive(&mut scope, d, Ctx::Http)?;
                    }
                }
            }
        }
        if scope.default_type.is_none() {
            scope.default_type = Some(b"text/plain".to_vec());
        }
        for s in servers {
            let server = self.server(s, &scope)?;
            self.conf.servers.push(server);
        }
        if self.conf.servers.is_empty() {
            return err(&d.pos, "no \"server\" block in \"http\"");
        }
        Ok(())
    }

    fn server(&mut self, d: &Directive, http: &Scope) -> Result<Server, ConfError> {
        let Body::Block(items) = &d.body else {
            return err(&d.pos, "directive \"server\" has no opening \"{\"");
        };
        let mut server = Server {
            listen: Vec::new(),
            server_names: Vec::new(),
            names: Vec::new(),
            scope: Scope::default(),
            rewrite: Vec::new(),
            locations: Vec::new(),
        };
        let mut locations = Vec::new();
        for d in items {
            match d.name.as_str() {
                "listen" => {
                    nargs(d, 1..=16)?;
                    server.listen.push(Listen {
                        addr: arg_str(d, 0),
                        default_server: (1..d.args.len()).any(|i| {
                            matches!(d.args[i].as_slice(), b"default_server" | b"default")
                        }),
                        pos: d.pos.clone(),
                    });
                }
                "server_name" => {
                    for i in 0..d.args.len() {
                        let name = arg_str(d, i);
                        server.names.push(ServerName::parse(d, &name)?);
                        server.server_names.push(name);
                    }
                }
                "location" => locations.push(d),
                "set" | "return" => {
                    let op = self.rewrite_op(d)?;
                    server.rewrite.push(op);
                }
                _ => {
                    if let Some((Phase::Set, form)) = Phase::parse_directive(&d.name) {
                        let op = self.set_by_lua(d, form)?;
                        server.rewrite.push(op);
                    } else {
                        self.scope_directive(&mut server.scope, d, Ctx::Server)?;
                    }
                }
            }
        }
        server.scope.inherit(http);
        if server.listen.is_empty() {
            server.listen.push(Listen {
                addr: "127.0.0.1:80".into(),
                default_server: false,
                pos: d.pos.clone(),
            });
        }
        for l in locations {
            let loc = self.location(l, &server.scope)?;
            server.locations.push(loc);
        }
        Ok(server)
    }

    fn location(&mut self, d: &Directive, parent: &Scope) -> Result<Location, ConfError> {
        let Body::Block(items) = &d.body else {
            return err(&d.pos, "directive \"location\" has no opening \"{\"");
        };
        nargs(d, 1..=2)?;
        let matcher = if d.args.len() == 2 {
            let path = arg_str(d, 1);
            match d.args[0].as_slice() {
                b"=" => Match::Exact(path),
                b"^~" => Match::PrefixNoRegex(path),
                b"~" | b"~*" => {
                    let caseless = d.args[0] == b"~*";
                    let re = regex::bytes::RegexBuilder::new(&path)
                        .case_insensitive(caseless)
                        .build()
                        .map_err(|e| ConfError {
                            pos: d.pos.clone(),
                            message: format!("location regex \"{path}\" does not compile: {e}"),
                        })?;
                    Match::Regex {
                        source: path,
                        caseless,
                        re,
                    }
                }
                _ => {
                    return err(
                        &d.pos,
                        format!("invalid location modifier \"{}\"", arg_str(d, 0)),
                    );
                }
            }
        } else {
            let path = arg_str(d, 0);
            if let Some(p) = path.strip_prefix('=') {
                Match::Exact(p.to_string())
            } else {
                Match::Prefix(path)
            }
        };
        let mut loc = Location {
            matcher,
            scope: Scope::default(),
            rewrite: Vec::new(),
            pos: d.pos.clone(),
            internal: false,
        };
        for d in items {
            match d.name.as_str() {
                "set" | "return" => {
                    let op = self.rewrite_op(d)?;
                    loc.rewrite.push(op);
                }
                "internal" => loc.internal = true,
                "location" => {
                    return err(&d.pos, "nested locations are not supported by moonshift");
                }
                _ => {
                    if let Some((Phase::Set, form)) = Phase::parse_directive(&d.name) {
                        let op = self.set_by_lua(d, form)?;
                        loc.rewrite.push(op);
                    } else {
                        self.scope_directive(&mut loc.scope, d, Ctx::Location)?;
                    }
                }
            }
        }
        loc.scope.inherit(parent);
        Ok(loc)
    }

    fn rewrite_op(&mut self, d: &Directive) -> Result<RewriteOp, ConfError> {
        if d.name == "set" {
            nargs(d, 2..=2)?;
            let var = arg_str(d, 0);
            let Some(name) = var.strip_prefix('$') else {
                return err(&d.pos, format!("invalid variable name \"{var}\""));
            };
            return Ok(RewriteOp::Set {
                name: name.to_ascii_lowercase(),
                value: d.args[1].clone(),
            });
        }
        nargs(d, 1..=2)?;
        let first = arg_str(d, 0);
        match first.parse::<u16>() {
            Ok(code) if code <= 999 => Ok(RewriteOp::Return {
                code,
                text: d.args.get(1).cloned(),
            }),
            _ if d.args.len() == 1
                && (first.starts_with("http://")
                    || first.starts_with("https://")
                    || first.starts_with('$')) =>
            {
                Ok(RewriteOp::Return {
                    code: 302,
                    text: Some(d.args[0].clone()),
                })
            }
            _ => err(&d.pos, format!("invalid return code \"{first}\"")),
        }
    }

    fn set_by_lua(&mut self, d: &Directive, form: Form) -> Result<RewriteOp, ConfError> {
        let min = if form == Form::Block { 1 } else { 2 };
        if d.args.len() < min {
            return err(
                &d.pos,
                format!("invalid number of arguments in \"{}\" directive", d.name),
            );
        }
        let var = arg_str(d, 0);
        let Some(name) = var.strip_prefix('$') else {
            return err(&d.pos, format!("invalid variable name \"{var}\""));
        };
        let name = name.to_ascii_lowercase();
        let code_at = if form == Form::Block { None } else { Some(1) };
        let handler = self.handler_from(d, Phase::Set, form, code_at)?;
        let args = d.args[min..].to_vec();
        Ok(RewriteOp::SetByLua {
            name,
            handler,
            args,
        })
    }

    fn handler(&mut self, d: &Directive, phase: Phase, form: Form) -> Result<HandlerId, ConfError> {
        let code_at = if form == Form::Block { None } else { Some(0) };
        if form != Form::Block {
            nargs(d, 1..=1)?;
        } else if !d.args.is_empty() {
            return err(
                &d.pos,
                format!("invalid number of arguments in \"{}\" directive", d.name),
            );
        }
        self.handler_from(d, phase, form, code_at)
    }

    fn handler_from(
        &mut self,
        d: &Directive,
        phase: Phase,
        form: Form,
        code_at: Option<usize>,
    ) -> Result<HandlerId, ConfError> {
        // The file as ngx_lua names it: relative to the directory of the main file.
        let conf_base = d.pos.file.clone();
        let (chunk_name, source) = match form {
            Form::Block => {
                let Body::Lua(text) = &d.body else {
                    return err(&d.pos, format!("directive \"{}\" has no block", d.name));
                };
                (
                    format!("{}({}:{})", phase.directive(), conf_base, d.pos.line),
                    text.clone(),
                )
            }
            Form::String => {
                let i = code_at.unwrap_or(0);
                (
                    format!("{}({}:{})", phase.directive(), conf_base, d.end_line),
                    String::from_utf8_lossy(&d.args[i]).into_owned(),
                )
            }
            Form::File => {
                let i = code_at.unwrap_or(0);
                let rel = arg_str(d, i);
                let path = if Path::new(&rel).is_absolute() {
                    PathBuf::from(&rel)
                } else {
                    self.conf.prefix.join(&rel)
                };
                let text = std::fs::read(&path).map_err(|e| ConfError {
                    pos: d.pos.clone(),
                    message: format!(
                        "failed to load external Lua file \"{}\": {e}",
                        path.display()
                    ),
                })?;
                (
                    path.display().to_string(),
                    String::from_utf8_lossy(&text).into_owned(),
                )
            }
        };
        // A set_by_lua handler's first return value becomes the variable: the source is
        // wrapped (on its first line, so line numbers stay) to hand it to `ngx.arg[0]`.
        let source = if phase == Phase::Set {
            format!("ngx.arg[0] = (function(...) {source}\nend)(...)")
        } else {
            source
        };
        self.conf.handlers.push(Handler {
            phase,
            chunk_name,
            source,
            pos: d.pos.clone(),
        });
        Ok(self.conf.handlers.len() - 1)
    }

    /// A directive valid in http, server and location.
    fn scope_directive(
        &mut self,
        scope: &mut Scope,
        d: &Directive,
        ctx: Ctx,
    ) -> Result<(), ConfError> {
        if let Some((phase, form)) = Phase::parse_directive(&d.name) {
            if matches!(phase, Phase::Init | Phase::InitWorker | Phase::Set) {
                return err(
                    &d.pos,
                    format!("\"{}\" directive is not allowed here", d.name),
                );
            }
            let id = self.handler(d, phase, form)?;
            scope.handlers[phase as usize] = Some(id);
            return Ok(());
        }
        match d.name.as_str() {
            "default_type" => {
                nargs(d, 1..=1)?;
                scope.default_type = Some(d.args[0].clone());
            }
            "add_header" => {
                nargs(d, 2..=3)?;
                let always = d.args.get(2).map(|a| a.as_slice()) == Some(b"always");
                scope.add_headers.get_or_insert_with(Vec::new).push((
                    arg_str(d, 0),
                    d.args[1].clone(),
                    always,
                ));
            }
            "error_page" => {
                if d.args.len() < 2 {
                    return nargs(d, 2..=2);
                }
                let uri = arg_str(d, d.args.len() - 1);
                let mut codes = Vec::new();
                let mut replace = None;
                for a in &d.args[..d.args.len() - 1] {
                    let a = String::from_utf8_lossy(a);
                    if let Some(r) = a.strip_prefix('=') {
                        replace = r.parse::<u16>().ok();
                        continue;
                    }
                    match a.parse::<u16>() {
                        Ok(c) if (300..=599).contains(&c) => codes.push(c),
                        _ => return err(&d.pos, format!("invalid value \"{a}\"")),
                    }
                }
                scope
                    .error_pages
                    .get_or_insert_with(Vec::new)
                    .push((codes, replace, uri));
            }
            "types" => {
                let Body::Block(items) = &d.body else {
                    return err(&d.pos, "directive \"types\" has no opening \"{\"");
                };
                let types = scope.types.get_or_insert_with(Vec::new);
                for t in items {
                    for ext in &t.args {
                        let ext = String::from_utf8_lossy(ext).to_ascii_lowercase();
                        types.retain(|(e, _)| *e != ext);
                        types.push((ext, t.name.clone().into_bytes()));
                    }
                }
            }
            "client_max_body_size" => {
                nargs(d, 1..=1)?;
                scope.client_max_body_size = Some(parse_size(d, &d.args[0])?);
            }
            "lua_need_request_body" => {
                nargs(d, 1..=1)?;
                scope.lua_need_request_body = Some(d.args[0] == b"on");
            }
            _ => return self.other(d, ctx),
        }
        Ok(())
    }

    fn other(&mut self, d: &Directive, ctx: Ctx) -> Result<(), ConfError> {
        let name = d.name.as_str();
        if REFUSED.contains(&name) {
            return err(
                &d.pos,
                format!(
                    "\"{name}\" is not supported by moonshift, and serving without it would \
                     change the responses"
                ),
            );
        }
        if ACCEPTED.contains(&name) || name.starts_with("lua_") && ctx != Ctx::Location {
            if !ACCEPTED.contains(&name) {
                self.conf.warnings.push(ConfError {
                    pos: d.pos.clone(),
                    message: format!("directive \"{name}\" is ignored by moonshift"),
                });
            }
            return Ok(());
        }
        self.conf.warnings.push(ConfError {
            pos: d.pos.clone(),
            message: format!("unknown directive \"{name}\" is ignored by moonshift"),
        });
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Location matching.

impl Conf {
    /// The server nginx picks among `candidates` (the servers on one address, in order)
    /// for the request's `host` (lowercase, without port): an exact name, else the longest
    /// `*.name` / `.name` wildcard, else the longest `name.*` wildcard, else the first
    /// matching regex (with its captures, which nginx makes `$1`.. and variables), else
    /// the address's default server (`default_server`, or the first).
    pub fn choose_server(
        &self,
        on: &AddrServers,
        host: Option<&str>,
    ) -> (usize, Option<crate::ngx::Captures>) {
        let candidates = &on.servers;
        let Some(host) = host else {
            return (on.default, None);
        };
        let longer = |best: Option<(usize, usize)>, len: usize| best.is_none_or(|(_, l)| len > l);
        let (mut suffix_best, mut prefix_best) = (None, None);
        for &i in candidates {
            for n in &self.servers[i].names {
                match n {
                    ServerName::Exact(e) if e == host => return (i, None),
                    ServerName::Suffix { suffix, bare }
                        if (host.ends_with(suffix.as_str()) || (*bare && host == &suffix[1..]))
                            && longer(suffix_best, suffix.len()) =>
                    {
                        suffix_best = Some((i, suffix.len()));
                    }
                    ServerName::Prefix(p)
                        if host.starts_with(p.as_str()) && longer(prefix_best, p.len()) =>
                    {
                        prefix_best = Some((i, p.len()));
                    }
                    _ => {}
                }
            }
        }
        if let Some((i, _)) = suffix_best.or(prefix_best) {
            return (i, None);
        }
        for &i in candidates {
            for n in &self.servers[i].names {
                if let ServerName::Regex(re) = n
                    && let Some(caps) = crate::ngx::captures_of(re, host.as_bytes())
                {
                    return (i, Some(caps));
                }
            }
        }
        (on.default, None)
    }

    /// The distinct `listen` addresses, with the servers on each and the default one;
    /// nginx's errors for an address it cannot bind and for two `default_server`s on
    /// one address.
    pub fn listen_addrs(&self) -> Result<Vec<(SocketAddr, AddrServers)>, ConfError> {
        let mut out: Vec<(SocketAddr, AddrServers, bool)> = Vec::new();
        for (i, s) in self.servers.iter().enumerate() {
            for listen in &s.listen {
                let l = &listen.addr;
                let text = if l.contains(':') {
                    l.clone()
                } else if l.parse::<u16>().is_ok() {
                    format!("127.0.0.1:{l}")
                } else {
                    format!("{l}:80")
                };
                let text = text.replace("localhost:", "127.0.0.1:");
                let Ok(addr) = text.parse::<SocketAddr>() else {
                    return err(
                        &listen.pos,
                        &format!("listen \"{l}\": not an address moonshift can bind"),
                    );
                };
                let at = match out.iter().position(|(a, ..)| *a == addr) {
                    Some(at) => at,
                    None => {
                        let on = AddrServers {
                            servers: Vec::new(),
                            default: i,
                        };
                        out.push((addr, on, false));
                        out.len() - 1
                    }
                };
                let (_, on, has_default) = &mut out[at];
                if !on.servers.contains(&i) {
                    on.servers.push(i);
                }
                if listen.default_server {
                    if *has_default {
                        return err(
                            &listen.pos,
                            &format!("a duplicate default server for {addr}"),
                        );
                    }
                    *has_default = true;
                    on.default = i;
                }
            }
        }
        Ok(out.into_iter().map(|(a, on, _)| (a, on)).collect())
    }
}

impl Server {
    /// The location nginx picks for `uri` (already normalised). An `internal` location is
    /// still the match: the caller answers 404 when the request is not internal.
    pub fn find_location(&self, uri: &[u8]) -> Option<usize> {
        // Exact match first.
        for (i, l) in self.locations.iter().enumerate() {
            if let Match::Exact(p) = &l.matcher
                && p.as_bytes() == uri
            {
                return Some(i);
            }
        }
        // Longest prefix.
        let mut best: Option<(usize, usize, bool)> = None;
        for (i, l) in self.locations.iter().enumerate() {
            let (p, stop) = match &l.matcher {
                Match::Prefix(p) => (p, false),
                Match::PrefixNoRegex(p) => (p, true),
                _ => continue,
            };
            if uri.starts_with(p.as_bytes()) && best.is_none_or(|(_, len, _)| p.len() > len) {
                best = Some((i, p.len(), stop));
            }
        }
        if let Some((i, _, true)) = best {
            return Some(i);
        }
        for (i, l) in self.locations.iter().enumerate() {
            if let Match::Regex { re, .. } = &l.matcher
                && re.is_match(uri)
            {
                return Some(i);
            }
        }
        best.map(|(i, _, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conf(text: &str) -> Conf {
        let tree = parse("nginx.conf", text.as_bytes()).expect("parses");
        Conf::from_tree(&tree, PathBuf::from(".")).expect("builds")
    }

    #[test]
    fn quoted_words_unescape_as_nginx_does() {
        let tree = parse(
            "nginx.conf",
            br#"content_by_lua 'ngx.say("a\\tb\'c", "\x")';"#,
        )
        .unwrap();
        assert_eq!(tree[0].args[0], br#"ngx.say("a\tb'c", "\x")"#.to_vec());
        let tree = parse("nginx.conf", b"a \"x\\ty\" b\\;c;").unwrap();
        assert_eq!(tree[0].args, vec![b"x\ty".to_vec(), b"b\\;c".to_vec()]);
    }

    #[test]
    fn lua_blocks_are_read_with_lua_lexical_rules() {
        let text = "http {\n server {\n  location / {\n   content_by_lua_block {\n    local t = { \"}\", '{', [[ } ]], [==[ ]] } ]==] } -- }\n    --[[ } ]] ngx.say(#t)\n   }\n  }\n }\n}\n";
        let tree = parse("nginx.conf", text.as_bytes()).unwrap();
        let Body::Block(http) = &tree[0].body else {
            panic!()
        };
        let Body::Block(server) = &http[0].body else {
            panic!()
        };
        let Body::Block(loc) = &server[0].body else {
            panic!()
        };
        assert_eq!(loc[0].name, "content_by_lua_block");
        assert_eq!(loc[0].pos.line, 4);
        let Body::Lua(src) = &loc[0].body else {
            panic!()
        };
        assert!(src.contains("ngx.say(#t)"), "{src}");
        assert!(src.trim_end().ends_with("ngx.say(#t)"), "{src:?}");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let e = parse("nginx.conf", b"http {\n server {\n").unwrap_err();
        assert_eq!(e.pos.line, 3);
        assert!(e.message.contains("unexpected end of file"), "{e}");
        let e = parse("nginx.conf", b"a \"b\"c;").unwrap_err();
        assert!(e.message.contains("unexpected \"c\""), "{e}");
    }

    #[test]
    fn locations_match_in_nginx_order() {
        let c = conf(
            "http { server { listen 127.0.0.1:1;
               location / { }
               location /a { }
               location = /a { }
               location ^~ /static/ { }
               location ~ \\.php$ { }
               location ~* \\.JPG$ { }
               location /a/b { }
             } }",
        );
        let s = &c.servers[0];
        let find = |u: &str| s.find_location(u.as_bytes()).unwrap();
        assert_eq!(find("/"), 0);
        assert_eq!(find("/x"), 0);
        assert_eq!(find("/a"), 2);
        assert_eq!(find("/ab"), 1);
        assert_eq!(find("/a/b/c"), 6);
        assert_eq!(find("/static/x.php"), 3);
        assert_eq!(find("/a/x.php"), 4);
        assert_eq!(find("/pic.jpg"), 5);
    }

    #[test]
    fn handlers_get_ngx_lua_chunk_names_and_inherit() {
        let c = conf(
            "http {\n access_by_lua_block { ngx.log(ngx.ERR, 1) }\n server {\n  location /x {\n   content_by_lua 'ngx.say(1)';\n  }\n }\n}\n",
        );
        assert_eq!(c.handlers[0].chunk_name, "access_by_lua(nginx.conf:2)");
        assert_eq!(c.handlers[1].chunk_name, "content_by_lua(nginx.conf:5)");
        let l = &c.servers[0].locations[0];
        assert_eq!(l.scope.handler(Phase::Access), Some(0));
        assert_eq!(l.scope.handler(Phase::Content), Some(1));
    }

    #[test]
    fn refused_and_unknown_directives() {
        let tree = parse(
            "nginx.conf",
            b"http { server { location / { proxy_pass http://x; } } }",
        )
        .unwrap();
        let e = Conf::from_tree(&tree, PathBuf::from(".")).unwrap_err();
        assert!(e.message.contains("proxy_pass"), "{e}");
        let c = conf("http { frobnicate on; server { } }");
        assert_eq!(c.warnings.len(), 1);
        assert!(c.warnings[0].message.contains("frobnicate"));
    }

    #[test]
    fn default_server_is_the_fallback_of_its_address() {
        let c = conf(
            "http {
               server { listen 127.0.0.1:1; server_name ~^a; }
               server { listen 127.0.0.1:1 default_server; server_name b.test; }
               server { listen 127.0.0.1:2; listen 127.0.0.1:1; server_name c.test; }
             }",
        );
        let addrs = c.listen_addrs().unwrap();
        assert_eq!(addrs.len(), 2);
        let (one, two) = (&addrs[0].1, &addrs[1].1);
        assert_eq!((one.servers.as_slice(), one.default), (&[0, 1, 2][..], 1));
        assert_eq!((two.servers.as_slice(), two.default), (&[2][..], 2));
        assert_eq!(c.choose_server(one, Some("c.test")).0, 2);
        assert_eq!(c.choose_server(one, Some("abc")).0, 0);
        assert_eq!(c.choose_server(one, Some("zzz")).0, 1);
        assert_eq!(c.choose_server(one, None).0, 1);
        let tree = parse(
            "nginx.conf",
            b"http {\n server { listen 127.0.0.1:1 default_server; }\n server { listen 127.0.0.1:1 default; }\n}\n",
        )
        .unwrap();
        let e = Conf::from_tree(&tree, PathBuf::from(".")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a duplicate default server for 127.0.0.1:1 in nginx.conf:3"
        );
    }
}
