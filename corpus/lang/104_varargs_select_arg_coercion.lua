-- select's index is coerced from strings and '#' must be exactly the string '#'
print(select("2", "a", "b", "c"))
print(select(" 3 ", "a", "b", "c"))
print(select('#'))
print(pcall(select))
print(pcall(select, "x", 1))
print(pcall(select, "##", 1))
print(pcall(select, nil, 1))
