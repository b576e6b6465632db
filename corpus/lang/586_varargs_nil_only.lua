-- varargs consisting only of nils keep their count
local function f(...) return select('#', ...), {...} end
local n, t = f(nil, nil, nil)
print(n, t[1], t[3])
local function g(...) local a, b, c, d = ...; return a, b, c, d end
print(g(nil, nil))
print(select('#', f()))
local function h(...) return ... end
print(select('#', h(nil, nil, nil, nil, nil)))
