-- function arguments evaluate left to right, with side effects visible to later args
local c = 0
local function inc() c = c + 1; return c end
local function show(...) print(select('#', ...), ...) end
show(inc(), inc(), inc())
local x = 1
local function setx(v) x = v; return v end
show(x, setx(5), x, setx(x + 1), x)
local t = {v = 1}
local function bump() t.v = t.v * 10; return t.v end
show(t.v, bump(), t.v, bump())
