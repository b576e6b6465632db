-- tonumber on non-string values
print(tonumber(42), tonumber(-1.5))
print(tonumber(nil))
print(tonumber(true), tonumber(false))
print(tonumber({}))
print(tonumber(print) == nil)
print(select('#', tonumber(nil)))
print(pcall(tonumber))
