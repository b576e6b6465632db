-- operands of a concat chain evaluate left to right
local s = ""
local function p(v) s = s .. v; return v end
local r = p("a") .. p("b") .. p("c") .. p("d")
print(r, s)
s = ""
local n = p(1) + p(2) * p(3) - p(4)
print(n, s)
s = ""
local c = (p("x") .. p("y")) == (p("x") .. p("y"))
print(c, s)
