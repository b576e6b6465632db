-- setfenv argument errors and setting the environment of a builtin
print(pcall(setfenv, 1, 2))
print(pcall(setfenv, {}, {}))
local ok, r = pcall(setfenv, rawequal, {})
print(ok, r, rawequal(1, 1))
print(pcall(getfenv, {}))
print(pcall(setfenv, 100, {}))
