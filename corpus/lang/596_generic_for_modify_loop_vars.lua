-- assigning to generic-for variables in the body does not affect iteration
local t = {"a", "b", "c"}
local out = ""
for i, v in ipairs(t) do
  i = i + 10
  v = v .. "!"
  out = out .. i .. v .. " "
end
print(out)
local function iter(_, c) if c < 3 then return c + 1 end end
for c in iter, nil, 0 do
  c = c * 100
  out = c
end
print(out)
