-- closures created in one call share its locals after the call returns
local function pair()
  local v = "init"
  return function(x) v = x end, function() return v end
end
local set1, get1 = pair()
local set2, get2 = pair()
set1("one")
print(get1(), get2())
set2("two")
print(get1(), get2())
