-- ipairs stops at the first nil even when later indices are set
local t = {1, 2, nil, 4}
for i, v in ipairs(t) do print(i, v) end
local u = {}
u[1] = "a"; u[2] = "b"; u[4] = "d"
for i, v in ipairs(u) do print(i, v) end
for i, v in ipairs({nil, 2}) do print("never", i, v) end
print("done")
