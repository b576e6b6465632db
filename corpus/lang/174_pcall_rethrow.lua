-- rethrowing a caught error with level 0 keeps the message unchanged
local function risky() error("original") end
local function wrapper()
  local ok, e = pcall(risky)
  if not ok then error(e, 0) end
end
print(pcall(wrapper))
local function wrapper2()
  local ok, e = pcall(risky)
  error("wrapped: " .. e)
end
print(pcall(wrapper2))
