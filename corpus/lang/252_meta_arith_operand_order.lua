-- the first operand's metamethod wins, else the second's; operands are not swapped
local function tag(name)
  return setmetatable({}, {__add = function(a, b)
    return name .. "(" .. (type(a) == "table" and "T" or tostring(a)) .. "," .. (type(b) == "table" and "T" or tostring(b)) .. ")"
  end})
end
local A, B = tag("A"), tag("B")
print(A + B)
print(B + A)
print(1 + A)
print(A + 1)
print("10" + B)
