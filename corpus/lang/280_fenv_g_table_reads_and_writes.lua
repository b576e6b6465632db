-- _G is the globals table: writes through it are globals and back
_G.via_g = "set through _G"
print(via_g)
direct = "set directly"
print(_G.direct, _G["direct"])
_G.direct = nil
print(direct)
local name = "dyn" .. 1
_G[name] = 10
print(dyn1 + 1)
print(rawget(_G, "print") == print)
