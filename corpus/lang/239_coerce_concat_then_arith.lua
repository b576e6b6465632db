-- values round-trip between strings and numbers through coercion
local s = 1 .. 2
print(s, type(s))
print(s + 1)
local n = "3" + "4"
print(n .. n)
print(("1" .. "0") * ("2" .. ""))
print(10 .. "" == "10", 1e3 .. "" == "1000")
print(-"-5", - -"5")
