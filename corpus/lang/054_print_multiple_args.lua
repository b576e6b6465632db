-- print separates arguments with tabs and converts with tostring
print(1, 2, 3)
print("a", "b")
print(1, "two", true, nil, 3.5)
print(nil, nil)
print()
print("")
print("", "")
print(1, nil)
local n = nil
print(n, n, "end")
print(-0.0, 1 / 0, 1e100)
print("tab\tinside", "x")
print(tostring(1), tostring(nil), 1 .. "")
