-- forwarding zero values through varargs at different positions
local function n(...) return select('#', ...) end
local function none() end
local function pass(...) return ... end
print(n(none()), n(none(), none()), n(pass()), n(pass(pass())))
print(n((none())), n(nil, none()), n(none(), nil))
local t = {pass()}
print(#t, t[1])
print(pass())
print((pass()))
