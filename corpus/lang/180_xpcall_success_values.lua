-- xpcall returns true and every result on success; the handler is not called
local called = 0
local function h(m) called = called + 1 return m end
print(xpcall(function() return 1, nil, 3 end, h))
print(xpcall(function() end, h))
print(select('#', xpcall(function() return nil, nil end, h)))
print(called)
