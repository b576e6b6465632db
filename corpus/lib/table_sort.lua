-- table.sort: default order on numbers and strings, comparators, __lt on tables, errors (invalid order function, mixed types, erroring comparator), stability-free results checked by content
local function s(t, c) table.sort(t, c); return table.concat(t, " ") end
print(s({ 5, 3, 9, 1, 1, 7, 2, 8, 6, 4, 0, -3, 2.5 }))
print(s({ "pear", "apple", "fig", "banana", "Apple", "", "apple2" }))
print(s({ 5, 3, 9, 1, 7 }, function(a, b) return a > b end))
local big = {}
for i = 1, 200 do big[i] = (i * 7919) % 211 end
print(s(big))
local words = {}
for w in ("the quick brown fox jumps over the lazy dog again and again"):gmatch("%a+") do words[#words + 1] = w end
print(s(words, function(a, b) if #a ~= #b then return #a < #b end return a < b end))
local mt = { __lt = function(a, b) return a.v < b.v end }
local objs = {}
for i, v in ipairs({ 4, 2, 5, 1, 3 }) do objs[i] = setmetatable({ v = v }, mt) end
table.sort(objs)
local out = {}
for i, o in ipairs(objs) do out[i] = o.v end
print(table.concat(out, " "))
print(pcall(table.sort, { 1, "x", 2 }))
print(pcall(table.sort, { {}, {} }))
print(pcall(table.sort, { 3, 2, 1, 5, 4, 9, 8, 7, 6, 10, 12, 11 }, function() return true end))
print(pcall(table.sort, { 3, 1, 2 }, function(a, b) error("cmp " .. a .. b) end))
print(pcall(function() table.sort({ 2, 1 }, function(a, b) error("lvl", 2) end) end))
local order = {}
local t = { 3, 1, 4, 1, 5, 9, 2, 6 }
table.sort(t, function(a, b) order[#order + 1] = a .. "<" .. b; return a < b end)
print(table.concat(t, ","), #order, table.concat(order, " "))
local empty, one = {}, { 1 }
table.sort(empty); table.sort(one)
print(#empty, one[1], select("#", table.sort({ 2, 1 })))
