-- concatenation binds tighter than comparison and looser than arithmetic
local a, b, c = "x", "y", "xy"
print(a .. b == c)
print(1 .. 2 == "12", 1 + 2 .. 3 + 4)
print("a" .. 1 + 2 .. "b")
print(2 .. 3 ^ 2, -1 .. -2)
print(("" .. 10) < "9", 10 < 9)
print("n" .. 1 * 2 .. 3 - 1)
