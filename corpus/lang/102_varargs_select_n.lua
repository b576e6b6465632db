-- select(n, ...) returns every value from position n onward
local function show(...) print(select('#', ...), ...) end
show(select(4, "a", "b", "c"))
show(select(3, "a", "b", "c"))
show(select(2, "a", "b", "c"))
show(select(1, "a", "b", "c"))
show(select(2, "a", nil, nil))
show(select(2, "a"))
print((select(2, "a", "b", "c")))
print(select(2, "a", "b", "c"), "end")
