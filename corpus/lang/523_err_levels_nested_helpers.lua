-- error levels 1, 2 and 3 point at the helper, its caller, and the caller's caller
local function raise(level) error("lvl" .. level, level) end
local function mid(level)
  raise(level)
end
local function top(level)
  mid(level)
end
for level = 1, 3 do
  print(pcall(top, level))
end
print(pcall(top, 0))
