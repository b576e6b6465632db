-- concatenation is right associative and lower than arithmetic
print("a" .. "b" .. "c" .. "d")
print("sum=" .. 1 + 2)
print("x" .. 2 * 3 .. "y")
local s = ""
local i = 1
while i <= 5 do
  s = s .. i .. ","
  i = i + 1
end
print(s)
print(#s)
local a, b, c = "foo", "bar", "baz"
print(a .. " " .. b .. " " .. c)
print("" .. "" == "")
print(("ab" .. "cd") == "abcd")
