-- table.remove at every kind of position: the end, the middle, past the end, zero, negative, on empty tables
local function show(t, n) local o = {} for i = 1, n do o[#o+1] = tostring(t[i]) end return table.concat(o, ",") end
for _, case in ipairs({ {3, 7}, {3, 4}, {3, 3}, {3, 2}, {3, 1}, {3, 0}, {3, -1}, {0, 1}, {0, 0}, {1, 2}, {0, 2}, {3, nil}, {0, nil} }) do
  local t = {}
  for i = 1, case[1] do t[i] = i * 10 end
  local r = { n = select("#", pcall(table.remove, t, case[2])), pcall(table.remove, t, case[2]) }
  print(case[1], case[2], r.n, r[1], r[2], show(t, 5), #t)
end
print(pcall(table.remove), pcall(table.remove, {}, "x"))
