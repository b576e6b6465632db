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
    fn run(&mut self, id: HandlerId, ngx: NgxRequest) -> (NgxRequest, RunEnd);
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
        Gateway {
            conf,
            backend,
            declared,
        }
    }

    pub fn backend_name(&self) -> &str {
        self.backend.name()
    }

    /// Handles one request for server `server` listening on `port`. Blocking: run it
    /// where a wasm guest may use a large native stack.
    pub fn handle(&self, server: usize, port: u16, req: Request) -> Response {
        let srv = &self.conf.servers[server];
        let mut run = Run {
            gw: self,
            session: None,
            ngx: Some(NgxRequest::new(req)),
        };
        let name = srv.server_names.first().map_or("", String::as_str);
        run.ngx().set_server(name, port);
        let prefix = format!("{}/", self.conf.prefix.display());
        run.ngx().set_prefix(&prefix);
        for v in &self.declared {
            run.ngx().declare_var(v);
        }
        run.request(srv);
        run.filters_and_log(srv);
        run.ngx.take().expect("request state").into_response()
    }
}

struct Run<'a> {
    gw: &'a Gateway,
    session: Option<Result<Box<dyn Session>, String>>,
    ngx: Option<NgxRequest>,
}

impl Run<'_> {
    fn ngx(&mut self) -> &mut NgxRequest {
        self.ngx.as_mut().expect("request state")
    }

    /// Runs handler `id` in `phase`; `Err` when no session could be made.
    fn lua(&mut self, id: HandlerId, phase: Phase) -> RunEnd {
        let session = self
            .session
            .get_or_insert_with(|| self.gw.backend.session());
        let mut ngx = self.ngx.take().expect("request state");
        ngx.set_phase(phase);
        let (ngx, end) = match session {
            Ok(s) => s.run(id, ngx),
            Err(e) => (ngx, RunEnd::Error(e.clone())),
        };
        self.ngx = Some(ngx);
        end
    }

    /// Runs a request-phase handler and applies how it ended; true when the request is
    /// finalized.
    fn phase(&mut self, id: Option<HandlerId>, phase: Phase) -> bool {
        let Some(id) = id else {
            return false;
        };
        let end = self.lua(id, phase);
        self.ngx().end_run(end)
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

    /// nginx's complex values: `$name` and `${name}` replaced by the variable's value.
    fn interpolate(&mut self, text: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len());
        let mut i = 0;
        while i < text.len() {
            if text[i] != b'$' {
                out.push(text[i]);
                i += 1;
                continue;
            }
            let (name, next) = if text.get(i + 1) == Some(&b'{') {
                match text[i + 2..].iter().position(|&c| c == b'}') {
                    Some(end) => (&text[i + 2..i + 2 + end], i + 3 + end),
                    None => (&text[i + 1..i + 1], i + 1),
                }
            } else {
                let end = text[i + 1..]
                    .iter()
                    .position(|c| !(c.is_ascii_alphanumeric() || *c == b'_'))
                    .map_or(text.len(), |p| i + 1 + p);
                (&text[i + 1..end], end)
            };
            if name.is_empty() {
                out.push(b'$');
                i += 1;
                continue;
            }
            let lname = name.to_ascii_lowercase();
            if let Some(v) = self.ngx().var_value(&lname) {
                out.extend_from_slice(&v);
            }
            i = next;
        }
        out
    }

    fn request(&mut self, srv: &Server) {
        if self.script(&srv.rewrite) {
            return;
        }
        let uri = self.ngx().variable(b"uri").unwrap_or_default();
        let Some(li) = srv.find_location(&uri, false) else {
            self.ngx().not_found();
            return;
        };
        let loc = &srv.locations[li];
        let add_headers: Vec<(String, Vec<u8>, bool)> = loc
            .scope
            .add_headers
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v, always)| (k, self.interpolate(&v), always))
            .collect();
        let default_type = loc.scope.default_type.clone().unwrap_or_default();
        self.ngx().set_location_settings(default_type, add_headers);
        let ext_type = loc.scope.type_of(&uri);
        self.ngx().set_ext_type(ext_type);
        if self.script(&loc.rewrite) {
            return;
        }
        if self.phase(loc.scope.handler(Phase::Rewrite), Phase::Rewrite) {
            return;
        }
        if self.phase(loc.scope.handler(Phase::Access), Phase::Access) {
            return;
        }
        match loc.scope.handler(Phase::Content) {
            Some(id) => {
                let end = self.lua(id, Phase::Content);
                self.ngx().end_run(end);
            }
            None => self.ngx().not_found(),
        }
    }

    /// The header and body filters and the log phase, on whatever response was made.
    fn filters_and_log(&mut self, srv: &Server) {
        let uri = self.ngx().variable(b"uri").unwrap_or_default();
        let scope = match srv.find_location(&uri, false) {
            Some(li) => &srv.locations[li].scope,
            None => &srv.scope,
        };
        let sent = self.ngx().headers_sent();
        if sent && let Some(id) = scope.handler(Phase::HeaderFilter) {
            if let RunEnd::Error(msg) = self.lua(id, Phase::HeaderFilter) {
                self.ngx().log_filter_error(Phase::HeaderFilter, &msg);
            }
            self.ngx().rebuild_headers();
        }
        if sent && let Some(id) = scope.handler(Phase::BodyFilter) {
            let mut body = Vec::new();
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
            }
            self.ngx().set_body(body);
        }
        if let Some(id) = scope.handler(Phase::Log)
            && let RunEnd::Error(msg) = self.lua(id, Phase::Log)
        {
            self.ngx().log_filter_error(Phase::Log, &msg);
        }
    }
}
