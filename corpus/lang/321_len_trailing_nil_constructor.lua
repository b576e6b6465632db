-- a nil at the end of a constructor does not count
print(#{1, 2, nil})
print(#{nil})
print(#{1, nil})
print(#{"a", "b", "c", nil})
local function none() end
print(#{1, 2, none()})
