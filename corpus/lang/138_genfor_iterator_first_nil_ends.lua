-- the loop ends when the first returned value is nil, even if others are not
local calls = 0
local function it(s, c)
  calls = calls + 1
  if c < 3 then return c + 1, "v" .. c end
  return nil, "ignored"
end
for i, v in it, nil, 0 do print(i, v) end
print(calls)
local function falsy() return false, 1 end
for a, b in falsy do print("false is not nil", a, b) break end
