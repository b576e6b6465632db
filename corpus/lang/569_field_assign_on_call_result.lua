-- assigning fields on tables returned from calls
local store = {}
local function get(k)
  store[k] = store[k] or {}
  return store[k]
end
get("a").x = 1
get("a").y = 2
get("b")[1] = "one"
get("a").x = get("a").x + get("a").y
print(store.a.x, store.a.y, store.b[1])
local function self() return store end
self().c = self().a
print(store.c == store.a)
