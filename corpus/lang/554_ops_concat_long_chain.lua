-- a concat chain with 40 operands of mixed strings and numbers
local a, b, c = "a", 1, 2.5
local s = a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. a .. b .. c .. "end"
print(s)
print(#s)
local function n() return 7 end
print(n() .. n() .. (n() + 1) .. -n() .. n() * 2)
