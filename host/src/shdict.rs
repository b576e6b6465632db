//! `lua_shared_dict`: the dictionaries every request of a server shares
//! (`ngx.shared.DICT`), with lua-resty-core's results and messages.
//!
//! A dictionary holds strings, numbers, booleans and lists of strings and numbers, each
//! with optional user flags and an expiry time. Memory accounting is by the bytes of keys
//! and values against the configured size; when a `set` does not fit, the oldest entries
//! are evicted (the third result, `forcible`, says so), as nginx's LRU does.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::ngx::HostValue;

#[derive(Clone, Debug)]
enum Stored {
    Str(Vec<u8>),
    Number(f64),
    Bool(bool),
    List(std::collections::VecDeque<HostValue>),
}

#[derive(Clone, Debug)]
struct Entry {
    value: Stored,
    flags: u32,
    expires: Option<Instant>,
    /// Insertion/update order, for eviction.
    stamp: u64,
}

impl Entry {
    fn expired(&self, now: Instant) -> bool {
        self.expires.is_some_and(|e| e <= now)
    }

    fn size(&self, key: &[u8]) -> usize {
        key.len()
            + 64
            + match &self.value {
                Stored::Str(s) => s.len(),
                Stored::List(l) => l.len() * 32,
                _ => 8,
            }
    }
}

#[derive(Debug)]
struct Dict {
    capacity: usize,
    entries: HashMap<Vec<u8>, Entry>,
    clock: u64,
}

/// Every shared dictionary of a configuration.
#[derive(Debug, Default)]
pub struct SharedDicts {
    dicts: Mutex<HashMap<String, Dict>>,
}

/// An error raised inside lua-resty-core (its position is in the library, not the
/// caller): marked so that the caller's position is not added.
pub fn resty_error(at: &str, msg: &str) -> String {
    format!("{RESTY_MARK}/usr/share/lua/5.1/resty/core/{at}: {msg}")
}

/// Starts a message that already carries its position.
pub const RESTY_MARK: &str = "\u{1}";

/// The results of a dictionary method, as Lua values.
pub type Results = Vec<HostValue>;

fn err(msg: &str) -> Results {
    vec![HostValue::Nil, HostValue::str(msg)]
}

impl SharedDicts {
    pub fn new(dicts: &[(String, u64)]) -> SharedDicts {
        let map = dicts
            .iter()
            .map(|(n, size)| {
                (
                    n.clone(),
                    Dict {
                        capacity: *size as usize,
                        entries: HashMap::new(),
                        clock: 0,
                    },
                )
            })
            .collect();
        SharedDicts {
            dicts: Mutex::new(map),
        }
    }

    /// Calls method `method` of dictionary `name` with `args` (after the dictionary
    /// itself). `Err` is a Lua error message.
    pub fn call(&self, name: &str, method: &str, args: &[HostValue]) -> Result<Results, String> {
        let mut dicts = self.dicts.lock().map_err(|_| "shared dict lock poisoned")?;
        let dict = dicts
            .get_mut(name)
            .ok_or_else(|| "bad \"zone\" argument".to_string())?;
        let now = Instant::now();
        let arg = |i: usize| args.get(i).cloned().unwrap_or(HostValue::Nil);
        let key = || -> Result<Vec<u8>, String> {
            match arg(0) {
                HostValue::Str(s) if s.is_empty() => Err("empty key".into()),
                HostValue::Str(s) => Ok(s),
                HostValue::Number(n) => Ok(crate::ngx::fmt_number(n).into_bytes()),
                HostValue::Nil => Err("nil key".into()),
                _ => Err("bad key type".into()),
            }
        };
        match method {
            "get" | "get_stale" => {
                let k = match key() {
                    Ok(k) => k,
                    Err(e) => return Ok(err(&e)),
                };
                let Some(e) = dict.entries.get(&k) else {
                    return Ok(vec![HostValue::Nil]);
                };
                let stale = e.expired(now);
                if stale && method == "get" {
                    return Ok(vec![HostValue::Nil]);
                }
                let v = match &e.value {
                    Stored::Str(s) => HostValue::Str(s.clone()),
                    Stored::Number(n) => HostValue::Number(*n),
                    Stored::Bool(b) => HostValue::Bool(*b),
                    Stored::List(_) => {
                        return Ok(err("value is a list"));
                    }
                };
                let mut out = vec![v];
                if e.flags != 0 || method == "get_stale" {
                    out.push(if e.flags != 0 {
                        HostValue::Number(f64::from(e.flags))
                    } else {
                        HostValue::Nil
                    });
                }
                if method == "get_stale" {
                    out.push(HostValue::Bool(stale));
                }
                Ok(out)
            }
            "set" | "safe_set" | "add" | "safe_add" | "replace" => {
                let k = match key() {
                    Ok(k) => k,
                    Err(e) => return Ok(err(&e)),
                };
                let value = match arg(1) {
                    HostValue::Nil => None,
                    HostValue::Str(s) => Some(Stored::Str(s)),
                    HostValue::Number(n) => Some(Stored::Number(n)),
                    HostValue::Bool(b) => Some(Stored::Bool(b)),
                    _ => {
                        return Ok(vec![HostValue::Nil, HostValue::str("bad value type")]);
                    }
                };
                let exptime = match arg(2) {
                    HostValue::Number(n) if n > 0.0 => Some(now + Duration::from_secs_f64(n)),
                    HostValue::Number(n) if n < 0.0 => {
                        return Err("bad \"exptime\" argument".into());
                    }
                    _ => None,
                };
                let flags = match arg(3) {
                    HostValue::Number(n) => n as u32,
                    _ => 0,
                };
                let live = dict.entries.get(&k).filter(|e| !e.expired(now)).is_some();
                if matches!(method, "add" | "safe_add") && live {
                    return Ok(vec![
                        HostValue::Bool(false),
                        HostValue::str("exists"),
                        HostValue::Bool(false),
                    ]);
                }
                if method == "replace" && !live {
                    return Ok(vec![
                        HostValue::Bool(false),
                        HostValue::str("not found"),
                        HostValue::Bool(false),
                    ]);
                }
                let Some(value) = value else {
                    dict.entries.remove(&k);
                    return Ok(vec![
                        HostValue::Bool(true),
                        HostValue::Nil,
                        HostValue::Bool(false),
                    ]);
                };
                dict.clock += 1;
                let entry = Entry {
                    value,
                    flags,
                    expires: exptime,
                    stamp: dict.clock,
                };
                let forcible = dict.make_room(&k, entry.size(&k), now);
                if forcible && method.starts_with("safe_") {
                    return Ok(vec![HostValue::Nil, HostValue::str("no memory")]);
                }
                dict.entries.insert(k, entry);
                Ok(vec![
                    HostValue::Bool(true),
                    HostValue::Nil,
                    HostValue::Bool(forcible),
                ])
            }
            "delete" => {
                if let Ok(k) = key() {
                    dict.entries.remove(&k);
                }
                Ok(vec![HostValue::Bool(true)])
            }
            "incr" => {
                let k = match key() {
                    Ok(k) => k,
                    Err(e) => return Ok(err(&e)),
                };
                // resty.core: `tonumber(value)`, then an FFI double.
                let by = match arg(1) {
                    HostValue::Number(n) => n,
                    HostValue::Str(s) => match crate::ngx::lua_str_to_number(&s) {
                        Some(n) => n,
                        None => {
                            return Err(resty_error(
                                "shdict.lua:760",
                                "cannot convert 'nil' to 'double'",
                            ));
                        }
                    },
                    other => {
                        return Err(resty_error(
                            "shdict.lua:760",
                            &format!("cannot convert '{}' to 'double'", other.type_name()),
                        ));
                    }
                };
                let init = match arg(2) {
                    HostValue::Number(n) => Some(n),
                    HostValue::Nil => None,
                    _ => return Err("init not a number".into()),
                };
                let live = dict.entries.get(&k).filter(|e| !e.expired(now)).cloned();
                match live {
                    Some(e) => match e.value {
                        Stored::Number(n) => {
                            let v = n + by;
                            if let Some(e) = dict.entries.get_mut(&k) {
                                e.value = Stored::Number(v);
                            }
                            Ok(vec![HostValue::Number(v)])
                        }
                        _ => Ok(err("not a number")),
                    },
                    None => match init {
                        None => Ok(err("not found")),
                        Some(init) => {
                            let ttl = match arg(3) {
                                HostValue::Number(n) if n > 0.0 => {
                                    Some(now + Duration::from_secs_f64(n))
                                }
                                _ => None,
                            };
                            dict.clock += 1;
                            let v = init + by;
                            dict.entries.insert(
                                k,
                                Entry {
                                    value: Stored::Number(v),
                                    flags: 0,
                                    expires: ttl,
                                    stamp: dict.clock,
                                },
                            );
                            Ok(vec![
                                HostValue::Number(v),
                                HostValue::Nil,
                                HostValue::Bool(false),
                            ])
                        }
                    },
                }
            }
            "ttl" => {
                let k = match key() {
                    Ok(k) => k,
                    Err(e) => return Ok(err(&e)),
                };
                match dict.entries.get(&k).filter(|e| !e.expired(now)) {
                    None => Ok(err("not found")),
                    Some(e) => Ok(vec![HostValue::Number(match e.expires {
                        None => 0.0,
                        Some(t) => {
                            let ms = t.saturating_duration_since(now).as_millis() as f64;
                            ms / 1000.0
                        }
                    })]),
                }
            }
            "expire" => {
                let k = match key() {
                    Ok(k) => k,
                    Err(e) => return Ok(err(&e)),
                };
                let t = match arg(1) {
                    HostValue::Number(n) if n > 0.0 => Some(now + Duration::from_secs_f64(n)),
                    HostValue::Number(_) => None,
                    _ => return Err("bad \"exptime\" argument".into()),
                };
                match dict.entries.get_mut(&k).filter(|e| !e.expired(now)) {
                    None => Ok(err("not found")),
                    Some(e) => {
                        e.expires = t;
                        Ok(vec![HostValue::Bool(true)])
                    }
                }
            }
            "get_keys" => {
                let max = match arg(0) {
                    HostValue::Number(n) => n as usize,
                    _ => 1024,
                };
                let mut keys: Vec<(&Vec<u8>, u64)> = dict
                    .entries
                    .iter()
                    .filter(|(_, e)| !e.expired(now))
                    .map(|(k, e)| (k, e.stamp))
                    .collect();
                keys.sort_by_key(|(_, s)| std::cmp::Reverse(*s));
                if max > 0 {
                    keys.truncate(max);
                }
                Ok(vec![HostValue::Table(
                    keys.into_iter()
                        .enumerate()
                        .map(|(i, (k, _))| {
                            (HostValue::Number((i + 1) as f64), HostValue::Str(k.clone()))
                        })
                        .collect(),
                )])
            }
            "flush_all" => {
                dict.entries.clear();
                Ok(vec![])
            }
            "flush_expired" => {
                let before = dict.entries.len();
                dict.entries.retain(|_, e| !e.expired(now));
                Ok(vec![HostValue::Number(
                    (before - dict.entries.len()) as f64,
                )])
            }
            "capacity" => Ok(vec![HostValue::Number(dict.capacity as f64)]),
            "free_space" => {
                let used: usize = dict.entries.iter().map(|(k, e)| e.size(k)).sum();
                Ok(vec![HostValue::Number(
                    dict.capacity.saturating_sub(used) as f64
                )])
            }
            "lpush" | "rpush" => {
                let k = match key() {
                    Ok(k) => k,
                    Err(e) => return Ok(err(&e)),
                };
                let v = match arg(1) {
                    v @ (HostValue::Str(_) | HostValue::Number(_)) => v,
                    HostValue::Nil => return Err("nil value".into()),
                    _ => return Ok(err("bad value type")),
                };
                dict.clock += 1;
                let stamp = dict.clock;
                let e = dict
                    .entries
                    .entry(k)
                    .and_modify(|e| {
                        if e.expired(now) {
                            e.value = Stored::List(Default::default());
                            e.expires = None;
                        }
                    })
                    .or_insert(Entry {
                        value: Stored::List(Default::default()),
                        flags: 0,
                        expires: None,
                        stamp,
                    });
                let Stored::List(l) = &mut e.value else {
                    return Ok(err("value not a list"));
                };
                if method == "lpush" {
                    l.push_front(v);
                } else {
                    l.push_back(v);
                }
                Ok(vec![HostValue::Number(l.len() as f64)])
            }
            "lpop" | "rpop" | "llen" => {
                let k = match key() {
                    Ok(k) => k,
                    Err(e) => return Ok(err(&e)),
                };
                let Some(e) = dict.entries.get_mut(&k).filter(|e| !e.expired(now)) else {
                    return Ok(if method == "llen" {
                        vec![HostValue::Number(0.0)]
                    } else {
                        vec![HostValue::Nil]
                    });
                };
                let Stored::List(l) = &mut e.value else {
                    return Ok(err("value not a list"));
                };
                let out = match method {
                    "llen" => HostValue::Number(l.len() as f64),
                    "lpop" => l.pop_front().unwrap_or(HostValue::Nil),
                    _ => l.pop_back().unwrap_or(HostValue::Nil),
                };
                if l.is_empty() && method != "llen" {
                    dict.entries.remove(&k);
                }
                Ok(vec![out])
            }
            _ => Err(format!(
                "shared dict method {method} is not supported by moonshift"
            )),
        }
    }
}

impl Dict {
    /// Evicts expired entries, then the oldest ones, until `size` more bytes fit (the
    /// entry for `key` being replaced does not count). Returns whether a live entry had
    /// to go.
    fn make_room(&mut self, key: &[u8], size: usize, now: Instant) -> bool {
        let used = |d: &Dict| -> usize {
            d.entries
                .iter()
                .filter(|(k, _)| k.as_slice() != key)
                .map(|(k, e)| e.size(k))
                .sum()
        };
        if used(self) + size <= self.capacity {
            return false;
        }
        self.entries.retain(|_, e| !e.expired(now));
        let mut forcible = false;
        while used(self) + size > self.capacity {
            let Some(oldest) = self
                .entries
                .iter()
                .filter(|(k, _)| k.as_slice() != key)
                .min_by_key(|(_, e)| e.stamp)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.entries.remove(&oldest);
            forcible = true;
        }
        forcible
    }
}

/// The methods of a dictionary object, in the order the `ngx.shared.DICT` tables list
/// them.
pub const METHODS: &[&str] = &[
    "get",
    "get_stale",
    "set",
    "safe_set",
    "add",
    "safe_add",
    "replace",
    "delete",
    "incr",
    "ttl",
    "expire",
    "get_keys",
    "flush_all",
    "flush_expired",
    "capacity",
    "free_space",
    "lpush",
    "rpush",
    "lpop",
    "rpop",
    "llen",
];
