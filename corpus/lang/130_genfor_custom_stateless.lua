-- a stateless iterator receives the state and control value each step
local function evens(limit, i)
  i = i + 2
  if i <= limit then return i, i * i end
end
for i, sq in evens, 10, 0 do print(i, sq) end
for i in evens, 3, 0 do print("small", i) end
for i in evens, 0, 0 do print("never", i) end
print("done")
