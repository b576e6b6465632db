-- string keys that look like numbers are distinct from number keys
local t = {}
t[10] = "num"
t["10"] = "str"
t[10 .. ""] = t[10 .. ""] .. "!"
print(t[10], t["10"], t[5 * 2], t["1" .. "0"])
t[0.5 .. ""] = "halfstr"
print(t[0.5], t["0.5"])
local n = 0
for k, v in pairs(t) do n = n + 1 end
print(n)
