-- concat chains are right associative; metamethod calls happen from the right
local log = {}
local mt = {}
mt.__concat = function(a, b)
  local function s(v) return type(v) == "table" and v.n or v end
  log[#log + 1] = s(a) .. "+" .. s(b)
  return setmetatable({n = "(" .. s(a) .. s(b) .. ")"}, mt)
end
local o = setmetatable({n = "O"}, mt)
local r = "a" .. o .. "b" .. "c"
print(r.n)
for i = 1, #log do print(i, log[i]) end
