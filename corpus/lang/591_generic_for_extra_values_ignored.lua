-- generic for explist adjusted to three values; extra ones ignored
local function gen() return function(s, c) if c < s then return c + 1 end end, 3, 0, "extra" end
local out = ""
for v in gen() do out = out .. v end
print(out)
local function one() return next end
for k, v in one(), {5} do print(k, v) end
