//! A request through an nginx.conf, phase by phase, as nginx runs it.
//!
//! [`Gateway::handle`] takes a request for one server of a [`Conf`] and runs, in nginx's
//! order: the server's rewrite-module script (`set`, `set_by_lua*`, `return`), location
//! selection, the location's rewrite-module script, `rewrite_by_lua*`, `access_by_lua*`,
//! the content (`content_by_lua*`, else nginx's static handler, which moonshift answers
//! with 404), then `header_filter_by_lua*`, `body_filter_by_lua*` and `log_by_lua*`.
//! How a handler run ends decides whether the next phase runs ([`NgxRequest::end_run`]).
//!
//! The Lua code runs in a [`Session`]: one per request, made by a [`Backend`] (a wasm
//! instance from [`crate::wasm::ConfProgram`], or a LuaJIT state from
//! [`crate::reference::ConfReference`]). Both arms go through this one pipeline, so a
//! difference between them is the compiler's.
//!
//! Simplifications (listed in docs/DIVERGENCES.md): the content phase's output is
//! collected and the header and body filters run once it ends, with the whole body as
//! one chunk and `ngx.arg[2]` true.

use crate::conf::{Conf, HandlerId, Phase, RewriteOp, Server};
use crate::ngx::{HostValue, NgxRequest, Request, Response, RunEnd};

/// One request's Lua state.
pub trait Session {
    /// Runs handler `id` with the request state (its phase already set), and hands the
    /// state back with how the run ended.
    fn run(&mut self, id: HandlerId, ngx: Box<NgxRequest>) -> (Box<NgxRequest>, RunEnd);
    /// Forgets `ngx.ctx` (an internal redirect starts with a new one).
    fn clear_ctx(&mut self);
    /// A request starts: its time limit starts now.
    fn begin_request(&mut self);
    /// Whether the session may serve another request (`--instance-reuse`).
    fn reusable(&self) -> bool;
}

/// Makes sessions.
pub trait Backend: Send + Sync {
    fn session(&self) -> Result<Box<dyn Session>, String>;
    /// `"wasm"` or `"luajit"`.
    fn name(&self) -> &str;
}

/// A configuration and the arm that runs its handlers.
pub struct Gateway {
    pub conf: Conf,
    backend: Box<dyn Backend>,
    /// Every variable a `set` or `set_by_lua` declares (nginx variables are global to the
    /// configuration).
    declared: Vec<String>,
    shared: std::sync::Arc<crate::shdict::SharedDicts>,
    /// `--instance-reuse`: one session per thread serves request after request, so
    /// `require`d modules and globals persist as in an ngx_lua worker.
    reuse: bool,
    /// Distinguishes gateways in the per-thread session pool.
    id: u64,
    /// ngx_lua's code cache: inline handlers of one phase with the same source are one
    /// chunk, compiled under the name of the first that ran. `same_code[id]` is the
    /// group of handler `id` (None: a `_file` handler), `first_run[group]` the handler
    /// that ran first (`usize::MAX` until one has).
    same_code: Vec<Option<usize>>,
    first_run: Vec<std::sync::atomic::AtomicUsize>,
    /// `ngx.config.prefix()`: the configuration's prefix with nginx's trailing slash.
    prefix: String,
}

static GATEWAY_IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    /// `--instance-reuse`: this thread's session, per gateway.
    static POOL: std::cell::RefCell<Vec<(u64, Box<dyn Session>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

impl Gateway {
    pub fn new(conf: Conf, backend: Box<dyn Backend>) -> Gateway {
        let mut declared = Vec::new();
        let mut scan = |ops: &[RewriteOp]| {
            for op in ops {
                if let RewriteOp::Set { name, .. } | RewriteOp::SetByLua { name, .. } = op
                    && !declared.contains(name)
                {
                    declared.push(name.clone());
                }
            }
        };
        for s in &conf.servers {
            scan(&s.rewrite);
            for l in &s.locations {
                scan(&l.rewrite);
            }
        }
        let mut groups: Vec<(Phase, &str)> = Vec::new();
        let same_code: Vec<Option<usize>> = conf
            .handlers
            .iter()
            .map(|h| {
                let d = h.phase.directive();
                let inline =
                    h.chunk_name.starts_with(d) && h.chunk_name[d.len()..].starts_with('(');
                inline.then(|| {
                    let key = (h.phase, h.source.as_str());
                    groups.iter().position(|g| *g == key).unwrap_or_else(|| {
                        groups.push(key);
                        groups.len() - 1
                    })
                })
            })
            .collect();
        let first_run = (0..groups.len())
            .map(|_| std::sync::atomic::AtomicUsize::new(usize::MAX))
            .collect();
        let dicts: Vec<(String, u64)> = conf
            .shared_dicts
            .iter()
            .map(|d| (d.name.clone(), d.size))
            .collect();
        Gateway {
            prefix: format!("{}/", conf.prefix.display()),
            conf,
            backend,
            declared,
            shared: std::sync::Arc::new(crate::shdict::SharedDicts::new(&dicts)),
            reuse: false,
            same_code,
            first_run,
            id: GATEWAY_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }

    /// The handler whose chunk runs for `id`: the first one that ran with the same phase
    /// and source, as ngx_lua's code cache keys inline code by its MD5.
    fn cached_handler(&self, id: HandlerId) -> HandlerId {
        use std::sync::atomic::Ordering;
        let Some(group) = self.same_code[id] else {
            return id;
        };
        match self.first_run[group].compare_exchange(
            usize::MAX,
            id,
            Ordering::AcqRel,
            Ordering::Acquire,
        ) {
            Ok(_) => id,
            Err(first) => first,
        }
    }

    /// Keep one session per thread across requests (`--instance-reuse`).
    pub fn with_instance_reuse(mut self, reuse: bool) -> Self {
        self.reuse = reuse;
        self
    }

    pub fn backend_name(&self) -> &str {
        self.backend.name()
    }

    /// Runs `init_by_lua*` and `init_worker_by_lua*` once, as nginx does at start-up, and
    /// returns what they logged; `Err` when one of them fails (nginx would not start).
    pub fn startup(&self) -> Result<Vec<crate::ngx::LogLine>, String> {
        let mut session = self.backend.session()?;
        let log = self.run_init(session.as_mut())?;
        Ok(log)
    }

    /// The init handlers on a new session (every session starts from the state they
    /// leave: globals and `require`d modules).
    fn run_init(&self, session: &mut dyn Session) -> Result<Vec<crate::ngx::LogLine>, String> {
        let mut log = Vec::new();
        for (id, phase) in [
            (self.conf.init, Phase::Init),
            (self.conf.init_worker, Phase::InitWorker),
        ] {
            let Some(id) = id else { continue };
            let mut ngx = Box::new(NgxRequest::new(Request {
                method: "GET".into(),
                uri: "/".into(),
                headers: vec![],
                body: vec![],
                http10: false,
            }));
            ngx.set_phase(phase);
            ngx.set_shared(self.shared.clone());
            let (ngx, end) = session.run(id, ngx);
            log.extend(ngx.into_response().log);
            if let RunEnd::Error(msg) = end {
                return Err(format!("{}_by_lua error: {msg}", phase.name()));
            }
        }
        Ok(log)
    }

    /// Handles one request for server `server` listening on `port`, with the captures of
    /// the `server_name` regex that chose the server, if one did
    /// ([`Conf::choose_server`]). Blocking: run it where a wasm guest may use a large
    /// native stack.
    pub fn handle(
        &self,
        server: usize,
        port: u16,
        req: Request,
        name_captures: Option<crate::ngx::Captures>,
    ) -> Response {
        let srv = &self.conf.servers[server];
        let mut run = Run {
            gw: self,
            location: None,
            session: None,
            ngx: Some(Box::new(NgxRequest::new(req))),
        };
        let name = srv.server_names.first().map_or("", String::as_str);
        run.ngx().set_server(name, port);
        run.ngx().set_prefix(&self.prefix);
        run.ngx().set_shared(self.shared.clone());
        run.ngx().declare_vars(&self.declared);
        if let Some((numbered, named)) = name_captures {
            run.ngx().set_captures(numbered, named);
        }
        if self.reuse {
            let id = self.id;
            if let Some(mut s) = POOL.with(|p| {
                let mut p = p.borrow_mut();
                let at = p.iter().position(|(g, _)| *g == id)?;
                Some(p.swap_remove(at).1)
            }) {
                s.clear_ctx();
                s.begin_request();
                run.session = Some(Ok(s));
            }
        }
        run.request(srv);
        run.filters_and_log(srv);
        if self.reuse
            && let Some(Ok(s)) = run.session.take()
            && s.reusable()
        {
            let id = self.id;
            POOL.with(|p| p.borrow_mut().push((id, s)));
        }
        run.ngx.take().expect("request state").into_response()
    }
}

/// How many internal redirects a request may make (nginx's `NGX_HTTP_MAX_URI_CHANGES`).
const MAX_REDIRECTS: usize = 10;

enum Step {
    Done,
    /// An internal redirect: uri, new args, whether it is `ngx.exec` (else a location
    /// search after `ngx.req.set_uri(.., true)`).
    Redirect(Vec<u8>, Option<Vec<u8>>, bool),
}

struct Run<'a> {
    gw: &'a Gateway,
    /// The location the request is in (after any internal redirect).
    location: Option<usize>,
    session: Option<Result<Box<dyn Session>, String>>,
    /// Boxed: it moves into the session and back for every handler, and host calls
    /// take it out of the store and put it back.
    ngx: Option<Box<NgxRequest>>,
}

impl Run<'_> {
    fn ngx(&mut self) -> &mut NgxRequest {
        self.ngx.as_mut().expect("request state")
    }

    /// Runs handler `id` in `phase`; `Err` when no session could be made.
    fn lua(&mut self, id: HandlerId, phase: Phase) -> RunEnd {
        let gw = self.gw;
        let session = self.session.get_or_insert_with(|| {
            let mut s = gw.backend.session()?;
            gw.run_init(s.as_mut())?;
            Ok(s)
        });
        let id = gw.cached_handler(id);
        let mut ngx = self.ngx.take().expect("request state");
        ngx.set_phase(phase);
        let (ngx, end) = match session {
            Ok(s) => s.run(id, ngx),
            Err(e) => (ngx, RunEnd::Error(e.clone())),
        };
        self.ngx = Some(ngx);
        end
    }

    fn script(&mut self, ops: &[RewriteOp]) -> bool {
        for op in ops {
            match op {
                RewriteOp::Set { name, value } => {
                    let v = self.interpolate(value);
                    self.ngx().set_var(name, v);
                }
                RewriteOp::SetByLua {
                    name,
                    handler,
                    args,
                } => {
                    let args: Vec<HostValue> = args
                        .iter()
                        .map(|a| HostValue::Str(self.interpolate(a)))
                        .collect();
                    self.ngx().phase_args = args;
                    match self.lua(*handler, Phase::Set) {
                        RunEnd::Error(msg) => {
                            self.ngx().log_set_error(&msg);
                            return true;
                        }
                        _ => {
                            let v = self.ngx().take_set_result();
                            self.ngx().set_var(name, v);
                        }
                    }
                }
                RewriteOp::Return { code, text } => {
                    let text = text.as_ref().map(|t| self.interpolate(t));
                    self.ngx().rewrite_return(i64::from(*code), text);
                    return true;
                }
            }
        }
        false
    }

    fn interpolate(&mut self, text: &[u8]) -> Vec<u8> {
        self.ngx().interpolate(text)
    }

    fn request(&mut self, srv: &Server) {
        let mut from_server = true;
        for _ in 0..=MAX_REDIRECTS {
            let step = self.request_once(srv, from_server);
            let (uri, args, exec) = match step {
                Step::Done => {
                    if !self.error_page(srv) {
                        return;
                    }
                    from_server = true;
                    continue;
                }
                Step::Redirect(uri, args, exec) => (uri, args, exec),
            };
            // Both start with a new ngx.ctx (nginx clears the modules' contexts).
            if let Some(Ok(s)) = &mut self.session {
                s.clear_ctx();
            }
            from_server = exec;
            self.ngx().internal_redirect(uri, args);
        }
        let uri = self.ngx().variable(b"uri").unwrap_or_default();
        self.ngx().redirect_cycle(&uri);
    }

    /// `error_page` for the special response just made, if the location has one: an
    /// internal redirect that keeps the status. True when the request goes on.
    fn error_page(&mut self, srv: &Server) -> bool {
        let Some(code) = self.ngx().special_code() else {
            return false;
        };
        if self.ngx().in_error_page() {
            return false;
        }
        let scope = self.scope(srv);
        let Some(pages) = &scope.error_pages else {
            return false;
        };
        let Some((_, replace, target)) = pages
            .iter()
            .find(|(codes, _, _)| codes.contains(&(code as u16)))
        else {
            return false;
        };
        let status = replace.map_or(code, i64::from);
        let target = target.clone().into_bytes();
        if let Some(Ok(s)) = &mut self.session {
            s.clear_ctx();
        }
        self.ngx().start_error_page(status);
        let (path, args) = match target.iter().position(|&c| c == b'?') {
            Some(i) => (target[..i].to_vec(), Some(target[i + 1..].to_vec())),
            None => (target, None),
        };
        self.ngx().internal_redirect(path, args);
        true
    }

    fn request_once(&mut self, srv: &Server, from_server: bool) -> Step {
        self.location = None;
        if from_server && self.script(&srv.rewrite) {
            return Step::Done;
        }
        let uri = self.ngx().variable(b"uri").unwrap_or_default();
        let internal = self.ngx().is_internal();
        self.location = srv.find_location(&uri);
        let Some(li) = self.location else {
            self.ngx().not_found();
            return Step::Done;
        };
        let loc = &srv.locations[li];
        if loc.internal && !internal {
            self.ngx().not_found();
            return Step::Done;
        }
        if let crate::conf::Match::Regex { re, .. } = &loc.matcher
            && let Some((numbered, named)) = crate::ngx::captures_of(re, &uri)
        {
            self.ngx().set_captures(numbered, named);
        }
        let add_headers = loc.scope.add_headers.clone().unwrap_or_default();
        let default_type = loc.scope.default_type.clone().unwrap_or_default();
        self.ngx().set_location_settings(default_type, add_headers);
        let ext_type = loc.scope.type_of(&uri);
        self.ngx().set_ext_type(ext_type);
        let max_body = loc.scope.client_max_body_size.unwrap_or(1 << 20);
        if max_body > 0 && self.ngx().request().body.len() as u64 > max_body {
            self.ngx().too_large();
            return Step::Done;
        }
        if loc.scope.lua_need_request_body == Some(true) {
            self.ngx().set_body_read();
        }
        if self.script(&loc.rewrite) {
            return Step::Done;
        }
        for phase in [Phase::Rewrite, Phase::Access, Phase::Content] {
            let id = loc.scope.handler(phase);
            if phase == Phase::Content && id.is_none() {
                self.ngx().not_found();
                return Step::Done;
            }
            let Some(id) = id else { continue };
            let end = self.lua(id, phase);
            if let Some((uri, args, exec)) = self.ngx().take_redirect() {
                return Step::Redirect(uri, args, exec);
            }
            if self.ngx().end_run(end) {
                return Step::Done;
            }
        }
        Step::Done
    }

    /// The settings the request's location has (the server's when it has none). A
    /// server-level `return` ends before a location is chosen; the location its URI
    /// would match is used, as before.
    fn scope<'s>(&mut self, srv: &'s Server) -> &'s crate::conf::Scope {
        let li = match self.location {
            Some(li) => Some(li),
            None => {
                let uri = self.ngx().variable(b"uri").unwrap_or_default();
                srv.find_location(&uri)
            }
        };
        li.map_or(&srv.scope, |li| &srv.locations[li].scope)
    }

    /// The header and body filters and the log phase, on whatever response was made.
    fn filters_and_log(&mut self, srv: &Server) {
        let scope = self.scope(srv);
        let sent = self.ngx().headers_sent();
        if sent && let Some(id) = scope.handler(Phase::HeaderFilter) {
            if let RunEnd::Error(msg) = self.lua(id, Phase::HeaderFilter) {
                self.ngx().log_filter_error(Phase::HeaderFilter, &msg);
            }
            self.ngx().rebuild_headers();
        }
        if sent && let Some(id) = scope.handler(Phase::BodyFilter) {
            let (mut body, mut ends) = (Vec::new(), Vec::new());
            for (chunk, eof) in self.ngx().body_chunks() {
                self.ngx().phase_args = vec![HostValue::Str(chunk), HostValue::Bool(eof)];
                match self.lua(id, Phase::BodyFilter) {
                    RunEnd::Error(msg) => self.ngx().log_filter_error(Phase::BodyFilter, &msg),
                    _ => {
                        if let Some(HostValue::Str(b)) = self.ngx().phase_args.first() {
                            body.extend_from_slice(b);
                        }
                    }
                }
                ends.push(body.len());
            }
            self.ngx().set_body(body, ends);
        }
        if let Some(id) = scope.handler(Phase::Log)
            && let RunEnd::Error(msg) = self.lua(id, Phase::Log)
        {
            self.ngx().log_filter_error(Phase::Log, &msg);
        }
    }
}
