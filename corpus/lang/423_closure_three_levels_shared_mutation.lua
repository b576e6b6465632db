-- one variable shared across three nesting levels, mutated from each level
local function outer()
  local x = 1
  local function mid()
    x = x * 2
    local function inner()
      x = x + 3
      return x
    end
    return inner
  end
  local inner = mid()
  x = x + 100
  local r1 = inner()
  local inner2 = mid()
  local r2 = inner2()
  return r1, r2, x, inner()
end
print(outer())
