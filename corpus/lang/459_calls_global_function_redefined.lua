-- redefining a global function between calls changes what callers see
function gf() return "v1" end
local function caller() return gf() end
print(caller())
function gf() return "v2" end
print(caller())
gf = nil
print(pcall(caller))
