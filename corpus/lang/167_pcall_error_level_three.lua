-- error with level 3 blames the caller's caller
local function deep() error("three", 3) end
local function mid()
  deep()
  return 1
end
local function top()
  mid()
  return 2
end
print(pcall(top))
print(pcall(mid))
