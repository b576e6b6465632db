-- garbage of every kind in a loop: tables, strings, closures, cells; the
-- surviving data is checked at the end
local keep = {}
local total = 0
for i = 1, 20000 do
  local t = { i, i * 2, name = "item" .. i, nested = { i } }
  local s = t.name .. ":" .. #t
  local counter = 0
  local function bump() counter = counter + i; return counter end
  bump(); bump()
  total = total + #s + t.nested[1] % 7 + counter % 5
  if i % 1000 == 0 then keep[#keep + 1] = { s = s, f = bump } end
end
print(total, #keep)
for i, k in ipairs(keep) do
  if i % 5 == 0 then print(k.s, k.f()) end
end
