-- loop values print as integers when integral, floats otherwise
for i = 1, 3 do print(i) end
for i = 1.0, 2 do print(i) end
for i = 1, 2, 0.5 do print(i) end
for i = 3, 1, -1.5 do print(i) end
for i = 0.1, 0.3, 0.1 do print(i) end
