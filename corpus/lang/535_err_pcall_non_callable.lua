-- pcall and xpcall with non-callable values report errors instead of raising
print(pcall(nil))
print(pcall(42))
print(pcall({}))
print(pcall("str"))
print(xpcall(nil, function(e) return "h:" .. e end))
