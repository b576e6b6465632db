-- for bounds evaluated once from calls before the loop runs
local calls = 0
local function v(x) calls = calls + 1; return x end
local limit = 3
local s = 0
for i = v(1), v(limit), v(1) do
  limit = 100
  s = s + i
end
print(s, calls)
local function lo_hi() return 2, 4, 9 end
local a, b = lo_hi()
for i = a, b do s = s + i end
print(s)
print(pcall(function() for i = 1, v(nil) do end end))
