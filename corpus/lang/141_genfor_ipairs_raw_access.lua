-- ipairs on an empty proxy table: does it follow __index?
local backing = {"a", "b", "c"}
local proxy = setmetatable({}, {__index = backing})
local n = 0
for i, v in ipairs(proxy) do n = n + 1 end
print(n, proxy[1])
local partial = setmetatable({"x"}, {__index = function(t, k) return "mm" .. k end})
local out = ""
for i, v in ipairs(partial) do out = out .. v .. ";" if i > 4 then break end end
print(out)
