-- a deeply nested function reads upvalues from every enclosing level
local a = 1
local function l1()
  local b = 2
  return function()
    local c = 3
    return function()
      local d = 4
      return function()
        a = a + 1; b = b + 1; c = c + 1; d = d + 1
        return a + b + c + d
      end
    end
  end
end
local f = l1()()()
print(f(), f(), a)
local g = l1()()()
print(g(), a)
