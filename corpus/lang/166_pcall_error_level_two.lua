-- error("x", 2) blames the caller of the function that raised it
local function check(v)
  if type(v) ~= "number" then
    error("expected a number", 2)
  end
  return v
end
local function use()
  return check("no") + 1
end
local function use_local()
  local r = check({})
  return r
end
print(pcall(use))
print(pcall(use_local))
print(pcall(check, "direct"))
