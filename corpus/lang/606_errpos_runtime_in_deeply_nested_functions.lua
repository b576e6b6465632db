-- runtime error positions in functions defined several levels deep
local function a()
  local function b()
    local function c()
      local t
      return t.x
    end
    return c()
  end
  local r = b()
  return r
end
print(pcall(a))
local function d() return (function() return nil + 1 end)() end
print(pcall(d))
