-- the a and b or c idiom, including its false-value pitfall
local function pick(cond, a, b) return cond and a or b end
print(pick(true, "yes", "no"))
print(pick(false, "yes", "no"))
print(pick(nil, 1, 2))
print(pick(true, false, "fallback"))
print(pick(true, nil, "fallback"))
local x = 7
local parity = x % 2 == 0 and "even" or "odd"
print(parity)
local function max(a, b) return a > b and a or b end
print(max(3, 9), max(9, 3), max(-1, -1))
local name
print("hello " .. (name or "anonymous"))
