-- select with negative indexes over varargs that contain nil holes
local function f(...)
  print(select('#', ...))
  print(select(-1, ...))
  print(select(-2, ...))
  print(select(-5, ...))
  print((select(-3, ...)))
end
f(nil, 2, nil, nil, 5)
f(1, nil, nil, nil, nil, nil)
print(pcall(select, -7, 1, 2))
print(pcall(select, 0, 1))
