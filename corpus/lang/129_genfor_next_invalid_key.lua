-- next with a key that is not in the table is an error
print(pcall(next, {}, "missing"))
print(pcall(next, {1, 2}, 3))
print(pcall(function() local k = next({a = 1}, "b") return k end))
print(pcall(next))
print(pcall(next, nil))
