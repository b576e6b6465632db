-- LuaJIT's parser folds `c and e` / `c or e` / `not c` for constant c: error
-- messages then name what e names (field 'a'), and e stays one value
local t = {}
local x
local k = "zz"
print(pcall(function() return #(1 and x) end))
print(pcall(function() return #t[(1 and k)] end))
print(pcall(function() return #t[(nil or "a")] end))
print(pcall(function() return #t[(false or "b")] end))
print(pcall(function() return #t[("c" or x)] end))
print(pcall(function() return #t[(1 and "d" or "e")] end))
print(pcall(function() return #t[(not nil and "f")] end))
print(pcall(function() return #(nil or x) end))
print(pcall(function() return #t[1 and 2] end))
print(pcall(function() return (1 and x)() end))
print(pcall(function() return (1 and t).y.z end))
local function two() return 1, 2 end
print(1 and two())
print(select('#', nil or two()))
print(select('#', false or two()), (not nil), (not 0), (not "s"))
print(pcall(function() return #t[1 and "" or "x"] end))
